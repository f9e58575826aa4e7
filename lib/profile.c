/*
 * profile: per source and field counts, shapes, flags, rejects,
 * duplicates and overlap on exact keys (profile.h).
 */
#include "profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvio.h"
#include "hash.h"
#include "html.h"
#include "json.h"
#include "mask.h"
#include "stage.h"
#include "utf8.h"

/* ---- counting values in bounded memory ---- */

struct citem {
	char *v;
	size_t len;
	unsigned long long n;
};

struct counter {
	struct hash_table t;
	struct citem *it;
	size_t n, cap, max;
	bool approx; /* values were dropped: counts are lower bounds */
};

static void counter_init(struct counter *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	c->t = (struct hash_table)HASH_TABLE_INIT;
	c->max = max;
}

static void counter_release(struct counter *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->it[i].v);
	free(c->it);
	hash_release(&c->t);
}

static bool same_item(const void *ctx, uint32_t v, const void *want)
{
	const struct counter *c = ctx;
	const struct strview *w = want;

	return c->it[v].len == w->len && !memcmp(c->it[v].v, w->p, w->len);
}

static void counter_rehash(struct counter *c)
{
	hash_release(&c->t);
	c->t = (struct hash_table)HASH_TABLE_INIT;
	for (size_t i = 0; i < c->n; i++) {
		struct strview v = svn(c->it[i].v, c->it[i].len);
		uint64_t h = hash_bytes(v);
		struct hash_slot *s = hash_find(&c->t, h, same_item, c, &v);

		hash_put(&c->t, s, h, (uint32_t)i);
	}
}

/* Full: drop the values seen least (at most t times, t doubling until at
 * least half the table is free). */
static void counter_prune(struct counter *c)
{
	unsigned long long t = 1;
	size_t kept, j = 0;

	for (;;) {
		kept = 0;
		for (size_t i = 0; i < c->n; i++)
			kept += c->it[i].n > t;
		if (kept <= c->max / 2)
			break;
		t *= 2;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (c->it[i].n > t)
			c->it[j++] = c->it[i];
		else
			free(c->it[i].v);
	}
	c->n = j;
	c->approx = true;
	counter_rehash(c);
}

static void counter_add(struct counter *c, struct strview v)
{
	uint64_t h = hash_bytes(v);
	struct hash_slot *s = hash_find(&c->t, h, same_item, c, &v);

	if (s->key) {
		c->it[s->value].n++;
		return;
	}
	if (c->n == c->max) {
		counter_prune(c);
		s = hash_find(&c->t, h, same_item, c, &v);
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->it = realloc(c->it, c->cap * sizeof(*c->it));
		if (!c->it)
			abort();
	}
	c->it[c->n] = (struct citem){sv_dup(v), v.len, 1};
	hash_put(&c->t, s, h, (uint32_t)c->n);
	c->n++;
}

static int by_count(const void *a, const void *b)
{
	const struct citem *x = *(const struct citem *const *)a;
	const struct citem *y = *(const struct citem *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	d = memcmp(x->v, y->v, n);
	return d ? d : (x->len > y->len) - (x->len < y->len);
}

/* The counter's items, most common first (ties by value); free() it. */
static const struct citem **counter_sorted(const struct counter *c)
{
	const struct citem **v = malloc((c->n + 1) * sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; i < c->n; i++)
		v[i] = &c->it[i];
	xqsort(v, c->n, sizeof(*v), by_count);
	return v;
}

/* ---- distinct values: exact, then HyperLogLog ---- */

#define HLL_BITS 12
#define HLL_M (1u << HLL_BITS)

struct distinct {
	struct hash_table t;
	uint8_t *hll; /* NULL while exact */
};

static void hll_add(uint8_t *reg, uint64_t h)
{
	uint32_t i = (uint32_t)(h >> (64 - HLL_BITS));
	uint64_t w = (h << HLL_BITS) | ((uint64_t)1 << (HLL_BITS - 1));
	uint8_t rho = (uint8_t)(__builtin_clzll(w) + 1);

	if (rho > reg[i])
		reg[i] = rho;
}

static void distinct_add(struct distinct *d, uint64_t h)
{
	struct hash_slot *s;

	if (d->hll) {
		hll_add(d->hll, h);
		return;
	}
	s = hash_find(&d->t, h, NULL, NULL, NULL);
	if (s->key)
		return;
	hash_put(&d->t, s, h, 0);
	if (d->t.n <= PROFILE_EXACT_DISTINCT)
		return;
	d->hll = calloc(HLL_M, 1);
	if (!d->hll)
		abort();
	for (size_t i = 0; i <= d->t.mask; i++)
		if (d->t.slot[i].key)
			hll_add(d->hll, d->t.slot[i].key);
	hash_release(&d->t);
}

static unsigned long long distinct_count(const struct distinct *d)
{
	double sum = 0, m = HLL_M, e;
	unsigned zeros = 0;

	if (!d->hll)
		return d->t.n;
	for (unsigned i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -(int)d->hll[i]);
		zeros += !d->hll[i];
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros);
	return (unsigned long long)llround(e);
}

/* ---- the profile ---- */

struct fstat {
	unsigned long long filled;
	struct distinct d;
	struct counter top, shapes;
};

struct source {
	char *name;
	unsigned long long records, flagged, rejected;
	struct counter flags, rejects;
	struct fstat *f[PROFILE_MAX_FIELDS];
};

