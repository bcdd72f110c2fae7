// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_udpflows - many UDP flows at once, for benchmarks on the drill.
 *
 *   fg_udpflows send [-i USEC] [-w MS] SRC BASEPORT N DST DPORT
 *	Opens N UDP sockets bound to SRC:BASEPORT .. SRC:BASEPORT+N-1
 *	(SO_REUSEADDR), then sends one datagram from each to DST:DPORT:
 *	back to back (burst), or one every USEC microseconds on an absolute
 *	CLOCK_MONOTONIC schedule (paced). Fixed source ports make a second
 *	run hit the same conntrack entries as the first. Then waits MS
 *	(default 50) before closing the sockets, so that closing them (kernel
 *	work that a non-preemptible kernel does not interrupt) does not delay
 *	whatever the last datagrams set off. Prints "sent N in US us" and
 *	exits 0 when every datagram went out.
 *
 *   fg_udpflows sink PORT
 *	Receives and discards datagrams on [::]:PORT (IPv4 and IPv6), so the
 *	remote answers nothing, not even ICMP port unreachable. Prints
 *	"listening" once bound; runs until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mark.h"

#define MAX_FLOWS 60000

static void usage(void)
{
	fprintf(stderr,
		"usage: fg_udpflows send [-i USEC] [-w MS] SRC BASEPORT N DST DPORT\n"
		"       fg_udpflows sink PORT\n");
	exit(2);
}

/* The project's strict number parser, within the range. */
static long parse_num(const char *s, uint32_t min, uint32_t max)
{
	uint32_t v;

	if (fg_mark_parse_range(s, min, max, &v))
		usage();
	return (long)v;
}

/* ADDR, PORT -> sockaddr of ADDR's family; 0 or -1 */
static int make_addr(const char *addr, int port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in6 *s6 = (void *)ss;
	struct sockaddr_in *s4 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 0;
	}
	fprintf(stderr, "fg_udpflows: bad address %s\n", addr);
	return -1;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until_ns(long long t)
{
	struct timespec ts = { .tv_sec = t / 1000000000LL,
			       .tv_nsec = t % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

static int open_flows(int *fds, int n, const char *src, int base)
{
	struct sockaddr_storage ss;
	struct rlimit rl = { (rlim_t)n + 32, (rlim_t)n + 32 };
	socklen_t len;
	int i, one = 1;

	if (make_addr(src, 0, &ss, &len))
		return -1;
	/* raise the fd limit when we may (root); else the default must do */
	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < n; i++) {
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons((unsigned short)(base + i));
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = htons((unsigned short)(base + i));
		fds[i] = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 ||
		    setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(fds[i], (struct sockaddr *)&ss, len)) {
			fprintf(stderr, "fg_udpflows: socket %d (port %d): %s\n",
				i, base + i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	struct sockaddr_storage dst;
	long long gap_ns = 0, linger_ns = 50000000LL, t0, t1;
	const char payload[] = "fg_udpflows\n";
	socklen_t dlen;
	int n, base, i, c, *fds, rc = 0;

	while ((c = getopt(argc, argv, "i:w:")) != -1) {
		if (c == 'i')
			gap_ns = parse_num(optarg, 0, 10000000) * 1000LL;
		else if (c == 'w')
			linger_ns = parse_num(optarg, 0, 10000) * 1000000LL;
		else
			usage();
	}
	if (argc - optind != 5)
		usage();
	base = (int)parse_num(argv[optind + 1], 1, 65535);
	n = (int)parse_num(argv[optind + 2], 1, MAX_FLOWS);
	if (base + n - 1 > 65535)
		usage();
	if (make_addr(argv[optind + 3], (int)parse_num(argv[optind + 4], 1, 65535),
		      &dst, &dlen))
		return 1;
	fds = calloc((size_t)n, sizeof(*fds));
	if (!fds)
		return 1;
	for (i = 0; i < n; i++)
		fds[i] = -1;
	if (open_flows(fds, n, argv[optind], base)) {
		rc = 1;
		goto out;
	}
	t0 = mono_ns();
	for (i = 0; i < n; i++) {
		if (gap_ns && i)
			sleep_until_ns(t0 + gap_ns * i);
		if (sendto(fds[i], payload, sizeof(payload) - 1, 0,
			   (struct sockaddr *)&dst, dlen) < 0) {
			fprintf(stderr, "fg_udpflows: send from port %d: %s\n",
				base + i, strerror(errno));
			rc = 1;
			goto out;
		}
	}
	t1 = mono_ns();
	printf("sent %d in %lld us\n", n, (t1 - t0) / 1000);
	fflush(stdout);
	if (linger_ns)
		sleep_until_ns(t1 + linger_ns);
out:
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return rc;
}

static int cmd_sink(int argc, char **argv)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_addr = IN6ADDR_ANY_INIT };
	char buf[2048];
	int fd, zero = 0;

	if (argc != 2)
		usage();
	a.sin6_port = htons((unsigned short)parse_num(argv[1], 1, 65535));
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "fg_udpflows: sink: %s\n", strerror(errno));
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR) {
			fprintf(stderr, "fg_udpflows: sink: %s\n",
				strerror(errno));
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sink"))
		return cmd_sink(argc - 1, argv + 1);
	usage();
	return 2;
}
