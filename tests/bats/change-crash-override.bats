#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The kill matrix (see crash-lib.bash) for override mode (issue 16, 7.2):
# reserve and release by driver_override, live and in driverctl's files.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load crash-lib

@test "crash: reserve --mode override --active --persistent, every step, killed and repaired" {
	start doc-example 7.2
	save_files
	inv() { "$APCTL" release --mode override --active -p 05.0004,06.00ab >/dev/null; }
	matrix inv reserve --mode override --active -p 05.0004,06.00ab
}

@test "crash: release --mode override --active --persistent, every step, killed and repaired" {
	start doc-example 7.2
	"$APCTL" reserve --mode override --active -p 05.0004,06.00ab >/dev/null
	save_files
	inv() { "$APCTL" reserve --mode override --active -p 05.0004,06.00ab >/dev/null; }
	matrix inv release --mode override --active -p 05.0004,06.00ab
}
