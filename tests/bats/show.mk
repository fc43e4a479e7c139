# SPDX-License-Identifier: MIT
# bats suites of apctl show, check and mdev list (issue 4), run against apsim.
SHOW_BATS_TESTS = \
	tests/bats/show-doc.bats \
	tests/bats/show-options.bats \
	tests/bats/show-mdev-list.bats \
	tests/bats/show-kernels.bats \
	tests/bats/show-maximal.bats \
	tests/bats/check-doc.bats

if ENABLE_TESTS
TESTS += $(SHOW_BATS_TESTS)
endif

EXTRA_DIST += \
	tests/bats/show-lib.bash \
	$(SHOW_BATS_TESTS)
