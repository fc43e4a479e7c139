# SPDX-License-Identifier: MIT
# src/sys: all I/O (sysfs, config files, the AP lock).  Owned by the sys part.
noinst_LIBRARIES += src/sys/libapsys.a
src_sys_libapsys_a_SOURCES = \
 \
	src/sys/path.c src/sys/path.h \
	src/sys/diag.c src/sys/diag.h \
	src/sys/parse.c src/sys/parse.h \
	src/sys/mdevctl.c src/sys/mdevctl.h \
	src/sys/udevrule.c src/sys/udevrule.h \
	src/sys/lock.c src/sys/lock.h \
	src/sys/reader.c src/sys/reader.h \
	src/sys/exec.c src/sys/exec.h \
	src/sys/journal.c src/sys/journal.h \
	src/sys/pending.c src/sys/pending.h \
	src/sys/uevent.c src/sys/uevent.h
src_sys_libapsys_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(UDEV_CFLAGS)
