/* SPDX-License-Identifier: MIT */
/*
 * Live guest migration rules (see migrate.h).  Facts: the vfio_ap
 * documentation's chapter "Live Guest Migration" (v1) and the later
 * versions of the patch series (v2-v4), as summarised in scenarios.md.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apqn.h"
#include "core/idlist.h"
#include "core/migrate.h"
#include "i18n.h"

/* ---- what a host offers ----------------------------------------------------- */

static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = list; *p;) {
		size_t w;

		p += strspn(p, " \t\n");
		w = strcspn(p, " \t\n");
		if (w == n && !strncmp(p, tok, n))
			return true;
		p += w;
	}
	return false;
}

enum ap_mig_variant ap_mig_variant_of(const struct ap_host *h)
{
	if (h->caps.mdev_migratable)
		return AP_MIG_V1;
	if (has_token(h->matrix_features, "migratable"))
		return AP_MIG_V4;
	return AP_MIG_NONE;
}

const char *ap_mig_variant_name(enum ap_mig_variant v)
{
	return v == AP_MIG_V1 ? "v1" : v == AP_MIG_V4 ? "v4" : NULL;
}

bool ap_mig_slcf_visible(const struct ap_host *h)
{
	return h->caps.driver_override;
}

void ap_mig_host_free(struct ap_mig_host *h)
{
	free(h->mdevs);
	h->mdevs = NULL;
	h->n_mdevs = 0;
}

const struct ap_mig_mdev *ap_mig_find_mdev(const struct ap_mig_host *h, const char *uuid)
{
	for (size_t i = 0; i < h->n_mdevs; i++)
		if (!strcmp(h->mdevs[i].uuid, uuid))
			return &h->mdevs[i];
	return NULL;
}

/* ---- reading a document ------------------------------------------------------ */

struct jctx {
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 2, 3)))
static int jfail(struct jctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* key of o of type t; NULL when missing or JSON null (*present says which) */
static int jkey(struct jctx *c, struct json_object *o, const char *path, const char *k,
		enum json_type t, bool nullable, struct json_object **out)
{
	struct json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(o, k, &v))
		return jfail(c, _("the document lacks '%s%s'"), path, k);
	if (!v) {
		if (nullable)
			return 0;
		return jfail(c, _("'%s%s' is null"), path, k);
	}
	if (!json_object_is_type(v, t))
		return jfail(c, _("'%s%s' has the wrong type"), path, k);
	*out = v;
	return 0;
}

/* an id between 0 and 255 */
static int jid(struct jctx *c, struct json_object *v, const char *what, unsigned int *id)
{
	int64_t x;

	if (!v || !json_object_is_type(v, json_type_int))
		return jfail(c, _("%s: an id is not a number"), what);
	x = json_object_get_int64(v);
	if (x < 0 || x >= AP_MASK_BITS)
		return jfail(c, _("%s: id %lld is out of range (0 to 255)"), what, (long long)x);
	*id = (unsigned int)x;
	return 0;
}

/* {"ids": [..], ...} into m; null gives the empty set */
static int jmask(struct jctx *c, struct json_object *o, const char *what, struct ap_mask *m)
{
	struct json_object *ids;
	unsigned int id;

	ap_mask_zero(m);
	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ids", &ids) || !json_object_is_type(ids, json_type_array))
		return jfail(c, _("%s: not an object with an 'ids' array"), what);
	for (size_t i = 0; i < json_object_array_length(ids); i++) {
		if (jid(c, json_object_array_get_idx(ids, i), what, &id))
			return -1;
		ap_mask_set(m, id);
	}
	return 0;
}

/* "4,71,0-255" (apctl's own output) into m; "" is the empty set */
static int jranges(struct jctx *c, struct json_object *v, const char *what, struct ap_mask *m)
{
	struct ap_idlist l;
	struct ap_idlist_error e;
	const char *s = json_object_get_string(v);

	ap_mask_zero(m);
	if (!*s)
		return 0;
	if (ap_idlist_parse(s, AP_MASK_BITS - 1, false, &l, &e))
		return jfail(c, _("%s: '%.40s' is not a list of ids"), what, s);
	*m = l.set;
	return 0;
}

