// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_conf.c - service configuration: --uplink, UCI file, validation. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "flowguard.h"
#include "conf.h"
#include "unit.h"

static char err[512];
static char dir[] = "/tmp/fg-test-conf.XXXXXX";
static char path[128];

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* Load text over defaults; on success, c holds the result. */
static int load(const char *text, struct fg_conf *c)
{
	fg_conf_defaults(c);
	write_conf(text);
	err[0] = '\0';
	return fg_conf_load_uci(c, path, err, sizeof(err));
}

/* Loading text must fail with -EINVAL and "PATH: msg"; c untouched. */
static void check_load_error(const char *text, const char *msg)
{
	struct fg_conf c;
	char want[512];
	int ret = load(text, &c);

	snprintf(want, sizeof(want), "%s: %s", path, msg);
	if (ret != -EINVAL || strcmp(err, want))
		printf("  input <<%s>> gave %d \"%s\"\n", text, ret, err);
	CHECK(ret == -EINVAL);
	CHECK_STR(err, want);
	CHECK_EQ_U(c.nr_uplinks, 0);
	CHECK_EQ_U(c.mask, 0x3f00);
}

static void test_defaults_and_names(void)
{
	enum fg_policy p = FG_POLICY_MONITOR;
	enum fg_mode m = FG_MODE_CT;
	struct fg_conf c;
	int b = 5;

	memset(&c, 0xff, sizeof(c));
	fg_conf_defaults(&c);
	CHECK_EQ_U(c.mask, 0x3f00);
	CHECK(c.mode == FG_MODE_AUTO && c.policy == FG_POLICY_RESET);
	CHECK(c.enforce == 0);
	CHECK_EQ_U(c.dedupe_ms, 1000);
	CHECK_EQ_U(c.max_deletes, 1000);
	CHECK_EQ_U(c.nr_uplinks, 0);
	CHECK(fg_conf_parse_mode("skbmark", &m) == 0 && m == FG_MODE_SKBMARK);
	CHECK(fg_conf_parse_mode("ct", &m) == 0 && m == FG_MODE_CT);
	CHECK(fg_conf_parse_mode("auto", &m) == 0 && m == FG_MODE_AUTO);
	CHECK(fg_conf_parse_mode("CT", &m) == -EINVAL);
	CHECK(fg_conf_parse_mode("", &m) == -EINVAL);
	CHECK(fg_conf_parse_mode(NULL, &m) == -EINVAL);
	CHECK(fg_conf_parse_policy("monitor", &p) == 0 &&
	      p == FG_POLICY_MONITOR);
	CHECK(fg_conf_parse_policy("delete", &p) == 0 && p == FG_POLICY_DELETE);
	CHECK(fg_conf_parse_policy("drop", &p) == -EINVAL);
	CHECK_STR(fg_conf_mode_name(FG_MODE_SKBMARK), "skbmark");
	CHECK_STR(fg_conf_mode_name((enum fg_mode)7), "?");
	CHECK_STR(fg_conf_policy_name(FG_POLICY_MONITOR), "monitor");
	CHECK_STR(fg_conf_policy_name((enum fg_policy)-1), "?");
	CHECK(fg_conf_parse_bool("yes", &b) == 0 && b == 1);
	CHECK(fg_conf_parse_bool("off", &b) == 0 && b == 0);
	CHECK(fg_conf_parse_bool("2", &b) == -EINVAL);
	CHECK(fg_conf_check_name("wan_b.2-x") == 0);
	CHECK(fg_conf_check_name("..") == -EINVAL);
	CHECK(fg_conf_check_name("0123456789012345678901234567890") == 0);
	CHECK(fg_conf_check_name("01234567890123456789012345678901") ==
	      -EINVAL);
	CHECK(fg_conf_check_device("eth0.2") == 0);
	CHECK(fg_conf_check_device("0123456789abcde") == 0);
	CHECK(fg_conf_check_device("0123456789abcdef") == -EINVAL);
	CHECK(fg_conf_check_device(".") == -EINVAL);
}

