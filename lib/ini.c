/*
 * ini: line-oriented reader for mbr's user files, and value splitting.
 */
#include "ini.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "utf8.h"

/* A user file is small; anything larger is a mistake (wrong file). */
#define INI_MAX_FILE ((size_t)16 << 20)

int ini_fail(const struct ini *ini, unsigned line, struct mbr_err *err,
	     const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mbr_fail(err, MBR_ECONFIG, "%s:%u: %s",
			ini->path ? ini->path : "?", line, msg);
}

void ini_release(struct ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		free((char *)ini->e[i].key);
		free((char *)ini->e[i].value);
	}
	for (size_t i = 0; i < ini->n_sections; i++)
		free(ini->sections[i]);
	free(ini->sections);
	free(ini->section_lines);
	free(ini->e);
	free(ini->path);
	memset(ini, 0, sizeof(*ini));
}

/* Where a comment starts in line, or line.len: a `#` at the start or after
 * white space, outside double quotes. */
static size_t comment_at(struct strview line)
{
	int quoted = 0;

	for (size_t i = 0; i < line.len; i++) {
		char c = line.p[i];

		if (quoted && c == '\\' && i + 1 < line.len) {
			i++;
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == '#' &&
			 (i == 0 || line.p[i - 1] == ' ' ||
			  line.p[i - 1] == '\t'))
			return i;
	}
	return line.len;
}

/* The new size of an array of n full ones: doubled, so that a file of a
 * million entries costs no more than twice the copying of its last size
 * (growing by one was quadratic where realloc cannot extend in place). */
static size_t grown(size_t n)
{
	return n ? 2 * n : 64;
}

static void add_section(struct ini *ini, struct strview name, unsigned line)
{
	if (ini->n_sections == ini->cap_sections) {
		ini->cap_sections = grown(ini->cap_sections);
		ini->sections = xrealloc(ini->sections,
					 ini->cap_sections * sizeof(char *));
		ini->section_lines =
			xrealloc(ini->section_lines,
				 ini->cap_sections * sizeof(unsigned));
	}
	ini->sections[ini->n_sections] = sv_dup(name);
	ini->section_lines[ini->n_sections] = line;
	ini->n_sections++;
}

static int parse_line(struct ini *ini, struct strview line, unsigned no,
		      struct mbr_err *err)
{
	const char *eq;
	struct strview key, val;
	struct ini_entry *e;

	line.len = comment_at(line);
	line = sv_trim(line);
	if (line.len == 0)
		return 0;
	if (line.p[0] == '[') {
		if (line.p[line.len - 1] != ']')
			return ini_fail(
				ini, no, err,
				"section header without ']' (expected [name])");
		key = sv_trim(svn(line.p + 1, line.len - 2));
		if (key.len == 0)
			return ini_fail(ini, no, err, "empty section name");
		add_section(ini, key, no);
		return 0;
	}
	eq = memchr(line.p, '=', line.len);
	if (!eq)
		return ini_fail(ini, no, err,
				"'%.*s' has no '=' (expected key = value)",
				(int)(line.len > 60 ? 60 : line.len), line.p);
	key = sv_trim(svn(line.p, (size_t)(eq - line.p)));
	val = sv_trim(svn(eq + 1, line.len - (size_t)(eq - line.p) - 1));
	if (key.len == 0)
		return ini_fail(ini, no, err,
				"empty key before '=' (expected key = value)");
	if (ini->n == ini->cap) {
		ini->cap = grown(ini->cap);
		ini->e = xrealloc(ini->e, ini->cap * sizeof(*ini->e));
	}
	e = &ini->e[ini->n++];
	e->section = ini->n_sections ? ini->sections[ini->n_sections - 1] : "";
	e->key = sv_dup(key);
	e->value = sv_dup(val);
	e->line = no;
	return 0;
}

int ini_parse(struct ini *ini, const char *name, const char *text, size_t len,
	      struct mbr_err *err)
{
	size_t i = 0, bad;
	unsigned no = 0;

	memset(ini, 0, sizeof(*ini));
	ini->path = xstrdup(name);
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct strview line = svn(text + i, end - i);

		no++;
		if (memchr(line.p, '\0', line.len)) {
			ini_fail(ini, no, err,
				 "NUL byte (expected a text file)");
			goto fail;
		}
		bad = utf8_check(line.p, line.len);
		if (bad < line.len) {
			ini_fail(ini, no, err,
				 "invalid UTF-8 byte 0x%02X at column %zu "
				 "(save the file as UTF-8)",
				 (unsigned char)line.p[bad], bad + 1);
			goto fail;
		}
		if (parse_line(ini, line, no, err) < 0)
			goto fail;
		i = end + 1;
	}
	return 0;
