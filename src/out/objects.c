/* SPDX-License-Identifier: MIT */
/*
 * The column descriptors of cards, queues and mdevs: one getter per column
 * for the table cell and one for the JSON value, both reading the model.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apqn.h"
#include "core/owner.h"
#include "i18n.h"
#include "out/out.h"

/* ---- names ---------------------------------------------------------------- */

const char *ap_out_driver_name(enum ap_driver d)
{
	switch (d) {
	case AP_DRV_CEX4CARD:
		return "cex4card";
	case AP_DRV_CEX4QUEUE:
		return "cex4queue";
	case AP_DRV_VFIO_AP:
		return "vfio_ap";
	case AP_DRV_OTHER:
		return "other";
	case AP_DRV_NONE:
	default:
		return NULL;
	}
}

const char *ap_out_mode_name(enum ap_mode m)
{
	return ap_mode_name(m);
}

const char *ap_out_qstatus_name(enum ap_qstatus s)
{
	switch (s) {
	case AP_QS_UNASSIGNED:
		return "unassigned";
	case AP_QS_ASSIGNED:
		return "assigned";
	case AP_QS_IN_USE:
		return "in use";
	case AP_QS_NONE:
	default:
		return NULL;
	}
}

const char *ap_out_card_state(const struct ap_card *c)
{
	if (c->config == 0)
		return "deconfigured";
	if (c->chkstop == 1)
		return "checkstopped";
	if (c->online == 1)
		return "online";
	if (c->online == 0)
		return "offline";
	return "unknown";
}

const char *ap_out_queue_state(const struct ap_queue *q)
{
	if (q->config == 0)
		return "deconfigured";
	if (q->chkstop == 1)
		return "checkstopped";
	switch (q->driver) {
	case AP_DRV_CEX4QUEUE:
		if (q->online == 1)
			return "online";
		if (q->online == 0)
			return "offline";
		return "unknown";
	case AP_DRV_VFIO_AP:
		return ap_out_qstatus_name(q->status) ? ap_out_qstatus_name(q->status) : "vfio_ap";
	case AP_DRV_NONE:
		return "unbound";
	default:
		return "unknown";
	}
}

const char *ap_out_mdev_state(const struct ap_mdev *md)
{
	if (md->active && md->defined)
		return "both";
	return md->active ? "active" : "defined";
}

const struct ap_matrix *ap_out_mdev_matrix(const struct ap_mdev *md)
{
	return md->active ? &md->live : &md->def;
}

bool ap_out_mdev_differs(const struct ap_mdev *md)
{
	return md->active && md->defined && !ap_matrix_equal(&md->live, &md->def);
}

size_t ap_out_mdev_index(const struct ap_out_env *env, const struct ap_mdev *md)
{
	if (md < env->m->mdevs || md >= env->m->mdevs + env->m->n_mdevs)
		return 0;
	return (size_t)(md - env->m->mdevs) + 1;
}

/* ---- small helpers ------------------------------------------------------ */

static char *xstrdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *fmt_str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_str(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *yesno(bool b)
{
	return strdup(b ? "yes" : "no");
}

static struct json_object *tri_json(int8_t v)
{
	return v == AP_UNK ? NULL : json_object_new_boolean(v != 0);
}

static char *tri_text(int8_t v)
{
	return v == AP_UNK ? NULL : strdup(v ? "1" : "0");
}

static char *ids_text(const struct ap_mask *m, enum ap_idfmt f)
{
	char *s = ap_out_idlist(m, f);

	if (s && !*s) {
		free(s);
		return strdup("-");
	}
	return s;
}

/* ---- cards ---------------------------------------------------------------- */

#define CARD(o) ((const struct ap_card *)(o))

static size_t card_queue_count(const struct ap_host *h, unsigned int id)
{
	size_t lo = 0, hi = h->n_queues, n = 0;

	/* queues are sorted by (apid, apqi): binary search the first one */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->queues[mid].apid < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < h->n_queues && h->queues[lo + n].apid == id)
		n++;
	return n;
}

static char *card_id_text(const struct ap_out_env *e, const void *o)
{
	return fmt_str("%02x", CARD(o)->id);
}

static struct json_object *card_id_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_int((int)CARD(o)->id);
}

static struct json_object *card_name_json(const struct ap_out_env *e, const void *o)
{
	char b[4];

