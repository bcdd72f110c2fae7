/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* event.h - decoding the guard's ring-buffer events. */
#ifndef FG_EVENT_H
#define FG_EVENT_H

#include <stddef.h>

#include "ct.h"
#include "flowguard.h"

/* A record from the ring buffer is usable only at exactly this size. */
int fg_event_check(const void *data, size_t size);

/* The tuple the event carries, as a conntrack tuple. */
void fg_event_tuple(const struct fg_event *ev, struct fg_ct_tuple *t);

/* The same tuple seen from the other end (src and dst swapped). */
void fg_tuple_invert(const struct fg_ct_tuple *in, struct fg_ct_tuple *out);

/* "tcp 192.0.2.1:40000 -> 198.51.100.7:443 mark 0x100 (ct, original)" */
int fg_event_fmt(const struct fg_event *ev, char *buf, size_t len);

#endif /* FG_EVENT_H */
