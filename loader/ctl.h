/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctl.h - the control socket between the service and its commands: a unix
 * SOCK_SEQPACKET socket (mode 0600, root peers only), one fixed-size
 * request and one fixed-size answer per connection. Anything else is
 * refused before it is looked at.
 */
#ifndef FG_CTL_H
#define FG_CTL_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define FG_CTL_MAGIC 0x46474331u /* "FGC1" */
#define FG_CTL_DEFAULT_PATH "/var/run/flowguard.sock"
/* status: about 250 bytes per guarded device and 70 per uplink; a
 * SEQPACKET answer must fit the sender's sndbuf (200 KiB by default). */
#define FG_CTL_TEXT_LEN 8192

enum fg_ctl_cmd {
	FG_CTL_STATUS = 1,
	FG_CTL_DISCONNECTED = 2,
	FG_CTL_CONNECTED = 3,
	FG_CTL_CMD_MAX,
};

struct fg_ctl_req {
	uint32_t magic;
	uint32_t cmd;
	char iface[FG_NAME_LEN];
	char device[IFNAMSIZ];
	uint32_t flags;
	uint32_t pad;
};

/* "Working on it": sent at once for requests that take a while, so a
 * command tells a live, busy service from none. The final answer follows. */
#define FG_CTL_F_INTERIM 0x1u

struct fg_ctl_resp {
	uint32_t magic;
	int32_t status; /* 0 or -errno */
	uint32_t flags; /* FG_CTL_F_* */
	uint32_t pad;
	uint64_t values[8];
	char text[FG_CTL_TEXT_LEN];
};

/* Service side. */
int fg_ctl_listen(const char *path, char *err, size_t errlen);
/* Accept one connection (non-blocking fd); -EPERM for a non-root peer. */
int fg_ctl_accept(int lfd);
/* Read the one request; -EBADMSG for anything but a well-formed one. */
int fg_ctl_recv(int cfd, struct fg_ctl_req *req);
int fg_ctl_send(int cfd, const struct fg_ctl_resp *resp);

/* Command side: ask the service; -ENOENT/-ECONNREFUSED when none runs,
 * -ETIMEDOUT when it does not answer within first_ms, or gave an interim
 * answer but no final one within total_ms. */
int fg_ctl_call(const char *path, const struct fg_ctl_req *req,
		struct fg_ctl_resp *resp, int first_ms, int total_ms);

/* The socket path: FLOWGUARD_SOCKET, else the default. */
const char *fg_ctl_path(const char *opt);

#endif /* FG_CTL_H */
