/*
 * test_gender: gender words and GB/T 2261.1 codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "mappers/gender.h"

static const struct {
	const char *in, *want, *why;
	enum gender_result res;
} cases[] = {
	{ "男", "M", "Chinese male", GENDER_OK },
	{ "女", "F", "Chinese female", GENDER_OK },
	{ " 男 ", "M", "spaces", GENDER_OK },
	{ "\xe3\x80\x80女\xe3\x80\x80", "F", "ideographic spaces", GENDER_OK },
	{ "男性", "M", "男性", GENDER_OK },
	{ "女士", "F", "form of address", GENDER_OK },
	{ "先生", "M", "form of address", GENDER_OK },
	{ "小姐", "F", "form of address", GENDER_OK },
	{ "M", "M", "letter", GENDER_OK },
	{ "f", "F", "lower-case letter", GENDER_OK },
	{ "Ｆ", "F", "full-width letter", GENDER_OK },
	{ "MALE", "M", "upper case", GENDER_OK },
	{ "Female", "F", "title case", GENDER_OK },
	{ "ｆｅｍａｌｅ", "F", "full-width word", GENDER_OK },
	{ "Mr.", "M", "Mr.", GENDER_OK },
	{ "Ms", "F", "Ms", GENDER_OK },
	{ "1", "M", "GB/T 2261.1 male", GENDER_OK },
	{ "2", "F", "GB/T 2261.1 female", GENDER_OK },
	{ "２", "F", "full-width code", GENDER_OK },
	{ "0", "", "GB/T 2261.1 unknown", GENDER_OK },
	{ "9", "", "GB/T 2261.1 not stated", GENDER_OK },
	{ "未知", "", "unknown in Chinese", GENDER_OK },
	{ "保密", "", "withheld", GENDER_OK },
	{ "U", "", "U", GENDER_OK },
	{ "N/A", "", "N/A", GENDER_OK },
	{ "", "", "empty", GENDER_EMPTY },
	{ " \t", "", "white space", GENDER_EMPTY },
	{ "3", "", "no code 3", GENDER_INVALID },
	{ "10", "", "two digits", GENDER_INVALID },
	{ "男女", "", "both", GENDER_INVALID },
	{ "其他", "", "other", GENDER_INVALID },
	{ "张三", "", "a name", GENDER_INVALID },
	{ "男\x01", "", "control byte", GENDER_INVALID },
	{ "\xe7\x94", "", "truncated UTF-8", GENDER_INVALID },
	{ "m\xff", "", "invalid UTF-8", GENDER_INVALID },
	{ "m a l e", "", "spaced out", GENDER_INVALID },
};

static void test_gender_cases(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum gender_result r;

		buf_reset(&out);
		r = gender_normalize(sv(cases[i].in), &out);
		if (r != cases[i].res || strcmp(out.p, cases[i].want))
			fail_msg("%s: got %s '%s'", cases[i].why,
				 gender_result_str(r), out.p);
	}
	buf_release(&out);
}

static void test_gender_long(void **state)
{
	static char s[10241];
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	buf_adds(&out, "x");
	memset(s, ' ', sizeof(s) - 1);
	memcpy(s + 5000, "FEMALE", 6);
	assert_int_equal(gender_normalize(sv(s), &out), GENDER_OK);
	assert_string_equal(out.p, "xF");
	memset(s, 'm', sizeof(s) - 1);
	assert_int_equal(gender_normalize(sv(s), &out), GENDER_INVALID);
	assert_string_equal(out.p, "xF");
	assert_string_equal(gender_result_str((enum gender_result)7),
			    "invalid");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gender_cases),
		cmocka_unit_test(test_gender_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
