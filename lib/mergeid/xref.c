/*
 * xref: reading the earlier crosswalk (mergeid_int.h).
 */
#include "mergeid/mergeid_int.h"

/*
 * The earlier crosswalk
 */

static int xref_retired(struct mergeid *m, struct strview id,
			struct strview into, const char *where,
			struct mbr_err *err)
{
	uint64_t a, b;

	if (master_seq(m, id, where, &a, err) < 0 ||
	    master_seq(m, into, where, &b, err) < 0)
		return -1;
	return retired_add(m, a, b, where, err);
}

/* where, short: "xref.csv:12" is the index of "xref.csv:" in m->wheres
 * (the one before, almost always) and 12, each LEB128; a where that
 * does not end in a number is its own prefix, number 0. */
static void where_put(struct mergeid *m, const char *where, struct buf *out)
{
	size_t len = strlen(where), digits = 0;
	uint64_t n = 0;

	while (digits < len && digits < 18 && where[len - 1 - digits] >= '0' &&
	       where[len - 1 - digits] <= '9')
		digits++;
	/* a leading 0 would not read back the same */
	while (digits && where[len - digits] == '0')
		digits--;
	for (size_t i = len - digits; i < len; i++)
		n = n * 10 + (uint64_t)(where[i] - '0');
	len -= digits;
	if (!m->n_wheres || strlen(m->wheres[m->n_wheres - 1]) != len ||
	    memcmp(m->wheres[m->n_wheres - 1], where, len)) {
		m->wheres = xrealloc(m->wheres,
				     (m->n_wheres + 1) * sizeof(*m->wheres));
		m->wheres[m->n_wheres++] = sv_dup(svn(where, len));
	}
	buf_add_leb128(out, m->n_wheres - 1);
	buf_add_leb128(out, n);
}

/* Into S_KEY, before any record of that key: 'x', the master's sequence
 * number, and where the row is (for the message if the key repeats). */
static int xref_record(struct mergeid *m, struct strview source,
		       struct strview source_id, struct strview id,
		       const char *where, struct mbr_err *err)
{
	uint64_t seq;

	if (master_seq(m, id, where, &seq, err) < 0)
		return -1;
	buf_reset(&m->skey);
	skey_put(&m->skey, source);
	skey_put(&m->skey, source_id);
	buf_reset(&m->enc);
	buf_addc(&m->enc, 'x');
	be64_put(&m->enc, seq);
	where_put(m, where, &m->enc);
	return sort_add(m, S_KEY, buf_view(&m->skey), buf_view(&m->enc), err);
}

int mergeid_add_xref(struct mergeid *m, struct strview source,
		     struct strview source_id, struct strview master_id,
		     struct strview merged_into, const char *where,
		     struct mbr_err *err)
{
	if (m->took_records)
		return mbr_fail(err, MBR_EINTERNAL,
				"crosswalk rows after the first record");
	if (master_id.len == 0)
		return mbr_fail(err, MBR_EIO, "%s: empty master_id", where);
	if (source.len == 0 && source_id.len == 0) {
		if (merged_into.len == 0)
			return mbr_fail(
				err, MBR_EIO,
				"%s: neither a record (source, source_id) nor "
				"a retired ID (merged_into)",
				where);
		return xref_retired(m, master_id, merged_into, where, err);
	}
	if (source.len == 0 || source_id.len == 0 || merged_into.len)
		return mbr_fail(err, MBR_EIO,
				"%s: a record row needs source and source_id "
				"and no merged_into",
				where);
	return xref_record(m, source, source_id, master_id, where, err);
}

const char *const xref_cols[4] = {"source", "source_id", "master_id",
				  "merged_into"};

static int xref_bind(const struct header *h, const char *path, int col[4],
		     struct mbr_err *err)
{
	for (int i = 0; i < 4; i++) {
		col[i] = header_find(h, xref_cols[i]);
		if (col[i] < 0)
			return mbr_fail(
				err, MBR_EIO,
				"%s: no '%s' column (expected "
				"source,source_id,master_id,merged_into)",
				path, xref_cols[i]);
	}
	return 0;
}

static int xref_read(struct mergeid *m, struct csvio_reader *r,
		     const char *path, struct mbr_err *err)
{
	struct record rec;
	int col[4], st, rc = 0;
	char where[300];

	if (header_count(csvio_header(r)) == 0)
		return 0; /* an empty file */
	if (xref_bind(csvio_header(r), path, col, err) < 0)
		return -1;
	record_init(&rec);
	/* CSVIO_STRICT: a row csvio cannot parse ends the read (st < 0). */
	while (rc == 0 && (st = csvio_read(r, &rec, err)) == CSVIO_ROW) {
		snprintf(where, sizeof(where), "%s:%lu", path, rec.line);
		rc = mergeid_add_xref(m, record_field(&rec, col[0]),
				      record_field(&rec, col[1]),
				      record_field(&rec, col[2]),
				      record_field(&rec, col[3]), where, err);
	}
	if (rc == 0 && st == CSVIO_BAD)
		rc = mbr_fail(err, MBR_EIO, "%s: record %lu: %s", path,
			      csvio_bad_row(r), csvio_bad_reason(r));
	record_release(&rec);
	return st < 0 ? -1 : rc;
}

int mergeid_load_xref(struct mergeid *m, const char *path, struct mbr_err *err)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct csvio_reader *r;
	struct stat st;
	int rc;

	/* No file, or an empty one (touch xref.csv): the first run. */
	if (stat(path, &st) != 0 ? errno == ENOENT
				 : S_ISREG(st.st_mode) && st.st_size == 0)
		return 0;
	o.flags |= CSVIO_STRICT;
	r = csvio_open(&path, 1, &o, err);
	if (!r)
		return -1;
	rc = xref_read(m, r, path, err);
	csvio_close(r);
	return rc;
}
