#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl check on the documentation's host: exit 0 only when nothing is wrong;
# every problem names the parties and the way out; JSON valid against the schema.

load helpers
load show-lib

setup() {
	sim_start doc-example 7.2
	three_guests
	boot_5_6
}

teardown() {
	sim_stop
}

check_json() {
	apctl check --json
	expect_rc "$1"
	json_valid
}

@test "three guests: nothing is wrong" {
	apctl check
	expect_rc 0
	expect_eq $'no problems found\n' "$out"
	expect_err ""
	check_json 0
	expect_eq '[0,0,[]]' "$(jqo '[.errors, .warnings, .problems]')"
}

@test "nothing reserved, no mdevs: nothing is wrong" {
	rm "$APCTL_ROOT/etc/udev/rules.d/41-ap.rules"
	for u in "$U1" "$U2" "$U3"; do expect_w "$MATRIX/$u/remove" 1 OK; done
	expect_w bus/ap/apmask "+5,+6" OK
	apctl check
	expect_rc 0
}

@test "an autostart definition sharing an APQN with an active mdev: error" {
	define "$U4" auto '{"assign_adapter": "5"}, {"assign_domain": "4"}'
	apctl check
	expect_rc 7
	expect_out check-shared-auto.txt
	check_json 7
	expect_eq "[[\"apqn-shared\",\"error\",\"$U1\",\"mdev\",\"$U4\",[\"05.0004\"]]]" \
		"$(jqo '[.problems[] | [.kind, .severity, .mdev, .other, .other_mdev, [.apqns[].apqn]]]')"
	# show lists the same problem and exits 7
	apctl show
	expect_rc 7
	[[ $out == *$'\nProblems\n  error: '* ]] || fail "$out"
}

@test "a manual definition sharing an APQN: warning only" {
	define "$U4" manual '{"assign_adapter": "6"}, {"assign_domain": "0x47"}, {"assign_domain": "0xff"}'
	apctl check
	expect_rc 8
	expect_out check-shared-manual.txt
	check_json 8
	expect_eq '[0,1]' "$(jqo '[.errors, .warnings]')"
}

@test "an over-provisioned mdev: warning" {
	expect_w bus/ap/apmask "-7" OK
	expect_w "$MATRIX/$U2/assign_adapter" 7 OK
	apctl check
	expect_rc 8
	expect_out check-overprov.txt
	check_json 8
	# adapter 7, reserved live only, goes back to the host at the next boot
	expect_eq '["not-in-config","boot-masks-differ"]' "$(jqo '[.problems[].kind]')"
}

@test "an autostart definition the boot-time masks give to the host: error" {
	define "$U1" auto '{"assign_adapter": "5"}, {"assign_adapter": "6"}, {"assign_domain": "4"}, {"assign_domain": "0xab"}, {"assign_control_domain": "4"}'
	# the persistent masks (chzdev's udev rule) reserve nothing at boot
	printf '%s\n' \
		'ACTION=="change", SUBSYSTEM=="ap", KERNEL=="ap", ENV{BINDINGS}=="complete", GOTO="ap_masks"' \
		'GOTO="ap_masks_end"' \
		'LABEL="ap_masks"' \
		"ATTR{../../bus/ap/apmask}=\"$(mask_all)\"" \
		"ATTR{../../bus/ap/aqmask}=\"$(mask_all)\"" \
		'LABEL="ap_masks_end"' >"$APCTL_ROOT/etc/udev/rules.d/41-ap.rules"
	apctl check
	expect_rc 7
	expect_out check-persist.txt
	check_json 7
	expect_eq '"udev-etc"' "$(apctl show --json; jqo '.host.persistent.source')"
}

@test "a broken definition: the file is named, exit 10" {
	printf 'garbage' >"$APCTL_ROOT/etc/mdevctl.d/matrix/$U4"
	apctl check
	expect_rc 10
	[[ $err == "apctl: warning: ROOT/etc/mdevctl.d/matrix/$U4: "* ]] || fail "stderr: $err"
	expect_eq $'0 errors, 0 warnings, 1 file could not be read\n' "$out"
	check_json 10
	expect_eq "[\"ROOT/etc/mdevctl.d/matrix/$U4\"]" "$(jqo '[.diagnostics[].path]')"
}

@test "usage" {
	apctl check extra
	expect_rc 2
	apctl check --format yaml
	expect_rc 2
}
