// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ct guard: the flow's mark is the mark of the conntrack entry attached
 * to the skb, whatever the packet mark says. Needs kernel BTF (CO-RE).
 *
 * Two ways to reach skb->_nfct, chosen by the loader from what the running
 * kernel offers: bpf_cast_to_kern_ctx() (a kfunc, kernel 6.2+, no helper
 * call) or bpf_probe_read_kernel() from the context pointer, which is the
 * kernel's sk_buff in a TC program (older kernels).
 */
#include "guard.h"
#include <bpf/bpf_core_read.h>
#include "fg_core_types.h"

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

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

static __always_inline int fg_ct_verdict(struct __sk_buff *skb,
					 const struct fg_uplink *up,
					 struct fg_counters *cnt,
					 unsigned long nfct)
{
	const struct nf_conn___fg *ct;
	__u32 ctinfo = nfct & FG_NFCT_INFOMASK;
	__u32 mark;

	/* untracked packets carry a bare ctinfo and no entry */
	ct = (const void *)(nfct & ~FG_NFCT_INFOMASK);
	if (!ct) {
		fg_count(cnt, FG_CNT_NO_MARK);
		return TC_ACT_OK;
	}
	mark = BPF_CORE_READ(ct, mark);
	if (fg_mark_belongs(up, mark))
		return TC_ACT_OK;
	return fg_report(skb, up, cnt, mark, ct, ctinfo);
}

SEC("tc")
int fg_guard_ct_kctx(struct __sk_buff *skb)
{
	struct fg_counters *cnt = NULL;
	struct sk_buff___fg *kskb;
	struct fg_uplink *up;

	up = fg_uplink_of(skb, &cnt);
	if (!up)
		return TC_ACT_OK;
	kskb = bpf_cast_to_kern_ctx(skb);
	return fg_ct_verdict(skb, up, cnt, kskb->_nfct);
}

SEC("tc")
int fg_guard_ct_probe(struct __sk_buff *skb)
{
	unsigned long off = bpf_core_field_offset(struct sk_buff___fg, _nfct);
	struct fg_counters *cnt = NULL;
	unsigned long nfct = 0;
	struct fg_uplink *up;

	up = fg_uplink_of(skb, &cnt);
	if (!up)
		return TC_ACT_OK;
	if (bpf_probe_read_kernel(&nfct, sizeof(nfct), (void *)skb + off))
		nfct = 0;
	return fg_ct_verdict(skb, up, cnt, nfct);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
