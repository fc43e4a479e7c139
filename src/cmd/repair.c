/* SPDX-License-Identifier: MIT */
/*
 * apctl repair: deal with a change that was interrupted (killed, crashed)
 * or whose undo failed, as its journal (sys/journal.h) records it.
 *
 * Under the lock, each step the journal lists is read back: what the
 * system already shows is not written again.  By default the change is
 * undone (its undo steps in reverse order); with --forward it is completed
 * instead.  A change that passed a step without an undo (an mdev removal)
 * can only be completed.  The steps go through the one executor with the
 * journal open, so a repair that is interrupted itself is repaired by
 * running it again; the journal is removed last, after the final
 * read-back.  --discard removes a journal that cannot be used, after
 * showing it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "core/exitcodes.h"
#include "core/journal.h"
#include "core/request.h"
#include "core/validate.h"
#include "i18n.h"
#include "out/journal.h"
#include "out/out.h"
#include "sys/exec.h"
#include "sys/journal.h"
#include "sys/lock.h"
#include "sys/path.h"
#include "sys/diag.h"
#include "sys/reader.h"

enum { OPT_FORWARD = 0x100, OPT_DISCARD };

struct rep {
	struct apctl_ctx *ctx;
	struct chg_opts o;
	bool want_forward;	/* --forward */
	bool forward, discard;	/* completing (asked for, or the only way) */
	struct ap_path path;
	struct ap_journal_probe pr;
	struct ap_plan plan;		/* what repair writes */
	size_t cap_steps, cap_undo;
	struct json_object *doc, *found;	/* --json: the document, what read-back found */
	bool oom;
};

void usage_repair(FILE *out)
{
	fputs(_("\nUsage:\n"), out);
	fputs(_(" apctl repair [options]\n"), out);
	fputs(_("\nUndo a change that was interrupted (apctl killed, a crash) or whose undo\n"
		"failed, as its journal /run/apctl/journal records it.  Every step is read\n"
		"back first; only what the system does not show yet is written.  Running\n"
		"it again after an interruption finishes the job.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --forward              complete the change instead of undoing it\n"), out);
	fputs(_("     --discard              show the journal and remove it, changing nothing\n"
		"                            else (for a journal that cannot be used)\n"), out);
	chg_usage_common(out);
	fputs(_("\nExit status:\n"
		"  0  repaired, or nothing to repair\n"
		"  1  a repair write failed (run it again, or see the message)\n"
		"  2  wrong command line\n"
		"  4  refused: the change is still running, or not confirmed\n"
		"  5  the AP configuration lock was not obtained in time\n"
		"  9  repair needs root privileges\n"
		" 10  the journal is malformed or not apctl's (see --discard)\n"), out);
}

static void say(struct rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct rep *r, const char *fmt, ...)
{
	va_list ap;

	if (r->ctx->quiet)
		return;
	va_start(ap, fmt);
	fputs("apctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* what read-back found of one journal step */
static void found(struct rep *r, const struct ap_step *fwd, const char *state)
{
	if (r->found) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "what", json_object_new_string(fwd->what));
		json_object_object_add(o, "state", json_object_new_string(state));
		json_object_array_add(r->found, o);
	}
}

static struct ap_step *add(struct rep *r, struct ap_step **v, size_t *n, size_t *cap,
			   const struct ap_step *s)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct ap_step *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv) {
			r->oom = true;
			return NULL;
		}
		*v = nv;
		*cap = nc;
	}
	(*v)[*n] = *s;
	return &(*v)[(*n)++];
}

/* a step without an undo of its own that nothing covers: past it, the
 * change can only be completed */
static bool no_return(const struct ap_step *s)
{
	return !s->undo_count && !s->covered;
}

/* undo: the undo steps of everything that may have been written, in
 * their order, without those the system already shows */
static int plan_undo(struct rep *r)
{
	const struct ap_journal *j = &r->pr.j;
	size_t reached = ap_journal_reached(j);

	for (size_t k = ap_plan_undo_start(&j->plan, reached); k < j->plan.n_undo; k++) {
		const struct ap_step *u = &j->plan.undo[k], *fwd = &j->plan.steps[u->owner];
		struct ap_step *s;
		int h = ap_exec_step_holds(&r->path, u, j->files, j->n_files);

		if (!h) {
			found(r, fwd, "not-in-effect");
			say(r, _("not in effect now (nothing to undo): %s"), fwd->what);
			continue;
		}
		if (h == ENOENT) {
			found(r, fwd, "gone");
			say(r, _("its mdev no longer exists (nothing to undo): %s"), fwd->what);
			continue;
		}
		found(r, fwd, "in-effect");
		s = add(r, &r->plan.steps, &r->plan.n_steps, &r->cap_steps, u);
		if (!s)
			return -1;
		s->undo_first = s->undo_count = 0;
		s->covered = true;
		snprintf(s->what, sizeof(s->what), _("undo: %s"), fwd->what);
		s->repair[0] = '\0';
	}
	return 0;
}

