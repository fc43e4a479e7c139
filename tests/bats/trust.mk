# SPDX-License-Identifier: MIT
# End-to-end tests with hostile state left on the machine (issue 18): lock
# files other users plant, damaged id limits, planted bytes in output, and
# writes that must stay below the root.  Included from Makefile.am.
TRUST_BATS = \
	tests/bats/trust-lock.bats \
	tests/bats/trust-root.bats \
	tests/bats/trust-limits.bats \
	tests/bats/trust-escape.bats
if ENABLE_TESTS
TESTS += $(TRUST_BATS)
endif
EXTRA_DIST += $(TRUST_BATS)
