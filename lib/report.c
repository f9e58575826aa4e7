/*
 * report: the duplicate audit as one HTML file (report.h).
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "hash.h"
#include "html.h"
#include "json.h"
#include "mask.h"
#include "stage.h"

/* ---- histograms ---- */

static const char *const size_labels[REPORT_SIZE_BINS] = {
	"1", "2", "3", "4", "5", "6-10", "11-20", "21-50", "51+"};

unsigned report_size_bin(unsigned long n)
{
	if (n <= 5)
		return n ? (unsigned)n - 1 : 0;
	if (n <= 10)
		return 5;
	if (n <= 20)
		return 6;
	if (n <= 50)
		return 7;
	return 8;
}

const char *report_size_label(unsigned bin)
{
	return bin < REPORT_SIZE_BINS ? size_labels[bin] : "";
}

void report_bins(double min, double max, unsigned max_bins, double *lo,
		 double *width, unsigned *nb)
{
	static const double steps[] = {1, 2, 5};
	double w = 1, scale = 1;
	unsigned k = 0;

	if (!(max >= min))
		max = min;
	if (max_bins < 1)
		max_bins = 1;
	for (;;) {
		double l = floor(min / w) * w;
		double n = floor((max - l) / w) + 1;

		if (n <= max_bins) {
			*lo = l;
			*width = w;
			*nb = (unsigned)n;
			return;
		}
		if (++k == 3) {
			k = 0;
			scale *= 10;
		}
		w = steps[k] * scale;
	}
}

unsigned report_bin(double v, double lo, double width, unsigned nb)
{
	double b = floor((v - lo) / width);

	if (!(b >= 0))
		return 0;
	if (b >= nb)
		return nb - 1;
	return (unsigned)b;
}

/* ---- what the report collects ---- */

#define MAX_CMPS 32
#define MAX_SRC 32
#define MAX_MEMBERS 30 /* members listed per cluster shown */

/* What clustering did with a pair (--pairs' clustered column): P_DECIDED
 * is an analyst's no-match ("refused: decision"), out of the review. */
enum pstate { P_NO, P_YES, P_OTHER, P_DECIDED };

struct rpair {
	uint64_t ka, kb;
	float w;
	uint8_t state; /* file mode: from the clustered column */
	int32_t shown; /* index into shown, or -1 */
};

struct cmp {
	char *name, *level;
	double w;
};

struct shown {
	char *as, *aid, *bs, *bid, *clustered;
	double w, prob, prior, sibling;
	struct cmp c[MAX_CMPS];
	unsigned n;
	bool review;
	int32_t ra, rb; /* index into kept records, or -1 */
};

struct cluster {
	uint64_t h;
	char *id;
	uint32_t size;
	uint64_t srcmask;
	float minw;    /* lowest weight of a pair joined inside; INFINITY */
	int32_t shown; /* index into shown clusters, or -1 */
};

/* A record kept whole, with the canonical fields in DESIGN order. */
struct kept {
	struct record r; /* CF_COUNT fields, then cluster_id */
};

struct rep {
	const struct report_opts *o;
	const struct report_input *in;
	struct profile *prof;
	struct rpair *pairs;
	size_t n_pairs, cap_pairs;
	struct shown *shown;
	size_t n_shown;
	struct hash_table clusters_t; /* cluster_id hash -> clusters[] */
	struct cluster *clusters;
	size_t n_clusters, cap_clusters;
	struct hash_table rec_t;  /* record key -> cluster index */
	struct hash_table want_t; /* record key -> kept index + 1 or 0 */
	size_t n_decided;	  /* review pairs left out: decided */
	struct kept *kept;
	size_t n_kept, cap_kept;
	char *src[MAX_SRC];
	size_t n_src;
	/* the records' header */
	int col[CF_COUNT], cluster_col;
	bool pass2; /* second pass: members of the clusters shown */
	uint32_t *top_size, *top_weak;
	size_t n_top_size, n_top_weak;
	uint32_t *members; /* per shown cluster: kept indices */
	size_t n_members, cap_members;
	struct buf b, t;
	bool have_clusters;
};

static uint64_t rec_key(struct strview source, struct strview id)
{
	return hash_pair(source, id);
}

static size_t source_index(struct rep *r, struct strview s)
{
	for (size_t i = 0; i < r->n_src; i++)
		if (sv_eqs(s, r->src[i]))
			return i;
	if (r->n_src == MAX_SRC)
		return MAX_SRC - 1;
	r->src[r->n_src] = sv_dup(s);
	return r->n_src++;
}

/* ---- pairs ---- */

/* The columns of a pairs CSV. */
struct pcols {
	int as, aid, bs, bid, w, p, clustered, prior, sibling;
	int level[MAX_CMPS], weight[MAX_CMPS];
	char *name[MAX_CMPS];
	unsigned n;
};

static int pair_columns(const struct header *h, const char *path,
			struct pcols *c, struct mbr_err *err)
{
	static const char *const need[] = {"a_source", "a_source_id",
					   "b_source", "b_source_id",
					   "match_weight"};
	int *at[] = {&c->as, &c->aid, &c->bs, &c->bid, &c->w};

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 5; i++) {
		*at[i] = header_find(h, need[i]);
		if (*at[i] < 0)
			return mbr_fail(err, MBR_ECONFIG,
					"%s: no '%s' column (expected the "
					"pairs file mbr-dedupe --pairs writes)",
					path, need[i]);
	}
	c->p = header_find(h, "match_probability");
	c->clustered = header_find(h, "clustered");
	c->prior = header_find(h, "prior_weight");
	c->sibling = header_find(h, "sibling_weight");
	for (size_t i = 0; i < header_count(h) && c->n < MAX_CMPS; i++) {
		struct strview v = record_field(&h->names, i);
		struct buf t;

		if (v.len <= 6 || memcmp(v.p + v.len - 6, "_level", 6) ||
		    sv_starts(v, "a_") || sv_starts(v, "b_"))
			continue;
		c->name[c->n] = sv_dup(svn(v.p, v.len - 6));
		c->level[c->n] = (int)i;
		buf_init(&t, BUF_NOLIMIT);
		buf_adds(&t, c->name[c->n]);
		buf_adds(&t, "_weight");
		c->weight[c->n] = header_find(h, t.p);
		buf_release(&t);
		c->n++;
	}
	return 0;
}

static void pcols_release(struct pcols *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->name[i]);
}

static double num(struct strview v)
{
	char tmp[64];
	size_t n = v.len < sizeof(tmp) - 1 ? v.len : sizeof(tmp) - 1;

	memcpy(tmp, v.p, n);
	tmp[n] = '\0';
	return n ? strtod(tmp, NULL) : 0;
}

/* Parse the pairs table's detail JSON ({"prior": -4.09, "x": {"level":
 * "exact", "weight": 1.14}, ..., "sibling": 0.00}) into s. Anything it
 * does not understand ends the parse: the detail is shown as far as it
 * went. */
