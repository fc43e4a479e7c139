#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl show on the documentation's host (adapters 5, 6; domains 4, 0x47, 0xab,
# 0xff) in the states of the three-guest walkthrough, kernel 7.2.

load helpers
load show-lib

setup() {
	sim_start doc-example 7.2
}

teardown() {
	sim_stop
}

@test "nothing reserved: summary" {
	apctl show
	expect_rc 0
	expect_out doc-plain-show.txt
	expect_err ""
}

@test "nothing reserved: matrix is all host" {
	apctl show matrix
	expect_rc 0
	expect_out doc-plain-matrix.txt
}

@test "nothing reserved: cards and queues" {
	apctl show cards
	expect_rc 0
	expect_out doc-plain-cards.txt
	apctl show queues
	expect_rc 0
	expect_out doc-plain-queues.txt
}

@test "nothing reserved: JSON" {
	apctl show --json
	expect_rc 0
	json_valid
	expect_eq '[]' "$(jqo '.host.reserved.adapters.ids')"
	expect_eq '[5,6]' "$(jqo '.host.configuration.adapters.ids')"
	expect_eq '"0x0600000000000000000000000000000000000000000000000000000000000000"' \
		"$(jqo '.host.configuration.adapters.mask')"
	expect_eq '[{"id":5,"name":"05","reserved":false},{"id":6,"name":"06","reserved":false}]' \
		"$(jqo '[.cards[] | {id, name, reserved}]')"
	expect_eq '[]' "$(jqo '.mdevs')"
	expect_eq '1' "$(jqo '.api_level')"
}

@test "adapters 5 and 6 reserved (echo -5,-6 > apmask)" {
	reserve_5_6
	apctl show
	expect_rc 0
	expect_out doc-reserved-show.txt
	apctl show matrix
	expect_rc 0
	expect_out doc-reserved-matrix.txt
	apctl show --json
	json_valid
	expect_eq '[5,6]' "$(jqo '.host.reserved.adapters.ids')"
	expect_eq '"5,6"' "$(jqo '.host.reserved.adapters.ranges')"
	expect_eq '[]' "$(jqo '.host.reserved.domains.ids')"
}

@test "three guests: summary, matrix, mdevs, queues" {
	three_guests
	apctl show
	expect_rc 0
	expect_out doc-three-show.txt
	apctl show matrix
	expect_rc 0
	expect_out doc-three-matrix.txt
	apctl show mdevs
	expect_rc 0
	expect_out doc-three-mdevs.txt
	apctl show queues
	expect_rc 0
	expect_out doc-three-queues.txt
}