	snprintf(b, sizeof(b), "%02x", CARD(o)->id);
	return json_object_new_string(b);
}

static char *card_type_text(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->type[0] ? strdup(CARD(o)->type) : NULL;
}

static struct json_object *card_type_json(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->type[0] ? json_object_new_string(CARD(o)->type) : NULL;
}

static char *card_mode_text(const struct ap_out_env *e, const void *o)
{
	return xstrdup_or_null(ap_out_mode_name(CARD(o)->mode));
}

static struct json_object *card_mode_json(const struct ap_out_env *e, const void *o)
{
	return ap_json_string_or_null(ap_out_mode_name(CARD(o)->mode));
}

static char *card_state_text(const struct ap_out_env *e, const void *o)
{
	return strdup(ap_out_card_state(CARD(o)));
}

static struct json_object *card_state_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_string(ap_out_card_state(CARD(o)));
}

static char *card_hwtype_text(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->hwtype < 0 ? NULL : fmt_str("%d", CARD(o)->hwtype);
}

static struct json_object *card_hwtype_json(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->hwtype < 0 ? NULL : json_object_new_int(CARD(o)->hwtype);
}

static char *card_rawtype_text(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->raw_hwtype < 0 ? NULL : fmt_str("%d", CARD(o)->raw_hwtype);
}

static struct json_object *card_rawtype_json(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->raw_hwtype < 0 ? NULL : json_object_new_int(CARD(o)->raw_hwtype);
}

static char *card_depth_text(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->depth < 0 ? NULL : fmt_str("%d", CARD(o)->depth);
}

static struct json_object *card_depth_json(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->depth < 0 ? NULL : json_object_new_int(CARD(o)->depth);
}

static char *card_func_text(const struct ap_out_env *e, const void *o)
{
	return CARD(o)->functions_known ? fmt_str("0x%08x", CARD(o)->functions) : NULL;
}

static struct json_object *card_func_json(const struct ap_out_env *e, const void *o)
{
	char b[12];

	if (!CARD(o)->functions_known)
		return NULL;
	snprintf(b, sizeof(b), "0x%08x", CARD(o)->functions);
	return json_object_new_string(b);
}

/* the classification byte of ap_functions (model.h) */
static const char *card_class_name(const struct ap_card *c)
{
	if (!c->functions_known)
		return NULL;
	switch (c->functions & AP_FUNC_CLASS_MASK) {
	case AP_FUNC_CLASS_FULL:
		return "full";
	case AP_FUNC_CLASS_STATELESS:
		return "stateless";
	case 0:
		return "none";
	default:
		return "other";
	}
}

static char *card_class_text(const struct ap_out_env *e, const void *o)
{
	const char *n = card_class_name(CARD(o));

	return n ? strdup(n) : NULL;
}

static struct json_object *card_class_json(const struct ap_out_env *e, const void *o)
{
	return ap_json_string_or_null(card_class_name(CARD(o)));
}

static char *card_driver_text(const struct ap_out_env *e, const void *o)
{
	return strdup(ap_out_driver_name(CARD(o)->driver) ? ap_out_driver_name(CARD(o)->driver)
							   : "-");
}

static struct json_object *card_driver_json(const struct ap_out_env *e, const void *o)
{
	return ap_json_string_or_null(ap_out_driver_name(CARD(o)->driver));
}

static char *card_queues_text(const struct ap_out_env *e, const void *o)
{
	return fmt_str("%zu", card_queue_count(&e->m->host, CARD(o)->id));
}

static struct json_object *card_queues_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_int((int)card_queue_count(&e->m->host, CARD(o)->id));
}

static bool card_reserved(const struct ap_out_env *e, const struct ap_card *c)
{
	return e->m->host.caps.masks && !ap_mask_test(&e->m->host.apmask, c->id);
}

static char *card_reserved_text(const struct ap_out_env *e, const void *o)
{
	return yesno(card_reserved(e, CARD(o)));
}

static struct json_object *card_reserved_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_boolean(card_reserved(e, CARD(o)));
}

static char *card_config_text(const struct ap_out_env *e, const void *o)
{
	return tri_text(CARD(o)->config);
}

static struct json_object *card_config_json(const struct ap_out_env *e, const void *o)
{
	return tri_json(CARD(o)->config);
}

