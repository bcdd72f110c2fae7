/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * reset_capture.h - the packet sockets that catch the hosts' answers to a
 * provoke: one per family, open as long as the kick handle, each with a
 * classic BPF filter that passes only the bare ACKs of the flows being
 * reset (their host's address and both ports), so that the router's
 * forwarded traffic is never copied to userspace, with or without a
 * round pending.
 */
#ifndef FG_RESET_CAPTURE_H
#define FG_RESET_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct.h"

struct fg_capture {
	int fd[2]; /* IPv4, IPv6 */
};

/* One flow whose answers are wanted: the host's address (IPv4; IPv6:
 * its last 32 bits) and the TCP header's first word (host port, peer
 * port), both as the filter loads them (host order of the wire value). */
struct fg_capture_want {
	uint8_t v6;
	uint32_t addr;
	uint32_t ports;
};

/* Flows one filter tells apart; beyond, it passes every bare ACK. */
#define FG_CAPTURE_MAX_WANTS 768

/* The want of a flow seen from its host (saddr/sport: the host,
 * daddr/dport: the peer), whose answers come from saddr. */
void fg_capture_want_of(const struct fg_ct_tuple *hv,
			struct fg_capture_want *w);

int fg_capture_open(struct fg_capture *c);
void fg_capture_close(struct fg_capture *c);
/* Pass only these flows' bare ACKs (n == 0: nothing at all). Replacing a
 * filter costs no RCU grace period, unlike closing or rebinding. */
int fg_capture_set(struct fg_capture *c, const struct fg_capture_want *w,
		   size_t n);
/* One packet from socket i (0: IPv4, 1: IPv6), network header first;
 * -1 when none waits. */
ssize_t fg_capture_recv(const struct fg_capture *c, int i, uint8_t *pkt,
			size_t len);

#endif /* FG_RESET_CAPTURE_H */
