/* SPDX-License-Identifier: MIT */
/*
 * The boot-time model of the AP bus masks: what the next boot gives the
 * host and vfio_ap.  A boot starts from the kernel command line's
 * ap.apmask= / ap.aqmask= (parsed from an all-zero mask; kernel-abi.md 1.2),
 * else from all ones; then udev runs the rule files, and every
 * ATTR{.../bus/ap/apmask} assignment in them writes the mask again
 * (interop.md section 2: chzdev's 41-ap.rules, apctl's, anyone's).
 *
 * udev's order: the rule files of /etc/udev/rules.d, /run/udev/rules.d and
 * /usr/lib/udev/rules.d together, sorted by file name; of files with the
 * same name only the one in the first of those directories counts.  Within
 * a file, lines run in order.  So the last write wins.  apctl writes
 * /etc/udev/rules.d/41-ap.rules (the file chzdev --type ap writes).
 *
 * Match conditions of a rule line are not evaluated: an assignment is taken
 * to happen at boot (the rules of chzdev and apctl fire once the bus has
 * bound its devices).
 */
#ifndef APCTL_SYS_UDEVRULE_H
#define APCTL_SYS_UDEVRULE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/apmask.h"
#include "core/model.h"
#include "sys/diag.h"
#include "sys/path.h"

#define AP_UDEVRULE_NAME "41-ap.rules"
#define AP_UDEVRULE_ETC "etc/udev/rules.d/41-ap.rules"
#define AP_UDEVRULE_RUN "run/udev/rules.d/41-ap.rules"

/* one write of a bus mask found in a rule file */
struct ap_rule_assign {
	bool is_ap;		/* apmask, else aqmask */
	unsigned int line;	/* 1-based, of the line it starts on */
	bool valid;		/* the kernel accepts the value (else it writes nothing) */
	bool relative;		/* "+..."/"-...": edits the mask it finds */
	bool short_mask;	/* absolute with fewer than 64 hex digits */
	/* the effect: new = (old & keep) | set */
	struct ap_mask keep, set;
	/* byte offsets in the file: the value between the quotes, the line
	 * (without its '\n'); joined: the assignment is on a continued line */
	size_t voff, vlen, loff, lend;
	bool joined;
	bool alone;		/* the only key on its line */
	size_t aoff;		/* offset of "apmask"/"aqmask" in the attribute */
};

/* what one rule file says about the masks */
struct ap_rulefile {
	struct ap_rule_assign *v;
	size_t n;
	unsigned int bad_line;	/* the first line that is not a valid rule, 0 none */
	bool has_rules;		/* any line besides comments and blank ones */
};

void ap_rulefile_free(struct ap_rulefile *f);

/*
 * Parse a rule file's content (pure; path names the file in diagnostics).
 * Every ATTR{...apmask} / ATTR{...aqmask} assignment (= or :=) outside
 * comments, in order.  Reported in d: a value the kernel refuses (error:
 * that write does nothing), a short mask (warning: valid for the kernel,
 * fatal for s390-tools' ap-check), two writes of one mask (warning: udev
 * applies the last, ap-check reads the first), a line that is not a valid
 * rule (error).  Returns 0, -1 for a broken line, or -ENOMEM.
 */
int ap_udevrule_parse(const char *buf, size_t len, const char *path, struct ap_rulefile *out,
		      struct ap_diags *d);

/* apply a file's writes to the masks, in order (pure) */
void ap_rulefile_apply(const struct ap_rulefile *f, struct ap_mask *apmask, struct ap_mask *aqmask,
		       bool *ap_written, bool *aq_written);

/*
 * Can apctl rewrite this file (the mask values in place) without losing
 * or changing anything else it says?  NULL when it can, else a translated
 * reason naming the line (malloc'd).  need_ap / need_aq: masks the rewrite
 * must write (a missing one is added next to the other mask's line).
 */
char *ap_rulefile_why_not(const struct ap_rulefile *f, bool need_ap, bool need_aq);

/*
 * The new content of a rule file: buf (len bytes, the current file, may be
 * NULL for none) with its mask values replaced by the given masks (NULL:
 * leave that mask as the file has it), a missing one added after the other
 * mask's line; without a file, apctl's complete rule.  Every mask is
 * written with 64 digits.  NULL when the file cannot be rewritten
 * (ap_rulefile_why_not) or memory is short.
 */
char *ap_udevrule_edit(const char *buf, size_t len, const struct ap_mask *apmask,
		       const struct ap_mask *aqmask);

/*
 * A complete rule file setting the given masks (NULL: leave that mask out)
 * when the AP bus reports its bindings complete, then loading vfio_ap.
 * Always full 64-digit masks.  malloc'd; NULL on allocation failure.
 */
char *ap_udevrule_format(const struct ap_mask *apmask, const struct ap_mask *aqmask);

/*
 * The content apctl writes to /etc/udev/rules.d/41-ap.rules: the copy of
 * 41-ap.rules udev uses now (/etc, /run or /usr/lib) edited, else apctl's
 * rule.  0, EINVAL (that file cannot be rewritten), or another errno.
 */
int ap_udevrule_render(struct ap_path *p, const struct ap_mask *apmask,
		       const struct ap_mask *aqmask, char **out);

/* write <root>/etc/... (run = false) or <root>/run/... (run = true)
 * atomically (mode 0644) with apctl's rule, creating the directory */
int ap_udevrule_write(struct ap_path *p, bool run, const struct ap_mask *apmask,
		      const struct ap_mask *aqmask);
int ap_udevrule_delete(struct ap_path *p, bool run);

struct ap_persist_masks {
	bool apmask_set, aqmask_set;
	struct ap_mask apmask, aqmask;
};

/*
 * Kernel command line (pure): the last ap.apmask= / ap.aqmask= each (the
 * kernel applies parameters in order).  Values are parsed as the kernel
 * parses module parameters: absolute or relative (+/-) syntax applied to an
 * all-zero mask; an invalid value leaves the mask all zero (still "set").
 * Parsing stops at a lone "--".  *bad is set when a value was invalid.
 */
void ap_cmdline_parse(const char *buf, size_t len, struct ap_persist_masks *out, bool *bad);

/*
 * Fill h->persist_* (the boot-time model, model.h) from <root>/proc/cmdline
 * and the rule files.  0 or ENOMEM.
 */
int ap_persist_read(struct ap_path *p, struct ap_host *h, struct ap_diags *d);

/* Relative mask syntax ("+1,-0x10-0x1f", kernel-abi.md 1.3) applied to *m
 * (pure).  0 or -1 (then *m is unchanged). */
int ap_mask_apply_relative(const char *s, size_t len, struct ap_mask *m);

#endif