static char *card_chkstop_text(const struct ap_out_env *e, const void *o)
{
	return tri_text(CARD(o)->chkstop);
}

static struct json_object *card_chkstop_json(const struct ap_out_env *e, const void *o)
{
	return tri_json(CARD(o)->chkstop);
}

static char *card_online_text(const struct ap_out_env *e, const void *o)
{
	return tri_text(CARD(o)->online);
}

static struct json_object *card_online_json(const struct ap_out_env *e, const void *o)
{
	return tri_json(CARD(o)->online);
}

/*
 * The domains of a card's queues (all, those bound to vfio_ap, those bound
 * to vfio_ap whose ap_functions shows a Secure Execution bind state) as a
 * range list: what a live migration check needs of a host, compactly.
 */
enum card_doms { CD_ALL, CD_VFIO, CD_SE };

static struct json_object *card_doms_json(const struct ap_out_env *e, const void *o,
					  enum card_doms which)
{
	const struct ap_host *h = &e->m->host;
	unsigned int id = CARD(o)->id;
	struct ap_mask m = { 0 };
	struct json_object *j;
	size_t lo = 0, hi = h->n_queues;
	char *t;

	if (which == CD_SE && !h->qfunc_read)
		return NULL;	/* not read: unknown */
	while (lo < hi) {	/* the card's first queue: they are sorted */
		size_t mid = lo + (hi - lo) / 2;

		if (h->queues[mid].apid < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < h->n_queues && h->queues[i].apid == id; i++) {
		const struct ap_queue *q = &h->queues[i];

		if (which == CD_ALL || (q->driver == AP_DRV_VFIO_AP &&
					(which == CD_VFIO || (q->functions_known &&
							      (q->functions & AP_FUNC_SE_BS)))))
			ap_mask_set(&m, q->apqi);
	}
	t = ap_out_idlist(&m, AP_IDS_DEC);
	j = t ? json_object_new_string(t) : NULL;
	free(t);
	return j;
}

static struct json_object *card_qdoms_json(const struct ap_out_env *e, const void *o)
{
	return card_doms_json(e, o, CD_ALL);
}

static struct json_object *card_vdoms_json(const struct ap_out_env *e, const void *o)
{
	return card_doms_json(e, o, CD_VFIO);
}

static struct json_object *card_sedoms_json(const struct ap_out_env *e, const void *o)
{
	return card_doms_json(e, o, CD_SE);
}

static const struct ap_col card_cols[] = {
	{ "CARD", N_("card id (hex)"), 1, SCOLS_FL_RIGHT, "id", AP_J_NUMBER,
	  card_id_text, card_id_json, 0 },
	{ NULL, NULL, 0, 0, "name", AP_J_STRING, NULL, card_name_json, 0 },
	{ "TYPE", N_("card type, e.g. CEX7C"), 1, 0, "type", AP_J_STRING,
	  card_type_text, card_type_json, 0 },
	{ "MODE", N_("card mode: cca, ep11 or accel"), 1, 0, "mode", AP_J_STRING,
	  card_mode_text, card_mode_json, 0 },
	{ "STATUS", N_("online, offline, deconfigured, checkstopped"), 1, 0, "state", AP_J_STRING,
	  card_state_text, card_state_json, 0 },
	{ "DRIVER", N_("driver the card is bound to"), 1, 0, "driver", AP_J_STRING,
	  card_driver_text, card_driver_json, 0 },
	{ "QUEUES", N_("number of queue devices of the card"), 1, SCOLS_FL_RIGHT, "queues",
	  AP_J_NUMBER, card_queues_text, card_queues_json, AP_NEED_QUEUES },
	{ "RESERVED", N_("adapter reserved for vfio_ap (cleared in apmask)"), 1, 0, "reserved",
	  AP_J_BOOLEAN, card_reserved_text, card_reserved_json, 0 },
	{ "HWTYPE", N_("compatible hardware type (10 = CEX4 ... 14 = CEX8)"), 1, SCOLS_FL_RIGHT,
	  "hwtype", AP_J_NUMBER, card_hwtype_text, card_hwtype_json, 0 },
	{ "RAWTYPE", N_("real hardware type"), 1, SCOLS_FL_RIGHT, "raw_hwtype", AP_J_NUMBER,
	  card_rawtype_text, card_rawtype_json, 0 },
	{ "DEPTH", N_("queue depth"), 1, SCOLS_FL_RIGHT, "depth", AP_J_NUMBER,
	  card_depth_text, card_depth_json, 0 },
	{ "FUNCTIONS", N_("facility bits (ap_functions)"), 1, 0, "functions", AP_J_STRING,
	  card_func_text, card_func_json, 0 },
	{ "CLASS", N_("function class: full, stateless, none, other"), 1, 0,
	  "function_class", AP_J_STRING, card_class_text, card_class_json, 0 },
	{ "CONFIG", N_("1 when the card is configured"), 1, SCOLS_FL_RIGHT, "config",
	  AP_J_BOOLEAN, card_config_text, card_config_json, 0 },
	{ "CHKSTOP", N_("1 when the card is checkstopped"), 1, SCOLS_FL_RIGHT, "chkstop",
	  AP_J_BOOLEAN, card_chkstop_text, card_chkstop_json, 0 },
	{ "ONLINE", N_("1 when the card is online"), 1, SCOLS_FL_RIGHT, "online", AP_J_BOOLEAN,
	  card_online_text, card_online_json, 0 },
	{ NULL, NULL, 0, 0, "queue_domains", AP_J_STRING, NULL, card_qdoms_json, AP_NEED_QUEUES },
	{ NULL, NULL, 0, 0, "vfio_ap_domains", AP_J_STRING, NULL, card_vdoms_json,
	  AP_NEED_QUEUES },
	{ NULL, NULL, 0, 0, "se_bound_domains", AP_J_STRING, NULL, card_sedoms_json,
	  AP_NEED_QFUNC },
};

const struct ap_colset ap_card_cols = {
	"cards", card_cols, sizeof(card_cols) / sizeof(card_cols[0]),
	"CARD,TYPE,MODE,STATUS,DRIVER,QUEUES,RESERVED",
};

/* ---- queues --------------------------------------------------------------- */

#define QUEUE(o) ((const struct ap_queue *)(o))

static char *q_apqn_text(const struct ap_out_env *e, const void *o)
{
	char b[AP_APQN_STRLEN];

	ap_apqn_format(QUEUE(o)->apid, QUEUE(o)->apqi, b);
	return strdup(b);
}

static struct json_object *q_apqn_json(const struct ap_out_env *e, const void *o)
{
	char b[AP_APQN_STRLEN];

