/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apqn.h"
#include "core/plan.h"
#include "masks.h"
#include "tap.h"

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"

static bool eq(const struct ap_mask *a, const char *list)
{
	struct ap_mask m = M(list);

	return ap_mask_equal(a, &m);
}

enum gen { K510, K61, K612 };	/* no ap_config (5.10, 6.1) and ap_config (6.12) */

static void host(struct ap_model *m, enum gen g)
{
	ap_model_init(m);
	m->host.caps.ap_bus = m->host.caps.vfio_ap = m->host.caps.masks = true;
	m->host.caps.guest_matrix = g != K510;
	m->host.caps.ap_config = g == K612;
	m->host.max_domain = 255;
	m->host.apmask = M("0-4,7-255");
	m->host.aqmask = M("0-255");
}

static void mask_req(struct ap_request *r, const char *ap, const char *aq)
{
	struct ap_idlist l;

	ap_request_init(r, AP_REQ_MASKS);
	if (ap && !ap_idlist_parse(ap, 255, true, &l, NULL))
		ap_mask_edit_from_idlist(&r->apmask, &l);
	if (aq && !ap_idlist_parse(aq, 255, true, &l, NULL))
		ap_mask_edit_from_idlist(&r->aqmask, &l);
}

static char *render(struct ap_model *m, struct ap_request *r, struct ap_plan *p)
{
	if (ap_plan_build(m, r, p))
		return NULL;
	return ap_plan_render(p, "/sys", "");
}

/* ---- exact plans and their text ------------------------------------------- */

static void check_render(struct ap_model *m, struct ap_request *r, const char *expect,
			 const char *name)
{
	struct ap_plan p;
	char *t = render(m, r, &p);

	is_str(t, expect, "%s", name);
	free(t);
	ap_plan_free(&p);
}

