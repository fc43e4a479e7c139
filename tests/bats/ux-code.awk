# SPDX-License-Identifier: MIT
# Extract apctl's command line interface from its C sources (POSIX awk; used
# by tests/bats/ux-lib.bash).  Run on src/apctl.c, src/cmd/*.h, src/cmd/*.c.
#
# Read from the code, not from any documentation:
#   - the command table ("commands" array: { "name", cmd_fn, ... }) and the
#     mdev subcommand table ("subcmds" array in the file defining cmd_mdev)
#   - for each command function, its "struct option" array (entries
#     { "long", x_argument, NULL, VAL }, and macros such as CHG_LONGOPTS
#     expanded from their #define), or that of the one function it calls
#     which has one (reserve/release share rsv_main)
#   - the getopt_long() option string of the same function (string literals
#     and macros concatenated), which decides which VAL letters are short
#     options and which take an argument
#   - VAL constants defined as character literals in enums (CHG_OPT_WAIT = 'w')
#
# Output (stdout), one line per fact, fields separated by a TAB:
#   cmd      NAME                      a command ("apctl" is main's globals)
#   opt      CMD  LONG  SHORT  ARG     SHORT "-" if none; ARG "arg" or "noarg"
#   error    TEXT                      an inconsistency inside the code itself
#
# main() in apctl.c gives the global options, command "apctl".

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# the char of a VAL token: 'x' -> x; an enum constant -> its char; else ""
function valchar(v) {
	v = trim(v)
	if (v ~ /^'.'$/)
		return substr(v, 2, 1)
	if (v in enumchar)
		return enumchar[v]
	return ""
}

