#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl reserve + mdev create/modify/remove against apsim: the three-guest
# example of the AP documentation done with apctl only, its documented
# failures, definitions, hot plug, removal of an mdev a guest holds.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
}

teardown() {
	sim_stop
}

three_guests() {
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5,6 -d 4,0xab
	"$APCTL" mdev create -u "$U2" -a 5 -d 0x47,0xff
	"$APCTL" mdev create -u "$U3" -a 6 -d 0x47,0xff
}

@test "three guests: reserve 5,6 and three mdev create, then show" {
	run "$APCTL" reserve 5,6
	[ "$status" -eq 0 ]
	expect_eq "apctl: adapters 05,06 reserved for vfio_ap" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 5 6)\n"
	expect_driver 05.0004 vfio_ap
	expect_driver 06.00ff vfio_ap

	run "$APCTL" mdev create -u "$U1" -a 5,6 -d 4,0xab
	[ "$status" -eq 0 ]
	expect_eq "$U1" "$output"
	run "$APCTL" mdev create -u "$U2" -a 5 -d 0x47,0xff
	[ "$status" -eq 0 ]
	expect_eq "$U2" "$output"
	run "$APCTL" mdev create -u "$U3" -a 6 -d 0x47,0xff
	[ "$status" -eq 0 ]
	expect_eq "$U3" "$output"

	expect_r "$MATRIX/$U1/matrix" '05.0004\n05.00ab\n06.0004\n06.00ab\n'
	expect_r "$MATRIX/$U2/matrix" '05.0047\n05.00ff\n'
	expect_r "$MATRIX/$U3/matrix" '06.0047\n06.00ff\n'
	expect_r "$MATRIX/$U1/guest_matrix" '05.0004\n05.00ab\n06.0004\n06.00ab\n'

	run "$APCTL" show
	[ "$status" -eq 0 ]
	[[ $output == *"$U1"* && $output == *"$U2"* && $output == *"$U3"* ]]
	run --separate-stderr "$APCTL" show --json
	[ "$status" -eq 0 ]
	run jq -r '.mdevs[] | .uuid + " " + .state + " " + ([.live.apqns[].apqn] | join(","))' <<<"$output"
	expect_eq "$U1 active 05.0004,05.00ab,06.0004,06.00ab
$U2 active 05.0047,05.00ff
$U3 active 06.0047,06.00ff" "$output"
}

@test "three guests: a second mdev asking for 05.0004 is refused before any write, naming the first" {
	three_guests
	snap before
	run "$APCTL" mdev create -u "$U4" -a 5 -d 4
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0004 to mdev $U4: it is already assigned to mdev $U1 (active); an APQN may belong to one guest only
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
	expect_missing "$MATRIX/$U4"
}

