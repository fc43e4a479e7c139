#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Debian's mdevctl 1.2 and apctl on the same definitions, inside
# 'apsim-run --ns' (the simulated /sys and the root's /etc/mdevctl.d on the
# real paths): what apctl defines mdevctl lists and starts, what mdevctl
# defines apctl starts with the same result, undefine by either is seen by
# the other, and both autostarts may run at boot: the second does nothing.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	require_peer mdevctl mdevctl
}

# ns SCRIPT: run SCRIPT with bash in apsim-run --ns (7.2), apctl as $0
ns() {
	ns_run 7.2 "$1"
}

@test "mdevctl lists and starts what apctl mdev define wrote; --dumpjson matches the definition" {
	ns "
		\"\$0\" -q reserve -y --active --persistent 5,6
		\"\$0\" -q mdev define -u $U1 -a 5,6 -d 4,0xab -c 4 --autostart >/dev/null
		mdevctl list -d | grep .
		mdevctl start -u $U1; echo start=\$?
		cat /sys/devices/vfio_ap/matrix/$U1/matrix
		\"\$0\" mdev list --raw --noheadings -o UUID,ACTIVE,DEFINED,START
		# what mdevctl shows of the running mdev is the definition's content
		mdevctl list --dumpjson -u $U1 | jq -c '{mdev_type, start, attrs}'
		jq -c '{mdev_type, start, attrs}' /etc/mdevctl.d/matrix/$U1"
	[ "$status" -eq 0 ] || fail "$stderr"
	expect_eq "$U1 matrix vfio_ap-passthrough auto
start=0
05.0004
05.00ab
06.0004
06.00ab
$U1 yes yes auto" "$(sed -n 1,7p <<<"$output")"
	[[ -n $(sed -n 8p <<<"$output") && $(sed -n 8p <<<"$output") == "$(sed -n 9p <<<"$output")" ]] ||
		fail "dumpjson and the definition differ: $output"
}

@test "apctl mdev start starts what mdevctl define / modify --addattr wrote, with the same result as mdevctl start" {
	ns "
		\"\$0\" -q reserve -y --active 5,6
		mdevctl define -u $U1 -p matrix -t vfio_ap-passthrough
		mdevctl modify -u $U1 --addattr=assign_adapter --value=5
		mdevctl modify -u $U1 --addattr=assign_domain --value=0xab
		mdevctl modify -u $U1 --addattr=assign_domain --value=4
		mdevctl modify -u $U1 --addattr=assign_control_domain --value=0x4
		mdevctl modify -u $U1 --addattr=assign_adapter --value=0x6
		\"\$0\" mdev start $U1; echo start=\$?
		cat /sys/devices/vfio_ap/matrix/$U1/matrix /sys/devices/vfio_ap/matrix/$U1/control_domains
		\"\$0\" -q mdev stop $U1
		mdevctl start -u $U1; echo mdevctl=\$?
		cat /sys/devices/vfio_ap/matrix/$U1/matrix /sys/devices/vfio_ap/matrix/$U1/control_domains"
	[ "$status" -eq 0 ] || fail "$stderr"
	local same=$'05.0004\n05.00ab\n06.0004\n06.00ab\n0004'
	expect_eq "start=0
$same
mdevctl=0
$same" "$output"
	[[ $stderr == *"mdev $U1 started"* ]] || fail "$stderr"
}

@test "undefine by either tool is seen by the other; the active mdev stays" {
	ns "
		\"\$0\" -q reserve -y --active 5,6
		\"\$0\" -q mdev create -u $U1 -a 5 -d 4 --define >/dev/null
		\"\$0\" -q mdev create -u $U2 -a 6 -d 4 >/dev/null
		mdevctl define -u $U2 -p matrix -t vfio_ap-passthrough >/dev/null
		mdevctl undefine -u $U1; echo undefine=\$?
		\"\$0\" mdev list --raw --noheadings -o UUID,ACTIVE,DEFINED
		\"\$0\" -q mdev undefine $U2; echo apctl=\$?
		mdevctl list -d | grep -c . ; mdevctl list | cut -d' ' -f1"
	[ "$status" -eq 0 ] || fail "$stderr"
	expect_eq "undefine=0
$U1 yes no
$U2 yes yes
apctl=0
0
$U1
$U2" "$output"
}

@test "both autostarts at boot: mdevctl's first, then apctl's finds every mdev active and does nothing; and the other way round" {
	ns "
		\"\$0\" -q reserve -y --active --persistent 5,6
		\"\$0\" -q mdev define -u $U1 -a 5,6 -d 4,0xab --autostart >/dev/null
		\"\$0\" -q mdev define -u $U2 -a 5 -d 0x47,0xff --autostart >/dev/null
		\"\$0\" -q mdev define -u $U3 -a 6 -d 0x47,0xff --autostart >/dev/null
		# what mdevctl's udev rule runs when the matrix device registers
		mdevctl start-parent-mdevs matrix; echo mdevctl=\$?
		ls /sys/bus/mdev/devices | wc -l
		\"\$0\" mdev start --autostart --json | jq -r '.status + \" \" + ([.mdevs[].outcome] | join(\" \"))'
		for u in $U1 $U2 $U3; do \"\$0\" -q mdev stop \$u; done
		\"\$0\" mdev start --autostart --json | jq -r '.status + \" \" + ([.mdevs[].outcome] | join(\" \"))'
		mdevctl start-parent-mdevs matrix >/dev/null 2>&1
		ls /sys/bus/mdev/devices | wc -l
		cat /sys/devices/vfio_ap/matrix/$U1/matrix | wc -l"
	[ "$status" -eq 0 ] || fail "$stderr"
	expect_eq "mdevctl=0
3
ok active active active
ok started started started
3
4" "$output"
}
