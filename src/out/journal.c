/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "out/journal.h"

static bool undone(const struct ap_journal *j, size_t i)
{
	const struct ap_step *s = &j->plan.steps[i];

	if (!s->undo_count)
		return false;
	for (size_t k = s->undo_first; k < s->undo_first + s->undo_count; k++)
		if (j->undo_state[k] != AP_J_DONE)
			return false;
	return true;
}

const char *ap_out_jstep_state(const struct ap_journal *j, size_t i)
{
	switch (j->state[i]) {
	case AP_J_DONE:
		return undone(j, i) ? "undone" : "done";
	case AP_J_BEGUN:
		return "in-flight";
	case AP_J_FAILED:
		return "failed";
	default:
		return "not-done";
	}
}

size_t ap_out_jsteps_done(const struct ap_journal *j)
{
	size_t n = 0;

	for (size_t i = 0; i < j->plan.n_steps; i++)
		if (j->state[i] == AP_J_DONE && !undone(j, i))
			n++;
	return n;
}

char *ap_out_journal_sentence(enum ap_out_jstate st, const struct ap_journal *j, long owner,
			      const char *error)
{
	size_t done, n;
	char *r = NULL;
	int rc;

	if (st == AP_OUT_J_BAD) {
		rc = asprintf(&r, _("%s; 'apctl repair --discard' shows and removes it"), error);
		return rc < 0 ? NULL : r;
	}
	done = ap_out_jsteps_done(j);
	n = j->plan.n_steps;
	if (st == AP_OUT_J_LIVE)
		rc = asprintf(&r, _("a change is in progress: '%s' (process %ld), %zu of %zu "
				    "steps done"), j->command, owner, done, n);
	else if (j->repair_pid)
		rc = asprintf(&r, _("an earlier change was interrupted, and so was its repair: "
				    "'%s' (process %ld), %zu of %zu steps done; run 'apctl "
				    "repair' again"), j->command, j->pid, done, n);
	else
		rc = asprintf(&r, _("an earlier change was interrupted: '%s' (process %ld), "
				    "%zu of %zu steps done; run 'apctl repair' to undo it (or "
				    "'apctl repair --forward' to complete it)"),
			      j->command, j->pid, done, n);
	return rc < 0 ? NULL : r;
}

static const char *state_text(const char *w)
{
	if (!strcmp(w, "done"))
		return _("done");
	if (!strcmp(w, "in-flight"))
		return _("in flight");
	if (!strcmp(w, "failed"))
		return _("failed");
	if (!strcmp(w, "undone"))
		return _("undone");
	return _("not done");
}

void ap_out_journal_steps(const struct ap_journal *j, FILE *out)
{
	for (size_t i = 0; i < j->plan.n_steps; i++)
		fprintf(out, "    %s %zu, %s: %s\n", _("step"), i + 1,
			state_text(ap_out_jstep_state(j, i)), j->plan.steps[i].what);
}

struct json_object *ap_out_journal_json(enum ap_out_jstate st, const struct ap_journal *j,
					long owner, const char *path, const char *error)
{
	struct json_object *o = json_object_new_object(), *a;
	char *msg = ap_out_journal_sentence(st, j, owner, error);

	json_object_object_add(o, "state", json_object_new_string(
			       st == AP_OUT_J_LIVE ? "in-progress"
			       : st == AP_OUT_J_BAD ? "malformed" : "interrupted"));
	json_object_object_add(o, "journal", json_object_new_string(path));
	json_object_object_add(o, "message", json_object_new_string(msg ? msg : ""));
	free(msg);
	json_object_object_add(o, "command", j ? json_object_new_string(j->command) : NULL);
	json_object_object_add(o, "pid", j ? json_object_new_int64(j->pid) : NULL);
	json_object_object_add(o, "repair_pid", j && j->repair_pid
			       ? json_object_new_int64(j->repair_pid) : NULL);
	a = json_object_new_array();
	for (size_t i = 0; j && i < j->plan.n_steps; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "what", json_object_new_string(j->plan.steps[i].what));
		json_object_object_add(e, "state", json_object_new_string(ap_out_jstep_state(j, i)));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "steps", a);
	return o;
}
