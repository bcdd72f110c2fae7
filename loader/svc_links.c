// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* svc_links.c - attach, move and detach the guard as devices come and go. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "prog.h"
#include "svc.h"
#include "svc_links.h"
#include "uplinks.h"

static uint16_t fg_links_prio(const struct fg_svc *s)
{
	return (uint16_t)s->opts->conf.tc_priority;
}

/* Claim (another instance's filter is refused, ours at another priority
 * goes), then attach: exactly one filter of ours on the device. */
static int fg_links_attach(struct fg_svc *s, struct fg_dev *d, char *err,
			   size_t errlen)
{
	char why[256] = "";
	int rc;

	rc = fg_prog_claim(s->prog, d->ifindex, fg_links_prio(s), why,
			   sizeof(why));
	if (rc) {
		snprintf(err, errlen, "device %s: %s", d->name,
			 why[0] ? why : strerror(-rc));
		return rc;
	}
	rc = fg_prog_attach(s->prog, d->ifindex, fg_links_prio(s));
	if (rc) {
		snprintf(err, errlen, "attach to %s: %s", d->name,
			 strerror(-rc));
		return rc;
	}
	d->attached = 1;
	return 0;
}

int fg_svc_links_start(struct fg_svc *s, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < s->up.nr_devs; i++) {
		struct fg_dev *d = &s->up.devs[i];

		if (!d->ifindex) {
			fg_warn("uplink device %s missing: guarded once it appears",
				d->name);
			continue;
		}
		rc = fg_links_attach(s, d, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* Is ifindex some device's (new) ifindex? Then it stays guarded. */
static int fg_links_in_use(const int *idx, size_t n, int ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (idx[i] == ifindex)
			return 1;
	return 0;
}

/* The old ifindex: its entry cleared and our filter removed, unless
 * another of our names now has it (two devices swapped names). A device
 * renamed away keeps running without our filter; a deleted one took
 * the filter with it (ENODEV). */
static void fg_links_leave(struct fg_svc *s, struct fg_dev *d,
			   const int *idx)
{
	int rc;

	if (!d->ifindex || fg_links_in_use(idx, s->up.nr_devs, d->ifindex))
		goto out;
	rc = fg_uplinks_clear(fg_prog_map_fd(s->prog, FG_MAP_UPLINKS),
			      fg_prog_map_fd(s->prog, FG_MAP_UPLINKS_HI),
			      d->ifindex);
	if (rc)
		fg_warn("uplink device %s: clearing entry of ifindex %d: %s",
			d->name, d->ifindex, strerror(-rc));
	if (d->attached) {
		rc = fg_prog_detach(d->ifindex, fg_links_prio(s));
		if (rc && rc != -ENOENT && rc != -ENODEV && rc != -EINVAL)
			fg_warn("detach from ifindex %d (was %s): %s",
				d->ifindex, d->name, strerror(-rc));
	}
out:
	d->ifindex = 0;
	d->attached = 0;
}

static void fg_links_arrive(struct fg_svc *s, struct fg_dev *d, int ifindex,
			    uint8_t l2_len)
{
	char err[512] = "";

	d->ifindex = ifindex;
	d->l2_len = l2_len; /* re-read: the new device may be another kind */
	if (fg_links_attach(s, d, err, sizeof(err)))
		fg_warn("uplink device %s (ifindex %d) not guarded: %s",
			d->name, ifindex, err);
	else
		fg_info("uplink device %s attached (ifindex %d, L2 header %u bytes)",
			d->name, ifindex, d->l2_len);
}

void fg_svc_links_follow(struct fg_svc *s)
{
	int idx[FG_MAX_UPLINKS];
	uint8_t l2[FG_MAX_UPLINKS];
	size_t i, changed = 0;
	int rc;

	for (i = 0; i < s->up.nr_devs; i++) {
		idx[i] = 0;
		l2[i] = 0;
		rc = fg_uplinks_lookup_dev(s->up.devs[i].name, &idx[i], &l2[i]);
		if (rc && rc != -ENODEV)
			fg_warn("uplink device %s: %s", s->up.devs[i].name,
				strerror(-rc));
		if (rc)
			idx[i] = 0;
	}
	/* all old places first, so that a name that moved onto another
	 * name's old ifindex is not torn down again by that one's leaving */
	for (i = 0; i < s->up.nr_devs; i++) {
		struct fg_dev *d = &s->up.devs[i];

		if (idx[i] == d->ifindex)
			continue;
		if (d->ifindex && !idx[i])
			fg_warn("uplink device %s (ifindex %d) gone: not guarded until it is back",
				d->name, d->ifindex);
		fg_links_leave(s, d, idx);
		changed++;
	}
	if (!changed)
		return;
	for (i = 0; i < s->up.nr_devs; i++)
		if (idx[i] && !s->up.devs[i].ifindex)
			fg_links_arrive(s, &s->up.devs[i], idx[i], l2[i]);
	rc = fg_svc_uplinks_sync(s);
	if (rc)
		fg_warn("uplink table: %s", strerror(-rc));
}

int fg_svc_uplinks_sync(struct fg_svc *s)
{
	return fg_uplinks_sync(&s->up, fg_prog_map_fd(s->prog, FG_MAP_UPLINKS),
			       fg_prog_map_fd(s->prog, FG_MAP_UPLINKS_HI), 0);
}

void fg_svc_links_release(struct fg_svc *s, struct fg_dev *d)
{
	int none[FG_MAX_UPLINKS] = { 0 };

	fg_links_leave(s, d, none);
}

void fg_svc_links_detach_all(struct fg_svc *s)
{
	size_t i;
	int rc;

	for (i = 0; i < s->up.nr_devs; i++) {
		struct fg_dev *d = &s->up.devs[i];

		if (!d->attached)
			continue;
		rc = fg_prog_detach(d->ifindex, fg_links_prio(s));
		if (rc && rc != -ENOENT && rc != -ENODEV)
			fg_warn("detach from %s: %s", d->name, strerror(-rc));
		d->attached = 0;
	}
}
