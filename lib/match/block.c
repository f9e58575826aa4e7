/*
 * block: candidate pairs from a union of blocking keys.
 *
 * One key at a time: every record with all parts of the key gets a
 * (64-bit key hash, record) entry; the entries are radix sorted and each
 * run of equal hashes is a block. A block is counted before it is used:
 * one proposing more than max_block_pairs pairs is capped (a placeholder
 * mobile shared by 10,000 records would otherwise ask for 50 million
 * comparisons): after the keys, its records are sorted on their name, birth
 * date, mobile and ID and each is compared with the next capped_window
 * ones only (sorted neighbourhood), so 5,000 copies of one record still
 * make one cluster and different people in a placeholder block are still
 * compared where they look alike. The records of a capped block are
 * flagged and the block reported.
 *
 * The run has a budget of candidate pairs: max_pairs in all, and
 * max_pairs_per_record times the records (never less than one block's
 * max_block_pairs). A key whose blocks would take the run over it is
 * compared by sorted neighbourhood in every block (over_budget), or, when
 * even that is over, not at all (skipped); either is reported. So a
 * hostile or broken input cannot ask for more than the budget.
 *
 * Within a block every pair is visited unless an earlier key already put
 * both records in one block it compared: the pair was visited there. So
 * memory is one key's entries plus a byte per record and key, whatever
 * the number of pairs; no pair is stored. The sorted-neighbourhood pass
 * too visits a pair once without storing it: a pair belongs to the first
 * capped block that has both records within the window of each other
 * (the capped blocks' records are kept in their sorted order, so that is
 * two binary searches).
 *
 * A shard (--shard I/N) compares only the blocks whose key hash is I
 * modulo N, and the sorted-neighbourhood pairs of such capped blocks; a
 * pair stays with the first key (and capped block) that proposes it, so it
 * is scored in exactly one shard. The budget counts the other shards'
 * fresh pairs too (without scoring them), so every shard takes the
 * decisions one whole run would.
 *
 * Blocks are shared out to the comparison threads through an atomic
 * counter; each thread has its own context for what it keeps.
 */
#include "match/match_int.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* 12 bytes, not 16: two arrays of them, a record each, are blocking's
 * largest. */
struct __attribute__((packed)) entry {
	uint64_t h;
	uint32_t rec;
};

/* Runs live in the radix sort's spare array once the entries are
 * sorted: at most one per two entries, 12 bytes each. */
struct run {
	uint32_t start, n;
	bool capped; /* compared by sorted neighbourhood, after the keys */
	bool quiet;  /* ... because it is over its key's window: its records
		      * are not flagged */
};
_Static_assert(sizeof(struct run) <= 2 * sizeof(struct entry),
	       "the runs fit in the spare entries");

/* The records of capped blocks, compared by sorted neighbourhood after
 * the keys' own passes. */
struct capped {
	uint32_t *rec; /* owned: the blocks' records, block after block */
	size_t n, cap;
	struct capped_block { /* 16 bytes: there can be millions */
		uint64_t h;   /* the block's key hash: its shard */
		uint64_t at;  /* its first record in rec (CB_START bits),
				 key (top 8 bits), over the key's window
				 (CB_QUIET); it runs to the next block's */
	} * b;		      /* owned */
	size_t n_b, cap_b;
	uint8_t *mark; /* owned: one bit per record in a capped block */
	unsigned long long budget; /* pairs the run may compare */
	unsigned long long used;   /* pairs compared or planned so far */
};

#define CB_QUIET (1ull << 55)
#define CB_START (CB_QUIET - 1)

/* A capped block as used: key, records rec[start, start + n), width. */
struct cview {
	unsigned key;
	size_t start, n;
	uint64_t h;
	unsigned w; /* each record meets the next w */
};

/* The width of a capped block's sorted neighbourhood: the key's window
 * for a block over it (quiet), the rules' capped_window for one capped
 * as too dear. */
static unsigned capped_width(const struct block_job *j, unsigned key,
			     bool quiet)
{
	return quiet ? j->rules->key[key].window : j->rules->capped_window;
}

