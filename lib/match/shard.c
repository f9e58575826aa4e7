/*
 * shard: one dedupe run split across machines.
 *
 * mbr-dedupe --shard I/N --pairs-only reads all the records (features,
 * term frequencies and the prior need them all) but compares only the
 * pairs of the blocks whose key hash is I modulo N. Blocking visits a
 * pair in the first key that proposes it, so each pair is scored in
 * exactly one shard, with the weight a single run gives it. The shard
 * writes its pairs before any refinement:
 *
 *   a_record,b_record,match_weight,a_source,a_source_id,b_source,
 *   b_source_id,"mbr-pairs 1 shard I/N records R masters M fingerprint F
 *   candidates C compared P flagged K"
 *
 * one row per pair (record numbers in input order, the weight as the
 * float it is: %.9g reads back to the same float), the last column
 * empty. Its header names what the file was made from: the shard, the
 * record counts and a fingerprint of the rules, flags and records; and
 * the records of capped blocks (K, the same in every shard), which the
 * cluster step flags as one run would.
 *
 * --from-pairs reads the files of all N shards (each once) of the same
 * records and rules in place of blocking and scoring; sorted strongest
 * first, their union is the array a single run holds, so the refinement,
 * the clusters and every output are the same, byte for byte.
 */
#include "match.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "match/match_int.h"

#define PAIRS_MAGIC "mbr-pairs 1"
#define PAIRS_COLS 8 /* the seven named columns and the header column */

static const char *const pair_cols[PAIRS_COLS - 1] = {
	"a_record",    "b_record", "match_weight", "a_source",
	"a_source_id", "b_source", "b_source_id",
};

static uint64_t hash_sv(struct strview v, uint64_t h)
{
	return intern_hash(v.p, v.len, h ^ v.len);
}

#define HASH(h, v) intern_hash(&(v), sizeof(v), h)

static uint64_t hash_str(const char *s, uint64_t h)
{
	return hash_sv(svn(s, strlen(s)), h);
}

/* Field by field (not the struct's bytes: padding and the thread count
 * do not change what a run gives). */
static uint64_t hash_rules(const struct match_rules *r, uint64_t h)
{
	for (unsigned i = 0; i < r->n_extra; i++)
		h = hash_str(r->extra[i], h);
	for (unsigned i = 0; i < r->n_keys; i++) {
		const struct mkey *k = &r->key[i];

		h = hash_str(k->name, h);
		for (unsigned p = 0; p < k->n_parts; p++)
			h = HASH(h, k->part[p]);
		h = HASH(h, k->n_parts);
		h = HASH(h, k->unless);
		h = HASH(h, k->max);
		if (k->window) /* (fingerprints of rules without it kept) */
			h = HASH(h, k->window);
	}
	for (unsigned i = 0; i < r->n_cmps; i++) {
		const struct mcmp *c = &r->cmp[i];

		h = hash_str(c->name, h);
		h = HASH(h, c->field);
		h = HASH(h, c->kind);
		h = HASH(h, c->arg);
		h = HASH(h, c->n_levels);
		h = HASH(h, c->tf);
		h = HASH(h, c->group);
		h = HASH(h, c->within);
		h = HASH(h, c->m);
		h = HASH(h, c->u);
	}
	for (unsigned i = 0; i < r->n_groups; i++)
		h = hash_str(r->group[i], h);
	h = HASH(h, r->match_p);
	h = HASH(h, r->review_p);
	h = HASH(h, r->floor_p);
	h = HASH(h, r->strong_p);
	h = HASH(h, r->coherence);
	h = HASH(h, r->bridges);
	h = HASH(h, r->per_record);
	h = HASH(h, r->prior_auto);
	h = HASH(h, r->calibrate);
	h = HASH(h, r->tf_min);
	h = HASH(h, r->max_block_pairs);
	h = HASH(h, r->never_id);
	h = HASH(h, r->siblings);
	return HASH(h, r->trained);
}

