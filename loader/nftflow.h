/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nftflow.h - nftables flowtables (software flow offload) and the devices
 * each one holds. Packets of an offloaded flow skip the netfilter chains
 * (no ct entry on the skb, no restored mark): whether the guard can judge
 * them depends on the mode, and on whether its devices are in one.
 */
#ifndef FG_NFTFLOW_H
#define FG_NFTFLOW_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

#define FG_NFTFLOW_MAX 16      /* flowtables kept */
#define FG_NFTFLOW_MAX_DEVS 32 /* devices kept per flowtable */

struct fg_nftflow {
	char table[64]; /* names longer than this are cut: shown only */
	char name[64];
	uint32_t flags; /* NFT_FLOWTABLE_* (host order) */
	uint8_t family; /* NFPROTO_* of its table */
	size_t nr_devs;
	/* a name, or a prefix followed by '*' ("eth*": every eth device;
	 * kernels 6.16+ hook such wildcards) */
	char devs[FG_NFTFLOW_MAX_DEVS][IFNAMSIZ + 1];
};

struct fg_nftflows {
	struct fg_nftflow ft[FG_NFTFLOW_MAX];
	size_t nr;
	int truncated; /* more flowtables (or devices) than kept */
};

/* What a device's packets may meet. */
enum fg_nftflow_dev {
	FG_NFTFLOW_NONE = 0,
	FG_NFTFLOW_SW,	/* in a flowtable, software offload */
	FG_NFTFLOW_HW,	/* in a flowtable with hardware offload */
};

/* Every flowtable of every family. A kernel without nf_tables (or
 * without flowtables) has none: 0 with nr 0; -errno on real errors. */
int fg_nftflow_list(struct fg_nftflows *out);

/* One NEWFLOWTABLE message into ft: 0, or -EINVAL when it is not one
 * (no table or name). Devices beyond FG_NFTFLOW_MAX_DEVS: -E2BIG, the
 * first ones kept. */
int fg_nftflow_parse(const struct nlmsghdr *nlh, struct fg_nftflow *ft);

/* The strongest offload any flowtable applies to dev. */
enum fg_nftflow_dev fg_nftflow_dev(const struct fg_nftflows *l,
				   const char *dev);

#endif /* FG_NFTFLOW_H */
