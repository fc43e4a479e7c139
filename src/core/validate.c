/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "core/idlist.h"
#include "core/owner.h"
#include "core/validate.h"

/* the system as validated: the model's host with edited masks, and mdevs */
struct state {
	struct ap_host host;		/* shallow copy: cards/queues are shared, read only */
	struct ap_mask papm, paqm;	/* effective persistent masks */
	struct ap_mdev *mdevs;
	size_t n;
	size_t n_sorted;		/* mdevs[0..n_sorted) are in uuid order (the model's);
					 * mdevs a transaction creates are appended */
	struct ap_queue *qcopy;		/* driver_override requests: the edited queues */
	struct ap_queue **qold;		/* earlier copies, freed at the end */
	size_t n_qold;
};

/* an APQN set as 256 domain masks, one per adapter */
struct apqn_set {
	struct ap_mask row[256];
};

struct ctx {
	const struct ap_model *model;
	const struct ap_request *req;
	struct ap_problems *out;
	int oom;
};

const char *ap_problem_kind_name(enum ap_problem_kind kind)
{
	static const char *const names[] = {
		[AP_PROB_APQN_SHARED] = "apqn-shared",
		[AP_PROB_HOST_OWNED] = "host-owned",
		[AP_PROB_MASK_TAKES_ASSIGNED] = "mask-takes-assigned",
		[AP_PROB_ID_ABOVE_MAX] = "id-above-max",
		[AP_PROB_CDOM_WITHOUT_USAGE] = "cdom-without-usage",
		[AP_PROB_NOT_IN_CONFIG] = "not-in-config",
		[AP_PROB_EMPTY_MASK] = "empty-mask",
		[AP_PROB_MDEV_EXISTS] = "mdev-exists",
		[AP_PROB_MDEV_NOT_FOUND] = "mdev-not-found",
		[AP_PROB_IN_USE] = "in-use",
		[AP_PROB_QUEUE_NOT_BOUND] = "queue-not-bound",
		[AP_PROB_DEFINITION_DIFFERS] = "definition-differs",
		[AP_PROB_BOOT_MASKS_DIFFER] = "boot-masks-differ",
		[AP_PROB_REMOVE_PENDING] = "removal-pending",
		[AP_PROB_OVERRIDE_PENDING] = "override-pending",
		[AP_PROB_MASKS_BLOCKED] = "masks-blocked-by-override",
		[AP_PROB_OVERRIDE_REFUSED] = "override-refused",
		[AP_PROB_OVERRIDE_TAKES_ASSIGNED] = "override-takes-assigned",
		[AP_PROB_BOOT_OVERRIDES_DIFFER] = "boot-overrides-differ",
		[AP_PROB_NO_MIGRATABLE] = "no-migratable",
	};

	if ((unsigned int)kind < sizeof(names) / sizeof(names[0]) && names[kind])
		return names[kind];
	return "unknown";
}

const char *ap_severity_name(enum ap_severity sev)
{
	return sev == AP_SEV_ERROR ? "error" : "warning";
}

/* ---- small helpers ----------------------------------------------------- */

static void set_clear(struct apqn_set *s)
{
	memset(s, 0, sizeof(*s));
}

static bool set_empty(const struct apqn_set *s)
{
	for (int a = 0; a < 256; a++)
		if (!ap_mask_is_empty(&s->row[a]))
			return false;
	return true;
}

static void set_add_product(struct apqn_set *s, const struct ap_mask *apm,
			    const struct ap_mask *aqm)
{
	int a;

	ap_mask_for_each(a, apm)
		ap_mask_or(&s->row[a], &s->row[a], aqm);
}

/* [>= 6.19] driverctl sets the queue's override to vfio_ap again at boot */
static bool saved_vfio(const struct ap_host *h, unsigned int a, unsigned int d)
{
	const struct ap_queue *q;

	if (!h->caps.driver_override || !h->driverctl_boot || !h->n_saved_overrides)
		return false;
	q = ap_host_find_queue(h, a, d);
	return q && !strcmp(q->saved_override, "vfio_ap");
}

/* the host's APQNs in state st within the product apm x aqm */
static void host_in_product(const struct state *st, const struct ap_mask *hapm,
			    const struct ap_mask *haqm, bool live, const struct ap_matrix *x,
			    struct apqn_set *s)
{
	int a, d;

	set_clear(s);
	ap_mask_for_each(a, &x->apm) {
		ap_mask_for_each(d, &x->aqm) {
			bool host = live ? ap_owner_host_owns(&st->host, (unsigned int)a,
							      (unsigned int)d)
					 : ap_mask_test(hapm, (unsigned int)a) &&
					   ap_mask_test(haqm, (unsigned int)d) &&
					   !saved_vfio(&st->host, (unsigned int)a, (unsigned int)d);

			if (host)
				ap_mask_set(&s->row[a], (unsigned int)d);
		}
	}
}

__attribute__((format(printf, 1, 2)))
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* ---- problem list -------------------------------------------------------- */

static struct ap_problem *add(struct ctx *c, enum ap_problem_kind kind, enum ap_severity sev,
			      const struct ap_mdev *d, unsigned int sides)
{
	struct ap_problems *o = c->out;
	struct ap_problem *p, *v;

	if (c->oom)
		return NULL;
	v = realloc(o->v, (o->n + 1) * sizeof(*v));
	if (!v) {
		c->oom = 1;
		return NULL;
	}
	o->v = v;
	p = &v[o->n++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->severity = sev;
	if (d) {
		memcpy(p->mdev, d->uuid, AP_UUID_STRLEN);
		p->mdev_autostart = d->autostart && d->defined;
	}
	p->mdev_sides = sides;
	return p;
}

static void set_other_mdev(struct ap_problem *p, const struct ap_mdev *d, unsigned int sides)
{
	p->other = AP_PARTY_MDEV;
	memcpy(p->other_mdev, d->uuid, AP_UUID_STRLEN);
	p->other_sides = sides;
	p->other_autostart = d->autostart && d->defined;
}

/* store the APQNs of s in p (and the summary ids) */
static void set_apqns(struct ctx *c, struct ap_problem *p, const struct apqn_set *s)
{
	size_t n = 0, k = 0;
	int a, d;

	for (a = 0; a < 256; a++)
		n += ap_mask_weight(&s->row[a]);
	if (!n)
		return;
	p->apqns = malloc(n * sizeof(*p->apqns));
	if (!p->apqns) {
		c->oom = 1;
		return;
	}
	for (a = 0; a < 256; a++) {
		if (ap_mask_is_empty(&s->row[a]))
			continue;
		ap_mask_set(&p->ids.apm, (unsigned int)a);
		ap_mask_or(&p->ids.aqm, &p->ids.aqm, &s->row[a]);
		ap_mask_for_each(d, &s->row[a]) {
			p->apqns[k].apid = (unsigned int)a;
			p->apqns[k].apqi = (unsigned int)d;
			k++;
		}
	}
	p->n_apqns = n;
}

/* "05.0004, 05.00ab and 3 more" */
#define APQN_LIST_MAX 8
static void fmt_apqns(const struct ap_problem *p, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n_apqns && i < APQN_LIST_MAX; i++) {
		char q[AP_APQN_STRLEN];

		ap_apqn_format(p->apqns[i].apid, p->apqns[i].apqi, q);
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					i ? ", " : "", q);
		if (len >= size)
			return;
	}
	if (p->n_apqns > APQN_LIST_MAX)
		snprintf(buf + len, size - len, _(" and %zu more"), p->n_apqns - APQN_LIST_MAX);
}

/*
 * A problem between mdev d (sides) and the host (host_sides) about the
 * APQNs in s; q receives them as text for the message.  NULL: memory short.
 */
static struct ap_problem *add_host_apqns(struct ctx *c, enum ap_problem_kind kind,
					 enum ap_severity sev, const struct ap_mdev *d,
					 unsigned int sides, unsigned int host_sides,
					 const struct apqn_set *s, char *q, size_t qsize)
{
	struct ap_problem *p = add(c, kind, sev, d, sides);

	if (!p)
		return NULL;
	p->other = AP_PARTY_HOST;
	p->other_sides = host_sides;
	set_apqns(c, p, s);
	fmt_apqns(p, q, qsize);
	return p;
}

/* "adapters 40,41; domains 0010" from a matrix of ids */
static void fmt_ids(const struct ap_matrix *x, char *buf, size_t size)
{
	char h[AP_IDLIST_STRLEN];
	size_t len = 0;

	buf[0] = '\0';
	if (!ap_mask_is_empty(&x->apm)) {
		ap_idlist_format_hex(&x->apm, 2, h, sizeof(h));
		len += (size_t)snprintf(buf + len, size - len, _("adapters %s"), h);
	}
	if (!ap_mask_is_empty(&x->aqm) && len < size) {
		ap_idlist_format_hex(&x->aqm, 4, h, sizeof(h));
		len += (size_t)snprintf(buf + len, size - len, "%s", len ? "; " : "");
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, _("domains %s"), h);
	}
	if (!ap_mask_is_empty(&x->adm) && len < size) {
		ap_idlist_format_hex(&x->adm, 4, h, sizeof(h));
		len += (size_t)snprintf(buf + len, size - len, "%s", len ? "; " : "");
		if (len < size)
			snprintf(buf + len, size - len, _("control domains %s"), h);
	}
}

/* "active", "defined, autostart", "active and defined, manual" */
static const char *sides_text(unsigned int sides, bool autostart)
{
	switch (sides) {
	case AP_SIDE_ACTIVE:
		return _("active");
	case AP_SIDE_DEFINED:
		return autostart ? _("defined, autostart") : _("defined, manual start");
	case AP_SIDE_ACTIVE | AP_SIDE_DEFINED:
		return autostart ? _("active and defined, autostart")
				 : _("active and defined, manual start");
	}
	return "";
}

/* ---- state --------------------------------------------------------------- */

