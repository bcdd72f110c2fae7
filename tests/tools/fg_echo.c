// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_echo - the drill's remote service and its long-lived clients.
 *
 *   fg_echo server [-q] PORT
 *	Listens on [::]:PORT (IPv4 and IPv6, backlog up to net.core.somaxconn),
 *	serves many clients with poll() and echoes every line back as
 *	"from PEER_ADDR:PEER_PORT LINE", so the client learns which source
 *	address (which uplink) carried it. Logs (not with -q):
 *	  T accept peer=A:P
 *	  T close peer=A:P reason=EOF|ENAME      (ENAME: the socket's errno)
 *
 *   fg_echo client [-i MS] [-b SRC[,SRC...]] [-B MS] [-1] [-q] [-n N]
 *		    ADDR PORT
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
 *	-b SRC,SRC2,...: bind to SRC; after an error or a failed connect the
 *	next connection uses the next source (round robin), as a host does
 *	that deprecated the prefix of a dead uplink.
 *	-n N: N connections in one process (poll over all), each as above,
 *	started staggered over one interval. Logs compactly, -q implied, no
 *	"connected"/"reconnect" lines, " id=I" (0..N-1) appended to the rest:
 *	  T echo via=ADDR vport=P n=1 conn=N id=I (first echo, changes of via)
 *	  T error ENAME after MS conn=N id=I
 *	  T connect-failed ENAME conn=N id=I
 *	Any mode, on SIGUSR1, one line (counts over all connections):
 *	  T summary clients=N up=U fresh=F reconnected=R errored=D errors=X
 *	    connfails=Y connects=C [error:ENAME=K ...] [connfail:ENAME=K ...]
 *	    [via:ADDR=K ...]
 *	up: connected now; fresh: connected with an echo in the last
 *	max(1000, 4 * MS) ms; reconnected: fresh on a connection after the
 *	first; errored: clients that saw at least one error or failed connect;
 *	errors / connfails: events; connects: connections attempted; via:
 *	fresh clients by the address their last echo came from.
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
#include <stdint.h>
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
	if (bind(fd, (void *)&sa, sizeof(sa)) || listen(fd, 65535)) {
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

#define SRC_MAX 8
#define ERR_SLOTS 160 /* errno values; slot 0 counts EOF */

enum cstate { C_BACKOFF, C_CONNECTING, C_UP };

/* What all connections share. */
static struct {
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct sockaddr_storage src[SRC_MAX];
	socklen_t src_len[SRC_MAX];
	unsigned int nsrc;
	unsigned int interval, backoff, n;
	int once, quiet, multi;
	unsigned long long errors, connfails, connects;
	unsigned long long err_by[ERR_SLOTS], cf_by[ERR_SLOTS];
} cc;

struct client {
	unsigned int id;
	enum cstate state;
	int fd;
	unsigned int conn, src_idx;
	int errored;
	unsigned long long seq, echoes;
	long long next_write, last_good, retry_at;
	char via[INET6_ADDRSTRLEN];
	size_t in_len;
	char in[LINE_MAX_LEN];
};

static volatile sig_atomic_t want_summary;

static void on_usr1(int sig)
{
	(void)sig;
	want_summary = 1;
}

/* " id=I" in -n mode, "" otherwise */
static const char *cid(const struct client *c)
{
	static char buf[24];

	if (!cc.multi)
		return "";
	snprintf(buf, sizeof(buf), " id=%u", c->id);
	return buf;
}

static void count_err(unsigned long long *by, int err)
{
	by[err > 0 && err < ERR_SLOTS ? err : 0]++;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = 0;
	c->state = C_BACKOFF;
	c->retry_at = now_ms() + cc.backoff;
}

/* A failed connection: the next one uses the next source address. */
static void client_failed(struct client *c)
{
	c->errored = 1;
	if (cc.once)
		exit(1);
	if (cc.nsrc)
		c->src_idx = (c->src_idx + 1) % cc.nsrc;
	client_close(c);
}

/* err: an errno, or 0 for EOF */
static void client_error(struct client *c, int err)
{
	printf("%lld error %s after %lld conn=%u%s\n", now_ms(),
	       err ? errname(err) : "EOF", now_ms() - c->last_good, c->conn,
	       cid(c));
	cc.errors++;
	count_err(cc.err_by, err);
	client_failed(c);
}

static void client_connect_failed(struct client *c, int err)
{
	printf("%lld connect-failed %s conn=%u%s\n", now_ms(), errname(err),
	       c->conn, cid(c));
	cc.connfails++;
	count_err(cc.cf_by, err);
	client_failed(c);
}

static void client_connect(struct client *c)
{
	int one = 1;

	c->conn++;
	cc.connects++;
	if (c->conn > 1 && !cc.multi)
		printf("%lld reconnect conn=%u\n", now_ms(), c->conn);
	c->fd = socket(cc.dst.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (cc.nsrc && bind(c->fd, (void *)&cc.src[c->src_idx],
			    cc.src_len[c->src_idx]))
		goto fail;
	if (connect(c->fd, (void *)&cc.dst, cc.dst_len) && errno != EINPROGRESS)
		goto fail;
	c->state = C_CONNECTING;
	return;
fail:
	client_connect_failed(c, errno);
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
		client_connect_failed(c, err);
		return;
	}
	if (!cc.multi) {
		len = sizeof(ss);
		getsockname(c->fd, (void *)&ss, &len);
		fmt_peer(&ss, local, sizeof(local));
		fmt_peer(&cc.dst, remote, sizeof(remote));
		printf("%lld connected local=%s remote=%s conn=%u\n", now_ms(),
		       local, remote, c->conn);
	}
	c->state = C_UP;
	c->echoes = 0;
	c->via[0] = 0;
	c->last_good = now_ms();
	c->next_write = c->last_good;
	/* -n: spread the writes over one interval */
	if (cc.multi && c->conn == 1)
		c->next_write += (long long)c->id * cc.interval / cc.n;
}

/* "from ADDR:PORT ..." or "from [ADDR]:PORT ..." */
static void client_line(struct client *c, char *line)
{
	char *addr, *end, *colon;
	int changed;

	if (strncmp(line, "from ", 5)) {
		printf("%lld garbage %s%s\n", now_ms(), line, cid(c));
		return;
	}
	addr = line + 5;
	end = strchr(addr, ' ');
	if (end)
		*end = 0;
	colon = strrchr(addr, ':');
	if (!colon) {
		printf("%lld garbage %s%s\n", now_ms(), addr, cid(c));
		return;
	}
	*colon = 0;
	if (*addr == '[') {
		addr++;
		if (colon > addr && colon[-1] == ']')
			colon[-1] = 0;
	}
	if (strlen(addr) >= sizeof(c->via)) {
		printf("%lld garbage %s%s\n", now_ms(), addr, cid(c));
		return;
	}
	c->echoes++;
	c->last_good = now_ms();
	changed = strcmp(c->via, addr) != 0;
	memcpy(c->via, addr, strlen(addr) + 1);
	if (!cc.quiet || c->echoes == 1 || changed)
		printf("%lld echo via=%s vport=%s n=%llu conn=%u%s\n", now_ms(),
		       c->via, colon + 1, c->echoes, c->conn, cid(c));
}

static void client_read(struct client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len,
			 MSG_DONTWAIT);
	char *nl;

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_error(c, errno);
		return;
	}
	if (n == 0) {
		client_error(c, 0);
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

	c->next_write += cc.interval;
	if (c->next_write < now_ms())
		c->next_write = now_ms() + cc.interval;
	/* EAGAIN (send buffer full on a dead path) just skips this tick. */
	if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN && errno != EINTR)
		client_error(c, errno);
}

