/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "core/idlist.h"
#include "masks.h"
#include "tap.h"

static const struct {
	const char *in;
	unsigned int max;
	bool rel_ok;
	bool relative;
	const char *set;	/* decimal range list */
	const char *clear;
} accept[] = {
	{ "0", 255, false, false, "0", "" },
	{ "5", 63, false, false, "5", "" },
	{ "63", 63, false, false, "63", "" },
	{ "0x3f", 63, false, false, "63", "" },
	{ "0X3F", 63, false, false, "63", "" },
	{ "0x05", 63, false, false, "5", "" },
	{ "0x0", 63, false, false, "0", "" },
	{ "1,2", 255, false, false, "1,2", "" },
	{ "1-5", 255, false, false, "1-5", "" },
	{ "5-5", 255, false, false, "5", "" },
	{ "0x10-0x1f", 255, false, false, "16-31", "" },
	{ "3,5-10,0x25", 255, false, false, "3,5-10,37", "" },
	{ "1-5,3", 255, false, false, "1-5", "" },
	{ "10,1", 255, false, false, "1,10", "" },
	{ "all", 63, false, false, "0-63", "" },
	{ "all", 15, true, false, "0-15", "" },
	{ "all", 255, false, false, "0-255", "" },
	{ "0-255", 255, false, false, "0-255", "" },
	{ "00", 255, false, false, "0", "" },		/* same in decimal and octal */
	{ "05", 255, false, false, "5", "" },
	{ "007", 255, false, false, "7", "" },
	{ "0005", 255, false, false, "5", "" },		/* lszcrypt domain 0005: 5 everywhere */
	{ "+5", 63, true, true, "5", "" },
	{ "-5", 63, true, true, "", "5" },
	{ "+5,-6", 63, true, true, "5", "6" },
	{ "-5,-6", 63, true, true, "", "5,6" },
	{ "+0x10-0x1f", 255, true, true, "16-31", "" },
	{ "-0-3,+7", 255, true, true, "7", "0-3" },
	{ "+1,+1", 255, true, true, "1", "" },
	{ "-0x5-7", 255, true, true, "", "5-7" },
	{ "1-0x3", 255, false, false, "1-3", "" },
	{ "0xff", 255, false, false, "255", "" },
	{ "255", 255, false, false, "255", "" },
	{ "7", 300, false, false, "7", "" },		/* a max above 255 is clamped */
};