static void test_uplink_args(void)
{
	struct fg_conf c;

	fg_conf_defaults(&c);
	CHECK(fg_conf_add_uplink_arg(&c, "wan:eth1:0x100", err,
				     sizeof(err)) == 0);
	CHECK(fg_conf_add_uplink_arg(&c, "wan6:eth1:512", err,
				     sizeof(err)) == 0);
	CHECK(fg_conf_add_uplink_arg(&c, "wan_b.2-x:eth0.2:0X300", err,
				     sizeof(err)) == 0);
	CHECK_EQ_U(c.nr_uplinks, 3);
	CHECK_STR(c.uplinks[0].name, "wan");
	CHECK_STR(c.uplinks[0].device, "eth1");
	CHECK_EQ_U(c.uplinks[0].mark, 0x100);
	CHECK_STR(c.uplinks[1].name, "wan6");
	CHECK_EQ_U(c.uplinks[1].mark, 0x200);
	CHECK_STR(c.uplinks[2].name, "wan_b.2-x");
	CHECK_STR(c.uplinks[2].device, "eth0.2");
	CHECK(fg_conf_validate(&c, err, sizeof(err)) == 0);
}

/* Per-uplink policy and enforce: given, or taken from the globals. */
static void test_uplink_policy(void)
{
	struct fg_conf c;

	fg_conf_defaults(&c);
	CHECK(fg_conf_add_uplink_arg(&c, "wan:eth1:0x100:monitor", err,
				     sizeof(err)) == 0);
	CHECK(fg_conf_add_uplink_arg(&c, "wanb:eth2:0x200", err,
				     sizeof(err)) == 0);
	CHECK(fg_conf_uplink_policy(&c, 0) == FG_POLICY_MONITOR);
	CHECK(fg_conf_uplink_policy(&c, 1) == FG_POLICY_RESET);
	c.policy = FG_POLICY_DELETE;
	CHECK(fg_conf_uplink_policy(&c, 1) == FG_POLICY_DELETE);
	CHECK(fg_conf_add_uplink_arg(&c, "wanc:eth3:0x300:drop", err,
				     sizeof(err)) == -EINVAL);
	CHECK_STR(err, "uplink 'wanc': invalid policy 'drop' (reset, delete or monitor)");

	CHECK(load("config globals 'globals'\n\toption enforce '1'\n"
		   "config uplink 'wan'\n\toption device 'eth1'\n\toption mark '0x100'\n"
		   "\toption policy 'delete'\n\toption enforce '0'\n"
		   "config uplink 'wanb'\n\toption device 'eth2'\n\toption mark '0x200'\n",
		   &c) == 0);
	CHECK(fg_conf_uplink_policy(&c, 0) == FG_POLICY_DELETE);
	CHECK(fg_conf_uplink_policy(&c, 1) == FG_POLICY_RESET);
	CHECK(fg_conf_uplink_enforce(&c, 0) == 0);
	CHECK(fg_conf_uplink_enforce(&c, 1) == 1);
	check_load_error("config uplink 'wan'\n\toption device 'eth1'\n\toption mark '0x100'\n"
			 "\toption enforce 'maybe'\n",
			 "line 4: uplink 'wan': invalid enforce 'maybe' (expected 0 or 1)");
}

static void test_uplink_args_bad(void)
{
	static const char *const bad[] = {
		"", "wan", "wan:eth1", ":eth1:0x100", "wan::0x100",
		"wan:eth1:", "wan:eth1:0x100:x", "wan:eth/1:0x100",
		"wan:eth 1:0x100", "wan:eth\t1:0x100", "bad name:eth1:0x100",
		"w@n:eth1:0x100", "..:eth1:0x100", "wan:..:0x100",
		"01234567890123456789012345678901:eth1:0x100",
		"wan:0123456789abcdef:0x100", "wan:eth1:-1", "wan:eth1:abc",
		"wan:eth1:0x1ffffffff", "wan:eth1: 0x100", "w\nan:eth1:0x100",
		"wan:eth1\n:0x100",
		"0123456789012345678901234567890123456789012345678901234567890",
	};
	struct fg_conf c;
	size_t i;

	fg_conf_defaults(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret;

		err[0] = '\0';
		ret = fg_conf_add_uplink_arg(&c, bad[i], err, sizeof(err));
		if (ret != -EINVAL)
			printf("  accepted \"%s\"\n", bad[i]);
		CHECK(ret == -EINVAL);
		CHECK(err[0] != '\0' && !strchr(err, '\n'));
	}
	CHECK_EQ_U(c.nr_uplinks, 0);
	CHECK(fg_conf_add_uplink_arg(&c, "wan:eth1:zz", err, sizeof(err)) ==
	      -EINVAL);
	CHECK_STR(err, "uplink 'wan': invalid mark 'zz'");
	CHECK(fg_conf_add_uplink_arg(&c, "wan:eth1", err, sizeof(err)) ==
	      -EINVAL);
	CHECK_STR(err, "uplink 'wan:eth1': expected NAME:DEVICE:MARK[:POLICY]");
	CHECK(fg_conf_add_uplink_arg(&c, "wan:a/b:1", err, sizeof(err)) ==
	      -EINVAL);
	CHECK_STR(err, "uplink 'wan': invalid device 'a/b'");
}

