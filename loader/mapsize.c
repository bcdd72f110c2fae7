// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mapsize.c - the dedupe map and the ring buffer sized for this router. */
#include <inttypes.h>
#include <stdio.h>

#include "flowguard.h"
#include "mapsize.h"

uint32_t fg_mapsize_flows(uint64_t ct_max)
{
	if (!ct_max || ct_max > FG_MAX_FLOWS)
		return FG_MAX_FLOWS;
	return ct_max < FG_MIN_FLOWS ? FG_MIN_FLOWS : (uint32_t)ct_max;
}

uint32_t fg_mapsize_ringbuf(uint32_t flows)
{
	uint64_t want = (uint64_t)FG_RINGBUF_BYTES * flows / FG_MAX_FLOWS;
	uint32_t bytes = FG_MIN_RINGBUF_BYTES;

	while (bytes < want && bytes < FG_RINGBUF_BYTES)
		bytes *= 2;
	return bytes;
}

uint64_t fg_mapsize_ct_max(void)
{
	FILE *f = fopen(FG_CT_MAX_SYSCTL, "re");
	uint64_t v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%" SCNu64, &v) != 1)
		v = 0;
	fclose(f);
	return v;
}
