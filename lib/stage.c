/*
 * stage: the staging database on SQLite. The contract is in stage.h; this
 * file is the only one that includes <sqlite3.h>.
 *
 * Connection settings, and why:
 *  - The file is created by us with open(O_CREAT | O_EXCL, 0600) before
 *    SQLite sees it: member data is personal data. SQLite creates the -wal,
 *    -shm and -journal files with the mode of the database file
 *    (findCreateFileMode in os_unix.c), so they are 0600 too.
 *  - journal_mode=WAL: a run is one long write transaction; in WAL mode
 *    readers (an analyst's sqlite3 shell, mbr-export) keep reading the last
 *    committed state meanwhile, where the rollback journal would lock them
 *    out as soon as the writer's cache spills. The price: the WAL grows to
 *    the size of the run's changes and is copied into the database at
 *    commit (checkpoint), and journal_size_limit then truncates it. WAL
 *    needs a local file system (shared memory); staging is local.
 *  - synchronous=NORMAL: in WAL mode a crash cannot corrupt the database;
 *    at worst the last committed run is lost and reruns.
 *  - cache_size 256 MiB (an upper bound, allocated as used):
 *    UNIQUE(source, source_id) is updated at random places of its b-tree;
 *    5 million shuffled keys took 22% less time with 512 MiB than 128.
 *  - busy_timeout 10 s: a second run waits for the first for a while, then
 *    says the database is locked by another run.
 */
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "canon.h"
#include "json.h"
#include "utf8.h"

/* Statements stage.c runs itself, prepared on first use. */
enum stage_stmt {
	SQL_PUT_RECORD,	   /* generated from the canonical columns */
	SQL_IMPORT_RECORD, /* the same, once per key and run */
	SQL_PUT_REJECT,
	SQL_DELETE_RECORD,
	SQL_ADD_EXTRA_COLUMN,
	SQL_BEGIN_RUN,
	SQL_END_RUN,
	SQL_SET_VERSION,
	SQL_GET_VERSION,
	SQL_COUNT
};

static const char *const stmt_sql[SQL_COUNT] = {
	[SQL_PUT_REJECT] =
		"INSERT INTO rejects (run_id, tool, source, source_id, "
		"source_row, field, reason, raw, record, source_line) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SQL_DELETE_RECORD] =
		"DELETE FROM records WHERE source = ?1 AND source_id = ?2",
	/* Positions count from 1 in order of first appearance. */
	[SQL_ADD_EXTRA_COLUMN] =
		"INSERT OR IGNORE INTO extra_columns (name, pos) VALUES (?1, "
		"(SELECT coalesce(max(pos), 0) + 1 FROM extra_columns))",
	[SQL_BEGIN_RUN] = "INSERT INTO runs (tool, args, started, status) "
			  "VALUES (?1, ?2, "
			  "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'running')",
	[SQL_END_RUN] =
		"UPDATE runs SET "
		"ended = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), n_in = ?2, "
		"n_out = ?3, n_rejected = ?4, n_flagged = ?5, status = ?6 "
		"WHERE run_id = ?1",
	[SQL_SET_VERSION] = "INSERT OR REPLACE INTO meta (key, value) "
			    "VALUES ('schema_version', ?1)",
	[SQL_GET_VERSION] =
		"SELECT value FROM meta WHERE key = 'schema_version'",
};

/* The schema. "@" stands for the canonical columns as TEXT, in DESIGN
 * order. records has an INTEGER PRIMARY KEY so that its insertion order
 * (the order reading returns) survives VACUUM. */
static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
	"CREATE TABLE IF NOT EXISTS records (record_id INTEGER PRIMARY KEY, "
	"@, extra TEXT, issues TEXT, run_id INTEGER, "
	"UNIQUE (source, source_id))",
	"CREATE TABLE IF NOT EXISTS extra_columns (name TEXT PRIMARY KEY, "
	"pos INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS rejects (run_id INTEGER, tool TEXT, "
	"source TEXT, source_id TEXT, source_row TEXT, field TEXT, "
	"reason TEXT, raw BLOB, record TEXT, source_line INTEGER)",
	"CREATE INDEX IF NOT EXISTS rejects_run ON rejects (run_id)",
	"CREATE TABLE IF NOT EXISTS pairs (run_id INTEGER, a_source TEXT, "
	"a_source_id TEXT, b_source TEXT, b_source_id TEXT, weight REAL, "
	"probability REAL, detail TEXT)",
	"CREATE INDEX IF NOT EXISTS pairs_run ON pairs (run_id)",
	"CREATE TABLE IF NOT EXISTS clusters (run_id INTEGER, source TEXT, "
	"source_id TEXT, cluster_id TEXT)",
	"CREATE INDEX IF NOT EXISTS clusters_key ON clusters "
	"(source, source_id, run_id)",
	"CREATE INDEX IF NOT EXISTS clusters_run ON clusters "
	"(run_id, cluster_id)",
	"CREATE TABLE IF NOT EXISTS xref (source TEXT, source_id TEXT, "
	"master_id TEXT NOT NULL, first_run INTEGER, last_run INTEGER, "
	"PRIMARY KEY (source, source_id))",
	"CREATE INDEX IF NOT EXISTS xref_master ON xref (master_id)",
	"CREATE TABLE IF NOT EXISTS retired (master_id TEXT PRIMARY KEY, "
	"merged_into TEXT NOT NULL, run_id INTEGER)",
	"CREATE TABLE IF NOT EXISTS masters (master_id TEXT PRIMARY KEY, "
	"@, member_count INTEGER, sources TEXT, run_id INTEGER)",
	"CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY, "
	"tool TEXT NOT NULL, args TEXT, started TEXT, ended TEXT, "
	"n_in INTEGER, n_out INTEGER, n_rejected INTEGER, "
	"n_flagged INTEGER, status TEXT)",
};

