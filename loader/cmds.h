/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* cmds.h - the subcommands; each parses its options with cmd_common.h. Exit codes:
 * 0 ok, 1 failure, 2 usage. */
#ifndef FG_CMDS_H
#define FG_CMDS_H

#define FG_EXIT_OK 0
#define FG_EXIT_FAIL 1
#define FG_EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_disconnected(int argc, char **argv);
int cmd_connected(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_flush(int argc, char **argv);
/* the operator verbs */
int cmd_list(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_offload(int argc, char **argv);
int cmd_metrics(int argc, char **argv);

#endif /* FG_CMDS_H */
