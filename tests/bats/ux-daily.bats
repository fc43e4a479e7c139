#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl as an s390 administrator meets it every day (issue 19): hints that
# lead to the right id, one message per conflict, a pending removal as its
# own outcome, one exit code per condition, and --json on every exit path.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
}

teardown() {
	sim_stop
}

# ------------------------------------------------------------- 1: ids

@test "ids with a leading zero: the lszcrypt (hex) reading first, nothing written" {
	snap before
	run "$APCTL" reserve --dry-run -d 0047
	[ "$status" -eq 2 ]
	expect_eq "apctl: --domains '0047': 0047 is ambiguous: as lszcrypt prints ids it is 0x47 (71), write 0x47 for that; if you mean decimal 47, write 47 (the kernel would read 0047 as octal 39)" "$output"
	run "$APCTL" reserve -d 00ab
	[ "$status" -eq 2 ]
	expect_eq "apctl: --domains '00ab': 00ab is written as lszcrypt prints ids, in hex: write 0xab (or 171)" "$output"
	run "$APCTL" reserve -a 010
	[ "$status" -eq 2 ]
	expect_eq "apctl: --adapters '010': 010 is ambiguous: as lszcrypt prints ids it is 0x10 (16), write 0x10 for that; if you mean decimal 10, write 10 (the kernel would read 010 as octal 8)" "$output"
	expect_snap before
	# following the hint reserves the domain lszcrypt showed as 0047
	run "$APCTL" reserve -d 0x47
	[ "$status" -eq 0 ]
	expect_eq "apctl: domains 0047 reserved for vfio_ap" "$output"
	# readings that agree are taken
	run "$APCTL" reserve -a 05
	[ "$status" -eq 0 ]
	expect_eq "apctl: adapters 05 reserved for vfio_ap" "$output"
}

# ------------------------------------------------- 2: one conflict, one message

three_guests() {
	"$APCTL" reserve -a 5,6 -d 4,0x47,0xab,0xff >/dev/null
	"$APCTL" reserve --persistent -a 5,6 -d 4,0x47,0xab,0xff >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5,6 -d 4 "$1" >/dev/null
	"$APCTL" mdev create -u "$U2" -a 5 -d 0x47 >/dev/null
	"$APCTL" mdev create -u "$U3" -a 6 -d 0x47 >/dev/null
}

@test "mdev modify of an active and defined mdev: each conflict once, no warning from the definition's side" {
	local s
	for s in --define --autostart; do
		three_guests "$s"
		snap before
		run "$APCTL" mdev modify "$U1" --add-domains 0x47
		[ "$status" -eq 4 ]
		expect_eq "apctl: cannot assign APQN 05.0047 to mdev $U1: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: cannot assign APQN 06.0047 to mdev $U1: it is already assigned to mdev $U3 (active); an APQN may belong to one guest only
apctl: refused (2 problems); nothing was written" "$output"
		expect_snap before
		"$APCTL" mdev remove -y "$U1" --undefine >/dev/null
		"$APCTL" mdev remove -y "$U2" >/dev/null
		"$APCTL" mdev remove -y "$U3" >/dev/null
	done
}

@test "mdev create without --uuid: a refusal speaks of the new mdev, not of a made-up UUID" {
	three_guests --define
	snap before
	run "$APCTL" mdev create -a 5 -d 0x47
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0047 to the new mdev: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	# with --uuid the UUID given is named
	run "$APCTL" mdev create -u "$U4" -a 5 -d 0x47
	[ "$status" -eq 4 ]
	expect_eq "apctl: cannot assign APQN 05.0047 to mdev $U4: it is already assigned to mdev $U2 (active); an APQN may belong to one guest only
apctl: refused (1 problem); nothing was written" "$output"
}

@test "mdev create with an adapter missing from the LPAR: the root cause first" {
	snap before
	run "$APCTL" mdev create -a 7 -d 0xff
	[ "$status" -eq 4 ]
	expect_eq "apctl: warning: the new mdev (active): adapters 07 not in the host's AP configuration; the guest gets them only once they are configured to this LPAR
apctl: the new mdev (active) holds APQNs 07.00ff that the live masks give to the host; reserve them for vfio_ap (apctl reserve) or remove them from the mdev (apctl mdev modify)
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
}

# ------------------------------------------------ 3: a pending removal

