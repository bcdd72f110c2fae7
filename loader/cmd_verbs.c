// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_verbs.c - options and selection shared by the operator verbs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include "cmd_verbs.h"
#include "cmds.h"
#include "ctfmt.h"
#include "log.h"
#include "mark.h"

#define VERB_TOP_MAX 100000

static int verb_bad(const struct verb_args *a, const char *what,
		    const char *arg)
{
	return fg_opts_bad(a->spec, what, arg);
}

static int verb_apply(void *ctx, int key, const char *arg)
{
	struct verb_args *a = ctx;
	char err[256];

	switch (key) {
	case 'c':
		a->config = arg;
		return 0;
	case 'u':
		if (fg_conf_add_uplink_arg(&a->conf, arg, err, sizeof(err))) {
			fprintf(stderr, "flowguard %s: %s\n", a->spec->name, err);
			return -EINVAL;
		}
		return 0;
	case 'i':
		a->iface = arg;
		return 0;
	case 'm':
		a->mark = arg;
		return 0;
	case VERB_LONG('U'):
		a->unmarked = 1;
		return 0;
	case VERB_LONG('R'):
		a->reserved = 1;
		return 0;
	case VERB_LONG('o'):
		a->offloaded = 1;
		return 0;
	case 'f':
		return fg_opts_family(arg, &a->family) ?
			       verb_bad(a, "family (4, 6 or all)", arg) : 0;
	case 'p':
		a->l4proto = fg_ctfmt_proto_parse(arg);
		return a->l4proto < 0 ? verb_bad(a, "protocol", arg) : 0;
	case VERB_LONG('s'):
		a->state = fg_ctfmt_state_parse(arg);
		return a->state < 0 ? verb_bad(a, "TCP state", arg) : 0;
	case 'n':
		return fg_mark_parse_range(arg, 1, VERB_TOP_MAX, &a->top_n) ?
			       verb_bad(a, "count (1..100000)", arg) : 0;
	case VERB_LONG('b'):
		if (strcmp(arg, "bytes") && strcmp(arg, "packets"))
			return verb_bad(a, "--by (bytes or packets)", arg);
		a->by_packets = !strcmp(arg, "packets");
		return 0;
	}
	return -EINVAL;
}

/* The uplink table: -c and -u when given, else mwan3's config. */
static int verb_names(struct verb_args *a)
{
	char err[256];
	int rc;

	if (a->config) {
		rc = fg_conf_load_uci(&a->conf, a->config, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "flowguard %s: %s\n", a->spec->name, err);
			return rc;
		}
	}
	if (a->conf.nr_uplinks) {
		if (a->common.mwan3_given) {
			fprintf(stderr, "flowguard %s: uplink names from -c/-u or from mwan3's config (-C/-K), not both\n",
				a->spec->name);
			return -EINVAL;
		}
		if (fg_conf_validate(&a->conf, err, sizeof(err))) {
			fprintf(stderr, "flowguard %s: %s\n", a->spec->name, err);
			return -EINVAL;
		}
		return fg_marknames_from_conf(&a->names, &a->conf);
	}
	rc = fg_marknames_from_mwan3(&a->names, a->common.mwan3_config,
				     a->common.mwan3_mask_file, err,
				     sizeof(err));
	if (rc)
		fprintf(stderr, "flowguard %s: %s\n", a->spec->name, err);
	return rc;
}

static int verb_unknown_iface(const struct verb_args *a)
{
	char known[256] = "";
	size_t i, off = 0;

	for (i = 0; i < a->names.nr && off < sizeof(known); i++)
		off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
					i ? " " : "", a->names.up[i].name);
	fprintf(stderr, "flowguard %s: unknown uplink '%s' (uplinks from %s: %s)\n",
		a->spec->name, a->iface, a->names.src,
		a->names.nr ? known : "none");
	return -EINVAL;
}

static int verb_mark_filter(struct verb_args *a)
{
	uint32_t mark = 0, mask = a->names.mask;
	int has_mask = 0;

	if (fg_mark_parse_pair(a->mark, &mark, &mask, &has_mask))
		return verb_bad(a, "mark", a->mark);
	if (!mask) {
		fprintf(stderr, "flowguard %s: mask 0 matches every entry: leave --mark out\n",
			a->spec->name);
		return -EINVAL;
	}
	if (mark & ~mask) {
		fprintf(stderr, "flowguard %s: mark 0x%x has bits outside the mask 0x%x\n",
			a->spec->name, mark, mask);
		return -EINVAL;
	}
	a->kmark = mark;
	a->kmask = mask;
	return 0;
}

/* The selection: at most one of the four ways, resolved to the dump's
 * mark filter (--reserved: three marks, filtered as they arrive). */
