/*
 * stage: the staging SQLite database (`--db FILE`), where a multi-step or
 * scheduled job keeps its state between runs.
 *
 * Tables (docs/staging.md):
 *
 *   records   the canonical columns as TEXT, in canonical order; `extra`, the
 *             pass-through columns as a JSON object {"col": "value"} in
 *             their original order; `issues` (the _issues column); the
 *             run_id that last wrote the row; deleted_run, the snapshot
 *             run that found it deleted at source (NULL: present).
 *             UNIQUE(source, source_id).
 *   rejects   run_id, tool, source, source_id, source_row, field, reason,
 *             raw (the row's bytes), record (the record as JSON),
 *             source_line (where the row starts in the source file)
 *   pairs     run_id, a_source, a_source_id, b_source, b_source_id,
 *             weight, probability, detail (JSON of per-field levels)
 *   clusters  run_id, source, source_id, cluster_id
 *   xref      source, source_id -> master_id, first_run, last_run
 *   retired   master_id -> merged_into, run_id, reason ("merged", or with
 *             merged_into "": "deleted at source", "erased"): a retired
 *             ID is never reused
 *   tombstones  master_id, source, key_hash, erased, reason, run_id: one
 *             per erased source record, no personal data
 *   masters   master_id, the canonical columns, member_count, sources,
 *             run_id
 *   runs      run_id, tool, args, started, ended, n_in, n_out,
 *             n_rejected, n_flagged, status
 *   decisions analysts' decisions on pairs (match | no-match), one per
 *             pair: a_source, a_source_id, b_source, b_source_id,
 *             decision, who, decided_at, file, line, run_id
 *   meta      key -> value; holds schema_version
 *   extra_columns  name -> pos: every pass-through column ever stored, in
 *             order of first appearance, so reading can re-expand `extra`
 *
 * A run is one transaction: stage_begin_run starts it, stage_commit_run
 * ends it, and anything else (stage_rollback, stage_close, a crash) leaves
 * the database as it was before the run. A second process that begins a
 * run while one is open waits up to the busy timeout (10 s), then fails
 * with "database is locked by another run" (MBR_EIO). Readers are not
 * blocked by an open run (the database is in WAL mode).
 *
 * SQL goes through the gateway db.h (the only file with SQLite in it): no
 * SQLite type appears here. Every value
 * reaches SQL as a bound parameter, never as SQL text.
 */
#ifndef MBR_STAGE_H
#define MBR_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "record.h"
#include "reject.h"

#define STAGE_SCHEMA_VERSION 4

struct stage;	     /* opaque: one connection; one thread at a time */
struct stage_cursor; /* opaque: rows of one query */

/*
 * Lifecycle
 */

/* Open the database at path, creating it (mode 0600, and so are its -wal
 * and -shm files) and its schema on first use, or bringing an older mbr
 * schema up to date. An existing file (or journal) readable by others is
 * made 0600, with a warning (mbr_warn). A file with tables but no mbr
 * meta table, or an unreadable schema_version, is refused untouched
 * (MBR_ECONFIG): another application's database. Fails with MBR_EIO when
 * the file cannot be created or opened, is not an SQLite database, is
 * read-only or sits in a directory we cannot write, has a newer schema
 * version, or stays locked past the busy timeout. */
struct stage *stage_open(const char *path, struct mbr_err *err);
/* Open an existing database for a dry run (--dry-run): the same, except
 * that nothing is ever committed: the file is not created (MBR_EIO when
 * it does not exist), an older schema is brought up to date inside the
 * run (and rolled back with it), and stage_commit_run refuses
 * (MBR_EINTERNAL): end the run with stage_rollback or stage_close. The
 * file's bytes stay as they were. */
struct stage *stage_open_dry(const char *path, struct mbr_err *err);
/* Roll back an open run and close. NULL is fine. Free cursors first: one
 * left open keeps the connection alive until it is freed. */
void stage_close(struct stage *st);
/* How long (ms) to wait for another run's lock. The default is
 * 10 s (db.h), or MBR_BUSY_TIMEOUT_MS from the environment when
 * set (for end-to-end tests). Cannot fail. */
