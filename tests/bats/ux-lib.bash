# SPDX-License-Identifier: MIT
# Helpers of the ux-*.bats suites: what the code, --help, the man page and
# the completion scripts say about commands, options, columns and exit codes,
# each printed in one normalised form so that suites can compare them.
#
#   load helpers
#   load ux-lib
#
# Commands are named as on the command line: "apctl" (the global options),
# "show", "mdev create", ...  Option lines are "LONG SHORT ARG" with SHORT
# "-" when there is none and ARG "arg" or "noarg", sorted.

: "${UX_SRC:=$top_srcdir}"
: "${UX_MAN:=$top_srcdir/man/apctl.8}"
: "${UX_BASH:=$top_srcdir/completion/apctl.bash}"
: "${UX_ZSH_DIR:=$top_srcdir/completion}"

# --------------------------------------------------------------- the code

ux_code() {
	awk -f "$UX_SRC/tests/bats/ux-code.awk" "$UX_SRC/src/apctl.c" \
		"$UX_SRC"/src/cmd/*.h "$UX_SRC"/src/cmd/*.c
}

# commands with options or subcommands, as the code defines them
code_commands() {
	ux_code | awk -F'\t' '$1 == "cmd" { print $2 }'
}

# top-level commands (no "apctl", no subcommands), sorted
code_top_commands() {
	code_commands | awk '$0 != "apctl" && NF == 1' | LC_ALL=C sort
}

# code_subcommands CMD: the subcommands of CMD, sorted
code_subcommands() {
	code_commands | awk -v c="$1" '$1 == c && NF == 2 { print $2 }' | LC_ALL=C sort
}

# code_opts CMD
code_opts() {
	ux_code | awk -F'\t' -v c="$1" '$1 == "opt" && $2 == c { print $3, $4, $5 }' |
		LC_ALL=C sort
}

code_errors() {
	ux_code | awk -F'\t' '$1 == "error" { print $2 }'
}

# commands that have a struct option array (or delegate to one)
code_commands_with_opts() {
	ux_code | awk -F'\t' '$1 == "opt" && !seen[$2]++ { print $2 }'
}

# code_opt_words CMD: every option word (long and short), sorted
code_opt_words() {
	code_opts "$1" | awk '{ print $1; if ($2 != "-") print $2 }' | LC_ALL=C sort
}

# exit codes of src/core/exitcodes.h: "NUMBER NAME", sorted by number
code_exitcodes() {
	sed -n 's/^[[:space:]]*\(APCTL_EXIT_[A-Z_]*\)[[:space:]]*=[[:space:]]*\([0-9]*\),.*/\2 \1/p' \
		"$UX_SRC/src/core/exitcodes.h" | sort -n
}

