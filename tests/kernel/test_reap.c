// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_reap.c - loader/reaper.c, the service's batched "get, check the
 * mark, delete by id", on events as the guard writes them and the real
 * kernel's conntrack table (each test in a fresh network namespace).
 *
 * One batch mixes every outcome, in more events than one netlink round
 * holds: stale entries found by their original tuple (ct guard) and by the
 * packet as it left after NAT (skbmark guard), both directions; entries
 * re-marked since the event, entries already gone, entries kept by the
 * monitor policy, entries replaced between check and delete. Afterwards
 * the table is counted: exactly the stale ones are gone.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "ct.h"
#include "event.h"
#include "reaper.h"
#include "unit.h"

#define MASK 0x3f00u
#define DEAD 0x100u
#define LIVE 0x200u
#define TIMEOUT_S 600
#define PUBLIC4 0xc0000201u /* 192.0.2.1, the router's uplink address */

enum kind {
	K_STALE_CT,	  /* ct guard: the entry's original tuple */
	K_STALE_PKT,	  /* skbmark guard: a LAN client's packet after SNAT */
	K_STALE_PKT_FWD,  /* skbmark guard: a port forward's answer */
	K_REMARKED,	  /* the flow took the live uplink since the event */
	K_GONE,		  /* no entry any more */
	K_MONITORED,	  /* the uplink's policy is monitor */
	K_RACED,	  /* replaced between check and delete */
	K_NR
};

static const enum fg_reap_outcome want_check[K_NR] = {
	[K_STALE_CT] = FG_REAP_STALE,	   [K_STALE_PKT] = FG_REAP_STALE,
	[K_STALE_PKT_FWD] = FG_REAP_STALE, [K_REMARKED] = FG_REAP_REMARKED,
	[K_GONE] = FG_REAP_GONE,	   [K_MONITORED] = FG_REAP_STALE,
	[K_RACED] = FG_REAP_STALE,
};

static const enum fg_reap_outcome want_finish[K_NR] = {
	[K_STALE_CT] = FG_REAP_DELETED,	     [K_STALE_PKT] = FG_REAP_DELETED,
	[K_STALE_PKT_FWD] = FG_REAP_DELETED, [K_REMARKED] = FG_REAP_REMARKED,
	[K_GONE] = FG_REAP_GONE,	     [K_MONITORED] = FG_REAP_MONITORED,
	[K_RACED] = FG_REAP_RACED,
};

static void put4(uint8_t *a, uint32_t host)
{
	uint32_t be = htonl(host);

	memset(a, 0, 16);
	memcpy(a, &be, 4);
}

static void put6(uint8_t *a, uint16_t net, uint32_t host)
{
	uint32_t be = htonl(host);

	memset(a, 0, 16);
	a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
	a[4] = (uint8_t)(net >> 8), a[5] = (uint8_t)net;
	memcpy(a + 12, &be, 4);
}

static void swap(const struct fg_ct_tuple *in, struct fg_ct_tuple *out)
{
	*out = *in;
	memcpy(out->saddr, in->daddr, 16);
	memcpy(out->daddr, in->saddr, 16);
	out->sport = in->dport;
	out->dport = in->sport;
}

/*
 * Flow i. Outbound (LAN client i -> remote, source NAT to the uplink's
 * address and port 20000 + i) unless fwd: then inbound, a remote to the
 * uplink's port 8000 + i forwarded to a LAN server on port 80. IPv4 for
 * even i, IPv6 (prefix translation style: other addresses on the wire)
 * for odd i; TCP and UDP in turn.
 */
static struct fg_ct_entry flow(uint32_t i, uint32_t mark, int fwd)
{
	struct fg_ct_entry e;
	struct fg_ct_tuple lan, wan; /* as seen in the LAN, on the wire */
	int v6 = (int)(i & 1);

