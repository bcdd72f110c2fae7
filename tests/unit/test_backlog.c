// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_backlog.c - the deletion queue and its per-second token bucket,
 * driven with injected times (every now_ns is ours). */
#include <errno.h>
#include <stdint.h>

#include "backlog.h"
#include "unit.h"

#define SEC 1000000000ULL
#define MS 1000000ULL
/* an arbitrary start, far from 0, so no test passes by accident at t=0 */
#define T0 (1234 * SEC + 567)

/* Events are told apart by ts_ns: the order they were pushed in. Each is
 * a flow of its own (UDP, source address n): first reports, the lane
 * behind the urgent one. */
static struct fg_event ev_n(uint64_t n)
{
	struct fg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = n;
	ev.mark = (uint32_t)n;
	ev.l4proto = 17;
	memcpy(ev.saddr, &n, sizeof(n));
	return ev;
}

/* Room of the lane first reports go to: cap less the urgent quarter. */
static size_t rest_cap(const struct fg_backlog *b)
{
	return b->lane[FG_LANE_REST].cap;
}

static int push_n(struct fg_backlog *b, uint64_t n, uint64_t now)
{
	struct fg_event ev = ev_n(n);

	return fg_backlog_push(b, &ev, now);
}

/* Takes while allowed at now; returns how many; checks FIFO order
 * against *next_id (the id the next take must give). */
static uint64_t take_all(struct fg_backlog *b, uint64_t now, uint64_t *next_id)
{
	struct fg_event out;
	uint64_t n = 0;

	while (fg_backlog_take(b, now, &out)) {
		if (next_id) {
			CHECK_EQ_U(out.ts_ns, *next_id);
			(*next_id)++;
		}
		n++;
	}
	return n;
}


/* The urgent lane goes first: TCP events and repeats of a flow queued
 * before, each lane in arrival order. */
static void test_urgent_lane_first(void)
{
	struct fg_backlog b;
	struct fg_event tcp = ev_n(10), again = ev_n(2), out;
	uint64_t order[6], i = 0;

	tcp.l4proto = 6;
	again.ts_ns = 11; /* flow 2 reported again */
	CHECK(fg_backlog_init(&b, 100, 1000, T0) == 0);
	push_n(&b, 1, T0);
	push_n(&b, 2, T0);
	push_n(&b, 3, T0);
	CHECK(fg_backlog_push(&b, &tcp, T0) == 0);
	CHECK(fg_backlog_push(&b, &again, T0) == 0);
	CHECK_EQ_U(b.repeats, 1);
	while (i < 6 && fg_backlog_take(&b, T0, &out))
		order[i++] = out.ts_ns;
	CHECK_EQ_U(i, 5);
	CHECK_EQ_U(order[0], 10);
	CHECK_EQ_U(order[1], 11);
	CHECK_EQ_U(order[2], 1);
	CHECK_EQ_U(order[3], 2);
	CHECK_EQ_U(order[4], 3);
	fg_backlog_fini(&b);
}

/* A full queue of first reports (a flood of single-packet flows) still
 * takes TCP events and repeats, up to the urgent lane's quarter; urgent
 * events spill into the rest lane's room when their own is full. */
