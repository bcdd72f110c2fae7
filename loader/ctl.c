// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl.c - the control socket, both ends. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

const char *fg_ctl_path(const char *opt)
{
	const char *env = getenv("FLOWGUARD_SOCKET");

	if (opt && *opt)
		return opt;
	return env && *env ? env : FG_CTL_DEFAULT_PATH;
}

static int fg_ctl_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int fg_ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	mode_t old_umask;
	int fd, rc;

	rc = fg_ctl_addr(path, &sa);
	if (rc) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* the instance lock is held: a socket file here is a dead one's */
	unlink(path);
	old_umask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (rc || chmod(path, 0600) || listen(fd, 16))
		goto fail;
	return fd;
fail:
	rc = -errno;
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int fg_ctl_accept(int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int cfd;

	cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return -errno;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    cred.uid != 0) {
		close(cfd);
		return -EPERM;
	}
	return cfd;
}

int fg_ctl_req_decode(const void *buf, size_t n, struct fg_ctl_req *req)
{
	if (n != sizeof(*req))
		return -EBADMSG;
	memcpy(req, buf, sizeof(*req));
	if (req->magic != FG_CTL_MAGIC || req->cmd == 0 ||
	    req->cmd >= FG_CTL_CMD_MAX || req->cmd == FG_CTL_GO)
		return -EBADMSG;
	if (!memchr(req->iface, '\0', sizeof(req->iface)) ||
	    !memchr(req->device, '\0', sizeof(req->device)))
		return -EBADMSG;
	return 0;
}

int fg_ctl_recv(int cfd, struct fg_ctl_req *req)
{
	struct fg_ctl_req buf;
	ssize_t n;

	/* MSG_TRUNC: n is the real length, so an oversized one is seen */
	n = recv(cfd, &buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	return fg_ctl_req_decode(&buf, (size_t)n, req);
}

int fg_ctl_go_decode(const void *buf, size_t n)
{
	struct fg_ctl_req go;

	if (n != sizeof(go))
		return -EBADMSG;
	memcpy(&go, buf, sizeof(go));
	if (go.magic != FG_CTL_MAGIC || go.cmd != FG_CTL_GO)
		return -EBADMSG;
	return 0;
}

int fg_ctl_recv_go(int cfd)
{
	struct fg_ctl_req go;
	ssize_t n = recv(cfd, &go, sizeof(go), MSG_TRUNC | MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -ECONNRESET;
	if (n == 0)
		return -ECONNRESET;
	return fg_ctl_go_decode(&go, (size_t)n);
}

uint64_t fg_ctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int fg_ctl_send(int cfd, const struct fg_ctl_resp *resp)
{
	ssize_t n = send(cfd, resp, sizeof(*resp), MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(*resp) ? 0 : -EIO;
}

static int fg_ctl_wait(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc ? 0 : -ETIMEDOUT;
}

int fg_ctl_resp_check(struct fg_ctl_resp *resp, size_t n)
{
	/* a shorter text is a service built with a smaller one (the text
	 * grew from 2048 bytes): read what it sent */
	if (n > sizeof(*resp) || n <= offsetof(struct fg_ctl_resp, text) ||
	    resp->magic != FG_CTL_MAGIC)
		return -EBADMSG;
	memset((char *)resp + n, 0, sizeof(*resp) - n);
	resp->text[sizeof(resp->text) - 1] = '\0';
	return 0;
}

static int fg_ctl_read(int fd, struct fg_ctl_resp *resp, int timeout_ms)
{
	ssize_t n;
	int rc = fg_ctl_wait(fd, timeout_ms);

	if (rc)
		return rc;
	n = recv(fd, resp, sizeof(*resp), MSG_TRUNC);
	if (n < 0)
		return -errno;
	return fg_ctl_resp_check(resp, (size_t)n);
}

int fg_ctl_call(const char *path, const struct fg_ctl_req *req_in,
		struct fg_ctl_resp *resp, int first_ms, int total_ms)
{
	struct fg_ctl_req req = *req_in, go = { .magic = FG_CTL_MAGIC,
						.cmd = FG_CTL_GO };
	struct sockaddr_un sa;
	int fd, rc;

	rc = fg_ctl_addr(path, &sa);
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	req.deadline_ns = fg_ctl_now_ns() + (uint64_t)first_ms * 1000000ull;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req)) {
		rc = -errno;
		goto out;
	}
	/* poll() reports an offer that came in before it gave up, even when
	 * this process ran late: what is not here then was not offered in
	 * time, and the service will not act on it */
	rc = fg_ctl_read(fd, resp, first_ms);
	if (rc || !(resp->flags & FG_CTL_F_INTERIM))
		goto out;
	/* committed: from here on the service acts, whatever it takes */
	if (send(fd, &go, sizeof(go), MSG_NOSIGNAL) != sizeof(go)) {
		rc = -errno;
		goto out;
	}
	rc = fg_ctl_read(fd, resp, total_ms);
	/* not "none answered": the service has the request */
	if (rc == -ETIMEDOUT)
		rc = -EINPROGRESS;
out:
	close(fd);
	return rc;
}
