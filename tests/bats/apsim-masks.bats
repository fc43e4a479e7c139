#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# kernel-abi.md §10 "/sys/bus/ap masks" (§1.2-§1.5, §1.9).
# The EBUSY rule per kernel generation is in apsim-kernels.bats.

load helpers

setup() {
	sim_start t-doc
}

teardown() {
	sim_stop
}

ALLF=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff

# expect_mask FILE IDS...: FILE (apmask|aqmask) has exactly these bits set
expect_mask() {
	local f=$1

	shift
	expect_r "$AP/$f" "$(mask_of "$@")\n"
}

# expect_rejected FILE DATA...: every DATA is EINVAL and FILE is unchanged
expect_rejected() {
	local f=$1 before d

	shift
	before=$(r "$AP/$f")
	for d; do
		expect_w "$AP/$f" "$d" EINVAL || return 1
		expect_r "$AP/$f" "$before\n" || return 1
	done
}

@test "checklist: apmask and aqmask read as 0x + 64 lowercase hex + newline, default all f" {
	expect_r "$AP/apmask" "$ALLF\n"
	expect_r "$AP/aqmask" "$ALLF\n"
	run bash -c "'$APSIM_IO' read '$AP/apmask' | wc -c"
	expect_eq 67 "$output" "apmask length"
	expect_w "$AP/apmask" "0xABCDEF0123456789" OK
	expect_r "$AP/apmask" "0xabcdef0123456789000000000000000000000000000000000000000000000000\n"
	expect_w "$AP/aqmask" "0XABC" EINVAL
	expect_w "$AP/aqmask" "0xFEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210" OK
	expect_r "$AP/aqmask" "0xfedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n"
}

@test "checklist: apmask absolute 0x, x or no prefix are accepted; 0X is EINVAL" {
	expect_w "$AP/apmask" "0x4\n" OK
	expect_mask apmask 1
	expect_w "$AP/apmask" "x2" OK
	expect_mask apmask 2
	expect_w "$AP/apmask" "1" OK
	expect_mask apmask 3
	expect_w "$AP/apmask" "f0" OK
	expect_mask apmask 0 1 2 3
	expect_rejected apmask "0X8" "0X8\n" "X8" "00x8" "xx8"
	expect_w "$AP/aqmask" "x41\n" OK
	expect_mask aqmask 1 7
	expect_rejected aqmask "0X41"
}

@test "checklist: apmask absolute at most 64 hex digits, right zero-padded; 65 digits is EINVAL" {
	local d64=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	expect_w "$AP/apmask" "0x8" OK
	expect_mask apmask 0
	expect_w "$AP/apmask" "0x80" OK
	expect_mask apmask 0
	expect_w "$AP/apmask" "0x41" OK
	expect_mask apmask 1 7
	expect_w "$AP/apmask" "0x0000001" OK
	expect_mask apmask 27
	expect_w "$AP/apmask" "0x$d64\n" OK
	expect_r "$AP/apmask" "0x$d64\n"
	expect_w "$AP/apmask" "$d64" OK
	expect_w "$AP/apmask" "0x41" OK
	expect_rejected apmask "0x${d64}0" "0x${d64}0\n" "${d64}f" "x${d64}1"
	expect_mask apmask 1 7
}

@test "checklist: apmask absolute allows one trailing newline; other trailing bytes and leading space are EINVAL" {
	expect_w "$AP/apmask" "0x5\n" OK
	expect_mask apmask 1 3
	expect_rejected apmask "0x4\n\n" "0x4 " "0x4 \n" "0x4\r\n" "0x4\r" "0x4," \
		"0x4g" "0x4\t" " 0x4" "\t0x4" "\n0x4" "0x 4" "0x4\nx" "0x-4"
	expect_mask apmask 1 3
	expect_rejected aqmask "0x4\n\n" " 0x4"
	expect_r "$AP/aqmask" "$ALLF\n"
}