static void test_flood_keeps_urgent_room(void)
{
	struct fg_backlog b;
	struct fg_event ev, out;
	uint64_t i, urgent = 0, rest = 0;

	CHECK(fg_backlog_init(&b, 40, 1, T0) == 0);
	for (i = 1; i <= 100; i++)
		push_n(&b, i, T0); /* 30 fit, 70 dropped */
	CHECK_EQ_U(b.len, 30);
	CHECK_EQ_U(b.dropped_total, 70);
	for (i = 0; i < 12; i++) {
		ev = ev_n(1000 + i);
		ev.l4proto = 6;
		CHECK_EQ_I(fg_backlog_push(&b, &ev, T0), i < 10 ? 0 : -ENOSPC);
	}
	CHECK_EQ_U(b.len, 40);
	/* one per second: the ten TCP events first */
	for (i = 0; i < 40; i++) {
		CHECK(fg_backlog_take(&b, T0 + (i + 1) * SEC, &out));
		if (out.l4proto == 6)
			CHECK(rest == 0 && urgent++ < 10);
		else
			rest++;
	}
	CHECK_EQ_U(urgent, 10);
	CHECK_EQ_U(rest, 30);
	fg_backlog_fini(&b);
	/* spill: an empty rest lane takes urgent events beyond their quarter */
	CHECK(fg_backlog_init(&b, 8, 1, T0) == 0);
	for (i = 0; i < 8; i++) {
		ev = ev_n(i + 1);
		ev.l4proto = 6;
		CHECK_EQ_I(fg_backlog_push(&b, &ev, T0), 0);
	}
	CHECK(push_n(&b, 99, T0) == -ENOSPC);
	fg_backlog_fini(&b);
}

static void test_init_refuses(void)
{
	struct fg_backlog b;

	CHECK(fg_backlog_init(&b, 0, 10, T0) == -EINVAL);
	CHECK(fg_backlog_init(&b, 10, 0, T0) == -EINVAL);
	CHECK(fg_backlog_init(&b, 0, 0, T0) == -EINVAL);
	CHECK(fg_backlog_init(&b, 1, 1, T0) == 0);
	CHECK_EQ_U(b.len, 0);
	CHECK_EQ_U(b.held + b.dropped + b.held_total + b.dropped_total, 0);
	fg_backlog_fini(&b);
	CHECK(b.lane[0].q == NULL && b.lane[1].q == NULL && b.seen == NULL);
	fg_backlog_fini(&b); /* twice is harmless */
}

static void test_empty(void)
{
	struct fg_backlog b;
	struct fg_event out = ev_n(99);

	CHECK(fg_backlog_init(&b, 8, 10, T0) == 0);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), 0);
	CHECK_EQ_U(fg_backlog_take(&b, T0, &out), 0);
	CHECK_EQ_U(out.ts_ns, 99); /* untouched */
	/* an empty queue is not "held back" */
	CHECK_EQ_U(b.held, 0);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0 + 5 * SEC), 0);
	fg_backlog_fini(&b);
}

/* At start: one second's worth at once, not one more. */
static void test_burst_at_start(void)
{
	struct fg_backlog b;
	uint64_t id = 1, i;

	CHECK(fg_backlog_init(&b, 100, 10, T0) == 0);
	for (i = 1; i <= 15; i++)
		CHECK(push_n(&b, i, T0) == 0);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), T0);
	CHECK_EQ_U(take_all(&b, T0, &id), 10);
	CHECK_EQ_U(b.len, 5);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), T0 + 100 * MS);
	fg_backlog_fini(&b);
}

/* A long idle time does not save up more than one second's worth. */
static void test_burst_capped_after_idle(void)
{
	struct fg_backlog b;
	uint64_t id = 1, i, t = T0 + 3600 * SEC;

	CHECK(fg_backlog_init(&b, 100, 10, T0) == 0);
	for (i = 1; i <= 30; i++)
		CHECK(push_n(&b, i, t) == 0);
	CHECK_EQ_U(take_all(&b, t, &id), 10);
	/* once spent, the next one needs a tenth of a second */
	CHECK_EQ_U(take_all(&b, t + 100 * MS - 1, &id), 0);
	CHECK_EQ_U(take_all(&b, t + 100 * MS, &id), 1);
	fg_backlog_fini(&b);
}

/* Takes while allowed at now, keeping one event queued so the queue never
 * runs dry (*pushed: ids pushed so far); FIFO checked as in take_all(). */
