#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Damaged and unusual files below the root (issues 14 and 18): a change is
# never made while a file it is checked against cannot be read; the way out
# (--ignore-definition, mdev remove --undefine of the broken file) works; a
# value apctl does not understand is refused, not rewritten.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
	D=$APSIM_ROOT/etc/mdevctl.d/matrix
	mkdir -p "$D"
}

teardown() {
	sim_stop
}

# the refusal of a change for an unreadable definition of mdev $1
refusal() {
	printf "apctl: refused: a change is checked against every mdevctl definition, and %s cannot be used; nothing was written. Repair the file, delete it with 'apctl mdev remove --undefine %s', or leave it out with --ignore-definition %s" \
		"$D/$1" "$1" "$1"
}

@test "a malformed definition refuses every change (exit 10), naming the file; nothing written" {
	local -a texts=(
		'{"mdev_type": "vfio_ap-passthrough", "start": "manual", "attrs": {"assign_domain": "0xab"}}'
		'{"mdev_type": "vfio_ap-passthrough", "start": "manual", "attrs": [{"assign_domain": 171}]}'
		'{"mdev_type": "vfio_ap-passthrough", "start": "manual", "attrs": []} x'
		''
	)
	local -a whys=(
		'"attrs" is not a list'
		'attribute 1 (assign_domain): the value is not a string'
		'malformed JSON: unexpected character'
		'malformed JSON: unexpected end of file'
	)
	local i

	"$APCTL" reserve 5
	for i in "${!texts[@]}"; do
		printf '%s' "${texts[$i]}" >"$D/$U2"
		snap before
		run "$APCTL" mdev create -y -u "$U1" -a 5 -d 0xab --define
		expect_eq "10" "$status" "exit status (case $i)"
		expect_eq "apctl: $D/$U2: ${whys[$i]}
$(refusal "$U2")" "$output"
		expect_snap before
		expect_no_events
		# reserve writes no definition, yet is checked against them too
		run "$APCTL" reserve -y 6
		expect_eq "10" "$status"
		expect_snap before
	done
	# --json: the same refusal as a document
	run --separate-stderr "$APCTL" mdev create -y -u "$U1" -a 5 -d 0xab --json
	expect_eq "10" "$status"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/doc.json"
	expect_schema "$BATS_TEST_TMPDIR/doc.json"
	run jq -r '.status + " " + (.exit_code | tostring) + " " + ([.problems[].kind] | join(","))' <<<"$output"
	expect_eq "error 10 unreadable,unreadable" "$output"
}

@test "--ignore-definition leaves a named unreadable definition out, and says so" {
	"$APCTL" reserve 5
	printf '{"mdev_type": "vfio_ap-passthrough"' >"$D/$U2"
	run "$APCTL" mdev create -y -u "$U1" -a 5 -d 0xab --define --ignore-definition "$U2"
	expect_eq "0" "$status"
	expect_eq "apctl: warning: $D/$U2: malformed JSON: unexpected end of file
apctl: warning: $D/$U2 is left out of the check (--ignore-definition): the change is checked as if it did not exist
$U1" "$output"
	expect_r "$MATRIX/$U1/matrix" '05.00ab\n'
	expect_r "$D/$U2" '{"mdev_type": "vfio_ap-passthrough"'
	# as a path (either case of the UUID); another UUID does not help
	run "$APCTL" mdev remove -y "$U1" --ignore-definition "/etc/mdevctl.d/matrix/${U2^^}"
	expect_eq "0" "$status"
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 0xab --ignore-definition "$U2"
	snap before
	run "$APCTL" mdev remove -y "$U1" --ignore-definition "$U3"
	expect_eq "10" "$status"
	expect_eq "apctl: $D/$U2: malformed JSON: unexpected end of file
$(refusal "$U2")" "$output"
	expect_snap before
}

@test "--ignore-definition: an argument that names no definition file is a usage error" {
	local a

	for a in 5 ../x /etc/passwd "/tmp/matrix/$U1" "x/mdevctl.d/matrix/../$U1"; do
		run "$APCTL" reserve -y 5 --ignore-definition "$a"
		expect_eq "2" "$status" "exit status for '$a'"
		expect_eq "apctl: --ignore-definition: '$a' is neither an mdev UUID nor a file /etc/mdevctl.d/matrix/<UUID>
Try 'apctl reserve --help' for more information." "$output"
	done
	run "$APCTL" reserve --help
	[[ $output == *"--ignore-definition <uuid|file>"* ]]
}