	memset(&e, 0, sizeof(e));
	memset(&lan, 0, sizeof(lan));
	lan.family = v6 ? AF_INET6 : AF_INET;
	lan.l4proto = i & 2 ? IPPROTO_UDP : IPPROTO_TCP;
	wan = lan;
	if (v6) {
		put6(lan.saddr, 1, 0x10000 + i); /* LAN host */
		put6(wan.saddr, 9, 1);		 /* the router, on the wire */
		put6(lan.daddr, 7, 1);		 /* remote */
	} else {
		put4(lan.saddr, 0x0a000000u | (0x10000 + i));
		put4(wan.saddr, PUBLIC4);
		put4(lan.daddr, 0xcb007100u | (i & 0x7f)); /* 203.0.113.x */
	}
	memcpy(wan.daddr, lan.daddr, 16);
	lan.sport = htons((uint16_t)(30000 + i % 30000));
	lan.dport = htons(fwd ? 80 : 443);
	wan.sport = htons((uint16_t)((fwd ? 8000 : 20000) + i % 30000));
	wan.dport = lan.dport;
	if (fwd) {
		/* orig: remote -> router's public port; reply: LAN server
		 * -> remote */
		swap(&wan, &e.orig);
		e.orig.sport = htons((uint16_t)(40000 + i % 20000));
		e.reply = lan;
		memcpy(e.reply.daddr, e.orig.saddr, 16);
		e.reply.sport = htons(80);
		e.reply.dport = e.orig.sport;
	} else {
		e.orig = lan;
		swap(&wan, &e.reply);
	}
	e.mark = mark;
	e.status = IPS_SEEN_REPLY | IPS_ASSURED | (fwd ? IPS_DST_NAT :
							 IPS_SRC_NAT);
	if (e.orig.l4proto == IPPROTO_TCP)
		e.tcp_state = 3; /* TCP_CONNTRACK_ESTABLISHED */
	return e;
}

static void event_tuple(struct fg_event *ev, const struct fg_ct_tuple *t)
{
	ev->family = t->family;
	ev->l4proto = t->l4proto;
	memcpy(ev->saddr, t->saddr, 16);
	memcpy(ev->daddr, t->daddr, 16);
	ev->sport = t->sport;
	ev->dport = t->dport;
}

/* The event the guard writes for flow e's packet leaving an uplink. */
static struct fg_event event_for(const struct fg_ct_entry *e, int pkt,
				 int fwd)
{
	struct fg_event ev;
	struct fg_ct_tuple t;

	memset(&ev, 0, sizeof(ev));
	ev.mark = e->mark;
	ev.zone = e->zone;
	ev.source = pkt ? FG_SRC_PKT : FG_SRC_CT;
	if (!pkt) {
		event_tuple(&ev, &e->orig);
		return ev;
	}
	/* as it left: an outbound packet is the inverse of the reply
	 * tuple; a forward's answer the inverse of the original */
	swap(fwd ? &e->orig : &e->reply, &t);
	event_tuple(&ev, &t);
	return ev;
}

static enum kind kind_of(uint32_t i)
{
	return (enum kind)(i % K_NR);
}

struct census {
	uint64_t by_mark[3]; /* DEAD, LIVE, other */
};

static int census_cb(const struct fg_ct_entry *e, void *arg)
{
	struct census *c = arg;

	if ((e->mark & MASK) == DEAD)
		c->by_mark[0]++;
	else if ((e->mark & MASK) == LIVE)
		c->by_mark[1]++;
	else
		c->by_mark[2]++;
	return 0;
}

