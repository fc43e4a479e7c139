# SPDX-License-Identifier: MIT
# Shared helpers for the bats suites (apsim tests and apctl end-to-end tests).
#
#   load helpers            # in every .bats file
#
# Programs (taken from the environment that `make check` exports, see
# AM_TESTS_ENVIRONMENT in Makefile.am; the defaults work for an in-tree build):
#   $APCTL $APSIM $APSIMCTL $APSIM_RUN $APSIM_IO
# Simulator life cycle:
#   sim_start [HOST] [KERNEL]  KERNEL defaults to $APSIM_KERNEL, else 7.2. HOST: a shipped host name (tests/apsim/hosts/NAME.json),
#                              a fixture of tests/bats/hosts ("t-..."), or a file.
#                              Exports APSIM_ROOT APCTL_ROOT SYSFS_ROOT APSIM_SOCK and
#                              sets S (=$SYSFS_ROOT), AP, DEV, DRV, MATRIX, TYPE.
#   sim_stop                   call it from teardown
# I/O (paths are relative to $S unless they start with /):
#   w PATH DATA [OFFSET]       one write(2): prints "OK <n>" or the errno name
#   r PATH [CHUNK]             read all bytes
#   ctl ARGS...                apsimctl
# Assertions (each prints a diagnosis and returns 1 on failure):
#   expect_w PATH DATA RESULT  RESULT is an errno name, or OK for "OK <length of DATA>"
#   expect_r PATH EXPECTED     the exact bytes; EXPECTED understands \n \t \\ \0 \xHH
#   expect_eq EXPECTED ACTUAL [WHAT]
#   expect_dmesg EXPECTED      the whole simulated kernel log (clear it with ctl dmesg clear)
#   expect_driver DEVICE DRIVER|none
#   expect_exists PATH... / expect_missing PATH...
#   expect_same_file LINK TARGET   both resolve to the same object
# Masks: mask_of ID... / mask_all_but ID... / mask_zero / mask_all

_helpers_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$_helpers_dir/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
: "${APCTL:=$top_builddir/src/apctl}"
: "${APSIM:=$top_builddir/tests/apsim/apsim}"
: "${APSIMCTL:=$top_builddir/tests/apsim/apsimctl}"
: "${APSIM_IO:=$top_builddir/tests/apsim/tools/apsim-io}"
if [[ -z ${APSIM_RUN:-} ]]; then
	if [[ -x $top_builddir/tests/apsim/apsim-run ]]; then
		APSIM_RUN=$top_builddir/tests/apsim/apsim-run
	else
		APSIM_RUN=$top_srcdir/tests/apsim/apsim-run
	fi
fi
export APCTL APSIM APSIMCTL APSIM_IO APSIM_RUN
BATS_HOSTS=$top_srcdir/tests/bats/hosts
# programs of the simulator on PATH, for commands run through apsim-run
PATH=$top_builddir/tests/apsim:$top_builddir/tests/apsim/tools:$PATH
export LC_ALL=C

# Fixed UUIDs for mdevs (any valid UUID would do).
U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444

fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# ---------------------------------------------------------------- life cycle

sim_host_arg() {
	local host=$1

	if [[ $host == t-* && -f $BATS_HOSTS/$host.json ]]; then
		printf '%s\n' "$BATS_HOSTS/$host.json"
	else
		printf '%s\n' "$host"
	fi
}

