// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* reset_disc.c - the disconnect's per-flow stage. */
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reset_disc.h"

struct fg_flow_list {
	struct fg_kick *k;
	struct fg_kick_flow *f;
	size_t n, cap;
	uint64_t seen;	    /* every entry the dump returned */
	uint64_t offloaded; /* of the n: entries in a flowtable */
};

int fg_disc_tcp_open(const struct fg_ct_entry *e)
{
	uint8_t st = e->tcp_state;

	if (e->orig.l4proto != IPPROTO_TCP)
		return 0;
	/* conntrack's tracking never leaves an entry in NONE (0): here 0
	 * means no state came, as for every offloaded entry */
	if (st == TCP_CONNTRACK_NONE)
		return !!(e->status & (IPS_OFFLOAD | IPS_HW_OFFLOAD));
	return st >= TCP_CONNTRACK_ESTABLISHED && st <= TCP_CONNTRACK_LAST_ACK;
}

static int fg_collect(const struct fg_ct_entry *e, void *arg)
{
	struct fg_flow_list *l = arg;
	struct fg_kick_flow *grown;

	l->seen++;
	if (!fg_disc_tcp_open(e))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		grown = realloc(l->f, l->cap * sizeof(*l->f));
		if (!grown)
			return -ENOMEM;
		l->f = grown;
	}
	memset(&l->f[l->n], 0, sizeof(l->f[l->n]));
	fg_kick_host_view(l->k, e, &l->f[l->n].hv);
	l->n++;
	if (e->status & (IPS_OFFLOAD | IPS_HW_OFFLOAD))
		l->offloaded++;
	return 0;
}

/* Keep the flows still waiting for an answer, in place. */
static size_t fg_keep_pending(struct fg_kick_flow *f, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (f[i].state == FG_KICK_PENDING)
			f[k++] = f[i];
	return k;
}

int fg_disc_collect(struct fg_kick *k, struct fg_ct *ct, struct fg_disc *d,
		    struct fg_kick_flow **flows, size_t *n, char *err,
		    size_t errlen)
{
	struct fg_flow_list l = { .k = k };
	int rc;

	*flows = NULL;
	*n = 0;
	rc = fg_ct_dump(ct, 0, d->mark, d->mask, fg_collect, &l);
	if (rc) {
		snprintf(err, errlen, "kicking TCP clients: %s", strerror(-rc));
		free(l.f);
		return rc;
	}
	/* same filter as the delete: what went, but for entries created
	 * after the dump (a partial dump counts nothing: stage 4 recounts) */
	d->counted = l.seen;
	d->has_count = 1;
	d->flows = l.n;
	d->offloaded = l.offloaded;
	*flows = l.f;
	*n = l.n;
	return 0;
}

size_t fg_disc_kicked(struct fg_disc *d, struct fg_kick_flow *f, size_t n,
		      const struct fg_kick_stats *st)
{
	d->reset = st->reset + st->destroyed;
	d->unresolved = st->unresolved;
	return fg_keep_pending(f, n);
}

int fg_disc_kick(struct fg_kick *k, struct fg_ct *ct, struct fg_disc *d,
		 struct fg_kick_flow **left, size_t *nr_left, char *err,
		 size_t errlen)
{
	struct fg_kick_stats st = {};
	struct fg_kick_flow *f;
	size_t n;
	int rc;

	*left = NULL;
	*nr_left = 0;
	rc = fg_disc_collect(k, ct, d, &f, &n, err, errlen);
	if (rc || !n)
		return rc;
	rc = fg_kick_batch(k, f, n, FG_DISC_KICK_WAIT_MS, &st);
	if (rc) {
		snprintf(err, errlen, "kicking TCP clients: %s", strerror(-rc));
		free(f);
		return rc;
	}
	*nr_left = fg_disc_kicked(d, f, n, &st);
	if (*nr_left)
		*left = f;
	else
		free(f);
	return 0;
}
