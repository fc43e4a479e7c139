/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/owner.h"
#include "tap.h"

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"
#define U3 "33333333-3333-3333-3333-333333333333"

static void set_ids(struct ap_mask *m, const int *ids)
{
	ap_mask_zero(m);
	for (; *ids >= 0; ids++)
		ap_mask_set(m, (unsigned int)*ids);
}

/* scenarios.md: apmask 0x7d00.., aqmask 0x8000.. */
static void test_mask_example(void)
{
	struct ap_model m;
	struct ap_owner_grid *g;
	char got[256] = "", got_grid[256] = "";
	unsigned int n_free = 0;

	ap_model_init(&m);
	ap_mask_parse("0x7d00", 6, &m.host.apmask, NULL, NULL);
	ap_mask_parse("0x8000", 6, &m.host.aqmask, NULL, NULL);
	g = ap_owner_grid_new(&m);
	ok(g != NULL, "grid allocated");
	for (unsigned int a = 0; a < 256; a++) {
		for (unsigned int d = 0; d < 256; d++) {
			struct ap_owner o;

			ap_owner_of(&m, a, d, &o);
			if (o.kind == AP_OWNER_HOST)
				sprintf(got + strlen(got), "%02x.%04x ", a, d);
			else if (o.kind == AP_OWNER_FREE)
				n_free++;
			if (g && g->kind[a][d] == AP_OWNER_HOST)
				sprintf(got_grid + strlen(got_grid), "%02x.%04x ", a, d);
		}
	}
	is_str(got, "01.0000 02.0000 03.0000 04.0000 05.0000 07.0000 ",
	       "ap_owner_of: host owns exactly the six APQNs");
	is_str(got_grid, got, "grid agrees");
	is_int(n_free, 65536 - 6, "every other APQN is free for vfio_ap");
	ap_owner_grid_free(g);
	ap_model_free(&m);
}

static void test_claims(void)
{
	static const int a12[] = { 1, 2, -1 }, a1[] = { 1, -1 }, d56[] = { 5, 6, -1 },
			 d67[] = { 6, 7, -1 }, a5[] = { 5, -1 }, d4[] = { 4, -1 };
	struct ap_model m;
	struct ap_mdev *x;
	struct ap_owner o;
	struct ap_owner_grid *g;
	struct ap_mask row;

	ap_model_init(&m);
	ap_mask_zero(&m.host.apmask);	/* nothing for the host but adapter 5 */
	ap_mask_set(&m.host.apmask, 5);
	m.host.qci_known = true;
	set_ids(&m.host.cfg_apm, a12);
	set_ids(&m.host.cfg_aqm, d56);

	x = ap_model_get_mdev(&m, U1);		/* active, in use, guest sees 01.0005 only */
	x->active = true;
	set_ids(&x->live.apm, a12);
	set_ids(&x->live.aqm, d56);
	x->in_use = true;
	x->guest_known = true;
	set_ids(&x->guest.apm, a1);
	set_ids(&x->guest.aqm, d56);
	x = ap_model_get_mdev(&m, U2);		/* defined autostart: shares 01.0006 */
	x->defined = true;
	x->autostart = true;
	set_ids(&x->def.apm, a1);
	set_ids(&x->def.aqm, d67);
	x = ap_model_get_mdev(&m, U3);		/* active and defined, host-owned 05.0004 */
	x->active = x->defined = true;
	set_ids(&x->live.apm, a5);
	set_ids(&x->live.aqm, d4);
	x->def = x->live;
	ap_host_add_queue(&m.host, 1, 5);

	ap_owner_of(&m, 1, 5, &o);
	is_str(ap_owner_kind_name(o.kind), "in-use", "01.0005 in use");
	ok(o.flags == (AP_OWNF_ACTIVE | AP_OWNF_IN_USE | AP_OWNF_IN_CONFIG | AP_OWNF_QUEUE),
	   "01.0005 flags 0x%x", o.flags);
	ok(o.n_claims == 1 && !strcmp(o.claims[0].mdev->uuid, U1) && o.claims[0].in_use,
	   "01.0005 claimed by U1, in use");

	ap_owner_of(&m, 2, 5, &o);
	is_str(ap_owner_kind_name(o.kind), "assigned", "02.0005 assigned (guest lacks it)");

	ap_owner_of(&m, 1, 6, &o);
	is_str(ap_owner_kind_name(o.kind), "conflict", "01.0006 conflict");
	is_int(o.n_claims, 2, "01.0006 two claimants");
	ok(o.n_claims == 2 && !strcmp(o.claims[0].mdev->uuid, U1) && o.claims[0].live &&
	   !o.claims[0].def && !strcmp(o.claims[1].mdev->uuid, U2) && o.claims[1].def &&
	   !o.claims[1].live, "01.0006 names U1 (live) and U2 (defined)");
	ok(o.flags & AP_OWNF_SHARED && o.flags & AP_OWNF_AUTOSTART, "01.0006 shared, autostart");

	ap_owner_of(&m, 1, 7, &o);
	is_str(ap_owner_kind_name(o.kind), "assigned", "01.0007 assigned to the definition");
	ok(!(o.flags & AP_OWNF_IN_CONFIG), "01.0007 not in the configuration");

	ap_owner_of(&m, 5, 4, &o);
	is_str(ap_owner_kind_name(o.kind), "conflict", "05.0004 host and mdev: conflict");
	ok(o.n_claims == 1 && o.claims[0].live && o.claims[0].def, "05.0004 one claimant, both");

	ap_owner_of(&m, 5, 9, &o);
	is_str(ap_owner_kind_name(o.kind), "host", "05.0009 host");
	ap_owner_of(&m, 9, 9, &o);
	is_str(ap_owner_kind_name(o.kind), "free", "09.0009 free");

	/* the grid agrees with ap_owner_of everywhere */
	g = ap_owner_grid_new(&m);
	{
		int bad = 0;

		for (unsigned int a = 0; a < 256; a++)
			for (unsigned int d = 0; d < 256; d++) {
				ap_owner_of(&m, a, d, &o);
				if (g->kind[a][d] != o.kind || g->flags[a][d] != o.flags ||
				    (o.n_claims && ap_owner_grid_mdev(g, &m, a, d) != o.claims[0].mdev))
					bad++;
			}
		is_int(bad, 0, "grid equals ap_owner_of on all 65536 APQNs");
	}
	ap_owner_grid_row(g, 1, AP_OWNER_CONFLICT, &row);
	ok(ap_mask_weight(&row) == 1 && ap_mask_test(&row, 6), "row 01 conflicts: 0006");
	ap_owner_grid_row(g, 1, AP_OWNER_FREE, &row);
	is_int(ap_mask_weight(&row), 253, "row 01 free: 253 domains");
	ap_owner_grid_row(g, 300, AP_OWNER_FREE, &row);
	ok(ap_mask_is_empty(&row), "row 300 empty");
	ok(ap_owner_grid_mdev(g, &m, 9, 9) == NULL, "no mdev for a free APQN");
	ok(ap_owner_grid_mdev(g, &m, 300, 9) == NULL, "no mdev out of range");
	ap_owner_grid_free(g);

	/* guest matrix unknown (before 6.0): the whole live matrix is in use */
	ap_model_find_mdev(&m, U1)->guest_known = false;
	ap_owner_of(&m, 2, 5, &o);
	is_str(ap_owner_kind_name(o.kind), "in-use", "no guest_matrix: live matrix in use");
	ap_model_free(&m);
}

