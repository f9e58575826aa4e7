/*
 * stage: the staging database's schema and the typed calls every tool
 * makes on it (stage.h), on the SQLite gateway (db.h). Its SQL is here:
 * no other module writes the staging schema's SQL.
 *
 * The file is created by us with open(O_CREAT | O_EXCL, 0600) before
 * SQLite sees it: member data is personal data (db.c says why the
 * journals are 0600 too, and how the connection is set up).
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

#include "canon.h"
#include "db.h"
#include "json.h"
#include "mask.h"
#include "utf8.h"

static const char sql_put_reject[] =
	"INSERT INTO rejects (run_id, tool, source, source_id, "
	"source_row, field, reason, raw, record, source_line) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_delete_record[] =
	"DELETE FROM records WHERE source = ?1 AND source_id = ?2";
/* Positions count from 1 in order of first appearance. */
static const char sql_add_extra_column[] =
	"INSERT OR IGNORE INTO extra_columns (name, pos) VALUES (?1, "
	"(SELECT coalesce(max(pos), 0) + 1 FROM extra_columns))";
static const char sql_begin_run[] =
	"INSERT INTO runs (tool, args, started, status) VALUES (?1, ?2, "
	"strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'running')";
static const char sql_end_run[] =
	"UPDATE runs SET ended = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
	"n_in = ?2, n_out = ?3, n_rejected = ?4, n_flagged = ?5, "
	"status = ?6 WHERE run_id = ?1";
static const char sql_set_version[] =
	"INSERT OR REPLACE INTO meta (key, value) "
	"VALUES ('schema_version', ?1)";
static const char sql_get_version[] =
	"SELECT value FROM meta WHERE key = 'schema_version'";

/* The schema. "@" stands for the canonical columns as TEXT, in DESIGN
 * order. records has an INTEGER PRIMARY KEY so that its insertion order
 * (the order reading returns) survives VACUUM. */
static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
	"CREATE TABLE IF NOT EXISTS records (record_id INTEGER PRIMARY KEY, "
	"@, extra TEXT, issues TEXT, run_id INTEGER, deleted_run INTEGER, "
	"UNIQUE (source, source_id))",
	"CREATE TABLE IF NOT EXISTS extra_columns (name TEXT PRIMARY KEY, "
	"pos INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS rejects (run_id INTEGER, tool TEXT, "
	"source TEXT, source_id TEXT, source_row TEXT, field TEXT, "
	"reason TEXT, raw BLOB, record TEXT, source_line INTEGER)",
	"CREATE INDEX IF NOT EXISTS rejects_run ON rejects (run_id)",
	"CREATE INDEX IF NOT EXISTS rejects_key ON rejects (source, source_id)",
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
	"merged_into TEXT NOT NULL, run_id INTEGER, reason TEXT)",
	"CREATE TABLE IF NOT EXISTS tombstones (master_id TEXT, source TEXT, "
	"key_hash TEXT, erased TEXT, reason TEXT, run_id INTEGER)",
	"CREATE INDEX IF NOT EXISTS tombstones_key ON tombstones "
	"(key_hash, source)",
	"CREATE TABLE IF NOT EXISTS masters (master_id TEXT PRIMARY KEY, "
	"@, member_count INTEGER, sources TEXT, run_id INTEGER)",
	"CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY, "
	"tool TEXT NOT NULL, args TEXT, started TEXT, ended TEXT, "
	"n_in INTEGER, n_out INTEGER, n_rejected INTEGER, "
	"n_flagged INTEGER, status TEXT)",
	"CREATE TABLE IF NOT EXISTS decisions (a_source TEXT NOT NULL, "
	"a_source_id TEXT NOT NULL, b_source TEXT NOT NULL, "
	"b_source_id TEXT NOT NULL, decision TEXT NOT NULL, who TEXT, "
	"decided_at TEXT, file TEXT, line INTEGER, run_id INTEGER, "
	"PRIMARY KEY (a_source, a_source_id, b_source, b_source_id))",
};

/* What turns a database of version i + 1 into version i + 2; a new
 * database gets the schema above, which is the latest. */
static const char *const migrations[] = {
	/* 1 -> 2: rejects name the line where a row starts; a record's
	 * cluster in a given run is one index probe */
	"ALTER TABLE rejects ADD COLUMN source_line INTEGER;"
	"DROP INDEX IF EXISTS clusters_key;"
	"CREATE INDEX clusters_key ON clusters (source, source_id, run_id)",
	/* 2 -> 3: analysts' decisions on pairs, kept for every later run */
	"CREATE TABLE IF NOT EXISTS decisions (a_source TEXT NOT NULL, "
	"a_source_id TEXT NOT NULL, b_source TEXT NOT NULL, "
	"b_source_id TEXT NOT NULL, decision TEXT NOT NULL, who TEXT, "
	"decided_at TEXT, file TEXT, line INTEGER, run_id INTEGER, "
	"PRIMARY KEY (a_source, a_source_id, b_source, b_source_id))",
	/* 3 -> 4: snapshots mark records deleted at source; retired IDs say
	 * why (merged, deleted at source, erased); erasure leaves tombstones;
	 * a record's rejects are found by its key (snapshots, erasure) */
	"ALTER TABLE records ADD COLUMN deleted_run INTEGER;"
	"ALTER TABLE retired ADD COLUMN reason TEXT;"
	"UPDATE retired SET reason = 'merged';"
	"CREATE TABLE tombstones (master_id TEXT, source TEXT, "
	"key_hash TEXT, erased TEXT, reason TEXT, run_id INTEGER);"
	"CREATE INDEX tombstones_key ON tombstones (key_hash, source);"
	"CREATE INDEX IF NOT EXISTS rejects_key ON rejects (source, source_id)",
};

/* Parameters of the records upsert after the canonical ones. */
enum {
	PUT_EXTRA = CF_COUNT + 1,
	PUT_ISSUES,
	PUT_RUN_ID,
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
	struct db *db;	   /* owned */
	bool dry;	   /* stage_open_dry: nothing is ever committed */
	int version;	   /* dry: the stored schema version, brought up
			      to date inside the run (rolled back) */
	char *path;	   /* owned: for messages */
	long long run_id;  /* the open run, or 0 */
	char *put_sql;	   /* owned: the records upsert */
	char *import_sql;  /* owned: the same, once per key and run */
	char *masters_sql; /* owned: INSERT INTO masters, made when used */
	struct plan plan;  /* for the last header stage_put_record saw */
	struct buf json;   /* extra or record JSON; reset per record */
	struct buf text;   /* a value read back */
	struct buf hash;   /* a tombstone's key hash */
	int tombs;	   /* the open run's database has tombstones: 1, none:
			      0, not looked yet: -1 */
};

