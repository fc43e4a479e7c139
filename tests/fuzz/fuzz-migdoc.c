/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the reader of 'apctl show --json' documents that migrate-check takes
 * from another host (core/migrate.h), and the rules behind it.
 * Invariants: a refused document has a reason; an accepted one can be
 * checked against itself for each of its mdevs without a crash, each
 * finding has a reason, and its ids are in range.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "core/migrate.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *doc;
	struct ap_mig_host h;
	char err[512] = "";

	if (!tok)
		return 0;
	doc = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (!doc)
		return 0;
	memset(&h, 0, sizeof(h));
	if (ap_mig_host_from_json(doc, &h, err, sizeof(err))) {
		FUZZ_CHECK(err[0]);
	} else {
		for (size_t i = 0; i < h.n_mdevs && i < 8; i++) {
			struct ap_mig_verdict v;
			char *prep = NULL;

			if (ap_mig_check(&h, &h, h.mdevs[i].uuid, &v) == 0)
				for (size_t k = 0; k < v.n; k++)
					FUZZ_CHECK(v.f[k].reason && v.f[k].reason[0] &&
						   v.f[k].apid < 256 && v.f[k].apqi < 256);
			ap_mig_verdict_free(&v);
			if (ap_mig_prepare(&h, &h, h.mdevs[i].uuid, &prep) == 0)
				FUZZ_CHECK(prep != NULL);
			free(prep);
		}
	}
	ap_mig_host_free(&h);
	json_object_put(doc);
	return 0;
}