@test "mdev remove --force with the guest attached: removal pending, exit 11, shown by every view" {
	"$APCTL" reserve -a 5,6 -d 4,0x47 >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define >/dev/null
	ctl attach "$U1"
	run --separate-stderr "$APCTL" mdev remove "$U1" --force -y -t 1 --json
	[ "$status" -eq 11 ]
	[[ $stderr != *"Nothing else is left to repair"* ]]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rm.json"
	expect_schema "$BATS_TEST_TMPDIR/rm.json"
	expect_eq "pending 11" "$(jq -r '"\(.status) \(.exit_code)"' "$BATS_TEST_TMPDIR/rm.json")"

	run "$APCTL" mdev list -o UUID,NOTE
	[ "$status" -eq 0 ]
	expect_eq "UUID                                 NOTE
$U1 removal pending: the guest still holds the device" "$output"
	run "$APCTL" show matrix
	[[ $output == *"  1    $U1  both, guest attached, removal pending"* ]] || fail "$output"
	run "$APCTL" check
	[ "$status" -eq 8 ]
	[[ $output == *"warning: mdev $U1: removal pending: the guest still holds the device; the kernel completes the removal when the guest releases it"* ]] || fail "$output"
	expect_eq true "$("$APCTL" show --json | jq ".mdevs[] | select(.uuid == \"$U1\") | .remove_pending")"
	# a second remove says so instead of blocking again
	snap before
	run "$APCTL" mdev remove "$U1" --force -y
	[ "$status" -eq 11 ]
	expect_eq "apctl: removal pending: mdev $U1 is being removed already; the kernel completes it when the guest releases the device" "$output"
	expect_snap before
	# once the guest lets go the removal completes and the views forget it
	ctl detach "$U1"
	wait_for "the pending removal" test ! -e "$MATRIX/$U1"
	run "$APCTL" mdev list -o UUID,ACTIVE,NOTE
	expect_eq "UUID                                 ACTIVE NOTE
$U1 no     -" "$output"
}

# ------------------------------------- 5: one condition, one exit code, --json

# doc_check SCHEMA-FILE: $out is one document valid against it
doc_check() {
	printf '%s' "$out" | schema_check "$1"
}

# provoke CODE ENV-PREFIX COMMAND...: the exit status is CODE, and with
# --json stdout is one schema-valid document that says CODE
provoke() {
	local code=$1 envs=$2 schema rc=0
	shift 2
	out=$(env $envs "$APCTL" "$@" 2>"$BATS_TEST_TMPDIR/err" </dev/null) || rc=$?
	[[ $rc == "$code" ]] || fail "apctl $*: exit $rc, expected $code; $(cat "$BATS_TEST_TMPDIR/err")" || return 1
	[[ " $* " == *" --json "* ]] || return 0
	case $1 in
	reserve | release | apply) schema=apctl-change ;;
	mdev) [[ $2 == list ]] && schema=apctl || schema=apctl-change ;;
	*) schema=apctl ;;
	esac
	doc_check "$top_srcdir/schema/$schema.schema.json" ||
		fail "apctl $*: not a valid $schema document: $out" || return 1
	# a view's own document (check's findings) has no exit_code; an error document has
	[[ $code == 0 || $(jq -r .error <<<"$out") == null && $1 == check ]] && return 0
	expect_eq "$code" "$(jq -r .exit_code <<<"$out")" "exit_code of apctl $*"
	# a failed change names its cause in problems[] too, whatever stopped it
	[[ $schema == apctl-change ]] || return 0
	jq -e '[.problems[] | select(.severity == "error")] | length > 0' <<<"$out" >/dev/null ||
		fail "apctl $*: no error in problems[]: $out"
}

@test "exit codes: each condition gives one code in every command, with a valid --json document" {
	local c none=$BATS_TEST_TMPDIR/none lock=$APSIM_ROOT/run/lock/s390apconfig.lock holder
	mkdir -p "$none/sys"
	"$APCTL" reserve -a 5,6 -d 4,0x47 >/dev/null
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 >/dev/null
	"$APCTL" mdev create -u "$U2" -a 6 -d 4,0x47 >/dev/null

	# 2: a wrong command line, an mdev that does not exist, --yes missing without a terminal
	for c in "show --bogus --json" "show cards --json -o CARD" "check --bogus --json" \
		"mdev list --bogus --json" "reserve --bogus --json" "mdev create --json" \
		"apply --json" "apply --bogus --json" \
		"show mdev $U4 --json" "mdev modify $U4 --add-domains 4 --json" \
		"mdev remove $U4 --json"; do
		# shellcheck disable=SC2086
		provoke 2 "" $c || return 1
	done
	run "$APCTL" mdev remove "$U4"
	expect_eq "apctl: no mdev $U4: it is neither active nor defined (see 'apctl mdev list')" "$output"
	ctl attach "$U2"
	snap before
	provoke 2 "" mdev modify "$U2" --remove-domains 0x47 --json
	expect_snap before
	expect_eq "usage confirm" "$(jq -r '"\(.status) \(.problems[] | select(.severity == "error") | .kind)"' <<<"$out")"
	# 3: no AP bus
	for c in "show --json" "show cards --json" "check --json" "mdev list --json" \
		"reserve 5 --json" "mdev remove $U1 --json"; do
		# shellcheck disable=SC2086
		provoke 3 "SYSFS_ROOT=$none/sys" $c || return 1
	done
	# 4: a conflict
	provoke 4 "" mdev create -u "$U3" -a 6 -d 0x47 --json
	provoke 4 "" release -d 4 --json
	# 5: the lock is held; 10: the lock file is malformed
	sleep 1000 &
	holder=$!
	printf '%d\n' "$holder" >"$lock"
	provoke 5 "" reserve -a 7 --wait 0 --json
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	printf 'garbage\n' >"$lock"
	provoke 10 "" reserve -a 7 --wait 0 --json
	rm -f "$lock"
	# 8: check finds only warnings (the live masks are lost at the next boot)
	provoke 8 "" check --json
	ctl detach "$U2"
}

