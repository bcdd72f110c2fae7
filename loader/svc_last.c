// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* svc_last.c - last action per uplink, uptime, kernel features in use. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "svc_last.h"

void fg_svc_last_note(struct fg_svc_last *l, enum fg_disc_event ev, int rc,
		      long long deleted, int alone)
{
	l->when = (int64_t)time(NULL);
	l->event = (uint8_t)ev;
	l->failed = rc != 0;
	l->alone = alone != 0;
	l->deleted = deleted;
}

void fg_svc_last_fmt(const struct fg_svc_last *l, char *buf, size_t len)
{
	time_t when = (time_t)l->when;
	long long ago = (long long)(time(NULL) - when);
	char stamp[32];
	struct tm tm;

	buf[0] = '\0';
	if (!l->when)
		return;
	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (l->alone)
		snprintf(buf, len, "%s at %s (%lld s ago), by the command alone",
			 fg_disc_event_name(l->event), stamp, ago);
	else if (l->failed)
		snprintf(buf, len, "%s at %s (%lld s ago): failed",
			 fg_disc_event_name(l->event), stamp, ago);
	else
		snprintf(buf, len, "%s at %s (%lld s ago): %lld entries deleted",
			 fg_disc_event_name(l->event), stamp, ago, l->deleted);
}

/* Field 22 of /proc/self/stat (start time in clock ticks after boot),
 * counted after the ')' that ends the command name, which may hold
 * spaces. */
static long long fg_svc_start_ticks(void)
{
	char buf[1024], *p;
	unsigned long long start;
	size_t n;
	FILE *f = fopen("/proc/self/stat", "re");
	int i;

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return -EINVAL;
	return (long long)start;
}

long long fg_svc_uptime_s(void)
{
	long long start = fg_svc_start_ticks();
	long tck = sysconf(_SC_CLK_TCK);
	double up;
	FILE *f;
	int rc;

	if (start < 0 || tck <= 0)
		return start < 0 ? start : -EINVAL;
	f = fopen("/proc/uptime", "re");
	if (!f)
		return -errno;
	rc = fscanf(f, "%lf", &up);
	fclose(f);
	if (rc != 1)
		return -EINVAL;
	return (long long)up - start / tck;
}

void fg_svc_features(enum fg_guard_kind kind, int can_destroy, char *buf,
		     size_t len)
{
	const char *way;

	switch (kind) {
	case FG_GUARD_CT_KCTX:
	case FG_GUARD_CT_KCTX_LOOKUP:
		way = "kernel BTF, bpf_cast_to_kern_ctx";
		break;
	case FG_GUARD_CT_PROBE:
	case FG_GUARD_CT_PROBE_LOOKUP:
		way = "kernel BTF, bpf_probe_read_kernel";
		break;
	default:
		way = "skb->mark (no kernel BTF needed)";
		break;
	}
	snprintf(buf, len, "%s%s, %s", way,
		 kind == FG_GUARD_CT_KCTX_LOOKUP ||
				 kind == FG_GUARD_CT_PROBE_LOOKUP ?
			 ", bpf_skb_ct_lookup" : "",
		 can_destroy ? "SOCK_DESTROY" : "no SOCK_DESTROY");
}
