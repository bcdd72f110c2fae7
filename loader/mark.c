// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mark.c - mwan3 mark math: bit deposit/extract over mmx_mask, the reserved
 * marks, and strict number parsing for marks and masks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mark.h"

int fg_mark_bits(uint32_t mask)
{
	return __builtin_popcount(mask);
}

uint32_t fg_mark_deposit(uint32_t mask, uint32_t id)
{
	uint32_t out = 0;
	uint32_t bit;

	for (bit = 1; mask && bit; bit <<= 1) {
		uint32_t low = mask & -mask;

		if (id & bit)
			out |= low;
		mask &= mask - 1;
	}
	return out;
}

uint32_t fg_mark_extract(uint32_t mask, uint32_t mark)
{
	uint32_t out = 0;
	uint32_t bit;

	for (bit = 1; mask && bit; bit <<= 1) {
		uint32_t low = mask & -mask;

		if (mark & low)
			out |= bit;
		mask &= mask - 1;
	}
	return out;
}

/* mmdefault = 2^n - 1, computed without shifting by 32. */
static uint32_t mark_mmdefault(uint32_t mask)
{
	int n = fg_mark_bits(mask);

	return n >= 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
}

int fg_mark_reserved(uint32_t mask, struct fg_mark_reserved *r)
{
	uint32_t mmdefault;

	if (fg_mark_bits(mask) < 2)
		return -EINVAL;
	mmdefault = mark_mmdefault(mask);
	r->def = fg_mark_deposit(mask, mmdefault);
	r->unreachable = fg_mark_deposit(mask, mmdefault - 1);
	r->blackhole = fg_mark_deposit(mask, mmdefault - 2);
	return 0;
}

uint32_t fg_mark_max_id(uint32_t mask)
{
	if (fg_mark_bits(mask) < 3)
		return 0;
	return mark_mmdefault(mask) - 3;
}

int fg_mark_from_id(uint32_t mask, uint32_t id, uint32_t *mark, char *err,
		    size_t errlen)
{
	uint32_t max = fg_mark_max_id(mask);

	if (fg_mark_bits(mask) < 2) {
		snprintf(err, errlen, "mask 0x%x needs at least 2 set bits",
			 mask);
		return -EINVAL;
	}
	if (id == 0) {
		snprintf(err, errlen, "interface id 0 is not valid");
		return -EINVAL;
	}
	if (id > mark_mmdefault(mask)) {
		snprintf(err, errlen,
			 "interface id %u does not fit mask 0x%x (max id %u)",
			 id, mask, max);
		return -EINVAL;
	}
	if (id > max) {
		snprintf(err, errlen,
			 "interface id %u reaches a reserved mark 0x%x of mask 0x%x (max id %u)",
			 id, fg_mark_deposit(mask, id), mask, max);
		return -EINVAL;
	}
	*mark = fg_mark_deposit(mask, id);
	return 0;
}

/* Name of the reserved mark equal to mark, NULL if none. */
static const char *mark_reserved_name(uint32_t mask, uint32_t mark)
{
	struct fg_mark_reserved r;

	if (fg_mark_reserved(mask, &r))
		return NULL;
	if (mark == r.def)
		return "default";
	if (mark == r.unreachable)
		return "unreachable";
	if (mark == r.blackhole)
		return "blackhole";
	return NULL;
}

int fg_mark_check_uplink(uint32_t mask, uint32_t mark, char *err,
			 size_t errlen)
{
	const char *reserved;

	if (fg_mark_bits(mask) < 2) {
		snprintf(err, errlen, "mask 0x%x needs at least 2 set bits",
			 mask);
		return -EINVAL;
	}
	if (mark == 0) {
		snprintf(err, errlen, "mark 0 is not an uplink mark");
		return -EINVAL;
	}
	if (mark & ~mask) {
		snprintf(err, errlen, "mark 0x%x has bits outside mask 0x%x",
			 mark, mask);
		return -EINVAL;
	}
	reserved = mark_reserved_name(mask, mark);
	if (reserved) {
		snprintf(err, errlen, "mark 0x%x is mwan3's %s mark", mark,
			 reserved);
		return -EINVAL;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Digits of s[0..len) in base 10 or 16; at least one, no overflow. */
static int parse_digits(const char *s, size_t len, unsigned int base,
			uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT32_MAX - (uint32_t)d) / base)
			return -EINVAL;
		v = v * base + (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* fg_mark_parse_u32() on s[0..len), which need not be NUL-terminated. */
static int parse_u32_n(const char *s, size_t len, uint32_t *out)
{
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, len - 2, 16, out);
	/* a leading zero would be octal to mwan3's shell: refuse it */
	if (len > 1 && s[0] == '0')
		return -EINVAL;
	return parse_digits(s, len, 10, out);
}

int fg_mark_parse_u32(const char *s, uint32_t *out)
{
	if (!s)
		return -EINVAL;
	return parse_u32_n(s, strlen(s), out);
}

int fg_mark_parse_range(const char *s, uint32_t lo, uint32_t hi,
			uint32_t *out)
{
	uint32_t v;

	if (fg_mark_parse_u32(s, &v) || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int fg_mark_parse_pair(const char *s, uint32_t *mark, uint32_t *mask,
		       int *has_mask)
{
	const char *slash;
	uint32_t m, k = 0;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash) {
		if (fg_mark_parse_u32(s, &m))
			return -EINVAL;
		*mark = m;
		*has_mask = 0;
		return 0;
	}
	if (parse_u32_n(s, (size_t)(slash - s), &m) ||
	    fg_mark_parse_u32(slash + 1, &k))
		return -EINVAL;
	*mark = m;
	*mask = k;
	*has_mask = 1;
	return 0;
}
