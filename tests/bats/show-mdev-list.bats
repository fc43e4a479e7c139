#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl mdev list: active and defined mdevs, never confused.

load helpers
load show-lib

setup() {
	sim_start doc-example 7.2
	three_guests
}

teardown() {
	sim_stop
}

@test "active only, defined only, both, both with a differing definition" {
	# U1: active and defined identically (auto); U2: active, definition differs;
	# U3: active only; U4: defined only (manual)
	define "$U1" auto '{"assign_adapter": "5"}, {"assign_adapter": "6"}, {"assign_domain": "4"}, {"assign_domain": "0xab"}, {"assign_control_domain": "4"}'
	define "$U2" manual '{"assign_adapter": "5"}, {"assign_domain": "0x47"}'
	define "$U4" manual '{"assign_adapter": "6"}, {"assign_domain": "4"}'
	apctl mdev list
	expect_rc 0
	expect_out mdev-list.txt
	apctl mdev list --json
	expect_rc 0
	json_valid
	expect_eq '[[true,true,"auto",false],[true,true,"manual",true],[true,false,null,false],[false,true,"manual",false]]' \
		"$(jqo '[.mdevs[] | [.active, .defined, .start, .definition_differs]]')"
	apctl mdev list --active -o UUID -n
	expect_eq "$U1"$'\n'"$U2"$'\n'"$U3"$'\n' "$out"
	apctl mdev list --defined -o UUID,START -r -n
	expect_eq "$U1 auto"$'\n'"$U2 manual"$'\n'"$U4 manual"$'\n' "$out"
}

@test "no mdevs: an empty listing (as lsblk), an empty JSON array" {
	for u in "$U1" "$U2" "$U3"; do expect_w "$MATRIX/$u/remove" 1 OK; done
	apctl mdev list
	expect_rc 0
	expect_eq "" "$out"
	apctl mdev list --json
	json_valid
	expect_eq '[]' "$(jqo '.mdevs')"
}