struct stage_cursor {
	struct stage *st;      /* borrowed */
	struct db_cursor *cur; /* owned */
	struct record names;   /* owned: the column names */
	struct record raw;     /* owned: expand: the row as stored */
	bool expand;	       /* stage_read_records: expand the extra JSON */
	size_t n_extra;	       /* expand: pass-through columns */
	size_t *ex_off;	       /* owned: expand: value j at scratch + off */
	size_t *ex_len;	       /* owned: its length; 0 when absent */
	struct buf scratch;    /* owned: expand: decoded values */
	struct buf key;	       /* owned: expand: the key being decoded */
	size_t hint;	       /* expand: where the next key is likely */
};

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
	struct db_stmt *s = db_stmt(st->db, sql_add_extra_column, err);

	if (!s)
		return -1;
	pl->extra[pl->n_extra] = col;
	json_str(&pl->keys, name);
	buf_addc(&pl->keys, ':');
	pl->key_end[pl->n_extra++] = pl->keys.len;
	db_bind_text(s, 1, name);
	return db_done(s, "cannot store column name", err);
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

/* The first column of the one row sql returns, as text, into out (empty
 * when there is no row). */
static int query_text(struct stage *st, const char *sql, struct buf *out,
		      struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(st->db, sql, err);

	return s ? db_text(s, out, err) : -1;
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
			rc = query_text(st, sql_get_version, &v, err);
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
 * up to date, in the transaction open. */
static int schema_apply(struct stage *st, int version, struct mbr_err *err)
{
	struct buf sql;
	struct db_stmt *s;
	int rc = 0;

	buf_init(&sql, BUF_NOLIMIT);
	for (size_t i = 0;
	     rc == 0 && version == 0 && i < sizeof(schema) / sizeof(*schema);
	     i++) {
		schema_expand(&sql, schema[i]);
		rc = db_script(st->db, sql.p, "cannot create schema", err);
	}
	for (int v = version; rc == 0 && v > 0 && v < STAGE_SCHEMA_VERSION; v++)
		rc = db_script(st->db, migrations[v - 1],
			       "cannot update schema", err);
	buf_release(&sql);
	s = rc == 0 ? db_stmt(st->db, sql_set_version, err) : NULL;
	if (!s)
		return -1;
	db_bind_int(s, 1, STAGE_SCHEMA_VERSION);
	return db_done(s, "cannot store schema version", err);
}

/* The same in a transaction of its own. */
static int schema_update(struct stage *st, int version, struct mbr_err *err)
{
	if (db_begin(st->db, err) < 0)
		return -1;
	if (schema_apply(st, version, err) == 0)
		return db_commit(st->db, err);
	db_rollback(st->db);
	return -1;
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
	if (st->dry) {
		st->version = version; /* updated in the run, rolled back */
		return 0;
	}
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
	/* An import that stores a record deleted at source brings it back. */
	if (once)
		buf_adds(&b, ", deleted_run = NULL WHERE records.run_id IS NOT "
			     "excluded.run_id");
	return buf_detach(&b);
}

/* Open, look before changing anything (WAL mode would be a change to
 * another application's file), then make it ours. */
static int connect(struct stage *st, struct mbr_err *err)
{
	int version;

	st->db = db_open(st->path, st->path, 0, err);
	if (!st->db || schema_version(st, &version, err) < 0 ||
	    tighten_all(st->path, err) < 0 || db_use_wal(st->db, err) < 0)
		return -1;
	return schema_check(st, version, err);
}

static struct stage *stage_new(const char *path)
{
	struct stage *st = xcalloc(1, sizeof(*st));

	st->path = xstrdup(path);
	plan_init(&st->plan);
	/* No limit here: SQLite refuses a value over 1 GB (SQLITE_TOOBIG). */
	buf_init(&st->json, BUF_NOLIMIT);
	buf_init(&st->text, BUF_NOLIMIT);
	buf_init(&st->hash, BUF_NOLIMIT);
	st->tombs = -1;
	return st;
}

static struct stage *open_as(const char *path, bool dry, struct mbr_err *err)
{
	struct stage *st;

	if ((!dry && create_file(path, err) < 0) || check_dir(path, err) < 0)
		return NULL;
	st = stage_new(path);
	st->dry = dry;
	st->version = STAGE_SCHEMA_VERSION;
	st->put_sql = put_sql(false);
	st->import_sql = put_sql(true);
	if (connect(st, err) < 0) {
		stage_close(st);
		return NULL;
	}
	return st;
}

struct stage *stage_open(const char *path, struct mbr_err *err)
{
	return open_as(path, false, err);
}

struct stage *stage_open_dry(const char *path, struct mbr_err *err)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		mbr_fail(err, MBR_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return open_as(path, true, err);
}

void stage_close(struct stage *st)
{
	if (!st)
		return;
	stage_rollback(st);
	db_close(st->db);
	plan_release(&st->plan);
	buf_release(&st->json);
	buf_release(&st->text);
	buf_release(&st->hash);
	free(st->put_sql);
	free(st->import_sql);
	free(st->masters_sql);
	free(st->path);
	free(st);
}

void stage_set_busy_timeout(struct stage *st, int ms)
{
	db_set_busy_timeout(st->db, ms);
}

int stage_set_cache(struct stage *st, size_t bytes, struct mbr_err *err)
{
	char sql[64];

	/* a negative cache_size is in KiB */
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%zu", bytes / 1024);
	return db_exec(st->db, sql, NULL, 0, err);
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
	struct db_stmt *s;

	if (st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: a run is already open",
				st->path);
	/* IMMEDIATE takes the write lock now, so a second run waits here
	 * (busy timeout) instead of failing half-way through its work. */
	if (db_begin(st->db, err) < 0)
		return -1;
	plan_forget(&st->plan);
	if (st->version != STAGE_SCHEMA_VERSION &&
	    schema_apply(st, st->version, err) < 0)
		goto fail;
	s = db_stmt(st->db, sql_begin_run, err);
	if (!s)
		goto fail;
	db_bind_text(s, 1, sv(tool));
	db_bind_text(s, 2, args ? sv(args) : svn(NULL, 0));
	if (db_done(s, "cannot begin run", err) < 0)
		goto fail;
	st->run_id = db_last_id(st->db);
	st->tombs = -1;
	return 0;
fail:
	db_rollback(st->db);
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
	struct db_stmt *s;

	if (!st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: no run to commit",
				st->path);
	if (st->dry) {
		stage_rollback(st);
		return mbr_fail(err, MBR_EINTERNAL,
				"%s: a dry run cannot commit", st->path);
	}
	s = db_stmt(st->db, sql_end_run, err);
	if (!s)
		goto fail;
	db_bind_int(s, 1, st->run_id);
	db_bind_int(s, 2, (long long)in);
	db_bind_int(s, 3, (long long)out);
	db_bind_int(s, 4, (long long)rejected);
	db_bind_int(s, 5, (long long)flagged);
	db_bind_text(s, 6, sv(status));
	if (db_done(s, "cannot end run", err) < 0 || db_commit(st->db, err) < 0)
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
	db_rollback(st->db);
	st->run_id = 0;
	plan_forget(&st->plan);
}

/*
 * Records and rejects
 */

/* Bind a column of rec, or NULL when h has no such column. */
static void bind_col(struct db_stmt *s, int i, const struct record *rec,
		     int col)
{
	if (col < 0)
		db_bind_null(s, i);
	else
		db_bind_text(s, i, record_field(rec, (size_t)col));
}

static void bind_run(const struct stage *st, struct db_stmt *s, int i)
{
	if (st->run_id)
		db_bind_int(s, i, st->run_id);
	else
		db_bind_null(s, i);
}

static void bind_extra(struct stage *st, struct db_stmt *s,
		       const struct record *rec)
{
	const struct plan *pl = &st->plan;
	size_t key = 0;

	if (!pl->n_extra) {
		db_bind_null(s, PUT_EXTRA);
		return;
	}
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
	db_bind_text(s, PUT_EXTRA, buf_view(&st->json));
}

static int put_record(struct stage *st, const char *sql, const struct header *h,
		      const struct record *rec, struct mbr_err *err)
{
	struct db_stmt *s;

	if (!record_canon(rec, h, CF_SOURCE).len ||
	    !record_canon(rec, h, CF_SOURCE_ID).len)
		return mbr_fail(err, MBR_EIO,
				"%s: record %lu: empty source or source_id "
				"cannot be staged",
				st->path, rec->row);
	if (!plan_fits(&st->plan, h) && plan_make(st, h, err) < 0)
		return -1;
	s = db_stmt(st->db, sql, err);
	if (!s)
		return -1;
	for (int f = 0; f < CF_COUNT; f++)
		bind_col(s, f + 1, rec, h->canon[f]);
	bind_extra(st, s, rec);
	bind_col(s, PUT_ISSUES, rec, st->plan.issues);
	bind_run(st, s, PUT_RUN_ID);
	return db_done(s, "cannot store record", err);
}

/* A tombstone's key: a keyed hash of source_id (the source the key),
 * into st->hash. It recognises the record when a source sends it again;
 * it does not hide a member number from one who tries them all. */
static int key_hash(struct stage *st, struct strview source,
		    struct strview source_id, struct mbr_err *err)
{
	buf_reset(&st->hash);
	if (mask_pseudonym(source, source_id, &st->hash) < 0)
		return mbr_fail(err, MBR_EINTERNAL, "cannot hash a key");
	return 0;
}

/* 1 when (source, source_id) was erased (a tombstone has it), else 0;
 * -1 with err. A database without tombstones is asked once per run. */
static int is_erased(struct stage *st, struct strview source,
		     struct strview source_id, struct mbr_err *err)
{
	struct db_stmt *s;

	if (st->tombs < 0) {
		if (query_text(st, "SELECT count(*) > 0 FROM tombstones",
			       &st->text, err) < 0)
			return -1;
		st->tombs = st->text.p[0] == '1';
	}
	if (!st->tombs || !source_id.len)
		return 0;
	if (key_hash(st, source, source_id, err) < 0)
		return -1;
	s = db_stmt(st->db,
		    "SELECT count(*) FROM tombstones WHERE key_hash = ?1 AND "
		    "source = ?2",
		    err);
	if (!s)
		return -1;
	db_bind_text(s, 1, buf_view(&st->hash));
	db_bind_text(s, 2, source);
	if (db_text(s, &st->text, err) < 0)
		return -1;
	return strcmp(st->text.p, "0") != 0;
}

int stage_put_record(struct stage *st, const struct header *h,
		     const struct record *rec, struct mbr_err *err)
{
	return put_record(st, st->put_sql, h, rec, err);
}

int stage_import_record(struct stage *st, const struct header *h,
			const struct record *rec, struct mbr_err *err)
{
	int erased;

	if (!st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: import outside a run",
				st->path);
	erased = is_erased(st, record_canon(rec, h, CF_SOURCE),
			   record_canon(rec, h, CF_SOURCE_ID), err);
	if (erased)
		return erased < 0 ? -1 : STAGE_IMPORT_ERASED;
	if (put_record(st, st->import_sql, h, rec, err) < 0)
		return -1;
	return db_changes(st->db) > 0;
}

static struct db_stmt *reject_stmt(struct stage *st, const char *tool,
				   const char *field, const char *reason,
				   struct strview raw, struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(st->db, sql_put_reject, err);

	if (!s)
		return NULL;
	bind_run(st, s, 1);
	db_bind_text(s, 2, sv(tool));
	db_bind_text(s, 6, field ? sv(field) : svn(NULL, 0));
	db_bind_text(s, 7, reason ? sv(reason) : svn(NULL, 0));
	db_bind_raw(s, 8, raw);
	db_bind_null(s, 9);
	return s;
}

static void bind_line(struct db_stmt *s, int i, unsigned long line)
{
	if (line)
		db_bind_int(s, i, (long long)line);
	else
		db_bind_null(s, i);
}

int stage_put_reject(struct stage *st, const struct header *h,
		     const struct record *rec, unsigned long line,
		     const char *tool, const char *field, const char *reason,
		     struct strview raw, struct mbr_err *err)
{
	struct db_stmt *s = reject_stmt(st, tool, field, reason, raw, err);
	char row[32];
	struct strview src_row;

	if (!s)
		return -1;
	bind_col(s, 3, rec, h->canon[CF_SOURCE]);
	bind_col(s, 4, rec, h->canon[CF_SOURCE_ID]);
	src_row = record_canon(rec, h, CF_SOURCE_ROW);
	if (!src_row.len)
		src_row = svn(row, (size_t)snprintf(row, sizeof(row), "%lu",
						    rec->row));
	db_bind_text(s, 5, src_row);
	bind_line(s, 10, line);
	buf_reset(&st->json);
	json_record(&st->json, h, rec);
	db_bind_text(s, 9, buf_view(&st->json));
	return db_done(s, "cannot store reject", err);
}

int stage_put_reject_raw(struct stage *st, const struct reject_at *at,
			 const char *tool, const char *reason,
			 struct strview raw, struct mbr_err *err)
{
	struct db_stmt *s = reject_stmt(st, tool, NULL, reason, raw, err);

	if (!s)
		return -1;
	db_bind_text(s, 3, at->source);
	db_bind_text(s, 4, at->source_id.len ? at->source_id : svn(NULL, 0));
	db_bind_text(s, 5, at->row);
	bind_line(s, 10, at->line);
	return db_done(s, "cannot store reject", err);
}

int stage_delete_record(struct stage *st, struct strview source,
			struct strview source_id, struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(st->db, sql_delete_record, err);

	if (!s)
		return -1;
	db_bind_text(s, 1, source);
	db_bind_text(s, 2, source_id);
	return db_done(s, "cannot delete record", err);
}

/*
 * Generic statements (to become typed calls)
 */

int stage_exec(struct stage *st, const char *sql, const char *const *binds,
	       size_t n_binds, struct mbr_err *err)
{
	struct strview v[64];

	if (n_binds > 64)
		return mbr_fail(err, MBR_EINTERNAL, "too many values");
	for (size_t i = 0; i < n_binds; i++)
		v[i] = binds[i] ? sv(binds[i]) : svn(NULL, 0);
	return db_exec(st->db, sql, v, n_binds, err);
}

int stage_exec_sv(struct stage *st, const char *sql,
		  const struct strview *binds, size_t n_binds,
		  struct mbr_err *err)
{
	return db_exec(st->db, sql, binds, n_binds, err);
}

long long stage_changes(const struct stage *st)
{
	return db_changes(st->db);
}

/*
 * Cursors
 */

static struct stage_cursor *cursor_new(struct stage *st, struct db_cursor *dc)
{
	struct stage_cursor *c = xcalloc(1, sizeof(*c));

	c->st = st;
	c->cur = dc;
	record_init(&c->names);
	record_init(&c->raw);
	buf_init(&c->scratch, RECORD_MAX_BYTES);
	buf_init(&c->key, RECORD_MAX_BYTES);
	return c;
}

void stage_cursor_free(struct stage_cursor *c)
{
	if (!c)
		return;
	db_cursor_free(c->cur);
	record_release(&c->names);
	record_release(&c->raw);
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
	struct db_cursor *dc = db_query(st->db, sql, binds, n_binds, err);
	struct stage_cursor *c;

	if (!dc)
		return NULL;
	c = cursor_new(st, dc);
	record_copy(&c->names, db_cursor_names(dc));
	return c;
}

/* The pass-through column names, in order of first appearance. */
static int read_extra_names(struct stage *st, struct record *names,
			    struct mbr_err *err)
{
	struct db_cursor *c =
		db_query(st->db, "SELECT name FROM extra_columns ORDER BY pos",
			 NULL, 0, err);
	struct record row;
	int rc;

	if (!c)
		return -1;
	record_init(&row);
	while ((rc = db_cursor_next(c, &row, err)) > 0)
		record_addsv(names, record_field(&row, 0));
	record_release(&row);
	db_cursor_free(c);
	return rc;
}

static char *records_sql(void)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	buf_adds(&b, "SELECT ");
	for (int f = 0; f < CF_COUNT; f++)
		buf_addf(&b, "%s, ", canon_name(f));
	buf_adds(&b, "extra, issues FROM records WHERE deleted_run IS NULL "
		     "ORDER BY record_id");
	return buf_detach(&b);
}

