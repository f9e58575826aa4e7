/*
 * test_utf8: strict decoding (RFC 3629: no overlong forms, surrogates or
 * code points past U+10FFFF), encoding, checking, counting, Han ranges
 * and width folding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "utf8.h"

static const struct {
	const char *in;
	size_t len;	/* bytes of in offered to the decoder */
	size_t want_n;	/* 0: invalid */
	uint32_t want_cp;
	const char *why;
} decode_cases[] = {
	{ "A", 1, 1, 'A', "ASCII" },
	{ "\0", 1, 1, 0, "NUL is a valid code point here" },
	{ "\x7f", 1, 1, 0x7F, "last one-byte" },
	{ "\xc2\x80", 2, 2, 0x80, "first two-byte" },
	{ "\xdf\xbf", 2, 2, 0x7FF, "last two-byte" },
	{ "\xe0\xa0\x80", 3, 3, 0x800, "first three-byte" },
	{ "张", 3, 3, 0x5F20, "Han" },
	{ "\xef\xbf\xbd", 3, 3, 0xFFFD, "replacement character" },
	{ "\xef\xbf\xbf", 3, 3, 0xFFFF, "last three-byte (noncharacter ok)" },
	{ "\xf0\x90\x80\x80", 4, 4, 0x10000, "first four-byte" },
	{ "\xf0\xa0\x80\x80", 4, 4, 0x20000, "Han extension B" },
	{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10FFFF, "last code point" },
	{ "", 0, 0, 0, "nothing to decode" },
	{ "\x80", 1, 0, 0, "lone continuation byte" },
	{ "\xbf", 1, 0, 0, "lone last continuation byte" },
	{ "\xc0\x80", 2, 0, 0, "overlong NUL (C0 80)" },
	{ "\xc1\xbf", 2, 0, 0, "overlong two-byte (C1)" },
	{ "\xe0\x80\x80", 3, 0, 0, "overlong three-byte NUL" },
	{ "\xe0\x9f\xbf", 3, 0, 0, "overlong three-byte U+7FF" },
	{ "\xf0\x80\x80\x80", 4, 0, 0, "overlong four-byte NUL" },
	{ "\xf0\x8f\xbf\xbf", 4, 0, 0, "overlong four-byte U+FFFF" },
	{ "\xed\xa0\x80", 3, 0, 0, "high surrogate U+D800" },
	{ "\xed\xbf\xbf", 3, 0, 0, "low surrogate U+DFFF" },
	{ "\xed\x9f\xbf", 3, 3, 0xD7FF, "just below the surrogates" },
	{ "\xee\x80\x80", 3, 3, 0xE000, "just above the surrogates" },
	{ "\xf4\x90\x80\x80", 4, 0, 0, "U+110000 is past the last" },
	{ "\xf5\x80\x80\x80", 4, 0, 0, "F5 never starts a sequence" },
	{ "\xf8\x88\x80\x80\x80", 5, 0, 0, "five-byte form (old UTF-8)" },
	{ "\xfe", 1, 0, 0, "FE never appears" },
	{ "\xff", 1, 0, 0, "FF never appears" },
	{ "\xe5\xbc", 2, 0, 0, "three-byte cut after two" },
	{ "\xe5", 1, 0, 0, "three-byte cut after one" },
	{ "\xf0\x9f\x98", 3, 0, 0, "four-byte cut after three" },
	{ "张", 2, 0, 0, "valid bytes but len says cut" },
	{ "\xe5" "AB", 3, 0, 0, "lead byte then ASCII" },
	{ "\xc3\xc3", 2, 0, 0, "lead byte then lead byte" },
	{ "\xe5\xbc\xa0\x80", 4, 3, 0x5F20, "decodes one, stops there" },
};

static void test_utf8_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]);
	     i++) {
		uint32_t cp = 0xDEAD;
		size_t n = utf8_decode(decode_cases[i].in, decode_cases[i].len,
				       &cp);

		if (n != decode_cases[i].want_n)
			fail_msg("%s: length %zu, want %zu",
				 decode_cases[i].why, n, decode_cases[i].want_n);
		if (n && cp != decode_cases[i].want_cp)
			fail_msg("%s: U+%04X", decode_cases[i].why,
				 (unsigned)cp);
	}
}

static void test_utf8_encode(void **state)
{
	char out[4];
	uint32_t back;

	(void)state;
	/* why: every scalar value round-trips; every surrogate and value
	 * past U+10FFFF is refused */
	for (uint32_t cp = 0; cp <= 0x110010; cp++) {
		size_t n = utf8_encode(cp, out);
		bool valid = cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
		size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;

		if (!valid) {
			if (n)
				fail_msg("U+%04X encoded", (unsigned)cp);
			continue;
		}
		if (cp >= 0x10000)
			want = 4;
		if (n != want)
			fail_msg("U+%04X: length %zu", (unsigned)cp, n);
		if (utf8_decode(out, n, &back) != n || back != cp)
			fail_msg("U+%04X does not decode back", (unsigned)cp);
	}
	assert_int_equal(utf8_encode(0xFFFFFFFF, out), 0);
}

