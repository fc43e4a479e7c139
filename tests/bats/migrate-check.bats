#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# apctl migrate-check: every rule of the v2-v4 live migration support failing
# alone, the passing cases, JSON, and documents that are not usable.
# Two simulated hosts: the source (this host) and the destination (its
# 'apctl show --json' document).

load helpers
load show-lib
load migrate-lib

teardown() {
	mig_stop
}

# run the check of the source against the destination's document
check() {
	apctl migrate-check --to "$DST_DOC" "$@"
}

OK_LINE="mdev $U1: can migrate"

# one failure: the exact verdict, the reason, and the fix
expect_one() {
	expect_rc 7 || return 1
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: $1
    fix: $2
0 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: identical hosts: the guest can migrate, exit 0" {
	mig_hosts . .
	check
	expect_rc 0
	expect_eq "$OK_LINE
1 of 1 mdevs can migrate
" "$out"
	expect_eq "" "$err"
}

@test "migrate-check: a newer AP type on the destination is allowed" {
	mig_hosts . '.adapters[0].type = "CEX8"'
	check
	expect_rc 0
	expect_eq "$OK_LINE
1 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: stateless functions on the source may move to full native" {
	mig_hosts '.adapters[0].class = "stateless"' .
	check
	expect_rc 0
	expect_eq "$OK_LINE
1 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: rule apqn-missing: the destination has no such queue" {
	mig_hosts . '.adapters |= map(select(.id != 6)) | .apmask = "0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"'
	check
	expect_one "the destination has no queue 06.0004" \
		"add adapter 06 and domain 0004 to the destination's configuration (its LPAR activation profile)"
}

@test "migrate-check: rule apqn-not-vfio: adapter 06 is the destination host's" {
	mig_hosts . '.apmask = "0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"'
	check
	expect_one "queue 06.0004 is not bound to vfio_ap on the destination" \
		"reserve adapter 06 for vfio_ap on the destination: apctl reserve --adapters 6"
}

@test "migrate-check: rule apqn-held: another mdev on the destination holds the APQN" {
	mig_hosts . ".mdevs += [{\"uuid\": \"$U2\", \"adapters\": [5], \"domains\": [4]}]"
	check
	expect_one "mdev $U2 on the destination holds 05.0004" \
		"take 05.0004 away from mdev $U2 on the destination ('apctl mdev modify $U2' without adapter 05 or domain 0004), or remove that mdev"
}

@test "migrate-check: rule cdom-missing: a control domain outside the destination's configuration" {
	mig_hosts '.mdevs[0].control_domains = [4, 71]' '.control_domains = [4]'
	check
	expect_one "control domain 0047 is not in the destination's configuration" \
		"add control domain 0047 to the destination's LPAR activation profile"
}

