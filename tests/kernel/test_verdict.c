// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_verdict.c - the guards' verdicts on crafted Ethernet frames, run by
 * the real kernel through BPF_PROG_TEST_RUN.
 *
 * The tests run in a child process with its own network and mount
 * namespaces and its own bpffs (mounted on a mkdtemp folder the parent
 * removes; sandbox.h), so pins, devices and mounts vanish with the child,
 * whatever happens to it.
 *
 * What the kernel (6.18) takes from ctx_in (struct __sk_buff) for a
 * SCHED_CLS test run, checked in test_ctx_in_fields: mark, priority,
 * ingress_ifindex (-> skb_iif, not checked against any device), ifindex
 * (0 or 1: loopback; above 1 an existing device of the caller's netns,
 * else ENODEV); a field it does not take (protocol) is EINVAL. Frames
 * must hold the whole IP header their ethertype announces (6.18 refuses
 * shorter ones with EINVAL), so truncation is tested past the IP header.
 * Test-run skbs carry no conntrack entry, so the ct guards can only show
 * their no-entry path here (the drill covers a real entry).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "counters.h"
#include "ct.h"
#include "flowguard.h"
#include "mapsize.h"
#include "prog.h"
#include "unit.h"

#include "frames.h"
#include "sandbox.h"

#define MARK_A 0x100u	/* uplink A's own mark */
#define MARK_B 0x200u	/* uplink B's own mark */
#define SLOT_A 0
#define SLOT_B 1
#define INGRESS_IF 42	/* any number: the kernel does not check it */
#define MAX_EV 4096
#define SEC_NS 1000000000ull
/* the ring is sized for this machine's conntrack table (mapsize.h) */
#define RB_CAP                                                              \
	(fg_mapsize_ringbuf(fg_mapsize_flows(fg_mapsize_ct_max())) /         \
	 (sizeof(struct fg_event) + 8))

static int if_a, if_b; /* the two ends of a veth pair in our netns */

/* ------------------------------------------------------------ frames */

/* A flow of family v6 and protocol index k (0 tcp, 1 udp, 2 icmp); n
 * makes it distinct (source address and port). */
static struct pkt flow(int v6, int k, unsigned n)
{
	static const uint8_t protos[2][3] = {
		{ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP },
		{ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6 },
	};
	struct pkt p = { 0 };

	p.v6 = v6;
	p.proto = protos[!!v6][k];
	p.sport = 10000 + (n & 0x7fff);
	p.dport = k == 2 ? 0 : 443;
	p.seq = 0x11223344 + n;
	p.ack = 0x55667788 - n;
	p.flags = k == 0 ? (FG_TCP_ACK | 0x08) : 0;
	if (!v6) {
		/* 100.64.x.y -> 192.0.2.7 */
		p.saddr[0] = 100;
		p.saddr[1] = 64 + ((n >> 16) & 0x3f);
		p.saddr[2] = (n >> 8) & 0xff;
		p.saddr[3] = n & 0xff;
		memcpy(p.daddr, (uint8_t[]){ 192, 0, 2, 7 }, 4);
	} else {
		/* 2001:db8::n -> 2001:db8:ffff::7 */
		memcpy(p.saddr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
		put32(p.saddr + 12, n);
		memcpy(p.daddr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0xff,
					     0xff },
		       6);
		p.daddr[15] = 7;
	}
	return p;
}

/* An ARP request: not IP, so the guard lets it pass, never flagged. */
static const uint8_t arp[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
	0, 1, 0x08, 0, 6, 4, 0, 1, /* Ethernet, IPv4, request */
};

/* ------------------------------------------------------------ fixture */

struct fx {
	struct fg_prog *prog;
	int prog_fd, cnt_fd, flows_fd, ev_fd;
	struct ring_buffer *rb;
	struct fg_event ev[MAX_EV];
	size_t nr_ev;
	size_t bad_ev;
};

static struct fx F;

static int on_event(void *ctx, void *data, size_t size)
{
	struct fx *f = ctx;

	if (size != sizeof(struct fg_event) || f->nr_ev >= MAX_EV) {
		f->bad_ev++;
		return 0;
	}
	memcpy(&f->ev[f->nr_ev++], data, size);
	return 0;
}

/* n marks written into allowed[], of which nr_allowed count. */
static int fx_uplink_nr(struct fx *f, int ifindex, uint16_t slot,
			const uint32_t *marks, uint32_t n, uint32_t nr_allowed)
{
	int rc = sandbox_uplink(f->prog, ifindex, slot, marks, n, nr_allowed);

	if (rc)
		printf("  uplink %d: %s\n", ifindex, strerror(-rc));
	return rc;
}

static int fx_uplink(struct fx *f, int ifindex, uint16_t slot,
		     const uint32_t *marks, uint32_t n)
{
	return fx_uplink_nr(f, ifindex, slot, marks, n, n);
}

static void fx_close(struct fx *f)
{
	ring_buffer__free(f->rb);
	f->rb = NULL;
	sandbox_unload(&f->prog);
}

/* Fresh maps (own pin dir), uplink A allows MARK_A, B allows MARK_B;
 * lookup_sample as in fg_guard_cfg. */
static int fx_open_sampled(struct fx *f, enum fg_guard_kind kind,
			   uint64_t dedupe_ns, uint32_t lookup_sample)
{
	char err[256] = "";

	memset(f, 0, offsetof(struct fx, ev));
	f->nr_ev = f->bad_ev = 0;
	if (sandbox_load_sampled(&f->prog, kind, dedupe_ns, lookup_sample,
				 err, sizeof(err))) {
		printf("  %s\n", err);
		return -1;
	}
	f->prog_fd = fg_prog_fd(f->prog);
	f->cnt_fd = fg_prog_map_fd(f->prog, FG_MAP_COUNTERS);
	f->flows_fd = fg_prog_map_fd(f->prog, FG_MAP_FLOWS);
	f->ev_fd = fg_prog_map_fd(f->prog, FG_MAP_EVENTS);
	if (f->prog_fd < 0 || f->cnt_fd < 0 || f->flows_fd < 0 ||
	    f->ev_fd < 0) {
		printf("  missing program or map fd\n");
		goto fail;
	}
	f->rb = ring_buffer__new(f->ev_fd, on_event, f, NULL);
	if (!f->rb) {
		printf("  ring_buffer__new: %s\n", strerror(errno));
		goto fail;
	}
	if (fx_uplink(f, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1) ||
	    fx_uplink(f, if_b, SLOT_B, (uint32_t[]){ MARK_B }, 1))
		goto fail;
	return 0;
fail:
	fx_close(f);
	return -1;
}

static int fx_open(struct fx *f, enum fg_guard_kind kind, uint64_t dedupe_ns)
{
	return fx_open_sampled(f, kind, dedupe_ns, 0);
}

/* One test run of the skb leaving ifindex with mark (from INGRESS_IF):
 * the program's return value, SANDBOX_REFUSED - errno when the kernel
 * refuses the run.
 * repeat 0 means 1. */
static int fx_run_quiet(struct fx *f, const void *frame, size_t len,
			uint32_t mark, int ifindex, uint32_t repeat)
{
	struct __sk_buff ctx = {
		.mark = mark,
		.ifindex = (uint32_t)ifindex,
		.ingress_ifindex = INGRESS_IF,
	};

	return sandbox_test_run(f->prog_fd, frame, len, &ctx, repeat, NULL);
}

/* Like fx_run_quiet, but a refused run is a surprise: said, and
 * SANDBOX_REFUSED. */
static int fx_run_raw(struct fx *f, const void *frame, size_t len,
		      uint32_t mark, int ifindex, uint32_t repeat)
{
	int rc = fx_run_quiet(f, frame, len, mark, ifindex, repeat);

	if (rc <= SANDBOX_REFUSED) {
		printf("  test_run(len %zu, mark 0x%x, if %d): %s\n", len,
		       mark, ifindex, strerror(SANDBOX_ERRNO(rc)));
		return SANDBOX_REFUSED;
	}
	return rc;
}

/* Run a frame; every guard must let it pass (TC_ACT_UNSPEC). */
#define RUN_FRAME(f, frame, len, mark, ifindex)                             \
	CHECK_EQ_U(fx_run_raw((f), (frame), (len), (mark), (ifindex), 1),   \
		   SANDBOX_PASS)

