/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "sys/diag.h"

void ap_diags_init(struct ap_diags *d)
{
	d->v = NULL;
	d->n = 0;
}

void ap_diags_free(struct ap_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	ap_diags_init(d);
}

void ap_diags_truncate(struct ap_diags *d, size_t n)
{
	while (d->n > n) {
		d->n--;
		free(d->v[d->n].path);
		free(d->v[d->n].msg);
	}
}

/*
 * Messages quote others' bytes (each escaped where it is put in, see
 * core/escape.h); as a safety net, what is not valid UTF-8 or is a control
 * character is escaped here as well.  Paths are file names found on disk:
 * escaped completely.
 */
static char *escaped(const char *s, bool text)
{
	size_t n = strlen(s), sz = 4 * n + 4;
	char *r = malloc(sz);

	if (!r)
		return NULL;
	if (text)
		ap_escape_text(r, sz, s);
	else
		ap_escape(r, sz, s, n);
	return r;
}

void ap_diags_add(struct ap_diags *d, enum ap_diag_level level, const char *path,
		  const char *fmt, ...)
{
	struct ap_diag *nv;
	char *msg = NULL, *p, *e;
	va_list ap;
	int r;

	if (!d)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	p = escaped(path ? path : "", false);
	e = escaped(msg, true);
	free(msg);
	msg = e;
	nv = realloc(d->v, (d->n + 1) * sizeof(*nv));
	if (!p || !msg || !nv) {
		free(p);
		free(msg);
		if (nv)
			d->v = nv;
		return;
	}
	d->v = nv;
	d->v[d->n].level = level;
	d->v[d->n].path = p;
	d->v[d->n].msg = msg;
	d->n++;
}

size_t ap_diags_errors(const struct ap_diags *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].level == AP_DIAG_ERROR;
	return n;
}
