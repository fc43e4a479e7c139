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

# ------------------------------------------------- 2: one conflict, one message

three_guests() {
	"$APCTL" reserve -a 5,6 -d 4,0x47,0xab,0xff >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5,6 -d 4 "$1" >/dev/null
	"$APCTL" mdev create -u "$U2" -a 5 -d 0x47 >/dev/null
	"$APCTL" mdev create -u "$U3" -a 6 -d 0x47 >/dev/null
}

@test "mdev modify of an active and defined mdev: each conflict once, no warning from the definition's side" {
	local s
	for s in --define --autostart; do
		three_guests "$s"
		snap before
		run "$APCTL" mdev modify "$U1" --add-domains 0x47
		[ "$status" -eq 4 ]
		expect_eq "apctl: cannot assign APQN 05.0047 to mdev $U1: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: cannot assign APQN 06.0047 to mdev $U1: it is already assigned to mdev $U3 (active); an APQN may belong to one guest only
apctl: refused (2 problems); nothing was written" "$output"
		expect_snap before
		"$APCTL" mdev remove -y "$U1" --undefine >/dev/null
		"$APCTL" mdev remove -y "$U2" >/dev/null
		"$APCTL" mdev remove -y "$U3" >/dev/null
	done
}

@test "mdev create without --uuid: a refusal speaks of the new mdev, not of a made-up UUID" {
	three_guests --define
	snap before
	run "$APCTL" mdev create -a 5 -d 0x47
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0047 to the new mdev: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	# with --uuid the UUID given is named
	run "$APCTL" mdev create -u "$U4" -a 5 -d 0x47
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0047 to mdev $U4: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: refused (1 problem); nothing was written" "$output"
}

@test "mdev create with an adapter missing from the LPAR: the root cause first" {
	snap before
	run "$APCTL" mdev create -a 7 -d 0xff
	[ "$status" -eq 4 ]
	expect_eq "apctl: warning: the new mdev (active): adapters 07 not in the host's AP configuration; the guest gets them only once they are configured to this LPAR
apctl: the new mdev (active) holds APQNs 07.00ff that the live masks give to the host; reserve them for vfio_ap (apctl reserve) or remove them from the mdev (apctl mdev modify)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
}

# ------------------------------------------------ 3: a pending removal

@test "mdev remove --force with the guest attached: removal pending, exit 11, shown by every view" {
	"$APCTL" reserve -a 5,6 -d 4,0x47 >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define >/dev/null
	ctl attach "$U1"
	run --separate-stderr "$APCTL" mdev remove "$U1" --force -y -t 1 --json
	[ "$status" -eq 11 ]
	[[ $stderr != *"Nothing else is left to repair"* ]]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rm.json"
	expect_schema "$BATS_TEST_TMPDIR/rm.json"
	expect_eq "pending 11" "$(jq -r '"\(.status) \(.exit_code)"' "$BATS_TEST_TMPDIR/rm.json")"

	run "$APCTL" mdev list -o UUID,NOTE
	[ "$status" -eq 0 ]
	expect_eq "UUID                                 NOTE
$U1 removal pending: the guest still holds the device" "$output"
	run "$APCTL" show matrix
	[[ $output == *"  1    $U1  both, guest attached, removal pending"* ]] || fail "$output"
	run "$APCTL" check
	[ "$status" -eq 8 ]
	[[ $output == *"warning: mdev $U1: removal pending: the guest still holds the device; the kernel completes the removal when the guest releases it"* ]] || fail "$output"
	expect_eq true "$("$APCTL" show --json | jq ".mdevs[] | select(.uuid == \"$U1\") | .remove_pending")"
	# a second remove says so instead of blocking again
	snap before
	run "$APCTL" mdev remove "$U1" --force -y
	[ "$status" -eq 11 ]
	expect_eq "apctl: removal pending: mdev $U1 is being removed already; the kernel completes it when the guest releases the device" "$output"
	expect_snap before
	# once the guest lets go the removal completes and the views forget it
	ctl detach "$U1"
	wait_for "the pending removal" test ! -e "$MATRIX/$U1"
	run "$APCTL" mdev list -o UUID,ACTIVE,NOTE
	expect_eq "UUID                                 ACTIVE NOTE
$U1 no     -" "$output"
}
