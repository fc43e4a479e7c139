/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/apqn.h"
#include "tap.h"

static void test_apqn(void)
{
	static const struct {
		const char *in;
		int rc;
		unsigned int apid, apqi;
		size_t errpos;
	} cases[] = {
		{ "05.0047", 0, 5, 0x47, 0 },
		{ "5.47", 0, 5, 0x47, 0 },
		{ "ff.00ff", 0, 255, 255, 0 },
		{ "FF.00AB", 0, 255, 0xab, 0 },
		{ "00.0000", 0, 0, 0, 0 },
		{ "0.0", 0, 0, 0, 0 },
		{ "1a.ff", 0, 0x1a, 0xff, 0 },
		{ "", -1, 0, 0, 0 },
		{ ".0047", -1, 0, 0, 0 },
		{ "05.", -1, 0, 0, 3 },
		{ "05", -1, 0, 0, 2 },
		{ "005.0047", -1, 0, 0, 2 },
		{ "05.00047", -1, 0, 0, 7 },
		{ "05.0100", -1, 0, 0, 3 },
		{ "05.0047\n", -1, 0, 0, 7 },
		{ " 05.0047", -1, 0, 0, 0 },
		{ "05.0047x", -1, 0, 0, 7 },
		{ "0x5.47", -1, 0, 0, 1 },
		{ "g5.0047", -1, 0, 0, 0 },
		{ "05:0047", -1, 0, 0, 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ap_apqn q = { 999, 999 };
		size_t pos = 999;
		int rc = ap_apqn_parse(cases[i].in, &q, &pos);

		is_int(rc, cases[i].rc, "apqn '%s' rc", cases[i].in);
		if (!rc) {
			ok(q.apid == cases[i].apid && q.apqi == cases[i].apqi,
			   "apqn '%s' value %x.%x", cases[i].in, q.apid, q.apqi);
		} else {
			is_int((long long)pos, (long long)cases[i].errpos, "apqn '%s' errpos",
			       cases[i].in);
		}
	}

	char buf[AP_APQN_STRLEN];

	ap_apqn_format(5, 0x47, buf);
	is_str(buf, "05.0047", "format 05.0047");
	ap_apqn_format(0xff, 0xab, buf);
	is_str(buf, "ff.00ab", "format ff.00ab");
	ap_apqn_format(0, 0, buf);
	is_str(buf, "00.0000", "format 00.0000");
}

struct mcase {
	const char *name;
	const char *in;
	int rc;
	const char *apm;	/* expected ids as "1,2,3" */
	const char *aqm;
	size_t errpos;
};

static const char *ids(const struct ap_mask *m)
{
	static char buf[2][1200];
	static int which;
	char *p = buf[which ^= 1];
	int id;

	p[0] = '\0';
	ap_mask_for_each(id, m)
		sprintf(p + strlen(p), "%s%d", *p ? "," : "", id);
	return p;
}

static void test_matrix(void)
{
	static const struct mcase cases[] = {
		{ "empty", "", 0, "", "", 0 },
		{ "one", "05.0004\n", 0, "5", "4", 0 },
		{ "product 2x2", "05.0004\n05.00ab\n06.0004\n06.00ab\n", 0, "5,6", "4,171", 0 },
		{ "adapter-only", "05.\n06.\n", 0, "5,6", "", 0 },
		{ "domain-only", ".0004\n.0047\n", 0, "", "4,71", 0 },
		{ "max ids", "ff.00ff\n", 0, "255", "255", 0 },
		{ "uppercase refused", "05.00AB\n", -1, NULL, NULL, 5 },
		{ "uppercase adapter", "0A.0004\n", -1, NULL, NULL, 1 },
		{ "no trailing newline", "05.0004", -1, NULL, NULL, 7 },
		{ "adapter-only no newline", "05.", -1, NULL, NULL, 3 },
		{ "domain-only no newline", ".0004", -1, NULL, NULL, 5 },
		{ "not a product", "05.0004\n06.0005\n", -1, NULL, NULL, 8 },
		{ "missing last", "05.0004\n05.0005\n06.0004\n", -1, NULL, NULL, 24 },
		{ "extra in second", "05.0004\n06.0004\n06.0005\n", -1, NULL, NULL, 16 },
		{ "descending adapters", "06.0004\n05.0004\n", -1, NULL, NULL, 8 },
		{ "descending domains", "05.0005\n05.0004\n", -1, NULL, NULL, 8 },
		{ "duplicate line", "05.0004\n05.0004\n", -1, NULL, NULL, 8 },
		{ "mixed forms", "05.\n.0004\n", -1, NULL, NULL, 4 },
		{ "mixed full and adapter", "05.0004\n06.\n", -1, NULL, NULL, 8 },
		{ "short domain", "05.004\n", -1, NULL, NULL, 6 },
		{ "long domain", "05.00004\n", -1, NULL, NULL, 7 },
		{ "short adapter", "5.0004\n", -1, NULL, NULL, 1 },
		{ "domain > 255", "05.0100\n", -1, NULL, NULL, 3 },
		{ "crlf", "05.0004\r\n", -1, NULL, NULL, 7 },
		{ "blank line", "05.0004\n\n", -1, NULL, NULL, 8 },
		{ "space", " 05.0004\n", -1, NULL, NULL, 0 },
		{ "dup adapter-only", "05.\n05.\n", -1, NULL, NULL, 4 },
		{ "dup domain-only", ".0004\n.0004\n", -1, NULL, NULL, 6 },
		{ "skipped first domain in second group", "05.0004\n05.0005\n06.0005\n", -1, NULL,
		  NULL, 16 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ap_mask a, d;
		bool tr = true;
		size_t pos = 999;
		int rc;

		ap_mask_fill(&a);
		ap_mask_fill(&d);
		rc = ap_matrix_parse(cases[i].in, strlen(cases[i].in), &a, &d, &tr, &pos);
		is_int(rc, cases[i].rc, "matrix %s: rc", cases[i].name);
		if (!rc) {
			is_str(ids(&a), cases[i].apm, "matrix %s: adapters", cases[i].name);
			is_str(ids(&d), cases[i].aqm, "matrix %s: domains", cases[i].name);
			ok(!tr, "matrix %s: not truncated", cases[i].name);
		} else {
			is_int((long long)pos, (long long)cases[i].errpos, "matrix %s: errpos",
			       cases[i].name);
			ok(ap_mask_is_full(&a) && ap_mask_is_full(&d),
			   "matrix %s: outputs untouched", cases[i].name);
		}
	}
}

/* the kernel caps a show at 4095 bytes: 511 lines and a 512th without '\n' */
static void test_matrix_truncated(void)
{
	char *buf = malloc(8192);
	size_t n = 0;
	struct ap_mask a, d;
	bool tr = false;
	size_t pos = 0;

	/* 3 adapters x 200 domains = 600 APQNs > 511 */
	for (unsigned int ap = 0; ap < 3; ap++)
		for (unsigned int dq = 0; dq < 200; dq++)
			n += (size_t)sprintf(buf + n, "%02x.%04x\n", ap + 1, dq);
	is_int(n, 4800, "full text is 4800 bytes");
	is_int(ap_matrix_parse(buf, n, &a, &d, &tr, &pos), -1, "over 4095 bytes refused");
	is_int(pos, 4095, "errpos at the cap");

	is_int(ap_matrix_parse(buf, 4095, &a, &d, &tr, &pos), 0, "capped text accepted");
	ok(tr, "truncated flag set");
	is_str(ids(&a), "1,2,3", "adapters of complete lines (512th line has no newline)");
	is_int(ap_mask_weight(&d), 200, "all 200 domains known from the first adapter");

	/* cut in the middle of a line: not what the kernel does */
	is_int(ap_matrix_parse(buf, 4093, &a, &d, &tr, &pos), -1, "mid-line cut refused");
	/* a missing newline before the cap is malformed */
	buf[4094] = 'x';
	is_int(ap_matrix_parse(buf, 4095, &a, &d, &tr, &pos), -1, "junk at the cap refused");

	/* exactly 512 lines of 8 bytes: not truncated */
	n = 0;
	for (unsigned int ap = 0; ap < 2; ap++)
		for (unsigned int dq = 0; dq < 256; dq++)
			n += (size_t)sprintf(buf + n, "%02x.%04x\n", ap, dq);
	is_int(ap_matrix_parse(buf, 4095, &a, &d, &tr, &pos), 0, "2x256 capped accepted");
	ok(tr, "2x256 capped is truncated");
	is_int(ap_mask_weight(&a), 2, "2x256 capped: 2 adapters");
	is_int(ap_mask_weight(&d), 256, "2x256 capped: 256 domains");
	free(buf);
}

static void test_cdoms(void)
{
	static const struct mcase cases[] = {
		{ "empty", "", 0, "", NULL, 0 },
		{ "one", "0004\n", 0, "4", NULL, 0 },
		{ "several", "0004\n0047\n00ab\n00ff\n", 0, "4,71,171,255", NULL, 0 },
		{ "uppercase", "00AB\n", -1, NULL, NULL, 2 },
		{ "no newline", "0004", -1, NULL, NULL, 4 },
		{ "short", "004\n", -1, NULL, NULL, 3 },
		{ "descending", "0005\n0004\n", -1, NULL, NULL, 5 },
		{ "duplicate", "0005\n0005\n", -1, NULL, NULL, 5 },
		{ "above 255", "0100\n", -1, NULL, NULL, 0 },
		{ "dot", ".0004\n", -1, NULL, NULL, 0 },
		{ "crlf", "0004\r\n", -1, NULL, NULL, 4 },
		{ "blank", "\n", -1, NULL, NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ap_mask m;
		size_t pos = 999;
		int rc;

		ap_mask_fill(&m);
		rc = ap_cdoms_parse(cases[i].in, strlen(cases[i].in), &m, &pos);
		is_int(rc, cases[i].rc, "cdoms %s: rc", cases[i].name);
		if (!rc)
			is_str(ids(&m), cases[i].apm, "cdoms %s: ids", cases[i].name);
		else
			is_int((long long)pos, (long long)cases[i].errpos, "cdoms %s: errpos",
			       cases[i].name);
	}
}

static void test_ap_config(void)
{
	struct ap_mask a, d, c, a2, d2, c2;
	char buf[AP_CONFIG_STRLEN], bad[AP_CONFIG_STRLEN + 8];
	size_t pos;

	ap_mask_zero(&a);
	ap_mask_zero(&d);
	ap_mask_zero(&c);
	ap_mask_set(&a, 5);
	ap_mask_set(&a, 6);
	ap_mask_set(&d, 4);
	ap_mask_set(&d, 0xab);
	ap_mask_set(&c, 4);
	ap_config_format(&a, &d, &c, buf);
	is_int(strlen(buf), 201, "ap_config text is 201 bytes");
	is_str(buf,
	       "0x0600000000000000000000000000000000000000000000000000000000000000,"
	       "0x0800000000000000000000000000000000000000001000000000000000000000,"
	       "0x0800000000000000000000000000000000000000000000000000000000000000\n",
	       "ap_config format");
	is_int(ap_config_parse(buf, 201, &a2, &d2, &c2, &pos), 0, "ap_config parse");
	ok(ap_mask_equal(&a, &a2) && ap_mask_equal(&d, &d2) && ap_mask_equal(&c, &c2),
	   "ap_config round trip");

	static const struct {
		const char *what;
		size_t at;	/* byte to change; SIZE_MAX: use len */
		char to;
		size_t len;
		size_t errpos;
	} bads[] = {
		{ "no newline", SIZE_MAX, 0, 200, 200 },
		{ "trailing junk", 201, 'x', 202, 201 },
		{ "uppercase digit", 10, 'A', 201, 10 },
		{ "0X prefix", 1, 'X', 201, 0 },
		{ "semicolon", 66, ';', 201, 66 },
		{ "newline for comma", 133, '\n', 201, 133 },
		{ "comma for newline", 200, ',', 201, 200 },
		{ "space", 70, ' ', 201, 70 },
		{ "short", SIZE_MAX, 0, 100, 67 },
		{ "empty", SIZE_MAX, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		memcpy(bad, buf, 202);
		bad[201] = '\0';
		if (bads[i].at != SIZE_MAX)
			bad[bads[i].at] = bads[i].to;
		pos = 999;
		is_int(ap_config_parse(bad, bads[i].len, &a2, &d2, &c2, &pos), -1,
		       "ap_config %s refused", bads[i].what);
		is_int((long long)pos, (long long)bads[i].errpos, "ap_config %s errpos",
		       bads[i].what);
	}
	/* short masks are what the kernel accepts on write, never what it prints */
	is_int(ap_config_parse("0x8,0x8,0x8\n", 12, &a2, &d2, &c2, NULL), -1,
	       "ap_config short masks refused");
	is_int(ap_config_parse(",,\n", 3, &a2, &d2, &c2, NULL), -1, "ap_config ',,' refused");
}

static void test_formats(void)
{
	struct ap_mask a, d, e;
	char buf[4096];

	ap_mask_zero(&a);
	ap_mask_zero(&d);
	ap_mask_zero(&e);
	is_int(ap_matrix_format(&a, &d, buf, sizeof(buf)), 0, "empty matrix text");
	is_str(buf, "", "empty matrix is empty");
	ap_mask_set(&a, 5);
	ap_mask_set(&a, 6);
	is_int(ap_matrix_format(&a, &d, buf, sizeof(buf)), 8, "adapter-only length");
	is_str(buf, "05.\n06.\n", "adapter-only lines");
	is_int(ap_matrix_format(&e, &a, buf, sizeof(buf)), 12, "domain-only length");
	is_str(buf, ".0005\n.0006\n", "domain-only lines");
	ap_mask_set(&d, 4);
	ap_mask_set(&d, 0xab);
	is_int(ap_matrix_format(&a, &d, buf, sizeof(buf)), 32, "2x2 length");
	is_str(buf, "05.0004\n05.00ab\n06.0004\n06.00ab\n", "2x2 lines adapter-major");
	is_int(ap_matrix_format(&a, &d, buf, 9), 32, "cut text still measures");
	is_str(buf, "05.0004\n", "cut text");
	is_int(ap_matrix_format(&a, &d, NULL, 0), 32, "NULL measures");
	ap_mask_fill(&a);
	ap_mask_fill(&d);
	is_int(ap_matrix_format(&a, &d, NULL, 0), 65536 * 8, "full matrix measures 512 KiB");
	is_int(ap_cdoms_format(&e, buf, sizeof(buf)), 0, "no control domains");
	is_int(ap_cdoms_format(&d, NULL, 0), 256 * 5, "256 control domains measure");
	ap_mask_zero(&d);
	ap_mask_set(&d, 4);
	ap_mask_set(&d, 255);
	ap_cdoms_format(&d, buf, sizeof(buf));
	is_str(buf, "0004\n00ff\n", "control_domains text");
}

int main(void)
{
	test_formats();
	test_apqn();
	test_matrix();
	test_matrix_truncated();
	test_cdoms();
	test_ap_config();
	return done_testing();
}
