#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Kernel generations (kernel-abi.md §7 and the version notes of §1-§5): the
# EBUSY rule variants with the worked example of §1.4, file presence, the
# <=5.19 assignment semantics, parser changes.

load helpers

teardown() {
	sim_stop
}

# §1.4 worked example: mdev U1 holds 05.0004 (+ extra domains), aqmask bit 4 cleared
worked_example_setup() {
	local d
	expect_w "$AP/apmask" "-5" OK || return 1
	expect_w "$TYPE/create" "$U1" OK || return 1
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK || return 1
	for d in 4 "$@"; do
		expect_w "$MATRIX/$U1/assign_domain" "$d" OK || return 1
	done
	expect_w "$AP/aqmask" "-4" OK || return 1
	ctl dmesg clear
}

@test "checklist: EBUSY rule [7.2, >=6.19] candidate set uses all-ones partner masks (worked example fails)" {
	sim_start t-doc 7.2
	worked_example_setup
	expect_w "$AP/apmask" "+5" EBUSY
	expect_r "$AP/apmask" "$(mask_all_but 5)\n"
	expect_dmesg "vfio_ap_mdev $U1: Can not reserve queue 05.0004 for host driver: in use by mdev"
	expect_driver 05.0047 vfio_ap
	# aqmask: all APIDs x newly set APQIs
	ctl dmesg clear
	expect_w "$AP/aqmask" "+4" EBUSY
	expect_r "$AP/aqmask" "$(mask_all_but 4)\n"
	expect_dmesg "vfio_ap_mdev $U1: Can not reserve queue 05.0004 for host driver: in use by mdev"
}

@test "checklist: EBUSY rule [7.2] the log lists every domain of the mdev for the adapter" {
	sim_start t-doc 7.2
	worked_example_setup 0x47
	expect_w "$AP/apmask" "+5" EBUSY
	expect_dmesg "vfio_ap_mdev $U1: Can not reserve queue 05.0004 for host driver: in use by mdev
vfio_ap_mdev $U1: Can not reserve queue 05.0047 for host driver: in use by mdev"
}

ebusy_current_partner() {
	sim_start t-doc "$1"
	worked_example_setup
	# {5} x current aqmask misses domain 4: allowed
	expect_w "$AP/apmask" "+5" OK
	expect_r "$AP/apmask" "$(mask_all_but)\n"
	expect_dmesg ""
	expect_driver 05.0004 vfio_ap
	expect_driver 05.0047 cex4queue
	expect_r "$MATRIX/$U1/matrix" "05.0004\n"
	# a newly host-owned APQN of the mdev: EBUSY
	expect_w "$AP/aqmask" "+4" EBUSY
	expect_r "$AP/aqmask" "$(mask_all_but 4)\n"
	expect_dmesg "vfio_ap_mdev $U1: Can not reserve queue 05.0004 for host driver: in use by mdev"
}

@test "checklist: EBUSY rule [6.12] candidate set uses the current partner mask (worked example succeeds)" {
	ebusy_current_partner 6.12
}

@test "checklist: EBUSY rule [6.1] candidate set uses the current partner mask (worked example succeeds)" {
	ebusy_current_partner 6.1
}

@test "checklist: EBUSY rule [6.12] the log lists only APQNs that would become host-owned" {
	sim_start t-doc 6.12
	worked_example_setup 0x47
	expect_w "$AP/apmask" "+5" EBUSY
	expect_r "$AP/apmask" "$(mask_all_but 5)\n"
	expect_dmesg "vfio_ap_mdev $U1: Can not reserve queue 05.0047 for host driver: in use by mdev"
}

@test "checklist: EBUSY rule [5.10] no check, the mask write takes queues from the mdev" {
	sim_start t-doc 5.10
	worked_example_setup 0x47
	expect_w "$AP/apmask" "+5" OK
	expect_r "$AP/apmask" "$(mask_all_but)\n"
	expect_driver 05.0047 cex4queue
	expect_driver 05.0004 vfio_ap
	expect_w "$AP/aqmask" "+4" OK
	expect_driver 05.0004 cex4queue
	expect_r "$MATRIX/$U1/matrix" "05.0004\n05.0047\n"
	expect_dmesg ""
}

