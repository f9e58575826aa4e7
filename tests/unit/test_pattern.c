#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "pattern.h"

static const struct {
	const char *re, *in, *why;
	enum pattern_flags flags;
	enum pattern_result res;
} cases[] = {
	{ "\\+861[3-9][0-9]{9}", "+8613812345678", "E.164 mobile", 0,
	  PATTERN_MATCH },
	{ "\\+861[3-9][0-9]{9}", "+86138123456789", "one digit too many: the "
	  "whole value must match", 0, PATTERN_NOMATCH },
	{ "\\+861[3-9][0-9]{9}", "x+8613812345678", "text before the match",
	  0, PATTERN_NOMATCH },
	{ "[0-9]{6}", "100000", "postal code", 0, PATTERN_MATCH },
	{ "[0-9]{6}", "1000000", "longer number containing a postal code", 0,
	  PATTERN_NOMATCH },
	{ "[0-9]{6}", "1000000", "PATTERN_SEARCH finds it inside",
	  PATTERN_SEARCH, PATTERN_MATCH },
	{ "a|b", "ab", "alternation is anchored as a group, not per branch",
	  0, PATTERN_NOMATCH },
	{ "a|b", "b", "second branch alone", 0, PATTERN_MATCH },
	{ "\\d{6}", "１０００００", "\\d is ASCII only: full-width digits fail",
	  0, PATTERN_NOMATCH },
	{ "[０-９]{6}", "１０００００", "a full-width class, in UTF mode", 0,
	  PATTERN_MATCH },
	{ "\\p{Han}{2,4}", "张三丰", "Unicode property: Han characters", 0,
	  PATTERN_MATCH },
	{ "\\p{Han}{2,4}", "张 三", "space between Han characters", 0,
	  PATTERN_NOMATCH },
	{ ".{3}", "张三丰", "dot is one character, not one byte", 0,
	  PATTERN_MATCH },
	{ ".{9}", "张三丰", "nine bytes are still three characters", 0,
	  PATTERN_NOMATCH },
	{ "(?i)[a-z]+@example\\.com", "Li@EXAMPLE.com", "(?i) in the "
	  "pattern", 0, PATTERN_MATCH },
	{ "", "", "empty pattern matches the empty value", 0, PATTERN_MATCH },
	{ "", "x", "empty pattern does not match a value", 0,
	  PATTERN_NOMATCH },
	{ "[0-9]*", "", "empty value against an optional pattern", 0,
	  PATTERN_MATCH },
	{ ".*", "a\xff" "b", "invalid UTF-8 in the value", 0,
	  PATTERN_BAD_INPUT },
	{ ".*", "\xe5\xbc", "truncated UTF-8 sequence", 0, PATTERN_BAD_INPUT },
	{ "a\\x00b", "a\0b", "NUL inside the value counts (length given)", 0,
	  PATTERN_NOMATCH },
	{ "[0-9]+", "12345", "interpreter gives the same answer",
	  PATTERN_NO_JIT, PATTERN_MATCH },
	{ "[0-9]+", "123a5", "interpreter: no match", PATTERN_NO_JIT,
	  PATTERN_NOMATCH },
};

static void test_pattern_cases(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pattern *p;
		enum pattern_result r;

		p = pattern_new(sv(cases[i].re), cases[i].flags, &err);
		if (!p)
			fail_msg("%s: %s", cases[i].why, err.msg);
		r = pattern_match(p, sv(cases[i].in));
		if (r != cases[i].res)
			fail_msg("%s: got '%s'", cases[i].why,
				 pattern_result_str(r));
		pattern_free(p);
	}
}

static const struct {
	const char *re, *want, *why;
} bad[] = {
	{ "[0-9", "bad pattern '[0-9': missing terminating ] for character "
	  "class at offset 4", "unclosed class" },
	{ "(ab", "bad pattern '(ab': missing closing parenthesis at offset 3",
	  "unclosed group" },
	{ "a{2,1}", "bad pattern 'a{2,1}': numbers out of order in {} "
	  "quantifier at offset 5", "quantifier out of order" },
	{ "*a", "bad pattern '*a': quantifier does not follow a repeatable "
	  "item at offset 0", "leading star" },
	{ "\\p{Hann}", "bad pattern '\\p{Hann}': unknown property after "
	  "\\P or \\p at offset 8", "misspelt property" },
	{ "a\xff", "bad pattern 'a\xff': UTF-8 error: illegal byte (0xfe or "
	  "0xff) at offset 1", "pattern not UTF-8" },
};

static void test_pattern_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mbr_err err = MBR_ERR_INIT;

		if (pattern_new(sv(bad[i].re), 0, &err))
			fail_msg("%s: compiled", bad[i].why);
		assert_int_equal(err.status, MBR_ECONFIG);
		if (strcmp(err.msg, bad[i].want))
			fail_msg("%s: got \"%s\"", bad[i].why, err.msg);
	}
}

/* One compiled pattern, many subjects: the match data is reused and the
 * answers do not depend on what was matched before. */
static void test_pattern_reuse(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct pattern *p = pattern_new(sv("[A-Z]{2}[0-9]{4}"), 0, &err);
	char long_value[100000];

	(void)state;
	assert_non_null(p);
	memset(long_value, 'A', sizeof(long_value));
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(pattern_match(p, sv("AB1234")), PATTERN_MATCH);
		assert_int_equal(pattern_match(p, svn(long_value,
						      sizeof(long_value))),
				 PATTERN_NOMATCH);
		assert_int_equal(pattern_match(p, svn(NULL, 0)),
				 PATTERN_NOMATCH);
	}
	pattern_free(p);
	pattern_free(NULL);
}

/* Catastrophic backtracking ends as PATTERN_LIMIT, not as a hang. */
static void test_pattern_limit(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	char subject[40];
	struct pattern *p;
	enum pattern_result r;

	(void)state;
	memset(subject, 'a', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = 'b';
	p = pattern_new(sv("(a+)+c"), PATTERN_NO_JIT, &err);
	assert_non_null(p);
	r = pattern_match(p, svn(subject, sizeof(subject)));
	assert_true(r == PATTERN_LIMIT || r == PATTERN_NOMATCH);
	pattern_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_cases),
		cmocka_unit_test(test_pattern_bad),
		cmocka_unit_test(test_pattern_reuse),
		cmocka_unit_test(test_pattern_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
