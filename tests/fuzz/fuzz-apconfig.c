/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the strict ap_config parser.  Invariant: an accepted text is exactly
 * what ap_config_format prints for the parsed masks.
 */
#include "config.h"

#include <string.h>

#include "core/apqn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_mask a, d, c;
	size_t pos = 0;

	if (ap_config_parse((const char *)data, size, &a, &d, &c, &pos) == 0) {
		char buf[AP_CONFIG_STRLEN];

		ap_config_format(&a, &d, &c, buf);
		FUZZ_CHECK(size == 201 && !memcmp(buf, data, 201));
	} else {
		FUZZ_CHECK(pos <= size);
	}
	return 0;
}
