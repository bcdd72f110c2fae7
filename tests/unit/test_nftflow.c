// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_nftflow.c - flowtable messages, hand-built with libmnl as the
 * kernel sends them (this kernel cannot make a flowtable: no
 * NF_FLOW_TABLE), parsed, and the per-device answer. */
#include <errno.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "nftflow.h"
#include "unit.h"

static char buf[8192];

/* A NEWFLOWTABLE message; NULL table or name: left out. flags in host
 * order (sent big-endian, as nf_tables does). */
static struct nlmsghdr *ft_msg(const char *table, const char *name,
			       uint32_t flags, const char *const *devs,
			       int nr_devs)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct nlattr *hook, *nest;
	int i;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWFLOWTABLE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_INET;
	if (table)
		mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_TABLE, table);
	if (name)
		mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_NAME, name);
	hook = mnl_attr_nest_start(nlh, NFTA_FLOWTABLE_HOOK);
	mnl_attr_put_u32(nlh, NFTA_FLOWTABLE_HOOK_NUM, htonl(NF_NETDEV_INGRESS));
	mnl_attr_put_u32(nlh, NFTA_FLOWTABLE_HOOK_PRIORITY, htonl(0));
	nest = mnl_attr_nest_start(nlh, NFTA_FLOWTABLE_HOOK_DEVS);
	/* "eth*": a wildcard, sent as kernels 6.16+ do: NFTA_DEVICE_PREFIX
	 * (2) "eth", NUL-terminated */
	for (i = 0; i < nr_devs; i++) {
		char prefix[IFNAMSIZ];
		size_t n = strlen(devs[i]);

		if (n && devs[i][n - 1] == '*') {
			snprintf(prefix, sizeof(prefix), "%.*s", (int)n - 1,
				 devs[i]);
			mnl_attr_put_strz(nlh, 2, prefix);
		} else {
			mnl_attr_put_strz(nlh, NFTA_DEVICE_NAME, devs[i]);
		}
	}
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, hook);
	mnl_attr_put_u32(nlh, NFTA_FLOWTABLE_USE, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_FLOWTABLE_FLAGS, htonl(flags));
	return nlh;
}

static void test_parse(void)
{
	static const char *const devs[] = { "br-lan", "wan", "pppoe-wan" };
	struct fg_nftflow ft;

	CHECK_EQ_I(fg_nftflow_parse(ft_msg("fw4", "ft", 0, devs, 3), &ft), 0);
	CHECK_STR(ft.table, "fw4");
	CHECK_STR(ft.name, "ft");
	CHECK_EQ_U(ft.family, NFPROTO_INET);
	CHECK_EQ_U(ft.flags, 0);
	CHECK_EQ_U(ft.nr_devs, 3);
	CHECK_STR(ft.devs[0], "br-lan");
	CHECK_STR(ft.devs[2], "pppoe-wan");

	CHECK_EQ_I(fg_nftflow_parse(ft_msg("fw4", "ft", NFT_FLOWTABLE_HW_OFFLOAD |
					   NFT_FLOWTABLE_COUNTER, devs, 1), &ft), 0);
	CHECK_EQ_U(ft.flags, NFT_FLOWTABLE_HW_OFFLOAD | NFT_FLOWTABLE_COUNTER);
	CHECK_EQ_U(ft.nr_devs, 1);

	/* a flowtable without devices (all of them gone) is still one */
	CHECK_EQ_I(fg_nftflow_parse(ft_msg("t", "f", 0, devs, 0), &ft), 0);
	CHECK_EQ_U(ft.nr_devs, 0);
}

static void test_parse_refuses(void)
{
	static const char *const devs[] = { "wan" };
	struct fg_nftflow ft;

	CHECK_EQ_I(fg_nftflow_parse(ft_msg(NULL, "ft", 0, devs, 1), &ft), -EINVAL);
	CHECK_EQ_I(fg_nftflow_parse(ft_msg("fw4", NULL, 0, devs, 1), &ft), -EINVAL);
}

