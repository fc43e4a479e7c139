/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/owner.h"

const char *ap_owner_kind_name(enum ap_owner_kind kind)
{
	switch (kind) {
	case AP_OWNER_HOST:
		return "host";
	case AP_OWNER_FREE:
		return "free";
	case AP_OWNER_ASSIGNED:
		return "assigned";
	case AP_OWNER_IN_USE:
		return "in-use";
	case AP_OWNER_CONFLICT:
		return "conflict";
	}
	return "unknown";
}

bool ap_owner_host_owns(const struct ap_host *h, unsigned int apid, unsigned int apqi)
{
	if (h->caps.driver_override && h->n_queues) {
		const struct ap_queue *q = ap_host_find_queue(h, apid, apqi);

		if (q && q->driver_override[0])
			return q->driver == AP_DRV_CEX4QUEUE;
	}
	return ap_host_owns(h, apid, apqi);
}

size_t ap_host_n_overrides(const struct ap_host *h)
{
	size_t n = 0;

	if (!h->caps.driver_override)
		return 0;
	for (size_t i = 0; i < h->n_queues; i++)
		n += h->queues[i].driver_override[0] != '\0';
	return n;
}

enum ap_give_mode ap_host_give_mode(const struct ap_host *h)
{
	bool masks, overrides;

	if (!h->caps.driver_override)
		return AP_GIVE_UNOFFERED;
	masks = h->caps.masks && !(ap_mask_is_full(&h->apmask) && ap_mask_is_full(&h->aqmask));
	overrides = ap_host_n_overrides(h) > 0;
	if (masks && overrides)
		return AP_GIVE_BOTH;
	if (overrides)
		return AP_GIVE_OVERRIDES;
	return masks ? AP_GIVE_MASKS : AP_GIVE_DEFAULT;
}

const char *ap_give_mode_name(enum ap_give_mode mode)
{
	switch (mode) {
	case AP_GIVE_DEFAULT:
		return "default";
	case AP_GIVE_MASKS:
		return "masks";
	case AP_GIVE_OVERRIDES:
		return "overrides";
	case AP_GIVE_BOTH:
		return "masks+overrides";
	case AP_GIVE_UNOFFERED:
		break;
	}
	return NULL;
}

bool ap_queue_override_pending(const struct ap_queue *q)
{
	const char *o = q->driver_override;

	if (!o[0])
		return false;
	if (!strcmp(o, "vfio_ap"))
		return q->driver != AP_DRV_VFIO_AP;
	if (!strcmp(o, "cex4queue"))
		return q->driver != AP_DRV_CEX4QUEUE;
	/* another driver: apctl cannot tell which one is bound */
	return q->driver != AP_DRV_OTHER;
}

static bool in_product(const struct ap_matrix *x, unsigned int apid, unsigned int apqi)
{
	return ap_mask_test(&x->apm, apid) && ap_mask_test(&x->aqm, apqi);
}

/* the guest of d uses apid.apqi */
static bool guest_uses(const struct ap_mdev *d, unsigned int apid, unsigned int apqi)
{
	if (!d->active || !d->in_use)
		return false;
	if (d->guest_known)
		return in_product(&d->guest, apid, apqi);
	return in_product(&d->live, apid, apqi);
}

static unsigned int base_flags(const struct ap_host *h, unsigned int apid, unsigned int apqi)
{
	unsigned int f = 0;

	if (ap_owner_host_owns(h, apid, apqi))
		f |= AP_OWNF_HOST;
	if (h->qci_known && ap_mask_test(&h->cfg_apm, apid) && ap_mask_test(&h->cfg_aqm, apqi))
		f |= AP_OWNF_IN_CONFIG;
	if (h->n_queues && ap_host_find_queue(h, apid, apqi))
		f |= AP_OWNF_QUEUE;
	return f;
}

static enum ap_owner_kind kind_of(unsigned int flags, size_t claims, bool in_use)
{
	if (claims > 1 || (claims && (flags & AP_OWNF_HOST)))
		return AP_OWNER_CONFLICT;
	if (claims)
		return in_use ? AP_OWNER_IN_USE : AP_OWNER_ASSIGNED;
	return (flags & AP_OWNF_HOST) ? AP_OWNER_HOST : AP_OWNER_FREE;
}

void ap_owner_of(const struct ap_model *m, unsigned int apid, unsigned int apqi,
		 struct ap_owner *o)
{
	bool any_use = false;

	memset(o, 0, sizeof(*o));
	o->flags = base_flags(&m->host, apid, apqi);
	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct ap_mdev *d = &m->mdevs[i];
		bool live = d->active && in_product(&d->live, apid, apqi);
		bool def = d->defined && in_product(&d->def, apid, apqi);
		bool use = guest_uses(d, apid, apqi);

