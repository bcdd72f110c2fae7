// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * netifd.c - an OpenWrt interface's L3 device: asked of netifd through
 * ubus, else worked out from /etc/config/network as netifd names devices.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "netifd.h"

#define FG_UBUS_MAX_ANSWER (64 * 1024)

/* ---------------------------------------------------------------- JSON */

static void js_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/* The string at *p (its opening quote) into out (NULL: skip it). An
 * escape a device name never needs (\uXXXX, \n...) becomes '?'. */
static int js_string(const char **p, char *out, size_t len)
{
	const char *s = *p + 1;
	size_t n = 0;
	int too_long = 0;

	for (;;) {
		char c = *s++;

		if (!c || (unsigned char)c < 0x20)
			return -EINVAL;
		if (c == '"')
			break;
		if (c == '\\') {
			c = *s++;
			if (!c)
				return -EINVAL;
			if (c == 'u') {
				for (int i = 0; i < 4; i++)
					if (!*s++)
						return -EINVAL;
			}
			if (c != '"' && c != '\\' && c != '/')
				c = '?';
		}
		if (out && n + 1 < len)
			out[n++] = c;
		else if (out)
			too_long = 1;
	}
	if (out)
		out[n] = '\0';
	*p = s;
	return too_long ? -ENAMETOOLONG : 0;
}

/* Past one value of any kind. */
static int js_skip(const char **p)
{
	int depth = 0;

	if (**p == '"')
		return js_string(p, NULL, 0);
	if (**p != '{' && **p != '[') {
		while (**p && !strchr(",}] \t\r\n", **p))
			(*p)++;
		return **p ? 0 : -EINVAL;
	}
	do {
		if (!**p)
			return -EINVAL;
		if (**p == '"') {
			if (js_string(p, NULL, 0))
				return -EINVAL;
			continue;
		}
		if (**p == '{' || **p == '[')
			depth++;
		else if (**p == '}' || **p == ']')
			depth--;
		(*p)++;
	} while (depth);
	return 0;
}

int fg_netifd_json_str(const char *json, const char *key, char *out,
		       size_t len)
{
	const char *p = json;
	char name[64];
	int rc;

	js_ws(&p);
	if (*p++ != '{')
		return -EINVAL;
	for (;;) {
		js_ws(&p);
		if (*p == '}')
			return -ENOENT;
		if (*p != '"')
			return -EINVAL;
		rc = js_string(&p, name, sizeof(name));
		if (rc && rc != -ENAMETOOLONG)
			return rc;
		js_ws(&p);
		if (*p++ != ':')
			return -EINVAL;
		js_ws(&p);
		if (!rc && !strcmp(name, key))
			return *p == '"' ? js_string(&p, out, len) : -ENOENT;
		if (js_skip(&p))
			return -EINVAL;
		js_ws(&p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return -EINVAL;
	}
}

/* ---------------------------------------------------------------- ubus */

/* The first executable `ubus` in PATH. */
static void find_ubus(char *out, size_t len)
{
	const char *path = getenv("PATH");
	const char *p = path, *end;
	char cand[PATH_MAX];

	out[0] = '\0';
	while (p && *p) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end > p &&
		    snprintf(cand, sizeof(cand), "%.*s/ubus", (int)(end - p),
			     p) < (int)sizeof(cand) &&
		    !access(cand, X_OK)) {
			snprintf(out, len, "%s", cand);
			return;
		}
		p = *end ? end + 1 : end;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The child: default signal handling (the service blocks its signals and
 * ignores SIGPIPE: both would pass through exec), stdout into the pipe. */
static void ubus_child(const char *ubus, const char *obj, int out_fd)
{
	char timeout[16];
	sigset_t none;
	int null_fd = open("/dev/null", O_RDWR);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (null_fd < 0 || dup2(out_fd, 1) < 0 || dup2(null_fd, 0) < 0 ||
	    dup2(null_fd, 2) < 0)
		_exit(127);
	snprintf(timeout, sizeof(timeout), "%d", FG_NETIFD_UBUS_TIMEOUT_S);
	execl(ubus, "ubus", "-t", timeout, "call", obj, "status", (char *)NULL);
	_exit(127);
}

/* Read the child's answer until it closes, the buffer is full or the
 * deadline passes. */
static int ubus_read(int fd, char *buf, size_t len)
{
	uint64_t end = now_ms() + FG_NETIFD_UBUS_DEADLINE_MS, t;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t n = 0;
	ssize_t r;

	for (;;) {
		t = now_ms();
		if (t >= end)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(end - t)) < 0 && errno != EINTR)
			return -errno;
		if (!pfd.revents)
			continue;
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		n += (size_t)r;
		if (n == len - 1)
			return -EFBIG;
	}
	buf[n] = '\0';
	return 0;
}

