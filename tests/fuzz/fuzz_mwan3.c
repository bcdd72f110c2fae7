// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_mwan3.c - the mwan3 config reader (mwan3_conf.c) on arbitrary
 * text: ids in section order, and every mark it hands out (what the hook
 * deletes by) is inside the mask and not a reserved one.
 */
#include <string.h>

#include "fuzz.h"
#include "mark.h"
#include "mwan3_conf.h"
#include "uci.h"

/* No cache file: the mask comes from the text or is the default. */
#define FZ_NO_CACHE "/nonexistent/flowguard-fuzz/mmx_mask"

static void check_iface(const struct fg_mwan3 *m, size_t i)
{
	const struct fg_mwan3_iface *f = &m->ifaces[i];
	struct fg_mark_reserved r;
	uint32_t mark = 0;
	char err[256];

	FZ_CHECK(f->id == i + 1);
	FZ_CHECK(f->family == 4 || f->family == 6);
	if (!f->name[0])
		return;
	err[0] = '\0';
	if (fg_mwan3_iface_mark(m, f->name, &mark, err, sizeof(err))) {
		fz_one_line(err);
		return;
	}
	FZ_CHECK(!fg_mark_reserved(m->mask, &r));
	FZ_CHECK(mark && !(mark & ~m->mask));
	FZ_CHECK(mark != r.def && mark != r.unreachable && mark != r.blackhole);
	/* section names are unique (a second one continues the first) */
	FZ_CHECK(fg_mark_extract(m->mask, mark) == f->id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_mwan3 m;
	struct fg_uci u;
	char err[256];
	size_t i;
	int ret;

	if (fg_uci_parse_buf((const char *)data, size, &u, err, sizeof(err)))
		return 0; /* fuzz_uci's part */
	err[0] = '\0';
	ret = fg_mwan3_from_uci(&u, "/etc/config/mwan3", FZ_NO_CACHE, &m, err,
				sizeof(err));
	fg_uci_free(&u);
	if (ret) {
		fz_one_line(err);
		FZ_CHECK(!m.nr_ifaces && !m.mask);
		return 0;
	}
	FZ_CHECK(m.mask_src != FG_MWAN3_MASK_CACHE);
	FZ_CHECK(m.nr_ifaces <= FG_MAX_IFACES);
	for (i = 0; i < m.nr_ifaces; i++)
		check_iface(&m, i);
	return 0;
}
