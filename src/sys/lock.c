/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/escape.h"
#include "sys/lock.h"

int ap_lock_init(struct ap_lock *lk, struct ap_path *p, pid_t pid)
{
	memset(lk, 0, sizeof(*lk));
	int err;

	lk->pid = pid > 0 ? pid : getpid();
	err = ap_path_fmt(p, AP_ROOT, lk->path, sizeof(lk->path), AP_LOCK_FILE);
	if (err)
		return err;
	/* the lock is made below the root, or not at all (a missing
	 * directory is reported when the lock is taken) */
	err = ap_path_below_root(p, lk->path);
	return err == ENOENT ? 0 : err;
}

int ap_lock_parse(const char *buf, size_t len, pid_t *pid)
{
	unsigned long v = 0;
	size_t i = 0, digits = 0;

	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	for (; i < len && isdigit((unsigned char)buf[i]); i++, digits++) {
		v = v * 10 + (unsigned long)(buf[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	if (i != len)
		return -1;
	*pid = (pid_t)v;	/* no digits at all: empty (0) */
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_retry(void)
{
	/* 30-33 ms, a little jitter so waiters do not run in lockstep */
	struct timespec now, ts;

	clock_gettime(CLOCK_REALTIME, &now);
	ts.tv_sec = 0;
	ts.tv_nsec = (30000L + (now.tv_nsec / 1000) % 3000) * 1000L;

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void read_comm(pid_t pid, char *out, size_t outsz)
{
	char path[64], buf[64];
	ssize_t r;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return;
	if (buf[r - 1] == '\n')
		r--;
	/* a process names itself: its name is shown escaped */
	ap_escape(out, outsz, buf, (size_t)r);
}

static const char *file_type(mode_t m)
{
	return S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symbolic link" :
	       S_ISFIFO(m) ? "FIFO" : S_ISSOCK(m) ? "socket" :
	       S_ISCHR(m) || S_ISBLK(m) ? "device" : "file";
}

/* a lock file apctl may believe: root's (or our own) private regular file */
static bool trusted(const struct stat *st, struct ap_lock_holder *h)
{
	h->uid = (long)st->st_uid;
	h->mode = (unsigned int)(st->st_mode & 07777);
	h->ftype = file_type(st->st_mode);
	if (!S_ISREG(st->st_mode))
		h->why = AP_LOCK_NOT_REGULAR;
	else if (st->st_uid != 0 && st->st_uid != geteuid())
		h->why = AP_LOCK_FOREIGN_OWNER;
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		h->why = AP_LOCK_WRITABLE;
	else
		return true;
	h->state = AP_LOCK_HOLDER_UNTRUSTED;
	return false;
}

static void owner_name(struct ap_lock_holder *h)
{
	struct passwd *pw = getpwuid((uid_t)h->uid);

	h->owner[0] = '\0';
	if (pw && pw->pw_name)
		ap_escape(h->owner, sizeof(h->owner), pw->pw_name, strlen(pw->pw_name));
}

enum probe { PR_HELD, PR_STALE, PR_GONE, PR_UNTRUSTED };

/*
 * Look at the existing lock file: held, stale, untrusted or gone.  Fills *h
 * and *seen (what is at the lock path).  Returns the probe result, or
 * -errno.  Nothing but a trusted regular file is opened, so a FIFO cannot
 * block apctl and a symbolic link cannot send it elsewhere.
 */
static int probe_holder(struct ap_lock *lk, struct ap_lock_holder *h, struct stat *seen)
{
	char buf[41];
	struct stat st;
	ssize_t r;
	pid_t pid;
	int fd;

	memset(h, 0, sizeof(*h));
	if (lstat(lk->path, seen) < 0)
		return errno == ENOENT ? PR_GONE : -errno;
	if (!trusted(seen, h)) {
		owner_name(h);
		return PR_UNTRUSTED;
	}
	fd = open(lk->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? PR_GONE : -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (st.st_dev != seen->st_dev || st.st_ino != seen->st_ino || !trusted(&st, h)) {
		/* replaced between lstat and open: look again */
		close(fd);
		memset(h, 0, sizeof(*h));
		return PR_GONE;
	}
	do {
		r = read(fd, buf, 40);	/* at most 40 bytes, as s390-tools reads */
	} while (r < 0 && errno == EINTR);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	h->age_s = (long)(time(NULL) - st.st_mtime);

	if (ap_lock_parse(buf, (size_t)r, &pid) < 0) {
		size_t n = (size_t)r;

		/* shown without its final line ends and blanks */
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
			n--;
		h->state = AP_LOCK_HOLDER_MALFORMED;
		ap_escape(h->content, sizeof(h->content), buf, n);
		return h->age_s > AP_LOCK_STALE_S ? PR_STALE : PR_HELD;
	}
	if (pid == 0) {
		h->state = AP_LOCK_HOLDER_EMPTY;
		return h->age_s > AP_LOCK_STALE_S ? PR_STALE : PR_HELD;
	}
	h->state = AP_LOCK_HOLDER_PID;
	h->pid = pid;
	/* our own PID: whoever wrote it is gone (the PID was reused) */
	if (pid == lk->pid || pid == getpid()) {
		h->own_pid = true;
		return PR_STALE;
	}
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return PR_STALE;
	read_comm(pid, h->comm, sizeof(h->comm));
	return PR_HELD;
}

/*
 * Take an untrusted lock file away from the lock path: move it aside under
 * a name of our own, make sure it is the file that was judged (a root tool
 * may have taken the lock in between: then it is put back), and remove it.
 * 0 when it was taken over, -1 when the lock path changed meanwhile (look
 * again), else errno.
 */
static int take_over(struct ap_lock *lk, struct ap_lock_holder *h, const struct stat *seen)
{
	char q[sizeof(h->moved_to)];
	struct stat st;

	/* a free name of our own; a name planted in advance is skipped */
	for (unsigned int k = 0;; k++) {
		if (k == 256)
			return EEXIST;
		if (snprintf(q, sizeof(q), "%s.untrusted%05d%02x", lk->path, (int)lk->pid, k) >=
		    (int)sizeof(q))
			return ENAMETOOLONG;
		if (renameat2(AT_FDCWD, lk->path, AT_FDCWD, q, RENAME_NOREPLACE) == 0)
			break;
		if (errno == ENOENT)
			return -1;
		if (errno != EEXIST)
			return errno;
	}
	if (lstat(q, &st) < 0)
		return errno;
	if (st.st_dev != seen->st_dev || st.st_ino != seen->st_ino) {
		/* not the file we judged: give it back its name */
		if (renameat2(AT_FDCWD, q, AT_FDCWD, lk->path, RENAME_NOREPLACE) < 0)
			return errno;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (rmdir(q) < 0)
			memcpy(h->moved_to, q, strlen(q) + 1);	/* left there, reported */
		return 0;
	}
	if (unlink(q) < 0)
		return errno;
	return 0;
}

static bool same_holder(const struct ap_lock_holder *a, const struct ap_lock_holder *b)
{
	return a->state == b->state && a->pid == b->pid &&
	       strcmp(a->content, b->content) == 0;
}

/* one link attempt: 0 = we hold it, EEXIST = someone does, else errno */
static int try_link(struct ap_lock *lk)
{
	char tmp[sizeof(lk->path) + 16], txt[24];
	int fd, n, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s%05d%02x", lk->path, (int)lk->pid,
		     (unsigned int)(time(NULL) & 255)) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* our own leftover (same PID, same second): remove and retry */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		return errno;
	n = snprintf(txt, sizeof(txt), "%d\n", (int)lk->pid);
	if (write(fd, txt, (size_t)n) != n)
		err = errno ? errno : EIO;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && link(tmp, lk->path) < 0)
		err = errno;
	unlink(tmp);
	return err;
}

int ap_lock_acquire(struct ap_lock *lk, unsigned long wait_ms, ap_lock_cb cb, void *data)
{
	long start = now_ms(), deadline = start + (long)wait_ms, next_tick = start + 1000;
	bool reported = false;
	struct ap_lock_holder h;
	struct stat seen;

	if (lk->held)
		return 0;
	memset(&lk->holder, 0, sizeof(lk->holder));
	for (;;) {
		int err, pr;

		lk->attempts++;
		err = try_link(lk);
		if (!err) {
			lk->held = true;
			return 0;
		}
		if (err != EEXIST)
			return err;
		pr = probe_holder(lk, &h, &seen);
		if (pr < 0)
			return -pr;
		if (pr == PR_UNTRUSTED) {
			err = take_over(lk, &h, &seen);
			if (err > 0) {
				lk->holder = h;
				return err;
			}
			if (!err && cb)
				cb(AP_LOCK_EV_UNTRUSTED, &h, data);
			/* one planted after another, for longer than the wait */
			if (now_ms() >= deadline + 1000) {
				lk->holder = h;
				return ETIMEDOUT;
			}
			continue;
		}
		/* a lock that keeps changing under us must not loop forever */
		if (pr != PR_HELD && now_ms() >= deadline + 1000)
			return ETIMEDOUT;
		if (pr == PR_GONE)
			continue;
		if (pr == PR_STALE) {
			if (unlink(lk->path) < 0 && errno != ENOENT)
				return errno;
			if (cb)
				cb(AP_LOCK_EV_STALE, &h, data);
			continue;
		}
		if (!reported || !same_holder(&h, &lk->holder)) {
			lk->holder = h;
			reported = true;
			if (cb)
				cb(AP_LOCK_EV_WAIT, &h, data);
		}
		h.waited_ms = now_ms() - start;
		lk->holder = h;
		if (now_ms() >= deadline)
			return h.state == AP_LOCK_HOLDER_MALFORMED ? EBADMSG : ETIMEDOUT;
		if (cb && now_ms() >= next_tick) {
			next_tick += 1000;
			cb(AP_LOCK_EV_TICK, &h, data);
		}
		sleep_retry();
	}
}

int ap_lock_release(struct ap_lock *lk)
{
	char buf[41];
	ssize_t r;
	pid_t pid;
	int fd;

	if (!lk->held)
		return 0;
	lk->held = false;
	fd = open(lk->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno;
	r = read(fd, buf, 40);
	close(fd);
	if (r < 0)
		return errno;
	if (ap_lock_parse(buf, (size_t)r, &pid) < 0 || pid != lk->pid)
		return EPERM;
	if (unlink(lk->path) < 0)
		return errno;
	return 0;
}
