/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* svc.h - the running service's state, shared by its loop and handlers. */
#ifndef FG_SVC_H
#define FG_SVC_H

#include <stdint.h>

#include "backlog.h"
#include "ctl.h"
#include "service.h"
#include "uplinks.h"

struct fg_prog;
struct fg_ct;
struct ring_buffer;

struct fg_svc_stats {
	uint64_t events, bad_events;
	uint64_t deleted, monitored, gone, remarked, raced, errors;
	uint64_t ctl_refused;
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
	size_t nr_attached;
	int lock_fd, ep_fd, sig_fd, timer_fd, ctl_fd;
	uint64_t last_report_ns;
	int stop;
	int made_pin_dir;
	struct fg_svc_stats st;
};

/* Answer one control request (status, disconnected, connected). */
void fg_svc_ctl_handle(struct fg_svc *s, const struct fg_ctl_req *req,
		       struct fg_ctl_resp *resp);

#endif /* FG_SVC_H */
