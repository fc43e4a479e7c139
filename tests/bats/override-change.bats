#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Kernels 6.19 and later: apctl reserve / release in override mode (issue
# 16): per queue, through the one planner, validator and executor.  Each
# refusal is shown with its exact message and shown to write nothing.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

teardown() {
	sim_stop
}

@test "7.2: reserve --mode override APQNs: override, unbind, probe; show and check agree; release undoes it" {
	sim_start doc-example 7.2
	run "$APCTL" reserve --dry-run --mode override 05.0004,06.00ab
	[ "$status" -eq 0 ]
	expect_eq "reserve: 6 steps (dry run: nothing is written)
  1. set the driver_override of queue 05.0004 to vfio_ap
     write \"vfio_ap\" to $S/bus/ap/devices/05.0004/driver_override
     undo: write a newline to $S/bus/ap/devices/05.0004/driver_override
     then: write \"05.0004\" to $S/bus/ap/drivers_probe
  2. unbind queue 05.0004 from cex4queue
     write \"05.0004\" to $S/bus/ap/drivers/cex4queue/unbind
     undo: by the undo of the step before (it probes the queue again)
  3. probe queue 05.0004 again (it binds to vfio_ap)
     write \"05.0004\" to $S/bus/ap/drivers_probe
     undo: write \"05.0004\" to $S/bus/ap/drivers/vfio_ap/unbind
  4. set the driver_override of queue 06.00ab to vfio_ap
     write \"vfio_ap\" to $S/bus/ap/devices/06.00ab/driver_override
     undo: write a newline to $S/bus/ap/devices/06.00ab/driver_override
     then: write \"06.00ab\" to $S/bus/ap/drivers_probe
  5. unbind queue 06.00ab from cex4queue
     write \"06.00ab\" to $S/bus/ap/drivers/cex4queue/unbind
     undo: by the undo of the step before (it probes the queue again)
  6. probe queue 06.00ab again (it binds to vfio_ap)
     write \"06.00ab\" to $S/bus/ap/drivers_probe
     undo: write \"06.00ab\" to $S/bus/ap/drivers/vfio_ap/unbind" "$output"
	snap before
	run "$APCTL" reserve -y --mode override 05.0004,06.00ab
	[ "$status" -eq 0 ]
	expect_eq "apctl: queues 05.0004, 06.00ab reserved for vfio_ap (driver_override)" "$output"
	expect_r "$DEV/card05/05.0004/driver_override" 'vfio_ap\n'
	expect_driver 05.0004 vfio_ap
	expect_driver 06.00ab vfio_ap
	expect_driver 05.0047 cex4queue
	expect_r "$AP/apmask" "$(mask_all)\n"
	run "$APCTL" show --json
	expect_eq 'overrides 2' "$(jq -r '"\(.host.give_mode) \(.host.driver_overrides)"' <<<"$output")"
	# no error; the boot audit says that the next boot loses the live overrides
	run "$APCTL" check
	[ "$status" -eq 8 ]
	expect_eq "  warning: the driver_override of 05.0004, 06.00ab is set now, but no saved override in /etc/driverctl.d sets it again: the next boot loses it; to keep it, apctl reserve --mode override --persistent 05.0004,06.00ab (or driverctl set-override without --nosave)
0 errors, 1 warning" "$output"
	# the host now gives queues by override: plain release/reserve follow it
	run "$APCTL" release -y 05.0004,06.00ab
	[ "$status" -eq 0 ]
	expect_eq "apctl: queues 05.0004, 06.00ab now belong to the host (driver_override cleared)" "$output"
	expect_snap before
}

@test "7.2: in override mode an adapter list names its existing queues; --json names them" {
	sim_start doc-example 7.2
	"$APCTL" reserve -y --mode override 06.0004 >/dev/null
	run "$APCTL" reserve -y --json -a 5 -d 4,0x47
	[ "$status" -eq 0 ]
	expect_eq '{"mode":"override","queues":["05.0004","05.0047"]}' \
		"$(jq -c '{mode, queues}' <<<"$output")"
	expect_driver 05.0004 vfio_ap
	expect_driver 05.0047 vfio_ap
	expect_driver 05.00ab cex4queue
	run "$APCTL" reserve -y 5
	[ "$status" -eq 0 ]
	expect_eq "apctl: queues 05.0004, 05.0047, 05.00ab, 05.00ff reserved for vfio_ap (driver_override)" "$output"
	expect_driver 05.00ff vfio_ap
}

