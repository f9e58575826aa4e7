/*
 * stage_io: the staging database (mergeid_int.h).
 */
#include "mergeid/mergeid_int.h"

/*
 * The staging database
 */

static int xref_query(struct mergeid *m, struct stage *st,
		      struct stage_cursor *c, const char *table,
		      struct mbr_err *err)
{
	struct record rec;
	char where[300];
	int rc = 0, n = 0;

	if (!c)
		return -1;
	record_init(&rec);
	while (rc == 0 && (n = stage_cursor_next(c, &rec, err)) > 0) {
		snprintf(where, sizeof(where), "%s: %s row %lu", stage_path(st),
			 table, rec.row);
		rc = mergeid_add_xref(m, record_field(&rec, 0),
				      record_field(&rec, 1),
				      record_field(&rec, 2),
				      record_field(&rec, 3), where, err);
	}
	record_release(&rec);
	stage_cursor_free(c);
	return n < 0 ? -1 : rc;
}

/* IDs retired without a successor (deleted at source, erased): known,
 * so that their sequence numbers are never issued again. */
static int gone_query(struct mergeid *m, struct stage *st, struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_gone(st, err);
	struct record rec;
	char where[300];
	uint64_t seq;
	int rc = 0, n = 0;

	if (!c)
		return -1;
	record_init(&rec);
	while (rc == 0 && (n = stage_cursor_next(c, &rec, err)) > 0) {
		snprintf(where, sizeof(where), "%s: retired row %lu",
			 stage_path(st), rec.row);
		rc = master_seq(m, record_field(&rec, 0), where, &seq, err);
	}
	record_release(&rec);
	stage_cursor_free(c);
	return n < 0 ? -1 : rc;
}

int mergeid_load_stage(struct mergeid *m, struct stage *st, struct mbr_err *err)
{
	if (xref_query(m, st, stage_read_xref(st, err), "xref", err) < 0 ||
	    xref_query(m, st, stage_read_retired(st, err), "retired", err) < 0)
		return -1;
	return gone_query(m, st, err);
}

static int emit_master(void *ctx, const struct strview *f, size_t n,
		       struct mbr_err *err)
{
	(void)n;
	return stage_put_master(ctx, f, err);
}

static int emit_xref_db(void *ctx, const struct strview *f, size_t n,
			struct mbr_err *err)
{
	(void)n;
	if (f[0].len)
		return stage_put_xref(ctx, f[0], f[1], f[2], f[4].len > 0, err);
	return stage_put_retired(ctx, f[2], f[3], err);
}

int mergeid_store(struct mergeid *m, struct stage *st,
		  const struct mergeid_out *lineage, struct mbr_err *err)
{
	int rc = stage_clear_masters(st, err);

	if (rc == 0)
		rc = golden_write(m, emit_master, st, false, lineage, err);
	if (rc == 0)
		rc = xref_rows(m, emit_xref_db, st, err);
	if (rc == 0)
		rc = stage_retire_deleted(st, &m->stats.retired, &m->stats.back,
					  err);
	return rc;
}
