/*
 * db: the SQLite gateway (db.h). The only file that includes <sqlite3.h>.
 *
 * Connection settings, and why (db_use_wal, the staging database):
 *  - journal_mode=WAL: a run is one long write transaction; in WAL mode
 *    readers (an analyst's sqlite3 shell, mbr-export) keep reading the last
 *    committed state meanwhile, where the rollback journal would lock them
 *    out as soon as the writer's cache spills. The price: the WAL grows to
 *    the size of the run's changes and is copied into the database at
 *    commit (checkpoint), and journal_size_limit then truncates it. WAL
 *    needs a local file system (shared memory); staging is local. SQLite
 *    creates the -wal and -shm files with the mode of the database file
 *    (findCreateFileMode in os_unix.c), so they are 0600 too.
 *  - synchronous=NORMAL: in WAL mode a crash cannot corrupt the database;
 *    at worst the last committed run is lost and reruns.
 *  - cache_size 256 MiB (an upper bound, allocated as used):
 *    UNIQUE(source, source_id) is updated at random places of its b-tree;
 *    5 million shuffled keys took 22% less time with 512 MiB than 128.
 *  - busy_timeout 10 s (MBR_BUSY_TIMEOUT_MS in the environment for tests):
 *    a second run waits for the first for a while, then says the database
 *    is locked by another run.
 *  - NOMUTEX: a connection is used by one thread at a time, and SQLite's
 *    per-call mutexes cost about 8% of a bulk insert.
 */
#include "db.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "utf8.h"

#define BUSY_TIMEOUT_MS 10000
#define N_STMTS 32 /* statements kept prepared */

static const char pragmas[] = "PRAGMA synchronous = NORMAL;"
			      "PRAGMA cache_size = -262144;"
			      "PRAGMA journal_size_limit = 67108864;"
			      "PRAGMA foreign_keys = OFF;";

struct db_stmt {
	struct db *d;		 /* borrowed: its connection */
	sqlite3_stmt *stmt;	 /* owned */
	const char *key;	 /* the caller's pointer to the text */
	char *sql;		 /* owned: the text, the cache key */
	int bind_rc;		 /* the first failed bind, or SQLITE_OK */
	unsigned long long used; /* tick of the last use; 0: empty slot */
};

struct db {
	sqlite3 *db; /* owned */
	char *name;  /* owned: for messages */
	struct db_stmt stmts[N_STMTS];
	unsigned long long tick;
};

struct db_cursor {
	struct db *d;	     /* borrowed */
	sqlite3_stmt *stmt;  /* owned */
	struct record names; /* owned: the column names */
	int n_cols;
	bool done;	   /* stepped to the end: do not step again */
	unsigned long row; /* rows read */
};

/*
 * Errors
 */

static const struct {
	int code; /* primary result code */
	enum mbr_status status;
	const char *msg; /* what to say instead of SQLite's words */
} db_errors[] = {
	{SQLITE_BUSY, MBR_EIO, "database is locked by another run"},
	{SQLITE_LOCKED, MBR_EIO, "database is locked by another run"},
	{SQLITE_READONLY, MBR_EIO, "database is read-only"},
	{SQLITE_FULL, MBR_EIO, "disk full"},
	{SQLITE_NOTADB, MBR_EIO, "file is not an SQLite database"},
	{SQLITE_CORRUPT, MBR_EIO, "database is corrupt"},
	{SQLITE_NOMEM, MBR_EINTERNAL, "out of memory"},
	{SQLITE_TOOBIG, MBR_EIO, "value too large for SQLite"},
	{SQLITE_RANGE, MBR_EINTERNAL, "a value bound to no parameter"},
};

