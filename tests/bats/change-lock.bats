#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The s390apconfig lock around every change: apctl waits (bounded) for a
# live holder, names it, takes over a stale lock, and leaves no lock behind.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
	LOCK=$APSIM_ROOT/run/lock/s390apconfig.lock
	HOLDER=
}

teardown() {
	if [[ -n $HOLDER ]]; then
		kill "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	sim_stop
}

# a live process that "holds" the lock
hold_lock() {
	sleep 1000 &
	HOLDER=$!
	printf '%d\n' "$HOLDER" >"$LOCK"
}

@test "lock: a live holder makes apctl wait, name it, and give up after --wait" {
	hold_lock
	snap before
	run "$APCTL" reserve 5 --wait 1
	[ "$status" -eq 5 ]
	expect_eq "apctl: waiting up to 1 s for the AP configuration lock held by process $HOLDER (sleep)
apctl: the AP configuration lock $LOCK is held by process $HOLDER (sleep); gave up after 1 s (see --wait)" "$output"
	expect_snap before
	expect_no_events
	run cat "$LOCK"
	expect_eq "$HOLDER" "$output"
}

@test "lock: apctl waits for a live holder and proceeds when it lets go" {
	local pid rc=0

	hold_lock
	"$APCTL" reserve 5 --wait 120 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	wait_for "apctl to wait for the lock" grep -q "waiting up to 120 s" "$BATS_TEST_TMPDIR/out"
	# nothing was written while waiting
	expect_r bus/ap/apmask "$(mask_all)\n"
	rm -f "$LOCK"
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	run cat "$BATS_TEST_TMPDIR/out"
	expect_eq "apctl: waiting up to 120 s for the AP configuration lock held by process $HOLDER (sleep)
apctl: adapters 05 reserved for vfio_ap" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
	expect_missing "$LOCK"
}

@test "lock: a stale lock (dead PID) is taken over" {
	local dead

	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	! kill -0 "$dead" 2>/dev/null
	printf '%d\n' "$dead" >"$LOCK"
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --reserve --wait 0
	[ "$status" -eq 0 ]
	expect_eq "apctl: took over the stale lock of process $dead (no longer running)
$U1" "$output"
	expect_missing "$LOCK"
}

@test "lock: an empty lock file counts as held; a malformed one is reported (exit 10)" {
	: >"$LOCK"
	run "$APCTL" reserve 5 --wait 0
	[ "$status" -eq 5 ]
	expect_eq "apctl: waiting up to 0 s for the AP configuration lock (the lock file names no process)
apctl: the AP configuration lock $LOCK is held (the file names no process); gave up after 0 s (see --wait)" "$output"
	printf 'garbage\n' >"$LOCK"
	run "$APCTL" reserve 5 --wait 0
	[ "$status" -eq 10 ]
	expect_eq "apctl: waiting up to 0 s for the AP configuration lock (its content 'garbage' is not a process id)
apctl: the AP configuration lock $LOCK holds 'garbage', which is not a process id; gave up after 0 s; remove the file if no tool is running" "$output"
	expect_r bus/ap/apmask "$(mask_all)\n"
}

@test "lock: --dry-run and refusals do not take the lock" {
	hold_lock
	run "$APCTL" reserve 5 --dry-run --wait 0
	[ "$status" -eq 0 ]
	run "$APCTL" reserve 10-5 --wait 0
	[ "$status" -eq 2 ]
	run cat "$LOCK"
	expect_eq "$HOLDER" "$output"
}

@test "lock: apctl's own lock is gone after success, refusal under the lock and failure" {
	run "$APCTL" reserve 5
	[ "$status" -eq 0 ]
	expect_missing "$LOCK"
	ctl fault add bus/ap/apmask --errno EIO >/dev/null
	run "$APCTL" reserve 6
	[ "$status" -eq 1 ]
	expect_missing "$LOCK"
	ls "$APSIM_ROOT/run/lock" >"$BATS_TEST_TMPDIR/left"
	expect_eq "" "$(cat "$BATS_TEST_TMPDIR/left")" "files left in run/lock"
}

@test "lock: on a terminal the wait shows the seconds waited; without one, and with -q, it does not" {
	hold_lock
	# script(1) gives apctl a terminal; its output has the terminal's \r
	run script -qec "$APCTL reserve 5 --wait 2" /dev/null
	[[ $output == *"apctl: waited 1 s of 2 s for the AP configuration lock"* ]] ||
		fail "no progress on a terminal: $output"
	run "$APCTL" reserve 5 --wait 2
	[ "$status" -eq 5 ]
	[[ $output != *"waited"* ]] || fail "progress without a terminal: $output"
	run script -qec "$APCTL -q reserve 5 --wait 2" /dev/null
	[[ $output != *"waited"* && $output != *"waiting up to"* ]] || fail "progress with -q: $output"
	[[ $output == *"gave up after 2 s"* ]] || fail "the failure must still be said with -q: $output"
}
