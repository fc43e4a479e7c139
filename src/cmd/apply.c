/* SPDX-License-Identifier: MIT */
/*
 * apctl export / apctl apply: the AP configuration as one declarative
 * document (schema/apctl-config.schema.json), and the way back: the
 * difference between a document and the system, realised as one change
 * through the planner, the validator and the executor (cmd/change.h).
 *
 * The document (version 1):
 *   apctl_config      1
 *   reserved          {adapters, domains}: what the live masks give to vfio_ap
 *   reserved_at_boot  {adapters, domains}: what the next boot gives to vfio_ap
 *   mdevs[]           {uuid, adapters, domains, control_domains, active,
 *                      defined, start, definition}
 * An id list is a string in the command line's grammar ("0x5-0x6,0xab",
 * "" for none) or an array of numbers.  A key that is absent leaves that
 * part of the system alone: "active" absent, the live mdev; "defined"
 * absent, its definition; "reserved" absent, the live masks.
 *
 * The order of the requests (each validated against the state the ones
 * before it leave, core/validate.h ap_validate_txn):
 *   1. what the masks give to vfio_ap (live, then at boot): nothing of an
 *      mdev can depend on the host keeping it
 *   2. live mdevs removed whose APQNs the document gives to another mdev or
 *      to the host (never one a guest uses: the kernel cannot give a guest
 *      back its device; the undo creates the mdev again, newer to the
 *      kernel than before: its creation order is the one thing an undo
 *      cannot restore)
 *   3. what loses APQNs (live mdevs, then definitions, deletions too), then
 *      what only gains, then what is new: an APQN moves in one run
 *   4. what the masks give back to the host (at boot, then live)
 *   5. the other live removals, last: nothing has to be undone after them
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "cmd/load.h"
#include "cmd/mdev.h"
#include "core/exitcodes.h"
#include "core/idlist.h"
#include "core/request.h"
#include "i18n.h"
#include "out/out.h"
#include "sys/mdevctl.h"
#include "sys/reader.h"

#define CFG_VERSION 1

/* ------------------------------------------------------------------------ */
/* usage */

void usage_export(FILE *out)
{
	fputs(_("\nUsage:\n apctl export [options]\n"), out);
	fputs(_("\nPrint the AP configuration as one JSON document that apctl apply takes:\n"
		"the adapters and domains the masks give to vfio_ap (live and at boot) and\n"
		"every mdev with its adapters, domains and control domains, whether it is\n"
		"active and defined for mdevctl, and its start mode.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --active               only the live state (masks, active mdevs)\n"
		" -p, --persistent           only what the next boot sets up (boot-time\n"
		"                            masks, mdevctl definitions)\n"
		" -J, --json[=pretty|compact]\n"
		"                            the document's layout (it is always JSON)\n"
		" -h, --help                 display this help\n"), out);
	fputs(_("\nExamples:\n"
		"  apctl export > ap.json\n"
		"  apctl apply ap.json\n"), out);
	fputs(_("\nExit status:\n"
		"  0 success, 3 no AP bus, 10 some files could not be read\n"), out);
}

void usage_apply(FILE *out)
{
	fputs(_("\nUsage:\n apctl apply [options] <file>|-\n"), out);
	fputs(_("\nMake the AP configuration what the document says (the format apctl export\n"
		"prints), in one validated change: mask edits, mdevs created, changed (hot\n"
		"plugged where a guest runs) or removed, definitions written or deleted.\n"
		"Everything is checked before the first write; a failure undoes everything\n"
		"done so far.  A second apply of the same document changes nothing.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --prune                also remove mdevs (live and defined) the document\n"
		"                            does not name; without it they are left alone\n"
		"                            and reported\n"), out);
	chg_usage_common(out);
	fputs(_("\nTaking adapters or domains from a guest asks for confirmation (-y to\n"
		"skip).  With --json the result document has \"changed\": true or false.\n"), out);
	fputs(_("\nExamples:\n"
		"  apctl apply --dry-run ap.json\n"
		"  apctl export | apctl apply --dry-run -\n"), out);
	chg_usage_exit(out, _("--force changes nothing for apply: a document that conflicts is\n"
			      "refused with or without it.\n"));
	fputs(_(" 10  the document is not valid (each problem is named with its JSON path)\n"),
	      out);
}

/* ------------------------------------------------------------------------ */
/* id lists */

/* "0x5-0x7,0xab" (runs of three or more as a range), "" for none */
static char *hex_ids(const struct ap_mask *m)
{
	char *buf = malloc(6 * 2 * 256 + 1);
	size_t len = 0;
	int a = 0;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	while (a < 256) {
		int b;

		if (!ap_mask_test(m, (unsigned int)a)) {
			a++;
			continue;
		}
		for (b = a; b + 1 < 256 && ap_mask_test(m, (unsigned int)b + 1); b++)
			;
		if (b - a >= 2)
			len += (size_t)sprintf(buf + len, "%s0x%x-0x%x", len ? "," : "", a, b);
		else
			for (int i = a; i <= b; i++)
				len += (size_t)sprintf(buf + len, "%s0x%x", len ? "," : "", i);
		a = b + 1;
	}
	return buf;
}

static void add_ids(struct json_object *o, const char *key, const struct ap_mask *m)
{
	char *s = hex_ids(m);

	json_object_object_add(o, key, json_object_new_string(s ? s : ""));
	free(s);
}

/* ------------------------------------------------------------------------ */
/* export */

static void add_matrix(struct json_object *o, const struct ap_matrix *x)
{
	add_ids(o, "adapters", &x->apm);
	add_ids(o, "domains", &x->aqm);
	add_ids(o, "control_domains", &x->adm);
}

static struct json_object *reserved_json(const struct ap_host *h, const struct ap_mask *apm,
					 const struct ap_mask *aqm)
{
	struct json_object *o = json_object_new_object();
	struct ap_mask r;

	ap_mask_cleared(apm, h->max_adapter, &r);
	add_ids(o, "adapters", &r);
	ap_mask_cleared(aqm, h->max_domain, &r);
	add_ids(o, "domains", &r);
	return o;
}

