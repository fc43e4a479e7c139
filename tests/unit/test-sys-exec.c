/* SPDX-License-Identifier: MIT */
/*
 * The plan executor (src/sys/exec.c): its messages, and its step / undo
 * logic with config-file steps in a temporary root.  Sysfs writes are
 * tested against apsim, not here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void check_msg(const struct ap_step *s, int err, const struct ap_host *h,
		      const char *want, const char *name)
{
	char *m = ap_exec_strerror(s, err, h);

	is_str(m, want, "message: %s", name);
	free(m);
}

static void test_messages(void)
{
	struct ap_host old, cur;
	struct ap_step s;

	memset(&old, 0, sizeof(old));
	memset(&cur, 0, sizeof(cur));
	cur.caps.guest_matrix = cur.caps.driver_override = true;

	s = sysfs_step(AP_SYSFS_MATRIX "/" U1 "/assign_adapter", "0x6", U1);
	check_msg(&s, EADDRINUSE, &cur, "cannot assign adapter 0x06 to mdev " U1 ": an APQN of "
		  "the resulting matrix is already assigned to another mdev (EADDRINUSE)",
		  "assign EADDRINUSE");
	check_msg(&s, EADDRNOTAVAIL, &cur, "cannot assign adapter 0x06 to mdev " U1 ": an APQN "
		  "of the resulting matrix belongs to the host (it is set in both apmask and "
		  "aqmask): reserve it for vfio_ap first (EADDRNOTAVAIL)", "EADDRNOTAVAIL, 6.x");
	check_msg(&s, EADDRNOTAVAIL, &old, "cannot assign adapter 0x06 to mdev " U1 ": an APQN "
		  "of the resulting matrix is not a queue bound to vfio_ap (this kernel assigns "
		  "only bound queues) (EADDRNOTAVAIL)", "EADDRNOTAVAIL, 5.x");
	check_msg(&s, EBUSY, &old, "cannot assign adapter 0x06 to mdev " U1 ": a guest uses the "
		  "mdev and this kernel allows no changes while it does (EBUSY)",
		  "assign EBUSY 5.x");
	check_msg(&s, 0, &cur, "cannot assign adapter 0x06 to mdev " U1 ": the kernel accepted "
		  "the write, but reading back shows a different state", "read-back mismatch");
	s = sysfs_step(AP_SYSFS_MATRIX "/" U1 "/unassign_domain", "71", U1);
	check_msg(&s, ENODEV, &cur, "cannot unassign domain 0x0047 from mdev " U1 ": an id is "
		  "above the mdev's maximum id, or the mdev is gone (ENODEV)", "unassign ENODEV");
	s = sysfs_step(AP_SYSFS_MATRIX "/" U1 "/assign_control_domain", "0xff", U1);
	check_msg(&s, EACCES, NULL, "cannot assign control domain 0x00ff to mdev " U1 ": "
		  "permission denied (apctl must run as root) (EACCES)", "EACCES");
	s = sysfs_step(AP_SYSFS_MATRIX "/" U1 "/ap_config", "0x,0x,0x\n", U1);
	check_msg(&s, EINVAL, &cur, "cannot configure mdev " U1 " (ap_config): the kernel "
		  "refused the value (EINVAL)", "ap_config EINVAL");

	s = sysfs_step(AP_SYSFS_APMASK, "+5,+6", NULL);
	check_msg(&s, EBUSY, &cur, "cannot change apmask ('+5,+6'): the kernel does not give "
		  "APQNs that are assigned to an mdev back to the host (EBUSY)", "apmask EBUSY");
	check_msg(&s, EINVAL, &cur, "cannot change apmask ('+5,+6'): the kernel refused the "
		  "value, or a queue has a driver_override set (EINVAL)", "apmask EINVAL 6.19");
	check_msg(&s, EINVAL, &old, "cannot change apmask ('+5,+6'): the kernel refused the "
		  "value (EINVAL)", "apmask EINVAL");

	memset(&s, 0, sizeof(s));
	s.kind = AP_STEP_MDEV_CREATE;
	snprintf(s.uuid, sizeof(s.uuid), "%s", U1);
	check_msg(&s, EEXIST, &cur, "cannot create mdev " U1 ": a mediated device with this "
		  "UUID already exists (EEXIST)", "create EEXIST");
	check_msg(&s, EUSERS, &cur, "cannot create mdev " U1 ": no more mdevs can be created "
		  "(EUSERS)", "create EUSERS");
	check_msg(&s, EPERM, &old, "cannot create mdev " U1 ": no more mdevs can be created "
		  "(EPERM)", "create EPERM on 5.x");
	s.kind = AP_STEP_MDEV_REMOVE;
	check_msg(&s, ETIMEDOUT, &cur, "cannot remove mdev " U1 ": a guest still has it open; "
		  "the kernel removes it as soon as the guest releases it (ETIMEDOUT)",
		  "remove ETIMEDOUT");
	s.kind = AP_STEP_DEFINE_MDEV;
	check_msg(&s, ENOSPC, &cur, "cannot write the mdevctl definition of mdev " U1 ": No "
		  "space left on device (ENOSPC)", "definition ENOSPC");
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
	steps[1].undo_first = 0;
	steps[1].undo_count = 1;
	steps[2] = sysfs_step("bus/ap/no-such-file", "x", NULL);
	/* undo runs in reverse: first the rule's, then the definition's */
	undo[0].kind = AP_STEP_FILE_RESTORE;
	snprintf(undo[0].path, sizeof(undo[0].path), "%s", rule);
	undo[0].existed = true;
	undo[1].kind = AP_STEP_FILE_RESTORE;
	snprintf(undo[1].path, sizeof(undo[1].path), "%s", def);
	undo[1].existed = false;

	is_int(ap_plan_undo_start(&plan, 2), 0, "plan: undo after two steps starts at 0");
	is_int(ap_exec_plan(p, &plan, &o, &r), AP_EXEC_UNDONE, "undo: failed and undone");
	is_int((long long)r.done, 2, "undo: two steps were done");
	ok(r.failure.step == &steps[2] && r.failure.index == 2 && r.failure.err == ENOENT &&
	   !r.failure.verify && !r.failure.undo, "undo: the third step failed with ENOENT");
	ok(r.failure.message && strstr(r.failure.message, "no-such-file"),
	   "undo: the message names the file");
	is_int((long long)r.n_undone, 2, "undo: both undo steps ran");
	is_str(get(rule), "ATTR{old}=\"1\"\n", "undo: the old rule is back, byte for byte");
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
	ap_exec_result_free(&r);
}

int main(void)
{
	struct ap_path p;
	char cmd[600];

	if (!mkdtemp(root))
		return 99;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/etc/udev/rules.d' '%s/sys/bus/ap'", root, root);
	if (system(cmd) != 0)
		return 99;
	put("etc/udev/rules.d/41-ap.rules", "ATTR{old}=\"1\"\n");
	unsetenv("SYSFS_ROOT");
	ap_path_init(&p, root);

	test_messages();
	test_undo(&p);

	ap_path_fini(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}
