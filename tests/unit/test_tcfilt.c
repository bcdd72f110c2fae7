// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_tcfilt.c - which filter runs before ours, and how it is named. */
#include "tcfilt.h"
#include "unit.h"

#define OURS 0xf16

static struct fg_tcfilt filt(uint32_t pref, uint32_t handle, uint32_t chain,
			    const char *kind, const char *name, uint32_t id)
{
	struct fg_tcfilt f;

	memset(&f, 0, sizeof(f));
	f.pref = pref;
	f.handle = handle;
	f.chain = chain;
	f.prog_id = id;
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.name, sizeof(f.name), "%s", name);
	return f;
}

static void test_before(void)
{
	struct fg_tcfilt f[4];

	/* alone, or first */
	f[0] = filt(1, OURS, 0, "bpf", "fg_guard_ct_kct", 7);
	CHECK(!fg_tcfilt_before(f, 1, 1, OURS));
	f[1] = filt(5000, 5000, 0, "bpf", "fg_count", 9);
	CHECK(!fg_tcfilt_before(f, 2, 1, OURS));
	/* after a lower pref */
	f[0] = filt(5000, 5000, 0, "bpf", "fg_count", 9);
	f[1] = filt(7000, OURS, 0, "bpf", "", 7);
	CHECK(fg_tcfilt_before(f, 2, 7000, OURS) == &f[0]);
	/* at our pref, listed (so tried) before ours */
	f[0] = filt(1, 1, 0, "bpf", "x.o:[tc]", 3);
	f[1] = filt(1, OURS, 0, "bpf", "", 7);
	CHECK(fg_tcfilt_before(f, 2, 1, OURS) == &f[0]);
	/* another chain does not run unless jumped to */
	f[0] = filt(1, 1, 3, "bpf", "", 3);
	f[1] = filt(2, OURS, 0, "bpf", "", 7);
	CHECK(!fg_tcfilt_before(f, 2, 2, OURS));
	/* ours missing (another pref, or detached): nothing to say */
	f[0] = filt(1, 1, 0, "bpf", "", 3);
	f[1] = filt(2, OURS, 0, "bpf", "", 7);
	CHECK(!fg_tcfilt_before(f, 2, 3, OURS));
	CHECK(!fg_tcfilt_before(f, 0, 2, OURS));
	/* the first of several is named */
	f[0] = filt(1, 1, 0, "u32", "", 0);
	f[1] = filt(3, 3, 0, "bpf", "b", 4);
	f[2] = filt(9, OURS, 0, "bpf", "", 7);
	CHECK(fg_tcfilt_before(f, 3, 9, OURS) == &f[0]);
}

static void test_describe(void)
{
	static const struct {
		uint32_t pref;
		const char *kind, *name;
		uint32_t id;
		const char *want;
	} cases[] = {
		{ 5000, "bpf", "fg_count", 57, "pref 5000 bpf fg_count (id 57)" },
		/* libbpf's name carries the id already */
		{ 5000, "bpf", "fg_count:[57]", 57, "pref 5000 bpf fg_count:[57]" },
		{ 5000, "bpf", "fg_count:[5]", 57,
		  "pref 5000 bpf fg_count:[5] (id 57)" },
		{ 1, "u32", "", 0, "pref 1 u32" },
		{ 2, "", "", 0, "pref 2 ?" },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fg_tcfilt f = filt(cases[i].pref, cases[i].pref, 0,
					  cases[i].kind, cases[i].name,
					  cases[i].id);

		fg_tcfilt_describe(&f, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].want);
	}
}

int main(void)
{
	RUN(test_before);
	RUN(test_describe);
	UNIT_EXIT();
}
