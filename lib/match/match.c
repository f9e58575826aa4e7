/*
 * match: one mbr-dedupe run: records in, features, blocked and scored
 * pairs, clusters, and the outputs. See match.h for the whole story.
 *
 * Memory per record: its features (struct mrec), its
 * share of the string pool; the new records'
 * lines wait in an unlinked temporary file (0600) for the output. Pairs
 * are kept only at or above the pairs floor.
 */
#include "match.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "csvio.h"
#include "mask.h"
#include "match/match_int.h"

struct match *match_new(struct match_rules *r, enum match_flags flags)
{
	struct match *m = xcalloc(1, sizeof(*m));

	m->rules = r;
	m->flags = flags;
	intern_init(&m->t);
	intern_init(&m->shown_t);
	m->fx = features_new();
	m->needed = model_fields_needed(r);
	header_init(&m->cur);
	header_init(&m->out);
	buf_init(&m->scratch, BUF_NOLIMIT);
	m->skip_col = -1;
	return m;
}

void match_free(struct match *m)
{
	if (!m)
		return;
	intern_release(&m->t);
	intern_release(&m->shown_t);
	free(m->recs);
	features_free(m->fx);
	header_release(&m->cur);
	header_release(&m->out);
	if (m->lines)
		fclose(m->lines);
	free(m->line_off);
	free(m->news);
	decide_free(m);
	free(m->pairs);
	free(m->joined);
	score_tf_free(m->tf);
	free(m->rep);
	free(m->shown);
	buf_release(&m->scratch);
	free(m);
}

int match_begin(struct match *m, const struct header *h, enum match_side side,
		struct mbr_err *err)
{
	if (h->canon[CF_SOURCE] < 0 || h->canon[CF_SOURCE_ID] < 0)
		return mbr_fail(err, MBR_ECONFIG,
				"the input has no source or "
				"source_id column");
	if (header_set(&m->cur, &h->names) < 0)
		return mbr_fail(err, MBR_EINTERNAL, "header too large");
	m->side = side;
	features_begin(m->fx, &m->cur, (const char(*)[64])m->rules->extra,
		       m->rules->n_extra);
	if (side == MATCH_MASTER)
		return 0;
	if (m->have_out && !header_equal(&m->out, h))
		return mbr_fail(err, MBR_ECONFIG,
				"inputs have different "
				"columns");
	if (!m->have_out && header_set(&m->out, &h->names) < 0)
		return mbr_fail(err, MBR_EINTERNAL, "header too large");
	m->have_out = true;
	m->skip_col = header_find(h, COL_CLUSTER_ID);
	return 0;
}

/* The temporary file the new records' lines wait in: in $TMPDIR (else
 * /tmp), 0600 (mkstemp), unlinked at once, so a kill leaves nothing. */
static int open_lines(struct match *m, struct mbr_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/mbr-dedupe-XXXXXX", dir) >=
	    sizeof(path))
		return mbr_fail(err, MBR_EIO, "TMPDIR too long");
	fd = mkstemp(path);
	if (fd < 0)
		return mbr_fail(err, MBR_EIO,
				"%s: cannot create the temporary file for "
				"the records (TMPDIR): %s",
				dir, strerror(errno));
	unlink(path);
	m->lines = fdopen(fd, "w+");
	if (!m->lines) {
		close(fd);
		return mbr_fail(err, MBR_EIO, "temporary file: %s",
				strerror(errno));
	}
	return 0;
}

/* The record as a CSV line (without its old cluster_id), kept in the
 * temporary file for the output. */
static int keep_line(struct match *m, const struct record *rec,
		     struct mbr_err *err)
{
	bool first = true;

	if (!m->lines && open_lines(m, err) < 0)
		return -1;
	buf_reset(&m->scratch);
	for (size_t i = 0; i < rec->n; i++) {
		if ((int)i == m->skip_col)
			continue;
		if (!first)
			buf_addc(&m->scratch, ',');
		first = false;
		csvio_quote(&m->scratch, record_field(rec, i), ',');
	}
	if (m->n_news + 1 >= m->cap_news) {
		m->cap_news = m->cap_news ? m->cap_news * 2 : 4096;
		m->news = xrealloc(m->news, m->cap_news * sizeof(*m->news));
		m->line_off = xrealloc(m->line_off,
				       m->cap_news * sizeof(*m->line_off));
	}
	if (m->scratch.len &&
	    fwrite(m->scratch.p, 1, m->scratch.len, m->lines) != m->scratch.len)
		return mbr_fail(err, MBR_EIO, "temporary file: write error: %s",
				strerror(errno));
	m->news[m->n_news] = m->n;
	m->line_off[m->n_news + 1] = m->line_off[m->n_news] + m->scratch.len;
	m->n_news++;
	return 0;
}

