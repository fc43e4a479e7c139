/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/apmask.h"
#include "core/apqn.h"
#include "core/owner.h"
#include "sys/exec.h"
#include "sys/mdevctl.h"
#include "i18n.h"
#include "sys/reader.h"
#include "sys/udevrule.h"

#define VERIFY_FAILED (-1)

/* the previous content of a file a forward step changed (for FILE_RESTORE) */
#define saved ap_file_image

struct ectx {
	struct ap_path *p;
	const struct ap_exec_opts *o;
	struct saved *saved;
	size_t n_saved;
	struct ap_jfile jf;		/* AP_EXEC_JOURNAL_NEW */
	struct ap_jfile *j;		/* the journal appended to, or NULL */
	const char *jkind;		/* forward steps' event kind */
};

/* ---- errno sentences ---- */

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "?";
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

static bool is_mask_path(const char *path)
{
	return strcmp(path, AP_SYSFS_APMASK) == 0 || strcmp(path, AP_SYSFS_AQMASK) == 0;
}

/* the active mdev (other than uuid) whose matrix shares an APQN with a x d */
static const struct ap_mdev *holder_of(const struct ap_model *m, const char *uuid,
				       const struct ap_mask *a, const struct ap_mask *d,
				       char apqn[AP_APQN_STRLEN])
{
	struct ap_mask ia, id;

	for (size_t i = 0; m && i < m->n_mdevs; i++) {
		const struct ap_mdev *md = &m->mdevs[i];
		int x, y;

		if (!md->active || (uuid && !strcmp(md->uuid, uuid)))
			continue;
		ap_mask_and(&ia, a, &md->live.apm);
		ap_mask_and(&id, d, &md->live.aqm);
		x = ap_mask_next(&ia, 0);
		y = ap_mask_next(&id, 0);
		if (x < 0 || y < 0)
			continue;
		ap_apqn_format((unsigned int)x, (unsigned int)y, apqn);
		return md;
	}
	return NULL;
}

/* EADDRNOTAVAIL of an mdev write: the first APQN of the matrix after it
 * that vfio_ap cannot have */
static char *not_avail(const struct ap_host *h, const struct ap_matrix *x)
{
	char apqn[AP_APQN_STRLEN];
	int i, j;

	ap_mask_for_each(i, &x->apm) {
		ap_mask_for_each(j, &x->aqm) {
			const struct ap_queue *q;

			if (h->caps.guest_matrix) {
				if (!ap_host_owns(h, (unsigned int)i, (unsigned int)j))
					continue;
				ap_apqn_format((unsigned int)i, (unsigned int)j, apqn);
				return xasprintf(_("APQN %s belongs to the host's drivers "
						   "(apmask/aqmask; EADDRNOTAVAIL); reserve it first "
						   "with 'apctl reserve'"), apqn);
			}
			q = ap_host_find_queue(h, (unsigned int)i, (unsigned int)j);
			if (q && q->driver == AP_DRV_VFIO_AP)
				continue;
			ap_apqn_format((unsigned int)i, (unsigned int)j, apqn);
			return xasprintf(_("queue %s is not bound to vfio_ap (EADDRNOTAVAIL); this "
					   "kernel assigns only existing queues bound to vfio_ap"),
					 apqn);
		}
	}
	return NULL;
}

