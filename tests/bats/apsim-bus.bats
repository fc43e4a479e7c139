#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# kernel-abi.md §10 "Other bus files" (§1.1, §1.6-§1.9).

load helpers

teardown() {
	sim_stop
}

# expect_value FILE DATA RESULT VALUE: write DATA, expect RESULT, then FILE reads VALUE
expect_value() {
	expect_w "$1" "$2" "$3" || return 1
	expect_r "$1" "$4\n"
}

@test "checklist: ap_domain is parsed with %i, must be <= max and set in aqmask, ignores trailing junk, rejects +5" {
	sim_start t-doc
	expect_r "$AP/ap_domain" "4\n"
	expect_value "$AP/ap_domain" "0x47" OK 71
	expect_value "$AP/ap_domain" "071" OK 57
	expect_value "$AP/ap_domain" " 12" OK 12
	expect_value "$AP/ap_domain" "5abc" OK 5
	expect_value "$AP/ap_domain" "255\n" OK 255
	# not in the QCI configuration: not checked
	expect_value "$AP/ap_domain" "7" OK 7
	local bad
	for bad in "+5" "-1" "256" "0x100" "abc" "\n" "x5"; do
		expect_value "$AP/ap_domain" "$bad" EINVAL 7
	done
	# the domain's bit must be set in aqmask
	w "$AP/aqmask" "-9"
	expect_value "$AP/ap_domain" "9" EINVAL 7
	expect_value "$AP/ap_domain" "8" OK 8
}

@test "checklist: config_time accepts 5..120 via %d" {
	sim_start t-doc
	expect_r "$AP/config_time" "30\n"
	expect_value "$AP/config_time" "5" OK 5
	expect_value "$AP/config_time" "120\n" OK 120
	expect_value "$AP/config_time" "60abc" OK 60
	expect_value "$AP/config_time" " 45" OK 45
	local bad
	for bad in 4 121 0 -5 "+60" "abc" "0x10" "\n"; do
		expect_value "$AP/config_time" "$bad" EINVAL 45
	done
}

@test "checklist: poll_thread uses kstrtobool and stays 0 while adapter interrupts are on" {
	sim_start t-doc
	expect_r "$AP/ap_interrupts" "1\n"
	expect_r "$AP/poll_thread" "0\n"
	expect_value "$AP/poll_thread" "1" OK 0
	expect_value "$AP/poll_thread" "x" EINVAL 0
	sim_stop
	sim_start t-small
	expect_r "$AP/ap_interrupts" "0\n"
	expect_value "$AP/poll_thread" "1\n" OK 1
	expect_value "$AP/poll_thread" "0" OK 0
	expect_value "$AP/poll_thread" "on" OK 1
	expect_value "$AP/poll_thread" "of" OK 0
	expect_value "$AP/poll_thread" "Yes" OK 1
	expect_value "$AP/poll_thread" "n" OK 0
	expect_value "$AP/poll_thread" "true" OK 1
	expect_value "$AP/poll_thread" "disable" OK 0
	local bad
	for bad in 2 x "o" " 1" "-1"; do
		expect_value "$AP/poll_thread" "$bad" EINVAL 0
	done
}

@test "checklist: poll_timeout accepts 0..120e9 ns via kstrtoul" {
	sim_start t-doc
	expect_r "$AP/poll_timeout" "250000\n"
	expect_value "$AP/poll_timeout" "0" OK 0
	expect_value "$AP/poll_timeout" "120000000000\n" OK 120000000000
	expect_value "$AP/poll_timeout" "0x10" OK 16
	expect_value "$AP/poll_timeout" "010" OK 8
	expect_value "$AP/poll_timeout" "+7" OK 7
	expect_value "$AP/poll_timeout" "120000000001" EINVAL 7
	expect_value "$AP/poll_timeout" "18446744073709551616" ERANGE 7
	local bad
	for bad in "-1" "1 " " 1" "1\n\n" "1abc" "08" "0x" "\n"; do
		expect_value "$AP/poll_timeout" "$bad" EINVAL 7
	done
}

