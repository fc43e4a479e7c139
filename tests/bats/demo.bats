#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The README's demonstration (scripts/demo.sh) runs to its end on apsim and
# leaves the simulated host as it found it; so it cannot rot unnoticed.

bats_require_minimum_version 1.5.0

load helpers

@test "demo: the three-guest walkthrough runs, is refused where it should be, and cleans up" {
	run "$APSIM_RUN" --host doc-example -- "$top_srcdir/scripts/demo.sh" "$top_builddir"
	[ "$status" -eq 0 ] || fail "demo failed ($status): $output"
	[[ $output == *'$ apctl reserve 5,6'* ]] || fail "no reserve step"
	[[ $output == *"apctl: cannot assign APQN 05.0004 to the new mdev: it is already assigned to mdev 11111111-1111-4111-8111-111111111111 (active)"* ]] ||
		fail "the conflict is not named: $output"
	[[ $output == *"(exit status 4)"* ]] || fail "the refusal's exit status is missing"
	[[ $output == *'valid: api_level 1, 2 cards, 3 mdevs, 0 problems'* ]] || fail "JSON step: $output"
	# step 7 prints what apctl show --format gives, not hand-written text
	[[ $output == *"\$ apctl show mdev $U1 --format qemu"$'\n'"-device vfio-ap,sysfsdev=/sys/bus/mdev/devices/$U1"* ]] ||
		fail "no QEMU option from apctl: $output"
	[[ $output == *"ap=on,apqci=on,apft=on"* ]] || fail "no -cpu hint: $output"
	[[ $output == *"\$ apctl show mdev $U3 --format libvirt"$'\n'"<hostdev mode='subsystem' type='mdev' model='vfio-ap'>"$'\n'"  <source>"$'\n'"    <address uuid='$U3'/>"* ]] ||
		fail "no libvirt element from apctl: $output"
	[[ $output == *"The simulated host is back in its initial state"* ]] || fail "no clean-up proof"
	[[ $output != *$'\033'* ]] || fail "terminal escapes without a terminal"
}
