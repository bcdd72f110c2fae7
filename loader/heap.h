/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * heap.h - memory handed back to the system: a router runs for months on
 * 128 MiB, and what a start or a flood needed once must not stay resident.
 */
#ifndef FG_HEAP_H
#define FG_HEAP_H

#include <stddef.h>

/* At the start of the service, before its large allocations. */
void fg_heap_tune(void);
/* Free heap memory back to the system (after the load, after a flood). */
void fg_heap_give_back(void);
/* The whole pages inside [p, p + len) are no longer needed: their memory
 * goes back to the system; they read as zeros when touched again. */
void fg_heap_drop_pages(void *p, size_t len);

#endif /* FG_HEAP_H */
