/* SPDX-License-Identifier: MIT */
/*
 * What the mdev commands share: create and start build the same requests
 * (src/cmd/mdev_change.c), remove, stop and undefine the same removal
 * (src/cmd/mdev_life.c uses both).
 */
#ifndef APCTL_CMD_MDEV_H
#define APCTL_CMD_MDEV_H

#include <stdbool.h>

#include "cmd/change.h"
#include "core/model.h"

/* false (and a problem added, exit NOAP) when there is no vfio_ap matrix */
bool mdev_has_vfio(struct chg_txn *t, const struct ap_model *m);

/*
 * --reserve of create and start: the request (a mask edit, or on a host
 * that gives queues by driver_override the overrides) giving vfio_ap the
 * APQNs of mx the host holds (nothing without reserve).  Added to t
 * unvalidated: the caller adds its create and calls chg_validate_all().
 */
void mdev_reserve_request(struct chg_txn *t, const struct ap_model *m, const struct ap_matrix *mx,
			  bool reserve);

enum mdev_rm_mode {
	MDEV_RM_REMOVE = 0,	/* mdev remove [--undefine] */
	MDEV_RM_STOP,		/* mdev stop: the active mdev, the definition stays */
	MDEV_RM_UNDEFINE,	/* mdev undefine: the definition, the active mdev stays */
};

struct mdev_remove {
	char uuid[AP_UUID_STRLEN];
	enum mdev_rm_mode mode;
	bool undefine;		/* delete the definition (set for MDEV_RM_UNDEFINE) */
	bool in_use;
	bool unreadable;	/* its definition cannot be read: deleted as it is */
	bool not_active;	/* stop: the mdev is not active, nothing to do */
};

/* the chg_ops build and confirm callbacks of remove, stop and undefine */
int mdev_remove_build(struct chg_txn *t, const struct ap_model *m, void *arg);
const char *mdev_remove_confirm(struct chg_txn *t, const struct ap_model *m, void *arg);

#endif
