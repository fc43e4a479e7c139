/* SPDX-License-Identifier: MIT */
/*
 * The plan executor (src/sys/exec.c): its messages, and its step / undo
 * logic with config-file steps in a temporary root.  Sysfs writes are
 * tested against apsim, not here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/plan.h"
#include "sys/exec.h"
#include "tap.h"

#define U1 "0a1b2c3d-0000-4000-8000-000000000001"

static char root[] = "/tmp/apctl-test-exec.XXXXXX";

static struct ap_step sysfs_step(const char *path, const char *data, const char *uuid)
{
	struct ap_step s;

	memset(&s, 0, sizeof(s));
	s.kind = AP_STEP_SYSFS_WRITE;
	snprintf(s.path, sizeof(s.path), "%s", path);
	snprintf(s.data, sizeof(s.data), "%s", data);
	if (uuid)
		snprintf(s.uuid, sizeof(s.uuid), "%s", uuid);
	return s;
}

#define U2 "0a1b2c3d-0000-4000-8000-000000000002"

static void check_msg(const struct ap_step *s, int err, const struct ap_model *m, bool party,
		      const char *want, const char *name)
{
	char *r = ap_exec_reason(s, err, m, 30000, party);

	is_str(r, want, "reason: %s", name);
	free(r);
}

static struct ap_step mdev_step(const char *attr, const char *data, unsigned int a,
				unsigned int d)
{
	char path[AP_PATH_MAX];
	struct ap_step s;

	snprintf(path, sizeof(path), AP_SYSFS_MATRIX "/" U1 "/%s", attr);
	s = sysfs_step(path, data, U1);
	ap_mask_set(&s.verify.matrix.apm, a);
	ap_mask_set(&s.verify.matrix.aqm, d);
	return s;
}

static void test_messages(void)
{
	struct ap_model old, cur;
	struct ap_mdev *md;
	struct ap_step s;

	ap_model_init(&old);
	ap_model_init(&cur);
	cur.host.caps.guest_matrix = cur.host.caps.driver_override = true;
	cur.host.max_adapter = cur.host.max_domain = 255;
	/* the host owns 06.0004 (both bits set); mdev U2 holds 05.0004 */
	ap_mask_set(&cur.host.apmask, 6);
	ap_mask_set(&cur.host.aqmask, 4);
	md = ap_model_get_mdev(&cur, U2);
	md->active = true;
	ap_mask_set(&md->live.apm, 5);
	ap_mask_set(&md->live.aqm, 4);

	s = mdev_step("assign_adapter", "0x5", 5, 4);
	check_msg(&s, EADDRINUSE, &cur, true, "APQN 05.0004 is already assigned to mdev " U2
		  " (EADDRINUSE)", "assign EADDRINUSE names the holder");
	check_msg(&s, EADDRINUSE, &old, true, NULL, "EADDRINUSE, holder not in the model: NULL");
	check_msg(&s, EADDRINUSE, &old, false, "an APQN is already assigned to another mdev "
		  "(EADDRINUSE)", "EADDRINUSE, nobody found");
	s = mdev_step("assign_adapter", "0x6", 6, 4);
	check_msg(&s, EADDRNOTAVAIL, &cur, true, "APQN 06.0004 belongs to the host's drivers "
		  "(apmask/aqmask; EADDRNOTAVAIL); reserve it first with 'apctl reserve'",
		  "EADDRNOTAVAIL, 6.x");
	check_msg(&s, EADDRNOTAVAIL, &old, true, "queue 06.0004 is not bound to vfio_ap "
		  "(EADDRNOTAVAIL); this kernel assigns only existing queues bound to vfio_ap",
		  "EADDRNOTAVAIL, 5.x");
	check_msg(&s, EBUSY, &old, false, "a guest uses the mdev, and this kernel cannot change "
		  "an mdev while a guest runs (EBUSY)", "assign EBUSY 5.x");
	check_msg(&s, ENODEV, &cur, false, "an id is above the maximum of this mdev (ENODEV; "
		  "adapters up to 255, domains up to 255)", "assign ENODEV");
	check_msg(&s, EACCES, NULL, false, "Permission denied (EACCES)", "EACCES, no model");

	s = sysfs_step(AP_SYSFS_APMASK, "+5,+6", NULL);
	ap_mask_set(&s.verify.must_set, 5);
	ap_mask_set(&s.verify.must_set, 6);
	check_msg(&s, EBUSY, &cur, true, "the kernel refused (EBUSY): APQN 05.0004 is assigned "
		  "to mdev " U2 "; unassign it first with 'apctl mdev modify " U2 "'",
		  "apmask EBUSY names the mdev");
	check_msg(&s, EBUSY, &old, false, "the kernel refused (EBUSY): an mdev holds an APQN "
		  "that would go back to the host", "apmask EBUSY, nobody found");
	/* no queue shows an override: the kernel's counter outlived a queue */
	check_msg(&s, EINVAL, &cur, false, "the kernel refused it (EINVAL), although no queue "
		  "has a driver_override now: a queue that had one went away, and this kernel "
		  "still counts its override (it does not forget it when the queue disappears), "
		  "so it refuses every apmask/aqmask change until the next boot; give queues to "
		  "vfio_ap by driver_override meanwhile (apctl reserve --mode override)",
		  "apmask EINVAL 6.19, no override to be seen: the kernel quirk");
	{
		struct ap_queue *q = ap_host_add_queue(&cur.host, 5, 0x47);

		snprintf(q->driver_override, sizeof(q->driver_override), "vfio_ap");
	}
	check_msg(&s, EINVAL, &cur, false, "the kernel refused the value (EINVAL); this kernel "
		  "refuses every mask change while a queue has a driver_override",
		  "apmask EINVAL 6.19");
	check_msg(&s, EINVAL, &old, false, "Invalid argument (EINVAL)", "apmask EINVAL");

	memset(&s, 0, sizeof(s));
	s.kind = AP_STEP_MDEV_CREATE;
	snprintf(s.uuid, sizeof(s.uuid), "%s", U1);
	check_msg(&s, EEXIST, &cur, false, "an mdev with this UUID already exists (EEXIST)",
		  "create EEXIST");
	check_msg(&s, EUSERS, &cur, false, "the kernel has no mdev instances left (EUSERS)",
		  "create EUSERS");
	check_msg(&s, EPERM, &old, false, "the kernel has no mdev instances left (EPERM)",
		  "create EPERM on 5.x");
	s.kind = AP_STEP_MDEV_REMOVE;
	check_msg(&s, ETIMEDOUT, &cur, false, "the kernel is still waiting for the guest to "
		  "release the device after 30 s", "remove ETIMEDOUT");
	s.kind = AP_STEP_DEFINE_MDEV;
	check_msg(&s, ENOSPC, &cur, false, "No space left on device (ENOSPC)",
		  "definition ENOSPC");
	ap_model_free(&old);
	ap_model_free(&cur);
}

