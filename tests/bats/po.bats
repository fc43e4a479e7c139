#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Translations (issue 6): po/POTFILES.in covers every file with translatable
# strings, po/de.po is complete for the current sources and keeps the help
# layouts, msgfmt -c accepts it, `LANGUAGE=de apctl --help` is German, and
# what is for machines (JSON, --raw column names and values, exit codes) is
# the same in every language.

load helpers
load show-lib

# ---------------------------------------------------------------- helpers

# the files below src/ that contain a string in _( ), N_( ) or P_( ), sorted
# (the string may start on the next line: `_(\n\t"...")`)
files_with_strings() {
	(cd "$top_srcdir" && find src -name '*.[ch]' -print0 | sort -z |
		xargs -0 perl -0777 -ne 'print "$ARGV\n" if /(?<![\w])[NP]?_\(\s*"/')
}

# the files named in po/POTFILES.in (comments and blank lines dropped), sorted
potfiles() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$top_srcdir/po/POTFILES.in" |
		LC_ALL=C sort
}

# the xgettext options of po/Makevars (keywords, charset, comments)
xgettext_options() {
	sed -n 's/^XGETTEXT_OPTIONS[[:space:]]*=[[:space:]]*//p' "$top_srcdir/po/Makevars"
}

# make_pot FILE: a fresh template from the files of POTFILES.in, made the way
# po/Makefile makes it
make_pot() {
	local -a opts files

	read -r -a opts <<<"$(xgettext_options)"
	mapfile -t files < <(potfiles)
	(cd "$top_srcdir" && xgettext --default-domain=apctl --language=C \
		"${opts[@]}" --package-name=apctl -o "$1" "${files[@]}")
}

# the locale directory apctl was built with (LOCALEDIR = $(localedir))
build_localedir() {
	printf 'print-localedir:\n\t@echo $(localedir)\n' |
		make -s --no-print-directory -C "$top_builddir" -f Makefile -f - print-localedir
}

