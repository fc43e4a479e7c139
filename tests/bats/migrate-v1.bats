#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The first version of the vfio_ap live migration support (v1): the per-mdev
# 'migratable' switch (apctl mdev modify --migratable) and the v1 rules of
# apctl migrate-check (same APQN count, every APQN assigned on the
# destination, the switch on both sides, the kernel's log lines).

load helpers
load show-lib
load migrate-lib

teardown() {
	mig_stop
}

SRC_V1='.migration = "v1" | .mdevs[0].migratable = true'
DST_V1='.migration = "v1" | .mdevs[0] += {"adapters": [5, 6], "domains": [4], "control_domains": [4], "migratable": true}'

check() {
	apctl migrate-check --to "$DST_DOC" "$@"
}

mfile() {
	cat "$S/devices/vfio_ap/matrix/$U1/migratable"
}

@test "v1: identical hosts with migration switched on: can migrate" {
	mig_hosts "$SRC_V1" "$DST_V1"
	check
	expect_rc 0
	expect_eq "mdev $U1: can migrate
1 of 1 mdevs can migrate
" "$out"
	expect_eq '"v1"' "$(jq -c .host.migration.variant "$DST_DOC")"
	expect_eq 'true' "$(jq -c '.mdevs[0].migratable' "$DST_DOC")"
}

@test "v1: rule migratable-off, on the source (with the kernel's line) and on the destination" {
	mig_hosts '.migration = "v1"' "$DST_V1"
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: migration is switched off for mdev $U1 on the source
    kernel log: migration disabled for the VFIO device
    fix: on the source: apctl mdev modify $U1 --migratable on
0 of 1 mdevs can migrate
" "$out"
	mig_stop
	mig_hosts "$SRC_V1" "$DST_V1 | .mdevs[0].migratable = false"
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: migration is switched off for mdev $U1 on the destination
    fix: on the destination: apctl mdev modify $U1 --migratable on
0 of 1 mdevs can migrate
" "$out"
}

@test "v1: rule apqn-count: fewer APQNs on the destination's mdev" {
	mig_hosts "$SRC_V1" "$DST_V1 | .mdevs[0].adapters = [5]"
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (2 errors, 0 warnings)
  error: the guest has 2 APQNs on the source, mdev $U1 on the destination has 1
    kernel log: source guest's AP config size (2) larger than target's (1)
    fix: assign the same adapters and domains to mdev $U1 on the destination ('apctl migrate-check --prepare' prints the commands)
  error: 06.0004 is not assigned to mdev $U1 on the destination
    fix: assign adapter 06 and domain 0004 to mdev $U1 on the destination
0 of 1 mdevs can migrate
" "$out"
	mig_stop
	# more on the destination: the other line of the kernel
	mig_hosts "$SRC_V1" "$DST_V1 | .mdevs[0].domains = [4, 71]"
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: the guest has 2 APQNs on the source, mdev $U1 on the destination has 4
    kernel log: number of queues on source (2) and target (4) guests differ
    fix: assign the same adapters and domains to mdev $U1 on the destination ('apctl migrate-check --prepare' prints the commands)
0 of 1 mdevs can migrate
" "$out"
}

@test "v1: rule apqn-unassigned: the same count, another APQN" {
	mig_hosts "$SRC_V1" "$DST_V1 | .mdevs[0].adapters = [5] | .mdevs[0].domains = [4, 71]"
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: 06.0004 is not assigned to mdev $U1 on the destination
    fix: assign adapter 06 and domain 0004 to mdev $U1 on the destination
0 of 1 mdevs can migrate
" "$out"
}

@test "v1: incompatible queues carry the kernel's line" {
	mig_hosts "$SRC_V1" "$DST_V1 | .adapters[0].mode = \"ep11\""
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: adapter 05 is in cca mode on the source and in ep11 mode on the destination
    kernel log: Source and target queues (05.0004) are not compatible
    fix: configure adapter 05 of the destination to cca mode (on the HMC or SE), or migrate to a host where it is
0 of 1 mdevs can migrate
" "$out"
}

@test "v1: rule variant-mismatch: v1 on the source, v4 on the destination" {
	mig_hosts "$SRC_V1" .
	check
	expect_rc 7
	expect_eq "mdev $U1: cannot migrate (1 errors, 0 warnings)
  error: the source's kernel has migration support v1, the destination's v4: the two do not work together
    fix: run kernels with the same migration support on both
0 of 1 mdevs can migrate
" "$out"
}

