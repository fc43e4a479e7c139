#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bash completion (completion/apctl.bash) against a simulated host in a known
# state: adapter 5 reserved by hand (echo -5 > apmask), mdev U1 active on
# 05.0004, mdev U2 only defined (05.0047).  Every test asserts COMPREPLY
# exactly, in order.

bats_require_minimum_version 1.5.0

load helpers
load ux-lib

setup() {
	sim_start doc-example
	expect_w bus/ap/apmask -5 OK
	"$APCTL" -q mdev create --uuid "$U1" --adapters 5 --domains 4 >/dev/null
	"$APCTL" -q mdev create --uuid "$U2" --adapters 5 --domains 0x47 --define >/dev/null
	"$APCTL" -q mdev remove "$U2" >/dev/null
	run "$APCTL" mdev list --raw --noheadings -o UUID,ACTIVE,DEFINED
	expect_eq "$U1 yes no
$U2 no yes" "$output" "the known state"
}

teardown() {
	sim_stop
}

# comp WORD...: COMPREPLY for the command line WORD... (the last word is
# completed; $APCTL stands for apctl), one per line, nothing on stderr
comp() {
	run --separate-stderr bash_complete "$APCTL" "$@"
	[ "$status" -eq 0 ] || fail "completion failed: $stderr"
	expect_eq "" "$stderr" "stderr of the completion"
}

@test "bash: the script registers _apctl for apctl" {
	run bash -c "source '$UX_BASH' && complete -p apctl"
	expect_eq "complete -F _apctl apctl" "$output"
}

@test "bash: commands, and commands by prefix" {
	comp ''
	expect_eq $'show\ncheck\nreserve\nrelease\nmdev\nrepair\nexport\napply\nmonitor\nmigrate-check\nhelp' "$output"
	comp re
	expect_eq $'reserve\nrelease\nrepair' "$output"
	comp help ''
	expect_eq $'show\ncheck\nreserve\nrelease\nmdev\nrepair\nexport\napply\nmonitor\nmigrate-check' "$output"
	comp help mdev ''
	expect_eq $'list\ncreate\nmodify\nremove\nstart\nstop\ndefine\nundefine' "$output"
	comp help show ''
	expect_eq "" "$output"
	comp nosuch ''
	expect_eq "" "$output"
}

@test "bash: global options before the command, the command's after it" {
	comp -
	expect_eq "--root -q --quiet -V --verbose -h --help -v --version" "$(echo $output)"
	comp -q --
	expect_eq "--root --quiet --verbose --help --version" "$(echo $output)"
	comp -q check -
	expect_eq "-J --json --format -h --help" "$(echo $output)"
	comp mdev remove --
	expect_eq "--undefine --timeout --dry-run --yes --force --wait --json --ignore-definition --help" "$(echo $output)"
}

@test "bash: mdev subcommands and mdev help" {
	comp mdev ''
	expect_eq $'list\ncreate\nmodify\nremove\nstart\nstop\ndefine\nundefine\nhelp' "$output"
	comp mdev help ''
	expect_eq $'list\ncreate\nmodify\nremove\nstart\nstop\ndefine\nundefine' "$output"
	comp mdev c
	expect_eq "create" "$output"
}

@test "bash: show views, and the UUIDs of existing mdevs after 'show mdev'" {
	comp show ''
	expect_eq $'cards\nqueues\nmdevs\nmatrix\nmdev' "$output"
	comp show -J mdev ''
	expect_eq "$U1"$'\n'"$U2" "$output"
	comp show mdev "$U1" ''
	expect_eq "" "$output"
}

@test "bash: mdev remove and modify complete existing UUIDs (active and defined), once" {
	comp mdev remove ''
	expect_eq "$U1"$'\n'"$U2" "$output"
	comp mdev modify --add-domains 0xab 2
	expect_eq "$U2" "$output"
	comp mdev remove "$U1" ''
	expect_eq "" "$output"
	# create invents a UUID: nothing to offer
	comp mdev create --uuid ''
	expect_eq "" "$output"
}

@test "bash: mdev start offers defined inactive mdevs, stop active ones, undefine defined ones" {
	# U1 is active only, U2 defined only
	comp mdev start ''
	expect_eq "$U2" "$output"
	comp mdev stop ''
	expect_eq "$U1" "$output"
	comp mdev undefine ''
	expect_eq "$U2" "$output"
	comp mdev define ''
	expect_eq "$U1"$'\n'"$U2" "$output"
	comp mdev start --autostart --res
	expect_eq "--reserve" "$output"
	comp show mdev "$U1" --format ''
	expect_eq $'table\njson\nlibvirt\nqemu' "$output"
	comp show --format ''
	expect_eq $'table\njson' "$output"
}