# expect_files KERNEL-LABEL present|absent PATH...
expect_files() {
	local how=$1 p

	shift
	for p; do
		if [[ $how == present ]]; then
			expect_exists "$p" || return 1
		else
			expect_missing "$p" || return 1
		fi
	done
}

presence_setup() {
	sim_start t-doc "$1"
	w "$AP/apmask" "-6"
	w "$TYPE/create" "$U1"
	C=$DEV/card05
	Q=$DEV/card05/05.0004
	VQ=$DEV/card06/06.0004
	MD=$MATRIX/$U1
	expect_files present "$AP/ap_domain" "$AP/ap_control_domain_mask" "$AP/ap_usage_domain_mask" \
		"$AP/ap_adapter_mask" "$AP/ap_interrupts" "$AP/config_time" "$AP/poll_thread" \
		"$AP/poll_timeout" "$AP/ap_max_domain_id" "$AP/ap_max_adapter_id" "$AP/apmask" \
		"$AP/aqmask" "$AP/drivers_probe" "$AP/drivers_autoprobe" "$AP/uevent" \
		"$C/hwtype" "$C/raw_hwtype" "$C/depth" "$C/ap_functions" "$C/request_count" \
		"$C/requestq_count" "$C/pendingq_count" "$C/modalias" "$C/config" \
		"$Q/request_count" "$Q/requestq_count" "$Q/pendingq_count" "$Q/reset" \
		"$Q/interrupt" "$Q/config" "$TYPE/create" "$TYPE/name" "$TYPE/device_api" \
		"$TYPE/available_instances" "$MD/assign_adapter" "$MD/unassign_adapter" \
		"$MD/assign_domain" "$MD/unassign_domain" "$MD/assign_control_domain" \
		"$MD/unassign_control_domain" "$MD/control_domains" "$MD/matrix" "$MD/remove"
	expect_files absent "$AP/ap_bindings" "$Q/se_bind" "$Q/se_associate" "$TYPE/description" \
		"$MD/queue_config"
}

@test "checklist: files present in kernel 5.10 (§7)" {
	presence_setup 5.10
	expect_files absent "$AP/scans" "$AP/bindings" "$AP/features" "$AP/bindings_complete_count" \
		"$C/chkstop" "$C/max_msg_size" "$Q/chkstop" "$Q/ap_functions" "$Q/driver_override" \
		"$VQ/status" "$MATRIX/features" "$MD/guest_matrix" "$MD/ap_config"
}

@test "checklist: files present in kernel 6.1 (§7)" {
	presence_setup 6.1
	expect_files present "$AP/scans" "$AP/bindings" "$C/chkstop" "$C/max_msg_size" \
		"$Q/chkstop" "$VQ/status" "$MD/guest_matrix"
	expect_files absent "$AP/features" "$AP/bindings_complete_count" "$Q/ap_functions" \
		"$Q/driver_override" "$MATRIX/features" "$MD/ap_config"
}

@test "checklist: files present in kernel 6.12 (§7)" {
	presence_setup 6.12
	expect_files present "$AP/scans" "$AP/bindings" "$AP/features" "$C/chkstop" \
		"$C/max_msg_size" "$Q/chkstop" "$Q/ap_functions" "$VQ/status" "$MATRIX/features" \
		"$MD/guest_matrix" "$MD/ap_config"
	expect_files absent "$AP/bindings_complete_count" "$Q/driver_override"
	expect_r "$MATRIX/features" "guest_matrix hotplug ap_config\n"
}

@test "checklist: files present in kernel 7.2 (§7)" {
	presence_setup 7.2
	expect_files present "$AP/scans" "$AP/bindings" "$AP/features" "$AP/bindings_complete_count" \
		"$C/chkstop" "$C/max_msg_size" "$Q/chkstop" "$Q/ap_functions" "$Q/driver_override" \
		"$VQ/status" "$MATRIX/features" "$MD/guest_matrix" "$MD/ap_config"
	expect_r "$MATRIX/features" "guest_matrix hotplug ap_config\n"
}