/* live: the active side, persistent: the definitions */
static struct json_object *cfg_export_doc(const struct ap_model *m, bool live, bool persistent)
{
	struct json_object *doc = json_object_new_object(), *arr = json_object_new_array();
	const struct ap_host *h = &m->host;

	json_object_object_add(doc, "apctl_config", json_object_new_int(CFG_VERSION));
	if (live)
		json_object_object_add(doc, "reserved", reserved_json(h, &h->apmask, &h->aqmask));
	if (persistent) {
		struct ap_mask pa, pq;

		ap_host_persistent_masks(h, &pa, &pq);
		json_object_object_add(doc, "reserved_at_boot", reserved_json(h, &pa, &pq));
	}
	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct ap_mdev *d = &m->mdevs[i];
		struct json_object *o = json_object_new_object();
		bool act = live && d->active, def = persistent && d->defined;

		json_object_object_add(o, "uuid", json_object_new_string(d->uuid));
		if (act || def)
			add_matrix(o, act ? &d->live : &d->def);
		if (live)
			json_object_object_add(o, "active", json_object_new_boolean(d->active));
		/* the v1 live migration switch, where the kernel has it */
		if (act && d->migratable != AP_UNK)
			json_object_object_add(o, "migratable",
					       json_object_new_boolean(d->migratable == 1));
		if (persistent) {
			json_object_object_add(o, "defined", json_object_new_boolean(d->defined));
			if (d->defined)
				json_object_object_add(o, "start", json_object_new_string(
					d->autostart ? "auto" : "manual"));
		}
		if (act && def && !ap_matrix_equal(&d->live, &d->def)) {
			struct json_object *x = json_object_new_object();

			add_matrix(x, &d->def);
			json_object_object_add(o, "definition", x);
		}
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "mdevs", arr);
	return doc;
}

int cmd_export(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_ACTIVE = 0x100 };
	static const struct option longopts[] = {
		{ "active", no_argument, NULL, OPT_ACTIVE },
		{ "persistent", no_argument, NULL, 'p' },
		{ "json", optional_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool live = false, persistent = false;
	struct apctl_view v;
	struct json_object *doc;
	int opt, rc;

	/* a document for people too: pretty unless --json=compact */
	ap_json_set_style(AP_JSON_PRETTY);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":pJh", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_ACTIVE:
			live = true;
			break;
		case 'p':
			persistent = true;
			break;
		case 'J':
			if (optarg && (rc = apctl_json_style_opt("export", optarg)))
				return rc;
			break;
		case 'h':
			usage_export(stdout);
			return APCTL_EXIT_OK;
		default:
			return apctl_option_error("export", opt, argv);
		}
	}
	if (optind < argc)
		return apctl_usage_error("export", _("unexpected argument '%s'"), argv[optind]);
	if (!live && !persistent)
		live = persistent = true;
	rc = apctl_view_load(ctx, &v, AP_RD_MDEVS | AP_RD_DEFS | AP_RD_PERSIST, 0);
	if (rc)
		return rc;
	doc = cfg_export_doc(&v.m, live, persistent);
	rc = apctl_print_json(doc, stdout);
	if (!rc && v.n_read_errors)
		rc = APCTL_EXIT_BADDATA;
	apctl_view_free(&v);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* the document */

enum tri { T_ABSENT = 0, T_FALSE, T_TRUE };

struct dmdev {
	char uuid[AP_UUID_STRLEN];
	size_t index;			/* in mdevs[] */
	bool has_matrix;
	struct ap_matrix mx;		/* the live matrix, and the definition's by default */
	bool has_def_matrix;
	struct ap_matrix def;		/* "definition" */
	enum tri active, defined;
	enum tri migratable;		/* the live mdev's v1 'migratable' switch */
	bool autostart;
};

struct doc {
	bool has_reserved, has_boot;
	struct ap_mask r_apm, r_aqm;	/* "reserved" */
	struct ap_mask b_apm, b_aqm;	/* "reserved_at_boot" */
	struct dmdev *mdevs;
	size_t n;
};

struct apply {
	const char *file;		/* as given ("-": standard input) */
	struct json_object *root;	/* the parsed document */
	bool prune;
	struct doc d;
	/* what the build found, for the confirmation and the report */
	bool unplug;
	size_t n_changes;
	struct json_object *diff;
};

/* a problem of the document at JSON path 'path' */
__attribute__((format(printf, 5, 6)))
static void bad(struct chg_txn *t, const struct apply *ap, int exit_code, const char *path,
		const char *fmt, ...)
{
	char msg[1024];
	va_list va;

	va_start(va, fmt);
	vsnprintf(msg, sizeof(msg), fmt, va);
	va_end(va);
	if (exit_code == APCTL_EXIT_CONFLICT)
		chg_problem(t, CHG_ERROR, "document", "%s: %s: %s", ap->file, path, msg);
	else
		chg_problem_exit(t, exit_code, "document", "%s: %s: %s", ap->file, path, msg);
}

static const char *type_name(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	default:
		return "a string";
	}
}

/* an id list at path: a string in the command line's grammar or an array of numbers */
static int parse_ids(struct chg_txn *t, const struct apply *ap, const char *path,
		     struct json_object *o, unsigned int max, struct ap_mask *out)
{
	ap_mask_zero(out);
	if (json_object_is_type(o, json_type_string)) {
		const char *s = json_object_get_string(o);
		struct ap_idlist_error e;
		struct ap_idlist l;
		char msg[256];

		if (!*s)
			return 0;
		if (ap_idlist_parse(s, max, false, &l, &e)) {
			ap_idlist_strerror(&e, msg, sizeof(msg));
			bad(t, ap, APCTL_EXIT_BADDATA, path, "'%s': %s", s, msg);
			return -1;
		}
		*out = l.set;
		return 0;
	}
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		int rc = 0;

		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(o, i);
			int64_t v;

