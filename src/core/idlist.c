/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/apmask.h"
#include "i18n.h"
#include "core/escape.h"
#include "core/idlist.h"

/* numbers are saturated here: anything larger is above every maximum */
#define BIG 0xffffffUL

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}


struct parser {
	const char *s;
	size_t i;
	struct ap_idlist_error *err;
};

static int fail(struct parser *p, enum ap_idlist_errcode code, size_t pos, size_t len)
{
	struct ap_idlist_error *e = p->err;
	size_t n;

	e->code = code;
	e->pos = pos;
	e->len = len;
	n = len < sizeof(e->token) - 1 ? len : sizeof(e->token) - 1;
	memcpy(e->token, p->s + pos, n);
	e->token[n] = '\0';
	return -1;
}

/* the error for a character where a number, ',' or the end was expected */
static int fail_char(struct parser *p, size_t pos)
{
	char c = p->s[pos];

	if (is_space(c))
		return fail(p, AP_IDL_SPACE, pos, 1);
	if (c == ',' || c == '\0')
		return fail(p, AP_IDL_NO_NUMBER, pos, 0);
	return fail(p, AP_IDL_JUNK, pos, 1);
}

/* number := "0" | [1-9][0-9]* | 0[xX]hex+ ; *v saturated at BIG */
static int number(struct parser *p, unsigned long *v)
{
	const char *s = p->s;
	size_t start = p->i;
	unsigned long val = 0;

	if (s[p->i] == '0' && (s[p->i + 1] == 'x' || s[p->i + 1] == 'X')) {
		int d;

		p->i += 2;
		if (ap_hexval(s[p->i]) < 0)
			return is_space(s[p->i]) ? fail(p, AP_IDL_SPACE, p->i, 1)
						 : fail(p, AP_IDL_NO_NUMBER, start, p->i - start);
		while ((d = ap_hexval(s[p->i])) >= 0) {
			val = val * 16 + (unsigned long)d;
			if (val > BIG)
				val = BIG;
			p->i++;
		}
		*v = val;
		return 0;
	}
	if (s[p->i] < '0' || s[p->i] > '9')
		return fail_char(p, p->i);

	unsigned long oct = 0;
	bool octal_ok = true;

	while (s[p->i] >= '0' && s[p->i] <= '9') {
		unsigned int d = (unsigned int)(s[p->i] - '0');

		val = val * 10 + d;
		if (val > BIG)
			val = BIG;
		if (d > 7)
			octal_ok = false;
		oct = oct * 8 + d;
		if (oct > BIG)
			oct = BIG;
		p->i++;
	}
	if (s[start] == '0' && (p->i - start > 1 || ap_hexval(s[p->i]) >= 0)) {
		/*
		 * A leading zero: lszcrypt prints ids that way in hex ("0047"
		 * is 0x47), a person may mean decimal, and the kernel reads
		 * octal.  Accepted only when all readings agree ("05").
		 */
		unsigned long hex = 0;
		bool letters = false;
		size_t e = start;
		int d;

		while ((d = ap_hexval(s[e])) >= 0) {
			hex = hex * 16 + (unsigned long)d;
			if (hex > BIG)
				hex = BIG;
			letters |= s[e] > '9';
			e++;
		}
		if (letters) {
			p->i = e;
			fail(p, AP_IDL_LEADING_ZERO_HEX, start, e - start);
			p->err->value = p->err->hex = hex;
			return -1;
		}
		if (!octal_ok || oct != val || hex != val) {
			fail(p, octal_ok ? AP_IDL_OCTAL : AP_IDL_BAD_OCTAL, start, p->i - start);
			p->err->value = val;
			p->err->value2 = oct;
			p->err->hex = hex;
			return -1;
		}
	}
	*v = val;
	return 0;
}

static int above_max(struct parser *p, size_t pos, unsigned long v, unsigned int max)
{
	fail(p, AP_IDL_ABOVE_MAX, pos, p->i - pos);
	p->err->value = v;
	p->err->value2 = max;
	return -1;
}

int ap_idlist_parse(const char *s, unsigned int max, bool allow_relative,
		    struct ap_idlist *out, struct ap_idlist_error *err)
{
	struct ap_idlist_error dummy;
	struct parser p = { .s = s, .i = 0, .err = err ? err : &dummy };
	struct ap_idlist r;
	int mode = -1;	/* -1 unknown, 0 absolute, 1 relative */

	memset(p.err, 0, sizeof(*p.err));
	memset(&r, 0, sizeof(r));
	if (max > AP_MAX_ID)
		max = AP_MAX_ID;
	if (!s[0])
		return fail(&p, AP_IDL_EMPTY_LIST, 0, 0);

