// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* reset_inject.c - AF_PACKET segments to LAN hosts, MACs from the neighbours. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "reset_inject.h"

#define FG_NEIGH_MAX 4096
#define FG_NEIGH_RELOAD_NS 200000000ULL /* a miss reloads at most 5/s */

struct fg_neigh {
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
	int ifindex;
};

struct fg_inject {
	int fd;
	struct mnl_socket *rt;
	struct fg_neigh *neigh;
	size_t nr_neigh;
	uint64_t loaded_ns;
};

static uint64_t fg_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int fg_inject_open(struct fg_inject **out)
{
	struct fg_inject *in = calloc(1, sizeof(*in));
	int rc;

	if (!in)
		return -ENOMEM;
	in->neigh = calloc(FG_NEIGH_MAX, sizeof(*in->neigh));
	in->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	in->rt = mnl_socket_open(NETLINK_ROUTE);
	if (!in->neigh || in->fd < 0 || !in->rt ||
	    mnl_socket_bind(in->rt, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = errno ? -errno : -ENOMEM;
		fg_inject_close(in);
		return rc;
	}
	*out = in;
	return 0;
}

void fg_inject_close(struct fg_inject *in)
{
	if (!in)
		return;
	if (in->fd >= 0)
		close(in->fd);
	if (in->rt)
		mnl_socket_close(in->rt);
	free(in->neigh);
	free(in);
}

struct fg_neigh_attrs {
	const struct nlattr *dst, *lladdr;
};

static int fg_neigh_attr(const struct nlattr *a, void *data)
{
	struct fg_neigh_attrs *na = data;

	if (mnl_attr_get_type(a) == NDA_DST)
		na->dst = a;
	else if (mnl_attr_get_type(a) == NDA_LLADDR)
		na->lladdr = a;
	return MNL_CB_OK;
}

static int fg_neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	struct fg_inject *in = data;
	struct fg_neigh_attrs na = {};
	size_t alen = nd->ndm_family == AF_INET ? 4 : 16;
	struct fg_neigh *n;

	if (nd->ndm_state & (NUD_FAILED | NUD_INCOMPLETE | NUD_NOARP))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*nd), fg_neigh_attr, &na);
	if (!na.dst || !na.lladdr || in->nr_neigh >= FG_NEIGH_MAX ||
	    mnl_attr_get_payload_len(na.dst) != alen ||
	    mnl_attr_get_payload_len(na.lladdr) != 6)
		return MNL_CB_OK;
	n = &in->neigh[in->nr_neigh++];
	memset(n, 0, sizeof(*n));
	n->family = nd->ndm_family;
	n->ifindex = nd->ndm_ifindex;
	memcpy(n->addr, mnl_attr_get_payload(na.dst), alen);
	memcpy(n->mac, mnl_attr_get_payload(na.lladdr), 6);
	return MNL_CB_OK;
}

static int fg_neigh_load(struct fg_inject *in)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned int seq = (unsigned int)time(NULL);
	struct ndmsg *nd;
	ssize_t n;
	int rc = MNL_CB_OK;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_UNSPEC;
	in->nr_neigh = 0;
	if (mnl_socket_sendto(in->rt, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (rc > MNL_CB_STOP) {
		n = mnl_socket_recvfrom(in->rt, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, 0, fg_neigh_cb, in);
	}
	in->loaded_ns = fg_mono_ns();
	return rc < 0 ? -errno : 0;
}

static const struct fg_neigh *fg_neigh_find(const struct fg_inject *in,
					    int family, const uint8_t *addr,
					    int ifindex)
{
	size_t i, alen = family == AF_INET ? 4 : 16;

	for (i = 0; i < in->nr_neigh; i++) {
		const struct fg_neigh *n = &in->neigh[i];

		if (n->family == family && !memcmp(n->addr, addr, alen) &&
		    (!ifindex || n->ifindex == ifindex))
			return n;
	}
	return NULL;
}

int fg_inject_resolve(struct fg_inject *in, int family, const uint8_t *addr,
		      int *ifindex, uint8_t mac[6])
{
	const struct fg_neigh *n = fg_neigh_find(in, family, addr, *ifindex);
	int rc;

	if (!n && fg_mono_ns() - in->loaded_ns > FG_NEIGH_RELOAD_NS) {
		rc = fg_neigh_load(in);
		if (rc)
			return rc;
		n = fg_neigh_find(in, family, addr, *ifindex);
	}
	if (!n)
		return -ENOENT;
	*ifindex = n->ifindex;
	memcpy(mac, n->mac, 6);
	return 0;
}

int fg_inject_send(struct fg_inject *in, int ifindex, const struct fg_seg *s)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	uint8_t pkt[FG_SEG_MAX];
	int len, rc;

	rc = fg_inject_resolve(in, s->t.family, s->t.daddr, &ifindex,
			       sll.sll_addr);
	if (rc)
		return rc;
	len = fg_seg_build(s, pkt, sizeof(pkt));
	if (len < 0)
		return len;
	sll.sll_ifindex = ifindex;
	sll.sll_protocol = htons(s->t.family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (sendto(in->fd, pkt, (size_t)len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) != len)
		return -errno;
	return 0;
}
