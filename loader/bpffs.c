// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpffs.c - mount a bpffs when there is none, make the pin dir's parents. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include "bpffs.h"
#include "log.h"

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int under_root(const char *pin_dir)
{
	size_t n = strlen(FG_BPFFS_ROOT);

	return !strncmp(pin_dir, FG_BPFFS_ROOT, n) && pin_dir[n] == '/';
}

/* The bpffs on FG_BPFFS_ROOT, mounted if it is not there. */
static int mount_root(char *err, size_t errlen)
{
	if (is_bpffs(FG_BPFFS_ROOT))
		return 0;
	if (mount("bpf", FG_BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		int rc = -errno;

		snprintf(err, errlen,
			 "%s is not a bpffs, and mounting one there failed: %s",
			 FG_BPFFS_ROOT, strerror(-rc));
		return rc;
	}
	fg_info("%s was not a bpffs: mounted one there", FG_BPFFS_ROOT);
	return 0;
}

/* Each missing parent of path, top down (the caller checked that the
 * deepest existing one is on a bpffs: a typo must not grow folders on
 * another file system). */
static int make_parents(const char *path, char *err, size_t errlen)
{
	char p[PATH_MAX];
	struct stat st;
	char *slash;

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p)) {
		snprintf(err, errlen, "pin dir %.60s...: too long", path);
		return -ENAMETOOLONG;
	}
	for (slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (stat(p, &st) && (errno != ENOENT || mkdir(p, 0700))) {
			int rc = -errno;

			snprintf(err, errlen, "pin dir %s: making %s: %s", path,
				 p, strerror(-rc));
			return rc;
		}
		*slash = '/';
	}
	return 0;
}

/* The deepest existing ancestor of path is on a bpffs. */
static int parent_on_bpffs(const char *path)
{
	char p[PATH_MAX];
	char *slash;
	struct stat st;

	snprintf(p, sizeof(p), "%s", path);
	while ((slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		if (!stat(p, &st))
			return is_bpffs(p);
	}
	return 0;
}

int fg_bpffs_prepare(const char *pin_dir, char *err, size_t errlen)
{
	int rc;

	if (under_root(pin_dir)) {
		rc = mount_root(err, errlen);
		if (rc)
			return rc;
	}
	if (is_bpffs(pin_dir))
		return 0; /* a bpffs of its own */
	if (parent_on_bpffs(pin_dir))
		return make_parents(pin_dir, err, errlen);
	snprintf(err, errlen,
		 "pin dir %s is not on a bpffs (mount -t bpf bpf DIR, or use one under %s)",
		 pin_dir, FG_BPFFS_ROOT);
	return -ENOTDIR;
}
