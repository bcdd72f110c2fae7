/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sandbox.h - a throwaway place to load guards in and run them on frames,
 * shared by the kernel tests and the benchmark. Each includes it once into
 * its single translation unit, hence static functions in a header.
 *
 * sandbox_spawn runs a function in a child process with its own network
 * and mount namespaces and its own bpffs, mounted on a mkdtemp folder the
 * parent removes: pins, devices and mounts vanish with the child, whatever
 * happens to it, and the host is left as it was.
 *
 * The includer defines _GNU_SOURCE (unshare, CLONE_*) before any include.
 */
#ifndef FG_TEST_SANDBOX_H
#define FG_TEST_SANDBOX_H

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/libbpf.h>

#include "flowguard.h"
#include "prog.h"

/* ------------------------------------------------------------ sandbox */

/* The child's exit status when the sandbox itself could not be made. */
#define SANDBOX_SETUP_FAILED 3

static char sandbox_bpffs[64]; /* the child's bpffs, on a mkdtemp folder */

static inline int sandbox_lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/* In the child: private namespaces, bpffs, loopback up. */
static inline int sandbox_enter(void)
{
	if (unshare(CLONE_NEWNET) || unshare(CLONE_NEWNS)) {
		perror("unshare");
		return -1;
	}
	/* else the bpffs mount would propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		perror("mount --make-rprivate /");
		return -1;
	}
	if (mount("bpf", sandbox_bpffs, "bpf", 0, "mode=0700")) {
		perror("mount bpffs");
		return -1;
	}
	if (sandbox_lo_up()) {
		perror("lo up");
		return -1;
	}
	return 0;
}

/*
 * A veth pair, fgva and fgvb, in the child's netns; their ifindexes in
 * *if_a and *if_b. For the sandboxed function to call first, returning
 * SANDBOX_SETUP_FAILED if it fails: the devices are part of the sandbox.
 */
static inline int sandbox_veth(int *if_a, int *if_b)
{
	if (system("ip link add fgva type veth peer name fgvb"))
		return -1;
	*if_a = (int)if_nametoindex("fgva");
	*if_b = (int)if_nametoindex("fgvb");
	if (*if_a <= 1 || *if_b <= 1) {
		fprintf(stderr, "veth ifindex: %d %d\n", *if_a, *if_b);
		return -1;
	}
	return 0;
}

/*
 * Run fn in a sandboxed child (name goes into the folder's name); the
 * parent only waits and removes the mount point (on the host it is a
 * plain empty folder). Returns the child's wait status, whose exit status
 * is fn's return value or SANDBOX_SETUP_FAILED; -1 if no child could be
 * started (said on stderr, as the sandbox's own failures are).
 */
static inline int sandbox_spawn(const char *name, int (*fn)(void))
{
	int status = 0, rc;
	pid_t pid;

	snprintf(sandbox_bpffs, sizeof(sandbox_bpffs), "/tmp/fg-%s.XXXXXX",
		 name);
	if (!mkdtemp(sandbox_bpffs)) {
		perror("mkdtemp");
		return -1;
	}
	fflush(NULL); /* else the child prints our buffered output again */
	pid = fork();
	if (pid == 0) {
		rc = sandbox_enter() ? SANDBOX_SETUP_FAILED : fn();
		fflush(NULL);
		_exit(rc);
	}
	/* ^C or a kill ends the child (it kept the default actions); the
	 * parent stays to remove the folder. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rmdir(sandbox_bpffs);
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	return status;
}

/* sandbox_spawn for test_<name>: skipped unless root (namespaces and
 * bpffs need it), and a child that did not finish is reported as a FAIL
 * line (tests/run.sh counts them). Returns the exit status to end with. */
static inline int sandbox_run(const char *name, int (*fn)(void))
{
	int status, rc;

	if (geteuid() != 0) {
		printf("SKIP test_%s: needs root\n", name);
		return 0;
	}
	status = sandbox_spawn(name, fn);
	if (status < 0)
		return 1;
	if (WIFSIGNALED(status)) {
		printf("FAIL %s (killed by signal %d)\n", name,
		       WTERMSIG(status));
		return 1;
	}
	rc = WEXITSTATUS(status);
	if (rc == SANDBOX_SETUP_FAILED)
		printf("FAIL %s (sandbox setup failed)\n", name);
	return rc;
}

/* ------------------------------------------------------------ guards */

static unsigned sandbox_pin_seq;

/*
 * Load kind with mwan3's mask (0x3f00) and reserved marks (default,
 * unreachable, blackhole) and the given dedupe interval, its maps pinned
 * in a folder of the sandbox's bpffs. A fresh folder per load, as
 * fg_prog_load adopts the maps it finds pinned; they are left in place
 * (empty once unloaded, and the bpffs goes with the child). 0, or -errno
 * with why in err.
 */
/* lookup_sample: see fg_guard_cfg (0: every entry-less packet). */
static inline int sandbox_load_sampled(struct fg_prog **prog,
				       enum fg_guard_kind kind,
				       uint64_t dedupe_ns,
				       uint32_t lookup_sample, char *err,
				       size_t errlen)
{
	const struct fg_guard_cfg cfg = {
		.dedupe_ns = dedupe_ns,
		.mask = 0x3f00,
		.reserved = { 0x3f00, 0x3e00, 0x3d00 },
		.lookup_sample = lookup_sample,
	};
	char pin[PATH_MAX];
	int rc;

	*prog = NULL;
	snprintf(pin, sizeof(pin), "%s/p%u", sandbox_bpffs, ++sandbox_pin_seq);
	rc = fg_prog_pin_dir_prepare(pin, err, errlen);
	if (rc < 0)
		return rc;
	rc = fg_prog_load(prog, kind, pin, &cfg);
	if (rc)
		snprintf(err, errlen, "fg_prog_load(%s): %s",
			 fg_prog_kind_name(kind), strerror(-rc));
	return rc;
}

static inline int sandbox_load(struct fg_prog **prog, enum fg_guard_kind kind,
			       uint64_t dedupe_ns, char *err, size_t errlen)
{
	return sandbox_load_sampled(prog, kind, dedupe_ns, 0, err, errlen);
}

/* Unpin and close (NULL is fine); *prog is NULL after. */
static inline void sandbox_unload(struct fg_prog **prog)
{
	if (!*prog)
		return;
	fg_prog_unpin(*prog);
	fg_prog_close(*prog);
	*prog = NULL;
}

/*
 * Make ifindex an Ethernet uplink of prog's guard, counted in slot. The n
 * marks are written into allowed[], of which the first nr_allowed count
 * (fewer than n only to show that the rest do not). 0 or -errno.
 */
static inline int sandbox_uplink(const struct fg_prog *prog, int ifindex,
				 uint16_t slot, const uint32_t *marks,
				 uint32_t n, uint32_t nr_allowed)
{
	struct fg_uplink up = { .slot = slot, .l2_len = 14,
				.flags = FG_UPLINK_GUARDED };
	uint32_t key = (uint32_t)ifindex;

	if (n)
		memcpy(up.allowed, marks, n * sizeof(*marks));
	/* n uplinks on the device, nr_allowed of them up */
	up.nr_marks = (uint8_t)n;
	up.nr_allowed = nr_allowed;
	if (bpf_map_update_elem(fg_prog_map_fd(prog, FG_MAP_UPLINKS), &key,
				&up, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * BPF_PROG_TEST_RUN of prog_fd on frame, repeat times (0 means once), the
 * skb's fields (mark, ifindex, ...) from ctx; ns, if not NULL, gets the
 * kernel's mean ns per run.
 */
/* What the guard returns for a packet it lets pass: go on with the next
 * filter (TC_ACT_UNSPEC, -1). */
#define SANDBOX_PASS TC_ACT_UNSPEC
/* A run the kernel refused: SANDBOX_REFUSED - errno, below every verdict
 * (TC_ACT_UNSPEC is -1, so -errno would be ambiguous). */
#define SANDBOX_REFUSED (-1000)
#define SANDBOX_ERRNO(rc) (SANDBOX_REFUSED - (rc))

/* The program's return value, or SANDBOX_REFUSED - errno. */
static inline int sandbox_test_run(int prog_fd, const void *frame, size_t len,
				   const struct __sk_buff *ctx,
				   uint32_t repeat, uint32_t *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = (uint32_t)len, .ctx_in = ctx,
		    .ctx_size_in = sizeof(*ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return SANDBOX_REFUSED - errno;
	if (ns)
		*ns = o.duration;
	return (int)o.retval;
}

#endif /* FG_TEST_SANDBOX_H */
