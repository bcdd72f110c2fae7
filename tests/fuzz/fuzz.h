/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fuzz.h - what the libFuzzer targets share: a check that aborts (so the
 * fuzzer keeps the input) and the house rule that bad input is reported
 * in one clear line.
 */
#ifndef FG_FUZZ_H
#define FG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FZ_CHECK(cond)                                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* An error message: non-empty, one line, no control characters (it goes
 * to stderr or syslog as is). */
static inline void fz_one_line(const char *err)
{
	const unsigned char *p = (const unsigned char *)err;

	FZ_CHECK(*p);
	for (; *p; p++)
		FZ_CHECK(*p >= 0x20 && *p != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FG_FUZZ_H */
