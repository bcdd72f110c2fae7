// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* event.c - decoding the guard's ring-buffer events. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "event.h"

int fg_event_check(const void *data, size_t size)
{
	const struct fg_event *ev = data;

	if (size != sizeof(*ev))
		return -EBADMSG;
	if (ev->family != AF_INET && ev->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (ev->source != FG_SRC_CT && ev->source != FG_SRC_PKT)
		return -EBADMSG;
	return 0;
}

void fg_event_tuple(const struct fg_event *ev, struct fg_ct_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = ev->family;
	t->l4proto = ev->l4proto;
	memcpy(t->saddr, ev->saddr, sizeof(t->saddr));
	memcpy(t->daddr, ev->daddr, sizeof(t->daddr));
	t->sport = ev->sport;
	t->dport = ev->dport;
}

/* ICMP queries: the answer's type, as conntrack inverts them. */
static uint8_t fg_icmp_answer(uint8_t proto, uint8_t type)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 },
					 { 17, 18 } };
	/* as nf_conntrack_proto_icmpv6: echo and node information */
	static const uint8_t v6[][2] = { { 128, 129 }, { 139, 140 } };
	const uint8_t(*pairs)[2] = proto == IPPROTO_ICMP ? v4 : v6;
	size_t i, n = proto == IPPROTO_ICMP ? 4 : 2;

	for (i = 0; i < n; i++) {
		if (pairs[i][0] == type)
			return pairs[i][1];
		if (pairs[i][1] == type)
			return pairs[i][0];
	}
	return type;
}

void fg_tuple_invert(const struct fg_ct_tuple *in, struct fg_ct_tuple *out)
{
	struct fg_ct_tuple t = *in;

	memcpy(t.saddr, in->daddr, sizeof(t.saddr));
	memcpy(t.daddr, in->saddr, sizeof(t.daddr));
	if (in->l4proto == IPPROTO_ICMP || in->l4proto == IPPROTO_ICMPV6) {
		/* the echo id stays; the type becomes the answer's */
		uint8_t type = FG_CT_ICMP_TYPE(in->dport);

		t.dport = FG_CT_ICMP(fg_icmp_answer(in->l4proto, type),
				     FG_CT_ICMP_CODE(in->dport));
	} else {
		t.sport = in->dport;
		t.dport = in->sport;
	}
	*out = t;
}

static const char *fg_dir_name(const struct fg_event *ev)
{
	if (ev->source == FG_SRC_PKT)
		return "packet";
	return ev->ct_dir == FG_DIR_REPLY ? "ct, reply" : "ct, original";
}

int fg_event_fmt(const struct fg_event *ev, char *buf, size_t len)
{
	struct fg_ct_tuple t;
	char tuple[160];
	int n;

	fg_event_tuple(ev, &t);
	if (fg_ct_tuple_fmt(&t, tuple, sizeof(tuple)) < 0)
		snprintf(tuple, sizeof(tuple), "(bad tuple)");
	n = snprintf(buf, len, "%s mark 0x%x (%s)", tuple, ev->mark,
		     fg_dir_name(ev));
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
