/* SPDX-License-Identifier: MIT */
/*
 * What a change is checked against must have been read (issue 14): the
 * refusal of a change while a file of the reading is missing, unreadable or
 * malformed, the --ignore-definition way out, and no definition written
 * through a symbolic link.  Part of the transaction flow (change.h).
 */
#ifndef APCTL_CMD_INPUTS_H
#define APCTL_CMD_INPUTS_H

#include <stddef.h>

#include "cmd/change.h"
#include "core/plan.h"
#include "sys/diag.h"

/* the definition file an --ignore-definition argument names: a UUID, or a
 * path ending in mdevctl.d/matrix/<UUID>; NULL otherwise */
const char *chg_ignore_def_name(const char *arg);
/* record one --ignore-definition; 0 or the exit code of a usage error */
int chg_ignore_def_opt(struct chg_opts *o, const char *arg, const char *cmd);

/*
 * Never act on what could not be read: the change is checked against the
 * whole configuration, so each error of the reading d (a file missing,
 * unreadable or malformed) refuses it with exit 10 (chg_problem_exit),
 * unless it is a definition named by --ignore-definition or the one that
 * mdev remove --undefine deletes (then a warning).  Returns the number of
 * refusals added.
 */
size_t chg_check_inputs(struct chg_txn *t, const struct ap_diags *d);

/* a plan that writes or deletes a definition: refused (exit 10) when the
 * definition directory or one above it is a symbolic link */
void chg_check_def_dir(struct chg_txn *t, const struct ap_plan *plan);

#endif
