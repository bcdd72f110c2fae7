/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * guard.h - the guard's logic, shared by both objects. Each object reads
 * the flow's mark its own way (ct entry or skb->mark) and then calls
 * fg_verdict(); everything else lives here, once.
 *
 * Hot path (a packet that belongs): two map lookups, the mark read, a few
 * compares. Packet parsing, time, dedupe and the ring buffer happen only
 * for flagged packets (and for the packets without a mark that the
 * objects look up or report).
 *
 * The guard is an observer on a hook other tools share: in direct-action
 * mode a filter's TC_ACT_OK ends the chain, so every packet it lets pass
 * gets TC_ACT_UNSPEC (go on with the next filter). Only a flagged packet
 * on an enforcing device gets a verdict of its own: TC_ACT_SHOT.
 *
 * Uses uapi headers only: the skbmark object must carry no CO-RE
 * relocation so that it loads on kernels without BTF.
 */
#ifndef FG_GUARD_H
#define FG_GUARD_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flowguard.h"

/* The uapi headers' bitfields (iphdr's ihl and version, ipv6hdr's version,
 * tcphdr's doff) are laid out by the byte order asm/byteorder.h states,
 * which is the build host's: a big-endian object (bpfeb, MIPS) built with
 * a little-endian host's headers would read IPv4's version as 5 and its
 * ihl as 4. Read those nibbles from the header's bytes (fg_ip_version(),
 * fg_ip4_ihl()); the poison makes any use of the bitfields a build error. */
#pragma GCC poison ihl version doff

/* The IP version: the high nibble of the header's first byte (v4 and v6). */
static __always_inline __u8 fg_ip_version(const void *iph)
{
	return *(const __u8 *)iph >> 4;
}

/* IPv4's header length in 4-byte words: the low nibble of its first byte. */
static __always_inline __u8 fg_ip4_ihl(const struct iphdr *iph)
{
	return *(const __u8 *)iph & 0x0f;
}

#define FG_AF_INET 2
#define FG_AF_INET6 10

#define FG_PASS TC_ACT_UNSPEC

const volatile struct fg_guard_cfg fg_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FG_MAX_IFINDEX);
	__type(key, __u32);
	__type(value, struct fg_uplink);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fg_uplinks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_MAX_UPLINKS);
	__type(key, __u32);
	__type(value, struct fg_uplink);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fg_uplinks_hi SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FG_MAX_UPLINKS);
	__type(key, __u32);
	__type(value, struct fg_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fg_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FG_MAX_FLOWS);
	__type(key, struct fg_flow_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FG_RINGBUF_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fg_events SEC(".maps");

/* Devices numbered at or above FG_MAX_IFINDEX: rare. A subprogram of its
 * own, so that clang cannot merge the two lookups into one call on a
 * branch-selected map, which the verifier could not inline. */
static __noinline struct fg_uplink *fg_uplink_hi(__u32 ifindex)
{
	return bpf_map_lookup_elem(&fg_uplinks_hi, &ifindex);
}

/* Where this packet left, and its counters. NULL: not an uplink of ours. */
static __always_inline struct fg_uplink *
fg_uplink_of(struct __sk_buff *skb, struct fg_counters **cnt)
{
	__u32 ifindex = skb->ifindex;
	struct fg_uplink *up;
	__u32 slot;

	/* the array's lookup is inlined by the verifier: no call */
	if (ifindex < FG_MAX_IFINDEX)
		up = bpf_map_lookup_elem(&fg_uplinks, &ifindex);
	else
		up = fg_uplink_hi(ifindex);
	if (!up || !(up->flags & FG_UPLINK_GUARDED))
		return NULL;
	slot = up->slot;
	*cnt = bpf_map_lookup_elem(&fg_counters, &slot);
	if (*cnt)
		(*cnt)->seen++;
	return up;
}

/* One more in counter FIELD of struct fg_counters (NULL: none to count). */
#define fg_count(cnt, field)            \
	do {                            \
		if (cnt)                \
			(cnt)->field++; \
	} while (0)

/* Does a packet carrying this mark belong on this uplink right now? The
 * device's own marks first: that is nearly every packet. (Allowed marks
 * are never 0 or reserved: the loader refuses those.) */
static __always_inline int fg_mark_belongs(const struct fg_uplink *up,
					   __u32 mark)
{
	__u32 bits = mark & fg_cfg.mask;
	__u32 n = up->nr_allowed;

#pragma unroll
	for (int i = 0; i < FG_MAX_MARKS_PER_DEV; i++) {
		if (i >= n)
			break;
		if (up->allowed[i] == bits)
			return 1;
	}
	return !bits || bits == fg_cfg.reserved[0] ||
	       bits == fg_cfg.reserved[1] || bits == fg_cfg.reserved[2];
}

/* The flagged packet's own tuple, as it left, plus its TCP state. */
struct fg_pkt {
	struct fg_flow_key key;
	__be32 seq;
	__be32 ack;
	__u8 tcp_flags;
};

static __always_inline int fg_parse_l4(struct __sk_buff *skb, __u32 off,
				       struct fg_pkt *p)
{
	struct tcphdr th;
	struct udphdr uh;
	__u8 icmp[6];

	if (p->key.l4proto == IPPROTO_TCP) {
		if (bpf_skb_load_bytes(skb, off, &th, sizeof(th)))
			return -1;
		p->key.sport = th.source;
		p->key.dport = th.dest;
		p->seq = th.seq;
		p->ack = th.ack_seq;
		/* flags byte follows the data offset byte */
		p->tcp_flags = ((__u8 *)&th)[13];
	} else if (p->key.l4proto == IPPROTO_UDP) {
		if (bpf_skb_load_bytes(skb, off, &uh, sizeof(uh)))
			return -1;
		p->key.sport = uh.source;
		p->key.dport = uh.dest;
	} else if (p->key.l4proto == IPPROTO_ICMP ||
		   p->key.l4proto == IPPROTO_ICMPV6) {
		/* conntrack's convention: echo id as sport, type/code as dport */
		if (bpf_skb_load_bytes(skb, off, icmp, sizeof(icmp)))
			return -1;
		__builtin_memcpy(&p->key.dport, icmp, 2);
		__builtin_memcpy(&p->key.sport, icmp + 4, 2);
	}
	return 0;
}

/* IPv6 extension headers walked to the transport header. Real traffic
 * carries one or two (a fragment header, AH); 4 covers RFC 8200's order
 * up to the fragment header (hop-by-hop, destination options, routing,
 * fragment); a packet with more cannot be parsed. A constant bound keeps
 * the loop unrolled for every verifier (5.15 included). Only flagged and
 * looked-up packets are parsed: none of this is on the hot path. */
#define FG_IPV6_MAX_EXT 4

#ifndef IPPROTO_HOPOPTS
#define IPPROTO_HOPOPTS 0
#endif
#ifndef IPPROTO_ROUTING
#define IPPROTO_ROUTING 43
#endif
#ifndef IPPROTO_FRAGMENT
#define IPPROTO_FRAGMENT 44
#endif
#ifndef IPPROTO_DSTOPTS
#define IPPROTO_DSTOPTS 60
#endif

/* The first 4 bytes of every extension header we walk; the fragment
 * header's second half is its offset field (offset << 3 | M). */
struct fg_ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off;
};

