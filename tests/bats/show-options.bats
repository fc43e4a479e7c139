#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl show: -o/+COL, --raw, --noheadings, --format, usage errors, no AP bus.

load helpers
load show-lib

setup() {
	sim_start doc-example 7.2
	three_guests
}

teardown() {
	sim_stop
}

@test "-o selects columns, names without regard to case" {
	apctl show cards -o card,type,MODE
	expect_rc 0
	expect_eq $'CARD TYPE  MODE\n  05 CEX7C cca\n  06 CEX7C cca\n' "$out"
}

@test "+COL appends to the default columns" {
	apctl show cards -o +HWTYPE
	expect_rc 0
	expect_out opt-cards-plus.txt
}

@test "--raw --noheadings" {
	apctl show queues --raw --noheadings -o CARD.DOM,DRIVER,MDEV
	expect_rc 0
	expect_out opt-queues-raw.txt
	apctl show matrix -r -n
	expect_rc 0
	expect_eq $'05 1 2 1 2\n06 1 3 1 3\n' "$out"
}

@test "--format table is the default; --format json is --json" {
	apctl show mdevs --format table
	expect_rc 0
	expect_out doc-three-mdevs.txt
	apctl show mdevs --format json
	expect_rc 0
	json_valid
	expect_eq '"mdevs"' "$(jqo '.view')"
}

@test "usage errors exit 2 with a hint" {
	apctl show cards -o CARD,NOPE
	expect_rc 2
	expect_err $'apctl: unknown column \'NOPE\' for cards\nTry \'apctl show --help\' for more information.'
	apctl show bogus
	expect_rc 2
	apctl show matrix -o CARD
	expect_rc 2
	apctl show --format xml
	expect_rc 2
	expect_err $'apctl: unknown format \'xml\' (table, json, libvirt or qemu)\nTry \'apctl show --help\' for more information.'
	# an unknown short option is named as such, also inside a cluster
	apctl show -J=pretty
	expect_rc 2
	expect_err $'apctl: invalid option -- \'=\'\nTry \'apctl show --help\' for more information.'
	apctl check --bogus
	expect_rc 2
	expect_err $'apctl: unrecognized option \'--bogus\'\nTry \'apctl check --help\' for more information.'
	apctl mdev list -nx
	expect_rc 2
	expect_err $'apctl: invalid option -- \'x\'\nTry \'apctl mdev list --help\' for more information.'
	apctl show mdev
	expect_rc 2
	apctl show mdev not-a-uuid
	expect_rc 2
	apctl show --json -o CARD cards
	expect_rc 2
	# --json: the error as a document too
	expect_eq "cards usage 2 --json cannot be combined with -o, --raw or --noheadings" \
		"$(jq -r '"\(.view) \(.status) \(.exit_code) \(.error)"' <<<"$out")"
}

@test "an unknown mdev" {
	apctl show mdev "$U4"
	expect_rc 2
	expect_err "apctl: no mdev $U4: it is neither active nor defined (see 'apctl mdev list')"
}

@test "--help lists the views, the columns and the exit status" {
	apctl show --help
	expect_rc 0
	[[ $out == *$'\nUsage:\n apctl show [options]\n'* ]] || fail "$out"
	[[ $out == *"Available output columns (queues):"* ]] || fail "$out"
	[[ $out == *"Exit status:"* ]] || fail "$out"
	apctl mdev list --help
	expect_rc 0
	[[ $out == *"Available output columns (mdevs):"* ]] || fail "$out"
	apctl check --help
	expect_rc 0
	[[ $out == *"Exit status:"* ]] || fail "$out"
}

@test "no AP bus: one line and exit 3" {
	local empty=$BATS_TEST_TMPDIR/nosys

	mkdir -p "$empty"
	SYSFS_ROOT=$empty apctl show
	expect_rc 3
	expect_err "apctl: no AP bus: $empty/bus/ap does not exist; this system has no s390 crypto adapters (or the ap module is not loaded)"
	[[ -z $out ]] || fail "stdout: $out"
	SYSFS_ROOT=$empty apctl check
	expect_rc 3
	SYSFS_ROOT=$empty apctl mdev list
	expect_rc 3
}

@test "APCTL_DEBUG_STATS reports what was read" {
	APCTL_DEBUG_STATS=1 apctl show cards
	expect_rc 0
	[[ ${err%$'\n'} =~ ^apctl:\ stats:\ files_read=[0-9]+\ dirs_listed=[0-9]+\ links_read=0$ ]] ||
		fail "stderr: $err"
}

@test "--root finds sysfs below the root when SYSFS_ROOT is not set" {
	local root=$APCTL_ROOT

	SYSFS_ROOT= APCTL_ROOT= apctl --root "$root" show matrix
	expect_rc 0
	expect_out doc-three-matrix.txt
	env -u SYSFS_ROOT -u APCTL_ROOT "$APCTL" --root "$root" show matrix >/dev/null
}

@test "output that cannot be written is an error, not success" {
	local v rc e=$BATS_TEST_TMPDIR/err

	# a host the next boot keeps as it is: check's verdict is success (0),
	# which a lost output turns into 1
	boot_5_6
	for v in "show" "show cards" "show queues -o +MDEV" "show mdevs" "show matrix" \
		"show mdev $U1" "mdev list" "check" "--help" "show --help"; do
		rc=0
		# shellcheck disable=SC2086
		"$APCTL" $v >/dev/full 2>"$e" || rc=$?
		expect_eq 1 "$rc" "exit status of 'apctl $v >/dev/full'"
		expect_eq "apctl: cannot write the output: No space left on device" "$(cat "$e")" \
			"stderr of 'apctl $v >/dev/full'"
	done
	# reported once
	rc=0
	"$APCTL" show --json >/dev/full 2>"$e" || rc=$?
	expect_eq 1 "$rc" "exit status of 'apctl show --json >/dev/full'"
	expect_eq "apctl: cannot print the JSON document: No space left on device" "$(cat "$e")"
}
