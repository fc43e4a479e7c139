#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Kernels 6.19 and later: queues given to vfio_ap by driver_override instead
# of the masks (issue 16).  The overrides are set with plain sysfs writes, as
# an administrator or driverctl would, and apctl must see them: ownership per
# the kernel's rule in the validator, check and show; a pending override
# reported; a mask change the kernel would refuse refused before any write.
# Before 6.19 none of it appears.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

teardown() {
	sim_stop
}

# override QUEUE to DRIVER, re-probe it and save it for boot, as driverctl
# set-override does (with driverctl's udev rule installed below the root)
override() {
	local q=$1 drv=$2 card

	card=card${q%%.*}
	expect_w "$DEV/$card/$q/driver_override" "$drv" OK || return 1
	w "$S/bus/ap/devices/$q/driver/unbind" "$q" >/dev/null
	expect_w "$AP/drivers_probe" "$q" OK || return 1
	mkdir -p "$APSIM_ROOT/etc/driverctl.d" "$APSIM_ROOT/usr/lib/udev/rules.d"
	: >"$APSIM_ROOT/usr/lib/udev/rules.d/05-driverctl.rules"
	echo "$drv" >"$APSIM_ROOT/etc/driverctl.d/ap-$q"
}

@test "7.2: the issue's repro: an mdev on a queue given by override is accepted, check is clean" {
	sim_start doc-example 7.2
	override 05.0004 vfio_ap
	expect_driver 05.0004 vfio_ap
	run "$APCTL" mdev create -y -a 5 -d 4 -u "$U1"
	[ "$status" -eq 0 ]
	expect_eq "$U1" "$output"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n'
	run "$APCTL" check
	[ "$status" -eq 0 ]
	expect_eq "no problems found" "$output"
}

@test "7.2: an mdev's queue overridden back to cex4queue is the host's: check says why" {
	sim_start doc-example 7.2
	override 05.0004 vfio_ap
	"$APCTL" mdev create -y -a 5 -d 4 -u "$U1"
	override 05.0004 cex4queue
	expect_driver 05.0004 cex4queue
	run "$APCTL" check
	[ "$status" -eq 7 ]
	expect_eq "  error: mdev $U1 (active) holds APQNs 05.0004 that are the host's: a driver_override is set on them and they are bound to cex4queue; set their override to vfio_ap, unbind them and write them to /sys/bus/ap/drivers_probe, or remove them from the mdev (apctl mdev modify)
1 error, 0 warnings" "$output"
	snap before
	run "$APCTL" mdev create -y -a 5 -d 4 -u "$U2"
	[ "$status" -eq 4 ]
	expect_snap before
}

@test "7.2: a pending override (set, still bound to cex4queue) is shown and reported by check" {
	sim_start doc-example 7.2
	expect_w "$DEV/card06/06.00ab/driver_override" "vfio_ap" OK
	expect_driver 06.00ab cex4queue
	run "$APCTL" check
	[ "$status" -eq 8 ]
	expect_eq "  warning: APQN 06.00ab has a driver_override that is not in effect: the queue is not bound to that driver, and an override acts only when the queue is probed again; unbind the queue and write its APQN to /sys/bus/ap/drivers_probe, or clear the override
  warning: the driver_override of 06.00ab is set now, but no saved override in /etc/driverctl.d sets it again: the next boot loses it; to keep it, apctl reserve --mode override --persistent 06.00ab (or driverctl set-override without --nosave)
0 errors, 2 warnings" "$output"
	run "$APCTL" check --json
	[ "$status" -eq 8 ]
	expect_eq '[{"kind":"override-pending","severity":"warning","apqns":["06.00ab"]},{"kind":"boot-overrides-differ","severity":"warning","apqns":["06.00ab"]}]' \
		"$(jq -c '[.problems[] | {kind, severity, apqns: [.apqns[].apqn]}]' <<<"$output")"
	run "$APCTL" show queues
	[ "$status" -eq 0 ]
	expect_eq "06.00ab CEX7C cca online cex4queue host - vfio_ap" "$(grep '^06.00ab' <<<"$output" | tr -s ' ')"
	# probed again, it goes to vfio_ap and the pending warning is gone; saved
	# as driverctl saves it (and with its rule installed), the boot one too
	w "$DRV/cex4queue/unbind" 06.00ab >/dev/null
	expect_w "$AP/drivers_probe" 06.00ab OK
	run "$APCTL" check --json
	[ "$status" -eq 8 ]
	expect_eq '["boot-overrides-differ"]' "$(jq -c '[.problems[].kind]' <<<"$output")"
	mkdir -p "$APSIM_ROOT/etc/driverctl.d" "$APSIM_ROOT/usr/lib/udev/rules.d"
	: >"$APSIM_ROOT/usr/lib/udev/rules.d/05-driverctl.rules"
	echo vfio_ap >"$APSIM_ROOT/etc/driverctl.d/ap-06.00ab"
	run "$APCTL" check
	[ "$status" -eq 0 ]
}

