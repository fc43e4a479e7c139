#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Kernel generations (detected from the files that exist, never from uname)
# and the kernel's refusals: each errno the kernel returns is reported as a
# sentence naming the object and, for EADDRINUSE/EBUSY/EADDRNOTAVAIL, the
# other party, also when a tool that ignores the lock changed the system
# between apctl's reading and its write.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

teardown() {
	sim_stop
}

# the sysfs files apctl's plan writes, by name
plan_files() {
	"$APCTL" "$@" --dry-run --json 2>/dev/null | jq -r '.steps[].do.path' | sed 's|.*/||'
}

@test "5.10: no ap_config: one assign write per id, in the order the kernel accepts" {
	sim_start doc-example 5.10
	"$APCTL" reserve 5,6
	run plan_files mdev create -u "$U1" -a 5,6 -d 4 -c 4
	expect_eq "create
assign_adapter
assign_adapter
assign_domain
assign_control_domain" "$output"
	run "$APCTL" mdev create -u "$U1" -a 5,6 -d 4 -c 4
	[ "$status" -eq 0 ]
	expect_r "$MATRIX/$U1/matrix" '05.0004\n06.0004\n'
	expect_r "$MATRIX/$U1/control_domains" '0004\n'
	expect_missing "$MATRIX/$U1/ap_config"
}

@test "5.10: assignment needs existing queues bound to vfio_ap: refused before any write" {
	sim_start doc-example 5.10
	"$APCTL" reserve 5
	snap before
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4,0x10
	[ "$status" -eq 4 ]
	expect_eq "apctl: mdev $U1: APQNs 05.0010 are not queues bound to vfio_ap, and this kernel (before 6.0) assigns only those; reserve them first (apctl reserve)
apctl: warning: mdev $U1 (active): domains 0010 not in the host's AP configuration; the guest cannot use them (this kernel, before 6.0, plugs nothing in later)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "5.10: a guest blocks every change of its mdev (EBUSY): reported, nothing left changed" {
	sim_start doc-example 5.10
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	ctl attach "$U1"
	snap before
	run "$APCTL" mdev modify "$U1" --add-adapters 6 --add-domains 0x47
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot assign adapter 06 to mdev $U1: a guest uses the mdev, and this kernel cannot change an mdev while a guest runs (EBUSY)
apctl: nothing was changed" "$output"
	expect_snap before
}

@test "5.10: no mask take-back check in the kernel: apctl still refuses to give an mdev's APQN to the host" {
	sim_start doc-example 5.10
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	snap before
	run "$APCTL" release 5
	[ "$status" -eq 4 ]
	expect_eq "apctl: the new masks would give APQNs 05.0004 to the host, but mdev $U1 (active) holds them: remove them from the mdev first (apctl mdev modify)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "6.1: no ap_config: assign writes; hot plug into a running guest" {
	sim_start doc-example 6.1
	"$APCTL" reserve 5,6
	run plan_files mdev create -u "$U1" -a 5 -d 4
	expect_eq "create
assign_adapter
assign_domain" "$output"
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	ctl attach "$U1"
	run plan_files mdev modify "$U1" --add-adapters 6 --remove-domains 4 --add-domains 0x47
	expect_eq "unassign_domain
assign_adapter
assign_domain" "$output"
	run "$APCTL" mdev modify "$U1" -y --add-adapters 6 --remove-domains 4 --add-domains 0x47
	[ "$status" -eq 0 ]
	expect_r "$MATRIX/$U1/guest_matrix" '05.0047\n06.0047\n'
	expect_r "$AP/devices/06.0047/status" 'in use\n'
}

@test "mdev create --reserve on every kernel profile: adapters reserved, then the mdev created" {
	local k

	# issue 14: 6.1 (no mdev yet, no features file) was refused as "before 6.0"
	for k in 5.10 6.1 6.12 7.2; do
		sim_start doc-example "$k"
		run "$APCTL" mdev create -y -u "$U1" -a 6 -d 0x47 --reserve
		expect_eq "0 $U1" "$status $output" "kernel $k: exit and output" || return 1
		expect_r "$AP/apmask" '0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n'
		expect_r "$MATRIX/$U1/matrix" '06.0047\n'
		expect_driver 06.0047 vfio_ap
		sim_stop
	done
}

