// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* disconnect.c - mwan3's disconnected/connected, as stages. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>


#include "disconnect.h"
#include "flowguard.h"
#include "log.h"
#include "mark.h"
#include "mwan3_conf.h"
#include "uplinks.h"

const char *fg_disc_event_name(enum fg_disc_event ev)
{
	return ev == FG_DISC_CONNECTED ? "connected" : "disconnected";
}

int fg_disc_init(struct fg_disc *d, enum fg_disc_event ev, const char *iface,
		 const char *device, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->event = ev;
	d->guard = "not changed";
	if (!iface || !*iface) {
		snprintf(err, errlen, "%s: no interface given",
			 fg_disc_event_name(ev));
		return -EINVAL;
	}
	if (fg_conf_check_name(iface)) {
		snprintf(err, errlen, "%s: invalid interface name",
			 fg_disc_event_name(ev));
		return -EINVAL;
	}
	if (device && *device && fg_conf_check_device(device)) {
		snprintf(err, errlen, "%s %s: invalid device name",
			 fg_disc_event_name(ev), iface);
		return -EINVAL;
	}
	snprintf(d->iface, sizeof(d->iface), "%s", iface);
	snprintf(d->device, sizeof(d->device), "%s", device ? device : "");
	return 0;
}

int fg_disc_mark_from_mwan3(struct fg_disc *d, const char *config,
			    const char *mask_file, char *err, size_t errlen)
{
	struct fg_mwan3 m;
	int rc;

	rc = fg_mwan3_load(config ? config : FG_MWAN3_CONFIG_PATH,
			   mask_file ? mask_file : FG_MWAN3_MASK_CACHE_PATH, &m,
			   err, errlen);
	if (rc)
		return rc;
	rc = fg_mwan3_iface_mark(&m, d->iface, &d->mark, err, errlen);
	if (rc)
		return rc;
	d->mask = m.mask;
	d->mark_src = "mwan3 config";
	return 0;
}

int fg_disc_set_pinned(const char *pin_dir, struct fg_disc *d, char *err,
		       size_t errlen)
{
	__u32 ifindex = d->device[0] ? if_nametoindex(d->device) : 0;
	int changed, already = 0;

	changed = fg_uplinks_pinned_set(pin_dir, d->mark,
					d->event == FG_DISC_CONNECTED, ifindex,
					&already);
	if (changed == -ENOENT) {
		d->guard = "no guard pinned";
		return 0;
	}
	if (changed < 0) {
		snprintf(err, errlen, "pinned uplink table under %s: %s",
			 pin_dir, strerror(-changed));
		return changed;
	}
	if (changed)
		d->guard = d->event == FG_DISC_CONNECTED
				   ? "marked up (pinned table)"
				   : "marked down (pinned table)";
	else if (already)
		d->guard = d->event == FG_DISC_CONNECTED
				   ? "already up (pinned table)"
				   : "already down (pinned table)";
	else if (d->event == FG_DISC_CONNECTED && !d->device[0])
		d->guard = "not changed (no device given)";
	else
		d->guard = "not in the pinned table";
	return 0;
}

/* The entries the delete will take, by a kernel-filtered dump with its
 * filter: the kernel's delete does not say. When stage 3 dumped, its count
 * stands. A dump costs about one more walk of the table (the delete's
 * own); a failed one leaves the table size change as the estimate. */
static void fg_disc_count(struct fg_disc *d, struct fg_ct *ct)
{
	struct fg_mark_reserved res;
	uint64_t a = 0, b = 0;
	int rc;

	if (d->has_count)
		return;
	if (d->event == FG_DISC_DISCONNECTED) {
		rc = fg_ct_count(ct, AF_UNSPEC, d->mark, d->mask, &a);
	} else {
		rc = fg_mark_reserved(d->mask, &res) ? -EINVAL : 0;
		if (!rc)
			rc = fg_ct_count(ct, AF_UNSPEC, res.unreachable,
					 d->mask, &a);
		if (!rc)
			rc = fg_ct_count(ct, AF_UNSPEC, res.blackhole, d->mask,
					 &b);
	}
	if (rc) {
		fg_warn("%s %s: counting dump: %s; the count is the table size change",
			fg_disc_event_name(d->event), d->iface, strerror(-rc));
		return;
	}
	d->counted = a + b;
	d->has_count = 1;
}

