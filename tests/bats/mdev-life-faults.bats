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
