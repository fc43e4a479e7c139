/* SPDX-License-Identifier: MIT */
/*
 * apctl migrate-check: before a guest is migrated, can its crypto
 * configuration move?  The local host and the other host's 'apctl show
 * --json' document (or two documents) go through the rules of
 * core/migrate.h; --prepare prints the apctl commands that make the
 * destination ready, --apply runs them on the destination.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "cmd/load.h"
#include "core/exitcodes.h"
#include "core/migrate.h"
#include "i18n.h"
#include "out/out.h"

/* a document larger than this is not one apctl made (maximal: ~15 MiB) */
#define DOC_MAX (64u << 20)

void usage_migrate_check(FILE *out)
{
	fputs(_("\nUsage:\n apctl migrate-check [options] --to <file> [<uuid>...]\n"
		" apctl migrate-check [options] --from <file> [<uuid>...]\n"
		" apctl migrate-check [options] --from <file> --to <file> [<uuid>...]\n"), out);
	fputs(_("\nCheck before a live guest migration that the crypto configuration of the\n"
		"guests (their vfio_ap mdevs) can move to the destination host.  One host is\n"
		"this one, the other is described by its 'apctl show --json' document (a file,\n"
		"or - for standard input); or both are documents.  Every mdev whose guest is\n"
		"running is checked, or the mdevs named.  The rules are those of the\n"
		"destination kernel's migration support (v1: the per-mdev 'migratable'\n"
		"attribute; v2-v4: 'migratable' in the matrix device's features).\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --to <file>            the destination's document (this host is the source)\n"),
	      out);
	fputs(_("     --from <file>          the source's document (this host is the destination)\n"),
	      out);
	fputs(_("     --prepare              print the apctl commands that make the destination\n"
		"                            ready (its mdev, reservations, the v1 switch)\n"), out);
	fputs(_("     --apply                with --prepare and --from: run them on this host\n"),
	      out);
	fputs(_(" -J, --json[=<style>]       print a JSON document (apctl-migrate.schema.json)\n"),
	      out);
	fputs(_(" -h, --help                 display this help\n"), out);
	fputs(_("\nExamples:\n"
		"  ssh dest apctl show --json | apctl migrate-check --to -\n"
		"  apctl migrate-check --from src.json --to dest.json <uuid>\n"
		"  ssh src apctl show --json | apctl migrate-check --from - --prepare --apply\n"), out);
	fputs(_("\nExit status: 0 every mdev checked can migrate (warnings may be printed),\n"
		"7 at least one cannot, 2 wrong command line or an unknown mdev, 10 a document\n"
		"that is not an 'apctl show --json' summary of this apctl version, 12 no guest\n"
		"is running on the source and no mdev was named.\n"), out);
}

struct mig {
	const char *to, *from;
	bool json, prepare, apply;
	char **uuids;
	int n_uuids;
	struct ap_mig_host src, dst;
	struct json_object *out;	/* the JSON document */
};

/* read a document: a file, or - for standard input */
static int read_doc(const char *name, struct json_object **doc, char *err, size_t errsz)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	struct json_tokener *tok;
	enum json_tokener_error je;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	*doc = NULL;
	if (!f) {
		snprintf(err, errsz, _("cannot open %s: %s"), name, strerror(errno));
		return APCTL_EXIT_USAGE;
	}
	for (;;) {
		if (len + 65536 + 1 > cap) {
			char *p;

			cap = cap ? cap * 2 : 1u << 20;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				snprintf(err, errsz, _("out of memory"));
				return APCTL_EXIT_FAILURE;
			}
			buf = p;
		}
		n = fread(buf + len, 1, 65536, f);
		len += n;
		if (len > DOC_MAX) {
			snprintf(err, errsz, _("%s: larger than %u MiB, not a document of "
					       "'apctl show --json'"), name, DOC_MAX >> 20);
			goto bad;
		}
		if (n < 65536)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errsz, _("cannot read %s: %s"), name, strerror(errno));
		goto bad;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		snprintf(err, errsz, _("%s: contains a NUL byte, not JSON"), name);
		goto bad;
	}
	tok = json_tokener_new_ex(64);
	if (!tok) {
		snprintf(err, errsz, _("out of memory"));
		goto bad;
	}
	*doc = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	if (je == json_tokener_continue || (!*doc && je == json_tokener_success)) {
		snprintf(err, errsz, _("%s: the JSON ends early (a truncated document?)"), name);
	} else if (je != json_tokener_success) {
		snprintf(err, errsz, _("%s: not JSON (%s at byte %zu)"), name,
			 json_tokener_error_desc(je), json_tokener_get_parse_end(tok));
	} else if (json_tokener_get_parse_end(tok) + strspn(buf + json_tokener_get_parse_end(tok),
							    " \t\r\n") != len) {
		snprintf(err, errsz, _("%s: text after the JSON document"), name);
		json_object_put(*doc);
		*doc = NULL;
	}
	json_tokener_free(tok);
	if (*doc) {
		if (f != stdin)
			fclose(f);
		free(buf);
		return 0;
	}
	json_object_put(*doc);
	*doc = NULL;
