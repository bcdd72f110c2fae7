// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_hook.c - what mwan3.user calls: `disconnected IFACE [DEVICE]`,
 * `connected IFACE [DEVICE]`, and `hook ACTION IFACE [DEVICE]` for every
 * mwan3 action. Asks the service; with none answering within 200 ms it
 * does the work itself. Hotplug waits for us: no step may block long.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "cmds.h"
#include "ctl.h"
#include "reset_disc.h"
#include "disconnect.h"
#include "log.h"

#define HOOK_SERVICE_TIMEOUT_MS 200
/* A live service that said "working on it" gets this long to finish. */
#define HOOK_SERVICE_WORK_MS 10000

struct hook_alone {
	const struct fg_common *common;
	struct fg_kick *kick;
};

static int alone_find_mark(void *ctx, struct fg_disc *d, char *err,
			   size_t len)
{
	const struct hook_alone *a = ctx;

	return fg_disc_mark_from_mwan3(d, a->common->mwan3_config,
				       a->common->mwan3_mask_file, err, len);
}

static int alone_set_guard(void *ctx, struct fg_disc *d, char *err,
			   size_t len)
{
	const struct hook_alone *a = ctx;

	return fg_disc_set_pinned(a->common->pin_dir, d, err, len);
}

/* One batch, no retry: hotplug is waiting for us. */
static int alone_per_flow(void *ctx, struct fg_disc *d, struct fg_ct *ct,
			  char *err, size_t len)
{
	struct hook_alone *a = ctx;
	struct fg_kick_flow *left;
	size_t nr_left;
	int rc;

	if (!a->kick)
		return 0;
	rc = fg_disc_kick(a->kick, ct, d, &left, &nr_left, err, len);
	free(left);
	return rc;
}

static const struct fg_disc_ops alone_ops = {
	.find_mark = alone_find_mark,
	.set_guard = alone_set_guard,
	.per_flow = alone_per_flow,
};

static void hook_report(const struct fg_common *c, const char *line)
{
	if (c->use_syslog)
		fg_info("%s", line);
	else
		printf("%s\n", line);
}

static int hook_alone(const struct fg_common *c, struct fg_disc *d)
{
	struct hook_alone a = { c, NULL };
	struct fg_ct *ct = NULL;
	char err[256] = "", line[512];
	int rc;

	if (fg_kick_open(&a.kick))
		a.kick = NULL;
	rc = fg_ct_open(&ct);
	if (rc)
		snprintf(err, sizeof(err), "conntrack netlink: %s",
			 strerror(-rc));
	else
		rc = fg_disc_run(d, &alone_ops, &a, ct, err, sizeof(err));
	fg_ct_close(ct);
	fg_kick_close(a.kick);
	if (rc) {
		fg_err("%s", err);
		return FG_EXIT_FAIL;
	}
	fg_disc_summary(d, line, sizeof(line));
	hook_report(c, line);
	return FG_EXIT_OK;
}

static int hook_do(const struct fg_common *c, enum fg_disc_event ev,
		   const char *iface, const char *device)
{
	struct fg_ctl_req req = { .magic = FG_CTL_MAGIC };
	struct fg_ctl_resp resp;
	char err[256];
	struct fg_disc d;
	int rc;

	if (fg_disc_init(&d, ev, iface, device, err, sizeof(err))) {
		fg_err("%s", err);
		return FG_EXIT_USAGE;
	}
	req.cmd = ev == FG_DISC_CONNECTED ? FG_CTL_CONNECTED
					  : FG_CTL_DISCONNECTED;
	snprintf(req.iface, sizeof(req.iface), "%s", d.iface);
	snprintf(req.device, sizeof(req.device), "%s", d.device);
	rc = fg_ctl_call(c->sock, &req, &resp, HOOK_SERVICE_TIMEOUT_MS,
			 HOOK_SERVICE_WORK_MS);
	if (rc == -EINPROGRESS) {
		/* it took the request: acting too would do it twice */
		fg_err("%s %s: the service took the request but has not finished within %d ms",
		       fg_disc_event_name(ev), d.iface, HOOK_SERVICE_WORK_MS);
		return FG_EXIT_FAIL;
	}
	if (rc) {
		fg_debug("service at %s: %s; acting alone", c->sock,
			 strerror(-rc));
		return hook_alone(c, &d);
	}
	if (resp.status) {
		fg_err("%s", resp.text);
		return FG_EXIT_FAIL;
	}
	hook_report(c, resp.text);
	return FG_EXIT_OK;
}

