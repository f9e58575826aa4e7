/*
 * mergeid: clusters -> masters, master IDs kept through the crosswalk.
 *
 * Data: every record's key (source, source_id, cluster_id) is packed in
 * an arena (see enc_put), and the whole record into `bodies`, an external
 * sort (extsort.h) that gives the records back by cluster, in the order
 * build_clusters puts them, one cluster at a time; `keys` holds one
 * entry per (source, source_id) seen in the crosswalk or the input, found
 * through a hash index; `masters` one entry per master ID; `recs` one
 * entry per record taken, sorted by cluster by mergeid_assign; `clusters`
 * the runs of equal cluster_id in recs.
 */
#include "mergeid.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "csvio.h"
#include "extsort.h"
#include "hash.h"
#include "reject.h"
#include "stage.h"

#define NONE UINT32_MAX
#define BLOCK_SIZE ((size_t)4 << 20)
#define MAX_WIDTH 20

/* Packed record: source, source_id, cluster_id, then the survived
 * fields, each as a LEB128 length and its bytes. */
enum { E_SOURCE, E_SOURCE_ID, E_CLUSTER, E_FIELDS };
#define E_COUNT (E_FIELDS + CF_COUNT - SURVIVE_FIRST)

struct arena {
	char **blocks; /* owned */
	size_t n_blocks;
	char *cur; /* free space in the last block */
	size_t left;
};

struct key {
	const unsigned char *p; /* packed source, source_id (arena) */
	uint32_t old;		/* master in the earlier crosswalk, or NONE */
	uint32_t rec;		/* position in recs of this input's record */
};

enum master_state {
	M_LIVE,	   /* an ID of the earlier crosswalk */
	M_RETIRED, /* retired in an earlier run */
	M_MERGED,  /* retired in this run */
	M_NEW,	   /* issued in this run */
};

struct master {
	const char *id; /* arena; NUL-terminated */
	uint32_t id_len;
	uint64_t seq;
	uint32_t into;	     /* the master it was merged into, or NONE */
	uint32_t home;	     /* the cluster keeping this ID, or NONE */
	uint32_t home_n;     /* its records in home */
	uint32_t home_first; /* position of the first of them */
	uint32_t mark;	     /* cluster being counted + 1 */
	uint32_t count;	     /* its records in that cluster */
	uint32_t first;	     /* position of the first of them */
	enum master_state state;
};

struct rec {
	uint64_t hash; /* of cluster_id: equal clusters sort together */
	const unsigned char *p; /* packed source, source_id, cluster_id */
	uint32_t key;		/* its entry in keys */
	uint32_t cluster;	/* set by mergeid_assign */
	uint32_t doubtful;	/* survive_doubtful's bits */
};

struct cluster {
	uint32_t first; /* position in recs */
	uint32_t n;
	uint32_t master;
};

struct idfmt {
	char *text;   /* owned: as given, for messages */
	char *prefix; /* owned: text before the number */
	char *suffix; /* owned: text after it */
	size_t prefix_len, suffix_len;
	int width; /* zero-padded to this many digits */
};

struct mergeid {
	struct idfmt fmt;
	const struct survive_rules *rules; /* borrowed, or own_rules */
	struct survive_rules own_rules;	   /* owned: defaults when none given */
	struct arena arena;
	struct key *keys; /* owned */
	size_t n_keys, cap_keys;
	struct hash_table key_index;
	struct master *masters; /* owned */
	size_t n_masters, cap_masters;
	struct hash_table master_index;
	struct rec *recs; /* owned */
	size_t n_recs, cap_recs;
	struct cluster *clusters; /* owned */
	size_t n_clusters;
	uint64_t max_seq; /* highest sequence number ever issued */
	int col[E_COUNT]; /* input column of each packed field, or -1 */
	int issues_col;	  /* the input's _issues column, or -1 */
	struct buf enc;	  /* the record being packed */
	struct buf tmp;	  /* scratch text */
	uint32_t *list;	  /* owned: scratch list of masters */
	size_t cap_list;
	bool assigned;
	struct mergeid_stats stats;
	struct extsort *bodies;	 /* owned: every record packed, by cluster */
	size_t memory;		 /* each sort's budget: half of --memory */
	const char *tmpdir;	 /* borrowed: where sorts spill, or NULL */
	bool bodies_read;	 /* golden records were made (once only) */
	struct mbr_err sort_err; /* a failed write of a sort run */
	bool sort_failed;
	struct buf skey; /* the sort key being made */
};

/*
 * Arena: records live until mergeid_free, in blocks that never move.
 */