sim_start() {
	local host kernel=${2:-${APSIM_KERNEL:-7.2}} out

	host=$(sim_host_arg "${1:-doc-example}")
	# SIM_NETNS=1: a private network namespace where apsim sends its
	# uevents as libudev messages; run listeners there with in_netns
	out=$("$APSIM_RUN" --start --host "$host" --kernel "$kernel" \
		${SIM_NETNS:+--netns}) ||
		fail "apsim-run --start --host $host --kernel $kernel failed" || return 1
	APSIM_ROOT=${out##*$'\n'}
	[[ -d $APSIM_ROOT/sys ]] || fail "apsim-run --start printed '$out', not a root" || return 1
	export APSIM_ROOT
	export APCTL_ROOT=$APSIM_ROOT
	export SYSFS_ROOT=$APSIM_ROOT/sys
	export APSIM_SOCK=$APSIM_ROOT/apsim.sock
	S=$SYSFS_ROOT
	AP=$S/bus/ap
	DEV=$S/devices/ap
	DRV=$S/bus/ap/drivers
	MATRIX=$S/devices/vfio_ap/matrix
	TYPE=$MATRIX/mdev_supported_types/vfio_ap-passthrough
	SIM_KERNEL=$kernel
}

sim_stop() {
	local root=${APSIM_ROOT:-}

	[[ -n $root ]] || return 0
	unset APSIM_ROOT
	"$APSIM_RUN" --stop "$root" || fail "apsim-run --stop $root failed" || return 1
	if findmnt -rn -o TARGET | grep -qF -- "$root"; then
		fail "a mount is left under $root"
		return 1
	fi
}

# in_netns COMMAND...: run COMMAND in the simulator's network namespace
# (sim_start with SIM_NETNS=1), where apsim's uevents arrive
in_netns() {
	"$APSIM_RUN" --enter "$APSIM_ROOT" -- "$@"
}

# ----------------------------------------------------------------------- I/O

_p() {
	if [[ $1 == /* ]]; then
		printf '%s' "$1"
	else
		printf '%s' "$S/$1"
	fi
}

w() {
	local p

	p=$(_p "$1")
	shift
	"$APSIM_IO" write "$p" "$@"
}

r() {
	local p

	p=$(_p "$1")
	shift
	"$APSIM_IO" read "$p" "$@"
}

ctl() {
	"$APSIMCTL" "$@"
}

# ---------------------------------------------------------------- assertions

expect_eq() {
	local exp=$1 act=$2 what=${3:-value}

	[[ $exp == "$act" ]] && return 0
	{
		echo "unexpected $what"
		diff -u <(printf '%s\n' "$exp") <(printf '%s\n' "$act") |
			sed '1s/.*/--- expected/;2s/.*/+++ actual/'
	} >&2
	return 1
}

expect_w() {
	local path=$1 data=$2 exp=$3 got

	if [[ $exp == OK ]]; then
		exp="OK $("$APSIM_IO" len "$data")"
	fi
	got=$(w "$path" "$data") || true
	[[ $got == "$exp" ]] && return 0
	fail "write of '$data' to $path: expected $exp, got $got"
}

expect_r() {
	local path=$1 exp=$2 d=${BATS_TEST_TMPDIR:-/tmp}

	"$APSIM_IO" unescape "$exp" >"$d/expected.bin"
	r "$path" >"$d/actual.bin" || true
	cmp -s "$d/expected.bin" "$d/actual.bin" && return 0
	{
		echo "unexpected content of $path"
		diff -u "$d/expected.bin" "$d/actual.bin" |
			sed '1s/.*/--- expected/;2s/.*/+++ actual/'
		echo "bytes (expected, then actual):"
		od -An -c "$d/expected.bin" | head -20
		echo ---
		od -An -c "$d/actual.bin" | head -20
	} >&2
	return 1
}

# expect_r_file PATH FILE: content of PATH equals FILE byte for byte
expect_r_file() {
	local path=$1 exp=$2 d=${BATS_TEST_TMPDIR:-/tmp}

	r "$path" >"$d/actual.bin" || true
	cmp -s "$exp" "$d/actual.bin" && return 0
	{
		echo "unexpected content of $path"
		diff -u "$exp" "$d/actual.bin" | sed '1s/.*/--- expected/;2s/.*/+++ actual/' |
			head -40
	} >&2
	return 1
}

expect_dmesg() {
	local exp=$1 got

	got=$(ctl dmesg) || fail "apsimctl dmesg failed" || return 1
	expect_eq "$exp" "$got" "simulated kernel log"
}

expect_exists() {
	local p

	for p; do
		p=$(_p "$p")
		[[ -e $p || -L $p ]] || fail "missing: $p" || return 1
	done
}

expect_missing() {
	local p

	for p; do
		p=$(_p "$p")
		[[ ! -e $p && ! -L $p ]] || fail "should not exist: $p" || return 1
	done
}

expect_same_file() {
	local a b

	a=$(readlink -f "$(_p "$1")") || fail "cannot resolve $1" || return 1
	b=$(readlink -f "$(_p "$2")") || fail "cannot resolve $2" || return 1
	[[ -e $a && $a == "$b" ]] || fail "$1 resolves to '$a', expected '$b'"
}

# driver_of DEVICE: name of the driver bound to an AP device, or "none"
driver_of() {
	local l=$AP/devices/$1/driver

	if [[ -L $l ]]; then
		basename "$(readlink "$l")"
	else
		echo none
	fi
}

# expect_driver DEVICE DRIVER|none: the device's driver link and the driver
# directories' device links agree.
expect_driver() {
	local dev=$1 drv=$2 d got

	got=$(driver_of "$dev")
	[[ $got == "$drv" ]] || fail "$dev: bound to $got, expected $drv" || return 1
	if [[ $drv != none ]]; then
		expect_same_file "$AP/devices/$dev/driver" "$DRV/$drv" || return 1
		expect_same_file "$DRV/$drv/$dev" "$AP/devices/$dev" || return 1
	fi
	for d in cex4card cex4queue vfio_ap; do
		[[ $d == "$drv" ]] && continue
		[[ ! -e $DRV/$d/$dev && ! -L $DRV/$d/$dev ]] ||
			fail "$DRV/$d/$dev exists although $dev is bound to $drv" || return 1
	done
}

# bound_devices DRIVER: device links in a driver directory, sorted, one a line
bound_devices() {
	local f

	for f in "$DRV/$1"/*; do
		[[ -L $f && $(basename "$f") != module ]] && basename "$f"
	done | LC_ALL=C sort
}

# ------------------------------------------------------------------- masks

_hexdigits=0123456789abcdef

# mask_of ID...: the 256-bit mask with these bits set (bit 0 = leftmost)
mask_of() {
	local -a nib
	local i id out=0x

	for ((i = 0; i < 64; i++)); do nib[i]=0; done
	for id; do
		id=$((id))
		((nib[id / 4] |= 8 >> (id % 4)))
	done
	for ((i = 0; i < 64; i++)); do out+=${_hexdigits:nib[i]:1}; done
	printf '%s\n' "$out"
}

# mask_all_but ID...: all ones except these bits
mask_all_but() {
	local -a nib
	local i id out=0x

	for ((i = 0; i < 64; i++)); do nib[i]=15; done
	for id; do
		id=$((id))
		((nib[id / 4] &= ~(8 >> (id % 4)) & 15))
	done
	for ((i = 0; i < 64; i++)); do out+=${_hexdigits:nib[i]:1}; done
	printf '%s\n' "$out"
}

mask_zero() {
	mask_of
}

mask_all() {
	mask_all_but
}

# ------------------------------------------------------------------ events

# uevents_flat: the uevent log, one event a line: "ACTION DEVPATH KEY=VALUE ..."
uevents_flat() {
	ctl uevents | awk '
		/^$/ { if (ev != "") print ev; ev = ""; next }
		{ ev = (ev == "" ? $0 : ev " " $0) }
		END { if (ev != "") print ev }'
}

# wait_for DESCRIPTION COMMAND...: poll (up to 30 s) until COMMAND succeeds.
# Used only to wait for an event, never to assert a duration.
wait_for() {
	local what=$1 i

	shift
	for ((i = 0; i < 300; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "timed out waiting for $what"
}


# ------------------------------------------------------------ real peers

# require_peer CMD PACKAGE: skip the test unless the real peer CMD (Debian
# package PACKAGE, listed in scripts/run DEPS) is installed and apsim-run
# --ns can run (root and unshare)
require_peer() {
	command -v "$1" >/dev/null ||
		skip "$1 is not installed (Debian package $2, listed in scripts/run DEPS)"
	command -v unshare >/dev/null && [ "$(id -u)" -eq 0 ] ||
		skip "apsim-run --ns needs root and unshare"
}

# ns_run KERNEL SCRIPT: bats-run SCRIPT with bash in 'apsim-run --ns' on
# that kernel, apctl as $0 (stderr apart, in $stderr)
ns_run() {
	run --separate-stderr "$APSIM_RUN" --ns --kernel "$1" -- bash -c "$2" "$APCTL"
}

# ------------------------------------------------------------ documents

# schema_check SCHEMA [FILE]: FILE (default: stdin) is one JSON document
# valid against the JSON schema in the file SCHEMA; the first problems go to
# stderr with their paths
schema_check() {
	python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]) if len(sys.argv) > 2 else sys.stdin)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=str)
for e in errors[:10]:
    print("schema: %s at /%s" % (e.message[:300], "/".join(map(str, e.absolute_path))),
          file=sys.stderr)
sys.exit(1 if errors else 0)' "$@"
}
