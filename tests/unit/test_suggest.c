/*
 * test_suggest: edit distances and the "did you mean" choice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "suggest.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("", ""), 0);
	assert_int_equal(suggest_distance("mobile", "mobile"), 0);
	assert_int_equal(suggest_distance("Mobile", "mobile"), 0);
	assert_int_equal(suggest_distance("mobil", "mobile"), 1);
	assert_int_equal(suggest_distance("mobiel", "mobile"), 1); /* swap */
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_int_equal(suggest_distance("ca", "abc"), 3);
	char big[100];
	memset(big, 'a', sizeof(big) - 1);
	big[99] = '\0';
	assert_true(suggest_distance(big, "a") >= 100);
}

static void test_suggest(void **state)
{
	static const char *const fields[] = {"name",   "gender", "birth_date",
					     "mobile", "email",	 NULL};
	static const char *const tools[] = {"import", "normalize", "dedupe",
					    "merge-id", NULL};

	(void)state;
	assert_string_equal(suggest("mobil", fields, (size_t)-1), "mobile");
	assert_string_equal(suggest("birthdate", fields, (size_t)-1),
			    "birth_date");
	assert_string_equal(suggest("EMAIL", fields, (size_t)-1), "email");
	assert_null(suggest("phone", fields, (size_t)-1));
	assert_null(suggest("xyz", fields, (size_t)-1));
	assert_string_equal(suggest("imprt", tools, 4), "import");
	assert_string_equal(suggest("normalise", tools, 4), "normalize");
	assert_string_equal(suggest("mergeid", tools, 4), "merge-id");
	assert_null(suggest("validate", tools, 4));
	/* short words: one edit at most */
	assert_null(suggest("nm", fields, (size_t)-1));
	assert_string_equal(suggest("nme", fields, (size_t)-1), "name");
	/* NULL entries in a counted array are skipped */
	static const char *const holes[] = {NULL, "trim", NULL, "lower"};
	assert_string_equal(suggest("lowr", holes, 4), "lower");
	assert_null(suggest("x", holes, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
