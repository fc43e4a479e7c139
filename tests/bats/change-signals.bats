#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Signals during a change: once apctl holds the lock, SIGHUP (a closed
# terminal or ssh session), SIGTERM, SIGINT and SIGPIPE (a reader of the
# messages that went away) do not cut the change short: it is completed,
# read back and the lock is released.  And the bounded
# remove works when apctl was started with SIGCHLD ignored.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
	LOCK=$APSIM_ROOT/run/lock/s390apconfig.lock
	PID=
}

teardown() {
	if [[ -n $PID ]]; then
		kill -KILL "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	sim_stop
}

# mdev create of U1 with its ap_config write held up by the simulated
# kernel; SIG arrives once the mdev exists (the lock is held, the change is
# under way)
signal_during_create() {
	local sig=$1 rc=0

	"$APCTL" reserve 5,6
	ctl fault add "devices/vfio_ap/matrix/$U1/ap_config" --delay 2000 >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" 3>&- &
	PID=$!
	wait_for "mdev $U1 to be created" test -e "$MATRIX/$U1"
	kill "-$sig" "$PID"
	wait "$PID" || rc=$?
	PID=
	expect_eq 0 "$rc" "exit status after SIG$sig"
	expect_eq "$U1" "$(cat "$BATS_TEST_TMPDIR/out")" "output"
	expect_eq "apctl: warning: SIG$sig arrived during the change: apctl finished it first, so that nothing is left half-done" \
		"$(cat "$BATS_TEST_TMPDIR/err")" "errors"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n'
	expect_missing "$LOCK"
}

@test "signals: SIGHUP during a change does not leave it half done or the lock held" {
	signal_during_create HUP
}

@test "signals: SIGTERM during a change does not leave it half done or the lock held" {
	signal_during_create TERM
}

@test "signals: mdev remove started with SIGCHLD ignored removes and says so" {
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define >/dev/null
	run python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$APCTL" mdev remove --undefine "$U1"
	[ "$status" -eq 0 ]
	expect_eq "apctl: mdev $U1 removed" "$output"
	expect_missing "$MATRIX/$U1" "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1" "$LOCK"
}

@test "signals: a reader of the messages going away (SIGPIPE) does not cut a change short" {
	local rc=0 d=$BATS_TEST_TMPDIR reader

	"$APCTL" reserve 5,6
	ctl fault add "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create" \
		--delay 1500 >/dev/null
	mkfifo "$d/errpipe"
	# reads up to the message "step 1: ..." (-V prints the files read before
	# it) and goes away during that step
	sed -n '/: step 1: /{p;q}' <"$d/errpipe" >"$d/first" 3>&- &
	reader=$!
	"$APCTL" -V mdev create -u "$U1" -a 5 -d 4 >"$d/out" 2>"$d/errpipe" 3>&- || rc=$?
	wait "$reader"
	expect_eq 0 "$rc" "exit status"
	expect_eq "apctl: step 1: create mdev $U1" "$(cat "$d/first")" "first message"
	expect_eq "$U1" "$(cat "$d/out")" "output"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n'
	expect_missing "$LOCK"
}
