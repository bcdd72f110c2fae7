// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* reset_kick.c - exact-sequence resets for stale TCP flows. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flowguard.h"
#include "reset_inject.h"
#include "reset_kick.h"
#include "reset_capture.h"
#include "reset_sockdiag.h"
#include "reset_tcpseg.h"

#define FG_LOCAL_MAX 256

/* Open addressing over a batch's flows, keyed by the host's address and
 * port and the peer's address and port. */
struct fg_kick_index {
	uint32_t *slot; /* flow index + 1; 0 = empty */
	size_t mask;
};

struct fg_kick_inflight {
	struct fg_kick_inflight *next;
	struct fg_kick_flow *f;
	size_t n, waiting;
	struct fg_kick_index ix;
	uint64_t deadline_ms;
	unsigned int flags;
	struct fg_kick_stats st;
	fg_kick_done_fn done;
	void *ctx;
};

struct fg_kick {
	struct fg_inject *inj;
	struct fg_capture cap; /* lets in the answers of batches in flight */
	struct fg_kick_inflight *batches;
	size_t nr_batches;
	struct fg_capture_want *wants;
	uint64_t rnd;
	struct {
		uint8_t family;
		uint8_t addr[16];
	} local[FG_LOCAL_MAX];
	size_t nr_local;
};

static const char *const fg_kick_names[] = {
	[FG_KICK_PENDING] = "no answer",
	[FG_KICK_RESET] = "reset",
	[FG_KICK_DESTROYED] = "socket destroyed",
	[FG_KICK_UNRESOLVED] = "host not in the neighbour table",
	[FG_KICK_FAILED] = "failed",
	[FG_KICK_GUESSED] = "reset with its last ACK (no answer)",
};

const char *fg_kick_state_name(enum fg_kick_state s)
{
	return fg_kick_names[s];
}

static uint64_t fg_ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* xorshift64: provoking sequence numbers need to be unpredictable to the
 * host's window, not cryptographic. */
static uint32_t fg_kick_rand(struct fg_kick *k)
{
	k->rnd ^= k->rnd << 13;
	k->rnd ^= k->rnd >> 7;
	k->rnd ^= k->rnd << 17;
	return (uint32_t)(k->rnd >> 16);
}

/* The router's own addresses, read once per batch or single reset. */
static void fg_kick_load_local(struct fg_kick *k)
{
	struct ifaddrs *ifa, *i;

	k->nr_local = 0;
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i && k->nr_local < FG_LOCAL_MAX; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
			continue;
		k->local[k->nr_local].family = (uint8_t)sa->sa_family;
		if (sa->sa_family == AF_INET)
			memcpy(k->local[k->nr_local].addr,
			       &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		else
			memcpy(k->local[k->nr_local].addr,
			       &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		k->nr_local++;
	}
	freeifaddrs(ifa);
}

static int fg_kick_is_local(const struct fg_kick *k, const struct fg_ct_tuple *t)
{
	size_t i, alen = t->family == AF_INET ? 4 : 16;

	for (i = 0; i < k->nr_local; i++)
		if (k->local[i].family == t->family &&
		    !memcmp(k->local[i].addr, t->saddr, alen))
			return 1;
	return 0;
}

int fg_kick_open(struct fg_kick **out)
{
	struct fg_kick *k = calloc(1, sizeof(*k));
	struct timespec ts;
	int rc;

	if (!k)
		return -ENOMEM;
	k->cap.fd[0] = k->cap.fd[1] = -1;
	rc = fg_inject_open(&k->inj);
	rc = rc ?: fg_capture_open(&k->cap);
	if (rc) {
		fg_kick_close(k);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	k->rnd = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;
	*out = k;
	return 0;
}

void fg_kick_close(struct fg_kick *k)
{
	if (!k)
		return;
	/* their owners get their flows back (and free them) */
	fg_kick_expire(k, 1);
	fg_capture_close(&k->cap);
	fg_inject_close(k->inj);
	free(k->wants);
	free(k);
}

static int fg_kick_is_neighbour(struct fg_kick *k, const struct fg_ct_tuple *t)
{
	uint8_t mac[6];
	int ifindex = 0;

	return !fg_inject_resolve(k->inj, t->family, t->saddr, &ifindex, mac);
}

void fg_kick_host_view(struct fg_kick *k, const struct fg_ct_entry *e,
		       struct fg_ct_tuple *hv)
{
	/* a port forward: the LAN host answers, in the reply direction */
	if (e->status & IPS_DST_NAT) {
		*hv = e->reply;
		return;
	}
	*hv = e->orig;
	if (!k->nr_local)
		fg_kick_load_local(k);
	/* a remote that connected in without NAT (routed IPv6) */
	if (!fg_kick_is_local(k, hv) && !fg_kick_is_neighbour(k, hv))
		*hv = e->reply;
}

/* A segment from the peer to the host. */
static void fg_kick_seg(const struct fg_ct_tuple *hv, uint32_t seq,
			uint32_t ack, uint8_t flags, struct fg_seg *s)
{
	memset(s, 0, sizeof(*s));
	s->t.family = hv->family;
	s->t.l4proto = IPPROTO_TCP;
	memcpy(s->t.saddr, hv->daddr, sizeof(s->t.saddr));
	memcpy(s->t.daddr, hv->saddr, sizeof(s->t.daddr));
	s->t.sport = hv->dport;
	s->t.dport = hv->sport;
	s->seq = seq;
	s->ack = ack;
	s->flags = flags;
}

static enum fg_kick_state fg_kick_destroy(const struct fg_ct_tuple *hv)
{
	return fg_sockdiag_destroy(hv) ? FG_KICK_FAILED : FG_KICK_DESTROYED;
}

static uint32_t fg_hv_hash(const struct fg_ct_tuple *t)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ t->saddr[i]) * 16777619u;
	h = (h ^ t->sport) * 16777619u;
	return (h ^ t->dport) * 16777619u;
}

