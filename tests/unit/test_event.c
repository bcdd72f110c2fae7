// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_event.c - ring-buffer events: size/family/source checks, the tuple
 * they carry, its inversion (ICMP included) and the log text. */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "event.h"
#include "unit.h"

static struct fg_event ev_make(int family, uint8_t proto, const char *src,
			       uint16_t sport, const char *dst, uint16_t dport)
{
	struct fg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = 42;
	ev.family = (uint8_t)family;
	ev.l4proto = proto;
	CHECK(inet_pton(family, src, ev.saddr) == 1);
	CHECK(inet_pton(family, dst, ev.daddr) == 1);
	ev.sport = htons(sport);
	ev.dport = htons(dport);
	ev.mark = 0x100;
	ev.ifindex = 3;
	ev.source = FG_SRC_CT;
	ev.ct_dir = FG_DIR_ORIGINAL;
	return ev;
}

static struct fg_ct_tuple icmp_tuple(int family, uint8_t type, uint8_t code,
				     uint16_t id)
{
	struct fg_ct_tuple t;
	int v6 = family == AF_INET6;

	memset(&t, 0, sizeof(t));
	t.family = (uint8_t)family;
	t.l4proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	CHECK(inet_pton(family, v6 ? "2001:db8::1" : "192.0.2.1", t.saddr) == 1);
	CHECK(inet_pton(family, v6 ? "2001:db8:2::7" : "198.51.100.7",
			t.daddr) == 1);
	t.sport = htons(id);
	t.dport = FG_CT_ICMP(type, code);
	return t;
}

static void test_check(void)
{
	unsigned char big[sizeof(struct fg_event) + 8];
	struct fg_event ev = ev_make(AF_INET, IPPROTO_TCP, "192.0.2.1", 1,
				     "198.51.100.7", 2);
	struct fg_event bad;

	CHECK(fg_event_check(&ev, sizeof(ev)) == 0);
	ev.source = FG_SRC_PKT;
	ev.ct_dir = FG_DIR_UNKNOWN;
	CHECK(fg_event_check(&ev, sizeof(ev)) == 0);
	ev = ev_make(AF_INET6, IPPROTO_UDP, "2001:db8::1", 1, "2001:db8::2", 2);
	CHECK(fg_event_check(&ev, sizeof(ev)) == 0);

	/* wrong sizes: short, long, empty */
	memset(big, 0, sizeof(big));
	memcpy(big, &ev, sizeof(ev));
	CHECK(fg_event_check(big, sizeof(ev) - 1) < 0);
	CHECK(fg_event_check(big, sizeof(ev) + 1) < 0);
	CHECK(fg_event_check(big, sizeof(big)) < 0);
	CHECK(fg_event_check(big, 0) < 0);
	CHECK(fg_event_check(big, 8) < 0);

	/* bad family */
	bad = ev;
	bad.family = 0;
	CHECK(fg_event_check(&bad, sizeof(bad)) < 0);
	bad.family = AF_UNIX;
	CHECK(fg_event_check(&bad, sizeof(bad)) < 0);
	bad.family = 255;
	CHECK(fg_event_check(&bad, sizeof(bad)) < 0);

	/* bad source */
	bad = ev;
	bad.source = 0;
	CHECK(fg_event_check(&bad, sizeof(bad)) < 0);
	bad.source = 3;
	CHECK(fg_event_check(&bad, sizeof(bad)) < 0);
	bad.source = 255;
	CHECK(fg_event_check(&bad, sizeof(bad)) < 0);
}

static void test_tuple_v4(void)
{
	struct fg_event ev = ev_make(AF_INET, IPPROTO_TCP, "192.0.2.1", 40000,
				     "198.51.100.7", 443);
	static const uint8_t s4[4] = { 192, 0, 2, 1 };
	static const uint8_t d4[4] = { 198, 51, 100, 7 };
	const uint8_t *sp, *dp;
	struct fg_ct_tuple t;

	memset(&t, 0xa5, sizeof(t));
	fg_event_tuple(&ev, &t);
	CHECK_EQ_U(t.family, AF_INET);
	CHECK_EQ_U(t.l4proto, IPPROTO_TCP);
	CHECK(memcmp(t.saddr, s4, 4) == 0);
	CHECK(memcmp(t.daddr, d4, 4) == 0);
	/* ports stay in wire order: the bytes are big-endian */
	sp = (const uint8_t *)&t.sport;
	dp = (const uint8_t *)&t.dport;
	CHECK_EQ_U(sp[0], 40000 >> 8);
	CHECK_EQ_U(sp[1], 40000 & 0xff);
	CHECK_EQ_U(dp[0], 443 >> 8);
	CHECK_EQ_U(dp[1], 443 & 0xff);
	CHECK_EQ_U(t.sport, ev.sport);
	CHECK_EQ_U(t.dport, ev.dport);
}

