/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_obj.h - the one place where our struct fg_ct_entry becomes
 * libnetfilter_conntrack's struct nf_conntrack: ct.c builds every
 * request's attributes through the library (nfct_nlmsg_build).
 */
#ifndef FG_CT_OBJ_H
#define FG_CT_OBJ_H

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "ct.h"

/* t as the original tuple of o (a lookup or delete by tuple: the kernel
 * matches it against both directions of every entry). */
void fg_ct_obj_set_tuple(struct nf_conntrack *o, const struct fg_ct_tuple *t);

/* What a create sends of e: both tuples, mark, zone, the changeable
 * status bits and, for TCP with a state, that state with window
 * tracking set liberal. */
void fg_ct_obj_set_new(struct nf_conntrack *o, const struct fg_ct_entry *e);

#endif /* FG_CT_OBJ_H */