const enum canon_field match_show_fields[MATCH_SHOW_N] = {
	CF_NAME, CF_BIRTH_DATE, CF_MOBILE, CF_ID_NUMBER, CF_EMAIL, CF_ADDRESS,
};

int match_show_values(struct match *m, char *const *mask, size_t n,
		      struct mbr_err *err)
{
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (int k = 0; k < MATCH_SHOW_N; k++) {
			const char *f = canon_name(match_show_fields[k]);
			const char *parent = mask_parent(f);

			if (!strcasecmp(mask[i], f) ||
			    (parent && !strcasecmp(mask[i], parent))) {
				m->masked[k] = true;
				found = !strcasecmp(mask[i], f) || found;
			}
		}
		if (!found)
			return mbr_fail(err, MBR_ECONFIG,
					"--mask '%s' names no column of the "
					"pair files (expected name, "
					"birth_date, mobile, id_number, email "
					"or address)",
					mask[i]);
	}
	m->show = true;
	return 0;
}

/* The shown values of the record just added. */
static void keep_shown(struct match *m, const struct record *rec)
{
	if (!m->show)
		return;
	if (m->n % 4096 == 0)
		m->shown = xrealloc(m->shown, ((size_t)m->n + 4096) *
						      MATCH_SHOW_N *
						      sizeof(*m->shown));
	for (int k = 0; k < MATCH_SHOW_N; k++) {
		struct strview v = sv_trim(
			record_canon(rec, &m->cur, match_show_fields[k]));

		m->shown[(size_t)m->n * MATCH_SHOW_N + k] =
			intern_add(&m->shown_t, v.p, v.len);
	}
}

int match_add(struct match *m, const struct record *rec, struct mbr_err *err)
{
	struct mrec *r;

	if (m->n == UINT32_MAX - 1)
		return mbr_fail(err, MBR_ELIMIT, "more than %u records",
				UINT32_MAX - 1);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 4096;
		m->recs = xrealloc(m->recs, m->cap * sizeof(*m->recs));
	}
	r = &m->recs[m->n];
	features_of(m->fx, rec, m->needed, &m->t, r);
	keep_shown(m, rec);
	if (m->side == MATCH_MASTER) {
		r->flags |= MR_MASTER;
		m->masters++;
	} else if (!m->shards && keep_line(m, rec, err) < 0) {
		return -1; /* a shard writes pairs, not records */
	}
	m->n++;
	return 0;
}

const struct match_stats *match_get_stats(const struct match *m)
{
	return &m->st;
}

size_t match_n_records(const struct match *m)
{
	return m->n - m->masters;
}

/* ---- the run ---- */

struct score_ctx { /* one per comparison thread */
	const struct cmp_ctx *c;
	const struct mrec *recs;
	double floor_w;
	struct mpair *v; /* owned until merged */
	size_t n, cap;
	unsigned long long compared;
};

static void score_pair(void *arg, uint32_t a, uint32_t b)
{
	struct score_ctx *x = arg;
	double w = compare_bounded(x->c, &x->recs[a], &x->recs[b], x->floor_w);

	x->compared++;
	if (w < x->floor_w)
		return;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 4096;
		x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	x->v[x->n++] = (struct mpair){a, b, (float)w};
}