static int state_init(struct state *st, const struct ap_model *m, size_t extra)
{
	st->host = m->host;
	ap_host_persistent_masks(&m->host, &st->papm, &st->paqm);
	st->n = st->n_sorted = m->n_mdevs;
	st->mdevs = malloc((m->n_mdevs + extra + 1) * sizeof(*st->mdevs));
	if (!st->mdevs)
		return -1;
	if (m->n_mdevs)
		memcpy(st->mdevs, m->mdevs, m->n_mdevs * sizeof(*st->mdevs));
	return 0;
}

static void state_fini(struct state *st)
{
	free(st->mdevs);
	free(st->qcopy);
	for (size_t i = 0; i < st->n_qold; i++)
		free(st->qold[i]);
	free(st->qold);
}

/* a binary search in the model's mdevs, then the few a transaction added */
static struct ap_mdev *state_find(const struct state *st, const char *uuid)
{
	size_t lo = 0, hi = st->n_sorted;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(st->mdevs[mid].uuid, uuid);

		if (!r)
			return &st->mdevs[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = st->n_sorted; i < st->n; i++)
		if (!strcmp(st->mdevs[i].uuid, uuid))
			return &st->mdevs[i];
	return NULL;
}

/* apply the request to st; the problems of the request itself go to c */
static void state_apply(struct ctx *c, struct state *st)
{
	const struct ap_request *r = c->req;
	struct ap_mdev *d;
	struct ap_problem *p;

	switch (r->kind) {
	case AP_REQ_NONE:
		return;
	case AP_REQ_MASKS:
		if (r->active) {
			ap_mask_edit_apply(&r->apmask, &st->host.apmask, &st->host.apmask);
			ap_mask_edit_apply(&r->aqmask, &st->host.aqmask, &st->host.aqmask);
		}
		if (r->persistent) {
			ap_mask_edit_apply(&r->apmask, &st->papm, &st->papm);
			ap_mask_edit_apply(&r->aqmask, &st->paqm, &st->paqm);
		}
		return;
	case AP_REQ_OVERRIDES: {
		const char *want = r->ovr_release ? "" : "vfio_ap";

		struct ap_queue *qc;

		if (!st->host.n_queues)
			return;
		/* a new copy: an earlier state of the transaction may still
		 * look at the previous one */
		qc = malloc(st->host.n_queues * sizeof(*qc));
		if (!qc) {
			c->oom = 1;
			return;
		}
		memcpy(qc, st->host.queues, st->host.n_queues * sizeof(*qc));
		if (st->qcopy) {
			struct ap_queue **v = realloc(st->qold, (st->n_qold + 1) * sizeof(*v));

			if (!v) {
				free(qc);
				c->oom = 1;
				return;
			}
			st->qold = v;
			v[st->n_qold++] = st->qcopy;
		}
		st->qcopy = qc;
		st->host.queues = st->qcopy;
		for (size_t i = 0; i < st->host.n_queues; i++) {
			struct ap_queue *q = &st->qcopy[i];

			if (q->apid > AP_MAX_ID || q->apqi > AP_MAX_ID ||
			    !ap_mask_test(&r->ovr[q->apid], q->apqi))
				continue;
			if (r->persistent)
				snprintf(q->saved_override, sizeof(q->saved_override), "%s", want);
			if (!r->active)
				continue;
			snprintf(q->driver_override, sizeof(q->driver_override), "%s", want);
			q->driver = *want ? AP_DRV_VFIO_AP
				    : ap_host_owns(&st->host, q->apid, q->apqi) ? AP_DRV_CEX4QUEUE
										: AP_DRV_VFIO_AP;
		}
		return;
	}
	case AP_REQ_MDEV_CREATE:
		d = state_find(st, r->uuid);
		if (d && ((r->active && d->active) || (r->persistent && d->defined))) {
			unsigned int sides = (d->active ? AP_SIDE_ACTIVE : 0) |
					     (d->defined ? AP_SIDE_DEFINED : 0);

			p = add(c, AP_PROB_MDEV_EXISTS, AP_SEV_ERROR, d, sides);
			if (p)
				p->message = xasprintf(_("mdev %s already exists (%s); change it with 'apctl mdev modify' or choose another UUID"),
						       d->uuid, sides_text(sides, p->mdev_autostart));
		}
		if (!d) {
			/* appended: the audit sorts what it looks at */
			d = &st->mdevs[st->n++];
			memset(d, 0, sizeof(*d));
			snprintf(d->uuid, sizeof(d->uuid), "%s", r->uuid);
		}
		if (r->active) {
			d->active = true;
			d->live = r->matrix;
			d->in_use = false;
			d->guest_known = false;
		}
		if (r->persistent) {
			d->defined = true;
			d->def = r->matrix;
			d->autostart = r->set_autostart && r->autostart;
		}
		return;
	case AP_REQ_MDEV_MIGRATABLE:
		d = state_find(st, r->uuid);
		if (!d || !d->active) {
			p = add(c, AP_PROB_MDEV_NOT_FOUND, AP_SEV_ERROR, NULL, AP_SIDE_ACTIVE);
			if (p) {
				snprintf(p->mdev, sizeof(p->mdev), "%s", r->uuid);
				p->message = xasprintf(_("there is no active mdev %s"), r->uuid);
			}
		} else if (d->migratable == AP_UNK) {
			p = add(c, AP_PROB_NO_MIGRATABLE, AP_SEV_ERROR, NULL, AP_SIDE_ACTIVE);
			if (p) {
				snprintf(p->mdev, sizeof(p->mdev), "%s", r->uuid);
				p->message = xasprintf(_("this kernel has no 'migratable' switch for "
							 "mdev %s: only the first version of the vfio_ap "
							 "live migration patches has one; with later "
							 "versions every mdev can migrate (see 'apctl "
							 "migrate-check')"), r->uuid);
			}
		} else {
			d->migratable = r->migratable;
		}
		return;
	case AP_REQ_MDEV_MODIFY:
	case AP_REQ_MDEV_REMOVE:
		d = state_find(st, r->uuid);
		if (!d || (r->active && !d->active) ||
		    (r->kind == AP_REQ_MDEV_REMOVE && r->persistent && !d->defined)) {
			bool no_active = r->active && (!d || !d->active);

			p = add(c, AP_PROB_MDEV_NOT_FOUND, AP_SEV_ERROR, NULL,
				no_active ? AP_SIDE_ACTIVE : AP_SIDE_DEFINED);
			if (p) {
				snprintf(p->mdev, sizeof(p->mdev), "%s", r->uuid);
				p->message = xasprintf(no_active
						       ? _("there is no active mdev %s")
						       : _("there is no definition of mdev %s"),
						       r->uuid);
			}
			if (!d)
				return;
		}
		if (r->kind == AP_REQ_MDEV_REMOVE) {
			if (r->active)
				d->active = false;
			if (r->persistent)
				d->defined = false;
			return;
		}
		if (r->active && d->active)
			d->live = r->matrix;
		if (r->persistent) {
			if (!d->defined)
				d->autostart = false;
			d->defined = true;
			d->def = r->matrix;
			if (r->set_autostart)
				d->autostart = r->autostart;
		}
		return;
	}
}

/* ---- checks of one state ------------------------------------------------- */

static void check_ids(struct ctx *c, const struct state *st, const struct ap_mdev *d)
{
	const struct ap_host *h = &st->host;
	struct ap_matrix over, lim;
	unsigned int sides = 0;
	struct ap_problem *p;
	char ids[3 * AP_IDLIST_STRLEN];

	memset(&over, 0, sizeof(over));
	ap_mask_fill(&lim.apm);
	ap_mask_limit(&lim.apm, h->max_adapter);
	ap_mask_fill(&lim.aqm);
	ap_mask_limit(&lim.aqm, h->max_domain);
	for (int side = 0; side < 2; side++) {
		const struct ap_matrix *x = side ? &d->def : &d->live;
		struct ap_mask t;

		if (!(side ? d->defined : d->active))
			continue;
		ap_mask_andnot(&t, &x->apm, &lim.apm);
		ap_mask_or(&over.apm, &over.apm, &t);
		if (!ap_mask_is_empty(&t))
			sides |= side ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
		ap_mask_andnot(&t, &x->aqm, &lim.aqm);
		ap_mask_or(&over.aqm, &over.aqm, &t);
		if (!ap_mask_is_empty(&t))
			sides |= side ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
		ap_mask_andnot(&t, &x->adm, &lim.aqm);
		ap_mask_or(&over.adm, &over.adm, &t);
		if (!ap_mask_is_empty(&t))
			sides |= side ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
	}
	if (!sides)
		return;
	p = add(c, AP_PROB_ID_ABOVE_MAX, AP_SEV_ERROR, d, sides);
	if (!p)
		return;
	p->ids = over;
	fmt_ids(&over, ids, sizeof(ids));
	p->message = xasprintf(_("mdev %s (%s): %s above the maximum (adapters up to %02x, domains up to %04x); the kernel refuses them: remove them from the mdev"),
			       d->uuid, sides_text(sides, p->mdev_autostart), ids,
			       h->max_adapter, h->max_domain);
}

/*
 * Control domains without usage domains.  The kernel accepts such an mdev
 * and nothing is at risk (control domains are not exclusive), but
 * s390-tools' ap-check, which mdevctl runs before starting a device, refuses
 * it.  So: a warning for an active device and for a manual definition (a
 * later 'mdevctl start' will fail, apctl itself can still start it), and an
 * error for an autostart definition, which mdevctl starts at boot through
 * ap-check: it would silently not come up.
 */