static void send_pkt(struct fx *f, const struct pkt *p, uint32_t mark,
		     int ifindex)
{
	uint8_t frame[PKT_FRAME_MAX];
	size_t len = pkt_build(p, frame);

	RUN_FRAME(f, frame, len, mark, ifindex);
}

static size_t fx_drain(struct fx *f)
{
	size_t before = f->nr_ev;
	int n = ring_buffer__consume(f->rb);

	CHECK(n >= 0);
	CHECK_EQ_U(f->bad_ev, 0);
	CHECK_EQ_U(f->nr_ev - before, n < 0 ? 0 : (size_t)n);
	return f->nr_ev - before;
}

static struct fg_counters fx_cnt(struct fx *f, uint32_t slot)
{
	struct fg_counters c;

	CHECK_EQ_U(fg_counters_read(f->cnt_fd, slot, &c), 0);
	return c;
}

/* macro parameters named apart from the fields they are checked against */
#define CHECK_CNT(f, slot, n_seen, n_no_ct, n_flagged, n_events, n_lost) \
	do {                                                             \
		struct fg_counters _c = fx_cnt((f), (slot));             \
		CHECK_EQ_U(_c.seen, (n_seen));                           \
		CHECK_EQ_U(_c.no_ct, (n_no_ct));                         \
		CHECK_EQ_U(_c.flagged, (n_flagged));                     \
		CHECK_EQ_U(_c.events, (n_events));                       \
		CHECK_EQ_U(_c.lost, (n_lost));                           \
	} while (0)

/* flagged packets the guard could not parse */
static uint64_t fx_unparsed(struct fx *f, uint32_t slot)
{
	return fx_cnt(f, slot).unparsed;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC_NS + (uint64_t)ts.tv_nsec;
}

/* The event must describe p exactly as it left. */
static void check_event(const struct fg_event *e, const struct pkt *p,
			uint32_t mark, int ifindex, uint64_t t0, uint64_t t1)
{
	struct fg_flow_key k = flow_key(p, ifindex);
	int tcp = p->proto == IPPROTO_TCP;

	CHECK(memcmp(e->saddr, k.saddr, 16) == 0);
	CHECK(memcmp(e->daddr, k.daddr, 16) == 0);
	CHECK_EQ_U(e->sport, k.sport);
	CHECK_EQ_U(e->dport, k.dport);
	CHECK_EQ_U(e->family, p->v6 ? 10 : 2);
	CHECK_EQ_U(e->l4proto, p->proto);
	CHECK_EQ_U(e->tcp_seq, tcp ? htonl(p->seq) : 0);
	CHECK_EQ_U(e->tcp_ack, tcp ? htonl(p->ack) : 0);
	CHECK_EQ_U(e->tcp_flags, tcp ? p->flags : 0);
	CHECK_EQ_U(e->mark, mark);
	CHECK_EQ_U(e->ifindex, ifindex);
	CHECK_EQ_U(e->ingress_ifindex, INGRESS_IF);
	CHECK_EQ_U(e->source, FG_SRC_PKT);
	CHECK_EQ_U(e->ct_dir, FG_DIR_UNKNOWN);
	CHECK_EQ_U(e->zone, 0);
	CHECK_EQ_U(e->flags, 0);
	CHECK(e->ts_ns >= t0 && e->ts_ns <= t1);
}

#define FX_OPEN(kind, dedupe)                                               \
	do {                                                                \
		int _rc = fx_open(&F, (kind), (dedupe));                    \
		CHECK(_rc == 0);                                            \
		if (_rc)                                                    \
			return;                                             \
	} while (0)

/* ------------------------------------------------------------ tests */

/* What the kernel accepts in ctx_in, and that the guard sees it. */
static void test_ctx_in_fields(void)
{
	struct __sk_buff in = { .mark = 0x201, .ifindex = (uint32_t)if_a,
				.ingress_ifindex = INGRESS_IF,
				.priority = 7 };
	struct __sk_buff out = { 0 };
	struct pkt p = flow(0, 0, 1);
	uint8_t frame[PKT_FRAME_MAX];
	size_t len = pkt_build(&p, frame);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = (uint32_t)len, .ctx_in = &in,
		    .ctx_size_in = sizeof(in), .ctx_out = &out,
		    .ctx_size_out = sizeof(out));
	uint64_t t0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	t0 = now_ns();
	CHECK_EQ_U(bpf_prog_test_run_opts(F.prog_fd, &o), 0);
	CHECK_EQ_U((int)o.retval, SANDBOX_PASS);
	CHECK_EQ_U(out.mark, 0x201);
	CHECK_EQ_U(out.ifindex, if_a);
	CHECK_EQ_U(out.priority, 7);
	CHECK_EQ_U(fx_drain(&F), 1);
	if (F.nr_ev == 1)
		check_event(&F.ev[0], &p, 0x201, if_a, t0, now_ns());

	/* an ifindex of no device in this netns */
	in.ifindex = 4000;
	CHECK(bpf_prog_test_run_opts(F.prog_fd, &o) < 0 && errno == ENODEV);
	/* a field test_run does not take (protocol) */
	in.ifindex = (uint32_t)if_a;
	in.protocol = htons(0x0800);
	CHECK(bpf_prog_test_run_opts(F.prog_fd, &o) < 0 && errno == EINVAL);
	/* ifindex 0 and 1 both mean loopback */
	in.protocol = 0;
	in.ifindex = 0;
	CHECK_EQ_U(bpf_prog_test_run_opts(F.prog_fd, &o), 0);
	CHECK_EQ_U(out.ifindex, 1);
	fx_close(&F);
}

static void test_skbmark_allowed_not_flagged(void)
{
	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	for (int v6 = 0; v6 < 2; v6++)
		for (int k = 0; k < 3; k++) {
			struct pkt p = flow(v6, k, 1);

			send_pkt(&F, &p, MARK_A, if_a);
			send_pkt(&F, &p, MARK_B, if_b);
		}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, 6, 0, 0, 0, 0);
	CHECK_CNT(&F, SLOT_B, 6, 0, 0, 0, 0);
	fx_close(&F);
}

/* Another uplink's mark (or one no uplink has): one event per flow,
 * the packet's own tuple, for IPv4/IPv6 x TCP/UDP/ICMP. */
static void test_skbmark_foreign_flagged_event(void)
{
	struct pkt ps[6];
	uint32_t marks[6];
	uint64_t t0, t1;
	int n = 0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	t0 = now_ns();
	for (int v6 = 0; v6 < 2; v6++)
		for (int k = 0; k < 3; k++, n++) {
			ps[n] = flow(v6, k, 100 + n);
			marks[n] = n % 2 ? 0x3c00 : MARK_B;
			send_pkt(&F, &ps[n], marks[n], if_a);
		}
	t1 = now_ns();
	CHECK_EQ_U(fx_drain(&F), 6);
	for (int i = 0; i < 6 && i < (int)F.nr_ev; i++)
		check_event(&F.ev[i], &ps[i], marks[i], if_a, t0, t1);
	CHECK_CNT(&F, SLOT_A, 6, 0, 6, 6, 0);
	CHECK_CNT(&F, SLOT_B, 0, 0, 0, 0, 0);
	fx_close(&F);
}

/* Cut anywhere before the ports: not parsed, no event, counted as
 * unparsed (not as flagged); it passes on a device that does not enforce. */
