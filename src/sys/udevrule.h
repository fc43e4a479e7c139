/* SPDX-License-Identifier: MIT */
/*
 * Persistent AP bus masks: the udev rule 41-ap.rules that chzdev --type ap
 * writes (interop.md section 2) and the kernel command line parameters
 * ap.apmask= / ap.aqmask= (kernel-abi.md 1.2).
 */
#ifndef APCTL_SYS_UDEVRULE_H
#define APCTL_SYS_UDEVRULE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/apmask.h"
#include "core/model.h"
#include "sys/diag.h"
#include "sys/path.h"

#define AP_UDEVRULE_ETC "etc/udev/rules.d/41-ap.rules"
#define AP_UDEVRULE_RUN "run/udev/rules.d/41-ap.rules"

struct ap_persist_masks {
	bool apmask_set, aqmask_set;
	struct ap_mask apmask, aqmask;
};

/*
 * Parse a rule file's content (pure; path only names the file in
 * diagnostics).  Takes the first ATTR{...apmask} and ATTR{...aqmask}
 * assignment outside comments, values in the kernel's absolute syntax (short
 * masks are right-padded with zero bits, as the kernel does).  A value the
 * kernel would refuse is reported (AP_DIAG_ERROR) and that mask is left
 * unset.  Returns 0, or -1 if a line could not be tokenised (reported too;
 * what was found before it is kept).
 */
int ap_udevrule_parse(const char *buf, size_t len, const char *path,
		      struct ap_persist_masks *out, struct ap_diags *d);

/*
 * A complete rule file setting the given masks (NULL: leave that mask out)
 * when the AP bus reports its bindings complete, then loading vfio_ap.
 * Always full 64-digit masks.  malloc'd; NULL on allocation failure.
 */
char *ap_udevrule_format(const struct ap_mask *apmask, const struct ap_mask *aqmask);

/* read <root>/etc/... (run = false) or <root>/run/... (run = true):
 * 0, ENOENT (no file; not reported), or another errno (reported in d) */
int ap_udevrule_read(struct ap_path *p, bool run, struct ap_persist_masks *out,
		     struct ap_diags *d);
/* write atomically (mode 0644), creating the directory if needed */
int ap_udevrule_write(struct ap_path *p, bool run, const struct ap_mask *apmask,
		      const struct ap_mask *aqmask);
int ap_udevrule_delete(struct ap_path *p, bool run);

/*
 * Kernel command line (pure): the last ap.apmask= / ap.aqmask= each (the
 * kernel applies parameters in order).  Values are parsed as the kernel
 * parses module parameters: absolute or relative (+/-) syntax applied to an
 * all-zero mask; an invalid value leaves the mask all zero (still "set").
 * Parsing stops at a lone "--".  *bad is set when a value was invalid.
 */
void ap_cmdline_parse(const char *buf, size_t len, struct ap_persist_masks *out, bool *bad);

/*
 * Fill h->persist_* from, in udev's order of precedence, the /etc rule, the
 * /run rule, else the kernel command line (<root>/proc/cmdline).  A mask the
 * chosen rule lacks falls back to the command line's, if any.
 */
int ap_persist_read(struct ap_path *p, struct ap_host *h, struct ap_diags *d);

/* Relative mask syntax ("+1,-0x10-0x1f", kernel-abi.md 1.3) applied to *m
 * (pure).  0 or -1 (then *m is unchanged). */
int ap_mask_apply_relative(const char *s, size_t len, struct ap_mask *m);

#endif