static int pair_order(const void *pa, const void *pb)
{
	const struct mpair *a = pa, *b = pb;

	if (a->w != b->w)
		return a->w > b->w ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

static void score_all(struct match *m, const struct block_job *job)
{
	struct score_ctx x[64];
	void *ctx[64];
	size_t n = 0;

	for (unsigned t = 0; t < job->threads; t++) {
		x[t] = (struct score_ctx){
			&m->ctx, m->recs, score_weight(m->rules->floor_p),
			NULL,	 0,	  0,
			0};
		ctx[t] = &x[t];
	}
	block_run(job, ctx, &m->st);
	for (unsigned t = 0; t < job->threads; t++)
		n += x[t].n;
	/* The first thread's pairs grow into all of them: no second copy
	 * of the kept pairs at the peak. */
	m->pairs = xrealloc(x[0].v, (n + 1) * sizeof(*m->pairs));
	m->n_pairs = x[0].n;
	m->st.compared += x[0].compared;
	for (unsigned t = 1; t < job->threads; t++) {
		if (x[t].n)
			memcpy(m->pairs + m->n_pairs, x[t].v,
			       x[t].n * sizeof(*x[t].v));
		m->n_pairs += x[t].n;
		m->st.compared += x[t].compared;
		free(x[t].v);
	}
	xqsort(m->pairs, m->n_pairs, sizeof(*m->pairs), pair_order);
}

/* Does record x name its cluster before record y? Masters first (those
 * with a master_id before those without), then the smallest source,
 * source_id. */
static bool names_before(const struct match *m, uint32_t x, uint32_t y)
{
	const struct mrec *a = &m->recs[x], *b = &m->recs[y];
	int c;

	if ((a->flags & MR_MASTER) != (b->flags & MR_MASTER))
		return a->flags & MR_MASTER;
	if ((a->master_id != 0) != (b->master_id != 0))
		return a->master_id != 0;
	if (a->master_id)
		return strcmp(intern_str(&m->t, a->master_id).p,
			      intern_str(&m->t, b->master_id).p) < 0;
	c = strcmp(intern_str(&m->t, a->source).p,
		   intern_str(&m->t, b->source).p);
	if (c)
		return c < 0;
	return strcmp(intern_str(&m->t, a->source_id).p,
		      intern_str(&m->t, b->source_id).p) < 0;
}

static void apply_decisions(struct match *m, struct cluster *c, bool no_match)
{
	for (size_t i = 0; no_match && i < m->n_dec; i++)
		if (!m->dec[i].match)
			cluster_forbid(c, m->dec[i].a, m->dec[i].b);
	for (size_t i = 0; i < m->n_dec; i++)
		if (m->dec[i].match &&
		    cluster_join(c, m->dec[i].a, m->dec[i].b, true) != JOIN_YES)
			m->st.conflicts++;
}

/* Is pair i the only, weak link of two groups: below the strong
 * threshold, between two clusters of two records or more? Such a link is
 * deferred: a second one between the same clusters makes it hold. */
static bool weak_bridge(struct match *m, struct cluster *c, size_t i,
			double strong_w)
{
	const struct mpair *p = &m->pairs[i];
	uint32_t ra = cluster_find(c, p->a), rb = cluster_find(c, p->b);

	return m->rules->bridges && p->w < strong_w && ra != rb &&
	       c->size[ra] >= 2 && c->size[rb] >= 2;
}

/* Join the matched pairs, strongest first. A pair at or above the
 * strong threshold may join clusters whose birth dates disagree; a weak
 * bridge waits (deferred[]) for a second link. */
static size_t join_pairs(struct match *m, struct cluster *c, size_t *deferred)
{
	double match_w = score_weight(m->rules->match_p);
	double review_w = score_weight(m->rules->review_p);
	double strong_w = score_weight(m->rules->strong_p);
	size_t n_def = 0;

	m->progress.what = "clustering";
	for (size_t i = 0; i < m->n_pairs; i++) {
		const struct mpair *p = &m->pairs[i];

		progress_tell(&m->progress, i, i, m->n_pairs);
		if (p->w < review_w)
			break;
		if (p->w < match_w) {
			/* A decided pair is out of the review queue. */
			m->st.review += decide_find(m, p->a, p->b) < 0;
			continue;
		}
		m->st.matches++;
		if (weak_bridge(m, c, i, strong_w)) {
			deferred[n_def++] = i;
			continue;
		}
		m->joined[i] =
			(uint8_t)cluster_join(c, p->a, p->b, p->w >= strong_w);
	}
	progress_tell(&m->progress, 0, m->n_pairs, m->n_pairs);
	return n_def;
}

struct link {
	uint64_t key; /* the two roots, smaller first */
	size_t pair;
};

static int link_order(const void *pa, const void *pb)
{
	const struct link *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->pair > b->pair) - (a->pair < b->pair);
}

