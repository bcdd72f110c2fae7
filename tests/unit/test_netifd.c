// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_netifd.c - an interface's device from netifd's config (PATH holds
 * no ubus here: the ubus answers are tested by tests/test-mwan3.sh with a
 * stub), and the JSON reader for ubus's answer.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <unistd.h>

#include "netifd.h"
#include "unit.h"

static char dir[] = "/tmp/fg-test-netifd.XXXXXX";
static char net[128];

/* Shapes of /etc/config/network from 19.07 to 24.10. */
static const char network[] =
	"config interface 'loopback'\n"
	"\toption device 'lo'\n"
	"\toption proto 'static'\n"
	"config device\n"
	"\toption name 'br-lan'\n"
	"\toption type 'bridge'\n"
	"\tlist ports 'lan1'\n"
	"config interface 'lan'\n"
	"\toption device 'br-lan'\n"
	"config interface 'wan'\n"
	"\toption device 'eth1'\n"
	"\toption proto 'pppoe'\n"
	"\toption username 'me'\n"
	"config interface 'wan6'\n"
	"\toption device '@wan'\n"
	"\toption proto 'dhcpv6'\n"
	"config interface 'wanb'\n"
	"\toption device 'eth2'\n"
	"\toption proto 'dhcp'\n"
	"config interface 'wanb6'\n"
	"\toption device 'eth2'\n"
	"\toption proto 'dhcpv6'\n"
	"config interface 'old'\n"
	"\toption ifname 'eth0.2'\n"
	"\toption proto 'dhcp'\n"
	"config interface 'oldbr'\n"
	"\toption type 'bridge'\n"
	"\toption ifname 'eth0.1 eth0.3'\n"
	"config interface 'wg0'\n"
	"\toption proto 'wireguard'\n"
	"config interface 'lte'\n"
	"\toption device '/dev/cdc-wdm9'\n"
	"\toption proto 'qmi'\n"
	"config interface 'loop1'\n"
	"\toption device '@loop2'\n"
	"config interface 'loop2'\n"
	"\toption device '@loop1'\n"
	"config interface 'two'\n"
	"\toption ifname 'eth0 eth1'\n"
	"config interface 'nodev'\n"
	"\toption proto 'none'\n"
	"config 'switch'\n"
	"\toption name 'switch0'\n";

static int dev_of(const char *iface, char *dev, const char **src)
{
	struct fg_netifd n;
	char err[256];
	int rc;

	fg_netifd_init(&n, net);
	CHECK(n.ubus[0] == '\0');
	rc = fg_netifd_device(&n, iface, dev, IFNAMSIZ, src, err, sizeof(err));
	if (rc)
		printf("  (%s: %s)\n", iface, err);
	fg_netifd_fini(&n);
	return rc;
}

static void test_network_config(void)
{
	const char *src = NULL;
	char dev[IFNAMSIZ];
	FILE *f = fopen(net, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(network, f);
	fclose(f);
	CHECK(dev_of("wan", dev, &src) == 0);
	CHECK_STR(dev, "pppoe-wan");
	CHECK_STR(src, "network config");
	CHECK(dev_of("wan6", dev, &src) == 0); /* on top of wan */
	CHECK_STR(dev, "pppoe-wan");
	CHECK(dev_of("wanb", dev, &src) == 0);
	CHECK_STR(dev, "eth2");
	CHECK(dev_of("wanb6", dev, &src) == 0);
	CHECK_STR(dev, "eth2");
	CHECK(dev_of("lan", dev, &src) == 0);
	CHECK_STR(dev, "br-lan");
	CHECK(dev_of("old", dev, &src) == 0);
	CHECK_STR(dev, "eth0.2");
	CHECK(dev_of("oldbr", dev, &src) == 0);
	CHECK_STR(dev, "br-oldbr");
	CHECK(dev_of("wg0", dev, &src) == 0);
	CHECK_STR(dev, "wg0");
	/* no such modem here: only netifd knows its wwan device */
	CHECK(dev_of("lte", dev, &src) == -ENOENT);
	CHECK(dev_of("loop1", dev, &src) == -ENOENT);
	CHECK(dev_of("two", dev, &src) == -ENOENT);
	CHECK(dev_of("nodev", dev, &src) == -ENOENT);
	CHECK(dev_of("missing", dev, &src) == -ENOENT);
	CHECK(dev_of("switch0", dev, &src) == -ENOENT);
	unlink(net);
	CHECK(dev_of("wan", dev, &src) == -ENOENT);
}

static void test_json(void)
{
	char out[16];

	CHECK(fg_netifd_json_str("{\"up\": true, \"l3_device\": \"pppoe-wan\"}",
				 "l3_device", out, sizeof(out)) == 0);
	CHECK_STR(out, "pppoe-wan");
	/* the same key nested in an object or array is not the top level */
	CHECK(fg_netifd_json_str("{\"data\": {\"l3_device\": \"x\"}, \"route\": "
				 "[{\"l3_device\": \"y\"}, 1, \"s]\"], "
				 "\"l3_device\": \"eth1\"}",
				 "l3_device", out, sizeof(out)) == 0);
	CHECK_STR(out, "eth1");
	CHECK(fg_netifd_json_str("{\"up\": false, \"device\": \"eth1\"}",
				 "l3_device", out, sizeof(out)) == -ENOENT);
	CHECK(fg_netifd_json_str("{\"l3_device\": 5}", "l3_device", out,
				 sizeof(out)) == -ENOENT);
	CHECK(fg_netifd_json_str("{\"l3_device\": \"a-name-far-too-long\"}",
				 "l3_device", out, sizeof(out)) == -ENAMETOOLONG);
	CHECK(fg_netifd_json_str("{\"k\\\"ey\": \"v\", \"l3_device\": \"w\\/x\"}",
				 "l3_device", out, sizeof(out)) == 0);
	CHECK_STR(out, "w/x");
	CHECK(fg_netifd_json_str("", "l3_device", out, sizeof(out)) == -EINVAL);
	CHECK(fg_netifd_json_str("{\"a\": [1, 2", "l3_device", out,
				 sizeof(out)) == -EINVAL);
	CHECK(fg_netifd_json_str("{\"l3_device\": \"eth", "l3_device", out,
				 sizeof(out)) == -EINVAL);
	CHECK(fg_netifd_json_str("Command failed: Not found", "l3_device", out,
				 sizeof(out)) == -EINVAL);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("FAIL test_netifd: mkdtemp\n");
		return 1;
	}
	snprintf(net, sizeof(net), "%s/network", dir);
	setenv("PATH", dir, 1); /* no ubus here */
	RUN(test_json);
	RUN(test_network_config);
	unlink(net);
	rmdir(dir);
	UNIT_EXIT();
}
