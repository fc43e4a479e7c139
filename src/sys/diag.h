/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics collected while reading the system: each names the file it is
 * about and carries a translated, human-readable message.  The caller prints
 * them (e.g. "apctl: warning: <path>: <msg>").
 */
#ifndef APCTL_SYS_DIAG_H
#define APCTL_SYS_DIAG_H

#include <stddef.h>

enum ap_diag_level {
	AP_DIAG_WARN = 0,	/* a value was taken, but it is suspicious */
	AP_DIAG_ERROR,		/* a file was missing or malformed: its value is unknown */
};

struct ap_diag {
	enum ap_diag_level level;
	char *path;		/* the file concerned (full path), never NULL */
	char *msg;		/* translated message, without the path */
};

struct ap_diags {
	struct ap_diag *v;
	size_t n;
};

void ap_diags_init(struct ap_diags *d);
void ap_diags_free(struct ap_diags *d);
/* Append one diagnostic (fmt is expected to be already translated).  On
 * allocation failure the diagnostic is dropped silently. */
void ap_diags_add(struct ap_diags *d, enum ap_diag_level level, const char *path,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* drop the diagnostics added after the first n */
void ap_diags_truncate(struct ap_diags *d, size_t n);
/* number of AP_DIAG_ERROR entries */
size_t ap_diags_errors(const struct ap_diags *d);

#endif
