/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * json.h - the little JSON the operator commands print: strings escaped,
 * numbers as they are. Writers print straight to a FILE (a listing is
 * streamed, never built in memory). The schema: docs/json.md.
 */
#ifndef FG_JSON_H
#define FG_JSON_H

#include <stdio.h>

/* s as a JSON string, quotes included; control bytes as \u00XX. */
void fg_json_str(FILE *f, const char *s);
/* "name": as a member's start, with a comma before it unless first. */
void fg_json_key(FILE *f, const char *name, int *first);

#endif /* FG_JSON_H */
