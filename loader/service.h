/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* service.h - `flowguard run`: the long-running guard service. */
#ifndef FG_SERVICE_H
#define FG_SERVICE_H

#include "conf.h"

struct fg_mwan3_auto;

#define FG_DEFAULT_PIN_DIR "/sys/fs/bpf/flowguard"

struct fg_service_opts {
	struct fg_conf conf;
	const char *pin_dir;
	const char *sock_path;
	int want_ct;	/* 1 ct, 0 skbmark, FG_WANT_AUTO */
	int want_probe; /* ct way: 1 probe read, 0 kfunc, FG_WANT_AUTO */
	const char *mwan3_config;    /* NULL: /etc/config/mwan3 */
	const char *mwan3_mask_file; /* NULL: /var/run/mwan3/mmx_mask */
	const char *mwan3_track_dir; /* NULL: /var/run/mwan3track */
	/* --mwan3: how to build the table again (SIGHUP, an unknown
	 * interface in a hook); NULL without */
	const struct fg_mwan3_auto *mwan3_auto;
};

/* Runs until SIGTERM/SIGINT: 0 then, -errno if it could not start. */
int fg_service_run(const struct fg_service_opts *o);

/* The pin dir: FLOWGUARD_PIN_DIR, else the default. */
const char *fg_service_pin_dir(const char *opt);

#endif /* FG_SERVICE_H */
