#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl export and apctl apply (issue 13): round trips on every host and
# kernel profile, the three-guest example as a document and the move of
# domain 0xab to a new guest while guest 1 runs, bad documents (every
# problem with its JSON path, nothing written), idempotence ("changed":
# false), --prune, --dry-run, and two applies at once.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

teardown() {
	sim_stop
}

D() {
	printf '%s/%s' "$BATS_TEST_TMPDIR" "$1"
}

# the three-guest example of the documentation (scenarios.md) as a document
three_guests() {
	cat <<EOF
{
  "apctl_config": 1,
  "reserved": { "adapters": "0x5,0x6", "domains": "" },
  "reserved_at_boot": { "adapters": "0x5,0x6", "domains": "" },
  "mdevs": [
    { "uuid": "$U1", "adapters": "0x5,0x6", "domains": "0x4,0xab",
      "active": true, "defined": true, "start": "auto" },
    { "uuid": "$U2", "adapters": "0x5", "domains": "0x47,0xff",
      "active": true, "defined": true, "start": "auto" },
    { "uuid": "$U3", "adapters": "0x6", "domains": "0x47,0xff",
      "active": true, "defined": true, "start": "auto" }
  ]
}
EOF
}

# the same with 0xab moved from guest 1 to a new guest 4 (live only)
moved() {
	three_guests | jq --arg u "$U4" '.mdevs[0].domains = "0x4" |
		.mdevs += [{uuid: $u, adapters: "0x5", domains: "0xab", active: true}]'
}

# round trip on one host and kernel: export, apply = nothing to change
round_trip_same() {
	sim_start "$1" "$2"
	"$APCTL" export >"$(D a.json)"
	expect_schema "$(D a.json)" apctl-config.schema.json
	snap a
	run --separate-stderr "$APCTL" apply --json=compact "$(D a.json)"
	[ "$status" -eq 0 ] || fail "$1/$2: exit $status: $output" || return 1
	[ "$(jq -c '[.changed, (.steps | length)]' <<<"$output")" = "[false,0]" ] ||
		fail "$1/$2: $output" || return 1
	expect_snap a
	echo "# round trip: $1 $2: export -> apply: nothing to change" >&3
	sim_stop
}

@test "round trip: export then apply changes nothing on every host and kernel" {
	local h k

	for h in doc-example t-small maximal; do
		for k in 5.10 6.1 6.12 7.2; do
			round_trip_same "$h" "$k" || return 1
		done
	done
}

# export A, change masks, mdevs and definitions, apply A: back to A
round_trip_back() {
	local k=$1

	sim_start doc-example "$k"
	"$APCTL" -q reserve --active --persistent 5
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 --define >/dev/null
	"$APCTL" -q mdev define -u "$U2" -a 5 -d 0x47 >/dev/null
	"$APCTL" export >"$(D a.json)"
	snap a
	"$APCTL" -q reserve --active --persistent 6
	"$APCTL" -q mdev create -u "$U3" -a 6 -d 0xab --autostart >/dev/null
	"$APCTL" -q mdev modify "$U1" --add-domains 0xff >/dev/null
	"$APCTL" -q mdev undefine "$U2" >/dev/null
	run "$APCTL" apply --prune "$(D a.json)"
	[ "$status" -eq 0 ] || fail "$k: exit $status: $output" || return 1
	expect_snap a || return 1
	run "$APCTL" apply --prune "$(D a.json)"
	[ "$status" -eq 0 ] && [[ $output == *"nothing to change"* ]] ||
		fail "$k: second apply: $output" || return 1
	echo "# round trip: doc-example $k: export A, change, apply --prune A: state equal" >&3
	sim_stop
}

@test "round trip: export A, change things, apply A: back to A byte for byte" {
	local k

	for k in 5.10 6.1 6.12 7.2; do
		round_trip_back "$k" || return 1
	done
}

