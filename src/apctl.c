/* SPDX-License-Identifier: MIT */
/*
 * apctl: administer the s390 AP crypto bus and vfio_ap mediated devices.
 *
 * main(): locale, global options (parsing stops at the command), and an
 * exact-match command table.  Each command lives in src/cmd/.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "core/exitcodes.h"
#include "i18n.h"
#include "out/out.h"

static const struct apctl_cmd commands[] = {
	{ "show", cmd_show, N_("show the AP configuration, queues, mdevs and owners"), usage_show },
	{ "check", cmd_check, N_("audit masks, mdevs and definitions for conflicts"), usage_check },
	{ "reserve", cmd_reserve, N_("give adapters or domains to vfio_ap (edit apmask/aqmask)"), usage_reserve },
	{ "release", cmd_release, N_("give adapters or domains back to the host drivers"), usage_release },
	{ "mdev", cmd_mdev, N_("list, create, modify and remove vfio_ap mediated devices"), usage_mdev },
	{ "repair", cmd_repair, N_("undo (or complete) a change that was interrupted"), usage_repair },
	{ "export", cmd_export, N_("print the AP configuration as a document apply takes"), usage_export },
	{ "apply", cmd_apply, N_("make the AP configuration what a document says, in one change"), usage_apply },
	{ "monitor", cmd_monitor, N_("print AP and vfio_ap events and what they mean for guests"), usage_monitor },
	{ "migrate-check", cmd_migrate_check,
	  N_("check that guests' crypto configuration can migrate to another host"),
	  usage_migrate_check },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* --json asked for: what the error document of a failure needs */
static struct {
	bool wanted;		/* --json (or --format json) on the command line */
	bool done;		/* the command printed its own document */
	bool change;		/* a changing command: apctl-change.schema.json */
	bool dry_run;
	char command[32];	/* "reserve", "mdev remove"; views: the command */
	const char *view;	/* views: "summary", "cards", ..., "check", "mdev-list" */
	char *error;		/* the first error message */
} json_fb;

void apctl_json_done(void)
{
	json_fb.done = true;
}

int apctl_json_style_opt(const char *cmd, const char *arg)
{
	enum ap_json_style st;

	if (ap_json_parse_style(arg, &st))
		return apctl_usage_error(cmd, _("--json=%s: the style is pretty or compact"), arg);
	ap_json_set_style(st);
	return 0;
}

const char *apctl_exit_status_name(int rc)
{
	switch (rc) {
	case APCTL_EXIT_OK:
		return "ok";
	case APCTL_EXIT_FAILURE:
		return "failed";
	case APCTL_EXIT_USAGE:
		return "usage";
	case APCTL_EXIT_NOAP:
		return "no-ap";
	case APCTL_EXIT_CONFLICT:
		return "refused";
	case APCTL_EXIT_LOCK:
		return "lock";
	case APCTL_EXIT_PARTIAL:
		return "partial";
	case APCTL_EXIT_PROBLEMS:
		return "problems";
	case APCTL_EXIT_WARNINGS:
		return "warnings";
	case APCTL_EXIT_PERM:
		return "permission";
	case APCTL_EXIT_PENDING:
		return "pending";
	case APCTL_EXIT_NOMATCH:
		return "no-match";
	default:
		return "error";
	}
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	if (json_fb.wanted && !prefix && !json_fb.error) {
		va_list aq;

		va_copy(aq, ap);
		if (vasprintf(&json_fb.error, fmt, aq) < 0)
			json_fb.error = NULL;
		va_end(aq);
	}
	fputs("apctl: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void apctl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void apctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(_("warning: "), fmt, ap);
	va_end(ap);
}

void apctl_note(const struct apctl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);	/* a note, never the error of a JSON document */
	va_end(ap);
}

int apctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, _("Try 'apctl %s --help' for more information.\n"), cmd);
	else
		fputs(_("Try 'apctl --help' for more information.\n"), stderr);
	return APCTL_EXIT_USAGE;
}