struct stage_cursor *stage_read_records(struct stage *st, struct mbr_err *err)
{
	struct record extra;
	struct stage_cursor *c = NULL;
	char *sql = records_sql();
	struct db_cursor *dc = NULL;

	record_init(&extra);
	if (read_extra_names(st, &extra, err) == 0)
		dc = db_query(st->db, sql, NULL, 0, err);
	free(sql);
	if (!dc)
		goto done;
	c = cursor_new(st, dc);
	c->expand = true;
	c->n_extra = extra.n;
	c->ex_off = xcalloc(extra.n + 1, sizeof(*c->ex_off));
	c->ex_len = xcalloc(extra.n + 1, sizeof(*c->ex_len));
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

/* Decode the extra object (empty: none) into the columns' values. */
static int extra_parse(struct stage_cursor *c, struct strview v)
{
	const char *p = v.p, *end = v.p + v.len;

	buf_reset(&c->scratch);
	memset(c->ex_len, 0, c->n_extra * sizeof(*c->ex_len));
	if (!v.len)
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

/* Canonical columns, the extra JSON spread into its columns, _issues. */
static int row_expand(struct stage_cursor *c, struct record *rec,
		      struct mbr_err *err)
{
	const struct record *r = &c->raw;

	if (extra_parse(c, record_field(r, CF_COUNT)) < 0)
		return mbr_fail(err, MBR_EIO,
				"%s: records row %lu: malformed extra column",
				c->st->path, r->row);
	record_reset(rec);
	rec->row = r->row;
	for (int f = 0; f < CF_COUNT; f++)
		if (record_addsv(rec, record_field(r, (size_t)f)) < 0)
			goto too_big;
	for (size_t j = 0; j < c->n_extra; j++)
		if (record_add(rec, c->scratch.p + c->ex_off[j], c->ex_len[j]) <
		    0)
			goto too_big;
	if (record_addsv(rec, record_field(r, CF_COUNT + 1)) < 0)
		goto too_big;
	return 0;
too_big:
	return mbr_fail(err, MBR_EIO, "%s: records row %lu: record too large",
			c->st->path, r->row);
}

int stage_cursor_next(struct stage_cursor *c, struct record *rec,
		      struct mbr_err *err)
{
	int rc;

	if (!c->expand)
		return db_cursor_next(c->cur, rec, err);
	rc = db_cursor_next(c->cur, &c->raw, err);
	if (rc <= 0)
		return rc;
	return row_expand(c, rec, err) < 0 ? -1 : 1;
}

/*
 * mbr-merge-id's tables: the crosswalk, retired IDs, golden masters
 */

struct stage_cursor *stage_read_xref(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT source, source_id, master_id, '' AS "
			   "merged_into FROM xref ORDER BY source, source_id",
			   NULL, 0, err);
}

struct stage_cursor *stage_read_retired(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT '' AS source, '' AS source_id, master_id, "
			   "merged_into FROM retired WHERE merged_into <> '' "
			   "ORDER BY master_id",
			   NULL, 0, err);
}

