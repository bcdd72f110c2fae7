// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * conf.c - the service configuration: defaults, --uplink arguments, the UCI
 * file /etc/config/flowguard, and validation of the result.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowguard.h"
#include "conf.h"
#include "log.h"
#include "mark.h"
#include "uci.h"

static const char *const mode_names[] = {
	[FG_MODE_AUTO] = "auto",
	[FG_MODE_CT] = "ct",
	[FG_MODE_SKBMARK] = "skbmark",
};

static const char *const policy_names[] = {
	[FG_POLICY_DELETE] = "delete",
	[FG_POLICY_MONITOR] = "monitor",
	[FG_POLICY_RESET] = "reset",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void fg_conf_defaults(struct fg_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->mask = 0x3f00;
	c->mode = FG_MODE_AUTO;
	c->policy = FG_POLICY_RESET;
	c->dedupe_ms = 1000;
	c->max_deletes = 1000;
	c->tc_priority = FG_TC_PRIORITY;
	c->lookup = FG_LOOKUP_AUTO;
	c->lookup_sample = FG_LOOKUP_SAMPLE;
	c->log_level = FG_LOG_INFO;
	c->enabled = 1;
}

static const char *const log_level_names[] = {
	[FG_LOG_ERR] = "error",
	[FG_LOG_WARN] = "warn",
	[FG_LOG_INFO] = "info",
	[FG_LOG_DEBUG] = "debug",
};

static const char *const lookup_names[] = {
	[FG_LOOKUP_AUTO] = "auto",
	[FG_LOOKUP_ON] = "on",
	[FG_LOOKUP_OFF] = "off",
};

static int name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -EINVAL;
}

int fg_conf_parse_mode(const char *s, enum fg_mode *m)
{
	int i = name_index(mode_names, ARRAY_SIZE(mode_names), s);

	if (i < 0)
		return i;
	*m = (enum fg_mode)i;
	return 0;
}

int fg_conf_parse_log_level(const char *s, int *level)
{
	int i = name_index(log_level_names, ARRAY_SIZE(log_level_names), s);

	if (i < 0)
		return i;
	*level = i;
	return 0;
}

int fg_conf_parse_policy(const char *s, enum fg_policy *p)
{
	int i = name_index(policy_names, ARRAY_SIZE(policy_names), s);

	if (i < 0)
		return i;
	*p = (enum fg_policy)i;
	return 0;
}

int fg_conf_parse_lookup(const char *s, enum fg_lookup *l)
{
	int i = name_index(lookup_names, ARRAY_SIZE(lookup_names), s);

	if (i < 0)
		return i;
	*l = (enum fg_lookup)i;
	return 0;
}

const char *fg_conf_lookup_name(enum fg_lookup l)
{
	if ((unsigned int)l >= ARRAY_SIZE(lookup_names))
		return "?";
	return lookup_names[l];
}

static int fg_conf_check_sample(uint32_t n)
{
	return n < 1 || n > FG_LOOKUP_SAMPLE_MAX || (n & (n - 1)) ? -EINVAL : 0;
}

int fg_conf_parse_sample(const char *s, uint32_t *out)
{
	uint32_t n;

	if (fg_mark_parse_range(s, 1, FG_LOOKUP_SAMPLE_MAX, &n) ||
	    fg_conf_check_sample(n))
		return -EINVAL;
	*out = n;
	return 0;
}

const char *fg_conf_mode_name(enum fg_mode m)
{
	if ((unsigned int)m >= ARRAY_SIZE(mode_names))
		return "?";
	return mode_names[m];
}

const char *fg_conf_policy_name(enum fg_policy p)
{
	if ((unsigned int)p >= ARRAY_SIZE(policy_names))
		return "?";
	return policy_names[p];
}

int fg_conf_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true",
					   "enabled" };
	static const char *const no[] = { "0", "no", "off", "false",
					  "disabled" };

	if (name_index(yes, ARRAY_SIZE(yes), s) >= 0)
		*out = 1;
	else if (name_index(no, ARRAY_SIZE(no), s) >= 0)
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