void stage_set_busy_timeout(struct stage *st, int ms);
/* Make SQLite's page cache at most bytes (open sets 256 MiB, for
 * imports): a tool that only scans, such as mbr-reconcile, needs little.
 * -1 with MBR_EIO when SQLite refuses. */
int stage_set_cache(struct stage *st, size_t bytes, struct mbr_err *err);
const char *stage_path(const struct stage *st); /* as given to open */

/*
 * Runs
 */

/* Begin a run: BEGIN IMMEDIATE (waiting for another run's lock) and insert
 * its runs row (tool, args, started, status 'running'). Everything written
 * until stage_commit_run belongs to this run. -1 with MBR_EIO when locked
 * or on a write error; MBR_EINTERNAL when a run is already open. */
int stage_begin_run(struct stage *st, const char *tool, const char *args,
		    struct mbr_err *err);
/* The open run's run_id, or 0 when no run is open. */
long long stage_run_id(const struct stage *st);
/* Fill the runs row (ended, counts, status such as "ok" or "flagged") and
 * COMMIT. On failure the run is rolled back and -1 returned (MBR_EIO). */
int stage_commit_run(struct stage *st, unsigned long long in,
		     unsigned long long out, unsigned long long rejected,
		     unsigned long long flagged, const char *status,
		     struct mbr_err *err);
/* Roll back the open run, if any: the database is as before it began.
 * Cannot fail (a failed ROLLBACK leaves the run to SQLite's recovery). */
void stage_rollback(struct stage *st);

/*
 * Records
 */

/* Insert rec, or update the row with the same (source, source_id). The
 * canonical columns are found through h->canon[]; a column named _issues
 * goes into `issues`; every other column into `extra`. What the record
 * lacks keeps its stored value on update: a canonical column h does not
 * have, `issues` without an _issues column, `extra` when h has no
 * pass-through column. Empty pass-through values are not stored (they read
 * back as empty). run_id is set to the open run (NULL outside a run).
 * rec must stay unchanged during the call. -1 with MBR_EIO on a write
 * error; MBR_EIO also when source or source_id is empty. */
int stage_put_record(struct stage *st, const struct header *h,
		     const struct record *rec, struct mbr_err *err);
/* As stage_put_record inside a run, for mbr-import: returns 1 when rec was
 * stored, 0 when this run has already stored a record with the same
 * (source, source_id) (nothing is changed: the caller rejects rec as a
 * duplicate, as mbr-validate does in file mode), STAGE_IMPORT_ERASED when
 * the record was erased (a tombstone has its key: nothing is stored, the
 * caller rejects it), -1 with err. */
#define STAGE_IMPORT_ERASED 2
int stage_import_record(struct stage *st, const struct header *h,
			const struct record *rec, struct mbr_err *err);
/* Record a reject of the parsed record rec (header h) by tool: field and
 * reason as in reject.h ("mobile;email", "invalid;no dot"); raw is the
 * row's bytes or an empty view; line the physical line where it starts in
 * the source (0 when unknown). source_row comes from rec's source_row
 * column, else from rec->row. The whole record is kept as JSON in
 * `record`. */
int stage_put_reject(struct stage *st, const struct header *h,
		     const struct record *rec, unsigned long line,
		     const char *tool, const char *field, const char *reason,
		     struct strview raw, struct mbr_err *err);
/* Record a row that could not be parsed: where it comes from (reject.h)
 * and its bytes (stored as TEXT when valid UTF-8, else as a BLOB). */
int stage_put_reject_raw(struct stage *st, const struct reject_at *at,
			 const char *tool, const char *reason,
			 struct strview raw, struct mbr_err *err);
/* Delete the record (source, source_id); deleting a missing one is not an
 * error. */
int stage_delete_record(struct stage *st, struct strview source,
			struct strview source_id, struct mbr_err *err);

/*
 * Generic SQL for the other tools (pairs, clusters, xref, masters...)
 */

