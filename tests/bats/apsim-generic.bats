#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# kernel-abi.md §10 "Generic sysfs" (§0.3): sizes, modes, open flags, write and
# read mechanics, removed devices.

load helpers

teardown() {
	sim_stop
}

ALLF=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff

@test "checklist: st_size is 4096 and modes are 0444/0200/0644" {
	sim_start t-doc
	run "$APSIM_IO" stat "$AP/apmask"
	expect_eq "4096 0644" "$output"
	run "$APSIM_IO" stat "$AP/ap_adapter_mask"
	expect_eq "4096 0444" "$output"
	run "$APSIM_IO" stat "$AP/scans"
	expect_eq "4096 0644" "$output"
	run "$APSIM_IO" stat "$AP/drivers_probe"
	expect_eq "4096 0200" "$output"
	run "$APSIM_IO" stat "$DRV/vfio_ap/bind"
	expect_eq "4096 0200" "$output"
	run "$APSIM_IO" stat "$DRV/cex4queue/unbind"
	expect_eq "4096 0200" "$output"
	run "$APSIM_IO" stat "$DEV/card05/hwtype"
	expect_eq "4096 0444" "$output"
	run "$APSIM_IO" stat "$DEV/card05/config"
	expect_eq "4096 0644" "$output"
	run "$APSIM_IO" stat "$DEV/card05/05.0004/config"
	expect_eq "4096 0444" "$output"
	run "$APSIM_IO" stat "$TYPE/create"
	expect_eq "4096 0200" "$output"
	run "$APSIM_IO" stat "$TYPE/available_instances"
	expect_eq "4096 0444" "$output"
	w "$TYPE/create" "$U1"
	run "$APSIM_IO" stat "$MATRIX/$U1/assign_adapter"
	expect_eq "4096 0200" "$output"
	run "$APSIM_IO" stat "$MATRIX/$U1/remove"
	expect_eq "4096 0200" "$output"
	run "$APSIM_IO" stat "$MATRIX/$U1/matrix"
	expect_eq "4096 0444" "$output"
	run "$APSIM_IO" stat "$MATRIX/$U1/ap_config"
	expect_eq "4096 0644" "$output"
}

@test "checklist: opening in the wrong direction is EACCES, even for root" {
	sim_start t-doc
	[[ $(id -u) == 0 ]] || skip "needs root to prove the 'even for root' part"
	run "$APSIM_IO" open "$AP/ap_adapter_mask" w
	expect_eq EACCES "$output"
	run "$APSIM_IO" open "$AP/ap_adapter_mask" rw
	expect_eq EACCES "$output"
	run "$APSIM_IO" open "$AP/bindings" trunc
	expect_eq EACCES "$output"
	run "$APSIM_IO" open "$DRV/vfio_ap/bind" r
	expect_eq EACCES "$output"
	run "$APSIM_IO" open "$DRV/vfio_ap/bind" rw
	expect_eq EACCES "$output"
	run "$APSIM_IO" open "$TYPE/create" r
	expect_eq EACCES "$output"
	run "$APSIM_IO" open "$TYPE/name" w
	expect_eq EACCES "$output"
	# and the right directions work
	run "$APSIM_IO" open "$AP/apmask" rw
	expect_eq OK "$output"
	run "$APSIM_IO" open "$DRV/vfio_ap/bind" w
	expect_eq OK "$output"
	run "$APSIM_IO" open "$AP/ap_adapter_mask" r
	expect_eq OK "$output"
	# a failed open changed nothing
	run "$APSIM_IO" write "$AP/ap_adapter_mask" "0x0"
	expect_eq "open: EACCES" "$output"
	expect_r "$AP/ap_adapter_mask" "$(mask_of 5 6)\n"
}

@test "checklist: O_TRUNC on an existing attribute is a silent no-op" {
	sim_start t-doc
	run "$APSIM_IO" open "$AP/apmask" trunc
	expect_eq OK "$output"
	expect_r "$AP/apmask" "$ALLF\n"
	# what the shell's > does: O_WRONLY|O_CREAT|O_TRUNC on an existing file
	echo -5 >"$AP/apmask"
	expect_r "$AP/apmask" "$(mask_all_but 5)\n"
}

@test "checklist: O_CREAT of a missing name is EACCES and creates nothing" {
	sim_start t-doc
	run "$APSIM_IO" open "$AP/no_such_attr" creat
	expect_eq EACCES "$output"
	expect_missing "$AP/no_such_attr"
	run "$APSIM_IO" open "$MATRIX/assign_adapter" creat
	expect_eq EACCES "$output"
	expect_missing "$MATRIX/assign_adapter"
	# an O_CREAT open of an existing attribute is fine
	run "$APSIM_IO" open "$AP/apmask" creat
	expect_eq OK "$output"
	# the shell gets the same error
	run sh -c "echo 1 > '$AP/no_such_attr'"
	[[ $status -ne 0 ]]
	[[ $output == *"Permission denied"* ]]
	expect_missing "$AP/no_such_attr"
}

