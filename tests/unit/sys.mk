# SPDX-License-Identifier: MIT
# Unit tests of src/sys (TAP, see tests/unit/tap.h).
SYS_TESTS = \
	tests/unit/test-sys-parse \
	tests/unit/test-sys-mdevctl \
	tests/unit/test-sys-udevrule \
	tests/unit/test-sys-lock \
	tests/unit/test-sys-reader \
	tests/unit/test-sys-exec
check_PROGRAMS += $(SYS_TESTS)
TESTS += $(SYS_TESTS)

SYS_TEST_LDADD = src/sys/libapsys.a src/core/libapcore.a $(JSONC_LIBS) $(LIBINTL)
tests_unit_test_sys_parse_SOURCES = tests/unit/test-sys-parse.c tests/unit/tap.h
tests_unit_test_sys_parse_LDADD = $(SYS_TEST_LDADD)
tests_unit_test_sys_mdevctl_SOURCES = tests/unit/test-sys-mdevctl.c tests/unit/tap.h
tests_unit_test_sys_mdevctl_LDADD = $(SYS_TEST_LDADD)
tests_unit_test_sys_udevrule_SOURCES = tests/unit/test-sys-udevrule.c tests/unit/tap.h
tests_unit_test_sys_udevrule_LDADD = $(SYS_TEST_LDADD)
tests_unit_test_sys_lock_SOURCES = tests/unit/test-sys-lock.c tests/unit/tap.h
tests_unit_test_sys_lock_LDADD = $(SYS_TEST_LDADD)
tests_unit_test_sys_reader_SOURCES = tests/unit/test-sys-reader.c tests/unit/tap.h
tests_unit_test_sys_reader_LDADD = $(SYS_TEST_LDADD)
tests_unit_test_sys_exec_SOURCES = tests/unit/test-sys-exec.c tests/unit/tap.h
tests_unit_test_sys_exec_LDADD = $(SYS_TEST_LDADD)
