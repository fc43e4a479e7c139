#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apsim's control interface (tests/apsim/README.md): dump, faults, attach,
# logs; and state that only the dump shows (the shadow ADM of §5.3/§5.4).

load helpers

setup() {
	sim_start t-doc
}

teardown() {
	sim_stop
}

@test "ctl: dump is deterministic and agrees with sysfs" {
	local a b
	a=$(ctl dump)
	b=$(ctl dump)
	expect_eq "$a" "$b" "two dumps of the same state"
	echo -5 >"$AP/apmask"
	echo "$U1" >"$TYPE/create"
	echo 5 >"$MATRIX/$U1/assign_adapter"
	echo 4 >"$MATRIX/$U1/assign_domain"
	run bash -c "'$APSIMCTL' dump | jq -r .bus.apmask"
	expect_eq "$(r "$AP/apmask")" "$output" "dump .bus.apmask"
	run bash -c "'$APSIMCTL' dump | jq -r --arg u '$U1' '.mdevs[\$u] | .adapters + \",\" + .domains + \",\" + .control_domains'"
	expect_eq "$(r "$MATRIX/$U1/ap_config")" "$output" "dump of the mdev vs ap_config"
	run bash -c "'$APSIMCTL' dump | jq -r '.queues[\"05.0004\"].driver'"
	expect_eq vfio_ap "$output"
	run bash -c "'$APSIMCTL' dump | jq -r .kernel"
	expect_eq 7.2 "$output"
	a=$(ctl dump)
	b=$(ctl dump)
	expect_eq "$a" "$b" "two dumps of the same state"
}

@test "checklist: shadow control domains are the assigned ones within the host configuration (dump)" {
	echo "$U1" >"$TYPE/create"
	local M=$MATRIX/$U1 q=".mdevs[\"$U1\"].shadow.control_domains"
	echo 4 >"$M/assign_control_domain"
	echo 0x10 >"$M/assign_control_domain"
	expect_r "$M/control_domains" "0004\n0010\n"
	run bash -c "'$APSIMCTL' dump | jq -r '$q'"
	expect_eq "$(mask_of 4)" "$output" "shadow ADM"
	echo 0xab >"$M/assign_control_domain"
	run bash -c "'$APSIMCTL' dump | jq -r '$q'"
	expect_eq "$(mask_of 4 0xab)" "$output" "shadow ADM"
	echo 4 >"$M/unassign_control_domain"
	run bash -c "'$APSIMCTL' dump | jq -r '$q'"
	expect_eq "$(mask_of 0xab)" "$output" "shadow ADM after unassign"
	echo ",,$(mask_of 0x10 0x47 0xff)" >"$M/ap_config"
	run bash -c "'$APSIMCTL' dump | jq -r '$q'"
	expect_eq "$(mask_of 0x47 0xff)" "$output" "shadow ADM after ap_config"
	ctl host cdom-remove 255
	ctl scan
	run bash -c "'$APSIMCTL' dump | jq -r '$q'"
	expect_eq "$(mask_of 0x47)" "$output" "shadow ADM after the host lost 0xff"
	expect_r "$M/control_domains" "0010\n0047\n00ff\n"
}

@test "ctl: fault on the Nth write returns the errno without running the store" {
	local id
	id=$(ctl fault add bus/ap/apmask --errno EIO --nth 2)
	[[ -n $id ]] || fail "fault add printed no id"
	expect_w "$AP/apmask" "-1" OK
	expect_w "$AP/apmask" "-2" EIO
	expect_w "$AP/apmask" "-3" OK
	expect_w "$AP/apmask" "-4" OK
	expect_r "$AP/apmask" "$(mask_all_but 1 3 4)\n"
	# a write to another file does not count
	ctl fault add bus/ap/apmask --errno EBUSY --nth 2 >/dev/null
	expect_w "$AP/aqmask" "-1" OK
	expect_w "$AP/apmask" "-5" OK
	expect_w "$AP/apmask" "-6" EBUSY
	expect_r "$AP/apmask" "$(mask_all_but 1 3 4 5)\n"
}

@test "ctl: fault on every write to a pattern, list and clear" {
	echo "$U1" >"$TYPE/create"
	echo "$U2" >"$TYPE/create"
	local id
	id=$(ctl fault add 'devices/vfio_ap/matrix/*/assign_domain' --errno EADDRINUSE --every)
	expect_w "$MATRIX/$U1/assign_domain" 4 EADDRINUSE
	expect_w "$MATRIX/$U2/assign_domain" 4 EADDRINUSE
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK
	expect_r "$MATRIX/$U1/matrix" "05.\n"
	run ctl fault list
	[[ $output == *"devices/vfio_ap/matrix/*/assign_domain"* ]] || fail "fault list: $output"
	ctl fault clear "$id"
	expect_w "$MATRIX/$U2/assign_domain" 4 OK
	run ctl fault list
	[[ $output != *assign_domain* ]] || fail "fault still listed: $output"
	# a delay without errno runs the store
	ctl fault add bus/ap/aqmask --delay 20 >/dev/null
	expect_w "$AP/aqmask" "-9" OK
	expect_r "$AP/aqmask" "$(mask_all_but 9)\n"
	ctl fault clear
	run ctl fault list
	expect_eq "" "$output" "fault list after clear"
}

@test "ctl: dmesg and uevents clear, attach of an unknown mdev fails, no socket is exit 2" {
	echo "$U1" >"$TYPE/create"
	ctl dmesg clear
	ctl uevents clear
	run ctl dmesg
	expect_eq "" "$output"
	run ctl uevents
	expect_eq "" "$output"
	run ctl attach "$U2"
	expect_eq 1 "$status" "attach of an unknown mdev"
	run "$APSIMCTL" -S "$BATS_TEST_TMPDIR/no.sock" dump
	expect_eq 2 "$status" "exit status without a socket"
}
