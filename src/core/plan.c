/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/apqn.h"
#include "i18n.h"
#include "core/idlist.h"
#include "core/plan.h"

/* steps under construction: each forward step with its own inverse list */
struct builder {
	struct ap_step *steps;
	size_t n;
	struct ap_step *inv;		/* inverses, in the order they must run */
	size_t *inv_owner;		/* index of the forward step of each inverse */
	size_t n_inv;
	int oom;
};

static struct ap_step *push(struct builder *b)
{
	struct ap_step *v;

	if (b->oom)
		return NULL;
	v = realloc(b->steps, (b->n + 1) * sizeof(*v));
	if (!v) {
		b->oom = 1;
		return NULL;
	}
	b->steps = v;
	memset(&v[b->n], 0, sizeof(*v));
	return &v[b->n++];
}

/* an inverse of the step pushed last */
static struct ap_step *push_inv(struct builder *b)
{
	struct ap_step *v;
	size_t *o;

	if (b->oom || !b->n)
		return NULL;
	v = realloc(b->inv, (b->n_inv + 1) * sizeof(*v));
	if (!v) {
		b->oom = 1;
		return NULL;
	}
	b->inv = v;
	o = realloc(b->inv_owner, (b->n_inv + 1) * sizeof(*o));
	if (!o) {
		b->oom = 1;
		return NULL;
	}
	b->inv_owner = o;
	o[b->n_inv] = b->n - 1;
	memset(&v[b->n_inv], 0, sizeof(*v));
	return &v[b->n_inv++];
}

__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
}

/* ---- texts ---------------------------------------------------------------- */

/* "05,06" (digits 2) or "0004,00ab" (digits 4); "none" when empty */
static void ids_hex(const struct ap_mask *m, unsigned int digits, char *buf, size_t size)
{
	if (ap_mask_is_empty(m))
		fmt(buf, size, "%s", _("none"));
	else
		ap_idlist_format_hex(m, digits, buf, size);
}

static void matrix_text(const struct ap_matrix *x, char *buf, size_t size)
{
	char a[AP_IDLIST_STRLEN], d[AP_IDLIST_STRLEN], c[AP_IDLIST_STRLEN];

	ids_hex(&x->apm, 2, a, sizeof(a));
	ids_hex(&x->aqm, 4, d, sizeof(d));
	ids_hex(&x->adm, 4, c, sizeof(c));
	snprintf(buf, size, _("adapters %s, domains %s, control domains %s"), a, d, c);
}

/* append to a NUL-terminated buffer, truncating */
__attribute__((format(printf, 3, 4)))
static void cat(char *buf, size_t size, const char *f, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, f);
	vsnprintf(buf + len, size - len, f, ap);
	va_end(ap);
}

/* "apctl mdev modify UUID <target> --remove-adapters 5 --add-domains 4",
 * taking the matrix from 'from' back to 'to' */
static void modify_repair(char *buf, size_t size, const char *uuid, const char *target,
			  const struct ap_matrix *from, const struct ap_matrix *to)
{
	static const char *const names[3] = { "adapters", "domains", "control-domains" };
	const struct ap_mask *f[3] = { &from->apm, &from->aqm, &from->adm };
	const struct ap_mask *t[3] = { &to->apm, &to->aqm, &to->adm };
	char ids[AP_IDLIST_STRLEN];
	struct ap_mask d;

	fmt(buf, size, "apctl mdev modify %s %s", uuid, target);
	for (int i = 0; i < 3; i++) {
		ap_mask_andnot(&d, f[i], t[i]);
		if (!ap_mask_is_empty(&d)) {
			ap_idlist_format(&d, ids, sizeof(ids));
			cat(buf, size, " --remove-%s %s", names[i], ids);
		}
		ap_mask_andnot(&d, t[i], f[i]);
		if (!ap_mask_is_empty(&d)) {
			ap_idlist_format(&d, ids, sizeof(ids));
			cat(buf, size, " --add-%s %s", names[i], ids);
		}
	}
}

/* ---- masks ---------------------------------------------------------------- */

static void mask_write(struct ap_step *s, const char *path, const struct ap_mask *set,
		       const struct ap_mask *clear)
{
	bool aq = strcmp(path, AP_SYSFS_AQMASK) == 0;
	char ids[AP_IDLIST_STRLEN];

	s->kind = AP_STEP_SYSFS_WRITE;
	fmt(s->path, sizeof(s->path), "%s", path);
	ap_idlist_format_kernel_edit(set, clear, s->data, sizeof(s->data));
	s->verify.kind = AP_VERIFY_MASK_BITS;
	fmt(s->verify.path, sizeof(s->verify.path), "%s", path);
	s->verify.must_set = *set;
	s->verify.must_clear = *clear;
	if (!ap_mask_is_empty(set) && !ap_mask_is_empty(clear)) {
		fmt(s->what, sizeof(s->what), _("change %s ('%s')"), aq ? "aqmask" : "apmask",
		    s->data);
		return;
	}
	if (ap_mask_is_empty(clear)) {
		ids_hex(set, aq ? 4 : 2, ids, sizeof(ids));
		fmt(s->what, sizeof(s->what), aq ? _("give domains %s back to the host (aqmask)")
						 : _("give adapters %s back to the host (apmask)"),
		    ids);
		ap_idlist_format(set, ids, sizeof(ids));
		fmt(s->repair, sizeof(s->repair), "apctl reserve %s %s",
		    aq ? "--domains" : "--adapters", ids);
	} else {
		ids_hex(clear, aq ? 4 : 2, ids, sizeof(ids));
		fmt(s->what, sizeof(s->what), aq ? _("reserve domains %s for vfio_ap (aqmask)")
						 : _("reserve adapters %s for vfio_ap (apmask)"), ids);
		ap_idlist_format(clear, ids, sizeof(ids));
		fmt(s->repair, sizeof(s->repair), "apctl release %s %s",
		    aq ? "--domains" : "--adapters", ids);
	}
}

