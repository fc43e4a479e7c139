#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every surface says what the code does.  The truth is the C source: the
# command tables and "struct option" arrays (with their getopt_long option
# strings) of src/apctl.c and src/cmd/*.c, the column tables of
# src/out/objects.c and src/core/exitcodes.h, read by tests/bats/ux-code.awk
# and tests/bats/ux-lib.bash.  Each test fails when something exists in the
# code but is missing from a surface (--help, apctl(8), bash or zsh
# completion), or the other way round.

bats_require_minimum_version 1.5.0

load helpers
load ux-lib

# the commands whose options are compared: every command and subcommand the
# code defines (with or without options), without the pseudo command "help"
ux_commands() {
	code_commands | grep -v -e '^help$' -e ' help$'
}

@test "code: the command and option tables can be read" {
	# guards against a parser that silently finds nothing
	run code_commands
	[ "${#lines[@]}" -ge 10 ] || fail "only ${#lines[@]} commands found: $output"
	[[ $output == *$'\nmdev create\n'* ]] || fail "no 'mdev create' in: $output"
	run code_opts "mdev modify"
	[ "${#lines[@]}" -ge 15 ] || fail "only ${#lines[@]} options of mdev modify: $output"
	run code_opts apctl
	[[ $output == *"--root - arg"* ]] || fail "no global --root: $output"
}

@test "code: option strings and struct option arrays agree" {
	# a short letter without a long option, or -x and --long disagreeing
	# about an argument
	run code_errors
	expect_eq "" "$output" "inconsistencies inside the code"
	# an option name means the same (argument or not) in every command
	run awk -F'\t' '$1 == "opt" {
		if (($3 in a) && a[$3] != $5) print $3 " takes " a[$3] " in one command, " $5 " in " $2
		a[$3] = $5 }' <<<"$(ux_code)"
	expect_eq "" "$output" "options whose argument differs between commands"
}

@test "options: code vs --help, per command" {
	local c bad=0

	while read -r c; do
		expect_same "options of '$c'" code "$(code_opts "$c")" "--help" \
			"$(help_opts "$c")" || bad=1
	done < <(ux_commands)
	[ "$bad" -eq 0 ]
}

