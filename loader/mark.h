/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mark.h - mwan3 mark math.
 *
 * mwan3 turns an interface id into a mark by depositing the id's bits, lowest
 * first, into the set bits of its mask (mmx_mask). With n set bits and
 * mmdefault = 2^n - 1, the top three ids are reserved: mmdefault (default),
 * mmdefault - 1 (unreachable), mmdefault - 2 (blackhole). Usable ids are
 * 1 .. mmdefault - 3.
 */
#ifndef FG_MARK_H
#define FG_MARK_H

#include <stddef.h>
#include <stdint.h>

/* The three reserved marks, already deposited into the mask. */
struct fg_mark_reserved {
	uint32_t def;
	uint32_t unreachable;
	uint32_t blackhole;
};

/* Number of set bits in mask. */
int fg_mark_bits(uint32_t mask);

/* Deposit the low bits of id into the set bits of mask (pdep); bits of id
 * beyond the mask's bit count are ignored. */
uint32_t fg_mark_deposit(uint32_t mask, uint32_t id);

/* Gather the bits of mark under mask into the low bits (pext); the inverse
 * of fg_mark_deposit(). */
uint32_t fg_mark_extract(uint32_t mask, uint32_t mark);

/* Reserved marks of mask; -EINVAL when mask has fewer than 2 set bits. */
int fg_mark_reserved(uint32_t mask, struct fg_mark_reserved *r);

/* Highest usable interface id (2^n - 4), 0 when the mask allows none. */
uint32_t fg_mark_max_id(uint32_t mask);

/* Mark of interface id under mask. -EINVAL for mask 0 (or < 2 bits), id 0,
 * or an id that reaches the reserved values or does not fit the mask. */
int fg_mark_from_id(uint32_t mask, uint32_t id, uint32_t *mark, char *err,
		    size_t errlen);

/* 0 when mark can be an uplink's mark under mask: nonzero, inside the mask,
 * not one of the reserved marks. -EINVAL otherwise. */
int fg_mark_check_uplink(uint32_t mask, uint32_t mark, char *err,
			 size_t errlen);

/* Strict unsigned 32-bit number: decimal ("0" or no leading zero) or 0x/0X
 * hex, the whole string, no sign or whitespace, no overflow. -EINVAL. */
int fg_mark_parse_u32(const char *s, uint32_t *out);

/* fg_mark_parse_u32() within lo..hi; nothing is written on error
 * (-EINVAL). */
int fg_mark_parse_range(const char *s, uint32_t lo, uint32_t hi,
			uint32_t *out);

/* "MARK" or "MARK/MASK". *has_mask tells which; *mask is left unchanged when
 * there is no "/MASK". Nothing is written on error (-EINVAL). */
int fg_mark_parse_pair(const char *s, uint32_t *mark, uint32_t *mask,
		       int *has_mask);

#endif /* FG_MARK_H */