@test "checklist: mkdir, unlink, rename and symlink in the tree fail with EPERM" {
	sim_start t-doc
	local before after
	before=$(cd "$S" && find . | LC_ALL=C sort)
	run "$APSIM_IO" mkdir "$AP/newdir"
	expect_eq EPERM "$output"
	run "$APSIM_IO" mkdir "$MATRIX/$U1"
	expect_eq EPERM "$output"
	run "$APSIM_IO" unlink "$AP/apmask"
	expect_eq EPERM "$output"
	run "$APSIM_IO" unlink "$AP/devices/05.0004"
	expect_eq EPERM "$output"
	run "$APSIM_IO" rename "$AP/apmask" "$AP/apmask2"
	expect_eq EPERM "$output"
	run "$APSIM_IO" rename "$DEV/card05" "$DEV/card07"
	expect_eq EPERM "$output"
	run "$APSIM_IO" symlink "$DEV/card05" "$DRV/vfio_ap/card05"
	expect_eq EPERM "$output"
	run "$APSIM_IO" symlink /tmp "$AP/link"
	expect_eq EPERM "$output"
	# nothing a client did created or removed state
	after=$(cd "$S" && find . | LC_ALL=C sort)
	expect_eq "$before" "$after" "tree listing"
	expect_r "$AP/apmask" "$ALLF\n"
}

@test "checklist: a zero-length write returns 0 and has no side effect" {
	sim_start t-doc
	ctl uevents clear
	expect_w bus/ap/apmask "" "OK"
	expect_r "$AP/apmask" "$ALLF\n"
	expect_w "$TYPE/create" "" "OK"
	expect_r "$TYPE/available_instances" "65536\n"
	expect_w bus/ap/scans "" "OK"
	expect_w "$DRV/cex4queue/unbind" "" "OK"
	expect_driver 05.0004 cex4queue
	run ctl uevents
	expect_eq "" "$output" "uevent log"
}

@test "checklist: writes longer than 4096 bytes are truncated to 4096" {
	sim_start t-doc
	local data junk
	# "-1" + 4094 commas = 4096 bytes, then a byte that would be EINVAL
	printf -v junk '%*s' 4094 ''
	data="-1${junk// /,}Q"
	expect_eq 4097 "${#data}" "test data length"
	expect_w bus/ap/apmask "$data" "OK 4096"
	expect_r "$AP/apmask" "$(mask_all_but 1)\n"
	# the same byte inside the first 4096 bytes is seen and rejected
	data="-2${junk// /,}"
	data="${data:0:4000}Q${data:4000}"
	expect_w bus/ap/apmask "$data" EINVAL
	expect_r "$AP/apmask" "$(mask_all_but 1)\n"
}

@test "checklist: each write() is an independent store and the offset is ignored" {
	sim_start t-doc
	run "$APSIM_IO" writes "$AP/apmask" "-1" "-2\n" "-3"
	expect_eq $'OK 2\nOK 3\nOK 2' "$output"
	expect_r "$AP/apmask" "$(mask_all_but 1 2 3)\n"
	# pwrite at a non-zero offset is the same store
	run w bus/ap/apmask "-4" 0
	expect_eq "OK 2" "$output"
	run w bus/ap/apmask "-9" 100
	expect_eq "OK 2" "$output"
	expect_r "$AP/apmask" "$(mask_all_but 1 2 3 4 9)\n"
	# a second write on the same descriptor is parsed on its own (absolute)
	run "$APSIM_IO" writes "$AP/apmask" "0x8" "0x4"
	expect_eq $'OK 3\nOK 3' "$output"
	expect_r "$AP/apmask" "$(mask_of 1)\n"
}

