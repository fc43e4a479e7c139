/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <limits.h>

#include "core/apmask.h"
#include "sys/parse.h"

/* drop one trailing '\n' */
static size_t chomp(const char *s, size_t len)
{
	if (len && s[len - 1] == '\n')
		len--;
	return len;
}

static int dec_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return -1;
	if (s[0] == '0' && len > 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned int c = (unsigned char)s[i];

		if (c < '0' || c > '9')
			return -1;
		if (v > (UINT64_MAX - (c - '0')) / 10)
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

int ap_parse_u64(const char *s, size_t len, uint64_t *out)
{
	return dec_u64(s, chomp(s, len), out);
}

int ap_parse_int(const char *s, size_t len, int *out)
{
	bool neg = false;
	uint64_t v;

	len = chomp(s, len);
	if (len && s[0] == '-') {
		neg = true;
		s++;
		len--;
	}
	if (dec_u64(s, len, &v))
		return -1;
	if (neg) {
		if (v == 0 || v > (uint64_t)INT_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT_MAX + 1 ? INT_MIN : -(int)v;
	} else {
		if (v > INT_MAX)
			return -1;
		*out = (int)v;
	}
	return 0;
}

int ap_parse_bool01(const char *s, size_t len, bool *out)
{
	len = chomp(s, len);
	if (len != 1 || (s[0] != '0' && s[0] != '1'))
		return -1;
	*out = s[0] == '1';
	return 0;
}


int ap_parse_hex32(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;

	len = chomp(s, len);
	if (len < 3 || len > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (size_t i = 2; i < len; i++) {
		int h = ap_hexval((unsigned char)s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return 0;
}

int ap_parse_kstrtoul(const char *s, size_t len, uint64_t *out, bool *octal)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (octal)
		*octal = false;
	len = chomp(s, len);
	if (i < len && s[i] == '+')
		i++;
	if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (i + 1 < len && s[i] == '0') {
		base = 8;
		i++;
		if (octal)
			*octal = true;
	}
	if (i >= len)
		return -1;
	for (; i < len; i++) {
		int h = ap_hexval((unsigned char)s[i]);

		if (h < 0 || (unsigned int)h >= base)
			return -1;
		if (v > (UINT64_MAX - (unsigned int)h) / base)
			return -1;
		v = v * base + (unsigned int)h;
	}
	*out = v;
	return 0;
}
