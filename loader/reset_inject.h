/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * reset_inject.h - send a segment straight to a LAN host out of its device by
 * AF_PACKET, so the router's own conntrack and firewall never see it. The
 * host's MAC comes from the neighbour table (cached, reloaded on a miss).
 */
#ifndef FG_RESET_INJECT_H
#define FG_RESET_INJECT_H

#include <stdint.h>

#include "reset_tcpseg.h"

struct fg_inject;

int fg_inject_open(struct fg_inject **out);
void fg_inject_close(struct fg_inject *in);

/* The device and MAC of a host on a directly connected network: ifindex
 * 0 means any device. -ENOENT if the neighbour table does not know it. */
int fg_inject_resolve(struct fg_inject *in, int family, const uint8_t *addr,
		      int *ifindex, uint8_t mac[6]);

/* Send s to s->t.daddr. ifindex 0: wherever the neighbour table puts it. */
int fg_inject_send(struct fg_inject *in, int ifindex, const struct fg_seg *s);

#endif /* FG_RESET_INJECT_H */
