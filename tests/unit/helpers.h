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

#endif
