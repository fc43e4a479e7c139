#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Fault injection at every write step of mdev start, stop, define, undefine
# and the autostart run, on kernels 7.2 (one ap_config write) and 6.1
# (assign writes): apsim fails the K-th sysfs write (EIO), a read-only
# /etc/mdevctl.d/matrix fails a definition write (EROFS).  After each
# failure the state dump and the files below the root are byte-identical
# to before.  Rows of the fault matrix go to fd 3 as TAP diagnostics.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

teardown() {
	ro_teardown
	sim_stop
}

# the definitions: U1 (5 x 4,0xab, control 4) and U2 (6 x 0x47), manual
defs() {
	"$APCTL" -q reserve --active --persistent 5,6
	"$APCTL" -q mdev define -u "$U1" -a 5 -d 4,0xab -c 4 >/dev/null
	"$APCTL" -q mdev define -u "$U2" -a 6 -d 0x47 >/dev/null
}

run_matrix() {
	KERNEL=$1
	sim_start doc-example "$KERNEL"
	defs
	# start: create, then one ap_config write (7.2) or the assign writes (6.1)
	fault_each mdev start "$U1" || return 1
	# start --reserve: the mask write comes first
	# (the masks give adapter 5 back to the host as a reboot without a rule
	# would; apctl release refuses, a definition holds it)
	w bus/ap/apmask +5 >/dev/null
	fault_each mdev start --reserve "$U1" || return 1
	w bus/ap/apmask -5 >/dev/null
	# stop: the remove write (no undo needed: nothing was done before it)
	"$APCTL" -q mdev start "$U1"
	fault_each mdev stop "$U1" || return 1
	# define UUID (from the active mdev) and define -a/-d: the definition file
	"$APCTL" -q mdev undefine "$U1"
	snap before
	ro_dir etc/mdevctl.d/matrix
	for args in "$U1" "-u $U3 -a 6 -d 0xab" "$U2 --autostart"; do
		# shellcheck disable=SC2086
		run "$APCTL" mdev define $args
		[ "$status" -eq 1 ] || fail "define $args: $status $output" || return 1
		[[ $output == *"Read-only file system (EROFS)"* ]] || fail "$output" || return 1
		expect_snap before || return 1
		echo "# fault matrix: $KERNEL mdev define $args | definition file | EROFS -> exit 1, state equal" >&3
	done
	# undefine: the file is put back as it was
	run "$APCTL" mdev undefine "$U2"
	[ "$status" -eq 1 ] || fail "undefine: $status $output" || return 1
	expect_snap before || return 1
	echo "# fault matrix: $KERNEL mdev undefine | definition file | EROFS -> exit 1, state equal" >&3
	umount "$APSIM_ROOT/etc/mdevctl.d/matrix"
	RO_MOUNTS=()
}

@test "faults at every write of start, stop, define, undefine (7.2)" {
	run_matrix 7.2
}

@test "faults at every write of start, stop, define, undefine (6.1)" {
	run_matrix 6.1
}

# autostart: three autostart definitions; each write of the run fails in
# turn: the mdev whose start hit it is undone and reported as failed, the
# ones before and after start all the same
autostart_faults() {
	local n k j out
	KERNEL=$1
	sim_start doc-example "$KERNEL"
	"$APCTL" -q reserve --active --persistent 5,6
	"$APCTL" -q mdev define -u "$U1" -a 5,6 -d 4,0xab --autostart >/dev/null
	"$APCTL" -q mdev define -u "$U2" -a 5 -d 0x47,0xff --autostart >/dev/null
	"$APCTL" -q mdev define -u "$U3" -a 6 -d 0x47,0xff --autostart >/dev/null
	snap clean
	# the writes of each start, in the order of the run
	local -a per=()
	for u in "$U1" "$U2" "$U3"; do
		per+=("$(sysfs_steps mdev start "$u" | wc -l)")
	done
	n=$((per[0] + per[1] + per[2]))
	for ((k = 1; k <= n; k++)); do
		# which mdev's start the k-th write belongs to
		j=0
		((k > per[0])) && j=1
		((k > per[0] + per[1])) && j=2
		ctl fault add '*' --errno EIO --nth "$k" >/dev/null
		run --separate-stderr "$APCTL" mdev start --autostart --json
		ctl fault clear >/dev/null
		[ "$status" -eq 1 ] || fail "write $k: exit $status: $stderr" || return 1
		out=$(jq -r '[.mdevs[].outcome] | join(" ")' <<<"$output")
		local -a want=(started started started)
		want[j]=failed
		expect_eq "${want[*]}" "$out" "outcome with write $k failing" || return 1
		[[ $(jq -r ".mdevs[$j].error" <<<"$output") == *"Input/output error"* ]] ||
			fail "no error for the failed mdev: $output" || return 1
		# the reported outcome is the state: the failed one is absent, the others active
		for i in 0 1 2; do
			u=$([ $i -eq 0 ] && echo "$U1" || { [ $i -eq 1 ] && echo "$U2" || echo "$U3"; })
			if ((i == j)); then
				expect_missing "$MATRIX/$u" || return 1
			else
				expect_exists "$MATRIX/$u" || return 1
			fi
		done
		# a second run starts the one that failed
		run "$APCTL" mdev start --autostart
		[ "$status" -eq 0 ] || fail "rerun after write $k: $output" || return 1
		echo "# fault matrix: $KERNEL autostart run | write $k/$n (mdev $((j + 1))) | EIO -> that mdev undone and reported failed, others started" >&3
		"$APCTL" -q mdev stop "$U1"
		"$APCTL" -q mdev stop "$U2"
		"$APCTL" -q mdev stop "$U3"
		expect_snap clean || return 1
	done
}