static uint64_t take_fed(struct fg_backlog *b, uint64_t now, uint64_t *next_id,
			 uint64_t *pushed)
{
	struct fg_event out;
	uint64_t n = 0;

	for (;;) {
		if (!b->len) {
			(*pushed)++;
			CHECK(push_n(b, *pushed, now) == 0);
		}
		if (!fg_backlog_take(b, now, &out))
			break;
		if (out.ts_ns != *next_id) {
			CHECK_EQ_U(out.ts_ns, *next_id);
			break;
		}
		(*next_id)++;
		n++;
	}
	return n;
}

/* Burst, then exactly rate per second, each one at the time next_ns
 * announced and one at a time. */
static void check_steady_rate(uint32_t rate, uint64_t seconds)
{
	struct fg_backlog b;
	uint64_t id = 1, pushed = 0, t, end, got, n = 0;
	uint64_t want = (uint64_t)rate * seconds;

	CHECK(fg_backlog_init(&b, 4, rate, T0) == 0);
	got = take_fed(&b, T0, &id, &pushed);
	if (got != rate)
		printf("  rate %u/s: burst of %llu\n", rate,
		       (unsigned long long)got);
	CHECK_EQ_U(got, rate);
	end = T0 + seconds * SEC;
	for (t = fg_backlog_next_ns(&b, T0); t && t <= end;
	     t = fg_backlog_next_ns(&b, t)) {
		got = take_fed(&b, t, &id, &pushed);
		if (got != 1) {
			printf("  rate %u/s: %llu taken at t0+%llu ns\n", rate,
			       (unsigned long long)got,
			       (unsigned long long)(t - T0));
			CHECK_EQ_U(got, 1);
			break;
		}
		n++;
	}
	if (n != want)
		printf("  rate %u/s over %llu s after the burst: %llu taken\n",
		       rate, (unsigned long long)seconds,
		       (unsigned long long)n);
	CHECK_EQ_U(n, want);
	fg_backlog_fini(&b);
}

static void test_rate_per_second(void)
{
	struct fg_backlog b;
	uint64_t id = 1, i, t, n = 0;

	check_steady_rate(10, 5);
	check_steady_rate(1000, 3);

	/* polled every millisecond: 10 in each following second, at
	 * t0 + 100 ms, 200 ms, ... exactly */
	CHECK(fg_backlog_init(&b, 100, 10, T0) == 0);
	for (i = 1; i <= 40; i++)
		push_n(&b, i, T0);
	CHECK_EQ_U(take_all(&b, T0, &id), 10);
	for (t = T0 + MS; t <= T0 + SEC; t += MS) {
		uint64_t got = take_all(&b, t, &id);

		CHECK(got == ((t - T0) % (100 * MS) == 0));
		n += got;
	}
	CHECK_EQ_U(n, 10);
	fg_backlog_fini(&b);
}

/* Rates that do not divide a second: still exactly rate per second. */
static void test_rate_not_dividing_a_second(void)
{
	check_steady_rate(3, 10);
	check_steady_rate(7, 10);
	check_steady_rate(600000, 2);
	check_steady_rate(999999, 1);
}

/* next_ns(now) must be want (both given as offsets from T0, in ns). */
#define CHECK_NEXT(b, now, want)                                             \
	do {                                                                 \
		uint64_t _got = fg_backlog_next_ns((b), T0 + (now));         \
		if (_got != T0 + (want))                                     \
			printf("  next_ns(t0+%llu) = t0%+lld, want t0+%llu\n", \
			       (unsigned long long)(now),                    \
			       (long long)(_got - T0),                       \
			       (unsigned long long)(want));                  \
		CHECK(_got == T0 + (want));                                  \
	} while (0)

