# SPDX-License-Identifier: MIT
# apsim: FUSE simulator of the s390 AP bus / vfio_ap sysfs ABI (test fixture).
# It shares no code with apctl (src/): its own parsers and model.
if ENABLE_TESTS
check_PROGRAMS += tests/apsim/apsim tests/apsim/apsimctl
# a short TAP self-test of the simulator and its runner
TESTS += tests/apsim/smoke.sh
endif

tests_apsim_apsim_SOURCES = \
	tests/apsim/apsim.h \
	tests/apsim/kparse.c \
	tests/apsim/sim.c \
	tests/apsim/attrs.c \
	tests/apsim/fs.c \
	tests/apsim/netlink.c \
	tests/apsim/ctl.c
tests_apsim_apsim_CPPFLAGS = -I$(top_builddir)
tests_apsim_apsim_CFLAGS = $(AM_CFLAGS) $(FUSE3_CFLAGS) $(JSONC_CFLAGS) -pthread
tests_apsim_apsim_LDADD = $(FUSE3_LIBS) $(JSONC_LIBS) -lpthread

tests_apsim_apsimctl_SOURCES = tests/apsim/apsimctl.c
tests_apsim_apsimctl_CPPFLAGS = -I$(top_builddir)

EXTRA_DIST += \
	tests/apsim/README.md \
	tests/apsim/apsim-run \
	tests/apsim/smoke.sh \
	tests/apsim/hosts/doc-example.json \
	tests/apsim/hosts/small.json \
	tests/apsim/hosts/maximal.json
