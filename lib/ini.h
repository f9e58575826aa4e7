/*
 * ini: the INI-like reader every user file goes through (mappings, rules,
 * match rules, survivorship, models).
 *
 * Syntax: `[section]` lines, `key = value` lines, blank lines, comments from
 * `#` to the end of the line when the `#` starts the line or follows white
 * space outside quotes. Keys and values are trimmed; a value may be quoted
 * ("..." with \" and \\ escapes) to keep spaces or a `#`. Keys may be any
 * UTF-8 text without `=` (Chinese column names included). The file must be
 * valid UTF-8 (a UTF-8 BOM is skipped). Any mistake is reported as
 * "FILE:LINE: what was found, what was expected" with MBR_ECONFIG.
 *
 * The helpers at the end split a value into a pipeline (`a | b(c) | d`)
 * and a call (`name(arg, "quoted, arg", ...)`), for mapper and rule syntax.
 */
#ifndef MBR_INI_H
#define MBR_INI_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct ini_entry {
	const char *section; /* owned by the ini; "" before any [section] */
	const char *key;     /* owned by the ini */
	const char *value;   /* owned by the ini; quotes kept (see below) */
	unsigned line;	     /* 1-based line in the file */
};

struct ini {
	char *path;	     /* owned copy of the file name, for messages */
	struct ini_entry *e; /* owned: entries in file order */
	size_t n, cap;
	char **sections;	 /* owned: every [section] seen, in order */
	unsigned *section_lines; /* owned: line of each section */
	size_t n_sections, cap_sections;
};

/* Read and parse path. On error err names path and line. */
int ini_load(struct ini *ini, const char *path, struct mbr_err *err);
/* Parse text already in memory; name is used in messages. */
int ini_parse(struct ini *ini, const char *name, const char *text, size_t len,
	      struct mbr_err *err);
void ini_release(struct ini *ini); /* zeroed or released is fine */

/* First entry with this section and key, or NULL. */
const struct ini_entry *ini_get(const struct ini *ini, const char *section,
				const char *key);
/* Fill err with "PATH:LINE: message" (MBR_ECONFIG) and return -1. */
int ini_fail(const struct ini *ini, unsigned line, struct mbr_err *err,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Values. In an ini value, a part in double quotes is a literal: `"POS"`,
 * `concat(family, " ", given)`. ini_unquote returns the literal text.
 */
#define INI_MAX_ARGS 64

/* Split v at top-level sep characters (not inside quotes or parentheses),
 * each part trimmed. Returns the number of parts (<= max), or -1 when
 * there are more than max parts or a quote or parenthesis is unbalanced
 * (err says which, without the file prefix: add it with ini_fail). */
int ini_split(struct strview v, char sep, struct strview *parts, size_t max,
	      struct mbr_err *err);

struct ini_call {
	struct strview name; /* "map" in map(a=b); the whole text if no () */
	struct strview args[INI_MAX_ARGS]; /* trimmed, quotes kept */
	size_t n_args;
	int has_parens; /* 1 when written name(...) */
};

/* Parse `name` or `name(arg, arg, ...)`. -1 with err on bad syntax. */
int ini_parse_call(struct strview v, struct ini_call *call,
		   struct mbr_err *err);
/* 1 when v is a quoted literal ("..."). */
int ini_is_quoted(struct strview v);
/* Append v to out with quotes and escapes removed (or as is if unquoted). */
int ini_unquote(struct strview v, struct buf *out);

#endif