static void test_next_ns(void)
{
	struct fg_backlog b;
	uint64_t id = 1;

	CHECK(fg_backlog_init(&b, 8, 4, T0) == 0); /* one per 250 ms */
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), 0);
	push_n(&b, 1, T0);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), T0); /* may go now */
	CHECK_EQ_U(take_all(&b, T0, &id), 1);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), 0); /* empty again */
	push_n(&b, 2, T0);
	push_n(&b, 3, T0);
	push_n(&b, 4, T0);
	push_n(&b, 5, T0);
	push_n(&b, 6, T0);
	CHECK_EQ_U(take_all(&b, T0, &id), 3); /* the rest of the burst */
	CHECK_NEXT(&b, 0, 250 * MS);
	/* the answer is a time, not a delay: asking later changes nothing */
	CHECK_NEXT(&b, 100 * MS, 250 * MS);
	CHECK_NEXT(&b, 249 * MS, 250 * MS);
	/* and once that time has passed, the next may go at once */
	CHECK_NEXT(&b, 300 * MS, 300 * MS);
	/* it does go at 250 ms, and not one ns before */
	CHECK_EQ_U(take_all(&b, T0 + 250 * MS - 1, &id), 0);
	CHECK_EQ_U(take_all(&b, T0 + 250 * MS, &id), 1);
	CHECK_NEXT(&b, 250 * MS, 500 * MS);
	fg_backlog_fini(&b);
}

/* held: each event the cap delays counts once, however often take is
 * refused while it waits; events taken at once never count. */
static void test_held_counted_once(void)
{
	struct fg_backlog b;
	uint64_t id = 1, i;

	CHECK(fg_backlog_init(&b, 16, 1, T0) == 0);
	push_n(&b, 1, T0);
	push_n(&b, 2, T0);
	push_n(&b, 3, T0);
	CHECK_EQ_U(take_all(&b, T0, &id), 1); /* the burst */
	CHECK_EQ_U(b.held, 2);		      /* 2 and 3 wait */
	for (i = 0; i < 100; i++)
		CHECK_EQ_U(take_all(&b, T0 + i * 9 * MS, &id), 0);
	CHECK_EQ_U(b.held, 2);
	CHECK_EQ_U(b.held_total, 2);
	CHECK_EQ_U(take_all(&b, T0 + SEC, &id), 1); /* 2 goes */
	CHECK_EQ_U(b.held, 2);
	for (i = 1; i < 50; i++)
		take_all(&b, T0 + SEC + i * MS, &id);
	CHECK_EQ_U(b.held, 2); /* 3 still waits, counted already */
	push_n(&b, 4, T0 + SEC + 60 * MS);
	CHECK_EQ_U(take_all(&b, T0 + SEC + 70 * MS, &id), 0);
	CHECK_EQ_U(b.held, 3); /* 4 is new */
	CHECK_EQ_U(b.held_total, 3);
	/* the service reports and resets held: waiting ones stay counted */
	b.held = 0;
	for (i = 0; i < 10; i++)
		take_all(&b, T0 + SEC + 100 * MS + i * MS, &id);
	CHECK_EQ_U(b.held, 0);
	CHECK_EQ_U(b.held_total, 3);
	CHECK_EQ_U(take_all(&b, T0 + 2 * SEC, &id), 1); /* 3 */
	CHECK_EQ_U(take_all(&b, T0 + 3 * SEC, &id), 1); /* 4 */
	CHECK_EQ_U(b.len, 0);
	CHECK_EQ_U(b.held_total, 3);
	/* a long pause refills the burst: these go at once, not held */
	push_n(&b, 5, T0 + 10 * SEC);
	CHECK_EQ_U(take_all(&b, T0 + 10 * SEC, &id), 1);
	CHECK_EQ_U(b.held_total, 3);
	CHECK_EQ_U(b.dropped_total, 0);
	fg_backlog_fini(&b);

	/* under the cap, nothing is held */
	CHECK(fg_backlog_init(&b, 16, 10, T0) == 0);
	id = 1;
	for (i = 1; i <= 5; i++)
		push_n(&b, i, T0);
	CHECK_EQ_U(take_all(&b, T0, &id), 5);
	CHECK_EQ_U(fg_backlog_take(&b, T0, &(struct fg_event){ 0 }), 0);
	CHECK_EQ_U(b.held_total, 0);
	fg_backlog_fini(&b);
}

