// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * service.c - `flowguard run`: load and attach the guard, then one epoll
 * loop over the ring buffer, signals, the control socket and one timer
 * that is armed only while the deletion cap holds work back.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backlog.h"
#include "heap.h"
#include "ct.h"
#include "ctl.h"
#include "event.h"
#include "reset_disc.h"
#include "reset_kick.h"
#include "linkwatch.h"
#include "log.h"
#include "mark.h"
#include "mwan3_conf.h"
#include "prog.h"
#include "reaper.h"
#include "service.h"
#include "reset_sockdiag.h"
#include "svc.h"
#include "svc_links.h"
#include "svc_log.h"
#include "svc_mode.h"
#include "svc_reload.h"
#include "svc_tc.h"
#include "uplinks.h"

#define FG_BACKLOG_LEN 8192
/* After this many events, once the queue is empty, free memory goes back
 * to the system (a flood's: the queue, the rounds, the log lines). */
#define FG_GIVE_BACK_EVENTS 1024
#define FG_DRAIN_REFILLS 16
#define FG_NS_PER_SEC UINT64_C(1000000000)

enum fg_ep_tag { FG_EP_SIGNAL = 1, FG_EP_RINGBUF, FG_EP_CTL, FG_EP_TIMER,
		 FG_EP_CLIENT, FG_EP_KICK, FG_EP_OFFERED, FG_EP_LINKS,
		 FG_EP_ANSWERS };

/* Event rounds waiting for their clients' answers at once: beyond, the
 * events wait in the backlog (and its cap) for one to end. */
#define FG_SVC_ROUNDS_IN_FLIGHT 8

const char *fg_service_pin_dir(const char *opt)
{
	const char *env = getenv("FLOWGUARD_PIN_DIR");

	if (opt && *opt)
		return opt;
	return env && *env ? env : FG_DEFAULT_PIN_DIR;
}

static uint64_t fg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * FG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int fg_ep_add(int ep, int fd, enum fg_ep_tag tag)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = ((uint64_t)tag << 32) | (uint32_t)fd,
	};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* One instance per pin dir: a lock on the dir itself, not its pins, so a
 * restart can adopt the pins a killed instance left behind. */
static int fg_svc_lock(struct fg_svc *s, char *err, size_t errlen)
{
	s->lock_fd = open(s->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->lock_fd < 0) {
		snprintf(err, errlen, "pin dir %s: %s", s->pin_dir,
			 strerror(errno));
		return -errno;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB)) {
		int rc = -errno;

		snprintf(err, errlen, "another flowguard runs on pin dir %s",
			 s->pin_dir);
		/* its pins and its dir: not ours to remove on the way out */
		close(s->lock_fd);
		s->lock_fd = -1;
		return rc == -EWOULDBLOCK ? -EBUSY : rc;
	}
	return 0;
}

static int fg_svc_guard_cfg(const struct fg_conf *c, struct fg_guard_cfg *g,
			    char *err, size_t errlen)
{
	struct fg_mark_reserved r;

	if (fg_mark_reserved(c->mask, &r)) {
		snprintf(err, errlen, "mask 0x%x has no room for uplinks",
			 c->mask);
		return -EINVAL;
	}
	memset(g, 0, sizeof(*g));
	g->mask = c->mask;
	g->reserved[0] = r.def;
	g->reserved[1] = r.unreachable;
	g->reserved[2] = r.blackhole;
	g->dedupe_ns = (uint64_t)c->dedupe_ms * 1000000ULL;
	g->lookup_sample = c->lookup_sample - 1;
	return 0;
}

static int fg_svc_on_event(void *ctx, void *data, size_t size)
{
	struct fg_svc *s = ctx;

	if (fg_event_check(data, size)) {
		s->st.bad_events++;
		return 0;
	}
	s->st.events++;
	fg_backlog_push(&s->backlog, data, fg_now_ns());
	return 0;
}

