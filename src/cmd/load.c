/* SPDX-License-Identifier: MIT */
/* Shared by show, check and mdev list: read the model once, report. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <getopt.h>
#include <string.h>

#include "cmd/load.h"
#include "core/apqn.h"
#include "core/exitcodes.h"
#include "core/validate.h"
#include "i18n.h"
#include "out/journal.h"
#include "sys/diag.h"
#include "sys/journal.h"
#include "sys/path.h"
#include "sys/reader.h"

static void print_stats(const struct ap_path *p)
{
	const char *e = getenv("APCTL_DEBUG_STATS");

	if (!e || !*e || !strcmp(e, "0"))
		return;
	/* a debugging aid for people and tests: not translated, stable words */
	fprintf(stderr, "apctl: stats: files_read=%lu dirs_listed=%lu links_read=%lu\n",
		p->stats.files_read, p->stats.dirs_listed, p->stats.links_read);
}

static enum ap_out_jstate jstate(const struct ap_journal_probe *jp)
{
	return jp->found == AP_JOURNAL_BAD ? AP_OUT_J_BAD
	       : jp->found == AP_JOURNAL_LIVE ? AP_OUT_J_LIVE : AP_OUT_J_INTERRUPTED;
}

/* an interrupted change, a change in progress, a journal that cannot be
 * used: one line on stderr, like the reader's diagnostics */
