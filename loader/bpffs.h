/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpffs.h - a place for the pins: a host without a bpffs on /sys/fs/bpf
 * (a minimal init, a container) gets one mounted, as tc and bpftool do.
 */
#ifndef FG_BPFFS_H
#define FG_BPFFS_H

#include <stddef.h>

#define FG_BPFFS_ROOT "/sys/fs/bpf"

/* Before pin_dir is made: when it lies under FG_BPFFS_ROOT and that is no
 * bpffs, mount one there (one log line); then create pin_dir's missing
 * parents on the bpffs. A pin dir whose deepest existing folder is on no
 * bpffs is refused (-ENOTDIR): nothing is made or mounted elsewhere.
 * 0 or -errno with err. */
int fg_bpffs_prepare(const char *pin_dir, char *err, size_t errlen);

#endif /* FG_BPFFS_H */
