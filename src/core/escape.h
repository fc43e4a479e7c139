/* SPDX-License-Identifier: MIT */
/*
 * The one way apctl shows bytes it did not produce itself: sysfs contents,
 * mdevctl definitions (keys, values, file names), the lock file and the
 * name of the process that holds it.  Printable ASCII (0x20-0x7e) is kept,
 * a backslash is doubled, and every other byte (control characters, DEL,
 * anything above 0x7f, so also invalid UTF-8) becomes \xNN with two
 * lowercase hex digits.  The result is plain ASCII: the same text goes to a
 * terminal, a log and a JSON string, and no planted byte can move the
 * cursor, fake a line or break a JSON reader.
 */
#ifndef APCTL_CORE_ESCAPE_H
#define APCTL_CORE_ESCAPE_H

#include <stddef.h>

/*
 * Escape len bytes of in into out (always NUL-terminated when outsz > 0).
 * When out is too small, the text is cut at a whole escape and ends in
 * "..." (out needs room for it: outsz >= 8).  Returns the number of input
 * bytes shown.
 */
size_t ap_escape(char *out, size_t outsz, const void *in, size_t len);

/*
 * The same for a NUL-terminated string, into one of a few rotating static
 * buffers (up to AP_ESC_MAX characters): for the arguments of one message,
 * e.g. printf("%s %s", ap_esc(a), ap_esc(b)).  Not for keeping.
 */
/*
 * For a message that is apctl's own (translated, so UTF-8) text with
 * others' bytes in it: the safety net under the diagnostics.  Valid UTF-8
 * and backslashes are kept; control characters, DEL, C1 controls and every
 * byte that is not part of valid UTF-8 become \xNN as above.  out must
 * have room for 4 * strlen(in) + 1 bytes to hold all of it; the input shown
 * is returned.
 */
size_t ap_escape_text(char *out, size_t outsz, const char *in);

#define AP_ESC_MAX	512
#define AP_ESC_SLOTS	8
const char *ap_esc(const char *s);

#endif
