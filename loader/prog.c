// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * prog.c - the guard's BPF side, from the loader's view. Two objects exist
 * because libbpf refuses to open an object with any CO-RE relocation on a
 * kernel without BTF, even when that program is not loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "bpffs.h"
#include "log.h"
#include "mapsize.h"
#include "prog.h"
#include "tcfilt.h"
#include "flowguard_ct.skel.h"
#include "flowguard_skbmark.skel.h"


struct fg_prog {
	struct flowguard_ct *ct;
	struct flowguard_skbmark *skbmark;
	struct bpf_object *obj;
	struct bpf_program *prog;
	enum fg_guard_kind kind;
};

static const char *const fg_kind_names[] = {
	[FG_GUARD_CT_KCTX] = "ct (kfunc)",
	[FG_GUARD_CT_PROBE] = "ct (probe read)",
	[FG_GUARD_SKBMARK] = "skbmark",
	[FG_GUARD_CT_KCTX_LOOKUP] = "ct (kfunc, offload lookup)",
	[FG_GUARD_CT_PROBE_LOOKUP] = "ct (probe read, offload lookup)",
};

static const char *const fg_kind_progs[] = {
	[FG_GUARD_CT_KCTX] = "fg_guard_ct_kctx",
	[FG_GUARD_CT_PROBE] = "fg_guard_ct_probe",
	[FG_GUARD_SKBMARK] = "fg_guard_skbmark",
	[FG_GUARD_CT_KCTX_LOOKUP] = "fg_guard_ct_kctx_lookup",
	[FG_GUARD_CT_PROBE_LOOKUP] = "fg_guard_ct_probe_lookup",
};

const char *fg_prog_kind_name(enum fg_guard_kind kind)
{
	return fg_kind_names[kind];
}

const char *fg_prog_offload_view(enum fg_guard_kind kind)
{
	switch (kind) {
	case FG_GUARD_CT_KCTX_LOOKUP:
	case FG_GUARD_CT_PROBE_LOOKUP:
		return "looked up (bpf_skb_ct_lookup)";
	case FG_GUARD_SKBMARK:
		return "reported by tuple while an uplink on it is down";
	default:
		return "not visible (lookup off, or no bpf_skb_ct_lookup)";
	}
}

/* Which of the n kfuncs the kernel has (found[i] 1 or 0). A kfunc may
 * live in a module's BTF (nf_conntrack's, when it is not built in):
 * vmlinux first, then each module for what is still missing. */
static void fg_kernel_kfuncs(struct btf *vmlinux,
			     const char *const *names, int *found, size_t n)
{
	size_t i, missing = 0;
	__u32 id = 0;

	for (i = 0; i < n; i++) {
		found[i] = vmlinux &&
			   btf__find_by_name_kind(vmlinux, names[i],
						  BTF_KIND_FUNC) > 0;
		missing += !found[i];
	}
	while (vmlinux && missing && !bpf_btf_get_next_id(id, &id)) {
		struct btf *mod = btf__load_from_kernel_by_id_split(id, vmlinux);

		if (!mod)
			continue;
		for (i = 0; i < n; i++) {
			if (found[i] || btf__find_by_name_kind(mod, names[i],
							       BTF_KIND_FUNC) <= 0)
				continue;
			found[i] = 1;
			missing--;
		}
		btf__free(mod);
	}
}

/* bpf_rdonly_cast() makes the ct mark a plain load, but needs nf_conn's
 * kernel BTF id as a constant, and libbpf cannot relocate it: the name
 * also matches nf_conn___init. 0 (mark read by helper) when nf_conn is
 * not in vmlinux's BTF (conntrack built as a module). */
static __u32 fg_nf_conn_btf_id(const struct btf *vmlinux)
{
	int id = vmlinux ? btf__find_by_name_kind(vmlinux, "nf_conn",
						  BTF_KIND_STRUCT)
			 : 0;

	return id > 0 ? (__u32)id : 0;
}

static int fg_kind_is_kctx(enum fg_guard_kind kind)
{
	return kind == FG_GUARD_CT_KCTX || kind == FG_GUARD_CT_KCTX_LOOKUP;
}

