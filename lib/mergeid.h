/*
 * mergeid: clusters of records become master members with stable IDs.
 *
 * Input: records with `source`, `source_id`, `cluster_id` (mbr-dedupe's
 * column) and any canonical columns; optionally the crosswalk of earlier
 * runs (source, source_id -> master_id, and retired IDs -> merged_into).
 * Output: one golden record per cluster (lib/survive.h chooses its fields),
 * the rewritten crosswalk, the lineage of every golden value, and a report
 * of what changed.
 *
 * Master IDs. An ID is --id-format (default "M%010d") applied to a
 * sequence number; sequence numbers are issued once, from 1, each one past
 * the highest ever issued, retired IDs included, so no ID is ever reused.
 * Every cluster gets exactly one ID, decided in this order:
 *
 *   1. Each earlier master whose records are in this input picks one
 *      cluster: the one holding most of its records; on equal counts, the
 *      one holding its smallest (source, source_id). Its records in other
 *      clusters are moved (a split: one part keeps the ID).
 *   2. A cluster no earlier master picked gets a new ID. New IDs are
 *      issued in order of each cluster's smallest (source, source_id), so
 *      the IDs do not depend on the order of the input or on the
 *      cluster_id values.
 *   3. A cluster picked by one earlier master keeps its ID.
 *   4. A cluster picked by several (a new record bridged two members)
 *      keeps the oldest ID, the lowest sequence number; the others are
 *      retired, recorded as merged into it, and never issued again.
 *
 * So a rerun over the same input and the crosswalk it wrote changes
 * nothing, byte for byte. A record of the crosswalk that is not in this
 * input keeps its row (its master's, or the survivor's if that master was
 * merged): the crosswalk never forgets a record or an ID.
 *
 * Records. A record is rejected (the caller writes it to --rejects) when
 * `source` or `source_id` is empty, `cluster_id` is empty (a record
 * without a cluster is not silently made a member of its own: it missed
 * mbr-dedupe), or a field the rules sum is not an integer: mergeid_add
 * says so at once. A record whose (source, source_id) came before in this
 * input is rejected too, but only found once the records are sorted:
 * mergeid_assign hands such repeats to the caller, in input order. Points
 * in (of the records taken) equal points out (of the golden records)
 * whenever points are summed.
 *
 * Memory: bounded by opts.memory, whatever the input. The records, the
 * crosswalk and every step of the assignment go through external sorts
 * (extsort.h) that share that budget, spilling to temporary files (0600,
 * unlinked) past it. What stays in memory: the retired IDs of earlier
 * runs (about 40 bytes each: merges are a small share of the masters) and
 * one cluster's records at a time. Each output can be read once.
 */
#ifndef MBR_MERGEID_H
#define MBR_MERGEID_H

#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "recstream.h"
#include "record.h"
#include "survive.h"

#define MERGEID_DEFAULT_FORMAT "M%010d"

struct mergeid; /* opaque */

struct mergeid_opts {
	const char *id_format;		   /* NULL: MERGEID_DEFAULT_FORMAT */
	const struct survive_rules *rules; /* borrowed; must outlive m;
					    * NULL: the default rules */
	size_t memory;			   /* all its sorts together: 0
					    * is extsort_default_budget() */
	const char *tmpdir; /* where they spill; NULL: $TMPDIR, /tmp */
	bool lineage;	    /* mergeid_write_golden will be asked for it */
	/* Told often how a pass after the reading goes ("golden records",
	 * done of total): for a progress line. NULL: not told. */
	void (*progress)(void *ctx, const char *what, unsigned long long done,
			 unsigned long long total);
	void *progress_ctx;
};

struct mergeid_stats {
	unsigned long long records; /* records taken */
	unsigned long long masters; /* clusters, so golden records */
	unsigned long long kept;    /* masters that kept an earlier ID */
	unsigned long long issued;  /* new IDs issued */
	unsigned long long merged;  /* IDs retired this run */
	unsigned long long moved;   /* records now under another master,
					 * other than by a merge */
	unsigned long long added;   /* records new to the crosswalk */
	unsigned long long carried; /* crosswalk records not in the input */
	unsigned long long retired; /* --db: masters retired, all their
				     * records deleted at source */
	unsigned long long back;    /* --db: masters so retired earlier
				     * that have a record again */
	survive_sum points_in;	    /* points of the records taken */
	survive_sum points_out;	    /* points of the golden records */
	size_t sort_runs; /* runs the sorts wrote to disk (0: all fit) */
};

/* A merger. Fails (MBR_ECONFIG) when id_format is not text with one %d or
 * %0Nd (N <= 20) and %% for a percent sign. */
struct mergeid *mergeid_new(const struct mergeid_opts *o, struct mbr_err *err);
void mergeid_free(struct mergeid *m); /* NULL is fine */

/*
 * The earlier crosswalk: all of it before the first record.
 */

/* One crosswalk row: a record's (source, source_id, master_id, "") or a
 * retired ID's ("", "", master_id, merged_into). Fails with MBR_EIO on a
 * row that is neither, MBR_ECONFIG on an ID that --id-format does not
 * produce. where ("xref.csv:12") prefixes errors; a record's row given
 * twice is found by mergeid_assign, its message prefixed by the second
 * row's where. */