/* Run sql (one statement) with n_binds text parameters (a NULL bind is
 * SQL NULL); rows it returns are ignored. Statements are prepared once and
 * cached by their text, so calling this per record is fast. The number of
 * binds must equal the statement's parameters (else MBR_EINTERNAL, as for
 * SQL that does not prepare); a failed step is MBR_EIO. Transactions are
 * the runs' business: no BEGIN, COMMIT or ROLLBACK through here. */
int stage_exec(struct stage *st, const char *sql, const char *const *binds,
	       size_t n_binds, struct mbr_err *err);
/* The same with views (a view whose p is NULL is SQL NULL): record fields
 * bind without a strlen. */
int stage_exec_sv(struct stage *st, const char *sql,
		  const struct strview *binds, size_t n_binds,
		  struct mbr_err *err);
/* Rows changed by the last INSERT, UPDATE or DELETE. Cannot fail. */
long long stage_changes(const struct stage *st);

/*
 * Reading
 */

/* A cursor over sql (one statement) with text binds as in stage_exec
 * (copied: they need not outlive the call).
 * Values are read as text (numbers in SQLite's text form); NULL reads as an
 * empty field. The cursor owns its statement; free it before stage_close.
 * Writing through st while a cursor is open is allowed: an update that
 * keeps the row's rowid (stage_put_record does) does not make a
 * rowid-ordered cursor see the row again. */
struct stage_cursor *stage_query(struct stage *st, const char *sql,
				 const char *const *binds, size_t n_binds,
				 struct mbr_err *err);
/* All records in insertion order, as a record stream: the canonical
 * columns in canonical order, then every pass-through column ever stored
 * (extra_columns order; a row without a value has it empty), then
 * _issues. Pass-through columns thus follow the canonical ones instead of
 * keeping their place in the source export. */
struct stage_cursor *stage_read_records(struct stage *st, struct mbr_err *err);
/* Make h the cursor's header (its column names). -1 past RECORD_MAX_BYTES
 * (h then empty). */
int stage_cursor_header(struct stage_cursor *c, struct header *h);
/* Read the next row into rec (reset first; rec->row counts rows from 1).
 * Returns 1, 0 at the end, or -1 with err (MBR_EIO). */
int stage_cursor_next(struct stage_cursor *c, struct record *rec,
		      struct mbr_err *err);
void stage_cursor_free(struct stage_cursor *c); /* NULL is fine */

/*
 * mbr-merge-id's tables
 */

/* The columns of a golden record: the canonical ones, then master_id,
 * member_count and sources. */
#define STAGE_GOLDEN (CF_COUNT + 3)

/* The crosswalk as rows (source, source_id, master_id, merged_into = ""),
 * and the IDs retired by a merge as ("", "", master_id, merged_into). */
struct stage_cursor *stage_read_xref(struct stage *st, struct mbr_err *err);
struct stage_cursor *stage_read_retired(struct stage *st, struct mbr_err *err);
/* The IDs retired without a successor, as rows (master_id, reason): the
 * reason is "deleted at source" or "erased". Never to be issued again. */
struct stage_cursor *stage_read_gone(struct stage *st, struct mbr_err *err);
/* The records (insertion order), each with _issues and the cluster_id the
 * latest dedupe run gave it (empty when it gave none). */
struct stage_cursor *stage_read_clustered(struct stage *st,
					  struct mbr_err *err);
/* The golden masters, by master_id (mbr-export --from masters). */
struct stage_cursor *stage_read_masters(struct stage *st, struct mbr_err *err);
/* Replace the masters table (in the open run): clear it, then put each
 * golden record (STAGE_GOLDEN values) with the run's ID. */
int stage_clear_masters(struct stage *st, struct mbr_err *err);
int stage_put_master(struct stage *st, const struct strview *golden,
		     struct mbr_err *err);
/* Upsert a crosswalk row: first_run is the open run when the row is new;
 * last_run becomes it when seen (the record is in this input). */