static void put(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static char *get(const char *rel)
{
	static char buf[4096];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

struct trace {
	char log[512];
};

static void cb(const struct ap_step *s, bool undo, int err, void *data)
{
	struct trace *t = data;
	size_t n = strlen(t->log);

	if (err >= 0 || err == -2)
		snprintf(t->log + n, sizeof(t->log) - n, "%s%d:%d ", undo ? "u" : "s", (int)s->kind,
			 err);
}

/* define U1, write the udev rule, then a step that fails: both files come back */
static void test_undo(struct ap_path *p)
{
	struct ap_step steps[3], undo[2];
	struct ap_plan plan = { steps, 3, undo, 2 };
	struct ap_exec_result r;
	struct trace t = { "" };
	struct ap_exec_opts o = { .cb = cb, .cb_data = &t };
	const char *rule = "etc/udev/rules.d/41-ap.rules";
	const char *def = "etc/mdevctl.d/matrix/" U1;

	memset(steps, 0, sizeof(steps));
	memset(undo, 0, sizeof(undo));
	steps[0].kind = AP_STEP_DEFINE_MDEV;
	snprintf(steps[0].path, sizeof(steps[0].path), "%s", def);
	snprintf(steps[0].uuid, sizeof(steps[0].uuid), "%s", U1);
	ap_mask_set(&steps[0].matrix.apm, 5);
	steps[0].undo_first = 1;
	steps[0].undo_count = 1;
	steps[1].kind = AP_STEP_PERSIST_MASKS;
	snprintf(steps[1].path, sizeof(steps[1].path), "%s", rule);
	ap_mask_fill(&steps[1].apmask);
	ap_mask_clear(&steps[1].apmask, 5);
	ap_mask_fill(&steps[1].aqmask);
	steps[1].persist_ap = steps[1].persist_aq = true;
	steps[1].undo_first = 0;
	steps[1].undo_count = 1;
	snprintf(steps[0].what, sizeof(steps[0].what), "define it");
	snprintf(steps[1].what, sizeof(steps[1].what), "persist the masks");
	steps[2] = sysfs_step("bus/ap/no-such-file", "x", NULL);
	snprintf(steps[2].what, sizeof(steps[2].what), "write x to no-such-file");
	/* undo runs in reverse: first the rule's, then the definition's */
	undo[0].kind = AP_STEP_FILE_RESTORE;
	snprintf(undo[0].path, sizeof(undo[0].path), "%s", rule);
	undo[0].existed = true;
	undo[0].owner = 1;
	undo[1].owner = 0;
	undo[1].kind = AP_STEP_FILE_RESTORE;
	snprintf(undo[1].path, sizeof(undo[1].path), "%s", def);
	undo[1].existed = false;

	is_int(ap_plan_undo_start(&plan, 2), 0, "plan: undo after two steps starts at 0");
	is_int(ap_exec_plan(p, &plan, &o, &r), AP_EXEC_UNDONE, "undo: failed and undone");
	is_int((long long)r.done, 2, "undo: two steps were done");
	ok(r.failure.step == &steps[2] && r.failure.index == 2 && r.failure.err == ENOENT &&
	   !r.failure.verify && !r.failure.undo, "undo: the third step failed with ENOENT");
	is_str(r.failure.message, "cannot write x to no-such-file: No such file or directory "
	       "(ENOENT)", "undo: the message names the step");
	ok(r.state && r.state[0] == AP_STEP_UNDONE && r.state[1] == AP_STEP_UNDONE &&
	   r.state[2] == AP_STEP_FAILED, "undo: step states undone, undone, failed");
	is_int((long long)r.n_undone, 2, "undo: both undo steps ran");
	is_str(get(rule), "ATTR{../../bus/ap/apmask}=\"0x0\"\n", "undo: the old rule is back, byte for byte");
	ok(get(def) == NULL, "undo: the new definition is gone");
	is_str(t.log, "s3:0 s5:0 s0:2 u6:0 u6:0 ", "undo: steps and undo in order");
	ap_exec_result_free(&r);

	/* success: both files written */
	plan.n_steps = 2;
	is_int(ap_exec_plan(p, &plan, NULL, &r), AP_EXEC_OK, "ok: two file steps");
	ok(get(def) && strstr(get(def), "\"assign_adapter\": \"0x5\""), "ok: definition written");
	ok(get(rule) && strstr(get(rule), "0xfbff"), "ok: rule written");
	ap_exec_result_free(&r);

	/* an undo that cannot be done: content never saved */
	plan.n_steps = 3;
	undo[1].existed = true;
	snprintf(undo[1].path, sizeof(undo[1].path), "etc/other");
	is_int(ap_exec_plan(p, &plan, NULL, &r), AP_EXEC_PARTIAL, "partial: an undo step failed");
	ok(r.n_undo_failures == 1 && r.undo_failures[0].step == &undo[1] &&
	   r.undo_failures[0].undo && r.undo_failures[0].err == EINVAL && r.n_undone == 1,
	   "partial: the failed undo step is reported, the other ran");
	if (r.n_undo_failures == 1)
		is_str(r.undo_failures[0].message, "cannot undo 'define it': Invalid argument "
		       "(EINVAL)", "partial: the message names the forward step");
	ok(r.state && r.state[0] == AP_STEP_UNDO_FAILED && r.state[1] == AP_STEP_UNDONE,
	   "partial: the step whose undo failed is still in effect");
	ap_exec_result_free(&r);

}

/* delete the definition def, then write "1" to remove (a sysfs path); the
 * undo restores the definition */
static void remove_plan(struct ap_step steps[2], struct ap_step undo[1], const char *def,
			const char *remove)
{
	memset(steps, 0, 2 * sizeof(*steps));
	memset(undo, 0, sizeof(*undo));
	steps[0].kind = AP_STEP_UNDEFINE_MDEV;
	snprintf(steps[0].path, sizeof(steps[0].path), "%s", def);
	snprintf(steps[0].what, sizeof(steps[0].what), "delete its mdevctl definition");
	steps[0].undo_first = 0;
	steps[0].undo_count = 1;
	steps[1].kind = AP_STEP_MDEV_REMOVE;
	snprintf(steps[1].path, sizeof(steps[1].path), "%s", remove);
	snprintf(steps[1].data, sizeof(steps[1].data), "1");
	snprintf(steps[1].uuid, sizeof(steps[1].uuid), "%s", U1);
	snprintf(steps[1].what, sizeof(steps[1].what), "remove mdev " U1);
	steps[1].undo_first = 1;
	undo[0].kind = AP_STEP_FILE_RESTORE;
	snprintf(undo[0].path, sizeof(undo[0].path), "%s", def);
	undo[0].existed = true;
}

/*
 * A remove the kernel blocks (here: a FIFO nobody reads) runs out of time:
 * the plan is pending, nothing is undone, the waiting process is named.
 */
static void test_pending(struct ap_path *p)
{
	static volatile sig_atomic_t stop;
	struct ap_step steps[2], undo[1];
	struct ap_plan plan = { steps, 2, undo, 1 };
	struct ap_exec_opts o = { .remove_timeout_ms = 200 };
	struct ap_exec_result r;
	const char *def = "etc/mdevctl.d/matrix/" U1;
	char fifo[512];

	snprintf(fifo, sizeof(fifo), "%s/sys/bus/ap/remove", root);
	if (mkfifo(fifo, 0600)) {
		ok(false, "mkfifo %s", fifo);
		return;
	}
	put(def, "{}\n");
	remove_plan(steps, undo, def, "bus/ap/remove");

	is_int(ap_exec_plan(p, &plan, &o, &r), AP_EXEC_PENDING, "pending: the remove ran out of time");
	ok(r.waiter > 0, "pending: the waiting process is named");
	is_int((long long)r.n_undone, 0, "pending: nothing undone");
	ok(get(def) == NULL, "pending: the definition stays deleted");
	ok(r.state && r.state[0] == AP_STEP_DONE && r.state[1] == AP_STEP_DONE,
	   "pending: both steps count as done");
	is_str(r.failure.message, "cannot remove mdev " U1 ": the kernel is still waiting for "
	       "the guest to release the device after 0 s", "pending: the message");
	if (r.waiter > 0) {
		kill(r.waiter, SIGKILL);
		waitpid(r.waiter, NULL, 0);
	}
	ap_exec_result_free(&r);

	/* a signal (the flag) ends the wait as well */
	put(def, "{}\n");
	o.remove_timeout_ms = 600000;
	o.stop = &stop;
	stop = 1;
	is_int(ap_exec_plan(p, &plan, &o, &r), AP_EXEC_PENDING, "stop: pending at once");
	if (r.waiter > 0) {
		kill(r.waiter, SIGKILL);
		waitpid(r.waiter, NULL, 0);
	}
	ap_exec_result_free(&r);
}

/*
 * The child that waits in a blocked remove may outlive apctl: it must hold
 * none of apctl's descriptors (a pipe a caller reads to its end, a file it
 * wants unmounted).  fork() keeps them all, O_CLOEXEC or not.
 */
static void test_child_fds(struct ap_path *p)
{
	struct ap_step steps[1];
	struct ap_plan plan = { steps, 1, NULL, 0 };
	struct ap_exec_opts o = { .remove_timeout_ms = 100 };
	struct ap_exec_result r;
	struct pollfd pfd;
	int pfds[2], cl[2], n;

	if (pipe(pfds) || pipe2(cl, O_CLOEXEC)) {
		ok(false, "pipe");
		return;
	}
	memset(steps, 0, sizeof(steps));
	steps[0].kind = AP_STEP_MDEV_REMOVE;
	snprintf(steps[0].path, sizeof(steps[0].path), "bus/ap/remove");	/* the FIFO */
	snprintf(steps[0].data, sizeof(steps[0].data), "1");
	snprintf(steps[0].uuid, sizeof(steps[0].uuid), "%s", U1);
	snprintf(steps[0].what, sizeof(steps[0].what), "remove mdev " U1);

	is_int(ap_exec_plan(p, &plan, &o, &r), AP_EXEC_PENDING, "child fds: the remove is pending");
	/* our write ends closed: the read ends see the end of file unless the
	 * waiting child still holds a write end (the bound only limits a failure) */
	close(pfds[1]);
	close(cl[1]);
	pfd.fd = pfds[0];
	pfd.events = POLLIN;
	n = poll(&pfd, 1, 10000);
	ok(n == 1 && (pfd.revents & POLLHUP), "child fds: the waiting child holds no inherited "
	   "descriptor");
	pfd.fd = cl[0];
	n = poll(&pfd, 1, 10000);
	ok(n == 1 && (pfd.revents & POLLHUP), "child fds: nor an O_CLOEXEC one");
	close(pfds[0]);
	close(cl[0]);
	if (r.waiter > 0) {
		kill(r.waiter, SIGKILL);
		waitpid(r.waiter, NULL, 0);
	}
	ap_exec_result_free(&r);
}

/*
 * apctl may be started with SIGCHLD ignored (the disposition survives
 * exec): the kernel then reaps the remove child by itself.  A removal that
 * succeeded must still count as done, not fail with ECHILD and be "undone".
 */
static void test_sigchld_ignored(struct ap_path *p)
{
	struct ap_step steps[2], undo[1];
	struct ap_plan plan = { steps, 2, undo, 1 };
	struct ap_exec_opts o = { .remove_timeout_ms = 30000 };
	struct ap_exec_result r;
	const char *def = "etc/mdevctl.d/matrix/" U1;
	struct sigaction ign, old;

	put(def, "{}\n");
	put("sys/bus/ap/remove-file", "");
	remove_plan(steps, undo, def, "bus/ap/remove-file");

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGCHLD, &ign, &old);
	is_int(ap_exec_plan(p, &plan, &o, &r), AP_EXEC_OK, "SIGCHLD ignored: the remove succeeds");
	is_str(r.failure.message, NULL, "SIGCHLD ignored: no failure");
	is_str(get("sys/bus/ap/remove-file"), "1", "SIGCHLD ignored: the remove was written");
	ok(get(def) == NULL, "SIGCHLD ignored: the definition stays deleted");
	ap_exec_result_free(&r);
	sigaction(SIGCHLD, NULL, &ign);
	ok(ign.sa_handler == SIG_IGN, "SIGCHLD ignored: the disposition is restored");
	sigaction(SIGCHLD, &old, NULL);
}

/*
 * fsync(2) of this program: with fail_dir_fsync, the fsync of the
 * directory of the definitions fails with EIO (after the rename or unlink
 * it follows has happened), as on a file system that reports a failed
 * metadata write-back.
 */
static bool fail_dir_fsync;

int fsync(int fd)
{
	char link[64], target[512];
	struct stat st;
	ssize_t n;

	if (fail_dir_fsync && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strstr(target, "/etc/mdevctl.d/matrix")) {
				errno = EIO;
				return -1;
			}
		}
	}
	return (int)syscall(SYS_fsync, fd);
}

