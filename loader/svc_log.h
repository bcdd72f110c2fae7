/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_log.h - the service's per-flow log lines, held while a burst of
 * events is being dealt with and written after it, at most
 * FG_SVC_LOG_PER_SEC a second: a flood of stale flows must not wipe a
 * router's small log buffer (OpenWrt's logd keeps 64 KiB). What is left
 * out is counted per outcome and said in one line per second.
 */
#ifndef FG_SVC_LOG_H
#define FG_SVC_LOG_H

#include <stdint.h>

#include "flowguard.h"
#include "reaper.h"

#define FG_SVC_LOG_PER_SEC 20

struct fg_svc_logrec;
struct fg_uplinks;

struct fg_svc_logq {
	struct fg_svc_logrec *rec; /* lines held, not written yet */
	size_t n;
	uint64_t window_ns;	   /* start of the current second */
	uint32_t in_window;	   /* lines written in it */
	uint64_t left_out[FG_REAP_NR_OUTCOMES]; /* in it, beyond the limit */
	uint64_t lines, left_out_total;	     /* since start */
};

int fg_svc_log_init(struct fg_svc_logq *q);
void fg_svc_log_fini(struct fg_svc_logq *q);

/* The line for one event's outcome; kick: enum fg_kick_state of its
 * client reset, -1 if none was tried; done_ns: when its delete returned
 * (CLOCK_MONOTONIC). Nothing is held for a line the level hides. */
void fg_svc_log_add(struct fg_svc_logq *q, const struct fg_uplinks *up,
		    const struct fg_event *ev, const struct fg_reap *r, int kick,
		    uint64_t done_ns);
/* Writes what is held (uplink names from up); the service does at the
 * end of every drain. */
void fg_svc_log_flush(struct fg_svc_logq *q, const struct fg_uplinks *up);
/* After a flush: the queue's memory goes back to the system. */
void fg_svc_log_give_back(struct fg_svc_logq *q);
/* Says what the limit left out once its second is over; returns when to
 * ask again (0: nothing to say). */
uint64_t fg_svc_log_report(struct fg_svc_logq *q, uint64_t now_ns);

#endif /* FG_SVC_LOG_H */
