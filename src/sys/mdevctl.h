/* SPDX-License-Identifier: MIT */
/*
 * mdevctl's persistent definitions of vfio_ap mdevs:
 * <root>/etc/mdevctl.d/matrix/<uuid>  (interop.md section 3).
 */
#ifndef APCTL_SYS_MDEVCTL_H
#define APCTL_SYS_MDEVCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "sys/diag.h"
#include "sys/path.h"

#define AP_MDEV_TYPE "vfio_ap-passthrough"
/* relative to the root */
#define AP_MDEVCTL_DIR "etc/mdevctl.d/matrix"

struct ap_mdevdef {
	bool autostart;			/* "start": "auto" */
	struct ap_matrix m;		/* the matrix the attrs describe, applied in order */
	unsigned int n_unknown;		/* attrs apctl does not know (mdevctl
					   writes them to sysfs too) */
	bool octal;			/* a value was read as octal ("047" = 39) */
};

/* 8-4-4-4-12 hex digits (either case), exactly 36 characters */
bool ap_uuid_is_valid(const char *s);

/*
 * Parse one definition file's content.  Pure (no I/O): path is only used to
 * name the file in diagnostics.  Returns 0 (warnings may have been added to
 * d, e.g. for octal values or unknown attrs), or -1 when the file is not a
 * usable vfio_ap definition (one AP_DIAG_ERROR added; *def is then zeroed).
 */
int ap_mdevdef_parse(const char *buf, size_t len, const char *path, struct ap_mdevdef *def,
		     struct ap_diags *d);

/*
 * The file content apctl writes (malloc'd, NUL-terminated): pretty-printed
 * JSON as mdevctl writes it, two-space indent, no trailing newline, keys
 * mdev_type, start, attrs; attrs assign_adapter, assign_domain,
 * assign_control_domain in ascending id order, values "0x<hex>".
 * NULL on allocation failure.
 */
char *ap_mdevdef_format(const struct ap_mdevdef *def);

/*
 * Read every definition under <root>/etc/mdevctl.d/matrix into the model
 * (mdev->defined, ->autostart, ->def).  A missing directory is no error.
 * File names that are not UUIDs are skipped (with a warning unless hidden);
 * names in upper case are read with a warning (mdevctl does not use them);
 * unreadable or malformed files are reported in d, left out of the mdevs
 * and listed in m->baddefs.  Returns 0 or ENOMEM (or the errno of an
 * unlistable directory, also reported in d).
 */
int ap_mdevdefs_read(struct ap_path *p, struct ap_model *m, struct ap_diags *d);

/* Read one definition.  0, ENOENT, EBADMSG (malformed; reported in d), ... */
int ap_mdevdef_read(struct ap_path *p, const char *uuid, struct ap_mdevdef *def,
		    struct ap_diags *d);

/*
 * Before writing or deleting a definition: is etc, etc/mdevctl.d or
 * etc/mdevctl.d/matrix below the root a symbolic link (ELOOP) or not a
 * directory (ENOTDIR)?  Then out holds its path.  apctl writes no definition
 * through a link: where it leads is not under the lock's protection, and a
 * link planted there would steer root's writes.  0 otherwise (also when a
 * directory does not exist yet).
 */
int ap_mdevdef_dir_check(struct ap_path *p, char *out, size_t outsz);

/* Write (create or replace) atomically; creates the directory if needed. */
int ap_mdevdef_write(struct ap_path *p, const char *uuid, const struct ap_mdevdef *def);
/* Delete.  0, ENOENT or another errno. */
int ap_mdevdef_delete(struct ap_path *p, const char *uuid);

#endif
