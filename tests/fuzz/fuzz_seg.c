// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_seg.c - the TCP segment reader (reset_tcpseg.c), which reads what LAN
 * hosts send back to the client reset, on arbitrary packets of both
 * families; a segment it accepts builds back into a packet it accepts
 * again, with the same fields.
 */
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "reset_tcpseg.h"

static void check_family(const uint8_t *data, size_t size, int family)
{
	struct fg_seg s, again;
	uint8_t pkt[FG_SEG_MAX];
	int n;

	if (fg_seg_parse(data, size, family, &s))
		return;
	FZ_CHECK(s.t.family == family);
	n = fg_seg_build(&s, pkt, sizeof(pkt));
	FZ_CHECK(n > 0 && (size_t)n <= sizeof(pkt));
	FZ_CHECK(!fg_seg_parse(pkt, (size_t)n, family, &again));
	FZ_CHECK(again.seq == s.seq && again.ack == s.ack &&
		 again.flags == s.flags);
	FZ_CHECK(!memcmp(&again.t, &s.t, sizeof(s.t)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_family(data, size, AF_INET);
	check_family(data, size, AF_INET6);
	return 0;
}
