// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_capture.c - the client reset's answer capture lets in only the
 * bare ACKs of the flows being reset: every other packet the router
 * forwards (data, the same host's other flows, SYN, RST, other hosts)
 * stays in the kernel. Real packet sockets in a private network
 * namespace; the segments go out through a packet socket on lo and come
 * back in, as a host's answer would.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flowguard.h"
#include "sandbox.h"
#include "reset_capture.h"
#include "reset_tcpseg.h"
#include "unit.h"

/* A segment from host (the LAN side) to peer; data bytes after it. */
static void seg_from_host(struct fg_seg *s, int v6, uint8_t host_last,
			  uint16_t hport, uint16_t pport, uint8_t flags)
{
	memset(s, 0, sizeof(*s));
	s->t.family = v6 ? AF_INET6 : AF_INET;
	s->t.l4proto = IPPROTO_TCP;
	if (v6) {
		s->t.saddr[0] = 0xfd;
		s->t.saddr[15] = host_last;
		s->t.daddr[0] = 0x20;
		s->t.daddr[15] = 9;
	} else {
		s->t.saddr[0] = 10;
		s->t.saddr[3] = host_last;
		s->t.daddr[0] = 192;
		s->t.daddr[1] = 0;
		s->t.daddr[2] = 2;
		s->t.daddr[3] = 9;
	}
	s->t.sport = htons(hport);
	s->t.dport = htons(pport);
	s->seq = 1000;
	s->ack = 2000;
	s->flags = flags;
}

/* Out through lo and back in; with_data appends 100 bytes. */
static int send_on_lo(int tx, const struct fg_seg *s, int with_data)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = (int)if_nametoindex("lo") };
	uint8_t pkt[256] = { 0 };
	int len = fg_seg_build(s, pkt, sizeof(pkt));

	if (len < 0)
		return -1;
	if (with_data) {
		/* the lengths in the IP header follow; checksums do not
		 * matter to a tap */
		if (s->t.family == AF_INET) {
			pkt[3] = (uint8_t)(pkt[3] + 100);
		} else {
			pkt[5] = (uint8_t)(pkt[5] + 100);
		}
		len += 100;
	}
	to.sll_protocol = htons(s->t.family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	return sendto(tx, pkt, (size_t)len, 0, (struct sockaddr *)&to,
		      sizeof(to)) == len ? 0 : -1;
}

/* What the capture let in, by the host port of each (0-terminated). */
static int caught(struct fg_capture *c, uint16_t *ports, int max)
{
	uint8_t pkt[256];
	struct fg_seg in;
	ssize_t len;
	int i, n = 0;

	usleep(20000); /* lo delivers through the backlog softirq */
	for (i = 0; i < 2; i++)
		while ((len = fg_capture_recv(c, i, pkt, sizeof(pkt))) >= 0)
			if (n < max &&
			    !fg_seg_parse(pkt, (size_t)len, i ? AF_INET6 : AF_INET,
					  &in))
				ports[n++] = ntohs(in.t.sport);
	return n;
}

static struct fg_capture cap;
static int tx = -1;

static void test_nothing_between_rounds(void)
{
	struct fg_seg s;
	uint16_t got[8];

	CHECK_EQ_I(fg_capture_set(&cap, NULL, 0), 0);
	seg_from_host(&s, 0, 2, 40000, 443, FG_TCP_ACK);
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	seg_from_host(&s, 1, 2, 40001, 443, FG_TCP_ACK);
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	CHECK_EQ_I(caught(&cap, got, 8), 0);
}

