// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_run.c - `flowguard run`: options into a config, then the service. */
#include <errno.h>
#include <getopt.h> /* required_argument */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "cmds.h"
#include "conf.h"
#include "log.h"
#include "mark.h"
#include "prog.h"
#include "service.h"

static const struct fg_opt run_opts[] = {
	{ "config", 'c', required_argument, "FILE",
	  "UCI config (/etc/config/flowguard format)" },
	{ "uplink", 'u', required_argument, "NAME:DEV:MARK",
	  "an mwan3 interface, its device and mark\n"
	  "(repeatable; several NAMEs may share a DEV)" },
	{ "mask", 'm', required_argument, "MASK", "mwan3 mmx_mask (default 0x3f00)" },
	{ "mode", 'M', required_argument, "MODE", "auto|ct|skbmark (default auto)" },
	{ "ct-way", FG_OPT_LONG_ONLY + 'W', required_argument, "WAY",
	  "auto|kfunc|probe: how ct mode reads the entry" },
	{ "offload-lookup", FG_OPT_LONG_ONLY + 'L', required_argument, "L",
	  "auto|on|off: ct mode looks up the entry of\n"
	  "packets that carry none (flow offload)" },
	{ "lookup-sample", FG_OPT_LONG_ONLY + 'N', required_argument, "N",
	  "on devices whose uplinks are all up, look up\n"
	  "one such packet in N (power of two, default 16)" },
	{ "tc-priority", FG_OPT_LONG_ONLY + 'R', required_argument, "N",
	  "tc pref of our egress filter (default 1: first)" },
	{ "policy", 'p', required_argument, "POLICY",
	  "reset|delete|monitor (default reset: delete the\n"
	  "entry and reset its TCP client; per uplink:\n"
	  "--uplink NAME:DEV:MARK:POLICY)" },
	{ "enforce", 'e', no_argument, NULL, "drop flagged packets at egress" },
	{ "dedupe-ms", 'd', required_argument, "MS",
	  "one event per flow per MS (default 1000)" },
	{ "max-deletes", 'r', required_argument, "N",
	  "deletions per second (default 1000)" },
	{ "mwan3-track-dir", FG_OPT_LONG_ONLY + 'T', required_argument, "DIR",
	  "mwan3track's status (default /var/run/mwan3track)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct fg_cmd_spec run_spec = {
	.name = "run",
	.synopsis = "[OPTIONS]",
	.shared = FG_SH_SOCKET | FG_SH_PIN_DIR | FG_SH_MWAN3 | FG_SH_SYSLOG |
		  FG_SH_VERBOSE,
	.opts = run_opts,
};

static int run_bad(const char *what, const char *arg)
{
	return fg_opts_bad(&run_spec, what, arg);
}

static int run_parse_u32(const char *what, const char *arg, uint32_t *out)
{
	return fg_mark_parse_u32(arg, out) ? run_bad(what, arg) : 0;
}

#define RUN_LONG(c) (FG_OPT_LONG_ONLY + (c))

/* Options other than -c, applied on top of the config file. */
static int run_apply(void *ctx, int c, const char *arg)
{
	struct fg_service_opts *o = ctx;
	char err[256];

	switch (c) {
	case 'c':
		return 0; /* the first pass's */
	case 'u':
		if (fg_conf_add_uplink_arg(&o->conf, arg, err, sizeof(err))) {
			fprintf(stderr, "flowguard run: %s\n", err);
			return -EINVAL;
		}
		return 0;
	case 'm':
		return run_parse_u32("mask", arg, &o->conf.mask);
	case 'M':
		return fg_conf_parse_mode(arg, &o->conf.mode) ?
			       run_bad("mode", arg) : 0;
	case RUN_LONG('W'):
		if (!strcmp(arg, "auto"))
			o->want_probe = FG_WANT_AUTO;
		else if (!strcmp(arg, "kfunc") || !strcmp(arg, "probe"))
			o->want_probe = !strcmp(arg, "probe");
		else
			return run_bad("ct way", arg);
		return 0;
	case RUN_LONG('L'):
		return fg_conf_parse_lookup(arg, &o->conf.lookup) ?
			       run_bad("offload lookup", arg) : 0;
	case RUN_LONG('N'):
		return fg_conf_parse_sample(arg, &o->conf.lookup_sample) ?
			       run_bad("lookup sample (a power of two, 1..65536)", arg) : 0;
	case RUN_LONG('R'):
		return fg_mark_parse_range(arg, 1, 65535, &o->conf.tc_priority) ?
			       run_bad("tc priority (1..65535)", arg) : 0;
	case 'p':
		return fg_conf_parse_policy(arg, &o->conf.policy) ?
			       run_bad("policy", arg) : 0;
	case 'd':
		return run_parse_u32("dedupe interval", arg, &o->conf.dedupe_ms);
	case 'r':
		return run_parse_u32("deletion cap", arg, &o->conf.max_deletes);
	case RUN_LONG('T'):
		o->mwan3_track_dir = arg;
		return 0;
	case 'e':
		o->conf.enforce = 1;
		return 0;
	}
	return -EINVAL;
}

static int run_take_config(void *ctx, int c, const char *arg)
{
	if (c == 'c')
		*(const char **)ctx = arg;
	return 0;
}

/* Two passes: the config file first, so command-line options win. */
static int run_parse(int argc, char **argv, struct fg_service_opts *o,
		     struct fg_common *common)
{
	const char *config = NULL;
	char err[256];
	int rc;

	rc = fg_opts_parse(&run_spec, argc, argv, common, run_take_config,
			   &config, NULL);
	if (rc)
		return rc;
	/* a file that cannot be read is a failure, a bad one a usage error */
	rc = config ? fg_conf_load_uci(&o->conf, config, err, sizeof(err)) : 0;
	if (rc) {
		fprintf(stderr, "flowguard run: %s\n", err);
		return rc;
	}
	rc = fg_opts_parse(&run_spec, argc, argv, common, run_apply, o, NULL);
	if (rc)
		return rc;
	if (fg_conf_validate(&o->conf, err, sizeof(err))) {
		fprintf(stderr, "flowguard run: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct fg_service_opts o = { .want_probe = FG_WANT_AUTO };
	struct fg_common common;
	int rc;

	fg_conf_defaults(&o.conf);
	rc = run_parse(argc, argv, &o, &common);
	if (rc)
		return fg_opts_exit(rc);
	o.want_ct = o.conf.mode == FG_MODE_AUTO ? FG_WANT_AUTO
						 : o.conf.mode == FG_MODE_CT;
	o.pin_dir = common.pin_dir;
	o.sock_path = common.sock;
	o.mwan3_config = common.mwan3_config;
	o.mwan3_mask_file = common.mwan3_mask_file;
	fg_common_log(&common);
	return fg_service_run(&o) ? FG_EXIT_FAIL : FG_EXIT_OK;
}