static void fg_svc_count_reap(struct fg_svc *s, enum fg_reap_outcome o)
{
	uint64_t *slot[] = {
		[FG_REAP_STALE] = &s->st.errors, /* never left unfinished */
		[FG_REAP_DELETED] = &s->st.deleted,
		[FG_REAP_MONITORED] = &s->st.monitored,
		[FG_REAP_GONE] = &s->st.gone,
		[FG_REAP_REMARKED] = &s->st.remarked,
		[FG_REAP_RACED] = &s->st.raced,
		[FG_REAP_ERROR] = &s->st.errors,
		[FG_REAP_BELONGS] = &s->st.belonging,
	};

	(*slot[o])++;
}

static int fg_svc_arm_timer(struct fg_svc *s, uint64_t at_ns)
{
	struct itimerspec its = {};

	if (at_ns) {
		its.it_value.tv_sec = (time_t)(at_ns / FG_NS_PER_SEC);
		its.it_value.tv_nsec = (long)(at_ns % FG_NS_PER_SEC);
	}
	return timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL)
		       ? -errno
		       : 0;
}

/* The earlier of two deadlines, where 0 is none. */
static uint64_t fg_sooner(uint64_t a, uint64_t b)
{
	return !a || (b && b < a) ? b : a;
}

/* What the cap held back or the full queue dropped, once per second. */
static uint64_t fg_svc_report_backlog(struct fg_svc *s, uint64_t now)
{
	struct fg_backlog *b = &s->backlog;
	uint64_t due = s->last_report_ns + FG_NS_PER_SEC;

	if (!b->held && !b->dropped)
		return 0;
	if (now < due)
		return due;
	fg_warn("deletion cap %" PRIu32 "/s: held back %" PRIu64
		" (%zu still waiting), dropped %" PRIu64 " for a full queue",
		s->opts->conf.max_deletes, b->held, b->len, b->dropped);
	b->held = 0;
	b->dropped = 0;
	s->last_report_ns = now;
	return 0;
}

/* Events dealt with together: one batched lookup, one provoke-and-answer
 * round for the resets, one batched delete. */
#define FG_ROUND FG_REAP_BATCH

struct fg_svc_round {
	struct fg_svc *s;
	struct fg_event ev[FG_ROUND];
	struct fg_reap r[FG_ROUND];
	int flow[FG_ROUND]; /* index into flows, -1: no reset */
	struct fg_kick_flow flows[FG_ROUND];
	size_t n, nr_flows;
};

/* Reset only a TCP flow whose entry still carries the flagged mark (never
 * one re-created meanwhile), under policy reset, before its entry goes:
 * the host's answer to the provoking ACK then still follows the stale
 * entry (and is deduped there) instead of starting a new flow. The
 * flagged packet's ACK field was the host's RCV.NXT when it left; the
 * remote's data may have reached the host since, so the host is asked for
 * its current one, and the flagged packet's value is only the fallback. */
static int fg_svc_reset_wanted(struct fg_svc *s, const struct fg_event *ev,
			       const struct fg_reap *r)
{
	return s->kick && r->outcome == FG_REAP_STALE &&
	       ev->l4proto == IPPROTO_TCP && (ev->tcp_flags & FG_TCP_ACK) &&
	       !(ev->tcp_flags & FG_TCP_RST) &&
	       fg_uplinks_policy(&s->up, ev->mark, s->opts->conf.policy) == FG_POLICY_RESET;
}

static void fg_svc_round_add(struct fg_svc *s, struct fg_svc_round *rd,
			     size_t i)
{
	const struct fg_event *ev = &rd->ev[i];
	struct fg_kick_flow *f;

	rd->flow[i] = -1;
	if (!fg_svc_reset_wanted(s, ev, &rd->r[i]))
		return;
	f = &rd->flows[rd->nr_flows];
	memset(f, 0, sizeof(*f));
	fg_kick_host_view(s->kick, &rd->r[i].entry, &f->hv);
	f->ifindex = (int)ev->ingress_ifindex;
	f->has_guess = 1;
	f->guess_seq = ntohl(ev->tcp_ack);
	rd->flow[i] = (int)rd->nr_flows++;
}

