// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * svc_metrics.c - the service's counters in the Prometheus text format
 * (`flowguard metrics`, for a node exporter's textfile collector): per
 * device the guard's counters, the outcomes, client resets, each
 * uplink's state and last action. The command adds the entries per
 * uplink from its own dump (the service's loop never walks the table
 * for a scrape).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "prog.h"
#include "svc.h"
#include "svc_json.h"
#include "svc_metrics.h"

struct sm_counter {
	size_t idx; /* FG_COUNTER_INDEX(field) */
	const char *name, *help;
};

static const struct sm_counter sm_counters[] = {
	{ FG_COUNTER_INDEX(seen), "seen_packets", "packets that left the device" },
	{ FG_COUNTER_INDEX(no_ct), "no_ct_packets", "packets without a conntrack entry (ct mode)" },
	{ FG_COUNTER_INDEX(flagged), "flagged_packets", "packets whose mark does not belong there" },
	{ FG_COUNTER_INDEX(events), "events", "events sent to the service" },
	{ FG_COUNTER_INDEX(lost), "events_lost", "events lost (ring buffer full)" },
	{ FG_COUNTER_INDEX(unparsed), "unparsed_packets", "flagged packets that could not be parsed" },
	{ FG_COUNTER_INDEX(lookup), "lookups", "packets without an entry looked up or reported by tuple" },
	{ FG_COUNTER_INDEX(lookup_hits), "lookup_hits", "lookups that found the entry" },
};

#define SM_NR_COUNTERS (sizeof(sm_counters) / sizeof(sm_counters[0]))

static void sm_family(FILE *f, const char *name, const char *type,
		      const char *help)
{
	fprintf(f, "# HELP flowguard_%s %s\n# TYPE flowguard_%s %s\n", name,
		help, name, type);
}

/* A label value: backslash, quote and newline escaped, as the format
 * asks (a device name may hold any of them but '/' and ':'). */
static void sm_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* name{device="DEV"} */
static void sm_dev(FILE *f, const char *name, const char *dev)
{
	fprintf(f, "flowguard_%s{device=\"", name);
	sm_value(f, dev);
	fputs("\"} ", f);
}

/* Every device's value of one guard counter: one family. */
static void sm_device_counter(FILE *f, const struct fg_svc *s,
			      const struct fg_counters *c,
			      const struct sm_counter *k)
{
	char name[64];
	size_t i;

	snprintf(name, sizeof(name), "device_%s_total", k->name);
	sm_family(f, name, "counter", k->help);
	for (i = 0; i < s->up.nr_devs; i++) {
		sm_dev(f, name, s->up.devs[i].name);
		fprintf(f, "%llu\n", (unsigned long long)fg_counter_at(&c[i], k->idx));
	}
}

static void sm_devices(FILE *f, const struct fg_svc *s)
{
	struct fg_counters c[FG_MAX_UPLINKS]; /* 4 KiB */
	int fd = fg_prog_map_fd(s->prog, FG_MAP_COUNTERS);
	size_t i;

	for (i = 0; i < s->up.nr_devs; i++)
		if (fg_counters_read(fd, (uint32_t)i, &c[i]))
			memset(&c[i], 0, sizeof(c[i]));
	for (i = 0; i < SM_NR_COUNTERS; i++)
		sm_device_counter(f, s, c, &sm_counters[i]);
	sm_family(f, "device_attached", "gauge",
		  "1: the guard is attached to the device; 0: missing or not attached");
	for (i = 0; i < s->up.nr_devs; i++) {
		sm_dev(f, "device_attached", s->up.devs[i].name);
		fprintf(f, "%d\n", s->up.devs[i].ifindex && s->up.devs[i].attached);
	}
}

static void sm_uplinks(FILE *f, const struct fg_svc *s)
{
	size_t i;

	sm_family(f, "uplink_up", "gauge", "1: the uplink is up in the guard's table");
	for (i = 0; i < s->up.nr_ifaces; i++) {
		fprintf(f, "flowguard_uplink_up{uplink=\"%s\",mark=\"0x%x\",device=\"",
			s->up.ifaces[i].name, s->up.ifaces[i].mark);
		sm_value(f, s->up.devs[s->up.ifaces[i].dev].name);
		fprintf(f, "\"} %d\n", s->up.ifaces[i].up);
	}
	sm_family(f, "uplink_last_action_timestamp_seconds", "gauge",
		  "when the uplink's last disconnected/connected was handled");
	for (i = 0; i < s->up.nr_ifaces; i++)
		if (s->last[i].when)
			fprintf(f, "flowguard_uplink_last_action_timestamp_seconds{uplink=\"%s\",action=\"%s\"} %lld\n",
				s->up.ifaces[i].name,
				fg_disc_event_name(s->last[i].event),
				(long long)s->last[i].when);
	sm_family(f, "uplink_last_action_deleted_entries", "gauge",
		  "entries the uplink's last disconnected/connected deleted");
	for (i = 0; i < s->up.nr_ifaces; i++)
		if (s->last[i].when && s->last[i].deleted >= 0)
			fprintf(f, "flowguard_uplink_last_action_deleted_entries{uplink=\"%s\",action=\"%s\"} %lld\n",
				s->up.ifaces[i].name,
				fg_disc_event_name(s->last[i].event),
				s->last[i].deleted);
}

static void sm_outcomes(FILE *f, const struct fg_svc *s)
{
	const struct fg_svc_stats *st = &s->st;
	const struct {
		const char *name;
		uint64_t v;
	} o[] = {
		{ "deleted", st->deleted },     { "monitored", st->monitored },
		{ "gone", st->gone },	       { "remarked", st->remarked },
		{ "raced", st->raced },	       { "error", st->errors },
		{ "belonging", st->belonging },
	};
	size_t i;

	sm_family(f, "flow_events_total", "counter", "events from the guard");
	fprintf(f, "flowguard_flow_events_total %" PRIu64 "\n", st->events);
	sm_family(f, "flow_outcomes_total", "counter", "what was done with each flagged flow");
	for (i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		fprintf(f, "flowguard_flow_outcomes_total{outcome=\"%s\"} %" PRIu64 "\n",
			o[i].name, o[i].v);
	sm_family(f, "backlog_total", "counter", "deletions held back by the cap, and dropped");
	fprintf(f, "flowguard_backlog_total{what=\"held\"} %" PRIu64 "\n",
		(uint64_t)s->backlog.held_total);
	fprintf(f, "flowguard_backlog_total{what=\"dropped\"} %" PRIu64 "\n",
		(uint64_t)s->backlog.dropped_total);
	sm_family(f, "client_resets_total", "counter", "LAN clients reset");
	fprintf(f, "flowguard_client_resets_total{on=\"event\"} %" PRIu64 "\n", st->resets);
	fprintf(f, "flowguard_client_resets_total{on=\"disconnect\"} %" PRIu64 "\n",
		st->kick_answered + s->retry.answered);
	sm_family(f, "client_reset_failures_total", "counter",
		  "resets that failed, or hosts not in the neighbour table");
	fprintf(f, "flowguard_client_reset_failures_total{why=\"send\"} %" PRIu64 "\n",
		st->reset_fail);
	fprintf(f, "flowguard_client_reset_failures_total{why=\"unresolved\"} %" PRIu64 "\n",
		st->unresolved);
}

void fg_svc_metrics(struct fg_svc *s, struct fg_ctl_resp *resp)
{
	FILE *f = fg_svc_doc_open(resp);
	long long up = fg_svc_uptime_s();

	if (!f)
		return;
	sm_family(f, "service_up", "gauge", "1: a flowguard service answered");
	fprintf(f, "flowguard_service_up 1\n");
	if (up >= 0) {
		sm_family(f, "service_uptime_seconds", "gauge", "how long the service has run");
		fprintf(f, "flowguard_service_uptime_seconds %lld\n", up);
	}
	sm_uplinks(f, s);
	sm_devices(f, s);
	sm_outcomes(f, s);
	fg_svc_doc_close(f, resp);
}