@test "three guests: the documented invalid pair (adapter 5 domains 0x47,4) names every shared APQN" {
	three_guests
	snap before
	run "$APCTL" mdev create -u "$U4" -a 5 -d 0x47,4
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0004 to mdev $U4: it is already assigned to mdev $U1 (active); an APQN may belong to one guest only
apctl: cannot assign APQN 05.0047 to mdev $U4: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: refused (2 problems); nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "mdev create without reserve: host-owned APQNs refused, --reserve does both in one transaction" {
	snap before
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4
	[ "$status" -eq 4 ]
	expect_eq "apctl: mdev $U1 (active) holds APQNs 05.0004 that the live masks give to the host; reserve them for vfio_ap (apctl reserve) or remove them from the mdev (apctl mdev modify)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events

	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --reserve
	[ "$status" -eq 0 ]
	expect_eq "$U1" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n'
}

@test "mdev create: a UUID from libuuid is printed when none is given" {
	"$APCTL" reserve 5
	run "$APCTL" mdev create -a 5 -d 4
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	expect_r "$MATRIX/$output/matrix" '05.0004\n'
}

@test "mdev create: control domains and an upper-case UUID (lowercased)" {
	"$APCTL" reserve 5
	run "$APCTL" mdev create -u "${U1^^}" -a 5 -d 4 -c 4,0xab
	[ "$status" -eq 0 ]
	expect_eq "$U1" "$output"
	expect_r "$MATRIX/$U1/control_domains" '0004\n00ab\n'
	expect_r "$MATRIX/$U1/ap_config" "$(mask_of 5),$(mask_of 4),$(mask_of 4 0xab)\n"
}

@test "mdev create --define / --autostart write mdevctl definitions" {
	"$APCTL" reserve 5,6
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	[ "$status" -eq 0 ]
	run jq -c . "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	expect_eq '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"0x5"},{"assign_domain":"0x4"}]}' "$output"
	run "$APCTL" mdev create -u "$U2" -a 6 -d 4 --autostart
	[ "$status" -eq 0 ]
	run jq -r .start "$APSIM_ROOT/etc/mdevctl.d/matrix/$U2"
	expect_eq auto "$output"
}

@test "mdev create: an autostart definition conflicting with another autostart one is refused" {
	"$APCTL" reserve --active -p 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --autostart
	"$APCTL" mdev remove "$U1"
	snap before
	run "$APCTL" mdev create -u "$U2" -a 5 -d 4 --autostart
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0004 to mdev $U2: it is already assigned to mdev $U1 (defined, autostart); an APQN may belong to one guest only
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "mdev create: refusals (existing UUID, path-like and invalid UUIDs, missing lists)" {
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	snap before
	run "$APCTL" mdev create -u "$U1" -a 5 -d 0x47
	[ "$status" -eq 4 ]
	expect_eq "apctl: mdev $U1 already exists (active); change it with 'apctl mdev modify' or choose another UUID
apctl: refused (1 problem); nothing was written" "$output"

	run "$APCTL" mdev create -u ../../../bus/ap/apmask -a 5 -d 0x47
	[ "$status" -eq 2 ]
	expect_eq "apctl: '../../../bus/ap/apmask' is not an mdev UUID (expected 8-4-4-4-12 hex digits, e.g. 8e2a5d2a-3c3a-4e1c-9b0d-0d1f5a2b7c41)
Try 'apctl mdev create --help' for more information." "$output"

	run "$APCTL" mdev create -u "$U1/" -a 5 -d 0x47
	[ "$status" -eq 2 ]
	run "$APCTL" mdev create -u "{$U1}" -a 5 -d 0x47
	[ "$status" -eq 2 ]
	run "$APCTL" mdev remove "../$U1"
	[ "$status" -eq 2 ]
	expect_eq "apctl: '../$U1' is not an mdev UUID (expected 8-4-4-4-12 hex digits, e.g. 8e2a5d2a-3c3a-4e1c-9b0d-0d1f5a2b7c41)
Try 'apctl mdev remove --help' for more information." "$output"
	run "$APCTL" mdev modify "${U1}x" -a 5
	[ "$status" -eq 2 ]

	run "$APCTL" mdev create -a 5
	[ "$status" -eq 2 ]
	expect_eq "apctl: --adapters and --domains are required
Try 'apctl mdev create --help' for more information." "$output"

	run "$APCTL" mdev create -u "$U2" -a 5 -d 010
	[ "$status" -eq 2 ]
	[[ $output == "apctl: --domains '010': "* ]]
	expect_snap before
	expect_no_events
}

@test "mdev modify: add, remove and set adapters and domains" {
	three_guests
	run "$APCTL" mdev modify "$U2" --remove-domains 0xff
	[ "$status" -eq 0 ]
	expect_r "$MATRIX/$U2/matrix" '05.0047\n'
	run "$APCTL" mdev modify "$U3" --add-adapters 5 --remove-domains 0xff
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0047 to mdev $U3: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: refused (1 problem); nothing was written" "$output"
	run "$APCTL" mdev modify "$U2" -d 0xff -c 0xff
	[ "$status" -eq 0 ]
	expect_r "$MATRIX/$U2/ap_config" "$(mask_of 5),$(mask_of 0xff),$(mask_of 0xff)\n"
	run "$APCTL" mdev modify "$U2" -d 0xff --add-domains 4
	[ "$status" -eq 2 ]
	run "$APCTL" mdev modify "$U2" --add-domains 4 --remove-domains 4
	[ "$status" -eq 2 ]
	expect_eq "apctl: --add-domains and --remove-domains both name 0004" "$output"
	run "$APCTL" mdev modify "$U4" --add-domains 4
	[ "$status" -eq 2 ]
	expect_eq "apctl: no mdev $U4: it is neither active nor defined (see 'apctl mdev list')" "$output"
}

@test "mdev modify: hot plug into and unplug from a running guest" {
	three_guests
	ctl attach "$U2"
	"$APCTL" mdev modify "$U2" --remove-domains 0xff -y
	expect_r "$MATRIX/$U2/guest_matrix" '05.0047\n'
	"$APCTL" mdev modify "$U2" --add-domains 0xff
	expect_r "$MATRIX/$U2/guest_matrix" '05.0047\n05.00ff\n'
	expect_r "$AP/devices/05.00ff/status" 'in use\n'
}

@test "mdev modify: unplugging from a running guest needs --yes without a terminal" {
	three_guests
	ctl attach "$U2"
	snap before
	run "$APCTL" mdev modify "$U2" --remove-domains 0xff </dev/null
	[ "$status" -eq 2 ]
	expect_eq "apctl: warning: mdev $U2 is in use by a guest: APQNs 05.00ff will be unplugged from the running guest
apctl: this change needs confirmation and there is no terminal to ask: add --yes; nothing was written (the question: a guest uses this mdev: the removed adapters or domains are unplugged from the running guest. Continue?)" "$output"
	expect_snap before
}

@test "mdev modify: the definition is changed with the live mdev, --persistent changes only it" {
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	"$APCTL" mdev modify "$U1" --add-domains 0xab
	expect_r "$MATRIX/$U1/matrix" '05.0004\n05.00ab\n'
	run jq -c .attrs "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	expect_eq '[{"assign_adapter":"0x5"},{"assign_domain":"0x4"},{"assign_domain":"0xab"}]' "$output"
	"$APCTL" mdev modify "$U1" --persistent --add-adapters 6
	expect_r "$MATRIX/$U1/matrix" '05.0004\n05.00ab\n'
	run jq -c .attrs "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	expect_eq '[{"assign_adapter":"0x5"},{"assign_adapter":"0x6"},{"assign_domain":"0x4"},{"assign_domain":"0xab"}]' "$output"
}

@test "mdev remove: removes; refuses while a guest uses it, naming the queues" {
	three_guests
	run "$APCTL" mdev remove "$U3"
	[ "$status" -eq 0 ]
	expect_eq "apctl: mdev $U3 removed" "$output"
	expect_missing "$MATRIX/$U3"
	expect_r "$AP/devices/06.0047/status" 'unassigned\n'

	ctl attach "$U1"
	snap before
	run "$APCTL" mdev remove "$U1"
	[ "$status" -eq 4 ]
	expect_eq "apctl: mdev $U1 is in use by a guest (queues 05.0004 05.00ab 06.0004 06.00ab); stop the guest first, or add --force: the kernel then withdraws the AP devices from the guest and blocks the removal until the guest releases the mdev (apctl waits at most 30 s, see --timeout)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "mdev remove --force: bounded wait on the kernel's blocking remove, completes after detach" {
	three_guests
	ctl attach "$U1"
	run "$APCTL" mdev remove "$U1" --force --yes --timeout 1
	[ "$status" -eq 11 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "apctl: warning: mdev $U1 is in use by a guest: removing it waits until the guest releases the device" ]]
	[[ ${lines[1]} == "apctl: removal pending: the guest still holds mdev $U1; the kernel completes the removal when the guest releases the device (process "*" waits for that); the guest's AP access is already withdrawn" ]]
	ctl detach "$U1"
	wait_for "the pending removal" test ! -e "$MATRIX/$U1"
}

@test "mdev remove --force: a guest releasing in time lets the removal finish" {
	three_guests
	ctl attach "$U1"
	( sleep 0.5; "$APSIMCTL" detach "$U1" ) &
	run "$APCTL" mdev remove "$U1" --force --yes --timeout 60
	wait
	[ "$status" -eq 0 ]
	expect_missing "$MATRIX/$U1"
}

@test "mdev remove --undefine: deletes the definition too; alone for a defined-only mdev" {
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	"$APCTL" mdev remove "$U1"
	expect_exists "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	run "$APCTL" mdev remove "$U1"
	[ "$status" -eq 4 ]
	expect_eq "apctl: mdev $U1 is not active, only defined for mdevctl; add --undefine to delete its definition
apctl: refused (1 problem); nothing was written" "$output"
	run "$APCTL" mdev remove --undefine "$U1"
	[ "$status" -eq 0 ]
	expect_missing "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
}

@test "mdev create --dry-run prints each write with its undo and writes nothing" {
	snap before
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --reserve --dry-run
	[ "$status" -eq 0 ]
	expect_eq "mdev create: 3 steps (dry run: nothing is written)
  1. reserve adapters 05 for vfio_ap (apmask)
     write \"-5\" to $S/bus/ap/apmask
     undo: write \"+5\" to $S/bus/ap/apmask
  2. create mdev $U1
     write \"$U1\" to $TYPE/create
     undo: write \"1\" to $MATRIX/$U1/remove
  3. configure mdev $U1: adapters 05, domains 0004, control domains none
     write \"$(mask_of 5),$(mask_of 4),$(mask_zero)\" to $MATRIX/$U1/ap_config
     undo: none (removing the mdev undoes it)" "$output"
	expect_snap before
	expect_no_events
}

@test "mdev create --json: a result document" {
	"$APCTL" reserve 5
	run --separate-stderr "$APCTL" mdev create -u "$U1" -a 5 -d 4 --json
	[ "$status" -eq 0 ]
	run jq -c '{command, status, exit_code, uuid, n: (.steps | length), states: [.steps[].state], error}' <<<"$output"
	expect_eq '{"command":"mdev create","status":"ok","exit_code":0,"uuid":"'"$U1"'","n":2,"states":["done","done"],"error":null}' "$output"
	run --separate-stderr "$APCTL" mdev create -u "$U2" -a 5 -d 4 --json
	[ "$status" -eq 4 ]
	run jq -c '{status, exit_code, problems: [.problems[] | {severity, kind}], steps}' <<<"$output"
	expect_eq '{"status":"refused","exit_code":4,"problems":[{"severity":"error","kind":"apqn-shared"}],"steps":[]}' "$output"
}

@test "mdev create: the UUID of an inactive definition with another matrix: warned" {
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	"$APCTL" mdev remove "$U1"
	run "$APCTL" mdev create -u "$U1" -a 5 -d 0x47
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: mdev $U1 is defined for mdevctl with another matrix; the live mdev will differ from its definition (mdevctl start -u $U1 would use the definition)
$U1" "$output"
}

@test "mdev remove --force on a terminal: asks; 'n' writes nothing, 'y' removes and shows the wait" {
	three_guests
	ctl attach "$U1"
	snap before
	run bash -c "printf 'n\n' | script -qec '$APCTL mdev remove --force $U1' /dev/null | tr -d '\r'"
	[[ $output == *"Remove it anyway? [y/N] apctl: not confirmed; nothing was written"* ]]
	expect_snap before
	run bash -c "printf 'y\n' | script -qec '$APCTL mdev remove --force --timeout 3 $U1' /dev/null | tr -d '\r'"
	[[ $output == *"apctl: waiting up to 3 s for the guest to release mdev $U1 (the kernel blocks its removal until then)"* ]]
	[[ $output == *"apctl: removal pending: the guest still holds mdev $U1;"* ]]
	expect_exists "$MATRIX/$U1"
	ctl detach "$U1"
	wait_for "the pending removal" test ! -e "$MATRIX/$U1"
}

@test "mdev modify/remove: a definition whose file name is in upper case is the one changed" {
	local u=0a1b2c3d-abcd-4ef0-8abc-def012345678 up dir=$APSIM_ROOT/etc/mdevctl.d/matrix

	up=${u^^}
	# mdevctl reads such a file (it parses the name as a UUID) and starts it
	printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "manual",\n  "attrs": [\n    {\n      "assign_adapter": "0x5"\n    }\n  ]\n}' >"$dir/$up"
	"$APCTL" mdev modify "$u" --persistent --add-domains 4
	expect_eq "$up" "$(ls "$dir")" "definition files"
	run jq -c '[.start, .attrs]' "$dir/$up"
	expect_eq '["manual",[{"assign_adapter":"0x5"},{"assign_domain":"0x4"}]]' "$output"
	run "$APCTL" mdev remove --undefine "$u"
	[ "$status" -eq 0 ]
	expect_eq "apctl: mdev $u removed" "$output"
	expect_missing "$dir/$up" "$dir/$u"
}

@test "mdev create: a UUID that cannot be printed is not a silent success" {
	local rc=0

	"$APCTL" reserve 5 >/dev/null 2>&1
	"$APCTL" mdev create -a 5 -d 4 >/dev/full 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	expect_eq 1 "$rc" "exit status"
	expect_eq "apctl: cannot write the output: No space left on device
apctl: the change itself was made: see 'apctl show' and 'apctl mdev list'" \
		"$(cat "$BATS_TEST_TMPDIR/err")"
	# the mdev is there for 'apctl mdev list' to show
	run "$APCTL" mdev list --raw --noheadings -o ACTIVE,ADAPTERS,DOMAINS
	expect_eq "yes 05 0004" "$output"
}

@test "mdev modify: an option given twice is named, whatever its spelling" {
	run "$APCTL" mdev modify "$U1" -a 5 -a 6
	[ "$status" -eq 2 ]
	expect_eq "apctl: option '--adapters' given twice
Try 'apctl mdev modify --help' for more information." "$output"
	run "$APCTL" mdev modify "$U1" --add-domains=4 --add-domains 5
	[ "$status" -eq 2 ]
	expect_eq "apctl: option '--add-domains' given twice
Try 'apctl mdev modify --help' for more information." "$output"
}
