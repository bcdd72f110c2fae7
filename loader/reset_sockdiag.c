// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* reset_sockdiag.c - SOCK_DESTROY of one local TCP socket by its 4-tuple. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "reset_sockdiag.h"

int fg_sockdiag_destroy(const struct fg_ct_tuple *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	struct mnl_socket *nl;
	size_t alen = t->family == AF_INET ? 4 : 16;
	unsigned int seq = (unsigned int)time(NULL);
	ssize_t n;
	int rc;

	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = t->family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0U;
	req->id.idiag_sport = t->sport;
	req->id.idiag_dport = t->dport;
	memcpy(req->id.idiag_src, t->saddr, alen);
	memcpy(req->id.idiag_dst, t->daddr, alen);
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return -errno;
	rc = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID);
	if (!rc && mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		rc = -1;
	if (!rc) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		rc = n < 0 ? -1 : mnl_cb_run(buf, (size_t)n, seq, 0, NULL, NULL);
	}
	rc = rc < 0 ? -errno : 0;
	mnl_socket_close(nl);
	return rc;
}

int fg_sockdiag_destroy_supported(void)
{
	struct fg_ct_tuple t = { .family = AF_INET, .l4proto = IPPROTO_TCP };

	return fg_sockdiag_destroy(&t) != -EOPNOTSUPP;
}
