/*
 * records: taking the input records (mergeid_int.h).
 */
#include "mergeid/mergeid_int.h"

/*
 * Records
 */

int mergeid_bind(struct mergeid *m, const struct header *h, const char *name,
		 struct mbr_err *err)
{
	m->col[E_SOURCE] = h->canon[CF_SOURCE];
	m->col[E_SOURCE_ID] = h->canon[CF_SOURCE_ID];
	m->col[E_CLUSTER] = header_find(h, COL_CLUSTER_ID);
	m->issues_col = header_find(h, COL_ISSUES);
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		m->col[E_FIELDS + f - SURVIVE_FIRST] = h->canon[f];
	if (m->col[E_SOURCE] < 0 || m->col[E_SOURCE_ID] < 0)
		return mbr_fail(
			err, MBR_EIO,
			"%s: no '%s' column (expected canonical records)", name,
			m->col[E_SOURCE] < 0 ? "source" : "source_id");
	if (m->col[E_CLUSTER] < 0)
		return mbr_fail(err, MBR_EIO,
				"%s: no 'cluster_id' column (expected the "
				"output of mbr-dedupe)",
				name);
	return 0;
}

static struct strview col_value(const struct mergeid *m,
				const struct record *rec, int e)
{
	return m->col[e] < 0 ? svn("", 0)
			     : record_field(rec, (size_t)m->col[e]);
}

/* What survive_check needs: the record's values by canonical field. */
static void rec_member(const struct mergeid *m, const struct record *rec,
		       struct survive_member *mb)
{
	memset(mb, 0, sizeof(*mb));
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		mb->f[f] = col_value(m, rec, E_FIELDS + f - SURVIVE_FIRST);
}

/* Why rec cannot be taken, or NULL. */
static const char *rec_problem(const struct mergeid *m,
			       const struct record *rec, const char **field)
{
	static const struct {
		int e;
		const char *field;
	} required[] = {
		{E_SOURCE, "source"},
		{E_SOURCE_ID, "source_id"},
		{E_CLUSTER, COL_CLUSTER_ID},
	};
	struct survive_member mb;
	const char *why;
	int f;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (sv_trim(col_value(m, rec, required[i].e)).len == 0) {
			*field = required[i].field;
			return "missing";
		}
	}
	rec_member(m, rec, &mb);
	f = survive_check(m->rules, &mb, &why);
	if (f >= 0) {
		*field = canon_name((enum canon_field)f);
		return why;
	}
	return NULL;
}

/* Which of rec's values survivorship should pass over when it can. */
static uint32_t rec_doubtful(const struct mergeid *m, const struct record *rec)
{
	struct survive_member mb;
	struct strview issues = svn("", 0);

	rec_member(m, rec, &mb);
	if (m->issues_col >= 0)
		issues = record_field(rec, (size_t)m->issues_col);
	return survive_doubtful(&mb, issues);
}

static void count_points(struct mergeid *m, struct strview v)
{
	long long x;

	if (survive_parse_int(sv_trim(v), &x) == 0)
		m->stats.points_in += x;
}

/* Append v to b so that memcmp of two such appends orders them as sv_cmp
 * orders the views: a 0 byte becomes 0 0xff, and 0 1 ends the value. */
static void skey_put(struct buf *b, struct strview v)
{
	for (size_t i = 0; i < v.len; i++) {
		buf_addc(b, v.p[i]);
		if (v.p[i] == '\0')
			buf_addc(b, (char)0xff);
	}
	buf_add(b, "\0\1", 2);
}

/* The whole record into bodies, under a key that sorts as rec_cmp does:
 * the cluster's hash (big-endian), cluster_id, source, source_id. */
static void body_add(struct mergeid *m, const struct record *rec)
{
	uint64_t h = hash_bytes(col_value(m, rec, E_CLUSTER));
	unsigned char be[8];

	for (int i = 0; i < 8; i++)
		be[i] = (unsigned char)(h >> (56 - 8 * i));
	buf_reset(&m->skey);
	buf_add(&m->skey, be, 8);
	skey_put(&m->skey, col_value(m, rec, E_CLUSTER));
	skey_put(&m->skey, col_value(m, rec, E_SOURCE));
	skey_put(&m->skey, col_value(m, rec, E_SOURCE_ID));
	buf_reset(&m->enc);
	for (int e = 0; e < E_COUNT; e++)
		enc_put(&m->enc, col_value(m, rec, e));
	if (!m->sort_failed && extsort_add(m->bodies, buf_view(&m->skey),
					   buf_view(&m->enc), &m->sort_err) < 0)
		m->sort_failed = true;
}

static void rec_push(struct mergeid *m, uint32_t key, const unsigned char *p,
		     uint32_t doubtful)
{
	struct strview s, i, c;

	if (m->n_recs == m->cap_recs) {
		m->cap_recs = m->cap_recs ? 2 * m->cap_recs : 4096;
		m->recs = xrealloc(m->recs, m->cap_recs * sizeof(*m->recs));
	}
	enc_get(enc_get(enc_get(p, &s), &i), &c);
	m->recs[m->n_recs] =
		(struct rec){hash_bytes(c), p, key, NONE, doubtful};
	m->keys[key].rec = (uint32_t)m->n_recs++;
}

int mergeid_add(struct mergeid *m, const struct record *rec, const char **field,
		const char **reason)
{
	struct strview src = col_value(m, rec, E_SOURCE);
	struct strview sid = col_value(m, rec, E_SOURCE_ID);
	const unsigned char *p;
	struct hash_slot *slot;
	uint64_t h;
	uint32_t k;

	*reason = rec_problem(m, rec, field);
	if (*reason)
		return 1;
	slot = key_slot(m, src, sid, &h);
	if (slot->key && m->keys[slot->value].rec != NONE) {
		*field = "source_id";
		*reason = "duplicate";
		return 1;
	}
	buf_reset(&m->enc);
	for (int e = E_SOURCE; e < E_FIELDS; e++)
		enc_put(&m->enc, col_value(m, rec, e));
	p = memcpy(arena_alloc(&m->arena, m->enc.len), m->enc.p, m->enc.len);
	k = slot->key ? slot->value : key_add(m, slot, h, p);
	rec_push(m, k, p, rec_doubtful(m, rec));
	body_add(m, rec);
	count_points(m,
		     col_value(m, rec, E_FIELDS + CF_POINTS - SURVIVE_FIRST));
	m->stats.records++;
	return 0;
}

/* The record handler: every record into the merger, or rejected. */
static int bind(void *ctx, const struct header *in, const char *name,
		struct mbr_err *err)
{
	return mergeid_bind(ctx, in, name, err);
}

static int take(void *ctx, struct record *rec, enum rs_verdict *v,
		struct rs_why *why, struct mbr_err *err)
{
	struct mergeid *m = ctx;

	*v = mergeid_add(m, rec, &why->field, &why->reason) ? RS_REJECT
							    : RS_PASS;
	if (m->sort_failed) {
		*err = m->sort_err;
		return -1;
	}
	return 0;
}

void mergeid_handler(struct mergeid *m, struct rs_handler *h)
{
	*h = (struct rs_handler){.bind = bind, .record = take, .ctx = m};
}