static const struct {
	const char *in;
	unsigned int max;
	bool rel_ok;
	enum ap_idlist_errcode code;
	size_t pos;
	const char *msg;
} reject[] = {
	{ "", 63, true, AP_IDL_EMPTY_LIST, 0, "empty list of ids" },
	{ ",", 63, true, AP_IDL_EMPTY_ITEM, 0, "empty item at character 1" },
	{ ",5", 63, true, AP_IDL_EMPTY_ITEM, 0, "empty item at character 1" },
	{ "5,", 63, true, AP_IDL_EMPTY_ITEM, 2, "empty item at character 3" },
	{ "5,,6", 63, true, AP_IDL_EMPTY_ITEM, 2, "empty item at character 3" },
	{ "1,2,,", 63, true, AP_IDL_EMPTY_ITEM, 4, "empty item at character 5" },
	{ "10-5", 63, false, AP_IDL_REVERSED, 0, "reversed range 10-5 at character 1: write 5-10" },
	{ "1,0x10-0x5", 63, false, AP_IDL_REVERSED, 2,
	  "reversed range 0x10-0x5 at character 3: write 5-16" },
	{ "+10-5", 63, true, AP_IDL_REVERSED, 1, "reversed range 10-5 at character 2: write 5-10" },
	{ "64", 63, false, AP_IDL_ABOVE_MAX, 0, "64 is above the maximum id 63 (0x3f)" },
	{ "1-64", 63, false, AP_IDL_ABOVE_MAX, 2, "64 is above the maximum id 63 (0x3f)" },
	{ "0x40", 63, false, AP_IDL_ABOVE_MAX, 0, "0x40 is above the maximum id 63 (0x3f)" },
	{ "16", 15, false, AP_IDL_ABOVE_MAX, 0, "16 is above the maximum id 15 (0xf)" },
	{ "256", 255, false, AP_IDL_ABOVE_MAX, 0, "256 is above the maximum id 255 (0xff)" },
	{ "99999999999999999999999", 255, false, AP_IDL_ABOVE_MAX, 0,
	  "99999999999999999999999 is above the maximum id 255 (0xff)" },
	{ "0xfffffffffffffffffffff", 255, false, AP_IDL_ABOVE_MAX, 0,
	  "0xfffffffffffffffffffff is above the maximum id 255 (0xff)" },
	{ "+100", 63, true, AP_IDL_ABOVE_MAX, 1, "100 is above the maximum id 63 (0x3f)" },
	{ "010", 255, false, AP_IDL_OCTAL, 0,
	  "010 is ambiguous: as lszcrypt prints ids it is 0x10 (16), write 0x10 for that; if you mean decimal 10, write 10 (the kernel would read 010 as octal 8)" },
	{ "0047", 255, false, AP_IDL_OCTAL, 0,
	  "0047 is ambiguous: as lszcrypt prints ids it is 0x47 (71), write 0x47 for that; if you mean decimal 47, write 47 (the kernel would read 0047 as octal 39)" },
	{ "1,010", 255, false, AP_IDL_OCTAL, 2,
	  "010 is ambiguous: as lszcrypt prints ids it is 0x10 (16), write 0x10 for that; if you mean decimal 10, write 10 (the kernel would read 010 as octal 8)" },
	{ "+010", 255, true, AP_IDL_OCTAL, 1,
	  "010 is ambiguous: as lszcrypt prints ids it is 0x10 (16), write 0x10 for that; if you mean decimal 10, write 10 (the kernel would read 010 as octal 8)" },
	{ "1-010", 255, false, AP_IDL_OCTAL, 2,
	  "010 is ambiguous: as lszcrypt prints ids it is 0x10 (16), write 0x10 for that; if you mean decimal 10, write 10 (the kernel would read 010 as octal 8)" },
	{ "08", 255, false, AP_IDL_BAD_OCTAL, 0,
	  "08 has a leading zero (the kernel cannot read 08: it is no octal number): write 8 or 0x8" },
	{ "0009", 255, false, AP_IDL_BAD_OCTAL, 0,
	  "0009 has a leading zero (the kernel cannot read 0009: it is no octal number): write 9 or 0x9" },
	{ "019", 255, false, AP_IDL_BAD_OCTAL, 0,
	  "019 is ambiguous: as lszcrypt prints ids it is 0x19 (25), write 0x19 for that; if you mean decimal 19, write 19 (the kernel cannot read 019: it is no octal number)" },
	{ "00ab", 255, false, AP_IDL_LEADING_ZERO_HEX, 0,
	  "00ab is written as lszcrypt prints ids, in hex: write 0xab (or 171)" },
	{ "5,0a-0c", 255, false, AP_IDL_LEADING_ZERO_HEX, 2,
	  "0a is written as lszcrypt prints ids, in hex: write 0xa (or 10)" },
	{ "++5", 63, true, AP_IDL_DOUBLE_SIGN, 1, "duplicated sign at character 2" },
	{ "+-5", 63, true, AP_IDL_DOUBLE_SIGN, 1, "duplicated sign at character 2" },
	{ "+5,--6", 63, true, AP_IDL_DOUBLE_SIGN, 4, "duplicated sign at character 5" },
	{ "+5", 63, false, AP_IDL_RELATIVE_NOT_ALLOWED, 0,
	  "relative item at character 1: +id and -id are not allowed here" },
	{ "-5", 63, false, AP_IDL_RELATIVE_NOT_ALLOWED, 0,
	  "relative item at character 1: +id and -id are not allowed here" },
	{ "5,+6", 63, true, AP_IDL_MIXED, 2,
	  "absolute and relative items mixed at character 3: write either '5,6' or '+5,-6'" },
	{ "+5,6", 63, true, AP_IDL_MIXED, 3,
	  "absolute and relative items mixed at character 4: write either '5,6' or '+5,-6'" },
	{ "5a", 255, false, AP_IDL_JUNK, 1, "unexpected character 'a' at character 2" },
	{ "abc", 255, false, AP_IDL_JUNK, 0, "unexpected character 'a' at character 1" },
	{ "ALL", 255, false, AP_IDL_JUNK, 0, "unexpected character 'A' at character 1" },
	{ "0x1g", 255, false, AP_IDL_JUNK, 3, "unexpected character 'g' at character 4" },
	{ "1;2", 255, false, AP_IDL_JUNK, 1, "unexpected character ';' at character 2" },
	{ "1-5-7", 255, false, AP_IDL_JUNK, 3, "unexpected character '-' at character 4" },
	{ "5-+7", 255, true, AP_IDL_JUNK, 2, "unexpected character '+' at character 3" },
	{ "5\x01", 255, false, AP_IDL_JUNK, 1, "unexpected character \\x01 at character 2" },
	{ "5\xc3\xa9", 255, false, AP_IDL_JUNK, 1, "unexpected character \\xc3 at character 2" },
	{ "allx", 255, false, AP_IDL_JUNK, 0, "unexpected character 'a' at character 1" },
	{ "5 ", 255, false, AP_IDL_SPACE, 1,
	  "whitespace at character 2: write the list without spaces" },
	{ " 5", 255, false, AP_IDL_SPACE, 0,
	  "whitespace at character 1: write the list without spaces" },
	{ "1, 2", 255, false, AP_IDL_SPACE, 2,
	  "whitespace at character 3: write the list without spaces" },
	{ "1 -2", 255, false, AP_IDL_SPACE, 1,
	  "whitespace at character 2: write the list without spaces" },
	{ "5\n", 255, false, AP_IDL_SPACE, 1,
	  "whitespace at character 2: write the list without spaces" },
	{ "0x 5", 255, false, AP_IDL_SPACE, 2,
	  "whitespace at character 3: write the list without spaces" },
	{ "+", 63, true, AP_IDL_NO_NUMBER, 1, "missing number at character 2" },
	{ "+,5", 63, true, AP_IDL_NO_NUMBER, 1, "missing number at character 2" },
	{ "5-", 63, true, AP_IDL_NO_NUMBER, 2, "missing number at character 3" },
	{ "5-,6", 63, true, AP_IDL_NO_NUMBER, 2, "missing number at character 3" },
	{ "0x", 63, true, AP_IDL_NO_NUMBER, 0, "missing number at character 1" },
	{ "1,0x,2", 63, true, AP_IDL_NO_NUMBER, 2, "missing number at character 3" },
	{ "all,5", 63, true, AP_IDL_ALL_NOT_ALONE, 0,
	  "'all' must be the whole list (character 1)" },
	{ "5,all", 63, true, AP_IDL_ALL_NOT_ALONE, 2,
	  "'all' must be the whole list (character 3)" },
	{ "+5,-5", 63, true, AP_IDL_CONTRADICTION, 3,
	  "id 5 is both added and removed (character 4)" },
	{ "-0-10,+3-4", 63, true, AP_IDL_CONTRADICTION, 6,
	  "id 3 is both added and removed (character 7)" },
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(accept) / sizeof(accept[0]); i++) {
		struct ap_idlist l;
		struct ap_idlist_error e;
		int rc = ap_idlist_parse(accept[i].in, accept[i].max, accept[i].rel_ok, &l, &e);

		if (!is_int(rc, 0, "accept '%s' (max %u)", accept[i].in, accept[i].max)) {
			char msg[256];

			ap_idlist_strerror(&e, msg, sizeof(msg));
			diag("error: %s", msg);
			continue;
		}
		is_int(l.relative, accept[i].relative, "'%s' relative flag", accept[i].in);
		is_str(ids(&l.set), accept[i].set, "'%s' set", accept[i].in);
		is_str(ids(&l.clear), accept[i].clear, "'%s' clear", accept[i].in);
	}
	for (size_t i = 0; i < sizeof(reject) / sizeof(reject[0]); i++) {
		struct ap_idlist l;
		struct ap_idlist_error e;
		char msg[256];
		int rc;

		ap_mask_fill(&l.set);
		rc = ap_idlist_parse(reject[i].in, reject[i].max, reject[i].rel_ok, &l, &e);
		is_int(rc, -1, "reject '%s'", reject[i].in);
		is_str(ap_idlist_errname(e.code), ap_idlist_errname(reject[i].code),
		       "'%s' reason", reject[i].in);
		is_int((long long)e.pos, (long long)reject[i].pos, "'%s' position", reject[i].in);
		ap_idlist_strerror(&e, msg, sizeof(msg));
		is_str(msg, reject[i].msg, "'%s' message", reject[i].in);
		ok(ap_mask_is_full(&l.set), "'%s' leaves the output alone", reject[i].in);
	}
	/* NULL error pointer is allowed */
	{
		struct ap_idlist l;

		is_int(ap_idlist_parse("x", 63, false, &l, NULL), -1, "NULL err pointer");
	}
	/* error names are stable */
	is_str(ap_idlist_errname(AP_IDL_REVERSED), "reversed-range", "errname reversed-range");
	is_str(ap_idlist_errname(AP_IDL_OCTAL), "ambiguous-leading-zero", "errname octal");
	is_str(ap_idlist_errname((enum ap_idlist_errcode)999), "unknown", "errname out of range");
	/* strerror reports the needed length and cuts */
	{
		struct ap_idlist l;
		struct ap_idlist_error e;
		char small[8];
		int n;

		ap_idlist_parse("5,,6", 63, false, &l, &e);
		n = ap_idlist_strerror(&e, small, sizeof(small));
		is_int(n, (long long)strlen("empty item at character 3"), "strerror length");
		is_str(small, "empty i", "strerror cut to the buffer");
	}
}