int fg_prog_choose_btf(int want_ct, int want_probe, int want_lookup,
		       enum fg_guard_kind *kind, uint32_t *nf_conn_btf_id,
		       char *err, size_t errlen)
{
	static const char *const kfuncs[] = { "bpf_cast_to_kern_ctx",
					      "bpf_skb_ct_lookup" };
	int has_btf = access(FG_VMLINUX_BTF, R_OK) == 0;
	int has[2] = { 0, 0 }, has_lookup, probe_kfuncs;
	struct btf *vmlinux = NULL;

	if (nf_conn_btf_id)
		*nf_conn_btf_id = 0;
	if (want_ct == 0 || (want_ct == FG_WANT_AUTO && !has_btf)) {
		*kind = FG_GUARD_SKBMARK;
		return 0;
	}
	if (!has_btf) {
		snprintf(err, errlen,
			 "mode ct needs kernel BTF (%s); use --mode skbmark",
			 FG_VMLINUX_BTF);
		return -ENOTSUP;
	}
	/* The kernel's BTF (5 MiB here, and twice that while libbpf 1.1
	 * parses it) is the start's largest cost in memory and time:
	 * parsed once for the kfuncs and nf_conn's id together, and freed
	 * before libbpf parses it again for CO-RE. */
	probe_kfuncs = want_probe == FG_WANT_AUTO || want_lookup;
	if (probe_kfuncs || (nf_conn_btf_id && want_probe == 0))
		vmlinux = btf__load_vmlinux_btf();
	if (probe_kfuncs)
		fg_kernel_kfuncs(vmlinux, kfuncs, has, 2);
	if (want_probe == FG_WANT_AUTO)
		want_probe = !has[0];
	has_lookup = want_lookup ? has[1] : 0;
	if (want_lookup == 1 && !has_lookup) {
		btf__free(vmlinux);
		snprintf(err, errlen,
			 "the offload lookup needs the kfunc bpf_skb_ct_lookup (kernel 5.18+, nf_conntrack with BTF)");
		return -ENOTSUP;
	}
	if (want_probe)
		*kind = has_lookup ? FG_GUARD_CT_PROBE_LOOKUP : FG_GUARD_CT_PROBE;
	else
		*kind = has_lookup ? FG_GUARD_CT_KCTX_LOOKUP : FG_GUARD_CT_KCTX;
	if (nf_conn_btf_id && fg_kind_is_kctx(*kind))
		*nf_conn_btf_id = fg_nf_conn_btf_id(vmlinux);
	btf__free(vmlinux);
	return 0;
}

int fg_prog_choose(int want_ct, int want_probe, int want_lookup,
		   enum fg_guard_kind *kind, char *err, size_t errlen)
{
	return fg_prog_choose_btf(want_ct, want_probe, want_lookup, kind, NULL,
				  err, errlen);
}

static int fg_open_skel(struct fg_prog *p, const char *pin_dir,
			const struct fg_guard_cfg *cfg)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct fg_guard_cfg *rodata_cfg;

	if (p->kind == FG_GUARD_SKBMARK) {
		p->skbmark = flowguard_skbmark__open_opts(&opts);
		if (!p->skbmark)
			return -errno;
		p->obj = p->skbmark->obj;
		rodata_cfg = (struct fg_guard_cfg *)&p->skbmark->rodata->fg_cfg;
	} else {
		p->ct = flowguard_ct__open_opts(&opts);
		if (!p->ct)
			return -errno;
		p->obj = p->ct->obj;
		rodata_cfg = (struct fg_guard_cfg *)&p->ct->rodata->fg_cfg;
	}
	memcpy(rodata_cfg, cfg, sizeof(*cfg));
	if (!fg_kind_is_kctx(p->kind)) {
		rodata_cfg->nf_conn_btf_id = 0;
	} else if (!cfg->nf_conn_btf_id) {
		/* not found by fg_prog_choose_btf() (or not asked) */
		struct btf *vmlinux = btf__load_vmlinux_btf();

		rodata_cfg->nf_conn_btf_id = fg_nf_conn_btf_id(vmlinux);
		btf__free(vmlinux);
	}
	return 0;
}

/* A map pinned under pin_dir by an earlier run is adopted only at the
 * size it was made with (libbpf refuses another): its max_entries, or 0
 * when there is none. */
static __u32 fg_pinned_max_entries(const char *pin_dir, const char *name)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[256];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", pin_dir, name) >=
	    (int)sizeof(path))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

/* fg_flows and fg_events for this router's conntrack table (mapsize.h),
 * or as pinned. */
static int fg_size_maps(struct fg_prog *p, const char *pin_dir)
{
	__u32 flows = fg_mapsize_flows(fg_mapsize_ct_max());
	__u32 ring = fg_mapsize_ringbuf(flows);
	__u32 pinned_flows = fg_pinned_max_entries(pin_dir, FG_MAP_FLOWS);
	__u32 pinned_ring = fg_pinned_max_entries(pin_dir, FG_MAP_EVENTS);
	struct bpf_map *m;
	int err;

	flows = pinned_flows ? pinned_flows : flows;
	ring = pinned_ring ? pinned_ring : ring;
	m = bpf_object__find_map_by_name(p->obj, FG_MAP_FLOWS);
	err = m ? bpf_map__set_max_entries(m, flows) : -ENOENT;
	if (err)
		return err;
	m = bpf_object__find_map_by_name(p->obj, FG_MAP_EVENTS);
	return m ? bpf_map__set_max_entries(m, ring) : -ENOENT;
}