static void test_mixed_batch(void)
{
	enum { N = 7 * 23 }; /* every kind, more than two rounds */
	static struct fg_ct_entry v[N];
	static struct fg_event ev[N];
	static struct fg_reap r[N];
	struct fg_ct_entry bystander[30];
	uint64_t want_dead_left = 0, want_live = 0;
	struct census c = { { 0 } };
	struct fg_ct *ct = NULL;
	size_t failed = 0;
	uint32_t i;

	if (unshare(CLONE_NEWNET) || fg_ct_open(&ct)) {
		CHECK(0);
		return;
	}
	for (i = 0; i < N; i++) {
		enum kind k = kind_of(i);
		int fwd = k == K_STALE_PKT_FWD;

		v[i] = flow(i, DEAD, fwd);
		ev[i] = event_for(&v[i], k == K_STALE_PKT || fwd || (i & 4),
				  fwd);
		if (k == K_REMARKED)
			v[i].mark = LIVE; /* the event still says DEAD */
		if (k == K_GONE)
			continue;
		CHECK_EQ_I(fg_ct_create(ct, &v[i], TIMEOUT_S), 0);
		want_dead_left += k == K_MONITORED || k == K_RACED;
		want_live += k == K_REMARKED;
	}
	/* the survivors: live uplink, unmarked, default mark */
	for (i = 0; i < 30; i++)
		bystander[i] = flow(N + i, i % 3 == 0 ? LIVE :
					   i % 3 == 1 ? 0 : 0x3f00, 0);
	CHECK_EQ_I(fg_ct_create_many(ct, bystander, 30, TIMEOUT_S, &failed),
		     0);

	fg_reap_check(ct, ev, N, MASK, NULL, r);
	for (i = 0; i < N; i++) {
		enum kind k = kind_of(i);

		if (r[i].outcome != want_check[k])
			printf("  event %u (kind %d): check says %s\n", i, k,
			       fg_reap_outcome_name(r[i].outcome));
		CHECK_EQ_I(r[i].outcome, want_check[k]);
		if (k == K_MONITORED)
			r[i].outcome = FG_REAP_MONITORED;
		if (k == K_RACED)
			r[i].entry.id ^= 0x5a5a; /* as if replaced */
	}
	fg_reap_finish(ct, r, N);
	for (i = 0; i < N; i++) {
		enum kind k = kind_of(i);

		if (r[i].outcome != want_finish[k])
			printf("  event %u (kind %d): finish says %s (%d)\n",
			       i, k, fg_reap_outcome_name(r[i].outcome),
			       r[i].err);
		CHECK_EQ_I(r[i].outcome, want_finish[k]);
	}
	CHECK_EQ_I(fg_ct_dump(ct, AF_UNSPEC, 0, 0, census_cb, &c), 0);
	CHECK_EQ_U(c.by_mark[0], want_dead_left);
	CHECK_EQ_U(c.by_mark[1], want_live + 10);
	CHECK_EQ_U(c.by_mark[2], 20);
	fg_ct_close(ct);
}

/* No socket work for nothing, and a lone event works as a batch of one. */
static void test_empty_and_single(void)
{
	struct fg_ct_entry e = flow(2, DEAD, 0);
	struct fg_event ev = event_for(&e, 1, 0);
	struct fg_ct *ct = NULL;
	struct fg_reap r;
	uint64_t sent;

	if (unshare(CLONE_NEWNET) || fg_ct_open(&ct)) {
		CHECK(0);
		return;
	}
	CHECK_EQ_I(fg_ct_create(ct, &e, TIMEOUT_S), 0);
	sent = fg_ct_msgs_sent(ct);
	fg_reap_check(ct, &ev, 0, MASK, NULL, &r);
	fg_reap_finish(ct, &r, 0);
	CHECK_EQ_U(fg_ct_msgs_sent(ct), sent);
	fg_reap_check(ct, &ev, 1, MASK, NULL, &r);
	CHECK_EQ_I(r.outcome, FG_REAP_STALE);
	fg_reap_finish(ct, &r, 1);
	CHECK_EQ_I(r.outcome, FG_REAP_DELETED);
	/* one lookup, one delete */
	CHECK_EQ_U(fg_ct_msgs_sent(ct) - sent, 2);
	CHECK_EQ_I(fg_ct_table_count(), 0);
	fg_ct_close(ct);
}

/* The judge of the test below: LIVE leaves the device, DEAD does not;
 * unmarked and the default mark always do. */
static int judge_live(const void *ctx, int ifindex, uint32_t mark)
{
	(void)ctx;
	(void)ifindex;
	return (mark & MASK) != DEAD;
}