static const struct {
	const char *in;
	size_t len, want;
	const char *why;
} check_cases[] = {
	{ "", 0, 0, "empty is valid" },
	{ "abc", 3, 3, "ASCII" },
	{ "张伟 Zhang", 12, 12, "mixed" },
	{ "ab\xff" "cd", 5, 2, "invalid byte in the middle" },
	{ "\xc0\xaf", 2, 0, "overlong slash at the start" },
	{ "ab\xe5\xbc", 4, 2, "cut sequence at the end" },
	{ "a\0b", 3, 3, "NUL is valid UTF-8 (callers check it)" },
	{ "张\xed\xa0\x80", 6, 3, "surrogate after a Han" },
	{ "\xf4\x90\x80\x80", 4, 0, "past U+10FFFF" },
};

static void test_utf8_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]);
	     i++) {
		size_t got = utf8_check(check_cases[i].in, check_cases[i].len);

		if (got != check_cases[i].want)
			fail_msg("%s: %zu, want %zu", check_cases[i].why, got,
				 check_cases[i].want);
		if (utf8_is_valid(svn(check_cases[i].in, check_cases[i].len)) !=
		    (check_cases[i].want == check_cases[i].len))
			fail_msg("%s: utf8_is_valid", check_cases[i].why);
	}
}

/* utf8_check takes runs of three-byte sequences a word at a time: every
 * lead byte E0-EF with every second and third byte, after one such
 * sequence and before a fourth byte, must be judged as utf8_decode
 * judges it. */
static void test_utf8_check_runs(void **state)
{
	(void)state;
	for (unsigned lead = 0xE0; lead <= 0xEF; lead++)
		for (unsigned b1 = 0; b1 < 256; b1++)
			for (unsigned b2 = 0; b2 < 256; b2++) {
				char s[8] = {'\xe5', '\xbc', '\xa0'};
				uint32_t cp;
				size_t want;

				s[3] = (char)lead;
				s[4] = (char)b1;
				s[5] = (char)b2;
				s[6] = 'z';
				want = utf8_decode(s + 3, 3, &cp) == 3 ? 7 : 3;
				if (want == 7 && b2 < 0x80)
					want = 3; /* b2 would be a lead */
				if (utf8_check(s, 7) != want)
					fail_msg("%02X %02X %02X: %zu, want %zu",
						 lead, b1, b2, utf8_check(s, 7),
						 want);
			}
}

/* utf8_check with its SIMD path and with the scalar loop alone: the
 * same offset for the len bytes at s. */
static void check_same(const char *s, size_t len)
{
	size_t fast, slow;

	utf8_fast(true);
	fast = utf8_check(s, len);
	utf8_fast(false);
	slow = utf8_check(s, len);
	utf8_fast(true);
	if (fast != slow) {
		char hex[3 * 80 + 1] = "";

		for (size_t i = 0; i < len && i < 80; i++)
			snprintf(hex + 3 * i, 4, "%02X ",
				 (unsigned char)s[i]);
		fail_msg("%s(%zu bytes): fast %zu, scalar %zu", hex, len, fast,
			 slow);
	}
}

/* Bytes at the edges of UTF-8's ranges, for the seconds, thirds and
 * fourths of sequences. */
static const unsigned char edges[] = {
	0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xA5, 0xBF,
	0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
};
#define N_EDGES (sizeof(edges) / sizeof(edges[0]))

/* The SIMD path says what the scalar loop says: every two bytes, every
 * lead C0-FF with every second byte and an edge third, every lead F0-F7
 * with every second byte and edge third and fourth, each across the
 * boundaries of the 16-byte blocks, in ASCII and in Han; then 100,000
 * random strings of edge pieces. */
static void test_utf8_check_fast(void **state)
{
	static const char *const fill[] = {
		"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
		"张伟李娜王芳刘洋陈静杨帆赵磊黄敏周杰吴",
	};
	char s[64];
	struct buf b;
	unsigned seed = 3;

	(void)state;
	for (size_t f = 0; f < 2; f++)
		for (unsigned at = 12; at <= 18; at++)
			for (unsigned b0 = 0; b0 < 256; b0++)
				for (unsigned b1 = 0; b1 < 256; b1++) {
					memcpy(s, fill[f], 48);
					s[at] = (char)b0;
					s[at + 1] = (char)b1;
					check_same(s, 48);
				}
	for (unsigned at = 13; at <= 16; at++)
		for (unsigned b0 = 0xC0; b0 < 256; b0++)
			for (unsigned b1 = 0; b1 < 256; b1++)
				for (size_t e = 0; e < N_EDGES; e++) {
					memcpy(s, fill[0], 48);
					s[at] = (char)b0;
					s[at + 1] = (char)b1;
					s[at + 2] = (char)edges[e];
					check_same(s, 48);
					check_same(s, at + 3);
				}
	for (unsigned at = 13; at <= 16; at++)
		for (unsigned b0 = 0xF0; b0 < 0xF8; b0++)
			for (unsigned b1 = 0; b1 < 256; b1++)
				for (size_t e = 0; e < N_EDGES * N_EDGES; e++) {
					memcpy(s, fill[1], 48);
					s[at] = (char)b0;
					s[at + 1] = (char)b1;
					s[at + 2] = (char)edges[e % N_EDGES];
					s[at + 3] = (char)edges[e / N_EDGES];
					check_same(s, 48);
				}
	buf_init(&b, BUF_NOLIMIT);
	for (unsigned i = 0; i < 100000; i++) {
		size_t k = i % 8;

		th_random_text(&b, &seed);
		while (k--) {
			struct buf more;

			buf_init(&more, BUF_NOLIMIT);
			th_random_text(&more, &seed);
			buf_addsv(&b, buf_view(&more));
			buf_release(&more);
		}
		check_same(b.p, b.len);
	}
	buf_release(&b);
}

