/* SPDX-License-Identifier: MIT */
/* Adapter and APQN selections for the view filters (see select.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/select.h"

/* hex number at *s, at most 4 digits after an optional 0x; advances *s */
static int hexnum(const char **s, unsigned long *v)
{
	const char *p = *s;
	size_t n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2]))
		p += 2;
	*v = 0;
	while (isxdigit((unsigned char)*p)) {
		if (++n > 4)
			return -1;
		int c = tolower((unsigned char)*p);

		*v = *v * 16 + (unsigned long)(isdigit(c) ? c - '0' : c - 'a' + 10);
		p++;
	}
	if (!n)
		return -1;
	*s = p;
	return 0;
}

/* "hex" or "hex-hex" at *s into m */
static int range(const char **s, bool domain, struct ap_mask *m, struct ap_sel_error *err)
{
	unsigned long lo, hi;

	if (hexnum(s, &lo))
		goto syntax;
	hi = lo;
	if (**s == '-') {
		(*s)++;
		if (hexnum(s, &hi))
			goto syntax;
	}
	/* adapters end at the '.' of the domains, domains at the end */
	if (**s && (domain || **s != '.'))
		goto syntax;
	if (lo > AP_MAX_ID || hi > AP_MAX_ID) {
		err->code = AP_SEL_ABOVE_MAX;
		err->value = lo > AP_MAX_ID ? lo : hi;
		err->domain = domain;
		return -1;
	}
	if (lo > hi) {
		err->code = AP_SEL_REVERSED;
		err->value = lo;
		err->value2 = hi;
		err->domain = domain;
		return -1;
	}
	ap_mask_zero(m);
	ap_mask_set_range(m, (unsigned int)lo, (unsigned int)hi);
	return 0;
syntax:
	err->code = AP_SEL_SYNTAX;
	return -1;
}

int ap_sel_parse_item(const char *s, struct ap_sel_item *it, struct ap_sel_error *err)
{
	memset(it, 0, sizeof(*it));
	memset(err, 0, sizeof(*err));
	if (*s == '.') {
		ap_mask_zero(&it->apm);
		ap_mask_set_range(&it->apm, 0, AP_MAX_ID);
	} else {
		if (range(&s, false, &it->apm, err))
			return -1;
		it->adapters = true;
	}
	if (*s == '.') {
		s++;
		if (range(&s, true, &it->aqm, err))
			return -1;
		if (*s) {
			err->code = AP_SEL_SYNTAX;
			return -1;
		}
		it->domains = true;
	} else {
		ap_mask_zero(&it->aqm);
		ap_mask_set_range(&it->aqm, 0, AP_MAX_ID);
	}
	return 0;
}

int ap_sel_add(struct ap_sel *sel, const struct ap_sel_item *it)
{
	struct ap_sel_item *n = realloc(sel->items, (sel->n + 1) * sizeof(*n));

	if (!n)
		return -1;
	n[sel->n++] = *it;
	sel->items = n;
	return 0;
}

void ap_sel_free(struct ap_sel *sel)
{
	free(sel->items);
	sel->items = NULL;
	sel->n = 0;
}

bool ap_sel_item_has_queue(const struct ap_sel_item *it, unsigned int apid, unsigned int apqi)
{
	return apid <= AP_MAX_ID && apqi <= AP_MAX_ID && ap_mask_test(&it->apm, apid) &&
	       ap_mask_test(&it->aqm, apqi);
}

bool ap_sel_has_queue(const struct ap_sel *sel, unsigned int apid, unsigned int apqi)
{
	if (!sel || !sel->n)
		return true;
	for (size_t i = 0; i < sel->n; i++)
		if (ap_sel_item_has_queue(&sel->items[i], apid, apqi))
			return true;
	return false;
}

bool ap_sel_has_adapter(const struct ap_sel *sel, unsigned int apid)
{
	if (!sel || !sel->n)
		return true;
	for (size_t i = 0; i < sel->n; i++)
		if (apid <= AP_MAX_ID && ap_mask_test(&sel->items[i].apm, apid))
			return true;
	return false;
}
