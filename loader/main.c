// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* main.c - pick the subcommand; everything else belongs to it. */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "log.h"

struct fg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct fg_cmd fg_cmds[] = {
	{ "run", cmd_run, "the guard service: load, attach, watch, delete" },
	{ "status", cmd_status, "ask the running service what it is doing" },
	{ "disconnected", cmd_disconnected,
	  "mwan3: an uplink went down: flush its flows" },
	{ "connected", cmd_connected,
	  "mwan3: an uplink came back: clear flows stuck unreachable" },
	{ "hook", cmd_hook, "mwan3.user entry point: hook ACTION IFACE [DEVICE]" },
	{ "flush", cmd_flush, "delete the entries of one uplink's mark" },
};

static void fg_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: flowguard COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof(fg_cmds) / sizeof(fg_cmds[0]); i++)
		fprintf(f, "  %-14s %s\n", fg_cmds[i].name, fg_cmds[i].help);
	fprintf(f, "\n`flowguard COMMAND --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	fg_log_init("flowguard", 0, FG_LOG_INFO);
	if (argc < 2) {
		fprintf(stderr, "flowguard: no command (try --help)\n");
		return FG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fg_usage(stdout);
		return FG_EXIT_OK;
	}
	for (i = 0; i < sizeof(fg_cmds) / sizeof(fg_cmds[0]); i++)
		if (!strcmp(argv[1], fg_cmds[i].name))
			return fg_cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "flowguard: unknown command '%s' (try --help)\n",
		argv[1]);
	return FG_EXIT_USAGE;
}
