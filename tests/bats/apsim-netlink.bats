#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apsim's uevents as libudev netlink messages (apsim-run --netns), received
# by a real peer that no one here wrote: udevadm monitor --udev --property.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	command -v udevadm >/dev/null || skip "udevadm (Debian package udev) is not installed"
	[[ $(id -u) == 0 ]] || skip "network namespaces need root"
	SIM_NETNS=1 sim_start doc-example
}

teardown() {
	if [[ -n ${MONPID:-} ]]; then
		kill "$MONPID" 2>/dev/null || true
		wait "$MONPID" 2>/dev/null || true
	fi
	sim_stop
}

# start udevadm in the namespace; wait until it has bound its socket
udevadm_start() {
	# a simple command in the background: $! is udevadm itself (apsim-run
	# and nsenter exec it); fd 3 closed, or bats would wait for it
	"$APSIM_RUN" --enter "$APSIM_ROOT" -- udevadm monitor --udev --property "$@" \
		>"$BATS_TEST_TMPDIR/mon" 2>&1 3>&- &
	MONPID=$!
	local i
	for i in $(seq 100); do
		grep -q '^UDEV - ' "$BATS_TEST_TMPDIR/mon" && break
		sleep 0.05
	done
	sleep 0.2
}

# wait until the monitor output has N event blocks
udevadm_wait() { # N
	local i
	for i in $(seq 200); do
		(($(grep -c '^UDEV  \[' "$BATS_TEST_TMPDIR/mon") >= $1)) && return 0
		sleep 0.05
	done
	cat "$BATS_TEST_TMPDIR/mon" >&2
	fail "udevadm did not print $1 events"
}

# the property blocks udevadm printed, without the timestamp lines
blocks() {
	grep -v -e '^UDEV  \[' -e '^monitor will' -e '^UDEV - ' "$BATS_TEST_TMPDIR/mon" |
		sed '/./,$!d'
}

@test "udevadm receives a mask change with the kernel's variables, the mask's newline included" {
	udevadm_start --subsystem-match=ap
	w bus/ap/aqmask -0xab
	ctl scan
	# unbind + bind of 05.00ab and 06.00ab, the mask event, BINDINGS=complete
	udevadm_wait 6
	run -0 blocks
	mask=$(mask_all_but 171)
	want="ACTION=change
DEVPATH=/devices/ap
SUBSYSTEM=ap
AQMASK=$mask
"
	[[ $output == *"$want"* ]] || fail "no AQMASK event in: $output"
	[[ $output == *"ACTION=unbind
DEVPATH=/devices/ap/card05/05.00ab
SUBSYSTEM=ap
MODE=cca
SEQNUM="* ]] || fail "no unbind event in: $output"
	[[ $output == *"ACTION=bind
DEVPATH=/devices/ap/card06/06.00ab
SUBSYSTEM=ap
DRIVER=vfio_ap
MODE=cca
SEQNUM="* ]] || fail "no bind event in: $output"
	[[ $output == *"ACTION=change
DEVPATH=/devices/ap
SUBSYSTEM=ap
BINDINGS=complete
COMPLETECOUNT=2
SEQNUM="* ]] || fail "no BINDINGS event in: $output"
	# the sequence numbers increase by one
	run -0 bash -c "grep -o '^SEQNUM=[0-9]*' '$BATS_TEST_TMPDIR/mon' | cut -d= -f2"
	prev=
	for n in $output; do
		[[ -z $prev ]] || expect_eq $((prev + 1)) "$n" "SEQNUM after $prev"
		prev=$n
	done
}

@test "the subsystem hash in the header lets udevadm's socket filter pick mdev events" {
	# --subsystem-match installs a BPF filter on filter_subsystem_hash: an
	# ap event must not get through, the mdev ones must
	udevadm_start --subsystem-match=mdev
	w bus/ap/apmask -5
	w "$TYPE/create" "$U1"
	udevadm_wait 2
	sleep 0.3
	run -0 blocks
	[[ $output != *"SUBSYSTEM=ap"* ]] || fail "an ap event passed the mdev filter: $output"
	[[ $output == *"ACTION=add
DEVPATH=/devices/vfio_ap/matrix/$U1
SUBSYSTEM=mdev
MDEV_TYPE=vfio_ap-passthrough
SEQNUM="* ]] || fail "no mdev add event in: $output"
	[[ $output == *"ACTION=bind
DEVPATH=/devices/vfio_ap/matrix/$U1
SUBSYSTEM=mdev
DRIVER=vfio_ap_mdev
MDEV_TYPE=vfio_ap-passthrough
SEQNUM="* ]] || fail "no mdev bind event in: $output"
}

@test "apsim refuses --netlink outside a private network namespace" {
	[[ $(ip -o link 2>/dev/null | grep -vc ': lo:') -gt 0 ]] ||
		skip "this namespace has only a loopback: it looks private"
	run -1 "$APSIM" --host "$top_srcdir/tests/apsim/hosts/doc-example.json" \
		--ctl "$BATS_TEST_TMPDIR/s" --netlink "$BATS_TEST_TMPDIR"
	[[ $output == *"--netlink needs a private network namespace"* ]] || fail "$output"
}

@test "--enter refuses a root started without --netns" {
	root=$("$APSIM_RUN" --start)
	run -2 "$APSIM_RUN" --enter "$root" -- true
	"$APSIM_RUN" --stop "$root"
	[[ $output == *"has no network namespace"* ]] || fail "$output"
}