int fg_prog_load(struct fg_prog **out, enum fg_guard_kind kind,
		 const char *pin_dir, const struct fg_guard_cfg *cfg)
{
	struct bpf_program *prog;
	struct fg_prog *p;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->kind = kind;
	err = fg_open_skel(p, pin_dir, cfg);
	err = err ?: fg_size_maps(p, pin_dir);
	if (err)
		goto out;
	bpf_object__for_each_program(prog, p->obj) {
		int ours = !strcmp(bpf_program__name(prog), fg_kind_progs[kind]);

		bpf_program__set_autoload(prog, ours);
		if (ours)
			p->prog = prog;
	}
	err = p->prog ? bpf_object__load(p->obj) : -ENOENT;
	if (err)
		goto out;
	*out = p;
	return 0;
out:
	fg_prog_close(p);
	return err;
}

void fg_prog_close(struct fg_prog *p)
{
	if (!p)
		return;
	flowguard_ct__destroy(p->ct);
	flowguard_skbmark__destroy(p->skbmark);
	free(p);
}

int fg_prog_unpin(struct fg_prog *p)
{
	return bpf_object__unpin_maps(p->obj, NULL);
}

enum fg_guard_kind fg_prog_kind(const struct fg_prog *p)
{
	return p->kind;
}

int fg_prog_fd(const struct fg_prog *p)
{
	return bpf_program__fd(p->prog);
}

int fg_prog_map_fd(const struct fg_prog *p, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(p->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

static void fg_tc_ids(struct bpf_tc_hook *hook, struct bpf_tc_opts *opts,
		      int ifindex, uint16_t priority)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_EGRESS;
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = FG_TC_HANDLE;
	opts->priority = priority;
}

int fg_prog_attach(const struct fg_prog *p, int ifindex, uint16_t priority)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	fg_tc_ids(&hook, &opts, ifindex, priority);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	opts.prog_fd = fg_prog_fd(p);
	/* REPLACE: a second attach (or a restart) swaps our one filter */
	opts.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&hook, &opts);
}

/* Does program id use the map with id map_id? 1, 0, or -errno. */
static int fg_prog_uses_map(uint32_t prog_id, uint32_t map_id)
{
	struct bpf_prog_info info;
	uint32_t ids[16], len = sizeof(info), i;
	int fd = bpf_prog_get_fd_by_id(prog_id), rc = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 16;
	info.map_ids = (uint64_t)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		rc = -errno;
		goto out;
	}
	for (i = 0; i < info.nr_map_ids && i < 16; i++)
		if (ids[i] == map_id)
			rc = 1;
out:
	close(fd);
	return rc;
}

int fg_prog_claim(const struct fg_prog *p, int ifindex, uint16_t priority,
		  char *err, size_t errlen)
{
	struct fg_tcfilt f[FG_TCFILT_MAX];
	struct bpf_map_info mi;
	uint32_t len = sizeof(mi);
	size_t nr, i;
	int rc, mine;

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fg_prog_map_fd(p, FG_MAP_UPLINKS), &mi,
				   &len))
		return -errno;
	rc = fg_tcfilt_list(ifindex, f, FG_TCFILT_MAX, &nr);
	if (rc && rc != -E2BIG)
		return rc;
	for (i = 0; i < nr; i++) {
		if (f[i].handle != FG_TC_HANDLE || strcmp(f[i].kind, "bpf") ||
		    !f[i].prog_id)
			continue;
		/* ours (a killed instance's, whose pins we adopted) share
		 * our uplink table; another instance's do not */
		mine = fg_prog_uses_map(f[i].prog_id, mi.id);
		if (mine < 0)
			return mine;
		if (!mine) {
			snprintf(err, errlen,
				 "another flowguard guards this device (its filter: pref %u handle 0x%x, program id %u, other pins): stop it, or remove that filter",
				 f[i].pref, FG_TC_HANDLE, f[i].prog_id);
			return -EBUSY;
		}
		/* ours at another priority (an earlier --tc-priority):
		 * exactly one filter of ours per device */
		if (f[i].pref != priority) {
			rc = fg_prog_detach(ifindex, (uint16_t)f[i].pref);
			if (rc && rc != -ENOENT)
				return rc;
		}
	}
	return 0;
}

int fg_prog_detach(int ifindex, uint16_t priority)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;

	/* never bpf_tc_hook_destroy(): it would drop other tools' filters */
	fg_tc_ids(&hook, &opts, ifindex, priority);
	return bpf_tc_detach(&hook, &opts);
}

int fg_prog_pin_dir_prepare(const char *pin_dir, char *err, size_t errlen)
{
	struct statfs st;
	int created = 1;
	int rc = fg_bpffs_prepare(pin_dir, err, errlen);

	if (rc)
		return rc;
	if (mkdir(pin_dir, 0700)) {
		if (errno != EEXIST) {
			snprintf(err, errlen, "pin dir %s: %s", pin_dir,
				 strerror(errno));
			return -errno;
		}
		created = 0;
	}
	if (statfs(pin_dir, &st)) {
		snprintf(err, errlen, "pin dir %s: %s", pin_dir,
			 strerror(errno));
		return -errno;
	}
	if (st.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen,
			 "pin dir %s is not on a bpffs (mount -t bpf bpf /sys/fs/bpf)",
			 pin_dir);
		if (created)
			rmdir(pin_dir);
		return -ENOTDIR;
	}
	return created;
}