int stage_put_xref(struct stage *st, struct strview source,
		   struct strview source_id, struct strview master_id,
		   bool seen, struct mbr_err *err);
/* A retired ID and the master it was merged into, in the open run
 * (reason "merged"). */
int stage_put_retired(struct stage *st, struct strview master_id,
		      struct strview merged_into, struct mbr_err *err);

/*
 * mbr-dedupe's tables
 */

/* A scored pair, as the pairs table keeps it. */
struct stage_pair {
	struct strview a_source, a_source_id, b_source, b_source_id;
	double weight, probability;
	struct strview detail; /* JSON of per-field levels and weights */
};

/* Forget the pairs and clusters of earlier runs: only the latest dedupe
 * run's are read (by mbr-merge-id and reports), and keeping every
 * night's would grow the database without end. In the open run. */
int stage_forget_dedupe(struct stage *st, struct mbr_err *err);
int stage_put_pair(struct stage *st, const struct stage_pair *p,
		   struct mbr_err *err);
int stage_put_cluster(struct stage *st, struct strview source,
		      struct strview source_id, struct strview cluster_id,
		      struct mbr_err *err);

/*
 * Reports (mbr-profile, mbr-report): read only, no run needed
 */

/* Every reject: source, reject_tool, reject_field, reject_reason. */
struct stage_cursor *stage_read_rejects(struct stage *st, struct mbr_err *err);
/* The run log: run_id, tool, started, ended, n_in, n_out, n_rejected,
 * n_flagged, status, oldest first. */
struct stage_cursor *stage_read_runs(struct stage *st, struct mbr_err *err);
/* The latest dedupe run's pairs: a_source, a_source_id, b_source,
 * b_source_id, weight, probability, detail (JSON, match.h). */
struct stage_cursor *stage_read_pairs(struct stage *st, struct mbr_err *err);
/* One row: records, their points summed, masters, their points summed. */
struct stage_cursor *stage_read_points(struct stage *st, struct mbr_err *err);
/* An analyst's decision on a pair, as the decisions table keeps it: a
 * pair has one decision, the latest stored (dedupe applies them on every
 * run; stage_forget_dedupe leaves them). */
struct stage_decision {
	struct strview a_source, a_source_id, b_source, b_source_id;
	struct strview decision;   /* "match" or "no-match" */
	struct strview who;	   /* who decided */
	struct strview decided_at; /* empty: now (UTC, ISO 8601) */
	struct strview file;	   /* the decisions file it came from */
	unsigned long line;	   /* its line there */
};
/* Store d in the open run, replacing the pair's earlier decision. */
int stage_put_decision(struct stage *st, const struct stage_decision *d,
		       struct mbr_err *err);
/* The stored decisions, oldest first: a_source, a_source_id, b_source,
 * b_source_id, decision, who, decided_at, file, line, run_id. */
struct stage_cursor *stage_read_decisions(struct stage *st,
					  struct mbr_err *err);

/*
 * Dry runs
 */

#define STAGE_TABLE_NAME 64

/* A table and its rows. */
struct stage_count {
	char name[STAGE_TABLE_NAME];
	long long rows;
};

/* The rows of every table (by name; at most max), in the open run when
 * one is: what a run changed is the difference of two calls. */
int stage_count_rows(struct stage *st, struct stage_count *out, size_t max,
		     size_t *n, struct mbr_err *err);

/*
 * Rehearsals (mbr-rehearse): read a copy the pipeline ran on
 */

/* Copy the database (its committed state, consistently) to path, an
 * empty or missing file, with VACUUM INTO. Not during a run. */
int stage_copy(struct stage *st, const char *path, struct mbr_err *err);
/* The highest run_id (0 for none), or -1 with err. */
long long stage_last_run(struct stage *st, struct mbr_err *err);
/* The runs after run_id after: tool, n_in, n_out, n_rejected, n_flagged,
 * status, in order. */
struct stage_cursor *stage_read_runs_after(struct stage *st, long long after,
					   struct mbr_err *err);
/* Per source: source, records kept, rejects written by the runs after
 * run_id after; by source. */