bad:
	if (f != stdin)
		fclose(f);
	free(buf);
	return APCTL_EXIT_BADDATA;
}

static int load_doc(const char *name, struct ap_mig_host *h, char *err, size_t errsz)
{
	struct json_object *doc;
	char why[512];
	int rc = read_doc(name, &doc, err, errsz);

	if (rc)
		return rc;
	if (ap_mig_host_from_json(doc, h, why, sizeof(why))) {
		snprintf(err, errsz, _("%s: not usable for the check: %s"),
			 strcmp(name, "-") ? name : _("standard input"), why);
		rc = APCTL_EXIT_BADDATA;
	}
	json_object_put(doc);
	return rc;
}

/* the local host as a document of 'apctl show --json' would describe it */
static int load_local(struct apctl_ctx *ctx, struct ap_mig_host *h, char *err, size_t errsz)
{
	struct apctl_view v;
	struct json_object *doc;
	char why[512];
	int rc;

	rc = apctl_view_load(ctx, &v, apctl_summary_read_flags(), 0);
	if (rc)
		return rc;
	doc = apctl_summary_doc(&v);
	if (!doc) {
		apctl_view_free(&v);
		snprintf(err, errsz, _("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	if (v.n_read_errors)
		rc = APCTL_EXIT_BADDATA;	/* the reader said what */
	else if (ap_mig_host_from_json(doc, h, why, sizeof(why))) {
		snprintf(err, errsz, _("this host: %s"), why);
		rc = APCTL_EXIT_BADDATA;
	}
	json_object_put(doc);
	apctl_view_free(&v);
	return rc;
}

static const char *sev_word(enum ap_mig_sev s)
{
	return s == AP_MIG_ERROR ? "error" : "warning";
}

static void print_verdict(const struct ap_mig_verdict *v)
{
	size_t ne = 0, nw = 0;

	for (size_t i = 0; i < v->n; i++)
		if (v->f[i].sev == AP_MIG_ERROR)
			ne++;
		else
			nw++;
	if (v->ok)
		printf(_("mdev %s: can migrate"), v->uuid);
	else
		printf(_("mdev %s: cannot migrate"), v->uuid);
	if (ne || nw)
		printf(_(" (%zu errors, %zu warnings)"), ne, nw);
	putchar('\n');
	for (size_t i = 0; i < v->n; i++) {
		const struct ap_mig_finding *f = &v->f[i];

		printf("  %s: %s\n", f->sev == AP_MIG_ERROR ? _("error") : _("warning"), f->reason);
		if (f->log)
			printf(_("    kernel log: %s\n"), f->log);
		if (f->fix)
			printf(_("    fix: %s\n"), f->fix);
	}
}

static struct json_object *verdict_json(const struct ap_mig_verdict *v)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "uuid", json_object_new_string(v->uuid));
	json_object_object_add(o, "verdict", json_object_new_string(v->ok ? "can-migrate"
									  : "cannot-migrate"));
	for (size_t i = 0; i < v->n; i++) {
		const struct ap_mig_finding *f = &v->f[i];
		struct json_object *x = json_object_new_object();
		char q[32];

		json_object_object_add(x, "severity", json_object_new_string(sev_word(f->sev)));
		json_object_object_add(x, "rule", json_object_new_string(f->rule));
		json_object_object_add(x, "adapter", f->apid >= 0 ? json_object_new_int(f->apid)
								   : NULL);
		json_object_object_add(x, "domain", f->apqi >= 0 ? json_object_new_int(f->apqi)
								  : NULL);
		if (f->apid >= 0 && f->apqi >= 0)
			snprintf(q, sizeof(q), "%02x.%04x", (unsigned int)f->apid,
				 (unsigned int)f->apqi);
		json_object_object_add(x, "apqn", f->apid >= 0 && f->apqi >= 0
							  ? json_object_new_string(q) : NULL);
		json_object_object_add(x, "message", json_object_new_string(f->reason));
		json_object_object_add(x, "kernel_log", ap_json_string_or_null(f->log));
		json_object_object_add(x, "fix", ap_json_string_or_null(f->fix));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "findings", a);
	return o;
}

static struct json_object *doc_new(const struct mig *g)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "api_level", json_object_new_int(1));
	json_object_object_add(d, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(d, "command", json_object_new_string("migrate-check"));
	json_object_object_add(d, "source", json_object_new_string(g->from ? g->from : "local"));
	json_object_object_add(d, "destination",
			       json_object_new_string(g->to ? g->to : "local"));
	return d;
}

