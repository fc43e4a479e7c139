/* SPDX-License-Identifier: MIT */
/*
 * 256-bit AP masks (adapters, usage domains, control domains).
 *
 * Bit numbering follows the AP architecture and the kernel's sysfs files:
 * bit 0 is the leftmost bit, i.e. the most significant bit of the first
 * hex digit after "0x".  Adapter 5 is therefore 0x0400...0.
 *
 * Pure logic: no I/O, no global state.
 */
#ifndef APCTL_CORE_APMASK_H
#define APCTL_CORE_APMASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AP_MASK_BITS	256
#define AP_MAX_ID	255
/* "0x" + 64 hex digits + NUL */
#define AP_MASK_STRLEN	67

struct ap_mask {
	/* w[0] holds bits 0..63, bit 0 in its most significant position */
	uint64_t w[4];
};

void ap_mask_zero(struct ap_mask *m);
void ap_mask_fill(struct ap_mask *m);
/* set ids lo..hi inclusive; ids > 255 are ignored */
void ap_mask_set_range(struct ap_mask *m, unsigned int lo, unsigned int hi);
void ap_mask_set(struct ap_mask *m, unsigned int id);
void ap_mask_clear(struct ap_mask *m, unsigned int id);
bool ap_mask_test(const struct ap_mask *m, unsigned int id);
void ap_mask_or(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b);
void ap_mask_and(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b);
/* r = a & ~b */
void ap_mask_andnot(struct ap_mask *r, const struct ap_mask *a, const struct ap_mask *b);
void ap_mask_not(struct ap_mask *r, const struct ap_mask *a);
bool ap_mask_equal(const struct ap_mask *a, const struct ap_mask *b);
bool ap_mask_is_empty(const struct ap_mask *m);
bool ap_mask_is_full(const struct ap_mask *m);
bool ap_mask_intersects(const struct ap_mask *a, const struct ap_mask *b);
unsigned int ap_mask_weight(const struct ap_mask *m);
/* clear every id above max (ids max+1..255) */
void ap_mask_limit(struct ap_mask *m, unsigned int max);
/* the ids 0..max whose bit is clear in m (what apmask/aqmask reserve for
 * vfio_ap) */
void ap_mask_cleared(const struct ap_mask *m, unsigned int max, struct ap_mask *out);
/* value of a hex digit in either case, or -1 */
int ap_hexval(int c);

/* lowest set id >= from, or -1 when there is none */
int ap_mask_next(const struct ap_mask *m, int from);

#define ap_mask_for_each(id, m) \
	for ((id) = ap_mask_next((m), 0); (id) >= 0; (id) = ap_mask_next((m), (id) + 1))

/*
 * Parse the kernel's absolute mask text as the kernel accepts it
 * (kernel-abi.md 1.3): optional "0x" or "x" prefix ("0X" is refused), up to
 * 64 hex digits in either case, right-padded with zero bits, one optional
 * trailing '\n' and nothing else.  An empty digit string is a valid all-zero
 * mask; *was_empty tells the caller (may be NULL).
 * Returns 0, or -1 with *errpos set to the offending byte offset.
 */
int ap_mask_parse(const char *s, size_t len, struct ap_mask *m,
		  bool *was_empty, size_t *errpos);

/* "0x" + 64 lowercase hex digits + NUL, as the kernel prints apmask */
void ap_mask_format(const struct ap_mask *m, char buf[AP_MASK_STRLEN]);

#endif
