// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_ctlpoke - a deliberately bad client of the service's control socket
 * (unix SOCK_SEQPACKET, one fixed-size request per connection), for tests
 * that the service refuses what it must and keeps serving.
 *
 *   fg_ctlpoke [-n] [-t MS] [-r N] [-l PREFIX] SOCKET MODE [ARG]
 *     -n        become nobody (uid/gid 65534, no groups) before connecting
 *     -t MS     how long to wait for an answer (default 2000)
 *     -r N      N requests one after the other, one connection each
 *     -l PREFIX report the answer's first line that starts with PREFIX
 *               (else its first line)
 *   MODE:
 *     status        a well-formed status request (the control case)
 *     disconnected IFACE, connected IFACE   well-formed requests
 *     garbage N     N pseudo-random bytes (N may be sizeof the request)
 *     short N       the first N bytes of a well-formed status request
 *     badmagic      a request of the right size with a wrong magic
 *     badcmd        right size and magic, command 99
 *     nonul         a disconnected request whose iface has no NUL
 *     oversized [N] a well-formed status request followed by N more bytes
 *                   (default 64), in one message
 *     empty         a zero-length message
 *     hangup        connect, then close without sending anything
 *     idle MS       connect and send nothing for MS, then close
 *
 * Prints one line saying what happened, exit 0 (1 for a tool failure):
 *   connect refused: ERRNO-NAME
 *   send failed: ERRNO-NAME
 *   answer status=S text=FIRST-LINE       a well-formed answer
 *   interim status=S text=FIRST-LINE      an interim answer (a line for the
 *                                         final one follows)
 *   answer bad size=N                     something else came back
 *   closed                                 the service closed, no answer
 *   closed: ERRNO-NAME                    e.g. ECONNRESET
 *   no answer                              nothing within the timeout
 *   sent                                   (hangup, idle: nothing to wait for)
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "mark.h"

#define NOBODY 65534

static const char *ename(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

static int usage(void)
{
	fprintf(stderr,
		"usage: fg_ctlpoke [-n] [-t MS] [-r N] [-l PREFIX] SOCKET MODE [ARG]\n"
		"  MODE: status | disconnected IFACE | connected IFACE |\n"
		"        garbage N | short N |\n"
		"        badmagic | badcmd | nonul | oversized [N] | empty |\n"
		"        hangup | idle MS\n");
	return 1;
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
		fprintf(stderr, "fg_ctlpoke: cannot become nobody: %s\n",
			strerror(errno));
		return -1;
	}
	if (getuid() != NOBODY || geteuid() != NOBODY) {
		fprintf(stderr, "fg_ctlpoke: still uid %u\n", geteuid());
		return -1;
	}
	return 0;
}

/* The project's strict number parser; -1 for anything else. */
static long parse_num(const char *s)
{
	uint32_t v;

	return fg_mark_parse_range(s, 0, 1 << 20, &v) ? -1 : (long)v;
}

/* The message MODE sends, in buf; its length, or -1 for a bad mode. */
static long build(const char *mode, const char *arg, unsigned char *buf,
		  size_t cap)
{
	struct fg_ctl_req req = { .magic = FG_CTL_MAGIC, .cmd = FG_CTL_STATUS };
	long n, i;

	if (!strcmp(mode, "status")) {
		memcpy(buf, &req, sizeof(req));
		return sizeof(req);
	}
	if (!strcmp(mode, "disconnected") || !strcmp(mode, "connected")) {
		if (!arg || strlen(arg) >= sizeof(req.iface))
			return -1;
		req.cmd = mode[0] == 'c' ? FG_CTL_CONNECTED : FG_CTL_DISCONNECTED;
		strcpy(req.iface, arg);
		memcpy(buf, &req, sizeof(req));
		return sizeof(req);
	}
	if (!strcmp(mode, "garbage")) {
		n = parse_num(arg);
		if (n < 0 || (size_t)n > cap)
			return -1;
		srandom((unsigned)n * 2654435761u);
		for (i = 0; i < n; i++)
			buf[i] = (unsigned char)random();
		return n;
	}
	if (!strcmp(mode, "short")) {
		n = parse_num(arg);
		if (n < 0 || (size_t)n > sizeof(req))
			return -1;
		memcpy(buf, &req, (size_t)n);
		return n;
	}
	if (!strcmp(mode, "badmagic")) {
		req.magic = 0x46474330u; /* "FGC0" */
		memcpy(buf, &req, sizeof(req));
		return sizeof(req);
	}
	if (!strcmp(mode, "badcmd")) {
		req.cmd = 99;
		memcpy(buf, &req, sizeof(req));
		return sizeof(req);
	}
	if (!strcmp(mode, "nonul")) {
		req.cmd = FG_CTL_DISCONNECTED;
		memset(req.iface, 'w', sizeof(req.iface));
		memcpy(buf, &req, sizeof(req));
		return sizeof(req);
	}
	if (!strcmp(mode, "oversized")) {
		n = arg ? parse_num(arg) : 64;
		if (n < 1 || sizeof(req) + (size_t)n > cap)
			return -1;
		memcpy(buf, &req, sizeof(req));
		memset(buf + sizeof(req), 0, (size_t)n);
		return (long)sizeof(req) + n;
	}
	if (!strcmp(mode, "empty") || !strcmp(mode, "hangup") ||
	    !strcmp(mode, "idle"))
		return 0;
	return -1;
}

