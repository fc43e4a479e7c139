/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/model.h"
#include "tap.h"

static void test_init(void)
{
	struct ap_model m;

	ap_model_init(&m);
	is_int(m.host.max_adapter, 63, "init: max adapter 63");
	is_int(m.host.max_domain, 15, "init: max domain 15");
	ok(ap_mask_is_full(&m.host.apmask) && ap_mask_is_full(&m.host.aqmask),
	   "init: kernel default masks all ones");
	is_int(m.host.ap_domain, -1, "init: no default domain");
	is_int(m.host.available_instances, -1, "init: available_instances unknown");
	is_int(m.n_mdevs + m.host.n_cards + m.host.n_queues, 0, "init: empty arrays");
	ok(ap_host_owns(&m.host, 0, 0) && ap_host_owns(&m.host, 255, 255),
	   "init: host owns everything");
	ap_model_free(&m);
}

static void test_mdevs(void)
{
	static const char *uuids[] = {
		"cccccccc-0000-0000-0000-000000000000",
		"aaaaaaaa-0000-0000-0000-000000000000",
		"bbbbbbbb-0000-0000-0000-000000000000",
		"00000000-0000-0000-0000-000000000001",
	};
	struct ap_model m;
	struct ap_mdev *d;
	bool sorted = true;

	ap_model_init(&m);
	ok(!ap_model_find_mdev(&m, uuids[0]), "find in empty model");
	for (int i = 0; i < 4; i++) {
		d = ap_model_get_mdev(&m, uuids[i]);
		ok(d && !strcmp(d->uuid, uuids[i]), "get_mdev adds %s", uuids[i]);
		ok(d && !d->active && !d->defined && ap_mask_is_empty(&d->live.apm),
		   "new mdev is zeroed");
		d->active = true;
	}
	is_int(m.n_mdevs, 4, "four mdevs");
	for (size_t i = 1; i < m.n_mdevs; i++)
		if (strcmp(m.mdevs[i - 1].uuid, m.mdevs[i].uuid) >= 0)
			sorted = false;
	ok(sorted, "mdevs kept sorted by uuid");
	d = ap_model_get_mdev(&m, uuids[1]);
	is_int(m.n_mdevs, 4, "get_mdev of an existing uuid does not add");
	ok(d && d->active, "get_mdev returns the existing entry");
	d = ap_model_find_mdev(&m, uuids[2]);
	ok(d && !strcmp(d->uuid, uuids[2]), "find existing");
	ok(!ap_model_find_mdev(&m, "dddddddd-0000-0000-0000-000000000000"), "find missing");
	d = ap_model_get_mdev(&m, "eeeeeeee-0000-0000-0000-000000000000-toolong");
	ok(d && strlen(d->uuid) == 36, "overlong uuid cut to 36 characters");
	ap_model_free(&m);
	is_int(m.n_mdevs, 0, "free resets");
}

static void test_cards_queues(void)
{
	struct ap_model m;
	struct ap_card *c;
	struct ap_queue *q;
	unsigned int order[] = { 7, 3, 0x1a, 5, 3, 0 };
	bool sorted = true;

	ap_model_init(&m);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		c = ap_host_add_card(&m.host, order[i]);
		ok(c && c->id == order[i], "add card %u", order[i]);
	}
	is_int(m.host.n_cards, 5, "duplicate card not added twice");
	for (size_t i = 1; i < m.host.n_cards; i++)
		if (m.host.cards[i - 1].id >= m.host.cards[i].id)
			sorted = false;
	ok(sorted, "cards sorted");
	c = ap_host_find_card(&m.host, 0x1a);
	ok(c && c->id == 0x1a, "find card 1a");
	ok(c && c->hwtype == -1 && c->raw_hwtype == -1 && c->depth == -1, "new card unknowns");
	ok(c && c->config == AP_UNK && c->online == AP_UNK && c->chkstop == AP_UNK,
	   "new card tri-states unknown");
	ok(!ap_host_find_card(&m.host, 4), "find missing card");

	/* queues in descending order, then ascending, with a duplicate */
	for (int a = 3; a >= 1; a--)
		for (int dq = 10; dq >= 0; dq -= 5)
			ap_host_add_queue(&m.host, (unsigned int)a, (unsigned int)dq);
	q = ap_host_add_queue(&m.host, 2, 5);
	ok(q && q->apid == 2 && q->apqi == 5, "add existing queue returns it");
	is_int(m.host.n_queues, 9, "nine queues");
	sorted = true;
	for (size_t i = 1; i < m.host.n_queues; i++) {
		struct ap_queue *x = &m.host.queues[i - 1], *y = &m.host.queues[i];

		if (x->apid > y->apid || (x->apid == y->apid && x->apqi >= y->apqi))
			sorted = false;
	}
	ok(sorted, "queues sorted adapter-major");
	q = ap_host_find_queue(&m.host, 3, 10);
	ok(q && q->apid == 3 && q->apqi == 10, "find queue 03.000a");
	ok(q && q->config == AP_UNK && q->driver == AP_DRV_NONE && q->status == AP_QS_NONE,
	   "new queue defaults");
	ok(!ap_host_find_queue(&m.host, 3, 11), "find missing queue");
	ok(!ap_host_find_queue(&m.host, 4, 0), "find queue of missing adapter");

	/* arrays filled directly, then sorted */
	m.host.queues[0].apid = 200;
	m.host.cards[0].id = 250;
	ap_model_sort(&m);
	is_int(m.host.queues[m.host.n_queues - 1].apid, 200, "sort queues");
	is_int(m.host.cards[m.host.n_cards - 1].id, 250, "sort cards");
	ok(ap_host_find_queue(&m.host, 200, 0) != NULL, "find after sort");
	ap_model_free(&m);
}

