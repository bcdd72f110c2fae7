// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_uci.c - the UCI reader: syntax, libuci semantics, errors. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "uci.h"
#include "unit.h"

static char err[512];

/* Parse text, which must fail with ret and exactly msg. */
static void check_error(const char *text, int ret, const char *msg)
{
	struct fg_uci u;
	int r;

	err[0] = '\0';
	r = fg_uci_parse(text, &u, err, sizeof(err));
	if (r != ret || strcmp(err, msg))
		printf("  input <<%s>> gave %d \"%s\"\n", text, r, err);
	CHECK(r == ret);
	CHECK_STR(err, msg);
	CHECK(u.sections == NULL && u.nr_sections == 0);
}

static const char *value_at(const struct fg_uci_option *o, size_t i)
{
	return o && i < o->nr_values ? o->values[i] : NULL;
}

static void test_basic(void)
{
	const char *text =
		"package mwan3\n"
		"\n"
		"config globals 'globals'\n"
		"\toption mmx_mask '0x3F00'\n"
		"config interface wan\n"
		"        option enabled 1\n"
		"\tlist track_ip '1.1.1.1'\n"
		"\tlist track_ip 8.8.8.8\n"
		"config rule\n"
		"\toption proto all\n";
	const struct fg_uci_option *o;
	struct fg_uci u;

	CHECK(fg_uci_parse(text, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 3);
	if (u.nr_sections != 3)
		goto out;
	CHECK_STR(u.sections[0].type, "globals");
	CHECK_STR(u.sections[0].name, "globals");
	CHECK_EQ_U(u.sections[0].line, 3);
	CHECK_STR(fg_uci_get(&u.sections[0], "mmx_mask"), "0x3F00");
	CHECK_STR(u.sections[1].name, "wan");
	CHECK_STR(fg_uci_get(&u.sections[1], "enabled"), "1");
	o = fg_uci_find(&u.sections[1], "track_ip");
	CHECK(o && o->is_list && o->nr_values == 2 && o->line == 8);
	CHECK_STR(value_at(o, 0), "1.1.1.1");
	CHECK_STR(value_at(o, 1), "8.8.8.8");
	CHECK(fg_uci_get(&u.sections[1], "track_ip") == NULL); /* a list */
	CHECK(fg_uci_get(&u.sections[1], "missing") == NULL);
	CHECK(fg_uci_find(&u.sections[1], "missing") == NULL);
	CHECK(u.sections[2].name == NULL); /* anonymous */
	CHECK_EQ_U(u.sections[2].line, 9);
	CHECK(fg_uci_section(&u, "wan") == &u.sections[1]);
	CHECK(fg_uci_section(&u, "nope") == NULL);
out:
	fg_uci_free(&u);
	CHECK(u.sections == NULL && u.nr_sections == 0);
	fg_uci_free(&u); /* twice is fine */
}

static void test_quoting(void)
{
	const char *text =
		"config t 's1'\n"
		"\toption a 'two words # not a comment'\n"
		"\toption b \"say \\\"hi\\\" \\\\ \\$x\"\n"
		"\toption c 'con'\"cat\"enated\n"
		"\toption d 'it'\\''s'\n"
		"\toption e \"a'b\"\n"
		"\toption f plain\\ word\n"
		"\toption g 'no \\escape'\n"
		"\toption h \"\"\"x\"\n";
	const struct fg_uci_section *s;
	struct fg_uci u;

	CHECK(fg_uci_parse(text, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 1);
	if (u.nr_sections != 1)
		goto out;
	s = &u.sections[0];
	CHECK_STR(fg_uci_get(s, "a"), "two words # not a comment");
	CHECK_STR(fg_uci_get(s, "b"), "say \"hi\" \\ $x");
	CHECK_STR(fg_uci_get(s, "c"), "concatenated");
	CHECK_STR(fg_uci_get(s, "d"), "it's");
	CHECK_STR(fg_uci_get(s, "e"), "a'b");
	CHECK_STR(fg_uci_get(s, "f"), "plain word");
	CHECK_STR(fg_uci_get(s, "g"), "no \\escape");
	CHECK_STR(fg_uci_get(s, "h"), "x");
out:
	fg_uci_free(&u);
}

static void test_comments_and_space(void)
{
	const char *text =
		"# leading comment\n"
		"   \t\n"
		"\t  config t 'x'   # trailing comment\n"
		"  # indented comment\n"
		"\t\toption a value#comment right after\n"
		"\toption b 'v' # after a quote\n"
		"#option c hidden\n"
		"\toption   d\t\t'tabs'\n";
	struct fg_uci u;

	CHECK(fg_uci_parse(text, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 1);
	if (u.nr_sections != 1)
		goto out;
	CHECK_EQ_U(u.sections[0].line, 3);
	CHECK_EQ_U(u.sections[0].nr_opts, 3);
	CHECK_STR(fg_uci_get(&u.sections[0], "a"), "value");
	CHECK_STR(fg_uci_get(&u.sections[0], "b"), "v");
	CHECK(fg_uci_get(&u.sections[0], "c") == NULL);
	CHECK_STR(fg_uci_get(&u.sections[0], "d"), "tabs");
	CHECK_EQ_U(fg_uci_find(&u.sections[0], "d")->line, 8);
out:
	fg_uci_free(&u);
}

static void test_override_and_lists(void)
{
	const char *text =
		"config t 'x'\n"
		"\toption a first\n"
		"\toption a second\n"
		"\toption b one\n"
		"\tlist b two\n"
		"\tlist c l1\n"
		"\tlist c l2\n"
		"\toption c single\n"
		"\toption d gone\n"
		"\toption d ''\n"
		"\toption e ''\n"
		"\tlist f ''\n";
	const struct fg_uci_option *o;
	const struct fg_uci_section *s;
	struct fg_uci u;

	CHECK(fg_uci_parse(text, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 1);
	if (u.nr_sections != 1)
		goto out;
	s = &u.sections[0];
	CHECK_STR(fg_uci_get(s, "a"), "second");
	CHECK_EQ_U(fg_uci_find(s, "a")->line, 3);
	o = fg_uci_find(s, "b");
	CHECK(o && o->is_list && o->nr_values == 2);
	CHECK_STR(value_at(o, 0), "one");
	CHECK_STR(value_at(o, 1), "two");
	o = fg_uci_find(s, "c");
	CHECK(o && !o->is_list && o->nr_values == 1);
	CHECK_STR(fg_uci_get(s, "c"), "single");
	CHECK(fg_uci_find(s, "d") == NULL); /* '' removes, as in libuci */
	CHECK(fg_uci_find(s, "e") == NULL);
	o = fg_uci_find(s, "f");
	CHECK(o && o->is_list && o->nr_values == 1);
	CHECK_STR(value_at(o, 0), "");
	CHECK_EQ_U(s->nr_opts, 4);
out:
	fg_uci_free(&u);
}

static void test_sections(void)
{
	const char *text =
		"c interface 'wan'\n"
		"\to a 1\n"
		"config interface ''\n"
		"\toption b 2\n"
		"config interface 'wan'\n"
		"\tl c 3\n"
		"config 'interface' \"wan6\"\n"
		"config my-type.x\n";
	struct fg_uci u;

	CHECK(fg_uci_parse(text, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 4);
	if (u.nr_sections != 4)
		goto out;
	/* the second 'wan' continues the first, at its position */
	CHECK_STR(u.sections[0].name, "wan");
	CHECK_EQ_U(u.sections[0].line, 1);
	CHECK_STR(fg_uci_get(&u.sections[0], "a"), "1");
	CHECK(fg_uci_find(&u.sections[0], "c") != NULL);
	CHECK(u.sections[1].name == NULL); /* '' is anonymous */
	CHECK_STR(u.sections[2].name, "wan6");
	CHECK_STR(u.sections[3].type, "my-type.x");
out:
	fg_uci_free(&u);
	check_error("config a 'x'\nconfig b 'x'\n", -EINVAL,
		    "line 2: section 'x' redefined with type 'b'");
}

static void test_crlf_and_multiline(void)
{
	const char *crlf =
		"config t 'x'\r\n"
		"\toption a 'v1'\r\n"
		"\toption b v2\r\n"
		"\r\n"
		"\t# comment\r\n"
		"\toption c \"multi\r\nline\"\r\n"
		"\toption d last\r\n";
	const char *nl =
		"config t x\n"
		"\toption a 'one\n"
		"two'\n"
		"\toption b \"con\\\n"
		"tinued\"\n"
		"\toption c end\n";
	struct fg_uci u;

	CHECK(fg_uci_parse(crlf, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 1);
	if (u.nr_sections == 1) {
		CHECK_STR(fg_uci_get(&u.sections[0], "a"), "v1");
		CHECK_STR(fg_uci_get(&u.sections[0], "b"), "v2");
		CHECK_STR(fg_uci_get(&u.sections[0], "c"), "multi\nline");
		CHECK_EQ_U(fg_uci_find(&u.sections[0], "d")->line, 8);
	}
	fg_uci_free(&u);
	CHECK(fg_uci_parse(nl, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 1);
	if (u.nr_sections == 1) {
		CHECK_STR(fg_uci_get(&u.sections[0], "a"), "one\ntwo");
		CHECK_STR(fg_uci_get(&u.sections[0], "b"), "continued");
		CHECK_EQ_U(fg_uci_find(&u.sections[0], "c")->line, 6);
	}
	fg_uci_free(&u);
	check_error("config t x\r\n\toption a 'v' junk\r\n", -EINVAL,
		    "line 2: unexpected text after the last value");
}

static void test_empty(void)
{
	struct fg_uci u;

	CHECK(fg_uci_parse("", &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 0);
	fg_uci_free(&u);
	CHECK(fg_uci_parse("\n# only\n\n", &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 0);
	fg_uci_free(&u);
	CHECK(fg_uci_parse("config t", &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, 1);
	fg_uci_free(&u);
	CHECK(fg_uci_parse(NULL, &u, err, sizeof(err)) == -EINVAL);
}

static void test_errors(void)
{
	check_error("\noption a b\n", -EINVAL,
		    "line 2: 'option' before any 'config'");
	check_error("# c\n\nlist a b\n", -EINVAL,
		    "line 3: 'list' before any 'config'");
	check_error("config t x\n\toption a 'open\n\toption b c\n", -EINVAL,
		    "line 2: unterminated quote");
	check_error("config t x\n\n\toption a \"open\\\"\n", -EINVAL,
		    "line 3: unterminated quote");
	check_error("config 't\n", -EINVAL, "line 1: unterminated quote");
	check_error("config t x\n\toption a\n", -EINVAL,
		    "line 2: missing value for option 'a'");
	check_error("config t x\n\tlist a # comment\n", -EINVAL,
		    "line 2: missing value for list 'a'");
	check_error("config t x\n\toption\n", -EINVAL,
		    "line 2: missing option name");
	check_error("config\n", -EINVAL, "line 1: missing section type");
	check_error("package\n", -EINVAL, "line 1: missing package name");
	check_error("config t x\n\toptoin a b\n", -EINVAL,
		    "line 2: unknown keyword 'optoin'");
	check_error("config t x\n\tx\n", -EINVAL,
		    "line 2: unknown keyword 'x'");
	check_error("config t x\n\toption a b c\n", -EINVAL,
		    "line 2: unexpected text after the last value");
	check_error("config t x\n\toption a 'b'c d\n", -EINVAL,
		    "line 2: unexpected text after the last value");
	check_error("config t x y\n", -EINVAL,
		    "line 1: unexpected text after the last value");
	check_error("package a b\n", -EINVAL,
		    "line 1: unexpected text after the last value");
	check_error("config t x\n\toption a-b c\n", -EINVAL,
		    "line 2: invalid option name 'a-b'");
	check_error("config t 'bad name'\n", -EINVAL,
		    "line 1: invalid section name 'bad name'");
	check_error("config 'a b'\n", -EINVAL,
		    "line 1: invalid section type 'a b'");
	check_error("config t x\n\tlist 'a\tb' c\n", -EINVAL,
		    "line 2: invalid list name 'a?b'");
	check_error("config t x\n\toption \"a\nb\" c\n", -EINVAL,
		    "line 2: invalid option name 'a?b'");
}

static void test_nul_and_size(void)
{
	static const char nul[] = "config t x\n\toption a b\0c\n";
	struct fg_uci u;
	char *big;

	CHECK(fg_uci_parse_buf(nul, sizeof(nul) - 1, &u, err, sizeof(err)) ==
	      -EINVAL);
	CHECK_STR(err, "line 2: NUL byte");
	big = malloc(FG_UCI_MAX_BYTES + 2);
	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, '\n', FG_UCI_MAX_BYTES + 1);
	big[FG_UCI_MAX_BYTES + 1] = '\0';
	CHECK(fg_uci_parse(big, &u, err, sizeof(err)) == -EFBIG);
	CHECK(strstr(err, "too large") != NULL);
	big[FG_UCI_MAX_BYTES] = '\0'; /* exactly the cap is fine */
	CHECK(fg_uci_parse(big, &u, err, sizeof(err)) == 0);
	fg_uci_free(&u);
	free(big);
}

/* Text of n sections, or of one list with n values. */
static char *repeat(const char *head, const char *item, size_t n)
{
	size_t len = strlen(head), ilen = strlen(item), i;
	char *s = malloc(len + n * ilen + 1);

	if (!s)
		return NULL;
	memcpy(s, head, len);
	for (i = 0; i < n; i++)
		memcpy(s + len + i * ilen, item, ilen);
	s[len + n * ilen] = '\0';
	return s;
}

static void test_limits(void)
{
	char *s = repeat("", "config t\n", FG_UCI_MAX_SECTIONS);
	struct fg_uci u;

	CHECK(s && fg_uci_parse(s, &u, err, sizeof(err)) == 0);
	CHECK_EQ_U(u.nr_sections, FG_UCI_MAX_SECTIONS);
	fg_uci_free(&u);
	free(s);
	s = repeat("", "config t\n", FG_UCI_MAX_SECTIONS + 1);
	CHECK(s && fg_uci_parse(s, &u, err, sizeof(err)) == -E2BIG);
	CHECK_STR(err, "line 4097: too many sections (max 4096)");
	free(s);
	s = repeat("config t x\n", "list l v\n", FG_UCI_MAX_VALUES + 1);
	CHECK(s && fg_uci_parse(s, &u, err, sizeof(err)) == -E2BIG);
	CHECK_STR(err, "line 4098: too many list values (max 4096)");
	free(s);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(text, 1, len, f) == len);
	fclose(f);
}

static void test_load(void)
{
	char dir[] = "/tmp/fg-test-uci.XXXXXX", path[128], big_path[128];
	static const char nul[] = "config t x\0\n";
	struct fg_uci u;
	char *big;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/conf", dir);
	snprintf(big_path, sizeof(big_path), "%s/big", dir);
	CHECK(fg_uci_load(path, &u, err, sizeof(err)) == -ENOENT);
	CHECK(strstr(err, path) == err);
	write_file(path, "config t x\n\toption a b\n", 23);
	CHECK(fg_uci_load(path, &u, err, sizeof(err)) == 0);
	CHECK(u.nr_sections == 1 && !strcmp(fg_uci_get(&u.sections[0], "a"),
					    "b"));
	fg_uci_free(&u);
	write_file(path, "config t x\n\toption a\n", 21);
	CHECK(fg_uci_load(path, &u, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, path) == err);
	CHECK(strstr(err, ": line 2: missing value for option 'a'") != NULL);
	write_file(path, nul, sizeof(nul) - 1);
	CHECK(fg_uci_load(path, &u, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, ": line 1: NUL byte") != NULL);
	big = malloc(FG_UCI_MAX_BYTES + 1);
	if (big) {
		memset(big, '#', FG_UCI_MAX_BYTES + 1);
		write_file(big_path, big, FG_UCI_MAX_BYTES + 1);
		CHECK(fg_uci_load(big_path, &u, err, sizeof(err)) == -EFBIG);
		CHECK(strstr(err, "too large") != NULL);
		free(big);
	}
	CHECK(fg_uci_load(dir, &u, err, sizeof(err)) == -EISDIR);
	unlink(path);
	unlink(big_path);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	RUN(test_basic);
	RUN(test_quoting);
	RUN(test_comments_and_space);
	RUN(test_override_and_lists);
	RUN(test_sections);
	RUN(test_crlf_and_multiline);
	RUN(test_empty);
	RUN(test_errors);
	RUN(test_nul_and_size);
	RUN(test_limits);
	RUN(test_load);
	UNIT_EXIT();
}
