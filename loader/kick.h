/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kick.h - end stale TCP flows at once, even behind a remote that drops
 * unknown segments silently: the LAN host gets a RST as if from its peer
 * with exactly its RCV.NXT as sequence number (RFC 5961 accepts only that).
 *
 * RCV.NXT is the ACK field of the host's own segments: every host is
 * provoked at once with an out-of-window pure ACK, which it answers with a
 * duplicate ACK, and each answer is turned into its RST (a flagged
 * packet's own ACK field is the fallback for a host that does not answer). The router's own
 * sockets are destroyed through sock_diag instead.
 */
#ifndef FG_KICK_H
#define FG_KICK_H

#include <stddef.h>
#include <stdint.h>

#include "ct.h"

struct fg_kick;

enum fg_kick_state {
	FG_KICK_PENDING = 0,
	FG_KICK_RESET,	    /* RST sent with the host's exact RCV.NXT */
	FG_KICK_DESTROYED,  /* the router's own socket, destroyed */
	FG_KICK_UNRESOLVED, /* host not in the neighbour table */
	FG_KICK_FAILED,	    /* send or destroy failed */
	FG_KICK_GUESSED,    /* no answer: RST with the last known RCV.NXT */
};

struct fg_kick_flow {
	struct fg_ct_tuple hv; /* saddr/sport: LAN host; daddr/dport: peer */
	enum fg_kick_state state;
	int local;	       /* hv.saddr is the router's own address */
	int ifindex;	       /* the host's device, 0 if unknown */
	int has_guess;	       /* no answer: RST with guess_seq anyway */
	uint32_t guess_seq;
	int provoked;	       /* a retry goes 2^31 away from provoke_seq */
	uint32_t provoke_seq;
};

struct fg_kick_stats {
	size_t flows, provoked, answered, reset, destroyed, unresolved, failed;
	size_t guessed;
};

int fg_kick_open(struct fg_kick **out);
void fg_kick_close(struct fg_kick *k);

/* The LAN host's view of a ct entry: a port forward's host is its reply
 * source; otherwise the original source when it is the router or a LAN
 * neighbour, else (a remote connecting in, routed IPv6) the reply source. */
void fg_kick_host_view(struct fg_kick *k, const struct fg_ct_entry *e,
		       struct fg_ct_tuple *hv);

/* A batch: provoke every PENDING flow, collect answers for up to wait_ms
 * (less when all answered), reset those who answered. A flow with a guess
 * that did not answer gets a RST with its guess. Flows still PENDING
 * afterwards did not answer: call again after the hosts' 500 ms
 * rate limit on such answers. */
int fg_kick_batch(struct fg_kick *k, struct fg_kick_flow *flows, size_t n,
		  int wait_ms, struct fg_kick_stats *st);

const char *fg_kick_state_name(enum fg_kick_state s);

#endif /* FG_KICK_H */
