/*
 * csvio: the record stream on libcsv.
 *
 * The reader decodes its input to UTF-8 first (lib/encoding.h), then splits
 * rows and fields, in constant memory whatever the file size. Rows it cannot
 * use (a broken quote, a wrong field count, bytes invalid for the encoding,
 * a NUL, a field past RECORD_MAX_BYTES) are handed back as "bad rows" with
 * a reason and their bytes, so the tool can reject them and go on; with
 * CSVIO_STRICT such a row ends the run instead (MBR_EIO).
 *
 * Quotes are read as forgiving RFC 4180 readers (Python's csv module,
 * Excel) read them: a quote opens a quoted field only at the start of a
 * field; a quote inside an unquoted field is a literal character (the row
 * loads, and csvio_row_note says so). A quoted field holding line breaks
 * makes one row of several lines: when its field count is wrong, the
 * whole row is one bad row. A broken quote (one that never closes, or
 * whose closing quote is followed by text) swallows the lines after it:
 * then only its first line is a bad row and the lines after it are read
 * again as rows of their own.
 *
 * Several files can be read as one stream: each must start with the same
 * header. Only csvio.c includes <csv.h>.
 */
#ifndef MBR_CSVIO_H
#define MBR_CSVIO_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "record.h"

struct csvio_reader; /* opaque: libcsv stays inside csvio.c */
struct csvio_writer;

enum csvio_flags {
	CSVIO_STRICT = 1 << 0,	   /* a bad row is an error, not a reject */
	CSVIO_NO_HEADER = 1 << 1,  /* the first row is data; columns 1..n */
	CSVIO_FIXED_COLS = 1 << 2, /* every row must have the header's count */
	CSVIO_SOURCE = 1 << 3,	   /* a source export, not canonical records:
				      no warning for "Mobile" read as mobile */
};

struct csvio_opts {
	const char *encoding; /* iconv name or "auto"; NULL = UTF-8 */
	char delim;	      /* field separator; 0 = ',' */
	enum csvio_flags flags;
};

#define CSVIO_OPTS_INIT                     \
	{                                   \
		NULL, ',', CSVIO_FIXED_COLS \
	}

/* Open a reader on files paths[0..n) ("-" is standard input; n == 0 also
 * means standard input) and read the header. NULL on error. A column that
 * names a canonical field in another case ("Mobile") is that field, with
 * a warning (mbr_warn) unless CSVIO_SOURCE. */
struct csvio_reader *csvio_open(const char *const *paths, size_t n,
				const struct csvio_opts *opts,
				struct mbr_err *err);
/* The header of the stream (from the first file). */
const struct header *csvio_header(const struct csvio_reader *r);

enum csvio_status {
	CSVIO_ERROR = -1, /* err filled: I/O error, or a bad row under STRICT */
	CSVIO_EOF = 0,
	CSVIO_ROW = 1, /* rec holds the next good record */
	CSVIO_BAD = 2, /* a bad row: see csvio_bad_* until the next read */
};

/* Read the next row into rec (reset first). rec->row is the 1-based record
 * number within its file, rec->line the line it starts on. */
enum csvio_status csvio_read(struct csvio_reader *r, struct record *rec,
			     struct mbr_err *err);
/* For the row just returned as CSVIO_BAD: why (naming the byte offset of
 * an invalid byte), its decoded bytes without the line end (an invalid
 * byte shows as U+FFFD), and its record number. */
const char *csvio_bad_reason(const struct csvio_reader *r);
struct strview csvio_bad_raw(const struct csvio_reader *r);
unsigned long csvio_bad_row(const struct csvio_reader *r);
/* The physical line (1-based, within its file) where that row starts. */
unsigned long csvio_bad_line(const struct csvio_reader *r);
/* Column col (0-based) of that row, when the row was split far enough to
 * tell it (before a broken quote, within the fields it has) and the value
 * holds no undecodable byte. */
bool csvio_bad_field(const struct csvio_reader *r, size_t col,
		     struct strview *v);
/* About the row just returned as CSVIO_ROW: a quote read as a literal
 * character ("quote inside unquoted field 2 ...") and the 0-based column
 * it is in, or "" when nothing is to be said. Valid until the next read. */
const char *csvio_row_note(const struct csvio_reader *r, size_t *col);
/* Name of the file being read ("-" shown as "<stdin>"), and bytes read so
 * far and in total (0 when unknown), for the progress line. */
const char *csvio_name(const struct csvio_reader *r);
void csvio_progress(const struct csvio_reader *r, unsigned long long *done,
		    unsigned long long *total);
void csvio_close(struct csvio_reader *r); /* NULL is fine */

/* A writer of RFC 4180 CSV (or TSV with delim '\t') with \n line ends.
 * Fields are quoted only when they need it. Writes are buffered; errors
 * surface at csvio_writer_flush. */
struct csvio_writer *csvio_writer_new(FILE *out, char delim);

/* Make the pipe on fd hold a megabyte, not 64 KB, so that the tools of a
 * pipeline each run longer before one waits for the other (a piped
 * pipeline's wall time fell from 4.2 to 2.3 s at 1M rows). Standard input
 * and output are grown by csvio and cli; on anything but a pipe, or past
 * the user's pipe limit, nothing changes. Linux only. */
void csvio_pipe_grow(int fd);
void csvio_write_fields(struct csvio_writer *w, const struct strview *f,
			size_t n);
void csvio_write(struct csvio_writer *w, const struct record *rec);
void csvio_write_header(struct csvio_writer *w, const struct header *h);
/* Flush to the FILE. -1 with err (MBR_EIO) on a write error. */
int csvio_writer_flush(struct csvio_writer *w, struct mbr_err *err);
void csvio_writer_free(struct csvio_writer *w); /* does not close out */

/* Append v to out as one CSV field (quoted when it needs it). */
int csvio_quote(struct buf *out, struct strview v, char delim);

#endif
