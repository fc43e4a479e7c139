# SPDX-License-Identifier: MIT
# bats suites for apsim (tests/bats/apsim-*.bats) and their helpers.
# The .bats files are sources: automake runs them through tests/bats/run-bats
# (BATS_LOG_COMPILER) with the environment of AM_TESTS_ENVIRONMENT.

APSIM_BATS_TESTS = \
	tests/bats/apsim-generic.bats \
	tests/bats/apsim-masks.bats \
	tests/bats/apsim-bus.bats \
	tests/bats/apsim-devices.bats \
	tests/bats/apsim-mdev.bats \
	tests/bats/apsim-shadow.bats \
	tests/bats/apsim-kernels.bats \
	tests/bats/apsim-doc.bats \
	tests/bats/apsim-run.bats \
	tests/bats/apsim-netlink.bats \
	tests/bats/apsim-ctl.bats

APSIM_BATS_HOSTS = \
	tests/bats/hosts/t-doc.json \
	tests/bats/hosts/t-small.json \
	tests/bats/hosts/t-noqci.json \
	tests/bats/hosts/t-na.json \
	tests/bats/hosts/t-eight.json \
	tests/bats/hosts/t-types.json

if ENABLE_TESTS
check_PROGRAMS += tests/apsim/tools/apsim-io
TESTS += $(APSIM_BATS_TESTS)
endif
tests_apsim_tools_apsim_io_SOURCES = tests/apsim/tools/apsim-io.c

EXTRA_DIST += \
	tests/bats/run-bats \
	tests/bats/helpers.bash \
	$(APSIM_BATS_TESTS) \
	$(APSIM_BATS_HOSTS)
