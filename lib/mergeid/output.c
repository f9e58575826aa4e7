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

/* Golden records and their lineage */

#define N_GOLDEN (CF_COUNT + 3)
#define N_LINEAGE 6

static const char *const golden_tail[] = {COL_MASTER_ID, "member_count",
					  "sources"};
static const char *const lineage_cols[N_LINEAGE] = {
	"master_id", "field", "value", "source", "source_id", "rule"};

/* Makes one cluster's rows (pass "clusters", assign.c). */
struct golden_maker {
	struct survive_member *mb; /* owned: the cluster's members */
	size_t cap;
	struct survive_golden g;
	struct buf sources;
	char count[24];
};

struct golden_maker *golden_maker_new(const struct mergeid *m)
{
	struct golden_maker *g = xcalloc(1, sizeof(*g));

	(void)m;
	survive_golden_init(&g->g);
	buf_init(&g->sources, BUF_NOLIMIT);
	return g;
}

void golden_maker_free(struct golden_maker *g)
{
	if (!g)
		return;
	survive_golden_release(&g->g);
	buf_release(&g->sources);
	free(g->mb);
	free(g);
}

static void decode_member(const unsigned char *p, struct survive_member *mb)
{
	struct strview cluster;

	p = enc_get(enc_get(p, &mb->f[CF_SOURCE]), &mb->f[CF_SOURCE_ID]);
	p = enc_get(p, &cluster);
	mb->f[CF_SOURCE_ROW] = svn("", 0);
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		p = enc_get(p, &mb->f[f]);
}

/* A row into rows: a tag (g golden, l lineage), the number of fields,
 * then each field's length and bytes. */
static void rows_put(struct buf *rows, char tag, const struct strview *f,
		     size_t n)
{
	uint32_t len = (uint32_t)n;

	buf_addc(rows, tag);
	buf_add(rows, &len, sizeof(len));
	for (size_t i = 0; i < n; i++) {
		len = (uint32_t)f[i].len;
		buf_add(rows, &len, sizeof(len));
		buf_add(rows, f[i].p, f[i].len);
	}
}

/* The rule that chose f's value, and how sound the value is. */
static struct strview lineage_rule(const struct mergeid *m, struct buf *rule,
				   int f, enum survive_note n)
{
	const char *note = survive_note_str(n);

	if (!*note)
		return sv(m->rules->rule[f].text);
	buf_reset(rule);
	buf_addf(rule, "%s; %s", m->rules->rule[f].text, note);
	return buf_view(rule);
}

/* Lineage, short: after the golden row, per non-empty field an 'l', the
 * field, its note, and the source and source_id of the record it came
 * from (packed; empty for a sum). The value is the golden row's. */
static void lineage_rows(struct golden_maker *g, struct buf *rows)
{
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		long from = g->g.from[f];

		if (!g->g.value[f].len)
			continue;
		buf_addc(rows, 'l');
		buf_addc(rows, (char)f);
		buf_addc(rows, (char)g->g.note[f]);
		enc_put(rows, from < 0 ? svn("", 0) : g->mb[from].f[CF_SOURCE]);
		enc_put(rows,
			from < 0 ? svn("", 0) : g->mb[from].f[CF_SOURCE_ID]);
	}
}

int golden_make(struct mergeid *m, struct golden_maker *g,
		const struct strview *body, const uint32_t *doubtful, size_t n,
		struct buf *rows, struct mbr_err *err)
{
	struct strview f[N_GOLDEN];
	survive_sum points;

	if (n > g->cap) {
		g->cap = n > 2 * g->cap ? n : 2 * g->cap;
		g->mb = xrealloc(g->mb, g->cap * sizeof(*g->mb));
	}
	buf_reset(&g->sources);
	for (size_t i = 0; i < n; i++) {
		struct survive_member *mb = &g->mb[i];

		decode_member((const unsigned char *)body[i].p, mb);
		mb->doubtful = doubtful[i];
		if (i && sv_eq(mb->f[CF_SOURCE], mb[-1].f[CF_SOURCE]))
			continue;
		if (i)
			buf_addc(&g->sources, ';');
		buf_addsv(&g->sources, mb->f[CF_SOURCE]);
	}
	if (survive_apply(m->rules, g->mb, n, &g->g, err) < 0)
		return -1;
	memcpy(f, g->g.value, CF_COUNT * sizeof(*f));
	snprintf(g->count, sizeof(g->count), "%zu", n);
	f[CF_SOURCE] = sv("master");
	f[CF_SOURCE_ID] = f[CF_SOURCE_ROW] = f[CF_COUNT] = svn("", 0);
	f[CF_COUNT + 1] = sv(g->count);
	f[CF_COUNT + 2] = buf_view(&g->sources);
	if (survive_parse_sum(f[CF_POINTS], &points) == 0)
		m->stats.points_out += points;
	rows_put(rows, 'g', f, N_GOLDEN);
	if (m->lineage)
		lineage_rows(g, rows);
	return 0;
}

