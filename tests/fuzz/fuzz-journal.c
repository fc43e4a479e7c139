/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the change journal's decoder and its check (core/journal.h).
 * Invariants: a refused journal has a reason; an accepted one that passes
 * the check encodes to a header that decodes and checks again with the
 * same steps, undo steps, files and progress counts; its steps' states
 * are in range.
 */
#include "config.h"

#include <string.h>

#include "core/journal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ap_journal j, back;
	const char *why = NULL;
	size_t line, step;
	char *text;

	if (ap_journal_decode((const char *)data, size, &j, &why, &line)) {
		FUZZ_CHECK(why && *why);
		ap_journal_free(&j);
		return 0;
	}
	FUZZ_CHECK(j.plan.n_steps > 0);
	FUZZ_CHECK(ap_journal_reached(&j) <= j.plan.n_steps);
	if (ap_journal_check(&j, &why, &step) == 0) {
		text = ap_journal_encode(&j);
		FUZZ_CHECK(text);
		FUZZ_CHECK(ap_journal_decode(text, strlen(text), &back, &why, &line) == 0);
		FUZZ_CHECK(ap_journal_check(&back, &why, &step) == 0);
		FUZZ_CHECK(back.plan.n_steps == j.plan.n_steps && back.plan.n_undo == j.plan.n_undo);
		FUZZ_CHECK(back.n_files == j.n_files && back.pid == j.pid);
		for (size_t i = 0; i < j.plan.n_steps; i++)
			FUZZ_CHECK(!strcmp(back.plan.steps[i].path, j.plan.steps[i].path) &&
				   !strcmp(back.plan.steps[i].data, j.plan.steps[i].data));
		ap_journal_free(&back);
		free(text);
	} else {
		FUZZ_CHECK(why && *why);
	}
	ap_journal_free(&j);
	return 0;
}