static void test_apply(void)
{
	struct ap_idlist l;
	struct ap_mask cur, r;

	ap_mask_zero(&cur);
	ap_mask_set_range(&cur, 0, 9);
	ap_idlist_parse("+20,-5,-6", 255, true, &l, NULL);
	ap_idlist_apply(&l, &cur, &r);
	is_str(ids(&r), "0-4,7-9,20", "apply relative");
	ap_idlist_parse("3,4", 255, true, &l, NULL);
	ap_idlist_apply(&l, &cur, &r);
	is_str(ids(&r), "3,4", "apply absolute replaces");
	ap_idlist_parse("-0-255", 255, true, &l, NULL);
	ap_idlist_apply(&l, &cur, &cur);
	ok(ap_mask_is_empty(&cur), "apply in place");
}

static void test_format(void)
{
	static const struct {
		const char *in;		/* absolute id list */
		const char *dec;
		const char *hex2;
		const char *hex4;
	} cases[] = {
		{ "0-70,72-170", "0-70,72-170", "00-46,48-aa", "0000-0046,0048-00aa" },
		{ "5,6", "5,6", "05,06", "0005,0006" },
		{ "5-10", "5-10", "05-0a", "0005-000a" },
		{ "4,0xab", "4,171", "04,ab", "0004,00ab" },
		{ "0", "0", "00", "0000" },
		{ "255", "255", "ff", "00ff" },
		{ "0-255", "0-255", "00-ff", "0000-00ff" },
		{ "1,3,5", "1,3,5", "01,03,05", "0001,0003,0005" },
		{ "1,2,3", "1-3", "01-03", "0001-0003" },
		{ "63,64,65", "63-65", "3f-41", "003f-0041" },
		{ "0,1,254,255", "0,1,254,255", "00,01,fe,ff", "0000,0001,00fe,00ff" },
	};
	char buf[AP_IDLIST_STRLEN];
	struct ap_idlist l;
	struct ap_mask m;
	int n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (ap_idlist_parse(cases[i].in, 255, false, &l, NULL)) {
			ok(false, "format case %s parses", cases[i].in);
			continue;
		}
		n = ap_idlist_format(&l.set, buf, sizeof(buf));
		is_str(buf, cases[i].dec, "decimal '%s'", cases[i].in);
		is_int(n, (long long)strlen(cases[i].dec), "decimal '%s' length", cases[i].in);
		ap_idlist_format_hex(&l.set, 2, buf, sizeof(buf));
		is_str(buf, cases[i].hex2, "hex2 '%s'", cases[i].in);
		ap_idlist_format_hex(&l.set, 4, buf, sizeof(buf));
		is_str(buf, cases[i].hex4, "hex4 '%s'", cases[i].in);
	}
	ap_mask_zero(&m);
	n = ap_idlist_format(&m, buf, sizeof(buf));
	ok(n == 0 && buf[0] == '\0', "empty set formats as empty string");

	/* the worst case: every other id */
	ap_mask_zero(&m);
	for (unsigned int i = 0; i < 256; i += 2)
		ap_mask_set(&m, i);
	n = ap_idlist_format(&m, buf, sizeof(buf));
	ok(n > 0 && (size_t)n < AP_IDLIST_STRLEN, "alternating ids fit (%d bytes)", n);
	n = ap_idlist_format_hex(&m, 4, buf, sizeof(buf));
	ok(n > 0 && (size_t)n < AP_IDLIST_STRLEN, "alternating hex4 ids fit (%d bytes)", n);
	ap_idlist_format(&m, buf, sizeof(buf));
	n = (int)strlen(buf);
	is_int(n, 127 + 5 * 1 + 45 * 2 + 78 * 3, "alternating ids: 128 numbers, 127 commas");
	is_int(ap_idlist_format(&m, NULL, 0), n, "NULL buffer measures");
	ap_idlist_format(&m, buf, 5);
	is_str(buf, "0,2,", "format cut to the buffer");

	/* round trip: format then parse gives the same set, for many sets */
	unsigned int seed = 7;
	int good = 0;

	for (int t = 0; t < 300; t++) {
		ap_mask_zero(&m);
		for (int k = 0; k < t % 50; k++) {
			seed = seed * 1103515245u + 12345u;
			unsigned int lo = (seed >> 8) % 256, len = (seed >> 20) % 6;

			ap_mask_set_range(&m, lo, lo + len);
		}
		if (ap_mask_is_empty(&m))
			ap_mask_set(&m, t % 256);
		ap_idlist_format(&m, buf, sizeof(buf));
		if (!ap_idlist_parse(buf, 255, false, &l, NULL) && ap_mask_equal(&l.set, &m))
			good++;
	}
	is_int(good, 300, "decimal format/parse round trip of 300 sets");
}

