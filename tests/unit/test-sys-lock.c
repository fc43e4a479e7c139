/* SPDX-License-Identifier: MIT */
/* the s390apconfig link-and-PID lock (src/sys/lock.c) against a temp directory */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "sys/lock.h"
#include "tap.h"

static char root[] = "/tmp/apctl-test-lock.XXXXXX";
static char lockdir[600], lockpath[700];

struct events {
	int waits, stales;
	struct ap_lock_holder last;
};

static void cb(enum ap_lock_event ev, const struct ap_lock_holder *h, void *data)
{
	struct events *e = data;

	if (ev == AP_LOCK_EV_WAIT)
		e->waits++;
	else
		e->stales++;
	e->last = *h;
}

static void put(const char *content, time_t age)
{
	FILE *f = fopen(lockpath, "w");

	if (f) {
		fputs(content, f);
		fclose(f);
	}
	if (age) {
		struct utimbuf ut = { time(NULL) - age, time(NULL) - age };

		utime(lockpath, &ut);
	}
}

static char *get(void)
{
	static char buf[64];
	FILE *f = fopen(lockpath, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* entries in the lock directory (to see that no temp file is left) */
static int entries(void)
{
	char cmd[700];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", lockdir);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

/* a PID that certainly does not exist any more */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void test_parse(void)
{
	pid_t pid = -5;

	ok(ap_lock_parse("1234\n", 5, &pid) == 0 && pid == 1234, "parse: PID\\n");
	ok(ap_lock_parse("", 0, &pid) == 0 && pid == 0, "parse: empty is 0");
	ok(ap_lock_parse("0\n", 2, &pid) == 0 && pid == 0, "parse: 0");
	ok(ap_lock_parse(" 42 \n", 5, &pid) == 0 && pid == 42, "parse: spaces tolerated");
	ok(ap_lock_parse("garbage", 7, &pid) == -1, "parse: garbage");
	ok(ap_lock_parse("12a\n", 4, &pid) == -1, "parse: trailing junk");
	ok(ap_lock_parse("-1\n", 3, &pid) == -1, "parse: negative");
	ok(ap_lock_parse("99999999999\n", 12, &pid) == -1, "parse: too large");
}

static void test_basic(struct ap_path *p)
{
	struct events ev = { 0 };
	struct ap_lock lk;
	char want[32];

	is_int(ap_lock_init(&lk, p, 0), 0, "init");
	is_str(lk.path, lockpath, "lock path under the root");
	is_int(ap_lock_acquire(&lk, 0, cb, &ev), 0, "acquire a free lock");
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	is_str(get(), want, "lock file holds our PID and a newline");
	is_int(entries(), 1, "temporary file removed after success");
	ok(lk.held && ev.waits == 0 && ev.stales == 0, "no events for a free lock");
	is_int(ap_lock_release(&lk), 0, "release");
	ok(get() == NULL, "lock file removed by release");

	/* release leaves a foreign lock alone */
	ap_lock_acquire(&lk, 0, NULL, NULL);
	put("1\n", 0);
	is_int(ap_lock_release(&lk), EPERM, "release of a lock holding another PID: EPERM");
	is_str(get(), "1\n", "foreign lock file left in place");
	unlink(lockpath);

	/* the PID written can be another process's (ap-check writes its parent's) */
	ap_lock_init(&lk, p, getppid());
	is_int(ap_lock_acquire(&lk, 0, NULL, NULL), 0, "acquire on behalf of the parent");
	snprintf(want, sizeof(want), "%d\n", (int)getppid());
	is_str(get(), want, "lock file holds the given PID");
	is_int(ap_lock_release(&lk), 0, "release on behalf of the parent");
}

static void test_live_holder(struct ap_path *p)
{
	struct events ev = { 0 };
	struct ap_lock lk;
	char txt[32];
	int pfd[2];
	pid_t child;
	char c;

	if (pipe(pfd) < 0) {
		ok(0, "pipe");
		return;
	}
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "lockholder", 0, 0, 0);
		close(pfd[0]);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		diag("child not ready");
	close(pfd[0]);
	snprintf(txt, sizeof(txt), "%d\n", (int)child);
	put(txt, 0);

	ap_lock_init(&lk, p, 0);
	is_int(ap_lock_acquire(&lk, 150, cb, &ev), ETIMEDOUT, "live holder: wait runs out");
	ok(!lk.held, "live holder: not held");
	is_int(ev.waits, 1, "live holder: reported once");
	ok(ev.last.state == AP_LOCK_HOLDER_PID && ev.last.pid == child,
	   "live holder: the holder's PID is reported");
	is_str(ev.last.comm, "lockholder", "live holder: its command name from /proc");
	ok(lk.holder.pid == child, "live holder: kept in the lock for the error message");
	ok(lk.attempts > 1, "live holder: retried");
	is_str(get(), txt, "live holder: lock file untouched");
	is_int(entries(), 1, "live holder: no temporary file left");

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	memset(&ev, 0, sizeof(ev));
	is_int(ap_lock_acquire(&lk, 150, cb, &ev), 0, "holder died: lock taken over");
	ok(ev.stales == 1 && ev.waits == 0 && ev.last.pid == child,
	   "holder died: stale event names the dead PID");
	ap_lock_release(&lk);
}

static void test_stale(struct ap_path *p)
{
	struct events ev = { 0 };
	struct ap_lock lk;
	char txt[32];

	snprintf(txt, sizeof(txt), "%d\n", (int)dead_pid());
	put(txt, 0);
	ap_lock_init(&lk, p, 0);
	is_int(ap_lock_acquire(&lk, 0, cb, &ev), 0, "stale PID: taken over at once");
	ok(ev.stales == 1 && ev.waits == 0, "stale PID: reported as stale, no wait");
	ap_lock_release(&lk);

	/* empty and PID 0: held while young, stale when older than 120 s */
	static const char *const kinds[] = { "", "0\n" };
	for (int k = 0; k < 2; k++) {
		memset(&ev, 0, sizeof(ev));
		put(kinds[k], 10);
		is_int(ap_lock_acquire(&lk, 100, cb, &ev), ETIMEDOUT,
		       "%s lock file, 10 s old: held", k ? "PID 0" : "empty");
		ok(ev.waits == 1 && ev.last.state == AP_LOCK_HOLDER_EMPTY && ev.last.age_s >= 10,
		   "%s lock file: reported as empty", k ? "PID 0" : "empty");
		put(kinds[k], 200);
		memset(&ev, 0, sizeof(ev));
		is_int(ap_lock_acquire(&lk, 0, cb, &ev), 0,
		       "%s lock file, 200 s old: stale", k ? "PID 0" : "empty");
		ok(ev.stales == 1, "%s lock file: stale reported", k ? "PID 0" : "empty");
		ap_lock_release(&lk);
	}

	/* malformed: never a silent takeover */
	memset(&ev, 0, sizeof(ev));
	put("garbage\x01", 5);
	is_int(ap_lock_acquire(&lk, 100, cb, &ev), EBADMSG, "malformed, young: EBADMSG");
	ok(ev.waits == 1 && ev.last.state == AP_LOCK_HOLDER_MALFORMED,
	   "malformed: reported as malformed while waiting");
	is_str(lk.holder.content, "garbage\\x01", "malformed: content kept for the message, escaped");
	is_str(get(), "garbage\x01", "malformed: file left alone");
	put("garbage", 300);
	memset(&ev, 0, sizeof(ev));
	is_int(ap_lock_acquire(&lk, 0, cb, &ev), 0, "malformed, 300 s old: taken over");
	ok(ev.stales == 1 && ev.last.state == AP_LOCK_HOLDER_MALFORMED,
	   "malformed: the takeover is reported");
	ap_lock_release(&lk);
	is_int(entries(), 0, "no file left at all");
}

static void test_errors(void)
{
	struct ap_path p2;
	struct ap_lock lk;
	char r2[700];

	snprintf(r2, sizeof(r2), "%s/nonexistent", root);
	ap_path_init(&p2, r2);
	ap_lock_init(&lk, &p2, 0);
	is_int(ap_lock_acquire(&lk, 0, NULL, NULL), ENOENT, "missing lock directory: ENOENT");
	ap_path_fini(&p2);
}

/* N processes increment a counter under the lock: no update may be lost */
static void test_exclusion(struct ap_path *p)
{
	enum { N = 4, ROUNDS = 15 };
	char cpath[700];
	int status, fails = 0, v = -1;
	FILE *f;

	snprintf(cpath, sizeof(cpath), "%s/counter", root);
	f = fopen(cpath, "w");
	fputs("0\n", f);
	fclose(f);
	for (int i = 0; i < N; i++) {
		if (fork() == 0) {
			for (int r = 0; r < ROUNDS; r++) {
				struct ap_lock lk;
				int x = 0;

				ap_lock_init(&lk, p, 0);
				if (ap_lock_acquire(&lk, 60000, NULL, NULL))
					_exit(2);
				f = fopen(cpath, "r");
				if (!f || fscanf(f, "%d", &x) != 1)
					_exit(3);
				fclose(f);
				usleep(1000);
				f = fopen(cpath, "w");
				fprintf(f, "%d\n", x + 1);
				fclose(f);
				if (ap_lock_release(&lk))
					_exit(4);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < N; i++) {
		wait(&status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fails++;
	}
	f = fopen(cpath, "r");
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	unlink(cpath);
	is_int(fails, 0, "exclusion: every process got and released the lock");
	is_int(v, N * ROUNDS, "exclusion: no lost update");
}

int main(void)
{
	struct ap_path p;
	char cmd[700];

	if (!mkdtemp(root))
		return 99;
	snprintf(lockdir, sizeof(lockdir), "%s/run/lock", root);
	snprintf(lockpath, sizeof(lockpath), "%s/s390apconfig.lock", lockdir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", lockdir);
	if (system(cmd) != 0)
		return 99;
	unsetenv("SYSFS_ROOT");
	ap_path_init(&p, root);

	test_parse();
	test_basic(&p);
	test_live_holder(&p);
	test_stale(&p);
	test_errors();
	test_exclusion(&p);

	ap_path_fini(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}