static int load_journal(struct apctl_view *v, struct ap_path *p)
{
	struct ap_journal_probe *jp = calloc(1, sizeof(*jp));
	char *msg;

	if (!jp || ap_journal_probe(p, jp)) {
		free(jp);
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	if (jp->found == AP_JOURNAL_NONE) {
		ap_journal_probe_free(jp);
		free(jp);
		return 0;
	}
	v->journal = jp;
	msg = ap_out_journal_sentence(jstate(jp), jp->found == AP_JOURNAL_BAD ? NULL : &jp->j,
				      jp->owner, jp->error);
	if (jp->found == AP_JOURNAL_LIVE)
		apctl_warn("%s", msg ? msg : "");
	else
		apctl_err("%s", msg ? msg : "");
	free(msg);
	return 0;
}

struct json_object *apctl_view_journal_json(const struct apctl_view *v)
{
	const struct ap_journal_probe *jp = v->journal;

	if (!jp)
		return NULL;
	return ap_out_journal_json(jstate(jp), jp->found == AP_JOURNAL_BAD ? NULL : &jp->j,
				   jp->owner, jp->path, jp->error);
}

size_t apctl_view_journal_print(const struct apctl_view *v, FILE *out)
{
	const struct ap_journal_probe *jp = v->journal;
	char *msg;

	if (!jp)
		return 0;
	msg = ap_out_journal_sentence(jstate(jp), jp->found == AP_JOURNAL_BAD ? NULL : &jp->j,
				      jp->owner, jp->error);
	fprintf(out, "  %s: %s\n", jp->found == AP_JOURNAL_LIVE ? _("note") : _("error"),
		msg ? msg : "");
	free(msg);
	if (jp->found != AP_JOURNAL_BAD)
		ap_out_journal_steps(&jp->j, out);
	return 1;
}

int apctl_view_load(struct apctl_ctx *ctx, struct apctl_view *v, unsigned int read_flags,
		    int want_problems)
{
	return apctl_view_load_sel(ctx, v, read_flags, want_problems, NULL);
}

int apctl_view_load_sel(struct apctl_ctx *ctx, struct apctl_view *v, unsigned int read_flags,
			int want_problems, const struct ap_sel *sel)
{
	struct ap_diags *d;
	struct ap_path p;
	size_t i;
	int rc;

	memset(v, 0, sizeof(*v));
	ap_model_init(&v->m);
	v->env.m = &v->m;
	d = calloc(1, sizeof(*d));
	if (!d) {
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	ap_diags_init(d);
	v->diags = d;
	rc = ap_path_init(&p, ctx->root);
	if (rc) {
		apctl_err(_("cannot use the root directory '%s': %s"),
			  ctx->root ? ctx->root : getenv("APCTL_ROOT") ? getenv("APCTL_ROOT") : "/",
			  strerror(rc));
		apctl_view_free(v);
		return APCTL_EXIT_USAGE;
	}
	if (ctx->verbose)
		p.trace = stderr;
	rc = load_journal(v, &p);
	if (rc) {
		ap_path_fini(&p);
		apctl_view_free(v);
		return rc;
	}
	rc = ap_read_model_sel(&p, read_flags, sel, &v->m, d);
	print_stats(&p);
	for (i = 0; i < d->n; i++) {
		if (d->v[i].level == AP_DIAG_ERROR)
			v->n_read_errors++;
		apctl_warn("%s: %s", d->v[i].path, d->v[i].msg);
	}
	if (rc == -EACCES || rc == -EPERM) {
		apctl_err(_("cannot read the AP configuration in %s: permission denied; run "
			    "apctl as root"), p.sysfs);
		ap_path_fini(&p);
		apctl_view_free(v);
		return APCTL_EXIT_PERM;
	}
	if (rc == AP_READ_NOAP) {
		apctl_err(_("no AP bus: %s/bus/ap does not exist; this system has no s390 "
			    "crypto adapters (or the ap module is not loaded)"), p.sysfs);
		ap_path_fini(&p);
		apctl_view_free(v);
		return APCTL_EXIT_NOAP;
	}
	ap_path_fini(&p);
	if (rc < 0) {
		apctl_err(_("cannot read the AP configuration: %s"), strerror(-rc));
		apctl_view_free(v);
		return rc == -ENOMEM ? APCTL_EXIT_FAILURE : APCTL_EXIT_BADDATA;
	}
	if (v->journal) {
		const struct ap_journal_probe *jp = v->journal;

		if (jp->found == AP_JOURNAL_INTERRUPTED)
			v->n_errors++;
		else if (jp->found == AP_JOURNAL_BAD)
			v->n_read_errors++;
	}
	if (want_problems) {
		struct ap_problems *pr = calloc(1, sizeof(*pr));
		struct ap_request req;

		ap_request_init(&req, AP_REQ_NONE);
		req.boot_audit = want_problems == APCTL_VIEW_BOOT_AUDIT;
		if (!pr || ap_validate(&v->m, &req, pr)) {
			free(pr);
			apctl_err(_("out of memory"));
			apctl_view_free(v);
			return APCTL_EXIT_FAILURE;
		}
		v->problems = pr;
		v->n_errors += pr->n_errors;
		v->n_warnings = pr->n_warnings;
	}
	return 0;
}

void apctl_view_free(struct apctl_view *v)
{
	if (v->journal) {
		ap_journal_probe_free(v->journal);
		free(v->journal);
		v->journal = NULL;
	}
	if (v->problems) {
		ap_problems_free(v->problems);
		free(v->problems);
		v->problems = NULL;
	}
	if (v->diags) {
		ap_diags_free(v->diags);
		free(v->diags);
		v->diags = NULL;
	}
	ap_model_free(&v->m);
}

struct json_object *apctl_view_diags_json(const struct apctl_view *v)
{
	const struct ap_diags *d = v->diags;
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && d && i < d->n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "level", json_object_new_string(
				       d->v[i].level == AP_DIAG_ERROR ? "error" : "warning"));
		json_object_object_add(o, "path", json_object_new_string(d->v[i].path));
		json_object_object_add(o, "message", json_object_new_string(d->v[i].msg));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *sides_json(unsigned int sides)
{
	struct json_object *a = json_object_new_array();

	if (sides & AP_SIDE_ACTIVE)
		json_object_array_add(a, json_object_new_string("active"));
	if (sides & AP_SIDE_DEFINED)
		json_object_array_add(a, json_object_new_string("defined"));
	return a;
}

static struct json_object *problem_json(const struct ap_problem *p)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t i;

	json_object_object_add(o, "severity", json_object_new_string(ap_severity_name(p->severity)));
	json_object_object_add(o, "kind", json_object_new_string(ap_problem_kind_name(p->kind)));
	json_object_object_add(o, "message", json_object_new_string(p->message ? p->message : ""));
	json_object_object_add(o, "mdev", p->mdev[0] ? json_object_new_string(p->mdev) : NULL);
	json_object_object_add(o, "mdev_sides", sides_json(p->mdev[0] ? p->mdev_sides : 0));
	json_object_object_add(o, "autostart", json_object_new_boolean(p->mdev_autostart));
	json_object_object_add(o, "other",
			       p->other == AP_PARTY_HOST ? json_object_new_string("host")
			       : p->other == AP_PARTY_MDEV ? json_object_new_string("mdev")
							   : NULL);
	json_object_object_add(o, "other_mdev", p->other == AP_PARTY_MDEV
						? json_object_new_string(p->other_mdev) : NULL);
	json_object_object_add(o, "other_sides",
			       sides_json(p->other != AP_PARTY_NONE ? p->other_sides : 0));
	json_object_object_add(o, "other_autostart", json_object_new_boolean(p->other_autostart));
	json_object_object_add(o, "adapters", ap_json_mask(&p->ids.apm, AP_IDS_ADAPTER));
	json_object_object_add(o, "domains", ap_json_mask(&p->ids.aqm, AP_IDS_DOMAIN));
	json_object_object_add(o, "control_domains", ap_json_mask(&p->ids.adm, AP_IDS_DOMAIN));
	a = json_object_new_array();
	for (i = 0; i < p->n_apqns; i++)
		json_object_array_add(a, ap_json_apqn(p->apqns[i].apid, p->apqns[i].apqi));
	json_object_object_add(o, "apqns", a);
	return o;
}

struct json_object *apctl_view_problems_json(const struct apctl_view *v)
{
	const struct ap_problems *pr = v->problems;
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && pr && i < pr->n; i++)
		json_object_array_add(a, problem_json(&pr->v[i]));
	return a;
}