struct stage_cursor *stage_read_source_rejects(struct stage *st,
					       long long after,
					       struct mbr_err *err);
/* The non-empty _issues of every record. */
struct stage_cursor *stage_read_issues(struct stage *st, struct mbr_err *err);

/*
 * Snapshots (mbr-import --snapshot): a record a source's full export no
 * longer has is deleted at source. Its row stays, with deleted_run the
 * run that saw it go; reading (stage_read_records, stage_read_clustered)
 * skips it, so it takes no part in cleansing, dedupe or survivorship. An
 * import that stores it again clears the mark.
 */

/* Records of source present now (not deleted at source), into *n. */
int stage_count_present(struct stage *st, struct strview source,
			unsigned long long *n, struct mbr_err *err);
/* Records of source present before the open run that the run neither
 * stored nor rejected (a rejected row is still in the source), into *n. */
int stage_count_missing(struct stage *st, struct strview source,
			unsigned long long *n, struct mbr_err *err);
/* Mark those deleted at source by the open run; how many into *n. */
int stage_mark_missing(struct stage *st, struct strview source,
		       unsigned long long *n, struct mbr_err *err);
/* After mbr-merge-id stored its masters, in its run: retire (reason
 * "deleted at source", merged_into "") every master all of whose
 * crosswalk records are deleted at source, and take back from retired a
 * master so retired that has a golden record again (a record came back).
 * Counts into *retired and *back. */
int stage_retire_deleted(struct stage *st, unsigned long long *retired,
			 unsigned long long *back, struct mbr_err *err);

/*
 * Erasure (mbr-erase; PIPL, the right to deletion). A member is a master
 * ID: erasing it removes every row that holds its records' values or
 * keys (records, rejects, pairs, clusters, xref, the golden record in
 * masters, and in any further table the rows whose source and source_id,
 * or master_id, are the member's), leaves one tombstone per source record
 * (master ID, source, a keyed hash of source_id, time, reason: no
 * personal data) and keeps the ID retired (reason "erased", merged_into
 * ""), so it is never issued again. stage_import_record refuses a record
 * with a tombstone. Inside a run; the caller then commits and compacts.
 */

struct stage_erased {
	unsigned long long members; /* master IDs erased */
	unsigned long long keys;    /* source records erased */
	unsigned long long records; /* rows removed from each table */
	unsigned long long rejects;
	unsigned long long pairs;
	unsigned long long clusters;
	unsigned long long xref;
	unsigned long long masters;
	unsigned long long decisions;  /* analysts' decisions on its pairs */
	unsigned long long other;      /* rows of further tables */
	unsigned long long tombstones; /* tombstones added */
};

/* Erase the member master_id (counts added to *n). Returns 0, 1 when it
 * was erased before (nothing to do), or -1 with err: MBR_ECONFIG when the
 * ID is in neither xref nor masters, or was merged into another (named
 * in the message). */
int stage_erase_master(struct stage *st, struct strview master_id,
		       struct strview reason, struct stage_erased *n,
		       struct mbr_err *err);
/* Erase the member whose source record this is: its master, when the
 * crosswalk has the record; else (not yet through mbr-merge-id) the
 * record's own rows. Returns 0, or 1 when it was erased before (rows a
 * later import left, such as its reject, are removed all the same), or
 * -1 with err (MBR_ECONFIG: a record no table has). */
int stage_erase_record(struct stage *st, struct strview source,
		       struct strview source_id, struct strview reason,
		       struct stage_erased *n, struct mbr_err *err);
/* Turn secure_delete on for this connection: deleted content is
 * overwritten with zeros. Before the run that erases. */
int stage_secure_delete(struct stage *st, struct mbr_err *err);
/* After the run: VACUUM (the file is rebuilt from live rows only, so no
 * free page keeps an erased value) and a truncating checkpoint (the -wal
 * file is emptied). MBR_EIO when another process keeps the checkpoint
 * from finishing. */
int stage_compact(struct stage *st, struct mbr_err *err);

#endif
