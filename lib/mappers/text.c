/*
 * text: NFKC and case folding on utf8proc, white space, and Traditional ->
 * Simplified Chinese on OpenCC, without an allocation per call.
 */
#include "mappers/text.h"

#include <opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"

/* Per-thread scratch: code points for utf8proc, bytes for OpenCC and for
 * text_clean's intermediate steps. Grown, never shrunk. */
struct scratch {
	utf8proc_int32_t *cp;
	size_t cap;	 /* entries in cp */
	struct buf conv; /* OpenCC output */
	struct buf step; /* text_clean between steps */
	struct buf step2;
	bool ready;
};

static _Thread_local struct scratch scratch;

static struct scratch *scratch_get(void)
{
	if (!scratch.ready) {
		buf_init(&scratch.conv, BUF_NOLIMIT);
		buf_init(&scratch.step, BUF_NOLIMIT);
		buf_init(&scratch.step2, BUF_NOLIMIT);
		scratch.ready = true;
	}
	return &scratch;
}

/* NFKC leaves printable ASCII and the CJK Unified Ideographs block alone
 * (no compatibility decompositions there), which is most of our data. */
static bool nfkc_is_identity(struct strview v)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < v.len) {
		unsigned char c = (unsigned char)v.p[i];

		if (c >= 0x20 && c < 0x7F) {
			i++;
			continue;
		}
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (n == 0 || cp < 0x4E00 || cp > 0x9FFF)
			return false;
		i += n;
	}
	return true;
}

/* Run utf8proc over in with options and append the UTF-8 result. */
static int map_utf8proc(struct strview in, utf8proc_option_t opts,
			struct buf *out)
{
	struct scratch *s = scratch_get();
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)in.p;
	utf8proc_ssize_t n, bytes;

	for (;;) {
		n = utf8proc_decompose(p, (utf8proc_ssize_t)in.len, s->cp,
				       (utf8proc_ssize_t)s->cap, opts);
		if (n < 0)
			return -1;
		/* utf8proc_reencode needs one entry more than it is given. */
		if ((size_t)n < s->cap)
			break;
		s->cap = (size_t)n + 64;
		s->cp = xrealloc(s->cp, s->cap * sizeof(*s->cp));
	}
	bytes = utf8proc_reencode(s->cp, n, opts);
	if (bytes < 0)
		return -1;
	return buf_add(out, s->cp, (size_t)bytes);
}

int text_nfkc(struct strview in, struct buf *out)
{
	if (!utf8_is_valid(in))
		return -1;
	if (nfkc_is_identity(in))
		return buf_addsv(out, in);
	return map_utf8proc(
		in, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT, out);
}

int text_casefold(struct strview in, struct buf *out)
{
	if (!utf8_is_valid(in))
		return -1;
	return map_utf8proc(in,
			    UTF8PROC_STABLE | UTF8PROC_COMPOSE |
				    UTF8PROC_COMPAT | UTF8PROC_CASEFOLD,
			    out);
}

/* NFKC for display values: control characters go (tab and newline become
 * spaces), and so do default ignorables (zero-width space, soft hyphen,
 * BOM) that copy and paste leaves in names. */
static int nfkc_clean(struct strview in, struct buf *out)
{
	if (!utf8_is_valid(in))
		return -1;
	if (nfkc_is_identity(in))
		return buf_addsv(out, in);
	return map_utf8proc(in,
			    UTF8PROC_STABLE | UTF8PROC_COMPOSE |
				    UTF8PROC_COMPAT | UTF8PROC_IGNORE |
				    UTF8PROC_STRIPCC,
			    out);
}

bool text_is_cjk(uint32_t cp)
{
	return utf8_is_han(cp) || (cp >= 0x3040 && cp <= 0x30FF) || /* kana */
	       (cp >= 0x31F0 && cp <= 0x31FF) || /* kana extension */
	       (cp >= 0x3100 && cp <= 0x312F) || /* bopomofo */
	       (cp >= 0x31A0 && cp <= 0x31BF) ||
	       (cp >= 0x2E80 && cp <= 0x2FDF); /* radicals */
}

bool text_is_letter(uint32_t cp)
{
	utf8proc_category_t c;

	if (cp < 0x80)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
	if (utf8_is_han(cp))
		return true;
	c = utf8proc_category((utf8proc_int32_t)cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

bool text_is_digit(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= '0' && cp <= '9';
	if (utf8_is_han(cp))
		return false; /* most of our non-ASCII: skip the table */
	return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ND;
}

static bool is_space(uint32_t cp)
{
	if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D))
		return true;
	if (cp >= 0x4E00 && cp <= 0x9FFF)
		return false; /* CJK Unified Ideographs: Lo, skip the table */
	return cp >= 0x80 &&
	       utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ZS;
}

