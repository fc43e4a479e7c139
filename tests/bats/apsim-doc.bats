#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The worked examples of the AP documentation (scenarios.md), done the way an
# administrator does them: plain shell echo into sysfs.

load helpers

teardown() {
	sim_stop
}

# as_admin COMMAND: run a shell command line; $output has the shell's message
as_admin() {
	run bash -c "$1"
}

# expect_echo_fails COMMAND MESSAGE: the echo fails with the strerror text
expect_echo_fails() {
	as_admin "$1"
	[[ $status -ne 0 ]] || fail "'$1' succeeded" || return 1
	[[ $output == *"write error: $2"* ]] || fail "'$1' failed with '$output', expected '$2'"
}

@test "doc: echo -5,-6 > apmask hands adapters 5 and 6 to vfio_ap" {
	sim_start doc-example
	expect_r "$AP/ap_adapter_mask" "$(mask_of 5 6)\n"
	expect_r "$AP/ap_usage_domain_mask" "$(mask_of 4 0x47 0xab 0xff)\n"
	run bound_devices cex4queue
	expect_eq $'05.0004\n05.0047\n05.00ab\n05.00ff\n06.0004\n06.0047\n06.00ab\n06.00ff' "$output"
	echo -5,-6 >"$AP/apmask"
	expect_r "$AP/apmask" "$(mask_all_but 5 6)\n"
	expect_r "$AP/aqmask" "$(mask_all)\n"
	run bound_devices vfio_ap
	expect_eq $'05.0004\n05.0047\n05.00ab\n05.00ff\n06.0004\n06.0047\n06.00ab\n06.00ff' "$output"
	run bound_devices cex4queue
	expect_eq "" "$output" "cex4queue devices"
	run bound_devices cex4card
	expect_eq $'card05\ncard06' "$output" "cex4card devices"
	local q
	for q in 05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff; do
		expect_driver "$q" vfio_ap
		expect_r "$AP/devices/$q/status" "unassigned\n"
	done
	# the absolute form writes the whole mask
	echo 0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff >"$AP/apmask"
	expect_r "$AP/apmask" "$(mask_all_but 5 6)\n"
	run bound_devices cex4queue
	expect_eq "" "$output" "cex4queue devices"
}

@test "doc: apmask 0x7d00... and aqmask 0x8000... leave exactly (1,0) (2,0) (3,0) (4,0) (5,0) (7,0) to the host" {
	sim_start t-eight
	echo 0x7d00000000000000000000000000000000000000000000000000000000000000 >"$AP/apmask"
	echo 0x8000000000000000000000000000000000000000000000000000000000000000 >"$AP/aqmask"
	expect_r "$AP/apmask" "$(mask_of 1 2 3 4 5 7)\n"
	expect_r "$AP/aqmask" "$(mask_of 0)\n"
	run bound_devices cex4queue
	expect_eq $'01.0000\n02.0000\n03.0000\n04.0000\n05.0000\n07.0000' "$output" "host queues"
	local a d q exp=""
	for a in 0 1 2 3 4 5 6 7; do
		for d in 0 1 5 6 7; do
			q=$(printf '%02x.%04x' "$a" "$d")
			case $q in
			01.0000 | 02.0000 | 03.0000 | 04.0000 | 05.0000 | 07.0000)
				expect_driver "$q" cex4queue ;;
			*)
				expect_driver "$q" vfio_ap
				exp+="$q"$'\n' ;;
			esac
		done
	done
	run bound_devices vfio_ap
	expect_eq "${exp%$'\n'}" "$output" "vfio_ap queues"
	run bound_devices cex4card
	expect_eq $'card00\ncard01\ncard02\ncard03\ncard04\ncard05\ncard06\ncard07' "$output"
	# 0x41... identifies ids 1 and 7
	echo 0x41 >"$AP/apmask"
	expect_r "$AP/apmask" "$(mask_of 1 7)\n"
	run bound_devices cex4queue
	expect_eq $'01.0000\n07.0000' "$output" "host queues with 0x41"
	# older text: 0x7dff...ff with all domains: 0 and 6 are vfio_ap's
	echo 0x7dffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff >"$AP/apmask"
	echo 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff >"$AP/aqmask"
	run bound_devices vfio_ap
	expect_eq $'00.0000\n00.0001\n00.0005\n00.0006\n00.0007\n06.0000\n06.0001\n06.0005\n06.0006\n06.0007' \
		"$output" "vfio_ap queues with 0x7dff..."
	expect_driver 01.0007 cex4queue
}

