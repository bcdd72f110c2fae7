// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_run.c - `flowguard run`: options into a config, then the service. */
#include <errno.h>
#include <getopt.h>
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

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: flowguard run [OPTIONS]\n"
		"  -c, --config FILE        UCI config (/etc/config/flowguard format)\n"
		"  -u, --uplink NAME:DEV:MARK  an mwan3 interface, its device and mark\n"
		"                           (repeatable; several NAMEs may share a DEV)\n"
		"  -m, --mask MASK          mwan3 mmx_mask (default 0x3f00)\n"
		"  -M, --mode MODE          auto|ct|skbmark (default auto)\n"
		"      --ct-way WAY         auto|kfunc|probe: how ct mode reads the entry\n"
		"      --offload-lookup L   auto|on|off: ct mode looks up the entry of\n"
		"                           packets that carry none (flow offload)\n"
		"      --lookup-sample N    on devices whose uplinks are all up, look up\n"
		"                           one such packet in N (power of two, default 16)\n"
		"      --tc-priority N      tc pref of our egress filter (default 1: first)\n"
		"  -p, --policy POLICY      reset|delete|monitor (default reset: delete the\n"
		"                           entry and reset its TCP client; per uplink:\n"
		"                           --uplink NAME:DEV:MARK:POLICY)\n"
		"  -e, --enforce            drop flagged packets at egress\n"
		"  -d, --dedupe-ms MS       one event per flow per MS (default 1000)\n"
		"  -r, --max-deletes N      deletions per second (default 1000)\n"
		"      --mwan3-track-dir DIR   mwan3track's status (default /var/run/mwan3track)\n"
		FG_COMMON_USAGE
		"  -h, --help\n");
}

static const struct option run_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "uplink", required_argument, NULL, 'u' },
	{ "mask", required_argument, NULL, 'm' },
	{ "mode", required_argument, NULL, 'M' },
	{ "ct-way", required_argument, NULL, 'W' },
	{ "offload-lookup", required_argument, NULL, 'L' },
	{ "lookup-sample", required_argument, NULL, 'N' },
	{ "tc-priority", required_argument, NULL, 'R' },
	{ "policy", required_argument, NULL, 'p' },
	{ "enforce", no_argument, NULL, 'e' },
	{ "dedupe-ms", required_argument, NULL, 'd' },
	{ "max-deletes", required_argument, NULL, 'r' },
	{ "mwan3-track-dir", required_argument, NULL, 'T' },
	FG_COMMON_LONG,
	{ "help", no_argument, NULL, 'h' },
	{}
};

#define RUN_SHORT "c:u:m:M:p:ed:r:h" FG_COMMON_SHORT

static int run_bad(const char *what, const char *arg)
{
	fprintf(stderr, "flowguard run: invalid %s '%s'\n", what, arg);
	return -EINVAL;
}

static int run_parse_u32(const char *what, const char *arg, uint32_t *out)
{
	return fg_mark_parse_u32(arg, out) ? run_bad(what, arg) : 0;
}

/* Options other than -c, applied on top of the config file. */
static int run_apply(struct fg_service_opts *o, struct fg_common *common,
		     int c, const char *arg)
{
	char err[256];

	if (fg_common_opt(common, c, arg))
		return 0;
	switch (c) {
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
	case 'W':
		if (!strcmp(arg, "auto"))
			o->want_probe = FG_WANT_AUTO;
		else if (!strcmp(arg, "kfunc") || !strcmp(arg, "probe"))
			o->want_probe = !strcmp(arg, "probe");
		else
			return run_bad("ct way", arg);
		return 0;
	case 'L':
		return fg_conf_parse_lookup(arg, &o->conf.lookup) ?
			       run_bad("offload lookup", arg) : 0;
	case 'N':
		return fg_conf_parse_sample(arg, &o->conf.lookup_sample) ?
			       run_bad("lookup sample (a power of two, 1..65536)", arg) : 0;
	case 'R':
		return fg_mark_parse_range(arg, 1, 65535, &o->conf.tc_priority) ?
			       run_bad("tc priority (1..65535)", arg) : 0;
	case 'p':
		return fg_conf_parse_policy(arg, &o->conf.policy) ?
			       run_bad("policy", arg) : 0;
	case 'd':
		return run_parse_u32("dedupe interval", arg, &o->conf.dedupe_ms);
	case 'r':
		return run_parse_u32("deletion cap", arg, &o->conf.max_deletes);
	case 'T':
		o->mwan3_track_dir = arg;
		return 0;
	case 'e':
		o->conf.enforce = 1;
		return 0;
	}
	return -EINVAL;
}

/* Two passes: the config file first, so command-line options win. */
static int run_parse(int argc, char **argv, struct fg_service_opts *o,
		     struct fg_common *common)
{
	const char *config = NULL;
	char err[256];
	int c;

	opterr = 1;
	while ((c = getopt_long(argc, argv, RUN_SHORT, run_opts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?')
			return -EINVAL;
		if (c == 'c')
			config = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "flowguard run: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	/* a file that cannot be read is a failure, a bad one a usage error */
	c = config ? fg_conf_load_uci(&o->conf, config, err, sizeof(err)) : 0;
	if (c) {
		fprintf(stderr, "flowguard run: %s\n", err);
		return c;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, RUN_SHORT, run_opts, NULL)) != -1)
		if (c != 'c' && run_apply(o, common, c, optarg))
			return -EINVAL;
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
	fg_common_init(&common);
	rc = run_parse(argc, argv, &o, &common);
	if (rc > 0)
		run_usage(stdout);
	if (rc)
		return rc > 0 ? FG_EXIT_OK :
		       rc == -EINVAL ? FG_EXIT_USAGE : FG_EXIT_FAIL;
	o.want_ct = o.conf.mode == FG_MODE_AUTO ? FG_WANT_AUTO
						 : o.conf.mode == FG_MODE_CT;
	o.pin_dir = common.pin_dir;
	o.sock_path = common.sock;
	o.mwan3_config = common.mwan3_config;
	o.mwan3_mask_file = common.mwan3_mask_file;
	fg_common_log(&common);
	return fg_service_run(&o) ? FG_EXIT_FAIL : FG_EXIT_OK;
}
