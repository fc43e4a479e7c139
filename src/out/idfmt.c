/* SPDX-License-Identifier: MIT */
/* Id sets as range lists: "4,71,171,255", "05-06", "0004,00ab". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/out.h"

static int put_id(char *p, unsigned int id, enum ap_idfmt f)
{
	switch (f) {
	case AP_IDS_ADAPTER:
		return sprintf(p, "%02x", id);
	case AP_IDS_DOMAIN:
		return sprintf(p, "%04x", id);
	case AP_IDS_DEC:
	default:
		return sprintf(p, "%u", id);
	}
}

char *ap_out_idlist(const struct ap_mask *m, enum ap_idfmt f)
{
	/* worst case: 128 single ids "255," or "00ff," = 5 bytes each */
	char *buf = malloc(256 * 6 + 1), *p;
	int id, lo, hi;

	if (!buf)
		return NULL;
	p = buf;
	*p = '\0';
	id = ap_mask_next(m, 0);
	while (id >= 0) {
		lo = hi = id;
		while (hi < AP_MAX_ID && ap_mask_test(m, (unsigned int)hi + 1))
			hi++;
		if (p != buf)
			*p++ = ',';
		p += put_id(p, (unsigned int)lo, f);
		if (hi > lo) {
			*p++ = '-';
			p += put_id(p, (unsigned int)hi, f);
		}
		id = hi >= AP_MAX_ID ? -1 : ap_mask_next(m, hi + 1);
	}
	return buf;
}
