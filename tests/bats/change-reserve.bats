#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl reserve / release against apsim: masks (live, persistent), the
# single-APQN explanation, refusals with their exact messages and exit codes.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
}

teardown() {
	sim_stop
}

@test "reserve: adapters by default, relative write, queues rebound to vfio_ap" {
	run "$APCTL" reserve 5
	[ "$status" -eq 0 ]
	expect_eq "apctl: adapters 05 reserved for vfio_ap" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
	expect_r bus/ap/aqmask "$(mask_all)\n"
	expect_driver 05.0047 vfio_ap
	expect_driver 06.0047 cex4queue
	run "$APCTL" reserve 5
	[ "$status" -eq 0 ]
	expect_eq "apctl: nothing to change" "$output"
}

@test "reserve --domains and --adapters together; release gives them back" {
	run "$APCTL" reserve --adapters 6 --domains 4,0xab
	[ "$status" -eq 0 ]
	expect_eq "apctl: adapters 06 reserved for vfio_ap
apctl: domains 0004,00ab reserved for vfio_ap" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 6)\n"
	expect_r bus/ap/aqmask "$(mask_all_but 4 0xab)\n"
	expect_driver 05.0004 vfio_ap
	expect_driver 05.0047 cex4queue
	run "$APCTL" release -a 6 -d 4,0xab
	[ "$status" -eq 0 ]
	expect_eq "apctl: adapters 06 now belong to the host
apctl: domains 0004,00ab now belong to the host" "$output"
	expect_r bus/ap/apmask "$(mask_all)\n"
	expect_r bus/ap/aqmask "$(mask_all)\n"
	expect_driver 05.0004 cex4queue
}

@test "reserve: the kernel's uevents show one relative write per mask" {
	snap before
	"$APCTL" reserve -a 5,6 -d 0x47
	run bash -c "$(declare -f uevents_flat ctl); uevents_flat | grep '^change /devices/ap '"
	expect_eq "change /devices/ap APMASK=$(mask_all_but 5 6)\\n
change /devices/ap AQMASK=$(mask_all_but 0x47)\\n" "$output"
}

@test "reserve --dry-run: each write with its undo, nothing written" {
	snap before
	run "$APCTL" reserve 5,6 --dry-run
	[ "$status" -eq 0 ]
	expect_eq "reserve: 1 step (dry run: nothing is written)
  1. reserve adapters 05,06 for vfio_ap (apmask)
     write \"-5,-6\" to $S/bus/ap/apmask
     undo: write \"+5,+6\" to $S/bus/ap/apmask" "$output"
	expect_snap before
	expect_no_events
}

@test "reserve a single APQN: explained (whole adapter or whole domain, with what else moves)" {
	snap before
	run "$APCTL" reserve 05.0004
	[ "$status" -eq 2 ]
	expect_eq "apctl: APQN 05.0004 cannot be reserved alone: apmask and aqmask select whole adapters and whole domains
apctl:   'apctl reserve --adapters 5' moves the whole adapter: 05.0004 05.0047 05.00ab 05.00ff
apctl:   'apctl reserve --domains 4' moves the whole domain: 05.0004 06.0004
apctl:   'apctl reserve --mode override 05.0004' moves the queue alone by its driver_override (then this kernel refuses mask changes until the override is released)" "$output"
	run "$APCTL" release 06.00ab
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "apctl: APQN 06.00ab cannot be released alone: apmask and aqmask select whole adapters and whole domains" ]]
	expect_snap before
	expect_no_events
}

@test "reserve: an all-zero mask is refused unless --force" {
	snap before
	run "$APCTL" reserve all
	[ "$status" -eq 4 ]
	expect_eq "apctl: the new apmask would be all zero: every queue of this machine would go to vfio_ap (use --force if that is really wanted)
apctl: refused (1 problem); nothing was written" "$output"
	run "$APCTL" reserve --domains 0-255
	[ "$status" -eq 4 ]
	expect_eq "apctl: the new aqmask would be all zero: every queue of this machine would go to vfio_ap (use --force if that is really wanted)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	expect_no_events
	run "$APCTL" reserve all --force
	[ "$status" -eq 0 ]
	expect_r bus/ap/apmask "$(mask_zero)\n"
}

