/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "core/apmask.h"

/* id -> word index and the bit inside it (bit 0 is the MSB of word 0) */
#define W(id)	((id) / 64)
#define B(id)	((uint64_t)1 << (63 - (id) % 64))

void ap_mask_zero(struct ap_mask *m)
{
	memset(m, 0, sizeof(*m));
}

void ap_mask_fill(struct ap_mask *m)
{
	memset(m, 0xff, sizeof(*m));
}

void ap_mask_set(struct ap_mask *m, unsigned int id)
{
	if (id <= AP_MAX_ID)
		m->w[W(id)] |= B(id);
}

void ap_mask_clear(struct ap_mask *m, unsigned int id)
{
	if (id <= AP_MAX_ID)
		m->w[W(id)] &= ~B(id);
}

bool ap_mask_test(const struct ap_mask *m, unsigned int id)
{
	return id <= AP_MAX_ID && (m->w[W(id)] & B(id));
}

void ap_mask_set_range(struct ap_mask *m, unsigned int lo, unsigned int hi)
{
	unsigned int id;

	if (hi > AP_MAX_ID)
		hi = AP_MAX_ID;
	for (id = lo; id <= hi; id++)
		m->w[W(id)] |= B(id);
}

void ap_mask_or(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b)
{
	for (int i = 0; i < 4; i++)
		r->w[i] = a->w[i] | b->w[i];
}

void ap_mask_and(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b)
{
	for (int i = 0; i < 4; i++)
		r->w[i] = a->w[i] & b->w[i];
}

void ap_mask_andnot(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b)
{
	for (int i = 0; i < 4; i++)
		r->w[i] = a->w[i] & ~b->w[i];
}

void ap_mask_not(struct ap_mask *r, const struct ap_mask *a)
{
	for (int i = 0; i < 4; i++)
		r->w[i] = ~a->w[i];
}

bool ap_mask_equal(const struct ap_mask *a, const struct ap_mask *b)
{
	return !memcmp(a->w, b->w, sizeof(a->w));
}

bool ap_mask_is_empty(const struct ap_mask *m)
{
	return !(m->w[0] | m->w[1] | m->w[2] | m->w[3]);
}

bool ap_mask_is_full(const struct ap_mask *m)
{
	return !~(m->w[0] & m->w[1] & m->w[2] & m->w[3]);
}

bool ap_mask_intersects(const struct ap_mask *a, const struct ap_mask *b)
{
	for (int i = 0; i < 4; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

unsigned int ap_mask_weight(const struct ap_mask *m)
{
	unsigned int n = 0;

	for (int i = 0; i < 4; i++)
		n += (unsigned int)__builtin_popcountll(m->w[i]);
	return n;
}

void ap_mask_limit(struct ap_mask *m, unsigned int max)
{
	unsigned int id;

	if (max >= AP_MAX_ID)
		return;
	for (id = max + 1; id <= AP_MAX_ID; id++)
		m->w[W(id)] &= ~B(id);
}

int ap_mask_next(const struct ap_mask *m, int from)
{
	if (from < 0)
		from = 0;
	while (from <= AP_MAX_ID) {
		uint64_t w = m->w[from / 64] << (from % 64);

		if (w)
			return from + __builtin_clzll(w);
		from = (from / 64 + 1) * 64;
	}
	return -1;
}


int ap_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ap_mask_parse(const char *s, size_t len, struct ap_mask *m,
		  bool *was_empty, size_t *errpos)
{
	struct ap_mask r;
	size_t i = 0, ndig = 0, end;
	size_t dummy;

	if (!errpos)
		errpos = &dummy;
	/* the kernel sees a C string: a NUL byte ends the text */
	end = len;
	if (s) {
		const char *nul = memchr(s, '\0', len);

		if (nul)
			end = (size_t)(nul - s);
	} else {
		end = 0;
	}

	ap_mask_zero(&r);
	if (end >= 2 && s[0] == '0' && s[1] == 'x')
		i = 2;
	else if (end >= 1 && s[0] == 'x')
		i = 1;

	for (; i < end; i++) {
		int v = ap_hexval(s[i]);

		if (v < 0)
			break;
		if (ndig == 64) {
			*errpos = i;
			return -1;
		}
		r.w[ndig / 16] |= (uint64_t)v << (60 - 4 * (ndig % 16));
		ndig++;
	}
	if (i < end && s[i] == '\n')
		i++;
	if (i < end) {
		*errpos = i;
		return -1;
	}
	*m = r;
	if (was_empty)
		*was_empty = ndig == 0;
	return 0;
}

void ap_mask_format(const struct ap_mask *m, char buf[AP_MASK_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	char *p = buf;

	*p++ = '0';
	*p++ = 'x';
	for (int d = 0; d < 64; d++)
		*p++ = hex[(m->w[d / 16] >> (60 - 4 * (d % 16))) & 0xf];
	*p = '\0';
}

void ap_mask_cleared(const struct ap_mask *m, unsigned int max, struct ap_mask *out)
{
	struct ap_mask all;

	ap_mask_zero(&all);
	ap_mask_set_range(&all, 0, max);
	ap_mask_andnot(out, &all, m);
}
