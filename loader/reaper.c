// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * reaper.c - get, check, delete by id: the kernel refuses a delete whose
 * CTA_ID no longer matches, so a flow re-created (with a new mark) between
 * the event and the delete is never touched.
 */
#include <errno.h>
#include <string.h>

#include "event.h"
#include "reaper.h"

static const char *const fg_reap_names[] = {
	[FG_REAP_DELETED] = "deleted",
	[FG_REAP_MONITORED] = "seen (monitor)",
	[FG_REAP_GONE] = "already gone",
	[FG_REAP_REMARKED] = "re-marked, kept",
	[FG_REAP_RACED] = "replaced, kept",
	[FG_REAP_ERROR] = "error",
	[FG_REAP_STALE] = "stale",
};

const char *fg_reap_outcome_name(enum fg_reap_outcome o)
{
	return fg_reap_names[o];
}

/*
 * The ct guard reports the entry's original tuple. The skbmark guard only
 * has the packet as it left, after NAT: an original-direction packet is
 * the inverse of the entry's reply tuple, a reply-direction one (a port
 * forward's answer) the inverse of its original tuple.
 */
static int fg_reap_find(struct fg_ct *ct, const struct fg_event *ev,
			struct fg_ct_entry *e)
{
	struct fg_ct_tuple t;
	int err;

	fg_event_tuple(ev, &t);
	if (ev->source == FG_SRC_CT)
		return fg_ct_get(ct, &t, FG_CT_ORIG, ev->zone, e);
	fg_tuple_invert(&t, &t);
	err = fg_ct_get(ct, &t, FG_CT_REPLY, ev->zone, e);
	if (err == -ENOENT)
		err = fg_ct_get(ct, &t, FG_CT_ORIG, ev->zone, e);
	return err;
}

int fg_reap_check(struct fg_ct *ct, const struct fg_event *ev, uint32_t mask,
		  struct fg_reap *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = fg_reap_find(ct, ev, &out->entry);
	if (err == -ENOENT) {
		out->outcome = FG_REAP_GONE;
		return 0;
	}
	if (err) {
		out->outcome = FG_REAP_ERROR;
		out->err = err;
		return err;
	}
	out->outcome = (out->entry.mark & mask) == (ev->mark & mask)
			       ? FG_REAP_STALE
			       : FG_REAP_REMARKED;
	return 0;
}

int fg_reap_finish(struct fg_ct *ct, int monitor, struct fg_reap *r)
{
	int err;

	if (r->outcome != FG_REAP_STALE)
		return 0;
	if (monitor) {
		r->outcome = FG_REAP_MONITORED;
		return 0;
	}
	err = fg_ct_delete_entry(ct, &r->entry);
	if (err == -ENOENT) {
		r->outcome = FG_REAP_RACED;
		return 0;
	}
	r->outcome = err ? FG_REAP_ERROR : FG_REAP_DELETED;
	r->err = err;
	return err;
}