	for (;;) {
		size_t item = p.i, lo_pos, hi_pos;
		unsigned long lo, hi;
		int sign = 0;

		if (s[p.i] == ',' || s[p.i] == '\0')
			return fail(&p, AP_IDL_EMPTY_ITEM, p.i, 0);
		if (!strncmp(s + p.i, "all", 3) && (s[p.i + 3] == ',' || s[p.i + 3] == '\0')) {
			if (item != 0 || s[p.i + 3] != '\0')
				return fail(&p, AP_IDL_ALL_NOT_ALONE, p.i, 3);
			ap_mask_set_range(&r.set, 0, max);
			break;
		}
		if (s[p.i] == '+' || s[p.i] == '-') {
			sign = s[p.i] == '+' ? 1 : -1;
			if (!allow_relative)
				return fail(&p, AP_IDL_RELATIVE_NOT_ALLOWED, item, 1);
			p.i++;
			if (s[p.i] == '+' || s[p.i] == '-')
				return fail(&p, AP_IDL_DOUBLE_SIGN, p.i, 1);
		}
		if (mode < 0)
			mode = sign != 0;
		else if (mode != (sign != 0))
			return fail(&p, AP_IDL_MIXED, item, sign ? 1 : 0);

		lo_pos = p.i;
		if (number(&p, &lo))
			return -1;
		if (lo > max)
			return above_max(&p, lo_pos, lo, max);
		hi = lo;
		if (s[p.i] == '-') {
			p.i++;
			hi_pos = p.i;
			if (number(&p, &hi))
				return -1;
			if (hi < lo) {
				fail(&p, AP_IDL_REVERSED, lo_pos, p.i - lo_pos);
				p.err->value = lo;
				p.err->value2 = hi;
				return -1;
			}
			if (hi > max)
				return above_max(&p, hi_pos, hi, max);
		}
		if (s[p.i] != ',' && s[p.i] != '\0')
			return fail_char(&p, p.i);

		if (sign == 0) {
			ap_mask_set_range(&r.set, (unsigned int)lo, (unsigned int)hi);
		} else {
			struct ap_mask t, *mine = sign > 0 ? &r.set : &r.clear;
			struct ap_mask *other = sign > 0 ? &r.clear : &r.set;

			ap_mask_zero(&t);
			ap_mask_set_range(&t, (unsigned int)lo, (unsigned int)hi);
			if (ap_mask_intersects(&t, other)) {
				ap_mask_and(&t, &t, other);
				fail(&p, AP_IDL_CONTRADICTION, item, p.i - item);
				p.err->value = (unsigned long)ap_mask_next(&t, 0);
				return -1;
			}
			ap_mask_or(mine, mine, &t);
		}
		if (s[p.i] == '\0')
			break;
		p.i++;	/* ',' */
	}
	r.relative = mode == 1;
	*out = r;
	return 0;
}

void ap_idlist_apply(const struct ap_idlist *l, const struct ap_mask *cur,
		     struct ap_mask *result)
{
	if (!l->relative) {
		*result = l->set;
		return;
	}
	ap_mask_or(result, cur, &l->set);
	ap_mask_andnot(result, result, &l->clear);
}

