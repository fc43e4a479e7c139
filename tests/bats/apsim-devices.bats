#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# kernel-abi.md §10 "Devices and drivers" (§2, §3, §1.7, §1.9).

load helpers

teardown() {
	sim_stop
}

# expect_match FILE REGEX: the content (without its final newline) matches, and
# the file ends with exactly one newline
expect_match() {
	local c
	c=$(r "$1"; echo .)
	c=${c%.}
	[[ $c == *$'\n' && $c != *$'\n\n' ]] || fail "$1 does not end with one newline: '$c'" || return 1
	c=${c%$'\n'}
	[[ $c =~ $2 ]] || fail "$1 reads '$c', expected /$2/"
}

# uevent_has PATTERN: the flattened uevent log has a line matching the glob,
# possibly followed by more variables (real uevents carry DRIVER, MODE, ...)
uevent_has() {
	local l
	while IFS= read -r l; do
		# shellcheck disable=SC2053
		[[ $l == $1 || $l == $1" "* ]] && return 0
	done < <(uevents_flat)
	fail "no uevent matching '$1' in:
$(uevents_flat)"
}

uevent_count() {
	local l n=0
	while IFS= read -r l; do
		# shellcheck disable=SC2053
		[[ $l == $1 || $l == $1" "* ]] && n=$((n + 1))
	done < <(uevents_flat)
	echo "$n"
}

@test "checklist: devices are named cardXX and XX.YYYY in lowercase hex, queues nested, flat bus links" {
	sim_start t-types
	run bash -c "cd '$DEV' && ls -d card*"
	expect_eq $'card05\ncard06\ncard1a\ncard20' "$output" "cards"
	run bash -c "cd '$DEV/card1a' && ls -d 1a.*"
	expect_eq $'1a.000a\n1a.00ff' "$output" "queues of card1a"
	expect_missing "$DEV/card1A" "$DEV/card1a/1A.000A" "$DEV/card1a/1a.000A"
	run bash -c "cd '$AP/devices' && ls | LC_ALL=C sort"
	expect_eq "05.000a
05.00ff
06.000a
06.00ff
1a.000a
1a.00ff
20.000a
20.00ff
card05
card06
card1a
card20" "$output" "bus/ap/devices"
	local d
	for d in card05 card1a card20; do
		[[ -L $AP/devices/$d ]] || fail "$AP/devices/$d is not a symlink"
		expect_same_file "$AP/devices/$d" "$DEV/$d"
	done
	for d in 05.000a 1a.00ff 20.000a; do
		[[ -L $AP/devices/$d ]] || fail "$AP/devices/$d is not a symlink"
		expect_same_file "$AP/devices/$d" "$DEV/card${d:0:2}/$d"
	done
	expect_exists "$DEV/card1a/subsystem" "$DEV/card1a/uevent"
	expect_same_file "$DEV/card1a/subsystem" "$S/bus/ap"
}

