/*
 * core: arena, packing, keys, master IDs and their format, lifecycle (mergeid_int.h).
 */
#include "mergeid/mergeid_int.h"

/*
 * Packing
 */

void enc_put(struct buf *b, struct strview v)
{
	buf_add_leb128(b, v.len);
	buf_addsv(b, v);
}

const unsigned char *enc_get(const unsigned char *p, struct strview *v)
{
	uint64_t n;

	p = leb_get(p, &n);
	*v = svn((const char *)p, (size_t)n);
	return p + n;
}

/* 0 bytes escaped, so that a value never ends early: see the header. */
void skey_put(struct buf *b, struct strview v)
{
	const char *p = v.p, *end = v.p + v.len;

	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));

		if (!z) {
			buf_add(b, p, (size_t)(end - p));
			break;
		}
		buf_add(b, p, (size_t)(z - p) + 1);
		buf_addc(b, (char)0xff);
		p = z + 1;
	}
	buf_add(b, "\0\1", 2);
}

size_t skey_len(struct strview k)
{
	for (size_t i = 0; i + 1 < k.len; i++)
		if (k.p[i] == '\0' && k.p[++i] == 1)
			return i + 1;
	return k.len;
}

void where_get(const struct mergeid *m, const unsigned char *p, struct buf *out)
{
	uint64_t i, n;

	p = leb_get(leb_get(p, &i), &n);
	buf_reset(out);
	if (i < m->n_wheres)
		buf_adds(out, m->wheres[i]);
	if (n)
		buf_addf(out, "%llu", (unsigned long long)n);
}

void skey_get(struct strview *k, struct buf *out)
{
	size_t i = 0;

	buf_reset(out);
	while (i < k->len) {
		if (k->p[i] != '\0') {
			buf_addc(out, k->p[i++]);
			continue;
		}
		if (i + 1 < k->len && k->p[i + 1] == 1) {
			i += 2;
			break;
		}
		buf_addc(out, '\0'); /* 0 0xff */
		i = i + 2 < k->len ? i + 2 : k->len;
	}
	k->p += i;
	k->len -= i;
}

void be64_put(struct buf *b, uint64_t v)
{
	unsigned char be[8];

	for (int i = 0; i < 8; i++)
		be[i] = (unsigned char)(v >> (56 - 8 * i));
	buf_add(b, be, 8);
}