char *ap_exec_reason(const struct ap_step *s, int err, const struct ap_model *m,
		     unsigned long remove_timeout_ms, bool need_party)
{
	static const struct ap_host none;
	const struct ap_host *h = m ? &m->host : &none;
	const struct ap_mdev *md;
	char apqn[AP_APQN_STRLEN];
	struct ap_mask all;
	char *r;

	ap_mask_fill(&all);
	switch (s->kind) {
	case AP_STEP_SYSFS_WRITE:
		if (is_mask_path(s->path)) {
			const struct ap_mask *bits = &s->verify.must_set;
			bool aq = strcmp(s->path, AP_SYSFS_AQMASK) == 0;

			if (err == EBUSY && !ap_mask_is_empty(bits)) {
				/* the kernel's own rule: newly set bits against every mdev */
				md = holder_of(m, NULL, aq ? &all : bits, aq ? bits : &all, apqn);
				if (md)
					return xasprintf(_("the kernel refused (EBUSY): APQN %s is "
							   "assigned to mdev %s; unassign it first "
							   "with 'apctl mdev modify %s'"), apqn,
							 md->uuid, md->uuid);
				if (need_party)
					return NULL;
				return xasprintf(_("the kernel refused (EBUSY): an mdev holds an "
						   "APQN that would go back to the host"));
			}
			if (err == EINVAL && h->caps.driver_override && !ap_host_n_overrides(h))
				return xasprintf(_("the kernel refused it (EINVAL), although no queue "
						   "has a driver_override now: a queue that had one "
						   "went away, and this kernel still counts its "
						   "override (it does not forget it when the queue "
						   "disappears), so it refuses every apmask/aqmask "
						   "change until the next boot; give queues to vfio_ap "
						   "by driver_override meanwhile (apctl reserve --mode "
						   "override)"));
			if (err == EINVAL && h->caps.driver_override)
				return xasprintf(_("the kernel refused the value (EINVAL); this kernel "
						   "refuses every mask change while a queue has a "
						   "driver_override"));
			break;
		}
		if (err == EINVAL && s->verify.kind == AP_VERIFY_OVERRIDE)
			return xasprintf(_("the kernel refused it (EINVAL): it takes no "
					   "driver_override while apmask or aqmask were changed "
					   "through sysfs; give the masks back to all ones first "
					   "(apctl release), or use --mode masks"));
		if (err == EBUSY && s->verify.kind == AP_VERIFY_MIGRATABLE)
			return xasprintf(_("the kernel refused it (EBUSY): a migration of the "
					   "guest is in progress; switch it when the migration "
					   "has ended"));
		if (err == EINVAL && s->verify.kind == AP_VERIFY_MIGRATABLE)
			return xasprintf(_("the kernel refused the value (EINVAL)"));
		if (!s->uuid[0] || s->verify.kind == AP_VERIFY_MIGRATABLE)
			break;
		/* ap_config and (un)assign writes: verify.matrix is the matrix after */
		if (err == EADDRINUSE) {
			md = holder_of(m, s->uuid, &s->verify.matrix.apm, &s->verify.matrix.aqm,
				       apqn);
			if (md)
				return xasprintf(_("APQN %s is already assigned to mdev %s "
						   "(EADDRINUSE)"), apqn, md->uuid);
			if (need_party)
				return NULL;
			return xasprintf(_("an APQN is already assigned to another mdev "
					   "(EADDRINUSE)"));
		}
		if (err == EADDRNOTAVAIL) {
			r = not_avail(h, &s->verify.matrix);
			if (r || need_party)
				return r;
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
	case AP_STEP_MDEV_CREATE:
		if (err == EEXIST)
			return xasprintf(_("an mdev with this UUID already exists (EEXIST)"));
		if (err == EUSERS || (err == EPERM && !h->caps.guest_matrix))
			return xasprintf(_("the kernel has no mdev instances left (%s)"),
					 errname(err));
		if (err == ENODEV)
			return xasprintf(_("the vfio_ap matrix device is going away (ENODEV)"));
		break;
	case AP_STEP_MDEV_REMOVE:
		if (err == ETIMEDOUT)
			return xasprintf(_("the kernel is still waiting for the guest to release "
					   "the device after %d s"), (int)(remove_timeout_ms / 1000));
		break;
	default:
		/* config files: path.c refuses to follow a link out of the root */
		if (err == EXDEV)
			return xasprintf(_("its directory lies outside apctl's root (a symbolic "
					   "link leads out of it); nothing is written there "
					   "(EXDEV)"));
		break;
	}
	return xasprintf("%s (%s)", strerror(err), errname(err));
}

/* ---- steps ---- */

static bool is_sysfs_step(const struct ap_step *s)
{
	return s->kind == AP_STEP_SYSFS_WRITE || s->kind == AP_STEP_MDEV_CREATE ||
	       s->kind == AP_STEP_MDEV_REMOVE;
}

int ap_exec_step_path(struct ap_path *p, const struct ap_step *s, char *buf, size_t size)
{
	return ap_path_fmt(p, is_sysfs_step(s) ? AP_SYSFS : AP_ROOT, buf, size, "%s", s->path);
}

int ap_exec_step_content(struct ap_path *p, const struct ap_step *s, char **buf, size_t *len)
{
	struct ap_mdevdef def;
	char path[4096];
	int err;

	*buf = NULL;
	*len = 0;
	switch (s->kind) {
	case AP_STEP_DEFINE_MDEV:
		memset(&def, 0, sizeof(def));
		def.autostart = s->autostart;
		def.m = s->matrix;
		*buf = ap_mdevdef_format(&def);
		break;
	case AP_STEP_PERSIST_MASKS:
		if (s->drop)
			return ENOENT;	/* the step deletes the file */
		/* the rule udev uses now, edited in place */
		err = ap_udevrule_render(p, s->persist_ap ? &s->apmask : NULL,
					 s->persist_aq ? &s->aqmask : NULL, buf);
		if (err)
			return err;
		break;
	case AP_STEP_FILE_RESTORE:
		err = ap_exec_step_path(p, s, path, sizeof(path));
		if (!err)
			err = ap_path_read(p, path, buf, len);
		return err;
	default:
		*buf = strdup(s->data);
		break;
	}
	if (!*buf)
		return ENOMEM;
	*len = strlen(*buf);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* in the child: close every descriptor from 'from' on (fork keeps them all,
 * O_CLOEXEC or not) */
static void close_from(int from)
{
	long max;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)from, ~0U, 0U) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = from; fd < max; fd++)
		close(fd);
}

