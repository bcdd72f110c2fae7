/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * conf.h - the service configuration: the uplink table and the knobs, from
 * the command line (--uplink NAME:DEVICE:MARK) and from a UCI file
 * (/etc/config/flowguard).
 */
#ifndef FG_CONF_H
#define FG_CONF_H

#include <net/if.h> /* IFNAMSIZ */
#include <stddef.h>
#include <stdint.h>

#define FG_NAME_LEN 32
#define FG_MAX_IFACES 64

#define FG_DEDUPE_MS_MAX 600000
#define FG_MAX_DELETES_MAX 1000000

enum fg_mode { FG_MODE_AUTO = 0, FG_MODE_CT, FG_MODE_SKBMARK };
/* ct mode's lookup of packets without an entry (offloaded flows). */
enum fg_lookup { FG_LOOKUP_AUTO = 0, FG_LOOKUP_ON, FG_LOOKUP_OFF };
#define FG_LOOKUP_SAMPLE_MAX 65536
/* What is done with a stale flow: reset its TCP client and delete its
 * entry (non-TCP: delete), delete only, or log and count only. */
enum fg_policy { FG_POLICY_DELETE = 0, FG_POLICY_MONITOR, FG_POLICY_RESET };
#define FG_INHERIT (-1) /* per-uplink setting: take the global one */

struct fg_uplink_conf {
	char name[FG_NAME_LEN];	 /* mwan3 interface name */
	char device[IFNAMSIZ];	 /* egress device */
	uint32_t mark;		 /* (mark & mask) of the interface */
	int policy;		 /* enum fg_policy or FG_INHERIT */
	int enforce;		 /* 0, 1 or FG_INHERIT */
};

struct fg_conf {
	uint32_t mask;
	enum fg_mode mode;
	enum fg_policy policy;
	int enforce;	      /* drop flagged packets at egress */
	uint32_t dedupe_ms;   /* default 1000, range 1..600000 */
	uint32_t max_deletes; /* per second, default 1000, range 1..1000000 */
	uint32_t tc_priority; /* tc pref of our egress filter, 1..65535 */
	enum fg_lookup lookup;
	/* on devices whose uplinks are all up: look up one entry-less packet
	 * in this many (per CPU); a power of two, 1..FG_LOOKUP_SAMPLE_MAX */
	uint32_t lookup_sample;
	int mwan3;     /* uplinks from mwan3's config and netifd (--mwan3) */
	int log_level; /* enum fg_log_level: error, warn, info (default), debug */
	int enabled;   /* for the init script; the service runs regardless */
	struct fg_uplink_conf uplinks[FG_MAX_IFACES];
	size_t nr_uplinks;
};

/* mask 0x3f00, auto, reset, no enforce, 1000 ms, 1000/s, no uplinks. */
void fg_conf_defaults(struct fg_conf *c);

/* "error", "warn", "info", "debug" into an enum fg_log_level; -EINVAL. */
int fg_conf_parse_log_level(const char *s, int *level);

/* "auto", "ct", "skbmark"; -EINVAL otherwise. */
int fg_conf_parse_mode(const char *s, enum fg_mode *m);

/* "auto", "on", "off"; -EINVAL otherwise. */
int fg_conf_parse_lookup(const char *s, enum fg_lookup *l);

/* A power of two in 1..FG_LOOKUP_SAMPLE_MAX; -EINVAL otherwise. */
int fg_conf_parse_sample(const char *s, uint32_t *out);

/* "reset", "delete", "monitor"; -EINVAL otherwise. */
int fg_conf_parse_policy(const char *s, enum fg_policy *p);

/* Names of the values above; "?" for an invalid one. */
const char *fg_conf_mode_name(enum fg_mode m);
const char *fg_conf_policy_name(enum fg_policy p);
const char *fg_conf_lookup_name(enum fg_lookup l);

/* UCI boolean: 1/yes/on/true/enabled or 0/no/off/false/disabled.
 * 0 or -EINVAL. */
int fg_conf_parse_bool(const char *s, int *out);

/* Interface name: [A-Za-z0-9_.-], 1..31 chars, not "." or "..".
 * 0 or -EINVAL. */
int fg_conf_check_name(const char *s);

/* Device name: 1..15 chars, no '/', ':' or whitespace, not "." or "..".
 * 0 or -EINVAL. */
int fg_conf_check_device(const char *s);

/* Append "NAME:DEVICE:MARK" (MARK decimal or 0x hex). The mark is checked
 * against the mask only by fg_conf_validate(), since --mask may come later.
 * -EINVAL (bad syntax) or -ENOSPC (table full). */
/* The policy and enforce setting that apply to uplink i. */
enum fg_policy fg_conf_uplink_policy(const struct fg_conf *c, size_t i);
int fg_conf_uplink_enforce(const struct fg_conf *c, size_t i);

int fg_conf_add_uplink_arg(struct fg_conf *c, const char *arg, char *err,
			   size_t errlen);

/* Apply a UCI file: `config globals` options override c's, `config uplink
 * 'NAME'` sections are appended. Unknown section types and options are
 * errors naming the line. `option id` is turned into a mark with the final
 * mask after the whole file is read. c is unchanged on error; err starts
 * with the path. */
int fg_conf_load_uci(struct fg_conf *c, const char *path, char *err,
		     size_t errlen);

/* The same for a file already parsed (fg_uci_parse_buf()); path only
 * names it in errors. */
struct fg_uci;
int fg_conf_apply_uci(struct fg_conf *c, const struct fg_uci *u,
		      const char *path, char *err, size_t errlen);

/* The whole configuration, as the service is about to use it. */
int fg_conf_validate(const struct fg_conf *c, char *err, size_t errlen);

#endif /* FG_CONF_H */