@test "6.1 without an mdev: the generation is unknown, an unbound queue is a warning, not 'before 6.0'" {
	sim_start doc-example 6.1
	"$APCTL" reserve 5
	run "$APCTL" mdev create -y -u "$U1" -a 5 -d 4,0x10
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: mdev $U1: APQNs 05.0010 are not queues bound to vfio_ap; a kernel before 6.0 assigns only those (with no mdev and no features file apctl cannot tell this kernel's version): if it refuses, the change is undone
apctl: warning: mdev $U1 (active): domains 0010 not in the host's AP configuration; the guest gets them only once they are configured to this LPAR
$U1" "$output"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n05.0010\n'
	# with an mdev to tell by, 6.1 is known to have guest_matrix: no warning
	run "$APCTL" mdev create -y -u "$U2" -a 5 -d 0x20
	expect_eq "0" "$status"
	expect_eq "apctl: warning: mdev $U2 (active): domains 0020 not in the host's AP configuration; the guest gets them only once they are configured to this LPAR
$U2" "$output"
}

@test "6.12 and 7.2: ap_config: one write configures a new mdev" {
	local k

	for k in 6.12 7.2; do
		sim_start doc-example "$k"
		"$APCTL" reserve 5,6
		run plan_files mdev create -u "$U1" -a 5,6 -d 4,0xab -c 4
		expect_eq "create
ap_config" "$output"
		run plan_files mdev create -u "$U1" -a 5,6 -d 4,0xab -c 4 --define
		expect_eq "create
ap_config
$U1" "$output"
		sim_stop
	done
}

@test "EBUSY rule 6.0-6.18: giving back an adapter whose mdev APQN stays with vfio_ap is allowed" {
	sim_start doc-example 6.12
	"$APCTL" reserve -a 5 -d 4
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	run "$APCTL" release 5
	[ "$status" -eq 0 ]
	expect_r bus/ap/apmask "$(mask_all)\n"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n'
}

@test "EBUSY rule 6.19+: the same release is refused before the kernel would refuse it" {
	sim_start doc-example 7.2
	"$APCTL" reserve -a 5 -d 4
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	snap before
	run "$APCTL" release 5
	[ "$status" -eq 4 ]
	expect_eq "apctl: APQN 05.0004, of an adapter or domain this change gives back to the host, is assigned to mdev $U1 (active); it would stay with vfio_ap, but this kernel (6.19 and later) refuses the mask change (EBUSY) while an mdev holds any APQN of a released adapter or domain: remove it from the mdev first (apctl mdev modify)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
	# and the kernel really refuses it: the simulated kernel's own answer
	expect_w bus/ap/apmask +5 EBUSY
}

# A tool that ignores the lock changes the system while apctl's write waits
# in the kernel (apsim delays that write): the kernel refuses apctl's write,
# and apctl names the other party from a fresh reading.
delayed() {
	local glob=$1

	shift
	ctl fault add "$glob" --delay 3000 >/dev/null
	"$APCTL" "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	APID=$!
	wait_for "apctl's write to reach the kernel" bash -c "'$APSIMCTL' fault list | grep -q 'seen=1'"
}

# sets RC to apctl's exit code
finish() {
	RC=0
	wait "$APID" || RC=$?
}

@test "EADDRINUSE: another mdev took the APQN meanwhile: named, create undone" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5,6
	snap before
	delayed "devices/vfio_ap/matrix/$U1/ap_config" mdev create -u "$U1" -a 5 -d 4
	expect_w "$TYPE/create" "$U2" OK
	expect_w "$MATRIX/$U2/assign_adapter" 5 OK
	expect_w "$MATRIX/$U2/assign_domain" 4 OK
	finish
	expect_eq 1 "$RC" "exit code"
	run cat "$BATS_TEST_TMPDIR/out"
	expect_eq "apctl: cannot configure mdev $U1: adapters 05, domains 0004, control domains none: APQN 05.0004 is already assigned to mdev $U2 (EADDRINUSE)
apctl: the 1 step done before was undone; nothing was changed" "$output"
	expect_missing "$MATRIX/$U1"
}

@test "EADDRNOTAVAIL: the adapter went back to the host meanwhile: named, create undone" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5,6
	delayed "devices/vfio_ap/matrix/$U1/ap_config" mdev create -u "$U1" -a 5 -d 4
	expect_w bus/ap/apmask +5 OK
	finish
	expect_eq 1 "$RC" "exit code"
	run cat "$BATS_TEST_TMPDIR/out"
	expect_eq "apctl: cannot configure mdev $U1: adapters 05, domains 0004, control domains none: APQN 05.0004 belongs to the host's drivers (apmask/aqmask; EADDRNOTAVAIL); reserve it first with 'apctl reserve'
apctl: the 1 step done before was undone; nothing was changed" "$output"
	expect_missing "$MATRIX/$U1"
}

@test "EBUSY: an mdev took an APQN of the released adapter meanwhile: named" {
	sim_start doc-example 6.12
	"$APCTL" reserve 5
	snap before
	delayed bus/ap/apmask release 5
	expect_w "$TYPE/create" "$U2" OK
	expect_w "$MATRIX/$U2/assign_adapter" 5 OK
	expect_w "$MATRIX/$U2/assign_domain" 0x47 OK
	finish
	expect_eq 1 "$RC" "exit code"
	run cat "$BATS_TEST_TMPDIR/out"
	expect_eq "apctl: cannot give adapters 05 back to the host (apmask): the kernel refused (EBUSY): APQN 05.0047 is assigned to mdev $U2; unassign it first with 'apctl mdev modify $U2'
apctl: nothing was changed" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
}

@test "EEXIST, EUSERS, ENODEV from create (injected): sentences naming the mdev" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5
	snap before
	ctl fault add "$(printf '%s' "${TYPE#"$S"/}")/create" --errno EEXIST >/dev/null
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot create mdev $U1: an mdev with this UUID already exists (EEXIST)
apctl: nothing was changed" "$output"
	ctl fault add "${TYPE#"$S"/}/create" --errno EUSERS >/dev/null
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot create mdev $U1: the kernel has no mdev instances left (EUSERS)
apctl: nothing was changed" "$output"
	ctl fault add "devices/vfio_ap/matrix/$U1/ap_config" --errno ENODEV >/dev/null
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot configure mdev $U1: adapters 05, domains 0004, control domains none: an id is above the maximum of this mdev (ENODEV; adapters up to 255, domains up to 255)
apctl: the 1 step done before was undone; nothing was changed" "$output"
	expect_snap before
}