/* The deferred pairs not joined yet, keyed by the clusters they link,
 * sorted; returns how many. */
static size_t open_links(struct match *m, struct cluster *c, const size_t *def,
			 size_t n, struct link *l)
{
	size_t k = 0;

	for (size_t x = 0; x < n; x++) {
		uint32_t a = cluster_find(c, m->pairs[def[x]].a);
		uint32_t b = cluster_find(c, m->pairs[def[x]].b);

		if (m->joined[def[x]])
			continue;
		if (a > b) {
			uint32_t t = a;

			a = b;
			b = t;
		}
		l[k++] = (struct link){(uint64_t)a << 32 | b, def[x]};
	}
	xqsort(l, k, sizeof(*l), link_order);
	return k;
}

/* Join the deferred bridges that another deferred pair backs (or that
 * other joins made internal), until nothing changes; the rest stay
 * apart. */
static void join_bridges(struct match *m, struct cluster *c, const size_t *def,
			 size_t n)
{
	struct link *l = xmalloc((n + 1) * sizeof(*l));
	bool changed = true;

	while (changed) {
		size_t k = open_links(m, c, def, n, l);

		changed = false;
		for (size_t i = 0; i < k; i++) {
			bool inside = (uint32_t)(l[i].key >> 32) ==
				      (uint32_t)l[i].key;
			bool backed = (i > 0 && l[i - 1].key == l[i].key) ||
				      (i + 1 < k && l[i + 1].key == l[i].key);
			const struct mpair *p = &m->pairs[l[i].pair];

			if (!inside && !backed)
				continue;
			m->joined[l[i].pair] =
				(uint8_t)cluster_join(c, p->a, p->b, false);
			changed = true;
		}
	}
	for (size_t x = 0; x < n; x++)
		if (!m->joined[def[x]])
			m->joined[def[x]] = JOIN_BRIDGE;
	free(l);
}

/* Count what clustering refused, by reason. */
static void count_joins(struct match *m)
{
	for (size_t i = 0; i < m->n_pairs; i++) {
		if (m->joined[i] == JOIN_BIRTH || m->joined[i] == JOIN_BRIDGE)
			m->st.split++;
		else if (m->joined[i] == JOIN_ID ||
			 m->joined[i] == JOIN_DECISION)
			m->st.refused++;
	}
}

static void name_clusters(struct match *m, struct cluster *c)
{
	uint32_t *best = xmalloc(((size_t)m->n + 1) * sizeof(*best));
	bool *counted = xcalloc((size_t)m->n + 1, sizeof(*counted));

	for (uint32_t i = 0; i < m->n; i++)
		best[i] = UINT32_MAX;
	for (uint32_t i = 0; i < m->n; i++) {
		uint32_t r = cluster_find(c, i);

		if (best[r] == UINT32_MAX || names_before(m, i, best[r]))
			best[r] = i;
	}
	m->rep = xmalloc(((size_t)m->n + 1) * sizeof(*m->rep));
	for (uint32_t i = 0; i < m->n; i++) {
		uint32_t r = cluster_find(c, i);

		m->rep[i] = best[r];
		if (!(m->recs[i].flags & MR_MASTER) && !counted[r]) {
			counted[r] = true;
			m->st.clusters++;
		}
	}
	free(counted);
	free(best);
}

/* One clustering pass into c (initialised here; ids as cluster_init
 * takes them): decisions, the pairs, the bridges; m->joined says what
 * became of each pair. Without no_match, no-match decisions are left out
 * (to see what they split). */
static void cluster_pass(struct match *m, struct cluster *c,
			 const uint32_t *ids, bool no_match)
{
	size_t *def;

	cluster_init(c, m->n, ids, m->st.coherence ? ids + m->n : NULL);
	apply_decisions(m, c, no_match);
	m->joined = xcalloc(m->n_pairs + 1, sizeof(*m->joined));
	def = xmalloc((m->n_pairs + 1) * sizeof(*def));
	join_bridges(m, c, def, join_pairs(m, c, def));
	free(def);
}