@test "three guests: JSON of every view is valid" {
	three_guests
	for v in "" cards queues mdevs matrix "mdev $U1" "mdev $U2"; do
		# shellcheck disable=SC2086
		apctl show --json $v
		expect_rc 0
		json_valid || fail "view '$v'"
	done
	apctl show --format json
	json_valid
	# the reviewed document, pretty (in a pipe --json alone is one line)
	apctl show --json=pretty
	out=$(printf '%s' "$out" | sed 's/^  "version": "[^"]*",$/  "version": "VERSION",/')$'\n'
	expect_out doc-three-show.json
	expect_eq '["05.0004","05.00ab","06.0004","06.00ab"]' \
		"$(jqo "[.mdevs[] | select(.uuid == \"$U1\") | .live.apqns[].apqn]")"
	expect_eq '{"adapter":5,"domain":71,"apqn":"05.0047"}' \
		"$(jqo "[.mdevs[] | select(.uuid == \"$U2\") | .live.apqns[0]][0]")"
	expect_eq '"active"' "$(jqo "[.mdevs[] | select(.uuid == \"$U3\") | .state][0]")"
}

@test "three guests: show mdev" {
	three_guests
	apctl show mdev "$U1"
	expect_rc 0
	expect_out doc-three-mdev1.txt
	# upper case is accepted
	apctl show mdev "${U1^^}"
	expect_rc 0
	expect_out doc-three-mdev1.txt
}

@test "a guest attached: its APQNs are in use" {
	three_guests
	ctl attach "$U1"
	apctl show matrix
	expect_rc 0
	expect_out doc-attached-matrix.txt
	apctl show queues -o CARD.DOM,STATUS,MDEV
	expect_rc 0
	expect_out doc-attached-queues.txt
	apctl show --json mdevs
	json_valid
	expect_eq '[true,false,false]' "$(jqo '[.mdevs[].in_use]')"
}

@test "an unbound queue keeps its whole adapter from the guest" {
	three_guests
	ctl attach "$U1"
	expect_w "$DRV/vfio_ap/unbind" "06.00ab" OK
	apctl show mdev "$U1"
	expect_rc 0
	expect_out doc-unbound-mdev1.txt
	apctl show mdev "$U1" --json
	json_valid
	expect_eq '[["06.0004","adapter-not-passable","06.00ab"],["06.00ab","queue-not-bound",null]]' \
		"$(jqo '[.mdevs[0].not_passed[] | [.apqn, .reason, .blocking_apqn.apqn]]')"
}

@test "over-provisioned mdev: adapter 7 and domain 0x10 not in the configuration" {
	three_guests
	expect_w bus/ap/apmask "-7" OK
	expect_w "$MATRIX/$U2/assign_adapter" 7 OK
	expect_w "$MATRIX/$U2/assign_domain" 0x10 OK
	apctl show matrix
	expect_rc 0
	expect_out doc-overprov-matrix.txt
	apctl show mdev "$U2"
	expect_rc 0
	expect_out doc-overprov-mdev2.txt
	apctl show --json mdev "$U2"
	json_valid
}

@test "a conflicting mdevctl definition" {
	three_guests
	define "$U4" auto '{"assign_adapter": "5"}, {"assign_domain": "4"}'
	apctl show matrix
	expect_rc 0
	expect_out doc-conflict-matrix.txt
	apctl show --json matrix
	json_valid
	expect_eq '"conflict"' "$(jqo '[.matrix.cells[] | select(.apqn == "05.0004") | .owner][0]')"
}

@test "a broken definition file: a warning naming it, the rest is shown" {
	three_guests
	printf '{ "mdev_type": "vfio_ap-passthrough", "start": ' \
		>"$APCTL_ROOT/etc/mdevctl.d/matrix/$U4"
	apctl show mdevs
	expect_rc 10
	expect_out doc-three-mdevs.txt
	[[ $err == "apctl: warning: ROOT/etc/mdevctl.d/matrix/$U4: "* ]] ||
		fail "stderr: $err"
	apctl show --json mdevs
	expect_rc 10
	json_valid
	expect_eq "[\"ROOT/etc/mdevctl.d/matrix/$U4\"]" "$(jqo '[.diagnostics[].path]')"
}

@test "definitions: both, defined only, autostart, a differing definition" {
	three_guests
	# the autostart definition can start at boot
	boot_5_6
	define "$U1" auto '{"assign_adapter": "5"}, {"assign_adapter": "6"}, {"assign_domain": "4"}, {"assign_domain": "0xab"}, {"assign_control_domain": "4"}'
	define "$U2" manual '{"assign_adapter": "5"}, {"assign_domain": "0x47"}'
	define "$U4" manual '{"assign_adapter": "6"}, {"assign_domain": "4"}'
	apctl show
	# a manual definition overlapping an active mdev is a warning: exit 0
	expect_rc 0
	expect_out doc-defs-show.txt
	apctl show matrix
	expect_rc 0
	expect_out doc-defs-matrix.txt
	apctl show mdev "$U4"
	expect_rc 0
	expect_out doc-defs-mdev4.txt
	apctl show --json
	json_valid
	expect_eq '[["both","auto"],["both","manual"],["active",null],["defined","manual"]]' \
		"$(jqo '[.mdevs[] | [.state, .start]]')"
	expect_eq '["warning"]' "$(jqo '[.problems[].severity]')"
	apctl show --json mdev "$U4"
	json_valid
	expect_eq 'null' "$(jqo '.mdevs[0].not_passed')"
}