static void fg_svc_round_reset(struct fg_svc *s, struct fg_svc_round *rd,
			       const struct fg_kick_stats *st)
{
	size_t i;

	s->st.rereset += st->rereset;
	for (i = 0; i < rd->nr_flows; i++) {
		enum fg_kick_state k = rd->flows[i].state;

		if (k == FG_KICK_RESET || k == FG_KICK_DESTROYED ||
		    k == FG_KICK_GUESSED)
			s->st.resets++;
		else
			s->st.reset_fail++;
		s->st.unresolved += k == FG_KICK_UNRESOLVED;
	}
}

/* The round's deletes and lines, once its resets are over. */
static void fg_svc_round_end(struct fg_svc *s, struct fg_svc_round *rd)
{
	uint64_t now;
	size_t i;

	fg_reap_finish(s->ct, rd->r, rd->n);
	now = fg_now_ns();
	for (i = 0; i < rd->n; i++) {
		fg_svc_count_reap(s, rd->r[i].outcome);
		fg_svc_log_add(&s->log, &s->up, &rd->ev[i], &rd->r[i],
			       rd->flow[i] < 0 ? -1 :
			       (int)rd->flows[rd->flow[i]].state, now);
	}
	free(rd);
}

static void fg_svc_round_kicked(void *ctx, struct fg_kick_flow *f, size_t n,
				const struct fg_kick_stats *st)
{
	struct fg_svc_round *rd = ctx;
	struct fg_svc *s = rd->s;

	(void)f;
	(void)n;
	fg_svc_round_reset(s, rd, st);
	fg_svc_round_end(s, rd);
	s->rounds--;
	s->drain_again = 1;
}

/* One batched lookup and one batched delete for up to FG_ROUND events
 * the cap lets through. */
static int fg_svc_mark_belongs(const void *ctx, int ifindex, uint32_t mark)
{
	return fg_uplinks_mark_belongs(ctx, ifindex, mark);
}

/* One round, its resets started: the round ends when they are over
 * (fg_svc_round_kicked), in the loop, which goes on meanwhile. How many
 * events it took; 0 also when rounds in flight hold the rest back. */
static size_t fg_svc_round(struct fg_svc *s)
{
	const struct fg_reap_judge judge = { fg_svc_mark_belongs, &s->up };
	struct fg_svc_round *rd;
	uint64_t now = fg_now_ns();
	uint64_t next = fg_backlog_next_ns(&s->backlog, now);
	size_t i, n;

	if (s->rounds >= FG_SVC_ROUNDS_IN_FLIGHT || !next || next > now)
		return 0;
	rd = malloc(sizeof(*rd));
	if (!rd)
		return 0;
	rd->s = s;
	rd->n = rd->nr_flows = 0;
	while (rd->n < FG_ROUND &&
	       fg_backlog_take(&s->backlog, now, &rd->ev[rd->n])) {
		rd->n++;
		now = fg_now_ns();
	}
	n = rd->n;
	if (!n) {
		free(rd);
		return 0;
	}
	fg_reap_check(s->ct, rd->ev, rd->n, s->up.mask, &judge, rd->r);
	for (i = 0; i < rd->n; i++) {
		/* an unknown-mark report, judged stale: from now on the
		 * entry's own mark is the flow's (policy, log) */
		if (rd->r[i].outcome == FG_REAP_STALE &&
		    (rd->ev[i].flags & FG_EV_MARK_UNKNOWN))
			rd->ev[i].mark = rd->r[i].entry.mark;
		if (rd->r[i].outcome == FG_REAP_STALE &&
		    fg_uplinks_policy(&s->up, rd->ev[i].mark,
				      s->opts->conf.policy) == FG_POLICY_MONITOR)
			rd->r[i].outcome = FG_REAP_MONITORED;
		fg_svc_round_add(s, rd, i);
	}
	/* the flows' peers may still be sending (a misroute): watch */
	if (rd->nr_flows &&
	    !fg_kick_start(s->kick, rd->flows, rd->nr_flows,
			   FG_DISC_KICK_WAIT_MS, FG_KICK_WATCH,
			   fg_svc_round_kicked, rd)) {
		s->rounds++;
		return n;
	}
	for (i = 0; i < rd->nr_flows; i++)
		rd->flows[i].state = FG_KICK_FAILED;
	if (rd->nr_flows)
		fg_svc_round_reset(s, rd, &(struct fg_kick_stats){});
	fg_svc_round_end(s, rd);
	return n;
}

