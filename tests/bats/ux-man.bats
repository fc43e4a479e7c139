#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The manual page apctl(8): it renders cleanly, has the sections and facts
# it must have, and its EXAMPLES are what apctl really does (replayed on the
# simulated three-guest host).

bats_require_minimum_version 1.5.0

load helpers
load ux-lib

teardown() {
	sim_stop
}

@test "man: groff -man -ww -z reports nothing" {
	run --separate-stderr groff -man -ww -z "$UX_MAN"
	[ "$status" -eq 0 ]
	expect_eq "" "$output" "groff stdout"
	expect_eq "" "$stderr" "groff warnings"
}

@test "man: man -l renders the page without a message" {
	command -v man >/dev/null || skip "man is not installed"
	run --separate-stderr env MANWIDTH=80 MAN_KEEP_FORMATTING= man -P cat -l "$UX_MAN"
	[ "$status" -eq 0 ]
	expect_eq "" "$stderr" "man stderr"
	[[ ${lines[0]} == "APCTL(8)"*"APCTL(8)" ]] || fail "first line: ${lines[0]}"
	[[ $output == *$'\nNAME\n       apctl - administer the s390 AP crypto bus and vfio_ap mediated devices\n'* ]] ||
		fail "no NAME line"
	# nothing is wider than the terminal
	local long
	long=$(printf '%s\n' "$output" | sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g' | awk 'length > 80')
	expect_eq "" "$long" "lines wider than 80 columns"
}

@test "man: the sections, in order" {
	run sed -n 's/^\.SH //p' "$UX_MAN"
	expect_eq 'NAME
SYNOPSIS
DESCRIPTION
COMMANDS
OPTIONS
ID LISTS
OUTPUT COLUMNS
JSON DOCUMENT
EXIT STATUS
ENVIRONMENT
BOOT-TIME MODEL
LIVE MIGRATION
FILES
EXAMPLES
SEE ALSO' "$output" "sections"
}

@test "man: SEE ALSO names lszcrypt, chzcrypt, chzdev and mdevctl" {
	run man_section 'SEE ALSO'
	[[ $output == *"lszcrypt(8), chzcrypt(8), chzdev(8), mdevctl(8)"* ]] || fail "$output"
}

@test "man: FILES lists the lock, both udev rules, the mdevctl directory and sysfs" {
	run man_tags FILES
	expect_eq "/run/apctl/journal
/run/lock/s390apconfig.lock
/etc/udev/rules.d/41-ap.rules
/run/udev/rules.d/41-ap.rules
/etc/udev/rules.d/*.rules
/run/udev/rules.d/*.rules
/usr/lib/udev/rules.d/*.rules
/proc/cmdline
/etc/mdevctl.d/matrix/UUID
/sys/bus/ap
/sys/devices/vfio_ap/matrix" "$output" "FILES"
	# the lock's protocol is described, and named as shared
	run man_section FILES
	[[ $output == *"link lock"* && $output == *"ap-check"* && $output == *chzdev* ]] ||
		fail "the lock protocol is not described"
}

@test "man: the paths in FILES are the ones the code uses" {
	local f

	for f in run/lock/s390apconfig.lock etc/udev/rules.d/41-ap.rules \
		run/udev/rules.d/41-ap.rules etc/mdevctl.d/matrix; do
		grep -rqF "\"$f\"" "$UX_SRC/src/sys" || fail "the code has no \"$f\""
		man_tags FILES | grep -q "^/$f" || fail "FILES lacks /$f"
	done
}

@test "man: ENVIRONMENT covers every variable the code reads" {
	local v vars

	# getenv()/secure_getenv() names in src/
	vars=$(grep -rhoE '(secure_)?getenv\("[A-Z_]+"\)' "$UX_SRC/src" |
		sed 's/.*("\(.*\)")/\1/' | sort -u)
	[ -n "$vars" ]
	for v in $vars LANGUAGE LC_MESSAGES; do
		man_tags ENVIRONMENT | grep -qx "$v" || fail "ENVIRONMENT lacks $v"
	done
	# and every variable of the Environment sections of every --help
	local c
	while read -r c; do
		for v in $(ux_help "$c" | ux_section Environment | sed -n 's/^ \([A-Z_][A-Z_]*\)[= ].*/\1/p'); do
			man_tags ENVIRONMENT | grep -qx "$v" ||
				fail "ENVIRONMENT lacks $v (from '$c --help')" || return 1
		done
	done < <(code_commands | grep -v -e '^help$' -e ' help$')
}

@test "man: JSON DOCUMENT names the installed schema and every top-level key of it" {
	local schema=$UX_SRC/schema/apctl.schema.json keys

	# the schema is installed under this name (schema/local.mk)
	grep -qE '^dist_pkgdata_DATA \+= schema/apctl\.schema\.json$' "$UX_SRC/schema/local.mk"
	run man_section 'JSON DOCUMENT'
	[[ $output == *apctl.schema.json* ]] || fail "no schema location"
	# apctl show --help names the same file
	"$APCTL" show --help | grep -q '/apctl\.schema\.json\.$'
	keys=$(jq -r '.properties | keys[]' "$schema" | LC_ALL=C sort)
	run man_tags 'JSON DOCUMENT'
	expect_same "top-level JSON keys" schema "$keys" "man page" \
		"$(printf '%s\n' "$output" | LC_ALL=C sort)"
	# api_level: the value the schema fixes is the one the page states
	man_section 'JSON DOCUMENT' | grep -q "an integer, now $(jq -r '.properties.api_level.const' "$schema")\."
	# the views the schema knows are all named
	for v in $(jq -r '.properties.view.enum[]' "$schema"); do
		man_section 'JSON DOCUMENT' | grep -qw -- "$v" || fail "view $v not named"
	done
}

@test "man: ID LISTS explains the leading-zero refusal with the octal reason, and apctl does refuse" {
	run man_section 'ID LISTS'
	[[ $output == *"010"* && $output == *octal* && $output == *"08"* ]] || fail "no octal rule"
	sim_start doc-example
	run "$APCTL" reserve --dry-run 010
	[ "$status" -eq 2 ]
	[[ $output == *"as lszcrypt prints ids it is 0x10 (16)"*"as octal 8"* ]] || fail "$output"
	# the relative form the page says is refused is refused
	run "$APCTL" reserve --dry-run +5
	[ "$status" -eq 2 ]
	[[ $output == *"not allowed here"* ]] || fail "$output"
}

# ux_examples: the EXAMPLES blocks as "CMD<TAB>command" and "OUT<TAB>line"
ux_examples() {
	man_section EXAMPLES | awk '
		/^              # apctl / {
			c = $0; sub(/^ *# /, "", c)
			while (c ~ /\\$/) { sub(/ *\\$/, "", c); getline l; sub(/^ +/, " ", l); c = c l }
			print "CMD\t" c; inblock = 1; blanks = 0; next
		}
		/^              / && inblock {
			# a blank line inside the output is part of it
			for (; blanks > 0; blanks--) print "OUT\t"
			l = substr($0, 15); print "OUT\t" l; next
		}
		/^ *$/ { if (inblock) blanks++; next }
		{ inblock = 0; blanks = 0 }'
}

# check_output EXPECTED ACTUAL: line by line; an expected line with "..."
# matches any line that begins with the text before the first "..."; a lone
# "..." ends the check
check_output() {
	local -a exp act
	local i

	mapfile -t exp <<<"$1"
	mapfile -t act <<<"$2"
	for ((i = 0; i < ${#exp[@]}; i++)); do
		[[ ${exp[i]} == ... ]] && return 0
		if [[ ${exp[i]} == *...* ]]; then
			[[ ${act[i]:-} == "${exp[i]%%...*}"* ]] && continue
		elif [[ ${act[i]:-} == "${exp[i]}" ]]; then
			continue
		fi
		fail "line $((i + 1)): expected '${exp[i]}', got '${act[i]:-}'"$'\n'"$2"
		return 1
	done
	((${#act[@]} == ${#exp[@]})) || fail "more output than shown:"$'\n'"$2"
}

@test "man: the EXAMPLES walkthrough does what the page shows" {
	local kind text cmd= exp= out rc uuid

	sim_start doc-example
	run_example() {
		[[ -n $cmd ]] || return 0
		local -a argv
		read -r -a argv <<<"$cmd"
		# the page's UUIDs are what create printed: pass them to get them
		if [[ ${argv[1]} == mdev && ${argv[2]} == create && $exp =~ ^([0-9a-f-]{36})$ ]]; then
			argv+=(--uuid "${BASH_REMATCH[1]}")
		fi
		# the story around the commands, told to the simulator
		if [[ $cmd == *--add-domains\ 0x10* ]]; then
			ctl attach 11111111-1111-4111-8111-111111111111
			ctl host domain-add 0x10
			ctl scan
		fi
		if [[ $cmd == "apctl mdev remove 1111"* ]]; then
			ctl detach 11111111-1111-4111-8111-111111111111
		fi
		# "apctl check && echo fine": the status is what counts
		if [[ ${argv[-1]} == fine && ${argv[-2]} == echo ]]; then
			argv=("${argv[@]:0:${#argv[@]}-3}")
		fi
		rc=0
		out=$("$APCTL" "${argv[@]:1}" 2>&1) || rc=$?
		if [[ $exp == *refused* ]]; then
			[ "$rc" -eq 4 ] || fail "'$cmd' exited with $rc, not 4: $out" || return 1
		else
			[ "$rc" -eq 0 ] || fail "'$cmd' exited with $rc: $out" || return 1
		fi
		if [[ -n $exp ]]; then
			check_output "$exp" "$out" || fail "in '$cmd'" || return 1
		fi
		cmd= exp=
	}
	local n=0
	while IFS=$'\t' read -r kind text; do
		if [[ $kind == CMD ]]; then
			run_example || return 1
			cmd=$text
			n=$((n + 1))
		elif [[ -n $cmd ]]; then
			exp+=${exp:+$'\n'}$text
		fi
	done < <(ux_examples)
	run_example
	# reserve, 3 creates, show matrix, refused create, show mdev --format
	# qemu and libvirt, modify, show mdev, 3 removes, release, check
	[ "$n" -eq 15 ] || fail "$n example commands, expected 15"
	# and everything is back as it was (domain 0x10 aside)
	run "$APCTL" show cards --raw --noheadings -o CARD,RESERVED
	expect_eq $'05 no\n06 no' "$output"
	run --separate-stderr "$APCTL" mdev list --raw --noheadings -o UUID
	expect_eq "" "$output"
}

@test "man: the page's version is apctl's" {
	local v

	v=$("$APCTL" --version | awk '{ print $NF }')
	[[ $v =~ ^[0-9]+\.[0-9]+ ]] || fail "no version in: $("$APCTL" --version)"
	run grep -c "^\.TH APCTL 8 \"[0-9-]*\" \"apctl $v\" " "$UX_MAN"
	expect_eq 1 "$output" "'.TH ... \"apctl $v\"' lines"
}
