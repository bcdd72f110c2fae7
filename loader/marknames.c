// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* marknames.c - uplink names of marks, for the operator verbs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mark.h"
#include "marknames.h"
#include "mwan3_conf.h"

static void mn_init(struct fg_marknames *t, uint32_t mask, const char *src)
{
	struct fg_mark_reserved r = { 0 };

	memset(t, 0, sizeof(*t));
	t->mask = mask;
	t->src = src;
	fg_mark_reserved(mask, &r); /* masks are checked before: 2+ bits */
	t->reserved[0] = r.def;
	t->reserved[1] = r.unreachable;
	t->reserved[2] = r.blackhole;
}

int fg_marknames_from_conf(struct fg_marknames *t, const struct fg_conf *c)
{
	size_t i;

	mn_init(t, c->mask, "flowguard config");
	for (i = 0; i < c->nr_uplinks; i++) {
		snprintf(t->up[i].name, sizeof(t->up[i].name), "%s",
			 c->uplinks[i].name);
		snprintf(t->up[i].device, sizeof(t->up[i].device), "%s",
			 c->uplinks[i].device);
		t->up[i].mark = c->uplinks[i].mark & c->mask;
	}
	t->nr = c->nr_uplinks;
	return 0;
}

int fg_marknames_from_mwan3(struct fg_marknames *t, const char *config,
			    const char *mask_file, char *err, size_t errlen)
{
	struct fg_mwan3 m;
	char msg[128];
	size_t i;
	int rc;

	rc = fg_mwan3_load(config ? config : FG_MWAN3_CONFIG_PATH,
			   mask_file ? mask_file : FG_MWAN3_MASK_CACHE_PATH, &m,
			   err, errlen);
	if (rc == -ENOENT) {
		mn_init(t, FG_MWAN3_DEFAULT_MASK, "none (no mwan3 config)");
		return 0;
	}
	if (rc)
		return rc;
	mn_init(t, m.mask, "mwan3 config");
	for (i = 0; i < m.nr_ifaces; i++) {
		struct fg_markname *u = &t->up[t->nr];

		/* an id mwan3 cannot use marks nothing: not an uplink */
		if (!m.ifaces[i].name[0] ||
		    fg_mark_from_id(m.mask, m.ifaces[i].id, &u->mark, msg,
				    sizeof(msg)))
			continue;
		snprintf(u->name, sizeof(u->name), "%s", m.ifaces[i].name);
		t->nr++;
	}
	return 0;
}

enum fg_mark_class fg_marknames_class(const struct fg_marknames *t,
				      uint32_t mark, size_t *idx)
{
	uint32_t m = mark & t->mask;
	size_t i;

	if (!m)
		return FG_MC_UNMARKED;
	for (i = 0; i < 3; i++)
		if (m == t->reserved[i])
			return FG_MC_DEFAULT + i;
	for (i = 0; i < t->nr; i++)
		if (m == t->up[i].mark) {
			if (idx)
				*idx = i;
			return FG_MC_UPLINK;
		}
	return FG_MC_OTHER;
}

const char *fg_mark_class_name(enum fg_mark_class c)
{
	static const char *const names[FG_MC_NR] = {
		"uplink", "unmarked", "default", "unreachable", "blackhole",
		"other",
	};

	return c < FG_MC_NR ? names[c] : "?";
}

int fg_marknames_find(const struct fg_marknames *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->up[i].name, name))
			return (int)i;
	return -1;
}
