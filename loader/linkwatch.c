// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* linkwatch.c - a netlink socket on the kernel's link events. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "linkwatch.h"

struct fg_linkwatch {
	struct mnl_socket *nl;
};

int fg_linkwatch_open(struct fg_linkwatch **out)
{
	struct fg_linkwatch *lw;
	int rc = 0;

	lw = calloc(1, sizeof(*lw));
	if (!lw)
		return -ENOMEM;
	lw->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!lw->nl) {
		rc = -errno;
		goto out;
	}
	if (mnl_socket_bind(lw->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	*out = lw;
	return 0;
out:
	fg_linkwatch_close(lw);
	return rc;
}

void fg_linkwatch_close(struct fg_linkwatch *lw)
{
	if (!lw)
		return;
	if (lw->nl)
		mnl_socket_close(lw->nl);
	free(lw);
}

int fg_linkwatch_fd(const struct fg_linkwatch *lw)
{
	return mnl_socket_get_fd(lw->nl);
}

static int fg_linkwatch_is_link(const struct nlmsghdr *nlh, void *data)
{
	int *changed = data;

	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK)
		*changed = 1;
	return MNL_CB_OK;
}

int fg_linkwatch_drain(struct fg_linkwatch *lw)
{
	char buf[8192];
	int changed = 0;
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(lw->nl, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			return changed;
		/* the buffer overflowed: what was lost is looked up anyway */
		if (n < 0 && errno == ENOBUFS) {
			changed = 1;
			continue;
		}
		if (n < 0)
			return -errno;
		/* seq 0, portid 0: unsolicited messages from the kernel */
		if (mnl_cb_run(buf, (size_t)n, 0, 0, fg_linkwatch_is_link,
			       &changed) < 0)
			changed = 1;
	}
}