			if (!json_object_is_type(e, json_type_int)) {
				bad(t, ap, APCTL_EXIT_BADDATA, path,
				    _("item %zu is %s; an id is a number"), i, type_name(e));
				rc = -1;
				continue;
			}
			v = json_object_get_int64(e);
			if (v < 0 || v > (int64_t)max) {
				bad(t, ap, APCTL_EXIT_BADDATA, path,
				    _("id %lld is above the maximum %u (0x%x) of this system"),
				    (long long)v, max, max);
				rc = -1;
				continue;
			}
			ap_mask_set(out, (unsigned int)v);
		}
		return rc;
	}
	bad(t, ap, APCTL_EXIT_BADDATA, path,
	    _("is %s; an id list is a string (\"0x5,0x6\", \"\" for none) or an array of "
	      "numbers"), type_name(o));
	return -1;
}

static bool key_known(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (!strcmp(key, *keys))
			return true;
	return false;
}

/* unknown keys of an object, each a problem */
static int check_keys(struct chg_txn *t, const struct apply *ap, const char *path,
		      struct json_object *o, const char *const *keys)
{
	int rc = 0;

	json_object_object_foreach(o, key, val) {
		char p[256];

		(void)val;
		if (key_known(key, keys))
			continue;
		snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
		bad(t, ap, APCTL_EXIT_BADDATA, p, _("unknown key"));
		rc = -1;
	}
	return rc;
}

static int get_bool(struct chg_txn *t, const struct apply *ap, const char *path,
		    struct json_object *o, enum tri *out)
{
	*out = T_ABSENT;
	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_boolean)) {
		bad(t, ap, APCTL_EXIT_BADDATA, path, _("is %s; true or false expected"),
		    type_name(o));
		return -1;
	}
	*out = json_object_get_boolean(o) ? T_TRUE : T_FALSE;
	return 0;
}

static int parse_matrix(struct chg_txn *t, const struct apply *ap, const struct ap_host *h,
			const char *path, struct json_object *o, struct ap_matrix *x, bool *has)
{
	static const char *const names[3] = { "adapters", "domains", "control_domains" };
	struct ap_mask *dst[3] = { &x->apm, &x->aqm, &x->adm };
	int rc = 0;

	memset(x, 0, sizeof(*x));
	*has = false;
	for (int k = 0; k < 3; k++) {
		struct json_object *v;
		char p[256];

		if (!json_object_object_get_ex(o, names[k], &v))
			continue;
		*has = true;
		snprintf(p, sizeof(p), "%s.%s", path, names[k]);
		if (parse_ids(t, ap, p, v, k ? h->max_domain : h->max_adapter, dst[k]))
			rc = -1;
	}
	return rc;
}

static int parse_reserved(struct chg_txn *t, const struct apply *ap, const struct ap_host *h,
			  const char *key, struct ap_mask *apm, struct ap_mask *aqm, bool *has)
{
	static const char *const keys[] = { "adapters", "domains", NULL };
	struct json_object *o, *v;
	int rc = 0;
	char p[64];

	ap_mask_zero(apm);
	ap_mask_zero(aqm);
	*has = json_object_object_get_ex(ap->root, key, &o);
	if (!*has)
		return 0;
	if (!json_object_is_type(o, json_type_object)) {
		bad(t, ap, APCTL_EXIT_BADDATA, key, _("is %s; an object expected"), type_name(o));
		return -1;
	}
	rc |= check_keys(t, ap, key, o, keys);
	snprintf(p, sizeof(p), "%s.adapters", key);
	if (json_object_object_get_ex(o, "adapters", &v))
		rc |= parse_ids(t, ap, p, v, h->max_adapter, apm);
	snprintf(p, sizeof(p), "%s.domains", key);
	if (json_object_object_get_ex(o, "domains", &v))
		rc |= parse_ids(t, ap, p, v, h->max_domain, aqm);
	return rc;
}

