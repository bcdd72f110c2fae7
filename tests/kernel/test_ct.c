// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ct.c - loader/ct.c against the real kernel's conntrack. Every test
 * first moves the process into a fresh network namespace (unshare), so the
 * host's table is never touched and each test starts from an empty one.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "ct.h"
#include "unit.h"

#define TIMEOUT_S 600
#define MASK 0x3f00u
#define DEAD 0x100u

/* ---- helpers ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A fresh, empty conntrack table for this test, and a handle on it. */
static struct fg_ct *setup(void)
{
	struct fg_ct *ct = NULL;
	int err;

	err = unshare(CLONE_NEWNET) ? -errno : 0;
	CHECK_EQ_I(err, 0);
	if (err)
		return NULL;
	err = fg_ct_open(&ct);
	CHECK_EQ_I(err, 0);
	return ct;
}

static void put_v4(uint8_t *a, uint32_t host)
{
	uint32_t be = htonl(host);

	memcpy(a, &be, 4);
}

/* 2001:db8:<hi>::<lo> */
static void put_v6(uint8_t *a, uint16_t hi, uint32_t lo)
{
	uint32_t be = htonl(lo);

	memset(a, 0, 16);
	a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
	a[4] = hi >> 8, a[5] = hi & 0xff;
	memcpy(a + 12, &be, 4);
}

static void invert(const struct fg_ct_tuple *in, struct fg_ct_tuple *out)
{
	*out = *in;
	memcpy(out->saddr, in->daddr, 16);
	memcpy(out->daddr, in->saddr, 16);
	out->sport = in->dport;
	out->dport = in->sport;
}

/* Flow number i from a client to a server, no NAT: reply = inverse. */
static struct fg_ct_entry mk(uint8_t family, uint8_t proto, uint32_t i,
			     uint32_t mark)
{
	struct fg_ct_entry e;
	int v6 = family == AF_INET6;

	memset(&e, 0, sizeof(e));
	e.orig.family = family;
	e.orig.l4proto = proto;
	if (v6) {
		put_v6(e.orig.saddr, 1, i);
		put_v6(e.orig.daddr, 2, 1);
	} else {
		put_v4(e.orig.saddr, 0x0a000000u | i);	/* 10.0.0.0/8 */
		put_v4(e.orig.daddr, 0xc6336401u);	/* 198.51.100.1 */
	}
	e.mark = mark;
	e.status = IPS_SEEN_REPLY | IPS_ASSURED;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		e.orig.sport = htons(i & 0xffff);
		e.orig.dport = v6 ? FG_CT_ICMP(128, 0) : FG_CT_ICMP(8, 0);
		invert(&e.orig, &e.reply);
		e.reply.sport = e.orig.sport;
		e.reply.dport = v6 ? FG_CT_ICMP(129, 0) : FG_CT_ICMP(0, 0);
		return e;
	}
	e.orig.sport = htons(1024 + i % 60000);
	e.orig.dport = htons(i / 60000 + 80);
	invert(&e.orig, &e.reply);
	if (proto == IPPROTO_TCP)
		e.tcp_state = TCP_CONNTRACK_ESTABLISHED;
	return e;
}

static int tuple_eq(const struct fg_ct_tuple *a, const struct fg_ct_tuple *b)
{
	size_t n = a->family == AF_INET6 ? 16 : 4;

	return a->family == b->family && a->l4proto == b->l4proto &&
	       !memcmp(a->saddr, b->saddr, n) &&
	       !memcmp(a->daddr, b->daddr, n) && a->sport == b->sport &&
	       a->dport == b->dport;
}

/* got is what the kernel says about what we created as want */
static void check_entry(const struct fg_ct_entry *got,
			const struct fg_ct_entry *want)
{
	CHECK(tuple_eq(&got->orig, &want->orig));
	CHECK(tuple_eq(&got->reply, &want->reply));
	CHECK_EQ_U(got->mark, want->mark);
	CHECK_EQ_U(got->zone, want->zone);
	CHECK_EQ_U(got->tcp_state, want->tcp_state);
	CHECK((got->status & want->status) == want->status);
	CHECK(got->status & IPS_CONFIRMED);
	CHECK(got->id != 0);
}

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* nf_conntrack_count drops when the last reference goes: give it time. */
static long long table_count_settled(long long want)
{
	long long n = fg_ct_table_count();
	int i;

	for (i = 0; i < 100 && n != want; i++) {
		usleep(10000);
		n = fg_ct_table_count();
	}
	return n;
}

/* ---- the mark categories of the collateral tests ---- */

