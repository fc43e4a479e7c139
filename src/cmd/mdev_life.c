/* SPDX-License-Identifier: MIT */
/*
 * The life of an mdev's definition: apctl mdev start / stop / define /
 * undefine, and the autostart run (mdev start --autostart).
 *
 * A definition is the mdevctl file /etc/mdevctl.d/matrix/<uuid>.  'start'
 * creates the active mdev from it, 'stop' removes the active mdev and
 * keeps it, 'define' writes it (from the active mdev, or from the command
 * line), 'undefine' deletes it and leaves the active mdev alone.  Each is
 * one transaction through the planner, validator and executor (change.h),
 * built from the same requests as create and remove.
 *
 * The autostart run starts every definition with "start": "auto", each in
 * a transaction of its own, in UUID order: a definition the validator
 * refuses (it shares APQNs with another autostart definition, so neither
 * starts; the masks give its APQNs to the host; ids above the limits) is
 * reported and skipped, a failed start is undone on its own, and the
 * others start all the same.  Active with the definition's matrix:
 * nothing to do; active with another matrix: reported, not touched.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "cmd/load.h"
#include "cmd/mdev.h"
#include "core/exitcodes.h"
#include "core/request.h"
#include "i18n.h"
#include "out/out.h"
#include "sys/journal.h"
#include "sys/path.h"
#include "sys/reader.h"

/* ------------------------------------------------------------------------ */
/* usage */

void usage_mdev_start(FILE *out)
{
	fputs(_("\nUsage:\n apctl mdev start [options] <uuid>\n"
		" apctl mdev start [options] --autostart\n"), out);
	fputs(_("\nCreate the active mdev from its mdevctl definition in one transaction (one\n"
		"ap_config write where the kernel has it), checked first against all active\n"
		"mdevs, all definitions, the masks and the id limits.  An mdev that is\n"
		"active with its definition's matrix is left as it is.\n"), out);
	fputs(_("\nWith --autostart, start every definition marked for autostart, each in a\n"
		"transaction of its own and in UUID order (what apctl-autostart.service runs\n"
		"at boot).  A definition that conflicts is reported and not started: two\n"
		"autostart definitions sharing an APQN both stay inactive, never both start.\n"
		"An mdev active with another matrix than its definition is reported and not\n"
		"touched.  The others start all the same.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --autostart            start every autostart definition\n"), out);
	fputs(_("     --reserve              reserve the adapters for vfio_ap first if the\n"
		"                            live masks give any of their APQNs to the host\n"),
	      out);
	chg_usage_common(out);
	fputs(_("\nExamples:\n"
		"  apctl mdev start 8e2a5d2a-3c3a-4e1c-9b0d-0d1f5a2b7c41\n"
		"  apctl mdev start --autostart --json\n"), out);
	chg_usage_exit(out, _("With --reserve and --force, a reservation that would clear apmask to\n"
			      "all zero (every adapter of the machine to vfio_ap) is made; without\n"
			      "--force, it is refused.  Nothing else in mdev start depends on it.\n"));
}

void usage_mdev_stop(FILE *out)
{
	fputs(_("\nUsage:\n apctl mdev stop [options] <uuid>\n"), out);
	fputs(_("\nRemove the active mdev and keep its mdevctl definition, so that 'apctl mdev\n"
		"start' brings it back.  As with 'apctl mdev remove', a guest that uses the\n"
		"mdev refuses it unless --force is given.  Stopping an mdev that is not\n"
		"active does nothing.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -t, --timeout <seconds>    wait at most this long for the kernel to remove\n"
		"                            an mdev a guest holds (default 30)\n"), out);
	chg_usage_common(out);
	chg_usage_exit(out, _("With --force, an mdev a guest uses is removed (see above); without it,\n"
			      "the removal is refused.\n"));
	fputs(_(" 11  removal pending: the guest still holds the device; the kernel\n"
		"     completes the removal when the guest releases it\n"), out);
}