/* What turns a database of version i + 1 into version i + 2; a new
 * database gets the schema above, which is the latest. */
static const char *const migrations[] = {
	/* 1 -> 2: rejects name the line where a row starts; a record's
	 * cluster in a given run is one index probe */
	"ALTER TABLE rejects ADD COLUMN source_line INTEGER;"
	"DROP INDEX IF EXISTS clusters_key;"
	"CREATE INDEX clusters_key ON clusters (source, source_id, run_id)",
};

/* Connection pragmas (see the top of the file). journal_mode is set apart:
 * its answer says whether it took. */
static const char pragmas[] = "PRAGMA synchronous = NORMAL;"
			      "PRAGMA cache_size = -262144;"
			      "PRAGMA journal_size_limit = 67108864;"
			      "PRAGMA foreign_keys = OFF;";

/* Parameters of SQL_PUT_RECORD after the canonical ones. */
enum {
	PUT_EXTRA = CF_COUNT + 1,
	PUT_ISSUES,
	PUT_RUN_ID,
};

#define EXEC_SLOTS 16 /* distinct stage_exec statements kept prepared */

struct exec_slot {
	char *sql;	    /* owned: the statement's text, the cache key */
	sqlite3_stmt *stmt; /* owned */
	unsigned long long used; /* tick of the last use; 0 = empty slot */
};

/* How the columns of one header go into a records row. */
struct plan {
	struct buf names; /* owned: the header's name bytes, the key */
	size_t n_names;	  /* columns; 0 = no plan yet */
	int issues;	  /* column of _issues, or -1 */
	size_t n_extra;	  /* pass-through columns */
	size_t *extra;	  /* owned: their column numbers */
	struct buf keys;  /* owned: each one's JSON `"name":` */
	size_t *key_end;  /* owned: key i ends at keys.p + key_end[i] */
};

struct stage {
	sqlite3 *db; /* owned */
	char *path;  /* owned: for messages */
	int busy_ms;
	long long run_id;	       /* the open run, or 0 */
	sqlite3_stmt *stmt[SQL_COUNT]; /* owned; NULL until first use */
	char *put_sql;		       /* owned: SQL_PUT_RECORD's text */
	char *import_sql;	       /* owned: SQL_IMPORT_RECORD's */
	struct exec_slot exec[EXEC_SLOTS];
	unsigned long long tick; /* stage_exec use counter */
	struct plan plan;	 /* for the last header stage_put_record saw */
	struct buf json;	 /* extra or record JSON; reset per record */
};

struct stage_cursor {
	struct stage *st;    /* borrowed */
	sqlite3_stmt *stmt;  /* owned */
	struct record names; /* owned: the column names */
	int n_cols;	     /* columns of the query */
	bool expand;	     /* stage_read_records: expand the extra JSON */
	bool done;	     /* stepped to the end: do not step again */
	size_t n_extra;	     /* expand: pass-through columns */
	size_t *ex_off;	     /* owned: expand: value j at scratch + off */
	size_t *ex_len;	     /* owned: its length; 0 when absent */
	struct buf scratch;  /* owned: expand: decoded values */
	struct buf key;	     /* owned: expand: the key being decoded */
	size_t hint;	     /* expand: where the next key is likely */
	unsigned long row;   /* rows read */
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
};

/* Fill err for SQLite result rc while doing what. Returns -1. */
static int db_fail(const struct stage *st, int rc, const char *what,
		   struct mbr_err *err)
{
	for (size_t i = 0; i < sizeof(db_errors) / sizeof(db_errors[0]); i++)
		if (db_errors[i].code == (rc & 0xff))
			return mbr_fail(err, db_errors[i].status, "%s: %s: %s",
					st->path, what, db_errors[i].msg);
	return mbr_fail(err, MBR_EIO, "%s: %s: %s", st->path, what,
			sqlite3_errmsg(st->db));
}

/*
 * Statements
 */

static sqlite3_stmt *prepare(struct stage *st, const char *sql, unsigned flags,
			     struct mbr_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v3(st->db, sql, -1, flags, &s, &tail);

	if (rc != SQLITE_OK && rc != SQLITE_ERROR) {
		db_fail(st, rc, "cannot prepare statement", err);
		return NULL;
	}
	if (rc == SQLITE_ERROR) {
		/* Our own SQL does not compile: a bug, not the environment. */
		mbr_fail(err, MBR_EINTERNAL, "%s: cannot prepare '%.80s': %s",
			 st->path, sql, sqlite3_errmsg(st->db));
		return NULL;
	}
	while (tail && *tail && strchr(" \t\r\n;", *tail))
		tail++;
	if (!s || (tail && *tail)) {
		sqlite3_finalize(s);
		mbr_fail(err, MBR_EINTERNAL, "%s: not one statement: '%.80s'",
			 st->path, sql);
		return NULL;
	}
	return s;
}

/* One of stage.c's own statements, prepared once. */
static sqlite3_stmt *own_stmt(struct stage *st, enum stage_stmt id,
			      struct mbr_err *err)
{
	const char *sql = id == SQL_PUT_RECORD	    ? st->put_sql
			  : id == SQL_IMPORT_RECORD ? st->import_sql
						    : stmt_sql[id];

	if (!st->stmt[id])
		st->stmt[id] = prepare(st, sql, SQLITE_PREPARE_PERSISTENT, err);
	return st->stmt[id];
}