static const uint32_t cat_mark[] = {
	0x100,	 /* dead uplink (id 1) */
	0x101,	 /* dead, a bit outside the mask */
	0x10100, /* dead, another bit outside the mask */
	0x200,	 /* surviving uplink */
	0x0,	 /* unmarked */
	0x3f00,	 /* default */
	0x3e00,	 /* unreachable */
	0x3d00,	 /* blackhole */
	0x300,	 /* has the 0x100 bit, but is uplink 3 */
};
#define NCAT (sizeof(cat_mark) / sizeof(cat_mark[0]))

static int cat_dead(size_t c)
{
	return (cat_mark[c] & MASK) == DEAD;
}

/* n entries per category, IPv4 and IPv6 alternating, TCP/UDP/ICMP mixed */
static int fill_categories(struct fg_ct *ct, uint32_t per_cat)
{
	static const uint8_t p4[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	static const uint8_t p6[] = { IPPROTO_TCP, IPPROTO_UDP,
				      IPPROTO_ICMPV6 };
	struct fg_ct_entry *v;
	size_t failed = 0, c;
	uint32_t k, i;
	int err;

	v = calloc(NCAT * per_cat, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (c = 0; c < NCAT; c++) {
		for (k = 0; k < per_cat; k++) {
			i = (uint32_t)c * per_cat + k;
			v[i] = (k & 1) ? mk(AF_INET6, p6[k / 2 % 3], i,
					   cat_mark[c])
				       : mk(AF_INET, p4[k / 2 % 3], i,
					    cat_mark[c]);
		}
	}
	err = fg_ct_create_many(ct, v, NCAT * per_cat, TIMEOUT_S, &failed);
	free(v);
	CHECK_EQ_I(err, 0);
	CHECK_EQ_I(failed, 0);
	return err;
}

struct tally {
	uint64_t n[NCAT][2]; /* [category][IPv6?] */
	uint64_t other;
};

static int tally_cb(const struct fg_ct_entry *e, void *arg)
{
	struct tally *t = arg;
	size_t c;

	for (c = 0; c < NCAT; c++) {
		if (e->mark == cat_mark[c]) {
			t->n[c][e->orig.family == AF_INET6]++;
			return 0;
		}
	}
	t->other++;
	return 0;
}

static int tally(struct fg_ct *ct, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	return fg_ct_dump(ct, AF_UNSPEC, 0, 0, tally_cb, t);
}

/* Expect per family: dead4/dead6 for the dead categories, half of
 * per_cat for every other one; nothing unknown. */
static void check_tally(const struct tally *t, uint32_t per_cat,
			uint64_t dead4, uint64_t dead6)
{
	size_t c;

	for (c = 0; c < NCAT; c++) {
		if (t->n[c][0] != (cat_dead(c) ? dead4 : per_cat / 2) ||
		    t->n[c][1] != (cat_dead(c) ? dead6 : per_cat / 2))
			printf("  mark 0x%x: %llu IPv4, %llu IPv6\n",
			       cat_mark[c], (unsigned long long)t->n[c][0],
			       (unsigned long long)t->n[c][1]);
		CHECK_EQ_U(t->n[c][0], cat_dead(c) ? dead4 : per_cat / 2);
		CHECK_EQ_U(t->n[c][1], cat_dead(c) ? dead6 : per_cat / 2);
	}
	CHECK_EQ_U(t->other, 0);
}

/* ---- tests ---- */

static void test_tuple_fmt(void)
{
	struct fg_ct_tuple t;
	char buf[128];

	t = mk(AF_INET, IPPROTO_TCP, 0x020001, 0).orig;
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "tcp 10.2.0.1:12097 -> 198.51.100.1:82");
	t = mk(AF_INET6, IPPROTO_UDP, 1, 0).orig;
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "udp [2001:db8:1::1]:1025 -> [2001:db8:2::1]:80");
	t = mk(AF_INET, IPPROTO_ICMP, 7, 0).orig;
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "icmp 10.0.0.7 -> 198.51.100.1 id 7 type 8 code 0");
	t = mk(AF_INET6, IPPROTO_ICMPV6, 9, 0).reply;
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "icmpv6 2001:db8:2::1 -> 2001:db8:1::9 id 9 type 129 code 0");
	t = mk(AF_INET, IPPROTO_GRE, 1, 0).orig;
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "gre 10.0.0.1 -> 198.51.100.1");
	t.l4proto = 50;
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "proto 50 10.0.0.1 -> 198.51.100.1");
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, 10), -ENOSPC);
	CHECK_STR(buf, "proto 50 ");
	t.family = 0;
	CHECK_EQ_I(fg_ct_tuple_fmt(&t, buf, sizeof(buf)), -EINVAL);
}

static void test_open_close(void)
{
	struct fg_ct *ct = setup();

	CHECK(ct != NULL);
	CHECK_EQ_I(fg_ct_table_count(), 0);
	fg_ct_close(ct);
	fg_ct_close(NULL);
	CHECK_EQ_I(fg_ct_open(NULL), -EINVAL);
}

