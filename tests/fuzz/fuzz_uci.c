// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_uci.c - the UCI reader (uci.c) on arbitrary text: it parses or
 * says why in one line, and what it returns is consistent.
 */
#include <string.h>

#include "fuzz.h"
#include "uci.h"

static void check_section(const struct fg_uci *u,
			  const struct fg_uci_section *s)
{
	size_t i;

	FZ_CHECK(s->type && *s->type && s->line >= 1);
	/* a named section is found under its name, and is the only one */
	if (s->name)
		FZ_CHECK(fg_uci_section(u, s->name) == s);
	for (i = 0; i < s->nr_opts; i++) {
		const struct fg_uci_option *o = &s->opts[i];
		const char *v = fg_uci_get(s, o->name);

		FZ_CHECK(o->nr_values >= 1 && o->line >= s->line);
		FZ_CHECK(fg_uci_find(s, o->name) == o);
		FZ_CHECK(o->is_list || o->nr_values == 1);
		/* an option's value is never empty (empty removes it) */
		FZ_CHECK(o->is_list ? !v : v && *v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_uci u;
	char err[256];
	size_t i;
	int ret;

	err[0] = '\0';
	ret = fg_uci_parse_buf((const char *)data, size, &u, err, sizeof(err));
	if (ret) {
		fz_one_line(err);
		FZ_CHECK(!u.nr_sections && !u.sections);
		return 0;
	}
	for (i = 0; i < u.nr_sections; i++)
		check_section(&u, &u.sections[i]);
	fg_uci_free(&u);
	fg_uci_free(&u); /* safe twice */
	return 0;
}