/* Step s to its end (rows are ignored) and reset it. */
static int step_done(struct stage *st, sqlite3_stmt *s, const char *what,
		     struct mbr_err *err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		db_fail(st, rc, what, err);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int run_sql(struct stage *st, const char *sql, const char *what,
		   struct mbr_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(st, rc, what, err);
}

/* Bind a view as text; a NULL p binds SQL NULL. */
static int bind_sv(sqlite3_stmt *s, int i, struct strview v)
{
	if (!v.p)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text64(s, i, v.p, v.len, SQLITE_STATIC,
				   SQLITE_UTF8);
}

static int bind_count(struct stage *st, sqlite3_stmt *s, size_t n,
		      struct mbr_err *err)
{
	int want = sqlite3_bind_parameter_count(s);

	if ((size_t)want == n)
		return 0;
	return mbr_fail(err, MBR_EINTERNAL,
			"%s: %zu values for %d parameters in '%.80s'", st->path,
			n, want, sqlite3_sql(s));
}

/*
 * The plan: which columns of a header are canonical, _issues or extra.
 * Made once per header, found again by comparing the header's names.
 */

static void plan_init(struct plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	buf_init(&pl->names, BUF_NOLIMIT);
	buf_init(&pl->keys, BUF_NOLIMIT);
	pl->issues = -1;
}

static void plan_release(struct plan *pl)
{
	buf_release(&pl->names);
	buf_release(&pl->keys);
	free(pl->extra);
	free(pl->key_end);
	plan_init(pl);
}

/* Forget the plan, so that the next record registers its extra columns
 * again: a rollback may have undone the registration. */
static void plan_forget(struct plan *pl)
{
	pl->n_names = 0;
}

static bool plan_fits(const struct plan *pl, const struct header *h)
{
	const struct buf *names = &h->names.data;

	return pl->n_names && pl->n_names == h->names.n &&
	       pl->names.len == names->len &&
	       !memcmp(pl->names.p, names->p, names->len);
}

static bool is_canon_col(const struct header *h, size_t col)
{
	for (int f = 0; f < CF_COUNT; f++)
		if (h->canon[f] == (int)col)
			return true;
	return false;
}

/* Note column col as pass-through, and in extra_columns. */
static int plan_add_extra(struct stage *st, const struct header *h, size_t col,
			  struct mbr_err *err)
{
	struct plan *pl = &st->plan;
	struct strview name = record_field(&h->names, col);
	sqlite3_stmt *s = own_stmt(st, SQL_ADD_EXTRA_COLUMN, err);

	if (!s)
		return -1;
	pl->extra[pl->n_extra] = col;
	json_str(&pl->keys, name);
	buf_addc(&pl->keys, ':');
	pl->key_end[pl->n_extra++] = pl->keys.len;
	bind_sv(s, 1, name);
	return step_done(st, s, "cannot store column name", err);
}

static int plan_make(struct stage *st, const struct header *h,
		     struct mbr_err *err)
{
	struct plan *pl = &st->plan;
	size_t n = h->names.n;

	plan_release(pl);
	pl->extra = xcalloc(n, sizeof(*pl->extra));
	pl->key_end = xcalloc(n, sizeof(*pl->key_end));
	for (size_t col = 0; col < n; col++) {
		if (is_canon_col(h, col))
			continue;
		if (pl->issues < 0 &&
		    sv_eqs(record_field(&h->names, col), COL_ISSUES)) {
			pl->issues = (int)col;
			continue;
		}
		if (plan_add_extra(st, h, col, err) < 0) {
			plan_release(pl);
			return -1;
		}
	}
	buf_addsv(&pl->names, buf_view(&h->names.data));
	pl->n_names = n;
	return 0;
}

/*
 * Opening
 */

/* An existing file others may read (a database copied with cp, or made
 * by an older tool): member data is personal data, so it becomes 0600. */
static int tighten(const char *path, struct mbr_err *err)
{
	struct stat sb;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || !(sb.st_mode & 077))
		return 0;
	if (chmod(path, sb.st_mode & 0700) != 0)
		return mbr_fail(err, MBR_EIO,
				"%s: readable by others, and cannot make it "
				"private: %s",
				path, strerror(errno));
	mbr_warn("%s: was readable by others (mode %03o): made it 0600", path,
		 (unsigned)(sb.st_mode & 0777));
	return 0;
}

/* Create path with mode 0600 unless it exists; SQLite would use 0644. */
static int create_file(const char *path, struct mbr_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0)
		return close(fd);
	if (errno == EEXIST)
		return 0;
	return mbr_fail(err, MBR_EIO, "%s: cannot create database: %s", path,
			strerror(errno));
}

/* The database and its journals, made private. */
static int tighten_all(const char *path, struct mbr_err *err)
{
	static const char *const journals[] = {"-wal", "-shm", "-journal"};
	char side[PATH_MAX];

	if (tighten(path, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(journals) / sizeof(*journals); i++)
		if (snprintf(side, sizeof(side), "%s%s", path, journals[i]) <
			    (int)sizeof(side) &&
		    tighten(side, err) < 0)
			return -1;
	return 0;
}

/* SQLite writes its journal (-wal, -shm) beside the database. */
static int check_dir(const char *path, struct mbr_err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xmemdup(path, (size_t)(slash - path)) : NULL;
	const char *d = !slash ? "." : slash == path ? "/" : dir;
	int rc = access(d, W_OK | X_OK) == 0 ? 0 : errno;

	free(dir);
	if (rc == 0)
		return 0;
	return mbr_fail(err, MBR_EIO,
			"%s: cannot write beside the database: %s", path,
			strerror(rc));
}

static int set_wal(struct stage *st, struct mbr_err *err)
{
	sqlite3_stmt *s = prepare(st, "PRAGMA journal_mode = WAL", 0, err);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		db_fail(st, rc, "cannot set WAL mode", err);
		sqlite3_finalize(s);
		return -1;
	}
	rc = sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	if (rc)
		return mbr_fail(err, MBR_EIO, "%s: cannot set WAL mode",
				st->path);
	return 0;
}

/* The first column of the one row sql returns, as text, into out (empty
 * when there is no row). */
static int query_text(struct stage *st, const char *sql, struct buf *out,
		      struct mbr_err *err)
{
	sqlite3_stmt *s = prepare(st, sql, 0, err);
	int rc;

