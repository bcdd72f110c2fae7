// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ct.c - conntrack over ctnetlink: libmnl for the socket, our own message
 * header (nfgenmsg version), the batching and the parsing of answers;
 * libnetfilter_conntrack's nfct_nlmsg_build / nfct_nlmsg_build_filter
 * for the requests' attributes (ct_obj.c converts) and nfct_snprintf for
 * `list`. Never its NFCT_Q_FLUSH_FILTER: 1.0.9 ignores the mark filter
 * there and empties the whole table. Never its parser in the service: it
 * exits the process on a malformed attribute (see parsing).
 *
 * Every request carries its own sequence number; answers outside the
 * numbers of the request in flight are stale (a dump left behind) and
 * skipped. A socket error in the middle of an answer re-creates the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <endian.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "ct.h"
#include "ct_obj.h"
#include "heap.h"

#define CT_RX_BUF (64 * 1024)	/* > the kernel's 32 KiB dump skbs */
#define CT_TX_BUF (64 * 1024)	/* < the default 208 KiB sndbuf */
#define CT_MSG_MAX 512		/* a NEW message is < 300 bytes */
#define CT_BATCH_MAX 256	/* messages per sendmsg() */
#define CT_RCVBUF (4 * 1024 * 1024)
#define CT_NFNL_V1 1		/* nfgenmsg version: honour the family */
#define CT_PROC_COUNT "/proc/sys/net/netfilter/nf_conntrack_count"

struct fg_ct {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint64_t sent;
	char *rx;
	char *tx;
};

/* What one request (or batch) waits for: answers numbered lo..hi. */
struct ct_rx {
	uint32_t lo, hi;
	/* idx: map[the answer's position in lo..hi], or base + it */
	int (*cb)(const struct nlmsghdr *nlh, size_t idx, void *arg);
	void *arg;
	int *res;      /* per message (NULL: not kept): res[idx] */
	size_t base;
	const size_t *map; /* a batch that skipped messages it could not build */
	int err;       /* first error */
	int stopped;   /* cb said stop: the rest is read and dropped */
	int done;
};

/* ---- socket ---- */

static void ct_sock_tune(struct mnl_socket *nl)
{
	int fd = mnl_socket_get_fd(nl);
	int one = 1, rcv = CT_RCVBUF;

	/* Best effort: errors without the request echoed, and room for a
	 * batch's answers (FORCE needs CAP_NET_ADMIN, else rmem_max). */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
}

static int ct_sock_open(struct fg_ct *ct)
{
	struct mnl_socket *nl;
	int err = 0;

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	ct_sock_tune(nl);
	ct->portid = mnl_socket_get_portid(nl);
	ct->nl = nl;
	nl = NULL;
out:
	if (nl)
		mnl_socket_close(nl);
	return err;
}

static void ct_sock_reset(struct fg_ct *ct)
{
	if (ct->nl)
		mnl_socket_close(ct->nl);
	ct->nl = NULL;
	ct_sock_open(ct); /* on failure the next request tries again */
}

static int ct_ready(struct fg_ct *ct)
{
	if (!ct)
		return -EINVAL;
	return ct->nl ? 0 : ct_sock_open(ct);
}

int fg_ct_open(struct fg_ct **out)
{
	struct fg_ct *ct = NULL;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ct = calloc(1, sizeof(*ct));
	if (!ct)
		return -ENOMEM;
	ct->rx = malloc(CT_RX_BUF);
	ct->tx = malloc(CT_TX_BUF);
	if (!ct->rx || !ct->tx) {
		err = -ENOMEM;
		goto out;
	}
	err = ct_sock_open(ct);
	if (err)
		goto out;
	ct->seq = (uint32_t)time(NULL);
	*out = ct;
	ct = NULL;
out:
	fg_ct_close(ct);
	return err;
}

void fg_ct_close(struct fg_ct *ct)
{
	if (!ct)
		return;
	if (ct->nl)
		mnl_socket_close(ct->nl);
	free(ct->rx);
	free(ct->tx);
	free(ct);
}

void fg_ct_give_back(struct fg_ct *ct)
{
	/* both are filled and read within each request */
	fg_heap_drop_pages(ct->rx, CT_RX_BUF);
	fg_heap_drop_pages(ct->tx, CT_TX_BUF);
}

uint64_t fg_ct_msgs_sent(const struct fg_ct *ct)
{
	return ct ? ct->sent : 0;
}

/* ---- requests ---- */

/* buf has room for CT_MSG_MAX bytes; zeroed so the attributes' padding
 * holds no stale bytes */
static struct nlmsghdr *ct_msg(char *buf, uint16_t type, uint16_t flags,
			       uint8_t family, uint8_t version, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, CT_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = version;
	nfg->res_id = 0;
	return nlh;
}

/* Our header, then o's attributes by the library (-EINVAL if it refuses:
 * no family, or one it does not know). */
static int ct_msg_build(struct nlmsghdr **out, char *buf, uint16_t type,
			uint16_t flags, uint8_t family, uint32_t seq,
			const struct nf_conntrack *o)
{
	struct nlmsghdr *nlh;

	nlh = ct_msg(buf, type, flags, family, NFNETLINK_V0, seq);
	if (nfct_nlmsg_build(nlh, o) < 0)
		return -EINVAL;
	*out = nlh;
	return 0;
}

