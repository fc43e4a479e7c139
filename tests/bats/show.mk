# SPDX-License-Identifier: MIT
# bats suites of apctl show, check and mdev list (issue 4), run against apsim.
SHOW_BATS_TESTS = \
	tests/bats/show-doc.bats \
	tests/bats/show-options.bats \
	tests/bats/show-mdev-list.bats \
	tests/bats/show-kernels.bats \
	tests/bats/show-maximal.bats \
	tests/bats/check-doc.bats \
	tests/bats/show-race.bats

if ENABLE_TESTS
TESTS += $(SHOW_BATS_TESTS)
endif

SHOW_EXPECTED = \
	tests/bats/expected/show/check-overprov.txt \
	tests/bats/expected/show/check-persist.txt \
	tests/bats/expected/show/check-shared-auto.txt \
	tests/bats/expected/show/check-shared-manual.txt \
	tests/bats/expected/show/doc-attached-matrix.txt \
	tests/bats/expected/show/doc-attached-queues.txt \
	tests/bats/expected/show/doc-conflict-matrix.txt \
	tests/bats/expected/show/doc-defs-matrix.txt \
	tests/bats/expected/show/doc-defs-mdev4.txt \
	tests/bats/expected/show/doc-defs-show.txt \
	tests/bats/expected/show/doc-overprov-matrix.txt \
	tests/bats/expected/show/doc-overprov-mdev2.txt \
	tests/bats/expected/show/doc-plain-cards.txt \
	tests/bats/expected/show/doc-plain-matrix.txt \
	tests/bats/expected/show/doc-plain-queues.txt \
	tests/bats/expected/show/doc-plain-show.txt \
	tests/bats/expected/show/doc-reserved-matrix.txt \
	tests/bats/expected/show/doc-reserved-show.txt \
	tests/bats/expected/show/doc-three-matrix.txt \
	tests/bats/expected/show/doc-three-mdev1.txt \
	tests/bats/expected/show/doc-three-mdevs.txt \
	tests/bats/expected/show/doc-three-queues.txt \
	tests/bats/expected/show/doc-three-show.json \
	tests/bats/expected/show/doc-three-show.txt \
	tests/bats/expected/show/doc-three-show-6.12.txt \
	tests/bats/expected/show/doc-unbound-mdev1.txt \
	tests/bats/expected/show/k510-three-mdev1.txt \
	tests/bats/expected/show/k510-three-show.txt \
	tests/bats/expected/show/mdev-list.txt \
	tests/bats/expected/show/opt-cards-plus.txt \
	tests/bats/expected/show/opt-queues-raw.txt

EXTRA_DIST += \
	tests/bats/show-lib.bash \
	$(SHOW_BATS_TESTS) \
	$(SHOW_EXPECTED)
