// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ct_obj.c - struct fg_ct_entry <-> libnetfilter_conntrack's struct
 * nf_conntrack. Addresses, ports and ICMP ids stay in wire order on both
 * sides; mark, id, status and zone are host order on both sides.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
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

/* 1.0.9 parses the reply tuple's ICMP id, type and code but has no getter
 * for them (ATTR_ICMP_* read the original tuple, the reply's port getters
 * answer "not set"): read those three attributes from the message. The
 * library has already validated the nests and their lengths. */
static void ct_obj_icmp_reply(const struct nlmsghdr *nlh, struct fg_ct_tuple *t)
{
	const struct nlattr *a, *tuple = NULL, *proto = NULL;
	uint8_t type = 0, code = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == CTA_TUPLE_REPLY)
			tuple = a;
	if (tuple)
		mnl_attr_for_each_nested(a, tuple)
			if (mnl_attr_get_type(a) == CTA_TUPLE_PROTO)
				proto = a;
	if (!proto)
		return;
	mnl_attr_for_each_nested(a, proto) {
		switch (mnl_attr_get_type(a)) {
		case CTA_PROTO_ICMP_ID: case CTA_PROTO_ICMPV6_ID:
			if (mnl_attr_get_payload_len(a) >= 2)
				t->sport = mnl_attr_get_u16(a);
			break;
		case CTA_PROTO_ICMP_TYPE: case CTA_PROTO_ICMPV6_TYPE:
			if (mnl_attr_get_payload_len(a) >= 1)
				type = mnl_attr_get_u8(a);
			break;
		case CTA_PROTO_ICMP_CODE: case CTA_PROTO_ICMPV6_CODE:
			if (mnl_attr_get_payload_len(a) >= 1)
				code = mnl_attr_get_u8(a);
			break;
		}
	}
	t->dport = FG_CT_ICMP(type, code);
}

static int ct_obj_get_dir(const struct nf_conntrack *o, uint8_t family,
			  int dir, struct fg_ct_tuple *t)
{
	const struct ct_obj_dir *a = &ct_obj_dirs[dir];
	int v6 = family == AF_INET6;
	enum nf_conntrack_attr src = v6 ? a->src6 : a->src4;
	enum nf_conntrack_attr dst = v6 ? a->dst6 : a->dst4;

	if (nfct_attr_is_set(o, a->l4) <= 0 || nfct_attr_is_set(o, src) <= 0 ||
	    nfct_attr_is_set(o, dst) <= 0)
		return -EBADMSG;
	t->family = family;
	t->l4proto = nfct_get_attr_u8(o, a->l4);
	memcpy(t->saddr, nfct_get_attr(o, src), v6 ? 16 : 4);
	memcpy(t->daddr, nfct_get_attr(o, dst), v6 ? 16 : 4);
	if (ct_obj_is_icmp(t->l4proto) && dir == 0) {
		t->sport = nfct_get_attr_u16(o, ATTR_ICMP_ID);
		t->dport = FG_CT_ICMP(nfct_get_attr_u8(o, ATTR_ICMP_TYPE),
				      nfct_get_attr_u8(o, ATTR_ICMP_CODE));
		return 0;
	}
	/* unset: 0, as the kernel reports protocols without ports */
	t->sport = nfct_get_attr_u16(o, a->sport);
	t->dport = nfct_get_attr_u16(o, a->dport);
	return 0;
}

static void ct_obj_get_counters(const struct nf_conntrack *o,
				struct fg_ct_entry *e)
{
	int dir;

	for (dir = 0; dir < 2; dir++) {
		const struct ct_obj_dir *a = &ct_obj_dirs[dir];

		if (nfct_attr_is_set(o, a->packets) > 0 ||
		    nfct_attr_is_set(o, a->bytes) > 0)
			e->has_counters = 1;
		e->packets[dir] = nfct_get_attr_u64(o, a->packets);
		e->bytes[dir] = nfct_get_attr_u64(o, a->bytes);
	}
}

int fg_ct_obj_get_entry(const struct nf_conntrack *o,
			const struct nlmsghdr *nlh, struct fg_ct_entry *e)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	int err;

	memset(e, 0, sizeof(*e));
	err = ct_obj_get_dir(o, nfg->nfgen_family, 0, &e->orig);
	if (!err)
		err = ct_obj_get_dir(o, nfg->nfgen_family, 1, &e->reply);
	if (err) {
		memset(e, 0, sizeof(*e));
		return err;
	}
	if (ct_obj_is_icmp(e->reply.l4proto))
		ct_obj_icmp_reply(nlh, &e->reply);
	/* every getter answers 0 for what the kernel did not report */
	e->mark = nfct_get_attr_u32(o, ATTR_MARK);
	e->id = nfct_get_attr_u32(o, ATTR_ID);
	e->status = nfct_get_attr_u32(o, ATTR_STATUS);
	e->zone = nfct_get_attr_u16(o, ATTR_ZONE);
	e->tcp_state = nfct_get_attr_u8(o, ATTR_TCP_STATE);
	e->timeout = nfct_get_attr_u32(o, ATTR_TIMEOUT);
	ct_obj_get_counters(o, e);
	return 0;
}