@test "checklist: ap_max_adapter_id/ap_max_domain_id default to 63/15 or come from Na/Nd" {
	sim_start t-small
	expect_r "$AP/ap_max_adapter_id" "63\n"
	expect_r "$AP/ap_max_domain_id" "15\n"
	sim_stop
	sim_start t-na
	expect_r "$AP/ap_max_adapter_id" "127\n"
	expect_r "$AP/ap_max_domain_id" "84\n"
	sim_stop
	sim_start t-doc
	expect_r "$AP/ap_max_adapter_id" "255\n"
	expect_r "$AP/ap_max_domain_id" "255\n"
	run "$APSIM_IO" stat "$AP/ap_max_domain_id"
	expect_eq "4096 0444" "$output"
}

@test "checklist: QCI masks read as 8x%08x, re-fetched at a scan" {
	sim_start t-doc
	expect_r "$AP/ap_adapter_mask" "$(mask_of 5 6)\n"
	expect_r "$AP/ap_usage_domain_mask" "$(mask_of 4 0x47 0xab 0xff)\n"
	expect_r "$AP/ap_control_domain_mask" "$(mask_of 4 0x47 0xab 0xff)\n"
	ctl host adapter-add 7
	ctl host domain-add 16
	ctl host cdom-add 32
	expect_r "$AP/ap_adapter_mask" "$(mask_of 5 6)\n"
	ctl scan
	expect_r "$AP/ap_adapter_mask" "$(mask_of 5 6 7)\n"
	expect_r "$AP/ap_usage_domain_mask" "$(mask_of 4 0x10 0x47 0xab 0xff)\n"
	expect_r "$AP/ap_control_domain_mask" "$(mask_of 4 0x20 0x47 0xab 0xff)\n"
	sim_stop
	sim_start t-small
	expect_r "$AP/ap_adapter_mask" "$(mask_of 1 2)\n"
	expect_r "$AP/ap_usage_domain_mask" "$(mask_of 1 2)\n"
	expect_r "$AP/ap_control_domain_mask" "$(mask_of 1 2 3)\n"
}

@test "checklist: QCI masks read not supported when QCI is unavailable" {
	sim_start t-noqci
	expect_r "$AP/ap_adapter_mask" "not supported\n"
	expect_r "$AP/ap_usage_domain_mask" "not supported\n"
	expect_r "$AP/ap_control_domain_mask" "not supported\n"
}

# expect_features HAS_APXA: bus features is an ordered subset of the five tokens
expect_features() {
	local content known="APSC APXA QACT RC8A APSB" t last=-1 i found
	content=$(r "$AP/features"; echo .)
	content=${content%.}
	[[ $content == *$'\n' ]] || fail "features does not end with a newline: '$content'" || return 1
	content=${content%$'\n'}
	[[ $content != *$'\n'* && $content != *"  "* && $content != " "* ]] ||
		fail "features is not one line of single-space separated tokens: '$content'" || return 1
	for t in $content; do
		found=-1
		i=0
		for k in $known; do
			[[ $k == "$t" ]] && found=$i
			i=$((i + 1))
		done
		((found > last)) || fail "features token '$t' unknown or out of order: '$content'" || return 1
		last=$found
	done
	if [[ $1 == yes ]]; then
		[[ " $content " == *" APXA "* ]] || fail "APXA missing: '$content'"
	else
		[[ " $content " != *" APXA "* ]] || fail "APXA present without apxa: '$content'"
	fi
}

@test "checklist: bus features is an ordered subset of APSC APXA QACT RC8A APSB + newline, or -" {
	sim_start t-doc
	expect_features yes
	run "$APSIM_IO" stat "$AP/features"
	expect_eq "4096 0444" "$output"
	sim_stop
	sim_start t-small
	expect_features no
	sim_stop
	sim_start t-noqci
	expect_r "$AP/features" "-\n"
}