static void test_masks(void)
{
	struct ap_model m;
	struct ap_request r;
	struct ap_plan p;

	host(&m, K612);
	m.host.apmask = M("0-255");
	mask_req(&r, "-5,-6", NULL);
	check_render(&m, &r, "write '-5,-6' to /sys/bus/ap/apmask (undo: '+5,+6')\n",
		     "reserve adapters 5,6");
	ok(!ap_plan_build(&m, &r, &p), "build");
	is_int(p.n_steps, 1, "one step");
	is_int(p.n_undo, 1, "one undo step");
	is_int(p.steps[0].verify.kind, AP_VERIFY_MASK_BITS, "verify mask bits");
	ok(eq(&p.steps[0].verify.must_clear, "5,6") &&
	   ap_mask_is_empty(&p.steps[0].verify.must_set), "verify: 5,6 clear");
	is_str(p.steps[0].verify.path, "bus/ap/apmask", "verify path");
	is_int(ap_plan_undo_start(&p, 1), 0, "undo after step 1 starts at 0");
	is_int(ap_plan_undo_start(&p, 0), 1, "nothing to undo after 0 steps");
	ap_plan_free(&p);

	/* only ids whose state changes: 5 is already vfio's */
	m.host.apmask = M("0-4,6-255");
	check_render(&m, &r, "write '-6' to /sys/bus/ap/apmask (undo: '+6')\n",
		     "reserve 5,6 when 5 is already reserved");
	m.host.apmask = M("0-4,7-255");
	check_render(&m, &r, "", "nothing to do: empty plan");

	/* an absolute request becomes a relative write */
	mask_req(&r, "0-4,7-9", NULL);
	m.host.apmask = M("0-255");
	check_render(&m, &r, "write '-5,-6,-10-255' to /sys/bus/ap/apmask (undo: '+5,+6,+10-255')\n",
		     "absolute request, relative write");
	mask_req(&r, "0-255", NULL);
	m.host.apmask = M("0-4,6-255");
	check_render(&m, &r, "write '+5' to /sys/bus/ap/apmask (undo: '-5')\n",
		     "release adapter 5");

	/* one mask with sets and clears: one atomic write */
	mask_req(&r, NULL, "+0x10-0x1f,-4");
	m.host.aqmask = M("0-7");
	check_render(&m, &r, "write '-4,+16-31' to /sys/bus/ap/aqmask (undo: '-16-31,+4')\n",
		     "aqmask edit in one write");

	/* both masks: clears of both first, then sets */
	mask_req(&r, "+5,-7", "+9,-2");
	m.host.apmask = M("0-4,7");
	m.host.aqmask = M("0-7");
	check_render(&m, &r,
		     "write '-7' to /sys/bus/ap/apmask (undo: '+7')\n"
		     "write '-2' to /sys/bus/ap/aqmask (undo: '+2')\n"
		     "write '+5' to /sys/bus/ap/apmask (undo: '-5')\n"
		     "write '+9' to /sys/bus/ap/aqmask (undo: '-9')\n",
		     "both masks: clears first");
	ok(!ap_plan_build(&m, &r, &p), "build both");
	is_int(p.n_undo, 4, "four undo steps");
	is_str(p.undo[0].data, "-9", "undo runs the last step's inverse first");
	is_str(p.undo[3].data, "+7", "... and the first step's last");
	is_int(ap_plan_undo_start(&p, 2), 2, "after two steps, undo from 2");
	is_int(ap_plan_undo_start(&p, 4), 0, "after four steps, undo all");
	ap_plan_free(&p);

	/* both masks, only clears */
	mask_req(&r, "-4", "-2");
	check_render(&m, &r,
		     "write '-4' to /sys/bus/ap/apmask (undo: '+4')\n"
		     "write '-2' to /sys/bus/ap/aqmask (undo: '+2')\n", "both masks, clears only");
	/* persistent */
	ap_model_free(&m);
	host(&m, K612);
	mask_req(&r, "-5,-6", NULL);
	r.active = false;
	r.persistent = true;
	/* the live masks do not matter: the next boot starts from all ones */
	m.host.persist_apmask = M("0-4,7-255");
	check_render(&m, &r, "", "persistent, masks at boot already so: nothing");
	m.host.persist_apmask = M("0-255");
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 1 && p.steps[0].persist_ap &&
	   !p.steps[0].persist_aq, "persistent without a rule: the rule sets only apmask");
	if (p.n_steps == 1) {
		is_str(p.steps[0].what, "reserve them for vfio_ap at boot (udev rule 41-ap.rules)",
		       "persistent: what");
		is_str(p.steps[0].repair, "apctl release --persistent --adapters 5,6",
		       "persistent: repair");
	}
	ap_plan_free(&p);
	check_render(&m, &r,
		     "write apmask 0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		     " and aqmask 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		     " to /etc/udev/rules.d/41-ap.rules (undo: delete /etc/udev/rules.d/41-ap.rules)\n",
		     "persistent without a rule: undo deletes");
	m.host.persist_src = m.host.persist_rule = AP_PERSIST_UDEV_ETC;
	m.host.persist_rule_ap = m.host.persist_rule_aq = true;
	m.host.persist_apmask_set = m.host.persist_aqmask_set = true;
	m.host.persist_apmask = M("0-7");
	m.host.persist_aqmask = M("0-255");
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 1, "persistent with a rule: one step");
	if (p.n_steps == 1) {
		ok(eq(&p.steps[0].apmask, "0-4,7"),
		   "persistent apmask from the rule, edited");
		ok(p.n_undo == 1 && p.undo[0].kind == AP_STEP_FILE_RESTORE && p.undo[0].existed,
		   "undo restores the previous rule");
	}
	ap_plan_free(&p);
	mask_req(&r, "-5,-6", NULL);
	r.active = false;
	r.persistent = true;
	m.host.persist_apmask = M("0-4,7");
	check_render(&m, &r, "", "persistent: already so, nothing to do");
	ap_model_free(&m);
}

