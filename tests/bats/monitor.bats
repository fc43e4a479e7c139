#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl monitor against apsim's uevents, delivered as libudev netlink
# messages in a private network namespace (apsim-run --netns): the line and
# the JSON object for each event kind, filters, the stop conditions, a burst,
# a monitor started during changes, a closed output.  reserve --settle.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	[[ $(id -u) == 0 ]] || skip "network namespaces need root"
	SIM_NETNS=1 sim_start doc-example "${KERNEL:-7.2}"
	OUT=$BATS_TEST_TMPDIR/out
}

teardown() {
	if [[ -n ${MONPID:-} ]]; then
		kill "$MONPID" 2>/dev/null || true
		wait "$MONPID" 2>/dev/null || true
	fi
	if [[ -n ${LOOPPID:-} ]]; then
		kill "$LOOPPID" 2>/dev/null || true
		wait "$LOOPPID" 2>/dev/null || true
	fi
	sim_stop
}

# in the namespace; a simple command, so $! is apctl itself
apctl_ns() {
	"$APSIM_RUN" --enter "$APSIM_ROOT" -- "$APCTL" "$@"
}

# mon_start ARGS...: start the monitor, wait until it hears events (a
# synthetic change of matrix device: printed as "matrix ..." never; we use
# card06's uevent file, an event of kind "other"), then forget those lines
mon_start() {
	"$APSIM_RUN" --enter "$APSIM_ROOT" -- "$APCTL" monitor "$@" >"$OUT" 2>"$OUT.err" 3>&- &
	MONPID=$!
	local i
	for i in $(seq 100); do
		w "devices/ap/${SENTINEL:-card06}/uevent" change >/dev/null
		[[ -s $OUT ]] && break
		sleep 0.1
	done
	[[ -s $OUT ]] || fail "the monitor printed nothing: $(cat "$OUT.err")" || return 1
	sleep 0.3
	MARK=$(wc -l <"$OUT")
}

# the lines printed since mon_start, without the time (text mode)
lines() {
	tail -n +$((MARK + 1)) "$OUT" | cut -d' ' -f2-
}

# wait until a line containing TEXT appears after the mark
wait_line() { # TEXT
	local i
	for i in $(seq 100); do
		tail -n +$((MARK + 1)) "$OUT" | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	fail "no line with '$1'; got:
$(lines)
stderr: $(cat "$OUT.err")"
}

mdev_u1() { # adapters 5 and domain 4 to vfio_ap, mdev U1 with 05.0004
	"$APCTL" reserve 5 --domains 4 --yes --no-settle >/dev/null
	w "$TYPE/create" "$U1" >/dev/null
	w "$MATRIX/$U1/assign_adapter" 5 >/dev/null
	w "$MATRIX/$U1/assign_domain" 4 >/dev/null
}

@test "a mask change by apctl: the reserved adapter, its queues rebound, bindings complete" {
	mon_start
	"$APCTL" reserve 5 --yes --settle >/dev/null 2>&1
	wait_line "bindings complete"
	run -0 lines
	expect_eq "queue 05.0004 unbound
queue 05.0004 bound to vfio_ap: it can be assigned to guests
queue 05.0047 unbound
queue 05.0047 bound to vfio_ap: it can be assigned to guests
queue 05.00ab unbound
queue 05.00ab bound to vfio_ap: it can be assigned to guests
queue 05.00ff unbound
queue 05.00ff bound to vfio_ap: it can be assigned to guests
apmask changed: adapters 05 reserved for vfio_ap
bindings complete (8 of 8)" "$output"
}

@test "a mask change by a plain write: domains, and back to the host" {
	mon_start
	w bus/ap/aqmask -0xab >/dev/null
	wait_line "aqmask changed"
	w bus/ap/aqmask +0xab >/dev/null
	wait_line "returned to the host"
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | cut -d' ' -f2- | grep mask"
	expect_eq "aqmask changed: domains 00ab reserved for vfio_ap
aqmask changed: domains 00ab returned to the host" "$output"
}

@test "card config off and on: the APQNs leave and join the guest" {
	mdev_u1
	mon_start
	w devices/ap/card05/config 0 >/dev/null
	wait_line "configured off"
	w devices/ap/card05/config 1 >/dev/null
	wait_line "configured on"
	run -0 lines
	expect_eq "adapter 05 configured off: APQNs 05.0004 leave the guest of mdev $U1
adapter 05 configured on: APQNs 05.0004 join the guest of mdev $U1" "$output"
}