static int parse_mdev(struct chg_txn *t, const struct apply *ap, const struct ap_host *h,
		      size_t i, struct json_object *o, struct dmdev *md)
{
	static const char *const keys[] = { "uuid", "adapters", "domains", "control_domains",
					    "active", "defined", "start", "definition",
					    "migratable", NULL };
	static const char *const dkeys[] = { "adapters", "domains", "control_domains", NULL };
	struct json_object *v;
	char path[64], p[96];
	int rc = 0;

	memset(md, 0, sizeof(*md));
	md->index = i;
	snprintf(path, sizeof(path), "mdevs[%zu]", i);
	if (!json_object_is_type(o, json_type_object)) {
		bad(t, ap, APCTL_EXIT_BADDATA, path, _("is %s; an object expected"),
		    type_name(o));
		return -1;
	}
	rc |= check_keys(t, ap, path, o, keys);
	snprintf(p, sizeof(p), "%s.uuid", path);
	if (!json_object_object_get_ex(o, "uuid", &v)) {
		bad(t, ap, APCTL_EXIT_BADDATA, p, _("missing: every mdev needs its UUID"));
		rc = -1;
	} else if (!json_object_is_type(v, json_type_string) ||
		   !ap_uuid_is_valid(json_object_get_string(v))) {
		bad(t, ap, APCTL_EXIT_BADDATA, p,
		    _("'%s' is not a UUID (8-4-4-4-12 hex digits)"), json_object_get_string(v));
		rc = -1;
	} else {
		const char *s = json_object_get_string(v);

		for (int k = 0; k < 36; k++)
			md->uuid[k] = (char)tolower((unsigned char)s[k]);
	}
	rc |= parse_matrix(t, ap, h, path, o, &md->mx, &md->has_matrix);
	snprintf(p, sizeof(p), "%s.active", path);
	rc |= get_bool(t, ap, p, json_object_object_get_ex(o, "active", &v) ? v : NULL,
		       &md->active);
	snprintf(p, sizeof(p), "%s.defined", path);
	rc |= get_bool(t, ap, p, json_object_object_get_ex(o, "defined", &v) ? v : NULL,
		       &md->defined);
	snprintf(p, sizeof(p), "%s.migratable", path);
	rc |= get_bool(t, ap, p, json_object_object_get_ex(o, "migratable", &v) ? v : NULL,
		       &md->migratable);
	if (md->migratable != T_ABSENT && md->active != T_TRUE) {
		bad(t, ap, APCTL_EXIT_BADDATA, p,
		    _("the switch of a live mdev: it needs \"active\": true"));
		rc = -1;
	}
	snprintf(p, sizeof(p), "%s.start", path);
	if (json_object_object_get_ex(o, "start", &v)) {
		const char *s = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp(s, "auto") && strcmp(s, "manual"))) {
			bad(t, ap, APCTL_EXIT_BADDATA, p, _("'%s': \"auto\" or \"manual\" expected"),
			    s);
			rc = -1;
		} else if (md->defined != T_TRUE) {
			bad(t, ap, APCTL_EXIT_BADDATA, p,
			    _("a start mode needs \"defined\": true"));
			rc = -1;
		}
		md->autostart = s && !strcmp(s, "auto");
	}
	snprintf(p, sizeof(p), "%s.definition", path);
	if (json_object_object_get_ex(o, "definition", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			bad(t, ap, APCTL_EXIT_BADDATA, p, _("is %s; an object expected"),
			    type_name(v));
			rc = -1;
		} else {
			rc |= check_keys(t, ap, p, v, dkeys);
			rc |= parse_matrix(t, ap, h, p, v, &md->def, &md->has_def_matrix);
			if (md->active != T_TRUE || md->defined != T_TRUE) {
				bad(t, ap, APCTL_EXIT_BADDATA, p,
				    _("a definition matrix of its own needs \"active\": true and "
				      "\"defined\": true"));
				rc = -1;
			}
		}
	}
	if (!md->has_def_matrix)
		md->def = md->mx;
	if ((md->active == T_TRUE || md->defined == T_TRUE) && !md->has_matrix) {
		snprintf(p, sizeof(p), "%s.adapters", path);
		bad(t, ap, APCTL_EXIT_BADDATA, p,
		    _("missing: an active or defined mdev needs its adapters and domains"));
		rc = -1;
	}
	return rc;
}

/* APQNs a x d of x within which the masks (apm, aqm) give to the host */
static bool host_holds(const struct ap_matrix *x, const struct ap_mask *rapm,
		       const struct ap_mask *raqm, struct ap_mask *a_out)
{
	struct ap_mask a, d;

	/* the host holds (a, d) when neither a nor d is reserved */
	ap_mask_andnot(&a, &x->apm, rapm);
	ap_mask_andnot(&d, &x->aqm, raqm);
	*a_out = a;
	return !ap_mask_is_empty(&a) && !ap_mask_is_empty(&d);
}

/* the conflicts inside the document: shared APQNs, mdevs on what it gives the host */
static int doc_conflicts(struct chg_txn *t, const struct apply *ap)
{
	const struct doc *d = &ap->d;
	/* owner + 1 per APQN and side, 0 for none */
	uint32_t (*own)[256][256] = calloc(2, sizeof(*own));
	int rc = 0;

	if (!own)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		const struct dmdev *md = &d->mdevs[i];

		for (int side = 0; side < 2; side++) {
			const struct ap_matrix *x = side ? &md->def : &md->mx;
			int a, q;
			bool said = false;

			if (side ? md->defined != T_TRUE || !md->autostart : md->active != T_TRUE)
				continue;
			ap_mask_for_each(a, &x->apm) {
				ap_mask_for_each(q, &x->aqm) {
					uint32_t *o = &own[side][a][q];
					char p[96];

					if (!*o) {
						*o = (uint32_t)i + 1;
						continue;
					}
					if (said)
						continue;
					said = true;
					snprintf(p, sizeof(p), "mdevs[%zu]", md->index);
					bad(t, ap, APCTL_EXIT_CONFLICT, p,
					    side ? _("APQN %02x.%04x is also in the autostart "
						     "definition of mdevs[%zu] (%s); an APQN may belong "
						     "to one guest only")
						 : _("APQN %02x.%04x is also assigned to mdevs[%zu] "
						     "(%s); an APQN may belong to one guest only"),
					    a, q, d->mdevs[*o - 1].index, d->mdevs[*o - 1].uuid);
					rc = -1;
				}
			}
		}
		/* on what the document gives to the host */
		for (int side = 0; side < 2; side++) {
			struct ap_mask a;
			char p[96], *s;

			if (side ? !d->has_boot || md->defined != T_TRUE || !md->autostart
				 : !d->has_reserved || md->active != T_TRUE)
				continue;
			if (!host_holds(side ? &md->def : &md->mx, side ? &d->b_apm : &d->r_apm,
					side ? &d->b_aqm : &d->r_aqm, &a))
				continue;
			snprintf(p, sizeof(p), "mdevs[%zu].%sadapters", md->index,
				 side && md->has_def_matrix ? "definition." : "");
			s = hex_ids(&a);
			bad(t, ap, APCTL_EXIT_CONFLICT, p,
			    side ? _("adapters %s: the document's reserved_at_boot gives their "
				     "queues of this mdev to the host at boot; reserve them there too")
				 : _("adapters %s: the document's reserved gives their queues of "
				     "this mdev to the host; reserve them there too"),
			    s ? s : "");
			free(s);
			rc = -1;
		}
	}
	free(own);
	return rc;
}

static int cmp_dmdev(const void *a, const void *b)
{
	return strcmp(((const struct dmdev *)a)->uuid, ((const struct dmdev *)b)->uuid);
}