	if (!s)
		return -1;
	buf_reset(out);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
		buf_adds(out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, rc, "cannot read schema", err);
	return 0;
}

static int not_ours(struct stage *st, const char *why, struct mbr_err *err)
{
	return mbr_fail(err, MBR_ECONFIG,
			"%s: not an mbr staging database (%s); give --db a "
			"new file or one mbr created",
			st->path, why);
}

/* The stored schema version, 0 for an empty database. A database with
 * tables but no mbr meta table, or with a version that is no positive
 * number, is another application's file: refused, never adopted. */
static int schema_version(struct stage *st, int *version, struct mbr_err *err)
{
	struct buf v;
	char *end;
	long n;
	int rc;

	buf_init(&v, 4096);
	*version = 0;
	rc = query_text(st,
			"SELECT count(*) || ',' || count(name = 'meta' OR "
			"NULL) FROM sqlite_master WHERE type = 'table'",
			&v, err);
	if (rc == 0 && strcmp(v.p, "0,0") != 0) {
		if (strcmp(v.p + strcspn(v.p, ","), ",1") != 0)
			rc = not_ours(st, "it has tables but no mbr meta table",
				      err);
		else
			rc = query_text(st, stmt_sql[SQL_GET_VERSION], &v, err);
		errno = 0;
		n = rc == 0 ? strtol(v.p, &end, 10) : 0;
		if (rc == 0 && (errno || !*v.p || *end || n < 1 || n > 1000))
			rc = not_ours(st, "its schema_version is not a number",
				      err);
		*version = rc == 0 ? (int)n : 0;
	}
	buf_release(&v);
	return rc;
}

/* Expand "@" in a schema statement to the canonical columns. */
static void schema_expand(struct buf *b, const char *sql)
{
	const char *at = strchr(sql, '@');

	buf_reset(b);
	if (!at) {
		buf_adds(b, sql);
		return;
	}
	buf_add(b, sql, (size_t)(at - sql));
	for (int f = 0; f < CF_COUNT; f++)
		buf_addf(b, "%s%s TEXT", f ? ", " : "", canon_name(f));
	buf_adds(b, at + 1);
}

/* Create the schema of a new database (version 0), or bring an older one
 * up to date, in one transaction. */
