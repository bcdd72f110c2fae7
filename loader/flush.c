// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flush.c - the mark-based conntrack flush with its seatbelts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "flush.h"
#include "mark.h"

int fg_flush_check(uint32_t mark, uint32_t mask, char *err, size_t errlen)
{
	if (fg_mark_bits(mask) < 2) {
		snprintf(err, errlen, "refusing to flush with mask 0x%x", mask);
		return -EINVAL;
	}
	/* 0, outside the mask, reserved: all refused here */
	return fg_mark_check_uplink(mask, mark, err, errlen);
}

static int fg_flush_one(struct fg_ct *ct, uint8_t family, uint32_t mark,
			uint32_t mask, char *err, size_t errlen)
{
	int rc = fg_ct_flush_mark(ct, family, mark, mask);

	if (rc)
		snprintf(err, errlen, "conntrack delete of mark 0x%x/0x%x: %s",
			 mark, mask, strerror(-rc));
	return rc;
}

int fg_flush_mark(struct fg_ct *ct, uint8_t family, uint32_t mark,
		  uint32_t mask, struct fg_flush_result *r, char *err,
		  size_t errlen)
{
	int rc = fg_flush_check(mark, mask, err, errlen);

	if (rc)
		return rc;
	r->before = fg_ct_table_count();
	rc = fg_flush_one(ct, family, mark, mask, err, errlen);
	r->after = fg_ct_table_count();
	return rc;
}

int fg_flush_stuck(struct fg_ct *ct, uint32_t mask, struct fg_flush_result *r,
		   char *err, size_t errlen)
{
	struct fg_mark_reserved res;
	int rc;

	if (fg_mark_reserved(mask, &res)) {
		snprintf(err, errlen, "refusing to flush with mask 0x%x", mask);
		return -EINVAL;
	}
	r->before = fg_ct_table_count();
	rc = fg_flush_one(ct, AF_UNSPEC, res.unreachable, mask, err, errlen);
	if (!rc)
		rc = fg_flush_one(ct, AF_UNSPEC, res.blackhole, mask, err,
				  errlen);
	r->after = fg_ct_table_count();
	return rc;
}

long long fg_flush_approx(const struct fg_flush_result *r)
{
	if (r->before < 0 || r->after < 0 || r->after > r->before)
		return 0;
	return r->before - r->after;
}
