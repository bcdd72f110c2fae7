// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_fuzzseeds - write the binary seeds of the fuzz corpora
 * (tests/fuzz/corpus/NAME/), made by the project's own structs and
 * builders, or taken from the kernel:
 *
 *   fg_fuzzseeds ct DIR      the conntrack table of the current network
 *                            namespace as the kernel dumps it: each message
 *                            alone (DIR/ct-N) and each receive buffer
 *                            whole (DIR/buf-N)
 *   fg_fuzzseeds event DIR   ring-buffer records as the guard fills them
 *   fg_fuzzseeds ctl DIR     requests, a GO and answers of the control socket
 *   fg_fuzzseeds seg DIR     TCP segments as LAN hosts send them (fg_seg_build)
 *
 * tests/fuzz/gen-seeds.sh runs it; the seeds are kept in the tree.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "ctl.h"
#include "flowguard.h"
#include "reset_tcpseg.h"

static int put_file(const char *dir, const char *name, const void *p,
		    size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	ok = fwrite(p, 1, len, f) == len;
	ok = !fclose(f) && ok;
	if (!ok)
		perror(path);
	return ok ? 0 : -1;
}

/* ---- ct: one dump of the whole table, every family ---- */

static int ct_seeds(const char *dir)
{
	static char buf[64 * 1024];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned int seq = (unsigned int)time(NULL), portid;
	int nmsg = 0, nbuf = 0, rc = -1, done = 0;
	char name[32];

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("sendto");
		goto out;
	}
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int len = (int)n;

		if (n <= 0) {
			perror("recv");
			goto out;
		}
		snprintf(name, sizeof(name), "buf-%d", nbuf++);
		if (put_file(dir, name, buf, (size_t)n))
			goto out;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (!mnl_nlmsg_portid_ok(nlh, portid) ||
			    nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			snprintf(name, sizeof(name), "ct-%d", nmsg++);
			if (put_file(dir, name, nlh, nlh->nlmsg_len))
				goto out;
		}
	}
	printf("%d messages in %d buffers\n", nmsg, nbuf);
	rc = nmsg ? 0 : -1;
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

/* ---- event ---- */

static struct fg_event ev_make(int family, uint8_t proto, const char *src,
			       uint16_t sport, const char *dst, uint16_t dport,
			       uint32_t mark, uint8_t source)
{
	struct fg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = 123456789012ull;
	ev.family = (uint8_t)family;
	ev.l4proto = proto;
	inet_pton(family, src, ev.saddr);
	inet_pton(family, dst, ev.daddr);
	ev.sport = htons(sport);
	ev.dport = htons(dport);
	ev.mark = mark;
	ev.ifindex = 3;
	ev.ingress_ifindex = 2;
	ev.source = source;
	ev.ct_dir = source == FG_SRC_CT ? FG_DIR_ORIGINAL : FG_DIR_UNKNOWN;
	if (proto == IPPROTO_TCP) {
		ev.tcp_seq = htonl(0x11223344);
		ev.tcp_ack = htonl(0x55667788);
		ev.tcp_flags = FG_TCP_ACK;
	}
	return ev;
}

static int event_seeds(const char *dir)
{
	struct fg_event ev[6];
	char name[32];
	size_t i;

	ev[0] = ev_make(AF_INET, IPPROTO_TCP, "192.168.1.10", 40000,
			"198.51.100.7", 443, 0x100, FG_SRC_CT);
	ev[1] = ev_make(AF_INET6, IPPROTO_TCP, "2001:db8:1::10", 40001,
			"2001:db8:ff::7", 22, 0x200, FG_SRC_CT);
	ev[1].ct_dir = FG_DIR_REPLY;
	ev[2] = ev_make(AF_INET, IPPROTO_UDP, "203.0.113.2", 51000,
			"198.51.100.53", 53, 0x300, FG_SRC_PKT);
	ev[3] = ev_make(AF_INET, IPPROTO_ICMP, "192.168.1.10", 7,
			"198.51.100.7", 0, 0x100, FG_SRC_CT);
	ev[3].dport = htons(8 << 8); /* echo request, code 0 */
	ev[4] = ev_make(AF_INET6, IPPROTO_ICMPV6, "2001:db8:1::10", 9,
			"2001:db8:ff::7", 0, 0x200, FG_SRC_CT);
	ev[4].dport = htons(128 << 8);
	ev[5] = ev_make(AF_INET, IPPROTO_TCP, "192.168.1.11", 40100,
			"198.51.100.8", 443, 0, FG_SRC_PKT);
	ev[5].flags = FG_EV_MARK_UNKNOWN;
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		snprintf(name, sizeof(name), "event-%zu", i);
		if (put_file(dir, name, &ev[i], sizeof(ev[i])))
			return -1;
	}
	return 0;
}

