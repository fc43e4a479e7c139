/* SPDX-License-Identifier: MIT */
/*
 * The id-list grammar every apctl command uses for adapters, domains and
 * control domains, and the formatters that print a set back.
 *
 * Absolute form (a set of ids):
 *	list   := "all" | item ("," item)*
 *	item   := number | number "-" number	(inclusive range, lo <= hi)
 *	number := "0" | [1-9][0-9]* | "0x" hexdigit+	("0X" is accepted too)
 * Relative form (an edit of an existing set, e.g. a mask):
 *	list   := term ("," term)*
 *	term   := ("+" | "-") (number | number "-" number)
 *	"+0x10-0x1f" adds 16..31, "-5" removes 5.
 *
 * Decisions (documented in apctl(8) too):
 * - No whitespace anywhere, not even around commas: a list is one shell
 *   word, and the kernel's parsers refuse whitespace as well.
 * - A number with a leading zero is refused when its decimal reading and the
 *   kernel's octal reading differ ("010": 10 or 8) or the kernel cannot read it
 *   at all ("08"); "0", "00", "05" and "007" mean the same in both and are
 *   accepted.  Hex ids copied from lszcrypt ("0047") are caught this way.
 * - Hex digits may be upper or lower case; "0X" is accepted (unlike the
 *   kernel's absolute mask parser, this is not a mask string).
 * - "all" (lower case) means 0..max and must be the whole list.
 * - An id may repeat in an absolute list ("1-5,3"); in a relative list an id
 *   may not be both added and removed ("+5,-5" is refused as contradictory).
 * - Absolute and relative items may not be mixed.
 * Pure logic: no I/O, no global state.
 */
#ifndef APCTL_CORE_IDLIST_H
#define APCTL_CORE_IDLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/apmask.h"

struct ap_idlist {
	bool relative;
	struct ap_mask set;	/* absolute: the ids; relative: ids to add */
	struct ap_mask clear;	/* relative: ids to remove (empty when absolute) */
};

enum ap_idlist_errcode {
	AP_IDL_OK = 0,
	AP_IDL_EMPTY_LIST,	/* "" */
	AP_IDL_EMPTY_ITEM,	/* ",,", ",5", "5," */
	AP_IDL_JUNK,		/* a character that cannot start or continue an item */
	AP_IDL_SPACE,		/* whitespace */
	AP_IDL_NO_NUMBER,	/* "+", "5-", "0x" without digits */
	AP_IDL_DOUBLE_SIGN,	/* "++5", "+-5" */
	AP_IDL_RELATIVE_NOT_ALLOWED,
	AP_IDL_MIXED,		/* "5,+6" or "+5,6" */
	AP_IDL_REVERSED,	/* "10-5" */
	AP_IDL_ABOVE_MAX,	/* id > the caller's maximum */
	AP_IDL_OCTAL,		/* "010": lszcrypt's hex, decimal and octal readings differ */
	AP_IDL_BAD_OCTAL,	/* "08": the kernel cannot read it */
	AP_IDL_LEADING_ZERO_HEX,	/* "00ab": hex digits after a leading zero, as
					 * lszcrypt prints ids */
	AP_IDL_ALL_NOT_ALONE,	/* "all,5" */
	AP_IDL_CONTRADICTION,	/* "+5,-5" */
};

struct ap_idlist_error {
	enum ap_idlist_errcode code;
	size_t pos;		/* byte offset (0-based) of the offending item or character */
	size_t len;		/* length of the offending token (0 if a single position) */
	unsigned long value;	/* ABOVE_MAX/OCTAL/BAD_OCTAL/CONTRADICTION: the id (decimal
				 * reading for OCTAL); REVERSED: the low end */
	unsigned long value2;	/* ABOVE_MAX: the maximum; REVERSED: the high end;
				 * OCTAL: the kernel's (octal) reading */
	unsigned long hex;	/* OCTAL/BAD_OCTAL/LEADING_ZERO_HEX: the token read as
				 * lszcrypt prints ids, in hex ("0047" = 0x47) */
	char token[24];		/* the offending number as written, NUL terminated, cut */
};

/*
 * Parse 's' (NUL terminated).  'max' is the highest valid id (e.g.
 * ap_max_adapter_id, at most AP_MAX_ID); ids above it are refused.
 * 'allow_relative' permits the +/- form.  Returns 0 and fills *out, or -1
 * and fills *err (both may be used only as described).
 */
int ap_idlist_parse(const char *s, unsigned int max, bool allow_relative,
		    struct ap_idlist *out, struct ap_idlist_error *err);

/*
 * A relative list applied to a current set: (cur | set) & ~clear; an
 * absolute list replaces it.
 */
void ap_idlist_apply(const struct ap_idlist *l, const struct ap_mask *cur,
		     struct ap_mask *result);

/* stable name of an error code for JSON and tests ("reversed-range", ...) */
const char *ap_idlist_errname(enum ap_idlist_errcode code);

/*
 * Render a translated English sentence for *err, e.g.
 * "010 is 10 in decimal but 8 to the kernel (octal); write 10 or 0x8".
 * Positions are printed 1-based ("at character 4").  Returns the length the
 * full message needs (like snprintf); the text is cut to fit 'size'.
 */
int ap_idlist_strerror(const struct ap_idlist_error *err, char *buf, size_t size);

/* enough for any formatted 256-bit set */
#define AP_IDLIST_STRLEN 1280

/*
 * The shortest decimal range list: "0-70,72-170", "5,6", "" for an empty
 * set.  A run of three or more ids becomes a range.  Returns the length
 * needed (like snprintf).
 */
int ap_idlist_format(const struct ap_mask *m, char *buf, size_t size);

/*
 * lszcrypt-style hex: 'digits' wide lowercase ids (2 for adapters, 4 for
 * domains), "05,06", "0004,00ab", runs of three or more as "05-0a".
 */
int ap_idlist_format_hex(const struct ap_mask *m, unsigned int digits, char *buf,
			 size_t size);

/*
 * The kernel's relative mask syntax for "set these, clear these": clears
 * first, then sets, decimal, runs of three or more as ranges:
 * "-5,-6,+7-9".  Empty string when both are empty.  Never an absolute
 * write (see kernel-abi.md 1.3).
 */
int ap_idlist_format_kernel_edit(const struct ap_mask *set, const struct ap_mask *clear,
				 char *buf, size_t size);

#endif