static void test_skbmark_truncated_unparsed(void)
{
	static const size_t cuts4[] = { 14, 14 + 1, 14 + 19 };
	static const size_t cuts6[] = { 14, 14 + 20, 14 + 39 };
	/* L4 headers need 20 (TCP), 8 (UDP), 6 (ICMP) bytes */
	static const size_t l4need[] = { 20, 8, 6 };
	uint8_t frame[PKT_FRAME_MAX];
	unsigned seen = 0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	for (int v6 = 0; v6 < 2; v6++) {
		size_t l3 = v6 ? 40 : 20;

		for (int k = 0; k < 3; k++) {
			struct pkt p = flow(v6, k, 7);

			pkt_build(&p, frame);
			RUN_FRAME(&F, frame, 14 + l3, MARK_B, if_a);
			RUN_FRAME(&F, frame, 14 + l3 + l4need[k] - 1, MARK_B,
				  if_a);
			seen += 2;
		}
		/* cut inside the IP header: 6.18 refuses these itself
		 * (EINVAL); should a kernel take them, the guard must pass */
		for (int i = 0; i < 3; i++) {
			struct pkt p = flow(v6, 0, 7);
			int rc;

			pkt_build(&p, frame);
			rc = fx_run_quiet(&F, frame, v6 ? cuts6[i] : cuts4[i],
					  MARK_B, if_a, 1);
			CHECK(rc == SANDBOX_PASS ||
			      rc == SANDBOX_REFUSED - EINVAL);
			seen += rc == SANDBOX_PASS;
		}
	}
	/* IPv4 options running past the end of the frame (ihl 15) */
	{
		struct pkt p = flow(0, 0, 8);
		size_t len = pkt_build(&p, frame);

		frame[14] = 0x4f;
		RUN_FRAME(&F, frame, len, MARK_B, if_a);
		seen++;
	}
	/* IPv4 ethertype with a bad header: ihl 4, version 6 */
	for (int i = 0; i < 2; i++) {
		struct pkt p = flow(0, 0, 8);
		size_t len = pkt_build(&p, frame);

		frame[14] = i ? 0x65 : 0x44;
		RUN_FRAME(&F, frame, len, MARK_B, if_a);
		seen++;
	}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, seen, 0, 0, 0, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), seen);
	fx_close(&F);
}

/* Not IP, with a foreign mark: unparsed, passes (no enforce), no event. */
static void test_skbmark_non_ip_unparsed(void)
{
	uint8_t lldp[60] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e, 2, 0, 0, 0, 0, 1,
			     0x88, 0xcc };

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	RUN_FRAME(&F, arp, sizeof(arp), MARK_B, if_a);
	RUN_FRAME(&F, arp, sizeof(arp), 0x3c00, if_a);
	RUN_FRAME(&F, lldp, sizeof(lldp), MARK_B, if_a);
	/* with a mark that belongs: never parsed, so not counted */
	RUN_FRAME(&F, arp, sizeof(arp), 0, if_a);
	RUN_FRAME(&F, lldp, sizeof(lldp), MARK_A, if_a);
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, 5, 0, 0, 0, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), 3);
	fx_close(&F);
}

/* The uplink's own mark once it is down (absent from allowed). */
static void test_skbmark_down_uplink_flagged(void)
{
	struct pkt p1 = flow(0, 0, 1), p2 = flow(1, 1, 2);

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink(&F, if_a, SLOT_A, NULL, 0), 0);
	send_pkt(&F, &p1, MARK_A, if_a);
	/* down, and the device now carries a spare interface's mark */
	CHECK_EQ_U(fx_uplink(&F, if_a, SLOT_A, (uint32_t[]){ 0x300 }, 1), 0);
	send_pkt(&F, &p2, MARK_A, if_a);
	send_pkt(&F, &p2, 0x300, if_a);
	CHECK_EQ_U(fx_drain(&F), 2);
	if (F.nr_ev == 2) {
		CHECK_EQ_U(F.ev[0].mark, MARK_A);
		CHECK_EQ_U(F.ev[0].family, 2);
		CHECK_EQ_U(F.ev[1].mark, MARK_A);
		CHECK_EQ_U(F.ev[1].family, 10);
	}
	CHECK_CNT(&F, SLOT_A, 3, 0, 2, 2, 0);
	fx_close(&F);
}

/* wan and wan6 (or more) on one device: every allowed slot counts, and
 * slots past nr_allowed do not. */
static void test_skbmark_two_marks_one_dev(void)
{
	uint32_t eight[8] = { 0x100, 0x200, 0x300, 0x400,
			      0x500, 0x600, 0x700, 0x800 };
	struct pkt p = flow(1, 0, 3);

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink(&F, if_a, SLOT_A, (uint32_t[]){ 0x100, 0x400 },
			     2),
		   0);
	send_pkt(&F, &p, 0x100, if_a);
	send_pkt(&F, &p, 0x400, if_a);
	CHECK_EQ_U(fx_drain(&F), 0);
	send_pkt(&F, &p, 0x200, if_a);
	CHECK_EQ_U(fx_drain(&F), 1);

	CHECK_EQ_U(fx_uplink(&F, if_a, SLOT_A, eight, 8), 0);
	p = flow(1, 0, 4);
	for (int i = 0; i < 8; i++)
		send_pkt(&F, &p, eight[i], if_a);
	CHECK_EQ_U(fx_drain(&F), 0);
	/* allowed[7] still holds 0x800, but nr_allowed says 7 */
	CHECK_EQ_U(fx_uplink_nr(&F, if_a, SLOT_A, eight, 8, 7), 0);
	send_pkt(&F, &p, 0x800, if_a);
	CHECK_EQ_U(fx_drain(&F), 1);
	CHECK_CNT(&F, SLOT_A, 12, 0, 2, 2, 0);
	fx_close(&F);
}

/* Mark 0 and the reserved marks, with or without bits outside the mask,
 * on an up and on a down uplink. */
static void test_skbmark_reserved_never_flagged(void)
{
	static const uint32_t marks[] = {
		0,	    0x3f00,	 0x3e00,	0x3d00,
		0x3f01,	    0x80003e00,	 0x3dff,	0x1,
		0xff,	    0xffff00ff,	 0x3f00 | 0x10000,
	};
	const int n = (int)(sizeof(marks) / sizeof(marks[0]));

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	for (int i = 0; i < n; i++)
		for (int v6 = 0; v6 < 2; v6++) {
			struct pkt p = flow(v6, i % 3, (unsigned)i);

			send_pkt(&F, &p, marks[i], if_a);
		}
	CHECK_EQ_U(fx_uplink(&F, if_a, SLOT_A, NULL, 0), 0);
	for (int i = 0; i < n; i++) {
		struct pkt p = flow(0, 0, (unsigned)i);

		send_pkt(&F, &p, marks[i], if_a);
	}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, 3 * n, 0, 0, 0, 0);
	fx_close(&F);
}

/* Only (mark & mask) decides; the event carries the full mark. */
static void test_skbmark_extra_bits_outside_mask(void)
{
	struct pkt p1 = flow(0, 1, 1), p2 = flow(0, 1, 2);

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	send_pkt(&F, &p1, MARK_A | 0xff0000ff, if_a); /* own: passes */
	send_pkt(&F, &p2, MARK_B | 0x1, if_a);	    /* foreign: flagged */
	CHECK_EQ_U(fx_drain(&F), 1);
	if (F.nr_ev == 1)
		CHECK_EQ_U(F.ev[0].mark, MARK_B | 0x1);
	CHECK_CNT(&F, SLOT_A, 2, 0, 1, 1, 0);
	fx_close(&F);
}

/* A later IPv4 fragment has no ports: flagged with ports 0. */
static void test_skbmark_ipv4_later_fragment(void)
{
	struct pkt p = flow(0, 1, 9);

	p.frag_off = 0x2000 | 185; /* MF, offset 1480 */
	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	send_pkt(&F, &p, MARK_B, if_a);
	CHECK_EQ_U(fx_drain(&F), 1);
	if (F.nr_ev == 1) {
		CHECK_EQ_U(F.ev[0].sport, 0);
		CHECK_EQ_U(F.ev[0].dport, 0);
		CHECK_EQ_U(F.ev[0].l4proto, IPPROTO_UDP);
	}
	CHECK_CNT(&F, SLOT_A, 1, 0, 1, 1, 0);
	fx_close(&F);
}

static void test_skbmark_dedupe_same_flow(void)
{
	struct pkt x = flow(0, 0, 20), y = flow(0, 0, 21);

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	for (int i = 0; i < 5; i++)
		send_pkt(&F, &x, MARK_B, if_a);
	CHECK_EQ_U(fx_drain(&F), 1);
	send_pkt(&F, &y, MARK_B, if_a); /* another flow */
	CHECK_EQ_U(fx_drain(&F), 1);
	send_pkt(&F, &x, MARK_A, if_b); /* same tuple, other uplink */
	CHECK_EQ_U(fx_drain(&F), 1);
	send_pkt(&F, &x, MARK_B, if_a);
	send_pkt(&F, &y, MARK_B, if_a);
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, 8, 0, 8, 2, 0);
	CHECK_CNT(&F, SLOT_B, 1, 0, 1, 1, 0);
	fx_close(&F);
}

