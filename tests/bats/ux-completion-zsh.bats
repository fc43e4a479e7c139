#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# zsh completion (completion/_apctl) driven through a real zsh -f with
# compinit in a pseudo-terminal (tests/bats/ux-zcomplete.zsh), against a
# simulated host in a known state: adapter 5 reserved by hand, mdev U1
# active on 05.0004, mdev U2 only defined.  Each test asserts the exact,
# sorted candidates of several command lines ("--" after each).

bats_require_minimum_version 1.5.0

load helpers
load ux-lib

setup() {
	command -v zsh >/dev/null || skip "zsh is not installed"
	sim_start doc-example
	expect_w bus/ap/apmask -5 OK
	"$APCTL" -q mdev create --uuid "$U1" --adapters 5 --domains 4 >/dev/null
	"$APCTL" -q mdev create --uuid "$U2" --adapters 5 --domains 0x47 --define >/dev/null
	"$APCTL" -q mdev remove "$U2" >/dev/null
	# "apctl" on the command lines is the apctl under test
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -sf "$APCTL" "$BATS_TEST_TMPDIR/bin/apctl"
	export PATH=$BATS_TEST_TMPDIR/bin:$PATH
	export TMPDIR=$BATS_TEST_TMPDIR
}

teardown() {
	sim_stop
}

# zcomp LINE...: the candidates of each line, "--" after each
zcomp() {
	run --separate-stderr zsh_complete "$@"
	[ "$status" -eq 0 ] || fail "the zsh driver failed: $stderr"
}

# blocks B...: the expected output for blocks of candidates
blocks() {
	local b

	for b; do
		[[ -n $b ]] && printf '%s\n' "$b"
		printf -- '--\n'
	done
}

@test "zsh: the completion function loads and is registered for apctl" {
	run zsh -f -c "fpath=('$UX_ZSH_DIR' \$fpath); autoload -U compinit; compinit -u -D; print -r -- \$_comps[apctl]"
	expect_eq "_apctl" "$output"
}

@test "zsh: commands, global options, command options" {
	zcomp "apctl " "apctl re" "apctl -" "apctl check -" "apctl help "
	expect_eq "$(blocks $'apply\ncheck\nexport\nhelp\nmdev\nmigrate-check\nmonitor\nrelease\nrepair\nreserve\nshow' \
		$'release\nrepair\nreserve' "$(code_opt_words apctl)" "$(code_opt_words check)" \
		$'apply\ncheck\nexport\nmdev\nmigrate-check\nmonitor\nrelease\nrepair\nreserve\nshow')" "$output"
}

@test "zsh: mdev subcommands, mdev help, show views" {
	zcomp "apctl mdev " "apctl mdev help " "apctl help mdev " "apctl show " "apctl show m"
	local subs=$'create\ndefine\nlist\nmodify\nremove\nstart\nstop\nundefine'
	expect_eq "$(blocks $'create\ndefine\nhelp\nlist\nmodify\nremove\nstart\nstop\nundefine' \
		"$subs" "$subs" $'cards\nmatrix\nmdev\nmdevs\nqueues' \
		$'matrix\nmdev\nmdevs')" "$output"
}

@test "zsh: UUIDs of existing mdevs for show mdev, mdev modify and mdev remove" {
	# after the UUID only options are left, and zsh offers them
	zcomp "apctl show mdev " "apctl mdev remove " "apctl mdev modify 2" \
		"apctl mdev remove $U1 "
	expect_eq "$(blocks "$U1"$'\n'"$U2" "$U1"$'\n'"$U2" "$U2" \
		"$(code_opt_words "mdev remove")")" "$output"
}

@test "zsh: mdev start offers defined inactive mdevs, stop active ones, undefine defined ones" {
	# U1 is active only, U2 defined only
	zcomp "apctl mdev start " "apctl mdev stop " "apctl mdev undefine " \
		"apctl show mdev $U1 --format "
	expect_eq "$(blocks "$U2" "$U1" "$U2" $'json\nlibvirt\nqemu\ntable')" "$output"
}

@test "zsh: reserve offers unreserved adapters, release reserved ones (live)" {
	zcomp "apctl reserve " "apctl release " "apctl reserve -a " "apctl release --adapters="
	expect_eq "$(blocks 6 5 6 5)" "$output"
	"$APCTL" -q reserve 6
	zcomp "apctl reserve " "apctl release "
	expect_eq "$(blocks "" $'5\n6')" "$output"
}

@test "zsh: lists continue after the last comma, decimal or 0x hex" {
	zcomp "apctl mdev create -a 5 -d 4," "apctl mdev create -d 0x" \
		"apctl mdev modify $U1 --add-domains 0xab,71," "apctl mdev create -a 5,"
	expect_eq "$(blocks $'171\n255\n71' $'0x4\n0x47\n0xab\n0xff' $'255\n4' 6)" "$output"
}

@test "zsh: output columns of the view" {
	zcomp "apctl show cards -o " "apctl show queues -o CARD.DOM,DEF" "apctl mdev list -o +GU" \
		"apctl check --format "
	expect_eq "$(blocks "$(code_columns | awk '$1 == "cards" { print $2 }' | LC_ALL=C sort)" \
		DEFINED $'GUEST\nGUESTAPQNS' $'json\ntable')" "$output"
}

@test "zsh: --root on the command line is the root the values come from" {
	local root=$APSIM_ROOT

	unset SYSFS_ROOT APCTL_ROOT
	zcomp "apctl reserve " "apctl --root $root reserve " "apctl --root=$root release " \
		"apctl --root /nonexistent mdev remove "
	expect_eq "$(blocks "" 6 5 "")" "$output"
}

@test "zsh: --mode takes masks or override; a word with a dot completes APQNs" {
	zcomp "apctl reserve --mode=" "apctl release 06.00" "apctl reserve 06.0004,06.00"
	expect_eq "$(blocks $'masks\noverride' $'06.0004\n06.0047\n06.00ab\n06.00ff' \
		$'06.0047\n06.00ab\n06.00ff')" "$output"
}