@test "faults in the autostart run: the failed start is undone, the others start (7.2)" {
	autostart_faults 7.2
}

@test "faults in the autostart run: the failed start is undone, the others start (6.1)" {
	autostart_faults 6.1
}

@test "autostart run: a start not undone completely (exit 6) stops the run; the rest are skipped with the way out; repair, then a second run starts all (7.2)" {
	sim_start doc-example 7.2
	"$APCTL" -q reserve --active --persistent 5,6
	"$APCTL" -q mdev define -u "$U1" -a 5,6 -d 4,0xab --autostart >/dev/null
	"$APCTL" -q mdev define -u "$U2" -a 5 -d 0x47,0xff --autostart >/dev/null
	"$APCTL" -q mdev define -u "$U3" -a 6 -d 0x47,0xff --autostart >/dev/null
	# U1's start: write 1 creates, write 2 configures (fails), write 3
	# removes again (the undo, fails too): U1 is left created, unconfigured
	ctl fault add '*' --errno EIO --nth 2 >/dev/null
	ctl fault add '*' --errno EIO --nth 3 >/dev/null
	run --separate-stderr "$APCTL" mdev start --autostart --json
	ctl fault clear >/dev/null
	[ "$status" -eq 6 ] || fail "exit $status: $stderr"
	schema_check "$top_srcdir/schema/apctl-change.schema.json" <<<"$output"
	expect_eq "partial 6 partial 6 skipped 4 skipped 4" \
		"$(jq -r '"\(.status) \(.exit_code) " + ([.mdevs[] | "\(.outcome) \(.exit_code)"] | join(" "))' <<<"$output")"
	expect_eq "cannot configure mdev $U1: adapters 05,06, domains 0004,00ab, control domains none: Input/output error (EIO); cannot undo 'create mdev $U1': Input/output error (EIO); left: create mdev $U1 (repair: apctl mdev remove $U1)" \
		"$(jq -r '.mdevs[0].error' <<<"$output")"
	local why="the start of mdev $U1 before it was not undone completely; run 'apctl repair', then 'apctl mdev start --autostart' again"
	expect_eq "$why|interrupted|$why" "$(jq -r '.mdevs[1] | "\(.error)|\(.problems[0].kind)|\(.problems[0].message)"' <<<"$output")"
	expect_eq "$why" "$(jq -r '.mdevs[2].error' <<<"$output")"
	# the state: U1 created and empty, the others not started
	expect_exists "$MATRIX/$U1"
	expect_r "$MATRIX/$U1/matrix" ''
	expect_missing "$MATRIX/$U2"
	expect_missing "$MATRIX/$U3"
	# a run before the repair: the first start is refused with the journal's
	# whole story, the others are skipped with one line each
	run --separate-stderr "$APCTL" mdev start --autostart
	[ "$status" -eq 4 ]
	[[ $stderr == "apctl: an earlier change was interrupted: 'apctl mdev start --autostart --json' (process "*"), 1 of 2 steps done; run 'apctl repair' to undo it (or 'apctl repair --forward' to complete it); nothing was written
    step 1, done: create mdev $U1
    step 2, failed: configure mdev $U1: adapters 05,06, domains 0004,00ab, control domains none
apctl: mdev $U1 not started
apctl: mdev $U2 not started: an earlier change was interrupted; run 'apctl repair', then 'apctl mdev start --autostart' again
apctl: mdev $U3 not started: an earlier change was interrupted; run 'apctl repair', then 'apctl mdev start --autostart' again
apctl: autostart: 0 started, 0 active already, 3 not started" ]] || fail "stderr: $stderr"
	run "$APCTL" repair -y
	[ "$status" -eq 0 ] || fail "repair: $output"
	expect_missing "$MATRIX/$U1"
	run "$APCTL" mdev start --autostart
	[ "$status" -eq 0 ] || fail "second run: $output"
	expect_eq "apctl: autostart: 3 started, 0 active already, 0 not started" "${lines[-1]}"
}

@test "autostart run, text: after a start not undone completely each skipped mdev is named with the way out (6.1)" {
	sim_start doc-example 6.1
	"$APCTL" -q reserve --active --persistent 5,6
	"$APCTL" -q mdev define -u "$U1" -a 5 -d 4 --autostart >/dev/null
	"$APCTL" -q mdev define -u "$U2" -a 6 -d 4 --autostart >/dev/null
	# 6.1: create, assign adapter (fails), remove (the undo, fails)
	ctl fault add '*' --errno EIO --nth 2 >/dev/null
	ctl fault add '*' --errno EIO --nth 3 >/dev/null
	run --separate-stderr "$APCTL" mdev start --autostart
	ctl fault clear >/dev/null
	[ "$status" -eq 6 ] || fail "exit $status: $stderr"
	[[ $stderr == *"apctl: mdev $U1 not started: its start failed and was not undone completely
apctl: mdev $U2 not started: the start of mdev $U1 before it was not undone completely; run 'apctl repair', then 'apctl mdev start --autostart' again
apctl: autostart: 0 started, 0 active already, 2 not started" ]] || fail "stderr: $stderr"
	expect_missing "$MATRIX/$U2"
	"$APCTL" -q repair -y
	expect_missing "$MATRIX/$U1"
}