static void test_skbmark_dedupe_interval_expires(void)
{
	const uint64_t dedupe = 100 * 1000 * 1000;
	struct pkt x = flow(1, 0, 30);
	uint64_t t0;

	FX_OPEN(FG_GUARD_SKBMARK, dedupe);
	t0 = now_ns();
	send_pkt(&F, &x, MARK_B, if_a);
	send_pkt(&F, &x, MARK_B, if_a);
	/* only meaningful if the second packet came within the interval */
	CHECK(now_ns() - t0 < dedupe);
	CHECK_EQ_U(fx_drain(&F), 1);
	usleep(150 * 1000);
	send_pkt(&F, &x, MARK_B, if_a);
	send_pkt(&F, &x, MARK_B, if_a);
	CHECK_EQ_U(fx_drain(&F), 1);
	CHECK_CNT(&F, SLOT_A, 4, 0, 4, 2, 0);
	fx_close(&F);
}

/* A mixed stream: every counter adds up exactly. */
static void test_skbmark_counters_add_up(void)
{
	uint8_t frame[PKT_FRAME_MAX];
	struct pkt z = flow(1, 2, 99);
	unsigned seen = 0, flagged = 0, events = 0, unparsed = 0;
	size_t len;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	for (unsigned i = 0; i < 10; i++, seen++) {
		struct pkt p = flow((int)(i & 1), (int)(i % 3), i);

		send_pkt(&F, &p, MARK_A, if_a);
	}
	for (unsigned i = 0; i < 5; i++, seen++) {
		struct pkt p = flow(0, 0, i);

		send_pkt(&F, &p, 0, if_a);
	}
	for (unsigned i = 0; i < 7; i++, seen++, flagged++, events++) {
		struct pkt p = flow((int)(i & 1), (int)(i % 3), 50 + i);

		send_pkt(&F, &p, MARK_B, if_a);
	}
	for (unsigned i = 0; i < 3; i++, seen++, flagged++)
		send_pkt(&F, &z, 0x3c00, if_a);
	events++;
	for (unsigned i = 0; i < 4; i++, seen++, unparsed++)
		RUN_FRAME(&F, arp, sizeof(arp), MARK_B, if_a);
	len = pkt_build(&z, frame);
	RUN_FRAME(&F, frame, len - 12, MARK_B, if_a); /* cut ICMP */
	seen++;
	unparsed++;
	/* repeat: the program runs (and counts) 4 times */
	len = pkt_build(&z, frame);
	CHECK_EQ_U(fx_run_raw(&F, frame, len, MARK_A, if_a, 4), SANDBOX_PASS);
	seen += 4;
	/* not an uplink */
	send_pkt(&F, &z, MARK_B, 1);

	CHECK_EQ_U(fx_drain(&F), events);
	CHECK_CNT(&F, SLOT_A, seen, 0, flagged, events, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), unparsed);
	CHECK_CNT(&F, SLOT_B, 0, 0, 0, 0, 0);
	fx_close(&F);
}

/* A full ring buffer: LOST counted, the flow's dedupe entry dropped so
 * its next packet retries; delivered flows stay deduped. */
static void test_skbmark_ringbuf_full_lost(void)
{
	const unsigned extra = 200, n = (unsigned)RB_CAP + extra;
	struct pkt first = flow(0, 1, 0), last = flow(0, 1, n - 1);
	struct fg_flow_key k;
	uint64_t v;

	FX_OPEN(FG_GUARD_SKBMARK, 3600 * SEC_NS);
	for (unsigned i = 0; i < n; i++) {
		struct pkt p = flow(0, 1, i);

		send_pkt(&F, &p, MARK_B, if_a);
	}
	CHECK_CNT(&F, SLOT_A, n, 0, n, RB_CAP, extra);
	k = flow_key(&first, if_a);
	CHECK_EQ_U(bpf_map_lookup_elem(F.flows_fd, &k, &v), 0);
	k = flow_key(&last, if_a);
	CHECK(bpf_map_lookup_elem(F.flows_fd, &k, &v) < 0 && errno == ENOENT);

	/* still full: lost again, still not remembered */
	send_pkt(&F, &last, MARK_B, if_a);
	CHECK(bpf_map_lookup_elem(F.flows_fd, &k, &v) < 0 && errno == ENOENT);
	CHECK_CNT(&F, SLOT_A, n + 1, 0, n + 1, RB_CAP, extra + 1);

	CHECK_EQ_U(fx_drain(&F), RB_CAP);
	if (F.nr_ev >= 1)
		CHECK_EQ_U(F.ev[0].sport, htons(first.sport));
	/* room again: the lost flow reports, the delivered one stays quiet */
	send_pkt(&F, &last, MARK_B, if_a);
	send_pkt(&F, &first, MARK_B, if_a);
	CHECK_EQ_U(fx_drain(&F), 1);
	if (F.nr_ev == RB_CAP + 1)
		CHECK_EQ_U(F.ev[RB_CAP].sport, htons(last.sport));
	CHECK_EQ_U(bpf_map_lookup_elem(F.flows_fd, &k, &v), 0);
	CHECK_CNT(&F, SLOT_A, n + 3, 0, n + 3, RB_CAP + 1, extra + 1);
	fx_close(&F);
}

/* Whatever leaves a device that is not in fg_uplinks: no counter at all,
 * no event, in every mode. */
static void test_unknown_ifindex_ignored(void)
{
	static const enum fg_guard_kind kinds[] = {
		FG_GUARD_SKBMARK, FG_GUARD_CT_KCTX, FG_GUARD_CT_PROBE };

	for (int i = 0; i < 3; i++) {
		FX_OPEN(kinds[i], SEC_NS);
		for (int v6 = 0; v6 < 2; v6++)
			for (int k = 0; k < 3; k++) {
				struct pkt p = flow(v6, k, 5);

				send_pkt(&F, &p, MARK_B, 1);
				send_pkt(&F, &p, MARK_A, 1);
			}
		CHECK_EQ_U(fx_drain(&F), 0);
		for (uint32_t s = 0; s < FG_MAX_UPLINKS; s++)
			CHECK_CNT(&F, s, 0, 0, 0, 0, 0);
		fx_close(&F);
	}
}

/* Test-run skbs have no ct entry: every IP packet counts NO_MARK, none
 * is flagged, whatever its packet mark. */
static void ct_no_entry(enum fg_guard_kind kind)
{
	static const uint32_t marks[] = { MARK_A, MARK_B, 0, 0x3f00, 0x3c01 };
	unsigned n = 0;
	struct fg_counters c;

	FX_OPEN(kind, SEC_NS);
	for (unsigned m = 0; m < 5; m++)
		for (int v6 = 0; v6 < 2; v6++)
			for (int k = 0; k < 3; k++, n++) {
				struct pkt p = flow(v6, k, m);

				send_pkt(&F, &p, marks[m], if_a);
			}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, n, n, 0, 0, 0);
	/* non-IP: passes, never flagged (whether NO_MARK counts it is not
	 * part of the contract) */
	RUN_FRAME(&F, arp, sizeof(arp), MARK_B, if_a);
	CHECK_EQ_U(fx_drain(&F), 0);
	c = fx_cnt(&F, SLOT_A);
	CHECK_EQ_U(c.seen, n + 1);
	CHECK_EQ_U(c.flagged, 0);
	CHECK_EQ_U(c.events, 0);
	fx_close(&F);
}

static void test_ct_kctx_no_entry(void)
{
	ct_no_entry(FG_GUARD_CT_KCTX);
}

static void test_ct_probe_no_entry(void)
{
	ct_no_entry(FG_GUARD_CT_PROBE);
}

/* ------------------------------------------------------------ enforce */

