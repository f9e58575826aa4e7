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
	int source_col;		/* `source`, or -1 */
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
	rf->source_col = h->canon[CF_SOURCE];
	rf->row_col = h->canon[CF_SOURCE_ROW];
	rf->tool = tool;
	rf->f = xcalloc(n + 4, sizeof(*rf->f));
	for (size_t i = 0; i < n; i++)
		rf->f[i] = record_field(&h->names, i);
	n = rf->n_cols;
	if (rf->raw_col < 0)
		rf->f[n++] = sv("raw");
	for (size_t i = 0; i < 3; i++)
		rf->f[n++] = sv(tail[i]);
	csvio_write_fields(rf->w, rf->f, n);
	return rf;
}

static void write_row(struct reject_file *rf, struct strview raw,
		      const char *field, const char *reason)
{
	size_t n = rf->n_cols;

	if (rf->raw_col < 0)
		rf->f[n++] = raw;
	else
		rf->f[rf->raw_col] = raw;
	rf->f[n++] = sv(rf->tool);
	rf->f[n++] = sv(field);
	rf->f[n++] = sv(reason);
	csvio_write_fields(rf->w, rf->f, n);
	rf->n++;
}

void reject_record(struct reject_file *rf, const struct record *rec,
		   const char *field, const char *reason)
{
	for (size_t i = 0; i < rf->n_cols; i++)
		rf->f[i] = record_field(rec, i);
	write_row(rf,
		  rf->raw_col < 0 ? svn("", 0)
				  : record_field(rec, (size_t)rf->raw_col),
		  field, reason);
}

void reject_raw(struct reject_file *rf, struct strview source,
		unsigned long row, struct strview raw, const char *reason)
{
	char num[24];

	snprintf(num, sizeof(num), "%lu", row);
	for (size_t i = 0; i < rf->n_cols; i++)
		rf->f[i] = svn("", 0);
	if (rf->source_col >= 0)
		rf->f[rf->source_col] = source;
	if (rf->row_col >= 0)
		rf->f[rf->row_col] = sv(num);
	write_row(rf, raw, "", reason);
}

int reject_flush(struct reject_file *rf, struct mbr_err *err)
{
	if (csvio_writer_flush(rf->w, err) < 0)
		return mbr_prefix(err, "rejects file: ");
	return 0;
}

unsigned long long reject_count(const struct reject_file *rf)
{
	return rf ? rf->n : 0;
}

void reject_free(struct reject_file *rf)
{
	if (!rf)
		return;
	csvio_writer_free(rf->w);
	free(rf->f);
	free(rf);
}