static struct cview capped_view(const struct block_job *j,
				const struct capped *c, size_t i)
{
	uint64_t at = c->b[i].at;
	size_t start = (size_t)(at & CB_START);
	size_t end =
		i + 1 < c->n_b ? (size_t)(c->b[i + 1].at & CB_START) : c->n;
	unsigned key = (unsigned)(at >> 56);

	return (struct cview){key, start, end - start, c->b[i].h,
			      capped_width(j, key, at & CB_QUIET)};
}

struct pass { /* one key's blocks, shared by the threads */
	const struct block_job *job;
	unsigned key;
	const struct entry *e;
	const struct run *runs;
	size_t n_runs;
	atomic_size_t next;
	uint8_t *kh; /* records x keys: a tag of the key hash, odd in a
		      * block compared in full, even in a capped block; 0 =
		      * not compared with this key */
	struct capped *cap;
	bool count_only;	  /* visit_run counts the fresh pairs only */
	unsigned long long other; /* --shard: fresh pairs of the other
				     shards' blocks (the budget counts them
				     as one whole run would) */
};

uint64_t block_key_hash(const struct intern *t, const struct mkey *k,
			unsigned key, const struct mrec *r)
{
	uint32_t v[MATCH_MAX_PARTS];
	uint64_t h;

	for (unsigned i = 0; i < k->n_parts; i++) {
		v[i] = mrec_f(t, r, k->part[i]);
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

	if (!j->masters)
		return (unsigned long long)n * (n - 1) / 2;
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

/* Pairs a sorted neighbourhood of window w proposes in a block of n. */
static unsigned long long window_pairs(size_t n, unsigned w)
{
	if (n <= (size_t)w + 1)
		return (unsigned long long)n * (n - 1) / 2;
	return (unsigned long long)w * n - (unsigned long long)w * (w + 1) / 2;
}

/* A block of window + 1 records has every pair within the window: it is
 * compared in full, the same pairs, without keeping its order. */
bool block_windowed(const struct match_rules *r, unsigned k, size_t n)
{
	unsigned window = r->key[k].window;

	return window && n > (size_t)window + 1 &&
	       window_pairs(n, window) <= r->max_block_pairs;
}

/* Keep the records of a capped block for the sorted neighbourhood pass
 * (the arrays grow by half: at ten million records they hold tens of
 * millions). */
static void keep_capped(struct capped *c, unsigned key, const struct entry *e,
			size_t n, bool quiet)
{
	if (c->n_b == c->cap_b) {
		c->cap_b = c->cap_b ? c->cap_b + c->cap_b / 2 : 16;
		c->b = xrealloc(c->b, c->cap_b * sizeof(*c->b));
	}
	c->b[c->n_b++] = (struct capped_block){
		e[0].h, c->n | (uint64_t)key << 56 | (quiet ? CB_QUIET : 0)};
	while (c->n + n > c->cap) {
		c->cap = c->cap ? c->cap + c->cap / 2 : 1024;
		c->rec = xrealloc(c->rec, c->cap * sizeof(*c->rec));
	}
	for (size_t i = 0; i < n; i++)
		c->rec[c->n++] = e[i].rec;
}

/* Does key k leave the pair a, b to the other keys (both records have
 * its unless field)? */
static bool left_out(const struct block_job *j, unsigned k, uint32_t a,
		     uint32_t b)
{
	int f = j->rules->key[k].unless;

	return f >= 0 && mrec_f(j->t, &j->recs[a], (enum mfield)f) &&
	       mrec_f(j->t, &j->recs[b], (enum mfield)f);
}

/* Do a and b, whose key k tags are equal, agree on every part of key k
 * (so share its block)? The tags (a byte a record and key) settle most
 * pairs; for the rest the parts are compared, the stored ones first:
 * cheaper than working out the two key hashes again, and exact. */
static bool same_key(const struct block_job *j, unsigned k, uint32_t a,
		     uint32_t b)
{
	const struct mkey *key = &j->rules->key[k];
	const struct mrec *ra = &j->recs[a], *rb = &j->recs[b];

	for (unsigned i = 0; i < key->n_parts; i++) {
		int s = mf_slot(key->part[i]);

		if (s >= 0 && ra->v[s] != rb->v[s])
			return false;
	}
	for (unsigned i = 0; i < key->n_parts; i++) {
		enum mfield f = key->part[i];

		/* The records' tags of these two say most of them differ
		 * without reading the pool. */
		if ((f == MF_MOBILE8 && ra->m8_tag != rb->m8_tag) ||
		    (f == MF_EMAIL_LOCAL && ra->local_tag != rb->local_tag))
			return false;
		if (mf_slot(f) < 0 && features_derived(j->t, ra, f) !=
					      features_derived(j->t, rb, f))
			return false;
	}
	return true;
}

/* Did an earlier key put a and b in one compared block? */
static bool seen_before(const struct pass *p, uint32_t a, uint32_t b)
{
	unsigned nk = p->job->rules->n_keys;
	const uint8_t *ha = p->kh + (size_t)a * nk;
	const uint8_t *hb = p->kh + (size_t)b * nk;

	for (unsigned k = 0; k < p->key; k++)
		if ((ha[k] & 1) && ha[k] == hb[k] &&
		    !left_out(p->job, k, a, b) && same_key(p->job, k, a, b))
			return true;
	return false;
}

#define RUN_CHUNK 64	   /* runs a comparison thread takes at once */
#define PREFETCH_RECORDS 8 /* records of a run asked for ahead */
/* Records asked for in the runs ahead of the one compared: most runs are
 * two or three records, a handful of pairs, too little work to wait out
 * one cache miss. */
#define PREFETCH_AHEAD 16

/* Ask for record rec (its features, key tags and term-frequency
 * weights) before it is compared: at 10 million records each is a cache
 * miss, and the blocks before it have time to be compared meanwhile. */
static void prefetch_rec(const struct block_job *j, const uint8_t *kh,
			 uint32_t rec)
{
	mrec_prefetch(&j->recs[rec]);
	__builtin_prefetch(kh + (size_t)rec * j->rules->n_keys);
	if (j->tf)
		__builtin_prefetch(tf_of(j->tf, rec));
}

/* Ask for the first records of a run; returns how many. */
static size_t prefetch_run(const struct pass *p, const struct run *run)
{
	const struct entry *e = p->e + run->start;
	size_t x;

	for (x = 0; x < run->n && x < PREFETCH_RECORDS; x++)
		prefetch_rec(p->job, p->kh, e[x].rec);
	return x;
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

		/* The run's first records were asked for before it. */
		if (x + PREFETCH_RECORDS < run->n)
			prefetch_rec(j, p->kh, e[x + PREFETCH_RECORDS].rec);
		for (size_t y = x + 1; y < run->n; y++) {
			uint32_t b = e[y].rec;
			bool mb = j->recs[b].flags & MR_MASTER;

			if ((ma && mb) || (j->link_only && ma == mb) ||
			    left_out(j, p->key, a, b))
				continue;
			if (p->key && seen_before(p, a, b))
				continue;
			if (!p->count_only)
				j->fn(ctx, a < b ? a : b, a < b ? b : a);
			fresh++;
		}
	}
	return fresh;
}

/* Fresh pairs of the runs not capped, counting no further than past
 * limit. */
static unsigned long long count_fresh(struct pass *p, const struct run *runs,
				      size_t n_runs, unsigned long long limit)
{
	unsigned long long fresh = 0;

	p->count_only = true;
	for (size_t i = 0; i < n_runs && fresh <= limit; i++)
		if (!runs[i].capped)
			fresh += visit_run(p, &runs[i], NULL);
	p->count_only = false;
	return fresh;
}

/* Over the budget, the key compares by sorted neighbourhood every block
 * larger than the window, or nothing when even that is too much. */
static void over_budget(const struct block_job *j, struct pass *p,
			struct run *runs, size_t n_runs,
			unsigned long long wanted, struct match_stats *st)
{
	struct match_key_stats *ks = &st->key[p->key];
	unsigned w = j->rules->capped_window;
	unsigned long long cost = 0;

	for (size_t i = 0; i < n_runs; i++) {
		if (runs[i].n > (size_t)w + 1)
			runs[i].capped = true;
		cost += window_pairs(runs[i].n,
				     capped_width(j, p->key, runs[i].quiet));
	}
	ks->wanted = wanted;
	ks->status = p->cap->used + cost > p->cap->budget ? MATCH_KEY_SKIPPED
							  : MATCH_KEY_WINDOWED;
	if (!st->over_budget++)
		st->over_budget_key = ks->name;
}

/* Cut the sorted entries into blocks of two or more: those over the
 * key's own max are dropped (their records get hash 0: this key compared
 * nothing for them), those over max_block_pairs capped. A key whose fresh
 * pairs would take the run over its budget is compared by sorted
 * neighbourhood, or skipped. Returns the blocks to compare in full; the
 * capped ones are kept for the sorted neighbourhood pass. */
static size_t find_runs(const struct block_job *j, struct pass *p,
			const struct entry *e, size_t n, struct run *runs,
			struct match_stats *st)
{
	struct match_key_stats *ks = &st->key[p->key];
	unsigned w = j->rules->capped_window;
	unsigned nk = j->rules->n_keys;
	unsigned long long full = 0, win = 0;
	size_t n_runs = 0, kept = 0;

	ks->name = j->rules->key[p->key].name;
	ks->records = n;
	for (size_t i = 0, k; i < n; i = k) {
		unsigned long long pairs;

		for (k = i + 1; k < n && e[k].h == e[i].h; k++)
			;
		pairs = block_pairs_count(j, e + i, k - i);
		if (over_max(j, p->key, k - i)) {
			ks->over_max++;
			for (size_t x = i; x < k; x++)
				p->kh[(size_t)e[x].rec * nk + p->key] = 0;
		} else if (block_windowed(j->rules, p->key, k - i)) {
			/* Before the cap: a block over the window is the
			 * window's however large (a name in a district of
			 * 20 million members), not flagged. */
			runs[n_runs++] = (struct run){
				(uint32_t)i, (uint32_t)(k - i), true, true};
			win += window_pairs(k - i,
					    j->rules->key[p->key].window);
		} else if (pairs > j->rules->max_block_pairs) {
			runs[n_runs++] = (struct run){
				(uint32_t)i, (uint32_t)(k - i), true, false};
			win += window_pairs(k - i, w);
			note_capped(st, ks, k - i);
		} else if (pairs > 0) {
			runs[n_runs++] = (struct run){
				(uint32_t)i, (uint32_t)(k - i), false, false};
			full += pairs;
		}
	}
	if (p->cap->used + win + full > p->cap->budget) {
		unsigned long long room =
			p->cap->used + win > p->cap->budget
				? 0
				: p->cap->budget - p->cap->used - win;

		if (count_fresh(p, runs, n_runs, room) > room)
			over_budget(j, p, runs, n_runs, full + win, st);
	}
	for (size_t r = 0; r < n_runs; r++) {
		const struct entry *b = e + runs[r].start;
		size_t bn = runs[r].n;
		unsigned long long pairs;

		if (ks->status == MATCH_KEY_SKIPPED || runs[r].capped) {
			bool flag = !runs[r].quiet ||
				    ks->status == MATCH_KEY_SKIPPED;

			for (size_t x = 0; x < bn; x++) {
				uint8_t *t =
					&p->kh[(size_t)b[x].rec * nk + p->key];

				/* Even: in a block compared by sorted
				 * neighbourhood (windowed_before); 0: this key
				 * compared nothing for the record. */
				*t = ks->status == MATCH_KEY_SKIPPED ? 0
				     : *t & ~1u			     ? *t & ~1u
								     : 2;
				if (flag)
					p->cap->mark[b[x].rec / 8] |=
						(uint8_t)(1u << (b[x].rec % 8));
			}
			if (ks->status == MATCH_KEY_SKIPPED)
				continue;
			pairs = window_pairs(
				bn, capped_width(j, p->key, runs[r].quiet));
			ks->window += pairs;
			ks->candidates += pairs;
			st->candidates += pairs;
			p->cap->used += pairs;
			keep_capped(p->cap, p->key, b, bn, runs[r].quiet);
			continue;
		}
		if (!block_in_shard(j, b[0].h)) {
			p->count_only = true;
			p->other += visit_run(p, &runs[r], NULL);
			p->count_only = false;
			continue;
		}
		pairs = block_pairs_count(j, b, bn);
		ks->candidates += pairs;
		st->candidates += pairs;
		ks->blocks++;
		runs[kept++] = runs[r];
	}
	return kept;
}

struct worker {
	struct pass *pass;
	void *ctx;
	unsigned long long fresh; /* pairs visited */
	bool tells;		  /* the first: tells job->progress */
};

/* Each thread takes the runs RUN_CHUNK at a time, so that it can ask for
 * the records of the runs ahead (PREFETCH_AHEAD records' worth) while it
 * compares one. */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct pass *p = w->pass;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, RUN_CHUNK)) < p->n_runs) {
		size_t end =
			i + RUN_CHUNK < p->n_runs ? i + RUN_CHUNK : p->n_runs;
		size_t ahead = i, asked = 0; /* asked: in runs [i, ahead) */

		for (; i < end; i++) {
			while (ahead < end && asked < PREFETCH_AHEAD)
				asked += prefetch_run(p, &p->runs[ahead++]);
			w->fresh += visit_run(p, &p->runs[i], w->ctx);
			if (w->tells)
				progress_tell(
					p->job->progress, i,
					progress_taken(&p->next, p->n_runs),
					p->n_runs);
			asked -= p->runs[i].n < PREFETCH_RECORDS
					 ? p->runs[i].n
					 : PREFETCH_RECORDS;
		}
	}
	return NULL;
}

