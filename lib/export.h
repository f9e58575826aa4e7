/*
 * export: canonical or golden records into a target system's format and
 * encoding: CSV, TSV, JSON Lines, SQL INSERT statements or an SQLite
 * table; masked or pseudonymised on request; safe to open in Excel on
 * request.
 *
 * What it promises:
 *  - Protection comes first: --mask and --pseudonymize replace the
 *    columns of the records read (and the columns derived from them, see
 *    mask_parent), before the target mapping, so no mapping expression can
 *    reach a clear value.
 *  - SQL gives back every value exactly, '' included; the SQLite output
 *    holds the target table alone.
 *  - --excel (CSV and TSV) neutralises every cell, header included, and
 *    writes a byte-order mark only in UTF-8 and UTF-16.
 */
#ifndef MBR_EXPORT_H
#define MBR_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "mapping.h"
#include "record.h"
#include "recstream.h"

enum export_format {
	EXPORT_CSV,
	EXPORT_TSV,
	EXPORT_JSONL,
	EXPORT_SQL,
	EXPORT_SQLITE
};

struct export_opts {
	struct mapping *map; /* owned; NULL: columns as they come */
	enum export_format format;
	bool format_set;      /* --format given (else the map's) */
	const char *encoding; /* NULL: the map's, else UTF-8 */
	const char *table;    /* NULL: the map's, else "members" */
	bool table_set;	      /* --table given (else the map's) */
	char **mask;	      /* owned list of column names to mask */
	size_t n_mask;
	char **pseudo; /* owned list of columns to pseudonymise */
	size_t n_pseudo;
	struct buf key; /* the HMAC key from --key-file */
	bool excel;	/* csv, tsv: formulas neutralised, long digits, BOM */
};

void export_opts_init(struct export_opts *o);
void export_opts_release(struct export_opts *o);
/* "csv" ... "sqlite" to a format; -1 for anything else. */
int export_parse_format(const char *s, enum export_format *f);
/* Check that the options go together, once they are all known: --excel
 * for csv and tsv only; no field both masked and pseudonymised; a table
 * name for sql and sqlite only, and one SQLite and a script can hold
 * (none of sqlite_*, which SQLite reserves, no quote, control character
 * or empty name). -1 with MBR_ECONFIG naming the option. */
int export_check_opts(const struct export_opts *o, struct mbr_err *err);
/* Split "mobile,email" into o->mask (or o->pseudo); returns how many
 * names it added (empty ones are skipped). */
size_t export_add_fields(char ***list, size_t *n, const char *csv);

enum export_key_flags {
	EXPORT_KEY_STRICT = 1 << 0, /* a key others can read is an error */
	EXPORT_KEY_FORCE = 1 << 1,  /* a weak key is a warning, not an error */
};

/* Read the key for --pseudonymize from path (its bytes, trailing line
 * ends dropped) into o->key. Refused with MBR_ECONFIG: a key under 32
 * bytes, of one byte repeated or over 4096 bytes, or a file that is not a
 * regular file or a pipe (/dev/zero), unless EXPORT_KEY_FORCE makes these
 * warnings (mbr_warn); an empty key, a directory, a file that cannot be
 * read. A regular file readable by group or others is a warning (an error
 * under EXPORT_KEY_STRICT). No message holds a byte of the key. */
int export_load_key(struct export_opts *o, const char *path,
		    enum export_key_flags flags, struct mbr_err *err);

struct export_writer; /* opaque: masking, mapping, formatting */
struct db;

/* A whole export through the record loop (recstream.h). */
struct export_run {
	struct export_opts *o;	 /* borrowed */
	FILE *out;		 /* borrowed: the output (not for sqlite) */
	const char *db_path;	 /* sqlite: the file to write (a temporary) */
	const char *db_name;	 /* sqlite: its name in messages (-o) */
	struct header h;	 /* owned: the input's columns */
	struct export_writer *w; /* owned: made at the header */
	struct db *db;		 /* owned: the sqlite output */
};

/* The record handler: each record masked, mapped, formatted and written;
 * the writer is opened when the input's header is known. r's first four
 * members are the caller's to set. */
void export_handler(struct export_run *r, struct rs_handler *h);
/* After the run: the trailer, flush, and the sqlite output's commit. */
int export_finish(struct export_run *r, struct mbr_err *err);
void export_run_release(struct export_run *r);

#endif
