// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_echo - the drill's remote service and its long-lived client.
 *
 *   fg_echo server [-q] PORT
 *	Listens on [::]:PORT (IPv4 and IPv6), serves many clients with poll()
 *	and echoes every line back as "from PEER_ADDR:PEER_PORT LINE", so the
 *	client learns which source address (which uplink) carried it.
 *
 *   fg_echo client [-i MS] [-b SRC] [-B MS] [-1] [-q] ADDR PORT
 *	Connects, writes a short line every MS (default 50) and reads the
 *	echoes. No application timeout: what it sees is what TCP sees.
 *	Logs line-buffered to stdout, each line starting with the monotonic
 *	milliseconds since start:
 *	  T connected local=A:P remote=A:P conn=N
 *	  T echo via=ADDR vport=P n=K conn=N      (K = echoes on this conn)
 *	  T error ENAME after MS conn=N           (MS since the last good echo,
 *	                                           or since connect)
 *	  T connect-failed ENAME conn=N
 *	  T reconnect conn=N
 *	Reconnects after BACKOFF ms (default 20) unless -1 (exit 1 on error).
 *	-q logs only the first echo of a connection and changes of via.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 1024
#define OUT_MAX (16 * 1024)

static long long t0;

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long now_ms(void)
{
	return mono_ms() - t0;
}

static const char *errname(int err)
{
	const char *n = err ? strerrorname_np(err) : NULL;

	return n ? n : "EUNKNOWN";
}

/* "1.2.3.4" / "2001:db8::1" (v4-mapped shown as IPv4); port separately. */
static void fmt_addr(const struct sockaddr_storage *ss, char *buf, size_t len,
		     unsigned int *port)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf, len);
		*port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, len);
		*port = ntohs(s6->sin6_port);
	} else {
		inet_ntop(AF_INET, &s4->sin_addr, buf, len);
		*port = ntohs(s4->sin_port);
	}
}

/* "1.2.3.4:5" or "[2001:db8::1]:5" */
static void fmt_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int port;

	fmt_addr(ss, a, sizeof(a), &port);
	if (strchr(a, ':'))
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

static int parse_addr(const char *s, unsigned int port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (void *)ss;
	struct sockaddr_in *s4 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ---------------------------------------------------------------- server */

struct peer {
	int fd;
	char name[INET6_ADDRSTRLEN + 8];
	size_t in_len, out_len;
	char in[LINE_MAX_LEN];
	char out[OUT_MAX];
};

static void peer_queue(struct peer *p, const char *line, size_t n)
{
	char buf[LINE_MAX_LEN + 64];
	int len = snprintf(buf, sizeof(buf), "from %s %.*s\n", p->name,
			   (int)n, line);

	if (len < 0 || (size_t)len >= sizeof(buf))
		return;
	if (p->out_len + len > OUT_MAX)
		return; /* peer does not read: drop, never block the others */
	memcpy(p->out + p->out_len, buf, len);
	p->out_len += len;
}

/* Returns 0, or -errno / -EPIPE on EOF when the peer must be closed. */
static int peer_read(struct peer *p)
{
	ssize_t n = recv(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len,
			 MSG_DONTWAIT);
	char *nl;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -EPIPE;
	p->in_len += n;
	while ((nl = memchr(p->in, '\n', p->in_len))) {
		size_t l = nl - p->in;

		peer_queue(p, p->in, l);
		memmove(p->in, nl + 1, p->in_len - l - 1);
		p->in_len -= l + 1;
	}
	if (p->in_len == sizeof(p->in)) {
		peer_queue(p, p->in, p->in_len);
		p->in_len = 0;
	}
	return 0;
}

static int peer_write(struct peer *p)
{
	ssize_t n;

	if (!p->out_len)
		return 0;
	n = send(p->fd, p->out, p->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	memmove(p->out, p->out + n, p->out_len - n);
	p->out_len -= n;
	return 0;
}

static int server_listen(unsigned int port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	int fd, zero = 0, one = 1;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (void *)&sa, sizeof(sa)) || listen(fd, 128)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static struct peer *server_accept(int lfd, int quiet)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct peer *p;
	int fd;

	fd = accept4(lfd, (void *)&ss, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return NULL;
	}
	p->fd = fd;
	fmt_peer(&ss, p->name, sizeof(p->name));
	if (!quiet)
		printf("%lld accept peer=%s\n", now_ms(), p->name);
	return p;
}

static int cmd_server(int argc, char **argv)
{
	struct peer **peers = NULL;
	struct pollfd *pfd = NULL;
	unsigned int port;
	size_t n = 0, cap = 0;
	int lfd, opt, quiet = 0;

	while ((opt = getopt(argc, argv, "q")) != -1) {
		if (opt != 'q')
			return 2;
		quiet = 1;
	}
	if (optind != argc - 1 || parse_uint(argv[optind], 65535, &port)) {
		fprintf(stderr, "usage: fg_echo server [-q] PORT\n");
		return 2;
	}
	lfd = server_listen(port);
	if (lfd < 0) {
		fprintf(stderr, "fg_echo: listen on port %u: %s\n", port,
			strerror(-lfd));
		return 1;
	}
	printf("%lld listening port=%u\n", now_ms(), port);

	for (;;) {
		size_t i;

		if (n + 1 > cap) {
			cap = cap ? cap * 2 : 16;
			peers = realloc(peers, cap * sizeof(*peers));
			pfd = realloc(pfd, (cap + 1) * sizeof(*pfd));
			if (!peers || !pfd)
				return 1;
		}
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < n; i++)
			pfd[i + 1] = (struct pollfd){
				.fd = peers[i]->fd,
				.events = POLLIN |
					  (peers[i]->out_len ? POLLOUT : 0) };
		if (poll(pfd, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = n; i-- > 0;) {
			struct peer *p = peers[i];
			int err = 0;

			if (pfd[i + 1].revents & (POLLIN | POLLERR | POLLHUP))
				err = peer_read(p);
			if (!err)
				err = peer_write(p);
			if (!err)
				continue;
			if (!quiet)
				printf("%lld close peer=%s reason=%s\n",
				       now_ms(), p->name,
				       err == -EPIPE ? "EOF" : errname(-err));
			close(p->fd);
			free(p);
			peers[i] = peers[--n];
		}
		if (pfd[0].revents & POLLIN) {
			struct peer *p = server_accept(lfd, quiet);

			if (p)
				peers[n++] = p;
		}
	}
}

/* ---------------------------------------------------------------- client */

enum cstate { C_BACKOFF, C_CONNECTING, C_UP };

struct client {
	struct sockaddr_storage dst, src;
	socklen_t dst_len, src_len;
	unsigned int interval, backoff;
	int once, quiet;
	enum cstate state;
	int fd;
	unsigned int conn;
	unsigned long long seq, echoes;
	long long next_write, last_good, retry_at;
	char via[INET6_ADDRSTRLEN];
	size_t in_len;
	char in[LINE_MAX_LEN];
};

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = 0;
	c->state = C_BACKOFF;
	c->retry_at = now_ms() + c->backoff;
}

