/*
 * String similarities and date comparison of lib/match/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "match/match_int.h"

static size_t cps(const char *s, uint32_t *out)
{
	return fold_decode(sv(s), out, MATCH_MAX_CPS);
}

/* The odd bytes never rule out a pair one edit apart: random digit
 * strings and e-mail-like strings, each with every kind of edit at every
 * place (and, as a check that the test can tell, they do rule out most
 * unrelated pairs). */
static void test_odd_bytes(void **state)
{
	static const char alpha[] = "0123456789abcdefghijklmnopqrstuvwxyz@.+";
	uint32_t seed = 2026;
	unsigned ruled_out = 0, unrelated = 0;

	(void)state;
	for (int round = 0; round < 400; round++) {
		char a[24], b[26], c[24];
		size_t n = 1 + round % 20;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = alpha[(seed >> 16) % (round % 2 ? 10 : 39)];
			seed = seed * 1103515245u + 12345u;
			c[i] = alpha[(seed >> 16) % (round % 2 ? 10 : 39)];
		}
		for (size_t at = 0; at <= n; at++)
			for (int kind = 0; kind < 4; kind++) {
				size_t nb = n;

				memcpy(b, a, n);
				seed = seed * 1103515245u + 12345u;
				if (kind == 0 && at < n) /* changed */
					b[at] = alpha[(seed >> 16) % 39];
				else if (kind == 1) { /* added */
					memmove(b + at + 1, a + at, n - at);
					b[at] = alpha[(seed >> 16) % 39];
					nb = n + 1;
				} else if (kind == 2 && at < n) { /* dropped */
					memmove(b + at, a + at + 1, n - at - 1);
					nb = n - 1;
				} else if (kind == 3 && at + 1 < n) { /* swapped */
					b[at] = a[at + 1];
					b[at + 1] = a[at];
				}
				if (!strsim_one_edit(a, n, b, nb))
					fail_msg("round %d: not one edit", round);
				if (!strsim_may_be_one_edit(
					    strsim_odd_bytes(a, n),
					    strsim_odd_bytes(b, nb)))
					fail_msg("round %d, edit %d at %zu: "
						 "ruled out",
						 round, kind, at);
			}
		if (n >= 8 && !strsim_one_edit(a, n, c, n)) {
			unrelated++;
			ruled_out += !strsim_may_be_one_edit(
				strsim_odd_bytes(a, n), strsim_odd_bytes(c, n));
		}
	}
	/* Random bytes differ in 3 or more of 8 bits 85 % of the time. */
	assert_true(ruled_out * 10 > unrelated * 6);
}

static const struct {
	const char *a, *b;
	double want;
	const char *why;
} jw_cases[] = {
	{ "MARTHA", "MARHTA", 0.9611, "Winkler's example: one transposition" },
	{ "DWAYNE", "DUANE", 0.8400, "Winkler's example" },
	{ "DIXON", "DICKSONX", 0.8133, "Winkler's example" },
	{ "张伟", "张伟", 1.0, "equal Han names" },
	{ "张伟", "张玮", 0.6667, "one of two characters (not bytes) differs" },
	{ "欧阳娜娜", "欧阳那娜", 0.8667, "one of four differs, common prefix" },
	{ "abc", "", 0.0, "one side empty" },
	{ "", "", 0.0, "both empty: no evidence, not a match" },
	{ "abc", "xyz", 0.0, "nothing in common" },
	{ "a", "a", 1.0, "single character" },
};

static void test_jaro_winkler(void **state)
{
	uint32_t a[MATCH_MAX_CPS], b[MATCH_MAX_CPS];

	(void)state;
	for (size_t i = 0; i < sizeof(jw_cases) / sizeof(jw_cases[0]); i++) {
		size_t na = cps(jw_cases[i].a, a), nb = cps(jw_cases[i].b, b);
		double got = strsim_jaro_winkler(a, na, b, nb);
		double rev = strsim_jaro_winkler(b, nb, a, na);

		if (fabs(got - jw_cases[i].want) > 0.0001 ||
		    fabs(got - rev) > 1e-9)
			fail_msg("%s: got %.4f (reversed %.4f)", jw_cases[i].why,
				 got, rev);
	}
}

static void test_jaro_winkler_long(void **state)
{
	char a[1000], b[1000];
	uint32_t ca[MATCH_MAX_CPS], cb[MATCH_MAX_CPS];

	(void)state;
	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[900] = 'y';	/* past the compared start: equal as far as we look */
	assert_true(strsim_jaro_winkler(ca, cps(a, ca), cb, cps(b, cb)) == 1.0);
}

static const struct {
	const char *a, *b;
	unsigned max, want;
	const char *why;
} dl_cases[] = {
	{ "13812345678", "13812345678", 2, 0, "equal" },
	{ "13812345678", "13812345687", 2, 1, "neighbours swapped" },
	{ "13812345678", "13812345670", 2, 1, "one substitution" },
	{ "13812345678", "1381234567", 2, 1, "one deletion" },
	{ "ca", "abc", 3, 3, "OSA: no edit of a swapped pair" },
	{ "张伟", "張偉", 5, 2, "code points, not bytes (no folding here)" },
	{ "abcdef", "uvwxyz", 2, 3, "past max counts as max + 1" },
	{ "", "abc", 5, 3, "empty to three" },
	{ "", "", 0, 0, "both empty" },
	{ "abc", "abcdefgh", 2, 3, "length gap alone passes max" },
};

