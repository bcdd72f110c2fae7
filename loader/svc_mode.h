/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * svc_mode.h - why the running guard is the kind it is: asked for on the
 * command line, or what `auto` found in the kernel (for the start line
 * and `status`: a router without BTF must be able to see that it runs
 * skbmark for that reason).
 */
#ifndef FG_SVC_MODE_H
#define FG_SVC_MODE_H

#include <stddef.h>

struct fg_service_opts;
enum fg_guard_kind;

/* e.g. "auto: no kernel BTF (/sys/kernel/btf/vmlinux)", "auto: kernel
 * BTF; no bpf_cast_to_kern_ctx (kernel before 6.2): probe read;
 * bpf_skb_ct_lookup found", "--mode skbmark". Returns buf. */
const char *fg_svc_mode_why(const struct fg_service_opts *o, int kind,
			    char *buf, size_t len);

#endif /* FG_SVC_MODE_H */