@test "checklist: apsimctl kernel reports the selected generation" {
	local k
	for k in 5.10 6.1 6.12 7.2; do
		sim_start t-doc "$k"
		run ctl kernel
		expect_eq "$k" "$output" "kernel generation"
		sim_stop
	done
}

@test "checklist: [5.10] assign/unassign are EBUSY while a guest is attached, checked before parsing" {
	sim_start t-doc 5.10
	w "$AP/apmask" "-5"
	w "$TYPE/create" "$U1"
	local M=$MATRIX/$U1
	expect_w "$M/assign_adapter" 5 OK
	expect_w "$M/assign_domain" 4 OK
	ctl attach "$U1"
	local f
	for f in assign_adapter unassign_adapter assign_domain unassign_domain \
		assign_control_domain unassign_control_domain; do
		expect_w "$M/$f" 0x47 EBUSY
		expect_w "$M/$f" garbage EBUSY
		expect_w "$M/$f" 4 EBUSY
	done
	expect_r "$M/matrix" "05.0004\n"
	ctl detach "$U1"
	expect_w "$M/assign_domain" 0x47 OK
	expect_r "$M/matrix" "05.0004\n05.0047\n"
}

@test "checklist: [5.10] EADDRNOTAVAIL means not bound to vfio_ap; no over-provisioning" {
	sim_start t-doc 5.10
	w "$AP/apmask" "-5"
	w "$TYPE/create" "$U1"
	local M=$MATRIX/$U1
	# other dimension empty: some vfio_ap queue must have that id
	expect_w "$M/assign_adapter" 6 EADDRNOTAVAIL
	expect_w "$M/assign_adapter" 7 EADDRNOTAVAIL
	expect_w "$M/assign_adapter" 5 OK
	expect_w "$M/assign_domain" 4 OK
	expect_w "$M/assign_domain" 0x10 EADDRNOTAVAIL
	# an existing queue that is not bound to vfio_ap
	expect_w "$DRV/vfio_ap/unbind" 05.0047 OK
	expect_w "$M/assign_domain" 0x47 EADDRNOTAVAIL
	expect_r "$M/matrix" "05.0004\n"
	# already assigned: re-validated
	expect_w "$DRV/vfio_ap/unbind" 05.0004 OK
	expect_w "$M/assign_adapter" 5 EADDRNOTAVAIL
}

@test "checklist: [5.10] sharing is EADDRINUSE without a log line" {
	sim_start t-doc 5.10
	w "$AP/apmask" "-5"
	w "$TYPE/create" "$U1"
	w "$TYPE/create" "$U2"
	w "$MATRIX/$U1/assign_adapter" 5
	w "$MATRIX/$U1/assign_domain" 4
	expect_w "$MATRIX/$U2/assign_domain" 4 OK
	ctl dmesg clear
	expect_w "$MATRIX/$U2/assign_adapter" 5 EADDRINUSE
	expect_dmesg ""
	expect_r "$MATRIX/$U2/matrix" ".0004\n"
}

@test "checklist: [6.12] assignment semantics are the 6.0 ones (over-provisioning, no EBUSY while attached)" {
	sim_start t-doc 6.12
	w "$AP/apmask" "-5,-7"
	w "$TYPE/create" "$U1"
	local M=$MATRIX/$U1
	expect_w "$M/assign_adapter" 6 OK
	expect_w "$M/assign_adapter" 7 OK
	expect_w "$M/unassign_adapter" 6 OK
	expect_w "$M/assign_adapter" 5 OK
	expect_w "$M/assign_domain" 4 OK
	ctl attach "$U1"
	expect_w "$M/assign_domain" 0x47 OK
	expect_r "$M/matrix" "05.0004\n05.0047\n07.0004\n07.0047\n"
	expect_r "$M/guest_matrix" "05.0004\n05.0047\n"
	expect_r "$DEV/card05/05.0047/status" "in use\n"
}

