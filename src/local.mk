# SPDX-License-Identifier: MIT
sbin_PROGRAMS += src/apctl
src_apctl_SOURCES = src/apctl.c src/i18n.h src/cmd/cmd.h src/cmd/mdev.c
# show, check, mdev list (issue 4)
src_apctl_SOURCES += src/cmd/load.c src/cmd/load.h src/cmd/show.c src/cmd/check.c \
	src/cmd/mdev_list.c
# reserve, release, mdev create/modify/remove and their transaction flow (issue 5)
src_apctl_SOURCES += src/cmd/change.c src/cmd/change.h src/cmd/reserve.c src/cmd/mdev_change.c
# what a change is checked against must have been read (issue 14)
src_apctl_SOURCES += src/cmd/inputs.c src/cmd/inputs.h
# an interrupted change: apctl repair (issue 9)
src_apctl_SOURCES += src/cmd/repair.c
# start, stop, define, undefine, the autostart run (issue 10)
src_apctl_SOURCES += src/cmd/mdev.h src/cmd/mdev_life.c
# export, apply: the declarative configuration (issue 13)
src_apctl_SOURCES += src/cmd/apply.c
# live guest migration: apctl migrate-check (issue 12)
src_apctl_SOURCES += src/cmd/migrate.c
# apctl monitor: events explained (issue 11)
src_apctl_SOURCES += src/cmd/monitor.c
# static libraries in dependency order: out and sys use core
src_apctl_LDADD = src/out/libapout.a src/sys/libapsys.a src/core/libapcore.a \
	$(JSONC_LIBS) $(SMARTCOLS_LIBS) $(UDEV_LIBS) $(UUID_LIBS) $(LIBINTL)
src_apctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SMARTCOLS_CFLAGS) $(UDEV_CFLAGS) $(UUID_CFLAGS)
