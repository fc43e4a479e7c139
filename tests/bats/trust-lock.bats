#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Lock files apctl did not make (issue 18, items 1 and 2).  /run/lock is
# world-writable, so any user can put something at the lock path: apctl
# trusts only a regular file owned by root (or by itself) that no one else
# may write, and takes anything else over at once.  A lock file that names
# apctl's own PID is a leftover, not a holder.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
	LOCKDIR=$APSIM_ROOT/run/lock
	LOCK=$LOCKDIR/s390apconfig.lock
	# as on Debian: any user may create files in /run/lock
	chmod 711 "$APSIM_ROOT"
	chmod 1777 "$LOCKDIR"
	HOLDER=
}

teardown() {
	if [[ -n $HOLDER ]]; then
		kill "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	[[ -e $LOCK ]] && chattr -i "$LOCK" 2>/dev/null
	sim_stop
}

# run a shell command as the unprivileged user nobody
as_nobody() {
	setpriv --reuid nobody --regid nogroup --clear-groups sh -c "$1"
}

# a long-running process whose PID a planted lock names
live_pid() {
	sleep 1000 &
	HOLDER=$!
}

# run apctl in the background so its PID is known: sets $pid, $status, $output
run_bg() {
	local rc=0

	"$APCTL" "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	wait "$pid" || rc=$?
	status=$rc
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

expect_lockdir_empty() {
	expect_eq "" "$(ls -A "$LOCKDIR")" "files left in run/lock"
}

W="apctl: warning: the AP configuration lock"

@test "trust: a lock file another user planted with a live PID does not block apctl" {
	live_pid
	as_nobody "echo $HOLDER >$LOCK"
	run "$APCTL" reserve 5 --wait 2
	[ "$status" -eq 0 ]
	expect_eq "$W $LOCK is not trusted: it was created by nobody (uid 65534), not by root; took it over and removed it
apctl: adapters 05 reserved for vfio_ap" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
	expect_lockdir_empty
}

@test "trust: a planted FIFO neither hangs nor blocks apctl" {
	as_nobody "mkfifo $LOCK"
	run timeout 20 "$APCTL" reserve 5 --wait 2
	[ "$status" -eq 0 ]
	expect_eq "$W $LOCK is not trusted: it is a FIFO owned by nobody (uid 65534), not a regular file; took it over and removed it
apctl: adapters 05 reserved for vfio_ap" "$output"
	expect_lockdir_empty
}

@test "trust: a planted symbolic link is removed, its target is left alone" {
	live_pid
	printf '%d\n' "$HOLDER" >"$BATS_TEST_TMPDIR/pidfile"
	chmod 755 "$BATS_TEST_TMPDIR"
	as_nobody "ln -s $BATS_TEST_TMPDIR/pidfile $LOCK"
	run "$APCTL" reserve 5 --wait 2
	[ "$status" -eq 0 ]
	expect_eq "$W $LOCK is not trusted: it is a symbolic link owned by nobody (uid 65534), not a regular file; took it over and removed it
apctl: adapters 05 reserved for vfio_ap" "$output"
	expect_eq "$HOLDER" "$(cat "$BATS_TEST_TMPDIR/pidfile")" "the link's target"
	expect_lockdir_empty
}

@test "trust: a planted directory that is not empty is moved aside and named" {
	local aside

	as_nobody "mkdir $LOCK && echo x >$LOCK/f"
	run_bg reserve 5 --wait 2
	aside=$LOCK.untrusted$(printf '%05d' "$pid")00
	[ "$status" -eq 0 ]
	expect_eq "$W $LOCK is not trusted: it is a directory owned by nobody (uid 65534), not a regular file; took it over, and left it, not empty, as $aside
apctl: adapters 05 reserved for vfio_ap" "$output"
	expect_eq "x" "$(cat "$aside/f")" "the planted directory's file"
	expect_missing "$LOCK"
}

@test "trust: a root lock file others may write to is not trusted either" {
	live_pid
	printf '%d\n' "$HOLDER" >"$LOCK"
	chmod 0666 "$LOCK"
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --reserve --wait 2
	[ "$status" -eq 0 ]
	expect_eq "$W $LOCK is not trusted: it is owned by root (uid 0) but other users may write to it (mode 0666); took it over and removed it
$U1" "$output"
	expect_lockdir_empty
}

@test "trust: an untrusted lock apctl cannot take over is refused with the way out, nothing written" {
	live_pid
	as_nobody "echo $HOLDER >$LOCK"
	chattr +i "$LOCK" 2>/dev/null || skip "this file system has no immutable files"
	snap before
	run "$APCTL" reserve 5 --wait 2
	[ "$status" -eq 5 ]
	expect_eq "apctl: cannot take over the untrusted AP configuration lock $LOCK (it was created by nobody (uid 65534), not by root): Operation not permitted; remove it as root and run apctl again" "$output"
	expect_snap before
	expect_no_events
	chattr -i "$LOCK"
	expect_eq "$HOLDER" "$(cat "$LOCK")" "the planted lock"
}

@test "trust: a lock file root made with a live PID is still waited for" {
	live_pid
	printf '%d\n' "$HOLDER" >"$LOCK"
	chmod 0644 "$LOCK"
	snap before
	run "$APCTL" reserve 5 --wait 0
	[ "$status" -eq 5 ]
	expect_eq "apctl: waiting up to 0 s for the AP configuration lock held by process $HOLDER (sleep)
apctl: the AP configuration lock $LOCK is held by process $HOLDER (sleep); gave up after 0 s (see --wait)" "$output"
	expect_snap before
}

@test "own PID: a lock file naming apctl's own PID is a leftover, not a holder" {
	local rc=0

	# the shell writes its PID and becomes apctl: the lock names apctl itself
	sh -c 'echo $$ >"$1"; exec "$2" reserve 5 --wait 3' sh "$LOCK" "$APCTL" \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	expect_eq "apctl: took over a stale lock that names apctl's own process $pid (left by an earlier process with the same id)
apctl: adapters 05 reserved for vfio_ap" "$(cat "$BATS_TEST_TMPDIR/out")"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
	expect_lockdir_empty
}