static int ct_is_icmp(uint8_t l4proto)
{
	return l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6;
}

static int ct_family_ok(uint8_t family)
{
	return family == AF_INET || family == AF_INET6;
}

static uint32_t ct_next_seq(struct fg_ct *ct)
{
	return ++ct->seq;
}

/* ---- answers ---- */

static int ct_seq_in(uint32_t seq, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(seq - lo) <= (uint32_t)(hi - lo);
}

static void ct_rx_fail(struct ct_rx *rx, int err)
{
	if (!rx->err)
		rx->err = err;
}

static size_t ct_rx_idx(const struct ct_rx *rx, const struct nlmsghdr *nlh)
{
	uint32_t pos = nlh->nlmsg_seq - rx->lo;

	return rx->map ? rx->map[pos] : rx->base + pos;
}

static void ct_rx_error(struct ct_rx *rx, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	int err = 0;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		err = -EBADMSG;
	else if (e->error)
		err = e->error < 0 ? e->error : -e->error;
	if (err) {
		ct_rx_fail(rx, err);
		if (rx->res)
			rx->res[ct_rx_idx(rx, nlh)] = err;
	}
	if (nlh->nlmsg_seq == rx->hi)
		rx->done = 1;
}

static void ct_rx_done(struct ct_rx *rx, const struct nlmsghdr *nlh)
{
	const int *status = mnl_nlmsg_get_payload(nlh);

	/* a dump that failed half-way says so in NLMSG_DONE */
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*status)) && *status < 0)
		ct_rx_fail(rx, *status);
	rx->done = 1;
}

static void ct_rx_msg(struct ct_rx *rx, const struct nlmsghdr *nlh)
{
	int ret;

	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		ct_rx_error(rx, nlh);
		return;
	case NLMSG_DONE:
		ct_rx_done(rx, nlh);
		return;
	}
	if (nlh->nlmsg_type >> 8 != NFNL_SUBSYS_CTNETLINK || !rx->cb ||
	    rx->stopped)
		return;
	ret = rx->cb(nlh, ct_rx_idx(rx, nlh), rx->arg);
	if (ret < 0 && !rx->err)
		rx->err = ret;
	if (ret)
		rx->stopped = 1;
}

/* mnl_nlmsg_ok() compares nlmsg_len as an int: a length of 2 GiB or more
 * passes as negative, and the parse then reads far past the buffer. */
static int ct_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (uint32_t)len;
}

static void ct_rx_buf(const struct fg_ct *ct, struct ct_rx *rx, int len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)ct->rx;

	for (; !rx->done && ct_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		if (!mnl_nlmsg_portid_ok(nlh, ct->portid) ||
		    !ct_seq_in(nlh->nlmsg_seq, rx->lo, rx->hi))
			continue; /* stale */
		ct_rx_msg(rx, nlh);
	}
}

static int ct_recv(struct fg_ct *ct, struct ct_rx *rx)
{
	while (!rx->done) {
		ssize_t n = mnl_socket_recvfrom(ct->nl, ct->rx, CT_RX_BUF);

		if (n < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			/* ENOBUFS, or ENOSPC for a truncated message: what
			 * the kernel still has queued would be out of step */
			ct_sock_reset(ct);
			return err;
		}
		ct_rx_buf(ct, rx, (int)n);
	}
	return rx->err;
}

/* Send nmsg messages (len bytes of ct->tx), then read the answers. */
static int ct_exchange(struct fg_ct *ct, size_t len, uint32_t nmsg,
		       struct ct_rx *rx)
{
	int err = ct_ready(ct); /* a reset may have failed */

	if (err)
		return err;
	if (mnl_socket_sendto(ct->nl, ct->tx, len) < 0)
		return -errno;
	ct->sent += nmsg;
	return ct_recv(ct, rx);
}

/* ---- parsing ---- */

/* By hand, not by nfct_nlmsg_parse(): libnetfilter_conntrack (since
 * 1.0.7, 1.0.9 here) calls exit(1) ("ctnetlink kernel ABI is broken")
 * on any attribute it finds malformed; the service must refuse one
 * message (-EBADMSG), not die (found by fuzz_ct). */

struct ct_pol {
	uint8_t type; /* enum mnl_attr_data_type; MNL_TYPE_UNSPEC = unused */
	uint8_t len;  /* exact payload length for MNL_TYPE_BINARY */
};

struct ct_tb {
	const struct nlattr **tb;
	const struct ct_pol *pol;
	uint16_t max;
};

static int ct_attr_cb(const struct nlattr *a, void *data)
{
	const struct ct_tb *p = data;
	uint16_t type = mnl_attr_get_type(a);
	const struct ct_pol *pol;
	int ret;

	if (type > p->max)
		return MNL_CB_OK; /* newer than this code */
	pol = &p->pol[type];
	if (pol->type == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (pol->len)
		ret = mnl_attr_validate2(a, pol->type, pol->len);
	else
		ret = mnl_attr_validate(a, pol->type);
	if (ret < 0)
		return MNL_CB_ERROR;
	p->tb[type] = a;
	return MNL_CB_OK;
}

static int ct_parse_nested(const struct nlattr *nest, const struct ct_pol *pol,
			   uint16_t max, const struct nlattr **tb)
{
	struct ct_tb p = { .tb = tb, .pol = pol, .max = max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, ct_attr_cb, &p) < 0)
		return -EBADMSG;
	return 0;
}

