/* SPDX-License-Identifier: MIT */
/*
 * Execute a plan (core/plan.h): each step is written through the path
 * context, read back and verified; when a step fails, the undo of the steps
 * already done runs in reverse order.  The result says which step failed
 * with which errno (as a sentence naming the object) and, when an undo step
 * failed too, exactly which changes are still in effect.
 *
 * The caller holds the AP configuration lock (sys/lock.h) around this.
 */
#ifndef APCTL_SYS_EXEC_H
#define APCTL_SYS_EXEC_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/journal.h"
#include "core/model.h"
#include "core/plan.h"
#include "sys/journal.h"
#include "sys/path.h"

/* called before (err < 0) and after (err >= 0: 0 or the errno; -2: the
 * read-back check failed) each step; may be NULL */
/* how a plan is journaled (sys/journal.h) */
enum ap_exec_journal {
	/* a new journal: written before the first write, each step recorded
	 * before and after it runs, removed when the change ends (kept when
	 * an undo failed: 'apctl repair' undoes the rest) */
	AP_EXEC_JOURNAL_NEW = 0,
	AP_EXEC_JOURNAL_NONE,	/* none (benchmarks) */
	/* repair: steps are recorded in the open journal 'jfile' as
	 * "repair-step" events; the caller removes the journal */
	AP_EXEC_JOURNAL_REPAIR,
};

typedef void (*ap_exec_cb)(const struct ap_step *s, bool undo, int err, void *data);

struct ap_exec_opts {
	/*
	 * Bound on an mdev 'remove' write, which the kernel blocks while a
	 * guest has the device open (6.x).  0: wait as long as the kernel
	 * does.  When the bound runs out (or *stop becomes non-zero while
	 * waiting) the removal stays pending in the kernel: a child process,
	 * its stdio on /dev/null, keeps waiting in write(2) and the kernel
	 * completes the removal once the guest lets go.  Nothing is undone
	 * then (status AP_EXEC_PENDING).
	 */
	unsigned long remove_timeout_ms;
	const volatile sig_atomic_t *stop;
	/* called once when a remove has waited for a second; may be NULL */
	void (*waiting)(const struct ap_step *s, void *data);
	/* the model the plan was built from: capabilities and the other party
	 * of a refused write (EADDRINUSE, EBUSY, EADDRNOTAVAIL; when it does
	 * not show one, the executor reads the system again); may be NULL */
	const struct ap_model *model;
	ap_exec_cb cb;
	void *cb_data;
	enum ap_exec_journal journal;
	struct ap_jfile *jfile;		/* AP_EXEC_JOURNAL_REPAIR */
	/* the previous content of files the plan's FILE_RESTORE steps put
	 * back, when another process saved it (repair: from the journal) */
	const struct ap_file_image *files;
	size_t n_files;
};

struct ap_exec_failure {
	const struct ap_step *step;	/* into plan->steps or plan->undo */
	size_t index;			/* its index there */
	bool undo;			/* an undo step */
	int err;			/* the errno; 0 when the read-back check failed */
	bool verify;			/* the write succeeded, the read-back did not match */
	/* forward: "cannot <what>: <reason>"; undo: "cannot undo '<what of the
	 * forward step>': <reason>" (translated) */
	char *message;
	/* an undo FILE_RESTORE that failed: the content it had to restore
	 * (NULL: the file had to be deleted) */
	char *content;
	size_t len;
};

enum ap_exec_status {
	AP_EXEC_OK = 0,		/* every step done and verified */
	AP_EXEC_UNDONE,		/* a step failed; everything done was undone */
	AP_EXEC_PARTIAL,	/* a step failed and an undo step failed too */
	AP_EXEC_PENDING,	/* an mdev removal did not finish in time; it stays
				 * pending in the kernel (failure says so) */
};

/* what became of each forward step */
enum ap_step_state {
	AP_STEP_PLANNED = 0,	/* not run */
	AP_STEP_DONE,
	AP_STEP_FAILED,		/* its write or read-back failed (and is undone) */
	AP_STEP_UNDONE,
	AP_STEP_UNDO_FAILED,	/* still in effect: its undo failed */
};

struct ap_exec_result {
	enum ap_exec_status status;
	size_t done;			/* forward steps done (n_steps on success) */
	struct ap_exec_failure failure;	/* the failed forward step (status != OK) */
	size_t n_undone;		/* undo steps that succeeded */
	/* undo steps that failed, in the order they ran: each is a change
	 * that is still in effect (its owner's 'repair' undoes it) */
	struct ap_exec_failure *undo_failures;
	size_t n_undo_failures;
	enum ap_step_state *state;	/* per forward step (NULL when memory is short) */
	pid_t waiter;			/* AP_EXEC_PENDING: the process still waiting */
	/* the journal could not be removed at the end (errno), or 0 */
	int journal_err;
};

/*
 * Does the system show what step s establishes (its read-back; for a file
 * step the content it writes, for FILE_RESTORE the saved content of files)?
 * 0 yes, -1 no, or an errno (ENOENT: the mdev or file it reads is gone).
 */
int ap_exec_step_holds(struct ap_path *p, const struct ap_step *s,
		       const struct ap_file_image *files, size_t n_files);

/* Run plan.  Returns the status (also in r->status).  Free r afterwards. */
enum ap_exec_status ap_exec_plan(struct ap_path *p, const struct ap_plan *plan,
				 const struct ap_exec_opts *o, struct ap_exec_result *r);
void ap_exec_result_free(struct ap_exec_result *r);

/*
 * Why step s failed with err (0: its read-back check failed), as the part
 * of a sentence after "cannot <what>: ", naming the other party of an
 * EADDRINUSE/EBUSY/EADDRNOTAVAIL from model m when m shows one (m may be
 * NULL).  With need_party, NULL when such an error's party is not in m.
 * remove_timeout_ms words ETIMEDOUT of a remove.  malloc'd; NULL also when
 * memory is short.
 */
char *ap_exec_reason(const struct ap_step *s, int err, const struct ap_model *m,
		     unsigned long remove_timeout_ms, bool need_party);

/* the full path of the file step s writes ("/sys/bus/ap/apmask", "/etc/...") */
int ap_exec_step_path(struct ap_path *p, const struct ap_step *s, char *buf, size_t size);
/*
 * The bytes a file step writes: DEFINE_MDEV and PERSIST_MASKS their
 * formatted content, FILE_RESTORE the file's current content (what it
 * would restore; ENOENT: it would delete the file).  0 or an errno.
 */
int ap_exec_step_content(struct ap_path *p, const struct ap_step *s, char **buf, size_t *len);

#endif