	ap_apqn_format(QUEUE(o)->apid, QUEUE(o)->apqi, b);
	return json_object_new_string(b);
}

static struct json_object *q_adapter_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_int((int)QUEUE(o)->apid);
}

static struct json_object *q_domain_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_int((int)QUEUE(o)->apqi);
}

static const struct ap_card *q_card(const struct ap_out_env *e, const void *o)
{
	return ap_host_find_card(&e->m->host, QUEUE(o)->apid);
}

static char *q_type_text(const struct ap_out_env *e, const void *o)
{
	const struct ap_card *c = q_card(e, o);

	return c ? card_type_text(e, c) : NULL;
}

static struct json_object *q_type_json(const struct ap_out_env *e, const void *o)
{
	const struct ap_card *c = q_card(e, o);

	return c ? card_type_json(e, c) : NULL;
}

static char *q_mode_text(const struct ap_out_env *e, const void *o)
{
	const struct ap_card *c = q_card(e, o);

	return c ? card_mode_text(e, c) : NULL;
}

static struct json_object *q_mode_json(const struct ap_out_env *e, const void *o)
{
	const struct ap_card *c = q_card(e, o);

	return c ? card_mode_json(e, c) : NULL;
}

static char *q_state_text(const struct ap_out_env *e, const void *o)
{
	return strdup(ap_out_queue_state(QUEUE(o)));
}

static struct json_object *q_state_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_string(ap_out_queue_state(QUEUE(o)));
}

static char *q_driver_text(const struct ap_out_env *e, const void *o)
{
	const char *d = ap_out_driver_name(QUEUE(o)->driver);

	return strdup(d ? d : "-");
}

static struct json_object *q_driver_json(const struct ap_out_env *e, const void *o)
{
	return ap_json_string_or_null(ap_out_driver_name(QUEUE(o)->driver));
}

static const char *q_owner(const struct ap_out_env *e, const struct ap_queue *q)
{
	if (!e->m->host.caps.masks)
		return "host";
	return ap_owner_host_owns(&e->m->host, q->apid, q->apqi) ? "host" : "vfio_ap";
}

