/* SPDX-License-Identifier: MIT */
/* apctl mdev: dispatch to list, create, modify, remove, start, stop, define, undefine. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/exitcodes.h"
#include "i18n.h"

struct subcmd {
	const char *name;
	int (*fn)(struct apctl_ctx *ctx, int argc, char **argv);
	void (*usage)(FILE *out);
	const char *summary;
};

static const struct subcmd subcmds[] = {
	{ "list", cmd_mdev_list, usage_mdev_list, N_("list active and defined vfio_ap mdevs") },
	{ "create", cmd_mdev_create, usage_mdev_create, N_("create and configure a vfio_ap mdev") },
	{ "modify", cmd_mdev_modify, usage_mdev_modify,
	  N_("add, remove or set adapters and domains of an mdev (hot plug)") },
	{ "remove", cmd_mdev_remove, usage_mdev_remove, N_("remove a vfio_ap mdev") },
	{ "start", cmd_mdev_start, usage_mdev_start,
	  N_("create an mdev from its definition, or every autostart definition") },
	{ "stop", cmd_mdev_stop, usage_mdev_stop, N_("remove an active mdev, keep its definition") },
	{ "define", cmd_mdev_define, usage_mdev_define,
	  N_("write an mdevctl definition, or change its start mode") },
	{ "undefine", cmd_mdev_undefine, usage_mdev_undefine,
	  N_("delete an mdevctl definition, keep the active mdev") },
};
#define N_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

void usage_mdev(FILE *out)
{
	size_t i;

	fputs(_("\nUsage:\n apctl mdev <command> [options]\n"), out);
	fputs(_("\nManage vfio_ap mediated devices (mdevs), active in sysfs and defined for mdevctl.\n"),
	      out);
	fputs(_("\nCommands:\n"), out);
	for (i = 0; i < N_SUBCMDS; i++)
		fprintf(out, "  %-8s %s\n", subcmds[i].name, _(subcmds[i].summary));
	fprintf(out, "  %-8s %s\n", "help", _("show the help of an mdev command"));
	fputs(_("\nRun 'apctl mdev <command> --help' for the options of a command.\n"), out);
}

/* the usage of "mdev", or of "mdev NAME" when name is given; -1 if unknown */
int mdev_help(const char *name)
{
	size_t i;

	if (!name) {
		usage_mdev(stdout);
		return APCTL_EXIT_OK;
	}
	for (i = 0; i < N_SUBCMDS; i++)
		if (!strcmp(name, subcmds[i].name)) {
			subcmds[i].usage(stdout);
			return APCTL_EXIT_OK;
		}
	return apctl_usage_error("mdev", _("unknown mdev command '%s'"), name);
}

int cmd_mdev(struct apctl_ctx *ctx, int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return apctl_usage_error("mdev", _("no mdev command given"));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return mdev_help(NULL);
	if (!strcmp(argv[1], "help")) {
		if (argc > 3)
			return apctl_usage_error("mdev", _("help takes one command name"));
		return mdev_help(argc > 2 ? argv[2] : NULL);
	}
	for (i = 0; i < N_SUBCMDS; i++)
		if (!strcmp(argv[1], subcmds[i].name))
			return subcmds[i].fn(ctx, argc - 1, argv + 1);
	for (i = 0; i < N_SUBCMDS; i++)
		if (apctl_edit_distance(argv[1], subcmds[i].name) <= 2)
			return apctl_usage_error("mdev", _("unknown mdev command '%s'; did you "
							   "mean '%s'?"), argv[1], subcmds[i].name);
	return apctl_usage_error("mdev", _("unknown mdev command '%s'"), argv[1]);
}
