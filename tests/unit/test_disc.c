// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_disc.c - the disconnect's pure parts: which TCP entries get their
 * client reset (offloaded ones carry no state), and the summary line. */
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "reset_disc.h"
#include "disconnect.h"
#include "unit.h"

#define OFF IPS_OFFLOAD
#define HW (IPS_OFFLOAD | IPS_HW_OFFLOAD)
/* what a forwarded, NATed, assured entry carries besides */
#define LIVE (IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED | IPS_SRC_NAT)

static struct fg_ct_entry entry(uint8_t proto, uint32_t status, uint8_t st)
{
	struct fg_ct_entry e = {};

	e.orig.family = e.reply.family = AF_INET;
	e.orig.l4proto = e.reply.l4proto = proto;
	e.status = status;
	e.tcp_state = st;
	return e;
}

static int open_tcp(uint32_t status, uint8_t st)
{
	struct fg_ct_entry e = entry(IPPROTO_TCP, status, st);

	return fg_disc_tcp_open(&e);
}

/* Plain entries: open means ESTABLISHED .. LAST_ACK, as before. */
static void test_plain_states(void)
{
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_ESTABLISHED), 1);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_FIN_WAIT), 1);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_CLOSE_WAIT), 1);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_LAST_ACK), 1);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_NONE), 0);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_SYN_SENT), 0);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_SYN_RECV), 0);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_TIME_WAIT), 0);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_CLOSE), 0);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_SYN_SENT2), 0);
	CHECK_EQ_I(open_tcp(LIVE, TCP_CONNTRACK_MAX), 0);
	CHECK_EQ_I(open_tcp(0, TCP_CONNTRACK_ESTABLISHED), 1);
}

/* Offloaded: ctnetlink sends no state (0): open. A state that is known
 * still decides, closed or closing ones included. */
static void test_offloaded(void)
{
	CHECK_EQ_I(open_tcp(LIVE | OFF, 0), 1);
	CHECK_EQ_I(open_tcp(LIVE | HW, 0), 1);
	CHECK_EQ_I(open_tcp(IPS_HW_OFFLOAD, 0), 1); /* either bit */
	CHECK_EQ_I(open_tcp(OFF, 0), 1);
	CHECK_EQ_I(open_tcp(LIVE | OFF, TCP_CONNTRACK_ESTABLISHED), 1);
	CHECK_EQ_I(open_tcp(LIVE | HW, TCP_CONNTRACK_LAST_ACK), 1);
	CHECK_EQ_I(open_tcp(LIVE | OFF, TCP_CONNTRACK_TIME_WAIT), 0);
	CHECK_EQ_I(open_tcp(LIVE | HW, TCP_CONNTRACK_CLOSE), 0);
	CHECK_EQ_I(open_tcp(LIVE | OFF, TCP_CONNTRACK_SYN_SENT), 0);
	CHECK_EQ_I(open_tcp(LIVE | OFF, TCP_CONNTRACK_SYN_SENT2), 0);
	/* the bits next to them mean nothing here */
	CHECK_EQ_I(open_tcp(LIVE | IPS_HELPER | IPS_UNTRACKED, 0), 0);
}

/* Only TCP: an offloaded UDP flow's entry just goes with the delete. */
static void test_not_tcp(void)
{
	struct fg_ct_entry e = entry(IPPROTO_UDP, LIVE | OFF, 0);

	CHECK_EQ_I(fg_disc_tcp_open(&e), 0);
	e = entry(IPPROTO_UDP, LIVE | HW, 0);
	CHECK_EQ_I(fg_disc_tcp_open(&e), 0);
	e = entry(IPPROTO_UDP, LIVE, TCP_CONNTRACK_ESTABLISHED);
	CHECK_EQ_I(fg_disc_tcp_open(&e), 0);
	e = entry(IPPROTO_ICMP, LIVE, 0);
	CHECK_EQ_I(fg_disc_tcp_open(&e), 0);
	e = entry(IPPROTO_SCTP, LIVE | OFF, 0);
	CHECK_EQ_I(fg_disc_tcp_open(&e), 0);
	e = entry(IPPROTO_TCP, LIVE | OFF, 0);
	e.orig.family = e.reply.family = AF_INET6;
	CHECK_EQ_I(fg_disc_tcp_open(&e), 1);
}