/* dropped: pushes onto a full queue, each counted; nothing else lost. */
static void test_dropped_when_full(void)
{
	struct fg_backlog b;
	uint64_t id = 1, i;

	CHECK(fg_backlog_init(&b, 5, 1, T0) == 0);
	CHECK_EQ_U(rest_cap(&b), 4);
	for (i = 1; i <= 4; i++)
		CHECK(push_n(&b, i, T0) == 0);
	CHECK(push_n(&b, 100, T0) == -ENOSPC);
	CHECK(push_n(&b, 101, T0) == -ENOSPC);
	CHECK_EQ_U(b.dropped, 2);
	CHECK_EQ_U(b.dropped_total, 2);
	CHECK_EQ_U(b.len, 4);
	b.dropped = 0; /* the service's report */
	CHECK(push_n(&b, 102, T0) == -ENOSPC);
	CHECK_EQ_U(b.dropped, 1);
	CHECK_EQ_U(b.dropped_total, 3);
	/* the four queued ones come out in order, one per second */
	for (i = 0; i < 4; i++)
		CHECK_EQ_U(take_all(&b, T0 + i * SEC, &id), 1);
	CHECK_EQ_U(id, 5);
	CHECK_EQ_U(b.len, 0);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0 + 4 * SEC), 0);
	fg_backlog_fini(&b);
}

/* FIFO across many wrap-arounds of the ring, mixed push/take counts. */
static void test_fifo_wraparound(void)
{
	struct fg_backlog b;
	uint64_t pushed = 0, want = 1, dropped = 0, round, k, t = T0;
	struct fg_event out;

	CHECK(fg_backlog_init(&b, 5, 1000000, T0) == 0);
	for (round = 0; round < 200; round++) {
		uint64_t np = round % 7, nt = (round * 3) % 5;

		for (k = 0; k < np; k++) {
			int full = b.len == rest_cap(&b);
			struct fg_event ev = ev_n(pushed + 1);
			uint64_t attempt = round << 8 | k;

			/* a retry after a drop is a flow of its own here:
			 * a repeat would go to the urgent lane */
			memcpy(ev.daddr, &attempt, sizeof(attempt));

			if (fg_backlog_push(&b, &ev, t) == 0) {
				CHECK(!full);
				pushed++;
			} else {
				CHECK(full);
				dropped++;
			}
		}
		for (k = 0; k < nt; k++) {
			if (!fg_backlog_take(&b, t, &out))
				break;
			CHECK_EQ_U(out.ts_ns, want);
			CHECK_EQ_U(out.mark, (uint32_t)want);
			want++;
		}
		CHECK_EQ_U(b.len, pushed - (want - 1));
		t += SEC / 100;
	}
	while (fg_backlog_take(&b, t, &out)) {
		CHECK_EQ_U(out.ts_ns, want);
		want++;
	}
	CHECK_EQ_U(want - 1, pushed);
	CHECK(dropped > 0); /* the pattern does fill the queue */
	CHECK_EQ_U(b.dropped_total, dropped);
	CHECK(b.lane[FG_LANE_REST].head < rest_cap(&b));
	fg_backlog_fini(&b);
}

/* A lane emptied after a flood starts again at its first slot (its
 * pages were given back: they read as zeros) and keeps its order. */
static void test_drained_lane_restarts(void)
{
	struct fg_backlog b;
	struct fg_event out;
	uint64_t i, bad = 0;

	CHECK(fg_backlog_init(&b, 4000, 1000000, T0) == 0);
	for (i = 1; i <= 2000; i++)
		CHECK(push_n(&b, i, T0) == 0);
	for (i = 1; i <= 2000; i++)
		bad += !fg_backlog_take(&b, T0 + 2 * SEC, &out) || out.ts_ns != i;
	CHECK_EQ_U(bad, 0);
	CHECK_EQ_U(b.lane[FG_LANE_REST].head, 0);
	CHECK_EQ_U(b.lane[FG_LANE_REST].peak, 0);
	for (i = 1; i <= 3; i++)
		CHECK(push_n(&b, 5000 + i, T0 + 2 * SEC) == 0);
	for (i = 1; i <= 3; i++) {
		CHECK(fg_backlog_take(&b, T0 + 2 * SEC, &out) == 1);
		CHECK_EQ_U(out.ts_ns, 5000 + i);
	}
	CHECK_EQ_U(fg_backlog_take(&b, T0 + 2 * SEC, &out), 0);
	fg_backlog_fini(&b);
}

