/* SPDX-License-Identifier: MIT */
/*
 * A selection of adapters and APQNs, as lszcrypt users name them on the
 * command line ("05", "06.0047", "05-07", "06.0040-004f", ".0047"), for the
 * filters of 'show cards' and 'show queues'.  Pure logic.
 *
 * Grammar of one argument (every number is hex, as lszcrypt prints ids;
 * "0x" in front is accepted and changes nothing):
 *	arg      := adapters ["." domains] | "." domains
 *	adapters := hex | hex "-" hex
 *	domains  := hex | hex "-" hex
 *	hex      := ["0x" | "0X"] hexdigit{1,4}
 * ".0047" is domain 0x47 on every adapter.  A selection is the union of its
 * arguments; an empty selection selects everything.
 */
#ifndef APCTL_CORE_SELECT_H
#define APCTL_CORE_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/apmask.h"

struct ap_sel_item {
	struct ap_mask apm;	/* the adapters named */
	struct ap_mask aqm;	/* the domains named; every domain without a domain part */
	bool adapters;		/* an adapter part was given */
	bool domains;		/* a domain part was given */
};

struct ap_sel {
	size_t n;
	struct ap_sel_item *items;
};

enum ap_sel_errcode {
	AP_SEL_OK = 0,
	AP_SEL_SYNTAX,		/* not adapters[.domains] */
	AP_SEL_ABOVE_MAX,	/* a number above 0xff */
	AP_SEL_REVERSED,	/* "07-05" */
};

struct ap_sel_error {
	enum ap_sel_errcode code;
	unsigned long value, value2;	/* ABOVE_MAX: the number; REVERSED: low, high */
	bool domain;		/* the number is a domain */
};

/* Parse one argument into *it.  Returns 0, or -1 and fills *err. */
int ap_sel_parse_item(const char *s, struct ap_sel_item *it, struct ap_sel_error *err);

/* Append an item; -1 when out of memory. */
int ap_sel_add(struct ap_sel *sel, const struct ap_sel_item *it);
void ap_sel_free(struct ap_sel *sel);

/* Does one item, or the selection (any item; everything when empty), hold these? */
bool ap_sel_item_has_queue(const struct ap_sel_item *it, unsigned int apid, unsigned int apqi);
bool ap_sel_has_queue(const struct ap_sel *sel, unsigned int apid, unsigned int apqi);
bool ap_sel_has_adapter(const struct ap_sel *sel, unsigned int apid);

#endif
