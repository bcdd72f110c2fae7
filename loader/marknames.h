/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * marknames.h - which uplink a conntrack mark belongs to, for the
 * operator verbs (list, count, top, offload): the uplink table from
 * flowguard's own config (-c) and --uplink options when given, else from
 * mwan3's config, as `flush --iface` and the hook find a mark; and the
 * class of any other mark under the mask (unmarked, mwan3's reserved
 * ones, other).
 */
#ifndef FG_MARKNAMES_H
#define FG_MARKNAMES_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum fg_mark_class {
	FG_MC_UPLINK = 0,
	FG_MC_UNMARKED,	   /* (mark & mask) == 0 */
	FG_MC_DEFAULT,	   /* mwan3's default (the mask itself) */
	FG_MC_UNREACHABLE,
	FG_MC_BLACKHOLE,
	FG_MC_OTHER,	   /* a mark no configured uplink has */
	FG_MC_NR,
};

struct fg_markname {
	char name[FG_NAME_LEN];
	char device[IFNAMSIZ]; /* "" when the source does not say (mwan3) */
	uint32_t mark;
};

struct fg_marknames {
	uint32_t mask;
	uint32_t reserved[3]; /* default, unreachable, blackhole */
	const char *src;      /* where the table came from, for people */
	struct fg_markname up[FG_MAX_IFACES];
	size_t nr;
};

/* The flowguard config and --uplink arguments (fg_conf) when conf has
 * uplinks, else mwan3's config (NULL paths: the defaults; no config file
 * at all: an empty table under mask 0x3f00). 0, or -errno with err set
 * (-EINVAL: a config that does not parse). */
int fg_marknames_from_conf(struct fg_marknames *t, const struct fg_conf *c);
int fg_marknames_from_mwan3(struct fg_marknames *t, const char *config,
			    const char *mask_file, char *err, size_t errlen);

/* The class of mark; *idx the uplink's index for FG_MC_UPLINK. */
enum fg_mark_class fg_marknames_class(const struct fg_marknames *t,
				      uint32_t mark, size_t *idx);
const char *fg_mark_class_name(enum fg_mark_class c);

/* The uplink's index, -1 if none has that name. */
int fg_marknames_find(const struct fg_marknames *t, const char *name);

#endif /* FG_MARKNAMES_H */