/* Fill err for SQLite result rc while doing what. Returns -1. */
static int fail(const struct db *d, int rc, const char *what,
		struct mbr_err *err)
{
	for (size_t i = 0; i < sizeof(db_errors) / sizeof(db_errors[0]); i++)
		if (db_errors[i].code == (rc & 0xff))
			return mbr_fail(err, db_errors[i].status, "%s: %s: %s",
					d->name, what, db_errors[i].msg);
	return mbr_fail(err, MBR_EIO, "%s: %s: %s", d->name, what,
			sqlite3_errmsg(d->db));
}

/*
 * The connection
 */

static int busy_timeout(void)
{
	const char *e = getenv("MBR_BUSY_TIMEOUT_MS");
	char *end;
	long ms;

	if (!e || !*e)
		return BUSY_TIMEOUT_MS;
	errno = 0;
	ms = strtol(e, &end, 10);
	if (errno || *end || ms < 0 || ms > INT_MAX)
		return BUSY_TIMEOUT_MS;
	return (int)ms;
}

/* journal_mode answers with the mode it took. */
static int set_journal(struct db *d, const char *mode, struct mbr_err *err)
{
	char sql[64];
	sqlite3_stmt *s = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
	rc = sqlite3_prepare_v2(d->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return fail(d, rc, "cannot set the journal mode", err);
	}
	rc = sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), mode);
	sqlite3_finalize(s);
	if (rc)
		return mbr_fail(err, MBR_EIO,
				"%s: cannot set the journal mode to %s",
				d->name, mode);
	return 0;
}

struct db *db_open(const char *path, const char *name, enum db_flags flags,
		   struct mbr_err *err)
{
	struct db *d = xcalloc(1, sizeof(*d));
	int rc = sqlite3_open_v2(path, &d->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				 NULL);

	d->name = xstrdup(name);
	if (rc != SQLITE_OK) {
		if (d->db)
			fail(d, rc, "cannot open database", err);
		else
			mbr_fail(err, MBR_EINTERNAL, "%s: out of memory", name);
		goto fail;
	}
	/* SQLite opens a file it cannot write read-only, silently. */
	if (sqlite3_db_readonly(d->db, "main") == 1) {
		mbr_fail(err, MBR_EIO,
			 "%s: database is read-only (no write permission)",
			 name);
		goto fail;
	}
	sqlite3_busy_timeout(d->db, busy_timeout());
	if ((flags & DB_JOURNAL_MEMORY) && set_journal(d, "memory", err) < 0)
		goto fail;
	return d;
fail:
	db_close(d);
	return NULL;
}

int db_use_wal(struct db *d, struct mbr_err *err)
{
	if (set_journal(d, "wal", err) < 0)
		return -1;
	return db_script(d, pragmas, "cannot configure database", err);
}

void db_close(struct db *d)
{
	if (!d)
		return;
	db_rollback(d);
	for (int i = 0; i < N_STMTS; i++) {
		sqlite3_finalize(d->stmts[i].stmt);
		free(d->stmts[i].sql);
	}
	/* close_v2: a cursor left open delays the close, not fails it. */
	sqlite3_close_v2(d->db);
	free(d->name);
	free(d);
}

const char *db_name(const struct db *d)
{
	return d->name;
}

void db_set_busy_timeout(struct db *d, int ms)
{
	sqlite3_busy_timeout(d->db, ms);
}

int db_script(struct db *d, const char *sql, const char *what,
	      struct mbr_err *err)
{
	int rc = sqlite3_exec(d->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(d, rc, what, err);
}

/*
 * Statements
 */

static sqlite3_stmt *prepare(struct db *d, const char *sql, unsigned flags,
			     struct mbr_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v3(d->db, sql, -1, flags, &s, &tail);

	if (rc != SQLITE_OK && rc != SQLITE_ERROR) {
		fail(d, rc, "cannot prepare statement", err);
		return NULL;
	}
	if (rc == SQLITE_ERROR) {
		/* Our own SQL does not compile: a bug, not the environment. */
		mbr_fail(err, MBR_EINTERNAL, "%s: cannot prepare '%.80s': %s",
			 d->name, sql, sqlite3_errmsg(d->db));
		return NULL;
	}
	while (tail && *tail && strchr(" \t\r\n;", *tail))
		tail++;
	if (!s || (tail && *tail)) {
		sqlite3_finalize(s);
		mbr_fail(err, MBR_EINTERNAL, "%s: not one statement: '%.80s'",
			 d->name, sql);
		return NULL;
	}
	return s;
}

/* The kept statement for sql, or the slot to prepare it in (the least
 * recently used one when all are taken). */
static struct db_stmt *slot_for(struct db *d, const char *sql)
{
	struct db_stmt *lru = &d->stmts[0];

