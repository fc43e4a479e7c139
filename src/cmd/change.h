/* SPDX-License-Identifier: MIT */
/*
 * The transaction flow every command that changes the system goes through
 * (reserve, release, mdev create/modify/remove):
 *
 *   read the model -> build the plan -> validate it -> print the problems
 *   (exit CONFLICT) or, with --dry-run, the plan -> take the s390apconfig
 *   lock -> re-read the model, rebuild and re-validate the plan (somebody
 *   may have changed something meanwhile) -> apply each step with read-back
 *   verification, undoing the steps already done in reverse order when one
 *   fails -> release the lock -> report, in text or as a JSON document.
 *
 * A command describes itself with a struct chg_ops: a build() callback that
 * validates what the command line asks against a model and states it as
 * requests (core/request.h; called once before the lock and once under it),
 * and a report() callback for the success message.  The plan and its
 * execution are the same for every command: core/plan.h and sys/exec.h.
 */
#ifndef APCTL_CMD_CHANGE_H
#define APCTL_CMD_CHANGE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "core/apmask.h"
#include "core/model.h"
#include "core/request.h"

#define CHG_IGNORE_MAX 32	/* --ignore-definition given at most this often */

/* options every changing command accepts */
struct chg_opts {
	bool dry_run;		/* -n, --dry-run: print the plan, write nothing */
	bool yes;		/* -y, --yes: do not ask */
	bool json;		/* -J, --json: a result document on stdout */
	bool force;		/* -f, --force: allow what is refused otherwise */
	int wait;		/* -w, --wait SECONDS for the lock */
	int timeout;		/* mdev remove: seconds to wait for the kernel */
	/* --ignore-definition: unreadable definitions (UUID or file) left out
	 * of the check instead of refusing the change */
	const char *ignore_def[CHG_IGNORE_MAX];
	size_t n_ignore_def;
	/* mdev remove --undefine: the mdev (lowercase) whose definition is
	 * deleted even when apctl cannot read it */
	const char *removing_def;
	/* with json: the result document is handed over here (the caller
	 * owns it) instead of printed (mdev start --autostart collects one
	 * per mdev into its own document) */
	struct json_object **json_out;
	/* reserve/release --settle[=S] / --no-settle: after a change that
	 * rebinds queues, wait at most this many seconds for the kernel's
	 * "bindings complete" event; -1: the default (on for the real /sys
	 * with udev running, CHG_SETTLE_DEFAULT seconds), 0: off */
	int settle;
};

#define CHG_SETTLE_DEFAULT 10	/* seconds */
#define CHG_SETTLE_MAX 600
/* reserve and release: --settle[=S], --no-settle (chg_opt() handles them) */
#define CHG_OPT_SETTLE 0x202
#define CHG_OPT_NO_SETTLE 0x203
#define CHG_SETTLE_LONGOPTS \
	{ "settle", optional_argument, NULL, CHG_OPT_SETTLE }, \
	{ "no-settle", no_argument, NULL, CHG_OPT_NO_SETTLE }
/* their --help lines */
void chg_usage_settle(FILE *out);

#define CHG_WAIT_DEFAULT 90	/* seconds; about what s390-tools waits */
#define CHG_WAIT_MAX 3600
#define CHG_TIMEOUT_DEFAULT 30	/* seconds mdev remove waits for a guest */

enum {
	CHG_OPT_DRYRUN = 0x201,	/* --dry-run: no short form (-n is --noheadings) */
	CHG_OPT_YES = 'y',
	CHG_OPT_JSON = 'J',
	CHG_OPT_FORCE = 'f',
	CHG_OPT_WAIT = 'w',
	CHG_OPT_HELP = 'h',
	CHG_OPT_IGNORE_DEF = 0x200,	/* --ignore-definition (no short form) */
};

/* the short options and struct option entries of the shared options (the
 * leading ':' makes getopt report a missing argument as ':'; the command
 * sets opterr = 0 and lets chg_opt() word the errors) */
#define CHG_SHORTOPTS "yJfw:h"
#define CHG_LONGOPTS \
	{ "dry-run", no_argument, NULL, CHG_OPT_DRYRUN }, \
	{ "yes", no_argument, NULL, CHG_OPT_YES }, \
	{ "json", optional_argument, NULL, CHG_OPT_JSON }, \
	{ "force", no_argument, NULL, CHG_OPT_FORCE }, \
	{ "wait", required_argument, NULL, CHG_OPT_WAIT }, \
	{ "help", no_argument, NULL, CHG_OPT_HELP }, \
	{ "ignore-definition", required_argument, NULL, CHG_OPT_IGNORE_DEF }

void chg_opts_init(struct chg_opts *o);
/*
 * Handle an option the command's own switch did not take (its default case):
 * one of the shared options, or an error.  Returns true when parsing goes on;
 * false when the command must return *status: 0 after --help was printed, or
 * the exit code of a usage error already printed (an option that is neither
 * the command's nor a shared one included).
 */
bool chg_opt(struct chg_opts *o, int opt, const char *arg, const char *cmd,
	     void (*usage)(FILE *), char **argv, int *status);
/* the --help lines of the shared options */
void chg_usage_common(FILE *out);
/* the EXIT STATUS block of a changing command's --help */
/* force: the command's own --force rule, a translated paragraph */
void chg_usage_exit(FILE *out, const char *force);
/* parse a number of seconds 0..max for option name; usage error otherwise */
int chg_parse_seconds(const char *cmd, const char *opt, const char *arg, int max, int *out);

