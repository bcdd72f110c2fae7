// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_common.c - options shared by the commands. */
#include <stdlib.h>

#include "cmd_common.h"
#include "ctl.h"
#include "log.h"
#include "service.h"

static const char *fg_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void fg_common_init(struct fg_common *c)
{
	*c = (struct fg_common){
		.sock = fg_ctl_path(NULL),
		.pin_dir = fg_service_pin_dir(NULL),
		.mwan3_config = fg_env("FLOWGUARD_MWAN3_CONFIG"),
		.mwan3_mask_file = fg_env("FLOWGUARD_MWAN3_MASK_FILE"),
	};
}

int fg_common_opt(struct fg_common *c, int opt, const char *arg)
{
	switch (opt) {
	case 'S':
		c->sock = arg;
		return 1;
	case 'P':
		c->pin_dir = arg;
		return 1;
	case 'C':
		c->mwan3_config = arg;
		return 1;
	case 'K':
		c->mwan3_mask_file = arg;
		return 1;
	case 's':
		c->use_syslog = 1;
		return 1;
	case 'v':
		c->verbose++;
		return 1;
	}
	return 0;
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
