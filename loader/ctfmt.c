// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctfmt.c - conntrack entries as text lines and JSON objects. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "ctfmt.h"
#include "json.h"

static const struct {
	uint8_t num;
	const char *name;
} ctfmt_protos[] = {
	{ IPPROTO_TCP, "tcp" },	      { IPPROTO_UDP, "udp" },
	{ IPPROTO_ICMP, "icmp" },     { IPPROTO_ICMPV6, "icmpv6" },
	{ IPPROTO_UDPLITE, "udplite" }, { IPPROTO_SCTP, "sctp" },
	{ IPPROTO_DCCP, "dccp" },     { IPPROTO_GRE, "gre" },
};

#define CTFMT_NR_PROTOS (sizeof(ctfmt_protos) / sizeof(ctfmt_protos[0]))

static const char *const ctfmt_states[TCP_CONNTRACK_MAX] = {
	[TCP_CONNTRACK_SYN_SENT] = "SYN_SENT",
	[TCP_CONNTRACK_SYN_RECV] = "SYN_RECV",
	[TCP_CONNTRACK_ESTABLISHED] = "ESTABLISHED",
	[TCP_CONNTRACK_FIN_WAIT] = "FIN_WAIT",
	[TCP_CONNTRACK_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_CONNTRACK_LAST_ACK] = "LAST_ACK",
	[TCP_CONNTRACK_TIME_WAIT] = "TIME_WAIT",
	[TCP_CONNTRACK_CLOSE] = "CLOSE",
	[TCP_CONNTRACK_SYN_SENT2] = "SYN_SENT2",
};

const char *fg_ctfmt_proto_name(uint8_t l4proto)
{
	size_t i;

	for (i = 0; i < CTFMT_NR_PROTOS; i++)
		if (ctfmt_protos[i].num == l4proto)
			return ctfmt_protos[i].name;
	return NULL;
}

int fg_ctfmt_proto_parse(const char *s)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < CTFMT_NR_PROTOS; i++)
		if (!strcasecmp(s, ctfmt_protos[i].name))
			return ctfmt_protos[i].num;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtol(s, &end, 10);
	return *end || v > 255 ? -1 : (int)v;
}

const char *fg_ctfmt_state_name(uint8_t state)
{
	return state < TCP_CONNTRACK_MAX ? ctfmt_states[state] : NULL;
}

int fg_ctfmt_state_parse(const char *s)
{
	int i;

	for (i = 0; i < TCP_CONNTRACK_MAX; i++)
		if (ctfmt_states[i] && !strcasecmp(s, ctfmt_states[i]))
			return i;
	return -1;
}

static int ctfmt_is_icmp(uint8_t p)
{
	return p == IPPROTO_ICMP || p == IPPROTO_ICMPV6;
}

static void ctfmt_addrs(const struct fg_ct_tuple *t, char *src, char *dst)
{
	int af = t->family == AF_INET6 ? AF_INET6 : AF_INET;

	inet_ntop(af, t->saddr, src, INET6_ADDRSTRLEN);
	inet_ntop(af, t->daddr, dst, INET6_ADDRSTRLEN);
}

/* A state only where the kernel reported one (not for offloaded TCP). */
static const char *ctfmt_state(const struct fg_ct_entry *e)
{
	return e->orig.l4proto == IPPROTO_TCP ?
		       fg_ctfmt_state_name(e->tcp_state) : NULL;
}

static void ctfmt_text_tuple(FILE *f, const struct fg_ct_entry *e, int dir)
{
	const struct fg_ct_tuple *t = dir ? &e->reply : &e->orig;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	ctfmt_addrs(t, src, dst);
	fprintf(f, " src=%s dst=%s", src, dst);
	if (ctfmt_is_icmp(t->l4proto))
		fprintf(f, " type=%u code=%u id=%u",
			FG_CT_ICMP_TYPE(t->dport), FG_CT_ICMP_CODE(t->dport),
			ntohs(t->sport));
	else if (t->sport || t->dport)
		fprintf(f, " sport=%u dport=%u", ntohs(t->sport),
			ntohs(t->dport));
	if (e->has_counters)
		fprintf(f, " packets=%llu bytes=%llu",
			(unsigned long long)e->packets[dir],
			(unsigned long long)e->bytes[dir]);
}

void fg_ctfmt_uplink(FILE *f, const struct fg_ct_entry *e,
		     const struct fg_marknames *t)
{
	size_t i = 0;
	enum fg_mark_class c = fg_marknames_class(t, e->mark, &i);

	if (c == FG_MC_UPLINK)
		fprintf(f, " uplink=%s", t->up[i].name);
	else
		fprintf(f, " uplink=-(%s)", fg_mark_class_name(c));
}