static void test_tuple_v6(void)
{
	struct fg_event ev = ev_make(AF_INET6, IPPROTO_UDP, "2001:db8::1", 5353,
				     "2001:db8:2::7", 53);
	uint8_t s6[16], d6[16];
	struct fg_ct_tuple t;

	inet_pton(AF_INET6, "2001:db8::1", s6);
	inet_pton(AF_INET6, "2001:db8:2::7", d6);
	fg_event_tuple(&ev, &t);
	CHECK_EQ_U(t.family, AF_INET6);
	CHECK_EQ_U(t.l4proto, IPPROTO_UDP);
	CHECK(memcmp(t.saddr, s6, 16) == 0);
	CHECK(memcmp(t.daddr, d6, 16) == 0);
	CHECK_EQ_U(t.sport, htons(5353));
	CHECK_EQ_U(t.dport, htons(53));
}

static void test_invert_ports(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	size_t i;

	for (i = 0; i < sizeof(protos); i++) {
		struct fg_event ev = ev_make(AF_INET, protos[i], "192.0.2.1",
					     40000, "198.51.100.7", 443);
		struct fg_ct_tuple t, r, rr;

		fg_event_tuple(&ev, &t);
		fg_tuple_invert(&t, &r);
		CHECK_EQ_U(r.family, AF_INET);
		CHECK_EQ_U(r.l4proto, protos[i]);
		CHECK(memcmp(r.saddr, t.daddr, 16) == 0);
		CHECK(memcmp(r.daddr, t.saddr, 16) == 0);
		CHECK_EQ_U(r.sport, htons(443));
		CHECK_EQ_U(r.dport, htons(40000));
		fg_tuple_invert(&r, &rr);
		CHECK(memcmp(&rr, &t, sizeof(t)) == 0);
	}
}

static void test_invert_v6_and_in_place(void)
{
	struct fg_event ev = ev_make(AF_INET6, IPPROTO_TCP, "2001:db8::1",
				     40000, "2001:db8:2::7", 443);
	struct fg_ct_tuple t, r;

	fg_event_tuple(&ev, &t);
	r = t;
	fg_tuple_invert(&r, &r); /* the reaper inverts in place */
	CHECK(memcmp(r.saddr, t.daddr, 16) == 0);
	CHECK(memcmp(r.daddr, t.saddr, 16) == 0);
	CHECK_EQ_U(r.sport, t.dport);
	CHECK_EQ_U(r.dport, t.sport);
	fg_tuple_invert(&r, &r);
	CHECK(memcmp(&r, &t, sizeof(t)) == 0);
}

/* ICMP type from..to and back again: addresses swap, the id stays in
 * sport, the code stays. */
static void check_icmp(int family, uint8_t from, uint8_t to)
{
	struct fg_ct_tuple t = icmp_tuple(family, from, 3, 0x1234), r, rr;

	fg_tuple_invert(&t, &r);
	CHECK_EQ_U(r.family, family);
	CHECK_EQ_U(r.l4proto, t.l4proto);
	CHECK(memcmp(r.saddr, t.daddr, 16) == 0);
	CHECK(memcmp(r.daddr, t.saddr, 16) == 0);
	CHECK_EQ_U(r.sport, htons(0x1234));
	if (FG_CT_ICMP_TYPE(r.dport) != to)
		printf("  %s type %u inverted to type %u, want %u\n",
		       family == AF_INET6 ? "icmpv6" : "icmp", from,
		       FG_CT_ICMP_TYPE(r.dport), to);
	CHECK_EQ_U(FG_CT_ICMP_TYPE(r.dport), to);
	CHECK_EQ_U(FG_CT_ICMP_CODE(r.dport), 3);
	fg_tuple_invert(&r, &rr);
	CHECK(memcmp(&rr, &t, sizeof(t)) == 0);
}

static void test_invert_icmp(void)
{
	/* echo, timestamp, information, address mask */
	check_icmp(AF_INET, 8, 0);
	check_icmp(AF_INET, 0, 8);
	check_icmp(AF_INET, 13, 14);
	check_icmp(AF_INET, 14, 13);
	check_icmp(AF_INET, 15, 16);
	check_icmp(AF_INET, 17, 18);
	check_icmp(AF_INET, 18, 17);
	/* no answer type: kept (destination unreachable, time exceeded) */
	check_icmp(AF_INET, 3, 3);
	check_icmp(AF_INET, 11, 11);
	check_icmp(AF_INET, 255, 255);
}

static void test_invert_icmpv6(void)
{
	check_icmp(AF_INET6, 128, 129);
	check_icmp(AF_INET6, 129, 128);
	/* unknown to conntrack's invmap: kept */
	check_icmp(AF_INET6, 1, 1);
	check_icmp(AF_INET6, 135, 135);
	check_icmp(AF_INET6, 8, 8); /* v4's echo number means nothing */
	check_icmp(AF_INET6, 0, 0);
}