struct stage_cursor *stage_read_gone(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT master_id, reason FROM retired WHERE "
			   "merged_into = '' ORDER BY master_id",
			   NULL, 0, err);
}

/* The latest dedupe run's ID, as text ("0" when there is none). */
static int latest_clusters(struct stage *st, struct mbr_err *err)
{
	return query_text(st, "SELECT coalesce(max(run_id), 0) FROM clusters",
			  &st->text, err);
}

struct stage_cursor *stage_read_clustered(struct stage *st, struct mbr_err *err)
{
	struct stage_cursor *c;
	struct buf sql;
	const char *run;

	if (latest_clusters(st, err) < 0)
		return NULL;
	run = st->text.p;
	/* The run is a parameter, not a subquery: SQLite ran "(SELECT
	 * max(run_id) FROM clusters)" once per record, scanning the
	 * clusters table each time (10k records 11 s, 40k 447 s). With it
	 * bound, each record is one probe of clusters_key (source,
	 * source_id, run_id). */
	buf_init(&sql, BUF_NOLIMIT);
	buf_adds(&sql, "SELECT ");
	for (int f = 0; f < CF_COUNT; f++)
		buf_addf(&sql, "r.%s, ", canon_name((enum canon_field)f));
	buf_adds(&sql, "coalesce(r.issues, '') AS " COL_ISSUES ", "
		       "coalesce(c.cluster_id, '') AS " COL_CLUSTER_ID
		       " FROM records r LEFT JOIN clusters c"
		       " ON c.source = r.source AND c.source_id = r.source_id"
		       " AND c.run_id = ?1 WHERE r.deleted_run IS NULL"
		       " ORDER BY r.record_id");
	c = stage_query(st, sql.p, &run, 1, err);
	buf_release(&sql);
	return c;
}

struct stage_cursor *stage_read_masters(struct stage *st, struct mbr_err *err)
{
	return stage_query(st, "SELECT * FROM masters ORDER BY master_id", NULL,
			   0, err);
}

int stage_clear_masters(struct stage *st, struct mbr_err *err)
{
	return db_exec(st->db, "DELETE FROM masters", NULL, 0, err);
}

int stage_put_master(struct stage *st, const struct strview *golden,
		     struct mbr_err *err)
{
	struct db_stmt *s;

