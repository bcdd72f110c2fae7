// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_taphold - hold the client reset's answer capture open as during a
 * reset round, for the forwarding benchmark.
 *
 *   fg_taphold narrow|wide SECONDS [NFLOWS]
 *	narrow: the capture as a round in flight has it (kick_capture.c),
 *	waiting for NFLOWS (default 64, one round) flows that never answer;
 *	NFLOWS 0: as between rounds.
 *	wide: one tap with the filter the capture had before, "every TCP
 *	packet"; what it passes is read as the reset round read it.
 *	Reads what comes for SECONDS, then prints "copied N packets".
 */
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "reset_capture.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The former filter: IPv4 and TCP, whatever the flow. */
static int wide_open(struct fg_capture *c)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = 6, .filter = code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int one = 1;

	c->fd[1] = -1;
	c->fd[0] = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd[0] < 0 ||
	    setsockopt(c->fd[0], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    setsockopt(c->fd[0], SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) ||
	    bind(c->fd[0], (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	return 0;
}

static int narrow_open(struct fg_capture *c, size_t n)
{
	struct fg_capture_want *w = calloc(n + 1, sizeof(*w));
	size_t i;
	int rc;

	if (!w || fg_capture_open(c))
		return -1;
	for (i = 0; i < n; i++) {
		w[i].addr = 0x0a630000u + (uint32_t)i; /* 10.99.x.y: nobody */
		w[i].ports = (uint32_t)(40000 + i) << 16 | 443;
	}
	rc = fg_capture_set(c, w, n);
	free(w);
	return rc;
}

int main(int argc, char **argv)
{
	struct fg_capture c = { { -1, -1 } };
	struct pollfd pfd[2];
	uint8_t pkt[256];
	uint64_t until, copied = 0;
	int i, rc;

	if (argc < 3 || (strcmp(argv[1], "narrow") && strcmp(argv[1], "wide"))) {
		fprintf(stderr, "usage: fg_taphold narrow|wide SECONDS [NFLOWS]\n");
		return 2;
	}
	rc = !strcmp(argv[1], "wide")
		     ? wide_open(&c)
		     : narrow_open(&c, argc > 3 ? (size_t)atoi(argv[3]) : 64);
	if (rc) {
		perror("fg_taphold");
		return 1;
	}
	until = now_ms() + (uint64_t)atoi(argv[2]) * 1000;
	for (i = 0; i < 2; i++)
		pfd[i] = (struct pollfd){ .fd = c.fd[i], .events = POLLIN };
	while (now_ms() < until) {
		if (poll(pfd, 2, (int)(until - now_ms())) <= 0)
			continue;
		for (i = 0; i < 2; i++)
			while (c.fd[i] >= 0 &&
			       fg_capture_recv(&c, i, pkt, sizeof(pkt)) >= 0)
				copied++;
	}
	printf("copied %llu packets\n", (unsigned long long)copied);
	fg_capture_close(&c);
	return 0;
}