/* One code point of text_spaces: a space makes *pending, anything else is
 * copied to o after a pending space unless both sides are CJK. Returns
 * the new end of the output. */
static char *space_step(const char *p, size_t n, uint32_t cp, bool keep_cjk,
			char *o, char *start, uint32_t *last, bool *pending)
{
	if (is_space(cp)) {
		*pending = o > start;
		return o;
	}
	if (*pending && !(!keep_cjk && text_is_cjk(*last) && text_is_cjk(cp)))
		*o++ = ' ';
	/* n is 1 to 4 (one code point): no memcpy call */
	o[0] = p[0];
	o[n - 1] = p[n - 1];
	if (n > 2) {
		o[1] = p[1];
		o[n - 2] = p[n - 2];
	}
	*pending = false;
	*last = cp;
	return o + n;
}

int text_spaces(struct strview in, enum text_flags flags, struct buf *out)
{
	bool keep = flags & TEXT_KEEP_CJK_SPACES, pending = false;
	size_t i = 0, n;
	uint32_t cp, last = 0;
	char *start, *o;

	/* The result is never longer than in: write it in place. */
	if (buf_grow(out, in.len) < 0)
		return -1;
	start = o = out->p + out->len;
	while (i < in.len) {
		unsigned char c = (unsigned char)in.p[i];

		if (c > ' ' && c < 0x7F && !pending) {
			*o++ = (char)c; /* the common case: plain ASCII */
			last = c;
			i++;
			continue;
		}
		n = c < 0x80 ? 1 : utf8_decode(in.p + i, in.len - i, &cp);
		if (c < 0x80)
			cp = c;
		else if (n == 0) {
			n = 1;
			cp = 0xFFFD; /* not a space, not CJK: kept as is */
		}
		o = space_step(in.p + i, n, cp, keep, o, start, &last,
			       &pending);
		i += n;
	}
	out->len = (size_t)(o - out->p);
	out->p[out->len] = '\0';
	return 0;
}

/* text_plain: on unless a test turns it off (text_fast). */
static bool plain_off;

int text_plain(struct strview in, enum text_flags flags, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in.p;
	bool keep = flags & TEXT_KEEP_CJK_SPACES, pending = false, han = false;
	size_t i = 0;
	char *start, *o;

	if (plain_off || buf_grow(out, in.len) < 0)
		return -1;
	start = o = out->p + out->len;
	while (i < in.len) {
		unsigned char c = p[i];

		if (c > ' ' && c < 0x7F) {
			if (pending)
				*o++ = ' ';
			*o++ = (char)c;
			pending = han = false;
			i++;
		} else if (c == ' ') {
			pending = o > start;
			i++;
		} else if (c >= 0xE4 && c <= 0xE9 && i + 3 <= in.len &&
			   (p[i + 1] & 0xC0) == 0x80 &&
			   (p[i + 2] & 0xC0) == 0x80 &&
			   (c > 0xE4 || p[i + 1] >= 0xB8)) {
			/* U+4E00-9FFF: no space between two of them */
			if (pending && (keep || !han))
				*o++ = ' ';
			o[0] = (char)c;
			o[1] = (char)p[i + 1];
			o[2] = (char)p[i + 2];
			o += 3;
			pending = false;
			han = true;
			i += 3;
		} else {
			out->p[out->len] = '\0'; /* as it was */
			return -1;
		}
	}
	out->len = (size_t)(o - out->p);
	out->p[out->len] = '\0';
	return 0;
}

void text_fast(bool on)
{
	plain_off = !on;
}

/*
 * OpenCC. The converter is opened once. Whether t2s.json changes a BMP
 * code point on its own is learnt the first time the code point is seen
 * (one OpenCC call on that character alone) and kept, so that text already
 * Simplified (most of a mainland member file) never reaches OpenCC, and a
 * process pays only for the characters its data has.
 *
 * NEEDSWORK: a phrase in TSPhrases whose every character is unchanged on
 * its own would be missed by this filter; none is known in names or
 * addresses, but the filter cannot prove it.
 */
static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;
static opencc_t t2s_cc = (opencc_t)-1;
static char t2s_error[200];

/* Per BMP code point: T2S_UNKNOWN until first seen. Threads may learn one
 * at the same time; they store the same answer. */
enum { T2S_UNKNOWN, T2S_SAME, T2S_CHANGED };
static unsigned char t2s_state[0x10000];

