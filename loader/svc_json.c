// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * svc_json.c - `flowguard status --json`: what the text status says, as
 * one JSON document (docs/json.md), written into the answer through a
 * memory stream. A document that does not fit is an error, never cut.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "json.h"
#include "nftflow.h"
#include "prog.h"
#include "reset_kick.h"
#include "svc.h"
#include "svc_json.h"
#include "svc_log.h"
#include "svc_tc.h"

static const char *sj_bool(int v)
{
	return v ? "true" : "false";
}

/* The uplink's last action; absent before the first. */
static void sj_last(FILE *f, const struct fg_svc_last *l)
{
	if (!l->when)
		return;
	fprintf(f, ",\"last\":{\"event\":\"%s\",\"time\":%lld,\"ok\":%s,\"alone\":%s",
		fg_disc_event_name(l->event), (long long)l->when,
		sj_bool(!l->failed), sj_bool(l->alone));
	if (l->deleted >= 0)
		fprintf(f, ",\"deleted\":%lld", l->deleted);
	fputc('}', f);
}

static void sj_uplinks(FILE *f, const struct fg_svc *s)
{
	size_t i;

	fprintf(f, "\"uplinks\":[");
	for (i = 0; i < s->up.nr_ifaces; i++) {
		const struct fg_iface *u = &s->up.ifaces[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		fg_json_str(f, u->name);
		fprintf(f, ",\"device\":");
		fg_json_str(f, s->up.devs[u->dev].name);
		fprintf(f, ",\"mark\":%u,\"up\":%s,\"policy\":\"%s\",\"enforce\":%s,\"device_present\":%s",
			u->mark, sj_bool(u->up), fg_conf_policy_name(u->policy),
			sj_bool(u->enforce), sj_bool(s->up.devs[u->dev].ifindex));
		sj_last(f, &s->last[i]);
		fputc('}', f);
	}
	fprintf(f, "],");
}

static void sj_device(FILE *f, struct fg_svc *s, size_t i,
		      const struct fg_counters *c, const struct fg_nftflows *ft)
{
	const struct fg_dev *d = &s->up.devs[i];
	char desc[128];
	size_t k;

	fprintf(f, "%s{\"name\":", i ? "," : "");
	fg_json_str(f, d->name);
	fprintf(f, ",\"present\":%s", sj_bool(d->ifindex));
	if (d->ifindex)
		fprintf(f, ",\"ifindex\":%d,\"l2_len\":%u,\"attached\":%s",
			d->ifindex, d->l2_len, sj_bool(d->attached));
	fprintf(f, ",\"flowtable\":\"%s\"", fg_svc_tc_flowtable(ft, d->name));
	if (d->ifindex && fg_svc_tc_first(s, i, desc, sizeof(desc)) == 1) {
		fprintf(f, ",\"filter_before\":");
		fg_json_str(f, desc);
	}
	fprintf(f, ",\"counters\":{");
	for (k = 0; k < FG_NR_COUNTERS; k++)
		fprintf(f, "%s\"%s\":%llu", k ? "," : "", fg_counter_names[k],
			(unsigned long long)fg_counter_at(c, k));
	fprintf(f, "}}");
}

static void sj_devices(FILE *f, struct fg_svc *s)
{
	int fd = fg_prog_map_fd(s->prog, FG_MAP_COUNTERS);
	struct fg_nftflows *ft = fg_svc_tc_flowtables();
	struct fg_counters c;
	size_t i;

	fprintf(f, "\"offloaded_packets\":\"%s\",\"devices\":[",
		fg_prog_offload_view(fg_prog_kind(s->prog)));
	for (i = 0; i < s->up.nr_devs; i++) {
		if (fg_counters_read(fd, (uint32_t)i, &c))
			memset(&c, 0, sizeof(c));
		sj_device(f, s, i, &c, ft);
	}
	fprintf(f, "],");
	free(ft);
}

static void sj_stats(FILE *f, const struct fg_svc *s)
{
	const struct fg_svc_stats *st = &s->st;

	fprintf(f, "\"events\":{\"total\":%" PRIu64 ",\"deleted\":%" PRIu64
		   ",\"monitored\":%" PRIu64 ",\"gone\":%" PRIu64
		   ",\"remarked\":%" PRIu64 ",\"raced\":%" PRIu64
		   ",\"errors\":%" PRIu64 ",\"held\":%" PRIu64
		   ",\"dropped\":%" PRIu64 ",\"belonging\":%" PRIu64 "},",
		st->events, st->deleted, st->monitored, st->gone, st->remarked,
		st->raced, st->errors, (uint64_t)s->backlog.held_total,
		(uint64_t)s->backlog.dropped_total, st->belonging);
	fprintf(f, "\"resets\":{\"on_events\":%" PRIu64 ",\"failed\":%" PRIu64
		   ",\"sent_again\":%" PRIu64 ",\"kicked\":%" PRIu64
		   ",\"answered\":%" PRIu64 ",\"retried\":%" PRIu64
		   ",\"unresolved\":%" PRIu64 ",\"batches_in_flight\":%zu"
		   ",\"rounds_in_flight\":%zu},",
		st->resets, st->reset_fail, st->rereset, st->kicked,
		st->kick_answered + s->retry.answered, s->retry.retried,
		st->unresolved, fg_kick_in_flight(s->kick), s->rounds);
	fprintf(f, "\"hook_requests\":{\"carried_out\":%" PRIu64
		   ",\"acted_alone\":%" PRIu64 ",\"refused\":%" PRIu64 "},",
		st->ctl_acted, st->ctl_given_up, st->ctl_refused);
	fprintf(f, "\"log\":{\"lines\":%" PRIu64 ",\"left_out\":%" PRIu64
		   ",\"per_second\":%d},",
		(uint64_t)s->log.lines, (uint64_t)s->log.left_out_total,
		FG_SVC_LOG_PER_SEC);
	fprintf(f, "\"dedupe_map\":{\"left\":%u,\"swept\":%" PRIu64
		   ",\"sweeps\":%" PRIu64 "},",
		s->sweep.left, s->sweep.removed, s->sweep.sweeps);
	fprintf(f, "\"sock_destroy\":%s", sj_bool(s->can_destroy));
}

FILE *fg_svc_doc_open(struct fg_ctl_resp *resp)
{
	FILE *f = fmemopen(resp->text, sizeof(resp->text), "w");

	if (!f) {
		resp->status = -errno;
		snprintf(resp->text, sizeof(resp->text), "status: %s\n",
			 strerror(errno));
	}
	return f;
}

void fg_svc_doc_close(FILE *f, struct fg_ctl_resp *resp)
{
	long len;

	fflush(f);
	len = ftell(f);
	fclose(f);
	if (len < 0 || (size_t)len >= sizeof(resp->text) - 1) {
		resp->status = -E2BIG;
		snprintf(resp->text, sizeof(resp->text),
			 "status: the document is longer than the answer (%zu bytes)\n",
			 sizeof(resp->text));
	}
}

void fg_svc_status_json(struct fg_svc *s, struct fg_ctl_resp *resp)
{
	FILE *f = fg_svc_doc_open(resp);
	char features[160];
	long long up = fg_svc_uptime_s();

	if (!f)
		return;
	fprintf(f, "{\"mode\":\"%s\",\"policy\":\"%s\",\"mask\":%u,",
		fg_prog_kind_name(fg_prog_kind(s->prog)),
		fg_conf_policy_name(s->opts->conf.policy), s->up.mask);
	if (up >= 0)
		fprintf(f, "\"uptime_s\":%lld,", up);
	fg_svc_features(fg_prog_kind(s->prog), s->can_destroy, features,
			sizeof(features));
	fprintf(f, "\"features\":\"%s\",", features);
	sj_uplinks(f, s);
	sj_devices(f, s);
	sj_stats(f, s);
	fprintf(f, "}\n");
	fg_svc_doc_close(f, resp);
}
