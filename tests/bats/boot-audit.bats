#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The next boot (issue 17, issue 14 item 1): the boot-time model (udev rules
# in udev's order, the kernel command line, the kernel defaults), check's
# audit of it, --persistent starting from it, and the 41-ap.rules rewrite
# that never loses what the file says.  On kernels 7.2, 6.1 and 5.10.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222

setup() {
	sim_start doc-example "${BOOT_KERNEL:-7.2}"
	RULES=$APSIM_ROOT/etc/udev/rules.d
	RUNRULES=$APSIM_ROOT/run/udev/rules.d
}

teardown() {
	sim_stop
}

# on_kernel VER: restart apsim with that kernel generation
on_kernel() {
	sim_stop
	sim_start doc-example "$1"
	RULES=$APSIM_ROOT/etc/udev/rules.d
	RUNRULES=$APSIM_ROOT/run/udev/rules.d
}

# a rule file as chzdev --type ap --persistent writes it (interop.md 2)
chzdev_rule() {
	printf '%s\n' \
		'ACTION=="change", SUBSYSTEM=="ap", KERNEL=="ap", ENV{BINDINGS}=="complete", ENV{COMPLETECOUNT}=="1", GOTO="ap_masks"' \
		'GOTO="ap_masks_end"' \
		'LABEL="ap_masks"' \
		"ATTR{../../bus/ap/apmask}=\"$1\"" \
		"ATTR{../../bus/ap/aqmask}=\"$2\"" \
		'RUN{builtin}+="kmod load vfio_ap"' \
		'LABEL="ap_masks_end"'
}

# the problems of check --json as "kind/severity" words
check_kinds() {
	run --separate-stderr "$APCTL" check --json
	jq -r '[.problems[] | .kind + "/" + .severity] | join(" ")' <<<"$output"
}

@test "finding 1: a live-only reservation with an autostart definition, on 7.2, 6.1 and 5.10" {
	local k
	for k in 7.2 6.1 5.10; do
		on_kernel "$k"
		run "$APCTL" reserve -y 5,6
		[ "$status" -eq 0 ]
		# the moment of the mistake: a warning with the way out, exit 0
		run "$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --autostart
		[ "$status" -eq 0 ]
		expect_eq "apctl: warning: mdev $U1 (defined, autostart): the masks of the next boot give APQNs 05.0004 to the host, so mdevctl will not start it at boot; make the reservation persistent: apctl reserve --persistent 5
$U1" "$output"
		run "$APCTL" show
		[[ $output == *"  at boot            none: every adapter and domain belongs to the host at boot"* ]] ||
			fail "$k: show: $output"
		snap before
		run "$APCTL" check
		[ "$status" -eq 7 ]
		expect_eq "  error: mdev $U1 (defined, autostart) holds APQNs 05.0004 that the persistent masks give to the host at boot, so it will not start; reserve them persistently (apctl reserve --persistent 5) or remove them from the definition
  warning: adapters 05,06 are reserved for vfio_ap now, but the next boot gives them to the host: to keep them reserved, apctl reserve --persistent --adapters 5,6
1 error, 1 warning" "$output"
		expect_eq "host-owned/error boot-masks-differ/warning" "$(check_kinds)"
		[ "$status" -eq 7 ]
		expect_snap before
		# the way out: check is clean afterwards
		run "$APCTL" reserve -y --persistent --adapters 5,6
		[ "$status" -eq 0 ]
		run "$APCTL" check
		[ "$status" -eq 0 ] || fail "$k: $output"
	done
}

@test "--persistent starts from the next boot: reserve 5 then reserve -p 5 writes the rule" {
	"$APCTL" reserve -y 5
	run "$APCTL" reserve -y -p 5
	[ "$status" -eq 0 ]
	expect_eq "apctl: the boot-time masks in 41-ap.rules were updated; reserved for vfio_ap at boot: adapters 05, domains none" "$output"
	grep -qxF "ATTR{../../bus/ap/apmask}=\"$(mask_all_but 5)\"" "$RULES/41-ap.rules"
	! grep -q aqmask "$RULES/41-ap.rules"
	run --separate-stderr "$APCTL" reserve -y -p 6 --json
	[ "$status" -eq 0 ]
	expect_eq '"5,6" "" []' "$(jq -c '.reserved_at_boot | .adapters.ranges, .domains.ranges, .domains.ids' <<<"$output" | tr '\n' ' ' | sed 's/ $//')"
}

