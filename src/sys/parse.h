/* SPDX-License-Identifier: MIT */
/*
 * Small strict parsers for the scalar sysfs and config values src/sys reads.
 * Pure functions.  Each returns 0 or -1 (malformed).
 */
#ifndef APCTL_SYS_PARSE_H
#define APCTL_SYS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "%d\n" as the kernel prints it: optional '-', decimal digits without a
 * superfluous leading zero, one optional '\n', nothing else; fits in int. */
int ap_parse_int(const char *s, size_t len, int *out);
/* the same, unsigned ("%u\n" / "%lu\n"), up to UINT64_MAX */
int ap_parse_u64(const char *s, size_t len, uint64_t *out);
/* "0\n" or "1\n" */
int ap_parse_bool01(const char *s, size_t len, bool *out);
/* "0x%08X\n" (either case accepted, 1-8 hex digits) */
int ap_parse_hex32(const char *s, size_t len, uint32_t *out);

/*
 * The kernel's kstrtoul(s, 0): optional '+', then "0x"/"0X" + hex digits,
 * or a leading '0' meaning octal, or decimal; one optional trailing '\n'.
 * *octal is set when the value was read as octal with more than the single
 * digit "0" (a reading people are rarely aware of, e.g. "047" = 39).
 */
int ap_parse_kstrtoul(const char *s, size_t len, uint64_t *out, bool *octal);

#endif
