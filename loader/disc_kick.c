// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* disc_kick.c - the disconnect's per-flow stage. */
#include <errno.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disc_kick.h"

struct fg_flow_list {
	struct fg_kick *k;
	struct fg_kick_flow *f;
	size_t n, cap;
};

/* Flows whose sockets are still open at both ends or half-closed. */
static int fg_tcp_open_state(uint8_t st)
{
	return st >= TCP_CONNTRACK_ESTABLISHED && st <= TCP_CONNTRACK_LAST_ACK;
}

static int fg_collect(const struct fg_ct_entry *e, void *arg)
{
	struct fg_flow_list *l = arg;
	struct fg_kick_flow *grown;

	if (e->orig.l4proto != IPPROTO_TCP || !fg_tcp_open_state(e->tcp_state))
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

int fg_disc_kick(struct fg_kick *k, struct fg_ct *ct, struct fg_disc *d,
		 struct fg_kick_flow **left, size_t *nr_left, char *err,
		 size_t errlen)
{
	struct fg_flow_list l = { .k = k };
	struct fg_kick_stats st = {};
	int rc;

	*left = NULL;
	*nr_left = 0;
	rc = fg_ct_dump(ct, 0, d->mark, d->mask, fg_collect, &l);
	if (!rc && l.n)
		rc = fg_kick_batch(k, l.f, l.n, FG_DISC_KICK_WAIT_MS, &st);
	if (rc) {
		snprintf(err, errlen, "kicking TCP clients: %s", strerror(-rc));
		free(l.f);
		return rc;
	}
	d->flows = l.n;
	d->reset = st.reset + st.destroyed;
	d->unresolved = st.unresolved;
	*nr_left = fg_keep_pending(l.f, l.n);
	if (*nr_left)
		*left = l.f;
	else
		free(l.f);
	return 0;
}