@test "exit codes: permission denied is 9 (root is needed) in every command, not 'malformed' or 'no AP bus'" {
	local d=$BATS_TEST_TMPDIR/denied c
	[[ $(id -u) == 0 ]] || skip "needs root to drop privileges"
	command -v setpriv >/dev/null || skip "no setpriv"
	mkdir -p "$d/sys/bus/ap" "$d/sys/devices"
	chmod 755 "$BATS_TEST_TMPDIR" "$d" "$d/sys"
	chmod 700 "$d/sys/bus"
	for c in "show" "show cards" "check" "mdev list" "reserve --dry-run 5"; do
		# shellcheck disable=SC2086
		run -9 env SYSFS_ROOT="$d/sys" APCTL_ROOT="$d" setpriv --reuid=65534 --regid=65534 \
			--clear-groups "$APCTL" $c
		[[ $output == *"apctl: cannot read the AP configuration in $d/sys: permission denied; run apctl as root" ]] ||
			fail "apctl $c: $output" || return 1
	done
	run -9 env SYSFS_ROOT="$d/sys" APCTL_ROOT="$d" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$APCTL" check --json
	expect_eq "check permission 9" "$(sed -n '/^{/,/^}/p' <<<"$output" | jq -r '"\(.view) \(.status) \(.exit_code)"')"
}

# ------------------------------------ 4: global options after the command

@test "global options after the command: -q, -V and --root as lszcrypt users write them" {
	run "$APCTL" reserve -q 5
	[ "$status" -eq 0 ]
	expect_eq "" "$output"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
	# -V: every file read, every write with its value
	run --separate-stderr "$APCTL" show cards -V
	[ "$status" -eq 0 ]
	[[ $stderr == *"apctl: list $S/bus/ap"* && $stderr == *"apctl: read $S/bus/ap/apmask"* ]] ||
		fail "no reads: $stderr"
	run --separate-stderr "$APCTL" reserve -d 0x47 -V
	[ "$status" -eq 0 ]
	[[ $stderr == *"apctl: write \"-71\" to $S/bus/ap/aqmask"* ]] || fail "no write: $stderr"
	[[ $stderr == *"apctl: read $S/bus/ap/aqmask"* ]] || fail "no read-back: $stderr"
	# --root after the command
	run env -u APCTL_ROOT "$APCTL" mdev list --root "$APSIM_ROOT" -o UUID
	[ "$status" -eq 0 ]
	run "$APCTL" show --root
	[ "$status" -eq 2 ]
	expect_eq "apctl: option '--root' requires an argument
Try 'apctl --help' for more information." "$output"
}

# ------------------------------------------------- 8: smaller things

@test "mdev: a typo gets 'did you mean'; no mdevs is said, not an empty answer" {
	run "$APCTL" mdev lst
	[ "$status" -eq 2 ]
	expect_eq "apctl: unknown mdev command 'lst'; did you mean 'list'?
Try 'apctl mdev --help' for more information." "$output"
	run --separate-stderr "$APCTL" mdev list
	[ "$status" -eq 0 ]
	expect_eq "" "$output"
	expect_eq "apctl: no mdevs: none is active and none is defined for mdevctl" "$stderr"
	run --separate-stderr "$APCTL" show mdevs
	[ "$status" -eq 0 ]
	expect_eq "apctl: no mdevs: none is active and none is defined for mdevctl" "$stderr"
	run "$APCTL" mdev list -q
	expect_eq "" "$output"
}
