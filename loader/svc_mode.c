// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* svc_mode.c - say why the guard runs in the mode it does. */
#include <stdio.h>

#include "prog.h"
#include "service.h"
#include "svc_mode.h"

static int kind_is_probe(int kind)
{
	return kind == FG_GUARD_CT_PROBE || kind == FG_GUARD_CT_PROBE_LOOKUP;
}

static int kind_has_lookup(int kind)
{
	return kind == FG_GUARD_CT_KCTX_LOOKUP ||
	       kind == FG_GUARD_CT_PROBE_LOOKUP;
}

/* ct mode: how the way and the lookup were chosen. */
static void ct_why(const struct fg_service_opts *o, int kind, char *buf,
		   size_t len, size_t off)
{
	const char *way, *lookup;

	if (o->want_probe != FG_WANT_AUTO)
		way = o->want_probe ? "--ct-way probe" : "--ct-way kfunc";
	else if (kind_is_probe(kind))
		way = "no bpf_cast_to_kern_ctx (kernel before 6.2): probe read";
	else
		way = "bpf_cast_to_kern_ctx found: kfunc";
	if (o->conf.lookup == FG_LOOKUP_OFF)
		lookup = "--offload-lookup off";
	else if (o->conf.lookup == FG_LOOKUP_ON)
		lookup = "--offload-lookup on";
	else if (kind_has_lookup(kind))
		lookup = "bpf_skb_ct_lookup found: offloaded packets looked up";
	else
		lookup = "no bpf_skb_ct_lookup (kernel before 5.18): offloaded packets not seen";
	if (off < len)
		snprintf(buf + off, len - off, "; %s; %s", way, lookup);
}

const char *fg_svc_mode_why(const struct fg_service_opts *o, int kind,
			    char *buf, size_t len)
{
	int n;

	if (o->want_ct == 0)
		n = snprintf(buf, len, "--mode skbmark");
	else if (kind == FG_GUARD_SKBMARK)
		n = snprintf(buf, len,
			     "auto: no kernel BTF (%s): the mark mwan3 restores into skb->mark",
			     FG_VMLINUX_BTF);
	else
		n = snprintf(buf, len, "%s",
			     o->want_ct == FG_WANT_AUTO ? "auto: kernel BTF" :
							  "--mode ct");
	if (kind != FG_GUARD_SKBMARK && n > 0)
		ct_why(o, kind, buf, len, (size_t)n);
	return buf;
}
