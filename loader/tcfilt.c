// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcfilt.c - list a device's clsact egress filters over rtnetlink (libmnl).
 * Read-only: nothing here changes a filter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "nldump.h"
#include "tcfilt.h"

struct tcfilt_dump {
	struct fg_tcfilt *out;
	size_t max, nr;
	int truncated;
};

/* cls_bpf options: the name `tc` was given (tc sets "obj.o:[sec]";
 * libbpf's bpf_tc_attach sets none) and the program's id. */
static void tcfilt_bpf_opts(const struct nlattr *opts, struct fg_tcfilt *f)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, opts) {
		switch (mnl_attr_get_type(a)) {
		case TCA_BPF_NAME:
			if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				snprintf(f->name, sizeof(f->name), "%s",
					 mnl_attr_get_str(a));
			break;
		case TCA_BPF_ID:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				f->prog_id = mnl_attr_get_u32(a);
			break;
		}
	}
}

/* Without a name from tc, the program's own (the kernel keeps 15
 * characters); left empty when the program cannot be asked. */
static void tcfilt_prog_name(struct fg_tcfilt *f)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd;

	if (f->name[0] || !f->prog_id)
		return;
	fd = bpf_prog_get_fd_by_id(f->prog_id);
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.name[0])
		snprintf(f->name, sizeof(f->name), "%s", info.name);
	close(fd);
}

static int tcfilt_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct tcfilt_dump *d = arg;
	const struct nlattr *a, *opts = NULL;
	struct fg_tcfilt f;

	/* each preference opens with a header of its own, handle 0 */
	if (nlh->nlmsg_type != RTM_NEWTFILTER ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*tcm) || !tcm->tcm_handle)
		return MNL_CB_OK;
	memset(&f, 0, sizeof(f));
	f.pref = TC_H_MAJ(tcm->tcm_info) >> 16;
	f.handle = tcm->tcm_handle;
	mnl_attr_for_each(a, nlh, sizeof(*tcm)) {
		switch (mnl_attr_get_type(a)) {
		case TCA_KIND:
			if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				snprintf(f.kind, sizeof(f.kind), "%s",
					 mnl_attr_get_str(a));
			break;
		case TCA_CHAIN:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				f.chain = mnl_attr_get_u32(a);
			break;
		case TCA_OPTIONS:
			opts = a;
			break;
		}
	}
	if (opts && !strcmp(f.kind, "bpf"))
		tcfilt_bpf_opts(opts, &f);
	if (d->nr == d->max) {
		d->truncated = 1;
		return MNL_CB_OK;
	}
	d->out[d->nr++] = f;
	return MNL_CB_OK;
}

int fg_tcfilt_list(int ifindex, struct fg_tcfilt *out, size_t max,
		   size_t *nr)
{
	struct tcfilt_dump d = { .out = out, .max = max };
	char buf[FG_NLDUMP_REQ];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;
	size_t i;
	int rc;

	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS);
	rc = fg_nldump(NETLINK_ROUTE, nlh, tcfilt_cb, &d);
	/* older kernels answer a device without the qdisc with an error */
	if (rc == -EINVAL || rc == -ENOENT)
		rc = 0;
	for (i = 0; i < d.nr; i++)
		tcfilt_prog_name(&out[i]);
	*nr = d.nr;
	return !rc && d.truncated ? -E2BIG : rc;
}

const struct fg_tcfilt *fg_tcfilt_before(const struct fg_tcfilt *f,
					 size_t nr, uint32_t pref,
					 uint32_t handle)
{
	const struct fg_tcfilt *first = NULL;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (f[i].chain)
			continue;
		if (f[i].pref == pref && f[i].handle == handle)
			return first;
		if (!first)
			first = &f[i];
	}
	return NULL;
}

void fg_tcfilt_describe(const struct fg_tcfilt *f, char *buf, size_t len)
{
	char id[24] = "", tail[16];
	size_t nl = strlen(f->name), tl;

	/* libbpf's bpf_tc_attach names the filter "NAME:[ID]" already */
	snprintf(tail, sizeof(tail), ":[%u]", f->prog_id);
	tl = strlen(tail);
	if (f->prog_id && (nl < tl || strcmp(f->name + nl - tl, tail)))
		snprintf(id, sizeof(id), " (id %u)", f->prog_id);
	snprintf(buf, len, "pref %u %s%s%s%s", f->pref,
		 f->kind[0] ? f->kind : "?", f->name[0] ? " " : "", f->name,
		 id);
}