static void check_cdoms(struct ctx *c, const struct ap_mdev *d)
{
	for (int side = 0; side < 2; side++) {
		const struct ap_matrix *x = side ? &d->def : &d->live;
		enum ap_severity sev = AP_SEV_WARNING;
		struct ap_problem *p;
		char h[AP_IDLIST_STRLEN];

		if (!(side ? d->defined : d->active))
			continue;
		if (ap_mask_is_empty(&x->adm) || !ap_mask_is_empty(&x->aqm))
			continue;
		/* active and defined with the same matrix: report once */
		if (side && d->active && ap_mask_equal(&d->live.adm, &d->def.adm) &&
		    ap_mask_is_empty(&d->live.aqm))
			continue;
		if (side && d->autostart)
			sev = AP_SEV_ERROR;
		p = add(c, AP_PROB_CDOM_WITHOUT_USAGE, sev, d,
			side ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE);
		if (!p)
			return;
		if (!side && d->defined && ap_mask_equal(&d->live.adm, &d->def.adm) &&
		    ap_mask_is_empty(&d->def.aqm)) {
			p->mdev_sides |= AP_SIDE_DEFINED;
			if (d->autostart)
				p->severity = AP_SEV_ERROR;
		}
		p->ids.adm = x->adm;
		ap_idlist_format_hex(&x->adm, 4, h, sizeof(h));
		p->message = xasprintf(_("mdev %s (%s) has control domains %s but no usage domain; mdevctl's ap-check refuses to start such a device: add a usage domain or remove the control domains"),
				       d->uuid, sides_text(p->mdev_sides, p->mdev_autostart), h);
	}
}

/* the mdev a create or modify request proposes (its matrix is the new one) */
static bool proposed(const struct ctx *c, const struct ap_mdev *d)
{
	return (c->req->kind == AP_REQ_MDEV_CREATE || c->req->kind == AP_REQ_MDEV_MODIFY) &&
	       !strcmp(d->uuid, c->req->uuid);
}

/* the ids of matrix x that the host's configuration lacks; false: none */
static bool missing_ids(const struct ap_host *h, const struct ap_matrix *x, struct ap_matrix *t)
{
	ap_mask_andnot(&t->apm, &x->apm, &h->cfg_apm);
	ap_mask_andnot(&t->aqm, &x->aqm, &h->cfg_aqm);
	ap_mask_andnot(&t->adm, &x->adm, &h->cfg_adm);
	return !ap_mask_is_empty(&t->apm) || !ap_mask_is_empty(&t->aqm) ||
	       !ap_mask_is_empty(&t->adm);
}

/*
 * Ids the LPAR does not have.  From 6.0 the kernel assigns them and hot
 * plugs them into the guest once they are configured (over-provisioning):
 * a warning.  Before 6.0 assign_* takes only queues bound to vfio_ap, so a
 * definition with such ids cannot be started at all (EADDRNOTAVAIL): an
 * error for an autostart definition (it will not come up at boot), a
 * warning for a manual one and at the moment a command writes it.
 */
static void check_config(struct ctx *c, const struct state *st, const struct ap_mdev *d)
{
	const struct ap_host *h = &st->host;
	struct ap_matrix miss, t;
	unsigned int sides = 0;
	struct ap_problem *p;
	char ids[3 * AP_IDLIST_STRLEN];

	if (!h->qci_known)
		return;
	/* only a kernel known to be older than 6.0 (model.h: no_guest_matrix);
	 * an unknown generation gets the 6.0 sentence, as the queue-not-bound
	 * warning already says that the version cannot be told */
	if (!h->caps.guest_matrix && h->caps.no_guest_matrix) {
		if (d->active && missing_ids(h, &d->live, &t)) {
			p = add(c, AP_PROB_NOT_IN_CONFIG, AP_SEV_WARNING, d, AP_SIDE_ACTIVE);
			if (!p)
				return;
			p->ids = t;
			fmt_ids(&t, ids, sizeof(ids));
			p->message = xasprintf(_("mdev %s (active): %s not in the host's AP configuration; the guest cannot use them (this kernel, before 6.0, plugs nothing in later)"),
					       d->uuid, ids);
		}
		if (d->defined && missing_ids(h, &d->def, &t)) {
			bool writing = proposed(c, d) && c->req->persistent;

			p = add(c, AP_PROB_NOT_IN_CONFIG,
				d->autostart && !writing ? AP_SEV_ERROR : AP_SEV_WARNING, d,
				AP_SIDE_DEFINED);
			if (!p)
				return;
			p->ids = t;
			fmt_ids(&t, ids, sizeof(ids));
			p->message = xasprintf(d->autostart
					       ? _("mdev %s (%s): %s not in the host's AP configuration; this kernel (before 6.0) refuses to assign them (EADDRNOTAVAIL), so mdevctl cannot start the definition and it will not start at boot: remove them from the definition (apctl mdev modify --persistent) or configure them to this LPAR")
					       : _("mdev %s (%s): %s not in the host's AP configuration; this kernel (before 6.0) refuses to assign them (EADDRNOTAVAIL), so the definition cannot be started: remove them from the definition (apctl mdev modify --persistent) or configure them to this LPAR"),
					       d->uuid, sides_text(AP_SIDE_DEFINED, d->autostart), ids);
		}
		return;
	}
	memset(&miss, 0, sizeof(miss));
	for (int side = 0; side < 2; side++) {
		const struct ap_matrix *x = side ? &d->def : &d->live;

		if (!(side ? d->defined : d->active))
			continue;
		if (!missing_ids(h, x, &t))
			continue;
		sides |= side ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
		ap_mask_or(&miss.apm, &miss.apm, &t.apm);
		ap_mask_or(&miss.aqm, &miss.aqm, &t.aqm);
		ap_mask_or(&miss.adm, &miss.adm, &t.adm);
	}
	if (!sides)
		return;
	p = add(c, AP_PROB_NOT_IN_CONFIG, AP_SEV_WARNING, d, sides);
	if (!p)
		return;
	p->ids = miss;
	fmt_ids(&miss, ids, sizeof(ids));
	p->message = xasprintf(_("mdev %s (%s): %s not in the host's AP configuration; the guest gets them only once they are configured to this LPAR"),
			       d->uuid, sides_text(sides, p->mdev_autostart), ids);
}

/* --- what a reboot changes without failing (check's boot audit) --- */

/* an active mdev whose autostart definition has another matrix */
static void check_def_differs(struct ctx *c, const struct ap_mdev *d)
{
	char opts[6 * AP_IDLIST_STRLEN];
	size_t len = 0;
	struct ap_problem *p;

	opts[0] = '\0';
	if (!d->active || !d->defined || !d->autostart || ap_matrix_equal(&d->live, &d->def))
		return;
	p = add(c, AP_PROB_DEFINITION_DIFFERS, AP_SEV_WARNING, d, AP_SIDE_ACTIVE | AP_SIDE_DEFINED);
	if (!p)
		return;
	ap_mask_or(&p->ids.apm, &d->live.apm, &d->def.apm);
	ap_mask_or(&p->ids.aqm, &d->live.aqm, &d->def.aqm);
	ap_mask_or(&p->ids.adm, &d->live.adm, &d->def.adm);
	/* the options that turn the definition into the running matrix */
	for (int dim = 0; dim < 3; dim++) {
		static const char *const nm[3] = { "adapters", "domains", "control-domains" };
		const struct ap_mask *lv = dim == 0 ? &d->live.apm : dim == 1 ? &d->live.aqm
									 : &d->live.adm;
		const struct ap_mask *df = dim == 0 ? &d->def.apm : dim == 1 ? &d->def.aqm
									 : &d->def.adm;
		struct ap_mask add, rm;
		char l[AP_IDLIST_STRLEN];

		ap_mask_andnot(&add, lv, df);
		ap_mask_andnot(&rm, df, lv);
		if (!ap_mask_is_empty(&add)) {
			ap_idlist_format(&add, l, sizeof(l));
			len += (size_t)snprintf(opts + len, len < sizeof(opts) ? sizeof(opts) - len : 0,
						" --add-%s %s", nm[dim], l);
		}
		if (!ap_mask_is_empty(&rm)) {
			ap_idlist_format(&rm, l, sizeof(l));
			len += (size_t)snprintf(opts + len, len < sizeof(opts) ? sizeof(opts) - len : 0,
						" --remove-%s %s", nm[dim], l);
		}
	}
	p->message = xasprintf(_("mdev %s runs with another matrix than its autostart definition; after a reboot it comes back with the definition's: to keep the running one, apctl mdev modify %s --persistent%s"),
			       d->uuid, d->uuid, opts);
}

/* live masks that the next boot does not restore */
static void check_boot_masks(struct ctx *c, const struct state *st)
{
	const struct ap_host *h = &st->host;
	struct ap_matrix lost[2];	/* [0]: reserved now, host's at boot; [1]: the reverse */
	char ia[AP_IDLIST_STRLEN], id[AP_IDLIST_STRLEN], ha[3 * AP_IDLIST_STRLEN];
	char hd[2 * AP_IDLIST_STRLEN + 32];

	if (!h->caps.masks)
		return;
	memset(lost, 0, sizeof(lost));
	ap_mask_andnot(&lost[0].apm, &st->papm, &h->apmask);
	ap_mask_andnot(&lost[0].aqm, &st->paqm, &h->aqmask);
	ap_mask_andnot(&lost[1].apm, &h->apmask, &st->papm);
	ap_mask_andnot(&lost[1].aqm, &h->aqmask, &st->paqm);
	for (int k = 0; k < 2; k++) {
		struct ap_problem *p;

		ap_mask_limit(&lost[k].apm, h->max_adapter);
		ap_mask_limit(&lost[k].aqm, h->max_domain);
		if (ap_mask_is_empty(&lost[k].apm) && ap_mask_is_empty(&lost[k].aqm))
			continue;
		p = add(c, AP_PROB_BOOT_MASKS_DIFFER, AP_SEV_WARNING, NULL, 0);
		if (!p)
			return;
		p->other = AP_PARTY_HOST;
		p->other_sides = AP_SIDE_ACTIVE | AP_SIDE_DEFINED;
		p->ids = lost[k];
		fmt_ids(&lost[k], ha, sizeof(ha));
		ap_idlist_format(&lost[k].apm, ia, sizeof(ia));
		ap_idlist_format(&lost[k].aqm, id, sizeof(id));
		snprintf(hd, sizeof(hd), "%s%s%s%s", *ia ? " --adapters " : "", ia,
			 *id ? " --domains " : "", id);
		p->message = xasprintf(k == 0
				       ? _("%s are reserved for vfio_ap now, but the next boot gives them to the host: to keep them reserved, apctl reserve --persistent%s")
				       : _("%s belong to the host now, but the next boot reserves them for vfio_ap: to keep them with the host, apctl release --persistent%s"),
				       ha, hd);
	}
}

