// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_event.c - the ring-buffer event decoder (event.c) on arbitrary
 * records: a record passes only at its exact size and with a known family
 * and source; what passes formats into one line, and its tuple turned
 * around twice is itself again (the service looks entries up by both).
 */
#include <string.h>

#include "event.h"
#include "fuzz.h"

static void check_event(const struct fg_event *ev)
{
	struct fg_ct_tuple t, inv, back;
	char line[256], small[24];
	int n;

	n = fg_event_fmt(ev, line, sizeof(line));
	FZ_CHECK(n > 0 && (size_t)n < sizeof(line));
	fz_one_line(line);
	/* too small a buffer: cut, terminated, and said so */
	FZ_CHECK(fg_event_fmt(ev, small, sizeof(small)) < 0);
	FZ_CHECK(strlen(small) == sizeof(small) - 1);

	fg_event_tuple(ev, &t);
	FZ_CHECK(t.family == ev->family && t.l4proto == ev->l4proto);
	fg_tuple_invert(&t, &inv);
	FZ_CHECK(!memcmp(inv.saddr, t.daddr, sizeof(t.daddr)));
	fg_tuple_invert(&inv, &back);
	FZ_CHECK(!memcmp(&back, &t, sizeof(t)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_event ev;

	if (fg_event_check(data, size))
		return 0;
	/* the ring buffer hands out 8-byte aligned records; data may not be */
	memcpy(&ev, data, sizeof(ev));
	check_event(&ev);
	return 0;
}
