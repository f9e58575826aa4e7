/*
 * recstream: the record loop. The loop owns counting, rejects, warnings,
 * progress and --strict; sinks own where records go.
 */
#include "recstream.h"

#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "stage.h"

const char *rs_status(const struct rs_tally *t)
{
	if (t->rejected)
		return "rejected";
	return t->flagged ? "flagged" : "ok";
}

/*
 * Sinks: a table of what each kind does with a kept record, a rejected
 * one and an unreadable row.
 */

struct rs_sink {
	const char *tool;	 /* borrowed: reject_tool */
	FILE *out;		 /* borrowed: CSV records, or NULL */
	FILE *rejects;		 /* borrowed: rejects file, or NULL */
	struct stage *st;	 /* borrowed: the database, or NULL */
	enum rs_stage_mode mode; /* with st */
	bool keeps;		 /* records go to out or st */
	bool count_out;		 /* a kept record counts as out */
	struct csvio_writer *w;	 /* owned: on out, from the first header */
	struct reject_file *rf;	 /* owned: on rejects, from the first header */
	struct header rh;	 /* owned: the rejects' header (with st) */
	bool started;		 /* headers written */
};

static struct rs_sink *sink_new(const char *tool)
{
	struct rs_sink *k = xcalloc(1, sizeof(*k));

	k->tool = tool;
	header_init(&k->rh);
	return k;
}

struct rs_sink *rs_sink_csv(FILE *out, FILE *rejects, const char *tool)
{
	struct rs_sink *k = sink_new(tool);

	k->out = out;
	k->rejects = rejects;
	k->keeps = k->count_out = true;
	return k;
}

struct rs_sink *rs_sink_rejects(FILE *rejects, struct stage *st,
				const char *tool, bool count_out)
{
	struct rs_sink *k = sink_new(tool);

	k->rejects = rejects;
	k->st = st;
	k->count_out = count_out;
	return k;
}

struct rs_sink *rs_sink_stage(struct stage *st, enum rs_stage_mode mode,
			      const char *tool)
{
	struct rs_sink *k = sink_new(tool);

	k->st = st;
	k->mode = mode;
	k->keeps = k->count_out = true;
	return k;
}

void rs_sink_free(struct rs_sink *k)
{
	if (!k)
		return;
	csvio_writer_free(k->w);
	reject_free(k->rf);
	header_release(&k->rh);
	free(k);
}

/* The first header seen: the output's and the rejects' header rows. */
static void sink_start(struct rs_sink *k, const struct header *out,
		       const struct header *rej)
{
	if (k->started)
		return;
	k->started = true;
	if (k->out) {
		k->w = csvio_writer_new(k->out, ',');
		csvio_write_header(k->w, out);
	}
	if (k->rejects)
		k->rf = reject_new(k->rejects, rej, k->tool);
	if (k->st)
		header_set(&k->rh, &rej->names);
}

/* Keep rec: 1 stored, 0 refused by the database (a key twice in one
 * import run), STAGE_IMPORT_ERASED (an erased member), -1 on an error. */
static int sink_put(struct rs_sink *k, const struct header *h,
		    const struct record *rec, bool unchanged,
		    struct mbr_err *err)
{
	if (k->w)
		csvio_write(k->w, rec);
	if (!k->st || !k->keeps || unchanged)
		return 1;
	if (k->mode == RS_STAGE_IMPORT)
		return stage_import_record(k->st, h, rec, err);
	return stage_put_record(k->st, h, rec, err) < 0 ? -1 : 1;
}

static int sink_reject(struct rs_sink *k, const struct header *h,
		       const struct record *rec, unsigned long line,
		       const struct rs_why *why, struct mbr_err *err)
{
	if (k->rf)
		reject_record(k->rf, rec, line, why->field, why->reason);
	if (!k->st)
		return 0;
	if (stage_put_reject(k->st, h, rec, line, k->tool, why->field,
			     why->reason, svn("", 0), err) < 0)
		return -1;
	if (!k->keeps || k->mode != RS_STAGE_DELETE)
		return 0;
	return stage_delete_record(k->st, record_canon(rec, h, CF_SOURCE),
				   record_canon(rec, h, CF_SOURCE_ID), err);
}

