/*
 * cluster: union-find over the matched pairs, with cannot-links checked
 * for whole clusters. Joining A~B and then B~C must not put A and C in
 * one cluster when A and C conflict: each root carries its cluster's
 * valid ID number, a few of its full birth dates and the no-match edges
 * of all its members, so a join looks at everything both clusters hold,
 * not at the one pair. Pairs come strongest first, so a cluster whose
 * members disagree is split at its weakest links.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

struct cluster_edge {
	uint32_t to;   /* the record this member must not join */
	uint32_t next; /* next edge of the same root + 1, 0 = end */
};

void cluster_init(struct cluster *c, uint32_t n, const uint32_t *ids,
		  const uint32_t *births)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	c->parent = xmalloc(((size_t)n + 1) * sizeof(*c->parent));
	c->size = xmalloc(((size_t)n + 1) * sizeof(*c->size));
	c->cnid = xcalloc((size_t)n + 1, sizeof(*c->cnid));
	if (births) {
		c->dates = xcalloc(((size_t)n + 1) * CLUSTER_DATES,
				   sizeof(*c->dates));
		for (uint32_t i = 0; i < n; i++)
			if (compare_date_is_full((int32_t)births[i]))
				c->dates[(size_t)i * CLUSTER_DATES] = births[i];
	}
	c->nm_head = xcalloc((size_t)n + 1, sizeof(*c->nm_head));
	c->nm_tail = xcalloc((size_t)n + 1, sizeof(*c->nm_tail));
	for (uint32_t i = 0; i < n; i++) {
		c->parent[i] = i;
		c->size[i] = 1;
		c->cnid[i] = ids ? ids[i] : 0;
	}
}

void cluster_release(struct cluster *c)
{
	free(c->parent);
	free(c->size);
	free(c->cnid);
	free(c->dates);
	free(c->nm_head);
	free(c->nm_tail);
	free(c->nm);
	memset(c, 0, sizeof(*c));
}

uint32_t cluster_find(struct cluster *c, uint32_t x)
{
	while (c->parent[x] != x) {
		c->parent[x] = c->parent[c->parent[x]]; /* path halving */
		x = c->parent[x];
	}
	return x;
}

static void add_edge(struct cluster *c, uint32_t root, uint32_t to)
{
	if (c->n_nm == c->cap_nm) {
		c->cap_nm = c->cap_nm ? c->cap_nm * 2 : 64;
		c->nm = xrealloc(c->nm, c->cap_nm * sizeof(*c->nm));
	}
	c->nm[c->n_nm] = (struct cluster_edge){to, 0};
	if (c->nm_tail[root])
		c->nm[c->nm_tail[root] - 1].next = (uint32_t)c->n_nm + 1;
	else
		c->nm_head[root] = (uint32_t)c->n_nm + 1;
	c->nm_tail[root] = (uint32_t)++c->n_nm;
}

void cluster_forbid(struct cluster *c, uint32_t a, uint32_t b)
{
	add_edge(c, cluster_find(c, a), b);
	add_edge(c, cluster_find(c, b), a);
}

/* Does a no-match edge of root ra point into the cluster of rb? */
static bool forbidden(struct cluster *c, uint32_t ra, uint32_t rb)
{
	for (uint32_t e = c->nm_head[ra]; e; e = c->nm[e - 1].next)
		if (cluster_find(c, c->nm[e - 1].to) == rb)
			return true;
	return false;
}

/* Do the birth dates of roots ra and rb disagree plainly: does no date
 * of the one fit any of the other's? Typed-in slips of one date
 * (1953-08-25, 1973-08-25, 1953-08-52) may be further apart from each
 * other than from the true date; a cluster holding a date that fits takes
 * them all. */
static bool dates_conflict(const struct cluster *c, uint32_t ra, uint32_t rb)
{
	const uint32_t *da = c->dates + (size_t)ra * CLUSTER_DATES;
	const uint32_t *db = c->dates + (size_t)rb * CLUSTER_DATES;

	if (!da[0] || !db[0])
		return false;
	for (int i = 0; i < CLUSTER_DATES && da[i]; i++)
		for (int k = 0; k < CLUSTER_DATES && db[k]; k++)
			if (compare_dates((int32_t)da[i], (int32_t)db[k]) !=
			    DATE_OTHER)
				return false;
	return true;
}

/* Add rb's dates to ra's (those that fit and are new). */
static void merge_dates(struct cluster *c, uint32_t ra, uint32_t rb)
{
	uint32_t *da = c->dates + (size_t)ra * CLUSTER_DATES;
	const uint32_t *db = c->dates + (size_t)rb * CLUSTER_DATES;

	for (int k = 0; k < CLUSTER_DATES && db[k]; k++) {
		int i = 0;

		while (i < CLUSTER_DATES && da[i] && da[i] != db[k])
			i++;
		if (i < CLUSTER_DATES && !da[i])
			da[i] = db[k];
	}
}

/* Hang root rb under ra: sizes, ID, dates and no-match edges. */
static void link_roots(struct cluster *c, uint32_t ra, uint32_t rb)
{
	c->parent[rb] = ra;
	c->size[ra] += c->size[rb];
	if (!c->cnid[ra])
		c->cnid[ra] = c->cnid[rb];
	if (c->dates)
		merge_dates(c, ra, rb);
	/* Move rb's no-match edges onto ra's list. */
	if (c->nm_head[rb]) {
		if (c->nm_tail[ra])
			c->nm[c->nm_tail[ra] - 1].next = c->nm_head[rb];
		else
			c->nm_head[ra] = c->nm_head[rb];
		c->nm_tail[ra] = c->nm_tail[rb];
	}
}

enum join_result cluster_join(struct cluster *c, uint32_t a, uint32_t b,
			      bool strong)
{
	uint32_t ra = cluster_find(c, a), rb = cluster_find(c, b);

	if (ra == rb)
		return JOIN_YES;
	if (c->cnid[ra] && c->cnid[rb] && c->cnid[ra] != c->cnid[rb])
		return JOIN_ID;
	if (forbidden(c, ra, rb))
		return JOIN_DECISION;
	if (!strong && c->dates && dates_conflict(c, ra, rb))
		return JOIN_BIRTH;
	if (c->size[ra] < c->size[rb])
		link_roots(c, rb, ra);
	else
		link_roots(c, ra, rb);
	return JOIN_YES;
}
