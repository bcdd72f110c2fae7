// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The skbmark guard: the flow's mark is skb->mark, which mwan3's mangle
 * rules restored from the ct mark. Reads only __sk_buff fields, so this
 * object has no CO-RE relocation and loads on kernels without BTF.
 *
 * Packets forwarded by an nft flowtable skip mangle and leave unmarked:
 * their mark cannot be checked here. While an uplink of the device is
 * down, such packets (TCP and UDP, what a flowtable offloads) are reported
 * by tuple with FG_EV_MARK_UNKNOWN, never dropped: the service looks the
 * entry up and judges its mark.
 */
#include "guard.h"

static __always_inline void fg_ct_fill(struct fg_event *e, const void *ct,
				       __u32 ctinfo)
{
	(void)e;
	(void)ct;
	(void)ctinfo;
}

static __always_inline int fg_report_unmarked(struct __sk_buff *skb,
					      const struct fg_uplink *up,
					      struct fg_counters *cnt)
{
	struct fg_pkt p = {};

	if (!fg_uplink_down(up) || fg_parse(skb, up->l2_len, &p))
		return FG_PASS;
	if (p.key.l4proto != IPPROTO_TCP && p.key.l4proto != IPPROTO_UDP)
		return FG_PASS;
	fg_count(cnt, lookup);
	return fg_report_pkt(skb, cnt, &p, 0, NULL, 0, FG_EV_MARK_UNKNOWN,
			     FG_PASS);
}

SEC("tc")
int fg_guard_skbmark(struct __sk_buff *skb)
{
	struct fg_counters *cnt = NULL;
	struct fg_uplink *up;
	__u32 mark;

	up = fg_uplink_of(skb, &cnt);
	if (!up)
		return FG_PASS;
	mark = skb->mark;
	if (!(mark & fg_cfg.mask))
		return fg_report_unmarked(skb, up, cnt);
	if (fg_mark_belongs(up, mark))
		return FG_PASS;
	return fg_report(skb, up, cnt, mark, NULL, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
