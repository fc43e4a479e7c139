/* SPDX-License-Identifier: MIT */
/*
 * The kernel's string parsers, re-implemented from their documented behaviour
 * (kernel-abi.md §0.4 and §1.3): kstrtoull, vsscanf integer conversions,
 * kstrtobool, uuid_is_valid, hex2bitmap, modify_bitmap.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apsim.h"

void m_fmt(const mask_t *m, char *buf)
{
	snprintf(buf, 67, "0x%016llx%016llx%016llx%016llx", (unsigned long long)m->w[0],
		 (unsigned long long)m->w[1], (unsigned long long)m->w[2],
		 (unsigned long long)m->w[3]);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_xdigit(int c)
{
	return hexval(c) >= 0;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* _parse_integer_fixup_radix */
static const char *fixup_radix(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] == '0') {
			if ((s[1] | 0x20) == 'x' && is_xdigit((unsigned char)s[2]))
				*base = 16;
			else
				*base = 8;
		} else {
			*base = 10;
		}
	}
	if (*base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	return s;
}

/* _parse_integer: returns number of chars consumed, *ovf set on overflow; wraps */
static size_t parse_integer(const char *s, unsigned int base, unsigned long long *res, bool *ovf)
{
	unsigned long long r = 0;
	size_t n = 0;

	*ovf = false;
	for (;; n++) {
		int v = hexval((unsigned char)s[n]);

		if (v < 0 || (unsigned int)v >= base)
			break;
		if (r > (~0ULL - (unsigned int)v) / base)
			*ovf = true;
		r = r * base + (unsigned int)v;
	}
	*res = r;
	return n;
}

int k_kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long r;
	bool ovf;
	size_t n;

	if (s[0] == '+')
		s++;
	s = fixup_radix(s, &base);
	n = parse_integer(s, base, &r, &ovf);
	if (ovf)
		return -ERANGE;
	if (n == 0)
		return -EINVAL;
	s += n;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = r;
	return 0;
}

/* simple_strtoull semantics: no sign, no whitespace, wraps on overflow */
static unsigned long long simple_strtoull(const char *s, const char **end, unsigned int base)
{
	unsigned long long r;
	bool ovf;
	const char *p = fixup_radix(s, &base);
	size_t n = parse_integer(p, base, &r, &ovf);

	*end = p + n;
	return r;
}

/*
 * One integer conversion of vsscanf: %d (base 10), %i (base 0), %u/%llu
 * (base 10 unsigned). Returns 0 when a number was parsed, -EINVAL otherwise.
 * Trailing bytes are ignored.
 */
int k_sscanf_int(const char *s, int base, bool is_signed, long long *res)
{
	const char *end;
	unsigned long long v;
	bool neg = false;
	int digit;

	while (is_space((unsigned char)*s))
		s++;
	digit = (unsigned char)*s;
	if (is_signed && digit == '-')
		digit = (unsigned char)s[1];
	if (!digit || (base == 16 && !is_xdigit(digit)) ||
	    (base == 10 && !(digit >= '0' && digit <= '9')) ||
	    (base == 8 && !(digit >= '0' && digit <= '7')) ||
	    (base == 0 && !(digit >= '0' && digit <= '9')))
		return -EINVAL;
	if (is_signed && *s == '-') {
		neg = true;
		s++;
	}
	v = simple_strtoull(s, &end, (unsigned int)base);
	if (end == s)
		return -EINVAL;
	*res = neg ? (long long)(0ULL - v) : (long long)v;
	return 0;
}

int k_kstrtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'e':
	case 'E':
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*res = true;
		return 0;
	case 'd':
	case 'D':
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*res = false;
		return 0;
	case 'o':
	case 'O':
		switch (s[1]) {
		case 'n':
		case 'N':
			*res = true;
			return 0;
		case 'f':
		case 'F':
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

bool k_uuid_is_valid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_xdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

int k_hex2bitmap(const char *s, mask_t *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	if (s[0] == '0' && s[1] == 'x')
		s++;
	if (*s == 'x')
		s++;
	for (i = 0; is_xdigit((unsigned char)*s) && i < 256; s++) {
		int b = hexval((unsigned char)*s);

		for (int n = 0; n < 4; n++)
			if (b & (0x08 >> n))
				m_set(m, (unsigned int)(i + n));
		i += 4;
	}
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	return 0;
}

int k_modify_bitmap(const char *s, mask_t *m)
{
	while (*s) {
		char sign = *s++;
		const char *np;
		unsigned long long a, z;

		if (sign != '+' && sign != '-')
			return -EINVAL;
		a = z = simple_strtoull(s, &np, 0);
		if (s == np || a >= 256)
			return -EINVAL;
		s = np;
		if (*s == '-') {
			s++;
			z = simple_strtoull(s, &np, 0);
			if (s == np || a > z || z >= 256)
				return -EINVAL;
			s = np;
		}
		for (unsigned long long i = a; i <= z; i++) {
			if (sign == '+')
				m_set(m, (unsigned int)i);
			else
				m_clr(m, (unsigned int)i);
		}
		while (*s == ',' || *s == '\n')
			s++;
	}
	return 0;
}

int k_parse_bitmap_str(const char *s, const mask_t *cur, mask_t *out)
{
	if (*s == '+' || *s == '-') {
		*out = *cur;
		return k_modify_bitmap(s, out);
	}
	return k_hex2bitmap(s, out);
}

/* sysfs_streq: equal, ignoring one trailing newline on either side */
bool k_sysfs_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (!*a && *b == '\n' && !b[1])
		return true;
	if (*a == '\n' && !a[1] && !*b)
		return true;
	return false;
}

static const struct {
	int e;
	const char *n;
} errnames[] = {
	{EPERM, "EPERM"},
	{ENOENT, "ENOENT"},
	{ESRCH, "ESRCH"},
	{EINTR, "EINTR"},
	{EIO, "EIO"},
	{ENXIO, "ENXIO"},
	{E2BIG, "E2BIG"},
	{EBADF, "EBADF"},
	{EAGAIN, "EAGAIN"},
	{ENOMEM, "ENOMEM"},
	{EACCES, "EACCES"},
	{EFAULT, "EFAULT"},
	{EBUSY, "EBUSY"},
	{EEXIST, "EEXIST"},
	{EXDEV, "EXDEV"},
	{ENODEV, "ENODEV"},
	{ENOTDIR, "ENOTDIR"},
	{EISDIR, "EISDIR"},
	{EINVAL, "EINVAL"},
	{ENFILE, "ENFILE"},
	{EMFILE, "EMFILE"},
	{ENOSPC, "ENOSPC"},
	{EROFS, "EROFS"},
	{EPIPE, "EPIPE"},
	{ERANGE, "ERANGE"},
	{EDEADLK, "EDEADLK"},
	{ENOSYS, "ENOSYS"},
	{ENOTEMPTY, "ENOTEMPTY"},
	{ENODATA, "ENODATA"},
	{ETIME, "ETIME"},
	{EUSERS, "EUSERS"},
	{EOPNOTSUPP, "EOPNOTSUPP"},
	{EADDRINUSE, "EADDRINUSE"},
	{EADDRNOTAVAIL, "EADDRNOTAVAIL"},
	{ETIMEDOUT, "ETIMEDOUT"},
	{ECONNREFUSED, "ECONNREFUSED"},
	{EALREADY, "EALREADY"},
	{EINPROGRESS, "EINPROGRESS"},
	{ECANCELED, "ECANCELED"},
};

const char *errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].n;
	return "E?";
}

int errno_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].n, name))
			return errnames[i].e;
	return 0;
}
