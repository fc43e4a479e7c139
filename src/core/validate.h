/* SPDX-License-Identifier: MIT */
/*
 * One validator for every command and for `apctl check`: given the model
 * and a proposed change (request.h), return every problem of the resulting
 * system.  Each problem says what (a stable kind), how bad (error or
 * warning), who (the mdev, and the other party: another mdev or the host),
 * which APQNs or ids, whether it already existed before the change, and a
 * translated sentence naming the parties with hex APQNs (05.0004) and a way
 * out.
 *
 * Rules (kernel-abi.md 1.4, 4.6, 5.1-5.5; interop.md 4):
 * - apqn-shared: two mdevs claim the same APQN.  Claims are the live matrix
 *   of an active mdev and the matrix of a definition.  active-active:
 *   error (the kernel refuses it from 6.0; older kernels allowed it);
 *   active-defined: error when the definition is autostart, else warning;
 *   defined-defined: error when both are autostart (both start at boot),
 *   else warning (a manual definition only conflicts when started).
 * - host-owned: an active mdev holds APQNs the live masks give to the host
 *   (error); an autostart definition holds APQNs the persistent masks give
 *   to the host at boot (error); a manual definition holds APQNs the live
 *   masks give to the host (warning: starting it will fail).
 * - mask-takes-assigned: a mask edit would give the host an APQN an mdev
 *   holds (active or defined): error.  With driver_override (>= 6.19) the
 *   kernel refuses any newly set mask bit whose adapter (or domain) an mdev
 *   holds with any domain (adapter): those are reported too.
 * - id-above-max: error (the kernel answers ENODEV).
 * - cdom-without-usage: control domains and no usage domain.  See
 *   validate.c for the severity.
 * - not-in-config: adapters, domains or control domains missing from the
 *   host configuration: warning (over-provisioning is allowed).
 * - empty-mask: an edit whose resulting mask is all zero (every queue of the
 *   machine goes to vfio_ap): error, a warning when forced.
 * - mdev-exists, mdev-not-found: the request names a wrong mdev (error).
 * - in-use: changing or removing an mdev whose guest is running (warning;
 *   error before 6.0 where the kernel refuses with EBUSY).
 * - queue-not-bound: before 6.0 only queues bound to vfio_ap can be
 *   assigned (error; a warning when the model cannot tell the kernel's
 *   generation, caps.guest_matrix and caps.no_guest_matrix both unset).  A
 *   queue the request's own mask edit gives to vfio_ap counts as bound.
 * The next boot (the boot-time model, model.h): host-owned above uses the
 * masks the next boot gives; an autostart definition with ids the LPAR
 * does not have cannot start before 6.0 (not-in-config: error).  With
 * req->boot_audit, what a reboot changes without failing (warnings):
 * - definition-differs: an active mdev whose autostart definition has
 *   another matrix comes back with the definition's.
 * - boot-masks-differ: live masks that differ from the boot-time masks
 *   are lost at the next boot.
 * driver_override requests (AP_REQ_OVERRIDES, >= 6.19):
 * - override-refused: the kernel has no driver_override, a queue does not
 *   exist or is bound to a driver apctl does not know, or the masks were
 *   changed through sysfs (the kernel then refuses every override write).
 * - override-takes-assigned: releasing an APQN an mdev holds (error).
 * - boot-overrides-differ (boot audit, >= 6.19): a live driver_override
 *   no saved driverctl file sets again, saved overrides while driverctl's
 *   udev rule and service are missing, or saved overrides together with
 *   boot-time masks from a udev rule (the kernel refuses whichever comes
 *   second): warnings.
 * - removal-pending: the kernel has not finished removing an mdev a guest
 *   still holds (warning).
 * Pure logic: no I/O, no global state.
 */
#ifndef APCTL_CORE_VALIDATE_H
#define APCTL_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/apqn.h"
#include "core/model.h"
#include "core/request.h"

