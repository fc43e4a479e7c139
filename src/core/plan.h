/* SPDX-License-Identifier: MIT */
/*
 * The planner: from the model and a request (request.h) to the ordered
 * list of steps that realises it, each with its undo.  The sys layer
 * executes the steps, verifies each, and on failure runs the undo of the
 * steps already done.  Validate (validate.h) before planning: the planner
 * assumes the request makes sense and only decides how to do it.
 *
 * Rules:
 * - Masks: the kernel's relative form, naming only the ids whose state
 *   changes ("-5,-6", undo "+5,+6"), so a concurrent writer's other bits
 *   survive; never an absolute write, so never an all-zero one.  One write
 *   when one mask changes.  When both change, first the clears of both,
 *   then the sets of both, so no APQN passes through the host on the way
 *   (the intermediate host set is the intersection of old and new).
 * - Persistent masks: one FILE step with both full masks (the udev rule,
 *   formatted by the sys layer).
 * - mdev create: MDEV_CREATE, then one ap_config write when the kernel has
 *   ap_config (6.10+; the value without a trailing newline), else assign
 *   writes: adapters, domains, control domains, values as "0x%x" (never a
 *   leading zero, which the kernel reads as octal).  With no domains yet,
 *   adapter assignment passes every kernel check (kernel-abi.md 5.1), and
 *   each later write only adds APQNs of the validated final matrix.  The
 *   configuration of a new mdev has no undo of its own ('covered'): the
 *   undo of MDEV_CREATE, removing the mdev, takes it along.
 * - mdev modify: one ap_config write, else unassign what leaves first
 *   (control domains, domains, adapters), then assign what comes (adapters,
 *   domains, control domains), so the mdev never holds more than the union
 *   of its validated old and new matrices.  Undo: the inverse writes in
 *   reverse order.
 * - mdev remove: the definition first (UNDEFINE_MDEV, undo FILE_RESTORE),
 *   MDEV_REMOVE last and without an undo: the kernel blocks it while a
 *   guest holds the device, and a guest's attachment cannot be recreated,
 *   so nothing may have to be undone after it.  With req->recreate (an mdev
 *   no guest uses) the undo creates it again with its live matrix, and
 *   later steps may follow (apply).
 * - Definitions: a FILE step with the model-level content (uuid, matrix,
 *   autostart); the sys layer writes the mdevctl JSON.
 * - Live changes come before the definition (except for remove, above).
 * - driver_override [>= 6.19], per queue: write the override ("vfio_ap",
 *   or "\n" to clear it), unbind the queue from its driver, write its name
 *   to drivers_probe; the probe's read-back is the binding.  The undo of
 *   the first step puts the old override back and probes the queue again
 *   (binding it as before); the undo of the probe unbinds the queue.
 *   Persistent: driverctl's file AP_FILE_DRIVERCTL_DIR/ap-AA.DDDD with the
 *   driver name and a newline (SAVE_OVERRIDE), or deleted (UNSAVE_OVERRIDE),
 *   undo FILE_RESTORE.
 * - Several requests make one plan (ap_plan_build_n), in the order given:
 *   'mdev create --reserve' is a mask edit followed by the create.
 * Every forward step carries a sentence for people ('what', e.g. "reserve
 * adapters 05,06 for vfio_ap (apmask)") and, where one exists, an apctl
 * command line that undoes it by hand ('repair'), printed when its undo
 * failed.
 * Pure logic: no I/O, no global state.
 */
#ifndef APCTL_CORE_PLAN_H
#define APCTL_CORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/request.h"

#define AP_PATH_MAX		128
#define AP_STEP_DATA_MAX	1536
#define AP_STEP_TEXT_MAX	1024