unsigned block_on_threads(void *(*fn)(void *), void *arg, size_t size,
			  unsigned threads)
{
	pthread_t tid[64];
	unsigned started = 0;

	for (unsigned t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, fn, (char *)arg + t * size) ==
		    0)
			started = t;
		else
			break;
	fn(arg);
	for (unsigned t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	return started + 1;
}

/* Visit the pass's blocks on threads; returns the pairs visited. */
static unsigned long long run_threads(struct pass *p, unsigned threads,
				      void **ctx)
{
	unsigned long long fresh = 0;
	struct worker w[64];
	unsigned ran;

	for (unsigned t = 0; t < threads; t++)
		w[t] = (struct worker){p, ctx[t], 0, t == 0};
	ran = block_on_threads(work, w, sizeof(w[0]), threads);
	for (unsigned t = 0; t < ran; t++)
		fresh += w[t].fresh;
	return fresh;
}

/* Fill the entries of key k; returns how many records have the key. */
static size_t fill_key(const struct block_job *j, unsigned k, struct entry *e,
		       uint8_t *kh)
{
	const struct mkey *key = &j->rules->key[k];
	size_t n = 0;

	for (uint32_t r = 0; r < j->n; r++) {
		uint64_t h = block_key_hash(j->t, key, k, &j->recs[r]);

		/* The tag: the top 8 bits, never 0 for a record that has the
		 * key. Equal tags are then checked by same_key: a byte (not
		 * two) a record and key keeps 10 million records under 400
		 * bytes each, for a few more of those checks. */
		kh[(size_t)r * j->rules->n_keys + k] =
			h ? (uint8_t)(h >> 56) | 1 : 0;
		if (h)
			e[n++] = (struct entry){h, r};
	}
	return n;
}

