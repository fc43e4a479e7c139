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
#include <stddef.h>

#include "core/model.h"
#include "core/plan.h"
#include "sys/path.h"

/* called before (err < 0) and after (err >= 0: 0 or the errno; -2: the
 * read-back check failed) each step; may be NULL */
typedef void (*ap_exec_cb)(const struct ap_step *s, bool undo, int err, void *data);

struct ap_exec_opts {
	/*
	 * Bound on an mdev 'remove' write, which the kernel blocks while a
	 * guest has the device open (6.x).  0: wait as long as the kernel
	 * does.  When the bound runs out the step fails with ETIMEDOUT and
	 * the removal stays pending in the kernel (a child process keeps
	 * waiting in write(2)): it completes once the guest lets go.
	 */
	unsigned long remove_timeout_ms;
	/* the host as read before the plan was built: capabilities refine
	 * the messages (e.g. what EADDRNOTAVAIL means); may be NULL */
	const struct ap_host *host;
	ap_exec_cb cb;
	void *cb_data;
};

struct ap_exec_failure {
	const struct ap_step *step;	/* into plan->steps or plan->undo */
	size_t index;			/* its index there */
	bool undo;			/* an undo step */
	int err;			/* the errno; 0 when the read-back check failed */
	bool verify;			/* the write succeeded, the read-back did not match */
	char *message;			/* a sentence naming the object (translated) */
};

enum ap_exec_status {
	AP_EXEC_OK = 0,		/* every step done and verified */
	AP_EXEC_UNDONE,		/* a step failed; everything done was undone */
	AP_EXEC_PARTIAL,	/* a step failed and an undo step failed too */
};

struct ap_exec_result {
	enum ap_exec_status status;
	size_t done;			/* forward steps done (n_steps on success) */
	struct ap_exec_failure failure;	/* the failed forward step (status != OK) */
	size_t n_undone;		/* undo steps that succeeded */
	/* undo steps that failed, in the order they ran: each is a change
	 * that is still in effect (ap_step_describe() says what undoing it
	 * would have done) */
	struct ap_exec_failure *undo_failures;
	size_t n_undo_failures;
};

/* Run plan.  Returns the status (also in r->status).  Free r afterwards. */
enum ap_exec_status ap_exec_plan(struct ap_path *p, const struct ap_plan *plan,
				 const struct ap_exec_opts *o, struct ap_exec_result *r);
void ap_exec_result_free(struct ap_exec_result *r);

/*
 * The sentence for step s failing with err (err 0: its read-back check
 * failed), naming the object, e.g. "cannot assign adapter 0x06 to mdev
 * <uuid>: an APQN of the resulting matrix is already assigned to another
 * mdev (EADDRINUSE)".  For EADDRINUSE and EBUSY the other party is not
 * known here: the caller adds it from the model.  h may be NULL.
 * malloc'd; NULL when memory is short.
 */
char *ap_exec_strerror(const struct ap_step *s, int err, const struct ap_host *h);

#endif
