#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apply as one transaction under faults, kernels 7.2 (an ap_config write per
# mdev) and 6.1 (assign writes).  The host has three mdevs; one document
# reserves adapter 7 (live and at boot), gives adapter 8 back, prunes an
# mdev, moves domain 0xab from one mdev to a new one, and writes, updates
# and deletes definitions.  Each sysfs write of its plan fails in turn (EIO
# from apsim), then the definition directory and the udev rule directory
# are made read-only (EROFS): every failure leaves apsim's dump and the
# files below the root as they were, byte for byte (fault_each, see
# change-helpers.bash, reports each row on fd 3).

bats_require_minimum_version 1.5.0

load helpers
load change-helpers

teardown() {
	ro_teardown
	sim_stop
}

# U1: 5 x 4,0xab (defined, auto); U2: 5 x 0x47 (live only); U3: 6 x 0x47 (defined, manual)
setup_host() {
	"$APCTL" -q reserve --active --persistent 5,6,8
	"$APCTL" -q mdev create -u "$U1" -a 5 -d 4,0xab --autostart >/dev/null
	"$APCTL" -q mdev create -u "$U2" -a 5 -d 0x47 >/dev/null
	"$APCTL" -q mdev create -u "$U3" -a 6 -d 0x47 --define >/dev/null
}

# the document: 7 reserved, 8 released; U2 gone; 0xab from U1 to the new U4 (with a
# definition); U3 gets control domain 0xab and its definition is deleted
document() {
	jq -n --arg u1 "$U1" --arg u3 "$U3" --arg u4 "$U4" '{
		apctl_config: 1,
		reserved: { adapters: "0x5-0x7", domains: "" },
		reserved_at_boot: { adapters: "0x5-0x7", domains: "" },
		mdevs: [
			{ uuid: $u1, adapters: "0x5", domains: "0x4", active: true,
			  defined: true, start: "auto" },
			{ uuid: $u3, adapters: "0x6", domains: "0x47", control_domains: "0xab",
			  active: true, defined: false },
			{ uuid: $u4, adapters: "0x5,0x7", domains: "0xab", active: true,
			  defined: true, start: "manual" }
		] }'
}

run_matrix() {
	local doc n

	KERNEL=$1
	sim_start doc-example "$KERNEL"
	setup_host
	doc=$BATS_TEST_TMPDIR/doc.json
	document >"$doc"
	n=$("$APCTL" apply --prune --dry-run --json "$doc" | jq '.steps | length')
	[ "$n" -ge 8 ] || fail "expected a long plan, got $n steps" || return 1
	echo "# fault matrix: $KERNEL apply: $n steps" >&3
	fault_each apply --prune "$doc" || return 1
	# the file steps: definitions, then the udev rule
	snap before
	ro_dir etc/mdevctl.d/matrix
	run "$APCTL" apply --prune "$doc"
	[ "$status" -eq 1 ] || fail "definitions read-only: $status $output" || return 1
	[[ $output == *"Read-only file system (EROFS)"* ]] || fail "$output" || return 1
	expect_snap before || return 1
	echo "# fault matrix: $KERNEL apply | definition files | EROFS -> exit 1, state equal" >&3
	rw_dir etc/mdevctl.d/matrix
	ro_dir etc/udev/rules.d
	run "$APCTL" apply --prune "$doc"
	[ "$status" -eq 1 ] || fail "rules read-only: $status $output" || return 1
	expect_snap before || return 1
	echo "# fault matrix: $KERNEL apply | udev rule | EROFS -> exit 1, state equal" >&3
	rw_dir etc/udev/rules.d
	RO_MOUNTS=()
	# and without a fault, the document is the state
	run "$APCTL" apply --prune "$doc"
	[ "$status" -eq 0 ] || fail "apply: $status $output" || return 1
	run "$APCTL" apply --prune "$doc"
	[ "$status" -eq 0 ] && [[ $output == *"nothing to change"* ]] || fail "$output" || return 1
	expect_missing "$MATRIX/$U2" "$APSIM_ROOT/etc/mdevctl.d/matrix/$U3"
	expect_eq "05.00ab
07.00ab" "$(matrix_of "$U4")"
}

@test "faults at every write of a multi-step apply (7.2)" {
	run_matrix 7.2
}

@test "faults at every write of a multi-step apply (6.1)" {
	run_matrix 6.1
}

# An mdev whose APQN the document gives to another is removed before that,
# with an undo that creates it again: after a later failure it is back with
# its matrix, and only its creation order (newer to the kernel than before,
# which no tool can restore) differs from the snapshot.
@test "faults after an early removal: the undo creates the mdev again with its matrix (7.2)" {
	local doc k n

	KERNEL=7.2
	sim_start doc-example 7.2
	setup_host
	doc=$BATS_TEST_TMPDIR/doc.json
	document | jq '.mdevs[2].domains = "0x47,0xab" | .mdevs[1].domains = "0xab"' >"$doc"
	run --separate-stderr "$APCTL" apply --prune --dry-run --json "$doc"
	# removed early (third step, after the masks), undone by a create
	[ "$(jq -r '.steps[2] | [.description, (.undo.path | split("/") | last)] | join(" / ")' \
		<<<"$output")" = "remove mdev $U2 / create" ] || fail "$output"
	n=$(sysfs_steps apply --prune "$doc" | wc -l)
	snap before
	grep -v '"creation_order"' "$BATS_TEST_TMPDIR/before.dump" >"$BATS_TEST_TMPDIR/b.dump"
	for ((k = 2; k <= n; k++)); do
		ctl fault add '*' --errno EIO --nth "$k" >/dev/null
		run "$APCTL" apply --prune "$doc"
		ctl fault clear >/dev/null
		[ "$status" -eq 1 ] || fail "write $k: exit $status: $output" || return 1
		_dump | grep -v '"creation_order"' >"$BATS_TEST_TMPDIR/n.dump"
		cmp -s "$BATS_TEST_TMPDIR/b.dump" "$BATS_TEST_TMPDIR/n.dump" ||
			fail "write $k: $(diff -u "$BATS_TEST_TMPDIR/b.dump" "$BATS_TEST_TMPDIR/n.dump")" ||
			return 1
		_etc_state | cmp -s - "$BATS_TEST_TMPDIR/before.etc" || fail "write $k: files differ" ||
			return 1
		echo "# fault matrix: 7.2 apply (early removal) | write $k/$n | EIO -> exit 1, recreated" >&3
	done
	expect_eq "05.0047" "$(matrix_of "$U2")"
}
