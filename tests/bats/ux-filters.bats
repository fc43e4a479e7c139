#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The rest of issue 19: views filtered as lszcrypt filters them (6), JSON
# that fits in a log (7), and the smaller things (8): the rule lines of a
# dry run, a rule that says nothing is deleted, one meaning per option
# letter, one mdev listing, each command's own --force rule.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers
load show-lib
load ux-lib

setup() {
	sim_start doc-example 7.2
}

teardown() {
	sim_stop
}

RULE=etc/udev/rules.d/41-ap.rules
COLS=CARD.DOM,DRIVER,OWNER,MDEV

# ------------------------------------------------------- 6: filter like lszcrypt

@test "show queues and cards: adapters, APQNs, ranges and .DOMAIN as lszcrypt reads them (hex)" {
	apctl show queues 05 06.0047 -o "$COLS"
	expect_rc 0
	expect_eq "CARD.DOM DRIVER    OWNER MDEV
05.0004  cex4queue host  -
05.0047  cex4queue host  -
05.00ab  cex4queue host  -
05.00ff  cex4queue host  -
06.0047  cex4queue host  -" "${out%$'\n'}"
	expect_err ""
	# ranges of adapters and of domains, 0x accepted, hex throughout
	apctl show queues 0x05-06.0004-0047 -o CARD.DOM -n
	expect_rc 0
	expect_eq $'05.0004\n05.0047\n06.0004\n06.0047\n' "$out"
	# one domain on every adapter
	apctl show queues .00ab -o CARD.DOM -n
	expect_rc 0
	expect_eq $'05.00ab\n06.00ab\n' "$out"
	# an APQN named twice is shown once, in the view's order
	apctl show queues 06.00ff 05-06.00ff -o CARD.DOM -n
	expect_eq $'05.00ff\n06.00ff\n' "$out"
	apctl show cards 06 -o CARD,TYPE,QUEUES
	expect_rc 0
	expect_eq "CARD TYPE  QUEUES
  06 CEX7C      4
" "$out"
}

@test "show cards|queues: an id that matches nothing is named, exit 12, the rest is shown; JSON says which" {
	apctl show queues 05.0047 07 -o "$COLS"
	expect_rc 12
	expect_eq "CARD.DOM DRIVER    OWNER MDEV
05.0047  cex4queue host  -
" "$out"
	expect_err "apctl: no queue matches '07' on this host"
	apctl show cards 07
	expect_rc 12
	expect_eq "" "$out"
	expect_err "apctl: no adapter matches '07' on this host"
	apctl show queues 05.0047 07 --json
	expect_rc 12
	json_valid
	expect_eq '{"ids":["05.0047","07"],"mdev":null,"unmatched":["07"]}' "$(jqo .filter)"
	expect_eq '["05.0047"]' "$(jqo '[.queues[].apqn]')"
	# no filter: no filter object
	apctl show cards --json
	expect_eq null "$(jqo .filter)"
	expect_eq '["05","06"]' "$(jqo '[.cards[].name]')"
}

@test "show cards|queues: malformed ids and ids beyond the limits are a wrong command line (2)" {
	local bad
	for bad in "zz:'zz' is not an adapter, an APQN or a range of them (such as 05, 06.0047, 05-07, 06.0040-004f or .0047: hex, as lszcrypt prints ids)" \
		"07-05:'07-05': the range 07-05 is reversed; write 05-07" \
		"05.0010-0004:'05.0010-0004': the range 0010-0004 is reversed; write 0004-0010" \
		"100:'100': adapter 100 is above ff, the highest adapter id there is (ids are hex, as lszcrypt prints them)" \
		".0100:'.0100': domain 0100 is above 00ff, the highest domain id there is (ids are hex, as lszcrypt prints them)"; do
		apctl show queues "${bad%%:*}"
		expect_rc 2
		expect_eq "" "$out"
		expect_err "apctl: ${bad#*:}
Try 'apctl show --help' for more information."
	done
	apctl show cards 06.0047
	expect_rc 2
	expect_err "apctl: '06.0047' names domains, but 'show cards' selects adapters; for queues write 'apctl show queues 06.0047'
Try 'apctl show --help' for more information."
	apctl show matrix 05
	expect_rc 2
	expect_err "apctl: too many arguments
Try 'apctl show --help' for more information."
	# the error document of --json
	apctl show queues zz --json
	expect_rc 2
	json_valid
	expect_eq '"usage"' "$(jqo .status)"
}

