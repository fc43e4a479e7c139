/* SPDX-License-Identifier: MIT */
/*
 * The shared transaction flow of the changing commands; see change.h.  The
 * plan comes from the core planner (core/plan.h), its execution with
 * read-back checks and undo from the executor (sys/exec.h); this file reads
 * the model, validates, prints, locks and reports.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/change.h"
#include "sys/uevent.h"
#include "cmd/cmd.h"
#include "cmd/inputs.h"
#include "core/apqn.h"
#include "core/escape.h"
#include "core/exitcodes.h"
#include "core/idlist.h"
#include "out/out.h"
#include "core/plan.h"
#include "core/validate.h"
#include "i18n.h"
#include "out/journal.h"
#include "sys/diag.h"
#include "sys/exec.h"
#include "sys/journal.h"
#include "sys/lock.h"
#include "sys/mdevctl.h"
#include "sys/path.h"
#include "sys/pending.h"
#include "sys/reader.h"

/* ------------------------------------------------------------------------ */
/* options */

void chg_opts_init(struct chg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->wait = CHG_WAIT_DEFAULT;
	o->timeout = CHG_TIMEOUT_DEFAULT;
	o->settle = -1;
}

int chg_parse_seconds(const char *cmd, const char *opt, const char *arg, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	if (!arg || !isdigit((unsigned char)arg[0]))
		goto bad;
	v = strtol(arg, &end, 10);
	if (errno || *end || v < 0 || v > max)
		goto bad;
	*out = (int)v;
	return 0;
bad:
	return apctl_usage_error(cmd, _("%s: '%s' is not a number of seconds from 0 to %d"),
				 opt, arg ? arg : "", max);
}

static int shared_opt(struct chg_opts *o, int opt, const char *arg, const char *cmd,
		      void (*usage)(FILE *), char **argv)
{
	switch (opt) {
	case CHG_OPT_DRYRUN:
		o->dry_run = true;
		return 0;
	case CHG_OPT_YES:
		o->yes = true;
		return 0;
	case CHG_OPT_JSON:
		o->json = true;
		return apctl_json_style_opt(cmd, arg);
	case CHG_OPT_FORCE:
		o->force = true;
		return 0;
	case CHG_OPT_WAIT:
		return chg_parse_seconds(cmd, "--wait", arg, CHG_WAIT_MAX, &o->wait);
	case CHG_OPT_IGNORE_DEF:
		return chg_ignore_def_opt(o, arg, cmd);
	case CHG_OPT_SETTLE:
		o->settle = CHG_SETTLE_DEFAULT;
		return arg ? chg_parse_seconds(cmd, "--settle", arg, CHG_SETTLE_MAX, &o->settle) : 0;
	case CHG_OPT_NO_SETTLE:
		o->settle = 0;
		return 0;
	case CHG_OPT_HELP:
		usage(stdout);
		return -1;
	case ':':
		return apctl_option_error(cmd, opt, argv);
	case '?':
		/* the letters of the views (util-linux): not those of a change */
		if (optopt == 'n')
			return apctl_usage_error(cmd, _("-n is --noheadings of the views; for a "
							"dry run write --dry-run"));
		if (optopt == 'r' && !strcmp(cmd, "mdev create"))
			return apctl_usage_error(cmd, _("-r is --raw of the views; to reserve the "
							"adapters first write --reserve"));
		return apctl_option_error(cmd, opt, argv);
	}
	return 1;
}

bool chg_opt(struct chg_opts *o, int opt, const char *arg, const char *cmd,
	     void (*usage)(FILE *), char **argv, int *status)
{
	int rc = shared_opt(o, opt, arg, cmd, usage, argv);

	if (rc == 0)
		return true;
	if (rc < 0)
		*status = APCTL_EXIT_OK;
	else if (rc == 1)
		*status = apctl_usage_error(cmd, _("invalid option"));
	else
		*status = rc;
	return false;
}

void chg_usage_common(FILE *out)
{
	fputs(_("     --dry-run              print each write in order with its undo;\n"
		"                            change nothing\n"), out);
	fputs(_(" -y, --yes                  do not ask for confirmation\n"), out);
	fputs(_(" -f, --force                do what is otherwise refused (see below)\n"), out);
	fputs(_(" -w, --wait <seconds>       wait at most this long for the AP configuration\n"
		"                            lock (default 90)\n"), out);
	fputs(_(" -J, --json[=<style>]       print the result as a JSON document: pretty on\n"
		"                            a terminal, else compact (style: pretty or\n"
		"                            compact)\n"), out);
	fputs(_("     --ignore-definition <uuid|file>\n"
		"                            check the change without this mdevctl definition,\n"
		"                            which apctl cannot read (otherwise refused;\n"
		"                            may be repeated)\n"), out);
	fputs(_(" -h, --help                 display this help\n"), out);
}

void chg_usage_settle(FILE *out)
{
	fputs(_("     --settle[=<seconds>]   after the masks changed, wait at most this long\n"
		"                            (default 10) for the kernel to report that the\n"
		"                            queues are bound again (it runs a bus scan to\n"
		"                            ask); the default on a system with udev\n"
		"     --no-settle            return as soon as the change is made\n"), out);
}

void chg_usage_exit(FILE *out, const char *force)
{
	fputs(_("\nEvery change is checked against the whole configuration before the first\n"
		"write, made under the lock /run/lock/s390apconfig.lock (shared with chzdev\n"
		"and mdevctl's ap-check), read back after each write, and undone in reverse\n"
		"order when a write fails.  Changes needing root are refused for others.\n"
		"A change is refused (exit 10) while a file it is checked against cannot be\n"
		"read or understood, such as a malformed mdevctl definition.\n"), out);
	fprintf(out, "\n%s", force);
	fputs(_("\nExit status:\n"
		"  0  success (or nothing to do)\n"
		"  1  a write failed; everything done before it was undone\n"
		"  2  wrong command line (also: an invalid UUID, a UUID that names no mdev,\n"
		"     or a change that needs confirmation without --yes and no terminal)\n"
		"  3  no AP bus or no vfio_ap on this system\n"
		"  4  refused: the change conflicts with the configuration, or was not\n"
		"     confirmed; nothing written\n"
		"  5  the AP configuration lock was not obtained in time\n"
		"  6  a write failed and the undo failed too: the message says what state\n"
		"     was left and how to repair it\n"
		"  9  a change needs root privileges, or the AP configuration cannot be\n"
		"     read without them\n"
		" 10  malformed data in sysfs, a configuration file or the lock file\n"), out);
}

int chg_parse_uuid(const char *cmd, const char *arg, char out[AP_UUID_STRLEN])
{
	size_t i;

	if (!ap_uuid_is_valid(arg))
		return apctl_usage_error(cmd, _("'%s' is not an mdev UUID (expected 8-4-4-4-12 "
						"hex digits, e.g. 8e2a5d2a-3c3a-4e1c-9b0d-"
						"0d1f5a2b7c41)"), arg);
	for (i = 0; i < AP_UUID_STRLEN - 1; i++)
		out[i] = (char)tolower((unsigned char)arg[i]);
	out[AP_UUID_STRLEN - 1] = '\0';
	return 0;
}

/* ------------------------------------------------------------------------ */
/* small text helpers */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_vadd(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->oom)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	b->len += (size_t)n;
}

static void __attribute__((format(printf, 2, 3))) sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vadd(b, fmt, ap);
	va_end(ap);
}