uint64_t shard_fingerprint(const struct match *m)
{
	uint64_t h = hash_rules(m->rules, (uint64_t)m->flags + 1);

	h = HASH(h, m->n);
	h = HASH(h, m->masters);
	for (uint32_t i = 0; i < m->n; i++) {
		const struct mrec *x = &m->recs[i];
		uint32_t f[MF_COUNT]; /* every field, derived ones too */
		uint8_t flags = x->flags & (uint8_t)~MR_VALID;

		h = hash_sv(intern_str(&m->t, x->source), h);
		h = hash_sv(intern_str(&m->t, x->source_id), h);
		h = hash_sv(intern_str(&m->t, x->master_id), h);
		for (int k = 0; k < MF_COUNT; k++)
			f[k] = mrec_f(&m->t, x, (enum mfield)k);
		h = HASH(h, f);
		h = HASH(h, x->py);
		h = HASH(h, x->snd);
		h = HASH(h, x->addr_sig);
		h = HASH(h, flags);
	}
	return h;
}

void match_set_shard(struct match *m, unsigned shard, unsigned shards)
{
	m->shard = shard;
	m->shards = shards;
}

static int flush(FILE *out, struct buf *b, struct mbr_err *err)
{
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
		return mbr_fail(err, MBR_EIO, "write error");
	buf_reset(b);
	return 0;
}

int match_write_shard(const struct match *m, FILE *out, struct mbr_err *err)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, BUF_NOLIMIT);
	buf_adds(&b, "a_record,b_record,match_weight,a_source,a_source_id,"
		     "b_source,b_source_id,");
	buf_addf(&b,
		 "\"" PAIRS_MAGIC " shard %u/%u records %" PRIu32
		 " masters %" PRIu32 " fingerprint %016" PRIx64
		 " candidates %llu compared %llu flagged %lu\"\n",
		 m->shard, m->shards, m->n, m->masters, m->fingerprint,
		 m->st.candidates, m->st.compared, m->st.capped_records);
	for (size_t i = 0; i < m->n_pairs; i++) {
		const struct mpair *p = &m->pairs[i];
		const struct mrec *a = &m->recs[p->a], *c = &m->recs[p->b];

		buf_addf(&b, "%" PRIu32 ",%" PRIu32 ",%.9g,", p->a, p->b,
			 (double)p->w);
		csvio_quote(&b, intern_str(&m->t, a->source), ',');
		buf_addc(&b, ',');
		csvio_quote(&b, intern_str(&m->t, a->source_id), ',');
		buf_addc(&b, ',');
		csvio_quote(&b, intern_str(&m->t, c->source), ',');
		buf_addc(&b, ',');
		csvio_quote(&b, intern_str(&m->t, c->source_id), ',');
		buf_adds(&b, ",\n");
		if (b.len > (1 << 16) && flush(out, &b, err) < 0)
			goto out;
	}
	rc = flush(out, &b, err);
out:
	buf_release(&b);
	return rc;
}

/* What a pairs file's header says it was made from. */
struct pairs_meta {
	unsigned shard, shards;
	uint32_t records, masters;
	uint64_t fingerprint;
	unsigned long long candidates, compared;
	unsigned long flagged; /* records of capped blocks (every shard
				  finds them all) */
};

static int read_meta(const struct header *h, const char *path,
		     struct pairs_meta *pm, struct mbr_err *err)
{
	struct strview v;
	int end = -1;