/* Writing the rows of O_GOLDEN in order of master ID, each with its ID
 * and row number. */
struct golden_out {
	emit_fn emit;
	void *ctx;
	emit_fn emit_lineage; /* NULL: no lineage */
	void *lineage_ctx;
	char row[24];
	struct buf rule; /* a lineage row's rule with its note */
};

static int golden_header(struct golden_out *go, bool header,
			 struct mbr_err *err)
{
	struct strview f[N_GOLDEN], l[N_LINEAGE];

	for (int i = 0; i < CF_COUNT; i++)
		f[i] = sv(canon_name((enum canon_field)i));
	for (int i = 0; i < 3; i++)
		f[CF_COUNT + i] = sv(golden_tail[i]);
	for (int i = 0; i < N_LINEAGE; i++)
		l[i] = sv(lineage_cols[i]);
	if (header && go->emit(go->ctx, f, N_GOLDEN, err) < 0)
		return -1;
	if (go->emit_lineage &&
	    go->emit_lineage(go->lineage_ctx, l, N_LINEAGE, err) < 0)
		return -1;
	return 0;
}

/* The golden row (rows_put) and lineage (lineage_rows) packed in v, for
 * master id, the row-th golden record. */
static int rows_replay(const struct mergeid *m, struct golden_out *go,
		       struct strview id, size_t row, struct strview v,
		       struct mbr_err *err)
{
	struct strview f[N_GOLDEN] = {{NULL, 0}};
	const unsigned char *p = (const unsigned char *)v.p, *end = p + v.len;
	uint32_t n, len;

	if (v.len < 5 || *p++ != 'g')
		return mbr_fail(err, MBR_EINTERNAL, "golden rows damaged");
	memcpy(&n, p, sizeof(n));
	p += sizeof(n);
	for (uint32_t j = 0; j < n && j < N_GOLDEN; j++) {
		memcpy(&len, p, sizeof(len));
		p += sizeof(len);
		f[j] = svn((const char *)p, len);
		p += len;
	}
	snprintf(go->row, sizeof(go->row), "%zu", row);
	f[CF_SOURCE_ID] = f[CF_COUNT] = id;
	f[CF_SOURCE_ROW] = sv(go->row);
	if (go->emit(go->ctx, f, n, err) < 0)
		return -1;
	while (go->emit_lineage && p + 3 <= end && *p == 'l') {
		int field = p[1];
		struct strview l[N_LINEAGE];

		if (field < SURVIVE_FIRST || field >= CF_COUNT)
			return mbr_fail(err, MBR_EINTERNAL,
					"lineage rows damaged");
		l[0] = id;
		l[1] = sv(canon_name((enum canon_field)field));
		l[2] = f[field];
		l[5] = lineage_rule(m, &go->rule, field,
				    (enum survive_note)p[2]);
		p = enc_get(enc_get(p + 3, &l[3]), &l[4]);
		if (go->emit_lineage(go->lineage_ctx, l, N_LINEAGE, err) < 0)
			return -1;
	}
	return 0;
}

/* An output sort, read once: NULL (and err) when it cannot be. */
static struct extsort *output(struct mergeid *m, enum sort_id i,
			      const char *what, struct mbr_err *err)
{
	if (!m->assigned) {
		mbr_fail(err, MBR_EINTERNAL, "outputs before master IDs");
		return NULL;
	}
	if (m->drained[i] || !m->sort[i]) {
		mbr_fail(err, MBR_EINTERNAL, "%s written twice", what);
		return NULL;
	}
	m->drained[i] = true;
	return m->sort[i];
}

static int golden_rows(struct mergeid *m, struct golden_out *go, bool header,
		       struct mbr_err *err)
{
	struct extsort *s = output(m, O_GOLDEN, "golden records", err);
	struct strview k, v;
	size_t row = 0;
	int rc;