/* ms until c needs the loop again without any fd event; -1: never */
static long long client_timeout(const struct client *c)
{
	long long t;

	if (c->state == C_CONNECTING)
		return -1;
	t = (c->state == C_UP ? c->next_write : c->retry_at) - now_ms();
	return t < 0 ? 0 : t;
}

static void client_events(struct client *c, short revents)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (c->state == C_BACKOFF) {
		if (now_ms() >= c->retry_at)
			client_connect(c);
	} else if (c->state == C_CONNECTING) {
		if (revents)
			client_up(c);
	} else {
		if (revents & POLLIN)
			client_read(c);
		else if (revents & (POLLERR | POLLHUP)) {
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			client_error(c, err ? err : EPIPE);
		}
		if (c->state == C_UP && now_ms() >= c->next_write)
			client_write(c);
	}
}

struct via_count {
	const char *via;
	unsigned int n;
};

static void client_summary(const struct client *cl)
{
	long long now = now_ms(), fresh_ms = 4LL * cc.interval;
	unsigned int i, j, up = 0, fresh = 0, recon = 0, errored = 0, nv = 0;
	struct via_count *vc = calloc(cc.n, sizeof(*vc));

	if (fresh_ms < 1000)
		fresh_ms = 1000;
	for (i = 0; i < cc.n; i++) {
		const struct client *c = &cl[i];

		errored += c->errored;
		if (c->state != C_UP)
			continue;
		up++;
		if (!c->echoes || now - c->last_good > fresh_ms)
			continue;
		fresh++;
		recon += c->conn > 1;
		if (!vc)
			continue;
		for (j = 0; j < nv && strcmp(vc[j].via, c->via); j++)
			;
		if (j == nv)
			vc[nv++].via = c->via;
		vc[j].n++;
	}
	printf("%lld summary clients=%u up=%u fresh=%u reconnected=%u "
	       "errored=%u errors=%llu connfails=%llu connects=%llu",
	       now, cc.n, up, fresh, recon, errored, cc.errors, cc.connfails,
	       cc.connects);
	for (i = 0; i < ERR_SLOTS; i++)
		if (cc.err_by[i])
			printf(" error:%s=%llu", i ? errname(i) : "EOF",
			       cc.err_by[i]);
	for (i = 0; i < ERR_SLOTS; i++)
		if (cc.cf_by[i])
			printf(" connfail:%s=%llu", i ? errname(i) : "EOF",
			       cc.cf_by[i]);
	for (j = 0; j < nv; j++)
		printf(" via:%s=%u", vc[j].via, vc[j].n);
	printf("\n");
	free(vc);
}