struct keyent {
	uint64_t h;
	uint32_t src;
	uint32_t rec; /* record number, for the people overlap */
};

struct overlap {
	uint64_t mask;
	unsigned long long n;
};

#define MAX_OVERLAPS 256

struct keystat {
	struct keyent *e;
	size_t n, cap;
	unsigned long long dup_values, dup_records;
	unsigned long long within[PROFILE_MAX_SOURCES + 1];
	struct overlap ov[MAX_OVERLAPS];
	size_t n_ov;
};

static const enum canon_field key_fields[PROFILE_N_KEYS] = {
	CF_MOBILE, CF_ID_NUMBER, CF_EMAIL};

struct profile {
	struct profile_opts o;
	char *field[PROFILE_MAX_FIELDS];
	size_t n_fields;
	struct source src[PROFILE_MAX_SOURCES + 1]; /* last: the others */
	size_t n_src;
	int *colmap; /* header column -> field, or -1 */
	size_t n_cols;
	int source_col, issues_col, key_col[PROFILE_N_KEYS];
	size_t file_src; /* the source of a file without a source column */
	size_t last_src;
	struct keystat key[PROFILE_N_KEYS];
	/* People: records joined by any exact key (union-find), and the
	 * sources each person has records in. */
	uint8_t *rec_src; /* source of each record */
	size_t cap_rec;
	struct overlap people[MAX_OVERLAPS];
	size_t n_people;
	unsigned long long records;
	struct buf tmp;
};

struct profile *profile_new(const struct profile_opts *o)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->o = *o;
	buf_init(&p->tmp, BUF_NOLIMIT);
	return p;
}

static void fstat_free(struct fstat *f)
{
	if (!f)
		return;
	hash_release(&f->d.t);
	free(f->d.hll);
	counter_release(&f->top);
	counter_release(&f->shapes);
	free(f);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_fields; i++)
		free(p->field[i]);
	for (size_t s = 0; s < p->n_src; s++) {
		free(p->src[s].name);
		counter_release(&p->src[s].flags);
		counter_release(&p->src[s].rejects);
		for (size_t f = 0; f < p->n_fields; f++)
			fstat_free(p->src[s].f[f]);
	}
	for (int k = 0; k < PROFILE_N_KEYS; k++)
		free(p->key[k].e);
	free(p->colmap);
	free(p->rec_src);
	buf_release(&p->tmp);
	free(p);
}

unsigned long long profile_records(const struct profile *p)
{
	return p->records;
}

static size_t find_source(struct profile *p, struct strview name)
{
	if (p->n_src && p->last_src < p->n_src &&
	    sv_eqs(name, p->src[p->last_src].name))
		return p->last_src;
	for (size_t i = 0; i < p->n_src; i++)
		if (sv_eqs(name, p->src[i].name))
			return p->last_src = i;
	if (p->n_src == PROFILE_MAX_SOURCES) {
		/* the others share the last slot */
		if (p->n_src < PROFILE_MAX_SOURCES + 1) {
			p->src[p->n_src].name = sv_dup(sv("(other sources)"));
			counter_init(&p->src[p->n_src].flags,
				     PROFILE_REASON_TRACK);
			counter_init(&p->src[p->n_src].rejects,
				     PROFILE_REASON_TRACK);
			p->n_src++;
		}
		return p->last_src = PROFILE_MAX_SOURCES;
	}
	p->src[p->n_src].name = sv_dup(name);
	counter_init(&p->src[p->n_src].flags, PROFILE_REASON_TRACK);
	counter_init(&p->src[p->n_src].rejects, PROFILE_REASON_TRACK);
	return p->last_src = p->n_src++;
}

static int find_field(struct profile *p, struct strview name)
{
	for (size_t i = 0; i < p->n_fields; i++)
		if (sv_eqs(name, p->field[i]))
			return (int)i;
	if (p->n_fields == PROFILE_MAX_FIELDS)
		return -1;
	p->field[p->n_fields] = sv_dup(name);
	return (int)p->n_fields++;
}

/* The file name without directories and extension: a source name for
 * files that have no source column. */
static struct strview base_name(const char *name)
{
	const char *b = strrchr(name, '/'), *dot;

