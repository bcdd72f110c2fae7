/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_reload.h - with --mwan3, the running service reads mwan3's
 * interfaces and netifd's devices again (SIGHUP; a hook naming an
 * interface the table lacks) and moves its table, filters and map to the
 * result, keeping each known uplink's state.
 */
#ifndef FG_SVC_RELOAD_H
#define FG_SVC_RELOAD_H

struct fg_svc;

/* 1: the table was read again (changed or not), 0: nothing to re-read
 * (no --mwan3), -errno: the old table stays (logged). why: for the log. */
int fg_svc_reload(struct fg_svc *s, const char *why);

#endif /* FG_SVC_RELOAD_H */