static int fg_hv_same(const struct fg_ct_tuple *a, const struct fg_ct_tuple *b)
{
	return a->family == b->family && a->sport == b->sport &&
	       a->dport == b->dport && !memcmp(a->saddr, b->saddr, 16) &&
	       !memcmp(a->daddr, b->daddr, 16);
}

static int fg_index_build(struct fg_kick_index *ix, struct fg_kick_flow *f,
			  size_t n)
{
	size_t cap = 16, i, j;

	while (cap < 2 * n)
		cap <<= 1;
	ix->slot = calloc(cap, sizeof(*ix->slot));
	if (!ix->slot)
		return -ENOMEM;
	ix->mask = cap - 1;
	for (i = 0; i < n; i++) {
		if (f[i].state != FG_KICK_PENDING || f[i].local)
			continue;
		for (j = fg_hv_hash(&f[i].hv) & ix->mask; ix->slot[j];
		     j = (j + 1) & ix->mask)
			;
		ix->slot[j] = (uint32_t)i + 1;
	}
	return 0;
}

static struct fg_kick_flow *fg_index_find(const struct fg_kick_index *ix,
					  struct fg_kick_flow *f,
					  const struct fg_ct_tuple *hv)
{
	size_t j;

	for (j = fg_hv_hash(hv) & ix->mask; ix->slot[j]; j = (j + 1) & ix->mask)
		if (fg_hv_same(&f[ix->slot[j] - 1].hv, hv))
			return &f[ix->slot[j] - 1];
	return NULL;
}

/* Whether ack moved forward from the RST's sequence number by what a
 * host could receive in one batch's time: the same connection acking on,
 * never a new one on the same ports (its numbers are random). */
static bool fg_kick_acked_on(uint32_t rst_seq, uint32_t ack)
{
	uint32_t d = ack - rst_seq;

	return d && d < (1u << 24);
}

/* A captured segment from the host of one batch's flow: a pending
 * host's answer gets its RST; a watched flow's host that acks on gets it
 * again, with the new value. */
static void fg_kick_answer_one(struct fg_kick *k, struct fg_kick_inflight *b,
			       struct fg_kick_flow *flow, uint32_t ack)
{
	struct fg_seg rst;

	if (flow->state == FG_KICK_PENDING) {
		b->st.answered++;
		b->waiting--;
	} else if (flow->state == FG_KICK_RESET &&
		   (b->flags & FG_KICK_WATCH) &&
		   fg_kick_acked_on(flow->rst_seq, ack)) {
		b->st.rereset++;
		b->st.reset--;
	} else {
		return;
	}
	fg_kick_seg(&flow->hv, ack, 0, FG_TCP_RST, &rst);
	if (fg_inject_send(k->inj, flow->ifindex, &rst)) {
		flow->state = FG_KICK_FAILED;
		b->st.failed++;
		return;
	}
	flow->state = FG_KICK_RESET;
	flow->rst_seq = ack;
	b->st.reset++;
}