	for (size_t i = 0; i < PAIRS_COLS - 1; i++)
		if (header_count(h) != PAIRS_COLS ||
		    !sv_eqs(record_field(&h->names, i), pair_cols[i]))
			return mbr_fail(err, MBR_ECONFIG,
					"%s: not a pairs file of mbr-dedupe "
					"--pairs-only (expected the columns "
					"a_record, b_record, match_weight, "
					"a_source, a_source_id, b_source, "
					"b_source_id and its header column)",
					path);
	v = record_field(&h->names, PAIRS_COLS - 1);
	if (sscanf(v.p,
		   PAIRS_MAGIC " shard %u/%u records %" SCNu32
			       " masters %" SCNu32 " fingerprint %16" SCNx64
			       " candidates %llu compared %llu flagged %lu%n",
		   &pm->shard, &pm->shards, &pm->records, &pm->masters,
		   &pm->fingerprint, &pm->candidates, &pm->compared,
		   &pm->flagged, &end) != 8 ||
	    end < 0 || (size_t)end != v.len || pm->shards < 1 ||
	    pm->shard >= pm->shards)
		return mbr_fail(err, MBR_ECONFIG,
				"%s: unreadable pairs file header (expected "
				"\"" PAIRS_MAGIC
				" shard I/N records R masters M "
				"fingerprint F candidates C compared P "
				"flagged K\")",
				path);
	return 0;
}

/* Is this pairs file one of the run m is? */
static int check_meta(const struct match *m, const struct pairs_meta *pm,
		      const char *path, struct mbr_err *err)
{
	if (pm->records != m->n || pm->masters != m->masters)
		return mbr_fail(err, MBR_ECONFIG,
				"%s: made from %" PRIu32 " records (%" PRIu32
				" masters), not these %" PRIu32 " (%" PRIu32
				"): give --from-pairs the records and "
				"--against files the shards read",
				path, pm->records, pm->masters, m->n,
				m->masters);
	if (pm->fingerprint != m->fingerprint)
		return mbr_fail(
			err, MBR_ECONFIG,
			"%s: made from other records or other rules "
			"(fingerprint %016" PRIx64 ", these give %016" PRIx64
			"): run the shards and --from-pairs on the same "
			"records with the same --rules, --model and "
			"--against",
			path, pm->fingerprint, m->fingerprint);
	return 0;
}

