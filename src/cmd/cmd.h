/* SPDX-License-Identifier: MIT */
/*
 * The command table: one file per command in src/cmd/, each exporting
 * cmd_<name>().  A command gets the global context and its own argv
 * (argv[0] is the command name) and returns an apctl exit code
 * (core/exitcodes.h).
 */
#ifndef APCTL_CMD_H
#define APCTL_CMD_H

#include <stdbool.h>
#include <stdio.h>

struct apctl_ctx {
	const char *root;	/* --root DIR, or NULL: $APCTL_ROOT, else "/" */
	bool quiet;		/* -q: no progress or notes */
	bool verbose;		/* -V */
	bool color;		/* colours allowed on the terminal */
	bool changed;		/* set by a command that changed the system */
};

struct apctl_cmd {
	const char *name;
	int (*fn)(struct apctl_ctx *ctx, int argc, char **argv);
	const char *summary;	/* N_() text for the command list */
	void (*usage)(FILE *out);	/* full help of the command */
};

int cmd_show(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_check(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_reserve(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_release(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_repair(struct apctl_ctx *ctx, int argc, char **argv);
/* export, apply: the declarative configuration (src/cmd/apply.c) */
int cmd_export(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_apply(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_migrate_check(struct apctl_ctx *ctx, int argc, char **argv);
/* apctl monitor (issue 11) */
int cmd_monitor(struct apctl_ctx *ctx, int argc, char **argv);
void usage_monitor(FILE *out);

/* mdev subcommands, dispatched by cmd_mdev() in src/cmd/mdev.c */
int cmd_mdev_list(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev_create(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev_modify(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev_remove(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev_start(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev_stop(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev_define(struct apctl_ctx *ctx, int argc, char **argv);
int cmd_mdev_undefine(struct apctl_ctx *ctx, int argc, char **argv);
/* help of 'mdev' or 'mdev NAME' (NULL): exit code */
int mdev_help(const char *name);
void usage_mdev_list(FILE *out);
void usage_mdev_create(FILE *out);
void usage_mdev_modify(FILE *out);
void usage_mdev_remove(FILE *out);
void usage_mdev_start(FILE *out);
void usage_mdev_stop(FILE *out);
void usage_mdev_define(FILE *out);
void usage_mdev_undefine(FILE *out);

void usage_show(FILE *out);
void usage_check(FILE *out);
void usage_mdev(FILE *out);
void usage_reserve(FILE *out);
void usage_release(FILE *out);
void usage_repair(FILE *out);
void usage_export(FILE *out);
void usage_apply(FILE *out);
void usage_migrate_check(FILE *out);

/* messages: "apctl: " + text + "\n" on stderr */
void apctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void apctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void apctl_note(const struct apctl_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * --json on every exit path: a command that printed its JSON document calls
 * apctl_json_done(); when it did not and it fails, main() prints an error
 * document with the first error message (see schema/).
 */
void apctl_json_done(void);
/* the argument of --json[=pretty|compact]: 0, or a usage error */
int apctl_json_style_opt(const char *cmd, const char *arg);
/* the JSON "status" word of an exit code ("ok", "refused", ...) */
const char *apctl_exit_status_name(int rc);

/* edit distance of two command names (99 when too long), for "did you mean" */
size_t apctl_edit_distance(const char *a, const char *b);

/* "Try 'apctl CMD --help' for more information." and APCTL_EXIT_USAGE */
int apctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* getopt_long's ':' (a missing argument) or '?' (an unknown option; a short
 * one inside a cluster such as -J=x is named by its letter): the usage error
 * of cmd; returns APCTL_EXIT_USAGE */
int apctl_option_error(const char *cmd, int opt, char **argv);

#endif