static void test_uplink_args_full(void)
{
	struct fg_conf c;
	char arg[64];
	int i, bad = 0;

	fg_conf_defaults(&c);
	for (i = 0; i < FG_MAX_IFACES; i++) {
		snprintf(arg, sizeof(arg), "u%d:eth%d:%d", i, i / 8, i + 1);
		bad += fg_conf_add_uplink_arg(&c, arg, err, sizeof(err)) != 0;
	}
	CHECK_EQ_U(bad, 0);
	CHECK(fg_conf_add_uplink_arg(&c, "x:eth9:0x100", err, sizeof(err)) ==
	      -ENOSPC);
	CHECK_EQ_U(c.nr_uplinks, FG_MAX_IFACES);
	c.mask = 0xff;
	CHECK(fg_conf_validate(&c, err, sizeof(err)) == 0);
}

static void test_uci_good(void)
{
	const char *text =
		"config uplink 'wan'\n"
		"\toption device 'eth1'\n"
		"\toption mark '0x100'\n"
		"\n"
		"config uplink 'wan6'\t# same device, by id\n"
		"\toption device 'eth1'\n"
		"\toption id '2'\n"
		"\toption enabled '1'\n"
		"config uplink 'wanb'\n"
		"\toption device 'eth2'\n"
		"\toption id 3\n"
		"config uplink 'spare'\n"
		"\toption enabled 'no'\n"
		"\toption device 'bad/device'\n"
		"config globals 'globals'\n"
		"\toption mask '0xff00'\n"
		"\toption mode 'ct'\n"
		"\toption policy 'monitor'\n"
		"\toption dedupe_ms '250'\n"
		"\toption max_deletes '1000000'\n";
	struct fg_conf c;

	CHECK(load(text, &c) == 0);
	CHECK_STR(err, "");
	CHECK_EQ_U(c.mask, 0xff00);
	CHECK(c.mode == FG_MODE_CT && c.policy == FG_POLICY_MONITOR);
	CHECK_EQ_U(c.dedupe_ms, 250);
	CHECK_EQ_U(c.max_deletes, 1000000);
	CHECK_EQ_U(c.nr_uplinks, 3);
	CHECK_STR(c.uplinks[0].name, "wan");
	CHECK_EQ_U(c.uplinks[0].mark, 0x100);
	CHECK_STR(c.uplinks[1].name, "wan6");
	CHECK_STR(c.uplinks[1].device, "eth1");
	CHECK_EQ_U(c.uplinks[1].mark, 0x200);
	CHECK_STR(c.uplinks[2].device, "eth2");
	CHECK_EQ_U(c.uplinks[2].mark, 0x300);
	CHECK(fg_conf_validate(&c, err, sizeof(err)) == 0);
}

/* Ids are converted with the final mask, even when globals come last. */
static void test_uci_ids_after_globals(void)
{
	struct fg_conf c;

	CHECK(load("config uplink 'a'\n\toption device eth1\n\toption id 5\n"
		   "config globals\n\toption mask 0xaa\n", &c) == 0);
	CHECK_EQ_U(c.uplinks[0].mark, 0x22);
	CHECK(load("config uplink 'a'\n\toption device eth1\n\toption id 4\n"
		   "config globals 'g'\n\toption mask 0x30300\n", &c) == 0);
	CHECK_EQ_U(c.uplinks[0].mark, 0x10000);
	CHECK(load("config uplink 'a'\n\toption device eth1\n\toption id 60\n",
		   &c) == 0);
	CHECK_EQ_U(c.uplinks[0].mark, 0x3c00);
	check_load_error("config uplink 'a'\n\toption device eth1\n"
			 "\toption id 61\n",
			 "line 3: uplink 'a': interface id 61 reaches a reserved mark 0x3d00 of mask 0x3f00 (max id 60)");
	check_load_error("config uplink 'a'\n\toption device eth1\n"
			 "\toption id 13\nconfig globals\n\toption mask 0xaa\n",
			 "line 3: uplink 'a': interface id 13 reaches a reserved mark 0xa2 of mask 0xaa (max id 12)");
	check_load_error("config uplink 'a'\n\toption device eth1\n"
			 "\toption id 0\n",
			 "line 3: uplink 'a': interface id 0 is not valid");
	check_load_error("config uplink 'a'\n\toption device eth1\n"
			 "\toption id 1\nconfig globals\n\toption mask 0x100\n",
			 "line 3: uplink 'a': mask 0x100 needs at least 2 set bits");
}

