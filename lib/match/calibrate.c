/*
 * calibrate: m from the data, without labels, for the default run.
 *
 * The built-in m (how often the same person's two records agree at each
 * level) suit member data as mbr-normalize leaves it; a source whose
 * birth dates or names are typed much worse (or better) than that needs
 * other numbers. The pairs whose other comparisons alone are strong
 * evidence (their weight less comparison k's at least the strong
 * threshold) are as good as labelled matches for comparison k, and
 * independent of it: the share of each level of k among them estimates
 * k's m. Each estimate is shrunk towards the built-in m (as if it had
 * CALIBRATE_PRIOR pairs more) and made only from CALIBRATE_MIN pairs
 * or more; u stays (it is about different people, who are most pairs).
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

#define CALIBRATE_MIN 100  /* strong pairs needed to estimate one m */
#define CALIBRATE_PRIOR 50 /* weight of the built-in m, in pairs */

/* One thread's counts: of each level of each comparison, among the
 * pairs that are strong without it. */
struct level_count {
	const struct cmp_ctx *c;
	double strong_w;
	double count[MATCH_MAX_CMPS][MATCH_MAX_LEVELS];
	double total[MATCH_MAX_CMPS];
};

static void count_levels(void *arg, const struct mpair *p, size_t i)
{
	struct level_count *lc = arg;
	const struct cmp_ctx *c = lc->c;
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];
	double sum =
		compare_explain(c, &c->recs[p->a], &c->recs[p->b], level, w);

	(void)i;
	if (sum < lc->strong_w)
		return; /* w[k] >= 0 cannot make it strong */
	for (unsigned k = 0; k < c->rules->n_cmps; k++) {
		if (level[k] == LEVEL_NULL || sum - w[k] < lc->strong_w)
			continue;
		lc->count[k][level[k]]++;
		lc->total[k]++;
	}
}

unsigned calibrate_m(struct match_rules *r, const struct cmp_ctx *c,
		     const struct mpair *p, size_t n)
{
	double count[MATCH_MAX_CMPS][MATCH_MAX_LEVELS];
	double total[MATCH_MAX_CMPS] = {0};
	struct level_count *lc = xcalloc(64, sizeof(*lc)); /* a thread's */
	unsigned changed = 0;

	for (unsigned t = 0; t < 64; t++) {
		lc[t].c = c;
		lc[t].strong_w = score_weight(r->strong_p);
	}
	pairs_run(c, p, n, r->threads, count_levels, lc, sizeof(*lc),
		  "calibrating");
	/* Whole numbers: the sums are the same in any order. */
	memset(count, 0, sizeof(count));
	for (unsigned t = 0; t < 64; t++)
		for (unsigned k = 0; k < r->n_cmps; k++) {
			for (unsigned l = 0; l < MATCH_MAX_LEVELS; l++)
				count[k][l] += lc[t].count[k][l];
			total[k] += lc[t].total[k];
		}
	free(lc);
	for (unsigned k = 0; k < r->n_cmps; k++) {
		struct mcmp *m = &r->cmp[k];

		if (total[k] < CALIBRATE_MIN)
			continue;
		for (unsigned l = 0; l < m->n_levels; l++)
			m->m[l] = (count[k][l] + CALIBRATE_PRIOR * m->m[l]) /
				  (total[k] + CALIBRATE_PRIOR);
		changed++;
	}
	if (changed)
		model_finish(r);
	return changed;
}
