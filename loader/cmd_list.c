// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_list.c - `flowguard list`: the conntrack entries, one a line as
 * `conntrack -L` prints them, with the uplink each mark belongs to.
 * Streamed: each entry is printed as the dump delivers it, so a table of
 * any size costs the same memory.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd_verbs.h"
#include "cmds.h"
#include "ctfmt.h"

#define LIST_STDOUT_BUF (64 * 1024)

static const struct fg_opt list_opts[] = {
	VERB_OPTS_SELECT,
	VERB_OPTS_TABLE,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct fg_cmd_spec list_spec = {
	.name = "list",
	.synopsis = "[--iface IFACE | --mark MARK[/MASK] | --unmarked | --reserved] [OPTIONS]",
	.notes = "  --json: JSON Lines, one object an entry\n",
	.shared = FG_SH_MWAN3 | FG_SH_VERBOSE | FG_SH_JSON,
	.opts = list_opts,
};

static int list_json(const struct fg_ct_entry *e, void *arg)
{
	const struct verb_args *a = arg;

	if (!verb_match(a, e))
		return 0;
	fg_ctfmt_json(stdout, e, &a->names);
	fputc('\n', stdout);
	return 0;
}

/* conntrack -L's own line (libnetfilter_conntrack prints it), then the
 * uplink the mark belongs to */
static int list_text(const struct fg_ct_entry *e, const char *line, void *arg)
{
	const struct verb_args *a = arg;

	if (!verb_match(a, e))
		return 0;
	fputs(line, stdout);
	fg_ctfmt_uplink(stdout, e, &a->names);
	fputc('\n', stdout);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct verb_args a = { 0 };
	struct fg_ct *ct = NULL;
	int rc;

	rc = verb_prepare(&a, &list_spec, argc, argv);
	if (rc)
		return fg_opts_exit(rc);
	/* into a pipe or file, one write per 64 KiB, not per 4 KiB: a
	 * listing is megabytes (a terminal keeps its line buffering) */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, LIST_STDOUT_BUF);
	rc = fg_ct_open(&ct);
	if (!rc && a.common.json)
		rc = fg_ct_dump(ct, a.family, a.kmark, a.kmask, list_json, &a);
	else if (!rc)
		rc = fg_ct_dump_text(ct, a.family, a.kmark, a.kmask, list_text,
				     &a);
	fg_ct_close(ct);
	if (fflush(stdout) && !rc)
		rc = -EIO;
	return rc ? verb_dump_failed(&a, rc) : FG_EXIT_OK;
}
