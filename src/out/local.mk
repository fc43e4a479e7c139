# SPDX-License-Identifier: MIT
# src/out: column descriptors, libsmartcols tables, json-c documents.
noinst_LIBRARIES += src/out/libapout.a
src_out_libapout_a_SOURCES = \
	src/out/out.h \
	src/out/idfmt.c \
	src/out/cols.c \
	src/out/json.c \
	src/out/objects.c \
	src/out/grid.c \
	src/out/journal.c src/out/journal.h
src_out_libapout_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(SMARTCOLS_CFLAGS)
