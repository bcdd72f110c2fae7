/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mapsize.h - the guard's two large maps sized for this router rather
 * than fixed: the dedupe map fg_flows (an LRU hash: all its entries are
 * allocated when it is made, 120 bytes each) and the ring buffer.
 */
#ifndef FG_MAPSIZE_H
#define FG_MAPSIZE_H

#include <stdint.h>

#define FG_CT_MAX_SYSCTL "/proc/sys/net/netfilter/nf_conntrack_max"
#define FG_MIN_FLOWS 1024
#define FG_MIN_RINGBUF_BYTES (16 * 1024)

/* Entries of fg_flows for a conntrack table of ct_max entries (0:
 * unknown): a flagged flow is a conntrack entry (or a packet that found
 * none), so more than the table holds is never needed; FG_MAX_FLOWS at
 * most (the largest table a flood has been tried with), FG_MIN_FLOWS at
 * least. */
uint32_t fg_mapsize_flows(uint64_t ct_max);
/* Ring buffer bytes for that many flows: FG_RINGBUF_BYTES scaled as the
 * flows are (the proportion of the defaults the flood tests hold with),
 * a power of two, FG_MIN_RINGBUF_BYTES at least. */
uint32_t fg_mapsize_ringbuf(uint32_t flows);
/* nf_conntrack_max as this process sees it; 0 when unreadable. */
uint64_t fg_mapsize_ct_max(void);

#endif /* FG_MAPSIZE_H */
