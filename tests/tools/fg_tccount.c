// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_tccount - another tool's TC filter, for the tests: a counting eBPF
 * program on a device's egress that lets every packet through to the next
 * filter (TC_ACT_UNSPEC), so a test can check what the filters around
 * the guard see.
 *
 *   fg_tccount add DEV PREF
 *	Loads the counter (from raw instructions: no object file, no BTF)
 *	and attaches it, direct action, to DEV's egress at preference PREF,
 *	handle PREF, creating the clsact qdisc if needed; prints its program
 *	id. The filter keeps the program (and its counter) after we exit;
 *	both go with `tc filter del dev DEV egress pref PREF` or the device.
 *
 *   fg_tccount count DEV PREF
 *	Prints the packets that filter has counted so far.
 *
 * DEV is looked up in the caller's network namespace. Exit 0 on success,
 * 1 on failure (one line on stderr), 2 on bad arguments.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "mark.h"

static void usage(void)
{
	fprintf(stderr, "usage: fg_tccount add DEV PREF\n"
			"       fg_tccount count DEV PREF\n");
	exit(2);
}

static int fail(const char *what, const char *dev, int err)
{
	fprintf(stderr, "fg_tccount: %s %s: %s\n", what, dev, strerror(err));
	return 1;
}

/* The exit status, once the descriptors (-1: none) are closed. */
static int done(int rc, int prog_fd, int map_fd)
{
	if (prog_fd >= 0)
		close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	return rc;
}

/* counter[0] += 1 (atomic: several CPUs transmit at once); return
 * TC_ACT_UNSPEC, the next filter's turn. */
static int load_counter(int map_fd)
{
	struct bpf_insn insns[] = {
		/* *(u32 *)(r10 - 4) = 0: the key */
		{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10,
		  .off = -4, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2,
		  .imm = -4 },
		/* r1 = the map (a two-slot load) */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0,
		  .off = 2, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
		  .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_0,
		  .src_reg = BPF_REG_1, .imm = BPF_ADD },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = TC_ACT_UNSPEC },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "fg_count", "GPL",
			     insns, sizeof(insns) / sizeof(insns[0]), NULL);
}

static int cmd_add(const char *dev, int ifindex, uint32_t pref)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = pref, .priority = pref);
	int map_fd = -1, prog_fd = -1, rc = 1, err;

	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fg_count", 4, 8, 1, NULL);
	if (map_fd < 0) {
		rc = fail("counter map for", dev, errno);
		goto out;
	}
	prog_fd = load_counter(map_fd);
	if (prog_fd < 0) {
		rc = fail("loading the counter for", dev, errno);
		goto out;
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		rc = fail("clsact on", dev, -err);
		goto out;
	}
	opts.prog_fd = prog_fd;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		rc = fail("attaching to the egress of", dev, -err);
		goto out;
	}
	printf("%u\n", opts.prog_id);
	rc = 0;
out:
	return done(rc, prog_fd, map_fd);
}

/* The filter's program, its one map, slot 0. */
static int cmd_count(const char *dev, int ifindex, uint32_t pref)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = pref, .priority = pref);
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), map_id = 0, key = 0;
	int prog_fd = -1, map_fd = -1, rc = 1, err;
	uint64_t n;

	err = bpf_tc_query(&hook, &opts);
	if (err) {
		rc = fail("no counter filter on", dev, -err);
		goto out;
	}
	prog_fd = bpf_prog_get_fd_by_id(opts.prog_id);
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 1;
	info.map_ids = (uint64_t)(unsigned long)&map_id;
	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len) ||
	    !map_id) {
		rc = fail("the counter program on", dev, errno);
		goto out;
	}
	map_fd = bpf_map_get_fd_by_id(map_id);
	if (map_fd < 0 || bpf_map_lookup_elem(map_fd, &key, &n)) {
		rc = fail("the counter of", dev, errno);
		goto out;
	}
	printf("%llu\n", (unsigned long long)n);
	rc = 0;
out:
	return done(rc, prog_fd, map_fd);
}

int main(int argc, char **argv)
{
	uint32_t pref;
	int ifindex;

	if (argc != 4 || fg_mark_parse_range(argv[3], 1, 0xffff, &pref))
		usage();
	libbpf_set_print(NULL);
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex)
		return fail("device", argv[2], errno);
	if (!strcmp(argv[1], "add"))
		return cmd_add(argv[2], ifindex, pref);
	if (!strcmp(argv[1], "count"))
		return cmd_count(argv[2], ifindex, pref);
	usage();
	return 2;
}
