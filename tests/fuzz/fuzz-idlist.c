/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the id-list grammar.  Input: byte 0 picks the maximum id, byte 1 bit 0
 * allows the relative form, the rest is the list (cut at the first NUL).
 * Invariants: accepted ids are <= max; an absolute set formats to a list
 * that parses back to the same set (decimal and hex are both checked via the
 * decimal formatter); a relative edit formats to kernel syntax that parses
 * back to the same edit; every error renders a message.
 */
#include "config.h"

#include <string.h>

#include "core/idlist.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_idlist l, back;
	struct ap_idlist_error e;
	char buf[AP_IDLIST_STRLEN], msg[256];
	unsigned int max;
	bool rel;
	char *s;

	if (size < 2)
		return 0;
	max = data[0];
	rel = data[1] & 1;
	s = malloc(size - 1);
	if (!s)
		return 0;
	memcpy(s, data + 2, size - 2);
	s[size - 2] = '\0';

	if (ap_idlist_parse(s, max, rel, &l, &e) == 0) {
		struct ap_mask over, lim;

		ap_mask_fill(&lim);
		ap_mask_limit(&lim, max);
		ap_mask_andnot(&over, &l.set, &lim);
		FUZZ_CHECK(ap_mask_is_empty(&over));
		ap_mask_andnot(&over, &l.clear, &lim);
		FUZZ_CHECK(ap_mask_is_empty(&over));
		FUZZ_CHECK(rel || !l.relative);
		FUZZ_CHECK(!ap_mask_intersects(&l.set, &l.clear));
		if (!l.relative) {
			FUZZ_CHECK(ap_mask_is_empty(&l.clear));
			FUZZ_CHECK(!ap_mask_is_empty(&l.set));
			FUZZ_CHECK((size_t)ap_idlist_format(&l.set, buf, sizeof(buf)) < sizeof(buf));
			FUZZ_CHECK(ap_idlist_parse(buf, max, false, &back, NULL) == 0);
			FUZZ_CHECK(ap_mask_equal(&back.set, &l.set));
			FUZZ_CHECK(ap_idlist_format_hex(&l.set, 4, buf, sizeof(buf)) > 0);
		} else {
			int n = ap_idlist_format_kernel_edit(&l.set, &l.clear, buf, sizeof(buf));

			FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf));
			FUZZ_CHECK(ap_idlist_parse(buf, max, true, &back, NULL) == 0);
			FUZZ_CHECK(ap_mask_equal(&back.set, &l.set));
			FUZZ_CHECK(ap_mask_equal(&back.clear, &l.clear));
		}
	} else {
		FUZZ_CHECK(e.code != AP_IDL_OK);
		FUZZ_CHECK(e.pos <= strlen(s));
		FUZZ_CHECK(ap_idlist_strerror(&e, msg, sizeof(msg)) > 0);
	}
	free(s);
	return 0;
}
