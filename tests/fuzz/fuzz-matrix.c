/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the parsers of vfio_ap's matrix/guest_matrix text and the APQN
 * parser.  Invariant: an accepted, untruncated text is exactly what the
 * kernel would print for the parsed masks (the parser never guesses).
 */
#include "config.h"

#include <string.h>

#include "core/apqn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_mask a, d;
	bool tr = false;
	size_t pos = 0;

	if (ap_matrix_parse((const char *)data, size, &a, &d, &tr, &pos) == 0) {
		if (!tr) {
			size_t n = ap_matrix_format(&a, &d, NULL, 0);
			char *buf = malloc(n + 1);

			FUZZ_CHECK(buf != NULL);
			FUZZ_CHECK(ap_matrix_format(&a, &d, buf, n + 1) == n);
			FUZZ_CHECK(n == size && !memcmp(buf, data, n));
			free(buf);
		} else {
			FUZZ_CHECK(size == 4095);
		}
	} else {
		FUZZ_CHECK(pos <= size);
	}

	/* the same bytes as one APQN string */
	if (size < 64) {
		char s[64];
		struct ap_apqn q;

		memcpy(s, data, size);
		s[size] = '\0';
		if (ap_apqn_parse(s, &q, &pos) == 0) {
			char out[AP_APQN_STRLEN];
			struct ap_apqn q2;

			FUZZ_CHECK(q.apid <= 255 && q.apqi <= 255);
			ap_apqn_format(q.apid, q.apqi, out);
			FUZZ_CHECK(ap_apqn_parse(out, &q2, NULL) == 0);
			FUZZ_CHECK(q2.apid == q.apid && q2.apqi == q.apqi);
		} else {
			FUZZ_CHECK(pos <= strlen(s));
		}
	}
	return 0;
}
