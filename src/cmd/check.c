/* SPDX-License-Identifier: MIT */
/*
 * apctl check: run the core validation over the whole system (active and
 * defined mdevs, live and persistent masks) and say what is wrong, naming
 * the parties and the way out.  Exit 0 only when nothing is wrong.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "cmd/load.h"
#include "core/exitcodes.h"
#include "i18n.h"
#include "out/out.h"
#include "sys/reader.h"

void usage_check(FILE *out)
{
	fputs(_("\nUsage:\n"), out);
	fputs(_(" apctl check [options]\n"), out);
	fputs(_("\nCheck the whole AP configuration: APQNs shared by mdevs (active and\n"
		"defined), APQNs of mdevs that apmask/aqmask give to the host (now and at\n"
		"boot), ids above the limits, control domains without usage domains,\n"
		"adapters and domains not in the host configuration, and files that\n"
		"cannot be read.  Each problem names the parties and a way out.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -J, --json[=<style>]   one JSON document: pretty on a terminal, else\n"
		"                        compact (style: pretty or compact)\n"
		"     --format <fmt>     table or json\n"
		" -h, --help             display this help\n"), out);
	fputs(_("\nExamples:\n"), out);
	fputs(_("  apctl check && echo fine\n"
		"  apctl check --json | jq '.problems[] | .message'\n"), out);
	fputs(_("\nExit status:\n"), out);
	fputs(_("  0 nothing is wrong, 1 the output could not be written,\n"
		"  2 wrong command line, 3 no AP bus, 7 errors were found,\n"
		"  8 only warnings were found, 9 permission denied (run as root),\n"
		" 10 some files could not be read\n"), out);
}

int cmd_check(struct apctl_ctx *ctx, int argc, char **argv)
{
		static const struct option longopts[] = {
		{ "json", optional_argument, NULL, 'J' },
		{ "format", required_argument, NULL, APCTL_OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct apctl_outopts o = { 0 };
	struct apctl_view v;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":Jh", longopts, NULL)) != -1) {
		rc = apctl_outopt("check", usage_check, opt, optarg, argv, &o);
		if (rc == APCTL_OPT_TAKEN)
			continue;
		if (rc != APCTL_OPT_OTHER)
			return rc;
	}
	if (optind < argc)
		return apctl_usage_error("check", _("unexpected argument '%s'"), argv[optind]);

	rc = apctl_view_load(ctx, &v,
			     AP_RD_CARDS | AP_RD_QUEUES | AP_RD_GUEST | AP_RD_DEFS | AP_RD_PERSIST,
			     APCTL_VIEW_BOOT_AUDIT);
	if (rc)
		return rc;
	if (o.json) {
		struct json_object *doc = ap_json_doc_new("check");

		json_object_object_add(doc, "problems", apctl_view_problems_json(&v));
		if (v.journal)
			json_object_object_add(doc, "change_journal", apctl_view_journal_json(&v));
		json_object_object_add(doc, "errors", json_object_new_int((int)v.n_errors));
		json_object_object_add(doc, "warnings", json_object_new_int((int)v.n_warnings));
		json_object_object_add(doc, "diagnostics", apctl_view_diags_json(&v));
		rc = apctl_print_json(doc, stdout);
	} else {
		size_t nj = apctl_view_journal_print(&v, stdout);

		if (!apctl_view_problems_print(&v, stdout) && !nj && !v.n_read_errors) {
			printf("%s\n", _("no problems found"));
		} else {
			printf(P_("%zu error", "%zu errors", v.n_errors), v.n_errors);
			printf(P_(", %zu warning", ", %zu warnings", v.n_warnings), v.n_warnings);
			if (v.n_read_errors)
				printf(P_(", %zu file could not be read", ", %zu files could not be read",
					  v.n_read_errors), v.n_read_errors);
			putchar('\n');
		}
	}
	if (!rc) {
		if (v.n_errors)
			rc = APCTL_EXIT_PROBLEMS;
		else if (v.n_read_errors)
			rc = APCTL_EXIT_BADDATA;
		else if (v.n_warnings)
			rc = APCTL_EXIT_WARNINGS;
	}
	apctl_view_free(&v);
	return rc;
}
