// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_mark.c - mwan3 mark math and number parsing. */
#include <errno.h>
#include <stdint.h>

#include "mark.h"
#include "unit.h"

static char err[256];

/* Every id deposits inside the mask, extracts back, and is unique. */
static void check_roundtrips(uint32_t mask)
{
	uint32_t n = (UINT32_C(1) << fg_mark_bits(mask)) - 1;
	uint32_t id, bad = 0;

	for (id = 0; id <= n; id++) {
		uint32_t mark = fg_mark_deposit(mask, id);

		if ((mark & ~mask) || fg_mark_extract(mask, mark) != id)
			bad++;
		if (id && mark == fg_mark_deposit(mask, id - 1))
			bad++;
	}
	CHECK_EQ_U(bad, 0);
}

/* Usable ids map to accepted marks; reserved ids are refused both ways. */
static void check_ids(uint32_t mask, uint32_t max_id)
{
	uint32_t id, mark, bad = 0;

	CHECK_EQ_U(fg_mark_max_id(mask), max_id);
	for (id = 1; id <= max_id; id++) {
		if (fg_mark_from_id(mask, id, &mark, err, sizeof(err)) ||
		    mark != fg_mark_deposit(mask, id) ||
		    fg_mark_check_uplink(mask, mark, err, sizeof(err)))
			bad++;
	}
	CHECK_EQ_U(bad, 0);
	for (id = max_id + 1; id <= max_id + 3; id++) {
		CHECK(fg_mark_from_id(mask, id, &mark, err, sizeof(err)) ==
		      -EINVAL);
		CHECK(fg_mark_check_uplink(mask, fg_mark_deposit(mask, id), err,
					   sizeof(err)) == -EINVAL);
	}
	CHECK(fg_mark_from_id(mask, 0, &mark, err, sizeof(err)) == -EINVAL);
	CHECK(fg_mark_from_id(mask, max_id + 4, &mark, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "does not fit") != NULL);
}

static void test_bits(void)
{
	CHECK_EQ_U(fg_mark_bits(0), 0);
	CHECK_EQ_U(fg_mark_bits(0x3f00), 6);
	CHECK_EQ_U(fg_mark_bits(0xff00), 8);
	CHECK_EQ_U(fg_mark_bits(0xaa), 4);
	CHECK_EQ_U(fg_mark_bits(0x30300), 4);
	CHECK_EQ_U(fg_mark_bits(0xffffffff), 32);
}

static void test_mask_3f00(void)
{
	struct fg_mark_reserved r;
	uint32_t mark;

	CHECK_EQ_U(fg_mark_deposit(0x3f00, 1), 0x100);
	CHECK_EQ_U(fg_mark_deposit(0x3f00, 2), 0x200);
	CHECK_EQ_U(fg_mark_deposit(0x3f00, 60), 0x3c00);
	CHECK_EQ_U(fg_mark_deposit(0x3f00, 64 + 1), 0x100); /* extra bits */
	CHECK_EQ_U(fg_mark_extract(0x3f00, 0x3c00), 60);
	CHECK_EQ_U(fg_mark_extract(0x3f00, 0xffff), 63);
	CHECK(fg_mark_reserved(0x3f00, &r) == 0);
	CHECK_EQ_U(r.def, 0x3f00);
	CHECK_EQ_U(r.unreachable, 0x3e00);
	CHECK_EQ_U(r.blackhole, 0x3d00);
	CHECK(fg_mark_from_id(0x3f00, 60, &mark, err, sizeof(err)) == 0);
	CHECK_EQ_U(mark, 0x3c00);
	CHECK(fg_mark_from_id(0x3f00, 61, &mark, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "reserved") != NULL);
	check_roundtrips(0x3f00);
	check_ids(0x3f00, 60);
}

static void test_mask_ff00(void)
{
	struct fg_mark_reserved r;

	CHECK(fg_mark_reserved(0xff00, &r) == 0);
	CHECK_EQ_U(r.def, 0xff00);
	CHECK_EQ_U(r.unreachable, 0xfe00);
	CHECK_EQ_U(r.blackhole, 0xfd00);
	CHECK_EQ_U(fg_mark_deposit(0xff00, 252), 0xfc00);
	check_roundtrips(0xff00);
	check_ids(0xff00, 252);
}

