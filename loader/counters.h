/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* counters.h - the guard's per-CPU counters, summed over CPUs. */
#ifndef FG_COUNTERS_H
#define FG_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "flowguard.h"

/* A counter by number, for the readers that walk them all: the fields of
 * struct fg_counters in their order, each a __u64 at 8 * its number
 * (fg_layout.h asserts it). FG_COUNTER_INDEX(lost) is lost's number. */
#define FG_COUNTER_INDEX(field) \
	(offsetof(struct fg_counters, field) / sizeof(__u64))

/* The field names (what bpftool shows), by number. */
extern const char *const fg_counter_names[FG_NR_COUNTERS];

/* Counter number I (< FG_NR_COUNTERS) of C. */
uint64_t fg_counter_at(const struct fg_counters *c, size_t i);

int fg_counters_read(int map_fd, uint32_t slot, struct fg_counters *sum);

/* Zero a slot on every CPU (a slot that now counts another device). */
int fg_counters_clear(int map_fd, uint32_t slot);

#endif /* FG_COUNTERS_H */
