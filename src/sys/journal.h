/* SPDX-License-Identifier: MIT */
/*
 * The intent journal's file, <root>/run/apctl/journal (records:
 * core/journal.h).  /run is a tmpfs: the journal lives as long as the
 * state it describes (live sysfs writes do not survive a reboot either).
 *
 * Why the order is crash-safe
 * ---------------------------
 * The executor (sys/exec.h) keeps this order, under the AP lock:
 *
 *  1. The header (owner, command, complete plan with undo steps, the
 *     previous content of every file the plan replaces) is written to a
 *     temporary file, fsync'ed, renamed to the journal's name, and the
 *     directory is fsync'ed.  Only then does the first write happen.  A
 *     crash before the rename leaves no journal and nothing written (a
 *     stray temporary file is ignored); after it, the journal is complete.
 *  2. Before each step, a "begin" line is appended and fsync'ed; after the
 *     step was written and read back, a "done" line.  So a step without
 *     "begin" was never written; a step with "begin" but no "done" may or
 *     may not have been, and repair reads the system back to find out;
 *     every step before it is done.
 *  3. When the change ends (every step done, or a failure fully undone, or
 *     an mdev removal left pending in the kernel), the journal is unlinked
 *     and the directory fsync'ed: last, after the last read-back.  A crash
 *     before the unlink leaves a journal of a finished change: repair finds
 *     by read-back that nothing is left to do and removes it.
 *
 * At no point does a write to the system exist that the journal does not
 * announce, and the journal never claims a write that the system may not
 * show.  A change whose undo failed (exit 6) keeps its journal on purpose:
 * its remains are what 'apctl repair' undoes.
 *
 * The journal's owner is its PID with the start time of that process
 * (/proc/PID/stat): a PID that was reused by another process does not
 * make an interrupted change look alive.  /proc is that of the running
 * system, not below --root (the lock does the same, sys/lock.h).
 */
#ifndef APCTL_SYS_JOURNAL_H
#define APCTL_SYS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/journal.h"
#include "sys/path.h"

#define AP_JOURNAL_DIR	"run/apctl"
#define AP_JOURNAL_PATH	AP_JOURNAL_DIR "/journal"

/* an open journal a transaction appends to */
struct ap_jfile {
	int fd;				/* -1: none */
	char path[4096];
	struct ap_path *p;
};

/* the start time of process pid (clock ticks after boot): 0 or an errno */
int ap_proc_start(pid_t pid, unsigned long long *start);
/* is the process pid with that start time running? */
bool ap_proc_alive(long pid, unsigned long long start);
/* our command line, arguments joined by blanks (malloc'd) */
char *ap_proc_cmdline(void);

/* write the header j as a new journal (step 1 above); 0 or an errno */
int ap_jfile_create(struct ap_jfile *f, struct ap_path *p, const struct ap_journal *j);
/* open the existing journal for appending (repair); 0 or an errno */
int ap_jfile_open(struct ap_jfile *f, struct ap_path *p);
/* append one line and fsync it; 0 or an errno */
int ap_jfile_append(struct ap_jfile *f, const char *line);
/* close and remove the journal (step 3); 0 or an errno */
int ap_jfile_remove(struct ap_jfile *f);
/* close without removing */
void ap_jfile_close(struct ap_jfile *f);

enum ap_journal_found {
	AP_JOURNAL_NONE = 0,		/* no journal: nothing was interrupted */
	AP_JOURNAL_LIVE,		/* its owner (or its repair) is running */
	AP_JOURNAL_INTERRUPTED,		/* its owner is gone: repair it */
	AP_JOURNAL_BAD,			/* unreadable, malformed or not apctl's */
};

struct ap_journal_probe {
	enum ap_journal_found found;
	char path[4096];		/* the journal's full path */
	struct ap_journal j;		/* LIVE, INTERRUPTED */
	char *raw;			/* the file's bytes (LIVE, INTERRUPTED, BAD when read) */
	size_t raw_len;
	char *error;			/* BAD: why, one sentence (translated) */
	long owner;			/* the process that owns it now (a repair's, or the change's) */
};

/* look for a journal and judge it: 0, or ENOMEM / ENAMETOOLONG */
int ap_journal_probe(struct ap_path *p, struct ap_journal_probe *out);
void ap_journal_probe_free(struct ap_journal_probe *pr);

/* remove the journal whatever it holds (repair --discard): 0 or an errno */
int ap_journal_discard(struct ap_path *p);

#endif
