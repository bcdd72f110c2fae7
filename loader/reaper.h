/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * reaper.h - turn one guard event into the deletion of exactly that flow's
 * conntrack entry, and never of an entry re-created since the event.
 */
#ifndef FG_REAPER_H
#define FG_REAPER_H

#include <stdint.h>

#include "ct.h"
#include "flowguard.h"

enum fg_reap_outcome {
	FG_REAP_DELETED = 0, /* the stale entry is gone, by us */
	FG_REAP_MONITORED,   /* found and left alone (monitor policy) */
	FG_REAP_GONE,	     /* no such entry any more */
	FG_REAP_REMARKED,    /* the entry now carries another mark */
	FG_REAP_RACED,	     /* replaced between our get and our delete */
	FG_REAP_ERROR,
	FG_REAP_STALE,	     /* checked, not acted on yet (fg_reap_check) */
	FG_REAP_BELONGS,     /* the entry's mark may leave that device now
			      * (uplink up again, or an unknown-mark report
			      * of a flow that belongs): kept */
	FG_REAP_NR_OUTCOMES,
};

/* Does an entry with this mark belong on the egress device ifindex now?
 * (The uplink table as it is when the event is dealt with.) */
struct fg_reap_judge {
	int (*belongs)(const void *ctx, int ifindex, uint32_t mark);
	const void *ctx;
};

struct fg_reap {
	enum fg_reap_outcome outcome;
	int err;		  /* -errno for FG_REAP_ERROR */
	struct fg_ct_entry entry; /* valid unless GONE or ERROR */
};

/* Events per batched request; callers may pass any n. */
#define FG_REAP_BATCH 64

/* Two steps, so that work (the client reset) can happen between the check
 * (the entry still carries the flagged mark: FG_REAP_STALE) and the
 * delete by id. fg_reap_check: n events -> n results, each STALE, GONE,
 * REMARKED, BELONGS or ERROR: STALE only if the entry still carries the
 * event's mark (an unknown-mark event: any mark) and the judge says that
 * mark does not belong on the device now. Without a judge (tests), known
 * marks are judged by the event alone, unknown ones never stale. fg_reap_finish deletes every entry still STALE (the
 * caller turns those it keeps, monitor policy, into MONITORED first):
 * DELETED, RACED or ERROR. A failed request shows as ERROR in its
 * results, never as a wider delete. */
void fg_reap_check(struct fg_ct *ct, const struct fg_event *ev, size_t n,
		   uint32_t mask, const struct fg_reap_judge *judge,
		   struct fg_reap *out);
void fg_reap_finish(struct fg_ct *ct, struct fg_reap *r, size_t n);
const char *fg_reap_outcome_name(enum fg_reap_outcome o);

#endif /* FG_REAPER_H */
