/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the lock file parser.  Invariants: an accepted content names a PID
 * that is not negative, and "<pid>\n" of it is accepted with the same PID.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sys/lock.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pid_t pid = -1, back = -1;
	char buf[32];

	if (ap_lock_parse((const char *)data, size, &pid) == 0) {
		FUZZ_CHECK(pid >= 0);
		if (pid > 0) {
			snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
			FUZZ_CHECK(ap_lock_parse(buf, strlen(buf), &back) == 0);
			FUZZ_CHECK(back == pid);
		}
	}
	return 0;
}
