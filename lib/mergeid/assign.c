/*
 * assign: assigning master IDs (mergeid_int.h).
 */
#include "mergeid/mergeid_int.h"

/*
 * Assigning master IDs (the order of steps is the header's)
 */

/* Follow the earlier crosswalk's merges once: a record's old master is
 * the live one. A circle of merges is a broken crosswalk. */
static int resolve_old(struct mergeid *m, struct mbr_err *err)
{
	for (size_t i = 0; i < m->n_masters; i++) {
		uint32_t j = (uint32_t)i;

		for (size_t steps = 0; m->masters[j].into != NONE; steps++) {
			if (steps == m->n_masters)
				return mbr_fail(
					err, MBR_EIO,
					"crosswalk: retired IDs are merged "
					"into each other in a circle ('%s')",
					m->masters[i].id);
			j = m->masters[j].into;
		}
	}
	for (size_t k = 0; k < m->n_keys; k++)
		if (m->keys[k].old != NONE)
			m->keys[k].old = live(m, m->keys[k].old);
	return 0;
}

static void rec_fields(const struct rec *r, struct strview *source,
		       struct strview *source_id, struct strview *cluster)
{
	enc_get(enc_get(enc_get(r->p, source), source_id), cluster);
}

/* Cluster, then tie order; clusters are apart by the hash of their ID,
 * which is all that matters: their order is not used. */
int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	struct strview xs, xi, xc, ys, yi, yc;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	rec_fields(x, &xs, &xi, &xc);
	rec_fields(y, &ys, &yi, &yc);
	c = sv_cmp(xc, yc);
	if (!c)
		c = sv_cmp(xs, ys);
	return c ? c : sv_cmp(xi, yi);
}

static bool same_cluster(const struct rec *a, const struct rec *b)
{
	struct strview as, ai, ac, bs, bi, bc;

	if (a->hash != b->hash)
		return false;
	rec_fields(a, &as, &ai, &ac);
	rec_fields(b, &bs, &bi, &bc);
	return sv_eq(ac, bc);
}

static void build_clusters(struct mergeid *m)
{
	if (m->n_recs)
		xqsort(m->recs, m->n_recs, sizeof(*m->recs), rec_cmp);
	m->clusters = xmalloc((m->n_recs + 1) * sizeof(*m->clusters));
	for (size_t i = 0; i < m->n_recs; i++) {
		struct rec *r = &m->recs[i];

		if (i == 0 || !same_cluster(r - 1, r))
			m->clusters[m->n_clusters++] =
				(struct cluster){(uint32_t)i, 0, NONE};
		m->clusters[m->n_clusters - 1].n++;
		r->cluster = (uint32_t)m->n_clusters - 1;
		m->keys[r->key].rec = (uint32_t)i;
	}
	m->clusters = xrealloc(m->clusters,
			       (m->n_clusters + 1) * sizeof(*m->clusters));
	m->stats.masters = m->n_clusters;
}

static void list_push(struct mergeid *m, size_t *n, uint32_t v)
{
	if (*n == m->cap_list) {
		m->cap_list = m->cap_list ? 2 * m->cap_list : 64;
		m->list = xrealloc(m->list, m->cap_list * sizeof(*m->list));
	}
	m->list[(*n)++] = v;
}

/* List in m->list the earlier masters with records in cluster c, with
 * their count and first record there (the smallest key: tie order). */
static size_t count_masters(struct mergeid *m, uint32_t c)
{
	const struct cluster *cl = &m->clusters[c];
	size_t n = 0;

	for (uint32_t i = cl->first; i < cl->first + cl->n; i++) {
		uint32_t o = m->keys[m->recs[i].key].old;
		struct master *ms;

		if (o == NONE)
			continue;
		ms = &m->masters[o];
		if (ms->mark != c + 1) {
			ms->mark = c + 1;
			ms->count = 0;
			ms->first = i;
			list_push(m, &n, o);
		}
		ms->count++;
	}
	return n;
}

/* Step 1: each earlier master picks the cluster with most of its records;
 * equal counts go to the cluster with its smallest key. */
