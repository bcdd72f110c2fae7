/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * unit.h - the smallest test harness that fits: every check that fails
 * prints "FAIL name: file:line: expr"; each test function prints one
 * "PASS name" or "FAIL name" line, which tests/run.sh counts.
 */
#ifndef FG_UNIT_H
#define FG_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks;
static int unit_failed_tests;

#define CHECK(expr)                                                         \
	do {                                                                \
		if (!(expr)) {                                              \
			fprintf(stdout, "  check failed: %s:%d: %s\n",      \
				__FILE__, __LINE__, #expr);                 \
			unit_failed_checks++;                               \
		}                                                           \
	} while (0)

#define CHECK_EQ_U(a, b)                                                    \
	do {                                                                \
		unsigned long long _a = (a), _b = (b);                      \
		if (_a != _b) {                                             \
			fprintf(stdout,                                     \
				"  check failed: %s:%d: %s == %s (0x%llx != 0x%llx)\n", \
				__FILE__, __LINE__, #a, #b, _a, _b);        \
			unit_failed_checks++;                               \
		}                                                           \
	} while (0)

#define CHECK_EQ_I(a, b)                                                    \
	do {                                                                \
		long long _a = (a), _b = (b);                               \
		if (_a != _b) {                                             \
			fprintf(stdout,                                     \
				"  check failed: %s:%d: %s == %s (%lld != %lld)\n", \
				__FILE__, __LINE__, #a, #b, _a, _b);        \
			unit_failed_checks++;                               \
		}                                                           \
	} while (0)

#define CHECK_STR(a, b)                                                     \
	do {                                                                \
		const char *_a = (a), *_b = (b);                            \
		if (!_a || !_b || strcmp(_a, _b)) {                         \
			fprintf(stdout,                                     \
				"  check failed: %s:%d: \"%s\" == \"%s\"\n", \
				__FILE__, __LINE__, _a ? _a : "(null)",     \
				_b ? _b : "(null)");                        \
			unit_failed_checks++;                               \
		}                                                           \
	} while (0)

#define RUN(fn)                                                             \
	do {                                                                \
		int _before = unit_failed_checks;                           \
		fn();                                                       \
		if (unit_failed_checks == _before) {                        \
			printf("PASS %s\n", #fn);                           \
		} else {                                                    \
			printf("FAIL %s\n", #fn);                           \
			unit_failed_tests++;                                \
		}                                                           \
		fflush(stdout);                                             \
	} while (0)

#define SKIP(fn, why) printf("SKIP %s: %s\n", #fn, why)

#define UNIT_EXIT() return unit_failed_tests ? 1 : 0

#endif /* FG_UNIT_H */