/* Like fx_uplink, with the uplink entry's flags (FG_UPLINK_*). */
static int fx_uplink_flags(struct fx *f, int ifindex, uint16_t slot,
			   const uint32_t *marks, uint32_t n, uint8_t flags)
{
	struct fg_uplink up = { .slot = slot, .l2_len = 14,
				.flags = FG_UPLINK_GUARDED | flags };
	uint32_t key = (uint32_t)ifindex;

	if (n)
		memcpy(up.allowed, marks, n * sizeof(*marks));
	up.nr_allowed = n;
	up.nr_marks = (uint8_t)n;
	if (bpf_map_update_elem(fg_prog_map_fd(f->prog, FG_MAP_UPLINKS), &key,
				&up, BPF_ANY)) {
		printf("  uplink %d: %s\n", ifindex, strerror(errno));
		return -1;
	}
	return 0;
}

/* One packet of p leaving ifindex with mark: the guard's verdict. */
static int verdict_of(struct fx *f, const struct pkt *p, uint32_t mark,
		      int ifindex)
{
	uint8_t frame[PKT_FRAME_MAX];
	size_t len = pkt_build(p, frame);

	return fx_run_raw(f, frame, len, mark, ifindex, 1);
}

/* An enforcing uplink drops what it flags: the flow's first packet (the
 * one reported) and the deduped ones after it alike; the event is still
 * sent once per flow. IPv4/IPv6 x TCP/UDP/ICMP, another uplink's mark and
 * a mark no uplink has. */
static void test_skbmark_enforce_drops_flagged(void)
{
	struct pkt ps[6];
	uint32_t marks[6];
	uint64_t t0, t1;
	int n = 0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	t0 = now_ns();
	for (int v6 = 0; v6 < 2; v6++)
		for (int k = 0; k < 3; k++, n++) {
			ps[n] = flow(v6, k, 200 + n);
			marks[n] = n % 2 ? 0x3c00 : MARK_B;
			/* first packet: reported and dropped */
			CHECK_EQ_U(verdict_of(&F, &ps[n], marks[n], if_a),
				   TC_ACT_SHOT);
			/* deduped: not reported, dropped all the same */
			for (int i = 0; i < 3; i++)
				CHECK_EQ_U(verdict_of(&F, &ps[n], marks[n],
						      if_a),
					   TC_ACT_SHOT);
		}
	t1 = now_ns();
	CHECK_EQ_U(fx_drain(&F), 6);
	for (int i = 0; i < 6 && i < (int)F.nr_ev; i++)
		check_event(&F.ev[i], &ps[i], marks[i], if_a, t0, t1);
	/* repeat 4: four runs of a deduped flow, the verdict of each is SHOT */
	{
		uint8_t frame[PKT_FRAME_MAX];
		size_t len = pkt_build(&ps[0], frame);

		CHECK_EQ_U(fx_run_raw(&F, frame, len, marks[0], if_a, 4),
			   TC_ACT_SHOT);
	}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, 28, 0, 28, 6, 0);
	CHECK_CNT(&F, SLOT_B, 0, 0, 0, 0, 0);
	fx_close(&F);
}

/* On an enforcing uplink, whatever belongs still passes: its own mark,
 * mark 0, the reserved marks (with or without bits outside the mask),
 * non-IP frames carrying such a mark (as real ARP does: mark 0); nothing
 * is counted as flagged or unparsed, nothing reported. */
static void test_skbmark_enforce_passes_what_belongs(void)
{
	static const uint32_t marks[] = {
		MARK_A, MARK_A | 0xff0000ff, 0, 0x3f00, 0x3e00, 0x3d00,
		0x3f01, 0x80003e00, 0xff,
	};
	const unsigned n = sizeof(marks) / sizeof(marks[0]);
	unsigned seen = 0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	for (unsigned i = 0; i < n; i++)
		for (int v6 = 0; v6 < 2; v6++)
			for (int k = 0; k < 3; k++, seen++) {
				struct pkt p = flow(v6, k, 300 + i);

				CHECK_EQ_U(verdict_of(&F, &p, marks[i], if_a),
					   SANDBOX_PASS);
			}
	/* not IP, with a mark that belongs: passes */
	RUN_FRAME(&F, arp, sizeof(arp), 0, if_a);
	RUN_FRAME(&F, arp, sizeof(arp), MARK_A, if_a);
	seen += 2;
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, seen, 0, 0, 0, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), 0);
	fx_close(&F);
}

/* Enforce is per device: the same foreign flow is dropped on the
 * enforcing uplink and passes (reported) on the other one; clearing the
 * flag lets the flow's packets pass again at once, setting it drops them
 * again, without a new event inside the dedupe interval. */
static void test_skbmark_enforce_per_device_and_live(void)
{
	struct pkt x = flow(0, 0, 400), y = flow(1, 0, 401);

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	/* A enforces, B does not */
	CHECK_EQ_U(verdict_of(&F, &x, MARK_B, if_a), TC_ACT_SHOT);
	CHECK_EQ_U(verdict_of(&F, &y, MARK_A, if_b), SANDBOX_PASS);
	CHECK_EQ_U(verdict_of(&F, &y, MARK_A, if_b), SANDBOX_PASS);
	CHECK_EQ_U(fx_drain(&F), 2);
	/* flag off on A: the same flow passes, deduped (no event) */
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   0),
		   0);
	CHECK_EQ_U(verdict_of(&F, &x, MARK_B, if_a), SANDBOX_PASS);
	/* flag on again (and on B too): dropped again, still deduped */
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	CHECK_EQ_U(fx_uplink_flags(&F, if_b, SLOT_B, (uint32_t[]){ MARK_B }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	CHECK_EQ_U(verdict_of(&F, &x, MARK_B, if_a), TC_ACT_SHOT);
	CHECK_EQ_U(verdict_of(&F, &y, MARK_A, if_b), TC_ACT_SHOT);
	CHECK_EQ_U(verdict_of(&F, &y, MARK_B, if_b), SANDBOX_PASS);
	CHECK_EQ_U(fx_drain(&F), 0);
	/* not an uplink: passes, whatever any entry's flags say */
	CHECK_EQ_U(verdict_of(&F, &x, MARK_B, 1), SANDBOX_PASS);
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, 3, 0, 3, 1, 0);
	CHECK_CNT(&F, SLOT_B, 4, 0, 3, 1, 0);
	fx_close(&F);
}

/* A down enforcing uplink drops its own mark (that flow is stale there);
 * a later IPv4 fragment of a foreign flow (no ports) is dropped too. */
static void test_skbmark_enforce_down_uplink_and_fragment(void)
{
	struct pkt p = flow(0, 0, 500), frag = flow(0, 1, 501);

	frag.frag_off = 0x2000 | 185;
	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, NULL, 0,
				   FG_UPLINK_ENFORCE),
		   0);
	CHECK_EQ_U(verdict_of(&F, &p, MARK_A, if_a), TC_ACT_SHOT);
	CHECK_EQ_U(verdict_of(&F, &p, 0, if_a), SANDBOX_PASS);
	CHECK_EQ_U(verdict_of(&F, &p, 0x3f00, if_a), SANDBOX_PASS);
	CHECK_EQ_U(verdict_of(&F, &frag, MARK_B, if_a), TC_ACT_SHOT);
	CHECK_EQ_U(fx_drain(&F), 2);
	if (F.nr_ev == 2) {
		CHECK_EQ_U(F.ev[0].mark, MARK_A);
		CHECK_EQ_U(F.ev[1].sport, 0);
		CHECK_EQ_U(F.ev[1].dport, 0);
	}
	CHECK_CNT(&F, SLOT_A, 4, 0, 2, 2, 0);
	fx_close(&F);
}

/* A full ring buffer does not open the gate: a flagged packet whose event
 * is lost is dropped as well. */
