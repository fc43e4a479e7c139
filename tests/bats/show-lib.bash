# SPDX-License-Identifier: MIT
# Helpers for the apctl show / check / mdev list suites (show-*.bats, check-*.bats).
#
#   load helpers; load show-lib
#
#   apctl ARGS...            run $APCTL, stdout to $out, stderr to $err, status in $rc;
#                            $APSIM_ROOT in both is replaced by ROOT
#   expect_rc N              the status of the last apctl
#   expect_out NAME          stdout equals tests/bats/expected/show/NAME byte for byte
#   expect_err TEXT          stderr equals TEXT
#   json_valid               stdout of the last apctl is one document valid against
#                            schema/apctl.schema.json
#   jqo FILTER               jq -c FILTER on stdout of the last apctl
# States of the documentation's host (adapters 5, 6; domains 4, 0x47, 0xab, 0xff),
# made with plain sysfs writes through apsim (not with apctl):
#   reserve_5_6              echo -5,-6 > apmask
#   make_mdev UUID ADAPTERS DOMAINS [CONTROL]   create + assign_* (space-separated ids)
#   three_guests             reserve_5_6 and the three guests (U1, U2, U3)
#   define UUID START JSON-ATTRS   write an mdevctl definition
#
# APCTL_REGEN_EXPECTED=1 writes the expected files instead of comparing (for
# a developer, who then reviews the diff; never set in CI).

SCHEMA=$top_srcdir/schema/apctl.schema.json
EXPECTED=$top_srcdir/tests/bats/expected/show

apctl() {
	local d=${BATS_TEST_TMPDIR:-/tmp}

	rc=0
	"$APCTL" "$@" >"$d/apctl.out" 2>"$d/apctl.err" || rc=$?
	out=$(sed "s|${APSIM_ROOT:-/nonexistent}|ROOT|g" "$d/apctl.out"; echo x)
	out=${out%x}
	err=$(sed "s|${APSIM_ROOT:-/nonexistent}|ROOT|g" "$d/apctl.err"; echo x)
	err=${err%x}
}

expect_rc() {
	[[ $rc -eq $1 ]] && return 0
	printf 'apctl exited with %s, expected %s\nstdout:\n%s\nstderr:\n%s\n' \
		"$rc" "$1" "$out" "$err" >&2
	return 1
}

expect_out() {
	local f=$EXPECTED/$1

	if [[ ${APCTL_REGEN_EXPECTED:-} == 1 ]]; then
		printf '%s' "$out" >"$f"
		return 0
	fi
	[[ -f $f ]] || fail "missing expected file $f" || return 1
	if [[ $(cat "$f"; echo x) == "${out}x" ]]; then
		return 0
	fi
	{
		echo "stdout differs from $f"
		diff -u "$f" <(printf '%s' "$out") | sed '1s/.*/--- expected/;2s/.*/+++ actual/'
	} >&2
	return 1
}

expect_err() {
	expect_eq "$1" "${err%$'\n'}" "stderr"
}

json_valid() {
	printf '%s' "$out" | schema_check "$SCHEMA"
}

jqo() {
	printf '%s' "$out" | jq -c "$1"
}

reserve_5_6() {
	expect_w bus/ap/apmask "-5,-6" OK
}

# the udev rule chzdev --type ap writes, reserving adapters 5 and 6 at boot
# (so the next boot keeps what reserve_5_6 does live)
boot_5_6() {
	printf '%s\n' \
		'ACTION=="change", SUBSYSTEM=="ap", KERNEL=="ap", ENV{BINDINGS}=="complete", GOTO="ap_masks"' \
		'GOTO="ap_masks_end"' \
		'LABEL="ap_masks"' \
		'ATTR{../../bus/ap/apmask}="0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"' \
		'LABEL="ap_masks_end"' >"$APCTL_ROOT/etc/udev/rules.d/41-ap.rules"
}

# make_mdev UUID "5 6" "4 0xab" ["4"]
make_mdev() {
	local u=$1 id

	expect_w "$TYPE/create" "$u" OK || return 1
	for id in $2; do expect_w "$MATRIX/$u/assign_adapter" "$id" OK || return 1; done
	for id in $3; do expect_w "$MATRIX/$u/assign_domain" "$id" OK || return 1; done
	for id in ${4:-}; do expect_w "$MATRIX/$u/assign_control_domain" "$id" OK || return 1; done
}

three_guests() {
	reserve_5_6 || return 1
	make_mdev "$U1" "5 6" "4 0xab" "4" || return 1
	make_mdev "$U2" "5" "0x47 0xff" "0x47" || return 1
	make_mdev "$U3" "6" "0x47 0xff" "0xff" || return 1
}

# define UUID auto|manual '{"assign_adapter": "5"}, {"assign_domain": "4"}'
define() {
	printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "%s",\n  "attrs": [%s]\n}' \
		"$2" "$3" >"$APCTL_ROOT/etc/mdevctl.d/matrix/$1"
}