static void parse_detail(struct strview d, struct shown *s, struct buf *t)
{
	const char *p = d.p, *end = d.p + d.len;

#define SKIPWS()                                                               \
	while (p < end && (*p == ' ' || *p == ',' || *p == '\n' || *p == ':')) \
	p++
	if (p >= end || *p++ != '{')
		return;
	for (;;) {
		char *key;

		SKIPWS();
		if (p >= end || *p != '"')
			return;
		p++;
		buf_reset(t);
		if (json_unstr(&p, end, t) < 0)
			return;
		key = sv_dup(buf_view(t));
		SKIPWS();
		if (p < end && *p == '{') {
			struct cmp c = {key, NULL, 0};

			p++;
			for (;;) {
				char *k2;

				SKIPWS();
				if (p < end && *p == '}') {
					p++;
					break;
				}
				if (p >= end || *p != '"')
					break;
				p++;
				buf_reset(t);
				if (json_unstr(&p, end, t) < 0)
					break;
				k2 = sv_dup(buf_view(t));
				SKIPWS();
				if (p < end && *p == '"') {
					p++;
					buf_reset(t);
					if (json_unstr(&p, end, t) < 0) {
						free(k2);
						break;
					}
					if (!strcmp(k2, "level") && !c.level)
						c.level = sv_dup(buf_view(t));
				} else {
					char *e;
					double v = strtod(p, &e);

					if (e == p) {
						free(k2);
						break;
					}
					p = e;
					if (!strcmp(k2, "weight"))
						c.w = v;
				}
				free(k2);
			}
			if (s->n < MAX_CMPS) {
				if (!c.level)
					c.level = sv_dup(sv(""));
				s->c[s->n++] = c;
			} else {
				free(c.name);
				free(c.level);
			}
			continue;
		} else {
			char *e;
			double v = strtod(p, &e);

			if (e == p) {
				free(key);
				return;
			}
			p = e;
			if (!strcmp(key, "prior"))
				s->prior = v;
			else if (!strcmp(key, "sibling"))
				s->sibling = v;
			free(key);
		}
	}
#undef SKIPWS
}

static enum pstate parse_state(struct strview v)
{
	if (sv_eqs(v, "yes") || sv_eqs(v, "forced"))
		return P_YES;
	if (sv_eqs(v, "refused: decision"))
		return P_DECIDED;
	if (sv_eqs(v, "no") || !v.len)
		return P_NO;
	return P_OTHER;
}

/* The pairs, row by row: from the database (fixed columns) or a file. */
typedef int (*pair_fn)(struct rep *r, size_t i, const struct record *rec,
		       const struct pcols *c);

static int each_pair(struct rep *r, pair_fn fn, struct mbr_err *err)
{
	struct record rec;
	size_t i = 0;
	int rc = 0;

	record_init(&rec);
	if (r->in->st) {
		struct pcols c;
		struct stage_cursor *cur = stage_read_pairs(r->in->st, err);

		memset(&c, 0, sizeof(c));
		c = (struct pcols){.as = 0,
				   .aid = 1,
				   .bs = 2,
				   .bid = 3,
				   .w = 4,
				   .p = 5,
				   .clustered = -1,
				   .prior = -1,
				   .sibling = -1};
		if (!cur)
			rc = -1;
		while (rc == 0 && (rc = stage_cursor_next(cur, &rec, err)) == 1)
			rc = fn(r, i++, &rec, &c);
		stage_cursor_free(cur);
	} else if (r->in->pairs) {
		struct csvio_opts o = CSVIO_OPTS_INIT;
		struct csvio_reader *rd = csvio_open(&r->in->pairs, 1, &o, err);
		struct pcols c;
		enum csvio_status s;

		if (!rd ||
		    pair_columns(csvio_header(rd), r->in->pairs, &c, err) < 0) {
			csvio_close(rd);
			record_release(&rec);
			return -1;
		}
		while ((s = csvio_read(rd, &rec, err)) != CSVIO_EOF) {
			if (s == CSVIO_ERROR) {
				rc = -1;
				break;
			}
			if (s == CSVIO_BAD) {
				rc = mbr_fail(err, MBR_EIO,
					      "%s: row %lu: %s (expected the "
					      "pairs file mbr-dedupe wrote)",
					      r->in->pairs, csvio_bad_row(rd),
					      csvio_bad_reason(rd));
				break;
			}
			if ((rc = fn(r, i++, &rec, &c)) < 0)
				break;
		}
		pcols_release(&c);
		csvio_close(rd);
	}
	record_release(&rec);
	return rc < 0 ? -1 : 0;
}

static int collect_pair(struct rep *r, size_t i, const struct record *rec,
			const struct pcols *c)
{
	struct rpair *p;

	(void)i;
	if (r->n_pairs == r->cap_pairs) {
		r->cap_pairs = r->cap_pairs ? 2 * r->cap_pairs : 1024;
		r->pairs = xrealloc(r->pairs, r->cap_pairs * sizeof(*r->pairs));
	}
	p = &r->pairs[r->n_pairs++];
	p->ka = rec_key(record_field(rec, (size_t)c->as),
			record_field(rec, (size_t)c->aid));
	p->kb = rec_key(record_field(rec, (size_t)c->bs),
			record_field(rec, (size_t)c->bid));
	p->w = (float)num(record_field(rec, (size_t)c->w));
	p->state = c->clustered >= 0 ? (uint8_t)parse_state(record_field(
					       rec, (size_t)c->clustered))
				     : (p->w >= r->o->match_w ? P_YES : P_NO);
	p->shown = -1;
	return 0;
}

static void want(struct rep *r, uint64_t k)
{
	struct hash_slot *s = hash_find(&r->want_t, k, NULL, NULL, NULL);

	if (!s->key)
		hash_put(&r->want_t, s, k, 0);
}

struct decided {
	uint64_t lo, hi; /* the two records' keys, smaller first */
	bool match;
};

static int decided_order(const void *pa, const void *pb)
{
	const struct decided *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->hi > b->hi) - (a->hi < b->hi);
}

/* --db: the pairs an analyst decided (the decisions table) are out of
 * the review, as they are out of mbr-dedupe --review: a match counts as
 * merged, a no-match as decided. */
static int mark_decided(struct rep *r, struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_decisions(r->in->st, err);
	struct decided *d = NULL, key;
	size_t n = 0, cap = 0;
	struct record rec;
	int rc = 0;

	if (!c)
		return -1;
	record_init(&rec);
	while ((rc = stage_cursor_next(c, &rec, err)) == 1) {
		uint64_t a = rec_key(record_field(&rec, 0),
				     record_field(&rec, 1)),
			 b = rec_key(record_field(&rec, 2),
				     record_field(&rec, 3));

		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			d = xrealloc(d, cap * sizeof(*d));
		}
		d[n++] = (struct decided){
			a < b ? a : b, a < b ? b : a,
			sv_eqs(record_field(&rec, 4), "match")};
	}
	record_release(&rec);
	stage_cursor_free(c);
	if (n)
		xqsort(d, n, sizeof(*d), decided_order);
	for (size_t i = 0; rc == 0 && n && i < r->n_pairs; i++) {
		struct rpair *p = &r->pairs[i];
		const struct decided *f;

		key.lo = p->ka < p->kb ? p->ka : p->kb;
		key.hi = p->ka < p->kb ? p->kb : p->ka;
		f = bsearch(&key, d, n, sizeof(*d), decided_order);
		if (f)
			p->state = f->match ? P_YES : P_DECIDED;
	}
	free(d);
	return rc < 0 ? -1 : 0;
}

