// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ct guard: the flow's mark is the mark of the conntrack entry attached
 * to the skb, whatever the packet mark says. Needs kernel BTF (CO-RE).
 *
 * Two ways to reach skb->_nfct, chosen by the loader from what the running
 * kernel offers: bpf_cast_to_kern_ctx() (a kfunc, kernel 6.2+, no helper
 * call; the mark is then a plain load through bpf_rdonly_cast() when the
 * loader found nf_conn's BTF id) or bpf_probe_read_kernel() from the
 * context pointer, which is the kernel's sk_buff in a TC program (older
 * kernels).
 *
 * Packets forwarded by an nft flowtable (flow offload) carry no entry. The
 * _lookup programs find it with bpf_skb_ct_lookup() (5.18+): on a device
 * with an uplink down or that enforces, for every such packet; elsewhere
 * for one in fg_cfg.lookup_sample + 1 per CPU (a misrouted flow sends many).
 * Each program only references the kfuncs it calls: a program the loader
 * does not load may name kfuncs the kernel lacks (they are weak).
 */
#include "guard.h"
#include <bpf/bpf_core_read.h>
#include "fg_core_types.h"

/* the kernel's struct bpf_ct_opts as of 5.18; later kernels accept this
 * size too */
struct bpf_ct_opts___fg {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

#define FG_CURRENT_NETNS (-1)
#define FG_CT_DIR_REPLY 1

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;
extern void *bpf_rdonly_cast(void *obj__ign, __u32 btf_id__k) __ksym __weak;
extern struct nf_conn___fg *
bpf_skb_ct_lookup(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple,
		  __u32 tuple__sz, struct bpf_ct_opts___fg *opts,
		  __u32 opts__sz) __ksym __weak;
extern void bpf_ct_release(struct nf_conn___fg *ct) __ksym __weak;

static __always_inline void fg_ct_fill(struct fg_event *e, const void *ctp,
				       __u32 ctinfo)
{
	const struct nf_conn___fg *ct = ctp;
	const struct nf_conntrack_tuple___fg *t = &ct->tuplehash[0].tuple;
	__u16 l3num = 0;

	bpf_core_read(e->saddr, sizeof(e->saddr), &t->src.u3);
	bpf_core_read(e->daddr, sizeof(e->daddr), &t->dst.u3);
	bpf_core_read(&e->sport, sizeof(e->sport), &t->src.u.all);
	bpf_core_read(&e->dport, sizeof(e->dport), &t->dst.u.all);
	bpf_core_read(&e->l4proto, sizeof(e->l4proto), &t->dst.protonum);
	bpf_core_read(&l3num, sizeof(l3num), &t->src.l3num);
	e->family = l3num;
	if (bpf_core_field_exists(ct->zone))
		bpf_core_read(&e->zone, sizeof(e->zone), &ct->zone.id);
	e->source = FG_SRC_CT;
	e->ct_dir = ctinfo >= FG_IP_CT_IS_REPLY ? FG_DIR_REPLY : FG_DIR_ORIGINAL;
}

/* kctx: a plain (fault-safe) load when the loader gave nf_conn's BTF id;
 * the verifier drops the branch not taken, the id being a frozen constant */
static __always_inline __u32 fg_ct_mark(const struct nf_conn___fg *ct,
					int kctx)
{
	if (kctx && fg_cfg.nf_conn_btf_id) {
		const struct nf_conn___fg *c =
			bpf_rdonly_cast((void *)ct, fg_cfg.nf_conn_btf_id);

		return c->mark;
	}
	return BPF_CORE_READ(ct, mark);
}

/* Look this packet up: always where an uplink is down or the device
 * enforces (a stale flow's every packet counts there), else sampled. */
static __always_inline int fg_lookup_wanted(const struct fg_uplink *up,
					    const struct fg_counters *cnt)
{
	if (fg_uplink_down(up) || (up->flags & FG_UPLINK_ENFORCE))
		return 1;
	return !cnt || !(cnt->no_ct & fg_cfg.lookup_sample);
}

/* The packet already went through NAT: its tuple, inverted, is one of
 * the entry's two (the reply tuple of an outgoing flow, the original of a
 * port forward's answer), and the lookup matches either. */
static __always_inline __u32 fg_lookup_tuple(const struct fg_pkt *p,
					     struct bpf_sock_tuple *t)
{
	if (p->key.family == FG_AF_INET) {
		__builtin_memcpy(&t->ipv4.saddr, p->key.daddr, 4);
		__builtin_memcpy(&t->ipv4.daddr, p->key.saddr, 4);
		t->ipv4.sport = p->key.dport;
		t->ipv4.dport = p->key.sport;
		return sizeof(t->ipv4);
	}
	__builtin_memcpy(t->ipv6.saddr, p->key.daddr, 16);
	__builtin_memcpy(t->ipv6.daddr, p->key.saddr, 16);
	t->ipv6.sport = p->key.dport;
	t->ipv6.dport = p->key.sport;
	return sizeof(t->ipv6);
}

static __always_inline int fg_ct_lookup_verdict(struct __sk_buff *skb,
						const struct fg_uplink *up,
						struct fg_counters *cnt)
{
	struct bpf_ct_opts___fg opts = {};
	struct bpf_sock_tuple t = {};
	struct nf_conn___fg *ct;
	struct fg_pkt p = {};
	int verdict = FG_PASS;
	__u32 len, ctinfo;

