// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_bulk - a bulk TCP transfer through the drill, to load the router's
 * forwarding path for benchmarks.
 *
 *   fg_bulk sink PORT
 *	Accepts on [::]:PORT (IPv4 and IPv6) and discards what comes, one
 *	connection at a time. Prints "listening" once bound; runs until
 *	killed.
 *   fg_bulk send ADDR PORT SECONDS
 *	Connects and writes as fast as TCP takes it for SECONDS; prints
 *	"sent BYTES in MS ms".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int sink(const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	static char buf[1 << 16];
	int fd, c, one = 1, off = 0;

	sa.sin6_port = htons((uint16_t)atoi(port));
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
		perror("fg_bulk sink");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}

static int send_for(const char *addr, const char *port, const char *secs)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	static char buf[1 << 16];
	uint64_t t0, until, sent = 0;
	socklen_t len;
	ssize_t n;
	int fd;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "fg_bulk: bad address %s\n", addr);
		return 1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
		perror("fg_bulk send");
		return 1;
	}
	t0 = now_ms();
	until = t0 + (uint64_t)atoi(secs) * 1000;
	while (now_ms() < until) {
		n = write(fd, buf, sizeof(buf));
		if (n < 0) {
			perror("fg_bulk write");
			return 1;
		}
		sent += (uint64_t)n;
	}
	close(fd);
	printf("sent %llu in %llu ms\n", (unsigned long long)sent,
	       (unsigned long long)(now_ms() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return sink(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return send_for(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: fg_bulk sink PORT | fg_bulk send ADDR PORT SECONDS\n");
	return 2;
}