@test "options: code vs apctl(8) OPTIONS, per command" {
	local c bad=0

	while read -r c; do
		expect_same "options of '$c'" code "$(code_opts "$c")" "apctl(8)" \
			"$(man_opts "$c")" || bad=1
	done < <(ux_commands)
	[ "$bad" -eq 0 ]
	# and no subsection of OPTIONS names a command the code does not have
	run ux_man_tags
	local sub cmds
	cmds=$(ux_commands)
	while read -r sub; do
		[[ $sub == "Global options" ]] && continue
		local IFS=,
		for c in $sub; do
			c=${c# }
			grep -qxF -- "$c" <<<"$cmds" || fail "OPTIONS subsection names '$c'" || bad=1
		done
		unset IFS
	done < <(awk -F'\t' '$1 == "OPTIONS" && $2 != "" { print $2 }' <<<"$output" | sort -u)
	[ "$bad" -eq 0 ]
}

@test "options: code vs bash completion, per command (names and arguments)" {
	local c o s a bad=0

	while read -r c; do
		expect_same "options of '$c'" code "$(code_opt_words "$c")" "bash completion" \
			"$(bash_opt_words "$c")" || bad=1
		while read -r o s a; do
			[[ -n $o ]] || continue
			for w in $o $s; do
				[[ $w == - ]] && continue
				if bash_takes_arg "$c" "$w"; then
					[[ $a == arg ]] || fail "bash: '$c $w' takes an argument, the code says not" || bad=1
				else
					# an optional argument is written "--json=pretty": the
					# option completes as a word of its own
					[[ $a == @(noarg|optarg) ]] || fail "bash: '$c $w' takes no argument, the code says it does" || bad=1
				fi
			done
		done < <(code_opts "$c")
	done < <(ux_commands)
	[ "$bad" -eq 0 ]
}

@test "options: code vs zsh completion, per command (names and arguments)" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	local c o s a bad=0 got
	local -a cmds

	mapfile -t cmds < <(ux_commands)
	got=$(zsh_opt_words "${cmds[@]}")
	for c in "${cmds[@]}"; do
		expect_same "options of '$c'" code "$(code_opt_words "$c")" "zsh completion" \
			"$(awk -F'\t' -v c="$c" '$1 == c { print $2 }' <<<"$got" | LC_ALL=C sort)" || bad=1
	done
	# arguments: "--name=" / "-x+" in the _arguments specs when the code says
	# so, and a bare "--name[" / "-x[" (or "{-x,") when it does not
	while read -r c o s a; do
		if [[ $a == optarg ]]; then
			# "--name=-[...]::": an optional argument in the same word
			grep -qE -- "(^|[{,'\")])$o=-" "$UX_ZSH_DIR/_apctl" ||
				fail "zsh: $o ($c) is not specified with an optional argument" || bad=1
			[[ $s == - ]] || ! grep -qE -- "[{')]$s\+" "$UX_ZSH_DIR/_apctl" ||
				fail "zsh: $s ($c) is specified with an argument" || bad=1
		elif [[ $a == arg ]]; then
			grep -qE -- "(^|[{,'\"])$o=" "$UX_ZSH_DIR/_apctl" ||
				fail "zsh: $o ($c) is not specified with an argument" || bad=1
			[[ $s == - ]] || grep -qE -- "[{']$s\+" "$UX_ZSH_DIR/_apctl" ||
				fail "zsh: $s ($c) is not specified with an argument" || bad=1
		else
			! grep -qE -- "(^|[{,'\"])$o=" "$UX_ZSH_DIR/_apctl" ||
				fail "zsh: $o ($c) is specified with an argument" || bad=1
			[[ $s == - ]] || ! grep -qE -- "[{']$s\+" "$UX_ZSH_DIR/_apctl" ||
				fail "zsh: $s ($c) is specified with an argument" || bad=1
		fi
	done < <(ux_code | awk -F'\t' '$1 == "opt" { print $2 "\t" $3 "\t" $4 "\t" $5 }' |
		tr ' ' '_' | tr '\t' ' ')
	[ "$bad" -eq 0 ]
}

@test "commands: code vs --help vs apctl(8) vs bash vs zsh" {
	local code

	code=$(code_top_commands)
	[ -n "$code" ]
	expect_same "commands" code "$code" "apctl --help" "$(help_commands apctl)"
	expect_same "commands" code "$code" "apctl(8) COMMANDS" \
		"$(man_commands | awk '{ print $1 }' | LC_ALL=C sort -u)"
	expect_same "commands" code "$code" "bash completion" \
		"$(bash_complete "$APCTL" '' | LC_ALL=C sort)"
	# every command is in the SYNOPSIS
	local c
	for c in $code; do
		man_section SYNOPSIS | grep -qw -- "$c" || fail "SYNOPSIS lacks $c"
	done
	command -v zsh >/dev/null || skip "zsh is not installed"
	run zsh_complete "apctl "
	expect_same "commands" code "$code" "zsh completion" "$(grep -vx -- -- <<<"$output")"
}

@test "subcommands: code vs apctl mdev --help vs apctl(8) vs bash vs zsh" {
	local c code

	for c in $(code_top_commands); do
		code=$(code_subcommands "$c")
		[[ -n $code ]] || continue
		expect_same "$c commands" code "$code" "apctl(8) COMMANDS" \
			"$(man_commands | awk -v c="$c" '$1 == c && NF == 2 { print $2 }')"
		expect_same "$c commands" code "$code" "bash completion" \
			"$(bash_complete "$APCTL" "$c" '' | LC_ALL=C sort)"
		if command -v zsh >/dev/null; then
			run zsh_complete "apctl $c "
			expect_same "$c commands" code "$code" "zsh completion" \
				"$(grep -vx -- -- <<<"$output")"
		fi
		expect_same "$c commands" code "$code" "apctl $c --help" "$(help_commands "$c")"
	done
}

