/* SPDX-License-Identifier: MIT */
/* The ownership grid of 'show matrix' and the guest_matrix reasons (kernel-abi.md 5.4). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "out/out.h"
#include "tap.h"
#include "out-model.h"

static const char *cell(const struct ap_model *m, unsigned int a, unsigned int d)
{
	static char buf[24];
	struct ap_cell c;

	ap_grid_cell(m, a, d, &c);
	return ap_cell_text(&c, buf, sizeof(buf));
}

static void test_cells(void)
{
	struct ap_model m;
	struct ap_mask rows, cols;
	struct ap_mdev *md;
	char *s;

	build_three_guests(&m);
	ap_grid_axes(&m, &rows, &cols);
	s = ap_out_idlist(&rows, AP_IDS_ADAPTER);
	is_str(s, "05,06", "rows: the configured adapters");
	free(s);
	s = ap_out_idlist(&cols, AP_IDS_DOMAIN);
	is_str(s, "0004,0047,00ab,00ff", "columns: the configured domains");
	free(s);
	is_str(cell(&m, 5, 0x04), "1*", "05.0004 in use by the guest of mdev 1");
	is_str(cell(&m, 6, 0xab), "1*", "06.00ab in use by the guest of mdev 1");
	is_str(cell(&m, 5, 0x47), "2", "05.0047 assigned to mdev 2 (no guest)");
	is_str(cell(&m, 6, 0x47), "(3)", "06.0047 named by the inactive definition of mdev 3");

	/* give adapter 5 back to the host: mdev 2's APQNs conflict with it */
	ap_mask_set(&m.host.apmask, 5);
	is_str(cell(&m, 5, 0x47), "!", "assigned APQN owned by the host: conflict");
	is_str(cell(&m, 6, 0x47), "(3)", "adapter 6 unaffected");
	ap_mask_fill(&m.host.apmask);
	is_str(cell(&m, 6, 0x47), "!", "a definition naming a host APQN: conflict");
	is_str(cell(&m, 6, 0x04), "!", "active mdev 1 on host APQNs: conflict");

	ap_model_free(&m);
	build_three_guests(&m);
	md = ap_model_find_mdev(&m, U2);
	ap_mask_set(&md->live.apm, 7);		/* over-provisioned adapter ... */
	ap_mask_clear(&m.host.apmask, 7);	/* ... reserved for vfio_ap */
	ap_mask_clear(&md->live.aqm, 0xff);	/* 05.00ff becomes free */
	md = ap_model_find_mdev(&m, U3);
	ap_mask_set(&md->def.aqm, 0x10);	/* a domain the host does not have */
	ap_grid_axes(&m, &rows, &cols);
	s = ap_out_idlist(&rows, AP_IDS_ADAPTER);
	is_str(s, "05-07", "rows include assigned adapters outside the configuration");
	free(s);
	s = ap_out_idlist(&cols, AP_IDS_DOMAIN);
	is_str(s, "0004,0010,0047,00ab,00ff", "columns include defined domains");
	free(s);
	is_str(cell(&m, 7, 0x47), "2?", "07.0047 assigned, not in the configuration");
	is_str(cell(&m, 7, 0x04), "-", "07.0004 not in the configuration");
	is_str(cell(&m, 5, 0xff), ".", "05.00ff free in the vfio_ap pool");
	is_str(cell(&m, 6, 0x10), "(3)", "defined, not configured");
	is_str(cell(&m, 5, 0x10), "-", "not configured, nobody's");

	/* two active mdevs on one APQN */
	md = ap_model_find_mdev(&m, U2);
	ap_mask_set(&md->live.aqm, 0x04);
	is_str(cell(&m, 5, 0x04), "!", "05.0004 held by mdevs 1 and 2: conflict");
	is_str(cell(&m, 7, 0x04), "2?", "07.0004 now over-provisioned for mdev 2");
	ap_model_free(&m);

	/* nothing reserved, no mdevs: everything is the host's */
	build_three_guests(&m);
	ap_mask_fill(&m.host.apmask);
	free(m.mdevs);
	m.mdevs = NULL;
	m.n_mdevs = 0;
	is_str(cell(&m, 5, 0x04), "H", "host-owned");
	is_str(cell(&m, 6, 0xff), "H", "host-owned");
	ap_model_free(&m);

	is_str(ap_cell_kind_name(AP_CELL_OVERPROV), "overprovisioned", "kind names");
}

static enum ap_guest_reason reason(const struct ap_model *m, const char *uuid, unsigned int a,
				   unsigned int d, unsigned int *other)
{
	return ap_guest_reason(m, ap_model_find_mdev(m, uuid), a, d, other);
}

static void test_reasons(void)
{
	struct ap_model m;
	struct ap_mdev *md;
	unsigned int other;

	build_three_guests(&m);
	ap_host_find_queue(&m.host, 6, 0xab)->driver = AP_DRV_NONE;
	md = ap_model_find_mdev(&m, U1);
	ap_mask_clear(&md->guest.apm, 6);
	is_int(reason(&m, U1, 5, 0x04, &other), AP_GR_PASSED, "05.0004 passed");
	is_int(reason(&m, U1, 6, 0xab, &other), AP_GR_NOT_BOUND, "06.00ab not bound");
	is_int(reason(&m, U1, 6, 0x04, &other), AP_GR_ADAPTER_NOT_PASSABLE,
	       "06.0004: another queue of adapter 6 is not passable");
	is_int(other, 0xab, "... namely 06.00ab");
	is_str(ap_guest_reason_name(AP_GR_ADAPTER_NOT_PASSABLE), "adapter-not-passable", "name");

	/* domain 0xab leaves the configuration: it no longer blocks adapter 6 */
	ap_mask_clear(&m.host.cfg_aqm, 0xab);
	ap_mask_clear(&md->guest.aqm, 0xab);
	is_int(reason(&m, U1, 5, 0xab, &other), AP_GR_DOMAIN_NOT_CONFIGURED,
	       "05.00ab: domain not configured");
	is_int(reason(&m, U1, 6, 0x04, &other), AP_GR_FILTERED,
	       "06.0004: every configured queue bound, the kernel's filter state");
	ap_mask_clear(&m.host.cfg_apm, 6);
	is_int(reason(&m, U1, 6, 0x04, &other), AP_GR_ADAPTER_NOT_CONFIGURED,
	       "06.0004: adapter not configured");
	/* a guest matrix the kernel cut at 4095 bytes */
	md = ap_model_find_mdev(&m, U1);
	ap_mask_fill(&md->live.apm);
	ap_mask_fill(&md->live.aqm);
	ap_mask_zero(&md->guest.apm);
	ap_mask_set_range(&md->guest.apm, 5, 6);
	ap_mask_fill(&md->guest.aqm);
	ok(reason(&m, U1, 7, 0x04, &other) != AP_GR_GUEST_CUT, "not cut: a real reason");
	md->guest_truncated = true;
	is_int(reason(&m, U1, 7, 0x04, &other), AP_GR_GUEST_CUT, "guest_matrix cut at 4095 bytes");
	m.host.caps.guest_matrix = false;
	is_int(reason(&m, U1, 5, 0x04, &other), AP_GR_NO_GUEST_MATRIX, "kernel < 6.0");
	ap_model_free(&m);
}

int main(void)
{
	plan_no_plan();
	test_cells();
	test_reasons();
	return done_testing();
}
