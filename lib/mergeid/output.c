/*
 * output: golden records, crosswalk, lineage and changes (mergeid_int.h).
 */
#include "mergeid/mergeid_int.h"

/*
 * Outputs. Rows go through an emit function, so that the same rows can
 * go to a CSV file or elsewhere.
 */

static int emit_csv(void *ctx, const struct strview *f, size_t n,
		    struct mbr_err *err)
{
	(void)err;
	csvio_write_fields(ctx, f, n);
	return 0;
}

struct strview master_id(const struct mergeid *m, uint32_t i)
{
	return svn(m->masters[i].id, m->masters[i].id_len);
}

struct by_id {
	struct strview id;
	uint32_t i; /* a cluster or a master */
};

static int by_id_cmp(const void *a, const void *b)
{
	const struct by_id *x = a, *y = b;

	return sv_cmp(x->id, y->id);
}

/* Golden records and their lineage */

#define N_GOLDEN (CF_COUNT + 3)
#define N_LINEAGE 6

static const char *const golden_tail[] = {COL_MASTER_ID, "member_count",
					  "sources"};
static const char *const lineage_cols[N_LINEAGE] = {
	"master_id", "field", "value", "source", "source_id", "rule"};

struct golden_ctx {
	struct survive_member *mb; /* owned: the cluster's members */
	size_t cap;
	struct survive_golden g;
	struct buf sources;
	struct buf rule; /* a lineage row's rule with its note */
	emit_fn emit;
	void *ctx;
	bool header;	      /* emit a header row first (CSV) */
	emit_fn emit_lineage; /* NULL: no lineage */
	void *lineage_ctx;
	char row[24], count[24];
	struct buf body; /* the cluster's records, as bodies gave them */
	size_t *off;	 /* owned: where each starts in body */
	size_t cap_off;
	struct buf rows; /* a master's golden and lineage rows, packed */
};

static void decode_member(const unsigned char *p, struct survive_member *mb)
{
	struct strview cluster;

	p = enc_get(enc_get(p, &mb->f[CF_SOURCE]), &mb->f[CF_SOURCE_ID]);
	p = enc_get(p, &cluster);
	mb->f[CF_SOURCE_ROW] = svn("", 0);
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		p = enc_get(p, &mb->f[f]);
}

/* Read cluster cl's records from bodies (they come in tie order, the
 * order of recs), decode them and list their sources. */
static int load_members(struct mergeid *m, struct golden_ctx *gc,
			const struct cluster *cl, struct mbr_err *err)
{
	struct strview k, v;

	if (cl->n > gc->cap) {
		gc->cap = cl->n > 2 * gc->cap ? cl->n : 2 * gc->cap;
		gc->mb = xrealloc(gc->mb, gc->cap * sizeof(*gc->mb));
		gc->off = xrealloc(gc->off, gc->cap * sizeof(*gc->off));
	}
	buf_reset(&gc->body);
	for (uint32_t i = 0; i < cl->n; i++) {
		int rc = extsort_next(m->bodies, &k, &v, err);

		if (rc < 0)
			return -1;
		if (rc == 0)
			return mbr_fail(err, MBR_EINTERNAL,
					"fewer sorted records than records");
		gc->off[i] = gc->body.len;
		buf_addsv(&gc->body, v);
	}
	buf_reset(&gc->sources);
	for (uint32_t i = 0; i < cl->n; i++) {
		struct survive_member *mb = &gc->mb[i];

		decode_member((const unsigned char *)gc->body.p + gc->off[i],
			      mb);
		mb->doubtful = m->recs[cl->first + i].doubtful;
		if (i && sv_eq(mb->f[CF_SOURCE], mb[-1].f[CF_SOURCE]))
			continue;
		if (i)
			buf_addc(&gc->sources, ';');
		buf_addsv(&gc->sources, mb->f[CF_SOURCE]);
	}
	return 0;
}

/* The rule that chose f's value, and how sound the value is. */
static struct strview lineage_rule(const struct mergeid *m,
				   struct golden_ctx *gc, int f)
{
	const char *note = survive_note_str(gc->g.note[f]);