@test "checklist: apmask empty, newline or 0x set the mask to all-zero" {
	local s
	for s in "\n" "0x" "0x\n" "x" "x\n" "\0" "0x\0ff" "\0ff"; do
		w "$AP/apmask" "$ALLF"
		expect_r "$AP/apmask" "$ALLF\n"
		expect_w "$AP/apmask" "$s" OK
		expect_r "$AP/apmask" "$(mask_zero)\n"
	done
	# every APQN now goes to vfio_ap
	local q
	for q in 05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff; do
		expect_driver "$q" vfio_ap
	done
	expect_driver card05 cex4card
	# echo > apmask, as an administrator would do it by mistake
	w "$AP/aqmask" "0x"
	echo >"$AP/aqmask"
	expect_r "$AP/aqmask" "$(mask_zero)\n"
}

@test "checklist: apmask relative mode is decided by the first byte" {
	expect_w "$AP/apmask" "-5" OK
	expect_r "$AP/apmask" "$(mask_all_but 5)\n"
	expect_w "$AP/apmask" "+5" OK
	expect_r "$AP/apmask" "$ALLF\n"
	# "5" is absolute: hex digit 5 = ids 1 and 3
	expect_w "$AP/apmask" "5" OK
	expect_mask apmask 1 3
	expect_w "$AP/apmask" "+200\n" OK
	expect_mask apmask 1 3 200
	# a sign that is not the first byte makes it an absolute string: EINVAL
	expect_rejected apmask " +5" "0x+5" "\n+5" "0-5"
	expect_mask apmask 1 3 200
}

@test "checklist: apmask relative terms take numbers in base 0 (hex, octal, decimal)" {
	w "$AP/apmask" "0x"
	expect_w "$AP/apmask" "+0x10" OK
	expect_mask apmask 16
	expect_w "$AP/apmask" "+010" OK
	expect_mask apmask 8 16
	expect_w "$AP/apmask" "+10" OK
	expect_mask apmask 8 10 16
	expect_w "$AP/apmask" "+0X1f" OK
	expect_mask apmask 8 10 16 31
	expect_w "$AP/apmask" "+0x20-0x23" OK
	expect_mask apmask 8 10 16 31 32 33 34 35
	expect_w "$AP/apmask" "+040-041,+0" OK
	expect_mask apmask 0 8 10 16 31 32 33 34 35
	expect_w "$AP/apmask" "-0x20-35" OK
	expect_mask apmask 0 8 10 16 31
	expect_rejected apmask "+08" "+0x" "+" "+," "+-3" "+x" "++1" "+ 1" "+\t1" \
		"+1-" "+1-x" "+1-+2" "-" "+0xg"
	expect_mask apmask 0 8 10 16 31
}

@test "checklist: apmask relative n<256 and n<=m<256" {
	w "$AP/apmask" "0x"
	expect_w "$AP/apmask" "+255" OK
	expect_mask apmask 255
	expect_w "$AP/apmask" "+3-3" OK
	expect_mask apmask 3 255
	expect_w "$AP/apmask" "+250-0xfe" OK
	expect_mask apmask 3 250 251 252 253 254 255
	expect_rejected apmask "+256" "-256" "+0x100" "+5-3" "+250-256" "+0-0x100" "+300-301"
	expect_mask apmask 3 250 251 252 253 254 255
}

@test "checklist: apmask relative ids above ap_max_adapter_id but below 256 are accepted" {
	sim_stop
	sim_start t-small
	expect_r "$AP/ap_max_adapter_id" "63\n"
	expect_r "$AP/ap_max_domain_id" "15\n"
	w "$AP/apmask" "0x"
	expect_w "$AP/apmask" "+100" OK
	expect_mask apmask 100
	w "$AP/aqmask" "0x"
	expect_w "$AP/aqmask" "+16-17,+200" OK
	expect_mask aqmask 16 17 200
}