static int jmatrix(struct jctx *c, struct json_object *o, const char *what, struct ap_matrix *mx)
{
	struct json_object *v;
	char w[96];

	memset(mx, 0, sizeof(*mx));
	if (!json_object_is_type(o, json_type_object))
		return jfail(c, _("%s is not an object"), what);
	snprintf(w, sizeof(w), "%s.adapters", what);
	if (!json_object_object_get_ex(o, "adapters", &v))
		return jfail(c, _("%s: no valid 'adapters'"), what);
	if (jmask(c, v, w, &mx->apm))
		return -1;
	snprintf(w, sizeof(w), "%s.domains", what);
	if (!json_object_object_get_ex(o, "domains", &v))
		return jfail(c, _("%s: no valid 'domains'"), what);
	if (jmask(c, v, w, &mx->aqm))
		return -1;
	snprintf(w, sizeof(w), "%s.control_domains", what);
	if (json_object_object_get_ex(o, "control_domains", &v) && jmask(c, v, w, &mx->adm))
		return -1;
	return 0;
}

static int j_card(struct jctx *c, struct json_object *o, struct ap_mig_host *h, size_t i)
{
	struct json_object *v;
	struct ap_mig_card *cd;
	unsigned int id;
	char p[48], what[64];

	snprintf(p, sizeof(p), "cards[%zu].", i);
	if (!json_object_is_type(o, json_type_object))
		return jfail(c, _("'%s' is not an object"), p);
	if (jkey(c, o, p, "id", json_type_int, false, &v) || jid(c, v, p, &id))
		return -1;
	cd = &h->cards[id];
	if (cd->present)
		return jfail(c, _("card %02x appears twice"), id);
	cd->present = true;
	cd->hwtype = cd->raw_hwtype = -1;
	if (jkey(c, o, p, "hwtype", json_type_int, true, &v))
		return -1;
	if (v)
		cd->hwtype = json_object_get_int(v);
	if (jkey(c, o, p, "raw_hwtype", json_type_int, true, &v))
		return -1;
	if (v)
		cd->raw_hwtype = json_object_get_int(v);
	if (jkey(c, o, p, "functions", json_type_string, true, &v))
		return -1;
	if (v) {
		const char *s = json_object_get_string(v);
		char *end;
		unsigned long f;

		if (strncmp(s, "0x", 2) || strlen(s) != 10 || strspn(s + 2, "0123456789ABCDEFabcdef") != 8)
			return jfail(c, _("'%sfunctions' is not a 0x%%08X word"), p);
		f = strtoul(s + 2, &end, 16);
		cd->functions = (uint32_t)f;
		cd->functions_known = true;
	}
	snprintf(what, sizeof(what), "%squeue_domains", p);
	if (jkey(c, o, p, "queue_domains", json_type_string, false, &v) ||
	    jranges(c, v, what, &cd->domains))
		return -1;
	snprintf(what, sizeof(what), "%svfio_ap_domains", p);
	if (jkey(c, o, p, "vfio_ap_domains", json_type_string, false, &v) ||
	    jranges(c, v, what, &cd->vfio))
		return -1;
	snprintf(what, sizeof(what), "%sse_bound_domains", p);
	if (jkey(c, o, p, "se_bound_domains", json_type_string, true, &v))
		return -1;
	cd->se_known = v != NULL;
	if (v && jranges(c, v, what, &cd->se))
		return -1;
	return 0;
}

/* 8-4-4-4-12 hex digits */
static bool uuid_ok(const char *u)
{
	if (strlen(u) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !strchr("0123456789abcdefABCDEF", u[i]) || !u[i])
			return false;
	}
	return true;
}

static int j_mdev(struct jctx *c, struct json_object *o, struct ap_mig_mdev *md, size_t i)
{
	struct json_object *v;
	char p[48], what[64];
	const char *u;

	snprintf(p, sizeof(p), "mdevs[%zu].", i);
	if (!json_object_is_type(o, json_type_object))
		return jfail(c, _("'%s' is not an object"), p);
	if (jkey(c, o, p, "uuid", json_type_string, false, &v))
		return -1;
	u = json_object_get_string(v);
	if (!uuid_ok(u))
		return jfail(c, _("'%suuid' is not a UUID"), p);
	for (size_t k = 0; k < 36; k++)
		md->uuid[k] = (char)((u[k] >= 'A' && u[k] <= 'F') ? u[k] - 'A' + 'a' : u[k]);
	if (jkey(c, o, p, "active", json_type_boolean, false, &v))
		return -1;
	md->active = json_object_get_boolean(v);
	if (jkey(c, o, p, "in_use", json_type_boolean, true, &v))
		return -1;
	md->in_use = v && json_object_get_boolean(v);
	if (jkey(c, o, p, "migratable", json_type_boolean, true, &v))
		return -1;
	md->migratable = v ? (int8_t)json_object_get_boolean(v) : AP_UNK;
	if (jkey(c, o, p, "live", json_type_object, true, &v))
		return -1;
	snprintf(what, sizeof(what), "%slive", p);
	if (v && jmatrix(c, v, what, &md->live))
		return -1;
	if (md->active && !v)
		return jfail(c, _("'%slive' is null for an active mdev"), p);
	if (json_object_object_get_ex(o, "guest", &v) && v) {
		snprintf(what, sizeof(what), "%sguest", p);
		if (jmatrix(c, v, what, &md->guest))
			return -1;
		md->guest_known = true;
	}
	return 0;
}

