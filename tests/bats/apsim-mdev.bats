#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# kernel-abi.md §10 "vfio_ap matrix and mdev" (§4, §5.1-§5.3, §6): the matrix
# device, the type directory, create/remove, assignment, ap_config.
# The guest_matrix state machine and queue status are in apsim-shadow.bats.

load helpers

teardown() {
	sim_stop
}

Z=0x0000000000000000000000000000000000000000000000000000000000000000

mk() {
	expect_w "$TYPE/create" "$1" OK
}

@test "checklist: matrix/features reads guest_matrix hotplug ap_config" {
	sim_start t-doc
	expect_r "$MATRIX/features" "guest_matrix hotplug ap_config\n"
	run "$APSIM_IO" stat "$MATRIX/features"
	expect_eq "4096 0444" "$output"
}

@test "checklist: type dir vfio_ap-passthrough has name, device_api, available_instances 65536 minus live mdevs, no description" {
	sim_start t-doc
	expect_r "$TYPE/name" "VFIO AP Passthrough Device\n"
	expect_r "$TYPE/device_api" "vfio-ap\n"
	expect_r "$TYPE/available_instances" "65536\n"
	expect_missing "$TYPE/description"
	run bash -c "cd '$MATRIX/mdev_supported_types' && ls"
	expect_eq vfio_ap-passthrough "$output" "mdev types"
	mk "$U1"
	expect_r "$TYPE/available_instances" "65535\n"
	mk "$U2"
	expect_r "$TYPE/available_instances" "65534\n"
	w "$MATRIX/$U1/remove" 1
	expect_r "$TYPE/available_instances" "65535\n"
	expect_same_file "$S/class/mdev_bus/matrix" "$MATRIX"
	expect_same_file "$S/bus/matrix/devices/matrix" "$MATRIX"
}

@test "checklist: create accepts 36 or 37 bytes, validates the first 36, ignores the 37th" {
	sim_start t-doc
	expect_w "$TYPE/create" "$U1" "OK 36"
	expect_w "$TYPE/create" "$U2\n" "OK 37"
	expect_w "$TYPE/create" "${U3}X" "OK 37"
	expect_exists "$MATRIX/$U1" "$MATRIX/$U2" "$MATRIX/$U3"
	local bad
	for bad in "$U4\r\n" "{$U4}" "$U4\n\n" "${U4:0:35}" "${U4:0:35}\n" "${U4}xy" \
		"44444444-4444-4444-8444-44444444444g" "444444444-444-4444-8444-444444444444" \
		"44444444+4444-4444-8444-444444444444" " $U4" "\n" "0"; do
		expect_w "$TYPE/create" "$bad" EINVAL
	done
	expect_missing "$MATRIX/$U4"
	expect_r "$TYPE/available_instances" "65533\n"
	# any hex case; any layout other than 8-4-4-4-12 fails
	expect_w "$TYPE/create" "AbCdEf01-2345-6789-aBcD-ef0123456789" "OK 36"
	expect_exists "$MATRIX/abcdef01-2345-6789-abcd-ef0123456789"
	expect_w "$TYPE/create" "abcdef012-345-6789-abcd-ef0123456789" EINVAL
}

@test "checklist: create rejects a duplicate in any case with EEXIST" {
	sim_start t-doc
	mk "$U1"
	expect_w "$TYPE/create" "$U1" EEXIST
	expect_w "$TYPE/create" "${U1^^}\n" EEXIST
	mk "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	expect_w "$TYPE/create" "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE" EEXIST
	expect_w "$TYPE/create" "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" EEXIST
	expect_r "$TYPE/available_instances" "65534\n"
}

