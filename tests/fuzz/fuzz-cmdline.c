/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the kernel command line parser (ap.apmask=, ap.aqmask=).
 * Invariants: a mask that is not set is all zero; parsing is deterministic.
 */
#include "config.h"

#include <string.h>

#include "sys/udevrule.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_persist_masks a, b;
	bool bad_a = false, bad_b = false;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ap_cmdline_parse((const char *)data, size, &a, &bad_a);
	ap_cmdline_parse((const char *)data, size, &b, &bad_b);
	FUZZ_CHECK(bad_a == bad_b && a.apmask_set == b.apmask_set && a.aqmask_set == b.aqmask_set);
	FUZZ_CHECK(ap_mask_equal(&a.apmask, &b.apmask) && ap_mask_equal(&a.aqmask, &b.aqmask));
	FUZZ_CHECK(a.apmask_set || ap_mask_is_empty(&a.apmask));
	FUZZ_CHECK(a.aqmask_set || ap_mask_is_empty(&a.aqmask));
	return 0;
}