/* The order of a capped block's records for the sorted neighbourhood:
 * name, birth date, mobile and ID (intern ids: equal values side by
 * side), then the record number. */
struct nb {
	uint32_t k[4];
	uint32_t rec;
};

static int nb_order(const void *pa, const void *pb)
{
	const struct nb *a = pa, *b = pb;

	for (int i = 0; i < 4; i++)
		if (a->k[i] != b->k[i])
			return a->k[i] < b->k[i] ? -1 : 1;
	return (a->rec > b->rec) - (a->rec < b->rec);
}

/* The sorted-neighbourhood place of a record. */
static struct nb nb_of(const struct block_job *j, uint32_t rec)
{
	const struct mrec *r = &j->recs[rec];

	return (struct nb){{r->v[MF_NAME_KEY], r->v[MF_BIRTH], r->v[MF_MOBILE],
			    r->v[MF_ID]},
			   rec};
}

/* Was the pair visited by a key's own pass (any key)? Only odd tags are
 * blocks compared in full. */
static bool seen_any(const struct block_job *j, const uint8_t *kh, uint32_t a,
		     uint32_t b)
{
	unsigned nk = j->rules->n_keys;

	for (unsigned k = 0; k < nk; k++) {
		uint8_t ta = kh[(size_t)a * nk + k];

		if ((ta & 1) && ta == kh[(size_t)b * nk + k] &&
		    !left_out(j, k, a, b) && same_key(j, k, a, b))
			return true;
	}
	return false;
}

