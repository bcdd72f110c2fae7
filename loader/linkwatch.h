/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * linkwatch.h - rtnetlink link events (RTMGRP_LINK) for the service's
 * epoll loop: devices appear, go, are re-created with a new ifindex
 * (PPPoE and LTE at every reconnect) or renamed. It only says that
 * something changed; the service then looks its devices up by name,
 * which also covers events lost to a full socket buffer.
 */
#ifndef FG_LINKWATCH_H
#define FG_LINKWATCH_H

struct fg_linkwatch;

/* Subscribed and non-blocking; 0 or -errno. */
int fg_linkwatch_open(struct fg_linkwatch **out);
void fg_linkwatch_close(struct fg_linkwatch *lw);
int fg_linkwatch_fd(const struct fg_linkwatch *lw);
/* Read everything pending: 1 when a link changed (or events were lost),
 * 0 when nothing did, -errno. */
int fg_linkwatch_drain(struct fg_linkwatch *lw);

#endif /* FG_LINKWATCH_H */
