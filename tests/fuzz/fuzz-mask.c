/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the kernel mask parser.  Invariants: an accepted text formats to the
 * canonical 66 characters that parse back to the same mask; the error
 * position is inside the text.
 */
#include "config.h"

#include <string.h>

#include "core/apmask.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_mask m, back;
	char buf[AP_MASK_STRLEN];
	size_t pos = 0;
	bool empty;

	if (ap_mask_parse((const char *)data, size, &m, &empty, &pos) == 0) {
		ap_mask_format(&m, buf);
		FUZZ_CHECK(strlen(buf) == 66);
		FUZZ_CHECK(ap_mask_parse(buf, 66, &back, &empty, NULL) == 0);
		FUZZ_CHECK(!empty);
		FUZZ_CHECK(ap_mask_equal(&m, &back));
	} else {
		FUZZ_CHECK(pos < size);
	}
	return 0;
}
