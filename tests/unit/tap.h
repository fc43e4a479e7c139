/* SPDX-License-Identifier: MIT */
/*
 * A tiny TAP producer for C unit tests (header only).
 *
 *	plan(n) or plan_no_plan(); ... done_testing();
 *	ok(cond, "name %d", i);
 *	is_int(got, expected, "name");		long long compare
 *	is_str(got, expected, "name");		NULL-safe string compare
 *	is_mem(got, glen, expected, elen, "name");
 *	diag("free text %s", s);		"# ..." on stdout
 *	skip(n, "reason");
 *
 * Each check returns its result so a test can add context with diag().
 * done_testing() prints the plan if none was given and returns the exit
 * status (0 when every check passed and the plan matched).
 */
#ifndef APCTL_TESTS_TAP_H
#define APCTL_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_planned = -1;
static int tap_run;
static int tap_failed;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void plan_no_plan(void)
{
	tap_planned = -1;
}

__attribute__((format(printf, 2, 0)))
static inline void tap_vreport(bool pass, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	char name[512];

	vsnprintf(name, sizeof(name), fmt, ap);
	printf("%s %d - ", pass ? "ok" : "not ok", tap_run);
	/* keep the TAP line one line, and '#' from looking like a directive */
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '#')
			fputs("\\#", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('\n');
	fflush(stdout);
}

__attribute__((format(printf, 1, 2)))
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline void tap_diag_escaped(const char *label, const char *s, size_t n)
{
	printf("#   %s: '", label);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	puts("'");
}

__attribute__((format(printf, 2, 3)))
static inline bool ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	return pass;
}

__attribute__((format(printf, 3, 4)))
static inline bool is_int(long long got, long long expected, const char *fmt, ...)
{
	va_list ap;
	bool pass = got == expected;

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got: %lld\n#   expected: %lld\n", got, expected);
	return pass;
}

__attribute__((format(printf, 3, 4)))
static inline bool is_str(const char *got, const char *expected, const char *fmt, ...)
{
	va_list ap;
	bool pass;

	if (!got || !expected)
		pass = got == expected;
	else
		pass = !strcmp(got, expected);
	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass) {
		if (got)
			tap_diag_escaped("got", got, strlen(got));
		else
			puts("#   got: NULL");
		if (expected)
			tap_diag_escaped("expected", expected, strlen(expected));
		else
			puts("#   expected: NULL");
	}
	return pass;
}

__attribute__((format(printf, 5, 6)))
static inline bool is_mem(const void *got, size_t glen, const void *expected, size_t elen,
			  const char *fmt, ...)
{
	va_list ap;
	bool pass = glen == elen && (!glen || !memcmp(got, expected, glen));

	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_diag_escaped("got", got, glen);
		tap_diag_escaped("expected", expected, elen);
	}
	return pass;
}

static inline void skip(int n, const char *reason)
{
	for (int i = 0; i < n; i++) {
		tap_run++;
		printf("ok %d # SKIP %s\n", tap_run, reason);
	}
	fflush(stdout);
}

/* stop the whole test: "Bail out!" and exit 1 */
#define BAIL_OUT()								\
	do {									\
		printf("Bail out! %s:%d\n", __FILE__, __LINE__);		\
		exit(1);							\
	} while (0)

static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
	if (tap_failed)
		printf("# failed %d of %d tests\n", tap_failed, tap_run);
	fflush(stdout);
	return (tap_failed || (tap_planned >= 0 && tap_planned != tap_run)) ? 1 : 0;
}

#endif
