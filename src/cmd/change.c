/* SPDX-License-Identifier: MIT */
/*
 * The shared transaction flow of the changing commands; see change.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "core/apqn.h"
#include "core/exitcodes.h"
#include "core/idlist.h"
#include "core/validate.h"
#include "i18n.h"
#include "sys/diag.h"
#include "sys/lock.h"
#include "sys/mdevctl.h"
#include "sys/path.h"
#include "sys/reader.h"

#define TYPE_DIR "devices/vfio_ap/matrix/mdev_supported_types/" AP_MDEV_TYPE
#define MDEV_DIR "devices/vfio_ap/matrix"

/* ------------------------------------------------------------------------ */
/* options */

void chg_opts_init(struct chg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->wait = CHG_WAIT_DEFAULT;
	o->timeout = CHG_TIMEOUT_DEFAULT;
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

int chg_opt(struct chg_opts *o, int opt, const char *arg, const char *cmd,
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
		return 0;
	case CHG_OPT_FORCE:
		o->force = true;
		return 0;
	case CHG_OPT_WAIT:
		return chg_parse_seconds(cmd, "--wait", arg, CHG_WAIT_MAX, &o->wait);
	case CHG_OPT_HELP:
		usage(stdout);
		return -1;
	case ':':
		return apctl_usage_error(cmd, _("option '%s' requires an argument"),
					 argv[optind - 1]);
	case '?':
		if (optopt && optopt < 0x100)
			return apctl_usage_error(cmd, _("invalid option -- '%c'"), optopt);
		return apctl_usage_error(cmd, _("unrecognized option '%s'"), argv[optind - 1]);
	}
	return 1;
}

void chg_usage_common(FILE *out)
{
	fputs(_(" -n, --dry-run              print each write in order with its undo;\n"
		"                            change nothing\n"), out);
	fputs(_(" -y, --yes                  do not ask for confirmation\n"), out);
	fputs(_(" -f, --force                do what is otherwise refused (see below)\n"), out);
	fputs(_(" -w, --wait <seconds>       wait at most this long for the AP configuration\n"
		"                            lock (default 90)\n"), out);
	fputs(_(" -J, --json                 print the result as a JSON document\n"), out);
	fputs(_(" -h, --help                 display this help\n"), out);
}

