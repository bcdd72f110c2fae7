/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_last.h - what `status` and `metrics` say beyond the counters: the
 * last action per uplink (which, when, how many entries), how long the
 * service has run, and the kernel features its guard uses.
 */
#ifndef FG_SVC_LAST_H
#define FG_SVC_LAST_H

#include <stddef.h>
#include <stdint.h>

#include "disconnect.h"
#include "prog.h"

struct fg_svc_last {
	int64_t when;	   /* CLOCK_REALTIME seconds; 0: nothing yet */
	uint8_t event;	   /* enum fg_disc_event */
	uint8_t failed;	   /* it ended in an error */
	uint8_t alone;	   /* its command acted alone (the service only
			    * followed in its uplink table) */
	long long deleted; /* entries deleted; -1 unknown */
};

void fg_svc_last_note(struct fg_svc_last *l, enum fg_disc_event ev, int rc,
		      long long deleted, int alone);
/* "disconnected at 2026-12-06 13:10:01 UTC (35 s ago): 120 entries
 * deleted"; "" when nothing happened yet. */
void fg_svc_last_fmt(const struct fg_svc_last *l, char *buf, size_t len);

/* Seconds this process has run (from /proc), or -errno. */
long long fg_svc_uptime_s(void);

/* "kernel BTF, bpf_cast_to_kern_ctx, bpf_skb_ct_lookup, SOCK_DESTROY". */
void fg_svc_features(enum fg_guard_kind kind, int can_destroy, char *buf,
		     size_t len);

#endif /* FG_SVC_LAST_H */
