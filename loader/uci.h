/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * uci.h - a small reader for OpenWrt UCI config files (those in /etc/config).
 *
 * Follows libuci where it matters for reading: `package`, `config TYPE
 * [NAME]`, `option NAME VALUE`, `list NAME VALUE` (also abbreviated p/c/o/l);
 * values unquoted, 'single quoted' or "double quoted" (backslash takes the
 * next character literally; backslash-newline continues the line), adjacent
 * parts concatenate, quoted values may span lines; `#` starts a comment
 * outside quotes; CRLF is tolerated. Like libuci:
 * - a second `config TYPE NAME` with the same NAME continues that section
 *   (at its first position); a different TYPE is an error;
 * - `option NAME` replaces an earlier option or list of that name;
 *   `option NAME ''` removes it;
 * - `list NAME` after `option NAME` turns it into a list, old value first.
 * Unlike libuci, a missing value and extra arguments are errors. The `;`
 * statement separator is not supported.
 */
#ifndef FG_UCI_H
#define FG_UCI_H

#include <stddef.h>

#define FG_UCI_MAX_BYTES (1024 * 1024) /* file size cap */
#define FG_UCI_MAX_SECTIONS 4096
#define FG_UCI_MAX_OPTIONS 1024 /* per section */
#define FG_UCI_MAX_VALUES 4096	/* per list */

struct fg_uci_option {
	char *name;
	char **values; /* an `option` has exactly one */
	size_t nr_values;
	int is_list;
	int line; /* line of the last statement that set it */
};

struct fg_uci_section {
	char *type;
	char *name; /* NULL if anonymous */
	struct fg_uci_option *opts;
	size_t nr_opts;
	int line; /* line of its (first) `config` statement */
};

struct fg_uci {
	struct fg_uci_section *sections;
	size_t nr_sections;
};

/* Parse NUL-terminated text. On error *out is empty and err holds
 * "line N: what". Returns 0, -EINVAL (syntax), -EFBIG, -E2BIG (limits) or
 * -ENOMEM. */
int fg_uci_parse(const char *text, struct fg_uci *out, char *err,
		 size_t errlen);

/* Parse text[0..len); NUL bytes in it are an error. */
int fg_uci_parse_buf(const char *text, size_t len, struct fg_uci *out,
		     char *err, size_t errlen);

/* Read and parse a file; err starts with the path. -errno of open/read
 * (e.g. -ENOENT) or a parse error. */
int fg_uci_load(const char *path, struct fg_uci *out, char *err,
		size_t errlen);

/* Free everything and reset to empty; safe on an empty or freed fg_uci. */
void fg_uci_free(struct fg_uci *u);

/* Value of `option opt`, NULL if absent or if opt is a list. */
const char *fg_uci_get(const struct fg_uci_section *s, const char *opt);

/* The option or list named opt, NULL if absent. */
const struct fg_uci_option *fg_uci_find(const struct fg_uci_section *s,
					const char *opt);

/* The section named name, NULL if absent. */
const struct fg_uci_section *fg_uci_section(const struct fg_uci *u,
					    const char *name);

#endif /* FG_UCI_H */