/* the buffer's string (never NULL unless memory is short) */
static char *sb_take(struct sbuf *b)
{
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	if (!b->s)
		return strdup("");
	return b->s;
}

static char * __attribute__((format(printf, 1, 2))) xasprintf(const char *fmt, ...)
{
	struct sbuf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	sb_vadd(&b, fmt, ap);
	va_end(ap);
	return sb_take(&b);
}

int chg_parse_ids(struct chg_txn *t, const char *opt, const char *s, unsigned int max,
		  struct ap_mask *out)
{
	struct ap_idlist_error e;
	struct ap_idlist l;
	char msg[256];

	if (ap_idlist_parse(s, max, false, &l, &e)) {
		ap_idlist_strerror(&e, msg, sizeof(msg));
		chg_problem_exit(t, APCTL_EXIT_USAGE, "id-list", "%s '%s': %s", opt, ap_esc(s), msg);
		return -1;
	}
	*out = l.set;
	return 0;
}

char *chg_ids(const struct ap_mask *m, int width)
{
	char buf[AP_IDLIST_STRLEN];

	if (ap_mask_is_empty(m))
		return strdup(_("none"));
	ap_idlist_format_hex(m, (unsigned int)width, buf, sizeof(buf));
	return strdup(buf);
}

char *chg_ids_dec(const struct ap_mask *m)
{
	char buf[AP_IDLIST_STRLEN];

	ap_idlist_format(m, buf, sizeof(buf));
	return strdup(buf);
}

char *chg_apqns(const struct ap_mask *a, const struct ap_mask *d, unsigned int max)
{
	struct sbuf b = { 0 };
	unsigned int n = 0;
	int i, j;

	ap_mask_for_each(i, a) {
		ap_mask_for_each(j, d) {
			if (n == max) {
				sb_add(&b, " ...");
				return sb_take(&b);
			}
			sb_add(&b, "%s%02x.%04x", n ? " " : "", i, j);
			n++;
		}
	}
	return sb_take(&b);
}

/* ------------------------------------------------------------------------ */
/* the transaction */

/* what the dry run and the JSON document show of a file step: its size
 * (-1: the step deletes the file) */
struct shown {
	long do_len, undo_len;
	/* the udev rule step: its content now and after the step (NULL none) */
	char *old_text, *new_text;
};

struct problem {
	enum chg_severity sev;
	int exit_code;
	char *kind;
	char *msg;
};


struct chg_txn {
	struct apctl_ctx *ctx;
	const struct chg_opts *o;
	const struct chg_ops *ops;
	void *arg;
	struct ap_path path;
	bool locked;
	bool reread;		/* the model is read a second time (under the lock) */
	bool lock_ticked;	/* a progress line without its newline is on stderr */
	bool oom;
	struct ap_request *reqs;	/* what the build callback asked for */
	size_t n_reqs;
	struct ap_plan plan;		/* core/plan.h, from the requests */
	struct shown *shown;		/* per plan step */
	struct ap_exec_result res;	/* sys/exec.h, once applied */
	bool applied;
	struct problem *probs;
	size_t n_probs;
	struct ap_model *model;		/* the model the plan was built from */
	struct json_object *doc;	/* --json */
	char *error;			/* the failure message, for JSON */
	struct ap_diags diags;		/* of the model read last */
	char new_uuid[AP_UUID_STRLEN];	/* a UUID apctl made up: "the new mdev" */
};

const struct chg_opts *chg_txn_opts(const struct chg_txn *t)
{
	return t->o;
}

struct apctl_ctx *chg_txn_ctx(const struct chg_txn *t)
{
	return t->ctx;
}

bool chg_txn_locked(const struct chg_txn *t)
{
	return t->locked;
}

int chg_root_path(struct chg_txn *t, char *buf, size_t size, const char *rel)
{
	return ap_path_fmt(&t->path, AP_ROOT, buf, size, "%s", rel);
}

struct ap_path *chg_txn_path(struct chg_txn *t)
{
	return &t->path;
}

size_t chg_txn_nsteps(const struct chg_txn *t)
{
	return t->plan.n_steps;
}

const struct ap_step *chg_txn_step(const struct chg_txn *t, size_t i)
{
	return i < t->plan.n_steps ? &t->plan.steps[i] : NULL;
}


static void plan_free(struct chg_txn *t)
{
	/* the texts first: freeing the plan forgets how many steps it had */
	for (size_t i = 0; t->shown && i < t->plan.n_steps; i++) {
		free(t->shown[i].old_text);
		free(t->shown[i].new_text);
	}
	free(t->shown);
	t->shown = NULL;
	ap_plan_free(&t->plan);
	free(t->reqs);
	t->reqs = NULL;
	t->n_reqs = 0;
}

void chg_request(struct chg_txn *t, const struct ap_request *req)
{
	struct ap_request *v = realloc(t->reqs, (t->n_reqs + 1) * sizeof(*v));

	if (!v) {
		t->oom = true;
		return;
	}
	t->reqs = v;
	v[t->n_reqs++] = *req;
}

void chg_txn_new_mdev(struct chg_txn *t, const char *uuid)
{
	snprintf(t->new_uuid, sizeof(t->new_uuid), "%s", uuid);
}

/* "mdev <made-up uuid>" becomes "the new mdev": that UUID exists nowhere */
static void name_new_mdev(const struct chg_txn *t, struct sbuf *b, const char *msg)
{
	char pat[sizeof("mdev ") + AP_UUID_STRLEN];
	const char *at;
	size_t n;

	if (!t->new_uuid[0]) {
		sb_add(b, "%s", msg);
		return;
	}
	n = (size_t)snprintf(pat, sizeof(pat), "mdev %s", t->new_uuid);
	while ((at = strstr(msg, pat))) {
		sb_add(b, "%.*s%s", (int)(at - msg), msg, _("the new mdev"));
		msg = at + n;
	}
	sb_add(b, "%s", msg);
}

static void probs_free(struct chg_txn *t)
{
	size_t i;

	for (i = 0; i < t->n_probs; i++) {
		free(t->probs[i].kind);
		free(t->probs[i].msg);
	}
	free(t->probs);
	t->probs = NULL;
	t->n_probs = 0;
}

static void vproblem(struct chg_txn *t, enum chg_severity sev, int exit_code, const char *kind,
		     const char *fmt, va_list ap)
{
	struct problem *p;
	struct sbuf b = { 0 }, named = { 0 };
	char *msg;
	size_t i;

	sb_vadd(&b, fmt, ap);
	msg = sb_take(&b);
	if (!msg) {
		t->oom = true;
		return;
	}
	name_new_mdev(t, &named, msg);
	free(msg);
	msg = sb_take(&named);
	if (!msg) {
		t->oom = true;
		return;
	}
	/* one condition, one message: a request validated for the live mdev
	 * and for its definition may find the same thing twice */
	for (i = 0; i < t->n_probs; i++) {
		if (t->probs[i].sev == sev && !strcmp(t->probs[i].kind, kind) &&
		    !strcmp(t->probs[i].msg, msg)) {
			free(msg);
			return;
		}
	}
	p = realloc(t->probs, (t->n_probs + 1) * sizeof(*p));
	if (!p) {
		free(msg);
		t->oom = true;
		return;
	}
	t->probs = p;
	p = &t->probs[t->n_probs];
	p->msg = msg;
	p->kind = strdup(kind);
	if (!p->msg || !p->kind) {
		free(p->msg);
		free(p->kind);
		t->oom = true;
		return;
	}
	p->sev = sev;
	p->exit_code = exit_code;
	t->n_probs++;
}