static char *q_owner_text(const struct ap_out_env *e, const void *o)
{
	return strdup(q_owner(e, QUEUE(o)));
}

static struct json_object *q_owner_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_string(q_owner(e, QUEUE(o)));
}

static bool in_matrix(const struct ap_matrix *mx, unsigned int apid, unsigned int apqi)
{
	return ap_mask_test(&mx->apm, apid) && ap_mask_test(&mx->aqm, apqi);
}

/* live: the active mdevs holding the queue; else the definitions naming it */
static char *q_mdevs_text(const struct ap_out_env *e, const struct ap_queue *q, bool live)
{
	size_t i, len = 0;
	char *s = NULL;

	for (i = 0; i < e->m->n_mdevs; i++) {
		const struct ap_mdev *md = &e->m->mdevs[i];
		char *n;

		if (live ? !(md->active && in_matrix(&md->live, q->apid, q->apqi))
			 : !(md->defined && in_matrix(&md->def, q->apid, q->apqi)))
			continue;
		n = realloc(s, len + AP_UUID_STRLEN + 1);
		if (!n) {
			free(s);
			return NULL;
		}
		s = n;
		len += (size_t)sprintf(s + len, "%s%s", len ? "," : "", md->uuid);
	}
	return s;
}

static struct json_object *q_mdevs_json(const struct ap_out_env *e, const struct ap_queue *q,
					bool live)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < e->m->n_mdevs; i++) {
		const struct ap_mdev *md = &e->m->mdevs[i];

		if (live ? (md->active && in_matrix(&md->live, q->apid, q->apqi))
			 : (md->defined && in_matrix(&md->def, q->apid, q->apqi)))
			json_object_array_add(a, json_object_new_string(md->uuid));
	}
	return a;
}

static char *dash_if_null(char *s)
{
	return s ? s : strdup("-");
}

static char *q_mdev_text(const struct ap_out_env *e, const void *o)
{
	return dash_if_null(q_mdevs_text(e, QUEUE(o), true));
}

static struct json_object *q_mdev_json(const struct ap_out_env *e, const void *o)
{
	return q_mdevs_json(e, QUEUE(o), true);
}

static char *q_defined_text(const struct ap_out_env *e, const void *o)
{
	return dash_if_null(q_mdevs_text(e, QUEUE(o), false));
}

static struct json_object *q_defined_json(const struct ap_out_env *e, const void *o)
{
	return q_mdevs_json(e, QUEUE(o), false);
}

static struct json_object *q_vstatus_json(const struct ap_out_env *e, const void *o)
{
	return ap_json_string_or_null(ap_out_qstatus_name(QUEUE(o)->status));
}

static char *q_config_text(const struct ap_out_env *e, const void *o)
{
	return tri_text(QUEUE(o)->config);
}

static struct json_object *q_config_json(const struct ap_out_env *e, const void *o)
{
	return tri_json(QUEUE(o)->config);
}

static char *q_chkstop_text(const struct ap_out_env *e, const void *o)
{
	return tri_text(QUEUE(o)->chkstop);
}

static struct json_object *q_chkstop_json(const struct ap_out_env *e, const void *o)
{
	return tri_json(QUEUE(o)->chkstop);
}

static char *q_online_text(const struct ap_out_env *e, const void *o)
{
	return tri_text(QUEUE(o)->online);
}

static struct json_object *q_online_json(const struct ap_out_env *e, const void *o)
{
	return tri_json(QUEUE(o)->online);
}

static char *q_override_text(const struct ap_out_env *e, const void *o)
{
	return QUEUE(o)->driver_override[0] ? strdup(QUEUE(o)->driver_override) : NULL;
}

static struct json_object *q_override_json(const struct ap_out_env *e, const void *o)
{
	return QUEUE(o)->driver_override[0] ? json_object_new_string(QUEUE(o)->driver_override)
					    : NULL;
}

