/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the udev rule parser (41-ap.rules).  Invariant: the masks the
 * file's writes give (applied to all-ones masks) format into apctl's rule,
 * which parses back to writes with the same effect.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sys/diag.h"
#include "sys/udevrule.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_rulefile f, back;
	struct ap_mask ap, aq, ap2, aq2;
	bool apw = false, aqw = false, apw2 = false, aqw2 = false;
	struct ap_diags d, d2;
	char *text;

	memset(&f, 0, sizeof(f));
	memset(&back, 0, sizeof(back));
	ap_diags_init(&d);
	if (ap_udevrule_parse((const char *)data, size, "fuzz", &f, &d) == -ENOMEM)
		goto out;
	ap_mask_fill(&ap);
	ap_mask_fill(&aq);
	ap_rulefile_apply(&f, &ap, &aq, &apw, &aqw);
	text = ap_udevrule_format(apw ? &ap : NULL, aqw ? &aq : NULL);
	FUZZ_CHECK(text);
	ap_diags_init(&d2);
	FUZZ_CHECK(ap_udevrule_parse(text, strlen(text), "fuzz", &back, &d2) == 0);
	ap_mask_fill(&ap2);
	ap_mask_fill(&aq2);
	ap_rulefile_apply(&back, &ap2, &aq2, &apw2, &aqw2);
	FUZZ_CHECK(apw == apw2 && aqw == aqw2);
	FUZZ_CHECK(ap_mask_equal(&ap, &ap2) && ap_mask_equal(&aq, &aq2));
	free(text);
	ap_rulefile_free(&back);
	ap_diags_free(&d2);
out:
	ap_rulefile_free(&f);
	ap_diags_free(&d);
	return 0;
}