/*
 * The remove write in a child, so a kernel that blocks it cannot hang us.
 * 0, the errno, or ETIMEDOUT (the child keeps waiting: *waiter).
 */
static int bounded_write(struct ectx *c, const struct ap_step *s, const char *path,
			 pid_t *waiter)
{
	unsigned long limit = c->o ? c->o->remove_timeout_ms : 0;
	struct sigaction dfl, old_chld;
	bool told = false;
	long start;
	int status, err;
	pid_t pid;

	if (!limit)
		return ap_path_write(c->p, path, s->data, strlen(s->data));
	/* an ignored SIGCHLD (inherited from whoever started us) would reap the
	 * child by itself: waitpid then fails with ECHILD and a removal that
	 * happened would count as failed */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old_chld);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = errno;
		sigaction(SIGCHLD, &old_chld, NULL);
		return err;
	}
	if (pid == 0) {
		/* the child may outlive us: it must not hold our output (a pipe
		 * a caller waits on) or anything else open.  /dev/null is opened
		 * for reading only: apctl opens nothing outside its root for
		 * writing, and the child has nothing to say */
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		close_from(STDERR_FILENO + 1);
		err = ap_path_write(c->p, path, s->data, strlen(s->data));
		_exit(err > 0 && err < 256 ? err : (err ? EIO : 0));
	}
	c->p->stats.writes++;
	start = now_ms();
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000000L };
		long waited = now_ms() - start;

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			err = errno;
			sigaction(SIGCHLD, &old_chld, NULL);
			return err;
		}
		if (waited >= (long)limit || (c->o->stop && *c->o->stop)) {
			sigaction(SIGCHLD, &old_chld, NULL);
			*waiter = pid;
			return ETIMEDOUT;
		}
		if (!told && waited >= 1000 && c->o->waiting) {
			c->o->waiting(s, c->o->cb_data);
			told = true;
		}
		nanosleep(&ts, NULL);
	}
	sigaction(SIGCHLD, &old_chld, NULL);
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

/* the mdev's assigned matrix: ap_config, else matrix and control_domains;
 * *trunc: the kernel cut 'matrix' at 4095 bytes */