/* `ubus call network.interface.IFACE status` into buf; -ENOENT when
 * netifd has no such interface (ubus fails), -ETIMEDOUT. */
static int ubus_status(const struct fg_netifd *n, const char *iface,
		       char *buf, size_t len)
{
	char obj[64];
	int pfd[2], st = 0, rc;
	pid_t pid;

	snprintf(obj, sizeof(obj), "network.interface.%s", iface);
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return rc;
	}
	if (!pid)
		ubus_child(n->ubus, obj, pfd[1]);
	close(pfd[1]);
	rc = ubus_read(pfd[0], buf, len);
	close(pfd[0]);
	if (rc)
		kill(pid, SIGKILL); /* our own child, stuck or talkative */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!rc && (!WIFEXITED(st) || WEXITSTATUS(st)))
		rc = -ENOENT;
	return rc;
}

/* l3_device from netifd; -ENOENT when it has none (interface down: a
 * PPPoE link between sessions) or does not know the interface. */
static int ubus_device(struct fg_netifd *n, const char *iface,
		       char *dev, size_t len, char *err, size_t errlen)
{
	char *buf = malloc(FG_UBUS_MAX_ANSWER);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = ubus_status(n, iface, buf, FG_UBUS_MAX_ANSWER);
	if (!rc)
		rc = fg_netifd_json_str(buf, "l3_device", dev, len);
	if (rc)
		snprintf(err, errlen, "ubus: %s",
			 rc == -ENOENT ? "no l3_device" : strerror(-rc));
	free(buf);
	return rc;
}

/* ------------------------------------------------------- network config */

/* Protocols whose device netifd creates as PREFIX-IFACE. */
static const struct {
	const char *proto;
	const char *prefix;
} proto_dev[] = {
	{ "pppoe", "pppoe" }, { "pppoa", "pppoa" }, { "pptp", "pptp" },
	{ "l2tp", "l2tp" },   { "3g", "3g" },	    { "ppp", "ppp" },
	{ "6in4", "6in4" },   { "6to4", "6to4" },   { "6rd", "6rd" },
	{ "dslite", "ds" },
};

#define NETIFD_MAX_ALIAS 4

static int net_load(struct fg_netifd *n)
{
	if (n->net_rc == 1)
		n->net_rc = fg_uci_load(n->network_config, &n->net,
					n->net_err, sizeof(n->net_err));
	return n->net_rc;
}

/* A modem's control device (/dev/cdc-wdm0: QMI, MBIM): its network
 * device is the one the same USB function has in sysfs. */
static int net_modem_dev(const char *ctl, char *dev, size_t len)
{
	const char *base = strrchr(ctl, '/') + 1;
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "/sys/class/usbmisc/%s/device/net", base);
	d = opendir(path);
	if (!d)
		return -ENOENT;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !fg_conf_check_device(e->d_name)) {
			snprintf(dev, len, "%s", e->d_name);
			rc = 0;
			break;
		}
	closedir(d);
	return rc;
}

