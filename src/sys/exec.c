/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/apmask.h"
#include "core/apqn.h"
#include "sys/exec.h"
#include "sys/mdevctl.h"
#include "i18n.h"
#include "sys/parse.h"
#include "sys/udevrule.h"

#define VERIFY_FAILED (-1)

/* the previous content of a file a forward step changed (for FILE_RESTORE) */
struct saved {
	char path[AP_PATH_MAX];
	bool existed;
	char *content;
	size_t len;
};

struct ectx {
	struct ap_path *p;
	const struct ap_exec_opts *o;
	struct saved *saved;
	size_t n_saved;
};

/* ---- errno names and sentences ---- */

static const char *errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" },
		{ ERANGE, "ERANGE" }, { EUSERS, "EUSERS" }, { EADDRINUSE, "EADDRINUSE" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { EFBIG, "EFBIG" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return NULL;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* "assign adapter 0x06 to mdev <uuid>" etc. for an mdev attribute write */
static char *mdev_action(const struct ap_step *s, const char *attr)
{
	unsigned int id;
	uint64_t v;
	bool octal;

	if (strcmp(attr, "ap_config") == 0)
		return xasprintf(_("configure mdev %s (ap_config)"), s->uuid);
	if (ap_parse_kstrtoul(s->data, strlen(s->data), &v, &octal) || v > AP_MAX_ID)
		return xasprintf(_("write '%s' to %s of mdev %s"), s->data, attr, s->uuid);
	id = (unsigned int)v;
	if (strcmp(attr, "assign_adapter") == 0)
		return xasprintf(_("assign adapter 0x%02x to mdev %s"), id, s->uuid);
	if (strcmp(attr, "assign_domain") == 0)
		return xasprintf(_("assign domain 0x%04x to mdev %s"), id, s->uuid);
	if (strcmp(attr, "assign_control_domain") == 0)
		return xasprintf(_("assign control domain 0x%04x to mdev %s"), id, s->uuid);
	if (strcmp(attr, "unassign_adapter") == 0)
		return xasprintf(_("unassign adapter 0x%02x from mdev %s"), id, s->uuid);
	if (strcmp(attr, "unassign_domain") == 0)
		return xasprintf(_("unassign domain 0x%04x from mdev %s"), id, s->uuid);
	if (strcmp(attr, "unassign_control_domain") == 0)
		return xasprintf(_("unassign control domain 0x%04x from mdev %s"), id, s->uuid);
	return xasprintf(_("write '%s' to %s of mdev %s"), s->data, attr, s->uuid);
}

static char *mdev_reason(const char *attr, int err, const struct ap_host *h)
{
	bool dynamic = !h || h->caps.guest_matrix;
	bool cdom = strstr(attr, "control_domain") != NULL;

	switch (err) {
	case EADDRINUSE:
		return xasprintf(_("an APQN of the resulting matrix is already assigned to "
				   "another mdev"));
	case EADDRNOTAVAIL:
		if (dynamic)
			return xasprintf(_("an APQN of the resulting matrix belongs to the host "
					   "(it is set in both apmask and aqmask): reserve it for "
					   "vfio_ap first"));
		return xasprintf(_("an APQN of the resulting matrix is not a queue bound to "
				   "vfio_ap (this kernel assigns only bound queues)"));
	case ENODEV:
		return xasprintf(cdom ? _("the control domain is above the mdev's maximum "
					  "domain id, or the mdev is gone") :
				 _("an id is above the mdev's maximum id, or the mdev is gone"));
	case EBUSY:
		return xasprintf(_("a guest uses the mdev and this kernel allows no changes "
				   "while it does"));
	case EINVAL:
	case ERANGE:
		return xasprintf(_("the kernel refused the value"));
	default:
		return NULL;
	}
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool is_mask_path(const char *path)
{
	return strcmp(path, AP_SYSFS_APMASK) == 0 || strcmp(path, AP_SYSFS_AQMASK) == 0;
}

char *ap_exec_strerror(const struct ap_step *s, int err, const struct ap_host *h)
{
	const char *name = errname(err);
	char *action = NULL, *reason = NULL, *msg;

	switch (s->kind) {
	case AP_STEP_SYSFS_WRITE:
		if (is_mask_path(s->path)) {
			action = xasprintf(_("change %s ('%s')"), basename_of(s->path), s->data);
			if (err == EBUSY)
				reason = xasprintf(_("the kernel does not give APQNs that are "
						     "assigned to an mdev back to the host"));
			else if (err == EINVAL && h && h->caps.driver_override)
				reason = xasprintf(_("the kernel refused the value, or a queue has "
						     "a driver_override set"));
			else if (err == EINVAL)
				reason = xasprintf(_("the kernel refused the value"));
		} else if (s->uuid[0]) {
			action = mdev_action(s, basename_of(s->path));
			reason = mdev_reason(basename_of(s->path), err, h);
		} else {
			action = xasprintf(_("write '%s' to %s"), s->data, s->path);
		}
		break;
	case AP_STEP_MDEV_CREATE:
		action = xasprintf(_("create mdev %s"), s->uuid);
		if (err == EEXIST)
			reason = xasprintf(_("a mediated device with this UUID already exists"));
		else if (err == EUSERS || (err == EPERM && h && !h->caps.guest_matrix))
			reason = xasprintf(_("no more mdevs can be created"));
		else if (err == EINVAL)
			reason = xasprintf(_("the kernel refused the UUID"));
		else if (err == ENODEV)
			reason = xasprintf(_("the vfio_ap matrix device is going away"));
		break;
	case AP_STEP_MDEV_REMOVE:
		action = xasprintf(_("remove mdev %s"), s->uuid);
		if (err == ETIMEDOUT)
			reason = xasprintf(_("a guest still has it open; the kernel removes it "
					     "as soon as the guest releases it"));
		else if (err == EBUSY)
			reason = xasprintf(_("a guest uses it"));
		else if (err == ENOENT || err == ENODEV)
			reason = xasprintf(_("it does not exist (any more)"));
		break;
	case AP_STEP_DEFINE_MDEV:
		action = xasprintf(_("write the mdevctl definition of mdev %s"), s->uuid);
		break;
	case AP_STEP_UNDEFINE_MDEV:
		action = xasprintf(_("delete the mdevctl definition of mdev %s"), s->uuid);
		break;
	case AP_STEP_PERSIST_MASKS:
		action = xasprintf(_("write the persistent masks to %s"), s->path);
		break;
	case AP_STEP_FILE_RESTORE:
		action = xasprintf(s->existed ? _("restore %s") : _("delete %s"), s->path);
		break;
	}
	if (!action)
		return NULL;
	if (!err) {
		msg = xasprintf(_("cannot %s: the kernel accepted the write, but reading back "
				  "shows a different state"), action);
	} else {
		if (!reason && (err == EACCES || err == EPERM))
			reason = xasprintf(_("permission denied (apctl must run as root)"));
		if (!reason && err == EROFS)
			reason = xasprintf(_("the file system is read-only"));
		if (!reason)
			reason = xasprintf("%s", strerror(err));
		if (!reason)
			msg = NULL;
		else if (name)
			msg = xasprintf(_("cannot %s: %s (%s)"), action, reason, name);
		else
			msg = xasprintf(_("cannot %s: %s"), action, reason);
	}
	free(action);
	free(reason);
	return msg;
}

/* ---- steps ---- */

static int step_path(struct ectx *c, const struct ap_step *s, const char *rel, char *out,
		     size_t outsz)
{
	bool sysfs = s->kind == AP_STEP_SYSFS_WRITE || s->kind == AP_STEP_MDEV_CREATE ||
		     s->kind == AP_STEP_MDEV_REMOVE;

	return ap_path_fmt(c->p, sysfs ? AP_SYSFS : AP_ROOT, out, outsz, "%s", rel);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* the remove write in a child, so a kernel that blocks it cannot hang us */
static int bounded_write(struct ectx *c, const char *path, const char *data)
{
	unsigned long limit = c->o ? c->o->remove_timeout_ms : 0;
	long deadline;
	int status;
	pid_t pid;

	if (!limit)
		return ap_path_write(c->p, path, data, strlen(data));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		int err = ap_path_write(c->p, path, data, strlen(data));

		_exit(err > 255 ? 255 : err);
	}
	c->p->stats.writes++;
	deadline = now_ms() + (long)limit;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000000L };

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return errno;
		if (now_ms() >= deadline)
			return ETIMEDOUT;	/* the child keeps waiting in the kernel */
		nanosleep(&ts, NULL);
	}
	if (!WIFEXITED(status))
		return EIO;
	return WEXITSTATUS(status);
}

static struct saved *find_saved(struct ectx *c, const char *rel)
{
	for (size_t i = c->n_saved; i-- > 0;)
		if (strcmp(c->saved[i].path, rel) == 0)
			return &c->saved[i];
	return NULL;
}

/* remember a file's content before a forward step replaces or deletes it */
static int save_file(struct ectx *c, const char *rel, const char *full)
{
	struct saved *ns, *s;
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (find_saved(c, rel))
		return 0;	/* the oldest content is what an undo restores */
	err = ap_path_read(c->p, full, &buf, &len);
	if (err && err != ENOENT)
		return err;
	ns = realloc(c->saved, (c->n_saved + 1) * sizeof(*ns));
	if (!ns) {
		free(buf);
		return ENOMEM;
	}
	c->saved = ns;
	s = &c->saved[c->n_saved++];
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", rel);
	s->existed = !err;
	s->content = buf;
	s->len = len;
	return 0;
}

static int verify_mask(struct ectx *c, const struct ap_verify *v)
{
	struct ap_mask m, x;
	char path[4096];
	size_t len, errpos;
	char *buf;
	int err;

	err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s", v->path);
	if (!err)
		err = ap_path_read(c->p, path, &buf, &len);
	if (err)
		return err;
	err = ap_mask_parse(buf, len, &m, NULL, &errpos) ? VERIFY_FAILED : 0;
	free(buf);
	if (err)
		return err;
	ap_mask_andnot(&x, &v->must_set, &m);
	if (!ap_mask_is_empty(&x) || ap_mask_intersects(&m, &v->must_clear))
		return VERIFY_FAILED;
	return 0;
}

static int verify_matrix(struct ectx *c, const struct ap_verify *v)
{
	struct ap_matrix got;
	bool trunc = false;
	char path[4096];
	size_t len, errpos;
	char *buf;
	int err;

	memset(&got, 0, sizeof(got));
	err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s/ap_config", v->path);
	if (!err)
		err = ap_path_read(c->p, path, &buf, &len);
	if (!err) {
		err = ap_config_parse(buf, len, &got.apm, &got.aqm, &got.adm, &errpos);
		free(buf);
		if (err)
			return VERIFY_FAILED;
	} else if (err == ENOENT) {
		err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s/matrix", v->path);
		if (!err)
			err = ap_path_read(c->p, path, &buf, &len);
		if (err)
			return err;
		err = ap_matrix_parse(buf, len, &got.apm, &got.aqm, &trunc, &errpos);
		free(buf);
		if (err)
			return VERIFY_FAILED;
		err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s/control_domains",
				  v->path);
		if (!err)
			err = ap_path_read(c->p, path, &buf, &len);
		if (err)
			return err;
		err = ap_cdoms_parse(buf, len, &got.adm, &errpos);
		free(buf);
		if (err)
			return VERIFY_FAILED;
	} else {
		return err;
	}
	if (trunc) {
		/* the kernel cut 'matrix' at 4095 bytes: check what it showed */
		struct ap_mask x, y;

		ap_mask_andnot(&x, &got.apm, &v->matrix.apm);
		ap_mask_andnot(&y, &got.aqm, &v->matrix.aqm);
		if (!ap_mask_is_empty(&x) || !ap_mask_is_empty(&y) ||
		    !ap_mask_equal(&got.adm, &v->matrix.adm))
			return VERIFY_FAILED;
		return 0;
	}
	if (!ap_mask_equal(&got.apm, &v->matrix.apm) || !ap_mask_equal(&got.aqm, &v->matrix.aqm) ||
	    !ap_mask_equal(&got.adm, &v->matrix.adm))
		return VERIFY_FAILED;
	return 0;
}