@test "7.2: on a default host an APQN needs --mode override; the default stays the masks" {
	sim_start doc-example 7.2
	snap before
	run "$APCTL" reserve -y 05.0004
	[ "$status" -eq 2 ]
	expect_eq "apctl: APQN 05.0004 cannot be reserved alone: apmask and aqmask select whole adapters and whole domains
apctl:   'apctl reserve --adapters 5' moves the whole adapter: 05.0004 05.0047 05.00ab 05.00ff
apctl:   'apctl reserve --domains 4' moves the whole domain: 05.0004 06.0004
apctl:   'apctl reserve --mode override 05.0004' moves the queue alone by its driver_override (then this kernel refuses mask changes until the override is released)" "$output"
	expect_snap before
	run "$APCTL" reserve -y --mode nonsense 5
	[ "$status" -eq 2 ]
	[[ $output == *"--mode takes 'masks' or 'override', not 'nonsense'"* ]]
	run "$APCTL" reserve -y --mode override 05.0004,5
	[ "$status" -eq 2 ]
	expect_eq "apctl: '5' in '05.0004,5' is not an APQN (AA.DDDD, hex: 05.0004)" "$output"
	expect_snap before
	run "$APCTL" reserve -y 5
	[ "$status" -eq 0 ]
	expect_r "$AP/apmask" "$(mask_all_but 5)\n"
}

@test "7.2: an override while the masks are in use is refused before any write, with the way out" {
	sim_start doc-example 7.2
	"$APCTL" reserve -y -a 6 -d 0x47 >/dev/null
	snap before
	run "$APCTL" reserve -y --mode override 05.0004
	[ "$status" -eq 4 ]
	expect_eq "apctl: this kernel refuses every driver_override write while apmask/aqmask were changed through sysfs, and they are now: give the masks back to all ones first ('apctl release --adapters 6 --domains 71'), then use --mode override; or keep giving queues to vfio_ap by the masks (--mode masks)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "6.12: --mode override is refused: the kernel has no driver_override" {
	sim_start doc-example 6.12
	snap before
	run "$APCTL" reserve -y --mode override 05.0004
	[ "$status" -eq 4 ]
	expect_eq "apctl: this kernel has no driver_override file (it came with Linux 6.19): queues can be given to vfio_ap only through apmask/aqmask; leave out --mode override
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	run "$APCTL" reserve -y 05.0004
	[ "$status" -eq 2 ]
	[[ ${lines[3]} == "apctl:   this kernel has no driver_override (Linux 6.19 and later can move single queues)" ]]
	expect_snap before
}

