#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# kernel-abi.md §10 "vfio_ap matrix and mdev": the shadow APCB (guest_matrix) as
# an event-driven state machine (§5.4 table) and the queue status (§2.3).

load helpers

setup() {
	sim_start t-doc
	M1=$MATRIX/$U1
	M2=$MATRIX/$U2
}

teardown() {
	sim_stop
}

# assign MDEV-DIR adapters|domains IDS...
assign() {
	local m=$1 what=$2 id

	shift 2
	for id; do
		expect_w "$m/assign_${what%s}" "$id" OK || return 1
	done
}

@test "checklist: guest_matrix full re-filter intersects with the host configuration and drops a whole adapter for a non-passable APQN" {
	w "$AP/apmask" "-5,-6,-7"
	w "$TYPE/create" "$U1"
	assign "$M1" adapters 5 6 7
	assign "$M1" domains 4 0x47 0x10
	expect_r "$M1/matrix" "05.0004\n05.0010\n05.0047\n06.0004\n06.0010\n06.0047\n07.0004\n07.0010\n07.0047\n"
	expect_r "$M1/guest_matrix" "05.0004\n05.0047\n06.0004\n06.0047\n"
	# an unbound queue makes its adapter non-passable
	expect_w "$DRV/vfio_ap/unbind" 06.0047 OK
	expect_r "$M1/guest_matrix" "05.0004\n05.0047\n"
	# the next full re-filter still drops adapter 6
	assign "$M1" domains 0xab
	expect_r "$M1/guest_matrix" "05.0004\n05.0047\n05.00ab\n"
	# binding it to vfio_ap again links it and re-filters
	expect_w "$DRV/vfio_ap/bind" 06.0047 OK
	expect_r "$M1/guest_matrix" "05.0004\n05.0047\n05.00ab\n06.0004\n06.0047\n06.00ab\n"
	expect_r "$M1/matrix" "05.0004\n05.0010\n05.0047\n05.00ab\n06.0004\n06.0010\n06.0047\n06.00ab\n07.0004\n07.0010\n07.0047\n07.00ab\n"
}

@test "checklist: guest_matrix domains are filtered only by the host configuration (domain-only lines)" {
	w "$AP/apmask" "-6"
	w "$TYPE/create" "$U1"
	assign "$M1" adapters 6
	assign "$M1" domains 4 0x47
	expect_r "$M1/guest_matrix" "06.0004\n06.0047\n"
	expect_w "$DRV/vfio_ap/unbind" 06.0004 OK
	expect_r "$M1/guest_matrix" ".0004\n.0047\n"
	# a domain outside the host configuration never shows
	assign "$M1" domains 0x10
	expect_r "$M1/guest_matrix" ".0004\n.0047\n"
	expect_r "$M1/matrix" "06.0004\n06.0010\n06.0047\n"
}

@test "checklist: guest_matrix unassign is incremental and an already-set assign does not re-filter" {
	w "$AP/apmask" "-5,-6"
	w "$TYPE/create" "$U1"
	assign "$M1" adapters 5 6
	assign "$M1" domains 4 0x47
	expect_r "$M1/guest_matrix" "05.0004\n05.0047\n06.0004\n06.0047\n"
	expect_w "$DRV/vfio_ap/unbind" 06.0047 OK
	expect_r "$M1/guest_matrix" "05.0004\n05.0047\n"
	# 06.0047 leaves the matrix; adapter 6 would now pass, but stays filtered
	expect_w "$M1/unassign_domain" 0x47 OK
	expect_r "$M1/matrix" "05.0004\n06.0004\n"
	expect_r "$M1/guest_matrix" "05.0004\n"
	assign "$M1" domains 4
	assign "$M1" adapters 6 5
	assign "$M1" control_domains 4
	expect_r "$M1/guest_matrix" "05.0004\n"
	# a newly set bit re-filters fully
	assign "$M1" domains 0xab
	expect_r "$M1/guest_matrix" "05.0004\n05.00ab\n06.0004\n06.00ab\n"
	expect_w "$M1/unassign_adapter" 5 OK
	expect_r "$M1/guest_matrix" "06.0004\n06.00ab\n"
	expect_w "$M1/unassign_domain" 4 OK
	expect_r "$M1/guest_matrix" "06.00ab\n"
}

@test "checklist: guest_matrix vfio_ap queue unbind drops the adapter from the shadow" {
	w "$AP/apmask" "-5,-6"
	w "$TYPE/create" "$U1"
	assign "$M1" adapters 5 6
	assign "$M1" domains 4 0xab
	ctl attach "$U1"
	expect_r "$DEV/card06/06.00ab/status" "in use\n"
	expect_w "$DRV/vfio_ap/unbind" 06.0004 OK
	expect_r "$M1/guest_matrix" "05.0004\n05.00ab\n"
	expect_r "$DEV/card06/06.00ab/status" "assigned\n"
	expect_r "$DEV/card05/05.00ab/status" "in use\n"
	expect_missing "$DEV/card06/06.0004/status"
	expect_r "$M1/matrix" "05.0004\n05.00ab\n06.0004\n06.00ab\n"
	# binding it again hot plugs the adapter
	expect_w "$DRV/vfio_ap/bind" 06.0004 OK
	expect_r "$M1/guest_matrix" "05.0004\n05.00ab\n06.0004\n06.00ab\n"
	expect_r "$DEV/card06/06.00ab/status" "in use\n"
	expect_r "$DEV/card06/06.0004/status" "in use\n"
}