void usage_mdev_define(FILE *out)
{
	fputs(_("\nUsage:\n apctl mdev define [options] <uuid>\n"
		" apctl mdev define [options] --adapters <list> --domains <list>\n"), out);
	fputs(_("\nWrite an mdevctl definition, and nothing else.  With a UUID alone: the\n"
		"definition of the active mdev as it is now (its start mode is kept, manual\n"
		"for a new definition).  With --autostart or --manual alone on an existing\n"
		"definition: only its start mode changes.  With --adapters and --domains: a\n"
		"new definition, checked like 'apctl mdev create'; the UUID is printed.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -u, --uuid <uuid>          the UUID of a new definition (default: a new\n"
		"                            random one)\n"), out);
	fputs(_(" -a, --adapters <list>      adapters\n"), out);
	fputs(_(" -d, --domains <list>       usage domains\n"), out);
	fputs(_(" -c, --control-domains <list>\n"
		"                            control domains (default: none)\n"), out);
	fputs(_("     --autostart            started at boot (\"start\": \"auto\")\n"), out);
	fputs(_("     --manual               started on request (\"start\": \"manual\")\n"), out);
	chg_usage_common(out);
	fputs(_("\nExamples:\n"
		"  apctl mdev define 8e2a5d2a-3c3a-4e1c-9b0d-0d1f5a2b7c41\n"
		"  apctl mdev define 8e2a5d2a-3c3a-4e1c-9b0d-0d1f5a2b7c41 --autostart\n"
		"  apctl mdev define -a 5 -d 0x47 --autostart\n"), out);
	chg_usage_exit(out, _("--force changes nothing for mdev define: a definition that conflicts is\n"
			      "refused all the same.\n"));
}

void usage_mdev_undefine(FILE *out)
{
	fputs(_("\nUsage:\n apctl mdev undefine [options] <uuid>\n"), out);
	fputs(_("\nDelete the mdevctl definition of an mdev; an active mdev stays active.  A\n"
		"definition apctl cannot read is shown and deleted as it is.\n"), out);
	fputs(_("\nOptions:\n"), out);
	chg_usage_common(out);
	chg_usage_exit(out, _("--force changes nothing for mdev undefine.\n"));
}

/* ------------------------------------------------------------------------ */
/* start */

enum start_outcome {
	START_NONE = 0,
	START_STARTED,
	START_ACTIVE,		/* active with the definition's matrix: nothing to do */
	START_DIFFERS,		/* active with another matrix: not touched */
};

struct start {
	char uuid[AP_UUID_STRLEN];
	bool reserve;
	enum start_outcome outcome;
};

static int start_build(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct start *st = arg;
	const struct ap_mdev *md;
	struct ap_request req;

	st->outcome = START_NONE;
	if (!mdev_has_vfio(t, m))
		return APCTL_EXIT_NOAP;
	md = ap_model_find_mdev(m, st->uuid);
	if (!md || !md->defined) {
		if (ap_model_find_baddef(m, st->uuid))
			return 0;	/* the inputs check refuses it, naming the file */
		if (md && md->active)
			chg_problem_exit(t, APCTL_EXIT_USAGE, "not-defined",
					 _("mdev %s is active but has no mdevctl definition to "
					   "start from (apctl mdev define %s writes one)"),
					 st->uuid, st->uuid);
		else
			chg_problem_exit(t, APCTL_EXIT_USAGE, "no-such-mdev",
					 _("no mdev %s: it has no mdevctl definition (see 'apctl "
					   "mdev list')"), st->uuid);
		return APCTL_EXIT_USAGE;
	}
	if (md->active) {
		if (ap_matrix_equal(&md->live, &md->def)) {
			st->outcome = START_ACTIVE;
			return 0;
		}
		st->outcome = START_DIFFERS;
		chg_problem(t, CHG_ERROR, "definition-differs",
			    _("mdev %s is active with another matrix than its definition; it is "
			      "left as it is: stop it first (apctl mdev stop %s) to start it from "
			      "the definition, or write the running matrix into the definition "
			      "(apctl mdev define %s)"), st->uuid, st->uuid, st->uuid);
		return APCTL_EXIT_CONFLICT;
	}
	mdev_reserve_request(t, m, &md->def, st->reserve);
	ap_request_init(&req, AP_REQ_MDEV_CREATE);
	req.active = true;
	snprintf(req.uuid, sizeof(req.uuid), "%s", st->uuid);
	req.matrix = md->def;
	chg_request(t, &req);
	chg_validate_all(t, m);
	st->outcome = START_STARTED;
	return 0;
}

