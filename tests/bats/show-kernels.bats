#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl show on every kernel generation apsim offers: the same three-guest
# picture, capabilities detected from the files that exist.

load helpers
load show-lib

teardown() {
	sim_stop
}

three_guests_on() {
	sim_start doc-example "$1"
	three_guests
}

@test "5.10: no guest_matrix, no ap_config" {
	three_guests_on 5.10
	apctl show matrix
	expect_rc 0
	expect_out doc-three-matrix.txt
	apctl show
	expect_rc 0
	expect_out k510-three-show.txt
	apctl show --json
	json_valid
	expect_eq '[false,false,null]' \
		"$(jqo '[.host.capabilities.guest_matrix, .host.capabilities.ap_config, .host.matrix_features]')"
	expect_eq '[null,null,null]' "$(jqo '[.mdevs[].guest]')"
	expect_eq '[null,null,null]' "$(jqo '[.mdevs[].in_use]')"
	apctl show mdev "$U1"
	expect_rc 0
	expect_out k510-three-mdev1.txt
	# 5.10 has no queue 'status' and no guest_matrix: nothing in sysfs tells
	# that a guest uses the mdev, and apctl does not pretend to know
	ctl attach "$U1"
	apctl show matrix
	expect_rc 0
	expect_out doc-three-matrix.txt
}

@test "6.1: guest_matrix without ap_config" {
	three_guests_on 6.1
	apctl show matrix
	expect_rc 0
	expect_out doc-three-matrix.txt
	apctl show mdev "$U1"
	expect_rc 0
	expect_out doc-three-mdev1.txt
	apctl show --json
	json_valid
	expect_eq '[true,false]' "$(jqo '[.host.capabilities.guest_matrix, .host.capabilities.ap_config]')"
	ctl attach "$U1"
	apctl show matrix
	expect_out doc-attached-matrix.txt
}

@test "6.12: matrix features" {
	three_guests_on 6.12
	apctl show matrix
	expect_rc 0
	expect_out doc-three-matrix.txt
	apctl show
	expect_rc 0
	# the 7.2 picture without the "given by" line: no driver_override before 6.19
	expect_out doc-three-show-6.12.txt
	apctl show --json
	json_valid
	expect_eq '[true,true,"guest_matrix hotplug ap_config"]' \
		"$(jqo '[.host.capabilities.guest_matrix, .host.capabilities.ap_config, .host.matrix_features]')"
}

@test "7.2: the same picture" {
	three_guests_on 7.2
	apctl show matrix
	expect_rc 0
	expect_out doc-three-matrix.txt
	apctl show mdevs --json
	json_valid
	apctl mdev list --json
	json_valid
}
