#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The three-guest walkthrough of the vfio-ap documentation, done with apctl on
# the simulated host (adapters 5 and 6; domains 4, 0x47, 0xab, 0xff).
# Run through scripts/run demo, which starts apsim with tests/apsim/apsim-run:
# SYSFS_ROOT, APCTL_ROOT and APSIM_SOCK point at the simulator.
#
# usage: demo.sh BUILDDIR
set -euo pipefail

build=${1:?usage: demo.sh BUILDDIR}
apctl=$build/src/apctl
apsimctl=$build/tests/apsim/apsimctl
schema=$(cd "$(dirname "$0")/.." && pwd)/schema/apctl.schema.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: "${SYSFS_ROOT:?run me through tests/apsim/apsim-run}"

G1=11111111-1111-4111-8111-111111111111
G2=22222222-2222-4222-8222-222222222222
G3=33333333-3333-4333-8333-333333333333

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
step() { printf '\n%s### %s%s\n' "$bold" "$*" "$plain"; }
# run: print the command as an administrator would type it, then run it
run() {
	printf '\n$ apctl %s\n' "$*"
	"$apctl" "$@"
}
# expect_fail CODE ARGS...: a step that must be refused with exit status CODE
expect_fail() {
	local want=$1 rc=0
	shift
	printf '\n$ apctl %s\n' "$*"
	"$apctl" "$@" || rc=$?
	echo "(exit status $rc)"
	if [ "$rc" != "$want" ]; then
		echo "demo: expected exit status $want" >&2
		exit 1
	fi
}
sim() {
	printf '\n[simulator] %s\n' "$*"
	"$apsimctl" "$@"
}

# state to compare at the end; the scan counters move because step 5 simulates
# an LPAR configuration change (two bus scans), which is not apctl's doing
state() { "$apsimctl" dump | jq -S 'del(.. | .scans?, .bindings_complete_count?)'; }
before=$(state)

step "1. The host as it boots: every adapter and domain belongs to the host drivers"
run show

step "2. Reserve adapters 5 and 6 for vfio_ap (the kernel's relative form '-5,-6' on apmask)"
run reserve --dry-run 5,6
run reserve 5,6

step "3. Create the three guests' mdevs (one ap_config write each on this kernel)"
run mdev create --uuid $G1 --adapters 5,6 --domains 4,0xab
run mdev create --uuid $G2 --adapters 5 --domains 0x47,0xff
run mdev create --uuid $G3 --adapters 6 --domains 0x47,0xff
run show matrix

step "4. A conflicting request is refused before any write, naming the holder"
expect_fail 4 mdev create --adapters 5 --domains 4

step "5. Guest 1 starts; the LPAR gets domain 0x10; hot plug it into the running guest"
sim attach $G1
sim host domain-add 0x10
sim scan
run mdev modify $G1 --add-domains 0x10 --yes
run show mdev $G1

step "6. The whole picture for automation: one JSON document, checked against its schema"
printf '\n$ apctl show --json > show.json\n'
"$apctl" show --json >"$work/show.json"
printf '$ (validate show.json against apctl.schema.json)\n'
python3 - "$schema" "$work/show.json" <<'PY'
import json, sys, jsonschema
schema, doc = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.Draft202012Validator(schema).validate(doc)
print("valid: api_level %d, %d cards, %d mdevs, %d problems"
      % (doc["api_level"], len(doc["cards"]), len(doc["mdevs"]), len(doc["problems"])))
PY
printf '$ jq -c %s show.json\n' "'.mdevs[] | {uuid, state, in_use, apqns: [.live.apqns[].apqn]}'"
jq -c '.mdevs[] | {uuid, state, in_use, apqns: [.live.apqns[].apqn]}' "$work/show.json"

step "7. Passing the mdevs to the guests"
run show mdev $G1 --format qemu
for u in $G1 $G2 $G3; do
	run show mdev $u --format libvirt
done

step "8. Clean up: guest 1 stops, the mdevs go, the adapters return to the host"
sim detach $G1
run mdev remove $G1
run mdev remove $G2
run mdev remove $G3
run release 5,6
sim host domain-remove 0x10
sim scan
run check

after=$(state)
if [ "$before" != "$after" ]; then
	echo "demo: the simulated host differs from its initial state:" >&2
	diff <(echo "$before") <(echo "$after") >&2 || true
	exit 1
fi
echo
echo "The simulated host is back in its initial state (apsim dump before == after,
except the two scan counters)."