static void *arena_alloc(struct arena *a, size_t n)
{
	char *p;

	if (n > a->left) {
		size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;

		a->blocks =
			xrealloc(a->blocks, (a->n_blocks + 1) * sizeof(char *));
		a->cur = a->blocks[a->n_blocks++] = xmalloc(size);
		a->left = size;
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

static void arena_release(struct arena *a)
{
	for (size_t i = 0; i < a->n_blocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

static const char *arena_str(struct arena *a, struct strview v)
{
	char *p = arena_alloc(a, v.len + 1);

	memcpy(p, v.p, v.len);
	p[v.len] = '\0';
	return p;
}

/*
 * Packing
 */

static void enc_put(struct buf *b, struct strview v)
{
	unsigned char *q;
	size_t n = v.len;

	buf_grow(b, v.len + 10); /* no limit: cannot fail */
	q = (unsigned char *)b->p + b->len;
	do {
		*q = n & 0x7f;
		n >>= 7;
		*q++ |= n ? 0x80 : 0;
	} while (n);
	if (v.len)
		memcpy(q, v.p, v.len);
	b->len = (size_t)(q - (unsigned char *)b->p) + v.len;
	b->p[b->len] = '\0';
}

static const unsigned char *enc_get(const unsigned char *p, struct strview *v)
{
	size_t n = 0;
	int shift = 0;

	do {
		n |= (size_t)(*p & 0x7f) << shift;
		shift += 7;
	} while (*p++ & 0x80);
	*v = svn((const char *)p, n);
	return p + n;
}

/* Tie order of two packed keys: source, then source_id. */
static int key_cmp(const unsigned char *a, const unsigned char *b)
{
	struct strview as, ai, bs, bi;
	int c;

	a = enc_get(enc_get(a, &as), &ai);
	b = enc_get(enc_get(b, &bs), &bi);
	c = sv_cmp(as, bs);
	return c ? c : sv_cmp(ai, bi);
}

/* A record's key: (source, source_id). */
static uint64_t key_hash(struct strview source, struct strview source_id)
{
	return hash_pair(source, source_id);
}

/*
 * Keys
 */

struct key_want {
	struct strview source, source_id;
};

static bool key_eq(const void *ctx, uint32_t k, const void *want)
{
	const struct mergeid *m = ctx;
	const struct key_want *w = want;
	struct strview s, i;

	enc_get(enc_get(m->keys[k].p, &s), &i);
	return sv_eq(s, w->source) && sv_eq(i, w->source_id);
}

/* The slot of (source, source_id): an entry, or where to add one. */
static struct hash_slot *key_slot(struct mergeid *m, struct strview source,
				  struct strview source_id, uint64_t *h)
{
	struct key_want w = {source, source_id};

	*h = key_hash(source, source_id);
	return hash_find(&m->key_index, *h, key_eq, m, &w);
}

/* Add a key whose packed bytes are p into the empty slot. */
static uint32_t key_add(struct mergeid *m, struct hash_slot *slot, uint64_t h,
			const unsigned char *p)
{
	if (m->n_keys == m->cap_keys) {
		m->cap_keys = m->cap_keys ? 2 * m->cap_keys : 1024;
		m->keys = xrealloc(m->keys, m->cap_keys * sizeof(*m->keys));
	}
	m->keys[m->n_keys] = (struct key){p, NONE, NONE};
	hash_put(&m->key_index, slot, h, (uint32_t)m->n_keys);
	return (uint32_t)m->n_keys++;
}

/*
 * Master IDs and their format
 */

static void idfmt_release(struct idfmt *f)
{
	free(f->text);
	free(f->prefix);
	free(f->suffix);
	memset(f, 0, sizeof(*f));
}

/* At p, a conversion "%d" or "%0Nd": its width (0 for %d), with *d on
 * the 'd'; -1 for anything else. */
static int conv_at(const char *p, const char **d)
{
	char *end;
	long w;

	if (p[1] == 'd') {
		*d = p + 1;
		return 0;
	}
	if (p[1] != '0')
		return -1;
	w = strtol(p + 1, &end, 10);
	if (*end != 'd' || w < 1 || w > MAX_WIDTH)
		return -1;
	*d = end;
	return (int)w;
}

/* Split "M%010d" into "M", width 10, "". */
static int idfmt_parse(struct idfmt *f, const char *fmt, struct mbr_err *err)
{
	struct buf part[2];
	int n = 0;

	buf_init(&part[0], BUF_NOLIMIT);
	buf_init(&part[1], BUF_NOLIMIT);
	for (const char *p = fmt; *p && n < 2; p++) {
		if (*p != '%')
			buf_addc(&part[n], *p);
		else if (p[1] == '%')
			buf_addc(&part[n], *++p);
		else if (n == 0 && (f->width = conv_at(p, &p)) >= 0)
			n = 1;
		else
			n = 2;
	}
	if (n != 1) {
		buf_release(&part[0]);
		buf_release(&part[1]);
		return mbr_fail(err, MBR_ECONFIG,
				"--id-format '%s': expected text with one %%d "
				"or %%0Nd (N up to 20), e.g. M%%010d",
				fmt);
	}
	f->text = xstrdup(fmt);
	f->prefix_len = part[0].len;
	f->suffix_len = part[1].len;
	f->prefix = buf_detach(&part[0]);
	f->suffix = buf_detach(&part[1]);
	return 0;
}

static void idfmt_print(const struct idfmt *f, uint64_t seq, struct buf *out)
{
	buf_reset(out);
	buf_add(out, f->prefix, f->prefix_len);
	buf_addf(out, "%0*llu", f->width, (unsigned long long)seq);
	buf_add(out, f->suffix, f->suffix_len);
}

/* The sequence number of id, when the format gives exactly id for it. */
static int idfmt_seq(const struct idfmt *f, struct strview id, uint64_t *seq,
		     struct buf *tmp)
{
	struct strview d;
	uint64_t n = 0;

	if (id.len < f->prefix_len + f->suffix_len + 1 ||
	    memcmp(id.p, f->prefix, f->prefix_len) ||
	    memcmp(id.p + id.len - f->suffix_len, f->suffix, f->suffix_len))
		return -1;
	d = svn(id.p + f->prefix_len, id.len - f->prefix_len - f->suffix_len);
	if (d.len > MAX_WIDTH)
		return -1;
	for (size_t i = 0; i < d.len; i++) {
		if (d.p[i] < '0' || d.p[i] > '9')
			return -1;
		n = n * 10 + (uint64_t)(d.p[i] - '0');
	}
	if (n == 0 || n > UINT64_MAX / 4)
		return -1;
	idfmt_print(f, n, tmp);
	if (!sv_eq(buf_view(tmp), id)) /* "M7" is not "M0000000007" */
		return -1;
	*seq = n;
	return 0;
}

static bool master_eq(const void *ctx, uint32_t i, const void *want)
{
	const struct mergeid *m = ctx;
	const struct strview *id = want;

	return sv_eq(svn(m->masters[i].id, m->masters[i].id_len), *id);
}

static uint32_t master_new(struct mergeid *m, struct strview id, uint64_t seq,
			   enum master_state state)
{
	struct master *ms;

	if (m->n_masters == m->cap_masters) {
		m->cap_masters = m->cap_masters ? 2 * m->cap_masters : 1024;
		m->masters = xrealloc(m->masters,
				      m->cap_masters * sizeof(*m->masters));
	}
	ms = &m->masters[m->n_masters];
	memset(ms, 0, sizeof(*ms));
	ms->id = arena_str(&m->arena, id);
	ms->id_len = (uint32_t)id.len;
	ms->seq = seq;
	ms->into = ms->home = NONE;
	ms->state = state;
	if (seq > m->max_seq)
		m->max_seq = seq;
	return (uint32_t)m->n_masters++;
}

/* The master with this ID, added when new. */
static int master_get(struct mergeid *m, struct strview id, const char *where,
		      uint32_t *out, struct mbr_err *err)
{
	uint64_t h = hash_bytes(id), seq;
	struct hash_slot *slot =
		hash_find(&m->master_index, h, master_eq, m, &id);

	if (slot->key) {
		*out = slot->value;
		return 0;
	}
	if (idfmt_seq(&m->fmt, id, &seq, &m->tmp) < 0)
		return mbr_fail(
			err, MBR_ECONFIG,
			"%s: master ID '%.*s' is not what --id-format '%s' "
			"gives (expected the format of earlier runs)",
			where, (int)id.len, id.p, m->fmt.text);
	*out = master_new(m, id, seq, M_LIVE);
	hash_put(&m->master_index, slot, h, *out);
	return 0;
}

/* The live master that i was merged into, or i. */
static uint32_t live(const struct mergeid *m, uint32_t i)
{
	while (m->masters[i].into != NONE)
		i = m->masters[i].into;
	return i;
}

/*
 * Lifecycle
 */

struct mergeid *mergeid_new(const struct mergeid_opts *o, struct mbr_err *err)
{
	struct mergeid *m = xcalloc(1, sizeof(*m));

	if (idfmt_parse(&m->fmt,
			o->id_format ? o->id_format : MERGEID_DEFAULT_FORMAT,
			err) < 0) {
		free(m);
		return NULL;
	}
	m->rules = o->rules;
	if (!m->rules) {
		survive_rules_init(&m->own_rules);
		m->rules = &m->own_rules;
	}
	buf_init(&m->enc, BUF_NOLIMIT);
	buf_init(&m->tmp, BUF_NOLIMIT);
	buf_init(&m->skey, BUF_NOLIMIT);
	m->memory = (o->memory ? o->memory : extsort_default_budget()) / 2;
	m->tmpdir = o->tmpdir;
	m->bodies = extsort_new(m->memory, m->tmpdir);
	for (int i = 0; i < E_COUNT; i++)
		m->col[i] = -1;
	m->issues_col = -1;
	return m;
}

void mergeid_free(struct mergeid *m)
{
	if (!m)
		return;
	idfmt_release(&m->fmt);
	survive_rules_release(&m->own_rules);
	arena_release(&m->arena);
	free(m->keys);
	hash_release(&m->key_index);
	free(m->masters);
	hash_release(&m->master_index);
	free(m->recs);
	free(m->clusters);
	free(m->list);
	buf_release(&m->enc);
	buf_release(&m->tmp);
	buf_release(&m->skey);
	extsort_free(m->bodies);
	free(m);
}

const struct mergeid_stats *mergeid_stats(const struct mergeid *m)
{
	return &m->stats;
}

/*
 * The earlier crosswalk
 */

static int xref_retired(struct mergeid *m, struct strview id,
			struct strview into, const char *where,
			struct mbr_err *err)
{
	uint32_t a, b;

	if (master_get(m, id, where, &a, err) < 0 ||
	    master_get(m, into, where, &b, err) < 0)
		return -1;
	if (a == b)
		return mbr_fail(err, MBR_EIO, "%s: '%s' is merged into itself",
				where, m->masters[a].id);
	if (m->masters[a].into != NONE && m->masters[a].into != b)
		return mbr_fail(err, MBR_EIO,
				"%s: '%s' is merged into two masters", where,
				m->masters[a].id);
	m->masters[a].into = b;
	m->masters[a].state = M_RETIRED;
	return 0;
}

static int xref_record(struct mergeid *m, struct strview source,
		       struct strview source_id, struct strview id,
		       const char *where, struct mbr_err *err)
{
	uint64_t h;
	struct hash_slot *slot = key_slot(m, source, source_id, &h);
	uint32_t k, master;

	if (slot->key && m->keys[slot->value].old != NONE)
		return mbr_fail(err, MBR_EIO,
				"%s: the record '%.*s' / '%.*s' has a row "
				"already (expected one row per record)",
				where, (int)source.len, source.p,
				(int)(source_id.len > 4 ? 4 : source_id.len),
				source_id.p);
	if (master_get(m, id, where, &master, err) < 0)
		return -1;
	if (slot->key) {
		k = slot->value;
	} else {
		buf_reset(&m->enc);
		enc_put(&m->enc, source);
		enc_put(&m->enc, source_id);
		k = key_add(m, slot, h,
			    memcpy(arena_alloc(&m->arena, m->enc.len), m->enc.p,
				   m->enc.len));
	}
	m->keys[k].old = master;
	return 0;
}

int mergeid_add_xref(struct mergeid *m, struct strview source,
		     struct strview source_id, struct strview master_id,
		     struct strview merged_into, const char *where,
		     struct mbr_err *err)
{
	if (m->n_recs)
		return mbr_fail(err, MBR_EINTERNAL,
				"crosswalk rows after the first record");
	if (master_id.len == 0)
		return mbr_fail(err, MBR_EIO, "%s: empty master_id", where);
	if (source.len == 0 && source_id.len == 0) {
		if (merged_into.len == 0)
			return mbr_fail(
				err, MBR_EIO,
				"%s: neither a record (source, source_id) nor "
				"a retired ID (merged_into)",
				where);
		return xref_retired(m, master_id, merged_into, where, err);
	}
	if (source.len == 0 || source_id.len == 0 || merged_into.len)
		return mbr_fail(err, MBR_EIO,
				"%s: a record row needs source and source_id "
				"and no merged_into",
				where);
	return xref_record(m, source, source_id, master_id, where, err);
}

static const char *const xref_cols[] = {"source", "source_id", "master_id",
					"merged_into"};

static int xref_bind(const struct header *h, const char *path, int col[4],
		     struct mbr_err *err)
{
	for (int i = 0; i < 4; i++) {
		col[i] = header_find(h, xref_cols[i]);
		if (col[i] < 0)
			return mbr_fail(
				err, MBR_EIO,
				"%s: no '%s' column (expected "
				"source,source_id,master_id,merged_into)",
				path, xref_cols[i]);
	}
	return 0;
}

static int xref_read(struct mergeid *m, struct csvio_reader *r,
		     const char *path, struct mbr_err *err)
{
	struct record rec;
	int col[4], st, rc = 0;
	char where[300];

	if (header_count(csvio_header(r)) == 0)
		return 0; /* an empty file */
	if (xref_bind(csvio_header(r), path, col, err) < 0)
		return -1;
	record_init(&rec);
	/* CSVIO_STRICT: a row csvio cannot parse ends the read (st < 0). */
	while (rc == 0 && (st = csvio_read(r, &rec, err)) == CSVIO_ROW) {
		snprintf(where, sizeof(where), "%s:%lu", path, rec.line);
		rc = mergeid_add_xref(m, record_field(&rec, col[0]),
				      record_field(&rec, col[1]),
				      record_field(&rec, col[2]),
				      record_field(&rec, col[3]), where, err);
	}
	if (rc == 0 && st == CSVIO_BAD)
		rc = mbr_fail(err, MBR_EIO, "%s: record %lu: %s", path,
			      csvio_bad_row(r), csvio_bad_reason(r));
	record_release(&rec);
	return st < 0 ? -1 : rc;
}

int mergeid_load_xref(struct mergeid *m, const char *path, struct mbr_err *err)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct csvio_reader *r;
	struct stat st;
	int rc;

	/* No file, or an empty one (touch xref.csv): the first run. */
	if (stat(path, &st) != 0 ? errno == ENOENT
				 : S_ISREG(st.st_mode) && st.st_size == 0)
		return 0;
	o.flags |= CSVIO_STRICT;
	r = csvio_open(&path, 1, &o, err);
	if (!r)
		return -1;
	rc = xref_read(m, r, path, err);
	csvio_close(r);
	return rc;
}

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
static int rec_cmp(const void *a, const void *b)
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
		qsort(m->recs, m->n_recs, sizeof(*m->recs), rec_cmp);
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
	qsort(u, n, sizeof(*u), unnamed_cmp);
	for (size_t i = 0; i < n; i++) {
		idfmt_print(&m->fmt, m->max_seq + 1, &m->tmp);
		m->clusters[u[i].cluster].master =
			master_new(m, buf_view(&m->tmp), m->max_seq + 1, M_NEW);
	}
	m->stats.issued = n;
	free(u);
}

static uint32_t rec_master(const struct mergeid *m, uint32_t i)
{
	return m->clusters[m->recs[i].cluster].master;
}

/* A record moved when its master changed other than by a merge. */
static bool rec_moved(const struct mergeid *m, uint32_t i)
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

/*
 * Outputs. Rows go through an emit function, so that the same rows can
 * go to a CSV file or elsewhere.
 */

typedef int (*emit_fn)(void *ctx, const struct strview *f, size_t n,
		       struct mbr_err *err);

static int emit_csv(void *ctx, const struct strview *f, size_t n,
		    struct mbr_err *err)
{
	(void)err;
	csvio_write_fields(ctx, f, n);
	return 0;
}

static struct strview master_id(const struct mergeid *m, uint32_t i)
{
	return svn(m->masters[i].id, m->masters[i].id_len);
}

struct by_id {
	struct strview id;
	uint32_t i; /* a cluster or a master */
};

static int by_id_cmp(const void *a, const void *b)
{
	const struct by_id *x = a, *y = b;

	return sv_cmp(x->id, y->id);
}

/* Golden records and their lineage */

#define N_GOLDEN (CF_COUNT + 3)
#define N_LINEAGE 6

static const char *const golden_tail[] = {COL_MASTER_ID, "member_count",
					  "sources"};
static const char *const lineage_cols[N_LINEAGE] = {
	"master_id", "field", "value", "source", "source_id", "rule"};

struct golden_ctx {
	struct survive_member *mb; /* owned: the cluster's members */
	size_t cap;
	struct survive_golden g;
	struct buf sources;
	struct buf rule; /* a lineage row's rule with its note */
	emit_fn emit;
	void *ctx;
	bool header;	      /* emit a header row first (CSV) */
	emit_fn emit_lineage; /* NULL: no lineage */
	void *lineage_ctx;
	char row[24], count[24];
	struct buf body; /* the cluster's records, as bodies gave them */
	size_t *off;	 /* owned: where each starts in body */
	size_t cap_off;
	struct buf rows; /* a master's golden and lineage rows, packed */
};

static void decode_member(const unsigned char *p, struct survive_member *mb)
{
	struct strview cluster;

	p = enc_get(enc_get(p, &mb->f[CF_SOURCE]), &mb->f[CF_SOURCE_ID]);
	p = enc_get(p, &cluster);
	mb->f[CF_SOURCE_ROW] = svn("", 0);
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		p = enc_get(p, &mb->f[f]);
}

/* Read cluster cl's records from bodies (they come in tie order, the
 * order of recs), decode them and list their sources. */
static int load_members(struct mergeid *m, struct golden_ctx *gc,
			const struct cluster *cl, struct mbr_err *err)
{
	struct strview k, v;

	if (cl->n > gc->cap) {
		gc->cap = cl->n > 2 * gc->cap ? cl->n : 2 * gc->cap;
		gc->mb = xrealloc(gc->mb, gc->cap * sizeof(*gc->mb));
		gc->off = xrealloc(gc->off, gc->cap * sizeof(*gc->off));
	}
	buf_reset(&gc->body);
	for (uint32_t i = 0; i < cl->n; i++) {
		int rc = extsort_next(m->bodies, &k, &v, err);

		if (rc < 0)
			return -1;
		if (rc == 0)
			return mbr_fail(err, MBR_EINTERNAL,
					"fewer sorted records than records");
		gc->off[i] = gc->body.len;
		buf_addsv(&gc->body, v);
	}
	buf_reset(&gc->sources);
	for (uint32_t i = 0; i < cl->n; i++) {
		struct survive_member *mb = &gc->mb[i];

		decode_member((const unsigned char *)gc->body.p + gc->off[i],
			      mb);
		mb->doubtful = m->recs[cl->first + i].doubtful;
		if (i && sv_eq(mb->f[CF_SOURCE], mb[-1].f[CF_SOURCE]))
			continue;
		if (i)
			buf_addc(&gc->sources, ';');
		buf_addsv(&gc->sources, mb->f[CF_SOURCE]);
	}
	return 0;
}

/* The rule that chose f's value, and how sound the value is. */
static struct strview lineage_rule(const struct mergeid *m,
				   struct golden_ctx *gc, int f)
{
	const char *note = survive_note_str(gc->g.note[f]);

	if (!*note)
		return sv(m->rules->rule[f].text);
	buf_reset(&gc->rule);
	buf_addf(&gc->rule, "%s; %s", m->rules->rule[f].text, note);
	return buf_view(&gc->rule);
}

static int emit_lineage(const struct mergeid *m, struct golden_ctx *gc,
			struct strview id, struct mbr_err *err)
{
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		long from = gc->g.from[f];
		struct strview row[N_LINEAGE] = {
			id,
			sv(canon_name((enum canon_field)f)),
			gc->g.value[f],
			from < 0 ? svn("", 0) : gc->mb[from].f[CF_SOURCE],
			from < 0 ? svn("", 0) : gc->mb[from].f[CF_SOURCE_ID],
			lineage_rule(m, gc, f),
		};

		if (gc->g.value[f].len &&
		    gc->emit_lineage(gc->lineage_ctx, row, N_LINEAGE, err) < 0)
			return -1;
	}
	return 0;
}

static int golden_one(struct mergeid *m, struct golden_ctx *gc,
		      const struct by_id *b, size_t row, struct mbr_err *err)
{
	const struct cluster *cl = &m->clusters[b->i];
	struct strview f[N_GOLDEN];
	survive_sum points;

	if (load_members(m, gc, cl, err) < 0)
		return -1;
	if (survive_apply(m->rules, gc->mb, cl->n, &gc->g, err) < 0)
		return -1;
	memcpy(f, gc->g.value, CF_COUNT * sizeof(*f));
	snprintf(gc->row, sizeof(gc->row), "%zu", row);
	snprintf(gc->count, sizeof(gc->count), "%u", cl->n);
	f[CF_SOURCE] = sv("master");
	f[CF_SOURCE_ID] = b->id;
	f[CF_SOURCE_ROW] = sv(gc->row);
	f[CF_COUNT] = b->id;
	f[CF_COUNT + 1] = sv(gc->count);
	f[CF_COUNT + 2] = buf_view(&gc->sources);
	if (survive_parse_sum(f[CF_POINTS], &points) == 0)
		m->stats.points_out += points;
	if (gc->emit(gc->ctx, f, N_GOLDEN, err) < 0)
		return -1;
	return gc->emit_lineage ? emit_lineage(m, gc, b->id, err) : 0;
}

static int golden_header(struct golden_ctx *gc, struct mbr_err *err)
{
	struct strview f[N_GOLDEN], l[N_LINEAGE];

	for (int i = 0; i < CF_COUNT; i++)
		f[i] = sv(canon_name((enum canon_field)i));
	for (int i = 0; i < 3; i++)
		f[CF_COUNT + i] = sv(golden_tail[i]);
	for (int i = 0; i < N_LINEAGE; i++)
		l[i] = sv(lineage_cols[i]);
	if (gc->header && gc->emit(gc->ctx, f, N_GOLDEN, err) < 0)
		return -1;
	if (gc->emit_lineage &&
	    gc->emit_lineage(gc->lineage_ctx, l, N_LINEAGE, err) < 0)
		return -1;
	return 0;
}

/* A row into gc->rows: a tag (g golden, l lineage), the number of fields,
 * then each field's length and bytes. */
static void rows_put(struct golden_ctx *gc, char tag, const struct strview *f,
		     size_t n)
{
	uint32_t len = (uint32_t)n;

	buf_addc(&gc->rows, tag);
	buf_add(&gc->rows, &len, sizeof(len));
	for (size_t i = 0; i < n; i++) {
		len = (uint32_t)f[i].len;
		buf_add(&gc->rows, &len, sizeof(len));
		buf_add(&gc->rows, f[i].p, f[i].len);
	}
}

static int capture_golden(void *ctx, const struct strview *f, size_t n,
			  struct mbr_err *err)
{
	(void)err;
	rows_put(ctx, 'g', f, n);
	return 0;
}

static int capture_lineage(void *ctx, const struct strview *f, size_t n,
			   struct mbr_err *err)
{
	(void)err;
	rows_put(ctx, 'l', f, n);
	return 0;
}

/* The rows rows_put packed into v, through gc's emitters. */
static int rows_replay(struct golden_ctx *gc, struct strview v,
		       struct mbr_err *err)
{
	struct strview f[N_GOLDEN];
	size_t i = 0;

	while (i < v.len) {
		char tag = v.p[i++];
		uint32_t n, len;
		int rc;

		memcpy(&n, v.p + i, sizeof(n));
		i += sizeof(n);
		for (uint32_t j = 0; j < n && j < N_GOLDEN; j++) {
			memcpy(&len, v.p + i, sizeof(len));
			i += sizeof(len);
			f[j] = svn(v.p + i, len);
			i += len;
		}
		rc = tag == 'g' ? gc->emit(gc->ctx, f, n, err)
				: gc->emit_lineage(gc->lineage_ctx, f, n, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Each master's rows, made cluster by cluster as bodies gives the
 * records, then sorted by master ID (a second extsort) and replayed. */
static int golden_sorted(struct mergeid *m, struct golden_ctx *gc,
			 const uint32_t *rank, struct extsort *out,
			 struct mbr_err *err)
{
	emit_fn out_emit = gc->emit, out_lineage = gc->emit_lineage;
	void *out_ctx = gc->ctx, *out_lineage_ctx = gc->lineage_ctx;
	struct strview k, v;
	int rc = 0;

	/* golden_one's rows go into gc->rows while the clusters are made */
	gc->emit = capture_golden;
	gc->ctx = gc;
	gc->emit_lineage = out_lineage ? capture_lineage : NULL;
	gc->lineage_ctx = gc;
	for (uint32_t c = 0; rc == 0 && c < m->n_clusters; c++) {
		struct by_id b = {master_id(m, m->clusters[c].master), c};

		buf_reset(&gc->rows);
		rc = golden_one(m, gc, &b, rank[c] + 1, err);
		if (rc == 0)
			rc = extsort_add(out, b.id, buf_view(&gc->rows), err);
	}
	gc->emit = out_emit;
	gc->ctx = out_ctx;
	gc->emit_lineage = out_lineage;
	gc->lineage_ctx = out_lineage_ctx;
	if (rc == 0)
		rc = extsort_finish(out, err);
	while (rc == 0 && (rc = extsort_next(out, &k, &v, err)) > 0)
		rc = rows_replay(gc, v, err);
	return rc;
}

static int golden_rows(struct mergeid *m, struct golden_ctx *gc,
		       struct mbr_err *err)
{
	struct by_id *order = xmalloc((m->n_clusters + 1) * sizeof(*order));
	uint32_t *rank = xmalloc((m->n_clusters + 1) * sizeof(*rank));
	struct extsort *out;
	int rc;

	if (m->bodies_read) {
		free(order);
		free(rank);
		return mbr_fail(err, MBR_EINTERNAL,
				"golden records made twice");
	}
	m->bodies_read = true;
	for (uint32_t c = 0; c < m->n_clusters; c++)
		order[c] =
			(struct by_id){master_id(m, m->clusters[c].master), c};
	qsort(order, m->n_clusters, sizeof(*order), by_id_cmp);
	for (uint32_t i = 0; i < m->n_clusters; i++)
		rank[order[i].i] = i;
	free(order);
	m->stats.points_out = 0;
	out = extsort_new(m->memory, m->tmpdir);
	rc = golden_header(gc, err);
	if (rc == 0)
		rc = golden_sorted(m, gc, rank, out, err);
	m->stats.sort_runs = extsort_n_runs(m->bodies) + extsort_n_runs(out);
	extsort_free(out);
	free(rank);
	return rc;
}

static int not_assigned(struct mbr_err *err)
{
	return mbr_fail(err, MBR_EINTERNAL, "outputs before master IDs");
}

/* Flush w (when there is one) and free it. */
static int writer_done(struct csvio_writer *w, const struct mergeid_out *o,
		       int rc, struct mbr_err *err)
{
	if (w && rc == 0 && csvio_writer_flush(w, err) < 0)
		rc = mbr_prefix(err, "%s: ", o->name);
	csvio_writer_free(w);
	return rc;
}

/* Golden rows through emit, and lineage (a CSV file) when asked for. */
static int golden_write(struct mergeid *m, emit_fn emit, void *ctx, bool header,
			const struct mergeid_out *lineage, struct mbr_err *err)
{
	struct golden_ctx gc;
	struct csvio_writer *lw = NULL;
	int rc;

	if (!m->assigned)
		return not_assigned(err);
	memset(&gc, 0, sizeof(gc));
	survive_golden_init(&gc.g);
	buf_init(&gc.sources, BUF_NOLIMIT);
	buf_init(&gc.rule, BUF_NOLIMIT);
	buf_init(&gc.body, BUF_NOLIMIT);
	buf_init(&gc.rows, BUF_NOLIMIT);
	gc.emit = emit;
	gc.ctx = ctx;
	gc.header = header;
	if (lineage) {
		lw = csvio_writer_new(lineage->f, ',');
		gc.emit_lineage = emit_csv;
		gc.lineage_ctx = lw;
	}
	rc = golden_rows(m, &gc, err);
	rc = writer_done(lw, lineage, rc, err);
	survive_golden_release(&gc.g);
	buf_release(&gc.sources);
	buf_release(&gc.rule);
	buf_release(&gc.body);
	buf_release(&gc.rows);
	free(gc.mb);
	free(gc.off);
	return rc;
}

int mergeid_write_golden(struct mergeid *m, const struct mergeid_out *out,
			 const struct mergeid_out *lineage, struct mbr_err *err)
{
	struct csvio_writer *w = csvio_writer_new(out->f, ',');
	int rc = golden_write(m, emit_csv, w, true, lineage, err);

	return writer_done(w, out, rc, err);
}

/* The crosswalk. Rows have XREF_FIELDS fields: source, source_id,
 * master_id, merged_into, and "1" when the record is in this input. */

#define XREF_FIELDS 5

static int keyp_cmp(const void *a, const void *b)
{
	const struct key *const *x = a, *const *y = b;

	return key_cmp((*x)->p, (*y)->p);
}

/* Where key k ends up: its record's cluster, or (carried) the live master
 * its earlier master became. */
static uint32_t key_master(const struct mergeid *m, const struct key *k)
{
	if (k->rec != NONE)
		return rec_master(m, k->rec);
	return live(m, k->old);
}

static int xref_record_rows(const struct mergeid *m, emit_fn emit, void *ctx,
			    struct mbr_err *err)
{
	const struct key **order = xmalloc((m->n_keys + 1) * sizeof(*order));
	int rc = 0;

	for (size_t k = 0; k < m->n_keys; k++)
		order[k] = &m->keys[k];
	qsort(order, m->n_keys, sizeof(*order), keyp_cmp);
	for (size_t k = 0; rc == 0 && k < m->n_keys; k++) {
		struct strview f[XREF_FIELDS];

		enc_get(enc_get(order[k]->p, &f[0]), &f[1]);
		f[2] = master_id(m, key_master(m, order[k]));
		f[3] = svn("", 0);
		f[4] = sv(order[k]->rec != NONE ? "1" : "");
		rc = emit(ctx, f, XREF_FIELDS, err);
	}
	free(order);
	return rc;
}

static int xref_retired_rows(const struct mergeid *m, emit_fn emit, void *ctx,
			     struct mbr_err *err)
{
	struct by_id *order = xmalloc((m->n_masters + 1) * sizeof(*order));
	size_t n = 0;
	int rc = 0;

	for (uint32_t i = 0; i < m->n_masters; i++)
		if (m->masters[i].into != NONE)
			order[n++] = (struct by_id){master_id(m, i), i};
	qsort(order, n, sizeof(*order), by_id_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct strview f[XREF_FIELDS] = {
			svn("", 0),  svn("", 0),
			order[i].id, master_id(m, live(m, order[i].i)),
			svn("", 0),
		};

		rc = emit(ctx, f, XREF_FIELDS, err);
	}
	free(order);
	return rc;
}

static int xref_rows(const struct mergeid *m, emit_fn emit, void *ctx,
		     struct mbr_err *err)
{
	if (!m->assigned)
		return not_assigned(err);
	if (xref_record_rows(m, emit, ctx, err) < 0)
		return -1;
	return xref_retired_rows(m, emit, ctx, err);
}

/* The file has the first four fields (the fifth is for the database). */
static int emit_xref_csv(void *ctx, const struct strview *f, size_t n,
			 struct mbr_err *err)
{
	return emit_csv(ctx, f, n - 1, err);
}

int mergeid_write_xref(struct mergeid *m, const struct mergeid_out *out,
		       struct mbr_err *err)
{
	struct csvio_writer *w = csvio_writer_new(out->f, ',');
	struct strview h[4];

	for (int i = 0; i < 4; i++)
		h[i] = sv(xref_cols[i]);
	csvio_write_fields(w, h, 4);
	return writer_done(w, out, xref_rows(m, emit_xref_csv, w, err), err);
}

/* The changes report */

enum change_kind { CH_NEW, CH_MERGED, CH_MOVED, CH_ADDED };

static const char *const change_names[] = {"new", "merged", "moved", "added"};

struct change {
	struct strview id; /* the master it is about */
	enum change_kind kind;
	const unsigned char *key; /* a record's, or NULL */
	struct strview prev;	  /* the previous or retired master */
};

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	int c = sv_cmp(x->id, y->id);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->key && y->key)
		return key_cmp(x->key, y->key);
	return sv_cmp(x->prev, y->prev);
}

static size_t master_changes(const struct mergeid *m, struct change *ch)
{
	size_t n = 0;

	for (uint32_t i = 0; i < m->n_masters; i++) {
		const struct master *ms = &m->masters[i];

		if (ms->state == M_NEW)
			ch[n++] = (struct change){master_id(m, i), CH_NEW, NULL,
						  svn("", 0)};
		else if (ms->state == M_MERGED)
			ch[n++] = (struct change){master_id(m, ms->into),
						  CH_MERGED, NULL,
						  master_id(m, i)};
	}
	return n;
}

static size_t record_changes(const struct mergeid *m, struct change *ch)
{
	size_t n = 0;

	for (uint32_t i = 0; i < m->n_recs; i++) {
		uint32_t old = m->keys[m->recs[i].key].old;
		struct strview id = master_id(m, rec_master(m, i));

		if (old == NONE)
			ch[n++] = (struct change){id, CH_ADDED, m->recs[i].p,
						  svn("", 0)};
		else if (rec_moved(m, i))
			ch[n++] = (struct change){id, CH_MOVED, m->recs[i].p,
						  master_id(m, old)};
	}
	return n;
}

static int change_rows(const struct mergeid *m, emit_fn emit, void *ctx,
		       struct mbr_err *err)
{
	static const char *const cols[] = {"change", "master_id", "source",
					   "source_id", "previous_master_id"};
	struct change *ch =
		xmalloc((m->n_masters + m->n_recs + 1) * sizeof(*ch));
	size_t n = master_changes(m, ch);
	struct strview f[5];
	int rc;

	n += record_changes(m, ch + n);
	qsort(ch, n, sizeof(*ch), change_cmp);
	for (int i = 0; i < 5; i++)
		f[i] = sv(cols[i]);
	rc = emit(ctx, f, 5, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		f[0] = sv(change_names[ch[i].kind]);
		f[1] = ch[i].id;
		f[2] = f[3] = svn("", 0);
		if (ch[i].key)
			enc_get(enc_get(ch[i].key, &f[2]), &f[3]);
		f[4] = ch[i].prev;
		rc = emit(ctx, f, 5, err);
	}
	free(ch);
	return rc;
}

int mergeid_write_changes(struct mergeid *m, const struct mergeid_out *out,
			  struct mbr_err *err)
{
	struct csvio_writer *w;

	if (!m->assigned)
		return not_assigned(err);
	w = csvio_writer_new(out->f, ',');
	return writer_done(w, out, change_rows(m, emit_csv, w, err), err);
}

int mergeid_each_change(struct mergeid *m, emit_fn emit, void *ctx,
			struct mbr_err *err)
{
	if (!m->assigned)
		return not_assigned(err);
	return change_rows(m, emit, ctx, err);
}

/*
 * The staging database
 */

static int xref_query(struct mergeid *m, struct stage *st,
		      struct stage_cursor *c, const char *table,
		      struct mbr_err *err)
{
	struct record rec;
	char where[300];
	int rc = 0, n = 0;

	if (!c)
		return -1;
	record_init(&rec);
	while (rc == 0 && (n = stage_cursor_next(c, &rec, err)) > 0) {
		snprintf(where, sizeof(where), "%s: %s row %lu", stage_path(st),
			 table, rec.row);
		rc = mergeid_add_xref(m, record_field(&rec, 0),
				      record_field(&rec, 1),
				      record_field(&rec, 2),
				      record_field(&rec, 3), where, err);
	}
	record_release(&rec);
	stage_cursor_free(c);
	return n < 0 ? -1 : rc;
}

/* IDs retired without a successor (deleted at source, erased): known,
 * so that their sequence numbers are never issued again. */
static int gone_query(struct mergeid *m, struct stage *st, struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_gone(st, err);
	struct record rec;
	char where[300];
	uint32_t i;
	int rc = 0, n = 0;

	if (!c)
		return -1;
	record_init(&rec);
	while (rc == 0 && (n = stage_cursor_next(c, &rec, err)) > 0) {
		snprintf(where, sizeof(where), "%s: retired row %lu",
			 stage_path(st), rec.row);
		rc = master_get(m, record_field(&rec, 0), where, &i, err);
	}
	record_release(&rec);
	stage_cursor_free(c);
	return n < 0 ? -1 : rc;
}

int mergeid_load_stage(struct mergeid *m, struct stage *st, struct mbr_err *err)
{
	if (xref_query(m, st, stage_read_xref(st, err), "xref", err) < 0 ||
	    xref_query(m, st, stage_read_retired(st, err), "retired", err) < 0)
		return -1;
	return gone_query(m, st, err);
}

static int emit_master(void *ctx, const struct strview *f, size_t n,
		       struct mbr_err *err)
{
	(void)n;
	return stage_put_master(ctx, f, err);
}

static int emit_xref_db(void *ctx, const struct strview *f, size_t n,
			struct mbr_err *err)
{
	(void)n;
	if (f[0].len)
		return stage_put_xref(ctx, f[0], f[1], f[2], f[4].len > 0, err);
	return stage_put_retired(ctx, f[2], f[3], err);
}

int mergeid_store(struct mergeid *m, struct stage *st,
		  const struct mergeid_out *lineage, struct mbr_err *err)
{
	int rc = stage_clear_masters(st, err);

	if (rc == 0)
		rc = golden_write(m, emit_master, st, false, lineage, err);
	if (rc == 0)
		rc = xref_rows(m, emit_xref_db, st, err);
	if (rc == 0)
		rc = stage_retire_deleted(st, &m->stats.retired, &m->stats.back,
					  err);
	return rc;
}