	for (int i = 0; i < N_STMTS; i++)
		if (d->stmts[i].used && d->stmts[i].key == sql)
			return &d->stmts[i];
	for (int i = 0; i < N_STMTS; i++) {
		struct db_stmt *s = &d->stmts[i];

		if (s->used && !strcmp(s->sql, sql))
			return s;
		if (s->used < lru->used)
			lru = s;
	}
	return lru;
}

struct db_stmt *db_stmt(struct db *d, const char *sql, struct mbr_err *err)
{
	struct db_stmt *s = slot_for(d, sql);

	if (!s->used || strcmp(s->sql, sql)) {
		sqlite3_stmt *st =
			prepare(d, sql, SQLITE_PREPARE_PERSISTENT, err);

		if (!st)
			return NULL;
		sqlite3_finalize(s->stmt);
		free(s->sql);
		s->stmt = st;
		s->sql = xstrdup(sql);
	}
	s->d = d;
	s->key = sql;
	s->used = ++d->tick;
	s->bind_rc = SQLITE_OK;
	return s;
}

static void bound(struct db_stmt *s, int rc)
{
	if (s->bind_rc == SQLITE_OK)
		s->bind_rc = rc;
}

void db_bind_text(struct db_stmt *s, int i, struct strview v)
{
	if (!v.p)
		bound(s, sqlite3_bind_null(s->stmt, i));
	else
		bound(s, sqlite3_bind_text64(s->stmt, i, v.p, v.len,
					     SQLITE_STATIC, SQLITE_UTF8));
}

void db_bind_int(struct db_stmt *s, int i, long long v)
{
	bound(s, sqlite3_bind_int64(s->stmt, i, (sqlite3_int64)v));
}

void db_bind_real(struct db_stmt *s, int i, double v)
{
	bound(s, sqlite3_bind_double(s->stmt, i, v));
}

void db_bind_null(struct db_stmt *s, int i)
{
	bound(s, sqlite3_bind_null(s->stmt, i));
}

void db_bind_raw(struct db_stmt *s, int i, struct strview v)
{
	if (utf8_is_valid(v))
		db_bind_text(s, i, v);
	else
		bound(s, sqlite3_bind_blob64(s->stmt, i, v.p, v.len,
					     SQLITE_STATIC));
}

/* The bind error (noted by the bind), or 0. */
static int bind_failed(struct db_stmt *s, const char *what, struct mbr_err *err)
{
	int rc = s->bind_rc;

	if (rc == SQLITE_OK)
		return 0;
	s->bind_rc = SQLITE_OK;
	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
	return fail(s->d, rc, what, err);
}

int db_done(struct db_stmt *s, const char *what, struct mbr_err *err)
{
	int rc;

	if (bind_failed(s, what, err) < 0)
		return -1;
	while ((rc = sqlite3_step(s->stmt)) == SQLITE_ROW)
		;
	sqlite3_reset(s->stmt);
	if (rc != SQLITE_DONE)
		return fail(s->d, rc, what, err);
	return 0;
}

int db_text(struct db_stmt *s, struct buf *out, struct mbr_err *err)
{
	int rc;

	buf_reset(out);
	if (bind_failed(s, "cannot read", err) < 0)
		return -1;
	rc = sqlite3_step(s->stmt);
	if (rc == SQLITE_ROW && sqlite3_column_text(s->stmt, 0))
		buf_add(out, sqlite3_column_text(s->stmt, 0),
			(size_t)sqlite3_column_bytes(s->stmt, 0));
	sqlite3_reset(s->stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s->d, rc, "cannot read", err);
	return 0;
}

int db_exec(struct db *d, const char *sql, const struct strview *binds,
	    size_t n, struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(d, sql, err);

	if (!s)
		return -1;
	if ((size_t)sqlite3_bind_parameter_count(s->stmt) != n)
		return mbr_fail(err, MBR_EINTERNAL,
				"%s: %zu values for %d parameters in '%.80s'",
				d->name, n,
				sqlite3_bind_parameter_count(s->stmt), sql);
	for (size_t i = 0; i < n; i++)
		db_bind_text(s, (int)i + 1, binds[i]);
	return db_done(s, "cannot write", err);
}

long long db_changes(const struct db *d)
{
	return sqlite3_changes64(d->db);
}

long long db_last_id(const struct db *d)
{
	return sqlite3_last_insert_rowid(d->db);
}

/*
 * Cursors
 */

struct db_cursor *db_query(struct db *d, const char *sql,
			   const char *const *binds, size_t n,
			   struct mbr_err *err)
{
	sqlite3_stmt *s = prepare(d, sql, 0, err);
	struct db_cursor *c;
	int rc = SQLITE_OK;

