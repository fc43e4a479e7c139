#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The kill matrix (see crash-lib.bash): mdev create (7.2, ap_config), mdev modify with a guest attached (6.1).

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load crash-lib

@test "crash: mdev create --reserve --define (7.2), every step, killed and repaired" {
	start doc-example 7.2
	save_files
	inv() {
		"$APCTL" mdev remove --undefine "$U1" >/dev/null
		"$APCTL" release -a 5,6 -d 4,0xab >/dev/null
	}
	matrix inv mdev create -u "$U1" --reserve -a 5,6 -d 4,0xab --define
}

@test "crash: mdev modify with a guest attached (6.1 hot plug), every step, killed and repaired" {
	start doc-example 6.1
	"$APCTL" reserve -a 5,6 -d 4,0x47,0xab >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5,6 -d 4,0xab --define >/dev/null
	ctl attach "$U1" >/dev/null
	save_files
	inv() { "$APCTL" mdev modify -y "$U1" --add-adapters 6 --remove-domains 0x47 >/dev/null; }
	matrix inv mdev modify -y "$U1" --remove-adapters 6 --add-domains 0x47
}

