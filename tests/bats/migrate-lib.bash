# SPDX-License-Identifier: MIT
# Helpers for the live migration suites (migrate-*.bats): two simulated hosts.
#
#   load helpers; load show-lib; load migrate-lib
#
#   mig_hosts SRC-JQ DST-JQ [SRC-KERNEL] [DST-KERNEL]
#       Both hosts start from tests/bats/hosts/t-mig.json; each jq filter edits
#       its copy ('.' for none).  The destination's mdev has no assignments and
#       no guest unless DST-JQ says otherwise.  The source is the simulator
#       the helpers of helpers.bash address ($APSIM_ROOT, ctl, ...); the
#       destination runs at $DST_ROOT and its 'apctl show --json' is in $DST_DOC.
#   dst_doc            write $DST_DOC again (after a change on the destination)
#   src_doc            write $SRC_DOC (the source's document)
#   on_dst CMD...      run CMD with the destination's environment
#   mig_stop           call it from teardown
#   mig_json_valid     stdout of the last apctl is valid against apctl-migrate.schema.json

MIG_BASE=$top_srcdir/tests/bats/hosts/t-mig.json
MIG_SCHEMA=$top_srcdir/schema/apctl-migrate.schema.json

mig_hosts() {
	local sf=$1 df=$2 sk=${3:-7.2} dk=${4:-${3:-7.2}} t=$BATS_TEST_TMPDIR out

	jq "$sf" "$MIG_BASE" >"$t/src-host.json" || fail "bad source filter $sf" || return 1
	jq ".mdevs[0] |= {uuid} | $df" "$MIG_BASE" >"$t/dst-host.json" ||
		fail "bad destination filter $df" || return 1
	out=$("$APSIM_RUN" --start --host "$t/dst-host.json" --kernel "$dk") ||
		fail "destination did not start" || return 1
	DST_ROOT=${out##*$'\n'}
	DST_DOC=$t/dst.doc
	SRC_DOC=$t/src.doc
	sim_start "$t/src-host.json" "$sk" || return 1
	dst_doc
}

on_dst() {
	APCTL_ROOT=$DST_ROOT SYSFS_ROOT=$DST_ROOT/sys APSIM_SOCK=$DST_ROOT/apsim.sock "$@"
}

dst_doc() {
	on_dst "$APCTL" show --json >"$DST_DOC" || fail "show --json on the destination failed"
}

src_doc() {
	"$APCTL" show --json >"$SRC_DOC" || fail "show --json on the source failed"
}

mig_stop() {
	if [[ -n ${DST_ROOT:-} ]]; then
		"$APSIM_RUN" --stop "$DST_ROOT" || fail "apsim-run --stop $DST_ROOT failed"
		DST_ROOT=
	fi
	sim_stop
}

mig_json_valid() {
	SCHEMA=$MIG_SCHEMA json_valid
}