@test "checklist: apmask relative separators are runs of comma and newline; anything else is EINVAL" {
	w "$AP/apmask" "0x"
	expect_w "$AP/apmask" "+1,,+2" OK
	expect_mask apmask 1 2
	expect_w "$AP/apmask" "+3\n" OK
	expect_w "$AP/apmask" "+4,\n" OK
	expect_w "$AP/apmask" "+5\n+6" OK
	expect_w "$AP/apmask" "+7,\n,\n\n,+8,,,\n" OK
	expect_mask apmask 1 2 3 4 5 6 7 8
	expect_rejected apmask "+9 +10" "+9\t" "+9;+10" "+9\r\n" "+9,10" "+9 " "+9,\n " \
		"+9,x" "+9:+10" "+9\n\r"
	expect_mask apmask 1 2 3 4 5 6 7 8
}

@test "checklist: apmask relative last operation on a bit wins and the write is all-or-nothing" {
	w "$AP/apmask" "0x"
	expect_w "$AP/apmask" "+0-255,-128" OK
	expect_r "$AP/apmask" "$(mask_all_but 128)\n"
	expect_w "$AP/apmask" "-1,+2,-2" OK
	expect_r "$AP/apmask" "$(mask_all_but 1 2 128)\n"
	expect_w "$AP/apmask" "-7,+7" OK
	expect_r "$AP/apmask" "$(mask_all_but 1 2 128)\n"
	# valid terms before a bad one are not applied
	expect_rejected apmask "-0-3,+300" "-10,-11,x" "-12,+5-4" "-13,+08"
	expect_r "$AP/apmask" "$(mask_all_but 1 2 128)\n"
	expect_driver 05.0004 cex4queue
}

@test "checklist: no-op mask writes succeed with no uevent and no reprobe" {
	# a manually unbound host-owned queue would be reprobed by a real change
	expect_w "$DRV/cex4queue/unbind" "05.0004" OK
	expect_driver 05.0004 none
	ctl uevents clear
	expect_w "$AP/apmask" "$ALLF\n" OK
	expect_w "$AP/apmask" "+5" OK
	expect_w "$AP/apmask" "+0-255" OK
	expect_w "$AP/aqmask" "-300-299,+4" EINVAL
	expect_w "$AP/aqmask" "+4,+0x47" OK
	expect_r "$AP/apmask" "$ALLF\n"
	expect_driver 05.0004 none
	run ctl uevents
	expect_eq "" "$output" "uevent log"
}

@test "checklist: on EBUSY one Can not reserve queue line per APQN of the newest conflicting mdev" {
	w "$AP/apmask" "-5,-6"
	w "$TYPE/create" "$U1"
	w "$TYPE/create" "$U2"
	# U1 (older): adapter 5; U2 (newer): adapter 6; same domains
	for d in 4 0xab; do
		expect_w "$MATRIX/$U1/assign_domain" "$d" OK
		expect_w "$MATRIX/$U2/assign_domain" "$d" OK
	done
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK
	expect_w "$MATRIX/$U2/assign_adapter" 6 OK
	ctl dmesg clear
	ctl uevents clear
	expect_w "$AP/apmask" "+5,+6" EBUSY
	expect_r "$AP/apmask" "$(mask_all_but 5 6)\n"
	# no change: no uevent, no rebinding
	run ctl uevents
	expect_eq "" "$output" "uevents after EBUSY"
	expect_driver 05.0047 vfio_ap
	expect_dmesg "vfio_ap_mdev $U2: Can not reserve queue 06.0004 for host driver: in use by mdev
vfio_ap_mdev $U2: Can not reserve queue 06.00ab for host driver: in use by mdev"
	# syntax is checked before the EBUSY rule
	ctl dmesg clear
	expect_w "$AP/apmask" "+5,+6,x" EINVAL
	expect_dmesg ""
	# setting bits that no mdev uses is fine
	expect_w "$AP/apmask" "+7" OK
	expect_w "$AP/apmask" "-7" OK
	# only U1 conflicts: its lines
	ctl dmesg clear
	expect_w "$AP/apmask" "+5" EBUSY
	expect_dmesg "vfio_ap_mdev $U1: Can not reserve queue 05.0004 for host driver: in use by mdev
vfio_ap_mdev $U1: Can not reserve queue 05.00ab for host driver: in use by mdev"
	# aqmask: clear domain 0xab from the host, then take it back
	expect_w "$AP/aqmask" "-0xab" OK
	ctl dmesg clear
	expect_w "$AP/aqmask" "+0xab" EBUSY
	expect_r "$AP/aqmask" "$(mask_all_but 0xab)\n"
	expect_dmesg "vfio_ap_mdev $U2: Can not reserve queue 06.00ab for host driver: in use by mdev"
	# clearing bits never fails
	expect_w "$AP/apmask" "-0-255" OK
	expect_w "$AP/aqmask" "0x" OK
}

