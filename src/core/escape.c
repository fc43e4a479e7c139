/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "core/escape.h"

static const char hexd[] = "0123456789abcdef";

size_t ap_escape(char *out, size_t outsz, const void *in, size_t len)
{
	const unsigned char *b = in;
	size_t o = 0, i;

	if (!outsz)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = b[i];
		size_t need = c == '\\' ? 2 : (c >= 0x20 && c < 0x7f) ? 1 : 4;
		/* keep room for "..." unless this is the last byte */
		size_t room = i + 1 < len ? 3 : 0;

		if (o + need + room + 1 > outsz)
			break;
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (need == 1) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hexd[c >> 4];
			out[o++] = hexd[c & 15];
		}
	}
	if (i < len && o + 4 <= outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return i;
}

const char *ap_esc(const char *s)
{
	static char slots[AP_ESC_SLOTS][AP_ESC_MAX + 1];
	static unsigned int next;
	char *out = slots[next++ % AP_ESC_SLOTS];

	if (!s)
		s = "";
	ap_escape(out, AP_ESC_MAX + 1, s, strlen(s));
	return out;
}
