/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the udev rule parser (41-ap.rules).  Invariant: the masks it found
 * format into a rule that parses back to the same masks.
 */
#include "config.h"

#include <string.h>

#include "sys/diag.h"
#include "sys/udevrule.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_persist_masks pm, back;
	struct ap_diags d, d2;
	char *text;

	memset(&pm, 0, sizeof(pm));
	memset(&back, 0, sizeof(back));
	ap_diags_init(&d);
	ap_udevrule_parse((const char *)data, size, "fuzz", &pm, &d);
	text = ap_udevrule_format(pm.apmask_set ? &pm.apmask : NULL,
				  pm.aqmask_set ? &pm.aqmask : NULL);
	FUZZ_CHECK(text);
	ap_diags_init(&d2);
	FUZZ_CHECK(ap_udevrule_parse(text, strlen(text), "fuzz", &back, &d2) == 0);
	FUZZ_CHECK(back.apmask_set == pm.apmask_set && back.aqmask_set == pm.aqmask_set);
	FUZZ_CHECK(!pm.apmask_set || ap_mask_equal(&pm.apmask, &back.apmask));
	FUZZ_CHECK(!pm.aqmask_set || ap_mask_equal(&pm.aqmask, &back.aqmask));
	free(text);
	ap_diags_free(&d2);
	ap_diags_free(&d);
	return 0;
}