static void test_kernel_edit(void)
{
	static const struct {
		const char *set, *clear, *out;
	} cases[] = {
		{ "", "5,6", "-5,-6" },
		{ "5,6", "", "+5,+6" },
		{ "7", "5,6", "-5,-6,+7" },
		{ "16-31", "", "+16-31" },
		{ "", "0-255", "-0-255" },
		{ "", "", "" },
		{ "1,3", "2,4-9", "-2,-4-9,+1,+3" },
	};
	char buf[AP_IDLIST_STRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ap_idlist s, c;
		struct ap_mask ms, mc;

		ap_mask_zero(&ms);
		ap_mask_zero(&mc);
		if (*cases[i].set && !ap_idlist_parse(cases[i].set, 255, false, &s, NULL))
			ms = s.set;
		if (*cases[i].clear && !ap_idlist_parse(cases[i].clear, 255, false, &c, NULL))
			mc = c.set;
		int n = ap_idlist_format_kernel_edit(&ms, &mc, buf, sizeof(buf));

		is_str(buf, cases[i].out, "kernel edit set '%s' clear '%s'", cases[i].set,
		       cases[i].clear);
		is_int(n, (long long)strlen(cases[i].out), "kernel edit length '%s'", cases[i].out);
		/* our own parser reads it back as the same edit */
		if (*cases[i].out) {
			struct ap_idlist back;

			ok(!ap_idlist_parse(buf, 255, true, &back, NULL) &&
			   ap_mask_equal(&back.set, &ms) && ap_mask_equal(&back.clear, &mc),
			   "kernel edit '%s' parses back", buf);
		}
	}
	/* measuring with a short buffer */
	{
		struct ap_mask ms, mc;
		char small[4];

		ap_mask_zero(&ms);
		ap_mask_zero(&mc);
		ap_mask_set(&ms, 7);
		ap_mask_set(&mc, 5);
		ap_mask_set(&mc, 6);
		is_int(ap_idlist_format_kernel_edit(&ms, &mc, small, sizeof(small)), 8,
		       "kernel edit measures beyond a short buffer");
		is_int(ap_idlist_format_kernel_edit(&ms, &mc, NULL, 0), 8, "kernel edit NULL measures");
	}
}

int main(void)
{
	test_parse();
	test_apply();
	test_format();
	test_kernel_edit();
	return done_testing();
}