/* scenarios.md: apmask 0x7d00.., aqmask 0x8000.. */
static void test_host_owns(void)
{
	struct ap_model m;
	char got[256] = "";

	ap_model_init(&m);
	ap_mask_parse("0x7d", 4, &m.host.apmask, NULL, NULL);
	ap_mask_parse("0x8", 3, &m.host.aqmask, NULL, NULL);
	for (unsigned int a = 0; a < 256; a++)
		for (unsigned int d = 0; d < 256; d++)
			if (ap_host_owns(&m.host, a, d))
				sprintf(got + strlen(got), "%02x.%04x ", a, d);
	is_str(got, "01.0000 02.0000 03.0000 04.0000 05.0000 07.0000 ",
	       "host owns exactly 01.0000 02.0000 03.0000 04.0000 05.0000 07.0000");
	ap_model_free(&m);
}

static void test_mode(void)
{
	static const struct {
		uint32_t f;
		enum ap_mode mode;
	} cases[] = {
		{ 0, AP_MODE_UNKNOWN },
		{ 0x08000000, AP_MODE_ACCEL },
		{ 0x10000000, AP_MODE_CCA },
		{ 0x04000000, AP_MODE_EP11 },
		{ 0x18000000, AP_MODE_ACCEL },	/* A wins over D */
		{ 0x14000000, AP_MODE_CCA },	/* D wins over X */
		{ 0x1c000000, AP_MODE_ACCEL },
		{ 0xe3ffffff, AP_MODE_UNKNOWN },	/* every other bit */
		{ 0x92680000, AP_MODE_CCA },	/* a typical CEX7C word */
		{ 0x06000000, AP_MODE_EP11 },	/* EP11 + APXA */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(ap_mode_from_functions(cases[i].f), cases[i].mode, "mode of 0x%08x",
		       (unsigned int)cases[i].f);
}

/* many insertions, in descending and interleaved order, across growth steps */
static void test_growth(void)
{
	struct ap_model m;
	unsigned int a, q, n = 0, bad = 0;
	size_t i;

	ap_model_init(&m);
	for (a = 40; a-- > 0;)			/* descending: each insert goes first */
		for (q = 0; q < 256; q += 3)
			if (!ap_host_add_queue(&m.host, a, q))
				bad++;
	for (a = 0; a < 40; a++)		/* interleaved: the gaps */
		for (q = 1; q < 256; q += 3)
			if (!ap_host_add_queue(&m.host, a, q))
				bad++;
	is_int(bad, 0, "growth: every insertion succeeded");
	is_int((long long)m.host.n_queues, 40 * 86 + 40 * 85, "growth: queue count");
	for (i = 1; i < m.host.n_queues; i++) {
		const struct ap_queue *x = &m.host.queues[i - 1], *y = &m.host.queues[i];

		if (x->apid > y->apid || (x->apid == y->apid && x->apqi >= y->apqi))
			n++;
	}
	is_int(n, 0, "growth: queues stay sorted");
	ok(ap_host_find_queue(&m.host, 39, 253) && ap_host_find_queue(&m.host, 0, 1) &&
	   !ap_host_find_queue(&m.host, 0, 2), "growth: lookups after growth");
	ap_model_free(&m);
}

int main(void)
{
	test_init();
	test_mdevs();
	test_cards_queues();
	test_host_owns();
	test_mode();
	test_growth();
	return done_testing();
}
