/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "core/request.h"

void ap_request_init(struct ap_request *r, enum ap_req_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->active = true;
}

void ap_mask_edit_apply(const struct ap_mask_edit *e, const struct ap_mask *cur,
			struct ap_mask *out)
{
	if (!e->change) {
		*out = *cur;
	} else if (e->absolute) {
		*out = e->value;
	} else {
		ap_mask_or(out, cur, &e->set);
		ap_mask_andnot(out, out, &e->clear);
	}
}

void ap_mask_edit_from_idlist(struct ap_mask_edit *e, const struct ap_idlist *l)
{
	memset(e, 0, sizeof(*e));
	e->change = true;
	e->absolute = !l->relative;
	if (e->absolute) {
		e->value = l->set;
	} else {
		e->set = l->set;
		e->clear = l->clear;
	}
}

void ap_host_persistent_masks(const struct ap_host *h, struct ap_mask *apmask,
			      struct ap_mask *aqmask)
{
	*apmask = h->persist_apmask;
	*aqmask = h->persist_aqmask;
}
