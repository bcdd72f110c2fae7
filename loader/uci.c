// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uci.c - a small reader for OpenWrt UCI config files. See uci.h for the
 * accepted syntax.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uci.h"

/* A growing string. */
struct uci_str {
	char *s;
	size_t len;
	size_t cap;
};

struct uci_parser {
	const char *p;
	const char *end;
	int line;
	struct fg_uci *u;
	long cur; /* index of the current section, -1 before any */
	struct uci_str w[3]; /* keyword and up to two arguments */
	char *err;
	size_t errlen;
};

static int perr(struct uci_parser *ps, int line, int ret, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static int perr(struct uci_parser *ps, int line, int ret, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i]; i++) /* one line: no control characters */
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	snprintf(ps->err, ps->errlen, "line %d: %s", line, msg);
	return ret;
}

static int str_add(struct uci_str *b, char c)
{
	if (b->len + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *s = realloc(b->s, cap);

		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

/* Empty b, keeping (or making) its buffer: b->s is never NULL after. */
static int str_reset(struct uci_str *b)
{
	b->len = 0;
	if (!b->s) {
		b->s = malloc(32);
		if (!b->s)
			return -ENOMEM;
		b->cap = 32;
	}
	b->s[0] = '\0';
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void skip_blanks(struct uci_parser *ps)
{
	while (ps->p < ps->end && is_blank(*ps->p))
		ps->p++;
}

/* Length of the newline at p: 1 for LF, 2 for CRLF, 0 if none. */
static size_t newline_len(const struct uci_parser *ps)
{
	size_t left = (size_t)(ps->end - ps->p);

	if (left >= 1 && ps->p[0] == '\n')
		return 1;
	if (left >= 2 && ps->p[0] == '\r' && ps->p[1] == '\n')
		return 2;
	return 0;
}

/* At a backslash: backslash-newline is dropped (the line continues), any
 * other character is taken literally. */
static int lex_escape(struct uci_parser *ps, struct uci_str *b)
{
	size_t nl;

	ps->p++;
	if (ps->p == ps->end)
		return 0;
	nl = newline_len(ps);
	if (nl) {
		ps->p += nl;
		ps->line++;
		return 0;
	}
	return str_add(b, *ps->p++);
}

/* At an opening quote q; backslash escapes only inside double quotes. */
static int lex_quoted(struct uci_parser *ps, struct uci_str *b, char q)
{
	int start = ps->line;
	int ret;

	ps->p++;
	while (ps->p < ps->end && *ps->p != q) {
		size_t nl = newline_len(ps);

		if (nl) {
			ps->p += nl;
			ps->line++;
			ret = str_add(b, '\n');
		} else if (q == '"' && *ps->p == '\\') {
			ret = lex_escape(ps, b);
		} else {
			ret = str_add(b, *ps->p++);
		}
		if (ret)
			return ret;
	}
	if (ps->p == ps->end)
		return perr(ps, start, -EINVAL, "unterminated quote");
	ps->p++;
	return 0;
}

/* The next word into b; *found is 0 at the end of the statement. */
static int lex_word(struct uci_parser *ps, struct uci_str *b, int *found)
{
	int ret = str_reset(b);

	if (ret)
		return ret;
	skip_blanks(ps);
	*found = ps->p < ps->end && *ps->p != '\n' && *ps->p != '#';
	while (!ret && ps->p < ps->end) {
		char c = *ps->p;

		if (is_blank(c) || c == '\n' || c == '#')
			break;
		if (c == '\'' || c == '"')
			ret = lex_quoted(ps, b, c);
		else if (c == '\\')
			ret = lex_escape(ps, b);
		else
			ret = str_add(b, *ps->p++);
	}
	return ret;
}

/* End of statement: blanks, an optional comment, a newline or the end. */
static int lex_eol(struct uci_parser *ps)
{
	skip_blanks(ps);
	if (ps->p < ps->end && *ps->p == '#')
		while (ps->p < ps->end && *ps->p != '\n')
			ps->p++;
	if (ps->p == ps->end)
		return 0;
	if (*ps->p != '\n')
		return perr(ps, ps->line, -EINVAL,
			    "unexpected text after the last value");
	ps->p++;
	ps->line++;
	return 0;
}

/* Section and option names: letters, digits and '_' (libuci's rule). */
static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* Section types and package names: printable ASCII without space. */
static int valid_type(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < 33 || *s > 126)
			return 0;
	return 1;
}

/* Make room for element n + 1 of an array of n: capacities 4, 8, 16... */
static int grow(void *arr, size_t n, size_t size, void **out)
{
	*out = arr;
	if (n && (n < 4 || (n & (n - 1))))
		return 0;
	*out = realloc(arr, (n ? 2 * n : 4) * size);
	return *out ? 0 : -ENOMEM;
}

static void opt_clear(struct fg_uci_option *o)
{
	size_t i;

	for (i = 0; i < o->nr_values; i++)
		free(o->values[i]);
	free(o->values);
	o->values = NULL;
	o->nr_values = 0;
}

static void section_clear(struct fg_uci_section *s)
{
	size_t i;

	for (i = 0; i < s->nr_opts; i++) {
		opt_clear(&s->opts[i]);
		free(s->opts[i].name);
	}
	free(s->opts);
	free(s->type);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

static struct fg_uci_option *opt_lookup(struct fg_uci_section *s,
					const char *name)
{
	size_t i;

	for (i = 0; i < s->nr_opts; i++)
		if (!strcmp(s->opts[i].name, name))
			return &s->opts[i];
	return NULL;
}

static void opt_remove(struct fg_uci_section *s, struct fg_uci_option *o)
{
	size_t i = (size_t)(o - s->opts);

	opt_clear(o);
	free(o->name);
	memmove(o, o + 1, (s->nr_opts - i - 1) * sizeof(*o));
	s->nr_opts--;
}

static int opt_new(struct uci_parser *ps, int line, struct fg_uci_section *s,
		   const char *name, struct fg_uci_option **out)
{
	struct fg_uci_option *o;
	void *p;

	if (s->nr_opts >= FG_UCI_MAX_OPTIONS)
		return perr(ps, line, -E2BIG, "too many options (max %d)",
			    FG_UCI_MAX_OPTIONS);
	if (grow(s->opts, s->nr_opts, sizeof(*s->opts), &p))
		return -ENOMEM;
	s->opts = p;
	o = &s->opts[s->nr_opts];
	memset(o, 0, sizeof(*o));
	o->name = strdup(name);
	if (!o->name)
		return -ENOMEM;
	s->nr_opts++;
	*out = o;
	return 0;
}

static int opt_push(struct uci_parser *ps, int line, struct fg_uci_option *o,
		    const char *value)
{
	char *v;
	void *p;

	if (o->nr_values >= FG_UCI_MAX_VALUES)
		return perr(ps, line, -E2BIG, "too many list values (max %d)",
			    FG_UCI_MAX_VALUES);
	if (grow(o->values, o->nr_values, sizeof(*o->values), &p))
		return -ENOMEM;
	o->values = p;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	o->values[o->nr_values++] = v;
	o->line = line;
	return 0;
}

/* `option name value`: replace; an empty value removes the option. */
static int set_option(struct uci_parser *ps, int line, const char *name,
		      const char *value)
{
	struct fg_uci_section *s = &ps->u->sections[ps->cur];
	struct fg_uci_option *o = opt_lookup(s, name);

	if (!*value) {
		if (o)
			opt_remove(s, o);
		return 0;
	}
	if (o) {
		opt_clear(o);
	} else {
		int ret = opt_new(ps, line, s, name, &o);

		if (ret)
			return ret;
	}
	o->is_list = 0;
	return opt_push(ps, line, o, value);
}

/* `list name value`: append; an earlier `option name` becomes the first. */
static int add_list(struct uci_parser *ps, int line, const char *name,
		    const char *value)
{
	struct fg_uci_section *s = &ps->u->sections[ps->cur];
	struct fg_uci_option *o = opt_lookup(s, name);

	if (!o) {
		int ret = opt_new(ps, line, s, name, &o);

		if (ret)
			return ret;
	}
	o->is_list = 1;
	return opt_push(ps, line, o, value);
}

static long section_index(const struct fg_uci *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->nr_sections; i++)
		if (u->sections[i].name && !strcmp(u->sections[i].name, name))
			return (long)i;
	return -1;
}

/* Open a new section, or continue a named one like libuci does. */
static int open_section(struct uci_parser *ps, int line, const char *type,
			const char *name)
{
	struct fg_uci *u = ps->u;
	struct fg_uci_section *s;
	long idx = name ? section_index(u, name) : -1;
	void *p;

	if (idx >= 0 && strcmp(u->sections[idx].type, type))
		return perr(ps, line, -EINVAL,
			    "section '%.40s' redefined with type '%.40s'",
			    name, type);
	if (idx >= 0) {
		ps->cur = idx;
		return 0;
	}
	if (u->nr_sections >= FG_UCI_MAX_SECTIONS)
		return perr(ps, line, -E2BIG, "too many sections (max %d)",
			    FG_UCI_MAX_SECTIONS);
	if (grow(u->sections, u->nr_sections, sizeof(*u->sections), &p))
		return -ENOMEM;
	u->sections = p;
	s = &u->sections[u->nr_sections];
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->type = strdup(type);
	s->name = name ? strdup(name) : NULL;
	if (!s->type || (name && !s->name)) {
		section_clear(s);
		return -ENOMEM;
	}
	ps->cur = (long)u->nr_sections++;
	return 0;
}

/* `package NAME`: checked and ignored. */
static int stmt_package(struct uci_parser *ps, int line)
{
	int found;
	int ret = lex_word(ps, &ps->w[1], &found);

	if (ret)
		return ret;
	if (!found)
		return perr(ps, line, -EINVAL, "missing package name");
	if (!valid_type(ps->w[1].s))
		return perr(ps, line, -EINVAL, "invalid package name '%.40s'",
			    ps->w[1].s);
	return lex_eol(ps);
}

/* `config TYPE [NAME]`; an empty NAME is anonymous, as in libuci. */
static int stmt_config(struct uci_parser *ps, int line)
{
	const char *type, *name;
	int found, ret;

	ret = lex_word(ps, &ps->w[1], &found);
	if (ret)
		return ret;
	type = ps->w[1].s;
	if (!found)
		return perr(ps, line, -EINVAL, "missing section type");
	if (!valid_type(type))
		return perr(ps, line, -EINVAL, "invalid section type '%.40s'",
			    type);
	ret = lex_word(ps, &ps->w[2], &found);
	if (ret)
		return ret;
	name = found && *ps->w[2].s ? ps->w[2].s : NULL;
	if (name && !valid_name(name))
		return perr(ps, line, -EINVAL, "invalid section name '%.40s'",
			    name);
	ret = lex_eol(ps);
	return ret ? ret : open_section(ps, line, type, name);
}

/* `option NAME VALUE` and `list NAME VALUE`. */
static int stmt_option(struct uci_parser *ps, int line, int is_list)
{
	const char *kw = is_list ? "list" : "option";
	const char *name;
	int found, ret;

	if (ps->cur < 0)
		return perr(ps, line, -EINVAL, "'%s' before any 'config'", kw);
	ret = lex_word(ps, &ps->w[1], &found);
	if (ret)
		return ret;
	name = ps->w[1].s;
	if (!found)
		return perr(ps, line, -EINVAL, "missing %s name", kw);
	if (!valid_name(name))
		return perr(ps, line, -EINVAL, "invalid %s name '%.40s'", kw,
			    name);
	ret = lex_word(ps, &ps->w[2], &found);
	if (ret)
		return ret;
	if (!found)
		return perr(ps, line, -EINVAL, "missing value for %s '%.40s'",
			    kw, name);
	ret = lex_eol(ps);
	if (ret)
		return ret;
	if (is_list)
		return add_list(ps, line, name, ps->w[2].s);
	return set_option(ps, line, name, ps->w[2].s);
}

static int keyword_is(const char *kw, const char *full)
{
	return (kw[0] == full[0] && !kw[1]) || !strcmp(kw, full);
}

static int parse_stmt(struct uci_parser *ps)
{
	int line = ps->line;
	const char *kw;
	int found;
	int ret = lex_word(ps, &ps->w[0], &found);

	if (ret)
		return ret;
	if (!found)
		return lex_eol(ps);
	kw = ps->w[0].s;
	if (keyword_is(kw, "config"))
		return stmt_config(ps, line);
	if (keyword_is(kw, "option"))
		return stmt_option(ps, line, 0);
	if (keyword_is(kw, "list"))
		return stmt_option(ps, line, 1);
	if (keyword_is(kw, "package"))
		return stmt_package(ps, line);
	return perr(ps, line, -EINVAL, "unknown keyword '%.40s'",
		    kw);
}

static int line_of(const char *text, const char *at)
{
	int line = 1;

	for (; text < at; text++)
		line += *text == '\n';
	return line;
}

int fg_uci_parse_buf(const char *text, size_t len, struct fg_uci *out,
		     char *err, size_t errlen)
{
	struct uci_parser ps = {
		.p = text, .end = text + len, .line = 1, .u = out, .cur = -1,
		.err = err, .errlen = errlen,
	};
	const char *nul;
	int ret = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len > FG_UCI_MAX_BYTES) {
		snprintf(err, errlen, "too large: %zu bytes (max %d)", len,
			 FG_UCI_MAX_BYTES);
		return -EFBIG;
	}
	nul = memchr(text, '\0', len);
	if (nul)
		return perr(&ps, line_of(text, nul), -EINVAL, "NUL byte");
	while (!ret && ps.p < ps.end)
		ret = parse_stmt(&ps);
	for (i = 0; i < 3; i++)
		free(ps.w[i].s);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "line %d: out of memory", ps.line);
	if (ret)
		fg_uci_free(out);
	return ret;
}

