/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* log.h - one logging layer: syslog as a service (-s), stderr otherwise. */
#ifndef FG_LOG_H
#define FG_LOG_H

enum fg_log_level {
	FG_LOG_ERR = 0,
	FG_LOG_WARN,
	FG_LOG_INFO,
	FG_LOG_DEBUG,
};

void fg_log_init(const char *ident, int use_syslog, enum fg_log_level level);
void fg_log_raise(void); /* one -v */
enum fg_log_level fg_log_level(void);
void fg_log(enum fg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define fg_err(...) fg_log(FG_LOG_ERR, __VA_ARGS__)
#define fg_warn(...) fg_log(FG_LOG_WARN, __VA_ARGS__)
#define fg_info(...) fg_log(FG_LOG_INFO, __VA_ARGS__)
#define fg_debug(...) fg_log(FG_LOG_DEBUG, __VA_ARGS__)

#endif /* FG_LOG_H */
