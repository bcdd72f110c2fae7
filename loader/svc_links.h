/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_links.h - the service's uplink devices follow the kernel: each is
 * known by its configured name, and its filter and uplink-table entry
 * move with that name's ifindex (a device re-created by PPPoE or LTE at
 * every reconnect, one that appears after the service started, a rename).
 */
#ifndef FG_SVC_LINKS_H
#define FG_SVC_LINKS_H

#include <stddef.h>

struct fg_svc;
struct fg_dev;

/* At start: attach to each device there is (a refusal, such as another
 * instance's filter, stops the start: err says which device); one line
 * per device that is missing. */
int fg_svc_links_start(struct fg_svc *s, char *err, size_t errlen);
/* After link events: look each device up by name again; a changed one
 * is detached from its old ifindex and attached to its new one. */
void fg_svc_links_follow(struct fg_svc *s);
/* The service's uplink table into the guard's map (a device's state or
 * ifindex changed, an uplink went up or down). */
int fg_svc_uplinks_sync(struct fg_svc *s);
/* A device the table drops (a reload): its entry cleared, our filter
 * removed. */
void fg_svc_links_release(struct fg_svc *s, struct fg_dev *d);
/* On the way out: every filter of ours goes. */
void fg_svc_links_detach_all(struct fg_svc *s);

#endif /* FG_SVC_LINKS_H */
