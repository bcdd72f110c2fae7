/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * flush.h - the mark-based conntrack flush with its seatbelts: one
 * kernel-side delete of every entry with (ctmark & mask) == mark, never for
 * a mark that could mean "everything" or "somebody else's".
 */
#ifndef FG_FLUSH_H
#define FG_FLUSH_H

#include <stddef.h>
#include <stdint.h>

#include "ct.h"

struct fg_flush_result {
	long long before, after; /* nf_conntrack_count around the delete */
};

/* Refuses mask 0 or with fewer than 2 bits, mark 0, bits outside the
 * mask, and mwan3's reserved values (default, unreachable, blackhole). */
int fg_flush_check(uint32_t mark, uint32_t mask, char *err, size_t errlen);

/* One IPCTNL_MSG_CT_DELETE for family (AF_UNSPEC = IPv4 and IPv6). */
int fg_flush_mark(struct fg_ct *ct, uint8_t family, uint32_t mark,
		  uint32_t mask, struct fg_flush_result *r, char *err,
		  size_t errlen);

/* The one deliberate delete of reserved marks: entries saved with the
 * unreachable or blackhole mark while no uplink was online. */
int fg_flush_stuck(struct fg_ct *ct, uint32_t mask, struct fg_flush_result *r,
		   char *err, size_t errlen);

/* "about 123 entries" from the table size change: the kernel does not say
 * how many it deleted, and other flows come and go meanwhile. */
long long fg_flush_approx(const struct fg_flush_result *r);

#endif /* FG_FLUSH_H */