	if (!st->masters_sql) {
		struct buf b;

		buf_init(&b, BUF_NOLIMIT);
		buf_adds(&b, "INSERT INTO masters (");
		for (int f = 0; f < CF_COUNT; f++)
			buf_addf(&b, "%s, ", canon_name((enum canon_field)f));
		buf_adds(&b, "master_id, member_count, sources, run_id) "
			     "VALUES (");
		for (int i = 1; i <= STAGE_GOLDEN + 1; i++)
			buf_addf(&b, i > 1 ? ", ?%d" : "?%d", i);
		buf_addc(&b, ')');
		st->masters_sql = buf_detach(&b);
	}
	s = db_stmt(st->db, st->masters_sql, err);
	if (!s)
		return -1;
	for (int i = 0; i < STAGE_GOLDEN; i++)
		db_bind_text(s, i + 1, golden[i]);
	bind_run(st, s, STAGE_GOLDEN + 1);
	return db_done(s, "cannot store master", err);
}

int stage_put_xref(struct stage *st, struct strview source,
		   struct strview source_id, struct strview master_id,
		   bool seen, struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(
		st->db,
		"INSERT INTO xref (source, source_id, master_id, first_run, "
		"last_run) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source, "
		"source_id) DO UPDATE SET master_id = excluded.master_id, "
		"last_run = coalesce(excluded.last_run, last_run)",
		err);

	if (!s)
		return -1;
	db_bind_text(s, 1, source);
	db_bind_text(s, 2, source_id);
	db_bind_text(s, 3, master_id);
	bind_run(st, s, 4);
	if (seen)
		bind_run(st, s, 5);
	else
		db_bind_null(s, 5);
	return db_done(s, "cannot store crosswalk", err);
}

int stage_put_retired(struct stage *st, struct strview master_id,
		      struct strview merged_into, struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(
		st->db,
		"INSERT INTO retired (master_id, merged_into, run_id, reason) "
		"VALUES (?1, ?2, ?3, 'merged') ON CONFLICT (master_id) DO "
		"UPDATE SET merged_into = excluded.merged_into, "
		"reason = 'merged'",
		err);

	if (!s)
		return -1;
	db_bind_text(s, 1, master_id);
	db_bind_text(s, 2, merged_into);
	bind_run(st, s, 3);
	return db_done(s, "cannot store retired ID", err);
}

/*
 * mbr-dedupe's tables: the scored pairs and the clusters of a run
 */

int stage_put_pair(struct stage *st, const struct stage_pair *p,
		   struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(
		st->db,
		"INSERT INTO pairs (run_id, a_source, a_source_id, b_source, "
		"b_source_id, weight, probability, detail) "
		"VALUES (?1, ?2, ?3, ?4, ?5, round(?6, 2), round(?7, 6), ?8)",
		err);

	if (!s)
		return -1;
	bind_run(st, s, 1);
	db_bind_text(s, 2, p->a_source);
	db_bind_text(s, 3, p->a_source_id);
	db_bind_text(s, 4, p->b_source);
	db_bind_text(s, 5, p->b_source_id);
	db_bind_real(s, 6, p->weight);
	db_bind_real(s, 7, p->probability);
	db_bind_text(s, 8, p->detail);
	return db_done(s, "cannot store pair", err);
}

int stage_put_cluster(struct stage *st, struct strview source,
		      struct strview source_id, struct strview cluster_id,
		      struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(
		st->db,
		"INSERT INTO clusters (run_id, source, source_id, cluster_id) "
		"VALUES (?1, ?2, ?3, ?4)",
		err);

	if (!s)
		return -1;
	bind_run(st, s, 1);
	db_bind_text(s, 2, source);
	db_bind_text(s, 3, source_id);
	db_bind_text(s, 4, cluster_id);
	return db_done(s, "cannot store cluster", err);
}

int stage_forget_dedupe(struct stage *st, struct mbr_err *err)
{
	if (db_exec(st->db, "DELETE FROM pairs", NULL, 0, err) < 0)
		return -1;
	return db_exec(st->db, "DELETE FROM clusters", NULL, 0, err);
}

/*
 * Reports (mbr-profile, mbr-report): read-only views
 */

struct stage_cursor *stage_read_rejects(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT coalesce(source, '') AS source, "
			   "coalesce(tool, '') AS reject_tool, "
			   "coalesce(field, '') AS reject_field, "
			   "coalesce(reason, '') AS reject_reason "
			   "FROM rejects ORDER BY rowid",
			   NULL, 0, err);
}

struct stage_cursor *stage_read_runs(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT run_id, tool, coalesce(started, ''), "
			   "coalesce(ended, ''), coalesce(n_in, ''), "
			   "coalesce(n_out, ''), coalesce(n_rejected, ''), "
			   "coalesce(n_flagged, ''), coalesce(status, '') "
			   "FROM runs ORDER BY run_id",
			   NULL, 0, err);
}

struct stage_cursor *stage_read_pairs(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT a_source, a_source_id, b_source, "
			   "b_source_id, weight, probability, "
			   "coalesce(detail, '') FROM pairs WHERE run_id = "
			   "(SELECT max(run_id) FROM pairs) ORDER BY rowid",
			   NULL, 0, err);
}

struct stage_cursor *stage_read_points(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT (SELECT count(*) FROM records), "
			   "(SELECT coalesce(sum(CAST(points AS INTEGER)), 0) "
			   "FROM records), (SELECT count(*) FROM masters), "
			   "(SELECT coalesce(sum(CAST(points AS INTEGER)), 0) "
			   "FROM masters)",
			   NULL, 0, err);
}

int stage_put_decision(struct stage *st, const struct stage_decision *d,
		       struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(
		st->db,
		"INSERT OR REPLACE INTO decisions (a_source, a_source_id, "
		"b_source, b_source_id, decision, who, decided_at, file, line, "
		"run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		"coalesce(nullif(?7, ''), "
		"strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), ?8, ?9, ?10)",
		err);

	if (!s)
		return -1;
	db_bind_text(s, 1, d->a_source);
	db_bind_text(s, 2, d->a_source_id);
	db_bind_text(s, 3, d->b_source);
	db_bind_text(s, 4, d->b_source_id);
	db_bind_text(s, 5, d->decision);
	db_bind_text(s, 6, d->who);
	db_bind_text(s, 7, d->decided_at);
	db_bind_text(s, 8, d->file);
	db_bind_int(s, 9, (long long)d->line);
	bind_run(st, s, 10);
	return db_done(s, "cannot store decision", err);
}

struct stage_cursor *stage_read_decisions(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT a_source, a_source_id, b_source, "
			   "b_source_id, decision, who, decided_at, file, "
			   "line, run_id FROM decisions ORDER BY rowid",
			   NULL, 0, err);
}

/*
 * Dry runs
 */

/* Names made of [a-z0-9_] only reach the SQL text (quoted as well). */
static bool plain_name(struct strview n)
{
	if (!n.len || n.len >= STAGE_TABLE_NAME)
		return false;
	for (size_t i = 0; i < n.len; i++)
		if (!((n.p[i] >= 'a' && n.p[i] <= 'z') ||
		      (n.p[i] >= '0' && n.p[i] <= '9') || n.p[i] == '_'))
			return false;
	return true;
}

