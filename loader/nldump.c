// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nldump.c - one netlink dump request and its answer, with libmnl. */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "nldump.h"

static int nldump_recv(struct mnl_socket *nl, uint32_t seq, mnl_cb_t cb,
		       void *arg)
{
	char buf[FG_NLDUMP_BUF];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc;

	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, cb, arg);
	} while (rc == MNL_CB_OK);
	/* MNL_CB_STOP: NLMSG_DONE (or cb asked); MNL_CB_ERROR sets errno */
	return rc < 0 ? -errno : 0;
}

int fg_nldump(int bus, struct nlmsghdr *req, mnl_cb_t cb, void *arg)
{
	struct mnl_socket *nl;
	int rc = 0;

	nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	req->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	rc = nldump_recv(nl, req->nlmsg_seq, cb, arg);
out:
	mnl_socket_close(nl);
	return rc;
}