/* more claimants than named */
static void test_many(void)
{
	struct ap_model m;
	struct ap_owner o;

	ap_model_init(&m);
	ap_mask_zero(&m.host.apmask);
	for (int i = 0; i < 12; i++) {
		char u[40];
		struct ap_mdev *x;

		snprintf(u, sizeof(u), "%08d-0000-0000-0000-000000000000", i);
		x = ap_model_get_mdev(&m, u);
		x->active = true;
		ap_mask_set(&x->live.apm, 3);
		ap_mask_set(&x->live.aqm, 3);
	}
	ap_owner_of(&m, 3, 3, &o);
	is_int(o.n_claims, 12, "twelve claimants counted");
	ok(o.claims[AP_OWNER_MAX_NAMED - 1].mdev == &m.mdevs[AP_OWNER_MAX_NAMED - 1],
	   "first eight named in model order");
	ap_model_free(&m);
}

/* >= 6.19: driver_override decides for queues that have one */
static void test_override(void)
{
	struct ap_model m;
	struct ap_queue *q;
	struct ap_owner o;
	struct ap_owner_grid *g;

	ap_model_init(&m);	/* masks all ones */
	m.host.caps.driver_override = true;
	q = ap_host_add_queue(&m.host, 4, 4);
	strcpy(q->driver_override, "vfio_ap");
	q->driver = AP_DRV_VFIO_AP;
	q = ap_host_add_queue(&m.host, 4, 5);
	strcpy(q->driver_override, "cex4queue");
	q->driver = AP_DRV_CEX4QUEUE;
	ap_mask_zero(&m.host.apmask);
	q = ap_host_add_queue(&m.host, 4, 6);	/* masks say vfio, override says host */
	strcpy(q->driver_override, "cex4queue");
	q->driver = AP_DRV_CEX4QUEUE;

	ap_owner_of(&m, 4, 4, &o);
	is_str(ap_owner_kind_name(o.kind), "free", "override vfio_ap: not the host's");
	ap_owner_of(&m, 4, 6, &o);
	is_str(ap_owner_kind_name(o.kind), "host", "override cex4queue: the host's");
	ap_owner_of(&m, 4, 7, &o);
	is_str(ap_owner_kind_name(o.kind), "free", "no queue: the masks decide");
	g = ap_owner_grid_new(&m);
	ok(g->kind[4][4] == AP_OWNER_FREE && g->kind[4][6] == AP_OWNER_HOST &&
	   g->kind[4][7] == AP_OWNER_FREE, "grid applies overrides");
	ap_owner_grid_free(g);
	m.host.caps.driver_override = false;
	ap_owner_of(&m, 4, 6, &o);
	is_str(ap_owner_kind_name(o.kind), "free", "before 6.19 the masks decide");
	is_str(ap_owner_kind_name((enum ap_owner_kind)77), "unknown", "kind name out of range");
	ap_model_free(&m);
}

int main(void)
{
	test_mask_example();
	test_claims();
	test_many();
	test_override();
	return done_testing();
}
