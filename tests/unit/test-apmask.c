/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "core/apmask.h"
#include "tap.h"

/* a 64-digit mask with a given prefix, rest zeros */
static const char *pad(const char *prefix)
{
	static char buf[AP_MASK_STRLEN];
	size_t n = strlen(prefix);

	memcpy(buf, "0x", 2);
	memcpy(buf + 2, prefix, n);
	memset(buf + 2 + n, '0', 64 - n);
	buf[66] = '\0';
	return buf;
}

static void test_bits(void)
{
	struct ap_mask m, a, b, r;
	char buf[AP_MASK_STRLEN];
	int id, n;

	ap_mask_zero(&m);
	ok(ap_mask_is_empty(&m), "zero mask is empty");
	ok(!ap_mask_is_full(&m), "zero mask is not full");
	is_int(ap_mask_next(&m, 0), -1, "next on empty mask is -1");
	ap_mask_set(&m, 0);
	ap_mask_format(&m, buf);
	is_str(buf, pad("8"), "id 0 is the leftmost bit");
	ap_mask_zero(&m);
	ap_mask_set(&m, 5);
	ap_mask_format(&m, buf);
	is_str(buf, pad("04"), "adapter 5 is 0x04...");
	ap_mask_zero(&m);
	ap_mask_set(&m, 7);
	ap_mask_format(&m, buf);
	is_str(buf, pad("01"), "adapter 7 is 0x01...");
	ap_mask_zero(&m);
	ap_mask_set(&m, 255);
	ap_mask_format(&m, buf);
	is_str(buf, "0x0000000000000000000000000000000000000000000000000000000000000001",
	       "id 255 is the rightmost bit");
	ok(ap_mask_test(&m, 255), "test 255");
	ok(!ap_mask_test(&m, 254), "test 254 clear");
	ok(!ap_mask_test(&m, 256), "test 256 out of range is false");
	ap_mask_set(&m, 256);
	ap_mask_set(&m, 1000);
	is_int(ap_mask_weight(&m), 1, "set beyond 255 is ignored");
	ap_mask_clear(&m, 255);
	ok(ap_mask_is_empty(&m), "clear 255");
	ap_mask_clear(&m, 300);
	ok(ap_mask_is_empty(&m), "clear 300 is harmless");

	ap_mask_fill(&m);
	ok(ap_mask_is_full(&m), "fill is full");
	is_int(ap_mask_weight(&m), 256, "weight of full mask");
	ap_mask_format(&m, buf);
	is_str(buf, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	       "full mask text");
	ap_mask_limit(&m, 63);
	is_int(ap_mask_weight(&m), 64, "limit 63 keeps 64 ids");
	ok(ap_mask_test(&m, 63) && !ap_mask_test(&m, 64), "limit boundary");
	ap_mask_limit(&m, 255);
	is_int(ap_mask_weight(&m), 64, "limit 255 changes nothing");
	ap_mask_limit(&m, 0);
	is_int(ap_mask_weight(&m), 1, "limit 0 keeps id 0");
	ap_mask_fill(&m);
	ap_mask_limit(&m, 4000000000u);
	is_int(ap_mask_weight(&m), 256, "limit above 255 changes nothing");

	ap_mask_zero(&m);
	ap_mask_set_range(&m, 60, 70);
	is_int(ap_mask_weight(&m), 11, "range 60-70 crosses a word");
	is_int(ap_mask_next(&m, 0), 60, "next from 0");
	is_int(ap_mask_next(&m, 61), 61, "next from 61");
	is_int(ap_mask_next(&m, 71), -1, "next after range");
	is_int(ap_mask_next(&m, -5), 60, "next from negative");
	is_int(ap_mask_next(&m, 256), -1, "next from 256");
	ap_mask_set_range(&m, 250, 400);
	is_int(ap_mask_weight(&m), 17, "range clipped at 255");
	ap_mask_zero(&m);
	ap_mask_set_range(&m, 9, 3);
	ok(ap_mask_is_empty(&m), "reversed range sets nothing");

	n = 0;
	ap_mask_zero(&m);
	ap_mask_set(&m, 0);
	ap_mask_set(&m, 63);
	ap_mask_set(&m, 64);
	ap_mask_set(&m, 128);
	ap_mask_set(&m, 255);
	{
		int want[] = { 0, 63, 64, 128, 255 };
		bool all = true;

		ap_mask_for_each(id, &m) {
			if (n >= 5 || want[n] != id)
				all = false;
			n++;
		}
		ok(all && n == 5, "for_each visits 0 63 64 128 255 in order");
	}

	ap_mask_zero(&a);
	ap_mask_zero(&b);
	ap_mask_set_range(&a, 0, 9);
	ap_mask_set_range(&b, 5, 14);
	ap_mask_or(&r, &a, &b);
	is_int(ap_mask_weight(&r), 15, "or");
	ap_mask_and(&r, &a, &b);
	is_int(ap_mask_weight(&r), 5, "and");
	is_int(ap_mask_next(&r, 0), 5, "and starts at 5");
	ap_mask_andnot(&r, &a, &b);
	is_int(ap_mask_weight(&r), 5, "andnot");
	is_int(ap_mask_next(&r, 5), -1, "andnot ends at 4");
	ok(ap_mask_intersects(&a, &b), "intersects");
	ap_mask_andnot(&r, &a, &b);
	ok(!ap_mask_intersects(&r, &b), "a&~b does not intersect b");
	ap_mask_not(&r, &a);
	is_int(ap_mask_weight(&r), 246, "not");
	ok(!ap_mask_test(&r, 9) && ap_mask_test(&r, 10), "not boundary");
	ok(ap_mask_equal(&a, &a), "equal self");
	ok(!ap_mask_equal(&a, &b), "not equal");
	ap_mask_or(&a, &a, &b);	/* aliasing allowed */
	is_int(ap_mask_weight(&a), 15, "or in place");
}

