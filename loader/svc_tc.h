/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_tc.h - what else acts on the uplinks' egress besides the guard: a
 * tc filter that runs before ours (a direct-action filter returning
 * TC_ACT_OK, TC_ACT_SHOT or a redirect ends the chain, and the guard
 * never sees those packets) and nftables flowtables.
 */
#ifndef FG_SVC_TC_H
#define FG_SVC_TC_H

#include <stddef.h>

#include "nftflow.h"

struct fg_svc;

/* 1 and desc ("pref 5000 bpf fg_count (id 57)") when another filter
 * runs before ours on device dev's egress; 0 when none does; -errno. */
int fg_svc_tc_first(const struct fg_svc *s, size_t dev, char *desc,
		    size_t len);
/* At start: one warning per device where another filter runs first. */
void fg_svc_tc_warn(const struct fg_svc *s);
/* nftables' flowtables now (free() it), or NULL when they cannot be
 * listed (or no memory): each device then says "unknown". */
struct fg_nftflows *fg_svc_tc_flowtables(void);
/* "no", "yes", "yes, hw"; "unknown" when l is NULL (no listing). */
const char *fg_svc_tc_flowtable(const struct fg_nftflows *l, const char *dev);

#endif /* FG_SVC_TC_H */