/* the core's sentences name the parties, the APQNs and the way out */
size_t apctl_view_problems_print(const struct apctl_view *v, FILE *out)
{
	const struct ap_problems *pr = v->problems;
	size_t i;

	for (i = 0; pr && i < pr->n; i++) {
		const struct ap_problem *p = &pr->v[i];

		fprintf(out, "  %s: %s\n",
			p->severity == AP_SEV_ERROR ? _("error") : _("warning"),
			p->message ? p->message : ap_problem_kind_name(p->kind));
	}
	return pr ? pr->n : 0;
}

unsigned int apctl_read_flags(unsigned int needs)
{
	unsigned int f = 0;

	if (needs & AP_NEED_CARDS)
		f |= AP_RD_CARDS;
	if (needs & AP_NEED_QUEUES)
		f |= AP_RD_QUEUES;
	if (needs & AP_NEED_QUEUE_DETAIL)
		f |= AP_RD_QUEUE_DETAIL;
	if (needs & AP_NEED_MDEVS)
		f |= AP_RD_MDEVS;
	if (needs & AP_NEED_GUEST)
		f |= AP_RD_GUEST;
	if (needs & AP_NEED_DEFS)
		f |= AP_RD_DEFS;
	if (needs & AP_NEED_QFUNC)
		f |= AP_RD_QFUNC;
	return f;
}

int apctl_outopt(const char *cmd, void (*usage)(FILE *), int opt, const char *arg,
		 char **argv, struct apctl_outopts *o)
{
	int rc;

	switch (opt) {
	case 'o':
		o->columns = arg;
		return APCTL_OPT_TAKEN;
	case 'n':
		o->table.noheadings = true;
		return APCTL_OPT_TAKEN;
	case 'r':
		o->table.raw = true;
		return APCTL_OPT_TAKEN;
	case 'J':
		o->json = true;
		rc = apctl_json_style_opt(cmd, arg);
		return rc ? rc : APCTL_OPT_TAKEN;
	case APCTL_OPT_FORMAT:
		if (!strcmp(arg, "json"))
			o->json = true;
		else if (!strcmp(arg, "table"))
			o->json = false;
		else
			return apctl_usage_error(cmd, _("unknown format '%s' (json or table)"), arg);
		return APCTL_OPT_TAKEN;
	case 'h':
		usage(stdout);
		return APCTL_EXIT_OK;
	case ':':
	case '?':
		return apctl_option_error(cmd, opt, argv);
	default:
		return APCTL_OPT_OTHER;
	}
}

int apctl_print_table(struct libscols_table *tb, FILE *out)
{
	int rc;

	scols_table_set_stream(tb, out);
	rc = scols_print_table(tb);
	scols_unref_table(tb);
	if (rc) {
		apctl_err(_("cannot print the table: %s"), strerror(-rc));
		clearerr(out);	/* reported */
		return APCTL_EXIT_FAILURE;
	}
	return 0;
}

int apctl_print_json(struct json_object *doc, FILE *out)
{
	int rc = ap_json_print(doc, out);

	json_object_put(doc);
	apctl_json_done();
	if (rc) {
		apctl_err(_("cannot print the JSON document: %s"), strerror(errno));
		clearerr(out);	/* reported */
		return APCTL_EXIT_FAILURE;
	}
	return 0;
}