static const struct ap_col queue_cols[] = {
	{ "CARD.DOM", N_("APQN: card and domain (hex)"), 1, 0, "apqn", AP_J_STRING,
	  q_apqn_text, q_apqn_json, 0 },
	{ NULL, NULL, 0, 0, "adapter", AP_J_NUMBER, NULL, q_adapter_json, 0 },
	{ NULL, NULL, 0, 0, "domain", AP_J_NUMBER, NULL, q_domain_json, 0 },
	{ "TYPE", N_("card type, e.g. CEX7C"), 1, 0, "type", AP_J_STRING,
	  q_type_text, q_type_json, AP_NEED_CARDS },
	{ "MODE", N_("card mode: cca, ep11 or accel"), 1, 0, "mode", AP_J_STRING,
	  q_mode_text, q_mode_json, AP_NEED_CARDS },
	{ "STATUS", N_("online, offline, unbound, deconfigured, checkstopped, or the vfio_ap "
		       "status: unassigned, assigned, in use"),
	  1, 0, "state", AP_J_STRING, q_state_text, q_state_json, AP_NEED_QUEUE_DETAIL },
	{ NULL, NULL, 0, 0, "vfio_status", AP_J_STRING, NULL, q_vstatus_json, AP_NEED_QUEUE_DETAIL },
	{ "DRIVER", N_("driver the queue is bound to"), 1, 0, "driver", AP_J_STRING,
	  q_driver_text, q_driver_json, 0 },
	{ "OWNER", N_("host or vfio_ap: by apmask/aqmask, or by driver_override (6.19+)"), 1, 0, "owner",
	  AP_J_STRING, q_owner_text, q_owner_json, 0 },
	{ "MDEV", N_("active mdevs the APQN is assigned to"), 1, 0, "assigned_to",
	  AP_J_ARRAY, q_mdev_text, q_mdev_json, AP_NEED_MDEVS },
	{ "DEFINED", N_("mdevctl definitions naming the APQN"), 1, 0, "defined_for",
	  AP_J_ARRAY, q_defined_text, q_defined_json, AP_NEED_DEFS },
	{ "CONFIG", N_("1 when the queue is configured"), 1, SCOLS_FL_RIGHT, "config",
	  AP_J_BOOLEAN, q_config_text, q_config_json, AP_NEED_QUEUE_DETAIL },
	{ "CHKSTOP", N_("1 when the queue is checkstopped"), 1, SCOLS_FL_RIGHT, "chkstop",
	  AP_J_BOOLEAN, q_chkstop_text, q_chkstop_json, AP_NEED_QUEUE_DETAIL },
	{ "ONLINE", N_("1 when the queue is online (host driver only)"), 1, SCOLS_FL_RIGHT,
	  "online", AP_J_BOOLEAN, q_online_text, q_online_json, AP_NEED_QUEUE_DETAIL },
	{ "OVERRIDE", N_("driver_override of the queue"), 1, 0, "driver_override",
	  AP_J_STRING, q_override_text, q_override_json, 0 },
};

const struct ap_colset ap_queue_cols = {
	"queues", queue_cols, sizeof(queue_cols) / sizeof(queue_cols[0]),
	"CARD.DOM,TYPE,MODE,STATUS,DRIVER,OWNER,MDEV",
};

/* ---- mdevs ---------------------------------------------------------------- */

#define MDEV(o) ((const struct ap_mdev *)(o))

static char *md_uuid_text(const struct ap_out_env *e, const void *o)
{
	return strdup(MDEV(o)->uuid);
}

static struct json_object *md_uuid_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_string(MDEV(o)->uuid);
}

static char *md_index_text(const struct ap_out_env *e, const void *o)
{
	return fmt_str("%zu", ap_out_mdev_index(e, MDEV(o)));
}

static struct json_object *md_index_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_int((int)ap_out_mdev_index(e, MDEV(o)));
}

static char *md_state_text(const struct ap_out_env *e, const void *o)
{
	return strdup(ap_out_mdev_state(MDEV(o)));
}

static struct json_object *md_state_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_string(ap_out_mdev_state(MDEV(o)));
}

/* the v1 migration patch's per-mdev switch: "-" where the kernel has none */
static char *md_migratable_text(const struct ap_out_env *e, const void *o)
{
	return MDEV(o)->migratable == AP_UNK ? strdup("-") : yesno(MDEV(o)->migratable == 1);
}

static struct json_object *md_migratable_json(const struct ap_out_env *e, const void *o)
{
	return MDEV(o)->migratable == AP_UNK ? NULL
					     : json_object_new_boolean(MDEV(o)->migratable == 1);
}