/* One flow per family wanted: only their bare ACKs come up. */
static void test_only_wanted_bare_acks(void)
{
	struct fg_capture_want w[2];
	struct fg_seg a4, a6, s;
	uint16_t got[16];
	int n;

	seg_from_host(&a4, 0, 2, 40000, 443, FG_TCP_ACK);
	seg_from_host(&a6, 1, 2, 40006, 443, FG_TCP_ACK);
	fg_capture_want_of(&a4.t, &w[0]);
	fg_capture_want_of(&a6.t, &w[1]);
	CHECK_EQ_I(fg_capture_set(&cap, w, 2), 0);

	CHECK_EQ_I(send_on_lo(tx, &a4, 0), 0);	   /* wanted */
	CHECK_EQ_I(send_on_lo(tx, &a6, 0), 0);	   /* wanted */
	CHECK_EQ_I(send_on_lo(tx, &a4, 1), 0);	   /* its data: also its ACK */
	s = a4;
	s.flags = FG_TCP_ACK | 0x08;		   /* no: PSH */
	CHECK_EQ_I(send_on_lo(tx, &s, 1), 0);
	s.flags = FG_TCP_RST | FG_TCP_ACK;	   /* no: RST */
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	s.flags = FG_TCP_SYN;			   /* no: SYN */
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	seg_from_host(&s, 0, 2, 40100, 443, FG_TCP_ACK); /* same host, other flow */
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	seg_from_host(&s, 0, 3, 40000, 443, FG_TCP_ACK); /* other host */
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	seg_from_host(&s, 0, 2, 40000, 80, FG_TCP_ACK);	 /* other peer port */
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	seg_from_host(&s, 1, 3, 40006, 443, FG_TCP_ACK); /* other v6 host */
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);

	/* the wanted flow's own data segment (ACK alone set) comes up too:
	 * its ACK field is the host's RCV.NXT all the same; the filter
	 * does not read lengths */
	n = caught(&cap, got, 16);
	CHECK_EQ_I(n, 3);
	if (n == 3) {
		CHECK_EQ_I(got[0], 40000); /* IPv4 socket first */
		CHECK_EQ_I(got[1], 40000);
		CHECK_EQ_I(got[2], 40006);
	}
}

/* Beyond what one filter tells apart: every bare ACK, still no data. */
static void test_many_wanted_bare_acks_only(void)
{
	size_t n = FG_CAPTURE_MAX_WANTS + 10, i;
	struct fg_capture_want *w = calloc(n, sizeof(*w));
	struct fg_seg s;
	uint16_t got[8];

	CHECK(w != NULL);
	if (!w)
		return;
	for (i = 0; i < n; i++) {
		seg_from_host(&s, 0, 50, (uint16_t)(10000 + i), 443,
			      FG_TCP_ACK);
		fg_capture_want_of(&s.t, &w[i]);
	}
	CHECK_EQ_I(fg_capture_set(&cap, w, n), 0);
	seg_from_host(&s, 0, 60, 30000, 443, FG_TCP_ACK);
	CHECK_EQ_I(send_on_lo(tx, &s, 0), 0);
	s.flags = FG_TCP_ACK | 0x08;
	CHECK_EQ_I(send_on_lo(tx, &s, 1), 0);
	CHECK_EQ_I(caught(&cap, got, 8), 1);
	CHECK_EQ_I(got[0], 30000);
	CHECK_EQ_I(fg_capture_set(&cap, NULL, 0), 0);
	free(w);
}

int main(void)
{
	if (unshare(CLONE_NEWNET)) {
		printf("SKIP test_capture: unshare(CLONE_NEWNET): %s\n",
		       strerror(errno));
		return 0;
	}
	if (sandbox_lo_up() || fg_capture_open(&cap)) {
		printf("FAIL test_capture: setup: %s\n", strerror(errno));
		return 1;
	}
	tx = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tx < 0) {
		printf("FAIL test_capture: packet socket: %s\n", strerror(errno));
		return 1;
	}
	RUN(test_nothing_between_rounds);
	RUN(test_only_wanted_bare_acks);
	RUN(test_many_wanted_bare_acks_only);
	close(tx);
	fg_capture_close(&cap);
	UNIT_EXIT();
}
