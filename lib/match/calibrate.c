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

#include <string.h>

#define CALIBRATE_MIN 100  /* strong pairs needed to estimate one m */
#define CALIBRATE_PRIOR 50 /* weight of the built-in m, in pairs */

/* Count the levels of each comparison among the pairs that are strong
 * without it. */
static void count_levels(const struct cmp_ctx *c, const struct mrec *recs,
			 const struct mpair *p, size_t n, double strong_w,
			 double count[][MATCH_MAX_LEVELS], double *total)
{
	const struct match_rules *r = c->rules;
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];

	for (size_t i = 0; i < n; i++) {
		double sum = compare_explain(c, &recs[p[i].a], &recs[p[i].b],
					     level, w);

		if (sum < strong_w)
			continue; /* w[k] >= 0 cannot make it strong */
		for (unsigned k = 0; k < r->n_cmps; k++) {
			if (level[k] == LEVEL_NULL || sum - w[k] < strong_w)
				continue;
			count[k][level[k]]++;
			total[k]++;
		}
	}
}

unsigned calibrate_m(struct match_rules *r, const struct cmp_ctx *c,
		     const struct mrec *recs, const struct mpair *p, size_t n)
{
	double count[MATCH_MAX_CMPS][MATCH_MAX_LEVELS];
	double total[MATCH_MAX_CMPS] = {0};
	unsigned changed = 0;

	memset(count, 0, sizeof(count));
	count_levels(c, recs, p, n, score_weight(r->strong_p), count, total);
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
