#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apsim-run: failing and interrupted runs leave no mount and no temporary root
# behind; --start/--stop; the --ns mode.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	local p
	# the commands started by these tests, if a runner left them behind
	if [[ -s $BATS_TEST_TMPDIR/cmdpid ]]; then
		p=$(cat "$BATS_TEST_TMPDIR/cmdpid")
		kill "$p" 2>/dev/null || true
	fi
	if [[ -n ${RUNNER_PID:-} ]]; then
		kill "$RUNNER_PID" 2>/dev/null || true
	fi
	sim_stop
}

# expect_clean ROOT: nothing is mounted below ROOT and ROOT is gone
expect_clean() {
	local root=$1 m
	[[ -n $root && $root == /* ]] || fail "no root recorded: '$root'" || return 1
	m=$(findmnt -rn -o TARGET | grep -F -- "$root" || true)
	[[ -z $m ]] || fail "still mounted under $root: $m" || return 1
	[[ ! -e $root ]] || fail "temporary root $root was not removed"
}

@test "apsim-run: a successful command sees the simulated root and the environment" {
	local out=$BATS_TEST_TMPDIR/root
	run "$APSIM_RUN" --host "$BATS_HOSTS/t-doc.json" --kernel 6.12 -- bash -c '
		echo "$APSIM_ROOT" >"$1"
		[[ $APCTL_ROOT == "$APSIM_ROOT" ]] && echo APCTL_ROOT ok
		[[ $SYSFS_ROOT == "$APSIM_ROOT/sys" ]] && echo SYSFS_ROOT ok
		[[ $APSIM_SOCK == "$APSIM_ROOT/apsim.sock" && -S $APSIM_SOCK ]] && echo APSIM_SOCK ok
		for d in etc/mdevctl.d/matrix etc/mdevctl.d/scripts.d/callouts \
			etc/mdevctl.d/scripts.d/notifiers etc/udev/rules.d run/lock run/udev/rules.d; do
			[[ -d $APSIM_ROOT/$d ]] && echo "$d ok"
		done
		findmnt -n -o FSTYPE --mountpoint "$SYSFS_ROOT" | sed "s/^fuse.*/fuse/"
		cat "$SYSFS_ROOT/bus/ap/ap_adapter_mask"
		apsimctl kernel
		exit 0' bash "$out"
	expect_eq 0 "$status" "exit status"
	expect_eq "APCTL_ROOT ok
SYSFS_ROOT ok
APSIM_SOCK ok
etc/mdevctl.d/matrix ok
etc/mdevctl.d/scripts.d/callouts ok
etc/mdevctl.d/scripts.d/notifiers ok
etc/udev/rules.d ok
run/lock ok
run/udev/rules.d ok
fuse
$(mask_of 5 6)
6.12" "$output" "output of the command"
	expect_clean "$(cat "$out")"
}

@test "apsim-run: a failing command's exit status is propagated and nothing stays mounted" {
	local out=$BATS_TEST_TMPDIR/root
	run "$APSIM_RUN" --host "$BATS_HOSTS/t-doc.json" -- sh -c 'echo "$APSIM_ROOT" >"$1"; exit 3' sh "$out"
	expect_eq 3 "$status" "exit status"
	expect_clean "$(cat "$out")"
	run "$APSIM_RUN" --host "$BATS_HOSTS/t-doc.json" -- sh -c 'echo "$APSIM_ROOT" >"$1"; kill -KILL $$' sh "$out"
	[[ $status -ne 0 ]] || fail "a killed command reported success"
	expect_clean "$(cat "$out")"
	run -127 "$APSIM_RUN" --host "$BATS_HOSTS/t-doc.json" -- /nonexistent/command
}

# interrupt SIGNAL group|runner: start a long command, signal, check cleanup
interrupt() {
	local sig=$1 whom=$2 root st=0
	"$APSIM_IO" spawn "$APSIM_RUN" --host "$BATS_HOSTS/t-doc.json" -- sh -c \
		'echo "$APSIM_ROOT" >"$1.tmp" && mv "$1.tmp" "$1"; echo $$ >"$2"; exec sleep 600' \
		sh "$BATS_TEST_TMPDIR/root" "$BATS_TEST_TMPDIR/cmdpid" 3>&- &
	RUNNER_PID=$!
	wait_for "the command to start" test -s "$BATS_TEST_TMPDIR/cmdpid"
	root=$(cat "$BATS_TEST_TMPDIR/root")
	findmnt -rn -o TARGET | grep -qxF -- "$root/sys" || fail "$root/sys is not mounted" || return 1
	if [[ $whom == group ]]; then
		kill "-$sig" -- "-$RUNNER_PID"
	else
		kill "-$sig" "$RUNNER_PID"
	fi
	wait "$RUNNER_PID" || st=$?
	RUNNER_PID=
	[[ $st -ne 0 ]] || fail "the interrupted runner exited with 0" || return 1
	expect_clean "$root"
}

@test "apsim-run: SIGINT to the process group mid-command leaves no mount behind" {
	interrupt INT group
	# the command was interrupted too
	if kill -0 "$(cat "$BATS_TEST_TMPDIR/cmdpid")" 2>/dev/null; then
		fail "the command survived the SIGINT"
	fi
}

@test "apsim-run: SIGTERM to the runner mid-command leaves no mount behind" {
	interrupt TERM runner
}

@test "apsim-run: SIGHUP to the runner mid-command leaves no mount behind" {
	interrupt HUP runner
}

@test "apsim-run: --start and --stop split the life cycle" {
	local root
	root=$("$APSIM_RUN" --start --host "$BATS_HOSTS/t-doc.json" --kernel 6.1)
	root=${root##*$'\n'}
	findmnt -rn -o TARGET | grep -qxF -- "$root/sys" || fail "$root/sys is not mounted"
	run "$APSIMCTL" -S "$root/apsim.sock" kernel
	expect_eq 6.1 "$output"
	expect_r "$root/sys/bus/ap/ap_adapter_mask" "$(mask_of 5 6)\n"
	run "$APSIM_RUN" --stop "$root"
	expect_eq 0 "$status" "exit status of --stop"
	expect_clean "$root"
}

@test "apsim-run: --ns shows the simulated host on /sys and leaves the real /sys untouched" {
	local before after real_before=absent real_after=absent mdevctl_before mdevctl_after
	[[ -e /sys/bus/ap/apmask ]] && real_before=$(cat /sys/bus/ap/apmask)
	mdevctl_before=$(ls -d /etc/mdevctl.d /etc/udev/rules.d 2>/dev/null || true)
	before=$(findmnt -rn -o TARGET,SOURCE,FSTYPE | awk '$1 ~ /^\/(sys|etc|run\/lock)(\/|$)/' | sort)
	local out=$BATS_TEST_TMPDIR/root
	run "$APSIM_RUN" --ns --host "$BATS_HOSTS/t-doc.json" -- bash -c '
		echo "$APSIM_ROOT" >"$1"
		cat /sys/bus/ap/apmask
		apsimctl dump | jq -r .bus.apmask
		echo -5 >/sys/bus/ap/apmask
		cat /sys/bus/ap/apmask
		apsimctl dump | jq -r .bus.apmask
		cat /sys/devices/ap/card05/05.0004/status
		touch /etc/mdevctl.d/apsim-ns-test /run/lock/apsim-ns-test /etc/udev/rules.d/apsim-ns-test
		ls "$APSIM_ROOT/etc/mdevctl.d/apsim-ns-test" "$APSIM_ROOT/etc/udev/rules.d/apsim-ns-test" \
			"$APSIM_ROOT/run/lock/apsim-ns-test" |
			sed "s|^$APSIM_ROOT|ROOT|"' bash "$out"
	expect_eq 0 "$status" "exit status"
	expect_eq "$(mask_all)
$(mask_all)
$(mask_all_but 5)
$(mask_all_but 5)
unassigned
ROOT/etc/mdevctl.d/apsim-ns-test
ROOT/etc/udev/rules.d/apsim-ns-test
ROOT/run/lock/apsim-ns-test" "$output" "output inside the namespace"
	expect_clean "$(cat "$out")"
	after=$(findmnt -rn -o TARGET,SOURCE,FSTYPE | awk '$1 ~ /^\/(sys|etc|run\/lock)(\/|$)/' | sort)
	expect_eq "$before" "$after" "mounts on /sys, /etc, /run/lock"
	[[ -e /sys/bus/ap/apmask ]] && real_after=$(cat /sys/bus/ap/apmask)
	expect_eq "$real_before" "$real_after" "the real /sys/bus/ap/apmask"
	mdevctl_after=$(ls -d /etc/mdevctl.d /etc/udev/rules.d 2>/dev/null || true)
	expect_eq "$mdevctl_before" "$mdevctl_after" "presence of the real /etc/mdevctl.d and /etc/udev/rules.d"
	expect_missing /etc/mdevctl.d/apsim-ns-test /run/lock/apsim-ns-test /etc/udev/rules.d/apsim-ns-test
}