fail:
	ini_release(ini);
	return -1;
}

int ini_load(struct ini *ini, const char *path, struct mbr_err *err)
{
	char found[4096];
	FILE *f;

	path = datafile_config(path, found, sizeof(found));
	f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;
	int rc;

	memset(ini, 0, sizeof(*ini));
	if (!f)
		return mbr_fail(err, MBR_ECONFIG, "cannot open '%s': %s", path,
				strerror(errno));
	buf_init(&b, INI_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(&b, chunk, n) < 0) {
			fclose(f);
			buf_release(&b);
			return mbr_fail(err, MBR_ECONFIG,
					"'%s' is larger than 16 MB: not a "
					"mapping or rules file",
					path);
		}
	}
	if (ferror(f)) {
		rc = mbr_fail(err, MBR_ECONFIG, "cannot read '%s': %s", path,
			      strerror(errno));
		fclose(f);
		buf_release(&b);
		return rc;
	}
	fclose(f);
	rc = ini_parse(ini, path, b.p, b.len, err);
	buf_release(&b);
	return rc;
}

const struct ini_entry *ini_get(const struct ini *ini, const char *section,
				const char *key)
{
	for (size_t i = 0; i < ini->n; i++)
		if (!strcmp(ini->e[i].section, section) &&
		    !strcmp(ini->e[i].key, key))
			return &ini->e[i];
	return NULL;
}

int ini_split(struct strview v, char sep, struct strview *parts, size_t max,
	      struct mbr_err *err)
{
	size_t start = 0, n = 0;
	int depth = 0, quoted = 0;

	for (size_t i = 0; i <= v.len; i++) {
		char c = i < v.len ? v.p[i] : sep;

		if (quoted) {
			if (c == '\\' && i + 1 < v.len)
				i++;
			else if (c == '"')
				quoted = 0;
			if (i == v.len)
				break;
			continue;
		}
		if (c == '"' && i < v.len) {
			quoted = 1;
		} else if (c == '(' && i < v.len) {
			depth++;
		} else if (c == ')' && i < v.len) {
			if (--depth < 0)
				return mbr_fail(err, MBR_ECONFIG,
						"unbalanced ')' in '%.*s'",
						(int)v.len, v.p);
		} else if (c == sep && depth == 0) {
			if (n == max)
				return mbr_fail(err, MBR_ECONFIG,
						"more than %zu parts in '%.*s'",
						max, (int)v.len, v.p);
			parts[n++] = sv_trim(svn(v.p + start, i - start));
			start = i + 1;
		}
	}
	if (quoted)
		return mbr_fail(err, MBR_ECONFIG, "unterminated '\"' in '%.*s'",
				(int)v.len, v.p);
	if (depth)
		return mbr_fail(err, MBR_ECONFIG, "missing ')' in '%.*s'",
				(int)v.len, v.p);
	return (int)n;
}

int ini_parse_call(struct strview v, struct ini_call *call, struct mbr_err *err)
{
	const char *open;
	int n;

	memset(call, 0, sizeof(*call));
	v = sv_trim(v);
	open = ini_is_quoted(v) ? NULL : memchr(v.p, '(', v.len);
	if (!open) {
		call->name = v;
		return 0;
	}
	if (v.p[v.len - 1] != ')')
		return mbr_fail(err, MBR_ECONFIG,
				"'%.*s' has text after ')' or no ')'",
				(int)v.len, v.p);
	call->name = sv_trim(svn(v.p, (size_t)(open - v.p)));
	call->has_parens = 1;
	v = svn(open + 1, v.len - (size_t)(open - v.p) - 2);
	if (sv_trim(v).len == 0)
		return 0;
	n = ini_split(v, ',', call->args, INI_MAX_ARGS, err);
	if (n < 0)
		return -1;
	call->n_args = (size_t)n;
	return 0;
}

int ini_is_quoted(struct strview v)
{
	return v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"';
}

int ini_unquote(struct strview v, struct buf *out)
{
	if (!ini_is_quoted(v))
		return buf_addsv(out, v);
	for (size_t i = 1; i + 1 < v.len; i++) {
		char c = v.p[i];

		if (c == '\\' && i + 2 < v.len) {
			c = v.p[++i];
			if (c == 't')
				c = '\t';
			else if (c == 'n')
				c = '\n';
		}
		if (buf_addc(out, c) < 0)
			return -1;
	}
	return 0;
}