/* does plan create mdev uuid (before the step added next)? */
static bool creates(const struct ap_plan *p, const char *uuid)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].kind == AP_STEP_MDEV_CREATE && !strcmp(p->steps[i].uuid, uuid))
			return true;
	return false;
}

/* forward: every step the system does not show yet, with its undo */
static int plan_forward(struct rep *r)
{
	const struct ap_journal *j = &r->pr.j;

	for (size_t i = 0; i < j->plan.n_steps; i++) {
		const struct ap_step *f = &j->plan.steps[i];
		struct ap_step *s;
		size_t first = r->plan.n_undo;
		int h = ap_exec_step_holds(&r->path, f, j->files, j->n_files);

		if (!h) {
			found(r, f, "in-effect");
			say(r, _("already done: %s"), f->what);
			continue;
		}
		if (h == ENOENT && f->kind != AP_STEP_MDEV_CREATE &&
		    !(f->uuid[0] && creates(&r->plan, f->uuid))) {
			found(r, f, "gone");
			apctl_err(_("cannot complete the change: '%s' needs mdev %s, which no "
				    "longer exists; 'apctl repair' without --forward undoes the "
				    "rest"), f->what, f->uuid);
			return APCTL_EXIT_CONFLICT;
		}
		found(r, f, "not-in-effect");
		for (size_t k = f->undo_first; k < f->undo_first + f->undo_count; k++) {
			s = add(r, &r->plan.undo, &r->plan.n_undo, &r->cap_undo, &j->plan.undo[k]);
			if (!s)
				return -1;
			s->owner = r->plan.n_steps;
		}
		s = add(r, &r->plan.steps, &r->plan.n_steps, &r->cap_steps, f);
		if (!s)
			return -1;
		s->undo_first = first;
		s->undo_count = r->plan.n_undo - first;
		/* undo the steps of this repair only: what was done before stays */
		s->covered = !s->undo_count;
	}
	/* the planner's order: the undo groups of the last step first, each
	 * group in its own order */
	if (r->plan.n_undo) {
		struct ap_step *u = malloc(r->plan.n_undo * sizeof(*u));
		size_t n = 0;

		if (!u)
			return -1;
		for (size_t i = r->plan.n_steps; i-- > 0;) {
			struct ap_step *s = &r->plan.steps[i];

			memcpy(&u[n], &r->plan.undo[s->undo_first], s->undo_count * sizeof(*u));
			s->undo_first = n;
			n += s->undo_count;
		}
		free(r->plan.undo);
		r->plan.undo = u;
	}
	/* steps without undo: where undo starts after them */
	for (size_t i = 0; i < r->plan.n_steps; i++)
		if (!r->plan.steps[i].undo_count)
			r->plan.steps[i].undo_first = i ? r->plan.steps[i - 1].undo_first
							 : r->plan.n_undo;
	return 0;
}

/*
 * Completing the change must not create a conflict that is not there now:
 * the end state (the system as it is, with the steps still to do applied)
 * is validated as a whole, like 'apctl check', against the system now.
 * 0, or APCTL_EXIT_CONFLICT after naming each new error.
 */
static int validate_forward(struct rep *r)
{
	unsigned int flags = AP_RD_QUEUES | AP_RD_GUEST | AP_RD_MDEVS | AP_RD_DEFS |
			     AP_RD_PERSIST;
	struct ap_problems now, end;
	struct ap_model m;
	struct ap_diags d;
	struct ap_request none;
	size_t fresh = 0;
	int rc = 0;

	ap_model_init(&m);
	ap_diags_init(&d);
	ap_request_init(&none, AP_REQ_NONE);
	memset(&now, 0, sizeof(now));
	memset(&end, 0, sizeof(end));
	if (ap_read_model(&r->path, flags, &m, &d) < 0 || ap_validate(&m, &none, &now)) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < r->plan.n_steps; i++)
		if (ap_journal_apply_step(&m, &r->plan.steps[i]))
			rc = -1;
	if (rc || ap_validate(&m, &none, &end)) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < end.n; i++) {
		bool seen = false;

		if (end.v[i].severity != AP_SEV_ERROR)
			continue;
		for (size_t k = 0; k < now.n && !seen; k++)
			seen = now.v[k].message && end.v[i].message &&
			       !strcmp(now.v[k].message, end.v[i].message);
		if (seen)
			continue;
		apctl_err(_("completing the change would create a conflict: %s"),
			  end.v[i].message ? end.v[i].message : "");
		fresh++;
	}
	if (fresh) {
		apctl_err(_("cannot complete the change; 'apctl repair' without --forward "
			    "undoes it"));
		rc = APCTL_EXIT_CONFLICT;
	}
