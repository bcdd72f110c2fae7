/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* counters.h - the guard's per-CPU counters, summed over CPUs. */
#ifndef FG_COUNTERS_H
#define FG_COUNTERS_H

#include <stdint.h>

#include "flowguard.h"

int fg_counters_read(int map_fd, uint32_t slot, struct fg_counters *sum);

/* Zero a slot on every CPU (a slot that now counts another device). */
int fg_counters_clear(int map_fd, uint32_t slot);

#endif /* FG_COUNTERS_H */
