/* SPDX-License-Identifier: MIT */
/*
 * The intent journal's records: what a change is about to do, written
 * before its first write (sys/journal.h puts them in a file), and how far
 * it got.  Pure: encode to text, decode text, check a decoded journal.
 *
 * The text is one JSON object on the first line (the header: the owner,
 * the command line, the complete plan with its undo, the previous content
 * of every file the plan replaces or deletes), then one JSON object per
 * line for each event (a step begun, done or failed; a repair started).
 * Every line ends with '\n'.
 *
 * A journal is read from a file anybody with root could have planted, so
 * nothing in it is trusted: ap_journal_check() re-derives every step with
 * the planner (ap_step_rederive) and refuses a journal with a step apctl
 * would not write, a file that is not apctl's, or an index out of range.
 */
#ifndef APCTL_CORE_JOURNAL_H
#define APCTL_CORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/plan.h"

#define AP_JOURNAL_VERSION	1
#define AP_JOURNAL_MAX		(16 * 1024 * 1024)	/* bytes: larger is not apctl's (a plan of
						 * 3 x 512 id writes and their undo: ~5 MiB) */
#define AP_JOURNAL_FILE_MAX	(64 * 1024)	/* a saved file's content */

/* the previous content of a file a plan changes (what FILE_RESTORE puts back) */
struct ap_file_image {
	char path[AP_PATH_MAX];		/* relative to the root */
	bool existed;			/* false: the undo deletes the file */
	char *content;			/* malloc'd, NUL terminated; NULL when !existed */
	size_t len;
};

enum ap_jstate {
	AP_J_NOT_STARTED = 0,
	AP_J_BEGUN,		/* its write may or may not have happened */
	AP_J_DONE,		/* written and read back */
	AP_J_FAILED,		/* failed (its owner then undid what it could) */
};

struct ap_journal {
	int version;
	long pid;			/* the owner */
	unsigned long long start;	/* its start time (clock ticks after boot) */
	char *command;			/* its command line */
	struct ap_plan plan;
	struct ap_file_image *files;
	size_t n_files;
	/* progress, from the event lines */
	enum ap_jstate *state;		/* per forward step */
	enum ap_jstate *undo_state;	/* per undo step (the owner's own rollback) */
	/* the last repair that started on this journal (pid 0: none) */
	long repair_pid;
	unsigned long long repair_start;
	bool repair_forward;
	size_t repair_steps;		/* steps that repair recorded as done */
};

void ap_journal_init(struct ap_journal *j);
void ap_journal_free(struct ap_journal *j);

/* the header line (with its '\n'), malloc'd; NULL when memory is short */
char *ap_journal_encode(const struct ap_journal *j);
/* an event line: kind "step", "undo" or "repair-step"; event "begin",
 * "done" or "failed" */
int ap_journal_event(char *buf, size_t size, const char *kind, size_t index, const char *event);
/* the line a repair appends when it starts */
int ap_journal_repair_event(char *buf, size_t size, long pid, unsigned long long start,
			    bool forward);

/*
 * Decode a journal's text (the whole file).  Returns 0, or -1 with *why
 * set (a static, translated sentence: what is wrong with it) and *line
 * the 1-based line at fault (0: the file as a whole).
 */
int ap_journal_decode(const char *buf, size_t len, struct ap_journal *j, const char **why,
		      size_t *line);

/*
 * Check a decoded journal: every step (forward and undo) is one the
 * planner would build for its intent, every undo index is in range and
 * points back to its step, every saved file is one a file step of the
 * plan changes, every text for people is free of control characters.
 * Returns 0, or -1 with *why (translated) and *step (1-based, 0: not a
 * step's fault).
 */
int ap_journal_check(const struct ap_journal *j, const char **why, size_t *step);

/* forward steps that may have been written: 1 + the last one begun (0: none) */
size_t ap_journal_reached(const struct ap_journal *j);

/*
 * What forward step s does, applied to model m (the live masks, an mdev's
 * live matrix, its definition, the masks at boot), so that a repair that
 * completes a change can validate the end state first.  0, or -1 when
 * memory is short.
 */
int ap_journal_apply_step(struct ap_model *m, const struct ap_step *s);

/* the saved image of path, or NULL */
const struct ap_file_image *ap_journal_file(const struct ap_journal *j, const char *path);

#endif
