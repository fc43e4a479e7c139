/* SPDX-License-Identifier: MIT */
/* core/migrate: documents in, findings out (no simulator needed) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/migrate.h"
#include "tap.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"

/* a summary document: cards 5 and 6 (CCA, 0x92800000), domains 4 and 71
 * bound to vfio_ap, and mdev U1 with adapters 5,6 x domain 4 */
static const char base[] =
	"{\"api_level\":1,\"view\":\"summary\",\"host\":{\"migration\":{\"variant\":\"v4\","
	"\"se_guest\":false,\"slcf_visible\":true},\"configuration\":{\"control_domains\":"
	"{\"ids\":[4,71]}},\"apmask\":{\"ids\":[0]},\"aqmask\":{\"ids\":[0,1,2,3,4,71]}},"
	"\"cards\":[{\"id\":5,\"hwtype\":13,\"raw_hwtype\":13,\"functions\":\"0x92800000\","
	"\"queue_domains\":\"4,71\",\"vfio_ap_domains\":\"4,71\",\"se_bound_domains\":\"\"},"
	"{\"id\":6,\"hwtype\":14,\"raw_hwtype\":14,\"functions\":\"0x92800000\","
	"\"queue_domains\":\"4,71\",\"vfio_ap_domains\":\"4,71\",\"se_bound_domains\":\"\"}],"
	"\"mdevs\":[{\"uuid\":\"" U1 "\",\"active\":true,\"in_use\":true,\"migratable\":null,"
	"\"live\":{\"adapters\":{\"ids\":[5,6]},\"domains\":{\"ids\":[4]},"
	"\"control_domains\":{\"ids\":[4]}},\"guest\":null}]}";

/* parse text into h; the error text into err */
static int load(const char *text, struct ap_mig_host *h, char *err, size_t n)
{
	struct json_object *doc = json_tokener_parse(text);
	int rc;

	memset(h, 0, sizeof(*h));
	err[0] = '\0';
	if (!doc) {
		snprintf(err, n, "not JSON");
		return -1;
	}
	rc = ap_mig_host_from_json(doc, h, err, n);
	json_object_put(doc);
	return rc;
}

/* the rules of the findings of src -> dst for U1, " "-separated */
static void rules(const char *src, const char *dst, char *out, size_t n, bool *okp)
{
	struct ap_mig_host s, d;
	struct ap_mig_verdict v;
	char err[256];

	out[0] = '\0';
	*okp = false;
	if (load(src, &s, err, sizeof(err)) || load(dst, &d, err, sizeof(err))) {
		snprintf(out, n, "load: %s", err);
		ap_mig_host_free(&s);
		ap_mig_host_free(&d);
		return;
	}
	if (ap_mig_check(&s, &d, U1, &v) == 0) {
		*okp = v.ok;
		for (size_t i = 0; i < v.n; i++)
			snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? " " : "",
				 v.f[i].rule);
	}
	ap_mig_verdict_free(&v);
	ap_mig_host_free(&s);
	ap_mig_host_free(&d);
}

/* base with one substring replaced */
static const char *edit(const char *from, const char *to)
{
	static char buf[4096];
	const char *p = strstr(base, from);

	if (!p)
		return "{}";
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
	return buf;
}

