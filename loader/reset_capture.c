// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * reset_capture.c - answer capture for the client reset (reset_capture.h).
 *
 * The sockets are bound to ETH_P_ALL, not to their family's ethertype:
 * sockets of one ethertype get a packet after the device's ingress
 * hooks, and an nft flowtable (flow offload) takes an offloaded flow's
 * packets there: the host's answer to the provoke would be forwarded,
 * never seen. All-protocol sockets are taps, ahead of those hooks; their
 * filter checks the ethertype itself, and they ignore what the router
 * sends (no copy of every transmitted packet).
 *
 * A tap runs its filter on every packet of every device: the filter is
 * kept to a few loads for traffic that is not a bare ACK, and matches the
 * wanted flows with five instructions each.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flowguard.h"
#include "reset_capture.h"

/* Enough for the IP and TCP headers with options. */
#define FG_CAPTURE_SNAP 128
#define FG_TCP_FLAGS6 0x3f /* URG ACK PSH RST SYN FIN */

struct fg_filter {
	struct sock_filter *code;
	size_t n;
};

static void fg_op(struct fg_filter *f, uint16_t code, uint8_t jt, uint8_t jf,
		  uint32_t k)
{
	f->code[f->n++] = (struct sock_filter){ code, jt, jf, k };
}

/* A equal to k, else drop: forward jumps are 8 bits, so each test drops
 * on its own instead of jumping to one far drop. */
static void fg_need(struct fg_filter *f, uint32_t k)
{
	fg_op(f, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, k);
	fg_op(f, BPF_RET | BPF_K, 0, 0, 0);
}

/* The headers of a bare ACK of the family; leaves the TCP header's first
 * word (both ports) in M[0]. IPv6: no extension headers (a host's bare
 * ACK carries none). */
static void fg_filter_head(struct fg_filter *f, int v6)
{
	fg_op(f, BPF_LD | BPF_H | BPF_ABS, 0, 0,
	      (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL));
	fg_need(f, v6 ? ETH_P_IPV6 : ETH_P_IP);
	fg_op(f, BPF_LD | BPF_B | BPF_ABS, 0, 0, v6 ? 6 : 9);
	fg_need(f, IPPROTO_TCP);
	if (v6) {
		fg_op(f, BPF_LD | BPF_B | BPF_ABS, 0, 0, 40 + 13);
	} else {
		/* a later fragment has no TCP header */
		fg_op(f, BPF_LD | BPF_H | BPF_ABS, 0, 0, 6);
		fg_op(f, BPF_JMP | BPF_JSET | BPF_K, 0, 1, 0x1fff);
		fg_op(f, BPF_RET | BPF_K, 0, 0, 0);
		fg_op(f, BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0);
		fg_op(f, BPF_LD | BPF_B | BPF_IND, 0, 0, 13);
	}
	fg_op(f, BPF_ALU | BPF_AND | BPF_K, 0, 0, FG_TCP_FLAGS6);
	fg_need(f, FG_TCP_ACK);
	fg_op(f, v6 ? BPF_LD | BPF_W | BPF_ABS : BPF_LD | BPF_W | BPF_IND, 0,
	      0, v6 ? 40 : 0);
	fg_op(f, BPF_ST, 0, 0, 0);
}

static void fg_filter_want(struct fg_filter *f, int v6,
			   const struct fg_capture_want *w)
{
	fg_op(f, BPF_LD | BPF_MEM, 0, 0, 0);
	fg_op(f, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, w->ports);
	fg_op(f, BPF_LD | BPF_W | BPF_ABS, 0, 0, v6 ? 20 : 12);
	fg_op(f, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, w->addr);
	fg_op(f, BPF_RET | BPF_K, 0, 0, FG_CAPTURE_SNAP);
}

static int fg_filter_attach(int fd, const struct fg_filter *f)
{
	struct sock_fprog prog = { .len = (unsigned short)f->n,
				   .filter = f->code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog)) ? -errno : 0;
}

static int fg_capture_set_one(int fd, int v6,
			      const struct fg_capture_want *w, size_t n)
{
	struct fg_filter f = {};
	size_t i, mine = 0;
	int rc;

	for (i = 0; i < n; i++)
		mine += w[i].v6 == v6;
	f.code = calloc(24 + 5 * (mine < FG_CAPTURE_MAX_WANTS
				      ? mine : 0), sizeof(*f.code));
	if (!f.code)
		return -ENOMEM;
	if (mine) {
		fg_filter_head(&f, v6);
		if (mine >= FG_CAPTURE_MAX_WANTS)
			fg_op(&f, BPF_RET | BPF_K, 0, 0, FG_CAPTURE_SNAP);
		for (i = 0; i < n && mine < FG_CAPTURE_MAX_WANTS; i++)
			if (w[i].v6 == v6)
				fg_filter_want(&f, v6, &w[i]);
	}
	fg_op(&f, BPF_RET | BPF_K, 0, 0, 0);
	rc = fg_filter_attach(fd, &f);
	free(f.code);
	return rc;
}

void fg_capture_want_of(const struct fg_ct_tuple *hv,
			struct fg_capture_want *w)
{
	const uint8_t *a = hv->saddr + (hv->family == AF_INET ? 0 : 12);

	w->v6 = hv->family == AF_INET6;
	w->addr = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
		  (uint32_t)a[2] << 8 | a[3];
	w->ports = (uint32_t)ntohs(hv->sport) << 16 | ntohs(hv->dport);
}

static void fg_capture_discard(int fd)
{
	uint8_t pkt[64];

	while (recv(fd, pkt, sizeof(pkt), MSG_TRUNC) >= 0)
		;
}

int fg_capture_set(struct fg_capture *c, const struct fg_capture_want *w,
		   size_t n)
{
	int i, rc = 0;

	for (i = 0; i < 2; i++) {
		rc = fg_capture_set_one(c->fd[i], i, w, n);
		if (rc)
			break;
	}
	if (rc)
		for (i = 0; i < 2; i++)
			fg_capture_set_one(c->fd[i], i, NULL, 0);
	/* what the last filter let in is nobody's answer any more */
	if (rc || !n)
		for (i = 0; i < 2; i++)
			fg_capture_discard(c->fd[i]);
	return rc;
}

static int fg_capture_open_one(int v6)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd, rc, one = 1;

	/* protocol 0 receives nothing until bound: no packet slips in
	 * before the filter */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = fg_capture_set_one(fd, v6, NULL, 0);
	if (!rc && setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			      sizeof(one)))
		rc = -errno;
	if (!rc && bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int fg_capture_open(struct fg_capture *c)
{
	int i;

	c->fd[0] = c->fd[1] = -1;
	for (i = 0; i < 2; i++) {
		c->fd[i] = fg_capture_open_one(i);
		if (c->fd[i] < 0) {
			int rc = c->fd[i];

			fg_capture_close(c);
			return rc;
		}
	}
	return 0;
}

void fg_capture_close(struct fg_capture *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
}

ssize_t fg_capture_recv(const struct fg_capture *c, int i, uint8_t *pkt,
			size_t len)
{
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(c->fd[i], pkt, len, MSG_TRUNC,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return -1;
		/* our own provoking segments go out: not answers */
		if (from.sll_pkttype != PACKET_OUTGOING)
			return n < (ssize_t)len ? n : (ssize_t)len;
	}
}