@test "checklist: card files hwtype, raw_hwtype, depth, ap_functions (uppercase), counters, modalias, config, chkstop, max_msg_size" {
	sim_start t-types
	local c=$DEV/card05
	expect_r "$c/hwtype" "13\n"
	expect_r "$c/raw_hwtype" "13\n"
	expect_match "$c/depth" '^[0-9]+$'
	# SE bind-state bits are filtered out of the card's word
	expect_r "$c/ap_functions" "0xB2000000\n"
	expect_r "$c/request_count" "0\n"
	expect_r "$c/requestq_count" "0\n"
	expect_r "$c/pendingq_count" "0\n"
	expect_r "$c/modalias" "ap:t0D\n"
	expect_r "$c/config" "1\n"
	expect_r "$c/chkstop" "0\n"
	expect_match "$c/max_msg_size" '^[0-9]+$'
	local f mode
	for f in hwtype:0444 raw_hwtype:0444 depth:0444 ap_functions:0444 request_count:0644 \
		requestq_count:0444 pendingq_count:0444 modalias:0444 config:0644 chkstop:0444 \
		max_msg_size:0444; do
		mode=${f#*:}
		f=${f%:*}
		run "$APSIM_IO" stat "$c/$f"
		expect_eq "4096 $mode" "$output" "stat of card05/$f"
	done
	expect_r "$DEV/card06/hwtype" "14\n"
	expect_r "$DEV/card06/modalias" "ap:t0E\n"
	expect_r "$DEV/card1a/hwtype" "10\n"
	expect_r "$DEV/card1a/raw_hwtype" "10\n"
	expect_r "$DEV/card1a/modalias" "ap:t0A\n"
	# a newer raw type is mapped to the highest compatible type
	expect_r "$DEV/card20/raw_hwtype" "15\n"
	expect_r "$DEV/card20/hwtype" "14\n"
	expect_r "$DEV/card20/modalias" "ap:t0E\n"
	# derived function words: EP11 (X) on card06, accelerator (A) on card1a
	local fn
	expect_match "$DEV/card06/ap_functions" '^0x[0-9A-F]{8}$'
	fn=$(r "$DEV/card06/ap_functions")
	((fn & 0x04000000)) || fail "card06 ap_functions $fn lacks the EP11 bit"
	((!(fn & 0x08000000))) || fail "card06 ap_functions $fn has the accelerator bit"
	fn=$(r "$DEV/card1a/ap_functions")
	((fn & 0x08000000)) || fail "card1a ap_functions $fn lacks the accelerator bit"
}

@test "ap_functions classification byte: full native by default for coprocessors, per card in the host file" {
	local h=$BATS_TEST_TMPDIR/class.json
	printf '%s\n' '{ "adapters": [' \
		'{ "id": 1, "mode": "cca" }, { "id": 2, "mode": "ep11" }, { "id": 3, "mode": "accel" },' \
		'{ "id": 4, "mode": "cca", "class": "stateless" }, { "id": 5, "mode": "ep11", "class": "none" },' \
		'{ "id": 6, "functions": "0x90000000", "class": "full" } ],' \
		'"usage_domains": [1] }' >"$h"
	sim_start "$h"
	expect_r "$DEV/card01/ap_functions" "0x90800000\n"
	expect_r "$DEV/card02/ap_functions" "0x84800000\n"
	expect_r "$DEV/card03/ap_functions" "0xE8000000\n"
	expect_r "$DEV/card04/ap_functions" "0x90400000\n"
	expect_r "$DEV/card05/ap_functions" "0x84000000\n"
	expect_r "$DEV/card06/ap_functions" "0x90800000\n"
	expect_r "$DEV/card01/01.0001/ap_functions" "0x90800000\n"
	# apctl shows the class where a column or JSON field needs it
	run "$APCTL" show cards -o CARD,FUNCTIONS,CLASS
	expect_eq "CARD FUNCTIONS  CLASS
  01 0x90800000 full
  02 0x84800000 full
  03 0xe8000000 none
  04 0x90400000 stateless
  05 0x84000000 none
  06 0x90800000 full" "$output"
	run --separate-stderr "$APCTL" show cards --json
	expect_eq '["full","full","none","stateless","none","full"]' \
		"$(jq -c '[.cards[].function_class]' <<<"$output")"
	printf '{ "adapters": [ { "id": 1, "class": "half" } ] }\n' >"$h"
	run "$APSIM_RUN" --host "$h" -- true
	[ "$status" -ne 0 ]
	[[ $output == *"bad adapter class 'half' (full, stateless or none)"* ]] || fail "$output"
}

@test "checklist: card config is RW 0/1 with a CONFIG uevent, EINVAL otherwise" {
	sim_start t-doc
	local c=$DEV/card05
	ctl uevents clear
	local bad
	for bad in 2 -1 x "\n" "+1"; do
		expect_w "$c/config" "$bad" EINVAL
		expect_r "$c/config" "1\n"
	done
	expect_eq 0 "$(uevent_count '* CONFIG=*')" "CONFIG uevents after failed writes"
	expect_w "$c/config" "0\n" OK
	expect_r "$c/config" "0\n"
	uevent_has "change /devices/ap/card05 CONFIG=0"
	ctl uevents clear
	expect_w "$c/config" " 1" OK
	expect_r "$c/config" "1\n"
	uevent_has "change /devices/ap/card05 CONFIG=1"
	# writing the current value still sends the uevent
	ctl uevents clear
	expect_w "$c/config" "1abc" OK
	expect_eq 1 "$(uevent_count 'change /devices/ap/card05 CONFIG=1')" "CONFIG=1 uevents"
}

@test "checklist: queue files counters (- when uninitialised), reset, interrupt, config, chkstop, ap_functions, driver_override" {
	sim_start t-types
	local q=$DEV/card05/05.000a f mode
	expect_r "$q/request_count" "0\n"
	expect_r "$q/requestq_count" "0\n"
	expect_r "$q/pendingq_count" "0\n"
	expect_match "$q/reset" '^(Reset in progress\.|Reset Timer armed\.|No Reset Timer set\.)$'
	expect_match "$q/interrupt" '^(Enable Interrupt pending\.|Interrupts enabled\.|Interrupts disabled\.)$'
	expect_r "$q/config" "1\n"
	expect_r "$q/chkstop" "0\n"
	# the queue's word is the unfiltered TAPQ word
	expect_r "$q/ap_functions" "0xB200C000\n"
	expect_r "$q/driver_override" "\n"
	for f in request_count:0644 requestq_count:0444 pendingq_count:0444 reset:0644 \
		interrupt:0444 config:0444 chkstop:0444 ap_functions:0444 driver_override:0644; do
		mode=${f#*:}
		f=${f%:*}
		run "$APSIM_IO" stat "$q/$f"
		expect_eq "4096 $mode" "$output" "stat of 05.000a/$f"
	done
	run "$APSIM_IO" write "$q/config" 0
	expect_eq "open: EACCES" "$output"
	expect_w "$q/reset" "1" OK
	expect_w "$q/request_count" "0" OK
	expect_r "$q/request_count" "0\n"
	# a queue moved to vfio_ap is no longer initialised
	w "$AP/apmask" "-5"
	expect_driver 05.000a vfio_ap
	expect_r "$q/request_count" "-\n"
	expect_r "$q/requestq_count" "0\n"
	expect_r "$q/pendingq_count" "0\n"
	# and cex4queue initialises it again
	w "$AP/apmask" "+5"
	expect_driver 05.000a cex4queue
	expect_r "$q/request_count" "0\n"
}

@test "checklist: driver-added files appear and disappear with the binding" {
	sim_start t-types
	# cex4card
	expect_r "$DEV/card05/type" "CEX7C\n"
	expect_r "$DEV/card06/type" "CEX8P\n"
	expect_r "$DEV/card1a/type" "CEX4A\n"
	expect_r "$DEV/card20/type" "CEX8C\n"
	expect_r "$DEV/card05/online" "1\n"
	expect_match "$DEV/card05/load" '^[0-9]+$'
	expect_exists "$DEV/card05/serialnr" "$DEV/card06/serialnr"
	expect_exists "$DEV/card06/API_ordinalnr" "$DEV/card06/FW_version" "$DEV/card06/op_modes"
	expect_missing "$DEV/card1a/serialnr" "$DEV/card05/API_ordinalnr" "$DEV/card1a/op_modes"
	run "$APSIM_IO" stat "$DEV/card05/online"
	expect_eq "4096 0644" "$output"
	# cex4queue
	expect_r "$DEV/card05/05.000a/online" "1\n"
	expect_match "$DEV/card05/05.000a/load" '^[0-9]+$'
	expect_exists "$DEV/card05/05.000a/mkvps" "$DEV/card06/06.000a/op_modes"
	expect_missing "$DEV/card05/05.000a/status" "$DEV/card1a/1a.000a/mkvps"
	# unbinding the card driver removes its files
	expect_w "$DRV/cex4card/unbind" card05 OK
	expect_missing "$DEV/card05/type" "$DEV/card05/online" "$DEV/card05/load" \
		"$DEV/card05/serialnr" "$DEV/card05/driver"
	expect_exists "$DEV/card05/hwtype" "$DEV/card05/config"
	expect_w "$DRV/cex4card/bind" card05 OK
	expect_r "$DEV/card05/type" "CEX7C\n"
	expect_exists "$DEV/card05/online" "$DEV/card05/serialnr"
	# a queue handed to vfio_ap swaps online/load/mkvps for status
	w "$AP/apmask" "-5"
	expect_missing "$DEV/card05/05.000a/online" "$DEV/card05/05.000a/load" \
		"$DEV/card05/05.000a/mkvps"
	expect_r "$DEV/card05/05.000a/status" "unassigned\n"
	run "$APSIM_IO" stat "$DEV/card05/05.000a/status"
	expect_eq "4096 0444" "$output"
	# unbound: neither
	expect_w "$DRV/vfio_ap/unbind" 05.000a OK
	expect_missing "$DEV/card05/05.000a/status" "$DEV/card05/05.000a/online"
	expect_exists "$DEV/card05/05.000a/request_count"
}

@test "checklist: online is ENODEV with config 0 or checkstop; queue online is EINVAL with the card offline; card online propagates with ONLINE uevents" {
	sim_start t-doc
	local c=$DEV/card05 q
	expect_r "$c/online" "1\n"
	expect_w "$c/online" "2" EINVAL
	expect_w "$c/online" "x" EINVAL
	ctl uevents clear
	expect_w "$c/online" "0" OK
	expect_r "$c/online" "0\n"
	for q in 05.0004 05.0047 05.00ab 05.00ff; do
		expect_r "$c/$q/online" "0\n"
		uevent_has "change /devices/ap/card05/$q ONLINE=0"
	done
	uevent_has "change /devices/ap/card05 ONLINE=0"
	expect_r "$DEV/card06/06.0004/online" "1\n"
	expect_w "$c/05.0004/online" "1" EINVAL
	expect_w "$c/05.0004/online" "0" OK
	ctl uevents clear
	expect_w "$c/online" "1\n" OK
	for q in 05.0004 05.0047 05.00ab 05.00ff; do
		expect_r "$c/$q/online" "1\n"
		uevent_has "change /devices/ap/card05/$q ONLINE=1"
	done
	uevent_has "change /devices/ap/card05 ONLINE=1"
	# queue online on its own
	ctl uevents clear
	expect_w "$c/05.0047/online" "0" OK
	expect_r "$c/05.0047/online" "0\n"
	uevent_has "change /devices/ap/card05/05.0047 ONLINE=0"
	expect_w "$c/05.0047/online" "3" EINVAL
	expect_w "$c/05.0047/online" "1" OK
	expect_r "$c/05.0047/online" "1\n"
	# card config 0
	w "$c/config" 0
	expect_r "$c/online" "0\n"
	expect_w "$c/online" "1" ENODEV
	expect_w "$c/05.0004/online" "1" ENODEV
	w "$c/config" 1
	expect_r "$c/online" "1\n"
	# checkstop
	ctl host checkstop 6 1
	ctl scan
	expect_r "$DEV/card06/chkstop" "1\n"
	expect_r "$DEV/card06/online" "0\n"
	expect_w "$DEV/card06/online" "1" ENODEV
	expect_w "$DEV/card06/06.0004/online" "1" ENODEV
	ctl host checkstop 6 0
	ctl scan
	expect_r "$DEV/card06/chkstop" "0\n"
	expect_w "$DEV/card06/online" "1" OK
	expect_r "$DEV/card06/online" "1\n"
}

@test "checklist: binding policy host-owned to cex4queue, others to vfio_ap, cards to cex4card" {
	sim_start t-doc
	w "$AP/apmask" "-5"
	w "$AP/aqmask" "-0x47"
	run bound_devices cex4card
	expect_eq $'card05\ncard06' "$output" "cex4card devices"
	run bound_devices cex4queue
	expect_eq $'06.0004\n06.00ab\n06.00ff' "$output" "cex4queue devices"
	run bound_devices vfio_ap
	expect_eq $'05.0004\n05.0047\n05.00ab\n05.00ff\n06.0047' "$output" "vfio_ap devices"
	local q
	for q in 05.0004 05.0047 05.00ab 05.00ff 06.0047; do
		expect_driver "$q" vfio_ap
	done
	for q in 06.0004 06.00ab 06.00ff; do
		expect_driver "$q" cex4queue
	done
	expect_driver card05 cex4card
	expect_driver card06 cex4card
	expect_exists "$DRV/cex4card/bind" "$DRV/cex4card/unbind" "$DRV/cex4card/uevent" \
		"$DRV/vfio_ap/bind" "$DRV/vfio_ap/unbind" "$DRV/cex4queue/bind"
}

@test "checklist: [>=6.19] driver_override wins over the masks" {
	sim_start t-doc
	expect_w "$DEV/card06/06.0004/driver_override" "vfio_ap\n" OK
	# only the next probe is affected
	expect_driver 06.0004 cex4queue
	expect_w "$DRV/cex4queue/unbind" 06.0004 OK
	expect_w "$AP/drivers_probe" 06.0004 OK
	expect_driver 06.0004 vfio_ap
	expect_r "$DEV/card06/06.0004/status" "unassigned\n"
	# with the override set, only the named driver binds
	expect_w "$DRV/vfio_ap/unbind" 06.0004 OK
	expect_w "$DRV/cex4queue/bind" 06.0004 ENODEV
	expect_w "$DRV/vfio_ap/bind" 06.0004 OK
	expect_driver 06.0004 vfio_ap
}

@test "checklist: [>=6.19] masks from the boot configuration allow an override to cex4queue" {
	local host=$BATS_TEST_TMPDIR/host.json
	jq --arg m "$(mask_all_but 5)" '.apmask = $m' "$BATS_HOSTS/t-doc.json" >"$host"
	sim_start "$host"
	expect_r "$AP/apmask" "$(mask_all_but 5)\n"
	expect_driver 05.0004 vfio_ap
	# boot-time masks do not count as "changed via sysfs"
	expect_w "$DEV/card05/05.0004/driver_override" "cex4queue" OK
	expect_w "$DRV/vfio_ap/unbind" 05.0004 OK
	expect_w "$DRV/vfio_ap/bind" 05.0004 ENODEV
	expect_w "$DRV/cex4queue/bind" 05.0004 OK
	expect_driver 05.0004 cex4queue
	expect_exists "$DEV/card05/05.0004/online"
	# for assignments, an overridden queue bound to a default driver is host-owned
	w "$TYPE/create" "$U1"
	expect_w "$MATRIX/$U1/assign_adapter" 5 OK
	expect_w "$MATRIX/$U1/assign_domain" 0x47 OK
	expect_w "$MATRIX/$U1/assign_domain" 4 EADDRNOTAVAIL
	expect_r "$MATRIX/$U1/matrix" "05.0047\n"
	# overridden but not bound to a default driver: not host-owned
	expect_w "$DRV/cex4queue/unbind" 05.0004 OK
	expect_w "$MATRIX/$U1/assign_domain" 4 OK
	expect_r "$MATRIX/$U1/matrix" "05.0004\n05.0047\n"
}

@test "checklist: bind is ENODEV for unknown devices, wrong drivers and wrong ownership, EBUSY when bound" {
	sim_start t-doc
	expect_w "$DRV/cex4queue/bind" "07.0004" ENODEV
	expect_w "$DRV/cex4queue/bind" "nonsense" ENODEV
	expect_w "$DRV/vfio_ap/bind" "card05" ENODEV
	expect_w "$DRV/cex4queue/bind" "card05" ENODEV
	expect_w "$DRV/cex4card/bind" "05.0004" ENODEV
	expect_w "$DRV/cex4queue/bind" "05.0004" EBUSY
	expect_w "$DRV/cex4card/bind" "card05" EBUSY
	expect_w "$DRV/vfio_ap/bind" "05.0004" EBUSY
	expect_w "$DRV/cex4queue/unbind" "05.0004" OK
	# host-owned: vfio_ap refuses it
	expect_w "$DRV/vfio_ap/bind" "05.0004" ENODEV
	expect_driver 05.0004 none
	# one trailing newline is fine, two are not (sysfs_streq)
	expect_w "$DRV/cex4queue/bind" "05.0004\n\n" ENODEV
	expect_w "$DRV/cex4queue/bind" " 05.0004" ENODEV
	expect_w "$DRV/cex4queue/bind" "05.0004\n" OK
	expect_driver 05.0004 cex4queue
	# vfio-owned: cex4queue refuses it
	w "$AP/apmask" "-6"
	expect_w "$DRV/vfio_ap/unbind" "06.00ff" OK
	expect_w "$DRV/cex4queue/bind" "06.00ff" ENODEV
	expect_w "$DRV/vfio_ap/bind" "06.00ff" OK
	expect_driver 06.00ff vfio_ap
}

@test "checklist: unbind is ENODEV unless bound to this driver; drivers_probe attaches an unbound device" {
	sim_start t-doc
	expect_w "$DRV/vfio_ap/unbind" "05.0004" ENODEV
	expect_w "$DRV/cex4queue/unbind" "07.0004" ENODEV
	expect_w "$DRV/cex4queue/unbind" "card05" ENODEV
	expect_driver 05.0004 cex4queue
	expect_w "$DRV/cex4queue/unbind" "05.0004\n" OK
	expect_driver 05.0004 none
	expect_missing "$DEV/card05/05.0004/online"
	expect_w "$DRV/cex4queue/unbind" "05.0004" ENODEV
	# stays unbound across a scan
	ctl scan
	expect_driver 05.0004 none
	expect_w "$AP/drivers_probe" "07.0004" ENODEV
	expect_w "$AP/drivers_probe" "05.0004" OK
	expect_driver 05.0004 cex4queue
	expect_exists "$DEV/card05/05.0004/online"
	expect_w "$DRV/cex4card/unbind" "card06" OK
	expect_driver card06 none
	expect_w "$AP/drivers_probe" "card06\n" OK
	expect_driver card06 cex4card
}

@test "checklist: an adapter or domain leaving the configuration removes its devices, adding creates them at the next scan" {
	sim_start t-doc
	ctl uevents clear
	ctl host adapter-remove 6
	expect_exists "$DEV/card06" "$AP/devices/06.0004"
	ctl scan
	expect_missing "$DEV/card06" "$AP/devices/card06" "$AP/devices/06.0004" \
		"$AP/devices/06.00ff" "$DRV/cex4card/card06" "$DRV/cex4queue/06.0004"
	uevent_has "remove /devices/ap/card06 *"
	uevent_has "remove /devices/ap/card06/06.0004 *"
	expect_r "$AP/bindings" "4/4 (complete)\n"
	ctl uevents clear
	ctl host adapter-add 11 --type CEX6 --mode accel
	expect_missing "$DEV/card0b"
	ctl scan
	expect_exists "$DEV/card0b/0b.0004" "$DEV/card0b/0b.00ff" "$AP/devices/0b.0047"
	expect_r "$DEV/card0b/hwtype" "12\n"
	expect_r "$DEV/card0b/type" "CEX6A\n"
	expect_driver card0b cex4card
	expect_driver 0b.00ab cex4queue
	uevent_has "add /devices/ap/card0b *DEV_TYPE=000C*"
	uevent_has "add /devices/ap/card0b *MODALIAS=ap:t0C*"
	uevent_has "add /devices/ap/card0b *MODE=accel*"
	ctl host domain-remove 71
	expect_exists "$DEV/card05/05.0047"
	ctl scan
	expect_missing "$DEV/card05/05.0047" "$DEV/card0b/0b.0047" "$AP/devices/05.0047"
	ctl host domain-add 16
	ctl scan
	expect_exists "$DEV/card05/05.0010" "$DEV/card0b/0b.0010" "$AP/devices/05.0010"
	expect_driver 05.0010 cex4queue
	expect_r "$AP/bindings" "8/8 (complete)\n"
	ctl host card-config 5 0
	ctl scan
	expect_r "$DEV/card05/config" "0\n"
	expect_r "$DEV/card05/online" "0\n"
	ctl host card-config 5 1
	ctl scan
	expect_r "$DEV/card05/config" "1\n"
}

@test "spec §3: each AP driver directory has bind, unbind, uevent and a module link" {
	sim_start t-doc
	local d
	for d in cex4card cex4queue vfio_ap; do
		expect_exists "$DRV/$d/bind" "$DRV/$d/unbind" "$DRV/$d/uevent"
		[[ -L $DRV/$d/module ]] || fail "$DRV/$d/module is not a symlink"
		run "$APSIM_IO" stat "$DRV/$d/bind"
		expect_eq "4096 0200" "$output"
	done
	run bash -c "cd '$DRV' && ls | LC_ALL=C sort"
	expect_eq $'cex4card\ncex4queue\nvfio_ap' "$output" "AP drivers"
}

@test "spec §2.3: queue interrupt state follows the adapter interrupt facility" {
	sim_start t-small
	expect_r "$AP/ap_interrupts" "0\n"
	expect_r "$DEV/card01/01.0001/interrupt" "Interrupts disabled.\n"
	expect_r "$DEV/card02/02.0002/interrupt" "Interrupts disabled.\n"
}
