#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl repair and the change journal: the interrupted change of issue 9
# as a user meets it, repair's options, a repair that is killed itself,
# a system changed by hand since, journals that cannot be used (empty,
# truncated, planted with foreign paths, a symlink, a foreign version, a
# live foreign process), and a lost write (apsim --lost).

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load crash-lib

U7=77777777-7777-4777-8777-777777777777

# the issue's scenario: mdev create killed during its assign_domain writes
# (6.1), after the first domain was assigned
killed_create() {
	# live and at boot alike: a consistent host (no boot-audit warning)
	"$APCTL" reserve --active -p 5,6 >/dev/null
	"$APCTL" reserve --active -p -d 4,0xab >/dev/null
	snap_all before
	ctl fault add "devices/vfio_ap/matrix/$U7/assign_domain" --nth 2 --delay 3000 >/dev/null
	"$APCTL" mdev create --uuid "$U7" -a 5,6 -d 4,0xab --define >/dev/null 2>&1 3>&- &
	PID=$!
	_began 5
	sleep 0.2
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null || true
	KILLED=$PID
	PID=
	ctl fault clear >/dev/null
}

MSG_HEAD=
interrupted_msg() {
	printf "an earlier change was interrupted: 'apctl mdev create --uuid %s -a 5,6 -d 4,0xab --define' (process %s), %s of 6 steps done; run 'apctl repair' to undo it (or 'apctl repair --forward' to complete it)" "$U7" "$KILLED" "$1"
}

@test "repair: the interrupted mdev create of issue 9 is detected everywhere and undone" {
	start doc-example 6.1
	killed_create
	snap_all killed
	run "$APCTL" check
	[ "$status" -eq 7 ]
	expect_eq "apctl: $(interrupted_msg 4)
  error: $(interrupted_msg 4)
    step 1, done: create mdev $U7
    step 2, done: assign adapter 05 to mdev $U7
    step 3, done: assign adapter 06 to mdev $U7
    step 4, done: assign domain 0004 to mdev $U7
    step 5, in flight: assign domain 00ab to mdev $U7
    step 6, not done: define it for mdevctl, started on request
1 error, 0 warnings" "$output"
	run "$APCTL" show
	[ "$status" -eq 7 ]
	expect_eq "apctl: $(interrupted_msg 4)" "${lines[0]}"
	run --separate-stderr "$APCTL" mdev list
	expect_eq "apctl: $(interrupted_msg 4)" "$stderr"
	run --separate-stderr "$APCTL" check --json
	[ "$status" -eq 7 ]
	echo "$output" >"$BATS_TEST_TMPDIR/check.json"
	expect_schema "$BATS_TEST_TMPDIR/check.json" apctl.schema.json
	expect_eq "interrupted 6 in-flight" \
		"$(jq -r '[.change_journal.state, (.change_journal.steps | length), .change_journal.steps[4].state] | join(" ")' "$BATS_TEST_TMPDIR/check.json")"
	# another change is refused, nothing written (the stale lock stays too)
	run "$APCTL" mdev create -a 6 -d 0x47
	[ "$status" -eq 4 ]
	expect_eq "apctl: $(interrupted_msg 4); nothing was written" "${lines[0]}"
	expect_snap_all killed
	# the dry run writes nothing and says what it would do
	run --separate-stderr "$APCTL" repair --dry-run
	[ "$status" -eq 0 ]
	[[ $output == "remove mdev $U7 (write '1' to $S/devices/vfio_ap/matrix/$U7/remove)"* ]]
	expect_snap_all killed
	run --separate-stderr "$APCTL" repair --dry-run --json
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/repair.json"
	expect_schema "$BATS_TEST_TMPDIR/repair.json" apctl.schema.json
	expect_eq "undo 1" "$(jq -r '"\(.mode) \(.writes)"' "$BATS_TEST_TMPDIR/repair.json")"
	expect_snap_all killed
	run "$APCTL" repair -y
	[ "$status" -eq 0 ]
	expect_eq "apctl: repaired: the interrupted change 'apctl mdev create --uuid $U7 -a 5,6 -d 4,0xab --define' was undone" "${lines[-1]}"
	expect_snap_all before
	run "$APCTL" check
	[ "$status" -eq 0 ]
	expect_eq "no problems found" "$output"
}