int stage_count_rows(struct stage *st, struct stage_count *out, size_t max,
		     size_t *n, struct mbr_err *err)
{
	struct db_cursor *c = db_query(
		st->db,
		"SELECT name FROM sqlite_master WHERE type = 'table' AND "
		"name NOT LIKE 'sqlite%' ORDER BY name",
		NULL, 0, err);
	struct record row;
	struct buf sql, v;
	int rc = 0, got = 0;

	*n = 0;
	if (!c)
		return -1;
	record_init(&row);
	buf_init(&sql, 4096);
	buf_init(&v, 4096);
	while (rc == 0 && *n < max &&
	       (got = db_cursor_next(c, &row, err)) > 0) {
		struct strview name = record_field(&row, 0);

		if (!plain_name(name))
			continue;
		buf_reset(&sql);
		buf_addf(&sql, "SELECT count(*) FROM \"%.*s\"", (int)name.len,
			 name.p);
		memcpy(out[*n].name, name.p, name.len);
		out[*n].name[name.len] = '\0';
		rc = query_text(st, sql.p, &v, err);
		out[*n].rows = rc == 0 ? strtoll(v.p, NULL, 10) : 0;
		(*n)++;
	}
	if (rc == 0 && got < 0)
		rc = -1;
	buf_release(&sql);
	buf_release(&v);
	record_release(&row);
	db_cursor_free(c);
	return rc;
}

/*
 * Snapshots: records deleted at source, and the masters they retire
 */

/* Records of ?1 present before the open run ?2 that it neither stored
 * nor rejected: a snapshot of the source no longer has them. */
#define MISSING_WHERE                                                       \
	"source = ?1 AND deleted_run IS NULL AND run_id IS NOT ?2 AND NOT " \
	"EXISTS (SELECT 1 FROM rejects j WHERE j.run_id = ?2 AND "          \
	"j.source = records.source AND j.source_id = records.source_id)"

/* The count sql returns for source (?1) and, with run, the open run (?2),
 * into *n. */
static int count_source(struct stage *st, const char *sql,
			struct strview source, bool run, unsigned long long *n,
			struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(st->db, sql, err);

	if (!s)
		return -1;
	db_bind_text(s, 1, source);
	if (run)
		bind_run(st, s, 2);
	if (db_text(s, &st->text, err) < 0)
		return -1;
	*n = strtoull(st->text.p, NULL, 10);
	return 0;
}

int stage_count_present(struct stage *st, struct strview source,
			unsigned long long *n, struct mbr_err *err)
{
	return count_source(st,
			    "SELECT count(*) FROM records WHERE source = ?1 "
			    "AND deleted_run IS NULL",
			    source, false, n, err);
}

int stage_count_missing(struct stage *st, struct strview source,
			unsigned long long *n, struct mbr_err *err)
{
	return count_source(st,
			    "SELECT count(*) FROM records WHERE " MISSING_WHERE,
			    source, true, n, err);
}

int stage_mark_missing(struct stage *st, struct strview source,
		       unsigned long long *n, struct mbr_err *err)
{
	struct db_stmt *s;

	if (!st->run_id)
		return mbr_fail(err, MBR_EINTERNAL,
				"%s: snapshot outside a run", st->path);
	s = db_stmt(st->db,
		    "UPDATE records SET deleted_run = ?2 WHERE " MISSING_WHERE,
		    err);
	if (!s)
		return -1;
	db_bind_text(s, 1, source);
	bind_run(st, s, 2);
	if (db_done(s, "cannot mark records deleted at source", err) < 0)
		return -1;
	*n = (unsigned long long)db_changes(st->db);
	return 0;
}

int stage_retire_deleted(struct stage *st, unsigned long long *retired,
			 unsigned long long *back, struct mbr_err *err)
{
	struct db_stmt *s;

	/* Back first: a master whose record came back has a golden record
	 * again, so its ID is live again (it was never issued to another). */
	if (db_exec(st->db,
		    "DELETE FROM retired WHERE reason = 'deleted at source' "
		    "AND master_id IN (SELECT master_id FROM masters)",
		    NULL, 0, err) < 0)
		return -1;
	*back = (unsigned long long)db_changes(st->db);
	/* Every crosswalk record of the master has a records row marked
	 * deleted: a record the crosswalk has but records has not (deleted
	 * by mbr-validate, or from an older crosswalk) retires no one. */
	s = db_stmt(st->db,
		    "INSERT INTO retired (master_id, merged_into, run_id, "
		    "reason) SELECT x.master_id, '', ?1, 'deleted at source' "
		    "FROM xref x LEFT JOIN records r ON r.source = x.source "
		    "AND r.source_id = x.source_id WHERE NOT EXISTS (SELECT 1 "
		    "FROM retired t WHERE t.master_id = x.master_id) AND NOT "
		    "EXISTS (SELECT 1 FROM masters m WHERE m.master_id = "
		    "x.master_id) GROUP BY x.master_id HAVING count(*) = "
		    "count(r.deleted_run)",
		    err);
	if (!s)
		return -1;
	bind_run(st, s, 1);
	if (db_done(s, "cannot retire masters deleted at source", err) < 0)
		return -1;
	*retired = (unsigned long long)db_changes(st->db);
	return 0;
}

/*
 * Erasure: a member's rows out of every table, a tombstone in
 */

/* The tables whose rows erasure knows; any other table (added by a later
 * tool) is purged by its source, source_id or master_id columns. */
static const char *const known_tables[] = {
	"meta",	   "records",  "extra_columns", "rejects",
	"pairs",   "clusters", "xref",		"retired",
	"masters", "runs",     "tombstones",	"decisions",
};

static bool is_known_table(struct strview name)
{
	for (size_t i = 0; i < sizeof(known_tables) / sizeof(*known_tables);
	     i++)
		if (sv_eqs(name, known_tables[i]))
			return true;
	return name.len >= 7 && !memcmp(name.p, "sqlite_", 7);
}

/* Run sql on binds, adding the rows it changed to *n. */
static int purge(struct stage *st, const char *sql, const struct strview *v,
		 size_t n_binds, unsigned long long *n, struct mbr_err *err)
{
	if (db_exec(st->db, sql, v, n_binds, err) < 0)
		return -1;
	*n += (unsigned long long)db_changes(st->db);
	return 0;
}

/* The tables not in known_tables with the columns cols (one or two,
 * "source,source_id"), as rows (name). */
static struct db_cursor *other_tables(struct stage *st, const char *cols,
				      struct mbr_err *err)
{
	const char *b[1] = {cols};

	return db_query(st->db,
			"SELECT m.name FROM sqlite_master m WHERE m.type = "
			"'table' AND (SELECT count(*) FROM pragma_table_info("
			"m.name) p WHERE instr(',' || ?1 || ',', ',' || p.name "
			"|| ',') > 0) = length(?1) - length(replace(?1, ',', "
			"'')) + 1 ORDER BY m.name",
			b, 1, err);
}

