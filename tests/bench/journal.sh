#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The cost of the intent journal (src/sys/journal.h) per change.  Prints
# figures; asserts nothing.
#   tests/bench/journal.sh [PAIRS]     (from a build tree, or with top_builddir set)
# For each host (doc-example, maximal) and each change, PAIRS paired runs:
# the same command with the journal and without it (APCTL_DEBUG_NO_JOURNAL),
# in alternating order, each followed by its inverse so that every run
# starts from the same state.  Prints the median wall time of each side,
# the median of the paired differences, and that as a share of the time
# without the journal.  The journal's cost is mostly its fsyncs: on a real
# system /run is a tmpfs; run with TMPDIR=/dev/shm to have the simulator's
# root (and so run/apctl/journal) on a tmpfs too, with the default /tmp to
# see the cost on a disk file system.
set -euo pipefail

pairs=${1:-21}
export pairs
. "$(dirname "$0")/bench-lib.bash"
bench_need "build apctl and apsim first" "$APCTL" "$APSIM"

bench() {
	U=11111111-1111-4111-8111-111111111111
	# microseconds of one command
	us() {
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "bench: '$*' failed" >&2; exit 1; }
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	}
	median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
	# NAME, the change, its inverse (both as strings for eval)
	pair() {
		local name=$1 change=$2 inverse=$3 i a b
		: >/tmp/bench.$$.with
		: >/tmp/bench.$$.without
		: >/tmp/bench.$$.diff
		for ((i = 0; i < pairs; i++)); do
			if ((i % 2)); then
				a=$(us env APCTL_DEBUG_NO_JOURNAL=1 $change); eval "$inverse"
				b=$(us $change); eval "$inverse"
			else
				b=$(us $change); eval "$inverse"
				a=$(us env APCTL_DEBUG_NO_JOURNAL=1 $change); eval "$inverse"
			fi
			echo "$b" >>/tmp/bench.$$.with
			echo "$a" >>/tmp/bench.$$.without
			echo $((b - a)) >>/tmp/bench.$$.diff
		done
		local w wo d
		w=$(median </tmp/bench.$$.with)
		wo=$(median </tmp/bench.$$.without)
		d=$(median </tmp/bench.$$.diff)
		awk -v n="$name" -v w="$w" -v wo="$wo" -v d="$d" \
			'BEGIN { printf "%-44s %10.2f %10.2f %10.2f %7.1f%%\n", n, w / 1000, wo / 1000, d / 1000, 100 * d / wo }'
		rm -f /tmp/bench.$$.*
	}
	printf '%-44s %10s %10s %10s %8s\n' "change ($1, $pairs pairs)" "with ms" "without" "diff ms" "cost"
	pair "reserve 5,6 (1 mask write)" "$APCTL reserve 5,6" "$APCTL release 5,6 >/dev/null 2>&1"
	pair "reserve -a 5,6 -d 4,0xab --active -p (3 writes)" \
		"$APCTL reserve -a 5,6 -d 4,0xab --active -p" \
		"$APCTL release -a 5,6 -d 4,0xab --active -p >/dev/null 2>&1"
	"$APCTL" reserve -a 5,6 -d 4,0xab >/dev/null 2>&1
	pair "mdev create --define (create, ap_config, file)" \
		"$APCTL mdev create -u $U -a 5,6 -d 4,0xab --define" \
		"$APCTL mdev remove --undefine $U >/dev/null 2>&1"
}
export -f bench

echo "intent journal cost: $("$APCTL" --version), $(nproc) CPUs"
echo
"$run" --host doc-example -- bash -c 'bench doc-example'
echo
"$run" --host maximal -- bash -c 'bench maximal'
