/*
 * test_json: the one JSON escaper and decoder (staging database, export's
 * JSON Lines, reports).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "json.h"

static const struct {
	const char *in;
	size_t len;
	const char *want, *why;
} out_cases[] = {
	{"", 0, "\"\"", "empty"},
	{"张伟", 6, "\"张伟\"", "UTF-8 as it is"},
	{"a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash"},
	{"a\nb\r\tc", 6, "\"a\\nb\\r\\tc\"", "line ends and tab"},
	{"\b\f", 2, "\"\\b\\f\"", "backspace, form feed"},
	{"\x01\x1f", 2, "\"\\u0001\\u001f\"", "other control characters"},
	{"a/b", 3, "\"a/b\"", "a slash needs no escape"},
	{"\xff", 1, "\"\xff\"", "an invalid byte is kept, not lost"},
	{"a\0b", 3, "\"a\\u0000b\"", "NUL"},
};

static void test_json_str(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(out_cases) / sizeof(*out_cases); i++) {
		buf_reset(&b);
		json_str(&b, svn(out_cases[i].in, out_cases[i].len));
		if (strcmp(b.p, out_cases[i].want))
			fail_msg("%s: got %s", out_cases[i].why, b.p);
	}
	buf_release(&b);
}

static const struct {
	const char *in, *want; /* want NULL: malformed */
	const char *why;
} in_cases[] = {
	{"abc\"", "abc", "plain"},
	{"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", "every escape"},
	{"\\u5f20\\u4F1F\"", "张伟", "\\u, either case"},
	{"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", "surrogate pair"},
	{"\\ud83d\"", NULL, "a lone high surrogate"},
	{"\\ude00\"", NULL, "a lone low surrogate"},
	{"\\u12\"", NULL, "a short \\u"},
	{"\\x\"", NULL, "an unknown escape"},
	{"abc", NULL, "no closing quote"},
	{"ab\\", NULL, "a backslash at the end"},
};

static void test_json_unstr(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(in_cases) / sizeof(*in_cases); i++) {
		const char *p = in_cases[i].in, *end = p + strlen(p);
		int rc;

		buf_reset(&b);
		rc = json_unstr(&p, end, &b);
		if (!in_cases[i].want) {
			if (rc == 0)
				fail_msg("%s: accepted", in_cases[i].why);
			continue;
		}
		if (rc < 0 || strcmp(b.p, in_cases[i].want) || p != end)
			fail_msg("%s: got %d '%s'", in_cases[i].why, rc, b.p);
	}
	buf_release(&b);
}

/* What json_str writes, json_unstr reads back byte for byte. */
static void test_json_round_trip(void **state)
{
	struct buf a, b;

	(void)state;
	buf_init(&a, BUF_NOLIMIT);
	buf_init(&b, BUF_NOLIMIT);
	for (int c = 0; c < 0x80; c++) {
		char s[3] = {'x', (char)c, 'y'};
		const char *p;

		buf_reset(&a);
		buf_reset(&b);
		json_str(&a, svn(s, 3));
		p = a.p + 1;
		assert_int_equal(json_unstr(&p, a.p + a.len, &b), 0);
		assert_int_equal(b.len, 3);
		assert_memory_equal(b.p, s, 3);
	}
	buf_release(&a);
	buf_release(&b);
}

static void test_json_record(void **state)
{
	struct header h;
	struct record r;
	struct buf b;

	(void)state;
	header_init(&h);
	record_init(&r);
	buf_init(&b, BUF_NOLIMIT);
	header_add(&h, "name");
	header_add(&h, "备注");
	record_add(&r, "张伟", 6);
	record_add(&r, "say \"hi\"", 8);
	record_add(&r, "past the header", 15);
	json_record(&b, &h, &r);
	assert_string_equal(b.p,
			    "{\"name\":\"张伟\",\"备注\":\"say \\\"hi\\\"\"}");
	buf_release(&b);
	record_release(&r);
	header_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_json_unstr),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