@test "show queues: an id above this host's highest id (3f / 000f) is 2, not 'no match'" {
	sim_stop
	sim_start t-small 5.10
	apctl show queues 40
	expect_rc 2
	expect_err "apctl: '40': adapter 40 is above 3f, the highest adapter id of this host
Try 'apctl show --help' for more information."
	apctl show queues 01.0010
	expect_rc 2
	expect_err "apctl: '01.0010': domain 0010 is above 000f, the highest domain id of this host
Try 'apctl show --help' for more information."
	apctl show queues 0f
	expect_rc 12
	expect_err "apctl: no queue matches '0f' on this host"
}

@test "show queues --mdev: the APQNs of one mdev, live and defined; unknown 2, none 12" {
	"$APCTL" -q reserve -a 5,6 -d 4,0x47,0xab
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4,0x47 >/dev/null
	# U2 is only defined: its APQNs count too
	"$APCTL" -q mdev create -u "$U2" -a 6 -d 0xab --define >/dev/null
	"$APCTL" -q mdev remove "$U2"
	apctl show queues --mdev "$U1" -o "$COLS" -r
	expect_rc 0
	expect_eq "CARD.DOM DRIVER OWNER MDEV
05.0004 vfio_ap vfio_ap $U1
05.0047 vfio_ap vfio_ap $U1
" "$out"
	apctl show queues --mdev "${U2^^}" -o CARD.DOM -n
	expect_rc 0
	expect_eq $'06.00ab\n' "$out"
	# with ids: both must hold
	apctl show queues --mdev "$U1" 05.0047 06 -o CARD.DOM -n
	expect_rc 12
	expect_eq $'05.0047\n' "$out"
	expect_err "apctl: no queue of mdev $U1 matches '06'"
	apctl show queues --mdev "$U3"
	expect_rc 2
	expect_err "apctl: no mdev $U3: it is neither active nor defined (see 'apctl mdev list')"
	apctl show queues --mdev 1234
	expect_rc 2
	expect_err "apctl: --mdev: '1234' is not a UUID
Try 'apctl show --help' for more information."
	apctl show cards --mdev "$U1"
	expect_rc 2
	expect_err "apctl: --mdev applies to the queues view only (for one mdev's own view: 'apctl show mdev $U1')
Try 'apctl show --help' for more information."
	"$APCTL" -q mdev create -u "$U3" -a 6 -d 0x47 >/dev/null
	"$APCTL" -q mdev modify "$U3" --remove-domains 0x47 -y
	apctl show queues --mdev "$U3"
	expect_rc 12
	expect_err "apctl: mdev $U3 has no APQNs assigned"
	apctl show queues --mdev "$U1" --json
	expect_rc 0
	json_valid
	expect_eq "{\"ids\":[],\"mdev\":\"$U1\",\"unmatched\":[]}" "$(jqo .filter)"
	expect_eq '["05.0004","05.0047"]' "$(jqo '[.queues[].apqn]')"
}

@test "filters read only the selected devices' files, never more than the view without them" {
	local all one
	stat_files() {
		APCTL_DEBUG_STATS=1 "$APCTL" "$@" 2>&1 >/dev/null |
			sed -n 's/.*files_read=\([0-9]*\).*/\1/p'
	}
	all=$(stat_files show cards)
	one=$(stat_files show cards 05)
	[[ -n $all && -n $one ]] || fail "no stats"
	((one < all)) || fail "show cards 05 read $one files, show cards $all"
	all=$(stat_files show queues -o +CONFIG,ONLINE)
	one=$(stat_files show queues 05.0047 -o +CONFIG,ONLINE)
	((one < all)) || fail "show queues 05.0047 read $one files, show queues $all"
	all=$(stat_files show queues)
	one=$(stat_files show queues --mdev "$U1")
	# an unknown mdev (exit 2) still reads no more than the whole view
	((one <= all)) || fail "show queues --mdev read $one files, show queues $all"
}

