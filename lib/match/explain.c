/*
 * explain: why two records were or were not put in one cluster
 * (mbr-dedupe --explain A B): the blocking keys they share, each
 * comparison's level and weight, the total, and what clustering did.
 */
#include "match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "match/match_int.h"

/* The record named "source/source_id" (or "source:source_id"), or
 * UINT32_MAX. */
static uint32_t find_record(const struct match *m, const char *id)
{
	const char *sep = strchr(id, '/');

	if (!sep)
		sep = strchr(id, ':');
	if (!sep)
		return UINT32_MAX;
	for (uint32_t i = 0; i < m->n; i++) {
		struct strview s = intern_str(&m->t, m->recs[i].source);
		struct strview sid = intern_str(&m->t, m->recs[i].source_id);

		if (s.len == (size_t)(sep - id) && !memcmp(s.p, id, s.len) &&
		    sv_eqs(sid, sep + 1))
			return i;
	}
	return UINT32_MAX;
}

/* Records that have key k with hash h: the size of their block. */
static unsigned long block_size(const struct match *m, unsigned k, uint64_t h)
{
	unsigned long n = 0;

	for (uint32_t i = 0; i < m->n; i++)
		n += block_key_hash(&m->t, &m->rules->key[k], k, &m->recs[i]) ==
		     h;
	return n;
}

static void key_parts(const struct mkey *k, FILE *out)
{
	for (unsigned i = 0; i < k->n_parts; i++)
		fprintf(out, "%s%s", i ? " + " : "",
			model_field_name(k->part[i]));
}

/* One line per key the two records share, and what became of its block. */
static void explain_keys(const struct match *m, uint32_t a, uint32_t b,
			 FILE *out)
{
	const struct match_rules *r = m->rules;
	unsigned shared = 0;

	fprintf(out, "blocking keys they share:\n");
	for (unsigned k = 0; k < r->n_keys; k++) {
		const struct mkey *key = &r->key[k];
		uint64_t h = block_key_hash(&m->t, key, k, &m->recs[a]);
		unsigned long n;

		if (!h || h != block_key_hash(&m->t, key, k, &m->recs[b]))
			continue;
		n = block_size(m, k, h);
		fprintf(out, "  %-16s ", key->name);
		key_parts(key, out);
		fprintf(out, " (block of %lu records", n);
		if (key->unless >= 0 &&
		    mrec_f(&m->t, &m->recs[a], (enum mfield)key->unless) &&
		    mrec_f(&m->t, &m->recs[b], (enum mfield)key->unless))
			fprintf(out, "; both have %s: left to the others",
				model_field_name((enum mfield)key->unless));
		else if (key->max && n > key->max)
			fprintf(out, "; over this key's max %u: skipped",
				key->max);
		else if (block_windowed(r, k, n))
			fprintf(out,
				"; over this key's window %u: sorted "
				"neighbourhood, each record with the next %u",
				key->window, key->window);
		else if (m->st.key[k].status == MATCH_KEY_SKIPPED)
			fprintf(out, "; key over the pairs budget: skipped");
		else if ((unsigned long long)n * (n - 1) / 2 >
				 r->max_block_pairs ||
			 (m->st.key[k].status == MATCH_KEY_WINDOWED &&
			  n > r->capped_window + 1))
			fprintf(out, "; capped: sorted neighbourhood only");
		fprintf(out, ")\n");
		shared++;
	}
	if (!shared)
		fprintf(out, "  none: the pair is never compared\n");
}

static const char *level_label(const struct mcmp *c, unsigned level)
{
	return level == LEVEL_NULL ? "null" : model_level_names(c->kind)[level];
}

/* Each comparison's level and weight, the prior, the total. */
static double explain_weights(const struct match *m, uint32_t a, uint32_t b,
			      FILE *out)
{
	const struct match_rules *r = m->rules;
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];
	double total =
		compare_explain(&m->ctx, &m->recs[a], &m->recs[b], level, w);

	fprintf(out, "comparisons:\n  %-16s %-12s %8.2f\n", "prior", "",
		m->ctx.prior_w);
	for (unsigned i = 0; i < r->n_cmps; i++)
		fprintf(out, "  %-16s %-12s %8.2f\n", r->cmp[i].name,
			level_label(&r->cmp[i], level[i]), w[i]);
	fprintf(out, "  %-16s %-12s %8.2f\n", "sibling", "",
		compare_sibling(&m->ctx, level, w));
	fprintf(out, "  %-16s %-12s %8.2f  (probability %.6f; match at %.2f)\n",
		"total", "", total, score_probability(total),
		score_weight(r->match_p));
	return total;
}

static const char *const join_words[] = {
	[JOIN_NO] = "below the match threshold: not joined by this pair",
	[JOIN_YES] = "joined",
	[JOIN_ID] = "refused: two valid, different ID numbers",
	[JOIN_DECISION] = "refused: an analyst's no-match decision",
	[JOIN_BIRTH] = "split: the clusters' birth dates disagree and the "
		       "pair is not strong",
	[JOIN_BRIDGE] = "split: the one weak link between two groups",
};

/* What clustering did with the pair, and where the two records ended. */
static void explain_cluster(const struct match *m, uint32_t a, uint32_t b,
			    FILE *out)
{
	uint32_t x = a < b ? a : b, y = a < b ? b : a;
	const char *what = "not kept (under the pairs floor, or never "
			   "compared)";
	bool direct = false;

	for (size_t i = 0; i < m->n_pairs; i++)
		if (m->pairs[i].a == x && m->pairs[i].b == y) {
			what = join_words[m->joined[i]];
			direct = m->joined[i] == JOIN_YES;
		}
	fprintf(out, "clustering: %s\n", what);
	if (m->rep[a] != m->rep[b])
		fprintf(out, "result: two clusters (kept apart)\n");
	else
		fprintf(out, "result: one cluster%s\n",
			direct ? "" : ", through other records");
}

int match_explain(const struct match *m, const char *id_a, const char *id_b,
		  FILE *out, struct mbr_err *err)
{
	uint32_t a = find_record(m, id_a), b = find_record(m, id_b);

	if (a == UINT32_MAX || b == UINT32_MAX)
		return mbr_fail(err, MBR_ECONFIG,
				"--explain: no record '%s' (expected "
				"SOURCE/SOURCE_ID, as in cluster_id)",
				a == UINT32_MAX ? id_a : id_b);
	fprintf(out, "%s ~ %s\n", id_a, id_b);
	explain_keys(m, a, b, out);
	explain_weights(m, a, b, out);
	explain_cluster(m, a, b, out);
	if (ferror(out))
		return mbr_fail(err, MBR_EIO, "write error");
	return 0;
}