/* create, then get by both tuples: every field comes back */
static void get_both_ways(struct fg_ct *ct, const struct fg_ct_entry *e)
{
	struct fg_ct_entry a, b;

	CHECK_EQ_I(fg_ct_create(ct, e, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_get(ct, &e->orig, FG_CT_ORIG, e->zone, &a), 0);
	check_entry(&a, e);
	CHECK_EQ_I(fg_ct_get(ct, &e->reply, FG_CT_REPLY, e->zone, &b), 0);
	check_entry(&b, e);
	CHECK_EQ_U(a.id, b.id);
	/* the kernel's lookup matches either direction, whichever
	 * attribute carries the tuple (the reaper counts on it) */
	CHECK_EQ_I(fg_ct_get(ct, &e->reply, FG_CT_ORIG, e->zone, &b), 0);
	CHECK_EQ_U(a.id, b.id);
	CHECK_EQ_I(fg_ct_get(ct, &e->orig, FG_CT_REPLY, e->zone, &b), 0);
	CHECK_EQ_U(a.id, b.id);
}

static void test_get_v4_tcp(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e = mk(AF_INET, IPPROTO_TCP, 1, 0x100);

	get_both_ways(ct, &e);
	e = mk(AF_INET, IPPROTO_UDP, 2, 0x3f00);
	e.status = 0; /* unreplied */
	get_both_ways(ct, &e);
	fg_ct_close(ct);
}

static void test_get_v6_masquerade(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e = mk(AF_INET6, IPPROTO_UDP, 3, 0x200);
	struct fg_ct_entry t = mk(AF_INET6, IPPROTO_TCP, 4, 0x300);

	/* the reply goes to the router's WAN address and a new port */
	put_v6(e.reply.daddr, 0xffff, 0x99);
	e.reply.dport = htons(40000);
	get_both_ways(ct, &e);
	t.tcp_state = TCP_CONNTRACK_TIME_WAIT;
	get_both_ways(ct, &t);
	fg_ct_close(ct);
}

static void test_get_icmp(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e4 = mk(AF_INET, IPPROTO_ICMP, 0x1234, 0x100);
	struct fg_ct_entry e6 = mk(AF_INET6, IPPROTO_ICMPV6, 0x4321, 0x200);

	get_both_ways(ct, &e4);
	get_both_ways(ct, &e6);
	fg_ct_close(ct);
}

static void test_get_missing(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e[3], got;
	size_t failed = 9;

	e[0] = mk(AF_INET, IPPROTO_TCP, 10, 0x100);
	e[1] = mk(AF_INET, IPPROTO_TCP, 11, 0x100);
	e[2] = mk(AF_INET6, IPPROTO_TCP, 12, 0x100);
	CHECK_EQ_I(fg_ct_get(ct, &e[0].orig, FG_CT_ORIG, 0, &got), -ENOENT);
	CHECK_EQ_I(fg_ct_get(ct, &e[0].orig, FG_CT_REPLY, 0, &got), -ENOENT);
	CHECK_EQ_I(fg_ct_create(ct, &e[1], TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_create(ct, &e[1], TIMEOUT_S), -EEXIST);
	/* the kernel goes on after a refused message of a batch */
	CHECK_EQ_I(fg_ct_create_many(ct, e, 3, TIMEOUT_S, &failed), -EEXIST);
	CHECK_EQ_I(failed, 1);
	CHECK_EQ_I(fg_ct_get(ct, &e[0].orig, FG_CT_ORIG, 0, &got), 0);
	CHECK_EQ_I(fg_ct_get(ct, &e[2].orig, FG_CT_ORIG, 0, &got), 0);
	CHECK_EQ_I(fg_ct_table_count(), 3);
	/* bad input is refused before anything is sent */
	e[0].reply.l4proto = IPPROTO_UDP;
	CHECK_EQ_I(fg_ct_create(ct, &e[0], TIMEOUT_S), -EINVAL);
	CHECK_EQ_I(fg_ct_create(ct, &e[1], 0), -EINVAL);
	fg_ct_close(ct);
}

static void test_zones(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry z0 = mk(AF_INET, IPPROTO_TCP, 20, 0x100);
	struct fg_ct_entry z7 = z0, a, b;

	z7.zone = 7;
	z7.mark = 0x200;
	CHECK_EQ_I(fg_ct_create(ct, &z0, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_create(ct, &z7, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_get(ct, &z0.orig, FG_CT_ORIG, 0, &a), 0);
	check_entry(&a, &z0);
	CHECK_EQ_I(fg_ct_get(ct, &z7.reply, FG_CT_REPLY, 7, &b), 0);
	check_entry(&b, &z7);
	CHECK(a.id != b.id);
	CHECK_EQ_I(fg_ct_get(ct, &z0.orig, FG_CT_ORIG, 3, &a), -ENOENT);
	/* deleting in zone 7 leaves zone 0 alone */
	CHECK_EQ_I(fg_ct_delete_entry(ct, &b), 0);
	CHECK_EQ_I(fg_ct_get(ct, &z0.orig, FG_CT_ORIG, 7, &b), -ENOENT);
	CHECK_EQ_I(fg_ct_get(ct, &z0.orig, FG_CT_ORIG, 0, &a), 0);
	/* the mark flush covers every zone */
	z7.mark = 0x100;
	CHECK_EQ_I(fg_ct_create(ct, &z7, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, 0x100, MASK), 0);
	CHECK_EQ_I(fg_ct_table_count(), 0);
	fg_ct_close(ct);
}

static void test_delete_entry(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e = mk(AF_INET6, IPPROTO_UDP, 30, 0x100);
	struct fg_ct_entry keep = mk(AF_INET6, IPPROTO_UDP, 31, 0x100);
	struct fg_ct_entry got, wrong;

	CHECK_EQ_I(fg_ct_create(ct, &e, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_create(ct, &keep, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &got), 0);
	wrong = got;
	wrong.id ^= 1;
	CHECK_EQ_I(fg_ct_delete_entry(ct, &wrong), -ENOENT);
	CHECK_EQ_I(fg_ct_delete_entry(ct, &got), 0);
	CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &got), -ENOENT);
	CHECK_EQ_I(fg_ct_delete_entry(ct, &got), -ENOENT);
	CHECK_EQ_I(fg_ct_get(ct, &keep.orig, FG_CT_ORIG, 0, &got), 0);
	fg_ct_close(ct);
}

/*
 * The race: read entry A, someone else deletes it, the flow comes back
 * (entry B, same tuple): the delete with A's id must not touch B. Other
 * entries are created in between, as on a busy router, so B is not built
 * in the memory A just left (see test_id_same_slot for that case).
 */
static void test_delete_stale_id(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e = mk(AF_INET, IPPROTO_TCP, 40, 0x100);
	struct fg_ct_entry other[64], a, b;
	uint32_t i;

	for (i = 0; i < 64; i++)
		other[i] = mk(AF_INET, IPPROTO_UDP, 1000 + i, 0x200);
	CHECK_EQ_I(fg_ct_create(ct, &e, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &a), 0);
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_INET, 0x100, 0xffffffff), 0);
	CHECK_EQ_I(fg_ct_create_many(ct, other, 64, TIMEOUT_S, NULL), 0);
	e.mark = 0x200; /* the new flow took the surviving uplink */
	CHECK_EQ_I(fg_ct_create(ct, &e, TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &b), 0);
	CHECK(a.id != b.id);
	CHECK_EQ_I(fg_ct_delete_entry(ct, &a), -ENOENT);
	CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &b), 0);
	CHECK_EQ_U(b.mark, 0x200);
	CHECK_EQ_I(fg_ct_delete_entry(ct, &b), 0);
	fg_ct_close(ct);
}