@test "completion: card ids after show cards|queues, APQNs after 'NN.', UUIDs after --mdev (bash)" {
	"$APCTL" -q reserve -a 5 -d 4
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 >/dev/null
	run --separate-stderr bash_complete "$APCTL" show cards ''
	expect_eq $'05\n06' "$output"
	run --separate-stderr bash_complete "$APCTL" show queues 05 ''
	expect_eq $'05\n06' "$output"
	run --separate-stderr bash_complete "$APCTL" show queues 06.00
	expect_eq $'06.0004\n06.0047\n06.00ab\n06.00ff' "$output"
	run --separate-stderr bash_complete "$APCTL" show queues 0
	expect_eq $'05\n06' "$output"
	run --separate-stderr bash_complete "$APCTL" show queues --mdev ''
	expect_eq "$U1" "$output"
	run --separate-stderr bash_complete "$APCTL" show queues -J --mdev=''
	expect_eq "--mdev=$U1" "$output"
	expect_eq "" "$stderr"
}

@test "completion: card ids, APQNs and UUIDs for the show filters (zsh)" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	"$APCTL" -q reserve -a 5 -d 4
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4 >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -sf "$APCTL" "$BATS_TEST_TMPDIR/bin/apctl"
	export PATH=$BATS_TEST_TMPDIR/bin:$PATH TMPDIR=$BATS_TEST_TMPDIR
	run --separate-stderr zsh_complete "apctl show cards " "apctl show queues 05." \
		"apctl show queues --mdev=" "apctl show queues --json="
	expect_eq $'05\n06\n--\n05.0004\n05.0047\n05.00ab\n05.00ff\n--\n'"$U1"$'\n--\ncompact\npretty\n--' "$output"
}

# ------------------------------------------------------- 7: JSON for a log

@test "JSON: compact in a pipe, pretty with --json=pretty, --json=compact; a wrong style is 2" {
	apctl show cards --json
	expect_rc 0
	expect_eq 1 "$(printf '%s' "$out" | wc -l)"
	[[ $out == '{"api_level":1,"version":"'*'","view":"cards","cards":[{"id":5,"name":"05",'* ]] || fail "$out"
	json_valid
	apctl show cards --json=pretty
	expect_rc 0
	expect_eq '{
  "api_level": 1,' "$(printf '%s' "$out" | head -n 2)"
	json_valid
	# the same document either way
	expect_eq "$(jq -cS . <<<"$out")" "$("$APCTL" show cards --json=compact | jq -cS .)"
	expect_eq "$(jq -cS . <<<"$out")" "$("$APCTL" show cards --format json | jq -cS .)"
	# a change's result document too
	run --separate-stderr "$APCTL" reserve --dry-run -a 5 --json
	[ "$status" -eq 0 ]
	expect_eq 1 "${#lines[@]}"
	run --separate-stderr "$APCTL" reserve --dry-run -a 5 --json=pretty
	[ "$status" -eq 0 ]
	expect_eq "{" "${lines[0]}"
	apctl show --json=yaml
	expect_rc 2
	expect_err "apctl: --json=yaml: the style is pretty or compact
Try 'apctl show --help' for more information."
	json_valid
	expect_eq '"usage"' "$(jqo .status)"
	# a 256-id mask is one line in a log, not 256
	"$APCTL" -q reserve --force -a all
	apctl show --json
	expect_rc 0
	expect_eq 1 "$(printf '%s' "$out" | wc -l)"
}

@test "JSON: every id set also has hex_ranges, as the tables print it" {
	"$APCTL" -q reserve -a 5,6 -d 4,0x47,0xab
	apctl show --json
	expect_rc 0
	json_valid
	expect_eq '{"ranges":"5,6","hex_ranges":"05,06"}' \
		"$(jqo '.host.reserved.adapters | {ranges, hex_ranges}')"
	expect_eq '{"ranges":"4,71,171","hex_ranges":"0004,0047,00ab"}' \
		"$(jqo '.host.reserved.domains | {ranges, hex_ranges}')"
	expect_eq '"0000-0003,0005-0046,0048-00aa,00ac-00ff"' "$(jqo '.host.aqmask.hex_ranges')"
	# the result documents of changes too
	run --separate-stderr "$APCTL" release -a 5,6 -d 0x47,0xab --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r.json"
	expect_schema "$BATS_TEST_TMPDIR/r.json"
	expect_eq '["05,06","0047,00ab"]' \
		"$(jq -c '[.adapters_changed.hex_ranges, .domains_changed.hex_ranges]' "$BATS_TEST_TMPDIR/r.json")"
}

