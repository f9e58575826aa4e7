/*
 * reject: the rejects file.
 */
#include "reject.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"

struct reject_file {
	struct csvio_writer *w; /* owned */
	size_t n_cols;		/* the input's columns */
	int raw_col;		/* the input's own `raw` column, or -1 */
	int line_col;		/* the input's own `source_line`, or -1 */
	int source_col;		/* `source`, or -1 */
	int id_col;		/* `source_id`, or -1 */
	int row_col;		/* `source_row`, or -1 */
	const char *tool;	/* borrowed: "mbr-import" */
	struct strview *f;	/* owned: the row being written */
	unsigned long long n;
};

static const char *const tail[] = {"reject_tool", "reject_field",
				   "reject_reason"};

struct reject_file *reject_new(FILE *out, const struct header *h,
			       const char *tool)
{
	struct reject_file *rf = xcalloc(1, sizeof(*rf));
	size_t n = header_count(h);

	rf->w = csvio_writer_new(out, ',');
	rf->n_cols = n;
	rf->raw_col = header_find(h, "raw");
	rf->line_col = header_find(h, "source_line");
	rf->source_col = h->canon[CF_SOURCE];
	rf->id_col = h->canon[CF_SOURCE_ID];
	rf->row_col = h->canon[CF_SOURCE_ROW];
	rf->tool = tool;
	rf->f = xcalloc(n + 5, sizeof(*rf->f));
	for (size_t i = 0; i < n; i++)
		rf->f[i] = record_field(&h->names, i);
	n = rf->n_cols;
	if (rf->raw_col < 0)
		rf->f[n++] = sv("raw");
	if (rf->line_col < 0)
		rf->f[n++] = sv("source_line");
	for (size_t i = 0; i < 3; i++)
		rf->f[n++] = sv(tail[i]);
	csvio_write_fields(rf->w, rf->f, n);
	return rf;
}

/* Put v in the input's own column col, or in the next added column. */
static void put_col(struct reject_file *rf, int col, size_t *n,
		    struct strview v)
{
	if (col >= 0)
		rf->f[col] = v;
	else
		rf->f[(*n)++] = v;
}

static void write_row(struct reject_file *rf, struct strview raw,
		      struct strview line, const char *field,
		      const char *reason)
{
	size_t n = rf->n_cols;

	put_col(rf, rf->raw_col, &n, raw);
	put_col(rf, rf->line_col, &n, line);
	rf->f[n++] = sv(rf->tool);
	rf->f[n++] = sv(field);
	rf->f[n++] = sv(reason);
	csvio_write_fields(rf->w, rf->f, n);
	rf->n++;
}

static struct strview own_col(const struct record *rec, int col)
{
	return col < 0 ? svn("", 0) : record_field(rec, (size_t)col);
}

static struct strview line_view(char *num, size_t size, unsigned long line)
{
	if (!line)
		return svn("", 0);
	return svn(num, (size_t)snprintf(num, size, "%lu", line));
}

void reject_record(struct reject_file *rf, const struct record *rec,
		   unsigned long line, const char *field, const char *reason)
{
	char num[24];
	struct strview l = line ? line_view(num, sizeof(num), line)
				: own_col(rec, rf->line_col);

	for (size_t i = 0; i < rf->n_cols; i++)
		rf->f[i] = record_field(rec, i);
	write_row(rf, own_col(rec, rf->raw_col), l, field, reason);
}

void reject_raw(struct reject_file *rf, const struct reject_at *at,
		struct strview raw, const char *reason)
{
	char num[24];

	for (size_t i = 0; i < rf->n_cols; i++)
		rf->f[i] = svn("", 0);
	if (rf->source_col >= 0)
		rf->f[rf->source_col] = at->source;
	if (rf->id_col >= 0)
		rf->f[rf->id_col] = at->source_id;
	if (rf->row_col >= 0)
		rf->f[rf->row_col] = at->row;
	write_row(rf, raw, line_view(num, sizeof(num), at->line), "", reason);
}

static struct strview bad_col(const struct csvio_reader *r, int col,
			      struct strview dflt)
{
	struct strview v;

	if (col >= 0 && csvio_bad_field(r, (size_t)col, &v) && v.len)
		return v;
	return dflt;
}

void reject_at_bad_row(struct reject_at *at, const struct csvio_reader *r,
		       struct strview dflt_source, int source_col, int key_col,
		       int row_col)
{
	size_t n = (size_t)snprintf(at->num, sizeof(at->num), "%lu",
				    csvio_bad_row(r));

	at->source = bad_col(r, source_col, dflt_source);
	at->source_id = bad_col(r, key_col, svn("", 0));
	at->row = bad_col(r, row_col, svn(at->num, n));
	at->line = csvio_bad_line(r);
}

int reject_flush(struct reject_file *rf, struct mbr_err *err)
{
	if (csvio_writer_flush(rf->w, err) < 0)
		return mbr_prefix(err, "rejects file: ");
	return 0;
}

void reject_free(struct reject_file *rf)
{
	if (!rf)
		return;
	csvio_writer_free(rf->w);
	free(rf->f);
	free(rf);
}