@test "mdev remove --undefine deletes a definition apctl cannot read: shown, confirmed, removed" {
	printf '\x01\xff{"start": "auto",\n"x": "\\"}' >"$D/$U2"
	snap before
	run "$APCTL" mdev remove --undefine "$U2" </dev/null
	expect_eq "2" "$status"	# issue 19: confirmation needed without a terminal is a command-line matter
	expect_eq "apctl: warning: $D/$U2: malformed JSON: unexpected character
apctl: warning: the definition $D/$U2 is deleted as it is: 29 bytes, \"\\x01\\xff{\"start\": \"auto\",\\x0a\"x\": \"\\\\\"}\"
apctl: this change needs confirmation and there is no terminal to ask: add --yes; nothing was written (the question: delete the definition shown above, which apctl cannot read?)" "$output"
	expect_snap before
	run --separate-stderr "$APCTL" mdev remove --undefine "$U2" --dry-run
	expect_eq "0" "$status"
	expect_eq "mdev remove: 1 step (dry run: nothing is written)
  1. delete its unreadable mdevctl definition as it is
     delete $D/$U2
     undo: write 29 bytes to $D/$U2 (atomic replace)" "$output"
	# without --undefine: refused like any change, the way out is named
	run "$APCTL" mdev remove -y "$U2"
	expect_eq "10" "$status"
	expect_eq "apctl: $D/$U2: malformed JSON: unexpected character
$(refusal "$U2")" "$output"
	run "$APCTL" mdev remove -y "$U2" --ignore-definition "$U2"
	expect_eq "4" "$status"
	expect_eq "apctl: warning: $D/$U2: malformed JSON: unexpected character
apctl: warning: $D/$U2 is left out of the check (--ignore-definition): the change is checked as if it did not exist
apctl: mdev $U2 is not active; its mdevctl definition cannot be read: add --undefine to delete it as it is
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
	run "$APCTL" mdev remove -y --undefine "$U2"
	expect_eq "0" "$status"
	expect_eq "apctl: warning: $D/$U2: malformed JSON: unexpected character
apctl: warning: the definition $D/$U2 is deleted as it is: 29 bytes, \"\\x01\\xff{\"start\": \"auto\",\\x0a\"x\": \"\\\\\"}\"
apctl: mdev $U2 removed" "$output"
	expect_missing "$D/$U2"
	expect_no_events
}

@test "mdev remove --undefine of an active mdev with an empty definition: undone byte for byte when the removal fails" {
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4
	: >"$D/$U1"
	# another broken definition still refuses: only the one removed is exempt
	printf '[]' >"$D/$U2"
	run "$APCTL" mdev remove -y --undefine "$U1"
	expect_eq "10" "$status"
	expect_eq "apctl: warning: $D/$U1: malformed JSON: unexpected end of file
apctl: $D/$U2: the definition is not a JSON object
$(refusal "$U2")" "$output"
	rm "$D/$U2"
	snap before
	ctl fault add "devices/vfio_ap/matrix/$U1/remove" --errno EIO >/dev/null
	run "$APCTL" mdev remove -y --undefine "$U1"
	expect_eq "1" "$status"
	expect_eq "apctl: warning: $D/$U1: malformed JSON: unexpected end of file
apctl: warning: the definition $D/$U1 is deleted as it is: 0 bytes, \"\"
apctl: cannot remove mdev $U1: Input/output error (EIO)
apctl: the 1 step done before was undone; nothing was changed" "$output"
	ctl fault clear >/dev/null
	expect_snap before
	[ -f "$D/$U1" ] && [ ! -s "$D/$U1" ]
	run "$APCTL" mdev remove -y --undefine "$U1"
	expect_eq "0" "$status"
	expect_missing "$D/$U1" "$MATRIX/$U1"
}

@test "\"start\": \"AUTO\" is refused, not rewritten: the file and the key are named" {
	"$APCTL" reserve 5
	"$APCTL" mdev create -u "$U1" -a 5 -d 4 --define
	sed -i 's/"manual"/"AUTO"/' "$D/$U1"
	snap before
	run "$APCTL" mdev modify -y -p "$U1" --add-domains 0xab
	expect_eq "10" "$status"
	expect_eq "apctl: $D/$U1: \"start\" is \"AUTO\", neither \"auto\" nor \"manual\" (mdevctl would take it as manual): write one of the two
$(refusal "$U1")" "$output"
	expect_snap before
	run "$APCTL" check
	expect_eq "10" "$status"
	[[ $output == *"$D/$U1: \"start\" is \"AUTO\", neither"* ]]
}

