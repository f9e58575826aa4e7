/*
 * assign: assigning master IDs (mergeid_int.h), in passes over external
 * sorts, so that memory does not grow with the input. The steps are the
 * header's; the passes, with the sorts alive in each (their shares of the
 * budget, in sixteenths, never add up to more than 15):
 *
 *   keys      S_KEY -> S_CLUSTER, S_CARRY, S_DUP: a key's crosswalk row
 *             and records meet; the first record is taken (with its old
 *             master), the others are repeats (rejected, in input order)
 *   clusters  S_CLUSTER -> S_MADE, S_FIRST, S_CAND: each cluster's golden
 *             rows, its smallest key, and how many of its records each
 *             old master has (step 1's candidates)
 *   homes     S_CAND -> S_HOME: each old master's home (step 1)
 *   name      S_HOME, S_FIRST -> S_NAMED, S_MERGE, S_UNNAMED: the oldest
 *             master at home in a cluster keeps it, the others are
 *             merged into it (steps 3, 4); S_UNNAMED -> S_NEW: new IDs in
 *             order of the clusters' smallest keys (step 2)
 *   carried   S_CARRY, S_MERGE -> O_XREF, O_RETIRED: the crosswalk's
 *             other records and retired IDs follow their master
 *   write     S_MADE, S_NAMED, S_NEW -> O_GOLDEN, O_XREF, O_CHANGES
 *
 * Clusters are numbered in S_CLUSTER's order; the sorts keyed by cluster
 * number are read in that order, side by side.
 */
#include "mergeid/mergeid_int.h"

/* A finished sort being read: its current entry while more is 1; a
 * pass's main sort reports its progress as what. */
struct cursor {
	struct mergeid *m;
	enum sort_id i;
	const char *what; /* NULL: no progress reports */
	unsigned long long done;
	struct strview k, v;
	int more;
};

static int cur_next(struct cursor *c, struct mbr_err *err)
{
	int rc = extsort_next(c->m->sort[c->i], &c->k, &c->v, err);

	c->more = rc > 0;
	sort_progress(c->m, c->i, c->what, c->done++);
	return rc < 0 ? -1 : 0;
}

/* The for loops' step: the next entry, unless the body failed. */
static int cur_step(struct cursor *c, int rc, struct mbr_err *err)
{
	return rc < 0 ? rc : cur_next(c, err);
}

static int cur_start(struct mergeid *m, enum sort_id i, struct cursor *c,
		     struct mbr_err *err)
{
	if (sort_finish(m, i, err) < 0)
		return -1;
	*c = (struct cursor){m, i, NULL, 0, {NULL, 0}, {NULL, 0}, 0};
	return cur_next(c, err);
}

/* cur_start for a pass's main sort: its progress is reported as what. */
static int cur_start_pass(struct mergeid *m, enum sort_id i, struct cursor *c,
			  const char *what, struct mbr_err *err)
{
	if (cur_start(m, i, c, err) < 0)
		return -1;
	c->what = what;
	return 0;
}

/* The number a key or value starts with (cluster or master). */
static uint64_t num_at(struct strview v)
{
	return v.len >= 8 ? be64_get(v.p) : 0;
}

static int broken(const char *what, struct mbr_err *err)
{
	return mbr_fail(err, MBR_EINTERNAL, "master IDs: %s", what);
}

/*
 * Retired IDs: where each chain of merges ends.
 */

static int resolve_retired(struct mergeid *m, struct mbr_err *err)
{
	for (size_t i = 0; i < m->n_ret; i++) {
		uint64_t j = m->ret[i].into;
		const struct retired *r;

		for (size_t steps = 0; (r = retired_find(m, j)); steps++) {
			if (steps == m->n_ret) {
				idfmt_print(&m->fmt, m->ret[i].seq, &m->tmp);
				return mbr_fail(err, MBR_EIO,
						"crosswalk: retired IDs are "
						"merged into each other in a "
						"circle ('%s')",
						m->tmp.p);
			}
			j = r->into;
		}
		m->ret[i].live = j;
	}
	return 0;
}