# output columns of src/out/objects.c: "TABLE NAME" in table order, TABLE
# being the colset's noun (cards, queues, mdevs)
code_columns() {
	awk '
		/^static const struct ap_col [a-z_]+\[\][ \t]*=/ {
			arr = $0; sub(/.*ap_col[ \t]+/, "", arr); sub(/\[.*/, "", arr); next
		}
		arr != "" && /^};/ { arr = ""; next }
		arr != "" && /^[ \t]*\{[ \t]*"[A-Z][A-Z.]*"/ {
			n = $0; sub(/^[^"]*"/, "", n); sub(/".*/, "", n)
			cols[arr] = cols[arr] " " n
		}
		/^const struct ap_colset [a-z_]+[ \t]*=/ { set = 1; next }
		set && /"[a-z]+",[ \t]*[a-z_]+,/ {
			w = $0; sub(/^[^"]*"/, "", w); what = w; sub(/".*/, "", what)
			a = w; sub(/^[^,]*,[ \t]*/, "", a); sub(/[ ,].*/, "", a)
			if (!(what in done)) {
				done[what] = 1
				k = split(cols[a], c, " ")
				for (i = 1; i <= k; i++) print what, c[i]
			}
			set = 0
		}
	' "$UX_SRC/src/out/objects.c"
}

# default columns: "COLSET DEFAULTS" (ap_card_cols "CARD,TYPE,...")
code_column_defaults() {
	awk '
		/^const struct ap_colset [a-z_]+[ \t]*=/ {
			s = $0; sub(/^const struct ap_colset[ \t]+/, "", s); sub(/[ \t=].*/, "", s)
			next
		}
		s != "" && /^[ \t]*"[A-Z][A-Z.,]*",?[ \t]*$/ {
			d = $0; sub(/^[^"]*"/, "", d); sub(/".*/, "", d); print s, d; s = ""
		}
		/^};/ { s = "" }
	' "$UX_SRC/src/out/objects.c"
}

# the views of show: view_names[] of src/cmd/show.c without the summary
code_show_views() {
	sed -n '/view_names\[\] = {/,/};/p' "$UX_SRC/src/cmd/show.c" |
		grep -o '"[a-z]*"' | tr -d '"' | grep -vx summary | LC_ALL=C sort
}

# ------------------------------------------------------------------ --help

# ux_help CMD: the --help text of a command ("apctl": the general help)
ux_help() {
	if [[ $1 == apctl ]]; then
		"$APCTL" --help
	else
		# shellcheck disable=SC2086
		"$APCTL" $1 --help
	fi
}

# ux_section HEADING: the lines of a --help section (after "HEADING:" up
# to the next empty line), from stdin
ux_section() {
	awk -v h="$1:" '$0 == h { on = 1; next } on && /^$/ { exit } on { print }'
}

# parse option specs: lines "  -o, --output <list>   text" (or tags of the
# man page, "-o, --output list") into "LONG SHORT ARG" lines; one spec may
# name several long options ("--add-x <list>, --remove-x <list>")
ux_parse_specs() {
	awk '
		{
			line = $0
			sub(/^[ \t]+/, "", line)
			if (substr(line, 1, 1) != "-") next
			# the spec ends at two spaces (the description)
			if ((p = index(line, "  ")) > 0) line = substr(line, 1, p - 1)
			n = split(line, item, /, /)
			short = "-"
			for (i = 1; i <= n; i++) {
				k = split(item[i], w, " ")
				if (w[1] ~ /^--[^[]+\[=/) {
					# "--json[=<style>]": an optional argument
					sub(/\[.*/, "", w[1])
					print w[1], short, "optarg"
					short = "-"
				} else if (w[1] ~ /^--/) {
					print w[1], short, (k > 1 ? "arg" : "noarg")
					short = "-"
				} else if (w[1] ~ /^-[A-Za-z]$/) {
					short = w[1]
				} else {
					print "BAD-SPEC " item[i]
				}
			}
			if (short != "-") print "-", short, "short-only"
		}
	' | LC_ALL=C sort
}

help_opts() {
	ux_help "$1" | ux_section Options | ux_parse_specs
}

# help_commands CMD: first words of the "Commands:" section, sorted
help_commands() {
	ux_help "$1" | ux_section Commands | awk '{ print $1 }' | LC_ALL=C sort
}

help_exitcodes() {
	ux_help "$1" | ux_section 'Exit status' | grep -o '\(^\|[ ,]\)[0-9]\{1,3\}  *[a-z]' |
		grep -o '[0-9]*' | sort -n -u
}

# help_columns VIEW: column names of "Available output columns (VIEW):"
help_columns() {
	local cmd=$1 what=$2

	ux_help "$cmd" | awk -v h="Available output columns ($what):" '
		$0 == h { on = 1; next }
		on && /^ Default:/ { exit }
		on && /^$/ { exit }
		on { print $1 }'
}

help_column_default() {
	local cmd=$1 what=$2

	ux_help "$cmd" | awk -v h="Available output columns ($what):" '
		$0 == h { on = 1; next }
		on && /^ Default:/ { print $2; exit }'
}

# -------------------------------------------------------------- man page

# the page as plain text, one long line per paragraph line
ux_man_text() {
	groff -man -Tascii -rLL=250n -P-cbou "$UX_MAN" 2>/dev/null
}

# man_section NAME: the lines of a section (up to the next heading)
man_section() {
	ux_man_text | awk -v h="$1" '
		/^[A-Z]/ { on = ($0 == h); next }
		on { print }'
}

# the tags of the page's .TP paragraphs, from the roff source, as text:
# "SECTION<TAB>SUBSECTION<TAB>DEPTH<TAB>TAG" (DEPTH: .RS nesting)
ux_man_tags() {
	awk '
		function unquote(s) {
			gsub(/\\-/, "-", s); gsub(/\\f[BIRP]/, "", s)
			gsub(/\\&/, "", s); gsub(/\\c$/, "", s); gsub(/\\e/, "\\", s)
			return s
		}
		# the text a font macro line prints
		function macrotext(line,    m, args, n, t, out, sep) {
			m = line; sub(/[ \t].*/, "", m); sub(/^\./, "", m)
			line = substr(line, length(m) + 2)
			n = 0
			while (line != "") {
				sub(/^[ \t]+/, "", line)
				if (line == "") break
				if (substr(line, 1, 1) == "\"") {
					match(line, /^"[^"]*"?/)
					t = substr(line, 2, RLENGTH - 1); sub(/"$/, "", t)
				} else {
					match(line, /^[^ \t]+/)
					t = substr(line, 1, RLENGTH)
				}
				line = substr(line, RLENGTH + 1)
				args[++n] = t
			}
			sep = (m == "B" || m == "I" || m == "SM") ? " " : ""
			out = ""
			for (t = 1; t <= n; t++) out = out (t > 1 ? sep : "") args[t]
			return unquote(out)
		}
		/^\.SH / { sec = substr($0, 5); gsub(/"/, "", sec); sub_ = ""; depth = 0; next }
		/^\.SS / { sub_ = substr($0, 5); gsub(/"/, "", sub_); next }
		/^\.RS/ { depth++; next }
		/^\.RE/ { depth--; next }
		/^\.TP/ { tag = 1; next }
		tag {
			tag = 0
			t = (substr($0, 1, 1) == ".") ? macrotext($0) : unquote($0)
			print sec "\t" sub_ "\t" depth "\t" t
		}
	' "$UX_MAN"
}

# man_opts CMD: options the OPTIONS section lists for CMD; a subsection
# heading names the commands it applies to ("reserve, release"),
# "Global options" means the command "apctl"
man_opts() {
	ux_man_tags | awk -F'\t' -v c="$1" '
		$1 != "OPTIONS" { next }
		{
			mine = 0
			if ($2 == "Global options") mine = (c == "apctl")
			else {
				n = split($2, cs, /, /)
				for (i = 1; i <= n; i++) if (cs[i] == c) mine = 1
			}
			if (mine) print $4
		}' | ux_parse_specs
}

# man_commands: the commands of the COMMANDS section ("show", "mdev create")
man_commands() {
	ux_man_tags | awk -F'\t' '$1 == "COMMANDS" && $3 == 0 {
		split($4, w, " ")
		c = w[1]
		if (w[1] == "mdev" && w[2] ~ /^[a-z]+$/) c = c " " w[2]
		print c
	}' | LC_ALL=C sort -u
}

man_exitcodes() {
	ux_man_tags | awk -F'\t' '$1 == "EXIT STATUS" { print $4 }' | sort -n
}

# man_columns VIEW: the tags of the OUTPUT COLUMNS subsection VIEW
man_columns() {
	ux_man_tags | awk -F'\t' -v v="$1" '$1 == "OUTPUT COLUMNS" && $2 == v { print $4 }'
}

# man_column_default VIEW [COMMAND]: "Default[ of COMMAND]:" of a subsection
man_column_default() {
	man_section 'OUTPUT COLUMNS' | awk -v v="$1" -v c="${2:-}" '
		/^   [^ ]/ { h = $0; sub(/^ +/, "", h); on = (h == v); next }
		on { t = t " " $0 }
		END {
			key = (c == "") ? "Default:" : "Default of " c ":"
			if ((p = index(t, key)) == 0) exit
			t = substr(t, p + length(key))
			if (match(t, /\.( |$)/)) t = substr(t, 1, RSTART - 1)
			gsub(/ /, "", t)
			print t
		}'
}

# man_tags SECTION: the tags of a section (top level), words split at ", "
man_tags() {
	ux_man_tags | awk -F'\t' -v s="$1" '$1 == s && $3 == 0 {
		n = split($4, w, /, /)
		for (i = 1; i <= n; i++) print w[i]
	}'
}

# ------------------------------------------------------------ completions

# bash_complete WORD...: source the script, complete the last word, print
# COMPREPLY one per line
bash_complete() {
	(
		# shellcheck disable=SC1090
		source "$UX_BASH"
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_apctl apctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}"
	)
}

# the words of a command line for CMD ("apctl" -> none)
ux_cmd_words() {
	[[ $1 == apctl ]] || printf '%s\n' $1
}

# bash_opt_words CMD: the option words bash offers after "-", sorted
bash_opt_words() {
	local -a w
	mapfile -t w < <(ux_cmd_words "$1")
	bash_complete "$APCTL" "${w[@]}" - | LC_ALL=C sort
}

# bash_takes_arg CMD OPTION: the script's idea of OPTION taking an argument
bash_takes_arg() {
	(
		# shellcheck disable=SC1090
		source "$UX_BASH"
		local key=${1// /_}
		[[ $1 == apctl ]] && key=global
		_apctl_takes_arg "$key" "$2"
	)
}

# zsh_complete LINE...: the candidates zsh offers at the end of each LINE
# (sorted; a line "--" after each)
zsh_complete() {
	zsh -f "$top_srcdir/tests/bats/ux-zcomplete.zsh" "$UX_ZSH_DIR" "$@"
}

# zsh_opt_words CMD...: for each CMD the option words zsh offers after "-"
# ("CMD WORD" lines)
zsh_opt_words() {
	local c
	local -a lines=()

	for c; do
		if [[ $c == apctl ]]; then
			lines+=("apctl -")
		else
			lines+=("apctl $c -")
		fi
	done
	zsh_complete "${lines[@]}" | awk -v list="$(printf '%s\n' "$@")" '
		BEGIN { n = split(list, cmds, "\n"); i = 1 }
		$0 == "--" { i++; next }
		{ print cmds[i] "\t" $0 }'
}

# ------------------------------------------------------------- assertions

# expect_same WHAT EXPECTED-NAME EXPECTED ACTUAL-NAME ACTUAL: two sorted
# lists are equal; otherwise print what each side lacks
expect_same() {
	local what=$1 na=$2 a=$3 nb=$4 b=$5 only_a only_b

	[[ $a == "$b" ]] && return 0
	only_a=$(LC_ALL=C comm -23 <(printf '%s\n' "$a" | LC_ALL=C sort) \
		<(printf '%s\n' "$b" | LC_ALL=C sort))
	only_b=$(LC_ALL=C comm -13 <(printf '%s\n' "$a" | LC_ALL=C sort) \
		<(printf '%s\n' "$b" | LC_ALL=C sort))
	{
		echo "$what: $na and $nb differ"
		[[ -n $only_a ]] && printf '  only in %s:\n%s\n' "$na" "$only_a"
		[[ -n $only_b ]] && printf '  only in %s:\n%s\n' "$nb" "$only_b"
		[[ -z $only_a && -z $only_b ]] && printf '  (order differs)\n%s\n---\n%s\n' "$a" "$b"
	} >&2
	return 1
}