static const char *outcome_name(enum start_outcome o)
{
	switch (o) {
	case START_STARTED:
		return "started";
	case START_ACTIVE:
		return "active";
	case START_DIFFERS:
		return "differs";
	default:
		return "none";
	}
}

static void start_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
			 void *arg)
{
	struct start *st = arg;

	(void)m;
	if (doc) {
		json_object_object_add(doc, "uuid", json_object_new_string(st->uuid));
		json_object_object_add(doc, "outcome", json_object_new_string(
			st->outcome == START_STARTED && chg_txn_opts(t)->dry_run
			? "planned" : outcome_name(st->outcome)));
		return;
	}
	if (st->outcome == START_ACTIVE)
		apctl_note(chg_txn_ctx(t), _("mdev %s is active already, with its definition's "
					     "matrix"), st->uuid);
	else if (chg_txn_nsteps(t))
		apctl_note(chg_txn_ctx(t), _("mdev %s started"), st->uuid);
}

/* ------------------------------------------------------------------------ */
/* the autostart run */

enum auto_result {
	AUTO_STARTED = 0,
	AUTO_ACTIVE,
	AUTO_DIFFERS,
	AUTO_REFUSED,
	AUTO_FAILED,
	AUTO_PARTIAL,
};

static const char *const auto_names[] = {
	[AUTO_STARTED] = "started",
	[AUTO_ACTIVE] = "active",
	[AUTO_DIFFERS] = "differs",
	[AUTO_REFUSED] = "skipped",
	[AUTO_FAILED] = "failed",
	[AUTO_PARTIAL] = "partial",
};

/* the outcome of one mdev's transaction */
static enum auto_result auto_result_of(int rc, enum start_outcome o)
{
	if (rc == APCTL_EXIT_OK)
		return o == START_ACTIVE ? AUTO_ACTIVE : AUTO_STARTED;
	if (o == START_DIFFERS)
		return AUTO_DIFFERS;
	if (rc == APCTL_EXIT_PARTIAL)
		return AUTO_PARTIAL;
	if (rc == APCTL_EXIT_FAILURE)
		return AUTO_FAILED;
	return AUTO_REFUSED;
}

/* the exit code of the run: the worst outcome */
static int auto_exit(const size_t count[])
{
	if (count[AUTO_PARTIAL])
		return APCTL_EXIT_PARTIAL;
	if (count[AUTO_FAILED])
		return APCTL_EXIT_FAILURE;
	if (count[AUTO_REFUSED] || count[AUTO_DIFFERS])
		return APCTL_EXIT_CONFLICT;
	return APCTL_EXIT_OK;
}

/* the reason of a skipped or failed start for the summary: the first error
 * of its document */
static const char *auto_reason(struct json_object *doc)
{
	struct json_object *a, *p, *v;
	size_t i;

	if (doc && json_object_object_get_ex(doc, "problems", &a)) {
		for (i = 0; i < json_object_array_length(a); i++) {
			p = json_object_array_get_idx(a, i);
			if (json_object_object_get_ex(p, "severity", &v) &&
			    !strcmp(json_object_get_string(v), "error") &&
			    json_object_object_get_ex(p, "message", &v))
				return json_object_get_string(v);
		}
	}
	if (doc && json_object_object_get_ex(doc, "error", &v) && json_object_get_string(v))
		return json_object_get_string(v);
	return "";
}

/* does a change journal refuse every change now (an earlier change, or a
 * start of this run, left one)? */
static bool journal_left(const struct apctl_ctx *ctx)
{
	struct ap_journal_probe pr;
	struct ap_path path;
	bool left;

	if (ap_path_init(&path, ctx->root))
		return false;	/* the next start finds out and says so */
	if (ap_journal_probe(&path, &pr)) {
		ap_path_fini(&path);
		return false;
	}
	left = pr.found != AP_JOURNAL_NONE;
	ap_journal_probe_free(&pr);
	ap_path_fini(&path);
	return left;
}

/* the document of a start not tried after a journal was left behind, by the
 * start of mdev 'partial' or by an earlier change (partial NULL): its one
 * problem says why and what to do (auto_reason()) */