int ap_mig_host_from_json(struct json_object *doc, struct ap_mig_host *h, char *err,
			  size_t errsz)
{
	struct jctx c = { err, errsz };
	struct json_object *v, *host, *mig, *cards, *mdevs, *cfg;
	int64_t level;

	if (!json_object_is_type(doc, json_type_object))
		return jfail(&c, _("the document is not a JSON object"));
	if (jkey(&c, doc, "", "api_level", json_type_int, false, &v))
		return -1;
	level = json_object_get_int64(v);
	if (level != 1)
		return jfail(&c, _("the document has api_level %lld; this apctl reads level 1 "
				   "(use the same apctl version on both hosts)"), (long long)level);
	if (jkey(&c, doc, "", "view", json_type_string, false, &v))
		return -1;
	if (strcmp(json_object_get_string(v), "summary"))
		return jfail(&c, _("the document is the '%.20s' view, not the summary of 'apctl show "
				   "--json'"), json_object_get_string(v));
	if (json_object_object_get_ex(doc, "error", &v))
		return jfail(&c, _("the document is the error report of a failed 'apctl show'"));
	if (jkey(&c, doc, "", "host", json_type_object, false, &host))
		return -1;
	if (!json_object_object_get_ex(host, "migration", &mig))
		return jfail(&c, _("the document lacks 'host.migration': it was made by an apctl "
				   "without migration support (use the same apctl version on both "
				   "hosts)"));
	if (jkey(&c, host, "host.", "migration", json_type_object, false, &mig) ||
	    jkey(&c, mig, "host.migration.", "variant", json_type_string, true, &v))
		return -1;
	if (!v)
		h->variant = AP_MIG_NONE;
	else if (!strcmp(json_object_get_string(v), "v1"))
		h->variant = AP_MIG_V1;
	else if (!strcmp(json_object_get_string(v), "v4"))
		h->variant = AP_MIG_V4;
	else
		return jfail(&c, _("'host.migration.variant' is neither v1, v4 nor null"));
	if (jkey(&c, mig, "host.migration.", "se_guest", json_type_boolean, false, &v))
		return -1;
	h->se_guest = json_object_get_boolean(v);
	if (jkey(&c, mig, "host.migration.", "slcf_visible", json_type_boolean, false, &v))
		return -1;
	h->slcf_visible = json_object_get_boolean(v);
	if (jkey(&c, host, "host.", "configuration", json_type_object, true, &cfg))
		return -1;
	if (cfg) {
		if (!json_object_object_get_ex(cfg, "control_domains", &v) ||
		    jmask(&c, v, "host.configuration.control_domains", &h->cfg_adm))
			return jfail(&c, _("'host.configuration.control_domains' is missing or "
					   "malformed"));
		h->cfg_known = true;
	}
	if (json_object_object_get_ex(host, "apmask", &v) && v) {
		if (jmask(&c, v, "host.apmask", &h->apmask))
			return -1;
		if (!json_object_object_get_ex(host, "aqmask", &v) ||
		    jmask(&c, v, "host.aqmask", &h->aqmask))
			return jfail(&c, _("'host.aqmask' is missing or malformed"));
		h->masks_known = true;
	}
	if (jkey(&c, doc, "", "cards", json_type_array, false, &cards))
		return -1;
	for (size_t i = 0; i < json_object_array_length(cards); i++)
		if (j_card(&c, json_object_array_get_idx(cards, i), h, i))
			return -1;
	if (jkey(&c, doc, "", "mdevs", json_type_array, false, &mdevs))
		return -1;
	if (json_object_array_length(mdevs) > 65536)
		return jfail(&c, _("the document lists more mdevs than a host can have"));
	h->n_mdevs = json_object_array_length(mdevs);
	h->mdevs = calloc(h->n_mdevs ? h->n_mdevs : 1, sizeof(*h->mdevs));
	if (!h->mdevs)
		return jfail(&c, _("out of memory"));
	for (size_t i = 0; i < h->n_mdevs; i++) {
		if (j_mdev(&c, json_object_array_get_idx(mdevs, i), &h->mdevs[i], i))
			return -1;
		if (ap_mig_find_mdev(h, h->mdevs[i].uuid) != &h->mdevs[i])
			return jfail(&c, _("mdev %s appears twice"), h->mdevs[i].uuid);
	}
	return 0;
}