	if (!s)
		return -1;
	rc = golden_header(go, header, err);
	while (rc == 0 && (rc = extsort_next(s, &k, &v, err)) > 0) {
		rc = rows_replay(m, go, k, ++row, v, err);
		sort_progress(m, O_GOLDEN, "writing golden records", row);
	}
	sort_done(m, O_GOLDEN);
	return rc;
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
	struct golden_out go = {emit, ctx, NULL, NULL, "", {0}};
	struct csvio_writer *lw = NULL;
	int rc;

	if (lineage && !m->lineage)
		return mbr_fail(err, MBR_EINTERNAL,
				"lineage not asked for when the merger was "
				"made");
	if (lineage) {
		lw = csvio_writer_new(lineage->f, ',');
		go.emit_lineage = emit_csv;
		go.lineage_ctx = lw;
	}
	buf_init(&go.rule, BUF_NOLIMIT);
	rc = golden_rows(m, &go, header, err);
	buf_release(&go.rule);
	return writer_done(lw, lineage, rc, err);
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

static int xref_record_rows(struct mergeid *m, emit_fn emit, void *ctx,
			    struct mbr_err *err)
{
	struct extsort *s = output(m, O_XREF, "the crosswalk", err);
	struct strview k, v;
	struct buf id;
	unsigned long long n = 0;
	int rc;

	if (!s)
		return -1;
	buf_init(&id, BUF_NOLIMIT);
	while ((rc = extsort_next(s, &k, &v, err)) > 0) {
		struct strview f[XREF_FIELDS];

		sort_progress(m, O_XREF, "writing the crosswalk", ++n);

		skey_get(&k, &m->tmp);
		skey_get(&k, &m->tmp2);
		idfmt_print(&m->fmt, be64_get(v.p), &id);
		f[0] = buf_view(&m->tmp);
		f[1] = buf_view(&m->tmp2);
		f[2] = buf_view(&id);
		f[3] = svn("", 0);
		f[4] = sv(v.p[8] ? "1" : "");
		if (emit(ctx, f, XREF_FIELDS, err) < 0) {
			rc = -1;
			break;
		}
	}
	buf_release(&id);
	sort_done(m, O_XREF);
	return rc;
}

static int xref_retired_rows(struct mergeid *m, emit_fn emit, void *ctx,
			     struct mbr_err *err)
{
	struct extsort *s = output(m, O_RETIRED, "the crosswalk", err);
	struct strview k, v;
	int rc;

	if (!s)
		return -1;
	while ((rc = extsort_next(s, &k, &v, err)) > 0) {
		struct strview f[XREF_FIELDS] = {
			svn("", 0), svn("", 0), k, v, svn("", 0),
		};

		if (emit(ctx, f, XREF_FIELDS, err) < 0) {
			rc = -1;
			break;
		}
	}
	sort_done(m, O_RETIRED);
	return rc;
}

int xref_rows(struct mergeid *m, emit_fn emit, void *ctx, struct mbr_err *err)
{
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

static const char *const change_names[] = {"new", "merged", "moved", "added"};

static int change_rows(struct mergeid *m, emit_fn emit, void *ctx,
		       struct mbr_err *err)
{
	static const char *const cols[] = {"change", "master_id", "source",
					   "source_id", "previous_master_id"};
	struct extsort *s = output(m, O_CHANGES, "the changes", err);
	struct strview f[5], k, v;
	int rc;

	if (!s)
		return -1;
	for (int i = 0; i < 5; i++)
		f[i] = sv(cols[i]);
	rc = emit(ctx, f, 5, err);
	while (rc == 0 && (rc = extsort_next(s, &k, &v, err)) > 0) {
		const unsigned char *p = (const unsigned char *)v.p + 1;

		f[0] = sv(change_names[(unsigned char)v.p[0] & 3]);
		for (int i = 1; i < 5; i++)
			p = enc_get(p, &f[i]);
		rc = emit(ctx, f, 5, err);
	}
	sort_done(m, O_CHANGES);
	return rc < 0 ? -1 : 0;
}

int mergeid_write_changes(struct mergeid *m, const struct mergeid_out *out,
			  struct mbr_err *err)
{
	struct csvio_writer *w = csvio_writer_new(out->f, ',');

	return writer_done(w, out, change_rows(m, emit_csv, w, err), err);
}

int mergeid_each_change(struct mergeid *m, emit_fn emit, void *ctx,
			struct mbr_err *err)
{
	return change_rows(m, emit, ctx, err);
}
