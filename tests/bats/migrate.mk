# SPDX-License-Identifier: MIT
# bats suites of apctl migrate-check and the v1 --migratable switch (issue 12),
# two simulated hosts each.
MIGRATE_BATS_TESTS = \
	tests/bats/migrate-check.bats \
	tests/bats/migrate-v1.bats

if ENABLE_TESTS
TESTS += $(MIGRATE_BATS_TESTS)
endif

EXTRA_DIST += \
	$(MIGRATE_BATS_TESTS) \
	tests/bats/migrate-lib.bash \
	tests/bats/hosts/t-mig.json