		if (!live && !def) {
			/* a guest matrix is a subset of the live one; be
			 * consistent with the grid if the data says otherwise */
			if (use)
				o->flags |= AP_OWNF_IN_USE;
			continue;
		}
		if (live)
			o->flags |= AP_OWNF_ACTIVE;
		if (def)
			o->flags |= AP_OWNF_DEFINED;
		if (def && d->autostart)
			o->flags |= AP_OWNF_AUTOSTART;
		if (use) {
			o->flags |= AP_OWNF_IN_USE;
			any_use = true;
		}
		if (o->n_claims < AP_OWNER_MAX_NAMED) {
			struct ap_owner_claim *c = &o->claims[o->n_claims];

			c->mdev = d;
			c->live = live;
			c->def = def;
			c->in_use = use;
		}
		o->n_claims++;
	}
	if (o->n_claims > 1)
		o->flags |= AP_OWNF_SHARED;
	o->kind = kind_of(o->flags, o->n_claims, any_use);
}

static void grid_claim(struct ap_owner_grid *g, const struct ap_matrix *x, uint32_t idx,
		       unsigned int flag)
{
	int a, d;

	ap_mask_for_each(a, &x->apm) {
		ap_mask_for_each(d, &x->aqm) {
			uint32_t *f = &g->first[a][d];

			if (!*f)
				*f = idx;
			else if (*f != idx)
				g->flags[a][d] |= AP_OWNF_SHARED;
			g->flags[a][d] |= (uint8_t)flag;
		}
	}
}

struct ap_owner_grid *ap_owner_grid_new(const struct ap_model *m)
{
	const struct ap_host *h = &m->host;
	struct ap_owner_grid *g = calloc(1, sizeof(*g));
	int a, d;

	if (!g)
		return NULL;
	/* host: apmask x aqmask, then driver_override exceptions */
	ap_mask_for_each(a, &h->apmask)
		ap_mask_for_each(d, &h->aqmask)
			g->flags[a][d] = AP_OWNF_HOST;
	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *q = &h->queues[i];

		if (q->apid > AP_MAX_ID || q->apqi > AP_MAX_ID)
			continue;
		g->flags[q->apid][q->apqi] |= AP_OWNF_QUEUE;
		if (h->caps.driver_override && q->driver_override[0]) {
			if (q->driver == AP_DRV_CEX4QUEUE)
				g->flags[q->apid][q->apqi] |= AP_OWNF_HOST;
			else
				g->flags[q->apid][q->apqi] &= (uint8_t)~AP_OWNF_HOST;
		}
	}
	if (h->qci_known)
		ap_mask_for_each(a, &h->cfg_apm)
			ap_mask_for_each(d, &h->cfg_aqm)
				g->flags[a][d] |= AP_OWNF_IN_CONFIG;

	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct ap_mdev *md = &m->mdevs[i];
		uint32_t idx = (uint32_t)i + 1;

		if (md->active)
			grid_claim(g, &md->live, idx, AP_OWNF_ACTIVE);
		if (md->defined)
			grid_claim(g, &md->def, idx,
				   AP_OWNF_DEFINED | (md->autostart ? AP_OWNF_AUTOSTART : 0));
		if (md->active && md->in_use) {
			const struct ap_matrix *gm = md->guest_known ? &md->guest : &md->live;

			ap_mask_for_each(a, &gm->apm)
				ap_mask_for_each(d, &gm->aqm)
					g->flags[a][d] |= AP_OWNF_IN_USE;
		}
	}
	for (a = 0; a <= AP_MAX_ID; a++) {
		for (d = 0; d <= AP_MAX_ID; d++) {
			unsigned int f = g->flags[a][d];
			size_t claims = (f & AP_OWNF_SHARED) ? 2 : g->first[a][d] ? 1 : 0;

			g->kind[a][d] = (uint8_t)kind_of(f, claims, f & AP_OWNF_IN_USE);
		}
	}
	return g;
}

void ap_owner_grid_free(struct ap_owner_grid *g)
{
	free(g);
}

void ap_owner_grid_row(const struct ap_owner_grid *g, unsigned int apid,
		       enum ap_owner_kind kind, struct ap_mask *out)
{
	ap_mask_zero(out);
	if (apid > AP_MAX_ID)
		return;
	for (unsigned int d = 0; d <= AP_MAX_ID; d++)
		if (g->kind[apid][d] == kind)
			ap_mask_set(out, d);
}

const struct ap_mdev *ap_owner_grid_mdev(const struct ap_owner_grid *g,
					 const struct ap_model *m, unsigned int apid,
					 unsigned int apqi)
{
	uint32_t i;

	if (apid > AP_MAX_ID || apqi > AP_MAX_ID)
		return NULL;
	i = g->first[apid][apqi];
	return i && i <= m->n_mdevs ? &m->mdevs[i - 1] : NULL;
}
