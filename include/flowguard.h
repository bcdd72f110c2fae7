/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * flowguard.h - the only contract between the BPF guard and userspace.
 *
 * Fixed-width types only: the guard is 64-bit BPF, the loader may be 32-bit
 * MIPS. Largest fields first, explicit padding, sizes asserted below.
 */
#ifndef FLOWGUARD_H
#define FLOWGUARD_H

#include <linux/types.h>

/* Marks allowed to leave one device at once (wan + wan6 + spares). */
#ifndef FG_MAX_MARKS_PER_DEV
#define FG_MAX_MARKS_PER_DEV 8
#endif

/* Devices (uplinks) the guard is attached to. */
#ifndef FG_MAX_UPLINKS
#define FG_MAX_UPLINKS 64
#endif

/* fg_uplinks is an array indexed by ifindex below this (its lookup is
 * inlined: no helper call per packet); devices numbered higher (ifindex
 * only grows as devices are re-created: PPPoE reconnects) go to the
 * small hash fg_uplinks_hi. */
#ifndef FG_MAX_IFINDEX
#define FG_MAX_IFINDEX 4096
#endif

/* Flows remembered for dedupe; LRU, so a storm only ages out old flows. */
#ifndef FG_MAX_FLOWS
#define FG_MAX_FLOWS 65536
#endif

/* Ring buffer size, a power of two and a multiple of the page size. */
#ifndef FG_RINGBUF_BYTES
#define FG_RINGBUF_BYTES (256 * 1024)
#endif

/* Pinned map names (also the file names under the pin dir). */
#define FG_MAP_UPLINKS "fg_uplinks"
#define FG_MAP_UPLINKS_HI "fg_uplinks_hi"
#define FG_MAP_COUNTERS "fg_counters"
#define FG_MAP_FLOWS "fg_flows"
#define FG_MAP_EVENTS "fg_events"

/* TC filter identity: fixed so attach is idempotent and detach is exact.
 * The priority (tc "pref") is configurable; the default 1 runs before the
 * filters other tools add without one (tc numbers those from 49152 down). */
#define FG_TC_HANDLE 0xf16
#define FG_TC_PRIORITY 1

/* ct mode: one entry-less packet in this many is looked up on a device
 * whose uplinks are all up (see fg_guard_cfg.lookup_sample). */
#ifndef FG_LOOKUP_SAMPLE
#define FG_LOOKUP_SAMPLE 16
#endif

/* How the event's tuple was obtained. */
enum fg_flow_source {
	FG_SRC_CT = 1,	/* original-direction tuple of the skb's ct entry */
	FG_SRC_PKT = 2, /* the packet's own tuple as it left (post-NAT) */
};

/* Direction of the packet relative to its ct entry (FG_SRC_CT only). */
enum fg_ct_dir {
	FG_DIR_UNKNOWN = 0,
	FG_DIR_ORIGINAL = 1,
	FG_DIR_REPLY = 2,
};

/* fg_uplink.flags. An enum, and the field typed with it, so that the
 * BTF names them: `bpftool map dump` prints a value equal to one of the
 * enumerators by its name, any other as a number. The combinations the
 * loader writes are enumerators too, so every entry reads as words; a new
 * flag adds its combinations (or shows as a number). Packed: one byte, as
 * the __u8 it replaces (fg_layout.h asserts it). Bitfields would name
 * each bit as well, but their order within the byte follows the CPU's
 * byte order and offsetof cannot check them. */
enum fg_uplink_flags {
	/* not an uplink (the array's other slots are zero) */
	FG_UPLINK_NONE = 0x00,
	/* drop flagged packets here, so a stale flow never leaks one
	 * uplink's source address out of another */
	FG_UPLINK_ENFORCE = 0x01,
	/* an uplink's entry */
	FG_UPLINK_GUARDED = 0x02,
	FG_UPLINK_GUARDED_ENFORCE = FG_UPLINK_GUARDED | FG_UPLINK_ENFORCE,
} __attribute__((packed));

/* fg_uplinks (ifindex < FG_MAX_IFINDEX) and fg_uplinks_hi: key __u32
 * egress ifindex. Only entries with FG_UPLINK_GUARDED are uplinks. */
