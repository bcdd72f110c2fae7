/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nldump.h - one netlink dump on a socket of its own: for the rare
 * read-only listings (tc filters, nft flowtables) that `status` and the
 * service's start make; conntrack keeps its own long-lived socket.
 */
#ifndef FG_NLDUMP_H
#define FG_NLDUMP_H

#include <libmnl/libmnl.h>

/* Room for a dump request (a header and a few attributes). */
#define FG_NLDUMP_REQ 256
/* Each part of the answer: the kernel's first dump parts are at most
 * 8 KiB (NLMSG_GOODSIZE), and it only sends larger ones to a reader that
 * has shown a larger buffer. A constant, unlike MNL_SOCKET_BUFFER_SIZE. */
#define FG_NLDUMP_BUF 8192

/* Send req (its type, flags and payload set; the sequence number is
 * ours) on a new NETLINK_<bus> socket and run cb on every message of
 * the answer. 0, or -errno (the kernel's error for the request). */
int fg_nldump(int bus, struct nlmsghdr *req, mnl_cb_t cb, void *arg);

#endif /* FG_NLDUMP_H */
