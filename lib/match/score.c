/*
 * score: Fellegi-Sunter weights and their training.
 *
 * Training is unsupervised, as in Splink: u (the chance of each level for
 * two different people) from random record pairs, almost all of which are
 * different people; m (the chance for the same person) and the share of
 * true matches by expectation-maximisation over the comparison patterns
 * of the blocked pairs. Random pairs do hold a few true matches (one in
 * two thousand in FEBRL dataset3, most of them agreeing on everything);
 * once EM has m and the prior, u is corrected for them and EM runs again.
 */
#include "match/match_int.h"

#include "hash.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Random pairs for u: 100 per record, at least 200,000 and at most two
 * million (a u of one in a million still shows up). */
#define U_SAMPLES_MIN 200000ull
#define U_SAMPLES_MAX 2000000ull
#define EM_ROUNDS 60
#define TRAIN_ROUNDS 3 /* u correction, EM again */

#define PAIRS_CHUNK 4096 /* pairs a pairs_run thread takes at once */
#define PAIRS_AHEAD 8	 /* pairs whose records it asks for ahead */

struct pairs_pass {
	const struct cmp_ctx *c;
	const struct mpair *p;
	size_t n;
	atomic_size_t next;
	pairs_fn *fn;
};

struct pairs_thread {
	struct pairs_pass *pass;
	void *arg;
	bool tells; /* the first: tells c->progress */
};

static void pairs_prefetch(const struct cmp_ctx *c, const struct mpair *p)
{
	mrec_prefetch(&c->recs[p->a]);
	mrec_prefetch(&c->recs[p->b]);
	if (c->tf) {
		__builtin_prefetch(tf_of(c->tf, p->a));
		__builtin_prefetch(tf_of(c->tf, p->b));
	}
}

static void *pairs_work(void *arg)
{
	struct pairs_thread *t = arg;
	struct pairs_pass *ps = t->pass;
	size_t i;

	while ((i = atomic_fetch_add(&ps->next, PAIRS_CHUNK)) < ps->n) {
		size_t end = i + PAIRS_CHUNK < ps->n ? i + PAIRS_CHUNK : ps->n;

		for (size_t k = i; k < end && k < i + PAIRS_AHEAD; k++)
			pairs_prefetch(ps->c, &ps->p[k]);
		for (; i < end; i++) {
			if (i + PAIRS_AHEAD < end)
				pairs_prefetch(ps->c, &ps->p[i + PAIRS_AHEAD]);
			ps->fn(t->arg, &ps->p[i], i);
			if (t->tells)
				progress_tell(ps->c->progress, i,
					      progress_taken(&ps->next, ps->n),
					      ps->n);
		}
	}
	return NULL;
}

void pairs_run(const struct cmp_ctx *c, const struct mpair *p, size_t n,
	       unsigned threads, pairs_fn *fn, void *args, size_t size,
	       const char *what)
{
	struct pairs_pass ps = {.c = c, .p = p, .n = n, .fn = fn};
	struct pairs_thread t[64];

	threads = threads < 1 || threads > 64 ? 1 : threads; /* as block_run */
	atomic_init(&ps.next, 0);
	for (unsigned k = 0; k < threads; k++)
		t[k] = (struct pairs_thread){&ps, (char *)args + k * size,
					     k == 0};
	if (c->progress)
		c->progress->what = what;
	block_on_threads(pairs_work, t, sizeof(t[0]), threads);
	progress_tell(c->progress, 0, n, n);
}

double score_probability(double w)
{
	return 1.0 / (1.0 + exp2(-w));
}

double score_weight(double p)
{
	return log2(p / (1.0 - p));
}

double score_prior(const struct match_rules *r, uint32_t n, uint32_t masters,
		   bool link_only)
{
	double others = link_only ? masters : (double)n - 1.0;
	double lambda;

	if (others < 1)
		others = 1;
	lambda = r->per_record / others;
	if (lambda > 0.5)
		lambda = 0.5;
	return log2(lambda / (1.0 - lambda));
}

/* How many records have each value: a table by value, as big as the
 * distinct values (a few thousand names, some 40,000 dates), where an
 * array by intern id took 4 bytes for every pooled string of the run
 * and a cache miss a record. */