static int sink_reject_raw(struct rs_sink *k, const struct reject_at *at,
			   struct strview raw, const char *reason,
			   struct mbr_err *err)
{
	if (k->rf)
		reject_raw(k->rf, at, raw, reason);
	if (k->st)
		return stage_put_reject_raw(k->st, at, k->tool, reason, raw,
					    err);
	return 0;
}

int rs_finish(struct rs_sink *k, struct mbr_err *err)
{
	if (k->w && csvio_writer_flush(k->w, err) < 0)
		return -1;
	if (k->rf && reject_flush(k->rf, err) < 0)
		return -1;
	return 0;
}

/*
 * The loop
 */

/* One run over one source. */
struct loop {
	const struct rs_handler *h;
	struct rs_sink *k;
	struct rs_tally *t;
	const struct header *in;  /* the source's header */
	const struct header *out; /* what kept records look like */
	const char *name;	  /* the file or database, for warnings */
};

/* "mobile: bad; email: no @" from the parallel lists "mobile;email" and
 * "bad;no @" (reject.h). */
static void pair_reasons(struct buf *b, const char *field, const char *reason)
{
	size_t start = b->len;

	while (*field || *reason) {
		size_t f = strcspn(field, ";"), r = strcspn(reason, ";");

		buf_addf(b, "%s%.*s%s%.*s", b->len > start ? "; " : "", (int)f,
			 field, f ? ": " : "", (int)r, reason);
		field += f + (field[f] == ';');
		reason += r + (reason[r] == ';');
	}
}

/* The first rejected rows are named (by record number in a file, by
 * source and key in the database); after them, where the rest are. */
static void warn_reject(struct loop *l, const struct record *rec,
			unsigned long row, const char *field,
			const char *reason)
{
	unsigned long long n = l->t->rejected;
	struct buf b;

	if (n == RS_MAX_WARNINGS + 1)
		mbr_warn("more rejected records: see %s",
			 l->t->rejects_name ? l->t->rejects_name
					    : "the rejects");
	if (n > RS_MAX_WARNINGS)
		return;
	buf_init(&b, 4096);
	if (rec && !rec->line)
		buf_addf(&b, "%s: %.*s %.*s: ", l->name,
			 (int)record_canon(rec, l->in, CF_SOURCE).len,
			 record_canon(rec, l->in, CF_SOURCE).p,
			 (int)record_canon(rec, l->in, CF_SOURCE_ID).len,
			 record_canon(rec, l->in, CF_SOURCE_ID).p);
	else
		buf_addf(&b, "%s: record %lu: ", l->name, row);
	pair_reasons(&b, field, reason);
	mbr_warn("%s", b.p);
	buf_release(&b);
}

static int bind(struct loop *l, const struct header *in, const char *name,
		struct mbr_err *err)
{
	const struct header *out;

	l->in = in;
	l->name = name;
	if (l->h->bind && l->h->bind(l->h->ctx, in, name, err) < 0)
		return -1;
	out = l->h->out_header ? l->h->out_header(l->h->ctx) : NULL;
	l->out = out ? out : in;
	sink_start(l->k, l->out, l->h->reject_out ? l->out : in);
	return 0;
}

/* Count, name and write a rejected record (h: the rejects' header). */
static int reject(struct loop *l, const struct header *h,
		  const struct record *rec, unsigned long line,
		  const struct rs_why *why, struct mbr_err *err)
{
	l->t->rejected++;
	warn_reject(l, rec, rec->row, why->field, why->reason);
	if (l->t->dry)
		dryrun_rejected(l->t->dry, h, rec, why->field, why->reason);
	return sink_reject(l->k, h, rec, line, why, err);
}