@test "checklist: a mask change rebinds queues before write returns, then sends APMASK/AQMASK uevents" {
	ctl uevents clear
	expect_w "$AP/apmask" "-5" OK
	local q
	for q in 05.0004 05.0047 05.00ab 05.00ff; do
		expect_driver "$q" vfio_ap
		expect_exists "$DEV/card05/$q/status"
		expect_missing "$DEV/card05/$q/online"
	done
	for q in 06.0004 06.0047 06.00ab 06.00ff; do
		expect_driver "$q" cex4queue
		expect_exists "$DEV/card06/$q/online"
		expect_missing "$DEV/card06/$q/status"
	done
	expect_driver card05 cex4card
	expect_r "$AP/bindings" "8/8 (complete)\n"
	# the rebinding happened first, then the mask uevent; apsimctl shows the
	# newline inside the value as \n
	run uevents_flat
	[[ $output == *"bind /devices/ap/card05/05.00ff DRIVER=vfio_ap"* ]] ||
		fail "no bind uevent for 05.00ff in: $output"
	expect_eq "change /devices/ap APMASK=$(mask_all_but 5)\\n" "${lines[-1]}" "last uevent"
	ctl uevents clear
	expect_w "$AP/aqmask" "-0x47" OK
	expect_driver 06.0047 vfio_ap
	expect_driver 06.0004 cex4queue
	expect_exists "$DEV/card06/06.0047/status"
	expect_missing "$DEV/card06/06.0047/online"
	run uevents_flat
	expect_eq "change /devices/ap AQMASK=$(mask_all_but 0x47)\\n" "${lines[-1]}" "last uevent"
	# and back: the queues return to cex4queue with their online files
	expect_w "$AP/apmask" "+5" OK
	expect_w "$AP/aqmask" "+0x47" OK
	for q in 05.0004 05.0047 06.0047; do
		expect_driver "$q" cex4queue
		expect_exists "$AP/devices/$q/online"
		expect_missing "$AP/devices/$q/status"
	done
}

@test "checklist: [>=6.19] mask writes are EINVAL while a driver_override is set" {
	expect_r "$DEV/card05/05.0004/driver_override" "\n"
	expect_w "$DEV/card05/05.0004/driver_override" "vfio_ap\n" OK
	expect_r "$DEV/card05/05.0004/driver_override" "vfio_ap\n"
	expect_w "$AP/apmask" "-6" EINVAL
	# checked before parsing: also a no-op or a malformed write
	expect_w "$AP/apmask" "+6" EINVAL
	expect_w "$AP/aqmask" "$ALLF" EINVAL
	expect_w "$AP/aqmask" "garbage" EINVAL
	expect_r "$AP/apmask" "$ALLF\n"
	# the value is cut at the first newline
	expect_w "$DEV/card05/05.0004/driver_override" "vfio_ap\ncex4queue\n" OK
	expect_r "$DEV/card05/05.0004/driver_override" "vfio_ap\n"
	# PAGE_SIZE - 1 bytes or more: EINVAL
	local long
	printf -v long '%*s' 4095 ''
	expect_w "$DEV/card05/05.0004/driver_override" "${long// /x}" EINVAL
	expect_r "$DEV/card05/05.0004/driver_override" "vfio_ap\n"
	# clearing the override lifts the restriction
	expect_w "$DEV/card05/05.0004/driver_override" "\n" OK
	expect_r "$DEV/card05/05.0004/driver_override" "\n"
	expect_w "$AP/apmask" "-6" OK
}

