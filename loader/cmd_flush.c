// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_flush.c - `flowguard flush --iface IFACE | --mark MARK[/MASK]
 * [--family 4|6|all] [--dry-run]`: the operator's selective flush, with
 * the same seatbelts as the disconnect (no reserved marks, ever).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_common.h"
#include "cmds.h"
#include "ct.h"
#include "disconnect.h"
#include "flush.h"
#include "json.h"
#include "log.h"
#include "mark.h"
#include "mwan3_conf.h"

struct flush_args {
	struct fg_common common;
	const char *iface;
	const char *mark;
	uint8_t family;
	int dry_run;
};

static const struct fg_opt flush_opts[] = {
	{ "iface", 'i', required_argument, "IFACE",
	  "the mwan3 interface whose mark to flush" },
	{ "mark", 'm', required_argument, "MARK[/MASK]",
	  "a mark (MASK: mwan3's, default 0x3f00)" },
	{ "family", 'f', required_argument, "4|6|all", "default all" },
	{ "dry-run", 'n', no_argument, NULL,
	  "count the matching entries, delete nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct fg_cmd_spec flush_spec = {
	.name = "flush",
	.synopsis = "(--iface IFACE | --mark MARK[/MASK]) [OPTIONS]",
	.shared = FG_SH_MWAN3 | FG_SH_SYSLOG | FG_SH_VERBOSE | FG_SH_JSON,
	.opts = flush_opts,
};

static int flush_apply(void *ctx, int key, const char *arg)
{
	struct flush_args *a = ctx;

	switch (key) {
	case 'i':
		a->iface = arg;
		return 0;
	case 'm':
		a->mark = arg;
		return 0;
	case 'n':
		a->dry_run = 1;
		return 0;
	case 'f':
		return fg_opts_family(arg, &a->family) ?
			       fg_opts_bad(&flush_spec, "family", arg) : 0;
	}
	return -EINVAL;
}

/* 1: help shown; 0: parsed; <0: usage error (already said). */
static int flush_parse(int argc, char **argv, struct flush_args *a)
{
	int rc = fg_opts_parse(&flush_spec, argc, argv, &a->common,
			       flush_apply, a, NULL);

	if (rc)
		return rc;
	if (!a->iface == !a->mark) {
		fprintf(stderr,
			"flowguard flush: give exactly one of --iface or --mark\n");
		return -EINVAL;
	}
	if (a->common.json && !a->dry_run) {
		fprintf(stderr, "flowguard flush: --json goes with --dry-run only\n");
		return -EINVAL;
	}
	fg_common_log(&a->common);
	return 0;
}

/* mwan3's running mask when its config is there, else the default. */
static uint32_t flush_default_mask(const struct flush_args *a)
{
	struct fg_mwan3 m;
	char err[256];

	if (fg_mwan3_load(a->common.mwan3_config ? a->common.mwan3_config
						  : FG_MWAN3_CONFIG_PATH,
			  a->common.mwan3_mask_file ? a->common.mwan3_mask_file
						     : FG_MWAN3_MASK_CACHE_PATH,
			  &m, err, sizeof(err)))
		return FG_MWAN3_DEFAULT_MASK;
	return m.mask;
}

static int flush_target(const struct flush_args *a, uint32_t *mark,
			uint32_t *mask, char *err, size_t errlen)
{
	struct fg_disc d;
	int has_mask = 0, rc;

	if (a->mark) {
		*mask = flush_default_mask(a);
		if (fg_mark_parse_pair(a->mark, mark, mask, &has_mask)) {
			snprintf(err, errlen, "invalid mark '%s'", a->mark);
			return -EINVAL;
		}
		return fg_flush_check(*mark, *mask, err, errlen);
	}
	rc = fg_disc_init(&d, FG_DISC_DISCONNECTED, a->iface, NULL, err,
			  errlen);
	if (!rc)
		rc = fg_disc_mark_from_mwan3(&d, a->common.mwan3_config,
					     a->common.mwan3_mask_file, err,
					     errlen);
	*mark = d.mark;
	*mask = d.mask;
	return rc ? rc : fg_flush_check(*mark, *mask, err, errlen);
}

static void flush_dry_json(const struct flush_args *a, uint32_t mark,
			   uint32_t mask, uint64_t n)
{
	printf("{\"dry_run\":true,");
	if (a->iface) {
		printf("\"uplink\":");
		fg_json_str(stdout, a->iface);
		printf(",");
	}
	printf("\"mark\":%u,\"mask\":%u,\"family\":\"%s\",\"entries\":%llu}\n",
	       mark, mask,
	       a->family == AF_INET ? "4" : a->family == AF_INET6 ? "6" : "all",
	       (unsigned long long)n);
}

static int flush_do(const struct flush_args *a, struct fg_ct *ct,
		    uint32_t mark, uint32_t mask, char *err, size_t errlen)
{
	struct fg_flush_result r;
	uint64_t n = 0;
	int rc;

	if (a->dry_run) {
		rc = fg_ct_count(ct, a->family, mark, mask, &n);
		if (rc)
			snprintf(err, errlen, "conntrack dump: %s", strerror(-rc));
		else if (a->common.json)
			flush_dry_json(a, mark, mask, n);
		else
			printf("mark 0x%x/0x%x: %llu entries match; dry run, nothing deleted\n",
			       mark, mask, (unsigned long long)n);
		return rc;
	}
	rc = fg_flush_mark(ct, a->family, mark, mask, &r, err, errlen);
	if (!rc)
		printf("mark 0x%x/0x%x: about %lld entries deleted (table size change, approximate)\n",
		       mark, mask, fg_flush_approx(&r));
	return rc;
}

int cmd_flush(int argc, char **argv)
{
	struct flush_args a = { .family = AF_UNSPEC };
	struct fg_ct *ct = NULL;
	uint32_t mark = 0, mask = 0;
	char err[256] = "";
	int rc;

	rc = flush_parse(argc, argv, &a);
	if (rc)
		return fg_opts_exit(rc);
	rc = flush_target(&a, &mark, &mask, err, sizeof(err));
	if (!rc) {
		rc = fg_ct_open(&ct);
		if (rc)
			snprintf(err, sizeof(err), "conntrack netlink: %s",
				 strerror(-rc));
	}
	if (!rc)
		rc = flush_do(&a, ct, mark, mask, err, sizeof(err));
	fg_ct_close(ct);
	if (rc) {
		fg_err("flush: %s", err);
		return FG_EXIT_FAIL;
	}
	return FG_EXIT_OK;
}