static void test_mdev_ap_config(void)
{
	struct ap_model m;
	struct ap_request r;
	struct ap_plan p;
	char expect[4096];
	struct ap_mdev *d;

	host(&m, K612);
	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	strcpy(r.uuid, U1);
	r.matrix = X("5,6", "4,0xab", "4");
	snprintf(expect, sizeof(expect),
		 "create mdev " U1 " (write '" U1 "' to /sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create)"
		 " (undo: remove mdev " U1 " (write '1' to /sys/devices/vfio_ap/matrix/" U1 "/remove))\n"
		 "write '0x0600000000000000000000000000000000000000000000000000000000000000,"
		 "0x0800000000000000000000000000000000000000001000000000000000000000,"
		 "0x0800000000000000000000000000000000000000000000000000000000000000' to"
		 " /sys/devices/vfio_ap/matrix/" U1 "/ap_config (undo: by removing the mdev)\n");
	check_render(&m, &r, expect, "create with ap_config: create + one write");
	ok(!ap_plan_build(&m, &r, &p), "build create");
	if (p.n_steps == 2) {
		is_int(p.steps[0].kind, AP_STEP_MDEV_CREATE, "step 1 create");
		is_str(p.steps[0].data, U1, "create writes the uuid");
		is_int(p.steps[0].verify.kind, AP_VERIFY_EXISTS, "create verifies existence");
		is_str(p.steps[0].verify.path, "devices/vfio_ap/matrix/" U1, "existence path");
		is_int(p.steps[1].verify.kind, AP_VERIFY_MDEV_MATRIX, "ap_config verifies the matrix");
		ok(ap_mask_equal(&p.steps[1].verify.matrix.apm, &r.matrix.apm), "expected matrix");
		is_int(strlen(p.steps[1].data), 200, "200 bytes, no newline");
		ok(p.steps[1].covered && !p.steps[1].undo_count, "configuration: covered");
		is_int(p.n_undo, 1, "the only undo: remove");
		is_int(p.undo[0].kind, AP_STEP_MDEV_REMOVE, "full undo is the remove");
		is_int(p.undo[0].verify.kind, AP_VERIFY_ABSENT, "remove verifies absence");
		is_str(p.steps[0].what, "create mdev " U1, "create: what");
		is_str(p.steps[0].repair, "apctl mdev remove " U1, "create: repair");
		is_str(p.steps[1].what, "configure mdev " U1 ": adapters 05,06, domains 0004,00ab, "
		       "control domains 0004", "ap_config: what");
	}
	ap_plan_free(&p);

	/* create + define, autostart */
	r.persistent = true;
	r.set_autostart = r.autostart = true;
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 3, "create and define: three steps");
	if (p.n_steps == 3) {
		is_int(p.steps[2].kind, AP_STEP_DEFINE_MDEV, "definition last");
		is_str(p.steps[2].path, "etc/mdevctl.d/matrix/" U1, "definition path");
		ok(p.steps[2].autostart, "autostart");
		is_int(p.undo[0].kind, AP_STEP_FILE_RESTORE, "undo of the definition first");
		ok(!p.undo[0].existed, "... deletes it");
	}
	{
		char line[1024];

		ap_step_describe(&p.steps[2], "/sys", "", line, sizeof(line));
		is_str(line, "define mdev " U1 " in /etc/mdevctl.d/matrix/" U1 ": adapters 05,06,"
		       " domains 0004,00ab, control domains 0004, start auto", "define text");
	}
	ap_plan_free(&p);

	/* modify: one write, undo the old configuration */
	d = ap_model_get_mdev(&m, U1);
	d->active = true;
	d->live = X("5", "4", "");
	ap_request_init(&r, AP_REQ_MDEV_MODIFY);
	strcpy(r.uuid, U1);
	r.matrix = X("5", "4,5", "");
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 1 && p.n_undo == 1, "modify: one write");
	if (p.n_steps == 1) {
		struct ap_mask a, q, c;

		char buf[AP_STEP_DATA_MAX + 1];

		snprintf(buf, sizeof(buf), "%s\n", p.steps[0].data);
		ok(!ap_config_parse(buf, strlen(buf), &a, &q, &c, NULL) &&
		   eq(&q, "4,5"), "modify writes the new matrix");
		snprintf(buf, sizeof(buf), "%s\n", p.undo[0].data);
		ok(!ap_config_parse(buf, strlen(buf), &a, &q, &c, NULL) &&
		   eq(&q, "4"), "undo writes the old matrix");
		is_str(p.steps[0].repair, "apctl mdev modify " U1 " --active --remove-domains 5",
		       "modify: repair");
	}
	ap_plan_free(&p);
	r.matrix = d->live;
	check_render(&m, &r, "", "modify to the same matrix: nothing");

	/* remove: the last step, without an undo */
	ap_request_init(&r, AP_REQ_MDEV_REMOVE);
	strcpy(r.uuid, U1);
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 1 && p.n_undo == 0, "remove: one step, no undo");
	if (p.n_steps == 1)
		is_int(p.steps[0].kind, AP_STEP_MDEV_REMOVE, "remove step");
	ap_plan_free(&p);

	/* apply: a removal with later steps gets an undo that creates it again */
	r.recreate = true;
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 1 && p.n_undo == 2,
	   "remove with recreate: create and ap_config as its undo");
	if (p.n_undo == 2) {
		is_int(p.undo[0].kind, AP_STEP_MDEV_CREATE, "undo 1: create");
		is_int(p.undo[1].verify.kind, AP_VERIFY_MDEV_MATRIX, "undo 2: the live matrix");
		ok(ap_mask_equal(&p.undo[1].verify.matrix.aqm, &d->live.aqm), "...the old domains");
	}
	ap_plan_free(&p);
	r.recreate = false;

	/* remove the definition too */
	d->defined = true;
	d->def = d->live;
	r.persistent = true;
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 2, "remove live and definition");
	if (p.n_steps == 2) {
		is_int(p.steps[0].kind, AP_STEP_UNDEFINE_MDEV, "undefine before the live remove");
		is_int(p.steps[1].kind, AP_STEP_MDEV_REMOVE, "remove last");
		ok(p.undo[0].kind == AP_STEP_FILE_RESTORE && p.undo[0].existed,
		   "undo restores the definition");
	}
	ap_plan_free(&p);

	/* errors: a missing mdev */
	ap_request_init(&r, AP_REQ_MDEV_REMOVE);
	strcpy(r.uuid, U2);
	is_int(ap_plan_build(&m, &r, &p), -1, "remove a missing mdev: -1");
	ap_request_init(&r, AP_REQ_MDEV_MODIFY);
	strcpy(r.uuid, U2);
	is_int(ap_plan_build(&m, &r, &p), -1, "modify a missing mdev: -1");
	is_int(p.n_steps + p.n_undo, 0, "failed plan is empty");
	ap_model_free(&m);
}