@test "the three-guest example as a document on a fresh host; then 0xab moves to guest 4 while guest 1 runs" {
	sim_start doc-example 7.2
	three_guests >"$(D three.json)"
	expect_schema "$(D three.json)" apctl-config.schema.json
	run --separate-stderr "$APCTL" apply --json=compact "$(D three.json)"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(jq .changed <<<"$output")" = true ]
	echo "$output" >"$(D result.json)"
	expect_schema "$(D result.json)"
	expect_r "$AP/apmask" '0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n'
	expect_eq "05.0004
05.00ab
06.0004
06.00ab" "$(matrix_of "$U1")"
	expect_eq "05.0047
05.00ff" "$(matrix_of "$U2")"
	expect_eq "06.0047
06.00ff" "$(matrix_of "$U3")"
	[ "$(jq -r .start "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1")" = auto ]
	# a second apply: nothing to change, "changed": false, exit 0
	run --separate-stderr "$APCTL" apply --json=compact "$(D three.json)"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.changed, .status, (.steps | length)]' <<<"$output")" = '[false,"ok",0]' ]
	run "$APCTL" apply "$(D three.json)"
	expect_eq "apctl: nothing to change" "$output"

	# the move, with guest 1 attached: hot unplug, then the new mdev
	ctl attach "$U1"
	moved >"$(D moved.json)"
	run --separate-stderr "$APCTL" apply --dry-run --json=compact "$(D moved.json)"
	[ "$status" -eq 0 ]
	expect_eq '["modify","redefine","create"]' "$(jq -c '[.diff[].change]' <<<"$output")"
	expect_eq '["ap_config","'"$U1"'","create","ap_config"]' \
		"$(jq -c '[.steps[].do.path | split("/") | last]' <<<"$output")"
	snap three
	# no terminal to confirm the unplug: refused without -y
	run "$APCTL" apply "$(D moved.json)"
	[ "$status" -eq 2 ]
	[[ $output == *"add --yes"* ]]
	expect_snap three
	run "$APCTL" apply -y "$(D moved.json)"
	[ "$status" -eq 0 ] || fail "$output"
	[[ $output == *"APQNs 05.00ab, 06.00ab will be unplugged from the running guest"* ]]
	expect_eq "05.0004
06.0004" "$(matrix_of "$U1")"
	expect_eq "05.00ab" "$(matrix_of "$U4")"
	# the guest kept what stays, and the definition follows
	[[ $("$APCTL" mdev list --json=compact | jq -r '.mdevs[] | select(.uuid == "'"$U1"'") | .in_use') == true ]]
	run --separate-stderr "$APCTL" export --persistent --json=compact
	[ "$(jq -r '.mdevs[0].domains' <<<"$output")" = 0x4 ]
	run --separate-stderr "$APCTL" apply --json=compact "$(D moved.json)"
	[ "$(jq .changed <<<"$output")" = false ]
}

