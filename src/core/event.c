/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apmask.h"
#include "core/event.h"
#include "core/idlist.h"
#include "i18n.h"

const char *ap_event_prop(const struct ap_event *ev, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; i < ev->n_props; i++)
		if (!strncmp(ev->props[i], key, k) && ev->props[i][k] == '=')
			return ev->props[i] + k + 1;
	return NULL;
}

static const char *const kind_names[] = {
	[AP_EVK_IGNORED] = "ignored",	   [AP_EVK_MASK] = "mask",
	[AP_EVK_BINDINGS] = "bindings",	   [AP_EVK_INITSCAN] = "initscan",
	[AP_EVK_CONFIG] = "config",	   [AP_EVK_ONLINE] = "online",
	[AP_EVK_DEVICE_ADD] = "device-add", [AP_EVK_DEVICE_REMOVE] = "device-remove",
	[AP_EVK_BIND] = "bind",		   [AP_EVK_UNBIND] = "unbind",
	[AP_EVK_MDEV_ADD] = "mdev-add",	   [AP_EVK_MDEV_REMOVE] = "mdev-remove",
	[AP_EVK_MATRIX] = "matrix",	   [AP_EVK_ASSIGN] = "assignment",
	[AP_EVK_GUEST] = "guest",	   [AP_EVK_DEFINITION] = "definition",
	[AP_EVK_RULE] = "rule",		   [AP_EVK_RESYNC] = "resync",
	[AP_EVK_OTHER] = "other",
};

const char *ap_event_kind_name(enum ap_ev_kind k)
{
	return k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "other";
}

/* "card%02x" / "%02x.%04x" exactly (lowercase, as the kernel names them) */
static bool parse_card(const char *s, int *a)
{
	unsigned int v;
	char chk[8];

	if (strlen(s) != 6 || sscanf(s, "card%2x", &v) != 1)
		return false;
	snprintf(chk, sizeof(chk), "card%02x", v);
	*a = (int)v;
	return !strcmp(chk, s);
}

static bool parse_queue(const char *s, int *a, int *d)
{
	unsigned int x, y;
	char chk[12];

	if (strlen(s) != 7 || sscanf(s, "%2x.%4x", &x, &y) != 2)
		return false;
	snprintf(chk, sizeof(chk), "%02x.%04x", x, y);
	*a = (int)x;
	*d = (int)y;
	return !strcmp(chk, s) && y <= AP_MAX_ID;
}