/* Does OpenCC change cp written on its own? */
static unsigned char t2s_learn(uint32_t cp)
{
	char in[4], out[64];
	size_t n = utf8_encode(cp, in), m;

	if (n == 0)
		return T2S_CHANGED; /* not text: leave it to OpenCC */
	/* One character maps to one character: 4 bytes of the 64. */
	m = opencc_convert_utf8_to_buffer(t2s_cc, in, n, out);
	if (m == n && !memcmp(in, out, n))
		return T2S_SAME;
	return T2S_CHANGED;
}

static bool t2s_bit(uint32_t cp)
{
	unsigned char st;

	if (cp >= 0x10000)
		return true;
	st = __atomic_load_n(&t2s_state[cp], __ATOMIC_RELAXED);
	if (st == T2S_UNKNOWN) {
		st = t2s_learn(cp);
		__atomic_store_n(&t2s_state[cp], st, __ATOMIC_RELAXED);
	}
	return st == T2S_CHANGED;
}

static void t2s_open_once(void)
{
	t2s_cc = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
	if (t2s_cc == (opencc_t)-1)
		snprintf(t2s_error, sizeof(t2s_error), "%s", opencc_error());
}

int text_open(struct mbr_err *err)
{
	pthread_once(&t2s_once, t2s_open_once);
	if (t2s_cc == (opencc_t)-1)
		return mbr_fail(err, MBR_ECONFIG,
				"cannot load OpenCC config '%s': %s",
				OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP, t2s_error);
	return 0;
}

/* 1 when in has a character t2s.json changes, 0 when not, -1 when in is
 * not valid UTF-8. */
static int t2s_needed(struct strview in)
{
	size_t i = 0, n;
	uint32_t cp;
	int needed = 0;

	while (i < in.len) {
		if ((unsigned char)in.p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode(in.p + i, in.len - i, &cp);
		if (n == 0)
			return -1;
		if (!needed && t2s_bit(cp))
			needed = 1;
		i += n;
	}
	return needed;
}

int text_t2s(struct strview in, struct buf *out, struct mbr_err *err)
{
	struct scratch *s;
	size_t n;
	int needed;

	if (text_open(err) < 0)
		return -1;
	needed = t2s_needed(in);
	if (needed < 0)
		return -1;
	if (!needed)
		return buf_addsv(out, in);
	/* opencc_convert_utf8_to_buffer writes without a bound. t2s maps
	 * each character to one character (4 bytes at most), and every
	 * input character is at least one byte: 4 * len is enough. */
	s = scratch_get();
	buf_reset(&s->conv);
	buf_grow(&s->conv, in.len * 4 + 4);
	n = opencc_convert_utf8_to_buffer(t2s_cc, in.p, in.len, s->conv.p);
	if (n == (size_t)-1 || n > s->conv.cap - 1)
		return mbr_fail(err, MBR_EINTERNAL, "OpenCC failed: %s",
				opencc_error());
	return buf_add(out, s->conv.p, n);
}

int text_clean(struct strview in, enum text_flags flags, struct buf *out,
	       struct mbr_err *err)
{
	struct scratch *s = scratch_get();
	size_t start = out->len;
	struct strview v = in;

	err->status = MBR_OK;
	buf_reset(&s->step);
	buf_reset(&s->step2);
	/* Most text: validity, NFKC and spaces in one pass. */
	if (!(flags & TEXT_CASEFOLD) &&
	    text_plain(in, flags, flags & TEXT_T2S ? &s->step2 : out) == 0) {
		if (!(flags & TEXT_T2S))
			return 0;
		if (text_t2s(buf_view(&s->step2), out, err) < 0) {
			buf_truncate(out, start);
			return -1;
		}
		return 0;
	}
	/* Text NFKC leaves alone is valid UTF-8: one pass for the both. */
	if (!nfkc_is_identity(in)) {
		if (nfkc_clean(in, &s->step) < 0) /* checks validity */
			return -1;
		v = buf_view(&s->step);
	}
	if (flags & TEXT_CASEFOLD) {
		if (text_casefold(v, &s->step2) < 0)
			return -1;
		buf_reset(&s->step);
		buf_addsv(&s->step, buf_view(&s->step2));
		buf_reset(&s->step2);
		v = buf_view(&s->step);
	}
	if (!(flags & TEXT_T2S))
		return text_spaces(v, flags, out);
	if (text_spaces(v, flags, &s->step2) < 0 ||
	    text_t2s(buf_view(&s->step2), out, err) < 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

void text_close(void)
{
	if (t2s_cc != (opencc_t)-1)
		opencc_close(t2s_cc);
	t2s_cc = (opencc_t)-1;
	free(scratch.cp);
	scratch.cp = NULL;
	scratch.cap = 0;
	buf_release(&scratch.conv);
	buf_release(&scratch.step);
	buf_release(&scratch.step2);
	scratch.ready = false;
}
