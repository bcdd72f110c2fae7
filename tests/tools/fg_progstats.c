// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_progstats - BPF run-time statistics around a command, and an empty TC
 * program to compare with, for tests/bench/bench-guard-live.sh.
 *
 *   fg_progstats run PROG... -- CMD [ARG...]
 *	Turns the kernel's run-time statistics on with the BPF_ENABLE_STATS
 *	command (bpf_enable_stats(BPF_STATS_RUN_TIME)): they stay on while
 *	the returned fd is open, i.e. while this process lives; the
 *	kernel.bpf_stats_enabled sysctl is neither read nor written. Reads
 *	each PROG's run_cnt and run_time_ns, runs CMD (fork, execvp, wait;
 *	its stdout goes to our stderr, so that our stdout holds only the
 *	figures), reads them again and prints, per PROG, the deltas:
 *	  id=ID name=NAME run_cnt=N run_time_ns=T ns_per_run=X.XX
 *	then "cmd status=S wall_us=U" (S: CMD's exit status, 128+N when
 *	killed by signal N). `fg_progstats run ID -- sleep 3` is a 3 s window.
 *	PROG: a program id, or name=NAME: every loaded program whose name is
 *	NAME (the kernel keeps the first 15 characters; ids are global, so
 *	other tests' programs match too: prefer ids).
 *	Exit status: 0 when the figures were printed (whatever CMD's status),
 *	1 when not. Killed, we leave nothing on: the kernel closes the fd.
 *
 *   fg_progstats empty DEV PRIO
 *	Loads an empty TC program, "r0 = -1 (TC_ACT_UNSPEC); exit", and
 *	attaches it (direct action, handle PRIO) to DEV's egress at priority
 *	PRIO, creating the clsact qdisc if needed; prints its program id. The
 *	filter keeps the program loaded after we exit; it goes with
 *	`tc filter del dev DEV egress pref PRIO` or with the device. Not
 *	"r0 = 0": in direct-action mode TC_ACT_OK (0) ends the classification,
 *	so filters at a larger priority (the guard's 0xf16) would never run;
 *	TC_ACT_UNSPEC passes the packet on to the next filter.
 *
 *   fg_progstats tcid DEV PRIO [HANDLE]
 *	Prints the id of the BPF program attached to DEV's egress at
 *	priority PRIO, handle HANDLE (default PRIO); exit 1 when none.
 *
 * DEV is looked up in the caller's network namespace.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "mark.h"

#define MAX_PROGS 64

struct prog {
	uint32_t id;
	int fd;
	char name[BPF_OBJ_NAME_LEN];
	uint64_t cnt0, ns0, cnt1, ns1;
};

static struct prog progs[MAX_PROGS];
static int nr_progs;

static void usage(void)
{
	fprintf(stderr,
		"usage: fg_progstats run PROG... -- CMD [ARG...]   (PROG: ID or name=NAME)\n"
		"       fg_progstats empty DEV PRIO\n"
		"       fg_progstats tcid DEV PRIO [HANDLE]\n");
	exit(2);
}

/* The project's strict number parser, within the range. */
static long parse_num(const char *s, uint32_t min, uint32_t max)
{
	uint32_t v;

	if (fg_mark_parse_range(s, min, max, &v))
		usage();
	return (long)v;
}

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int add_prog(uint32_t id)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	struct prog *p;
	int i;

	for (i = 0; i < nr_progs; i++)
		if (progs[i].id == id)
			return 0;
	if (nr_progs == MAX_PROGS) {
		fprintf(stderr, "fg_progstats: more than %d programs\n",
			MAX_PROGS);
		return -1;
	}
	p = &progs[nr_progs];
	p->fd = bpf_prog_get_fd_by_id(id);
	if (p->fd < 0) {
		fprintf(stderr, "fg_progstats: program %u: %s\n", id,
			strerror(errno));
		return -1;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(p->fd, &info, &len)) {
		fprintf(stderr, "fg_progstats: program %u: info: %s\n", id,
			strerror(errno));
		close(p->fd);
		return -1;
	}
	p->id = id;
	snprintf(p->name, sizeof(p->name), "%s", info.name[0] ? info.name : "-");
	nr_progs++;
	return 0;
}

/* every loaded program named NAME (compared on the kernel's 15 chars) */
static int add_by_name(const char *name)
{
	char want[BPF_OBJ_NAME_LEN];
	uint32_t id = 0;
	int found = 0;

	snprintf(want, sizeof(want), "%s", name);
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue; /* gone meanwhile */
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(info.name, want)) {
			close(fd);
			if (add_prog(id))
				return -1;
			found++;
			continue;
		}
		close(fd);
	}
	if (!found) {
		fprintf(stderr, "fg_progstats: no program named %s\n", want);
		return -1;
	}
	return 0;
}