static int net_device(struct fg_netifd *n, const char *iface, char *dev,
		      size_t len, int depth, char *err, size_t errlen)
{
	const struct fg_uci_section *s = fg_uci_section(&n->net, iface);
	const char *proto, *d, *type;
	size_t i;

	if (!s || strcmp(s->type, "interface")) {
		snprintf(err, errlen, "%s: no interface '%s'",
			 n->network_config, iface);
		return -ENOENT;
	}
	proto = fg_uci_get(s, "proto");
	for (i = 0; proto && i < sizeof(proto_dev) / sizeof(proto_dev[0]); i++)
		if (!strcmp(proto, proto_dev[i].proto)) {
			snprintf(dev, len, "%s-%s", proto_dev[i].prefix, iface);
			return 0;
		}
	if (proto && !strcmp(proto, "wireguard")) {
		snprintf(dev, len, "%s", iface);
		return 0;
	}
	type = fg_uci_get(s, "type");
	if (type && !strcmp(type, "bridge")) { /* before 21.02 */
		snprintf(dev, len, "br-%s", iface);
		return 0;
	}
	d = fg_uci_get(s, "device");
	if (!d)
		d = fg_uci_get(s, "ifname"); /* before 21.02 */
	if (!d) {
		snprintf(err, errlen, "%s: interface '%s' has no device",
			 n->network_config, iface);
		return -ENOENT;
	}
	if (d[0] == '@' && depth < NETIFD_MAX_ALIAS)
		return net_device(n, d + 1, dev, len, depth + 1, err, errlen);
	if (d[0] == '@') {
		snprintf(err, errlen, "%s: interface '%s': more than %d aliases (%.40s)",
			 n->network_config, iface, NETIFD_MAX_ALIAS, d);
		return -ENOENT;
	}
	if (d[0] == '/') {
		if (!net_modem_dev(d, dev, len))
			return 0;
		snprintf(err, errlen,
			 "%s: interface '%s' is a modem (%.60s): its network device is known to netifd only",
			 n->network_config, iface, d);
		return -ENOENT;
	}
	if (fg_conf_check_device(d)) {
		snprintf(err, errlen, "%s: interface '%s': device '%.40s' is not one network device",
			 n->network_config, iface, d);
		return -ENOENT;
	}
	snprintf(dev, len, "%s", d);
	return 0;
}

/* ---------------------------------------------------------------- API */

void fg_netifd_init(struct fg_netifd *n, const char *network_config)
{
	const char *env = getenv("FLOWGUARD_NETWORK_CONFIG");

	memset(n, 0, sizeof(*n));
	n->network_config = network_config ? network_config :
			    env && *env ? env : FG_NETIFD_CONFIG_PATH;
	n->net_rc = 1;
	find_ubus(n->ubus, sizeof(n->ubus));
}

void fg_netifd_fini(struct fg_netifd *n)
{
	fg_uci_free(&n->net);
	n->net_rc = 1;
}

int fg_netifd_device(struct fg_netifd *n, const char *iface, char *dev,
		     size_t len, const char **src, char *err, size_t errlen)
{
	char why[160] = "no ubus on PATH";
	int asked = n->ubus[0] != '\0';
	int rc;

	if (asked) {
		rc = ubus_device(n, iface, dev, len, why, sizeof(why));
		/* a ubus that hangs once is not asked again in this pass:
		 * a hook may be waiting for the table */
		if (rc == -ETIMEDOUT)
			n->ubus[0] = '\0';
		if (!rc && !fg_conf_check_device(dev)) {
			*src = "ubus";
			return 0;
		}
		if (!rc)
			snprintf(why, sizeof(why), "ubus: l3_device is not a device name");
		fg_debug("mwan3 interface %s: %s; trying %s", iface, why,
			 n->network_config);
	}
	rc = net_load(n);
	if (rc) {
		snprintf(err, errlen, "%s; %s", why, n->net_err);
		return -ENOENT;
	}
	rc = net_device(n, iface, dev, len, 0, err, errlen);
	if (!rc) {
		*src = "network config";
		return 0;
	}
	if (asked) { /* both answers, in the order they were asked */
		char cfg[256];

		snprintf(cfg, sizeof(cfg), "%s", err);
		snprintf(err, errlen, "%s; %s", why, cfg);
	}
	return rc;
}
