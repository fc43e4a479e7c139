#!/bin/bash
# SPDX-License-Identifier: MIT
# Short TAP self-test of apsim and apsim-run (the checklist suite is in
# tests/bats/apsim-*.bats). Needs APSIM/APSIMCTL or top_builddir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
run=$here/apsim-run
n=0
fails=0

ok() { # DESCRIPTION COMMAND...
	local d=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/apsim-smoke.$$ 2>&1; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		sed 's/^/# /' /tmp/apsim-smoke.$$
		fails=$((fails + 1))
	fi
}

# errno text of one write: "OK" or strerror text
w() { # FILE DATA
	local e
	e=$( { printf '%b' "$2" >"$1"; } 2>&1) && { echo OK; return; }
	echo "${e##*: }"
}

t_masks() {
	"$run" -- bash -c '
		set -e
		cd "$SYSFS_ROOT/bus/ap"
		[ "$(wc -c <apmask)" = 67 ]
		[ "$(cat apmask)" = "0x$(printf "f%.0s" $(seq 64))" ]
		echo -5,-6 >apmask
		[ "$(cat apmask)" = "0xf9$(printf "f%.0s" $(seq 62))" ]
		[ "$(ls drivers/vfio_ap | grep -c "^0")" = 8 ]
		[ "$(cat bindings)" = "8/8 (complete)" ]
		[ "$(cat devices/05.0004/request_count)" = "-" ]
		[ "$(cat devices/05.0004/status)" = unassigned ]'
}

t_errno() {
	"$run" -- bash -c "$(declare -f w)"'
		set -e
		a=$SYSFS_ROOT/bus/ap
		[ "$(w $a/apmask "0X1\n")" = "Invalid argument" ]
		[ "$(w $a/apmask "+08")" = "Invalid argument" ]
		[ "$(w $a/apmask "+0-255,-128\n")" = OK ]
		[ "$(w $a/bindings 1)" = "Permission denied" ]
		[ "$(w $a/ap_domain 5abc)" = OK ]
		[ "$(cat $a/ap_domain)" = 5 ]
		[ "$(w $a/ap_domain +5)" = "Invalid argument" ]'
}

t_mdev() {
	"$run" -- bash -c "$(declare -f w)"'
		set -e
		s=$SYSFS_ROOT; m=$s/devices/vfio_ap/matrix
		t=$m/mdev_supported_types/vfio_ap-passthrough
		u1=AAAAAAAA-0000-0000-0000-000000000001; l1=aaaaaaaa-0000-0000-0000-000000000001
		u2=aaaaaaaa-0000-0000-0000-000000000002
		echo -5,-6 >$s/bus/ap/apmask
		echo $u1 >$t/create; echo $u2 >$t/create
		[ "$(cat $t/available_instances)" = 65534 ]
		[ "$(readlink $t/devices/$l1)" = ../../../$l1 ]
		echo 5 >$m/$l1/assign_adapter; echo 4 >$m/$l1/assign_domain
		echo 5 >$m/$u2/assign_adapter
		[ "$(w $m/$u2/assign_domain 4)" = "Address already in use" ]
		apsimctl dmesg | grep -qx "vfio_ap_mdev $u2: Userspace may not assign queue 05.0004 to mdev: already assigned to $l1"
		[ "$(cat $m/$l1/guest_matrix)" = 05.0004 ]
		[ "$(w $m/$l1/assign_adapter 7)" = "Cannot assign requested address" ]
		apsimctl attach $l1
		[ "$(cat $s/devices/ap/card05/05.0004/status)" = "in use" ]
		[ "$(w $s/bus/ap/apmask +5)" = "Device or resource busy" ]
		apsimctl detach $l1
		echo 1 >$m/$l1/remove
		[ ! -e $m/$l1 ]
		[ "$(cat $s/devices/ap/card05/05.0004/status)" = unassigned ]'
}

t_status() {
	"$run" -- sh -c 'exit 7'
	[ $? = 7 ]
}

t_no_mount_left() {
	local root
	"$run" -- sh -c 'echo "$APSIM_ROOT" >'"/tmp/apsim-smoke-root.$$"'; sleep 30' &
	local pid=$!
	local i
	for i in $(seq 300); do
		[ -s /tmp/apsim-smoke-root.$$ ] && break
		kill -0 $pid 2>/dev/null || return 1
		sleep 0.1
	done
	[ -s /tmp/apsim-smoke-root.$$ ] || { kill $pid; return 1; }
	root=$(cat /tmp/apsim-smoke-root.$$)
	rm -f /tmp/apsim-smoke-root.$$
	kill -TERM $pid
	wait $pid
	[ $? = 143 ] && ! findmnt -rn -M "$root/sys" && [ ! -e "$root" ]
}

t_maximal() {
	"$run" --host maximal -- bash -c '
		set -e
		[ "$(ls "$SYSFS_ROOT/bus/ap/devices" | wc -l)" = 65792 ]
		[ "$(cat "$SYSFS_ROOT/bus/ap/bindings")" = "65536/65536 (complete)" ]'
}

t_kernel510() {
	"$run" --kernel 5.10 -- bash -c '
		set -e
		[ ! -e "$SYSFS_ROOT/bus/ap/scans" ] && [ ! -e "$SYSFS_ROOT/bus/ap/bindings" ]
		[ "$(apsimctl kernel)" = 5.10 ]'
}

echo "1..7"
ok "masks, rebinding, driver files" t_masks
ok "write errnos" t_errno
ok "mdev create/assign/share/attach/remove" t_mdev
ok "exit status is propagated" t_status
ok "TERM leaves no mount" t_no_mount_left
ok "maximal host" t_maximal
ok "5.10 profile" t_kernel510
rm -f /tmp/apsim-smoke.$$
[ $fails = 0 ]
