// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_mwan3_conf.c - marks from mwan3's config, mask cache, mwan3track. */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mwan3_conf.h"
#include "unit.h"

static char err[512];
static char dir[] = "/tmp/fg-test-mwan3.XXXXXX";
static char cfg[128], cache[128], track[128];

/* The default /etc/config/mwan3 of OpenWrt, shortened. */
static const char default_cfg[] =
	"config globals 'globals'\n"
	"\toption mmx_mask '0x3F00'\n"
	"\n"
	"config interface 'wan'\n"
	"\toption enabled '1'\n"
	"\tlist track_ip '1.0.0.1'\n"
	"\toption family 'ipv4'\n"
	"\n"
	"config interface 'wan6'\n"
	"\toption enabled '0'\n"
	"\toption family 'ipv6'\n"
	"\n"
	"config interface 'wanb'\n"
	"\toption enabled 'true'\n"
	"\n"
	"config member 'wan_m1_w3'\n"
	"\toption interface 'wan'\n"
	"\n"
	"config interface 'wanb6'\n"
	"\toption family 'ipv6'\n"
	"\n"
	"config policy 'balanced'\n"
	"\tlist use_member 'wan_m1_w3'\n";

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* Config text with n interface sections if0..if(n-1) and mmx_mask mask. */
static void put_ifaces(size_t n, const char *mask)
{
	char *text = malloc(64 + n * 32);
	size_t i, len = 0;

	if (!text)
		return;
	len += sprintf(text, "config globals 'globals'\n\toption mmx_mask %s\n",
		       mask);
	for (i = 0; i < n; i++)
		len += sprintf(text + len, "config interface 'if%zu'\n", i);
	put(cfg, text);
	free(text);
}

static int load(struct fg_mwan3 *m)
{
	err[0] = '\0';
	return fg_mwan3_load(cfg, cache, m, err, sizeof(err));
}

static uint32_t mark_of(const struct fg_mwan3 *m, const char *iface)
{
	uint32_t mark = 0;

	if (fg_mwan3_iface_mark(m, iface, &mark, err, sizeof(err)))
		return 0xdead;
	return mark;
}

static void test_default_config(void)
{
	struct fg_mwan3 m;

	put(cfg, default_cfg);
	CHECK(load(&m) == 0);
	CHECK_EQ_U(m.mask, 0x3f00);
	CHECK(m.mask_src == FG_MWAN3_MASK_CONFIG);
	CHECK_EQ_U(m.nr_ifaces, 4);
	CHECK_STR(m.ifaces[0].name, "wan");
	CHECK(m.ifaces[0].id == 1 && m.ifaces[0].enabled == 1 &&
	      m.ifaces[0].family == 4);
	CHECK_STR(m.ifaces[1].name, "wan6");
	CHECK(m.ifaces[1].id == 2 && m.ifaces[1].enabled == 0 &&
	      m.ifaces[1].family == 6);
	CHECK(m.ifaces[2].id == 3 && m.ifaces[2].enabled == 1 &&
	      m.ifaces[2].family == 4);
	CHECK(m.ifaces[3].id == 4 && m.ifaces[3].enabled == 0 &&
	      m.ifaces[3].family == 6);
	CHECK_EQ_U(mark_of(&m, "wan"), 0x100);
	CHECK_EQ_U(mark_of(&m, "wan6"), 0x200);
	CHECK_EQ_U(mark_of(&m, "wanb"), 0x300);
	CHECK_EQ_U(mark_of(&m, "wanb6"), 0x400);
}

static void test_default_mask_and_order(void)
{
	struct fg_mwan3 m;

	/* no mmx_mask; anonymous and repeated sections as libuci sees them */
	put(cfg, "config interface 'a'\n"
		 "config interface\n"
		 "\toption enabled 1\n"
		 "config rule 'r'\n"
		 "config interface 'b'\n"
		 "config interface 'a'\n"
		 "\toption enabled 1\n"
		 "config interface 'c'\n"
		 "config globals\n\toption mmx_mask 0xff\n");
	CHECK(load(&m) == 0);
	CHECK(m.mask_src == FG_MWAN3_MASK_DEFAULT);
	CHECK_EQ_U(m.mask, 0x3f00);
	CHECK_EQ_U(m.nr_ifaces, 4);
	CHECK_STR(m.ifaces[1].name, "");
	CHECK(m.ifaces[0].enabled == 1);
	CHECK_EQ_U(mark_of(&m, "a"), 0x100);
	CHECK_EQ_U(mark_of(&m, "b"), 0x300);
	CHECK_EQ_U(mark_of(&m, "c"), 0x400);
}

