/* SPDX-License-Identifier: MIT */
/* Id sets as range lists, through the core's formatter (core/idlist.h). */
#include "config.h"

#include <stdlib.h>

#include "core/idlist.h"
#include "out/out.h"

char *ap_out_idlist(const struct ap_mask *m, enum ap_idfmt f)
{
	char *buf = malloc(AP_IDLIST_STRLEN);

	if (!buf)
		return NULL;
	switch (f) {
	case AP_IDS_ADAPTER:
		ap_idlist_format_hex(m, 2, buf, AP_IDLIST_STRLEN);
		break;
	case AP_IDS_DOMAIN:
		ap_idlist_format_hex(m, 4, buf, AP_IDLIST_STRLEN);
		break;
	case AP_IDS_DEC:
	default:
		ap_idlist_format(m, buf, AP_IDLIST_STRLEN);
		break;
	}
	return buf;
}
