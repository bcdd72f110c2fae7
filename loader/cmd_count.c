// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_count.c - `flowguard count`: entries per uplink and per class of
 * other mark (unmarked, mwan3's default, unreachable, blackhole, other),
 * in ONE dump of the table (not one per uplink), and the table's size
 * against nf_conntrack_max.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>


#include "cmd_verbs.h"
#include "cmds.h"
#include "json.h"

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

static void count_text_row(const char *name, const char *mark,
			   const struct verb_row *r)
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

static void count_text(const struct verb_census *c, long long n, long long max)
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

static void count_json_row(const struct verb_row *r)
{
	printf("\"entries\":%" PRIu64 ",\"ipv4\":%" PRIu64 ",\"ipv6\":%" PRIu64
	       ",\"tcp\":%" PRIu64 ",\"udp\":%" PRIu64 ",\"icmp\":%" PRIu64
	       ",\"offloaded\":%" PRIu64 "}",
	       r->entries, r->v4, r->v6, r->tcp, r->udp, r->icmp, r->offloaded);
}

static void count_json(const struct verb_census *c, long long n, long long max)
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
	struct verb_census c = { 0 };
	struct verb_args a = { 0 };
	long long n, max;
	int rc;

	rc = verb_prepare(&a, &count_spec, argc, argv);
	if (rc)
		return fg_opts_exit(rc);
	rc = verb_census(&a, &c);
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
