// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_ct_batch.c - what the service pays per stale flow for "get the
 * entry, check its mark, delete it by id": one netlink request per entry
 * and step (as before batching), against a round of 64 entries per
 * request (fg_ct_get_many + fg_ct_delete_many, as the service does now).
 *
 * In its own network namespace (unshare): N stale entries (mark 0x100)
 * and N/4 others (0x200) are created, the stale ones looked up and deleted
 * by one method; the methods alternate round by round and the medians are
 * reported side by side, with their ratio (the machine is shared and
 * noisy). Each round also counts that exactly the stale entries went and
 * every other one stayed: a wrong count is the only failure (exit 1).
 *
 * usage: bench_ct_batch [-n ENTRIES] [-r ROUNDS]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "ct.h"

#define STALE 0x100u
#define KEEP 0x200u
#define MASK 0x3f00u
#define ROUND 64 /* the service's drain round */
#define MAX_ROUNDS 51
#define TIMEOUT_S 600

static uint32_t nflows = 20000, rounds = 7;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* flow i: 10.x.y.z:port -> 198.51.100.1:53 udp, IPv4 and IPv6 in turn */
static struct fg_ct_entry flow(uint32_t i, uint32_t mark)
{
	struct fg_ct_entry e;
	uint32_t src = htonl(0x0a000000u | i), dst = htonl(0xc6336401u);

	memset(&e, 0, sizeof(e));
	e.orig.family = i & 1 ? AF_INET6 : AF_INET;
	e.orig.l4proto = IPPROTO_UDP;
	if (i & 1) {
		e.orig.saddr[0] = 0x20, e.orig.saddr[1] = 0x01;
		e.orig.daddr[0] = 0x20, e.orig.daddr[1] = 0x01;
		e.orig.daddr[15] = 1;
		memcpy(e.orig.saddr + 12, &src, 4);
	} else {
		memcpy(e.orig.saddr, &src, 4);
		memcpy(e.orig.daddr, &dst, 4);
	}
	e.orig.sport = htons((uint16_t)(1024 + i % 60000));
	e.orig.dport = htons((uint16_t)(53 + i / 60000));
	e.reply = e.orig;
	memcpy(e.reply.saddr, e.orig.daddr, 16);
	memcpy(e.reply.daddr, e.orig.saddr, 16);
	e.reply.sport = e.orig.dport;
	e.reply.dport = e.orig.sport;
	e.mark = mark;
	e.status = IPS_SEEN_REPLY | IPS_ASSURED;
	return e;
}

/* One request per entry and step. */
static int reap_single(struct fg_ct *ct, const struct fg_ct_entry *v,
		       uint32_t n)
{
	struct fg_ct_entry got;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (fg_ct_get(ct, &v[i].orig, FG_CT_ORIG, 0, &got) ||
		    (got.mark & MASK) != STALE ||
		    fg_ct_delete_entry(ct, &got))
			return -1;
	}
	return 0;
}

/* A round of ROUND entries per request and step. */
static int reap_batched(struct fg_ct *ct, const struct fg_ct_entry *v,
			uint32_t n)
{
	struct fg_ct_query q[ROUND];
	struct fg_ct_entry got[ROUND];
	int res[ROUND];
	uint32_t done, k, i;

	for (done = 0; done < n; done += k) {
		k = n - done < ROUND ? n - done : ROUND;
		for (i = 0; i < k; i++) {
			memset(&q[i], 0, sizeof(q[i]));
			q[i].t = v[done + i].orig;
		}
		if (fg_ct_get_many(ct, q, k, got, res))
			return -1;
		for (i = 0; i < k; i++)
			if (res[i] || (got[i].mark & MASK) != STALE)
				return -1;
		if (fg_ct_delete_many(ct, got, k, res))
			return -1;
		for (i = 0; i < k; i++)
			if (res[i])
				return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, uint32_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* one round of one method: ns per stale entry, or < 0 on a wrong count */
static double one_round(struct fg_ct *ct, struct fg_ct_entry *stale,
			struct fg_ct_entry *keep, int batched)
{
	uint32_t nkeep = nflows / 4;
	uint64_t left_stale = 1, left_keep = 0;
	double t0, t1;
	size_t failed = 0;

	if (fg_ct_create_many(ct, stale, nflows, TIMEOUT_S, &failed) ||
	    fg_ct_create_many(ct, keep, nkeep, TIMEOUT_S, &failed))
		return -1;
	t0 = now_ns();
	if ((batched ? reap_batched : reap_single)(ct, stale, nflows))
		return -1;
	t1 = now_ns();
	if (fg_ct_count(ct, AF_UNSPEC, STALE, MASK, &left_stale) ||
	    fg_ct_count(ct, AF_UNSPEC, KEEP, MASK, &left_keep) ||
	    left_stale || left_keep != nkeep) {
		fprintf(stderr, "bench_ct_batch: %s: %llu stale left, %llu of %u others\n",
			batched ? "batched" : "single",
			(unsigned long long)left_stale,
			(unsigned long long)left_keep, nkeep);
		return -1;
	}
	/* the others go too, so that every round starts from empty */
	if (fg_ct_flush_mark(ct, AF_UNSPEC, KEEP, MASK))
		return -1;
	return (t1 - t0) / nflows;
}

static int bench(void)
{
	static double single[MAX_ROUNDS], batched[MAX_ROUNDS];
	struct fg_ct_entry *stale, *keep;
	struct fg_ct *ct = NULL;
	uint32_t i, r;
	int rc = 1;

	stale = calloc(nflows, sizeof(*stale));
	keep = calloc(nflows / 4 + 1, sizeof(*keep));
	if (!stale || !keep || fg_ct_open(&ct))
		goto out;
	for (i = 0; i < nflows; i++)
		stale[i] = flow(i, STALE);
	for (i = 0; i < nflows / 4; i++)
		keep[i] = flow(nflows + i, KEEP);
	for (r = 0; r < rounds; r++) {
		/* alternate which goes first */
		int first = (int)(r & 1);

		double a = one_round(ct, stale, keep, first);
		double b = one_round(ct, stale, keep, !first);

		if (a < 0 || b < 0)
			goto out;
		single[r] = first ? b : a;
		batched[r] = first ? a : b;
	}
	printf("get + mark check + delete by id, %u stale entries among %u, %u rounds (medians)\n",
	       nflows, nflows + nflows / 4, rounds);
	printf("  one request per entry and step: %7.0f ns/entry\n",
	       median(single, rounds));
	printf("  %d entries per request:          %7.0f ns/entry\n", ROUND,
	       median(batched, rounds));
	printf("  ratio single/batched: %.2f\n",
	       median(single, rounds) / median(batched, rounds));
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bench_ct_batch: failed\n");
	fg_ct_close(ct);
	free(stale);
	free(keep);
	return rc;
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n':
			nflows = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n ENTRIES] [-r ROUNDS]\n",
				argv[0]);
			return 2;
		}
	}
	if (nflows < 4 || nflows > 200000 || !rounds || rounds > MAX_ROUNDS) {
		fprintf(stderr, "bench_ct_batch: -n 4..200000, -r 1..%d\n",
			MAX_ROUNDS);
		return 2;
	}
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "bench_ct_batch: unshare(CLONE_NEWNET): %s\n",
			strerror(errno));
		return 1;
	}
	return bench();
}