int apctl_option_error(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		return apctl_usage_error(cmd, _("option '%s' requires an argument"),
					 argv[optind - 1]);
	if (optopt && optopt < 0x100)
		return apctl_usage_error(cmd, _("invalid option -- '%c'"), optopt);
	return apctl_usage_error(cmd, _("unrecognized option '%s'"), argv[optind - 1]);
}

static void usage(FILE *out)
{
	size_t i;

	fputs(_("\nUsage:\n"), out);
	fputs(_(" apctl [options] <command> [<args>]\n"), out);
	fputs(_("\nAdminister the s390 AP crypto bus and vfio_ap mediated devices:\n"
		"hand adapters, domains and APQNs to KVM guests safely.\n"), out);
	fputs(_("\nCommands:\n"), out);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fprintf(out, "  %-10s %s\n", "help", _("show the help of a command"));
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --root <dir>   use <dir> instead of / for /etc, /run, /proc and /sys\n"), out);
	fputs(_(" -q, --quiet        print no progress messages or notes\n"), out);
	fputs(_(" -V, --verbose      print each file read and each write with its value\n"), out);
	fputs(_(" -h, --help         display this help\n"), out);
	fputs(_(" -v, --version      display version\n"), out);
	fputs(_("\n--root, -q and -V may also follow the command (apctl show cards -V).\n"),
	      out);
	fputs(_("\nEnvironment:\n"), out);
	fputs(_(" SYSFS_ROOT         sysfs mount point (default /sys, or <root>/sys)\n"), out);
	fputs(_(" APCTL_ROOT         the same as --root\n"), out);
	fputs(_("\nExit status:\n"), out);
	fputs(_("  0  success; for check: nothing is wrong\n"
		"  1  a change failed and everything it had done was undone, or the\n"
		"     output could not be written (the message says whether a change was made)\n"
		"  2  wrong command line (also: a UUID that names no mdev; a change that\n"
		"     needs confirmation without --yes and no terminal)\n"
		"  3  no AP bus or no vfio_ap on this system\n"
		"  4  refused: the change conflicts with the configuration, was not\n"
		"     confirmed, or an earlier change was interrupted (run 'apctl repair');\n"
		"     nothing was written\n"
		"  5  the AP configuration lock was not obtained\n"
		"  6  a change failed and could not be undone completely (see the message)\n"
		"  7  errors were found (check, show)\n"
		"  8  only warnings were found (check)\n"
		"  9  root privileges are needed: for a change, or to read the AP configuration\n"
		" 10  malformed data in sysfs, a configuration file, the lock file or the\n"
		"     change journal\n"
		" 11  removal pending (mdev remove): the guest still holds the device; the\n"
		"     kernel completes the removal when the guest releases it\n"
		" 12  no match (show cards, show queues): an id or --mdev given to filter\n"
		"     the view matches nothing on this host\n"), out);
	fputs(_("\nRun 'apctl help <command>' for the options of a command; see apctl(8).\n"), out);
}

/* Levenshtein distance, for suggesting a command after a typo */
size_t apctl_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[32], prev, tmp;

	if (la >= 31 || lb >= 31)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static const struct apctl_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	size_t i, best = 0, bestd = 99, d;

	for (i = 0; i < N_COMMANDS; i++) {
		d = apctl_edit_distance(name, commands[i].name);
		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	if (bestd <= 2)
		return apctl_usage_error(NULL, _("unknown command '%s'; did you mean '%s'?"),
					 name, commands[best].name);
	return apctl_usage_error(NULL, _("unknown command '%s'"), name);
}

static int cmd_help(int argc, char **argv)
{
	const struct apctl_cmd *c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return APCTL_EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	if (c->fn == cmd_mdev && argc <= 3)	/* apctl help mdev create */
		return mdev_help(argc == 3 ? argv[2] : NULL);
	if (argc > 2)
		return apctl_usage_error(NULL, _("help takes one command name"));
	c->usage(stdout);
	return APCTL_EXIT_OK;
}