# ------------------------------------------------------- 8: smaller things

@test "reserve --persistent --dry-run: the lines of 41-ap.rules that change, nothing written" {
	snap before
	run "$APCTL" reserve -p --dry-run -a 5 -d 4
	[ "$status" -eq 0 ]
	expect_eq "reserve: 1 step (dry run: nothing is written)
  1. reserve them for vfio_ap at boot (udev rule 41-ap.rules)
     write 673 bytes to $APSIM_ROOT/$RULE (atomic replace)
       + # Persistent AP bus masks, written by apctl (the format of chzdev --type ap).
       + # Applied once the AP bus has bound its devices after boot.
       + ACTION==\"change\", SUBSYSTEM==\"ap\", KERNEL==\"ap\", ENV{BINDINGS}==\"complete\", ENV{COMPLETECOUNT}==\"1\", GOTO=\"ap_masks\"
       + ACTION==\"add\", SUBSYSTEM==\"bus\", KERNEL==\"ap\", ATTR{bindings_complete_count}==\"?*\", ATTR{bindings_complete_count}!=\"0\", GOTO=\"ap_masks\"
       + GOTO=\"ap_masks_end\"
       + LABEL=\"ap_masks\"
       + ATTR{../../bus/ap/apmask}=\"$(mask_all_but 5)\"
       + ATTR{../../bus/ap/aqmask}=\"$(mask_all_but 4)\"
       + RUN{builtin}+=\"kmod load vfio_ap\"
       + LABEL=\"ap_masks_end\"
     undo: delete $APSIM_ROOT/$RULE" "$output"
	expect_snap before
	"$APCTL" -q reserve -p -a 5 -d 4
	snap before
	run "$APCTL" reserve -p --dry-run -a 6
	[ "$status" -eq 0 ]
	expect_eq "reserve: 1 step (dry run: nothing is written)
  1. reserve them for vfio_ap at boot (udev rule 41-ap.rules)
     write 673 bytes to $APSIM_ROOT/$RULE (atomic replace)
       - ATTR{../../bus/ap/apmask}=\"$(mask_all_but 5)\"
       + ATTR{../../bus/ap/apmask}=\"$(mask_all_but 5 6)\"
     undo: write 673 bytes to $APSIM_ROOT/$RULE (atomic replace)" "$output"
	expect_snap before
}

@test "release --persistent of everything deletes the rule that would say nothing, undone by repair" {
	"$APCTL" -q reserve -p -a 5 -d 4
	cp "$APSIM_ROOT/$RULE" "$BATS_TEST_TMPDIR/rule"
	snap before
	run "$APCTL" release -p --dry-run -a 5 -d 4
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "  1. give them back to the host at boot: delete the udev rule 41-ap.rules, which would set only the kernel's default masks" ]] ||
		fail "${lines[1]}"
	expect_eq "     delete $APSIM_ROOT/$RULE" "${lines[2]}"
	expect_eq "       - ATTR{../../bus/ap/apmask}=\"$(mask_all_but 5)\"" "${lines[9]}"
	expect_eq "     undo: write 673 bytes to $APSIM_ROOT/$RULE (atomic replace)" "${lines[-1]}"
	expect_snap before
	# killed after the deletion: repair puts the file back as it was
	run env APCTL_DEBUG_CRASH=step:0:written "$APCTL" release -p -a 5 -d 4
	[ "$status" -eq 137 ]
	[[ ! -e $APSIM_ROOT/$RULE ]] || fail "the rule was not deleted"
	run "$APCTL" repair -y
	[ "$status" -eq 0 ]
	expect_snap before
	cmp "$BATS_TEST_TMPDIR/rule" "$APSIM_ROOT/$RULE"
	run "$APCTL" release -p -a 5 -d 4
	[ "$status" -eq 0 ]
	expect_eq "apctl: nothing is reserved for vfio_ap at boot any more: 41-ap.rules was deleted" "$output"
	[[ ! -e $APSIM_ROOT/$RULE ]] || fail "the rule is left: $(cat "$APSIM_ROOT/$RULE")"
	run "$APCTL" check
	[ "$status" -eq 0 ]
}

