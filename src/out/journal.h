/* SPDX-License-Identifier: MIT */
/*
 * An interrupted change (a journal, core/journal.h) for people and in JSON:
 * what show, check, mdev list, the changing commands and repair print.
 */
#ifndef APCTL_OUT_JOURNAL_H
#define APCTL_OUT_JOURNAL_H

#include <stdio.h>

#include <json-c/json.h>

#include "core/journal.h"

enum ap_out_jstate {
	AP_OUT_J_INTERRUPTED,	/* its owner is gone */
	AP_OUT_J_LIVE,		/* a change in progress */
	AP_OUT_J_BAD,		/* the journal cannot be used */
};

/* a step's state word: "done", "in-flight", "not-done", "failed", "undone" */
const char *ap_out_jstep_state(const struct ap_journal *j, size_t i);
/* how many forward steps are done (and not undone) */
size_t ap_out_jsteps_done(const struct ap_journal *j);

/*
 * The one-line sentence: "an earlier change was interrupted: 'apctl ...'
 * (process 12), 2 of 5 steps done; run 'apctl repair' ..." (translated,
 * malloc'd).  j is NULL for AP_OUT_J_BAD, then 'error' is the reason.
 */
char *ap_out_journal_sentence(enum ap_out_jstate st, const struct ap_journal *j, long owner,
			      const char *error);
/* the steps, one a line, indented: "    done: create mdev ..." */
void ap_out_journal_steps(const struct ap_journal *j, FILE *out);
/* the "change_journal" object of the JSON documents (schema: $defs/journal) */
struct json_object *ap_out_journal_json(enum ap_out_jstate st, const struct ap_journal *j,
					long owner, const char *path, const char *error);

#endif