static int schema_update(struct stage *st, int version, struct mbr_err *err)
{
	struct buf sql;
	sqlite3_stmt *s;
	int rc = run_sql(st, "BEGIN IMMEDIATE", "cannot create schema", err);

	buf_init(&sql, BUF_NOLIMIT);
	for (size_t i = 0;
	     rc == 0 && version == 0 && i < sizeof(schema) / sizeof(*schema);
	     i++) {
		schema_expand(&sql, schema[i]);
		rc = run_sql(st, sql.p, "cannot create schema", err);
	}
	for (int v = version; rc == 0 && v > 0 && v < STAGE_SCHEMA_VERSION; v++)
		rc = run_sql(st, migrations[v - 1], "cannot update schema",
			     err);
	buf_release(&sql);
	s = rc == 0 ? own_stmt(st, SQL_SET_VERSION, err) : NULL;
	if (s) {
		sqlite3_bind_int(s, 1, STAGE_SCHEMA_VERSION);
		rc = step_done(st, s, "cannot store schema version", err);
	} else {
		rc = -1;
	}
	if (rc == 0)
		rc = run_sql(st, "COMMIT", "cannot create schema", err);
	if (rc < 0 && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int schema_check(struct stage *st, int version, struct mbr_err *err)
{
	if (version == STAGE_SCHEMA_VERSION)
		return 0;
	if (version > STAGE_SCHEMA_VERSION)
		return mbr_fail(err, MBR_EIO,
				"%s: schema version %d is newer than this "
				"mbr's (%d)",
				st->path, version, STAGE_SCHEMA_VERSION);
	return schema_update(st, version, err);
}

/* INSERT ... ON CONFLICT DO UPDATE: a column the record lacks is bound
 * NULL and keeps its stored value. With once, a row this run has already
 * written is left alone (no change: the caller sees a duplicate key). */
static char *put_sql(bool once)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	buf_adds(&b, "INSERT INTO records (");
	for (int f = 0; f < CF_COUNT; f++)
		buf_addf(&b, "%s, ", canon_name(f));
	buf_adds(&b, "extra, issues, run_id) VALUES (");
	for (int i = 1; i <= PUT_RUN_ID; i++)
		buf_addf(&b, "?%d%s", i, i < PUT_RUN_ID ? ", " : ")");
	buf_adds(&b, " ON CONFLICT (source, source_id) DO UPDATE SET ");
	for (int f = CF_SOURCE_ROW; f < CF_COUNT; f++)
		buf_addf(&b, "%s = coalesce(excluded.%s, %s), ", canon_name(f),
			 canon_name(f), canon_name(f));
	buf_adds(&b, "extra = coalesce(excluded.extra, extra), "
		     "issues = coalesce(excluded.issues, issues), "
		     "run_id = excluded.run_id");
	if (once)
		buf_adds(&b, " WHERE records.run_id IS NOT excluded.run_id");
	return buf_detach(&b);
}

static int db_connect(struct stage *st, struct mbr_err *err)
{
	int version;
	/* NOMUTEX: a stage is used by one thread at a time, and SQLite's
	 * per-call mutexes cost about 8% of a bulk insert. */
	int rc = sqlite3_open_v2(st->path, &st->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				 NULL);

	if (rc != SQLITE_OK)
		return st->db ? db_fail(st, rc, "cannot open database", err)
			      : mbr_fail(err, MBR_EINTERNAL,
					 "%s: out of memory", st->path);
	/* SQLite opens a file it cannot write read-only, silently. */
	if (sqlite3_db_readonly(st->db, "main") == 1)
		return mbr_fail(err, MBR_EIO,
				"%s: database is read-only (no write "
				"permission)",
				st->path);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	/* Look before changing anything: WAL mode would be a change to
	 * another application's file. */
	if (schema_version(st, &version, err) < 0 ||
	    tighten_all(st->path, err) < 0)
		return -1;
	if (set_wal(st, err) < 0 ||
	    run_sql(st, pragmas, "cannot configure database", err) < 0)
		return -1;
	return schema_check(st, version, err);
}

/* STAGE_BUSY_TIMEOUT_MS, or MBR_BUSY_TIMEOUT_MS from the environment so
 * that an end-to-end test of two runs need not wait 10 s. */
static int busy_timeout(void)
{
	const char *e = getenv("MBR_BUSY_TIMEOUT_MS");
	char *end;
	long ms;

	if (!e || !*e)
		return STAGE_BUSY_TIMEOUT_MS;
	errno = 0;
	ms = strtol(e, &end, 10);
	if (errno || *end || ms < 0 || ms > INT_MAX)
		return STAGE_BUSY_TIMEOUT_MS;
	return (int)ms;
}

struct stage *stage_open(const char *path, struct mbr_err *err)
{
	struct stage *st;

	if (create_file(path, err) < 0 || check_dir(path, err) < 0)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->busy_ms = busy_timeout();
	st->put_sql = put_sql(false);
	st->import_sql = put_sql(true);
	plan_init(&st->plan);
	/* No limit here: SQLite refuses a value over 1 GB (SQLITE_TOOBIG). */
	buf_init(&st->json, BUF_NOLIMIT);
	if (db_connect(st, err) < 0) {
		stage_close(st);
		return NULL;
	}
	return st;
}

void stage_close(struct stage *st)
{
	if (!st)
		return;
	stage_rollback(st);
	for (int i = 0; i < SQL_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (int i = 0; i < EXEC_SLOTS; i++) {
		sqlite3_finalize(st->exec[i].stmt);
		free(st->exec[i].sql);
	}
	/* close_v2: a cursor left open delays the close, not fails it. */
	sqlite3_close_v2(st->db);
	plan_release(&st->plan);
	buf_release(&st->json);
	free(st->put_sql);
	free(st->import_sql);
	free(st->path);
	free(st);
}

void stage_set_busy_timeout(struct stage *st, int ms)
{
	st->busy_ms = ms;
	sqlite3_busy_timeout(st->db, ms);
}

const char *stage_path(const struct stage *st)
{
	return st->path;
}

/*
 * Runs
 */

int stage_begin_run(struct stage *st, const char *tool, const char *args,
		    struct mbr_err *err)
{
	sqlite3_stmt *s;

	if (st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: a run is already open",
				st->path);
	/* IMMEDIATE takes the write lock now, so a second run waits here
	 * (busy timeout) instead of failing half-way through its work. */
	if (run_sql(st, "BEGIN IMMEDIATE", "cannot begin run", err) < 0)
		return -1;
	plan_forget(&st->plan);
	s = own_stmt(st, SQL_BEGIN_RUN, err);
	if (!s)
		goto fail;
	bind_sv(s, 1, sv(tool));
	bind_sv(s, 2, args ? sv(args) : svn(NULL, 0));
	if (step_done(st, s, "cannot begin run", err) < 0)
		goto fail;
	st->run_id = sqlite3_last_insert_rowid(st->db);
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

long long stage_run_id(const struct stage *st)
{
	return st->run_id;
}

int stage_commit_run(struct stage *st, unsigned long long in,
		     unsigned long long out, unsigned long long rejected,
		     unsigned long long flagged, const char *status,
		     struct mbr_err *err)
{
	sqlite3_stmt *s;

	if (!st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: no run to commit",
				st->path);
	s = own_stmt(st, SQL_END_RUN, err);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, st->run_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)in);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)out);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)rejected);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)flagged);
	bind_sv(s, 6, sv(status));
	if (step_done(st, s, "cannot end run", err) < 0 ||
	    run_sql(st, "COMMIT", "cannot commit run", err) < 0)
		goto fail;
	st->run_id = 0;
	return 0;
fail:
	stage_rollback(st);
	return -1;
}

void stage_rollback(struct stage *st)
{
	if (!st->run_id)
		return;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->run_id = 0;
	plan_forget(&st->plan);
}

/*
 * Records and rejects
 */

/* Keep the first failure of a series of binds in *rc. */
static void first_error(int *rc, int r)
{
	if (*rc == SQLITE_OK)
		*rc = r;
}

/* Bind a column of rec, or NULL when h has no such column. */
static int bind_col(sqlite3_stmt *s, int i, const struct record *rec, int col)
{
	if (col < 0)
		return sqlite3_bind_null(s, i);
	return bind_sv(s, i, record_field(rec, (size_t)col));
}

static int bind_run(const struct stage *st, sqlite3_stmt *s, int i)
{
	if (!st->run_id)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, st->run_id);
}

static int bind_extra(struct stage *st, sqlite3_stmt *s,
		      const struct record *rec)
{
	const struct plan *pl = &st->plan;
	size_t key = 0;

	if (!pl->n_extra)
		return sqlite3_bind_null(s, PUT_EXTRA);
	buf_reset(&st->json);
	buf_addc(&st->json, '{');
	for (size_t i = 0; i < pl->n_extra; i++) {
		struct strview v = record_field(rec, pl->extra[i]);
		size_t from = key;

		key = pl->key_end[i];
		if (!v.len)
			continue;
		if (st->json.len > 1)
			buf_addc(&st->json, ',');
		buf_add(&st->json, pl->keys.p + from, key - from);
		json_str(&st->json, v);
	}
	buf_addc(&st->json, '}');
	return bind_sv(s, PUT_EXTRA, buf_view(&st->json));
}