static char *md_active_text(const struct ap_out_env *e, const void *o)
{
	return yesno(MDEV(o)->active);
}

static struct json_object *md_active_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_boolean(MDEV(o)->active);
}

static char *md_defined_text(const struct ap_out_env *e, const void *o)
{
	return yesno(MDEV(o)->defined);
}

static struct json_object *md_defined_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_boolean(MDEV(o)->defined);
}

static const char *md_start(const struct ap_mdev *md)
{
	if (!md->defined)
		return NULL;
	return md->autostart ? "auto" : "manual";
}

static char *md_start_text(const struct ap_out_env *e, const void *o)
{
	return strdup(md_start(MDEV(o)) ? md_start(MDEV(o)) : "-");
}

static struct json_object *md_start_json(const struct ap_out_env *e, const void *o)
{
	return ap_json_string_or_null(md_start(MDEV(o)));
}

bool ap_out_guest_unknown(const struct ap_out_env *e, const struct ap_mdev *md)
{
	return md->active && !md->guest_known && !e->m->host.caps.queue_status;
}

static char *md_guest_text(const struct ap_out_env *e, const void *o)
{
	if (ap_out_guest_unknown(e, MDEV(o)))
		return strdup("?");
	return yesno(MDEV(o)->active && MDEV(o)->in_use);
}

static struct json_object *md_guest_json(const struct ap_out_env *e, const void *o)
{
	if (ap_out_guest_unknown(e, MDEV(o)))
		return NULL;
	return json_object_new_boolean(MDEV(o)->active && MDEV(o)->in_use);
}

static char *md_adapters_text(const struct ap_out_env *e, const void *o)
{
	return ids_text(&ap_out_mdev_matrix(MDEV(o))->apm, AP_IDS_ADAPTER);
}

static char *md_domains_text(const struct ap_out_env *e, const void *o)
{
	return ids_text(&ap_out_mdev_matrix(MDEV(o))->aqm, AP_IDS_DOMAIN);
}

static char *md_cdoms_text(const struct ap_out_env *e, const void *o)
{
	return ids_text(&ap_out_mdev_matrix(MDEV(o))->adm, AP_IDS_DOMAIN);
}

static unsigned int md_apqn_count(const struct ap_mdev *md)
{
	const struct ap_matrix *mx = ap_out_mdev_matrix(md);

	return ap_mask_weight(&mx->apm) * ap_mask_weight(&mx->aqm);
}

static char *md_apqns_text(const struct ap_out_env *e, const void *o)
{
	return fmt_str("%u", md_apqn_count(MDEV(o)));
}

static struct json_object *md_apqns_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_int((int)md_apqn_count(MDEV(o)));
}

static char *md_guestmx_text(const struct ap_out_env *e, const void *o)
{
	const struct ap_mdev *md = MDEV(o);

	if (!md->active || !md->guest_known)
		return NULL;
	return fmt_str("%u", ap_mask_weight(&md->guest.apm) * ap_mask_weight(&md->guest.aqm));
}

static char *md_note_text(const struct ap_out_env *e, const void *o)
{
	const struct ap_mdev *md = MDEV(o);
	char *a, *d, *c, *s;

	if (md->active && md->remove_pending)
		return strdup(_("removal pending: the guest still holds the device"));
	if (!ap_out_mdev_differs(md))
		return strdup("-");
	a = ids_text(&md->def.apm, AP_IDS_ADAPTER);
	d = ids_text(&md->def.aqm, AP_IDS_DOMAIN);
	c = ids_text(&md->def.adm, AP_IDS_DOMAIN);
	s = (a && d && c) ? fmt_str(_("definition differs: adapters %s, domains %s, "
				      "control domains %s"), a, d, c)
			  : NULL;
	free(a);
	free(d);
	free(c);
	return s;
}

static struct json_object *md_differs_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_boolean(ap_out_mdev_differs(MDEV(o)));
}

static struct json_object *md_pending_json(const struct ap_out_env *e, const void *o)
{
	return json_object_new_boolean(MDEV(o)->active && MDEV(o)->remove_pending);
}

static struct json_object *md_live_json(const struct ap_out_env *e, const void *o)
{
	return MDEV(o)->active ? ap_json_matrix(&MDEV(o)->live, true) : NULL;
}