static struct json_object *skipped_doc(const char *partial)
{
	struct json_object *d = json_object_new_object(), *a = json_object_new_array();
	struct json_object *p = json_object_new_object();
	char *msg = NULL;
	int r;

	if (partial)
		r = asprintf(&msg, _("the start of mdev %s before it was not undone completely; "
				     "run 'apctl repair', then 'apctl mdev start --autostart' "
				     "again"), partial);
	else
		r = asprintf(&msg, _("an earlier change was interrupted; run 'apctl repair', "
				     "then 'apctl mdev start --autostart' again"));
	if (r < 0)
		msg = NULL;
	json_object_object_add(p, "severity", json_object_new_string("error"));
	json_object_object_add(p, "kind", json_object_new_string("interrupted"));
	json_object_object_add(p, "message", json_object_new_string(msg ? msg : "-"));
	json_object_array_add(a, p);
	json_object_object_add(d, "problems", a);
	free(msg);
	return d;
}

static int start_autostart(struct apctl_ctx *ctx, struct chg_opts *o, bool reserve)
{
	static const char cmd[] = "mdev start --autostart";
	struct chg_ops ops = { .cmd = cmd, .build = start_build, .report = start_report };
	struct apctl_view v;
	struct json_object *doc = NULL, *arr = NULL;
	char (*uuids)[AP_UUID_STRLEN] = NULL;
	size_t n = 0, i, count[AUTO_PARTIAL + 1] = { 0 };
	const char *partial = NULL;	/* the mdev whose start was not undone */
	bool blocked = false;		/* a journal refuses every start now */
	int rc;

	/* the autostart definitions, in UUID order (the model's) */
	rc = apctl_view_load(ctx, &v, AP_RD_MDEVS | AP_RD_DEFS, 0);
	if (rc)
		return rc;
	uuids = calloc(v.m.n_mdevs ? v.m.n_mdevs : 1, sizeof(*uuids));
	if (!uuids) {
		apctl_view_free(&v);
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	for (i = 0; i < v.m.n_mdevs; i++)
		if (v.m.mdevs[i].defined && v.m.mdevs[i].autostart)
			snprintf(uuids[n++], AP_UUID_STRLEN, "%s", v.m.mdevs[i].uuid);
	apctl_view_free(&v);

	if (o->json) {
		doc = json_object_new_object();
		json_object_object_add(doc, "api_level", json_object_new_int(1));
		json_object_object_add(doc, "version", json_object_new_string(PACKAGE_VERSION));
		json_object_object_add(doc, "command", json_object_new_string(cmd));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
		arr = json_object_new_array();
	}
	if (!n)
		apctl_note(ctx, _("there are no autostart definitions"));
	for (i = 0; i < n; i++) {
		struct start st = { .reserve = reserve };
		struct json_object *one = NULL;
		enum auto_result res;
		int r;

		struct apctl_ctx sub = *ctx;

		snprintf(st.uuid, sizeof(st.uuid), "%s", uuids[i]);
		if (blocked) {
			/* the journal of a start not undone, or of an earlier
			 * change, refuses every change until repair: the rest
			 * are not tried (the first refusal said it whole) */
			r = APCTL_EXIT_CONFLICT;
			res = AUTO_REFUSED;
			count[res]++;
			one = skipped_doc(partial);
			if (!doc) {
				apctl_err(_("mdev %s not started: %s"), st.uuid, auto_reason(one));
				json_object_put(one);
				continue;
			}
		} else {
			o->json_out = o->json ? &one : NULL;
			/* the run says per mdev what happened; errors are said
			 * as they come */
			sub.quiet = true;
			r = chg_run(&sub, o, &ops, &st);
			ctx->changed |= sub.changed;
			res = auto_result_of(r, st.outcome);
			count[res]++;
			if (res == AUTO_PARTIAL)
				partial = uuids[i];
			blocked = r != APCTL_EXIT_OK && journal_left(ctx);
		}
		if (doc) {
			struct json_object *e = json_object_new_object();
			struct json_object *p, *s;

			json_object_object_add(e, "uuid", json_object_new_string(st.uuid));
			json_object_object_add(e, "outcome", json_object_new_string(
				res == AUTO_STARTED && o->dry_run ? "planned" : auto_names[res]));
			json_object_object_add(e, "exit_code", json_object_new_int(r));
			if (one && json_object_object_get_ex(one, "problems", &p))
				json_object_object_add(e, "problems", json_object_get(p));
			else
				json_object_object_add(e, "problems", json_object_new_array());
			if (one && json_object_object_get_ex(one, "steps", &s))
				json_object_object_add(e, "steps", json_object_get(s));
			else
				json_object_object_add(e, "steps", json_object_new_array());
			json_object_object_add(e, "error",
					       res >= AUTO_DIFFERS && one && *auto_reason(one)
					       ? json_object_new_string(auto_reason(one)) : NULL);
			json_object_array_add(arr, e);
		} else if (res >= AUTO_DIFFERS) {
			apctl_err(res == AUTO_FAILED ? _("mdev %s not started: its start failed and "
							 "was undone")
				  : res == AUTO_PARTIAL ? _("mdev %s not started: its start failed "
							    "and was not undone completely")
				  : _("mdev %s not started"), st.uuid);
		} else if (res == AUTO_ACTIVE) {
			apctl_note(ctx, _("mdev %s is active already, with its definition's "
					  "matrix"), st.uuid);
		} else if (!o->dry_run) {
			apctl_note(ctx, _("mdev %s started"), st.uuid);
		}
		json_object_put(one);
	}
	o->json_out = NULL;
	free(uuids);
	rc = auto_exit(count);
	if (!doc) {
		if (n)
			apctl_note(ctx, _("autostart: %zu started, %zu active already, %zu not "
					  "started"), count[AUTO_STARTED], count[AUTO_ACTIVE],
				   n - count[AUTO_STARTED] - count[AUTO_ACTIVE]);
		return rc;
	}
	json_object_object_add(doc, "status", json_object_new_string(apctl_exit_status_name(rc)));
	json_object_object_add(doc, "exit_code", json_object_new_int(rc));
	/* the transactions are per mdev: their problems and steps are there */
	json_object_object_add(doc, "problems", json_object_new_array());
	json_object_object_add(doc, "steps", json_object_new_array());
	json_object_object_add(doc, "error", NULL);
	json_object_object_add(doc, "mdevs", arr);
	apctl_json_done();
	fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					     JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	fputc('\n', stdout);
	json_object_put(doc);
	return rc;
}

int cmd_mdev_start(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_AUTOSTART = 0x100, OPT_RESERVE };
	static const struct option longopts[] = {
		{ "autostart", no_argument, NULL, OPT_AUTOSTART },
		{ "reserve", no_argument, NULL, OPT_RESERVE },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "mdev start";
	struct chg_ops ops = { .cmd = cmd, .build = start_build, .report = start_report };
	struct start st;
	struct chg_opts o;
	bool autostart = false;
	int opt, rc;

	memset(&st, 0, sizeof(st));
	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_AUTOSTART:
			autostart = true;
			break;
		case OPT_RESERVE:
			st.reserve = true;
			break;
		default:
			if (!chg_opt(&o, opt, optarg, cmd, usage_mdev_start, argv, &rc))
				return rc;
		}
	}
	if (autostart) {
		if (optind < argc)
			return apctl_usage_error(cmd, _("--autostart starts every autostart "
							"definition; it takes no UUID"));
		return start_autostart(ctx, &o, st.reserve);
	}
	if (optind >= argc)
		return apctl_usage_error(cmd, _("no mdev UUID given (or --autostart)"));
	if (optind + 1 < argc)
		return apctl_usage_error(cmd, _("unexpected argument '%s'"), argv[optind + 1]);
	rc = chg_parse_uuid(cmd, argv[optind], st.uuid);
	if (rc)
		return rc;
	return chg_run(ctx, &o, &ops, &st);
}