static void apqn_cmdlist(const struct apqn_set *s, char *buf, size_t size);

/* [>= 6.19] the overrides the next boot sets (driverctl's saved files) */
static void check_boot_overrides(struct ctx *c, const struct state *st, struct apqn_set *s)
{
	const struct ap_host *h = &st->host;
	struct ap_problem *p;
	char q[160], cl[128];

	if (!h->caps.driver_override)
		return;
	/* live overrides that no saved file sets again */
	set_clear(s);
	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *qu = &h->queues[i];

		if (qu->apid <= AP_MAX_ID && qu->apqi <= AP_MAX_ID && qu->driver_override[0] &&
		    strcmp(qu->driver_override, qu->saved_override))
			ap_mask_set(&s->row[qu->apid], qu->apqi);
	}
	if (!set_empty(s)) {
		p = add_host_apqns(c, AP_PROB_BOOT_OVERRIDES_DIFFER, AP_SEV_WARNING, NULL, 0,
				   AP_SIDE_ACTIVE | AP_SIDE_DEFINED, s, q, sizeof(q));
		if (!p)
			return;
		apqn_cmdlist(s, cl, sizeof(cl));
		p->message = xasprintf(_("the driver_override of %s is set now, but no saved override in /etc/driverctl.d sets it again: the next boot loses it; to keep it, apctl reserve --mode override --persistent %s (or driverctl set-override without --nosave)"),
				       q, cl);
	}
	/* saved overrides */
	set_clear(s);
	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *qu = &h->queues[i];

		if (qu->apid <= AP_MAX_ID && qu->apqi <= AP_MAX_ID && qu->saved_override[0])
			ap_mask_set(&s->row[qu->apid], qu->apqi);
	}
	if (set_empty(s))
		return;
	if (!h->driverctl_boot) {
		p = add_host_apqns(c, AP_PROB_BOOT_OVERRIDES_DIFFER, AP_SEV_WARNING, NULL, 0,
				   AP_SIDE_DEFINED, s, q, sizeof(q));
		if (!p)
			return;
		p->message = xasprintf(_("overrides of %s are saved in /etc/driverctl.d, but driverctl's udev rule (05-driverctl.rules) and driverctl@.service are not installed: they will not come back at boot; install driverctl"),
				       q);
	}
	if ((h->persist_src == AP_PERSIST_UDEV_ETC || h->persist_src == AP_PERSIST_UDEV_RUN ||
	     h->persist_src == AP_PERSIST_UDEV_LIB) &&
	    !(ap_mask_is_full(&st->papm) && ap_mask_is_full(&st->paqm))) {
		p = add_host_apqns(c, AP_PROB_BOOT_OVERRIDES_DIFFER, AP_SEV_WARNING, NULL, 0,
				   AP_SIDE_DEFINED, s, q, sizeof(q));
		if (!p)
			return;
		p->message = xasprintf(_("overrides of %s are saved in /etc/driverctl.d, and the udev rule %s changes the masks at boot: the kernel refuses whichever of the two comes second, so one of them will fail at boot; keep one way (apctl release --persistent for the masks, or apctl release --mode override --persistent for the overrides)"),
				       q, h->persist_files);
	}
}

/* [>= 6.19] one of the host's APQNs in s is the host's by its driver_override */
static bool override_host(const struct state *st, const struct apqn_set *s)
{
	const struct ap_host *h = &st->host;

	if (!h->caps.driver_override)
		return false;
	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *q = &h->queues[i];

		if (q->driver_override[0] && q->apid <= AP_MAX_ID && q->apqi <= AP_MAX_ID &&
		    ap_mask_test(&s->row[q->apid], q->apqi))
			return true;
	}
	return false;
}

/* APQNs of an mdev that the masks (or a driver_override) give to the host */
static void check_host(struct ctx *c, const struct state *st, const struct ap_mdev *d,
		       struct apqn_set *tmp)
{
	struct ap_problem *p;
	char q[160];

	if (d->active) {
		host_in_product(st, NULL, NULL, true, &d->live, tmp);
		if (!set_empty(tmp)) {
			p = add_host_apqns(c, AP_PROB_HOST_OWNED, AP_SEV_ERROR, d, AP_SIDE_ACTIVE,
					   AP_SIDE_ACTIVE, tmp, q, sizeof(q));
			if (!p)
				return;
			if (override_host(st, tmp))
				p->message = xasprintf(_("mdev %s (active) holds APQNs %s that are the host's: a driver_override is set on them and they are bound to cex4queue; set their override to vfio_ap, unbind them and write them to /sys/bus/ap/drivers_probe, or remove them from the mdev (apctl mdev modify)"),
						       d->uuid, q);
			else
				p->message = xasprintf(_("mdev %s (active) holds APQNs %s that the live masks give to the host; reserve them for vfio_ap (apctl reserve) or remove them from the mdev (apctl mdev modify)"),
						       d->uuid, q);
		}
	}
	if (d->defined) {
		bool autostart = d->autostart;
		/* the command that writes this autostart definition: a warning,
		 * the definition is what was asked for, the next boot is not yet */
		bool writing = autostart && proposed(c, d) && c->req->persistent;
		char cmd[AP_IDLIST_STRLEN];

		host_in_product(st, &st->papm, &st->paqm, !autostart, &d->def, tmp);
		if (!set_empty(tmp)) {
			p = add_host_apqns(c, AP_PROB_HOST_OWNED,
					   autostart && !writing ? AP_SEV_ERROR : AP_SEV_WARNING, d,
					   AP_SIDE_DEFINED,
					   autostart ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE, tmp, q,
					   sizeof(q));
			if (!p)
				return;
			/* reserving the adapters at boot is enough: a queue is the
			 * host's only when both its bits are set */
			ap_idlist_format(&p->ids.apm, cmd, sizeof(cmd));
			if (autostart && ap_host_give_mode(&st->host) == AP_GIVE_OVERRIDES) {
				/* [>= 6.19] a host that gives queues by driver_override
				 * refuses mask edits: the queues' saved overrides are
				 * the way to have them at boot */
				apqn_cmdlist(tmp, cmd, sizeof(cmd));
				if (!st->host.driverctl_boot)
					p->message = xasprintf(_("mdev %s (defined, autostart) holds APQNs %s that the next boot gives to the host: driverctl's udev rule (05-driverctl.rules) and driverctl@.service are not installed, so no driver_override comes back at boot and it will not start; install driverctl and save their overrides (apctl reserve --mode override --persistent %s), or remove them from the definition"),
							       d->uuid, q, cmd);
				else
					p->message = xasprintf(_("mdev %s (defined, autostart) holds APQNs %s that the next boot gives to the host (no saved driver_override gives them to vfio_ap), so it will not start at boot; save their overrides (apctl reserve --mode override --persistent %s) or remove them from the definition"),
							       d->uuid, q, cmd);
			} else if (writing)
				p->message = xasprintf(_("mdev %s (defined, autostart): the masks of the next boot give APQNs %s to the host, so mdevctl will not start it at boot; make the reservation persistent: apctl reserve --persistent %s"),
						       d->uuid, q, cmd);
			else if (autostart)
				p->message = xasprintf(_("mdev %s (defined, autostart) holds APQNs %s that the persistent masks give to the host at boot, so it will not start; reserve them persistently (apctl reserve --persistent %s) or remove them from the definition"),
						       d->uuid, q, cmd);
			else
				p->message = xasprintf(_("mdev %s (defined, manual start) holds APQNs %s that the live masks give to the host; starting it will fail until they are reserved (apctl reserve)"),
						       d->uuid, q);
		}
	}
}

/* sharing between two mdevs: one error and one warning problem at most */
static void check_pair(struct ctx *c, const struct ap_mdev *x, const struct ap_mdev *y,
		       struct apqn_set *err, struct apqn_set *warn)
{
	unsigned int xs[2] = { 0, 0 }, ys[2] = { 0, 0 };	/* sides per severity */
	bool any = false;

	/* the cheap test first: most pairs share nothing */
	for (int sx = 0; sx < 2 && !any; sx++) {
		const struct ap_matrix *mx = sx ? &x->def : &x->live;

		if (!(sx ? x->defined : x->active))
			continue;
		for (int sy = 0; sy < 2 && !any; sy++) {
			const struct ap_matrix *my = sy ? &y->def : &y->live;

			if ((sy ? y->defined : y->active) && ap_mask_intersects(&mx->apm, &my->apm) &&
			    ap_mask_intersects(&mx->aqm, &my->aqm))
				any = true;
		}
	}
	if (!any)
		return;
	set_clear(err);
	set_clear(warn);
	for (int sx = 0; sx < 2; sx++) {
		const struct ap_matrix *mx = sx ? &x->def : &x->live;

		if (!(sx ? x->defined : x->active))
			continue;
		for (int sy = 0; sy < 2; sy++) {
			const struct ap_matrix *my = sy ? &y->def : &y->live;
			struct apqn_set *target;
			bool error;
			struct ap_mask a, d;

			if (!(sy ? y->defined : y->active))
				continue;
			ap_mask_and(&a, &mx->apm, &my->apm);
			ap_mask_and(&d, &mx->aqm, &my->aqm);
			if (ap_mask_is_empty(&a) || ap_mask_is_empty(&d))
				continue;
			if (!sx && !sy)
				error = true;				/* active-active */
			else if (sx && sy)
				error = x->autostart && y->autostart;	/* defined-defined */
			else
				error = sx ? x->autostart : y->autostart; /* active-defined */
			target = error ? err : warn;
			set_add_product(target, &a, &d);
			xs[error] |= sx ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
			ys[error] |= sy ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
		}
	}
	/* a warning APQN that is also an error is reported once, as the error */
	for (int a = 0; a < 256; a++)
		ap_mask_andnot(&warn->row[a], &warn->row[a], &err->row[a]);