static const struct {
	const char *in;
	size_t want;
	const char *why;
} count_cases[] = {
	{ "", 0, "empty" },
	{ "abc", 3, "ASCII" },
	{ "张伟", 2, "two Han" },
	{ "\xf0\x9f\x98\x80!", 2, "emoji and ASCII" },
	{ "\xff\xfe", 2, "each invalid byte counts one" },
	{ "\xe5\xbc", 2, "a cut sequence counts per byte" },
	{ "a\xe5\xbc\xa0\x80z", 4, "a stray continuation counts one" },
};

static void test_utf8_count(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(count_cases) / sizeof(count_cases[0]);
	     i++) {
		size_t got = utf8_count(sv(count_cases[i].in));

		if (got != count_cases[i].want)
			fail_msg("%s: %zu", count_cases[i].why, got);
	}
}

static const struct {
	uint32_t cp;
	bool han;
	const char *why;
} han_cases[] = {
	{ 0x4E00, true, "first URO" },	  { 0x9FFF, true, "last URO" },
	{ 0x3400, true, "Ext A" },	  { 0x4DBF, true, "last Ext A" },
	{ 0x20000, true, "Ext B" },	  { 0x323AF, true, "last Ext H" },
	{ 0xF900, true, "compatibility" }, { 0x3007, true, "ideographic zero" },
	{ 0x3006, false, "〆 is not Han" }, { 0x3000, false, "ideographic space" },
	{ 0x3001, false, "ideographic comma" }, { 'A', false, "ASCII" },
	{ 0x3042, false, "hiragana" },	  { 0xAC00, false, "Hangul" },
	{ 0x323B0, false, "past Ext H" }, { 0x4DC0, false, "hexagrams" },
	{ 0xFF21, false, "full-width A" },
};

static void test_utf8_is_han(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(han_cases) / sizeof(han_cases[0]); i++)
		if (utf8_is_han(han_cases[i].cp) != han_cases[i].han)
			fail_msg("%s", han_cases[i].why);
}

static const struct {
	const char *in, *want, *why;
} fold_cases[] = {
	{ "", "", "empty" },
	{ "abc", "abc", "ASCII unchanged" },
	{ "１３８１２３４５６７８", "13812345678", "full-width digits" },
	{ "ＡＢＣａｂｃ", "ABCabc", "full-width letters" },
	{ "！～", "!~", "first and last of the full-width block" },
	{ "王\xe3\x80\x80伟", "王 伟", "U+3000 becomes a space" },
	{ "＠ｑｑ．ｃｏｍ", "@qq.com", "full-width email punctuation" },
	{ "\xef\xbd\x9f", "\xef\xbd\x9f", "U+FF5F is past the block" },
	{ "\xef\xbc\x80", "\xef\xbc\x80", "U+FF00 is before the block" },
	{ "ｶﾞ", "ｶﾞ", "half-width katakana kept (not ASCII)" },
	{ "\xff\xef\xbc", "\xff\xef\xbc", "invalid bytes copied as they are" },
	{ "１\xef\xbc", "1\xef\xbc", "cut full-width character copied" },
};

static void test_utf8_fold_width(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	for (size_t i = 0; i < sizeof(fold_cases) / sizeof(fold_cases[0]);
	     i++) {
		buf_reset(&out);
		if (utf8_fold_width(sv(fold_cases[i].in), &out) < 0 ||
		    strcmp(out.p, fold_cases[i].want))
			fail_msg("%s: got '%s'", fold_cases[i].why, out.p);
	}
	buf_release(&out);
	/* why: a full out is -1, not a silent cut */
	buf_init(&out, 2);
	assert_int_equal(utf8_fold_width(sv("ａｂｃ"), &out), -1);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_encode),
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_utf8_check_runs),
		cmocka_unit_test(test_utf8_check_fast),
		cmocka_unit_test(test_utf8_count),
		cmocka_unit_test(test_utf8_is_han),
		cmocka_unit_test(test_utf8_fold_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