/* 1,000,000/s: a burst of a million, then one per microsecond. */
static void test_huge_rate(void)
{
	struct fg_backlog b;
	struct fg_event out;
	uint64_t i, ok = 0, id = 1, pushed = 0;

	CHECK(fg_backlog_init(&b, 2, 1000000, T0) == 0);
	for (i = 1; i <= 1000001; i++) {
		push_n(&b, i, T0);
		if (!fg_backlog_take(&b, T0, &out))
			break;
		CHECK(out.ts_ns == i);
		ok++;
	}
	CHECK_EQ_U(ok, 1000000);
	CHECK_EQ_U(b.len, 1); /* number 1000001 waits */
	CHECK_EQ_U(b.held, 1);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), T0 + 1000);
	CHECK_EQ_U(fg_backlog_take(&b, T0 + 999, &out), 0);
	CHECK_EQ_U(fg_backlog_take(&b, T0 + 1000, &out), 1);
	CHECK_EQ_U(out.ts_ns, 1000001);
	fg_backlog_fini(&b);

	/* and 1000 in each millisecond after that */
	CHECK(fg_backlog_init(&b, 4, 1000000, T0) == 0);
	CHECK_EQ_U(take_fed(&b, T0, &id, &pushed), 1000000);
	CHECK_EQ_U(take_fed(&b, T0 + MS, &id, &pushed), 1000);
	CHECK_EQ_U(take_fed(&b, T0 + 2 * MS, &id, &pushed), 1000);
	CHECK_EQ_U(take_fed(&b, T0 + 2 * MS + 999, &id, &pushed), 0);
	CHECK_EQ_U(take_fed(&b, T0 + 2 * MS + 1000, &id, &pushed), 1);
	fg_backlog_fini(&b);
}

/* 1/s: one at start, then one each whole second, never a ns early. */
static void test_rate_one(void)
{
	struct fg_backlog b;
	uint64_t id = 1, i;

	CHECK(fg_backlog_init(&b, 8, 1, T0) == 0);
	for (i = 1; i <= 5; i++)
		push_n(&b, i, T0);
	CHECK_EQ_U(take_all(&b, T0, &id), 1);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0), T0 + SEC);
	for (i = 1; i <= 4; i++) {
		CHECK_EQ_U(take_all(&b, T0 + i * SEC - 1, &id), 0);
		CHECK_EQ_U(take_all(&b, T0 + i * SEC, &id), 1);
	}
	CHECK_EQ_U(id, 6);
	CHECK_EQ_U(b.held_total, 4);
	CHECK_EQ_U(fg_backlog_next_ns(&b, T0 + 4 * SEC), 0);
	fg_backlog_fini(&b);
}

int main(void)
{
	RUN(test_init_refuses);
	RUN(test_empty);
	RUN(test_burst_at_start);
	RUN(test_burst_capped_after_idle);
	RUN(test_rate_per_second);
	RUN(test_rate_not_dividing_a_second);
	RUN(test_next_ns);
	RUN(test_held_counted_once);
	RUN(test_dropped_when_full);
	RUN(test_fifo_wraparound);
	RUN(test_urgent_lane_first);
	RUN(test_flood_keeps_urgent_room);
	RUN(test_huge_rate);
	RUN(test_drained_lane_restarts);
	RUN(test_rate_one);
	UNIT_EXIT();
}
