/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctl.h - the control socket between the service and its commands: a unix
 * SOCK_SEQPACKET socket (mode 0600, root peers only), fixed-size messages,
 * one request per connection. Anything else is refused before it is
 * looked at.
 *
 * A request that acts (disconnected, connected) is never carried out twice:
 * the command waits for the service until its deadline and then acts
 * alone, so the service must not act on it after that. The service only
 * offers (an interim answer, before the deadline it was given); the
 * command commits by answering FG_CTL_GO and then waits for the result,
 * or gives up and closes. The decision is the command's alone: a service
 * that sees the connection closed instead of a GO (stopped, busy, late)
 * only brings its uplink table up to date (down or up, in request order,
 * so a later `connected` wins) and deletes nothing.
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
	FG_CTL_GO = 4, /* the command takes the service's offer */
	FG_CTL_CMD_MAX,
};

struct fg_ctl_req {
	uint32_t magic;
	uint32_t cmd;
	char iface[FG_NAME_LEN];
	char device[IFNAMSIZ];
	uint32_t flags;
	uint32_t pad;
	/* CLOCK_MONOTONIC ns after which the command acts alone (0: none) */
	uint64_t deadline_ns;
};

/* The offer: sent at once for requests that act, before the command's
 * deadline; the final answer follows the command's FG_CTL_GO. */
#define FG_CTL_F_INTERIM 0x1u
/* In a status request: the answer's text is one JSON document. */
#define FG_CTL_F_JSON 0x2u
/* In a status request: the answer is Prometheus text (flowguard metrics). */
#define FG_CTL_F_METRICS 0x4u

struct fg_ctl_resp {
	uint32_t magic;
	int32_t status; /* 0 or -errno */
	uint32_t flags; /* FG_CTL_F_* */
	uint32_t pad;
	uint64_t values[8];
	char text[FG_CTL_TEXT_LEN];
};

/* The decoders behind the socket calls, on bytes already read (n: the
 * message's real length, as recv() with MSG_TRUNC reports it). A request:
 * -EBADMSG for anything but a well-formed one of exactly sizeof(*req). */
int fg_ctl_req_decode(const void *buf, size_t n, struct fg_ctl_req *req);
/* The command's FG_CTL_GO: 0 or -EBADMSG. */
int fg_ctl_go_decode(const void *buf, size_t n);
/* An answer whose first min(n, sizeof(*resp)) bytes are in *resp: checked,
 * the rest zeroed and the text terminated; -EBADMSG. */
int fg_ctl_resp_check(struct fg_ctl_resp *resp, size_t n);

/* Service side. */
int fg_ctl_listen(const char *path, char *err, size_t errlen);
/* Accept one connection (non-blocking fd); -EPERM for a non-root peer. */
int fg_ctl_accept(int lfd);
/* Read the one request; -EBADMSG for anything but a well-formed one. */
int fg_ctl_recv(int cfd, struct fg_ctl_req *req);
int fg_ctl_send(int cfd, const struct fg_ctl_resp *resp);
/* The command's answer to an offer: 0 for FG_CTL_GO, -ECONNRESET when the
 * command gave up (closed), -EAGAIN when nothing came yet, -EBADMSG. */
int fg_ctl_recv_go(int cfd);
uint64_t fg_ctl_now_ns(void);

/* Command side: ask the service; -ENOENT/-ECONNREFUSED when none runs,
 * -ETIMEDOUT when it does not offer within first_ms (the service will then
 * not act: the command may); after taking the offer, -EINPROGRESS when no
 * final answer came within total_ms (the service is still at it: the
 * command must not act too), -EBADMSG when the service went away. */
int fg_ctl_call(const char *path, const struct fg_ctl_req *req,
		struct fg_ctl_resp *resp, int first_ms, int total_ms);

/* The socket path: FLOWGUARD_SOCKET, else the default. */
const char *fg_ctl_path(const char *opt);

#endif /* FG_CTL_H */