static void test_skbmark_enforce_ringbuf_full(void)
{
	const unsigned n = (unsigned)RB_CAP + 50;
	unsigned shot = 0;

	FX_OPEN(FG_GUARD_SKBMARK, 3600 * SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	for (unsigned i = 0; i < n; i++) {
		struct pkt p = flow(0, 1, i);

		shot += verdict_of(&F, &p, MARK_B, if_a) == TC_ACT_SHOT;
	}
	CHECK_EQ_U(shot, n);
	CHECK_CNT(&F, SLOT_A, n, 0, n, RB_CAP, 50);
	CHECK_EQ_U(fx_drain(&F), RB_CAP);
	fx_close(&F);
}

/* The ct guards can flag only packets with a ct entry (test runs have
 * none): on an enforcing uplink every such packet passes. */
static void ct_enforce_no_entry(enum fg_guard_kind kind)
{
	unsigned n = 0;

	FX_OPEN(kind, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	for (int v6 = 0; v6 < 2; v6++)
		for (int k = 0; k < 3; k++, n += 2) {
			struct pkt p = flow(v6, k, 600);

			CHECK_EQ_U(verdict_of(&F, &p, MARK_B, if_a), SANDBOX_PASS);
			CHECK_EQ_U(verdict_of(&F, &p, MARK_A, if_a), SANDBOX_PASS);
		}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, n, n, 0, 0, 0);
	fx_close(&F);
}

static void test_ct_kctx_enforce_no_entry(void)
{
	ct_enforce_no_entry(FG_GUARD_CT_KCTX);
}

static void test_ct_probe_enforce_no_entry(void)
{
	ct_enforce_no_entry(FG_GUARD_CT_PROBE);
}


/* ------------------------------------------------- offloaded packets */

/* The NAT address of the entries below: packets leave with it. */
static const uint8_t nat4[4] = { 198, 51, 100, 1 };

/* A conntrack entry for flow p as the router saw it before NAT: orig is
 * p's tuple, reply the answer to NAT4 (IPv4) or to p itself (IPv6). */
static int ct_entry_for(struct fg_ct *ct, const struct pkt *p, uint32_t mark)
{
	struct fg_ct_entry e = { 0 };
	struct fg_ct_tuple *o = &e.orig, *r = &e.reply;
	size_t alen = p->v6 ? 16 : 4;

	o->family = r->family = p->v6 ? AF_INET6 : AF_INET;
	o->l4proto = r->l4proto = p->proto;
	memcpy(o->saddr, p->saddr, alen);
	memcpy(o->daddr, p->daddr, alen);
	o->sport = htons(p->sport);
	o->dport = htons(p->dport);
	memcpy(r->saddr, p->daddr, alen);
	memcpy(r->daddr, p->v6 ? p->saddr : nat4, alen);
	r->sport = o->dport;
	r->dport = o->sport;
	e.mark = mark;
	e.status = 0x2 | 0x4; /* SEEN_REPLY | ASSURED */
	if (p->proto == IPPROTO_TCP)
		e.tcp_state = 3; /* ESTABLISHED */
	return fg_ct_create(ct, &e, 300);
}

/* p as it leaves the uplink: after the source NAT of ct_entry_for(). */
static struct pkt natted(const struct pkt *p)
{
	struct pkt q = *p;

	if (!p->v6)
		memcpy(q.saddr, nat4, 4);
	return q;
}

/* Test-run skbs carry no entry, as flowtable-offloaded packets: the
 * lookup programs find the entry by the packet's inverted tuple. A flow
 * of MARK_B leaving uplink A is flagged with the entry's own tuple, mark
 * and direction; the same flow leaving B is not; a packet without entry,
 * or ICMP, is not. IPv4 (NATed) and IPv6 (routed), TCP and UDP. */
static void ct_lookup_finds_entry(enum fg_guard_kind kind, unsigned base)
{
	struct fg_ct *ct = NULL;
	struct fg_counters c;
	unsigned n = 0;

	CHECK_EQ_U(fg_ct_open(&ct), 0);
	if (!ct)
		return;
	FX_OPEN(kind, SEC_NS);
	for (int v6 = 0; v6 < 2; v6++)
		for (int k = 0; k < 2; k++) {
			struct pkt p = flow(v6, k, base + n);
			struct pkt out = natted(&p);
			struct pkt none = flow(v6, k, base + 100 + n);
			struct fg_event *e;

			CHECK_EQ_U(ct_entry_for(ct, &p, MARK_B | 0x1), 0);
			send_pkt(&F, &out, 0, if_a);
			send_pkt(&F, &out, 0, if_b);
			send_pkt(&F, &none, 0, if_a);
			CHECK_EQ_U(fx_drain(&F), 1);
			if (F.nr_ev < 1)
				continue;
			e = &F.ev[F.nr_ev - 1];
			CHECK_EQ_U(e->source, FG_SRC_CT);
			CHECK_EQ_U(e->mark, MARK_B | 0x1);
			CHECK_EQ_U(e->ct_dir, FG_DIR_ORIGINAL);
			CHECK_EQ_U(e->flags, 0);
			CHECK_EQ_U(e->family, v6 ? AF_INET6 : AF_INET);
			CHECK_EQ_U(e->l4proto, p.proto);
			CHECK(!memcmp(e->saddr, p.saddr, v6 ? 16 : 4));
			CHECK_EQ_U(e->sport, htons(p.sport));
			CHECK_EQ_U(e->ifindex, (uint32_t)if_a);
			n++;
		}
	/* ICMP is never looked up: a flowtable offloads TCP and UDP only */
	for (int v6 = 0; v6 < 2; v6++) {
		struct pkt p = flow(v6, 2, 800);

		send_pkt(&F, &p, 0, if_a);
	}
	CHECK_EQ_U(fx_drain(&F), 0);
	c = fx_cnt(&F, SLOT_A);
	CHECK_EQ_U(c.seen, 2 * n + 2);
	CHECK_EQ_U(c.no_ct, 2 * n + 2);
	CHECK_EQ_U(c.lookup, 2 * n);
	CHECK_EQ_U(c.lookup_hits, n);
	CHECK_EQ_U(c.flagged, n);
	CHECK_EQ_U(c.events, n);
	c = fx_cnt(&F, SLOT_B);
	CHECK_EQ_U(c.lookup_hits, n);
	CHECK_EQ_U(c.flagged, 0);
	fx_close(&F);
	fg_ct_close(ct);
}

static void test_ct_kctx_lookup_finds_entry(void)
{
	ct_lookup_finds_entry(FG_GUARD_CT_KCTX_LOOKUP, 3000);
}

static void test_ct_probe_lookup_finds_entry(void)
{
	ct_lookup_finds_entry(FG_GUARD_CT_PROBE_LOOKUP, 3200);
}

/* A port forward's answer leaves with the entry's original tuple
 * inverted: found, and reported as the reply direction. Enforce drops
 * what the lookup flags, every packet of it. */
static void test_ct_lookup_reply_dir_and_enforce(void)
{
	struct pkt p = flow(0, 0, 750), answer;
	struct fg_ct *ct = NULL;

	CHECK_EQ_U(fg_ct_open(&ct), 0);
	if (!ct)
		return;
	FX_OPEN(FG_GUARD_CT_KCTX_LOOKUP, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	CHECK_EQ_U(ct_entry_for(ct, &p, MARK_B), 0);
	/* the answer of the remote, sent back out as the original's
	 * source saw it: daddr/saddr swapped, not NATed */
	answer = p;
	memcpy(answer.saddr, p.daddr, 4);
	memcpy(answer.daddr, p.saddr, 4);
	answer.sport = p.dport;
	answer.dport = p.sport;
	CHECK_EQ_U(verdict_of(&F, &answer, 0, if_a), TC_ACT_SHOT);
	CHECK_EQ_U(verdict_of(&F, &answer, 0, if_a), TC_ACT_SHOT);
	CHECK_EQ_U(verdict_of(&F, &answer, 0, if_b), SANDBOX_PASS);
	CHECK_EQ_U(fx_drain(&F), 1);
	if (F.nr_ev == 1)
		CHECK_EQ_U(F.ev[0].ct_dir, FG_DIR_REPLY);
	fx_close(&F);
	fg_ct_close(ct);
}

/* On a device whose uplinks are all up, one entry-less packet in
 * (lookup_sample + 1) per CPU is looked up; with an uplink down, every
 * one. (Test runs stay on one CPU.) */
static void test_ct_lookup_sampled_unless_down(void)
{
	struct fg_counters c;
	int rc;

	rc = fx_open_sampled(&F, FG_GUARD_CT_KCTX_LOOKUP, SEC_NS, 15);
	CHECK_EQ_U(rc, 0);
	if (rc)
		return;
	for (unsigned i = 0; i < 64; i++) {
		struct pkt p = flow(0, 0, 1000 + i);

		send_pkt(&F, &p, 0, if_a);
	}
	c = fx_cnt(&F, SLOT_A);
	CHECK_EQ_U(c.no_ct, 64);
	CHECK_EQ_U(c.lookup, 4);
	/* uplink A2 on the same device goes down */
	CHECK_EQ_U(fx_uplink_nr(&F, if_a, SLOT_A,
				(uint32_t[]){ MARK_A, 0x300 }, 2, 1),
		   0);
	for (unsigned i = 0; i < 64; i++) {
		struct pkt p = flow(0, 0, 2000 + i);

		send_pkt(&F, &p, 0, if_a);
	}
	c = fx_cnt(&F, SLOT_A);
	CHECK_EQ_U(c.lookup, 4 + 64);
	CHECK_EQ_U(c.lookup_hits, 0);
	CHECK_EQ_U(fx_drain(&F), 0);
	fx_close(&F);
}

/* skbmark mode cannot read an unmarked packet's entry: while an uplink
 * of the device is down, its TCP and UDP packets are reported by tuple
 * with FG_EV_MARK_UNKNOWN, and pass, even on an enforcing device; with
 * every uplink up, or for ICMP, nothing. */
static void test_skbmark_unmarked_reported_while_down(void)
{
	struct fg_counters c;
	unsigned n = 0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	for (int v6 = 0; v6 < 2; v6++)
		for (int k = 0; k < 3; k++) {
			struct pkt p = flow(v6, k, 1100);

			send_pkt(&F, &p, 0, if_a);
		}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_EQ_U(fx_uplink_nr(&F, if_a, SLOT_A,
				(uint32_t[]){ MARK_A, 0x300 }, 2, 1),
		   0);
	for (int v6 = 0; v6 < 2; v6++)
		for (int k = 0; k < 3; k++) {
			struct pkt p = flow(v6, k, 1200);

			CHECK_EQ_U(verdict_of(&F, &p, 0, if_a), SANDBOX_PASS);
			n += k < 2;
		}
	CHECK_EQ_U(fx_drain(&F), n);
	for (size_t i = 0; i < F.nr_ev; i++) {
		CHECK_EQ_U(F.ev[i].flags, FG_EV_MARK_UNKNOWN);
		CHECK_EQ_U(F.ev[i].mark, 0);
		CHECK_EQ_U(F.ev[i].source, FG_SRC_PKT);
	}
	c = fx_cnt(&F, SLOT_A);
	CHECK_EQ_U(c.lookup, n);
	CHECK_EQ_U(c.flagged, 0);
	CHECK_EQ_U(c.events, n);
	fx_close(&F);
}

/* ------------------------------------------------- unparsed, enforced */

/* A flagged packet the guard cannot parse is dropped on an enforcing
 * device all the same (its mark says it does not belong) and counted as
 * unparsed; on a device that does not enforce it passes, counted too.
 * With a mark that belongs, the same frames pass uncounted: they are
 * never parsed. */
static void test_skbmark_enforce_drops_unparsed(void)
{
	struct {
		uint8_t f[PKT_FRAME_MAX];
		size_t len;
	} fr[5];
	const unsigned n = sizeof(fr) / sizeof(fr[0]);
	struct pkt p;

	/* TCP cut in its header (IPv4, IPv6); ihl 4; IPv6 with a
	 * destination options header running past the end; ARP */
	p = flow(0, 0, 1300);
	fr[0].len = pkt_build(&p, fr[0].f) - 1;
	p = flow(1, 0, 1301);
	fr[1].len = pkt_build(&p, fr[1].f) - 1;
	p = flow(0, 1, 1302);
	fr[2].len = pkt_build(&p, fr[2].f);
	fr[2].f[14] = 0x44;
	p = flow(1, 1, 1303);
	p.nr_ext6 = 1;
	p.ext6[0] = IPPROTO_DSTOPTS;
	fr[3].len = 14 + 40 + 4;
	pkt_build(&p, fr[3].f);
	memcpy(fr[4].f, arp, sizeof(arp));
	fr[4].len = sizeof(arp);

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_a, SLOT_A, (uint32_t[]){ MARK_A }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ_U(fx_run_raw(&F, fr[i].f, fr[i].len, MARK_B, if_a, 1),
			   TC_ACT_SHOT);
		CHECK_EQ_U(fx_run_raw(&F, fr[i].f, fr[i].len, 0x3c00, if_a, 1),
			   TC_ACT_SHOT);
		CHECK_EQ_U(fx_run_raw(&F, fr[i].f, fr[i].len, MARK_A, if_a, 1),
			   SANDBOX_PASS);
		CHECK_EQ_U(fx_run_raw(&F, fr[i].f, fr[i].len, 0, if_a, 1),
			   SANDBOX_PASS);
		/* B does not enforce: passes, counted */
		CHECK_EQ_U(fx_run_raw(&F, fr[i].f, fr[i].len, MARK_A, if_b, 1),
			   SANDBOX_PASS);
	}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, 4 * n, 0, 0, 0, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), 2 * n);
	CHECK_CNT(&F, SLOT_B, n, 0, 0, 0, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_B), n);
	fx_close(&F);
}