/* DELETE FROM each other table with cols WHERE cols = binds. */
static int purge_others(struct stage *st, const char *cols, const char *where,
			const struct strview *v, size_t n_binds,
			unsigned long long *n, struct mbr_err *err)
{
	struct db_cursor *c = other_tables(st, cols, err);
	struct record row;
	struct buf sql;
	int rc = 0, got;

	if (!c)
		return -1;
	record_init(&row);
	buf_init(&sql, BUF_NOLIMIT);
	while (rc == 0 && (got = db_cursor_next(c, &row, err)) > 0) {
		struct strview name = record_field(&row, 0);

		if (is_known_table(name))
			continue;
		buf_reset(&sql);
		buf_adds(&sql, "DELETE FROM \"");
		for (size_t i = 0; i < name.len; i++)
			buf_add(&sql, name.p[i] == '"' ? "\"\"" : name.p + i,
				name.p[i] == '"' ? 2 : 1);
		buf_addf(&sql, "\" WHERE %s", where);
		rc = purge(st, sql.p, v, n_binds, n, err);
	}
	buf_release(&sql);
	record_release(&row);
	db_cursor_free(c);
	return rc < 0 || got < 0 ? -1 : 0;
}

/* Every row of the record (source, source_id), in every table. */
static int erase_key_rows(struct stage *st, struct strview source,
			  struct strview source_id, struct stage_erased *n,
			  struct mbr_err *err)
{
	const struct strview v[2] = {source, source_id};
	static const char key[] = "source = ?1 AND source_id = ?2";

	if (purge(st,
		  "DELETE FROM records WHERE source = ?1 AND "
		  "source_id = ?2",
		  v, 2, &n->records, err) < 0 ||
	    purge(st,
		  "DELETE FROM rejects WHERE source = ?1 AND "
		  "source_id = ?2",
		  v, 2, &n->rejects, err) < 0 ||
	    purge(st,
		  "DELETE FROM pairs WHERE (a_source = ?1 AND "
		  "a_source_id = ?2) OR (b_source = ?1 AND b_source_id = "
		  "?2)",
		  v, 2, &n->pairs, err) < 0 ||
	    purge(st,
		  "DELETE FROM clusters WHERE source = ?1 AND "
		  "source_id = ?2",
		  v, 2, &n->clusters, err) < 0 ||
	    purge(st,
		  "DELETE FROM xref WHERE source = ?1 AND "
		  "source_id = ?2",
		  v, 2, &n->xref, err) < 0 ||
	    purge(st,
		  "DELETE FROM decisions WHERE (a_source = ?1 AND "
		  "a_source_id = ?2) OR (b_source = ?1 AND b_source_id = "
		  "?2)",
		  v, 2, &n->decisions, err) < 0)
		return -1;
	return purge_others(st, "source,source_id", key, v, 2, &n->other, err);
}

/* The tombstone of (source, source_id), once. */
static int put_tombstone(struct stage *st, struct strview master_id,
			 struct strview source, struct strview source_id,
			 struct strview reason, struct stage_erased *n,
			 struct mbr_err *err)
{
	struct db_stmt *s;

	if (key_hash(st, source, source_id, err) < 0)
		return -1;
	s = db_stmt(st->db,
		    "INSERT INTO tombstones (master_id, source, key_hash, "
		    "erased, reason, run_id) SELECT ?1, ?2, ?3, "
		    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4, ?5 WHERE NOT "
		    "EXISTS (SELECT 1 FROM tombstones WHERE key_hash = ?3 AND "
		    "source = ?2)",
		    err);
	if (!s)
		return -1;
	db_bind_text(s, 1, master_id);
	db_bind_text(s, 2, source);
	db_bind_text(s, 3, buf_view(&st->hash));
	db_bind_text(s, 4, reason);
	bind_run(st, s, 5);
	if (db_done(s, "cannot store tombstone", err) < 0)
		return -1;
	n->tombstones += (unsigned long long)db_changes(st->db);
	st->tombs = 1;
	return 0;
}

static int erase_key(struct stage *st, struct strview master_id,
		     struct strview source, struct strview source_id,
		     struct strview reason, struct stage_erased *n,
		     struct mbr_err *err)
{
	n->keys++;
	if (erase_key_rows(st, source, source_id, n, err) < 0)
		return -1;
	return put_tombstone(st, master_id, source, source_id, reason, n, err);
}

/* The first two columns of the one row sql returns for bind v (empty
 * when there is no row), into a and b. */
static int query_two(struct stage *st, const char *sql, struct strview v,
		     struct buf *a, struct buf *b, struct mbr_err *err)
{
	const char *bind[1];
	char *copy = sv_dup(v);
	struct db_cursor *c;
	struct record row;
	int rc;

	bind[0] = copy;
	c = db_query(st->db, sql, bind, 1, err);
	free(copy);
	if (!c)
		return -1;
	record_init(&row);
	buf_reset(a);
	buf_reset(b);
	rc = db_cursor_next(c, &row, err);
	if (rc > 0) {
		buf_addsv(a, record_field(&row, 0));
		buf_addsv(b, record_field(&row, 1));
	}
	record_release(&row);
	db_cursor_free(c);
	return rc < 0 ? -1 : 0;
}

/* Is master_id a member to erase (0), erased already (1)? Else an error:
 * unknown, or merged into another. */
static int master_state(struct stage *st, struct strview id,
			struct mbr_err *err)
{
	struct buf reason, into;
	int rc;

	buf_init(&reason, BUF_NOLIMIT);
	buf_init(&into, BUF_NOLIMIT);
	rc = query_two(st,
		       "SELECT coalesce(reason, 'merged'), merged_into FROM "
		       "retired WHERE master_id = ?1",
		       id, &reason, &into, err);
	if (rc == 0 && !strcmp(reason.p, "erased"))
		rc = 1;
	else if (rc == 0 && into.len)
		rc = mbr_fail(err, MBR_ECONFIG,
			      "master ID '%.*s' was merged into '%s' (erase "
			      "that one)",
			      (int)id.len, id.p, into.p);
	else if (rc == 0 &&
		 query_two(st,
			   "SELECT (SELECT count(*) FROM xref WHERE master_id "
			   "= ?1) + (SELECT count(*) FROM masters WHERE "
			   "master_id = ?1), ''",
			   id, &reason, &into, err) < 0)
		rc = -1;
	else if (rc == 0 && !strcmp(reason.p, "0"))
		rc = mbr_fail(err, MBR_ECONFIG,
			      "master ID '%.*s' is in neither the crosswalk "
			      "nor the masters (expected an ID mbr-merge-id "
			      "issued)",
			      (int)id.len, id.p);
	buf_release(&reason);
	buf_release(&into);
	return rc;
}

/* The crosswalk records of master_id, copied: rows are deleted after. */
static int member_keys(struct stage *st, struct strview id, struct record *keys,
		       struct mbr_err *err)
{
	const char *bind[1];
	char *copy = sv_dup(id);
	struct db_cursor *c;
	struct record row;
	int rc;

