// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_ctfill - plant and count conntrack entries in the current network
 * namespace, fast (one netlink batch), for tests and benchmarks that need
 * thousands of entries the guard or a flush must not touch.
 *
 *   fg_ctfill add MARK COUNT [4|6] [BASE]   TCP entries, unique by BASE+i
 *   fg_ctfill count MARK [MASK] [4|6|all]   planted entries (only those: the
 *                                           tests' live flows are not counted)
 *                                           with (mark & MASK) == MARK
 *                                           (MASK default 0xffffffff)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "mark.h"

static void fill_tuple(struct fg_ct_entry *e, int v6, uint32_t i)
{
	struct fg_ct_tuple *o = &e->orig, *r = &e->reply;

	o->family = v6 ? AF_INET6 : AF_INET;
	o->l4proto = IPPROTO_TCP;
	if (v6) {
		/* 2001:db8:f0::/48 + i -> 2001:db8:f1::1 */
		uint8_t s[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xf0 };
		uint8_t d[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xf1 };

		memcpy(s + 12, &i, 4);
		d[15] = 1;
		memcpy(o->saddr, s, 16);
		memcpy(o->daddr, d, 16);
	} else {
		/* 10.240.0.0/12 + (i >> 6), 64 source ports each */
		uint32_t s = htonl(0x0af00000u | ((i >> 6) & 0xfffff));
		uint32_t d = htonl(0xc0000264u); /* 192.0.2.100 */

		memcpy(o->saddr, &s, 4);
		memcpy(o->daddr, &d, 4);
	}
	o->sport = htons((uint16_t)(20000 + (v6 ? 0 : (i & 63))));
	o->dport = htons(443);
	*r = *o;
	memcpy(r->saddr, o->daddr, 16);
	memcpy(r->daddr, o->saddr, 16);
	r->sport = o->dport;
	r->dport = o->sport;
}

static int cmd_add(uint32_t mark, uint32_t n, int v6, uint32_t base)
{
	struct fg_ct_entry *e = calloc(n ? n : 1, sizeof(*e));
	struct fg_ct *ct = NULL;
	size_t failed = 0;
	uint32_t i;
	int rc;

	if (!e)
		return 1;
	for (i = 0; i < n; i++) {
		fill_tuple(&e[i], v6, base + i);
		e[i].mark = mark;
		e[i].status = IPS_SEEN_REPLY | IPS_ASSURED;
		e[i].tcp_state = 3; /* TCP_CONNTRACK_ESTABLISHED */
	}
	rc = fg_ct_open(&ct);
	if (!rc)
		rc = fg_ct_create_many(ct, e, n, 600, &failed);
	fg_ct_close(ct);
	free(e);
	if (rc)
		fprintf(stderr, "fg_ctfill: %zu of %u failed: %s\n", failed, n,
			strerror(-rc));
	return rc ? 1 : 0;
}

/* Ours: to port 443 of 192.0.2.100 or 2001:db8:f1::1 from port 20000+. */
static int count_planted(const struct fg_ct_entry *e, void *arg)
{
	static const uint8_t d4[4] = { 192, 0, 2, 100 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xf1,
					[15] = 1 };
	const struct fg_ct_tuple *o = &e->orig;
	uint64_t *n = arg;

	if (o->l4proto != IPPROTO_TCP || o->dport != htons(443) ||
	    ntohs(o->sport) < 20000 || ntohs(o->sport) >= 20064)
		return 0;
	if (o->family == AF_INET ? !memcmp(o->daddr, d4, 4)
				 : !memcmp(o->daddr, d6, 16))
		(*n)++;
	return 0;
}

static int cmd_count(uint32_t mark, uint32_t mask, uint8_t family)
{
	struct fg_ct *ct = NULL;
	uint64_t n = 0;
	int rc;

	rc = fg_ct_open(&ct);
	if (!rc)
		rc = fg_ct_dump(ct, family, mark, mask, count_planted, &n);
	fg_ct_close(ct);
	if (rc) {
		fprintf(stderr, "fg_ctfill: count: %s\n", strerror(-rc));
		return 1;
	}
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

static uint8_t parse_family(const char *s)
{
	if (!s || !strcmp(s, "all"))
		return AF_UNSPEC;
	return !strcmp(s, "6") ? AF_INET6 : AF_INET;
}

int main(int argc, char **argv)
{
	uint32_t mark, n, mask = 0xffffffffu, base = 0;

	if (argc >= 4 && !strcmp(argv[1], "add") &&
	    !fg_mark_parse_u32(argv[2], &mark) &&
	    !fg_mark_parse_u32(argv[3], &n) &&
	    (argc < 6 || !fg_mark_parse_u32(argv[5], &base)))
		return cmd_add(mark, n, argc > 4 && !strcmp(argv[4], "6"), base);
	if (argc >= 3 && !strcmp(argv[1], "count") &&
	    !fg_mark_parse_u32(argv[2], &mark) &&
	    (argc < 4 || !fg_mark_parse_u32(argv[3], &mask)))
		return cmd_count(mark, mask, parse_family(argc > 4 ? argv[4] : NULL));
	fprintf(stderr, "usage: fg_ctfill add MARK COUNT [4|6] [BASE]\n"
			"       fg_ctfill count MARK [MASK] [4|6|all]\n");
	return 2;
}