@test "7.2: show: the way in the host section, an OVERRIDE column, JSON give_mode and driver_overrides" {
	sim_start doc-example 7.2
	run "$APCTL" show
	expect_eq "  given by           default: no mask change and no driver_override; either way is open" \
		"$(grep 'given by' <<<"$output")"
	run "$APCTL" show --json
	expect_eq 'default 0' "$(jq -r '"\(.host.give_mode) \(.host.driver_overrides)"' <<<"$output")"
	override 05.0004 vfio_ap
	run "$APCTL" show
	expect_eq "  given by           driver_override on 1 queue: the masks cannot be changed while it is set" \
		"$(grep 'given by' <<<"$output")"
	run "$APCTL" show queues
	expect_eq "CARD.DOM TYPE  MODE STATUS     DRIVER    OWNER   MDEV OVERRIDE
05.0004  CEX7C cca  unassigned vfio_ap   vfio_ap -    vfio_ap" "$(head -2 <<<"$output")"
	run "$APCTL" show --json
	expect_eq 'overrides 1' "$(jq -r '"\(.host.give_mode) \(.host.driver_overrides)"' <<<"$output")"
	expect_eq '"vfio_ap"' "$("$APCTL" show queues --json | jq -c '.queues[0].driver_override')"
	expect_w "$DEV/card05/05.0004/driver_override" "\n" OK
	expect_w "$AP/apmask" "-6" OK
	run "$APCTL" show --json
	expect_eq 'masks 0' "$(jq -r '"\(.host.give_mode) \(.host.driver_overrides)"' <<<"$output")"
}

@test "7.2: a mask change while an override is set is refused before any write, with the way out" {
	sim_start doc-example 7.2
	override 05.0004 vfio_ap
	expect_w "$DEV/card06/06.00ab/driver_override" "vfio_ap" OK
	snap before
	run "$APCTL" reserve -y --mode masks 0x0b
	[ "$status" -eq 4 ]
	expect_eq "apctl: this kernel (6.19 and later) refuses every apmask/aqmask change while a queue has a driver_override, and APQNs 05.0004, 06.00ab have one: release them first ('apctl release --mode override 05.0004,06.00ab', or driverctl -b ap unset-override), or leave the masks alone and give queues to vfio_ap by driver_override (apctl reserve --mode override)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
	run "$APCTL" reserve -y --mode masks -d 0x47
	[ "$status" -eq 4 ]
	expect_snap before
	# a request that changes no mask is no write the kernel refuses
	run "$APCTL" release -y --mode masks 5
	[ "$status" -eq 0 ]
	expect_snap before
}

@test "6.12: before 6.19 no override appears: no way line, no OVERRIDE column, nulls in JSON" {
	sim_start doc-example 6.12
	expect_missing "$DEV/card05/05.0004/driver_override"
	run "$APCTL" show
	[ "$status" -eq 0 ]
	[[ $output != *"given by"* ]]
	[[ $output != *override* ]]
	run "$APCTL" show queues
	expect_eq "CARD.DOM TYPE MODE STATUS DRIVER OWNER MDEV" "$(head -1 <<<"$output" | tr -s ' ')"
	run "$APCTL" show --json
	expect_eq "null null" "$(jq -r '"\(.host.give_mode) \(.host.driver_overrides)"' <<<"$output")"
	run "$APCTL" reserve -y 0x0b
	[ "$status" -eq 0 ]
}
