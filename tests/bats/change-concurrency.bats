#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Many apctl processes changing the system at once: the lock serialises
# them, each re-validates under the lock, so exactly the requests that do not
# conflict with an earlier winner succeed and no mdev is left half-built.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
	"$APCTL" reserve 5,6
}

teardown() {
	sim_stop
}

uuid_of() {
	printf '%08x-0000-4000-8000-%012x\n' "$1" "$1"
}

# start every request at once; exit codes in $BATS_TEST_TMPDIR/rc.N
race() {
	local i
	local -a pids

	for ((i = 0; i < ${#REQ[@]}; i++)); do
		# shellcheck disable=SC2086
		( rc=0
		  "$APCTL" mdev create -u "$(uuid_of "$i")" ${REQ[i]} --wait 300 \
			>"$BATS_TEST_TMPDIR/out.$i" 2>&1 || rc=$?
		  echo "$rc" >"$BATS_TEST_TMPDIR/rc.$i" ) &
		pids+=($!)
	done
	wait "${pids[@]}"
}

rc_of() {
	cat "$BATS_TEST_TMPDIR/rc.$1"
}

# the mdev's assigned matrix equals the request, or the mdev does not exist
expect_whole_or_absent() {
	local i=$1 u

	u=$(uuid_of "$i")
	if [[ $(rc_of "$i") == 0 ]]; then
		expect_r "$MATRIX/$u/ap_config" "$2\n" || return 1
	else
		expect_missing "$MATRIX/$u" || return 1
	fi
}

@test "concurrency: 14 overlapping mdev creates: exactly the non-conflicting ones succeed" {
	# 0-5 conflict with nobody; 6/7, 8/9, 10/11 and 12/13 are pairs that share APQNs
	REQ=(
		"-a 5 -d 1" "-a 5 -d 2" "-a 6 -d 1" "-a 6 -d 2" "-a 5 -d 3" "-a 6 -d 3"
		"-a 5 -d 10,11" "-a 5,6 -d 11"
		"-a 6 -d 20" "-a 6 -d 20,21"
		"-a 5 -d 30" "-a 5,6 -d 30"
		"-a 5,6 -d 40-42" "-a 6 -d 42"
	)
	MX=(
		"$(mask_of 5),$(mask_of 1),$(mask_zero)" "$(mask_of 5),$(mask_of 2),$(mask_zero)"
		"$(mask_of 6),$(mask_of 1),$(mask_zero)" "$(mask_of 6),$(mask_of 2),$(mask_zero)"
		"$(mask_of 5),$(mask_of 3),$(mask_zero)" "$(mask_of 6),$(mask_of 3),$(mask_zero)"
		"$(mask_of 5),$(mask_of 10 11),$(mask_zero)" "$(mask_of 5 6),$(mask_of 11),$(mask_zero)"
		"$(mask_of 6),$(mask_of 20),$(mask_zero)" "$(mask_of 6),$(mask_of 20 21),$(mask_zero)"
		"$(mask_of 5),$(mask_of 30),$(mask_zero)" "$(mask_of 5 6),$(mask_of 30),$(mask_zero)"
		"$(mask_of 5 6),$(mask_of 40 41 42),$(mask_zero)" "$(mask_of 6),$(mask_of 42),$(mask_zero)"
	)
	race
	local i a b n=0

	for ((i = 0; i < 6; i++)); do
		[[ $(rc_of "$i") == 0 ]] || fail "request $i (${REQ[i]}) failed: $(cat "$BATS_TEST_TMPDIR/out.$i")"
	done
	for ((i = 6; i < 14; i += 2)); do
		a=$(rc_of "$i")
		b=$(rc_of "$((i + 1))")
		[[ "$a$b" == 04 || "$a$b" == 40 ]] ||
			fail "pair $i/$((i + 1)): exit codes $a and $b, expected one 0 and one 4"
	done
	for ((i = 0; i < 14; i++)); do
		expect_whole_or_absent "$i" "${MX[i]}"
		[[ $(rc_of "$i") == 0 ]] && n=$((n + 1))
	done
	[ "$n" -eq 10 ]
	run bash -c "ls -d '$MATRIX'/*-*-*-*-* | wc -l"
	expect_eq 10 "$output"
	# the losers were refused by validation, before any write of theirs
	for ((i = 6; i < 14; i++)); do
		[[ $(rc_of "$i") == 4 ]] || continue
		grep -q "^apctl: refused" "$BATS_TEST_TMPDIR/out.$i" ||
			fail "loser $i: $(cat "$BATS_TEST_TMPDIR/out.$i")"
	done
}

@test "concurrency: 12 processes reserving and releasing different adapters: no edit is lost" {
	local i
	local -a pids

	"$APCTL" release 5,6
	for ((i = 10; i < 22; i++)); do
		"$APCTL" reserve "$i" --wait 300 >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	expect_r bus/ap/apmask "$(mask_all_but 10 11 12 13 14 15 16 17 18 19 20 21)\n"
}
