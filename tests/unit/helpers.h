/*
 * helpers: what several unit tests need, in one place. Include after
 * <cmocka.h>: the helpers fail the test (cmocka assertions) on a broken
 * fixture. Static inline, so a test that uses none costs nothing.
 */
#ifndef MBR_TEST_HELPERS_H
#define MBR_TEST_HELPERS_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "record.h"

/* rec (reset first) from s split at '|': "pos|1|张伟" is three fields. */
static inline void th_record(struct record *rec, const char *s)
{
	record_reset(rec);
	for (;;) {
		const char *bar = strchr(s, '|');
		size_t len = bar ? (size_t)(bar - s) : strlen(s);

		record_add(rec, s, len);
		if (!bar)
			break;
		s = bar + 1;
	}
}

/* h (initialised; its old names dropped) from "source|source_id|mobile". */
static inline void th_header(struct header *h, const char *s)
{
	struct record names;

	record_init(&names);
	th_record(&names, s);
	assert_int_equal(header_set(h, &names), 0);
	record_release(&names);
}

/* Write len bytes of text to path. */
static inline void th_write_file(const char *path, const char *text,
				 size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* All of f, from its start, as a heap string the caller frees. */
static inline char *th_slurp(FILE *f)
{
	struct buf b;
	char chunk[4096];
	size_t n;

	buf_init(&b, BUF_NOLIMIT);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	return buf_detach(&b);
}

/* How many entries directory path has, . and .. aside. */
static inline size_t th_dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* Pieces of text at the edges of the fast paths' character classes:
 * printable ASCII, spaces, U+4E00 and U+9FFF and their neighbours, kana,
 * the ideographic space, full-width forms, controls, invisibles, other
 * widths of UTF-8 and broken UTF-8. */
static const char *const th_pieces[] = {
	"a",	    "Z",	    "1",	    "~",	    " ",
	"  ",	    "\t",	    "\n",	    "\x7f",	    "\x01",
	"\xe4\xb8\x80", "\xe9\xbf\xbf", "\xe4\xb7\xbf", "\xea\x80\x80", "中",
	"路",	    "臺",	    "灣",	    "\xe3\x90\x80", "あ",
	"\xe3\x80\x80", "Ａ",	    "\xe2\x80\x8b", "\xc3\xa9",	    "e\xcc\x81",
	"😀",	    "\xed\xa0\x80", "\xff",	    "\xe4\xb8",	    "\xe5",
	"\x80",	    "\xef\xbf\xbd", "\xc2\xa0",	    "-",	    "号",
};

/* A string of 0 to 11 random pieces into b (reset first); *seed moves. */
static inline void th_random_text(struct buf *b, unsigned *seed)
{
	size_t n;

	buf_reset(b);
	*seed = *seed * 1103515245u + 12345u;
	n = (*seed >> 16) % 12;
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		buf_adds(b, th_pieces[(*seed >> 16) % (sizeof(th_pieces) /
						      sizeof(th_pieces[0]))]);
	}
}

#endif
