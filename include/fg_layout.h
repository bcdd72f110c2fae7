/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fg_layout.h - the byte layout of every struct flowguard.h shares
 * between the guard and the loader, asserted field by field (offset,
 * size). flowguard.h includes it, so the same table is checked by every
 * compile: the BPF objects (64-bit, little- or big-endian: bpfel, bpfeb)
 * and the loader on any ABI (32-bit MIPS aligns __u64 to 8 as BPF does;
 * tests/test-build.sh checks the table under clang's MIPS o32 target).
 *
 * Byte order: fields typed __be16/__be32 and the __u8 arrays are in wire
 * order, the same bytes on every CPU; the other integers are in the
 * kernel's own order (a MIPS kernel writes them big-endian, and the
 * loader on the same CPU reads them as they are).
 * tests/unit/test_layout_be.c decodes a big-endian event against this.
 */
#ifndef FG_LAYOUT_H
#define FG_LAYOUT_H

#define FG_LAYOUT(type, field, off, size)                                   \
	_Static_assert(__builtin_offsetof(struct type, field) == (off) &&   \
			       sizeof(((struct type *)0)->field) == (size), \
		       #type "." #field " at " #off ", " #size " bytes")

FG_LAYOUT(fg_event, ts_ns, 0, 8);
FG_LAYOUT(fg_event, saddr, 8, 16);
FG_LAYOUT(fg_event, daddr, 24, 16);
FG_LAYOUT(fg_event, tcp_seq, 40, 4);
FG_LAYOUT(fg_event, tcp_ack, 44, 4);
FG_LAYOUT(fg_event, mark, 48, 4);
FG_LAYOUT(fg_event, ifindex, 52, 4);
FG_LAYOUT(fg_event, ingress_ifindex, 56, 4);
FG_LAYOUT(fg_event, sport, 60, 2);
FG_LAYOUT(fg_event, dport, 62, 2);
FG_LAYOUT(fg_event, zone, 64, 2);
FG_LAYOUT(fg_event, family, 66, 1);
FG_LAYOUT(fg_event, l4proto, 67, 1);
FG_LAYOUT(fg_event, tcp_flags, 68, 1);
FG_LAYOUT(fg_event, source, 69, 1);
FG_LAYOUT(fg_event, ct_dir, 70, 1);
FG_LAYOUT(fg_event, flags, 71, 1);
_Static_assert(sizeof(struct fg_event) == 72, "fg_event size");

FG_LAYOUT(fg_flow_key, saddr, 0, 16);
FG_LAYOUT(fg_flow_key, daddr, 16, 16);
FG_LAYOUT(fg_flow_key, sport, 32, 2);
FG_LAYOUT(fg_flow_key, dport, 34, 2);
FG_LAYOUT(fg_flow_key, ifindex, 36, 4);
FG_LAYOUT(fg_flow_key, family, 40, 1);
FG_LAYOUT(fg_flow_key, l4proto, 41, 1);
FG_LAYOUT(fg_flow_key, pad, 42, 6);
_Static_assert(sizeof(struct fg_flow_key) == 48, "fg_flow_key size");

FG_LAYOUT(fg_uplink, allowed, 0, 4 * FG_MAX_MARKS_PER_DEV);
FG_LAYOUT(fg_uplink, nr_allowed, 4 * FG_MAX_MARKS_PER_DEV, 4);
FG_LAYOUT(fg_uplink, slot, 4 * FG_MAX_MARKS_PER_DEV + 4, 1);
FG_LAYOUT(fg_uplink, nr_marks, 4 * FG_MAX_MARKS_PER_DEV + 5, 1);
FG_LAYOUT(fg_uplink, l2_len, 4 * FG_MAX_MARKS_PER_DEV + 6, 1);
FG_LAYOUT(fg_uplink, flags, 4 * FG_MAX_MARKS_PER_DEV + 7, 1);
_Static_assert(sizeof(struct fg_uplink) == 4 * FG_MAX_MARKS_PER_DEV + 8,
	       "fg_uplink size");

FG_LAYOUT(fg_guard_cfg, dedupe_ns, 0, 8);
FG_LAYOUT(fg_guard_cfg, mask, 8, 4);
FG_LAYOUT(fg_guard_cfg, reserved, 12, 12);
FG_LAYOUT(fg_guard_cfg, lookup_sample, 24, 4);
FG_LAYOUT(fg_guard_cfg, nf_conn_btf_id, 28, 4);
_Static_assert(sizeof(struct fg_guard_cfg) == 32, "fg_guard_cfg size");

/* the loader walks the counters as an array of __u64 (loader/counters.h) */
FG_LAYOUT(fg_counters, seen, 0, 8);
FG_LAYOUT(fg_counters, no_ct, 8, 8);
FG_LAYOUT(fg_counters, flagged, 16, 8);
FG_LAYOUT(fg_counters, events, 24, 8);
FG_LAYOUT(fg_counters, lost, 32, 8);
FG_LAYOUT(fg_counters, lookup, 40, 8);
FG_LAYOUT(fg_counters, lookup_hits, 48, 8);
FG_LAYOUT(fg_counters, unparsed, 56, 8);
_Static_assert(sizeof(struct fg_counters) == 8 * FG_NR_COUNTERS,
	       "fg_counters size");

#undef FG_LAYOUT

#endif /* FG_LAYOUT_H */
