// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_conf.c - the flowguard config (conf.c, /etc/config/flowguard) on
 * arbitrary text: refused in one line with the configuration untouched,
 * or accepted, and then what validates never names a mark outside the
 * mask, a reserved one or one taken twice (a wider delete than asked).
 */
#include <string.h>

#include "conf.h"
#include "fuzz.h"
#include "mark.h"
#include "uci.h"

static void check_valid(const struct fg_conf *c)
{
	struct fg_mark_reserved r;
	size_t i, j;

	FZ_CHECK(!fg_mark_reserved(c->mask, &r));
	FZ_CHECK(c->nr_uplinks >= 1 && c->nr_uplinks <= FG_MAX_IFACES);
	for (i = 0; i < c->nr_uplinks; i++) {
		uint32_t m = c->uplinks[i].mark;

		FZ_CHECK(m && !(m & ~c->mask));
		FZ_CHECK(m != r.def && m != r.unreachable && m != r.blackhole);
		FZ_CHECK(c->uplinks[i].name[0] && c->uplinks[i].device[0]);
		for (j = 0; j < i; j++)
			FZ_CHECK(c->uplinks[j].mark != m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_conf c, before;
	struct fg_uci u;
	char err[256];
	int ret;

	if (fg_uci_parse_buf((const char *)data, size, &u, err, sizeof(err)))
		return 0; /* fuzz_uci's part */
	fg_conf_defaults(&c);
	before = c;
	err[0] = '\0';
	ret = fg_conf_apply_uci(&c, &u, "/etc/config/flowguard", err,
				sizeof(err));
	fg_uci_free(&u);
	if (ret) {
		fz_one_line(err);
		FZ_CHECK(!memcmp(&c, &before, sizeof(c)));
		return 0;
	}
	err[0] = '\0';
	if (fg_conf_validate(&c, err, sizeof(err)))
		fz_one_line(err);
	else
		check_valid(&c);
	return 0;
}
