/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * reset_kick.h - end stale TCP flows at once, even behind a remote that drops
 * unknown segments silently: the LAN host gets a RST as if from its peer
 * with exactly its RCV.NXT as sequence number (RFC 5961 accepts only that).
 *
 * RCV.NXT is the ACK field of the host's own segments: every host is
 * provoked at once with an out-of-window pure ACK, which it answers with a
 * duplicate ACK, and each answer is turned into its RST (a flagged
 * packet's own ACK field is the fallback for a host that does not
 * answer). The router's own sockets are destroyed through sock_diag
 * instead.
 *
 * The client reset is the reset_* files, this header its entry point:
 * reset_kick (batches of flows: provoke, answer, RST), reset_capture (the
 * answers' packet sockets and their filter), reset_inject (segments out
 * to a LAN host), reset_tcpseg (building and parsing them),
 * reset_sockdiag (the router's own sockets), reset_disc (the
 * disconnect's flows, from its dump).
 */
#ifndef FG_RESET_KICK_H
#define FG_RESET_KICK_H

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
	uint32_t rst_seq;      /* RESET: the sequence number the RST carried */
};

struct fg_kick_stats {
	size_t flows, provoked, answered, reset, destroyed, unresolved, failed;
	size_t guessed;
	size_t rereset; /* RSTs sent again: the host acked on after one */
};

/* A batch in flight ends: every flow has its final state. */
typedef void (*fg_kick_done_fn)(void *ctx, struct fg_kick_flow *f, size_t n,
				const struct fg_kick_stats *st);

/* Keep watching a reset flow until the deadline: when the host acks on
 * (data from the peer reached it after its answer, and the RST, one
 * sequence number behind, was dropped), send the RST again with the new
 * value. For flows whose peer may still be sending (a misroute). */
#define FG_KICK_WATCH 0x1u

int fg_kick_open(struct fg_kick **out);
void fg_kick_close(struct fg_kick *k);

/* The LAN host's view of a ct entry: a port forward's host is its reply
 * source; otherwise the original source when it is the router or a LAN
 * neighbour, else (a remote connecting in, routed IPv6) the reply source. */
void fg_kick_host_view(struct fg_kick *k, const struct fg_ct_entry *e,
		       struct fg_ct_tuple *hv);

/* A batch: provoke every PENDING flow, collect answers for up to wait_ms
 * (less when all answered, unless FG_KICK_WATCH), reset those who
 * answered. A flow with a guess that did not answer gets a RST with its
 * guess. Flows still PENDING afterwards did not answer: try again after
 * the hosts' 500 ms rate limit on such answers.
 *
 * fg_kick_start provokes and returns at once; the flows (the caller's,
 * untouched until then) are handed back through done, from
 * fg_kick_on_answers or fg_kick_expire, never from fg_kick_start itself.
 * The caller polls fg_kick_fd(k, 0..1) for answers and calls
 * fg_kick_expire within fg_kick_timeout_ms. */
int fg_kick_start(struct fg_kick *k, struct fg_kick_flow *flows, size_t n,
		  int wait_ms, unsigned int flags, fg_kick_done_fn done,
		  void *ctx);
int fg_kick_fd(const struct fg_kick *k, int i);
void fg_kick_on_answers(struct fg_kick *k);
/* Ends the batches whose time is up (all of them with now_too). */
void fg_kick_expire(struct fg_kick *k, int now_too);
/* Milliseconds until the next batch's time is up; -1: none in flight. */
int fg_kick_timeout_ms(const struct fg_kick *k);
size_t fg_kick_in_flight(const struct fg_kick *k);

/* Start, wait, done: for a command that has nothing else to do; st gets
 * the batch's figures. */
int fg_kick_batch(struct fg_kick *k, struct fg_kick_flow *flows, size_t n,
		  int wait_ms, struct fg_kick_stats *st);

const char *fg_kick_state_name(enum fg_kick_state s);

#endif /* FG_RESET_KICK_H */