# add the struct option entries found in text s to function fn
function add_entries(fn, s,    e, n, name, has, val, parts) {
	while (match(s, /\{[ \t]*"[^"]+"[ \t]*,[ \t]*[a-z_]+_argument[ \t]*,[^,]*,[^}]*\}/)) {
		e = substr(s, RSTART + 1, RLENGTH - 2)
		s = substr(s, RSTART + RLENGTH)
		n = split(e, parts, ",")
		name = trim(parts[1])
		gsub(/"/, "", name)
		has = trim(parts[2])
		val = trim(parts[4])
		nopts[fn]++
		oname[fn, nopts[fn]] = name
		ohas[fn, nopts[fn]] = has
		oval[fn, nopts[fn]] = val
	}
}

# the option string of a getopt_long() argument expression
function optstring(expr,    out, t) {
	out = ""
	while (expr != "") {
		expr = trim(expr)
		if (substr(expr, 1, 1) == "\"") {
			match(expr, /^"[^"]*"/)
			out = out substr(expr, 2, RLENGTH - 2)
			expr = substr(expr, RLENGTH + 1)
		} else if (match(expr, /^[A-Za-z_][A-Za-z_0-9]*/)) {
			t = substr(expr, 1, RLENGTH)
			expr = substr(expr, RLENGTH + 1)
			if (t in macro)
				out = out optstring(macro[t])
			else
				errors[++nerr] = "unknown macro " t " in an option string"
		} else {
			break
		}
	}
	return out
}

FNR == 1 {
	fname = FILENAME
	sub(/.*\//, "", fname)
	infunc = ""
	inopts = 0
	inmacro = ""
	table = ""
	pending = ""
}

# #define NAME body, with continuation lines
inmacro != "" {
	line = $0
	cont = sub(/\\[ \t]*$/, "", line)
	macro[inmacro] = macro[inmacro] " " line
	if (!cont)
		inmacro = ""
	next
}
/^#define[ \t]+[A-Za-z_][A-Za-z_0-9]*[ \t]/ {
	line = $0
	sub(/^#define[ \t]+/, "", line)
	name = line
	sub(/[ \t].*/, "", name)
	body = substr(line, length(name) + 1)
	cont = sub(/\\[ \t]*$/, "", body)
	macro[name] = body
	if (cont)
		inmacro = name
	next
}

# enum constants with character values
/^[ \t]+[A-Z_][A-Z_0-9]*[ \t]*=[ \t]*'.'[ \t]*,?/ {
	line = trim($0)
	name = line
	sub(/[ \t=].*/, "", name)
	match(line, /'.'/)
	enumchar[name] = substr(line, RSTART + 1, 1)
}

# function definitions: a line at column 0 with "name(" and no ";"
/^[a-z].*[A-Za-z_0-9]+\(/ && !/;[ \t]*$/ && !/^static const/ {
	line = $0
	sub(/\(.*/, "", line)
	n = split(line, w, /[ \t*]+/)
	infunc = w[n]
	defined[infunc] = fname
	next
}
/^}/ {
	infunc = ""
	table = ""
	next
}

# command tables
/^static const struct [a-z_]+ (commands|subcmds)\[\][ \t]*=/ {
	table = ($0 ~ /commands\[\]/) ? "commands" : "subcmds"
	next
}
table != "" && /^};/ {
	table = ""
	next
}
table != "" {
	pending = pending " " $0
	if (match(pending, /\{[ \t]*"[a-z-]+"[ \t]*,[ \t]*[a-z_0-9]+/)) {
		e = substr(pending, RSTART + 1, RLENGTH - 1)
		split(e, parts, ",")
		name = trim(parts[1])
		gsub(/"/, "", name)
		ntab++
		tabkind[ntab] = table
		tabname[ntab] = name
		tabfn[ntab] = trim(parts[2])
		tabfile[ntab] = fname
		pending = ""
	}
	if ($0 ~ /},?[ \t]*$/)
		pending = ""
	next
}

# struct option arrays
infunc != "" && /struct option[ \t]+[a-z_]+\[\][ \t]*=/ {
	inopts = 1
	hasopts[infunc] = 1
	next
}
inopts && /^[ \t]*};/ {
	inopts = 0
	next
}
inopts {
	line = trim($0)
	if (line ~ /^[A-Z_][A-Z_0-9]*,?$/) {
		sub(/,$/, "", line)
		if (line in macro)
			add_entries(infunc, macro[line])
		else
			errors[++nerr] = infunc ": unknown macro " line " in struct option"
	} else {
		add_entries(infunc, line)
	}
	next
}

# the option string of getopt_long(argc, argv, STRING, longopts, ...)
infunc != "" && /getopt_long\(/ {
	line = $0
	sub(/.*getopt_long\([^,]*,[^,]*,/, "", line)
	sub(/,[^,]*longopts.*/, "", line)
	optstr[infunc] = optstring(line)
}

# words a dispatcher accepts besides its table: strcmp(argv[N], "help")
infunc != "" && /strcmp\(argv\[[0-9]\], "[a-z]+"\)/ {
	line = $0
	while (match(line, /strcmp\(argv\[[0-9]\], "[a-z]+"\)/)) {
		e = substr(line, RSTART, RLENGTH)
		line = substr(line, RSTART + RLENGTH)
		sub(/^[^"]*"/, "", e)
		sub(/".*/, "", e)
		if (!((infunc, e) in pseudo)) {
			pseudo[infunc, e] = 1
			npseudo[infunc] = npseudo[infunc] " " e
		}
	}
}

# calls, to find the option array of a command that delegates
infunc != "" {
	line = $0
	while (match(line, /[a-z_][a-z_0-9]*\(/)) {
		callee = substr(line, RSTART, RLENGTH - 1)
		calls[infunc] = calls[infunc] " " callee
		line = substr(line, RSTART + RLENGTH)
	}
}

# the option-owning function of command function fn
function owner(fn,    n, c, i, found) {
	if (fn in hasopts)
		return fn
	found = ""
	n = split(calls[fn], c, " ")
	for (i = 1; i <= n; i++)
		if (c[i] in hasopts) {
			if (found != "" && found != c[i])
				errors[++nerr] = fn ": calls two functions with option arrays"
			found = c[i]
		}
	return found
}

function emit(cmd, fn,    f, i, name, has, ch, short, arg, os, p, letters, k, l) {
	print "cmd\t" cmd
	f = owner(fn)
	if (f == "")
		return
	os = optstr[f]
	for (i = 1; i <= nopts[f]; i++) {
		name = oname[f, i]
		has = ohas[f, i]
		ch = valchar(oval[f, i])
		short = "-"
		arg = (has == "required_argument") ? "arg" : "noarg"
		if (has == "optional_argument")
			arg = "optarg"
		if (ch != "" && (p = index(os, ch)) > 0) {
			short = "-" ch
			if ((substr(os, p + 1, 1) == ":") != (arg == "arg"))
				errors[++nerr] = cmd ": -" ch " and --" name " disagree about an argument"
			used[cmd, ch] = 1
		}
		print "opt\t" cmd "\t--" name "\t" short "\t" arg
	}
	# letters of the option string without a long option
	letters = os
	gsub(/[:+]/, "", letters)
	for (k = 1; k <= length(letters); k++) {
		l = substr(letters, k, 1)
		if (!((cmd, l) in used))
			errors[++nerr] = cmd ": short option -" l " has no long option"
	}
}

# the pseudo commands (like "help") a dispatcher fn accepts
function emit_pseudo(prefix, fn,    n, w, i) {
	n = split(npseudo[fn], w, " ")
	for (i = 1; i <= n; i++)
		print "cmd\t" prefix w[i]
}

END {
	emit("apctl", "main")
	for (i = 1; i <= ntab; i++) {
		if (tabkind[i] != "commands")
			continue
		emit(tabname[i], tabfn[i])
		for (j = 1; j <= ntab; j++)
			if (tabkind[j] == "subcmds" && defined[tabfn[i]] == tabfile[j])
				emit(tabname[i] " " tabname[j], tabfn[j])
		emit_pseudo(tabname[i] " ", tabfn[i])
	}
	emit_pseudo("", "main")
	for (i = 1; i <= nerr; i++)
		print "error\t" errors[i]
}