/* The kernel's ICMPv6 invmap (nf_conntrack_proto_icmpv6.c): echo 128/129
 * and node information query/reply 139/140 only. MLD 130/131 are never
 * tracked (noct_valid_new), so they have no answer type. */
static void test_invert_icmpv6_as_conntrack(void)
{
	check_icmp(AF_INET6, 139, 140);
	check_icmp(AF_INET6, 140, 139);
	check_icmp(AF_INET6, 130, 130);
	check_icmp(AF_INET6, 131, 131);
}

/* The v4 table must not leak into v6 and the reverse. */
static void test_invert_icmp_family_tables(void)
{
	check_icmp(AF_INET, 128, 128);
	check_icmp(AF_INET, 129, 129);
}

static void check_fmt(const struct fg_event *ev, const char *want)
{
	char buf[256];
	int n;

	memset(buf, 'x', sizeof(buf));
	n = fg_event_fmt(ev, buf, sizeof(buf));
	CHECK_STR(buf, want);
	CHECK_EQ_U(n, strlen(want));
}

static void test_fmt(void)
{
	struct fg_event ev = ev_make(AF_INET, IPPROTO_TCP, "192.0.2.1", 40000,
				     "198.51.100.7", 443);

	check_fmt(&ev,
		  "tcp 192.0.2.1:40000 -> 198.51.100.7:443 mark 0x100 (ct, original)");
	ev.ct_dir = FG_DIR_REPLY;
	ev.mark = 0x3e00;
	check_fmt(&ev,
		  "tcp 192.0.2.1:40000 -> 198.51.100.7:443 mark 0x3e00 (ct, reply)");
	ev = ev_make(AF_INET, IPPROTO_UDP, "10.0.0.2", 5353, "203.0.113.100",
		     53);
	ev.source = FG_SRC_PKT;
	ev.ct_dir = FG_DIR_UNKNOWN;
	ev.mark = 0x200;
	check_fmt(&ev,
		  "udp 10.0.0.2:5353 -> 203.0.113.100:53 mark 0x200 (packet)");
	ev = ev_make(AF_INET6, IPPROTO_TCP, "2001:db8::1", 40000,
		     "2001:db8:2::7", 443);
	check_fmt(&ev,
		  "tcp [2001:db8::1]:40000 -> [2001:db8:2::7]:443 mark 0x100 (ct, original)");
	ev.source = FG_SRC_PKT;
	check_fmt(&ev,
		  "tcp [2001:db8::1]:40000 -> [2001:db8:2::7]:443 mark 0x100 (packet)");
	ev = ev_make(AF_INET, IPPROTO_ICMP, "192.0.2.1", 0, "198.51.100.7", 0);
	ev.sport = htons(7);
	ev.dport = FG_CT_ICMP(8, 0);
	check_fmt(&ev,
		  "icmp 192.0.2.1 -> 198.51.100.7 id 7 type 8 code 0 mark 0x100 (ct, original)");
}

static void test_fmt_too_small(void)
{
	struct fg_event ev = ev_make(AF_INET6, IPPROTO_TCP,
				     "2001:db8:1234:5678:9abc:def0:1234:5678",
				     40000, "2001:db8:2::7", 443);
	const char *full =
		"tcp [2001:db8:1234:5678:9abc:def0:1234:5678]:40000 -> [2001:db8:2::7]:443 mark 0x100 (ct, original)";
	char buf[200];
	size_t len = strlen(full), i, cut;

	/* every size up to the one that fits: -ENOSPC, a terminated prefix,
	 * not one byte written past the size given */
	for (cut = 1; cut <= len; cut++) {
		memset(buf, '#', sizeof(buf));
		CHECK(fg_event_fmt(&ev, buf, cut) == -ENOSPC);
		CHECK_EQ_U(buf[cut - 1], '\0');
		CHECK(strncmp(buf, full, cut - 1) == 0);
		for (i = cut; i < sizeof(buf); i++)
			if (buf[i] != '#')
				break;
		CHECK_EQ_U(i, sizeof(buf));
	}
	memset(buf, '#', sizeof(buf));
	CHECK(fg_event_fmt(&ev, buf, 0) == -ENOSPC);
	CHECK_EQ_U(buf[0], '#');
	CHECK(fg_event_fmt(&ev, buf, len + 1) == (int)len);
	CHECK_STR(buf, full);
}

int main(void)
{
	RUN(test_check);
	RUN(test_tuple_v4);
	RUN(test_tuple_v6);
	RUN(test_invert_ports);
	RUN(test_invert_v6_and_in_place);
	RUN(test_invert_icmp);
	RUN(test_invert_icmpv6);
	RUN(test_invert_icmpv6_as_conntrack);
	RUN(test_invert_icmp_family_tables);
	RUN(test_fmt);
	RUN(test_fmt_too_small);
	UNIT_EXIT();
}
