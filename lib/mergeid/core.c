/*
 * core: arena, packing, keys, master IDs and their format, lifecycle (mergeid_int.h).
 */
#include "mergeid/mergeid_int.h"

/*
 * Arena: records live until mergeid_free, in blocks that never move.
 */

void *arena_alloc(struct arena *a, size_t n)
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

void enc_put(struct buf *b, struct strview v)
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

const unsigned char *enc_get(const unsigned char *p, struct strview *v)
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
int key_cmp(const unsigned char *a, const unsigned char *b)
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
struct hash_slot *key_slot(struct mergeid *m, struct strview source,
			   struct strview source_id, uint64_t *h)
{
	struct key_want w = {source, source_id};

	*h = key_hash(source, source_id);
	return hash_find(&m->key_index, *h, key_eq, m, &w);
}

/* Add a key whose packed bytes are p into the empty slot. */
uint32_t key_add(struct mergeid *m, struct hash_slot *slot, uint64_t h,
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

static bool master_eq(const void *ctx, uint32_t i, const void *want)
{
	const struct mergeid *m = ctx;
	const struct strview *id = want;

	return sv_eq(svn(m->masters[i].id, m->masters[i].id_len), *id);
}

uint32_t master_new(struct mergeid *m, struct strview id, uint64_t seq,
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
int master_get(struct mergeid *m, struct strview id, const char *where,
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
uint32_t live(const struct mergeid *m, uint32_t i)
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