static void rec_label(const struct match *m, uint32_t r, struct buf *b)
{
	buf_reset(b);
	buf_addsv(b, intern_str(&m->t, m->recs[r].source));
	buf_addc(b, '/');
	buf_addsv(b, intern_str(&m->t, m->recs[r].source_id));
}

/* Say which no-match decisions given in this run split a cluster: c is
 * the clustering without them. Each names the pair, where it was given,
 * the cluster (its would-be cluster_id and size) and, when the pair
 * itself was joined at p >= 0.99, that too. */
static void note_splits(struct match *m, struct cluster *c)
{
	float *w = NULL;
	uint32_t *best = NULL;
	struct buf x, y, z;

	buf_init(&x, BUF_NOLIMIT);
	buf_init(&y, BUF_NOLIMIT);
	buf_init(&z, BUF_NOLIMIT);
	for (size_t i = 0; i < m->n_dec; i++) {
		const struct decision *d = &m->dec[i];
		uint32_t r = cluster_find(c, d->a);
		double p = 0;

		if (d->match || d->stored || r != cluster_find(c, d->b))
			continue;
		if (!best) {
			best = xmalloc(((size_t)m->n + 1) * sizeof(*best));
			for (uint32_t k = 0; k < m->n; k++)
				best[k] = UINT32_MAX;
			for (uint32_t k = 0; k < m->n; k++) {
				uint32_t root = cluster_find(c, k);

				if (best[root] == UINT32_MAX ||
				    names_before(m, k, best[root]))
					best[root] = k;
			}
			w = xmalloc((m->n_dec + 1) * sizeof(*w));
			for (size_t k = 0; k < m->n_dec; k++)
				w[k] = -1;
			for (size_t k = 0; k < m->n_pairs; k++) {
				long e = decide_find(m, m->pairs[k].a,
						     m->pairs[k].b);

				if (e >= 0 && m->joined[k] == JOIN_YES)
					w[e] = (float)score_probability(
						m->pairs[k].w);
			}
		}
		p = w[i];
		if (m->st.dec_splits++ >= 8)
			continue;
		rec_label(m, d->a, &x);
		buf_reset(&z);
		if (p >= 0.99)
			buf_addf(&z,
				 ", where the pair itself was joined at "
				 "p = %.6f",
				 p);
		rec_label(m, best[r], &y);
		buf_adds(&x, " ~ ");
		buf_addsv(&x, intern_str(&m->t, m->recs[d->b].source));
		buf_addc(&x, '/');
		buf_addsv(&x, intern_str(&m->t, m->recs[d->b].source_id));
		mbr_warn("%s:%lu: the no-match %s splits cluster %s (%u "
			 "records)%s",
			 intern_str(&m->t, d->file).p, d->line, x.p, y.p,
			 c->size[r], z.p);
	}
	if (m->st.dec_splits > 8)
		mbr_warn("%lu more no-match decisions split a cluster",
			 m->st.dec_splits - 8);
	free(w);
	free(best);
	buf_release(&x);
	buf_release(&y);
	buf_release(&z);
}

static bool any_no_match(const struct match *m)
{
	for (size_t i = 0; i < m->n_dec; i++)
		if (!m->dec[i].match && !m->dec[i].stored)
			return true;
	return false;
}

static void cluster_all(struct match *m)
{
	uint32_t *ids = xmalloc(((size_t)m->n * 2 + 1) * sizeof(*ids));
	struct cluster c;

	for (uint32_t i = 0; i < m->n; i++)
		ids[i] = m->rules->never_id && (m->recs[i].flags & MR_CNID)
				 ? mrec_f(&m->t, &m->recs[i], MF_VALID_ID)
				 : 0;
	for (uint32_t i = 0; i < m->n; i++)
		ids[m->n + i] = m->recs[i].v[MF_BIRTH];
	if (any_no_match(m)) {
		struct match_stats keep = m->st;

		cluster_pass(m, &c, ids, false);
		note_splits(m, &c);
		keep.dec_splits = m->st.dec_splits;
		m->st = keep;
		free(m->joined);
		cluster_release(&c);
	}
	cluster_pass(m, &c, ids, true);
	count_joins(m);
	name_clusters(m, &c);
	cluster_release(&c);
	free(ids);
}

