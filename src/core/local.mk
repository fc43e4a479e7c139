# SPDX-License-Identifier: MIT
# src/core: pure logic, no I/O.  Owned by the core.
noinst_LIBRARIES += src/core/libapcore.a
src_core_libapcore_a_SOURCES = \
 \
	src/core/exitcodes.h \
	src/core/apmask.c src/core/apmask.h \
	src/core/apqn.c src/core/apqn.h \
	src/core/model.c src/core/model.h \
	src/core/idlist.c src/core/idlist.h \
	src/core/select.c src/core/select.h \
	src/core/owner.c src/core/owner.h \
	src/core/request.c src/core/request.h \
	src/core/validate.c src/core/validate.h \
	src/core/plan.c src/core/plan.h \
	src/core/escape.c src/core/escape.h \
	src/core/journal.c src/core/journal.h \
	src/core/migrate.c src/core/migrate.h \
	src/core/event.c src/core/event.h
src_core_libapcore_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