	if (!*note)
		return sv(m->rules->rule[f].text);
	buf_reset(&gc->rule);
	buf_addf(&gc->rule, "%s; %s", m->rules->rule[f].text, note);
	return buf_view(&gc->rule);
}

static int emit_lineage(const struct mergeid *m, struct golden_ctx *gc,
			struct strview id, struct mbr_err *err)
{
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		long from = gc->g.from[f];
		struct strview row[N_LINEAGE] = {
			id,
			sv(canon_name((enum canon_field)f)),
			gc->g.value[f],
			from < 0 ? svn("", 0) : gc->mb[from].f[CF_SOURCE],
			from < 0 ? svn("", 0) : gc->mb[from].f[CF_SOURCE_ID],
			lineage_rule(m, gc, f),
		};

		if (gc->g.value[f].len &&
		    gc->emit_lineage(gc->lineage_ctx, row, N_LINEAGE, err) < 0)
			return -1;
	}
	return 0;
}

static int golden_one(struct mergeid *m, struct golden_ctx *gc,
		      const struct by_id *b, size_t row, struct mbr_err *err)
{
	const struct cluster *cl = &m->clusters[b->i];
	struct strview f[N_GOLDEN];
	survive_sum points;

	if (load_members(m, gc, cl, err) < 0)
		return -1;
	if (survive_apply(m->rules, gc->mb, cl->n, &gc->g, err) < 0)
		return -1;
	memcpy(f, gc->g.value, CF_COUNT * sizeof(*f));
	snprintf(gc->row, sizeof(gc->row), "%zu", row);
	snprintf(gc->count, sizeof(gc->count), "%u", cl->n);
	f[CF_SOURCE] = sv("master");
	f[CF_SOURCE_ID] = b->id;
	f[CF_SOURCE_ROW] = sv(gc->row);
	f[CF_COUNT] = b->id;
	f[CF_COUNT + 1] = sv(gc->count);
	f[CF_COUNT + 2] = buf_view(&gc->sources);
	if (survive_parse_sum(f[CF_POINTS], &points) == 0)
		m->stats.points_out += points;
	if (gc->emit(gc->ctx, f, N_GOLDEN, err) < 0)
		return -1;
	return gc->emit_lineage ? emit_lineage(m, gc, b->id, err) : 0;
}

static int golden_header(struct golden_ctx *gc, struct mbr_err *err)
{
	struct strview f[N_GOLDEN], l[N_LINEAGE];

	for (int i = 0; i < CF_COUNT; i++)
		f[i] = sv(canon_name((enum canon_field)i));
	for (int i = 0; i < 3; i++)
		f[CF_COUNT + i] = sv(golden_tail[i]);
	for (int i = 0; i < N_LINEAGE; i++)
		l[i] = sv(lineage_cols[i]);
	if (gc->header && gc->emit(gc->ctx, f, N_GOLDEN, err) < 0)
		return -1;
	if (gc->emit_lineage &&
	    gc->emit_lineage(gc->lineage_ctx, l, N_LINEAGE, err) < 0)
		return -1;
	return 0;
}

/* A row into gc->rows: a tag (g golden, l lineage), the number of fields,
 * then each field's length and bytes. */
static void rows_put(struct golden_ctx *gc, char tag, const struct strview *f,
		     size_t n)
{
	uint32_t len = (uint32_t)n;

	buf_addc(&gc->rows, tag);
	buf_add(&gc->rows, &len, sizeof(len));
	for (size_t i = 0; i < n; i++) {
		len = (uint32_t)f[i].len;
		buf_add(&gc->rows, &len, sizeof(len));
		buf_add(&gc->rows, f[i].p, f[i].len);
	}
}

static int capture_golden(void *ctx, const struct strview *f, size_t n,
			  struct mbr_err *err)
{
	(void)err;
	rows_put(ctx, 'g', f, n);
	return 0;
}

static int capture_lineage(void *ctx, const struct strview *f, size_t n,
			   struct mbr_err *err)
{
	(void)err;
	rows_put(ctx, 'l', f, n);
	return 0;
}