@test "reserve: bad lists are usage errors naming the problem" {
	snap before
	run "$APCTL" reserve 10-5
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "apctl: --adapters '10-5': "* ]]
	run "$APCTL" reserve 256
	[ "$status" -eq 2 ]
	run "$APCTL" reserve 010
	[ "$status" -eq 2 ]
	run "$APCTL" reserve
	[ "$status" -eq 2 ]
	expect_eq "apctl: no adapters or domains given
Try 'apctl reserve --help' for more information." "$output"
	run "$APCTL" reserve 5 --wait x
	[ "$status" -eq 2 ]
	expect_eq "apctl: --wait: 'x' is not a number of seconds from 0 to 3600
Try 'apctl reserve --help' for more information." "$output"
	expect_snap before
}

@test "release: refused while an mdev holds an APQN that would go back to the host" {
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

@test "non-root: changes refused with exit 9, --dry-run allowed" {
	snap before
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$APCTL" reserve 5
	[ "$status" -eq 9 ]
	expect_eq "apctl: reserve changes the system and needs root privileges (--dry-run shows the plan without them)" "$output"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$APCTL" mdev remove "$U1"
	[ "$status" -eq 9 ]
	expect_eq "apctl: mdev remove changes the system and needs root privileges (--dry-run shows the plan without them)" "$output"
	expect_snap before
	expect_no_events
}

@test "reserve --persistent: writes 41-ap.rules only; --active --persistent both" {
	local rule=$APSIM_ROOT/etc/udev/rules.d/41-ap.rules

	run "$APCTL" reserve -p 5
	[ "$status" -eq 0 ]
	expect_eq "apctl: the boot-time masks in 41-ap.rules were updated; reserved for vfio_ap at boot: adapters 05, domains none" "$output"
	expect_r bus/ap/apmask "$(mask_all)\n"
	grep -qF "ATTR{../../bus/ap/apmask}=\"$(mask_all_but 5)\"" "$rule"
	run "$APCTL" reserve --active -p 6
	[ "$status" -eq 0 ]
	expect_r bus/ap/apmask "$(mask_all_but 6)\n"
	grep -qF "ATTR{../../bus/ap/apmask}=\"$(mask_all_but 5 6)\"" "$rule"
	# a rule that would write only the default masks says nothing: it goes
	run "$APCTL" release -p 5,6
	[ "$status" -eq 0 ]
	expect_eq "apctl: nothing is reserved for vfio_ap at boot any more: 41-ap.rules was deleted" "$output"
	[[ ! -e $rule ]] || fail "$rule is left: $(cat "$rule")"
}

@test "release --persistent: refused while an autostart definition holds the APQNs at boot" {
	"$APCTL" reserve --active -p 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --autostart
	snap before
	run "$APCTL" release -p 5
	[ "$status" -eq 4 ]
	expect_eq "apctl: the new persistent masks would give APQNs 05.0004 to the host at boot, but mdev $U1 (defined, autostart) holds them: remove them from the mdev first (apctl mdev modify)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
}

@test "reserve --json: a result document" {
	run --separate-stderr "$APCTL" reserve 5 --json
	[ "$status" -eq 0 ]
	run jq -c '{api_level, command, dry_run, status, exit_code, adapters_changed: .adapters_changed.ids, steps: [.steps[] | {do: .do.value, undo: .undo.value, state}]}' <<<"$output"
	expect_eq '{"api_level":1,"command":"reserve","dry_run":false,"status":"ok","exit_code":0,"adapters_changed":[5],"steps":[{"do":"-5","undo":"+5","state":"done"}]}' "$output"
}

@test "--json: every outcome is a document valid against schema/apctl-change.schema.json" {
	local d=$BATS_TEST_TMPDIR rc

	# ok, nothing to do, dry run
	"$APCTL" reserve 5 --json >"$d/ok.json" 2>/dev/null
	"$APCTL" reserve 5 --json >"$d/noop.json" 2>/dev/null
	"$APCTL" reserve 6 --json --dry-run >"$d/dry.json" 2>/dev/null
	expect_eq "true [6]" "$(jq -c -r '"\(.dry_run) \(.adapters_changed.ids)"' "$d/dry.json")"
	# refused
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 >/dev/null
	rc=0; "$APCTL" release 5 --json >"$d/refused.json" 2>/dev/null || rc=$?
	[ "$rc" -eq 4 ]
	# usage (a list the model refuses), permission
	rc=0; "$APCTL" reserve 300 --json >"$d/usage.json" 2>/dev/null || rc=$?
	[ "$rc" -eq 2 ]
	rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$APCTL" reserve 6 --json \
		>"$d/perm.json" 2>/dev/null || rc=$?
	[ "$rc" -eq 9 ]
	# failed and undone, partial
	ctl fault add '*' --errno EIO --nth 2 >/dev/null
	rc=0; "$APCTL" reserve -a 6 -d 4 --json >"$d/failed.json" 2>/dev/null || rc=$?
	[ "$rc" -eq 1 ]
	ctl fault add '*' --errno EIO --nth 2 >/dev/null
	ctl fault add '*' --errno EIO --nth 3 >/dev/null
	rc=0; "$APCTL" reserve -a 6 -d 4 --json >"$d/partial.json" 2>/dev/null || rc=$?
	[ "$rc" -eq 6 ]
	# the partial change's journal is dealt with first
	ctl fault clear >/dev/null
	"$APCTL" repair -y >/dev/null 2>&1
	# lock
	printf '%d\n' $$ >"$APSIM_ROOT/run/lock/s390apconfig.lock"
	rc=0; "$APCTL" reserve 7 --json --wait 0 >"$d/lock.json" 2>/dev/null || rc=$?
	rm -f "$APSIM_ROOT/run/lock/s390apconfig.lock"
	[ "$rc" -eq 5 ]
	for f in ok noop dry refused usage perm failed partial lock; do
		expect_schema "$d/$f.json" || fail "$f.json: $(cat "$d/$f.json")"
	done
	run jq -r '[.status, .exit_code, (.steps | map(.state) | join(","))] | join(" ")' \
		"$d/ok.json" "$d/noop.json" "$d/dry.json" "$d/refused.json" "$d/usage.json" \
		"$d/perm.json" "$d/failed.json" "$d/partial.json" "$d/lock.json"
	expect_eq "ok 0 done
ok 0 
ok 0 planned
refused 4 
usage 2 
permission 9 
failed 1 undone,failed
partial 6 undo-failed,failed
lock 5 planned" "$output"
	run jq -r '.steps[1].errno, .error' "$d/failed.json"
	expect_eq "EIO
cannot reserve domains 0004 for vfio_ap (aqmask): Input/output error (EIO)" "$output"
}

@test "no AP bus: every changing command exits 3 before anything else" {
	# the one test without apsim: a sysfs without bus/ap (nothing can be written)
	mkdir -p "$BATS_TEST_TMPDIR/nosys"
	SYSFS_ROOT=$BATS_TEST_TMPDIR/nosys run "$APCTL" reserve 5
	[ "$status" -eq 3 ]
	expect_eq "apctl: there is no AP bus in $BATS_TEST_TMPDIR/nosys (no s390 AP crypto support)" "$output"
	SYSFS_ROOT=$BATS_TEST_TMPDIR/nosys run "$APCTL" mdev create -a 5 -d 4
	[ "$status" -eq 3 ]
	SYSFS_ROOT=$BATS_TEST_TMPDIR/nosys run "$APCTL" mdev remove "$U1"
	[ "$status" -eq 3 ]
}