static void test_uci_errors(void)
{
	check_load_error("config uplnk 'wan'\n",
			 "line 1: unknown section type 'uplnk'");
	check_load_error("config globals\n"
			 "\toption mask 0x3f00\n"
			 "\toption mdoe ct\n",
			 "line 3: unknown option 'mdoe' in globals");
	check_load_error("config uplink wan\n"
			 "\toption device eth1\n"
			 "\toption mak 0x100\n",
			 "line 3: unknown option 'mak' in uplink 'wan'");
	check_load_error("config uplink\n\toption device eth1\n",
			 "line 1: uplink section needs a valid name (the mwan3 interface name)");
	check_load_error("config uplink a01234567890123456789012345678901\n",
			 "line 1: uplink section needs a valid name (the mwan3 interface name)");
	check_load_error("config uplink wan\n\toption mark 0x100\n",
			 "line 1: uplink 'wan' has no device");
	check_load_error("config uplink wan\n"
			 "\toption device 'a b'\n"
			 "\toption mark 1\n",
			 "line 2: uplink 'wan': invalid device 'a b'");
	check_load_error("config uplink wan\n\toption device eth1\n",
			 "line 1: uplink 'wan' has no mark or id");
	check_load_error("config uplink wan\n"
			 "\toption device eth1\n"
			 "\toption mark 0x100\n"
			 "\toption id 1\n",
			 "line 4: uplink 'wan': give mark or id, not both");
	check_load_error("config uplink wan\n"
			 "\toption device eth1\n"
			 "\toption mark 0x1oo\n",
			 "line 3: uplink 'wan': invalid mark '0x1oo'");
	check_load_error("config uplink wan\n"
			 "\toption device eth1\n"
			 "\toption id one\n",
			 "line 3: uplink 'wan': invalid id 'one'");
	check_load_error("config uplink wan\n\toption enabled maybe\n",
			 "line 2: uplink 'wan': invalid enabled 'maybe' (expected 0 or 1)");
	check_load_error("config uplink wan\n\tlist device eth1\n",
			 "line 2: 'device' takes one value: use option, not list");
	check_load_error("config globals\n\toption mask '0x3f00 '\n",
			 "line 2: invalid mask '0x3f00 ' (expected a number such as 0x3f00)");
	check_load_error("config globals\n\toption mode fast\n",
			 "line 2: invalid mode 'fast' (expected auto, ct or skbmark)");
	check_load_error("config globals\n\toption policy drop\n",
			 "line 2: invalid policy 'drop' (expected reset, delete or monitor)");
	check_load_error("config globals\n\toption dedupe_ms 0\n",
			 "line 2: invalid dedupe_ms '0' (expected 1..600000)");
	check_load_error("config globals\n\toption dedupe_ms 600001\n",
			 "line 2: invalid dedupe_ms '600001' (expected 1..600000)");
	check_load_error("config globals\n\toption max_deletes 1000001\n",
			 "line 2: invalid max_deletes '1000001' (expected 1..1000000)");
	check_load_error("config globals\n\toption max_deletes\n",
			 "line 2: missing value for option 'max_deletes'");
}