@test "help: 'apctl help CMD' is 'apctl CMD --help'; 'apctl mdev help SUB' and 'apctl help mdev SUB' are 'apctl mdev SUB --help'" {
	local c s

	for c in $(code_top_commands); do
		[[ $c == help ]] && continue
		diff -u <("$APCTL" "$c" --help) <("$APCTL" help "$c") >&2 ||
			fail "apctl help $c differs" || return 1
		for s in $(code_subcommands "$c"); do
			[[ $s == help ]] && continue
			diff -u <("$APCTL" "$c" "$s" --help) <("$APCTL" "$c" help "$s") >&2 ||
				fail "apctl $c help $s differs" || return 1
			diff -u <("$APCTL" "$c" "$s" --help) <("$APCTL" help "$c" "$s") >&2 ||
				fail "apctl help $c $s differs" || return 1
		done
	done
	diff -u <("$APCTL" --help) <("$APCTL" help) >&2
}

@test "views of show: code vs --help vs apctl(8) vs bash vs zsh" {
	local code

	code=$(code_show_views)
	[ -n "$code" ]
	expect_same "show views" code "$code" "show --help" \
		"$("$APCTL" show --help | ux_section Views | awk '/^  [a-z]/ { print $1 }' |
			LC_ALL=C sort)"
	expect_same "show views" code "$code" "apctl(8)" \
		"$(ux_man_tags | awk -F'\t' '$1 == "COMMANDS" && $3 == 1 { print $4 }' |
			awk '{ print $1 }' | LC_ALL=C sort)"
	expect_same "show views" code "$code" "bash completion" \
		"$(bash_complete "$APCTL" show '' | LC_ALL=C sort)"
	command -v zsh >/dev/null || skip "zsh is not installed"
	run zsh_complete "apctl show "
	expect_same "show views" code "$code" "zsh completion" "$(grep -vx -- -- <<<"$output")"
}

@test "columns: code vs --help vs apctl(8) vs bash vs zsh, per table" {
	local t code cmd

	for t in cards queues mdevs; do
		code=$(code_columns | awk -v t="$t" '$1 == t { print $2 }')
		[ -n "$code" ] || fail "no $t columns in the code" || return 1
		expect_same "$t columns" code "$code" "show --help" "$(help_columns show "$t")"
		expect_same "$t columns" code "$code" "apctl(8)" "$(man_columns "$t")"
		expect_same "$t columns" code "$code" "bash completion" \
			"$(bash_complete "$APCTL" show "$t" -o '')"
		if command -v zsh >/dev/null; then
			run zsh_complete "apctl show $t -o "
			expect_same "$t columns" code "$(LC_ALL=C sort <<<"$code")" "zsh completion" \
				"$(grep -vx -- -- <<<"$output")"
		fi
	done
	code=$(code_columns | awk '$1 == "mdevs" { print $2 }')
	expect_same "mdev list columns" code "$code" "mdev list --help" \
		"$(help_columns "mdev list" mdevs)"
	expect_same "mdev list columns" code "$code" "bash completion" \
		"$(bash_complete "$APCTL" mdev list -o '')"
}

@test "columns: default columns, code vs --help vs apctl(8)" {
	local d

	d=$(code_column_defaults)
	[[ $d == *ap_card_cols* ]] || fail "no defaults found: $d"
	expect_eq "$(awk '$1 == "ap_card_cols" { print $2 }' <<<"$d")" \
		"$(help_column_default show cards)" "cards default (show --help)"
	expect_eq "$(awk '$1 == "ap_card_cols" { print $2 }' <<<"$d")" \
		"$(man_column_default cards)" "cards default (apctl(8))"
	expect_eq "$(awk '$1 == "ap_queue_cols" { print $2 }' <<<"$d")" \
		"$(help_column_default show queues)" "queues default (show --help)"
	expect_eq "$(awk '$1 == "ap_queue_cols" { print $2 }' <<<"$d")" \
		"$(man_column_default queues)" "queues default (apctl(8))"
	expect_eq "$(awk '$1 == "ap_mdev_cols" { print $2 }' <<<"$d")" \
		"$(help_column_default show mdevs)" "mdevs default (show --help)"
	expect_eq "$(awk '$1 == "ap_mdev_cols" { print $2 }' <<<"$d")" \
		"$(man_column_default mdevs)" "show mdevs and mdev list default (apctl(8))"
	# show mdevs and mdev list are one listing (issue 19): one default
	expect_eq "$(awk '$1 == "ap_mdev_cols" { print $2 }' <<<"$d")" \
		"$(help_column_default 'mdev list' mdevs)" "mdev list default (--help)"
	[[ $d != *ap_mdev_list_cols* ]] || fail "mdev list has defaults of its own again"
}