	for (int e = 1; e >= 0; e--) {
		struct apqn_set *s = e ? err : warn;
		struct ap_problem *p;
		char q[160];

		if (set_empty(s))
			continue;
		p = add(c, AP_PROB_APQN_SHARED, e ? AP_SEV_ERROR : AP_SEV_WARNING, x, xs[e]);
		if (!p)
			return;
		set_other_mdev(p, y, ys[e]);
		set_apqns(c, p, s);
		fmt_apqns(p, q, sizeof(q));
		if (e && (proposed(c, x) || proposed(c, y))) {
			/* the request adds them to one of the two: name it and the holder */
			bool yp = proposed(c, y);

			p->message = xasprintf(P_("cannot assign APQN %s to mdev %s: it is already assigned to mdev %s (%s); an APQN may belong to one guest only",
						  "cannot assign APQNs %s to mdev %s: they are already assigned to mdev %s (%s); an APQN may belong to one guest only",
						  p->n_apqns),
					       q, yp ? y->uuid : x->uuid, yp ? x->uuid : y->uuid,
					       yp ? sides_text(p->mdev_sides, p->mdev_autostart)
						  : sides_text(p->other_sides, p->other_autostart));
			continue;
		}
		if (e && x->autostart && y->autostart && (xs[e] & AP_SIDE_DEFINED) &&
		    (ys[e] & AP_SIDE_DEFINED))
			/* mdevctl 1.2 starts the autostart definitions of a
			 * parent in the order the directory lists them */
			p->message = xasprintf(_("APQNs %s are assigned to both mdev %s (%s) and mdev %s (%s); only one of them can start at boot, and mdevctl starts autostart definitions in the order it finds them in /etc/mdevctl.d/matrix (unsorted), so which one is not predictable: remove them from one of the two (apctl mdev modify --persistent)"),
					       q, x->uuid, sides_text(p->mdev_sides, p->mdev_autostart),
					       y->uuid, sides_text(p->other_sides, p->other_autostart));
		else
			p->message = xasprintf(_("APQNs %s are assigned to both mdev %s (%s) and mdev %s (%s); an APQN may belong to one guest only: remove them from one of the two (apctl mdev modify)"),
					       q, x->uuid, sides_text(p->mdev_sides, p->mdev_autostart),
					       y->uuid, sides_text(p->other_sides, p->other_autostart));
	}
}

/* the queues with a driver_override (only the pending ones if 'pending') */
static void override_apqns(const struct ap_host *h, bool pending, struct apqn_set *s)
{
	set_clear(s);
	if (!h->caps.driver_override)
		return;
	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *q = &h->queues[i];

		if (q->apid > AP_MAX_ID || q->apqi > AP_MAX_ID || !q->driver_override[0])
			continue;
		if (!pending || ap_queue_override_pending(q))
			ap_mask_set(&s->row[q->apid], q->apqi);
	}
}

/* [>= 6.19] an override only acts at the queue's next probe (kernel-abi.md 2.3) */
static void check_override_pending(struct ctx *c, const struct state *st, struct apqn_set *s)
{
	struct ap_problem *p;
	char q[160];

	override_apqns(&st->host, true, s);
	if (set_empty(s))
		return;
	p = add(c, AP_PROB_OVERRIDE_PENDING, AP_SEV_WARNING, NULL, 0);
	if (!p)
		return;
	p->other = AP_PARTY_HOST;
	p->other_sides = AP_SIDE_ACTIVE;
	set_apqns(c, p, s);
	fmt_apqns(p, q, sizeof(q));
	p->message = xasprintf(P_("APQN %s has a driver_override that is not in effect: the queue is not bound to that driver, and an override acts only when the queue is probed again; unbind the queue and write its APQN to /sys/bus/ap/drivers_probe, or clear the override",
				  "APQNs %s have a driver_override that is not in effect: the queues are not bound to that driver, and an override acts only when a queue is probed again; unbind the queues and write their APQNs to /sys/bus/ap/drivers_probe, or clear the overrides",
				  p->n_apqns),
			       q);
}

static void check_remove_pending(struct ctx *c, const struct ap_mdev *d)
{
	struct ap_problem *p;

	if (!d->active || !d->remove_pending)
		return;
	p = add(c, AP_PROB_REMOVE_PENDING, AP_SEV_WARNING, d, AP_SIDE_ACTIVE);
	if (p)
		p->message = xasprintf(_("mdev %s: removal pending: the guest still holds the device; the kernel completes the removal when the guest releases it"),
				       d->uuid);
}

static void audit(struct ctx *c, const struct state *st)
{
	struct apqn_set *a = malloc(2 * sizeof(*a));

	if (!a) {
		c->oom = 1;
		return;
	}
	check_override_pending(c, st, &a[0]);
	for (size_t i = 0; i < st->n; i++) {
		const struct ap_mdev *d = &st->mdevs[i];

		if (!d->active && !d->defined)
			continue;
		check_ids(c, st, d);
		/* ids missing from the LPAR first: the root cause of what follows */
		check_config(c, st, d);
		check_host(c, st, d, &a[0]);
		for (size_t j = i + 1; j < st->n; j++)
			if (st->mdevs[j].active || st->mdevs[j].defined)
				check_pair(c, d, &st->mdevs[j], &a[0], &a[1]);
		check_cdoms(c, d);
		if (c->req->boot_audit)
			check_def_differs(c, d);
		check_remove_pending(c, d);
	}
	if (c->req->boot_audit) {
		check_boot_masks(c, st);
		check_boot_overrides(c, st, &a[0]);
	}
	free(a);
}

/* ---- request-specific checks -------------------------------------------- */

static void check_empty_masks(struct ctx *c, const struct state *after)
{
	const struct ap_request *r = c->req;
	static const char *const which[] = { "apmask", "aqmask" };

	for (int side = 0; side < 2; side++) {
		if (!(side ? r->persistent : r->active))
			continue;
		for (int k = 0; k < 2; k++) {
			const struct ap_mask_edit *e = k ? &r->aqmask : &r->apmask;
			const struct ap_mask *res = side ? (k ? &after->paqm : &after->papm)
							 : (k ? &after->host.aqmask
							      : &after->host.apmask);
			struct ap_problem *p;

			if (!e->change || !ap_mask_is_empty(res))
				continue;
			p = add(c, AP_PROB_EMPTY_MASK, r->force ? AP_SEV_WARNING : AP_SEV_ERROR,
				NULL, 0);
			if (!p)
				return;
			p->other = AP_PARTY_HOST;
			p->other_sides = side ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
			if (side)
				p->message = xasprintf(_("the persistent %s would be all zero: at boot every queue of this machine would go to vfio_ap%s"),
						       which[k],
						       r->force ? "" : _(" (use --force if that is really wanted)"));
			else
				p->message = xasprintf(_("the new %s would be all zero: every queue of this machine would go to vfio_ap%s"),
						       which[k],
						       r->force ? "" : _(" (use --force if that is really wanted)"));
		}
	}
}

/*
 * A mask edit that gives the host APQNs an mdev holds.  Live masks: every
 * mdev claim (active or defined); with the >= 6.19 rule also a newly set
 * bit whose adapter (domain) an active mdev holds with any domain (adapter).
 * Persistent masks: the definitions.
 */
static void check_mask_take(struct ctx *c, const struct state *before,
			    const struct state *after, struct apqn_set *s, struct apqn_set *rule)
{
	const struct ap_request *r = c->req;
	const struct ap_host *h = &before->host;
	struct ap_mask new_ap, new_aq;

	ap_mask_andnot(&new_ap, &after->host.apmask, &before->host.apmask);
	ap_mask_andnot(&new_aq, &after->host.aqmask, &before->host.aqmask);

	for (size_t i = 0; i < after->n; i++) {
		const struct ap_mdev *d = &after->mdevs[i];

		for (int side = 0; side < 2; side++) {
			bool persistent = side == 1;
			unsigned int sides = 0, rule_sides = 0;
			struct ap_problem *p;
			char q[160];

			if (!(persistent ? r->persistent : r->active))
				continue;
			set_clear(s);
			set_clear(rule);
			for (int ms = 0; ms < 2; ms++) {
				const struct ap_matrix *x = ms ? &d->def : &d->live;
				int a, dq;

				if (!(ms ? d->defined : d->active))
					continue;
				/* the persistent masks matter for definitions only */
				if (persistent && !ms)
					continue;
				ap_mask_for_each(a, &x->apm) {
					ap_mask_for_each(dq, &x->aqm) {
						unsigned int ua = (unsigned int)a, ud = (unsigned int)dq;
						bool was, now;

						if (persistent) {
							was = ap_mask_test(&before->papm, ua) &&
							      ap_mask_test(&before->paqm, ud);
							now = ap_mask_test(&after->papm, ua) &&
							      ap_mask_test(&after->paqm, ud);
						} else {
							was = ap_owner_host_owns(&before->host, ua, ud);
							now = ap_owner_host_owns(&after->host, ua, ud);
							/*
							 * >= 6.19: the kernel checks the all-ones
							 * candidate set of a newly set bit, so an
							 * APQN that stays with vfio_ap blocks it too
							 */
							if (!(now && !was) && !ms &&
							    h->caps.driver_override &&
							    (ap_mask_test(&new_ap, ua) ||
							     ap_mask_test(&new_aq, ud))) {
								ap_mask_set(&rule->row[a], ud);
								rule_sides |= AP_SIDE_ACTIVE;
								continue;
							}
						}
						if (now && !was) {
							ap_mask_set(&s->row[a], ud);
							sides |= ms ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE;
						}
					}
				}
			}
			if (!set_empty(rule)) {
				p = add_host_apqns(c, AP_PROB_MASK_TAKES_ASSIGNED, AP_SEV_ERROR, d,
						   rule_sides, AP_SIDE_ACTIVE, rule, q, sizeof(q));
				if (!p)
					return;
				p->message = xasprintf(P_("APQN %s, of an adapter or domain this change gives back to the host, is assigned to mdev %s (%s); it would stay with vfio_ap, but this kernel (6.19 and later) refuses the mask change (EBUSY) while an mdev holds any APQN of a released adapter or domain: remove it from the mdev first (apctl mdev modify)",
							  "APQNs %s, of adapters or domains this change gives back to the host, are assigned to mdev %s (%s); they would stay with vfio_ap, but this kernel (6.19 and later) refuses the mask change (EBUSY) while an mdev holds any APQN of a released adapter or domain: remove them from the mdev first (apctl mdev modify)",
							  p->n_apqns),
						       q, d->uuid, sides_text(rule_sides, p->mdev_autostart));
			}
			if (set_empty(s))
				continue;
			p = add_host_apqns(c, AP_PROB_MASK_TAKES_ASSIGNED, AP_SEV_ERROR, d, sides,
					   persistent ? AP_SIDE_DEFINED : AP_SIDE_ACTIVE, s, q,
					   sizeof(q));
			if (!p)
				return;
			p->message = xasprintf(persistent
					       ? _("the new persistent masks would give APQNs %s to the host at boot, but mdev %s (%s) holds them: remove them from the mdev first (apctl mdev modify)")
					       : _("the new masks would give APQNs %s to the host, but mdev %s (%s) holds them: remove them from the mdev first (apctl mdev modify)"),
					       q, d->uuid, sides_text(sides, p->mdev_autostart));
		}
	}
}