@test "checklist: scans counts scans and a write rescans synchronously" {
	sim_start t-doc
	local n
	n=$(r "$AP/scans")
	[[ $n =~ ^[0-9]+$ ]] || fail "scans reads '$n'"
	expect_w "$AP/scans" "x" OK
	expect_r "$AP/scans" "$((n + 1))\n"
	expect_w "$AP/scans" "anything at all\n" OK
	expect_r "$AP/scans" "$((n + 2))\n"
	ctl host adapter-add 7 --type CEX7 --mode cca
	expect_missing "$DEV/card07"
	expect_w "$AP/scans" "1" OK
	expect_r "$AP/scans" "$((n + 3))\n"
	local q
	for q in 07.0004 07.0047 07.00ab 07.00ff; do
		expect_exists "$DEV/card07/$q" "$AP/devices/$q"
		expect_driver "$q" cex4queue
	done
	expect_driver card07 cex4card
	expect_r "$DEV/card07/hwtype" "13\n"
	# apsimctl scan is the same as a write to scans
	ctl scan
	expect_r "$AP/scans" "$((n + 4))\n"
}

@test "checklist: bindings counts bound queues only, N/M with (complete)" {
	sim_start t-doc
	expect_r "$AP/bindings" "8/8 (complete)\n"
	expect_w "$DRV/cex4queue/unbind" "05.0004" OK
	expect_r "$AP/bindings" "7/8\n"
	ctl scan
	expect_r "$AP/bindings" "7/8\n"
	expect_w "$DRV/cex4card/unbind" "card06" OK
	expect_r "$AP/bindings" "7/8\n"
	expect_w "$DRV/cex4queue/bind" "05.0004" OK
	expect_r "$AP/bindings" "8/8 (complete)\n"
	# a queue moved to vfio_ap is still bound
	w "$AP/apmask" "-6"
	expect_r "$AP/bindings" "8/8 (complete)\n"
	ctl host adapter-add 7
	ctl scan
	expect_r "$AP/bindings" "12/12 (complete)\n"
}

@test "checklist: bindings_complete_count and the BINDINGS/COMPLETECOUNT uevent at the next scan after a re-arm" {
	sim_start t-doc
	local c0
	c0=$(r "$AP/bindings_complete_count")
	[[ $c0 =~ ^[0-9]+$ ]] || fail "bindings_complete_count reads '$c0'"
	ctl uevents clear
	expect_w "$DRV/cex4queue/unbind" "05.0004" OK
	expect_w "$DRV/cex4queue/bind" "05.0004" OK
	expect_r "$AP/bindings" "8/8 (complete)\n"
	# not in the bind: only at the next scan
	expect_r "$AP/bindings_complete_count" "$c0\n"
	run uevents_flat
	[[ $output != *BINDINGS=* ]] || fail "BINDINGS uevent before a scan: $output"
	ctl scan
	expect_r "$AP/bindings_complete_count" "$((c0 + 1))\n"
	run uevents_flat
	[[ $output == *"change /devices/ap BINDINGS=complete COMPLETECOUNT=$((c0 + 1))"* ]] ||
		fail "no BINDINGS uevent: $output"
	# not re-armed: no second event
	ctl uevents clear
	ctl scan
	expect_r "$AP/bindings_complete_count" "$((c0 + 1))\n"
	run uevents_flat
	[[ $output != *BINDINGS=* ]] || fail "BINDINGS uevent without a re-arm: $output"
	# a mask change reprobes queues, which re-arms it
	w "$AP/apmask" "-5"
	expect_r "$AP/bindings_complete_count" "$((c0 + 1))\n"
	expect_w "$AP/scans" "1" OK
	expect_r "$AP/bindings_complete_count" "$((c0 + 2))\n"
	run uevents_flat
	[[ $output == *"change /devices/ap BINDINGS=complete COMPLETECOUNT=$((c0 + 2))"* ]] ||
		fail "no BINDINGS uevent after the mask change: $output"
}

@test "checklist: INITSCAN=done is sent once" {
	sim_start t-doc
	run uevents_flat
	local n
	n=$(grep -c "^change /devices/ap INITSCAN=done$" <<<"$output" || true)
	expect_eq 1 "$n" "INITSCAN uevents after start"
	ctl scan
	w "$AP/scans" 1
	run uevents_flat
	n=$(grep -c "INITSCAN=done" <<<"$output" || true)
	expect_eq 1 "$n" "INITSCAN uevents after more scans"
}