	b = b ? b + 1 : name;
	dot = strrchr(b, '.');
	return svn(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

int profile_bind(struct profile *p, const struct header *h, const char *name)
{
	size_t n = header_count(h);

	free(p->colmap);
	p->colmap = malloc((n + 1) * sizeof(int));
	if (!p->colmap)
		abort();
	p->n_cols = n;
	p->source_col = h->canon[CF_SOURCE];
	p->issues_col = header_find(h, COL_ISSUES);
	for (int k = 0; k < PROFILE_N_KEYS; k++)
		p->key_col[k] = h->canon[key_fields[k]];
	for (size_t i = 0; i < n; i++) {
		struct strview col = record_field(&h->names, i);

		if ((int)i == p->source_col || (int)i == p->issues_col ||
		    (int)i == h->canon[CF_SOURCE_ROW])
			p->colmap[i] = -1;
		else
			p->colmap[i] = find_field(p, col);
	}
	if (p->source_col < 0)
		p->file_src = find_source(p, base_name(name ? name : "-"));
	return 0;
}

static int bind_cb(void *ctx, const struct header *in, const char *name,
		   struct mbr_err *err)
{
	(void)err;
	return profile_bind(ctx, in, name);
}

static struct fstat *fstat_get(struct source *s, int f)
{
	if (!s->f[f]) {
		s->f[f] = calloc(1, sizeof(struct fstat));
		if (!s->f[f])
			abort();
		s->f[f]->d.t = (struct hash_table)HASH_TABLE_INIT;
		counter_init(&s->f[f]->top, PROFILE_TOP_TRACK);
		counter_init(&s->f[f]->shapes, PROFILE_SHAPE_TRACK);
	}
	return s->f[f];
}

/* Reasons are counted by their first 100 bytes (whole characters). */
static struct strview clip(struct strview v)
{
	if (v.len <= 100)
		return v;
	v.len = 100;
	while (v.len && ((unsigned char)v.p[v.len] & 0xc0) == 0x80)
		v.len--;
	return v;
}

static void add_flags(struct source *s, struct strview issues)
{
	const char *p = issues.p, *end = issues.p + issues.len;

	s->flagged++;
	while (p < end) {
		const char *q = memchr(p, ';', (size_t)(end - p));
		struct strview e;

		if (!q)
			q = end;
		e = sv_trim(svn(p, (size_t)(q - p)));
		if (e.len)
			counter_add(&s->flags, clip(e));
		p = q + 1;
	}
}

static void add_key(struct keystat *k, uint64_t h, size_t src, uint32_t rec)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 1024;
		k->e = realloc(k->e, k->cap * sizeof(*k->e));
		if (!k->e)
			abort();
	}
	k->e[k->n++] = (struct keyent){h, (uint32_t)src, rec};
}

void profile_record(struct profile *p, const struct record *rec)
{
	size_t si =
		p->source_col >= 0
			? find_source(p,
				      record_field(rec, (size_t)p->source_col))
			: p->file_src;
	struct source *s = &p->src[si];

	if (p->records == p->cap_rec) {
		p->cap_rec = p->cap_rec ? 2 * p->cap_rec : 4096;
		p->rec_src = realloc(p->rec_src, p->cap_rec);
		if (!p->rec_src)
			abort();
	}
	p->rec_src[p->records] = (uint8_t)si;
	p->records++;
	s->records++;
	for (size_t i = 0; i < rec->n && i < p->n_cols; i++) {
		struct strview v = record_field(rec, i);
		struct fstat *f;

		if (p->colmap[i] < 0 || !v.len)
			continue;
		f = fstat_get(s, p->colmap[i]);
		f->filled++;
		distinct_add(&f->d, hash_bytes(v));
		counter_add(&f->top, v);
		buf_reset(&p->tmp);
		profile_shape(v, &p->tmp);
		counter_add(&f->shapes, buf_view(&p->tmp));
	}
	if (p->issues_col >= 0) {
		struct strview v = record_field(rec, (size_t)p->issues_col);

		if (v.len)
			add_flags(s, v);
	}
	for (int k = 0; k < PROFILE_N_KEYS; k++) {
		struct strview v;

		if (p->key_col[k] < 0)
			continue;
		v = record_field(rec, (size_t)p->key_col[k]);
		if (v.len)
			add_key(&p->key[k], hash_bytes(v), si,
				(uint32_t)(p->records - 1));
	}
}

static int record_cb(void *ctx, struct record *rec, enum rs_verdict *verdict,
		     struct rs_why *why, struct mbr_err *err)
{
	(void)err;
	profile_record(ctx, rec);
	why->unchanged = true;
	*verdict = RS_PASS;
	return 0;
}

void profile_handler(struct profile *p, struct rs_handler *h)
{
	memset(h, 0, sizeof(*h));
	h->bind = bind_cb;
	h->record = record_cb;
	h->ctx = p;
}

/* ---- rejects ---- */

static struct strview next_part(struct strview *list)
{
	const char *q = memchr(list->p, ';', list->len);
	struct strview v;

	if (!q) {
		v = *list;
		*list = svn(list->p + list->len, 0);
		return v;
	}
	v = svn(list->p, (size_t)(q - list->p));
	list->len -= v.len + 1;
	list->p = q + 1;
	return v;
}

void profile_add_reject(struct profile *p, struct strview source,
			struct strview tool, struct strview fields,
			struct strview reasons)
{
	struct source *s = &p->src[find_source(p, source)];

	s->rejected++;
	while (fields.len || reasons.len) {
		struct strview f = sv_trim(next_part(&fields));
		struct strview r = sv_trim(next_part(&reasons));

		buf_reset(&p->tmp);
		if (sv_starts(tool, "mbr-"))
			tool = svn(tool.p + 4, tool.len - 4);
		buf_addsv(&p->tmp, tool);
		if (tool.len)
			buf_addc(&p->tmp, ' ');
		buf_addsv(&p->tmp, f.len ? f : sv("(row)"));
		buf_adds(&p->tmp, ": ");
		buf_addsv(&p->tmp, r);
		counter_add(&s->rejects, clip(buf_view(&p->tmp)));
	}
}

static const char *const reject_cols[] = {"source", "reject_tool",
					  "reject_field", "reject_reason"};