static const struct ct_pol ct_pol_top[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG] = { MNL_TYPE_NESTED, 0 },
	[CTA_TUPLE_REPLY] = { MNL_TYPE_NESTED, 0 },
	[CTA_STATUS] = { MNL_TYPE_U32, 0 },
	[CTA_PROTOINFO] = { MNL_TYPE_NESTED, 0 },
	[CTA_MARK] = { MNL_TYPE_U32, 0 },
	[CTA_ID] = { MNL_TYPE_U32, 0 },
	[CTA_ZONE] = { MNL_TYPE_U16, 0 },
	[CTA_TIMEOUT] = { MNL_TYPE_U32, 0 },
	[CTA_COUNTERS_ORIG] = { MNL_TYPE_NESTED, 0 },
	[CTA_COUNTERS_REPLY] = { MNL_TYPE_NESTED, 0 },
};

static const struct ct_pol ct_pol_counters[CTA_COUNTERS_MAX + 1] = {
	[CTA_COUNTERS_PACKETS] = { MNL_TYPE_U64, 0 },
	[CTA_COUNTERS_BYTES] = { MNL_TYPE_U64, 0 },
};

static const struct ct_pol ct_pol_tuple[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP] = { MNL_TYPE_NESTED, 0 },
	[CTA_TUPLE_PROTO] = { MNL_TYPE_NESTED, 0 },
};

static const struct ct_pol ct_pol_ip[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = { MNL_TYPE_BINARY, 4 },
	[CTA_IP_V4_DST] = { MNL_TYPE_BINARY, 4 },
	[CTA_IP_V6_SRC] = { MNL_TYPE_BINARY, 16 },
	[CTA_IP_V6_DST] = { MNL_TYPE_BINARY, 16 },
};

static const struct ct_pol ct_pol_proto[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = { MNL_TYPE_U8, 0 },
	[CTA_PROTO_SRC_PORT] = { MNL_TYPE_U16, 0 },
	[CTA_PROTO_DST_PORT] = { MNL_TYPE_U16, 0 },
	[CTA_PROTO_ICMP_ID] = { MNL_TYPE_U16, 0 },
	[CTA_PROTO_ICMP_TYPE] = { MNL_TYPE_U8, 0 },
	[CTA_PROTO_ICMP_CODE] = { MNL_TYPE_U8, 0 },
	[CTA_PROTO_ICMPV6_ID] = { MNL_TYPE_U16, 0 },
	[CTA_PROTO_ICMPV6_TYPE] = { MNL_TYPE_U8, 0 },
	[CTA_PROTO_ICMPV6_CODE] = { MNL_TYPE_U8, 0 },
};

static const struct ct_pol ct_pol_protoinfo[CTA_PROTOINFO_MAX + 1] = {
	[CTA_PROTOINFO_TCP] = { MNL_TYPE_NESTED, 0 },
};

static const struct ct_pol ct_pol_tcp[CTA_PROTOINFO_TCP_MAX + 1] = {
	[CTA_PROTOINFO_TCP_STATE] = { MNL_TYPE_U8, 0 },
};

static int ct_parse_ip(const struct nlattr *nest, struct fg_ct_tuple *t)
{
	const struct nlattr *tb[CTA_IP_MAX + 1];
	int v6 = t->family == AF_INET6;
	int src = v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC;
	int dst = v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST;
	int err;

	err = ct_parse_nested(nest, ct_pol_ip, CTA_IP_MAX, tb);
	if (err)
		return err;
	if (!tb[src] || !tb[dst])
		return -EBADMSG;
	memcpy(t->saddr, mnl_attr_get_payload(tb[src]), v6 ? 16 : 4);
	memcpy(t->daddr, mnl_attr_get_payload(tb[dst]), v6 ? 16 : 4);
	return 0;
}

static void ct_parse_icmp(const struct nlattr **tb, int id, int type,
			  int code, struct fg_ct_tuple *t)
{
	uint8_t ty = 0, co = 0;

	if (tb[id])
		t->sport = mnl_attr_get_u16(tb[id]);
	if (tb[type])
		ty = mnl_attr_get_u8(tb[type]);
	if (tb[code])
		co = mnl_attr_get_u8(tb[code]);
	t->dport = FG_CT_ICMP(ty, co);
}

