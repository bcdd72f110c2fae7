// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_common.c - the one option parser every command uses. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_common.h"
#include "cmds.h"
#include "ctl.h"
#include "log.h"
#include "service.h"

#define OPTS_MAX 48 /* options of one command, shared ones included */

static const struct fg_opt fg_shared_opts[] = {
	{ "socket", 'S', required_argument, "PATH",
	  "the service's socket (env FLOWGUARD_SOCKET,\n"
	  "default " FG_CTL_DEFAULT_PATH ")" },
	{ "pin-dir", 'P', required_argument, "DIR",
	  "the guard's pins (env FLOWGUARD_PIN_DIR,\n"
	  "default /sys/fs/bpf/flowguard)" },
	{ "mwan3-config", 'C', required_argument, "PATH",
	  "mwan3's config (env FLOWGUARD_MWAN3_CONFIG,\n"
	  "default /etc/config/mwan3)" },
	{ "mwan3-mask-file", 'K', required_argument, "PATH",
	  "mwan3's cached mask (env FLOWGUARD_MWAN3_MASK_FILE,\n"
	  "default /var/run/mwan3/mmx_mask)" },
	{ "syslog", 's', no_argument, NULL, "log to syslog (as mwan3.user does)" },
	{ "verbose", 'v', no_argument, NULL, "more detail; repeatable" },
	{ "json", 'j', no_argument, NULL, "one JSON document (docs/json.md)" },
};

/* The FG_SH_* bit of each entry of fg_shared_opts. */
static const unsigned int fg_shared_bits[] = {
	FG_SH_SOCKET, FG_SH_PIN_DIR, FG_SH_MWAN3, FG_SH_MWAN3,
	FG_SH_SYSLOG, FG_SH_VERBOSE, FG_SH_JSON,
};

static const struct fg_opt fg_help_opt = { "help", 'h', no_argument, NULL,
					   "this text" };

static const char *fg_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static void fg_common_init(struct fg_common *c)
{
	*c = (struct fg_common){
		.sock = fg_ctl_path(NULL),
		.pin_dir = fg_service_pin_dir(NULL),
		.mwan3_config = fg_env("FLOWGUARD_MWAN3_CONFIG"),
		.mwan3_mask_file = fg_env("FLOWGUARD_MWAN3_MASK_FILE"),
	};
}

/* 1 if key is a shared option (taken into c), 0 if not. */
static int fg_common_take(struct fg_common *c, int key, const char *arg)
{
	switch (key) {
	case 'S':
		c->sock = arg;
		return 1;
	case 'P':
		c->pin_dir = arg;
		return 1;
	case 'C':
		c->mwan3_config = arg;
		c->mwan3_given = 1;
		return 1;
	case 'K':
		c->mwan3_mask_file = arg;
		c->mwan3_given = 1;
		return 1;
	case 's':
		c->use_syslog = 1;
		return 1;
	case 'v':
		c->verbose++;
		return 1;
	case 'j':
		c->json = 1;
		return 1;
	}
	return 0;
}

/* Every option the command takes, in usage order: its own, the shared
 * ones it asked for, --help. */
static size_t fg_opts_collect(const struct fg_cmd_spec *spec,
			      const struct fg_opt **out)
{
	const struct fg_opt *o;
	size_t n = 0, i;

	for (o = spec->opts; o && o->name && n < OPTS_MAX - 9; o++)
		out[n++] = o;
	for (i = 0; i < sizeof(fg_shared_bits) / sizeof(fg_shared_bits[0]); i++)
		if (spec->shared & fg_shared_bits[i])
			out[n++] = &fg_shared_opts[i];
	out[n++] = &fg_help_opt;
	return n;
}