uint64_t be64_get(const void *p)
{
	const unsigned char *q = p;
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | q[i];
	return v;
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

void idfmt_print(const struct idfmt *f, uint64_t seq, struct buf *out)
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

int master_seq(struct mergeid *m, struct strview id, const char *where,
	       uint64_t *seq, struct mbr_err *err)
{
	if (idfmt_seq(&m->fmt, id, seq, &m->tmp) < 0)
		return mbr_fail(
			err, MBR_ECONFIG,
			"%s: master ID '%.*s' is not what --id-format '%s' "
			"gives (expected the format of earlier runs)",
			where, (int)id.len, id.p, m->fmt.text);
	if (*seq > m->max_seq)
		m->max_seq = *seq;
	return 0;
}

/*
 * Retired IDs of earlier runs
 */

static uint64_t seq_hash(uint64_t seq)
{
	return hash_bytes(svn((const char *)&seq, sizeof(seq)));
}

static bool retired_eq(const void *ctx, uint32_t i, const void *want)
{
	const struct mergeid *m = ctx;

	return m->ret[i].seq == *(const uint64_t *)want;
}

struct retired *retired_find(struct mergeid *m, uint64_t seq)
{
	struct hash_slot *s =
		hash_find(&m->ret_index, seq_hash(seq), retired_eq, m, &seq);

	return s->key ? &m->ret[s->value] : NULL;
}

int retired_add(struct mergeid *m, uint64_t seq, uint64_t into,
		const char *where, struct mbr_err *err)
{
	uint64_t h = seq_hash(seq);
	struct hash_slot *s = hash_find(&m->ret_index, h, retired_eq, m, &seq);

	if (seq == into) {
		idfmt_print(&m->fmt, seq, &m->tmp);
		return mbr_fail(err, MBR_EIO, "%s: '%s' is merged into itself",
				where, m->tmp.p);
	}
	if (s->key) {
		if (m->ret[s->value].into == into)
			return 0;
		idfmt_print(&m->fmt, seq, &m->tmp);
		return mbr_fail(err, MBR_EIO,
				"%s: '%s' is merged into two masters", where,
				m->tmp.p);
	}
	if (m->n_ret == m->cap_ret) {
		m->cap_ret = m->cap_ret ? 2 * m->cap_ret : 64;
		m->ret = xrealloc(m->ret, m->cap_ret * sizeof(*m->ret));
	}
	m->ret[m->n_ret] = (struct retired){seq, into, 0};
	hash_put(&m->ret_index, s, h, (uint32_t)m->n_ret++);
	return 0;
}

/*
 * The sorts. Each has a share of the budget, in sixteenths; the sorts
 * alive in any one pass (assign.c) hold at most 15.
 */

static const unsigned sort_share[N_SORTS] = {
	[S_KEY] = 8,	[S_DUP] = 1,	 [S_CLUSTER] = 4, [S_CARRY] = 1,
	[S_CAND] = 2,	[S_MADE] = 4,	 [S_FIRST] = 1,	  [S_HOME] = 2,
	[S_NAMED] = 1,	[S_UNNAMED] = 1, [S_NEW] = 1,	  [S_MERGE] = 1,
	[O_GOLDEN] = 2, [O_XREF] = 2,	 [O_RETIRED] = 1, [O_CHANGES] = 2,
};

struct extsort *sort_get(struct mergeid *m, enum sort_id i)
{
	if (!m->sort[i])
		m->sort[i] =
			extsort_new(m->memory / 16 * sort_share[i], m->tmpdir);
	return m->sort[i];
}

int sort_add(struct mergeid *m, enum sort_id i, struct strview key,
	     struct strview val, struct mbr_err *err)
{
	return extsort_add(sort_get(m, i), key, val, err);
}

int sort_finish(struct mergeid *m, enum sort_id i, struct mbr_err *err)
{
	return extsort_finish(sort_get(m, i), err);
}

void sort_progress(struct mergeid *m, enum sort_id i, const char *what,
		   unsigned long long done)
{
	if (what && m->progress && m->sort[i])
		m->progress(m->progress_ctx, what, done,
			    extsort_count(m->sort[i]));
}

void sort_done(struct mergeid *m, enum sort_id i)
{
	if (!m->sort[i])
		return;
	m->runs += extsort_n_runs(m->sort[i]);
	extsort_free(m->sort[i]);
	m->sort[i] = NULL;
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
	m->lineage = o->lineage;
	m->progress = o->progress;
	m->progress_ctx = o->progress_ctx;
	buf_init(&m->enc, BUF_NOLIMIT);
	buf_init(&m->skey, BUF_NOLIMIT);
	buf_init(&m->tmp, BUF_NOLIMIT);
	buf_init(&m->tmp2, BUF_NOLIMIT);
	m->memory = o->memory ? o->memory : extsort_default_budget();
	m->tmpdir = o->tmpdir;
	return m;
}

void mergeid_free(struct mergeid *m)
{
	if (!m)
		return;
	idfmt_release(&m->fmt);
	survive_rules_release(&m->own_rules);
	for (int i = 0; i < N_SORTS; i++)
		extsort_free(m->sort[i]);
	for (size_t i = 0; i < m->n_srcs; i++) {
		header_release(&m->srcs[i].h);
		free(m->srcs[i].name);
	}
	free(m->srcs);
	for (size_t i = 0; i < m->n_wheres; i++)
		free(m->wheres[i]);
	free(m->wheres);
	free(m->ret);
	hash_release(&m->ret_index);
	buf_release(&m->enc);
	buf_release(&m->skey);
	buf_release(&m->tmp);
	buf_release(&m->tmp2);
	free(m);
}

const struct mergeid_stats *mergeid_stats(const struct mergeid *m)
{
	return &m->stats;
}
