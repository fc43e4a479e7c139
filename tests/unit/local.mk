# SPDX-License-Identifier: MIT
# Unit tests of src/core (TAP, see tests/unit/tap.h).
CORE_TESTS = \
	tests/unit/test-apmask \
	tests/unit/test-apqn \
	tests/unit/test-model \
	tests/unit/test-idlist \
	tests/unit/test-select \
	tests/unit/test-owner \
	tests/unit/test-validate \
	tests/unit/test-plan \
	tests/unit/test-escape \
	tests/unit/test-migrate \
	tests/unit/test-event
check_PROGRAMS += $(CORE_TESTS)
TESTS += $(CORE_TESTS)
EXTRA_DIST += tests/unit/tap.h tests/unit/masks.h

tests_unit_test_apmask_SOURCES = tests/unit/test-apmask.c tests/unit/tap.h
tests_unit_test_apmask_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_apqn_SOURCES = tests/unit/test-apqn.c tests/unit/tap.h
tests_unit_test_apqn_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_model_SOURCES = tests/unit/test-model.c tests/unit/tap.h
tests_unit_test_model_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_idlist_SOURCES = tests/unit/test-idlist.c tests/unit/tap.h tests/unit/masks.h
tests_unit_test_idlist_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_select_SOURCES = tests/unit/test-select.c tests/unit/tap.h tests/unit/masks.h
tests_unit_test_select_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_owner_SOURCES = tests/unit/test-owner.c tests/unit/tap.h
tests_unit_test_owner_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_validate_SOURCES = tests/unit/test-validate.c tests/unit/tap.h tests/unit/masks.h
tests_unit_test_validate_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_plan_SOURCES = tests/unit/test-plan.c tests/unit/tap.h tests/unit/masks.h
tests_unit_test_plan_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_escape_SOURCES = tests/unit/test-escape.c tests/unit/tap.h
tests_unit_test_escape_LDADD = src/core/libapcore.a $(LIBINTL)
tests_unit_test_migrate_SOURCES = tests/unit/test-migrate.c tests/unit/tap.h
tests_unit_test_migrate_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_migrate_LDADD = src/core/libapcore.a $(JSONC_LIBS) $(LIBINTL)
tests_unit_test_event_SOURCES = tests/unit/test-event.c tests/unit/tap.h
tests_unit_test_event_LDADD = src/core/libapcore.a $(LIBINTL)