static void test_rules(void)
{
	char got[512], dst[4096];
	bool okv;

	rules(base, base, got, sizeof(got), &okv);
	ok(okv && !got[0], "identical documents: can migrate (%s)", got);

	snprintf(dst, sizeof(dst), "%s", edit("\"hwtype\":13,\"raw_hwtype\":13",
					      "\"hwtype\":14,\"raw_hwtype\":14"));
	rules(base, dst, got, sizeof(got), &okv);
	ok(okv && !got[0], "a newer AP type on the destination is fine (%s)", got);
	rules(dst, base, got, sizeof(got), &okv);
	ok(!okv && !strcmp(got, "ap-type"), "an older one is not: %s", got);

	snprintf(dst, sizeof(dst), "%s", edit("\"vfio_ap_domains\":\"4,71\",\"se_bound_domains\":\"\"}]",
					      "\"vfio_ap_domains\":\"71\",\"se_bound_domains\":\"\"}]"));
	rules(base, dst, got, sizeof(got), &okv);
	ok(!okv && !strcmp(got, "apqn-not-vfio"), "06.0004 not vfio_ap's: %s", got);

	snprintf(dst, sizeof(dst), "%s", edit("\"functions\":\"0x92800000\"",
					      "\"functions\":\"0x92400000\""));
	rules(base, dst, got, sizeof(got), &okv);
	ok(!okv && !strcmp(got, "function-class"), "full -> stateless: %s", got);
	rules(dst, base, got, sizeof(got), &okv);
	ok(okv && !got[0], "stateless -> full: fine (%s)", got);

	snprintf(dst, sizeof(dst), "%s", edit("\"slcf_visible\":true", "\"slcf_visible\":false"));
	rules(base, dst, got, sizeof(got), &okv);
	ok(okv && !strcmp(got, "slcf-unknown slcf-unknown"), "SLCF not visible: warnings (%s)", got);

	snprintf(dst, sizeof(dst), "%s", edit("\"variant\":\"v4\"", "\"variant\":null"));
	rules(base, dst, got, sizeof(got), &okv);
	ok(!okv && !strcmp(got, "no-support"), "no support on the destination: %s", got);

	snprintf(dst, sizeof(dst), "%s", edit("\"uuid\":\"" U1 "\"", "\"uuid\":\"" U2 "\""));
	rules(base, dst, got, sizeof(got), &okv);
	ok(!okv && !strcmp(got, "uuid-missing apqn-held apqn-held"),
	   "U2 holds both APQNs, U1 missing: %s", got);
}

static void test_bad_documents(void)
{
	static const struct {
		const char *from, *to, *err;
	} cases[] = {
		{ "\"api_level\":1", "\"api_level\":2", "the document has api_level 2" },
		{ "\"view\":\"summary\"", "\"view\":\"cards\"", "the document is the 'cards' view" },
		{ "\"migration\":{", "\"migrationX\":{", "the document lacks 'host.migration'" },
		{ "{\"id\":5,", "{\"id\":300,", "cards[0].: id 300 is out of range" },
		{ "{\"id\":6,", "{\"id\":5,", "card 05 appears twice" },
		{ "\"queue_domains\":\"4,71\"", "\"queue_domains\":\"4,,71\"",
		  "cards[0].queue_domains: '4,,71' is not a list of ids" },
		{ "\"functions\":\"0x92800000\"", "\"functions\":\"0x9280\"",
		  "'cards[0].functions' is not a 0x%08X word" },
		{ "\"uuid\":\"" U1 "\"", "\"uuid\":\"../x\"", "'mdevs[0].uuid' is not a UUID" },
		{ "\"ids\":[5,6]", "\"ids\":[5,-6]", "id -6 is out of range" },
		{ "\"active\":true", "\"active\":1", "'mdevs[0].active' has the wrong type" },
	};
	struct ap_mig_host h;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load(edit(cases[i].from, cases[i].to), &h, err, sizeof(err));

		ok(rc == -1 && strstr(err, cases[i].err), "refused: %s (%s)", cases[i].err, err);
		ap_mig_host_free(&h);
	}
	ok(load(base, &h, err, sizeof(err)) == 0, "the base document is fine (%s)", err);
	ap_mig_host_free(&h);
}

static void test_prepare(void)
{
	struct ap_mig_host s, d;
	char err[256], *out = NULL;

	load(base, &s, err, sizeof(err));
	load(edit("\"mdevs\":[{", "\"mdevsX\":[{"), &d, err, sizeof(err));
	ap_mig_host_free(&d);
	load(edit("\"uuid\":\"" U1 "\"", "\"uuid\":\"" U2 "\",\"x\":0"), &d, err, sizeof(err));
	ok(ap_mig_prepare(&s, &d, U1, &out) == 0 && out &&
	   !strcmp(out, "apctl mdev create --uuid " U1 " --adapters 5,6 --domains 4 "
			"--control-domains 4\n"),
	   "prepare: the same-UUID mdev (%s)", out ? out : "");
	free(out);
	ap_mig_host_free(&s);
	ap_mig_host_free(&d);
}

int main(void)
{
	test_rules();
	test_bad_documents();
	test_prepare();
	return done_testing();
}