/* ---- findings ------------------------------------------------------------------ */

static char *vfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

__attribute__((format(printf, 2, 3)))
static char *fmt(int unused, const char *f, ...)
{
	va_list ap;
	char *s;

	(void)unused;
	va_start(ap, f);
	s = vfmt(f, ap);
	va_end(ap);
	return s;
}

/* add a finding (takes reason, log and fix); -1 when memory ran short */
static int add(struct ap_mig_verdict *v, enum ap_mig_sev sev, const char *rule, int a, int d,
	       char *reason, char *log, char *fix)
{
	struct ap_mig_finding *f = realloc(v->f, (v->n + 1) * sizeof(*f));

	if (!f || !reason) {
		free(reason);
		free(log);
		free(fix);
		if (f)
			v->f = f;
		return -1;
	}
	v->f = f;
	f[v->n++] = (struct ap_mig_finding){ sev, rule, a, d, reason, log, fix };
	if (sev == AP_MIG_ERROR)
		v->ok = false;
	return 0;
}

void ap_mig_verdict_free(struct ap_mig_verdict *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->f[i].reason);
		free(v->f[i].log);
		free(v->f[i].fix);
	}
	free(v->f);
	v->f = NULL;
	v->n = 0;
}

static char *ids_text(const struct ap_mask *m)
{
	char buf[1024];

	if (ap_idlist_format(m, buf, sizeof(buf)) < 0)
		return NULL;
	return strdup(buf);
}

/* the guest configuration of a source mdev: what its guest has, else its
 * assignments; control domains are the assigned ones */
static void guest_config(const struct ap_mig_mdev *md, struct ap_matrix *g)
{
	*g = md->guest_known ? md->guest : md->live;
	g->adm = md->live.adm;
}

static const char *type_name(int t, char *buf, size_t n)
{
	if (t >= 10)
		snprintf(buf, n, "CEX%d (%d)", t - 6, t);
	else
		snprintf(buf, n, "%d", t);
	return buf;
}

static const char *mode_word(uint32_t f)
{
	const char *n = ap_mode_name(ap_mode_from_functions(f));

	return n ? n : "?";
}

/* the v1 kernel's line for incompatible queues (the documentation gives it) */
static char *incompat_log(const struct ap_mig_host *dst, const char *apqn)
{
	if (dst->variant != AP_MIG_V1)
		return NULL;
	return fmt(0, "Source and target queues (%s) are not compatible", apqn);
}

static const struct {
	uint32_t bit;
	const char *rule, *name;
} facility_bits[] = {
	{ AP_FUNC_APSC, "apsc", "APSC" },
	{ AP_FUNC_AP4KM, "ap4km", "AP4KM" },
	{ AP_FUNC_AP4KC, "ap4kc", "AP4KC" },
	{ AP_FUNC_APXA, "apxa", "APXA" },
};

/* Secure Execution state of one APQN on both sides */
static int check_se(const struct ap_mig_host *src, const struct ap_mig_host *dst, unsigned int a,
		    unsigned int d, struct ap_mig_verdict *v)
{
	char q[AP_APQN_STRLEN];
	int rc = 0;

	ap_apqn_format(a, d, q);
	for (int k = 0; k < 2; k++) {
		const struct ap_mig_card *c = k ? &dst->cards[a] : &src->cards[a];

		if (c->se_known && ap_mask_test(&c->se, d))
			rc |= add(v, AP_MIG_ERROR, "se-bound", (int)a, (int)d,
				  fmt(0, k ? _("queue %s is bound or associated for Secure Execution "
					       "on the destination")
					   : _("queue %s is bound or associated for Secure Execution "
					       "on the source"), q),
				  NULL,
				  fmt(0, _("unbind it in the Secure Execution guest that uses it "
					   "(se_bind), or take it out of this guest's configuration")));
	}
	return rc;
}

/* the hardware of adapter a on both sides; d: the guest's first domain, for
 * the kernel's log line */
