/* SPDX-License-Identifier: MIT */
/*
 * Who owns each APQN, as 'show matrix' draws it, and why an assigned APQN
 * is missing from an mdev's guest_matrix (kernel-abi.md 5.4).
 */
#include "config.h"

#include <stdio.h>

#include "core/owner.h"
#include "out/out.h"

void ap_grid_axes(const struct ap_model *m, struct ap_mask *rows, struct ap_mask *cols)
{
	const struct ap_host *h = &m->host;
	size_t i;

	ap_mask_zero(rows);
	ap_mask_zero(cols);
	if (h->qci_known) {
		*rows = h->cfg_apm;
		*cols = h->cfg_aqm;
	}
	for (i = 0; i < h->n_cards; i++)
		ap_mask_set(rows, h->cards[i].id);
	for (i = 0; i < h->n_queues; i++) {
		ap_mask_set(rows, h->queues[i].apid);
		ap_mask_set(cols, h->queues[i].apqi);
	}
	for (i = 0; i < m->n_mdevs; i++) {
		const struct ap_mdev *md = &m->mdevs[i];

		if (md->active) {
			ap_mask_or(rows, rows, &md->live.apm);
			ap_mask_or(cols, cols, &md->live.aqm);
		}
		if (md->defined) {
			ap_mask_or(rows, rows, &md->def.apm);
			ap_mask_or(cols, cols, &md->def.aqm);
		}
	}
}

static bool mx_has(const struct ap_matrix *mx, unsigned int apid, unsigned int apqi)
{
	return ap_mask_test(&mx->apm, apid) && ap_mask_test(&mx->aqm, apqi);
}

void ap_grid_cell_from(const struct ap_model *m, unsigned int kind, unsigned int flags,
		       size_t first, struct ap_cell *c)
{
	/* without the machine's configuration, a queue device stands for it */
	bool inconf = m->host.qci_known ? (flags & AP_OWNF_IN_CONFIG) : (flags & AP_OWNF_QUEUE);

	c->mdev = 0;
	switch ((enum ap_owner_kind)kind) {
	case AP_OWNER_HOST:
		c->kind = inconf ? AP_CELL_HOST : AP_CELL_UNCONFIGURED;
		return;
	case AP_OWNER_FREE:
		c->kind = inconf ? AP_CELL_FREE : AP_CELL_UNCONFIGURED;
		return;
	case AP_OWNER_ASSIGNED:
		c->mdev = first;
		if (!(flags & AP_OWNF_ACTIVE))
			c->kind = AP_CELL_DEFINED;
		else
			c->kind = inconf ? AP_CELL_MDEV : AP_CELL_OVERPROV;
		return;
	case AP_OWNER_IN_USE:
		c->mdev = first;
		c->kind = AP_CELL_GUEST;
		return;
	case AP_OWNER_CONFLICT:
	default:
		c->mdev = first;
		c->kind = AP_CELL_CONFLICT;
		return;
	}
}

void ap_grid_cell(const struct ap_model *m, unsigned int apid, unsigned int apqi,
		  struct ap_cell *c)
{
	struct ap_owner o;
	size_t first = 0;

	ap_owner_of(m, apid, apqi, &o);
	if (o.n_claims)
		first = (size_t)(o.claims[0].mdev - m->mdevs) + 1;
	ap_grid_cell_from(m, o.kind, o.flags, first, c);
}

const char *ap_cell_text(const struct ap_cell *c, char *buf, size_t sz)
{
	switch (c->kind) {
	case AP_CELL_HOST:
		return "H";
	case AP_CELL_FREE:
		return ".";
	case AP_CELL_DEFINED:
		snprintf(buf, sz, "(%zu)", c->mdev);
		return buf;
	case AP_CELL_MDEV:
		snprintf(buf, sz, "%zu", c->mdev);
		return buf;
	case AP_CELL_GUEST:
		snprintf(buf, sz, "%zu*", c->mdev);
		return buf;
	case AP_CELL_OVERPROV:
		snprintf(buf, sz, "%zu?", c->mdev);
		return buf;
	case AP_CELL_CONFLICT:
		return "!";
	case AP_CELL_UNCONFIGURED:
	default:
		return "-";
	}
}

const char *ap_cell_kind_name(enum ap_cell_kind k)
{
	static const char *const names[] = {
		[AP_CELL_UNCONFIGURED] = "unconfigured",
		[AP_CELL_HOST] = "host",
		[AP_CELL_FREE] = "free",
		[AP_CELL_DEFINED] = "defined",
		[AP_CELL_MDEV] = "mdev",
		[AP_CELL_GUEST] = "guest",
		[AP_CELL_OVERPROV] = "overprovisioned",
		[AP_CELL_CONFLICT] = "conflict",
	};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

static bool bound_to_vfio(const struct ap_host *h, unsigned int apid, unsigned int apqi)
{
	const struct ap_queue *q = ap_host_find_queue(h, apid, apqi);

	return q && q->driver == AP_DRV_VFIO_AP;
}

enum ap_guest_reason ap_guest_reason(const struct ap_model *m, const struct ap_mdev *md,
				     unsigned int apid, unsigned int apqi,
				     unsigned int *other)
{
	const struct ap_host *h = &m->host;
	int d;

	*other = apqi;
	if (!h->caps.guest_matrix || !md->guest_known)
		return AP_GR_NO_GUEST_MATRIX;
	if (mx_has(&md->guest, apid, apqi))
		return AP_GR_PASSED;
	/* the kernel cut the file at 4095 bytes: what is missing is unknown */
	if (md->guest_truncated)
		return AP_GR_GUEST_CUT;
	if (h->qci_known && !ap_mask_test(&h->cfg_apm, apid))
		return AP_GR_ADAPTER_NOT_CONFIGURED;
	if (h->qci_known && !ap_mask_test(&h->cfg_aqm, apqi))
		return AP_GR_DOMAIN_NOT_CONFIGURED;
	if (!bound_to_vfio(h, apid, apqi))
		return AP_GR_NOT_BOUND;
	ap_mask_for_each(d, &md->live.aqm) {
		if ((unsigned int)d == apqi)
			continue;
		if (h->qci_known && !ap_mask_test(&h->cfg_aqm, (unsigned int)d))
			continue;	/* filtered as a domain, does not block the adapter */
		if (!bound_to_vfio(h, apid, (unsigned int)d)) {
			*other = (unsigned int)d;
			return AP_GR_ADAPTER_NOT_PASSABLE;
		}
	}
	return AP_GR_FILTERED;
}

const char *ap_guest_reason_name(enum ap_guest_reason r)
{
	static const char *const names[] = {
		[AP_GR_PASSED] = "passed",
		[AP_GR_NO_GUEST_MATRIX] = "no-guest-matrix",
		[AP_GR_ADAPTER_NOT_CONFIGURED] = "adapter-not-configured",
		[AP_GR_DOMAIN_NOT_CONFIGURED] = "domain-not-configured",
		[AP_GR_NOT_BOUND] = "queue-not-bound",
		[AP_GR_ADAPTER_NOT_PASSABLE] = "adapter-not-passable",
		[AP_GR_FILTERED] = "filtered",
		[AP_GR_GUEST_CUT] = "guest-matrix-cut",
	};

	return (unsigned int)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}
