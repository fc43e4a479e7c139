/* SPDX-License-Identifier: MIT */
/*
 * Who owns an APQN: the host's default drivers, the vfio_ap pool (free), an
 * mdev (assigned, or in use by its guest), or several parties (a conflict).
 *
 * Rules (kernel-abi.md 0.2, 1.4, 2.3, 4.5, 5.4):
 * - host: apmask bit AND aqmask bit.  [>= 6.19] A queue with driver_override
 *   set counts as the host's iff it is bound to cex4queue.
 * - an mdev claims the APQNs of its live matrix (apm x aqm) when active and
 *   of its definition when defined; the same mdev claiming through both is
 *   one claimant.
 * - in use: the mdev has a guest (in_use) and the APQN is in its guest
 *   matrix (or, when guest_matrix is unknown, i.e. before 6.0, in its live
 *   matrix).
 * - conflict: more than one claimant, or the host and a claimant.
 * Control domains are not owned (the kernel lets mdevs share them).
 * Pure logic: no I/O, no global state.
 */
#ifndef APCTL_CORE_OWNER_H
#define APCTL_CORE_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

enum ap_owner_kind {
	AP_OWNER_HOST = 0,	/* default drivers, no mdev claims it */
	AP_OWNER_FREE,		/* vfio_ap pool, no mdev claims it */
	AP_OWNER_ASSIGNED,	/* exactly one mdev claims it, no guest uses it */
	AP_OWNER_IN_USE,	/* exactly one mdev claims it and its guest uses it */
	AP_OWNER_CONFLICT,	/* two or more mdevs, or the host and an mdev */
};

/* ap_owner.flags and ap_owner_grid.flags */
#define AP_OWNF_HOST		0x01	/* the host's per the live masks */
#define AP_OWNF_ACTIVE		0x02	/* in the live matrix of an active mdev */
#define AP_OWNF_DEFINED		0x04	/* in the definition of an mdev */
#define AP_OWNF_AUTOSTART	0x08	/* ... of an autostart definition */
#define AP_OWNF_IN_USE		0x10	/* used by a guest */
#define AP_OWNF_IN_CONFIG	0x20	/* adapter and domain in the host configuration */
#define AP_OWNF_QUEUE		0x40	/* a queue device exists */
#define AP_OWNF_SHARED		0x80	/* claimed by two or more mdevs */

#define AP_OWNER_MAX_NAMED 8

struct ap_owner_claim {
	const struct ap_mdev *mdev;
	bool live;	/* through its live matrix (active) */
	bool def;	/* through its definition */
	bool in_use;	/* its guest uses this APQN */
};

struct ap_owner {
	enum ap_owner_kind kind;
	unsigned int flags;
	size_t n_claims;	/* distinct mdevs claiming it (may exceed the named ones) */
	struct ap_owner_claim claims[AP_OWNER_MAX_NAMED];	/* in model order */
};

/* stable names for JSON: "host", "free", "assigned", "in-use", "conflict" */
const char *ap_owner_kind_name(enum ap_owner_kind kind);

/* the host's per masks and driver_override (see above) */
bool ap_owner_host_owns(const struct ap_host *h, unsigned int apid, unsigned int apqi);

/*
 * [>= 6.19] The way the host gives queues to vfio_ap.  The kernel makes it
 * either-or: mask writes fail while any driver_override is set, override
 * writes fail while a mask was changed through sysfs (kernel-abi.md 1.5).
 * Masks set on the kernel command line do not block overrides, so both can
 * be seen at once.  AP_GIVE_UNOFFERED: the kernel has no driver_override
 * (before 6.19), the masks are the only way and there is no choice.
 */
enum ap_give_mode {
	AP_GIVE_UNOFFERED = 0,
	AP_GIVE_DEFAULT,	/* masks all ones, no override: either way is open */
	AP_GIVE_MASKS,		/* masks differ from all ones, no override */
	AP_GIVE_OVERRIDES,	/* overrides set, masks all ones */
	AP_GIVE_BOTH,		/* overrides set and masks differ (boot-time masks) */
};

enum ap_give_mode ap_host_give_mode(const struct ap_host *h);
/* stable names for JSON: "default", "masks", "overrides", "masks+overrides"; NULL if unoffered */
const char *ap_give_mode_name(enum ap_give_mode mode);
/* queues with a driver_override set */
size_t ap_host_n_overrides(const struct ap_host *h);
/* an override is set, but the queue is not bound to that driver (yet): it
 * takes effect at the next probe of the queue */
bool ap_queue_override_pending(const struct ap_queue *q);

/* one APQN, O(number of mdevs) */
void ap_owner_of(const struct ap_model *m, unsigned int apid, unsigned int apqi,
		 struct ap_owner *o);

/*
 * The whole 256 x 256 grid at once, O(APQNs claimed + 65536): for tables
 * and pictures.  'first' is 1 + the index in model->mdevs of the first
 * claimant (0: none); use ap_owner_of() to name every claimant of a
 * conflict.  About 400 KiB; NULL when memory is short.  The grid refers to
 * the model by index: rebuild it after changing the model.
 */
struct ap_owner_grid {
	uint8_t kind[256][256];		/* enum ap_owner_kind */
	uint8_t flags[256][256];	/* AP_OWNF_* */
	uint32_t first[256][256];
};

struct ap_owner_grid *ap_owner_grid_new(const struct ap_model *m);
void ap_owner_grid_free(struct ap_owner_grid *g);
/* the domains of adapter 'apid' whose owner kind is 'kind' */
void ap_owner_grid_row(const struct ap_owner_grid *g, unsigned int apid,
		       enum ap_owner_kind kind, struct ap_mask *out);
/* the mdev first claiming an APQN, or NULL */
const struct ap_mdev *ap_owner_grid_mdev(const struct ap_owner_grid *g,
					 const struct ap_model *m, unsigned int apid,
					 unsigned int apqi);

#endif
