/* SPDX-License-Identifier: MIT */
/*
 * Masks in the unit tests, written and read as id lists (header only):
 *
 *	M("1,5-7")	the mask of those ids (decimal or 0x; the input is the
 *			test's own and trusted: a list that does not parse is
 *			the empty mask)
 *	X(a, d, c)	the matrix of those adapters, domains, control domains
 *	ids(&m)		the mask as a range list, "1,5-7"; two results may be
 *			used in one call (two static buffers, alternating)
 */
#ifndef APCTL_TESTS_MASKS_H
#define APCTL_TESTS_MASKS_H

#include "core/idlist.h"
#include "core/model.h"

static inline struct ap_mask M(const char *list)
{
	struct ap_idlist l;
	struct ap_mask m;

	ap_mask_zero(&m);
	if (*list && !ap_idlist_parse(list, 255, false, &l, NULL))
		m = l.set;
	return m;
}

static inline struct ap_matrix X(const char *apm, const char *aqm, const char *adm)
{
	struct ap_matrix x = { M(apm), M(aqm), M(adm) };

	return x;
}

static inline const char *ids(const struct ap_mask *m)
{
	static char buf[2][AP_IDLIST_STRLEN];
	static int which;

	which ^= 1;
	ap_idlist_format(m, buf[which], sizeof(buf[which]));
	return buf[which];
}

#endif
