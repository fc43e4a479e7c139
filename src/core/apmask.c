/* SPDX-License-Identifier: MIT */
#include "config.h"
#include "core/apmask.h"
/* implementation pending */
