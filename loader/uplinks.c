// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* uplinks.c - the live uplink table and its image in the guard's map. */
#include <errno.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "mark.h"
#include "uplinks.h"

/* Ethernet devices carry a 14-byte header at TC egress; PPP, WireGuard and
 * tun devices start at the IP header. Asked of the current netns. */
static int fg_dev_l2_len(const char *dev, uint8_t *l2_len)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	else
		*l2_len = ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER ? 14 : 0;
	close(fd);
	return err;
}

int fg_uplinks_lookup_dev(const char *name, int *ifindex, uint8_t *l2_len)
{
	int idx = (int)if_nametoindex(name), rc;

	if (!idx)
		return errno == ENODEV || errno == ENXIO ? -ENODEV : -errno;
	rc = fg_dev_l2_len(name, l2_len);
	if (rc)
		return rc;
	*ifindex = idx;
	return 0;
}

/* A device that does not exist (yet: an LTE modem a minute after boot, a
 * PPPoE link between two sessions) is kept with ifindex 0: the service
 * follows the name and attaches once it appears. */
static int fg_dev_index(struct fg_uplinks *u, const char *dev, char *err,
			size_t errlen)
{
	struct fg_dev *d;
	size_t i;
	int rc;

	for (i = 0; i < u->nr_devs; i++)
		if (!strcmp(u->devs[i].name, dev))
			return (int)i;
	if (u->nr_devs >= FG_MAX_UPLINKS) {
		snprintf(err, errlen, "more than %d uplink devices",
			 FG_MAX_UPLINKS);
		return -E2BIG;
	}
	d = &u->devs[u->nr_devs];
	snprintf(d->name, sizeof(d->name), "%s", dev);
	rc = fg_uplinks_lookup_dev(dev, &d->ifindex, &d->l2_len);
	if (rc && rc != -ENODEV) {
		snprintf(err, errlen, "uplink device %s: %s", dev,
			 strerror(-rc));
		return rc;
	}
	return (int)u->nr_devs++;
}

int fg_uplinks_build(struct fg_uplinks *u, const struct fg_conf *c,
		     char *err, size_t errlen)
{
	size_t i;
	int dev;

	memset(u, 0, sizeof(*u));
	u->mask = c->mask;
	for (i = 0; i < c->nr_uplinks; i++) {
		struct fg_iface *f = &u->ifaces[i];

		dev = fg_dev_index(u, c->uplinks[i].device, err, errlen);
		if (dev < 0)
			return dev;
		snprintf(f->name, sizeof(f->name), "%s", c->uplinks[i].name);
		f->mark = c->uplinks[i].mark & c->mask;
		f->up = 1;
		f->dev = dev;
		f->policy = fg_conf_uplink_policy(c, i);
		f->enforce = fg_conf_uplink_enforce(c, i);
	}
	u->nr_ifaces = c->nr_uplinks;
	return 0;
}

void fg_uplinks_entry(const struct fg_uplinks *u, size_t dev,
		      struct fg_uplink *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->slot = (__u8)dev;
	out->l2_len = u->devs[dev].l2_len;
	out->flags = FG_UPLINK_GUARDED;
	for (i = 0; i < u->nr_ifaces; i++) {
		const struct fg_iface *f = &u->ifaces[i];

		if (f->dev != (int)dev)
			continue;
		if (f->enforce)
			out->flags |= FG_UPLINK_ENFORCE;
		if (out->nr_marks < FG_MAX_MARKS_PER_DEV)
			out->nr_marks++;
		if (!f->up)
			continue;
		if (out->nr_allowed < FG_MAX_MARKS_PER_DEV)
			out->allowed[out->nr_allowed++] = f->mark;
	}
}

static int fg_is_our_dev(const struct fg_uplinks *u, __u32 ifindex)
{
	size_t i;

	for (i = 0; i < u->nr_devs; i++)
		if ((__u32)u->devs[i].ifindex == ifindex)
			return 1;
	return 0;
}

/* Entries left by an earlier config (pinned maps adopted at start): the
 * array's are cleared, the hash's deleted. */
