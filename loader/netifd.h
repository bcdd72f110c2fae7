/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * netifd.h - the device an OpenWrt interface sends through (its L3
 * device), as netifd knows it: `ubus call network.interface.NAME status`
 * (l3_device) when ubus is on PATH and answers, else worked out from
 * netifd's own config (/etc/config/network) the way netifd names devices.
 */
#ifndef FG_NETIFD_H
#define FG_NETIFD_H

#include <limits.h>
#include <stddef.h>

#include "uci.h"

#define FG_NETIFD_CONFIG_PATH "/etc/config/network"
/* ubus's own timeout (-t) and ours for its whole answer */
#define FG_NETIFD_UBUS_TIMEOUT_S 2
#define FG_NETIFD_UBUS_DEADLINE_MS 3000

struct fg_netifd {
	const char *network_config; /* never NULL after init */
	char ubus[PATH_MAX];	    /* "" when there is none on PATH */
	struct fg_uci net;
	int net_rc; /* 1: not read yet, 0: read, -errno: could not */
	char net_err[256];
};

/* path NULL: FLOWGUARD_NETWORK_CONFIG, else FG_NETIFD_CONFIG_PATH. Looks
 * for ubus on PATH once, here. */
void fg_netifd_init(struct fg_netifd *n, const char *network_config);
void fg_netifd_fini(struct fg_netifd *n);

/* iface's L3 device into dev; *src names where it came from ("ubus",
 * "network config"). -ENOENT when neither knows it (err says why). */
int fg_netifd_device(struct fg_netifd *n, const char *iface, char *dev,
		     size_t len, const char **src, char *err, size_t errlen);

/* The string value of key at the top level of a JSON object; -ENOENT
 * without one (or when it is not a string), -EINVAL for broken JSON,
 * -ENAMETOOLONG when it does not fit. */
int fg_netifd_json_str(const char *json, const char *key, char *out,
		       size_t len);

#endif /* FG_NETIFD_H */
