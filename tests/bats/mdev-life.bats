#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The life of a definition (issue 10): mdev define, start, stop, undefine,
# the autostart run and its conflicts, the three-guest example as autostart
# definitions, show --format libvirt|qemu.  With mdevctl: peer-mdevctl-life.bats.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	sim_start doc-example 7.2
	DEFS=$APSIM_ROOT/etc/mdevctl.d/matrix
}

teardown() {
	sim_stop
}

@test "define from the command line, start, stop, start again, undefine: the active mdev stays" {
	"$APCTL" -q reserve 5,6
	run --separate-stderr "$APCTL" mdev define -u "$U1" -a 5,6 -d 4,0xab
	[ "$status" -eq 0 ] || fail "define: $status $stderr"
	expect_eq "$U1" "$output"
	expect_missing "$MATRIX/$U1"
	[[ $(jq -r .start "$DEFS/$U1") == manual ]] || fail "not manual: $(cat "$DEFS/$U1")"

	run --separate-stderr "$APCTL" mdev start "$U1" --dry-run --json
	[ "$status" -eq 0 ] || fail "start --dry-run: $stderr"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/start.json"
	expect_schema "$BATS_TEST_TMPDIR/start.json"
	expect_eq "mdev start 2" "$(jq -r '.command + " " + (.steps | length | tostring)' <<<"$output")"
	# the dry run's keys say what the plan would do, as the real run's do
	expect_eq "true $U1 planned" "$(jq -r '"\(.dry_run) \(.uuid) \(.outcome)"' <<<"$output")"
	run "$APCTL" mdev start "$U1"
	[ "$status" -eq 0 ] || fail "start: $output"
	expect_eq "apctl: mdev $U1 started" "$output"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n05.00ab\n06.0004\n06.00ab\n'
	# once more: active with the definition's matrix, nothing to do
	run "$APCTL" mdev start "$U1"
	[ "$status" -eq 0 ]
	[[ $output == *"mdev $U1 is active already, with its definition's matrix"* ]] || fail "$output"

	cp "$DEFS/$U1" "$BATS_TEST_TMPDIR/def"
	run "$APCTL" mdev stop "$U1"
	[ "$status" -eq 0 ] || fail "stop: $output"
	expect_eq "apctl: mdev $U1 stopped; its definition stays" "$output"
	expect_missing "$MATRIX/$U1"
	cmp "$DEFS/$U1" "$BATS_TEST_TMPDIR/def" || fail "stop touched the definition"
	run "$APCTL" mdev stop "$U1"
	[ "$status" -eq 0 ]
	[[ $output == *"mdev $U1 is not active"* ]] || fail "$output"

	"$APCTL" -q mdev start "$U1"
	run "$APCTL" mdev undefine "$U1"
	[ "$status" -eq 0 ] || fail "undefine: $output"
	expect_missing "$DEFS/$U1"
	expect_exists "$MATRIX/$U1"
	# start needs a definition: exit 2, naming the way out
	run "$APCTL" mdev start "$U1"
	[ "$status" -eq 2 ]
	[[ $output == *"apctl mdev define $U1 writes one"* ]] || fail "$output"
}

@test "define UUID writes the active mdev as it is; --autostart/--manual change only the start mode" {
	"$APCTL" -q reserve 5,6
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 -c 4
	run "$APCTL" mdev define "$U1"
	[ "$status" -eq 0 ] || fail "$output"
	expect_eq "manual 0x5 0x4 0x4" "$(jq -r '[.start, (.attrs[] | .[])] | join(" ")' "$DEFS/$U1")"
	run "$APCTL" mdev list --raw --noheadings -o UUID,ACTIVE,DEFINED,START,ADAPTERS,DOMAINS,CONTROL
	expect_eq "$U1 yes yes manual 05 0004 0004" "$output"

	# the live mdev changes; --autostart keeps the definition's matrix
	"$APCTL" -q mdev modify "$U1" --active --add-domains 0xab
	run "$APCTL" mdev define "$U1" --autostart
	[ "$status" -eq 0 ] || fail "$output"
	expect_eq "auto 0x5 0x4 0x4" "$(jq -r '[.start, (.attrs[] | .[])] | join(" ")' "$DEFS/$U1")"
	# without a mode: the running matrix, the mode kept
	run "$APCTL" mdev define "$U1"
	[ "$status" -eq 0 ] || fail "$output"
	run "$APCTL" mdev list --raw --noheadings -o UUID,START,DOMAINS --defined
	expect_eq "$U1 auto 0004,00ab" "$output"
	run "$APCTL" mdev define "$U1" --manual
	[[ $(jq -r .start "$DEFS/$U1") == manual ]] || fail "not manual"
	# the same mode again: nothing to change
	run "$APCTL" mdev define "$U1" --manual
	[ "$status" -eq 0 ]
	[[ $output == *"nothing to change"* ]] || fail "$output"
	# an inactive definition without a mode: usage, nothing written
	"$APCTL" -q mdev stop "$U1"
	run "$APCTL" mdev define "$U1"
	[ "$status" -eq 2 ]
	[[ $output == *"give --autostart or --manual"* ]] || fail "$output"
	run "$APCTL" mdev define "$U2"
	[ "$status" -eq 2 ]
	[[ $output == *"no mdev $U2"* ]] || fail "$output"
	run "$APCTL" mdev define "$U1" --autostart --manual
	[ "$status" -eq 2 ]
}

