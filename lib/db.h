/*
 * db: the SQLite gateway. One connection, its prepared statements, binds,
 * cursors that read rows as records, and transactions; SQLite's errors
 * become mbr's. This is the only file that includes <sqlite3.h>: the
 * staging schema (stage.h) and mbr-export's SQLite output (export.h) are
 * written on top of it, and no SQLite type appears here.
 *
 * Values reach SQL only as bound parameters, never as SQL text.
 */
#ifndef MBR_DB_H
#define MBR_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "record.h"

struct db;	  /* opaque: one connection; one thread at a time */
struct db_stmt;	  /* opaque: a prepared statement, kept by its db */
struct db_cursor; /* opaque: the rows of one query */

enum db_flags {
	DB_JOURNAL_MEMORY = 1 << 0, /* no journal file beside the database */
};

/* Open the existing file path (the caller creates it, mode 0600) for
 * reading and writing; name is the path for messages. Fails with MBR_EIO
 * when the file cannot be opened, is read-only, or the journal mode does
 * not take. */
struct db *db_open(const char *path, const char *name, enum db_flags flags,
		   struct mbr_err *err);
/* Switch to journal_mode WAL with the staging settings (db.c says why):
 * a change to the file, so the caller looks first (stage_open). */
int db_use_wal(struct db *d, struct mbr_err *err);
/* Roll back an open transaction and close. NULL is fine. A cursor left
 * open delays the close until it is freed. */
void db_close(struct db *d);
const char *db_name(const struct db *d);
/* How long (ms) to wait for another writer's lock. Cannot fail. */
void db_set_busy_timeout(struct db *d, int ms);

/* Run sql, one or more statements with no parameters (schema, pragmas);
 * what says what failed ("cannot create schema"). */
int db_script(struct db *d, const char *sql, const char *what,
	      struct mbr_err *err);

/*
 * Statements. db_stmt prepares sql once and keeps it, found again by its
 * text (a constant the caller passes each time is found at once).
 * Binding never fails by itself: the first bind error is reported by the
 * step that follows. Parameters count from 1.
 */
struct db_stmt *db_stmt(struct db *d, const char *sql, struct mbr_err *err);
void db_bind_text(struct db_stmt *s, int i, struct strview v); /* NULL p:
								  SQL NULL */
void db_bind_int(struct db_stmt *s, int i, long long v);
void db_bind_real(struct db_stmt *s, int i, double v);
void db_bind_null(struct db_stmt *s, int i);
/* v as TEXT when it is valid UTF-8, else as a BLOB: bytes kept. */
void db_bind_raw(struct db_stmt *s, int i, struct strview v);
/* Run s to its end (rows ignored) and reset it. -1 with err (MBR_EIO, or
 * MBR_EINTERNAL for a bind of the wrong number of values). */
int db_done(struct db_stmt *s, const char *what, struct mbr_err *err);
/* Run s and read the first column of its first row as text into out
 * (empty when no row), then reset it. */
int db_text(struct db_stmt *s, struct buf *out, struct mbr_err *err);
/* sql with n text parameters (NULL p: SQL NULL), run to its end. */
int db_exec(struct db *d, const char *sql, const struct strview *binds,
	    size_t n, struct mbr_err *err);
long long db_changes(const struct db *d); /* rows the last write changed */
long long db_last_id(const struct db *d); /* rowid of the last INSERT */

/*
 * Cursors: every value read as text; NULL reads as an empty field.
 */

/* A cursor over sql with n text parameters (copied). */
struct db_cursor *db_query(struct db *d, const char *sql,
			   const char *const *binds, size_t n,
			   struct mbr_err *err);
/* The query's column names. */
const struct record *db_cursor_names(const struct db_cursor *c);
/* The next row into rec (reset first; rec->row counts rows from 1).
 * Returns 1, 0 at the end (and after it), -1 with err. */
int db_cursor_next(struct db_cursor *c, struct record *rec,
		   struct mbr_err *err);
void db_cursor_free(struct db_cursor *c); /* NULL is fine */

/*
 * Transactions
 */

/* BEGIN IMMEDIATE: the write lock now (a second writer waits here up to
 * the busy timeout, then fails with "database is locked"). */
int db_begin(struct db *d, struct mbr_err *err);
/* COMMIT; on failure the transaction is rolled back. */
int db_commit(struct db *d, struct mbr_err *err);
/* Roll back the open transaction, if any. Cannot fail. */
void db_rollback(struct db *d);

#endif
