// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_status.c - `flowguard status`: what the running service reports. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "ctl.h"

#define STATUS_TIMEOUT_MS 1000

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct fg_ctl_req req = { .magic = FG_CTL_MAGIC, .cmd = FG_CTL_STATUS };
	struct fg_ctl_resp resp;
	const char *sock = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "S:h", opts, NULL)) != -1) {
		if (c == 'S') {
			sock = optarg;
		} else if (c == 'h') {
			printf("usage: flowguard status [--socket PATH]\n");
			return FG_EXIT_OK;
		} else {
			return FG_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "flowguard status: unexpected argument '%s'\n",
			argv[optind]);
		return FG_EXIT_USAGE;
	}
	rc = fg_ctl_call(fg_ctl_path(sock), &req, &resp, STATUS_TIMEOUT_MS,
			 STATUS_TIMEOUT_MS);
	if (rc) {
		fprintf(stderr, "flowguard status: no service at %s: %s\n",
			fg_ctl_path(sock), strerror(-rc));
		return FG_EXIT_FAIL;
	}
	fputs(resp.text, stdout);
	return resp.status ? FG_EXIT_FAIL : FG_EXIT_OK;
}
