/*
 * dryrun: what a run under --dry-run would have changed, collected while
 * it runs and reported after its transaction is rolled back.
 *
 * The record loop (recstream) tells it every record's outcome: rejected
 * (for field and reason), flagged (the new _issues entries), or kept with
 * some canonical fields rewritten (which fields, never their values).
 * mbr-merge-id adds its masters (new, merged, moved, added records). The
 * caller adds the rows of every staging table before and after the run
 * (stage_count_rows). Counts per reason are kept in memory (at most
 * DRYRUN_MAX_REASONS distinct ones, the rest counted together); the full
 * list of changes is streamed to a CSV file when one is given:
 *
 *   change,source,source_id,master_id,field,detail
 *
 * change is reject, flag or update for a record, new, merged, moved or
 * added for mbr-merge-id (detail: the previous or retired master ID).
 * No field value is ever written: reasons and field names only.
 */
#ifndef MBR_DRYRUN_H
#define MBR_DRYRUN_H

#include <stdio.h>

#include "err.h"
#include "recstream.h"
#include "stage.h"

#define DRYRUN_MAX_REASONS 200 /* distinct reasons counted apart */
#define DRYRUN_MAX_TABLES 64   /* staging tables compared */
#define DRYRUN_LARGEST 10      /* largest master changes listed */

struct dryrun; /* opaque */

/* A collector; list (borrowed, may be NULL) gets the change list. */
struct dryrun *dryrun_new(FILE *list);
void dryrun_free(struct dryrun *d); /* NULL is fine */

/*
 * From the record loop
 */

/* rec as read, before the handler changes it (a copy is kept); not for
 * mbr-import, whose input is a source export, not canonical records. */
void dryrun_before(struct dryrun *d, const struct record *rec);
/* rec was kept (header h; in is the input's header): flagged when its
 * _issues gained entries, updated when canonical fields differ from the
 * copy dryrun_before took of this record (none taken: no comparison). */
void dryrun_kept(struct dryrun *d, const struct header *in,
		 const struct header *h, const struct record *rec);
/* rec (header h) was rejected for field and reason (reject.h lists). */
void dryrun_rejected(struct dryrun *d, const struct header *h,
		     const struct record *rec, const char *field,
		     const char *reason);
/* A row that could not be read. */
void dryrun_bad_row(struct dryrun *d, const struct reject_at *at,
		    const char *reason);

/*
 * From mbr-merge-id
 */

/* One row of mergeid's changes (mergeid_each_change's fields: change,
 * master_id, source, source_id, previous_master_id), the header row
 * first; rows come sorted by master_id. Matches mergeid's emit type. */
int dryrun_master_row(void *d, const struct strview *f, size_t n,
		      struct mbr_err *err);
/* mbr-merge-id's counts: IDs issued, IDs merged away, records moved. */
void dryrun_masters(struct dryrun *d, unsigned long long issued,
		    unsigned long long merged, unsigned long long moved);

/*
 * The tables, and the report
 */

/* The staging tables' rows before the run began (after false) and before
 * it was rolled back (after true); copied. */
void dryrun_tables(struct dryrun *d, bool after, const struct stage_count *t,
		   size_t n);
/* Flush the change list. -1 with err (MBR_EIO) on a write error. */
int dryrun_flush(struct dryrun *d, struct mbr_err *err);
/* The report: what prog's run would change, given its counts t. */
void dryrun_report(const struct dryrun *d, const char *prog,
		   const struct rs_tally *t, FILE *out);

#endif
