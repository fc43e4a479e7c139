/* SPDX-License-Identifier: MIT */
/*
 * The s390-tools AP configuration lock, <root>/run/lock/s390apconfig.lock,
 * with its link-and-PID protocol (interop.md section 1), so apctl excludes
 * chzdev, lszdev and mdevctl's ap-check callout and they exclude apctl.
 *
 * Acquire: write "<pid>\n" to a temporary file "<lock><pid %05d><time&255 %02x>"
 * (O_EXCL, 0644) and link() it to the lock path; the temporary file is always
 * removed.  While the lock exists, its holder is checked:
 *   - a PID for which kill(pid, 0) fails with ESRCH: stale, removed at once;
 *   - an empty file or PID 0: held, until its mtime is more than 120 s old;
 *   - a live PID (kill succeeds or fails with EPERM): held;
 *   - anything else (not a decimal number): apctl's policy is to treat it
 *     like an empty file (held until 120 s after its last change, then
 *     stale), and, when the wait runs out, to fail with EBADMSG instead of
 *     ETIMEDOUT so the caller can say the file is malformed rather than
 *     "held by someone".  It is never taken over silently: the wait callback
 *     reports it, and so does the AP_LOCK_EV_STALE event when it is removed.
 * Between attempts apctl sleeps 30-33 ms.  Release removes the file only if
 * it holds our PID.
 *
 * Beyond s390-tools (which reads whatever is at the lock path, following
 * symbolic links, and never looks at its owner):
 *   - a lock file is trusted only when it is a regular file owned by root
 *     (or by apctl's own effective user, who could do what apctl does
 *     anyway) and not writable by group or others.  /run/lock is
 *     world-writable, so any user can put a file there; an untrusted one
 *     cannot be the lock of a tool that changes the AP configuration
 *     (those run as root), so it is taken over at once, whatever it holds:
 *     moved aside to "<lock>.untrusted<pid %05d><n %02x>", checked to be the very
 *     file that was judged (else it is put back and judged again), then
 *     removed (a directory that is not empty is left there, under its new
 *     name, and reported).  So no other user can make apctl wait, steer it
 *     with the PID of a long-lived process, or hang it with a FIFO.
 *   - a lock file that names apctl's own PID was left by an earlier
 *     process with the same (reused) PID: it is stale, not a holder.
 *
 * PIDs are checked with kill() and named from /proc/<pid>/comm of the
 * running system (not below --root): both refer to the same PID namespace.
 * A holder in another PID namespace may look dead (and be taken over) or
 * alive; this is a limitation of the protocol that every user shares.  So
 * is the window between deciding a lock is stale and unlinking it, in which
 * another process may have replaced it (chzdev and ap-check have it too).
 */
#ifndef APCTL_SYS_LOCK_H
#define APCTL_SYS_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "sys/path.h"

#define AP_LOCK_FILE		"run/lock/s390apconfig.lock"
#define AP_LOCK_DEFAULT_WAIT_MS	90000UL		/* about what s390-tools waits */
#define AP_LOCK_STALE_S		120		/* empty/PID 0/malformed lock files */

enum ap_lock_state {
	AP_LOCK_HOLDER_PID = 0,	/* holder.pid is a live process */
	AP_LOCK_HOLDER_EMPTY,	/* empty file or PID 0 */
	AP_LOCK_HOLDER_MALFORMED,	/* not a number: holder.content shows it */
	AP_LOCK_HOLDER_UNTRUSTED,	/* not root's regular, private file (see above) */
};

/* why an untrusted lock file is not trusted (the first that applies) */
enum ap_lock_distrust {
	AP_LOCK_NOT_REGULAR = 1,	/* holder.ftype says what it is */
	AP_LOCK_FOREIGN_OWNER,		/* owned by holder.uid */
	AP_LOCK_WRITABLE,		/* writable by group or others (holder.mode) */
};

struct ap_lock_holder {
	enum ap_lock_state state;
	pid_t pid;		/* valid for AP_LOCK_HOLDER_PID */
	char comm[32];		/* its command name, "" if unknown */
	char content[48];	/* escaped copy of the file (malformed case) */
	bool own_pid;		/* the file named our own PID (a stale leftover) */
	/* AP_LOCK_HOLDER_UNTRUSTED: */
	enum ap_lock_distrust why;
	long uid;		/* the file's owner */
	char owner[40];		/* the owner's user name (escaped), "" if unknown */
	unsigned int mode;	/* permission bits */
	const char *ftype;	/* "directory", "symbolic link", ... (untranslated) */
	char moved_to[4200];	/* a non-empty directory left under this name, or "" */
	long age_s;		/* seconds since the file's last change */
	long waited_ms;		/* how long the caller has waited so far */
};

enum ap_lock_event {
	AP_LOCK_EV_WAIT,	/* waiting for this holder (reported once per holder) */
	AP_LOCK_EV_STALE,	/* this stale lock file was removed */
	AP_LOCK_EV_TICK,	/* still waiting: about once a second, with waited_ms */
	AP_LOCK_EV_UNTRUSTED,	/* this untrusted lock file was taken over */
};

typedef void (*ap_lock_cb)(enum ap_lock_event ev, const struct ap_lock_holder *h,
			   void *data);

struct ap_lock {
	char path[4096];
	pid_t pid;		/* the PID we write (getpid() unless set) */
	bool held;
	struct ap_lock_holder holder;	/* last holder seen (after a failure) */
	unsigned long attempts;
};

/* Compute the lock path; pid 0 means getpid().  0, ENAMETOOLONG, or EXDEV
 * when its directory leads out of the root (a symbolic link). */
int ap_lock_init(struct ap_lock *lk, struct ap_path *p, pid_t pid);

/*
 * Take the lock, waiting at most wait_ms milliseconds (0: one round of
 * attempts, stale locks are still taken over).  cb (may be NULL) is told
 * about each new holder waited for and each stale lock removed.
 * Returns 0, ETIMEDOUT (lk->holder tells who holds it), EBADMSG (timed out
 * on a malformed lock file), or the errno of a failed file operation
 * (EACCES, ENOENT for a missing lock directory, EROFS, ...); when taking
 * over an untrusted lock file failed, lk->holder.state is
 * AP_LOCK_HOLDER_UNTRUSTED and describes it.
 */
int ap_lock_acquire(struct ap_lock *lk, unsigned long wait_ms, ap_lock_cb cb, void *data);

/* Remove the lock if it holds our PID: 0; ENOENT (gone); EPERM (it holds
 * something else, and was left alone); or another errno. */
int ap_lock_release(struct ap_lock *lk);

/* Parse lock file content (pure): 0 with *pid (0 for empty), or -1. */
int ap_lock_parse(const char *buf, size_t len, pid_t *pid);

#endif