int profile_read_rejects(struct profile *p, const char *path,
			 struct mbr_err *err)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct csvio_reader *r = csvio_open(&path, 1, &o, err);
	struct record rec;
	int col[4], rc = 0;
	enum csvio_status st;

	if (!r)
		return -1;
	for (int i = 0; i < 4; i++) {
		col[i] = header_find(csvio_header(r), reject_cols[i]);
		if (col[i] < 0) {
			csvio_close(r);
			return mbr_fail(err, MBR_ECONFIG,
					"%s: no '%s' column (expected a "
					"rejects file: source, reject_tool, "
					"reject_field, reject_reason)",
					path, reject_cols[i]);
		}
	}
	record_init(&rec);
	while ((st = csvio_read(r, &rec, err)) != CSVIO_EOF) {
		if (st == CSVIO_ERROR) {
			rc = -1;
			break;
		}
		if (st != CSVIO_ROW) /* an unreadable row of a rejects file */
			continue;
		profile_add_reject(p, record_field(&rec, (size_t)col[0]),
				   record_field(&rec, (size_t)col[1]),
				   record_field(&rec, (size_t)col[2]),
				   record_field(&rec, (size_t)col[3]));
	}
	record_release(&rec);
	csvio_close(r);
	return rc;
}

int profile_read_rejects_cursor(struct profile *p, struct stage_cursor *c,
				struct mbr_err *err)
{
	struct record rec;
	int rc;

	record_init(&rec);
	while ((rc = stage_cursor_next(c, &rec, err)) == 1)
		profile_add_reject(p, record_field(&rec, 0),
				   record_field(&rec, 1), record_field(&rec, 2),
				   record_field(&rec, 3));
	record_release(&rec);
	return rc;
}

/* ---- duplicates and overlap ---- */

static int by_key(const void *a, const void *b)
{
	const struct keyent *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->src > y->src) - (x->src < y->src);
}

static void add_overlap(struct keystat *k, uint64_t mask)
{
	for (size_t i = 0; i < k->n_ov; i++)
		if (k->ov[i].mask == mask) {
			k->ov[i].n++;
			return;
		}
	if (k->n_ov < MAX_OVERLAPS)
		k->ov[k->n_ov++] = (struct overlap){mask, 1};
}

static int by_mask(const void *a, const void *b)
{
	const struct overlap *x = a, *y = b;
	int px = __builtin_popcountll(x->mask),
	    py = __builtin_popcountll(y->mask);

	if (px != py)
		return px > py ? -1 : 1;
	return (x->mask > y->mask) - (x->mask < y->mask);
}

static uint32_t find_root(uint32_t *up, uint32_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];
		x = up[x];
	}
	return x;
}

/* People: records that share any exact key are one person. */
static void count_people(struct profile *p)
{
	size_t n = (size_t)p->records;
	uint32_t *up = malloc((n + 1) * sizeof(*up));
	uint64_t *mask = calloc(n + 1, sizeof(*mask));
	struct keystat tmp;

	if (!up || !mask)
		abort();
	for (size_t i = 0; i < n; i++)
		up[i] = (uint32_t)i;
	for (int ki = 0; ki < PROFILE_N_KEYS; ki++) {
		const struct keystat *k = &p->key[ki];

		for (size_t i = 1; i < k->n; i++)
			if (k->e[i].h == k->e[i - 1].h) {
				uint32_t a = find_root(up, k->e[i - 1].rec);
				uint32_t b = find_root(up, k->e[i].rec);

				if (a != b)
					up[a < b ? b : a] = a < b ? a : b;
			}
	}
	for (size_t i = 0; i < n; i++)
		mask[find_root(up, (uint32_t)i)] |= (uint64_t)1
						    << p->rec_src[i];
	memset(&tmp, 0, sizeof(tmp));
	for (size_t i = 0; i < n; i++)
		if (up[i] == i)
			add_overlap(&tmp, mask[i]);
	xqsort(tmp.ov, tmp.n_ov, sizeof(*tmp.ov), by_mask);
	memcpy(p->people, tmp.ov, tmp.n_ov * sizeof(*tmp.ov));
	p->n_people = tmp.n_ov;
	free(up);
	free(mask);
}

void profile_finish(struct profile *p)
{
	for (int ki = 0; ki < PROFILE_N_KEYS; ki++) {
		struct keystat *k = &p->key[ki];

		if (k->n)
			xqsort(k->e, k->n, sizeof(*k->e), by_key);
		for (size_t i = 0; i < k->n;) {
			size_t j = i;
			uint64_t mask = 0;

			while (j < k->n && k->e[j].h == k->e[i].h) {
				size_t run = j;

				mask |= (uint64_t)1 << k->e[j].src;
				while (j < k->n && k->e[j].h == k->e[i].h &&
				       k->e[j].src == k->e[run].src)
					j++;
				if (j - run > 1)
					k->within[k->e[run].src]++;
			}
			if (j - i > 1) {
				k->dup_values++;
				k->dup_records += j - i;
			}
			add_overlap(k, mask);
			i = j;
		}
		xqsort(k->ov, k->n_ov, sizeof(*k->ov), by_mask);
	}
	count_people(p);
}

/* ---- shapes ---- */

