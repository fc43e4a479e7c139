/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the validator and the planner together on models and requests built
 * from the input bytes (small id ranges so that conflicts are frequent).
 * Invariants: every problem has a message and a known kind; the plan
 * renders; mask steps are relative writes; the undo list has one entry
 * range per step, each undo step naming its forward step; every step has a
 * description.
 */
#include "config.h"

#include <string.h>

#include "core/plan.h"
#include "core/validate.h"
#include "fuzz.h"

struct cursor {
	const uint8_t *p;
	size_t n;
};

static unsigned int byte(struct cursor *c)
{
	if (!c->n)
		return 0;
	c->n--;
	return *c->p++;
}

/* a mask over ids 0..15 from two bytes, sometimes with one high id */
static struct ap_mask small_mask(struct cursor *c)
{
	unsigned int lo = byte(c), hi8 = byte(c), hi = byte(c);
	unsigned int bits = lo | hi8 << 8;
	struct ap_mask m;

	ap_mask_zero(&m);
	for (unsigned int i = 0; i < 16; i++)
		if (bits & (1u << i))
			ap_mask_set(&m, i);
	if (hi >= 240)
		ap_mask_set(&m, hi);
	return m;
}

static struct ap_matrix small_matrix(struct cursor *c)
{
	struct ap_matrix x;

	x.apm = small_mask(c);
	x.aqm = small_mask(c);
	x.adm = small_mask(c);
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *uuids[4] = {
		"00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002",
		"00000000-0000-0000-0000-000000000003", "00000000-0000-0000-0000-000000000004",
	};
	struct cursor c = { data, size };
	struct ap_model m;
	struct ap_request r;
	struct ap_problems pr;
	struct ap_plan plan;
	unsigned int caps, n;

	ap_model_init(&m);
	caps = byte(&c);
	m.host.caps.vfio_ap = caps & 1;
	m.host.caps.guest_matrix = caps & 2;
	m.host.caps.ap_config = caps & 4;
	m.host.caps.driver_override = caps & 8;
	m.host.qci_known = caps & 16;
	m.host.max_adapter = byte(&c);
	m.host.max_domain = byte(&c);
	m.host.apmask = small_mask(&c);
	m.host.aqmask = small_mask(&c);
	m.host.cfg_apm = small_mask(&c);
	m.host.cfg_aqm = small_mask(&c);
	if (caps & 32) {
		m.host.persist_src = AP_PERSIST_UDEV_ETC;
		m.host.persist_apmask_set = m.host.persist_aqmask_set = true;
		m.host.persist_apmask = small_mask(&c);
		m.host.persist_aqmask = small_mask(&c);
	}
	n = byte(&c) % 5;
	for (unsigned int i = 0; i < n; i++) {
		struct ap_mdev *d = ap_model_get_mdev(&m, uuids[i]);
		unsigned int f = byte(&c);

		if (!d)
			goto out;
		d->active = f & 1;
		d->defined = f & 2;
		d->autostart = f & 4;
		d->in_use = f & 8;
		d->guest_known = f & 16;
		d->live = small_matrix(&c);
		d->def = small_matrix(&c);
		d->guest = small_matrix(&c);
	}
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int qa = byte(&c) % 16, qd = byte(&c) % 16;
		struct ap_queue *q = ap_host_add_queue(&m.host, qa, qd);

		if (!q)
			goto out;
		q->driver = (enum ap_driver)(byte(&c) % 5);
		if (byte(&c) & 1)
			strcpy(q->driver_override, "cex4queue");
	}

	ap_request_init(&r, (enum ap_req_kind)(byte(&c) % 5));
	r.active = byte(&c) & 1;
	r.persistent = byte(&c) & 1;
	r.force = byte(&c) & 1;
	r.apmask.change = byte(&c) & 1;
	r.apmask.absolute = byte(&c) & 1;
	r.apmask.value = small_mask(&c);
	r.apmask.set = small_mask(&c);
	r.apmask.clear = small_mask(&c);
	r.aqmask.change = byte(&c) & 1;
	r.aqmask.set = small_mask(&c);
	r.aqmask.clear = small_mask(&c);
	strcpy(r.uuid, uuids[byte(&c) % 4]);
	r.matrix = small_matrix(&c);
	r.set_autostart = byte(&c) & 1;
	r.autostart = byte(&c) & 1;

	if (ap_validate(&m, &r, &pr) == 0) {
		unsigned int e = 0, w = 0;

		for (size_t i = 0; i < pr.n; i++) {
			FUZZ_CHECK(pr.v[i].message != NULL);
			FUZZ_CHECK(strcmp(ap_problem_kind_name(pr.v[i].kind), "unknown"));
			e += pr.v[i].severity == AP_SEV_ERROR;
			w += pr.v[i].severity == AP_SEV_WARNING;
		}
		FUZZ_CHECK(e == pr.n_errors && w == pr.n_warnings);
		ap_problems_free(&pr);
	}
	if (ap_plan_build(&m, &r, &plan) == 0) {
		char *t = ap_plan_render(&plan, "/sys", "");
		size_t undo = 0;

		FUZZ_CHECK(t != NULL);
		free(t);
		for (size_t i = 0; i < plan.n_steps; i++) {
			const struct ap_step *s = &plan.steps[i];

			undo += s->undo_count;
			/* every step says what it does; a covered one has no undo */
			FUZZ_CHECK(s->what[0] != '\0');
			FUZZ_CHECK(!s->covered || !s->undo_count);
			for (size_t k = 0; k < s->undo_count; k++)
				FUZZ_CHECK(plan.undo[s->undo_first + k].owner == i);
			if (s->kind == AP_STEP_SYSFS_WRITE && !strncmp(s->path, "bus/ap/", 7))
				FUZZ_CHECK(s->data[0] == '+' || s->data[0] == '-');
		}
		FUZZ_CHECK(undo == plan.n_undo);
		FUZZ_CHECK(ap_plan_undo_start(&plan, plan.n_steps) == 0);
		ap_plan_free(&plan);
	}
out:
	ap_model_free(&m);
	return 0;
}
