#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Bytes apctl did not produce are shown one way everywhere (issue 18,
# item 6): printable ASCII as it is, every other byte (control characters,
# invalid UTF-8, and valid UTF-8 too) as \xNN, in text and in JSON alike.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load show-lib

setup() {
	sim_start doc-example 7.2
	DEFS=$APSIM_ROOT/etc/mdevctl.d/matrix
}

teardown() {
	sim_stop
}

# stdout of the last apctl is UTF-8 JSON and holds no control character
clean_json() {
	python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")          # raises on invalid UTF-8
bad = [c for c in text if ord(c) < 0x20 and c not in "\n" or 0x7f <= ord(c) < 0xa0]
if bad:
	sys.exit("control characters in the JSON text: %r" % bad)
json.loads(text)' "$BATS_TEST_TMPDIR/apctl.out"
}

@test "escape: invalid UTF-8 and control characters from definitions, in text and JSON" {
	printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "manual",\n  "attrs": [{"assign_adapter": "5\xff\x1b[31m"}, {"assign_domain": "4"}]\n}' \
		>"$DEFS/$U4"
	printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "manual",\n  "attrs": [{"\xc3\x28\x07": "1"}, {"assign_dom\xc3\xa9": "4"}]\n}' \
		>"$DEFS/$U3"
	printf '{\n  "mdev_type": "\\u001b[2J\xe2\x80\xae",\n  "start": "manual"\n}' >"$DEFS/$U2"
	local m2='"mdev_type" is "\x1b[2J\xe2\x80\xae", not "vfio_ap-passthrough"'
	local m3a='attribute 1: unknown attribute "\xc3(\x07" ignored (mdevctl would write it to the device)'
	local m3b='attribute 2: unknown attribute "assign_dom\xc3\xa9" ignored (mdevctl would write it to the device)'
	local m4='attribute 1: assign_adapter value "5\xff\x1b[31m" is not a number the kernel accepts'
	apctl check
	expect_rc 10
	expect_err "apctl: warning: ROOT/etc/mdevctl.d/matrix/$U2: $m2
apctl: warning: ROOT/etc/mdevctl.d/matrix/$U3: $m3a
apctl: warning: ROOT/etc/mdevctl.d/matrix/$U3: $m3b
apctl: warning: ROOT/etc/mdevctl.d/matrix/$U4: $m4"
	apctl check --json
	expect_rc 10
	clean_json
	json_valid
	expect_eq "$m2
$m3a
$m3b
$m4" "$(printf '%s' "$out" | jq -r '.diagnostics[].message')"
}

@test "escape: sysfs content and the lock file are escaped the same way" {
	local F=$BATS_TEST_TMPDIR/sys e

	# a sysfs tree of links into apsim's, with one planted file
	mkdir -p "$F/bus/ap"
	for e in "$S"/*; do [[ ${e##*/} == bus ]] || ln -s "$e" "$F/"; done
	for e in "$S"/bus/*; do [[ ${e##*/} == ap ]] || ln -s "$e" "$F/bus/"; done
	for e in "$S"/bus/ap/*; do ln -s "$e" "$F/bus/ap/"; done
	rm "$F/bus/ap/ap_domain"
	printf '4\x1b]0;owned\x07\xff\n' >"$F/bus/ap/ap_domain"
	SYSFS_ROOT=$F apctl show --json
	expect_rc 10
	clean_json
	expect_eq 'unexpected content "4\x1b]0;owned\x07\xff\x0a"' \
		"$(printf '%s' "$out" | jq -r '.diagnostics[].message')"
	expect_eq "apctl: warning: $F/bus/ap/ap_domain: unexpected content \"4\\x1b]0;owned\\x07\\xff\\x0a\"" "${err%$'\n'}"

	# a lock file root made, with a terminal title sequence in it
	printf '\x1b]0;owned\x07\xc3\xa9\n' >"$APSIM_ROOT/run/lock/s390apconfig.lock"
	snap before
	run "$APCTL" reserve 5 --wait 0
	[ "$status" -eq 10 ]
	expect_eq "apctl: waiting up to 0 s for the AP configuration lock (its content '\\x1b]0;owned\\x07\\xc3\\xa9' is not a process id)
apctl: the AP configuration lock $APSIM_ROOT/run/lock/s390apconfig.lock holds '\\x1b]0;owned\\x07\\xc3\\xa9', which is not a process id; gave up after 0 s; remove the file if no tool is running" "$output"
	expect_snap before
}

@test "escape: a planted udev rule value and a command-line id list" {
	printf 'ACTION=="change", SUBSYSTEM=="ap", ATTR{../../bus/ap/apmask}="0x\xff\x1b[0m"\n' \
		>"$APSIM_ROOT/etc/udev/rules.d/41-ap.rules"
	apctl check
	expect_err "apctl: warning: ROOT/etc/udev/rules.d/41-ap.rules: line 1: apmask value \"0x\\xff\\x1b[0m\" is not a valid mask"
	snap before
	run "$APCTL" reserve $'5\x1b[2J\xff'
	[ "$status" -eq 2 ]
	expect_eq "apctl: warning: $APSIM_ROOT/etc/udev/rules.d/41-ap.rules: line 1: apmask value \"0x\\xff\\x1b[0m\" is not a valid mask
apctl: --adapters '5\\x1b[2J\\xff': unexpected character \\x1b at character 2" "$output"
	expect_snap before
}
