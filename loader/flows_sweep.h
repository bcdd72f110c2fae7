/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * flows_sweep.h - the dedupe map fg_flows kept to the flows reported
 * lately. An entry only matters for its dedupe interval; the LRU would
 * keep the rest until the map is full, so after a month every router
 * would carry a full map and a status that says nothing. The service
 * sweeps while reports come in and for a while after, never when idle.
 */
#ifndef FG_FLOWS_SWEEP_H
#define FG_FLOWS_SWEEP_H

#include <stdint.h>

/* Sweeps at most this often, and not before an interval has passed. */
#define FG_SWEEP_PERIOD_NS (10ULL * 1000000000ULL)

struct fg_flows_sweep {
	int map_fd;
	uint64_t keep_ns;  /* the dedupe interval: younger entries stay */
	uint64_t due_ns;   /* the next sweep; 0: none planned */
	uint64_t events;   /* reports seen when last planned */
	uint64_t removed;  /* entries swept away, in all */
	uint64_t sweeps;
	uint32_t left;	   /* entries the last sweep kept */
	int failed;	   /* the last sweep's error, once warned */
};

void fg_flows_sweep_init(struct fg_flows_sweep *sw, int map_fd,
			 uint64_t keep_ns);
/*
 * Called when the loop wakes, with the reports received in all: new
 * reports plan a sweep one period on; a due sweep runs. Returns when the
 * next is due (CLOCK_MONOTONIC ns) or 0 when none is: once the map is
 * empty nothing wakes the service.
 */
uint64_t fg_flows_sweep_tick(struct fg_flows_sweep *sw, uint64_t now_ns,
			     uint64_t events);
/*
 * Remove the entries of fg_flows (map_fd) last reported keep_ns or more
 * before now_ns; *removed and *left say how many went and stayed.
 * 0 or -errno (what was removed before the error stays removed).
 */
int fg_flows_expire(int map_fd, uint64_t now_ns, uint64_t keep_ns,
		    uint64_t *removed, uint32_t *left);

#endif /* FG_FLOWS_SWEEP_H */
