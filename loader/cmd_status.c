// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_status.c - `flowguard status`: what the running service reports. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd_common.h"
#include "cmds.h"
#include "ctl.h"
#include "log.h"

#define STATUS_TIMEOUT_MS 1000

static const struct fg_cmd_spec status_spec = {
	.name = "status",
	.synopsis = "[OPTIONS]",
	.notes = "  exit status 1 when no service answers\n",
	.shared = FG_SH_SOCKET | FG_SH_VERBOSE | FG_SH_JSON,
};

int cmd_status(int argc, char **argv)
{
	struct fg_ctl_req req = { .magic = FG_CTL_MAGIC, .cmd = FG_CTL_STATUS };
	struct fg_ctl_resp resp;
	struct fg_common c;
	int rc;

	rc = fg_opts_parse(&status_spec, argc, argv, &c, NULL, NULL, NULL);
	if (rc)
		return fg_opts_exit(rc);
	fg_common_log(&c);
	if (c.json)
		req.flags |= FG_CTL_F_JSON;
	fg_debug("asking the service at %s", c.sock);
	rc = fg_ctl_call(c.sock, &req, &resp, STATUS_TIMEOUT_MS,
			 STATUS_TIMEOUT_MS);
	if (rc) {
		fprintf(stderr, "flowguard status: no service at %s: %s\n",
			c.sock, strerror(-rc));
		return FG_EXIT_FAIL;
	}
	fputs(resp.text, stdout);
	return resp.status ? FG_EXIT_FAIL : FG_EXIT_OK;
}
