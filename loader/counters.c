// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* counters.c - the guard's per-CPU counters, summed over CPUs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "counters.h"

const char *const fg_counter_names[FG_NR_COUNTERS] = {
	[FG_COUNTER_INDEX(seen)] = "seen",
	[FG_COUNTER_INDEX(no_ct)] = "no_ct",
	[FG_COUNTER_INDEX(flagged)] = "flagged",
	[FG_COUNTER_INDEX(events)] = "events",
	[FG_COUNTER_INDEX(lost)] = "lost",
	[FG_COUNTER_INDEX(lookup)] = "lookup",
	[FG_COUNTER_INDEX(lookup_hits)] = "lookup_hits",
	[FG_COUNTER_INDEX(unparsed)] = "unparsed",
};

uint64_t fg_counter_at(const struct fg_counters *c, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)c + i * sizeof(v), sizeof(v));
	return v;
}

/* SUM += C, counter by counter. */
static void fg_counters_add(struct fg_counters *sum,
			    const struct fg_counters *c)
{
	uint64_t a[FG_NR_COUNTERS], b[FG_NR_COUNTERS];
	size_t i;

	memcpy(a, sum, sizeof(a));
	memcpy(b, c, sizeof(b));
	for (i = 0; i < FG_NR_COUNTERS; i++)
		a[i] += b[i];
	memcpy(sum, a, sizeof(a));
}

int fg_counters_read(int map_fd, uint32_t slot, struct fg_counters *sum)
{
	struct fg_counters *per_cpu;
	int ncpu = libbpf_num_possible_cpus();
	int i, rc = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(map_fd, &slot, per_cpu)) {
		rc = -errno;
		goto out;
	}
	for (i = 0; i < ncpu; i++)
		fg_counters_add(sum, &per_cpu[i]);
out:
	free(per_cpu);
	return rc;
}

int fg_counters_clear(int map_fd, uint32_t slot)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fg_counters *zero;
	int rc = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	zero = calloc((size_t)ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(map_fd, &slot, zero, BPF_ANY))
		rc = -errno;
	free(zero);
	return rc;
}