/* The live master an earlier run left seq as. */
static uint64_t live_old(struct mergeid *m, uint64_t seq)
{
	const struct retired *r = retired_find(m, seq);

	return r ? r->live : seq;
}

/* Each retired ID follows its live master (S_CARRY, 'r'). */
static int carry_retired(struct mergeid *m, struct mbr_err *err)
{
	for (size_t i = 0; i < m->n_ret; i++) {
		buf_reset(&m->skey);
		be64_put(&m->skey, m->ret[i].live);
		buf_reset(&m->enc);
		buf_addc(&m->enc, 'r');
		be64_put(&m->enc, m->ret[i].seq);
		if (sort_add(m, S_CARRY, buf_view(&m->skey), buf_view(&m->enc),
			     err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Pass "keys"
 */

/* S_KEY's record entry: 'r', source, row, line, position, record. */
#define REC_HEAD (1 + 4 * 8)

static int unpack_rec(const struct mergeid *m, struct strview v,
		      struct record *rec, const struct src **s,
		      struct mbr_err *err)
{
	uint64_t i = v.len < REC_HEAD ? UINT64_MAX : be64_get(v.p + 1);

	if (i >= m->n_srcs ||
	    extsort_unpack_record(svn(v.p + REC_HEAD, v.len - REC_HEAD), rec) <
		    0)
		return broken("a sorted record is damaged", err);
	rec->row = (unsigned long)be64_get(v.p + 9);
	rec->line = (unsigned long)be64_get(v.p + 17);
	*s = &m->srcs[i];
	return 0;
}

static int twice_in_xref(struct mergeid *m, struct strview key,
			 struct strview v, struct mbr_err *err)
{
	struct strview k = key;
	struct buf where;
	int rc;

	skey_get(&k, &m->tmp);
	skey_get(&k, &m->tmp2);
	buf_init(&where, BUF_NOLIMIT);
	where_get(m, (const unsigned char *)v.p + 9, &where);
	rc = mbr_fail(err, MBR_EIO,
		      "%s: the record '%s' / '%.*s' has a row already "
		      "(expected one row per record)",
		      where.p, m->tmp.p,
		      (int)(m->tmp2.len > 4 ? 4 : m->tmp2.len), m->tmp2.p);
	buf_release(&where);
	return rc;
}

/* One key's entries: at most one crosswalk row ('x', first), then its
 * records in input order. */
static int one_key(struct mergeid *m, struct cursor *c, struct record *rec,
		   struct buf *key, struct mbr_err *err)
{
	uint64_t old = 0;
	bool in_xref = false, taken = false;
	const struct src *s;

	buf_reset(key);
	buf_addsv(key, c->k);
	do {
		if (c->v.p[0] == 'x') {
			if (in_xref)
				return twice_in_xref(m, c->k, c->v, err);
			in_xref = true;
			old = live_old(m, be64_get(c->v.p + 1));
		} else if (taken) { /* a repeat: rejected in input order */
			if (sort_add(m, S_DUP, svn(c->v.p + 25, 8), c->v, err) <
			    0)
				return -1;
		} else {
			taken = true;
			if (unpack_rec(m, c->v, rec, &s, err) < 0 ||
			    cluster_entry(m, s, rec, old, err) < 0)
				return -1;
		}
		if (cur_next(c, err) < 0)
			return -1;
	} while (c->more && sv_eq(c->k, buf_view(key)));
	if (!in_xref || taken)
		return 0;
	m->stats.carried++;
	buf_reset(&m->skey);
	be64_put(&m->skey, old);
	buf_reset(&m->enc);
	buf_addc(&m->enc, 'k');
	buf_addsv(&m->enc, buf_view(key));
	return sort_add(m, S_CARRY, buf_view(&m->skey), buf_view(&m->enc), err);
}

/* The repeats, in input order, to the caller. */
static int reject_repeats(struct mergeid *m, mergeid_reject_fn reject,
			  void *ctx, struct record *rec, struct mbr_err *err)
{
	struct cursor c;
	const struct src *s;
	int rc = cur_start(m, S_DUP, &c, err);

	for (; rc == 0 && c.more; rc = cur_step(&c, rc, err)) {
		struct mergeid_reject r = {NULL, NULL, rec, "source_id",
					   "duplicate"};

		if (unpack_rec(m, c.v, rec, &s, err) < 0)
			return -1;
		r.h = &s->h;
		r.name = s->name;
		if (reject && reject(ctx, &r, err) < 0)
			return -1;
	}
	sort_done(m, S_DUP);
	return rc;
}

static int pass_keys(struct mergeid *m, mergeid_reject_fn reject, void *ctx,
		     struct mbr_err *err)
{
	struct cursor c;
	struct record rec;
	struct buf key;
	int rc;

	record_init(&rec);
	buf_init(&key, BUF_NOLIMIT);
	rc = carry_retired(m, err);
	if (rc == 0)
		rc = cur_start_pass(m, S_KEY, &c, "records by key", err);
	while (rc == 0 && c.more)
		rc = one_key(m, &c, &rec, &key, err);
	sort_done(m, S_KEY);
	if (rc == 0)
		rc = reject_repeats(m, reject, ctx, &rec, err);
	record_release(&rec);
	buf_release(&key);
	return rc;
}

/*
 * Pass "clusters"
 */

/* An old master and its first record in a cluster. */
struct by_old {
	uint64_t old;
	size_t first;
};

/* One cluster's records, as S_CLUSTER gives them. */
struct members {
	struct buf bytes; /* their values, one after another */
	size_t *off;	  /* owned: where each starts */
	struct strview *body;
	uint32_t *doubtful;
	uint64_t *old;
	size_t n, cap;
	struct by_old *by_old;
	struct buf prefix; /* the cluster's key prefix */
	struct buf rows;   /* its golden rows */
};

static void members_grow(struct members *ms)
{
	ms->cap = ms->cap ? 2 * ms->cap : 64;
	ms->off = xrealloc(ms->off, ms->cap * sizeof(*ms->off));
	ms->body = xrealloc(ms->body, ms->cap * sizeof(*ms->body));
	ms->doubtful = xrealloc(ms->doubtful, ms->cap * sizeof(*ms->doubtful));
	ms->old = xrealloc(ms->old, ms->cap * sizeof(*ms->old));
	ms->by_old = xrealloc(ms->by_old, ms->cap * sizeof(*ms->by_old));
}

static void members_release(struct members *ms)
{
	buf_release(&ms->bytes);
	buf_release(&ms->prefix);
	buf_release(&ms->rows);
	free(ms->off);
	free(ms->body);
	free(ms->doubtful);
	free(ms->old);
	free(ms->by_old);
}

/* Read the records of the cluster c is at. */
static int load_cluster(struct cursor *c, struct members *ms,
			struct mbr_err *err)
{
	size_t plen = 8 + skey_len(svn(c->k.p + 8, c->k.len - 8));

	buf_reset(&ms->prefix);
	buf_add(&ms->prefix, c->k.p, plen);
	buf_reset(&ms->bytes);
	ms->n = 0;
	do {
		if (c->v.len < 16)
			return broken("a sorted record is damaged", err);
		if (ms->n == ms->cap)
			members_grow(ms);
		ms->old[ms->n] = be64_get(c->v.p);
		ms->doubtful[ms->n] = (uint32_t)be64_get(c->v.p + 8);
		ms->off[ms->n++] = ms->bytes.len;
		buf_add(&ms->bytes, c->v.p + 16, c->v.len - 16);
		if (cur_next(c, err) < 0)
			return -1;
	} while (c->more && c->k.len >= plen &&
		 !memcmp(c->k.p, ms->prefix.p, plen));
	for (size_t i = 0; i < ms->n; i++) {
		size_t end = i + 1 < ms->n ? ms->off[i + 1] : ms->bytes.len;

		ms->body[i] = svn(ms->bytes.p + ms->off[i], end - ms->off[i]);
	}
	return 0;
}

/* A record's key, from its packed body, into b as skey_put values. */
static void body_key(struct buf *b, struct strview body)
{
	struct strview s, i;

	enc_get(enc_get((const unsigned char *)body.p, &s), &i);
	skey_put(b, s);
	skey_put(b, i);
}

static int by_old_cmp(const void *a, const void *b)
{
	const struct by_old *x = a, *y = b;

	if (x->old != y->old)
		return x->old < y->old ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Step 1's candidates: each old master with records in cluster cl, by
 * master, most records first, then its smallest key here. */
static int candidates(struct mergeid *m, struct members *ms, uint64_t cl,
		      struct mbr_err *err)
{
	size_t n = 0;

	for (size_t i = 0; i < ms->n; i++)
		if (ms->old[i]) {
			ms->by_old[n].old = ms->old[i];
			ms->by_old[n++].first = i;
		}
	qsort(ms->by_old, n, sizeof(*ms->by_old), by_old_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && ms->by_old[j].old == ms->by_old[i].old;)
			j++;
		buf_reset(&m->skey);
		be64_put(&m->skey, ms->by_old[i].old);
		be64_put(&m->skey, UINT64_MAX - (j - i));
		body_key(&m->skey, ms->body[ms->by_old[i].first]);
		buf_reset(&m->enc);
		be64_put(&m->enc, cl);
		if (sort_add(m, S_CAND, buf_view(&m->skey), buf_view(&m->enc),
			     err) < 0)
			return -1;
	}
	return 0;
}

/* S_MADE's value: the golden rows' length and bytes, then each record's
 * source and source_id (packed) and old master. */
static int made(struct mergeid *m, struct members *ms, uint64_t cl,
		struct mbr_err *err)
{
	uint32_t len = (uint32_t)ms->rows.len;

	buf_reset(&m->skey);
	be64_put(&m->skey, cl);
	buf_reset(&m->enc);
	buf_add(&m->enc, &len, sizeof(len));
	buf_addsv(&m->enc, buf_view(&ms->rows));
	for (size_t i = 0; i < ms->n; i++) {
		struct strview s, id;

		enc_get(enc_get((const unsigned char *)ms->body[i].p, &s), &id);
		enc_put(&m->enc, s);
		enc_put(&m->enc, id);
		be64_put(&m->enc, ms->old[i]);
	}
	if (sort_add(m, S_MADE, buf_view(&m->skey), buf_view(&m->enc), err) < 0)
		return -1;
	buf_reset(&m->enc);
	body_key(&m->enc, ms->body[0]);
	return sort_add(m, S_FIRST, buf_view(&m->skey), buf_view(&m->enc), err);
}

static int pass_clusters(struct mergeid *m, struct mbr_err *err)
{
	struct golden_maker *g = golden_maker_new(m);
	struct members ms;
	struct cursor c;
	int rc;

	memset(&ms, 0, sizeof(ms));
	buf_init(&ms.bytes, BUF_NOLIMIT);
	buf_init(&ms.prefix, BUF_NOLIMIT);
	buf_init(&ms.rows, BUF_NOLIMIT);
	rc = cur_start_pass(m, S_CLUSTER, &c, "golden records", err);
	while (rc == 0 && c.more) {
		uint64_t cl = m->clusters++;

		buf_reset(&ms.rows);
		rc = load_cluster(&c, &ms, err);
		if (rc == 0)
			rc = golden_make(m, g, ms.body, ms.doubtful, ms.n,
					 &ms.rows, err);
		if (rc == 0)
			rc = candidates(m, &ms, cl, err);
		if (rc == 0)
			rc = made(m, &ms, cl, err);
	}
	sort_done(m, S_CLUSTER);
	members_release(&ms);
	golden_maker_free(g);
	m->stats.masters = m->clusters;
	return rc;
}

/*
 * Pass "homes": an old master's first candidate is its home.
 */

static int pass_homes(struct mergeid *m, struct mbr_err *err)
{
	struct cursor c;
	uint64_t last = 0;
	int rc = cur_start_pass(m, S_CAND, &c, "old masters", err);

	for (; rc == 0 && c.more; rc = cur_step(&c, rc, err)) {
		uint64_t old = num_at(c.k);

		if (old == last)
			continue;
		last = old;
		buf_reset(&m->skey);
		be64_put(&m->skey, num_at(c.v));
		be64_put(&m->skey, old);
		rc = sort_add(m, S_HOME, buf_view(&m->skey), svn("", 0), err);
		if (rc < 0)
			break;
	}
	sort_done(m, S_CAND);
	return rc;
}

/*
 * Pass "name"
 */

/* A change row into O_CHANGES, in the order of the report: master ID,
 * kind, then the record's key or the retired ID. */
static int change_add(struct mergeid *m, enum change_kind kind, uint64_t master,
		      struct strview source, struct strview source_id,
		      uint64_t prev, struct mbr_err *err)
{
	idfmt_print(&m->fmt, master, &m->tmp);
	if (prev)
		idfmt_print(&m->fmt, prev, &m->tmp2);
	else
		buf_reset(&m->tmp2);
	buf_reset(&m->skey);
	skey_put(&m->skey, buf_view(&m->tmp));
	buf_addc(&m->skey, (char)kind);
	if (kind == CH_MERGED) {
		skey_put(&m->skey, buf_view(&m->tmp2));
	} else {
		skey_put(&m->skey, source);
		skey_put(&m->skey, source_id);
	}
	buf_reset(&m->enc);
	buf_addc(&m->enc, (char)kind);
	enc_put(&m->enc, buf_view(&m->tmp));
	enc_put(&m->enc, source);
	enc_put(&m->enc, source_id);
	enc_put(&m->enc, buf_view(&m->tmp2));
	return sort_add(m, O_CHANGES, buf_view(&m->skey), buf_view(&m->enc),
			err);
}

/* A retired row into O_RETIRED: the ID, and the live one it went to. */
static int retired_row(struct mergeid *m, uint64_t seq, uint64_t into,
		       struct mbr_err *err)
{
	idfmt_print(&m->fmt, seq, &m->tmp);
	idfmt_print(&m->fmt, into, &m->tmp2);
	return sort_add(m, O_RETIRED, buf_view(&m->tmp), buf_view(&m->tmp2),
			err);
}

/* Steps 3 and 4 for cluster cl: its homed masters come in order of
 * sequence number; the first, the oldest, keeps the cluster. */
static int name_cluster(struct mergeid *m, struct cursor *home, uint64_t cl,
			struct mbr_err *err)
{
	uint64_t keeper = num_at(svn(home->k.p + 8, home->k.len - 8));
	struct buf named;
	int rc = 0;

	buf_init(&named, BUF_NOLIMIT);
	be64_put(&named, keeper);
	m->stats.kept++;
	for (; rc == 0 && home->more && num_at(home->k) == cl;
	     rc = cur_step(home, rc, err)) {
		uint64_t old = num_at(svn(home->k.p + 8, home->k.len - 8));

		be64_put(&named, old);
		if (old == keeper)
			continue;
		m->stats.merged++;
		buf_reset(&m->skey);
		be64_put(&m->skey, old);
		buf_reset(&m->enc);
		be64_put(&m->enc, keeper);
		if (sort_add(m, S_MERGE, buf_view(&m->skey), buf_view(&m->enc),
			     err) < 0 ||
		    retired_row(m, old, keeper, err) < 0 ||
		    change_add(m, CH_MERGED, keeper, svn("", 0), svn("", 0),
			       old, err) < 0)
			rc = -1;
	}
	if (rc == 0) {
		buf_reset(&m->skey);
		be64_put(&m->skey, cl);
		rc = sort_add(m, S_NAMED, buf_view(&m->skey), buf_view(&named),
			      err);
	}
	buf_release(&named);
	return rc;
}

/* Step 2: new IDs, in order of the unnamed clusters' smallest keys. */
static int issue_new(struct mergeid *m, struct mbr_err *err)
{
	struct cursor c;
	int rc = cur_start(m, S_UNNAMED, &c, err);

	for (; rc == 0 && c.more; rc = cur_step(&c, rc, err)) {
		uint64_t seq = ++m->max_seq;

		buf_reset(&m->skey);
		buf_addsv(&m->skey, c.v);
		buf_reset(&m->enc);
		be64_put(&m->enc, seq);
		if (sort_add(m, S_NEW, buf_view(&m->skey), buf_view(&m->enc),
			     err) < 0)
			return -1;
		/* the key of no record: a new ID's row has none */
		if (change_add(m, CH_NEW, seq, svn("", 0), svn("", 0), 0, err) <
		    0)
			return -1;
		m->stats.issued++;
	}
	sort_done(m, S_UNNAMED);
	return rc;
}

static int pass_name(struct mergeid *m, struct mbr_err *err)
{
	struct cursor home, first;
	int rc = cur_start(m, S_HOME, &home, err);

	if (rc == 0)
		rc = cur_start_pass(m, S_FIRST, &first, "master IDs", err);
	for (; rc == 0 && first.more; rc = cur_step(&first, rc, err)) {
		uint64_t cl = num_at(first.k);

		if (home.more && num_at(home.k) == cl) {
			rc = name_cluster(m, &home, cl, err);
			continue;
		}
		buf_reset(&m->enc);
		be64_put(&m->enc, cl);
		rc = sort_add(m, S_UNNAMED, first.v, buf_view(&m->enc), err);
	}
	if (rc == 0 && home.more)
		rc = broken("a home for no cluster", err);
	sort_done(m, S_HOME);
	sort_done(m, S_FIRST);
	return rc < 0 ? -1 : issue_new(m, err);
}

/*
 * Pass "carried": the crosswalk's records not in this input, and the IDs
 * retired before, go where their master went: into the master it merged
 * with this run, if it did.
 */

static int pass_carried(struct mergeid *m, struct mbr_err *err)
{
	struct cursor carry, merge;
	int rc = cur_start_pass(m, S_CARRY, &carry, "carried records", err);

	if (rc == 0)
		rc = cur_start(m, S_MERGE, &merge, err);
	for (; rc == 0 && carry.more; rc = cur_step(&carry, rc, err)) {
		uint64_t old = num_at(carry.k), now = old;

		while (rc == 0 && merge.more && num_at(merge.k) < old)
			rc = cur_next(&merge, err);
		if (rc < 0)
			break;
		if (merge.more && num_at(merge.k) == old)
			now = num_at(merge.v);
		if (carry.v.p[0] == 'r') {
			rc = retired_row(m, be64_get(carry.v.p + 1), now, err);
			continue;
		}
		buf_reset(&m->enc);
		be64_put(&m->enc, now);
		buf_addc(&m->enc, 0);
		rc = sort_add(m, O_XREF, svn(carry.v.p + 1, carry.v.len - 1),
			      buf_view(&m->enc), err);
	}
	sort_done(m, S_CARRY);
	sort_done(m, S_MERGE);
	return rc;
}

/*
 * Pass "write": each cluster's master, its golden rows, and its records'
 * crosswalk rows and changes.
 */

/* The master of cluster cl, from S_NAMED (with the masters at home
 * there, packed in *homes) or S_NEW. */
static int cluster_master(struct cursor *named, struct cursor *fresh,
			  uint64_t cl, uint64_t *master, struct buf *homes,
			  struct mbr_err *err)
{
	buf_reset(homes);
	if (named->more && num_at(named->k) == cl) {
		*master = num_at(named->v);
		buf_add(homes, named->v.p + 8, named->v.len - 8);
		return cur_next(named, err);
	}
	if (fresh->more && num_at(fresh->k) == cl) {
		*master = num_at(fresh->v);
		return cur_next(fresh, err);
	}
	return broken("a cluster without a master", err);
}

static bool homed(struct strview homes, uint64_t old)
{
	for (size_t i = 0; i + 8 <= homes.len; i += 8)
		if (be64_get(homes.p + i) == old)
			return true;
	return false;
}

/* Cluster cl's records (after its golden rows in v): crosswalk rows and
 * changes. */
static int write_records(struct mergeid *m, struct strview v, uint64_t master,
			 struct strview homes, struct mbr_err *err)
{
	const unsigned char *p = (const unsigned char *)v.p, *end = p + v.len;
	struct buf key;
	int rc = 0;

	buf_init(&key, BUF_NOLIMIT);
	while (rc == 0 && p < end) {
		struct strview s, id;
		uint64_t old;

		p = enc_get(enc_get(p, &s), &id);
		old = be64_get(p);
		p += 8;
		buf_reset(&key);
		skey_put(&key, s);
		skey_put(&key, id);
		buf_reset(&m->enc);
		be64_put(&m->enc, master);
		buf_addc(&m->enc, 1);
		rc = sort_add(m, O_XREF, buf_view(&key), buf_view(&m->enc),
			      err);
		if (rc == 0 && !old) {
			m->stats.added++;
			rc = change_add(m, CH_ADDED, master, s, id, 0, err);
		} else if (rc == 0 && !homed(homes, old)) {
			m->stats.moved++;
			rc = change_add(m, CH_MOVED, master, s, id, old, err);
		}
	}
	buf_release(&key);
	return rc;
}

static int pass_write(struct mergeid *m, struct mbr_err *err)
{
	struct cursor made, named, fresh;
	struct buf homes;
	int rc = cur_start_pass(m, S_MADE, &made, "crosswalk and changes", err);

	buf_init(&homes, BUF_NOLIMIT);
	if (rc == 0)
		rc = cur_start(m, S_NAMED, &named, err);
	if (rc == 0)
		rc = cur_start(m, S_NEW, &fresh, err);
	for (; rc == 0 && made.more; rc = cur_step(&made, rc, err)) {
		uint64_t master = 0;
		uint32_t len;

		if (cluster_master(&named, &fresh, num_at(made.k), &master,
				   &homes, err) < 0)
			return -1;
		memcpy(&len, made.v.p, sizeof(len));
		idfmt_print(&m->fmt, master, &m->tmp);
		if (sort_add(m, O_GOLDEN, buf_view(&m->tmp),
			     svn(made.v.p + 4, len), err) < 0 ||
		    write_records(m,
				  svn(made.v.p + 4 + len, made.v.len - 4 - len),
				  master, buf_view(&homes), err) < 0)
			rc = -1;
	}
	buf_release(&homes);
	sort_done(m, S_MADE);
	sort_done(m, S_NAMED);
	sort_done(m, S_NEW);
	return rc;
}

int mergeid_assign(struct mergeid *m, mergeid_reject_fn reject, void *ctx,
		   struct mbr_err *err)
{
	if (m->assigned)
		return mbr_fail(err, MBR_EINTERNAL,
				"master IDs assigned twice");
	m->assigned = true;
	if (m->sort_failed) {
		*err = m->sort_err;
		return -1;
	}
	if (resolve_retired(m, err) < 0 || pass_keys(m, reject, ctx, err) < 0 ||
	    pass_clusters(m, err) < 0 || pass_homes(m, err) < 0 ||
	    pass_name(m, err) < 0 || pass_carried(m, err) < 0 ||
	    pass_write(m, err) < 0)
		return -1;
	for (int i = O_GOLDEN; i < N_SORTS; i++)
		if (sort_finish(m, (enum sort_id)i, err) < 0)
			return -1;
	for (int i = 0; i < N_SORTS; i++)
		if (m->sort[i])
			m->stats.sort_runs += extsort_n_runs(m->sort[i]);
	m->stats.sort_runs += m->runs;
	return 0;
}