static void pick_homes(struct mergeid *m)
{
	for (uint32_t c = 0; c < m->n_clusters; c++) {
		size_t n = count_masters(m, c);

		for (size_t j = 0; j < n; j++) {
			struct master *ms = &m->masters[m->list[j]];

			if (ms->home != NONE &&
			    (ms->count < ms->home_n ||
			     (ms->count == ms->home_n &&
			      key_cmp(m->recs[ms->first].p,
				      m->recs[ms->home_first].p) > 0)))
				continue;
			ms->home = c;
			ms->home_n = ms->count;
			ms->home_first = ms->first;
		}
	}
}

/* Steps 3 and 4: a cluster keeps the oldest ID that picked it; the other
 * IDs that picked it are merged into that one. */
static void pick_survivors(struct mergeid *m)
{
	for (uint32_t i = 0; i < m->n_masters; i++) {
		struct master *ms = &m->masters[i];
		struct cluster *cl;

		if (ms->home == NONE)
			continue;
		cl = &m->clusters[ms->home];
		if (cl->master == NONE || ms->seq < m->masters[cl->master].seq)
			cl->master = i;
	}
	for (uint32_t i = 0; i < m->n_masters; i++) {
		struct master *ms = &m->masters[i];

		if (ms->home == NONE)
			continue;
		if (m->clusters[ms->home].master == i) {
			m->stats.kept++;
			continue;
		}
		ms->into = m->clusters[ms->home].master;
		ms->state = M_MERGED;
		m->stats.merged++;
	}
}

struct unnamed {
	const unsigned char *key; /* the cluster's smallest key */
	uint32_t cluster;
};

static int unnamed_cmp(const void *a, const void *b)
{
	const struct unnamed *x = a, *y = b;

	return key_cmp(x->key, y->key);
}

/* Step 2: new IDs, in order of each cluster's smallest key. */
static void issue_new(struct mergeid *m)
{
	struct unnamed *u = xmalloc((m->n_clusters + 1) * sizeof(*u));
	size_t n = 0;

	for (uint32_t c = 0; c < m->n_clusters; c++)
		if (m->clusters[c].master == NONE)
			u[n++] = (struct unnamed){
				m->recs[m->clusters[c].first].p, c};
	xqsort(u, n, sizeof(*u), unnamed_cmp);
	for (size_t i = 0; i < n; i++) {
		idfmt_print(&m->fmt, m->max_seq + 1, &m->tmp);
		m->clusters[u[i].cluster].master =
			master_new(m, buf_view(&m->tmp), m->max_seq + 1, M_NEW);
	}
	m->stats.issued = n;
	free(u);
}

uint32_t rec_master(const struct mergeid *m, uint32_t i)
{
	return m->clusters[m->recs[i].cluster].master;
}

/* A record moved when its master changed other than by a merge. */
bool rec_moved(const struct mergeid *m, uint32_t i)
{
	uint32_t old = m->keys[m->recs[i].key].old, now = rec_master(m, i);

	return old != NONE && old != now && m->masters[old].into != now;
}

static void count_changes(struct mergeid *m)
{
	for (uint32_t i = 0; i < m->n_recs; i++) {
		if (m->keys[m->recs[i].key].old == NONE)
			m->stats.added++;
		else if (rec_moved(m, i))
			m->stats.moved++;
	}
	for (size_t k = 0; k < m->n_keys; k++)
		m->stats.carried += m->keys[k].rec == NONE;
}

int mergeid_assign(struct mergeid *m, struct mbr_err *err)
{
	if (m->assigned)
		return mbr_fail(err, MBR_EINTERNAL,
				"master IDs assigned twice");
	if (resolve_old(m, err) < 0)
		return -1;
	if (m->sort_failed) {
		*err = m->sort_err;
		return -1;
	}
	build_clusters(m);
	if (extsort_finish(m->bodies, err) < 0)
		return -1;
	pick_homes(m);
	pick_survivors(m);
	issue_new(m);
	count_changes(m);
	m->assigned = true;
	return 0;
}