static int fg_disc_flush(struct fg_disc *d, struct fg_ct *ct, char *err,
			 size_t errlen)
{
	fg_disc_count(d, ct);
	if (d->event == FG_DISC_CONNECTED)
		return fg_flush_stuck(ct, d->mask, &d->flush, err, errlen);
	return fg_flush_mark(ct, AF_UNSPEC, d->mark, d->mask, &d->flush, err,
			     errlen);
}

int fg_disc_begin(struct fg_disc *d, const struct fg_disc_ops *ops,
		  void *ctx, struct fg_ct *ct, char *err, size_t errlen)
{
	char why[256];
	int rc;

	rc = ops->find_mark(ctx, d, err, errlen);
	/* the seatbelt comes before anything changes */
	if (!rc)
		rc = fg_flush_check(d->mark, d->mask, err, errlen);
	if (rc)
		return rc;
	if (ops->set_guard(ctx, d, why, sizeof(why)))
		fg_warn("%s %s: guard not updated: %s",
			fg_disc_event_name(d->event), d->iface, why);
	if (d->event != FG_DISC_DISCONNECTED || !ops->per_flow)
		return 0;
	rc = ops->per_flow(ctx, d, ct, why, sizeof(why));
	if (rc < 0)
		fg_warn("disconnected %s: per-flow stage: %s", d->iface, why);
	return rc == FG_DISC_LATER ? FG_DISC_LATER : 0;
}

int fg_disc_end(struct fg_disc *d, struct fg_ct *ct, char *err,
		size_t errlen)
{
	return fg_disc_flush(d, ct, err, errlen);
}

int fg_disc_run(struct fg_disc *d, const struct fg_disc_ops *ops, void *ctx,
		struct fg_ct *ct, char *err, size_t errlen)
{
	int rc = fg_disc_begin(d, ops, ctx, ct, err, errlen);

	if (rc < 0)
		return rc;
	/* a lone command's stage 3 is done when it returns */
	return fg_disc_end(d, ct, err, errlen);
}

/* ", 1 of 2 TCP clients reset (1 offloaded; some not in the neighbour
 * table)", or "" when stage 3 found no open TCP flow. The offloaded ones
 * are named: their entries carry no TCP state, so they are picked by
 * their offload bits instead. */
static void fg_disc_kick_text(const struct fg_disc *d, char *buf, size_t len)
{
	unsigned long long off = d->offloaded;
	char note[96] = "";

	buf[0] = '\0';
	if (!d->flows)
		return;
	if (off && d->unresolved)
		snprintf(note, sizeof(note),
			 " (%llu offloaded; some not in the neighbour table)",
			 off);
	else if (off)
		snprintf(note, sizeof(note), " (%llu offloaded)", off);
	else if (d->unresolved)
		snprintf(note, sizeof(note),
			 " (some not in the neighbour table)");
	snprintf(buf, len, ", %llu of %llu TCP clients reset%s",
		 (unsigned long long)d->reset, (unsigned long long)d->flows,
		 note);
}

long long fg_disc_deleted(const struct fg_disc *d)
{
	return d->has_count ? (long long)d->counted : fg_flush_approx(&d->flush);
}

void fg_disc_summary(const struct fg_disc *d, char *buf, size_t len)
{
	const char *what = d->event == FG_DISC_CONNECTED
				   ? "unreachable/blackhole entries deleted"
				   : "entries deleted";
	/* connected deletes two marks: two dumps, then two deletes */
	const char *how = d->event == FG_DISC_CONNECTED
				  ? "counted by the dumps before the deletes"
				  : "counted by the dump before the delete";
	char kick[192];

	fg_disc_kick_text(d, kick, sizeof(kick));
	snprintf(buf, len, "%s %s: mark 0x%x/0x%x (%s), guard %s%s, %s%lld %s (%s)",
		 fg_disc_event_name(d->event), d->iface, d->mark, d->mask,
		 d->mark_src ? d->mark_src : "?", d->guard, kick,
		 d->has_count ? "" : "about ", fg_disc_deleted(d), what,
		 d->has_count ? how : "table size change, approximate");
}