static void test_parse_many_devices(void)
{
	const char *devs[FG_NFTFLOW_MAX_DEVS + 8];
	char names[FG_NFTFLOW_MAX_DEVS + 8][IFNAMSIZ];
	struct fg_nftflow ft;
	int i;

	for (i = 0; i < FG_NFTFLOW_MAX_DEVS + 8; i++) {
		snprintf(names[i], IFNAMSIZ, "lan%d", i);
		devs[i] = names[i];
	}
	CHECK_EQ_I(fg_nftflow_parse(ft_msg("fw4", "ft", 0, devs,
					   FG_NFTFLOW_MAX_DEVS + 8), &ft), -E2BIG);
	CHECK_EQ_U(ft.nr_devs, FG_NFTFLOW_MAX_DEVS);
	CHECK_STR(ft.devs[FG_NFTFLOW_MAX_DEVS - 1], names[FG_NFTFLOW_MAX_DEVS - 1]);
}

/* Kernels before 6.16 echo a device name with the length user space
 * gave it: possibly without its NUL. */
static void test_name_without_nul(void)
{
	struct fg_nftflow ft;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct nlattr *hook, *devs;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWFLOWTABLE;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_IPV4;
	mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_NAME, "f");
	hook = mnl_attr_nest_start(nlh, NFTA_FLOWTABLE_HOOK);
	devs = mnl_attr_nest_start(nlh, NFTA_FLOWTABLE_HOOK_DEVS);
	mnl_attr_put(nlh, NFTA_DEVICE_NAME, 4, "wan1");
	mnl_attr_put(nlh, NFTA_DEVICE_NAME, 20, "a-name-far-too-long!");
	mnl_attr_nest_end(nlh, devs);
	mnl_attr_nest_end(nlh, hook);
	CHECK_EQ_I(fg_nftflow_parse(nlh, &ft), 0);
	CHECK_EQ_U(ft.nr_devs, 2);
	CHECK_STR(ft.devs[0], "wan1");
	CHECK_STR(ft.devs[1], "a-name-far-too-");
	CHECK_EQ_U(ft.family, NFPROTO_IPV4);
}

static void test_dev(void)
{
	static const char *const sw[] = { "lan", "wan2" };
	static const char *const hw[] = { "lan", "wan1" };
	static struct fg_nftflows l;

	memset(&l, 0, sizeof(l));
	CHECK_EQ_U(fg_nftflow_dev(&l, "wan1"), FG_NFTFLOW_NONE);
	CHECK_EQ_I(fg_nftflow_parse(ft_msg("fw4", "sw", 0, sw, 2), &l.ft[0]), 0);
	CHECK_EQ_I(fg_nftflow_parse(ft_msg("hw", "hw", NFT_FLOWTABLE_HW_OFFLOAD,
					   hw, 2), &l.ft[1]), 0);
	l.nr = 2;
	CHECK_EQ_U(fg_nftflow_dev(&l, "wan1"), FG_NFTFLOW_HW);
	CHECK_EQ_U(fg_nftflow_dev(&l, "wan2"), FG_NFTFLOW_SW);
	CHECK_EQ_U(fg_nftflow_dev(&l, "lan"), FG_NFTFLOW_HW);
	CHECK_EQ_U(fg_nftflow_dev(&l, "wan"), FG_NFTFLOW_NONE);
	CHECK_EQ_U(fg_nftflow_dev(&l, "wan10"), FG_NFTFLOW_NONE);
}

/* A wildcard hook: the prefix sent without its '*', NUL-terminated. */
static void test_prefix(void)
{
	static const char *const devs[] = { "lan", "pppoe-*" };
	static struct fg_nftflows l;
	struct nlmsghdr *nlh = ft_msg("fw4", "ft", 0, devs, 2);

	memset(&l, 0, sizeof(l));
	CHECK_EQ_I(fg_nftflow_parse(nlh, &l.ft[0]), 0);
	l.nr = 1;
	CHECK_EQ_U(l.ft[0].nr_devs, 2);
	CHECK_STR(l.ft[0].devs[1], "pppoe-*");
	CHECK_EQ_U(fg_nftflow_dev(&l, "pppoe-wan"), FG_NFTFLOW_SW);
	CHECK_EQ_U(fg_nftflow_dev(&l, "pppoe"), FG_NFTFLOW_NONE);
	CHECK_EQ_U(fg_nftflow_dev(&l, "lan"), FG_NFTFLOW_SW);
	CHECK_EQ_U(fg_nftflow_dev(&l, "lan1"), FG_NFTFLOW_NONE);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_parse_refuses);
	RUN(test_parse_many_devices);
	RUN(test_name_without_nul);
	RUN(test_dev);
	RUN(test_prefix);
	UNIT_EXIT();
}