static int verify(struct ectx *c, const struct ap_verify *v)
{
	char path[4096];
	int err;

	switch (v->kind) {
	case AP_VERIFY_NONE:
		return 0;
	case AP_VERIFY_MASK_BITS:
		return verify_mask(c, v);
	case AP_VERIFY_MDEV_MATRIX:
		return verify_matrix(c, v);
	case AP_VERIFY_EXISTS:
	case AP_VERIFY_ABSENT:
		err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s", v->path);
		if (err)
			return err;
		if (ap_path_exists(c->p, path) != (v->kind == AP_VERIFY_EXISTS))
			return VERIFY_FAILED;
		return 0;
	}
	return 0;
}

/* 0, an errno (nothing was changed by this step unless *wrote), or VERIFY_FAILED */
static int run_step(struct ectx *c, const struct ap_step *s, bool *wrote)
{
	struct ap_mdevdef def;
	struct saved *sv;
	char path[4096];
	char *text;
	int err;

	*wrote = false;
	err = step_path(c, s, s->path, path, sizeof(path));
	if (err)
		return err;
	switch (s->kind) {
	case AP_STEP_SYSFS_WRITE:
	case AP_STEP_MDEV_CREATE:
		err = ap_path_write(c->p, path, s->data, strlen(s->data));
		break;
	case AP_STEP_MDEV_REMOVE:
		err = bounded_write(c, path, s->data);
		break;
	case AP_STEP_DEFINE_MDEV:
		err = save_file(c, s->path, path);
		if (err)
			return err;
		memset(&def, 0, sizeof(def));
		def.autostart = s->autostart;
		def.m = s->matrix;
		text = ap_mdevdef_format(&def);
		if (!text)
			return ENOMEM;
		err = ap_path_write_atomic(c->p, path, text, strlen(text), 0644, true);
		free(text);
		break;
	case AP_STEP_UNDEFINE_MDEV:
		err = save_file(c, s->path, path);
		if (err)
			return err;
		err = ap_path_unlink(c->p, path);
		if (err == ENOENT)
			err = 0;
		break;
	case AP_STEP_PERSIST_MASKS:
		err = save_file(c, s->path, path);
		if (err)
			return err;
		text = ap_udevrule_format(&s->apmask, &s->aqmask);
		if (!text)
			return ENOMEM;
		err = ap_path_write_atomic(c->p, path, text, strlen(text), 0644, true);
		free(text);
		break;
	case AP_STEP_FILE_RESTORE:
		sv = find_saved(c, s->path);
		if (sv ? sv->existed : s->existed) {
			if (!sv)
				return EINVAL;	/* content unknown: cannot restore */
			err = ap_path_write_atomic(c->p, path, sv->content, sv->len, 0644, true);
		} else {
			err = ap_path_unlink(c->p, path);
			if (err == ENOENT)
				err = 0;
		}
		break;
	}
	if (err)
		return err;
	*wrote = true;
	return verify(c, &s->verify);
}

