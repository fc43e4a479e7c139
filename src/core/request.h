/* SPDX-License-Identifier: MIT */
/*
 * A proposed change to the AP configuration: what commands hand to the
 * validator (validate.h) and the planner (plan.h).  Pure data.
 */
#ifndef APCTL_CORE_REQUEST_H
#define APCTL_CORE_REQUEST_H

#include <stdbool.h>

#include "core/apmask.h"
#include "core/idlist.h"
#include "core/model.h"

enum ap_req_kind {
	AP_REQ_NONE = 0,	/* no change: audit the current system (apctl check) */
	AP_REQ_MASKS,		/* edit apmask and/or aqmask */
	AP_REQ_MDEV_CREATE,	/* a new mdev: live (create + configure) and/or a definition */
	AP_REQ_MDEV_MODIFY,	/* a new matrix for an mdev, live and/or its definition;
				 * modifying the definition of an mdev that has none adds one */
	AP_REQ_MDEV_REMOVE,	/* remove the live mdev and/or its definition */
	AP_REQ_OVERRIDES,	/* [>= 6.19] give queues to vfio_ap (or back) by driver_override */
	AP_REQ_MDEV_MIGRATABLE,	/* switch an active mdev's 'migratable' attribute (the v1
				 * live migration patches only): 'migratable' */
};

/* an edit of one 256-bit mask */
struct ap_mask_edit {
	bool change;		/* false: leave this mask alone */
	bool absolute;		/* true: 'value' replaces the mask */
	struct ap_mask value;	/* absolute */
	struct ap_mask set;	/* relative: bits to set (give to the host) */
	struct ap_mask clear;	/* relative: bits to clear (give to vfio_ap) */
};

struct ap_request {
	enum ap_req_kind kind;
	/*
	 * Targets.  Masks: 'active' edits the live sysfs masks, 'persistent'
	 * the boot-time masks (udev rule).  mdevs: 'active' acts on the live
	 * device in sysfs, 'persistent' on its mdevctl definition.
	 */
	bool active;
	bool persistent;
	bool force;			/* allow a mask edit whose result is all zero */
	/* NONE: also report what a reboot would change without failing (the
	 * live masks, active mdevs against their autostart definitions) */
	bool boot_audit;

	/* AP_REQ_MASKS */
	struct ap_mask_edit apmask, aqmask;

	/* mdev requests */
	char uuid[AP_UUID_STRLEN];	/* lowercase */
	struct ap_matrix matrix;	/* CREATE, MODIFY: the complete new matrix */
	bool set_autostart;		/* CREATE, MODIFY of the definition: set 'autostart' */
	bool autostart;
	/* REMOVE: also delete, as it is, the definition file apctl cannot read
	 * (model baddefs); the validator has nothing to check for it */
	bool undefine_unreadable;
	/* REMOVE of the live mdev: its undo creates it again with its live
	 * matrix (apply, where later steps may fail; only for an mdev no
	 * guest uses: a guest's attachment cannot be recreated) */
	bool recreate;

	/*
	 * AP_REQ_OVERRIDES: the queues (ovr[apid] has bit apqi), each to get
	 * driver_override vfio_ap (reserve) or none (ovr_release).  'active':
	 * the queue's override and binding; 'persistent': driverctl's saved
	 * file /etc/driverctl.d/ap-AA.DDDD that sets it again at boot.
	 */
	struct ap_mask ovr[AP_MAX_ID + 1];
	bool ovr_release;

	/* AP_REQ_MDEV_MIGRATABLE: the new value of the switch */
	bool migratable;
};

/* zeroes *r and sets the kind (targets default to active only) */
void ap_request_init(struct ap_request *r, enum ap_req_kind kind);

/* the result of an edit on the current value */
void ap_mask_edit_apply(const struct ap_mask_edit *e, const struct ap_mask *cur,
			struct ap_mask *out);
/* an id list (idlist.h) as a mask edit of the bits it names.  For
 * reserve/release the caller maps ids to bits: reserving adapters 5,6 is
 * the relative list "-5,-6" on apmask. */
void ap_mask_edit_from_idlist(struct ap_mask_edit *e, const struct ap_idlist *l);

/* the masks the next boot gives the host (the boot-time model: rules, else
 * the kernel command line, else the kernel's all-ones default; never the
 * live masks, which a reboot loses) */
void ap_host_persistent_masks(const struct ap_host *h, struct ap_mask *apmask,
			      struct ap_mask *aqmask);

#endif
