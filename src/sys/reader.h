/* SPDX-License-Identifier: MIT */
/*
 * Read the AP bus, the cards and queues, the vfio_ap matrix device and its
 * mdevs (plus, on request, the mdevctl definitions and the persistent masks)
 * into a struct ap_model.  Capabilities are detected from the files that
 * exist (kernel-abi.md 7).  Every value goes through a strict parser; a
 * missing or malformed file leaves the value unknown and adds a diagnostic
 * naming the file.
 *
 * Cost: the bus attributes are always read (about a dozen files); each flag
 * adds only what it names.  Bindings come from one listing per driver
 * directory, never from one readlink per device.
 */
#ifndef APCTL_SYS_READER_H
#define APCTL_SYS_READER_H

#include "core/model.h"
#include "core/select.h"
#include "sys/diag.h"
#include "sys/path.h"

enum ap_read_flags {
	AP_RD_CARDS		= 1u << 0,	/* cards, bound driver, detail files */
	AP_RD_QUEUES		= 1u << 1,	/* queues, bound driver, driver_override (6.19+) */
	AP_RD_QUEUE_DETAIL	= 1u << 2,	/* per queue: config, chkstop, online, status
						   (implies AP_RD_QUEUES) */
	AP_RD_MDEVS		= 1u << 3,	/* active mdevs: ap_config or matrix +
						   control_domains; available_instances */
	AP_RD_GUEST		= 1u << 4,	/* guest_matrix and in_use
						   (implies AP_RD_MDEVS) */
	AP_RD_DEFS		= 1u << 5,	/* mdevctl definitions */
	AP_RD_PERSIST		= 1u << 6,	/* 41-ap.rules, kernel command line */
	AP_RD_ALL		= (1u << 7) - 1,
	AP_RD_QFUNC		= 1u << 7,	/* ap_functions of the queues bound to vfio_ap,
						   se_bind (implies AP_RD_QUEUES) */
};

enum ap_read_result {
	AP_READ_OK = 0,
	AP_READ_NOAP = 1,	/* no AP bus: <sysfs>/bus/ap does not exist (APCTL_EXIT_NOAP) */
};

/*
 * Initialise *m (ap_model_init) and fill it.  Returns AP_READ_OK,
 * AP_READ_NOAP (m holds nothing but caps.ap_bus == false), or a negative
 * errno for a fatal error (-ENOMEM; or the errno of an AP bus directory
 * that exists but cannot be listed, also in d).  Diagnostics go to d in
 * every case.  The caller frees m with ap_model_free() in every case.
 */
int ap_read_model(struct ap_path *p, unsigned int flags, struct ap_model *m,
		  struct ap_diags *d);

/*
 * The same, reading the files of single cards and queues (attributes,
 * details, driver_override) only for those in 'sel' (NULL or empty: all).
 * The others are in the model with what the listings tell (id, driver) and
 * their other values unknown: a view of the selection must show only it.
 */
int ap_read_model_sel(struct ap_path *p, unsigned int flags, const struct ap_sel *sel,
		      struct ap_model *m, struct ap_diags *d);

/*
 * The incremental mode (apctl monitor): after an event, re-read only the
 * part of an already read model that the event touched.  Each returns 0 or
 * an errno.  ap_read_one_mdev: one active mdev (its matrix, guest_matrix and
 * in-use state; 2-4 files); ENOENT when it is gone (it is then dropped, or
 * only marked inactive when defined).  ap_read_one_def: one definition;
 * ENOENT when there is none (the mdev then loses 'defined').
 */
int ap_read_bindings(struct ap_path *p, struct ap_model *m, struct ap_diags *d);
int ap_read_masks(struct ap_path *p, struct ap_model *m, struct ap_diags *d);
int ap_read_one_mdev(struct ap_path *p, struct ap_model *m, const char *uuid,
		     struct ap_diags *d);
int ap_read_one_def(struct ap_path *p, struct ap_model *m, const char *uuid,
		    struct ap_diags *d);

#endif
