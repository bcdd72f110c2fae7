// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* reset_tcpseg.c - bare TCP segments over IPv4/IPv6, built and parsed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "reset_tcpseg.h"

#define FG_TCP_HLEN 20
#define FG_IP4_HLEN 20
#define FG_IP6_HLEN 40

static uint32_t fg_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t fg_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void fg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void fg_put32(uint8_t *p, uint32_t v)
{
	fg_put16(p, (uint16_t)(v >> 16));
	fg_put16(p + 2, (uint16_t)v);
}

static void fg_tcp_header(const struct fg_seg *s, uint8_t *th)
{
	memset(th, 0, FG_TCP_HLEN);
	memcpy(th, &s->t.sport, 2);
	memcpy(th + 2, &s->t.dport, 2);
	fg_put32(th + 4, s->seq);
	fg_put32(th + 8, s->ack);
	th[12] = (FG_TCP_HLEN / 4) << 4;
	th[13] = s->flags;
	/* a RST advertises no window; an ACK a modest one */
	fg_put16(th + 14, s->flags & 0x04 ? 0 : 512);
}

/* The pseudo-header sum shared by IPv4 and IPv6 (RFC 793, RFC 8200). */
static uint16_t fg_tcp_csum(const struct fg_seg *s, const uint8_t *th)
{
	size_t alen = s->t.family == AF_INET ? 4 : 16;
	uint8_t tail[4] = { 0, 0, 0, IPPROTO_TCP };
	uint32_t sum = 0;

	sum = fg_csum_add(sum, s->t.saddr, alen);
	sum = fg_csum_add(sum, s->t.daddr, alen);
	sum += FG_TCP_HLEN;
	sum = fg_csum_add(sum, tail, sizeof(tail));
	sum = fg_csum_add(sum, th, FG_TCP_HLEN);
	return fg_csum_fold(sum);
}

static size_t fg_ip_header(const struct fg_seg *s, uint8_t *ip)
{
	if (s->t.family == AF_INET) {
		memset(ip, 0, FG_IP4_HLEN);
		ip[0] = 0x45;
		fg_put16(ip + 2, FG_IP4_HLEN + FG_TCP_HLEN);
		fg_put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, s->t.saddr, 4);
		memcpy(ip + 16, s->t.daddr, 4);
		fg_put16(ip + 10, fg_csum_fold(fg_csum_add(0, ip, FG_IP4_HLEN)));
		return FG_IP4_HLEN;
	}
	memset(ip, 0, FG_IP6_HLEN);
	ip[0] = 0x60;
	fg_put16(ip + 4, FG_TCP_HLEN);
	ip[6] = IPPROTO_TCP;
	ip[7] = 64;
	memcpy(ip + 8, s->t.saddr, 16);
	memcpy(ip + 24, s->t.daddr, 16);
	return FG_IP6_HLEN;
}

int fg_seg_build(const struct fg_seg *s, uint8_t *buf, size_t len)
{
	size_t hl;

	if (s->t.family != AF_INET && s->t.family != AF_INET6)
		return -EAFNOSUPPORT;
	if (len < FG_SEG_MAX)
		return -ENOSPC;
	hl = fg_ip_header(s, buf);
	fg_tcp_header(s, buf + hl);
	fg_put16(buf + hl + 16, fg_tcp_csum(s, buf + hl));
	return (int)(hl + FG_TCP_HLEN);
}

static uint32_t fg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int fg_seg_parse(const uint8_t *pkt, size_t len, int family,
		 struct fg_seg *out)
{
	size_t hl;

	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		if (len < FG_IP4_HLEN || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_TCP)
			return -EPROTO;
		/* a later fragment carries no TCP header */
		if ((pkt[6] & 0x1f) || pkt[7])
			return -EPROTO;
		hl = (size_t)(pkt[0] & 0x0f) * 4;
		memcpy(out->t.saddr, pkt + 12, 4);
		memcpy(out->t.daddr, pkt + 16, 4);
	} else {
		if (len < FG_IP6_HLEN || pkt[0] >> 4 != 6 || pkt[6] != IPPROTO_TCP)
			return -EPROTO;
		hl = FG_IP6_HLEN;
		memcpy(out->t.saddr, pkt + 8, 16);
		memcpy(out->t.daddr, pkt + 24, 16);
	}
	if (hl < FG_IP4_HLEN || len < hl + FG_TCP_HLEN)
		return -EPROTO;
	out->t.family = (uint8_t)family;
	out->t.l4proto = IPPROTO_TCP;
	memcpy(&out->t.sport, pkt + hl, 2);
	memcpy(&out->t.dport, pkt + hl + 2, 2);
	out->seq = fg_get32(pkt + hl + 4);
	out->ack = fg_get32(pkt + hl + 8);
	out->flags = pkt[hl + 13];
	return 0;
}