static struct json_object *md_def_json(const struct ap_out_env *e, const void *o)
{
	return MDEV(o)->defined ? ap_json_matrix(&MDEV(o)->def, true) : NULL;
}

static struct json_object *md_guestmx_json(const struct ap_out_env *e, const void *o)
{
	const struct ap_mdev *md = MDEV(o);

	return md->active && md->guest_known ? ap_json_matrix(&md->guest, false) : NULL;
}

static struct json_object *md_guestcut_json(const struct ap_out_env *e, const void *o)
{
	const struct ap_mdev *md = MDEV(o);

	return md->active && md->guest_known ? json_object_new_boolean(md->guest_truncated)
					     : NULL;
}

static const struct ap_col mdev_cols[] = {
	{ "UUID", N_("mdev UUID"), 1, 0, "uuid", AP_J_STRING, md_uuid_text, md_uuid_json, 0 },
	{ "INDEX", N_("short number used in 'show matrix'"), 1, SCOLS_FL_RIGHT, "index",
	  AP_J_NUMBER, md_index_text, md_index_json, 0 },
	{ "STATE", N_("active (in sysfs), defined (mdevctl definition) or both"), 1, 0,
	  "state", AP_J_STRING, md_state_text, md_state_json, 0 },
	{ "ACTIVE", N_("yes when the mdev exists in sysfs"), 1, 0, "active", AP_J_BOOLEAN,
	  md_active_text, md_active_json, 0 },
	{ "DEFINED", N_("yes when mdevctl has a definition for it"), 1, 0, "defined",
	  AP_J_BOOLEAN, md_defined_text, md_defined_json, 0 },
	{ "START", N_("auto or manual start of the definition"), 1, 0, "start", AP_J_STRING,
	  md_start_text, md_start_json, 0 },
	{ "GUEST", N_("yes when a guest uses the mdev (? when the kernel cannot tell)"), 1, 0, "in_use", AP_J_BOOLEAN,
	  md_guest_text, md_guest_json, AP_NEED_GUEST },
	{ "ADAPTERS", N_("assigned adapters (live if active, else defined)"), 1, 0, NULL,
	  AP_J_STRING, md_adapters_text, NULL, 0 },
	{ "DOMAINS", N_("assigned usage domains"), 1, 0, NULL, AP_J_STRING,
	  md_domains_text, NULL, 0 },
	{ "CONTROL", N_("assigned control domains"), 1, 0, NULL, AP_J_STRING,
	  md_cdoms_text, NULL, 0 },
	{ "APQNS", N_("number of assigned APQNs"), 1, SCOLS_FL_RIGHT, "apqn_count",
	  AP_J_NUMBER, md_apqns_text, md_apqns_json, 0 },
	{ "GUESTAPQNS", N_("number of APQNs passed to the guest (guest_matrix)"), 1,
	  SCOLS_FL_RIGHT, NULL, AP_J_NUMBER, md_guestmx_text, NULL, AP_NEED_GUEST },
	{ "NOTE", N_("a pending removal, or how the definition differs from the live mdev"),
	  1, 0, "definition_differs", AP_J_BOOLEAN, md_note_text, md_differs_json, 0 },
	{ NULL, NULL, 0, 0, "remove_pending", AP_J_BOOLEAN, NULL, md_pending_json, 0 },
	{ NULL, NULL, 0, 0, "live", AP_J_OBJECT, NULL, md_live_json, 0 },
	{ NULL, NULL, 0, 0, "definition", AP_J_OBJECT, NULL, md_def_json, 0 },
	{ NULL, NULL, 0, 0, "guest", AP_J_OBJECT, NULL, md_guestmx_json, AP_NEED_GUEST },
	{ NULL, NULL, 0, 0, "guest_truncated", AP_J_BOOLEAN, NULL, md_guestcut_json,
	  AP_NEED_GUEST },
	{ "MIGRATABLE", N_("live migration allowed (the kernel's per-mdev switch; - where it "
			   "has none)"), 1, 0, "migratable", AP_J_BOOLEAN, md_migratable_text,
	  md_migratable_json, AP_NEED_MDEVS },
};

const struct ap_colset ap_mdev_cols = {
	"mdevs", mdev_cols, sizeof(mdev_cols) / sizeof(mdev_cols[0]),
	"INDEX,UUID,STATE,START,GUEST,ADAPTERS,DOMAINS,CONTROL,APQNS,NOTE",
};
