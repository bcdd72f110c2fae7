// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ctfmt.c - what the operator verbs print and select by: protocol
 * and TCP state names, the class of a mark (uplink, unmarked, mwan3's
 * reserved ones, other; masks 0x3f00 and the non-contiguous 0x30300),
 * and an entry's text line and JSON object, byte for byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include "conf.h"
#include "ctfmt.h"
#include "marknames.h"
#include "unit.h"

static void test_proto_names(void)
{
	CHECK_EQ_I(fg_ctfmt_proto_parse("tcp"), IPPROTO_TCP);
	CHECK_EQ_I(fg_ctfmt_proto_parse("UDP"), IPPROTO_UDP);
	CHECK_EQ_I(fg_ctfmt_proto_parse("icmpv6"), IPPROTO_ICMPV6);
	CHECK_EQ_I(fg_ctfmt_proto_parse("47"), 47);
	CHECK_EQ_I(fg_ctfmt_proto_parse("0"), 0);
	CHECK_EQ_I(fg_ctfmt_proto_parse("255"), 255);
	CHECK_EQ_I(fg_ctfmt_proto_parse("256"), -1);
	CHECK_EQ_I(fg_ctfmt_proto_parse("6x"), -1);
	CHECK_EQ_I(fg_ctfmt_proto_parse("-1"), -1);
	CHECK_EQ_I(fg_ctfmt_proto_parse(""), -1);
	CHECK_EQ_I(fg_ctfmt_proto_parse("bogus"), -1);
	CHECK_STR(fg_ctfmt_proto_name(IPPROTO_GRE), "gre");
	CHECK(fg_ctfmt_proto_name(99) == NULL);
}

static void test_state_names(void)
{
	CHECK_EQ_I(fg_ctfmt_state_parse("ESTABLISHED"), 3);
	CHECK_EQ_I(fg_ctfmt_state_parse("time_wait"), 7);
	CHECK_EQ_I(fg_ctfmt_state_parse("NONE"), -1);
	CHECK_EQ_I(fg_ctfmt_state_parse(""), -1);
	CHECK_STR(fg_ctfmt_state_name(5), "CLOSE_WAIT");
	CHECK(fg_ctfmt_state_name(0) == NULL);
	CHECK(fg_ctfmt_state_name(200) == NULL);
}

static void names_of(struct fg_marknames *t, uint32_t mask)
{
	struct fg_conf c;
	char err[128];

	fg_conf_defaults(&c);
	c.mask = mask;
	CHECK_EQ_I(fg_conf_add_uplink_arg(&c, "wan:eth0:0x100", err, sizeof(err)), 0);
	CHECK_EQ_I(fg_conf_add_uplink_arg(&c, mask == 0x3f00 ? "lte:wwan0:0x200" :
					  "lte:wwan0:0x10000", err, sizeof(err)), 0);
	CHECK_EQ_I(fg_marknames_from_conf(t, &c), 0);
}

static void test_classes_3f00(void)
{
	struct fg_marknames t;
	size_t i = 99;

	names_of(&t, 0x3f00);
	CHECK_EQ_I(fg_marknames_class(&t, 0x100, &i), FG_MC_UPLINK);
	CHECK_EQ_U(i, 0);
	CHECK_EQ_I(fg_marknames_class(&t, 0x70200, &i), FG_MC_UPLINK);
	CHECK_EQ_U(i, 1);
	CHECK_EQ_I(fg_marknames_class(&t, 0, NULL), FG_MC_UNMARKED);
	CHECK_EQ_I(fg_marknames_class(&t, 0xff, NULL), FG_MC_UNMARKED);
	CHECK_EQ_I(fg_marknames_class(&t, 0x3f00, NULL), FG_MC_DEFAULT);
	CHECK_EQ_I(fg_marknames_class(&t, 0x3e00, NULL), FG_MC_UNREACHABLE);
	CHECK_EQ_I(fg_marknames_class(&t, 0x3d00, NULL), FG_MC_BLACKHOLE);
	CHECK_EQ_I(fg_marknames_class(&t, 0x300, NULL), FG_MC_OTHER);
	CHECK_EQ_I(fg_marknames_find(&t, "lte"), 1);
	CHECK_EQ_I(fg_marknames_find(&t, "wan2"), -1);
	CHECK_STR(fg_mark_class_name(FG_MC_BLACKHOLE), "blackhole");
}

