/* SPDX-License-Identifier: MIT */
/*
 * Replay driver: feeds every file of a fuzz corpus to a target's
 * LLVMFuzzerTestOneInput() and reports one TAP line per file, so the
 * committed corpus runs in `make check` without clang or libFuzzer.
 *
 *	fuzz-<target>-replay [DIR|FILE...]
 * Without arguments the corpus is $top_srcdir/tests/fuzz/corpus/<target>
 * (top_srcdir defaults to "."). A crash or a failed invariant aborts, which
 * the TAP driver reports as an error.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
# error "FUZZ_NAME must name the target"
#endif

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the name to report: "<dir>/<file>" of the last two path components */
static const char *short_name(const char *path)
{
	const char *end = strrchr(path, '/'), *p;

	if (!end || end == path)
		return path;
	for (p = end - 1; p > path && *p != '/'; p--)
		;
	return *p == '/' ? p + 1 : p;
}

static int run_file(const char *path, int n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f) {
		printf("not ok %d - %s: %s\n", n, path, strerror(errno));
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap ? cap * 2 : 4096);

			if (!nb) {
				fclose(f);
				free(buf);
				printf("not ok %d - %s: out of memory\n", n, path);
				return 1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	/* libFuzzer never passes NULL data with size > 0 */
	LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", len);
	free(buf);
	printf("ok %d - %s (%zu bytes)\n", n, short_name(path), len);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	char **files = NULL;
	size_t nfiles = 0;
	char defdir[4096];
	const char *top = getenv("top_srcdir");
	char *const *args = argv + 1;
	int nargs = argc - 1, failed = 0;

	if (nargs == 0) {
		static char *one[1];

		snprintf(defdir, sizeof(defdir), "%s/tests/fuzz/corpus/%s", top ? top : ".",
			 FUZZ_NAME);
		one[0] = defdir;
		args = one;
		nargs = 1;
	}
	for (int a = 0; a < nargs; a++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(args[a], &st) || !S_ISDIR(st.st_mode)) {
			files = realloc(files, (nfiles + 1) * sizeof(*files));
			if (!files)
				return 99;
			files[nfiles++] = strdup(args[a]);
			continue;
		}
		d = opendir(args[a]);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			char p[8192];

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", args[a], de->d_name);
			files = realloc(files, (nfiles + 1) * sizeof(*files));
			if (!files)
				return 99;
			files[nfiles++] = strdup(p);
		}
		closedir(d);
	}
	if (!nfiles) {
		printf("1..0 # SKIP no corpus files for %s\n", FUZZ_NAME);
		free(files);
		return 0;
	}
	qsort(files, nfiles, sizeof(*files), cmp);
	printf("1..%zu\n", nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		failed |= run_file(files[i], (int)i + 1);
		free(files[i]);
	}
	free(files);
	return failed;
}