void chg_problem(struct chg_txn *t, enum chg_severity sev, const char *kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vproblem(t, sev, APCTL_EXIT_CONFLICT, kind, fmt, ap);
	va_end(ap);
}

void chg_problem_exit(struct chg_txn *t, int exit_code, const char *kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vproblem(t, CHG_ERROR, exit_code, kind, fmt, ap);
	va_end(ap);
}

static size_t n_errors(const struct chg_txn *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_probs; i++)
		n += t->probs[i].sev == CHG_ERROR;
	return n;
}

/* the exit code of the first error */
static int errors_exit(const struct chg_txn *t)
{
	size_t i;

	for (i = 0; i < t->n_probs; i++)
		if (t->probs[i].sev == CHG_ERROR)
			return t->probs[i].exit_code;
	return APCTL_EXIT_OK;
}


/* ------------------------------------------------------------------------ */
/* validation */

static unsigned int add_problems(struct chg_txn *t, const struct ap_problems *pr)
{
	unsigned int errs = 0;

	for (size_t i = 0; i < pr->n; i++) {
		const struct ap_problem *p = &pr->v[i];

		if (p->preexisting)
			continue;
		chg_problem(t, p->severity == AP_SEV_ERROR ? CHG_ERROR : CHG_WARNING,
			    ap_problem_kind_name(p->kind), "%s", p->message);
		errs += p->severity == AP_SEV_ERROR;
	}
	return errs;
}

unsigned int chg_validate(struct chg_txn *t, const struct ap_model *m,
			  const struct ap_request *req)
{
	struct ap_problems pr;
	unsigned int errs;

	if (ap_validate(m, req, &pr)) {
		chg_problem_exit(t, APCTL_EXIT_FAILURE, "oom", _("out of memory"));
		return 1;
	}
	errs = add_problems(t, &pr);
	ap_problems_free(&pr);
	return errs;
}

unsigned int chg_validate_all(struct chg_txn *t, const struct ap_model *m)
{
	struct ap_problems pr;
	unsigned int errs;

	if (t->oom)
		return 0;
	if (ap_validate_txn(m, t->reqs, t->n_reqs, &pr)) {
		chg_problem_exit(t, APCTL_EXIT_FAILURE, "oom", _("out of memory"));
		return 1;
	}
	errs = add_problems(t, &pr);
	ap_problems_free(&pr);
	return errs;
}

size_t chg_txn_nreqs(const struct chg_txn *t)
{
	return t->n_reqs;
}

struct json_object *chg_txn_doc(const struct chg_txn *t)
{
	return t->doc;
}

/* ------------------------------------------------------------------------ */
/* rendering */

static const struct ap_step *undo_of(const struct chg_txn *t, size_t i)
{
	const struct ap_step *s = &t->plan.steps[i];

	return s->undo_count ? &t->plan.undo[s->undo_first] : NULL;
}

/* the file sizes the dry run and the JSON document show (read now: under
 * the lock the second time, before anything is written) */
static int plan_shown(struct chg_txn *t)
{
	size_t i;

	t->shown = calloc(t->plan.n_steps ? t->plan.n_steps : 1, sizeof(*t->shown));
	if (!t->shown) {
		t->oom = true;
		return APCTL_EXIT_FAILURE;
	}
	for (i = 0; i < t->plan.n_steps; i++) {
		const struct ap_step *s = &t->plan.steps[i], *u = undo_of(t, i);
		char *buf, path[4096];
		size_t len;
		int e;

		t->shown[i].do_len = t->shown[i].undo_len = -1;
		if ((s->kind == AP_STEP_DEFINE_MDEV || s->kind == AP_STEP_PERSIST_MASKS ||
		     s->kind == AP_STEP_SAVE_OVERRIDE) && !s->drop) {
			e = ap_exec_step_content(&t->path, s, &buf, &len);
			if (e) {
				t->oom = true;
				return APCTL_EXIT_FAILURE;
			}
			t->shown[i].do_len = (long)len;
			if (s->kind == AP_STEP_PERSIST_MASKS)
				t->shown[i].new_text = buf;
			else
				free(buf);
		}
		if (u && u->kind == AP_STEP_FILE_RESTORE) {
			e = ap_exec_step_content(&t->path, u, &buf, &len);
			if (e && e != ENOENT) {
				ap_exec_step_path(&t->path, u, path, sizeof(path));
				chg_problem_exit(t, APCTL_EXIT_BADDATA, "unreadable",
						 _("cannot read %s: %s"), path, strerror(e));
				return APCTL_EXIT_BADDATA;
			}
			t->shown[i].undo_len = e ? -1 : (long)len;
			if (s->kind == AP_STEP_PERSIST_MASKS && !e)
				t->shown[i].old_text = buf;
			else
				free(e ? NULL : buf);
		}
	}
	return APCTL_EXIT_OK;
}

static bool is_file_step(const struct ap_step *s)
{
	return s->kind == AP_STEP_DEFINE_MDEV || s->kind == AP_STEP_PERSIST_MASKS ||
	       s->kind == AP_STEP_UNDEFINE_MDEV || s->kind == AP_STEP_FILE_RESTORE ||
	       s->kind == AP_STEP_SAVE_OVERRIDE || s->kind == AP_STEP_UNSAVE_OVERRIDE;
}

static void print_act(struct chg_txn *t, FILE *out, const struct ap_step *s, long len,
		      const char *prefix)
{
	char path[4096];

	ap_exec_step_path(&t->path, s, path, sizeof(path));
	if (!is_file_step(s) && !strcmp(s->data, "\n"))
		fprintf(out, _("%swrite a newline to %s\n"), prefix, path);
	else if (!is_file_step(s))
		fprintf(out, _("%swrite \"%s\" to %s\n"), prefix, s->data, path);
	else if (len >= 0)
		fprintf(out, _("%swrite %zu bytes to %s (atomic replace)\n"), prefix, (size_t)len,
			path);
	else
		fprintf(out, _("%sdelete %s\n"), prefix, path);
}

/* the lines of a text ("" none), split in place into a new array */
static char **text_lines(char *text, size_t *n)
{
	char **v = NULL;
	size_t k = 0;

	*n = 0;
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n'), **nv = realloc(v, (k + 1) * sizeof(*v));

		if (!nv)
			break;
		v = nv;
		v[k++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*n = k;
	return v;
}

/*
 * What a rule file step changes, line by line: "- " what goes, "+ " what
 * comes (a shortest edit by longest common subsequence; the files are a
 * dozen lines).  Untouched lines are not shown.
 */
static void print_text_diff(FILE *out, const char *old, const char *new)
{
	char *a = strdup(old ? old : ""), *b = strdup(new ? new : ""), **x, **y;
	size_t na, nb, i, j;
	unsigned int *L;

	x = text_lines(a, &na);
	y = text_lines(b, &nb);
	L = calloc((na + 1) * (nb + 1), sizeof(*L));
	if (!a || !b || !L || na > 4096 || nb > 4096)
		goto out;
#define LCS(i, j) L[(i) * (nb + 1) + (j)]
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			LCS(i, j) = !strcmp(x[i], y[j]) ? LCS(i + 1, j + 1) + 1
				    : LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1);
	for (i = j = 0; i < na || j < nb;) {
		if (i < na && j < nb && !strcmp(x[i], y[j])) {
			i++;
			j++;
		} else if (i < na && (j == nb || LCS(i + 1, j) >= LCS(i, j + 1))) {
			fprintf(out, "       - %s\n", x[i++]);
		} else {
			fprintf(out, "       + %s\n", y[j++]);
		}
	}
#undef LCS
out:
	free(L);
	free(x);
	free(y);
	free(a);
	free(b);
}