	bind[0] = copy;
	c = db_query(st->db,
		     "SELECT source, source_id FROM xref WHERE master_id = ?1 "
		     "ORDER BY source, source_id",
		     bind, 1, err);
	free(copy);
	if (!c)
		return -1;
	record_init(&row);
	while ((rc = db_cursor_next(c, &row, err)) > 0) {
		record_addsv(keys, record_field(&row, 0));
		record_addsv(keys, record_field(&row, 1));
	}
	record_release(&row);
	db_cursor_free(c);
	return rc;
}

/*
 * Rehearsals (mbr-rehearse)
 */

int stage_copy(struct stage *st, const char *path, struct mbr_err *err)
{
	struct strview p = sv(path);

	if (st->run_id)
		return mbr_fail(err, MBR_EINTERNAL,
				"%s: cannot copy during a run", st->path);
	if (db_exec(st->db, "VACUUM INTO ?1", &p, 1, err) < 0)
		return mbr_prefix(err, "copying to '%s': ", path);
	return 0;
}

long long stage_last_run(struct stage *st, struct mbr_err *err)
{
	int rc = query_text(st, "SELECT coalesce(max(run_id), 0) FROM runs",
			    &st->text, err);

	return rc < 0 ? -1 : strtoll(st->text.p, NULL, 10);
}

/* ?1: the last run before the rehearsal, as text. */
struct stage_cursor *stage_read_runs_after(struct stage *st, long long after,
					   struct mbr_err *err)
{
	char n[24];
	const char *bind = n;

	snprintf(n, sizeof(n), "%lld", after);
	return stage_query(st,
			   "SELECT tool, n_in, n_out, n_rejected, n_flagged, "
			   "status FROM runs WHERE run_id > ?1 ORDER BY run_id",
			   &bind, 1, err);
}

struct stage_cursor *stage_read_source_rejects(struct stage *st,
					       long long after,
					       struct mbr_err *err)
{
	char n[24];
	const char *bind = n;

	snprintf(n, sizeof(n), "%lld", after);
	return stage_query(
		st,
		"SELECT coalesce(source, ''), sum(kept), sum(rejected) FROM "
		"(SELECT source, count(*) AS kept, 0 AS rejected FROM records "
		"GROUP BY source UNION ALL SELECT source, 0, count(*) FROM "
		"rejects WHERE run_id > ?1 GROUP BY source) "
		"GROUP BY source ORDER BY source",
		&bind, 1, err);
}

struct stage_cursor *stage_read_issues(struct stage *st, struct mbr_err *err)
{
	return stage_query(st,
			   "SELECT issues FROM records WHERE issues IS NOT "
			   "NULL AND issues <> '' ORDER BY record_id",
			   NULL, 0, err);
}

static int erase_master(struct stage *st, struct strview id,
			struct strview reason, struct stage_erased *n,
			struct mbr_err *err)
{
	const struct strview v[1] = {id};
	struct record keys;
	struct db_stmt *s;
	int rc;

	record_init(&keys);
	rc = member_keys(st, id, &keys, err);
	for (size_t i = 0; rc == 0 && i + 1 < keys.n; i += 2)
		rc = erase_key(st, id, record_field(&keys, i),
			       record_field(&keys, i + 1), reason, n, err);
	record_release(&keys);
	if (rc < 0 ||
	    purge(st, "DELETE FROM masters WHERE master_id = ?1", v, 1,
		  &n->masters, err) < 0 ||
	    purge_others(st, "master_id", "master_id = ?1", v, 1, &n->other,
			 err) < 0)
		return -1;
	/* The ID stays retired, so that it is never issued again. */
	s = db_stmt(st->db,
		    "INSERT INTO retired (master_id, merged_into, run_id, "
		    "reason) VALUES (?1, '', ?2, 'erased') ON CONFLICT "
		    "(master_id) DO UPDATE SET merged_into = '', run_id = "
		    "excluded.run_id, reason = 'erased'",
		    err);
	if (!s)
		return -1;
	db_bind_text(s, 1, id);
	bind_run(st, s, 2);
	n->members++;
	return db_done(s, "cannot retire erased master", err);
}

int stage_erase_master(struct stage *st, struct strview master_id,
		       struct strview reason, struct stage_erased *n,
		       struct mbr_err *err)
{
	int state;

	if (!st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: erasure outside a run",
				st->path);
	state = master_state(st, master_id, err);
	if (state != 0)
		return state;
	return erase_master(st, master_id, reason, n, err) < 0 ? -1 : 0;
}

/* The master of (source, source_id) in the crosswalk into st->text
 * (empty when it has none). */
static int key_master(struct stage *st, struct strview source,
		      struct strview source_id, struct mbr_err *err)
{
	struct db_stmt *s = db_stmt(st->db,
				    "SELECT master_id FROM xref WHERE source = "
				    "?1 AND source_id = ?2",
				    err);

	if (!s)
		return -1;
	db_bind_text(s, 1, source);
	db_bind_text(s, 2, source_id);
	return db_text(s, &st->text, err);
}

static unsigned long long erased_rows(const struct stage_erased *n)
{
	return n->records + n->rejects + n->pairs + n->clusters + n->xref +
	       n->masters + n->other;
}

int stage_erase_record(struct stage *st, struct strview source,
		       struct strview source_id, struct strview reason,
		       struct stage_erased *n, struct mbr_err *err)
{
	unsigned long long before = erased_rows(n);
	int erased;
	char *id;

	if (!st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: erasure outside a run",
				st->path);
	if (key_master(st, source, source_id, err) < 0)
		return -1;
	if (st->text.len) { /* the person: every record of the master */
		id = xstrdup(st->text.p);
		erased = stage_erase_master(st, sv(id), reason, n, err);
		free(id);
		return erased;
	}
	erased = is_erased(st, source, source_id, err);
	if (erased < 0 || erase_key_rows(st, source, source_id, n, err) < 0)
		return -1;
	if (!erased && erased_rows(n) == before)
		return mbr_fail(err, MBR_ECONFIG,
				"record '%.*s:%.*s' is in no table (expected a "
				"source and source_id the database has)",
				(int)source.len, source.p,
				(int)(source_id.len > 4 ? 4 : source_id.len),
				source_id.p);
	n->keys += !erased;
	if (put_tombstone(st, svn("", 0), source, source_id, reason, n, err) <
	    0)
		return -1;
	return erased;
}

int stage_compact(struct stage *st, struct mbr_err *err)
{
	if (st->run_id)
		return mbr_fail(err, MBR_EINTERNAL, "%s: compact inside a run",
				st->path);
	if (db_script(st->db, "VACUUM", "cannot vacuum", err) < 0 ||
	    query_text(st, "PRAGMA wal_checkpoint(TRUNCATE)", &st->text, err) <
		    0)
		return -1;
	if (strcmp(st->text.p, "0") != 0)
		return mbr_fail(err, MBR_EIO,
				"%s: another process is reading the database: "
				"erased values may remain in its -wal file "
				"until it is checkpointed; rerun when it is "
				"done",
				st->path);
	return 0;
}

int stage_secure_delete(struct stage *st, struct mbr_err *err)
{
	return db_script(st->db, "PRAGMA secure_delete = ON",
			 "cannot set secure_delete", err);
}