/* ------------------------------------------ IPv6 extension headers */

/* flow(1, k, n) behind the extension headers given */
static struct pkt flow6_ext(int k, unsigned n, unsigned nr, const uint8_t *ext)
{
	struct pkt p = flow(1, k, n);

	p.nr_ext6 = (uint8_t)nr;
	memcpy(p.ext6, ext, nr);
	return p;
}

/* A flagged IPv6 TCP or UDP packet behind any one extension header the
 * guard walks (hop-by-hop, routing, a first fragment, destination
 * options, AH), or behind four, is reported with its real ports; so is
 * one whose fragment header says offset 0 with more to come. */
static void test_skbmark_ipv6_ext_headers_ports(void)
{
	static const uint8_t one[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
				       IPPROTO_FRAGMENT, IPPROTO_DSTOPTS,
				       IPPROTO_AH };
	static const uint8_t four[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS,
					IPPROTO_ROUTING, IPPROTO_FRAGMENT };
	static const uint8_t four_ah[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
					   IPPROTO_AH, IPPROTO_DSTOPTS };
	struct pkt ps[2 * 5 + 2 * 3];
	uint64_t t0, t1;
	unsigned n = 0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	t0 = now_ns();
	for (int k = 0; k < 2; k++) {
		for (unsigned i = 0; i < sizeof(one); i++, n++)
			ps[n] = flow6_ext(k, 1400 + n, 1, &one[i]);
		ps[n] = flow6_ext(k, 1400 + n, 4, four);
		n++;
		ps[n] = flow6_ext(k, 1400 + n, 4, four_ah);
		n++;
		ps[n] = flow6_ext(k, 1400 + n, 1, &one[2]);
		ps[n].frag_off = 1; /* offset 0, M */
		n++;
	}
	for (unsigned i = 0; i < n; i++)
		send_pkt(&F, &ps[i], MARK_B, if_a);
	t1 = now_ns();
	CHECK_EQ_U(fx_drain(&F), n);
	for (unsigned i = 0; i < n && i < F.nr_ev; i++)
		check_event(&F.ev[i], &ps[i], MARK_B, if_a, t0, t1);
	CHECK_CNT(&F, SLOT_A, n, 0, n, n, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), 0);
	fx_close(&F);
}

/* A later IPv6 fragment (offset != 0) has no ports, whatever its bytes
 * look like: flagged with ports 0 and the fragment's protocol, behind
 * other headers too; dropped where the device enforces. */