static int check_adapter(const struct ap_mig_host *src, const struct ap_mig_host *dst,
			 unsigned int a, unsigned int d, struct ap_mig_verdict *v)
{
	const struct ap_mig_card *s = &src->cards[a], *t = &dst->cards[a];
	char q[AP_APQN_STRLEN], b1[32], b2[32];
	int rc = 0;

	ap_apqn_format(a, d, q);
	if (!s->functions_known || !t->functions_known) {
		return add(v, AP_MIG_WARNING, "functions-unknown", (int)a, -1,
			   fmt(0, !t->functions_known
					  ? _("the facilities of adapter %02x are not known on the "
					      "destination: its queues were not compared")
					  : _("the facilities of adapter %02x are not known on the "
					      "source: its queues were not compared"), a),
			   NULL, fmt(0, _("run a kernel of 6.4 or later, which shows "
					  "ap_functions")));
	}
	for (size_t i = 0; i < sizeof(facility_bits) / sizeof(facility_bits[0]); i++) {
		uint32_t b = facility_bits[i].bit;

		if ((s->functions & b) == (t->functions & b))
			continue;
		rc |= add(v, AP_MIG_ERROR, facility_bits[i].rule, (int)a, -1,
			  fmt(0, _("adapter %02x: %s is %s on the source and %s on the destination"),
			      a, facility_bits[i].name,
			      (s->functions & b) ? _("available") : _("missing"),
			      (t->functions & b) ? _("available") : _("missing")),
			  incompat_log(dst, q),
			  fmt(0, _("migrate to a host whose adapter %02x has the same facilities "
				   "(see 'apctl show cards -o +FUNCTIONS' on both)"), a));
	}
	if (ap_mode_from_functions(s->functions) != ap_mode_from_functions(t->functions))
		rc |= add(v, AP_MIG_ERROR, "mode", (int)a, -1,
			  fmt(0, _("adapter %02x is in %s mode on the source and in %s mode on "
				   "the destination"),
			      a, mode_word(s->functions), mode_word(t->functions)),
			  incompat_log(dst, q),
			  fmt(0, _("configure adapter %02x of the destination to %s mode (on the "
				   "HMC or SE), or migrate to a host where it is"),
			      a, mode_word(s->functions)));
	if (src->slcf_visible && dst->slcf_visible) {
		if ((s->functions & AP_FUNC_SLCF) != (t->functions & AP_FUNC_SLCF))
			rc |= add(v, AP_MIG_ERROR, "slcf", (int)a, -1,
				  fmt(0, _("adapter %02x: command filtering (SLCF) is %s on the "
					   "source and %s on the destination"),
				      a, (s->functions & AP_FUNC_SLCF) ? _("available") : _("missing"),
				      (t->functions & AP_FUNC_SLCF) ? _("available") : _("missing")),
				  incompat_log(dst, q),
				  fmt(0, _("migrate to a host whose adapter %02x has the same "
					   "command filtering"), a));
	} else {
		rc |= add(v, AP_MIG_WARNING, "slcf-unknown", (int)a, -1,
			  fmt(0, src->slcf_visible
					 ? _("adapter %02x: command filtering (SLCF) was not compared: "
					     "Linux shows it from 6.17 on, and apctl cannot tell that "
					     "the destination's kernel is that new (it can from 6.19 "
					     "on)")
					 : _("adapter %02x: command filtering (SLCF) was not compared: "
					     "Linux shows it from 6.17 on, and apctl cannot tell that "
					     "the source's kernel is that new (it can from 6.19 on)"),
			      a),
			  NULL, fmt(0, _("compare the adapters' command filtering on the HMC")));
	}
	if ((s->functions & AP_FUNC_CLASS_MASK) == AP_FUNC_CLASS_FULL &&
	    (t->functions & AP_FUNC_CLASS_MASK) == AP_FUNC_CLASS_STATELESS)
		rc |= add(v, AP_MIG_ERROR, "function-class", (int)a, -1,
			  fmt(0, _("adapter %02x has the full native function set on the source "
				   "and only stateless functions on the destination"), a),
			  incompat_log(dst, q),
			  fmt(0, _("migrate to a host whose adapter %02x has the full native "
				   "function set"), a));
	{
		int st = s->raw_hwtype >= 0 ? s->raw_hwtype : s->hwtype;
		int tt = t->raw_hwtype >= 0 ? t->raw_hwtype : t->hwtype;

		if (st >= 0 && tt >= 0 && tt < st)
			rc |= add(v, AP_MIG_ERROR, "ap-type", (int)a, -1,
				  fmt(0, _("adapter %02x is %s on the source and the older %s on "
					   "the destination"),
				      a, type_name(st, b1, sizeof(b1)), type_name(tt, b2, sizeof(b2))),
				  incompat_log(dst, q),
				  fmt(0, _("migrate to a host whose adapter %02x is of the same or a "
					   "newer type"), a));
	}
	return rc;
}