int fg_conf_check_name(const char *s)
{
	size_t len;

	if (!s)
		return -EINVAL;
	len = strnlen(s, FG_NAME_LEN);
	if (len == 0 || len >= FG_NAME_LEN || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return -EINVAL;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return -EINVAL;
	return 0;
}

int fg_conf_check_device(const char *s)
{
	size_t len;

	if (!s)
		return -EINVAL;
	len = strnlen(s, IFNAMSIZ);
	if (len == 0 || len >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return -EINVAL;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return -EINVAL;
	return 0;
}

static int append_uplink(struct fg_conf *c, const char *name,
			 const char *device, uint32_t mark)
{
	struct fg_uplink_conf *u;

	if (c->nr_uplinks >= FG_MAX_IFACES)
		return -ENOSPC;
	u = &c->uplinks[c->nr_uplinks++];
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->device, sizeof(u->device), "%s", device);
	u->mark = mark;
	u->policy = FG_INHERIT;
	u->enforce = FG_INHERIT;
	return 0;
}

enum fg_policy fg_conf_uplink_policy(const struct fg_conf *c, size_t i)
{
	int p = c->uplinks[i].policy;

	return p == FG_INHERIT ? c->policy : (enum fg_policy)p;
}

int fg_conf_uplink_enforce(const struct fg_conf *c, size_t i)
{
	int e = c->uplinks[i].enforce;

	return e == FG_INHERIT ? c->enforce : e;
}

/* Split "NAME:DEVICE:MARK" in buf in place; -EINVAL without two ':'. */
static int split_uplink_arg(char *buf, char **dev, char **mark)
{
	*dev = strchr(buf, ':');
	*mark = *dev ? strchr(*dev + 1, ':') : NULL;
	if (!*mark)
		return -EINVAL;
	*(*dev)++ = '\0';
	*(*mark)++ = '\0';
	return 0;
}

/* Format a one-line error into err: control characters become '?'. */
static int cerr(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int cerr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (i = 0; errlen && err[i]; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			err[i] = '?';
	return ret;
}

int fg_conf_add_uplink_arg(struct fg_conf *c, const char *arg, char *err,
			   size_t errlen)
{
	char buf[FG_NAME_LEN + IFNAMSIZ + 40];
	char *dev, *mark_s, *policy_s;
	enum fg_policy policy;
	uint32_t mark;

	if (strlen(arg) >= sizeof(buf) ||
	    split_uplink_arg(strcpy(buf, arg), &dev, &mark_s))
		return cerr(err, errlen, -EINVAL,
			    "uplink '%.40s': expected NAME:DEVICE:MARK[:POLICY]", arg);
	if (fg_conf_check_name(buf))
		return cerr(err, errlen, -EINVAL,
			    "uplink '%.40s': invalid name (1-31 of A-Z a-z 0-9 _ . -)",
			    buf);
	if (fg_conf_check_device(dev))
		return cerr(err, errlen, -EINVAL,
			    "uplink '%s': invalid device '%.40s'", buf, dev);
	policy_s = strchr(mark_s, ':');
	if (policy_s)
		*policy_s++ = '\0';
	if (fg_mark_parse_u32(mark_s, &mark))
		return cerr(err, errlen, -EINVAL,
			    "uplink '%s': invalid mark '%.40s'", buf, mark_s);
	if (policy_s && fg_conf_parse_policy(policy_s, &policy))
		return cerr(err, errlen, -EINVAL,
			    "uplink '%s': invalid policy '%.40s' (reset, delete or monitor)",
			    buf, policy_s);
	if (append_uplink(c, buf, dev, mark))
		return cerr(err, errlen, -ENOSPC,
			    "uplink '%s': too many uplinks (max %d)", buf,
			    FG_MAX_IFACES);
	if (policy_s)
		c->uplinks[c->nr_uplinks - 1].policy = (int)policy;
	return 0;
}

/* Loading /etc/config/flowguard: a working copy, committed on success. */
struct conf_load {
	struct fg_conf c;
	int has_id[FG_MAX_IFACES]; /* uplink i was given by `option id` */
	uint32_t id[FG_MAX_IFACES];
	int id_line[FG_MAX_IFACES];
	const char *path;
	char *err;
	size_t errlen;
};

static int lerr(struct conf_load *ld, int line, int ret, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static int lerr(struct conf_load *ld, int line, int ret, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cerr(ld->err, ld->errlen, ret, "%s: line %d: %s", ld->path,
		    line, msg);
}

enum conf_knob {
	KNOB_MASK,
	KNOB_MODE,
	KNOB_POLICY,
	KNOB_DEDUPE,
	KNOB_DELETES,
	KNOB_ENFORCE,
	KNOB_TC_PRIORITY,
	KNOB_LOOKUP,
	KNOB_LOOKUP_SAMPLE,
	KNOB_MWAN3,
	KNOB_LOG_LEVEL,
	KNOB_ENABLED,
};

/* Options of `config globals` and what each expects. */
static const struct {
	const char *name;
	const char *expect;
} knobs[] = {
	[KNOB_MASK] = { "mask", "a number such as 0x3f00" },
	[KNOB_MODE] = { "mode", "auto, ct or skbmark" },
	[KNOB_POLICY] = { "policy", "reset, delete or monitor" },
	[KNOB_DEDUPE] = { "dedupe_ms", "1..600000" },
	[KNOB_DELETES] = { "max_deletes", "1..1000000" },
	[KNOB_ENFORCE] = { "enforce", "0 or 1" },
	[KNOB_TC_PRIORITY] = { "tc_priority", "1..65535" },
	[KNOB_LOOKUP] = { "offload_lookup", "auto, on or off" },
	[KNOB_LOOKUP_SAMPLE] = { "lookup_sample", "a power of two, 1..65536" },
	[KNOB_MWAN3] = { "mwan3", "0 or 1" },
	[KNOB_LOG_LEVEL] = { "log_level", "error, warn, info or debug" },
	[KNOB_ENABLED] = { "enabled", "0 or 1" },
};

static int knob_set(struct fg_conf *c, enum conf_knob k, const char *v)
{
	switch (k) {
	case KNOB_MASK:
		return fg_mark_parse_u32(v, &c->mask);
	case KNOB_MODE:
		return fg_conf_parse_mode(v, &c->mode);
	case KNOB_POLICY:
		return fg_conf_parse_policy(v, &c->policy);
	case KNOB_DEDUPE:
		return fg_mark_parse_range(v, 1, FG_DEDUPE_MS_MAX, &c->dedupe_ms);
	case KNOB_DELETES:
		return fg_mark_parse_range(v, 1, FG_MAX_DELETES_MAX,
					   &c->max_deletes);
	case KNOB_ENFORCE:
		return fg_conf_parse_bool(v, &c->enforce);
	case KNOB_TC_PRIORITY:
		return fg_mark_parse_range(v, 1, 65535, &c->tc_priority);
	case KNOB_LOOKUP:
		return fg_conf_parse_lookup(v, &c->lookup);
	case KNOB_LOOKUP_SAMPLE:
		return fg_conf_parse_sample(v, &c->lookup_sample);
	case KNOB_MWAN3:
		return fg_conf_parse_bool(v, &c->mwan3);
	case KNOB_LOG_LEVEL:
		return fg_conf_parse_log_level(v, &c->log_level);
	case KNOB_ENABLED:
		return fg_conf_parse_bool(v, &c->enabled);
	}
	return -EINVAL;
}

/* Every option here takes one value: a `list` is a mistake. */
static int check_single(struct conf_load *ld, const struct fg_uci_option *o)
{
	if (o->is_list)
		return lerr(ld, o->line, -EINVAL,
			    "'%.40s' takes one value: use option, not list",
			    o->name);
	return 0;
}

static int load_globals(struct conf_load *ld, const struct fg_uci_section *s)
{
	size_t i, k;

	for (i = 0; i < s->nr_opts; i++) {
		const struct fg_uci_option *o = &s->opts[i];
		int ret = check_single(ld, o);

		if (ret)
			return ret;
		for (k = 0; k < ARRAY_SIZE(knobs); k++)
			if (!strcmp(o->name, knobs[k].name))
				break;
		if (k == ARRAY_SIZE(knobs))
			return lerr(ld, o->line, -EINVAL,
				    "unknown option '%.40s' in globals",
				    o->name);
		if (knob_set(&ld->c, (enum conf_knob)k, o->values[0]))
			return lerr(ld, o->line, -EINVAL,
				    "invalid %s '%.40s' (expected %s)", o->name,
				    o->values[0], knobs[k].expect);
	}
	return 0;
}

/* The options of one `config uplink` section, not yet checked. */
struct uplink_opts {
	const struct fg_uci_option *device, *mark, *id, *enabled, *policy,
		*enforce;
};

static int uplink_collect(struct conf_load *ld, const struct fg_uci_section *s,
			  struct uplink_opts *u)
{
	size_t i;

	for (i = 0; i < s->nr_opts; i++) {
		const struct fg_uci_option *o = &s->opts[i];
		int ret = check_single(ld, o);

		if (ret)
			return ret;
		if (!strcmp(o->name, "device"))
			u->device = o;
		else if (!strcmp(o->name, "mark"))
			u->mark = o;
		else if (!strcmp(o->name, "id"))
			u->id = o;
		else if (!strcmp(o->name, "enabled"))
			u->enabled = o;
		else if (!strcmp(o->name, "policy"))
			u->policy = o;
		else if (!strcmp(o->name, "enforce"))
			u->enforce = o;
		else
			return lerr(ld, o->line, -EINVAL,
				    "unknown option '%.40s' in uplink '%s'",
				    o->name, s->name);
	}
	return 0;
}

/* 1 when the uplink is enabled, 0 when not, or an error. */
static int uplink_enabled(struct conf_load *ld, const struct fg_uci_section *s,
			  const struct uplink_opts *u)
{
	int on = 1;

	if (u->enabled && fg_conf_parse_bool(u->enabled->values[0], &on))
		return lerr(ld, u->enabled->line, -EINVAL,
			    "uplink '%s': invalid enabled '%.40s' (expected 0 or 1)",
			    s->name, u->enabled->values[0]);
	return on;
}

/* Mark or id of an uplink: exactly one of them, a valid number. */
static int uplink_mark(struct conf_load *ld, const struct fg_uci_section *s,
		       const struct uplink_opts *u, uint32_t *val)
{
	const struct fg_uci_option *o = u->mark ? u->mark : u->id;

	if (u->mark && u->id)
		return lerr(ld, u->id->line, -EINVAL,
			    "uplink '%s': give mark or id, not both", s->name);
	if (!o)
		return lerr(ld, s->line, -EINVAL,
			    "uplink '%s' has no mark or id", s->name);
	if (fg_mark_parse_u32(o->values[0], val))
		return lerr(ld, o->line, -EINVAL,
			    "uplink '%s': invalid %s '%.40s'", s->name, o->name,
			    o->values[0]);
	return 0;
}

/* Per-uplink policy and enforce, when given. */
static int uplink_policy(struct conf_load *ld, const struct fg_uci_section *s,
			 const struct uplink_opts *u, struct fg_uplink_conf *out)
{
	enum fg_policy p;
	int e;

	if (u->policy) {
		if (fg_conf_parse_policy(u->policy->values[0], &p))
			return lerr(ld, u->policy->line, -EINVAL,
				    "uplink '%s': invalid policy '%.40s' (reset, delete or monitor)",
				    s->name, u->policy->values[0]);
		out->policy = (int)p;
	}
	if (u->enforce) {
		if (fg_conf_parse_bool(u->enforce->values[0], &e))
			return lerr(ld, u->enforce->line, -EINVAL,
				    "uplink '%s': invalid enforce '%.40s' (expected 0 or 1)",
				    s->name, u->enforce->values[0]);
		out->enforce = e;
	}
	return 0;
}

static int load_uplink(struct conf_load *ld, const struct fg_uci_section *s)
{
	struct uplink_opts u = { 0 };
	const char *dev;
	uint32_t val;
	size_t n = ld->c.nr_uplinks;
	int ret;

	if (!s->name || fg_conf_check_name(s->name))
		return lerr(ld, s->line, -EINVAL,
			    "uplink section needs a valid name (the mwan3 interface name)");
	ret = uplink_collect(ld, s, &u);
	if (!ret)
		ret = uplink_enabled(ld, s, &u);
	if (ret <= 0)
		return ret;
	if (!u.device)
		return lerr(ld, s->line, -EINVAL, "uplink '%s' has no device",
			    s->name);
	dev = u.device->values[0];
	if (fg_conf_check_device(dev))
		return lerr(ld, u.device->line, -EINVAL,
			    "uplink '%s': invalid device '%.40s'", s->name,
			    dev);
	ret = uplink_mark(ld, s, &u, &val);
	if (ret)
		return ret;
	if (append_uplink(&ld->c, s->name, dev, u.id ? 0 : val))
		return lerr(ld, s->line, -ENOSPC, "too many uplinks (max %d)",
			    FG_MAX_IFACES);
	ret = uplink_policy(ld, s, &u, &ld->c.uplinks[n]);
	if (ret)
		return ret;
	ld->has_id[n] = !!u.id;
	ld->id[n] = val;
	ld->id_line[n] = u.id ? u.id->line : 0;
	return 0;
}

/* Ids become marks once the whole file, globals included, is read. */
static int resolve_ids(struct conf_load *ld)
{
	char msg[160];
	size_t i;

	for (i = 0; i < ld->c.nr_uplinks; i++) {
		struct fg_uplink_conf *u = &ld->c.uplinks[i];

		if (!ld->has_id[i])
			continue;
		if (fg_mark_from_id(ld->c.mask, ld->id[i], &u->mark, msg,
				    sizeof(msg)))
			return lerr(ld, ld->id_line[i], -EINVAL,
				    "uplink '%s': %s", u->name, msg);
	}
	return 0;
}

static int load_sections(struct conf_load *ld, const struct fg_uci *u)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < u->nr_sections; i++) {
		const struct fg_uci_section *s = &u->sections[i];

		if (!strcmp(s->type, "globals"))
			ret = load_globals(ld, s);
		else if (!strcmp(s->type, "uplink"))
			ret = load_uplink(ld, s);
		else
			ret = lerr(ld, s->line, -EINVAL,
				   "unknown section type '%.40s'",
				   s->type);
	}
	return ret ? ret : resolve_ids(ld);
}

int fg_conf_apply_uci(struct fg_conf *c, const struct fg_uci *u,
		      const char *path, char *err, size_t errlen)
{
	struct conf_load *ld;
	int ret;

	ld = calloc(1, sizeof(*ld));
	if (!ld) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ld->c = *c;
	ld->path = path;
	ld->err = err;
	ld->errlen = errlen;
	ret = load_sections(ld, u);
	if (!ret)
		*c = ld->c;
	free(ld);
	return ret;
}

int fg_conf_load_uci(struct fg_conf *c, const char *path, char *err,
		     size_t errlen)
{
	struct fg_uci u;
	int ret;

	ret = fg_uci_load(path, &u, err, errlen);
	if (ret)
		return ret;
	ret = fg_conf_apply_uci(c, &u, path, err, errlen);
	fg_uci_free(&u);
	return ret;
}

static int check_knobs(const struct fg_conf *c, char *err, size_t errlen)
{
	if (fg_mark_bits(c->mask) < 2)
		snprintf(err, errlen, "mask 0x%x needs at least 2 set bits",
			 c->mask);
	else if ((unsigned int)c->mode >= ARRAY_SIZE(mode_names))
		snprintf(err, errlen, "invalid mode %d", (int)c->mode);
	else if ((unsigned int)c->policy >= ARRAY_SIZE(policy_names))
		snprintf(err, errlen, "invalid policy %d", (int)c->policy);
	else if (c->dedupe_ms < 1 || c->dedupe_ms > FG_DEDUPE_MS_MAX)
		snprintf(err, errlen, "dedupe_ms %u is out of range 1..%d",
			 c->dedupe_ms, FG_DEDUPE_MS_MAX);
	else if (c->max_deletes < 1 || c->max_deletes > FG_MAX_DELETES_MAX)
		snprintf(err, errlen, "max_deletes %u is out of range 1..%d",
			 c->max_deletes, FG_MAX_DELETES_MAX);
	else if (c->tc_priority < 1 || c->tc_priority > 65535)
		snprintf(err, errlen, "tc_priority %u is out of range 1..65535",
			 c->tc_priority);
	else if ((unsigned int)c->lookup > FG_LOOKUP_OFF)
		snprintf(err, errlen, "invalid offload_lookup %d", (int)c->lookup);
	else if (fg_conf_check_sample(c->lookup_sample))
		snprintf(err, errlen,
			 "lookup_sample %u is not a power of two in 1..%d",
			 c->lookup_sample, FG_LOOKUP_SAMPLE_MAX);
	else if (c->nr_uplinks == 0)
		snprintf(err, errlen, "no uplinks configured");
	else if (c->nr_uplinks > FG_MAX_IFACES)
		snprintf(err, errlen, "too many uplinks: %zu (max %d)",
			 c->nr_uplinks, FG_MAX_IFACES);
	else
		return 0;
	return -EINVAL;
}

/* Uplink i on its own and against the ones before it. */
static int check_uplink(const struct fg_conf *c, size_t i, char *err,
			size_t errlen)
{
	const struct fg_uplink_conf *u = &c->uplinks[i];
	char msg[160];
	size_t j;

	if (fg_conf_check_name(u->name))
		return cerr(err, errlen, -EINVAL, "uplink %zu: invalid name",
			    i + 1);
	if (fg_conf_check_device(u->device))
		return cerr(err, errlen, -EINVAL,
			    "uplink '%s': invalid device '%.*s'", u->name,
			    (int)sizeof(u->device), u->device);
	if (fg_mark_check_uplink(c->mask, u->mark, msg, sizeof(msg)))
		return cerr(err, errlen, -EINVAL, "uplink '%s': %s", u->name,
			    msg);
	for (j = 0; j < i; j++) {
		const struct fg_uplink_conf *v = &c->uplinks[j];

		if (!strcmp(u->name, v->name))
			return cerr(err, errlen, -EINVAL,
				    "uplink '%s' is listed twice", u->name);
		if (u->mark == v->mark)
			return cerr(err, errlen, -EINVAL,
				    "mark 0x%x is used by both '%s' and '%s'",
				    u->mark, v->name, u->name);
	}
	return 0;
}

/* Uplinks on device dev: all of them, and how many come before i. */
static size_t count_device(const struct fg_conf *c, const char *dev, size_t i,
			   size_t *before)
{
	size_t j, n = 0;

	*before = 0;
	for (j = 0; j < c->nr_uplinks; j++) {
		if (strcmp(c->uplinks[j].device, dev))
			continue;
		n++;
		if (j < i)
			(*before)++;
	}
	return n;
}

/* Names per device and distinct devices, within the BPF map's limits. */
static int check_devices(const struct fg_conf *c, char *err, size_t errlen)
{
	size_t i, devs = 0;

	for (i = 0; i < c->nr_uplinks; i++) {
		const char *dev = c->uplinks[i].device;
		size_t before, names = count_device(c, dev, i, &before);

		if (before)
			continue; /* counted at its first uplink */
		devs++;
		if (names > FG_MAX_MARKS_PER_DEV) {
			snprintf(err, errlen,
				 "device '%s' carries %zu uplinks (max %d)",
				 dev, names, FG_MAX_MARKS_PER_DEV);
			return -EINVAL;
		}
	}
	if (devs > FG_MAX_UPLINKS) {
		snprintf(err, errlen, "too many devices: %zu (max %d)", devs,
			 FG_MAX_UPLINKS);
		return -EINVAL;
	}
	return 0;
}

int fg_conf_validate(const struct fg_conf *c, char *err, size_t errlen)
{
	size_t i;
	int ret = check_knobs(c, err, errlen);

	for (i = 0; !ret && i < c->nr_uplinks; i++)
		ret = check_uplink(c, i, err, errlen);
	return ret ? ret : check_devices(c, err, errlen);
}