static void test_damerau(void **state)
{
	uint32_t a[MATCH_MAX_CPS], b[MATCH_MAX_CPS];

	(void)state;
	for (size_t i = 0; i < sizeof(dl_cases) / sizeof(dl_cases[0]); i++) {
		size_t na = cps(dl_cases[i].a, a), nb = cps(dl_cases[i].b, b);
		unsigned got = strsim_damerau(a, na, b, nb, dl_cases[i].max);

		if (got != dl_cases[i].want)
			fail_msg("%s: got %u", dl_cases[i].why, got);
	}
	assert_int_equal(strsim_damerau_bytes("alice", 5, "alcie", 5, 2), 1);
	assert_int_equal(strsim_damerau_bytes("bob", 3, "rob", 3, 0), 1);
}

static void test_one_edit(void **state)
{
	uint32_t a[MATCH_MAX_CPS], b[MATCH_MAX_CPS];

	(void)state;
	/* Agrees with the full distance on every pair of dl_cases that is
	 * ASCII, and on these. */
	static const char *const more[][2] = {
		{ "+8613812345678", "+8613812345678" },
		{ "+8613812345678", "+8613812345768" },
		{ "+8613812345678", "+861381234567" },
		{ "+8613812345678", "+86138123456789" },
		{ "zhang.wei@qq.com", "zhangwei@qq.com" },
		{ "ab", "ba" }, { "abc", "bca" }, { "", "" }, { "", "a" },
		{ "a", "" }, { "abcd", "abdc" }, { "abcd", "bacd" },
		{ "abcd", "axcy" }, { "1234567", "1243576" },
	};

	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		const char *x = more[i][0], *y = more[i][1];
		size_t nx = strlen(x), ny = strlen(y);
		unsigned d = strsim_damerau(a, cps(x, a), b, cps(y, b), 2);

		if (strsim_one_edit(x, nx, y, ny) != (d <= 1))
			fail_msg("'%s' / '%s': distance %u", x, y, d);
	}
}

static const struct {
	const char *a, *b;
	double want;
	const char *why;
} jac_cases[] = {
	{ "北京市朝阳区建国路88号", "北京市朝阳区建国路88号", 1.0, "equal" },
	{ "北京市朝阳区建国路88号", "朝阳区建国路88号", 8.0 / 11.0,
	  "city left out: 8 of 11 bigrams shared" },
	{ "上海市浦东新区", "北京市朝阳区", 0.0, "different places" },
	{ "12 main st", "12 main street", 9.0 / 13.0, "abbreviation" },
	{ "a", "a", 1.0, "one character is its own bigram" },
	{ "", "", 0.0, "both empty" },
	{ "abab", "aba", 1.0, "sets: repeats count once" },
};

static void test_jaccard(void **state)
{
	uint32_t a[MATCH_MAX_CPS], b[MATCH_MAX_CPS];
	uint32_t ga[MATCH_MAX_CPS], gb[MATCH_MAX_CPS];

	(void)state;
	for (size_t i = 0; i < sizeof(jac_cases) / sizeof(jac_cases[0]); i++) {
		size_t na = strsim_bigrams(a, cps(jac_cases[i].a, a), ga,
					   MATCH_MAX_CPS);
		size_t nb = strsim_bigrams(b, cps(jac_cases[i].b, b), gb,
					   MATCH_MAX_CPS);
		double got = strsim_jaccard(ga, na, gb, nb);

		if (fabs(got - jac_cases[i].want) > 1e-9)
			fail_msg("%s: got %.4f", jac_cases[i].why, got);
	}
}

static const struct {
	const char *a, *b;
	enum date_level want;
	const char *why;
} date_cases[] = {
	{ "1990-03-04", "1990-03-04", DATE_EXACT, "equal" },
	{ "1990-03-04", "19900304", DATE_EXACT, "compact form" },
	{ "1990-03-04", "1990-04-03", DATE_SWAPPED, "day and month swapped" },
	{ "1990-03-04", "1990-03-05", DATE_ONE_DIGIT, "one digit" },
	{ "1985-06-01", "1958-06-01", DATE_ONE_DIGIT, "neighbour digits swapped" },
	{ "1990-03-04", "1991-01-04", DATE_NEAR, "within a year" },
	{ "1990-03-04", "1975-11-23", DATE_OTHER, "different" },
	{ "1990-03-04", "", DATE_NULL, "missing" },
	{ "1990-02-30", "1990-02-30", DATE_NULL, "not a date: no evidence" },
	{ "2000-02-29", "2000-02-29", DATE_EXACT, "leap day" },
	{ "1990/03/04", "1990-03-04", DATE_NULL, "not canonical" },
	{ "１９９０-03-04", "1990-03-04", DATE_NULL, "full width: normalise first" },
	{ "1999-12-31", "2000-12-30", DATE_NEAR, "365 days across a year" },
};

static void test_dates(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]);
	     i++) {
		int32_t a = compare_parse_date(sv(date_cases[i].a));
		int32_t b = compare_parse_date(sv(date_cases[i].b));

		if (compare_dates(a, b) != date_cases[i].want ||
		    compare_dates(b, a) != date_cases[i].want)
			fail_msg("%s: got %d", date_cases[i].why,
				 (int)compare_dates(a, b));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jaro_winkler),
		cmocka_unit_test(test_jaro_winkler_long),
		cmocka_unit_test(test_damerau),
		cmocka_unit_test(test_one_edit),
		cmocka_unit_test(test_odd_bytes),
		cmocka_unit_test(test_jaccard),
		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