/* Rounds until nothing waits. Events that arrive meanwhile join in (a
 * bounded number of times, so that signals and the control socket get
 * their turn); the lines come after. */
static void fg_svc_drain(struct fg_svc *s)
{
	uint64_t now, next;
	int refills = 0;

	for (;;) {
		while (fg_svc_round(s) == FG_ROUND)
			;
		if (refills++ == FG_DRAIN_REFILLS ||
		    ring_buffer__consume(s->rb) <= 0)
			break;
	}
	fg_svc_log_flush(&s->log, &s->up);
	if (!s->backlog.len &&
	    s->st.events - s->events_given_back >= FG_GIVE_BACK_EVENTS) {
		fg_svc_log_give_back(&s->log);
		fg_ct_give_back(s->ct);
		fg_heap_give_back();
		s->events_given_back = s->st.events;
	}
	now = fg_now_ns();
	next = fg_backlog_next_ns(&s->backlog, now);
	next = fg_sooner(next, fg_svc_report_backlog(s, now));
	next = fg_sooner(next, fg_svc_log_report(&s->log, now));
	next = fg_sooner(next, fg_flows_sweep_tick(&s->sweep, now, s->st.events));
	fg_svc_arm_timer(s, next);
}

static int fg_svc_on_signal(struct fg_svc *s)
{
	struct signalfd_siginfo si;

	if (read(s->sig_fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
		fg_info("signal %u: stopping", si.ssi_signo);
		s->stop = 1;
	} else if (si.ssi_signo == SIGHUP && !fg_svc_reload(s, "SIGHUP")) {
		fg_info("SIGHUP: nothing to re-read without --mwan3");
	}
	return 0;
}

static void fg_svc_on_ctl(struct fg_svc *s)
{
	int cfd = fg_ctl_accept(s->ctl_fd);

	if (cfd == -EPERM) {
		s->st.ctl_refused++;
		fg_warn("control socket: refused a non-root peer");
		return;
	}
	if (cfd < 0)
		return;
	/* the request is read when it arrives, never waited for here */
	if (fg_ep_add(s->ep_fd, cfd, FG_EP_CLIENT))
		close(cfd);
}

static struct fg_svc_offer *fg_svc_offer_of(struct fg_svc *s, int fd)
{
	size_t i;

	for (i = 0; i < FG_SVC_MAX_OFFERS; i++)
		if (s->offers[i].fd == fd)
			return &s->offers[i];
	return NULL;
}

/* Offer to act on req before its command's deadline (ctl.h); 0 when the
 * offer is out and the connection waits for the command's answer. */
static int fg_svc_offer(struct fg_svc *s, int cfd, const struct fg_ctl_req *req)
{
	struct fg_ctl_resp offer = { .magic = FG_CTL_MAGIC,
				     .flags = FG_CTL_F_INTERIM };
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = ((uint64_t)FG_EP_OFFERED << 32) | (uint32_t)cfd,
	};
	struct fg_svc_offer *o = fg_svc_offer_of(s, -1);

	if (!o || (req->deadline_ns && fg_ctl_now_ns() >= req->deadline_ns))
		return -ETIMEDOUT;
	if (epoll_ctl(s->ep_fd, EPOLL_CTL_ADD, cfd, &ev))
		return -errno;
	if (fg_ctl_send(cfd, &offer)) {
		epoll_ctl(s->ep_fd, EPOLL_CTL_DEL, cfd, NULL);
		return -ECONNRESET;
	}
	o->fd = cfd;
	o->req = *req;
	return 0;
}

