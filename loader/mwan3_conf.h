/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mwan3_conf.h - interface marks as mwan3 computes them from its own
 * config, and mwan3track's view of an interface.
 *
 * Ids follow the order of the `config interface` sections, from 1; every
 * section counts (disabled, IPv6, anonymous). The mask is the one mwan3
 * cached at its first start when that file exists and parses, else
 * `option mmx_mask` of the section named 'globals', else 0x3f00.
 */
#ifndef FG_MWAN3_CONF_H
#define FG_MWAN3_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define FG_MWAN3_CONFIG_PATH "/etc/config/mwan3"
#define FG_MWAN3_MASK_CACHE_PATH "/var/run/mwan3/mmx_mask"
#define FG_MWAN3_TRACK_ROOT "/var/run/mwan3track"
#define FG_MWAN3_DEFAULT_MASK 0x3f00

struct fg_mwan3_iface {
	char name[FG_NAME_LEN]; /* "" for an anonymous section (id taken) */
	uint32_t id;
	int enabled; /* option enabled; mwan3's default is 0 */
	int family;  /* 4 or 6, from option family ('ipv4'/'ipv6'), default 4 */
};

enum fg_mwan3_mask_src {
	FG_MWAN3_MASK_DEFAULT,
	FG_MWAN3_MASK_CONFIG,
	FG_MWAN3_MASK_CACHE,
};

struct fg_mwan3 {
	uint32_t mask;
	enum fg_mwan3_mask_src mask_src;
	struct fg_mwan3_iface ifaces[FG_MAX_IFACES];
	size_t nr_ifaces;
};

/* Read mwan3's config (NULL: FG_MWAN3_CONFIG_PATH) and mask cache (NULL:
 * FG_MWAN3_MASK_CACHE_PATH). Errors: the config's -errno (e.g. -ENOENT) or
 * parse error, -EINVAL for a bad mmx_mask (garbage, fewer than 2 bits), an
 * invalid interface name or family, -E2BIG for more than FG_MAX_IFACES
 * interfaces. *m is zeroed on error. */
int fg_mwan3_load(const char *config_path, const char *mask_cache_path,
		  struct fg_mwan3 *m, char *err, size_t errlen);

/* The same for mwan3's config already parsed (fg_uci_parse_buf());
 * config_path only names it in errors. */
struct fg_uci;
int fg_mwan3_from_uci(const struct fg_uci *u, const char *config_path,
		      const char *mask_cache_path, struct fg_mwan3 *m,
		      char *err, size_t errlen);

/* The interface's mark. -ENOENT: unknown interface or empty name;
 * -EINVAL: its id is 0, reserved, or beyond the mask. */
int fg_mwan3_iface_mark(const struct fg_mwan3 *m, const char *iface,
			uint32_t *mark, char *err, size_t errlen);

/* STATUS_ROOT/IFACE/STATUS (NULL root: FG_MWAN3_TRACK_ROOT): 1 if it says
 * "online", 0 for anything else, -ENOENT if there is no such file, -EINVAL
 * for an invalid interface name, other -errno from reading. */
int fg_mwan3_track_online(const char *status_root, const char *iface);

#endif /* FG_MWAN3_CONF_H */
