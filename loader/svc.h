/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* svc.h - the running service's state, shared by its loop and handlers. */
#ifndef FG_SVC_H
#define FG_SVC_H

#include <stdint.h>

#include "backlog.h"
#include "ctl.h"
#include "service.h"
#include "svc_last.h"
#include "svc_log.h"
#include "uplinks.h"

struct fg_prog;
struct fg_ct;
struct fg_kick;
struct fg_kick_flow;
struct fg_linkwatch;
struct fg_svc_round;
struct ring_buffer;

struct fg_svc_stats {
	uint64_t events, bad_events;
	uint64_t deleted, monitored, gone, remarked, raced, errors;
	uint64_t belonging; /* unknown-mark reports whose entry belongs */
	uint64_t ctl_refused;
	uint64_t ctl_given_up; /* requests whose command acted alone */
	uint64_t resets, reset_fail, kicked, kick_answered, kick_retried;
	uint64_t unresolved; /* hosts missing from the neighbour table */
};

/* Requests offered to their command, waiting for its FG_CTL_GO. */
#define FG_SVC_MAX_OFFERS 16

struct fg_svc_offer {
	int fd; /* -1: free */
	struct fg_ctl_req req;
};

struct fg_svc {
	const struct fg_service_opts *opts;
	const char *pin_dir;
	const char *sock_path;
	struct fg_uplinks up;
	struct fg_prog *prog;
	struct ring_buffer *rb;
	struct fg_ct *ct;
	struct fg_backlog backlog;
	struct fg_linkwatch *links; /* devices appear, go, are renamed */
	int lock_fd, ep_fd, sig_fd, timer_fd, ctl_fd, kick_timer_fd;
	struct fg_kick *kick;
	struct fg_svc_round *round; /* one drain round's events */
	struct fg_kick_flow *retry; /* hosts that did not answer, yet */
	size_t nr_retry;
	struct fg_svc_logq log;	    /* per-flow lines */
	uint64_t last_report_ns;
	int stop;
	int made_pin_dir;
	int can_destroy; /* kernel has SOCK_DESTROY for the router's sockets */
	struct fg_svc_stats st;
	struct fg_svc_offer offers[FG_SVC_MAX_OFFERS];
	struct fg_svc_last last[FG_MAX_IFACES]; /* per s->up.ifaces[i] */
};

/* The service's uplink table into the guard's map (a device's state or
 * ifindex changed). */
int fg_svc_uplinks_sync(struct fg_svc *s);
/* The policy for a flow carrying this mark: its own uplink's. */
enum fg_policy fg_svc_policy(const struct fg_svc *s, uint32_t mark);
/* Second round for hosts that did not answer a kick (a disconnect's, or
 * an event's that fell back to its guess). */
void fg_svc_kick_retry(struct fg_svc *s);
/* Queue flows for it (PENDING, provoked once); arms its timer. */
int fg_svc_retry_add(struct fg_svc *s, const struct fg_kick_flow *f, size_t n);

/* Answer one control request (status, disconnected, connected). */
void fg_svc_ctl_handle(struct fg_svc *s, const struct fg_ctl_req *req,
		       struct fg_ctl_resp *resp);
/* A disconnected/connected whose command acted alone: only the uplink
 * table follows, nothing is deleted or reset. */
void fg_svc_ctl_given_up(struct fg_svc *s, const struct fg_ctl_req *req);

#endif /* FG_SVC_H */
