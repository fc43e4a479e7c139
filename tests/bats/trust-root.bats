#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every path apctl creates or writes lies below its root (issue 18, item 7).
# Each changing command runs under strace; every file system call that
# creates, writes, renames, links or removes something must name a path
# below $APCTL_ROOT, whether it succeeded or not.

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

setup() {
	command -v strace >/dev/null || fail "strace is needed (scripts/run installs it)"
	sim_start doc-example 7.2
	# parents apctl has to create
	rmdir "$APSIM_ROOT/etc/udev/rules.d" "$APSIM_ROOT/etc/mdevctl.d/matrix"
}

teardown() {
	sim_stop
}

# traced CMD...: run apctl under strace, fail unless it exits 0 and every
# writing file system call names a path below the root
traced() {
	local log=$BATS_TEST_TMPDIR/strace rc=0

	rm -f "$log".*
	# LeakSanitizer cannot run under ptrace (the ASan build would abort);
	# the same commands are leak-checked untraced by the other suites
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -ff -qq -s 4096 -e trace=%file -e signal=none -o "$log" "$APCTL" "$@" \
		>"$BATS_TEST_TMPDIR/out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail "apctl $* exited with $rc: $(cat "$BATS_TEST_TMPDIR/out")" ||
		return 1
	python3 - "$APSIM_ROOT" "$log".* <<'PY'
import re, sys
root = sys.argv[1].rstrip('/') + '/'
# calls that change the file system, and the argument positions of their paths
calls = {
	'mkdir': [0], 'mkdirat': [1], 'rmdir': [0], 'unlink': [0], 'unlinkat': [1],
	'rename': [0, 1], 'renameat': [1, 3], 'renameat2': [1, 3],
	'link': [0, 1], 'linkat': [1, 3], 'symlink': [1], 'symlinkat': [2],
	'creat': [0], 'truncate': [0], 'chmod': [0], 'fchmodat': [1],
	'chown': [0], 'lchown': [0], 'fchownat': [1], 'mknod': [0], 'mknodat': [1],
	'utimensat': [1], 'setxattr': [0], 'lsetxattr': [0], 'removexattr': [0],
}
writes = re.compile(r'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_TMPFILE')
bad = []
seen = 0
for f in sys.argv[2:]:
	for line in open(f, errors='replace'):
		m = re.match(r'(\w+)\((.*)\)\s+= ', line)
		if not m:
			continue
		name, args = m.group(1), m.group(2)
		paths = re.findall(r'"((?:[^"\\]|\\.)*)"', args)
		if name in ('open', 'openat', 'openat2'):
			if not writes.search(args):
				continue
			idx = [0]
		elif name in calls:
			idx = list(range(len(paths)))
		else:
			continue
		for p in paths[:max(idx) + 1] if paths else []:
			seen += 1
			if not p.startswith(root):
				bad.append(line.strip())
if bad:
	print('writes outside the root %s:' % root, *bad, sep='\n  ', file=sys.stderr)
	sys.exit(1)
if not seen:
	print('no writing call was traced at all', file=sys.stderr)
	sys.exit(1)
PY
}

@test "below the root: reserve and release, live and persistent" {
	traced reserve 5 -y
	traced reserve -p --active 6 -y
	expect_exists "$APSIM_ROOT/etc/udev/rules.d/41-ap.rules"
	traced release -p --active 6 -y
	traced release 5 -y
}

@test "below the root: mdev create, modify and remove, with definitions" {
	traced mdev create -u "$U1" -a 5 -d 4 --reserve --autostart -y
	expect_exists "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
	traced mdev modify "$U1" --add-domains 0x47 -y
	traced mdev modify "$U1" -p --remove-domains 0x47 -y
	traced mdev remove "$U1" --undefine -y
	expect_missing "$APSIM_ROOT/etc/mdevctl.d/matrix/$U1"
}

# a directory below the root replaced by a link to one outside it
link_out() {
	local dir=$APSIM_ROOT/$1

	OUT=$BATS_TEST_TMPDIR/outside
	mkdir -p "$OUT"
	rm -rf "$dir"
	ln -s "$OUT" "$dir"
}

@test "below the root: a symbolic link out of the root is not followed for a definition" {
	link_out etc/mdevctl.d/matrix
	snap before
	run "$APCTL" mdev create -u "$U1" -a 5 -d 4 --reserve --define -y
	# refused before the first write (issue 14: no definition is written
	# through a symbolic link, whether it leads out of the root or not)
	[ "$status" -eq 10 ]
	expect_eq "apctl: $APSIM_ROOT/etc/mdevctl.d/matrix is a symbolic link: apctl writes no mdevctl definition through a link (a link can lead anywhere, also where the lock does not protect); replace it by a directory; nothing was written" "$output"
	expect_eq "" "$(ls -A "$OUT")" "files written outside the root"
	expect_snap before
}

@test "below the root: a symbolic link out of the root is not followed for the udev rule or the lock" {
	link_out etc/udev
	snap before
	run "$APCTL" reserve -p 5 -y
	[ "$status" -eq 1 ]
	[[ $output == *"its directory lies outside apctl's root (a symbolic link leads out of it); nothing is written there (EXDEV)"* ]] ||
		fail "no reason given: $output"
	expect_eq "" "$(ls -A "$OUT")" "files written outside the root"
	rm "$APSIM_ROOT/etc/udev"
	mkdir -p "$APSIM_ROOT/etc/udev/rules.d"
	link_out run/lock
	run "$APCTL" reserve 5 -y
	[ "$status" -eq 5 ]
	expect_eq "apctl: the AP configuration lock $APSIM_ROOT/run/lock/s390apconfig.lock would lie outside the root $APSIM_ROOT (a symbolic link leads out of it); nothing was written" "$output"
	expect_eq "" "$(ls -A "$OUT")" "files written outside the root"
	expect_snap before
}