static uint64_t value_key(uint32_t v)
{
	uint64_t x = (uint64_t)v + 1; /* murmur3's finaliser: one to one, so
					 never 0 for a value */

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static void count_add(struct hash_table *t, uint32_t v)
{
	uint64_t k = value_key(v);
	struct hash_slot *s = hash_find(t, k, NULL, NULL, NULL);

	hash_put(t, s, k, s->key ? s->value + 1 : 1);
}

static uint32_t count_get(struct hash_table *t, uint32_t v)
{
	struct hash_slot *s = hash_find(t, value_key(v), NULL, NULL, NULL);

	return s->key ? s->value : 0;
}

#define TF_PRIOR 1000.0 /* records the built-in u counts as */

/* The share of the other records that have a value count of n records
 * have, shrunk towards the built-in u as if TF_PRIOR more records had
 * been seen: in a file of five, two equal birth dates are no sign that
 * the date is common; in a million, the counts speak for themselves. */
static double tf_share(size_t count, size_t n, double u)
{
	double others = count ? (double)count - 1 : 0;

	return (others + TF_PRIOR * u) / ((n ? (double)n - 1 : 0) + TF_PRIOR);
}

/* Term frequencies of full birth dates, by record (a date is a number,
 * not an intern id): the weight of an exact match on each record's date.
 * A date many records share (1 January of a year, a system's default)
 * counts for less than an ordinary one. */
static void date_tf(const struct match_rules *r, const struct intern *t,
		    const struct mcmp *c, const struct mrec *recs, uint32_t n,
		    struct tf_table *tf, int col)
{
	struct hash_table count = HASH_TABLE_INIT;
	size_t full = 0;
	double m0 = c->m[0] > 1e-9 ? c->m[0] : 1e-9;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t d = mrec_f(t, &recs[i], c->field);

		if (compare_date_is_full((int32_t)d)) {
			count_add(&count, d);
			full++;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t d = mrec_f(t, &recs[i], c->field);
		double p = tf_share(compare_date_is_full((int32_t)d)
					    ? count_get(&count, d)
					    : 0,
				    full, c->u[0]);

		tf->w[(size_t)i * tf->stride + col] =
			(float)log2(m0 / (p > r->tf_min ? p : r->tf_min));
	}
	hash_release(&count);
}

double score_estimate_prior(const struct mpair *p, size_t k, double prior_w,
			    double all_pairs, double records)
{
	double lambda = score_probability(prior_w), lo, hi, w = prior_w;

	if (all_pairs < 1 || records < 2)
		return prior_w;
	lo = 0.02 * records / 2 / all_pairs;
	hi = 20.0 * records / 2 / all_pairs;
	for (int round = 0; round < 30; round++) {
		double sum = 0;

		w = score_weight(lambda);
		for (size_t i = 0; i < k; i++)
			sum += score_probability(p[i].w - prior_w + w);
		lambda = sum / all_pairs;
		lambda = lambda < lo ? lo : lambda > hi ? hi : lambda;
	}
	return score_weight(lambda);
}

struct tf_table *score_tf_new(const struct match_rules *r,
			      const struct intern *t, const struct mrec *recs,
			      uint32_t n)
{
	struct tf_table *tf = xcalloc(1, sizeof(*tf));

	for (unsigned i = 0; i < MATCH_MAX_CMPS; i++)
		tf->col[i] = i < r->n_cmps && r->cmp[i].tf
				     ? (int8_t)tf->stride++
				     : (int8_t)-1;
	tf->w = xmalloc(((size_t)n + 1) * (tf->stride ? tf->stride : 1) *
			sizeof(*tf->w));
	for (unsigned i = 0; i < r->n_cmps; i++) {
		const struct mcmp *c = &r->cmp[i];
		double m0 = c->m[0] > 1e-9 ? c->m[0] : 1e-9;
		struct hash_table count = HASH_TABLE_INIT;
		int col = tf->col[i];

		if (c->tf && c->kind == CMP_DATE)
			date_tf(r, t, c, recs, n, tf, col);
		if (!c->tf || c->kind == CMP_DATE)
			continue;
		for (uint32_t k = 0; k < n; k++)
			count_add(&count, mrec_f(t, &recs[k], c->field));
		/* u of an exact match on a value is the share of records
		 * that have it; the weights are kept by record (4 bytes a
		 * record, where by value they took 4 bytes a string of the
		 * pool). */
		for (uint32_t k = 0; k < n; k++) {
			double p =
				tf_share(count_get(&count, mrec_f(t, &recs[k],
								  c->field)),
					 n, c->u[0]);

			tf->w[(size_t)k * tf->stride + col] = (float)log2(
				m0 / (p > r->tf_min ? p : r->tf_min));
		}
		hash_release(&count);
	}
	return tf;
}

void score_tf_free(struct tf_table *tf)
{
	if (!tf)
		return;
	free(tf->w);
	free(tf);
}

/* ---- patterns: the levels of a pair packed 4 bits a comparison ---- */

struct patterns {
	uint64_t *key;	 /* owned: pattern + 1 (0 = empty slot) */
	uint64_t *count; /* owned */
	size_t n, cap;	 /* cap a power of two */
};

static void patterns_init(struct patterns *p)
{
	p->cap = 1024;
	p->n = 0;
	p->key = xcalloc(p->cap, sizeof(*p->key));
	p->count = xcalloc(p->cap, sizeof(*p->count));
}

static void patterns_release(struct patterns *p)
{
	free(p->key);
	free(p->count);
}

static void patterns_add(struct patterns *p, uint64_t pat, uint64_t n);

static void patterns_grow(struct patterns *p)
{
	struct patterns old = *p;

	p->cap *= 2;
	p->n = 0;
	p->key = xcalloc(p->cap, sizeof(*p->key));
	p->count = xcalloc(p->cap, sizeof(*p->count));
	for (size_t i = 0; i < old.cap; i++)
		if (old.key[i])
			patterns_add(p, old.key[i] - 1, old.count[i]);
	patterns_release(&old);
}

static void patterns_add(struct patterns *p, uint64_t pat, uint64_t n)
{
	size_t i;

	if (p->n * 2 >= p->cap)
		patterns_grow(p);
	i = intern_hash(&pat, sizeof(pat), 7) & (p->cap - 1);
	while (p->key[i] && p->key[i] != pat + 1)
		i = (i + 1) & (p->cap - 1);
	if (!p->key[i]) {
		p->key[i] = pat + 1;
		p->n++;
	}
	p->count[i] += n;
}

static uint64_t pack(const uint8_t *level, unsigned n)
{
	uint64_t pat = 0;

	for (unsigned i = 0; i < n; i++)
		pat |= (uint64_t)level[i] << (4 * i);
	return pat;
}

static unsigned level_of(uint64_t pat, unsigned i)
{
	return (unsigned)(pat >> (4 * i)) & 0xF;
}

struct pattern_ctx {
	const struct cmp_ctx *c;
	const struct mrec *recs;
	struct patterns p;
};

static void pattern_pair(void *arg, uint32_t a, uint32_t b)
{
	struct pattern_ctx *x = arg;
	uint8_t level[MATCH_MAX_CMPS];

	compare_records(x->c, &x->recs[a], &x->recs[b], level);
	patterns_add(&x->p, pack(level, x->c->rules->n_cmps), 1);
}

/* Patterns of all blocked pairs, counted by the blocking threads. */
static void blocked_patterns(const struct block_job *job,
			     const struct cmp_ctx *c, struct patterns *out,
			     struct match_stats *st)
{
	struct pattern_ctx x[64];
	void *ctx[64];
	struct block_job j = *job;
	struct match_stats tmp = *st;

	j.fn = pattern_pair;
	j.step = "training";
	for (unsigned t = 0; t < j.threads; t++) {
		x[t].c = c;
		x[t].recs = j.recs;
		patterns_init(&x[t].p);
		ctx[t] = &x[t];
	}
	block_run(&j, ctx, &tmp);
	patterns_init(out);
	for (unsigned t = 0; t < j.threads; t++) {
		for (size_t i = 0; i < x[t].p.cap; i++)
			if (x[t].p.key[i])
				patterns_add(out, x[t].p.key[i] - 1,
					     x[t].p.count[i]);
		patterns_release(&x[t].p);
	}
}

/* splitmix64: a fixed seed, so training is repeatable. */
static uint64_t next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Level counts of random pairs: freq[i][l] and, per comparison, the
 * number of pairs where it was not null. */
static void random_levels(const struct block_job *j, const struct cmp_ctx *c,
			  uint32_t masters, double freq[][MATCH_MAX_LEVELS],
			  double *total)
{
	const struct match_rules *r = c->rules;
	uint64_t seed = 20240601, samples = 100ull * j->n;
	uint32_t news = j->n - masters;
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];

	if (j->n < 2 || (j->link_only && (!masters || !news)))
		return;
	samples = samples < U_SAMPLES_MIN   ? U_SAMPLES_MIN
		  : samples > U_SAMPLES_MAX ? U_SAMPLES_MAX
					    : samples;
	for (uint64_t s = 0; s < samples; s++) {
		uint32_t a = (uint32_t)(next_random(&seed) % j->n);
		uint32_t b = (uint32_t)(next_random(&seed) % j->n);
		bool ma = j->recs[a].flags & MR_MASTER;
		bool mb = j->recs[b].flags & MR_MASTER;

		if (a == b || (ma && mb) || (j->link_only && ma == mb))
			continue;
		/* A pair the built-in model takes for a match is left out:
		 * a well-duplicated input has many among random pairs, and
		 * they would make agreement look common among strangers. */
		if (compare_explain(c, &j->recs[a], &j->recs[b], level, w) >= 0)
			continue;
		for (unsigned i = 0; i < r->n_cmps; i++) {
			if (level[i] == LEVEL_NULL)
				continue;
			freq[i][level[i]]++;
			total[i]++;
		}
	}
}