static int read_matrix(struct ectx *c, const struct ap_verify *v, struct ap_matrix *out,
		       bool *trunc)
{
	struct ap_matrix got;
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
		err = ap_matrix_parse(buf, len, &got.apm, &got.aqm, trunc, &errpos);
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
	*out = got;
	return 0;
}

static int verify_id(struct ectx *c, const struct ap_verify *v)
{
	struct ap_matrix got;
	const struct ap_mask *m;
	struct ap_mask x;
	bool trunc = false;
	int err = read_matrix(c, v, &got, &trunc);

	if (err)
		return err;
	m = v->dim == 0 ? &got.apm : v->dim == 1 ? &got.aqm : &got.adm;
	ap_mask_andnot(&x, &v->must_set, m);
	if (!ap_mask_is_empty(&x))
		return VERIFY_FAILED;
	/* a cut 'matrix' may not show an adapter or domain that is there */
	if (!(trunc && v->dim < 2) && ap_mask_intersects(m, &v->must_clear))
		return VERIFY_FAILED;
	return 0;
}

static int verify_matrix(struct ectx *c, const struct ap_verify *v)
{
	struct ap_matrix got;
	bool trunc = false;
	int err = read_matrix(c, v, &got, &trunc);

	if (err)
		return err;
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
	if (!ap_matrix_equal(&got, &v->matrix))
		return VERIFY_FAILED;
	return 0;
}

/* OVERRIDE: the file reads the name and a newline; DRIVER: the device's
 * driver link names the driver (or there is none) */
static int verify_text(struct ectx *c, const struct ap_verify *v)
{
	char path[4096], drv[64];
	size_t len;
	char *buf;
	int err;

	if (v->kind == AP_VERIFY_OVERRIDE || v->kind == AP_VERIFY_MIGRATABLE) {
		err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s", v->path);
		if (!err)
			err = ap_path_read(c->p, path, &buf, &len);
		if (err)
			return err;
		if (len && buf[len - 1] == '\n')
			len--;
		err = len == strlen(v->text) && !memcmp(buf, v->text, len) ? 0 : VERIFY_FAILED;
		free(buf);
		return err;
	}
	err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s/driver", v->path);
	if (err)
		return err;
	err = ap_path_readlink_base(c->p, path, drv, sizeof(drv));
	if (err == ENOENT) {
		/* no link: unbound, as long as the device itself is there */
		err = ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s", v->path);
		if (err)
			return err;
		if (!ap_path_exists(c->p, path))
			return ENOENT;
		drv[0] = '\0';
	} else if (err) {
		return err;
	}
	if (v->kind == AP_VERIFY_NOT_DRIVER)
		return strcmp(drv, v->text) ? 0 : VERIFY_FAILED;
	return strcmp(drv, v->text) ? VERIFY_FAILED : 0;
}

