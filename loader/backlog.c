// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* backlog.c - the deletion queue and its per-second cap. */
#include <errno.h>
#include <stdlib.h>

#include "backlog.h"

#define FG_NS_PER_SEC 1000000000ULL

int fg_backlog_init(struct fg_backlog *b, size_t cap, uint32_t per_sec,
		    uint64_t now_ns)
{
	if (!cap || !per_sec)
		return -EINVAL;
	*b = (struct fg_backlog){ .cap = cap, .last_ns = now_ns };
	b->q = calloc(cap, sizeof(*b->q));
	if (!b->q)
		return -ENOMEM;
	b->rate = per_sec;
	b->credit = FG_NS_PER_SEC * per_sec;
	return 0;
}

void fg_backlog_fini(struct fg_backlog *b)
{
	free(b->q);
	b->q = NULL;
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
	fg_backlog_refill(b, now_ns);
	if (b->len == b->cap) {
		b->dropped++;
		b->dropped_total++;
		return -ENOSPC;
	}
	b->q[(b->head + b->len) % b->cap] = *ev;
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
	*out = b->q[b->head];
	b->head = (b->head + 1) % b->cap;
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
