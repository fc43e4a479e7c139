#!/usr/bin/env bats
# SPDX-License-Identifier: MIT

load helpers
