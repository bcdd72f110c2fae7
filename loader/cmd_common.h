/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cmd_common.h - the options every command that talks to the service or
 * reads mwan3's config shares: one parser, one usage text.
 */
#ifndef FG_CMD_COMMON_H
#define FG_CMD_COMMON_H

#include <getopt.h>

struct fg_common {
	const char *sock;
	const char *pin_dir;
	const char *mwan3_config;
	const char *mwan3_mask_file;
	int use_syslog;
	int verbose;
};

#define FG_COMMON_SHORT "S:P:C:K:sv"
#define FG_COMMON_LONG                                                    \
	{ "socket", required_argument, NULL, 'S' },                       \
	{ "pin-dir", required_argument, NULL, 'P' },                      \
	{ "mwan3-config", required_argument, NULL, 'C' },                 \
	{ "mwan3-mask-file", required_argument, NULL, 'K' },              \
	{ "syslog", no_argument, NULL, 's' },                             \
	{ "verbose", no_argument, NULL, 'v' }

#define FG_COMMON_USAGE                                                            \
	"  -S, --socket PATH        service socket (env FLOWGUARD_SOCKET)\n"          \
	"  -P, --pin-dir DIR        the guard's pins (env FLOWGUARD_PIN_DIR)\n"       \
	"  -C, --mwan3-config PATH  mwan3's config (env FLOWGUARD_MWAN3_CONFIG,\n"    \
	"                           default /etc/config/mwan3)\n"                      \
	"  -K, --mwan3-mask-file PATH  mwan3's cached mask (env\n"                   \
	"                           FLOWGUARD_MWAN3_MASK_FILE, default\n"             \
	"                           /var/run/mwan3/mmx_mask)\n"                        \
	"  -s, --syslog             log to syslog (as mwan3.user does)\n"             \
	"  -v, --verbose            more detail\n"

void fg_common_init(struct fg_common *c);
/* 1 if opt was one of ours (and taken), 0 if not. */
int fg_common_opt(struct fg_common *c, int opt, const char *arg);
/* After parsing: logging set up as asked. */
void fg_common_log(const struct fg_common *c);
/* The same from level (enum fg_log_level) instead of info. */
void fg_common_log_at(const struct fg_common *c, int level);

#endif /* FG_CMD_COMMON_H */