#define NB_SCAN 64 /* blocks up to this many records: nb_position scans */

/* The capped blocks, their records in sorted-neighbourhood order, and
 * where each key's blocks start in c->b (a key's blocks are consecutive,
 * in the order of their hashes). */
struct window_job {
	const struct block_job *job;
	const uint8_t *kh;
	const struct capped *cap;
	size_t first[MATCH_MAX_KEYS + 1];
	atomic_size_t next;
};

/* Position of rec in capped block b: a scan of the record numbers for
 * a small block (no record read), else a binary search in its order. */
static size_t nb_position(const struct window_job *wj, const struct cview *b,
			  uint32_t rec)
{
	const uint32_t *v = wj->cap->rec + b->start;
	struct nb x;
	size_t lo = 0, hi = b->n;

	if (b->n <= NB_SCAN) {
		while (lo < hi && v[lo] != rec)
			lo++;
		return lo;
	}
	x = nb_of(wj->job, rec);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct nb m = nb_of(wj->job, v[mid]);

		if (nb_order(&m, &x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The capped block of key k whose key hash is h: its index, or n_b. The
 * hashes are spread evenly, so a few guesses in proportion find it
 * among a million blocks (a binary search reads some 20 of them, each a
 * cache miss); after a few, halving takes over. */
static size_t capped_find(const struct window_job *wj, unsigned k, uint64_t h)
{
	const struct capped_block *b = wj->cap->b;
	size_t lo = wj->first[k], hi = wj->first[k + 1];

	for (int guess = 0; lo < hi; guess++) {
		size_t mid = lo + (hi - lo) / 2;

		if (guess < 4 && hi - lo > 2 && b[lo].h < h &&
		    h < b[hi - 1].h) {
			double at = (double)(h - b[lo].h) /
				    (double)(b[hi - 1].h - b[lo].h);

			mid = lo + (size_t)(at * (double)(hi - 1 - lo));
			mid = mid < hi ? mid : hi - 1;
		}
		if (b[mid].h == h)
			return mid;
		if (b[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return wj->cap->n_b;
}

/* Did the capped block of a key before key propose a, b: both in it
 * (even, equal tags and equal key hashes) and at most the block's width
 * apart in its order? Then the pair is that block's, and no pair set is
 * needed to visit each once. */
static bool windowed_before(const struct window_job *wj, unsigned key,
			    uint32_t a, uint32_t b)
{
	const struct block_job *j = wj->job;
	unsigned nk = j->rules->n_keys;

	for (unsigned k = 0; k < key; k++) {
		uint8_t ta = wj->kh[(size_t)a * nk + k];
		struct cview cb;
		uint64_t h;
		size_t i, pa, pb;

		if (!ta || (ta & 1) || ta != wj->kh[(size_t)b * nk + k] ||
		    left_out(j, k, a, b) || !same_key(j, k, a, b))
			continue;
		h = block_key_hash(j->t, &j->rules->key[k], k, &j->recs[a]);
		i = capped_find(wj, k, h);
		if (i == wj->cap->n_b)
			continue;
		cb = capped_view(j, wj->cap, i);
		pa = nb_position(wj, &cb, a);
		pb = nb_position(wj, &cb, b);
		if ((pa > pb ? pa - pb : pb - pa) <= cb.w)
			return true;
	}
	return false;
}

/* Put each capped block's records in the sorted-neighbourhood order:
 * name, birth date, mobile and ID, then the record number. */
static void sort_capped(const struct block_job *j, struct capped *c)
{
	size_t most = 0;
	struct nb *v;

	for (size_t i = 0; i < c->n_b; i++)
		if (capped_view(j, c, i).n > most)
			most = capped_view(j, c, i).n;
	v = xmalloc((most + 1) * sizeof(*v));
	for (size_t i = 0; i < c->n_b; i++) {
		struct cview b = capped_view(j, c, i);
		uint32_t *rec = c->rec + b.start;

		for (size_t x = 0; x < b.n; x++) {
			/* The blocks lie end to end: ask ahead across them. */
			if (b.start + x + PREFETCH_AHEAD < c->n)
				__builtin_prefetch(
					&j->recs[rec[x + PREFETCH_AHEAD]].v);
			v[x] = nb_of(j, rec[x]);
		}
		xqsort(v, b.n, sizeof(*v), nb_order);
		for (size_t x = 0; x < b.n; x++)
			rec[x] = v[x].rec;
	}
	free(v);
}

struct window_worker {
	struct window_job *wj;
	void *ctx;
	unsigned long long fresh[MATCH_MAX_KEYS];
	bool tells; /* the first: tells job->progress */
};

/* Ask for the first records of capped block i; returns how many. */
static size_t prefetch_block(const struct window_job *wj, size_t i)
{
	struct cview b = capped_view(wj->job, wj->cap, i);
	size_t x;

	for (x = 0; x < b.n && x < PREFETCH_RECORDS; x++)
		prefetch_rec(wj->job, wj->kh, wj->cap->rec[b.start + x]);
	return x;
}

/* The window pairs of capped block i not proposed before. */
static void window_block(struct window_worker *ww, size_t i)
{
	const struct window_job *wj = ww->wj;
	const struct block_job *j = wj->job;
	struct cview cb = capped_view(j, wj->cap, i);
	const struct cview *b = &cb;
	const uint32_t *rec = wj->cap->rec + b->start;

	for (size_t x = 0; x < b->n; x++) {
		uint32_t a = rec[x];
		bool ma = j->recs[a].flags & MR_MASTER;

		/* The block's first records were asked for before it. */
		if (x + PREFETCH_RECORDS < b->n)
			prefetch_rec(j, wj->kh, rec[x + PREFETCH_RECORDS]);
		for (size_t y = x + 1; y < b->n && y <= x + b->w; y++) {
			uint32_t bb = rec[y];
			bool mb = j->recs[bb].flags & MR_MASTER;

			if ((ma && mb) || (j->link_only && ma == mb) ||
			    left_out(j, b->key, a, bb) ||
			    seen_any(j, wj->kh, a, bb) ||
			    windowed_before(wj, b->key, a, bb) ||
			    !block_in_shard(j, b->h))
				continue;
			j->fn(ww->ctx, a < bb ? a : bb, a < bb ? bb : a);
			ww->fresh[b->key]++;
		}
	}
}

/* Compare each record of the capped blocks with the next ones of its
 * window in their order, each pair once (by the first capped block that
 * proposes it) and never one a key's own pass visited; the blocks
 * RUN_CHUNK at a time, asking for the records of the blocks ahead
 * meanwhile. */
static void *window_work(void *arg)
{
	struct window_worker *ww = arg;
	const struct window_job *wj = ww->wj;
	size_t i, n_b = wj->cap->n_b;

	while ((i = atomic_fetch_add(&ww->wj->next, RUN_CHUNK)) < n_b) {
		size_t end = i + RUN_CHUNK < n_b ? i + RUN_CHUNK : n_b;
		size_t ahead = i, asked = 0; /* asked: in blocks [i, ahead) */

		for (; i < end; i++) {
			size_t n = capped_view(wj->job, wj->cap, i).n;

			while (ahead < end && asked < PREFETCH_AHEAD)
				asked += prefetch_block(wj, ahead++);
			window_block(ww, i);
			if (ww->tells)
				progress_tell(
					wj->job->progress, i,
					progress_taken(&ww->wj->next, n_b),
					n_b);
			asked -= n < PREFETCH_RECORDS ? n : PREFETCH_RECORDS;
		}
	}
	return NULL;
}

/* The sorted-neighbourhood pass over the capped blocks, on threads. */
static void window_pass(const struct block_job *j, const uint8_t *kh,
			struct capped *c, unsigned threads, void **ctx,
			struct match_stats *st)
{
	struct window_job wj = {.job = j, .kh = kh, .cap = c};
	struct window_worker *ww = xcalloc(threads, sizeof(*ww));
	unsigned ran;

	sort_capped(j, c);
	for (unsigned k = 0, i = 0; k <= j->rules->n_keys; k++) {
		while (i < c->n_b && c->b[i].at >> 56 < k)
			i++;
		wj.first[k] = i;
	}
	atomic_init(&wj.next, 0);
	for (unsigned t = 0; t < threads; t++)
		ww[t] = (struct window_worker){
			.wj = &wj, .ctx = ctx[t], .tells = t == 0};
	if (j->progress)
		j->progress->what =
			j->step ? "training, windows" : "comparing, windows";
	ran = block_on_threads(window_work, ww, sizeof(ww[0]), threads);
	progress_tell(j->progress, 0, c->n_b, c->n_b);
	for (unsigned t = 0; t < ran; t++)
		for (unsigned k = 0; k < j->rules->n_keys; k++)
			st->key[k].fresh += ww[t].fresh[k];
	free(ww);
}

static unsigned long long run_budget(const struct match_rules *r, uint32_t n)
{
	unsigned long long b = r->max_pairs_per_record * n;

	if (r->max_pairs_per_record && b / r->max_pairs_per_record != n)
		b = ULLONG_MAX;
	if (b < r->max_block_pairs)
		b = r->max_block_pairs;
	if (r->max_pairs && b > r->max_pairs)
		b = r->max_pairs;
	return b;
}

void block_run(const struct block_job *j, void **ctx, struct match_stats *st)
{
	unsigned nk = j->rules->n_keys;
	uint8_t *kh = xcalloc((size_t)j->n * nk + 1, sizeof(*kh));
	struct entry *e = xmalloc(((size_t)j->n + 1) * sizeof(*e));
	void *spare = xmalloc(((size_t)j->n + 1) * sizeof(struct entry));
	struct entry *tmp = spare; /* the radix sort's, then the runs' */
	struct run *runs = spare;
	unsigned threads = j->threads ? j->threads : 1;
	struct capped cap = {0};
	char what[48];

	cap.mark = xcalloc((size_t)j->n / 8 + 1, 1);
	cap.budget = run_budget(j->rules, j->n);
	st->budget = cap.budget;
	if (threads > 64)
		threads = 64;
	for (unsigned k = 0; k < nk; k++) {
		struct pass p = {.job = j,
				 .key = k,
				 .e = e,
				 .runs = runs,
				 .kh = kh,
				 .cap = &cap};
		size_t n = fill_key(j, k, e, kh);

		radix_sort(e, tmp, n);
		st->n_keys = k + 1;
		snprintf(what, sizeof(what), "%s, key %u of %u",
			 j->step ? j->step : "comparing", k + 1, nk);
		if (j->progress)
			j->progress->what = what;
		p.n_runs = find_runs(j, &p, e, n, runs, st);
		atomic_init(&p.next, 0);
		st->key[k].fresh = run_threads(&p, threads, ctx);
		progress_tell(j->progress, 0, p.n_runs, p.n_runs);
		cap.used += st->key[k].fresh + p.other;
	}
	free(spare);
	free(e);
	if (cap.n_b)
		window_pass(j, kh, &cap, threads, ctx, st);
	for (size_t i = 0; i < (size_t)j->n / 8 + 1; i++)
		st->capped_records +=
			(unsigned long)__builtin_popcount(cap.mark[i]);
	free(cap.mark);
	free(cap.rec);
	free(cap.b);
	free(kh);
	if (j->progress)
		j->progress->what = NULL; /* was this frame's */
}
