/*
 * mapping: mapping files: parse, check, bind to a header, apply.
 *
 * A source mapping ([source] + [fields]) turns a row of a source export
 * into a canonical record; a target mapping ([target] + [fields]) turns a
 * canonical record into a row for a target system. A field is
 *
 *	output = expression | mapper | mapper ...
 *
 * where the expression is a column name, a "quoted constant",
 * concat(part, part, ...) of those, or concat_ws("sep", part, ...) (the
 * parts that are not empty, joined by sep), and the mappers are trim,
 * upper, lower, int, map(a=b, ..., *=default), date(format, ...),
 * default(v), null (NA, NULL, -, ... become empty) and null(w, ...) (the
 * words given do). A source mapping's [extra] section keeps columns the
 * canon does not have (occupation = 职业 | trim), after the canonical
 * ones.
 * A mapper that cannot convert a value keeps it as it was and reports
 * "field:problem" in the issues buffer: import never drops data.
 *
 * Every mistake in the file is an MBR_ECONFIG error naming file and line.
 */
#ifndef MBR_MAPPING_H
#define MBR_MAPPING_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"
#include "mappers/date.h"
#include "record.h"

struct mapping; /* opaque */

enum mapping_kind { MAPPING_SOURCE, MAPPING_TARGET };

struct mapping_info {
	enum mapping_kind kind;
	const char *path;	    /* the file, for messages */
	const char *name;	    /* [source] name: becomes `source` */
	const char *encoding;	    /* "auto", "GB18030", ...; default UTF-8 */
	char delim;		    /* ',' or '\t' ... */
	bool header;		    /* the export has a header row */
	enum date_order date_order; /* hint for ambiguous dates */
	const char *format; /* [target] format: csv, tsv, jsonl, sql, sqlite */
	const char *table;  /* [target] table, for sql and sqlite */
};

/* Load and check a mapping file. NULL with err (file:line) on error. */
struct mapping *mapping_load(const char *path, struct mbr_err *err);
void mapping_free(struct mapping *m); /* NULL is fine */
const struct mapping_info *mapping_info(const struct mapping *m);

/* Resolve the column names of m against the header of file. An unknown
 * column is an error naming the mapping's line and the columns there are. */
int mapping_bind(struct mapping *m, const struct header *h, const char *file,
		 struct mbr_err *err);

/* Output columns: for a source mapping the canonical columns in order,
 * for a target mapping the [fields] in file order (or, with no [fields],
 * the input header's columns). Valid after mapping_bind. */
size_t mapping_n_out(const struct mapping *m);
const char *mapping_out_name(const struct mapping *m, size_t i);

/* The column of the bound header that a source mapping's key is read from
 * (-1 for a target mapping). */
int mapping_key_col(const struct mapping *m);
/* Does a source mapping give canonical field f a value (a [fields]
 * entry)? false for a target mapping. */
bool mapping_has_canon(const struct mapping *m, enum canon_field f);
/* The output field that reads column col of the bound header (the first
 * one, in file order; "source_id" for the key), or NULL when none does. */
const char *mapping_col_user(const struct mapping *m, size_t col);
/* A source mapping's [extra] columns, in file order (0 for a target). */
size_t mapping_n_extra(const struct mapping *m);
const char *mapping_extra_name(const struct mapping *m, size_t i);

/* Apply m to in, appending mapping_n_out() fields, then (a source
 * mapping) its mapping_n_extra() extra columns, to out (reset first).
 * Problems go to issues as "field:problem;". Returns the number of
 * problems (0 when clean), or -1 when a value passes the size limit. */
int mapping_apply(struct mapping *m, const struct record *in,
		  struct record *out, struct buf *issues);

#endif