three_guest() {
	sim_start doc-example "$1"
	local T=$TYPE G1=$MATRIX/$U1 G2=$MATRIX/$U2 G3=$MATRIX/$U3
	# before the reservation every APQN is the host's: EADDRNOTAVAIL, not logged
	echo "$U1" >"$T/create"
	echo 5 >"$G1/assign_adapter"
	ctl dmesg clear
	expect_echo_fails "echo 4 > '$G1/assign_domain'" "Cannot assign requested address"
	expect_dmesg ""
	expect_r "$G1/matrix" "05.\n"
	echo 5 >"$G1/unassign_adapter"
	# 1. reserve adapters 5 and 6 for vfio_ap
	echo -5,-6 >"$AP/apmask"
	# 2. create the other two mdevs
	echo "$U2" >"$T/create"
	echo "$U3" >"$T/create"
	expect_r "$T/available_instances" "65533\n"
	# 3. configure
	echo 5 >"$G1/assign_adapter"
	echo 6 >"$G1/assign_adapter"
	echo 4 >"$G1/assign_domain"
	echo 0xab >"$G1/assign_domain"
	echo 5 >"$G2/assign_adapter"
	echo 0x47 >"$G2/assign_domain"
	echo 0xff >"$G2/assign_domain"
	echo 6 >"$G3/assign_adapter"
	echo 0x47 >"$G3/assign_domain"
	echo 0xff >"$G3/assign_domain"
	# 4. matrix and guest_matrix
	expect_r "$G1/matrix" "05.0004\n05.00ab\n06.0004\n06.00ab\n"
	expect_r "$G2/matrix" "05.0047\n05.00ff\n"
	expect_r "$G3/matrix" "06.0047\n06.00ff\n"
	expect_r "$G1/guest_matrix" "05.0004\n05.00ab\n06.0004\n06.00ab\n"
	expect_r "$G2/guest_matrix" "05.0047\n05.00ff\n"
	expect_r "$G3/guest_matrix" "06.0047\n06.00ff\n"
	if [[ $1 != 6.1 ]]; then
		expect_r "$G1/ap_config" "$(mask_of 5 6),$(mask_of 4 0xab),$(mask_zero)\n"
	fi
	local q
	for q in 05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff; do
		expect_r "$AP/devices/$q/status" "assigned\n"
	done
	# 5. guest 1 starts
	ctl attach "$U1"
	for q in 05.0004 05.00ab 06.0004 06.00ab; do
		expect_r "$AP/devices/$q/status" "in use\n"
	done
	for q in 05.0047 05.00ff 06.0047 06.00ff; do
		expect_r "$AP/devices/$q/status" "assigned\n"
	done
	# 05.0004 belongs to guest 1: EADDRINUSE and a line naming guest 1
	ctl dmesg clear
	expect_echo_fails "echo 4 > '$G2/assign_domain'" "Address already in use"
	expect_dmesg "vfio_ap_mdev $U2: Userspace may not assign queue 05.0004 to mdev: already assigned to $U1"
	expect_r "$G2/matrix" "05.0047\n05.00ff\n"
	# taking adapter 5 back for the host: EBUSY, lines for the newest holder
	ctl dmesg clear
	expect_echo_fails "echo +5 > '$AP/apmask'" "Device or resource busy"
	expect_dmesg "vfio_ap_mdev $U2: Can not reserve queue 05.0047 for host driver: in use by mdev
vfio_ap_mdev $U2: Can not reserve queue 05.00ff for host driver: in use by mdev"
	expect_r "$AP/apmask" "$(mask_all_but 5 6)\n"
	for q in 05.0004 05.0047 05.00ab 05.00ff; do
		expect_driver "$q" vfio_ap
	done
	# 6. guests stop, mdevs are removed, the queues go back to the host
	ctl detach "$U1"
	echo 1 >"$G1/remove"
	echo 1 >"$G2/remove"
	echo 1 >"$G3/remove"
	expect_missing "$G1" "$G2" "$G3"
	expect_r "$T/available_instances" "65536\n"
	for q in 05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff; do
		expect_r "$AP/devices/$q/status" "unassigned\n"
	done
	echo +5,+6 >"$AP/apmask"
	expect_r "$AP/apmask" "$(mask_all)\n"
	for q in 05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff; do
		expect_driver "$q" cex4queue
		expect_r "$AP/devices/$q/online" "1\n"
	done
}

@test "doc: the three-guest example built with echo, with the documented failures [7.2]" {
	three_guest 7.2
}

@test "doc: the three-guest example built with echo, with the documented failures [6.12]" {
	three_guest 6.12
}

@test "doc: the three-guest example built with echo, with the documented failures [6.1]" {
	three_guest 6.1
}

@test "doc: the two-guest validity example (shared 01.0006 is refused)" {
	sim_start t-eight
	echo -1,-2 >"$AP/apmask"
	echo "$U1" >"$TYPE/create"
	echo "$U2" >"$TYPE/create"
	local G1=$MATRIX/$U1 G2=$MATRIX/$U2
	echo 1 >"$G1/assign_adapter"
	echo 2 >"$G1/assign_adapter"
	echo 5 >"$G1/assign_domain"
	echo 6 >"$G1/assign_domain"
	# valid: guest 2 adapters 1,2 domain 7
	echo 1 >"$G2/assign_adapter"
	echo 2 >"$G2/assign_adapter"
	echo 7 >"$G2/assign_domain"
	expect_r "$G1/matrix" "01.0005\n01.0006\n02.0005\n02.0006\n"
	expect_r "$G2/matrix" "01.0007\n02.0007\n"
	# invalid: guest 2 adapter 1 domains 6,7 reaches 01.0006
	echo 2 >"$G2/unassign_adapter"
	ctl dmesg clear
	expect_echo_fails "echo 6 > '$G2/assign_domain'" "Address already in use"
	expect_dmesg "vfio_ap_mdev $U2: Userspace may not assign queue 01.0006 to mdev: already assigned to $U1"
	expect_r "$G2/matrix" "01.0007\n"
}