/* 0x30300: four bits, ids deposit into 0x100, 0x200, 0x10000, 0x20000;
 * default is the mask (id 15), unreachable 0x30200 (id 14), blackhole
 * 0x30100 (id 13). */
static void test_classes_noncontiguous(void)
{
	struct fg_marknames t;

	names_of(&t, 0x30300);
	CHECK_EQ_U(t.reserved[0], 0x30300);
	CHECK_EQ_U(t.reserved[1], 0x30200);
	CHECK_EQ_U(t.reserved[2], 0x30100);
	CHECK_EQ_I(fg_marknames_class(&t, 0x10000, NULL), FG_MC_UPLINK);
	CHECK_EQ_I(fg_marknames_class(&t, 0x30300, NULL), FG_MC_DEFAULT);
	CHECK_EQ_I(fg_marknames_class(&t, 0x30200, NULL), FG_MC_UNREACHABLE);
	CHECK_EQ_I(fg_marknames_class(&t, 0x30100, NULL), FG_MC_BLACKHOLE);
	CHECK_EQ_I(fg_marknames_class(&t, 0x20300, NULL), FG_MC_OTHER);
	CHECK_EQ_I(fg_marknames_class(&t, 0x3c00, NULL), FG_MC_UNMARKED);
	CHECK_EQ_I(fg_marknames_class(&t, 0x200, NULL), FG_MC_OTHER);
}

/* What fg_ctfmt_* wrote into a memory stream. */
static char *fmt_entry(const struct fg_ct_entry *e, const struct fg_marknames *t,
		       int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (json)
		fg_ctfmt_json(f, e, t);
	else
		fg_ctfmt_text(f, e, t);
	fclose(f);
	return buf;
}

static void test_entry_text_and_json(void)
{
	struct fg_ct_entry e = { 0 };
	struct fg_marknames t;
	char *s;

	names_of(&t, 0x3f00);
	e.orig.family = e.reply.family = AF_INET;
	e.orig.l4proto = e.reply.l4proto = IPPROTO_TCP;
	inet_pton(AF_INET, "10.0.0.2", e.orig.saddr);
	inet_pton(AF_INET, "192.0.2.1", e.orig.daddr);
	inet_pton(AF_INET, "192.0.2.1", e.reply.saddr);
	inet_pton(AF_INET, "198.51.100.7", e.reply.daddr);
	e.orig.sport = e.reply.dport = htons(40000);
	e.orig.dport = e.reply.sport = htons(443);
	e.mark = 0x200;
	e.status = IPS_SEEN_REPLY | IPS_ASSURED | IPS_OFFLOAD;
	e.id = 7;
	e.has_counters = 1;
	e.packets[0] = 3;
	e.bytes[0] = 180;
	e.packets[1] = 2;
	e.bytes[1] = 120;
	s = fmt_entry(&e, &t, 0);
	CHECK_STR(s, "ipv4 tcp    6 src=10.0.0.2 dst=192.0.2.1 sport=40000 dport=443 packets=3 bytes=180 "
		     "src=192.0.2.1 dst=198.51.100.7 sport=443 dport=40000 packets=2 bytes=120 "
		     "[OFFLOAD] [ASSURED] mark=0x200 uplink=lte\n");
	free(s);
	s = fmt_entry(&e, &t, 1);
	CHECK_STR(s, "{\"family\":4,\"proto\":\"tcp\",\"protonum\":6,"
		     "\"orig\":{\"src\":\"10.0.0.2\",\"dst\":\"192.0.2.1\",\"sport\":40000,\"dport\":443,\"packets\":3,\"bytes\":180},"
		     "\"reply\":{\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.7\",\"sport\":443,\"dport\":40000,\"packets\":2,\"bytes\":120},"
		     "\"mark\":512,\"class\":\"uplink\",\"uplink\":\"lte\",\"offload\":true,\"hw_offload\":false,"
		     "\"assured\":true,\"seen_reply\":true,\"zone\":0,\"id\":7}");
	free(s);
	CHECK_EQ_U(fg_ctfmt_total(&e, 0), 300);
	CHECK_EQ_U(fg_ctfmt_total(&e, 1), 5);
}

int main(void)
{
	RUN(test_proto_names);
	RUN(test_state_names);
	RUN(test_classes_3f00);
	RUN(test_classes_noncontiguous);
	RUN(test_entry_text_and_json);
	UNIT_EXIT();
}