static void fg_svc_on_client(struct fg_svc *s, int cfd)
{
	struct fg_ctl_resp resp = { .magic = FG_CTL_MAGIC };
	struct fg_ctl_req req;
	int rc;

	rc = fg_ctl_recv(cfd, &req);
	if (rc == -EAGAIN)
		return;
	epoll_ctl(s->ep_fd, EPOLL_CTL_DEL, cfd, NULL);
	if (rc) {
		s->st.ctl_refused++;
		fg_warn("control socket: refused a malformed request");
		resp.status = -EBADMSG;
		snprintf(resp.text, sizeof(resp.text), "malformed request");
	} else if (req.cmd != FG_CTL_STATUS) {
		if (!fg_svc_offer(s, cfd, &req))
			return;
		/* too late: the command acts (or acted) alone */
		fg_svc_ctl_given_up(s, &req);
		close(cfd);
		return;
	} else {
		fg_svc_ctl_handle(s, &req, &resp);
	}
	fg_ctl_send(cfd, &resp);
	close(cfd);
}

/* The command's answer to our offer: act, or (it gave up) only follow. */
static void fg_svc_on_offered(struct fg_svc *s, int cfd)
{
	struct fg_svc_offer *o = fg_svc_offer_of(s, cfd);
	int rc = fg_ctl_recv_go(cfd);

	if (rc == -EAGAIN)
		return;
	epoll_ctl(s->ep_fd, EPOLL_CTL_DEL, cfd, NULL);
	if (o)
		o->fd = -1;
	if (o && !rc) {
		fg_svc_ctl_act(s, cfd, &o->req);
		return;
	}
	if (o)
		fg_svc_ctl_given_up(s, &o->req);
	close(cfd);
}

static void fg_svc_dispatch(struct fg_svc *s, const struct epoll_event *ev)
{
	enum fg_ep_tag tag = (enum fg_ep_tag)(ev->data.u64 >> 32);
	int fd = (int)(uint32_t)ev->data.u64;
	uint64_t ticks;

	switch (tag) {
	case FG_EP_SIGNAL:
		fg_svc_on_signal(s);
		break;
	case FG_EP_RINGBUF:
		ring_buffer__consume(s->rb);
		fg_svc_drain(s);
		break;
	case FG_EP_TIMER:
		if (read(s->timer_fd, &ticks, sizeof(ticks)) < 0)
			ticks = 0;
		fg_svc_drain(s);
		break;
	case FG_EP_CTL:
		fg_svc_on_ctl(s);
		break;
	case FG_EP_CLIENT:
		fg_svc_on_client(s, fd);
		break;
	case FG_EP_OFFERED:
		fg_svc_on_offered(s, fd);
		break;
	case FG_EP_KICK:
		fg_svc_retry_fire(&s->retry, s->kick);
		break;
	case FG_EP_LINKS:
		if (fg_linkwatch_drain(s->links) != 0)
			fg_svc_links_follow(s);
		break;
	case FG_EP_ANSWERS:
		fg_kick_on_answers(s->kick);
		break;
	}
}

static int fg_svc_loop(struct fg_svc *s)
{
	struct epoll_event evs[16];
	int n, i;

	/* no timeout unless resets are in flight: idle is idle */
	while (!s->stop) {
		n = epoll_wait(s->ep_fd, evs, 16, fg_kick_timeout_ms(s->kick));
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++)
			fg_svc_dispatch(s, &evs[i]);
		if (s->kick)
			fg_kick_expire(s->kick, 0);
		if (s->drain_again) {
			s->drain_again = 0;
			fg_svc_drain(s);
		}
	}
	return 0;
}

static int fg_svc_signals(struct fg_svc *s)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	s->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	return s->sig_fd < 0 ? -errno : 0;
}

/* An uplink mwan3track already reports offline starts down. */
static void fg_svc_track_state(struct fg_svc *s)
{
	const char *dir = s->opts->mwan3_track_dir ? s->opts->mwan3_track_dir
						    : FG_MWAN3_TRACK_ROOT;
	size_t i;

	for (i = 0; i < s->up.nr_ifaces; i++)
		if (fg_mwan3_track_online(dir, s->up.ifaces[i].name) == 0)
			s->up.ifaces[i].up = 0;
}