struct fg_uplink {
	/* (mark & mask) values allowed to leave this device now; a down
	 * interface's mark is absent. Slots [0, nr_allowed) are used. */
	__u32 allowed[FG_MAX_MARKS_PER_DEV];
	__u32 nr_allowed;
	__u8 slot;     /* index into fg_counters, < FG_MAX_UPLINKS */
	__u8 nr_marks; /* uplinks configured on this device, up or down:
			* nr_allowed < nr_marks means one of them is down */
	__u8 l2_len;   /* 14 on Ethernet devices, 0 on PPP/tun/WireGuard */
	enum fg_uplink_flags flags;
};

/* fg_counters: per-CPU array of FG_MAX_UPLINKS, indexed by fg_uplink.slot:
 * one device's packet counters. Named fields, so that `bpftool map dump`
 * says what each number is; all __u64, in this order (fg_layout.h asserts
 * each at 8 * its position: the loader walks them as an array, see
 * loader/counters.h). The names are the JSON status's (docs/json.md). */
struct fg_counters {
	__u64 seen;    /* packets that left the device */
	__u64 no_ct;   /* packets with no ct entry (ct mode) */
	__u64 flagged; /* packets whose mark does not belong here */
	__u64 events;  /* events sent (one per flow per interval) */
	__u64 lost;    /* events lost: ring buffer full */
	/* packets without a mark to check (offloaded by a flowtable): ct
	 * mode looked their entry up, skbmark mode reported them by tuple */
	__u64 lookup;
	__u64 lookup_hits; /* ct mode: the lookup found the entry */
	/* packets whose mark does not belong here but that the guard could
	 * not parse (truncated, not IP, bad header): never reported, dropped
	 * on an enforcing device; not in flagged */
	__u64 unparsed;
};

/* Counters in struct fg_counters. */
#define FG_NR_COUNTERS 8

/* fg_flows: LRU key, the packet's own 5-tuple as it left. */
struct fg_flow_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u32 ifindex;
	__u8 family; /* AF_INET (2) or AF_INET6 (10) */
	__u8 l4proto;
	__u8 pad[6];
};

/* Guard settings, written into .rodata before load. */
struct fg_guard_cfg {
	__u64 dedupe_ns;  /* one event per flow per this interval */
	__u32 mask;	  /* mwan3 mmx_mask */
	__u32 reserved[3]; /* default, unreachable, blackhole (already masked) */
	/* ct mode, packets without a ct entry on a device whose uplinks are
	 * all up and that does not enforce: look up one in (lookup_sample + 1)
	 * per CPU; a power of two minus one. 0: every one. */
	__u32 lookup_sample;
	/* kernel BTF id of struct nf_conn for bpf_rdonly_cast() (0: read the
	 * mark with a helper call instead) */
	__u32 nf_conn_btf_id;
};

/* fg_events: ring buffer record. Addresses and ports in wire order. */
struct fg_event {
	__u64 ts_ns;	       /* bpf_ktime_get_ns() at the flagged packet */
	__u8 saddr[16];	       /* IPv4 uses the first 4 bytes */
	__u8 daddr[16];
	__be32 tcp_seq;
	__be32 tcp_ack;
	__u32 mark;	       /* full mark (ct mark or skb mark) */
	__u32 ifindex;	       /* egress uplink */
	__u32 ingress_ifindex; /* where the packet entered the router */
	__be16 sport;
	__be16 dport;
	__u16 zone;	       /* conntrack zone id, 0 if unknown */
	__u8 family;
	__u8 l4proto;
	__u8 tcp_flags;	       /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
	__u8 source;	       /* enum fg_flow_source */
	__u8 ct_dir;	       /* enum fg_ct_dir */
	__u8 flags;	       /* FG_EV_* */
};

/* skbmark mode: an unmarked packet (offloaded: the flowtable skips the
 * mark's restore) on a device with an uplink down. mark is 0; the service
 * finds the entry by tuple and judges its mark itself. */
#define FG_EV_MARK_UNKNOWN 0x01

#define FG_TCP_FIN 0x01
#define FG_TCP_SYN 0x02
#define FG_TCP_RST 0x04
#define FG_TCP_ACK 0x10

/* every field's offset and size, asserted in each compile */
#include "fg_layout.h"

#endif /* FLOWGUARD_H */