@test "checklist: reads are snapshotted at the first read from offset 0" {
	sim_start t-doc
	# 10 bytes, then the mask changes, then the rest of the same open file
	run "$APSIM_IO" snapshot "$AP/apmask" 10 "$APSIM_IO" write "$AP/apmask" "0x0"
	expect_eq "$ALLF" "$output" "snapshot read"
	expect_r "$AP/apmask" "$(mask_zero)\n"
	# small chunks read the same bytes as one big read
	run "$APSIM_IO" read "$AP/apmask" 1
	expect_eq "$(mask_zero)" "$output"
	# a new read from offset 0 on the same descriptor calls show again
	run "$APSIM_IO" reread "$AP/apmask" "$APSIM_IO" write "$AP/apmask" "+7"
	expect_eq "$(mask_of 7)" "$output" "re-read from offset 0"
	# the same for a multi-line attribute
	w "$AP/apmask" "0x"
	w "$TYPE/create" "$U1"
	w "$MATRIX/$U1/assign_adapter" 5
	w "$MATRIX/$U1/assign_domain" 4
	run "$APSIM_IO" snapshot "$MATRIX/$U1/matrix" 3 "$APSIM_IO" write "$MATRIX/$U1/assign_domain" 0xab
	expect_eq "05.0004" "$output" "snapshot of matrix"
	expect_r "$MATRIX/$U1/matrix" "05.0004\n05.00ab\n"
}

@test "checklist: output is clamped at 4095 bytes" {
	sim_start t-doc
	local a d exp=$BATS_TEST_TMPDIR/matrix.exp
	w "$AP/apmask" "0x"
	w "$TYPE/create" "$U1"
	# 40 adapters x 16 domains = 640 APQNs, 5120 bytes of output
	for ((a = 0; a < 40; a++)); do
		expect_w "$MATRIX/$U1/assign_adapter" "$a" OK
	done
	for ((d = 0; d < 16; d++)); do
		expect_w "$MATRIX/$U1/assign_domain" "$d" OK
	done
	for ((a = 0; a < 40; a++)); do
		for ((d = 0; d < 16; d++)); do
			printf '%02x.%04x\n' "$a" "$d"
		done
	done | head -c 4095 >"$exp"
	# 511 full lines and the 512th (1f.000f) without its newline
	expect_eq "1f.000f" "$(tail -c 7 "$exp")" "end of the expected output"
	expect_r_file "$MATRIX/$U1/matrix" "$exp"
	# the same bytes when read in small pieces
	"$APSIM_IO" read "$MATRIX/$U1/matrix" 100 >"$BATS_TEST_TMPDIR/chunked"
	cmp "$exp" "$BATS_TEST_TMPDIR/chunked"
}

@test "checklist: I/O on files of a removed mdev is ENODEV" {
	sim_start t-doc
	w "$TYPE/create" "$U1"
	run "$APSIM_IO" stale "$MATRIX/$U1/matrix" read \
		"$APSIM_IO" write "$MATRIX/$U1/remove" 1
	expect_eq "read: ENODEV" "$output"
	w "$TYPE/create" "$U1"
	run "$APSIM_IO" stale "$MATRIX/$U1/assign_adapter" write 5 \
		"$APSIM_IO" write "$MATRIX/$U1/remove" 1
	expect_eq "ENODEV" "$output"
	expect_missing "$MATRIX/$U1"
}

@test "checklist: I/O on files of a removed queue or card is ENODEV" {
	sim_start t-doc
	run "$APSIM_IO" stale "$DEV/card06/06.0047/request_count" read \
		sh -c "'$APSIMCTL' host adapter-remove 6 && '$APSIMCTL' scan"
	expect_eq "read: ENODEV" "$output"
	expect_missing "$DEV/card06"
	run "$APSIM_IO" stale "$DEV/card05/05.0047/request_count" write 0 \
		sh -c "'$APSIMCTL' host domain-remove 0x47 && '$APSIMCTL' scan"
	expect_eq "ENODEV" "$output"
	expect_missing "$DEV/card05/05.0047"
	run "$APSIM_IO" stale "$DEV/card05/config" write 1 \
		sh -c "'$APSIMCTL' host adapter-remove 5 && '$APSIMCTL' scan"
	expect_eq "ENODEV" "$output"
}

@test "checklist: guest_matrix output is clamped at 4095 bytes too" {
	sim_start maximal
	local a d exp=$BATS_TEST_TMPDIR/matrix.exp
	expect_w "$AP/apmask" "0x" OK
	w "$TYPE/create" "$U1"
	for ((a = 0; a < 40; a++)); do
		expect_w "$MATRIX/$U1/assign_adapter" "$a" OK
	done
	for ((d = 0; d < 16; d++)); do
		expect_w "$MATRIX/$U1/assign_domain" "$d" OK
	done
	for ((a = 0; a < 40; a++)); do
		for ((d = 0; d < 16; d++)); do
			printf '%02x.%04x\n' "$a" "$d"
		done
	done | head -c 4095 >"$exp"
	expect_r_file "$MATRIX/$U1/guest_matrix" "$exp"
	expect_r_file "$MATRIX/$U1/matrix" "$exp"
}