static int fg_svc_load(struct fg_svc *s, char *err, size_t errlen)
{
	const struct fg_service_opts *o = s->opts;
	struct fg_guard_cfg gcfg;
	enum fg_guard_kind kind;
	int rc;

	rc = fg_svc_guard_cfg(&o->conf, &gcfg, err, errlen);
	if (!rc)
		rc = fg_prog_choose_btf(o->want_ct, o->want_probe,
					o->conf.lookup == FG_LOOKUP_AUTO ? FG_WANT_AUTO
					: o->conf.lookup == FG_LOOKUP_ON,
					&kind, &gcfg.nf_conn_btf_id, err, errlen);
	if (rc)
		return rc;
	rc = fg_prog_load(&s->prog, kind, s->pin_dir, &gcfg);
	if (rc) {
		snprintf(err, errlen, "loading the %s guard: %s",
			 fg_prog_kind_name(kind), strerror(-rc));
		return rc;
	}
	rc = fg_uplinks_sync(&s->up, fg_prog_map_fd(s->prog, FG_MAP_UPLINKS),
			     fg_prog_map_fd(s->prog, FG_MAP_UPLINKS_HI), 1);
	if (rc) {
		snprintf(err, errlen, "filling the uplink table: %s",
			 strerror(-rc));
		return rc;
	}
	fg_flows_sweep_init(&s->sweep, fg_prog_map_fd(s->prog, FG_MAP_FLOWS),
			    gcfg.dedupe_ns);
	return fg_svc_links_start(s, err, errlen);
}

static int fg_svc_fds(struct fg_svc *s, char *err, size_t errlen)
{
	int rc;

	s->rb = ring_buffer__new(fg_prog_map_fd(s->prog, FG_MAP_EVENTS),
				 fg_svc_on_event, s, NULL);
	if (!s->rb) {
		snprintf(err, errlen, "ring buffer: %s", strerror(errno));
		return -errno;
	}
	rc = fg_ct_open(&s->ct);
	if (rc) {
		snprintf(err, errlen, "conntrack netlink: %s", strerror(-rc));
		return rc;
	}
	rc = fg_kick_open(&s->kick);
	if (rc)
		fg_warn("client resets disabled: packet socket: %s",
			strerror(-rc));
	s->can_destroy = fg_sockdiag_destroy_supported();
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->timer_fd < 0 || s->ep_fd < 0 ||
	    fg_svc_signals(s)) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		return -errno;
	}
	s->ctl_fd = fg_ctl_listen(s->sock_path, err, errlen);
	if (s->ctl_fd < 0)
		return s->ctl_fd;
	rc = fg_ep_add(s->ep_fd, s->sig_fd, FG_EP_SIGNAL);
	rc = rc ?: fg_ep_add(s->ep_fd, ring_buffer__epoll_fd(s->rb), FG_EP_RINGBUF);
	rc = rc ?: fg_ep_add(s->ep_fd, s->timer_fd, FG_EP_TIMER);
	rc = rc ?: fg_ep_add(s->ep_fd, s->ctl_fd, FG_EP_CTL);
	rc = rc ?: fg_ep_add(s->ep_fd, s->retry.timer_fd, FG_EP_KICK);
	rc = rc ?: fg_ep_add(s->ep_fd, fg_linkwatch_fd(s->links), FG_EP_LINKS);
	for (int i = 0; i < 2 && s->kick; i++)
		rc = rc ?: fg_ep_add(s->ep_fd, fg_kick_fd(s->kick, i),
				     FG_EP_ANSWERS);
	if (rc)
		snprintf(err, errlen, "event loop: %s", strerror(-rc));
	return rc;
}