static int parse_u32(struct strview v, uint32_t *out)
{
	char *end;
	unsigned long x;

	if (v.len == 0 || v.p[0] < '0' || v.p[0] > '9')
		return -1;
	errno = 0;
	x = strtoul(v.p, &end, 10);
	if (errno || end != v.p + v.len || x > UINT32_MAX)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static void add_pair(struct match *m, size_t *cap, struct mpair p)
{
	if (m->n_pairs == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		m->pairs = xrealloc(m->pairs, *cap * sizeof(*m->pairs));
	}
	m->pairs[m->n_pairs++] = p;
}

/* One row: two record numbers of this run, a < b, naming the records
 * they name here, and a finite weight. */
static int read_pair(struct match *m, const struct record *rec,
		     const char *path, struct mpair *p, struct mbr_err *err)
{
	struct strview w = record_field(rec, 2);
	const uint32_t *ab[2] = {&p->a, &p->b};
	char *end;

	for (int i = 0; i < 2; i++)
		if (parse_u32(record_field(rec, (size_t)i), (uint32_t *)ab[i]) <
			    0 ||
		    *ab[i] >= m->n)
			return mbr_fail(err, MBR_ECONFIG,
					"%s: row %lu: %s is not a record "
					"number below %" PRIu32,
					path, rec->row, pair_cols[i], m->n);
	errno = 0;
	p->w = w.len ? strtof(w.p, &end) : NAN;
	if (!w.len || errno || end != w.p + w.len || !isfinite(p->w))
		return mbr_fail(err, MBR_ECONFIG,
				"%s: row %lu: match_weight '%.*s' is not a "
				"number",
				path, rec->row, (int)(w.len > 32 ? 32 : w.len),
				w.p);
	if (p->a >= p->b)
		return mbr_fail(err, MBR_ECONFIG,
				"%s: row %lu: a_record must be below b_record",
				path, rec->row);
	for (int i = 0; i < 2; i++) {
		const struct mrec *x = &m->recs[*ab[i]];

		if (!sv_eq(intern_str(&m->t, x->source),
			   record_field(rec, 3 + 2 * (size_t)i)) ||
		    !sv_eq(intern_str(&m->t, x->source_id),
			   record_field(rec, 4 + 2 * (size_t)i)))
			return mbr_fail(err, MBR_ECONFIG,
					"%s: row %lu: record %" PRIu32
					" is another source/source_id in "
					"these records",
					path, rec->row, *ab[i]);
	}
	return 0;
}

/* Read the pairs file at path into m, telling m's progress what, with
 * the bytes read of the file's. */
static int read_file(struct match *m, const char *path, const char *what,
		     struct pairs_meta *pm, size_t *cap, struct mbr_err *err)
{
	struct csvio_opts co = CSVIO_OPTS_INIT;
	struct csvio_reader *r;
	struct record rec;
	enum csvio_status s;
	struct progress reading = m->progress;
	size_t i = 0;
	int rc = -1;

	reading.what = what;
	co.flags |= CSVIO_STRICT;
	if (!(r = csvio_open(&path, 1, &co, err)))
		return -1;
	record_init(&rec);
	if (read_meta(csvio_header(r), path, pm, err) < 0 ||
	    check_meta(m, pm, path, err) < 0)
		goto out;
	while ((s = csvio_read(r, &rec, err)) == CSVIO_ROW) {
		struct mpair p;
		unsigned long long done, total;

		if (read_pair(m, &rec, path, &p, err) < 0)
			goto out;
		add_pair(m, cap, p);
		if (i++ % PROGRESS_EVERY == 0) { /* bytes of this file */
			csvio_progress(r, &done, &total);
			progress_tell(&reading, 0, done, total);
		}
	}
	if (s != CSVIO_EOF) {
		if (s == CSVIO_BAD)
			mbr_fail(err, MBR_ECONFIG, "%s: row %lu: %s", path,
				 csvio_bad_row(r), csvio_bad_reason(r));
		goto out;
	}
	rc = 0;
out:
	record_release(&rec);
	csvio_close(r);
	return rc;
}

int match_load_pairs(struct match *m, const char *const *paths, size_t n,
		     struct mbr_err *err)
{
	struct pairs_meta pm;
	unsigned shards = 0;
	const char **seen = NULL;
	size_t cap = m->n_pairs;
	int rc = -1;

	m->fingerprint = shard_fingerprint(m);
	m->from_pairs = true;
	for (size_t i = 0; i < n; i++) {
		char what[96];

		snprintf(what, sizeof(what),
			 "reading pairs file %zu of %zu, bytes", i + 1, n);
		if (read_file(m, paths[i], what, &pm, &cap, err) < 0)
			goto out;
		if (!seen) {
			shards = pm.shards;
			seen = xcalloc(shards, sizeof(*seen));
		}
		if (pm.shards != shards) {
			mbr_fail(err, MBR_ECONFIG,
				 "%s is shard %u/%u, %s one of %u shards",
				 paths[i], pm.shard, pm.shards, paths[0],
				 shards);
			goto out;
		}
		if (seen[pm.shard]) {
			mbr_fail(err, MBR_ECONFIG,
				 "%s and %s are both shard %u/%u",
				 seen[pm.shard], paths[i], pm.shard, shards);
			goto out;
		}
		seen[pm.shard] = paths[i];
		m->st.candidates += pm.candidates;
		m->st.compared += pm.compared;
		/* flagged as one run flags them; no warnings (the shards
		 * gave them) */
		m->st.capped_records = pm.flagged;
	}
	for (unsigned s = 0; s < shards; s++)
		if (!seen[s]) {
			mbr_fail(err, MBR_ECONFIG,
				 "--from-pairs: shard %u/%u is missing (give "
				 "the pairs files of all %u shards)",
				 s, shards, shards);
			goto out;
		}
	rc = 0;
out:
	free(seen);
	return rc;
}