@test "7.2: a queue that does not exist, and the release of an mdev's queue, are refused" {
	sim_start doc-example 7.2
	"$APCTL" reserve -y --mode override 05.0004 >/dev/null
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 >/dev/null
	snap before
	run "$APCTL" reserve -y 05.0009
	[ "$status" -eq 4 ]
	expect_eq "apctl: there is no queue 05.0009 on this host: a driver_override belongs to a queue device (see apctl show queues)
apctl: refused (1 problem); nothing was written" "$output"
	run "$APCTL" release -y 05.0004
	[ "$status" -eq 4 ]
	expect_eq "apctl: releasing 05.0004 would give it back to the host, but mdev $U1 (active) holds it: remove it from the mdev first (apctl mdev modify $U1), then release it
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "7.2: reserve by override while a guest holds another queue of the same adapter" {
	sim_start doc-example 7.2
	"$APCTL" reserve -y --mode override 05.0004 >/dev/null
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 >/dev/null
	ctl attach "$U1"
	expect_r "$DEV/card05/05.0004/status" 'in use\n'
	local gm
	gm=$(cat "$MATRIX/$U1/guest_matrix")
	run "$APCTL" reserve -y 05.0047,05.00ab
	[ "$status" -eq 0 ]
	expect_driver 05.0047 vfio_ap
	expect_driver 05.00ab vfio_ap
	expect_driver 05.0004 vfio_ap
	expect_eq "$gm" "$(cat "$MATRIX/$U1/guest_matrix")"
	expect_r "$DEV/card05/05.0004/status" 'in use\n'
	run "$APCTL" release -y 05.0047
	[ "$status" -eq 0 ]
	expect_driver 05.0047 cex4queue
	expect_eq "$gm" "$(cat "$MATRIX/$U1/guest_matrix")"
	run "$APCTL" check
	[ "$status" -eq 8 ]
	[[ ${lines[-1]} == "0 errors, 1 warning" ]]
}

@test "7.2: mdev create --reserve follows the host's override mode" {
	sim_start doc-example 7.2
	"$APCTL" reserve -y --mode override 06.0004 >/dev/null
	run "$APCTL" mdev create -y -u "$U1" -a 5 -d 4,0x47 --reserve
	[ "$status" -eq 0 ]
	expect_driver 05.0004 vfio_ap
	expect_driver 05.0047 vfio_ap
	expect_r "$DEV/card05/05.0047/driver_override" 'vfio_ap\n'
	expect_r "$AP/apmask" "$(mask_all)\n"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n05.0047\n'
	run "$APCTL" check
	[ "$status" -eq 8 ]
	[[ ${lines[-1]} == "0 errors, 1 warning" ]]
}

@test "7.2: --persistent writes and deletes driverctl's file ap-AA.DDDD (driver name and newline)" {
	sim_start doc-example 7.2
	run "$APCTL" reserve -y --mode override -p --active 05.0004
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: driverctl's udev rule (05-driverctl.rules) and driverctl@.service are not installed: the saved overrides in /etc/driverctl.d will not come back at boot (install driverctl)
apctl: queues 05.0004 reserved for vfio_ap (driver_override)
apctl: queues 05.0004: the overrides were saved for boot in /etc/driverctl.d (driverctl)" "$output"
	expect_eq "$(printf 'vfio_ap\n_')" "$(cat "$APSIM_ROOT/etc/driverctl.d/ap-05.0004"; printf _)"
	# with driverctl's rule installed the warning goes
	mkdir -p "$APSIM_ROOT/usr/lib/udev/rules.d"
	: >"$APSIM_ROOT/usr/lib/udev/rules.d/05-driverctl.rules"
	run "$APCTL" reserve -y -p --active 06.00ab
	[ "$status" -eq 0 ]
	[[ $output != *warning* ]]
	run "$APCTL" release -y -p --active 05.0004,06.00ab
	[ "$status" -eq 0 ]
	[ ! -e "$APSIM_ROOT/etc/driverctl.d/ap-05.0004" ]
	[ ! -e "$APSIM_ROOT/etc/driverctl.d/ap-06.00ab" ]
	expect_driver 05.0004 cex4queue
}

@test "7.2: the kernel quirk: an overridden queue went away, mask writes stay blocked; apctl explains the EINVAL" {
	sim_start doc-example 7.2
	"$APCTL" reserve -y --mode override 05.0004 >/dev/null
	ctl host domain-remove 4 >/dev/null
	ctl scan >/dev/null
	expect_missing "$DEV/card05/05.0004"
	snap before
	run "$APCTL" reserve -y 6
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot reserve adapters 06 for vfio_ap (apmask): the kernel refused it (EINVAL), although no queue has a driver_override now: a queue that had one went away, and this kernel still counts its override (it does not forget it when the queue disappears), so it refuses every apmask/aqmask change until the next boot; give queues to vfio_ap by driver_override meanwhile (apctl reserve --mode override)
apctl: nothing was changed" "$output"
	expect_snap before
	# the way out it names works
	run "$APCTL" reserve -y --mode override 06.0047
	[ "$status" -eq 0 ]
	expect_driver 06.0047 vfio_ap
}

@test "7.2: masks set on the kernel command line do not block overrides: --mode override works there" {
	local h=$BATS_TEST_TMPDIR/cmdline-masks.json
	jq '.apmask = "0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"' \
		"$top_srcdir/tests/apsim/hosts/doc-example.json" >"$h"
	sim_start "$h" 7.2
	mkdir -p "$APSIM_ROOT/proc"
	echo "root=/dev/dasda1 ap.apmask=0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" >"$APSIM_ROOT/proc/cmdline"
	expect_driver 06.0004 vfio_ap
	run "$APCTL" reserve -y --mode override 05.0004
	[ "$status" -eq 0 ]
	expect_driver 05.0004 vfio_ap
	run "$APCTL" show --json
	expect_eq 'masks+overrides 1' "$(jq -r '"\(.host.give_mode) \(.host.driver_overrides)"' <<<"$output")"
	run "$APCTL" release -y 05.0004
	[ "$status" -eq 0 ]
	expect_driver 05.0004 cex4queue
}

@test "7.2: an autostart definition on overridden queues: check's advice is the saved override, not a mask edit" {
	local u=11111111-1111-4111-8111-111111111111
	sim_start doc-example 7.2
	"$APCTL" reserve -y --mode override 05.0004 >/dev/null
	"$APCTL" mdev define -u "$u" -a 5 -d 4 --autostart >/dev/null 2>&1
	# driverctl is not installed below the root: nothing comes back at boot
	run "$APCTL" check
	[ "$status" -eq 7 ]
	[[ ${lines[0]} == "  error: mdev $u (defined, autostart) holds APQNs 05.0004 that the next boot gives to the host: driverctl's udev rule (05-driverctl.rules) and driverctl@.service are not installed, so no driver_override comes back at boot and it will not start; install driverctl and save their overrides (apctl reserve --mode override --persistent 05.0004), or remove them from the definition" ]] ||
		fail "check without driverctl: $output"
	# with driverctl installed but nothing saved
	mkdir -p "$APSIM_ROOT/usr/lib/udev/rules.d"
	: >"$APSIM_ROOT/usr/lib/udev/rules.d/05-driverctl.rules"
	run "$APCTL" check
	[ "$status" -eq 7 ]
	[[ ${lines[0]} == "  error: mdev $u (defined, autostart) holds APQNs 05.0004 that the next boot gives to the host (no saved driver_override gives them to vfio_ap), so it will not start at boot; save their overrides (apctl reserve --mode override --persistent 05.0004) or remove them from the definition" ]] ||
		fail "check with driverctl: $output"
	[[ $output != *"apctl reserve --persistent 5"* ]] || fail "a mask edit was advised: $output"
	# the advice taken: the definition is bootable, check is clean
	run "$APCTL" reserve -y --mode override --persistent 05.0004
	[ "$status" -eq 0 ]
	run "$APCTL" check
	[ "$status" -eq 0 ] || fail "check after the advice: $status $output"
}
