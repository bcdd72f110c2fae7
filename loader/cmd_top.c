// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_top.c - `flowguard top`: the N heaviest flows by conntrack
 * accounting (bytes or packets, both directions), keeping only N while the
 * dump streams (a min-heap: the lightest of the N kept is the one a
 * heavier entry replaces). With accounting off the counters are not
 * there: say so, never rank zeros.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd_verbs.h"
#include "cmds.h"
#include "ctfmt.h"

struct top_ctx {
	const struct verb_args *a;
	struct fg_ct_entry *heap; /* min-heap on top_key() */
	size_t nr;
	uint64_t considered, without_counters;
};

static const struct fg_opt top_opts[] = {
	{ "count", 'n', required_argument, "N", "how many flows (default 10)" },
	{ "by", VERB_LONG('b'), required_argument, "bytes|packets",
	  "rank by (default bytes; both directions)" },
	VERB_OPTS_SELECT,
	VERB_OPTS_TABLE,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct fg_cmd_spec top_spec = {
	.name = "top",
	.synopsis = "[-n N] [--by bytes|packets] [--iface IFACE] [OPTIONS]",
	.notes = "  needs net.netfilter.nf_conntrack_acct=1 (exit status 1 when\n"
		 "  it is off); it counts only the flows created after\n",
	.shared = FG_SH_MWAN3 | FG_SH_VERBOSE | FG_SH_JSON,
	.opts = top_opts,
};

static uint64_t top_key(const struct top_ctx *t, const struct fg_ct_entry *e)
{
	return fg_ctfmt_total(e, t->a->by_packets);
}

static void top_swap(struct fg_ct_entry *x, struct fg_ct_entry *y)
{
	struct fg_ct_entry tmp = *x;

	*x = *y;
	*y = tmp;
}

static void top_sift_down(struct top_ctx *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->nr && top_key(t, &t->heap[l]) < top_key(t, &t->heap[m]))
			m = l;
		if (r < t->nr && top_key(t, &t->heap[r]) < top_key(t, &t->heap[m]))
			m = r;
		if (m == i)
			return;
		top_swap(&t->heap[i], &t->heap[m]);
		i = m;
	}
}

static void top_sift_up(struct top_ctx *t, size_t i)
{
	while (i && top_key(t, &t->heap[i]) < top_key(t, &t->heap[(i - 1) / 2])) {
		top_swap(&t->heap[i], &t->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static int top_entry(const struct fg_ct_entry *e, void *arg)
{
	struct top_ctx *t = arg;

	if (!verb_match(t->a, e))
		return 0;
	if (!e->has_counters) {
		t->without_counters++;
		return 0;
	}
	t->considered++;
	if (t->nr < t->a->top_n) {
		t->heap[t->nr++] = *e;
		top_sift_up(t, t->nr - 1);
	} else if (top_key(t, e) > top_key(t, &t->heap[0])) {
		t->heap[0] = *e;
		top_sift_down(t, 0);
	}
	return 0;
}

/* Heaviest first: pop the min-heap into the array's tail. */
static void top_sort(struct top_ctx *t)
{
	size_t n = t->nr;

	while (t->nr > 1) {
		top_swap(&t->heap[0], &t->heap[t->nr - 1]);
		t->nr--;
		top_sift_down(t, 0);
	}
	t->nr = n;
}

static void top_print(const struct top_ctx *t)
{
	const struct verb_args *a = t->a;
	size_t i;

	if (a->common.json) {
		printf("{\"accounting\":true,\"by\":\"%s\",\"n\":%u,\"considered\":%" PRIu64
		       ",\"without_counters\":%" PRIu64 ",\"flows\":[",
		       a->by_packets ? "packets" : "bytes", a->top_n,
		       t->considered, t->without_counters);
		for (i = 0; i < t->nr; i++) {
			printf("%s{\"rank\":%zu,\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64
			       ",\"entry\":", i ? "," : "", i + 1,
			       fg_ctfmt_total(&t->heap[i], 0),
			       fg_ctfmt_total(&t->heap[i], 1));
			fg_ctfmt_json(stdout, &t->heap[i], &a->names);
			printf("}");
		}
		printf("]}\n");
		return;
	}
	printf("%-4s %12s %10s  flow (by %s, both directions)\n", "rank", "bytes",
	       "packets", a->by_packets ? "packets" : "bytes");
	for (i = 0; i < t->nr; i++) {
		printf("%-4zu %12" PRIu64 " %10" PRIu64 "  ", i + 1,
		       fg_ctfmt_total(&t->heap[i], 0),
		       fg_ctfmt_total(&t->heap[i], 1));
		fg_ctfmt_text(stdout, &t->heap[i], &a->names);
	}
	if (t->without_counters)
		printf("%" PRIu64 " matching entries have no counters (created before accounting was on)\n",
		       t->without_counters);
}

/* Accounting off: the notice, and for --json a document that says so. */
static int top_acct_off(const struct verb_args *a, long long acct)
{
	if (a->common.json)
		printf("{\"accounting\":false}\n");
	fprintf(stderr, "flowguard top: conntrack accounting is %s (net.netfilter.nf_conntrack_acct=%lld): no byte or packet counts to rank; turn it on with `sysctl -w net.netfilter.nf_conntrack_acct=1` (it counts only flows created after)\n",
		acct == 0 ? "off" : "unknown", acct);
	return FG_EXIT_FAIL;
}

int cmd_top(int argc, char **argv)
{
	struct verb_args a = { 0 };
	struct top_ctx t = { 0 };
	struct fg_ct *ct = NULL;
	long long acct;
	int rc;

	rc = verb_prepare(&a, &top_spec, argc, argv);
	if (rc)
		return fg_opts_exit(rc);
	t.a = &a;
	t.heap = calloc(a.top_n, sizeof(*t.heap));
	rc = t.heap ? fg_ct_open(&ct) : -ENOMEM;
	/* after the open: conntrack (and its sysctls) may load with it */
	acct = rc ? 0 : verb_nf_sysctl("nf_conntrack_acct");
	if (!rc && acct != 1) {
		rc = top_acct_off(&a, acct);
		goto out;
	}
	if (!rc)
		rc = fg_ct_dump(ct, a.family, a.kmark, a.kmask, top_entry, &t);
	if (rc) {
		rc = verb_dump_failed(&a, rc);
		goto out;
	}
	top_sort(&t);
	top_print(&t);
	rc = fflush(stdout) ? FG_EXIT_FAIL : FG_EXIT_OK;
out:
	fg_ct_close(ct);
	free(t.heap);
	return rc;
}