static void ctfmt_text_mark(FILE *f, const struct fg_ct_entry *e,
			    const struct fg_marknames *t)
{
	fprintf(f, " mark=0x%x", e->mark);
	fg_ctfmt_uplink(f, e, t);
}

void fg_ctfmt_text(FILE *f, const struct fg_ct_entry *e,
		   const struct fg_marknames *t)
{
	const char *p = fg_ctfmt_proto_name(e->orig.l4proto);
	const char *st = ctfmt_state(e);

	fprintf(f, "%s ", e->orig.family == AF_INET6 ? "ipv6" : "ipv4");
	if (p)
		fprintf(f, "%-6s %u", p, e->orig.l4proto);
	else
		fprintf(f, "proto  %u", e->orig.l4proto);
	if (e->timeout)
		fprintf(f, " %u", e->timeout);
	if (st)
		fprintf(f, " %s", st);
	ctfmt_text_tuple(f, e, 0);
	if (!(e->status & IPS_SEEN_REPLY))
		fprintf(f, " [UNREPLIED]");
	ctfmt_text_tuple(f, e, 1);
	if (e->status & IPS_HW_OFFLOAD)
		fprintf(f, " [HW_OFFLOAD]");
	else if (e->status & IPS_OFFLOAD)
		fprintf(f, " [OFFLOAD]");
	if (e->status & IPS_ASSURED)
		fprintf(f, " [ASSURED]");
	ctfmt_text_mark(f, e, t);
	if (e->zone)
		fprintf(f, " zone=%u", e->zone);
	fputc('\n', f);
}

static void ctfmt_json_tuple(FILE *f, const struct fg_ct_entry *e, int dir)
{
	const struct fg_ct_tuple *t = dir ? &e->reply : &e->orig;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	ctfmt_addrs(t, src, dst);
	fprintf(f, "{\"src\":\"%s\",\"dst\":\"%s\"", src, dst);
	if (ctfmt_is_icmp(t->l4proto))
		fprintf(f, ",\"type\":%u,\"code\":%u,\"id\":%u",
			FG_CT_ICMP_TYPE(t->dport), FG_CT_ICMP_CODE(t->dport),
			ntohs(t->sport));
	else if (t->sport || t->dport)
		fprintf(f, ",\"sport\":%u,\"dport\":%u", ntohs(t->sport),
			ntohs(t->dport));
	if (e->has_counters)
		fprintf(f, ",\"packets\":%llu,\"bytes\":%llu",
			(unsigned long long)e->packets[dir],
			(unsigned long long)e->bytes[dir]);
	fputc('}', f);
}

void fg_ctfmt_json(FILE *f, const struct fg_ct_entry *e,
		   const struct fg_marknames *t)
{
	const char *p = fg_ctfmt_proto_name(e->orig.l4proto);
	const char *st = ctfmt_state(e);
	size_t i = 0;
	enum fg_mark_class c = fg_marknames_class(t, e->mark, &i);

	fprintf(f, "{\"family\":%d,", e->orig.family == AF_INET6 ? 6 : 4);
	if (p)
		fprintf(f, "\"proto\":\"%s\",", p);
	fprintf(f, "\"protonum\":%u,", e->orig.l4proto);
	if (st)
		fprintf(f, "\"state\":\"%s\",", st);
	if (e->timeout)
		fprintf(f, "\"timeout\":%u,", e->timeout);
	fprintf(f, "\"orig\":");
	ctfmt_json_tuple(f, e, 0);
	fprintf(f, ",\"reply\":");
	ctfmt_json_tuple(f, e, 1);
	fprintf(f, ",\"mark\":%u,\"class\":\"%s\",", e->mark,
		fg_mark_class_name(c));
	if (c == FG_MC_UPLINK) {
		fprintf(f, "\"uplink\":");
		fg_json_str(f, t->up[i].name);
		fputc(',', f);
	}
	fprintf(f, "\"offload\":%s,\"hw_offload\":%s,\"assured\":%s,"
		   "\"seen_reply\":%s,\"zone\":%u,\"id\":%u}",
		e->status & IPS_OFFLOAD ? "true" : "false",
		e->status & IPS_HW_OFFLOAD ? "true" : "false",
		e->status & IPS_ASSURED ? "true" : "false",
		e->status & IPS_SEEN_REPLY ? "true" : "false", e->zone, e->id);
}

uint64_t fg_ctfmt_total(const struct fg_ct_entry *e, int packets)
{
	return packets ? e->packets[0] + e->packets[1]
		       : e->bytes[0] + e->bytes[1];
}
