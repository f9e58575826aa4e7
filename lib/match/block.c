/*
 * block: candidate pairs from a union of blocking keys.
 *
 * One key at a time: every record with all parts of the key gets a
 * (64-bit key hash, record) entry; the entries are radix sorted and each
 * run of equal hashes is a block. A block is counted before it is used:
 * one proposing more than max_block_pairs pairs is skipped and reported
 * (a placeholder mobile shared by 10,000 records would otherwise ask for
 * 50 million comparisons). Within a block every pair is visited unless an
 * earlier key already put both records in one block it compared: the
 * pair was visited there. So memory is one key's entries plus 32 bits
 * per record and key, whatever the number of pairs; no pair is stored.
 *
 * Blocks are shared out to the comparison threads through an atomic
 * counter; each thread has its own context for what it keeps.
 */
#include "match/match_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	uint64_t h;
	uint32_t rec;
};

struct run {
	size_t start, n;
};

struct pass { /* one key's blocks, shared by the threads */
	const struct block_job *job;
	unsigned key;
	const struct entry *e;
	const struct run *runs;
	size_t n_runs;
	atomic_size_t next;
	uint32_t *kh; /* records x keys: high half of the key hash, 0 = not
		       * compared with this key */
};

uint64_t block_key_hash(const struct mkey *k, unsigned key,
			const struct mrec *r)
{
	uint32_t v[MATCH_MAX_PARTS];
	uint64_t h;

	for (unsigned i = 0; i < k->n_parts; i++) {
		v[i] = r->f[k->part[i]];
		/* A birth_date part takes full dates only: a year alone
		 * would make a block of a whole year. */
		if (!v[i] || (k->part[i] == MF_BIRTH &&
			      !compare_date_is_full((int32_t)v[i])))
			return 0;
	}
	h = intern_hash(v, k->n_parts * sizeof(v[0]), key + 1);
	return h ? h : 1;
}

static void sort_run(struct entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct entry x = e[i];
		size_t j = i;

		for (; j > 0 && e[j - 1].h > x.h; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/* Sort by h: LSD radix on its high 32 bits (two passes of 16), then
 * insertion sort inside each run of equal high halves, which are short:
 * only equal keys and rare collisions share them. */
static void radix_sort(struct entry *e, struct entry *tmp, size_t n)
{
	size_t *count = xmalloc(65536 * sizeof(*count));

	for (unsigned shift = 32; shift < 64; shift += 16) {
		size_t sum = 0;

		memset(count, 0, 65536 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(e[i].h >> shift) & 0xFFFF]++;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(e[i].h >> shift) & 0xFFFF]++] = e[i];
		memcpy(e, tmp, n * sizeof(*e));
	}
	free(count);
	for (size_t i = 0, k; i < n; i = k) {
		for (k = i + 1; k < n && e[k].h >> 32 == e[i].h >> 32; k++)
			;
		if (k - i > 1)
			sort_run(e + i, k - i);
	}
}

/* Pairs a block proposes: all pairs, less master x master; in link-only
 * mode new x master only. */
static unsigned long long block_pairs_count(const struct block_job *j,
					    const struct entry *e, size_t n)
{
	unsigned long long masters = 0, news;

	for (size_t i = 0; i < n; i++)
		masters += (j->recs[e[i].rec].flags & MR_MASTER) != 0;
	news = n - masters;
	if (j->link_only)
		return news * masters;
	return news * (news - 1) / 2 + news * masters;
}

static void note_capped(struct match_stats *st, struct match_key_stats *ks,
			size_t n)
{
	if (st->capped < MATCH_MAX_CAPPED) {
		st->capped_first[st->capped].key = ks->name;
		st->capped_first[st->capped].records = n;
	}
	st->capped++;
	ks->skipped++;
}

/* Is a block of n records over key k's own limit? Such a block holds a
 * common value (a surname alone, a name with a birth month and day): its
 * pairs are the business of the finer keys. */
static bool over_max(const struct block_job *j, unsigned k, size_t n)
{
	unsigned max = j->rules->key[k].max;

	return max && n > max;
}

/* Cut the sorted entries into runs of two or more; drop oversized ones
 * (their records get hash 0: this key compared nothing for them). */
static size_t find_runs(const struct block_job *j, struct pass *p,
			const struct entry *e, size_t n, struct run *runs,
			struct match_stats *st)
{
	struct match_key_stats *ks = &st->key[p->key];
	size_t n_runs = 0, i = 0;

	ks->name = j->rules->key[p->key].name;
	ks->records = n;
	while (i < n) {
		size_t k = i + 1;
		unsigned long long pairs;

		while (k < n && e[k].h == e[i].h)
			k++;
		pairs = block_pairs_count(j, e + i, k - i);
		if (over_max(j, p->key, k - i) ||
		    pairs > j->rules->max_block_pairs) {
			if (over_max(j, p->key, k - i))
				ks->over_max++;
			else
				note_capped(st, ks, k - i);
			for (size_t x = i; x < k; x++)
				p->kh[(size_t)e[x].rec * j->rules->n_keys +
				      p->key] = 0;
		} else if (pairs > 0 && block_in_shard(j, e[i].h)) {
			st->candidates += pairs;
			ks->candidates += pairs;
			ks->blocks++;
			runs[n_runs].start = i;
			runs[n_runs++].n = k - i;
		}
		i = k;
	}
	return n_runs;
}