static int parse_doc(struct chg_txn *t, struct apply *ap, const struct ap_host *h)
{
	static const char *const keys[] = { "apctl_config", "reserved", "reserved_at_boot",
					    "mdevs", NULL };
	struct json_object *v;
	struct doc *d = &ap->d;
	int rc = 0;

	free(d->mdevs);
	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(ap->root, json_type_object)) {
		bad(t, ap, APCTL_EXIT_BADDATA, "$", _("is %s; the document is an object"),
		    type_name(ap->root));
		return APCTL_EXIT_BADDATA;
	}
	rc |= check_keys(t, ap, "", ap->root, keys);
	if (!json_object_object_get_ex(ap->root, "apctl_config", &v)) {
		bad(t, ap, APCTL_EXIT_BADDATA, "apctl_config",
		    _("missing: the document's version (1) says it is an apctl configuration"));
		rc = -1;
	} else if (!json_object_is_type(v, json_type_int) ||
		   json_object_get_int(v) != CFG_VERSION) {
		bad(t, ap, APCTL_EXIT_BADDATA, "apctl_config",
		    _("'%s': this apctl reads version %d"), json_object_get_string(v),
		    CFG_VERSION);
		rc = -1;
	}
	rc |= parse_reserved(t, ap, h, "reserved", &d->r_apm, &d->r_aqm, &d->has_reserved);
	rc |= parse_reserved(t, ap, h, "reserved_at_boot", &d->b_apm, &d->b_aqm, &d->has_boot);
	if (json_object_object_get_ex(ap->root, "mdevs", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array)) {
			bad(t, ap, APCTL_EXIT_BADDATA, "mdevs", _("is %s; an array expected"),
			    type_name(v));
			return APCTL_EXIT_BADDATA;
		}
		n = json_object_array_length(v);
		d->mdevs = calloc(n + 1, sizeof(*d->mdevs));
		if (!d->mdevs)
			return APCTL_EXIT_FAILURE;
		for (size_t i = 0; i < n; i++)
			rc |= parse_mdev(t, ap, h, i, json_object_array_get_idx(v, i),
					 &d->mdevs[d->n++]);
		qsort(d->mdevs, d->n, sizeof(*d->mdevs), cmp_dmdev);
		for (size_t i = 1; i < d->n; i++) {
			if (!d->mdevs[i].uuid[0] || strcmp(d->mdevs[i - 1].uuid, d->mdevs[i].uuid))
				continue;
			{
				char p[64];

				snprintf(p, sizeof(p), "mdevs[%zu].uuid", d->mdevs[i].index);
				bad(t, ap, APCTL_EXIT_BADDATA, p,
				    _("%s is named twice (also mdevs[%zu])"), d->mdevs[i].uuid,
				    d->mdevs[i - 1].index);
				rc = -1;
			}
		}
	}
	if (rc)
		return APCTL_EXIT_BADDATA;
	return doc_conflicts(t, ap) ? APCTL_EXIT_CONFLICT : 0;
}

/* ------------------------------------------------------------------------ */
/* the difference */

static const struct dmdev *doc_find(const struct doc *d, const char *uuid)
{
	struct dmdev key;

	snprintf(key.uuid, sizeof(key.uuid), "%s", uuid);
	return bsearch(&key, d->mdevs, d->n, sizeof(*d->mdevs), cmp_dmdev);
}

static char *matrix_str(const struct ap_matrix *x)
{
	char *a = hex_ids(&x->apm), *d = hex_ids(&x->aqm), *c = hex_ids(&x->adm), *s = NULL;

	if (a && d && c &&
	    asprintf(&s, _("adapters %s, domains %s, control domains %s"), *a ? a : "-",
		     *d ? d : "-", *c ? c : "-") < 0)
		s = NULL;
	free(a);
	free(d);
	free(c);
	return s;
}

/* one line of the difference: printed by --dry-run, "diff" in JSON */
static void diff_add(struct chg_txn *t, struct apply *ap, const char *object, const char *uuid,
		     const char *change, const char *text)
{
	struct json_object *o;

	ap->n_changes++;
	if (chg_txn_locked(t))
		return;
	if (chg_txn_opts(t)->dry_run && !chg_txn_opts(t)->json)
		printf("%s\n", text);
	if (!ap->diff)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "object", json_object_new_string(object));
	if (uuid)
		json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(o, "change", json_object_new_string(change));
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_array_add(ap->diff, o);
}

__attribute__((format(printf, 6, 7)))
static void difff(struct chg_txn *t, struct apply *ap, const char *object, const char *uuid,
		  const char *change, const char *fmt, ...)
{
	char *s = NULL;
	va_list va;

	va_start(va, fmt);
	if (vasprintf(&s, fmt, va) < 0)
		s = NULL;
	va_end(va);
	diff_add(t, ap, object, uuid, change, s ? s : "");
	free(s);
}

/*
 * The mask requests of "reserved" (live) or "reserved_at_boot": the clears
 * (to vfio_ap) in *first, everything in *last (a relative edit: applied to
 * the state after *first, it only adds the sets).  false when nothing changes.
 */
static bool mask_reqs(const struct ap_host *h, const struct ap_mask *cur_ap,
		      const struct ap_mask *cur_aq, const struct ap_mask *r_apm,
		      const struct ap_mask *r_aqm, bool live, struct ap_request *first,
		      struct ap_request *last, bool *has_first, bool *has_last)
{
	const struct ap_mask *cur[2] = { cur_ap, cur_aq }, *res[2] = { r_apm, r_aqm };
	struct ap_mask_edit *fe[2] = { &first->apmask, &first->aqmask };
	struct ap_mask_edit *le[2] = { &last->apmask, &last->aqmask };
	unsigned int max[2] = { h->max_adapter, h->max_domain };