# facility bits: the default CCA word is 0x92800000 (APSC, CCA, APXA, full)
@test "migrate-check: rules apsc, ap4km, ap4kc, apxa: each facility bit alone" {
	local bit word
	for bit in APSC:0x12800000 AP4KM:0xd2800000 AP4KC:0xb2800000 APXA:0x90800000; do
		word=${bit#*:}
		bit=${bit%%:*}
		mig_hosts . ".adapters[0].functions = \"$word\""
		check
		if [[ $bit == AP4K* ]]; then
			expect_one "adapter 05: $bit is missing on the source and available on the destination" \
				"migrate to a host whose adapter 05 has the same facilities (see 'apctl show cards -o +FUNCTIONS' on both)"
		else
			expect_one "adapter 05: $bit is available on the source and missing on the destination" \
				"migrate to a host whose adapter 05 has the same facilities (see 'apctl show cards -o +FUNCTIONS' on both)"
		fi
		jqrule=$("$APCTL" migrate-check --to "$DST_DOC" --json | jq -r '.mdevs[0].findings[0].rule')
		expect_eq "${bit,,}" "$jqrule" "rule name"
		mig_stop
	done
}

@test "migrate-check: rule mode: CCA on the source, EP11 on the destination" {
	mig_hosts . '.adapters[0].mode = "ep11"'
	check
	expect_one "adapter 05 is in cca mode on the source and in ep11 mode on the destination" \
		"configure adapter 05 of the destination to cca mode (on the HMC or SE), or migrate to a host where it is"
}

@test "migrate-check: rule slcf on 7.2: command filtering differs" {
	mig_hosts . '.adapters[0].functions = "0x93800000"'
	check
	expect_one "adapter 05: command filtering (SLCF) is missing on the source and available on the destination" \
		"migrate to a host whose adapter 05 has the same command filtering"
}

@test "migrate-check: rule slcf-unknown before 6.17: not compared, a warning, exit 0" {
	mig_hosts . '.adapters[0].functions = "0x93800000"' 6.12
	# the kernel hides the bit before 6.17
	expect_eq "0x92800000" "$(cat "$DST_ROOT/sys/devices/ap/card05/ap_functions")"
	check
	expect_rc 0
	expect_eq "mdev $U1: can migrate (0 errors, 2 warnings)
  warning: adapter 05: command filtering (SLCF) was not compared: Linux shows it from 6.17 on, and apctl cannot tell that the source's kernel is that new (it can from 6.19 on)
    fix: compare the adapters' command filtering on the HMC
  warning: adapter 06: command filtering (SLCF) was not compared: Linux shows it from 6.17 on, and apctl cannot tell that the source's kernel is that new (it can from 6.19 on)
    fix: compare the adapters' command filtering on the HMC
1 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: rule function-class: full native may not move to stateless only" {
	mig_hosts . '.adapters[0].class = "stateless"'
	check
	expect_one "adapter 05 has the full native function set on the source and only stateless functions on the destination" \
		"migrate to a host whose adapter 05 has the full native function set"
}

@test "migrate-check: rule se-bound: a queue bound for Secure Execution, on either side" {
	# only a guest can bind a queue: on the destination, the incoming guest
	# (QEMU has the mdev open); apctl reads the word of the queues guests use
	mig_hosts . '.adapters[0].se_bound = [4] | .mdevs[0] += {"adapters": [5], "domains": [4], "attached": true}'
	check
	expect_one "queue 05.0004 is bound or associated for Secure Execution on the destination" \
		"unbind it in the Secure Execution guest that uses it (se_bind), or take it out of this guest's configuration"
	mig_stop
	mig_hosts '.adapters[1].se_bound = [4]' .
	check
	expect_one "queue 06.0004 is bound or associated for Secure Execution on the source" \
		"unbind it in the Secure Execution guest that uses it (se_bind), or take it out of this guest's configuration"
}

@test "migrate-check: rule ap-type: an older adapter on the destination" {
	mig_hosts . '.adapters[1].type = "CEX7"'
	check
	expect_one "adapter 06 is CEX8 (14) on the source and the older CEX7 (13) on the destination" \
		"migrate to a host whose adapter 06 is of the same or a newer type"
}

@test "migrate-check: rule uuid-missing: no mdev with the guest's UUID on the destination" {
	mig_hosts . '.mdevs = []'
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: the destination has no active mdev $U1
    kernel log: mediated device '$U1' not found
    fix: create it on the destination ('apctl migrate-check --prepare' prints the command)
0 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: rule se-guest: refused from inside a Secure Execution guest" {
	mig_hosts '.se_guest = true' .
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: the source is a Secure Execution guest: the kernel refuses migration from inside one
0 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: rule no-support: a destination kernel without migration support" {
	mig_hosts . 'del(.migration)'
	check
	expect_one "the destination's kernel cannot migrate guests with AP queues: the matrix device's features lack 'migratable' and no mdev has a 'migratable' attribute" \
		"run a kernel with vfio_ap live migration support on the destination"
}

@test "migrate-check: rule not-active: a named mdev that is only defined on the source" {
	mig_hosts . .
	define "$U2" manual '{"assign_adapter": "5"}, {"assign_domain": "0x47"}'
	check "$U2"
	expect_rc 7
	expect_eq "mdev $U2: cannot migrate (1 errors, 0 warnings)
  error: mdev $U2 is not active on the source: there is no guest configuration to move
0 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: --json: the verdict and findings, valid against the schema" {
	mig_hosts . '.apmask = "0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"'
	apctl migrate-check --to "$DST_DOC" --json
	expect_rc 7
	mig_json_valid
	expect_eq '{"variant":"v4","status":"problems","exit_code":7,"error":null,"mdevs":[{"uuid":"'$U1'","verdict":"cannot-migrate","findings":[{"severity":"error","rule":"apqn-not-vfio","adapter":6,"domain":4,"apqn":"06.0004","kernel_log":null}]}]}' \
		"$(jqo '{variant, status, exit_code, error, mdevs: [.mdevs[] | {uuid, verdict, findings: [.findings[] | {severity, rule, adapter, domain, apqn, kernel_log}]}]}')"
	# the summary document that went in is valid against the show schema
	out=$(cat "$DST_DOC")
	json_valid
	expect_eq '{"variant":"v4","se_guest":false,"slcf_visible":true}' "$(jqo '.host.migration')"
	# adapter 06 is the destination host's there: no queue of it is vfio_ap's
	expect_eq '["4,71","4,71","","4,71","",""]' \
		"$(jqo '[.cards[] | .queue_domains, .vfio_ap_domains, .se_bound_domains]')"
}

@test "migrate-check: the document from standard input, and two documents" {
	mig_hosts . '.adapters[1].type = "CEX7"'
	apctl migrate-check --to - <"$DST_DOC"
	expect_rc 7
	[[ $out == *"adapter 06 is CEX8 (14) on the source and the older CEX7 (13) on the destination"* ]] || fail "$out"
	src_doc
	# reversed, two documents: the older adapter is the source's now, and a
	# move to a newer one is allowed (the mdev has no guest there: named)
	apctl migrate-check --from "$DST_DOC" --to "$SRC_DOC"
	expect_rc 12
	apctl migrate-check --from "$DST_DOC" --to "$SRC_DOC" "$U1"
	expect_rc 0
	expect_eq "$OK_LINE
1 of 1 mdevs can migrate
" "$out"
}

@test "migrate-check: which mdevs: those with a guest, or those named; none is exit 12" {
	mig_hosts '.mdevs[0].attached = false' .
	check
	expect_rc 12
	expect_err "apctl: no guest is running on the source: name the mdevs to check"
	check "$U1"
	expect_rc 0
	check "$U2"
	expect_rc 2
	expect_err "apctl: no mdev $U2 on the source"
}

@test "migrate-check: command line errors are exit 2" {
	mig_hosts . .
	apctl migrate-check
	expect_rc 2
	[[ $err == *"name the other host's document with --to (this host is the source) or --from (this host is the destination)"* ]] || fail "$err"
	apctl migrate-check --to - --from -
	expect_rc 2
	apctl migrate-check --to "$DST_DOC" --apply
	expect_rc 2
	apctl migrate-check --to "$DST_DOC" not-a-uuid
	expect_rc 2
	expect_err "apctl: 'not-a-uuid' is not a UUID
Try 'apctl migrate-check --help' for more information."
	apctl migrate-check --to "$BATS_TEST_TMPDIR/none.json"
	expect_rc 2
	# --json on every exit path, also for an error of the global options
	apctl migrate-check --json --root
	expect_rc 2
	mig_json_valid
	expect_eq '{"status":"usage","exit_code":2}' "$(jqo '{status, exit_code}')"
	apctl migrate-check --json --to - --from -
	expect_rc 2
	mig_json_valid
}

# documents that are not usable: a clear error, exit 10, nothing else
bad_doc() {
	printf '%s' "$1" >"$BATS_TEST_TMPDIR/bad.json"
	apctl migrate-check --to "$BATS_TEST_TMPDIR/bad.json"
	expect_rc 10 || return 1
	expect_eq "" "$out" "stdout" || return 1
	expect_eq "apctl: $BATS_TEST_TMPDIR/bad.json: $2" "${err%$'\n'}" "stderr"
}

@test "migrate-check: older, truncated and hostile documents are exit 10 with the reason" {
	local doc
	mig_hosts . .
	doc=$(cat "$DST_DOC")
	bad_doc "$(jq 'del(.host.migration)' <<<"$doc")" \
		"not usable for the check: the document lacks 'host.migration': it was made by an apctl without migration support (use the same apctl version on both hosts)"
	bad_doc "$(jq '.api_level = 2' <<<"$doc")" \
		"not usable for the check: the document has api_level 2; this apctl reads level 1 (use the same apctl version on both hosts)"
	bad_doc "${doc:0:300}" "the JSON ends early (a truncated document?)"
	bad_doc "" "the JSON ends early (a truncated document?)"
	bad_doc "$doc junk" "text after the JSON document"
	bad_doc '<html>' "not JSON (unexpected character at byte 0)"
	bad_doc "$(jq '.cards[0].id = 999' <<<"$doc")" \
		"not usable for the check: cards[0].: id 999 is out of range (0 to 255)"
	bad_doc "$(jq '.cards[0].vfio_ap_domains = "4,junk"' <<<"$doc")" \
		"not usable for the check: cards[0].vfio_ap_domains: '4,junk' is not a list of ids"
	bad_doc "$(jq '.cards[0].functions = 5' <<<"$doc")" \
		"not usable for the check: 'cards[0].functions' has the wrong type"
	bad_doc "$(jq '.mdevs[0].uuid = "../../etc"' <<<"$doc")" \
		"not usable for the check: 'mdevs[0].uuid' is not a UUID"
	bad_doc "$(jq '.view = "cards"' <<<"$doc")" \
		"not usable for the check: the document is the 'cards' view, not the summary of 'apctl show --json'"
	bad_doc "$(printf '%.0s[' {1..100})" "not JSON (nesting too deep at byte 64)"
	bad_doc '[]' "not usable for the check: the document is not a JSON object"
	# the JSON error document says the same
	apctl migrate-check --to "$BATS_TEST_TMPDIR/bad.json" --json
	expect_rc 10
	mig_json_valid
	expect_eq '{"status":"error","exit_code":10,"mdevs":[]}' "$(jqo '{status, exit_code, mdevs}')"
	[[ $(jqo '.error') == *"not a JSON object"* ]] || fail "error: $(jqo '.error')"
}

@test "migrate-check --prepare: the commands that make the destination ready" {
	mig_hosts . '.mdevs = [] | .apmask = "0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"'
	check --prepare
	expect_rc 7
	expect_eq "apctl reserve --adapters 6
apctl mdev create --uuid $U1 --adapters 5,6 --domains 4 --control-domains 4
" "$out"
	apctl migrate-check --to "$DST_DOC" --prepare --json
	expect_rc 7
	mig_json_valid
	expect_eq '["apctl reserve --adapters 6","apctl mdev create --uuid '$U1' --adapters 5,6 --domains 4 --control-domains 4"]' "$(jqo '.prepare')"
	# nothing to prepare where the guest can migrate already
	mig_stop
	mig_hosts . .
	check --prepare
	expect_rc 0
	expect_eq "" "$out"
}

@test "migrate-check --prepare --apply: run on the destination, then checked again" {
	mig_hosts . '.mdevs = [] | .apmask = "0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"'
	src_doc
	rc=0
	on_dst "$APCTL" -q migrate-check --from "$SRC_DOC" --prepare --apply >"$BATS_TEST_TMPDIR/o" 2>&1 || rc=$?
	expect_eq 0 "$rc" "exit status: $(cat "$BATS_TEST_TMPDIR/o")"
	grep -qx "running: apctl reserve --adapters 6" "$BATS_TEST_TMPDIR/o" || fail "$(cat "$BATS_TEST_TMPDIR/o")"
	grep -qx "after the changes: 1 of 1 mdevs can migrate" "$BATS_TEST_TMPDIR/o" || fail "$(cat "$BATS_TEST_TMPDIR/o")"
	expect_eq "05.0004
06.0004" "$(cat "$DST_ROOT/sys/devices/vfio_ap/matrix/$U1/matrix")"
	expect_eq vfio_ap "$(basename "$(readlink "$DST_ROOT/sys/bus/ap/devices/06.0004/driver")")"
	dst_doc
	check
	expect_rc 0
	# --apply only where this host is the destination
	apctl migrate-check --to "$DST_DOC" --prepare --apply
	expect_rc 2
}
