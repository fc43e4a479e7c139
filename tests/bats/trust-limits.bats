#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The id limits ap_max_adapter_id / ap_max_domain_id (issue 18, item 4).  A
# limit that cannot be read is malformed data (exit 10, naming the file),
# never a silent guess; the one default that is the kernel's own (no
# ap_max_adapter_id on kernels before 5.10: 63) is said out loud.
#
# apsim always has both files, so the damaged sysfs is a tree of symbolic
# links into apsim's, with bus/ap/ap_max_*_id missing or replaced: every
# read and write still reaches apsim, only that one file differs.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load show-lib

setup() {
	sim_start doc-example "${KERNEL:-7.2}"
}

teardown() {
	sim_stop
}

# damaged_sysfs: SYSFS_ROOT becomes $F, a copy of apsim's tree made of links
damaged_sysfs() {
	local e

	F=$BATS_TEST_TMPDIR/sys
	mkdir -p "$F/bus/ap"
	for e in "$S"/*; do
		[[ ${e##*/} == bus ]] || ln -s "$e" "$F/"
	done
	for e in "$S"/bus/*; do
		[[ ${e##*/} == ap ]] || ln -s "$e" "$F/bus/"
	done
	for e in "$S"/bus/ap/*; do
		ln -s "$e" "$F/bus/ap/"
	done
	export SYSFS_ROOT=$F
}

MISSING_D="the file is missing (every kernel with AP masks has it): the highest domain id is unknown"
REFUSED_D="refused: the highest domain id cannot be read from"

@test "limits: a missing ap_max_domain_id refuses a change with exit 10, naming the file" {
	damaged_sysfs
	rm "$F/bus/ap/ap_max_domain_id"
	snap before
	run "$APCTL" mdev create -u "$U1" -a 5 -d 0xab --reserve
	[ "$status" -eq 10 ]
	expect_eq "apctl: warning: $F/bus/ap/ap_max_domain_id: $MISSING_D
apctl: $REFUSED_D $F/bus/ap/ap_max_domain_id, so no domain id can be checked; nothing was written" "$output"
	expect_snap before
	expect_no_events
}

@test "limits: a malformed or unreadable ap_max_domain_id refuses a change with exit 10" {
	damaged_sysfs
	rm "$F/bus/ap/ap_max_domain_id"
	printf 'fifteen\n' >"$F/bus/ap/ap_max_domain_id"
	snap before
	run "$APCTL" reserve -d 0xab
	[ "$status" -eq 10 ]
	expect_eq "apctl: warning: $F/bus/ap/ap_max_domain_id: unexpected content \"fifteen\\x0a\"
apctl: $REFUSED_D $F/bus/ap/ap_max_domain_id, so no domain id can be checked; nothing was written" "$output"
	rm "$F/bus/ap/ap_max_domain_id"
	mkdir "$F/bus/ap/ap_max_domain_id"
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --reserve
	[ "$status" -eq 10 ]
	expect_eq "apctl: warning: $F/bus/ap/ap_max_domain_id: cannot read: Is a directory
apctl: $REFUSED_D $F/bus/ap/ap_max_domain_id, so no domain id can be checked; nothing was written" "$output"
	rmdir "$F/bus/ap/ap_max_domain_id"
	printf '300\n' >"$F/bus/ap/ap_max_domain_id"
	run "$APCTL" release -d 4
	[ "$status" -eq 10 ]
	expect_eq "apctl: warning: $F/bus/ap/ap_max_domain_id: value 300 is out of range
apctl: $REFUSED_D $F/bus/ap/ap_max_domain_id, so no domain id can be checked; nothing was written" "$output"
	expect_snap before
}

@test "limits: show and check name a missing limit and judge no id against a guess (exit 10)" {
	"$APSIM_IO" write "$AP/apmask" "-5" >/dev/null
	"$APSIM_IO" write "$TYPE/create" "$U1" >/dev/null
	"$APSIM_IO" write "$MATRIX/$U1/assign_adapter" "5" >/dev/null
	"$APSIM_IO" write "$MATRIX/$U1/assign_domain" "0xab" >/dev/null
	damaged_sysfs
	rm "$F/bus/ap/ap_max_domain_id"
	apctl check
	expect_rc 10
	expect_err "apctl: warning: $F/bus/ap/ap_max_domain_id: $MISSING_D"
	# the live apmask write above is not persistent: issue 17's boot audit says so
	expect_eq "  warning: adapters 05 are reserved for vfio_ap now, but the next boot gives them to the host: to keep them reserved, apctl reserve --persistent --adapters 5
0 errors, 1 warning, 1 file could not be read" "${out%$'\n'}" "check's summary"
	apctl show
	expect_rc 10
	[[ $out == *"highest ids        ff / unknown"* ]] || fail "no 'unknown' limit in: $out"
	apctl show --json
	expect_rc 10
	json_valid
	expect_eq '[null,255]' "$(jqo '[.host.max_domain_id, .host.max_adapter_id]')"
	expect_eq "[{\"level\":\"error\",\"path\":\"$F/bus/ap/ap_max_domain_id\",\"message\":\"$MISSING_D\"}]" \
		"$(jqo .diagnostics)"
}

@test "limits: a missing ap_max_adapter_id is an error on a kernel that has it" {
	damaged_sysfs
	rm "$F/bus/ap/ap_max_adapter_id"
	snap before
	run "$APCTL" reserve 5
	[ "$status" -eq 10 ]
	expect_eq "apctl: warning: $F/bus/ap/ap_max_adapter_id: the file is missing (every kernel since 5.10 has it): the highest adapter id is unknown
apctl: refused: the highest adapter id cannot be read from $F/bus/ap/ap_max_adapter_id, so no adapter id can be checked; nothing was written" "$output"
	expect_snap before
}

@test "limits: without ap_max_adapter_id and bindings (before 5.10) the kernel's 63 is used and said" {
	damaged_sysfs
	rm "$F/bus/ap/ap_max_adapter_id" "$F/bus/ap/bindings"
	apctl show
	expect_rc 0
	expect_err "apctl: warning: $F/bus/ap/ap_max_adapter_id: the file is missing, as on kernels before 5.10: using 63, the highest adapter id such a kernel allows"
	[[ $out == *"highest ids        3f / 00ff  (63 / 255)"* ]] || fail "not 63: $out"
	run "$APCTL" reserve 0x40
	[ "$status" -eq 2 ]
	[[ $output == *"0x40 is above the maximum id 63"* ]] || fail "not refused against 63: $output"
}
