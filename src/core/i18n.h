/* SPDX-License-Identifier: MIT */
/*
 * Message translation for the core.  The core never calls setlocale() or
 * bindtextdomain(): the program does that once in main().  dgettext() with
 * our own domain keeps the core usable from any program.
 */
#ifndef APCTL_CORE_I18N_H
#define APCTL_CORE_I18N_H

#ifdef ENABLE_NLS
# include <libintl.h>
# define _(s)	dgettext(PACKAGE, s)
#else
# define _(s)	(s)
#endif
/* mark a string for extraction without translating it here */
#define N_(s)	(s)

#endif
