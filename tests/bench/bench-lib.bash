# SPDX-License-Identifier: MIT
# Sourced by the benchmark scripts of tests/bench: where the build is.
# Exports top_srcdir, top_builddir, APCTL and APSIM (each may be given in
# the environment) and sets run to apsim-run.
#   bench_need HINT PROGRAM...: exit 2 with HINT unless every PROGRAM is built

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$PWD}"
APCTL=${APCTL:-$top_builddir/src/apctl}
APSIM=${APSIM:-$top_builddir/tests/apsim/apsim}
export top_srcdir top_builddir APCTL APSIM
run=$top_srcdir/tests/apsim/apsim-run

bench_need() {
	local hint=$1 p

	shift
	for p in "$@"; do
		[ -x "$p" ] || { echo "bench: $hint" >&2; exit 2; }
	done
}