# Make po/de.po visible where the apctl of the build tree looks for it: the
# catalogue is compiled into a private tree, and de_run bind-mounts that tree
# over the nearest existing ancestor of $(localedir) in a mount namespace of
# its own (the system is not touched).  Sets MOUNT_AT and MOUNT_FROM.
setup_catalogue() {
	local ld rel p

	[[ $(id -u) -eq 0 ]] || skip "needs root for a private mount namespace"
	unshare -m true 2>/dev/null || skip "unshare -m is not permitted here"
	locale -a | grep -qiE '^c\.utf-?8$' ||
		fail "the C.UTF-8 locale is missing (glibc translates nothing in the C locale)" ||
		return 1
	ld=$(build_localedir) && [[ $ld == /* ]] ||
		fail "cannot get localedir from $top_builddir/Makefile: '$ld'" || return 1
	MOUNT_AT=$ld
	while [[ ! -d $MOUNT_AT ]]; do
		MOUNT_AT=$(dirname "$MOUNT_AT")
	done
	# the mount hides what is below MOUNT_AT: not the programs, the sources or
	# the temporary files of the test (apsim's root is made under TMPDIR)
	for p in "$APCTL" "$top_srcdir" "$BATS_TEST_TMPDIR" "${TMPDIR:-/tmp}/x"; do
		p=$(readlink -m "$p")
		[[ $MOUNT_AT == / || $p == "$MOUNT_AT"/* ]] &&
			skip "$ld does not exist and mounting over $MOUNT_AT would hide $p"
	done
	rel=${ld#"$MOUNT_AT"}
	MOUNT_FROM=$BATS_TEST_TMPDIR/share
	mkdir -p "$MOUNT_FROM$rel/de/LC_MESSAGES"
	msgfmt -c -o "$MOUNT_FROM$rel/de/LC_MESSAGES/apctl.mo" "$top_srcdir/po/de.po"
}

# lang_run LANGUAGE CMD...: run CMD with the catalogue mounted, in the C.UTF-8
# locale with this LANGUAGE; stdout, stderr and status as by apctl() of show-lib
lang_run() {
	local lang=$1 d=$BATS_TEST_TMPDIR

	shift
	rc=0
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
		"$MOUNT_FROM" "$MOUNT_AT" env -u LANG -u LC_MESSAGES LC_ALL=C.UTF-8 \
		LANGUAGE="$lang" "$@" >"$d/run.out" 2>"$d/run.err" || rc=$?
	out=$(cat "$d/run.out"; echo x)
	out=${out%x}
	err=$(cat "$d/run.err"; echo x)
	err=${err%x}
}

de() {
	lang_run de "$APCTL" "$@"
}

en() {
	lang_run C "$APCTL" "$@"
}

# same_in_both ARGS...: apctl ARGS prints the same bytes and exits the same
# under LANGUAGE=de and LANGUAGE=C
same_in_both() {
	local o_de r_de

	de "$@"
	o_de=$out r_de=$rc
	en "$@"
	[[ $r_de -eq $rc ]] || fail "apctl $*: exit $r_de in German, $rc in English" || return 1
	[[ $rc -eq 0 ]] || fail "apctl $* failed ($rc): $err" || return 1
	[[ -n $out ]] || fail "apctl $* printed nothing" || return 1
	expect_eq "$out" "$o_de" "output of apctl $* under LANGUAGE=de (expected: as under LANGUAGE=C)"
}

# ----------------------------------------------------------- the file list

@test "POTFILES.in lists every file with translatable strings" {
	local missing

	run files_with_strings
	[[ $status -eq 0 && -n $output ]] || fail "no translatable strings found in src/?"
	missing=$(LC_ALL=C comm -23 <(printf '%s\n' "$output" | LC_ALL=C sort) <(potfiles))
	[[ -z $missing ]] || fail "files with _(\"...\"), N_(\"...\") or P_(\"...\") missing from" \
		"po/POTFILES.in:" $'\n'"$missing"
}

@test "POTFILES.in lists only existing files that have translatable strings" {
	local f extra

	while read -r f; do
		[[ -f $top_srcdir/$f ]] || fail "po/POTFILES.in names $f, which does not exist"
	done < <(potfiles)
	extra=$(LC_ALL=C comm -13 <(files_with_strings | LC_ALL=C sort) <(potfiles))
	[[ -z $extra ]] || fail "po/POTFILES.in names files without translatable strings:" \
		$'\n'"$extra"
	run bash -c "$(declare -f potfiles); potfiles | uniq -d"
	[[ -z $output ]] || fail "po/POTFILES.in names files twice: $output"
}

@test "xgettext finds strings in exactly the files of POTFILES.in" {
	local pot=$BATS_TEST_TMPDIR/all.pot refs
	local -a opts

	# all sources, not just the listed ones: a file xgettext would extract
	# from but the grep above misses still shows up here
	read -r -a opts <<<"$(xgettext_options)"
	(cd "$top_srcdir" && find src -name '*.[ch]' | LC_ALL=C sort |
		xargs xgettext --language=C "${opts[@]}" -o "$pot")
	[[ -s $pot ]] || fail "xgettext extracted nothing"
	refs=$(sed -n 's/^#: //p' "$pot" | tr ' ' '\n' | sed 's/:[0-9]*$//' | LC_ALL=C sort -u)
	expect_eq "$(potfiles)" "$refs" "files with messages (xgettext) vs po/POTFILES.in"
}

# ------------------------------------------------------ the German catalogue

@test "msgfmt -c accepts po/de.po" {
	run msgfmt -c --statistics -o /dev/null "$top_srcdir/po/de.po"
	[[ $status -eq 0 ]] || fail "msgfmt -c po/de.po: $output"
	[[ $output != *fuzzy* && $output != *untranslated* ]] ||
		fail "po/de.po as committed is not complete: $output"
}

@test "po/de.po is complete for the current sources (no untranslated, no fuzzy)" {
	local d=$BATS_TEST_TMPDIR untr fuzzy

	make_pot "$d/apctl.pot"
	grep -q '^msgid "[^"]' "$d/apctl.pot" || fail "the fresh template has no messages"
	msgmerge -q -o "$d/de.po" "$top_srcdir/po/de.po" "$d/apctl.pot"
	# the entries without their header block
	untr=$(msgattrib --untranslated --no-obsolete "$d/de.po" | sed '1,/^$/d')
	fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$d/de.po" | sed '1,/^$/d')
	[[ -z $untr ]] || fail "untranslated in po/de.po (run 'make -C po update-po' and" \
		"translate):"$'\n'"$untr"
	[[ -z $fuzzy ]] || fail "fuzzy in po/de.po after merging the current sources:"$'\n'"$fuzzy"
	run msgfmt -c --statistics -o /dev/null "$d/de.po"
	[[ $status -eq 0 ]] || fail "msgfmt -c on the merged catalogue: $output"
	# (the last line; gettext's warnings come before it)
	[[ ${output##*$'\n'} =~ ^[0-9]+\ translated\ messages\.$ ]] || fail "statistics: $output"
}

@test "translations keep the line structure and the help columns" {
	run python3 - "$top_srcdir/po/de.po" <<'EOF'
import ast, re, sys

def entries(path):
    ents, cur, key = [], None, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#~"):
            continue
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
        if m:
            if m.group(1) == "msgid":
                cur = {}
                ents.append(cur)
            key = m.group(1)
            cur[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and cur is not None:
            cur[key] += ast.literal_eval(line)
    return ents

# an option line of a help text: " -x, --long <arg>   description" and the
# environment lines " NAME   description"; the description column must stay
opt = re.compile(r'^( (?:-\w, |    )--?[\w-]+(?: <[^>]+>)?(?:, --[\w-]+ <[^>]+>)?|'
                 r' [A-Z][A-Z_]{3,})( {2,})\S')
cont = re.compile(r'^( {6,})\S')

def columns(text):
    return {len(m.group(1)) + len(m.group(2))
            for m in map(opt.match, text.split("\n")) if m}

bad = []
for e in entries(sys.argv[1]):
    mid = e.get("msgid", "")
    if not mid:
        continue
    for k, v in e.items():
        if not k.startswith("msgstr"):
            continue
        src = e["msgid_plural"] if k == "msgstr[1]" else mid
        what = "%s of %r" % (k, src[:50])
        # leading/trailing newlines and the indentation of the first line
        lead = lambda s: len(s) - len(s.lstrip("\n"))
        trail = lambda s: len(s) - len(s.rstrip("\n"))
        if lead(src) != lead(v) or trail(src) != trail(v):
            bad.append("newlines differ: " + what)
        s1, v1 = src.lstrip("\n"), v.lstrip("\n")
        if src.lstrip("\n").startswith(" ") and \
                len(s1) - len(s1.lstrip(" ")) != len(v1) - len(v1.lstrip(" ")):
            bad.append("indentation differs: " + what)
        # help texts: the description column of options, continuation lines
        # aligned to it, and no line wider than 80 columns if the English fits
        cs = columns(src)
        if cs:
            cv = columns(v)
            if cv != cs:
                bad.append("option column %s, expected %s: %s" % (sorted(cv), sorted(cs), what))
            for l in v.split("\n"):
                m = cont.match(l)
                if m and not opt.match(l) and len(m.group(1)) not in cs | {5}:
                    bad.append("continuation at column %d, expected %s: %r" %
                               (len(m.group(1)), sorted(cs), l))
        if "\n" in src.rstrip("\n") and max(map(len, src.split("\n"))) <= 80:
            for l in v.split("\n"):
                if len(l) > 80:
                    bad.append("line of %d columns: %r" % (len(l), l))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
	[[ $status -eq 0 ]] || fail "po/de.po:"$'\n'"$output"
}

# ----------------------------------------------------------- German at work

@test "LANGUAGE=de apctl --help is German, exit codes unchanged" {
	setup_catalogue
	de --help
	[[ $rc -eq 0 ]] || fail "apctl --help exited $rc: $err"
	[[ $out == $'\nAufruf:\n apctl [Optionen] <Befehl> [<Argumente>]\n'* ]] ||
		fail "not the German usage:"$'\n'"$out"
	[[ $out == *$'\n -h, --help         diese Hilfe anzeigen\n'* ]] ||
		fail "no German -h line in the layout of the English one:"$'\n'"$out"
	[[ $out != *Usage:* && $out != *Options:* && $out != *"display this help"* ]] ||
		fail "English left in the German help:"$'\n'"$out"
	# the same binary, the same catalogue: English when asked for
	en --help
	[[ $rc -eq 0 && $out == $'\nUsage:\n apctl [options] <command> [<args>]\n'* ]] ||
		fail "LANGUAGE=C: not the English usage:"$'\n'"$out"
}

@test "every command's help is German" {
	local c

	setup_catalogue
	for c in show check reserve release mdev "mdev list" "mdev create" "mdev modify" \
		"mdev remove"; do
		# shellcheck disable=SC2086
		de $c --help
		[[ $rc -eq 0 ]] || fail "apctl $c --help exited $rc: $err" || return 1
		[[ $out == $'\nAufruf:\n'* && $out != *Usage:* && $out != *"Options:"* ]] ||
			fail "apctl $c --help is not German:"$'\n'"$out" || return 1
	done
	de help reserve
	[[ $rc -eq 0 && $out == *"Adapter und/oder Nutzungsdomänen für vfio_ap reservieren"* ]] ||
		fail "apctl help reserve is not German:"$'\n'"$out"
}

@test "German errors go to stderr with the usual exit code" {
	setup_catalogue
	de nosuchcommand
	expect_eq 2 "$rc" "exit code"
	expect_eq "" "$out" "stdout"
	expect_eq $'apctl: unbekannter Befehl „nosuchcommand“\n„apctl --help“ liefert weitere Informationen.\n' \
		"$err" "stderr"
	de shwo
	expect_eq 2 "$rc" "exit code"
	expect_eq $'apctl: unbekannter Befehl „shwo“; meinten Sie „show“?\n„apctl --help“ liefert weitere Informationen.\n' \
		"$err" "stderr"
}

@test "JSON and raw output are the same in German (three-guest host)" {
	setup_catalogue
	sim_start doc-example 7.2
	three_guests
	boot_5_6
	same_in_both show --json
	same_in_both show cards --json
	same_in_both show queues --json
	same_in_both show mdevs --json
	same_in_both show matrix --json
	same_in_both show mdev "$U1" --json
	same_in_both check --json
	same_in_both mdev list --json
	same_in_both show cards --raw
	same_in_both show queues --raw -o CARD.DOM,TYPE,MODE,STATUS,DRIVER,OWNER,MDEV,DEFINED
	same_in_both show mdevs --raw
	same_in_both mdev list --raw
	same_in_both show matrix --raw
	# and the table is translated around the columns, not in them
	de show
	[[ $rc -eq 0 && $out == Hostkonfiguration$'\n'* ]] || fail "show is not German: $out"
	[[ $out == *$'\nINDEX UUID '* ]] || fail "column names were translated:"$'\n'"$out"
}

@test "with problems, JSON differs in the messages only" {
	local j_de j_en

	setup_catalogue
	sim_start doc-example 7.2
	reserve_5_6
	make_mdev "$U1" "5" "4"
	# a definition that claims an APQN of U1 and one the masks give to the host
	define "$U2" auto '{"assign_adapter": "5"}, {"assign_domain": "4"}'
	en show --json
	[[ $rc -eq 0 || $rc -eq 7 ]] || fail "show --json exited $rc: $err"
	j_en=$out
	[[ $(jq '.problems | length' <<<"$j_en") -gt 0 ]] ||
		fail "the scenario has no problems; the test would prove nothing:"$'\n'"$j_en"
	de show --json
	j_de=$out
	expect_eq "$(jq -S 'del(.. | .message?)' <<<"$j_en")" \
		"$(jq -S 'del(.. | .message?)' <<<"$j_de")" "JSON without the messages"
	[[ $(jq -r '[.. | .message? // empty] | join("\n")' <<<"$j_de") != \
		"$(jq -r '[.. | .message? // empty] | join("\n")' <<<"$j_en")" ]] ||
		fail "the messages were not translated"
}

teardown() {
	sim_stop
}
