// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fg_ctbench - two small helpers for tests/bench/bench-flush.sh, run in the
 * benchmark's network namespace:
 *
 *   fg_ctbench census             one dump of the whole table (both
 *                                 families): "ipv4|ipv6 MARK COUNT" per
 *                                 family and ct mark (sorted), then
 *                                 "total N"
 *   fg_ctbench time OUT CMD...    run CMD (searched in PATH), its stdout to
 *                                 the file OUT ("-": inherited), stderr
 *                                 inherited; print "US STATUS": the
 *                                 microseconds from just before the spawn
 *                                 to the end of waitpid() on CLOCK_MONOTONIC,
 *                                 and CMD's exit status (128+N: signal N).
 *                                 Exit 0 if CMD ran at all, 1 if not.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ct.h"

extern char **environ;

#define CENSUS_MAX 256

struct census_row {
	uint8_t family;
	uint32_t mark;
	uint64_t n;
};

struct census {
	struct census_row row[CENSUS_MAX];
	size_t nr;
	uint64_t total, other;
};

static int census_cb(const struct fg_ct_entry *e, void *arg)
{
	struct census *c = arg;
	size_t i;

	c->total++;
	for (i = 0; i < c->nr; i++)
		if (c->row[i].family == e->orig.family &&
		    c->row[i].mark == e->mark)
			break;
	if (i == c->nr) {
		if (c->nr == CENSUS_MAX) {
			c->other++;
			return 0;
		}
		c->row[i].family = e->orig.family;
		c->row[i].mark = e->mark;
		c->row[i].n = 0;
		c->nr++;
	}
	c->row[i].n++;
	return 0;
}

static int census_cmp(const void *a, const void *b)
{
	const struct census_row *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return x->mark < y->mark ? -1 : x->mark > y->mark;
}

static int cmd_census(void)
{
	static struct census c;
	struct fg_ct *ct = NULL;
	size_t i;
	int rc, tries;

	rc = fg_ct_open(&ct);
	for (tries = 0; !rc && tries < 3; tries++) {
		memset(&c, 0, sizeof(c));
		rc = fg_ct_dump(ct, AF_UNSPEC, 0, 0, census_cb, &c);
		if (rc != -ENOBUFS)
			break;
		rc = 0; /* a partial dump: again (the socket is new) */
	}
	fg_ct_close(ct);
	if (rc || tries == 3) {
		fprintf(stderr, "fg_ctbench: census: %s\n",
			rc ? strerror(-rc) : "dump kept failing with ENOBUFS");
		return 1;
	}
	qsort(c.row, c.nr, sizeof(c.row[0]), census_cmp);
	for (i = 0; i < c.nr; i++)
		printf("%s 0x%" PRIx32 " %" PRIu64 "\n",
		       c.row[i].family == AF_INET6 ? "ipv6" : "ipv4",
		       c.row[i].mark, c.row[i].n);
	if (c.other)
		printf("other %" PRIu64 "\n", c.other);
	printf("total %" PRIu64 "\n", c.total);
	return 0;
}

static int cmd_time(const char *out, char **argv)
{
	posix_spawn_file_actions_t fa;
	struct timespec t0, t1;
	pid_t pid;
	int rc, st;
	long long us;

	posix_spawn_file_actions_init(&fa);
	if (strcmp(out, "-"))
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out,
						 O_WRONLY | O_CREAT | O_TRUNC,
						 0644);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	if (!rc)
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				rc = errno;
				break;
			}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "fg_ctbench: time: %s: %s\n", argv[0],
			strerror(rc));
		return 1;
	}
	us = (t1.tv_sec - t0.tv_sec) * 1000000LL +
	     (t1.tv_nsec - t0.tv_nsec) / 1000;
	printf("%lld %d\n", us,
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "census"))
		return cmd_census();
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return cmd_time(argv[2], argv + 3);
	fprintf(stderr, "usage: fg_ctbench census\n"
			"       fg_ctbench time OUT CMD [ARGS...]\n");
	return 2;
}
