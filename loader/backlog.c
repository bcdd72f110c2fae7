// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* backlog.c - the deletion queue and its per-second cap. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "backlog.h"
#include "heap.h"

#define FG_NS_PER_SEC 1000000000ULL
#define FG_SEEN_SLOTS 8192 /* 32 KiB: flows told apart in a flood */
/* A lane that held more than this gives its memory back once empty. */
#define FG_LANE_KEEP 256

static int fg_lane_init(struct fg_backlog_lane *l, size_t cap)
{
	l->cap = cap;
	l->q = calloc(cap, sizeof(*l->q));
	return l->q ? 0 : -ENOMEM;
}

int fg_backlog_init(struct fg_backlog *b, size_t cap, uint32_t per_sec,
		    uint64_t now_ns)
{
	size_t urgent = cap > 4 ? cap / 4 : 1;

	if (!cap || !per_sec)
		return -EINVAL;
	*b = (struct fg_backlog){ .last_ns = now_ns };
	b->seen = calloc(FG_SEEN_SLOTS, sizeof(*b->seen));
	if (!b->seen || fg_lane_init(&b->lane[FG_LANE_URGENT], urgent) ||
	    (cap > urgent &&
	     fg_lane_init(&b->lane[FG_LANE_REST], cap - urgent))) {
		fg_backlog_fini(b);
		return -ENOMEM;
	}
	b->rate = per_sec;
	b->credit = FG_NS_PER_SEC * per_sec;
	return 0;
}

void fg_backlog_fini(struct fg_backlog *b)
{
	for (int i = 0; i < FG_NR_LANES; i++) {
		free(b->lane[i].q);
		b->lane[i].q = NULL;
		b->lane[i].cap = 0;
	}
	free(b->seen);
	b->seen = NULL;
}

/* FNV-1a over the event's flow (0 is kept for "empty"). */
static uint32_t fg_flow_hash(const struct fg_event *ev)
{
	const uint8_t *parts[] = { ev->saddr, ev->daddr,
				   (const uint8_t *)&ev->sport,
				   (const uint8_t *)&ev->dport,
				   (const uint8_t *)&ev->ifindex };
	const size_t lens[] = { 16, 16, 2, 2, 4 };
	uint32_t h = 2166136261u ^ ev->l4proto;

	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < lens[i]; j++)
			h = (h ^ parts[i][j]) * 16777619u;
	return h ? h : 1;
}

/* TCP, or a flow this queue has seen before: urgent. */
static enum fg_lane fg_lane_of(struct fg_backlog *b, const struct fg_event *ev)
{
	uint32_t h, *slot;

	if (ev->l4proto == IPPROTO_TCP)
		return FG_LANE_URGENT;
	h = fg_flow_hash(ev);
	slot = &b->seen[h % FG_SEEN_SLOTS];
	if (*slot == h) {
		b->repeats++;
		return FG_LANE_URGENT;
	}
	*slot = h;
	return FG_LANE_REST;
}

static int fg_lane_push(struct fg_backlog_lane *l, const struct fg_event *ev)
{
	if (l->len == l->cap)
		return -ENOSPC;
	l->q[(l->head + l->len) % l->cap] = *ev;
	l->len++;
	if (l->len > l->peak)
		l->peak = l->len;
	return 0;
}

/* The lane's next event (it has one). An empty lane starts again at its
 * first slot, so that a trickle keeps touching the same few pages; after
 * a flood the pages it filled go back to the system. */
static void fg_lane_pop(struct fg_backlog_lane *l, struct fg_event *out)
{
	*out = l->q[l->head];
	l->head = (l->head + 1) % l->cap;
	if (--l->len)
		return;
	l->head = 0;
	if (l->peak > FG_LANE_KEEP)
		fg_heap_drop_pages(l->q, l->cap * sizeof(*l->q));
	l->peak = 0;
}

/* Credit in ns x rate: one event costs 1e9 of it, a nanosecond earns
 * `rate`, so rates that do not divide a second stay exact. */
static void fg_backlog_refill(struct fg_backlog *b, uint64_t now_ns)
{
	uint64_t cap = FG_NS_PER_SEC * b->rate, dt;

	if (now_ns > b->last_ns) {
		dt = now_ns - b->last_ns;
		if (dt > FG_NS_PER_SEC)
			dt = FG_NS_PER_SEC;
		b->credit += dt * b->rate;
		if (b->credit > cap)
			b->credit = cap;
	}
	b->last_ns = now_ns;
}

int fg_backlog_push(struct fg_backlog *b, const struct fg_event *ev,
		    uint64_t now_ns)
{
	enum fg_lane lane = fg_lane_of(b, ev);

	fg_backlog_refill(b, now_ns);
	/* an urgent event that finds its lane full still beats the rest's
	 * later arrivals to the other lane's room */
	if (fg_lane_push(&b->lane[lane], ev) &&
	    (lane == FG_LANE_REST ||
	     fg_lane_push(&b->lane[FG_LANE_REST], ev))) {
		b->dropped++;
		b->dropped_total++;
		return -ENOSPC;
	}
	b->len++;
	return 0;
}

int fg_backlog_take(struct fg_backlog *b, uint64_t now_ns,
		    struct fg_event *out)
{
	fg_backlog_refill(b, now_ns);
	if (!b->len)
		return 0;
	if (b->credit < FG_NS_PER_SEC) {
		/* count each event the cap delays once, when first delayed */
		b->held += b->len - b->waiting;
		b->held_total += b->len - b->waiting;
		b->waiting = b->len;
		return 0;
	}
	if (b->waiting)
		b->waiting--;
	b->credit -= FG_NS_PER_SEC;
	for (int i = 0; i < FG_NR_LANES; i++) {
		struct fg_backlog_lane *l = &b->lane[i];

		if (!l->len)
			continue;
		fg_lane_pop(l, out);
		break;
	}
	b->len--;
	return 1;
}

uint64_t fg_backlog_next_ns(const struct fg_backlog *b, uint64_t now_ns)
{
	uint64_t at;

	if (!b->len)
		return 0;
	if (b->credit >= FG_NS_PER_SEC)
		return now_ns;
	/* credit is as of last_ns; round up to the nanosecond it suffices */
	at = b->last_ns + (FG_NS_PER_SEC - b->credit + b->rate - 1) / b->rate;
	return at > now_ns ? at : now_ns;
}
