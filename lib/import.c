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
	s->slot = NULL;
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
		free(o->sources[i].slot);
	}
	free(o->sources);
	o->sources = NULL;
	o->n_sources = 0;
}

void import_header(const struct import_opts *o, struct header *h)
{
	header_init(h);
	for (int i = 0; i < CF_COUNT; i++)
		header_add(h, canon_name((enum canon_field)i));
	for (size_t s = 0; s < o->n_sources; s++)
		for (size_t i = 0; i < mapping_n_extra(o->sources[s].map); i++)
			if (header_find(h, mapping_extra_name(o->sources[s].map,
							      i)) < 0)
				header_add(h, mapping_extra_name(
						      o->sources[s].map, i));
	header_add(h, COL_ISSUES);
}

/* Where each extra column of header h comes from in each source. */
static void bind_extras(const struct import_opts *o, const struct header *h)
{
	size_t n = header_count(h) - CF_COUNT - 1;

	for (size_t s = 0; s < o->n_sources; s++) {
		struct import_source *src = &o->sources[s];

		free(src->slot);
		src->slot = xmalloc((n + 1) * sizeof(*src->slot));
		for (size_t j = 0; j < n; j++) {
			const char *name =
				record_field(&h->names, CF_COUNT + j).p;

			src->slot[j] = -1;
			for (size_t i = 0; i < mapping_n_extra(src->map); i++)
				if (!strcmp(name,
					    mapping_extra_name(src->map, i)))
					src->slot[j] = (int)i;
		}
	}
}

/* Where records and rejects go: a CSV stream or the staging database. */
struct sink {
	struct csvio_writer *w; /* owned, or NULL with st */
	const int *slot;	/* the current source's extra columns */
	size_t n_extra;		/* extra columns in the output */
	struct record full;	/* owned: a record with every extra column */
	struct stage *st;	/* borrowed, or NULL */
	struct reject_file *rf; /* borrowed, may be NULL */
	const struct header *h; /* the canonical header + _issues */
	struct cli *cli;
};

static int put_record(struct sink *k, const struct record *rec,
		      struct mbr_err *err)
{
	if (k->st)
		return stage_put_record(k->st, k->h, rec, err);
	csvio_write(k->w, rec);
	return 0;
}

static int put_bad(struct sink *k, const char *source, unsigned long row,
		   struct strview raw, const char *reason, struct mbr_err *err)
{
	k->cli->counts.rejected++;
	if (k->st)
		return stage_put_reject_raw(k->st, sv(source), row,
					    "mbr-import", reason, raw, err);
	if (k->rf)
		reject_raw(k->rf, sv(source), row, raw, reason);
	return 0;
}

static int put_reject(struct sink *k, const struct record *rec,
		      const char *field, const char *reason,
		      struct mbr_err *err)
{
	k->cli->counts.rejected++;
	if (k->st)
		return stage_put_reject(k->st, k->h, rec, "mbr-import", field,
					reason, svn("", 0), err);
	if (k->rf)
		reject_record(k->rf, rec, field, reason);
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

/* out with its extra columns where the output has them (another
 * source's extras empty): k->full. */
static struct record *line_up(struct sink *k, const struct record *out)
{
	record_reset(&k->full);
	for (size_t i = 0; i < CF_COUNT; i++)
		record_addsv(&k->full, record_field(out, i));
	for (size_t j = 0; j < k->n_extra; j++)
		record_addsv(
			&k->full,
			k->slot[j] < 0
				? svn("", 0)
				: record_field(out,
					       CF_COUNT + (size_t)k->slot[j]));
	return &k->full;
}

static int take_row(struct sink *k, struct mapping *m, struct record *in,
		    struct record *out, struct buf *issues, struct mbr_err *err)
{
	int n;

	buf_reset(issues);
	n = mapping_apply(m, in, out, issues);
	if (n >= 0 && k->n_extra)
		out = line_up(k, out);
	if (n < 0) {
		warn_bad(k, mapping_info(m)->name, in->row, "value too large");
		return put_reject(k, out, "", "a value is larger than 256 MB",
				  err);
	}
	if (record_field(out, CF_SOURCE_ID).len == 0) {
		record_add(out, issues->p, issues->len);
		return put_reject(k, out, "source_id",
				  "the key column is empty", err);
	}
	if (issues->len)
		buf_truncate(issues, issues->len - 1); /* last ';' */
	record_add(out, issues->p, issues->len);
	if (n > 0)
		k->cli->counts.flagged++;
	k->cli->counts.out++;
	return put_record(k, out, err);
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
			rc = put_bad(k, mapping_info(m)->name, csvio_bad_row(r),
				     csvio_bad_raw(r), csvio_bad_reason(r),
				     err);
		} else {
			rc = take_row(k, m, &in, &out, &issues, err);
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
	if (strict)
		co.flags |= CSVIO_STRICT;
	if (!mi->header)
		co.flags |= CSVIO_NO_HEADER;
	r = csvio_open(s->files, s->n_files, &co, err);
	if (!r)
		return -1;
	k->slot = s->slot;
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
	struct sink k = {NULL, NULL, 0, {0}, st, rf, &h, cli};
	int rc = 0;

	import_header(o, &h);
	bind_extras(o, &h);
	k.n_extra = header_count(&h) - CF_COUNT - 1;
	record_init(&k.full);
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
	record_release(&k.full);
	header_release(&h);
	return rc;
}