static void test_mask_noncontiguous(void)
{
	struct fg_mark_reserved r;

	CHECK_EQ_U(fg_mark_deposit(0xaa, 5), 0x22);
	CHECK_EQ_U(fg_mark_extract(0xaa, 0x22), 5);
	CHECK(fg_mark_reserved(0xaa, &r) == 0);
	CHECK_EQ_U(r.def, 0xaa);
	CHECK_EQ_U(r.unreachable, 0xa8);
	CHECK_EQ_U(r.blackhole, 0xa2);
	check_roundtrips(0xaa);
	check_ids(0xaa, 12);

	CHECK_EQ_U(fg_mark_deposit(0x30300, 4), 0x10000);
	CHECK_EQ_U(fg_mark_deposit(0x30300, 3), 0x300);
	CHECK_EQ_U(fg_mark_extract(0x30300, 0x10000), 4);
	CHECK(fg_mark_reserved(0x30300, &r) == 0);
	CHECK_EQ_U(r.def, 0x30300);
	CHECK_EQ_U(r.unreachable, 0x30200);
	CHECK_EQ_U(r.blackhole, 0x30100);
	check_roundtrips(0x30300);
	check_ids(0x30300, 12);
}

static void test_full_mask(void)
{
	struct fg_mark_reserved r;
	uint32_t mark;

	CHECK_EQ_U(fg_mark_deposit(0xffffffff, 0x12345678), 0x12345678);
	CHECK_EQ_U(fg_mark_extract(0xffffffff, 0x12345678), 0x12345678);
	CHECK_EQ_U(fg_mark_deposit(0x80000001, 2), 0x80000000);
	CHECK_EQ_U(fg_mark_extract(0x80000001, 0x80000000), 2);
	CHECK(fg_mark_reserved(0xffffffff, &r) == 0);
	CHECK_EQ_U(r.def, 0xffffffff);
	CHECK_EQ_U(r.blackhole, 0xfffffffd);
	CHECK_EQ_U(fg_mark_max_id(0xffffffff), 0xfffffffc);
	CHECK(fg_mark_from_id(0xffffffff, 0xfffffffc, &mark, err,
			      sizeof(err)) == 0);
	CHECK(fg_mark_from_id(0xffffffff, 0xfffffffd, &mark, err,
			      sizeof(err)) == -EINVAL);
}

static void test_small_masks(void)
{
	struct fg_mark_reserved r;
	uint32_t mark = 0x1234;

	CHECK(fg_mark_reserved(0, &r) == -EINVAL);
	CHECK(fg_mark_reserved(0x100, &r) == -EINVAL);
	CHECK_EQ_U(fg_mark_max_id(0), 0);
	CHECK_EQ_U(fg_mark_max_id(0x100), 0);
	CHECK(fg_mark_from_id(0, 1, &mark, err, sizeof(err)) == -EINVAL);
	CHECK(fg_mark_from_id(0x100, 1, &mark, err, sizeof(err)) == -EINVAL);
	CHECK(fg_mark_check_uplink(0, 0x100, err, sizeof(err)) == -EINVAL);
	CHECK(fg_mark_check_uplink(0x100, 0x100, err, sizeof(err)) == -EINVAL);
	/* 2 bits: all three non-zero values are reserved, no usable id */
	CHECK(fg_mark_reserved(0x300, &r) == 0);
	CHECK_EQ_U(r.def, 0x300);
	CHECK_EQ_U(r.unreachable, 0x200);
	CHECK_EQ_U(r.blackhole, 0x100);
	CHECK_EQ_U(fg_mark_max_id(0x300), 0);
	CHECK(fg_mark_from_id(0x300, 1, &mark, err, sizeof(err)) == -EINVAL);
	CHECK(fg_mark_check_uplink(0x300, 0x100, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "blackhole") != NULL);
	CHECK_EQ_U(mark, 0x1234); /* untouched on error */
}

