// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_run.c - `flowguard run`: options into a config, then the service. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "cmds.h"
#include "conf.h"
#include "log.h"
#include "mark.h"
#include "mwan3_auto.h"
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
		"      --mwan3              uplinks from mwan3's config, devices from netifd\n"
		"                           (ubus, else the network config); --uplink\n"
		"                           entries replace mwan3's of the same name\n"
		"      --network-config PATH  netifd's config (env FLOWGUARD_NETWORK_CONFIG,\n"
		"                           default /etc/config/network)\n"
		"      --dry-run            print the uplink table and exit\n"
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
	{ "mwan3", no_argument, NULL, 'A' },
	{ "network-config", required_argument, NULL, 'n' },
	{ "dry-run", no_argument, NULL, 'D' },
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

/* What `run` takes besides the service's options. */
struct run_extra {
	const char *network_config;
	int dry_run;
};

/* Options other than -c, applied on top of the config file. */
static int run_apply(struct fg_service_opts *o, struct fg_common *common,
		     struct run_extra *x, int c, const char *arg)
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
	case 'A':
		o->conf.mwan3 = 1;
		return 0;
	case 'n':
		x->network_config = arg;
		return 0;
	case 'D':
		x->dry_run = 1;
		return 0;
	}
	return -EINVAL;
}

/* Two passes: the config file first, so command-line options win. */
static int run_parse(int argc, char **argv, struct fg_service_opts *o,
		     struct fg_common *common, struct run_extra *x)
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
		if (c != 'c' && run_apply(o, common, x, c, optarg))
			return -EINVAL;
	return 0;
}

/* --mwan3: the table from mwan3 and netifd. */
static int run_mwan3(struct fg_service_opts *o, const struct fg_mwan3_auto *a,
		     struct fg_mwan3_table *t)
{
	char err[512];
	int rc = fg_mwan3_auto_build(a, t, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "flowguard run: %s\n", err);
		return rc == -ENOENT || rc == -EACCES ? rc : -EINVAL;
	}
	o->conf = t->conf;
	return 0;
}

/* One line per interface left out (debug for those mwan3 leaves out too),
 * once the table is good: a start that fails says one line. */
static void run_log_skipped(const struct fg_mwan3_table *t)
{
	size_t i;

	for (i = 0; i < t->nr_skipped; i++)
		fg_log(t->skipped_disabled[i] ? FG_LOG_DEBUG : FG_LOG_INFO,
		       "mwan3 interface %s: not guarded", t->skipped[i]);
}

/* --dry-run: the table as the service would start with it. */
static void run_print(const struct fg_conf *c, const struct fg_mwan3_table *t)
{
	size_t i;

	printf("mask 0x%x (%s)\n", c->mask,
	       t ? t->mask_src : "configured");
	for (i = 0; i < c->nr_uplinks; i++)
		printf("uplink %s: device %s mark 0x%x, policy %s%s (%s)\n",
		       c->uplinks[i].name, c->uplinks[i].device,
		       c->uplinks[i].mark,
		       fg_conf_policy_name(fg_conf_uplink_policy(c, i)),
		       fg_conf_uplink_enforce(c, i) ? ", enforce" : "",
		       t ? t->src[i] : "configured");
	for (i = 0; t && i < t->nr_skipped; i++)
		printf("skipped %s\n", t->skipped[i]);
}

/* After the options: the table (--mwan3), checked. */
static int run_finish(struct fg_service_opts *o, struct fg_mwan3_auto *a,
		      struct fg_mwan3_table **t)
{
	struct fg_conf *base;
	char err[256];
	int rc;

	if (o->conf.mwan3) {
		/* the options as given: every re-read starts from them */
		*t = calloc(1, sizeof(**t));
		base = calloc(1, sizeof(*base));
		a->base = base;
		if (!*t || !base)
			return -ENOMEM;
		*base = o->conf;
		rc = run_mwan3(o, a, *t);
		if (rc)
			return rc;
		o->mwan3_auto = a;
	}
	if (fg_conf_validate(&o->conf, err, sizeof(err))) {
		fprintf(stderr, "flowguard run: %s%s\n", err,
			o->conf.mwan3 && !o->conf.nr_uplinks ?
			" (mwan3 has no enabled interface with a known device; --dry-run says why)" : "");
		return -EINVAL;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct fg_service_opts o = { .want_probe = FG_WANT_AUTO };
	struct fg_mwan3_table *table = NULL;
	struct fg_mwan3_auto a = { 0 };
	struct run_extra x = { 0 };
	struct fg_common common;
	sigset_t hup;
	int rc;

	/* a reload's SIGHUP that comes before the service listens for it
	 * waits for it, rather than ending the process */
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, NULL);
	fg_conf_defaults(&o.conf);
	fg_common_init(&common);
	rc = run_parse(argc, argv, &o, &common, &x);
	if (!rc) {
		fg_common_log_at(&common, o.conf.log_level);
		a.mwan3_config = common.mwan3_config;
		a.mask_file = common.mwan3_mask_file;
		a.network_config = x.network_config;
		rc = run_finish(&o, &a, &table);
	}
	if (rc > 0)
		run_usage(stdout);
	if (!rc && x.dry_run) {
		run_print(&o.conf, table);
		rc = 1;
	} else if (!rc && table) {
		run_log_skipped(table);
	}
	if (rc) {
		free(table);
		free((void *)a.base);
		return rc > 0 ? FG_EXIT_OK :
		       rc == -EINVAL ? FG_EXIT_USAGE : FG_EXIT_FAIL;
	}
	o.want_ct = o.conf.mode == FG_MODE_AUTO ? FG_WANT_AUTO
						 : o.conf.mode == FG_MODE_CT;
	o.pin_dir = common.pin_dir;
	o.sock_path = common.sock;
	o.mwan3_config = common.mwan3_config;
	o.mwan3_mask_file = common.mwan3_mask_file;
	rc = fg_service_run(&o) ? FG_EXIT_FAIL : FG_EXIT_OK;
	free(table);
	free((void *)a.base);
	return rc;
}
