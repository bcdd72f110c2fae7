/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fg_core_types.h - the few kernel struct fields the ct guard reads, as
 * CO-RE "flavours" (the ___fg suffix is dropped when libbpf matches them
 * against the running kernel's BTF).
 *
 * Why not a generated vmlinux.h: routers are cross-built on hosts whose BTF
 * is not the target's (and stock OpenWrt kernels have none), and vmlinux.h
 * clashes with the uapi headers the skbmark guard must use. Only field
 * names matter here; offsets come from the target kernel at load time.
 */
#ifndef FG_CORE_TYPES_H
#define FG_CORE_TYPES_H

#include <linux/types.h>

#define FG_CORE __attribute__((preserve_access_index))

struct sk_buff___fg {
	unsigned long _nfct; /* nf_conn pointer | ctinfo in the low 3 bits */
} FG_CORE;

union nf_inet_addr___fg {
	__u32 all[4];
} FG_CORE;

struct nf_conntrack_man___fg {
	union nf_inet_addr___fg u3;
	union {
		__be16 all;
	} u;
	__u16 l3num;
} FG_CORE;

struct nf_conntrack_tuple___fg {
	struct nf_conntrack_man___fg src;
	struct {
		union nf_inet_addr___fg u3;
		union {
			__be16 all;
		} u;
		__u8 protonum;
	} dst;
} FG_CORE;

struct nf_conntrack_tuple_hash___fg {
	struct nf_conntrack_tuple___fg tuple;
} FG_CORE;

struct nf_conntrack_zone___fg {
	__u16 id;
} FG_CORE;

struct nf_conn___fg {
	struct nf_conntrack_zone___fg zone; /* CONFIG_NF_CONNTRACK_ZONES only */
	struct nf_conntrack_tuple_hash___fg tuplehash[2];
	__u32 mark;
} FG_CORE;

/* enum ip_conntrack_info: values at or above this are reply direction. */
#define FG_IP_CT_IS_REPLY 3
#define FG_IP_CT_UNTRACKED 7
#define FG_NFCT_INFOMASK 7UL

#endif /* FG_CORE_TYPES_H */