@test "release --persistent of everything: a rule with more than apctl's lines stays, and says why" {
	"$APCTL" -q reserve -p -a 5
	printf '# kept by the administrator\n' >>"$APSIM_ROOT/$RULE"
	run "$APCTL" release -p --dry-run -a 5
	[ "$status" -eq 0 ]
	expect_eq "  1. give them back to the host at boot (udev rule 41-ap.rules; it stays with the default masks: it holds more than apctl's rule)" "${lines[1]}"
	run "$APCTL" release -p -a 5
	[ "$status" -eq 0 ]
	grep -qF "ATTR{../../bus/ap/apmask}=\"$(mask_all)\"" "$APSIM_ROOT/$RULE"
	grep -qxF '# kept by the administrator' "$APSIM_ROOT/$RULE"
}

@test "option letters: -n and -r mean --noheadings and --raw; a change given them points to the long option" {
	snap before
	run "$APCTL" reserve -n -a 5
	[ "$status" -eq 2 ]
	expect_eq "apctl: -n is --noheadings of the views; for a dry run write --dry-run
Try 'apctl reserve --help' for more information." "$output"
	run "$APCTL" mdev create -r -a 5 -d 4
	[ "$status" -eq 2 ]
	expect_eq "apctl: -r is --raw of the views; to reserve the adapters first write --reserve
Try 'apctl mdev create --help' for more information." "$output"
	run "$APCTL" mdev remove -ny "$U1"
	[ "$status" -eq 2 ]
	expect_eq "apctl: -n is --noheadings of the views; for a dry run write --dry-run
Try 'apctl mdev remove --help' for more information." "$output"
	run --separate-stderr "$APCTL" release -n -a 5 --json
	[ "$status" -eq 2 ]
	expect_eq '"-n is --noheadings of the views; for a dry run write --dry-run"' "$(jq -c .error <<<"$output")"
	expect_snap before
	# the long options do what -n and -r did
	run "$APCTL" reserve --dry-run -a 5
	[ "$status" -eq 0 ]
	run "$APCTL" mdev create --reserve -u "$U1" -a 5 -d 4
	[ "$status" -eq 0 ]
	# the views keep them
	apctl show cards -n -r -o CARD,RESERVED
	expect_eq $'05 yes\n06 no\n' "$out"
	# no help, man page or completion offers the old letters
	! "$APCTL" reserve --help | grep -qE -- '-n, --dry-run'
	! "$APCTL" mdev create --help | grep -qE -- '-r, --reserve'
	! grep -qE -- "-n --dry-run|-r --reserve" "$top_srcdir/completion/apctl.bash"
	! grep -qE -- '\\-n ", " \\-\\-dry|\\-r ", " \\-\\-reserve' "$top_srcdir/man/apctl.8"
}

@test "show mdevs and mdev list: one listing, same columns, same rows, same JSON" {
	three_guests
	apctl show mdevs
	expect_rc 0
	local shown=$out
	apctl mdev list
	expect_rc 0
	expect_eq "$shown" "$out"
	expect_eq "INDEX UUID                                 STATE  START GUEST ADAPTERS DOMAINS   CONTROL APQNS NOTE" \
		"$(printf '%s' "$out" | head -n 1 | sed 's/ *$//')"
	apctl show mdevs --json
	local a b
	a=$(jqo '.mdevs')
	apctl mdev list --json
	b=$(jqo '.mdevs')
	expect_eq "$a" "$b"
	expect_eq '"mdev-list"' "$(jqo .view)"
	json_valid
}

@test "each change's --help states its own --force rule" {
	run "$APCTL" mdev create --help
	[[ $output == *"With --reserve and --force, a reservation that would clear apmask to
all zero (every adapter of the machine to vfio_ap) is made; without
--force, it is refused.  Nothing else in mdev create depends on it."* ]] || fail "$output"
	[[ $output != *"A change that would write an all-zero mask"* ]] || fail "$output"
	run "$APCTL" mdev remove --help
	[[ $output == *"With --force, an mdev a guest uses is removed (see above); without it,
the removal is refused."* ]] || fail "$output"
	run "$APCTL" reserve --help
	[[ $output == *"With --force, a change that would write an all-zero mask (every queue
of the machine to vfio_ap) is made; without it, it is refused."* ]] || fail "$output"
}
