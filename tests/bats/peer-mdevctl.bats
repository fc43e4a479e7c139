#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A real peer reads what apctl's boot audit reads: Debian's mdevctl 1.2,
# run inside 'apsim-run --ns' (the simulated /sys and the root's
# /etc/mdevctl.d bound on the real paths).  An autostart definition that
# apctl check reports as not bootable fails to start under mdevctl the same
# way, once the host is in the state the next boot gives it.

bats_require_minimum_version 1.5.0

load helpers

U1=11111111-1111-4111-8111-111111111111

setup() {
	require_peer mdevctl mdevctl
}

# ns KERNEL SCRIPT: run SCRIPT with bash in apsim-run --ns on that kernel,
# with apctl as $0
ns() {
	ns_run "$1" "$2"
}

@test "mdevctl: an autostart definition whose APQNs the next boot gives the host fails to start (7.2)" {
	ns 7.2 "
		\"\$0\" reserve -y 5 >/dev/null 2>&1
		\"\$0\" mdev create -y -u $U1 -a 5 -d 4 --autostart >/dev/null 2>&1
		\"\$0\" mdev remove -y $U1 >/dev/null
		# what the next boot does without a rule: the kernel's all-ones masks
		echo +5 >/sys/bus/ap/apmask
		mdevctl list --defined
		\"\$0\" check >/dev/null; echo check=\$?
		mdevctl start -u $U1; echo start=\$?
		ls /sys/bus/mdev/devices | wc -l"
	[ "$status" -eq 0 ]
	# (mdevctl list ends its output with an empty line)
	expect_eq "$U1 matrix vfio_ap-passthrough auto

check=7
start=1
0" "$output"
	[[ $stderr == *"Failed to write 0x4 to attribute assign_domain"*"Cannot assign requested address (os error 99)"* ]] ||
		fail "mdevctl stderr: $stderr"
}

@test "mdevctl: the same definition made bootable with apctl reserve -p starts" {
	ns 7.2 "
		\"\$0\" reserve -y 5 >/dev/null 2>&1
		\"\$0\" mdev create -y -u $U1 -a 5 -d 4 --autostart >/dev/null 2>&1
		\"\$0\" mdev remove -y $U1 >/dev/null
		\"\$0\" reserve -y -p 5 >/dev/null
		\"\$0\" check >/dev/null; echo check=\$?
		mdevctl start -u $U1; echo start=\$?
		cat /sys/devices/vfio_ap/matrix/$U1/matrix"
	[ "$status" -eq 0 ]
	expect_eq "check=0
start=0
05.0004" "$output"
}

@test "mdevctl: on 5.10 an adapter the LPAR lacks makes the definition unstartable (EADDRNOTAVAIL)" {
	ns 5.10 "
		\"\$0\" reserve -y -p --active 5,6,0x30 >/dev/null
		\"\$0\" mdev create -y -u $U1 -a 5 -d 4 --autostart >/dev/null
		\"\$0\" mdev remove -y $U1 >/dev/null
		\"\$0\" mdev modify -y $U1 --persistent --add-adapters 0x30 2>/dev/null
		\"\$0\" check; echo check=\$?
		mdevctl start -u $U1; echo start=\$?"
	[ "$status" -eq 0 ]
	expect_eq "  error: mdev $U1 (defined, autostart): adapters 30 not in the host's AP configuration; this kernel (before 6.0) refuses to assign them (EADDRNOTAVAIL), so mdevctl cannot start the definition and it will not start at boot: remove them from the definition (apctl mdev modify --persistent) or configure them to this LPAR
1 error, 0 warnings
check=7
start=1" "$output"
	[[ $stderr == *"Failed to write 0x30 to attribute assign_adapter"*"Cannot assign requested address (os error 99)"* ]] ||
		fail "mdevctl stderr: $stderr"
}
