/*
 * test_text: NFKC, case folding, white space and Traditional -> Simplified.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "helpers.h"
#include "mappers/text.h"
#include "utf8.h"

struct text_case {
	const char *in, *want, *why;
	int rc;
};

static const struct text_case nfkc_cases[] = {
	{ "", "", "empty stays empty", 0 },
	{ "张伟", "张伟", "plain CJK: fast path", 0 },
	{ "Zhang Wei", "Zhang Wei", "plain ASCII: fast path", 0 },
	{ "ＺＨＡＮＧ１２３", "ZHANG123", "full-width Latin and digits", 0 },
	{ "ｶﾞｸ", "ガク", "half-width katakana with voicing mark", 0 },
	{ "①②", "12", "circled digits", 0 },
	{ "ﬁle", "file", "ligature", 0 },
	{ "e\xcc\x81", "\xc3\xa9", "combining acute composes", 0 },
	{ "\xef\xa4\x80", "\xe8\xb1\x88", "CJK compatibility ideograph", 0 },
	{ "王\xe3\x80\x80伟", "王 伟", "ideographic space becomes a space", 0 },
	{ "\xff", "", "invalid byte fails", -1 },
	{ "abc\xe4\xb8", "", "truncated sequence fails", -1 },
	{ "\xed\xa0\x80", "", "surrogate fails", -1 },
	{ "\xc0\xaf", "", "overlong fails", -1 },
};

static const struct text_case fold_cases[] = {
	{ "", "", "empty", 0 },
	{ "ÄBC", "äbc", "Latin-1 upper case", 0 },
	{ "Straße", "strasse", "sharp s folds to ss", 0 },
	{ "ＭＩＸ", "mix", "full-width folds and lowers", 0 },
	{ "ΣΑΣ", "σασ", "Greek", 0 },
	{ "张伟", "张伟", "Han has no case", 0 },
	{ "\xfe", "", "invalid byte fails", -1 },
};

static const struct text_case space_cases[] = {
	{ "", "", "empty", 0 },
	{ "   ", "", "only spaces", 0 },
	{ "  a  b  ", "a b", "collapse and trim", 0 },
	{ "a\t\n\r b", "a b", "tab, newline, CR", 0 },
	{ "王 伟", "王伟", "space between Han removed", 0 },
	{ "王  \xc2\xa0 伟", "王伟", "mixed spaces between Han", 0 },
	{ "王 Wei", "王 Wei", "Han then Latin keeps the space", 0 },
	{ "Wei 王", "Wei 王", "Latin then Han keeps the space", 0 },
	{ "やま だ", "やまだ", "kana counts as CJK", 0 },
	{ "김 철수", "김 철수", "Hangul keeps its spaces", 0 },
	{ "a\xe2\x80\x83" "b", "a b", "em space (Zs)", 0 },
	{ "王 1 伟", "王 1 伟", "digit between Han keeps spaces", 0 },
	{ "张\xe3\x80\x80伟 \xe4\xb8\x80\xe9\xbf\xbf", "张伟\xe4\xb8\x80\xe9\xbf\xbf",
	  "ideographic space; first and last of the Han block are no space",
	  0 },
};

static const struct text_case t2s_cases[] = {
	{ "", "", "empty", 0 },
	{ "歐陽鋒", "欧阳锋", "compound surname, Traditional", 0 },
	{ "张伟", "张伟", "already Simplified", 0 },
	{ "Chan Tai Man 陳大文", "Chan Tai Man 陈大文", "mixed scripts", 0 },
	{ "頭髮", "头发", "two traditional forms of one simplified", 0 },
	{ "乾隆", "乾隆", "phrase kept by TSPhrases", 0 },
	{ "臺北市", "台北市", "variant of Tai", 0 },
	{ "香港特別行政區", "香港特别行政区", "address words", 0 },
	{ "𠀀", "𠀀", "Extension B passes through", 0 },
	{ "张伟張偉", "张伟张伟", "Traditional after Simplified", 0 },
	{ "１２３號", "１２３号", "full-width digits before Traditional", 0 },
	{ "Ａ棟3單元", "Ａ栋3单元", "full-width, digits and Han mixed", 0 },
	{ "иван 龍", "иван 龙", "Cyrillic, then Traditional", 0 },
	{ "東京タワー", "东京タワー", "kana after Traditional", 0 },
	{ "简体\xff", "", "invalid UTF-8 after Simplified fails", -1 },
	{ "张三 <ZS\xe5\xbc\xa0\xe4" "com>", "", "truncated UTF-8 fails (fuzz)",
	  -1 },
	{ "張\xff", "", "invalid UTF-8 after a Traditional character fails",
	  -1 },
};

static const struct text_case clean_cases[] = {
	{ "", "", "empty", 0 },
	{ "  ＺＨＡＮＧ　 Ｗｅｉ  ", "ZHANG Wei", "full-width, ideographic space", 0 },
	{ "張\xe2\x80\x8b偉", "张伟", "zero-width space removed, T2S", 0 },
	{ "陳 大 文", "陈大文", "spaces between Han, T2S", 0 },
	{ "a\x01" "b", "ab", "control character removed", 0 },
	{ "a\tb", "a b", "tab is a space", 0 },
	{ "\xef\xbb\xbf" "王", "王", "BOM removed", 0 },
	{ "王\xff", "", "invalid UTF-8 fails", -1 },
};

static void run(const struct text_case *c, size_t n, int which)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct buf out;

	buf_init(&out, 1 << 20);
	for (size_t i = 0; i < n; i++) {
		int rc;

		buf_reset(&out);
		buf_adds(&out, "[");
		switch (which) {
		case 0: rc = text_nfkc(sv(c[i].in), &out); break;
		case 1: rc = text_casefold(sv(c[i].in), &out); break;
		case 2: rc = text_spaces(sv(c[i].in), 0, &out); break;
		case 3: rc = text_t2s(sv(c[i].in), &out, &err); break;
		default: rc = text_clean(sv(c[i].in), TEXT_T2S, &out, &err);
		}
		if (rc != c[i].rc)
			fail_msg("%s: rc %d, want %d", c[i].why, rc, c[i].rc);
		/* On failure out must be as it was. */
		if (rc < 0 && strcmp(out.p, "["))
			fail_msg("%s: out changed on failure: '%s'", c[i].why,
				 out.p);
		if (rc == 0 && strcmp(out.p + 1, c[i].want))
			fail_msg("%s: got '%s', want '%s'", c[i].why,
				 out.p + 1, c[i].want);
	}
	buf_release(&out);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_nfkc(void **state)
{
	(void)state;
	run(nfkc_cases, N(nfkc_cases), 0);
}