static __always_inline int fg_ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_AH;
}

/* Walks the extension headers from off; *off and *nh end at the
 * transport header. 1: a later fragment (no transport header, no ports
 * here), 0: go on, -1: cut short, or more headers than we walk (an
 * extension header is no transport protocol to report). */
static __always_inline int fg_parse_ipv6_ext(struct __sk_buff *skb,
					     __u32 *off, __u8 *nh)
{
	struct fg_ipv6_ext ext;

#pragma unroll
	for (int i = 0; i < FG_IPV6_MAX_EXT; i++) {
		if (!fg_ipv6_is_ext(*nh))
			return 0;
		if (bpf_skb_load_bytes(skb, *off, &ext, sizeof(ext)))
			return -1;
		if (*nh == IPPROTO_FRAGMENT) {
			*nh = ext.nexthdr;
			if (ext.frag_off & bpf_htons(0xfff8))
				return 1;
			*off += 8;
		} else if (*nh == IPPROTO_AH) {
			/* AH counts in 4-byte units, minus 2 */
			*nh = ext.nexthdr;
			*off += ((__u32)ext.hdrlen + 2) * 4;
		} else {
			*nh = ext.nexthdr;
			*off += ((__u32)ext.hdrlen + 1) * 8;
		}
	}
	return fg_ipv6_is_ext(*nh) ? -1 : 0;
}

static __always_inline int fg_parse(struct __sk_buff *skb, __u32 l2_len,
				    struct fg_pkt *p)
{
	struct ipv6hdr ip6;
	struct iphdr ip4;
	__u32 off = l2_len;
	__u8 nh;
	int rc;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, off, &ip4, sizeof(ip4)))
			return -1;
		if (fg_ip_version(&ip4) != 4 || fg_ip4_ihl(&ip4) < 5)
			return -1;
		p->key.family = FG_AF_INET;
		p->key.l4proto = ip4.protocol;
		__builtin_memcpy(p->key.saddr, &ip4.saddr, 4);
		__builtin_memcpy(p->key.daddr, &ip4.daddr, 4);
		/* later fragments carry no ports */
		if (ip4.frag_off & bpf_htons(0x1fff))
			return 0;
		off += fg_ip4_ihl(&ip4) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			return -1;
		if (fg_ip_version(&ip6) != 6)
			return -1;
		p->key.family = FG_AF_INET6;
		__builtin_memcpy(p->key.saddr, &ip6.saddr, 16);
		__builtin_memcpy(p->key.daddr, &ip6.daddr, 16);
		off += sizeof(ip6);
		nh = ip6.nexthdr;
		rc = fg_parse_ipv6_ext(skb, &off, &nh);
		p->key.l4proto = nh;
		if (rc < 0)
			return -1;
		/* a later fragment carries no ports, as in IPv4 */
		if (rc)
			return 0;
	} else {
		return -1;
	}
	return fg_parse_l4(skb, off, p);
}

