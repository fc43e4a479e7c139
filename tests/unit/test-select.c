/* SPDX-License-Identifier: MIT */
/* The lszcrypt-style selections of 'show cards|queues' (core/select.h). */
#include "config.h"

#include <string.h>

#include "core/idlist.h"
#include "core/select.h"
#include "masks.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *apm, *aqm;	/* decimal range lists */
	bool adapters, domains;
} accept[] = {
	{ "05", "5", "0-255", true, false },
	{ "5", "5", "0-255", true, false },
	{ "10", "16", "0-255", true, false },	/* hex, as lszcrypt reads it */
	{ "0x0a", "10", "0-255", true, false },
	{ "0Xff", "255", "0-255", true, false },
	{ "06.0047", "6", "71", true, true },
	{ "6.47", "6", "71", true, true },
	{ "05-07", "5-7", "0-255", true, false },
	{ "06.0040-004f", "6", "64-79", true, true },
	{ "05-06.0047", "5,6", "71", true, true },
	{ "0x05-0x06.0x04-0x47", "5,6", "4-71", true, true },
	{ ".00ab", "0-255", "171", false, true },
	{ "00ff.00ff", "255", "255", true, true },
};

static const struct {
	const char *in;
	enum ap_sel_errcode code;
	unsigned long value, value2;
	bool domain;
} refuse[] = {
	{ "", AP_SEL_SYNTAX, 0, 0, false },
	{ "zz", AP_SEL_SYNTAX, 0, 0, false },
	{ "0x", AP_SEL_SYNTAX, 0, 0, false },
	{ "05.", AP_SEL_SYNTAX, 0, 0, false },
	{ ".", AP_SEL_SYNTAX, 0, 0, false },
	{ "05-", AP_SEL_SYNTAX, 0, 0, false },
	{ "05,06", AP_SEL_SYNTAX, 0, 0, false },
	{ "05.0010-05.0020", AP_SEL_SYNTAX, 0, 0, false },
	{ "05.0047.1", AP_SEL_SYNTAX, 0, 0, false },
	{ "12345", AP_SEL_SYNTAX, 0, 0, false },
	{ " 05", AP_SEL_SYNTAX, 0, 0, false },
	{ "100", AP_SEL_ABOVE_MAX, 0x100, 0, false },
	{ "05-100", AP_SEL_ABOVE_MAX, 0x100, 0, false },
	{ "05.0100", AP_SEL_ABOVE_MAX, 0x100, 0, true },
	{ "07-05", AP_SEL_REVERSED, 7, 5, false },
	{ "05.0010-0004", AP_SEL_REVERSED, 0x10, 4, true },
};

int main(void)
{
	struct ap_sel_item it;
	struct ap_sel_error e;
	struct ap_sel sel = { 0 };
	size_t i;

	plan_no_plan();
	for (i = 0; i < sizeof(accept) / sizeof(accept[0]); i++) {
		int rc = ap_sel_parse_item(accept[i].in, &it, &e);

		is_int(rc, 0, "'%s' is accepted", accept[i].in);
		if (rc)
			continue;
		is_str(ids(&it.apm), accept[i].apm, "'%s': adapters", accept[i].in);
		is_str(ids(&it.aqm), accept[i].aqm, "'%s': domains", accept[i].in);
		ok(it.adapters == accept[i].adapters && it.domains == accept[i].domains,
		   "'%s': which parts were given", accept[i].in);
	}
	for (i = 0; i < sizeof(refuse) / sizeof(refuse[0]); i++) {
		int rc = ap_sel_parse_item(refuse[i].in, &it, &e);

		is_int(rc, -1, "'%s' is refused", refuse[i].in);
		is_int(e.code, refuse[i].code, "'%s': the reason", refuse[i].in);
		if (refuse[i].code != AP_SEL_SYNTAX) {
			ok(e.value == refuse[i].value && e.value2 == refuse[i].value2 &&
			   e.domain == refuse[i].domain, "'%s': the numbers and the part",
			   refuse[i].in);
		}
	}

	/* an empty selection selects everything; otherwise the union */
	ok(ap_sel_has_queue(&sel, 9, 9) && ap_sel_has_adapter(&sel, 9) &&
	   ap_sel_has_queue(NULL, 1, 1), "empty: everything");
	ap_sel_parse_item("05", &it, &e);
	ap_sel_add(&sel, &it);
	ap_sel_parse_item("06.0047", &it, &e);
	ap_sel_add(&sel, &it);
	ok(ap_sel_has_queue(&sel, 5, 200) && ap_sel_has_queue(&sel, 6, 0x47) &&
	   !ap_sel_has_queue(&sel, 6, 0x48) && !ap_sel_has_queue(&sel, 7, 0x47),
	   "05 06.0047: queues of 05 and one of 06");
	ok(ap_sel_has_adapter(&sel, 5) && ap_sel_has_adapter(&sel, 6) &&
	   !ap_sel_has_adapter(&sel, 7), "05 06.0047: adapters 05 and 06");
	ok(!ap_sel_has_queue(&sel, 256, 0), "ids past the masks are never selected");
	ap_sel_free(&sel);
	is_int((long long)sel.n, 0, "freed");
	return done_testing();
}
