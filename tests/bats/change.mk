# SPDX-License-Identifier: MIT
# End-to-end tests of apctl reserve/release and mdev create/modify/remove
# against apsim (issue 5).  Included from Makefile.am.
CHANGE_BATS = \
	tests/bats/change-reserve.bats \
	tests/bats/change-mdev.bats \
	tests/bats/change-faults.bats \
	tests/bats/change-lock.bats \
	tests/bats/change-concurrency.bats \
	tests/bats/change-kernels.bats \
	tests/bats/change-signals.bats \
	tests/bats/change-hostile.bats \
	tests/bats/boot-audit.bats \
	tests/bats/peer-mdevctl.bats \
	tests/bats/peer-mdevctl-life.bats \
	tests/bats/mdev-life.bats \
	tests/bats/mdev-life-faults.bats \
	tests/bats/peer-driverctl.bats \
	tests/bats/change-crash-masks.bats \
	tests/bats/change-crash-mdev.bats \
	tests/bats/change-crash-assign.bats \
	tests/bats/change-repair.bats \
	tests/bats/override.bats \
	tests/bats/override-change.bats \
	tests/bats/change-crash-override.bats \
	tests/bats/apply.bats \
	tests/bats/apply-faults.bats \
	tests/bats/monitor.bats
if ENABLE_TESTS
TESTS += $(CHANGE_BATS)
endif
EXTRA_DIST += $(CHANGE_BATS) tests/bats/change-helpers.bash tests/bats/crash-lib.bash
# the JSON Schema of their --json result documents
dist_pkgdata_DATA += schema/apctl-change.schema.json
# apctl monitor --json: one object per line (issue 11)
dist_pkgdata_DATA += schema/apctl-event.schema.json
