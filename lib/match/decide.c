/*
 * decide: analysts' decisions on pairs (match | no-match). They come from
 * decisions files (--decisions, a filled-in --review file works) and,
 * under --db, from the decisions table, where every decision given is
 * kept and applied on every later run. One decision per pair: a file's
 * replaces a stored one (said when it changes the decision); two files
 * that disagree on a pair, or a decision naming a record this run does
 * not have, are errors naming the file and line.
 */
#include "match.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "match/match_int.h"
#include "stage.h"

/* Record number of (source, source_id), or UINT32_MAX: open addressing
 * over all records, built when the first decision arrives. */
struct rec_index {
	uint64_t *key; /* (source << 32 | source_id) + 1 */
	uint32_t *rec;
	size_t cap;
};

static struct rec_index *index_of(struct match *m)
{
	struct rec_index *x = m->idx;

	if (x)
		return x;
	x = m->idx = xcalloc(1, sizeof(*x));
	x->cap = 1;
	while (x->cap < (size_t)m->n * 2 + 2)
		x->cap *= 2;
	x->key = xcalloc(x->cap, sizeof(*x->key));
	x->rec = xcalloc(x->cap, sizeof(*x->rec));
	for (uint32_t i = 0; i < m->n; i++) {
		uint64_t k = ((uint64_t)m->recs[i].source << 32 |
			      m->recs[i].source_id) +
			     1;
		size_t s = intern_hash(&k, sizeof(k), 3) & (x->cap - 1);

		while (x->key[s] && x->key[s] != k)
			s = (s + 1) & (x->cap - 1);
		x->key[s] = k;
		x->rec[s] = i;
	}
	return x;
}

static uint32_t index_find(struct match *m, struct strview source,
			   struct strview id)
{
	struct rec_index *x = index_of(m);
	uint64_t k = ((uint64_t)intern_add(&m->t, source.p, source.len) << 32 |
		      intern_add(&m->t, id.p, id.len)) +
		     1;
	size_t s = intern_hash(&k, sizeof(k), 3) & (x->cap - 1);

	while (x->key[s] && x->key[s] != k)
		s = (s + 1) & (x->cap - 1);
	return x->key[s] ? x->rec[s] : UINT32_MAX;
}

void decide_free(struct match *m)
{
	if (m->idx) {
		free(m->idx->key);
		free(m->idx->rec);
		free(m->idx);
		m->idx = NULL;
	}
	free(m->dec);
	m->dec = NULL;
	m->n_dec = m->cap_dec = 0;
}

static void add_decision(struct match *m, const struct decision *d)
{
	if (m->n_dec == m->cap_dec) {
		m->cap_dec = m->cap_dec ? m->cap_dec * 2 : 64;
		m->dec = xrealloc(m->dec, m->cap_dec * sizeof(*m->dec));
	}
	m->dec[m->n_dec] = *d;
	m->dec[m->n_dec].seq = m->n_dec;
	m->n_dec++;
}

void match_set_decider(struct match *m, const char *who)
{
	m->who = intern_add(&m->t, who, strlen(who));
}

/* The values of one decision row: a_source, a_source_id, b_source,
 * b_source_id, decision, who, decided_at. */
enum { D_AS, D_AID, D_BS, D_BID, D_DECISION, D_WHO, D_WHEN, D_COLS };

/* Add the decision of row v, given (stored false: an unknown record is an
 * error) or stored (skipped and counted). 0 also when skipped. */
static int take(struct match *m, const struct strview *v, struct decision d,
		struct mbr_err *err)
{
	const char *file = intern_str(&m->t, d.file).p;
	int side;

	if (!sv_eqs(v[D_DECISION], "match") &&
	    !sv_eqs(v[D_DECISION], "no-match")) {
		if (d.stored)
			return 0;
		return mbr_fail(err, MBR_ECONFIG,
				"%s:%lu: decision '%.*s' "
				"(expected match, no-match or empty)",
				file, d.line, (int)v[D_DECISION].len,
				v[D_DECISION].p);
	}
	d.match = sv_eqs(v[D_DECISION], "match");
	d.a = index_find(m, v[D_AS], v[D_AID]);
	d.b = index_find(m, v[D_BS], v[D_BID]);
	side = d.a == UINT32_MAX ? 0 : d.b == UINT32_MAX ? 2 : -1;
	if (side >= 0 || d.a == d.b) {
		if (d.stored) {
			m->st.dec_orphans++;
			return 0;
		}
		if (side < 0)
			return mbr_fail(err, MBR_ECONFIG,
					"%s:%lu: the decision pairs record "
					"%.*s/%.*s with itself",
					file, d.line, (int)v[D_AS].len,
					v[D_AS].p, (int)v[D_AID].len,
					v[D_AID].p);
		return mbr_fail(err, MBR_ECONFIG,
				"%s:%lu: no record %.*s/%.*s (%s_source, "
				"%s_source_id) among this run's records",
				file, d.line, (int)v[side].len, v[side].p,
				(int)v[side + 1].len, v[side + 1].p,
				side ? "b" : "a", side ? "b" : "a");
	}
	if (d.a > d.b) {
		uint32_t t = d.a;

		d.a = d.b;
		d.b = t;
	}
	if (v[D_WHO].len)
		d.who = intern_add(&m->t, v[D_WHO].p, v[D_WHO].len);
	if (v[D_WHEN].len)
		d.when = intern_add(&m->t, v[D_WHEN].p, v[D_WHEN].len);
	add_decision(m, &d);
	return 0;
}

