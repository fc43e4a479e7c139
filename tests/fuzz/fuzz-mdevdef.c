/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the mdevctl definition parser.  Invariants: a rejected file leaves a
 * zeroed definition and one error diagnostic; an accepted one formats to
 * JSON that parses back to the same matrix and autostart flag.
 */
#include "config.h"

#include <string.h>

#include "sys/diag.h"
#include "sys/mdevctl.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_mdevdef def, back;
	struct ap_diags d, d2;
	char *text;

	ap_diags_init(&d);
	if (ap_mdevdef_parse((const char *)data, size, "fuzz", &def, &d) == 0) {
		text = ap_mdevdef_format(&def);
		FUZZ_CHECK(text);
		ap_diags_init(&d2);
		FUZZ_CHECK(ap_mdevdef_parse(text, strlen(text), "fuzz", &back, &d2) == 0);
		FUZZ_CHECK(ap_mask_equal(&def.m.apm, &back.m.apm));
		FUZZ_CHECK(ap_mask_equal(&def.m.aqm, &back.m.aqm));
		FUZZ_CHECK(ap_mask_equal(&def.m.adm, &back.m.adm));
		FUZZ_CHECK(def.autostart == back.autostart);
		ap_diags_free(&d2);
		free(text);
	} else {
		FUZZ_CHECK(d.n >= 1);
	}
	ap_diags_free(&d);
	return 0;
}