/* the JSON document's end, on every exit path */
static int finish_json(struct mig *g, int rc, const char *error)
{
	if (!g->json)
		return rc;
	if (!g->out)
		g->out = doc_new(g);
	if (!json_object_object_get_ex(g->out, "variant", NULL))
		json_object_object_add(g->out, "variant", NULL);
	if (!json_object_object_get_ex(g->out, "mdevs", NULL))
		json_object_object_add(g->out, "mdevs", json_object_new_array());
	json_object_object_add(g->out, "status", json_object_new_string(apctl_exit_status_name(rc)));
	json_object_object_add(g->out, "exit_code", json_object_new_int(rc));
	json_object_object_add(g->out, "error", ap_json_string_or_null(error));
	ap_json_print(g->out, stdout);
	apctl_json_done();
	json_object_put(g->out);
	g->out = NULL;
	return rc;
}

/* run one prepared "apctl ..." line with this very program */
static int run_line(struct apctl_ctx *ctx, const char *line)
{
	char *copy = strdup(line), *argv[32], *save = NULL, *w;
	int argc = 0, status;
	pid_t pid;

	if (!copy)
		return -1;
	for (w = strtok_r(copy, " ", &save); w && argc < 30; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (ctx->root)
			setenv("APCTL_ROOT", ctx->root, 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	free(copy);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* the mdevs checked: those named, else those with a running guest */
static int n_checked_list(const struct mig *g)
{
	int n = 0;

	if (g->n_uuids)
		return g->n_uuids;
	for (size_t i = 0; i < g->src.n_mdevs; i++)
		n += g->src.mdevs[i].in_use;
	return n;
}

static const char *checked_uuid(const struct mig *g, int k)
{
	if (g->n_uuids)
		return g->uuids[k];
	for (size_t i = 0; i < g->src.n_mdevs; i++)
		if (g->src.mdevs[i].in_use && k-- == 0)
			return g->src.mdevs[i].uuid;
	return NULL;
}

int cmd_migrate_check(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_TO = 0x200, OPT_FROM, OPT_PREPARE, OPT_APPLY };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "prepare", no_argument, NULL, OPT_PREPARE },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "json", optional_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mig g = { 0 };
	struct json_object *jm = NULL, *jp = NULL;
	char err[1024] = "", *prep = NULL;
	int opt, rc = 0, n_bad = 0, n_checked = 0;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":Jh", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_TO:
			g.to = optarg;
			break;
		case OPT_FROM:
			g.from = optarg;
			break;
		case OPT_PREPARE:
			g.prepare = true;
			break;
		case OPT_APPLY:
			g.apply = true;
			break;
		case 'J':
			g.json = true;
			if (optarg && apctl_json_style_opt("migrate-check", optarg))
				return finish_json(&g, APCTL_EXIT_USAGE, NULL);
			break;
		case 'h':
			usage_migrate_check(stdout);
			return APCTL_EXIT_OK;
		default:
			return finish_json(&g, apctl_option_error("migrate-check", opt, argv), NULL);
		}
	}
	g.uuids = argv + optind;
	g.n_uuids = argc - optind;
	if (!g.to && !g.from)
		rc = apctl_usage_error("migrate-check", _("name the other host's document with "
							  "--to (this host is the source) or "
							  "--from (this host is the destination)"));
	else if (g.to && g.from && !strcmp(g.to, "-") && !strcmp(g.from, "-"))
		rc = apctl_usage_error("migrate-check", _("only one document can come from "
							  "standard input"));
	else if (g.apply && (!g.prepare || !g.from || g.to))
		rc = apctl_usage_error("migrate-check", _("--apply runs the --prepare commands on "
							  "this host, the destination: it needs "
							  "--prepare and --from, and no --to"));
	for (int i = 0; !rc && i < g.n_uuids; i++) {
		char *u = g.uuids[i];

		for (char *p = u; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
		if (strlen(u) != 36 || strspn(u, "0123456789abcdef-") != 36 || u[8] != '-' ||
		    u[13] != '-' || u[18] != '-' || u[23] != '-')
			rc = apctl_usage_error("migrate-check", _("'%s' is not a UUID"), u);
	}
	if (rc)
		return finish_json(&g, rc, NULL);

	if (g.from)
		rc = load_doc(g.from, &g.src, err, sizeof(err));
	if (!rc && g.to)
		rc = load_doc(g.to, &g.dst, err, sizeof(err));
	if (!rc && (!g.from || !g.to))
		rc = load_local(ctx, g.from ? &g.dst : &g.src, err, sizeof(err));
	if (rc) {
		if (err[0])
			apctl_err("%s", err);
		goto out;
	}
	g.out = doc_new(&g);
	json_object_object_add(g.out, "variant",
			       ap_json_string_or_null(ap_mig_variant_name(g.dst.variant)));
	jm = json_object_new_array();
	jp = json_object_new_array();
	/* which mdevs: those named, else those with a running guest */
	for (int i = 0; i < g.n_uuids; i++)
		if (!ap_mig_find_mdev(&g.src, g.uuids[i])) {
			snprintf(err, sizeof(err), _("no mdev %s on the source"), g.uuids[i]);
			apctl_err("%s", err);
			rc = APCTL_EXIT_USAGE;
			goto out;
		}
	for (int i = 0; i < n_checked_list(&g); i++) {
		const char *u = checked_uuid(&g, i);
		struct ap_mig_verdict v;

		n_checked++;
		if (ap_mig_check(&g.src, &g.dst, u, &v)) {
			ap_mig_verdict_free(&v);
			snprintf(err, sizeof(err), _("out of memory"));
			apctl_err("%s", err);
			rc = APCTL_EXIT_FAILURE;
			goto out;
		}
		if (!v.ok)
			n_bad++;
		if (g.json)
			json_object_array_add(jm, verdict_json(&v));
		else if (!g.prepare)
			print_verdict(&v);
		ap_mig_verdict_free(&v);
		if (g.prepare) {
			if (ap_mig_prepare(&g.src, &g.dst, u, &prep)) {
				free(prep);
				rc = APCTL_EXIT_FAILURE;
				goto out;
			}
			for (char *l = prep, *e; *l; l = e + 1) {
				e = strchr(l, '\n');
				*e = '\0';
				json_object_array_add(jp, json_object_new_string(l));
				if (!g.json && !g.apply)
					printf("%s\n", l);
			}
			free(prep);
			prep = NULL;
		}
	}
	if (!n_checked) {
		snprintf(err, sizeof(err), _("no guest is running on the source: name the mdevs "
					     "to check"));
		apctl_err("%s", err);
		rc = APCTL_EXIT_NOMATCH;
		goto out;
	}
	rc = n_bad ? APCTL_EXIT_PROBLEMS : APCTL_EXIT_OK;
	if (g.prepare && g.apply) {
		size_t n = json_object_array_length(jp);

		/* run them in order; stop at the first that fails */
		for (size_t i = 0; i < n; i++) {
			const char *l = json_object_get_string(json_object_array_get_idx(jp, i));
			int r;

			if (!g.json)
				printf(_("running: %s\n"), l);
			r = run_line(ctx, l);
			if (r) {
				snprintf(err, sizeof(err), _("'%s' failed (exit status %d): the "
							     "commands after it were not run"), l, r);
				apctl_err("%s", err);
				rc = r > 0 && r < 128 ? r : APCTL_EXIT_FAILURE;
				goto out;
			}
			ctx->changed = true;
		}
		/* the verdict is the one of the host as it is now */
		if (n) {
			ap_mig_host_free(&g.dst);
			memset(&g.dst, 0, sizeof(g.dst));
			rc = load_local(ctx, &g.dst, err, sizeof(err));
			if (rc) {
				if (err[0])
					apctl_err("%s", err);
				goto out;
			}
			n_bad = 0;
			for (int i = 0; i < n_checked_list(&g); i++) {
				struct ap_mig_verdict v;

				if (ap_mig_check(&g.src, &g.dst, checked_uuid(&g, i), &v) == 0 &&
				    !v.ok)
					n_bad++;
				ap_mig_verdict_free(&v);
			}
			rc = n_bad ? APCTL_EXIT_PROBLEMS : APCTL_EXIT_OK;
			if (!g.json)
				printf(_("after the changes: %d of %d mdevs can migrate\n"),
				       n_checked - n_bad, n_checked);
		}
	}
	if (!g.json && !g.prepare)
		printf(_("%d of %d mdevs can migrate\n"), n_checked - n_bad, n_checked);
out:
	if (g.out && jm) {
		json_object_object_add(g.out, "mdevs", jm);
		jm = NULL;
	}
	if (g.out && g.prepare) {
		json_object_object_add(g.out, "prepare", jp);
		jp = NULL;
	}
	json_object_put(jm);
	json_object_put(jp);
	ap_mig_host_free(&g.src);
	ap_mig_host_free(&g.dst);
	rc = finish_json(&g, rc, rc && err[0] ? err : NULL);
	json_object_put(g.out);
	return rc;
}