#define U_MIN_SEEN 20 /* random pairs a level needs to be measured */

/* u from random-pair frequencies (the pairs the built-in model takes for
 * matches left out). A level seen fewer than U_MIN_SEEN times keeps its
 * u: one in two million is no measurement. The measured levels share
 * what the others leave. */
static void set_u(struct match_rules *r, double freq[][MATCH_MAX_LEVELS],
		  const double *total)
{
	for (unsigned i = 0; i < r->n_cmps; i++) {
		struct mcmp *c = &r->cmp[i];
		double kept = 0, seen = 0;

		if (total[i] < 1)
			continue;
		for (unsigned l = 0; l < c->n_levels; l++)
			if (freq[i][l] < U_MIN_SEEN)
				kept += c->u[l];
			else
				seen += freq[i][l];
		for (unsigned l = 0; l < c->n_levels && seen > 0; l++)
			if (freq[i][l] >= U_MIN_SEEN)
				c->u[l] = freq[i][l] / seen * (1.0 - kept);
	}
}

/* One EM step over the patterns; returns the new share of matches. The
 * comparisons in blind (those the pass blocked on: every pair agrees on
 * them, so they would make every pair look like a match) take no part. */
static double em_step(struct match_rules *r, const struct patterns *p,
		      double lambda, uint32_t blind)
{
	double mm[MATCH_MAX_CMPS][MATCH_MAX_LEVELS] = {{0}};
	double mt[MATCH_MAX_CMPS] = {0}, matched = 0, all = 0;

	for (size_t k = 0; k < p->cap; k++) {
		uint64_t pat = p->key[k] - 1;
		double lm = log2(lambda), lu = log2(1 - lambda), post;

		if (!p->key[k])
			continue;
		for (unsigned i = 0; i < r->n_cmps; i++) {
			unsigned l = level_of(pat, i);

			if (l == LEVEL_NULL || (blind & (1u << i)))
				continue;
			lm += log2(r->cmp[i].m[l] > 1e-12 ? r->cmp[i].m[l]
							  : 1e-12);
			lu += log2(r->cmp[i].u[l]);
		}
		post = (double)p->count[k] / (1.0 + exp2(lu - lm));
		matched += post;
		all += (double)p->count[k];
		for (unsigned i = 0; i < r->n_cmps; i++) {
			unsigned l = level_of(pat, i);

			if (l == LEVEL_NULL || (blind & (1u << i)))
				continue;
			mm[i][l] += post;
			mt[i] += post;
		}
	}
	for (unsigned i = 0; i < r->n_cmps; i++)
		for (unsigned l = 0; l < r->cmp[i].n_levels && mt[i] > 0; l++)
			r->cmp[i].m[l] = (mm[i][l] + 1e-3) /
					 (mt[i] + 1e-3 * r->cmp[i].n_levels);
	return all > 0 ? matched / all : lambda;
}