/* kernel-abi.md 1.3, absolute mode */
static const struct {
	const char *in;
	int len;		/* -1: strlen */
	int rc;
	size_t errpos;
	const char *expect;	/* formatted result */
	bool empty;
} parse_cases[] = {
	{ "0x8000000000000000000000000000000000000000000000000000000000000000", -1, 0, 0,
	  "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	{ "0x8", -1, 0, 0, "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	{ "0x80", -1, 0, 0, "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	{ "x8", -1, 0, 0, "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	{ "8", -1, 0, 0, "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	{ "0x41", -1, 0, 0, "0x4100000000000000000000000000000000000000000000000000000000000000", false },
	{ "0x7d", -1, 0, 0, "0x7d00000000000000000000000000000000000000000000000000000000000000", false },
	{ "0x7D", -1, 0, 0, "0x7d00000000000000000000000000000000000000000000000000000000000000", false },
	{ "0xAbCdEf\n", -1, 0, 0, "0xabcdef0000000000000000000000000000000000000000000000000000000000", false },
	{ "0x8\n", -1, 0, 0, "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	{ "", -1, 0, 0, "0x0000000000000000000000000000000000000000000000000000000000000000", true },
	{ "\n", -1, 0, 0, "0x0000000000000000000000000000000000000000000000000000000000000000", true },
	{ "0x", -1, 0, 0, "0x0000000000000000000000000000000000000000000000000000000000000000", true },
	{ "0x\n", -1, 0, 0, "0x0000000000000000000000000000000000000000000000000000000000000000", true },
	{ "x", -1, 0, 0, "0x0000000000000000000000000000000000000000000000000000000000000000", true },
	{ "0", -1, 0, 0, "0x0000000000000000000000000000000000000000000000000000000000000000", false },
	{ "0x0000000000000000000000000000000000000000000000000000000000000000", -1, 0, 0,
	  "0x0000000000000000000000000000000000000000000000000000000000000000", false },
	{ "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n", -1, 0, 0,
	  "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false },
	/* 64 digits without prefix */
	{ "0000000000000000000000000000000000000000000000000000000000000001", -1, 0, 0,
	  "0x0000000000000000000000000000000000000000000000000000000000000001", false },
	/* a NUL ends the text: what follows is never seen */
	{ "0x8\0garbage", 11, 0, 0, "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	{ "0x8\n\0\n", 6, 0, 0, "0x8000000000000000000000000000000000000000000000000000000000000000", false },
	/* rejects */
	{ "0X8", -1, -1, 1, NULL, false },
	{ "0x00000000000000000000000000000000000000000000000000000000000000000", -1, -1, 66, NULL, false },
	{ "00000000000000000000000000000000000000000000000000000000000000000", -1, -1, 64, NULL, false },
	{ "0x8\n\n", -1, -1, 4, NULL, false },
	{ "0x8 ", -1, -1, 3, NULL, false },
	{ "0x8\r\n", -1, -1, 3, NULL, false },
	{ " 0x8", -1, -1, 0, NULL, false },
	{ "\t0x8", -1, -1, 0, NULL, false },
	{ "0x8,", -1, -1, 3, NULL, false },
	{ "0x8g", -1, -1, 3, NULL, false },
	{ "+5", -1, -1, 0, NULL, false },
	{ "-5", -1, -1, 0, NULL, false },
	{ "0xx8", -1, -1, 2, NULL, false },
	{ "xx", -1, -1, 1, NULL, false },
	{ "\n\n", -1, -1, 1, NULL, false },
	{ "0x8\n0", -1, -1, 4, NULL, false },
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const char *in = parse_cases[i].in;
		size_t len = parse_cases[i].len < 0 ? strlen(in) : (size_t)parse_cases[i].len;
		struct ap_mask m;
		bool empty = !parse_cases[i].empty;
		size_t errpos = 12345;
		char buf[AP_MASK_STRLEN];
		int rc;

		ap_mask_fill(&m);
		rc = ap_mask_parse(in, len, &m, &empty, &errpos);
		is_int(rc, parse_cases[i].rc, "parse case %zu rc", i);
		if (parse_cases[i].rc == 0) {
			ap_mask_format(&m, buf);
			is_str(buf, parse_cases[i].expect, "parse case %zu value", i);
			is_int(empty, parse_cases[i].empty, "parse case %zu was_empty", i);
		} else {
			is_int((long long)errpos, (long long)parse_cases[i].errpos,
			       "parse case %zu errpos", i);
			ok(ap_mask_is_full(&m), "parse case %zu leaves the mask alone", i);
		}
	}
	{
		struct ap_mask m;

		is_int(ap_mask_parse("0x8", 3, &m, NULL, NULL), 0, "NULL was_empty/errpos");
		is_int(ap_mask_parse("zz", 2, &m, NULL, NULL), -1, "NULL errpos on error");
		is_int(ap_mask_parse(NULL, 0, &m, NULL, NULL), 0, "NULL text, length 0");
		is_int(ap_mask_parse("0x8", 1, &m, NULL, NULL), 0, "len limits the text");
		ok(ap_mask_is_empty(&m), "\"0\" of \"0x8\" is zero");
	}
}

/* scenarios.md: 0x41 = ids 1 and 7, 0x7d = 1,2,3,4,5,7 */
static void test_ids(void)
{
	struct ap_mask m;
	int id;
	char got[64] = "", *p = got;

	ap_mask_parse("0x41", 4, &m, NULL, NULL);
	is_int(ap_mask_weight(&m), 2, "0x41 has two ids");
	ok(ap_mask_test(&m, 1) && ap_mask_test(&m, 7), "0x41 is ids 1 and 7");
	ap_mask_parse("0x7d00", 6, &m, NULL, NULL);
	ap_mask_for_each(id, &m)
		p += sprintf(p, "%d,", id);
	is_str(got, "1,2,3,4,5,7,", "0x7d00 is ids 1-5 and 7");
	ap_mask_parse("0x7dff", 6, &m, NULL, NULL);
	is_int(ap_mask_weight(&m), 14, "0x7dff prefix has 14 ids");
	ap_mask_parse("0x7dffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 66, &m,
		      NULL, NULL);
	ok(!ap_mask_test(&m, 0) && !ap_mask_test(&m, 6), "0x7dff..ff: 0 and 6 are vfio's");
	is_int(ap_mask_weight(&m), 254, "0x7dff..ff: 254 host ids");
}

static void test_roundtrip(void)
{
	unsigned int seed = 12345;
	int good = 0;

	for (int t = 0; t < 200; t++) {
		struct ap_mask m, back;
		char buf[AP_MASK_STRLEN + 1];
		bool empty;

		ap_mask_zero(&m);
		for (int k = 0; k < t % 40; k++) {
			seed = seed * 1103515245u + 12345u;
			ap_mask_set(&m, (seed >> 8) % 256);
		}
		ap_mask_format(&m, buf);
		if (strlen(buf) == 66 && !ap_mask_parse(buf, strlen(buf), &back, &empty, NULL) &&
		    ap_mask_equal(&m, &back) && !empty)
			good++;
		strcat(buf, "\n");
		if (!ap_mask_parse(buf, strlen(buf), &back, NULL, NULL) && ap_mask_equal(&m, &back))
			good++;
	}
	is_int(good, 400, "format/parse round trip of 200 pseudo-random masks");
}

int main(void)
{
	test_bits();
	test_parse();
	test_ids();
	test_roundtrip();
	return done_testing();
}
