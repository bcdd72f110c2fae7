// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The skbmark guard: the flow's mark is skb->mark, which mwan3's mangle
 * rules restored from the ct mark. Reads only __sk_buff fields, so this
 * object has no CO-RE relocation and loads on kernels without BTF.
 */
#include "guard.h"

static __always_inline void fg_ct_fill(struct fg_event *e, const void *ct,
				       __u32 ctinfo)
{
	(void)e;
	(void)ct;
	(void)ctinfo;
}

SEC("tc")
int fg_guard_skbmark(struct __sk_buff *skb)
{
	struct fg_counters *cnt = NULL;
	struct fg_uplink *up;
	__u32 mark;

	up = fg_uplink_of(skb, &cnt);
	if (!up)
		return TC_ACT_OK;
	mark = skb->mark;
	if (fg_mark_belongs(up, mark))
		return TC_ACT_OK;
	return fg_report(skb, up, cnt, mark, NULL, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