@test "exit codes: exitcodes.h vs apctl --help vs apctl(8) vs README" {
	local code

	code=$(code_exitcodes | awk '{ print $1 }')
	[ "$(wc -l <<<"$code")" -ge 10 ] || fail "exit codes not found: $code"
	expect_same "exit codes" exitcodes.h "$code" "apctl --help" "$(help_exitcodes apctl)"
	expect_same "exit codes" exitcodes.h "$code" "apctl(8) EXIT STATUS" "$(man_exitcodes)"
	expect_same "exit codes" exitcodes.h "$code" "README.md" \
		"$(sed -n 's/^| \([0-9][0-9]*\) | .*/\1/p' "$UX_SRC/README.md" | sort -n)"
}

@test "exit codes: every code a command's --help names exists" {
	local c n all

	all=$(code_exitcodes | awk '{ print $1 }')
	while read -r c; do
		for n in $(help_exitcodes "$c"); do
			grep -qx "$n" <<<"$all" || fail "'$c --help' names exit code $n" || return 1
		done
	done < <(ux_commands)
}

# man_opt_text TAG-START: the description of the first OPTIONS tag that
# begins with TAG-START, as one line
man_opt_text() {
	man_section OPTIONS | awk -v t="       $1" '
		index($0, t) == 1 { on = 1; next }
		on && /^$/ { exit }
		on { sub(/^ +/, ""); printf "%s ", $0 }'
}

# help_opt_text CMD OPTION: the --help text of OPTION of CMD, as one line
help_opt_text() {
	ux_help "$1" | ux_section Options | awk -v o="$2" '
		/^ *-/ { on = (index($0, o " ") > 0 || index($0, o ",") > 0) }
		on { sub(/^ +/, ""); printf "%s ", $0 }'
}

@test "defaults: --wait and --timeout in --help and apctl(8) are those of the code" {
	local h=$UX_SRC/src/cmd/change.h wait max tmo

	wait=$(sed -n 's/^#define CHG_WAIT_DEFAULT[[:space:]]*\([0-9]*\).*/\1/p' "$h")
	max=$(sed -n 's/^#define CHG_WAIT_MAX[[:space:]]*\([0-9]*\).*/\1/p' "$h")
	tmo=$(sed -n 's/^#define CHG_TIMEOUT_DEFAULT[[:space:]]*\([0-9]*\).*/\1/p' "$h")
	[[ -n $wait && -n $max && -n $tmo ]] || fail "defaults not found in $h"
	[[ $(man_opt_text "-w, --wait") == *"(default $wait, at most $max)"* ]] ||
		fail "apctl(8) --wait: $(man_opt_text "-w, --wait")"
	[[ $(man_opt_text "-t, --timeout") == *"(default $tmo)"* ]] ||
		fail "apctl(8) --timeout: $(man_opt_text "-t, --timeout")"
	local c
	for c in reserve release "mdev create" "mdev modify" "mdev remove"; do
		[[ $(help_opt_text "$c" --wait) == *"(default $wait)"* ]] ||
			fail "$c --help, --wait: $(help_opt_text "$c" --wait)"
	done
	[[ $(help_opt_text "mdev remove" --timeout) == *"(default $tmo)"* ]] ||
		fail "mdev remove --help, --timeout: $(help_opt_text "mdev remove" --timeout)"
}