static void print_plan(struct chg_txn *t, FILE *out)
{
	size_t i, n = t->plan.n_steps;

	fprintf(out, P_("%s: %zu step (dry run: nothing is written)\n",
			"%s: %zu steps (dry run: nothing is written)\n", n),
		t->ops->cmd, n);
	for (i = 0; i < n; i++) {
		const struct ap_step *s = &t->plan.steps[i], *u = undo_of(t, i);

		fprintf(out, "%3zu. %s\n", i + 1, s->what);
		print_act(t, out, s, t->shown[i].do_len, "     ");
		/* the rule's lines that change (or go, when the file is deleted) */
		if (s->kind == AP_STEP_PERSIST_MASKS)
			print_text_diff(out, t->shown[i].old_text, t->shown[i].new_text);
		if (u) {
			print_act(t, out, u, t->shown[i].undo_len, _("     undo: "));
			for (size_t k = 1; k < s->undo_count; k++)
				print_act(t, out, &t->plan.undo[s->undo_first + k], -1,
					  _("     then: "));
		} else if (s->verify.kind == AP_VERIFY_NOT_DRIVER) {
			fprintf(out, "%s\n", _("     undo: by the undo of the step before (it "
						"probes the queue again)"));
		} else if (s->covered)
			fprintf(out, _("     undo: none (removing the mdev undoes it)\n"));
		else if (s->kind == AP_STEP_MDEV_REMOVE)
			fprintf(out, _("     undo: none (the last step; the kernel may block it "
				       "while a guest uses the mdev, apctl waits at most %d s)\n"),
				t->o->timeout);
		else
			fprintf(out, _("     undo: none\n"));
	}
}

static const char *state_name(const struct chg_txn *t, size_t i)
{
	if (!t->applied || !t->res.state)
		return "planned";
	switch (t->res.state[i]) {
	case AP_STEP_PLANNED:
		return "planned";
	case AP_STEP_DONE:
		return "done";
	case AP_STEP_FAILED:
		return "failed";
	case AP_STEP_UNDONE:
		return "undone";
	case AP_STEP_UNDO_FAILED:
		return "undo-failed";
	}
	return "?";
}

static struct json_object *act_json(struct chg_txn *t, const struct ap_step *s, long len)
{
	struct json_object *o;
	char path[4096];

	if (!s)
		return NULL;
	ap_exec_step_path(&t->path, s, path, sizeof(path));
	o = json_object_new_object();
	json_object_object_add(o, "op", json_object_new_string(
		!is_file_step(s) ? "write" : len >= 0 ? "replace-file" : "delete-file"));
	json_object_object_add(o, "path", json_object_new_string(path));
	if (!is_file_step(s))
		json_object_object_add(o, "value", json_object_new_string(s->data));
	else if (len >= 0)
		json_object_object_add(o, "bytes", json_object_new_int64(len));
	return o;
}

static bool has_error(const struct chg_txn *t)
{
	size_t i;

	for (i = 0; i < t->n_probs; i++)
		if (t->probs[i].sev == CHG_ERROR)
			return true;
	return false;
}

static void json_fill(struct chg_txn *t, int rc, const char *status)
{
	struct json_object *arr;
	size_t i;

	if (!t->doc)
		return;
	json_object_object_add(t->doc, "status", json_object_new_string(status));
	json_object_object_add(t->doc, "exit_code", json_object_new_int(rc));
	/* for configuration management: the system was changed (with
	 * dry_run: would be) */
	json_object_object_add(t->doc, "changed", json_object_new_boolean(
		!rc && t->plan.n_steps && (t->o->dry_run || t->applied)));
	arr = json_object_new_array();
	for (i = 0; i < t->n_probs; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "severity", json_object_new_string(
			t->probs[i].sev == CHG_ERROR ? "error" : "warning"));
		json_object_object_add(p, "kind", json_object_new_string(t->probs[i].kind));
		json_object_object_add(p, "message", json_object_new_string(t->probs[i].msg));
		json_object_array_add(arr, p);
	}
	/* a change stopped by something other than a problem (no AP bus, the
	 * lock, a failed write) names it in problems[] too */
	if (rc && t->error && !has_error(t)) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "severity", json_object_new_string("error"));
		json_object_object_add(p, "kind", json_object_new_string(status));
		json_object_object_add(p, "message", json_object_new_string(t->error));
		json_object_array_add(arr, p);
	}
	json_object_object_add(t->doc, "problems", arr);
	arr = json_object_new_array();
	for (i = 0; i < t->plan.n_steps && t->shown; i++) {
		const struct ap_step *s = &t->plan.steps[i];
		struct json_object *p = json_object_new_object();
		const char *name;

		json_object_object_add(p, "description", json_object_new_string(s->what));
		json_object_object_add(p, "do", act_json(t, s, t->shown[i].do_len));
		json_object_object_add(p, "undo", act_json(t, undo_of(t, i), t->shown[i].undo_len));
		json_object_object_add(p, "state", json_object_new_string(state_name(t, i)));
		if (t->applied && t->res.state && t->res.state[i] == AP_STEP_FAILED) {
			name = strerrorname_np(t->res.failure.err);
			json_object_object_add(p, "errno", json_object_new_string(
				t->res.failure.verify ? "verify" : name ? name : "?"));
		}
		json_object_array_add(arr, p);
	}
	json_object_object_add(t->doc, "steps", arr);
	json_object_object_add(t->doc, "error", t->error ? json_object_new_string(t->error) : NULL);
}

/* ------------------------------------------------------------------------ */
/* apply with rollback: the executor (sys/exec.h) */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void exec_cb(const struct ap_step *s, bool undo, int err, void *data)
{
	struct chg_txn *t = data;

	if (err < 0 && !undo && t->ctx->verbose)
		apctl_err(_("step %zu: %s"), (size_t)(s - t->plan.steps) + 1, s->what);
}

static void exec_waiting(const struct ap_step *s, void *data)
{
	struct chg_txn *t = data;

	if (!t->ctx->quiet && isatty(STDERR_FILENO))
		apctl_err(_("waiting up to %d s for the guest to release mdev %s "
			    "(the kernel blocks its removal until then)"), t->o->timeout, s->uuid);
}

/* the undo failure of forward step k, if any */
static const struct ap_exec_failure *undo_failure(const struct chg_txn *t, size_t k)
{
	size_t i;

	for (i = 0; i < t->res.n_undo_failures; i++)
		if (t->res.undo_failures[i].step->owner == k)
			return &t->res.undo_failures[i];
	return NULL;
}