/* ------------------------------------------------------------------------ */
/* stop, undefine: the removal of mdev remove (mdev_change.c) */

static void rm_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
		      void *arg)
{
	struct mdev_remove *rm = arg;

	(void)m;
	if (doc) {
		json_object_object_add(doc, "uuid", json_object_new_string(rm->uuid));
		return;
	}
	if (rm->not_active)
		apctl_note(chg_txn_ctx(t), _("mdev %s is not active"), rm->uuid);
	else if (chg_txn_nsteps(t))
		apctl_note(chg_txn_ctx(t), rm->mode == MDEV_RM_STOP
			   ? _("mdev %s stopped; its definition stays")
			   : _("mdev %s undefined"), rm->uuid);
}

/* the UUID argument and the run, once the options are read */
static int rm_run(struct apctl_ctx *ctx, struct chg_opts *o, struct mdev_remove *rm,
		  const struct chg_ops *ops, int argc, char **argv)
{
	int rc;

	if (optind >= argc)
		return apctl_usage_error(ops->cmd, _("no mdev UUID given"));
	if (optind + 1 < argc)
		return apctl_usage_error(ops->cmd, _("unexpected argument '%s'"),
					 argv[optind + 1]);
	rc = chg_parse_uuid(ops->cmd, argv[optind], rm->uuid);
	if (rc)
		return rc;
	if (rm->undefine)
		o->removing_def = rm->uuid;
	return chg_run(ctx, o, ops, rm);
}