@test "bash: reserve offers the adapters not yet reserved, release the reserved ones" {
	comp reserve ''
	expect_eq 6 "$output"
	comp release ''
	expect_eq 5 "$output"
	comp reserve --adapters ''
	expect_eq 6 "$output"
	comp release --dry-run -a ''
	expect_eq 5 "$output"
	# bash splits --adapters=5 at '=' (COMP_WORDBREAKS)
	comp release --adapters = ''
	expect_eq 5 "$output"
	# and without the split the option stays in the reply
	comp release --adapters=
	expect_eq "--adapters=5" "$output"
	# the values are live: after reserving 6 there is nothing left to reserve
	"$APCTL" -q reserve 6
	comp reserve ''
	expect_eq "" "$output"
	comp release ''
	expect_eq $'5\n6' "$output"
}

@test "bash: lists continue after the last comma, without the ids already given" {
	"$APCTL" -q reserve 6
	comp release 5,
	expect_eq "5,6" "$output"
	comp release 0x6,
	expect_eq "0x6,5" "$output"
	comp release 5,6,
	expect_eq "" "$output"
	comp mdev create --adapters 5,6 --domains 4,
	expect_eq $'4,71\n4,171\n4,255' "$output"
	comp mdev create -d 4,1
	expect_eq "4,171" "$output"
	comp mdev modify "$U1" --remove-control-domains 0xab,71,
	expect_eq $'0xab,71,4\n0xab,71,255' "$output"
}

@test "bash: ids in 0x hex when the item starts with 0x" {
	comp mdev create -d 0x
	expect_eq $'0x4\n0x47\n0xab\n0xff' "$output"
	comp mdev create -c 4,0xa
	expect_eq "4,0xab" "$output"
	comp mdev modify --add-adapters 0X
	expect_eq $'0X5\n0X6' "$output"
	comp mdev create -a ''
	expect_eq $'5\n6' "$output"
}

@test "bash: output columns of the view, after a comma or a '+'" {
	comp show cards -o ''
	expect_eq "$(code_columns | awk '$1 == "cards" { print $2 }')" "$output"
	comp show queues --output +DEF
	expect_eq "+DEFINED" "$output"
	comp show cards -o CARD,ty
	expect_eq "CARD,TYPE" "$output"
	comp mdev list -o UUID,GUEST
	expect_eq $'UUID,GUEST\nUUID,GUESTAPQNS' "$output"
	# no columns for the summary
	comp show -o ''
	expect_eq "" "$output"
	comp check --format ''
	expect_eq $'table\njson' "$output"
}

@test "bash: --root on the command line is the root the values come from" {
	local root=$APSIM_ROOT

	unset SYSFS_ROOT APCTL_ROOT
	comp reserve ''
	expect_eq "" "$output"
	comp --root "$root" reserve ''
	expect_eq 6 "$output"
	comp --root="$root" -q release ''
	expect_eq 5 "$output"
	comp --root "$root" mdev remove ''
	expect_eq "$U1"$'\n'"$U2" "$output"
	comp --root /nonexistent mdev remove ''
	expect_eq "" "$output"
}

@test "bash: APCTL_ROOT alone (sysfs below it) is honoured too" {
	unset SYSFS_ROOT
	comp release ''
	expect_eq 5 "$output"
}

@test "bash: --root completes directories" {
	mkdir -p "$BATS_TEST_TMPDIR/rootA" "$BATS_TEST_TMPDIR/rootB"
	: >"$BATS_TEST_TMPDIR/rootfile"
	comp --root "$BATS_TEST_TMPDIR/ro"
	expect_eq "$BATS_TEST_TMPDIR/rootA"$'\n'"$BATS_TEST_TMPDIR/rootB" "$output"
}

@test "bash: --mode takes masks or override; a word with a dot completes APQNs of the host" {
	comp reserve --mode ''
	expect_eq $'masks\noverride' "$output"
	comp release --mode o
	expect_eq override "$output"
	comp reserve 06.00
	expect_eq $'06.0004\n06.0047\n06.00ab\n06.00ff' "$output"
	comp reserve 06.0004,06.00a
	expect_eq "06.0004,06.00ab" "$output"
}
