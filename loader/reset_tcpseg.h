/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * reset_tcpseg.h - one bare TCP segment (no options, no payload) with its IPv4
 * or IPv6 header, checksums filled: what flowguard sends a LAN host as if
 * from its remote peer (a provoking ACK, an exact-sequence RST).
 */
#ifndef FG_RESET_TCPSEG_H
#define FG_RESET_TCPSEG_H

#include <stddef.h>
#include <stdint.h>

#include "ct.h"

#define FG_SEG_MAX 60 /* IPv6 40 + TCP 20 */

struct fg_seg {
	struct fg_ct_tuple t; /* saddr/sport: the peer; daddr/dport: the host */
	uint32_t seq, ack;    /* host order */
	uint8_t flags;	      /* FG_TCP_* */
};

/* Writes the L3 packet into buf; returns its length or -errno. */
int fg_seg_build(const struct fg_seg *s, uint8_t *buf, size_t len);

/* Reads one L3 packet: 0 and the segment if it is TCP, -errno if not. */
int fg_seg_parse(const uint8_t *pkt, size_t len, int family,
		 struct fg_seg *out);

#endif /* FG_RESET_TCPSEG_H */