static void fg_kick_answer(struct fg_kick *k, const uint8_t *pkt, size_t len,
			   int family)
{
	struct fg_kick_inflight *b;
	struct fg_kick_flow *flow;
	struct fg_seg in;

	if (fg_seg_parse(pkt, len, family, &in) ||
	    (in.flags & (FG_TCP_RST | FG_TCP_SYN | FG_TCP_FIN)) ||
	    !(in.flags & FG_TCP_ACK))
		return;
	/* the same flow may be in two batches (an event's, a disconnect's) */
	for (b = k->batches; b; b = b->next) {
		flow = fg_index_find(&b->ix, b->f, &in.t);
		if (flow)
			fg_kick_answer_one(k, b, flow, in.ack);
	}
}

static size_t fg_kick_provoke(struct fg_kick *k, struct fg_kick_flow *f,
			      size_t n, struct fg_kick_stats *st)
{
	size_t i, waiting = 0;
	struct fg_seg s;
	int rc;

	for (i = 0; i < n; i++) {
		if (f[i].state != FG_KICK_PENDING)
			continue;
		if (f[i].local) {
			f[i].state = fg_kick_destroy(&f[i].hv);
			*(f[i].state == FG_KICK_DESTROYED ? &st->destroyed
							  : &st->failed) += 1;
			continue;
		}
		/* A pure ACK, no options, at a random sequence number: outside
		 * the host's window but for a chance of window/2^32. A retry
		 * goes 2^31 away, which no window (< 2^30) spans both of. */
		f[i].provoke_seq = f[i].provoked ? f[i].provoke_seq + (1u << 31)
						 : fg_kick_rand(k);
		f[i].provoked = 1;
		fg_kick_seg(&f[i].hv, f[i].provoke_seq, fg_kick_rand(k),
			    FG_TCP_ACK, &s);
		rc = fg_inject_send(k->inj, f[i].ifindex, &s);
		if (rc == -ENOENT) {
			f[i].state = FG_KICK_UNRESOLVED;
			st->unresolved++;
		} else if (rc) {
			f[i].state = FG_KICK_FAILED;
			st->failed++;
		} else {
			st->provoked++;
			waiting++;
		}
	}
	return waiting;
}

/* Hosts that did not answer (rate limited, or asleep): their last known
 * RCV.NXT is still right when nothing reached them since. */
static void fg_kick_guesses(struct fg_kick *k, struct fg_kick_flow *f,
			    size_t n, struct fg_kick_stats *st)
{
	struct fg_seg s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].state != FG_KICK_PENDING || !f[i].has_guess)
			continue;
		fg_kick_seg(&f[i].hv, f[i].guess_seq, 0, FG_TCP_RST, &s);
		if (fg_inject_send(k->inj, f[i].ifindex, &s)) {
			f[i].state = FG_KICK_FAILED;
			st->failed++;
		} else {
			f[i].state = FG_KICK_GUESSED;
			st->guessed++;
		}
	}
}

/* The capture filter follows the flows in flight: those waiting for an
 * answer, and the reset ones of watching batches. */
static int fg_kick_refilter(struct fg_kick *k)
{
	struct fg_kick_inflight *b;
	size_t i, n = 0, cap = 0;
	struct fg_capture_want *w;

	for (b = k->batches; b; b = b->next)
		cap += b->n;
	w = cap ? realloc(k->wants, cap * sizeof(*w)) : k->wants;
	if (!w)
		return -ENOMEM;
	k->wants = w;
	for (b = k->batches; b; b = b->next)
		for (i = 0; i < b->n; i++)
			if (!b->f[i].local &&
			    (b->f[i].state == FG_KICK_PENDING ||
			     (b->f[i].state == FG_KICK_RESET &&
			      (b->flags & FG_KICK_WATCH))))
				fg_capture_want_of(&b->f[i].hv, &w[n++]);
	return fg_capture_set(&k->cap, w, n);
}