@test "bad documents: every problem with its JSON path, exit 10, nothing written" {
	sim_start doc-example 7.2
	cat >"$(D bad.json)" <<EOF
{
  "apctl_config": 1, "colour": "blue",
  "reserved": { "adapters": "0x5", "domains": 7 },
  "mdevs": [
    { "uuid": "$U1", "adapters": "0x5,0x6", "domains": "0x4,0x100", "active": "yes" },
    { "uuid": "$U1", "adapters": [5], "domains": [4], "active": true },
    { "uuid": "nope", "adapters": [300], "domains": "4", "defined": true, "start": "often" }
  ]
}
EOF
	snap before
	run "$APCTL" apply "$(D bad.json)"
	[ "$status" -eq 10 ]
	local f
	f=$(D bad.json)
	expect_eq "apctl: $f: colour: unknown key
apctl: $f: reserved.domains: is a number; an id list is a string (\"0x5,0x6\", \"\" for none) or an array of numbers
apctl: $f: mdevs[0].domains: '0x4,0x100': 0x100 is above the maximum id 255 (0xff)
apctl: $f: mdevs[0].active: is a string; true or false expected
apctl: $f: mdevs[2].uuid: 'nope' is not a UUID (8-4-4-4-12 hex digits)
apctl: $f: mdevs[2].adapters: id 300 is above the maximum 255 (0xff) of this system
apctl: $f: mdevs[2].start: 'often': \"auto\" or \"manual\" expected
apctl: $f: mdevs[1].uuid: $U1 is named twice (also mdevs[0])" "$output"
	expect_snap before
	expect_no_events
	# the same as a JSON result document
	run --separate-stderr "$APCTL" apply --json=compact "$(D bad.json)"
	[ "$status" -eq 10 ]
	echo "$output" >"$(D r.json)"
	expect_schema "$(D r.json)"
	[ "$(jq -c '[.status, (.problems | length), .changed]' "$(D r.json)")" = '["error",8,false]' ]
	# not JSON at all, or not one document
	run "$APCTL" apply - <<<'{"apctl_config": 1,'
	[ "$status" -eq 10 ]
	[[ $output == *"not one JSON document"* ]]
	run "$APCTL" apply - <<<'{"apctl_config": 1} x'
	[ "$status" -eq 10 ]
	run "$APCTL" apply - <<<'{"apctl_config": 2}'
	[ "$status" -eq 10 ]
	expect_eq "apctl: -: apctl_config: '2': this apctl reads version 1" "$output"
	expect_snap before
}

@test "conflicting documents: shared APQNs and an mdev on what the document gives the host: exit 4, nothing written" {
	sim_start doc-example 7.2
	cat >"$(D c.json)" <<EOF
{
  "apctl_config": 1,
  "reserved": { "adapters": "0x5", "domains": "" },
  "mdevs": [
    { "uuid": "$U1", "adapters": "0x5", "domains": "0x4,0xab", "active": true },
    { "uuid": "$U2", "adapters": "0x5", "domains": "0xab", "active": true },
    { "uuid": "$U3", "adapters": "0x6", "domains": "0x47", "active": true }
  ]
}
EOF
	snap before
	run "$APCTL" apply "$(D c.json)"
	[ "$status" -eq 4 ]
	local f
	f=$(D c.json)
	expect_eq "apctl: $f: mdevs[1]: APQN 05.00ab is also assigned to mdevs[0] ($U1); an APQN may belong to one guest only
apctl: $f: mdevs[2].adapters: adapters 0x6: the document's reserved gives their queues of this mdev to the host; reserve them there too
apctl: refused (2 problems); nothing was written" "$output"
	expect_snap before
	# conflicts with the system are the validator's: an mdev not in the
	# document holds what the document's new mdev wants
	"$APCTL" -q reserve 5,6
	"$APCTL" -q mdev create -u "$U3" -a 6 -d 0x47 >/dev/null
	snap before
	jq 'del(.mdevs[1]) | .reserved.adapters = "0x5,0x6" | .mdevs[1].uuid = "'"$U4"'"' \
		"$(D c.json)" >"$(D c2.json)"
	run "$APCTL" apply "$(D c2.json)"
	[ "$status" -eq 4 ]
	[[ $output == *"cannot assign APQN 06.0047 to mdev $U4: it is already assigned to mdev $U3"* ]]
	[[ $output == *"warning: mdev $U3 is not in the document and is left alone (--prune removes it)"* ]]
	expect_snap before
}

@test "--prune removes what the document does not name; without it, it is reported and left" {
	sim_start doc-example 6.1
	"$APCTL" -q reserve 5,6
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 --define >/dev/null
	"$APCTL" -q mdev create -u "$U2" -a 6 -d 4 >/dev/null
	"$APCTL" export | jq 'del(.mdevs[] | select(.uuid == "'"$U2"'"))' >"$(D a.json)"
	run "$APCTL" apply "$(D a.json)"
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: mdev $U2 is not in the document and is left alone (--prune removes it)
apctl: nothing to change" "$output"
	expect_exists "$MATRIX/$U2"
	run "$APCTL" apply --prune --dry-run "$(D a.json)"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "mdev $U2: remove" ]]
	expect_exists "$MATRIX/$U2"
	run "$APCTL" apply --prune "$(D a.json)"
	[ "$status" -eq 0 ]
	expect_missing "$MATRIX/$U2"
	expect_exists "$MATRIX/$U1" "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	# a guest's mdev is not pruned
	ctl attach "$U1"
	jq 'del(.mdevs[])' "$(D a.json)" >"$(D none.json)"
	snap before
	run "$APCTL" apply --prune "$(D none.json)"
	[ "$status" -eq 4 ]
	[[ $output == *"mdev $U1 is in use by a guest; apply does not remove it"* ]]
	expect_snap before
}