/* ---- ctl ---- */

static struct fg_ctl_req req_make(uint32_t cmd, const char *iface,
				  const char *dev)
{
	struct fg_ctl_req r;

	memset(&r, 0, sizeof(r));
	r.magic = FG_CTL_MAGIC;
	r.cmd = cmd;
	snprintf(r.iface, sizeof(r.iface), "%s", iface);
	snprintf(r.device, sizeof(r.device), "%s", dev);
	r.deadline_ns = 987654321000ull;
	return r;
}

static int ctl_seeds(const char *dir)
{
	static struct fg_ctl_resp resp;
	struct fg_ctl_req r;
	size_t n;

	r = req_make(FG_CTL_STATUS, "", "");
	if (put_file(dir, "req-status", &r, sizeof(r)))
		return -1;
	r = req_make(FG_CTL_DISCONNECTED, "wan", "eth1");
	if (put_file(dir, "req-disconnected", &r, sizeof(r)))
		return -1;
	r = req_make(FG_CTL_CONNECTED, "wanb_6", "");
	if (put_file(dir, "req-connected", &r, sizeof(r)))
		return -1;
	r = req_make(FG_CTL_GO, "", "");
	if (put_file(dir, "go", &r, sizeof(r)))
		return -1;
	memset(&resp, 0, sizeof(resp));
	resp.magic = FG_CTL_MAGIC;
	resp.flags = FG_CTL_F_INTERIM;
	if (put_file(dir, "resp-interim", &resp,
		     offsetof(struct fg_ctl_resp, text) + 1))
		return -1;
	resp.flags = 0;
	resp.values[0] = 12;
	n = (size_t)snprintf(resp.text, sizeof(resp.text),
			     "flowguard 1 mode ct policy reset\n"
			     "uplink wan eth1 mark 0x100 up\n"
			     "uplink wanb eth2 mark 0x300 down\n");
	if (put_file(dir, "resp-status", &resp,
		     offsetof(struct fg_ctl_resp, text) + n + 1))
		return -1;
	resp.status = -ENOENT;
	n = (size_t)snprintf(resp.text, sizeof(resp.text),
			     "interface 'wan9' is not in mwan3's config");
	return put_file(dir, "resp-error", &resp,
			offsetof(struct fg_ctl_resp, text) + n + 1);
}

/* ---- seg ---- */

static int seg_put(const char *dir, const char *name, int family,
		   const char *peer, uint16_t pport, const char *host,
		   uint16_t hport, uint8_t flags)
{
	struct fg_seg s;
	uint8_t pkt[FG_SEG_MAX];
	int n;

	memset(&s, 0, sizeof(s));
	s.t.family = (uint8_t)family;
	s.t.l4proto = IPPROTO_TCP;
	inet_pton(family, peer, s.t.saddr);
	inet_pton(family, host, s.t.daddr);
	s.t.sport = htons(pport);
	s.t.dport = htons(hport);
	s.seq = 0x01020304;
	s.ack = 0x0a0b0c0d;
	s.flags = flags;
	n = fg_seg_build(&s, pkt, sizeof(pkt));
	if (n < 0)
		return -1;
	return put_file(dir, name, pkt, (size_t)n);
}

static int seg_seeds(const char *dir)
{
	return seg_put(dir, "v4-ack", AF_INET, "192.168.1.10", 40000,
		       "198.51.100.7", 443, FG_TCP_ACK) ||
	       seg_put(dir, "v4-rst", AF_INET, "192.168.1.10", 40000,
		       "198.51.100.7", 443, FG_TCP_RST | FG_TCP_ACK) ||
	       seg_put(dir, "v6-ack", AF_INET6, "2001:db8:1::10", 40001,
		       "2001:db8:ff::7", 22, FG_TCP_ACK) ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *what = argc == 3 ? argv[1] : "";
	int rc;

	if (!strcmp(what, "ct"))
		rc = ct_seeds(argv[2]);
	else if (!strcmp(what, "event"))
		rc = event_seeds(argv[2]);
	else if (!strcmp(what, "ctl"))
		rc = ctl_seeds(argv[2]);
	else if (!strcmp(what, "seg"))
		rc = seg_seeds(argv[2]);
	else {
		fprintf(stderr, "usage: fg_fuzzseeds ct|event|ctl|seg DIR\n");
		return 2;
	}
	return rc ? 1 : 0;
}