static void notify_before(struct ectx *c, const struct ap_step *s, bool undo)
{
	if (c->o && c->o->cb)
		c->o->cb(s, undo, -1, c->o->cb_data);
}

static void notify(struct ectx *c, const struct ap_step *s, bool undo, int err)
{
	if (c->o && c->o->cb)
		c->o->cb(s, undo, err == VERIFY_FAILED ? -2 : err, c->o->cb_data);
}

static void set_failure(struct ap_exec_failure *f, const struct ap_step *s, size_t idx,
			bool undo, int err, const struct ap_host *h)
{
	f->step = s;
	f->index = idx;
	f->undo = undo;
	f->verify = err == VERIFY_FAILED;
	f->err = f->verify ? 0 : err;
	f->message = ap_exec_strerror(s, f->err, h);
}

enum ap_exec_status ap_exec_plan(struct ap_path *p, const struct ap_plan *plan,
				 const struct ap_exec_opts *o, struct ap_exec_result *r)
{
	const struct ap_host *h = o ? o->host : NULL;
	struct ectx c = { .p = p, .o = o };
	size_t undo_from;
	bool failed = false;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct ap_step *s = &plan->steps[i];
		bool wrote;
		int err;

		notify_before(&c, s, false);
		err = run_step(&c, s, &wrote);
		notify(&c, s, false, err);
		if (!err) {
			r->done++;
			continue;
		}
		set_failure(&r->failure, s, i, false, err, h);
		/* a write that went through but does not read back is undone too */
		undo_from = ap_plan_undo_start(plan, wrote ? i + 1 : i);
		failed = true;
		break;
	}
	if (!failed) {
		r->status = AP_EXEC_OK;
		goto out;
	}
	for (size_t j = undo_from; j < plan->n_undo; j++) {
		const struct ap_step *s = &plan->undo[j];
		struct ap_exec_failure *nf;
		bool wrote;
		int err;

		notify_before(&c, s, true);
		err = run_step(&c, s, &wrote);
		notify(&c, s, true, err);
		if (!err) {
			r->n_undone++;
			continue;
		}
		/* keep going: every other change that can be undone is undone */
		nf = realloc(r->undo_failures, (r->n_undo_failures + 1) * sizeof(*nf));
		if (!nf)
			continue;
		r->undo_failures = nf;
		memset(&nf[r->n_undo_failures], 0, sizeof(*nf));
		set_failure(&nf[r->n_undo_failures++], s, j, true, err, h);
	}
	r->status = r->n_undo_failures ? AP_EXEC_PARTIAL : AP_EXEC_UNDONE;
out:
	for (size_t i = 0; i < c.n_saved; i++)
		free(c.saved[i].content);
	free(c.saved);
	return r->status;
}

void ap_exec_result_free(struct ap_exec_result *r)
{
	free(r->failure.message);
	for (size_t i = 0; i < r->n_undo_failures; i++)
		free(r->undo_failures[i].message);
	free(r->undo_failures);
	memset(r, 0, sizeof(*r));
}
