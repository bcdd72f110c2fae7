/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* prog.h - the guard's BPF objects: choose, load, pin, attach, detach. */
#ifndef FG_PROG_H
#define FG_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "flowguard.h"

/* Which guard program runs: how the flow's mark is read. */
enum fg_guard_kind {
	FG_GUARD_CT_KCTX = 0, /* ct entry via bpf_cast_to_kern_ctx (6.2+) */
	FG_GUARD_CT_PROBE,    /* ct entry via bpf_probe_read_kernel */
	FG_GUARD_SKBMARK,     /* skb->mark; no kernel BTF needed */
	/* the same two ct ways, plus a bpf_skb_ct_lookup() of packets that
	 * carry no entry (flowtable-offloaded), kernel 5.18+ */
	FG_GUARD_CT_KCTX_LOOKUP,
	FG_GUARD_CT_PROBE_LOOKUP,
	FG_GUARD_NR_KINDS,
};

#define FG_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* What the operator asked for; FG_WANT_AUTO lets the kernel decide. */
enum fg_want { FG_WANT_AUTO = -1 };

struct fg_prog;

/* want_ct: 1 ct, 0 skbmark, FG_WANT_AUTO; want_probe likewise for the way
 * ct mode reaches skb->_nfct (1 probe read, 0 kfunc); want_lookup for the
 * lookup of entry-less packets in ct mode (1 on, 0 off; auto: when the
 * kernel has bpf_skb_ct_lookup). */
int fg_prog_choose(int want_ct, int want_probe, int want_lookup,
		   enum fg_guard_kind *kind, char *err, size_t errlen);
/* The same, and nf_conn's BTF id for the kfunc kinds (0 for the others,
 * or when the kernel's BTF has none) from the same parse of the kernel's
 * BTF: pass it in fg_guard_cfg.nf_conn_btf_id to fg_prog_load(), which
 * parses the BTF again for a kfunc kind whose id is 0. */
int fg_prog_choose_btf(int want_ct, int want_probe, int want_lookup,
		       enum fg_guard_kind *kind, uint32_t *nf_conn_btf_id,
		       char *err, size_t errlen);
const char *fg_prog_kind_name(enum fg_guard_kind kind);
/* What this kind does with packets that carry neither ct entry nor mark
 * (flowtable-offloaded), in a few words for `status`. */
const char *fg_prog_offload_view(enum fg_guard_kind kind);

/* Open, configure, load; maps pinned (or adopted) under pin_dir. */
int fg_prog_load(struct fg_prog **out, enum fg_guard_kind kind,
		 const char *pin_dir, const struct fg_guard_cfg *cfg);
void fg_prog_close(struct fg_prog *p);
int fg_prog_unpin(struct fg_prog *p);

enum fg_guard_kind fg_prog_kind(const struct fg_prog *p);
int fg_prog_fd(const struct fg_prog *p);
int fg_prog_map_fd(const struct fg_prog *p, const char *name);

/* clsact egress, our fixed handle at this priority (tc pref, 1..65535):
 * idempotent, other filters kept. */
int fg_prog_attach(const struct fg_prog *p, int ifindex, uint16_t priority);
int fg_prog_detach(int ifindex, uint16_t priority);
/* Before attaching: a filter with our handle on the device's egress
 * whose program does not use our uplink table belongs to another
 * instance (another pin dir): -EBUSY, err says which. One of ours at
 * another priority (an earlier run's) is removed. */
int fg_prog_claim(const struct fg_prog *p, int ifindex, uint16_t priority,
		  char *err, size_t errlen);

/* Make the pin dir (its parent must be on a bpffs): 1 if it was made
 * now, 0 if it was there, -errno. */
int fg_prog_pin_dir_prepare(const char *pin_dir, char *err, size_t errlen);

#endif /* FG_PROG_H */