@test "checklist: [>=6.19] driver_override is EINVAL after a non-default mask was written" {
	expect_w "$AP/apmask" "-6" OK
	expect_w "$DEV/card05/05.0004/driver_override" "vfio_ap" EINVAL
	expect_r "$DEV/card05/05.0004/driver_override" "\n"
	# back to all ones on both masks: overrides are allowed again
	expect_w "$AP/apmask" "+6" OK
	expect_w "$DEV/card05/05.0004/driver_override" "vfio_ap" OK
	expect_r "$DEV/card05/05.0004/driver_override" "vfio_ap\n"
	expect_w "$DEV/card05/05.0004/driver_override" "" OK
	expect_w "$DEV/card05/05.0004/driver_override" "\n" OK
	expect_w "$AP/aqmask" "-4" OK
	expect_w "$DEV/card06/06.0047/driver_override" "cex4queue\n" EINVAL
}

@test "concurrent relative mask edits from two processes are not lost" {
	local a b i
	for ((i = 0; i < 100; i++)); do a+="-$i\n"; b+="-$((i + 128))\n"; done
	printf %b "$a" | "$APSIM_IO" writelines "$AP/apmask" >"$BATS_TEST_TMPDIR/a" &
	local pa=$!
	printf %b "$b" | "$APSIM_IO" writelines "$AP/apmask" >"$BATS_TEST_TMPDIR/b" &
	local pb=$!
	wait "$pa"
	wait "$pb"
	[[ $(grep -c '^OK' "$BATS_TEST_TMPDIR/a") == 100 ]]
	[[ $(grep -c '^OK' "$BATS_TEST_TMPDIR/b") == 100 ]]
	local ids=()
	for ((i = 0; i < 100; i++)); do ids+=("$i" "$((i + 128))"); done
	expect_r "$AP/apmask" "$(mask_all_but "${ids[@]}")\n"
}

@test "quirk: [>=6.19] the override counter outlives a removed queue: mask writes stay EINVAL" {
	expect_w "$DEV/card05/05.0004/driver_override" "vfio_ap\n" OK
	[[ $(ctl dump | jq '.bus.driver_override_count') == 1 ]]
	# the queue goes away (its domain leaves the configuration)
	ctl host domain-remove 4 >/dev/null
	ctl scan >/dev/null
	expect_missing "$DEV/card05/05.0004"
	# no queue shows an override any more, yet the kernel still counts one
	local f n=0
	for f in "$AP"/devices/*/driver_override; do
		[[ $(cat "$f") == "" ]] || n=$((n + 1))
	done
	[ "$n" -eq 0 ]
	[[ $(ctl dump | jq '.bus.driver_override_count') == 1 ]]
	expect_w "$AP/apmask" "-6" EINVAL
	expect_w "$AP/aqmask" "-0x47" EINVAL
	expect_r "$AP/apmask" "$ALLF\n"
}

@test "quirk: [>=6.19] masks set at boot (kernel command line) do not count as in use: overrides stay possible" {
	local h=$BATS_TEST_TMPDIR/cmdline-masks.json
	jq '.apmask = "0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"' "$top_srcdir/tests/apsim/hosts/doc-example.json" >"$h"
	sim_stop
	sim_start "$h" 7.2
	expect_r "$AP/apmask" "0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
	[[ $(ctl dump | jq '.bus.masks_in_use') == false ]]
	expect_w "$DEV/card05/05.0004/driver_override" "vfio_ap\n" OK
	expect_r "$DEV/card05/05.0004/driver_override" "vfio_ap\n"
	expect_w "$DEV/card05/05.0004/driver_override" "\n" OK
	# a mask written through sysfs does count
	expect_w "$AP/apmask" "-5" OK
	[[ $(ctl dump | jq '.bus.masks_in_use') == true ]]
	expect_w "$DEV/card06/06.0004/driver_override" "vfio_ap\n" EINVAL
}