/* a relative write and its inverse */
static void add_mask_write(struct builder *b, const char *path, const struct ap_mask *set,
			   const struct ap_mask *clear)
{
	struct ap_step *s;

	if (ap_mask_is_empty(set) && ap_mask_is_empty(clear))
		return;
	s = push(b);
	if (!s)
		return;
	mask_write(s, path, set, clear);
	s = push_inv(b);
	if (s)
		mask_write(s, path, clear, set);
}

/*
 * Why apctl's rule stays when it would write only the kernel's default
 * masks (translated, for the step's text), or NULL: then it says nothing
 * and is deleted.  It stays when deleting it would change the boot: the
 * command line sets the masks, another rule file writes them, the file
 * holds more than apctl's rule, or an autostart definition needs the
 * vfio_ap module the rule loads.
 */
static const char *rule_stays(const struct ap_model *m, const struct ap_mask *nap,
			      const struct ap_mask *naq)
{
	const struct ap_host *h = &m->host;

	if (!ap_mask_is_full(nap) || !ap_mask_is_full(naq))
		return "";
	if (h->persist_rule != AP_PERSIST_UDEV_ETC)
		return _("the copy udev uses is not in /etc");
	if (h->persist_cmdline)
		return _("the kernel command line sets the masks, the rule resets them");
	if (strcmp(h->persist_files, "/" AP_FILE_UDEV_RULE))
		return _("other rule files write the masks too");
	if (!h->persist_rule_plain)
		return _("it holds more than apctl's rule");
	for (size_t i = 0; i < m->n_mdevs; i++)
		if (m->mdevs[i].defined && m->mdevs[i].autostart)
			return _("it loads vfio_ap, which the autostart definitions need");
	return NULL;
}

static void persist_masks(struct builder *b, const struct ap_model *m, const struct ap_request *r)
{
	const struct ap_host *h = &m->host;
	struct ap_mask pap, paq, nap, naq, ap_set, ap_clr, aq_set, aq_clr, ch_a, ch_d;
	char ia[AP_IDLIST_STRLEN], id[AP_IDLIST_STRLEN];
	struct ap_step *s;
	const char *stays;
	bool to_host;

	ap_host_persistent_masks(h, &pap, &paq);
	ap_mask_edit_apply(&r->apmask, &pap, &nap);
	ap_mask_edit_apply(&r->aqmask, &paq, &naq);
	ap_mask_andnot(&ap_set, &nap, &pap);
	ap_mask_andnot(&ap_clr, &pap, &nap);
	ap_mask_andnot(&aq_set, &naq, &paq);
	ap_mask_andnot(&aq_clr, &paq, &naq);
	ap_mask_or(&ch_a, &ap_set, &ap_clr);
	ap_mask_or(&ch_d, &aq_set, &aq_clr);
	/* nothing to do when the masks at boot stay as they are */
	if (ap_mask_is_empty(&ch_a) && ap_mask_is_empty(&ch_d))
		return;
	to_host = !ap_mask_is_empty(&ap_set) || !ap_mask_is_empty(&aq_set);
	s = push(b);
	if (!s)
		return;
	s->kind = AP_STEP_PERSIST_MASKS;
	fmt(s->path, sizeof(s->path), "%s", AP_FILE_UDEV_RULE);
	s->apmask = nap;
	s->aqmask = naq;
	/* a mask apctl's rule does not write stays so unless it changes */
	s->persist_ap = h->persist_rule_ap || !ap_mask_is_empty(&ch_a);
	s->persist_aq = h->persist_rule_aq || !ap_mask_is_empty(&ch_d);
	stays = rule_stays(m, &nap, &naq);
	s->drop = !stays;
	if (!stays)
		fmt(s->what, sizeof(s->what), "%s",
		    _("give them back to the host at boot: delete the udev rule 41-ap.rules, "
		      "which would set only the kernel's default masks"));
	else if (*stays)
		fmt(s->what, sizeof(s->what),
		    _("give them back to the host at boot (udev rule 41-ap.rules; it stays "
		      "with the default masks: %s)"), stays);
	else
		fmt(s->what, sizeof(s->what), "%s",
		    to_host ? _("give them back to the host at boot (udev rule 41-ap.rules)")
			    : _("reserve them for vfio_ap at boot (udev rule 41-ap.rules)"));
	ap_idlist_format(&ch_a, ia, sizeof(ia));
	ap_idlist_format(&ch_d, id, sizeof(id));
	fmt(s->repair, sizeof(s->repair), "apctl %s --persistent%s%s%s%s",
	    to_host ? "reserve" : "release", *ia ? " --adapters " : "", ia,
	    *id ? " --domains " : "", id);
	s = push_inv(b);
	if (!s)
		return;
	s->kind = AP_STEP_FILE_RESTORE;
	fmt(s->path, sizeof(s->path), "%s", AP_FILE_UDEV_RULE);
	s->existed = h->persist_rule == AP_PERSIST_UDEV_ETC;
}

static void plan_masks(struct builder *b, const struct ap_model *m, const struct ap_request *r)
{
	const struct ap_host *h = &m->host;

	if (r->active) {
		struct ap_mask nap, naq, ap_set, ap_clr, aq_set, aq_clr, none;
		bool ap_changes, aq_changes;

		ap_mask_edit_apply(&r->apmask, &h->apmask, &nap);
		ap_mask_edit_apply(&r->aqmask, &h->aqmask, &naq);
		ap_mask_andnot(&ap_set, &nap, &h->apmask);
		ap_mask_andnot(&ap_clr, &h->apmask, &nap);
		ap_mask_andnot(&aq_set, &naq, &h->aqmask);
		ap_mask_andnot(&aq_clr, &h->aqmask, &naq);
		ap_changes = !ap_mask_is_empty(&ap_set) || !ap_mask_is_empty(&ap_clr);
		aq_changes = !ap_mask_is_empty(&aq_set) || !ap_mask_is_empty(&aq_clr);
		ap_mask_zero(&none);
		if (ap_changes && aq_changes) {
			add_mask_write(b, AP_SYSFS_APMASK, &none, &ap_clr);
			add_mask_write(b, AP_SYSFS_AQMASK, &none, &aq_clr);
			add_mask_write(b, AP_SYSFS_APMASK, &ap_set, &none);
			add_mask_write(b, AP_SYSFS_AQMASK, &aq_set, &none);
		} else if (ap_changes) {
			add_mask_write(b, AP_SYSFS_APMASK, &ap_set, &ap_clr);
		} else if (aq_changes) {
			add_mask_write(b, AP_SYSFS_AQMASK, &aq_set, &aq_clr);
		}
	}
	if (r->persistent)
		persist_masks(b, m, r);
}