static void fg_opt_line(const struct fg_opt *o, FILE *f)
{
	char head[64];
	const char *h = o->help, *nl;

	if (o->key < FG_OPT_LONG_ONLY)
		snprintf(head, sizeof(head), "-%c, --%s%s%s", o->key, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(head, sizeof(head), "    --%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	if (strlen(head) > 24)
		fprintf(f, "  %s\n  %-24s ", head, "");
	else
		fprintf(f, "  %-24s ", head);
	while ((nl = strchr(h, '\n'))) {
		fprintf(f, "%.*s\n  %-24s ", (int)(nl - h), h, "");
		h = nl + 1;
	}
	fprintf(f, "%s\n", h);
}

void fg_opts_usage(const struct fg_cmd_spec *spec, FILE *f)
{
	const struct fg_opt *all[OPTS_MAX];
	size_t n = fg_opts_collect(spec, all), i;

	fprintf(f, "usage: flowguard %s %s\n", spec->name, spec->synopsis);
	for (i = 0; i < n; i++)
		fg_opt_line(all[i], f);
	if (spec->notes)
		fprintf(f, "%s", spec->notes);
	fprintf(f, "exit status: 0 done, 1 failed, 2 bad usage\n");
}

int fg_opts_bad(const struct fg_cmd_spec *spec, const char *what,
		const char *arg)
{
	fprintf(stderr, "flowguard %s: invalid %s '%s'\n", spec->name, what,
		arg);
	return -EINVAL;
}

static void fg_opts_build(const struct fg_opt *const *all, size_t n,
			  struct option *lopts, char *shorts)
{
	size_t i, s = 0;

	shorts[s++] = ':'; /* a missing argument is ':', not '?' */
	for (i = 0; i < n; i++) {
		lopts[i] = (struct option){ all[i]->name, all[i]->has_arg, NULL,
					    all[i]->key };
		if (all[i]->key >= FG_OPT_LONG_ONLY)
			continue;
		shorts[s++] = (char)all[i]->key;
		if (all[i]->has_arg == required_argument)
			shorts[s++] = ':';
	}
	lopts[n] = (struct option){ 0 };
	shorts[s] = '\0';
}

/* getopt's own complaints, as one line in our words. */
static int fg_opts_getopt_err(const struct fg_cmd_spec *spec, int key,
			      char **argv)
{
	const char *word = argv[optind - 1];

	if (key == ':')
		fprintf(stderr, "flowguard %s: option '%s' needs an argument\n",
			spec->name, word);
	else if (optopt && optopt < FG_OPT_LONG_ONLY && word[0] == '-' &&
		 word[1] != '-')
		fprintf(stderr, "flowguard %s: unknown option '-%c'\n",
			spec->name, optopt);
	else
		fprintf(stderr, "flowguard %s: unknown option '%s'\n",
			spec->name, word);
	return -EINVAL;
}

static int fg_opts_words(const struct fg_cmd_spec *spec, int argc,
			 char **argv)
{
	int n = argc - optind;

	if (n > spec->max_args) {
		fprintf(stderr, "flowguard %s: unexpected argument '%s'\n",
			spec->name, argv[optind + spec->max_args]);
		return -EINVAL;
	}
	if (n < spec->min_args) {
		fprintf(stderr, "flowguard %s: missing argument (usage: flowguard %s %s)\n",
			spec->name, spec->name, spec->synopsis);
		return -EINVAL;
	}
	return 0;
}

int fg_opts_parse(const struct fg_cmd_spec *spec, int argc, char **argv,
		  struct fg_common *c, fg_opt_apply_fn apply, void *ctx,
		  int *first)
{
	const struct fg_opt *all[OPTS_MAX];
	struct option lopts[OPTS_MAX + 1];
	char shorts[2 * OPTS_MAX + 2];
	size_t n = fg_opts_collect(spec, all);
	int key, rc;

	fg_opts_build(all, n, lopts, shorts);
	fg_common_init(c);
	optind = 0; /* a full restart: commands may parse twice */
	opterr = 0;
	while ((key = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (key == '?' || key == ':')
			return fg_opts_getopt_err(spec, key, argv);
		if (key == 'h') {
			fg_opts_usage(spec, stdout);
			return 1;
		}
		if (fg_common_take(c, key, optarg))
			continue;
		rc = apply ? apply(ctx, key, optarg) : 0;
		if (rc)
			return rc;
	}
	rc = fg_opts_words(spec, argc, argv);
	if (!rc && first)
		*first = optind;
	return rc;
}

int fg_opts_family(const char *s, uint8_t *family)
{
	if (!strcmp(s, "all"))
		*family = AF_UNSPEC;
	else if (!strcmp(s, "4"))
		*family = AF_INET;
	else if (!strcmp(s, "6"))
		*family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

int fg_opts_exit(int rc)
{
	if (rc == 0 || rc == 1)
		return FG_EXIT_OK;
	return rc == -EINVAL ? FG_EXIT_USAGE : FG_EXIT_FAIL;
}

void fg_common_log(const struct fg_common *c)
{
	fg_common_log_at(c, FG_LOG_INFO);
}

void fg_common_log_at(const struct fg_common *c, int level)
{
	int i;

	fg_log_init("flowguard", c->use_syslog, (enum fg_log_level)level);
	for (i = 0; i < c->verbose; i++)
		fg_log_raise();
}
