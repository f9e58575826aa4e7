/*
 * record: fields stored in one buffer; the header and its lookups.
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->data, RECORD_MAX_BYTES);
}

void record_release(struct record *r)
{
	free(r->off);
	free(r->len);
	if (r->data.cap)
		buf_release(&r->data);
	record_init(r);
}

void record_reset(struct record *r)
{
	r->n = 0;
	buf_reset(&r->data);
	r->row = 0;
	r->line = 0;
}

static void make_room(struct record *r)
{
	if (r->n < r->cap)
		return;
	r->cap = r->cap ? r->cap * 2 : 32;
	r->off = xrealloc(r->off, r->cap * sizeof(*r->off));
	r->len = xrealloc(r->len, r->cap * sizeof(*r->len));
}

/* Slots for want fields, grown as make_room grows them. */
static void make_room_for(struct record *r, size_t want)
{
	while (r->cap < want) {
		size_t n = r->n;

		r->n = r->cap;
		make_room(r);
		r->n = n;
	}
}

/* Store p at the end of data, NUL-terminated; returns its offset or -1.
 * p may point into data itself (copying one field to another). */
static int store(struct record *r, const char *p, size_t len, size_t *off)
{
	bool inside =
		r->data.cap && p >= r->data.p && p < r->data.p + r->data.len;
	size_t from = inside ? (size_t)(p - r->data.p) : 0;

	if (buf_grow(&r->data, len + 1) < 0)
		return -1;
	if (inside)
		p = r->data.p + from;
	*off = r->data.len;
	mem_copy(r->data.p + r->data.len, p, len);
	r->data.len += len + 1; /* the field and its NUL */
	r->data.p[r->data.len - 1] = '\0';
	r->data.p[r->data.len] = '\0';
	return 0;
}

int record_add(struct record *r, const char *p, size_t len)
{
	size_t off;

	if (store(r, p, len, &off) < 0)
		return -1;
	make_room(r);
	r->off[r->n] = off;
	r->len[r->n] = len;
	r->n++;
	return 0;
}

int record_add_views(struct record *r, const struct strview *f, size_t n)
{
	size_t total = 0;
	char *o;

	for (size_t i = 0; i < n; i++)
		total += f[i].len + 1;
	if (buf_grow(&r->data, total) < 0)
		return -1;
	make_room_for(r, r->n + n);
	o = r->data.p + r->data.len;
	for (size_t i = 0; i < n; i++) {
		r->off[r->n] = (size_t)(o - r->data.p);
		r->len[r->n] = f[i].len;
		r->n++;
		if (f[i].len)
			memcpy(o, f[i].p, f[i].len);
		o += f[i].len;
		*o++ = '\0';
	}
	r->data.len = (size_t)(o - r->data.p);
	r->data.p[r->data.len] = '\0';
	return 0;
}

/* NULs over the n bytes at d: up to three (a delimiter between quotes)
 * without a call to memset. */
static void clear(char *d, size_t n)
{
	if (n == 0)
		return;
	if (n > 3) {
		memset(d, 0, n);
		return;
	}
	d[0] = d[n / 2] = d[n - 1] = '\0';
}

int record_add_within(struct record *r, const char *p, size_t len,
		      const struct strview *f, size_t n)
{
	size_t base, at = 0;
	char *d;

	if (buf_grow(&r->data, len + 1) < 0)
		return -1;
	make_room_for(r, r->n + n);
	base = r->data.len;
	d = r->data.p + base;
	if (len)
		memcpy(d, p, len);
	for (size_t i = 0; i < n; i++) {
		size_t off = (size_t)(f[i].p - p);

		clear(d + at, off - at);
		r->off[r->n] = base + off;
		r->len[r->n] = f[i].len;
		r->n++;
		at = off + f[i].len;
	}
	clear(d + at, len + 1 - at);
	r->data.len = base + len + 1;
	r->data.p[r->data.len] = '\0';
	return 0;
}

/* Field [from, to) of data, its delimiter (if any) made a NUL. */
static void push_cut(struct record *r, size_t from, size_t to)
{
	make_room(r);
	r->off[r->n] = from;
	r->len[r->n] = to - from;
	r->n++;
	r->data.p[to] = '\0';
}