/* ---- driver_override [>= 6.19] --------------------------------------------- */

const char *ap_driver_name(enum ap_driver d)
{
	switch (d) {
	case AP_DRV_CEX4QUEUE:
		return "cex4queue";
	case AP_DRV_VFIO_AP:
		return "vfio_ap";
	case AP_DRV_CEX4CARD:
		return "cex4card";
	default:
		return "";
	}
}

/* write override 'name' ("" clears it: the kernel takes a newline) */
static void ovr_write_step(struct ap_step *s, const char *apqn, const char *name)
{
	s->kind = AP_STEP_SYSFS_WRITE;
	fmt(s->path, sizeof(s->path), "%s/%s/driver_override", AP_SYSFS_APDEVS, apqn);
	fmt(s->data, sizeof(s->data), "%s", *name ? name : "\n");
	s->verify.kind = AP_VERIFY_OVERRIDE;
	fmt(s->verify.path, sizeof(s->verify.path), "%s", s->path);
	fmt(s->verify.text, sizeof(s->verify.text), "%s", name);
	if (*name) {
		fmt(s->what, sizeof(s->what), _("set the driver_override of queue %s to %s"), apqn,
		    name);
		fmt(s->repair, sizeof(s->repair), "apctl release --mode override %s", apqn);
	} else {
		fmt(s->what, sizeof(s->what), _("clear the driver_override of queue %s"), apqn);
		fmt(s->repair, sizeof(s->repair), "apctl reserve --mode override %s", apqn);
	}
}

static void unbind_step(struct ap_step *s, const char *apqn, const char *drv)
{
	s->kind = AP_STEP_SYSFS_WRITE;
	fmt(s->path, sizeof(s->path), "%s/%s/unbind", AP_SYSFS_APDRIVERS, drv);
	fmt(s->data, sizeof(s->data), "%s", apqn);
	s->verify.kind = AP_VERIFY_NOT_DRIVER;
	fmt(s->verify.path, sizeof(s->verify.path), "%s/%s", AP_SYSFS_APDEVS, apqn);
	fmt(s->verify.text, sizeof(s->verify.text), "%s", drv);
	fmt(s->what, sizeof(s->what), _("unbind queue %s from %s"), apqn, drv);
}

/* probe the queue; it must end up bound to drv */
static void probe_step(struct ap_step *s, const char *apqn, const char *drv)
{
	s->kind = AP_STEP_SYSFS_WRITE;
	fmt(s->path, sizeof(s->path), "%s", AP_SYSFS_PROBE);
	fmt(s->data, sizeof(s->data), "%s", apqn);
	s->verify.kind = AP_VERIFY_DRIVER;
	fmt(s->verify.path, sizeof(s->verify.path), "%s/%s", AP_SYSFS_APDEVS, apqn);
	fmt(s->verify.text, sizeof(s->verify.text), "%s", drv);
	fmt(s->what, sizeof(s->what), _("probe queue %s again (it binds to %s)"), apqn, drv);
}

/* [v1 live migration patches] the mdev's 'migratable' switch */
static void migratable_step(struct ap_step *s, const char *uuid, bool on)
{
	s->kind = AP_STEP_SYSFS_WRITE;
	fmt(s->uuid, sizeof(s->uuid), "%s", uuid);
	fmt(s->path, sizeof(s->path), "%s/%s/migratable", AP_SYSFS_MATRIX, uuid);
	fmt(s->data, sizeof(s->data), "%d", on ? 1 : 0);
	s->verify.kind = AP_VERIFY_MIGRATABLE;
	fmt(s->verify.path, sizeof(s->verify.path), "%s", s->path);
	fmt(s->verify.text, sizeof(s->verify.text), "%d", on ? 1 : 0);
	fmt(s->what, sizeof(s->what),
	    on ? _("allow live migration of mdev %s (migratable)")
	       : _("forbid live migration of mdev %s (migratable)"), uuid);
	fmt(s->repair, sizeof(s->repair), "apctl mdev modify %s --migratable %s", uuid,
	    on ? "off" : "on");
}

static void saved_path(char *buf, size_t size, const char *apqn)
{
	fmt(buf, size, "%s/ap-%s", AP_FILE_DRIVERCTL_DIR, apqn);
}

/* the driver a queue binds to at its next probe with override 'ovr' */
static const char *probe_target(const struct ap_host *h, const struct ap_queue *q, const char *ovr)
{
	if (*ovr)
		return ovr;
	return ap_host_owns(h, q->apid, q->apqi) ? "cex4queue" : "vfio_ap";
}