int cmd_mdev_stop(struct apctl_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "mdev stop";
	struct chg_ops ops = { .cmd = cmd, .build = mdev_remove_build,
			       .confirm = mdev_remove_confirm, .report = rm_report };
	struct mdev_remove rm = { .mode = MDEV_RM_STOP };
	struct chg_opts o;
	int opt, rc;

	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == 't') {
			rc = chg_parse_seconds(cmd, "--timeout", optarg, CHG_WAIT_MAX, &o.timeout);
			if (rc)
				return rc;
			continue;
		}
		if (!chg_opt(&o, opt, optarg, cmd, usage_mdev_stop, argv, &rc))
			return rc;
	}
	return rm_run(ctx, &o, &rm, &ops, argc, argv);
}

int cmd_mdev_undefine(struct apctl_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "mdev undefine";
	struct chg_ops ops = { .cmd = cmd, .build = mdev_remove_build,
			       .confirm = mdev_remove_confirm, .report = rm_report };
	struct mdev_remove rm = { .mode = MDEV_RM_UNDEFINE, .undefine = true };
	struct chg_opts o;
	int opt, rc;

	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		if (!chg_opt(&o, opt, optarg, cmd, usage_mdev_undefine, argv, &rc))
			return rc;
	}
	return rm_run(ctx, &o, &rm, &ops, argc, argv);
}

/* ------------------------------------------------------------------------ */
/* define */

enum start_mode { MODE_KEEP = 0, MODE_AUTO, MODE_MANUAL };

struct define {
	char uuid[AP_UUID_STRLEN];
	const char *list[3];
	enum start_mode mode;
	bool made_up;		/* a new definition without --uuid */
	bool from_active;	/* written from the active mdev */
};

static const char *const def_opt[3] = { "--adapters", "--domains", "--control-domains" };

static int define_build(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct define *df = arg;
	const struct ap_mdev *md;
	struct ap_request req;
	int dim;

	if (!mdev_has_vfio(t, m))
		return APCTL_EXIT_NOAP;
	df->from_active = false;
	if (df->list[0]) {
		/* a new definition from the command line */
		if (df->made_up)
			chg_txn_new_mdev(t, df->uuid);
		ap_request_init(&req, AP_REQ_MDEV_CREATE);
		for (dim = 0; dim < 3; dim++) {
			struct ap_mask *mk = dim == 0 ? &req.matrix.apm
					     : dim == 1 ? &req.matrix.aqm : &req.matrix.adm;

			if (df->list[dim] &&
			    chg_parse_ids(t, def_opt[dim], df->list[dim],
					  dim ? m->host.max_domain : m->host.max_adapter, mk))
				return APCTL_EXIT_USAGE;
		}
		req.active = false;
		req.persistent = true;
		req.set_autostart = true;
		req.autostart = df->mode == MODE_AUTO;
		snprintf(req.uuid, sizeof(req.uuid), "%s", df->uuid);
		chg_validate(t, m, &req);
		chg_request(t, &req);
		return 0;
	}
	md = ap_model_find_mdev(m, df->uuid);
	if (!md || (!md->active && !md->defined)) {
		if (ap_model_find_baddef(m, df->uuid))
			return 0;	/* the inputs check refuses it, naming the file */
		chg_problem_exit(t, APCTL_EXIT_USAGE, "no-such-mdev",
				 _("no mdev %s: it is neither active nor defined (see 'apctl mdev "
				   "list'); to define a new one give --adapters and --domains"),
				 df->uuid);
		return APCTL_EXIT_USAGE;
	}
	ap_request_init(&req, AP_REQ_MDEV_MODIFY);
	req.active = false;
	req.persistent = true;
	snprintf(req.uuid, sizeof(req.uuid), "%s", df->uuid);
	if (md->defined && df->mode != MODE_KEEP) {
		/* only the start mode changes */
		req.matrix = md->def;
	} else if (md->active) {
		req.matrix = md->live;
		df->from_active = true;
	} else {
		chg_problem_exit(t, APCTL_EXIT_USAGE, "not-active",
				 _("mdev %s is not active, so there is nothing to define it from; "
				   "give --autostart or --manual to change the start mode of its "
				   "definition"), df->uuid);
		return APCTL_EXIT_USAGE;
	}
	req.set_autostart = df->mode != MODE_KEEP || !md->defined;
	req.autostart = df->mode == MODE_AUTO;
	chg_validate(t, m, &req);
	chg_request(t, &req);
	return 0;
}