@test "a symlinked definition directory is refused when a definition is written" {
	mkdir -p "$APSIM_ROOT/elsewhere"
	rmdir "$D"
	ln -s ../../elsewhere "$D"
	"$APCTL" reserve 5
	snap before
	run "$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --define
	expect_eq "10" "$status"
	expect_eq "apctl: $D is a symbolic link: apctl writes no mdevctl definition through a link (a link can lead anywhere, also where the lock does not protect); replace it by a directory; nothing was written" "$output"
	expect_snap before
	expect_no_events
	run ls -A "$APSIM_ROOT/elsewhere"
	expect_eq "" "$output"
	# a change that writes no definition is not concerned
	run "$APCTL" mdev create -y -u "$U1" -a 5 -d 4
	expect_eq "0" "$status"
}

@test "warnings: duplicate keys, \"attrs\": null, names that are not lowercase UUIDs" {
	local lo=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee up=AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE

	printf '{"mdev_type": "vfio_ap-passthrough", "start": "manual", "attrs": [], "start": "auto"}' >"$D/$U1"
	printf '{"mdev_type": "vfio_ap-passthrough", "start": "manual", "attrs": null}' >"$D/$up"
	printf 'x' >"$D/notes.txt"
	printf 'x' >"$D/.$U3.swp"
	run "$APCTL" check
	expect_eq "0" "$status"
	expect_eq "apctl: warning: $D/$U1: the key \"start\" appears twice in one object: mdevctl and apctl both use the last value
apctl: warning: $D/$up: the name is not a lowercase UUID: apctl reads it as mdev $lo, but mdevctl looks definitions up by the lowercase name and will not start, modify or undefine mdev $lo from this file; rename it to $lo
apctl: warning: $D/$up: \"attrs\" is null: mdevctl and apctl take it as no attributes (an mdev without adapters or domains)
apctl: warning: $D/notes.txt: the name is not a UUID: apctl ignores this file, as mdevctl does
no problems found" "$output"
}

@test "a sysfs mask the kernel cannot print (short, upper case) is malformed: show exits 10, a change is refused" {
	local t=$BATS_TEST_TMPDIR/copy

	# apsim prints masks as the kernel does; the damaged value needs a copy
	# of its tree (read only: the change below is a dry run)
	mkdir -p "$t"
	cp -a "$S" "$t/sys" 2>/dev/null || true	# write-only files cannot be read
	[ -f "$t/sys/bus/ap/aqmask" ]
	printf '0xff\n' >"$t/sys/bus/ap/apmask"
	SYSFS_ROOT=$t/sys run "$APCTL" show cards
	expect_eq "10" "$status"
	[[ $output == "apctl: warning: $t/sys/bus/ap/apmask: unexpected content \"0xff\\x0a\" (the kernel prints 0x, 64 lowercase hex digits and a newline)"* ]]
	SYSFS_ROOT=$t/sys run "$APCTL" reserve 5 --dry-run
	expect_eq "10" "$status"
	expect_eq "apctl: $t/sys/bus/ap/apmask: unexpected content \"0xff\\x0a\" (the kernel prints 0x, 64 lowercase hex digits and a newline)
apctl: refused: a change is checked against $t/sys/bus/ap/apmask, which cannot be read or understood; nothing was written. Repair the file, or move it away" "$output"
	printf '0X%064x\n' 0 >"$t/sys/bus/ap/apmask"
	SYSFS_ROOT=$t/sys run "$APCTL" reserve 5 --dry-run
	expect_eq "10" "$status"
}

@test "0X5: the uppercase hex prefix is in the id-list grammar of the help and the man page, and means 5" {
	run "$APCTL" reserve --help
	[[ $output == *"Lists: decimal or 0x (or 0X) hex ids, ranges a-b, commas, 'all'"* ]]
	run grep -F 'number := "0" | [1\-9][0\-9]* | ("0x" | "0X") hexdigits' "$top_srcdir/man/apctl.8"
	expect_eq 0 "$status"
	run --separate-stderr "$APCTL" reserve 0X5 --dry-run --json
	expect_eq 0 "$status"
	run jq -r '.steps[0].do.value' <<<"$output"
	expect_eq "-5" "$output"
}
