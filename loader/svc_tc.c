// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* svc_tc.c - other filters and flowtables on the guarded devices. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "svc.h"
#include "svc_tc.h"
#include "tcfilt.h"

int fg_svc_tc_first(const struct fg_svc *s, size_t dev, char *desc,
		    size_t len)
{
	struct fg_tcfilt f[FG_TCFILT_MAX];
	const struct fg_tcfilt *b;
	size_t nr;
	int rc;

	if (!s->up.devs[dev].ifindex)
		return 0; /* missing: no filters at all */
	rc = fg_tcfilt_list(s->up.devs[dev].ifindex, f, FG_TCFILT_MAX, &nr);
	/* a cut list still names the first filters: those are the ones */
	if (rc && rc != -E2BIG)
		return rc;
	b = fg_tcfilt_before(f, nr, s->opts->conf.tc_priority, FG_TC_HANDLE);
	if (!b)
		return 0;
	fg_tcfilt_describe(b, desc, len);
	return 1;
}

void fg_svc_tc_warn(const struct fg_svc *s)
{
	char desc[128];
	size_t i;
	int rc;

	for (i = 0; i < s->up.nr_devs; i++) {
		rc = fg_svc_tc_first(s, i, desc, sizeof(desc));
		if (rc < 0)
			fg_warn("%s: cannot list egress filters: %s",
				s->up.devs[i].name, strerror(-rc));
		else if (rc)
			fg_warn("%s: filter %s runs before ours (pref %u) on egress; if it ends the chain, the guard misses those packets (--tc-priority)",
				s->up.devs[i].name, desc,
				s->opts->conf.tc_priority);
	}
}

struct fg_nftflows *fg_svc_tc_flowtables(void)
{
	struct fg_nftflows *ft = calloc(1, sizeof(*ft));

	if (ft && fg_nftflow_list(ft)) {
		free(ft);
		ft = NULL;
	}
	return ft;
}

const char *fg_svc_tc_flowtable(const struct fg_nftflows *l, const char *dev)
{
	if (!l)
		return "unknown";
	switch (fg_nftflow_dev(l, dev)) {
	case FG_NFTFLOW_HW:
		return "yes, hw";
	case FG_NFTFLOW_SW:
		return "yes";
	default:
		return "no";
	}
}
