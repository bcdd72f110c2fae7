/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_obj.h - the one place where our struct fg_ct_entry and
 * libnetfilter_conntrack's struct nf_conntrack meet: ct.c builds and
 * parses every message through the library (nfct_nlmsg_build /
 * nfct_nlmsg_parse) and prints a dump's entries with it (nfct_snprintf).
 */
#ifndef FG_CT_OBJ_H
#define FG_CT_OBJ_H

#include <linux/netlink.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "ct.h"

/* t as the original tuple of o (a lookup or delete by tuple: the kernel
 * matches it against both directions of every entry). */
void fg_ct_obj_set_tuple(struct nf_conntrack *o, const struct fg_ct_tuple *t);

/* What a create sends of e: both tuples, mark, zone, the changeable
 * status bits and, for TCP with a state, that state with window
 * tracking set liberal. (1.0.9 sets no counters: its setter for them
 * does nothing.) */
void fg_ct_obj_set_new(struct nf_conntrack *o, const struct fg_ct_entry *e);

/* o, as nfct_nlmsg_parse() left it from nlh, into e: -EBADMSG without
 * both tuples of the message's family. */
int fg_ct_obj_get_entry(const struct nf_conntrack *o,
			const struct nlmsghdr *nlh, struct fg_ct_entry *e);

#endif /* FG_CT_OBJ_H */
