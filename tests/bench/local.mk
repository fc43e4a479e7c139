# SPDX-License-Identifier: MIT
# Benchmarks print figures; they are not tests (make bench).
EXTRA_DIST += tests/bench/bench-lib.bash tests/bench/bench.sh tests/bench/journal.sh \
	tests/bench/apply.sh tests/bench/monitor.sh
.PHONY: bench bench-journal bench-apply bench-monitor
# in-process validation cost (issue 13): built by make bench-apply only
EXTRA_PROGRAMS += tests/bench/bench-validate
tests_bench_bench_validate_SOURCES = tests/bench/bench-validate.c
tests_bench_bench_validate_LDADD = src/core/libapcore.a $(LIBINTL)
bench-apply: src/apctl tests/apsim/apsim tests/apsim/apsimctl tests/bench/bench-validate
	$(AM_V_at)top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(abs_top_srcdir)/tests/bench/apply.sh
bench: src/apctl tests/apsim/apsim tests/apsim/apsimctl
	$(AM_V_at)top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(abs_top_srcdir)/tests/bench/bench.sh $(BENCH_RUNS)
bench-journal: src/apctl tests/apsim/apsim tests/apsim/apsimctl
	$(AM_V_at)top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(abs_top_srcdir)/tests/bench/journal.sh $(BENCH_PAIRS)
# issue 11: show queues on the maximal host, reserve, the monitor's cost per event
bench-monitor: src/apctl tests/apsim/apsim tests/apsim/apsimctl
	$(AM_V_at)top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(abs_top_srcdir)/tests/bench/monitor.sh