static int verify(struct ectx *c, const struct ap_verify *v)
{
	char path[4096];
	int err;

	switch (v->kind) {
	case AP_VERIFY_OVERRIDE:
	case AP_VERIFY_DRIVER:
	case AP_VERIFY_NOT_DRIVER:
	case AP_VERIFY_MIGRATABLE:
		return verify_text(c, v);
	case AP_VERIFY_NONE:
		return 0;
	case AP_VERIFY_MASK_BITS:
		return verify_mask(c, v);
	case AP_VERIFY_MDEV_MATRIX:
		return verify_matrix(c, v);
	case AP_VERIFY_MDEV_ID:
		return verify_id(c, v);
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

/* a file written by a step reads back as content (NULL: it is gone) */
static int verify_file(struct ectx *c, const char *path, const char *content, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	int err = ap_path_read(c->p, path, &buf, &n);

	if (!content) {
		free(buf);
		return err == ENOENT ? 0 : err ? err : VERIFY_FAILED;
	}
	if (!err && (n != len || memcmp(buf, content, len)))
		err = VERIFY_FAILED;
	free(buf);
	return err;
}

/* *wrote: the file was replaced (then a mismatch is VERIFY_FAILED) */
static int replace_file(struct ectx *c, const char *path, const char *content, size_t len,
			bool *wrote)
{
	int err = ap_path_write_atomic(c->p, path, content, len, 0644, true);

	/* an error after the rename (the directory's fsync) leaves the new
	 * file in place: what the read-back shows decides */
	if (err && verify_file(c, path, content, len))
		return err;
	*wrote = true;
	return verify_file(c, path, content, len);
}

static int delete_file(struct ectx *c, const char *path, bool *wrote)
{
	int err = ap_path_unlink(c->p, path);

	/* as above: a failed directory fsync after the unlink */
	if (err && err != ENOENT && verify_file(c, path, NULL, 0))
		return err;
	*wrote = true;
	return verify_file(c, path, NULL, 0);
}

/* 0, an errno (nothing was changed by this step unless *wrote), or VERIFY_FAILED */
static int run_step(struct ectx *c, const struct ap_step *s, bool *wrote, pid_t *waiter)
{
	struct saved *sv;
	char path[4096];
	size_t len;
	char *text;
	int err;

	*wrote = false;
	err = ap_exec_step_path(c->p, s, path, sizeof(path));
	if (err)
		return err;
	switch (s->kind) {
	case AP_STEP_SYSFS_WRITE:
		/* an unbind of a queue that is not bound (any more) has nothing
		 * to do; the kernel would answer ENODEV */
		if (s->verify.kind == AP_VERIFY_NOT_DRIVER && !verify(c, &s->verify))
			return 0;
		err = ap_path_write(c->p, path, s->data, strlen(s->data));
		break;
	case AP_STEP_MDEV_CREATE:
		err = ap_path_write(c->p, path, s->data, strlen(s->data));
		break;
	case AP_STEP_MDEV_REMOVE:
		err = bounded_write(c, s, path, waiter);
		if (err == ENODEV || err == ENOENT) {
			/* the files of a removed device give ENODEV (or are gone):
			 * a removal that an earlier, killed process had written
			 * landed meanwhile.  The mdev is gone: the step is done */
			char dir[4096];
			char *slash;

			snprintf(dir, sizeof(dir), "%s", path);
			slash = strrchr(dir, '/');
			if (slash) {
				*slash = '\0';
				if (!ap_path_exists(c->p, dir))
					err = 0;
			}
		}
		break;
	case AP_STEP_DEFINE_MDEV:
	case AP_STEP_PERSIST_MASKS:
	case AP_STEP_SAVE_OVERRIDE:
		err = save_file(c, s->path, path);
		if (err)
			return err;
		if (s->drop)
			return delete_file(c, path, wrote);
		err = ap_exec_step_content(c->p, s, &text, &len);
		if (err)
			return err;
		err = replace_file(c, path, text, len, wrote);
		free(text);
		return err;
	case AP_STEP_UNDEFINE_MDEV:
	case AP_STEP_UNSAVE_OVERRIDE:
		err = save_file(c, s->path, path);
		if (err)
			return err;
		return delete_file(c, path, wrote);
	case AP_STEP_FILE_RESTORE:
		sv = find_saved(c, s->path);
		if (sv ? sv->existed : s->existed) {
			if (!sv)
				return EINVAL;	/* content unknown: cannot restore */
			return replace_file(c, path, sv->content, sv->len, wrote);
		}
		return delete_file(c, path, wrote);
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

/* "cannot <what>: <reason>" or "cannot undo '<what>': <reason>" */
static char *failure_message(struct ectx *c, const struct ap_step *s, const struct ap_step *fwd,
			     bool undo, int err)
{
	unsigned long tmo = c->o ? c->o->remove_timeout_ms : 0;
	const struct ap_model *m = c->o ? c->o->model : NULL;
	char *reason = NULL, *msg, path[4096];

	if (err == VERIFY_FAILED) {
		if (is_sysfs_step(s))
			ap_path_fmt(c->p, AP_SYSFS, path, sizeof(path), "%s", s->verify.path);
		else
			ap_exec_step_path(c->p, s, path, sizeof(path));
		reason = undo ? xasprintf(_("reading %s back does not show the old state"), path)
			      : xasprintf(_("the write succeeded but reading %s back does not "
					    "show the change"), path);
	} else {
		reason = ap_exec_reason(s, err, m, tmo, true);
		if (!reason && (err == EADDRINUSE || err == EBUSY || err == EADDRNOTAVAIL)) {
			/* a tool that ignores the lock may have changed something
			 * meanwhile: look for the other party in a fresh reading */
			struct ap_model fresh;
			struct ap_diags d;

			ap_model_init(&fresh);
			ap_diags_init(&d);
			if (ap_read_model(c->p, AP_RD_CARDS | AP_RD_QUEUES | AP_RD_GUEST |
					  AP_RD_MDEVS | AP_RD_DEFS | AP_RD_PERSIST, &fresh, &d) >= 0)
				reason = ap_exec_reason(s, err, &fresh, tmo, false);
			ap_diags_free(&d);
			ap_model_free(&fresh);
			if (!reason)
				reason = ap_exec_reason(s, err, m, tmo, false);
		}
	}
	if (!reason)
		return NULL;
	if (undo)
		msg = xasprintf(_("cannot undo '%s': %s"), fwd->what, reason);
	else
		msg = xasprintf(_("cannot %s: %s"), s->what, reason);
	free(reason);
	return msg;
}

static void set_failure(struct ectx *c, struct ap_exec_failure *f, const struct ap_step *s,
			const struct ap_step *fwd, size_t idx, bool undo, int err)
{
	f->step = s;
	f->index = idx;
	f->undo = undo;
	f->verify = err == VERIFY_FAILED;
	f->err = f->verify ? 0 : err;
	f->message = failure_message(c, s, fwd, undo, err);
	if (undo && s->kind == AP_STEP_FILE_RESTORE) {
		struct saved *sv = find_saved(c, s->path);

		if (sv && sv->existed && sv->content) {
			f->content = malloc(sv->len + 1);
			if (f->content) {
				memcpy(f->content, sv->content, sv->len);
				f->content[sv->len] = '\0';
				f->len = sv->len;
			}
		}
	}
}

/* ---- the journal ---- */

static bool is_file_step(const struct ap_step *s)
{
	return s->kind == AP_STEP_DEFINE_MDEV || s->kind == AP_STEP_UNDEFINE_MDEV ||
	       s->kind == AP_STEP_PERSIST_MASKS || s->kind == AP_STEP_SAVE_OVERRIDE ||
	       s->kind == AP_STEP_UNSAVE_OVERRIDE;
}

/*
 * A crash point for the tests of interrupted changes (tests/bats/
 * change-crash.bats): $APCTL_DEBUG_CRASH = "KIND:INDEX:POINT" (KIND "step",
 * "undo" or "repair-step", INDEX 0-based, POINT "begin", "written" or
 * "done") kills apctl with SIGKILL right after that point: after the
 * "begin" record (nothing written yet), after the write and its read-back
 * (no "done" record yet), or after the "done" record.
 */
static void crash_point(const char *kind, size_t i, const char *point)
{
	const char *e = getenv("APCTL_DEBUG_CRASH");
	char want[96];

	if (!e || !*e)
		return;
	snprintf(want, sizeof(want), "%s:%zu:%s", kind, i, point);
	if (!strcmp(e, want))
		raise(SIGKILL);
}

/* record an event; an error stops the step from running */
static int jrecord(struct ectx *c, const char *kind, size_t i, const char *ev)
{
	char line[128];
	int err;

	if (!c->j)
		return 0;
	ap_journal_event(line, sizeof(line), kind, i, ev);
	err = ap_jfile_append(c->j, line);
	if (!err)
		crash_point(kind, i, ev);
	return err;
}

/* seed the saved files (repair) or save every file the plan changes, then
 * write the journal's header: before the first write */
static int journal_start(struct ectx *c, const struct ap_plan *plan)
{
	const struct ap_exec_opts *o = c->o;
	struct ap_journal j;
	char path[4096];
	int err;

	for (size_t i = 0; o && i < o->n_files; i++) {
		struct saved *ns = realloc(c->saved, (c->n_saved + 1) * sizeof(*ns));

		if (!ns)
			return ENOMEM;
		c->saved = ns;
		ns = &c->saved[c->n_saved];
		*ns = o->files[i];
		ns->content = NULL;
		if (o->files[i].existed) {
			ns->content = malloc(o->files[i].len + 1);
			if (!ns->content)
				return ENOMEM;
			memcpy(ns->content, o->files[i].content, o->files[i].len + 1);
		}
		c->n_saved++;
	}
	if (!o || o->journal == AP_EXEC_JOURNAL_NONE)
		return 0;
	if (o->journal == AP_EXEC_JOURNAL_REPAIR) {
		c->j = o->jfile;
		c->jkind = "repair-step";
		return 0;
	}
	/* the oldest content of each file: nobody else writes it under the lock */
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct ap_step *s = &plan->steps[i];

		if (!is_file_step(s))
			continue;
		err = ap_exec_step_path(c->p, s, path, sizeof(path));
		if (!err)
			err = save_file(c, s->path, path);
		if (err)
			return err;
	}
	ap_journal_init(&j);
	j.pid = (long)getpid();
	if (ap_proc_start(getpid(), &j.start))
		j.start = 0;
	j.command = ap_proc_cmdline();
	j.plan = *plan;
	j.files = c->saved;
	j.n_files = c->n_saved;
	err = j.command ? ap_jfile_create(&c->jf, c->p, &j) : ENOMEM;
	free(j.command);
	if (err)
		return err;
	c->j = &c->jf;
	c->jkind = "step";
	return 0;
}

static void journal_fail(struct ectx *c, const struct ap_plan *plan, struct ap_exec_result *r,
			 int err)
{
	char path[4096];

	if (ap_path_fmt(c->p, AP_ROOT, path, sizeof(path), "%s", AP_JOURNAL_PATH))
		path[0] = '\0';
	r->failure.step = &plan->steps[0];
	r->failure.err = err;
	r->failure.message = xasprintf(_("cannot write the change journal %s: %s"), path,
				       strerror(err));
}

enum ap_exec_status ap_exec_plan(struct ap_path *p, const struct ap_plan *plan,
				 const struct ap_exec_opts *o, struct ap_exec_result *r)
{
	struct ectx c = { .p = p, .o = o, .jf = { .fd = -1 } };
	size_t undo_from = 0, failed = 0;
	bool any_failed = false;
	int jerr;

	memset(r, 0, sizeof(*r));
	if (plan->n_steps)
		r->state = calloc(plan->n_steps, sizeof(*r->state));
	jerr = plan->n_steps ? journal_start(&c, plan) : 0;
	if (jerr) {
		/* nothing was written */
		journal_fail(&c, plan, r, jerr);
		r->status = AP_EXEC_UNDONE;
		goto out;
	}
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct ap_step *s = &plan->steps[i];
		bool wrote;
		int err;

		notify_before(&c, s, false);
		wrote = false;
		err = jrecord(&c, c.jkind, i, "begin");
		if (!err)
			err = run_step(&c, s, &wrote, &r->waiter);
		if (!err && c.j)
			crash_point(c.jkind, i, "written");
		notify(&c, s, false, err);
		if (!err)
			err = jrecord(&c, c.jkind, i, "done");
		if (!err) {
			r->done++;
			if (r->state)
				r->state[i] = AP_STEP_DONE;
			continue;
		}
		set_failure(&c, &r->failure, s, s, i, false, err);
		if (s->kind == AP_STEP_MDEV_REMOVE && err == ETIMEDOUT) {
			/* not undoable: the kernel goes on with it */
			r->done = plan->n_steps;
			if (r->state)
				r->state[i] = AP_STEP_DONE;
			r->status = AP_EXEC_PENDING;
			goto out;
		}
		jrecord(&c, c.jkind, i, "failed");
		if (r->state)
			r->state[i] = AP_STEP_FAILED;
		/* a write that went through but does not read back is undone too */
		undo_from = ap_plan_undo_start(plan, wrote ? i + 1 : i);
		failed = i;
		any_failed = true;
		break;
	}
	if (!any_failed) {
		r->status = AP_EXEC_OK;
		goto out;
	}
	for (size_t j = undo_from; j < plan->n_undo; j++) {
		const struct ap_step *s = &plan->undo[j];
		struct ap_exec_failure *nf;
		bool wrote = false;
		pid_t w = 0;
		int err;

		notify_before(&c, s, true);
		/* a journal that cannot take the event: the undo runs all the
		 * same (the journal still lists it as to be undone) */
		if (c.j == &c.jf)
			jrecord(&c, "undo", j, "begin");
		err = run_step(&c, s, &wrote, &w);
		notify(&c, s, true, err);
		if (c.j == &c.jf)
			jrecord(&c, "undo", j, err ? "failed" : "done");
		if (!err) {
			r->n_undone++;
			continue;
		}
		if (r->state && s->owner < plan->n_steps)
			r->state[s->owner] = AP_STEP_UNDO_FAILED;
		/* keep going: every other change that can be undone is undone */
		nf = realloc(r->undo_failures, (r->n_undo_failures + 1) * sizeof(*nf));
		if (!nf)
			continue;
		r->undo_failures = nf;
		memset(&nf[r->n_undo_failures], 0, sizeof(*nf));
		set_failure(&c, &nf[r->n_undo_failures++], s, &plan->steps[s->owner], j, true, err);
	}
	for (size_t k = 0; r->state && k < failed; k++)
		if (r->state[k] == AP_STEP_DONE)
			r->state[k] = AP_STEP_UNDONE;
	r->status = r->n_undo_failures ? AP_EXEC_PARTIAL : AP_EXEC_UNDONE;
out:
	/* last: the change has ended unless an undo failed */
	if (c.j == &c.jf) {
		if (r->status == AP_EXEC_PARTIAL)
			ap_jfile_close(&c.jf);
		else
			r->journal_err = ap_jfile_remove(&c.jf);
	}
	for (size_t i = 0; i < c.n_saved; i++)
		free(c.saved[i].content);
	free(c.saved);
	return r->status;
}

int ap_exec_step_holds(struct ap_path *p, const struct ap_step *s,
		       const struct ap_file_image *files, size_t n_files)
{
	struct ectx c = { .p = p };
	const struct ap_file_image *f = NULL;
	char path[4096];
	char *text;
	size_t len;
	int err;

	if (!is_file_step(s) && s->kind != AP_STEP_FILE_RESTORE)
		return verify(&c, &s->verify);
	err = ap_exec_step_path(p, s, path, sizeof(path));
	if (err)
		return err;
	switch (s->kind) {
	case AP_STEP_UNDEFINE_MDEV:
	case AP_STEP_UNSAVE_OVERRIDE:
		return verify_file(&c, path, NULL, 0);
	case AP_STEP_FILE_RESTORE:
		for (size_t i = 0; i < n_files; i++)
			if (!strcmp(files[i].path, s->path))
				f = &files[i];
		if (!f && s->existed)
			return EINVAL;
		if (!f || !f->existed)
			return verify_file(&c, path, NULL, 0);
		err = verify_file(&c, path, f->content, f->len);
		return err == ENOENT ? VERIFY_FAILED : err;
	case AP_STEP_PERSIST_MASKS:
		if (s->drop)
			return verify_file(&c, path, NULL, 0);
		/* fall through */
	default:
		err = ap_exec_step_content(p, s, &text, &len);
		if (err)
			return err;
		err = verify_file(&c, path, text, len);
		free(text);
		return err == ENOENT ? VERIFY_FAILED : err;
	}
}

void ap_exec_result_free(struct ap_exec_result *r)
{
	free(r->failure.message);
	for (size_t i = 0; i < r->n_undo_failures; i++) {
		free(r->undo_failures[i].message);
		free(r->undo_failures[i].content);
	}
	free(r->undo_failures);
	free(r->state);
	memset(r, 0, sizeof(*r));
}