/* returns the exit code */
static int apply(struct chg_txn *t)
{
	struct ap_exec_opts eo = {
		.remove_timeout_ms = (unsigned long)t->o->timeout * 1000UL,
		.stop = &got_signal,
		.waiting = exec_waiting,
		.model = t->model,
		.cb = exec_cb,
		.cb_data = t,
		/* a benchmarking aid (tests/bench): the cost of the journal */
		.journal = getenv("APCTL_DEBUG_NO_JOURNAL") ? AP_EXEC_JOURNAL_NONE
							    : AP_EXEC_JOURNAL_NEW,
	};
	struct ap_exec_result *r = &t->res;
	const char *msg;
	struct sbuf b = { 0 };
	size_t i, failed;

	ap_exec_plan(&t->path, &t->plan, &eo, r);
	t->applied = true;
	if (r->journal_err)
		apctl_warn(_("cannot remove the change journal: %s; 'apctl repair' removes it "
			     "once it finds nothing left to do"), strerror(r->journal_err));
	if (r->status == AP_EXEC_OK)
		return APCTL_EXIT_OK;
	msg = r->failure.message ? r->failure.message : _("out of memory");
	failed = r->failure.index;
	if (r->status == AP_EXEC_PENDING) {
		/* not a failure: an outcome of its own, which every view shows */
		const char *uuid = r->failure.step->uuid;
		int e = ap_pending_note(&t->path, uuid, r->waiter);

		t->error = xasprintf(_("removal pending: the guest still holds mdev %s; the "
				       "kernel completes the removal when the guest releases "
				       "the device (process %ld waits for that); the guest's "
				       "AP access is already withdrawn"), uuid, (long)r->waiter);
		apctl_err("%s", t->error ? t->error : "");
		if (e)
			apctl_warn(_("cannot note the pending removal for 'apctl show' and "
				     "'apctl check': %s"), strerror(e));
		return APCTL_EXIT_PENDING;
	}
	apctl_err("%s", msg);
	switch (r->status) {
	case AP_EXEC_UNDONE:
		if (failed)
			apctl_err(P_("the %zu step done before was undone; nothing was changed",
				     "the %zu steps done before were undone; nothing was changed",
				     failed), failed);
		else
			apctl_err(_("nothing was changed"));
		t->error = strdup(msg);
		return APCTL_EXIT_FAILURE;
	default:
		break;
	}

	/* partial: undo failures in the order of the steps they undo */
	sb_add(&b, "%s; ", msg);
	for (i = r->n_undo_failures; i-- > 0;) {
		const char *m = r->undo_failures[i].message;

		apctl_err(_("the undo failed too: %s"), m ? m : "");
		sb_add(&b, "%s; ", m ? m : "");
	}
	apctl_err(_("state left behind (the other steps were undone):"));
	for (i = 0; i <= failed && i < t->plan.n_steps; i++) {
		const struct ap_step *s = &t->plan.steps[i];
		const struct ap_exec_failure *f = undo_failure(t, i);
		char path[4096];

		if (!f)
			continue;
		ap_exec_step_path(&t->path, f->step, path, sizeof(path));
		if (s->repair[0]) {
			apctl_err(_("  still done: %s; to repair run: %s"), s->what, s->repair);
		} else if (f->step->kind == AP_STEP_FILE_RESTORE && f->content) {
			apctl_err(_("  still done: %s; to repair write this content to %s:"),
				  s->what, path);
			fwrite(f->content, 1, f->len, stderr);
			if (f->len && f->content[f->len - 1] != '\n')
				fputc('\n', stderr);
		} else if (f->step->kind == AP_STEP_FILE_RESTORE) {
			apctl_err(_("  still done: %s; to repair delete %s"), s->what, path);
		} else {
			apctl_err(_("  still done: %s; to repair write '%s' to %s"), s->what,
				  f->step->data, path);
		}
		sb_add(&b, _("left: %s (repair: %s); "), s->what, s->repair[0] ? s->repair : "-");
	}
	if (!r->journal_err && !getenv("APCTL_DEBUG_NO_JOURNAL"))
		apctl_err(_("the change journal keeps this state until 'apctl repair' undoes it "
			    "(other changes are refused until then)"));
	t->error = sb_take(&b);
	/* the parts are joined by "; ", with none after the last */
	if (t->error && strlen(t->error) >= 2 && !strcmp(t->error + strlen(t->error) - 2, "; "))
		t->error[strlen(t->error) - 2] = '\0';
	return APCTL_EXIT_PARTIAL;
}

/* ------------------------------------------------------------------------ */
/* the flow */

/*
 * An interrupted change (a journal whose owner is gone) blocks every other
 * change until 'apctl repair' dealt with it; so does a journal that cannot
 * be used.  Under the lock, a journal of a running process that does not
 * hold the lock is refused as well (before the lock, its owner is waited
 * for by taking the lock).  Returns 0 or the exit code after the message.
 */