void profile_shape(struct strview v, struct buf *out)
{
	size_t i = 0, n = 0;
	char last = 0;
	bool fullwidth = false, sci = true, digit = false, dot = false,
	     exp = false, expdigit = false;

	/* [+-]N[.N]E[+-]N */
	for (size_t k = 0; k < v.len; k++) {
		char c = v.p[k];

		if (c >= '0' && c <= '9' && exp)
			expdigit = true;
		else if (c >= '0' && c <= '9')
			digit = true;
		else if ((c == '+' || c == '-') &&
			 (k == 0 || (exp && (v.p[k - 1] | 0x20) == 'e')))
			;
		else if (c == '.' && !dot && !exp && digit)
			dot = true;
		else if ((c | 0x20) == 'e' && !exp && digit)
			exp = true;
		else
			sci = false;
	}
	sci = sci && exp && expdigit;
	while (i < v.len) {
		uint32_t cp;
		size_t len = utf8_decode(v.p + i, v.len - i, &cp);
		char cls = 0;
		const char *put = NULL;

		if (!len)
			len = 1, cp = 0xfffd;
		i += len;
		if (cp >= '0' && cp <= '9')
			cls = 'N';
		else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			cls = 'A';
		else if (cp >= 0xff10 && cp <= 0xff19)
			put = "\xef\xbc\xae", fullwidth = true; /* Ｎ */
		else if ((cp >= 0xff21 && cp <= 0xff3a) ||
			 (cp >= 0xff41 && cp <= 0xff5a))
			cls = 'W'; /* shown as Ａ */
		else if (utf8_is_han(cp))
			cls = 'C';
		else if (cp < 0x20 || cp == 0x7f)
			cls = '?';
		else if (cp >= 0x80 && cp != 0xfffd && cp != 0x3000)
			cls = 'L';
		if ((cls == 'A' || cls == 'L' || cls == 'W') && cls == last)
			continue;
		if (n == PROFILE_SHAPE_MAX) {
			buf_adds(out, "\xe2\x80\xa6"); /* … */
			break;
		}
		n++;
		last = cls;
		if (put)
			buf_adds(out, put);
		else if (cls == 'W')
			buf_adds(out, "\xef\xbc\xa1"); /* Ａ */
		else if (cls)
			buf_addc(out, cls);
		else
			buf_add(out, v.p + i - len, len);
	}
	if (sci)
		buf_adds(out, " (scientific)");
	else if (fullwidth)
		buf_adds(out, " (full-width digits)");
}

/* ---- writing ---- */

bool profile_personal(const char *field)
{
	static const char *const personal[] = {
		"name", "mobile", "phone", "id_number", "email", "address"};

	for (size_t i = 0; i < sizeof(personal) / sizeof(*personal); i++)
		if (!strcasecmp(field, personal[i]))
			return true;
	return mask_parent(field) != NULL;
}

/* A value as shown: masked for personal fields unless unmasked. */
static void shown(const struct profile *p, const char *field, struct strview v,
		  struct buf *out)
{
	if (!p->o.unmasked && profile_personal(field))
		mask_value(field, v, out);
	else
		buf_addsv(out, v);
}

static const char *key_name(int k)
{
	return canon_name(key_fields[k]);
}

/* "a+b+c" for a mask of sources */
static void mask_names(const struct profile *p, uint64_t mask, char sep,
		       struct buf *out)
{
	bool first = true;

	for (size_t s = 0; s < p->n_src; s++)
		if (mask & ((uint64_t)1 << s)) {
			if (!first)
				buf_addc(out, sep);
			first = false;
			buf_adds(out, p->src[s].name);
		}
}

/* Visit what the profile found, in one order for every format. */
struct pw {
	const struct profile *p;
	enum profile_format f;
	struct buf *b;
	struct buf v;
	bool first; /* JSON: no comma before the next item */
};

static void csv_row(struct pw *w, const char *section, const char *source,
		    const char *field, struct strview value,
		    unsigned long long n)
{
	csvio_quote(w->b, sv(section), ',');
	buf_addc(w->b, ',');
	csvio_quote(w->b, sv(source ? source : ""), ',');
	buf_addc(w->b, ',');
	csvio_quote(w->b, sv(field ? field : ""), ',');
	buf_addc(w->b, ',');
	csvio_quote(w->b, value, ',');
	buf_addf(w->b, ",%llu\n", n);
}

static void json_items(struct pw *w, const char *name, const struct counter *c,
		       const char *field, unsigned max)
{
	const struct citem **v = counter_sorted(c);

	buf_addf(w->b, ", \"%s\": [", name);
	for (size_t i = 0; i < c->n && i < max; i++) {
		if (field && v[i]->n < 2)
			break;
		buf_reset(&w->v);
		if (field)
			shown(w->p, field, svn(v[i]->v, v[i]->len), &w->v);
		else
			buf_add(&w->v, v[i]->v, v[i]->len);
		buf_adds(w->b, i ? ", {\"value\": " : "{\"value\": ");
		json_str(w->b, buf_view(&w->v));
		buf_addf(w->b, ", \"count\": %llu}", v[i]->n);
	}
	buf_addf(w->b, "], \"%s_lower_bounds\": %s", name,
		 c->approx ? "true" : "false");
	free(v);
}

static void csv_items(struct pw *w, const char *section, const char *source,
		      const struct counter *c, const char *field,
		      const char *shown_field, unsigned max)
{
	const struct citem **v = counter_sorted(c);

	for (size_t i = 0; i < c->n && i < max; i++) {
		if (shown_field && v[i]->n < 2)
			break;
		buf_reset(&w->v);
		if (shown_field)
			shown(w->p, shown_field, svn(v[i]->v, v[i]->len),
			      &w->v);
		else
			buf_add(&w->v, v[i]->v, v[i]->len);
		csv_row(w, section, source, field, buf_view(&w->v), v[i]->n);
	}
	free(v);
}

