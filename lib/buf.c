/*
 * buf: growable byte buffer with a size limit, and string views.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static char empty[1];

void buf_init(struct buf *b, size_t max)
{
	b->p = empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int buf_grow_slow(struct buf *b, size_t n)
{
	size_t want, cap;

	/* The last test keeps want (len + n + 1) from wrapping to 0. */
	if (n > b->max || b->len > b->max - n || b->len + n == (size_t)-1)
		return -1;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap < ((size_t)-1) / 2 ? cap * 2 : want;
	if (b->cap == 0) {
		b->p = xmalloc(cap);
		b->p[0] = '\0';
	} else {
		b->p = xrealloc(b->p, cap);
	}
	b->cap = cap;
	return 0;
}

int buf_add_slow(struct buf *b, const void *p, size_t len)
{
	if (buf_grow(b, len) < 0)
		return -1;
	mem_copy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int buf_addc_slow(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->p[len] = '\0';
}

void buf_release(struct buf *b)
{
	if (b->cap)
		free(b->p);
	buf_init(b, b->max);
}

char *buf_detach(struct buf *b)
{
	char *p = b->cap ? b->p : xstrdup("");

	buf_init(b, b->max);
	return p;
}

struct strview sv(const char *s)
{
	struct strview v = {s, s ? strlen(s) : 0};
	return v;
}

bool sv_eqs(struct strview a, const char *s)
{
	return sv_eq(a, sv(s));
}

bool sv_ieqs(struct strview a, const char *s)
{
	size_t n = strlen(s);

	if (a.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a.p[i],
			      y = (unsigned char)s[i];

		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return false;
	}
	return true;
}

/* U+3000 IDEOGRAPHIC SPACE is E3 80 80 in UTF-8; exports pad with it. */
static size_t space_at(const char *p, size_t len)
{
	unsigned char c = (unsigned char)p[0];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f')
		return 1;
	if (len >= 3 && c == 0xE3 && (unsigned char)p[1] == 0x80 &&
	    (unsigned char)p[2] == 0x80)
		return 3;
	if (len >= 2 && c == 0xC2 && (unsigned char)p[1] == 0xA0)
		return 2; /* U+00A0 NO-BREAK SPACE */
	return 0;
}

/* Can c start a space space_at knows (ASCII white space, the ideographic
 * space E3 80 80, no-break space C2 A0)? */
static bool may_start_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xE3 || c == 0xC2;
}

/* Can c end one? */
static bool may_end_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x80 || c == 0xA0;
}

struct strview sv_trim(struct strview v)
{
	size_t n;

	/* Most values have nothing to trim: tell from their two ends. */
	if (v.len && !may_start_space((unsigned char)v.p[0]) &&
	    !may_end_space((unsigned char)v.p[v.len - 1]))
		return v;

	while (v.len && (n = space_at(v.p, v.len)) != 0) {
		v.p += n;
		v.len -= n;
	}
	for (;;) {
		if (v.len >= 3 && space_at(v.p + v.len - 3, 3) == 3)
			v.len -= 3;
		else if (v.len >= 2 && space_at(v.p + v.len - 2, 2) == 2)
			v.len -= 2;
		else if (v.len && space_at(v.p + v.len - 1, 1) == 1)
			v.len -= 1;
		else
			break;
	}
	return v;
}

char *sv_dup(struct strview v)
{
	return xmemdup(v.p, v.len);
}

int sv_cmp(struct strview a, struct strview b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.p, b.p, n) : 0;

	if (c)
		return c;
	return (a.len > b.len) - (a.len < b.len);
}
