/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * backlog.h - events waiting for their conntrack delete, behind a token
 * bucket of N deletions per second (burst: one second's worth). What the
 * cap holds back waits here; only a full queue drops, and that is counted.
 *
 * Two lanes: in a flood (thousands of single-packet flows a second) the
 * cap and the queue are a safety net, and what waits must be chosen. The
 * urgent lane goes first: TCP flows (a client hangs on them) and flows
 * reported again (they keep sending: the guard reports a flow once per
 * dedupe interval, so a second report means it is still alive). The
 * rest (a first report of UDP, ICMP, ...) waits behind, and is what a full
 * queue drops; a flow that keeps sending comes back as a repeat.
 */
#ifndef FG_BACKLOG_H
#define FG_BACKLOG_H

#include <stddef.h>
#include <stdint.h>

#include "flowguard.h"

enum fg_lane { FG_LANE_URGENT = 0, FG_LANE_REST, FG_NR_LANES };

struct fg_backlog_lane {
	struct fg_event *q;
	size_t cap, head, len;
	size_t peak; /* most queued since the lane was last empty */
};

struct fg_backlog {
	struct fg_backlog_lane lane[FG_NR_LANES];
	size_t len;	    /* both lanes */
	uint32_t *seen;	    /* hashes of flows reported once (direct-mapped) */
	uint64_t rate;	    /* deletions per second */
	uint64_t credit;    /* ns x rate earned, capped at one second's */
	uint64_t last_ns;
	size_t waiting;	    /* queued events already counted as held */
	uint64_t held;	    /* events the cap delayed, since last report */
	uint64_t dropped;   /* queue full, since last report */
	uint64_t held_total, dropped_total;
	uint64_t repeats;   /* non-TCP events promoted as a flow's repeat */
};

/* cap: events queued at most, both lanes (the urgent one gets a quarter). */
int fg_backlog_init(struct fg_backlog *b, size_t cap, uint32_t per_sec,
		    uint64_t now_ns);
void fg_backlog_fini(struct fg_backlog *b);
/* Queue an event in its lane; -ENOSPC (and counted as dropped) when full. */
int fg_backlog_push(struct fg_backlog *b, const struct fg_event *ev,
		    uint64_t now_ns);
/* 1 and the next event (urgent lane first, each in arrival order) if one
 * may go now, 0 otherwise. */
int fg_backlog_take(struct fg_backlog *b, uint64_t now_ns,
		    struct fg_event *out);
/* When the next event may go: 0 if the queue is empty. */
uint64_t fg_backlog_next_ns(const struct fg_backlog *b, uint64_t now_ns);

#endif /* FG_BACKLOG_H */