enum ap_problem_kind {
	AP_PROB_APQN_SHARED = 0,
	AP_PROB_HOST_OWNED,
	AP_PROB_MASK_TAKES_ASSIGNED,
	AP_PROB_ID_ABOVE_MAX,
	AP_PROB_CDOM_WITHOUT_USAGE,
	AP_PROB_NOT_IN_CONFIG,
	AP_PROB_EMPTY_MASK,
	AP_PROB_MDEV_EXISTS,
	AP_PROB_MDEV_NOT_FOUND,
	AP_PROB_IN_USE,
	AP_PROB_QUEUE_NOT_BOUND,
	AP_PROB_DEFINITION_DIFFERS,
	AP_PROB_BOOT_MASKS_DIFFER,
	AP_PROB_REMOVE_PENDING,
	AP_PROB_OVERRIDE_PENDING,	/* [>= 6.19] driver_override set, not yet in effect */
	AP_PROB_MASKS_BLOCKED,		/* [>= 6.19] a mask edit while overrides are set */
	AP_PROB_OVERRIDE_REFUSED,	/* an override change the kernel would refuse */
	AP_PROB_OVERRIDE_TAKES_ASSIGNED,	/* an override release of an mdev's APQN */
	AP_PROB_BOOT_OVERRIDES_DIFFER,	/* live overrides the next boot does not set
					 * again, or saved ones it cannot set */
	AP_PROB_NO_MIGRATABLE,		/* the kernel has no per-mdev 'migratable' switch */
};

enum ap_severity {
	AP_SEV_WARNING = 1,
	AP_SEV_ERROR = 2,
};

enum ap_party {
	AP_PARTY_NONE = 0,
	AP_PARTY_HOST,
	AP_PARTY_MDEV,
};

/* which side of an mdev (or of the host's masks) a problem concerns */
#define AP_SIDE_ACTIVE	0x1	/* live sysfs state / live masks */
#define AP_SIDE_DEFINED	0x2	/* mdevctl definition / persistent masks */

struct ap_problem {
	enum ap_problem_kind kind;
	enum ap_severity severity;
	bool preexisting;		/* the same problem exists without the change */
	char mdev[AP_UUID_STRLEN];	/* "" for problems of the masks alone */
	unsigned int mdev_sides;	/* AP_SIDE_* */
	bool mdev_autostart;
	enum ap_party other;
	char other_mdev[AP_UUID_STRLEN];	/* when other == AP_PARTY_MDEV */
	unsigned int other_sides;	/* AP_SIDE_*: of the other mdev, or which host masks */
	bool other_autostart;
	struct ap_matrix ids;		/* the ids involved (adapters, domains, control domains) */
	struct ap_apqn *apqns;		/* the APQNs involved, adapter-major; may be NULL */
	size_t n_apqns;
	char *message;			/* translated sentence with the way out */
};

struct ap_problems {
	struct ap_problem *v;
	size_t n;
	unsigned int n_errors, n_warnings;		/* all problems */
	unsigned int new_errors, new_warnings;		/* not preexisting */
};

/*
 * Validate 'req' (AP_REQ_NONE: audit the system as it is) against 'm'.
 * Fills *out (free with ap_problems_free) in a stable order: request
 * problems first, then per mdev in uuid order.  Returns 0, or -1 when memory
 * is short (*out is then empty).  A command must refuse when
 * out->new_errors is non-zero.
 */
int ap_validate(const struct ap_model *m, const struct ap_request *req,
		struct ap_problems *out);
void ap_problems_free(struct ap_problems *p);

/*
 * Validate the n requests of one transaction in order, each against the
 * system as the ones before it leave it (a mask edit, then the create that
 * needs it): what the planner (ap_plan_build_n) will do.  A problem is
 * 'preexisting' when it existed before the request that shows it, so each
 * is new once at most.  Only the parties a request touches are looked at:
 * its mdev and the holders of the adapters and domains it claims (or whose
 * owner a mask edit changes), found in an index of the model built once
 * per call; the whole audit is ap_validate() with AP_REQ_NONE (check).
 * ap_validate() with one request is ap_validate_txn() with n = 1.
 */
int ap_validate_txn(const struct ap_model *m, const struct ap_request *reqs, size_t n,
		    struct ap_problems *out);

/* stable names for JSON: "apqn-shared", "host-owned", ... */
const char *ap_problem_kind_name(enum ap_problem_kind kind);
/* "error", "warning" */
const char *ap_severity_name(enum ap_severity sev);

#endif
