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

/* length of the valid UTF-8 sequence at b (at most n bytes), 0 if invalid;
 * C1 control characters (U+0080-U+009F) count as invalid */
static size_t utf8_len(const unsigned char *b, size_t n)
{
	unsigned int cp;
	size_t len;

	if (b[0] < 0xc2)
		return 0;	/* ASCII is handled by the caller; 0x80-0xc1 never start */
	len = b[0] < 0xe0 ? 2 : b[0] < 0xf0 ? 3 : b[0] < 0xf5 ? 4 : 0;
	if (!len || len > n)
		return 0;
	cp = b[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((b[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (b[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return len;
}

size_t ap_escape_text(char *out, size_t outsz, const char *in)
{
	const unsigned char *b = (const unsigned char *)in;
	size_t o = 0, i = 0, n = strlen(in);

	if (!outsz)
		return 0;
	while (i < n) {
		size_t u = b[i] >= 0x80 ? utf8_len(b + i, n - i) : 0;

		if (b[i] >= 0x20 && b[i] < 0x7f)
			u = 1;
		if (u) {
			if (o + u + 1 > outsz)
				break;
			memcpy(out + o, b + i, u);
			o += u;
			i += u;
			continue;
		}
		if (o + 5 > outsz)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hexd[b[i] >> 4];
		out[o++] = hexd[b[i] & 15];
		i++;
	}
	out[o] = '\0';
	return i;
}
