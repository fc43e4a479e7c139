/* SPDX-License-Identifier: MIT */
/*
 * What the read-only commands (show, check, mdev list) share: reading the
 * whole model once, printing the reader's diagnostics, the "no AP bus"
 * answer, the problems of the core validation, and the output options.
 */
#ifndef APCTL_CMD_LOAD_H
#define APCTL_CMD_LOAD_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "core/model.h"
#include "out/out.h"

struct apctl_view {
	struct ap_model m;
	struct ap_out_env env;
	void *diags;		/* struct ap_diags * (sys/diag.h) */
	void *problems;		/* the core validation's result */
	size_t n_errors, n_warnings;	/* problems by severity */
	size_t n_read_errors;		/* diagnostics of level error */
	/* struct ap_journal_probe * (sys/journal.h): an interrupted change (counted
	 * in n_errors), a change in progress, or a journal that cannot be used
	 * (counted in n_read_errors); NULL when there is no journal */
	void *journal;
};

/*
 * Read the model (read_flags: sys/reader.h AP_RD_*).  Prints the reader's
 * diagnostics as warnings on stderr (they also go into JSON documents).
 * With $APCTL_DEBUG_STATS set, prints what was read ("apctl: stats: ...").  Returns 0, or an exit
 * code (APCTL_EXIT_NOAP after printing the one-line explanation).
 */
/* want_problems: 0 none, 1 the validator's audit, APCTL_VIEW_BOOT_AUDIT
 * that and what a reboot would change (check) */
#define APCTL_VIEW_BOOT_AUDIT 2
int apctl_view_load(struct apctl_ctx *ctx, struct apctl_view *v, unsigned int read_flags,
		    int want_problems);
/* the same, reading the files of single cards and queues only for those in sel */
struct ap_sel;
int apctl_view_load_sel(struct apctl_ctx *ctx, struct apctl_view *v, unsigned int read_flags,
			int want_problems, const struct ap_sel *sel);
void apctl_view_free(struct apctl_view *v);

/* "diagnostics": [...] */
struct json_object *apctl_view_diags_json(const struct apctl_view *v);
/* "change_journal": {...}, or NULL without a journal */
struct json_object *apctl_view_journal_json(const struct apctl_view *v);
/* the journal's problem as text (check): the number of lines printed */
size_t apctl_view_journal_print(const struct apctl_view *v, FILE *out);
/* "problems": [...] */
struct json_object *apctl_view_problems_json(const struct apctl_view *v);
/* the problems as text, one paragraph each; returns the number printed */
size_t apctl_view_problems_print(const struct apctl_view *v, FILE *out);

/* reader flags (sys/reader.h AP_RD_*) for column needs (out/out.h AP_NEED_*) */
unsigned int apctl_read_flags(unsigned int needs);

/* the common output options of show / check / mdev list */
struct apctl_outopts {
	bool json;
	const char *columns;	/* -o */
	struct ap_table_opts table;
};

/* the value getopt_long returns for --format in these commands */
#define APCTL_OPT_FORMAT 0x100
/* apctl_outopt(): the option was taken, parsing goes on / it is the
 * command's own */
#define APCTL_OPT_TAKEN (-1)
#define APCTL_OPT_OTHER (-2)

/*
 * One option of those show, check and mdev list share (-o, -n, -r, -J,
 * --format, -h) or one of getopt_long's errors (':' and '?', with ":" at
 * the start of the option string).  Returns APCTL_OPT_TAKEN to go on,
 * APCTL_OPT_OTHER for an option the command handles itself, or else the exit
 * status the command returns: 0 after --help printed the usage, the code of
 * a usage error after its message.
 */
int apctl_outopt(const char *cmd, void (*usage)(FILE *), int opt, const char *arg,
		 char **argv, struct apctl_outopts *o);
/*
 * The mdevs as 'show mdevs' and 'mdev list' print them (one table, one
 * default): those of 'which', as a table with the columns of sel or as a
 * JSON document of view json_view.  Says so when there are none.
 */
enum apctl_mdevs {
	APCTL_MDEVS_ALL,
	APCTL_MDEVS_ACTIVE,	/* --active */
	APCTL_MDEVS_DEFINED,	/* --defined */
	APCTL_MDEVS_BOTH,	/* --active --defined: active and defined */
};
int apctl_mdevs_print(struct apctl_ctx *ctx, struct apctl_view *v,
		      const struct apctl_outopts *o, const struct ap_colsel *sel,
		      enum apctl_mdevs which, const char *json_view);
/* print a table (and free it); 0 or APCTL_EXIT_FAILURE */
int apctl_print_table(struct libscols_table *tb, FILE *out);
/* print a JSON document (and release it); 0 or APCTL_EXIT_FAILURE */
int apctl_print_json(struct json_object *doc, FILE *out);

/* show.c: the summary document of 'apctl show --json' (NULL: memory), the
 * flags to load it with, and its host.migration object */
unsigned int apctl_summary_read_flags(void);
struct json_object *apctl_summary_doc(struct apctl_view *v);
struct ap_host;
struct json_object *apctl_migration_json(const struct ap_host *h);

#endif