/* sysfs paths, relative to the sysfs root (normally /sys) */
#define AP_SYSFS_APMASK		"bus/ap/apmask"
#define AP_SYSFS_AQMASK		"bus/ap/aqmask"
#define AP_SYSFS_MATRIX		"devices/vfio_ap/matrix"
#define AP_SYSFS_CREATE		AP_SYSFS_MATRIX "/mdev_supported_types/vfio_ap-passthrough/create"
/* files, relative to the root of the system (normally /) */
#define AP_FILE_MDEVCTL_DIR	"etc/mdevctl.d/matrix"
#define AP_FILE_UDEV_RULE	"etc/udev/rules.d/41-ap.rules"
/* [>= 6.19] driver_override (kernel-abi.md 2.3, 3) and driverctl's files */
#define AP_SYSFS_APDEVS		"bus/ap/devices"
#define AP_SYSFS_APDRIVERS	"bus/ap/drivers"
#define AP_SYSFS_PROBE		"bus/ap/drivers_probe"
#define AP_FILE_DRIVERCTL_DIR	"etc/driverctl.d"

enum ap_step_kind {
	/* write 'data' (without its NUL) in one write(2) to sysfs 'path' */
	AP_STEP_SYSFS_WRITE = 0,
	/* create mdev 'uuid': 'data' (the uuid) to 'path' (AP_SYSFS_CREATE) */
	AP_STEP_MDEV_CREATE,
	/* remove mdev 'uuid': 'data' ("1") to 'path' (.../<uuid>/remove) */
	AP_STEP_MDEV_REMOVE,
	/* write the mdevctl definition 'path' for uuid, matrix, autostart */
	AP_STEP_DEFINE_MDEV,
	/* delete the mdevctl definition 'path' */
	AP_STEP_UNDEFINE_MDEV,
	/* write the udev rule 'path' setting apmask and aqmask at boot */
	AP_STEP_PERSIST_MASKS,
	/*
	 * Undo of a file step: put 'path' back as it was before the forward
	 * step ran.  The executor saves the previous content (or its absence)
	 * when it runs the forward step; 'existed' says what the model
	 * expected (false: the undo deletes the file).
	 */
	AP_STEP_FILE_RESTORE,
	/* write 'data' (the driver name and a newline) as driverctl's saved
	 * override 'path' (AP_FILE_DRIVERCTL_DIR/ap-AA.DDDD) */
	AP_STEP_SAVE_OVERRIDE,
	/* delete driverctl's saved override 'path' */
	AP_STEP_UNSAVE_OVERRIDE,
};

enum ap_verify_kind {
	AP_VERIFY_NONE = 0,
	/* read the mask file 'path': bits must_set set and must_clear clear
	 * (other bits may have been changed by someone else) */
	AP_VERIFY_MASK_BITS,
	/* the mdev's assigned matrix (ap_config, else matrix and
	 * control_domains) equals 'matrix' */
	AP_VERIFY_MDEV_MATRIX,
	/* one id write: in dimension 'dim' of the mdev's assigned matrix the
	 * bits must_set are set and must_clear clear (the rest may differ when
	 * an earlier undo step failed) */
	AP_VERIFY_MDEV_ID,
	AP_VERIFY_EXISTS,	/* sysfs 'path' exists */
	AP_VERIFY_ABSENT,	/* sysfs 'path' does not exist */
	/* the queue's driver_override file 'path' reads 'text' ("": none) */
	AP_VERIFY_OVERRIDE,
	/* the device 'path' (bus/ap/devices/AA.DDDD) is bound to driver 'text' */
	AP_VERIFY_DRIVER,
	/* the device 'path' is not bound to driver 'text' (an unbind: it
	 * still holds once a later probe bound the queue elsewhere) */
	AP_VERIFY_NOT_DRIVER,
	/* the mdev's 'migratable' file 'path' reads 'text' ("0" or "1") and a
	 * newline (the v1 live migration patches) */
	AP_VERIFY_MIGRATABLE,
};

struct ap_verify {
	enum ap_verify_kind kind;
	char path[AP_PATH_MAX];
	struct ap_mask must_set, must_clear;
	struct ap_matrix matrix;	/* MDEV_MATRIX; MDEV_ID: the matrix expected after it */
	unsigned int dim;		/* MDEV_ID: 0 adapters, 1 domains, 2 control domains */
	char text[32];			/* OVERRIDE, DRIVER: the name expected */
};