static int ct_parse_proto(const struct nlattr *nest, struct fg_ct_tuple *t)
{
	const struct nlattr *tb[CTA_PROTO_MAX + 1];
	int err;

	err = ct_parse_nested(nest, ct_pol_proto, CTA_PROTO_MAX, tb);
	if (err)
		return err;
	if (!tb[CTA_PROTO_NUM])
		return -EBADMSG;
	t->l4proto = mnl_attr_get_u8(tb[CTA_PROTO_NUM]);
	if (t->l4proto == IPPROTO_ICMP)
		ct_parse_icmp(tb, CTA_PROTO_ICMP_ID, CTA_PROTO_ICMP_TYPE,
			      CTA_PROTO_ICMP_CODE, t);
	else if (t->l4proto == IPPROTO_ICMPV6)
		ct_parse_icmp(tb, CTA_PROTO_ICMPV6_ID, CTA_PROTO_ICMPV6_TYPE,
			      CTA_PROTO_ICMPV6_CODE, t);
	if (tb[CTA_PROTO_SRC_PORT])
		t->sport = mnl_attr_get_u16(tb[CTA_PROTO_SRC_PORT]);
	if (tb[CTA_PROTO_DST_PORT])
		t->dport = mnl_attr_get_u16(tb[CTA_PROTO_DST_PORT]);
	return 0;
}

static int ct_parse_tuple(const struct nlattr *nest, uint8_t family,
			  struct fg_ct_tuple *t)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1];
	int err;

	err = ct_parse_nested(nest, ct_pol_tuple, CTA_TUPLE_MAX, tb);
	if (err)
		return err;
	if (!tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO])
		return -EBADMSG;
	t->family = family;
	err = ct_parse_ip(tb[CTA_TUPLE_IP], t);
	if (err)
		return err;
	return ct_parse_proto(tb[CTA_TUPLE_PROTO], t);
}

static int ct_parse_protoinfo(const struct nlattr *nest, struct fg_ct_entry *e)
{
	const struct nlattr *tb[CTA_PROTOINFO_MAX + 1];
	const struct nlattr *tcp[CTA_PROTOINFO_TCP_MAX + 1];
	int err;

	err = ct_parse_nested(nest, ct_pol_protoinfo, CTA_PROTOINFO_MAX, tb);
	if (err || !tb[CTA_PROTOINFO_TCP])
		return err;
	err = ct_parse_nested(tb[CTA_PROTOINFO_TCP], ct_pol_tcp,
			      CTA_PROTOINFO_TCP_MAX, tcp);
	if (err)
		return err;
	if (tcp[CTA_PROTOINFO_TCP_STATE])
		e->tcp_state = mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
	return 0;
}

static uint64_t ct_get_be64(const struct nlattr *a)
{
	return a ? be64toh(mnl_attr_get_u64(a)) : 0;
}

/* One direction's CTA_COUNTERS_* nest (accounting on). */
static int ct_parse_counters(const struct nlattr *nest, struct fg_ct_entry *e,
			     int dir)
{
	const struct nlattr *tb[CTA_COUNTERS_MAX + 1];
	int err;

	err = ct_parse_nested(nest, ct_pol_counters, CTA_COUNTERS_MAX, tb);
	if (err)
		return err;
	e->has_counters = 1;
	e->packets[dir] = ct_get_be64(tb[CTA_COUNTERS_PACKETS]);
	e->bytes[dir] = ct_get_be64(tb[CTA_COUNTERS_BYTES]);
	return 0;
}

static uint32_t ct_get_be32(const struct nlattr *a)
{
	return a ? ntohl(mnl_attr_get_u32(a)) : 0;
}

static int ct_parse_entry(const struct nlmsghdr *nlh, struct fg_ct_entry *e)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[CTA_MAX + 1] = { NULL };
	struct ct_tb p = { .tb = tb, .pol = ct_pol_top, .max = CTA_MAX };
	int err;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)) ||
	    !ct_family_ok(nfg->nfgen_family))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*nfg), ct_attr_cb, &p) < 0)
		return -EBADMSG;
	if (!tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY])
		return -EBADMSG;
	err = ct_parse_tuple(tb[CTA_TUPLE_ORIG], nfg->nfgen_family, &e->orig);
	if (!err)
		err = ct_parse_tuple(tb[CTA_TUPLE_REPLY], nfg->nfgen_family,
				     &e->reply);
	if (!err && tb[CTA_PROTOINFO])
		err = ct_parse_protoinfo(tb[CTA_PROTOINFO], e);
	if (!err && tb[CTA_COUNTERS_ORIG])
		err = ct_parse_counters(tb[CTA_COUNTERS_ORIG], e, 0);
	if (!err && tb[CTA_COUNTERS_REPLY])
		err = ct_parse_counters(tb[CTA_COUNTERS_REPLY], e, 1);
	if (err)
		return err;
	e->timeout = ct_get_be32(tb[CTA_TIMEOUT]);
	e->mark = ct_get_be32(tb[CTA_MARK]);
	e->id = ct_get_be32(tb[CTA_ID]);
	e->status = ct_get_be32(tb[CTA_STATUS]);
	if (tb[CTA_ZONE])
		e->zone = ntohs(mnl_attr_get_u16(tb[CTA_ZONE]));
	return 0;
}

int fg_ct_parse_msg(const void *buf, size_t len, struct fg_ct_entry *e)
{
	const struct nlmsghdr *nlh = buf;

	memset(e, 0, sizeof(*e));
	/* the same checks as the walk over a received buffer */
	if (len > INT32_MAX || !ct_nlmsg_ok(nlh, (int)len) ||
	    nlh->nlmsg_type >> 8 != NFNL_SUBSYS_CTNETLINK)
		return -EBADMSG;
	return ct_parse_entry(nlh, e);
}

