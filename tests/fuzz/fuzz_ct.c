// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_ct.c - the ctnetlink answer parser (ct.c) on arbitrary netlink
 * messages: the input is a receive buffer, walked as ct.c walks one;
 * each message is parsed into an entry (or refused) without a socket,
 * and a parsed entry formats.
 */
#include <string.h>

#include <libmnl/libmnl.h>

#include "ct.h"
#include "fuzz.h"

static void check_entry(const struct fg_ct_entry *e)
{
	char line[256];

	FZ_CHECK(e->orig.family == AF_INET || e->orig.family == AF_INET6);
	FZ_CHECK(e->reply.family == e->orig.family);
	FZ_CHECK(fg_ct_tuple_fmt(&e->orig, line, sizeof(line)) >= 0);
	fz_one_line(line);
	FZ_CHECK(fg_ct_tuple_fmt(&e->reply, line, sizeof(line)) >= 0);
	fz_one_line(line);
	fg_ct_tuple_fmt(&e->orig, line, 16); /* cut: must stay in bounds */
	FZ_CHECK(strlen(line) < 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)data;
	int len = size > 1 << 20 ? 1 << 20 : (int)size;
	struct fg_ct_entry e;

	/* the whole input as one message; libmnl is not instrumented, so
	 * an accepted message must visibly lie inside the input */
	if (size > 1 << 20)
		return 0;
	if (!fg_ct_parse_msg(data, size, &e)) {
		FZ_CHECK(nlh->nlmsg_len <= size);
		check_entry(&e);
	}
	/* as ct.c walks a receive buffer (mnl_nlmsg_ok() alone takes a
	 * length of 2 GiB or more for a negative one) */
	for (; mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (uint32_t)len;
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		/* each message alone: it must not read past its own end */
		size_t n = nlh->nlmsg_len;
		void *one = malloc(n);

		FZ_CHECK(one);
		memcpy(one, nlh, n);
		if (!fg_ct_parse_msg(one, n, &e))
			check_entry(&e);
		free(one);
	}
	return 0;
}