@test "checklist: create makes the lowercase directory and all links before write returns" {
	sim_start t-doc
	local up=ABCDEF01-2345-4789-ABCD-EF0123456789 lo=abcdef01-2345-4789-abcd-ef0123456789
	expect_w "$TYPE/create" "$up\n" OK
	expect_exists "$MATRIX/$lo"
	expect_missing "$MATRIX/$up"
	[[ -L $TYPE/devices/$lo ]] || fail "no link $TYPE/devices/$lo"
	expect_same_file "$TYPE/devices/$lo" "$MATRIX/$lo"
	[[ -L $S/bus/mdev/devices/$lo ]] || fail "no link in bus/mdev/devices"
	expect_same_file "$S/bus/mdev/devices/$lo" "$MATRIX/$lo"
	expect_same_file "$MATRIX/$lo/mdev_type" "$TYPE"
	expect_eq vfio_ap_mdev "$(basename "$(readlink "$MATRIX/$lo/driver")")" "driver link name"
	expect_same_file "$MATRIX/$lo/driver" "$S/bus/mdev/drivers/vfio_ap_mdev"
	expect_same_file "$S/bus/mdev/drivers/vfio_ap_mdev/$lo" "$MATRIX/$lo"
	local f
	for f in assign_adapter unassign_adapter assign_domain unassign_domain \
		assign_control_domain unassign_control_domain control_domains matrix \
		guest_matrix ap_config remove; do
		expect_exists "$MATRIX/$lo/$f"
	done
	expect_missing "$MATRIX/$lo/queue_config" "$MATRIX/$lo/migratable"
}

@test "checklist: remove parses with kstrtoul (errors EINVAL), 0 is a no-op, 1 removes synchronously" {
	sim_start t-doc
	mk "$U1"
	local bad
	for bad in x -1 " 1" "1 " "1\n\n" 08 0x "18446744073709551616" "\n"; do
		expect_w "$MATRIX/$U1/remove" "$bad" EINVAL
	done
	expect_w "$MATRIX/$U1/remove" "0" OK
	expect_w "$MATRIX/$U1/remove" "0x0\n" OK
	expect_w "$MATRIX/$U1/remove" "" "OK 0"
	expect_exists "$MATRIX/$U1"
	expect_w "$MATRIX/$U1/remove" "+1\n" OK
	expect_missing "$MATRIX/$U1" "$S/bus/mdev/devices/$U1" "$TYPE/devices/$U1" \
		"$S/bus/mdev/drivers/vfio_ap_mdev/$U1"
	expect_r "$TYPE/available_instances" "65536\n"
	# the same UUID can be created again
	mk "$U1"
	expect_w "$MATRIX/$U1/remove" "2" OK
	expect_missing "$MATRIX/$U1"
}

@test "checklist: remove blocks while a guest has the mdev open (6.x) until it is released" {
	sim_start t-doc
	mk "$U1"
	ctl attach "$U1"
	ctl dmesg clear
	"$APSIM_IO" write "$MATRIX/$U1/remove" 1 >"$BATS_TEST_TMPDIR/remove.out" &
	local pid=$!
	wait_for "the blocked-remove notice" \
		bash -c "'$APSIMCTL' dmesg | grep -qF 'vfio_ap_mdev $U1: No device request registered, blocked until released by user'"
	kill -0 "$pid" || fail "remove did not block"
	expect_exists "$MATRIX/$U1"
	# the blocked remove does not hold the simulator's mutex (README)
	run timeout 30 "$APSIM_IO" write "$AP/apmask" "-6"
	expect_eq "OK 2" "$output" "mask write while a remove is blocked"
	run timeout 30 "$APSIM_IO" write "$TYPE/create" "$U2"
	expect_eq "OK 36" "$output" "create while a remove is blocked"
	kill -0 "$pid" || fail "remove did not block"
	ctl detach "$U1"
	wait "$pid"
	expect_eq "OK 1" "$(cat "$BATS_TEST_TMPDIR/remove.out")" "remove result"
	expect_missing "$MATRIX/$U1"
	expect_dmesg "vfio_ap_mdev $U1: No device request registered, blocked until released by user"
}