static bool uuid_ok(const char *s)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++)
		if (form[i] == '-' ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

enum ap_ev_kind ap_event_classify(const struct ap_event *ev, struct ap_ev_object *obj)
{
	const char *p = ev->devpath, *act = ev->action;

	obj->apid = obj->apqi = -1;
	obj->uuid[0] = '\0';
	if (ev->source == AP_EVS_OVERFLOW)
		return AP_EVK_RESYNC;
	if (ev->source != AP_EVS_UEVENT)
		return AP_EVK_OTHER;
	if (!strcmp(p, "/devices/ap")) {
		if (ap_event_prop(ev, "APMASK") || ap_event_prop(ev, "AQMASK"))
			return AP_EVK_MASK;
		if (ap_event_prop(ev, "BINDINGS"))
			return AP_EVK_BINDINGS;
		if (ap_event_prop(ev, "INITSCAN"))
			return AP_EVK_INITSCAN;
		return AP_EVK_OTHER;
	}
	if (!strncmp(p, "/devices/ap/", 12)) {
		char a[16], q[16];
		const char *rest = p + 12, *slash = strchr(rest, '/');

		if (!slash) {
			if (strlen(rest) >= sizeof(a) || !parse_card(rest, &obj->apid))
				return AP_EVK_IGNORED;
		} else {
			int card;

			snprintf(a, sizeof(a), "%.*s", (int)(slash - rest), rest);
			snprintf(q, sizeof(q), "%s", slash + 1);
			/* the queue's adapter is the card it is under */
			if (!parse_card(a, &card) || !parse_queue(q, &obj->apid, &obj->apqi) ||
			    strlen(slash + 1) >= sizeof(q) || card != obj->apid)
				return AP_EVK_IGNORED;
		}
		if (!strcmp(act, "change"))
			return ap_event_prop(ev, "CONFIG")   ? AP_EVK_CONFIG
			       : ap_event_prop(ev, "ONLINE") ? AP_EVK_ONLINE
							     : AP_EVK_OTHER;
		if (!strcmp(act, "add"))
			return AP_EVK_DEVICE_ADD;
		if (!strcmp(act, "remove"))
			return AP_EVK_DEVICE_REMOVE;
		if (!strcmp(act, "bind"))
			return obj->apqi >= 0 ? AP_EVK_BIND : AP_EVK_OTHER;
		if (!strcmp(act, "unbind"))
			return obj->apqi >= 0 ? AP_EVK_UNBIND : AP_EVK_OTHER;
		return AP_EVK_OTHER;
	}
	if (!strcmp(p, "/devices/vfio_ap/matrix"))
		return ap_event_prop(ev, "MDEV_STATE") ? AP_EVK_MATRIX : AP_EVK_OTHER;
	if (!strncmp(p, "/devices/vfio_ap/matrix/", 24) && uuid_ok(p + 24)) {
		snprintf(obj->uuid, sizeof(obj->uuid), "%s", p + 24);
		if (!strcmp(act, "add"))
			return AP_EVK_MDEV_ADD;
		if (!strcmp(act, "remove"))
			return AP_EVK_MDEV_REMOVE;
		/* bind/unbind of vfio_ap_mdev come with every add/remove */
		return AP_EVK_IGNORED;
	}
	return AP_EVK_IGNORED;
}

/* append "05.0004" style APQNs of (apm x aqm) to g */
static void add_apqns(struct ap_ev_guest *g, const struct ap_mask *apm, const struct ap_mask *aqm)
{
	int a, d;

	ap_mask_for_each(a, apm) {
		ap_mask_for_each(d, aqm) {
			size_t k = strlen(g->apqns);

			if (g->n < 12)
				snprintf(g->apqns + k, sizeof(g->apqns) - k, "%s%02x.%04x",
					 k ? ", " : "", a, d);
			else if (g->n == 12)
				snprintf(g->apqns + k, sizeof(g->apqns) - k, ", ...");
			g->n++;
		}
	}
}

/* the guests that hold APQNs of adapter a (d < 0: all its domains) */
static void guests_of(const struct ap_model *m, int a, int d, struct ap_ev_note *note)
{
	for (size_t i = 0; i < m->n_mdevs && note->n_leave < AP_EV_MAXGUESTS; i++) {
		const struct ap_mdev *md = &m->mdevs[i];
		struct ap_ev_guest *g = &note->leave[note->n_leave];
		struct ap_mask apm, aqm;

		if (!md->active || !md->guest_known)
			continue;
		ap_mask_zero(&apm);
		if (a >= 0)
			ap_mask_set(&apm, (unsigned int)a);
		ap_mask_and(&apm, &apm, &md->guest.apm);
		aqm = md->guest.aqm;
		if (d >= 0) {
			ap_mask_zero(&aqm);
			ap_mask_set(&aqm, (unsigned int)d);
			ap_mask_and(&aqm, &aqm, &md->guest.aqm);
		}
		if (ap_mask_is_empty(&apm) || ap_mask_is_empty(&aqm))
			continue;
		memset(g, 0, sizeof(*g));
		snprintf(g->uuid, sizeof(g->uuid), "%s", md->uuid);
		add_apqns(g, &apm, &aqm);
		note->n_leave++;
	}
}

/* "APQNs 05.0004, 05.00ab leave the guest of mdev 1111...; ..." */
static void leave_text(struct ap_ev_note *note, bool join)
{
	size_t k = 0;

	for (size_t i = 0; i < note->n_leave; i++) {
		const struct ap_ev_guest *g = &note->leave[i];

		k += (size_t)snprintf(note->effect + k, sizeof(note->effect) - k, "%s", k ? "; " : "");
		if (k >= sizeof(note->effect))
			break;
		k += (size_t)snprintf(note->effect + k, sizeof(note->effect) - k,
				      join ? _("APQNs %s join the guest of mdev %s")
					   : _("APQNs %s leave the guest of mdev %s"),
				      g->apqns, g->uuid);
		if (k >= sizeof(note->effect))
			break;
	}
}

static void obj_name(const struct ap_ev_object *o, char *buf, size_t sz)
{
	if (o->apqi >= 0)
		snprintf(buf, sz, _("queue %02x.%04x"), o->apid, o->apqi);
	else
		snprintf(buf, sz, _("adapter %02x"), o->apid);
}

static void explain_mask(const struct ap_event *ev, const struct ap_model *old,
			 struct ap_ev_note *note)
{
	const char *v = ap_event_prop(ev, "APMASK");
	const struct ap_mask *before;
	struct ap_mask now, gone, came;
	unsigned int digits;
	char a[AP_IDLIST_STRLEN];

	note->apmask = v != NULL;
	if (!v)
		v = ap_event_prop(ev, "AQMASK");
	digits = note->apmask ? 2 : 4;
	before = note->apmask ? &old->host.apmask : &old->host.aqmask;
	if (!v || ap_mask_parse(v, strlen(v), &now, NULL, NULL)) {
		snprintf(note->what, sizeof(note->what),
			 note->apmask ? _("apmask changed") : _("aqmask changed"));
		return;
	}
	/* a bit cleared: to vfio_ap; a bit set: back to the host */
	ap_mask_andnot(&gone, before, &now);
	ap_mask_andnot(&came, &now, before);
	ap_idlist_format_hex(&gone, digits, note->to_vfio, sizeof(note->to_vfio));
	ap_idlist_format_hex(&came, digits, note->to_host, sizeof(note->to_host));
	a[0] = '\0';
	if (note->to_vfio[0])
		snprintf(a, sizeof(a),
			 note->apmask ? _("adapters %s reserved for vfio_ap")
				      : _("domains %s reserved for vfio_ap"),
			 note->to_vfio);
	if (note->to_host[0]) {
		size_t k = strlen(a);

		snprintf(a + k, sizeof(a) - k, "%s", k ? ", " : "");
		k = strlen(a);
		snprintf(a + k, sizeof(a) - k,
			 note->apmask ? _("adapters %s returned to the host")
				      : _("domains %s returned to the host"),
			 note->to_host);
	}
	if (!a[0])
		snprintf(a, sizeof(a), "%s", _("no ownership changed"));
	snprintf(note->what, sizeof(note->what),
		 note->apmask ? _("apmask changed: %s") : _("aqmask changed: %s"), a);
}

void ap_event_explain(const struct ap_event *ev, enum ap_ev_kind kind,
		      const struct ap_ev_object *obj, const struct ap_model *old,
		      const struct ap_model *cur, struct ap_ev_note *note)
{
	char name[64];
	const char *v;

	memset(note, 0, sizeof(*note));
	note->kind = kind;
	note->obj = *obj;
	if (obj->apid >= 0)
		obj_name(obj, name, sizeof(name));
	else
		name[0] = '\0';
	switch (kind) {
	case AP_EVK_MASK:
		explain_mask(ev, old, note);
		break;
	case AP_EVK_BINDINGS:
		v = ap_event_prop(ev, "COMPLETECOUNT");
		note->complete_count = v ? strtoul(v, NULL, 10) : 0;
		if (cur->host.caps.bindings)
			snprintf(note->what, sizeof(note->what), _("bindings complete (%u of %u)"),
				 cur->host.bindings_bound, cur->host.bindings_total);
		else
			snprintf(note->what, sizeof(note->what), "%s", _("bindings complete"));
		break;
	case AP_EVK_INITSCAN:
		snprintf(note->what, sizeof(note->what), "%s", _("the first AP bus scan is done"));
		break;
	case AP_EVK_CONFIG:
		v = ap_event_prop(ev, "CONFIG");
		if (v && !strcmp(v, "0")) {
			snprintf(note->what, sizeof(note->what), _("%s configured off"), name);
			guests_of(old, obj->apid, obj->apqi, note);
			leave_text(note, false);
		} else {
			snprintf(note->what, sizeof(note->what), _("%s configured on"), name);
			guests_of(cur, obj->apid, obj->apqi, note);
			leave_text(note, true);
		}
		break;
	case AP_EVK_ONLINE:
		v = ap_event_prop(ev, "ONLINE");
		snprintf(note->what, sizeof(note->what),
			 v && !strcmp(v, "0") ? _("%s set offline") : _("%s set online"), name);
		break;
	case AP_EVK_DEVICE_ADD:
		snprintf(note->what, sizeof(note->what), _("%s appeared"), name);
		break;
	case AP_EVK_DEVICE_REMOVE:
		snprintf(note->what, sizeof(note->what), _("%s went away"), name);
		guests_of(old, obj->apid, obj->apqi, note);
		leave_text(note, false);
		break;
	case AP_EVK_BIND:
		v = ap_event_prop(ev, "DRIVER");
		snprintf(note->what, sizeof(note->what), _("%s bound to %s"), name, v ? v : "?");
		if (v && !strcmp(v, "vfio_ap"))
			snprintf(note->effect, sizeof(note->effect), "%s",
				 _("it can be assigned to guests"));
		else if (v && !strcmp(v, "cex4queue"))
			snprintf(note->effect, sizeof(note->effect), "%s",
				 _("the host uses it"));
		break;
	case AP_EVK_UNBIND:
		snprintf(note->what, sizeof(note->what), _("%s unbound"), name);
		break;
	case AP_EVK_MDEV_ADD:
		snprintf(note->what, sizeof(note->what), _("mdev %s created"), obj->uuid);
		break;
	case AP_EVK_MDEV_REMOVE:
		snprintf(note->what, sizeof(note->what), _("mdev %s removed"), obj->uuid);
		break;
	case AP_EVK_MATRIX:
		v = ap_event_prop(ev, "MDEV_STATE");
		snprintf(note->what, sizeof(note->what),
			 v && !strcmp(v, "registered") ? _("vfio_ap registered its matrix device")
						       : _("vfio_ap unregistered its matrix device"));
		break;
	case AP_EVK_RESYNC:
		snprintf(note->what, sizeof(note->what), "%s",
			 _("events were lost: the configuration was read again"));
		break;
	default:
		snprintf(note->what, sizeof(note->what), "%s %s", ev->action, ev->devpath);
		break;
	}
}

static void matrix_diff(const struct ap_matrix *o, const struct ap_matrix *n,
			struct ap_ev_guest *g)
{
	struct ap_mask apm, aqm;

	/* the APQNs of o that are not in n */
	for (int a = ap_mask_next(&o->apm, 0); a >= 0; a = ap_mask_next(&o->apm, a + 1)) {
		ap_mask_zero(&apm);
		ap_mask_set(&apm, (unsigned int)a);
		if (ap_mask_test(&n->apm, (unsigned int)a))
			ap_mask_andnot(&aqm, &o->aqm, &n->aqm);
		else
			aqm = o->aqm;
		add_apqns(g, &apm, &aqm);
	}
}

bool ap_event_mdev_diff(const struct ap_mdev *old, const struct ap_mdev *cur,
			struct ap_ev_note *note)
{
	struct ap_ev_guest gone = { 0 }, came = { 0 };

	memset(note, 0, sizeof(*note));
	note->obj.apid = note->obj.apqi = -1;
	snprintf(note->obj.uuid, sizeof(note->obj.uuid), "%s", cur->uuid);
	if (!ap_mask_equal(&old->live.apm, &cur->live.apm) ||
	    !ap_mask_equal(&old->live.aqm, &cur->live.aqm) ||
	    !ap_mask_equal(&old->live.adm, &cur->live.adm)) {
		note->kind = AP_EVK_ASSIGN;
		matrix_diff(&old->live, &cur->live, &gone);
		matrix_diff(&cur->live, &old->live, &came);
		snprintf(note->what, sizeof(note->what), _("assignments of mdev %s changed"),
			 cur->uuid);
	} else if (old->guest_known && cur->guest_known &&
		   (!ap_mask_equal(&old->guest.apm, &cur->guest.apm) ||
		    !ap_mask_equal(&old->guest.aqm, &cur->guest.aqm))) {
		note->kind = AP_EVK_GUEST;
		snprintf(note->what, sizeof(note->what), _("the guest matrix of mdev %s changed"),
			 cur->uuid);
	} else {
		return false;
	}
	/* the consequence for the guest: the guest matrix decides */
	if (old->guest_known && cur->guest_known) {
		memset(&gone, 0, sizeof(gone));
		memset(&came, 0, sizeof(came));
		matrix_diff(&old->guest, &cur->guest, &gone);
		matrix_diff(&cur->guest, &old->guest, &came);
	}
	if (gone.n) {
		note->leave[0] = gone;
		snprintf(note->leave[0].uuid, sizeof(note->leave[0].uuid), "%s", cur->uuid);
		note->n_leave = 1;
		leave_text(note, false);
	}
	if (came.n) {
		size_t k = strlen(note->effect);

		snprintf(note->effect + k, sizeof(note->effect) - k, "%s%s", k ? "; " : "", "");
		k = strlen(note->effect);
		snprintf(note->effect + k, sizeof(note->effect) - k,
			 _("APQNs %s join the guest of mdev %s"), came.apqns, cur->uuid);
	}
	return true;
}