static void client_error(struct client *c, const char *what)
{
	printf("%lld error %s after %lld conn=%u\n", now_ms(), what,
	       now_ms() - c->last_good, c->conn);
	if (c->once)
		exit(1);
	client_close(c);
}

static void client_connect(struct client *c)
{
	int one = 1;

	c->conn++;
	if (c->conn > 1)
		printf("%lld reconnect conn=%u\n", now_ms(), c->conn);
	c->fd = socket(c->dst.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->src_len && bind(c->fd, (void *)&c->src, c->src_len))
		goto fail;
	if (connect(c->fd, (void *)&c->dst, c->dst_len) && errno != EINPROGRESS)
		goto fail;
	c->state = C_CONNECTING;
	return;
fail:
	printf("%lld connect-failed %s conn=%u\n", now_ms(), errname(errno),
	       c->conn);
	if (c->once)
		exit(1);
	client_close(c);
}

static void client_up(struct client *c)
{
	char local[INET6_ADDRSTRLEN + 8], remote[INET6_ADDRSTRLEN + 8];
	struct sockaddr_storage ss;
	socklen_t len;
	int err = 0;

	len = sizeof(err);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		printf("%lld connect-failed %s conn=%u\n", now_ms(),
		       errname(err), c->conn);
		if (c->once)
			exit(1);
		client_close(c);
		return;
	}
	len = sizeof(ss);
	getsockname(c->fd, (void *)&ss, &len);
	fmt_peer(&ss, local, sizeof(local));
	fmt_peer(&c->dst, remote, sizeof(remote));
	printf("%lld connected local=%s remote=%s conn=%u\n", now_ms(), local,
	       remote, c->conn);
	c->state = C_UP;
	c->echoes = 0;
	c->via[0] = 0;
	c->last_good = now_ms();
	c->next_write = c->last_good;
}