@test "an adapter and a domain leave the configuration at a scan, and come back" {
	mdev_u1
	mon_start
	ctl host domain-remove 4 >/dev/null
	ctl scan >/dev/null
	wait_line "queue 06.0004 went away"
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | cut -d' ' -f2- | grep 'went away'"
	expect_eq "queue 05.0004 went away: APQNs 05.0004 leave the guest of mdev $U1
queue 06.0004 went away" "$output"
	MARK=$(wc -l <"$OUT")
	ctl host adapter-add 7 >/dev/null
	ctl host domain-add 4 >/dev/null
	ctl scan >/dev/null
	wait_line "queue 07.00ff appeared"
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | cut -d' ' -f2- | grep -c 'appeared'"
	# card07 and its 4 queues, 05.0004 and 06.0004
	expect_eq 7 "$output"
	grep -qF "adapter 07 appeared" "$OUT" || fail "no line for card07"
}

@test "adapter removal takes the card and its queues away" {
	mon_start
	ctl host adapter-remove 6 >/dev/null
	ctl scan >/dev/null
	wait_line "adapter 06 went away"
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | cut -d' ' -f2- | grep 'went away'"
	expect_eq "queue 06.0004 went away
queue 06.0047 went away
queue 06.00ab went away
queue 06.00ff went away
adapter 06 went away" "$output"
}

@test "mdev create, assignments (no uevent: re-read), definition, remove" {
	"$APCTL" reserve 5 --domains 4 --yes --no-settle >/dev/null
	mon_start
	w "$TYPE/create" "$U1" >/dev/null
	wait_line "created"
	w "$MATRIX/$U1/assign_adapter" 5 >/dev/null
	w "$MATRIX/$U1/assign_domain" 4 >/dev/null
	wait_line "assignments of mdev"
	printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"4"}]}' \
		>"$APSIM_ROOT/etc/mdevctl.d/matrix/$U2"
	wait_line "definition of mdev $U2 written"
	rm "$APSIM_ROOT/etc/mdevctl.d/matrix/$U2"
	wait_line "definition of mdev $U2 removed"
	w "$MATRIX/$U1/remove" 1 >/dev/null
	wait_line "removed"
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | cut -d' ' -f2-"
	expect_eq "mdev $U1 created
assignments of mdev $U1 changed: APQNs 05.0004 join the guest of mdev $U1
definition of mdev $U2 written: adapters 05, domains 0004 when it is started
definition of mdev $U2 removed
mdev $U1 removed" "$output"
}

@test "--json: one object per line, valid against the schema, with the mask's ids" {
	command -v python3 >/dev/null && python3 -c 'import jsonschema' 2>/dev/null ||
		skip "python3-jsonschema is not installed"
	mon_start --json
	w bus/ap/apmask -6 >/dev/null
	wait_line '"kind":"mask"'
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | grep '\"kind\":\"mask\"'"
	line=$output
	python3 - "$top_srcdir/schema/apctl-event.schema.json" "$OUT" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for l in open(sys.argv[2]):
    jsonschema.validate(json.loads(l), schema)
PY
	run -0 jq -c '[.api_level, .kind, .source, .devpath, .mask, .to_vfio_ap, .to_host, .message, .properties.APMASK]' <<<"$line"
	mask=$(mask_all_but 6)
	expect_eq "[1,\"mask\",\"uevent\",\"/devices/ap\",\"apmask\",[\"06\"],[],\"apmask changed: adapters 06 reserved for vfio_ap\",\"$mask\"]" "$output"
}

@test "nothing for events apctl does not explain; --adapters leaves out other adapters" {
	"$APCTL" reserve 5,6 --domains 4 --yes --no-settle >/dev/null
	w "$TYPE/create" "$U1" >/dev/null
	SENTINEL=card05 mon_start --adapters 5
	# an mdev's own synthetic change, and adapter 06's events: nothing
	w "$MATRIX/$U1/uevent" change >/dev/null
	w devices/ap/card06/config 0 >/dev/null
	w devices/ap/card05/config 0 >/dev/null
	wait_line "adapter 05 configured off"
	run -0 lines
	expect_eq "adapter 05 configured off" "$output"
}

@test "--mdev: the events of that mdev and of its guest's APQNs only" {
	mdev_u1
	w "$TYPE/create" "$U2" >/dev/null
	SENTINEL=card05 mon_start --mdev "$U1"
	w devices/ap/card06/config 0 >/dev/null
	w "$MATRIX/$U2/remove" 1 >/dev/null
	w devices/ap/card05/config 0 >/dev/null
	wait_line "adapter 05 configured off"
	run -0 lines
	expect_eq "adapter 05 configured off: APQNs 05.0004 leave the guest of mdev $U1" "$output"
}