@test "checklist: assign/unassign parse with kstrtoul (octal!) and are ENODEV above the max" {
	sim_start t-small
	w "$AP/apmask" "0x"
	mk "$U1"
	ctl dmesg clear
	local M=$MATRIX/$U1 f bad
	expect_w "$M/assign_domain" "010" OK
	expect_r "$M/matrix" ".0008\n"
	expect_w "$M/assign_domain" "+0x3\n" OK
	expect_r "$M/matrix" ".0003\n.0008\n"
	for f in assign_adapter unassign_adapter assign_domain unassign_domain \
		assign_control_domain unassign_control_domain; do
		for bad in "-1" " 1" "1 " "1\n\n" "08" "0x" "1a" "\n" "0x1g"; do
			expect_w "$M/$f" "$bad" EINVAL
		done
		expect_w "$M/$f" "18446744073709551616" ERANGE
		expect_w "$M/$f" "18446744073709551615" ENODEV
	done
	expect_r "$M/matrix" ".0003\n.0008\n"
	# the store sees a C string: a NUL byte ends it
	expect_w "$M/assign_domain" "4\0junk" OK
	expect_r "$M/matrix" ".0003\n.0004\n.0008\n"
	expect_w "$M/unassign_domain" 4 OK
	# maxima of this host: 63 adapters, 15 domains
	expect_w "$M/assign_adapter" 64 ENODEV
	expect_w "$M/assign_adapter" 0x3f OK
	expect_w "$M/assign_domain" 16 ENODEV
	expect_w "$M/assign_domain" 017 OK
	expect_w "$M/assign_control_domain" 16 ENODEV
	expect_w "$M/assign_control_domain" 15 OK
	expect_w "$M/unassign_adapter" 64 ENODEV
	expect_w "$M/unassign_domain" 16 ENODEV
	expect_w "$M/unassign_control_domain" 16 ENODEV
	expect_r "$M/control_domains" "000f\n"
	expect_r "$M/matrix" "3f.0003\n3f.0008\n3f.000f\n"
	# EINVAL, ERANGE and ENODEV are not logged
	expect_dmesg ""
}

@test "checklist: assign check order parse, max, already-set, EADDRNOTAVAIL, EADDRINUSE" {
	sim_start t-doc
	mk "$U1"
	mk "$U2"
	# parse before max
	expect_w "$MATRIX/$U1/assign_adapter" "0x100 " EINVAL
	# max before ownership: everything is host-owned here
	expect_w "$MATRIX/$U1/assign_domain" 4 OK
	expect_w "$MATRIX/$U1/assign_adapter" 256 ENODEV
	expect_w "$MATRIX/$U1/assign_adapter" 5 EADDRNOTAVAIL
	# EADDRNOTAVAIL before EADDRINUSE
	w "$AP/apmask" "-5"
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK
	expect_w "$MATRIX/$U2/assign_adapter" 5 OK
	expect_w "$MATRIX/$U2/assign_adapter" 6 OK
	ctl dmesg clear
	# U2: {5,6}x{4}: 05.0004 shared with U1, 06.0004 host-owned
	expect_w "$MATRIX/$U2/assign_domain" 4 EADDRNOTAVAIL
	expect_dmesg ""
	expect_r "$MATRIX/$U2/matrix" "05.\n06.\n"
	# already set: success without re-validation
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK
	expect_w "$MATRIX/$U1/assign_domain" 4 OK
	expect_r "$MATRIX/$U1/matrix" "05.0004\n"
	# EADDRINUSE, logged, bit cleared again
	expect_w "$MATRIX/$U2/unassign_adapter" 6 OK
	expect_w "$MATRIX/$U2/assign_domain" 4 EADDRINUSE
	expect_dmesg "vfio_ap_mdev $U2: Userspace may not assign queue 05.0004 to mdev: already assigned to $U1"
	expect_r "$MATRIX/$U2/matrix" "05.\n"
}

@test "checklist: an already-set assignment is not re-validated" {
	# a boot-time mdev that holds a host-owned APQN (as after an apmask change
	# on a kernel without the in_use check)
	local host=$BATS_TEST_TMPDIR/host.json
	jq --arg u "$U1" --arg am "$(mask_of 5)" --arg qm "$(mask_of 4)" \
		'.apmask = $am | .aqmask = $qm |
		 .mdevs = [{uuid: $u, adapters: [5], domains: [4], control_domains: []}]' \
		"$BATS_HOSTS/t-doc.json" >"$host"
	sim_start "$host"
	expect_r "$MATRIX/$U1/matrix" "05.0004\n"
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK
	expect_w "$MATRIX/$U1/assign_domain" 4 OK
	# a new bit validates the whole product, old APQNs included
	expect_w "$MATRIX/$U1/assign_adapter" 6 EADDRNOTAVAIL
	expect_w "$MATRIX/$U1/assign_domain" 0x47 EADDRNOTAVAIL
	expect_r "$MATRIX/$U1/matrix" "05.0004\n"
}