/*
 * Is the queue bound to vfio_ap once the request's mask edit is done?  The
 * kernel rebinds before the mask write returns: a queue the masks of h no
 * longer give to the host goes from its default driver to vfio_ap.
 */
static bool bound_to_vfio(const struct ap_host *h, unsigned int a, unsigned int d)
{
	const struct ap_queue *qu = ap_host_find_queue(h, a, d);

	if (!qu)
		return false;
	if (qu->driver == AP_DRV_VFIO_AP)
		return true;
	return qu->driver == AP_DRV_CEX4QUEUE && !ap_host_owns(h, a, d);
}

/*
 * [>= 6.19] The kernel refuses every apmask/aqmask write (EINVAL) while any
 * queue has a driver_override (kernel-abi.md 1.3, 1.5): say so before the
 * first write instead of trying it.
 */
static void apqn_cmdlist(const struct apqn_set *s, char *buf, size_t size);

static void check_masks_blocked(struct ctx *c, const struct state *before,
				const struct state *after, struct apqn_set *s)
{
	struct ap_problem *p;
	char q[160], cl[128];

	if (!c->req->active ||
	    (ap_mask_equal(&before->host.apmask, &after->host.apmask) &&
	     ap_mask_equal(&before->host.aqmask, &after->host.aqmask)))
		return;
	override_apqns(&before->host, false, s);
	if (set_empty(s))
		return;
	p = add(c, AP_PROB_MASKS_BLOCKED, AP_SEV_ERROR, NULL, 0);
	if (!p)
		return;
	p->other = AP_PARTY_HOST;
	p->other_sides = AP_SIDE_ACTIVE;
	set_apqns(c, p, s);
	fmt_apqns(p, q, sizeof(q));
	apqn_cmdlist(s, cl, sizeof(cl));
	p->message = xasprintf(P_("this kernel (6.19 and later) refuses every apmask/aqmask change while a queue has a driver_override, and APQN %s has one: release it first ('apctl release --mode override %s', or driverctl -b ap unset-override), or leave the masks alone and give queues to vfio_ap by driver_override (apctl reserve --mode override)",
				  "this kernel (6.19 and later) refuses every apmask/aqmask change while a queue has a driver_override, and APQNs %s have one: release them first ('apctl release --mode override %s', or driverctl -b ap unset-override), or leave the masks alone and give queues to vfio_ap by driver_override (apctl reserve --mode override)",
				  p->n_apqns),
			       q, cl);
}

/* "05.0004,06.00ab" (at most 8, then ",...") for a command line */
static void apqn_cmdlist(const struct apqn_set *s, char *buf, size_t size)
{
	size_t len = 0, k = 0;
	int a, d;

	buf[0] = '\0';
	for (a = 0; a < 256; a++) {
		ap_mask_for_each(d, &s->row[a]) {
			if (k++ == 8) {
				snprintf(buf + len, size - len, ",...");
				return;
			}
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%02x.%04x",
						len ? "," : "", a, d);
			if (len >= size)
				return;
		}
	}
}

/*
 * [>= 6.19] A driver_override change (kernel-abi.md 1.5, 2.3): refused
 * before the first write where the kernel would refuse it.
 */
static void check_override_request(struct ctx *c, const struct state *before,
				   struct apqn_set *s)
{
	const struct ap_request *r = c->req;
	const struct ap_host *h = &before->host;
	struct ap_problem *p;
	char q[160], cl[3 * AP_IDLIST_STRLEN];
	int a, d;

	if (!h->caps.driver_override) {
		p = add(c, AP_PROB_OVERRIDE_REFUSED, AP_SEV_ERROR, NULL, 0);
		if (p)
			p->message = xasprintf("%s", _("this kernel has no driver_override file (it came with Linux 6.19): queues can be given to vfio_ap only through apmask/aqmask; leave out --mode override"));
		return;
	}
	/* queues that do not exist */
	set_clear(s);
	for (a = 0; a < 256; a++)
		ap_mask_for_each(d, &r->ovr[a])
			if (!ap_host_find_queue(h, (unsigned int)a, (unsigned int)d))
				ap_mask_set(&s->row[a], (unsigned int)d);
	if (!set_empty(s)) {
		p = add_host_apqns(c, AP_PROB_OVERRIDE_REFUSED, AP_SEV_ERROR, NULL, 0, 0, s, q,
				   sizeof(q));
		if (p)
			p->message = xasprintf(_("there is no queue %s on this host: a driver_override belongs to a queue device (see apctl show queues)"),
					       q);
	}
	/* queues bound to a driver apctl cannot bind back */
	set_clear(s);
	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *qu = &h->queues[i];

		if (qu->apid <= AP_MAX_ID && qu->apqi <= AP_MAX_ID &&
		    ap_mask_test(&r->ovr[qu->apid], qu->apqi) && qu->driver == AP_DRV_OTHER)
			ap_mask_set(&s->row[qu->apid], qu->apqi);
	}
	if (!set_empty(s)) {
		p = add_host_apqns(c, AP_PROB_OVERRIDE_REFUSED, AP_SEV_ERROR, NULL, 0, 0, s, q,
				   sizeof(q));
		if (p)
			p->message = xasprintf(_("queue %s is bound to a driver other than cex4queue and vfio_ap; apctl does not move it: unbind it first"),
					       q);
	}
	/* the kernel's flag: masks changed through sysfs (not those set on
	 * the kernel command line, which leave overrides possible) */
	if (r->active && !h->persist_cmdline && h->caps.masks &&
	    !(ap_mask_is_full(&h->apmask) && ap_mask_is_full(&h->aqmask))) {
		struct ap_mask ra, rd;
		char ia[AP_IDLIST_STRLEN], id[AP_IDLIST_STRLEN];

		ap_mask_not(&ra, &h->apmask);
		ap_mask_limit(&ra, h->max_adapter);
		ap_mask_not(&rd, &h->aqmask);
		ap_mask_limit(&rd, h->max_domain);
		ap_idlist_format(&ra, ia, sizeof(ia));
		ap_idlist_format(&rd, id, sizeof(id));
		snprintf(cl, sizeof(cl), "apctl release%s%s%s%s", *ia ? " --adapters " : "", ia,
			 *id ? " --domains " : "", id);
		p = add(c, AP_PROB_OVERRIDE_REFUSED, AP_SEV_ERROR, NULL, 0);
		if (p) {
			p->other = AP_PARTY_HOST;
			p->other_sides = AP_SIDE_ACTIVE;
			p->message = xasprintf(_("this kernel refuses every driver_override write while apmask/aqmask were changed through sysfs, and they are now: give the masks back to all ones first ('%s'), then use --mode override; or keep giving queues to vfio_ap by the masks (--mode masks)"),
					       cl);
		}
	}
	/* a release gives the APQN back to the host: not while an mdev holds it */
	if (!r->ovr_release)
		return;
	for (size_t i = 0; i < before->n; i++) {
		const struct ap_mdev *md = &before->mdevs[i];
		unsigned int sides = 0;

		set_clear(s);
		for (a = 0; a < 256; a++) {
			if (ap_mask_is_empty(&r->ovr[a]))
				continue;
			if (md->active && ap_mask_test(&md->live.apm, (unsigned int)a)) {
				struct ap_mask x;

				ap_mask_and(&x, &r->ovr[a], &md->live.aqm);
				if (!ap_mask_is_empty(&x))
					sides |= AP_SIDE_ACTIVE;
				ap_mask_or(&s->row[a], &s->row[a], &x);
			}
			if (md->defined && ap_mask_test(&md->def.apm, (unsigned int)a)) {
				struct ap_mask x;

				ap_mask_and(&x, &r->ovr[a], &md->def.aqm);
				if (!ap_mask_is_empty(&x))
					sides |= AP_SIDE_DEFINED;
				ap_mask_or(&s->row[a], &s->row[a], &x);
			}
		}
		if (set_empty(s))
			continue;
		p = add_host_apqns(c, AP_PROB_OVERRIDE_TAKES_ASSIGNED, AP_SEV_ERROR, md, sides,
				   AP_SIDE_ACTIVE, s, q, sizeof(q));
		if (!p)
			return;
		apqn_cmdlist(s, cl, sizeof(cl));
		p->message = xasprintf(_("releasing %s would give it back to the host, but mdev %s (%s) holds it: remove it from the mdev first (apctl mdev modify %s), then release it"),
				       q, md->uuid, sides_text(sides, p->mdev_autostart), md->uuid);
	}
}

