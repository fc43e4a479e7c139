/* SPDX-License-Identifier: MIT */
/* Column selection (-o, +COL) and the libsmartcols table renderer. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "out/out.h"

static int find_col(const struct ap_colset *cs, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (cs->cols[i].name && strlen(cs->cols[i].name) == len &&
		    !strncasecmp(cs->cols[i].name, name, len))
			return (int)i;
	return -1;
}

/* append the names of list to sel; -1 with *bad on an unknown name */
static int add_list(const struct ap_colset *cs, const char *list, struct ap_colsel *sel,
		    char **bad)
{
	const char *p = list, *e;
	int i;

	for (;;) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		i = find_col(cs, p, (size_t)(e - p));
		if (i < 0 || sel->n >= AP_COLSEL_MAX) {
			*bad = strndup(p, (size_t)(e - p));
			return -1;
		}
		sel->idx[sel->n++] = (size_t)i;
		if (!*e)
			return 0;
		p = e + 1;
	}
}

int ap_colsel_parse(const struct ap_colset *cs, const char *spec, struct ap_colsel *sel,
		    char **bad)
{
	*bad = NULL;
	sel->n = 0;
	if (!spec || *spec == '+') {
		if (add_list(cs, cs->defaults, sel, bad))
			return -1;	/* not reached: defaults are valid */
		if (!spec)
			return 0;
		spec++;
	}
	if (!*spec)
		return -1;
	return add_list(cs, spec, sel, bad);
}

unsigned int ap_colsel_needs(const struct ap_colset *cs, const struct ap_colsel *sel)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < sel->n; i++)
		n |= cs->cols[sel->idx[i]].needs;
	return n;
}

unsigned int ap_colset_json_needs(const struct ap_colset *cs)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (cs->cols[i].json_key)
			n |= cs->cols[i].needs;
	return n;
}

void ap_colset_usage(FILE *out, const struct ap_colset *cs)
{
	size_t i;

	fprintf(out, _("\nAvailable output columns (%s):\n"), cs->what);
	for (i = 0; i < cs->n; i++)
		if (cs->cols[i].name)
			fprintf(out, " %12s  %s\n", cs->cols[i].name, _(cs->cols[i].help));
	fprintf(out, _(" Default: %s\n"), cs->defaults);
}

struct libscols_table *ap_table_new(const struct ap_colset *cs, const struct ap_colsel *sel,
				    const struct ap_table_opts *o)
{
	struct libscols_table *tb = scols_new_table();
	size_t i;

	if (!tb)
		return NULL;
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	for (i = 0; i < sel->n; i++) {
		const struct ap_col *c = &cs->cols[sel->idx[i]];

		if (!scols_table_new_column(tb, c->name, c->whint, c->flags)) {
			scols_unref_table(tb);
			return NULL;
		}
	}
	return tb;
}

int ap_table_add(struct libscols_table *tb, const struct ap_colset *cs,
		 const struct ap_colsel *sel, const struct ap_out_env *env, const void *obj)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	size_t i;

	if (!ln)
		return -ENOMEM;
	for (i = 0; i < sel->n; i++) {
		const struct ap_col *c = &cs->cols[sel->idx[i]];
		char *s = c->text ? c->text(env, obj) : NULL;

		if (s && scols_line_refer_data(ln, i, s)) {
			free(s);
			return -ENOMEM;
		}
	}
	return 0;
}
