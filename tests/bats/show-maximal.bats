#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The maximal host (256 adapters x 256 domains) with 16 mdevs of 16 adapters x
# 256 domains each (4096 APQNs: more than the 4095-byte 'matrix' file holds,
# so the reader must use ap_config), and what each view reads.

load helpers
load show-lib

setup() {
	sim_start maximal 7.2
	expect_w bus/ap/apmask "-0-255" OK
	local i u
	for ((i = 0; i < 16; i++)); do
		u=$(printf '%08x-0000-4000-8000-%012x' "$i" "$i")
		expect_w "$TYPE/create" "$u" OK
		expect_w "$MATRIX/$u/ap_config" "$(mdev_config "$i")" OK
	done
}

teardown() {
	sim_stop
}

# ap_config text for mdev i: adapters 16i..16i+15, every domain, control domain i
mdev_config() {
	local i=$1 a=0x d c=0x k

	for ((k = 0; k < 64; k++)); do
		if ((k / 4 == i)); then a+=f; else a+=0; fi
	done
	d=$(mask_all)
	c=$(mask_of "$i")
	printf '%s,%s,%s\n' "$a" "$d" "$c"
}

stats() {
	APCTL_DEBUG_STATS=1 apctl "$@"
	expect_rc 0
	[[ $err =~ files_read=([0-9]+)\ dirs_listed=([0-9]+) ]] || fail "stderr: $err"
	files=${BASH_REMATCH[1]}
	dirs=${BASH_REMATCH[2]}
	echo "# apctl $*: files_read=$files dirs_listed=$dirs" >&3
}

@test "matrix: 256 rows of 256 cells, each adapter in its mdev" {
	apctl show matrix --raw --noheadings
	expect_rc 0
	expect_eq 256 "$(printf '%s' "$out" | wc -l)"
	# row 0x12 (adapter 18) belongs to mdev 2 (index 2: uuids sort by i)
	expect_eq "12$(printf ' 2%.0s' {1..256})" "$(printf '%s' "$out" | sed -n 19p)"
	expect_eq "ff$(printf ' 16%.0s' {1..256})" "$(printf '%s' "$out" | sed -n 256p)"
}

@test "matrix text: runs of equal rows and columns are merged" {
	apctl show matrix
	expect_rc 0
	local exp=" CARD 0000-00ff" i
	for ((i = 0; i < 16; i++)); do
		exp+=$'\n'"$(printf '%02x-%02x %d' $((i * 16)) $((i * 16 + 15)) $((i + 1)))"
	done
	expect_eq "$exp" "$(printf '%s' "$out" | sed -n 1,17p | sed 's/ *$//')"
	expect_eq "Legend:" "$(printf '%s' "$out" | sed -n 19p)"
}

@test "queues: 65536 lines from two listings, no per-queue file" {
	stats show queues -o CARD.DOM,DRIVER,OWNER,MDEV -r -n
	expect_eq 65536 "$(printf '%s' "$out" | wc -l)"
	expect_eq "ff.00ff vfio_ap vfio_ap 0000000f-0000-4000-8000-00000000000f" \
		"$(printf '%s' "$out" | tail -n 1)"
	((files <= 20 + 2 * 16)) || fail "read $files files"
}

@test "show mdev: APQNs past the cut of guest_matrix are unknown, not missing" {
	apctl show mdev 00000003-0000-4000-8000-000000000003 -r -n
	expect_rc 0
	expect_eq "30.0000 yes -" "$(printf '%s' "$out" | grep '^30\.0000 ')"
	# --raw escapes blanks inside a cell as util-linux does
	expect_eq '3f.00ff ? unknown:\x20the\x20kernel\x20cut\x20guest_matrix\x20at\x204095\x20bytes' \
		"$(printf '%s' "$out" | grep '^3f\.00ff ')"
	expect_eq 0 "$(printf '%s' "$out" | grep -c ' no ' || true)"
}

@test "summary and mdevs: 16 mdevs with 4096 APQNs each" {
	apctl show mdevs -o INDEX,ADAPTERS,DOMAINS,CONTROL,APQNS -r -n
	expect_rc 0
	expect_eq "1 00-0f 0000-00ff 0000 4096" "$(printf '%s' "$out" | sed -n 1p)"
	expect_eq "16 f0-ff 0000-00ff 000f 4096" "$(printf '%s' "$out" | sed -n 16p)"
	apctl show
	expect_rc 0
	[[ $out == *$'\nProblems\n  none\n'* ]] || fail "$out"
}

@test "JSON of the maximal host is valid" {
	apctl show --json
	expect_rc 0
	json_valid
	expect_eq 16 "$(jqo '.mdevs | length')"
	expect_eq 4096 "$(jqo '.mdevs[15].live.apqns | length')"
	# guest_matrix of 4096 APQNs does not fit the kernel's 4095 bytes
	expect_eq true "$(jqo '.mdevs[15].guest_truncated')"
	apctl show matrix --json
	json_valid
	expect_eq 65536 "$(jqo '.matrix.cells | length')"
}

@test "files read per view grow with what is shown" {
	stats show mdevs
	# bus attributes + per mdev: ap_config and guest_matrix (+ status for in_use)
	((files <= 20 + 3 * 16)) || fail "show mdevs read $files files"
	stats mdev list
	((files <= 20 + 3 * 16)) || fail "mdev list read $files files"
	stats show cards
	# per card: a handful of attributes, never per queue
	((files <= 20 + 9 * 256)) || fail "show cards read $files files"
	# a filter reads only what it selects (issue 19): one card, one queue
	stats show cards 12
	expect_eq "12" "$(printf '%s' "$out" | awk 'NR == 2 { print $1 }')"
	((files <= 20 + 9)) || fail "show cards 12 read $files files"
	stats show queues ff.00ff -o CARD.DOM,CONFIG,ONLINE -n
	expect_eq "ff.00ff" "$(printf '%s' "$out" | awk '{ print $1 }')"
	((files <= 20 + 2 * 16 + 8)) || fail "show queues ff.00ff with details read $files files"
	stats show matrix
	((files <= 20 + 3 * 16)) || fail "show matrix read $files files"
	stats show
	((files <= 20 + 9 * 256 + 3 * 16)) || fail "show read $files files"
	# the next boot keeps every adapter reserved (else check warns, exit 8)
	printf 'ATTR{../../bus/ap/apmask}="0x%064d"\n' 0 >"$APCTL_ROOT/etc/udev/rules.d/41-ap.rules"
	stats check
	((files <= 20 + 9 * 256 + 3 * 16)) || fail "check read $files files"
}
