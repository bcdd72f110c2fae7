// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mwan3_conf.c - interface ids and the mark mask from mwan3's config and
 * state files, computed the way mwan3 does.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mark.h"
#include "mwan3_conf.h"
#include "uci.h"

/* Read a small file into buf as a string; -EFBIG if it does not fit. */
static int read_small(const char *path, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r = 1;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (r > 0 && n < len) {
		r = read(fd, buf + n, len - n);
		if (r < 0 && errno == EINTR)
			r = 1;
		else if (r < 0)
			ret = -errno;
		else
			n += (size_t)r;
	}
	close(fd);
	if (!ret && n == len)
		ret = -EFBIG;
	if (!ret)
		buf[n] = '\0';
	return ret;
}

/* Strip leading and trailing whitespace in place. */
static char *trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int mask_from_cache(const char *path, uint32_t *mask)
{
	char buf[64];

	if (read_small(path, buf, sizeof(buf)))
		return -ENOENT;
	return fg_mark_parse_u32(trim(buf), mask);
}

/* mmx_mask of the section named 'globals' (mwan3 looks it up by name);
 * 0 and *found = 0 when there is none. */
static int mask_from_config(const struct fg_uci *u, const char *path,
			    uint32_t *mask, int *found, char *err,
			    size_t errlen)
{
	const struct fg_uci_section *g = fg_uci_section(u, "globals");
	const struct fg_uci_option *o = g ? fg_uci_find(g, "mmx_mask") : NULL;
	const char *v = g ? fg_uci_get(g, "mmx_mask") : NULL;

	*found = !!o;
	if (!o)
		return 0;
	if (!v || fg_mark_parse_u32(v, mask)) {
		snprintf(err, errlen, "%s: line %d: mmx_mask is not a number",
			 path, o->line);
		return -EINVAL;
	}
	return 0;
}

static int load_mask(struct fg_mwan3 *m, const struct fg_uci *u,
		     const char *path, const char *cache, char *err,
		     size_t errlen)
{
	int found, bits;

	if (!mask_from_cache(cache, &m->mask)) {
		m->mask_src = FG_MWAN3_MASK_CACHE;
		path = cache;
	} else {
		int ret = mask_from_config(u, path, &m->mask, &found, err,
					   errlen);

		if (ret)
			return ret;
		m->mask_src = found ? FG_MWAN3_MASK_CONFIG :
				      FG_MWAN3_MASK_DEFAULT;
		if (!found)
			m->mask = FG_MWAN3_DEFAULT_MASK;
	}
	bits = fg_mark_bits(m->mask);
	if (bits < 2) {
		snprintf(err, errlen,
			 "%s: mmx_mask 0x%x has %d set bits, needs at least 2",
			 path, m->mask, bits);
		return -EINVAL;
	}
	return 0;
}

/* One `config interface` section, which takes the next id. */
static int load_iface(struct fg_mwan3 *m, const struct fg_uci_section *s,
		      const char *path, char *err, size_t errlen)
{
	struct fg_mwan3_iface *i;
	const char *family = fg_uci_get(s, "family");

	if (m->nr_ifaces >= FG_MAX_IFACES) {
		snprintf(err, errlen, "%s: line %d: more than %d interfaces",
			 path, s->line, FG_MAX_IFACES);
		return -E2BIG;
	}
	if (s->name && fg_conf_check_name(s->name)) {
		snprintf(err, errlen,
			 "%s: line %d: interface name is not valid (1-31 of A-Z a-z 0-9 _ . -)",
			 path, s->line);
		return -EINVAL;
	}
	i = &m->ifaces[m->nr_ifaces];
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", s->name ? s->name : "");
	i->id = (uint32_t)++m->nr_ifaces;
	/* like mwan3's config_get_bool: anything unknown is the default 0 */
	if (fg_conf_parse_bool(fg_uci_get(s, "enabled"), &i->enabled))
		i->enabled = 0;
	if (!family || !strcmp(family, "ipv4")) {
		i->family = 4;
	} else if (!strcmp(family, "ipv6")) {
		i->family = 6;
	} else {
		snprintf(err, errlen,
			 "%s: line %d: interface '%s': family is not ipv4 or ipv6",
			 path, fg_uci_find(s, "family")->line, i->name);
		return -EINVAL;
	}
	return 0;
}

int fg_mwan3_from_uci(const struct fg_uci *u, const char *config_path,
		      const char *mask_cache_path, struct fg_mwan3 *m,
		      char *err, size_t errlen)
{
	const char *path = config_path ? config_path : FG_MWAN3_CONFIG_PATH;
	const char *cache = mask_cache_path ? mask_cache_path :
					      FG_MWAN3_MASK_CACHE_PATH;
	size_t i;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; !ret && i < u->nr_sections; i++)
		if (!strcmp(u->sections[i].type, "interface"))
			ret = load_iface(m, &u->sections[i], path, err, errlen);
	if (!ret)
		ret = load_mask(m, u, path, cache, err, errlen);
	if (ret)
		memset(m, 0, sizeof(*m));
	return ret;
}

int fg_mwan3_load(const char *config_path, const char *mask_cache_path,
		  struct fg_mwan3 *m, char *err, size_t errlen)
{
	const char *path = config_path ? config_path : FG_MWAN3_CONFIG_PATH;
	struct fg_uci u;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = fg_uci_load(path, &u, err, errlen);
	if (ret)
		return ret;
	ret = fg_mwan3_from_uci(&u, path, mask_cache_path, m, err, errlen);
	fg_uci_free(&u);
	return ret;
}

int fg_mwan3_iface_mark(const struct fg_mwan3 *m, const char *iface,
			uint32_t *mark, char *err, size_t errlen)
{
	char msg[160];
	size_t i;

	if (!iface || !*iface) {
		snprintf(err, errlen, "empty interface name");
		return -ENOENT;
	}
	if (fg_conf_check_name(iface)) {
		snprintf(err, errlen, "interface name is not valid");
		return -ENOENT;
	}
	for (i = 0; i < m->nr_ifaces; i++)
		if (!strcmp(m->ifaces[i].name, iface))
			break;
	if (i == m->nr_ifaces) {
		snprintf(err, errlen, "interface '%s' is not in mwan3's config",
			 iface);
		return -ENOENT;
	}
	if (fg_mark_from_id(m->mask, m->ifaces[i].id, mark, msg, sizeof(msg))) {
		snprintf(err, errlen, "mwan3 interface '%s': %s", iface, msg);
		return -EINVAL;
	}
	return 0;
}

int fg_mwan3_track_online(const char *status_root, const char *iface)
{
	const char *root = status_root ? status_root : FG_MWAN3_TRACK_ROOT;
	char path[4096], buf[64];
	int n, ret;

	if (fg_conf_check_name(iface))
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/%s/STATUS", root, iface);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	ret = read_small(path, buf, sizeof(buf));
	if (ret == -EFBIG)
		return 0;
	if (ret)
		return ret;
	return !strcmp(trim(buf), "online");
}