static void plan_overrides(struct builder *b, const struct ap_model *m, const struct ap_request *r)
{
	const struct ap_host *h = &m->host;
	const char *want = r->ovr_release ? "" : "vfio_ap";

	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *q = &h->queues[i];
		const char *old_drv = ap_driver_name(q->driver), *new_drv;
		char apqn[AP_APQN_STRLEN];
		struct ap_step *s;
		bool first = true;

		if (q->apid > AP_MAX_ID || q->apqi > AP_MAX_ID ||
		    !ap_mask_test(&r->ovr[q->apid], q->apqi))
			continue;
		ap_apqn_format(q->apid, q->apqi, apqn);
		new_drv = probe_target(h, q, want);
		if (r->active && (strcmp(q->driver_override, want) || strcmp(old_drv, new_drv))) {
			if (strcmp(q->driver_override, want)) {
				s = push(b);
				if (s)
					ovr_write_step(s, apqn, want);
				first = false;
				s = push_inv(b);
				if (s)
					ovr_write_step(s, apqn, q->driver_override);
				if (*old_drv) {
					s = push_inv(b);
					if (s)
						probe_step(s, apqn, old_drv);
				}
			}
			if (*old_drv) {
				s = push(b);
				if (s) {
					unbind_step(s, apqn, old_drv);
					/* the undo of the override write (or of
					 * this step, below) probes it again */
					s->covered = !first;
					fmt(s->repair, sizeof(s->repair), "apctl %s --mode override %s",
					    r->ovr_release ? "reserve" : "release", apqn);
				}
				if (first) {
					s = push_inv(b);
					if (s)
						probe_step(s, apqn, old_drv);
				}
			}
			s = push(b);
			if (s) {
				probe_step(s, apqn, new_drv);
				fmt(s->repair, sizeof(s->repair), "apctl %s --mode override %s",
				    r->ovr_release ? "reserve" : "release", apqn);
			}
			s = push_inv(b);
			if (s)
				unbind_step(s, apqn, new_drv);
		}
		if (r->persistent && strcmp(q->saved_override, want)) {
			s = push(b);
			if (!s)
				return;
			saved_path(s->path, sizeof(s->path), apqn);
			if (*want) {
				s->kind = AP_STEP_SAVE_OVERRIDE;
				fmt(s->data, sizeof(s->data), "%s\n", want);
				fmt(s->what, sizeof(s->what),
				    _("save the driver_override of queue %s for boot (driverctl)"),
				    apqn);
				fmt(s->repair, sizeof(s->repair),
				    "apctl release --mode override --persistent %s", apqn);
			} else {
				s->kind = AP_STEP_UNSAVE_OVERRIDE;
				fmt(s->what, sizeof(s->what),
				    _("delete the saved driver_override of queue %s (driverctl)"),
				    apqn);
				fmt(s->repair, sizeof(s->repair),
				    "apctl reserve --mode override --persistent %s", apqn);
			}
			s = push_inv(b);
			if (!s)
				return;
			s->kind = AP_STEP_FILE_RESTORE;
			saved_path(s->path, sizeof(s->path), apqn);
			s->existed = q->saved_override[0] != '\0';
		}
	}
}

/* ---- mdevs ---------------------------------------------------------------- */

static void mdev_path(char *buf, size_t size, const char *uuid, const char *attr)
{
	fmt(buf, size, "%s/%s%s%s", AP_SYSFS_MATRIX, uuid, *attr ? "/" : "", attr);
}

