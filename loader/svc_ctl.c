// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* svc_ctl.c - the service's answers to control requests. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "conf.h"
#include "counters.h"
#include "reset_disc.h"
#include "disconnect.h"
#include "reset_kick.h"
#include "log.h"
#include "prog.h"
#include "svc.h"
#include "svc_links.h"
#include "svc_mode.h"
#include "svc_reload.h"
#include "svc_json.h"
#include "svc_metrics.h"
#include "svc_tc.h"

struct fg_text {
	char *buf;
	size_t len, off;
};

static void fg_text_add(struct fg_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fg_text_add(struct fg_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->off >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->off, t->len - t->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->off += (size_t)n;
}

/* A text too long for the answer ends in a line that says so. */
static void fg_text_cut_mark(struct fg_text *t)
{
	static const char cut[] = "\n[cut: status longer than the answer]\n";

	if (t->off >= t->len)
		memcpy(t->buf + t->len - sizeof(cut), cut, sizeof(cut));
}

/* Per device: the guard's counters; then what offloaded packets mean
 * here (flowtable on the device, what this mode does with them); then a
 * warning when another filter runs before ours on its egress; then where
 * it is now (its ifindex changes when the device is re-created). */
static void fg_status_device(struct fg_svc *s, struct fg_text *t, size_t i,
			     const struct fg_counters *c,
			     const struct fg_nftflows *ft)
{
	const struct fg_dev *d = &s->up.devs[i];
	const char *name = d->name;
	char desc[128];

	if (!d->ifindex) {
		fg_text_add(t, "device %s: missing (guarded once it appears)\n",
			    name);
		return;
	}
	fg_text_add(t,
		    "device %s: seen %llu no-ct %llu flagged %llu events %llu lost %llu unparsed %llu lookup %llu lookup-hits %llu\n",
		    name, (unsigned long long)c->seen,
		    (unsigned long long)c->no_ct,
		    (unsigned long long)c->flagged,
		    (unsigned long long)c->events,
		    (unsigned long long)c->lost,
		    (unsigned long long)c->unparsed,
		    (unsigned long long)c->lookup,
		    (unsigned long long)c->lookup_hits);
	fg_text_add(t, "  flowtable %s; offloaded packets %s\n",
		    fg_svc_tc_flowtable(ft, name),
		    fg_prog_offload_view(fg_prog_kind(s->prog)));
	if (fg_svc_tc_first(s, i, desc, sizeof(desc)) == 1)
		fg_text_add(t, "  WARNING: %s runs before ours (pref %u)\n",
			    desc, s->opts->conf.tc_priority);
	fg_text_add(t, "  ifindex %d, L2 header %u bytes, %s\n", d->ifindex,
		    d->l2_len, d->attached ? "attached" : "NOT attached");
}

static void fg_status_devices(struct fg_svc *s, struct fg_text *t)
{
	int fd = fg_prog_map_fd(s->prog, FG_MAP_COUNTERS);
	struct fg_nftflows *ft = fg_svc_tc_flowtables();
	struct fg_counters c;
	size_t i;

	for (i = 0; i < s->up.nr_devs; i++) {
		if (fg_counters_read(fd, (uint32_t)i, &c))
			memset(&c, 0, sizeof(c));
		fg_status_device(s, t, i, &c, ft);
	}
	free(ft);
}

static void fg_ctl_status(struct fg_svc *s, struct fg_ctl_resp *resp)
{
	struct fg_text t = { resp->text, sizeof(resp->text), 0 };
	const struct fg_svc_stats *st = &s->st;
	char why[256];
	size_t i;

	char line[160];

	fg_text_add(&t, "mode %s (%s), policy %s, mask 0x%x\n",
		    fg_prog_kind_name(fg_prog_kind(s->prog)),
		    fg_svc_mode_why(s->opts, fg_prog_kind(s->prog), why,
				    sizeof(why)),
		    fg_conf_policy_name(s->opts->conf.policy), s->up.mask);
	fg_svc_features(fg_prog_kind(s->prog), s->can_destroy, line,
			sizeof(line));
	fg_text_add(&t, "up %lld s; kernel features in use: %s\n",
		    fg_svc_uptime_s(), line);
	for (i = 0; i < s->up.nr_ifaces; i++) {
		const struct fg_iface *f = &s->up.ifaces[i];

		fg_text_add(&t, "uplink %s: device %s mark 0x%x %s, policy %s%s%s\n",
			    f->name, s->up.devs[f->dev].name, f->mark,
			    f->up ? "up" : "down", fg_conf_policy_name(f->policy),
			    f->enforce ? ", enforce" : "",
			    s->up.devs[f->dev].ifindex ? "" : ", device missing");
		fg_svc_last_fmt(&s->last[i], line, sizeof(line));
		if (line[0])
			fg_text_add(&t, "  last: %s\n", line);
	}
	fg_status_devices(s, &t);
	fg_text_add(&t,
		    "events %" PRIu64 ": deleted %" PRIu64 " monitored %" PRIu64
		    " gone %" PRIu64 " remarked %" PRIu64 " raced %" PRIu64
		    " errors %" PRIu64 "; held %" PRIu64 " dropped %" PRIu64
		    "; kept (belong there now) %" PRIu64 "\n",
		    st->events, st->deleted, st->monitored, st->gone,
		    st->remarked, st->raced, st->errors,
		    s->backlog.held_total, s->backlog.dropped_total,
		    st->belonging);
	fg_text_add(&t,
		    "client resets: %" PRIu64 " on events (%" PRIu64 " failed); "
		    "RSTs sent again to hosts that acked on %" PRIu64 "; "
		    "disconnect kicks %" PRIu64 ", answered %" PRIu64
		    ", retried %" PRIu64 "; hosts not in the neighbour table %"
		    PRIu64 "\n",
		    st->resets, st->reset_fail, st->rereset, st->kicked,
		    st->kick_answered + s->retry.answered, s->retry.retried,
		    st->unresolved);
	fg_text_add(&t, "resets in flight: %zu batches (%zu of event rounds)\n",
		    fg_kick_in_flight(s->kick), s->rounds);
	fg_text_add(&t,
		    "hook requests: %" PRIu64 " carried out, %" PRIu64
		    " acted on alone by their command (late), %" PRIu64
		    " refused\n",
		    st->ctl_acted, st->ctl_given_up, st->ctl_refused);
	fg_text_add(&t,
		    "log: %" PRIu64 " stale-flow lines written, %" PRIu64
		    " left out by the limit (%d a second)\n",
		    s->log.lines, s->log.left_out_total, FG_SVC_LOG_PER_SEC);
	fg_text_add(&t,
		    "dedupe map: %u entries kept by the last sweep; %" PRIu64
		    " expired entries swept in %" PRIu64 " sweeps\n",
		    s->sweep.left, s->sweep.removed, s->sweep.sweeps);
	fg_text_add(&t, "router's own sockets: %s\n",
		    s->can_destroy ? "destroyed through sock_diag"
				   : "cannot be destroyed: the kernel lacks "
				     "CONFIG_INET_DIAG_DESTROY");
	fg_text_cut_mark(&t);
	resp->values[0] = st->events;
	resp->values[1] = st->deleted;
	resp->values[2] = st->monitored;
	resp->values[3] = st->gone + st->remarked + st->raced;
	resp->values[4] = st->errors;
}

/* One disconnected/connected being carried out: its stage 3 may wait
 * for the clients' answers in the loop, and the command for the answer. */
struct fg_svc_act {
	struct fg_svc *s;
	int cfd;
	struct fg_disc d;
	uint64_t t0_ns;
};

/* Stage 1: our own table first; an interface it lacks must not stop the
 * flush, so mwan3's config answers for those. */
static int svc_find_mark(void *ctx, struct fg_disc *d, char *err, size_t len)
{
	struct fg_svc *s = ((struct fg_svc_act *)ctx)->s;
	struct fg_iface *f = fg_uplinks_find(&s->up, d->iface);
	char why[64];

	/* with --mwan3, an interface we lack may be new in mwan3's config */
	snprintf(why, sizeof(why), "a hook named %s", d->iface);
	if (!f && fg_svc_reload(s, why) > 0)
		f = fg_uplinks_find(&s->up, d->iface);
	if (!f)
		return fg_disc_mark_from_mwan3(d, s->opts->mwan3_config,
					       s->opts->mwan3_mask_file, err,
					       len);
	d->mark = f->mark;
	d->mask = s->up.mask;
	d->mark_src = "service table";
	return 0;
}

/* Stage 2: from now on the guard flags this mark wherever it leaves. */
static int svc_set_guard(void *ctx, struct fg_disc *d, char *err, size_t len)
{
	struct fg_svc *s = ((struct fg_svc_act *)ctx)->s;
	struct fg_iface *f = fg_uplinks_find(&s->up, d->iface);
	int was_up, rc;

	if (!f) {
		d->guard = "not guarded by the service";
		return 0;
	}
	was_up = f->up;
	f->up = d->event == FG_DISC_CONNECTED;
	rc = fg_svc_uplinks_sync(s);
	if (rc) {
		snprintf(err, len, "uplink table: %s", strerror(-rc));
		return rc;
	}
	/* synced all the same (every device's entry is rewritten from the
	 * table: harmless); a repeated event (mwan3 fires `disconnected`
	 * again after a restart) must not read as a change */
	if (was_up == f->up)
		d->guard = f->up ? "already up" : "already down";
	else
		d->guard = f->up ? "marked up" : "marked down";
	return 0;
}

static void svc_act_answer(struct fg_svc_act *a, int rc, const char *err);

/* Stage 4 once the clients had their chance; a `connected` for the
 * uplink that came meanwhile wins: what is on it now may be new. */
static void svc_disc_kicked(void *ctx, struct fg_kick_flow *f, size_t n,
			    const struct fg_kick_stats *st)
{
	struct fg_svc_act *a = ctx;
	struct fg_svc *s = a->s;
	const struct fg_iface *up = fg_uplinks_find(&s->up, a->d.iface);
	char err[256] = "";
	size_t left;
	int rc = 0;

	left = fg_disc_kicked(&a->d, f, n, st);
	s->st.kicked += a->d.flows;
	s->st.kick_answered += a->d.reset;
	s->st.unresolved += a->d.unresolved;
	if (fg_svc_retry_add(&s->retry, f, left))
		fg_warn("disconnected %s: no retry for %zu clients: %s",
			a->d.iface, left, strerror(ENOMEM));
	free(f);
	if (up && up->up) {
		a->d.guard = "connected meanwhile: nothing deleted";
		a->d.has_count = 1;
		a->d.counted = 0;
	} else {
		rc = fg_disc_end(&a->d, s->ct, err, sizeof(err));
	}
	svc_act_answer(a, rc, err);
}

/* Stage 3: reset the hosts of the uplink's TCP flows; their entries go
 * when the batch is over. Hosts that do not answer get one more try once
 * their rate limit has passed. */
static int svc_per_flow(void *ctx, struct fg_disc *d, struct fg_ct *ct,
			char *err, size_t len)
{
	struct fg_svc_act *a = ctx;
	struct fg_svc *s = a->s;
	struct fg_kick_flow *f;
	size_t n;
	int rc;

	if (!s->kick || fg_uplinks_policy(&s->up, d->mark, s->opts->conf.policy) !=
			      FG_POLICY_RESET)
		return 0;
	rc = fg_disc_collect(s->kick, ct, d, &f, &n, err, len);
	if (rc || !n)
		return rc;
	rc = fg_kick_start(s->kick, f, n, FG_DISC_KICK_WAIT_MS, 0,
			   svc_disc_kicked, a);
	if (rc) {
		snprintf(err, len, "kicking TCP clients: %s", strerror(-rc));
		free(f);
		return rc;
	}
	return FG_DISC_LATER;
}

static const struct fg_disc_ops svc_disc_ops = {
	.find_mark = svc_find_mark,
	.set_guard = svc_set_guard,
	.per_flow = svc_per_flow,
};

/* The uplink's last action, for status and metrics (uplinks the
 * service does not guard have no slot). */
static void svc_last_note(struct fg_svc *s, const char *iface,
			  enum fg_disc_event ev, int rc, long long deleted,
			  int alone)
{
	struct fg_iface *f = fg_uplinks_find(&s->up, iface);

	if (f)
		fg_svc_last_note(&s->last[f - s->up.ifaces], ev, rc, deleted,
				 alone);
}

static void svc_act_answer(struct fg_svc_act *a, int rc, const char *err)
{
	struct fg_ctl_resp resp = { .magic = FG_CTL_MAGIC, .status = rc };

	fg_debug("%s %s took %" PRIu64 " us", fg_disc_event_name(a->d.event),
		 a->d.iface, (fg_ctl_now_ns() - a->t0_ns) / 1000);
	svc_last_note(a->s, a->d.iface, a->d.event, rc,
		      rc ? -1 : fg_disc_deleted(&a->d), 0);
	if (rc) {
		snprintf(resp.text, sizeof(resp.text), "%s", err);
		fg_warn("%s", err);
	} else {
		fg_disc_summary(&a->d, resp.text, sizeof(resp.text));
		fg_info("%s", resp.text);
		resp.values[0] = (uint64_t)fg_disc_deleted(&a->d);
		resp.values[1] = a->d.mark;
		resp.values[2] = a->d.mask;
	}
	/* the command may have gone meanwhile: nothing more to do then */
	fg_ctl_send(a->cfd, &resp);
	close(a->cfd);
	free(a);
}

void fg_svc_ctl_act(struct fg_svc *s, int cfd, const struct fg_ctl_req *req)
{
	enum fg_disc_event ev = req->cmd == FG_CTL_CONNECTED
					? FG_DISC_CONNECTED
					: FG_DISC_DISCONNECTED;
	struct fg_svc_act *a = calloc(1, sizeof(*a));
	char err[256] = "";
	int rc;

	if (!a) {
		struct fg_ctl_resp resp = { .magic = FG_CTL_MAGIC,
					    .status = -ENOMEM };

		snprintf(resp.text, sizeof(resp.text), "out of memory");
		fg_ctl_send(cfd, &resp);
		close(cfd);
		return;
	}
	s->st.ctl_acted++;
	a->s = s;
	a->cfd = cfd;
	a->t0_ns = fg_ctl_now_ns();
	rc = fg_disc_init(&a->d, ev, req->iface, req->device, err,
			  sizeof(err));
	if (!rc)
		rc = fg_disc_begin(&a->d, &svc_disc_ops, a, s->ct, err,
				   sizeof(err));
	if (rc == FG_DISC_LATER)
		return;
	if (!rc)
		rc = fg_disc_end(&a->d, s->ct, err, sizeof(err));
	svc_act_answer(a, rc, err);
}

void fg_svc_ctl_given_up(struct fg_svc *s, const struct fg_ctl_req *req)
{
	int up = req->cmd == FG_CTL_CONNECTED;
	struct fg_iface *f;
	int rc = 0;

	if (req->cmd != FG_CTL_CONNECTED && req->cmd != FG_CTL_DISCONNECTED)
		return;
	s->st.ctl_given_up++;
	svc_last_note(s, req->iface, up ? FG_DISC_CONNECTED : FG_DISC_DISCONNECTED,
		      0, -1, 1);
	f = fg_uplinks_find(&s->up, req->iface);
	if (f && f->up != up) {
		f->up = up;
		rc = fg_svc_uplinks_sync(s);
	}
	fg_info("%s %s: the command did not wait for the service and acted alone; %s%s%s",
		req->cmd == FG_CTL_CONNECTED ? "connected" : "disconnected",
		req->iface,
		!f ? "not guarded here" : up ? "uplink marked up" : "uplink marked down",
		rc ? ": " : "", rc ? strerror(-rc) : "");
}

void fg_svc_ctl_handle(struct fg_svc *s, const struct fg_ctl_req *req,
		       struct fg_ctl_resp *resp)
{
	switch (req->cmd) {
	case FG_CTL_STATUS:
		if (req->flags & FG_CTL_F_METRICS)
			fg_svc_metrics(s, resp);
		else if (req->flags & FG_CTL_F_JSON)
			fg_svc_status_json(s, resp);
		else
			fg_ctl_status(s, resp);
		break;
	default:
		resp->status = -EOPNOTSUPP;
		snprintf(resp->text, sizeof(resp->text),
			 "request %u not supported by this service", req->cmd);
		break;
	}
}
