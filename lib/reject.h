/*
 * reject: the rejects file, and the count that proves nothing was lost.
 *
 * A rejects file is CSV with the tool's input columns, then `raw` and
 * `source_line` (unless the input already has them), then `reject_tool,
 * reject_field, reject_reason`. A row that could not be parsed keeps
 * `source`, `source_id` (when its key column could be read), `source_row`,
 * `source_line` and its bytes in `raw`. source_line is the physical line
 * where the row starts in the file the tool read (mbr-import: the source
 * export), for editors; source_row counts records. Every tool that
 * filters keeps in = out + rejected.
 */
#ifndef MBR_REJECT_H
#define MBR_REJECT_H

#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "record.h"

struct reject_file;  /* opaque */
struct csvio_reader; /* csvio.h */

/* Where a rejected row comes from. */
struct reject_at {
	struct strview source;	  /* [source] name, or the file read */
	struct strview source_id; /* its key, or empty when unknown */
	struct strview row;	  /* source_row: record number, from 1 */
	unsigned long line;	  /* source_line, or 0 when unknown */
	char num[24];		  /* room for row's digits */
};

/* Fill at for the row r just returned as CSVIO_BAD. source, source_id and
 * source_row are the row's own columns where they can be read (columns
 * source_col, key_col, row_col of the row; -1 when it has none), else
 * source is dflt_source and source_row the record number in the file. */
void reject_at_bad_row(struct reject_at *at, const struct csvio_reader *r,
		       struct strview dflt_source, int source_col, int key_col,
		       int row_col);

/* Start a rejects file on out (already opened, e.g. by cli_open_aux), for
 * records with header h (copied). The header row is written at once. */
struct reject_file *reject_new(FILE *out, const struct header *h,
			       const char *tool);
/* A record rejected for one or more reasons: field and reason are
 * "mobile;email" and "invalid;no dot in domain" style lists. line is its
 * source_line when the tool knows it (0: the record's own source_line
 * column, if it has one). */
void reject_record(struct reject_file *rf, const struct record *rec,
		   unsigned long line, const char *field, const char *reason);
/* A row that could not be parsed: where it comes from, its bytes. */
void reject_raw(struct reject_file *rf, const struct reject_at *at,
		struct strview raw, const char *reason);
/* Flush; -1 with err (MBR_EIO) on a write error. */
int reject_flush(struct reject_file *rf, struct mbr_err *err);
void reject_free(struct reject_file *rf); /* NULL is fine; out stays open */

#endif
