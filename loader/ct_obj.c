// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ct_obj.c - struct fg_ct_entry -> libnetfilter_conntrack's struct
 * nf_conntrack, for the library to build requests from. Addresses, ports
 * and ICMP ids are in wire order on both sides; mark, id, status and zone
 * in host order on both sides.
 */
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "ct_obj.h"

/* The library's attribute numbers of one direction. */
struct ct_obj_dir {
	enum nf_conntrack_attr l3, l4, src4, dst4, src6, dst6, sport, dport;
	enum nf_conntrack_attr packets, bytes;
};

static const struct ct_obj_dir ct_obj_dirs[2] = {
	{ ATTR_ORIG_L3PROTO, ATTR_ORIG_L4PROTO, ATTR_ORIG_IPV4_SRC,
	  ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_SRC, ATTR_ORIG_IPV6_DST,
	  ATTR_ORIG_PORT_SRC, ATTR_ORIG_PORT_DST, ATTR_ORIG_COUNTER_PACKETS,
	  ATTR_ORIG_COUNTER_BYTES },
	{ ATTR_REPL_L3PROTO, ATTR_REPL_L4PROTO, ATTR_REPL_IPV4_SRC,
	  ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_SRC, ATTR_REPL_IPV6_DST,
	  ATTR_REPL_PORT_SRC, ATTR_REPL_PORT_DST, ATTR_REPL_COUNTER_PACKETS,
	  ATTR_REPL_COUNTER_BYTES },
};

static int ct_obj_is_icmp(uint8_t l4proto)
{
	return l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6;
}

static void ct_obj_set_dir(struct nf_conntrack *o, const struct fg_ct_tuple *t,
			   int dir)
{
	const struct ct_obj_dir *a = &ct_obj_dirs[dir];
	int v6 = t->family == AF_INET6;
	struct in6_addr src, dst; /* the setters load aligned words */

	memcpy(&src, t->saddr, sizeof(src));
	memcpy(&dst, t->daddr, sizeof(dst));
	nfct_set_attr_u8(o, a->l3, t->family);
	nfct_set_attr_u8(o, a->l4, t->l4proto);
	nfct_set_attr(o, v6 ? a->src6 : a->src4, &src);
	nfct_set_attr(o, v6 ? a->dst6 : a->dst4, &dst);
	if (ct_obj_is_icmp(t->l4proto) && dir == 0) {
		nfct_set_attr_u16(o, ATTR_ICMP_ID, t->sport);
		nfct_set_attr_u8(o, ATTR_ICMP_TYPE, FG_CT_ICMP_TYPE(t->dport));
		nfct_set_attr_u8(o, ATTR_ICMP_CODE, FG_CT_ICMP_CODE(t->dport));
		return;
	}
	/* ATTR_ICMP_* exist for the original direction only; the reply's
	 * ICMP id and type/code share the ports' storage (id = source
	 * port, type and code the destination port's two bytes in memory
	 * order: our FG_CT_ICMP() layout), which is what the build reads */
	nfct_set_attr_u16(o, a->sport, t->sport);
	nfct_set_attr_u16(o, a->dport, t->dport);
}

void fg_ct_obj_set_tuple(struct nf_conntrack *o, const struct fg_ct_tuple *t)
{
	ct_obj_set_dir(o, t, 0);
}

void fg_ct_obj_set_new(struct nf_conntrack *o, const struct fg_ct_entry *e)
{
	/* The kernel sets CONFIRMED before it applies CTA_STATUS and refuses
	 * (EBUSY) a status that would clear it; other bits it keeps. (The
	 * library adds CONFIRMED too.) */
	uint32_t status = (e->status & ~(uint32_t)IPS_UNCHANGEABLE_MASK) |
			  IPS_CONFIRMED;

	ct_obj_set_dir(o, &e->orig, 0);
	ct_obj_set_dir(o, &e->reply, 1);
	nfct_set_attr_u32(o, ATTR_MARK, e->mark);
	nfct_set_attr_u32(o, ATTR_STATUS, status);
	if (e->zone)
		nfct_set_attr_u16(o, ATTR_ZONE, e->zone);
	if (e->orig.l4proto != IPPROTO_TCP || !e->tcp_state)
		return;
	/* entries made here have seen no packet: no window to check */
	nfct_set_attr_u8(o, ATTR_TCP_STATE, e->tcp_state);
	nfct_set_attr_u8(o, ATTR_TCP_FLAGS_ORIG, IP_CT_TCP_FLAG_BE_LIBERAL);
	nfct_set_attr_u8(o, ATTR_TCP_MASK_ORIG, IP_CT_TCP_FLAG_BE_LIBERAL);
	nfct_set_attr_u8(o, ATTR_TCP_FLAGS_REPL, IP_CT_TCP_FLAG_BE_LIBERAL);
	nfct_set_attr_u8(o, ATTR_TCP_MASK_REPL, IP_CT_TCP_FLAG_BE_LIBERAL);
}
