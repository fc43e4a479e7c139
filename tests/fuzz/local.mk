# SPDX-License-Identifier: MIT
# Fuzzing of the core parsers (see tests/fuzz/README.md).
#
# `make check` builds one replay driver per target (plain C, any compiler)
# and runs the committed corpus through it as a TAP test.
# `make fuzz` builds the libFuzzer binaries with clang (FUZZ_CC, default
# clang) straight from the sources; `make fuzz-run` runs each for
# FUZZ_TIME seconds (default 60), writing new inputs to tests/fuzz/work/.

FUZZ_TARGETS = idlist mask matrix cdoms apconfig plan journal migdoc
# the sys layer's parsers (built with the sys sources and json-c)
FUZZ_SYS_TARGETS = mdevdef udevrule cmdline lockfile
FUZZ_REPLAYS = \
	tests/fuzz/fuzz-idlist-replay \
	tests/fuzz/fuzz-mask-replay \
	tests/fuzz/fuzz-matrix-replay \
	tests/fuzz/fuzz-cdoms-replay \
	tests/fuzz/fuzz-apconfig-replay \
	tests/fuzz/fuzz-plan-replay \
	tests/fuzz/fuzz-journal-replay \
	tests/fuzz/fuzz-migdoc-replay \
	tests/fuzz/fuzz-mdevdef-replay \
	tests/fuzz/fuzz-udevrule-replay \
	tests/fuzz/fuzz-cmdline-replay \
	tests/fuzz/fuzz-lockfile-replay
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)

FUZZ_REPLAY_LDADD = src/core/libapcore.a $(JSONC_LIBS) $(LIBINTL)
FUZZ_SYS_REPLAY_LDADD = src/sys/libapsys.a src/core/libapcore.a $(JSONC_LIBS) $(UDEV_LIBS) \
	$(LIBINTL)
tests_fuzz_fuzz_idlist_replay_SOURCES = tests/fuzz/fuzz-idlist.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_idlist_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"idlist"'
tests_fuzz_fuzz_idlist_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_mask_replay_SOURCES = tests/fuzz/fuzz-mask.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_mask_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"mask"'
tests_fuzz_fuzz_mask_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_matrix_replay_SOURCES = tests/fuzz/fuzz-matrix.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_matrix_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"matrix"'
tests_fuzz_fuzz_matrix_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_cdoms_replay_SOURCES = tests/fuzz/fuzz-cdoms.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_cdoms_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"cdoms"'
tests_fuzz_fuzz_cdoms_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_apconfig_replay_SOURCES = tests/fuzz/fuzz-apconfig.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_apconfig_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"apconfig"'
tests_fuzz_fuzz_apconfig_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_plan_replay_SOURCES = tests/fuzz/fuzz-plan.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_plan_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"plan"'
tests_fuzz_fuzz_plan_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_journal_replay_SOURCES = tests/fuzz/fuzz-journal.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_journal_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"journal"'
tests_fuzz_fuzz_journal_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_migdoc_replay_SOURCES = tests/fuzz/fuzz-migdoc.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_migdoc_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"migdoc"'
tests_fuzz_fuzz_migdoc_replay_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_fuzz_fuzz_migdoc_replay_LDADD = $(FUZZ_REPLAY_LDADD)
tests_fuzz_fuzz_mdevdef_replay_SOURCES = tests/fuzz/fuzz-mdevdef.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_mdevdef_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"mdevdef"'
tests_fuzz_fuzz_mdevdef_replay_LDADD = $(FUZZ_SYS_REPLAY_LDADD)
tests_fuzz_fuzz_udevrule_replay_SOURCES = tests/fuzz/fuzz-udevrule.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_udevrule_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"udevrule"'
tests_fuzz_fuzz_udevrule_replay_LDADD = $(FUZZ_SYS_REPLAY_LDADD)
tests_fuzz_fuzz_cmdline_replay_SOURCES = tests/fuzz/fuzz-cmdline.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_cmdline_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"cmdline"'
tests_fuzz_fuzz_cmdline_replay_LDADD = $(FUZZ_SYS_REPLAY_LDADD)
tests_fuzz_fuzz_lockfile_replay_SOURCES = tests/fuzz/fuzz-lockfile.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_lockfile_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"lockfile"'
tests_fuzz_fuzz_lockfile_replay_LDADD = $(FUZZ_SYS_REPLAY_LDADD)

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/corpus

FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_TIME = 60

.PHONY: fuzz fuzz-run
fuzz: $(top_builddir)/config.h
	@$(MKDIR_P) tests/fuzz
	@set -e; core=; \
	for f in $(src_core_libapcore_a_SOURCES); do \
		case $$f in *.c) core="$$core $(top_srcdir)/$$f";; esac; \
	done; \
	sys=; \
	for f in $(src_sys_libapsys_a_SOURCES); do \
		case $$f in *.c) sys="$$sys $(top_srcdir)/$$f";; esac; \
	done; \
	for t in $(FUZZ_TARGETS); do \
		echo "  FUZZCC   tests/fuzz/fuzz-$$t"; \
		$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEFS) -I$(top_srcdir)/src -I$(top_builddir) \
			-I$(top_srcdir)/tests/fuzz $(JSONC_CFLAGS) -o tests/fuzz/fuzz-$$t \
			$(top_srcdir)/tests/fuzz/fuzz-$$t.c $$core $(JSONC_LIBS) $(LIBINTL); \
	done; \
	for t in $(FUZZ_SYS_TARGETS); do \
		echo "  FUZZCC   tests/fuzz/fuzz-$$t"; \
		$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEFS) -I$(top_srcdir)/src -I$(top_builddir) \
			-I$(top_srcdir)/tests/fuzz $(JSONC_CFLAGS) $(UDEV_CFLAGS) \
			-o tests/fuzz/fuzz-$$t $(top_srcdir)/tests/fuzz/fuzz-$$t.c $$sys $$core \
			$(JSONC_LIBS) $(UDEV_LIBS) $(LIBINTL); \
	done

fuzz-run: fuzz
	@set -e; for t in $(FUZZ_TARGETS) $(FUZZ_SYS_TARGETS); do \
		$(MKDIR_P) tests/fuzz/work/$$t; \
		echo "fuzzing $$t for $(FUZZ_TIME)s"; \
		tests/fuzz/fuzz-$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/ \
			tests/fuzz/work/$$t $(top_srcdir)/tests/fuzz/corpus/$$t; \
	done

CLEANFILES += tests/fuzz/fuzz-idlist tests/fuzz/fuzz-mask tests/fuzz/fuzz-matrix \
	tests/fuzz/fuzz-cdoms tests/fuzz/fuzz-apconfig tests/fuzz/fuzz-plan \
	tests/fuzz/fuzz-journal tests/fuzz/fuzz-mdevdef tests/fuzz/fuzz-udevrule \
	tests/fuzz/fuzz-cmdline tests/fuzz/fuzz-lockfile tests/fuzz/fuzz-migdoc