/* the destination mdev other than uuid that has (a, d) assigned */
static const struct ap_mig_mdev *holder(const struct ap_mig_host *h, const char *uuid,
					unsigned int a, unsigned int d)
{
	for (size_t i = 0; i < h->n_mdevs; i++) {
		const struct ap_mig_mdev *m = &h->mdevs[i];

		if (m->active && strcmp(m->uuid, uuid) && ap_mask_test(&m->live.apm, a) &&
		    ap_mask_test(&m->live.aqm, d))
			return m;
	}
	return NULL;
}

/* the fix for a destination queue that is not bound to vfio_ap */
static char *reserve_fix(const struct ap_mig_host *dst, unsigned int a, unsigned int d)
{
	if (!dst->masks_known || ap_mask_test(&dst->apmask, a))
		return fmt(0, _("reserve adapter %02x for vfio_ap on the destination: "
				"apctl reserve --adapters %u"), a, a);
	if (ap_mask_test(&dst->aqmask, d))
		return fmt(0, _("reserve domain %04x for vfio_ap on the destination: "
				"apctl reserve --domains %u"), d, d);
	return fmt(0, _("give the queue to vfio_ap on the destination: "
			"apctl reserve --mode override %02x.%04x"), a, d);
}

static int check_v4(const struct ap_mig_host *dst, const struct ap_mig_mdev *sm,
		    const struct ap_matrix *g, struct ap_mig_verdict *v)
{
	unsigned int a, d;
	int ia, id, rc = 0;
	char q[AP_APQN_STRLEN];

	ap_mask_for_each(ia, &g->apm) {
		a = (unsigned int)ia;
		ap_mask_for_each(id, &g->aqm) {
			const struct ap_mig_card *t = &dst->cards[a];
			const struct ap_mig_mdev *o;

			d = (unsigned int)id;
			ap_apqn_format(a, d, q);
			if (!t->present || !ap_mask_test(&t->domains, d)) {
				rc |= add(v, AP_MIG_ERROR, "apqn-missing", ia, id,
					  fmt(0, _("the destination has no queue %s"), q), NULL,
					  fmt(0, _("add adapter %02x and domain %04x to the "
						   "destination's configuration (its LPAR "
						   "activation profile)"), a, d));
				continue;
			}
			if (!ap_mask_test(&t->vfio, d)) {
				rc |= add(v, AP_MIG_ERROR, "apqn-not-vfio", ia, id,
					  fmt(0, _("queue %s is not bound to vfio_ap on the "
						   "destination"), q),
					  NULL, reserve_fix(dst, a, d));
				continue;
			}
			o = holder(dst, sm->uuid, a, d);
			if (o)
				rc |= add(v, AP_MIG_ERROR, "apqn-held", ia, id,
					  fmt(0, _("mdev %s on the destination holds %s"), o->uuid,
					      q),
					  NULL,
					  fmt(0, _("take %s away from mdev %s on the destination "
						   "('apctl mdev modify %s' without adapter %02x "
						   "or domain %04x), or remove that mdev"),
					      q, o->uuid, o->uuid, a, d));
		}
	}
	ap_mask_for_each(id, &g->adm) {
		d = (unsigned int)id;
		if (dst->cfg_known && !ap_mask_test(&dst->cfg_adm, d))
			rc |= add(v, AP_MIG_ERROR, "cdom-missing", -1, id,
				  fmt(0, _("control domain %04x is not in the destination's "
					   "configuration"), d),
				  NULL,
				  fmt(0, _("add control domain %04x to the destination's LPAR "
					   "activation profile"), d));
	}
	return rc;
}

