/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cmd_verbs.h - what the operator verbs (list, count, top, offload)
 * share: where uplink names come from (-c, -u, else mwan3's config), the
 * selection of entries (--iface, --mark, --unmarked, --reserved,
 * --family, --proto, --state, --offloaded) with its mark filter sent to
 * the kernel, and reading /proc/sys/net/netfilter values. None of them
 * holds the table: each entry is looked at once, as the dump delivers it.
 */
#ifndef FG_CMD_VERBS_H
#define FG_CMD_VERBS_H

#include <getopt.h>
#include <stdint.h>

#include "cmd_common.h"
#include "conf.h"
#include "ct.h"
#include "marknames.h"

#define VERB_LONG(c) (FG_OPT_LONG_ONLY + (c))

/* Where uplink names come from. */
#define VERB_OPTS_TABLE                                                     \
	{ "config", 'c', required_argument, "FILE",                         \
	  "uplink names from flowguard's UCI config\n"                      \
	  "(default: mwan3's config, see -C)" },                            \
	{ "uplink", 'u', required_argument, "NAME:DEV:MARK",                \
	  "an uplink's name and mark (repeatable)" }

#define VERB_OPTS_FAMILY                                                    \
	{ "family", 'f', required_argument, "4|6|all", "default all" }

/* Which entries; the mark filter goes to the kernel with the dump. */
#define VERB_OPTS_SELECT                                                    \
	{ "iface", 'i', required_argument, "IFACE",                          \
	  "entries of this uplink's mark" },                                \
	{ "mark", 'm', required_argument, "MARK[/MASK]",                     \
	  "entries with (ctmark & MASK) == MARK\n"                          \
	  "(MASK: the table's, mwan3's 0x3f00 by default)" },               \
	{ "unmarked", VERB_LONG('U'), no_argument, NULL,                    \
	  "entries without an uplink's bits" },                             \
	{ "reserved", VERB_LONG('R'), no_argument, NULL,                    \
	  "entries with mwan3's default, unreachable\n"                     \
	  "or blackhole mark" },                                            \
	VERB_OPTS_FAMILY,                                                   \
	{ "proto", 'p', required_argument, "PROTO",                          \
	  "tcp, udp, icmp, icmpv6, udplite, sctp, dccp,\n"                  \
	  "gre or a number" },                                              \
	{ "state", VERB_LONG('s'), required_argument, "STATE",              \
	  "TCP state (ESTABLISHED, TIME_WAIT, ...)" },                      \
	{ "offloaded", VERB_LONG('o'), no_argument, NULL,                   \
	  "only entries offloaded to a flowtable" }

struct verb_args {
	const struct fg_cmd_spec *spec;
	struct fg_common common;
	const char *config;	 /* -c */
	struct fg_conf conf;	 /* -u uplinks (and -c's) */
	/* selection */
	const char *iface, *mark;
	int unmarked, reserved, offloaded;
	uint8_t family;		 /* AF_UNSPEC: both */
	int l4proto, state;	 /* -1: any */
	/* top */
	uint32_t top_n;
	int by_packets;
	/* resolved by verb_prepare() */
	struct fg_marknames names;
	uint32_t kmark, kmask;	 /* the dump's filter; kmask 0: all */
};

/* Entries of one class of marks (an uplink's, unmarked, ...). */
struct verb_row {
	uint64_t entries, v4, v6, tcp, udp, icmp;
	uint64_t offloaded;    /* IPS_OFFLOAD or IPS_HW_OFFLOAD */
	uint64_t hw_offloaded; /* IPS_HW_OFFLOAD */
};

struct verb_census {
	const struct verb_args *a;
	struct verb_row up[FG_MAX_IFACES]; /* per a->names.up[i] */
	struct verb_row cls[FG_MC_NR];	    /* FG_MC_UPLINK: unused */
	struct verb_row total;
};

/* One dump (--family only selects), each entry into its row: c zeroed
 * by the caller. 0 or the dump's -errno. */
int verb_census(const struct verb_args *a, struct verb_census *c);

/* Parse argv with spec (no positional words), load the uplink names and
 * resolve the selection. 0, 1 (help shown), -EINVAL (usage, one line
 * said) or another -errno (said). */
int verb_prepare(struct verb_args *a, const struct fg_cmd_spec *spec,
		 int argc, char **argv);
/* Whether e passes the filters applied as the entries arrive. */
int verb_match(const struct verb_args *a, const struct fg_ct_entry *e);
/* One line on stderr for a failed dump; FG_EXIT_FAIL. */
int verb_dump_failed(const struct verb_args *a, int err);
/* A /proc/sys/net/netfilter value of the caller's network namespace, or
 * -errno (-ENOENT: no conntrack there yet). */
long long verb_nf_sysctl(const char *name);

#endif /* FG_CMD_VERBS_H */