static void fg_kick_finish(struct fg_kick *k, struct fg_kick_inflight *b)
{
	struct fg_kick_inflight **pp = &k->batches;

	while (*pp != b)
		pp = &(*pp)->next;
	*pp = b->next;
	k->nr_batches--;
	fg_kick_guesses(k, b->f, b->n, &b->st);
	fg_kick_refilter(k);
	free(b->ix.slot);
	b->done(b->ctx, b->f, b->n, &b->st);
	free(b);
}

int fg_kick_start(struct fg_kick *k, struct fg_kick_flow *f, size_t n,
		  int wait_ms, unsigned int flags, fg_kick_done_fn done,
		  void *ctx)
{
	struct fg_kick_inflight *b = calloc(1, sizeof(*b));
	size_t i;
	int rc;

	if (!b)
		return -ENOMEM;
	b->f = f;
	b->n = n;
	b->flags = flags;
	b->done = done;
	b->ctx = ctx;
	b->st.flows = n;
	fg_kick_load_local(k);
	for (i = 0; i < n; i++)
		f[i].local = fg_kick_is_local(k, &f[i].hv);
	rc = fg_index_build(&b->ix, f, n);
	if (rc) {
		free(b);
		return rc;
	}
	b->next = k->batches;
	k->batches = b;
	k->nr_batches++;
	/* the filter lets the answers in before they are asked for */
	rc = fg_kick_refilter(k);
	if (rc) {
		k->batches = b->next;
		k->nr_batches--;
		free(b->ix.slot);
		free(b);
		return rc;
	}
	b->waiting = fg_kick_provoke(k, f, n, &b->st);
	/* nothing to wait for: ends at the caller's next expire */
	b->deadline_ms = fg_ms_now() +
			 (b->waiting || (flags & FG_KICK_WATCH) ? (uint64_t)wait_ms
								: 0);
	return 0;
}

int fg_kick_fd(const struct fg_kick *k, int i)
{
	return k->cap.fd[i];
}

void fg_kick_on_answers(struct fg_kick *k)
{
	struct fg_kick_inflight *b, *next;
	uint8_t pkt[256];
	ssize_t len;
	int i;

	for (i = 0; i < 2; i++)
		while ((len = fg_capture_recv(&k->cap, i, pkt, sizeof(pkt))) >= 0)
			fg_kick_answer(k, pkt, (size_t)len,
				       i ? AF_INET6 : AF_INET);
	for (b = k->batches; b; b = next) {
		next = b->next;
		if (!b->waiting && !(b->flags & FG_KICK_WATCH))
			fg_kick_finish(k, b);
	}
}

void fg_kick_expire(struct fg_kick *k, int now_too)
{
	uint64_t now = fg_ms_now();
	struct fg_kick_inflight *b, *next;

	for (b = k->batches; b; b = next) {
		next = b->next;
		if (now_too || b->deadline_ms <= now)
			fg_kick_finish(k, b);
	}
}

int fg_kick_timeout_ms(const struct fg_kick *k)
{
	const struct fg_kick_inflight *b;
	uint64_t now, first = UINT64_MAX;

	if (!k || !k->batches)
		return -1;
	for (b = k->batches; b; b = b->next)
		if (b->deadline_ms < first)
			first = b->deadline_ms;
	now = fg_ms_now();
	return first <= now ? 0 : (int)(first - now);
}

size_t fg_kick_in_flight(const struct fg_kick *k)
{
	return k ? k->nr_batches : 0;
}

struct fg_kick_wait {
	struct fg_kick_stats *st;
	bool done;
};

static void fg_kick_waited(void *ctx, struct fg_kick_flow *f, size_t n,
			   const struct fg_kick_stats *st)
{
	struct fg_kick_wait *w = ctx;

	(void)f;
	(void)n;
	*w->st = *st;
	w->done = true;
}

int fg_kick_batch(struct fg_kick *k, struct fg_kick_flow *f, size_t n,
		  int wait_ms, struct fg_kick_stats *st)
{
	struct fg_kick_wait w = { .st = st };
	struct pollfd pfd[2];
	int rc;

	rc = fg_kick_start(k, f, n, wait_ms, 0, fg_kick_waited, &w);
	if (rc)
		return rc;
	pfd[0] = (struct pollfd){ .fd = k->cap.fd[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = k->cap.fd[1], .events = POLLIN };
	while (!w.done) {
		if (poll(pfd, 2, fg_kick_timeout_ms(k)) > 0)
			fg_kick_on_answers(k);
		fg_kick_expire(k, 0);
	}
	return 0;
}
