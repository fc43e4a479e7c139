/* SPDX-License-Identifier: MIT */
/*
 * Message translation for src/sys (same scheme as core/i18n.h): dgettext()
 * with apctl's domain; the program calls setlocale()/bindtextdomain().
 */
#ifndef APCTL_SYS_NLS_H
#define APCTL_SYS_NLS_H

#ifdef ENABLE_NLS
# include <libintl.h>
# define _(s)	dgettext(PACKAGE, s)
#else
# define _(s)	(s)
#endif
#define N_(s)	(s)

#endif