/* ---- batches: get, delete, create ---- */

#define CT_PENDING 1 /* res[] of a message with no answer yet */

/* n messages of one kind, as many per sendmsg() as fit. Only the last of
 * each sendmsg() asks for an ACK: the kernel answers every message in
 * order and reports every error, so that ACK ends the batch, and a message
 * without an answer of its own succeeded. */
struct ct_many {
	size_t n;
	int *res;  /* n results: 0 or -errno */
	int quiet; /* result of a message the kernel did not answer */
	/* builds message i into buf (CT_MSG_MAX bytes): 0, or -errno and
	 * message i is not sent (that is its result) */
	int (*put)(struct nlmsghdr **nlh, char *buf, size_t i, uint32_t seq,
		   const void *arg);
	const void *put_arg;
	int (*cb)(const struct nlmsghdr *nlh, size_t idx, void *arg);
	void *cb_arg;
};

/* 0 when every message was answered (res[] says how), else the socket
 * error that cut the batch short (also in res[] of the unanswered). */
static int ct_many_run(struct fg_ct *ct, const struct ct_many *m)
{
	struct nlmsghdr *nlh, *last;
	size_t map[CT_BATCH_MAX]; /* message -> i */
	size_t done = 0, i, off;
	uint32_t nmsg;
	int err = 0;

	for (i = 0; i < m->n; i++)
		m->res[i] = CT_PENDING;
	while (done < m->n) {
		struct ct_rx rx = { .cb = m->cb, .arg = m->cb_arg,
				    .res = m->res, .map = map };

		rx.lo = ct->seq + 1;
		last = NULL;
		for (i = done, off = 0, nmsg = 0; i < m->n &&
		     nmsg < CT_BATCH_MAX && off + CT_MSG_MAX <= CT_TX_BUF; i++) {
			err = m->put(&nlh, ct->tx + off, i, ct->seq + 1,
				     m->put_arg);
			if (err) {
				m->res[i] = err;
				continue;
			}
			ct_next_seq(ct);
			map[nmsg++] = i;
			off += nlh->nlmsg_len;
			last = nlh;
		}
		err = 0;
		if (!last) { /* nothing of this round could be built */
			done = i;
			continue;
		}
		last->nlmsg_flags |= NLM_F_ACK;
		rx.hi = ct->seq;
		err = ct_exchange(ct, off, nmsg, &rx);
		if (!rx.done) {
			err = err ? err : -EIO;
			break;
		}
		err = 0;
		done = i;
	}
	for (i = 0; i < m->n; i++)
		if (m->res[i] == CT_PENDING)
			m->res[i] = i < done ? m->quiet : err;
	return err;
}

/* Runs m unless a request was bad (-EINVAL, nothing sent) or there is
 * no socket; m->res is filled in every case (when there is one). */
static int ct_many_checked(struct fg_ct *ct, const struct ct_many *m, int bad)
{
	size_t i;
	int err;

	if (!m->n)
		return 0;
	if (!m->res)
		return -EINVAL;
	err = bad ? -EINVAL : ct_ready(ct);
	if (!err)
		return ct_many_run(ct, m);
	for (i = 0; i < m->n; i++)
		m->res[i] = err;
	return err;
}

static int ct_get_valid(const struct fg_ct_query *q)
{
	return ct_family_ok(q->t.family) &&
	       (q->dir == FG_CT_ORIG || q->dir == FG_CT_REPLY);
}

static int ct_put_get(struct nlmsghdr **nlh, char *buf, size_t i,
		      uint32_t seq, const void *arg)
{
	const struct fg_ct_query *q = (const struct fg_ct_query *)arg + i;
	struct nf_conntrack *o = nfct_new();
	int err;

	if (!o)
		return -ENOMEM;
	/* always as the original tuple, whatever q->dir: the library puts
	 * no reply tuple without an original one, and the kernel matches
	 * either attribute against both directions (FACTS.md) */
	fg_ct_obj_set_tuple(o, &q->t);
	if (q->zone)
		nfct_set_attr_u16(o, ATTR_ZONE, q->zone);
	err = ct_msg_build(nlh, buf, IPCTNL_MSG_CT_GET, 0, q->t.family, seq,
			   o);
	nfct_destroy(o);
	return err;
}

struct ct_get_ctx {
	struct fg_ct_entry *out;
	int *res;
};

static int ct_get_cb(const struct nlmsghdr *nlh, size_t idx, void *arg)
{
	struct ct_get_ctx *g = arg;

	/* a bad answer spoils that one lookup, not the batch */
	g->res[idx] = ct_parse_entry(nlh, &g->out[idx]);
	return 0;
}

int fg_ct_get_many(struct fg_ct *ct, const struct fg_ct_query *q, size_t n,
		   struct fg_ct_entry *out, int *res)
{
	struct ct_get_ctx g = { .out = out, .res = res };
	struct ct_many m = { .n = n, .res = res, .quiet = -EBADMSG,
			     .put = ct_put_get, .put_arg = q,
			     .cb = ct_get_cb, .cb_arg = &g };
	size_t i;
	int bad = !q || !out;

