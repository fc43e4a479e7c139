/* SPDX-License-Identifier: MIT */
/* Shared by show, check and mdev list: read the model once, report. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/load.h"
#include "core/exitcodes.h"
#include "i18n.h"
#include "sys/diag.h"
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

int apctl_view_load(struct apctl_ctx *ctx, struct apctl_view *v, unsigned int read_flags,
		    bool want_problems)
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
	rc = ap_read_model(&p, read_flags, &v->m, d);
	print_stats(&p);
	for (i = 0; i < d->n; i++) {
		if (d->v[i].level == AP_DIAG_ERROR)
			v->n_read_errors++;
		apctl_warn("%s: %s", d->v[i].path, d->v[i].msg);
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
	(void)want_problems;
	return 0;
}

void apctl_view_free(struct apctl_view *v)
{
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

struct json_object *apctl_view_problems_json(const struct apctl_view *v)
{
	return json_object_new_array();
}

size_t apctl_view_problems_print(const struct apctl_view *v, FILE *out)
{
	return 0;
}

int apctl_parse_format(const char *cmd, const char *arg, struct apctl_outopts *o)
{
	if (!strcmp(arg, "json"))
		o->json = true;
	else if (!strcmp(arg, "table"))
		o->json = false;
	else
		return apctl_usage_error(cmd, _("unknown format '%s' (json or table)"), arg);
	return 0;
}

int apctl_print_table(struct libscols_table *tb, FILE *out)
{
	int rc;

	scols_table_set_stream(tb, out);
	rc = scols_print_table(tb);
	scols_unref_table(tb);
	if (rc) {
		apctl_err(_("cannot print the table: %s"), strerror(-rc));
		return APCTL_EXIT_FAILURE;
	}
	return 0;
}

int apctl_print_json(struct json_object *doc, FILE *out)
{
	int rc = ap_json_print(doc, out);

	json_object_put(doc);
	if (rc) {
		apctl_err(_("cannot print the JSON document: %s"), strerror(errno));
		return APCTL_EXIT_FAILURE;
	}
	return 0;
}