/*
 * Global options after the command, as lszcrypt and chzdev users write them
 * ("apctl reserve -q 5", "apctl show cards -V"): taken out of the command's
 * arguments (up to "--") into ctx.  Returns 0 or a usage error's exit code.
 */
static int global_opts_after(struct apctl_ctx *ctx, int *argc, char **argv)
{
	int i, j = 1;
	bool rest = false;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (rest || !strcmp(a, "--")) {
			rest = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			ctx->quiet = true;
			continue;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--verbose")) {
			ctx->verbose = true;
			continue;
		} else if (!strncmp(a, "--root=", 7)) {
			ctx->root = a + 7;
			continue;
		} else if (!strcmp(a, "--root")) {
			if (i + 1 >= *argc)
				return apctl_usage_error(NULL, _("option '%s' requires an argument"),
							 a);
			ctx->root = argv[++i];
			continue;
		}
		argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
	return 0;
}

/* does the command line of a command ask for JSON (and a dry run)? */
static void json_prescan(int argc, char **argv)
{
	static const char *const views[] = { "cards", "queues", "mdevs", "matrix", "mdev" };
	int i, first = 1;
	size_t k;

	if (!strcmp(argv[0], "mdev")) {
		if (argc < 2)
			return;
		snprintf(json_fb.command, sizeof(json_fb.command), "mdev %s", argv[1]);
		json_fb.change = strcmp(argv[1], "list") != 0;
		json_fb.view = "mdev-list";
		first = 2;
	} else {
		snprintf(json_fb.command, sizeof(json_fb.command), "%s", argv[0]);
		json_fb.change = !strcmp(argv[0], "reserve") || !strcmp(argv[0], "release") ||
				 !strcmp(argv[0], "apply");
		json_fb.view = !strcmp(argv[0], "check") ? "check" : "summary";
		/* the first word that names a view (options may come first) */
		for (i = 1; !strcmp(argv[0], "show") && i < argc && !strcmp(json_fb.view, "summary");
		     i++)
			for (k = 0; k < sizeof(views) / sizeof(views[0]); k++)
				if (!strcmp(argv[i], views[k]))
					json_fb.view = views[k];
	}
	for (i = first; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strncmp(a, "--json=", 7)) {
			enum ap_json_style st;

			/* the error document of a command line with a bad style is auto */
			if (!ap_json_parse_style(a + 7, &st))
				ap_json_set_style(st);
		}
		if (!strcmp(a, "--json") || !strncmp(a, "--json=", 7) || !strcmp(a, "--format=json") ||
		    (!strcmp(a, "--format") && i + 1 < argc && !strcmp(argv[i + 1], "json")))
			json_fb.wanted = true;
		else if (!strcmp(a, "--dry-run"))
			json_fb.dry_run = true;
		else if (a[0] == '-' && a[1] != '-' && strchr(a, 'J'))
			json_fb.wanted = true;
	}
}

