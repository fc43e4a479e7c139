/* SPDX-License-Identifier: MIT */
/*
 * Pending mdev removals.  The kernel blocks a write to an mdev's 'remove'
 * while a guest holds the device and shows nothing of it in sysfs; the
 * executor leaves a process waiting in that write (sys/exec.h).  apctl
 * notes the waiting process in <root>/run/apctl/remove-pending/<uuid>
 * ("<pid>\n"), so that every view can say that the removal is pending.  A
 * note counts only while its mdev still exists and its process is still an
 * apctl process; stale notes are ignored by readers and dropped by the next
 * change.
 */
#ifndef APCTL_SYS_PENDING_H
#define APCTL_SYS_PENDING_H

#include <sys/types.h>

#include "core/model.h"
#include "sys/path.h"

#define AP_PENDING_DIR "run/apctl/remove-pending"

/* note that process waiter waits for the removal of mdev uuid: 0 or errno */
int ap_pending_note(struct ap_path *p, const char *uuid, pid_t waiter);
/*
 * Set remove_pending of the active mdevs of m whose removal is pending.
 * With drop_stale, notes that no longer count are deleted (call it under
 * the AP lock).  Returns 0 or ENOMEM.
 */
int ap_pending_read(struct ap_path *p, struct ap_model *m, bool drop_stale);

#endif