/* The pairs to show: review pairs (strongest first, up to max_review),
 * then merged ones evenly spaced over their weights. */
static void choose_pairs(struct rep *r)
{
	size_t n_merged = 0, k = 0, n_review = 0;

	for (size_t i = 0; i < r->n_pairs; i++) {
		struct rpair *p = &r->pairs[i];

		if (p->w >= r->o->review_w && p->w < r->o->match_w &&
		    p->state == P_DECIDED) {
			r->n_decided++;
		} else if (p->w >= r->o->review_w && p->w < r->o->match_w &&
			   p->state != P_YES && p->state != P_DECIDED &&
			   n_review < r->o->max_review) {
			p->shown = (int32_t)r->n_shown++;
			n_review++;
		} else if (p->state == P_YES) {
			n_merged++;
		}
	}
	for (size_t i = 0; i < r->n_pairs && r->o->sample; i++) {
		struct rpair *p = &r->pairs[i];

		if (p->state != P_YES || p->shown >= 0)
			continue;
		/* the j-th merged pair is shown when it starts a new
		 * stretch of n_merged / sample pairs */
		if ((k * r->o->sample) / n_merged !=
			    ((k + 1) * r->o->sample) / n_merged ||
		    n_merged <= r->o->sample)
			p->shown = (int32_t)r->n_shown++;
		k++;
	}
	r->shown = calloc(r->n_shown + 1, sizeof(*r->shown));
	if (!r->shown)
		abort();
	for (size_t i = 0; i < r->n_pairs; i++)
		if (r->pairs[i].shown >= 0) {
			want(r, r->pairs[i].ka);
			want(r, r->pairs[i].kb);
		}
}

static int detail_pair(struct rep *r, size_t i, const struct record *rec,
		       const struct pcols *c)
{
	struct shown *s;
	const struct rpair *p = &r->pairs[i];

	if (i >= r->n_pairs || p->shown < 0)
		return 0;
	s = &r->shown[p->shown];
	s->as = sv_dup(record_field(rec, (size_t)c->as));
	s->aid = sv_dup(record_field(rec, (size_t)c->aid));
	s->bs = sv_dup(record_field(rec, (size_t)c->bs));
	s->bid = sv_dup(record_field(rec, (size_t)c->bid));
	s->w = num(record_field(rec, (size_t)c->w));
	s->prob = c->p >= 0 ? num(record_field(rec, (size_t)c->p)) : 0;
	s->review = p->w >= r->o->review_w && p->w < r->o->match_w &&
		    p->state != P_YES && p->state != P_DECIDED;
	s->clustered = sv_dup(c->clustered >= 0
				      ? record_field(rec, (size_t)c->clustered)
				      : sv(""));
	s->ra = s->rb = -1;
	if (r->in->st) {
		parse_detail(record_field(rec, 6), s, &r->t);
		return 0;
	}
	if (c->prior >= 0)
		s->prior = num(record_field(rec, (size_t)c->prior));
	if (c->sibling >= 0)
		s->sibling = num(record_field(rec, (size_t)c->sibling));
	for (unsigned k = 0; k < c->n; k++) {
		s->c[k].name = sv_dup(sv(c->name[k]));
		s->c[k].level = sv_dup(record_field(rec, (size_t)c->level[k]));
		s->c[k].w =
			c->weight[k] >= 0
				? num(record_field(rec, (size_t)c->weight[k]))
				: 0;
	}
	s->n = c->n;
	return 0;
}

/* ---- records ---- */

static int bind_records(void *ctx, const struct header *h, const char *name,
			struct mbr_err *err)
{
	struct rep *r = ctx;

	if (h->canon[CF_SOURCE] < 0 || h->canon[CF_SOURCE_ID] < 0)
		return mbr_fail(err, MBR_ECONFIG,
				"%s: no source and source_id columns "
				"(expected canonical records, as mbr-dedupe "
				"writes them)",
				name);
	memcpy(r->col, h->canon, sizeof(r->col));
	r->cluster_col = header_find(h, COL_CLUSTER_ID);
	if (r->cluster_col >= 0)
		r->have_clusters = true;
	if (!r->pass2)
		profile_bind(r->prof, h, name);
	return 0;
}

static uint32_t keep(struct rep *r, const struct record *rec)
{
	struct kept *k;

	if (r->n_kept == r->cap_kept) {
		r->cap_kept = r->cap_kept ? 2 * r->cap_kept : 64;
		r->kept = xrealloc(r->kept, r->cap_kept * sizeof(*r->kept));
	}
	k = &r->kept[r->n_kept];
	record_init(&k->r);
	for (int f = 0; f < CF_COUNT; f++)
		record_addsv(&k->r,
			     r->col[f] >= 0
				     ? record_field(rec, (size_t)r->col[f])
				     : sv(""));
	record_addsv(&k->r, r->cluster_col >= 0
				    ? record_field(rec, (size_t)r->cluster_col)
				    : sv(""));
	return (uint32_t)r->n_kept++;
}

/* Is cluster v the one named *want? (Two ids of one hash stay two.) */
static bool same_cluster(const void *ctx, uint32_t v, const void *want)
{
	const struct rep *r = ctx;
	const struct strview *id = want;

	return strlen(r->clusters[v].id) == id->len &&
	       !memcmp(r->clusters[v].id, id->p, id->len);
}

static struct cluster *cluster_of(struct rep *r, struct strview id)
{
	uint64_t h = hash_bytes(id);
	struct hash_slot *s =
		hash_find(&r->clusters_t, h, same_cluster, r, &id);
	struct cluster *c;

	if (s->key)
		return &r->clusters[s->value];
	if (r->n_clusters == r->cap_clusters) {
		r->cap_clusters = r->cap_clusters ? 2 * r->cap_clusters : 1024;
		r->clusters = xrealloc(r->clusters,
				       r->cap_clusters * sizeof(*r->clusters));
	}
	c = &r->clusters[r->n_clusters];
	*c = (struct cluster){h, sv_dup(id), 0, 0, INFINITY, -1};
	hash_put(&r->clusters_t, s, h, (uint32_t)r->n_clusters++);
	return c;
}

static int on_record(void *ctx, struct record *rec, enum rs_verdict *verdict,
		     struct rs_why *why, struct mbr_err *err)
{
	struct rep *r = ctx;
	struct strview source = record_field(rec, (size_t)r->col[CF_SOURCE]);
	uint64_t k = rec_key(source,
			     record_field(rec, (size_t)r->col[CF_SOURCE_ID]));
	struct hash_slot *s;

	(void)err;
	*verdict = RS_PASS;
	why->unchanged = true;
	if (r->pass2) {
		struct cluster *c;

		if (r->cluster_col < 0)
			return 0;
		c = cluster_of(r, record_field(rec, (size_t)r->cluster_col));
		if (c->shown >= 0 &&
		    r->members[c->shown * MAX_MEMBERS] < MAX_MEMBERS - 1) {
			uint32_t *m = &r->members[c->shown * MAX_MEMBERS];

			m[1 + m[0]++] = keep(r, rec);
		}
		return 0;
	}
	profile_record(r->prof, rec);
	s = hash_find(&r->want_t, k, NULL, NULL, NULL);
	if (s->key && !s->value)
		s->value = keep(r, rec) + 1;
	if (r->cluster_col >= 0) {
		struct cluster *c = cluster_of(
			r, record_field(rec, (size_t)r->cluster_col));
		size_t ci = (size_t)(c - r->clusters);

		c->size++;
		c->srcmask |= (uint64_t)1 << source_index(r, source);
		s = hash_find(&r->rec_t, k, NULL, NULL, NULL);
		if (!s->key)
			hash_put(&r->rec_t, s, k, (uint32_t)ci);
	}
	return 0;
}

