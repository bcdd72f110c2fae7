// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flows_sweep.c - expired entries out of the dedupe map, in batches. */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "flowguard.h"
#include "flows_sweep.h"
#include "log.h"

/* Entries a lookup returns at once: a hash bucket never holds this many,
 * so the kernel's -ENOSPC (a bucket larger than the room) cannot come. */
#define FG_SWEEP_BATCH 256

void fg_flows_sweep_init(struct fg_flows_sweep *sw, int map_fd,
			 uint64_t keep_ns)
{
	*sw = (struct fg_flows_sweep){ .map_fd = map_fd, .keep_ns = keep_ns };
}

int fg_flows_expire(int map_fd, uint64_t now_ns, uint64_t keep_ns,
		    uint64_t *removed, uint32_t *left)
{
	/* zeroed once: valgrind does not know this bpf command and would
	 * take what the kernel writes for uninitialised memory */
	struct fg_flow_key keys[FG_SWEEP_BATCH] = {};
	uint64_t stamps[FG_SWEEP_BATCH] = {};
	/* the batch cursor: a bucket number for a hash map; key-sized as
	 * libbpf asks of every map type */
	struct fg_flow_key in = {}, out = {};
	int first = 1, done = 0, rc = 0;
	uint32_t i, n;

	*removed = 0;
	*left = 0;
	while (!done) {
		n = FG_SWEEP_BATCH;
		rc = bpf_map_lookup_batch(map_fd, first ? NULL : &in, &out,
					  keys, stamps, &n, NULL);
		if (rc < 0 && errno != ENOENT)
			return -errno;
		/* ENOENT: the last of the map came with this batch */
		done = rc < 0;
		rc = 0;
		first = 0;
		in = out;
		for (i = 0; i < n; i++) {
			/* a flow reported after now_ns is young too */
			if (stamps[i] > now_ns || now_ns - stamps[i] < keep_ns) {
				(*left)++;
				continue;
			}
			/* the guard may have removed or refreshed it since:
			 * the first costs nothing, the second one more report */
			if (!bpf_map_delete_elem(map_fd, &keys[i]))
				(*removed)++;
			else if (errno != ENOENT)
				return -errno;
		}
	}
	return rc;
}

uint64_t fg_flows_sweep_tick(struct fg_flows_sweep *sw, uint64_t now_ns,
			     uint64_t events)
{
	uint64_t removed = 0;
	int rc;

	if (events != sw->events) {
		sw->events = events;
		if (!sw->due_ns)
			sw->due_ns = now_ns + FG_SWEEP_PERIOD_NS;
	}
	if (!sw->due_ns || now_ns < sw->due_ns || sw->map_fd < 0)
		return sw->due_ns;
	rc = fg_flows_expire(sw->map_fd, now_ns, sw->keep_ns, &removed,
			     &sw->left);
	sw->removed += removed;
	sw->sweeps++;
	if (rc && !sw->failed)
		fg_warn("sweeping the dedupe map: %s", strerror(-rc));
	sw->failed = rc;
	/* what stays expires within a period; a failed sweep is not
	 * retried until new reports come */
	sw->due_ns = sw->left && !rc ? now_ns + FG_SWEEP_PERIOD_NS : 0;
	return sw->due_ns;
}
