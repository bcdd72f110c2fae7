// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* json.c - JSON strings and member names for the operator commands. */
#include "json.h"

void fg_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void fg_json_key(FILE *f, const char *name, int *first)
{
	if (!*first)
		fputc(',', f);
	*first = 0;
	fg_json_str(f, name);
	fputc(':', f);
}