	for (i = 0; i < n && !bad; i++)
		bad = !ct_get_valid(&q[i]);
	return ct_many_checked(ct, &m, bad);
}

int fg_ct_get(struct fg_ct *ct, const struct fg_ct_tuple *t,
	      enum fg_ct_tuple_dir dir, uint16_t zone, struct fg_ct_entry *out)
{
	struct fg_ct_query q = { .dir = dir, .zone = zone };
	int res, err;

	if (!t)
		return -EINVAL;
	q.t = *t;
	err = fg_ct_get_many(ct, &q, 1, out, &res);
	return err ? err : res;
}

static int ct_put_delete(struct nlmsghdr **nlh, char *buf, size_t i,
			 uint32_t seq, const void *arg)
{
	const struct fg_ct_entry *e = (const struct fg_ct_entry *)arg + i;
	struct nf_conntrack *o = nfct_new();
	int err;

	if (!o)
		return -ENOMEM;
	fg_ct_obj_set_tuple(o, &e->orig);
	if (e->zone)
		nfct_set_attr_u16(o, ATTR_ZONE, e->zone);
	err = ct_msg_build(nlh, buf, IPCTNL_MSG_CT_DELETE, 0, e->orig.family,
			   seq, o);
	nfct_destroy(o);
	/* 1.0.9's nfct_nlmsg_build() leaves ATTR_ID out (checked): without
	 * it the delete takes whatever entry holds the tuple now */
	if (!err)
		mnl_attr_put_u32(*nlh, CTA_ID, htonl(e->id));
	return err;
}

int fg_ct_delete_many(struct fg_ct *ct, const struct fg_ct_entry *e, size_t n,
		      int *res)
{
	struct ct_many m = { .n = n, .res = res, .put = ct_put_delete,
			     .put_arg = e };
	size_t i;
	int bad = !e;

	for (i = 0; i < n && !bad; i++)
		bad = !ct_family_ok(e[i].orig.family);
	return ct_many_checked(ct, &m, bad);
}

int fg_ct_delete_entry(struct fg_ct *ct, const struct fg_ct_entry *e)
{
	int res, err;

	err = fg_ct_delete_many(ct, e, 1, &res);
	return err ? err : res;
}

/* ---- flush ---- */

static int ct_filter_ok(uint8_t family, uint32_t mark, uint32_t mask)
{
	if (family != AF_UNSPEC && !ct_family_ok(family))
		return 0;
	return !(mark & ~mask);
}

/* CTA_MARK + CTA_MARK_MASK by the library's dump filter (only the two
 * attributes: the request itself is ours, never NFCT_Q_FLUSH_FILTER).
 * -EPROTO unless both went in: a DELETE without them empties the table. */
static int ct_put_mark_filter(struct nlmsghdr *nlh, uint32_t mark,
			      uint32_t mask)
{
	struct nfct_filter_dump_mark fm = { .val = mark, .mask = mask };
	struct nfct_filter_dump *f = nfct_filter_dump_create();
	uint32_t len = nlh->nlmsg_len;
	int err = 0;

	if (!f)
		return -ENOMEM;
	nfct_filter_dump_set_attr(f, NFCT_FILTER_DUMP_MARK, &fm);
	if (nfct_nlmsg_build_filter(nlh, f) < 0 ||
	    nlh->nlmsg_len != len + 2 * MNL_ALIGN(sizeof(struct nlattr) + sizeof(uint32_t)))
		err = -EPROTO;
	nfct_filter_dump_destroy(f);
	return err;
}

int fg_ct_flush_mark(struct fg_ct *ct, uint8_t family, uint32_t mark,
		     uint32_t mask)
{
	struct ct_rx rx = { 0 };
	struct nlmsghdr *nlh;
	uint8_t version;
	int err;

	/* Seatbelts: without a mask (or without CTA_MARK_MASK on an old
	 * kernel) this request empties the whole table. */
	if (!mask || !ct_filter_ok(family, mark, mask))
		return -EINVAL;
	err = ct_ready(ct);
	if (err)
		return err;
	/* version 0 makes the kernel ignore the family (old conntrack
	 * tools sent AF_INET and meant everything) */
	version = family == AF_UNSPEC ? NFNETLINK_V0 : CT_NFNL_V1;
	rx.lo = rx.hi = ct_next_seq(ct);
	nlh = ct_msg(ct->tx, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, family, version,
		     rx.hi);
	err = ct_put_mark_filter(nlh, mark, mask);
	if (err)
		return err;
	return ct_exchange(ct, nlh->nlmsg_len, 1, &rx);
}

/* ---- dump ---- */

struct ct_dump_ctx {
	int (*cb)(const struct fg_ct_entry *e, void *arg);
	void *arg;
};

static int ct_dump_cb(const struct nlmsghdr *nlh, size_t idx, void *arg)
{
	struct ct_dump_ctx *d = arg;
	struct fg_ct_entry e;
	int err;

	(void)idx;
	err = ct_parse_entry(nlh, &e);
	if (err)
		return err;
	return d->cb(&e, d->arg);
}

