/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* messages quote file content: keep terminal control characters out */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void ap_diags_add(struct ap_diags *d, enum ap_diag_level level, const char *path,
		  const char *fmt, ...)
{
	struct ap_diag *nv;
	char *msg = NULL, *p;
	va_list ap;
	int r;

	if (!d)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	p = strdup(path ? path : "");
	nv = realloc(d->v, (d->n + 1) * sizeof(*nv));
	if (!p || !nv) {
		free(p);
		free(msg);
		if (nv)
			d->v = nv;
		return;
	}
	d->v = nv;
	sanitize(msg);
	sanitize(p);
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
