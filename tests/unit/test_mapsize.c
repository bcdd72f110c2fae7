// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_mapsize.c - the dedupe map and ring buffer sizes for a table. */
#include <stdint.h>

#include "flowguard.h"
#include "mapsize.h"
#include "unit.h"

static void test_flows_follow_the_table(void)
{
	CHECK_EQ_U(fg_mapsize_flows(0), FG_MAX_FLOWS);
	CHECK_EQ_U(fg_mapsize_flows(16384), 16384);
	CHECK_EQ_U(fg_mapsize_flows(262144), FG_MAX_FLOWS);
	CHECK_EQ_U(fg_mapsize_flows(100), FG_MIN_FLOWS);
	CHECK_EQ_U(fg_mapsize_flows(FG_MAX_FLOWS + 1ULL), FG_MAX_FLOWS);
}

static void test_ringbuf_scales_as_a_power_of_two(void)
{
	CHECK_EQ_U(fg_mapsize_ringbuf(FG_MAX_FLOWS), FG_RINGBUF_BYTES);
	CHECK_EQ_U(fg_mapsize_ringbuf(16384), FG_RINGBUF_BYTES / 4);
	CHECK_EQ_U(fg_mapsize_ringbuf(10000), FG_RINGBUF_BYTES / 4);
	CHECK_EQ_U(fg_mapsize_ringbuf(FG_MIN_FLOWS), FG_MIN_RINGBUF_BYTES);
}

int main(void)
{
	RUN(test_flows_follow_the_table);
	RUN(test_ringbuf_scales_as_a_power_of_two);
	UNIT_EXIT();
}