/* The rows rows_put packed into v, through gc's emitters. */
static int rows_replay(struct golden_ctx *gc, struct strview v,
		       struct mbr_err *err)
{
	struct strview f[N_GOLDEN];
	size_t i = 0;

	while (i < v.len) {
		char tag = v.p[i++];
		uint32_t n, len;
		int rc;

		memcpy(&n, v.p + i, sizeof(n));
		i += sizeof(n);
		for (uint32_t j = 0; j < n && j < N_GOLDEN; j++) {
			memcpy(&len, v.p + i, sizeof(len));
			i += sizeof(len);
			f[j] = svn(v.p + i, len);
			i += len;
		}
		rc = tag == 'g' ? gc->emit(gc->ctx, f, n, err)
				: gc->emit_lineage(gc->lineage_ctx, f, n, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Each master's rows, made cluster by cluster as bodies gives the
 * records, then sorted by master ID (a second extsort) and replayed. */
static int golden_sorted(struct mergeid *m, struct golden_ctx *gc,
			 const uint32_t *rank, struct extsort *out,
			 struct mbr_err *err)
{
	emit_fn out_emit = gc->emit, out_lineage = gc->emit_lineage;
	void *out_ctx = gc->ctx, *out_lineage_ctx = gc->lineage_ctx;
	struct strview k, v;
	int rc = 0;

	/* golden_one's rows go into gc->rows while the clusters are made */
	gc->emit = capture_golden;
	gc->ctx = gc;
	gc->emit_lineage = out_lineage ? capture_lineage : NULL;
	gc->lineage_ctx = gc;
	for (uint32_t c = 0; rc == 0 && c < m->n_clusters; c++) {
		struct by_id b = {master_id(m, m->clusters[c].master), c};

		buf_reset(&gc->rows);
		rc = golden_one(m, gc, &b, rank[c] + 1, err);
		if (rc == 0)
			rc = extsort_add(out, b.id, buf_view(&gc->rows), err);
	}
	gc->emit = out_emit;
	gc->ctx = out_ctx;
	gc->emit_lineage = out_lineage;
	gc->lineage_ctx = out_lineage_ctx;
	if (rc == 0)
		rc = extsort_finish(out, err);
	while (rc == 0 && (rc = extsort_next(out, &k, &v, err)) > 0)
		rc = rows_replay(gc, v, err);
	return rc;
}

static int golden_rows(struct mergeid *m, struct golden_ctx *gc,
		       struct mbr_err *err)
{
	struct by_id *order = xmalloc((m->n_clusters + 1) * sizeof(*order));
	uint32_t *rank = xmalloc((m->n_clusters + 1) * sizeof(*rank));
	struct extsort *out;
	int rc;

	if (m->bodies_read) {
		free(order);
		free(rank);
		return mbr_fail(err, MBR_EINTERNAL,
				"golden records made twice");
	}
	m->bodies_read = true;
	for (uint32_t c = 0; c < m->n_clusters; c++)
		order[c] =
			(struct by_id){master_id(m, m->clusters[c].master), c};
	xqsort(order, m->n_clusters, sizeof(*order), by_id_cmp);
	for (uint32_t i = 0; i < m->n_clusters; i++)
		rank[order[i].i] = i;
	free(order);
	m->stats.points_out = 0;
	out = extsort_new(m->memory, m->tmpdir);
	rc = golden_header(gc, err);
	if (rc == 0)
		rc = golden_sorted(m, gc, rank, out, err);
	m->stats.sort_runs = extsort_n_runs(m->bodies) + extsort_n_runs(out);
	extsort_free(out);
	free(rank);
	return rc;
}

static int not_assigned(struct mbr_err *err)
{
	return mbr_fail(err, MBR_EINTERNAL, "outputs before master IDs");
}

/* Flush w (when there is one) and free it. */
static int writer_done(struct csvio_writer *w, const struct mergeid_out *o,
		       int rc, struct mbr_err *err)
{
	if (w && rc == 0 && csvio_writer_flush(w, err) < 0)
		rc = mbr_prefix(err, "%s: ", o->name);
	csvio_writer_free(w);
	return rc;
}

/* Golden rows through emit, and lineage (a CSV file) when asked for. */
int golden_write(struct mergeid *m, emit_fn emit, void *ctx, bool header,
		 const struct mergeid_out *lineage, struct mbr_err *err)
{
	struct golden_ctx gc;
	struct csvio_writer *lw = NULL;
	int rc;

	if (!m->assigned)
		return not_assigned(err);
	memset(&gc, 0, sizeof(gc));
	survive_golden_init(&gc.g);
	buf_init(&gc.sources, BUF_NOLIMIT);
	buf_init(&gc.rule, BUF_NOLIMIT);
	buf_init(&gc.body, BUF_NOLIMIT);
	buf_init(&gc.rows, BUF_NOLIMIT);
	gc.emit = emit;
	gc.ctx = ctx;
	gc.header = header;
	if (lineage) {
		lw = csvio_writer_new(lineage->f, ',');
		gc.emit_lineage = emit_csv;
		gc.lineage_ctx = lw;
	}
	rc = golden_rows(m, &gc, err);
	rc = writer_done(lw, lineage, rc, err);
	survive_golden_release(&gc.g);
	buf_release(&gc.sources);
	buf_release(&gc.rule);
	buf_release(&gc.body);
	buf_release(&gc.rows);
	free(gc.mb);
	free(gc.off);
	return rc;
}

int mergeid_write_golden(struct mergeid *m, const struct mergeid_out *out,
			 const struct mergeid_out *lineage, struct mbr_err *err)
{
	struct csvio_writer *w = csvio_writer_new(out->f, ',');
	int rc = golden_write(m, emit_csv, w, true, lineage, err);

	return writer_done(w, out, rc, err);
}

/* The crosswalk. Rows have XREF_FIELDS fields: source, source_id,
 * master_id, merged_into, and "1" when the record is in this input. */

#define XREF_FIELDS 5

static int keyp_cmp(const void *a, const void *b)
{
	const struct key *const *x = a, *const *y = b;

	return key_cmp((*x)->p, (*y)->p);
}

/* Where key k ends up: its record's cluster, or (carried) the live master
 * its earlier master became. */
static uint32_t key_master(const struct mergeid *m, const struct key *k)
{
	if (k->rec != NONE)
		return rec_master(m, k->rec);
	return live(m, k->old);
}

static int xref_record_rows(const struct mergeid *m, emit_fn emit, void *ctx,
			    struct mbr_err *err)
{
	const struct key **order = xmalloc((m->n_keys + 1) * sizeof(*order));
	int rc = 0;

	for (size_t k = 0; k < m->n_keys; k++)
		order[k] = &m->keys[k];
	xqsort(order, m->n_keys, sizeof(*order), keyp_cmp);
	for (size_t k = 0; rc == 0 && k < m->n_keys; k++) {
		struct strview f[XREF_FIELDS];

		enc_get(enc_get(order[k]->p, &f[0]), &f[1]);
		f[2] = master_id(m, key_master(m, order[k]));
		f[3] = svn("", 0);
		f[4] = sv(order[k]->rec != NONE ? "1" : "");
		rc = emit(ctx, f, XREF_FIELDS, err);
	}
	free(order);
	return rc;
}

static int xref_retired_rows(const struct mergeid *m, emit_fn emit, void *ctx,
			     struct mbr_err *err)
{
	struct by_id *order = xmalloc((m->n_masters + 1) * sizeof(*order));
	size_t n = 0;
	int rc = 0;

	for (uint32_t i = 0; i < m->n_masters; i++)
		if (m->masters[i].into != NONE)
			order[n++] = (struct by_id){master_id(m, i), i};
	xqsort(order, n, sizeof(*order), by_id_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct strview f[XREF_FIELDS] = {
			svn("", 0),  svn("", 0),
			order[i].id, master_id(m, live(m, order[i].i)),
			svn("", 0),
		};

		rc = emit(ctx, f, XREF_FIELDS, err);
	}
	free(order);
	return rc;
}

int xref_rows(const struct mergeid *m, emit_fn emit, void *ctx,
	      struct mbr_err *err)
{
	if (!m->assigned)
		return not_assigned(err);
	if (xref_record_rows(m, emit, ctx, err) < 0)
		return -1;
	return xref_retired_rows(m, emit, ctx, err);
}

/* The file has the first four fields (the fifth is for the database). */
static int emit_xref_csv(void *ctx, const struct strview *f, size_t n,
			 struct mbr_err *err)
{
	return emit_csv(ctx, f, n - 1, err);
}

int mergeid_write_xref(struct mergeid *m, const struct mergeid_out *out,
		       struct mbr_err *err)
{
	struct csvio_writer *w = csvio_writer_new(out->f, ',');
	struct strview h[4];

	for (int i = 0; i < 4; i++)
		h[i] = sv(xref_cols[i]);
	csvio_write_fields(w, h, 4);
	return writer_done(w, out, xref_rows(m, emit_xref_csv, w, err), err);
}

/* The changes report */

enum change_kind { CH_NEW, CH_MERGED, CH_MOVED, CH_ADDED };

static const char *const change_names[] = {"new", "merged", "moved", "added"};

struct change {
	struct strview id; /* the master it is about */
	enum change_kind kind;
	const unsigned char *key; /* a record's, or NULL */
	struct strview prev;	  /* the previous or retired master */
};

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	int c = sv_cmp(x->id, y->id);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->key && y->key)
		return key_cmp(x->key, y->key);
	return sv_cmp(x->prev, y->prev);
}

static size_t master_changes(const struct mergeid *m, struct change *ch)
{
	size_t n = 0;

	for (uint32_t i = 0; i < m->n_masters; i++) {
		const struct master *ms = &m->masters[i];

		if (ms->state == M_NEW)
			ch[n++] = (struct change){master_id(m, i), CH_NEW, NULL,
						  svn("", 0)};
		else if (ms->state == M_MERGED)
			ch[n++] = (struct change){master_id(m, ms->into),
						  CH_MERGED, NULL,
						  master_id(m, i)};
	}
	return n;
}

static size_t record_changes(const struct mergeid *m, struct change *ch)
{
	size_t n = 0;

	for (uint32_t i = 0; i < m->n_recs; i++) {
		uint32_t old = m->keys[m->recs[i].key].old;
		struct strview id = master_id(m, rec_master(m, i));

		if (old == NONE)
			ch[n++] = (struct change){id, CH_ADDED, m->recs[i].p,
						  svn("", 0)};
		else if (rec_moved(m, i))
			ch[n++] = (struct change){id, CH_MOVED, m->recs[i].p,
						  master_id(m, old)};
	}
	return n;
}

static int change_rows(const struct mergeid *m, emit_fn emit, void *ctx,
		       struct mbr_err *err)
{
	static const char *const cols[] = {"change", "master_id", "source",
					   "source_id", "previous_master_id"};
	struct change *ch =
		xmalloc((m->n_masters + m->n_recs + 1) * sizeof(*ch));
	size_t n = master_changes(m, ch);
	struct strview f[5];
	int rc;

	n += record_changes(m, ch + n);
	xqsort(ch, n, sizeof(*ch), change_cmp);
	for (int i = 0; i < 5; i++)
		f[i] = sv(cols[i]);
	rc = emit(ctx, f, 5, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		f[0] = sv(change_names[ch[i].kind]);
		f[1] = ch[i].id;
		f[2] = f[3] = svn("", 0);
		if (ch[i].key)
			enc_get(enc_get(ch[i].key, &f[2]), &f[3]);
		f[4] = ch[i].prev;
		rc = emit(ctx, f, 5, err);
	}
	free(ch);
	return rc;
}

int mergeid_write_changes(struct mergeid *m, const struct mergeid_out *out,
			  struct mbr_err *err)
{
	struct csvio_writer *w;

	if (!m->assigned)
		return not_assigned(err);
	w = csvio_writer_new(out->f, ',');
	return writer_done(w, out, change_rows(m, emit_csv, w, err), err);
}

int mergeid_each_change(struct mergeid *m, emit_fn emit, void *ctx,
			struct mbr_err *err)
{
	if (!m->assigned)
		return not_assigned(err);
	return change_rows(m, emit, ctx, err);
}