@test "checklist: [6.x] an APQN that is not host-owned may be assigned while unbound; it is filtered from the shadow" {
	w "$AP/apmask" "-5,-6"
	expect_w "$DRV/vfio_ap/unbind" 05.0004 OK
	w "$TYPE/create" "$U1"
	assign "$M1" adapters 5 6
	assign "$M1" domains 4
	expect_r "$M1/matrix" "05.0004\n06.0004\n"
	expect_r "$M1/guest_matrix" "06.0004\n"
}

@test "checklist: guest_matrix a host configuration add re-filters at scan completion, a removal clears" {
	w "$AP/apmask" "-5,-6,-7"
	w "$TYPE/create" "$U1"
	assign "$M1" adapters 5 7
	assign "$M1" domains 4
	expect_r "$M1/guest_matrix" "05.0004\n"
	ctl host adapter-add 7
	expect_r "$M1/guest_matrix" "05.0004\n"
	ctl scan
	expect_driver 07.0004 vfio_ap
	expect_r "$M1/guest_matrix" "05.0004\n07.0004\n"
	assign "$M1" domains 0x10
	expect_r "$M1/guest_matrix" "05.0004\n07.0004\n"
	ctl host domain-add 16
	expect_r "$M1/guest_matrix" "05.0004\n07.0004\n"
	expect_w "$AP/scans" 1 OK
	expect_r "$M1/guest_matrix" "05.0004\n05.0010\n07.0004\n07.0010\n"
	ctl host adapter-remove 7
	ctl scan
	expect_r "$M1/guest_matrix" "05.0004\n05.0010\n"
	ctl host domain-remove 16
	ctl scan
	expect_r "$M1/guest_matrix" "05.0004\n"
	expect_r "$M1/matrix" "05.0004\n05.0010\n07.0004\n07.0010\n"
}

@test "checklist: queue status unassigned, assigned, in use (guest attached and in the shadow)" {
	w "$AP/apmask" "-5,-6"
	expect_r "$DEV/card05/05.0004/status" "unassigned\n"
	w "$TYPE/create" "$U1"
	w "$TYPE/create" "$U2"
	assign "$M1" adapters 5 6
	assign "$M1" domains 4
	assign "$M2" domains 0xff
	assign "$M2" adapters 6
	expect_r "$DEV/card05/05.0004/status" "assigned\n"
	expect_r "$DEV/card05/05.0047/status" "unassigned\n"
	expect_r "$DEV/card06/06.00ff/status" "assigned\n"
	ctl attach "$U1"
	expect_r "$DEV/card05/05.0004/status" "in use\n"
	expect_r "$DEV/card06/06.0004/status" "in use\n"
	expect_r "$DEV/card06/06.00ff/status" "assigned\n"
	expect_r "$DEV/card05/05.0047/status" "unassigned\n"
	# hot plug while attached (6.x)
	expect_w "$M1/assign_domain" 0xab OK
	expect_r "$DEV/card05/05.00ab/status" "in use\n"
	# in the matrix but filtered out of the shadow
	expect_w "$DRV/vfio_ap/unbind" 06.00ab OK
	expect_r "$DEV/card06/06.0004/status" "assigned\n"
	expect_r "$DEV/card05/05.0004/status" "in use\n"
	# hot plug through ap_config
	expect_w "$M1/ap_config" "$(mask_of 5 6),$(mask_of 4 0x47 0xab),$(mask_zero)" OK
	expect_r "$DEV/card05/05.0047/status" "in use\n"
	expect_w "$M1/ap_config" "$(mask_of 5 6),$(mask_of 4 0xab),$(mask_zero)" OK
	expect_r "$DEV/card05/05.0047/status" "unassigned\n"
	# hot unplug while attached
	expect_w "$M1/unassign_domain" 0xab OK
	expect_r "$DEV/card05/05.00ab/status" "unassigned\n"
	ctl detach "$U1"
	expect_r "$DEV/card05/05.0004/status" "assigned\n"
	w "$M1/remove" 1
	expect_r "$DEV/card05/05.0004/status" "unassigned\n"
	expect_r "$DEV/card06/06.00ff/status" "assigned\n"
}

@test "spec §5.4: without QCI the host configuration copy is empty and so is the shadow" {
	sim_stop
	sim_start t-noqci
	M1=$MATRIX/$U1
	w "$AP/apmask" "0x"
	w "$TYPE/create" "$U1"
	assign "$M1" adapters 1
	assign "$M1" domains 1
	expect_driver 01.0001 vfio_ap
	expect_r "$M1/matrix" "01.0001\n"
	expect_r "$M1/guest_matrix" ""
	expect_r "$DEV/card01/01.0001/status" "assigned\n"
	ctl attach "$U1"
	expect_r "$DEV/card01/01.0001/status" "assigned\n"
}