@test "--persistent changes only the ids named: reserve 6 then release -p 6 writes nothing" {
	"$APCTL" reserve -y 5,6
	snap before
	run "$APCTL" release -y -p 6
	[ "$status" -eq 0 ]
	expect_eq "apctl: nothing to change" "$output"
	[ ! -e "$RULES/41-ap.rules" ]
	expect_snap before
}

@test "a chzdev-written rule: read as the boot masks; reserve -p edits it in place" {
	chzdev_rule "$(mask_all_but 5)" "$(mask_all)" >"$RULES/41-ap.rules"
	run --separate-stderr "$APCTL" show --json
	expect_eq '"udev-etc" ["/etc/udev/rules.d/41-ap.rules"]' \
		"$(jq -c '.host.persistent.source' <<<"$output") $(jq -c '.host.persistent.files' <<<"$output")"
	"$APCTL" reserve -y 5
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --autostart
	run "$APCTL" check
	[ "$status" -eq 0 ]
	run "$APCTL" reserve -y -p 6
	[ "$status" -eq 0 ]
	expect_eq "$(chzdev_rule "$(mask_all_but 5 6)" "$(mask_all)")" "$(cat "$RULES/41-ap.rules")"
}

@test "a rule in /run shadowed by one in /etc: the /etc one is what the next boot does" {
	chzdev_rule "$(mask_all_but 5 6)" "$(mask_all)" >"$RUNRULES/41-ap.rules"
	chzdev_rule "$(mask_all)" "$(mask_all)" >"$RULES/41-ap.rules"
	"$APCTL" reserve -y 5,6
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --autostart 2>/dev/null
	run "$APCTL" check
	[ "$status" -eq 7 ]
	expect_eq "host-owned/error boot-masks-differ/warning" "$(check_kinds)"
	# without the /etc copy, the /run rule counts
	rm "$RULES/41-ap.rules"
	run "$APCTL" check
	[ "$status" -eq 0 ]
	run "$APCTL" show
	[[ $output == *"  at boot            /run/udev/rules.d/41-ap.rules"* ]] || fail "$output"
}

@test "finding 3: with only a /run rule, reserve -p writes the /etc copy, which takes precedence" {
	chzdev_rule "$(mask_all_but 5)" "$(mask_all)" >"$RUNRULES/41-ap.rules"
	cp "$RUNRULES/41-ap.rules" "$BATS_TEST_TMPDIR/run.rules"
	run "$APCTL" reserve -y -p 6
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: 41-ap.rules is in /run/udev/rules.d: apctl writes the changed copy to /etc/udev/rules.d/41-ap.rules, which udev uses instead
apctl: the boot-time masks in 41-ap.rules were updated; reserved for vfio_ap at boot: adapters 05,06, domains none" "$output"
	cmp "$RUNRULES/41-ap.rules" "$BATS_TEST_TMPDIR/run.rules"
	expect_eq "$(chzdev_rule "$(mask_all_but 5 6)" "$(mask_all)")" "$(cat "$RULES/41-ap.rules")"
}

@test "rule files of other names: lexical order, the last write wins; a later writer refuses -p" {
	chzdev_rule "$(mask_all_but 5)" "$(mask_all)" >"$RULES/41-ap.rules"
	printf 'ATTR{../../bus/ap/apmask}="+5"\n' >"$RUNRULES/99-local.rules"
	run --separate-stderr "$APCTL" show --json
	# the relative write of the later file gives adapter 5 back to the host
	expect_eq '"udev-run" ["/etc/udev/rules.d/41-ap.rules","/run/udev/rules.d/99-local.rules"] "0-255"' \
		"$(jq -c '.host.persistent | .source, .files, .apmask.ranges' <<<"$output" | tr '\n' ' ' | sed 's/ $//')"
	snap before
	run "$APCTL" reserve -y -p 6
	[ "$status" -eq 4 ]
	expect_eq "apctl: /run/udev/rules.d/99-local.rules, which udev runs after 41-ap.rules, writes apmask too and would undo this change at boot: change or remove that file
apctl: refused (1 problem); nothing was written" "$output"
	expect_snap before
}

