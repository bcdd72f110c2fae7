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
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "kick.h"
#include "log.h"
#include "reaper.h"
#include "svc.h"
#include "svc_log.h"

#define FG_SVC_LOGQ_LEN 1024 /* lines held at most; then written at once */

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

static void fg_svc_log_write(const struct fg_svc *s,
			     const struct fg_svc_logrec *l)
{
	const struct fg_event *ev = &l->ev;
	const struct fg_iface *owner = fg_uplinks_by_mark(&s->up, ev->mark);
	const char *dev = fg_uplinks_dev_by_ifindex(&s->up, (int)ev->ifindex);
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

int fg_svc_log_init(struct fg_svc *s)
{
	s->logq = calloc(FG_SVC_LOGQ_LEN, sizeof(*s->logq));
	s->nr_logq = 0;
	return s->logq ? 0 : -ENOMEM;
}

void fg_svc_log_fini(struct fg_svc *s)
{
	free(s->logq);
	s->logq = NULL;
}

void fg_svc_log_add(struct fg_svc *s, const struct fg_event *ev,
		    const struct fg_reap *r, int kick, uint64_t done_ns)
{
	struct fg_svc_logrec *l;

	if (fg_svc_log_level(r->outcome) > fg_log_level())
		return;
	if (s->nr_logq == FG_SVC_LOGQ_LEN)
		fg_svc_log_flush(s);
	l = &s->logq[s->nr_logq++];
	l->ev = *ev;
	l->done_ns = done_ns;
	l->err = r->err;
	l->outcome = (uint8_t)r->outcome;
	l->kick = (int8_t)kick;
}

void fg_svc_log_flush(struct fg_svc *s)
{
	size_t i;

	for (i = 0; i < s->nr_logq; i++)
		fg_svc_log_write(s, &s->logq[i]);
	s->nr_logq = 0;
}