static void fg_svc_log_start(const struct fg_svc *s)
{
	const struct fg_conf *c = &s->opts->conf;
	char list[512] = "", why[256];
	size_t i, off = 0;

	for (i = 0; i < s->up.nr_ifaces && off < sizeof(list); i++) {
		const struct fg_iface *f = &s->up.ifaces[i];

		off += (size_t)snprintf(list + off, sizeof(list) - off,
					"%s%s=%s/0x%x%s", i ? " " : "", f->name,
					s->up.devs[f->dev].name, f->mark,
					f->up ? "" : "(down)");
	}
	fg_info("guarding %s; mode %s (%s), policy %s, mask 0x%x, dedupe %u ms, cap %u/s",
		list, fg_prog_kind_name(fg_prog_kind(s->prog)),
		fg_svc_mode_why(s->opts, fg_prog_kind(s->prog), why, sizeof(why)),
		fg_conf_policy_name(c->policy), c->mask, c->dedupe_ms,
		c->max_deletes);
}

static void fg_svc_fini(struct fg_svc *s)
{
	/* batches in flight end first: their rounds delete and log */
	fg_kick_close(s->kick);
	s->kick = NULL;
	fg_svc_links_detach_all(s);
	fg_linkwatch_close(s->links);
	if (s->prog && fg_prog_unpin(s->prog))
		fg_warn("removing pins under %s: %s", s->pin_dir,
			strerror(errno));
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		unlink(s->sock_path);
	}
	ring_buffer__free(s->rb);
	fg_prog_close(s->prog);
	fg_ct_close(s->ct);
	fg_backlog_fini(&s->backlog);
	if (s->lock_fd >= 0) {
		if (s->made_pin_dir)
			rmdir(s->pin_dir);
		close(s->lock_fd);
	}
	if (s->ep_fd >= 0)
		close(s->ep_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	for (size_t i = 0; i < FG_SVC_MAX_OFFERS; i++)
		if (s->offers[i].fd >= 0)
			close(s->offers[i].fd);
	fg_svc_retry_fini(&s->retry);
	fg_svc_log_fini(&s->log);
	if (s->sig_fd >= 0)
		close(s->sig_fd);
}

int fg_service_run(const struct fg_service_opts *o)
{
	struct fg_svc s = {
		.opts = o, .lock_fd = -1, .ep_fd = -1, .sig_fd = -1,
		.timer_fd = -1, .ctl_fd = -1, .retry.timer_fd = -1,
		.sweep.map_fd = -1,
		.pin_dir = fg_service_pin_dir(o->pin_dir),
		.sock_path = fg_ctl_path(o->sock_path),
	};
	char err[512] = "";
	size_t i;
	int rc;

	for (i = 0; i < FG_SVC_MAX_OFFERS; i++)
		s.offers[i].fd = -1;
	fg_heap_tune();
	rc = fg_svc_log_init(&s.log);
	rc = rc ?: fg_svc_retry_init(&s.retry);
	rc = rc ?: fg_backlog_init(&s.backlog, FG_BACKLOG_LEN,
				   o->conf.max_deletes, fg_now_ns());
	/* subscribed before the devices are looked up: the event of one
	 * that appears in between waits in the socket for the loop; devices
	 * before the rest: a config error must not load, pin or attach */
	if (!rc) {
		rc = fg_linkwatch_open(&s.links);
		if (rc)
			snprintf(err, sizeof(err), "link events: %s",
				 strerror(-rc));
	}
	rc = rc ?: fg_uplinks_build(&s.up, &o->conf, err, sizeof(err));
	if (!rc) {
		fg_svc_track_state(&s);
		rc = fg_prog_pin_dir_prepare(s.pin_dir, err, sizeof(err));
		s.made_pin_dir = rc == 1;
		rc = rc < 0 ? rc : 0;
	}
	rc = rc ?: fg_svc_lock(&s, err, sizeof(err));
	rc = rc ?: fg_svc_load(&s, err, sizeof(err));
	rc = rc ?: fg_svc_fds(&s, err, sizeof(err));
	if (rc) {
		fg_err("%s", err[0] ? err : strerror(-rc));
		goto out;
	}
	/* what loading needed (the kernel's BTF, parsed by libbpf) */
	fg_heap_give_back();
	fg_svc_log_start(&s);
	fg_svc_tc_warn(&s);
	rc = fg_svc_loop(&s);
out:
	fg_svc_fini(&s);
	return rc;
}