out:
	if (rc < 0) {
		apctl_err(_("cannot read the AP configuration to validate the end state"));
		rc = APCTL_EXIT_BADDATA;
	}
	ap_problems_free(&now);
	ap_problems_free(&end);
	ap_diags_free(&d);
	ap_model_free(&m);
	return rc;
}

/* after the writes: the whole journal reads back as undone (or done) */
static bool settled(struct rep *r)
{
	const struct ap_journal *j = &r->pr.j;

	if (r->forward) {
		for (size_t i = 0; i < j->plan.n_steps; i++)
			if (ap_exec_step_holds(&r->path, &j->plan.steps[i], j->files, j->n_files))
				return false;
		return true;
	}
	for (size_t k = ap_plan_undo_start(&j->plan, ap_journal_reached(j)); k < j->plan.n_undo;
	     k++) {
		int h = ap_exec_step_holds(&r->path, &j->plan.undo[k], j->files, j->n_files);

		if (h && h != ENOENT)
			return false;
	}
	return true;
}

static void lock_cb(enum ap_lock_event ev, const struct ap_lock_holder *h, void *data)
{
	struct rep *r = data;

	if (ev == AP_LOCK_EV_STALE && h->state == AP_LOCK_HOLDER_PID)
		say(r, _("took over the stale lock of process %ld (no longer running)"),
		    (long)h->pid);
	else if (ev == AP_LOCK_EV_WAIT && h->state == AP_LOCK_HOLDER_PID)
		say(r, _("waiting up to %d s for the AP configuration lock held by process %ld"),
		    r->o.wait, (long)h->pid);
}

/* judge the journal: 0 to go on, -1 nothing to do (exit 0), or an exit code */
static int judge(struct rep *r)
{
	char *msg;

	ap_journal_probe_free(&r->pr);
	if (ap_journal_probe(&r->path, &r->pr)) {
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	switch (r->pr.found) {
	case AP_JOURNAL_NONE:
		return -1;
	case AP_JOURNAL_LIVE:
		msg = ap_out_journal_sentence(AP_OUT_J_LIVE, &r->pr.j, r->pr.owner, NULL);
		apctl_err(_("%s; it is not interrupted, nothing to repair (journal %s)"),
			  msg ? msg : "", r->pr.path);
		free(msg);
		return APCTL_EXIT_CONFLICT;
	case AP_JOURNAL_BAD:
		if (r->discard)
			return 0;
		apctl_err("%s; %s", r->pr.error,
			  _("nothing was written; 'apctl repair --discard' shows and removes it"));
		return APCTL_EXIT_BADDATA;
	case AP_JOURNAL_INTERRUPTED:
		return 0;
	}
	return 0;
}

static int discard(struct rep *r)
{
	int err;

	/* the content as it is, for the record */
	if (r->pr.raw) {
		fprintf(stderr, _("apctl: the journal %s holds:\n"), r->pr.path);
		fwrite(r->pr.raw, 1, r->pr.raw_len, stderr);
		if (r->pr.raw_len && r->pr.raw[r->pr.raw_len - 1] != '\n')
			fputc('\n', stderr);
	}
	if (r->o.dry_run)
		return APCTL_EXIT_OK;
	err = ap_journal_discard(&r->path);
	if (err && err != ENOENT) {
		apctl_err(_("cannot remove the journal %s: %s"), r->pr.path, strerror(err));
		return APCTL_EXIT_FAILURE;
	}
	say(r, _("removed the journal %s; nothing else was changed"), r->pr.path);
	return APCTL_EXIT_OK;
}

static bool confirmed(struct rep *r, const char *what)
{
	char line[32];

	if (r->o.yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		apctl_err(_("%s: not confirmed (no terminal): add --yes; nothing was written"), what);
		return false;
	}
	fprintf(stderr, "%s? [y/N] ", what);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
		apctl_err(_("not confirmed; nothing was written"));
		return false;
	}
	return true;
}