const char *ap_idlist_errname(enum ap_idlist_errcode code)
{
	static const char *const names[] = {
		[AP_IDL_OK] = "ok",
		[AP_IDL_EMPTY_LIST] = "empty-list",
		[AP_IDL_EMPTY_ITEM] = "empty-item",
		[AP_IDL_JUNK] = "junk",
		[AP_IDL_SPACE] = "whitespace",
		[AP_IDL_NO_NUMBER] = "missing-number",
		[AP_IDL_DOUBLE_SIGN] = "double-sign",
		[AP_IDL_RELATIVE_NOT_ALLOWED] = "relative-not-allowed",
		[AP_IDL_MIXED] = "mixed-absolute-relative",
		[AP_IDL_REVERSED] = "reversed-range",
		[AP_IDL_ABOVE_MAX] = "id-above-max",
		[AP_IDL_OCTAL] = "ambiguous-leading-zero",
		[AP_IDL_BAD_OCTAL] = "invalid-octal",
		[AP_IDL_LEADING_ZERO_HEX] = "leading-zero-hex",
		[AP_IDL_ALL_NOT_ALONE] = "all-not-alone",
		[AP_IDL_CONTRADICTION] = "added-and-removed",
	};

	if ((unsigned int)code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "unknown";
}

/*
 * A leading zero: the reading of lszcrypt (and of apctl's own tables), hex,
 * comes first, as that is where such ids are copied from; then decimal, and
 * why the kernel's octal reading forbids the number as written.
 */
static int leading_zero_hint(const struct ap_idlist_error *e, char *buf, size_t size)
{
	char k[96];

	if (e->code == AP_IDL_LEADING_ZERO_HEX)
		return snprintf(buf, size,
				_("%s is written as lszcrypt prints ids, in hex: write 0x%lx (or %lu)"),
				e->token, e->hex, e->hex);
	if (e->code == AP_IDL_OCTAL)
		snprintf(k, sizeof(k), _("the kernel would read %s as octal %lu"), e->token,
			 e->value2);
	else
		snprintf(k, sizeof(k), _("the kernel cannot read %s: it is no octal number"),
			 e->token);
	if (e->hex == e->value)
		return snprintf(buf, size, _("%s has a leading zero (%s): write %lu or 0x%lx"), e->token,
				k, e->value, e->value);
	return snprintf(buf, size,
			_("%s is ambiguous: as lszcrypt prints ids it is 0x%lx (%lu), write 0x%lx "
			  "for that; if you mean decimal %lu, write %lu (%s)"),
			e->token, e->hex, e->hex, e->hex, e->value, e->value, k);
}

int ap_idlist_strerror(const struct ap_idlist_error *e, char *buf, size_t size)
{
	size_t at = e->pos + 1;
	char c[8];

	switch (e->code) {
	case AP_IDL_OK:
		return snprintf(buf, size, "%s", _("no error"));
	case AP_IDL_EMPTY_LIST:
		return snprintf(buf, size, "%s", _("empty list of ids"));
	case AP_IDL_EMPTY_ITEM:
		return snprintf(buf, size, _("empty item at character %zu"), at);
	case AP_IDL_JUNK: {
		unsigned char ch = (unsigned char)e->token[0];

		if (ch > 0x20 && ch < 0x7f)
			snprintf(c, sizeof(c), "'%c'", ch);
		else
			ap_escape(c, sizeof(c), &ch, 1);
		return snprintf(buf, size, _("unexpected character %s at character %zu"), c, at);
	}
	case AP_IDL_SPACE:
		return snprintf(buf, size,
				_("whitespace at character %zu: write the list without spaces"),
				at);
	case AP_IDL_NO_NUMBER:
		return snprintf(buf, size, _("missing number at character %zu"), at);
	case AP_IDL_DOUBLE_SIGN:
		return snprintf(buf, size, _("duplicated sign at character %zu"), at);
	case AP_IDL_RELATIVE_NOT_ALLOWED:
		return snprintf(buf, size,
				_("relative item at character %zu: +id and -id are not allowed here"),
				at);
	case AP_IDL_MIXED:
		return snprintf(buf, size,
				_("absolute and relative items mixed at character %zu: write either '5,6' or '+5,-6'"),
				at);
	case AP_IDL_REVERSED:
		return snprintf(buf, size, _("reversed range %s at character %zu: write %lu-%lu"),
				e->token, at, e->value2, e->value);
	case AP_IDL_ABOVE_MAX:
		return snprintf(buf, size, _("%s is above the maximum id %lu (0x%lx)"), e->token,
				e->value2, e->value2);
	case AP_IDL_OCTAL:
	case AP_IDL_BAD_OCTAL:
	case AP_IDL_LEADING_ZERO_HEX:
		return leading_zero_hint(e, buf, size);
	case AP_IDL_ALL_NOT_ALONE:
		return snprintf(buf, size, _("'all' must be the whole list (character %zu)"), at);
	case AP_IDL_CONTRADICTION:
		return snprintf(buf, size, _("id %lu is both added and removed (character %zu)"),
				e->value, at);
	}
	return snprintf(buf, size, "%s", _("invalid id list"));
}

/* snprintf into buf at *len, counting what would be needed */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*len < size ? buf + *len : NULL, *len < size ? size - *len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

/*
 * Walk the runs of m and print each as a list item: 'one' for a single id,
 * a range for three or more.
 */
static int format_runs(const struct ap_mask *m, const char *prefix, int width, bool hex,
		       char *buf, size_t size)
{
	size_t len = 0;
	int id = ap_mask_next(m, 0);

	if (size)
		buf[0] = '\0';
	while (id >= 0) {
		int end = id;

		while (end < AP_MAX_ID && ap_mask_test(m, (unsigned int)end + 1))
			end++;
		if (end - id >= 2) {
			if (hex)
				append(buf, size, &len, "%s%s%0*x-%0*x", len ? "," : "", prefix,
				       width, id, width, end);
			else
				append(buf, size, &len, "%s%s%d-%d", len ? "," : "", prefix, id,
				       end);
		} else {
			for (int k = id; k <= end; k++) {
				if (hex)
					append(buf, size, &len, "%s%s%0*x", len ? "," : "", prefix,
					       width, k);
				else
					append(buf, size, &len, "%s%s%d", len ? "," : "", prefix, k);
			}
		}
		id = end < AP_MAX_ID ? ap_mask_next(m, end + 1) : -1;
	}
	return (int)len;
}

int ap_idlist_format(const struct ap_mask *m, char *buf, size_t size)
{
	return format_runs(m, "", 0, false, buf, size);
}

int ap_idlist_format_hex(const struct ap_mask *m, unsigned int digits, char *buf, size_t size)
{
	if (digits < 1 || digits > 8)
		digits = 2;
	return format_runs(m, "", (int)digits, true, buf, size);
}

int ap_idlist_format_kernel_edit(const struct ap_mask *set, const struct ap_mask *clear,
				 char *buf, size_t size)
{
	int a, b;

	a = format_runs(clear, "-", 0, false, buf, size);
	if (ap_mask_is_empty(set))
		return a;
	if ((size_t)a + 1 < size) {
		if (a)
			buf[a] = ',';
		b = format_runs(set, "+", 0, false, buf + a + (a ? 1 : 0),
				size - (size_t)a - (a ? 1 : 0));
	} else {
		b = format_runs(set, "+", 0, false, NULL, 0);
	}
	return a + (a ? 1 : 0) + b;
}
