#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The kill matrix (see crash-lib.bash): reserve, release (live and at boot), mdev remove --undefine.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load crash-lib

@test "crash: reserve --active --persistent, every step, killed and repaired" {
	start doc-example 7.2
	save_files
	inv() { "$APCTL" release --active -p -a 5,6 -d 0x47,0xab >/dev/null; }
	matrix inv reserve --active -p -a 5,6 -d 0x47,0xab
}

@test "crash: release --active --persistent, every step, killed and repaired" {
	start doc-example 7.2
	"$APCTL" reserve --active -p -a 5,6 -d 0x47 >/dev/null
	save_files
	inv() { "$APCTL" reserve --active -p -a 5,6 -d 0x47 >/dev/null; }
	matrix inv release --active -p -a 5,6 -d 0x47
}

@test "crash: mdev remove --undefine, every step, killed and repaired (a written removal is completed)" {
	start doc-example 7.2
	"$APCTL" reserve -a 5,6 -d 4 >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5,6 -d 4 --define >/dev/null
	save_files
	inv() { "$APCTL" mdev create -u "$U1" -a 5,6 -d 4 --define >/dev/null; }
	matrix inv mdev remove --undefine "$U1"
}
