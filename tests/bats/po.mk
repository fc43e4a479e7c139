# SPDX-License-Identifier: MIT
# Translation checks (issue 6): POTFILES.in coverage, completeness and layout of
# po/de.po for the current sources, German help, language-independent JSON/raw.
# Included by Makefile.am (include tests/bats/po.mk).
PO_BATS_TESTS = tests/bats/po.bats

if ENABLE_TESTS
TESTS += $(PO_BATS_TESTS)
endif

EXTRA_DIST += $(PO_BATS_TESTS) po/README.md
