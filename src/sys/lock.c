/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys/lock.h"

int ap_lock_init(struct ap_lock *lk, struct ap_path *p, pid_t pid)
{
	memset(lk, 0, sizeof(*lk));
	lk->pid = pid > 0 ? pid : getpid();
	return ap_path_fmt(p, AP_ROOT, lk->path, sizeof(lk->path), AP_LOCK_FILE);
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
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (char *s = buf; *s; s++)
		if (!isprint((unsigned char)*s))
			*s = '?';
	buf[outsz - 1 < sizeof(buf) - 1 ? outsz - 1 : sizeof(buf) - 1] = '\0';
	memcpy(out, buf, strlen(buf) + 1);
}

/* printable copy of (possibly binary) file content */
static void printable(const char *buf, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outsz; i++) {
		unsigned char c = (unsigned char)buf[i];

		out[o++] = isprint(c) ? (char)c : c == '\n' ? ' ' : '?';
	}
	out[o] = '\0';
}

enum probe { PR_HELD, PR_STALE, PR_GONE };

/*
 * Look at the existing lock file: held, stale or gone.  Fills *h.  Returns
 * the probe result, or -errno.
 */
static int probe_holder(struct ap_lock *lk, struct ap_lock_holder *h)
{
	char buf[41];
	struct stat st;
	ssize_t r;
	pid_t pid;
	int fd;

	memset(h, 0, sizeof(*h));
	fd = open(lk->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? PR_GONE : -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
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
		h->state = AP_LOCK_HOLDER_MALFORMED;
		printable(buf, (size_t)r, h->content, sizeof(h->content));
		return h->age_s > AP_LOCK_STALE_S ? PR_STALE : PR_HELD;
	}
	if (pid == 0) {
		h->state = AP_LOCK_HOLDER_EMPTY;
		return h->age_s > AP_LOCK_STALE_S ? PR_STALE : PR_HELD;
	}
	h->state = AP_LOCK_HOLDER_PID;
	h->pid = pid;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return PR_STALE;
	read_comm(pid, h->comm, sizeof(h->comm));
	return PR_HELD;
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
		pr = probe_holder(lk, &h);
		if (pr < 0)
			return -pr;
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
