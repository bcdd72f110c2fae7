// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * svc_reload.c - re-read the uplink table from mwan3 and netifd while the
 * guard runs: devices that stay keep their slot (and counters), filter
 * and state; new ones are attached; those no longer used are released.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "log.h"
#include "mwan3_auto.h"
#include "mwan3_conf.h"
#include "prog.h"
#include "svc.h"
#include "svc_links.h"
#include "svc_reload.h"
#include "uplinks.h"

static const struct fg_dev *old_dev(const struct fg_uplinks *u,
				    const char *name)
{
	size_t i;

	for (i = 0; i < u->nr_devs; i++)
		if (!strcmp(u->devs[i].name, name))
			return &u->devs[i];
	return NULL;
}

/* Uplinks on devices the guard has now first, in slot order, so that
 * fg_uplinks_build() gives those devices the slots they have. */
static void keep_slot_order(struct fg_conf *c, const struct fg_uplinks *old)
{
	struct fg_uplink_conf *sorted = calloc(FG_MAX_IFACES, sizeof(*sorted));
	unsigned char taken[FG_MAX_IFACES] = { 0 };
	size_t d, i, n = 0;

	if (!sorted)
		return; /* the order only saves counters: go on without */
	for (d = 0; d <= old->nr_devs; d++)
		for (i = 0; i < c->nr_uplinks; i++) {
			if (taken[i] || (d < old->nr_devs &&
					 strcmp(c->uplinks[i].device,
						old->devs[d].name)))
				continue;
			sorted[n++] = c->uplinks[i];
			taken[i] = 1;
		}
	memcpy(c->uplinks, sorted, n * sizeof(*sorted));
	free(sorted);
}

/* Known uplinks keep their state; new ones start as mwan3track says. */
static void carry_state(struct fg_svc *s, struct fg_uplinks *nu)
{
	const char *dir = s->opts->mwan3_track_dir;
	size_t i;

	for (i = 0; i < nu->nr_ifaces; i++) {
		struct fg_iface *f = &nu->ifaces[i];
		const struct fg_iface *was = fg_uplinks_find(&s->up, f->name);

		if (was)
			f->up = was->up;
		else if (fg_mwan3_track_online(dir, f->name) == 0)
			f->up = 0;
	}
	for (i = 0; i < nu->nr_devs; i++) {
		struct fg_dev *d = &nu->devs[i];
		const struct fg_dev *was = old_dev(&s->up, d->name);

		/* as the guard has it now; a new device at ifindex 0, so that
		 * following the names attaches it as if it had just come */
		d->ifindex = was ? was->ifindex : 0;
		d->l2_len = was ? was->l2_len : 0;
		d->attached = was ? was->attached : 0;
	}
}

/* Each uplink's last action follows its name to its new slot. */
static void carry_last(struct fg_svc *s, const struct fg_uplinks *nu)
{
	struct fg_svc_last last[FG_MAX_IFACES];
	size_t i;

	memset(last, 0, sizeof(last));
	for (i = 0; i < nu->nr_ifaces; i++) {
		const struct fg_iface *was =
			fg_uplinks_find(&s->up, nu->ifaces[i].name);

		if (was)
			last[i] = s->last[was - s->up.ifaces];
	}
	memcpy(s->last, last, sizeof(last));
}

/* Release the devices the new table no longer has; zero the counters
 * of every slot that changes hands. */
static void release_old(struct fg_svc *s, const struct fg_uplinks *nu)
{
	int counters = fg_prog_map_fd(s->prog, FG_MAP_COUNTERS);
	size_t i;

	for (i = 0; i < s->up.nr_devs; i++)
		if (!old_dev(nu, s->up.devs[i].name)) {
			fg_info("uplink device %s: no longer in the table, released",
				s->up.devs[i].name);
			fg_svc_links_release(s, &s->up.devs[i]);
		}
	for (i = 0; i < nu->nr_devs; i++)
		if (i >= s->up.nr_devs ||
		    strcmp(s->up.devs[i].name, nu->devs[i].name))
			fg_counters_clear(counters, (uint32_t)i);
}

static void log_changes(const struct fg_svc *s, const struct fg_uplinks *nu,
			const char *why)
{
	char list[512] = "";
	size_t i, off = 0;

	for (i = 0; i < nu->nr_ifaces && off < sizeof(list); i++)
		if (!fg_uplinks_find((struct fg_uplinks *)&s->up,
				     nu->ifaces[i].name))
			off += (size_t)snprintf(list + off, sizeof(list) - off,
						" +%s", nu->ifaces[i].name);
	for (i = 0; i < s->up.nr_ifaces && off < sizeof(list); i++)
		if (!fg_uplinks_find((struct fg_uplinks *)nu,
				     s->up.ifaces[i].name))
			off += (size_t)snprintf(list + off, sizeof(list) - off,
						" -%s", s->up.ifaces[i].name);
	fg_info("uplink table re-read from mwan3 (%s): %zu uplinks on %zu devices;%s",
		why, nu->nr_ifaces, nu->nr_devs, off ? list : " no uplink added or removed");
}

/* The new table, built and checked; NULL (logged) to keep the old one. */
static struct fg_uplinks *reload_build(struct fg_svc *s)
{
	struct fg_mwan3_table *t = calloc(1, sizeof(*t));
	struct fg_uplinks *nu = calloc(1, sizeof(*nu));
	char err[512] = "";
	int rc = t && nu ? 0 : -ENOMEM;

	rc = rc ?: fg_mwan3_auto_build(s->opts->mwan3_auto, t, err,
				       sizeof(err));
	rc = rc ?: fg_conf_validate(&t->conf, err, sizeof(err));
	if (!rc && t->conf.mask != s->up.mask) {
		snprintf(err, sizeof(err),
			 "mwan3's mask is now 0x%x, the guard's 0x%x: restart flowguard to follow it",
			 t->conf.mask, s->up.mask);
		rc = -EINVAL;
	}
	if (!rc) {
		keep_slot_order(&t->conf, &s->up);
		rc = fg_uplinks_build(nu, &t->conf, err, sizeof(err));
	}
	if (rc) {
		fg_warn("re-reading mwan3: %s; the uplink table stays as it was",
			err[0] ? err : strerror(-rc));
		free(nu);
		nu = NULL;
	}
	free(t);
	return nu;
}

int fg_svc_reload(struct fg_svc *s, const char *why)
{
	struct fg_uplinks *nu;
	int rc;

	if (!s->opts->mwan3_auto)
		return 0;
	nu = reload_build(s);
	if (!nu)
		return -EINVAL;
	carry_state(s, nu);
	carry_last(s, nu);
	release_old(s, nu);
	log_changes(s, nu, why);
	s->up = *nu;
	free(nu);
	fg_svc_links_follow(s); /* attaches the new devices there are */
	rc = fg_svc_uplinks_sync(s);
	if (rc)
		fg_warn("uplink table: %s", strerror(-rc));
	return 1;
}
