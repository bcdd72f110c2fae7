// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_decode.c - the decoders the fuzz targets drive, on the inputs that
 * matter: a ctnetlink answer parsed without a socket (fg_ct_parse_msg:
 * fields, malformed and oversized messages) and the control protocol's
 * request, GO and answer decoders.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "ct.h"
#include "ct_msg.h"
#include "ctl.h"
#include "unit.h"

static char msgbuf[4096] __attribute__((aligned(4)));

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, int v6,
		      const char *src, const char *dst, uint16_t sport,
		      uint16_t dport)
{
	CHECK_EQ_I(ct_msg_put_tuple(nlh, type, v6, src, dst, sport, dport), 0);
}

/* A dump answer for one TCP entry, as the kernel builds it. */
static struct nlmsghdr *entry_msg(int v6)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct nlattr *info, *tcp;

	memset(msgbuf, 0, sizeof(msgbuf));
	nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = v6 ? AF_INET6 : AF_INET;
	if (v6) {
		put_tuple(nlh, CTA_TUPLE_ORIG, 1, "2001:db8::10",
			  "2001:db8:ff::7", 40000, 443);
		put_tuple(nlh, CTA_TUPLE_REPLY, 1, "2001:db8:ff::7",
			  "2001:db8::10", 443, 40000);
	} else {
		put_tuple(nlh, CTA_TUPLE_ORIG, 0, "192.168.1.10",
			  "198.51.100.7", 40000, 443);
		put_tuple(nlh, CTA_TUPLE_REPLY, 0, "198.51.100.7",
			  "203.0.113.2", 443, 61000);
	}
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(0x18e));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0x100));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0xdeadbeef));
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(7));
	info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE,
			TCP_CONNTRACK_ESTABLISHED);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

static void check_fmt(const struct fg_ct_tuple *t, const char *want)
{
	char line[128];

	CHECK(fg_ct_tuple_fmt(t, line, sizeof(line)) >= 0);
	CHECK_STR(line, want);
}

static void test_ct_parse_v4(void)
{
	struct nlmsghdr *nlh = entry_msg(0);
	struct fg_ct_entry e;

	CHECK_EQ_I(fg_ct_parse_msg(nlh, nlh->nlmsg_len, &e), 0);
	CHECK_EQ_U(e.orig.family, AF_INET);
	CHECK_EQ_U(e.mark, 0x100);
	CHECK_EQ_U(e.id, 0xdeadbeef);
	CHECK_EQ_U(e.status, 0x18e);
	CHECK_EQ_U(e.zone, 7);
	CHECK_EQ_U(e.tcp_state, TCP_CONNTRACK_ESTABLISHED);
	check_fmt(&e.orig, "tcp 192.168.1.10:40000 -> 198.51.100.7:443");
	check_fmt(&e.reply, "tcp 198.51.100.7:443 -> 203.0.113.2:61000");
	/* a longer buffer (more messages after it) is fine */
	CHECK_EQ_I(fg_ct_parse_msg(nlh, nlh->nlmsg_len + 64, &e), 0);
}

static void test_ct_parse_v6(void)
{
	struct nlmsghdr *nlh = entry_msg(1);
	struct fg_ct_entry e;

	CHECK_EQ_I(fg_ct_parse_msg(nlh, nlh->nlmsg_len, &e), 0);
	CHECK_EQ_U(e.orig.family, AF_INET6);
	check_fmt(&e.orig, "tcp [2001:db8::10]:40000 -> [2001:db8:ff::7]:443");
}

static void test_ct_parse_refused(void)
{
	struct nlmsghdr *nlh = entry_msg(0);
	struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct fg_ct_entry e;
	uint32_t len = nlh->nlmsg_len;

	/* cut short: the header says more than there is */
	CHECK_EQ_I(fg_ct_parse_msg(nlh, len - 4, &e), -EBADMSG);
	CHECK_EQ_I(fg_ct_parse_msg(nlh, 15, &e), -EBADMSG);
	CHECK_EQ_I(fg_ct_parse_msg(nlh, 0, &e), -EBADMSG);
	/* another subsystem */
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK_EXP << 8;
	CHECK_EQ_I(fg_ct_parse_msg(nlh, len, &e), -EBADMSG);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8;
	/* an IPv6 entry with IPv4 addresses */
	nfg->nfgen_family = AF_INET6;
	CHECK_EQ_I(fg_ct_parse_msg(nlh, len, &e), -EBADMSG);
	nfg->nfgen_family = AF_BRIDGE;
	CHECK_EQ_I(fg_ct_parse_msg(nlh, len, &e), -EBADMSG);
	nfg->nfgen_family = AF_INET;
	CHECK_EQ_I(fg_ct_parse_msg(nlh, len, &e), 0);
	/* no reply tuple: only the header and the nfgenmsg */
	nlh->nlmsg_len = mnl_nlmsg_size(sizeof(*nfg));
	CHECK_EQ_I(fg_ct_parse_msg(nlh, len, &e), -EBADMSG);
	CHECK_EQ_U(e.mark, 0);
}

