// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * svc_log.c - the service's line per stale flow, written once the burst
 * it belongs to is dealt with: formatting and writing a line costs about
 * half as much as the lookup and delete it reports, and the deletes are
 * what the clients wait for. The lines keep their order and their times
 * (taken when the round's delete returned, not when the line is written).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "heap.h"
#include "log.h"
#include "reset_kick.h"
#include "reaper.h"
#include "svc_log.h"
#include "uplinks.h"

#define FG_SVC_LOGQ_LEN 1024 /* lines held at most; then written at once */
#define FG_SVC_LOG_WINDOW_NS 1000000000ull

static uint64_t fg_svc_log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * FG_SVC_LOG_WINDOW_NS + (uint64_t)ts.tv_nsec;
}

struct fg_svc_logrec {
	struct fg_event ev;
	uint64_t done_ns;
	int err;
	uint8_t outcome; /* enum fg_reap_outcome */
	int8_t kick;	 /* enum fg_kick_state, -1: no reset tried */
};

static enum fg_log_level fg_svc_log_level(enum fg_reap_outcome o)
{
	if (o == FG_REAP_DELETED || o == FG_REAP_MONITORED)
		return FG_LOG_INFO;
	return o == FG_REAP_ERROR ? FG_LOG_WARN : FG_LOG_DEBUG;
}

static void fg_svc_log_write(const struct fg_uplinks *up,
			     const struct fg_svc_logrec *l)
{
	const struct fg_event *ev = &l->ev;
	const struct fg_iface *owner = fg_uplinks_by_mark(up, ev->mark);
	const char *dev = fg_uplinks_dev_by_ifindex(up, (int)ev->ifindex);
	const char *reset = l->kick < 0 ? NULL :
			    fg_kick_state_name((enum fg_kick_state)l->kick);
	/* ts_ns and done_ns are both CLOCK_MONOTONIC */
	uint64_t us = (l->done_ns - ev->ts_ns) / 1000;
	char flow[256];

	fg_event_fmt(ev, flow, sizeof(flow));
	fg_log(fg_svc_log_level((enum fg_reap_outcome)l->outcome),
	       "stale flow %s of %s leaving %s: %s%s%s%s%s (%" PRIu64 " us)",
	       flow, owner ? owner->name : "an unknown uplink", dev ? dev : "?",
	       fg_reap_outcome_name((enum fg_reap_outcome)l->outcome),
	       l->err ? ": " : "", l->err ? strerror(-l->err) : "",
	       reset ? ", client " : "", reset ? reset : "", us);
}

int fg_svc_log_init(struct fg_svc_logq *q)
{
	memset(q, 0, sizeof(*q));
	q->rec = calloc(FG_SVC_LOGQ_LEN, sizeof(*q->rec));
	return q->rec ? 0 : -ENOMEM;
}

void fg_svc_log_fini(struct fg_svc_logq *q)
{
	free(q->rec);
	q->rec = NULL;
	q->n = 0;
}

void fg_svc_log_add(struct fg_svc_logq *q, const struct fg_uplinks *up,
		    const struct fg_event *ev, const struct fg_reap *r, int kick,
		    uint64_t done_ns)
{
	struct fg_svc_logrec *l;

	if (fg_svc_log_level(r->outcome) > fg_log_level())
		return;
	if (q->n == FG_SVC_LOGQ_LEN)
		fg_svc_log_flush(q, up);
	l = &q->rec[q->n++];
	l->ev = *ev;
	l->done_ns = done_ns;
	l->err = r->err;
	l->outcome = (uint8_t)r->outcome;
	l->kick = (int8_t)kick;
}

/* One line per second for what the limit left out in that second. */
static void fg_svc_log_left_out(struct fg_svc_logq *q)
{
	char buf[512];
	size_t off = 0;
	uint64_t n = 0;
	int i;

	for (i = 0; i < FG_REAP_NR_OUTCOMES; i++) {
		int w;

		if (!q->left_out[i])
			continue;
		n += q->left_out[i];
		w = snprintf(buf + off, sizeof(buf) - off, "%s%s %" PRIu64,
			     off ? ", " : "",
			     fg_reap_outcome_name((enum fg_reap_outcome)i),
			     q->left_out[i]);
		if (w > 0 && (size_t)w < sizeof(buf) - off)
			off += (size_t)w;
		q->left_out[i] = 0;
	}
	if (n)
		fg_warn("stale flows: %" PRIu64
			" more lines left out in the last second (%d a second at most): %s",
			n, FG_SVC_LOG_PER_SEC, buf);
}

uint64_t fg_svc_log_report(struct fg_svc_logq *q, uint64_t now_ns)
{
	uint64_t end = q->window_ns + FG_SVC_LOG_WINDOW_NS;
	uint64_t pending = 0;
	int i;

	for (i = 0; i < FG_REAP_NR_OUTCOMES; i++)
		pending += q->left_out[i];
	if (!pending)
		return 0;
	if (now_ns < end)
		return end;
	fg_svc_log_left_out(q);
	return 0;
}

/* May one more line go out in this second? A new second starts with the
 * first line after the last one ended (and says what that one left out). */
static int fg_svc_log_admit(struct fg_svc_logq *q, uint64_t now_ns)
{
	if (now_ns >= q->window_ns + FG_SVC_LOG_WINDOW_NS) {
		fg_svc_log_left_out(q);
		q->window_ns = now_ns;
		q->in_window = 0;
	}
	if (q->in_window >= FG_SVC_LOG_PER_SEC)
		return 0;
	q->in_window++;
	return 1;
}

void fg_svc_log_flush(struct fg_svc_logq *q, const struct fg_uplinks *up)
{
	uint64_t now = fg_svc_log_now();
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fg_svc_logrec *l = &q->rec[i];

		/* errors always go out: they are not a flood's */
		if (l->outcome == FG_REAP_ERROR || fg_svc_log_admit(q, now)) {
			fg_svc_log_write(up, l);
			q->lines++;
		} else {
			q->left_out[l->outcome]++;
			q->left_out_total++;
		}
	}
	q->n = 0;
}

void fg_svc_log_give_back(struct fg_svc_logq *q)
{
	if (!q->n)
		fg_heap_drop_pages(q->rec, FG_SVC_LOGQ_LEN * sizeof(*q->rec));
}