@test "checklist: sharing log names the newest conflicting mdev, one line per shared APQN" {
	sim_start t-doc
	w "$AP/apmask" "-5,-6"
	mk "$U1"
	mk "$U2"
	mk "$U3"
	w "$MATRIX/$U1/assign_adapter" 5
	w "$MATRIX/$U1/assign_domain" 4
	w "$MATRIX/$U2/assign_adapter" 5
	w "$MATRIX/$U2/assign_domain" 0xab
	w "$MATRIX/$U2/assign_domain" 0xff
	# U3 domains first (empty product), then the adapter conflicts with U1 and U2
	w "$MATRIX/$U3/assign_domain" 4
	w "$MATRIX/$U3/assign_domain" 0xab
	w "$MATRIX/$U3/assign_domain" 0xff
	ctl dmesg clear
	expect_w "$MATRIX/$U3/assign_adapter" 5 EADDRINUSE
	expect_dmesg "vfio_ap_mdev $U3: Userspace may not assign queue 05.00ab to mdev: already assigned to $U2
vfio_ap_mdev $U3: Userspace may not assign queue 05.00ff to mdev: already assigned to $U2"
	expect_r "$MATRIX/$U3/matrix" ".0004\n.00ab\n.00ff\n"
}

@test "checklist: with the other dimension empty an assignment always succeeds" {
	sim_start t-doc
	mk "$U1"
	mk "$U2"
	# host-owned adapter, not-configured adapter
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK
	expect_w "$MATRIX/$U1/assign_adapter" 0x20 OK
	expect_r "$MATRIX/$U1/matrix" "05.\n20.\n"
	expect_w "$MATRIX/$U1/assign_domain" 4 EADDRNOTAVAIL
	expect_r "$MATRIX/$U1/matrix" "05.\n20.\n"
	expect_w "$MATRIX/$U2/assign_domain" 4 OK
	expect_w "$MATRIX/$U2/assign_domain" 0x10 OK
	expect_r "$MATRIX/$U2/matrix" ".0004\n.0010\n"
	# a second mdev with the same adapters and no domains does not conflict
	expect_w "$MATRIX/$U2/unassign_domain" 4 OK
	expect_w "$MATRIX/$U2/unassign_domain" 0x10 OK
	expect_w "$MATRIX/$U2/assign_adapter" 5 OK
	expect_r "$MATRIX/$U2/matrix" "05.\n"
}

@test "checklist: unassigning an id that is not assigned succeeds" {
	sim_start t-doc
	mk "$U1"
	expect_w "$MATRIX/$U1/unassign_adapter" 7 OK
	expect_w "$MATRIX/$U1/unassign_domain" 9 OK
	expect_w "$MATRIX/$U1/unassign_control_domain" 9 OK
	expect_r "$MATRIX/$U1/matrix" ""
	w "$AP/apmask" "-5"
	w "$MATRIX/$U1/assign_adapter" 5
	w "$MATRIX/$U1/assign_domain" 4
	expect_w "$MATRIX/$U1/unassign_domain" 0x47 OK
	expect_w "$MATRIX/$U1/unassign_domain" 4 OK
	expect_w "$MATRIX/$U1/unassign_domain" 4 OK
	expect_r "$MATRIX/$U1/matrix" "05.\n"
}

