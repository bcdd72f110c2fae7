/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* reset_sockdiag.h - end the router's own TCP sockets (SOCK_DESTROY). */
#ifndef FG_RESET_SOCKDIAG_H
#define FG_RESET_SOCKDIAG_H

#include "ct.h"

/* t: the socket as the router sees it (saddr/sport local). -EOPNOTSUPP
 * when the kernel lacks CONFIG_INET_DIAG_DESTROY, -ENOENT when no such
 * socket exists. */
int fg_sockdiag_destroy(const struct fg_ct_tuple *t);

/* 1 if this kernel can destroy sockets (CONFIG_INET_DIAG_DESTROY), 0 if
 * not: asks it to destroy a socket that cannot exist. */
int fg_sockdiag_destroy_supported(void);

#endif /* FG_RESET_SOCKDIAG_H */