@test "define -a/-d is checked like create: a used APQN and ids above the limits are refused, nothing written" {
	"$APCTL" -q reserve 5,6
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4
	run "$APCTL" mdev define -u "$U2" -a 5 -d 4 --autostart
	[ "$status" -eq 4 ]
	[[ $output == *"05.0004"*"mdev $U1"* ]] || fail "the other party is not named: $output"
	expect_missing "$DEFS/$U2"
	# doc-example: the highest domain is 0xff (max_domain_id 255)? ask the kernel
	max=$(cat "$AP/ap_max_adapter_id")
	run "$APCTL" mdev define -u "$U2" -a $((max + 1)) -d 4
	[ "$status" -ne 0 ]
	[[ $output == *"$((max + 1))"* || $output == *"$(printf '%02x' $((max + 1)))"* ]] || fail "$output"
	expect_missing "$DEFS/$U2"
	# an id the LPAR lacks: over-provisioned, a warning, written
	run "$APCTL" mdev define -u "$U2" -a 6 -d 0x50
	[ "$status" -eq 0 ] || fail "$output"
	[[ $output == *"warning:"*"not in the host"* ]] || fail "no over-provisioning warning: $output"
	expect_exists "$DEFS/$U2"
}

# the mdevs of the three-guest example (scenarios.md), as autostart definitions
three_defs() {
	"$APCTL" -q reserve --active --persistent 5,6
	"$APCTL" -q mdev define -u "$U1" -a 5,6 -d 4,0xab --autostart >/dev/null
	"$APCTL" -q mdev define -u "$U2" -a 5 -d 0x47,0xff --autostart >/dev/null
	"$APCTL" -q mdev define -u "$U3" -a 6 -d 0x47,0xff --autostart >/dev/null
}

@test "three guests as autostart definitions: one run starts them all, a second does nothing, show shows them" {
	three_defs
	run --separate-stderr "$APCTL" mdev start --autostart --json
	[ "$status" -eq 0 ] || fail "$status: $stderr"
	expect_eq "$U1 started
$U2 started
$U3 started" "$(jq -r '.mdevs[] | .uuid + " " + .outcome' <<<"$output")"
	expect_eq ok "$(jq -r .status <<<"$output")"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/run.json"
	expect_schema "$BATS_TEST_TMPDIR/run.json"
	expect_r "$MATRIX/$U1/matrix" '05.0004\n05.00ab\n06.0004\n06.00ab\n'
	expect_r "$MATRIX/$U2/matrix" '05.0047\n05.00ff\n'
	expect_r "$MATRIX/$U3/matrix" '06.0047\n06.00ff\n'
	snap after
	run --separate-stderr "$APCTL" mdev start --autostart --json
	[ "$status" -eq 0 ]
	expect_eq "active active active" "$(jq -r '[.mdevs[].outcome] | join(" ")' <<<"$output")"
	expect_snap after
	run "$APCTL" mdev start --autostart
	[ "$status" -eq 0 ]
	[[ $output == *"autostart: 0 started, 3 active already, 0 not started"* ]] || fail "$output"
	run "$APCTL" show mdevs --raw --noheadings -o UUID,ACTIVE,DEFINED,START
	expect_eq "$U1 yes yes auto
$U2 yes yes auto
$U3 yes yes auto" "$output"
	run "$APCTL" check
	[ "$status" -eq 0 ] || fail "check after the autostart run: $output"
}

