/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cmd_common.h - one option parser for every command. A command names
 * its own options in a table and which of the shared ones it takes; the
 * parser builds getopt_long's arrays, the usage text and --help from
 * that, keeps the shared options in struct fg_common, and hands the
 * command each of its own. An option a command does not act on is not
 * in its table, so it is refused, never silently ignored.
 */
#ifndef FG_CMD_COMMON_H
#define FG_CMD_COMMON_H

#include <getopt.h> /* no_argument, required_argument for the tables */
#include <stdint.h>
#include <stdio.h>

struct fg_common {
	const char *sock;
	const char *pin_dir;
	const char *mwan3_config;
	const char *mwan3_mask_file;
	int mwan3_given; /* -C or -K on the command line (not from env) */
	int use_syslog;
	int verbose;
	int json;
};

/* The shared options, by the bit a command sets to take each. */
#define FG_SH_SOCKET (1u << 0)	  /* -S, --socket PATH */
#define FG_SH_PIN_DIR (1u << 1)	  /* -P, --pin-dir DIR */
#define FG_SH_MWAN3 (1u << 2)	  /* -C --mwan3-config, -K --mwan3-mask-file */
#define FG_SH_SYSLOG (1u << 3)	  /* -s, --syslog */
#define FG_SH_VERBOSE (1u << 4)	  /* -v, --verbose (repeatable) */
#define FG_SH_JSON (1u << 5)	  /* -j, --json */

/* Keys of long-only options start here (short ones are their letter). */
#define FG_OPT_LONG_ONLY 256

struct fg_opt {
	const char *name; /* long name; NULL ends a table */
	int key;	  /* short letter, or >= FG_OPT_LONG_ONLY */
	int has_arg;	  /* no_argument / required_argument */
	const char *arg;  /* the argument's name in the usage text */
	const char *help; /* may hold '\n' for continuation lines */
};

struct fg_cmd_spec {
	const char *name;
	const char *synopsis; /* after "usage: flowguard NAME " */
	const char *notes;    /* printed after the options; may be NULL */
	unsigned int shared;  /* FG_SH_* */
	const struct fg_opt *opts; /* the command's own; may be NULL */
	int min_args, max_args;	   /* positional words */
};

/* Applies one of the command's own options: 0, or -errno having said
 * why on stderr in one line (-EINVAL: a usage error). */
typedef int (*fg_opt_apply_fn)(void *ctx, int key, const char *arg);

/*
 * Parse argv (argv[0] is the command's name). The shared options go into
 * *c (initialised here, from the environment first), the command's own to
 * apply(ctx, ...) in the order given (apply may be NULL: they are then
 * only checked by getopt). Returns 0 with *first the index of the first
 * positional word, 1 when --help printed the usage on stdout, -EINVAL for a
 * usage error (one line said), or apply's error.
 */
int fg_opts_parse(const struct fg_cmd_spec *spec, int argc, char **argv,
		  struct fg_common *c, fg_opt_apply_fn apply, void *ctx,
		  int *first);

void fg_opts_usage(const struct fg_cmd_spec *spec, FILE *f);

/* One line "flowguard NAME: invalid WHAT 'ARG'" on stderr; -EINVAL. */
int fg_opts_bad(const struct fg_cmd_spec *spec, const char *what,
		const char *arg);

/* "4", "6" or "all" (AF_UNSPEC): 0, or -EINVAL. */
int fg_opts_family(const char *s, uint8_t *family);

/* fg_opts_parse()'s or a command's result as an exit code: 0 and 1
 * (help) exit 0, -EINVAL exits 2 (usage), anything else 1. */
int fg_opts_exit(int rc);

/* After parsing: logging set up as asked. */
void fg_common_log(const struct fg_common *c);
/* The same from level (enum fg_log_level) instead of info. */
void fg_common_log_at(const struct fg_common *c, int level);

#endif /* FG_CMD_COMMON_H */
