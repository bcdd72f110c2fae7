/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_msg.h - pieces of ctnetlink answers as the kernel builds them, for
 * the tests and benchmarks that parse them without a socket.
 */
#ifndef FG_TEST_CT_MSG_H
#define FG_TEST_CT_MSG_H

#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

/* A TCP tuple nest of type (CTA_TUPLE_ORIG or _REPLY); -1 for an address
 * that does not parse. */
static inline int ct_msg_put_tuple(struct nlmsghdr *nlh, uint16_t type,
				   int v6, const char *src, const char *dst,
				   uint16_t sport, uint16_t dport)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, type), *nest;
	int fam = v6 ? AF_INET6 : AF_INET, ok;
	size_t len = v6 ? 16 : 4;
	uint8_t a[16];

	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	ok = inet_pton(fam, src, a) == 1;
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, len, a);
	ok = ok && inet_pton(fam, dst, a) == 1;
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, len, a);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, tuple);
	return ok ? 0 : -1;
}

#endif /* FG_TEST_CT_MSG_H */