@test "export --active / --persistent: one side each; apply of such a document leaves the other alone" {
	sim_start doc-example 7.2
	"$APCTL" -q reserve --active --persistent 5
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 >/dev/null
	"$APCTL" -q mdev define -u "$U2" -a 5 -d 0x47 --autostart >/dev/null
	"$APCTL" export --active --json=compact >"$(D act.json)"
	expect_schema "$(D act.json)" apctl-config.schema.json
	expect_eq '{"apctl_config":1,"reserved":{"adapters":"0x5","domains":""},"mdevs":[{"uuid":"'"$U1"'","adapters":"0x5","domains":"0x4","control_domains":"","active":true},{"uuid":"'"$U2"'","active":false}]}' \
		"$(cat "$(D act.json)")"
	"$APCTL" export --persistent --json=compact >"$(D per.json)"
	expect_schema "$(D per.json)" apctl-config.schema.json
	expect_eq '{"apctl_config":1,"reserved_at_boot":{"adapters":"0x5","domains":""},"mdevs":[{"uuid":"'"$U1"'","defined":false},{"uuid":"'"$U2"'","adapters":"0x5","domains":"0x47","control_domains":"","defined":true,"start":"auto"}]}' \
		"$(cat "$(D per.json)")"
	run "$APCTL" apply "$(D act.json)"
	expect_eq "apctl: nothing to change" "$output"
	run "$APCTL" apply "$(D per.json)"
	expect_eq "apctl: nothing to change" "$output"
}

@test "concurrency: two applies of different documents at once: each whole or refused whole, never mixed" {
	local i rc1 rc2 pa pb

	sim_start doc-example 7.2
	"$APCTL" -q reserve 5,6
	# A: U1 on 05.0004; B: U2 on 05.0004 and U3 on 06.0047 (conflicts with A)
	jq -n --arg u "$U1" '{apctl_config: 1, mdevs: [{uuid: $u, adapters: "0x5",
		domains: "0x4", active: true, defined: true, start: "auto"}]}' >"$(D A.json)"
	jq -n --arg u "$U2" --arg v "$U3" '{apctl_config: 1, mdevs: [
		{uuid: $u, adapters: "0x5", domains: "0x4", active: true},
		{uuid: $v, adapters: "0x6", domains: "0x47", active: true}]}' >"$(D B.json)"
	snap empty
	for i in 1 2 3; do
		# the writes of each are slowed down, so that the two overlap
		ctl fault add 'devices/vfio_ap/matrix/*' --delay 50 --every >/dev/null
		rm -f "$(D rcA)" "$(D rcB)"
		(rc=0; "$APCTL" apply --wait 60 "$(D A.json)" >"$(D outA)" 2>&1 || rc=$?
		 echo "$rc" >"$(D rcA)") &
		pa=$!
		(rc=0; "$APCTL" apply --wait 60 "$(D B.json)" >"$(D outB)" 2>&1 || rc=$?
		 echo "$rc" >"$(D rcB)") &
		pb=$!
		wait "$pa" "$pb"
		ctl fault clear >/dev/null
		rc1=$(cat "$(D rcA)")
		rc2=$(cat "$(D rcB)")
		# exactly one of the two conflicting documents wins, whole
		if [ "$rc1" -eq 0 ]; then
			[ "$rc2" -eq 4 ] || fail "round $i: A ok, B exit $rc2: $(cat "$(D outB)")"
			[[ -e $MATRIX/$U1 && ! -e $MATRIX/$U2 && ! -e $MATRIX/$U3 ]] ||
				fail "round $i: mixed state after A won"
		else
			[ "$rc2" -eq 0 ] && [ "$rc1" -eq 4 ] ||
				fail "round $i: A exit $rc1, B exit $rc2: $(cat "$(D outA)" "$(D outB)")"
			[[ ! -e $MATRIX/$U1 && -e $MATRIX/$U2 && -e $MATRIX/$U3 ]] ||
				fail "round $i: mixed state after B won"
		fi
		echo "# concurrency round $i: A exit $rc1, B exit $rc2" >&3
		"$APCTL" -q mdev remove --undefine "$U1" >/dev/null 2>&1 || true
		"$APCTL" -q mdev remove "$U2" >/dev/null 2>&1 || true
		"$APCTL" -q mdev remove "$U3" >/dev/null 2>&1 || true
		expect_snap empty
	done
}

@test "apply: usage errors and help" {
	sim_start doc-example 7.2
	run "$APCTL" apply
	[ "$status" -eq 2 ]
	[[ $output == *"a document is required"* ]]
	run "$APCTL" apply a b
	[ "$status" -eq 2 ]
	run "$APCTL" apply "$(D missing.json)"
	[ "$status" -eq 2 ]
	[[ $output == *"cannot read"* ]]
	run "$APCTL" apply --help
	[ "$status" -eq 0 ]
	[[ $output == *"--prune"* ]]
	run "$APCTL" export --help
	[ "$status" -eq 0 ]
	[[ $output == *"--persistent"* ]]
	run "$APCTL" export extra
	[ "$status" -eq 2 ]
}

