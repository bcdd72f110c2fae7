// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_sweep.c - loader/flows_sweep.c on a real LRU hash of the guard's
 * key and value: exactly the expired entries go, across lookup batches,
 * and the service's schedule sweeps only after reports and stops once the
 * map is empty.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "flowguard.h"
#include "flows_sweep.h"
#include "unit.h"

#define SEC_NS 1000000000ULL
#define KEEP_NS SEC_NS
#define NOW_NS (1000 * SEC_NS)

static int map_new(uint32_t max)
{
	return bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "fg_flows_t",
			      sizeof(struct fg_flow_key), sizeof(uint64_t),
			      max, NULL);
}

static struct fg_flow_key key_of(uint32_t i)
{
	struct fg_flow_key k;

	memset(&k, 0, sizeof(k));
	k.family = 2;
	k.l4proto = 6;
	memcpy(k.saddr, &i, sizeof(i));
	k.sport = (uint16_t)i;
	k.ifindex = 7;
	return k;
}

/* Entry i's stamp: every third expired long ago, every third just, the
 * rest young, one in the future (a report after the sweep's clock). */
static uint64_t stamp_of(uint32_t i)
{
	switch (i % 3) {
	case 0:
		return NOW_NS - 60 * SEC_NS;
	case 1:
		return NOW_NS - KEEP_NS;
	default:
		return i == 2 ? NOW_NS + SEC_NS : NOW_NS - KEEP_NS + 1;
	}
}

static int fill(int fd, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct fg_flow_key k = key_of(i);
		uint64_t v = stamp_of(i);

		if (bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

static void check_expire(uint32_t n)
{
	uint32_t left = 99, i, kept = 0, wrong = 0;
	uint64_t removed = 99, v;
	int fd = map_new(8192);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ_I(fill(fd, n), 0);
	CHECK_EQ_I(fg_flows_expire(fd, NOW_NS, KEEP_NS, &removed, &left), 0);
	for (i = 0; i < n; i++) {
		struct fg_flow_key k = key_of(i);
		int young = i % 3 == 2;

		if (!bpf_map_lookup_elem(fd, &k, &v))
			kept++;
		else if (young)
			wrong++;
		if (young && v != stamp_of(i))
			wrong++;
	}
	CHECK_EQ_U(removed, n - n / 3);
	CHECK_EQ_U(left, n / 3);
	CHECK_EQ_U(kept, n / 3);
	CHECK_EQ_U(wrong, 0);
	close(fd);
}

/* 2,999 entries: more than ten lookup batches. */
static void test_expired_go_young_stay(void)
{
	check_expire(2999);
}

static void test_small_and_empty(void)
{
	check_expire(3);
	check_expire(0);
}

static void test_schedule(void)
{
	struct fg_flows_sweep sw;
	uint64_t t = NOW_NS - 30 * SEC_NS, due;
	int fd = map_new(1024);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	fg_flows_sweep_init(&sw, fd, KEEP_NS);
	/* no report yet: nothing planned, nothing swept */
	CHECK_EQ_U(fg_flows_sweep_tick(&sw, t, 0), 0);
	CHECK_EQ_I(fill(fd, 30), 0);
	/* reports: one sweep a period on, not before */
	due = fg_flows_sweep_tick(&sw, t, 30);
	CHECK_EQ_U(due, t + FG_SWEEP_PERIOD_NS);
	CHECK_EQ_U(fg_flows_sweep_tick(&sw, due - 1, 30), due);
	CHECK_EQ_U(sw.sweeps, 0);
	/* at NOW_NS: 20 expired go, 10 young stay, so another is planned */
	due = fg_flows_sweep_tick(&sw, NOW_NS, 30);
	CHECK_EQ_U(sw.sweeps, 1);
	CHECK_EQ_U(sw.removed, 20);
	CHECK_EQ_U(sw.left, 10);
	CHECK_EQ_U(due, NOW_NS + FG_SWEEP_PERIOD_NS);
	/* no report since, all expired by then: the map empties and nothing
	 * more is planned (an idle service sleeps) */
	CHECK_EQ_U(fg_flows_sweep_tick(&sw, due, 30), 0);
	CHECK_EQ_U(sw.removed, 30);
	CHECK_EQ_U(sw.left, 0);
	CHECK_EQ_U(fg_flows_sweep_tick(&sw, due + 100 * SEC_NS, 30), 0);
	CHECK_EQ_U(sw.sweeps, 2);
	close(fd);
}

/* A sweep that cannot read the map says so once and plans nothing until
 * new reports come. */
static void test_unreadable_map(void)
{
	struct fg_flows_sweep sw;
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fg_not_hash", 4, 8, 4,
				NULL);
	uint64_t due;

	CHECK(fd >= 0);
	fg_flows_sweep_init(&sw, fd, KEEP_NS);
	due = fg_flows_sweep_tick(&sw, NOW_NS, 1);
	CHECK_EQ_U(fg_flows_sweep_tick(&sw, due, 1), 0);
	CHECK(sw.failed != 0);
	CHECK_EQ_U(fg_flows_sweep_tick(&sw, due + 1, 2), due + 1 + FG_SWEEP_PERIOD_NS);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	RUN(test_expired_go_young_stay);
	RUN(test_small_and_empty);
	RUN(test_schedule);
	RUN(test_unreadable_map);
	UNIT_EXIT();
}