static void define_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
			  void *arg)
{
	struct define *df = arg;

	(void)m;
	if (doc) {
		json_object_object_add(doc, "uuid", json_object_new_string(df->uuid));
		return;
	}
	if (df->list[0])
		printf("%s\n", df->uuid);
	else if (chg_txn_nsteps(t))
		apctl_note(chg_txn_ctx(t), _("mdev %s defined"), df->uuid);
}

int cmd_mdev_define(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_AUTOSTART = 0x100, OPT_MANUAL };
	static const struct option longopts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ "adapters", required_argument, NULL, 'a' },
		{ "domains", required_argument, NULL, 'd' },
		{ "control-domains", required_argument, NULL, 'c' },
		{ "autostart", no_argument, NULL, OPT_AUTOSTART },
		{ "manual", no_argument, NULL, OPT_MANUAL },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "mdev define";
	struct chg_ops ops = { .cmd = cmd, .build = define_build, .report = define_report };
	struct define df;
	struct chg_opts o;
	bool have_uuid = false;
	int opt, rc, dim;

	memset(&df, 0, sizeof(df));
	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":u:a:d:c:" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			rc = chg_parse_uuid(cmd, optarg, df.uuid);
			if (rc)
				return rc;
			have_uuid = true;
			break;
		case 'a':
		case 'd':
		case 'c':
			dim = opt == 'a' ? 0 : opt == 'd' ? 1 : 2;
			if (df.list[dim])
				return apctl_usage_error(cmd, _("%s given twice"), def_opt[dim]);
			df.list[dim] = optarg;
			break;
		case OPT_AUTOSTART:
		case OPT_MANUAL:
			if (df.mode != MODE_KEEP)
				return apctl_usage_error(cmd, _("give one of --autostart and "
								"--manual"));
			df.mode = opt == OPT_AUTOSTART ? MODE_AUTO : MODE_MANUAL;
			break;
		default:
			if (!chg_opt(&o, opt, optarg, cmd, usage_mdev_define, argv, &rc))
				return rc;
		}
	}
	if (optind < argc) {
		if (have_uuid || optind + 1 < argc)
			return apctl_usage_error(cmd, _("unexpected argument '%s'"),
						 argv[have_uuid ? optind : optind + 1]);
		rc = chg_parse_uuid(cmd, argv[optind], df.uuid);
		if (rc)
			return rc;
		have_uuid = true;
	}
	if (df.list[0] || df.list[1] || df.list[2]) {
		if (!df.list[0] || !df.list[1])
			return apctl_usage_error(cmd, _("--adapters and --domains are required"));
	} else if (!have_uuid) {
		return apctl_usage_error(cmd, _("no mdev UUID given (or --adapters and "
						"--domains for a new definition)"));
	}
	if (!have_uuid) {
		uuid_t u;

		uuid_generate_random(u);
		uuid_unparse_lower(u, df.uuid);
		df.made_up = true;
	}
	return chg_run(ctx, &o, &ops, &df);
}
