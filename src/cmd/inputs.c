/* SPDX-License-Identifier: MIT */
/* Inputs a change is checked against: see inputs.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "cmd/inputs.h"
#include "core/exitcodes.h"
#include "i18n.h"
#include "sys/mdevctl.h"
#include "sys/path.h"

/* the file name an --ignore-definition argument names: a UUID, or a path
 * ending in mdevctl.d/matrix/<UUID>; NULL otherwise */
const char *chg_ignore_def_name(const char *arg)
{
	static const char dir[] = "mdevctl.d/matrix/";
	const char *base = strrchr(arg, '/');

	if (!base)
		return ap_uuid_is_valid(arg) ? arg : NULL;
	base++;
	if ((size_t)(base - arg) < sizeof(dir) - 1 ||
	    strncmp(base - (sizeof(dir) - 1), dir, sizeof(dir) - 1) ||
	    (base - arg > (long)sizeof(dir) - 1 && base[-(long)sizeof(dir)] != '/'))
		return NULL;
	return ap_uuid_is_valid(base) ? base : NULL;
}

int chg_ignore_def_opt(struct chg_opts *o, const char *arg, const char *cmd)
{
	if (!chg_ignore_def_name(arg))
		return apctl_usage_error(cmd, _("--ignore-definition: '%s' is neither an mdev UUID "
						"nor a file /etc/mdevctl.d/matrix/<UUID>"), arg);
	if (o->n_ignore_def == CHG_IGNORE_MAX)
		return apctl_usage_error(cmd, _("--ignore-definition given more than %d times"),
					 CHG_IGNORE_MAX);
	o->ignore_def[o->n_ignore_def++] = arg;
	return 0;
}

/* the mdevctl definition a diagnostic is about: its file name, else NULL */
static const char *def_name(struct chg_txn *t, const char *path)
{
	char dir[4096];
	size_t n;

	if (chg_root_path(t, dir, sizeof(dir), AP_MDEVCTL_DIR "/"))
		return NULL;
	n = strlen(dir);
	if (strncmp(path, dir, n) || strchr(path + n, '/') || !ap_uuid_is_valid(path + n))
		return NULL;
	return path + n;
}

static bool def_ignored(const struct chg_opts *o, const char *name)
{
	for (size_t i = 0; i < o->n_ignore_def; i++)
		if (!strcasecmp(chg_ignore_def_name(o->ignore_def[i]), name))
			return true;
	return false;
}

size_t chg_check_inputs(struct chg_txn *t, const struct ap_diags *d)
{
	const struct chg_opts *o = chg_txn_opts(t);
	size_t i, n = 0;

	for (i = 0; i < d->n; i++) {
		const char *path = d->v[i].path, *name;

		if (d->v[i].level != AP_DIAG_ERROR)
			continue;
		name = def_name(t, path);
		if (name && o->removing_def && !strcasecmp(name, o->removing_def)) {
			chg_problem(t, CHG_WARNING, "unreadable", "%s: %s", path, d->v[i].msg);
			continue;
		}
		if (name && def_ignored(o, name)) {
			chg_problem(t, CHG_WARNING, "unreadable", "%s: %s", path, d->v[i].msg);
			chg_problem(t, CHG_WARNING, "ignored-definition",
				    _("%s is left out of the check (--ignore-definition): the "
				      "change is checked as if it did not exist"), path);
			continue;
		}
		chg_problem_exit(t, APCTL_EXIT_BADDATA, "unreadable", "%s: %s", path,
				 d->v[i].msg);
		if (name)
			chg_problem_exit(t, APCTL_EXIT_BADDATA, "unreadable",
					 _("refused: a change is checked against every mdevctl "
					   "definition, and %s cannot be used; nothing was written. "
					   "Repair the file, delete it with 'apctl mdev remove "
					   "--undefine %s', or leave it out with "
					   "--ignore-definition %s"), path, name, name);
		else
			chg_problem_exit(t, APCTL_EXIT_BADDATA, "unreadable",
					 _("refused: a change is checked against %s, which cannot "
					   "be read or understood; nothing was written. Repair the file, or "
					   "move it away"), path);
		n++;
	}
	return n;
}

void chg_check_def_dir(struct chg_txn *t, const struct ap_plan *plan)
{
	char path[4096];
	size_t i;
	int e;

	for (i = 0; i < plan->n_steps; i++)
		if (plan->steps[i].kind == AP_STEP_DEFINE_MDEV ||
		    plan->steps[i].kind == AP_STEP_UNDEFINE_MDEV)
			break;
	if (i == plan->n_steps)
		return;
	e = ap_mdevdef_dir_check(chg_txn_path(t), path, sizeof(path));
	if (e == ELOOP)
		chg_problem_exit(t, APCTL_EXIT_BADDATA, "symlink",
				 _("%s is a symbolic link: apctl writes no mdevctl definition "
				   "through a link (a link can lead anywhere, also where the "
				   "lock does not protect); replace it by a directory; nothing "
				   "was written"), path);
	else if (e == ENOTDIR)
		chg_problem_exit(t, APCTL_EXIT_BADDATA, "not-a-directory",
				 _("%s is not a directory; nothing was written"), path);
	else if (e)
		chg_problem_exit(t, APCTL_EXIT_BADDATA, "unreadable", _("%s: %s"), path,
				 strerror(e));
}