static void test_mdev_assign(void)
{
	struct ap_model m;
	struct ap_request r;
	struct ap_plan p;
	struct ap_mdev *d;

	host(&m, K61);
	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	strcpy(r.uuid, U1);
	r.matrix = X("5,6", "4,0xab", "4");
	check_render(&m, &r,
		     "create mdev " U1 " (write '" U1 "' to /sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create)"
		     " (undo: remove mdev " U1 " (write '1' to /sys/devices/vfio_ap/matrix/" U1 "/remove))\n"
		     "write '0x5' to /sys/devices/vfio_ap/matrix/" U1 "/assign_adapter"
		     " (undo: by removing the mdev)\n"
		     "write '0x6' to /sys/devices/vfio_ap/matrix/" U1 "/assign_adapter"
		     " (undo: by removing the mdev)\n"
		     "write '0x4' to /sys/devices/vfio_ap/matrix/" U1 "/assign_domain"
		     " (undo: by removing the mdev)\n"
		     "write '0xab' to /sys/devices/vfio_ap/matrix/" U1 "/assign_domain"
		     " (undo: by removing the mdev)\n"
		     "write '0x4' to /sys/devices/vfio_ap/matrix/" U1 "/assign_control_domain"
		     " (undo: by removing the mdev)\n",
		     "create without ap_config: adapters, domains, control domains");
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 6, "six steps");
	if (p.n_steps == 6) {
		ok(eq(&p.steps[1].verify.matrix.apm, "5") &&
		   ap_mask_is_empty(&p.steps[1].verify.matrix.aqm), "after step 2: adapter 5 only");
		ok(eq(&p.steps[5].verify.matrix.adm, "4") &&
		   eq(&p.steps[5].verify.matrix.aqm, "4,171"),
		   "after step 6: the whole matrix");
		ok(p.n_undo == 1 && p.undo[0].kind == AP_STEP_MDEV_REMOVE, "the only undo: remove");
		ok(p.steps[1].covered && p.steps[5].covered, "assign writes: covered");
		ok(p.steps[1].verify.kind == AP_VERIFY_MDEV_ID && p.steps[1].verify.dim == 0 &&
		   eq(&p.steps[1].verify.must_set, "5"), "assign verifies its id");
		is_str(p.steps[1].what, "assign adapter 05 to mdev " U1, "assign: what");
	}
	ap_plan_free(&p);

	/* modify: unassign first, then assign */
	d = ap_model_get_mdev(&m, U1);
	d->active = true;
	d->live = X("5,6", "4,5", "4");
	ap_request_init(&r, AP_REQ_MDEV_MODIFY);
	strcpy(r.uuid, U1);
	r.matrix = X("5,7", "5,9", "");
	ok(!ap_plan_build(&m, &r, &p), "modify without ap_config");
	{
		char got[4096] = "";

		for (size_t i = 0; i < p.n_steps; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s=%.8s ",
				 strrchr(p.steps[i].path, '/') + 1, p.steps[i].data);
		is_str(got, "unassign_control_domain=0x4 unassign_domain=0x4 unassign_adapter=0x6 "
		       "assign_adapter=0x7 assign_domain=0x9 ", "modify order");
		got[0] = '\0';
		for (size_t i = 0; i < p.n_undo; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s=%.8s ",
				 strrchr(p.undo[i].path, '/') + 1, p.undo[i].data);
		is_str(got, "unassign_domain=0x9 unassign_adapter=0x7 assign_adapter=0x6 "
		       "assign_domain=0x4 assign_control_domain=0x4 ", "modify undo: reverse");
	}
	ap_plan_free(&p);

	/* remove with recreate: create, then adapters, domains, control domains */
	ap_request_init(&r, AP_REQ_MDEV_REMOVE);
	strcpy(r.uuid, U1);
	r.recreate = true;
	ok(!ap_plan_build(&m, &r, &p) && p.n_steps == 1, "remove with recreate without ap_config");
	{
		char got[4096] = "";

		for (size_t i = 0; i < p.n_undo; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s ",
				 strrchr(p.undo[i].path, '/') + 1);
		is_str(got, "create assign_adapter assign_adapter assign_domain assign_domain "
		       "assign_control_domain ", "recreate: the assign order the kernel accepts");
	}
	ap_plan_free(&p);

	/* create --reserve: a mask edit and a create, one plan */
	{
		struct ap_request two[2];

		mask_req(&two[0], "-8", NULL);
		m.host.apmask = M("0-255");
		ap_request_init(&two[1], AP_REQ_MDEV_CREATE);
		strcpy(two[1].uuid, U2);
		two[1].matrix = X("8", "4", "");
		ok(!ap_plan_build_n(&m, two, 2, &p) && p.n_steps == 4 && p.n_undo == 2,
		   "two requests: mask, create, two assign writes");
		if (p.n_steps == 4) {
			is_str(p.steps[0].data, "-8", "the mask edit first");
			is_int(p.steps[1].kind, AP_STEP_MDEV_CREATE, "then the create");
			is_int(ap_plan_undo_start(&p, 4), 0, "after all: undo everything");
			ok(p.undo[0].owner == 1 && p.undo[1].owner == 0, "undo owners");
		}
		ap_plan_free(&p);
	}
	ap_model_free(&m);
}