static uint64_t patterns_total(const struct patterns *p)
{
	uint64_t n = 0;

	for (size_t k = 0; k < p->cap; k++)
		n += p->key[k] ? p->count[k] : 0;
	return n;
}

/* Blocking on a key biases the m of the comparisons its parts stand
 * for (pairs that share a name agree on the name): each part's field. */
static enum mfield part_field(enum mfield part)
{
	static const struct {
		enum mfield part, field;
	} map[] = {
		{MF_NAME_KEY, MF_NAME},	      {MF_FAMILY_KEY, MF_NAME},
		{MF_GIVEN_KEY, MF_NAME},      {MF_GIVEN_INITIAL, MF_NAME},
		{MF_PART_LO, MF_NAME},	      {MF_PART_HI, MF_NAME},
		{MF_FAMILY, MF_NAME},	      {MF_GIVEN, MF_NAME},
		{MF_BIRTH_YEAR, MF_BIRTH},    {MF_BIRTH_MD, MF_BIRTH},
		{MF_BIRTH_YM, MF_BIRTH},      {MF_MOBILE8, MF_MOBILE},
		{MF_EMAIL_LOCAL, MF_EMAIL},   {MF_VALID_ID, MF_ID},
		{MF_ID_HEAD, MF_ID},	      {MF_ID_TAIL, MF_ID},
		{MF_ADDRESS_KEY, MF_ADDRESS},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].part == part)
			return map[i].field;
	return part;
}