static void test_casefold(void **state)
{
	(void)state;
	run(fold_cases, N(fold_cases), 1);
}

static void test_spaces(void **state)
{
	struct buf out;

	(void)state;
	run(space_cases, N(space_cases), 2);
	buf_init(&out, 64);
	text_spaces(sv("王 伟"), TEXT_KEEP_CJK_SPACES, &out);
	assert_string_equal(out.p, "王 伟");
	buf_release(&out);
}

static void test_t2s(void **state)
{
	(void)state;
	run(t2s_cases, N(t2s_cases), 3);
}

/*
 * Every BMP character on its own (the per-character filter, learnt lazily)
 * against the same characters converted by OpenCC in one call, one a line,
 * after a Traditional character so that the filter cannot skip the call.
 */
static void test_t2s_every_char(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct buf all, one, bulk;
	const char *p, *end;
	char u[4];

	(void)state;
	buf_init(&all, BUF_NOLIMIT);
	buf_init(&one, BUF_NOLIMIT);
	buf_init(&bulk, BUF_NOLIMIT);
	buf_adds(&all, "張\n");
	for (uint32_t cp = 0x80; cp < 0x10000; cp++) {
		size_t n = utf8_encode(cp, u);

		if (n == 0)
			continue;
		buf_add(&all, u, n);
		buf_addc(&all, '\n');
	}
	assert_int_equal(text_t2s(buf_view(&all), &bulk, &err), 0);
	assert_memory_equal(bulk.p, "张\n", 4);
	p = bulk.p + 4;
	end = bulk.p + bulk.len;
	for (uint32_t cp = 0x80; cp < 0x10000; cp++) {
		size_t n = utf8_encode(cp, u);
		const char *nl;

		if (n == 0)
			continue;
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		buf_reset(&one);
		assert_int_equal(text_t2s(svn(u, n), &one, &err), 0);
		if (one.len != (size_t)(nl - p) || memcmp(one.p, p, one.len))
			fail_msg("U+%04X: alone '%s', in bulk '%.*s'",
				 (unsigned)cp, one.p, (int)(nl - p), p);
		p = nl + 1;
	}
	assert_ptr_equal(p, end);
	buf_release(&all);
	buf_release(&one);
	buf_release(&bulk);
}

