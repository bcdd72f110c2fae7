// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * log.c - the process-wide log sink. Its settings are the one piece of
 * global state every command shares; libbpf's own messages come through
 * here one level lower than libbpf rates them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <bpf/libbpf.h>

#include "log.h"

static struct {
	enum fg_log_level level;
	int use_syslog;
	const char *ident;
} fg_log_cfg = { FG_LOG_INFO, 0, "flowguard" };

static const int fg_syslog_prio[] = {
	[FG_LOG_ERR] = LOG_ERR,
	[FG_LOG_WARN] = LOG_WARNING,
	[FG_LOG_INFO] = LOG_INFO,
	[FG_LOG_DEBUG] = LOG_DEBUG,
};

static void fg_vlog(enum fg_log_level level, const char *fmt, va_list ap)
{
	if (level > fg_log_cfg.level)
		return;
	if (fg_log_cfg.use_syslog) {
		vsyslog(fg_syslog_prio[level], fmt, ap);
		return;
	}
	/* one write per line: stderr is unbuffered */
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s: ", fg_log_cfg.ident);

	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(line);
	line[n] = '\n';
	fwrite(line, 1, (size_t)n + 1, stderr);
}

void fg_log(enum fg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fg_vlog(level, fmt, ap);
	va_end(ap);
}

static int fg_libbpf_print(enum libbpf_print_level level, const char *fmt,
			   va_list ap)
{
	enum fg_log_level ours = FG_LOG_DEBUG;
	char line[512];
	int n;

	const char *msg = line;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	/* libbpf ends its lines with a newline; ours add one */
	if (n > 0 && (size_t)n < sizeof(line) && line[n - 1] == '\n')
		line[n - 1] = '\0';
	if (level == LIBBPF_WARN)
		ours = FG_LOG_INFO;
	/* the clsact hook we (or an earlier run) made already exists */
	if (strstr(line, "Exclusivity flag on"))
		ours = FG_LOG_DEBUG;
	if (ours > fg_log_cfg.level)
		return 0;
	if (!strncmp(msg, "libbpf: ", 8))
		msg += 8;
	fg_log(ours, "libbpf: %s", msg);
	return 0;
}

void fg_log_init(const char *ident, int use_syslog, enum fg_log_level level)
{
	fg_log_cfg.ident = ident;
	fg_log_cfg.use_syslog = use_syslog;
	fg_log_cfg.level = level;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
	libbpf_set_print(fg_libbpf_print);
}

void fg_log_raise(void)
{
	if (fg_log_cfg.level < FG_LOG_DEBUG)
		fg_log_cfg.level++;
}

enum fg_log_level fg_log_level(void)
{
	return fg_log_cfg.level;
}