@test "v1: mdev modify --migratable on and off: written, read back, shown" {
	mig_hosts '.migration = "v1"' .
	expect_eq 0 "$(mfile)"
	apctl mdev list -o UUID,MIGRATABLE --noheadings
	expect_eq "$U1 no" "$(tr -s ' ' <<<"${out%$'\n'}")"
	apctl mdev modify "$U1" --migratable on
	expect_rc 0
	expect_eq "apctl: mdev $U1: live migration allowed" "${err%$'\n'}"
	expect_eq 1 "$(mfile)"
	apctl mdev list -o UUID,MIGRATABLE --noheadings
	expect_eq "$U1 yes" "$(tr -s ' ' <<<"${out%$'\n'}")"
	apctl mdev list --json
	expect_eq 'true' "$(jqo '.mdevs[0].migratable')"
	# the same again: nothing to do
	apctl mdev modify "$U1" --migratable on
	expect_rc 0
	expect_eq 1 "$(mfile)"
	apctl mdev modify "$U1" --migratable off --json
	expect_rc 0
	expect_eq '{"status":"ok","migratable":false,"steps":[{"do":"0","undo":"1","state":"done"}]}' \
		"$(jqo '{status, migratable, steps: [.steps[] | {do: .do.value, undo: .undo.value, state}]}')"
	expect_eq 0 "$(mfile)"
}

@test "v1: --migratable during a migration: EBUSY, nothing changed, exit 1" {
	mig_hosts '.migration = "v1"' .
	ctl migration "$U1" start
	apctl mdev modify "$U1" --migratable on
	expect_rc 1
	expect_eq "apctl: cannot allow live migration of mdev $U1 (migratable): the kernel refused it (EBUSY): a migration of the guest is in progress; switch it when the migration has ended
apctl: nothing was changed" "${err%$'\n'}"
	expect_eq 0 "$(mfile)"
	ctl migration "$U1" stop
	apctl mdev modify "$U1" --migratable on
	expect_rc 0
	expect_eq 1 "$(mfile)"
}

@test "v1: --migratable fault injection: EIO and a lost write leave the switch as it was" {
	mig_hosts '.migration = "v1"' .
	ctl fault add 'devices/vfio_ap/matrix/*/migratable' --errno EIO
	apctl mdev modify "$U1" --migratable on
	expect_rc 1
	expect_eq 0 "$(mfile)"
	ctl fault clear
	ctl fault add 'devices/vfio_ap/matrix/*/migratable' --lost
	apctl mdev modify "$U1" --migratable on
	expect_rc 1
	[[ $err == *"does not show the change"* ]] || fail "$err"
	expect_eq 0 "$(mfile)"
	ctl fault clear
	# a later step fails: the switch is undone with it
	ctl fault add "devices/vfio_ap/matrix/$U1/ap_config" --errno EIO
	apctl mdev modify "$U1" --migratable on --add-domains 0x47
	expect_rc 1
	expect_eq 0 "$(mfile)"
	[[ $(cat "$S/devices/vfio_ap/matrix/$U1/matrix") != *05.0047* ]] || fail "domain 0x47 stayed"
}

@test "v1: --migratable is refused where the kernel has no switch, and checked on the command line" {
	mig_hosts . .
	apctl mdev modify "$U1" --migratable on
	expect_rc 4
	[[ $err == *"this kernel has no 'migratable' switch for mdev $U1: only the first version of the vfio_ap live migration patches has one; with later versions every mdev can migrate (see 'apctl migrate-check')"* ]] || fail "$err"
	expect_missing "$S/devices/vfio_ap/matrix/$U1/migratable"
	apctl mdev list -o UUID,MIGRATABLE --noheadings
	expect_eq "$U1 -" "$(tr -s ' ' <<<"${out%$'\n'}")"
	apctl mdev modify "$U1" --migratable yes
	expect_rc 2
	expect_eq "apctl: --migratable takes on or off, not 'yes'
Try 'apctl mdev modify --help' for more information." "${err%$'\n'}"
	apctl mdev modify "$U1" --migratable on --persistent
	expect_rc 2
	apctl mdev modify "$U2" --migratable on
	expect_rc 2
}

@test "apsim v1: the migratable attribute's parser (kstrtouint, 0 or 1) and EBUSY" {
	mig_hosts '.migration = "v1"' .
	local f=devices/vfio_ap/matrix/$U1/migratable
	expect_w "$f" "1" OK
	expect_r "$f" '1\n'
	expect_w "$f" "0x0" OK
	expect_r "$f" '0\n'
	expect_w "$f" "2" EINVAL
	expect_w "$f" "on" EINVAL
	expect_w "$f" "-1" EINVAL
	expect_w "$f" "1"$'\n' OK
	ctl migration "$U1" start
	expect_w "$f" "0" EBUSY
	expect_r "$f" '1\n'
	expect_eq true "$(ctl dump | jq '.mdevs["'$U1'"].migrating')"
}