/*
 * The same race with nothing in between: the kernel's id is a hash of the
 * entry's address and tuples, and the slab hands the freed object straight
 * back, so B usually gets A's id and the stale delete removes B. Checked
 * for consistency, and reported.
 */
static void test_id_same_slot(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e = mk(AF_INET, IPPROTO_TCP, 50, 0x100);
	struct fg_ct_entry a, b;
	int same = 0, i;

	for (i = 0; i < 10; i++) {
		int err;

		e.mark = 0x100;
		CHECK_EQ_I(fg_ct_create(ct, &e, TIMEOUT_S), 0);
		CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &a), 0);
		CHECK_EQ_I(fg_ct_flush_mark(ct, AF_INET, 0x100, MASK), 0);
		e.mark = 0x200;
		CHECK_EQ_I(fg_ct_create(ct, &e, TIMEOUT_S), 0);
		CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &b), 0);
		same += a.id == b.id;
		err = fg_ct_delete_entry(ct, &a);
		CHECK_EQ_I(err, a.id == b.id ? 0 : -ENOENT);
		if (err)
			CHECK_EQ_I(fg_ct_delete_entry(ct, &b), 0);
	}
	printf("  note: %d of 10 immediate re-creations got the old id"
	       " (the stale delete then removed the new entry)\n", same);
	fg_ct_close(ct);
}