@test "v1 live migration kernels: export carries each live mdev's 'migratable'; apply switches it (undone with the rest), refuses it where the kernel has none and on an mdev it creates" {
	local h=$BATS_TEST_TMPDIR/v1-host.json
	jq '.migration = "v1" | .mdevs[0].attached = false' \
		"$top_srcdir/tests/bats/hosts/t-mig.json" >"$h"
	sim_start "$h" 7.2
	"$APCTL" export >"$(D a.json)"
	expect_schema "$(D a.json)" apctl-config.schema.json
	expect_eq "$U1 false" "$(jq -r '.mdevs[0] | "\(.uuid) \(.migratable)"' "$(D a.json)")"
	jq '.mdevs[0].migratable = true' "$(D a.json)" >"$(D on.json)"
	run --separate-stderr "$APCTL" apply --dry-run --json=compact "$(D on.json)"
	[ "$status" -eq 0 ] || fail "dry run: $status $stderr"
	expect_eq "migratable mdev $U1: live migration allowed|$S/devices/vfio_ap/matrix/$U1/migratable 1" \
		"$(jq -r '"\(.diff[0].change) \(.diff[0].text)|\(.steps[0].do.path) \(.steps[0].do.value)"' <<<"$output")"
	run "$APCTL" apply "$(D on.json)"
	[ "$status" -eq 0 ] || fail "apply: $output"
	expect_r "$S/devices/vfio_ap/matrix/$U1/migratable" '1\n'
	run "$APCTL" apply "$(D on.json)"
	[[ $output == *"nothing to change"* ]] || fail "second apply: $output"
	# a domain added and the switch turned off in one apply; the switch's
	# write fails: the domain is taken out again, the switch stays on
	jq '.mdevs[0].migratable = false | .mdevs[0].domains = [4, 5]' "$(D a.json)" >"$(D off.json)"
	expect_eq "modify migratable" \
		"$("$APCTL" apply --dry-run --json=compact "$(D off.json)" | jq -r '[.diff[].change] | join(" ")')"
	snap on
	ctl fault add "devices/vfio_ap/matrix/$U1/migratable" --errno EIO >/dev/null
	run "$APCTL" apply "$(D off.json)"
	ctl fault clear >/dev/null
	[ "$status" -eq 1 ] || fail "failed switch: $status $output"
	expect_snap on
	run "$APCTL" apply "$(D off.json)"
	[ "$status" -eq 0 ] || fail "off: $output"
	expect_r "$S/devices/vfio_ap/matrix/$U1/migratable" '0\n'
	# an mdev this apply creates: "migratable": true is refused, nothing written
	snap off
	jq --arg u "$U2" '.mdevs += [{uuid: $u, adapters: [6], domains: [5], active: true, migratable: true}]' \
		"$(D a.json)" >"$(D new.json)"
	run --separate-stderr "$APCTL" apply "$(D new.json)"
	[ "$status" -eq 4 ] || fail "new: $status $stderr"
	[[ $stderr == *"apctl: mdev $U2: \"migratable\": true on an mdev this apply creates: apctl switches it on an existing mdev only; apply the document without it first, then with it"* ]] ||
		fail "new: $stderr"
	expect_snap off
	# a kernel without the switch: refused with the reason
	sim_stop
	sim_start doc-example 7.2
	"$APCTL" -q reserve 5
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 >/dev/null
	"$APCTL" export | jq '.mdevs[0].migratable = true' >"$(D k.json)"
	run --separate-stderr "$APCTL" apply "$(D k.json)"
	[ "$status" -eq 4 ] || fail "no switch: $status $stderr"
	[[ $stderr == *"this kernel has no 'migratable' switch for mdev $U1"* ]] || fail "no switch: $stderr"
	# "migratable" needs "active": true
	"$APCTL" export | jq '.mdevs[0] |= (del(.active) | .migratable = false | .defined = true)' >"$(D bad.json)"
	run --separate-stderr "$APCTL" apply "$(D bad.json)"
	[ "$status" -eq 10 ] || fail "bad: $status $stderr"
	[[ $stderr == *'mdevs[0].migratable: the switch of a live mdev: it needs "active": true'* ]] || fail "bad: $stderr"
}
