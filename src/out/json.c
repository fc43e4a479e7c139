/* SPDX-License-Identifier: MIT */
/* JSON document helpers (json-c), built from the model. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "core/apqn.h"
#include "out/out.h"

struct json_object *ap_json_doc_new(const char *view)
{
	struct json_object *doc = json_object_new_object();

	if (!doc)
		return NULL;
	json_object_object_add(doc, "api_level", json_object_new_int(APCTL_API_LEVEL));
	json_object_object_add(doc, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(doc, "view", json_object_new_string(view));
	return doc;
}

/* --json[=pretty|compact] for the whole process (one document per run) */
static enum ap_json_style json_style = AP_JSON_AUTO;

void ap_json_set_style(enum ap_json_style style)
{
	json_style = style;
}

int ap_json_parse_style(const char *arg, enum ap_json_style *style)
{
	if (!arg)
		*style = AP_JSON_AUTO;
	else if (!strcmp(arg, "pretty"))
		*style = AP_JSON_PRETTY;
	else if (!strcmp(arg, "compact"))
		*style = AP_JSON_COMPACT;
	else
		return -1;
	return 0;
}

const char *ap_json_text(struct json_object *doc, FILE *out)
{
	bool pretty = json_style == AP_JSON_PRETTY ||
		      (json_style == AP_JSON_AUTO && isatty(fileno(out)));

	return json_object_to_json_string_ext(doc, JSON_C_TO_STRING_NOSLASHESCAPE |
					      (pretty ? JSON_C_TO_STRING_PRETTY |
							JSON_C_TO_STRING_SPACED
						      : JSON_C_TO_STRING_PLAIN));
}

int ap_json_print(struct json_object *doc, FILE *out)
{
	const char *s = ap_json_text(doc, out);

	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	if (fputs(s, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF)
		return -1;
	return 0;
}

struct json_object *ap_json_from_cols(const struct ap_colset *cs,
				      const struct ap_out_env *env, const void *obj)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < cs->n; i++) {
		const struct ap_col *c = &cs->cols[i];

		if (c->json_key && c->json)
			json_object_object_add(o, c->json_key, c->json(env, obj));
	}
	return o;
}

struct json_object *ap_json_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *ap_json_mask(const struct ap_mask *m, enum ap_idfmt f)
{
	struct json_object *o = json_object_new_object(), *ids = json_object_new_array();
	char hex[AP_MASK_STRLEN], *r;
	int id;

	if (!o || !ids) {
		json_object_put(o);
		json_object_put(ids);
		return NULL;
	}
	ap_mask_format(m, hex);
	ap_mask_for_each(id, m)
		json_object_array_add(ids, json_object_new_int(id));
	json_object_object_add(o, "mask", json_object_new_string(hex));
	json_object_object_add(o, "ids", ids);
	r = ap_out_idlist(m, AP_IDS_DEC);
	json_object_object_add(o, "ranges", json_object_new_string(r ? r : ""));
	free(r);
	/* as the tables print them: "05-07", "0004,00ab" */
	r = ap_out_idlist(m, f);
	json_object_object_add(o, "hex_ranges", json_object_new_string(r ? r : ""));
	free(r);
	return o;
}

struct json_object *ap_json_apqn(unsigned int apid, unsigned int apqi)
{
	struct json_object *o = json_object_new_object();
	char buf[AP_APQN_STRLEN];

	if (!o)
		return NULL;
	ap_apqn_format(apid, apqi, buf);
	json_object_object_add(o, "adapter", json_object_new_int((int)apid));
	json_object_object_add(o, "domain", json_object_new_int((int)apqi));
	json_object_object_add(o, "apqn", json_object_new_string(buf));
	return o;
}

struct json_object *ap_json_apqns(const struct ap_mask *apm, const struct ap_mask *aqm)
{
	struct json_object *a = json_object_new_array();
	int ap, aq;

	if (!a)
		return NULL;
	ap_mask_for_each(ap, apm)
		ap_mask_for_each(aq, aqm)
			json_object_array_add(a, ap_json_apqn((unsigned int)ap, (unsigned int)aq));
	return a;
}

struct json_object *ap_json_matrix(const struct ap_matrix *mx, bool with_adm)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "adapters", ap_json_mask(&mx->apm, AP_IDS_ADAPTER));
	json_object_object_add(o, "domains", ap_json_mask(&mx->aqm, AP_IDS_DOMAIN));
	json_object_object_add(o, "control_domains",
			       with_adm ? ap_json_mask(&mx->adm, AP_IDS_DOMAIN) : NULL);
	json_object_object_add(o, "apqns", ap_json_apqns(&mx->apm, &mx->aqm));
	return o;
}