	ap_request_init(first, AP_REQ_MASKS);
	ap_request_init(last, AP_REQ_MASKS);
	first->active = last->active = live;
	first->persistent = last->persistent = !live;
	*has_first = *has_last = false;
	for (int k = 0; k < 2; k++) {
		struct ap_mask cur_r, clear, set;

		ap_mask_cleared(cur[k], max[k], &cur_r);
		/* newly reserved: bits to clear; no longer reserved: bits to set */
		ap_mask_andnot(&clear, res[k], &cur_r);
		ap_mask_andnot(&set, &cur_r, res[k]);
		if (!ap_mask_is_empty(&clear)) {
			fe[k]->change = le[k]->change = true;
			fe[k]->clear = le[k]->clear = clear;
			*has_first = true;
		}
		if (!ap_mask_is_empty(&set)) {
			le[k]->change = true;
			le[k]->set = set;
			*has_last = true;
		}
		/* a live edit names only what changes: the sets alone; the boot
		 * masks are written whole, from the model's and the edit */
		if (live) {
			le[k]->clear = (struct ap_mask){ 0 };
			le[k]->change = !ap_mask_is_empty(&set);
		}
	}
	return *has_first || *has_last;
}

static void mask_diff(struct chg_txn *t, struct apply *ap, const struct ap_host *h,
		      const char *object, const struct ap_mask *cur_ap, const struct ap_mask *cur_aq,
		      const struct ap_mask *r_apm, const struct ap_mask *r_aqm)
{
	struct ap_mask ca, cq;
	char *s[4];

	ap_mask_cleared(cur_ap, h->max_adapter, &ca);
	ap_mask_cleared(cur_aq, h->max_domain, &cq);
	s[0] = hex_ids(&ca);
	s[1] = hex_ids(r_apm);
	s[2] = hex_ids(&cq);
	s[3] = hex_ids(r_aqm);
	difff(t, ap, object, NULL, "modify",
	      !strcmp(object, "reserved")
	      ? _("reserved for vfio_ap: adapters %s -> %s, domains %s -> %s")
	      : _("reserved for vfio_ap at boot: adapters %s -> %s, domains %s -> %s"),
	      s[0] && *s[0] ? s[0] : "-", s[1] && *s[1] ? s[1] : "-",
	      s[2] && *s[2] ? s[2] : "-", s[3] && *s[3] ? s[3] : "-");
	for (int i = 0; i < 4; i++)
		free(s[i]);
}

static bool loses(const struct ap_matrix *old, const struct ap_matrix *nw)
{
	struct ap_mask x;

	for (int k = 0; k < 3; k++) {
		const struct ap_mask *o = k == 0 ? &old->apm : k == 1 ? &old->aqm : &old->adm;
		const struct ap_mask *n = k == 0 ? &nw->apm : k == 1 ? &nw->aqm : &nw->adm;

		ap_mask_andnot(&x, o, n);
		if (!ap_mask_is_empty(&x))
			return true;
	}
	return false;
}

static void live_modify(struct chg_txn *t, struct apply *ap, const struct ap_mdev *md,
			const struct dmdev *dm)
{
	struct ap_request req;
	char *a = matrix_str(&md->live), *b = matrix_str(&dm->mx);

	ap_request_init(&req, AP_REQ_MDEV_MODIFY);
	req.active = true;
	snprintf(req.uuid, sizeof(req.uuid), "%s", md->uuid);
	req.matrix = dm->mx;
	chg_request(t, &req);
	difff(t, ap, "mdev", md->uuid, "modify", _("mdev %s: %s -> %s"), md->uuid,
	      a ? a : "", b ? b : "");
	free(a);
	free(b);
	if (md->in_use) {
		struct ap_mask x, y;

		ap_mask_andnot(&x, &md->live.apm, &dm->mx.apm);
		ap_mask_andnot(&y, &md->live.aqm, &dm->mx.aqm);
		if (!ap_mask_is_empty(&x) || !ap_mask_is_empty(&y))
			ap->unplug = true;
	}
}

/* the document's "migratable" of an mdev: a request where it differs.  The
 * switch of an mdev this apply creates is not set (the planner sets it only
 * on an mdev that exists): a new mdev is created with the kernel's default,
 * off, so only "true" needs a second apply, which the problem says. */
static void migratable_request(struct chg_txn *t, struct apply *ap, const struct ap_mdev *md,
			       const struct dmdev *dm)
{
	struct ap_request req;
	bool on = dm->migratable == T_TRUE;

	if (dm->migratable == T_ABSENT || dm->active != T_TRUE)
		return;
	if (!md || !md->active) {
		if (on)
			chg_problem_exit(t, APCTL_EXIT_CONFLICT, "migratable-new",
					 _("mdev %s: \"migratable\": true on an mdev this apply "
					   "creates: apctl switches it on an existing mdev only; "
					   "apply the document without it first, then with it"),
					 dm->uuid);
		return;
	}
	if (md->migratable == (on ? 1 : 0))
		return;
	ap_request_init(&req, AP_REQ_MDEV_MIGRATABLE);
	req.active = true;
	snprintf(req.uuid, sizeof(req.uuid), "%s", md->uuid);
	req.migratable = on;
	chg_request(t, &req);
	difff(t, ap, "mdev", md->uuid, "migratable", on ? _("mdev %s: live migration allowed")
							: _("mdev %s: live migration forbidden"),
	      md->uuid);
}

static void undefine(struct chg_txn *t, struct apply *ap, const char *uuid)
{
	struct ap_request req;

	ap_request_init(&req, AP_REQ_MDEV_REMOVE);
	req.active = false;
	req.persistent = true;
	snprintf(req.uuid, sizeof(req.uuid), "%s", uuid);
	chg_request(t, &req);
	difff(t, ap, "mdev", uuid, "undefine", _("mdev %s: delete its definition"), uuid);
}

/* the definition the document asks for: in the first pass ('losing') the
 * updates that drop APQNs and the deletions, in the second the rest */