/* Comparisons (bits) whose m a blocking pass on key k cannot estimate. */
static uint32_t key_blinds(const struct match_rules *r, const struct mkey *k)
{
	uint32_t fields = 0, cmps = 0;

	for (unsigned i = 0; i < k->n_parts; i++)
		fields |= 1u << part_field(k->part[i]);
	if (fields & (1u << MF_NAME))
		fields |= 1u << MF_FAMILY | 1u << MF_GIVEN;
	for (unsigned i = 0; i < r->n_cmps; i++)
		if (fields & (1u << r->cmp[i].field))
			cmps |= 1u << i;
	return cmps;
}

/* m estimates of the passes, weighted by the matches each found. */
struct m_sum {
	double m[MATCH_MAX_CMPS][MATCH_MAX_LEVELS];
	double w[MATCH_MAX_CMPS];
};

/* EM over the pairs of the keys that blind exactly the comparisons in
 * blind; adds its m of the others to sum. */
static void train_pass(const struct match_rules *r, uint32_t blind,
		       const struct block_job *job, const struct cmp_ctx *ctx,
		       struct match_stats *st, struct m_sum *sum)
{
	struct match_rules *pr = xmalloc(sizeof(*pr));
	struct block_job j = *job;
	struct cmp_ctx c = *ctx;
	struct patterns p;
	double lambda = 0.1, found;

	*pr = *r;
	pr->n_keys = 0;
	for (unsigned k = 0; k < r->n_keys; k++)
		if (key_blinds(r, &r->key[k]) == blind)
			pr->key[pr->n_keys++] = r->key[k];
	j.rules = pr;
	c.rules = pr;
	blocked_patterns(&j, &c, &p, st);
	for (int i = 0; i < EM_ROUNDS; i++)
		lambda = em_step(pr, &p, lambda, blind);
	found = lambda * (double)patterns_total(&p);
	for (unsigned i = 0; i < r->n_cmps && found >= 20; i++) {
		if (blind & (1u << i))
			continue;
		for (unsigned l = 0; l < r->cmp[i].n_levels; l++)
			sum->m[i][l] += found * pr->cmp[i].m[l];
		sum->w[i] += found;
	}
	patterns_release(&p);
	free(pr);
}

/* m by EM over several independent blocking passes, as Splink does: the
 * keys are grouped by the comparisons they blind, each group's pairs give
 * m for the comparisons it does not block on, and each m is the average
 * of the passes that could see it (the built-in m when none could). */
static void train_m(struct match_rules *r, const struct block_job *job,
		    const struct cmp_ctx *ctx, struct match_stats *st)
{
	struct m_sum *sum = xcalloc(1, sizeof(*sum));
	uint32_t done[MATCH_MAX_KEYS];
	unsigned n_done = 0;

	for (unsigned k = 0; k < r->n_keys; k++) {
		uint32_t blind = key_blinds(r, &r->key[k]);
		unsigned d = 0;

		while (d < n_done && done[d] != blind)
			d++;
		if (d < n_done)
			continue;
		done[n_done++] = blind;
		train_pass(r, blind, job, ctx, st, sum);
	}
	for (unsigned i = 0; i < r->n_cmps; i++)
		for (unsigned l = 0; l < r->cmp[i].n_levels && sum->w[i] > 0;
		     l++)
			r->cmp[i].m[l] = sum->m[i][l] / sum->w[i];
	free(sum);
}

void score_train(struct match_rules *r, const struct block_job *job,
		 const struct cmp_ctx *ctx, uint32_t masters,
		 struct match_stats *st)
{
	double freq[MATCH_MAX_CMPS][MATCH_MAX_LEVELS] = {{0}};
	double total[MATCH_MAX_CMPS] = {0}, pairs_lambda = 0.1;
	struct patterns p;
	uint64_t blocked;

	random_levels(job, ctx, masters, freq, total);
	set_u(r, freq, total);
	train_m(r, job, ctx, st);
	/* The share of matches over the union of the keys: the prior. */
	blocked_patterns(job, ctx, &p, st);
	blocked = patterns_total(&p);
	for (int round = 0; round < TRAIN_ROUNDS; round++) {
		struct match_rules fixed = *r;

		for (int i = 0; i < EM_ROUNDS; i++)
			pairs_lambda = em_step(&fixed, &p, pairs_lambda, 0);
		r->per_record =
			pairs_lambda * (double)blocked *
			(job->link_only ? 1.0 : 2.0) /
			(double)(job->n - (job->link_only ? masters : 0));
	}
	patterns_release(&p);
	r->trained = true;
	model_finish(r);
}
