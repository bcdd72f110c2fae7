// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_nobtf.c - the skbmark guard loads on a kernel without BTF, the ct
 * guard does not, and the loader picks (or refuses) accordingly.
 *
 * "No BTF" is made in a child with its own mount namespace: a tmpfs over
 * /sys/kernel/btf hides /sys/kernel/btf/vmlinux (and /dev/null is bound
 * over any on-disk vmlinux libbpf would fall back to). The child also has
 * its own network namespace and its own bpffs on a mkdtemp folder that
 * the parent removes (sandbox.h), so nothing outlives the test.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "flowguard.h"
#include "prog.h"
#include "unit.h"

/* the skeletons define static helpers this file does not all use */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "flowguard_ct.skel.h"
#include "flowguard_skbmark.skel.h"
#pragma GCC diagnostic pop

#include "frames.h"
#include "sandbox.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"
#define DEDUPE_NS 1000000000ull /* any: nothing here waits for it */

/* ------------------------------------------------------------ no BTF */

/* The on-disk places libbpf 1.x looks for vmlinux after sysfs. */
static int hide_btf(void)
{
	static const char *const disk[] = {
		"/boot/vmlinux-%s",
		"/lib/modules/%s/vmlinux-%s",
		"/lib/modules/%s/build/vmlinux",
		"/usr/lib/modules/%s/kernel/vmlinux",
		"/usr/lib/debug/boot/vmlinux-%s",
		"/usr/lib/debug/boot/vmlinux-%s.debug",
		"/usr/lib/debug/lib/modules/%s/vmlinux",
	};
	struct utsname u;
	char path[PATH_MAX];

	if (mount("tmpfs", "/sys/kernel/btf", "tmpfs", MS_RDONLY, "size=4k")) {
		perror("mount tmpfs on /sys/kernel/btf");
		return -1;
	}
	uname(&u);
	for (size_t i = 0; i < sizeof(disk) / sizeof(disk[0]); i++) {
		snprintf(path, sizeof(path), disk[i], u.release, u.release);
		if (access(path, F_OK))
			continue;
		if (mount("/dev/null", path, NULL, MS_BIND, NULL)) {
			perror(path);
			return -1;
		}
		printf("  note: hid %s\n", path);
	}
	return 0;
}

/* ------------------------------------------------------------ helpers */

static char libbpf_log[8192];

/* libbpf's messages are kept, not printed: the failures here are
 * expected; they are shown when a check fails. */
static int keep_libbpf(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	size_t used = strlen(libbpf_log);

	if (level == LIBBPF_DEBUG || used + 1 >= sizeof(libbpf_log))
		return 0;
	vsnprintf(libbpf_log + used, sizeof(libbpf_log) - used, fmt, ap);
	return 0;
}

