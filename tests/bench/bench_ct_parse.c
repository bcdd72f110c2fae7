// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_ct_parse.c - what fg_ct_parse_msg() costs per entry: a dump
 * answer for one established TCP entry (IPv4 and IPv6, with accounting,
 * as the kernel sends it), parsed N times per round; the median of the
 * rounds in ns. No kernel involved: to compare two parsers, link the
 * same file against the other tree's libfg.a, e.g.
 *   cc -std=gnu11 -O2 -Iinclude -Iloader -D_GNU_SOURCE \
 *      tests/bench/bench_ct_parse.c OLD/libfg.a -lmnl -lbpf -o OLD/bcp
 * and run both in turn.
 *
 * usage: bench_ct_parse [-n PARSES] [-r ROUNDS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "ct.h"
#include "../unit/ct_msg.h"

#define MAX_ROUNDS 51

static char msgbuf[2][1024] __attribute__((aligned(4)));

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void put_counters(struct nlmsghdr *nlh, uint16_t type, uint64_t p,
			 uint64_t b)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(p));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(b));
	mnl_attr_nest_end(nlh, nest);
}

/* the attributes in the kernel's order (ctnetlink_fill_info) */
static struct nlmsghdr *entry_msg(char *buf, int v6)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlattr *info, *tcp;

	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = v6 ? AF_INET6 : AF_INET;
	ct_msg_put_tuple(nlh, CTA_TUPLE_ORIG, v6, v6 ? "2001:db8::10" : "192.168.1.10",
		  v6 ? "2001:db8:ff::7" : "198.51.100.7", 40000, 443);
	ct_msg_put_tuple(nlh, CTA_TUPLE_REPLY, v6, v6 ? "2001:db8:ff::7" : "198.51.100.7",
		  v6 ? "2001:db8::10" : "203.0.113.2", 443, 61000);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(0x18e));
	put_counters(nlh, CTA_COUNTERS_ORIG, 12, 3400);
	put_counters(nlh, CTA_COUNTERS_REPLY, 10, 56000);
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(431999));
	info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 7);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_REPLY, 7);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, info);
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0x100));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0xdeadbeef));
	mnl_attr_put_u32(nlh, CTA_USE, htonl(1));
	return nlh;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	uint32_t n = 200000, rounds = 7, r, i;
	double ns[MAX_ROUNDS];
	struct nlmsghdr *m[2];
	struct fg_ct_entry e;
	uint64_t sum = 0;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			n = (uint32_t)strtoul(optarg, NULL, 0);
		else if (opt == 'r')
			rounds = (uint32_t)strtoul(optarg, NULL, 0);
		else
			goto usage;
	}
	if (!n || !rounds || rounds > MAX_ROUNDS)
		goto usage;
	m[0] = entry_msg(msgbuf[0], 0);
	m[1] = entry_msg(msgbuf[1], 1);
	for (r = 0; r < rounds; r++) {
		double t0 = now_ns();

		for (i = 0; i < n; i++) {
			if (fg_ct_parse_msg(m[i & 1], m[i & 1]->nlmsg_len, &e)) {
				fprintf(stderr, "bench_ct_parse: parse failed\n");
				return 1;
			}
			sum += e.mark + e.packets[1];
		}
		ns[r] = (now_ns() - t0) / n;
	}
	if (sum != (uint64_t)rounds * n * (0x100 + 10)) {
		fprintf(stderr, "bench_ct_parse: wrong fields\n");
		return 1;
	}
	qsort(ns, rounds, sizeof(ns[0]), cmp_d);
	printf("fg_ct_parse_msg, TCP entry with counters, IPv4/IPv6 alternating: %.0f ns (median of %u rounds of %u; min %.0f)\n",
	       ns[rounds / 2], rounds, n, ns[0]);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n PARSES] [-r 1..%d]\n", argv[0], MAX_ROUNDS);
	return 2;
}