static void create_step(struct ap_step *s, const char *uuid)
{
	s->kind = AP_STEP_MDEV_CREATE;
	fmt(s->path, sizeof(s->path), "%s", AP_SYSFS_CREATE);
	fmt(s->data, sizeof(s->data), "%s", uuid);
	fmt(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->verify.kind = AP_VERIFY_EXISTS;
	mdev_path(s->verify.path, sizeof(s->verify.path), uuid, "");
	fmt(s->what, sizeof(s->what), _("create mdev %s"), uuid);
	fmt(s->repair, sizeof(s->repair), "apctl mdev remove %s", uuid);
}

static void remove_step(struct ap_step *s, const char *uuid)
{
	s->kind = AP_STEP_MDEV_REMOVE;
	mdev_path(s->path, sizeof(s->path), uuid, "remove");
	fmt(s->data, sizeof(s->data), "1");
	fmt(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->verify.kind = AP_VERIFY_ABSENT;
	mdev_path(s->verify.path, sizeof(s->verify.path), uuid, "");
	fmt(s->what, sizeof(s->what), _("remove mdev %s"), uuid);
}

/* one ap_config write taking the mdev from *old to *x */
static void ap_config_step(struct ap_step *s, const char *uuid, const struct ap_matrix *old,
			   const struct ap_matrix *x)
{
	char buf[AP_CONFIG_STRLEN], mt[4 * AP_IDLIST_STRLEN];

	s->kind = AP_STEP_SYSFS_WRITE;
	mdev_path(s->path, sizeof(s->path), uuid, "ap_config");
	ap_config_format(&x->apm, &x->aqm, &x->adm, buf);
	buf[strcspn(buf, "\n")] = '\0';
	fmt(s->data, sizeof(s->data), "%s", buf);
	fmt(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->verify.kind = AP_VERIFY_MDEV_MATRIX;
	mdev_path(s->verify.path, sizeof(s->verify.path), uuid, "");
	s->verify.matrix = *x;
	matrix_text(x, mt, sizeof(mt));
	fmt(s->what, sizeof(s->what), _("configure mdev %s: %s"), uuid, mt);
	modify_repair(s->repair, sizeof(s->repair), uuid, "--active", x, old);
}

enum dim { DIM_ADAPTER, DIM_DOMAIN, DIM_CDOM };

/* assign (or unassign) id of dimension w; *after: the matrix after it */
static void id_step(struct ap_step *s, const char *uuid, enum dim w, bool assign, unsigned int id,
		    const struct ap_matrix *before, const struct ap_matrix *after)
{
	static const char *const attr[3] = { "adapter", "domain", "control_domain" };
	char name[64];

	fmt(name, sizeof(name), "%sassign_%s", assign ? "" : "un", attr[w]);
	s->kind = AP_STEP_SYSFS_WRITE;
	mdev_path(s->path, sizeof(s->path), uuid, name);
	fmt(s->data, sizeof(s->data), "0x%x", id);
	fmt(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->verify.kind = AP_VERIFY_MDEV_ID;
	mdev_path(s->verify.path, sizeof(s->verify.path), uuid, "");
	s->verify.matrix = *after;
	s->verify.dim = (unsigned int)w;
	ap_mask_set(assign ? &s->verify.must_set : &s->verify.must_clear, id);
	switch (w) {
	case DIM_ADAPTER:
		fmt(s->what, sizeof(s->what), assign ? _("assign adapter %02x to mdev %s")
						     : _("unassign adapter %02x from mdev %s"),
		    id, uuid);
		break;
	case DIM_DOMAIN:
		fmt(s->what, sizeof(s->what), assign ? _("assign domain %04x to mdev %s")
						     : _("unassign domain %04x from mdev %s"),
		    id, uuid);
		break;
	case DIM_CDOM:
		fmt(s->what, sizeof(s->what), assign ? _("assign control domain %04x to mdev %s")
						     : _("unassign control domain %04x from mdev %s"),
		    id, uuid);
		break;
	}
	modify_repair(s->repair, sizeof(s->repair), uuid, "--active", after, before);
}

static struct ap_mask *dim_mask(struct ap_matrix *x, int w)
{
	return w == DIM_ADAPTER ? &x->apm : w == DIM_DOMAIN ? &x->aqm : &x->adm;
}

/*
 * The steps that take the live matrix of 'uuid' from *old to *new, each
 * with its inverse; for a new mdev ('fresh') without: removing the mdev
 * undoes them.
 */
static void configure(struct builder *b, const struct ap_host *h, const char *uuid,
		      const struct ap_matrix *old, const struct ap_matrix *new, bool fresh)
{
	struct ap_matrix cur = *old, nw = *new;
	struct ap_step *s;
	int id;

	if (ap_matrix_equal(old, new))
		return;
	if (h->caps.ap_config) {
		s = push(b);
		if (s) {
			ap_config_step(s, uuid, old, new);
			s->covered = fresh;
		}
		if (!fresh) {
			s = push_inv(b);
			if (s)
				ap_config_step(s, uuid, new, old);
		}
		return;
	}
	/* unassign what leaves: control domains, domains, adapters; then assign
	 * what comes: adapters, domains, control domains */
	for (int pass = 0; pass < 2; pass++) {
		bool assign = pass == 1;

		for (int k = 0; k < 3; k++) {
			int w = assign ? k : 2 - k;
			struct ap_mask *cm = dim_mask(&cur, w), move;

			if (assign)
				ap_mask_andnot(&move, dim_mask(&nw, w), cm);
			else
				ap_mask_andnot(&move, cm, dim_mask(&nw, w));
			ap_mask_for_each(id, &move) {
				struct ap_matrix before = cur;

				if (assign)
					ap_mask_set(cm, (unsigned int)id);
				else
					ap_mask_clear(cm, (unsigned int)id);
				s = push(b);
				if (s) {
					id_step(s, uuid, (enum dim)w, assign, (unsigned int)id,
						&before, &cur);
					s->covered = fresh;
				}
				if (fresh)
					continue;
				s = push_inv(b);
				if (s)
					id_step(s, uuid, (enum dim)w, !assign, (unsigned int)id, &cur,
						&before);
			}
		}
	}
}

/* the undo of removing an mdev no guest uses: create it again, then its
 * live matrix (one ap_config write, else the assign writes) */
static void recreate_undo(struct builder *b, const struct ap_host *h, const char *uuid,
			  const struct ap_matrix *live)
{
	struct ap_matrix empty, cur, lv = *live;
	struct ap_step *s;
	int id;

	memset(&empty, 0, sizeof(empty));
	s = push_inv(b);
	if (s)
		create_step(s, uuid);
	if (ap_mask_is_empty(&live->apm) && ap_mask_is_empty(&live->aqm) &&
	    ap_mask_is_empty(&live->adm))
		return;
	if (h->caps.ap_config) {
		s = push_inv(b);
		if (s)
			ap_config_step(s, uuid, &empty, live);
		return;
	}
	cur = empty;
	for (int w = 0; w < 3; w++) {
		ap_mask_for_each(id, dim_mask(&lv, w)) {
			struct ap_matrix before = cur;

			ap_mask_set(dim_mask(&cur, w), (unsigned int)id);
			s = push_inv(b);
			if (s)
				id_step(s, uuid, (enum dim)w, true, (unsigned int)id, &before, &cur);
		}
	}
}

/* the file name of mdev d's definition: the one on disk (its case may
 * differ), else the uuid */
static const char *def_file(const struct ap_mdev *d, const char *uuid)
{
	return d && d->defined && d->def_file[0] ? d->def_file : uuid;
}

static void restore_step(struct builder *b, const char *uuid, const char *file, bool existed)
{
	struct ap_step *s = push_inv(b);

	if (!s)
		return;
	s->kind = AP_STEP_FILE_RESTORE;
	fmt(s->path, sizeof(s->path), "%s/%s", AP_FILE_MDEVCTL_DIR, file);
	fmt(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->existed = existed;
}

static struct ap_step *define_step(struct builder *b, const char *uuid, const char *file,
				   const struct ap_matrix *x, bool autostart, bool existed)
{
	struct ap_step *s = push(b);

	if (!s)
		return NULL;
	s->kind = AP_STEP_DEFINE_MDEV;
	fmt(s->path, sizeof(s->path), "%s/%s", AP_FILE_MDEVCTL_DIR, file);
	fmt(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->matrix = *x;
	s->autostart = autostart;
	restore_step(b, uuid, file, existed);
	return s;
}

static int plan_mdev(struct builder *b, const struct ap_model *m, const struct ap_request *r)
{
	const struct ap_mdev *d = ap_model_find_mdev(m, r->uuid);
	struct ap_matrix empty;
	struct ap_step *s;

	memset(&empty, 0, sizeof(empty));
	switch (r->kind) {
	case AP_REQ_MDEV_CREATE:
		if (r->active) {
			s = push(b);
			if (s)
				create_step(s, r->uuid);
			s = push_inv(b);
			if (s)
				remove_step(s, r->uuid);
			configure(b, &m->host, r->uuid, &empty, &r->matrix, true);
		}
		if (r->persistent) {
			bool autostart = r->set_autostart && r->autostart;

			s = define_step(b, r->uuid, def_file(d, r->uuid), &r->matrix, autostart,
					d && d->defined);
			if (!s)
				return 0;
			fmt(s->what, sizeof(s->what), "%s",
			    autostart ? _("define it for mdevctl, started at boot")
				      : _("define it for mdevctl, started on request"));
			fmt(s->repair, sizeof(s->repair), "apctl mdev remove --undefine %s", r->uuid);
		}
		return 0;
	case AP_REQ_MDEV_MIGRATABLE:
		if (!d || !d->active)
			return -1;
		if (d->migratable == (r->migratable ? 1 : 0))
			return 0;
		s = push(b);
		if (s)
			migratable_step(s, r->uuid, r->migratable);
		s = push_inv(b);
		if (s)
			migratable_step(s, r->uuid, d->migratable == 1);
		return 0;
	case AP_REQ_MDEV_MODIFY:
		if (!d || (r->active && !d->active))
			return -1;
		if (r->active)
			configure(b, &m->host, r->uuid, &d->live, &r->matrix, false);
		if (r->persistent) {
			bool autostart = r->set_autostart ? r->autostart
							  : d->defined && d->autostart;

			if (d->defined && autostart == d->autostart &&
			    ap_mask_equal(&d->def.apm, &r->matrix.apm) &&
			    ap_mask_equal(&d->def.aqm, &r->matrix.aqm) &&
			    ap_mask_equal(&d->def.adm, &r->matrix.adm))
				return 0;
			s = define_step(b, r->uuid, def_file(d, r->uuid), &r->matrix, autostart,
					d->defined);
			if (!s)
				return 0;
			fmt(s->what, sizeof(s->what), "%s", _("update its mdevctl definition"));
			if (d->defined)
				modify_repair(s->repair, sizeof(s->repair), r->uuid, "--persistent",
					      &r->matrix, &d->def);
		}
		return 0;
	case AP_REQ_MDEV_REMOVE: {
		const struct ap_baddef *bd = ap_model_find_baddef(m, r->uuid);

		if ((r->active && (!d || !d->active)) || (r->persistent && (!d || !d->defined)) ||
		    (r->undefine_unreadable && !bd))
			return -1;
		if (r->undefine_unreadable) {
			s = push(b);
			if (!s)
				return 0;
			s->kind = AP_STEP_UNDEFINE_MDEV;
			fmt(s->path, sizeof(s->path), "%s/%s", AP_FILE_MDEVCTL_DIR, bd->file);
			fmt(s->uuid, sizeof(s->uuid), "%s", r->uuid);
			fmt(s->what, sizeof(s->what), "%s",
			    _("delete its unreadable mdevctl definition as it is"));
			restore_step(b, r->uuid, bd->file, true);
		}
		if (r->persistent) {
			s = push(b);
			if (!s)
				return 0;
			s->kind = AP_STEP_UNDEFINE_MDEV;
			fmt(s->path, sizeof(s->path), "%s/%s", AP_FILE_MDEVCTL_DIR,
			    def_file(d, r->uuid));
			fmt(s->uuid, sizeof(s->uuid), "%s", r->uuid);
			fmt(s->what, sizeof(s->what), "%s", _("delete its mdevctl definition"));
			restore_step(b, r->uuid, def_file(d, r->uuid), true);
		}
		/* last, and without an undo (see plan.h); with 'recreate' the
		 * undo creates it again */
		if (r->active) {
			s = push(b);
			if (s)
				remove_step(s, r->uuid);
			if (r->recreate && d)
				recreate_undo(b, &m->host, r->uuid, &d->live);
		}
		return 0;
	}
	default:
		return 0;
	}
}

void ap_plan_free(struct ap_plan *p)
{
	free(p->steps);
	free(p->undo);
	memset(p, 0, sizeof(*p));
}

int ap_plan_build_n(const struct ap_model *m, const struct ap_request *r, size_t n,
		    struct ap_plan *out)
{
	struct builder b = { 0 };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n && !rc; i++) {
		if (r[i].kind == AP_REQ_MASKS)
			plan_masks(&b, m, &r[i]);
		else if (r[i].kind == AP_REQ_OVERRIDES)
			plan_overrides(&b, m, &r[i]);
		else if (r[i].kind != AP_REQ_NONE)
			rc = plan_mdev(&b, m, &r[i]);
	}
	if (rc || b.oom)
		goto fail;

	/* the complete undo: inverses of the last step first */
	if (b.n_inv) {
		out->undo = malloc(b.n_inv * sizeof(*out->undo));
		if (!out->undo)
			goto fail;
	}
	for (size_t i = b.n; i-- > 0;) {
		b.steps[i].undo_first = out->n_undo;
		for (size_t k = 0; k < b.n_inv; k++) {
			if (b.inv_owner[k] != i)
				continue;
			out->undo[out->n_undo] = b.inv[k];
			out->undo[out->n_undo++].owner = i;
		}
		b.steps[i].undo_count = out->n_undo - b.steps[i].undo_first;
	}
	out->steps = b.steps;
	out->n_steps = b.n;
	free(b.inv);
	free(b.inv_owner);
	return 0;
fail:
	free(b.steps);
	free(b.inv);
	free(b.inv_owner);
	ap_plan_free(out);
	return -1;
}

int ap_plan_build(const struct ap_model *m, const struct ap_request *r, struct ap_plan *out)
{
	return ap_plan_build_n(m, r, 1, out);
}

size_t ap_plan_undo_start(const struct ap_plan *p, size_t done)
{
	if (!done || done > p->n_steps)
		return done ? 0 : p->n_undo;
	return p->steps[done - 1].undo_first;
}

/* ---- text ------------------------------------------------------------------ */

/* 'data' with control characters escaped */
static void quote(const char *data, char *buf, size_t size)
{
	size_t len = 0;

	for (const char *p = data; *p && len + 5 < size; p++) {
		if (*p == '\n') {
			buf[len++] = '\\';
			buf[len++] = 'n';
		} else if ((unsigned char)*p < 0x20) {
			len += (size_t)snprintf(buf + len, size - len, "\\x%02x", (unsigned char)*p);
		} else {
			buf[len++] = *p;
		}
	}
	buf[len] = '\0';
}

int ap_step_describe(const struct ap_step *s, const char *sysfs_root, const char *root,
		     char *buf, size_t size)
{
	char q[2 * AP_STEP_DATA_MAX], x[4 * AP_IDLIST_STRLEN];
	char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];

	if (!sysfs_root)
		sysfs_root = "/sys";
	if (!root)
		root = "";
	switch (s->kind) {
	case AP_STEP_SYSFS_WRITE:
		quote(s->data, q, sizeof(q));
		return snprintf(buf, size, _("write '%s' to %s/%s"), q, sysfs_root, s->path);
	case AP_STEP_MDEV_CREATE:
		return snprintf(buf, size, _("create mdev %s (write '%s' to %s/%s)"), s->uuid,
				s->data, sysfs_root, s->path);
	case AP_STEP_MDEV_REMOVE:
		return snprintf(buf, size, _("remove mdev %s (write '%s' to %s/%s)"), s->uuid,
				s->data, sysfs_root, s->path);
	case AP_STEP_DEFINE_MDEV:
		matrix_text(&s->matrix, x, sizeof(x));
		return snprintf(buf, size, _("define mdev %s in %s/%s: %s, start %s"), s->uuid, root,
				s->path, x, s->autostart ? "auto" : "manual");
	case AP_STEP_UNDEFINE_MDEV:
		return snprintf(buf, size, _("delete the definition %s/%s"), root, s->path);
	case AP_STEP_PERSIST_MASKS:
		if (s->drop)
			return snprintf(buf, size, _("delete %s/%s (it would set only the default "
						     "masks)"), root, s->path);
		ap_mask_format(&s->apmask, am);
		ap_mask_format(&s->aqmask, qm);
		return snprintf(buf, size, _("write apmask %s and aqmask %s to %s/%s"), am, qm, root,
				s->path);
	case AP_STEP_FILE_RESTORE:
		if (s->existed)
			return snprintf(buf, size, _("restore the previous %s/%s"), root, s->path);
		return snprintf(buf, size, _("delete %s/%s"), root, s->path);
	case AP_STEP_SAVE_OVERRIDE:
		quote(s->data, q, sizeof(q));
		return snprintf(buf, size, _("write '%s' to %s/%s"), q, root, s->path);
	case AP_STEP_UNSAVE_OVERRIDE:
		return snprintf(buf, size, _("delete %s/%s"), root, s->path);
	}
	return snprintf(buf, size, "?");
}

struct text {
	char *s;
	size_t len, cap;
	int oom;
};

static void text_add(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *p = realloc(t->s, cap);

		if (!p) {
			t->oom = 1;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

char *ap_plan_render(const struct ap_plan *p, const char *sysfs_root, const char *root)
{
	struct text t = { 0 };
	char *line = malloc(8192);

	if (!line)
		return NULL;
	text_add(&t, "");
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct ap_step *s = &p->steps[i];

		ap_step_describe(s, sysfs_root, root, line, 8192);
		text_add(&t, line);
		if (s->undo_count == 1 && s->kind == AP_STEP_SYSFS_WRITE &&
		    p->undo[s->undo_first].kind == AP_STEP_SYSFS_WRITE &&
		    !strcmp(p->undo[s->undo_first].path, s->path)) {
			quote(p->undo[s->undo_first].data, line, 8192);
			text_add(&t, _(" (undo: '"));
			text_add(&t, line);
			text_add(&t, "')");
		} else if (s->covered && s->verify.kind == AP_VERIFY_NOT_DRIVER) {
			text_add(&t, _(" (undo: the undo of the step before probes the queue again)"));
		} else if (s->covered) {
			text_add(&t, _(" (undo: by removing the mdev)"));
		} else if (s->undo_count) {
			text_add(&t, _(" (undo: "));
			for (size_t k = 0; k < s->undo_count; k++) {
				ap_step_describe(&p->undo[s->undo_first + k], sysfs_root, root, line,
						 8192);
				if (k)
					text_add(&t, "; ");
				text_add(&t, line);
			}
			text_add(&t, ")");
		}
		text_add(&t, "\n");
	}
	free(line);
	if (t.oom) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* ---- re-derivation (journal checks) ---------------------------------------- */

static bool uuid_ok(const char *u, bool any_case)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t k = 0;

	if (strlen(u) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (k < 4 && (int)i == dash[k]) {
			if (u[i] != '-')
				return false;
			k++;
		} else if (!((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f') ||
			     (any_case && u[i] >= 'A' && u[i] <= 'F'))) {
			return false;
		}
	}
	return true;
}

/* a definition file of uuid: AP_FILE_MDEVCTL_DIR/<uuid in any case> */
static bool def_path_ok(const char *path, const char *uuid)
{
	size_t n = strlen(AP_FILE_MDEVCTL_DIR);

	return !strncmp(path, AP_FILE_MDEVCTL_DIR "/", n + 1) && uuid_ok(path + n + 1, true) &&
	       !strcasecmp(path + n + 1, uuid);
}

/* "AA.DDDD" exactly as apctl writes it (lowercase hex) */
static bool apqn_ok(const char *a)
{
	struct ap_apqn q;
	char back[AP_APQN_STRLEN];
	size_t pos;

	if (ap_apqn_parse(a, &q, &pos))
		return false;
	ap_apqn_format(q.apid, q.apqi, back);
	return !strcmp(back, a);
}

/* a driver name apctl writes as an override or binds to */
static bool drv_ok(const char *d, bool empty_ok)
{
	if (!*d)
		return empty_ok;
	return !strcmp(d, "vfio_ap") || !strcmp(d, "cex4queue");
}

/* the APQN of "<prefix>/AA.DDDD<suffix>" into apqn, or false */
static bool apqn_in(const char *path, const char *prefix, const char *suffix,
		    char apqn[AP_APQN_STRLEN])
{
	size_t n = strlen(prefix), k = strlen(suffix), len = strlen(path);

	if (len != n + 1 + AP_APQN_STRLEN - 1 + k || strncmp(path, prefix, n) || path[n] != '/' ||
	    strcmp(path + len - k, suffix))
		return false;
	memcpy(apqn, path + n + 1, AP_APQN_STRLEN - 1);
	apqn[AP_APQN_STRLEN - 1] = '\0';
	return apqn_ok(apqn);
}

/* an override step (no uuid) re-derived into out; false: not one */
static bool rederive_override(const struct ap_step *s, struct ap_step *out)
{
	const struct ap_verify *v = &s->verify;
	char apqn[AP_APQN_STRLEN], drv[32];
	const char *p = s->path;
	size_t n = strlen(AP_SYSFS_APDRIVERS);

	if (v->kind == AP_VERIFY_OVERRIDE) {
		if (!apqn_in(p, AP_SYSFS_APDEVS, "/driver_override", apqn) ||
		    !drv_ok(v->text, true))
			return false;
		ovr_write_step(out, apqn, v->text);
		return true;
	}
	if ((v->kind != AP_VERIFY_DRIVER && v->kind != AP_VERIFY_NOT_DRIVER) || !apqn_ok(s->data))
		return false;
	if (v->kind == AP_VERIFY_DRIVER) {
		if (strcmp(p, AP_SYSFS_PROBE))
			return false;
		if (!drv_ok(v->text, false))
			return false;
		probe_step(out, s->data, v->text);
		return true;
	}
	if (strncmp(p, AP_SYSFS_APDRIVERS "/", n + 1))
		return false;
	fmt(drv, sizeof(drv), "%.*s", (int)strcspn(p + n + 1, "/"), p + n + 1);
	if (!drv_ok(drv, false))
		return false;
	unbind_step(out, s->data, drv);
	return true;
}

/* driverctl's file of a queue: AP_FILE_DRIVERCTL_DIR/ap-AA.DDDD */
static bool saved_path_ok(const char *path)
{
	static const char pre[] = AP_FILE_DRIVERCTL_DIR "/ap-";

	return !strncmp(path, pre, sizeof(pre) - 1) && apqn_ok(path + sizeof(pre) - 1);
}

int ap_step_rederive(const struct ap_step *s, struct ap_step *out, const char **why)
{
	const struct ap_verify *v = &s->verify;
	struct ap_matrix before;
	bool assign;
	int id;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (s->uuid[0] && !uuid_ok(s->uuid, false)) {
		*why = _("its mdev UUID is not a UUID");
		return -1;
	}
	switch (s->kind) {
	case AP_STEP_SYSFS_WRITE:
		if (!s->uuid[0] && (v->kind == AP_VERIFY_OVERRIDE || v->kind == AP_VERIFY_DRIVER ||
				    v->kind == AP_VERIFY_NOT_DRIVER)) {
			if (rederive_override(s, out) && strcmp(out->verify.text, v->text))
				out->path[0] = '\0';
			break;
		}
		if (!s->uuid[0]) {
			if (strcmp(s->path, AP_SYSFS_APMASK) && strcmp(s->path, AP_SYSFS_AQMASK))
				break;
			if (v->kind != AP_VERIFY_MASK_BITS ||
			    ap_mask_intersects(&v->must_set, &v->must_clear))
				break;
			mask_write(out, s->path, &v->must_set, &v->must_clear);
			break;
		}
		if (v->kind == AP_VERIFY_MDEV_MATRIX) {
			ap_config_step(out, s->uuid, &v->matrix, &v->matrix);
			break;
		}
		if (v->kind == AP_VERIFY_MIGRATABLE) {
			if (!strcmp(v->text, "0") || !strcmp(v->text, "1"))
				migratable_step(out, s->uuid, v->text[0] == '1');
			break;
		}
		if (v->kind != AP_VERIFY_MDEV_ID || v->dim > DIM_CDOM)
			break;
		/* exactly one id, set or cleared */
		assign = !ap_mask_is_empty(&v->must_set);
		if (ap_mask_weight(assign ? &v->must_set : &v->must_clear) != 1 ||
		    (assign && !ap_mask_is_empty(&v->must_clear)))
			break;
		id = ap_mask_next(assign ? &v->must_set : &v->must_clear, 0);
		before = v->matrix;
		id_step(out, s->uuid, (enum dim)v->dim, assign, (unsigned int)id, &before, &v->matrix);
		break;
	case AP_STEP_MDEV_CREATE:
		if (s->uuid[0])
			create_step(out, s->uuid);
		break;
	case AP_STEP_MDEV_REMOVE:
		if (s->uuid[0])
			remove_step(out, s->uuid);
		break;
	case AP_STEP_DEFINE_MDEV:
	case AP_STEP_UNDEFINE_MDEV:
		if (!s->uuid[0] || !def_path_ok(s->path, s->uuid) || v->kind != AP_VERIFY_NONE)
			break;
		*out = *s;
		return 0;
	case AP_STEP_PERSIST_MASKS:
		if (s->uuid[0] || strcmp(s->path, AP_FILE_UDEV_RULE) || v->kind != AP_VERIFY_NONE)
			break;
		*out = *s;
		return 0;
	case AP_STEP_FILE_RESTORE:
		if (v->kind != AP_VERIFY_NONE)
			break;
		if (s->uuid[0] ? !def_path_ok(s->path, s->uuid)
			       : strcmp(s->path, AP_FILE_UDEV_RULE) && !saved_path_ok(s->path))
			break;
		*out = *s;
		return 0;
	case AP_STEP_SAVE_OVERRIDE:
	case AP_STEP_UNSAVE_OVERRIDE:
		if (s->uuid[0] || !saved_path_ok(s->path) || v->kind != AP_VERIFY_NONE ||
		    (s->kind == AP_STEP_SAVE_OVERRIDE ? strcmp(s->data, "vfio_ap\n") : s->data[0] != 0))
			break;
		*out = *s;
		return 0;
	default:
		*why = _("its kind is unknown");
		return -1;
	}
	if (out->path[0] && !strcmp(out->path, s->path) && !strcmp(out->data, s->data) &&
	    out->verify.kind == v->kind && !strcmp(out->verify.path, v->path))
		return 0;
	*why = _("it is not a write apctl makes (its path, value or read-back do not match "
		 "what apctl would plan)");
	return -1;
}