#define HOOK_SHARED \
	(FG_SH_SOCKET | FG_SH_PIN_DIR | FG_SH_MWAN3 | FG_SH_SYSLOG | FG_SH_VERBOSE)

static const struct fg_cmd_spec hook_specs[] = {
	[FG_DISC_DISCONNECTED] = {
		.name = "disconnected",
		.synopsis = "[OPTIONS] INTERFACE [DEVICE]",
		.shared = HOOK_SHARED,
		.min_args = 0, /* an empty interface gets its own message */
		.max_args = 2,
	},
	[FG_DISC_CONNECTED] = {
		.name = "connected",
		.synopsis = "[OPTIONS] INTERFACE [DEVICE]",
		.shared = HOOK_SHARED,
		.max_args = 2,
	},
};

static const struct fg_cmd_spec hook_spec = {
	.name = "hook",
	.synopsis = "[OPTIONS] ACTION INTERFACE [DEVICE]",
	.notes = "  ACTION: mwan3's (connected, disconnected act; ifup, ifdown,\n"
		 "  connecting, disconnecting, ifupdate are accepted and ignored)\n",
	.shared = HOOK_SHARED,
	.min_args = 1,
	.max_args = 3,
};

/* The first positional word's index, or fg_opts_parse()'s result (<= 1)
 * negated into -1 (help shown) or the error. */
static int hook_parse(const struct fg_cmd_spec *spec, int argc, char **argv,
		      struct fg_common *c)
{
	int first = 0, rc;

	rc = fg_opts_parse(spec, argc, argv, c, NULL, NULL, &first);
	if (rc)
		return rc == 1 ? -1 : rc;
	fg_common_log(c);
	return first;
}

static int hook_event_cmd(enum fg_disc_event ev, int argc, char **argv)
{
	struct fg_common c;
	int i = hook_parse(&hook_specs[ev], argc, argv, &c);

	if (i < 0)
		return fg_opts_exit(i == -1 ? 1 : i);
	return hook_do(&c, ev, i < argc ? argv[i] : NULL,
		       i + 1 < argc ? argv[i + 1] : NULL);
}

int cmd_disconnected(int argc, char **argv)
{
	return hook_event_cmd(FG_DISC_DISCONNECTED, argc, argv);
}

int cmd_connected(int argc, char **argv)
{
	return hook_event_cmd(FG_DISC_CONNECTED, argc, argv);
}

static const char *const hook_ignored[] = {
	"ifup", "ifdown", "connecting", "disconnecting", "ifupdate",
};

int cmd_hook(int argc, char **argv)
{
	const char *action, *iface;
	struct fg_common c;
	size_t k;
	int i = hook_parse(&hook_spec, argc, argv, &c);

	if (i < 0)
		return fg_opts_exit(i == -1 ? 1 : i);
	action = argv[i];
	iface = i + 1 < argc ? argv[i + 1] : "";
	if (!strcmp(action, "disconnected") || !strcmp(action, "connected"))
		return hook_do(&c, !strcmp(action, "connected") ?
			       FG_DISC_CONNECTED : FG_DISC_DISCONNECTED,
			       iface, i + 2 < argc ? argv[i + 2] : NULL);
	for (k = 0; k < sizeof(hook_ignored) / sizeof(hook_ignored[0]); k++)
		if (!strcmp(action, hook_ignored[k]))
			break;
	if (k == sizeof(hook_ignored) / sizeof(hook_ignored[0])) {
		fg_err("hook: unknown mwan3 action '%s'", action);
		return FG_EXIT_USAGE;
	}
	if (!*iface) {
		fg_err("hook %s: no interface given", action);
		return FG_EXIT_USAGE;
	}
	return FG_EXIT_OK;
}