@test "ap.apmask= on the kernel command line: parsed from zero; malformed means all zero" {
	mkdir -p "$APSIM_ROOT/proc"
	printf 'root=/dev/dasda1 ap.apmask=0xf9ff\n' >"$APSIM_ROOT/proc/cmdline"
	"$APCTL" reserve -y 5,6,16-255
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --autostart
	run "$APCTL" check
	[ "$status" -eq 0 ] || fail "$output"
	run "$APCTL" show
	[[ $output == *"  at boot            kernel command line (of the running kernel; the next boot's may differ)"* ]] ||
		fail "$output"
	printf 'ap.apmask=0xq5\n' >"$APSIM_ROOT/proc/cmdline"
	run --separate-stderr "$APCTL" check
	[ "$status" -eq 8 ]
	expect_eq "apctl: warning: $APSIM_ROOT/proc/cmdline: an ap.apmask= or ap.aqmask= value is invalid: the kernel ignores it and starts with an all-zero mask" "$stderr"
	[[ $output == *"adapters 00-04,07-0f belong to the host now, but the next boot reserves them for vfio_ap"* ]] ||
		fail "$output"
}

@test "issue 14.1: a rule apctl cannot fully understand is never rewritten (exit 10, nothing written)" {
	local f=$RULES/41-ap.rules
	chzdev_rule "$(mask_all_but 5)" "$(mask_all)" | sed 's/^ATTR{..\/..\/bus\/ap\/apmask}=.*/ATTR{..\/..\/bus\/ap\/apmask}="0xZZ"/' >"$f"
	snap before
	run "$APCTL" reserve -y -p 6
	[ "$status" -eq 10 ]
	# the reader's error names the line and what is wrong; the change refuses
	# on it before planning (issue 14.2: no change on input it cannot read)
	expect_eq "apctl: $f: line 4: apmask value \"0xZZ\" is not a valid mask
apctl: refused: a change is checked against $f, which cannot be read or understood; nothing was written. Repair the file, or move it away" "$output"
	expect_snap before

	# two apmask writes in one file: udev applies the last, ap-check reads the first
	chzdev_rule "$(mask_all_but 5)" "$(mask_all)" >"$f"
	printf 'ATTR{../../bus/ap/apmask}="%s"\n' "$(mask_all)" >>"$f"
	snap before
	run "$APCTL" reserve -y -p 6
	[ "$status" -eq 10 ]
	expect_eq "apctl: /etc/udev/rules.d/41-ap.rules: lines 4 and 8 both write apmask; apctl rewrites only a rule file it fully understands: fix the file, or move it away (apctl then writes a new one)" "$output"
	expect_snap before
	run --separate-stderr "$APCTL" show
	expect_eq "apctl: warning: $f: lines 4 and 8 both write apmask: udev applies the last, s390-tools' ap-check reads the first" "$stderr"

	# a line that is not a rule
	chzdev_rule "$(mask_all_but 5)" "$(mask_all)" >"$f"
	printf 'KERNEL==ap\n' >>"$f"
	snap before
	run "$APCTL" reserve -y -p 6
	[ "$status" -eq 10 ]
	expect_eq "apctl: $f: line 8 is not a valid udev rule
apctl: refused: a change is checked against $f, which cannot be read or understood; nothing was written. Repair the file, or move it away" "$output"
	expect_snap before
}

@test "issue 14.1: unknown lines are kept byte for byte; a short mask is warned and rewritten in full" {
	local f=$RULES/41-ap.rules
	printf '%s\n' '# local notes, kept' \
		'ACTION=="change", SUBSYSTEM=="ap", KERNEL=="ap", ENV{BINDINGS}=="complete", GOTO="m"' \
		'GOTO="e"' 'LABEL="m"' \
		'  ATTR{../../bus/ap/apmask}="0xfb"   ' \
		'RUN+="/usr/local/bin/notify-ap"' 'LABEL="e"' >"$f"
	run --separate-stderr "$APCTL" check
	expect_eq "apctl: warning: $f: line 5: the apmask value \"0xfb\" has fewer than 64 hex digits; the kernel pads it with zero bits (ids 8-255 go to vfio_ap), but s390-tools' ap-check (mdevctl's callout) cannot read it: write all 64 digits (apctl reserve --persistent rewrites the value)" "$stderr"
	run "$APCTL" reserve -y -p 6
	[ "$status" -eq 0 ]
	expect_eq "$(printf '%s\n' '# local notes, kept' \
		'ACTION=="change", SUBSYSTEM=="ap", KERNEL=="ap", ENV{BINDINGS}=="complete", GOTO="m"' \
		'GOTO="e"' 'LABEL="m"' \
		"  ATTR{../../bus/ap/apmask}=\"0xf9$(printf '0%.0s' {1..62})\"   " \
		'RUN+="/usr/local/bin/notify-ap"' 'LABEL="e"')" "$(cat "$f")"
}