/* A length of 2 GiB and more is negative for mnl_nlmsg_ok(), which then
 * let the parse walk attributes far past the buffer (found by fuzz_ct). */
static void test_ct_parse_huge_length(void)
{
	struct nlmsghdr *nlh = entry_msg(0);
	uint32_t lens[] = { 0x80000000u, 0x80000010u, 0xfffffff0u };
	struct fg_ct_entry e;
	size_t i, n = nlh->nlmsg_len;
	char *copy = malloc(n);

	CHECK(copy != NULL);
	if (!copy)
		return;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memcpy(copy, nlh, n);
		((struct nlmsghdr *)copy)->nlmsg_len = lens[i];
		CHECK_EQ_I(fg_ct_parse_msg(copy, n, &e), -EBADMSG);
	}
	free(copy);
}

static struct fg_ctl_req req_make(uint32_t cmd, const char *iface)
{
	struct fg_ctl_req r;

	memset(&r, 0, sizeof(r));
	r.magic = FG_CTL_MAGIC;
	r.cmd = cmd;
	snprintf(r.iface, sizeof(r.iface), "%s", iface);
	return r;
}

static void test_ctl_req(void)
{
	struct fg_ctl_req r = req_make(FG_CTL_DISCONNECTED, "wan"), out;
	char big[sizeof(r) + 1];

	CHECK_EQ_I(fg_ctl_req_decode(&r, sizeof(r), &out), 0);
	CHECK_STR(out.iface, "wan");
	CHECK_EQ_I(fg_ctl_req_decode(&r, sizeof(r) - 1, &out), -EBADMSG);
	memcpy(big, &r, sizeof(r));
	big[sizeof(r)] = 0;
	CHECK_EQ_I(fg_ctl_req_decode(big, sizeof(big), &out), -EBADMSG);
	r.cmd = FG_CTL_GO; /* a GO is no request */
	CHECK_EQ_I(fg_ctl_req_decode(&r, sizeof(r), &out), -EBADMSG);
	CHECK_EQ_I(fg_ctl_go_decode(&r, sizeof(r)), 0);
	CHECK_EQ_I(fg_ctl_go_decode(&r, sizeof(r) - 1), -EBADMSG);
	r.cmd = FG_CTL_CMD_MAX;
	CHECK_EQ_I(fg_ctl_req_decode(&r, sizeof(r), &out), -EBADMSG);
	r = req_make(FG_CTL_STATUS, "");
	memset(r.iface, 'a', sizeof(r.iface)); /* no NUL */
	CHECK_EQ_I(fg_ctl_req_decode(&r, sizeof(r), &out), -EBADMSG);
	r = req_make(FG_CTL_STATUS, "");
	memset(r.device, 'a', sizeof(r.device));
	CHECK_EQ_I(fg_ctl_req_decode(&r, sizeof(r), &out), -EBADMSG);
	r = req_make(FG_CTL_STATUS, "");
	r.magic ^= 1;
	CHECK_EQ_I(fg_ctl_req_decode(&r, sizeof(r), &out), -EBADMSG);
	CHECK_EQ_I(fg_ctl_go_decode(&r, sizeof(r)), -EBADMSG);
}

static void test_ctl_resp(void)
{
	static struct fg_ctl_resp resp;
	size_t head = offsetof(struct fg_ctl_resp, text);

	/* a short text (an older service): the rest reads as zeros */
	memset(&resp, 'x', sizeof(resp));
	resp.magic = FG_CTL_MAGIC;
	resp.status = 0;
	memcpy(resp.text, "ok", 2);
	CHECK_EQ_I(fg_ctl_resp_check(&resp, head + 2), 0);
	CHECK_STR(resp.text, "ok");
	/* a full text without NUL is cut at the end */
	memset(resp.text, 'y', sizeof(resp.text));
	CHECK_EQ_I(fg_ctl_resp_check(&resp, sizeof(resp)), 0);
	CHECK_EQ_U(strlen(resp.text), sizeof(resp.text) - 1);
	CHECK_EQ_I(fg_ctl_resp_check(&resp, head), -EBADMSG);
	CHECK_EQ_I(fg_ctl_resp_check(&resp, sizeof(resp) + 1), -EBADMSG);
	resp.magic = 0;
	CHECK_EQ_I(fg_ctl_resp_check(&resp, sizeof(resp)), -EBADMSG);
}

int main(void)
{
	RUN(test_ct_parse_v4);
	RUN(test_ct_parse_v6);
	RUN(test_ct_parse_refused);
	RUN(test_ct_parse_huge_length);
	RUN(test_ctl_req);
	RUN(test_ctl_resp);
	UNIT_EXIT();
}
