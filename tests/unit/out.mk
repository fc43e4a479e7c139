# SPDX-License-Identifier: MIT
# Unit tests of src/out (TAP, see tests/unit/tap.h) on constructed models.
OUT_TESTS = \
	tests/unit/test-out-cols \
	tests/unit/test-out-grid
check_PROGRAMS += $(OUT_TESTS)
TESTS += $(OUT_TESTS)
EXTRA_DIST += tests/unit/out-model.h

OUT_TEST_LIBS = src/out/libapout.a src/core/libapcore.a $(JSONC_LIBS) $(SMARTCOLS_LIBS) $(LIBINTL)
tests_unit_test_out_cols_SOURCES = tests/unit/test-out-cols.c tests/unit/tap.h
tests_unit_test_out_cols_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SMARTCOLS_CFLAGS)
tests_unit_test_out_cols_LDADD = $(OUT_TEST_LIBS)
tests_unit_test_out_grid_SOURCES = tests/unit/test-out-grid.c tests/unit/tap.h
tests_unit_test_out_grid_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SMARTCOLS_CFLAGS)
tests_unit_test_out_grid_LDADD = $(OUT_TEST_LIBS)