static int read_records(struct rep *r, struct rs_tally *t, struct mbr_err *err)
{
	struct rs_handler h = {0};
	struct rs_sink *k = rs_sink_rejects(NULL, NULL, "mbr-report", true);
	struct rs_tally quiet = RS_TALLY_INIT;
	int rc;

	h.bind = bind_records;
	h.record = on_record;
	h.ctx = r;
	if (r->pass2)
		t = &quiet;
	if (r->in->st) {
		struct stage_cursor *c = stage_read_clustered(r->in->st, err);

		rc = c ? rs_run_cursor(c, r->in->db_name, &h, k, t, err) : -1;
		stage_cursor_free(c);
	} else {
		struct csvio_opts o = CSVIO_OPTS_INIT;

		rc = rs_run_files(r->in->records, r->in->n_records, &o, &h, k,
				  t, err);
	}
	if (rc == 0)
		rc = rs_finish(k, err);
	rs_sink_free(k);
	return rc;
}

/* ---- clusters: coherence and the ones shown ---- */

static const struct rep *sort_rep;

static int by_size(const void *a, const void *b)
{
	const struct cluster *x = &sort_rep->clusters[*(const uint32_t *)a];
	const struct cluster *y = &sort_rep->clusters[*(const uint32_t *)b];

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int by_weak(const void *a, const void *b)
{
	const struct cluster *x = &sort_rep->clusters[*(const uint32_t *)a];
	const struct cluster *y = &sort_rep->clusters[*(const uint32_t *)b];

	if (x->minw != y->minw)
		return x->minw < y->minw ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int32_t cluster_index_of(struct rep *r, uint64_t k)
{
	struct hash_slot *s = hash_find(&r->rec_t, k, NULL, NULL, NULL);

	return s->key ? (int32_t)s->value : -1;
}

static void choose_clusters(struct rep *r)
{
	uint32_t *all = malloc((r->n_clusters + 1) * sizeof(uint32_t));
	size_t n = 0, n_shown = 0;

	if (!all)
		abort();
	/* a pair joined inside one cluster: the cluster's weakest link */
	for (size_t i = 0; i < r->n_pairs; i++) {
		struct rpair *p = &r->pairs[i];
		int32_t a = cluster_index_of(r, p->ka),
			b = cluster_index_of(r, p->kb);

		if (r->in->st) {
			p->state = (uint8_t)(a >= 0 && a == b ? P_YES : P_NO);
			if (p->shown >= 0) {
				free(r->shown[p->shown].clustered);
				r->shown[p->shown].clustered = sv_dup(
					sv(p->state == P_YES ? "yes" : "no"));
			}
		}
		if (p->state == P_YES && a >= 0 && a == b &&
		    p->w < r->clusters[a].minw)
			r->clusters[a].minw = p->w;
	}
	for (size_t i = 0; i < r->n_clusters; i++)
		if (r->clusters[i].size > 1)
			all[n++] = (uint32_t)i;
	sort_rep = r;
	xqsort(all, n, sizeof(*all), by_size);
	r->n_top_size = n < r->o->clusters ? n : r->o->clusters;
	r->top_size = malloc((r->n_top_size + 1) * sizeof(uint32_t));
	memcpy(r->top_size, all, r->n_top_size * sizeof(uint32_t));
	xqsort(all, n, sizeof(*all), by_weak);
	while (n && !isfinite(r->clusters[all[n - 1]].minw))
		n--;
	r->n_top_weak = n < r->o->clusters ? n : r->o->clusters;
	r->top_weak = malloc((r->n_top_weak + 1) * sizeof(uint32_t));
	if (!r->top_size || !r->top_weak)
		abort();
	memcpy(r->top_weak, all, r->n_top_weak * sizeof(uint32_t));
	free(all);
	for (size_t i = 0; i < r->n_top_size; i++)
		if (r->clusters[r->top_size[i]].shown < 0)
			r->clusters[r->top_size[i]].shown = (int32_t)n_shown++;
	for (size_t i = 0; i < r->n_top_weak; i++)
		if (r->clusters[r->top_weak[i]].shown < 0)
			r->clusters[r->top_weak[i]].shown = (int32_t)n_shown++;
	r->members = calloc(n_shown * MAX_MEMBERS + 1, sizeof(uint32_t));
	if (!r->members)
		abort();
	r->n_members = n_shown;
}

/* ---- HTML ---- */

static const char css[] =
	"*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;"
	"margin:0 auto;max-width:1100px;padding:0 12px 48px;color:#1b1b1b;"
	"background:#fff}h1{font-size:1.5em}h2{margin-top:1.8em;border-bottom:"
	"2px solid #ddd}table{border-collapse:collapse;margin:.5em 0}td,th{"
	"border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:"
	"top}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:"
	"tabular-nums}.scroll{overflow-x:auto;max-width:100%}.v{background:"
	"#f1f3f6;border-radius:3px;padding:0 3px;white-space:pre-wrap;"
	"overflow-wrap:anywhere}svg{max-width:100%;height:auto;display:block}"
	"svg.chart{width:680px}"
	"nav a{margin-right:.8em}.pair{border:1px solid #ccc;border-radius:"
	"6px;padding:8px;margin:12px 0}.pair[data-decision=match]{"
	"border-color:#2a8a2a;background:#f3fbf3}.pair[data-decision=no-match]"
	"{border-color:#b33;background:#fdf4f4}.pair[data-decision=skip]{"
	"opacity:.6}button{font:inherit;padding:6px 12px;margin:4px 6px 4px 0;"
	"border:1px solid #888;border-radius:4px;background:#fafafa}"
	"button[aria-pressed=true]{background:#234;color:#fff}.pos{color:"
	"#1d7a1d}.neg{color:#b22}.bar{position:sticky;top:0;background:#fff;"
	"padding:6px 0;border-bottom:1px solid #ddd}"
	"@media (max-width:600px){body{font-size:14px}td,th{padding:2px 4px}}";

/* Plain JavaScript: decisions kept in localStorage under the report's
 * key; the CSV is the one match_load_decisions reads. */
static const char script[] =
	"(function(){'use strict';\n"
	"var KEY='mbr-report-'+document.body.getAttribute('data-report');\n"
	"var st={};try{st=JSON.parse(localStorage.getItem(KEY)||'{}')||{};}"
	"catch(e){st={};}\n"
	"function save(){try{localStorage.setItem(KEY,JSON.stringify(st));}"
	"catch(e){}}\n"
	"var pairs=Array.prototype.slice.call(document.querySelectorAll("
	"'.pair[data-review]'));\n"
	"function pk(p){return [p.getAttribute('data-as'),p.getAttribute("
	"'data-aid'),p.getAttribute('data-bs'),p.getAttribute('data-bid')]"
	".join('\\u001f');}\n"
	"function show(p){var d=st[pk(p)]||'';p.setAttribute("
	"'data-decision',d);p.querySelectorAll('button[data-d]').forEach("
	"function(b){b.setAttribute('aria-pressed',b.getAttribute('data-d')"
	"===d?'true':'false');});}\n"
	"function count(){var n=0;pairs.forEach(function(p){var d=st[pk(p)];"
	"if(d==='match'||d==='no-match')n++;});var e=document.getElementById("
	"'decided');if(e)e.textContent=n+' of '+pairs.length+' decided';}\n"
	"pairs.forEach(function(p){show(p);p.querySelectorAll('button[data-d]')"
	".forEach(function(b){b.addEventListener('click',function(){"
	"st[pk(p)]=b.getAttribute('data-d');save();show(p);count();});});});\n"
	"function q(v){return /[\",\\r\\n]/.test(v)?'\"'+v.replace(/\"/g,"
	"'\"\"')+'\"':v;}\n"
	"window.mbrDecisionsCsv=function(){var o='a_source,a_source_id,"
	"b_source,b_source_id,decision\\n';pairs.forEach(function(p){var d="
	"st[pk(p)];if(d==='match'||d==='no-match')o+=[p.getAttribute('data-as')"
	",p.getAttribute('data-aid'),p.getAttribute('data-bs'),p.getAttribute("
	"'data-bid'),d].map(q).join(',')+'\\n';});return o;};\n"
	"var dl=document.getElementById('download');if(dl)dl.addEventListener("
	"'click',function(){var b=new Blob([window.mbrDecisionsCsv()],{type:"
	"'text/csv'});var a=document.createElement('a');a.href="
	"URL.createObjectURL(b);a.download='decisions.csv';"
	"document.body.appendChild(a);a.click();a.remove();});\n"
	"var cl=document.getElementById('clear');if(cl)cl.addEventListener("
	"'click',function(){st={};save();pairs.forEach(show);count();});\n"
	"count();})();\n";

static void esc(struct buf *b, struct strview v)
{
	html_escape(b, v);
}

/* A value of canonical field f as shown (masked unless unmasked). */
static void value(struct rep *r, int f, struct strview v, struct buf *out)
{
	buf_reset(&r->t);
	if (!r->o->unmasked && profile_personal(canon_name(f)))
		mask_value(canon_name(f), v, &r->t);
	else
		buf_addsv(&r->t, v);
	esc(out, buf_view(&r->t));
}

/* A bar chart: n bars, labels under some, counts over each, and marks
 * (vertical dashed lines at fractional bar positions). */
struct mark {
	double at; /* in bars from the left edge */
	const char *label;
};

static void svg_bars(struct buf *b, const char *title,
		     const unsigned long long *n, unsigned nb,
		     const char *const *labels, const struct mark *marks,
		     unsigned n_marks)
{
	const double W = 640, H = 240, L = 44, R = 10, T = 22, B = 36;
	double bw = (W - L - R) / (nb ? nb : 1), top = 0;
	unsigned step = nb > 16 ? (nb + 15) / 16 : 1;

	for (unsigned i = 0; i < nb; i++)
		if ((double)n[i] > top)
			top = (double)n[i];
	if (top == 0)
		top = 1;
	buf_addf(b,
		 "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		 "aria-label=\"",
		 W, H);
	html_escs(b, title);
	buf_addf(b,
		 "\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		 "stroke=\"#999\"/>",
		 L, H - B, W - R, H - B);
	buf_addf(b,
		 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		 "text-anchor=\"end\">%.0f</text>",
		 L - 4, T + 4, top);
	for (unsigned i = 0; i < nb; i++) {
		double h = (H - T - B) * (double)n[i] / top;
		double x = L + i * bw;

		buf_addf(b,
			 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			 "height=\"%.1f\" fill=\"#4a78b5\"><title>",
			 x + 1, H - B - h, bw > 3 ? bw - 2 : bw, h);
		html_escs(b, labels[i]);
		buf_addf(b, ": %llu</title></rect>", n[i]);
		if (n[i] && nb <= 16)
			buf_addf(b,
				 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
				 "text-anchor=\"middle\">%llu</text>",
				 x + bw / 2, H - B - h - 3, n[i]);
		if (i % step == 0) {
			buf_addf(b,
				 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
				 "text-anchor=\"middle\">",
				 x + bw / 2, H - B + 14);
			html_escs(b, labels[i]);
			buf_adds(b, "</text>");
		}
	}
	for (unsigned i = 0; i < n_marks; i++) {
		double x = L + marks[i].at * bw;

		buf_addf(b,
			 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
			 " stroke=\"#c33\" stroke-dasharray=\"4 3\"/><text "
			 "x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#c33\""
			 " text-anchor=\"middle\">",
			 x, T - 4, x, H - B, x, T - 8 + 10.0 * i);
		html_escs(b, marks[i].label);
		buf_adds(b, "</text>");
	}
	buf_adds(b, "</svg>\n");
}

/* A waterfall: the prior, each comparison's weight and the sibling
 * adjustment, each bar starting where the sum so far ends. */
static void svg_waterfall(struct buf *b, const struct shown *s)
{
	double lo = 0, hi = 0, sum = 0;
	const double W = 640, L = 120, R = 50, RH = 16;
	unsigned rows = s->n + 3, row = 0;
	double scale;

	sum = s->prior;
	lo = hi = 0;
	if (sum < lo)
		lo = sum;
	if (sum > hi)
		hi = sum;
	for (unsigned i = 0; i < s->n; i++) {
		sum += s->c[i].w;
		lo = sum < lo ? sum : lo;
		hi = sum > hi ? sum : hi;
	}
	sum += s->sibling;
	lo = sum < lo ? sum : lo;
	hi = sum > hi ? sum : hi;
	if (hi - lo < 1)
		hi = lo + 1;
	scale = (W - L - R) / (hi - lo);
	buf_addf(b,
		 "<svg class=\"chart waterfall\" viewBox=\"0 0 %.0f %.0f\" "
		 "role=\"img\" aria-label=\"match weight waterfall\">",
		 W, rows * RH + 4);
	buf_addf(b,
		 "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.1f\" "
		 "stroke=\"#999\"/>",
		 L + (0 - lo) * scale, L + (0 - lo) * scale, rows * RH + 4);
	sum = 0;
	for (unsigned i = 0; i < s->n + 2; i++) {
		const char *name = i == 0	   ? "prior"
				   : i == s->n + 1 ? "sibling"
						   : s->c[i - 1].name;
		double w = i == 0	   ? s->prior
			   : i == s->n + 1 ? s->sibling
					   : s->c[i - 1].w;
		double x0 = L + (sum - lo) * scale, x1 = x0 + w * scale;
		double y = 2 + row * RH;

		if (i == s->n + 1 && w == 0)
			continue;
		buf_addf(b,
			 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
			 "text-anchor=\"end\">",
			 L - 6, y + 11);
		html_escs(b, name);
		buf_addf(b,
			 "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			 "height=\"%.1f\" fill=\"%s\"/><text x=\"%.1f\" "
			 "y=\"%.1f\" font-size=\"10\">%+.2f</text>",
			 x1 < x0 ? x1 : x0, y,
			 fabs(x1 - x0) < 1 ? 1 : fabs(x1 - x0), RH - 4,
			 w >= 0 ? "#3a9a3a" : "#c44", (x1 > x0 ? x1 : x0) + 3,
			 y + 11, w);
		sum += w;
		row++;
	}
	buf_addf(b,
		 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		 "text-anchor=\"end\" font-weight=\"bold\">total</text>"
		 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		 "fill=\"#234\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">"
		 "%.2f</text></svg>\n",
		 L - 6, 2 + row * RH + 11,
		 L + ((sum < 0 ? sum : 0) - lo) * scale, 2 + row * RH,
		 fabs(sum) * scale < 1 ? 1 : fabs(sum) * scale, RH - 4,
		 L + ((sum > 0 ? sum : 0) - lo) * scale + 3, 2 + row * RH + 11,
		 sum);
}

static const struct kept *kept_of(struct rep *r, const char *source,
				  const char *id)
{
	struct hash_slot *s = hash_find(&r->want_t, rec_key(sv(source), sv(id)),
					NULL, NULL, NULL);

	return s->key && s->value ? &r->kept[s->value - 1] : NULL;
}

/* The fields shown side by side, beside the comparisons. */
static const enum canon_field side_fields[] = {
	CF_NAME,       CF_FAMILY_NAME,	 CF_GIVEN_NAME,	 CF_GENDER,
	CF_BIRTH_DATE, CF_MOBILE,	 CF_PHONE,	 CF_EMAIL,
	CF_ID_NUMBER,  CF_ADDRESS,	 CF_POSTAL_CODE, CF_CITY,
	CF_DISTRICT,   CF_REGISTERED_AT, CF_POINTS,	 CF_STORE};

static void pair_html(struct rep *r, const struct shown *s, struct buf *b)
{
	const struct kept *a = kept_of(r, s->as, s->aid);
	const struct kept *c = kept_of(r, s->bs, s->bid);

	buf_adds(b, "<div class=\"pair\"");
	if (s->review) {
		buf_adds(b, " data-review=\"1\" data-as=\"");
		html_escs(b, s->as);
		buf_adds(b, "\" data-aid=\"");
		html_escs(b, s->aid);
		buf_adds(b, "\" data-bs=\"");
		html_escs(b, s->bs);
		buf_adds(b, "\" data-bid=\"");
		html_escs(b, s->bid);
		buf_adds(b, "\"");
	}
	buf_adds(b, "><p><b>");
	html_escs(b, s->as);
	buf_addc(b, '/');
	html_escs(b, s->aid);
	buf_adds(b, "</b> &harr; <b>");
	html_escs(b, s->bs);
	buf_addc(b, '/');
	html_escs(b, s->bid);
	buf_addf(b, "</b>: match weight %.2f", s->w);
	if (s->prob > 0)
		buf_addf(b, " (p = %.4f)", s->prob);
	if (s->clustered && s->clustered[0]) {
		buf_adds(b, ", clustered: ");
		html_escs(b, s->clustered);
	}
	buf_adds(b, "</p>\n");
	if (s->review)
		buf_adds(b, "<div><button type=\"button\" data-d=\"match\">"
			    "match</button><button type=\"button\" "
			    "data-d=\"no-match\">no match</button><button "
			    "type=\"button\" data-d=\"skip\">skip</button>"
			    "</div>\n");
	buf_adds(b, "<div class=\"scroll\"><table><tr><th>field</th><th>A"
		    "</th><th>B</th><th>level</th><th>weight</th></tr>\n");
	for (size_t i = 0; i < sizeof(side_fields) / sizeof(*side_fields);
	     i++) {
		int f = (int)side_fields[i];
		struct strview va = a ? record_field(&a->r, (size_t)f) : sv("");
		struct strview vb = c ? record_field(&c->r, (size_t)f) : sv("");
		const struct cmp *cm = NULL;

		for (unsigned k = 0; k < s->n; k++)
			if (!strcmp(s->c[k].name, canon_name(f)))
				cm = &s->c[k];
		if (!va.len && !vb.len && !cm)
			continue;
		buf_adds(b, "<tr><td>");
		html_escs(b, canon_name(f));
		buf_adds(b, "</td><td><span class=\"v\">");
		value(r, f, va, b);
		buf_adds(b, "</span></td><td><span class=\"v\">");
		value(r, f, vb, b);
		buf_adds(b, "</span></td>");
		if (cm) {
			buf_adds(b, "<td>");
			html_escs(b, cm->level);
			buf_addf(b, "</td><td class=\"n %s\">%+.2f</td>",
				 cm->w >= 0 ? "pos" : "neg", cm->w);
		} else {
			buf_adds(b, "<td></td><td></td>");
		}
		buf_adds(b, "</tr>\n");
	}
	/* comparisons on columns not shown above */
	for (unsigned k = 0; k < s->n; k++) {
		bool seen = false;

		for (size_t i = 0;
		     i < sizeof(side_fields) / sizeof(*side_fields); i++)
			seen |= !strcmp(s->c[k].name,
					canon_name(side_fields[i]));
		if (seen)
			continue;
		buf_adds(b, "<tr><td>");
		html_escs(b, s->c[k].name);
		buf_adds(b, "</td><td></td><td></td><td>");
		html_escs(b, s->c[k].level);
		buf_addf(b, "</td><td class=\"n %s\">%+.2f</td></tr>\n",
			 s->c[k].w >= 0 ? "pos" : "neg", s->c[k].w);
	}
	buf_adds(b, "</table></div>\n");
	if (!a || !c)
		buf_adds(b, "<p><small>A record of this pair is not in the "
			    "records given.</small></p>\n");
	svg_waterfall(b, s);
	buf_adds(b, "</div>\n");
}

static void cluster_rows(struct rep *r, const uint32_t *idx, size_t n,
			 bool weak, struct buf *b)
{
	buf_adds(b, "<div class=\"scroll\"><table><tr><th>cluster</th><th>"
		    "size</th><th>weakest link</th><th>members</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		const struct cluster *c = &r->clusters[idx[i]];
		const uint32_t *m =
			c->shown >= 0 ? &r->members[c->shown * MAX_MEMBERS]
				      : NULL;

		buf_adds(b, "<tr><td>");
		html_escs(b, c->id);
		buf_addf(b, "</td><td class=\"n\">%u</td><td class=\"n\">",
			 c->size);
		if (isfinite(c->minw))
			buf_addf(b, "%.2f", c->minw);
		buf_adds(b, "</td><td>");
		for (uint32_t k = 0; m && k < m[0]; k++) {
			const struct record *rec = &r->kept[m[1 + k]].r;

			html_escape(b, record_field(rec, CF_SOURCE));
			buf_addc(b, '/');
			html_escape(b, record_field(rec, CF_SOURCE_ID));
			buf_adds(b, " <span class=\"v\">");
			value(r, CF_NAME, record_field(rec, CF_NAME), b);
			buf_adds(b, "</span> <span class=\"v\">");
			value(r, CF_BIRTH_DATE,
			      record_field(rec, CF_BIRTH_DATE), b);
			buf_adds(b, "</span> <span class=\"v\">");
			value(r, CF_MOBILE, record_field(rec, CF_MOBILE), b);
			buf_adds(b, "</span><br>");
		}
		if (m && m[0] < c->size)
			buf_addf(b, "<small>(%u more)</small>", c->size - m[0]);
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</table></div>\n");
	(void)weak;
}

static int runs_html(struct rep *r, struct buf *b, struct mbr_err *err)
{
	struct stage_cursor *c;
	struct record rec;
	int rc;

	buf_adds(b, "<h2 id=\"runs\">Run log</h2>\n");
	if (!r->in->st) {
		buf_adds(b, "<p>The run log is kept in the staging database: "
			    "make the report with <code>--db</code> to see "
			    "it.</p>\n");
		return 0;
	}
	c = stage_read_runs(r->in->st, err);
	if (!c)
		return -1;
	record_init(&rec);
	buf_adds(b, "<div class=\"scroll\"><table><tr><th>run</th><th>tool"
		    "</th><th>started</th><th>in</th><th>out</th><th>"
		    "rejected</th><th>flagged</th><th>status</th><th>in = "
		    "out + rejected</th></tr>\n");
	while ((rc = stage_cursor_next(c, &rec, err)) == 1) {
		unsigned long long in =
			(unsigned long long)num(record_field(&rec, 4));
		unsigned long long out =
			(unsigned long long)num(record_field(&rec, 5));
		unsigned long long rej =
			(unsigned long long)num(record_field(&rec, 6));

		buf_adds(b, "<tr>");
		for (int i = 0; i < 9; i++) {
			if (i == 3)
				continue;
			buf_adds(b, i >= 4 && i <= 7 ? "<td class=\"n\">"
						     : "<td>");
			esc(b, record_field(&rec, (size_t)i));
			buf_adds(b, "</td>");
		}
		buf_addf(b, "<td>%s</td></tr>\n",
			 in == out + rej ? "yes"
			 : sv_eqs(record_field(&rec, 1), "mbr-merge-id")
				 ? "merged (masters out)"
				 : "<b>no</b>");
	}
	stage_cursor_free(c);
	buf_adds(b, "</table></div>\n");
	if (rc == 0 && (c = stage_read_points(r->in->st, err))) {
		if ((rc = stage_cursor_next(c, &rec, err)) == 1) {
			struct strview pin = record_field(&rec, 1);
			struct strview pout = record_field(&rec, 3);

			buf_adds(b, "<p>Points: ");
			esc(b, pin);
			buf_adds(b, " in the records (");
			esc(b, record_field(&rec, 0));
			buf_adds(b, "), ");
			esc(b, pout);
			buf_adds(b, " in the masters (");
			esc(b, record_field(&rec, 2));
			buf_addf(b, "): %s</p>\n",
				 num(record_field(&rec, 2)) == 0
					 ? "no masters yet"
				 : sv_eq(pin, pout)
					 ? "points in = points out"
					 : "<b>points in and out differ</b>");
			rc = 0;
		}
		stage_cursor_free(c);
	} else if (rc == 0) {
		rc = -1;
	}
	record_release(&rec);
	return rc;
}

static void charts_html(struct rep *r, struct buf *b)
{
	unsigned long long sizes[REPORT_SIZE_BINS] = {0};
	double lo, width, min = INFINITY, max = -INFINITY;
	unsigned nb;
	unsigned long long *wn;
	char **wl;
	struct mark marks[2];
	char ml[2][48];

	buf_adds(b, "<h2 id=\"clusters\">Clusters and match weights</h2>\n");
	if (r->have_clusters) {
		for (size_t i = 0; i < r->n_clusters; i++)
			sizes[report_size_bin(r->clusters[i].size)]++;
		buf_addf(b,
			 "<h3>Cluster sizes</h3><p>%zu clusters of %llu "
			 "records.</p>\n",
			 r->n_clusters, profile_records(r->prof));
		svg_bars(b, "clusters by size", sizes, REPORT_SIZE_BINS,
			 size_labels, NULL, 0);
	} else {
		buf_adds(b, "<p>The records have no cluster_id column: give "
			    "the records mbr-dedupe wrote.</p>\n");
	}
	buf_adds(b, "<h3>Match weights of the scored pairs</h3>\n");
	if (!r->n_pairs) {
		buf_adds(b, "<p>No scored pairs (give <code>--pairs</code> "
			    "or a database mbr-dedupe ran on).</p>\n");
		return;
	}
	for (size_t i = 0; i < r->n_pairs; i++) {
		min = r->pairs[i].w < min ? r->pairs[i].w : min;
		max = r->pairs[i].w > max ? r->pairs[i].w : max;
	}
	min = fmin(min, r->o->review_w);
	max = fmax(max, r->o->match_w);
	report_bins(min, max, 40, &lo, &width, &nb);
	wn = calloc(nb, sizeof(*wn));
	wl = calloc(nb, sizeof(*wl));
	if (!wn || !wl)
		abort();
	for (size_t i = 0; i < r->n_pairs; i++)
		wn[report_bin(r->pairs[i].w, lo, width, nb)]++;
	for (unsigned i = 0; i < nb; i++) {
		wl[i] = malloc(24);
		if (!wl[i])
			abort();
		snprintf(wl[i], 24, "%g", lo + i * width);
	}
	snprintf(ml[0], sizeof(ml[0]), "review %.2f", r->o->review_w);
	snprintf(ml[1], sizeof(ml[1]), "match %.2f", r->o->match_w);
	marks[0] = (struct mark){(r->o->review_w - lo) / width, ml[0]};
	marks[1] = (struct mark){(r->o->match_w - lo) / width, ml[1]};
	buf_addf(b,
		 "<p>%zu pairs; bins of %g. Pairs at or above the match "
		 "threshold join clusters; those between the review and the "
		 "match threshold are listed for review.</p>\n",
		 r->n_pairs, width);
	svg_bars(b, "pairs by match weight", wn, nb, (const char *const *)wl,
		 marks, 2);
	for (unsigned i = 0; i < nb; i++)
		free(wl[i]);
	free(wl);
	free(wn);
}

static void overlap_html(struct rep *r, struct buf *b)
{
	buf_adds(b, "<h2 id=\"overlap\">Source overlap</h2>\n");
	if (!r->have_clusters || !r->n_src) {
		buf_adds(b, "<p>No clusters to count.</p>\n");
		return;
	}
	buf_adds(b, "<p>Clusters (people) holding records of both sources; "
		    "the diagonal counts clusters with a record of that "
		    "source.</p><div class=\"scroll\"><table><tr><th></th>");
	for (size_t j = 0; j < r->n_src; j++) {
		buf_adds(b, "<th>");
		html_escs(b, r->src[j]);
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr>\n");
	for (size_t i = 0; i < r->n_src; i++) {
		buf_adds(b, "<tr><th>");
		html_escs(b, r->src[i]);
		buf_adds(b, "</th>");
		for (size_t j = 0; j < r->n_src; j++) {
			uint64_t m = ((uint64_t)1 << i) | ((uint64_t)1 << j);
			unsigned long long n = 0;

			for (size_t c = 0; c < r->n_clusters; c++)
				n += (r->clusters[c].srcmask & m) == m;
			buf_addf(b, "<td class=\"n\">%llu</td>", n);
		}
		buf_adds(b, "</tr>\n");
	}
	if (r->n_src >= 3) {
		unsigned long long all = 0;
		uint64_t m = r->n_src >= 64 ? ~(uint64_t)0
					    : ((uint64_t)1 << r->n_src) - 1;

		for (size_t c = 0; c < r->n_clusters; c++)
			all += (r->clusters[c].srcmask & m) == m;
		buf_addf(b,
			 "</table></div><p>In every source: %llu clusters."
			 "</p>\n",
			 all);
		return;
	}
	buf_adds(b, "</table></div>\n");
}

static uint64_t report_id(const struct rep *r)
{
	uint64_t h = 0x6d6272;

	for (size_t i = 0; i < r->n_pairs; i++)
		if (r->pairs[i].shown >= 0)
			h = h * 31 + r->pairs[i].ka * 7 + r->pairs[i].kb;
	return h;
}

static void write_html(struct rep *r, struct buf *b, int runs_rc)
{
	(void)runs_rc;
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		    "charset=\"utf-8\">\n<meta name=\"viewport\" "
		    "content=\"width=device-width, initial-scale=1\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" "
		    "content=\"default-src 'none'; style-src "
		    "'unsafe-inline'; script-src 'unsafe-inline'; img-src "
		    "data:\">\n<title>");
	html_escs(b, r->o->title);
	buf_addf(b, "</title>\n<style>%s</style></head>\n", css);
	buf_addf(b, "<body data-report=\"%016llx\">\n<h1>",
		 (unsigned long long)report_id(r));
	html_escs(b, r->o->title);
	buf_addf(b,
		 "</h1>\n<p>%llu records, %zu scored pairs, %zu clusters. "
		 "Personal values are %s.</p>\n<nav><a href=\"#runs\">runs"
		 "</a>\n<a href=\"#clusters\">charts</a>\n<a href=\"#overlap\">"
		 "overlap</a>\n<a href=\"#largest\">clusters</a>\n<a "
		 "href=\"#review\">review</a>\n<a href=\"#merged\">merged</a>"
		 "\n<a href=\"#profile\">profile</a></nav>\n",
		 profile_records(r->prof), r->n_pairs, r->n_clusters,
		 r->o->unmasked ? "shown as they are (--unmasked)" : "masked");
}

static int write_rest(struct rep *r, struct buf *b)
{
	size_t n_review = 0;

	charts_html(r, b);
	overlap_html(r, b);
	buf_addf(b, "<h2 id=\"largest\">Largest clusters</h2>\n");
	cluster_rows(r, r->top_size, r->n_top_size, false, b);
	buf_addf(b, "<h2 id=\"weakest\">Least coherent clusters</h2>\n<p>"
		    "Ordered by the lowest match weight of a pair that joined "
		    "them.</p>\n");
	cluster_rows(r, r->top_weak, r->n_top_weak, true, b);
	for (size_t i = 0; i < r->n_shown; i++)
		n_review += r->shown[i].review;
	buf_addf(b,
		 "<h2 id=\"review\">Pairs to review</h2>\n<p>Match weight "
		 "from %.2f (review) up to %.2f (match): %zu shown. Mark "
		 "each, then download the decisions and give them to "
		 "<code>mbr-dedupe --decisions</code>. Marks are kept in "
		 "this browser.</p>\n<div class=\"bar\"><button type="
		 "\"button\" id=\"download\">download decisions</button>"
		 "<button type=\"button\" id=\"clear\">clear marks</button> "
		 "<span id=\"decided\"></span></div>\n",
		 r->o->review_w, r->o->match_w, n_review);
	if (r->n_decided)
		buf_addf(b,
			 "<p>%zu pairs in that range have a stored decision "
			 "and are not listed.</p>\n",
			 r->n_decided);
	for (size_t i = 0; i < r->n_shown; i++)
		if (r->shown[i].review)
			pair_html(r, &r->shown[i], b);
	buf_adds(b, "<h2 id=\"merged\">A sample of merged pairs</h2>\n<p>"
		    "Evenly spaced over the match weights of the pairs that "
		    "joined clusters, strongest first.</p>\n");
	for (size_t i = 0; i < r->n_shown; i++)
		if (!r->shown[i].review)
			pair_html(r, &r->shown[i], b);
	buf_adds(b, "<h2 id=\"profile\">Profile</h2>\n");
	profile_html(r->prof, b);
	buf_addf(b, "<script>%s</script>\n</body></html>\n", script);
	return 0;
}

static void rep_release(struct rep *r)
{
	for (size_t i = 0; i < r->n_shown; i++) {
		struct shown *s = &r->shown[i];

		free(s->as);
		free(s->aid);
		free(s->bs);
		free(s->bid);
		free(s->clustered);
		for (unsigned k = 0; k < s->n; k++) {
			free(s->c[k].name);
			free(s->c[k].level);
		}
	}
	free(r->shown);
	free(r->pairs);
	for (size_t i = 0; i < r->n_clusters; i++)
		free(r->clusters[i].id);
	free(r->clusters);
	hash_release(&r->clusters_t);
	hash_release(&r->rec_t);
	hash_release(&r->want_t);
	for (size_t i = 0; i < r->n_kept; i++)
		record_release(&r->kept[i].r);
	free(r->kept);
	for (size_t i = 0; i < r->n_src; i++)
		free(r->src[i]);
	free(r->top_size);
	free(r->top_weak);
	free(r->members);
	buf_release(&r->b);
	buf_release(&r->t);
	profile_free(r->prof);
}

static int flush(struct buf *b, FILE *out, struct mbr_err *err)
{
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
		return mbr_fail(err, MBR_EIO, "write error");
	buf_reset(b);
	return 0;
}

int report_write(const struct report_opts *o, const struct report_input *in,
		 FILE *out, struct rs_tally *tally, struct mbr_err *err)
{
	struct profile_opts po = PROFILE_OPTS_INIT;
	struct rep r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.in = in;
	po.unmasked = o->unmasked;
	r.prof = profile_new(&po);
	r.clusters_t = (struct hash_table)HASH_TABLE_INIT;
	r.rec_t = (struct hash_table)HASH_TABLE_INIT;
	r.want_t = (struct hash_table)HASH_TABLE_INIT;
	buf_init(&r.b, BUF_NOLIMIT);
	buf_init(&r.t, BUF_NOLIMIT);
	if (each_pair(&r, collect_pair, err) < 0 ||
	    (in->st && mark_decided(&r, err) < 0))
		goto out;
	choose_pairs(&r);
	if (each_pair(&r, detail_pair, err) < 0 ||
	    read_records(&r, tally, err) < 0)
		goto out;
	choose_clusters(&r);
	if (r.n_members && r.have_clusters) {
		r.pass2 = true;
		if (read_records(&r, tally, err) < 0)
			goto out;
	}
	if (in->st) {
		struct stage_cursor *c = stage_read_rejects(in->st, err);

		if (!c || profile_read_rejects_cursor(r.prof, c, err) < 0) {
			stage_cursor_free(c);
			goto out;
		}
		stage_cursor_free(c);
	}
	for (size_t i = 0; i < in->n_rejected; i++)
		if (profile_read_rejects(r.prof, in->rejected[i], err) < 0)
			goto out;
	profile_finish(r.prof);
	write_html(&r, &r.b, 0);
	if (runs_html(&r, &r.b, err) < 0)
		goto out;
	write_rest(&r, &r.b);
	rc = flush(&r.b, out, err);
out:
	rep_release(&r);
	return rc;
}