/* Does key k leave the pair a, b to the other keys (both records have
 * its unless field)? */
static bool left_out(const struct block_job *j, unsigned k, uint32_t a,
		     uint32_t b)
{
	int f = j->rules->key[k].unless;

	return f >= 0 && j->recs[a].f[f] && j->recs[b].f[f];
}

/* Did an earlier key put a and b in one compared block? */
static bool seen_before(const struct pass *p, uint32_t a, uint32_t b)
{
	unsigned nk = p->job->rules->n_keys;
	const uint32_t *ha = p->kh + (size_t)a * nk;
	const uint32_t *hb = p->kh + (size_t)b * nk;

	for (unsigned k = 0; k < p->key; k++)
		if (ha[k] && ha[k] == hb[k] && !left_out(p->job, k, a, b))
			return true;
	return false;
}

/* Visit the pairs of one block not visited before; returns how many. */
static unsigned long long visit_run(const struct pass *p, const struct run *run,
				    void *ctx)
{
	unsigned long long fresh = 0;
	const struct block_job *j = p->job;
	const struct entry *e = p->e + run->start;

	for (size_t x = 0; x < run->n; x++) {
		uint32_t a = e[x].rec;
		bool ma = j->recs[a].flags & MR_MASTER;

		for (size_t y = x + 1; y < run->n; y++) {
			uint32_t b = e[y].rec;
			bool mb = j->recs[b].flags & MR_MASTER;

			if ((ma && mb) || (j->link_only && ma == mb) ||
			    left_out(j, p->key, a, b))
				continue;
			if (p->key && seen_before(p, a, b))
				continue;
			j->fn(ctx, a < b ? a : b, a < b ? b : a);
			fresh++;
		}
	}
	return fresh;
}

struct worker {
	struct pass *pass;
	void *ctx;
	unsigned long long fresh; /* pairs visited */
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pass *p = w->pass;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n_runs)
		w->fresh += visit_run(p, &p->runs[i], w->ctx);
	return NULL;
}

/* Visit the pass's blocks on threads; returns the pairs visited. */
static unsigned long long run_threads(struct pass *p, unsigned threads,
				      void **ctx)
{
	unsigned long long fresh = 0;
	pthread_t tid[64];
	struct worker w[64];
	unsigned started = 0;

	for (unsigned t = 0; t < threads; t++)
		w[t] = (struct worker){p, ctx[t], 0};
	for (unsigned t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, work, &w[t]) == 0)
			started = t;
		else
			break;
	work(&w[0]);
	for (unsigned t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	for (unsigned t = 0; t <= started; t++)
		fresh += w[t].fresh;
	return fresh;
}

/* Fill the entries of key k; returns how many records have the key. */
static size_t fill_key(const struct block_job *j, unsigned k, struct entry *e,
		       uint32_t *kh)
{
	const struct mkey *key = &j->rules->key[k];
	size_t n = 0;

	for (uint32_t r = 0; r < j->n; r++) {
		uint64_t h = block_key_hash(key, k, &j->recs[r]);

		/* The high half, never 0 for a record that has the key: an
		 * earlier key "saw" a pair when both halves are equal, which
		 * for two different keys happens once in 4 billion. */
		kh[(size_t)r * j->rules->n_keys + k] =
			h ? (uint32_t)(h >> 32) | 1 : 0;
		if (h)
			e[n++] = (struct entry){h, r};
	}
	return n;
}

void block_run(const struct block_job *j, void **ctx, struct match_stats *st)
{
	unsigned nk = j->rules->n_keys;
	uint32_t *kh = xcalloc((size_t)j->n * nk + 1, sizeof(*kh));
	struct entry *e = xmalloc(((size_t)j->n + 1) * sizeof(*e));
	struct entry *tmp = xmalloc(((size_t)j->n + 1) * sizeof(*tmp));
	struct run *runs = xmalloc(((size_t)j->n / 2 + 1) * sizeof(*runs));
	unsigned threads = j->threads ? j->threads : 1;

	if (threads > 64)
		threads = 64;
	for (unsigned k = 0; k < nk; k++) {
		struct pass p = {
			.job = j, .key = k, .e = e, .runs = runs, .kh = kh};
		size_t n = fill_key(j, k, e, kh);

		radix_sort(e, tmp, n);
		st->n_keys = k + 1;
		p.n_runs = find_runs(j, &p, e, n, runs, st);
		atomic_init(&p.next, 0);
		st->key[k].fresh = run_threads(&p, threads, ctx);
	}
	free(runs);
	free(tmp);
	free(e);
	free(kh);
}
