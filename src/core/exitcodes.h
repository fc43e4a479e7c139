/* SPDX-License-Identifier: MIT */
/* apctl's exit codes: documented in --help and apctl(8), EXIT STATUS. */
#ifndef APCTL_CORE_EXITCODES_H
#define APCTL_CORE_EXITCODES_H

enum apctl_exit {
	APCTL_EXIT_OK = 0,		/* success; check: nothing wrong */
	APCTL_EXIT_FAILURE = 1,		/* a write failed, all undone; or output lost */
	APCTL_EXIT_USAGE = 2,		/* bad command line */
	APCTL_EXIT_NOAP = 3,		/* no AP bus or no vfio_ap on this system */
	APCTL_EXIT_CONFLICT = 4,	/* refused by validation; nothing was written */
	APCTL_EXIT_LOCK = 5,		/* the AP configuration lock was not obtained */
	APCTL_EXIT_PARTIAL = 6,		/* a write failed and the undo failed too */
	APCTL_EXIT_PROBLEMS = 7,	/* check/show: errors were found */
	APCTL_EXIT_WARNINGS = 8,	/* check: only warnings were found */
	APCTL_EXIT_PERM = 9,		/* a change was asked for without root */
	APCTL_EXIT_BADDATA = 10,	/* sysfs, a config file or the lock file is malformed */
	APCTL_EXIT_PENDING = 11,	/* mdev remove: the kernel finishes it when the guest
					 * releases the device (removal pending) */
	APCTL_EXIT_NOMATCH = 12,	/* show cards|queues: an id or mdev given to filter
					 * the view matches nothing on this host */
};

#endif