@test "repair: without --yes and without a terminal it is refused, nothing written" {
	start doc-example 6.1
	killed_create
	snap_all killed
	run "$APCTL" repair </dev/null
	[ "$status" -eq 4 ]
	expect_eq "apctl: undo 'apctl mdev create --uuid $U7 -a 5,6 -d 4,0xab --define' (1 writes): not confirmed (no terminal): add --yes; nothing was written" "${lines[-1]}"
	expect_snap_all killed
}

@test "repair: --forward completes the interrupted change" {
	start doc-example 6.1
	killed_create
	run "$APCTL" repair --forward -y
	[ "$status" -eq 0 ]
	expect_eq "apctl: repaired: the interrupted change 'apctl mdev create --uuid $U7 -a 5,6 -d 4,0xab --define' was completed" "${lines[-1]}"
	expect_r "$MATRIX/$U7/matrix" '05.0004\n05.00ab\n06.0004\n06.00ab\n'
	expect_exists "$APSIM_ROOT/etc/mdevctl.d/matrix/$U7"
	expect_missing "$JOURNAL" "$LOCK"
}

@test "repair: killed itself, repair again converges" {
	start doc-example 6.1
	killed_create
	run env APCTL_DEBUG_CRASH=repair-step:0:written "$APCTL" repair -y
	[ "$status" -eq 137 ]
	run "$APCTL" check
	[ "$status" -eq 7 ]
	expect_eq "apctl: an earlier change was interrupted, and so was its repair: 'apctl mdev create --uuid $U7 -a 5,6 -d 4,0xab --define' (process $KILLED), 4 of 6 steps done; run 'apctl repair' again" "${lines[0]}"
	run "$APCTL" repair -y
	[ "$status" -eq 0 ]
	[[ $output == *"apctl: not in effect now (nothing to undo): create mdev $U7"* ]]
	expect_snap_all before
	run "$APCTL" repair -y
	[ "$status" -eq 0 ]
	expect_eq "apctl: nothing to repair: no change was interrupted" "$output"
}

@test "repair: the half-built mdev was removed by hand meanwhile: repair says so and only removes the journal" {
	start doc-example 6.1
	killed_create
	w "$MATRIX/$U7/remove" 1
	run "$APCTL" repair -y
	[ "$status" -eq 0 ]
	[[ $output == *"apctl: not in effect now (nothing to undo): create mdev $U7"* ]]
	[[ $output == *"apctl: repaired: the interrupted change 'apctl mdev create --uuid $U7 -a 5,6 -d 4,0xab --define' was undone" ]]
	expect_snap_all before
}

# a journal from a killed 'reserve 5,6' (one apmask write done)

# plant "$1" as the journal, then: check exits 10, a change exits 10,
# repair exits 10, all with the sentence $2, and nothing is written
expect_refused_journal() {
	local why=$1 msg
	msg="the change journal $JOURNAL $why"
	snap_all planted
	run "$APCTL" check
	[ "$status" -eq 10 ] || fail "check: $status $output" || return 1
	expect_eq "apctl: $msg; 'apctl repair --discard' shows and removes it" "${lines[0]}" || return 1
	run "$APCTL" reserve 0x0b
	[ "$status" -eq 10 ] || fail "reserve: $status $output" || return 1
	expect_eq "apctl: $msg; 'apctl repair --discard' shows and removes it; nothing was written" "$output" || return 1
	run "$APCTL" repair -y
	[ "$status" -eq 10 ] || fail "repair: $status $output" || return 1
	expect_eq "apctl: $msg; nothing was written; 'apctl repair --discard' shows and removes it" "$output" || return 1
	expect_snap_all planted
}

plant() {
	mkdir -p "$APSIM_ROOT/run/apctl"
	printf '%s' "$1" >"$JOURNAL"
}