/*
 * Parse a UUID given on the command line.  Refuses everything but the
 * 36-character 8-4-4-4-12 form (so nothing path-like ever reaches a file
 * name); lowercases it into out.  Returns 0, or prints the refusal and
 * returns APCTL_EXIT_USAGE.
 */
int chg_parse_uuid(const char *cmd, const char *arg, char out[AP_UUID_STRLEN]);

/* lszcrypt-style id list: "05,06", "05-07", "0004,00ab" (width 2 or 4);
 * "none" for the empty set.  malloc'd (NULL only when memory is short). */
struct chg_txn;
/* an id list of option opt (no relative form), ids <= max; -1 after
 * recording a usage problem (exit 2) */
int chg_parse_ids(struct chg_txn *t, const char *opt, const char *s, unsigned int max,
		  struct ap_mask *out);
char *chg_ids(const struct ap_mask *m, int width);
/* decimal range list for apctl command lines ("5-6,171"; "" when empty) */
char *chg_ids_dec(const struct ap_mask *m);
/* APQNs a x d as "05.0004 05.00ab ..." limited to max entries ("..." after) */
char *chg_apqns(const struct ap_mask *a, const struct ap_mask *d, unsigned int max);

/* what a command plugs into the flow */
struct chg_ops {
	const char *cmd;	/* "reserve", "mdev create": messages and JSON */
	/*
	 * Check the request against model m (chg_validate()) and add it to t
	 * (chg_request()), adding refusals with chg_problem(); called before
	 * the lock and again under it (chg_txn_locked()).  Returns 0, or an
	 * exit code when the request cannot be planned at all (then the
	 * message has been added with chg_problem()).
	 */
	int (*build)(struct chg_txn *t, const struct ap_model *m, void *arg);
	/*
	 * Optional: a question to confirm before applying (NULL: none).  Asked
	 * on a terminal; refused without -y otherwise.
	 */
	const char *(*confirm)(struct chg_txn *t, const struct ap_model *m, void *arg);
	/* success: print the result and add keys to doc (NULL without --json) */
	void (*report)(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
		       void *arg);
};

/* Run the whole transaction.  Returns the exit code. */
int chg_run(struct apctl_ctx *ctx, const struct chg_opts *o, const struct chg_ops *ops,
	    void *arg);

const struct chg_opts *chg_txn_opts(const struct chg_txn *t);
struct apctl_ctx *chg_txn_ctx(const struct chg_txn *t);
/* true while building under the lock (the second time) */
bool chg_txn_locked(const struct chg_txn *t);
/* the full path of rel (relative to the root, "etc/...") into buf */
int chg_root_path(struct chg_txn *t, char *buf, size_t size, const char *rel);
/* the path context of the change (sys/path.h) */
struct ap_path *chg_txn_path(struct chg_txn *t);
/* uuid was made up by apctl (mdev create without --uuid): messages say
 * "the new mdev" instead of naming a UUID that exists nowhere */
void chg_txn_new_mdev(struct chg_txn *t, const char *uuid);
/* number of steps planned so far */
size_t chg_txn_nsteps(const struct chg_txn *t);
/* step i of the plan (NULL past the end) */
struct ap_step;
const struct ap_step *chg_txn_step(const struct chg_txn *t, size_t i);

enum chg_severity {
	CHG_WARNING = 0,	/* printed, does not stop the change */
	CHG_ERROR,		/* the change is refused */
};

/*
 * A problem found while building: printed as "apctl: <msg>" (errors) or
 * "apctl: warning: <msg>"; in JSON {"severity", "kind", "message"}.
 * kind is a stable machine word ("apqn-in-use", "zero-mask", ...).
 * An error's exit code is APCTL_EXIT_CONFLICT unless chg_problem_exit()
 * says otherwise.
 */
void chg_problem(struct chg_txn *t, enum chg_severity sev, const char *kind,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* like chg_problem(CHG_ERROR) with another exit code (e.g. USAGE, NOAP) */
void chg_problem_exit(struct chg_txn *t, int exit_code, const char *kind,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Validate req against m with the core validator (core/validate.h) and add
 * every problem the change introduces (not those that exist anyway) to t.
 * Returns the number of new errors.
 */
unsigned int chg_validate(struct chg_txn *t, const struct ap_model *m,
			  const struct ap_request *req);

/*
 * Validate all the change's requests in the order added, each against the
 * system as the earlier ones leave it (core/validate.h ap_validate_txn), and
 * add every problem they introduce.  For requests that depend on earlier
 * ones (mdev create --reserve: the create is checked as if the reservation
 * were made; apply).  Call once, after the last chg_request(), instead of
 * chg_validate() per request.  Returns the number of new errors.
 */
unsigned int chg_validate_all(struct chg_txn *t, const struct ap_model *m);
/* the number of requests added so far */
size_t chg_txn_nreqs(const struct chg_txn *t);
/* the --json result document (NULL without --json), to add keys while building */
struct json_object *chg_txn_doc(const struct chg_txn *t);

/*
 * Add a request to the change.  After the build callback, the core planner
 * (core/plan.h) turns the requests, in the order added, into one plan of
 * steps, each with its undo, its read-back check and its repair command;
 * the executor (sys/exec.h) applies it.
 */
void chg_request(struct chg_txn *t, const struct ap_request *req);

#endif