@test "checklist: control domains have only the ENODEV max check, no ownership or sharing checks" {
	sim_start t-doc
	mk "$U1"
	mk "$U2"
	expect_w "$MATRIX/$U1/assign_control_domain" 4 OK
	expect_w "$MATRIX/$U2/assign_control_domain" 4 OK
	expect_w "$MATRIX/$U1/assign_control_domain" 0xab OK
	expect_w "$MATRIX/$U1/assign_control_domain" 0x10 OK
	expect_w "$MATRIX/$U1/assign_control_domain" 0 OK
	expect_w "$MATRIX/$U1/assign_control_domain" 0x100 ENODEV
	expect_w "$MATRIX/$U1/assign_control_domain" 4 OK
	expect_r "$MATRIX/$U1/control_domains" "0000\n0004\n0010\n00ab\n"
	expect_r "$MATRIX/$U2/control_domains" "0004\n"
	# never in matrix or guest_matrix
	expect_r "$MATRIX/$U1/matrix" ""
	expect_r "$MATRIX/$U1/guest_matrix" ""
	expect_w "$MATRIX/$U1/unassign_control_domain" 0x10 OK
	expect_r "$MATRIX/$U1/control_domains" "0000\n0004\n00ab\n"
}

@test "checklist: control_domains is one %04lx line per domain, empty when none" {
	sim_start t-doc
	mk "$U1"
	expect_r "$MATRIX/$U1/control_domains" ""
	w "$MATRIX/$U1/assign_control_domain" 0xff
	w "$MATRIX/$U1/assign_control_domain" 1
	expect_r "$MATRIX/$U1/control_domains" "0001\n00ff\n"
	run "$APSIM_IO" stat "$MATRIX/$U1/control_domains"
	expect_eq "4096 0444" "$output"
}

@test "checklist: matrix format AA.DDDD adapter-major, AA. only, .DDDD only, or empty" {
	sim_start t-doc
	mk "$U1"
	expect_r "$MATRIX/$U1/matrix" ""
	w "$AP/apmask" "-5,-6"
	w "$MATRIX/$U1/assign_adapter" 6
	w "$MATRIX/$U1/assign_adapter" 5
	expect_r "$MATRIX/$U1/matrix" "05.\n06.\n"
	w "$MATRIX/$U1/assign_domain" 0xab
	w "$MATRIX/$U1/assign_domain" 4
	expect_r "$MATRIX/$U1/matrix" "05.0004\n05.00ab\n06.0004\n06.00ab\n"
	w "$MATRIX/$U1/unassign_adapter" 5
	w "$MATRIX/$U1/unassign_adapter" 6
	expect_r "$MATRIX/$U1/matrix" ".0004\n.00ab\n"
	w "$MATRIX/$U1/unassign_domain" 4
	w "$MATRIX/$U1/unassign_domain" 0xab
	expect_r "$MATRIX/$U1/matrix" ""
}

@test "checklist: ap_config reads 201 bytes of three masks" {
	sim_start t-doc
	mk "$U1"
	expect_r "$MATRIX/$U1/ap_config" "$Z,$Z,$Z\n"
	run bash -c "'$APSIM_IO' read '$MATRIX/$U1/ap_config' | wc -c"
	expect_eq 201 "$output"
	w "$AP/apmask" "-5,-6"
	w "$MATRIX/$U1/assign_adapter" 5
	w "$MATRIX/$U1/assign_adapter" 6
	w "$MATRIX/$U1/assign_domain" 4
	w "$MATRIX/$U1/assign_domain" 0xab
	w "$MATRIX/$U1/assign_control_domain" 0xff
	expect_r "$MATRIX/$U1/ap_config" "$(mask_of 5 6),$(mask_of 4 0xab),$(mask_of 0xff)\n"
}

@test "checklist: ap_config write truncated at 201 bytes, returns the full count" {
	sim_start t-doc
	w "$AP/apmask" "0x"
	mk "$U1"
	local cfg junk
	cfg="$(mask_of 5),$(mask_of 4),$(mask_of 3)"
	expect_eq 200 "${#cfg}" "length of the configuration"
	printf -v junk '%*s' 1000 ''
	expect_w "$MATRIX/$U1/ap_config" "$cfg\n${junk// /Z}" "OK 1201"
	expect_r "$MATRIX/$U1/ap_config" "$cfg\n"
	expect_r "$MATRIX/$U1/matrix" "05.0004\n"
	# a 65th digit inside the first 201 bytes is seen
	expect_w "$MATRIX/$U1/ap_config" "${cfg}0" EINVAL
	expect_r "$MATRIX/$U1/ap_config" "$cfg\n"
}