/* The kernel-filtered dump; cb gets each raw message. */
static int ct_dump_raw(struct fg_ct *ct, uint8_t family, uint32_t mark,
		       uint32_t mask,
		       int (*cb)(const struct nlmsghdr *nlh, size_t idx,
				 void *arg),
		       void *arg)
{
	struct ct_rx rx = { .cb = cb, .arg = arg };
	struct nlmsghdr *nlh;
	int err;

	if (!ct_filter_ok(family, mark, mask))
		return -EINVAL;
	err = ct_ready(ct);
	if (err)
		return err;
	rx.lo = rx.hi = ct_next_seq(ct);
	nlh = ct_msg(ct->tx, IPCTNL_MSG_CT_GET, NLM_F_DUMP, family,
		     NFNETLINK_V0, rx.hi);
	if (mask) {
		err = ct_put_mark_filter(nlh, mark, mask);
		if (err)
			return err;
	}
	return ct_exchange(ct, nlh->nlmsg_len, 1, &rx);
}

int fg_ct_dump(struct fg_ct *ct, uint8_t family, uint32_t mark, uint32_t mask,
	       int (*cb)(const struct fg_ct_entry *e, void *arg), void *arg)
{
	struct ct_dump_ctx d = { .cb = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return ct_dump_raw(ct, family, mark, mask, ct_dump_cb, &d);
}

struct ct_text_ctx {
	int (*cb)(const struct fg_ct_entry *e, const char *line, void *arg);
	void *arg;
};

/* Our parse first (the entry, and a malformed message refused); then the
 * library's, only for its text. It exits on what it finds malformed
 * (see parsing above): acceptable in the one-shot `list`, never in the
 * service, which does not print this way. */
static int ct_text_cb(const struct nlmsghdr *nlh, size_t idx, void *arg)
{
	struct ct_text_ctx *c = arg;
	char line[FG_CT_LINE_MAX];
	struct nf_conntrack *o;
	struct fg_ct_entry e;
	int err;

	(void)idx;
	err = ct_parse_entry(nlh, &e);
	if (err)
		return err;
	o = nfct_new();
	if (!o)
		return -ENOMEM;
	if (nfct_nlmsg_parse(nlh, o) < 0 ||
	    nfct_snprintf(line, sizeof(line), o, NFCT_T_UNKNOWN,
			  NFCT_O_DEFAULT, NFCT_OF_SHOW_LAYER3) < 0)
		err = -EBADMSG;
	nfct_destroy(o);
	return err ? err : c->cb(&e, line, c->arg);
}

int fg_ct_dump_text(struct fg_ct *ct, uint8_t family, uint32_t mark,
		    uint32_t mask,
		    int (*cb)(const struct fg_ct_entry *e, const char *line,
			      void *arg),
		    void *arg)
{
	struct ct_text_ctx c = { .cb = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return ct_dump_raw(ct, family, mark, mask, ct_text_cb, &c);
}

/* Counting needs no parse: each answer of a dump is one entry. Parsing
 * doubled the cost of a 100,000-entry count. */
static int ct_count_cb(const struct nlmsghdr *nlh, size_t idx, void *arg)
{
	(void)idx;
	if ((nlh->nlmsg_type & 0xff) == IPCTNL_MSG_CT_NEW)
		(*(uint64_t *)arg)++;
	return 0;
}

int fg_ct_count(struct fg_ct *ct, uint8_t family, uint32_t mark, uint32_t mask,
		uint64_t *count)
{
	uint64_t n = 0;
	int err;

	if (!count)
		return -EINVAL;
	err = ct_dump_raw(ct, family, mark, mask, ct_count_cb, &n);
	*count = n;
	return err;
}

struct ct_brief_ctx {
	int (*cb)(const struct fg_ct_brief *b, void *arg);
	void *arg;
};

/* The first attribute of type in a nest (or the message's top level),
 * length-checked by mnl's iterator only. */
static const struct nlattr *ct_attr_find(const struct nlattr *nest,
					 uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static int ct_brief_cb(const struct nlmsghdr *nlh, size_t idx, void *arg)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct ct_brief_ctx *c = arg;
	const struct nlattr *a, *orig = NULL, *proto = NULL;
	struct fg_ct_brief b = { .family = nfg->nfgen_family };

	(void)idx;
	if ((nlh->nlmsg_type & 0xff) != IPCTNL_MSG_CT_NEW)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*nfg)) {
		uint16_t type = mnl_attr_get_type(a);

		if (type == CTA_MARK && mnl_attr_get_payload_len(a) >= 4)
			b.mark = ntohl(mnl_attr_get_u32(a));
		else if (type == CTA_STATUS && mnl_attr_get_payload_len(a) >= 4)
			b.status = ntohl(mnl_attr_get_u32(a));
		else if (type == CTA_TUPLE_ORIG)
			orig = a;
	}
	if (orig)
		proto = ct_attr_find(orig, CTA_TUPLE_PROTO);
	a = proto ? ct_attr_find(proto, CTA_PROTO_NUM) : NULL;
	if (!a || mnl_attr_get_payload_len(a) < 1)
		return -EBADMSG;
	b.l4proto = mnl_attr_get_u8(a);
	return c->cb(&b, c->arg);
}

