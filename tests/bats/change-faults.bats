#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Fault injection at every write step of every changing command: apsim fails
# the K-th write (apsimctl fault add '*' --errno EIO --nth K); apctl must
# report it naming the step, undo what it did, and leave apsim's state dump
# (and the files below the root) equal to the state before, byte for byte.
# With a second fault on the first undo write, apctl must exit 6 and print a
# repair command that, run as printed, restores the state before.
#
# Each test prints its rows of the fault matrix (command, step, result) as
# TAP diagnostics on fd 3.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

teardown() {
	ro_teardown
	sim_stop
}

# descriptions of the plan's steps, one a line
step_whats() {
	"$APCTL" "$@" --dry-run --json | jq -r '.steps[].description'
}

# fault_every_step CMD...: the plan's sysfs writes, each failed in turn
fault_every_step() {
	local -a idx whats
	local k i n_done exp

	mapfile -t idx < <(sysfs_steps "$@")
	mapfile -t whats < <(step_whats "$@")
	[ "${#idx[@]}" -gt 0 ] || fail "no sysfs step planned for: $*" || return 1
	snap before
	for ((k = 1; k <= ${#idx[@]}; k++)); do
		i=${idx[k - 1]}
		ctl fault add '*' --errno EIO --nth "$k" >/dev/null
		run "$APCTL" "$@"
		ctl fault clear >/dev/null
		[ "$status" -eq 1 ] || fail "step $i: exit $status, expected 1: $output" || return 1
		n_done=$((i - 1))
		if ((n_done == 0)); then
			exp="nothing was changed"
		elif ((n_done == 1)); then
			exp="the 1 step done before was undone; nothing was changed"
		else
			exp="the $n_done steps done before were undone; nothing was changed"
		fi
		expect_eq "apctl: cannot ${whats[i - 1]}: Input/output error (EIO)
apctl: $exp" "$output" "output for a fault at step $i" || return 1
		expect_snap before || return 1
		echo "# fault matrix: ${*:1:2} | step $i/${#whats[@]} (${whats[i - 1]}) | EIO -> exit 1, undone, dump equal" >&3
	done
}

# undo_fails CMD...: for each sysfs write K after the first, fail write K and
# write K+1 (the first undo write); expect exit 6 and a working repair hint
undo_fails() {
	local -a idx whats
	local k i line repair ran=0

	mapfile -t idx < <(sysfs_steps "$@")
	mapfile -t whats < <(step_whats "$@")
	snap before
	for ((k = 2; k <= ${#idx[@]}; k++)); do
		i=${idx[k - 1]}
		ctl fault add '*' --errno EIO --nth "$k" >/dev/null
		ctl fault add '*' --errno EIO --nth "$((k + 1))" >/dev/null
		run "$APCTL" "$@"
		ctl fault clear >/dev/null
		if [ "$status" -eq 1 ]; then
			# the step before had no undo write of its own (configuration of
			# a new mdev, undone by removing it): nothing failed twice
			expect_snap before || return 1
			continue
		fi
		[ "$status" -eq 6 ] || fail "step $i: exit $status, expected 6: $output" || return 1
		[[ ${lines[0]} == "apctl: cannot ${whats[i - 1]}: Input/output error (EIO)" ]] ||
			fail "first line: ${lines[0]}" || return 1
		# the failed undo write; an override's re-probe after it cannot
		# show the old binding either and says so first
		local n=1
		if [[ ${lines[1]} == "apctl: the undo failed too: cannot undo 'set the driver_override of queue "*"': reading "*" back does not show the old state" ||
			${lines[1]} == "apctl: the undo failed too: cannot undo 'clear the driver_override of queue "*"': reading "*" back does not show the old state" ]]; then
			n=2
		fi
		[[ ${lines[n]} == "apctl: the undo failed too: cannot undo '"*"': Input/output error (EIO)" ]] ||
			fail "second line: ${lines[n]}" || return 1
		[[ ${lines[n + 1]} == "apctl: state left behind (the other steps were undone):" ]] ||
			fail "third line: ${lines[n + 1]}" || return 1
		line=${lines[n + 2]}
		[[ $line == "apctl:   still done: "*"; to repair run: apctl "* ]] ||
			fail "fourth line: $line" || return 1
		[[ ${lines[-1]} == "apctl: the change journal keeps this state until 'apctl repair' undoes it (other changes are refused until then)" ]] ||
			fail "last line: ${lines[-1]}" || return 1
		run "$APCTL" repair -y
		[ "$status" -eq 0 ] || fail "apctl repair failed: $output" || return 1
		expect_snap before || return 1
		echo "# fault matrix: ${*:1:2} | step $i + its first undo | EIO,EIO -> exit 6, repaired by 'apctl repair', dump equal" >&3
		ran=$((ran + 1))
	done
	[ "$ran" -gt 0 ] || fail "no undo write could be failed for: $*"
}

@test "faults: reserve --adapters --domains, each write" {
	sim_start doc-example 7.2
	fault_every_step reserve -a 5,6 -d 0x47,0xab
	undo_fails reserve -a 5,6 -d 0x47,0xab
}

@test "faults: release --adapters --domains, each write" {
	sim_start doc-example 7.2
	"$APCTL" reserve -a 5,6 -d 0x47,0xab
	fault_every_step release -a 5,6 -d 0x47,0xab
	undo_fails release -a 5,6 -d 0x47,0xab
}

@test "faults: mdev create --reserve --define (7.2: create + ap_config), each write" {
	sim_start doc-example 7.2
	fault_every_step mdev create -u "$U1" -a 5 -d 4,0xab -c 4 --reserve --define
	undo_fails mdev create -u "$U1" -a 5 -d 4,0xab -c 4 --reserve --define
}

@test "faults: mdev create (6.1: create + one assign write per id), each write" {
	sim_start doc-example 6.1
	"$APCTL" reserve 5,6
	fault_every_step mdev create -u "$U1" -a 5,6 -d 4,0xab -c 4
	undo_fails mdev create -u "$U1" -a 5,6 -d 4,0xab -c 4
}

@test "faults: mdev modify (7.2: ap_config), each write" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	fault_every_step mdev modify "$U1" -a 6 -d 4,0x47
}

@test "faults: mdev modify (6.1: unassign, then assign), each write" {
	sim_start doc-example 6.1
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 -c 4
	fault_every_step mdev modify "$U1" -a 6 -d 4,0x47 -c 0x47
	undo_fails mdev modify "$U1" -a 6 -d 4,0x47 -c 0x47
}

@test "faults: mdev modify while a guest is attached (6.1 hot plug), each write" {
	sim_start doc-example 6.1
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	ctl attach "$U1"
	fault_every_step mdev modify "$U1" -y --add-adapters 6 --add-domains 0x47
	undo_fails mdev modify "$U1" -y --add-adapters 6 --add-domains 0x47
}

@test "faults: mdev remove --undefine, the remove write fails: the definition comes back" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	fault_every_step mdev remove --undefine "$U1"
}

@test "faults: the definition file cannot be written (read-only etc): create undone" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5
	mkdir -p "$APSIM_ROOT/etc/mdevctl.d/matrix"
	snap before
	ro_dir etc/mdevctl.d/matrix
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot define it for mdevctl, started on request: Read-only file system (EROFS)
apctl: the 2 steps done before were undone; nothing was changed" "$output"
	expect_snap before
	echo "# fault matrix: mdev create | step 3/3 (definition file) | EROFS -> exit 1, undone, dump equal" >&3
}

@test "faults: the udev rule cannot be written: the live mask edit is undone" {
	sim_start doc-example 7.2
	snap before
	ro_dir etc/udev/rules.d
	run "$APCTL" reserve --active --persistent 5
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot reserve them for vfio_ap at boot (udev rule 41-ap.rules): Read-only file system (EROFS)
apctl: the 1 step done before was undone; nothing was changed" "$output"
	expect_snap before
	echo "# fault matrix: reserve -p | step 2/2 (udev rule) | EROFS -> exit 1, undone, dump equal" >&3
}

@test "faults: the definition cannot be restored after a failed remove: exit 6 with the repair" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	cp "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1" "$BATS_TEST_TMPDIR/def"
	snap before
	ctl fault add "devices/vfio_ap/matrix/$U1/remove" --errno EIO --delay 3000 >/dev/null
	local pid rc=0

	"$APCTL" mdev remove --undefine "$U1" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	wait_for "the definition to be deleted" test ! -e "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	ro_dir etc/mdevctl.d/matrix
	wait "$pid" || rc=$?
	[ "$rc" -eq 6 ]
	run cat "$BATS_TEST_TMPDIR/out"
	expect_eq "apctl: cannot remove mdev $U1: Input/output error (EIO)
apctl: the undo failed too: cannot undo 'delete its mdevctl definition': Read-only file system (EROFS)
apctl: state left behind (the other steps were undone):
apctl:   still done: delete its mdevctl definition; to repair write this content to $APSIM_ROOT/etc/mdevctl.d/matrix/$U1:
$(cat "$BATS_TEST_TMPDIR/def")
apctl: the change journal keeps this state until 'apctl repair' undoes it (other changes are refused until then)" "$output"
	rw_dir etc/mdevctl.d/matrix
	cp "$BATS_TEST_TMPDIR/def" "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	expect_snap before
	# repair finds the definition restored by hand and only removes the journal
	run "$APCTL" repair -y
	[ "$status" -eq 0 ]
	expect_snap before
	expect_missing "$APSIM_ROOT/run/apctl/journal"
	echo "# fault matrix: mdev remove --undefine | step 2 + undo of step 1 | EIO,EROFS -> exit 6, repair named" >&3
}

@test "faults: mdev modify of a defined mdev, the definition cannot be written: live change undone" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5,6
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	snap before
	ro_dir etc/mdevctl.d/matrix
	run "$APCTL" mdev modify "$U1" --add-domains 0x47
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot update its mdevctl definition: Read-only file system (EROFS)
apctl: the 1 step done before was undone; nothing was changed" "$output"
	expect_snap before
	echo "# fault matrix: mdev modify (defined) | step 2/2 (definition file) | EROFS -> exit 1, undone, dump equal" >&3
}

@test "faults: mdev remove --undefine, the definition cannot be deleted: nothing removed" {
	sim_start doc-example 7.2
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	snap before
	ro_dir etc/mdevctl.d/matrix
	run "$APCTL" mdev remove --undefine "$U1"
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot delete its mdevctl definition: Read-only file system (EROFS)
apctl: nothing was changed" "$output"
	expect_snap before
	echo "# fault matrix: mdev remove --undefine | step 1/2 (definition file) | EROFS -> exit 1, nothing changed, dump equal" >&3
}

@test "faults: release --persistent, the udev rule cannot be written: nothing changed" {
	sim_start doc-example 7.2
	"$APCTL" reserve --active --persistent 5,6
	snap before
	ro_dir etc/udev/rules.d
	# 6 stays reserved at boot: the rule is rewritten
	run "$APCTL" release --active --persistent 5
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot give them back to the host at boot (udev rule 41-ap.rules): Read-only file system (EROFS)
apctl: the 1 step done before was undone; nothing was changed" "$output"
	expect_snap before
	echo "# fault matrix: release -p | step 2/2 (udev rule rewritten) | EROFS -> exit 1, undone, dump equal" >&3
	# nothing stays reserved at boot: the rule would say nothing and is deleted
	run "$APCTL" release --active --persistent 5,6
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot give them back to the host at boot: delete the udev rule 41-ap.rules, which would set only the kernel's default masks: Read-only file system (EROFS)
apctl: the 1 step done before was undone; nothing was changed" "$output"
	expect_snap before
	echo "# fault matrix: release -p | step 2/2 (udev rule deleted) | EROFS -> exit 1, undone, dump equal" >&3
}

@test "faults: reserve --mode override (7.2: override, unbind, probe per queue), each write" {
	sim_start doc-example 7.2
	fault_every_step reserve --mode override 05.0004,06.00ab
	undo_fails reserve --mode override 05.0004,06.00ab
}

@test "faults: release --mode override (7.2: clear, unbind, probe per queue), each write" {
	sim_start doc-example 7.2
	"$APCTL" reserve --mode override 05.0004,06.00ab
	fault_every_step release --mode override 05.0004,06.00ab
	undo_fails release --mode override 05.0004,06.00ab
}
