// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * reaper.c - get, check, delete by id: the kernel refuses a delete whose
 * CTA_ID no longer matches, so a flow re-created (with a new mark) between
 * the event and the delete is never touched. Events come in drain rounds;
 * each step is one batched netlink request per round, not one per event.
 */
#include <errno.h>
#include <string.h>

#include "event.h"
#include "reaper.h"

static const char *const fg_reap_names[] = {
	[FG_REAP_DELETED] = "deleted",
	[FG_REAP_MONITORED] = "seen (monitor)",
	[FG_REAP_GONE] = "already gone",
	[FG_REAP_REMARKED] = "re-marked, kept",
	[FG_REAP_RACED] = "replaced, kept",
	[FG_REAP_ERROR] = "error",
	[FG_REAP_STALE] = "stale",
	[FG_REAP_BELONGS] = "belongs there now, kept",
};

const char *fg_reap_outcome_name(enum fg_reap_outcome o)
{
	return fg_reap_names[o];
}

/*
 * The ct guard reports the entry's original tuple. The skbmark guard only
 * has the packet as it left, after NAT: an original-direction packet is
 * the inverse of the entry's reply tuple, a reply-direction one (a port
 * forward's answer) the inverse of its original tuple. One lookup serves
 * both: the kernel's lookup by tuple matches either direction of an
 * entry, whichever attribute carries the tuple.
 */
static void fg_reap_query(const struct fg_event *ev, struct fg_ct_query *q)
{
	memset(q, 0, sizeof(*q));
	fg_event_tuple(ev, &q->t);
	q->zone = ev->zone;
	q->dir = FG_CT_ORIG;
	if (ev->source == FG_SRC_CT)
		return;
	fg_tuple_invert(&q->t, &q->t);
	q->dir = FG_CT_REPLY;
}

/*
 * Stale: the entry still carries the flagged mark (never a flow re-created
 * since with another) and, by the uplink table as it is now, that mark may
 * not leave the device: an event may be old (a stalled drain, a ring
 * buffer a killed instance left behind) and the uplink up again since.
 * An unknown-mark report has only the entry's mark to go by.
 */
static void fg_reap_outcome(const struct fg_event *ev, uint32_t mask,
			    const struct fg_reap_judge *judge, int res,
			    struct fg_reap *r)
{
	int unknown = ev->flags & FG_EV_MARK_UNKNOWN;

	if (res == -ENOENT) {
		r->outcome = FG_REAP_GONE;
	} else if (res) {
		r->outcome = FG_REAP_ERROR;
		r->err = res;
	} else if (!unknown &&
		   (r->entry.mark & mask) != (ev->mark & mask)) {
		r->outcome = FG_REAP_REMARKED;
	} else if (judge ? judge->belongs(judge->ctx, (int)ev->ifindex,
					  r->entry.mark)
			 : unknown) {
		r->outcome = FG_REAP_BELONGS;
	} else {
		r->outcome = FG_REAP_STALE;
	}
}

/* At most FG_REAP_BATCH: one batched lookup. */
static void fg_reap_check_batch(struct fg_ct *ct, const struct fg_event *ev,
				size_t n, uint32_t mask,
				const struct fg_reap_judge *judge,
				struct fg_reap *out)
{
	/* zeroed: at -O1/-Os gcc cannot see that the loop below fills the
	 * n slots passed on (maybe-uninitialized, an error with -Werror);
	 * a few KB per round of netlink requests */
	struct fg_ct_query q[FG_REAP_BATCH] = {};
	struct fg_ct_entry e[FG_REAP_BATCH];
	int res[FG_REAP_BATCH];
	size_t i;

	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < n; i++)
		fg_reap_query(&ev[i], &q[i]);
	fg_ct_get_many(ct, q, n, e, res);
	for (i = 0; i < n; i++) {
		if (!res[i])
			out[i].entry = e[i];
		fg_reap_outcome(&ev[i], mask, judge, res[i], &out[i]);
	}
}

void fg_reap_check(struct fg_ct *ct, const struct fg_event *ev, size_t n,
		   uint32_t mask, const struct fg_reap_judge *judge,
		   struct fg_reap *out)
{
	size_t done, k;

	for (done = 0; done < n; done += k) {
		k = n - done < FG_REAP_BATCH ? n - done : FG_REAP_BATCH;
		fg_reap_check_batch(ct, ev + done, k, mask, judge, out + done);
	}
}

static void fg_reap_finish_batch(struct fg_ct *ct, struct fg_reap *r, size_t n)
{
	/* zeroed for gcc -O1/-Os, as in fg_reap_check_batch() */
	struct fg_ct_entry e[FG_REAP_BATCH] = {};
	size_t idx[FG_REAP_BATCH], i, k = 0;
	int res[FG_REAP_BATCH];

	for (i = 0; i < n; i++) {
		if (r[i].outcome != FG_REAP_STALE)
			continue;
		e[k] = r[i].entry;
		idx[k++] = i;
	}
	fg_ct_delete_many(ct, e, k, res);
	for (i = 0; i < k; i++) {
		struct fg_reap *x = &r[idx[i]];

		if (res[i] == -ENOENT) {
			x->outcome = FG_REAP_RACED;
		} else if (res[i]) {
			x->outcome = FG_REAP_ERROR;
			x->err = res[i];
		} else {
			x->outcome = FG_REAP_DELETED;
		}
	}
}

void fg_reap_finish(struct fg_ct *ct, struct fg_reap *r, size_t n)
{
	size_t done, k;

	for (done = 0; done < n; done += k) {
		k = n - done < FG_REAP_BATCH ? n - done : FG_REAP_BATCH;
		fg_reap_finish_batch(ct, r + done, k);
	}
}