static void test_clean(void **state)
{
	(void)state;
	run(clean_cases, N(clean_cases), 4);
}

/* 10 KB of Traditional text, and a buf too small for the result. */
static void test_long_and_full(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct buf in, out, small;

	(void)state;
	buf_init(&in, BUF_NOLIMIT);
	buf_init(&out, BUF_NOLIMIT);
	buf_init(&small, 8);
	for (int i = 0; i < 3400; i++)
		buf_adds(&in, "歐");
	assert_int_equal(text_clean(buf_view(&in), TEXT_T2S, &out, &err), 0);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.p, "欧欧欧", 9);
	assert_int_equal(text_clean(buf_view(&in), TEXT_T2S, &small, &err),
			 -1);
	assert_int_equal(small.len, 0);
	assert_int_equal(text_spaces(sv("a b c d e f g"), 0, &small), -1);
	assert_int_equal(small.len, 0);
	buf_release(&in);
	buf_release(&out);
	buf_release(&small);
}

/* text_clean through text_plain and through the general path alone, on
 * in: the same return and the same bytes, after what out held. */
static void plain_same(struct strview in, enum text_flags flags,
		       struct buf *a, struct buf *b)
{
	struct mbr_err err = MBR_ERR_INIT;
	int ra, rb;

	buf_reset(a);
	buf_reset(b);
	buf_adds(a, "x");
	buf_adds(b, "x");
	text_fast(true);
	ra = text_clean(in, flags, a, &err);
	text_fast(false);
	rb = text_clean(in, flags, b, &err);
	text_fast(true);
	if (ra != rb || a->len != b->len || memcmp(a->p, b->p, a->len + 1))
		fail_msg("'%.*s' flags %d: fast %d '%s', general %d '%s'",
			 (int)in.len, in.p, (int)flags, ra, a->p, rb, b->p);
}

/* The one-pass clean-up answers as the general path: every three-byte
 * sequence led by E3-EA between two letters, and 200,000 random strings
 * of pieces at the edges of what it takes, with each set of flags. */
static void test_plain(void **state)
{
	static const enum text_flags flags[] = {
		0, TEXT_T2S, TEXT_KEEP_CJK_SPACES,
		TEXT_T2S | TEXT_KEEP_CJK_SPACES, TEXT_CASEFOLD,
	};
	static const unsigned char thirds[] = {0x80, 0xbf, 0x41, 0xc0};
	struct buf in, a, b, sa, sb;
	unsigned seed = 7, n_fast = 0;

	(void)state;
	buf_init(&sa, 12); /* full before some results end */
	buf_init(&sb, 12);
	buf_init(&in, BUF_NOLIMIT);
	buf_init(&a, BUF_NOLIMIT);
	buf_init(&b, BUF_NOLIMIT);
	for (unsigned lead = 0xe3; lead <= 0xea; lead++)
		for (unsigned second = 0; second < 256; second++)
			for (size_t t = 0; t < 4; t++) {
				char s[6] = {'a', ' ', (char)lead,
					     (char)second, (char)thirds[t],
					     'b'};

				for (size_t f = 0; f < 5; f++)
					plain_same(svn(s, 6), flags[f], &a,
						   &b);
				plain_same(svn(s + 2, 3), 0, &a, &b);
			}
	for (unsigned i = 0; i < 200000; i++) {
		th_random_text(&in, &seed);
		plain_same(buf_view(&in), flags[i % 5], &a, &b);
		plain_same(buf_view(&in), flags[i % 5], &sa, &sb);
		buf_reset(&a);
		n_fast += text_plain(buf_view(&in), 0, &a) == 0;
	}
	/* Both paths were taken many times. */
	assert_true(n_fast > 1000 && n_fast < 190000);
	buf_release(&in);
	buf_release(&a);
	buf_release(&b);
	buf_release(&sa);
	buf_release(&sb);
}

static int teardown(void **state)
{
	(void)state;
	text_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfkc),
		cmocka_unit_test(test_casefold),
		cmocka_unit_test(test_spaces),
		cmocka_unit_test(test_t2s),
		cmocka_unit_test(test_t2s_every_char),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_long_and_full),
		cmocka_unit_test(test_plain),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