static int client_loop(struct client *cl)
{
	struct pollfd *pfd = calloc(cc.n, sizeof(*pfd));
	unsigned int i;

	if (!pfd)
		return 1;
	for (i = 0; i < cc.n; i++)
		client_connect(&cl[i]);
	for (;;) {
		long long timeout = -1, t;

		if (want_summary) {
			want_summary = 0;
			client_summary(cl);
		}
		for (i = 0; i < cc.n; i++) {
			struct client *c = &cl[i];

			pfd[i] = (struct pollfd){ .fd = c->fd };
			if (c->state == C_CONNECTING)
				pfd[i].events = POLLOUT;
			else if (c->state == C_UP)
				pfd[i].events = POLLIN;
			else
				pfd[i].fd = -1;
			t = client_timeout(c);
			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
		}
		if (poll(pfd, cc.n, timeout > INT32_MAX ? INT32_MAX : (int)timeout) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = 0; i < cc.n; i++)
			client_events(&cl[i], pfd[i].revents);
	}
}

/* "A" or "A,B,..." into cc.src */
static int parse_sources(char *list)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (cc.nsrc == SRC_MAX ||
		    parse_addr(tok, 0, &cc.src[cc.nsrc], &cc.src_len[cc.nsrc]) ||
		    cc.src[cc.nsrc].ss_family != cc.dst.ss_family)
			return -EINVAL;
		cc.nsrc++;
	}
	return cc.nsrc ? 0 : -EINVAL;
}

static int cmd_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "bind", required_argument, NULL, 'b' },
		{ "backoff", required_argument, NULL, 'B' },
		{ "once", no_argument, NULL, '1' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "connections", required_argument, NULL, 'n' },
		{ 0 }
	};
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct client *cl;
	char *src = NULL;
	unsigned int port, i;
	int opt;

	cc.interval = 50;
	cc.backoff = 20;
	cc.n = 1;
	while ((opt = getopt_long(argc, argv, "i:b:B:1qn:", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (parse_uint(optarg, 3600000, &cc.interval) ||
			    !cc.interval)
				goto usage;
			break;
		case 'b':
			src = optarg;
			break;
		case 'B':
			if (parse_uint(optarg, 3600000, &cc.backoff))
				goto usage;
			break;
		case '1':
			cc.once = 1;
			break;
		case 'q':
			cc.quiet = 1;
			break;
		case 'n':
			if (parse_uint(optarg, 100000, &cc.n) || !cc.n)
				goto usage;
			cc.multi = 1;
			cc.quiet = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 2 || parse_uint(argv[optind + 1], 65535, &port) ||
	    parse_addr(argv[optind], port, &cc.dst, &cc.dst_len))
		goto usage;
	if (src && parse_sources(src))
		goto usage;
	cl = calloc(cc.n, sizeof(*cl));
	if (!cl)
		return 1;
	for (i = 0; i < cc.n; i++) {
		cl[i].id = i;
		cl[i].fd = -1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART: poll returns */
	return client_loop(cl);
usage:
	fprintf(stderr, "usage: fg_echo client [-i MS] [-b SRC[,SRC...]] "
			"[-B BACKOFF_MS] [-1] [-q] [-n N] ADDR PORT\n");
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