static int verb_select(struct verb_args *a)
{
	int i;

	if (a->iface && a->mark) {
		fprintf(stderr, "flowguard %s: --iface and --mark together: give one\n",
			a->spec->name);
		return -EINVAL;
	}
	if (!!a->iface + !!a->mark + a->unmarked + a->reserved > 1) {
		fprintf(stderr, "flowguard %s: give at most one of --iface, --mark, --unmarked, --reserved\n",
			a->spec->name);
		return -EINVAL;
	}
	if (a->state >= 0 && a->l4proto >= 0 && a->l4proto != IPPROTO_TCP) {
		fprintf(stderr, "flowguard %s: --state is a TCP state: not with --proto %d\n",
			a->spec->name, a->l4proto);
		return -EINVAL;
	}
	if (a->state >= 0)
		a->l4proto = IPPROTO_TCP;
	if (a->mark)
		return verb_mark_filter(a);
	if (a->unmarked) {
		a->kmark = 0;
		a->kmask = a->names.mask;
	}
	if (!a->iface)
		return 0;
	i = fg_marknames_find(&a->names, a->iface);
	if (i < 0)
		return verb_unknown_iface(a);
	a->kmark = a->names.up[i].mark;
	a->kmask = a->names.mask;
	return 0;
}

int verb_prepare(struct verb_args *a, const struct fg_cmd_spec *spec,
		 int argc, char **argv)
{
	int rc;

	a->spec = spec;
	a->l4proto = -1;
	a->state = -1;
	a->top_n = 10;
	fg_conf_defaults(&a->conf);
	rc = fg_opts_parse(spec, argc, argv, &a->common, verb_apply, a, NULL);
	if (rc)
		return rc;
	fg_common_log(&a->common);
	rc = verb_names(a);
	if (!rc)
		rc = verb_select(a);
	if (!rc)
		fg_debug("%s: %zu uplinks from %s, mask 0x%x; dump filter 0x%x/0x%x",
			 spec->name, a->names.nr, a->names.src, a->names.mask,
			 a->kmark, a->kmask);
	return rc;
}

int verb_match(const struct verb_args *a, const struct fg_ct_entry *e)
{
	enum fg_mark_class c;

	if (a->family != AF_UNSPEC && e->orig.family != a->family)
		return 0;
	if (a->l4proto >= 0 && e->orig.l4proto != a->l4proto)
		return 0;
	/* an offloaded entry has no state: it matches none */
	if (a->state >= 0 && e->tcp_state != a->state)
		return 0;
	if (a->offloaded && !(e->status & (IPS_OFFLOAD | IPS_HW_OFFLOAD)))
		return 0;
	if (a->reserved) {
		c = fg_marknames_class(&a->names, e->mark, NULL);
		return c == FG_MC_DEFAULT || c == FG_MC_UNREACHABLE ||
		       c == FG_MC_BLACKHOLE;
	}
	return 1;
}

int verb_dump_failed(const struct verb_args *a, int err)
{
	fprintf(stderr, "flowguard %s: conntrack dump: %s\n", a->spec->name,
		strerror(-err));
	return FG_EXIT_FAIL;
}

long long verb_nf_sysctl(const char *name)
{
	char path[128];
	long long v;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/proc/sys/net/netfilter/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	rc = fscanf(f, "%lld", &v);
	fclose(f);
	return rc == 1 ? v : -EINVAL;
}

static void verb_row_add(struct verb_row *r, const struct fg_ct_brief *e)
{
	uint8_t p = e->l4proto;

	r->entries++;
	if (e->family == AF_INET6)
		r->v6++;
	else
		r->v4++;
	r->tcp += p == IPPROTO_TCP;
	r->udp += p == IPPROTO_UDP;
	r->icmp += p == IPPROTO_ICMP || p == IPPROTO_ICMPV6;
	r->offloaded += !!(e->status & (IPS_OFFLOAD | IPS_HW_OFFLOAD));
	r->hw_offloaded += !!(e->status & IPS_HW_OFFLOAD);
}

/* The brief form of each entry is enough: only --family selects. */
static int verb_census_entry(const struct fg_ct_brief *e, void *arg)
{
	struct verb_census *c = arg;
	size_t i = 0;
	enum fg_mark_class cls;

	if (c->a->family != AF_UNSPEC && e->family != c->a->family)
		return 0;
	cls = fg_marknames_class(&c->a->names, e->mark, &i);
	verb_row_add(cls == FG_MC_UPLINK ? &c->up[i] : &c->cls[cls], e);
	verb_row_add(&c->total, e);
	return 0;
}

int verb_census(const struct verb_args *a, struct verb_census *c)
{
	struct fg_ct *ct = NULL;
	int rc;

	c->a = a;
	rc = fg_ct_open(&ct);
	if (!rc)
		rc = fg_ct_dump_brief(ct, a->family, 0, 0, verb_census_entry, c);
	fg_ct_close(ct);
	return rc;
}
