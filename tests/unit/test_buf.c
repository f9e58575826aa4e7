/*
 * test_buf: the growable buffer's limit and ownership rules, and string
 * views (comparison, trimming of ASCII, ideographic and no-break spaces).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void test_buf_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_add(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.p, "0123456789");
	/* why: exactly max bytes fit, one more is refused, b unchanged */
	assert_int_equal(buf_add(&b, "x", 1), -1);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.p, "0123456789");
	/* why: buf_addc has a fast path for spare capacity; the limit
	 * still applies (cap is larger than max here) */
	assert_true(b.cap > 11);
	assert_int_equal(buf_addc(&b, 'x'), -1);
	assert_int_equal(b.len, 10);
	assert_int_equal(buf_addf(&b, "%d", 1), -1);
	assert_int_equal(buf_adds(&b, "y"), -1);
	assert_int_equal(buf_addsv(&b, sv("z")), -1);
	assert_string_equal(b.p, "0123456789");
	/* why: adding nothing at the limit is fine */
	assert_int_equal(buf_add(&b, "", 0), 0);
	buf_release(&b);
	assert_int_equal(b.max, 10);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
}

static void test_buf_grow_overflow(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_NOLIMIT);
	assert_int_equal(buf_add(&b, "ab", 2), 0);
	/* why: len + n + 1 must not wrap around to a small size and
	 * report room that is not there */
	assert_int_equal(buf_grow(&b, (size_t)-1), -1);
	assert_int_equal(buf_grow(&b, (size_t)-2), -1);
	assert_int_equal(buf_grow(&b, (size_t)-3), -1);
	assert_string_equal(b.p, "ab");
	buf_release(&b);
	buf_init(&b, 0);
	/* why: max 0 holds only the empty string */
	assert_int_equal(buf_addc(&b, 'a'), -1);
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_string_equal(b.p, "");
	buf_release(&b);
}

static void test_buf_addf(void **state)
{
	struct buf b;
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, BUF_NOLIMIT);
	assert_int_equal(buf_addf(&b, "%s", ""), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_addf(&b, "%d-%s", 42, "张伟"), 0);
	assert_string_equal(b.p, "42-张伟");
	/* why: a long format result grows the buffer past its first 64 */
	assert_int_equal(buf_addf(&b, "%s", big), 0);
	assert_int_equal(b.len, 9 + sizeof(big) - 1);
	assert_memory_equal(b.p + 9, big, sizeof(big) - 1);
	assert_int_equal(b.p[b.len], '\0');
	buf_release(&b);
}

static void test_buf_lifecycle(void **state)
{
	struct buf b;
	size_t cap;
	char *p;

	(void)state;
	buf_init(&b, BUF_NOLIMIT);
	/* why: p is never NULL after buf_init, even before any add */
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	buf_reset(&b);
	buf_truncate(&b, 5);
	assert_int_equal(b.len, 0);
	/* why: detaching an unused buf still gives a heap string */
	p = buf_detach(&b);
	assert_string_equal(p, "");
	free(p);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 1000);
	assert_int_equal(b.p[1000], '\0');
	cap = b.cap;
	/* why: reset keeps the memory, for per-record reuse */
	buf_reset(&b);
	assert_int_equal(b.cap, cap);
	assert_string_equal(b.p, "");
	assert_int_equal(buf_adds(&b, "hello"), 0);
	/* why: truncate to a longer length does nothing */
	buf_truncate(&b, 99);
	assert_string_equal(b.p, "hello");
	buf_truncate(&b, 2);
	assert_string_equal(b.p, "he");
	p = buf_detach(&b);
	assert_string_equal(p, "he");
	/* why: after detach the buf is empty and usable again */
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(buf_adds(&b, "again"), 0);
	assert_string_equal(b.p, "again");
	free(p);
	buf_release(&b);
	/* why: releasing twice is fine */
	buf_release(&b);
	assert_int_equal(buf_addsv(&b, svn(NULL, 0)), 0);
	buf_release(&b);
}

static const struct {
	const char *a, *b;
	bool eq, ieq, starts;
	const char *why;
} cmp_cases[] = {
	{ "", "", true, true, true, "empty equals empty" },
	{ "abc", "abc", true, true, true, "same" },
	{ "abc", "ABC", false, true, false, "ASCII case differs" },
	{ "abc", "ab", false, false, true, "prefix" },
	{ "ab", "abc", false, false, false, "longer prefix than value" },
	{ "É", "é", false, false, false, "no case folding outside ASCII" },
	{ "张伟", "张伟", true, true, true, "UTF-8 bytes compare" },
	{ "张伟", "张", false, false, true, "Han prefix" },
	{ "a\xff", "A\xff", false, true, false, "invalid byte compared as is" },
	{ "@", "`", false, false, false, "@ and ` are not case pairs" },
	{ "[", "{", false, false, false, "[ and { are not case pairs" },
};