@test "checklist: ap_config tokens split on comma/newline; fewer than 3 EINVAL; extra ignored; empty is zero" {
	sim_start t-doc
	w "$AP/apmask" "0x"
	mk "$U1"
	local M=$MATRIX/$U1
	expect_w "$M/ap_config" "0x04,0x08,0x1" OK
	expect_r "$M/ap_config" "$(mask_of 5),$(mask_of 4),$(mask_of 3)\n"
	expect_r "$M/matrix" "05.0004\n"
	expect_r "$M/control_domains" "0003\n"
	expect_w "$M/ap_config" ",," OK
	expect_r "$M/ap_config" "$Z,$Z,$Z\n"
	expect_w "$M/ap_config" "06\n0800\nx2" OK
	expect_r "$M/ap_config" "$(mask_of 5 6),$(mask_of 4),$(mask_of 2)\n"
	expect_w "$M/ap_config" "0x04,0x08,0x1,garbage,+5" OK
	expect_r "$M/ap_config" "$(mask_of 5),$(mask_of 4),$(mask_of 3)\n"
	# strsep: "A,B\n" has an empty third token
	expect_w "$M/ap_config" "0x02,0x08\n" OK
	expect_r "$M/ap_config" "$(mask_of 6),$(mask_of 4),$Z\n"
	local bad
	for bad in "0x04,0x08" "0x04" "" "\n" "0X4,," "0x4 ,," ",,+5" ",-5," "0x4,,0x1\r" \
		"0x${Z#0x}0,," ",,0x0 " " ,,"; do
		[[ -z $bad ]] && continue
		expect_w "$M/ap_config" "$bad" EINVAL
		expect_r "$M/ap_config" "$(mask_of 6),$(mask_of 4),$Z\n"
	done
}

@test "checklist: ap_config error order EINVAL, EADDRNOTAVAIL, EADDRINUSE, ENODEV with full rollback" {
	sim_start t-small
	mk "$U1"
	mk "$U2"
	local M=$MATRIX/$U1
	# control domains: no ownership check (every APQN is host-owned here)
	expect_w "$M/ap_config" "$Z,$Z,$(mask_of 1 2 3)" OK
	expect_w "$M/ap_config" ",," OK
	# 01.0001 is host-owned, adapter 100 is above the maximum (63)
	expect_w "$M/ap_config" "$(mask_of 1 100),$(mask_of 1),0X1" EINVAL
	expect_w "$M/ap_config" "$(mask_of 1 100),$(mask_of 1),$(mask_of 3)" EADDRNOTAVAIL
	expect_r "$M/ap_config" "$Z,$Z,$Z\n"
	w "$AP/apmask" "0x"
	expect_w "$M/ap_config" "$(mask_of 2),$(mask_of 2),$(mask_of 1)" OK
	w "$MATRIX/$U2/assign_adapter" 1
	w "$MATRIX/$U2/assign_domain" 1
	local old
	old="$(mask_of 2),$(mask_of 2),$(mask_of 1)"
	ctl dmesg clear
	expect_w "$M/ap_config" "$(mask_of 1 100),$(mask_of 1),$(mask_of 3)" EADDRINUSE
	expect_dmesg "vfio_ap_mdev $U1: Userspace may not assign queue 01.0001 to mdev: already assigned to $U2"
	expect_r "$M/ap_config" "$old\n"
	expect_r "$M/matrix" "02.0002\n"
	expect_w "$M/ap_config" "$(mask_of 2 100),$(mask_of 2),$(mask_of 3)" ENODEV
	expect_w "$M/ap_config" "$(mask_of 2),$(mask_of 2 16),$(mask_of 3)" ENODEV
	expect_w "$M/ap_config" "$(mask_of 2),$(mask_of 2),$(mask_of 16)" ENODEV
	expect_r "$M/ap_config" "$old\n"
	expect_r "$M/matrix" "02.0002\n"
	expect_r "$M/control_domains" "0001\n"
	# control domains: no sharing check
	expect_w "$M/ap_config" "$(mask_of 2),$(mask_of 2),$(mask_of 1 2 3)" OK
	expect_w "$MATRIX/$U2/ap_config" "$(mask_of 1),$(mask_of 1),$(mask_of 1 2 3)" OK
}