static void def_request(struct chg_txn *t, struct apply *ap, const struct ap_mdev *md,
			const struct dmdev *dm, bool losing)
{
	bool defined = md && md->defined;
	struct ap_request req;
	char *s;

	if (dm->defined == T_FALSE && defined) {
		if (losing)
			undefine(t, ap, dm->uuid);
		return;
	}
	if (dm->defined != T_TRUE ||
	    (defined && ap_matrix_equal(&md->def, &dm->def) && md->autostart == dm->autostart))
		return;
	if ((defined && loses(&md->def, &dm->def)) != losing)
		return;
	ap_request_init(&req, md ? AP_REQ_MDEV_MODIFY : AP_REQ_MDEV_CREATE);
	req.active = false;
	req.persistent = true;
	req.set_autostart = true;
	req.autostart = dm->autostart;
	snprintf(req.uuid, sizeof(req.uuid), "%s", dm->uuid);
	req.matrix = dm->def;
	chg_request(t, &req);
	s = matrix_str(&dm->def);
	difff(t, ap, "mdev", dm->uuid, defined ? "redefine" : "define",
	      defined ? _("mdev %s: update its definition (%s, start %s)")
		      : _("mdev %s: define it (%s, start %s)"),
	      dm->uuid, s ? s : "", dm->autostart ? "auto" : "manual");
	free(s);
}

/* the document gives md's APQNs to another mdev or to the host */
static bool removal_needed(const struct doc *d, const struct ap_mdev *md)
{
	struct ap_mask a;

	for (size_t i = 0; i < d->n; i++) {
		const struct dmdev *o = &d->mdevs[i];

		if (o->active == T_TRUE && strcmp(o->uuid, md->uuid) &&
		    ap_mask_intersects(&o->mx.apm, &md->live.apm) &&
		    ap_mask_intersects(&o->mx.aqm, &md->live.aqm))
			return true;
	}
	return d->has_reserved && host_holds(&md->live, &d->r_apm, &d->r_aqm, &a);
}

/*
 * The live mdevs the document removes ("active": false, or with --prune not
 * named), never one a guest uses.  'needed': those whose APQNs the document
 * gives to another mdev or the host, removed before that (their undo creates
 * them again, newer to the kernel than before); else the rest, last, so that
 * nothing has to be undone after them.
 */
static void live_removals(struct chg_txn *t, struct apply *ap, const struct ap_model *m,
			  bool needed)
{
	const struct doc *d = &ap->d;
	struct ap_request req;

	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct ap_mdev *md = &m->mdevs[i];
		const struct dmdev *dm = doc_find(d, md->uuid);

		if (!md->active || (dm ? dm->active != T_FALSE : !ap->prune) ||
		    md->remove_pending || removal_needed(d, md) != needed)
			continue;
		if (md->in_use) {
			chg_problem(t, CHG_ERROR, "in-use",
				    _("mdev %s is in use by a guest; apply does not remove it: stop "
				      "the guest first, or remove it with apctl mdev remove --force"),
				    md->uuid);
			continue;
		}
		ap_request_init(&req, AP_REQ_MDEV_REMOVE);
		req.active = true;
		req.recreate = needed;
		snprintf(req.uuid, sizeof(req.uuid), "%s", md->uuid);
		chg_request(t, &req);
		difff(t, ap, "mdev", md->uuid, "remove", _("mdev %s: remove"), md->uuid);
	}
}

static int apply_build(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct apply *ap = arg;
	const struct ap_host *h = &m->host;
	const struct doc *d = &ap->d;
	struct ap_request lf, ll, pf, pl, req;
	bool has_lf = false, has_ll = false, has_pf = false, has_pl = false;
	struct ap_mask pa, pq;
	int rc;

	ap->unplug = false;
	ap->n_changes = 0;
	if (!chg_txn_locked(t) && chg_txn_opts(t)->json && !ap->diff)
		ap->diff = json_object_new_array();
	if (!mdev_has_vfio(t, m))
		return APCTL_EXIT_NOAP;
	/* what is malformed first (exit 10); else what conflicts (exit 4) */
	rc = parse_doc(t, ap, h);
	if (rc)
		return rc;

	/* 1. what the masks give to vfio_ap */
	if (d->has_reserved &&
	    mask_reqs(h, &h->apmask, &h->aqmask, &d->r_apm, &d->r_aqm, true, &lf, &ll, &has_lf,
		      &has_ll)) {
		if (!h->caps.masks) {
			chg_problem_exit(t, APCTL_EXIT_NOAP, "no-masks",
					 _("this kernel has no apmask/aqmask files"));
			return APCTL_EXIT_NOAP;
		}
		mask_diff(t, ap, h, "reserved", &h->apmask, &h->aqmask, &d->r_apm, &d->r_aqm);
		lf.force = ll.force = chg_txn_opts(t)->force;
	}
	ap_host_persistent_masks(h, &pa, &pq);
	if (d->has_boot &&
	    mask_reqs(h, &pa, &pq, &d->b_apm, &d->b_aqm, false, &pf, &pl, &has_pf, &has_pl)) {
		if (*h->persist_refuse) {
			chg_problem_exit(t, APCTL_EXIT_BADDATA, "rule-not-understood",
					 _("%s; apctl rewrites only a rule file it fully "
					   "understands: fix the file, or move it away (apctl then "
					   "writes a new one)"), h->persist_refuse);
			return APCTL_EXIT_BADDATA;
		}
		mask_diff(t, ap, h, "reserved_at_boot", &pa, &pq, &d->b_apm, &d->b_aqm);
		pf.force = pl.force = chg_txn_opts(t)->force;
	}
	if (has_lf)
		chg_request(t, &lf);
	if (has_pf)
		chg_request(t, &pf);

	/* 2. live mdevs removed that the rest needs out of the way */
	live_removals(t, ap, m, true);

	/* 3. mdevs: what loses APQNs first (live, then definitions), then what
	 * only gains, then what is new, so that an APQN can move in one run */
	for (int pass = 0; pass < 4; pass++) {
		for (size_t i = 0; i < d->n; i++) {
			const struct dmdev *dm = &d->mdevs[i];
			const struct ap_mdev *md = ap_model_find_mdev(m, dm->uuid);

			if (pass == 1 || pass == 3) {
				def_request(t, ap, md, dm, pass == 1);
				continue;
			}
			if (dm->active != T_TRUE)
				continue;
			if (md && md->active) {
				if (ap_matrix_equal(&md->live, &dm->mx) ||
				    loses(&md->live, &dm->mx) != (pass == 0))
					continue;
				live_modify(t, ap, md, dm);
			} else if (pass == 2) {
				char *s = matrix_str(&dm->mx);

				ap_request_init(&req, AP_REQ_MDEV_CREATE);
				req.active = true;
				snprintf(req.uuid, sizeof(req.uuid), "%s", dm->uuid);
				req.matrix = dm->mx;
				chg_request(t, &req);
				difff(t, ap, "mdev", dm->uuid, "create", _("mdev %s: create (%s)"),
				      dm->uuid, s ? s : "");
				free(s);
			}
		}
		if (pass != 1)
			continue;
		/* with --prune: the definitions of mdevs the document does not name */
		for (size_t i = 0; i < m->n_mdevs; i++) {
			const struct ap_mdev *md = &m->mdevs[i];

			if (doc_find(d, md->uuid))
				continue;
			if (!ap->prune) {
				chg_problem(t, CHG_WARNING, "not-in-document",
					    _("mdev %s is not in the document and is left alone "
					      "(--prune removes it)"), md->uuid);
				continue;
			}
			if (md->defined)
				undefine(t, ap, md->uuid);
		}
	}

	/* the v1 'migratable' switch of mdevs that stay active */
	for (size_t i = 0; i < d->n; i++)
		migratable_request(t, ap, ap_model_find_mdev(m, d->mdevs[i].uuid), &d->mdevs[i]);

	/* 4. what the masks give back to the host */
	if (has_pl && has_pf)
		chg_request(t, &pl);	/* cumulative: pf and the sets */
	else if (has_pl)
		chg_request(t, &pl);
	if (has_ll)
		chg_request(t, &ll);

	/* 5. the other removals, last: nothing has to be undone after them */
	live_removals(t, ap, m, false);

	chg_validate_all(t, m);
	if (!chg_txn_locked(t) && ap->diff) {
		json_object_object_add(chg_txn_doc(t), "diff", json_object_get(ap->diff));
	}
	return 0;
}

