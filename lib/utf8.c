/*
 * utf8: strict decoding, encoding and width folding.
 */
#include "utf8.h"

#include <string.h>

size_t utf8_decode_any(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	/* Most Han: E1-EC or EE-EF, which need no range check. */
	if (p[0] >= 0xE1 && p[0] <= 0xEF && p[0] != 0xED && len >= 3 &&
	    (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x0F) << 12) |
		      ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		return 3;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Sixteen bytes at a time (SSSE3), after Keiser and Lemire, "Validating
 * UTF-8 in less than one instruction per byte" (2021): three table
 * lookups on the nibbles of each byte and of the byte before it give the
 * errors of every two-byte window (a lead byte without its continuation
 * bytes, a continuation byte without a lead, overlong forms, surrogates,
 * past U+10FFFF); the bytes that must be the third or fourth of a
 * sequence are found from the bytes two and three before. It only says
 * whether a block has an error: check_blocks returns how far the input
 * is known valid, at the start of a character, and the scalar loop below
 * goes on from there (to the exact offset of an error, and the tail).
 * Used when the CPU has SSSE3 (checked once); utf8_fast(false) turns it
 * off for the tests.
 */
#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>

#define SIMD_MIN 32 /* shorter inputs: the scalar loop */

enum {
	TOO_SHORT = 1 << 0,  /* a lead not followed by a continuation */
	TOO_LONG = 1 << 1,   /* ASCII followed by a continuation */
	OVERLONG_3 = 1 << 2, /* E0 80-9F */
	TOO_LARGE = 1 << 3,  /* F4 90-BF, F5-FF */
	SURROGATE = 1 << 4,  /* ED A0-BF */
	OVERLONG_2 = 1 << 5, /* C0-C1 */
	TOO_LARGE_1000 = 1 << 6,
	OVERLONG_4 = 1 << 6, /* F0 80-8F */
	TWO_CONTS = 1 << 7,  /* a continuation after a continuation */
	CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

static int simd_state; /* 0 not checked, 1 usable, -1 not */

#define LARGE (CARRY | TOO_LARGE | TOO_LARGE_1000)
#define CONT (TOO_LONG | OVERLONG_2 | TWO_CONTS)
/* By the high nibble of a byte, its low nibble, and the high nibble of
 * the byte after it: the errors the two may make. */
static const unsigned char byte_1_high[16] = {
	TOO_LONG,
	TOO_LONG,
	TOO_LONG,
	TOO_LONG,
	TOO_LONG,
	TOO_LONG,
	TOO_LONG,
	TOO_LONG,
	TWO_CONTS,
	TWO_CONTS,
	TWO_CONTS,
	TWO_CONTS,
	TOO_SHORT | OVERLONG_2,
	TOO_SHORT,
	TOO_SHORT | OVERLONG_3 | SURROGATE,
	TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4,
};
static const unsigned char byte_1_low[16] = {
	CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
	CARRY | OVERLONG_2,
	CARRY,
	CARRY,
	CARRY | TOO_LARGE,
	LARGE,
	LARGE,
	LARGE,
	LARGE,
	LARGE,
	LARGE,
	LARGE,
	LARGE,
	LARGE | SURROGATE,
	LARGE,
	LARGE,
};
static const unsigned char byte_2_high[16] = {
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
	CONT | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
	CONT | OVERLONG_3 | TOO_LARGE,
	CONT | SURROGATE | TOO_LARGE,
	CONT | SURROGATE | TOO_LARGE,
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
	TOO_SHORT,
};

__attribute__((target("ssse3"))) static __m128i lookup(const unsigned char *t,
						       __m128i idx)
{
	return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)t), idx);
}