# a real journal's header with a jq edit applied
plant_edited() {
	rm -f "$JOURNAL"
	APCTL_DEBUG_CRASH=step:0:done "$APCTL" reserve 5,6 >/dev/null 2>&1 || true
	[ -f "$JOURNAL" ] || fail "no journal" || return 1
	head -n 1 "$JOURNAL" >"$BATS_TEST_TMPDIR/h"
	"$APCTL" repair -y >/dev/null 2>&1
	jq -c "$1" "$BATS_TEST_TMPDIR/h" >"$BATS_TEST_TMPDIR/h2" || return 1
	mkdir -p "$APSIM_ROOT/run/apctl"
	cp "$BATS_TEST_TMPDIR/h2" "$JOURNAL"
}

@test "journal: empty" {
	start doc-example 7.2
	plant ""
	expect_refused_journal "is malformed: it is empty"
}

@test "journal: truncated JSON" {
	start doc-example 7.2
	plant_edited .
	head -c 200 "$JOURNAL" >"$BATS_TEST_TMPDIR/t"
	printf '\n' >>"$BATS_TEST_TMPDIR/t"
	cp "$BATS_TEST_TMPDIR/t" "$JOURNAL"
	expect_refused_journal "is malformed: line 1: its first line is not valid JSON (truncated or corrupt)"
	head -c 150 "$BATS_TEST_TMPDIR/h2" >"$JOURNAL"
	expect_refused_journal "is malformed: it is truncated (its last line is incomplete)"
}

@test "journal: a step writing outside the sysfs and etc trees is refused; nothing is written there" {
	start doc-example 7.2
	plant_edited '.undo[0].path = "../../../tmp/apctl-planted" | .steps[0].path = "../../../tmp/apctl-planted"'
	expect_refused_journal "is not apctl's: step 1: it is not a write apctl makes (its path, value or read-back do not match what apctl would plan)"
	expect_missing /tmp/apctl-planted
	# a definition path of another name
	plant_edited '.steps[0] |= (.kind = "define-mdev" | .path = "etc/passwd" | .uuid = "11111111-1111-4111-8111-111111111111" | .verify.kind = "none")'
	expect_refused_journal "is not apctl's: step 1: it is not a write apctl makes (its path, value or read-back do not match what apctl would plan)"
	# a value that is not what the read-back names
	plant_edited '.undo[0].data = "+0-255"'
	expect_refused_journal "is not apctl's: step 1: it is not a write apctl makes (its path, value or read-back do not match what apctl would plan)"
	# a saved file no step writes
	plant_edited '.files = [{"path": "etc/shadow", "existed": true, "content": "x"}]'
	expect_refused_journal "is not apctl's: it saves a file that no step of it changes"
	# control characters for the terminal
	plant_edited '.steps[0].what = "x\u001b[2Jy"'
	expect_refused_journal "is not apctl's: step 1: a text of it holds control characters"
}

@test "journal: a foreign version" {
	start doc-example 7.2
	plant_edited '.apctl_journal = 2'
	expect_refused_journal "is malformed: line 1: its format version is not one this apctl knows (it knows version 1)"
}

@test "journal: a symlink in place of the journal" {
	start doc-example 7.2
	mkdir -p "$APSIM_ROOT/run/apctl"
	echo secret >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$JOURNAL"
	expect_refused_journal "is a symbolic link, not a file apctl wrote"
	# --discard removes the link, not its target
	run "$APCTL" repair --discard -y
	[ "$status" -eq 0 ]
	expect_missing "$JOURNAL"
	expect_eq secret "$(cat "$BATS_TEST_TMPDIR/target")"
}

@test "journal: --discard shows a malformed journal and removes it" {
	start doc-example 7.2
	plant "garbage"
	run --separate-stderr "$APCTL" repair --discard --dry-run
	[ "$status" -eq 0 ]
	expect_eq "apctl: the journal $JOURNAL holds:
garbage" "$stderr"
	expect_exists "$JOURNAL"
	run "$APCTL" repair --discard -y
	[ "$status" -eq 0 ]
	expect_eq "apctl: the journal $JOURNAL holds:
garbage
apctl: removed the journal $JOURNAL; nothing else was changed" "$output"
	expect_missing "$JOURNAL"
	run "$APCTL" check
	[ "$status" -eq 0 ]
}

