// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mwan3_auto.c - the uplink table from mwan3's config and netifd's
 * devices, with the configured uplinks overriding entry by entry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mark.h"
#include "mwan3_auto.h"
#include "mwan3_conf.h"
#include "netifd.h"

static const char *const mask_src_names[] = {
	[FG_MWAN3_MASK_DEFAULT] = "mwan3's default",
	[FG_MWAN3_MASK_CONFIG] = "mwan3 config",
	[FG_MWAN3_MASK_CACHE] = "mwan3's cache",
};

static int base_index(const struct fg_conf *base, const char *name)
{
	size_t i;

	for (i = 0; i < base->nr_uplinks; i++)
		if (!strcmp(base->uplinks[i].name, name))
			return (int)i;
	return -1;
}

/* Room for one more uplink; the new one, zeroed but for inheritance. */
static struct fg_uplink_conf *table_add(struct fg_mwan3_table *t, char *err,
					size_t errlen)
{
	struct fg_uplink_conf *u;

	if (t->conf.nr_uplinks >= FG_MAX_IFACES) {
		snprintf(err, errlen, "more than %d uplinks with mwan3's",
			 FG_MAX_IFACES);
		return NULL;
	}
	u = &t->conf.uplinks[t->conf.nr_uplinks];
	memset(u, 0, sizeof(*u));
	u->policy = FG_INHERIT;
	u->enforce = FG_INHERIT;
	return u;
}

static void table_skip(struct fg_mwan3_table *t, const char *name,
		       const char *why, int disabled)
{
	t->skipped_disabled[t->nr_skipped] = (unsigned char)disabled;
	snprintf(t->skipped[t->nr_skipped++], FG_MWAN3_NOTE_LEN, "%.40s: %.150s",
		 name, why);
}

/* One enabled mwan3 interface nobody configured: its mark from its id,
 * its device from netifd. */
static int table_from_mwan3(struct fg_mwan3_table *t, const struct fg_mwan3 *m,
			    const struct fg_mwan3_iface *i,
			    struct fg_netifd *nd, char *err, size_t errlen)
{
	char dev[IFNAMSIZ], why[FG_MWAN3_NOTE_LEN], msg[160];
	struct fg_uplink_conf *u;
	const char *src = "";
	uint32_t mark;

	if (fg_mark_from_id(m->mask, i->id, &mark, msg, sizeof(msg))) {
		snprintf(err, errlen, "mwan3 interface '%s': %s", i->name, msg);
		return -EINVAL;
	}
	if (fg_netifd_device(nd, i->name, dev, sizeof(dev), &src, why,
			     sizeof(why))) {
		table_skip(t, i->name, why, 0);
		return 0;
	}
	u = table_add(t, err, errlen);
	if (!u)
		return -E2BIG;
	snprintf(u->name, sizeof(u->name), "%s", i->name);
	memcpy(u->device, dev, sizeof(u->device));
	u->mark = mark;
	snprintf(t->src[t->conf.nr_uplinks++], FG_MWAN3_NOTE_LEN,
		 "mwan3 id %u, device from %s", i->id, src);
	return 0;
}

/* A configured uplink: as given. */
static int table_from_base(struct fg_mwan3_table *t,
			   const struct fg_uplink_conf *b, const char *note,
			   char *err, size_t errlen)
{
	struct fg_uplink_conf *u = table_add(t, err, errlen);

	if (!u)
		return -E2BIG;
	*u = *b;
	snprintf(t->src[t->conf.nr_uplinks++], FG_MWAN3_NOTE_LEN, "%s", note);
	return 0;
}

static int table_fill(struct fg_mwan3_table *t, const struct fg_mwan3 *m,
		      const struct fg_conf *base, struct fg_netifd *nd,
		      char *err, size_t errlen)
{
	int used[FG_MAX_IFACES] = { 0 };
	char note[FG_MWAN3_NOTE_LEN];
	size_t i;
	int j, rc = 0;

	for (i = 0; !rc && i < m->nr_ifaces; i++) {
		const struct fg_mwan3_iface *f = &m->ifaces[i];

		if (!f->name[0]) {
			snprintf(note, sizeof(note), "(anonymous, id %u)", f->id);
			table_skip(t, note, "no name: no hook can name it", 0);
			continue;
		}
		j = base_index(base, f->name);
		if (j >= 0) {
			used[j] = 1;
			snprintf(note, sizeof(note),
				 "configured (mwan3 id %u%s)", f->id,
				 f->enabled ? "" : ", disabled in mwan3");
			rc = table_from_base(t, &base->uplinks[j], note, err,
					     errlen);
		} else if (!f->enabled) {
			snprintf(note, sizeof(note), "disabled in mwan3 (id %u)",
				 f->id);
			table_skip(t, f->name, note, 1);
		} else {
			rc = table_from_mwan3(t, m, f, nd, err, errlen);
		}
	}
	for (i = 0; !rc && i < base->nr_uplinks; i++)
		if (!used[i])
			rc = table_from_base(t, &base->uplinks[i],
					     "configured (not in mwan3)", err,
					     errlen);
	return rc;
}

int fg_mwan3_auto_build(const struct fg_mwan3_auto *a,
			struct fg_mwan3_table *t, char *err, size_t errlen)
{
	struct fg_netifd nd;
	struct fg_mwan3 m;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = fg_mwan3_load(a->mwan3_config, a->mask_file, &m, err, errlen);
	if (rc)
		return rc;
	t->conf = *a->base;
	t->conf.nr_uplinks = 0;
	t->conf.mask = m.mask; /* the marks are mwan3's: so is the mask */
	t->mask_src = mask_src_names[m.mask_src];
	fg_netifd_init(&nd, a->network_config);
	rc = table_fill(t, &m, a->base, &nd, err, errlen);
	fg_netifd_fini(&nd);
	return rc;
}