static void test_custom_masks(void)
{
	struct fg_mwan3 m;

	put_ifaces(5, "'0xff00'");
	CHECK(load(&m) == 0);
	CHECK(m.mask_src == FG_MWAN3_MASK_CONFIG);
	CHECK_EQ_U(mark_of(&m, "if2"), 0x300);
	put_ifaces(5, "0xAA");
	CHECK(load(&m) == 0);
	CHECK_EQ_U(m.mask, 0xaa);
	CHECK_EQ_U(mark_of(&m, "if4"), 0x22);
	put_ifaces(4, "0x30300");
	CHECK(load(&m) == 0);
	CHECK_EQ_U(mark_of(&m, "if3"), 0x10000);
	CHECK_EQ_U(mark_of(&m, "if2"), 0x300);
}

static void test_cache(void)
{
	struct fg_mwan3 m;

	put_ifaces(3, "0xff00");
	put(cache, "0x3F00\n");
	CHECK(load(&m) == 0);
	CHECK(m.mask_src == FG_MWAN3_MASK_CACHE);
	CHECK_EQ_U(m.mask, 0x3f00);
	put(cache, "0xaa");
	CHECK(load(&m) == 0);
	CHECK_EQ_U(mark_of(&m, "if2"), 0x0a); /* id 3 */
	put(cache, "garbage\n");
	CHECK(load(&m) == 0);
	CHECK(m.mask_src == FG_MWAN3_MASK_CONFIG);
	CHECK_EQ_U(m.mask, 0xff00);
	put(cache, "");
	CHECK(load(&m) == 0);
	CHECK(m.mask_src == FG_MWAN3_MASK_CONFIG);
	put(cache, "0x100\n");
	CHECK(load(&m) == -EINVAL);
	CHECK(strstr(err, cache) == err);
	CHECK(strstr(err, "mmx_mask 0x100 has 1 set bits") != NULL);
	CHECK_EQ_U(m.nr_ifaces, 0);
	put(cache, "0\n");
	CHECK(load(&m) == -EINVAL);
	unlink(cache);
}

static void check_bad_config(const char *text, int ret, const char *msg)
{
	struct fg_mwan3 m;

	put(cfg, text);
	CHECK(load(&m) == ret);
	CHECK(strstr(err, cfg) == err);
	if (!strstr(err, msg))
		printf("  got \"%s\"\n", err);
	CHECK(strstr(err, msg) != NULL);
	CHECK_EQ_U(m.nr_ifaces, 0);
}

static void test_bad_configs(void)
{
	struct fg_mwan3 m;

	unlink(cfg);
	CHECK(load(&m) == -ENOENT);
	CHECK(strstr(err, cfg) == err);
	check_bad_config("config interface 'wan'\n\toption enabled '1\n",
			 -EINVAL, ": line 2: unterminated quote");
	check_bad_config("\x01\x02garbage\n", -EINVAL,
			 ": line 1: unknown keyword");
	check_bad_config("config globals 'globals'\n\toption mmx_mask 'lots'\n",
			 -EINVAL, ": line 2: mmx_mask is not a number");
	check_bad_config("config globals 'globals'\n\tlist mmx_mask 0xff\n",
			 -EINVAL, ": line 2: mmx_mask is not a number");
	check_bad_config("config globals 'globals'\n\toption mmx_mask 0\n",
			 -EINVAL, ": mmx_mask 0x0 has 0 set bits, needs at least 2");
	check_bad_config("config globals 'globals'\n\toption mmx_mask 0x4000\n",
			 -EINVAL, ": mmx_mask 0x4000 has 1 set bits");
	check_bad_config("config interface 'a0123456789012345678901234567890'\n",
			 -EINVAL, ": line 1: interface name is not valid");
	check_bad_config("config interface 'wan'\n\toption family 'inet'\n",
			 -EINVAL,
			 ": line 2: interface 'wan': family is not ipv4 or ipv6");
	put_ifaces(FG_MAX_IFACES, "0xff00");
	CHECK(load(&m) == 0);
	CHECK_EQ_U(m.nr_ifaces, FG_MAX_IFACES);
	put_ifaces(FG_MAX_IFACES + 1, "0xff00");
	CHECK(load(&m) == -E2BIG);
	CHECK(strstr(err, "more than 64 interfaces") != NULL);
}