@test "an active mdev differing from its autostart definition: check warns (exit 8) with the command" {
	"$APCTL" reserve -y --active -p 5,6
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --autostart
	"$APCTL" mdev modify -y "$U1" --active --add-domains 0x47
	run "$APCTL" check
	[ "$status" -eq 8 ]
	expect_eq "  warning: mdev $U1 runs with another matrix than its autostart definition; after a reboot it comes back with the definition's: to keep the running one, apctl mdev modify $U1 --persistent --add-domains 71
0 errors, 1 warning" "$output"
	"$APCTL" mdev modify -y "$U1" --persistent --add-domains 71
	run "$APCTL" check
	[ "$status" -eq 0 ]
	# a manual definition is never a boot problem
	"$APCTL" mdev create -y -u "$U2" -a 6 -d 4 --define
	"$APCTL" mdev modify -y "$U2" --active --add-domains 0x47
	run "$APCTL" check
	[ "$status" -eq 0 ]
}

@test "finding 2: an adapter the LPAR lacks, per kernel generation (5.10: cannot start; 6.1/7.2: later)" {
	on_kernel 5.10
	"$APCTL" reserve -y --active -p 5,6,0x30
	"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --autostart
	run "$APCTL" mdev modify -y "$U1" --persistent --add-adapters 0x30
	[ "$status" -eq 0 ]
	expect_eq "apctl: warning: mdev $U1 (defined, autostart): adapters 30 not in the host's AP configuration; this kernel (before 6.0) refuses to assign them (EADDRNOTAVAIL), so mdevctl cannot start the definition and it will not start at boot: remove them from the definition (apctl mdev modify --persistent) or configure them to this LPAR
apctl: mdev $U1: adapters 05,30, domains 0004, control domains none" "$output"
	run "$APCTL" check
	[ "$status" -eq 7 ]
	expect_eq "not-in-config/error definition-differs/warning" "$(check_kinds)"
	for k in 6.1 7.2; do
		on_kernel "$k"
		"$APCTL" reserve -y --active -p 5,6,0x30
		"$APCTL" mdev create -y -u "$U1" -a 5 -d 4 --autostart
		run "$APCTL" mdev modify -y "$U1" --persistent --add-adapters 0x30
		[ "$status" -eq 0 ]
		expect_eq "apctl: warning: mdev $U1 (defined, autostart): adapters 30 not in the host's AP configuration; the guest gets them only once they are configured to this LPAR
apctl: mdev $U1: adapters 05,30, domains 0004, control domains none" "$output"
	done
}

@test "two autostart definitions sharing an APQN: only one starts at boot, and which is not predictable" {
	local d=$APSIM_ROOT/etc/mdevctl.d/matrix u
	"$APCTL" reserve -y --active -p 5,6
	for u in "$U1" "$U2"; do
		printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": [{"assign_adapter": "5"}, {"assign_domain": "4"}]\n}' >"$d/$u"
	done
	run "$APCTL" check
	[ "$status" -eq 7 ]
	expect_eq "  error: APQNs 05.0004 are assigned to both mdev $U1 (defined, autostart) and mdev $U2 (defined, autostart); only one of them can start at boot, and mdevctl starts autostart definitions in the order it finds them in /etc/mdevctl.d/matrix (unsorted), so which one is not predictable: remove them from one of the two (apctl mdev modify --persistent)
1 error, 0 warnings" "$output"
	expect_eq "apqn-shared/error" "$(check_kinds)"
}
