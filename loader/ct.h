/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct.h - conntrack over ctnetlink (libmnl, libnetfilter_conntrack).
 *
 * Every function returns 0 or -errno (errors from the kernel come back as
 * -errno too; a malformed answer is -EBADMSG). Nothing here prints.
 *
 * Byte order: addresses and ports (and the ICMP fields) are kept as they are
 * on the wire; mark, id and status are in host order.
 *
 * ICMP and ICMPv6 tuples: sport holds the echo id (wire order), dport holds
 * the type in its first byte and the code in its second, i.e.
 * dport == htons(type << 8 | code). FG_CT_ICMP() builds it.
 *
 * Other protocols: TCP, UDP, UDP-Lite, SCTP, DCCP and GRE carry ports (GRE:
 * keys); for the rest the kernel ignores the ports and reports 0.
 */
#ifndef FG_CT_H
#define FG_CT_H

#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>

struct fg_ct_tuple {
	uint8_t family;	 /* AF_INET or AF_INET6 */
	uint8_t l4proto; /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6, or other */
	uint8_t saddr[16], daddr[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;	      /* wire order; ICMP: see above */
};

struct fg_ct_entry {
	struct fg_ct_tuple orig, reply;
	uint32_t mark, id, status; /* status: IPS_* bits */
	uint16_t zone;
	uint8_t tcp_state; /* TCP_CONNTRACK_*, 0 if not TCP */
	/* accounting (net.netfilter.nf_conntrack_acct when the entry was
	 * made): has_counters says whether the kernel reported them;
	 * [0] original direction, [1] reply. Read from dumps and gets. */
	uint8_t has_counters;
	uint64_t packets[2], bytes[2];
	uint32_t timeout; /* seconds left; 0 when not reported (offloaded) */
};

/* Which tuple fg_ct_get() looks up. (flowguard.h already has an enum
 * fg_ct_dir for the BPF events, hence the different name.) */
enum fg_ct_tuple_dir {
	FG_CT_ORIG = 0,
	FG_CT_REPLY = 1,
};

/* ICMP type/code in the dport slot, see above. */
#define FG_CT_ICMP(type, code) \
	((uint16_t)htons((uint16_t)(((type) & 0xff) << 8 | ((code) & 0xff))))
#define FG_CT_ICMP_TYPE(dport) ((uint8_t)(ntohs(dport) >> 8))
#define FG_CT_ICMP_CODE(dport) ((uint8_t)(ntohs(dport) & 0xff))

/* An mnl socket, its sequence counter and buffers; one per thread. */
struct fg_ct;

int fg_ct_open(struct fg_ct **out);
void fg_ct_close(struct fg_ct *ct); /* accepts NULL */
/* Between requests: the buffers' memory goes back to the system (after a
 * flood's batches filled them). */
void fg_ct_give_back(struct fg_ct *ct);

/* Look one entry up by its original or reply tuple (in that zone);
 * -ENOENT if there is none. The kernel matches the tuple against both
 * directions of every entry, whatever attribute carries it: it always
 * goes as CTA_TUPLE_ORIG, dir is kept for the callers' sake. */
int fg_ct_get(struct fg_ct *ct, const struct fg_ct_tuple *t,
	      enum fg_ct_tuple_dir dir, uint16_t zone, struct fg_ct_entry *out);

/* One lookup of a batch. */
struct fg_ct_query {
	struct fg_ct_tuple t;
	enum fg_ct_tuple_dir dir;
	uint16_t zone;
};

/* n lookups, as many per sendmsg() as fit (one syscall each way for a
 * drain round of events instead of two per event): res[i] is 0 with out[i]
 * filled, or -errno (-ENOENT: no such entry). Returns 0 when every lookup
 * was answered, else the socket error that cut the batch short (that error
 * is in res[] of the lookups left unanswered); -EINVAL, nothing sent, for
 * a bad query. res[] is filled in every case. */
int fg_ct_get_many(struct fg_ct *ct, const struct fg_ct_query *q, size_t n,
		   struct fg_ct_entry *out, int *res);

/* Delete by e->orig + e->zone + e->id: -ENOENT if the entry is gone, or if
 * the entry now under that tuple has another id. CAVEAT: the kernel's id is
 * a hash of the entry's address, master, netns and tuples, not a counter.
 * An entry deleted and re-created at once with the same tuple usually lands
 * in the freed slab object and gets the SAME id (every time, on 6.18 here):
 * the id only catches a replacement built elsewhere in memory. */
int fg_ct_delete_entry(struct fg_ct *ct, const struct fg_ct_entry *e);

/* The same for n entries, batched as fg_ct_get_many(): res[i] is 0 or
 * -errno per entry, the return value as there. */
int fg_ct_delete_many(struct fg_ct *ct, const struct fg_ct_entry *e, size_t n,
		      int *res);

/* One kernel-side delete of every entry with (ctmark & mask) == mark, in
 * every zone. family AF_UNSPEC = IPv4 and IPv6 (sent as nfgenmsg version
 * 0), or AF_INET / AF_INET6 only (version 1: version 0 ignores it).
 * -EINVAL without sending anything when mask is 0, when mark has bits
 * outside mask, or for another family. The kernel does not say how many
 * entries went. */
int fg_ct_flush_mark(struct fg_ct *ct, uint8_t family, uint32_t mark,
		     uint32_t mask);

/* Kernel-filtered dump of (ctmark & mask) == mark; mask 0 = every entry.
 * family as above. cb returning < 0 stops the dump and is returned, > 0
 * stops it and 0 is returned. -ENOBUFS (or another socket error) in the
 * middle of a dump: cb saw part of the table; the socket is re-created (in
 * the calling thread's current network namespace) and the caller may retry. */
int fg_ct_dump(struct fg_ct *ct, uint8_t family, uint32_t mark, uint32_t mask,
	       int (*cb)(const struct fg_ct_entry *e, void *arg), void *arg);
int fg_ct_count(struct fg_ct *ct, uint8_t family, uint32_t mark, uint32_t mask,
		uint64_t *count);

/* fg_ct_dump() that also hands cb the entry as `conntrack -L` prints it
 * (libnetfilter_conntrack's nfct_snprintf, no newline). */
#define FG_CT_LINE_MAX 1024
int fg_ct_dump_text(struct fg_ct *ct, uint8_t family, uint32_t mark,
		    uint32_t mask,
		    int (*cb)(const struct fg_ct_entry *e, const char *line,
			      void *arg),
		    void *arg);

/* What a census of the table needs of an entry, read without parsing
 * the rest (a count of 300,000 entries spends most of its time in a full
 * parse otherwise). */
struct fg_ct_brief {
	uint8_t family, l4proto;
	uint32_t mark, status;
};

/* fg_ct_dump() with the brief form; cb's return value as there. An entry
 * without an original tuple's protocol is -EBADMSG. */
int fg_ct_dump_brief(struct fg_ct *ct, uint8_t family, uint32_t mark,
		     uint32_t mask,
		     int (*cb)(const struct fg_ct_brief *b, void *arg),
		     void *arg);

/* Create one entry (NLM_F_CREATE | NLM_F_EXCL): orig and reply tuples (same
 * family and protocol), mark, zone, the changeable status bits of e->status
 * (SEEN_REPLY, ASSURED...; CONFIRMED is always sent: the kernel refuses a
 * status without it with -EBUSY) and, for TCP with tcp_state != 0, that
 * state with window tracking set liberal (the entry has seen no packet).
 * timeout_s must be > 0. -EEXIST if taken; -ENOMEM when the namespace
 * already holds nf_conntrack_max entries (assured ones are never evicted). */
int fg_ct_create(struct fg_ct *ct, const struct fg_ct_entry *e,
		 uint32_t timeout_s);

/* The same for n entries, batched as fg_ct_get_many(). The kernel handles
 * every message even after one fails: the first error is returned and
 * *failed (may be NULL) counts the failures (entries left unanswered by a
 * socket error included). */
int fg_ct_create_many(struct fg_ct *ct, const struct fg_ct_entry *e, size_t n,
		      uint32_t timeout_s, size_t *failed);

/* One ctnetlink message (a dump's or a get's answer, as the kernel sends
 * it: nlmsghdr, nfgenmsg, attributes) in buf[0..len), into *e: what every
 * answer goes through, without a socket. -EBADMSG for anything malformed
 * (e is zeroed then). */
int fg_ct_parse_msg(const void *buf, size_t len, struct fg_ct_entry *e);

/* Netlink messages this handle has sent (tests check "one request"). */
uint64_t fg_ct_msgs_sent(const struct fg_ct *ct);

/* nf_conntrack_count of the caller's network namespace, or -errno. */
long long fg_ct_table_count(void);

/* "tcp 192.0.2.1:1234 -> 198.51.100.1:80",
 * "udp [2001:db8::1]:53 -> [2001:db8::2]:53",
 * "icmp 192.0.2.1 -> 198.51.100.1 id 7 type 8 code 0", "proto 47 ...".
 * -ENOSPC if buf is too small (it still holds a terminated prefix). */
int fg_ct_tuple_fmt(const struct fg_ct_tuple *t, char *buf, size_t len);

#endif /* FG_CT_H */