static int take_record(struct loop *l, struct record *rec, struct mbr_err *err)
{
	struct rs_why why = {"", "", false};
	enum rs_verdict v = RS_PASS;
	/* --dry-run: what a record written back to the database changes */
	struct dryrun *dry = l->k->st && l->k->keeps ? l->t->dry : NULL;
	int stored;

	if (dry && !l->h->source_lines)
		dryrun_before(dry, rec);
	if (l->h->record(l->h->ctx, rec, &v, &why, err) < 0)
		return -1;
	if (v != RS_REJECT) {
		stored = sink_put(l->k, l->out, rec, why.unchanged, err);
		if (stored < 0)
			return -1;
		if (stored == 1) {
			l->t->out += l->k->count_out;
			l->t->flagged += v == RS_FLAG;
			if (dry)
				dryrun_kept(dry, l->in, l->out, rec);
			return 0;
		}
		why.field = "source+source_id";
		why.reason = stored == STAGE_IMPORT_ERASED
				     ? "erased (mbr erase): the source still "
				       "sends this member"
				     : "duplicate source_id within its source";
	}
	return reject(l, l->h->reject_out ? l->out : l->in, rec,
		      l->h->source_lines ? rec->line : 0, &why, err);
}

int rs_reject_late(struct rs_sink *k, struct rs_tally *t,
		   const struct header *in, const char *name,
		   const struct record *rec, const struct rs_why *why,
		   struct mbr_err *err)
{
	struct loop l = {NULL, k, t, in, in, name};

	return reject(&l, in, rec, 0, why, err);
}

static int take_bad(struct loop *l, const struct csvio_reader *r,
		    struct mbr_err *err)
{
	const struct header *h = csvio_header(r);
	struct reject_at at;

	if (l->h->locate)
		l->h->locate(l->h->ctx, r, &at);
	else
		reject_at_bad_row(&at, r, sv(csvio_name(r)),
				  h->canon[CF_SOURCE], h->canon[CF_SOURCE_ID],
				  h->canon[CF_SOURCE_ROW]);
	l->t->rejected++;
	warn_reject(l, NULL, csvio_bad_row(r), "", csvio_bad_reason(r));
	if (l->t->dry)
		dryrun_bad_row(l->t->dry, &at, csvio_bad_reason(r));
	return sink_reject_raw(l->k, &at, csvio_bad_raw(r), csvio_bad_reason(r),
			       err);
}

static void progress(struct rs_tally *t, const struct csvio_reader *r)
{
	unsigned long long done = 0, total = 0;

	if (!t->progress)
		return;
	if (r)
		csvio_progress(r, &done, &total);
	t->progress(t->progress_ctx, done, total);
}

int rs_run_files(const char *const *paths, size_t n, const struct csvio_opts *o,
		 const struct rs_handler *h, struct rs_sink *k,
		 struct rs_tally *t, struct mbr_err *err)
{
	struct loop l = {h, k, t, NULL, NULL, NULL};
	struct csvio_reader *r = csvio_open(paths, n, o, err);
	struct record rec;
	enum csvio_status st = CSVIO_EOF;
	int rc;

	if (!r)
		return -1;
	record_init(&rec);
	rc = bind(&l, csvio_header(r), csvio_name(r), err);
	while (rc == 0 && (st = csvio_read(r, &rec, err)) > 0) {
		t->in++;
		if (h->file && strcmp(l.name, csvio_name(r)))
			h->file(h->ctx, csvio_name(r));
		l.name = csvio_name(r);
		rc = st == CSVIO_BAD ? take_bad(&l, r, err)
				     : take_record(&l, &rec, err);
		progress(t, r);
	}
	if (st == CSVIO_ERROR)
		rc = -1;
	record_release(&rec);
	csvio_close(r);
	return rc;
}

int rs_run_cursor(struct stage_cursor *c, const char *name,
		  const struct rs_handler *h, struct rs_sink *k,
		  struct rs_tally *t, struct mbr_err *err)
{
	struct loop l = {h, k, t, NULL, NULL, NULL};
	struct header in;
	struct record rec;
	int rc = 0, got = 0;

	header_init(&in);
	record_init(&rec);
	if (stage_cursor_header(c, &in) < 0)
		rc = mbr_fail(err, MBR_EIO, "%s: header larger than 256 MB",
			      name);
	if (rc == 0)
		rc = bind(&l, &in, name, err);
	while (rc == 0 && (got = stage_cursor_next(c, &rec, err)) > 0) {
		t->in++;
		rec.line = 0; /* no file line: the row is the database's */
		rc = take_record(&l, &rec, err);
		progress(t, NULL);
	}
	if (got < 0)
		rc = -1;
	record_release(&rec);
	header_release(&in);
	return rc;
}