void chg_usage_exit(FILE *out)
{
	fputs(_("\nEvery change is checked against the whole configuration before the first\n"
		"write, made under the lock /run/lock/s390apconfig.lock (shared with chzdev\n"
		"and mdevctl's ap-check), read back after each write, and undone in reverse\n"
		"order when a write fails.  Changes needing root are refused for others.\n"
		"A change that would write an all-zero mask (every queue of the machine\n"
		"to vfio_ap) is refused unless --force is given.\n"), out);
	fputs(_("\nExit status:\n"
		"  0  success (or nothing to do)\n"
		"  1  a write failed; everything done before it was undone\n"
		"  2  wrong command line (also: an invalid UUID)\n"
		"  3  no AP bus or no vfio_ap on this system\n"
		"  4  refused: the change conflicts with the configuration; nothing written\n"
		"  5  the AP configuration lock was not obtained in time\n"
		"  6  a write failed and the undo failed too: the message says what state\n"
		"     was left and how to repair it\n"
		"  9  a change needs root privileges\n"
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

/* the first APQN of a x d, false if the product is empty */
static bool first_apqn(const struct ap_mask *a, const struct ap_mask *d, char buf[AP_APQN_STRLEN])
{
	int i = ap_mask_next(a, 0), j = ap_mask_next(d, 0);

	if (i < 0 || j < 0)
		return false;
	ap_apqn_format((unsigned int)i, (unsigned int)j, buf);
	return true;
}

/* ------------------------------------------------------------------------ */
/* the transaction */

enum act_kind {
	ACT_NONE = 0,
	ACT_SYSFS,	/* one write(2) to a sysfs attribute */
	ACT_REMOVE,	/* mdev remove: the write in a child, bounded wait */
	ACT_FILE,	/* atomic replacement of a file below the root */
	ACT_UNLINK,	/* deletion of a file below the root */
};

enum verify_kind {
	V_NONE = 0,
	V_MASK,		/* mask file: bits vset set, bits vclr clear */
	V_EXISTS,	/* path exists */
	V_GONE,		/* path does not exist */
	V_APCONFIG,	/* ap_config equals mx */
	V_MEMBER,	/* matrix/control_domains has (present) or lacks id */
	V_CONTENT,	/* file content equals data */
};

struct act {
	enum act_kind kind;
	char *path;		/* full path */
	char *data;		/* value written (NUL-terminated) */
	size_t len;
	enum verify_kind v;
	char *vpath;		/* full path read back */
	struct ap_mask vset, vclr;
	struct ap_matrix vmx;
	enum chg_dim vdim;
	unsigned int vid;
	bool vpresent;
};

enum step_obj {
	OBJ_MASK,
	OBJ_CREATE,
	OBJ_APCONFIG,
	OBJ_ASSIGN,
	OBJ_REMOVE,
	OBJ_FILE,
};

enum step_state {
	ST_PLANNED = 0,
	ST_DONE,
	ST_FAILED,	/* its write (or read-back) failed: nothing to undo */
	ST_UNDONE,
	ST_UNDO_FAILED,
};

struct step {
	enum step_obj obj;
	char *what;		/* "reserve adapters 05,06 for vfio_ap (apmask)" */
	char *repair;		/* an apctl command line restoring the old state */
	char uuid[AP_UUID_STRLEN];
	bool aq;		/* OBJ_MASK: aqmask */
	bool to_host;		/* OBJ_MASK: bits set */
	struct ap_mask bits;	/* OBJ_MASK */
	enum chg_dim dim;	/* OBJ_ASSIGN */
	unsigned int id;
	bool assign;
	struct ap_matrix mx;	/* mdev steps: the matrix after the step */
	struct act act, undo;	/* undo.kind ACT_NONE: nothing to undo */
	enum step_state state;
	int err;		/* errno of the failed write */
	bool verify_err;	/* the write succeeded but the read-back differed */
	int undo_err;
	bool undo_verify_err;
	bool covered;		/* no undo needed: a later undo covers it */
	pid_t waiter;
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
	bool oom;
	struct step *steps;
	size_t n_steps;
	struct problem *probs;
	size_t n_probs;
	struct ap_model *model;		/* the model the plan was built from */
	struct json_object *doc;	/* --json */
	char *error;			/* the failure message, for JSON */
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

size_t chg_txn_nsteps(const struct chg_txn *t)
{
	return t->n_steps;
}

static void act_free(struct act *a)
{
	free(a->path);
	free(a->data);
	free(a->vpath);
	memset(a, 0, sizeof(*a));
}

static void steps_free(struct chg_txn *t)
{
	size_t i;

	for (i = 0; i < t->n_steps; i++) {
		free(t->steps[i].what);
		free(t->steps[i].repair);
		act_free(&t->steps[i].act);
		act_free(&t->steps[i].undo);
	}
	free(t->steps);
	t->steps = NULL;
	t->n_steps = 0;
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
	struct sbuf b = { 0 };

	p = realloc(t->probs, (t->n_probs + 1) * sizeof(*p));
	if (!p) {
		t->oom = true;
		return;
	}
	t->probs = p;
	p = &t->probs[t->n_probs];
	sb_vadd(&b, fmt, ap);
	p->msg = sb_take(&b);
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

static struct step *new_step(struct chg_txn *t, enum step_obj obj)
{
	struct step *s;

	s = realloc(t->steps, (t->n_steps + 1) * sizeof(*s));
	if (!s) {
		t->oom = true;
		return NULL;
	}
	t->steps = s;
	s = &t->steps[t->n_steps++];
	memset(s, 0, sizeof(*s));
	s->obj = obj;
	return s;
}

static char *sysfs_path(struct chg_txn *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *sysfs_path(struct chg_txn *t, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ap_path_vfmt(&t->path, AP_SYSFS, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r) {
		t->oom = true;
		return NULL;
	}
	return strdup(buf);
}

static void set_act(struct chg_txn *t, struct act *a, enum act_kind kind, char *path, char *data)
{
	a->kind = kind;
	a->path = path;
	a->data = data;
	a->len = data ? strlen(data) : 0;
	if (!path || (kind != ACT_UNLINK && !data))
		t->oom = true;
}

/* the kernel's relative mask text ("-5,-6", decimal) */
static char *mask_rel(const struct ap_mask *bits, char sign)
{
	char buf[AP_IDLIST_STRLEN * 2];
	struct ap_mask none;

	ap_mask_zero(&none);
	if (sign == '+')
		ap_idlist_format_kernel_edit(bits, &none, buf, sizeof(buf));
	else
		ap_idlist_format_kernel_edit(&none, bits, buf, sizeof(buf));
	return strdup(buf);
}

void chg_step_mask(struct chg_txn *t, bool aq, const struct ap_mask *bits, bool to_host)
{
	const char *file = aq ? "bus/ap/aqmask" : "bus/ap/apmask";
	struct step *s;
	char *ids, *dec;

	if (ap_mask_is_empty(bits))
		return;
	s = new_step(t, OBJ_MASK);
	if (!s)
		return;
	s->aq = aq;
	s->to_host = to_host;
	s->bits = *bits;
	ids = chg_ids(bits, aq ? 4 : 2);
	dec = chg_ids_dec(bits);
	if (to_host)
		s->what = xasprintf(aq ? _("give domains %s back to the host (aqmask)")
				       : _("give adapters %s back to the host (apmask)"), ids);
	else
		s->what = xasprintf(aq ? _("reserve domains %s for vfio_ap (aqmask)")
				       : _("reserve adapters %s for vfio_ap (apmask)"), ids);
	s->repair = xasprintf("apctl %s %s %s", to_host ? "reserve" : "release",
			      aq ? "--domains" : "--adapters", dec ? dec : "");
	free(ids);
	free(dec);
	set_act(t, &s->act, ACT_SYSFS, sysfs_path(t, "%s", file), mask_rel(bits, to_host ? '+' : '-'));
	set_act(t, &s->undo, ACT_SYSFS, sysfs_path(t, "%s", file), mask_rel(bits, to_host ? '-' : '+'));
	s->act.v = s->undo.v = V_MASK;
	s->act.vpath = sysfs_path(t, "%s", file);
	s->undo.vpath = sysfs_path(t, "%s", file);
	if (to_host) {
		s->act.vset = *bits;
		s->undo.vclr = *bits;
	} else {
		s->act.vclr = *bits;
		s->undo.vset = *bits;
	}
	if (!s->what || !s->repair || !s->act.vpath || !s->undo.vpath)
		t->oom = true;
}

void chg_step_create(struct chg_txn *t, const char *uuid)
{
	struct step *s = new_step(t, OBJ_CREATE);

	if (!s)
		return;
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->what = xasprintf(_("create mdev %s"), uuid);
	s->repair = xasprintf("apctl mdev remove %s", uuid);
	set_act(t, &s->act, ACT_SYSFS, sysfs_path(t, TYPE_DIR "/create"), strdup(uuid));
	set_act(t, &s->undo, ACT_SYSFS, sysfs_path(t, MDEV_DIR "/%s/remove", uuid), strdup("1"));
	s->act.v = V_EXISTS;
	s->act.vpath = sysfs_path(t, MDEV_DIR "/%s", uuid);
	s->undo.v = V_GONE;
	s->undo.vpath = sysfs_path(t, MDEV_DIR "/%s", uuid);
	if (!s->what || !s->repair || !s->act.vpath || !s->undo.vpath)
		t->oom = true;
}

/* "apctl mdev modify UUID --add-adapters 5 --remove-domains 4" going from
 * "from" back to "to" */
static char *modify_repair(const char *uuid, const struct ap_matrix *from,
			   const struct ap_matrix *to)
{
	static const char *const names[3] = { "adapters", "domains", "control-domains" };
	const struct ap_mask *f[3] = { &from->apm, &from->aqm, &from->adm };
	const struct ap_mask *o[3] = { &to->apm, &to->aqm, &to->adm };
	struct sbuf b = { 0 };
	struct ap_mask d;
	char *ids;
	int i;

	sb_add(&b, "apctl mdev modify %s", uuid);
	for (i = 0; i < 3; i++) {
		ap_mask_andnot(&d, f[i], o[i]);
		if (!ap_mask_is_empty(&d)) {
			ids = chg_ids_dec(&d);
			sb_add(&b, " --remove-%s %s", names[i], ids ? ids : "");
			free(ids);
		}
		ap_mask_andnot(&d, o[i], f[i]);
		if (!ap_mask_is_empty(&d)) {
			ids = chg_ids_dec(&d);
			sb_add(&b, " --add-%s %s", names[i], ids ? ids : "");
			free(ids);
		}
	}
	return sb_take(&b);
}

static char *matrix_text(const struct ap_matrix *m)
{
	char *a = chg_ids(&m->apm, 2), *d = chg_ids(&m->aqm, 4), *c = chg_ids(&m->adm, 4);
	char *r = NULL;

	if (a && d && c)
		r = xasprintf(_("adapters %s, domains %s, control domains %s"), a, d, c);
	free(a);
	free(d);
	free(c);
	return r;
}

void chg_step_ap_config(struct chg_txn *t, const char *uuid, const struct ap_matrix *old,
			const struct ap_matrix *new_m)
{
	char buf[AP_CONFIG_STRLEN];
	struct step *s = new_step(t, OBJ_APCONFIG);
	char *mt;

	if (!s)
		return;
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->mx = *new_m;
	mt = matrix_text(new_m);
	s->what = xasprintf(_("configure mdev %s: %s"), uuid, mt ? mt : "");
	free(mt);
	s->repair = modify_repair(uuid, new_m, old);
	ap_config_format(&new_m->apm, &new_m->aqm, &new_m->adm, buf);
	buf[strcspn(buf, "\n")] = '\0';
	set_act(t, &s->act, ACT_SYSFS, sysfs_path(t, MDEV_DIR "/%s/ap_config", uuid), strdup(buf));
	ap_config_format(&old->apm, &old->aqm, &old->adm, buf);
	buf[strcspn(buf, "\n")] = '\0';
	set_act(t, &s->undo, ACT_SYSFS, sysfs_path(t, MDEV_DIR "/%s/ap_config", uuid), strdup(buf));
	s->act.v = s->undo.v = V_APCONFIG;
	s->act.vmx = *new_m;
	s->undo.vmx = *old;
	s->act.vpath = sysfs_path(t, MDEV_DIR "/%s/ap_config", uuid);
	s->undo.vpath = sysfs_path(t, MDEV_DIR "/%s/ap_config", uuid);
	if (!s->what || !s->repair || !s->act.vpath || !s->undo.vpath)
		t->oom = true;
}

static const char *const dim_attr[3] = { "adapter", "domain", "control_domain" };

void chg_step_assign(struct chg_txn *t, const char *uuid, enum chg_dim dim, unsigned int id,
		     bool assign, const struct ap_matrix *after)
{
	struct step *s = new_step(t, OBJ_ASSIGN);
	struct ap_matrix before = *after;
	struct ap_mask *mk[3] = { &before.apm, &before.aqm, &before.adm };
	const char *vfile = dim == CHG_CDOM ? "control_domains" : "matrix";

	if (!s)
		return;
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->dim = dim;
	s->id = id;
	s->assign = assign;
	s->mx = *after;
	if (assign)
		ap_mask_clear(mk[dim], id);
	else
		ap_mask_set(mk[dim], id);
	switch (dim) {
	case CHG_ADAPTER:
		s->what = xasprintf(assign ? _("assign adapter %02x to mdev %s")
					   : _("unassign adapter %02x from mdev %s"), id, uuid);
		break;
	case CHG_DOMAIN:
		s->what = xasprintf(assign ? _("assign domain %04x to mdev %s")
					   : _("unassign domain %04x from mdev %s"), id, uuid);
		break;
	case CHG_CDOM:
		s->what = xasprintf(assign ? _("assign control domain %04x to mdev %s")
					   : _("unassign control domain %04x from mdev %s"),
				    id, uuid);
		break;
	}
	s->repair = modify_repair(uuid, after, &before);
	set_act(t, &s->act, ACT_SYSFS,
		sysfs_path(t, MDEV_DIR "/%s/%sassign_%s", uuid, assign ? "" : "un", dim_attr[dim]),
		xasprintf("0x%x", id));
	set_act(t, &s->undo, ACT_SYSFS,
		sysfs_path(t, MDEV_DIR "/%s/%sassign_%s", uuid, assign ? "un" : "", dim_attr[dim]),
		xasprintf("0x%x", id));
	s->act.v = s->undo.v = V_MEMBER;
	s->act.vdim = s->undo.vdim = dim;
	s->act.vid = s->undo.vid = id;
	s->act.vpresent = assign;
	s->undo.vpresent = !assign;
	s->act.vpath = sysfs_path(t, MDEV_DIR "/%s/%s", uuid, vfile);
	s->undo.vpath = sysfs_path(t, MDEV_DIR "/%s/%s", uuid, vfile);
	if (!s->what || !s->repair || !s->act.vpath || !s->undo.vpath)
		t->oom = true;
}

void chg_step_remove(struct chg_txn *t, const char *uuid)
{
	struct step *s = new_step(t, OBJ_REMOVE);

	if (!s)
		return;
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->what = xasprintf(_("remove mdev %s"), uuid);
	set_act(t, &s->act, ACT_REMOVE, sysfs_path(t, MDEV_DIR "/%s/remove", uuid), strdup("1"));
	s->act.v = V_GONE;
	s->act.vpath = sysfs_path(t, MDEV_DIR "/%s", uuid);
	if (!s->what || !s->act.vpath)
		t->oom = true;
}

static char *root_path(struct chg_txn *t, const char *rel)
{
	char buf[4096];

	if (ap_path_fmt(&t->path, AP_ROOT, buf, sizeof(buf), "%s", rel)) {
		t->oom = true;
		return NULL;
	}
	return strdup(buf);
}

void chg_step_file(struct chg_txn *t, const char *relpath, const char *what,
		   const char *content, const char *old)
{
	struct step *s = new_step(t, OBJ_FILE);

	if (!s)
		return;
	s->what = strdup(what);
	if (content)
		set_act(t, &s->act, ACT_FILE, root_path(t, relpath), strdup(content));
	else
		set_act(t, &s->act, ACT_UNLINK, root_path(t, relpath), NULL);
	if (old)
		set_act(t, &s->undo, ACT_FILE, root_path(t, relpath), strdup(old));
	else
		set_act(t, &s->undo, ACT_UNLINK, root_path(t, relpath), NULL);
	s->act.v = content ? V_CONTENT : V_GONE;
	s->undo.v = old ? V_CONTENT : V_GONE;
	s->act.vpath = root_path(t, relpath);
	s->undo.vpath = root_path(t, relpath);
	if (!s->what || !s->act.vpath || !s->undo.vpath)
		t->oom = true;
}

void chg_step_no_undo(struct chg_txn *t)
{
	struct step *s;

	if (!t->n_steps)
		return;
	s = &t->steps[t->n_steps - 1];
	act_free(&s->undo);
	s->covered = true;
}

void chg_step_repair(struct chg_txn *t, const char *fmt, ...)
{
	struct sbuf b = { 0 };
	struct step *s;
	va_list ap;

	if (!t->n_steps)
		return;
	s = &t->steps[t->n_steps - 1];
	va_start(ap, fmt);
	sb_vadd(&b, fmt, ap);
	va_end(ap);
	free(s->repair);
	s->repair = sb_take(&b);
	if (!s->repair)
		t->oom = true;
}

int chg_read_root_file(struct chg_txn *t, const char *relpath, char **buf)
{
	char full[4096];
	size_t len;
	int r;

	*buf = NULL;
	if (ap_path_fmt(&t->path, AP_ROOT, full, sizeof(full), "%s", relpath))
		r = ENAMETOOLONG;
	else
		r = ap_path_read(&t->path, full, buf, &len);
	if (r && r != ENOENT)
		chg_problem_exit(t, APCTL_EXIT_BADDATA, "unreadable", _("cannot read %s: %s"),
				 full, strerror(r));
	return r;
}

/* ------------------------------------------------------------------------ */
/* validation */

unsigned int chg_validate(struct chg_txn *t, const struct ap_model *m,
			  const struct ap_request *req)
{
	struct ap_problems pr;
	unsigned int errs = 0;
	size_t i;

	if (ap_validate(m, req, &pr)) {
		chg_problem_exit(t, APCTL_EXIT_FAILURE, "oom", _("out of memory"));
		return 1;
	}
	for (i = 0; i < pr.n; i++) {
		const struct ap_problem *p = &pr.v[i];

		if (p->preexisting)
			continue;
		chg_problem(t, p->severity == AP_SEV_ERROR ? CHG_ERROR : CHG_WARNING,
			    ap_problem_kind_name(p->kind), "%s", p->message);
		errs += p->severity == AP_SEV_ERROR;
	}
	ap_problems_free(&pr);
	return errs;
}

/* ------------------------------------------------------------------------ */
/* rendering */

static void print_act(FILE *out, const struct act *a, const char *prefix)
{
	switch (a->kind) {
	case ACT_SYSFS:
	case ACT_REMOVE:
		fprintf(out, _("%swrite \"%s\" to %s\n"), prefix, a->data, a->path);
		break;
	case ACT_FILE:
		fprintf(out, _("%swrite %zu bytes to %s (atomic replace)\n"), prefix, a->len,
			a->path);
		break;
	case ACT_UNLINK:
		fprintf(out, _("%sdelete %s\n"), prefix, a->path);
		break;
	case ACT_NONE:
		break;
	}
}

static void print_plan(struct chg_txn *t, FILE *out)
{
	size_t i;

	fprintf(out, P_("%s: %zu step (dry run: nothing is written)\n",
			"%s: %zu steps (dry run: nothing is written)\n", t->n_steps),
		t->ops->cmd, t->n_steps);
	for (i = 0; i < t->n_steps; i++) {
		const struct step *s = &t->steps[i];

		fprintf(out, "%3zu. %s\n", i + 1, s->what);
		print_act(out, &s->act, "     ");
		if (s->undo.kind != ACT_NONE)
			print_act(out, &s->undo, _("     undo: "));
		else if (s->covered)
			fprintf(out, _("     undo: none (removing the mdev undoes it)\n"));
		else if (s->obj == OBJ_REMOVE)
			fprintf(out, _("     undo: none (the last step; the kernel may block it "
				       "while a guest uses the mdev, apctl waits at most %d s)\n"),
				t->o->timeout);
		else
			fprintf(out, _("     undo: none\n"));
	}
}

static const char *state_name(enum step_state s)
{
	switch (s) {
	case ST_PLANNED:
		return "planned";
	case ST_DONE:
		return "done";
	case ST_FAILED:
		return "failed";
	case ST_UNDONE:
		return "undone";
	case ST_UNDO_FAILED:
		return "undo-failed";
	}
	return "?";
}

static struct json_object *act_json(const struct act *a)
{
	struct json_object *o;
	const char *op = "write";

	if (a->kind == ACT_NONE)
		return NULL;
	o = json_object_new_object();
	if (a->kind == ACT_FILE)
		op = "replace-file";
	else if (a->kind == ACT_UNLINK)
		op = "delete-file";
	json_object_object_add(o, "op", json_object_new_string(op));
	json_object_object_add(o, "path", json_object_new_string(a->path));
	if (a->kind == ACT_SYSFS || a->kind == ACT_REMOVE)
		json_object_object_add(o, "value", json_object_new_string(a->data));
	else if (a->kind == ACT_FILE)
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)a->len));
	return o;
}

static void json_fill(struct chg_txn *t, int rc, const char *status)
{
	struct json_object *arr;
	size_t i;

	if (!t->doc)
		return;
	json_object_object_add(t->doc, "status", json_object_new_string(status));
	json_object_object_add(t->doc, "exit_code", json_object_new_int(rc));
	arr = json_object_new_array();
	for (i = 0; i < t->n_probs; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "severity", json_object_new_string(
			t->probs[i].sev == CHG_ERROR ? "error" : "warning"));
		json_object_object_add(p, "kind", json_object_new_string(t->probs[i].kind));
		json_object_object_add(p, "message", json_object_new_string(t->probs[i].msg));
		json_object_array_add(arr, p);
	}
	json_object_object_add(t->doc, "problems", arr);
	arr = json_object_new_array();
	for (i = 0; i < t->n_steps; i++) {
		const struct step *s = &t->steps[i];
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "description", json_object_new_string(s->what));
		json_object_object_add(p, "do", act_json(&s->act));
		json_object_object_add(p, "undo", act_json(&s->undo));
		json_object_object_add(p, "state", json_object_new_string(state_name(s->state)));
		if (s->state == ST_FAILED)
			json_object_object_add(p, "errno", json_object_new_string(
				s->verify_err ? "verify" : strerrorname_np(s->err) ?
				strerrorname_np(s->err) : "?"));
		json_object_array_add(arr, p);
	}
	json_object_object_add(t->doc, "steps", arr);
	json_object_object_add(t->doc, "error", t->error ? json_object_new_string(t->error) : NULL);
}

/* ------------------------------------------------------------------------ */
/* execution */

static int read_file(struct chg_txn *t, const char *path, char **buf, size_t *len)
{
	return ap_path_read(&t->path, path, buf, len);
}

/* read back after a write: 0 when the expected state is there */
static int verify(struct chg_txn *t, const struct act *a)
{
	struct ap_matrix mx;
	struct ap_mask m, x;
	size_t len, pos;
	char *buf = NULL;
	bool trunc;
	int r = 0;

	if (a->v == V_NONE)
		return 0;
	if (a->v == V_EXISTS || a->v == V_GONE) {
		bool e = ap_path_exists(&t->path, a->vpath);

		return (a->v == V_EXISTS) == e ? 0 : -1;
	}
	if (read_file(t, a->vpath, &buf, &len))
		return -1;
	switch (a->v) {
	case V_MASK:
		if (ap_mask_parse(buf, len, &m, NULL, &pos)) {
			r = -1;
			break;
		}
		ap_mask_andnot(&x, &a->vset, &m);
		if (!ap_mask_is_empty(&x) || ap_mask_intersects(&m, &a->vclr))
			r = -1;
		break;
	case V_APCONFIG:
		if (ap_config_parse(buf, len, &mx.apm, &mx.aqm, &mx.adm, &pos) ||
		    !ap_mask_equal(&mx.apm, &a->vmx.apm) || !ap_mask_equal(&mx.aqm, &a->vmx.aqm) ||
		    !ap_mask_equal(&mx.adm, &a->vmx.adm))
			r = -1;
		break;
	case V_MEMBER:
		if (a->vdim == CHG_CDOM) {
			if (ap_cdoms_parse(buf, len, &m, &pos)) {
				r = -1;
				break;
			}
		} else {
			if (ap_matrix_parse(buf, len, &mx.apm, &mx.aqm, &trunc, &pos) || trunc) {
				r = -1;
				break;
			}
			m = a->vdim == CHG_ADAPTER ? mx.apm : mx.aqm;
		}
		if (ap_mask_test(&m, a->vid) != a->vpresent)
			r = -1;
		break;
	case V_CONTENT:
		if (len != a->len || memcmp(buf, a->data, len))
			r = -1;
		break;
	default:
		break;
	}
	free(buf);
	return r;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * mdev remove: the kernel blocks the write while a VFIO user (QEMU) has the
 * device open.  The write runs in a child; the parent waits at most
 * timeout seconds.  Returns 0, the errno, or ETIMEDOUT (the child is left
 * to finish the write when the guest lets go; *waiter is its PID).
 */
static int remove_bounded(struct chg_txn *t, const char *uuid, const struct act *a,
			  pid_t *waiter)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	long waited_ms = 0, limit_ms = (long)t->o->timeout * 1000;
	bool told = false;
	int status;
	pid_t pid, r;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		/* the child may outlive apctl: it must not hold apctl's output
		 * (a pipe a caller waits on) or anything else open */
		int err, fd = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		err = ap_path_write(&t->path, a->path, a->data, a->len);

		_exit(err > 0 && err < 256 ? err : (err ? EIO : 0));
	}
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return errno;
		if (waited_ms >= limit_ms || got_signal) {
			*waiter = pid;
			return ETIMEDOUT;
		}
		if (!told && waited_ms >= 1000 && !t->ctx->quiet && isatty(STDERR_FILENO)) {
			apctl_err(_("waiting up to %d s for the guest to release mdev %s "
				    "(the kernel blocks its removal until then)"),
				  t->o->timeout, uuid);
			told = true;
		}
		nanosleep(&ts, NULL);
		waited_ms += 20;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EIO;
}