@test "autostart: two definitions sharing an APQN both stay inactive, the others start; exit 4 names both" {
	"$APCTL" -q reserve --active --persistent 5,6
	"$APCTL" -q mdev define -u "$U1" -a 5 -d 4 --autostart >/dev/null
	# the second one the way mdevctl (or an editor) would write it: apctl refuses to
	sed 's/"0x4"/"4"/' "$DEFS/$U1" >"$DEFS/$U2"
	"$APCTL" -q mdev define -u "$U3" -a 6 -d 4 --autostart >/dev/null
	run --separate-stderr "$APCTL" mdev start --autostart --json
	[ "$status" -eq 4 ] || fail "$status $output"
	expect_eq "$U1 skipped
$U2 skipped
$U3 started" "$(jq -r '.mdevs[] | .uuid + " " + .outcome' <<<"$output")"
	[[ $(jq -r ".mdevs[0].error" <<<"$output") == *"mdev $U2"* ]] || fail "U1's reason does not name U2"
	[[ $(jq -r ".mdevs[1].error" <<<"$output") == *"mdev $U1"* ]] || fail "U2's reason does not name U1"
	expect_eq refused "$(jq -r .status <<<"$output")"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/run.json"
	expect_schema "$BATS_TEST_TMPDIR/run.json"
	expect_missing "$MATRIX/$U1" "$MATRIX/$U2"
	expect_exists "$MATRIX/$U3"
	# the same again: the same outcome, nothing else changes
	run "$APCTL" mdev start --autostart
	[ "$status" -eq 4 ]
	[[ $output == *"mdev $U1 not started"*"mdev $U2 not started"* ]] || fail "$output"
}

@test "autostart: a definition the masks give to the host is reported (host named), --reserve takes it" {
	"$APCTL" -q mdev define -u "$U1" -a 5 -d 4 --autostart >/dev/null 2>&1
	run --separate-stderr "$APCTL" mdev start --autostart --json
	[ "$status" -eq 4 ]
	[[ $(jq -r '.mdevs[0].outcome' <<<"$output") == skipped ]] || fail "$output"
	[[ $(jq -r '.mdevs[0].problems[0].kind' <<<"$output") == host-owned ]] || fail "$output"
	expect_missing "$MATRIX/$U1"
	run "$APCTL" mdev start --autostart --reserve
	[ "$status" -eq 0 ] || fail "$output"
	expect_exists "$MATRIX/$U1"
	expect_r bus/ap/apmask "$(mask_all_but 5)\n"
}

@test "autostart: an mdev active with another matrix is reported and not touched" {
	"$APCTL" -q reserve --active --persistent 5,6
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 --autostart >/dev/null
	"$APCTL" -q mdev modify "$U1" --active --add-domains 0xab
	snap before
	run --separate-stderr "$APCTL" mdev start --autostart --json
	[ "$status" -eq 4 ]
	expect_eq differs "$(jq -r '.mdevs[0].outcome' <<<"$output")"
	expect_snap before
	run "$APCTL" mdev start "$U1"
	[ "$status" -eq 4 ]
	[[ $output == *"apctl mdev stop $U1"* ]] || fail "$output"
}

@test "start refuses a manual definition that shares an APQN with an active mdev, naming it" {
	"$APCTL" -q reserve 5,6
	"$APCTL" -q mdev define -u "$U2" -a 5 -d 4 >/dev/null
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4
	snap before
	run "$APCTL" mdev start "$U2"
	[ "$status" -eq 4 ]
	[[ $output == *"05.0004"*"$U1"* ]] || fail "$output"
	[[ $output == *"nothing was written"* ]] || fail "$output"
	expect_snap before
}

@test "show mdev --format libvirt and qemu" {
	"$APCTL" -q reserve 5
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4
	run --separate-stderr "$APCTL" show mdev "$U1" --format libvirt
	[ "$status" -eq 0 ]
	expect_eq "<hostdev mode='subsystem' type='mdev' model='vfio-ap'>
  <source>
    <address uuid='$U1'/>
  </source>
</hostdev>" "$output"
	run --separate-stderr "$APCTL" show mdev "$U1" --format qemu
	[ "$status" -eq 0 ]
	expect_eq "-device vfio-ap,sysfsdev=/sys/bus/mdev/devices/$U1" "$output"
	[[ $stderr == *"ap=on,apqci=on,apft=on"* ]] || fail "no -cpu hint: $stderr"
	run "$APCTL" show cards --format qemu
	[ "$status" -eq 2 ]
	run "$APCTL" show mdev "$U1" --format xml
	[ "$status" -eq 2 ]
	[[ $output == *"table, json, libvirt or qemu"* ]] || fail "$output"
	run "$APCTL" show mdev "$U2" --format libvirt
	[ "$status" -eq 2 ]
}