static const char *line_prefix;

/* The answer's line to report: the first, or the first with the prefix. */
static const char *pick_line(char *text)
{
	size_t len = line_prefix ? strlen(line_prefix) : 0;
	char *line = text, *nl;

	while (len && strncmp(line, line_prefix, len)) {
		nl = strchr(line, '\n');
		if (!nl)
			return "";
		line = nl + 1;
	}
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	return line;
}

/* One answer; 1 when it was an interim one (a final one follows). */
static int report_one(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct fg_ctl_resp resp;
	int rc, interim = 0;
	ssize_t n;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		printf("no answer\n");
		return 0;
	}
	n = recv(fd, &resp, sizeof(resp), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0) {
		printf("closed: %s\n", ename(errno));
	} else if (n == 0) {
		printf("closed\n");
	} else if ((size_t)n != sizeof(resp) || resp.magic != FG_CTL_MAGIC) {
		printf("answer bad size=%zd\n", n);
	} else {
		resp.text[sizeof(resp.text) - 1] = '\0';
#ifdef FG_CTL_F_INTERIM
		interim = !!(resp.flags & FG_CTL_F_INTERIM);
#endif
		printf("%s status=%d text=%s\n", interim ? "interim" : "answer",
		       resp.status, pick_line(resp.text));
	}
	return interim;
}

static void report_answer(int fd, int timeout_ms)
{
	int i;

	/* an interim answer ("working on it"), then the final one */
	for (i = 0; i < 2 && report_one(fd, timeout_ms); i++)
		;
}

static int poke(const struct sockaddr_un *sa, const char *mode,
		const unsigned char *buf, long len, long idle_ms,
		int timeout_ms);

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 17];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int nobody = 0, timeout_ms = 2000, opt;
	const char *path, *mode, *arg;
	long len, idle_ms = 0, repeat = 1, i;

	while ((opt = getopt(argc, argv, "nt:r:l:")) != -1) {
		if (opt == 'n')
			nobody = 1;
		else if (opt == 't' && parse_num(optarg) >= 0)
			timeout_ms = (int)parse_num(optarg);
		else if (opt == 'r' && parse_num(optarg) > 0)
			repeat = parse_num(optarg);
		else if (opt == 'l')
			line_prefix = optarg;
		else
			return usage();
	}
	if (argc - optind < 2 || argc - optind > 3)
		return usage();
	path = argv[optind];
	mode = argv[optind + 1];
	arg = argc - optind == 3 ? argv[optind + 2] : NULL;
	len = build(mode, arg, buf, sizeof(buf));
	if (len < 0)
		return usage();
	if (!strcmp(mode, "idle")) {
		idle_ms = parse_num(arg);
		if (idle_ms < 0)
			return usage();
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "fg_ctlpoke: socket path too long\n");
		return 1;
	}
	strcpy(sa.sun_path, path);
	if (nobody && drop_to_nobody())
		return 1;
	for (i = 0; i < repeat; i++)
		if (poke(&sa, mode, buf, len, idle_ms, timeout_ms))
			return 1;
	return 0;
}

/* One connection, one request, its answer reported. */
static int poke(const struct sockaddr_un *sa, const char *mode,
		const unsigned char *buf, long len, long idle_ms,
		int timeout_ms)
{
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "fg_ctlpoke: socket: %s\n", strerror(errno));
		return 1;
	}
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		printf("connect refused: %s\n", ename(errno));
		close(fd);
		return 0;
	}
	if (!strcmp(mode, "hangup") || !strcmp(mode, "idle")) {
		if (idle_ms)
			usleep((useconds_t)idle_ms * 1000);
		printf("sent\n");
		close(fd);
		return 0;
	}
	if (send(fd, buf, (size_t)len, MSG_NOSIGNAL) != len) {
		printf("send failed: %s\n", ename(errno));
		close(fd);
		return 0;
	}
	report_answer(fd, timeout_ms);
	close(fd);
	return 0;
}