/* "from ADDR:PORT ..." or "from [ADDR]:PORT ..." */
static void client_line(struct client *c, char *line)
{
	char *addr, *end, *colon;
	int changed;

	if (strncmp(line, "from ", 5)) {
		printf("%lld garbage %s\n", now_ms(), line);
		return;
	}
	addr = line + 5;
	end = strchr(addr, ' ');
	if (end)
		*end = 0;
	colon = strrchr(addr, ':');
	if (!colon) {
		printf("%lld garbage %s\n", now_ms(), addr);
		return;
	}
	*colon = 0;
	if (*addr == '[') {
		addr++;
		if (colon > addr && colon[-1] == ']')
			colon[-1] = 0;
	}
	if (strlen(addr) >= sizeof(c->via)) {
		printf("%lld garbage %s\n", now_ms(), addr);
		return;
	}
	c->echoes++;
	c->last_good = now_ms();
	changed = strcmp(c->via, addr) != 0;
	memcpy(c->via, addr, strlen(addr) + 1);
	if (!c->quiet || c->echoes == 1 || changed)
		printf("%lld echo via=%s vport=%s n=%llu conn=%u\n", now_ms(),
		       c->via, colon + 1, c->echoes, c->conn);
}

static void client_read(struct client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len,
			 MSG_DONTWAIT);
	char *nl;

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_error(c, errname(errno));
		return;
	}
	if (n == 0) {
		client_error(c, "EOF");
		return;
	}
	c->in_len += n;
	while ((nl = memchr(c->in, '\n', c->in_len))) {
		size_t l = nl - c->in;

		*nl = 0;
		client_line(c, c->in);
		memmove(c->in, nl + 1, c->in_len - l - 1);
		c->in_len -= l + 1;
	}
	if (c->in_len == sizeof(c->in) - 1)
		c->in_len = 0; /* an endless line: drop it */
}

static void client_write(struct client *c)
{
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "seq=%llu\n", ++c->seq);

	c->next_write += c->interval;
	if (c->next_write < now_ms())
		c->next_write = now_ms() + c->interval;
	/* EAGAIN (send buffer full on a dead path) just skips this tick. */
	if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN && errno != EINTR)
		client_error(c, errname(errno));
}

static int client_timeout(const struct client *c)
{
	long long t;

	if (c->state == C_CONNECTING)
		return -1;
	t = (c->state == C_UP ? c->next_write : c->retry_at) - now_ms();
	return t < 0 ? 0 : (int)t;
}

static void client_step(struct client *c)
{
	struct pollfd pfd = { .fd = c->fd };
	int r, err = 0;
	socklen_t len = sizeof(err);

	if (c->state == C_CONNECTING)
		pfd.events = POLLOUT;
	else if (c->state == C_UP)
		pfd.events = POLLIN;
	r = poll(&pfd, c->fd >= 0 ? 1 : 0, client_timeout(c));
	if (r < 0)
		return;
	if (c->state == C_BACKOFF) {
		if (now_ms() >= c->retry_at)
			client_connect(c);
	} else if (c->state == C_CONNECTING) {
		if (pfd.revents)
			client_up(c);
	} else {
		if (pfd.revents & POLLIN)
			client_read(c);
		else if (pfd.revents & (POLLERR | POLLHUP)) {
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			client_error(c, errname(err ? err : EPIPE));
		}
		if (c->state == C_UP && now_ms() >= c->next_write)
			client_write(c);
	}
}

static int cmd_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "bind", required_argument, NULL, 'b' },
		{ "backoff", required_argument, NULL, 'B' },
		{ "once", no_argument, NULL, '1' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 }
	};
	struct client c = { .interval = 50, .backoff = 20, .fd = -1 };
	const char *src = NULL;
	unsigned int port;
	int opt;

	while ((opt = getopt_long(argc, argv, "i:b:B:1q", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (parse_uint(optarg, 3600000, &c.interval) ||
			    !c.interval)
				goto usage;
			break;
		case 'b':
			src = optarg;
			break;
		case 'B':
			if (parse_uint(optarg, 3600000, &c.backoff))
				goto usage;
			break;
		case '1':
			c.once = 1;
			break;
		case 'q':
			c.quiet = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 2 || parse_uint(argv[optind + 1], 65535, &port) ||
	    parse_addr(argv[optind], port, &c.dst, &c.dst_len))
		goto usage;
	if (src && (parse_addr(src, 0, &c.src, &c.src_len) ||
		    c.src.ss_family != c.dst.ss_family))
		goto usage;
	client_connect(&c);
	for (;;)
		client_step(&c);
usage:
	fprintf(stderr, "usage: fg_echo client [-i MS] [-b SRC] [-B BACKOFF_MS] "
			"[-1] [-q] ADDR PORT\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	t0 = mono_ms();
	if (argc >= 2 && !strcmp(argv[1], "server"))
		return cmd_server(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "client"))
		return cmd_client(argc - 1, argv + 1);
	fprintf(stderr, "usage: fg_echo server|client ... (see the source)\n");
	return 2;
}
