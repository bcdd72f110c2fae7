// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kick.c - exact-sequence resets for stale TCP flows. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flowguard.h"
#include "inject.h"
#include "kick.h"
#include "sockdiag.h"
#include "tcpseg.h"

#define FG_LOCAL_MAX 256

struct fg_kick {
	struct fg_inject *inj;
	int cap[2]; /* IPv4, IPv6 answers; drop everything between batches */
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

/* ---- the batch: answers are caught by AF_PACKET, TCP only (cBPF) ----
 *
 * The capture sockets live as long as the kick handle: closing (or
 * unbinding) a packet socket waits for an RCU grace period, tens of ms,
 * which a disconnect cannot afford. Between batches they carry a filter
 * that drops everything; a batch swaps in "TCP only" and back, which
 * costs no grace period.
 *
 * They are bound to ETH_P_ALL, not to their family's ethertype: sockets
 * of one ethertype get a packet after the device's ingress hooks, and an
 * nft flowtable (flow offload) takes an offloaded flow's packets there:
 * the host's answer to the provoke would be forwarded, never seen. All-
 * protocol sockets are taps, ahead of those hooks; their filter checks
 * the ethertype itself, and they ignore what the router sends (no copy
 * of every transmitted packet). */

static int fg_capture_filter(int fd, uint16_t proto, uint32_t l4_off, int tcp)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, proto, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, l4_off),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = 6, .filter = code };

	if (!tcp)
		prog = (struct sock_fprog){ .len = 1, .filter = code + 5 };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog)) ? -errno : 0;
}

static int fg_capture_open_one(uint16_t proto, uint32_t l4_off)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd, rc, one = 1;

	/* protocol 0 receives nothing until bound: no packet slips in
	 * before the filter */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = fg_capture_filter(fd, proto, l4_off, 0);
	if (!rc && setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			      sizeof(one)))
		rc = -errno;
	if (!rc && bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

static const uint32_t fg_l4_off[2] = { 9, 6 }; /* IPv4 protocol, IPv6 next */
static const uint16_t fg_l3_proto[2] = { ETH_P_IP, ETH_P_IPV6 };

static void fg_capture_drop_all(struct fg_kick *k)
{
	int i;

	for (i = 0; i < 2; i++)
		fg_capture_filter(k->cap[i], fg_l3_proto[i], fg_l4_off[i], 0);
}

static void fg_capture_discard(int fd)
{
	uint8_t pkt[64];

	while (recv(fd, pkt, sizeof(pkt), MSG_TRUNC) >= 0)
		;
}

/* TCP in, and nothing left over from before the batch. */
static int fg_capture_start(struct fg_kick *k)
{
	int i, rc;

	for (i = 0; i < 2; i++) {
		rc = fg_capture_filter(k->cap[i], fg_l3_proto[i], fg_l4_off[i],
				       1);
		if (rc) {
			fg_capture_drop_all(k);
			return rc;
		}
		fg_capture_discard(k->cap[i]);
	}
	return 0;
}

int fg_kick_open(struct fg_kick **out)
{
	struct fg_kick *k = calloc(1, sizeof(*k));
	struct timespec ts;
	int rc;

	if (!k)
		return -ENOMEM;
	k->cap[0] = k->cap[1] = -1;
	rc = fg_inject_open(&k->inj);
	if (!rc) {
		k->cap[0] = fg_capture_open_one(ETH_P_IP, fg_l4_off[0]);
		k->cap[1] = fg_capture_open_one(ETH_P_IPV6, fg_l4_off[1]);
		rc = k->cap[0] < 0 ? k->cap[0] : k->cap[1] < 0 ? k->cap[1] : 0;
	}
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
	int i;

	if (!k)
		return;
	for (i = 0; i < 2; i++)
		if (k->cap[i] >= 0)
			close(k->cap[i]);
	fg_inject_close(k->inj);
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

/* Open addressing over the flows, keyed by the host's address and port
 * and the peer's port. */
struct fg_kick_index {
	uint32_t *slot; /* flow index + 1; 0 = empty */
	size_t mask;
};

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

/* One captured packet: if it is a pending host's answer, reset it. */
static int fg_kick_answer(struct fg_kick *k, const struct fg_kick_index *ix,
			  struct fg_kick_flow *f, const uint8_t *pkt,
			  size_t len, int family, struct fg_kick_stats *st)
{
	struct fg_kick_flow *flow;
	struct fg_seg in, rst;

	if (fg_seg_parse(pkt, len, family, &in) ||
	    !(in.flags & FG_TCP_ACK) || (in.flags & FG_TCP_RST))
		return 0;
	flow = fg_index_find(ix, f, &in.t);
	if (!flow || flow->state != FG_KICK_PENDING)
		return 0;
	st->answered++;
	fg_kick_seg(&flow->hv, in.ack, 0, FG_TCP_RST, &rst);
	if (fg_inject_send(k->inj, flow->ifindex, &rst)) {
		flow->state = FG_KICK_FAILED;
		st->failed++;
		return 1;
	}
	flow->state = FG_KICK_RESET;
	st->reset++;
	return 1;
}

static size_t fg_capture_drain(struct fg_kick *k,
			       const struct fg_kick_index *ix,
			       struct fg_kick_flow *f, struct fg_kick_stats *st)
{
	struct sockaddr_ll from;
	socklen_t fl;
	uint8_t pkt[256];
	size_t done = 0;
	ssize_t n;
	int i;

	for (i = 0; i < 2; i++) {
		for (;;) {
			fl = sizeof(from);
			n = recvfrom(k->cap[i], pkt, sizeof(pkt), MSG_TRUNC,
				     (struct sockaddr *)&from, &fl);
			if (n < 0)
				break;
			/* our own provoking segments go out: not answers */
			if (from.sll_pkttype == PACKET_OUTGOING)
				continue;
			done += (size_t)fg_kick_answer(k, ix, f, pkt,
						       (size_t)n < sizeof(pkt) ? (size_t)n : sizeof(pkt),
						       i ? AF_INET6 : AF_INET, st);
		}
	}
	return done;
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

int fg_kick_batch(struct fg_kick *k, struct fg_kick_flow *f, size_t n,
		  int wait_ms, struct fg_kick_stats *st)
{
	struct fg_kick_index ix = {};
	struct pollfd pfd[2];
	uint64_t deadline;
	size_t i, waiting;
	int rc;

	st->flows += n;
	fg_kick_load_local(k);
	for (i = 0; i < n; i++)
		f[i].local = fg_kick_is_local(k, &f[i].hv);
	rc = fg_index_build(&ix, f, n);
	if (rc)
		return rc;
	rc = fg_capture_start(k);
	if (rc)
		goto out;
	waiting = fg_kick_provoke(k, f, n, st);
	deadline = fg_ms_now() + (uint64_t)wait_ms;
	pfd[0] = (struct pollfd){ .fd = k->cap[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = k->cap[1], .events = POLLIN };
	while (waiting) {
		uint64_t now = fg_ms_now();

		if (now >= deadline)
			break;
		if (poll(pfd, 2, (int)(deadline - now)) <= 0)
			continue;
		i = fg_capture_drain(k, &ix, f, st);
		waiting = i > waiting ? 0 : waiting - i;
	}
	fg_capture_drop_all(k);
	fg_kick_guesses(k, f, n, st);
out:
	free(ix.slot);
	return rc;
}