static struct fg_disc disc(enum fg_disc_event ev)
{
	struct fg_disc d;
	char err[128];

	CHECK_EQ_I(fg_disc_init(&d, ev, "wan1", "eth1", err, sizeof(err)), 0);
	d.mark = 0x100;
	d.mask = 0x3f00;
	d.mark_src = "service table";
	d.guard = ev == FG_DISC_CONNECTED ? "marked up" : "marked down";
	return d;
}

static void check_summary(const struct fg_disc *d, const char *want)
{
	char buf[512];

	fg_disc_summary(d, buf, sizeof(buf));
	CHECK_STR(buf, want);
	CHECK(!strchr(buf, '\n'));
}

static void test_summary_counted(void)
{
	struct fg_disc d = disc(FG_DISC_DISCONNECTED);

	d.flows = d.reset = 1;
	d.counted = 2;
	d.has_count = 1;
	/* the table shrank by 0 (offload holds its entries a while): the
	 * dump's count wins */
	d.flush.before = d.flush.after = 100;
	check_summary(&d, "disconnected wan1: mark 0x100/0x3f00 (service table), guard marked down, 1 of 1 TCP clients reset, 2 entries deleted (counted by the dump before the delete)");
	CHECK_EQ_I(fg_disc_deleted(&d), 2);

	d.flows = 3;
	d.reset = 2;
	d.offloaded = 3;
	check_summary(&d, "disconnected wan1: mark 0x100/0x3f00 (service table), guard marked down, 2 of 3 TCP clients reset (3 offloaded), 2 entries deleted (counted by the dump before the delete)");
	d.unresolved = 1;
	check_summary(&d, "disconnected wan1: mark 0x100/0x3f00 (service table), guard marked down, 2 of 3 TCP clients reset (3 offloaded; some not in the neighbour table), 2 entries deleted (counted by the dump before the delete)");
	d.offloaded = 0;
	check_summary(&d, "disconnected wan1: mark 0x100/0x3f00 (service table), guard marked down, 2 of 3 TCP clients reset (some not in the neighbour table), 2 entries deleted (counted by the dump before the delete)");

	/* nothing to reset, nothing there */
	d = disc(FG_DISC_DISCONNECTED);
	d.has_count = 1;
	check_summary(&d, "disconnected wan1: mark 0x100/0x3f00 (service table), guard marked down, 0 entries deleted (counted by the dump before the delete)");

	d = disc(FG_DISC_CONNECTED);
	d.counted = 7;
	d.has_count = 1;
	check_summary(&d, "connected wan1: mark 0x100/0x3f00 (service table), guard marked up, 7 unreachable/blackhole entries deleted (counted by the dumps before the deletes)");
}

/* No dump answered: the estimate, and it says so. */
static void test_summary_estimate(void)
{
	struct fg_disc d = disc(FG_DISC_DISCONNECTED);

	d.flush.before = 130;
	d.flush.after = 100;
	check_summary(&d, "disconnected wan1: mark 0x100/0x3f00 (service table), guard marked down, about 30 entries deleted (table size change, approximate)");
	CHECK_EQ_I(fg_disc_deleted(&d), 30);
	d.flush.after = 140; /* grew meanwhile */
	CHECK_EQ_I(fg_disc_deleted(&d), 0);
	d.flush.before = -1; /* unreadable */
	CHECK_EQ_I(fg_disc_deleted(&d), 0);
}

int main(void)
{
	RUN(test_plain_states);
	RUN(test_offloaded);
	RUN(test_not_tcp);
	RUN(test_summary_counted);
	RUN(test_summary_estimate);
	UNIT_EXIT();
}