int fg_ct_dump_brief(struct fg_ct *ct, uint8_t family, uint32_t mark,
		     uint32_t mask,
		     int (*cb)(const struct fg_ct_brief *b, void *arg),
		     void *arg)
{
	struct ct_brief_ctx c = { .cb = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return ct_dump_raw(ct, family, mark, mask, ct_brief_cb, &c);
}

/* ---- create ---- */

static int ct_entry_ok(const struct fg_ct_entry *e)
{
	return ct_family_ok(e->orig.family) &&
	       e->reply.family == e->orig.family &&
	       e->reply.l4proto == e->orig.l4proto;
}

struct ct_create_arg {
	const struct fg_ct_entry *e;
	uint32_t timeout_s;
};

static int ct_put_create(struct nlmsghdr **nlh, char *buf, size_t i,
			 uint32_t seq, const void *arg)
{
	const struct ct_create_arg *a = arg;
	struct nf_conntrack *o = nfct_new();
	int err;

	if (!o)
		return -ENOMEM;
	fg_ct_obj_set_new(o, &a->e[i]);
	nfct_set_attr_u32(o, ATTR_TIMEOUT, a->timeout_s);
	err = ct_msg_build(nlh, buf, IPCTNL_MSG_CT_NEW,
			   NLM_F_CREATE | NLM_F_EXCL, a->e[i].orig.family, seq,
			   o);
	nfct_destroy(o);
	return err;
}

int fg_ct_create_many(struct fg_ct *ct, const struct fg_ct_entry *e, size_t n,
		      uint32_t timeout_s, size_t *failed)
{
	struct ct_create_arg a = { .e = e, .timeout_s = timeout_s };
	struct ct_many m = { .n = n, .put = ct_put_create, .put_arg = &a };
	size_t nerr = 0, i;
	int err, first = 0;

	if (failed)
		*failed = 0;
	if ((!e && n) || !timeout_s)
		return -EINVAL;
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (!ct_entry_ok(&e[i]))
			return -EINVAL;
	err = ct_ready(ct);
	if (err)
		return err;
	m.res = calloc(n, sizeof(*m.res));
	if (!m.res)
		return -ENOMEM;
	err = ct_many_run(ct, &m);
	for (i = 0; i < n; i++) {
		if (!m.res[i])
			continue;
		nerr++;
		if (!first)
			first = m.res[i];
	}
	free(m.res);
	if (failed)
		*failed = nerr;
	return err ? err : first;
}

int fg_ct_create(struct fg_ct *ct, const struct fg_ct_entry *e,
		 uint32_t timeout_s)
{
	if (!e)
		return -EINVAL;
	return fg_ct_create_many(ct, e, 1, timeout_s, NULL);
}

/* ---- helpers ---- */

long long fg_ct_table_count(void)
{
	char buf[32], *end;
	long long v, ret;
	ssize_t n;
	int fd;

	fd = open(CT_PROC_COUNT, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	buf[n] = '\0';
	v = strtoll(buf, &end, 10);
	ret = (end == buf || v < 0) ? -EBADMSG : v;
out:
	close(fd);
	return ret;
}

static const char *ct_proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	}
	return NULL;
}

static int ct_has_ports(uint8_t p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_UDPLITE ||
	       p == IPPROTO_SCTP || p == IPPROTO_DCCP;
}

/* "addr", "addr:port" or "[addr]:port" */
static void ct_fmt_ep(char *out, size_t len, const struct fg_ct_tuple *t,
		      const uint8_t *addr, uint16_t port, int with_port)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(t->family, addr, a, sizeof(a)))
		strcpy(a, "?");
	if (!with_port)
		snprintf(out, len, "%s", a);
	else if (t->family == AF_INET6)
		snprintf(out, len, "[%s]:%u", a, (unsigned int)ntohs(port));
	else
		snprintf(out, len, "%s:%u", a, (unsigned int)ntohs(port));
}

int fg_ct_tuple_fmt(const struct fg_ct_tuple *t, char *buf, size_t len)
{
	char src[64], dst[64], proto[16], extra[40] = "";
	int ports, n;

	if (!t || !buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	if (!ct_family_ok(t->family))
		return -EINVAL;
	if (ct_proto_name(t->l4proto))
		snprintf(proto, sizeof(proto), "%s", ct_proto_name(t->l4proto));
	else
		snprintf(proto, sizeof(proto), "proto %u", t->l4proto);
	ports = ct_has_ports(t->l4proto);
	ct_fmt_ep(src, sizeof(src), t, t->saddr, t->sport, ports);
	ct_fmt_ep(dst, sizeof(dst), t, t->daddr, t->dport, ports);
	if (ct_is_icmp(t->l4proto))
		snprintf(extra, sizeof(extra), " id %u type %u code %u",
			 (unsigned int)ntohs(t->sport),
			 FG_CT_ICMP_TYPE(t->dport), FG_CT_ICMP_CODE(t->dport));
	n = snprintf(buf, len, "%s %s -> %s%s", proto, src, dst, extra);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENOSPC : 0;
}