static void test_skbmark_ipv6_later_fragment(void)
{
	static const uint8_t frag[] = { IPPROTO_FRAGMENT };
	static const uint8_t hop_frag[] = { IPPROTO_HOPOPTS,
					    IPPROTO_FRAGMENT };
	struct pkt p[3];

	p[0] = flow6_ext(1, 1500, 1, frag);
	p[0].frag_off = 185 << 3 | 1; /* offset 1480, M */
	p[1] = flow6_ext(0, 1501, 2, hop_frag);
	p[1].frag_off = 370 << 3; /* the last one */
	p[2] = flow6_ext(1, 1502, 1, frag);
	p[2].frag_off = 185 << 3;
	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	CHECK_EQ_U(fx_uplink_flags(&F, if_b, SLOT_B, (uint32_t[]){ MARK_B }, 1,
				   FG_UPLINK_ENFORCE),
		   0);
	send_pkt(&F, &p[0], MARK_B, if_a);
	send_pkt(&F, &p[1], MARK_B, if_a);
	CHECK_EQ_U(verdict_of(&F, &p[2], MARK_A, if_b), TC_ACT_SHOT);
	CHECK_EQ_U(fx_drain(&F), 3);
	for (unsigned i = 0; i < 3 && i < F.nr_ev; i++) {
		CHECK_EQ_U(F.ev[i].sport, 0);
		CHECK_EQ_U(F.ev[i].dport, 0);
		CHECK_EQ_U(F.ev[i].l4proto, p[i].proto);
		CHECK_EQ_U(F.ev[i].family, 10);
		CHECK_EQ_U(F.ev[i].tcp_seq, 0);
		CHECK(!memcmp(F.ev[i].saddr, p[i].saddr, 16));
	}
	CHECK_CNT(&F, SLOT_A, 2, 0, 2, 2, 0);
	CHECK_CNT(&F, SLOT_B, 1, 0, 1, 1, 0);
	fx_close(&F);
}

/* The walk stops after four headers: a fifth is no transport header, so
 * the packet is unparsed, not reported with an extension header for its
 * protocol. ESP ends the walk like any transport protocol: reported,
 * without ports. */
static void test_skbmark_ipv6_ext_limit(void)
{
	static const uint8_t five[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS,
					IPPROTO_ROUTING, IPPROTO_FRAGMENT,
					IPPROTO_DSTOPTS };
	static const uint8_t hop[] = { IPPROTO_HOPOPTS };
	struct pkt p = flow6_ext(0, 1600, 5, five);
	struct pkt esp = flow6_ext(1, 1601, 1, hop);
	uint8_t frame[PKT_FRAME_MAX];
	size_t len;

	esp.proto = 50;
	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	send_pkt(&F, &p, MARK_B, if_a);
	/* what builds the ESP frame's "payload" does not matter: 16 bytes */
	len = pkt_build(&esp, frame);
	RUN_FRAME(&F, frame, len, MARK_B, if_a);
	CHECK_EQ_U(fx_drain(&F), 1);
	if (F.nr_ev == 1) {
		CHECK_EQ_U(F.ev[0].l4proto, 50);
		CHECK_EQ_U(F.ev[0].sport, 0);
		CHECK_EQ_U(F.ev[0].dport, 0);
	}
	CHECK_CNT(&F, SLOT_A, 2, 0, 1, 1, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), 1);
	fx_close(&F);
}

/* The hot path does not parse: packets that belong pass uncounted
 * whatever their extension headers, even ones cut short or beyond the
 * walk's limit (which, flagged, count as unparsed). */
static void test_skbmark_ipv6_ext_hot_path_unchanged(void)
{
	static const uint8_t chains[][5] = {
		{ IPPROTO_HOPOPTS },
		{ IPPROTO_FRAGMENT },
		{ IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		  IPPROTO_FRAGMENT, IPPROTO_DSTOPTS },
	};
	static const unsigned nr[] = { 1, 1, 5 };
	uint8_t frame[PKT_FRAME_MAX];
	unsigned seen = 0;

	FX_OPEN(FG_GUARD_SKBMARK, SEC_NS);
	for (unsigned c = 0; c < 3; c++)
		for (int k = 0; k < 2; k++) {
			struct pkt p = flow6_ext(k, 1700 + c, nr[c],
						 chains[c]);
			size_t len = pkt_build(&p, frame);

			send_pkt(&F, &p, MARK_A, if_a);
			send_pkt(&F, &p, 0, if_a);
			/* cut inside the first extension header */
			RUN_FRAME(&F, frame, 14 + 40 + 2, MARK_A, if_a);
			RUN_FRAME(&F, frame, len - 1, MARK_A, if_a);
			seen += 4;
		}
	CHECK_EQ_U(fx_drain(&F), 0);
	CHECK_CNT(&F, SLOT_A, seen, 0, 0, 0, 0);
	CHECK_EQ_U(fx_unparsed(&F, SLOT_A), 0);
	fx_close(&F);
}

/* The ct lookup parses the same way: an entry-less IPv6 packet behind
 * extension headers is looked up by its real ports and found; a later
 * fragment (no ports) is looked up and not found. */
static void test_ct_lookup_ipv6_ext_headers(void)
{
	static const uint8_t ext[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS };
	static const uint8_t frag[] = { IPPROTO_FRAGMENT };
	struct fg_ct *ct = NULL;
	struct fg_counters c;
	struct pkt p[2], later;

	CHECK_EQ_U(fg_ct_open(&ct), 0);
	if (!ct)
		return;
	FX_OPEN(FG_GUARD_CT_KCTX_LOOKUP, SEC_NS);
	for (int k = 0; k < 2; k++) {
		p[k] = flow6_ext(k, 1800 + (unsigned)k, 2, ext);
		CHECK_EQ_U(ct_entry_for(ct, &p[k], MARK_B), 0);
		send_pkt(&F, &p[k], 0, if_a);
	}
	later = flow6_ext(1, 1801, 1, frag);
	later.frag_off = 185 << 3;
	send_pkt(&F, &later, 0, if_a);
	CHECK_EQ_U(fx_drain(&F), 2);
	for (unsigned i = 0; i < 2 && i < F.nr_ev; i++) {
		CHECK_EQ_U(F.ev[i].source, FG_SRC_CT);
		CHECK_EQ_U(F.ev[i].l4proto, p[i].proto);
		CHECK_EQ_U(F.ev[i].sport, htons(p[i].sport));
		CHECK_EQ_U(F.ev[i].dport, htons(p[i].dport));
	}
	c = fx_cnt(&F, SLOT_A);
	CHECK_EQ_U(c.lookup, 3);
	CHECK_EQ_U(c.lookup_hits, 2);
	CHECK_EQ_U(c.flagged, 2);
	fx_close(&F);
	fg_ct_close(ct);
}

static int run_all(void)
{
	if (sandbox_veth(&if_a, &if_b))
		return SANDBOX_SETUP_FAILED;
	RUN(test_ctx_in_fields);
	RUN(test_skbmark_allowed_not_flagged);
	RUN(test_skbmark_foreign_flagged_event);
	RUN(test_skbmark_truncated_unparsed);
	RUN(test_skbmark_non_ip_unparsed);
	RUN(test_skbmark_down_uplink_flagged);
	RUN(test_skbmark_two_marks_one_dev);
	RUN(test_skbmark_reserved_never_flagged);
	RUN(test_skbmark_extra_bits_outside_mask);
	RUN(test_skbmark_ipv4_later_fragment);
	RUN(test_skbmark_dedupe_same_flow);
	RUN(test_skbmark_dedupe_interval_expires);
	RUN(test_skbmark_counters_add_up);
	RUN(test_skbmark_ringbuf_full_lost);
	RUN(test_unknown_ifindex_ignored);
	RUN(test_ct_kctx_no_entry);
	RUN(test_ct_probe_no_entry);
	RUN(test_skbmark_enforce_drops_flagged);
	RUN(test_skbmark_enforce_passes_what_belongs);
	RUN(test_skbmark_enforce_per_device_and_live);
	RUN(test_skbmark_enforce_down_uplink_and_fragment);
	RUN(test_skbmark_enforce_ringbuf_full);
	RUN(test_ct_kctx_enforce_no_entry);
	RUN(test_ct_probe_enforce_no_entry);
	RUN(test_ct_kctx_lookup_finds_entry);
	RUN(test_ct_probe_lookup_finds_entry);
	RUN(test_ct_lookup_reply_dir_and_enforce);
	RUN(test_ct_lookup_sampled_unless_down);
	RUN(test_skbmark_unmarked_reported_while_down);
	RUN(test_skbmark_enforce_drops_unparsed);
	RUN(test_skbmark_ipv6_ext_headers_ports);
	RUN(test_skbmark_ipv6_later_fragment);
	RUN(test_skbmark_ipv6_ext_limit);
	RUN(test_skbmark_ipv6_ext_hot_path_unchanged);
	RUN(test_ct_lookup_ipv6_ext_headers);
	UNIT_EXIT();
}

int main(void)
{
	return sandbox_run("verdict", run_all);
}
