/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "core/escape.h"
#include "tap.h"

int main(void)
{
	char out[64], big[AP_ESC_MAX + 64];
	size_t n;

	plan_no_plan();

	n = ap_escape(out, sizeof(out), "a b~", 4);
	is_str(out, "a b~", "printable ASCII is kept");
	is_int((long long)n, 4, "all of it shown");
	ap_escape(out, sizeof(out), "\n\t\x1b\x7f", 4);
	is_str(out, "\\x0a\\x09\\x1b\\x7f", "control characters and DEL: \\xNN");
	ap_escape(out, sizeof(out), "\xff\xc3\xa9", 3);
	is_str(out, "\\xff\\xc3\\xa9", "invalid and valid UTF-8 alike: \\xNN");
	ap_escape(out, sizeof(out), "a\\b", 3);
	is_str(out, "a\\\\b", "a backslash is doubled (no planted fake escape)");
	ap_escape(out, sizeof(out), "x\0y", 3);
	is_str(out, "x\\x00y", "a NUL inside the length");

	n = ap_escape(out, 12, "abcdefghijklmnop", 16);
	is_str(out, "abcdefgh...", "cut short with ...");
	is_int((long long)n, 8, "cut: 8 bytes shown");
	n = ap_escape(out, 12, "abcd\x01\x02\x03", 7);
	is_str(out, "abcd\\x01...", "cut at a whole escape");
	ap_escape(out, 6, "\x01", 1);
	is_str(out, "\\x01", "the last byte needs no room for ...");

	is_str(ap_esc("\x1b[2J"), "\\x1b[2J", "ap_esc");
	ok(strcmp(ap_esc("a"), ap_esc("b")) != 0, "ap_esc: two in one call do not collide");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int((long long)strlen(ap_esc(big)), AP_ESC_MAX, "ap_esc: at most AP_ESC_MAX");
	is_str(ap_esc(NULL), "", "ap_esc(NULL)");

	ap_escape_text(out, sizeof(out), "Ger\xc3\xa4t \xe2\x82\xac");
	is_str(out, "Ger\xc3\xa4t \xe2\x82\xac", "text: valid UTF-8 is kept");
	ap_escape_text(out, sizeof(out), "a\xff\xc3(\x07\\x");
	is_str(out, "a\\xff\\xc3(\\x07\\x", "text: invalid bytes and controls escaped, backslash kept");
	ap_escape_text(out, sizeof(out), "\xc2\x9b" "1m\xe2\x80\xae\xed\xa0\x80\xc0\xaf");
	is_str(out, "\\xc2\\x9b1m\xe2\x80\xae\\xed\\xa0\\x80\\xc0\\xaf",
	       "text: C1 controls, surrogates and overlong forms escaped");
	return done_testing();
}
