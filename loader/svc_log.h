/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_log.h - the service's per-flow log lines, held while a burst of
 * events is being dealt with and written after it.
 */
#ifndef FG_SVC_LOG_H
#define FG_SVC_LOG_H

#include <stdint.h>

#include "flowguard.h"
#include "reaper.h"

struct fg_svc;

int fg_svc_log_init(struct fg_svc *s);
void fg_svc_log_fini(struct fg_svc *s);

/* The line for one event's outcome; kick: enum fg_kick_state of its
 * client reset, -1 if none was tried; done_ns: when its delete returned
 * (CLOCK_MONOTONIC). Nothing is held for a line the level hides. */
void fg_svc_log_add(struct fg_svc *s, const struct fg_event *ev,
		    const struct fg_reap *r, int kick, uint64_t done_ns);
/* Writes what is held; the service does at the end of every drain. */
void fg_svc_log_flush(struct fg_svc *s);

#endif /* FG_SVC_LOG_H */
