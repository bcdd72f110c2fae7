// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nftflow.c - list nftables flowtables over nfnetlink (libmnl; no
 * libnftnl). Read-only.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "nftflow.h"
#include "nldump.h"

/* Up to the first NUL or the attribute's end: kernels before 6.16 sent
 * device names with the length user space gave, NUL or not. */
static void nftflow_str(const struct nlattr *a, char *buf, size_t len)
{
	const char *p = mnl_attr_get_payload(a);
	size_t n = strnlen(p, mnl_attr_get_payload_len(a));

	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* Not in Debian 12's headers: a device name prefix (kernel 6.16+). */
#ifndef NFTA_DEVICE_PREFIX
#define NFTA_DEVICE_PREFIX 2
#endif

/* NFTA_FLOWTABLE_HOOK_DEVS: one NFTA_DEVICE_NAME (or _PREFIX) each. */
static int nftflow_devs(const struct nlattr *devs, struct fg_nftflow *ft)
{
	const struct nlattr *a;
	int rc = 0;

	mnl_attr_for_each_nested(a, devs) {
		uint16_t type = mnl_attr_get_type(a);
		char *dev;

		if (type != NFTA_DEVICE_NAME && type != NFTA_DEVICE_PREFIX)
			continue;
		if (ft->nr_devs == FG_NFTFLOW_MAX_DEVS) {
			rc = -E2BIG;
			continue;
		}
		dev = ft->devs[ft->nr_devs];
		nftflow_str(a, dev, IFNAMSIZ);
		if (!dev[0])
			continue;
		if (type == NFTA_DEVICE_PREFIX)
			strcat(dev, "*"); /* room: IFNAMSIZ + 1 */
		ft->nr_devs++;
	}
	return rc;
}

static int nftflow_dev_match(const char *entry, const char *dev)
{
	size_t n = strlen(entry);

	if (n && entry[n - 1] == '*')
		return !strncmp(entry, dev, n - 1);
	return !strcmp(entry, dev);
}

static int nftflow_hook(const struct nlattr *hook, struct fg_nftflow *ft)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, hook)
		if (mnl_attr_get_type(a) == NFTA_FLOWTABLE_HOOK_DEVS)
			return nftflow_devs(a, ft);
	return 0;
}

int fg_nftflow_parse(const struct nlmsghdr *nlh, struct fg_nftflow *ft)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	int rc = 0;

	memset(ft, 0, sizeof(*ft));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return -EINVAL;
	ft->family = nfg->nfgen_family;
	mnl_attr_for_each(a, nlh, sizeof(*nfg)) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_FLOWTABLE_TABLE:
			nftflow_str(a, ft->table, sizeof(ft->table));
			break;
		case NFTA_FLOWTABLE_NAME:
			nftflow_str(a, ft->name, sizeof(ft->name));
			break;
		case NFTA_FLOWTABLE_FLAGS:
			/* nf_tables numbers are big-endian on the wire */
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				ft->flags = ntohl(mnl_attr_get_u32(a));
			break;
		case NFTA_FLOWTABLE_HOOK:
			if (!mnl_attr_validate(a, MNL_TYPE_NESTED))
				rc = nftflow_hook(a, ft);
			break;
		}
	}
	return ft->table[0] && ft->name[0] ? rc : -EINVAL;
}

static int nftflow_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct fg_nftflows *l = arg;
	int rc;

	if (nlh->nlmsg_type !=
	    ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWFLOWTABLE))
		return MNL_CB_OK;
	if (l->nr == FG_NFTFLOW_MAX) {
		l->truncated = 1;
		return MNL_CB_OK;
	}
	rc = fg_nftflow_parse(nlh, &l->ft[l->nr]);
	/* too many devices: the ones kept still count */
	if (rc == -E2BIG)
		l->truncated = 1;
	if (!rc || rc == -E2BIG)
		l->nr++;
	return MNL_CB_OK;
}

int fg_nftflow_list(struct fg_nftflows *out)
{
	char buf[FG_NLDUMP_REQ];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	int rc;

	memset(out, 0, sizeof(*out));
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETFLOWTABLE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_UNSPEC; /* every family */
	nfg->version = NFNETLINK_V0;
	rc = fg_nldump(NETLINK_NETFILTER, nlh, nftflow_cb, out);
	/* no nf_tables (or no flowtable support) in this kernel: none */
	if (rc == -EOPNOTSUPP || rc == -ENOENT || rc == -EPROTONOSUPPORT)
		rc = 0;
	return rc;
}

enum fg_nftflow_dev fg_nftflow_dev(const struct fg_nftflows *l,
				   const char *dev)
{
	enum fg_nftflow_dev best = FG_NFTFLOW_NONE;
	size_t i, k;

	for (i = 0; i < l->nr; i++)
		for (k = 0; k < l->ft[i].nr_devs; k++) {
			if (!nftflow_dev_match(l->ft[i].devs[k], dev))
				continue;
			if (l->ft[i].flags & NFT_FLOWTABLE_HW_OFFLOAD)
				return FG_NFTFLOW_HW;
			best = FG_NFTFLOW_SW;
		}
	return best;
}
