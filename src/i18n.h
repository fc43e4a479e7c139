/* SPDX-License-Identifier: MIT */
/* gettext glue for apctl's messages to people (not for JSON keys or raw columns). */
#ifndef APCTL_I18N_H
#define APCTL_I18N_H

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) dgettext(PACKAGE, s)
#define P_(s, p, n) dngettext(PACKAGE, s, p, n)
#else
#define _(s) (s)
#define P_(s, p, n) ((n) == 1 ? (s) : (p))
#endif
#define N_(s) (s)

#endif
