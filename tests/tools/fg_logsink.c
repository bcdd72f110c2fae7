// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_logsink - the smallest syslog daemon there is, for the test of the
 * service's syslog output (what logread shows on OpenWrt).
 *
 *   fg_logsink PATH
 *	Binds a Unix datagram socket at PATH (a stale socket file there is
 *	replaced) and prints every message it receives on a line of its own
 *	on stdout, as received ("<30>Nov 26 ... flowguard[123]: ..."). Prints
 *	"listening" on stderr once bound; runs until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[4096];
	struct stat st;
	ssize_t n;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: fg_logsink PATH (shorter than %zu)\n",
			sizeof(sa.sun_path));
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	if (!lstat(argv[1], &st) && S_ISSOCK(st.st_mode))
		unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "fg_logsink: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	fprintf(stderr, "listening\n");
	for (;;) {
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "fg_logsink: recv: %s\n",
				strerror(errno));
			return 1;
		}
		/* glibc sends no newline; others might */
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\0'))
			n--;
		msg[n] = '\0';
		printf("%s\n", msg);
		fflush(stdout);
	}
}