static int run_act(struct chg_txn *t, const struct step *s, const struct act *a, pid_t *waiter)
{
	switch (a->kind) {
	case ACT_SYSFS:
		return ap_path_write(&t->path, a->path, a->data, a->len);
	case ACT_REMOVE:
		return remove_bounded(t, s->uuid, a, waiter);
	case ACT_FILE:
		return ap_path_write_atomic(&t->path, a->path, a->data, a->len, 0644, true);
	case ACT_UNLINK:
		return ap_path_unlink(&t->path, a->path);
	case ACT_NONE:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* errno sentences */

/* the active mdev (other than uuid) whose matrix shares an APQN with a x d */
static const struct ap_mdev *holder_of(const struct ap_model *m, const char *uuid,
				       const struct ap_mask *a, const struct ap_mask *d,
				       char apqn[AP_APQN_STRLEN])
{
	struct ap_mask ia, id;
	size_t i;

	for (i = 0; i < m->n_mdevs; i++) {
		const struct ap_mdev *md = &m->mdevs[i];

		if (!md->active || (uuid && !strcmp(md->uuid, uuid)))
			continue;
		ap_mask_and(&ia, a, &md->live.apm);
		ap_mask_and(&id, d, &md->live.aqm);
		if (first_apqn(&ia, &id, apqn))
			return md;
	}
	return NULL;
}

static int read_model(struct chg_txn *t, struct ap_model *m);
static char *reason_in(struct chg_txn *t, const struct ap_model *m, const struct step *s, int err,
		       bool last);

/*
 * The model to look for the other party of a refused write in: the one the
 * plan was made from, or, when it does not show one, a fresh reading (a
 * tool that does not take the lock may have changed something meanwhile).
 */
static const struct ap_model *party_model(struct chg_txn *t, struct ap_model *fresh)
{
	ap_model_init(fresh);
	if (read_model(t, fresh)) {
		ap_model_free(fresh);
		ap_model_init(fresh);
		return t->model;
	}
	return fresh;
}

/* the reason a failed write gives, naming the other party where possible */
static char *reason(struct chg_txn *t, const struct step *s, int err)
{
	struct ap_model fresh;
	char *r;

	ap_model_init(&fresh);
	r = reason_in(t, t->model, s, err, false);
	if (!r && (err == EADDRINUSE || err == EBUSY || err == EADDRNOTAVAIL)) {
		r = reason_in(t, party_model(t, &fresh), s, err, true);
	}
	ap_model_free(&fresh);
	return r;
}

/*
 * The reason in model m.  With !last, NULL when the other party of an
 * EADDRINUSE/EBUSY/EADDRNOTAVAIL is not in m (the caller tries a fresh
 * reading).
 */
static char *reason_in(struct chg_txn *t, const struct ap_model *m, const struct step *s, int err,
		       bool last)
{
	const struct ap_host *h = &m->host;
	const struct ap_mdev *md;
	char apqn[AP_APQN_STRLEN];
	struct ap_mask all;
	int i, j;

	ap_mask_fill(&all);
	switch (s->obj) {
	case OBJ_MASK:
		if (err == EBUSY && s->to_host) {
			/* the kernel's own rule: newly set bits against every mdev */
			if (s->aq)
				md = holder_of(m, NULL, &all, &s->bits, apqn);
			else
				md = holder_of(m, NULL, &s->bits, &all, apqn);
			if (md)
				return xasprintf(_("the kernel refused (EBUSY): APQN %s is assigned "
						   "to mdev %s; unassign it first with 'apctl mdev "
						   "modify %s'"), apqn, md->uuid, md->uuid);
			if (!last)
				return NULL;
			return xasprintf(_("the kernel refused (EBUSY): an mdev holds an APQN "
					   "that would go back to the host"));
		}
		if (err == EINVAL && h->caps.driver_override)
			return xasprintf(_("the kernel refused the value (EINVAL); this kernel "
					   "refuses every mask change while a queue has a "
					   "driver_override"));
		break;
	case OBJ_CREATE:
		if (err == EEXIST)
			return xasprintf(_("an mdev with this UUID already exists (EEXIST)"));
		if (err == EUSERS || (err == EPERM && !h->caps.guest_matrix))
			return xasprintf(_("the kernel has no mdev instances left (%s)"),
					 strerrorname_np(err));
		if (err == ENODEV)
			return xasprintf(_("the vfio_ap matrix device is going away (ENODEV)"));
		break;
	case OBJ_APCONFIG:
	case OBJ_ASSIGN:
		if (err == EADDRINUSE) {
			md = holder_of(m, s->uuid, &s->mx.apm, &s->mx.aqm, apqn);
			if (md)
				return xasprintf(_("APQN %s is already assigned to mdev %s (EADDRINUSE)"),
						 apqn, md->uuid);
			if (!last)
				return NULL;
			return xasprintf(_("an APQN is already assigned to another mdev (EADDRINUSE)"));
		}
		if (err == EADDRNOTAVAIL) {
			ap_mask_for_each(i, &s->mx.apm) {
				ap_mask_for_each(j, &s->mx.aqm) {
					const struct ap_queue *q;

					if (h->caps.guest_matrix) {
						if (!ap_host_owns(h, (unsigned int)i, (unsigned int)j))
							continue;
						ap_apqn_format((unsigned int)i, (unsigned int)j, apqn);
						return xasprintf(_("APQN %s belongs to the host's drivers "
								   "(apmask/aqmask; EADDRNOTAVAIL); "
								   "reserve it first with 'apctl reserve'"),
								 apqn);
					}
					q = ap_host_find_queue(h, (unsigned int)i, (unsigned int)j);
					if (q && q->driver == AP_DRV_VFIO_AP)
						continue;
					ap_apqn_format((unsigned int)i, (unsigned int)j, apqn);
					return xasprintf(_("queue %s is not bound to vfio_ap "
							   "(EADDRNOTAVAIL); this kernel assigns only "
							   "existing queues bound to vfio_ap"), apqn);
				}
			}
			if (!last)
				return NULL;
			return xasprintf(_("an APQN is not available to vfio_ap (EADDRNOTAVAIL)"));
		}
		if (err == ENODEV)
			return xasprintf(_("an id is above the maximum of this mdev (ENODEV; "
					   "adapters up to %u, domains up to %u)"),
					 h->max_adapter, h->max_domain);
		if (err == EBUSY && !h->caps.guest_matrix)
			return xasprintf(_("a guest uses the mdev, and this kernel cannot change "
					   "an mdev while a guest runs (EBUSY)"));
		break;
	case OBJ_REMOVE:
		if (err == ETIMEDOUT)
			return xasprintf(_("the kernel is still waiting for the guest to release "
					   "the device after %d s"), t->o->timeout);
		break;
	case OBJ_FILE:
		break;
	}
	return xasprintf("%s (%s)", strerror(err), strerrorname_np(err) ?
			 strerrorname_np(err) : "?");
}

/* ------------------------------------------------------------------------ */
/* apply with rollback */

static bool undo_step(struct chg_txn *t, struct step *s)
{
	pid_t w = 0;

	if (s->undo.kind == ACT_NONE) {
		s->state = ST_UNDONE;
		return true;
	}
	s->undo_err = run_act(t, s, &s->undo, &w);
	if (!s->undo_err && verify(t, &s->undo))
		s->undo_verify_err = true;
	if (s->undo_err || s->undo_verify_err) {
		s->state = ST_UNDO_FAILED;
		return false;
	}
	s->state = ST_UNDONE;
	return true;
}

/* returns the exit code */
static int apply(struct chg_txn *t)
{
	struct sbuf b = { 0 };
	size_t i, k, failed;
	bool undo_ok = true;
	char *why;

	for (i = 0; i < t->n_steps; i++) {
		struct step *s = &t->steps[i];

		if (t->ctx->verbose)
			apctl_err(_("step %zu: %s"), i + 1, s->what);
		s->err = run_act(t, s, &s->act, &s->waiter);
		if (!s->err && verify(t, &s->act))
			s->verify_err = true;
		if (s->err || s->verify_err)
			break;
		s->state = ST_DONE;
	}
	if (i == t->n_steps)
		return APCTL_EXIT_OK;

	failed = i;
	{
		struct step *s = &t->steps[failed];

		s->state = ST_FAILED;
		if (s->verify_err)
			why = xasprintf(_("the write succeeded but reading %s back does not show "
					  "the change"), s->act.vpath);
		else
			why = reason(t, s, s->err);
		sb_add(&b, _("cannot %s: %s"), s->what, why ? why : "");
		free(why);

		if (s->obj == OBJ_REMOVE && s->err == ETIMEDOUT) {
			/* not undoable: the kernel goes on with it */
			s->state = ST_DONE;
			apctl_err("%s", b.s ? b.s : "");
			apctl_err(_("the removal of mdev %s stays pending: the kernel finishes it "
				    "when the guest releases the device (process %ld keeps "
				    "waiting); the guest's AP access is already withdrawn. "
				    "Nothing else is left to repair"), s->uuid, (long)s->waiter);
			t->error = sb_take(&b);
			return APCTL_EXIT_PARTIAL;
		}
	}

	/*
	 * Undo in reverse order; go on after a failed undo, report them all.
	 * A write the kernel accepted but that does not read back is undone
	 * too (it may have done part of its work).
	 */
	if (t->steps[failed].verify_err) {
		if (!undo_step(t, &t->steps[failed]))
			undo_ok = false;
		else
			t->steps[failed].state = ST_FAILED;
	}
	for (k = failed; k-- > 0;)
		if (!undo_step(t, &t->steps[k]))
			undo_ok = false;

	if (undo_ok) {
		apctl_err("%s", b.s ? b.s : "");
		if (failed)
			apctl_err(P_("the %zu step done before was undone; nothing was changed",
				     "the %zu steps done before were undone; nothing was changed",
				     failed), failed);
		else
			apctl_err(_("nothing was changed"));
		t->error = sb_take(&b);
		return APCTL_EXIT_FAILURE;
	}

	apctl_err("%s", b.s ? b.s : "");
	sb_add(&b, "; ");
	for (k = 0; k <= failed; k++) {
		struct step *s = &t->steps[k];

		if (s->state != ST_UNDO_FAILED)
			continue;
		why = s->undo_verify_err
			? xasprintf(_("reading %s back does not show the old state"),
				    s->undo.vpath)
			: reason(t, s, s->undo_err);
		apctl_err(_("the undo failed too: cannot undo '%s': %s"), s->what, why ? why : "");
		sb_add(&b, _("cannot undo '%s': %s; "), s->what, why ? why : "");
		free(why);
	}
	apctl_err(_("state left behind (the other steps were undone):"));
	for (k = 0; k <= failed; k++) {
		struct step *s = &t->steps[k];

		if (s->state != ST_UNDO_FAILED)
			continue;
		if (s->repair)
			apctl_err(_("  still done: %s; to repair run: %s"), s->what, s->repair);
		else if (s->undo.kind == ACT_FILE) {
			apctl_err(_("  still done: %s; to repair write this content to %s:"),
				  s->what, s->undo.path);
			fwrite(s->undo.data, 1, s->undo.len, stderr);
			if (s->undo.len && s->undo.data[s->undo.len - 1] != '\n')
				fputc('\n', stderr);
		}
		else
			apctl_err(_("  still done: %s; to repair delete %s"), s->what,
				  s->undo.path ? s->undo.path : "?");
		sb_add(&b, _("left: %s (repair: %s); "), s->what, s->repair ? s->repair : "-");
	}
	t->error = sb_take(&b);
	return APCTL_EXIT_PARTIAL;
}

/* ------------------------------------------------------------------------ */
/* the flow */

static int read_model(struct chg_txn *t, struct ap_model *m)
{
	struct ap_diags d;
	size_t i;
	int r;

	ap_diags_init(&d);
	r = ap_read_model(&t->path, AP_RD_CARDS | AP_RD_QUEUES | AP_RD_GUEST | AP_RD_MDEVS |
			  AP_RD_DEFS | AP_RD_PERSIST, m, &d);
	/* the first reading's diagnostics are shown; the one under the lock
	 * would only repeat them */
	for (i = 0; i < d.n && !t->locked; i++) {
		if (d.v[i].level == AP_DIAG_ERROR || t->ctx->verbose)
			apctl_warn("%s: %s", d.v[i].path, d.v[i].msg);
	}
	ap_diags_free(&d);
	if (r == -ENOMEM) {
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	if (r == AP_READ_NOAP || !m->host.caps.ap_bus) {
		apctl_err(_("there is no AP bus in %s (no s390 AP crypto support)"), t->path.sysfs);
		return APCTL_EXIT_NOAP;
	}
	if (r < 0) {
		apctl_err(_("cannot read the AP configuration: %s"), strerror(-r));
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

static int build(struct chg_txn *t, struct ap_model *m)
{
	int r;

	steps_free(t);
	probs_free(t);
	t->model = m;
	r = t->ops->build(t, m, t->arg);
	if (t->oom) {
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

static void lock_cb(enum ap_lock_event ev, const struct ap_lock_holder *h, void *data)
{
	struct chg_txn *t = data;
	char c[sizeof(h->content)];

	if (t->ctx->quiet)
		return;
	if (ev == AP_LOCK_EV_STALE) {
		if (h->state == AP_LOCK_HOLDER_PID)
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

static int take_lock(struct chg_txn *t, struct ap_lock *lk)
{
	int r;

	r = ap_lock_init(lk, &t->path, 0);
	if (r) {
		apctl_err(_("cannot use the AP configuration lock: %s"), strerror(r));
		return APCTL_EXIT_LOCK;
	}
	r = ap_lock_acquire(lk, (unsigned long)t->o->wait * 1000UL, lock_cb, t);
	if (!r)
		return APCTL_EXIT_OK;
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

static const char *status_of(int rc)
{
	switch (rc) {
	case APCTL_EXIT_OK:
		return "ok";
	case APCTL_EXIT_FAILURE:
		return "failed";
	case APCTL_EXIT_CONFLICT:
		return "refused";
	case APCTL_EXIT_LOCK:
		return "lock";
	case APCTL_EXIT_PARTIAL:
		return "partial";
	case APCTL_EXIT_PERM:
		return "permission";
	case APCTL_EXIT_USAGE:
		return "usage";
	case APCTL_EXIT_NOAP:
		return "no-ap";
	default:
		return "error";
	}
}

static int finish(struct chg_txn *t, int rc)
{
	if (t->doc) {
		json_fill(t, rc, status_of(rc));
		fputs(json_object_to_json_string_ext(t->doc, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
		fputc('\n', stdout);
		json_object_put(t->doc);
		t->doc = NULL;
	}
	steps_free(t);
	probs_free(t);
	free(t->error);
	ap_path_fini(&t->path);
	return rc;
}

int chg_run(struct apctl_ctx *ctx, const struct chg_opts *o, const struct chg_ops *ops, void *arg)
{
	struct chg_txn t = { .ctx = ctx, .o = o, .ops = ops, .arg = arg };
	struct ap_model m1, m2;
	struct sigaction sa, old_int, old_term;
	struct ap_lock lk;
	const char *q;
	int rc, r;

	r = ap_path_init(&t.path, ctx->root);
	if (r) {
		apctl_err(_("invalid root directory '%s': %s"), ctx->root ? ctx->root : "",
			  strerror(r));
		return APCTL_EXIT_USAGE;
	}
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

	/* 1-2: read, plan, validate */
	ap_model_init(&m1);
	rc = read_model(&t, &m1);
	if (rc) {
		ap_model_free(&m1);
		return finish(&t, rc);
	}
	rc = build(&t, &m1);
	print_problems(&t);
	if (rc) {
		size_t n = n_errors(&t);

		if (rc == APCTL_EXIT_CONFLICT && n)
			apctl_err(P_("refused (%zu problem); nothing was written",
				     "refused (%zu problems); nothing was written", n), n);
		steps_free(&t);	/* a refused plan is no plan */
		ap_model_free(&m1);
		return finish(&t, rc);
	}
	if (o->dry_run) {
		if (!o->json)
			print_plan(&t, stdout);
		ap_model_free(&m1);
		return finish(&t, APCTL_EXIT_OK);
	}
	if (!t.n_steps) {
		apctl_note(ctx, _("nothing to change"));
		if (ops->report)
			ops->report(&t, &m1, t.doc, arg);
		ap_model_free(&m1);
		return finish(&t, APCTL_EXIT_OK);
	}
	q = ops->confirm ? ops->confirm(&t, &m1, arg) : NULL;
	if (q && !o->yes) {
		if (!isatty(STDIN_FILENO)) {
			chg_problem(&t, CHG_ERROR, "confirm",
				    _("%s; not confirmed (no terminal): add --yes"), q);
			apctl_err("%s", t.probs[t.n_probs - 1].msg);
			ap_model_free(&m1);
			return finish(&t, APCTL_EXIT_CONFLICT);
		}
		if (!ask(q)) {
			apctl_err(_("not confirmed; nothing was written"));
			ap_model_free(&m1);
			return finish(&t, APCTL_EXIT_CONFLICT);
		}
	}
	ap_model_free(&m1);

	/* 3: lock, re-read, re-validate */
	rc = take_lock(&t, &lk);
	if (rc)
		return finish(&t, rc);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	t.locked = true;
	ap_model_init(&m2);
	rc = read_model(&t, &m2);
	if (!rc) {
		rc = build(&t, &m2);
		if (rc) {
			print_problems(&t);
			apctl_err(_("refused: the configuration changed while waiting for the lock; "
				    "nothing was written"));
		}
	}
	/* 4-5: apply, undo on failure */
	if (!rc && t.n_steps)
		rc = apply(&t);
	/* 6: unlock */
	r = ap_lock_release(&lk);
	if (r && r != ENOENT)
		apctl_warn(_("cannot release the AP configuration lock %s: %s"), lk.path,
			   strerror(r));
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (!rc && ops->report)
		ops->report(&t, &m2, t.doc, arg);
	ap_model_free(&m2);
	return finish(&t, rc);
}