int record_split(struct record *r, const char *p, size_t len, char delim)
{
	size_t off, end, i;
	char *s;

	if (store(r, p, len, &off) < 0)
		return -1;
	end = off + len;
	s = r->data.p;
	i = off;
#ifdef __SSE2__
	/* Sixteen bytes a step, each delimiter found by its bit: fields are
	 * short, and a memchr call for each costs more than the look. */
	{
		const __m128i vd = _mm_set1_epi8(delim);

		for (; i + 16 <= end; i += 16) {
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
				_mm_loadu_si128(
					(const __m128i *)(const void *)(s + i)),
				vd));

			for (; m; m &= m - 1) {
				size_t d = i + (size_t)__builtin_ctz(m);

				push_cut(r, off, d);
				off = d + 1;
			}
		}
	}
#endif
	for (; i < end; i++)
		if (s[i] == delim) {
			push_cut(r, off, i);
			off = i + 1;
		}
	push_cut(r, off, end); /* the last field: its NUL is store's */
	return 0;
}

int record_set(struct record *r, size_t i, const char *p, size_t len)
{
	size_t off;

	if (i >= r->n)
		return -1;
	/* Overwrite in place when the new value fits: the common case of
	 * normalising to a shorter form allocates nothing. */
	if (len <= r->len[i] &&
	    (p < r->data.p || p >= r->data.p + r->data.len)) {
		mem_copy(r->data.p + r->off[i], p, len);
		r->data.p[r->off[i] + len] = '\0';
		r->len[i] = len;
		return 0;
	}
	if (store(r, p, len, &off) < 0)
		return -1;
	r->off[i] = off;
	r->len[i] = len;
	return 0;
}

int record_copy(struct record *dst, const struct record *src)
{
	record_reset(dst);
	if (buf_add(&dst->data, src->data.p, src->data.len) < 0)
		return -1;
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++) {
		make_room(dst);
		dst->off[i] = src->off[i];
		dst->len[i] = src->len[i];
		dst->n++;
	}
	dst->row = src->row;
	dst->line = src->line;
	return 0;
}

void header_init(struct header *h)
{
	record_init(&h->names);
	for (int i = 0; i < CF_COUNT; i++)
		h->canon[i] = -1;
	h->folded = 0;
}

void header_release(struct header *h)
{
	record_release(&h->names);
	header_init(h);
}

static void index_canon(struct header *h, size_t col)
{
	int f = canon_lookup(record_field(&h->names, col));

	if (f >= 0 && h->canon[f] < 0)
		h->canon[f] = (int)col;
}

/* A column that names an unclaimed canonical field in another case. */
static void index_folded(struct header *h, size_t col)
{
	int f = canon_lookup_fold(record_field(&h->names, col));

	if (f < 0 || h->canon[f] >= 0)
		return;
	h->canon[f] = (int)col;
	h->folded |= (uint32_t)1 << f;
}

int header_set(struct header *h, const struct record *rec)
{
	header_release(h);
	for (size_t i = 0; i < rec->n; i++) {
		struct strview v = record_field(rec, i);

		if (i == 0 && sv_starts(v, "\xEF\xBB\xBF")) {
			v.p += 3;
			v.len -= 3;
		}
		v = sv_trim(v);
		if (record_addsv(&h->names, v) < 0)
			return -1;
		index_canon(h, i);
	}
	for (size_t i = 0; i < rec->n; i++)
		index_folded(h, i);
	return 0;
}

size_t header_add(struct header *h, const char *name)
{
	size_t col = h->names.n;

	record_add(&h->names, name, strlen(name));
	index_canon(h, col);
	return col;
}

int header_find(const struct header *h, const char *name)
{
	for (size_t i = 0; i < h->names.n; i++)
		if (sv_eqs(record_field(&h->names, i), name))
			return (int)i;
	return -1;
}

void record_swap(struct record *a, struct record *b)
{
	struct record t = *a;

	*a = *b;
	*b = t;
}

bool header_equal(const struct header *a, const struct header *b)
{
	if (header_count(a) != header_count(b))
		return false;
	for (size_t i = 0; i < header_count(a); i++)
		if (!sv_eq(record_field(&a->names, i),
			   record_field(&b->names, i)))
			return false;
	return true;
}