static const char *const decision_cols[D_COLS] = {
	"a_source", "a_source_id", "b_source",	 "b_source_id",
	"decision", "who",	   "decided_at",
};

static int decision_columns(const struct header *h, const char *path, int *col,
			    struct mbr_err *err)
{
	for (size_t i = 0; i < D_COLS; i++) {
		col[i] = header_find(h, decision_cols[i]);
		if (col[i] < 0 && i < D_WHO)
			return mbr_fail(err, MBR_ECONFIG,
					"%s: no column '%s' "
					"(expected a_source, a_source_id, "
					"b_source, b_source_id, decision)",
					path, decision_cols[i]);
	}
	return 0;
}

int match_load_decisions(struct match *m, const char *path, struct mbr_err *err)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct csvio_reader *r = csvio_open(&path, 1, &o, err);
	struct decision d = {0};
	struct record rec;
	struct strview v[D_COLS];
	int col[D_COLS], rc = -1;
	enum csvio_status s;

	if (!r)
		return -1;
	record_init(&rec);
	d.file = intern_add(&m->t, path, strlen(path));
	if (decision_columns(csvio_header(r), path, col, err) < 0)
		goto out;
	while ((s = csvio_read(r, &rec, err)) != CSVIO_EOF) {
		if (s == CSVIO_ERROR)
			goto out;
		if (s == CSVIO_BAD) {
			mbr_fail(err, MBR_ECONFIG, "%s: row %lu: %s", path,
				 csvio_bad_row(r), csvio_bad_reason(r));
			goto out;
		}
		for (int i = 0; i < D_COLS; i++)
			v[i] = col[i] < 0 ? svn("", 0)
					  : sv_trim(record_field(
						    &rec, (size_t)col[i]));
		if (v[D_DECISION].len == 0)
			continue;
		d.line = rec.line;
		d.who = m->who;
		d.when = 0;
		if (take(m, v, d, err) < 0)
			goto out;
	}
	rc = 0;
out:
	record_release(&rec);
	csvio_close(r);
	return rc;
}

/* A number stored as text (fields are not NUL-terminated). */
static long long number(struct strview v)
{
	char tmp[32];

	if (v.len >= sizeof(tmp))
		return 0;
	memcpy(tmp, v.p, v.len);
	tmp[v.len] = 0;
	return strtoll(tmp, NULL, 10);
}

int match_load_stage_decisions(struct match *m, struct stage *st,
			       struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_decisions(st, err);
	struct record rec;
	struct strview v[D_COLS];
	int rc = 0;

	if (!c)
		return -1;
	record_init(&rec);
	while (rc == 0 && (rc = stage_cursor_next(c, &rec, err)) == 1) {
		struct strview file = record_field(&rec, 7);
		struct decision d = {.stored = true};

		for (int i = 0; i < D_COLS; i++)
			v[i] = record_field(&rec, (size_t)i);
		d.file = intern_add(&m->t, file.p, file.len);
		d.line = (unsigned long)number(record_field(&rec, 8));
		d.run = number(record_field(&rec, 9));
		rc = take(m, v, d, err);
	}
	record_release(&rec);
	stage_cursor_free(c);
	return rc;
}

