// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_layout_be.c - the guard's ring-buffer event as a big-endian kernel
 * (MIPS) writes it, decoded by the loader's decoder (event.c).
 *
 * What differs on a big-endian CPU: only the fields in the kernel's own
 * byte order (ts_ns, mark, ifindex, ingress_ifindex, zone). Addresses are
 * __u8 arrays and ports, TCP seq/ack are kept in wire order by the guard:
 * the same bytes on every CPU. A guard that converted a port
 * (bpf_ntohs) or stored a mark in wire order (bpf_htonl) would break
 * exactly this split: on a big-endian CPU such a bug is invisible for
 * marks and ports (the swaps are no-ops there) and visible here, where
 * the fixtures pin down the bytes each field has on both CPUs.
 *
 * The fixtures are byte arrays as each kernel writes them; to decode
 * one on this CPU, event_from_kernel() turns the kernel-order fields
 * into this CPU's order (on a big-endian loader that is a plain copy,
 * which is what the loader does: it reads the record as it is). The
 * layout (offsets, sizes) is include/fg_layout.h, asserted in every
 * compile of the guard and the loader. That the guard writes each field
 * in the order said here is checked on this (little-endian) kernel by
 * tests/kernel/test_verdict.c (check_event: ports and seq as on the wire,
 * mark and ifindex as numbers). */
#include <endian.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "event.h"
#include "unit.h"

/* The fields a kernel writes in its own byte order: offset, size. */
static const struct {
	size_t off, size;
} kernel_order[] = {
	{ offsetof(struct fg_event, ts_ns), 8 },
	{ offsetof(struct fg_event, mark), 4 },
	{ offsetof(struct fg_event, ifindex), 4 },
	{ offsetof(struct fg_event, ingress_ifindex), 4 },
	{ offsetof(struct fg_event, zone), 2 },
};
#define NR_KERNEL_ORDER (sizeof(kernel_order) / sizeof(kernel_order[0]))

/* TCP 192.0.2.1:40000 -> 198.51.100.7:443, seq 0x01020304, ack
 * 0x0a0b0c0d, mark 0x100 on ifindex 3 from ifindex 7, zone 0x0102 (a
 * value whose two bytes differ), ts 0x1122334455667788, flags PSH|ACK,
 * from the skb's ct entry, original direction; as a big-endian kernel's
 * guard writes it. */
static const uint8_t be_tcp[sizeof(struct fg_event)] = {
	/* 0 ts_ns */ 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	/* 8 saddr */ 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 24 daddr */ 198, 51, 100, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 40 tcp_seq */ 0x01, 0x02, 0x03, 0x04,
	/* 44 tcp_ack */ 0x0a, 0x0b, 0x0c, 0x0d,
	/* 48 mark */ 0x00, 0x00, 0x01, 0x00,
	/* 52 ifindex */ 0x00, 0x00, 0x00, 0x03,
	/* 56 ingress_ifindex */ 0x00, 0x00, 0x00, 0x07,
	/* 60 sport 40000 */ 0x9c, 0x40,
	/* 62 dport 443 */ 0x01, 0xbb,
	/* 64 zone */ 0x01, 0x02,
	/* 66 family, l4proto, tcp_flags, source, ct_dir, flags */
	AF_INET, IPPROTO_TCP, FG_TCP_ACK | 0x08, FG_SRC_CT, FG_DIR_ORIGINAL, 0,
};

/* The same event as a little-endian kernel writes it. */
static const uint8_t le_tcp[sizeof(struct fg_event)] = {
	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	198, 51, 100, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x01, 0x02, 0x03, 0x04,
	0x0a, 0x0b, 0x0c, 0x0d,
	0x00, 0x01, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00,
	0x07, 0x00, 0x00, 0x00,
	0x9c, 0x40,
	0x01, 0xbb,
	0x02, 0x01,
	AF_INET, IPPROTO_TCP, FG_TCP_ACK | 0x08, FG_SRC_CT, FG_DIR_ORIGINAL, 0,
};

/* An ICMPv6 echo request 2001:db8::1 -> 2001:db8:2::7, id 0x1234, from
 * the packet (skbmark mode, mark unknown: an offloaded packet), as a
 * big-endian kernel's guard writes it: conntrack's convention, the echo
 * id as sport and type, code as dport, both copied from the packet's
 * bytes (type first). */
static const uint8_t be_icmp6[sizeof(struct fg_event)] = {
	0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
	0, 0, 0, 0,
	0, 0, 0, 0,
	0, 0, 0, 0,
	0x00, 0x00, 0x00, 0x05,
	0, 0, 0, 0,
	/* sport: the echo id */ 0x12, 0x34,
	/* dport: type 128, code 0 */ 128, 0,
	0, 0,
	AF_INET6, IPPROTO_ICMPV6, 0, FG_SRC_PKT, FG_DIR_UNKNOWN,
	FG_EV_MARK_UNKNOWN,
};

/* The record a kernel of the given byte order wrote, as this CPU's
 * struct: the kernel-order fields converted, every other byte as is. */
static void event_from_kernel(const uint8_t *raw, int big_endian,
			      struct fg_event *ev)
{
	uint8_t *out = (uint8_t *)ev;
	size_t i, b;