@test "checklist: ap_config write returns the byte count even when nothing changes" {
	sim_start t-doc
	mk "$U1"
	local cur
	cur=$(r "$MATRIX/$U1/ap_config")
	expect_w "$MATRIX/$U1/ap_config" "$cur\n" "OK 201"
	expect_w "$MATRIX/$U1/ap_config" "$cur" "OK 200"
	expect_w "$MATRIX/$U1/ap_config" ",," "OK 2"
	expect_r "$MATRIX/$U1/ap_config" "$cur\n"
}

@test "checklist: create is EUSERS when all 65536 instances exist" {
	sim_start t-doc
	awk 'BEGIN { for (i = 0; i < 65536; i++) printf "%08x-0000-4000-8000-%012x\n", i, i }' |
		"$APSIM_IO" writelines "$TYPE/create" | sort | uniq -c | awk '{ $1 = $1; print }' \
		>"$BATS_TEST_TMPDIR/res"
	expect_eq "65536 OK 37" "$(cat "$BATS_TEST_TMPDIR/res")" "create results"
	expect_r "$TYPE/available_instances" "0\n"
	expect_w "$TYPE/create" "$U1" EUSERS
	expect_missing "$MATRIX/$U1"
	w "$MATRIX/00000000-0000-4000-8000-000000000000/remove" 1
	expect_r "$TYPE/available_instances" "1\n"
	expect_w "$TYPE/create" "$U1" OK
}

@test "spec §4.1/§3: matrix device on the matrix bus, its driver has no bind/unbind" {
	sim_start t-doc
	expect_same_file "$MATRIX/driver" "$S/bus/matrix/drivers/vfio_ap"
	expect_same_file "$MATRIX/subsystem" "$S/bus/matrix"
	expect_missing "$S/bus/matrix/drivers/vfio_ap/bind" "$S/bus/matrix/drivers/vfio_ap/unbind"
	expect_exists "$S/bus/mdev/drivers/vfio_ap_mdev"
	expect_exists "$DRV/vfio_ap/bind" "$DRV/vfio_ap/unbind"
}

@test "spec §5.1: vfio_ap uses Na=0 from QCI while the bus falls back to 63" {
	local host=$BATS_TEST_TMPDIR/host.json
	jq '.max_adapter_id = 0 | .adapters = [{id: 0, type: "CEX7", mode: "cca"}]' \
		"$BATS_HOSTS/t-doc.json" >"$host"
	sim_start "$host"
	expect_r "$AP/ap_max_adapter_id" "63\n"
	mk "$U1"
	expect_w "$MATRIX/$U1/assign_adapter" 1 ENODEV
	expect_w "$MATRIX/$U1/assign_adapter" 0 OK
}

@test "spec §6: the sharing log covers the assignee's whole new matrix, old APQNs included" {
	# two boot-time mdevs that already share 05.0004
	local host=$BATS_TEST_TMPDIR/host.json
	jq --arg u1 "$U1" --arg u2 "$U2" --arg am "$(mask_all_but 5)" \
		'.apmask = $am |
		 .mdevs = [{uuid: $u1, adapters: [5], domains: [4, 71], control_domains: []},
		           {uuid: $u2, adapters: [5], domains: [4], control_domains: []}]' \
		"$BATS_HOSTS/t-doc.json" >"$host"
	sim_start "$host"
	expect_r "$MATRIX/$U2/matrix" "05.0004\n"
	ctl dmesg clear
	expect_w "$MATRIX/$U2/assign_domain" 0x47 EADDRINUSE
	expect_dmesg "vfio_ap_mdev $U2: Userspace may not assign queue 05.0004 to mdev: already assigned to $U1
vfio_ap_mdev $U2: Userspace may not assign queue 05.0047 to mdev: already assigned to $U1"
	expect_r "$MATRIX/$U2/matrix" "05.0004\n"
}