static int check_v1(const struct ap_mig_mdev *sm, const struct ap_mig_mdev *tm,
		    const struct ap_matrix *g, struct ap_mig_verdict *v)
{
	unsigned int ns = ap_mask_weight(&g->apm) * ap_mask_weight(&g->aqm);
	unsigned int nt = ap_mask_weight(&tm->live.apm) * ap_mask_weight(&tm->live.aqm);
	char q[AP_APQN_STRLEN];
	int ia, id, rc = 0;

	for (int k = 0; k < 2; k++) {
		const struct ap_mig_mdev *m = k ? tm : sm;

		if (m->migratable != 1)
			rc |= add(v, AP_MIG_ERROR, "migratable-off", -1, -1,
				  fmt(0, k ? _("migration is switched off for mdev %s on the "
					       "destination")
					   : _("migration is switched off for mdev %s on the source"),
				      m->uuid),
				  k ? NULL : strdup("migration disabled for the VFIO device"),
				  fmt(0, k ? _("on the destination: apctl mdev modify %s --migratable "
					       "on")
					   : _("on the source: apctl mdev modify %s --migratable on"),
				      m->uuid));
	}
	if (ns != nt) {
		char *log = ns > nt ? fmt(0, "source guest's AP config size (%u) larger than "
					   "target's (%u)", ns, nt)
				    : fmt(0, "number of queues on source (%u) and target (%u) guests "
					     "differ", ns, nt);
		rc |= add(v, AP_MIG_ERROR, "apqn-count", -1, -1,
			  fmt(0, _("the guest has %u APQNs on the source, mdev %s on the "
				   "destination has %u"), ns, tm->uuid, nt),
			  log,
			  fmt(0, _("assign the same adapters and domains to mdev %s on the "
				   "destination ('apctl migrate-check --prepare' prints the commands)"),
			      tm->uuid));
	}
	ap_mask_for_each(ia, &g->apm) {
		ap_mask_for_each(id, &g->aqm) {
			if (ap_mask_test(&tm->live.apm, (unsigned int)ia) &&
			    ap_mask_test(&tm->live.aqm, (unsigned int)id))
				continue;
			ap_apqn_format((unsigned int)ia, (unsigned int)id, q);
			rc |= add(v, AP_MIG_ERROR, "apqn-unassigned", ia, id,
				  fmt(0, _("%s is not assigned to mdev %s on the destination"), q,
				      tm->uuid),
				  NULL,
				  fmt(0, _("assign adapter %02x and domain %04x to mdev %s on the "
					   "destination"), (unsigned int)ia, (unsigned int)id,
				      tm->uuid));
		}
	}
	return rc;
}

int ap_mig_check(const struct ap_mig_host *src, const struct ap_mig_host *dst, const char *uuid,
		 struct ap_mig_verdict *v)
{
	const struct ap_mig_mdev *sm = ap_mig_find_mdev(src, uuid), *tm;
	struct ap_matrix g;
	int ia, id, rc = 0;

	memset(v, 0, sizeof(*v));
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	v->ok = true;
	if (!sm || !sm->active)
		return add(v, AP_MIG_ERROR, "not-active", -1, -1,
			   fmt(0, _("mdev %s is not active on the source: there is no guest "
				    "configuration to move"), uuid),
			   NULL, NULL);
	for (int k = 0; k < 2; k++) {
		const struct ap_mig_host *h = k ? dst : src;

		if (h->variant == AP_MIG_NONE)
			rc |= add(v, AP_MIG_ERROR, "no-support", -1, -1,
				  strdup(k ? _("the destination's kernel cannot migrate guests with "
					       "AP queues: the matrix device's features lack "
					       "'migratable' and no mdev has a 'migratable' attribute")
					   : _("the source's kernel cannot migrate guests with AP "
					       "queues: the matrix device's features lack "
					       "'migratable' and no mdev has a 'migratable' "
					       "attribute")),
				  NULL,
				  strdup(k ? _("run a kernel with vfio_ap live migration support on "
					       "the destination")
					   : _("run a kernel with vfio_ap live migration support on "
					       "the source")));
		if (h->se_guest)
			rc |= add(v, AP_MIG_ERROR, "se-guest", -1, -1,
				  strdup(k ? _("the destination is a Secure Execution guest: the "
					       "kernel refuses migration from inside one")
					   : _("the source is a Secure Execution guest: the kernel "
					       "refuses migration from inside one")),
				  NULL, NULL);
	}
	if (src->variant != AP_MIG_NONE && dst->variant != AP_MIG_NONE &&
	    src->variant != dst->variant)
		rc |= add(v, AP_MIG_ERROR, "variant-mismatch", -1, -1,
			  fmt(0, _("the source's kernel has migration support %s, the "
				   "destination's %s: the two do not work together"),
			      ap_mig_variant_name(src->variant), ap_mig_variant_name(dst->variant)),
			  NULL, fmt(0, _("run kernels with the same migration support on both")));
	tm = ap_mig_find_mdev(dst, uuid);
	if (!tm || !tm->active) {
		rc |= add(v, AP_MIG_ERROR, "uuid-missing", -1, -1,
			  fmt(0, _("the destination has no active mdev %s"), uuid),
			  fmt(0, "mediated device '%s' not found", uuid),
			  fmt(0, _("create it on the destination ('apctl migrate-check --prepare' "
				   "prints the command)")));
		tm = NULL;
	}
	guest_config(sm, &g);
	if (dst->variant == AP_MIG_V1 && tm)
		rc |= check_v1(sm, tm, &g, v);
	else if (dst->variant != AP_MIG_V1)
		rc |= check_v4(dst, sm, &g, v);
	id = ap_mask_next(&g.aqm, 0);
	ap_mask_for_each(ia, &g.apm) {
		if (!dst->cards[ia].present || id < 0)
			continue;
		rc |= check_adapter(src, dst, (unsigned int)ia, (unsigned int)id, v);
	}
	ap_mask_for_each(ia, &g.apm) {
		ap_mask_for_each(id, &g.aqm)
			rc |= check_se(src, dst, (unsigned int)ia, (unsigned int)id, v);
	}
	return rc ? -1 : 0;
}