/* the directory's fsync fails after the rename: the definition is in place,
 * so the step is done (not "nothing was changed"); the same for a delete */
static void test_dir_fsync(struct ap_path *p)
{
	struct ap_step steps[2], undo[2];
	struct ap_plan plan = { steps, 1, undo, 1 };
	struct ap_exec_result r;
	const char *def = "etc/mdevctl.d/matrix/" U1;

	memset(steps, 0, sizeof(steps));
	memset(undo, 0, sizeof(undo));
	steps[0].kind = AP_STEP_DEFINE_MDEV;
	snprintf(steps[0].path, sizeof(steps[0].path), "%s", def);
	snprintf(steps[0].uuid, sizeof(steps[0].uuid), "%s", U1);
	ap_mask_set(&steps[0].matrix.apm, 7);
	steps[0].undo_first = 0;
	steps[0].undo_count = 1;
	undo[0].kind = AP_STEP_FILE_RESTORE;
	snprintf(undo[0].path, sizeof(undo[0].path), "%s", def);
	fail_dir_fsync = true;
	ap_exec_plan(p, &plan, NULL, &r);
	ok(r.status == AP_EXEC_OK && r.done == 1, "dir fsync: a failed fsync after the rename "
	   "counts the definition as written (status %d)", (int)r.status);
	ok(get(def) && strstr(get(def), "\"assign_adapter\": \"0x7\""),
	   "dir fsync: the definition is there");
	ap_exec_result_free(&r);
	steps[0].kind = AP_STEP_UNDEFINE_MDEV;
	ap_exec_plan(p, &plan, NULL, &r);
	ok(r.status == AP_EXEC_OK && r.done == 1, "dir fsync: a failed fsync after the unlink "
	   "counts the deletion as done (status %d)", (int)r.status);
	ok(get(def) == NULL, "dir fsync: the definition is gone");
	ap_exec_result_free(&r);
	fail_dir_fsync = false;
}

int main(void)
{
	struct ap_path p;
	char cmd[600];

	if (!mkdtemp(root))
		return 99;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/etc/udev/rules.d' '%s/etc/mdevctl.d/matrix' "
		 "'%s/sys/bus/ap'", root, root, root);
	if (system(cmd) != 0)
		return 99;
	put("etc/udev/rules.d/41-ap.rules", "ATTR{../../bus/ap/apmask}=\"0x0\"\n");
	unsetenv("SYSFS_ROOT");
	ap_path_init(&p, root);

	test_messages();
	test_undo(&p);
	test_pending(&p);
	test_child_fds(&p);
	test_sigchld_ignored(&p);
	test_dir_fsync(&p);

	ap_path_fini(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}
