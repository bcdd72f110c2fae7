/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* disc_kick.h - the disconnect's per-flow stage: reset the LAN hosts of
 * the uplink's TCP flows before their entries go. */
#ifndef FG_DISC_KICK_H
#define FG_DISC_KICK_H

#include <stddef.h>

#include "ct.h"
#include "disconnect.h"
#include "kick.h"

/* How long a batch waits for the hosts' answers, at most. */
#define FG_DISC_KICK_WAIT_MS 50
/* Hosts rate-limit such answers per socket (tcp_invalid_ratelimit). */
#define FG_DISC_KICK_RETRY_MS 600

/* Dump the mark's open TCP flows, kick them all at once. *left gets the
 * hosts that did not answer (malloc'd, may be NULL), for one retry. */
int fg_disc_kick(struct fg_kick *k, struct fg_ct *ct, struct fg_disc *d,
		 struct fg_kick_flow **left, size_t *nr_left, char *err,
		 size_t errlen);

#endif /* FG_DISC_KICK_H */