static void test_flush_collateral(void)
{
	struct fg_ct *ct = setup();
	uint32_t per_cat = 2000;
	struct tally t;
	uint64_t sent;
	double t0;

	if (!ct || fill_categories(ct, per_cat))
		goto out;
	CHECK_EQ_I(tally(ct, &t), 0);
	check_tally(&t, per_cat, per_cat / 2, per_cat / 2);
	sent = fg_ct_msgs_sent(ct);
	t0 = now_s();
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, DEAD, MASK), 0);
	printf("  flush 0x%x/0x%x of %u entries: %.1f ms, %llu request\n",
	       DEAD, MASK, (unsigned int)(NCAT * per_cat),
	       (now_s() - t0) * 1e3,
	       (unsigned long long)(fg_ct_msgs_sent(ct) - sent));
	CHECK_EQ_U(fg_ct_msgs_sent(ct) - sent, 1);
	CHECK_EQ_I(tally(ct, &t), 0);
	check_tally(&t, per_cat, 0, 0);
	CHECK_EQ_I(table_count_settled((NCAT - 3) * per_cat),
		  (NCAT - 3) * per_cat);
out:
	fg_ct_close(ct);
}

static void test_flush_family(void)
{
	struct fg_ct *ct = setup();
	uint32_t per_cat = 2000;
	struct tally t;

	if (!ct || fill_categories(ct, per_cat))
		goto out;
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_INET, DEAD, MASK), 0);
	CHECK_EQ_I(tally(ct, &t), 0);
	check_tally(&t, per_cat, 0, per_cat / 2);
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_INET6, DEAD, MASK), 0);
	CHECK_EQ_I(tally(ct, &t), 0);
	check_tally(&t, per_cat, 0, 0);
out:
	fg_ct_close(ct);
}

static void test_flush_seatbelts(void)
{
	struct fg_ct *ct = setup();
	uint32_t per_cat = 20;
	uint64_t before = 0, after = 0, sent;
	struct tally t;
	size_t c;

	if (!ct || fill_categories(ct, per_cat))
		goto out;
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0, 0, &before), 0);
	sent = fg_ct_msgs_sent(ct);
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, 0, 0), -EINVAL);
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, DEAD, 0), -EINVAL);
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, DEAD, 0xff), -EINVAL);
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, DEAD | 1, MASK), -EINVAL);
	CHECK_EQ_I(fg_ct_flush_mark(ct, 99, DEAD, MASK), -EINVAL);
	CHECK_EQ_I(fg_ct_dump(ct, AF_UNSPEC, DEAD | 1, MASK, tally_cb, &t),
		  -EINVAL);
	CHECK_EQ_U(fg_ct_msgs_sent(ct), sent);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0, 0, &after), 0);
	CHECK_EQ_U(after, before);
	CHECK_EQ_U(after, NCAT * per_cat);
	/* mark 0 is allowed with a mask: only the unmarked entries go */
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, 0, MASK), 0);
	CHECK_EQ_I(tally(ct, &t), 0);
	for (c = 0; c < NCAT; c++)
		CHECK_EQ_U(t.n[c][0] + t.n[c][1], cat_mark[c] ? per_cat : 0);
out:
	fg_ct_close(ct);
}

static void test_dump_filter_counts(void)
{
	struct fg_ct *ct = setup();
	uint32_t per_cat = 2000;
	uint64_t n = 0;

	if (!ct || fill_categories(ct, per_cat))
		goto out;
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, DEAD, MASK, &n), 0);
	CHECK_EQ_U(n, 3 * per_cat);
	CHECK_EQ_I(fg_ct_count(ct, AF_INET, DEAD, MASK, &n), 0);
	CHECK_EQ_U(n, 3 * per_cat / 2);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, DEAD, 0xffffffff, &n), 0);
	CHECK_EQ_U(n, per_cat);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0x300, MASK, &n), 0);
	CHECK_EQ_U(n, per_cat);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0x10000, 0x10000, &n), 0);
	CHECK_EQ_U(n, per_cat);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0, MASK, &n), 0);
	CHECK_EQ_U(n, per_cat);
	CHECK_EQ_I(fg_ct_count(ct, AF_INET6, 0, 0, &n), 0);
	CHECK_EQ_U(n, NCAT * per_cat / 2);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0, 0, &n), 0);
	CHECK_EQ_U(n, NCAT * per_cat);
	CHECK_EQ_I(fg_ct_table_count(), (long long)n);
out:
	fg_ct_close(ct);
}

struct stopper {
	int calls, stop_at, ret;
};

static int stop_cb(const struct fg_ct_entry *e, void *arg)
{
	struct stopper *s = arg;

	(void)e;
	return ++s->calls == s->stop_at ? s->ret : 0;
}

/* A dump stopped early leaves the rest behind: the next request must
 * still get its own answer. */