/* ---- property: forward reaches the target, undo restores ----------------- */

struct sim {
	struct ap_mask apmask, aqmask;
	struct {
		char uuid[AP_UUID_STRLEN];
		bool exists;
		struct ap_matrix x;
	} mdev[4];
	int bad;
};

static int sim_mdev(struct sim *s, const char *path)
{
	for (int i = 0; i < 4; i++)
		if (s->mdev[i].uuid[0] && strstr(path, s->mdev[i].uuid))
			return i;
	return -1;
}

static void sim_step(struct sim *s, const struct ap_step *st)
{
	struct ap_idlist l;
	int i = sim_mdev(s, st->uuid[0] ? st->uuid : st->path);

	switch (st->kind) {
	case AP_STEP_SYSFS_WRITE:
		if (!strcmp(st->path, AP_SYSFS_APMASK) || !strcmp(st->path, AP_SYSFS_AQMASK)) {
			struct ap_mask *mm = strstr(st->path, "apmask") ? &s->apmask : &s->aqmask;

			/* the kernel's relative form only; our parser reads it the same */
			if ((st->data[0] != '+' && st->data[0] != '-') ||
			    ap_idlist_parse(st->data, 255, true, &l, NULL)) {
				s->bad++;
				return;
			}
			ap_idlist_apply(&l, mm, mm);
			return;
		}
		if (i < 0 || !s->mdev[i].exists) {
			s->bad++;
			return;
		}
		{
			const char *attr = strrchr(st->path, '/') + 1;
			struct ap_matrix *x = &s->mdev[i].x;
			unsigned long v;
			char *end;

			if (!strcmp(attr, "ap_config")) {
				char buf[AP_STEP_DATA_MAX + 1];

				/* written without a newline; the parser reads sysfs */
				snprintf(buf, sizeof(buf), "%s\n", st->data);
				if (ap_config_parse(buf, strlen(buf), &x->apm, &x->aqm, &x->adm,
						    NULL))
					s->bad++;
				return;
			}
			if (strncmp(st->data, "0x", 2) || !st->data[2]) {
				s->bad++;	/* 0x hex: never a leading zero (octal) */
				return;
			}
			v = strtoul(st->data, &end, 0);
			if (*end || v > 255) {
				s->bad++;
				return;
			}
			struct ap_mask *t = strstr(attr, "control") ? &x->adm
					    : strstr(attr, "adapter") ? &x->apm : &x->aqm;

			if (!strncmp(attr, "assign", 6))
				ap_mask_set(t, (unsigned int)v);
			else
				ap_mask_clear(t, (unsigned int)v);
		}
		return;
	case AP_STEP_MDEV_CREATE:
		if (i < 0 || s->mdev[i].exists)
			s->bad++;
		else
			s->mdev[i].exists = true;
		return;
	case AP_STEP_MDEV_REMOVE:
		if (i < 0 || !s->mdev[i].exists)
			s->bad++;
		else
			memset(&s->mdev[i].x, 0, sizeof(s->mdev[i].x)), s->mdev[i].exists = false;
		return;
	default:
		return;	/* file steps do not touch sysfs */
	}
}

