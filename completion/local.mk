# SPDX-License-Identifier: MIT
# Shell completion: completion/apctl.bash is installed as "apctl" into
# $(bashcompletiondir), completion/_apctl into $(zshcompletiondir) (both
# substituted by configure).  The bash file is copied to its installed name
# in the build tree, so no install hook is needed.
bashcompletion_DATA = completion/apctl
dist_zshcompletion_DATA = completion/_apctl
CLEANFILES += completion/apctl
EXTRA_DIST += completion/apctl.bash

completion/apctl: completion/apctl.bash
	$(AM_V_GEN)$(MKDIR_P) completion && cp $(srcdir)/completion/apctl.bash $@
