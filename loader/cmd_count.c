// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_count.c - `flowguard count`: entries per uplink and per class of
 * other mark (unmarked, mwan3's default, unreachable, blackhole, other),
 * in ONE dump of the table (not one per uplink), and the table's size
 * against nf_conntrack_max.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include "cmd_verbs.h"
#include "cmds.h"
#include "json.h"

struct count_row {
	uint64_t entries, v4, v6, tcp, udp, icmp, offloaded;
};

struct count_ctx {
	const struct verb_args *a;
	struct count_row up[FG_MAX_IFACES];
	struct count_row cls[FG_MC_NR]; /* FG_MC_UPLINK: unused */
	struct count_row total;
};

static const struct fg_opt count_opts[] = {
	VERB_OPTS_FAMILY,
	VERB_OPTS_TABLE,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct fg_cmd_spec count_spec = {
	.name = "count",
	.synopsis = "[--family 4|6|all] [OPTIONS]",
	.shared = FG_SH_MWAN3 | FG_SH_VERBOSE | FG_SH_JSON,
	.opts = count_opts,
};

static void count_add(struct count_row *r, const struct fg_ct_brief *e)
{
	uint8_t p = e->l4proto;

	r->entries++;
	if (e->family == AF_INET6)
		r->v6++;
	else
		r->v4++;
	r->tcp += p == IPPROTO_TCP;
	r->udp += p == IPPROTO_UDP;
	r->icmp += p == IPPROTO_ICMP || p == IPPROTO_ICMPV6;
	r->offloaded += !!(e->status & (IPS_OFFLOAD | IPS_HW_OFFLOAD));
}

/* Only --family selects here: the brief form of each entry is enough. */
static int count_entry(const struct fg_ct_brief *e, void *arg)
{
	struct count_ctx *c = arg;
	size_t i = 0;
	enum fg_mark_class cls;

	if (c->a->family != AF_UNSPEC && e->family != c->a->family)
		return 0;
	cls = fg_marknames_class(&c->a->names, e->mark, &i);
	count_add(cls == FG_MC_UPLINK ? &c->up[i] : &c->cls[cls], e);
	count_add(&c->total, e);
	return 0;
}

static void count_text_row(const char *name, const char *mark,
			   const struct count_row *r)
{
	printf("%-16s %-8s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
	       " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n",
	       name, mark, r->entries, r->v4, r->v6, r->tcp, r->udp, r->icmp,
	       r->offloaded);
}

/* The class rows' marks: unmarked and other have none of their own. */
static uint32_t count_class_mark(const struct fg_marknames *t,
				 enum fg_mark_class c)
{
	return c >= FG_MC_DEFAULT && c <= FG_MC_BLACKHOLE ?
		       t->reserved[c - FG_MC_DEFAULT] : 0;
}

static void count_text(const struct count_ctx *c, long long n, long long max)
{
	const struct fg_marknames *t = &c->a->names;
	char mark[16];
	size_t i;
	int k;

	printf("uplinks from %s, mask 0x%x\n", t->src, t->mask);
	printf("%-16s %-8s %9s %9s %9s %9s %9s %9s %9s\n", "uplink", "mark",
	       "entries", "ipv4", "ipv6", "tcp", "udp", "icmp", "offloaded");
	for (i = 0; i < t->nr; i++) {
		snprintf(mark, sizeof(mark), "0x%x", t->up[i].mark);
		count_text_row(t->up[i].name, mark, &c->up[i]);
	}
	for (k = FG_MC_UNMARKED; k < FG_MC_NR; k++) {
		uint32_t m = count_class_mark(t, k);

		if (m)
			snprintf(mark, sizeof(mark), "0x%x", m);
		else
			snprintf(mark, sizeof(mark), "-");
		count_text_row(fg_mark_class_name(k), mark, &c->cls[k]);
	}
	count_text_row("total", "", &c->total);
	if (n >= 0 && max > 0)
		printf("table: nf_conntrack_count %lld of nf_conntrack_max %lld (%.1f %%)\n",
		       n, max, 100.0 * (double)n / (double)max);
	else
		printf("table: nf_conntrack_count and nf_conntrack_max unknown\n");
}

static void count_json_row(const struct count_row *r)
{
	printf("\"entries\":%" PRIu64 ",\"ipv4\":%" PRIu64 ",\"ipv6\":%" PRIu64
	       ",\"tcp\":%" PRIu64 ",\"udp\":%" PRIu64 ",\"icmp\":%" PRIu64
	       ",\"offloaded\":%" PRIu64 "}",
	       r->entries, r->v4, r->v6, r->tcp, r->udp, r->icmp, r->offloaded);
}

static void count_json(const struct count_ctx *c, long long n, long long max)
{
	const struct fg_marknames *t = &c->a->names;
	size_t i;
	int k;

	printf("{\"source\":");
	fg_json_str(stdout, t->src);
	printf(",\"mask\":%u,\"family\":\"%s\",\"uplinks\":[", t->mask,
	       c->a->family == AF_INET ? "4" :
	       c->a->family == AF_INET6 ? "6" : "all");
	for (i = 0; i < t->nr; i++) {
		printf("%s{\"name\":", i ? "," : "");
		fg_json_str(stdout, t->up[i].name);
		printf(",\"mark\":%u,", t->up[i].mark);
		count_json_row(&c->up[i]);
	}
	printf("]");
	for (k = FG_MC_UNMARKED; k < FG_MC_NR; k++) {
		uint32_t m = count_class_mark(t, k);

		printf(",\"%s\":{", fg_mark_class_name(k));
		if (m)
			printf("\"mark\":%u,", m);
		count_json_row(&c->cls[k]);
	}
	printf(",\"total\":{");
	count_json_row(&c->total);
	printf(",\"table\":{");
	if (n >= 0)
		printf("\"count\":%lld%s", n, max > 0 ? "," : "");
	if (max > 0)
		printf("\"max\":%lld", max);
	printf("}}\n");
}

int cmd_count(int argc, char **argv)
{
	struct count_ctx c = { 0 };
	struct verb_args a = { 0 };
	struct fg_ct *ct = NULL;
	long long n, max;
	int rc;

	rc = verb_prepare(&a, &count_spec, argc, argv);
	if (rc)
		return fg_opts_exit(rc);
	c.a = &a;
	rc = fg_ct_open(&ct);
	if (!rc)
		rc = fg_ct_dump_brief(ct, a.family, 0, 0, count_entry, &c);
	fg_ct_close(ct);
	if (rc)
		return verb_dump_failed(&a, rc);
	/* read after the dump: the dump loads conntrack in a fresh netns */
	n = verb_nf_sysctl("nf_conntrack_count");
	max = verb_nf_sysctl("nf_conntrack_max");
	if (a.common.json)
		count_json(&c, n, max);
	else
		count_text(&c, n, max);
	return fflush(stdout) ? FG_EXIT_FAIL : FG_EXIT_OK;
}
