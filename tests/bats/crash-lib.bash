# SPDX-License-Identifier: MIT
# Interrupted changes: the kill matrix.  For each changing command and each
# of its write steps k, apctl is killed (SIGKILL) at two points:
#   in-flight  step k's write is under way: a sysfs write is held up by
#              apsim (fault --delay) and apctl is killed from outside while
#              apsim holds it (as with the kernel, the write still lands);
#              a file step (definition, udev rule) is killed right after
#              its write, before the journal records it as done
#              ($APCTL_DEBUG_CRASH=step:K:written)
#   after      step k is done and recorded, the next one not begun
#              ($APCTL_DEBUG_CRASH=step:K:done)
# Then 'apctl check' must name the interrupted change (exit 7), another
# change must be refused (exit 4), and 'apctl repair' must bring back the
# state before the command byte for byte (apsim's dump and every file under
# the root), or with --forward the state the uninterrupted command makes.
# An mdev removal has no undo: once it was written, repair completes it.

#   load helpers
#   load change-helpers
#   load crash-lib

JOURNAL=
LOCK=

setup() {
	PID=
}

teardown() {
	if [[ -n $PID ]]; then
		kill -KILL "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	sim_stop
}

start() {
	sim_start "$1" "$2"
	JOURNAL=$APSIM_ROOT/run/apctl/journal
	LOCK=$APSIM_ROOT/run/lock/s390apconfig.lock
}

# every file under the root except the simulator's own (sys is apsim's dump)
_root_files() {
	(cd "$APSIM_ROOT" && find . -path ./sys -prune -o -type f -print |
		grep -v -e '^\./apsim\.' | LC_ALL=C sort | while read -r f; do
			printf '== %s\n' "$f"
			cat "$f"
		done)
}

snap_all() {
	snap "$1"
	_root_files >"$BATS_TEST_TMPDIR/$1.root"
}

expect_snap_all() {
	expect_snap "$1" || return 1
	_root_files >"$BATS_TEST_TMPDIR/now.root"
	cmp -s "$BATS_TEST_TMPDIR/$1.root" "$BATS_TEST_TMPDIR/now.root" ||
		fail "files under the root differ from '$1': $(diff "$BATS_TEST_TMPDIR/$1.root" "$BATS_TEST_TMPDIR/now.root" | head -20)"
}

# the steps of the command under test: SYSFS[k] is the number of step k
# among the sysfs writes (0: a file step), OPS[k] its operation
plan_of() {
	local doc k j=0
	doc=$("$APCTL" "$@" --dry-run --json) || return 1
	NSTEPS=$(jq '.steps | length' <<<"$doc")
	SYSFS=() OPS=()
	for ((k = 1; k <= NSTEPS; k++)); do
		OPS[k]=$(jq -r ".steps[$((k - 1))].do.op" <<<"$doc")
		if [[ ${OPS[k]} == write ]]; then
			j=$((j + 1))
			SYSFS[k]=$j
		else
			SYSFS[k]=0
		fi
	done
}

# wait (up to 10 s) until the journal records that step k began
_began() {
	local i
	for ((i = 0; i < 500; i++)); do
		grep -qs "{\"step\":$(($1 - 1)),\"event\":\"begin\"}" "$JOURNAL" && return 0
		sleep 0.02
	done
	fail "step $1 did not begin"
}

# kill "$@" at step k (1-based) at point in-flight|after
kill_at() {
	local k=$1 point=$2 rc=0
	shift 2
	if [[ $point == in-flight && ${SYSFS[k]} -gt 0 ]]; then
		ctl fault add '*' --nth "${SYSFS[k]}" --delay 400 >/dev/null
		"$APCTL" "$@" >/dev/null 2>&1 3>&- &
		PID=$!
		_began "$k" || return 1
		sleep 0.1
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null || rc=$?
		PID=
		ctl fault clear >/dev/null
	else
		[[ $point == in-flight ]] && point=written || point=done
		APCTL_DEBUG_CRASH="step:$((k - 1)):$point" "$APCTL" "$@" >/dev/null 2>&1 || rc=$?
	fi
	[ "$rc" -eq 137 ] || fail "step $k $point: exit $rc, expected 137 (killed)"
}

# after the kill: detected by check and (with "refuse") by another change
expect_detected() {
	local cmd=$1
	run "$APCTL" check
	[ "$status" -eq 7 ] || fail "check: exit $status, expected 7: $output" || return 1
	[[ ${lines[0]} == "apctl: an earlier change was interrupted: 'apctl $cmd' (process "*"), "*" steps done; run 'apctl repair' to undo it (or 'apctl repair --forward' to complete it)" ]] ||
		fail "check: ${lines[0]}" || return 1
	[[ ${2:-} == refuse ]] || return 0
	run "$APCTL" reserve 0x0b
	[ "$status" -eq 4 ] || fail "another change: exit $status, expected 4: $output" || return 1
	[[ ${lines[0]} == "apctl: an earlier change was interrupted: 'apctl $cmd' "*"; nothing was written" ]] ||
		fail "another change: ${lines[0]}" || return 1
}

# the matrix for one command: undo, then --forward
# INVERSE: a function that takes the system from the command's end state
# back to the state before it
matrix() {
	local inverse=$1 k n point mode res out
	shift
	plan_of "$@" || return 1
	n=$NSTEPS
	[ "$n" -gt 0 ] || fail "no steps planned for: $*" || return 1
	snap_all before
	"$APCTL" "$@" >/dev/null
	snap_all after
	$inverse
	restore_files
	expect_snap_all before || fail "the inverse of '$*' does not restore the state" || return 1
	for ((k = 1; k <= n; k++)); do
		for point in in-flight after; do
			for mode in undo forward; do
				kill_at "$k" "$point" "$@" || return 1
				if [[ $mode == undo && $point == in-flight ]]; then
					expect_detected "$*" refuse || return 1
				else
					expect_detected "$*" || return 1
				fi
				if [[ $mode == undo ]]; then
					run "$APCTL" repair -y
				else
					run "$APCTL" repair --forward -y
				fi
				[ "$status" -eq 0 ] || fail "repair ($mode) after step $k $point: exit $status: $output" || return 1
				out=$output
				run "$APCTL" repair -y
				[[ $status -eq 0 && $output == "apctl: nothing to repair: no change was interrupted" ]] ||
					fail "a second repair: $status $output" || return 1
				output=$out
				res=before
				# an mdev removal that was written is completed, not undone
				if [[ $mode == forward ]] ||
					[[ $output == *"apctl: 'remove mdev "*"' was begun and cannot be undone: completing the change instead"* ]]; then
					res=after
				fi
				expect_snap_all "$res" || fail "step $k $point $mode" || return 1
				echo "# matrix: $* | step $k/$n (${OPS[k]}) | $point | repair $mode -> detected, state = $res" >&3
				if [[ $res == after ]]; then
					$inverse
					restore_files
					expect_snap_all before || return 1
				fi
			done
		done
	done
}

# the files below etc as they were before (an inverse command may write a
# udev rule where there was none)
save_files() {
	tar -C "$APSIM_ROOT" -cf "$BATS_TEST_TMPDIR/etc.tar" etc
}

restore_files() {
	rm -rf "$APSIM_ROOT/etc"
	tar -C "$APSIM_ROOT" -xf "$BATS_TEST_TMPDIR/etc.tar"
}

