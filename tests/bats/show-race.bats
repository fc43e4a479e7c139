#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Devices that vanish between the listing and the read (issue 14): another
# process creates and removes mdevs, while show --json and check run 200
# times.  A vanished mdev is left out (or read again), never reported as
# malformed data (exit 10).

bats_require_minimum_version 1.5.0

load helpers

teardown() {
	[[ -z ${churn:-} ]] || kill "$churn" 2>/dev/null || true
	wait 2>/dev/null || true
	sim_stop
}

# create and remove mdevs through sysfs until killed
churn_mdevs() {
	local n=0 u

	# a pipe nobody writes to: read -t sleeps without a process per pause
	exec 9<> <(:)
	while :; do
		read -r -t 0.003 -u 9 || true
		u=$(printf 'aaaaaaaa-0000-4000-8000-%012d' $((n % 4)))
		printf '%s' "$u" >"$TYPE/create" 2>/dev/null
		printf '1' >"$MATRIX/$u/remove" 2>/dev/null
		n=$((n + 1))
	done
}

@test "race: mdevs created and removed while show --json and check run 200 times: never exit 10" {
	local i bad=0 log=$BATS_TEST_TMPDIR/race.log

	sim_start doc-example 7.2
	# live and at boot, so that check has nothing to warn of (issue 17's boot audit)
	"$APCTL" reserve -y -p --active 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	churn_mdevs &
	churn=$!
	for ((i = 0; i < 100; i++)); do
		"$APCTL" show --json >/dev/null 2>"$BATS_TEST_TMPDIR/err" || echo "show $? $(cat "$BATS_TEST_TMPDIR/err")" >>"$log"
		"$APCTL" check >/dev/null 2>"$BATS_TEST_TMPDIR/err" || echo "check $? $(cat "$BATS_TEST_TMPDIR/err")" >>"$log"
	done
	kill "$churn"
	wait "$churn" 2>/dev/null || true
	churn=
	# the churn really ran: mdevs were created meanwhile
	run ctl dump
	[[ -s $log ]] && { cat "$log" >&2; bad=1; }
	expect_eq 0 "$bad" "runs that failed"
	# the mdev that stayed is still read as it is
	run "$APCTL" show mdev "$U1"
	expect_eq 0 "$status"
}