static int put_record(struct stage *st, enum stage_stmt id,
		      const struct header *h, const struct record *rec,
		      struct mbr_err *err)
{
	sqlite3_stmt *s;
	int rc = SQLITE_OK;

	if (!record_canon(rec, h, CF_SOURCE).len ||
	    !record_canon(rec, h, CF_SOURCE_ID).len)
		return mbr_fail(err, MBR_EIO,
				"%s: record %lu: empty source or source_id "
				"cannot be staged",
				st->path, rec->row);
	if (!plan_fits(&st->plan, h) && plan_make(st, h, err) < 0)
		return -1;
	s = own_stmt(st, id, err);
	if (!s)
		return -1;
	for (int f = 0; f < CF_COUNT; f++)
		first_error(&rc, bind_col(s, f + 1, rec, h->canon[f]));
	first_error(&rc, bind_extra(st, s, rec));
	first_error(&rc, bind_col(s, PUT_ISSUES, rec, st->plan.issues));
	first_error(&rc, bind_run(st, s, PUT_RUN_ID));
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "cannot store record", err);
	return step_done(st, s, "cannot store record", err);
}

int stage_put_record(struct stage *st, const struct header *h,
		     const struct record *rec, struct mbr_err *err)
{
	return put_record(st, SQL_PUT_RECORD, h, rec, err);
}

int stage_import_record(struct stage *st, const struct header *h,
			const struct record *rec, struct mbr_err *err)
{
	if (!st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: import outside a run",
				st->path);
	if (put_record(st, SQL_IMPORT_RECORD, h, rec, err) < 0)
		return -1;
	return sqlite3_changes(st->db) > 0;
}

/* Bind raw as TEXT when it is UTF-8, else as a BLOB (bytes kept). */
static int bind_raw(sqlite3_stmt *s, int i, struct strview raw)
{
	if (utf8_is_valid(raw))
		return bind_sv(s, i, raw);
	return sqlite3_bind_blob64(s, i, raw.p, raw.len, SQLITE_STATIC);
}

static sqlite3_stmt *reject_stmt(struct stage *st, const char *tool,
				 const char *field, const char *reason,
				 struct strview raw, struct mbr_err *err)
{
	sqlite3_stmt *s = own_stmt(st, SQL_PUT_REJECT, err);
	int rc;

	if (!s)
		return NULL;
	sqlite3_clear_bindings(s);
	bind_run(st, s, 1);
	bind_sv(s, 2, sv(tool));
	bind_sv(s, 6, field ? sv(field) : svn(NULL, 0));
	bind_sv(s, 7, reason ? sv(reason) : svn(NULL, 0));
	rc = bind_raw(s, 8, raw);
	if (rc == SQLITE_OK)
		return s;
	db_fail(st, rc, "cannot store reject", err);
	return NULL;
}

static void bind_line(sqlite3_stmt *s, int i, unsigned long line)
{
	if (line)
		sqlite3_bind_int64(s, i, (sqlite3_int64)line);
	else
		sqlite3_bind_null(s, i);
}

int stage_put_reject(struct stage *st, const struct header *h,
		     const struct record *rec, unsigned long line,
		     const char *tool, const char *field, const char *reason,
		     struct strview raw, struct mbr_err *err)
{
	sqlite3_stmt *s;
	char row[32];
	struct strview src_row;
	int rc;

	s = reject_stmt(st, tool, field, reason, raw, err);
	if (!s)
		return -1;
	bind_col(s, 3, rec, h->canon[CF_SOURCE]);
	bind_col(s, 4, rec, h->canon[CF_SOURCE_ID]);
	src_row = record_canon(rec, h, CF_SOURCE_ROW);
	if (!src_row.len)
		src_row = svn(row, (size_t)snprintf(row, sizeof(row), "%lu",
						    rec->row));
	bind_sv(s, 5, src_row);
	bind_line(s, 10, line);
	buf_reset(&st->json);
	json_record(&st->json, h, rec);
	rc = bind_sv(s, 9, buf_view(&st->json));
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "cannot store reject", err);
	return step_done(st, s, "cannot store reject", err);
}

int stage_put_reject_raw(struct stage *st, const struct reject_at *at,
			 const char *tool, const char *reason,
			 struct strview raw, struct mbr_err *err)
{
	sqlite3_stmt *s = reject_stmt(st, tool, NULL, reason, raw, err);

	if (!s)
		return -1;
	bind_sv(s, 3, at->source);
	bind_sv(s, 4, at->source_id.len ? at->source_id : svn(NULL, 0));
	bind_sv(s, 5, at->row);
	bind_line(s, 10, at->line);
	return step_done(st, s, "cannot store reject", err);
}

int stage_delete_record(struct stage *st, struct strview source,
			struct strview source_id, struct mbr_err *err)
{
	sqlite3_stmt *s = own_stmt(st, SQL_DELETE_RECORD, err);

	if (!s)
		return -1;
	bind_sv(s, 1, source);
	bind_sv(s, 2, source_id);
	return step_done(st, s, "cannot delete record", err);
}

/*
 * Generic statements
 */

/* The prepared statement for sql from the cache, preparing it (and
 * evicting the least recently used) when it is not there. */
static sqlite3_stmt *exec_stmt(struct stage *st, const char *sql,
			       struct mbr_err *err)
{
	struct exec_slot *victim = &st->exec[0];
	sqlite3_stmt *s;

	for (int i = 0; i < EXEC_SLOTS; i++) {
		struct exec_slot *slot = &st->exec[i];

		if (slot->sql && !strcmp(slot->sql, sql)) {
			slot->used = ++st->tick;
			return slot->stmt;
		}
		if (slot->used < victim->used)
			victim = slot;
	}
	s = prepare(st, sql, SQLITE_PREPARE_PERSISTENT, err);
	if (!s)
		return NULL;
	sqlite3_finalize(victim->stmt);
	free(victim->sql);
	victim->sql = xstrdup(sql);
	victim->stmt = s;
	victim->used = ++st->tick;
	return s;
}