static int fg_uplinks_prune_lo(const struct fg_uplinks *u, int fd)
{
	struct fg_uplink entry, none = {};
	__u32 key;

	for (key = 0; key < FG_MAX_IFINDEX; key++) {
		if (bpf_map_lookup_elem(fd, &key, &entry))
			return -errno;
		if ((entry.flags & FG_UPLINK_GUARDED) && !fg_is_our_dev(u, key) &&
		    bpf_map_update_elem(fd, &key, &none, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int fg_uplinks_prune_hi(const struct fg_uplinks *u, int fd)
{
	__u32 key, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if (!fg_is_our_dev(u, key)) {
			if (bpf_map_delete_elem(fd, &key))
				return -errno;
			prev = NULL; /* restart: the walk lost its place */
			continue;
		}
		prev = &key;
	}
	return 0;
}

int fg_uplinks_sync(const struct fg_uplinks *u, int fd_lo, int fd_hi,
		    int prune)
{
	struct fg_uplink entry;
	size_t i;
	__u32 key;
	int rc;

	for (i = 0; i < u->nr_devs; i++) {
		if (!u->devs[i].ifindex)
			continue; /* missing: nothing to guard */
		fg_uplinks_entry(u, i, &entry);
		key = (__u32)u->devs[i].ifindex;
		if (bpf_map_update_elem(key < FG_MAX_IFINDEX ? fd_lo : fd_hi,
					&key, &entry, BPF_ANY))
			return -errno;
	}
	if (!prune)
		return 0;
	rc = fg_uplinks_prune_lo(u, fd_lo);
	return rc ? rc : fg_uplinks_prune_hi(u, fd_hi);
}

int fg_uplinks_clear(int fd_lo, int fd_hi, int ifindex)
{
	struct fg_uplink none = {};
	__u32 key = (__u32)ifindex;

	if (key < FG_MAX_IFINDEX)
		return bpf_map_update_elem(fd_lo, &key, &none, BPF_ANY) ? -errno
									: 0;
	if (bpf_map_delete_elem(fd_hi, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

struct fg_iface *fg_uplinks_find(struct fg_uplinks *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->nr_ifaces; i++)
		if (!strcmp(u->ifaces[i].name, name))
			return &u->ifaces[i];
	return NULL;
}

const struct fg_iface *fg_uplinks_by_mark(const struct fg_uplinks *u,
					  uint32_t mark)
{
	size_t i;

	for (i = 0; i < u->nr_ifaces; i++)
		if (u->ifaces[i].mark == (mark & u->mask))
			return &u->ifaces[i];
	return NULL;
}

const char *fg_uplinks_dev_by_ifindex(const struct fg_uplinks *u, int ifindex)
{
	size_t i;

	for (i = 0; i < u->nr_devs; i++)
		if (u->devs[i].ifindex == ifindex)
			return u->devs[i].name;
	return NULL;
}

int fg_uplinks_mark_belongs(const struct fg_uplinks *u, int ifindex,
			    uint32_t mark)
{
	uint32_t bits = mark & u->mask;
	struct fg_mark_reserved r;
	size_t i;

	if (!bits)
		return 1;
	if (!fg_mark_reserved(u->mask, &r) &&
	    (bits == r.def || bits == r.unreachable || bits == r.blackhole))
		return 1;
	for (i = 0; i < u->nr_ifaces; i++) {
		const struct fg_iface *f = &u->ifaces[i];

		if (f->mark == bits && f->up &&
		    u->devs[f->dev].ifindex == ifindex)
			return 1;
	}
	return 0;
}

/* ---- the pinned table as the hook changes it when no service answers ---- */

static int fg_allowed_has(const struct fg_uplink *u, __u32 mark)
{
	__u32 i;

	for (i = 0; i < u->nr_allowed && i < FG_MAX_MARKS_PER_DEV; i++)
		if (u->allowed[i] == mark)
			return 1;
	return 0;
}

/* Down: drop the mark from every device's allowed set. */
static void fg_allowed_drop(struct fg_uplink *u, __u32 mark)
{
	__u32 i, n = 0;

	for (i = 0; i < u->nr_allowed && i < FG_MAX_MARKS_PER_DEV; i++)
		if (u->allowed[i] != mark)
			u->allowed[n++] = u->allowed[i];
	u->nr_allowed = n;
}

/* Changed entries; *already counts those already in the wanted state:
 * on connected, the device's entry that allows the mark; on disconnected,
 * the device's entry that lacks it while one of its uplinks is down (a
 * device whose uplinks are all up never had this mark: not "already"). */
static int fg_pinned_update(int fd, __u32 mark, int up, __u32 ifindex,
			    int *already)
{
	struct fg_uplink u;
	__u32 key, next;
	void *prev = NULL;
	int changed = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &u) ||
		    !(u.flags & FG_UPLINK_GUARDED))
			continue;
		if (up && key == ifindex && fg_allowed_has(&u, mark))
			(*already)++;
		if (!up && key == ifindex &&
		    !fg_allowed_has(&u, mark) && u.nr_allowed < u.nr_marks)
			(*already)++;
		if (!up && fg_allowed_has(&u, mark))
			fg_allowed_drop(&u, mark);
		else if (up && key == ifindex && !fg_allowed_has(&u, mark) &&
			 u.nr_allowed < FG_MAX_MARKS_PER_DEV)
			u.allowed[u.nr_allowed++] = mark;
		else
			continue;
		if (bpf_map_update_elem(fd, &key, &u, BPF_EXIST))
			return -errno;
		changed++;
	}
	return changed;
}

/* Changed entries in one pinned map; -errno. ENOENT: no such pin. */
static int fg_pinned_map_update(const char *pin_dir, const char *map,
				__u32 mark, int up, __u32 ifindex, int *already)
{
	char path[512];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, map);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	rc = fg_pinned_update(fd, mark, up, ifindex, already);
	close(fd);
	return rc;
}

int fg_uplinks_pinned_set(const char *pin_dir, uint32_t mark, int up,
			  uint32_t ifindex, int *already)
{
	int lo, hi;

	lo = fg_pinned_map_update(pin_dir, FG_MAP_UPLINKS, mark, up, ifindex,
				  already);
	if (lo < 0)
		return lo;
	hi = fg_pinned_map_update(pin_dir, FG_MAP_UPLINKS_HI, mark, up,
				  ifindex, already);
	if (hi < 0 && hi != -ENOENT)
		return hi;
	return lo + (hi > 0 ? hi : 0);
}

enum fg_policy fg_uplinks_policy(const struct fg_uplinks *u, uint32_t mark,
				 enum fg_policy dflt)
{
	const struct fg_iface *owner = fg_uplinks_by_mark(u, mark);

	return owner ? owner->policy : dflt;
}