static bool sim_verify(const struct sim *s, const struct ap_step *st)
{
	const struct ap_verify *v = &st->verify;
	int i = sim_mdev((struct sim *)s, v->path);
	struct ap_mask t;

	switch (v->kind) {
	case AP_VERIFY_NONE:
		return true;
	case AP_VERIFY_MASK_BITS: {
		const struct ap_mask *mm = strstr(v->path, "apmask") ? &s->apmask : &s->aqmask;

		ap_mask_andnot(&t, &v->must_set, mm);
		if (!ap_mask_is_empty(&t))
			return false;
		return !ap_mask_intersects(mm, &v->must_clear);
	}
	case AP_VERIFY_MDEV_MATRIX:
		return i >= 0 && s->mdev[i].exists && ap_mask_equal(&s->mdev[i].x.apm, &v->matrix.apm) &&
		       ap_mask_equal(&s->mdev[i].x.aqm, &v->matrix.aqm) &&
		       ap_mask_equal(&s->mdev[i].x.adm, &v->matrix.adm);
	case AP_VERIFY_MDEV_ID: {
		const struct ap_matrix *x = i >= 0 ? &s->mdev[i].x : NULL;
		const struct ap_mask *mm;

		if (!x || !s->mdev[i].exists)
			return false;
		mm = v->dim == 0 ? &x->apm : v->dim == 1 ? &x->aqm : &x->adm;
		ap_mask_andnot(&t, &v->must_set, mm);
		return ap_mask_is_empty(&t) && !ap_mask_intersects(mm, &v->must_clear);
	}
	case AP_VERIFY_EXISTS:
		return i >= 0 && s->mdev[i].exists;
	case AP_VERIFY_ABSENT:
		return i >= 0 && !s->mdev[i].exists;
	case AP_VERIFY_OVERRIDE:
	case AP_VERIFY_DRIVER:
	case AP_VERIFY_NOT_DRIVER:
		return false;	/* not simulated here: tests/bats/override-change.bats */
	case AP_VERIFY_MIGRATABLE:
		return false;	/* not simulated here: tests/bats/migrate-v1.bats */
	}
	return false;
}

static bool sim_equal(const struct sim *a, const struct sim *b)
{
	if (!ap_mask_equal(&a->apmask, &b->apmask) || !ap_mask_equal(&a->aqmask, &b->aqmask))
		return false;
	for (int i = 0; i < 4; i++) {
		if (a->mdev[i].exists != b->mdev[i].exists)
			return false;
		if (a->mdev[i].exists && memcmp(&a->mdev[i].x, &b->mdev[i].x, sizeof(a->mdev[i].x)))
			return false;
	}
	return true;
}

static unsigned int rnd(unsigned int *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) & 0xffff;
}

static struct ap_mask rmask(unsigned int *seed, unsigned int span)
{
	struct ap_mask m;

	ap_mask_zero(&m);
	for (unsigned int k = rnd(seed) % 6; k > 0; k--)
		ap_mask_set(&m, rnd(seed) % span);
	return m;
}

