#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Benchmarks of apctl against apsim.  Prints figures; asserts nothing.
#   tests/bench/bench.sh [RUNS]        (from a build tree, or with top_builddir set)
# For each host: the wall time of each show view (median of RUNS runs) and the
# sysfs files and directories it read (APCTL_DEBUG_STATS); then the latency of
# the changing commands (reserve/release, mdev create/remove) on doc-example,
# and how the time of 'show' and 'check' grows with the number of mdevs on the
# maximal host (256 adapters x 256 domains).
set -euo pipefail

runs=${1:-5}
. "$(dirname "$0")/bench-lib.bash"
bench_need "build apctl and apsim first (make check TESTS=)" "$APCTL" "$APSIM"

# median wall time in ms of RUNS runs of a command
median_ms() {
	local i t0 t1 a=()
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		a+=($(((t1 - t0) / 1000000)))
	done
	printf '%s\n' "${a[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
export -f median_ms
export runs

views() {
	printf '%-28s %10s %10s %8s\n' "view ($1)" "median ms" "files" "dirs"
	for v in "" cards queues mdevs matrix "--json"; do
		stats=$(APCTL_DEBUG_STATS=1 "$APCTL" show $v 2>&1 >/dev/null | sed -n 's/.*files_read=\([0-9]*\) dirs_listed=\([0-9]*\).*/\1 \2/p' | tail -1)
		printf '%-28s %10s %10s %8s\n' "show ${v:-(summary)}" "$(median_ms "$APCTL" show $v)" $stats
	done
	printf '%-28s %10s\n' "check" "$(median_ms "$APCTL" check)"
	printf '%-28s %10s\n' "mdev list" "$(median_ms "$APCTL" mdev list)"
}
export -f views

echo "apctl benchmarks: $("$APCTL" --version), $runs runs each, $(nproc) CPUs"
echo
"$run" --host doc-example -- bash -c views
echo
"$run" --host doc-example -- bash -c '
	t() { local t0=$(date +%s%N); "$@" >/dev/null; echo $((($(date +%s%N) - t0) / 1000000)); }
	printf "%-28s %10s\n" "change (doc-example)" "ms"
	printf "%-28s %10s\n" "reserve 5,6" "$(t "$APCTL" reserve 5,6)"
	printf "%-28s %10s\n" "mdev create (ap_config)" "$(t "$APCTL" mdev create -u 11111111-1111-4111-8111-111111111111 -a 5,6 -d 4,0xab)"
	printf "%-28s %10s\n" "mdev modify (hot plug)" "$(t "$APCTL" mdev modify 11111111-1111-4111-8111-111111111111 --add-domains 0x47 -y)"
	printf "%-28s %10s\n" "mdev remove" "$(t "$APCTL" mdev remove 11111111-1111-4111-8111-111111111111)"
	printf "%-28s %10s\n" "release 5,6" "$(t "$APCTL" release 5,6)"
	printf "%-28s %10s\n" "reserve --dry-run 5,6" "$(t "$APCTL" reserve --dry-run 5,6)"'
echo
runs=1 "$run" --host maximal -- bash -c views
echo
"$run" --host maximal -- bash -c '
	# every mdev gets one APQN of its own: adapter n % 256, domain n / 256
	printf "%-28s %12s %10s %10s\n" "mdevs on maximal host" "create ms/mdev" "show ms" "check ms"
	"$APCTL" -q reserve --domains 0-255 --force >/dev/null
	n=0
	for target in 8 16 32; do
		first=$n
		t0=$(date +%s%N)
		while [ $n -lt $target ]; do
			"$APCTL" -q mdev create -a $((n % 256)) -d $((n / 256)) >/dev/null
			n=$((n + 1))
		done
		per=$((($(date +%s%N) - t0) / 1000000 / (target - first)))
		printf "%-28s %12s %10s %10s\n" "$target mdevs" "$per" \
			"$(runs=3 median_ms "$APCTL" show)" "$(runs=3 median_ms "$APCTL" check)"
	done'
