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

static void import_header(const struct import_opts *o, struct header *h)
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

/* One source's handler: its mapping applied to each row. */
struct source_run {
	struct mapping *m;	/* borrowed */
	const struct header *h; /* the canonical header, extras, _issues */
	struct record out;	/* the mapped record */
	struct buf issues;	/* its _issues */
	const int *slot;	/* the source's extra columns (import_source) */
	struct record full;	/* the mapped record with every extra column */
};

/* s->out with its extra columns where the output has them (another
 * source's extras empty), in s->full; then swapped into s->out. */
static void line_up(struct source_run *s)
{
	size_t n = header_count(s->h) - CF_COUNT - 1;

	if (n == 0)
		return;
	record_reset(&s->full);
	for (size_t i = 0; i < CF_COUNT; i++)
		record_addsv(&s->full, record_field(&s->out, i));
	for (size_t j = 0; j < n; j++)
		record_addsv(
			&s->full,
			s->slot[j] < 0
				? svn("", 0)
				: record_field(&s->out,
					       CF_COUNT + (size_t)s->slot[j]));
	record_swap(&s->out, &s->full);
}

static int bind(void *ctx, const struct header *in, const char *name,
		struct mbr_err *err)
{
	struct source_run *s = ctx;

	return mapping_bind(s->m, in, name, err);
}

static const struct header *out_header(void *ctx)
{
	struct source_run *s = ctx;

	return s->h;
}

/* A quote the reader took as a literal character: name the field that
 * reads its column in the record's issues. */
static void note_row(struct source_run *s, const struct record *in)
{
	const char *field;

	if (!in->note || !*in->note)
		return;
	field = mapping_col_user(s->m, in->note_col);
	buf_addf(&s->issues, "%s:%s;", field ? field : "source_row", in->note);
}

/* The mapped record replaces the row: rec becomes a canonical record. */
static int take(void *ctx, struct record *rec, enum rs_verdict *v,
		struct rs_why *why, struct mbr_err *err)
{
	struct source_run *s = ctx;
	int n;

	(void)err;
	buf_reset(&s->issues);
	n = mapping_apply(s->m, rec, &s->out, &s->issues);
	if (n < 0) {
		*v = RS_REJECT;
		why->reason = "a value is larger than 256 MB";
		return 0;
	}
	line_up(s);
	note_row(s, rec);
	if (s->issues.len)
		buf_truncate(&s->issues, s->issues.len - 1); /* last ';' */
	record_add(&s->out, s->issues.p, s->issues.len);
	s->out.row = rec->row;
	s->out.line = rec->line;
	record_swap(rec, &s->out);
	if (record_field(rec, CF_SOURCE_ID).len == 0) {
		*v = RS_REJECT;
		why->field = "source_id";
		why->reason = "the key column is empty";
		return 0;
	}
	*v = n > 0 || s->issues.len ? RS_FLAG : RS_PASS;
	return 0;
}

/* An unreadable row: the source's name, and its key when it can be read. */
static void locate(void *ctx, const struct csvio_reader *r,
		   struct reject_at *at)
{
	struct source_run *s = ctx;

	reject_at_bad_row(at, r, sv(mapping_info(s->m)->name), -1,
			  mapping_key_col(s->m), -1);
}

/* The read options of a source mapping. */
static void read_opts(const struct mapping *m, bool strict,
		      struct csvio_opts *co)
{
	const struct mapping_info *mi = mapping_info(m);

	co->encoding = mi->encoding;
	co->delim = mi->delim;
	co->flags |= CSVIO_SOURCE;
	if (strict)
		co->flags |= CSVIO_STRICT;
	if (!mi->header)
		co->flags |= CSVIO_NO_HEADER;
}

static int import_source(const struct import_source *src,
			 const struct header *h, bool strict, struct rs_sink *k,
			 struct rs_tally *t, struct mbr_err *err)
{
	struct csvio_opts co = CSVIO_OPTS_INIT;
	struct source_run s = {src->map, h, {0}, {0}, src->slot, {0}};
	struct rs_handler hd = {bind, out_header, take, locate,
				&s,   true,	  true, NULL};
	int rc;

	read_opts(src->map, strict, &co);
	record_init(&s.out);
	record_init(&s.full);
	buf_init(&s.issues, RECORD_MAX_BYTES);
	rc = rs_run_files(src->files, src->n_files, &co, &hd, k, t, err);
	record_release(&s.out);
	record_release(&s.full);
	buf_release(&s.issues);
	return rc;
}