	if (!s)
		return NULL;
	if ((size_t)sqlite3_bind_parameter_count(s) != n)
		rc = SQLITE_RANGE;
	/* A cursor outlives its caller's binds: SQLite keeps copies. */
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++)
		rc = binds[i] ? sqlite3_bind_text(s, (int)i + 1, binds[i], -1,
						  SQLITE_TRANSIENT)
			      : sqlite3_bind_null(s, (int)i + 1);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		fail(d, rc, "cannot bind value", err);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->d = d;
	c->stmt = s;
	c->n_cols = sqlite3_column_count(s);
	record_init(&c->names);
	for (int i = 0; i < c->n_cols; i++) {
		const char *name = sqlite3_column_name(s, i);

		record_add(&c->names, name ? name : "",
			   name ? strlen(name) : 0);
	}
	return c;
}

const struct record *db_cursor_names(const struct db_cursor *c)
{
	return &c->names;
}

int db_cursor_next(struct db_cursor *c, struct record *rec, struct mbr_err *err)
{
	int rc;

	if (c->done)
		return 0;
	rc = sqlite3_step(c->stmt);
	if (rc != SQLITE_ROW) {
		/* Stepping again after the end would rerun the query. */
		c->done = true;
		return rc == SQLITE_DONE ? 0
					 : fail(c->d, rc, "cannot read", err);
	}
	record_reset(rec);
	rec->row = ++c->row;
	for (int i = 0; i < c->n_cols; i++) {
		const char *p = (const char *)sqlite3_column_text(c->stmt, i);
		size_t len = (size_t)sqlite3_column_bytes(c->stmt, i);

		if (record_add(rec, p ? p : "", p ? len : 0) < 0)
			return mbr_fail(err, MBR_EIO,
					"%s: row %lu: record too large",
					c->d->name, c->row);
	}
	return 1;
}

void db_cursor_free(struct db_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->stmt);
	record_release(&c->names);
	free(c);
}

/*
 * Transactions
 */

int db_begin(struct db *d, struct mbr_err *err)
{
	return db_script(d, "BEGIN IMMEDIATE", "cannot begin a run", err);
}

int db_commit(struct db *d, struct mbr_err *err)
{
	if (db_script(d, "COMMIT", "cannot commit", err) == 0)
		return 0;
	db_rollback(d);
	return -1;
}

void db_rollback(struct db *d)
{
	if (!sqlite3_get_autocommit(d->db))
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}