/* old: the request's mdev before it (NULL: none), now: after it; h: the host
 * as the transaction's earlier requests leave it */
static void check_mdev_request(struct ctx *c, const struct ap_host *h, const struct ap_mdev *old,
			       const struct ap_mdev *now)
{
	const struct ap_request *r = c->req;
	struct ap_problem *p;
	char q[160];

	if (!r->active)
		return;

	/* a guest is running: hot unplug (6.0+) or EBUSY (before 6.0) */
	if (old && old->active && old->in_use &&
	    (r->kind == AP_REQ_MDEV_REMOVE ||
	     (r->kind == AP_REQ_MDEV_MODIFY &&
	      (!h->caps.guest_matrix || !ap_matrix_equal(&old->live, &r->matrix))))) {
		struct apqn_set *s = calloc(1, sizeof(*s));

		if (!s) {
			c->oom = 1;
			return;
		}
		if (r->kind == AP_REQ_MDEV_MODIFY) {
			/* the guest loses what leaves the live matrix */
			const struct ap_matrix *g = old->guest_known ? &old->guest : &old->live;
			int a, d;

			ap_mask_for_each(a, &g->apm)
				ap_mask_for_each(d, &g->aqm)
					if (!ap_mask_test(&r->matrix.apm, (unsigned int)a) ||
					    !ap_mask_test(&r->matrix.aqm, (unsigned int)d))
						ap_mask_set(&s->row[a], (unsigned int)d);
		}
		if (!h->caps.guest_matrix) {
			p = add(c, AP_PROB_IN_USE, AP_SEV_ERROR, old, AP_SIDE_ACTIVE);
			if (p) {
				set_apqns(c, p, s);
				p->message = xasprintf(r->kind == AP_REQ_MDEV_REMOVE
						       ? _("mdev %s is in use by a guest; stop the guest before removing it")
						       : _("mdev %s is in use by a guest, and this kernel (before 6.0) refuses changes while a guest is attached; stop the guest first"),
						       old->uuid);
			}
		} else if (r->kind == AP_REQ_MDEV_REMOVE) {
			p = add(c, AP_PROB_IN_USE, AP_SEV_WARNING, old, AP_SIDE_ACTIVE);
			if (p)
				p->message = xasprintf(_("mdev %s is in use by a guest: removing it waits until the guest releases the device"),
						       old->uuid);
		} else if (!set_empty(s)) {
			p = add(c, AP_PROB_IN_USE, AP_SEV_WARNING, old, AP_SIDE_ACTIVE);
			if (p) {
				set_apqns(c, p, s);
				fmt_apqns(p, q, sizeof(q));
				p->message = xasprintf(_("mdev %s is in use by a guest: APQNs %s will be unplugged from the running guest"),
						       old->uuid, q);
			}
		}
		free(s);
	}

	/*
	 * Before 6.0 only queues bound to vfio_ap can be assigned.  Known from
	 * an mdev without guest_matrix; with no mdev and no features file the
	 * kernel cannot be told from a 6.x one (5.18 to 6.3 look alike): then
	 * a warning, since the kernel's refusal would be undone anyway.
	 */
	if (now && now->active && h->caps.vfio_ap && !h->caps.guest_matrix &&
	    (r->kind == AP_REQ_MDEV_CREATE || r->kind == AP_REQ_MDEV_MODIFY)) {
		struct apqn_set *s = calloc(1, sizeof(*s));
		int a, d;

		if (!s) {
			c->oom = 1;
			return;
		}
		ap_mask_for_each(a, &now->live.apm) {
			ap_mask_for_each(d, &now->live.aqm) {
				if (!bound_to_vfio(h, (unsigned int)a, (unsigned int)d))
					ap_mask_set(&s->row[a], (unsigned int)d);
			}
		}
		if (!set_empty(s)) {
			bool known = h->caps.no_guest_matrix;

			p = add(c, AP_PROB_QUEUE_NOT_BOUND, known ? AP_SEV_ERROR : AP_SEV_WARNING,
				now, AP_SIDE_ACTIVE);
			if (p) {
				set_apqns(c, p, s);
				fmt_apqns(p, q, sizeof(q));
				p->message = known
					? xasprintf(_("mdev %s: APQNs %s are not queues bound to vfio_ap, and this kernel (before 6.0) assigns only those; reserve them first (apctl reserve)"),
						    now->uuid, q)
					: xasprintf(_("mdev %s: APQNs %s are not queues bound to vfio_ap; a kernel before 6.0 assigns only those (with no mdev and no features file apctl cannot tell this kernel's version): if it refuses, the change is undone"),
						    now->uuid, q);
			}
		}
		free(s);
	}
}

/* ---- preexisting problems ------------------------------------------------ */

static bool same_problem(const struct ap_problem *a, const struct ap_problem *b)
{
	return a->kind == b->kind && a->severity == b->severity &&
	       !strcmp(a->mdev, b->mdev) && a->mdev_sides == b->mdev_sides &&
	       a->other == b->other && !strcmp(a->other_mdev, b->other_mdev) &&
	       a->other_sides == b->other_sides &&
	       ap_matrix_equal(&a->ids, &b->ids) && a->n_apqns == b->n_apqns &&
	       (!a->n_apqns || !memcmp(a->apqns, b->apqns, a->n_apqns * sizeof(*a->apqns)));
}

static void remove_at(struct ap_problems *o, size_t i)
{
	free(o->v[i].apqns);
	free(o->v[i].message);
	memmove(&o->v[i], &o->v[i + 1], (o->n - i - 1) * sizeof(*o->v));
	o->n--;
}

void ap_problems_free(struct ap_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].apqns);
		free(p->v[i].message);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* ---- the ownership index ---------------------------------------------------- */

/*
 * Which mdevs hold an adapter (by[0]) or a domain (by[1]), live or defined:
 * built once per transaction from the model, then only appended to (a
 * request adds the mdev it changes to the lists of ids it did not hold).
 * Stale entries do no harm: the pair check looks at the real matrices.
 * A request's candidates are the holders of the ids it touches, from the
 * dimension with the shorter lists: the cost of one change grows with the
 * APQNs it touches and their holders, not with the number of mdevs.
 */
struct idlist_u32 {
	uint32_t *v;
	size_t n, cap;
};

struct owner_index {
	struct idlist_u32 by[2][256];
	uint32_t *seen;		/* per mdev slot: the generation that saw it last */
	uint32_t gen;
	const struct ap_mdev **scope;	/* scratch: the mdevs one audit looks at */
	size_t n_scope;
};

static int ix_push(struct idlist_u32 *l, uint32_t v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4;
		uint32_t *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = v;
	return 0;
}

/* the adapters (dim 0) or domains (dim 1) an mdev claims on either side */
static void md_ids(const struct ap_mdev *d, int dim, struct ap_mask *out)
{
	ap_mask_zero(out);
	if (d->active)
		ap_mask_or(out, out, dim ? &d->live.aqm : &d->live.apm);
	if (d->defined)
		ap_mask_or(out, out, dim ? &d->def.aqm : &d->def.apm);
}

/* add slot i to the lists of the ids in add[] */
static int ix_add(struct owner_index *ix, uint32_t i, const struct ap_mask add[2])
{
	int id;

	for (int dim = 0; dim < 2; dim++)
		ap_mask_for_each(id, &add[dim])
			if (ix_push(&ix->by[dim][id], i))
				return -1;
	return 0;
}

static int ix_build(struct owner_index *ix, const struct state *st, size_t cap)
{
	memset(ix, 0, sizeof(*ix));
	ix->seen = calloc(cap + 1, sizeof(*ix->seen));
	ix->scope = malloc((cap + 1) * sizeof(*ix->scope));
	if (!ix->seen || !ix->scope)
		return -1;
	for (size_t i = 0; i < st->n; i++) {
		struct ap_mask ids[2];

		md_ids(&st->mdevs[i], 0, &ids[0]);
		md_ids(&st->mdevs[i], 1, &ids[1]);
		if (ix_add(ix, (uint32_t)i, ids))
			return -1;
	}
	return 0;
}

static void ix_free(struct owner_index *ix)
{
	for (int dim = 0; dim < 2; dim++)
		for (int i = 0; i < 256; i++)
			free(ix->by[dim][i].v);
	free(ix->seen);
	free(ix->scope);
}

static void ix_take(struct owner_index *ix, const struct state *st, uint32_t i)
{
	if (ix->seen[i] == ix->gen)
		return;
	ix->seen[i] = ix->gen;
	if (st->mdevs[i].active || st->mdevs[i].defined)
		ix->scope[ix->n_scope++] = &st->mdevs[i];
}

/* the scope: slot 'self' (SIZE_MAX: none) and the holders of ids[0] x ids[1]
 * ('any': of ids[0] or ids[1], for mask edits) */
static void ix_collect(struct owner_index *ix, const struct state *st, size_t self,
		       const struct ap_mask ids[2], bool any)
{
	size_t cost[2] = { 0, 0 };
	int id;

	ix->gen++;
	ix->n_scope = 0;
	if (self != SIZE_MAX)
		ix_take(ix, st, (uint32_t)self);
	for (int dim = 0; dim < 2; dim++)
		ap_mask_for_each(id, &ids[dim])
			cost[dim] += ix->by[dim][id].n;
	for (int dim = 0; dim < 2; dim++) {
		/* a product: the holders of the cheaper side are enough */
		if (!any && dim != (cost[0] <= cost[1] ? 0 : 1))
			continue;
		ap_mask_for_each(id, &ids[dim]) {
			const struct idlist_u32 *l = &ix->by[dim][id];

			for (size_t k = 0; k < l->n; k++)
				if (l->v[k] < st->n)
					ix_take(ix, st, l->v[k]);
		}
	}
}