static int bind_strs(struct stage *st, sqlite3_stmt *s,
		     const char *const *binds, size_t n, struct mbr_err *err)
{
	if (bind_count(st, s, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = bind_sv(s, (int)i + 1,
				 binds[i] ? sv(binds[i]) : svn(NULL, 0));

		if (rc != SQLITE_OK)
			return db_fail(st, rc, "cannot bind value", err);
	}
	return 0;
}

static int bind_copies(struct stage *st, sqlite3_stmt *s,
		       const char *const *binds, size_t n, struct mbr_err *err)
{
	if (bind_count(st, s, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = binds[i] ? sqlite3_bind_text(s, (int)i + 1, binds[i],
						      -1, SQLITE_TRANSIENT)
				  : sqlite3_bind_null(s, (int)i + 1);

		if (rc != SQLITE_OK)
			return db_fail(st, rc, "cannot bind value", err);
	}
	return 0;
}

static int bind_svs(struct stage *st, sqlite3_stmt *s,
		    const struct strview *binds, size_t n, struct mbr_err *err)
{
	if (bind_count(st, s, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = bind_sv(s, (int)i + 1, binds[i]);

		if (rc != SQLITE_OK)
			return db_fail(st, rc, "cannot bind value", err);
	}
	return 0;
}

int stage_exec(struct stage *st, const char *sql, const char *const *binds,
	       size_t n_binds, struct mbr_err *err)
{
	sqlite3_stmt *s = exec_stmt(st, sql, err);

	if (!s || bind_strs(st, s, binds, n_binds, err) < 0)
		return -1;
	return step_done(st, s, "cannot write", err);
}

int stage_exec_sv(struct stage *st, const char *sql,
		  const struct strview *binds, size_t n_binds,
		  struct mbr_err *err)
{
	sqlite3_stmt *s = exec_stmt(st, sql, err);

	if (!s || bind_svs(st, s, binds, n_binds, err) < 0)
		return -1;
	return step_done(st, s, "cannot write", err);
}

long long stage_changes(const struct stage *st)
{
	return sqlite3_changes64(st->db);
}

/*
 * Cursors
 */

static struct stage_cursor *cursor_new(struct stage *st, sqlite3_stmt *s)
{
	struct stage_cursor *c = xcalloc(1, sizeof(*c));

	c->st = st;
	c->stmt = s;
	c->n_cols = sqlite3_column_count(s);
	record_init(&c->names);
	buf_init(&c->scratch, RECORD_MAX_BYTES);
	buf_init(&c->key, RECORD_MAX_BYTES);
	return c;
}

void stage_cursor_free(struct stage_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->stmt);
	record_release(&c->names);
	buf_release(&c->scratch);
	buf_release(&c->key);
	free(c->ex_off);
	free(c->ex_len);
	free(c);
}

struct stage_cursor *stage_query(struct stage *st, const char *sql,
				 const char *const *binds, size_t n_binds,
				 struct mbr_err *err)
{
	sqlite3_stmt *s = prepare(st, sql, 0, err);
	struct stage_cursor *c;

	if (!s)
		return NULL;
	/* A cursor outlives its caller's binds: SQLite keeps copies. */
	if (bind_copies(st, s, binds, n_binds, err) < 0) {
		sqlite3_finalize(s);
		return NULL;
	}
	c = cursor_new(st, s);
	for (int i = 0; i < c->n_cols; i++) {
		const char *name = sqlite3_column_name(s, i);

		record_add(&c->names, name ? name : "",
			   name ? strlen(name) : 0);
	}
	return c;
}

/* The pass-through column names, in order of first appearance. */
static int read_extra_names(struct stage *st, struct record *names,
			    struct mbr_err *err)
{
	sqlite3_stmt *s = prepare(st,
				  "SELECT name FROM extra_columns "
				  "ORDER BY pos",
				  0, err);
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		record_add(names, (const char *)sqlite3_column_text(s, 0),
			   (size_t)sqlite3_column_bytes(s, 0));
	if (rc != SQLITE_DONE)
		db_fail(st, rc, "cannot read column names", err);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static char *records_sql(void)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	buf_adds(&b, "SELECT ");
	for (int f = 0; f < CF_COUNT; f++)
		buf_addf(&b, "%s, ", canon_name(f));
	buf_adds(&b, "extra, issues FROM records ORDER BY record_id");
	return buf_detach(&b);
}

struct stage_cursor *stage_read_records(struct stage *st, struct mbr_err *err)
{
	struct record extra;
	struct stage_cursor *c = NULL;
	char *sql = records_sql();
	sqlite3_stmt *s;

	record_init(&extra);
	s = read_extra_names(st, &extra, err) < 0 ? NULL
						  : prepare(st, sql, 0, err);
	free(sql);
	if (!s)
		goto done;
	c = cursor_new(st, s);
	c->expand = true;
	c->n_extra = extra.n;
	c->ex_off = xcalloc(extra.n, sizeof(*c->ex_off));
	c->ex_len = xcalloc(extra.n, sizeof(*c->ex_len));
	for (int f = 0; f < CF_COUNT; f++)
		record_add(&c->names, canon_name(f), strlen(canon_name(f)));
	for (size_t j = 0; j < extra.n; j++)
		record_addsv(&c->names, record_field(&extra, j));
	record_add(&c->names, COL_ISSUES, strlen(COL_ISSUES));
done:
	record_release(&extra);
	return c;
}

int stage_cursor_header(struct stage_cursor *c, struct header *h)
{
	return header_set(h, &c->names);
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The pass-through column named c->key, or -1 (a name unknown to
 * extra_columns, which only a hand edit makes, is dropped). Keys come in
 * column order, so the search starts after the last one found. */
static long extra_find(struct stage_cursor *c)
{
	struct strview key = buf_view(&c->key);

	for (size_t k = 0; k < c->n_extra; k++) {
		size_t j = (c->hint + k) % c->n_extra;

		if (sv_eq(record_field(&c->names, CF_COUNT + j), key)) {
			c->hint = j + 1;
			return (long)j;
		}
	}
	return -1;
}

/* Decode the `"key": "value"` at *pp: the value into the scratch, noted
 * as its column's. *pp ends after the pair and white space. */
static int extra_pair(struct stage_cursor *c, const char **pp, const char *end)
{
	const char *p = skip_ws(*pp, end);
	size_t off;
	long j;

	buf_reset(&c->key);
	if (p == end || *p++ != '"' || json_unstr(&p, end, &c->key) < 0)
		return -1;
	p = skip_ws(p, end);
	if (p == end || *p++ != ':')
		return -1;
	p = skip_ws(p, end);
	off = c->scratch.len;
	if (p == end || *p++ != '"' || json_unstr(&p, end, &c->scratch) < 0)
		return -1;
	j = extra_find(c);
	if (j >= 0) {
		c->ex_off[j] = off;
		c->ex_len[j] = c->scratch.len - off;
	}
	*pp = skip_ws(p, end);
	return 0;
}

/* Decode the extra object p (NULL: none) into the columns' values. */
static int extra_parse(struct stage_cursor *c, const char *p, size_t len)
{
	const char *end = p + len;

	buf_reset(&c->scratch);
	memset(c->ex_len, 0, c->n_extra * sizeof(*c->ex_len));
	if (!p)
		return 0;
	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		return -1;
	p = skip_ws(p, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		if (extra_pair(c, &p, end) < 0 || p == end)
			return -1;
		if (*p == '}')
			return skip_ws(p + 1, end) == end ? 0 : -1;
		if (*p++ != ',')
			return -1;
	}
}

static int add_column(struct stage_cursor *c, struct record *rec, int col)
{
	const char *p = (const char *)sqlite3_column_text(c->stmt, col);
	size_t len = (size_t)sqlite3_column_bytes(c->stmt, col);

	return record_add(rec, p ? p : "", p ? len : 0);
}

static int row_plain(struct stage_cursor *c, struct record *rec)
{
	for (int i = 0; i < c->n_cols; i++)
		if (add_column(c, rec, i) < 0)
			return -1;
	return 0;
}

/* Canonical columns, the extra JSON spread into its columns, _issues. */
static int row_expand(struct stage_cursor *c, struct record *rec,
		      struct mbr_err *err)
{
	const char *json = (const char *)sqlite3_column_text(c->stmt, CF_COUNT);
	size_t len = (size_t)sqlite3_column_bytes(c->stmt, CF_COUNT);

	if (extra_parse(c, json, len) < 0)
		return mbr_fail(err, MBR_EIO,
				"%s: records row %lu: malformed extra column",
				c->st->path, c->row);
	for (int f = 0; f < CF_COUNT; f++)
		if (add_column(c, rec, f) < 0)
			goto too_big;
	for (size_t j = 0; j < c->n_extra; j++)
		if (record_add(rec, c->scratch.p + c->ex_off[j], c->ex_len[j]) <
		    0)
			goto too_big;
	if (add_column(c, rec, CF_COUNT + 1) < 0)
		goto too_big;
	return 0;
too_big:
	return mbr_fail(err, MBR_EIO, "%s: records row %lu: record too large",
			c->st->path, c->row);
}

int stage_cursor_next(struct stage_cursor *c, struct record *rec,
		      struct mbr_err *err)
{
	int rc;

	if (c->done)
		return 0;
	rc = sqlite3_step(c->stmt);
	if (rc != SQLITE_ROW) {
		/* Stepping again after the end would rerun the query. */
		c->done = true;
		return rc == SQLITE_DONE
			       ? 0
			       : db_fail(c->st, rc, "cannot read", err);
	}
	record_reset(rec);
	rec->row = ++c->row;
	if (c->expand)
		return row_expand(c, rec, err) < 0 ? -1 : 1;
	if (row_plain(c, rec) < 0)
		return mbr_fail(err, MBR_EIO, "%s: row %lu: record too large",
				c->st->path, c->row);
	return 1;
}

/*
 * Plain databases (mbr-export --format sqlite)
 */

/* journal_mode answers with the mode it took. */
static int set_journal_memory(struct stage *st, struct mbr_err *err)
{
	sqlite3_stmt *s = prepare(st, "PRAGMA journal_mode = MEMORY", 0, err);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		db_fail(st, rc, "cannot set the journal mode", err);
		sqlite3_finalize(s);
		return -1;
	}
	rc = sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), "memory");
	sqlite3_finalize(s);
	if (rc)
		return mbr_fail(err, MBR_EIO,
				"%s: cannot keep the journal in memory",
				st->path);
	return 0;
}

struct stage *stage_open_plain(const char *path, const char *name,
			       struct mbr_err *err)
{
	struct stage *st = xcalloc(1, sizeof(*st));
	int rc;

	st->path = xstrdup(name);
	st->busy_ms = busy_timeout();
	plan_init(&st->plan);
	buf_init(&st->json, BUF_NOLIMIT);
	/* No SQLITE_OPEN_CREATE: the caller made the file, mode 0600. */
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (st->db)
			db_fail(st, rc, "cannot open database", err);
		else
			mbr_fail(err, MBR_EINTERNAL, "%s: out of memory", name);
		goto fail;
	}
	if (set_journal_memory(st, err) < 0 ||
	    run_sql(st, "BEGIN IMMEDIATE", "cannot begin", err) < 0)
		goto fail;
	return st;
fail:
	stage_close(st);
	return NULL;
}

int stage_commit_plain(struct stage *st, struct mbr_err *err)
{
	if (run_sql(st, "COMMIT", "cannot commit", err) == 0)
		return 0;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
