/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* reset_disc.h - the disconnect's per-flow stage: reset the LAN hosts of
 * the uplink's TCP flows before their entries go. */
#ifndef FG_RESET_DISC_H
#define FG_RESET_DISC_H

#include <stddef.h>

#include "ct.h"
#include "disconnect.h"
#include "reset_kick.h"

/* How long a batch waits for the hosts' answers, at most. */
#define FG_DISC_KICK_WAIT_MS 50
/* Hosts rate-limit such answers per socket (tcp_invalid_ratelimit). */
#define FG_DISC_KICK_RETRY_MS 600

/* Whether a TCP entry's client is worth a reset: 1 for an entry whose
 * state is ESTABLISHED..LAST_ACK (both ends or one still open), and for
 * an offloaded one (IPS_OFFLOAD, IPS_HW_OFFLOAD) whose state is unknown:
 * ctnetlink leaves an offloaded entry's state out (tcp_state 0), and the
 * flowtable only takes established flows and lets go of them at FIN or
 * RST. Every other known state (SYN_SENT, SYN_RECV, TIME_WAIT, CLOSE,
 * SYN_SENT2) is not open, offloaded or not; so is every other protocol. */
int fg_disc_tcp_open(const struct fg_ct_entry *e);

/* Dump every entry of the mark (all protocols: d->counted gets how many,
 * the count of the delete that follows); the open TCP flows' hosts go to
 * *flows (malloc'd, NULL when none), to be kicked. */
int fg_disc_collect(struct fg_kick *k, struct fg_ct *ct, struct fg_disc *d,
		    struct fg_kick_flow **flows, size_t *n, char *err,
		    size_t errlen);
/* Their batch is over: d gets its figures; the flows that did not answer
 * are moved to the front, their number returned. */
size_t fg_disc_kicked(struct fg_disc *d, struct fg_kick_flow *f, size_t n,
		      const struct fg_kick_stats *st);

/* Both, with the batch waited for: dump every entry of the mark (all protocols: d->counted gets how many,
 * the count of the delete that follows), kick the open TCP flows' hosts
 * all at once. *left gets the hosts that did not answer (malloc'd, may be
 * NULL), for one retry. */
int fg_disc_kick(struct fg_kick *k, struct fg_ct *ct, struct fg_disc *d,
		 struct fg_kick_flow **left, size_t *nr_left, char *err,
		 size_t errlen);

#endif /* FG_RESET_DISC_H */
