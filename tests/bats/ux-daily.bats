#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl as an s390 administrator meets it every day (issue 19): hints that
# lead to the right id, one message per conflict, a pending removal as its
# own outcome, one exit code per condition, and --json on every exit path.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
}

teardown() {
	sim_stop
}

# ------------------------------------------------------------- 1: ids

@test "ids with a leading zero: the lszcrypt (hex) reading first, nothing written" {
	snap before
	run "$APCTL" reserve --dry-run -d 0047
	[ "$status" -eq 2 ]
	expect_eq "apctl: --domains '0047': 0047 is ambiguous: as lszcrypt prints ids it is 0x47 (71), write 0x47 for that; if you mean decimal 47, write 47 (the kernel would read 0047 as octal 39)" "$output"
	run "$APCTL" reserve -d 00ab
	[ "$status" -eq 2 ]
	expect_eq "apctl: --domains '00ab': 00ab is written as lszcrypt prints ids, in hex: write 0xab (or 171)" "$output"
	run "$APCTL" reserve -a 010
	[ "$status" -eq 2 ]
	expect_eq "apctl: --adapters '010': 010 is ambiguous: as lszcrypt prints ids it is 0x10 (16), write 0x10 for that; if you mean decimal 10, write 10 (the kernel would read 010 as octal 8)" "$output"
	expect_snap before
	# following the hint reserves the domain lszcrypt showed as 0047
	run "$APCTL" reserve -d 0x47
	[ "$status" -eq 0 ]
	expect_eq "apctl: domains 0047 reserved for vfio_ap" "$output"
	# readings that agree are taken
	run "$APCTL" reserve -a 05
	[ "$status" -eq 0 ]
	expect_eq "apctl: adapters 05 reserved for vfio_ap" "$output"
}