int fg_uci_parse(const char *text, struct fg_uci *out, char *err,
		 size_t errlen)
{
	if (!text) {
		memset(out, 0, sizeof(*out));
		snprintf(err, errlen, "no text");
		return -EINVAL;
	}
	return fg_uci_parse_buf(text, strlen(text), out, err, errlen);
}

/* Read all of fd, at most max + 1 bytes so that "too large" shows. */
static int read_all(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL, *nb;
	ssize_t r = 1;
	int ret = 0;

	while (r > 0 && n <= max) {
		if (n == cap) {
			nb = realloc(b, cap ? cap * 2 : 4096);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
			cap = cap ? cap * 2 : 4096;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			r = 1;
		else if (r < 0)
			ret = -errno;
		else
			n += (size_t)r;
	}
	if (ret) {
		free(b);
		return ret;
	}
	*buf = b;
	*len = n;
	return 0;
}

int fg_uci_load(const char *path, struct fg_uci *out, char *err,
		size_t errlen)
{
	char msg[256];
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = read_all(fd, FG_UCI_MAX_BYTES, &buf, &len);
	close(fd);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = fg_uci_parse_buf(buf, len, out, msg, sizeof(msg));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, msg);
	free(buf);
	return ret;
}

void fg_uci_free(struct fg_uci *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->nr_sections; i++)
		section_clear(&u->sections[i]);
	free(u->sections);
	u->sections = NULL;
	u->nr_sections = 0;
}

const struct fg_uci_option *fg_uci_find(const struct fg_uci_section *s,
					const char *opt)
{
	size_t i;

	for (i = 0; i < s->nr_opts; i++)
		if (!strcmp(s->opts[i].name, opt))
			return &s->opts[i];
	return NULL;
}

const char *fg_uci_get(const struct fg_uci_section *s, const char *opt)
{
	const struct fg_uci_option *o = fg_uci_find(s, opt);

	if (!o || o->is_list || !o->nr_values)
		return NULL;
	return o->values[o->nr_values - 1];
}

const struct fg_uci_section *fg_uci_section(const struct fg_uci *u,
					    const char *name)
{
	long idx = section_index(u, name);

	return idx < 0 ? NULL : &u->sections[idx];
}