static int execute(struct rep *r)
{
	struct ap_jfile jf;
	struct ap_exec_result res;
	struct ap_exec_opts eo = {
		.remove_timeout_ms = (unsigned long)r->o.timeout * 1000UL,
		.journal = AP_EXEC_JOURNAL_REPAIR,
		.jfile = &jf,
		.files = r->pr.j.files,
		.n_files = r->pr.j.n_files,
	};
	unsigned long long start = 0;
	char line[160];
	int err, rc = APCTL_EXIT_OK;

	err = ap_jfile_open(&jf, &r->path);
	if (!err) {
		ap_proc_start(getpid(), &start);
		ap_journal_repair_event(line, sizeof(line), (long)getpid(), start, r->forward);
		err = ap_jfile_append(&jf, line);
	}
	if (err) {
		ap_jfile_close(&jf);
		apctl_err(_("cannot write the change journal %s: %s; nothing was written"),
			  r->pr.path, strerror(err));
		return APCTL_EXIT_FAILURE;
	}
	if (r->plan.n_steps && ap_exec_plan(&r->path, &r->plan, &eo, &res) != AP_EXEC_OK) {
		apctl_err("%s", res.failure.message ? res.failure.message : _("out of memory"));
		apctl_err(_("the repair is not complete; the journal %s stays: run 'apctl "
			    "repair' again once the cause is fixed"), r->pr.path);
		rc = res.status == AP_EXEC_PENDING ? APCTL_EXIT_PARTIAL : APCTL_EXIT_FAILURE;
	}
	if (r->plan.n_steps)
		ap_exec_result_free(&res);
	if (!rc && !settled(r)) {
		apctl_err(_("the system does not read back as repaired; the journal %s stays: "
			    "run 'apctl repair' again"), r->pr.path);
		rc = APCTL_EXIT_FAILURE;
	}
	if (rc) {
		ap_jfile_close(&jf);
		return rc;
	}
	err = ap_jfile_remove(&jf);
	if (err && err != ENOENT) {
		apctl_err(_("repaired, but cannot remove the journal %s: %s"), r->pr.path,
			  strerror(err));
		return APCTL_EXIT_FAILURE;
	}
	return APCTL_EXIT_OK;
}

