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
	struct src *s;

	if (m->n_srcs && header_equal(&m->srcs[m->n_srcs - 1].h, h) &&
	    !strcmp(m->srcs[m->n_srcs - 1].name, name))
		return 0;
	m->srcs = xrealloc(m->srcs, (m->n_srcs + 1) * sizeof(*m->srcs));
	s = &m->srcs[m->n_srcs++];
	header_init(&s->h);
	header_set(&s->h, &h->names);
	s->name = xstrdup(name);
	s->col[E_SOURCE] = h->canon[CF_SOURCE];
	s->col[E_SOURCE_ID] = h->canon[CF_SOURCE_ID];
	s->col[E_CLUSTER] = header_find(h, COL_CLUSTER_ID);
	s->issues_col = header_find(h, COL_ISSUES);
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		s->col[E_FIELDS + f - SURVIVE_FIRST] = h->canon[f];
	if (s->col[E_SOURCE] < 0 || s->col[E_SOURCE_ID] < 0)
		return mbr_fail(
			err, MBR_EIO,
			"%s: no '%s' column (expected canonical records)", name,
			s->col[E_SOURCE] < 0 ? "source" : "source_id");
	if (s->col[E_CLUSTER] < 0)
		return mbr_fail(err, MBR_EIO,
				"%s: no 'cluster_id' column (expected the "
				"output of mbr-dedupe)",
				name);
	return 0;
}

static struct strview col_value(const struct src *s, const struct record *rec,
				int e)
{
	return s->col[e] < 0 ? svn("", 0)
			     : record_field(rec, (size_t)s->col[e]);
}

/* What survive_check needs: the record's values by canonical field. */
static void rec_member(const struct src *s, const struct record *rec,
		       struct survive_member *mb)
{
	memset(mb, 0, sizeof(*mb));
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		mb->f[f] = col_value(s, rec, E_FIELDS + f - SURVIVE_FIRST);
}

/* Why rec cannot be taken, or NULL. */
static const char *rec_problem(const struct mergeid *m, const struct src *s,
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
		if (sv_trim(col_value(s, rec, required[i].e)).len == 0) {
			*field = required[i].field;
			return "missing";
		}
	}
	rec_member(s, rec, &mb);
	f = survive_check(m->rules, &mb, &why);
	if (f >= 0) {
		*field = canon_name((enum canon_field)f);
		return why;
	}
	return NULL;
}

/* Which of rec's values survivorship should pass over when it can. */
static uint32_t rec_doubtful(const struct src *s, const struct record *rec)
{
	struct survive_member mb;
	struct strview issues = svn("", 0);

	rec_member(s, rec, &mb);
	if (s->issues_col >= 0)
		issues = record_field(rec, (size_t)s->issues_col);
	return survive_doubtful(&mb, issues);
}

/* S_CLUSTER's key: the cluster's hash (so that one cluster's records sit
 * together; the clusters' order is not used), cluster_id, source and
 * source_id; its value: the old master, the doubtful bits and the packed
 * body. */
int cluster_entry(struct mergeid *m, const struct src *s,
		  const struct record *rec, uint64_t old, struct mbr_err *err)
{
	struct strview cluster = col_value(s, rec, E_CLUSTER);
	long long x;

	buf_reset(&m->skey);
	be64_put(&m->skey, hash_bytes(cluster));
	skey_put(&m->skey, cluster);
	skey_put(&m->skey, col_value(s, rec, E_SOURCE));
	skey_put(&m->skey, col_value(s, rec, E_SOURCE_ID));
	buf_reset(&m->enc);
	be64_put(&m->enc, old);
	be64_put(&m->enc, rec_doubtful(s, rec));
	for (int e = 0; e < E_COUNT; e++)
		enc_put(&m->enc, col_value(s, rec, e));
	if (survive_parse_int(
		    sv_trim(col_value(s, rec,
				      E_FIELDS + CF_POINTS - SURVIVE_FIRST)),
		    &x) == 0)
		m->stats.points_in += x;
	m->stats.records++;
	return sort_add(m, S_CLUSTER, buf_view(&m->skey), buf_view(&m->enc),
			err);
}

/* Into S_KEY: 'r', the source it came from, its row and line, its
 * position in the input, and the whole record (it may yet be rejected as
 * a repeat, with all its columns). */
int mergeid_add(struct mergeid *m, const struct record *rec, const char **field,
		const char **reason)
{
	const struct src *s = m->n_srcs ? &m->srcs[m->n_srcs - 1] : NULL;

	m->took_records = true;
	if (!s) { /* never bound: it has no source column */
		*field = "source";
		*reason = "missing";
		return 1;
	}
	*reason = rec_problem(m, s, rec, field);
	if (*reason)
		return 1;
	buf_reset(&m->skey);
	skey_put(&m->skey, col_value(s, rec, E_SOURCE));
	skey_put(&m->skey, col_value(s, rec, E_SOURCE_ID));
	buf_reset(&m->enc);
	buf_addc(&m->enc, 'r');
	be64_put(&m->enc, m->n_srcs - 1);
	be64_put(&m->enc, rec->row);
	be64_put(&m->enc, rec->line);
	be64_put(&m->enc, m->n_in++);
	extsort_pack_record(rec, &m->enc);
	if (!m->sort_failed && sort_add(m, S_KEY, buf_view(&m->skey),
					buf_view(&m->enc), &m->sort_err) < 0)
		m->sort_failed = true;
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

/* The next records come from file name, under the same header: a source
 * of its own, so that a repeat found later is named by its file. */
static void file(void *ctx, const char *name)
{
	struct mergeid *m = ctx;
	struct src *s;

	if (!m->n_srcs || !strcmp(m->srcs[m->n_srcs - 1].name, name))
		return;
	m->srcs = xrealloc(m->srcs, (m->n_srcs + 1) * sizeof(*m->srcs));
	s = &m->srcs[m->n_srcs];
	*s = m->srcs[m->n_srcs - 1];
	header_init(&s->h);
	header_set(&s->h, &m->srcs[m->n_srcs - 1].h.names);
	s->name = xstrdup(name);
	m->n_srcs++;
}

void mergeid_handler(struct mergeid *m, struct rs_handler *h)
{
	*h = (struct rs_handler){
		.bind = bind, .record = take, .file = file, .ctx = m};
}