@test "checklist: [5.10] create is EPERM when all instances are used" {
	sim_start t-doc 5.10
	awk 'BEGIN { for (i = 0; i < 65536; i++) printf "%08x-0000-4000-8000-%012x\n", i, i }' |
		"$APSIM_IO" writelines "$TYPE/create" | sort | uniq -c | awk '{ $1 = $1; print }' \
		>"$BATS_TEST_TMPDIR/res"
	expect_eq "65536 OK 37" "$(cat "$BATS_TEST_TMPDIR/res")" "create results"
	expect_r "$TYPE/available_instances" "0\n"
	expect_w "$TYPE/create" "$U1" EPERM
}

@test "checklist: [6.1] poll_thread parses %d and poll_timeout %llu in 1..120e9" {
	sim_start t-small 6.1
	expect_w "$AP/poll_thread" "5" OK
	expect_r "$AP/poll_thread" "1\n"
	expect_w "$AP/poll_thread" "0" OK
	expect_r "$AP/poll_thread" "0\n"
	expect_w "$AP/poll_thread" "y" EINVAL
	expect_w "$AP/poll_timeout" "0" EINVAL
	expect_w "$AP/poll_timeout" "10abc" OK
	expect_r "$AP/poll_timeout" "10\n"
	expect_w "$AP/poll_timeout" "120000000001" EINVAL
	expect_w "$AP/poll_timeout" "120000000000" OK
	expect_r "$AP/poll_timeout" "120000000000\n"
}

@test "checklist: [6.12] poll_thread uses kstrtobool and poll_timeout accepts 0" {
	sim_start t-small 6.12
	expect_w "$AP/poll_thread" "y" OK
	expect_r "$AP/poll_thread" "1\n"
	expect_w "$AP/poll_thread" "5" EINVAL
	expect_w "$AP/poll_timeout" "0" OK
	expect_r "$AP/poll_timeout" "0\n"
	expect_w "$AP/poll_timeout" "10abc" EINVAL
}

@test "checklist: [6.12] mask writes ignore driver_override (no such file) and the EBUSY rule still applies" {
	sim_start t-doc 6.12
	expect_missing "$DEV/card05/05.0004/driver_override"
	expect_w "$AP/apmask" "-5" OK
	expect_w "$AP/apmask" "+5" OK
}

@test "checklist: uevent variables of card and queue devices per generation (§1.9)" {
	sim_start t-doc 7.2
	ctl uevents clear
	ctl host adapter-add 7 --type CEX7 --mode cca
	ctl scan
	run uevents_flat
	[[ $output == *"add /devices/ap/card07 "*"DEV_TYPE=000D"* ]] || fail "card add: $output"
	[[ $output == *"add /devices/ap/card07 "*"MODALIAS=ap:t0D"* ]] || fail "card add: $output"
	[[ $output == *"add /devices/ap/card07 "*"MODE=cca"* ]] || fail "card add: $output"
	local l
	l=$(grep "^add /devices/ap/card07/07.0004" <<<"$output")
	[[ $l == *MODE=cca* && $l != *DEV_TYPE* && $l != *MODALIAS* ]] || fail "queue add on 7.2: $l"
	sim_stop
	sim_start t-doc 5.10
	ctl uevents clear
	ctl host adapter-add 7 --type CEX7 --mode cca
	ctl scan
	run uevents_flat
	l=$(grep "^add /devices/ap/card07 " <<<"$output")
	[[ $l == *DEV_TYPE=000D* && $l == *MODALIAS=ap:t0D* && $l != *MODE=* ]] || fail "card add on 5.10: $l"
	l=$(grep "^add /devices/ap/card07/07.0004" <<<"$output")
	[[ $l == *DEV_TYPE=000D* && $l == *MODALIAS=ap:t0D* ]] || fail "queue add on 5.10: $l"
}