/* what to write, from the journal and what the system shows now */
static int plan(struct rep *r)
{
	int rc;

	ap_plan_free(&r->plan);
	r->cap_steps = r->cap_undo = 0;
	if (r->found) {
		json_object_put(r->found);
		r->found = json_object_new_array();
	}
	/* past a step without an undo, only completing it is left: once begun,
	 * an mdev removal may still land (its write waits in a child process
	 * that outlives a killed apctl), so begun counts as done */
	r->forward = r->want_forward;
	for (size_t i = 0; !r->want_forward && i < ap_journal_reached(&r->pr.j); i++) {
		const struct ap_step *s = &r->pr.j.plan.steps[i];

		/* a removal that failed (its write returned an error) did not happen */
		if (no_return(s) && r->pr.j.state[i] != AP_J_FAILED) {
			say(r, _("'%s' was begun and cannot be undone: completing the change "
				 "instead"), s->what);
			r->forward = true;
			break;
		}
	}
	rc = r->forward ? plan_forward(r) : plan_undo(r);
	if (r->oom || rc < 0) {
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	if (!rc && r->forward && r->plan.n_steps)
		rc = validate_forward(r);
	return rc;
}

static int run(struct rep *r)
{
	char *what = NULL, *text;
	struct ap_lock lk = { .held = false };
	bool quiet = r->ctx->quiet;
	int rc, err;

	rc = judge(r);
	if (rc == -1) {
		say(r, _("nothing to repair: no change was interrupted"));
		return APCTL_EXIT_OK;
	}
	if (rc)
		return rc;
	if (r->discard) {
		if (!r->o.dry_run && !confirmed(r, _("remove the change journal")))
			return APCTL_EXIT_CONFLICT;
	} else {
		text = ap_out_journal_sentence(AP_OUT_J_INTERRUPTED, &r->pr.j, r->pr.owner, NULL);
		say(r, "%s", text ? text : "");
		free(text);
		if (!quiet)
			ap_out_journal_steps(&r->pr.j, stderr);
		/* before the lock: for the dry run and the question (quietly
		 * when it is asked: the plan under the lock says what it found) */
		r->ctx->quiet = quiet || !r->o.dry_run;
		rc = plan(r);
		r->ctx->quiet = quiet;
		if (rc)
			return rc;
		if (r->o.dry_run) {
			text = ap_plan_render(&r->plan, r->path.sysfs, r->path.root);
			if (!r->o.json)
				fputs(text ? text : "", stdout);
			free(text);
			return APCTL_EXIT_OK;
		}
		if (asprintf(&what, r->forward ? _("complete '%s' (%zu writes)")
					       : _("undo '%s' (%zu writes)"),
			     r->pr.j.command, r->plan.n_steps) < 0)
			what = NULL;
		if (!confirmed(r, what ? what : "repair")) {
			free(what);
			return APCTL_EXIT_CONFLICT;
		}
		free(what);
	}
	if (r->discard && r->o.dry_run)
		return discard(r);
	err = ap_lock_init(&lk, &r->path, 0);
	if (!err)
		err = ap_lock_acquire(&lk, (unsigned long)r->o.wait * 1000UL, lock_cb, r);
	if (err) {
		apctl_err(_("cannot take the AP configuration lock %s: %s"), lk.path,
			  err == ETIMEDOUT ? _("another tool holds it") : strerror(err));
		return APCTL_EXIT_LOCK;
	}
	/* the same judgement and plan under the lock */
	rc = judge(r);
	if (rc == -1) {
		say(r, _("nothing to repair: no change was interrupted"));
		rc = APCTL_EXIT_OK;
	} else if (!rc && r->discard) {
		rc = discard(r);
	} else if (!rc) {
		rc = plan(r);
		if (!rc)
			rc = execute(r);
		if (!rc)
			say(r, r->forward ? _("repaired: the interrupted change '%s' was completed")
					  : _("repaired: the interrupted change '%s' was undone"),
			    r->pr.j.command);
	}
	ap_lock_release(&lk);
	return rc;
}

int cmd_repair(struct apctl_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "forward", no_argument, NULL, OPT_FORWARD },
		{ "discard", no_argument, NULL, OPT_DISCARD },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct rep r = { .ctx = ctx };
	int opt, rc;

	chg_opts_init(&r.o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == OPT_FORWARD) {
			r.want_forward = r.forward = true;
			continue;
		}
		if (opt == OPT_DISCARD) {
			r.discard = true;
			continue;
		}
		if (!chg_opt(&r.o, opt, optarg, "repair", usage_repair, argv, &rc))
			return rc;
	}
	if (optind < argc)
		return apctl_usage_error("repair", _("unexpected argument '%s'"), argv[optind]);
	if (r.forward && r.discard)
		return apctl_usage_error("repair", _("--forward and --discard exclude each other"));
	if (!r.o.dry_run && geteuid() != 0) {
		apctl_err(_("repair changes the system and needs root privileges (--dry-run "
			    "shows the plan without them)"));
		return APCTL_EXIT_PERM;
	}
	rc = ap_path_init(&r.path, ctx->root);
	if (rc) {
		apctl_err(_("invalid root directory '%s': %s"), ctx->root ? ctx->root : "",
			  strerror(rc));
		return APCTL_EXIT_USAGE;
	}
	if (r.o.json) {
		r.doc = ap_json_doc_new("repair");
		r.found = json_object_new_array();
	}
	rc = run(&r);
	if (r.doc) {
		json_object_object_add(r.doc, "dry_run", json_object_new_boolean(r.o.dry_run));
		json_object_object_add(r.doc, "mode", json_object_new_string(
				       r.discard ? "discard" : r.forward ? "forward" : "undo"));
		json_object_object_add(r.doc, "status", json_object_new_string(
				       rc ? "failed" : "ok"));
		json_object_object_add(r.doc, "exit_code", json_object_new_int(rc));
		json_object_object_add(r.doc, "change_journal", r.pr.found == AP_JOURNAL_NONE ? NULL
			: ap_out_journal_json(r.pr.found == AP_JOURNAL_BAD ? AP_OUT_J_BAD
					      : r.pr.found == AP_JOURNAL_LIVE ? AP_OUT_J_LIVE
					      : AP_OUT_J_INTERRUPTED,
					      r.pr.found == AP_JOURNAL_BAD ? NULL : &r.pr.j,
					      r.pr.owner, r.pr.path, r.pr.error));
		json_object_object_add(r.doc, "found", r.found);
		json_object_object_add(r.doc, "writes", json_object_new_int((int)r.plan.n_steps));
		json_object_object_add(r.doc, "diagnostics", json_object_new_array());
		if (ap_json_print(r.doc, stdout) && !rc)
			rc = APCTL_EXIT_FAILURE;
		json_object_put(r.doc);
	}
	ap_plan_free(&r.plan);
	ap_journal_probe_free(&r.pr);
	ap_path_fini(&r.path);
	return rc;
}