static void test_sv_compare(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cmp_cases) / sizeof(cmp_cases[0]); i++) {
		struct strview a = sv(cmp_cases[i].a);

		if (sv_eqs(a, cmp_cases[i].b) != cmp_cases[i].eq ||
		    sv_eq(a, sv(cmp_cases[i].b)) != cmp_cases[i].eq)
			fail_msg("%s: sv_eq", cmp_cases[i].why);
		if (sv_ieqs(a, cmp_cases[i].b) != cmp_cases[i].ieq)
			fail_msg("%s: sv_ieqs", cmp_cases[i].why);
		if (sv_starts(a, cmp_cases[i].b) != cmp_cases[i].starts)
			fail_msg("%s: sv_starts", cmp_cases[i].why);
	}
	/* why: a NULL C string is an empty view */
	assert_int_equal(sv(NULL).len, 0);
	/* why: a view with a NUL inside compares by length, not strcmp */
	assert_false(sv_eq(svn("a\0b", 3), svn("a\0c", 3)));
	assert_true(sv_eq(svn("a\0b", 3), svn("a\0b", 3)));
	assert_false(sv_eqs(svn("a\0b", 3), "a"));
}

static const struct {
	const char *in, *want, *why;
} trim_cases[] = {
	{ "", "", "empty" },
	{ "   ", "", "only spaces" },
	{ " \t\r\n\v\fa\f\v\n\r\t ", "a", "every ASCII space" },
	{ "a b", "a b", "inner space kept" },
	{ "\xe3\x80\x80张伟\xe3\x80\x80", "张伟", "U+3000 both ends" },
	{ "\xe3\x80\x80\xe3\x80\x80", "", "only U+3000" },
	{ "\xc2\xa0x\xc2\xa0", "x", "U+00A0 both ends" },
	{ " \xe3\x80\x80 \xc2\xa0 a \xc2\xa0\xe3\x80\x80 ", "a", "mixed spaces" },
	{ "a\xe3\x80", "a\xe3\x80", "truncated U+3000 is not a space" },
	{ "\xe3\x80" "a", "\xe3\x80" "a", "truncated U+3000 at the start" },
	{ "a\xa0", "a\xa0", "lone A0 byte is not a space" },
	{ "\x80\x80", "\x80\x80", "continuation bytes kept" },
	{ "王\xe3\x80\x80伟", "王\xe3\x80\x80伟", "inner U+3000 kept" },
	{ "\xe3\x80\x81", "\xe3\x80\x81", "U+3001 is punctuation, kept" },
	{ "\xe2\x80\x83x", "\xe2\x80\x83x", "em space not trimmed (text does it)" },
	{ "\xc2", "\xc2", "lone C2 byte kept" },
};

/* mem_eq compares short runs by fixed-size loads: it must agree with
 * memcmp for every length up to 40, with one byte changed at each place
 * (and none), at every alignment. */
static void test_mem_eq(void **state)
{
	char a[48], b[48];

	(void)state;
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= 40; n++)
			for (size_t at = 0; at <= n; at++) {
				for (size_t i = 0; i < sizeof(a); i++)
					a[i] = b[i] = (char)('a' + i % 26);
				if (at < n)
					b[off + at] ^= 0x40;
				if (mem_eq(a + off, b + off, n) !=
				    (memcmp(a + off, b + off, n) == 0))
					fail_msg("off %zu, %zu bytes, byte %zu "
						 "changed: mem_eq says %d",
						 off, n, at,
						 mem_eq(a + off, b + off, n));
			}
}

/* mem_copy copies short runs by fixed-size moves: every length up to 40
 * at every alignment must copy exactly n bytes, and touch no other. */
static void test_mem_copy(void **state)
{
	char src[48], dst[48], want[48];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)('A' + i % 26);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= 40; n++) {
			memset(dst, '.', sizeof(dst));
			memset(want, '.', sizeof(want));
			memcpy(want + off, src + 7 - off % 3, n);
			mem_copy(dst + off, src + 7 - off % 3, n);
			if (memcmp(dst, want, sizeof(dst)))
				fail_msg("off %zu, %zu bytes: '%.48s'", off, n,
					 dst);
		}
}

static void test_sv_trim(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trim_cases) / sizeof(trim_cases[0]);
	     i++) {
		struct strview got = sv_trim(sv(trim_cases[i].in));

		if (!sv_eqs(got, trim_cases[i].want))
			fail_msg("%s: got '%.*s'", trim_cases[i].why,
				 (int)got.len, got.p);
	}
	/* why: a view not NUL-terminated is trimmed within its length */
	assert_true(sv_eqs(sv_trim(svn(" ab c", 3)), "ab"));
	assert_int_equal(sv_trim(svn(NULL, 0)).len, 0);
}

