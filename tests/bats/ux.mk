# SPDX-License-Identifier: MIT
# The tool as a person meets it (issue 6): the man page, the bash and zsh
# completion, and the consistency of every surface with the code.
# Include from Makefile.am: include tests/bats/ux.mk
UX_BATS_TESTS = \
	tests/bats/ux-man.bats \
	tests/bats/ux-completion-bash.bats \
	tests/bats/ux-completion-zsh.bats \
	tests/bats/ux-consistency.bats \
	tests/bats/ux-daily.bats \
	tests/bats/ux-filters.bats

if ENABLE_TESTS
TESTS += $(UX_BATS_TESTS)
endif

EXTRA_DIST += \
	$(UX_BATS_TESTS) \
	tests/bats/ux-lib.bash \
	tests/bats/ux-code.awk \
	tests/bats/ux-zcomplete.zsh
# the README's demonstration
if ENABLE_TESTS
TESTS += tests/bats/demo.bats
endif
EXTRA_DIST += tests/bats/demo.bats scripts/demo.sh scripts/run .ci/run