static int journal_gate(struct chg_txn *t)
{
	struct ap_journal_probe pr;
	char *msg = NULL;
	int rc = APCTL_EXIT_OK;

	if (ap_journal_probe(&t->path, &pr)) {
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	switch (pr.found) {
	case AP_JOURNAL_NONE:
		break;
	case AP_JOURNAL_LIVE:
		if (!t->locked)
			break;
		msg = xasprintf(_("the change journal %s belongs to process %ld, which is "
				  "running but does not hold the AP configuration lock; "
				  "refusing to change anything beside it"),
				pr.path, pr.owner);
		rc = APCTL_EXIT_CONFLICT;
		break;
	case AP_JOURNAL_INTERRUPTED:
		msg = ap_out_journal_sentence(AP_OUT_J_INTERRUPTED, &pr.j, pr.owner, NULL);
		rc = APCTL_EXIT_CONFLICT;
		break;
	case AP_JOURNAL_BAD:
		msg = ap_out_journal_sentence(AP_OUT_J_BAD, NULL, 0, pr.error);
		rc = APCTL_EXIT_BADDATA;
		break;
	}
	if (rc) {
		chg_problem_exit(t, rc, "interrupted-change", "%s; nothing was written",
				 msg ? msg : _("out of memory"));
		apctl_err("%s", t->probs[t->n_probs - 1].msg);
		if (pr.found == AP_JOURNAL_INTERRUPTED && !t->o->json)
			ap_out_journal_steps(&pr.j, stderr);
	}
	free(msg);
	ap_journal_probe_free(&pr);
	return rc;
}

/* a model that cannot be read: said, kept for the JSON document, and the
 * exit status returned */
static int __attribute__((format(printf, 3, 4)))
model_error(struct chg_txn *t, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	apctl_err("%s", msg ? msg : _("out of memory"));
	if (!t->error)
		t->error = msg;
	else
		free(msg);
	return code;
}

static int read_model(struct chg_txn *t, struct ap_model *m)
{
	struct ap_diags *d = &t->diags;
	size_t i;
	int r;

	ap_diags_free(d);
	ap_diags_init(d);
	/* what validation, planning and execution use: bindings (listings),
	 * mdevs with their guests, definitions and persistent masks; not the
	 * cards' detail files (six per card) */
	r = ap_read_model(&t->path, AP_RD_QUEUES | AP_RD_GUEST | AP_RD_MDEVS |
			  AP_RD_DEFS | AP_RD_PERSIST, m, d);
	/* the first reading's warnings are shown (--verbose); a second one
	 * under the lock would only repeat them.  Errors: see chg_check_inputs(). */
	for (i = 0; i < d->n && !t->reread; i++) {
		if (d->v[i].level != AP_DIAG_ERROR && t->ctx->verbose)
			apctl_warn("%s: %s", d->v[i].path, d->v[i].msg);
	}
	if (r == -ENOMEM)
		return model_error(t, APCTL_EXIT_FAILURE, _("out of memory"));
	if (r == -EACCES || r == -EPERM)
		return model_error(t, APCTL_EXIT_PERM, _("cannot read the AP configuration in %s: "
						     "permission denied; run apctl as root"),
				   t->path.sysfs);
	if (r == AP_READ_NOAP || !m->host.caps.ap_bus)
		return model_error(t, APCTL_EXIT_NOAP, _("there is no AP bus in %s (no s390 AP "
						     "crypto support)"), t->path.sysfs);
	if (r < 0)
		return model_error(t, APCTL_EXIT_BADDATA,
				   _("cannot read the AP configuration: %s"), strerror(-r));
	if (m->host.max_adapter_unknown || m->host.max_domain_unknown) {
		char f[4096];

		/* refused before the other inputs are checked: what could not
		 * be read is shown as it was before that check existed */
		for (i = 0; i < d->n && !t->reread; i++)
			if (d->v[i].level == AP_DIAG_ERROR)
				apctl_warn("%s: %s", d->v[i].path, d->v[i].msg);
		ap_path_fmt(&t->path, AP_SYSFS, f, sizeof(f), "bus/ap/%s",
			    m->host.max_adapter_unknown ? "ap_max_adapter_id" : "ap_max_domain_id");
		free(t->error);
		t->error = xasprintf(m->host.max_adapter_unknown ?
				     _("refused: the highest adapter id cannot be read from %s, "
				       "so no adapter id can be checked; nothing was written") :
				     _("refused: the highest domain id cannot be read from %s, "
				       "so no domain id can be checked; nothing was written"), f);
		apctl_err("%s", t->error ? t->error : "");
		return APCTL_EXIT_BADDATA;
	}
	return APCTL_EXIT_OK;
}

static void print_problems(struct chg_txn *t)
{
	size_t i;

	for (i = 0; i < t->n_probs; i++) {
		if (t->probs[i].sev == CHG_ERROR)
			apctl_err("%s", t->probs[i].msg);
		else
			apctl_warn("%s", t->probs[i].msg);
	}
}

/* move the problems added after the first n to the front; drop the first n
 * when asked */
static void inputs_first(struct chg_txn *t, size_t n, bool drop)
{
	size_t k = t->n_probs - n, i;
	struct problem *v;

	if (!k || !n)
		return;
	v = malloc(t->n_probs * sizeof(*v));
	if (!v) {
		t->oom = true;
		return;
	}
	memcpy(v, t->probs + n, k * sizeof(*v));
	memcpy(v + k, t->probs, n * sizeof(*v));
	free(t->probs);
	t->probs = v;
	if (drop) {
		for (i = k; i < t->n_probs; i++) {
			free(v[i].kind);
			free(v[i].msg);
		}
		t->n_probs = k;
	}
}

static int build(struct chg_txn *t, struct ap_model *m)
{
	int r;

	plan_free(t);
	probs_free(t);
	t->model = m;
	r = t->ops->build(t, m, t->arg);
	if (t->oom)
		goto oom;
	if (r == APCTL_EXIT_USAGE || errors_exit(t) == APCTL_EXIT_USAGE) {
		/* a wrong command line is said first, after what could not be
		 * read (as warnings: the change is not made anyway) */
		for (size_t i = 0; i < t->diags.n && !t->reread; i++)
			if (t->diags.v[i].level == AP_DIAG_ERROR)
				apctl_warn("%s: %s", t->diags.v[i].path, t->diags.v[i].msg);
		return APCTL_EXIT_USAGE;
	}
	{
		/* what the reading says comes first; when it refuses the change,
		 * the problems found in a model with holes are dropped */
		size_t built = t->n_probs;
		bool refused = chg_check_inputs(t, &t->diags) > 0;

		inputs_first(t, built, refused);
		if (refused)
			return errors_exit(t);
	}
	if (!t->oom && !r && !n_errors(t)) {
		/* one plan for the requests, by the core planner */
		if (ap_plan_build_n(m, t->reqs, t->n_reqs, &t->plan)) {
			if (!t->oom)
				chg_problem_exit(t, APCTL_EXIT_FAILURE, "plan",
						 _("cannot plan the change: an mdev it needs is "
						   "gone, or memory is short"));
			r = APCTL_EXIT_FAILURE;
		} else {
			chg_check_def_dir(t, &t->plan);
			r = n_errors(t) ? errors_exit(t) : plan_shown(t);
		}
	}
	if (t->oom) {
oom:
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	if (r)
		return r;
	if (n_errors(t))
		return errors_exit(t);
	return APCTL_EXIT_OK;
}

/* the lock file's content as shown to people: without trailing blanks */
static const char *lock_content(const struct ap_lock_holder *h, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%s", h->content);
	n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\n'))
		buf[--n] = '\0';
	return buf;
}

/* why a lock file is not trusted, naming its owner; malloc'd */
static char *lock_distrust(const struct ap_lock_holder *h)
{
	char who[sizeof(h->owner) + 32];

	if (h->owner[0])
		snprintf(who, sizeof(who), "%s (uid %ld)", h->owner, h->uid);
	else
		snprintf(who, sizeof(who), "uid %ld", h->uid);
	switch (h->why) {
	case AP_LOCK_NOT_REGULAR:
		return xasprintf(_("it is a %s owned by %s, not a regular file"), h->ftype, who);
	case AP_LOCK_FOREIGN_OWNER:
		return xasprintf(_("it was created by %s, not by root"), who);
	default:
		return xasprintf(_("it is owned by %s but other users may write to it (mode %04o)"),
				 who, h->mode);
	}
}

static void lock_cb(enum ap_lock_event ev, const struct ap_lock_holder *h, void *data)
{
	struct chg_txn *t = data;
	char c[sizeof(h->content)];

	if (t->ctx->quiet)
		return;
	if (ev == AP_LOCK_EV_TICK) {
		/* on a terminal: how long so far, on the line of the waiting note */
		if (isatty(STDERR_FILENO)) {
			fputs("\rapctl: ", stderr);
			fprintf(stderr, _("waited %ld s of %d s for the AP configuration lock"),
				h->waited_ms / 1000, t->o->wait);
		}
		t->lock_ticked = isatty(STDERR_FILENO);
		return;
	}
	if (t->lock_ticked) {
		fputc('\n', stderr);
		t->lock_ticked = false;
	}
	if (ev == AP_LOCK_EV_UNTRUSTED) {
		char *why = lock_distrust(h), lp[4096];

		if (ap_path_fmt(&t->path, AP_ROOT, lp, sizeof(lp), AP_LOCK_FILE))
			snprintf(lp, sizeof(lp), "%s", AP_LOCK_FILE);
		if (h->moved_to[0])
			apctl_warn(_("the AP configuration lock %s is not trusted: %s; took it "
				     "over, and left it, not empty, as %s"), lp, why ? why : "",
				   h->moved_to);
		else
			apctl_warn(_("the AP configuration lock %s is not trusted: %s; took it "
				     "over and removed it"), lp, why ? why : "");
		free(why);
		return;
	}
	if (ev == AP_LOCK_EV_STALE) {
		if (h->own_pid)
			apctl_err(_("took over a stale lock that names apctl's own process %ld "
				    "(left by an earlier process with the same id)"), (long)h->pid);
		else if (h->state == AP_LOCK_HOLDER_PID)
			apctl_err(_("took over the stale lock of process %ld (no longer running)"),
				  (long)h->pid);
		else
			apctl_err(_("took over a stale lock file"));
		return;
	}
	if (h->state == AP_LOCK_HOLDER_PID)
		apctl_err(_("waiting up to %d s for the AP configuration lock held by process "
			    "%ld (%s)"), t->o->wait, (long)h->pid, h->comm[0] ? h->comm : "?");
	else if (h->state == AP_LOCK_HOLDER_EMPTY)
		apctl_err(_("waiting up to %d s for the AP configuration lock (the lock file "
			    "names no process)"), t->o->wait);
	else
		apctl_err(_("waiting up to %d s for the AP configuration lock (its content "
			    "'%s' is not a process id)"), t->o->wait,
			  lock_content(h, c, sizeof(c)));
}

/* the lock taken without waiting: a holder is not waited for (nor said) */
static void lock_try_cb(enum ap_lock_event ev, const struct ap_lock_holder *h, void *data)
{
	if (ev == AP_LOCK_EV_STALE || ev == AP_LOCK_EV_UNTRUSTED)
		lock_cb(ev, h, data);
}

static int take_lock(struct chg_txn *t, struct ap_lock *lk)
{
	int r;

	r = ap_lock_init(lk, &t->path, 0);
	if (r == EXDEV) {
		t->error = xasprintf(_("the AP configuration lock %s would lie outside the root "
				       "%s (a symbolic link leads out of it); nothing was "
				       "written"), lk->path, t->path.root);
		apctl_err("%s", t->error ? t->error : "");
		return APCTL_EXIT_LOCK;
	}
	if (r) {
		apctl_err(_("cannot use the AP configuration lock: %s"), strerror(r));
		return APCTL_EXIT_LOCK;
	}
	r = ap_lock_acquire(lk, (unsigned long)t->o->wait * 1000UL, lock_cb, t);
	if (t->lock_ticked) {
		fputc('\n', stderr);
		t->lock_ticked = false;
	}
	if (!r)
		return APCTL_EXIT_OK;
	if (lk->holder.state == AP_LOCK_HOLDER_UNTRUSTED) {
		char *why = lock_distrust(&lk->holder);

		t->error = xasprintf(_("cannot take over the untrusted AP configuration lock %s "
				       "(%s): %s; remove it as root and run apctl again"),
				     lk->path, why ? why : "", strerror(r));
		free(why);
		apctl_err("%s", t->error ? t->error : "");
		return APCTL_EXIT_LOCK;
	}
	if (r == ETIMEDOUT) {
		const struct ap_lock_holder *h = &lk->holder;

		if (h->state == AP_LOCK_HOLDER_PID)
			t->error = xasprintf(_("the AP configuration lock %s is held by process "
					       "%ld (%s); gave up after %d s (see --wait)"),
					     lk->path, (long)h->pid, h->comm[0] ? h->comm : "?",
					     t->o->wait);
		else
			t->error = xasprintf(_("the AP configuration lock %s is held (the file "
					       "names no process); gave up after %d s (see "
					       "--wait)"), lk->path, t->o->wait);
		apctl_err("%s", t->error ? t->error : "");
		return APCTL_EXIT_LOCK;
	}
	if (r == EBADMSG) {
		char c[sizeof(lk->holder.content)];

		t->error = xasprintf(_("the AP configuration lock %s holds '%s', which is not a "
				       "process id; gave up after %d s; remove the file if no "
				       "tool is running"), lk->path,
				     lock_content(&lk->holder, c, sizeof(c)), t->o->wait);
		apctl_err("%s", t->error ? t->error : "");
		return APCTL_EXIT_BADDATA;
	}
	t->error = xasprintf(_("cannot take the AP configuration lock %s: %s"), lk->path,
			     strerror(r));
	apctl_err("%s", t->error ? t->error : "");
	return APCTL_EXIT_LOCK;
}

static bool ask(const char *question)
{
	char line[32];

	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

static int finish(struct chg_txn *t, int rc)
{
	if (t->doc && t->o->json_out) {
		json_fill(t, rc, apctl_exit_status_name(rc));
		*t->o->json_out = t->doc;
		t->doc = NULL;
	}
	if (t->doc) {
		json_fill(t, rc, apctl_exit_status_name(rc));
		apctl_json_done();
		ap_json_print(t->doc, stdout);
		json_object_put(t->doc);
		t->doc = NULL;
	}
	{
		const char *e = getenv("APCTL_DEBUG_STATS");

		/* a debugging aid (benchmarks): not translated, stable words;
		 * both readings of the model, the journal and the writes */
		if (e && *e && strcmp(e, "0"))
			fprintf(stderr, "apctl: stats: files_read=%lu dirs_listed=%lu "
				"links_read=%lu writes=%lu steps=%zu\n",
				t->path.stats.files_read, t->path.stats.dirs_listed,
				t->path.stats.links_read, t->path.stats.writes, t->plan.n_steps);
	}
	plan_free(t);
	ap_exec_result_free(&t->res);
	probs_free(t);
	free(t->error);
	ap_diags_free(&t->diags);
	ap_path_fini(&t->path);
	return rc;
}

/* CHG_DONE: plan_unlocked() finished the command successfully (dry run,
 * nothing to change) */
#define CHG_DONE (-1)

/*
 * After build(): a refusal, a dry run, nothing to change, the question.
 * may_ask: a question may be put to the terminal (before the lock).
 * 0 to go on, CHG_DONE, or an exit code.
 */
static int after_build(struct chg_txn *t, struct ap_model *m, int rc, bool may_ask)
{
	const char *q;

	print_problems(t);
	if (rc) {
		size_t n = n_errors(t);

		if (rc == APCTL_EXIT_CONFLICT && n)
			apctl_err(P_("refused (%zu problem); nothing was written",
				     "refused (%zu problems); nothing was written", n), n);
		plan_free(t);	/* a refused plan is no plan */
		return rc;
	}
	if (t->o->dry_run) {
		if (!t->o->json)
			print_plan(t, stdout);
		else if (t->ops->report)
			/* the command's keys (uuid, outcome, ...) as the plan
			 * would make them; dry_run says that it did not */
			t->ops->report(t, m, t->doc, t->arg);
		return CHG_DONE;
	}
	if (!t->plan.n_steps) {
		apctl_note(t->ctx, _("nothing to change"));
		if (t->ops->report)
			t->ops->report(t, m, t->doc, t->arg);
		return CHG_DONE;
	}
	q = t->ops->confirm ? t->ops->confirm(t, m, t->arg) : NULL;
	if (q && !t->o->yes) {
		if (!may_ask || !isatty(STDIN_FILENO)) {
			/* the command line lacks --yes: a usage matter, not a conflict */
			chg_problem_exit(t, APCTL_EXIT_USAGE, "confirm",
					 _("this change needs confirmation and there is no "
					   "terminal to ask: add --yes; nothing was written (the "
					   "question: %s)"), q);
			apctl_err("%s", t->probs[t->n_probs - 1].msg);
			return APCTL_EXIT_USAGE;
		}
		if (!ask(q)) {
			apctl_err(_("not confirmed; nothing was written"));
			return APCTL_EXIT_CONFLICT;
		}
	}
	return 0;
}

/* read, plan and validate before the lock; ask the question; 0 to go on */
static int plan_unlocked(struct chg_txn *t)
{
	struct ap_model m1;
	int rc;

	ap_model_init(&m1);
	rc = read_model(t, &m1);
	if (!rc)
		rc = after_build(t, &m1, build(t, &m1), true);
	ap_model_free(&m1);
	return rc;
}

/* --settle: does the plan rebind queues (a mask or driver_override write)? */
static bool settle_wanted(const struct chg_txn *t)
{
	int secs = t->o->settle;

	if (secs < 0)
		secs = ap_path_is_real(&t->path) && ap_evsrc_udev_running() ? CHG_SETTLE_DEFAULT : 0;
	if (!secs)
		return false;
	for (size_t i = 0; i < t->plan.n_steps; i++) {
		const struct ap_step *s = &t->plan.steps[i];
		size_t n = strlen(s->path);

		if (s->kind == AP_STEP_SYSFS_WRITE &&
		    (!strcmp(s->path, "bus/ap/apmask") || !strcmp(s->path, "bus/ap/aqmask") ||
		     (n > 16 && !strcmp(s->path + n - 16, "/driver_override"))))
			return true;
	}
	return false;
}

static void settle_listen(struct chg_txn *t, struct ap_evsrc **ev)
{
	int err = ap_evsrc_open(&t->path, false, ev);

	if (err) {
		*ev = NULL;
		apctl_warn(_("cannot listen to udev events (%s): not waiting for the queues to be "
			     "bound again"), strerror(err));
	}
}

static void settle_wait(struct chg_txn *t, struct ap_evsrc *ev)
{
	int secs = t->o->settle < 0 ? CHG_SETTLE_DEFAULT : t->o->settle;
	unsigned long count = 0;
	int err;

	err = ap_settle(&t->path, ev, secs * 1000, &count);
	if (t->doc)
		json_object_object_add(t->doc, "settled", json_object_new_boolean(!err));
	if (!err) {
		apctl_note(t->ctx, _("the kernel reports the bindings complete"));
		return;
	}
	if (err == ETIMEDOUT)
		apctl_warn(P_("the kernel did not report the bindings complete within %d second: "
			      "the change is made, but a command run now may still see queues "
			      "being bound (see 'apctl show queues')",
			      "the kernel did not report the bindings complete within %d seconds: "
			      "the change is made, but a command run now may still see queues "
			      "being bound (see 'apctl show queues')", secs), secs);
	else
		apctl_warn(_("cannot wait for the bindings to complete: %s"), strerror(err));
}

int chg_run(struct apctl_ctx *ctx, const struct chg_opts *o, const struct chg_ops *ops, void *arg)
{
	struct chg_txn t = { .ctx = ctx, .o = o, .ops = ops, .arg = arg };
	struct ap_model m2;
	struct sigaction sa, old_int, old_term, old_hup, old_pipe;
	struct ap_lock lk;
	struct ap_evsrc *ev = NULL;
	bool once, done = false;
	int rc, r;

	r = ap_path_init(&t.path, ctx->root);
	if (r) {
		apctl_err(_("invalid root directory '%s': %s"), ctx->root ? ctx->root : "",
			  strerror(r));
		return APCTL_EXIT_USAGE;
	}
	if (ctx->verbose)
		t.path.trace = stderr;
	if (o->json) {
		t.doc = json_object_new_object();
		json_object_object_add(t.doc, "api_level", json_object_new_int(1));
		json_object_object_add(t.doc, "version", json_object_new_string(PACKAGE_VERSION));
		json_object_object_add(t.doc, "command", json_object_new_string(ops->cmd));
		json_object_object_add(t.doc, "dry_run", json_object_new_boolean(o->dry_run));
	}

	if (!o->dry_run && geteuid() != 0) {
		chg_problem_exit(&t, APCTL_EXIT_PERM, "permission",
				 _("%s changes the system and needs root privileges (--dry-run "
				   "shows the plan without them)"), ops->cmd);
		print_problems(&t);
		return finish(&t, APCTL_EXIT_PERM);
	}

	/* an interrupted change first */
	rc = o->dry_run ? APCTL_EXIT_OK : journal_gate(&t);
	if (rc)
		return finish(&t, rc);

	/*
	 * 1-2: read, plan, validate.  Where no question can be asked (--yes,
	 * or no terminal) and the lock is free, the model is read once, under
	 * the lock: a reading before it would only be repeated there (on the
	 * maximal host one reading is most of a command's time).  A question
	 * is asked before the lock is taken, so that the lock is not held
	 * while a person thinks, and a busy lock is waited for with a plan
	 * that was checked (and a refusal does not wait for it); the model is
	 * then read again under it.
	 */
	once = !o->dry_run && (o->yes || !isatty(STDIN_FILENO)) &&
	       ap_lock_init(&lk, &t.path, 0) == 0 && ap_lock_acquire(&lk, 0, lock_try_cb, &t) == 0;
	if (!once) {
		rc = plan_unlocked(&t);
		if (rc)
			return finish(&t, rc == CHG_DONE ? APCTL_EXIT_OK : rc);
		/* 3: lock, re-read, re-validate */
		rc = take_lock(&t, &lk);
		if (rc)
			return finish(&t, rc);
	}
	/* from here to the unlock a signal must not cut the change short: a
	 * closed terminal (SIGHUP) as little as Ctrl-C or kill, or a reader
	 * of our messages that went away (SIGPIPE: the write just fails) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);

	t.locked = true;
	t.reread = !once;
	ap_model_init(&m2);
	rc = journal_gate(&t);
	if (!rc)
		rc = read_model(&t, &m2);
	if (!rc && ap_pending_read(&t.path, &m2, true) == ENOMEM)	/* drops stale notes */
		rc = APCTL_EXIT_FAILURE;
	if (!rc && once) {
		rc = after_build(&t, &m2, build(&t, &m2), false);
		done = rc == CHG_DONE;
		if (done)
			rc = APCTL_EXIT_OK;
	} else if (!rc) {
		rc = build(&t, &m2);
		if (rc) {
			print_problems(&t);
			apctl_err(_("refused: the configuration changed while waiting for the lock; "
				    "nothing was written"));
		}
	}
	/* 4-5: apply, undo on failure; listen first when the change rebinds
	 * queues and --settle waits for the kernel to finish */
	if (!rc && !done && t.plan.n_steps && settle_wanted(&t))
		settle_listen(&t, &ev);
	if (!rc && !done && t.plan.n_steps) {
		rc = apply(&t);
		ctx->changed = rc == APCTL_EXIT_OK;
	}
	/* 6: unlock */
	r = ap_lock_release(&lk);
	if (r && r != ENOENT)
		apctl_warn(_("cannot release the AP configuration lock %s: %s"), lk.path,
			   strerror(r));
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (got_signal)
		apctl_warn(_("SIG%s arrived during the change: apctl finished it first, so "
			     "that nothing is left half-done"),
			   got_signal == SIGINT ? "INT" : got_signal == SIGTERM ? "TERM" : "HUP");
	if (ev) {
		if (!rc)
			settle_wait(&t, ev);
		ap_evsrc_close(ev);
	}
	if (!rc && !done && ops->report)
		ops->report(&t, &m2, t.doc, arg);
	ap_model_free(&m2);
	return finish(&t, rc);
}