/* The prior from the data (matches_per_record = auto): EM over the share
 * of matches among all pairs moves every weight by the same amount, so
 * the order of the pairs stands; those now under the pairs floor go.
 * Under PRIOR_MIN_RECORDS records the built-in prior stands. */
#define PRIOR_MIN_RECORDS 1000 /* fewer: the pairs say too little */

static void reprior(struct match *m, bool link_only)
{
	double news = (double)(m->n - m->masters);
	double all = link_only ? news * m->masters
			       : news * (news - 1) / 2 + news * m->masters;
	double w = score_estimate_prior(m->pairs, m->n_pairs, m->ctx.prior_w,
					all, news + m->masters);
	double shift = w - m->ctx.prior_w,
	       floor_w = score_weight(m->rules->floor_p);

	if (news + m->masters < PRIOR_MIN_RECORDS)
		return;

	m->ctx.prior_w = w;
	m->st.per_record = score_probability(w) * all * 2 / (news + m->masters);
	for (size_t i = 0; i < m->n_pairs; i++)
		m->pairs[i].w = (float)(m->pairs[i].w + shift);
	while (m->n_pairs > 0 && m->pairs[m->n_pairs - 1].w < floor_w)
		m->n_pairs--;
}

struct date_count { /* one thread's */
	const struct cmp_ctx *c;
	double strong_w;
	int d; /* the birth date comparison */
	unsigned long strong, other;
};

static void count_dates(void *arg, const struct mpair *p, size_t i)
{
	struct date_count *dc = arg;
	const struct cmp_ctx *c = dc->c;
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];
	double total =
		compare_explain(c, &c->recs[p->a], &c->recs[p->b], level, w);

	(void)i;
	if (level[dc->d] == LEVEL_NULL || total - w[dc->d] < dc->strong_w)
		return;
	dc->strong++;
	dc->other += level[dc->d] == DATE_OTHER;
}

/* Are birth dates reliable enough in this data to split clusters on?
 * Not when more than 5 % of the pairs that agree strongly on everything
 * else (the weight less the date's at least the strong threshold)
 * disagree plainly on the date: typed-in dates as noisy as that say
 * little. With fewer than 50 such pairs, the default (yes) stands. */
static bool dates_reliable(struct match *m)
{
	const struct match_rules *r = m->rules;
	struct date_count dc[64];
	unsigned long strong = 0, other = 0;
	int d = -1;

	for (unsigned i = 0; i < r->n_cmps; i++)
		if (r->cmp[i].field == MF_BIRTH && d < 0)
			d = (int)i;
	if (d < 0)
		return true;
	for (unsigned t = 0; t < 64; t++)
		dc[t] = (struct date_count){&m->ctx, score_weight(r->strong_p),
					    d, 0, 0};
	pairs_run(&m->ctx, m->pairs, m->n_pairs, r->threads, count_dates, dc,
		  sizeof(dc[0]), "checking birth dates");
	for (unsigned t = 0; t < 64; t++) {
		strong += dc[t].strong;
		other += dc[t].other;
	}
	return strong < 50 || other * 20 <= strong;
}

/* Weigh the kept pairs again under the calibrated m (term frequencies
 * too: they start from m), the prior again, strongest first again. */
static void weigh_again(void *arg, const struct mpair *p, size_t i)
{
	struct match *m = arg;
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];

	/* Each thread writes only the pairs it was given. */
	m->pairs[i].w = (float)compare_explain(&m->ctx, &m->recs[p->a],
					       &m->recs[p->b], level, w);
}

static void rescore(struct match *m, bool link_only)
{
	score_tf_free(m->tf);
	m->tf = score_tf_new(m->rules, &m->t, m->recs, m->n);
	m->ctx.tf = m->tf;
	pairs_run(&m->ctx, m->pairs, m->n_pairs, m->rules->threads, weigh_again,
		  m, 0, "rescoring");
	xqsort(m->pairs, m->n_pairs, sizeof(*m->pairs), pair_order);
	if (m->rules->prior_auto)
		reprior(m, link_only);
}

/* A system that knows only the year of a birth often stores 1 January.
 * When far more full dates fall on 1 January than on an average day (five
 * times, and at least 20 of them), 1 January is taken for "the year only"
 * in this run: such a date then agrees with any date of its year as a
 * year, never as an exact date. */