/* skbmark reports of unmarked (offloaded) packets carry no mark: the
 * entry's own mark decides. Only the DEAD entries go; the live, unmarked
 * and default-mark ones stay; without a judge, nothing is stale. */
static void test_unknown_mark_judged(void)
{
	static const uint32_t marks[4] = { DEAD, LIVE, 0, 0x3f00 };
	const struct fg_reap_judge judge = { judge_live, NULL };
	struct fg_ct_entry e[8];
	struct fg_event ev[8];
	struct fg_reap r[8];
	struct census c = { { 0 } };
	struct fg_ct *ct = NULL;
	uint32_t i;

	if (unshare(CLONE_NEWNET) || fg_ct_open(&ct)) {
		CHECK(0);
		return;
	}
	for (i = 0; i < 8; i++) {
		e[i] = flow(500 + i, marks[i % 4], 0);
		ev[i] = event_for(&e[i], 1, 0);
		ev[i].mark = 0;
		ev[i].flags = FG_EV_MARK_UNKNOWN;
		CHECK_EQ_I(fg_ct_create(ct, &e[i], TIMEOUT_S), 0);
	}
	fg_reap_check(ct, ev, 8, MASK, NULL, r);
	for (i = 0; i < 8; i++)
		CHECK_EQ_I(r[i].outcome, FG_REAP_BELONGS);
	fg_reap_check(ct, ev, 8, MASK, &judge, r);
	for (i = 0; i < 8; i++)
		CHECK_EQ_I(r[i].outcome, i % 4 == 0 ? FG_REAP_STALE
						    : FG_REAP_BELONGS);
	fg_reap_finish(ct, r, 8);
	for (i = 0; i < 8; i++)
		CHECK_EQ_I(r[i].outcome, i % 4 == 0 ? FG_REAP_DELETED
						    : FG_REAP_BELONGS);
	CHECK_EQ_I(fg_ct_dump(ct, AF_UNSPEC, 0, 0, census_cb, &c), 0);
	CHECK_EQ_U(c.by_mark[0], 0);
	CHECK_EQ_U(c.by_mark[1], 2);
	CHECK_EQ_U(c.by_mark[2], 4);
	fg_ct_close(ct);
}

/* An event of a mark that belongs on its device again by now (its uplink
 * came back up since the packet): kept, like one of a live mark. */
static void test_old_event_judged_now(void)
{
	const struct fg_reap_judge judge = { judge_live, NULL };
	struct fg_ct_entry e[2] = { flow(600, DEAD, 0), flow(601, LIVE, 0) };
	struct fg_event ev[2] = { event_for(&e[0], 0, 0),
				  event_for(&e[1], 0, 0) };
	struct fg_reap r[2];
	struct fg_ct *ct = NULL;

	if (unshare(CLONE_NEWNET) || fg_ct_open(&ct)) {
		CHECK(0);
		return;
	}
	CHECK_EQ_I(fg_ct_create(ct, &e[0], TIMEOUT_S), 0);
	CHECK_EQ_I(fg_ct_create(ct, &e[1], TIMEOUT_S), 0);
	fg_reap_check(ct, ev, 2, MASK, &judge, r);
	CHECK_EQ_I(r[0].outcome, FG_REAP_STALE);
	CHECK_EQ_I(r[1].outcome, FG_REAP_BELONGS);
	fg_reap_finish(ct, r, 2);
	CHECK_EQ_I(r[0].outcome, FG_REAP_DELETED);
	CHECK_EQ_I(r[1].outcome, FG_REAP_BELONGS);
	CHECK_EQ_I(fg_ct_table_count(), 1);
	fg_ct_close(ct);
}

int main(void)
{
	if (unshare(CLONE_NEWNET)) {
		printf("SKIP test_reap: unshare(CLONE_NEWNET): %s\n",
		       strerror(errno));
		return 0;
	}
	RUN(test_mixed_batch);
	RUN(test_empty_and_single);
	RUN(test_unknown_mark_judged);
	RUN(test_old_event_judged_now);
	UNIT_EXIT();
}