int mergeid_add_xref(struct mergeid *m, struct strview source,
		     struct strview source_id, struct strview master_id,
		     struct strview merged_into, const char *where,
		     struct mbr_err *err);
/* Read a crosswalk file written by mergeid_write_xref. A file that does
 * not exist is an empty crosswalk (the first run). */
int mergeid_load_xref(struct mergeid *m, const char *path, struct mbr_err *err);

/*
 * Records
 */

/* The header of the records to come. Fails (MBR_EIO) without `source`,
 * `source_id` or `cluster_id`; name is the input's, for the message. */
int mergeid_bind(struct mergeid *m, const struct header *h, const char *name,
		 struct mbr_err *err);
/* Take a record (copied). Returns 0, or 1 when it is rejected: *field and
 * *reason (static strings: "cluster_id", "missing") say why. Call
 * mergeid_bind first. */
int mergeid_add(struct mergeid *m, const struct record *rec, const char **field,
		const char **reason);

/* The record handler (recstream.h): each record bound and taken with
 * mergeid_add, or rejected with its field and reason. The merger keeps the
 * records; the caller's sink takes rejects only. */
void mergeid_handler(struct mergeid *m, struct rs_handler *h);

/* A record rejected by mergeid_assign: a repeat of an earlier record's
 * (source, source_id). rec (its row and line set) and h, the header of
 * its input, named name, are valid during the call. */
struct mergeid_reject {
	const struct header *h;
	const char *name;
	const struct record *rec;
	const char *field, *reason; /* "source_id", "duplicate" */
};
typedef int (*mergeid_reject_fn)(void *ctx, const struct mergeid_reject *r,
				 struct mbr_err *err);

/* Decide every master ID, after the last record; reject (NULL: none)
 * hears of each repeated record, and may stop with -1. Fails with
 * MBR_EIO on a broken crosswalk (a record's row twice, retired IDs in a
 * circle) or a sort that cannot write, MBR_EINTERNAL on a broken
 * invariant. Call once. */
int mergeid_assign(struct mergeid *m, mergeid_reject_fn reject, void *ctx,
		   struct mbr_err *err);

/*
 * Outputs, after mergeid_assign. Each fails with MBR_EIO on a write error,
 * the message starting with the output's name.
 */

struct mergeid_out {
	FILE *f;	  /* borrowed; stays open */
	const char *name; /* for messages: "golden.csv", "standard output" */
};

/* Golden records (once), sorted by master_id: the canonical columns (source is
 * "master", source_id the master ID, source_row the row number) and then
 * master_id, member_count and sources (the members' distinct sources,
 * sorted, ';'-separated). With lineage, also one row per non-empty golden
 * field: master_id, field, value, source, source_id, rule; a sum of
 * several records' values names no record. lineage may be NULL; it needs
 * opts.lineage.
 * Pass-through columns and _issues do not reach golden records
 * (NEEDSWORK: survivorship rules for pass-through columns). */
int mergeid_write_golden(struct mergeid *m, const struct mergeid_out *out,
			 const struct mergeid_out *lineage,
			 struct mbr_err *err);
/* The crosswalk (once): `source,source_id,master_id,merged_into`; one row per
 * record (this input's and the carried ones), sorted by source and
 * source_id, then one row per retired ID, sorted by ID, whose merged_into
 * is the live master it ended up in. */
int mergeid_write_xref(struct mergeid *m, const struct mergeid_out *out,
		       struct mbr_err *err);
/* What this run changed (once): `change,master_id,source,source_id,
 * previous_master_id` with change one of new (an ID issued), merged (the
 * ID in previous_master_id retired into master_id), moved (a record now
 * under another master; previous_master_id is the one it left) and added
 * (a record seen for the first time), sorted by master_id, change, source
 * and source_id. */
int mergeid_write_changes(struct mergeid *m, const struct mergeid_out *out,
			  struct mbr_err *err);

/* The same rows, header first, each handed to emit (which returns 0, or
 * -1 with err to stop), instead of mergeid_write_changes: for
 * mbr-merge-id --dry-run (dryrun.h). */
int mergeid_each_change(struct mergeid *m,
			int (*emit)(void *ctx, const struct strview *f,
				    size_t n, struct mbr_err *err),
			void *ctx, struct mbr_err *err);

/*
 * The staging database (--db, lib/stage.h), inside a run the caller began
 * and commits. Fails with MBR_EIO when the database does.
 */

struct stage;
struct stage_cursor;

/* The earlier crosswalk: tables xref and retired (IDs retired without a
 * successor are only kept from being issued again). Call first. */
int mergeid_load_stage(struct mergeid *m, struct stage *st,
		       struct mbr_err *err);
/* After mergeid_assign: replace the masters table by the golden records;
 * upsert every crosswalk row into xref (first_run set when a record is
 * new, last_run when it is in this input) and every retired ID into
 * retired; then retire the masters whose records are all deleted at
 * source (stage_retire_deleted). With lineage, also write that file
 * (mergeid_write_golden). */
int mergeid_store(struct mergeid *m, struct stage *st,
		  const struct mergeid_out *lineage, struct mbr_err *err);

/* Counts, known after mergeid_assign. */
const struct mergeid_stats *mergeid_stats(const struct mergeid *m);

#endif