static void year_only_new_year(struct match *m)
{
	unsigned long full = 0, jan1 = 0;

	for (uint32_t i = 0; i < m->n; i++) {
		int32_t d = (int32_t)m->recs[i].v[MF_BIRTH];

		full += compare_date_is_full(d);
		jan1 += compare_date_is_full(d) && d % 10000 == 101;
	}
	if (jan1 < 20 || jan1 * 365 < 5 * full)
		return;
	m->st.year_only = jan1;
	for (uint32_t i = 0; i < m->n; i++) {
		int32_t d = (int32_t)m->recs[i].v[MF_BIRTH];

		if (compare_date_is_full(d) && d % 10000 == 101)
			features_set_birth(&m->recs[i], d / 10000 * 10000);
	}
}

/* The prior and m from the scored pairs. A model read from a file is
 * taken as it is; a trained one is refined as the built-in one is. */
static void refine(struct match *m, bool train, bool link_only)
{
	struct match_rules *r = m->rules;

	if (r->trained && !train)
		return;
	if (r->prior_auto)
		reprior(m, link_only);
	if (r->calibrate && calibrate_m(r, &m->ctx, m->pairs, m->n_pairs))
		rescore(m, link_only);
	if (train && r->prior_auto)
		r->per_record = m->st.per_record;
}

/* Every record is in: give back the room the arrays grew into and the
 * string pool's lookup table (a third of the memory at a million
 * records, before blocking asks for its own). */
static void trim(struct match *m)
{
	intern_seal(&m->t);
	features_free(m->fx); /* its name memo */
	m->fx = NULL;
	m->cap = m->n + 1;
	m->recs = xrealloc(m->recs, m->cap * sizeof(*m->recs));
	m->cap_news = m->n_news + 1;
	m->news = xrealloc(m->news, m->cap_news * sizeof(*m->news));
	m->line_off = xrealloc(m->line_off, m->cap_news * sizeof(*m->line_off));
}

void match_set_progress(struct match *m, match_progress_fn *fn, void *ctx)
{
	m->progress.fn = fn;
	m->progress.ctx = ctx;
}

int match_run(struct match *m, bool train, struct mbr_err *err)
{
	struct block_job job = {m->rules,
				m->recs,
				m->n,
				(m->flags & MATCH_LINK_ONLY) != 0,
				m->rules->threads,
				score_pair,
				m->shard,
				m->shards,
				&m->t,
				m->masters != 0,
				NULL,
				&m->progress,
				NULL};

	if (decide_resolve(m, err) < 0)
		return -1;
	trim(m);
	job.recs = m->recs;
	if (job.threads < 1 || job.threads > 64)
		job.threads = 1;
	if (m->shards)
		m->fingerprint = shard_fingerprint(m);
	m->st.records = m->n - m->masters;
	m->st.masters = m->masters;
	m->ctx = (struct cmp_ctx){m->rules, &m->t, m->recs,
				  NULL,	    0,	   &m->progress};
	year_only_new_year(m);
	if (train && m->n > 1) {
		struct match_stats tmp = m->st;

		/* The built-in model, term frequencies and prior tell the
		 * random pairs that are matches. */
		m->tf = score_tf_new(m->rules, &m->t, m->recs, m->n);
		m->ctx.tf = m->tf;
		m->ctx.prior_w =
			score_prior(m->rules, m->n, m->masters, job.link_only);
		score_train(m->rules, &job, &m->ctx, m->masters, &tmp);
		score_tf_free(m->tf);
	}
	m->tf = score_tf_new(m->rules, &m->t, m->recs, m->n);
	m->ctx.tf = m->tf;
	job.tf = m->tf;
	m->ctx.prior_w = score_prior(m->rules, m->n, m->masters, job.link_only);
	m->st.per_record = m->rules->per_record;
	if (m->from_pairs)
		xqsort(m->pairs, m->n_pairs, sizeof(*m->pairs), pair_order);
	else
		score_all(m, &job);
	if (m->shards) { /* --pairs-only: the scored pairs are the output */
		m->st.kept = m->n_pairs;
		return 0;
	}
	refine(m, train, job.link_only);
	m->st.kept = m->n_pairs;
	m->st.coherence = m->rules->coherence && dates_reliable(m);
	cluster_all(m);
	return 0;
}