/* the error document of a failed command that printed none */
static void json_error_doc(int rc)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "api_level", json_object_new_int(1));
	json_object_object_add(d, "version", json_object_new_string(PACKAGE_VERSION));
	if (!strcmp(json_fb.command, "migrate-check")) {
		/* schema/apctl-migrate.schema.json */
		json_object_object_add(d, "command", json_object_new_string("migrate-check"));
		json_object_object_add(d, "source", json_object_new_string(""));
		json_object_object_add(d, "destination", json_object_new_string(""));
		json_object_object_add(d, "variant", NULL);
		json_object_object_add(d, "mdevs", json_object_new_array());
	} else if (json_fb.change) {
		struct json_object *probs = json_object_new_array();

		/* the error is also the one problem, for readers of problems[] */
		if (json_fb.error && *json_fb.error) {
			struct json_object *p = json_object_new_object();

			json_object_object_add(p, "severity", json_object_new_string("error"));
			json_object_object_add(p, "kind",
					       json_object_new_string(apctl_exit_status_name(rc)));
			json_object_object_add(p, "message",
					       json_object_new_string(json_fb.error));
			json_object_array_add(probs, p);
		}
		json_object_object_add(d, "command", json_object_new_string(json_fb.command));
		json_object_object_add(d, "dry_run", json_object_new_boolean(json_fb.dry_run));
		json_object_object_add(d, "problems", probs);
		json_object_object_add(d, "steps", json_object_new_array());
	} else {
		json_object_object_add(d, "view", json_object_new_string(json_fb.view));
		json_object_object_add(d, "diagnostics", json_object_new_array());
	}
	json_object_object_add(d, "status", json_object_new_string(apctl_exit_status_name(rc)));
	json_object_object_add(d, "exit_code", json_object_new_int(rc));
	json_object_object_add(d, "error", json_object_new_string(json_fb.error ? json_fb.error
									      : ""));
	ap_json_print(d, stdout);
	json_object_put(d);
}

/*
 * Output lost on its way (a full disk, a closed descriptor) is not success:
 * it may hold the UUID of a new mdev, or the answer of check.  Returns rc,
 * or 1 for a success whose output was lost.
 */
static int checked_stdout(const struct apctl_ctx *ctx, int rc)
{
	int err = 0;

	if (fflush(stdout) != 0)
		err = errno;
	else if (ferror(stdout))
		err = EIO;
	if (err) {
		apctl_err(_("cannot write the output: %s"), strerror(err));
		/* exit 1 all the same: a script must not take an empty answer
		 * (the UUID of a new mdev) for success */
		if (ctx && ctx->changed)
			apctl_err(_("the change itself was made: see 'apctl show' and "
				    "'apctl mdev list'"));
		if (rc == APCTL_EXIT_OK)
			rc = APCTL_EXIT_FAILURE;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static char stdout_buf[64 * 1024];
	enum { OPT_ROOT = 0x100 };
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct apctl_ctx ctx = { 0 };
	const struct apctl_cmd *c;
	int opt, rc;

	setlocale(LC_ALL, "");
#ifdef ENABLE_NLS
	bindtextdomain(PACKAGE, LOCALEDIR);
#endif
	ctx.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:qVhv", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_ROOT:
			ctx.root = optarg;
			break;
		case 'q':
			ctx.quiet = true;
			break;
		case 'V':
			ctx.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return checked_stdout(NULL, APCTL_EXIT_OK);
		case 'v':
			printf("apctl %s\n", PACKAGE_VERSION);
			return checked_stdout(NULL, APCTL_EXIT_OK);
		default:
			return apctl_option_error(NULL, opt, argv);
		}
	}
	if (optind >= argc)
		return apctl_usage_error(NULL, _("no command given"));

	argc -= optind;
	argv += optind;
	if (!strcmp(argv[0], "help"))
		return checked_stdout(NULL, cmd_help(argc, argv));
	c = find_command(argv[0]);
	if (!c)
		return unknown_command(argv[0]);
	optind = 0;	/* reset getopt for the command's own parsing */
	opterr = 1;
	json_prescan(argc, argv);
	/* the views' help or document reaches a pipe or file in one final
	 * write, so that a failing write is reported with its own errno
	 * (checked_stdout); a change writes as it goes (SIGPIPE is ignored
	 * only while it runs) */
	if (!ctx.color && !json_fb.change)
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	rc = global_opts_after(&ctx, &argc, argv);
	if (rc) {
		if (json_fb.wanted)
			json_error_doc(rc);
		free(json_fb.error);
		return rc;
	}
	rc = c->fn(&ctx, argc, argv);
	if (rc && json_fb.wanted && !json_fb.done)
		json_error_doc(rc);
	free(json_fb.error);
	return checked_stdout(&ctx, rc);
}