static void test_dump_stop_early(void)
{
	struct fg_ct *ct = setup();
	struct stopper s = { .stop_at = 10, .ret = 1 };
	struct fg_ct_entry e = mk(AF_INET, IPPROTO_TCP, 0, 0x100), got;
	uint64_t n = 0;

	if (!ct || fill_categories(ct, 200))
		goto out;
	CHECK_EQ_I(fg_ct_dump(ct, AF_UNSPEC, 0, 0, stop_cb, &s), 0);
	CHECK_EQ_I(s.calls, 10);
	s = (struct stopper){ .stop_at = 3, .ret = -ECANCELED };
	CHECK_EQ_I(fg_ct_dump(ct, AF_UNSPEC, 0, 0, stop_cb, &s), -ECANCELED);
	CHECK_EQ_I(s.calls, 3);
	CHECK_EQ_I(fg_ct_get(ct, &e.orig, FG_CT_ORIG, 0, &got), 0);
	check_entry(&got, &e);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0, 0, &n), 0);
	CHECK_EQ_U(n, NCAT * 200);
out:
	fg_ct_close(ct);
}

/* A batch where every message fails: all errors come back, none lost. */
static void test_create_many_errors(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry *v = calloc(5000, sizeof(*v));
	size_t failed = 0;
	uint32_t i;

	if (!ct || !v) {
		CHECK(v != NULL);
		goto out;
	}
	for (i = 0; i < 5000; i++)
		v[i] = mk(i & 1 ? AF_INET6 : AF_INET, IPPROTO_UDP, i, 0x200);
	CHECK_EQ_I(fg_ct_create_many(ct, v, 5000, TIMEOUT_S, &failed), 0);
	CHECK_EQ_I(fg_ct_create_many(ct, v, 5000, TIMEOUT_S, &failed),
		  -EEXIST);
	CHECK_EQ_I(failed, 5000);
	v[4999] = mk(AF_INET, IPPROTO_UDP, 5000, 0x200);
	CHECK_EQ_I(fg_ct_create_many(ct, v, 5000, TIMEOUT_S, &failed),
		  -EEXIST);
	CHECK_EQ_I(failed, 4999);
	CHECK_EQ_I(fg_ct_table_count(), 5001);
out:
	free(v);
	fg_ct_close(ct);
}

/* Lookups of many kinds in one call, over more than one sendmsg(): each
 * result in its own slot, whatever its neighbours got. */
static void test_get_many_mixed(void)
{
	enum { N = 300 };
	struct fg_ct *ct = setup();
	struct fg_ct_entry *v = calloc(N, sizeof(*v));
	struct fg_ct_entry *out = calloc(N, sizeof(*out));
	struct fg_ct_query *q = calloc(N, sizeof(*q));
	int res[N];
	uint32_t i;

	if (!ct || !v || !out || !q) {
		CHECK(v && out && q);
		goto out;
	}
	for (i = 0; i < N; i++) {
		v[i] = mk(i & 1 ? AF_INET6 : AF_INET,
			  i % 3 ? IPPROTO_UDP : IPPROTO_TCP, i, 0x100 + i % 4);
		v[i].zone = i % 5 == 4 ? 7 : 0;
	}
	/* every third one is never created */
	for (i = 0; i < N; i++)
		if (i % 3 != 2)
			CHECK_EQ_I(fg_ct_create(ct, &v[i], TIMEOUT_S), 0);
	for (i = 0; i < N; i++) {
		q[i].dir = i % 2 ? FG_CT_REPLY : FG_CT_ORIG;
		q[i].t = i % 2 ? v[i].reply : v[i].orig;
		q[i].zone = v[i].zone;
	}
	q[10].zone = 3; /* created in zone 0 */
	CHECK_EQ_I(fg_ct_get_many(ct, q, N, out, res), 0);
	for (i = 0; i < N; i++) {
		int want = i % 3 == 2 || i == 10 ? -ENOENT : 0;

		CHECK_EQ_I(res[i], want);
		if (!want && !res[i])
			check_entry(&out[i], &v[i]);
	}
	CHECK_EQ_I(fg_ct_table_count(), N - N / 3);
out:
	free(q);
	free(out);
	free(v);
	fg_ct_close(ct);
}

/* The service's delete: a batch of entries by id, some gone, some
 * replaced; exactly those with the right id go, nothing else. */
struct collect {
	struct fg_ct_entry *v;
	size_t n, cap;
};

static int collect_cb(const struct fg_ct_entry *e, void *arg)
{
	struct collect *c = arg;

	if (c->n == c->cap)
		return -ENOSPC;
	c->v[c->n++] = *e;
	return 0;
}

/* A protocol without ports (ESP: the kernel's generic tracker) goes
 * through the library's build and parse like the others: created, looked
 * up, deleted by id in a batch, and only the entries asked for go. */