@test "--count and --timeout stop the monitor with 0; SIGTERM too" {
	run -0 timeout 20 "$APSIM_RUN" --enter "$APSIM_ROOT" -- "$APCTL" monitor --timeout 1
	expect_eq "" "$output"
	"$APSIM_RUN" --enter "$APSIM_ROOT" -- "$APCTL" monitor --count 2 >"$OUT" 3>&- &
	pid=$!
	for i in $(seq 50); do
		w devices/ap/card05/config 0 >/dev/null
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rc=0
	wait "$pid" || rc=$?
	expect_eq 0 "$rc" "exit status after --count 2"
	expect_eq 2 "$(wc -l <"$OUT")"
	mon_start
	kill -TERM "$MONPID"
	rc=0
	wait "$MONPID" || rc=$?
	MONPID=
	expect_eq 0 "$rc" "exit status after SIGTERM"
}

@test "usage errors: exit 2 with a message" {
	run -2 "$APCTL" monitor --count 0
	[[ $output == *"--count needs a positive number, not '0'"* ]] || fail "$output"
	run -2 "$APCTL" monitor --mdev nope
	run -2 "$APCTL" monitor --adapters 300
	[[ $output == *"--adapters 300"* ]] || fail "$output"
}

@test "a closed output ends the monitor with 1, without a message" {
	# (set -e is on in bats: the status is taken with ||)
	( rc=0
	  "$APSIM_RUN" --enter "$APSIM_ROOT" -- "$APCTL" monitor 2>"$OUT.err" || rc=$?
	  echo "$rc" >"$OUT.rc" ) 3>&- | head -n 1 >/dev/null &
	for i in $(seq 100); do
		w devices/ap/card05/config 0 >/dev/null
		[[ -s $OUT.rc ]] && break
		sleep 0.1
	done
	expect_eq 1 "$(cat "$OUT.rc")" "exit status (stderr: $(cat "$OUT.err"))"
	expect_eq "" "$(cat "$OUT.err")" "stderr"
}

@test "a burst of 10,000 events: all arrive (or a resync says so), the picture stays right" {
	mon_start --json
	# one store per write(2) on one descriptor: 10,000 uevents
	python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
for i in range(10000):
    os.write(fd, b"change")
' "$S/devices/ap/card05/uevent"
	w bus/ap/apmask -6 >/dev/null
	wait_line '"kind":"mask"'
	n=$(tail -n +$((MARK + 1)) "$OUT" | grep -c '"devpath":"/devices/ap/card05"' || true)
	r=$(tail -n +$((MARK + 1)) "$OUT" | grep -c '"kind":"resync"' || true)
	((n == 10000 || r > 0)) || fail "$n of 10000 events and no resync"
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | grep '\"kind\":\"mask\"' | jq -r .message"
	expect_eq "apmask changed: adapters 06 reserved for vfio_ap" "$output"
}

@test "a monitor started while changes happen keeps the right picture" {
	( for i in $(seq 30); do
		"$APCTL" reserve 6 --yes --no-settle >/dev/null 2>&1
		"$APCTL" release 6 --yes --no-settle >/dev/null 2>&1
	done ) 3>&- &
	LOOPPID=$!
	mon_start
	wait "$LOOPPID"
	LOOPPID=
	MARK=$(wc -l <"$OUT")
	w bus/ap/apmask -5 >/dev/null
	wait_line "apmask changed"
	run -0 bash -c "tail -n +$((MARK + 1)) '$OUT' | cut -d' ' -f2- | grep 'apmask'"
	expect_eq "apmask changed: adapters 05 reserved for vfio_ap" "$output"
}

# --settle: the kernel's BINDINGS=complete comes at the next scan; reserve
# runs one and waits for the event
settle_case() {
	local before after
	before=$(ctl uevents | grep -c '^BINDINGS=complete')
	run -0 apctl_ns reserve 5 --yes --settle
	[[ $output == *"the kernel reports the bindings complete"* ]] || fail "$output"
	after=$(ctl uevents | grep -c '^BINDINGS=complete')
	expect_eq $((before + 1)) "$after" "BINDINGS=complete events"
	# suppressed: the scan is lost, no event comes; the bound ends the wait
	ctl fault add bus/ap/scans --lost >/dev/null
	run -0 apctl_ns reserve 6 --yes --settle=1
	[[ $output == *"did not report the bindings complete within 1 second"* ]] || fail "$output"
	expect_eq "$after" "$(ctl uevents | grep -c '^BINDINGS=complete')"
}

@test "reserve --settle on 7.2: returns after BINDINGS=complete; suppressed: after the bound, with a note" {
	settle_case
}

@test "reserve --settle on 6.1: the same" {
	sim_stop
	SIM_NETNS=1 sim_start doc-example 6.1
	settle_case
}

@test "--settle is off by default against a simulated sysfs; --no-settle writes no scan" {
	before=$(ctl dump | jq .bus.scans)
	run -0 "$APCTL" reserve 5 --yes
	expect_eq "$before" "$(ctl dump | jq .bus.scans)"
	run -0 "$APCTL" release 5 --yes --no-settle
	expect_eq "$before" "$(ctl dump | jq .bus.scans)"
	run -2 "$APCTL" reserve 5 --yes --settle=x
}
