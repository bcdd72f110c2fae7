// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* svc_retry.c - one more provoke for hosts that did not answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "reset_disc.h"
#include "reset_kick.h"
#include "log.h"
#include "svc_retry.h"

int fg_svc_retry_init(struct fg_svc_retry *r)
{
	memset(r, 0, sizeof(*r));
	r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return r->timer_fd < 0 ? -errno : 0;
}

void fg_svc_retry_fini(struct fg_svc_retry *r)
{
	if (r->timer_fd >= 0)
		close(r->timer_fd);
	r->timer_fd = -1;
	free(r->f);
	r->f = NULL;
	r->n = 0;
}

static int fg_svc_retry_arm(struct fg_svc_retry *r)
{
	struct itimerspec its = {
		.it_value.tv_sec = FG_DISC_KICK_RETRY_MS / 1000,
		.it_value.tv_nsec = (FG_DISC_KICK_RETRY_MS % 1000) * 1000000L,
	};

	return timerfd_settime(r->timer_fd, 0, &its, NULL) ? -errno : 0;
}

int fg_svc_retry_add(struct fg_svc_retry *r, const struct fg_kick_flow *f,
		     size_t n)
{
	struct fg_kick_flow *grown;
	int arm = !r->f;

	if (!n)
		return 0;
	grown = realloc(r->f, (r->n + n) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	memcpy(grown + r->n, f, n * sizeof(*f));
	r->f = grown;
	r->n += n;
	/* a retry already pending keeps its time: the earliest hosts' rate
	 * limit decides; later ones got their guessed RST meanwhile */
	return arm ? fg_svc_retry_arm(r) : 0;
}

static void fg_svc_retry_done(void *ctx, struct fg_kick_flow *f, size_t n,
			      const struct fg_kick_stats *st)
{
	struct fg_svc_retry *r = ctx;

	r->retried += n;
	r->answered += st->reset + st->destroyed;
	fg_info("client reset retry: %zu of %zu answered", st->reset, n);
	free(f);
}

void fg_svc_retry_fire(struct fg_svc_retry *r, struct fg_kick *k)
{
	struct fg_kick_flow *f = r->f;
	size_t n = r->n;
	uint64_t ticks;
	int rc;

	if (read(r->timer_fd, &ticks, sizeof(ticks)) < 0 || !f)
		return;
	r->f = NULL;
	r->n = 0;
	rc = fg_kick_start(k, f, n, FG_DISC_KICK_WAIT_MS, 0, fg_svc_retry_done,
			   r);
	if (rc) {
		fg_info("client reset retry: %zu clients: %s", n,
			strerror(-rc));
		free(f);
	}
}
