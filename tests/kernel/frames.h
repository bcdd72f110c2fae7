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

/* Enough for any frame pkt_build makes (128 bytes without IPv6
 * extension headers). */
#define PKT_FRAME_MAX 256
#define PKT_MAX_EXT6 6

struct pkt {
	int v6;
	uint8_t proto;	 /* IPPROTO_TCP, _UDP, _ICMP (ICMPv6 with v6) */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport; /* ICMP: echo id */
	uint16_t dport; /* ICMP: ignored (echo request) */
	uint32_t seq, ack;
	uint8_t flags;
	/* host order. IPv4: the header's field, flag bits included; IPv6:
	 * the fragment header's (offset in 8-byte units << 3 | M) */
	uint16_t frag_off;
	/* IPv6 extension headers between the IPv6 header and L4, in order:
	 * IPPROTO_HOPOPTS, _ROUTING, _FRAGMENT, _DSTOPTS, _AH */
	uint8_t nr_ext6;
	uint8_t ext6[PKT_MAX_EXT6];
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

/* One IPv6 extension header of type t, followed by next, at e; its
 * length. Sizes differ (8 to 24 bytes) so that each length rule is used:
 * 8-byte units for most, 4-byte units for AH, fixed for fragments. */
static inline size_t ext6_build(const struct pkt *p, uint8_t t, uint8_t next,
				uint8_t *e)
{
	size_t len;

	switch (t) {
	case IPPROTO_ROUTING: /* type 0, segments left 0, one address */
		len = 24;
		memset(e, 0, len);
		e[1] = len / 8 - 1;
		break;
	case IPPROTO_FRAGMENT:
		len = 8;
		memset(e, 0, len);
		put16(e + 2, p->frag_off);
		put32(e + 4, 0xf00d);
		break;
	case IPPROTO_AH: /* 12 bytes of ICV */
		len = 24;
		memset(e, 0, len);
		e[1] = len / 4 - 2;
		put32(e + 4, 0x1000); /* SPI */
		break;
	case IPPROTO_DSTOPTS: /* PadN over 14 bytes */
		len = 16;
		memset(e, 0, len);
		e[1] = len / 8 - 1;
		e[2] = 1;
		e[3] = 12;
		break;
	default: /* hop-by-hop: PadN over 6 bytes */
		len = 8;
		memset(e, 0, len);
		e[2] = 1;
		e[3] = 4;
		break;
	}
	e[0] = next;
	return len;
}

/* The extension headers of p at e, the last one pointing at p->proto;
 * their length. */
static inline size_t ext6_chain(const struct pkt *p, uint8_t *e)
{
	size_t len = 0;

	for (int i = 0; i < p->nr_ext6 && i < PKT_MAX_EXT6; i++) {
		uint8_t next = i + 1 < p->nr_ext6 ? p->ext6[i + 1] : p->proto;

		len += ext6_build(p, p->ext6[i], next, e + len);
	}
	return len;
}

/* Ethernet + IP (+ IPv6 extension headers) + L4 into f (PKT_FRAME_MAX
 * bytes are enough; 128 without extension headers); returns the frame
 * length. */
static inline size_t pkt_build(const struct pkt *p, uint8_t *f)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t *ip = f + 14;
	size_t l4len, extlen;

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
	extlen = ext6_chain(p, ip + 40);
	l4len = l4_build(p, ip + 40 + extlen);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, extlen + l4len);
	ip[6] = p->nr_ext6 ? p->ext6[0] : p->proto;
	ip[7] = 64;
	memcpy(ip + 8, p->saddr, 16);
	memcpy(ip + 24, p->daddr, 16);
	return 14 + 40 + extlen + l4len;
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
