# SPDX-License-Identifier: MIT
# The manual page apctl(8), written in roff -man (not generated).
# tests/bats/ux-man.bats renders it and tests/bats/ux-consistency.bats
# compares it with the code.
dist_man_MANS += man/apctl.8
