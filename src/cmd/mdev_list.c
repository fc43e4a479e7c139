/* SPDX-License-Identifier: MIT */
/*
 * apctl mdev list: active (sysfs) and defined (mdevctl) mdevs in one listing
 * that keeps the two apart: separate ACTIVE and DEFINED columns, START of
 * the definition, and a NOTE when the definition differs from the live mdev.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/load.h"
#include "core/exitcodes.h"
#include "i18n.h"
#include "out/out.h"
#include "sys/reader.h"


void usage_mdev_list(FILE *out)
{
	fputs(_("\nUsage:\n"), out);
	fputs(_(" apctl mdev list [options]\n"), out);
	fputs(_("\nList the vfio_ap mediated devices: those that exist in sysfs and those\n"
		"mdevctl has a definition for, in one table (STATE says which; INDEX is the\n"
		"number 'show matrix' uses).  When both exist and the definition is not\n"
		"what is live, NOTE says how.  The same listing as 'apctl show mdevs'.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --active           only mdevs that exist in sysfs\n"
		"     --defined          only mdevs that have a definition\n"
		" -o, --output <list>    the columns to print (+list appends to the default)\n"
		" -n, --noheadings       do not print headings\n"
		" -r, --raw              raw output: no alignment, cells separated by a space\n"
		" -J, --json[=<style>]   one JSON document: pretty on a terminal, else\n"
		"                        compact (style: pretty or compact)\n"
		"     --format <fmt>     table or json\n"
		" -h, --help             display this help\n"), out);
	ap_colset_usage(out, &ap_mdev_cols);
	fputs(_("\nExamples:\n"), out);
	fputs(_("  apctl mdev list\n"
		"  apctl mdev list --defined -o UUID,START\n"
		"  apctl mdev list --json\n"), out);
	fputs(_("\nExit status:\n"), out);
	fputs(_("  0 success, 1 the output could not be written, 2 wrong command line,\n"
		"  3 no AP bus, 9 permission denied (run as root),\n"
		" 10 some files could not be read\n"), out);
}

static bool mdev_shown(enum apctl_mdevs which, const struct ap_mdev *md)
{
	if ((which == APCTL_MDEVS_ACTIVE || which == APCTL_MDEVS_BOTH) && !md->active)
		return false;
	return !((which == APCTL_MDEVS_DEFINED || which == APCTL_MDEVS_BOTH) && !md->defined);
}

int apctl_mdevs_print(struct apctl_ctx *ctx, struct apctl_view *v,
		      const struct apctl_outopts *o, const struct ap_colsel *sel,
		      enum apctl_mdevs which, const char *json_view)
{
	struct libscols_table *tb;
	size_t i, shown = 0;
	int rc;

	if (o->json) {
		struct json_object *doc = ap_json_doc_new(json_view);
		struct json_object *a = json_object_new_array();

		if (doc && v->journal)
			json_object_object_add(doc, "change_journal", apctl_view_journal_json(v));
		for (i = 0; a && i < v->m.n_mdevs; i++) {
			const struct ap_mdev *md = &v->m.mdevs[i];

			if (!mdev_shown(which, md))
				continue;
			json_object_array_add(a, ap_json_from_cols(&ap_mdev_cols, &v->env, md));
		}
		json_object_object_add(doc, "mdevs", a);
		json_object_object_add(doc, "diagnostics", apctl_view_diags_json(v));
		return apctl_print_json(doc, stdout);
	}
	tb = ap_table_new(&ap_mdev_cols, sel, &o->table);
	for (i = 0; tb && i < v->m.n_mdevs; i++) {
		const struct ap_mdev *md = &v->m.mdevs[i];

		if (!mdev_shown(which, md))
			continue;
		shown++;
		if (ap_table_add(tb, &ap_mdev_cols, sel, &v->env, md)) {
			scols_unref_table(tb);
			tb = NULL;
		}
	}
	if (!tb) {
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	rc = apctl_print_table(tb, stdout);
	/* an empty table prints nothing: say so, as lszcrypt does */
	if (!rc && !shown)
		apctl_note(ctx, which == APCTL_MDEVS_ACTIVE ? _("no active mdevs")
				: which != APCTL_MDEVS_ALL ? _("no mdevs defined for mdevctl")
				: _("no mdevs: none is active and none is defined for mdevctl"));
	return rc;
}

int cmd_mdev_list(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_ACTIVE = APCTL_OPT_FORMAT + 1, OPT_DEFINED };
	static const struct option longopts[] = {
		{ "active", no_argument, NULL, OPT_ACTIVE },
		{ "defined", no_argument, NULL, OPT_DEFINED },
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "json", optional_argument, NULL, 'J' },
		{ "format", required_argument, NULL, APCTL_OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct apctl_outopts o = { 0 };
	enum apctl_mdevs which = APCTL_MDEVS_ALL;
	struct apctl_view v;
	struct ap_colsel sel;
	char *bad;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:nrJh", longopts, NULL)) != -1) {
		rc = apctl_outopt("mdev list", usage_mdev_list, opt, optarg, argv, &o);
		if (rc == APCTL_OPT_TAKEN)
			continue;
		if (rc != APCTL_OPT_OTHER)
			return rc;
		if (opt == OPT_ACTIVE)
			which = which == APCTL_MDEVS_DEFINED ? APCTL_MDEVS_BOTH : APCTL_MDEVS_ACTIVE;
		else if (opt == OPT_DEFINED)
			which = which == APCTL_MDEVS_ACTIVE ? APCTL_MDEVS_BOTH : APCTL_MDEVS_DEFINED;
	}
	if (optind < argc)
		return apctl_usage_error("mdev list", _("unexpected argument '%s'"), argv[optind]);
	if (o.json && (o.columns || o.table.raw || o.table.noheadings))
		return apctl_usage_error("mdev list", _("--json cannot be combined with -o, "
							"--raw or --noheadings"));
	if (!o.json && ap_colsel_parse(&ap_mdev_cols, o.columns, &sel, &bad)) {
		rc = apctl_usage_error("mdev list", _("unknown column '%s' for %s"),
				       bad ? bad : "", ap_mdev_cols.what);
		free(bad);
		return rc;
	}

	rc = apctl_view_load(ctx, &v,
			     AP_RD_MDEVS | AP_RD_DEFS |
			     apctl_read_flags(o.json ? ap_colset_json_needs(&ap_mdev_cols)
						     : ap_colsel_needs(&ap_mdev_cols, &sel)),
			     false);
	if (rc)
		return rc;
	rc = apctl_mdevs_print(ctx, &v, &o, &sel, which, "mdev-list");
	if (!rc && v.n_read_errors)
		rc = APCTL_EXIT_BADDATA;
	apctl_view_free(&v);
	return rc;
}
