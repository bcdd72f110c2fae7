/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* svc.h - the running service's state, shared by its loop and handlers. */
#ifndef FG_SVC_H
#define FG_SVC_H

#include <stdint.h>

#include "backlog.h"
#include "ctl.h"
#include "flows_sweep.h"
#include "service.h"
#include "svc_last.h"
#include "svc_log.h"
#include "svc_retry.h"
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
	uint64_t ctl_refused, ctl_acted;
	uint64_t ctl_given_up; /* requests whose command acted alone */
	uint64_t resets, reset_fail, kicked, kick_answered;
	uint64_t rereset; /* RSTs sent again to hosts that acked on */
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
	uint64_t events_given_back; /* st.events at the last give-back */
	struct fg_linkwatch *links; /* devices appear, go, are renamed */
	int lock_fd, ep_fd, sig_fd, timer_fd, ctl_fd;
	struct fg_kick *kick;
	size_t rounds; /* event rounds waiting for their resets */
	int drain_again; /* a round ended: what it held back may go on */
	struct fg_svc_retry retry;  /* hosts that did not answer, yet */
	struct fg_flows_sweep sweep; /* the dedupe map's old entries */
	struct fg_svc_logq log;	    /* per-flow lines */
	uint64_t last_report_ns;
	int stop;
	int made_pin_dir;
	int can_destroy; /* kernel has SOCK_DESTROY for the router's sockets */
	struct fg_svc_stats st;
	struct fg_svc_offer offers[FG_SVC_MAX_OFFERS];
	struct fg_svc_last last[FG_MAX_IFACES]; /* per s->up.ifaces[i] */
};


/* Answer a status request (or refuse another). */
void fg_svc_ctl_handle(struct fg_svc *s, const struct fg_ctl_req *req,
		       struct fg_ctl_resp *resp);
/* Carry out a disconnected/connected the command committed to; the
 * answer goes to cfd (closed after) now or, when clients are being reset,
 * once the loop has their answers. */
void fg_svc_ctl_act(struct fg_svc *s, int cfd, const struct fg_ctl_req *req);
/* A disconnected/connected whose command acted alone: only the uplink
 * table follows, nothing is deleted or reset. */
void fg_svc_ctl_given_up(struct fg_svc *s, const struct fg_ctl_req *req);

#endif /* FG_SVC_H */