static void test_iface_mark_errors(void)
{
	struct fg_mwan3 m;
	uint32_t mark = 0x77;

	put_ifaces(13, "0xf00");
	CHECK(load(&m) == 0);
	CHECK_EQ_U(mark_of(&m, "if11"), 0xc00); /* id 12 = max id */
	CHECK(fg_mwan3_iface_mark(&m, "if12", &mark, err, sizeof(err)) ==
	      -EINVAL);
	CHECK_STR(err, "mwan3 interface 'if12': interface id 13 reaches a reserved mark 0xd00 of mask 0xf00 (max id 12)");
	CHECK(fg_mwan3_iface_mark(&m, "nope", &mark, err, sizeof(err)) ==
	      -ENOENT);
	CHECK_STR(err, "interface 'nope' is not in mwan3's config");
	CHECK(fg_mwan3_iface_mark(&m, "", &mark, err, sizeof(err)) == -ENOENT);
	CHECK(fg_mwan3_iface_mark(&m, NULL, &mark, err, sizeof(err)) ==
	      -ENOENT);
	CHECK_EQ_U(mark, 0x77);
	/* 2 bits: the only three values are reserved, no interface works */
	put_ifaces(3, "0x300");
	CHECK(load(&m) == 0);
	CHECK(fg_mwan3_iface_mark(&m, "if0", &mark, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(fg_mwan3_iface_mark(&m, "if2", &mark, err, sizeof(err)) ==
	      -EINVAL);
	/* more interfaces than the mask holds */
	put_ifaces(9, "0x700");
	CHECK(load(&m) == 0);
	CHECK_EQ_U(mark_of(&m, "if3"), 0x400);
	CHECK(fg_mwan3_iface_mark(&m, "if8", &mark, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "does not fit mask 0x700") != NULL);
}

static void put_status(const char *iface, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", track, iface);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/STATUS", track, iface);
	put(path, text);
}

static void test_track(void)
{
	char big[200];

	CHECK(mkdir(track, 0755) == 0);
	put_status("wan", "online\n");
	put_status("wanb", "offline\n");
	put_status("wan6", "online");
	put_status("wanb6", "");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put_status("lte", big);
	CHECK(fg_mwan3_track_online(track, "wan") == 1);
	CHECK(fg_mwan3_track_online(track, "wanb") == 0);
	CHECK(fg_mwan3_track_online(track, "wan6") == 1);
	CHECK(fg_mwan3_track_online(track, "wanb6") == 0);
	CHECK(fg_mwan3_track_online(track, "lte") == 0);
	CHECK(fg_mwan3_track_online(track, "none") == -ENOENT);
	CHECK(fg_mwan3_track_online(cfg, "wan") < 0);
	CHECK(fg_mwan3_track_online(track, "../wan") == -EINVAL);
	CHECK(fg_mwan3_track_online(track, "..") == -EINVAL);
	CHECK(fg_mwan3_track_online(track, "") == -EINVAL);
	CHECK(fg_mwan3_track_online(track, NULL) == -EINVAL);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	int ret;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cfg, sizeof(cfg), "%s/mwan3", dir);
	snprintf(cache, sizeof(cache), "%s/mmx_mask", dir);
	snprintf(track, sizeof(track), "%s/mwan3track", dir);
	RUN(test_default_config);
	RUN(test_default_mask_and_order);
	RUN(test_custom_masks);
	RUN(test_cache);
	RUN(test_bad_configs);
	RUN(test_iface_mark_errors);
	RUN(test_track);
	ret = nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	if (ret)
		printf("cleanup of %s failed\n", dir);
	UNIT_EXIT();
}
