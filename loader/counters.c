// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* counters.c - the guard's per-CPU counters, summed over CPUs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "counters.h"

int fg_counters_read(int map_fd, uint32_t slot, struct fg_counters *sum)
{
	struct fg_counters *per_cpu;
	int ncpu = libbpf_num_possible_cpus();
	int i, j, rc = 0;

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
		for (j = 0; j < FG_CNT_MAX; j++)
			sum->c[j] += per_cpu[i].c[j];
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