/* Does this device have an uplink marked down right now? */
static __always_inline int fg_uplink_down(const struct fg_uplink *up)
{
	return up->nr_allowed < up->nr_marks;
}

/* First report of this flow in the dedupe interval? Records it if so. */
static __always_inline int fg_first_in_interval(struct fg_flow_key *key,
						__u64 now)
{
	__u64 *last = bpf_map_lookup_elem(&fg_flows, key);

	if (last && now - *last < fg_cfg.dedupe_ns)
		return 0;
	bpf_map_update_elem(&fg_flows, key, &now, BPF_ANY);
	return 1;
}

static __always_inline void fg_event_from_pkt(struct fg_event *e,
					      const struct fg_pkt *p,
					      struct __sk_buff *skb, __u32 mark,
					      __u64 now)
{
	__builtin_memcpy(e->saddr, p->key.saddr, 16);
	__builtin_memcpy(e->daddr, p->key.daddr, 16);
	e->ts_ns = now;
	e->tcp_seq = p->seq;
	e->tcp_ack = p->ack;
	e->mark = mark;
	e->ifindex = skb->ifindex;
	e->ingress_ifindex = skb->ingress_ifindex;
	e->sport = p->key.sport;
	e->dport = p->key.dport;
	e->zone = 0;
	e->family = p->key.family;
	e->l4proto = p->key.l4proto;
	e->tcp_flags = p->tcp_flags;
	e->source = FG_SRC_PKT;
	e->ct_dir = FG_DIR_UNKNOWN;
	e->flags = 0;
}

/*
 * Each object defines this: replace the packet's tuple in the event by the
 * ct entry's original-direction tuple (a no-op without ct access).
 */
static __always_inline void fg_ct_fill(struct fg_event *e, const void *ct,
				       __u32 ctinfo);

/* Report a parsed packet's flow once per dedupe interval; verdict is what
 * the packet gets either way. */
static __always_inline int fg_report_pkt(struct __sk_buff *skb,
					 struct fg_counters *cnt,
					 struct fg_pkt *p, __u32 mark,
					 const void *ct, __u32 ctinfo,
					 __u8 ev_flags, int verdict)
{
	struct fg_event *e;
	__u64 now;

	p->key.ifindex = skb->ifindex;
	now = bpf_ktime_get_ns();
	if (!fg_first_in_interval(&p->key, now))
		return verdict;
	e = bpf_ringbuf_reserve(&fg_events, sizeof(*e), 0);
	if (!e) {
		/* let the flow's next packet try again */
		bpf_map_delete_elem(&fg_flows, &p->key);
		fg_count(cnt, lost);
		return verdict;
	}
	fg_event_from_pkt(e, p, skb, mark, now);
	if (ct)
		fg_ct_fill(e, ct, ctinfo);
	e->flags = ev_flags;
	bpf_ringbuf_submit(e, 0);
	fg_count(cnt, events);
	return verdict;
}

/* A flagged packet, parsed: counted, reported, and dropped if the device
 * enforces. */
static __always_inline int fg_flag_pkt(struct __sk_buff *skb,
				       const struct fg_uplink *up,
				       struct fg_counters *cnt,
				       struct fg_pkt *p, __u32 mark,
				       const void *ct, __u32 ctinfo)
{
	int verdict = up->flags & FG_UPLINK_ENFORCE ? TC_ACT_SHOT : FG_PASS;

	fg_count(cnt, flagged);
	return fg_report_pkt(skb, cnt, p, mark, ct, ctinfo, 0, verdict);
}

/* A packet whose mark does not belong here: report its flow once per
 * dedupe interval. It passes, unless the device enforces.
 *
 * One the guard cannot parse (cut short, not IP, a bad header) cannot be
 * reported, but its mark already says it does not belong here, and that
 * alone is what enforce acts on: it is dropped there like any flagged
 * packet (a stale flow must not leak one uplink's packets out of another
 * because a header was odd; what mwan3 routes is IP, and frames that are
 * not, ARP or LLDP, carry no mark). Counted, enforcing or not, so that
 * such drops are never silent. */
static __always_inline int fg_report(struct __sk_buff *skb,
				     const struct fg_uplink *up,
				     struct fg_counters *cnt, __u32 mark,
				     const void *ct, __u32 ctinfo)
{
	struct fg_pkt p = {};

	if (fg_parse(skb, up->l2_len, &p)) {
		fg_count(cnt, unparsed);
		return up->flags & FG_UPLINK_ENFORCE ? TC_ACT_SHOT : FG_PASS;
	}
	return fg_flag_pkt(skb, up, cnt, &p, mark, ct, ctinfo);
}

#endif /* FG_GUARD_H */