static void test_many_portless_proto(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry e[4], got[3];
	struct fg_ct_query q[3];
	int res[3], i;

	e[0] = mk(AF_INET, IPPROTO_TCP, 1, 0x100);
	e[1] = mk(AF_INET, 50, 2, 0x100);
	e[1].orig.sport = e[1].orig.dport = 0;
	invert(&e[1].orig, &e[1].reply);
	e[2] = mk(AF_INET6, 50, 3, 0x100);
	e[2].orig.sport = e[2].orig.dport = 0;
	invert(&e[2].orig, &e[2].reply);
	e[3] = mk(AF_INET, IPPROTO_TCP, 4, 0x100); /* must stay */
	CHECK_EQ_I(fg_ct_create_many(ct, e, 4, TIMEOUT_S, NULL), 0);
	memset(q, 0, sizeof(q));
	for (i = 0; i < 3; i++)
		q[i].t = e[i].orig;
	q[2].t = e[2].reply;
	q[2].dir = FG_CT_REPLY;
	CHECK_EQ_I(fg_ct_get_many(ct, q, 3, got, res), 0);
	for (i = 0; i < 3; i++) {
		CHECK_EQ_I(res[i], 0);
		check_entry(&got[i], &e[i]);
		e[i].id = got[i].id;
	}
	CHECK_EQ_I(fg_ct_delete_many(ct, e, 3, res), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ_I(res[i], 0);
	CHECK_EQ_I(fg_ct_table_count(), 1);
	CHECK_EQ_I(fg_ct_get(ct, &e[3].orig, FG_CT_ORIG, 0, &got[0]), 0);
	fg_ct_close(ct);
}

static void test_delete_many_exact(void)
{
	struct fg_ct *ct = setup();
	uint32_t per_cat = 400;
	struct collect c = { .cap = 3 * 400 };
	struct tally t;
	int *res = calloc(3 * 400, sizeof(*res));
	size_t i, wrong = 0;

	c.v = calloc(c.cap, sizeof(*c.v));
	if (!ct || !c.v || !res) {
		CHECK(c.v && res);
		goto out;
	}
	if (fill_categories(ct, per_cat))
		goto out;
	CHECK_EQ_I(fg_ct_dump(ct, AF_UNSPEC, DEAD, MASK, collect_cb, &c), 0);
	CHECK_EQ_U(c.n, 3 * per_cat);
	/* every seventh carries a stale id: the kernel must refuse it */
	for (i = 0; i < c.n; i += 7, wrong++)
		c.v[i].id ^= 0x5a5a;
	CHECK_EQ_I(fg_ct_delete_many(ct, c.v, c.n, res), 0);
	for (i = 0; i < c.n; i++)
		CHECK_EQ_I(res[i], i % 7 ? 0 : -ENOENT);
	CHECK_EQ_I(tally(ct, &t), 0);
	/* the dead categories keep exactly the wrong-id ones; all others
	 * are whole */
	{
		uint64_t dead_left = 0;
		size_t k;

		for (k = 0; k < NCAT; k++) {
			if (cat_dead(k)) {
				dead_left += t.n[k][0] + t.n[k][1];
				continue;
			}
			CHECK_EQ_U(t.n[k][0], per_cat / 2);
			CHECK_EQ_U(t.n[k][1], per_cat / 2);
		}
		CHECK_EQ_U(dead_left, wrong);
		CHECK_EQ_U(t.other, 0);
	}
	/* again: all gone or wrong now */
	CHECK_EQ_I(fg_ct_delete_many(ct, c.v, c.n, res), 0);
	for (i = 0; i < c.n; i++)
		CHECK_EQ_I(res[i], -ENOENT);
out:
	free(res);
	free(c.v);
	fg_ct_close(ct);
}

/* One bad item refuses the whole call before anything is sent. */
static void test_many_bad_input(void)
{
	struct fg_ct *ct = setup();
	struct fg_ct_entry v[3], out[3];
	struct fg_ct_query q[3];
	int res[3] = { 0 }, i;
	uint64_t sent;

	if (!ct)
		return;
	for (i = 0; i < 3; i++) {
		v[i] = mk(AF_INET, IPPROTO_UDP, (uint32_t)i, 0x100);
		CHECK_EQ_I(fg_ct_create(ct, &v[i], TIMEOUT_S), 0);
		memset(&q[i], 0, sizeof(q[i]));
		q[i].t = v[i].orig;
	}
	sent = fg_ct_msgs_sent(ct);
	q[1].t.family = AF_UNSPEC;
	CHECK_EQ_I(fg_ct_get_many(ct, q, 3, out, res), -EINVAL);
	CHECK(res[0] == -EINVAL && res[1] == -EINVAL && res[2] == -EINVAL);
	q[1].t.family = AF_INET;
	q[1].dir = (enum fg_ct_tuple_dir)2;
	CHECK_EQ_I(fg_ct_get_many(ct, q, 3, out, res), -EINVAL);
	CHECK_EQ_I(fg_ct_get_many(ct, q, 3, NULL, res), -EINVAL);
	CHECK_EQ_I(fg_ct_get_many(ct, q, 3, out, NULL), -EINVAL);
	v[2].orig.family = 99;
	CHECK_EQ_I(fg_ct_delete_many(ct, v, 3, res), -EINVAL);
	CHECK_EQ_I(fg_ct_delete_many(ct, NULL, 3, res), -EINVAL);
	CHECK_EQ_I(fg_ct_delete_many(ct, v, 0, res), 0);
	CHECK_EQ_U(fg_ct_msgs_sent(ct), sent);
	CHECK_EQ_I(fg_ct_table_count(), 3);
	fg_ct_close(ct);
}

/* n flows, IPv4/IPv6, TCP/UDP, marks 0x100, 0x200, 0x300 in turn */
static struct fg_ct_entry *mk_many(uint32_t n)
{
	static const uint8_t proto[] = { IPPROTO_TCP, IPPROTO_UDP };
	static const uint32_t mark[] = { 0x100, 0x200, 0x300 };
	struct fg_ct_entry *v = calloc(n, sizeof(*v));
	uint32_t i;

	for (i = 0; v && i < n; i++)
		v[i] = mk(i & 1 ? AF_INET6 : AF_INET, proto[i / 2 % 2], i,
			  mark[i % 3]);
	return v;
}

/* FG_TEST_CT_N=250000 for a bigger run (below nf_conntrack_max). */
static void test_create_many_100k(void)
{
	long long max = read_ll("/proc/sys/net/netfilter/nf_conntrack_max");
	struct fg_ct *ct = setup();
	uint32_t n = 100000;
	struct fg_ct_entry *v;
	uint64_t dead = 0, left = 0;
	size_t failed = 0;
	double t0, t1, t2;

	if (getenv("FG_TEST_CT_N"))
		n = (uint32_t)strtoul(getenv("FG_TEST_CT_N"), NULL, 0);
	else if (max > 0 && max < 2LL * n)
		n = (uint32_t)(max / 2); /* stay well below the limit */
	v = mk_many(n);
	if (!ct || !v) {
		CHECK(v != NULL);
		goto out;
	}
	t0 = now_s();
	CHECK_EQ_I(fg_ct_create_many(ct, v, n, TIMEOUT_S, &failed), 0);
	t1 = now_s();
	CHECK_EQ_I(failed, 0);
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, DEAD, MASK, &dead), 0);
	t2 = now_s();
	CHECK_EQ_U(dead, (n + 2) / 3);
	CHECK_EQ_I(fg_ct_table_count(), n);
	printf("  create %u: %.0f ms (%.0f/s); filtered dump: %.0f ms\n", n,
	       (t1 - t0) * 1e3, n / (t1 - t0), (t2 - t1) * 1e3);
	t0 = now_s();
	CHECK_EQ_I(fg_ct_flush_mark(ct, AF_UNSPEC, DEAD, MASK), 0);
	t1 = now_s();
	CHECK_EQ_I(fg_ct_count(ct, AF_UNSPEC, 0, 0, &left), 0);
	CHECK_EQ_U(left, n - dead);
	printf("  flush of %llu among %u: %.1f ms\n",
	       (unsigned long long)dead, n, (t1 - t0) * 1e3);
out:
	free(v);
	fg_ct_close(ct);
}

int main(void)
{
	if (unshare(CLONE_NEWNET)) {
		printf("SKIP test_ct: unshare(CLONE_NEWNET): %s\n",
		       strerror(errno));
		return 0;
	}
	RUN(test_tuple_fmt);
	RUN(test_open_close);
	RUN(test_get_v4_tcp);
	RUN(test_get_v6_masquerade);
	RUN(test_get_icmp);
	RUN(test_get_missing);
	RUN(test_zones);
	RUN(test_delete_entry);
	RUN(test_delete_stale_id);
	RUN(test_id_same_slot);
	RUN(test_flush_collateral);
	RUN(test_flush_family);
	RUN(test_flush_seatbelts);
	RUN(test_dump_filter_counts);
	RUN(test_dump_stop_early);
	RUN(test_create_many_errors);
	RUN(test_get_many_mixed);
	RUN(test_delete_many_exact);
	RUN(test_many_portless_proto);
	RUN(test_many_bad_input);
	RUN(test_create_many_100k);
	UNIT_EXIT();
}
