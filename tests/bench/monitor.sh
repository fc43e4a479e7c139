#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Benchmarks of issue 11 against apsim on the maximal host (256 adapters x
# 256 domains).  Prints figures; asserts nothing.
#   tests/bench/monitor.sh [monitor]  (from a build tree, or with top_builddir set;
#                                      'monitor': only part 3)
# 1. 'show queues' (default columns): sysfs files read and wall time, on 6.12
#    and 7.2; lszcrypt -V beside it when an lszcrypt is on PATH (s390-tools;
#    it needs a /sys to read: it runs in apsim-run --ns).
# 2. 'reserve 5,6' on 7.2 (one reading of the model, under the lock).
# 3. apctl monitor with 100 mdevs: what the start reads, and per event the
#    files read and the time, for mask changes, card config changes (which
#    re-read the guests of that adapter) and mdev creations.
# Needs root (the network namespace of apsim-run --netns).
set -euo pipefail

. "$(dirname "$0")/bench-lib.bash"
bench_need "build apctl and apsim first" "$APCTL" "$APSIM"

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
export -f ms

echo "issue 11 benchmarks: $("$APCTL" --version), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [ "${1:-}" != monitor ]; then
printf '%-34s %10s %10s\n' "show queues (maximal host)" "ms" "files"
for k in 6.12 7.2; do
	"$run" --host maximal --kernel "$k" -- bash -c '
		t0=$(date +%s%N)
		f=$(APCTL_DEBUG_STATS=1 "$APCTL" show queues 2>&1 >/dev/null |
			sed -n "s/.*files_read=\([0-9]*\).*/\1/p")
		printf "%-34s %10s %10s\n" "show queues, '"$k"'" "$(ms "$t0")" "$f"'
done
if command -v lszcrypt >/dev/null; then
	"$run" --host maximal --kernel 7.2 --ns -- bash -c '
		t0=$(date +%s%N); "$APCTL" show queues >/dev/null; a=$(ms "$t0")
		t0=$(date +%s%N); lszcrypt -V >/dev/null; l=$(ms "$t0")
		printf "%-34s %10s\n" "show queues, 7.2, same mount" "$a"
		printf "%-34s %10s\n" "lszcrypt -V, 7.2, same mount" "$l"
		printf "%-34s %10s\n" "ratio lszcrypt / apctl" "$(awk "BEGIN { printf \"%.1f\", $l / $a }")"'
else
	echo "lszcrypt -V: not measured (no lszcrypt on PATH: s390-tools is not built for this machine)"
fi
echo
"$run" --host maximal --kernel 7.2 -- bash -c '
	t0=$(date +%s%N); "$APCTL" reserve 5,6 --yes --no-settle >/dev/null 2>&1
	printf "%-34s %10s\n" "reserve 5,6 --yes, 7.2 (ms)" "$(ms "$t0")"'
echo
fi
# 3. the monitor: 100 mdevs, one APQN each (adapter n, domain 0xf0 + n % 8)
"$run" --host maximal --kernel 7.2 --netns -- bash -c '
	S=$SYSFS_ROOT M=$SYSFS_ROOT/devices/vfio_ap/matrix
	echo -0xf0-0xf7 >"$S/bus/ap/aqmask"
	for n in $(seq 0 99); do
		u=$(printf "%08x-0000-4000-8000-%012x" "$n" "$n")
		echo "$u" >"$M/mdev_supported_types/vfio_ap-passthrough/create"
		echo "$n" >"$M/$u/assign_adapter"
		echo $((0xf0 + n % 8)) >"$M/$u/assign_domain"
	done
	bench() { # NAME N COMMAND...: N events of one kind
		local name=$1 n=$2 out
		shift 2
		APCTL_DEBUG_STATS=1 "$APCTL" monitor --count "$n" >/dev/null 2>"$APSIM_ROOT/mon.err" &
		local pid=$!
		sleep 3	# the start: the model of 65536 queues and 100 mdevs
		local t0=$(date +%s%N)
		"$@"
		wait "$pid" || true
		local t=$(ms "$t0")
		out=$(sed -n "s/.*start_files=\([0-9]*\).*events=\([0-9]*\) event_files=\([0-9]*\).*polls=\([0-9]*\) poll_files=\([0-9]*\).*/\1 \2 \3 \4 \5/p" "$APSIM_ROOT/mon.err")
		set -- $out
		printf "%-34s %8s %8s %12s %10s %12s\n" "$name" "$2" "$1" \
			"$(awk "BEGIN { printf \"%.1f\", $3 / $2 }")" \
			"$(awk "BEGIN { printf \"%.2f\", $t / $2 }")" \
			"$(awk "BEGIN { printf \"%.0f\", $4 ? $5 / $4 : 0 }")"
	}
	# files/event: what the events read (the mdev re-readings, every 2 s
	# without events, are apart: files/poll); ms/event: from the first
	# write to the last line, generator included
	printf "%-34s %8s %8s %12s %10s %12s\n" "monitor, 100 mdevs, 7.2" events start \
		"files/event" "ms/event" "files/poll"
	masks() { for i in $(seq 5); do echo -0xe0 >"$S/bus/ap/aqmask"; echo +0xe0 >"$S/bus/ap/aqmask"; done; }
	configs() { for i in $(seq 0 99); do echo 0 >"$S/devices/ap/card$(printf %02x "$i")/config"; done; }
	creates() { for i in $(seq 100 199); do
		echo "$(printf "%08x-1111-4111-8111-%012x" "$i" "$i")" \
			>"$M/mdev_supported_types/vfio_ap-passthrough/create"; done; }
	# a mask write also brings 256 unbind and 256 bind events: counted too
	bench "10 mask writes (+ rebinds)" $((10 * 513)) masks
	bench "card config off (1 guest each)" 100 configs
	bench "mdev creations" 100 creates'
