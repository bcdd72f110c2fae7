// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_metrics.c - `flowguard metrics`: the running service's counters
 * (asked over the control socket) and the conntrack entries per uplink
 * (one dump of our own), in the Prometheus text format, for a node
 * exporter's textfile collector or scripts/flowguard.lua. With no service
 * answering, flowguard_service_up is 0 and the entries still come.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd_verbs.h"
#include "cmds.h"
#include "ctl.h"
#include "log.h"

#define METRICS_TIMEOUT_MS 1000

static const struct fg_opt metrics_opts[] = {
	VERB_OPTS_TABLE,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct fg_cmd_spec metrics_spec = {
	.name = "metrics",
	.synopsis = "[OPTIONS]",
	.notes = "  Prometheus text format; exit status 1 when the table cannot be read\n"
		 "  (what could be read is printed all the same)\n",
	.shared = FG_SH_SOCKET | FG_SH_MWAN3 | FG_SH_VERBOSE,
	.opts = metrics_opts,
};

static void metrics_service(const struct fg_common *c)
{
	struct fg_ctl_req req = { .magic = FG_CTL_MAGIC, .cmd = FG_CTL_STATUS,
				  .flags = FG_CTL_F_METRICS };
	struct fg_ctl_resp resp;
	int rc;

	rc = fg_ctl_call(c->sock, &req, &resp, METRICS_TIMEOUT_MS,
			 METRICS_TIMEOUT_MS);
	if (!rc && !resp.status) {
		fputs(resp.text, stdout);
		return;
	}
	/* a service too old for metrics answers with an error: none either */
	fg_debug("no metrics from a service at %s: %s", c->sock,
		 rc ? strerror(-rc) : resp.text);
	printf("# HELP flowguard_service_up 1: a flowguard service answered\n"
	       "# TYPE flowguard_service_up gauge\nflowguard_service_up 0\n");
}

static void metrics_row(const char *labels, const struct verb_row *r)
{
	printf("flowguard_conntrack_entries{%s} %" PRIu64 "\n", labels,
	       r->entries);
}

static void metrics_entries(const struct verb_census *c, long long n,
			    long long max)
{
	const struct fg_marknames *t = &c->a->names;
	char labels[128];
	size_t i;
	int k;

	printf("# HELP flowguard_conntrack_entries conntrack entries by the uplink (or class) of their mark\n"
	       "# TYPE flowguard_conntrack_entries gauge\n");
	for (i = 0; i < t->nr; i++) {
		snprintf(labels, sizeof(labels),
			 "class=\"uplink\",uplink=\"%s\",mark=\"0x%x\"",
			 t->up[i].name, t->up[i].mark);
		metrics_row(labels, &c->up[i]);
	}
	for (k = FG_MC_UNMARKED; k < FG_MC_NR; k++) {
		snprintf(labels, sizeof(labels), "class=\"%s\"",
			 fg_mark_class_name(k));
		metrics_row(labels, &c->cls[k]);
	}
	if (n >= 0)
		printf("# HELP flowguard_conntrack_count nf_conntrack_count\n"
		       "# TYPE flowguard_conntrack_count gauge\n"
		       "flowguard_conntrack_count %lld\n", n);
	if (max > 0)
		printf("# HELP flowguard_conntrack_max nf_conntrack_max\n"
		       "# TYPE flowguard_conntrack_max gauge\n"
		       "flowguard_conntrack_max %lld\n", max);
}

int cmd_metrics(int argc, char **argv)
{
	struct verb_census c = { 0 };
	struct verb_args a = { 0 };
	int rc;

	rc = verb_prepare(&a, &metrics_spec, argc, argv);
	if (rc)
		return fg_opts_exit(rc);
	metrics_service(&a.common);
	rc = verb_census(&a, &c);
	if (!rc)
		metrics_entries(&c, verb_nf_sysctl("nf_conntrack_count"),
				verb_nf_sysctl("nf_conntrack_max"));
	if (fflush(stdout) && !rc)
		rc = -EIO;
	return rc ? verb_dump_failed(&a, rc) : FG_EXIT_OK;
}
