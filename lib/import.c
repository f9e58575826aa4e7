/*
 * import: mappings applied to source exports.
 */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "stage.h"

int import_add_map(struct import_opts *o, const char *path, struct mbr_err *err)
{
	struct mapping *m = mapping_load(path, err);
	struct import_source *s;

	if (!m)
		return -1;
	if (mapping_info(m)->kind != MAPPING_SOURCE) {
		mapping_free(m);
		return mbr_fail(err, MBR_ECONFIG,
				"%s: a [target] mapping (mbr-import needs a "
				"[source] mapping)",
				path);
	}
	o->sources =
		xrealloc(o->sources, (o->n_sources + 1) * sizeof(*o->sources));
	s = &o->sources[o->n_sources++];
	s->map = m;
	s->files = NULL;
	s->n_files = 0;
	return 0;
}

int import_add_file(struct import_opts *o, const char *path,
		    struct mbr_err *err)
{
	struct import_source *s;

	if (o->n_sources == 0)
		return mbr_fail(err, MBR_ECONFIG,
				"'%s' comes before any --map (expected --map "
				"MAP FILE...)",
				path);
	s = &o->sources[o->n_sources - 1];
	s->files = xrealloc(s->files, (s->n_files + 1) * sizeof(char *));
	s->files[s->n_files++] = path;
	return 0;
}

void import_opts_release(struct import_opts *o)
{
	for (size_t i = 0; i < o->n_sources; i++) {
		mapping_free(o->sources[i].map);
		free(o->sources[i].files);
	}
	free(o->sources);
	o->sources = NULL;
	o->n_sources = 0;
}

void import_header(struct header *h)
{
	header_init(h);
	for (int i = 0; i < CF_COUNT; i++)
		header_add(h, canon_name((enum canon_field)i));
	header_add(h, COL_ISSUES);
}

/* Where records and rejects go: a CSV stream or the staging database. */
struct sink {
	struct csvio_writer *w; /* owned, or NULL with st */
	struct stage *st;	/* borrowed, or NULL */
	struct reject_file *rf; /* borrowed, may be NULL */
	const struct header *h; /* the canonical header + _issues */
	struct cli *cli;
};

static int put_bad(struct sink *k, struct mapping *m, struct csvio_reader *r,
		   struct mbr_err *err)
{
	struct reject_at at;

	reject_at_bad_row(&at, r, sv(mapping_info(m)->name), -1,
			  mapping_key_col(m), -1);
	k->cli->counts.rejected++;
	if (k->st)
		return stage_put_reject_raw(k->st, &at, "mbr-import",
					    csvio_bad_reason(r),
					    csvio_bad_raw(r), err);
	if (k->rf)
		reject_raw(k->rf, &at, csvio_bad_raw(r), csvio_bad_reason(r));
	return 0;
}

static int put_reject(struct sink *k, const struct record *rec,
		      unsigned long line, const char *field, const char *reason,
		      struct mbr_err *err)
{
	k->cli->counts.rejected++;
	if (k->st)
		return stage_put_reject(k->st, k->h, rec, line, "mbr-import",
					field, reason, svn("", 0), err);
	if (k->rf)
		reject_record(k->rf, rec, line, field, reason);
	return 0;
}

/* A record that is kept: in the stream, or staged once per key and run. A
 * second record with a key this run has staged would replace the first in
 * the database; it is rejected instead, as mbr-validate rejects it in a
 * stream, so that both stay accounted for. */
static int put_record(struct sink *k, const struct record *rec,
		      unsigned long line, bool flagged, struct mbr_err *err)
{
	int rc = 1;

	if (k->st)
		rc = stage_import_record(k->st, k->h, rec, err);
	else
		csvio_write(k->w, rec);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return put_reject(k, rec, line, "source+source_id",
				  "duplicate source_id within its source", err);
	k->cli->counts.out++;
	if (flagged)
		k->cli->counts.flagged++;
	return 0;
}

/* Say where the first few bad rows are; the rejects file has them all. */
#define MAX_WARNINGS 10

static void warn_bad(struct sink *k, const char *file, unsigned long row,
		     const char *reason)
{
	if (k->cli->counts.rejected < MAX_WARNINGS)
		cli_warn(k->cli, "%s: record %lu: %s", file, row, reason);
	else if (k->cli->counts.rejected == MAX_WARNINGS)
		cli_warn(k->cli, "more rejected rows: see the rejects file");
}

