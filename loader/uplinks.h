/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * uplinks.h - the live uplink table: mwan3 interfaces (name, mark, up or
 * down) grouped by the device they leave through, and its image in the
 * guard's fg_uplinks map (which marks may leave each device now).
 */
#ifndef FG_UPLINKS_H
#define FG_UPLINKS_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "flowguard.h"

struct fg_iface {
	char name[FG_NAME_LEN];
	uint32_t mark; /* already masked */
	int up;
	int dev;       /* index into fg_uplinks.devs */
	enum fg_policy policy;
	int enforce;
};

struct fg_dev {
	char name[IFNAMSIZ];
	int ifindex;      /* 0: no device of that name now */
	uint8_t l2_len;
	uint8_t attached; /* the service's filter is on ifindex */
};

struct fg_uplinks {
	uint32_t mask;
	struct fg_iface ifaces[FG_MAX_IFACES];
	size_t nr_ifaces;
	struct fg_dev devs[FG_MAX_UPLINKS];
	size_t nr_devs;
};

/* From a validated config; resolves each device's ifindex and L2 size
 * (a device that does not exist gets ifindex 0, no error). */
int fg_uplinks_build(struct fg_uplinks *u, const struct fg_conf *c,
		     char *err, size_t errlen);
/* Write every present device's allowed marks into fg_uplinks (fd_lo) or, for an
 * ifindex >= FG_MAX_IFINDEX, fg_uplinks_hi (fd_hi); prune: also clear
 * entries of other devices (pins adopted from an earlier run). */
int fg_uplinks_sync(const struct fg_uplinks *u, int fd_lo, int fd_hi,
		    int prune);
/* Clear ifindex's entry (a device gone, or no longer ours). */
int fg_uplinks_clear(int fd_lo, int fd_hi, int ifindex);
/* Device name's ifindex and L2 header size now; -ENODEV when there is
 * no such device. */
int fg_uplinks_lookup_dev(const char *name, int *ifindex, uint8_t *l2_len);
/* What `disconnected` / `connected` (up) of mark does to the pinned
 * table under pin_dir when the hook acts without a service: the mark is
 * dropped from every device's allowed set, or allowed again on device
 * ifindex. This module is the table's one writer, for the service
 * (fg_uplinks_sync) and for the hook alike. Returns the entries changed,
 * -ENOENT without pins, -errno; *already counts the device's entry found
 * in the wanted state already (up: allowing the mark; down: lacking it
 * while one of its uplinks is down). */
int fg_uplinks_pinned_set(const char *pin_dir, uint32_t mark, int up,
			  uint32_t ifindex, int *already);

/* Entry for one device as the guard sees it. */
void fg_uplinks_entry(const struct fg_uplinks *u, size_t dev,
		      struct fg_uplink *out);

struct fg_iface *fg_uplinks_find(struct fg_uplinks *u, const char *name);
const struct fg_iface *fg_uplinks_by_mark(const struct fg_uplinks *u,
					  uint32_t mark);
const char *fg_uplinks_dev_by_ifindex(const struct fg_uplinks *u,
				      int ifindex);
/* The policy for a flow carrying this mark: its own uplink's, else dflt. */
enum fg_policy fg_uplinks_policy(const struct fg_uplinks *u, uint32_t mark,
				 enum fg_policy dflt);
/* May an entry with this ct mark leave device ifindex now: unmarked,
 * reserved, or the mark of an uplink of that device that is up. */
int fg_uplinks_mark_belongs(const struct fg_uplinks *u, int ifindex,
			    uint32_t mark);

#endif /* FG_UPLINKS_H */