/* The errors of the block in after the block prev: zero when none. */
__attribute__((target("ssse3"))) static __m128i block_errors(__m128i in,
							     __m128i prev)
{
	const __m128i nib = _mm_set1_epi8(0x0F);
	__m128i prev1 = _mm_alignr_epi8(in, prev, 15);
	__m128i prev2 = _mm_alignr_epi8(in, prev, 14);
	__m128i prev3 = _mm_alignr_epi8(in, prev, 13);
	__m128i sc, must23;

	sc = _mm_and_si128(lookup(byte_1_high,
				  _mm_and_si128(_mm_srli_epi16(prev1, 4), nib)),
			   lookup(byte_1_low, _mm_and_si128(prev1, nib)));
	sc = _mm_and_si128(
		sc,
		lookup(byte_2_high, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
	/* 111_____ two bytes back, 1111____ three: bit 7 after these */
	must23 = _mm_or_si128(_mm_subs_epu8(prev2, _mm_set1_epi8(0x60)),
			      _mm_subs_epu8(prev3, _mm_set1_epi8(0x70)));
	must23 = _mm_and_si128(must23, _mm_set1_epi8((char)0x80));
	return _mm_xor_si128(must23, sc);
}

/* How many bytes from the start of u are valid, found a block at a time:
 * the start of the last character of the blocks found good. */
__attribute__((target("ssse3"))) static size_t
check_blocks(const unsigned char *u, size_t len)
{
	/* Bytes that start a sequence the block's end cuts. */
	const __m128i cut = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1,
					  -1, -1, -1, -1, (char)(0xF0 - 1),
					  (char)(0xE0 - 1), (char)(0xC0 - 1));
	__m128i prev = _mm_setzero_si128(), in;
	size_t i;
	bool open = false; /* prev ends in a cut sequence */

	for (i = 0; i + 16 <= len; i += 16) {
		in = _mm_loadu_si128((const __m128i *)(u + i));
		if (_mm_movemask_epi8(in) == 0 && !open) {
			prev = in;
			continue;
		}
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(block_errors(in, prev),
						     _mm_setzero_si128())) !=
		    0xFFFF)
			break;
		open = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(in, cut),
							_mm_setzero_si128())) !=
		       0xFFFF;
		prev = in;
	}
	/* Back to the start of the last character of the good blocks: it
	 * may be cut by their end. */
	if (i == 0)
		return 0;
	for (i--; i > 0 && (u[i] & 0xC0) == 0x80; i--)
		;
	return i;
}

/* Threads may find the answer at the same time: they store the same. */
static bool simd_usable(void)
{
	int st = __atomic_load_n(&simd_state, __ATOMIC_RELAXED);

	if (st == 0) {
		st = __builtin_cpu_supports("ssse3") ? 1 : -1;
		__atomic_store_n(&simd_state, st, __ATOMIC_RELAXED);
	}
	return st > 0;
}

void utf8_fast(bool on)
{
	__atomic_store_n(&simd_state, on ? 0 : -1, __ATOMIC_RELAXED);
}
#else
void utf8_fast(bool on)
{
	(void)on;
}
#endif

size_t utf8_check(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n;
	uint32_t cp;

#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= SIMD_MIN && simd_usable())
		i = check_blocks(u, len);
#endif

	while (i < len) {
		/* ASCII runs are the common case: skip them eight bytes at a
		 * time without the full decoder. */
		if (u[i] < 0x80) {
			uint64_t w;

			i++;
			while (i + 8 <= len) {
				memcpy(&w, u + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			continue;
		}
		/* Three bytes that need no range check: E1-EC and EE-EF
		 * lead bytes (no overlong form, no surrogate), two
		 * continuation bytes. Most Han characters. */
		if (u[i] >= 0xE1 && u[i] <= 0xEF && u[i] != 0xED &&
		    i + 3 <= len && (u[i + 1] & 0xC0) == 0x80 &&
		    (u[i + 2] & 0xC0) == 0x80) {
			i += 3;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* Han text is runs of them: the same test on a
			 * word, the lead byte lowest. */
			for (uint32_t w; i + 4 <= len; i += 3) {
				memcpy(&w, u + i, 4);
				if ((w & 0xC0C0F0) != 0x8080E0 ||
				    (w & 0x0F) == 0 || (w & 0xFF) == 0xED)
					break;
			}
#endif
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

bool utf8_is_valid(struct strview v)
{
	return utf8_check(v.p, v.len) == v.len;
}

size_t utf8_count(struct strview v)
{
	size_t i = 0, n, count = 0;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		i += n ? n : 1;
		count++;
	}
	return count;
}

bool utf8_is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) ||	 /* URO */
	       (c >= 0x3400 && c <= 0x4DBF) ||	 /* Ext A */
	       (c >= 0xF900 && c <= 0xFAFF) ||	 /* Compatibility */
	       (c >= 0x20000 && c <= 0x323AF) || /* Ext B-H */
	       c == 0x3007;			 /* 〇 */
}

int utf8_fold_width(struct strview v, struct buf *out)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (n == 3 && cp >= 0xFF01 && cp <= 0xFF5E) {
			if (buf_addc(out, (char)(cp - 0xFF01 + 0x21)) < 0)
				return -1;
		} else if (n == 3 && cp == 0x3000) {
			if (buf_addc(out, ' ') < 0)
				return -1;
		} else {
			if (n == 0)
				n = 1;
			if (buf_add(out, v.p + i, n) < 0)
				return -1;
		}
		i += n;
	}
	return 0;
}