@test "journal: a live foreign process is a change in progress; nothing is written" {
	start doc-example 7.2
	sleep 60 &
	PID=$!
	local start
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$PID/stat")
	plant_edited ".pid = $PID | .start = $start"
	snap_all planted
	run "$APCTL" check
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: a change is in progress: 'apctl reserve 5,6' (process $PID), 0 of 1 steps done" "${lines[0]}"
	run "$APCTL" reserve 0x0b
	[ "$status" -eq 4 ]
	expect_eq "apctl: the change journal $JOURNAL belongs to process $PID, which is running but does not hold the AP configuration lock; refusing to change anything beside it; nothing was written" "$output"
	run "$APCTL" repair -y
	[ "$status" -eq 4 ]
	expect_eq "apctl: a change is in progress: 'apctl reserve 5,6' (process $PID), 0 of 1 steps done; it is not interrupted, nothing to repair (journal $JOURNAL)" "$output"
	expect_snap_all planted
	# a line the running owner is appending, seen half written: still in progress
	printf '{"step":0,"ev' >>"$JOURNAL"
	run "$APCTL" check
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: a change is in progress: 'apctl reserve 5,6' (process $PID), 0 of 1 steps done" "${lines[0]}"
	# the same half line from an owner that is gone: truncated
	kill "$PID"
	wait "$PID" || true
	PID=
	run "$APCTL" check
	[ "$status" -eq 10 ]
	expect_eq "apctl: the change journal $JOURNAL is malformed: it is truncated (its last line is incomplete); 'apctl repair --discard' shows and removes it" "${lines[0]}"
	sleep 60 &
	PID=$!
	# a reused PID (another start time) is not the owner
	plant_edited ".pid = $PID | .start = 1"
	run "$APCTL" check
	[ "$status" -eq 7 ]
}

@test "lost write: the kernel acknowledges an apmask write but does not apply it: undone, exit 1" {
	start doc-example 7.2
	"$APCTL" reserve 5 >/dev/null
	snap_all before
	ctl fault add bus/ap/aqmask --lost >/dev/null
	run "$APCTL" reserve -a 6 -d 0x47
	[ "$status" -eq 1 ]
	expect_eq "apctl: cannot reserve domains 0047 for vfio_ap (aqmask): the write succeeded but reading $AP/aqmask back does not show the change
apctl: the 1 step done before was undone; nothing was changed" "$output"
	ctl fault clear >/dev/null
	expect_snap_all before
	expect_missing "$JOURNAL"
}

@test "repair --forward validates the end state: a conflict made by hand meanwhile is refused, nothing written" {
	start doc-example 6.1
	"$APCTL" reserve 5,6 >/dev/null
	"$APCTL" reserve -d 4,0xab >/dev/null
	run env APCTL_DEBUG_CRASH=step:3:done "$APCTL" mdev create --uuid "$U7" -a 5,6 -d 4,0xab --define
	[ "$status" -eq 137 ]
	# meanwhile, by hand: another mdev takes APQN 06.00ab
	w "$TYPE/create" "$U2"
	w "$MATRIX/$U2/assign_adapter" 0x6
	w "$MATRIX/$U2/assign_domain" 0xab
	snap_all mine
	run "$APCTL" repair --forward -y
	[ "$status" -eq 4 ]
	[[ ${lines[-2]} == "apctl: completing the change would create a conflict: "*"06.00ab"* ]] ||
		fail "${lines[-2]}"
	expect_eq "apctl: cannot complete the change; 'apctl repair' without --forward undoes it" "${lines[-1]}"
	expect_snap_all mine
	# undoing it is still possible
	run "$APCTL" repair -y
	[ "$status" -eq 0 ]
	expect_r "$MATRIX/$U2/matrix" '06.00ab\n'
	expect_missing "$MATRIX/$U7" "$JOURNAL"
}

@test "repair: a user without root sees the interrupted change too (the journal is readable)" {
	start doc-example 6.1
	killed_create
	chmod 755 "$APSIM_ROOT"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$APCTL" check
	[ "$status" -eq 7 ]
	expect_eq "apctl: $(interrupted_msg 4)" "${lines[0]}"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$APCTL" repair -y
	[ "$status" -eq 9 ]
	expect_eq "apctl: repair changes the system and needs root privileges (--dry-run shows the plan without them)" "$output"
}
