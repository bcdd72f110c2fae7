// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_offload.c - `flowguard offload`: per uplink, the entries carrying
 * the offload or hardware-offload status bits (one dump); nftables'
 * flowtables and their devices; and what offloaded packets mean for the
 * guard on this kernel (they skip netfilter: no entry on the skb, no
 * restored mark).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include "cmd_verbs.h"
#include "cmds.h"
#include "json.h"
#include "nftflow.h"
#include "prog.h"

static const struct fg_opt off_opts[] = {
	VERB_OPTS_FAMILY,
	VERB_OPTS_TABLE,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct fg_cmd_spec off_spec = {
	.name = "offload",
	.synopsis = "[OPTIONS]",
	.shared = FG_SH_MWAN3 | FG_SH_VERBOSE | FG_SH_JSON,
	.opts = off_opts,
};

/* What `auto` picks on this kernel, and what it does with offloaded
 * packets. */
static const char *off_guard(enum fg_guard_kind *kind)
{
	char err[160];

	if (fg_prog_choose(FG_WANT_AUTO, FG_WANT_AUTO, FG_WANT_AUTO, kind, err,
			   sizeof(err)))
		return NULL;
	return fg_prog_offload_view(*kind);
}

static const char *off_meaning(const struct fg_nftflows *ft,
			       enum fg_guard_kind kind)
{
	if (ft && !ft->nr)
		return "no flowtable: no flow is offloaded, the guard sees every packet with its entry";
	switch (kind) {
	case FG_GUARD_CT_KCTX_LOOKUP:
	case FG_GUARD_CT_PROBE_LOOKUP:
		return "stale offloaded flows are found by their packets' lookup (every packet on a device with an uplink down or that enforces, one in --lookup-sample elsewhere)";
	case FG_GUARD_SKBMARK:
		return "no kernel BTF: offloaded packets are judged only while an uplink of their device is down; the disconnect flush deletes their entries";
	default:
		return "offloaded packets are not visible to the guard: only the disconnect flush ends a stale offloaded flow";
	}
}

static void off_text_row(const char *name, const char *mark,
			 const struct verb_row *r)
{
	printf("%-16s %-8s %9" PRIu64 " %9" PRIu64 " %10" PRIu64 "\n", name,
	       mark, r->entries, r->offloaded, r->hw_offloaded);
}

static void off_text(const struct verb_census *c, const struct fg_nftflows *ft,
		     enum fg_guard_kind kind, const char *view)
{
	const struct fg_marknames *t = &c->a->names;
	char mark[16];
	size_t i, k;

	printf("uplinks from %s, mask 0x%x\n", t->src, t->mask);
	printf("%-16s %-8s %9s %9s %10s\n", "uplink", "mark", "entries",
	       "offload", "hw_offload");
	for (i = 0; i < t->nr; i++) {
		snprintf(mark, sizeof(mark), "0x%x", t->up[i].mark);
		off_text_row(t->up[i].name, mark, &c->up[i]);
	}
	for (k = FG_MC_UNMARKED; k < FG_MC_NR; k++)
		off_text_row(fg_mark_class_name(k), "", &c->cls[k]);
	off_text_row("total", "", &c->total);
	if (!ft)
		printf("flowtables: unknown (nftables could not be listed)\n");
	else if (!ft->nr)
		printf("flowtables: none\n");
	for (i = 0; ft && i < ft->nr; i++) {
		printf("flowtable %s %s%s: devices", ft->ft[i].table,
		       ft->ft[i].name,
		       ft->ft[i].flags & NFT_FLOWTABLE_HW_OFFLOAD ? " (hw offload)" : "");
		for (k = 0; k < ft->ft[i].nr_devs; k++)
			printf(" %s", ft->ft[i].devs[k]);
		printf("%s\n", ft->ft[i].nr_devs ? "" : " none");
	}
	for (i = 0; ft && i < t->nr; i++)
		if (t->up[i].device[0])
			printf("uplink %s: device %s %s\n", t->up[i].name,
			       t->up[i].device,
			       fg_nftflow_dev(ft, t->up[i].device) == FG_NFTFLOW_NONE ?
				       "in no flowtable" : "in a flowtable");
	if (view)
		printf("guard on this kernel (auto: %s): offloaded packets %s\n",
		       fg_prog_kind_name(kind), view);
	printf("meaning: %s\n", off_meaning(ft, kind));
}

static void off_json_row(const struct verb_row *r)
{
	printf("\"entries\":%" PRIu64 ",\"offload\":%" PRIu64
	       ",\"hw_offload\":%" PRIu64 "}",
	       r->entries, r->offloaded, r->hw_offloaded);
}

static void off_json_flowtables(const struct fg_nftflows *ft)
{
	size_t i, k;

	printf("\"flowtables\":[");
	for (i = 0; i < ft->nr; i++) {
		printf("%s{\"table\":", i ? "," : "");
		fg_json_str(stdout, ft->ft[i].table);
		printf(",\"name\":");
		fg_json_str(stdout, ft->ft[i].name);
		printf(",\"hw_offload\":%s,\"devices\":[",
		       ft->ft[i].flags & NFT_FLOWTABLE_HW_OFFLOAD ? "true" : "false");
		for (k = 0; k < ft->ft[i].nr_devs; k++) {
			printf("%s", k ? "," : "");
			fg_json_str(stdout, ft->ft[i].devs[k]);
		}
		printf("]}");
	}
	printf("],");
}

static void off_json(const struct verb_census *c, const struct fg_nftflows *ft,
		     enum fg_guard_kind kind, const char *view)
{
	const struct fg_marknames *t = &c->a->names;
	size_t i;
	int k;

	printf("{\"source\":");
	fg_json_str(stdout, t->src);
	printf(",\"mask\":%u,\"uplinks\":[", t->mask);
	for (i = 0; i < t->nr; i++) {
		printf("%s{\"name\":", i ? "," : "");
		fg_json_str(stdout, t->up[i].name);
		printf(",\"mark\":%u,", t->up[i].mark);
		if (t->up[i].device[0] && ft)
			printf("\"device\":\"%s\",\"in_flowtable\":%s,",
			       t->up[i].device,
			       fg_nftflow_dev(ft, t->up[i].device) ? "true" : "false");
		off_json_row(&c->up[i]);
	}
	printf("]");
	for (k = FG_MC_UNMARKED; k < FG_MC_NR; k++) {
		printf(",\"%s\":{", fg_mark_class_name(k));
		off_json_row(&c->cls[k]);
	}
	printf(",\"total\":{");
	off_json_row(&c->total);
	printf(",");
	if (ft)
		off_json_flowtables(ft);
	if (view)
		printf("\"guard\":\"%s\",\"offloaded_packets\":\"%s\",",
		       fg_prog_kind_name(kind), view);
	printf("\"meaning\":\"%s\"}\n", off_meaning(ft, kind));
}

int cmd_offload(int argc, char **argv)
{
	struct fg_nftflows *ft = NULL;
	enum fg_guard_kind kind = FG_GUARD_SKBMARK;
	struct verb_args a = { 0 };
	struct verb_census *c = NULL;
	const char *view;
	int rc;

	rc = verb_prepare(&a, &off_spec, argc, argv);
	if (rc)
		return fg_opts_exit(rc);
	c = calloc(1, sizeof(*c));
	ft = calloc(1, sizeof(*ft));
	rc = c && ft ? verb_census(&a, c) : -ENOMEM;
	if (rc)
		goto out;
	if (fg_nftflow_list(ft)) {
		free(ft);
		ft = NULL;
	}
	view = off_guard(&kind);
	if (a.common.json)
		off_json(c, ft, kind, view);
	else
		off_text(c, ft, kind, view);
out:
	free(ft);
	free(c);
	if (rc)
		return verb_dump_failed(&a, rc);
	return fflush(stdout) ? FG_EXIT_FAIL : FG_EXIT_OK;
}