static void test_property(void)
{
	static const char *uuids[4] = { U1, U2, "33333333-3333-3333-3333-333333333333",
					"44444444-4444-4444-4444-444444444444" };
	unsigned int seed = 42;
	int ok_fwd = 0, ok_undo = 0, ok_partial = 0, ok_verify = 0, runs = 0, built = 0;

	for (int t = 0; t < 600; t++) {
		enum gen g = (enum gen)(t % 3);
		struct ap_model m;
		struct ap_request r;
		struct ap_plan p;
		struct sim s0, s, target;
		bool verified = true;

		host(&m, g);
		memset(&s0, 0, sizeof(s0));
		m.host.apmask = rmask(&seed, 16);
		m.host.aqmask = rmask(&seed, 16);
		s0.apmask = m.host.apmask;
		s0.aqmask = m.host.aqmask;
		for (int i = 0; i < 4; i++) {
			snprintf(s0.mdev[i].uuid, AP_UUID_STRLEN, "%s", uuids[i]);
			if (i < 2) {
				struct ap_mdev *d = ap_model_get_mdev(&m, uuids[i]);

				d->active = true;
				d->live.apm = rmask(&seed, 16);
				d->live.aqm = rmask(&seed, 16);
				d->live.adm = rmask(&seed, 16);
				s0.mdev[i].exists = true;
				s0.mdev[i].x = d->live;
			}
		}
		target = s0;
		switch (rnd(&seed) % 4) {
		case 0:
			ap_request_init(&r, AP_REQ_MASKS);
			r.apmask.change = rnd(&seed) % 2;
			r.apmask.absolute = rnd(&seed) % 2;
			r.apmask.value = rmask(&seed, 16);
			r.apmask.set = rmask(&seed, 16);
			r.apmask.clear = rmask(&seed, 16);
			ap_mask_andnot(&r.apmask.set, &r.apmask.set, &r.apmask.clear);
			r.aqmask.change = true;
			r.aqmask.set = rmask(&seed, 16);
			r.aqmask.clear = rmask(&seed, 16);
			ap_mask_edit_apply(&r.apmask, &s0.apmask, &target.apmask);
			ap_mask_edit_apply(&r.aqmask, &s0.aqmask, &target.aqmask);
			break;
		case 1:
			ap_request_init(&r, AP_REQ_MDEV_CREATE);
			strcpy(r.uuid, uuids[2 + rnd(&seed) % 2]);
			r.matrix.apm = rmask(&seed, 16);
			r.matrix.aqm = rmask(&seed, 16);
			r.matrix.adm = rmask(&seed, 16);
			target.mdev[sim_mdev(&target, r.uuid)].exists = true;
			target.mdev[sim_mdev(&target, r.uuid)].x = r.matrix;
			break;
		case 2:
			ap_request_init(&r, AP_REQ_MDEV_MODIFY);
			strcpy(r.uuid, uuids[rnd(&seed) % 2]);
			r.matrix.apm = rmask(&seed, 16);
			r.matrix.aqm = rmask(&seed, 16);
			r.matrix.adm = rmask(&seed, 16);
			target.mdev[sim_mdev(&target, r.uuid)].x = r.matrix;
			break;
		default:
			ap_request_init(&r, AP_REQ_MDEV_REMOVE);
			strcpy(r.uuid, uuids[rnd(&seed) % 2]);
			target.mdev[sim_mdev(&target, r.uuid)].exists = false;
			memset(&target.mdev[sim_mdev(&target, r.uuid)].x, 0, sizeof(struct ap_matrix));
			break;
		}
		runs++;
		if (ap_plan_build(&m, &r, &p)) {
			ap_model_free(&m);
			continue;
		}
		built++;
		s = s0;
		for (size_t i = 0; i < p.n_steps; i++) {
			sim_step(&s, &p.steps[i]);
			if (!sim_verify(&s, &p.steps[i]))
				verified = false;
		}
		ok_verify += verified;
		ok_fwd += !s.bad && sim_equal(&s, &target);
		if (getenv("PLAN_DEBUG") && (s.bad || !sim_equal(&s, &target))) {
			char *txt = ap_plan_render(&p, "/sys", "");

			diag("case %d gen %d kind %d bad %d:\n%s", t, g, r.kind, s.bad, txt);
			free(txt);
		}
		/* a remove is the last step and has no undo: it stays */
		bool final_remove = p.n_steps && p.steps[p.n_steps - 1].kind == AP_STEP_MDEV_REMOVE;

		for (size_t i = 0; i < p.n_undo; i++)
			sim_step(&s, &p.undo[i]);
		ok_undo += !s.bad && sim_equal(&s, final_remove ? &target : &s0);
		/* fail after k steps: the undo from there restores the start */
		{
			size_t k = p.n_steps ? rnd(&seed) % (p.n_steps + 1) : 0;

			s = s0;
			for (size_t i = 0; i < k; i++)
				sim_step(&s, &p.steps[i]);
			for (size_t i = ap_plan_undo_start(&p, k); i < p.n_undo; i++)
				sim_step(&s, &p.undo[i]);
			ok_partial += !s.bad &&
				      sim_equal(&s, final_remove && k == p.n_steps ? &target : &s0);
		}
		ap_plan_free(&p);
		ap_model_free(&m);
	}
	is_int(built, runs, "all %d random plans built", runs);
	is_int(ok_fwd, built, "forward steps reach the requested state");
	is_int(ok_verify, built, "every step's verification holds after it");
	is_int(ok_undo, built, "the full undo restores the start (a final remove stays)");
	is_int(ok_partial, built, "undo after a failure at a random step restores the start");
}

