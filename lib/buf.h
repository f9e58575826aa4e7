/*
 * buf: a growable byte buffer with a size limit, and string views.
 *
 * A buf owns its bytes and keeps them NUL-terminated, so buf.p can be handed
 * to C string functions; it still carries its length, and callers that have
 * a length never strlen. A buf refuses to grow past its max: a 2 GB field
 * becomes a reject, not an out-of-memory exit.
 */
#ifndef MBR_BUF_H
#define MBR_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct strview {
	const char *p; /* borrowed; not NUL-terminated */
	size_t len;
};

struct buf {
	char *p; /* owned; NUL-terminated; never NULL after buf_init */
	size_t len;
	size_t cap;
	size_t max; /* buf_add fails past this */
};

#define BUF_NOLIMIT ((size_t)-1)

void buf_init(struct buf *b, size_t max);
/* Append len bytes. Returns 0, or -1 (b unchanged) past max. Inline,
 * below (after mem_copy); this is its path that grows b. */
int buf_add_slow(struct buf *b, const void *p, size_t len);
int buf_addc_slow(struct buf *b, char c);
static inline int buf_addc(struct buf *b, char c)
{
	/* The common case, room already there, without a call. */
	if (b->len + 1 < b->cap && b->len < b->max) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return buf_addc_slow(b, c);
}
int buf_adds(struct buf *b, const char *s); /* a C string */
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Make room for n more bytes; returns 0 or -1 past max. */
int buf_grow_slow(struct buf *b, size_t n);
static inline int buf_grow(struct buf *b, size_t n)
{
	/* The common case, room already there, without a call. */
	if (n < b->cap && b->len + n < b->cap && b->len + n <= b->max)
		return 0;
	return buf_grow_slow(b, n);
}
/* Shorten to len (<= b->len). Cannot fail. */
void buf_truncate(struct buf *b, size_t len);
static inline void buf_reset(struct buf *b) /* empty it, keep the memory */
{
	b->len = 0;
	if (b->cap)
		b->p[0] = '\0';
}
void buf_release(struct buf *b); /* free it; b is as after buf_init */
char *buf_detach(struct buf *b); /* caller owns the result: free() it */
static inline struct strview buf_view(const struct buf *b)
{
	struct strview v = {b->p, b->len};
	return v;
}

struct strview sv(const char *s); /* view of a C string */
static inline struct strview svn(const char *p, size_t len)
{
	struct strview v = {p, len};
	return v;
}
/* Are the n bytes at a and b the same? Short runs (most field values)
 * by two fixed-size loads that may overlap, inline; the rest by memcmp. */
static inline bool mem_eq(const void *a, const void *b, size_t n)
{
	const char *x = a, *y = b;
	uint64_t p, q, r, t;
	uint32_t c, d, e, f;

	if (n >= 8 && n <= 16) {
		memcpy(&p, x, 8);
		memcpy(&q, y, 8);
		memcpy(&r, x + n - 8, 8);
		memcpy(&t, y + n - 8, 8);
		return ((p ^ q) | (r ^ t)) == 0;
	}
	if (n >= 4 && n < 8) {
		memcpy(&c, x, 4);
		memcpy(&d, y, 4);
		memcpy(&e, x + n - 4, 4);
		memcpy(&f, y + n - 4, 4);
		return ((c ^ d) | (e ^ f)) == 0;
	}
	if (n < 4)
		return n == 0 || (x[0] == y[0] && x[n / 2] == y[n / 2] &&
				  x[n - 1] == y[n - 1]);
	return memcmp(x, y, n) == 0;
}

/* memcpy(o, p, n) for the short runs of field values: up to sixteen
 * bytes as two fixed-size moves that may overlap, inline; the rest by
 * memcpy. o and p must not overlap. */
static inline void mem_copy(void *o, const void *p, size_t n)
{
	char *x = o;
	const char *y = p;
	uint64_t a, b;
	uint32_t c, d;

	if (n >= 8 && n <= 16) {
		memcpy(&a, y, 8);
		memcpy(&b, y + n - 8, 8);
		memcpy(x, &a, 8);
		memcpy(x + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&c, y, 4);
		memcpy(&d, y + n - 4, 4);
		memcpy(x, &c, 4);
		memcpy(x + n - 4, &d, 4);
	} else if (n > 0 && n < 4) {
		x[0] = y[0];
		x[n / 2] = y[n / 2];
		x[n - 1] = y[n - 1];
	} else if (n > 16) {
		memcpy(x, y, n);
	}
}

static inline bool sv_eq(struct strview a, struct strview b)
{
	return a.len == b.len && mem_eq(a.p, b.p, a.len);
}
/* Byte order of a and b (a prefix first): <0, 0, >0. Cannot fail. */
int sv_cmp(struct strview a, struct strview b);
bool sv_eqs(struct strview a, const char *s);
bool sv_ieqs(struct strview a, const char *s); /* ASCII case-insensitive */
static inline bool sv_starts(struct strview a, const char *prefix)
{
	/* Inline: for a literal prefix its length is known at compile time. */
	size_t n = strlen(prefix);

	return a.len >= n && !memcmp(a.p, prefix, n);
}
/* Append len bytes. Returns 0, or -1 (b unchanged) past max. */
static inline int buf_add(struct buf *b, const void *p, size_t len)
{
	/* The common case, room already there, without a call. */
	if (len < b->cap - b->len && b->len + len <= b->max) {
		if (len)
			memcpy(b->p + b->len, p, len);
		b->len += len;
		b->p[b->len] = '\0';
		return 0;
	}
	return buf_add_slow(b, p, len);
}

/* Append v as LEB128: seven bits a byte, the lowest first, the top bit
 * set on every byte but the last (one byte under 128). -1 over the limit. */
static inline int buf_add_leb128(struct buf *b, uint64_t v)
{
	unsigned char q[10];
	size_t n = 0;

	do {
		q[n] = v & 0x7f;
		v >>= 7;
		q[n++] |= v ? 0x80 : 0;
	} while (v);
	return buf_add(b, q, n);
}

/* The LEB128 number at p (at most len bytes) into *v; returns the bytes
 * it took, 0 when it runs past len or past 64 bits. */
static inline size_t leb128_get(const unsigned char *p, size_t len, uint64_t *v)
{
	size_t i = 0;
	unsigned shift = 0;

	*v = 0;
	do {
		if (i == len || shift > 63)
			return 0;
		*v |= (uint64_t)(p[i] & 0x7f) << shift;
		shift += 7;
	} while (p[i++] & 0x80);
	return i;
}

static inline int buf_addsv(struct buf *b, struct strview v)
{
	return buf_add(b, v.p, v.len);
}
/* Trim ASCII white space and U+3000 IDEOGRAPHIC SPACE at both ends. */
struct strview sv_trim(struct strview v);
/* A NUL-terminated heap copy (xmalloc). */
char *sv_dup(struct strview v);

#endif