struct ap_step {
	enum ap_step_kind kind;
	char path[AP_PATH_MAX];		/* relative: sysfs root for sysfs steps, system root else */
	char data[AP_STEP_DATA_MAX];	/* sysfs steps: the exact bytes, NUL terminated */
	struct ap_verify verify;
	char uuid[AP_UUID_STRLEN];	/* mdev steps */
	struct ap_matrix matrix;	/* DEFINE_MDEV */
	bool autostart;			/* DEFINE_MDEV */
	struct ap_mask apmask, aqmask;	/* PERSIST_MASKS: the complete masks */
	bool persist_ap, persist_aq;	/* PERSIST_MASKS: the rule sets apmask / aqmask */
	/* PERSIST_MASKS: the rule would say nothing (the kernel's default masks
	 * and nothing else): the step deletes the file instead of writing it */
	bool drop;
	bool existed;			/* FILE_RESTORE */
	/* this step's undo: plan->undo[undo_first .. undo_first + undo_count) */
	size_t undo_first, undo_count;
	/* forward steps: no undo of its own, a later step's undo covers it
	 * (the configuration of an mdev the plan creates) */
	bool covered;
	/* undo steps: the index of the forward step they undo */
	size_t owner;
	/* forward steps: what the step does, for people (translated) */
	char what[AP_STEP_TEXT_MAX];
	/* forward steps: an apctl command line that undoes it ("": none) */
	char repair[AP_STEP_TEXT_MAX];
};

struct ap_plan {
	struct ap_step *steps;
	size_t n_steps;
	/*
	 * The complete undo in execution order: the undo of the last step
	 * first.  After steps 0..k-1 succeeded, undo with
	 * undo[ap_plan_undo_start(plan, k) .. n_undo).
	 */
	struct ap_step *undo;
	size_t n_undo;
};

/* "cex4queue", "vfio_ap", "cex4card"; "" for none or another driver */
const char *ap_driver_name(enum ap_driver d);

/* Returns 0, or -1 (memory short, or an mdev the request needs is missing). */
int ap_plan_build(const struct ap_model *m, const struct ap_request *r, struct ap_plan *out);
/* one plan for n requests, their steps in the order of the requests */
int ap_plan_build_n(const struct ap_model *m, const struct ap_request *r, size_t n,
		    struct ap_plan *out);
void ap_plan_free(struct ap_plan *p);
/* where to start in plan->undo after 'done' steps succeeded (n_undo for 0) */
size_t ap_plan_undo_start(const struct ap_plan *p, size_t done);

/*
 * Re-derive step s from what it means (its kind, uuid, read-back bits and
 * matrix) the way the planner builds it, into *out: the path it writes,
 * the bytes and the path it reads back.  A step whose path, data or
 * read-back path differs from its re-derivation is not one apctl writes
 * (used to check a journal, core/journal.h).  Returns 0, or -1 when s
 * cannot be a step of apctl's at all (*why names the reason, untranslated).
 */
int ap_step_rederive(const struct ap_step *s, struct ap_step *out, const char **why);

/*
 * One line of text for a step, e.g. "write '-5,-6' to /sys/bus/ap/apmask".
 * sysfs_root (e.g. "/sys") and root (e.g. "" for "/") prefix the paths.
 * Returns the length needed (like snprintf).
 */
int ap_step_describe(const struct ap_step *s, const char *sysfs_root, const char *root,
		     char *buf, size_t size);

/*
 * The --dry-run text: one line per step with its undo, e.g.
 * "write '-5,-6' to /sys/bus/ap/apmask (undo: '+5,+6')\n".  Returns a
 * malloc'ed string ("" for an empty plan) or NULL when memory is short.
 */
char *ap_plan_render(const struct ap_plan *p, const char *sysfs_root, const char *root);

#endif
