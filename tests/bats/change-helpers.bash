# SPDX-License-Identifier: MIT
# Helpers of the change-*.bats suites (apctl reserve/release/mdev create/modify/remove).
#
#   load helpers
#   load change-helpers
#
#   snap NAME            save apsim's dump, the files apctl writes below the root
#                        (udev rule, mdevctl definitions) and clear dmesg/uevents
#   expect_snap NAME     the dump and those files equal the snapshot byte for byte
#   expect_no_events     nothing reached the simulated kernel log or uevent log
#   nsteps ARGS...       number of steps apctl plans for ARGS (--dry-run --json)
#   sysfs_steps ARGS...  the 1-based numbers of the plan's sysfs writes, one a line

# the files below the root that apctl may change
_etc_state() {
	local f

	(
		cd "$APSIM_ROOT" || exit 1
		find etc run/udev -type f 2>/dev/null | LC_ALL=C sort | while read -r f; do
			printf '== %s\n' "$f"
			cat "$f"
			printf '\n'
		done
	)
}

snap() {
	local name=$1

	ctl dump >"$BATS_TEST_TMPDIR/$name.dump" || fail "apsimctl dump failed" || return 1
	_etc_state >"$BATS_TEST_TMPDIR/$name.etc"
	ctl dmesg clear >/dev/null
	ctl uevents clear >/dev/null
}

expect_snap() {
	local name=$1 d=$BATS_TEST_TMPDIR

	ctl dump >"$d/now.dump" || fail "apsimctl dump failed" || return 1
	if ! cmp -s "$d/$name.dump" "$d/now.dump"; then
		{
			echo "apsim state differs from snapshot '$name'"
			diff -u "$d/$name.dump" "$d/now.dump" | head -60
		} >&2
		return 1
	fi
	_etc_state >"$d/now.etc"
	if ! cmp -s "$d/$name.etc" "$d/now.etc"; then
		{
			echo "files below the root differ from snapshot '$name'"
			diff -u "$d/$name.etc" "$d/now.etc" | head -60
		} >&2
		return 1
	fi
}

expect_no_events() {
	local m u

	m=$(ctl dmesg)
	u=$(ctl uevents)
	[[ -z $m && -z $u ]] || fail "expected no kernel activity; dmesg: '$m' uevents: '$u'"
}

nsteps() {
	"$APCTL" "$@" --dry-run --json | jq '.steps | length'
}

sysfs_steps() {
	"$APCTL" "$@" --dry-run --json |
		jq -r '.steps | to_entries[] | select(.value.do.op == "write") | .key + 1'
}

# the queues of one mdev as the kernel shows them
matrix_of() {
	cat "$MATRIX/$1/matrix"
}
