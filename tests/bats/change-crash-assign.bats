#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The kill matrix (see crash-lib.bash): mdev create with one assign write per id (6.1).

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load crash-lib

@test "crash: mdev create --define (6.1: assign writes), every step, killed and repaired" {
	start doc-example 6.1
	"$APCTL" reserve -a 5,6 -d 4,0xab >/dev/null
	save_files
	inv() { "$APCTL" mdev remove --undefine "$U1" >/dev/null; }
	matrix inv mdev create -u "$U1" -a 5,6 -d 4,0xab --define
}
