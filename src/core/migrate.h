/* SPDX-License-Identifier: MIT */
/*
 * Live guest migration: can the crypto configuration of a guest (its vfio_ap
 * mdev) move from one host to another?  Both hosts are described by the
 * document 'apctl show --json' prints (view summary); the rules are those of
 * the kernel's migration support, which is a patch series, not mainline:
 *
 *   v1     a per-mdev 'migratable' attribute; the destination mdev (same
 *          UUID) has the same number of APQNs and every source APQN.
 *   v2-v4  a ' migratable' token in the matrix device's 'features'; the
 *          source's guest configuration is laid over the destination mdev
 *          (same UUID), whose assignments need not match; every APQN must
 *          exist there, be bound to vfio_ap and not be held by another mdev;
 *          every control domain must be in the destination's configuration.
 *   both   per queue equal APSC, AP4KM, AP4KC, mode, APXA and SLCF; full
 *          native may not become stateless-only; no Secure Execution bound or
 *          associated queue; the destination's AP type the same or newer;
 *          not from inside a Secure Execution guest.
 *
 * Pure logic: documents come in as parsed JSON, findings go out as data.
 */
#ifndef APCTL_CORE_MIGRATE_H
#define APCTL_CORE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/apmask.h"
#include "core/model.h"

enum ap_mig_variant {
	AP_MIG_NONE = 0,	/* no migration support the document shows */
	AP_MIG_V1,		/* per-mdev 'migratable' attribute */
	AP_MIG_V4,		/* ' migratable' in the matrix device's features (v2-v4) */
};

/* the variant a host's kernel has (from what the reader saw) */
enum ap_mig_variant ap_mig_variant_of(const struct ap_host *h);
/* "v1", "v4" or NULL */
const char *ap_mig_variant_name(enum ap_mig_variant v);
/* the ap_functions of this kernel carry SLCF (Linux 6.17+; apctl knows it
 * for certain only from 6.19 on, by the driver_override files) */
bool ap_mig_slcf_visible(const struct ap_host *h);

struct ap_mig_card {
	bool present;
	int hwtype, raw_hwtype;		/* -1 unknown */
	bool functions_known;
	uint32_t functions;
	struct ap_mask domains;		/* queues that exist */
	struct ap_mask vfio;		/* queues bound to vfio_ap */
	bool se_known;
	struct ap_mask se;		/* vfio_ap queues in an SE bind state */
};

struct ap_mig_mdev {
	char uuid[AP_UUID_STRLEN];
	bool active, in_use;
	struct ap_matrix live;		/* assigned (apm, aqm, adm) */
	bool guest_known;
	struct ap_matrix guest;		/* guest_matrix (apm, aqm) */
	int8_t migratable;		/* v1 attribute: 0/1, AP_UNK none */
};

struct ap_mig_host {
	enum ap_mig_variant variant;
	bool se_guest, slcf_visible;
	bool cfg_known;
	struct ap_mask cfg_adm;		/* control domains of the configuration */
	bool masks_known;
	struct ap_mask apmask, aqmask;
	struct ap_mig_card cards[AP_MASK_BITS];
	struct ap_mig_mdev *mdevs;
	size_t n_mdevs;
};

void ap_mig_host_free(struct ap_mig_host *h);

/*
 * Fill h (zeroed by the caller) from a document of 'apctl show --json'.
 * Returns 0; or -1 with err set to a sentence naming what is wrong (a newer
 * or older apctl's document, a missing or malformed key); then h may hold
 * part of the data and must still be freed.
 */
int ap_mig_host_from_json(struct json_object *doc, struct ap_mig_host *h, char *err,
			  size_t errsz);

const struct ap_mig_mdev *ap_mig_find_mdev(const struct ap_mig_host *h, const char *uuid);

enum ap_mig_sev { AP_MIG_ERROR, AP_MIG_WARNING };

struct ap_mig_finding {
	enum ap_mig_sev sev;
	const char *rule;	/* machine word: "apqn-missing", "mode", ... */
	int apid, apqi;		/* the APQN concerned, -1 for none */
	char *reason;		/* why (translated) */
	char *log;		/* the kernel's log line of a failed attempt, or NULL */
	char *fix;		/* what to do (translated), or NULL */
};

/* the findings for one source mdev */
struct ap_mig_verdict {
	char uuid[AP_UUID_STRLEN];
	bool ok;		/* no error finding */
	struct ap_mig_finding *f;
	size_t n;
};

/*
 * Apply the rules of the destination's variant to the source mdev uuid
 * (which must be in src).  0, or -1 when memory ran short.
 */
int ap_mig_check(const struct ap_mig_host *src, const struct ap_mig_host *dst, const char *uuid,
		 struct ap_mig_verdict *v);
void ap_mig_verdict_free(struct ap_mig_verdict *v);

/*
 * The apctl commands that make the destination ready for the source mdev
 * uuid (its mdev, reservations, the v1 switch), one per line into *out
 * (malloc'd; "" when nothing is needed).  0 or -1 (memory).
 */
int ap_mig_prepare(const struct ap_mig_host *src, const struct ap_mig_host *dst,
		   const char *uuid, char **out);

#endif