/* ---- preparing the destination -------------------------------------------------- */

static int append(char **out, const char *line)
{
	size_t n = strlen(*out), l = strlen(line);
	char *p = realloc(*out, n + l + 2);

	if (!p)
		return -1;
	memcpy(p + n, line, l);
	p[n + l] = '\n';
	p[n + l + 1] = '\0';
	*out = p;
	return 0;
}

int ap_mig_prepare(const struct ap_mig_host *src, const struct ap_mig_host *dst,
		   const char *uuid, char **out)
{
	const struct ap_mig_mdev *sm = ap_mig_find_mdev(src, uuid), *tm = ap_mig_find_mdev(dst, uuid);
	struct ap_mask adapters = { 0 }, domains = { 0 };
	char *ad = NULL, *dm = NULL, *cd = NULL, *line = NULL;
	struct ap_matrix g;
	int ia, id, rc = -1;

	*out = strdup("");
	if (!*out)
		return -1;
	if (!sm || !sm->active)
		return 0;
	guest_config(sm, &g);
	/* what is not bound to vfio_ap there: by adapter where the adapter is
	 * the host's, else by domain */
	ap_mask_for_each(ia, &g.apm) {
		const struct ap_mig_card *t = &dst->cards[ia];

		ap_mask_for_each(id, &g.aqm) {
			if (!t->present || !ap_mask_test(&t->domains, (unsigned int)id) ||
			    ap_mask_test(&t->vfio, (unsigned int)id))
				continue;
			if (!dst->masks_known || ap_mask_test(&dst->apmask, (unsigned int)ia))
				ap_mask_set(&adapters, (unsigned int)ia);
			else
				ap_mask_set(&domains, (unsigned int)id);
		}
	}
	ad = ids_text(&adapters);
	dm = ids_text(&domains);
	if (!ad || !dm)
		goto out;
	if (*ad && (line = fmt(0, "apctl reserve --adapters %s", ad)) && append(out, line))
		goto out;
	free(line);
	line = NULL;
	if (*dm && (line = fmt(0, "apctl reserve --domains %s", dm)) && append(out, line))
		goto out;
	free(line);
	line = NULL;
	free(ad);
	free(dm);
	ad = ids_text(&g.apm);
	dm = ids_text(&g.aqm);
	cd = ids_text(&g.adm);
	if (!ad || !dm || !cd)
		goto out;
	if (!tm || !tm->active) {
		line = *cd ? fmt(0, "apctl mdev create --uuid %s --adapters %s --domains %s "
				    "--control-domains %s", uuid, ad, dm, cd)
			   : fmt(0, "apctl mdev create --uuid %s --adapters %s --domains %s", uuid,
				 ad, dm);
		if (!line || append(out, line))
			goto out;
	} else if (dst->variant == AP_MIG_V1 &&
		   (!ap_mask_equal(&tm->live.apm, &g.apm) || !ap_mask_equal(&tm->live.aqm, &g.aqm))) {
		line = fmt(0, "apctl mdev modify %s --adapters %s --domains %s", uuid, ad, dm);
		if (!line || append(out, line))
			goto out;
	}
	free(line);
	line = NULL;
	if (dst->variant == AP_MIG_V1 && (!tm || tm->migratable != 1)) {
		line = fmt(0, "apctl mdev modify %s --migratable on", uuid);
		if (!line || append(out, line))
			goto out;
	}
	rc = 0;
out:
	free(line);
	free(ad);
	free(dm);
	free(cd);
	return rc;
}
