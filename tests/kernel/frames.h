/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * frames.h - synthetic Ethernet frames for BPF_PROG_TEST_RUN, shared by
 * the kernel tests and the benchmark (each includes it once into its
 * single translation unit).
 *
 * A frame is described as a struct pkt and built by pkt_build, so a
 * test says which flow it sends rather than spelling out header bytes.
 * Checksums are left at 0: the guard never reads them, and a test run
 * hands the frame straight to the program.
 */
#ifndef FG_TEST_FRAMES_H
#define FG_TEST_FRAMES_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "flowguard.h"

struct pkt {
	int v6;
	uint8_t proto;	 /* IPPROTO_TCP, _UDP, _ICMP (ICMPv6 with v6) */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport; /* ICMP: echo id */
	uint16_t dport; /* ICMP: ignored (echo request) */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t frag_off; /* IPv4 only, host order, flag bits included */
};

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static inline size_t l4_build(const struct pkt *p, uint8_t *l4)
{
	switch (p->proto) {
	case IPPROTO_TCP:
		memset(l4, 0, 20);
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put32(l4 + 4, p->seq);
		put32(l4 + 8, p->ack);
		l4[12] = 5 << 4;
		l4[13] = p->flags;
		put16(l4 + 14, 64240);
		return 20;
	case IPPROTO_UDP:
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put16(l4 + 4, 8 + 4);
		put16(l4 + 6, 0);
		memcpy(l4 + 8, "data", 4);
		return 12;
	default: /* echo request */
		l4[0] = p->v6 ? 128 : 8;
		l4[1] = 0;
		put16(l4 + 2, 0);
		put16(l4 + 4, p->sport);
		put16(l4 + 6, 1);
		memcpy(l4 + 8, "pingpong", 8);
		return 16;
	}
}

/* Ethernet + IP + L4 into f (128 bytes are enough); returns the frame
 * length. */
static inline size_t pkt_build(const struct pkt *p, uint8_t *f)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t *ip = f + 14;
	size_t l4len;

	memcpy(f, macs, 12);
	if (!p->v6) {
		put16(f + 12, 0x0800);
		l4len = l4_build(p, ip + 20);
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, 20 + l4len);
		put16(ip + 4, 0x1234);
		put16(ip + 6, p->frag_off ? p->frag_off : 0x4000);
		ip[8] = 64;
		ip[9] = p->proto;
		memcpy(ip + 12, p->saddr, 4);
		memcpy(ip + 16, p->daddr, 4);
		return 14 + 20 + l4len;
	}
	put16(f + 12, 0x86dd);
	l4len = l4_build(p, ip + 40);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, l4len);
	ip[6] = p->proto;
	ip[7] = 64;
	memcpy(ip + 8, p->saddr, 16);
	memcpy(ip + 24, p->daddr, 16);
	return 14 + 40 + l4len;
}

/* The dedupe key the guard builds for p leaving on ifindex. */
static inline struct fg_flow_key flow_key(const struct pkt *p, int ifindex)
{
	struct fg_flow_key k = { 0 };

	memcpy(k.saddr, p->saddr, p->v6 ? 16 : 4);
	memcpy(k.daddr, p->daddr, p->v6 ? 16 : 4);
	k.family = p->v6 ? 10 : 2;
	k.l4proto = p->proto;
	k.sport = htons(p->sport); /* ICMP: the echo id */
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)
		k.dport = htons(p->dport);
	else /* ICMP: the echo request's type and code */
		k.dport = htons((p->v6 ? 128 : 8) << 8);
	k.ifindex = (uint32_t)ifindex;
	return k;
}

#endif /* FG_TEST_FRAMES_H */