static void show_libbpf_log(void)
{
	char *line, *save = NULL;

	for (line = strtok_r(libbpf_log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("    libbpf: %s\n", line);
	libbpf_log[0] = '\0';
}

/* Load kind (and unload it again, unless out is given); 0 or -errno,
 * said: the callers expect it to load. */
static int try_load(enum fg_guard_kind kind, struct fg_prog **out)
{
	struct fg_prog *p;
	char err[256] = "";
	int rc;

	libbpf_log[0] = '\0';
	rc = sandbox_load(&p, kind, DEDUPE_NS, err, sizeof(err));
	if (rc) {
		printf("  %s\n", err);
		return rc;
	}
	if (out)
		*out = p;
	else
		sandbox_unload(&p);
	return 0;
}

/* Number of CO-RE relocation records in a BPF ELF object's .BTF.ext;
 * -1 if the object cannot be read. */
static long core_relos(const void *obj, size_t size)
{
	const unsigned char *b = obj;
	const Elf64_Ehdr *eh = obj;
	const Elf64_Shdr *sh, *shstr;
	long total = -1;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > size ||
	    eh->e_shstrndx >= eh->e_shnum)
		return -1;
	sh = (const Elf64_Shdr *)(b + eh->e_shoff);
	shstr = &sh[eh->e_shstrndx];
	for (int i = 0; i < eh->e_shnum; i++) {
		const char *name = (const char *)b + shstr->sh_offset +
				   sh[i].sh_name;
		const unsigned char *x = b + sh[i].sh_offset;
		uint32_t hdr_len, off, len, rec, pos;

		if (strcmp(name, ".BTF.ext"))
			continue;
		if (sh[i].sh_offset + sh[i].sh_size > size || sh[i].sh_size < 8)
			return -1;
		memcpy(&hdr_len, x + 4, 4);
		total = 0;
		/* core_relo_off/len are the optional header words 6 and 7 */
		if (hdr_len < 32)
			return 0;
		memcpy(&off, x + 24, 4);
		memcpy(&len, x + 28, 4);
		if (!len)
			return 0;
		x += hdr_len + off;
		memcpy(&rec, x, 4);
		for (pos = 4; pos + 8 <= len;) {
			uint32_t n;

			memcpy(&n, x + pos + 4, 4);
			total += n;
			pos += 8 + n * rec;
		}
		return total;
	}
	return 0; /* no .BTF.ext: no relocations */
}

/* ------------------------------------------------------------ tests */

/* With BTF visible, both ct programs load: the failures below are then
 * the missing BTF's doing. */
static void test_ct_loads_with_btf(void)
{
	CHECK(access(VMLINUX, R_OK) == 0);
	CHECK_EQ_U(try_load(FG_GUARD_CT_KCTX, NULL), 0);
	CHECK_EQ_U(try_load(FG_GUARD_CT_PROBE, NULL), 0);
	CHECK_EQ_U(try_load(FG_GUARD_SKBMARK, NULL), 0);
	show_libbpf_log();
}

/* The skbmark object carries no CO-RE relocation; the ct object does
 * (which also shows the count below is not blind). */
static void test_skbmark_no_core_relos(void)
{
	size_t sk_size = 0, ct_size = 0;
	const void *sk = flowguard_skbmark__elf_bytes(&sk_size);
	const void *ct = flowguard_ct__elf_bytes(&ct_size);
	long n_sk = core_relos(sk, sk_size), n_ct = core_relos(ct, ct_size);

	printf("  note: CO-RE relocations: skbmark %ld, ct %ld\n", n_sk, n_ct);
	CHECK_EQ_U(n_sk, 0);
	CHECK(n_ct > 0);
}

static void test_btf_hidden(void)
{
	CHECK(access(VMLINUX, F_OK) < 0 && errno == ENOENT);
}

static void test_auto_picks_skbmark(void)
{
	enum fg_guard_kind kind = FG_GUARD_CT_KCTX;
	char err[256] = "";

	CHECK_EQ_U(fg_prog_choose(FG_WANT_AUTO, FG_WANT_AUTO, FG_WANT_AUTO, &kind, err,
				  sizeof(err)),
		   0);
	CHECK_EQ_U(kind, FG_GUARD_SKBMARK);
	kind = FG_GUARD_CT_KCTX;
	CHECK_EQ_U(fg_prog_choose(0, FG_WANT_AUTO, FG_WANT_AUTO, &kind, err,
				  sizeof(err)),
		   0);
	CHECK_EQ_U(kind, FG_GUARD_SKBMARK);
}

/* --mode ct on such a kernel: refused, saying why and what to do. */
static void test_explicit_ct_refused(void)
{
	static const int probes[] = { FG_WANT_AUTO, 0, 1 };

	for (int i = 0; i < 3; i++) {
		enum fg_guard_kind kind = FG_GUARD_SKBMARK;
		char err[256] = "";
		int rc = fg_prog_choose(1, probes[i], FG_WANT_AUTO, &kind, err,
					sizeof(err));

		CHECK(rc < 0);
		CHECK(strstr(err, "BTF") != NULL);
		CHECK(strstr(err, "skbmark") != NULL);
		if (i == 0)
			printf("  note: fg_prog_choose(ct): %s (%s)\n", err,
			       strerror(-rc));
	}
}

/* Loads, and works: a foreign mark on an uplink gives one event. */
static void test_skbmark_loads_without_btf(void)
{
	/* UDP 100.64.0.1:10000 -> 192.0.2.7:443 leaving lo, which allows
	 * only 0x100 */
	const struct pkt pkt = { .proto = IPPROTO_UDP,
				 .saddr = { 100, 64, 0, 1 },
				 .daddr = { 192, 0, 2, 7 },
				 .sport = 10000,
				 .dport = 443 };
	struct __sk_buff ctx = { .mark = 0x200, .ifindex = 1 };
	struct fg_flow_key key = flow_key(&pkt, 1);
	struct fg_prog *p = NULL;
	uint8_t frame[128];
	size_t len = pkt_build(&pkt, frame);
	uint64_t ts;
	int rc = try_load(FG_GUARD_SKBMARK, &p);

	CHECK_EQ_U(rc, 0);
	if (rc) {
		show_libbpf_log();
		return;
	}
	CHECK_EQ_U(fg_prog_kind(p), FG_GUARD_SKBMARK);
	CHECK_EQ_U(sandbox_uplink(p, 1, 0, (uint32_t[]){ 0x100 }, 1, 1), 0);
	CHECK_EQ_U(sandbox_test_run(fg_prog_fd(p), frame, len, &ctx, 0, NULL),
		   SANDBOX_PASS);
	/* flagged: the flow is now in the dedupe map */
	CHECK_EQ_U(bpf_map_lookup_elem(fg_prog_map_fd(p, FG_MAP_FLOWS), &key,
				       &ts),
		   0);
	sandbox_unload(&p);
}

static void ct_fails(enum fg_guard_kind kind)
{
	struct fg_prog *p;
	char err[256] = "";
	int rc = sandbox_load(&p, kind, DEDUPE_NS, err, sizeof(err));

	CHECK(rc < 0);
	if (rc < 0) {
		printf("  note: %s\n", err);
		libbpf_log[0] = '\0'; /* expected: not worth showing */
	} else {
		sandbox_unload(&p);
	}
}

static void test_ct_kctx_fails_without_btf(void)
{
	ct_fails(FG_GUARD_CT_KCTX);
}

static void test_ct_probe_fails_without_btf(void)
{
	ct_fails(FG_GUARD_CT_PROBE);
}

static int run_all(void)
{
	libbpf_set_print(keep_libbpf);
	RUN(test_skbmark_no_core_relos);
	if (access(VMLINUX, R_OK)) {
		/* a host without BTF: the control cannot run */
		SKIP(test_ct_loads_with_btf, "host kernel has no BTF");
	} else {
		RUN(test_ct_loads_with_btf);
	}
	if (hide_btf()) {
		printf("FAIL test_nobtf (cannot hide kernel BTF)\n");
		return 1;
	}
	RUN(test_btf_hidden);
	RUN(test_auto_picks_skbmark);
	RUN(test_explicit_ct_refused);
	RUN(test_skbmark_loads_without_btf);
	RUN(test_ct_kctx_fails_without_btf);
	RUN(test_ct_probe_fails_without_btf);
	UNIT_EXIT();
}

int main(void)
{
	return sandbox_run("nobtf", run_all);
}
