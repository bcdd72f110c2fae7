// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_ctl.c - the control-protocol decoders (ctl.c) on arbitrary
 * messages, each as the side that receives it: the service's request
 * (and what it checks next: the interface and device names), the
 * command's FG_CTL_GO, and the command's reading of an answer.
 */
#include <string.h>

#include "ctl.h"
#include "disconnect.h"
#include "fuzz.h"

static void service_side(const uint8_t *data, size_t size)
{
	struct fg_ctl_req req;
	struct fg_disc d;
	char err[256];

	if (!fg_ctl_go_decode(data, size)) {
		FZ_CHECK(size == sizeof(req));
		FZ_CHECK(fg_ctl_req_decode(data, size, &req));
	}
	if (fg_ctl_req_decode(data, size, &req))
		return;
	FZ_CHECK(req.magic == FG_CTL_MAGIC);
	FZ_CHECK(req.cmd >= FG_CTL_STATUS && req.cmd < FG_CTL_GO);
	FZ_CHECK(strlen(req.iface) < sizeof(req.iface));
	FZ_CHECK(strlen(req.device) < sizeof(req.device));
	if (req.cmd == FG_CTL_STATUS)
		return;
	err[0] = '\0';
	if (fg_disc_init(&d, req.cmd == FG_CTL_CONNECTED ? FG_DISC_CONNECTED :
			 FG_DISC_DISCONNECTED, req.iface, req.device, err,
			 sizeof(err)))
		fz_one_line(err);
	else
		FZ_CHECK(!strcmp(d.iface, req.iface));
}

static void command_side(const uint8_t *data, size_t size)
{
	static struct fg_ctl_resp resp;

	/* what recv() leaves: the first bytes, the real length apart */
	memset(&resp, 0xa5, sizeof(resp));
	memcpy(&resp, data, size < sizeof(resp) ? size : sizeof(resp));
	if (fg_ctl_resp_check(&resp, size))
		return;
	FZ_CHECK(size > offsetof(struct fg_ctl_resp, text));
	FZ_CHECK(size <= sizeof(resp));
	FZ_CHECK(strlen(resp.text) < sizeof(resp.text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	service_side(data, size);
	command_side(data, size);
	return 0;
}
