/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_retry.h - the service's second try at hosts that did not answer a
 * provoke: hosts rate-limit such answers (tcp_invalid_ratelimit, 500 ms),
 * so they are provoked again once, FG_DISC_KICK_RETRY_MS after the first
 * of them was queued, all in one batch.
 */
#ifndef FG_SVC_RETRY_H
#define FG_SVC_RETRY_H

#include <stddef.h>
#include <stdint.h>

struct fg_kick;
struct fg_kick_flow;

struct fg_svc_retry {
	int timer_fd;	    /* for the loop to poll; armed while flows wait */
	struct fg_kick_flow *f;
	size_t n;
	uint64_t retried;   /* flows tried again */
	uint64_t answered;  /* of them, reset or destroyed */
};

int fg_svc_retry_init(struct fg_svc_retry *r);
void fg_svc_retry_fini(struct fg_svc_retry *r);
/* Queue flows (PENDING, provoked once); arms the timer if it is not. */
int fg_svc_retry_add(struct fg_svc_retry *r, const struct fg_kick_flow *f,
		     size_t n);
/* The timer fired: the queued flows go out in one batch of k. */
void fg_svc_retry_fire(struct fg_svc_retry *r, struct fg_kick *k);

#endif /* FG_SVC_RETRY_H */
