/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tcfilt.h - the filters on a device's clsact egress hook, as the kernel
 * lists them (rtnetlink filter dump), and whether one runs before ours.
 * A direct-action filter that runs first may end the chain (TC_ACT_OK,
 * TC_ACT_SHOT, a redirect): the guard then never sees those packets.
 */
#ifndef FG_TCFILT_H
#define FG_TCFILT_H

#include <stddef.h>
#include <stdint.h>

/* Filters kept per device; a dump with more says so (-E2BIG). */
#define FG_TCFILT_MAX 32

struct fg_tcfilt {
	uint32_t pref;	  /* tc preference: lower runs first */
	uint32_t handle;
	uint32_t chain;	  /* only chain 0 runs unless a filter jumps */
	uint32_t prog_id; /* bpf: the program's id, 0 when not given */
	char kind[16];	  /* "bpf", "u32", ... */
	char name[64];	  /* bpf: TCA_BPF_NAME, else the program's own */
};

/* Egress filters of ifindex in execution order (the kernel dumps chain 0
 * by preference, then each preference's filters in the order it tries
 * them). None (0) without a clsact qdisc. -E2BIG: more than max, the
 * first max kept. */
int fg_tcfilt_list(int ifindex, struct fg_tcfilt *out, size_t max,
		   size_t *nr);

/* The first filter of chain 0 that runs before ours (pref, handle), or
 * NULL: none does, or ours is not in the list (nothing to compare). */
const struct fg_tcfilt *fg_tcfilt_before(const struct fg_tcfilt *f,
					 size_t nr, uint32_t pref,
					 uint32_t handle);

/* "pref 5000 bpf fg_count (id 57)" (or "pref 5000 bpf fg_count:[57]",
 * the name libbpf gives), for the status and the log. */
void fg_tcfilt_describe(const struct fg_tcfilt *f, char *buf, size_t len);

#endif /* FG_TCFILT_H */