/* ---- driver_override (>= 6.19) --------------------------------------------- */

static void test_overrides(void)
{
	struct ap_model m;
	struct ap_request r;
	struct ap_plan p;
	struct ap_queue *q;
	struct ap_step d, bad;
	const char *why;
	bool all = true;

	host(&m, K612);
	m.host.caps.driver_override = true;
	m.host.apmask = M("0-255");
	q = ap_host_add_queue(&m.host, 5, 4);
	q->driver = AP_DRV_CEX4QUEUE;
	q = ap_host_add_queue(&m.host, 6, 0xab);
	q->driver = AP_DRV_VFIO_AP;
	snprintf(q->driver_override, sizeof(q->driver_override), "vfio_ap");
	snprintf(q->saved_override, sizeof(q->saved_override), "vfio_ap");

	ap_request_init(&r, AP_REQ_OVERRIDES);
	r.persistent = true;
	ap_mask_set(&r.ovr[5], 4);
	ap_mask_set(&r.ovr[6], 0xab);	/* already given: nothing to do */
	check_render(&m, &r,
		     "write 'vfio_ap' to /sys/bus/ap/devices/05.0004/driver_override (undo: "
		     "write '\\n' to /sys/bus/ap/devices/05.0004/driver_override; write '05.0004' "
		     "to /sys/bus/ap/drivers_probe)\n"
		     "write '05.0004' to /sys/bus/ap/drivers/cex4queue/unbind (undo: the undo of "
		     "the step before probes the queue again)\n"
		     "write '05.0004' to /sys/bus/ap/drivers_probe (undo: write '05.0004' to "
		     "/sys/bus/ap/drivers/vfio_ap/unbind)\n"
		     "write 'vfio_ap\\n' to /etc/driverctl.d/ap-05.0004 (undo: delete "
		     "/etc/driverctl.d/ap-05.0004)\n",
		     "override reserve: write, unbind, probe, driverctl file");

	/* every step and undo step re-derives; a changed one does not */
	if (!ap_plan_build(&m, &r, &p)) {
		for (size_t i = 0; i < p.n_steps; i++)
			all &= !ap_step_rederive(&p.steps[i], &d, &why);
		for (size_t i = 0; i < p.n_undo; i++)
			all &= !ap_step_rederive(&p.undo[i], &d, &why);
		ok(all, "override steps and their undo re-derive");
		bad = p.steps[0];
		snprintf(bad.verify.text, sizeof(bad.verify.text), "evil");
		ok(ap_step_rederive(&bad, &d, &why) != 0, "an override to another driver is refused");
		bad = p.steps[1];
		snprintf(bad.path, sizeof(bad.path), "bus/ap/drivers/cex4queue/bind");
		ok(ap_step_rederive(&bad, &d, &why) != 0, "a bind instead of an unbind is refused");
		bad = p.steps[3];
		snprintf(bad.path, sizeof(bad.path), "etc/driverctl.d/pci-0000:00:01.0");
		ok(ap_step_rederive(&bad, &d, &why) != 0, "a driverctl file of another bus is refused");
		ap_plan_free(&p);
	}

	/* release: clear, unbind from vfio_ap, probe to cex4queue; the saved file goes */
	ap_request_init(&r, AP_REQ_OVERRIDES);
	r.ovr_release = true;
	r.persistent = true;
	ap_mask_set(&r.ovr[6], 0xab);
	check_render(&m, &r,
		     "write '\\n' to /sys/bus/ap/devices/06.00ab/driver_override (undo: write "
		     "'vfio_ap' to /sys/bus/ap/devices/06.00ab/driver_override; write '06.00ab' to "
		     "/sys/bus/ap/drivers_probe)\n"
		     "write '06.00ab' to /sys/bus/ap/drivers/vfio_ap/unbind (undo: the undo of the "
		     "step before probes the queue again)\n"
		     "write '06.00ab' to /sys/bus/ap/drivers_probe (undo: write '06.00ab' to "
		     "/sys/bus/ap/drivers/cex4queue/unbind)\n"
		     "delete /etc/driverctl.d/ap-06.00ab (undo: restore the previous "
		     "/etc/driverctl.d/ap-06.00ab)\n",
		     "override release: clear, unbind, probe, driverctl file deleted");
	ap_model_free(&m);
}

int main(void)
{
	test_masks();
	test_mdev_ap_config();
	test_mdev_assign();
	test_property();
	test_overrides();
	return done_testing();
}