static void test_check_uplink(void)
{
	CHECK(fg_mark_check_uplink(0x3f00, 0x100, err, sizeof(err)) == 0);
	CHECK(fg_mark_check_uplink(0x3f00, 0x3c00, err, sizeof(err)) == 0);
	CHECK(fg_mark_check_uplink(0x3f00, 0, err, sizeof(err)) == -EINVAL);
	CHECK(fg_mark_check_uplink(0x3f00, 0x101, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "outside mask") != NULL);
	CHECK(fg_mark_check_uplink(0x3f00, 0x4000, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(fg_mark_check_uplink(0x3f00, 0x3f00, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "default") != NULL);
	CHECK(fg_mark_check_uplink(0x3f00, 0x3e00, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "unreachable") != NULL);
	CHECK(fg_mark_check_uplink(0x3f00, 0x3d00, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(fg_mark_check_uplink(0xaa, 0x22, err, sizeof(err)) == 0);
	CHECK(fg_mark_check_uplink(0xaa, 0x04, err, sizeof(err)) == -EINVAL);
	CHECK(fg_mark_check_uplink(0x30300, 0x10000, err, sizeof(err)) == 0);
	/* a tiny error buffer truncates, never overflows */
	CHECK(fg_mark_check_uplink(0x3f00, 0x3f00, err, 4) == -EINVAL);
	CHECK_EQ_U(strlen(err), 3);
}

static void test_parse_u32(void)
{
	static const char *const bad[] = {
		"", "0x", "0X", "-1", "+1", "0x1ffffffff", "4294967296",
		"12abc", " 1", "1 ", "0x-1", "1.5", "010", "00", "x10",
		"0x 1", "99999999999999999999", "0xg", "1\n",
	};
	uint32_t v = 7;
	size_t i;

	CHECK(fg_mark_parse_u32("0", &v) == 0);
	CHECK_EQ_U(v, 0);
	CHECK(fg_mark_parse_u32("256", &v) == 0);
	CHECK_EQ_U(v, 256);
	CHECK(fg_mark_parse_u32("0x3F00", &v) == 0);
	CHECK_EQ_U(v, 0x3f00);
	CHECK(fg_mark_parse_u32("0X3f00", &v) == 0);
	CHECK_EQ_U(v, 0x3f00);
	CHECK(fg_mark_parse_u32("0x0000ffffffff", &v) == 0);
	CHECK_EQ_U(v, 0xffffffff);
	CHECK(fg_mark_parse_u32("4294967295", &v) == 0);
	CHECK_EQ_U(v, 0xffffffff);
	CHECK(fg_mark_parse_u32("0x0", &v) == 0);
	CHECK_EQ_U(v, 0);
	v = 7;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (fg_mark_parse_u32(bad[i], &v) != -EINVAL)
			printf("  accepted \"%s\"\n", bad[i]);
		CHECK(fg_mark_parse_u32(bad[i], &v) == -EINVAL);
	}
	CHECK_EQ_U(v, 7);
	CHECK(fg_mark_parse_u32(NULL, &v) == -EINVAL);
}

static void test_parse_range(void)
{
	uint32_t v = 7;

	CHECK(fg_mark_parse_range("1", 1, 10, &v) == 0);
	CHECK_EQ_U(v, 1);
	CHECK(fg_mark_parse_range("0xa", 1, 10, &v) == 0);
	CHECK_EQ_U(v, 10);
	CHECK(fg_mark_parse_range("4294967295", 0, UINT32_MAX, &v) == 0);
	CHECK_EQ_U(v, UINT32_MAX);
	v = 7;
	CHECK(fg_mark_parse_range("0", 1, 10, &v) == -EINVAL);
	CHECK(fg_mark_parse_range("11", 1, 10, &v) == -EINVAL);
	CHECK(fg_mark_parse_range("010", 1, 10, &v) == -EINVAL);
	CHECK(fg_mark_parse_range("", 0, 10, &v) == -EINVAL);
	CHECK(fg_mark_parse_range(NULL, 0, 10, &v) == -EINVAL);
	CHECK_EQ_U(v, 7);
}

static void test_parse_pair(void)
{
	uint32_t mark = 0, mask = 0x55;
	int has = -1;

	CHECK(fg_mark_parse_pair("0x100", &mark, &mask, &has) == 0);
	CHECK_EQ_U(mark, 0x100);
	CHECK_EQ_U(mask, 0x55);
	CHECK_EQ_U(has, 0);
	CHECK(fg_mark_parse_pair("0x200/0x3f00", &mark, &mask, &has) == 0);
	CHECK_EQ_U(mark, 0x200);
	CHECK_EQ_U(mask, 0x3f00);
	CHECK_EQ_U(has, 1);
	CHECK(fg_mark_parse_pair("256/65280", &mark, &mask, &has) == 0);
	CHECK_EQ_U(mark, 256);
	CHECK_EQ_U(mask, 0xff00);
	mark = mask = 1;
	has = 5;
	CHECK(fg_mark_parse_pair("", &mark, &mask, &has) == -EINVAL);
	CHECK(fg_mark_parse_pair("/", &mark, &mask, &has) == -EINVAL);
	CHECK(fg_mark_parse_pair("0x100/", &mark, &mask, &has) == -EINVAL);
	CHECK(fg_mark_parse_pair("/0x3f00", &mark, &mask, &has) == -EINVAL);
	CHECK(fg_mark_parse_pair("0x100/0x3f00/1", &mark, &mask, &has) ==
	      -EINVAL);
	CHECK(fg_mark_parse_pair("0x100 /0x3f00", &mark, &mask, &has) ==
	      -EINVAL);
	CHECK(fg_mark_parse_pair("0x100/0x1ffffffff", &mark, &mask, &has) ==
	      -EINVAL);
	CHECK(fg_mark_parse_pair(NULL, &mark, &mask, &has) == -EINVAL);
	CHECK_EQ_U(mark, 1);
	CHECK_EQ_U(mask, 1);
	CHECK_EQ_U(has, 5);
}

int main(void)
{
	RUN(test_bits);
	RUN(test_mask_3f00);
	RUN(test_mask_ff00);
	RUN(test_mask_noncontiguous);
	RUN(test_full_mask);
	RUN(test_small_masks);
	RUN(test_check_uplink);
	RUN(test_parse_u32);
	RUN(test_parse_range);
	RUN(test_parse_pair);
	UNIT_EXIT();
}