/* "v×n, v×n" for the table */
static void text_items(struct pw *w, const struct counter *c, const char *field,
		       unsigned max)
{
	const struct citem **v = counter_sorted(c);

	for (size_t i = 0; i < c->n && i < max; i++) {
		if (field && v[i]->n < 2)
			break;
		if (i)
			buf_adds(w->b, ", ");
		if (field)
			shown(w->p, field, svn(v[i]->v, v[i]->len), w->b);
		else
			buf_add(w->b, v[i]->v, v[i]->len);
		buf_addf(w->b, " x%s%llu", c->approx ? ">=" : "", v[i]->n);
	}
	free(v);
}

static double pct(unsigned long long a, unsigned long long b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static void write_table(struct pw *w)
{
	const struct profile *p = w->p;
	struct buf *b = w->b;

	buf_addf(b, "%llu records from %zu source%s\n", p->records, p->n_src,
		 p->n_src == 1 ? "" : "s");
	for (size_t si = 0; si < p->n_src; si++) {
		const struct source *s = &p->src[si];

		buf_addf(b,
			 "\n== %s: %llu records, %llu flagged, %llu "
			 "rejected\n",
			 s->name, s->records, s->flagged, s->rejected);
		if (s->records)
			buf_addf(b, "%-20s %9s %7s %10s  %s\n", "field",
				 "filled", "fill%", "distinct",
				 "top values | shapes");
		for (size_t fi = 0; fi < p->n_fields && s->records; fi++) {
			const struct fstat *f = s->f[fi];
			char d[32];

			if (!f) {
				buf_addf(b, "%-20s %9d %6.1f%% %10d\n",
					 p->field[fi], 0, 0.0, 0);
				continue;
			}
			snprintf(d, sizeof(d), "%s%llu", f->d.hll ? "~" : "",
				 distinct_count(&f->d));
			buf_addf(b, "%-20s %9llu %6.1f%% %10s  ", p->field[fi],
				 f->filled, pct(f->filled, s->records), d);
			text_items(w, &f->top, p->field[fi], p->o.top);
			buf_adds(b, " | ");
			text_items(w, &f->shapes, NULL, p->o.top);
			buf_addc(b, '\n');
		}
		if (s->flags.n) {
			buf_adds(b, "flags by reason: ");
			text_items(w, &s->flags, NULL, 1000);
			buf_addc(b, '\n');
		}
		if (s->rejects.n) {
			buf_adds(b, "rejects by reason: ");
			text_items(w, &s->rejects, NULL, 1000);
			buf_addc(b, '\n');
		}
	}
	for (int k = 0; k < PROFILE_N_KEYS; k++) {
		const struct keystat *ks = &p->key[k];

		if (!ks->n)
			continue;
		buf_addf(b,
			 "\n== %s: %zu records, %llu values held by two or "
			 "more (%llu records)\n",
			 key_name(k), ks->n, ks->dup_values, ks->dup_records);
		for (size_t s = 0; s < p->n_src; s++)
			if (ks->within[s])
				buf_addf(b,
					 "within %s: %llu values held twice "
					 "or more\n",
					 p->src[s].name, ks->within[s]);
		for (size_t i = 0; i < ks->n_ov; i++) {
			buf_adds(b, "in ");
			mask_names(p, ks->ov[i].mask, '+', b);
			buf_addf(b, "%s: %llu values\n",
				 __builtin_popcountll(ks->ov[i].mask) == 1
					 ? " only"
					 : "",
				 ks->ov[i].n);
		}
	}
	if (p->n_people)
		buf_adds(b, "\n== people (records sharing an exact mobile, "
			    "id_number or email are one person)\n");
	for (size_t i = 0; i < p->n_people; i++) {
		buf_adds(b, "in ");
		mask_names(p, p->people[i].mask, '+', b);
		buf_addf(b, "%s: %llu people\n",
			 __builtin_popcountll(p->people[i].mask) == 1 ? " only"
								      : "",
			 p->people[i].n);
	}
}

static void write_csv(struct pw *w)
{
	const struct profile *p = w->p;
	char n[32];

	buf_adds(w->b, "section,source,field,value,count\n");
	for (size_t si = 0; si < p->n_src; si++) {
		const struct source *s = &p->src[si];

		csv_row(w, "records", s->name, NULL, sv(""), s->records);
		csv_row(w, "flagged", s->name, NULL, sv(""), s->flagged);
		csv_row(w, "rejected", s->name, NULL, sv(""), s->rejected);
		for (size_t fi = 0; fi < p->n_fields && s->records; fi++) {
			const struct fstat *f = s->f[fi];
			const char *fn = p->field[fi];

			csv_row(w, "filled", s->name, fn, sv(""),
				f ? f->filled : 0);
			snprintf(n, sizeof(n), "%s",
				 f && f->d.hll ? "estimated" : "");
			csv_row(w, "distinct", s->name, fn, sv(n),
				f ? distinct_count(&f->d) : 0);
			if (!f)
				continue;
			csv_items(w, f->top.approx ? "top_at_least" : "top",
				  s->name, &f->top, fn, fn, p->o.top);
			csv_items(w,
				  f->shapes.approx ? "shape_at_least" : "shape",
				  s->name, &f->shapes, fn, NULL, p->o.top);
		}
		csv_items(w, "flag", s->name, &s->flags, NULL, NULL, 100000);
		csv_items(w, "reject", s->name, &s->rejects, NULL, NULL,
			  100000);
	}
	for (int k = 0; k < PROFILE_N_KEYS; k++) {
		const struct keystat *ks = &p->key[k];

		if (!ks->n)
			continue;
		csv_row(w, "duplicate_values", NULL, key_name(k), sv(""),
			ks->dup_values);
		csv_row(w, "duplicate_records", NULL, key_name(k), sv(""),
			ks->dup_records);
		for (size_t s = 0; s < p->n_src; s++)
			if (ks->within[s])
				csv_row(w, "duplicate_within", p->src[s].name,
					key_name(k), sv(""), ks->within[s]);
		for (size_t i = 0; i < ks->n_ov; i++) {
			buf_reset(&w->v);
			mask_names(p, ks->ov[i].mask, '+', &w->v);
			csv_row(w, "overlap", w->v.p, key_name(k), sv(""),
				ks->ov[i].n);
		}
	}
	for (size_t i = 0; i < p->n_people; i++) {
		buf_reset(&w->v);
		mask_names(p, p->people[i].mask, '+', &w->v);
		csv_row(w, "people", w->v.p, NULL, sv(""), p->people[i].n);
	}
}

static void write_json(struct pw *w)
{
	const struct profile *p = w->p;
	struct buf *b = w->b;

	buf_addf(b, "{\"records\": %llu, \"sources\": [", p->records);
	for (size_t si = 0; si < p->n_src; si++) {
		const struct source *s = &p->src[si];
		bool first = true;

		buf_adds(b, si ? ",\n  {\"source\": " : "\n  {\"source\": ");
		json_str(b, sv(s->name));
		buf_addf(b,
			 ", \"records\": %llu, \"flagged\": %llu, "
			 "\"rejected\": %llu, \"fields\": [",
			 s->records, s->flagged, s->rejected);
		for (size_t fi = 0; fi < p->n_fields && s->records; fi++) {
			const struct fstat *f = s->f[fi];

			buf_adds(b, first ? "\n    {\"field\": "
					  : ",\n    {\"field\": ");
			first = false;
			json_str(b, sv(p->field[fi]));
			if (!f) {
				buf_adds(b, ", \"filled\": 0, \"fill_rate\": "
					    "0, \"distinct\": 0}");
				continue;
			}
			buf_addf(b,
				 ", \"filled\": %llu, \"fill_rate\": %.4f, "
				 "\"distinct\": %llu, "
				 "\"distinct_estimated\": %s",
				 f->filled, pct(f->filled, s->records) / 100,
				 distinct_count(&f->d),
				 f->d.hll ? "true" : "false");
			json_items(w, "top", &f->top, p->field[fi], p->o.top);
			json_items(w, "shapes", &f->shapes, NULL, p->o.top);
			buf_addc(b, '}');
		}
		buf_addc(b, ']');
		json_items(w, "flags", &s->flags, NULL, 100000);
		json_items(w, "rejects", &s->rejects, NULL, 100000);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\n \"keys\": [");
	for (int k = 0, first = 1; k < PROFILE_N_KEYS; k++) {
		const struct keystat *ks = &p->key[k];

		if (!ks->n)
			continue;
		buf_adds(b, first ? "\n  {\"key\": " : ",\n  {\"key\": ");
		first = 0;
		json_str(b, sv(key_name(k)));
		buf_addf(b,
			 ", \"records\": %zu, \"duplicate_values\": %llu, "
			 "\"duplicate_records\": %llu, \"overlap\": [",
			 ks->n, ks->dup_values, ks->dup_records);
		for (size_t i = 0; i < ks->n_ov; i++) {
			buf_adds(b,
				 i ? ", {\"sources\": [" : "{\"sources\": [");
			for (size_t s = 0, f2 = 1; s < p->n_src; s++)
				if (ks->ov[i].mask & ((uint64_t)1 << s)) {
					if (!f2)
						buf_adds(b, ", ");
					f2 = 0;
					json_str(b, sv(p->src[s].name));
				}
			buf_addf(b, "], \"values\": %llu}", ks->ov[i].n);
		}
		buf_adds(b, "]}");
	}
	buf_adds(b, "],\n \"people\": [");
	for (size_t i = 0; i < p->n_people; i++) {
		buf_adds(b, i ? ", {\"sources\": [" : "{\"sources\": [");
		for (size_t s = 0, f2 = 1; s < p->n_src; s++)
			if (p->people[i].mask & ((uint64_t)1 << s)) {
				if (!f2)
					buf_adds(b, ", ");
				f2 = 0;
				json_str(b, sv(p->src[s].name));
			}
		buf_addf(b, "], \"people\": %llu}", p->people[i].n);
	}
	buf_adds(b, "]}\n");
}

int profile_write(const struct profile *p, enum profile_format f, FILE *out,
		  struct mbr_err *err)
{
	struct buf b;
	struct pw w = {p, f, &b, {0}, true};
	int rc = 0;

	buf_init(&b, BUF_NOLIMIT);
	buf_init(&w.v, BUF_NOLIMIT);
	if (f == PROFILE_CSV)
		write_csv(&w);
	else if (f == PROFILE_JSON)
		write_json(&w);
	else
		write_table(&w);
	if (b.len && fwrite(b.p, 1, b.len, out) != b.len)
		rc = mbr_fail(err, MBR_EIO, "write error");
	buf_release(&b);
	buf_release(&w.v);
	return rc;
}

/* ---- HTML for mbr-report ---- */

static void html_items(const struct profile *p, const struct counter *c,
		       const char *field, unsigned max, struct buf *out)
{
	const struct citem **v = counter_sorted(c);
	struct buf t;

	buf_init(&t, BUF_NOLIMIT);
	for (size_t i = 0; i < c->n && i < max; i++) {
		if (field && v[i]->n < 2)
			break;
		buf_reset(&t);
		if (field)
			shown(p, field, svn(v[i]->v, v[i]->len), &t);
		else
			buf_add(&t, v[i]->v, v[i]->len);
		buf_adds(out, "<span class=\"v\">");
		html_escape(out, buf_view(&t));
		buf_addf(out, "</span>&nbsp;<small>%s%llu</small> ",
			 c->approx ? "&ge;" : "", v[i]->n);
	}
	buf_release(&t);
	free(v);
}

void profile_html(const struct profile *p, struct buf *out)
{
	buf_addf(out, "<p>%llu records from %zu sources.</p>\n", p->records,
		 p->n_src);
	for (size_t si = 0; si < p->n_src; si++) {
		const struct source *s = &p->src[si];

		buf_adds(out, "<h3>");
		html_escs(out, s->name);
		buf_addf(out,
			 "</h3>\n<p>%llu records, %llu flagged, %llu "
			 "rejected</p>\n",
			 s->records, s->flagged, s->rejected);
		if (s->records) {
			buf_adds(out, "<div class=\"scroll\"><table><tr><th>"
				      "field</th><th>filled</th><th>"
				      "distinct</th><th>top values</th><th>"
				      "shapes</th></tr>\n");
			for (size_t fi = 0; fi < p->n_fields; fi++) {
				const struct fstat *f = s->f[fi];

				buf_adds(out, "<tr><td>");
				html_escs(out, p->field[fi]);
				if (!f) {
					buf_adds(out, "</td><td class=\"n\">0%"
						      "</td><td></td><td></td>"
						      "<td></td></tr>\n");
					continue;
				}
				buf_addf(out,
					 "</td><td class=\"n\">%.1f%%</td>"
					 "<td class=\"n\">%s%llu</td><td>",
					 pct(f->filled, s->records),
					 f->d.hll ? "~" : "",
					 distinct_count(&f->d));
				html_items(p, &f->top, p->field[fi], p->o.top,
					   out);
				buf_adds(out, "</td><td>");
				html_items(p, &f->shapes, NULL, p->o.top, out);
				buf_adds(out, "</td></tr>\n");
			}
			buf_adds(out, "</table></div>\n");
		}
		if (s->flags.n) {
			buf_adds(out, "<p>Flags by reason: ");
			html_items(p, &s->flags, NULL, 50, out);
			buf_adds(out, "</p>\n");
		}
		if (s->rejects.n) {
			buf_adds(out, "<p>Rejects by reason: ");
			html_items(p, &s->rejects, NULL, 50, out);
			buf_adds(out, "</p>\n");
		}
	}
	buf_adds(out, "<h3>Likely duplicates and overlap on exact keys</h3>\n"
		      "<div class=\"scroll\"><table><tr><th>key</th><th>"
		      "records</th><th>values held twice or more</th><th>"
		      "records holding them</th><th>values by sources</th>"
		      "</tr>\n");
	for (int k = 0; k < PROFILE_N_KEYS; k++) {
		const struct keystat *ks = &p->key[k];

		if (!ks->n)
			continue;
		buf_addf(out,
			 "<tr><td>%s</td><td class=\"n\">%zu</td><td "
			 "class=\"n\">%llu</td><td class=\"n\">%llu</td><td>",
			 key_name(k), ks->n, ks->dup_values, ks->dup_records);
		for (size_t i = 0; i < ks->n_ov; i++) {
			struct buf t;

			buf_init(&t, BUF_NOLIMIT);
			mask_names(p, ks->ov[i].mask, '+', &t);
			buf_adds(out, "<span class=\"v\">");
			html_escape(out, buf_view(&t));
			buf_addf(out, "</span>&nbsp;<small>%llu</small> ",
				 ks->ov[i].n);
			buf_release(&t);
		}
		buf_adds(out, "</td></tr>\n");
	}
	buf_adds(out, "<tr><td>any of them</td><td></td><td></td><td></td>"
		      "<td>");
	for (size_t i = 0; i < p->n_people; i++) {
		struct buf t;

		buf_init(&t, BUF_NOLIMIT);
		mask_names(p, p->people[i].mask, '+', &t);
		buf_adds(out, "<span class=\"v\">");
		html_escape(out, buf_view(&t));
		buf_addf(out, "</span>&nbsp;<small>%llu people</small> ",
			 p->people[i].n);
		buf_release(&t);
	}
	buf_adds(out, "</td></tr>\n</table></div>\n");
}
