/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the control_domains parser.  Invariant: an accepted text is exactly
 * what the kernel prints for the parsed mask.
 */
#include "config.h"

#include <string.h>

#include "core/apqn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_mask m;
	size_t pos = 0;

	if (ap_cdoms_parse((const char *)data, size, &m, &pos) == 0) {
		char buf[256 * 5 + 1];
		size_t n = ap_cdoms_format(&m, buf, sizeof(buf));

		FUZZ_CHECK(n == size && !memcmp(buf, data, n));
	} else {
		FUZZ_CHECK(pos <= size);
	}
	return 0;
}
