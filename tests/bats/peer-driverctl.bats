#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A real peer for driver_override (issue 16): Debian's driverctl 0.111, run
# inside 'apsim-run --ns' (the simulated /sys, with /sys/module/vfio_ap as a
# real host has it, and the root's /etc/driverctl.d bound on the real
# paths).  What driverctl sets, apctl sees, validates and reads back from
# driverctl's saved files; what apctl sets, driverctl lists and removes.

bats_require_minimum_version 1.5.0

load helpers

U1=11111111-1111-4111-8111-111111111111

setup() {
	require_peer driverctl driverctl
}

# ns KERNEL SCRIPT: run SCRIPT with bash in apsim-run --ns on that kernel,
# with apctl as $0; driverctl's udev rule is installed below apctl's root
# (as the package installs it) unless NO_RULE is set
ns() {
	ns_run "$1" "
		if [ -z \"${NO_RULE:-}\" ]; then
			mkdir -p \"\$APCTL_ROOT/lib/udev/rules.d\"
			cp /lib/udev/rules.d/05-driverctl.rules \"\$APCTL_ROOT/lib/udev/rules.d/\"
		fi
		$2"
}

@test "driverctl: an override it sets and saves is seen by apctl: show, create accepted, check clean (7.2)" {
	ns 7.2 "
		driverctl -b ap set-override 05.0004 vfio_ap; echo set=\$?
		cat /etc/driverctl.d/ap-05.0004
		\"\$0\" show queues | head -3 | sed 's/ *\$//'
		\"\$0\" show --json | jq -r '.host.give_mode'
		\"\$0\" mdev create -y -u $U1 -a 5 -d 4; echo create=\$?
		\"\$0\" check; echo check=\$?
		cat /sys/devices/vfio_ap/matrix/$U1/matrix"
	[ "$status" -eq 0 ]
	expect_eq "set=0
vfio_ap
CARD.DOM TYPE  MODE STATUS     DRIVER    OWNER   MDEV OVERRIDE
05.0004  CEX7C cca  unassigned vfio_ap   vfio_ap -    vfio_ap
05.0047  CEX7C cca  online     cex4queue host    -
overrides
$U1
create=0
no problems found
check=0
05.0004" "$output"
}

@test "driverctl: --nosave: check warns that the next boot loses the override; apctl -p saves it as driverctl does" {
	ns 7.2 "
		driverctl --nosave -b ap set-override 06.00ab vfio_ap; echo set=\$?
		ls /etc/driverctl.d | wc -l
		\"\$0\" check; echo check=\$?
		\"\$0\" reserve -y -p 06.00ab; echo reserve=\$?
		cat /etc/driverctl.d/ap-06.00ab
		\"\$0\" check; echo check=\$?"
	[ "$status" -eq 0 ]
	expect_eq "set=0
0
  warning: the driver_override of 06.00ab is set now, but no saved override in /etc/driverctl.d sets it again: the next boot loses it; to keep it, apctl reserve --mode override --persistent 06.00ab (or driverctl set-override without --nosave)
0 errors, 1 warning
check=8
reserve=0
vfio_ap
no problems found
check=0" "$output"
}

@test "driverctl: sees apctl's overrides (saved file, list-devices) and removes them; apctl sees them gone" {
	ns 7.2 "
		\"\$0\" reserve -y --mode override -p --active 05.0004,06.00ab >/dev/null; echo reserve=\$?
		ls /etc/driverctl.d
		driverctl -b ap list-devices | grep -e 05.0004 -e 06.00ab -e 05.0047
		driverctl -b ap unset-override 05.0004; echo unset=\$?
		ls /etc/driverctl.d
		\"\$0\" show queues | grep -e 05.0004 -e 06.00ab
		\"\$0\" show --json | jq -r '\"\(.host.give_mode) \(.host.driver_overrides)\"'
		\"\$0\" release -y -p --active 06.00ab >/dev/null; echo release=\$?
		ls /etc/driverctl.d | wc -l
		\"\$0\" show --json | jq -r '.host.give_mode'
		\"\$0\" check; echo check=\$?"
	[ "$status" -eq 0 ]
	expect_eq "reserve=0
ap-05.0004
ap-06.00ab
05.0004 vfio_ap [*]
05.0047 cex4queue [*]
06.00ab vfio_ap [*]
unset=0
ap-06.00ab
05.0004  CEX7C cca  online     cex4queue host    -    
06.00ab  CEX7C cca  unassigned vfio_ap   vfio_ap -    vfio_ap
overrides 1
release=0
0
default
no problems found
check=0" "$output"
}

@test "driverctl: list-overrides on the AP bus lists every queue (it takes '(null)' for 'none'; the AP bus prints an empty line)" {
	ns 7.2 "
		driverctl -b ap list-overrides | head -3
		cat /sys/bus/ap/devices/05.0047/driver_override | od -c | head -1"
	[ "$status" -eq 0 ]
	# a peer quirk, recorded as it is: queues without an override are listed too
	expect_eq "05.0004 cex4queue
05.0047 cex4queue
05.00ab cex4queue
0000000  \\n" "$output"
}

@test "driverctl: saved overrides without driverctl's udev rule below the root: check says they will not come back at boot" {
	NO_RULE=1 ns 7.2 "
		driverctl -b ap set-override 05.0004 vfio_ap >/dev/null; echo set=\$?
		\"\$0\" check; echo check=\$?"
	[ "$status" -eq 0 ]
	expect_eq "set=0
  warning: overrides of 05.0004 are saved in /etc/driverctl.d, but driverctl's udev rule (05-driverctl.rules) and driverctl@.service are not installed: they will not come back at boot; install driverctl
0 errors, 1 warning
check=8" "$output"
}