static const char *apply_confirm(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct apply *ap = arg;

	(void)t;
	(void)m;
	if (!ap->unplug)
		return NULL;
	return _("a guest uses an mdev the document changes: the removed adapters or domains "
		 "are unplugged from the running guest. Continue?");
}

static void apply_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
			 void *arg)
{
	struct apply *ap = arg;

	(void)m;
	/* the document has "changed" and "diff"; a dry run applied nothing */
	if (doc || chg_txn_opts(t)->dry_run)
		return;
	if (chg_txn_nsteps(t))
		apctl_note(chg_txn_ctx(t),
			   P_("applied: %zu change", "applied: %zu changes", ap->n_changes),
			   ap->n_changes);
}

/* the whole file (or standard input) as a JSON value; an exit code on failure */
static int read_doc(const char *file, struct json_object **out)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	struct json_tokener *tok;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = APCTL_EXIT_OK;

	*out = NULL;
	if (!f) {
		apctl_err(_("cannot read %s: %s"), file, strerror(errno));
		return APCTL_EXIT_USAGE;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb;

			cap = cap ? 2 * cap : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				rc = APCTL_EXIT_FAILURE;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (!n)
			break;
	}
	if (!rc && ferror(f)) {
		apctl_err(_("cannot read %s: %s"), file, strerror(errno));
		rc = APCTL_EXIT_USAGE;
	}
	if (f != stdin)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	tok = json_tokener_new();
	if (tok) {
		enum json_tokener_error e;

		*out = json_tokener_parse_ex(tok, buf, (int)len);
		e = json_tokener_get_error(tok);
		if (e == json_tokener_continue || (e == json_tokener_success && *out &&
						   tok->char_offset < (int)len &&
						   strspn(buf + tok->char_offset, " \t\r\n") !=
							   len - (size_t)tok->char_offset)) {
			json_object_put(*out);
			*out = NULL;
			apctl_err(_("%s: not one JSON document (it ends early, or something "
				    "follows it)"), file);
			rc = APCTL_EXIT_BADDATA;
		} else if (e != json_tokener_success) {
			size_t line = 1;

			for (int i = 0; i < tok->char_offset && i < (int)len; i++)
				line += buf[i] == '\n';
			apctl_err(_("%s: line %zu: not valid JSON: %s"), file, line,
				  json_tokener_error_desc(e));
			rc = APCTL_EXIT_BADDATA;
		}
		json_tokener_free(tok);
	} else {
		rc = APCTL_EXIT_FAILURE;
	}
	free(buf);
	return rc;
}

int cmd_apply(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_PRUNE = 0x100 };
	static const struct option longopts[] = {
		{ "prune", no_argument, NULL, OPT_PRUNE },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "apply";
	struct chg_ops ops = { .cmd = cmd, .build = apply_build, .confirm = apply_confirm,
			       .report = apply_report };
	struct apply ap = { 0 };
	struct chg_opts o;
	int opt, rc;

	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_PRUNE:
			ap.prune = true;
			break;
		default:
			if (!chg_opt(&o, opt, optarg, cmd, usage_apply, argv, &rc))
				return rc;
		}
	}
	if (optind >= argc)
		return apctl_usage_error(cmd, _("a document is required (a file, or - for "
						"standard input)"));
	if (optind + 1 < argc)
		return apctl_usage_error(cmd, _("unexpected argument '%s'"), argv[optind + 1]);
	ap.file = argv[optind];
	rc = read_doc(ap.file, &ap.root);
	if (rc)
		return rc;
	rc = chg_run(ctx, &o, &ops, &ap);
	json_object_put(ap.root);
	json_object_put(ap.diff);
	free(ap.d.mdevs);
	return rc;
}