static void test_sv_dup(void **state)
{
	char *p;

	(void)state;
	p = sv_dup(svn("abcdef", 3));
	assert_string_equal(p, "abc");
	free(p);
	p = sv_dup(svn("", 0));
	assert_string_equal(p, "");
	free(p);
	/* why: buf_view gives the buffer's bytes with their length */
	{
		struct buf b;

		buf_init(&b, 100);
		buf_add(&b, "x\0y", 3);
		assert_int_equal(buf_view(&b).len, 3);
		assert_true(sv_eq(buf_view(&b), svn("x\0y", 3)));
		buf_release(&b);
	}
}

/* buf_add's inline path (room already there) answers as buf_add_slow:
 * every limit up to 40 and none, every fill up to it, every length up to
 * 40, from buffers grown alike; run under valgrind (make valgrind) it
 * also shows the inline path never writes past the memory. */
/* LEB128 both ways: the lengths at each seven-bit boundary, the bytes of
 * a known value (the DWARF specification's 624485 = e5 8e 26), and
 * truncated or over-long input refused rather than read past. */
static void test_leb128(void **state)
{
	static const struct {
		uint64_t v;
		size_t len;
	} cases[] = {
		{0, 1},		   {1, 1},	      {127, 1},
		{128, 2},	   {16383, 2},	      {16384, 3},
		{624485, 3},	   {(uint64_t)1 << 32, 5}, {UINT64_MAX >> 1, 9},
		{UINT64_MAX, 10},
	};
	static const unsigned char dwarf[] = {0xe5, 0x8e, 0x26};
	unsigned char eleven[11];
	struct buf b;
	uint64_t v;

	(void)state;
	buf_init(&b, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		assert_int_equal(buf_add_leb128(&b, cases[i].v), 0);
		assert_int_equal(b.len, cases[i].len);
		assert_int_equal(leb128_get((unsigned char *)b.p, b.len, &v),
				 cases[i].len);
		assert_true(v == cases[i].v);
		/* One byte short: refused. */
		assert_int_equal(leb128_get((unsigned char *)b.p, b.len - 1, &v),
				 0);
	}
	buf_reset(&b);
	assert_int_equal(buf_add_leb128(&b, 624485), 0);
	assert_memory_equal(b.p, dwarf, sizeof(dwarf));
	memset(eleven, 0x80, sizeof(eleven)); /* never ends */
	assert_int_equal(leb128_get(eleven, sizeof(eleven), &v), 0);
	/* A limited buffer says no. */
	buf_release(&b);
	buf_init(&b, 2);
	assert_int_equal(buf_add_leb128(&b, 1), 0);
	assert_int_equal(buf_add_leb128(&b, 624485), -1);
	buf_release(&b);
}

static void test_buf_add_inline(void **state)
{
	char src[41];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)('a' + i % 26);
	for (size_t max = 0; max <= 41; max++) {
		size_t lim = max == 41 ? BUF_NOLIMIT : max;

		for (size_t fill = 0; fill <= 40 && fill <= lim; fill++)
			for (size_t n = 0; n <= 40; n++) {
				struct buf a, b;
				int ra, rb;

				buf_init(&a, lim);
				buf_init(&b, lim);
				for (size_t k = 0; k < fill; k++) {
					buf_add_slow(&a, "x", 1);
					buf_add_slow(&b, "x", 1);
				}
				assert_int_equal(a.cap, b.cap);
				ra = buf_add(&a, src, n);
				rb = buf_add_slow(&b, src, n);
				if (ra != rb || a.len != b.len ||
				    (a.len && memcmp(a.p, b.p, a.len + 1)))
					fail_msg("max %zu fill %zu add %zu: "
						 "inline %d (%zu), slow %d (%zu)",
						 max, fill, n, ra, a.len, rb,
						 b.len);
				buf_release(&a);
				buf_release(&b);
			}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_limit),
		cmocka_unit_test(test_buf_grow_overflow),
		cmocka_unit_test(test_buf_addf),
		cmocka_unit_test(test_buf_lifecycle),
		cmocka_unit_test(test_sv_compare),
		cmocka_unit_test(test_mem_eq),
		cmocka_unit_test(test_mem_copy),
		cmocka_unit_test(test_buf_add_inline),
		cmocka_unit_test(test_leb128),
		cmocka_unit_test(test_sv_trim),
		cmocka_unit_test(test_sv_dup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