static void test_uci_io_errors(void)
{
	struct fg_conf c;
	char missing[160];

	fg_conf_defaults(&c);
	snprintf(missing, sizeof(missing), "%s/none", dir);
	CHECK(fg_conf_load_uci(&c, missing, err, sizeof(err)) == -ENOENT);
	CHECK(strstr(err, missing) == err);
	/* command line uplinks stay; the file's are appended */
	CHECK(fg_conf_add_uplink_arg(&c, "wan:eth1:0x100", err,
				     sizeof(err)) == 0);
	write_conf("config uplink 'wan'\n\toption device eth2\n"
		   "\toption mark 0x200\n");
	CHECK(fg_conf_load_uci(&c, path, err, sizeof(err)) == 0);
	CHECK_EQ_U(c.nr_uplinks, 2);
	CHECK(fg_conf_validate(&c, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "uplink 'wan' is listed twice");
}

/* A valid two-uplink configuration to break one field at a time. */
static void good_conf(struct fg_conf *c)
{
	fg_conf_defaults(c);
	CHECK(fg_conf_add_uplink_arg(c, "wan:eth1:0x100", err,
				     sizeof(err)) == 0);
	CHECK(fg_conf_add_uplink_arg(c, "wanb:eth2:0x300", err,
				     sizeof(err)) == 0);
}

static void check_invalid(const struct fg_conf *c, const char *msg)
{
	err[0] = '\0';
	CHECK(fg_conf_validate(c, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, msg);
}

static void test_validate(void)
{
	struct fg_conf c;

	good_conf(&c);
	CHECK(fg_conf_validate(&c, err, sizeof(err)) == 0);
	c.nr_uplinks = 0;
	check_invalid(&c, "no uplinks configured");
	good_conf(&c);
	c.mask = 0;
	check_invalid(&c, "mask 0x0 needs at least 2 set bits");
	c.mask = 0x100;
	check_invalid(&c, "mask 0x100 needs at least 2 set bits");
	good_conf(&c);
	c.uplinks[1].mark = 0;
	check_invalid(&c, "uplink 'wanb': mark 0 is not an uplink mark");
	c.uplinks[1].mark = 0x4000;
	check_invalid(&c, "uplink 'wanb': mark 0x4000 has bits outside mask 0x3f00");
	c.uplinks[1].mark = 0x3e00;
	check_invalid(&c, "uplink 'wanb': mark 0x3e00 is mwan3's unreachable mark");
	c.uplinks[1].mark = 0x100;
	check_invalid(&c, "mark 0x100 is used by both 'wan' and 'wanb'");
	good_conf(&c);
	strcpy(c.uplinks[1].name, "wan");
	check_invalid(&c, "uplink 'wan' is listed twice");
	good_conf(&c);
	c.dedupe_ms = 0;
	check_invalid(&c, "dedupe_ms 0 is out of range 1..600000");
	good_conf(&c);
	c.max_deletes = 1000001;
	check_invalid(&c, "max_deletes 1000001 is out of range 1..1000000");
	good_conf(&c);
	c.mode = (enum fg_mode)9;
	check_invalid(&c, "invalid mode 9");
	good_conf(&c);
	c.uplinks[0].name[0] = '\0';
	check_invalid(&c, "uplink 1: invalid name");
	good_conf(&c);
	memset(c.uplinks[0].device, 'x', sizeof(c.uplinks[0].device));
	CHECK(fg_conf_validate(&c, err, sizeof(err)) == -EINVAL);
}

static void test_validate_per_device(void)
{
	struct fg_conf c;
	char arg[64];
	int i;

	fg_conf_defaults(&c);
	for (i = 1; i <= FG_MAX_MARKS_PER_DEV; i++) {
		snprintf(arg, sizeof(arg), "w%d:eth1:%d", i, i << 8);
		CHECK(fg_conf_add_uplink_arg(&c, arg, err, sizeof(err)) == 0);
	}
	CHECK(fg_conf_add_uplink_arg(&c, "other:eth2:0x3000", err,
				     sizeof(err)) == 0);
	CHECK(fg_conf_validate(&c, err, sizeof(err)) == 0);
	CHECK(fg_conf_add_uplink_arg(&c, "w9:eth1:0x2000", err,
				     sizeof(err)) == 0);
	check_invalid(&c, "device 'eth1' carries 9 uplinks (max 8)");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/flowguard", dir);
	RUN(test_defaults_and_names);
	RUN(test_uplink_args);
	RUN(test_uplink_args_bad);
	RUN(test_uplink_policy);
	RUN(test_uplink_args_full);
	RUN(test_uci_good);
	RUN(test_uci_ids_after_globals);
	RUN(test_uci_errors);
	RUN(test_uci_io_errors);
	RUN(test_validate);
	RUN(test_validate_per_device);
	unlink(path);
	rmdir(dir);
	UNIT_EXIT();
}
