/* SPDX-License-Identifier: MIT */
/* Column selection, tables and JSON objects of src/out on the three-guest host. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "out/out.h"
#include "tap.h"
#include "out-model.h"

static char *render(const struct ap_colset *cs, const char *spec, bool raw, bool nohead,
		    const struct ap_out_env *env, const void *objs, size_t size, size_t n)
{
	struct ap_table_opts o = { .raw = raw, .noheadings = nohead };
	struct libscols_table *tb;
	struct ap_colsel sel;
	char *bad = NULL, *s = NULL;
	size_t i;

	if (ap_colsel_parse(cs, spec, &sel, &bad)) {
		free(bad);
		return NULL;
	}
	tb = ap_table_new(cs, &sel, &o);
	for (i = 0; i < n; i++)
		ap_table_add(tb, cs, &sel, env, (const char *)objs + i * size);
	scols_print_table_to_string(tb, &s);
	scols_unref_table(tb);
	return s;
}

static void test_idlist(void)
{
	struct ap_mask m;
	char *s;

	ap_mask_zero(&m);
	s = ap_out_idlist(&m, AP_IDS_ADAPTER);
	is_str(s, "", "empty set");
	free(s);
	ap_mask_set(&m, 5);
	ap_mask_set(&m, 6);
	s = ap_out_idlist(&m, AP_IDS_ADAPTER);
	is_str(s, "05,06", "adapters 5,6 in hex");
	free(s);
	ap_mask_set_range(&m, 0x47, 0x49);
	s = ap_out_idlist(&m, AP_IDS_DOMAIN);
	is_str(s, "0005,0006,0047-0049", "domains with a range");
	free(s);
	s = ap_out_idlist(&m, AP_IDS_DEC);
	is_str(s, "5,6,71-73", "decimal");
	free(s);
	ap_mask_fill(&m);
	s = ap_out_idlist(&m, AP_IDS_ADAPTER);
	is_str(s, "00-ff", "all adapters");
	free(s);
}

static void test_colsel(void)
{
	struct ap_colsel sel;
	char *bad = NULL;

	ok(ap_colsel_parse(&ap_card_cols, NULL, &sel, &bad) == 0 && sel.n == 7, "defaults");
	ok(ap_colsel_parse(&ap_card_cols, "card,Type", &sel, &bad) == 0 && sel.n == 2 &&
	   !strcmp(ap_card_cols.cols[sel.idx[1]].name, "TYPE"), "names without regard to case");
	ok(ap_colsel_parse(&ap_card_cols, "+HWTYPE", &sel, &bad) == 0 && sel.n == 8 &&
	   !strcmp(ap_card_cols.cols[sel.idx[7]].name, "HWTYPE"), "+COL appends");
	ok(ap_colsel_parse(&ap_card_cols, "CARD,NOPE", &sel, &bad) == -1, "unknown column");
	is_str(bad, "NOPE", "the unknown name is returned");
	free(bad);
	bad = NULL;
	ok(ap_colsel_parse(&ap_card_cols, "CARD,", &sel, &bad) == -1, "empty name refused");
	is_str(bad, "", "empty name returned");
	free(bad);
	bad = NULL;
	ok(ap_colsel_parse(&ap_card_cols, "", &sel, &bad) == -1 && bad == NULL, "empty list");
	ok(ap_colsel_parse(&ap_card_cols, "name", &sel, &bad) == -1, "JSON-only key is no column");
	free(bad);
}

static void test_tables(const struct ap_model *m, const struct ap_out_env *env)
{
	char *s;

	s = render(&ap_card_cols, NULL, false, false, env, m->host.cards,
		   sizeof(m->host.cards[0]), m->host.n_cards);
	is_str(s,
	       "CARD TYPE  MODE STATUS DRIVER   QUEUES RESERVED\n"
	       "  05 CEX7C cca  online cex4card      4 yes\n"
	       "  06 CEX8P ep11 online cex4card      4 yes",
	       "cards table");
	free(s);
	s = render(&ap_card_cols, "CARD,FUNCTIONS,HWTYPE", true, true, env, m->host.cards,
		   sizeof(m->host.cards[0]), m->host.n_cards);
	is_str(s, "05 0x92000000 13\n06 0x94000000 14", "cards --raw --noheadings -o");
	free(s);
	s = render(&ap_queue_cols, NULL, false, false, env, m->host.queues,
		   sizeof(m->host.queues[0]), 3);
	is_str(s,
	       "CARD.DOM TYPE  MODE STATUS   DRIVER  OWNER   MDEV\n"
	       "05.0004  CEX7C cca  in use   vfio_ap vfio_ap " U1 "\n"
	       "05.0047  CEX7C cca  assigned vfio_ap vfio_ap " U2 "\n"
	       "05.00ab  CEX7C cca  in use   vfio_ap vfio_ap " U1,
	       "queues table");
	free(s);
	s = render(&ap_mdev_cols, "UUID,ACTIVE,DEFINED,START,GUEST,ADAPTERS,DOMAINS,CONTROL,NOTE",
		   false, false, env, m->mdevs, sizeof(m->mdevs[0]),
		   m->n_mdevs);
	is_str(s,
	       "UUID                                 ACTIVE DEFINED START  GUEST ADAPTERS DOMAINS   CONTROL NOTE\n"
	       U1 " yes    yes     auto   yes   05,06    0004,00ab 0004    -\n"
	       U2 " yes    yes     manual no    05       0047,00ff -       definition differs: adapters 05, domains 0047, control domains -\n"
	       U3 " no     yes     manual no    06       0047,00ff -       -",
	       "mdev list table");
	free(s);
}

static void test_json(const struct ap_model *m, const struct ap_out_env *env)
{
	struct json_object *o;

	o = ap_json_from_cols(&ap_card_cols, env, &m->host.cards[0]);
	is_str(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	       "{\"id\":5,\"name\":\"05\",\"type\":\"CEX7C\",\"mode\":\"cca\",\"state\":\"online\","
	       "\"driver\":\"cex4card\",\"queues\":4,\"reserved\":true,\"hwtype\":13,"
	       "\"raw_hwtype\":13,\"depth\":8,\"functions\":\"0x92000000\","
	       "\"function_class\":\"none\",\"config\":true,"
	       "\"chkstop\":false,\"online\":true,\"queue_domains\":\"4,71,171,255\","
	       "\"vfio_ap_domains\":\"4,71,171,255\",\"se_bound_domains\":null}",
	       "card JSON");
	json_object_put(o);
	o = ap_json_from_cols(&ap_queue_cols, env, &m->host.queues[1]);
	is_str(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	       "{\"apqn\":\"05.0047\",\"adapter\":5,\"domain\":71,\"type\":\"CEX7C\",\"mode\":\"cca\","
	       "\"state\":\"assigned\",\"vfio_status\":\"assigned\",\"driver\":\"vfio_ap\","
	       "\"owner\":\"vfio_ap\",\"assigned_to\":[\"" U2 "\"],\"defined_for\":[\"" U2 "\"],"
	       "\"config\":true,\"chkstop\":false,\"online\":null,\"driver_override\":null}",
	       "queue JSON");
	json_object_put(o);
	o = ap_json_mask(&m->host.cfg_apm, AP_IDS_ADAPTER);
	is_str(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	       "{\"mask\":\"0x0600000000000000000000000000000000000000000000000000000000000000\","
	       "\"ids\":[5,6],\"ranges\":\"5,6\",\"hex_ranges\":\"05,06\"}",
	       "mask JSON");
	json_object_put(o);
	o = ap_json_mask(&m->host.cfg_aqm, AP_IDS_DOMAIN);
	is_str(json_object_get_string(json_object_object_get(o, "hex_ranges")), "0004,0047,00ab,00ff",
	       "mask JSON of domains: hex_ranges in the tables' four digits");
	json_object_put(o);
	o = ap_json_apqn(5, 0x47);
	is_str(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	       "{\"adapter\":5,\"domain\":71,\"apqn\":\"05.0047\"}", "APQN JSON");
	json_object_put(o);
	o = ap_json_from_cols(&ap_mdev_cols, env, &m->mdevs[2]);
	is_str(json_object_to_json_string_ext(json_object_object_get(o, "live"),
					      JSON_C_TO_STRING_PLAIN), "null",
	       "defined-only mdev: live is null");
	is_str(json_object_get_string(json_object_object_get(o, "state")), "defined",
	       "defined-only mdev: state");
	is_int(json_object_get_int(json_object_object_get(o, "apqn_count")), 2,
	       "defined-only mdev: APQNs of the definition");
	json_object_put(o);
	o = ap_json_doc_new("cards");
	is_str(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	       "{\"api_level\":1,\"version\":\"" PACKAGE_VERSION "\",\"view\":\"cards\"}",
	       "document head");
	json_object_put(o);
}

int main(void)
{
	struct ap_model m;
	struct ap_out_env env = { &m };

	plan_no_plan();
	build_three_guests(&m);
	test_idlist();
	test_colsel();
	test_tables(&m, &env);
	test_json(&m, &env);
	ap_model_free(&m);
	return done_testing();
}
