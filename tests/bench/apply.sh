#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Benchmarks of validation and apctl apply (issue 13).  Prints figures;
# asserts nothing.   tests/bench/apply.sh   (from a build tree: make bench-apply)
#  1. in process: validating one mdev create against 1000 definitions, and
#     on the maximal host with 1000 active mdevs and 1000 definitions
#     (tests/bench/bench-validate)
#  2. apply of a 100-mdev document to an empty maximal host (256 adapters x
#     256 domains): sysfs writes and file writes planned, writes issued,
#     files read, wall time
#  3. a one-domain change on a host with those 100 mdevs and 1000 mdevctl
#     definitions: by apply of an edited export, and by mdev modify; mdev
#     create end to end with and without the definitions
set -euo pipefail

. "$(dirname "$0")/bench-lib.bash"
bv=$top_builddir/tests/bench/bench-validate
bench_need "make bench-apply builds apctl, apsim and bench-validate" "$APCTL" "$APSIM" "$bv"

echo "apctl apply benchmarks: $("$APCTL" --version), $(nproc) CPUs"
echo
"$bv" 1000 101
echo

"$run" --host maximal -- bash -c '
	set -euo pipefail
	d=$(mktemp -d)
	trap "rm -rf $d" EXIT
	# "mdev k" gets APQN (k, k): adapters 0-99 reserved in the document
	uuid() { printf "%08x-0000-4000-8000-%012x" "$1" "$1"; }
	{
		printf "{\"apctl_config\": 1, \"reserved\": {\"adapters\": \"0x0-0x63\", \"domains\": \"\"},\n"
		printf " \"mdevs\": ["
		for ((k = 0; k < 100; k++)); do
			[ $k -gt 0 ] && printf ",\n"
			printf "{\"uuid\": \"%s\", \"adapters\": [%d], \"domains\": [%d], \"active\": true}" \
				"$(uuid $k)" $k $k
		done
		printf "]}\n"
	} >"$d/doc.json"
	# what the plan writes
	"$APCTL" apply --dry-run --json=compact "$d/doc.json" 2>/dev/null >"$d/plan.json"
	sysfs=$(jq "[.steps[] | select(.do.op == \"write\")] | length" "$d/plan.json")
	files=$(jq "[.steps[] | select(.do.op != \"write\")] | length" "$d/plan.json")
	creates=$(jq "[.steps[] | select(.do.path | endswith(\"/create\"))] | length" "$d/plan.json")
	apcfg=$(jq "[.steps[] | select(.do.path | endswith(\"/ap_config\"))] | length" "$d/plan.json")
	t0=$(date +%s%N)
	APCTL_DEBUG_STATS=1 "$APCTL" apply "$d/doc.json" 2>"$d/err" >/dev/null
	ms=$((($(date +%s%N) - t0) / 1000000))
	st=$(sed -n "s/^apctl: stats: //p" "$d/err")
	printf "%s\n" "apply of a 100-mdev document to an empty maximal host (256 x 256)"
	printf "  %-40s %s\n" "plan: sysfs writes" "$sysfs ($creates create, $apcfg ap_config, $((sysfs - creates - apcfg)) mask)"
	printf "  %-40s %s\n" "plan: file writes" "$files"
	printf "  %-40s %s\n" "issued and read (both model readings)" "$st"
	printf "  %-40s %s\n" "wall time" "$ms ms"
	t0=$(date +%s%N)
	APCTL_DEBUG_STATS=1 "$APCTL" apply "$d/doc.json" 2>"$d/err" >/dev/null
	ms=$((($(date +%s%N) - t0) / 1000000))
	printf "  %-40s %s\n" "second apply (nothing to change)" "$ms ms, $(sed -n "s/^apctl: stats: //p" "$d/err")"
	echo

	# 1000 mdevctl definitions (manual start), each on an APQN of its own
	# (adapters 100-199, domains 100-109), written as mdevctl writes them
	defs=$APSIM_ROOT/etc/mdevctl.d/matrix
	mkdir -p "$defs"
	for ((k = 0; k < 1000; k++)); do
		printf "{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"manual\",\n  \"attrs\": [\n    {\n      \"assign_adapter\": \"0x%x\"\n    },\n    {\n      \"assign_domain\": \"0x%x\"\n    }\n  ]\n}" \
			$((100 + k % 100)) $((100 + k / 100)) >"$defs/$(uuid $((1000 + k)))"
	done
	printf "%s\n" "one-domain change on a host with 100 mdevs and 1000 definitions"
	"$APCTL" export --json=compact 2>/dev/null |
		jq -c ".mdevs |= map(if .uuid == \"$(uuid 7)\" then .domains = \"0x7,0xf0\" else . end)" \
		>"$d/one.json"
	"$APCTL" apply --dry-run --json=compact "$d/one.json" 2>/dev/null >"$d/plan.json"
	printf "  %-40s %s\n" "apply: plan" "$(jq -c "[.steps[] | .do.path | split(\"/\") | last]" "$d/plan.json")"
	t0=$(date +%s%N)
	APCTL_DEBUG_STATS=1 "$APCTL" apply "$d/one.json" 2>"$d/err" >/dev/null
	ms=$((($(date +%s%N) - t0) / 1000000))
	printf "  %-40s %s\n" "apply: issued and read" "$(sed -n "s/^apctl: stats: //p" "$d/err")"
	printf "  %-40s %s\n" "apply: wall time" "$ms ms"
	t0=$(date +%s%N)
	APCTL_DEBUG_STATS=1 "$APCTL" mdev modify "$(uuid 7)" --remove-domains 0xf0 2>"$d/err" >/dev/null
	ms=$((($(date +%s%N) - t0) / 1000000))
	printf "  %-40s %s\n" "mdev modify: issued and read" "$(sed -n "s/^apctl: stats: //p" "$d/err")"
	printf "  %-40s %s\n" "mdev modify: wall time" "$ms ms"
	t0=$(date +%s%N)
	"$APCTL" -q mdev create -u "$(uuid 500)" -a 0xf0 -d 0xf0 --reserve >/dev/null 2>&1
	ms=$((($(date +%s%N) - t0) / 1000000))
	printf "  %-40s %s\n" "mdev create --reserve, end to end" "$ms ms"
	rm -f "$defs"/*
	t0=$(date +%s%N)
	"$APCTL" -q mdev create -u "$(uuid 501)" -a 0xf1 -d 0xf1 --reserve >/dev/null 2>&1
	ms=$((($(date +%s%N) - t0) / 1000000))
	printf "  %-40s %s\n" "the same without the definitions" "$ms ms"
'
