/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mwan3_auto.h - `flowguard run --mwan3`: the uplink table from mwan3's
 * own config (its interfaces in section order give the ids, its mask the
 * marks; disabled interfaces are skipped but keep their id) and each
 * interface's device from netifd. An uplink given on the command line or
 * in flowguard's config with the same name replaces mwan3's entry.
 */
#ifndef FG_MWAN3_AUTO_H
#define FG_MWAN3_AUTO_H

#include <stddef.h>

#include "conf.h"

struct fg_mwan3_auto {
	const struct fg_conf *base; /* the options; its uplinks override */
	const char *mwan3_config;   /* NULL: /etc/config/mwan3 */
	const char *mask_file;	    /* NULL: /var/run/mwan3/mmx_mask */
	const char *network_config; /* NULL: env, else /etc/config/network */
};

#define FG_MWAN3_NOTE_LEN 200

/* What the table became, and why: for `run --dry-run` and the log. */
struct fg_mwan3_table {
	struct fg_conf conf;			       /* base + mwan3's */
	char src[FG_MAX_IFACES][FG_MWAN3_NOTE_LEN];    /* per uplink */
	char skipped[FG_MAX_IFACES][FG_MWAN3_NOTE_LEN]; /* "NAME: why" */
	unsigned char skipped_disabled[FG_MAX_IFACES]; /* as mwan3 wants */
	size_t nr_skipped;
	const char *mask_src;
};

/* Build t from mwan3's config, netifd and a->base. Errors: mwan3's config
 * (unreadable, does not parse), an enabled interface whose id reaches a
 * reserved mark, too many uplinks. An interface without a known device is
 * skipped (t->skipped says why), not an error. Not validated. */
int fg_mwan3_auto_build(const struct fg_mwan3_auto *a,
			struct fg_mwan3_table *t, char *err, size_t errlen);

#endif /* FG_MWAN3_AUTO_H */
