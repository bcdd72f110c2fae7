// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_counters.c - the loader's walk over the guard's named counters
 * (loader/counters.h): counter number i is the i-th field of struct
 * fg_counters, and its name is the field's own, the one bpftool shows.
 */
#include <string.h>

#include "counters.h"
#include "unit.h"

/* each field set to a value of its own, then read back by number */
static void test_counter_at_is_the_field(void)
{
	struct fg_counters c = {
		.seen = 101, .no_ct = 102, .flagged = 103, .events = 104,
		.lost = 105, .lookup = 106, .lookup_hits = 107, .unparsed = 108,
	};
	size_t i;

	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(seen)), 101);
	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(no_ct)), 102);
	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(flagged)), 103);
	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(events)), 104);
	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(lost)), 105);
	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(lookup)), 106);
	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(lookup_hits)), 107);
	CHECK_EQ_U(fg_counter_at(&c, FG_COUNTER_INDEX(unparsed)), 108);
	/* in declaration order, every one of them */
	for (i = 0; i < FG_NR_COUNTERS; i++)
		CHECK_EQ_U(fg_counter_at(&c, i), 101 + i);
}

/* the JSON status and the metrics name them as the BTF does */
static void test_names_are_the_fields(void)
{
	static const char *const fields[FG_NR_COUNTERS] = {
		"seen", "no_ct", "flagged", "events",
		"lost", "lookup", "lookup_hits", "unparsed",
	};
	size_t i;

	for (i = 0; i < FG_NR_COUNTERS; i++)
		CHECK_STR(fg_counter_names[i], fields[i]);
	CHECK_STR(fg_counter_names[FG_COUNTER_INDEX(lookup_hits)], "lookup_hits");
}

int main(void)
{
	RUN(test_counter_at_is_the_field);
	RUN(test_names_are_the_fields);
	UNIT_EXIT();
}
