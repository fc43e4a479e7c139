/* SPDX-License-Identifier: MIT */
/*
 * APQNs (adapter.domain) and the kernel's matrix texts.  Pure logic.
 */
#ifndef APCTL_CORE_APQN_H
#define APCTL_CORE_APQN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/apmask.h"

/* "05.0047" + NUL */
#define AP_APQN_STRLEN 8

struct ap_apqn {
	unsigned int apid, apqi;
};

/* Parse "05.0047" (hex, 1-2 adapter digits, 1-4 domain digits, ids <= 255).
 * Returns 0 or -1 with *errpos at the offending byte. */
int ap_apqn_parse(const char *s, struct ap_apqn *q, size_t *errpos);
/* "%02x.%04x" */
void ap_apqn_format(unsigned int apid, unsigned int apqi, char buf[AP_APQN_STRLEN]);

/*
 * Parse the text of a vfio_ap 'matrix' or 'guest_matrix' file: lines
 * "AA.DDDD", "AA." or ".DDDD", each ending in '\n', adapter-major ascending,
 * or empty.  The kernel only ever prints a Cartesian product, so the result
 * is two masks; text that is not a product (or not in the kernel's order,
 * or not lowercase) is refused.  *truncated is set when the text hit the
 * kernel's 4095-byte cap (last line without '\n'); the masks then hold what
 * was complete.  Returns 0, or -1 with *errpos.
 */
int ap_matrix_parse(const char *buf, size_t len, struct ap_mask *apm,
		    struct ap_mask *aqm, bool *truncated, size_t *errpos);

/*
 * The text the kernel prints for a matrix (4.5 of kernel-abi.md), without
 * the 4095-byte cap.  Returns the length needed (like snprintf; at most
 * 65536 * 8 bytes).
 */
size_t ap_matrix_format(const struct ap_mask *apm, const struct ap_mask *aqm, char *buf,
			size_t size);

/* The vfio_ap 'control_domains' text: one "%04x\n" line per domain. */
int ap_cdoms_parse(const char *buf, size_t len, struct ap_mask *adm, size_t *errpos);

/* ... and its text; returns the length needed (at most 256 * 5). */
size_t ap_cdoms_format(const struct ap_mask *adm, char *buf, size_t size);

/* The 201-byte 'ap_config' text "0x<64>,0x<64>,0x<64>\n" (strict: the form
 * the kernel prints).  Returns 0 or -1 with *errpos. */
int ap_config_parse(const char *buf, size_t len, struct ap_mask *apm,
		    struct ap_mask *aqm, struct ap_mask *adm, size_t *errpos);
/* the text written to ap_config: "0x<64>,0x<64>,0x<64>\n" + NUL */
#define AP_CONFIG_STRLEN 202
void ap_config_format(const struct ap_mask *apm, const struct ap_mask *aqm,
		      const struct ap_mask *adm, char buf[AP_CONFIG_STRLEN]);

#endif