static void mask_xor(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b)
{
	struct ap_mask x, y;

	ap_mask_andnot(&x, a, b);
	ap_mask_andnot(&y, b, a);
	ap_mask_or(r, &x, &y);
}

static int cmp_uuid(const void *a, const void *b)
{
	const struct ap_mdev *const *x = a, *const *y = b;

	return strcmp((*x)->uuid, (*y)->uuid);
}

/*
 * The audit of the parties a request touches, in the order the whole audit
 * would report them: 'target' (an mdev request's mdev: every check, and its
 * pairs with the scope), or with no target every scope mdev's host check
 * (a mask or driver_override edit changes nothing else about them).
 */
static void audit_scope(struct ctx *c, const struct state *st, const struct ap_mdev *const *scope,
			size_t n, const char *target, struct apqn_set *a)
{
	if (!target && c->req->kind == AP_REQ_OVERRIDES)
		check_override_pending(c, st, &a[0]);
	for (size_t i = 0; i < n; i++) {
		const struct ap_mdev *d = scope[i];
		int r;

		if (!d->active && !d->defined)
			continue;
		if (!target) {
			check_host(c, st, d, &a[0]);
			continue;
		}
		r = strcmp(d->uuid, target);
		if (r < 0) {
			const struct ap_mdev *t = state_find(st, target);

			if (t && (t->active || t->defined))
				check_pair(c, d, t, &a[0], &a[1]);
			continue;
		}
		if (r > 0)
			continue;
		check_ids(c, st, d);
		check_config(c, st, d);
		check_host(c, st, d, &a[0]);
		for (size_t j = i + 1; j < n; j++)
			if (scope[j]->active || scope[j]->defined)
				check_pair(c, d, scope[j], &a[0], &a[1]);
		check_cdoms(c, d);
		check_remove_pending(c, d);
	}
}

static void count_problems(struct ap_problems *out)
{
	out->n_errors = out->n_warnings = out->new_errors = out->new_warnings = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (out->v[i].severity == AP_SEV_ERROR) {
			out->n_errors++;
			out->new_errors += !out->v[i].preexisting;
		} else {
			out->n_warnings++;
			out->new_warnings += !out->v[i].preexisting;
		}
	}
}

/* one request of a transaction, against st as the earlier ones left it */
static int validate_step(struct ctx *c, struct state *st, struct owner_index *ix,
			 struct apqn_set *a)
{
	const struct ap_request *req = c->req;
	struct ap_problems *out = c->out, old = { 0 };
	struct ap_host before_host = st->host;
	struct ap_mask before_papm = st->papm, before_paqm = st->paqm;
	struct ap_mdev old_md, *d;
	bool had = false, mdev_req = req->kind == AP_REQ_MDEV_CREATE ||
				     req->kind == AP_REQ_MDEV_MODIFY ||
				     req->kind == AP_REQ_MDEV_REMOVE;
	size_t first_audit, slot = SIZE_MAX;
	struct ap_mask ids[2], before_ids[2];

	if (mdev_req) {
		d = state_find(st, req->uuid);
		if (d) {
			old_md = *d;
			had = true;
			md_ids(d, 0, &before_ids[0]);
			md_ids(d, 1, &before_ids[1]);
		} else {
			ap_mask_zero(&before_ids[0]);
			ap_mask_zero(&before_ids[1]);
		}
	}
	state_apply(c, st);
	if (c->oom)
		return -1;
	if (req->kind == AP_REQ_MASKS) {
		struct state bst = *st;

		bst.host = before_host;
		bst.papm = before_papm;
		bst.paqm = before_paqm;
		check_masks_blocked(c, &bst, st, &a[0]);
		check_empty_masks(c, st);
		check_mask_take(c, &bst, st, &a[0], &a[1]);
	} else if (req->kind == AP_REQ_OVERRIDES) {
		struct state bst = *st;

		bst.host = before_host;
		check_override_request(c, &bst, &a[0]);
	}
	if (mdev_req) {
		d = state_find(st, req->uuid);
		check_mdev_request(c, &before_host, had ? &old_md : NULL, d);
		if (!d)
			return c->oom ? -1 : 0;
		slot = (size_t)(d - st->mdevs);
		md_ids(d, 0, &ids[0]);
		md_ids(d, 1, &ids[1]);
		/* the index learns the ids the mdev did not hold */
		{
			struct ap_mask add[2];

			ap_mask_andnot(&add[0], &ids[0], &before_ids[0]);
			ap_mask_andnot(&add[1], &ids[1], &before_ids[1]);
			if (ix_add(ix, (uint32_t)slot, add))
				return -1;
		}
		ap_mask_or(&ids[0], &ids[0], &before_ids[0]);
		ap_mask_or(&ids[1], &ids[1], &before_ids[1]);
		ix_collect(ix, st, slot, ids, false);
	} else {
		/* the ids whose owner the edit changes */
		struct ap_mask x;

		ap_mask_zero(&ids[0]);
		ap_mask_zero(&ids[1]);
		if (req->kind == AP_REQ_MASKS) {
			mask_xor(&ids[0], &before_host.apmask, &st->host.apmask);
			mask_xor(&x, &before_papm, &st->papm);
			ap_mask_or(&ids[0], &ids[0], &x);
			mask_xor(&ids[1], &before_host.aqmask, &st->host.aqmask);
			mask_xor(&x, &before_paqm, &st->paqm);
			ap_mask_or(&ids[1], &ids[1], &x);
		} else {
			for (unsigned int ad = 0; ad <= AP_MAX_ID; ad++)
				if (!ap_mask_is_empty(&req->ovr[ad]))
					ap_mask_set(&ids[0], ad);
		}
		ix_collect(ix, st, SIZE_MAX, ids, true);
	}
	qsort(ix->scope, ix->n_scope, sizeof(*ix->scope), cmp_uuid);

	first_audit = out->n;
	audit_scope(c, st, ix->scope, ix->n_scope, mdev_req ? req->uuid : NULL, a);
	if (c->oom)
		return -1;
	/* the same parties before the request */
	{
		struct ctx oc = *c;
		struct ap_host after_host = st->host;
		struct ap_mask after_papm = st->papm, after_paqm = st->paqm;
		struct ap_mdev now_md;

		oc.out = &old;
		st->host = before_host;
		st->papm = before_papm;
		st->paqm = before_paqm;
		if (mdev_req) {
			now_md = st->mdevs[slot];
			if (had) {
				st->mdevs[slot] = old_md;
			} else {
				st->mdevs[slot].active = false;
				st->mdevs[slot].defined = false;
			}
		}
		audit_scope(&oc, st, ix->scope, ix->n_scope, mdev_req ? req->uuid : NULL, a);
		st->host = after_host;
		st->papm = after_papm;
		st->paqm = after_paqm;
		if (mdev_req)
			st->mdevs[slot] = now_md;
		if (oc.oom) {
			ap_problems_free(&old);
			return -1;
		}
	}
	for (size_t i = first_audit; i < out->n; i++)
		for (size_t k = 0; k < old.n; k++)
			if (same_problem(&out->v[i], &old.v[k]))
				out->v[i].preexisting = true;
	ap_problems_free(&old);
	/* a new host-owned problem caused by a mask edit is reported once, as
	 * mask-takes-assigned */
	if (req->kind == AP_REQ_MASKS || req->kind == AP_REQ_OVERRIDES) {
		for (size_t i = first_audit; i < out->n;) {
			bool dup = false;

			if (out->v[i].kind == AP_PROB_HOST_OWNED && !out->v[i].preexisting)
				for (size_t k = 0; k < first_audit; k++)
					if ((out->v[k].kind == AP_PROB_MASK_TAKES_ASSIGNED ||
					     out->v[k].kind == AP_PROB_OVERRIDE_TAKES_ASSIGNED) &&
					    !strcmp(out->v[k].mdev, out->v[i].mdev))
						dup = true;
			if (dup)
				remove_at(out, i);
			else
				i++;
		}
	}
	return 0;
}

int ap_validate_txn(const struct ap_model *m, const struct ap_request *reqs, size_t n,
		    struct ap_problems *out)
{
	struct state st = { 0 };
	struct owner_index ix;
	struct apqn_set *a = NULL;
	struct ctx c = { .model = m, .out = out };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&ix, 0, sizeof(ix));
	if (state_init(&st, m, n) || ix_build(&ix, &st, m->n_mdevs + n))
		goto done;
	a = malloc(2 * sizeof(*a));
	if (!a)
		goto done;
	for (size_t i = 0; i < n; i++) {
		c.req = &reqs[i];
		if (reqs[i].kind == AP_REQ_NONE)
			continue;
		if (validate_step(&c, &st, &ix, a))
			goto done;
	}
	rc = 0;
	for (size_t i = 0; i < out->n; i++)
		if (!out->v[i].message)
			rc = -1;
	count_problems(out);
done:
	if (rc)
		ap_problems_free(out);
	free(a);
	ix_free(&ix);
	state_fini(&st);
	return rc;
}

int ap_validate(const struct ap_model *m, const struct ap_request *req,
		struct ap_problems *out)
{
	struct ap_request none;
	struct state st = { 0 };
	struct ctx c = { .model = m, .out = out };

	if (req && req->kind != AP_REQ_NONE)
		return ap_validate_txn(m, req, 1, out);
	/* the whole audit: apctl check, and what commands report as it is */
	memset(out, 0, sizeof(*out));
	if (!req) {
		ap_request_init(&none, AP_REQ_NONE);
		req = &none;
	}
	c.req = req;
	if (state_init(&st, m, 0))
		return -1;
	audit(&c, &st);
	state_fini(&st);
	for (size_t i = 0; i < out->n; i++)
		if (!out->v[i].message)
			c.oom = 1;
	if (c.oom) {
		ap_problems_free(out);
		return -1;
	}
	count_problems(out);
	return 0;
}
