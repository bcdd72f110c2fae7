// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* main.c - pick the subcommand; everything else belongs to it. */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "log.h"

/* Bumped with each release; `make` may override it (-DFG_VERSION=...). */
#ifndef FG_VERSION
#define FG_VERSION "0.9.0"
#endif

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
	/* the operator's read-only verbs over the conntrack table */
	{ "list", cmd_list, "list the entries, one a line, with their uplink" },
	{ "count", cmd_count, "entries per uplink, per reserved mark, table size" },
	{ "top", cmd_top, "the heaviest flows by conntrack accounting" },
	{ "offload", cmd_offload, "offloaded entries per uplink, flowtables" },
	{ "metrics", cmd_metrics, "counters and entries per uplink for Prometheus" },
};

#define FG_NR_CMDS (sizeof(fg_cmds) / sizeof(fg_cmds[0]))

static void fg_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: flowguard COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < FG_NR_CMDS; i++)
		fprintf(f, "  %-14s %s\n", fg_cmds[i].name, fg_cmds[i].help);
	fprintf(f, "\n`flowguard help COMMAND` (or `flowguard COMMAND --help`) for a\n"
		   "command's options; `flowguard --version`; man flowguard(8).\n"
		   "exit status: 0 done, 1 failed, 2 bad usage\n");
}

static const struct fg_cmd *fg_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < FG_NR_CMDS; i++)
		if (!strcmp(name, fg_cmds[i].name))
			return &fg_cmds[i];
	return NULL;
}

/* `flowguard help [COMMAND]`: the command's own --help. */
static int fg_help(int argc, char **argv)
{
	char help[] = "--help";
	const struct fg_cmd *c;
	char *args[3];

	if (argc < 3) {
		fg_usage(stdout);
		return FG_EXIT_OK;
	}
	c = fg_cmd_find(argv[2]);
	if (!c || argc > 3) {
		fprintf(stderr, "flowguard help: %s '%s' (try flowguard help)\n",
			c ? "unexpected argument" : "unknown command",
			c ? argv[3] : argv[2]);
		return FG_EXIT_USAGE;
	}
	args[0] = argv[2];
	args[1] = help;
	args[2] = NULL;
	return c->fn(2, args);
}

int main(int argc, char **argv)
{
	const struct fg_cmd *c;

	fg_log_init("flowguard", 0, FG_LOG_INFO);
	if (argc < 2) {
		fprintf(stderr, "flowguard: no command (try --help)\n");
		return FG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return fg_help(argc, argv);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("flowguard %s\n", FG_VERSION);
		return FG_EXIT_OK;
	}
	c = fg_cmd_find(argv[1]);
	if (c)
		return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "flowguard: unknown command '%s' (try --help)\n",
		argv[1]);
	return FG_EXIT_USAGE;
}
