/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * disconnect.h - what mwan3's `disconnected` and `connected` do, as stages
 * that the service and a lone command share; only stages 1 and 2 differ
 * between them (ops):
 *   disconnected: 1 find the interface's mark, 2 mark it down in the guard,
 *                 3 per-flow work on its entries before they go (slot),
 *                 4 the one kernel-side delete, 5 the answer;
 *   connected:    1 find the mark, 2 mark it up in the guard, 4 delete the
 *                 entries stuck with the unreachable/blackhole mark, 5.
 */
#ifndef FG_DISCONNECT_H
#define FG_DISCONNECT_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ct.h"
#include "flush.h"

enum fg_disc_event { FG_DISC_DISCONNECTED = 0, FG_DISC_CONNECTED };

struct fg_disc {
	enum fg_disc_event event;
	char iface[FG_NAME_LEN];
	char device[IFNAMSIZ];	/* may be empty */
	uint32_t mark, mask;	/* stage 1 */
	const char *mark_src;	/* stage 1: where the mark came from */
	const char *guard;	/* stage 2: what happened in the guard */
	uint64_t flows;		/* stage 3: TCP flows handled one by one */
	uint64_t reset;		/* stage 3: their hosts reset at once */
	uint64_t unresolved;	/* stage 3: hosts the neighbour table lacks */
	uint64_t offloaded;	/* stage 3: of the flows, offloaded entries */
	/* stage 3's dump, else stage 4's own: the entries of the mark(s) the
	 * kernel listed just before the delete, all protocols */
	uint64_t counted;
	int has_count;		/* else only the table size change is known */
	struct fg_flush_result flush; /* stage 4 */
};

/* per_flow's answer when stage 3 goes on after it returns: the caller
 * runs stage 4 (fg_disc_end) when it is over. */
#define FG_DISC_LATER 1

struct fg_disc_ops {
	int (*find_mark)(void *ctx, struct fg_disc *d, char *err, size_t len);
	int (*set_guard)(void *ctx, struct fg_disc *d, char *err, size_t len);
	/* may be NULL; 0, FG_DISC_LATER or -errno */
	int (*per_flow)(void *ctx, struct fg_disc *d, struct fg_ct *ct,
			char *err, size_t len);
};

int fg_disc_init(struct fg_disc *d, enum fg_disc_event ev, const char *iface,
		 const char *device, char *err, size_t errlen);
/* Stages 1-3: 0 when stage 4 may follow at once, FG_DISC_LATER when
 * stage 3 goes on, -errno when nothing may be deleted (stage 1 failed).
 * An error in stage 2 or 3 is logged, never stops the flush. */
int fg_disc_begin(struct fg_disc *d, const struct fg_disc_ops *ops,
		  void *ctx, struct fg_ct *ct, char *err, size_t errlen);
/* Stage 4. */
int fg_disc_end(struct fg_disc *d, struct fg_ct *ct, char *err,
		size_t errlen);
/* Stages 1-4 in one go (stage 3 never later). */
int fg_disc_run(struct fg_disc *d, const struct fg_disc_ops *ops, void *ctx,
		struct fg_ct *ct, char *err, size_t errlen);
/* Stage 5: one line saying what was done. */
void fg_disc_summary(const struct fg_disc *d, char *buf, size_t len);
/* The entries deleted: counted when a dump did, else the table size
 * change (approximate). */
long long fg_disc_deleted(const struct fg_disc *d);
const char *fg_disc_event_name(enum fg_disc_event ev);

/* Stage 1 from mwan3's own config (paths NULL: the defaults). */
int fg_disc_mark_from_mwan3(struct fg_disc *d, const char *config,
			    const char *mask_file, char *err, size_t errlen);
/* Stage 2 on the pinned table of a service that is not answering. */
int fg_disc_set_pinned(const char *pin_dir, struct fg_disc *d, char *err,
		       size_t errlen);

#endif /* FG_DISCONNECT_H */