int import_run(const struct import_opts *o, struct rs_sink *k,
	       struct rs_tally *t, struct mbr_err *err)
{
	struct header h;
	int rc = 0;

	import_header(o, &h);
	bind_extras(o, &h);
	for (size_t i = 0; rc == 0 && i < o->n_sources; i++)
		rc = import_source(&o->sources[i], &h, o->strict, k, t, err);
	header_release(&h);
	return rc;
}

struct import_reader {
	struct import_source src; /* the mapping (borrowed) and its slots */
	struct import_opts o;	  /* o.sources is &src */
	struct header h;	  /* the canonical header, extras, _issues */
	struct source_run run;
};

struct import_reader *import_reader_new(struct mapping *m, bool strict,
					struct rs_handler *h,
					struct csvio_opts *co)
{
	struct import_reader *r = xmalloc(sizeof(*r));

	memset(r, 0, sizeof(*r));
	r->src.map = m;
	r->o.sources = &r->src;
	r->o.n_sources = 1;
	r->o.strict = strict;
	import_header(&r->o, &r->h);
	bind_extras(&r->o, &r->h);
	r->run.m = m;
	r->run.h = &r->h;
	r->run.slot = r->src.slot;
	record_init(&r->run.out);
	record_init(&r->run.full);
	buf_init(&r->run.issues, RECORD_MAX_BYTES);
	*h = (struct rs_handler){bind,	  out_header, take, locate,
				 &r->run, true,	      true, NULL};
	*co = (struct csvio_opts)CSVIO_OPTS_INIT;
	read_opts(m, strict, co);
	return r;
}

const struct header *import_reader_header(const struct import_reader *r)
{
	return &r->h;
}

void import_reader_free(struct import_reader *r)
{
	if (!r)
		return;
	record_release(&r->run.out);
	record_release(&r->run.full);
	buf_release(&r->run.issues);
	header_release(&r->h);
	free(r->src.slot);
	free(r);
}

/*
 * Snapshots
 */

int import_snapshot_begin(struct import_snapshot *s,
			  const struct import_opts *o, struct stage *st,
			  struct mbr_err *err)
{
	memset(s, 0, sizeof(*s));
	s->names = xcalloc(o->n_sources + 1, sizeof(*s->names));
	s->before = xcalloc(o->n_sources + 1, sizeof(*s->before));
	for (size_t i = 0; i < o->n_sources; i++) {
		const char *name = mapping_info(o->sources[i].map)->name;
		size_t j = 0;

		while (j < s->n && strcmp(s->names[j], name))
			j++;
		if (j < s->n)
			continue; /* two --map for one source */
		s->names[s->n] = name;
		if (stage_count_present(st, sv(name), &s->before[s->n++], err) <
		    0)
			return -1;
	}
	return 0;
}

/* Would the snapshot delete too much of source i? */
static int snapshot_check(const struct import_snapshot *s, size_t i,
			  const struct import_opts *o, struct stage *st,
			  struct mbr_err *err)
{
	unsigned long long gone, had = s->before[i];
	double pct;

	if (stage_count_missing(st, sv(s->names[i]), &gone, err) < 0)
		return -1;
	pct = had ? 100.0 * (double)gone / (double)had : 0.0;
	if (pct <= o->max_delete)
		return 0;
	if (o->force) {
		mbr_warn("snapshot of source '%s' deletes %llu of its "
			 "%llu "
			 "records (%.2f%%), over --max-delete %g%% "
			 "(--force)",
			 s->names[i], gone, had, pct, o->max_delete);
		return 0;
	}
	return mbr_fail(err, MBR_ELIMIT,
			"snapshot of source '%s' lacks %llu of its %llu "
			"records (%.2f%%), over --max-delete %g%% (a truncated "
			"export?): nothing committed; rerun with --force if "
			"the source really lost them",
			s->names[i], gone, had, pct, o->max_delete);
}

int import_snapshot_end(struct import_snapshot *s, const struct import_opts *o,
			struct stage *st, struct mbr_err *err)
{
	unsigned long long n;

	for (size_t i = 0; i < s->n; i++)
		if (snapshot_check(s, i, o, st, err) < 0)
			return -1;
	for (size_t i = 0; i < s->n; i++) {
		if (stage_mark_missing(st, sv(s->names[i]), &n, err) < 0)
			return -1;
		s->deleted += n;
	}
	return 0;
}

void import_snapshot_release(struct import_snapshot *s)
{
	free(s->names);
	free(s->before);
	memset(s, 0, sizeof(*s));
}