	memcpy(ev, raw, sizeof(*ev));
	for (i = 0; i < NR_KERNEL_ORDER; i++) {
		size_t off = kernel_order[i].off, n = kernel_order[i].size;
		uint64_t v = 0;

		for (b = 0; b < n; b++) {
			size_t at = big_endian ? b : n - 1 - b;

			v = v << 8 | raw[off + at];
		}
		if (n == 8) {
			memcpy(out + off, &v, 8);
		} else if (n == 4) {
			uint32_t v32 = (uint32_t)v;

			memcpy(out + off, &v32, 4);
		} else {
			uint16_t v16 = (uint16_t)v;

			memcpy(out + off, &v16, 2);
		}
	}
}

static int is_kernel_order(size_t at)
{
	size_t i;

	for (i = 0; i < NR_KERNEL_ORDER; i++)
		if (at >= kernel_order[i].off &&
		    at < kernel_order[i].off + kernel_order[i].size)
			return 1;
	return 0;
}

/* Wire-order fields and __u8 arrays: the same bytes from either kernel;
 * the kernel-order fields: each one's bytes reversed. */
static void test_fixtures_differ_only_in_kernel_order(void)
{
	size_t at, i, b;

	for (at = 0; at < sizeof(be_tcp); at++)
		if (!is_kernel_order(at))
			CHECK_EQ_U(be_tcp[at], le_tcp[at]);
	for (i = 0; i < NR_KERNEL_ORDER; i++) {
		size_t off = kernel_order[i].off, n = kernel_order[i].size;

		for (b = 0; b < n; b++)
			CHECK_EQ_U(be_tcp[off + b], le_tcp[off + n - 1 - b]);
	}
}

static void test_decode_be_tcp(void)
{
	struct fg_event ev;
	struct fg_ct_tuple t;
	char buf[200];

	event_from_kernel(be_tcp, 1, &ev);
	CHECK_EQ_I(fg_event_check(&ev, sizeof(ev)), 0);
	CHECK_EQ_U(ev.ts_ns, 0x1122334455667788ULL);
	CHECK_EQ_U(ev.mark, 0x100);
	CHECK_EQ_U(ev.ifindex, 3);
	CHECK_EQ_U(ev.ingress_ifindex, 7);
	CHECK_EQ_U(ev.zone, 0x0102);
	CHECK_EQ_U(ntohs(ev.sport), 40000);
	CHECK_EQ_U(ntohs(ev.dport), 443);
	CHECK_EQ_U(ntohl(ev.tcp_seq), 0x01020304);
	CHECK_EQ_U(ntohl(ev.tcp_ack), 0x0a0b0c0d);
	CHECK_EQ_U(ev.tcp_flags, FG_TCP_ACK | 0x08);
	fg_event_tuple(&ev, &t);
	CHECK_EQ_U(t.family, AF_INET);
	CHECK_EQ_U(t.l4proto, IPPROTO_TCP);
	CHECK_EQ_U(ntohs(t.sport), 40000);
	CHECK_EQ_U(ntohs(t.dport), 443);
	CHECK(fg_event_fmt(&ev, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "tcp 192.0.2.1:40000 -> 198.51.100.7:443 mark 0x100 "
		       "(ct, original)");
}

/* Either kernel's record decodes to the same event. */
static void test_decode_le_same_event(void)
{
	struct fg_event be, le;

	event_from_kernel(be_tcp, 1, &be);
	event_from_kernel(le_tcp, 0, &le);
	CHECK(memcmp(&be, &le, sizeof(be)) == 0);
}

/* On this CPU's own kernel the loader reads the record as it is: the
 * fixture of this CPU's byte order is the struct, byte for byte. */
static void test_native_fixture_is_the_struct(void)
{
	struct fg_event ev;
	const uint8_t *native =
		__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? be_tcp : le_tcp;

	event_from_kernel(native, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__, &ev);
	CHECK(memcmp(&ev, native, sizeof(ev)) == 0);
}

static void test_decode_be_icmp6(void)
{
	struct fg_event ev;
	struct fg_ct_tuple t, r;
	char buf[200];

	event_from_kernel(be_icmp6, 1, &ev);
	CHECK_EQ_I(fg_event_check(&ev, sizeof(ev)), 0);
	CHECK_EQ_U(ev.mark, 0);
	CHECK_EQ_U(ev.ifindex, 5);
	CHECK_EQ_U(ev.flags, FG_EV_MARK_UNKNOWN);
	fg_event_tuple(&ev, &t);
	CHECK_EQ_U(FG_CT_ICMP_TYPE(t.dport), 128);
	CHECK_EQ_U(FG_CT_ICMP_CODE(t.dport), 0);
	CHECK_EQ_U(ntohs(t.sport), 0x1234);
	/* the answer's tuple: echo reply (129), the same id */
	fg_tuple_invert(&t, &r);
	CHECK_EQ_U(FG_CT_ICMP_TYPE(r.dport), 129);
	CHECK_EQ_U(ntohs(r.sport), 0x1234);
	CHECK(fg_event_fmt(&ev, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "2001:db8::1") && strstr(buf, "2001:db8:2::7"));
	CHECK(strstr(buf, "mark 0x0 (packet)") != NULL);
}

int main(void)
{
	RUN(test_fixtures_differ_only_in_kernel_order);
	RUN(test_decode_be_tcp);
	RUN(test_decode_le_same_event);
	RUN(test_native_fixture_is_the_struct);
	RUN(test_decode_be_icmp6);
	UNIT_EXIT();
}