static int read_stats(struct prog *p, uint64_t *cnt, uint64_t *ns)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(p->fd, &info, &len)) {
		fprintf(stderr, "fg_progstats: program %u: info: %s\n", p->id,
			strerror(errno));
		return -1;
	}
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

static int run_cmd(char **argv, int *status)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fg_progstats: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* keep our stdout for the figures */
		if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "fg_progstats: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "fg_progstats: waitpid: %s\n",
				strerror(errno));
			return -1;
		}
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) :
		  WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	long long t0, t1;
	int i, stats_fd, status = 0, cmd_at = -1;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			cmd_at = i + 1;
			break;
		}
	if (cmd_at < 0 || cmd_at >= argc || cmd_at == 1)
		usage();
	for (i = 0; i < cmd_at - 1; i++) {
		int rc;

		if (!strncmp(argv[i], "name=", 5))
			rc = add_by_name(argv[i] + 5);
		else
			rc = add_prog((uint32_t)parse_num(argv[i], 1, UINT32_MAX));
		if (rc)
			return 1;
	}

	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "fg_progstats: BPF_ENABLE_STATS: %s\n",
			strerror(errno));
		return 1;
	}
	for (i = 0; i < nr_progs; i++)
		if (read_stats(&progs[i], &progs[i].cnt0, &progs[i].ns0))
			return 1;
	t0 = mono_us();
	if (run_cmd(argv + cmd_at, &status))
		return 1;
	t1 = mono_us();
	for (i = 0; i < nr_progs; i++)
		if (read_stats(&progs[i], &progs[i].cnt1, &progs[i].ns1))
			return 1;
	close(stats_fd);

	for (i = 0; i < nr_progs; i++) {
		struct prog *p = &progs[i];
		uint64_t n = p->cnt1 - p->cnt0, ns = p->ns1 - p->ns0;

		printf("id=%u name=%s run_cnt=%" PRIu64 " run_time_ns=%" PRIu64
		       " ns_per_run=%.2f\n",
		       p->id, p->name, n, ns, n ? (double)ns / (double)n : 0.0);
	}
	printf("cmd status=%d wall_us=%lld\n", status, t1 - t0);
	return 0;
}

static int dev_index(const char *dev)
{
	unsigned idx = if_nametoindex(dev);

	if (!idx)
		fprintf(stderr, "fg_progstats: device %s: %s\n", dev,
			strerror(errno));
	return (int)idx;
}

static int cmd_empty(int argc, char **argv)
{
	/* r0 = -1 (TC_ACT_UNSPEC: on to the next filter); exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = TC_ACT_UNSPEC },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts);
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd, err, prio;

	if (argc != 2)
		usage();
	prio = (int)parse_num(argv[1], 1, 0xffff);
	hook.ifindex = dev_index(argv[0]);
	if (!hook.ifindex)
		return 1;
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "fg_empty", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0) {
		fprintf(stderr, "fg_progstats: loading the empty program: %s\n",
			strerror(errno));
		return 1;
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "fg_progstats: clsact on %s: %s\n", argv[0],
			strerror(-err));
		return 1;
	}
	opts.prog_fd = fd;
	opts.handle = (uint32_t)prio;
	opts.priority = (uint32_t)prio;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		fprintf(stderr, "fg_progstats: attaching to %s egress pref %d: %s\n",
			argv[0], prio, strerror(-err));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "fg_progstats: empty program info: %s\n",
			strerror(errno));
		return 1;
	}
	printf("%u\n", info.id);
	close(fd);
	return 0;
}

static int cmd_tcid(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts);
	int err;

	if (argc != 2 && argc != 3)
		usage();
	opts.priority = (uint32_t)parse_num(argv[1], 1, 0xffff);
	opts.handle = argc == 3 ? (uint32_t)parse_num(argv[2], 1, UINT32_MAX) :
				  opts.priority;
	hook.ifindex = dev_index(argv[0]);
	if (!hook.ifindex)
		return 1;
	err = bpf_tc_query(&hook, &opts);
	if (err) {
		fprintf(stderr, "fg_progstats: %s egress pref %u handle 0x%x: %s\n",
			argv[0], opts.priority, opts.handle, strerror(-err));
		return 1;
	}
	printf("%u\n", opts.prog_id);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	libbpf_set_print(NULL);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "empty"))
		return cmd_empty(argc - 2, argv + 2);
	if (!strcmp(argv[1], "tcid"))
		return cmd_tcid(argc - 2, argv + 2);
	usage();
	return 2;
}
