# SPDX-License-Identifier: MIT
# Helpers of the change-*.bats suites (apctl reserve/release/mdev create/modify/remove).
#
#   load helpers
#   load change-helpers
#
#   snap NAME            save apsim's dump, the files apctl writes below the root
#                        (udev rule, mdevctl definitions) and clear dmesg/uevents
#   expect_snap NAME     the dump and those files equal the snapshot byte for byte
#
# One field of the dump is left out of the comparison: "bindings_complete",
# the kernel's one-shot "bindings complete" flag.  Every queue probe re-arms
# it, and only the next bus scan sets it again (and then counts it in
# bindings_complete_count, kernel-abi.md 1.5/1.8), so a mask edit and its undo
# necessarily leave it cleared until the next scan: no tool can restore it.
# The visible 'bindings' file ("N/M (complete)", computed live) is compared.
#   expect_no_events     nothing reached the simulated kernel log or uevent log
#   nsteps ARGS...       number of steps apctl plans for ARGS (--dry-run --json)
#   sysfs_steps ARGS...  the 1-based numbers of the plan's sysfs writes, one a line
#   ro_dir DIR / rw_dir DIR   make DIR below the root read-only (writes fail with
#                        EROFS) and writable again; ro_teardown undoes them all
#   fault_each ARGS...   fail each sysfs write of the plan of apctl ARGS in turn
#                        (EIO): exit 1, "nothing was changed", state as before;
#                        rows of the fault matrix to fd 3 ($KERNEL names the kernel)

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

_dump() {
	local out

	out=$(ctl dump) || return 1
	# the dump itself, byte for byte, except that one line
	grep -v '^ *"bindings_complete": \(true\|false\),\?$' <<<"$out"
	# and what the kernel shows of it
	cat "$AP/bindings" 2>/dev/null || true
}

snap() {
	local name=$1

	_dump >"$BATS_TEST_TMPDIR/$name.dump" || fail "apsimctl dump failed" || return 1
	_etc_state >"$BATS_TEST_TMPDIR/$name.etc"
	ctl dmesg clear >/dev/null
	ctl uevents clear >/dev/null
}

expect_snap() {
	local name=$1 d=$BATS_TEST_TMPDIR

	_dump >"$d/now.dump" || fail "apsimctl dump failed" || return 1
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

# expect_schema FILE [SCHEMA]: FILE is a valid document of SCHEMA (default: a
# result document, schema/apctl-change.schema.json)
expect_schema() {
	schema_check "$top_srcdir/schema/${2:-apctl-change.schema.json}" "$1"
}

RO_MOUNTS=()

ro_dir() {
	local d=$APSIM_ROOT/$1

	mkdir -p "$d"
	mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" || fail "cannot make $d read-only"
	RO_MOUNTS+=("$d")
}

rw_dir() {
	umount "$APSIM_ROOT/$1"
}

ro_teardown() {
	local m

	for m in "${RO_MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || true
	done
	RO_MOUNTS=()
}

fault_each() {
	local -a idx
	local k

	mapfile -t idx < <(sysfs_steps "$@")
	[ "${#idx[@]}" -gt 0 ] || fail "no sysfs step planned for: $*" || return 1
	snap before
	for ((k = 1; k <= ${#idx[@]}; k++)); do
		ctl fault add '*' --errno EIO --nth "$k" >/dev/null
		run "$APCTL" "$@"
		ctl fault clear >/dev/null
		[ "$status" -eq 1 ] || fail "write $k: exit $status, expected 1: $output" || return 1
		[[ $output == *"Input/output error (EIO)"* && $output == *"nothing was changed"* ]] ||
			fail "write $k: $output" || return 1
		expect_snap before || return 1
		echo "# fault matrix: ${KERNEL} ${*:1:2} | write $k/${#idx[@]} | EIO -> exit 1, undone, state equal" >&3
	done
}