static int by_pair(const void *pa, const void *pb)
{
	const struct decision *a = pa, *b = pb;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static const char *rec_name(struct match *m, uint32_t r, struct buf *b)
{
	buf_reset(b);
	buf_addsv(b, intern_str(&m->t, m->recs[r].source));
	buf_addc(b, '/');
	buf_addsv(b, intern_str(&m->t, m->recs[r].source_id));
	return b->p;
}

#define MAX_NOTES 8 /* messages of one kind; then a count */

/* A decision from a file replaces the stored one of its pair: say so
 * when it changes it. */
static void note_replaced(struct match *m, const struct decision *old,
			  const struct decision *d, struct buf *b1,
			  struct buf *b2)
{
	if (old->match == d->match)
		return;
	if (m->st.dec_replaced++ < MAX_NOTES)
		mbr_warn("%s:%lu: %s ~ %s: %s replaces the stored %s "
			 "(%s:%lu, run %lld)",
			 intern_str(&m->t, d->file).p, d->line,
			 rec_name(m, d->a, b1), rec_name(m, d->b, b2),
			 d->match ? "match" : "no-match",
			 old->match ? "match" : "no-match",
			 intern_str(&m->t, old->file).p, old->line, old->run);
}

int decide_resolve(struct match *m, struct mbr_err *err)
{
	struct buf b1, b2;
	size_t k = 0;
	int rc = 0;

	buf_init(&b1, BUF_NOLIMIT);
	buf_init(&b2, BUF_NOLIMIT);
	if (m->n_dec)
		xqsort(m->dec, m->n_dec, sizeof(*m->dec), by_pair);
	for (size_t i = 0; rc == 0 && i < m->n_dec;) {
		size_t j = i, given = SIZE_MAX, stored = SIZE_MAX;

		for (; j < m->n_dec && m->dec[j].a == m->dec[i].a &&
		       m->dec[j].b == m->dec[i].b;
		     j++) {
			const struct decision *d = &m->dec[j];

			if (d->stored) {
				stored = j;
				continue;
			}
			if (given != SIZE_MAX &&
			    m->dec[given].match != d->match)
				rc = mbr_fail(
					err, MBR_ECONFIG,
					"%s:%lu: %s ~ %s: %s contradicts the "
					"%s at %s:%lu",
					intern_str(&m->t, d->file).p, d->line,
					rec_name(m, d->a, &b1),
					rec_name(m, d->b, &b2),
					d->match ? "match" : "no-match",
					d->match ? "no-match" : "match",
					intern_str(&m->t, m->dec[given].file).p,
					m->dec[given].line);
			given = j;
		}
		if (given != SIZE_MAX && stored != SIZE_MAX)
			note_replaced(m, &m->dec[stored], &m->dec[given], &b1,
				      &b2);
		m->dec[k++] = m->dec[given != SIZE_MAX ? given : stored];
		i = j;
	}
	m->n_dec = k;
	m->st.decisions = k;
	for (size_t i = 0; i < k; i++)
		m->st.dec_stored += m->dec[i].stored;
	buf_release(&b1);
	buf_release(&b2);
	return rc;
}

long decide_find(const struct match *m, uint32_t a, uint32_t b)
{
	size_t lo = 0, hi = m->n_dec;

	if (a > b) {
		uint32_t t = a;

		a = b;
		b = t;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct decision *d = &m->dec[mid];

		if (d->a == a && d->b == b)
			return (long)mid;
		if (d->a < a || (d->a == a && d->b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The pair's records in byte order of source, source_id, as the
 * decisions table keeps them. */
static void put_side(const struct match *m, uint32_t r, struct strview *s,
		     struct strview *id)
{
	*s = intern_str(&m->t, m->recs[r].source);
	*id = intern_str(&m->t, m->recs[r].source_id);
}

static bool before(const struct match *m, uint32_t x, uint32_t y)
{
	struct strview xs, xi, ys, yi;
	int c;

	put_side(m, x, &xs, &xi);
	put_side(m, y, &ys, &yi);
	c = strcmp(xs.p, ys.p);
	return c ? c < 0 : strcmp(xi.p, yi.p) <= 0;
}

int decide_store(const struct match *m, struct stage *st, struct mbr_err *err)
{
	for (size_t i = 0; i < m->n_dec; i++) {
		const struct decision *d = &m->dec[i];
		bool ab = before(m, d->a, d->b);
		struct stage_decision sd = {0};

		if (d->stored)
			continue;
		put_side(m, ab ? d->a : d->b, &sd.a_source, &sd.a_source_id);
		put_side(m, ab ? d->b : d->a, &sd.b_source, &sd.b_source_id);
		sd.decision = sv(d->match ? "match" : "no-match");
		sd.who = intern_str(&m->t, d->who);
		sd.decided_at = intern_str(&m->t, d->when);
		sd.file = intern_str(&m->t, d->file);
		sd.line = d->line;
		if (stage_put_decision(st, &sd, err) < 0)
			return -1;
	}
	return 0;
}