	if (!fg_lookup_wanted(up, cnt) || fg_parse(skb, up->l2_len, &p))
		return FG_PASS;
	/* what a flowtable offloads, and all the kfunc takes */
	if (p.key.l4proto != IPPROTO_TCP && p.key.l4proto != IPPROTO_UDP)
		return FG_PASS;
	fg_count(cnt, lookup);
	len = fg_lookup_tuple(&p, &t);
	opts.netns_id = FG_CURRENT_NETNS;
	opts.l4proto = p.key.l4proto;
	ct = bpf_skb_ct_lookup(skb, &t, len, &opts, sizeof(opts));
	if (!ct)
		return FG_PASS;
	fg_count(cnt, lookup_hits);
	if (!fg_mark_belongs(up, ct->mark)) {
		/* the inverted tuple matched the entry's reply tuple: the
		 * packet itself goes the original way */
		ctinfo = opts.dir == FG_CT_DIR_REPLY ? 0 : FG_IP_CT_IS_REPLY;
		verdict = fg_flag_pkt(skb, up, cnt, &p, ct->mark, ct, ctinfo);
	}
	bpf_ct_release(ct);
	return verdict;
}

static __always_inline int fg_ct_verdict(struct __sk_buff *skb,
					 const struct fg_uplink *up,
					 struct fg_counters *cnt,
					 unsigned long nfct, int kctx,
					 int lookup)
{
	const struct nf_conn___fg *ct;
	__u32 ctinfo = nfct & FG_NFCT_INFOMASK;
	__u32 mark;

	/* untracked packets carry a bare ctinfo and no entry; offloaded
	 * ones nothing at all: only those are looked up */
	ct = (const void *)(nfct & ~FG_NFCT_INFOMASK);
	if (!ct) {
		fg_count(cnt, no_ct);
		if (!lookup || nfct)
			return FG_PASS;
		return fg_ct_lookup_verdict(skb, up, cnt);
	}
	mark = fg_ct_mark(ct, kctx);
	if (fg_mark_belongs(up, mark))
		return FG_PASS;
	return fg_report(skb, up, cnt, mark, ct, ctinfo);
}

static __always_inline int fg_guard_kctx(struct __sk_buff *skb, int lookup)
{
	struct fg_counters *cnt = NULL;
	struct sk_buff___fg *kskb;
	struct fg_uplink *up;

	up = fg_uplink_of(skb, &cnt);
	if (!up)
		return FG_PASS;
	kskb = bpf_cast_to_kern_ctx(skb);
	return fg_ct_verdict(skb, up, cnt, kskb->_nfct, 1, lookup);
}

static __always_inline int fg_guard_probe(struct __sk_buff *skb, int lookup)
{
	unsigned long off = bpf_core_field_offset(struct sk_buff___fg, _nfct);
	struct fg_counters *cnt = NULL;
	unsigned long nfct = 0;
	struct fg_uplink *up;

	up = fg_uplink_of(skb, &cnt);
	if (!up)
		return FG_PASS;
	if (bpf_probe_read_kernel(&nfct, sizeof(nfct), (void *)skb + off))
		nfct = 0;
	return fg_ct_verdict(skb, up, cnt, nfct, 0, lookup);
}

SEC("tc")
int fg_guard_ct_kctx(struct __sk_buff *skb)
{
	return fg_guard_kctx(skb, 0);
}

SEC("tc")
int fg_guard_ct_kctx_lookup(struct __sk_buff *skb)
{
	return fg_guard_kctx(skb, 1);
}

SEC("tc")
int fg_guard_ct_probe(struct __sk_buff *skb)
{
	return fg_guard_probe(skb, 0);
}

SEC("tc")
int fg_guard_ct_probe_lookup(struct __sk_buff *skb)
{
	return fg_guard_probe(skb, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