/* A quote the reader took as a literal character: name the field that
 * reads its column in the record's issues. */
static void note_row(struct mapping *m, const struct csvio_reader *r,
		     struct buf *issues)
{
	size_t col;
	const char *note = csvio_row_note(r, &col), *field;

	if (!*note)
		return;
	field = mapping_col_user(m, col);
	buf_addf(issues, "%s:%s;", field ? field : "source_row", note);
}

static int take_row(struct sink *k, struct mapping *m,
		    const struct csvio_reader *r, struct record *in,
		    struct record *out, struct buf *issues, struct mbr_err *err)
{
	int n;

	buf_reset(issues);
	n = mapping_apply(m, in, out, issues);
	if (n < 0) {
		warn_bad(k, mapping_info(m)->name, in->row, "value too large");
		return put_reject(k, out, in->line, "",
				  "a value is larger than 256 MB", err);
	}
	note_row(m, r, issues);
	if (record_field(out, CF_SOURCE_ID).len == 0) {
		record_add(out, issues->p, issues->len);
		return put_reject(k, out, in->line, "source_id",
				  "the key column is empty", err);
	}
	if (issues->len)
		buf_truncate(issues, issues->len - 1); /* last ';' */
	record_add(out, issues->p, issues->len);
	return put_record(k, out, in->line, n > 0 || issues->len, err);
}

static int read_all(struct sink *k, struct mapping *m, struct csvio_reader *r,
		    struct mbr_err *err)
{
	struct record in, out;
	struct buf issues;
	unsigned long long done, total;
	int st, rc = 0;

	record_init(&in);
	record_init(&out);
	buf_init(&issues, RECORD_MAX_BYTES);
	while (rc == 0 && (st = csvio_read(r, &in, err)) > 0) {
		k->cli->counts.in++;
		if (st == CSVIO_BAD) {
			warn_bad(k, csvio_name(r), csvio_bad_row(r),
				 csvio_bad_reason(r));
			rc = put_bad(k, m, r, err);
		} else {
			rc = take_row(k, m, r, &in, &out, &issues, err);
		}
		csvio_progress(r, &done, &total);
		cli_progress(k->cli, done, total);
	}
	if (st < 0)
		rc = -1;
	record_release(&in);
	record_release(&out);
	buf_release(&issues);
	return rc;
}

static int import_source(const struct import_source *s, struct sink *k,
			 bool strict, struct mbr_err *err)
{
	const struct mapping_info *mi = mapping_info(s->map);
	struct csvio_opts co = CSVIO_OPTS_INIT;
	struct csvio_reader *r;
	int rc;

	co.encoding = mi->encoding;
	co.delim = mi->delim;
	co.flags |= CSVIO_SOURCE;
	if (strict)
		co.flags |= CSVIO_STRICT;
	if (!mi->header)
		co.flags |= CSVIO_NO_HEADER;
	r = csvio_open(s->files, s->n_files, &co, err);
	if (!r)
		return -1;
	rc = mapping_bind(s->map, csvio_header(r), csvio_name(r), err);
	if (rc == 0)
		rc = read_all(k, s->map, r, err);
	csvio_close(r);
	return rc;
}

int import_run(const struct import_opts *o, FILE *out, struct stage *st,
	       struct reject_file *rf, struct cli *cli, struct mbr_err *err)
{
	struct header h;
	struct sink k = {NULL, st, rf, &h, cli};
	int rc = 0;

	import_header(&h);
	if (!st) {
		k.w = csvio_writer_new(out, ',');
		csvio_write_header(k.w, &h);
	}
	for (size_t i = 0; rc == 0 && i < o->n_sources; i++)
		rc = import_source(&o->sources[i], &k, o->strict, err);
	if (k.w && rc == 0 && csvio_writer_flush(k.w, err) < 0)
		rc = mbr_prefix(err, "%s: ",
				cli->out_path ? cli->out_path
					      : "standard output");
	if (rf && rc == 0)
		rc = reject_flush(rf, err);
	csvio_writer_free(k.w);
	header_release(&h);
	return rc;
}
