// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_run.c - `flowguard run`: options into a config, then the service. */
#include <errno.h>
#include <getopt.h> /* required_argument */
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
	{ "mwan3", FG_OPT_LONG_ONLY + 'A', no_argument, NULL,
	  "uplinks from mwan3's config, devices from netifd\n"
	  "(ubus, else the network config); --uplink\n"
	  "entries replace mwan3's of the same name" },
	{ "network-config", FG_OPT_LONG_ONLY + 'n', required_argument, "PATH",
	  "netifd's config (env FLOWGUARD_NETWORK_CONFIG,\n"
	  "default /etc/config/network)" },
	{ "dry-run", FG_OPT_LONG_ONLY + 'D', no_argument, NULL,
	  "print the uplink table and exit" },
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

/* What `run` takes besides the service's options. */
struct run_extra {
	const char *network_config;
	int dry_run;
};

struct run_ctx {
	struct fg_service_opts *o;
	struct run_extra *x;
};

/* Options other than -c, applied on top of the config file. */
static int run_apply(void *ctx, int c, const char *arg)
{
	struct fg_service_opts *o = ((struct run_ctx *)ctx)->o;
	struct run_extra *x = ((struct run_ctx *)ctx)->x;
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
	case RUN_LONG('A'):
		o->conf.mwan3 = 1;
		return 0;
	case RUN_LONG('n'):
		x->network_config = arg;
		return 0;
	case RUN_LONG('D'):
		x->dry_run = 1;
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
		     struct fg_common *common, struct run_extra *x)
{
	struct run_ctx ctx = { o, x };
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
	return fg_opts_parse(&run_spec, argc, argv, common, run_apply, &ctx,
			     NULL);
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
	rc = run_parse(argc, argv, &o, &common, &x);
	if (!rc) {
		fg_common_log_at(&common, o.conf.log_level);
		a.mwan3_config = common.mwan3_config;
		a.mask_file = common.mwan3_mask_file;
		a.network_config = x.network_config;
		rc = run_finish(&o, &a, &table);
	}
	if (!rc && x.dry_run) {
		run_print(&o.conf, table);
		rc = 1;
	} else if (!rc && table) {
		run_log_skipped(table);
	}
	if (rc) {
		free(table);
		free((void *)a.base);
		return fg_opts_exit(rc);
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
