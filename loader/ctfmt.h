/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctfmt.h - one conntrack entry as the operator verbs print it: a text
 * line in the shape `conntrack -L` users know, plus the uplink the mark
 * belongs to; or one JSON object (docs/json.md).
 */
#ifndef FG_CTFMT_H
#define FG_CTFMT_H

#include <stdint.h>
#include <stdio.h>

#include "ct.h"
#include "marknames.h"

/* "tcp", "udp", "icmp", "icmpv6", ...; NULL for a number without one. */
const char *fg_ctfmt_proto_name(uint8_t l4proto);
/* A name above or a number 0..255: the protocol, or -1. */
int fg_ctfmt_proto_parse(const char *s);
/* "ESTABLISHED", ...; NULL for state 0 and unknown values. */
const char *fg_ctfmt_state_name(uint8_t state);
/* A state name (any case): TCP_CONNTRACK_*, or -1. */
int fg_ctfmt_state_parse(const char *s);

/* The entry on one line (newline included). */
void fg_ctfmt_text(FILE *f, const struct fg_ct_entry *e,
		   const struct fg_marknames *t);
/* " uplink=NAME", or " uplink=-(CLASS)" for a mark of no uplink (the
 * tail of `list`'s lines after conntrack's own form). */
void fg_ctfmt_uplink(FILE *f, const struct fg_ct_entry *e,
		     const struct fg_marknames *t);
/* The entry as one JSON object, no newline. */
void fg_ctfmt_json(FILE *f, const struct fg_ct_entry *e,
		   const struct fg_marknames *t);
/* The entry's bytes or packets, both directions. */
uint64_t fg_ctfmt_total(const struct fg_ct_entry *e, int packets);

#endif /* FG_CTFMT_H */
