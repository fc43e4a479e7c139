# SPDX-License-Identifier: MIT
sbin_PROGRAMS += src/apctl
src_apctl_SOURCES = src/apctl.c
src_apctl_LDADD = src/core/libapcore.a $(JSONC_LIBS) $(SMARTCOLS_LIBS) $(UDEV_LIBS) $(UUID_LIBS) $(LIBINTL)
src_apctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SMARTCOLS_CFLAGS) $(UDEV_CFLAGS) $(UUID_CFLAGS)
