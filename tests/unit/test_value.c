/*
 * test_value: integers, consent and status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mappers/value.h"

static const struct {
	const char *in, *want, *why;
	enum value_result res;
} ints[] = {
	{ "1200", "1200", "plain", VALUE_OK },
	{ " 1200\t", "1200", "white space", VALUE_OK },
	{ "１２００", "1200", "full-width digits", VALUE_OK },
	{ "1,200", "1200", "thousands comma", VALUE_OK },
	{ "12,345,678", "12345678", "two commas", VALUE_OK },
	{ "１，２００", "1200", "full-width comma", VALUE_OK },
	{ "1200.0", "1200", "spreadsheet float", VALUE_OK },
	{ "1,200.00", "1200", "comma and zero fraction", VALUE_OK },
	{ "１２００．０", "1200", "full-width float", VALUE_OK },
	{ "007", "7", "leading zeros", VALUE_OK },
	{ "-50", "-50", "negative kept", VALUE_OK },
	{ "－５０", "-50", "full-width minus", VALUE_OK },
	{ "\xe2\x88\x92"
	  "50",
	  "-50", "minus sign U+2212", VALUE_OK },
	{ "+3", "3", "plus sign", VALUE_OK },
	{ "-0", "0", "minus zero", VALUE_OK },
	{ "0", "0", "zero", VALUE_OK },
	{ "9223372036854775807", "9223372036854775807", "INT64_MAX", VALUE_OK },
	{ "-9223372036854775808", "-9223372036854775808", "INT64_MIN",
	  VALUE_OK },
	{ "9223372036854775808", "", "INT64_MAX + 1", VALUE_OUT_OF_RANGE },
	{ "-9223372036854775809", "", "INT64_MIN - 1", VALUE_OUT_OF_RANGE },
	{ "99999999999999999999999", "", "far too big", VALUE_OUT_OF_RANGE },
	{ "", "", "empty", VALUE_EMPTY },
	{ "\xe3\x80\x80", "", "ideographic space", VALUE_EMPTY },
	{ "1200.5", "", "a fraction", VALUE_INVALID },
	{ "1200.", "", "a bare dot", VALUE_INVALID },
	{ ".5", "", "no integer part", VALUE_INVALID },
	{ "1,20", "", "short group", VALUE_INVALID },
	{ "1234,567", "", "long first group", VALUE_INVALID },
	{ "1,2000", "", "long last group", VALUE_INVALID },
	{ ",200", "", "leading comma", VALUE_INVALID },
	{ "1 200", "", "space as separator", VALUE_INVALID },
	{ "1.2万", "", "Chinese ten thousands", VALUE_INVALID },
	{ "1e3", "", "exponent", VALUE_INVALID },
	{ "--5", "", "two signs", VALUE_INVALID },
	{ "-", "", "a sign alone", VALUE_INVALID },
	{ "12\x01", "", "control byte", VALUE_INVALID },
	{ "12\xff", "", "invalid UTF-8", VALUE_INVALID },
	{ "一千", "", "Chinese numerals", VALUE_INVALID },
};

static void test_value_int(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		enum value_result r;

		buf_reset(&out);
		r = value_int(sv(ints[i].in), &out);
		if (r != ints[i].res || strcmp(out.p, ints[i].want))
			fail_msg("%s: got %s '%s'", ints[i].why,
				 value_result_str(r), out.p);
	}
	buf_release(&out);
}

/* value_int (with its shortcut for plain digits) and value_int_range over
 * the whole range (the general path) agree: 0-99999 with and without
 * leading zeros and thousands commas (in their places and not), every
 * start of numbers near the limits, digits with one other byte put in,
 * a full buffer. */
static void int_same(const char *in, struct buf *a, struct buf *b)
{
	enum value_result ra, rb;

	buf_reset(a);
	buf_reset(b);
	ra = value_int(sv(in), a);
	rb = value_int_range(sv(in), LLONG_MIN, LLONG_MAX, b);
	if (ra != rb || a->len != b->len || memcmp(a->p, b->p, a->len))
		fail_msg("'%s': %s '%s', general %s '%s'", in,
			 value_result_str(ra), a->p, value_result_str(rb),
			 b->p);
}

static void test_value_int_fast(void **state)
{
	static const char *const big[] = {
		"9223372036854775807", "9223372036854775808",
		"999999999999999999",  "1000000000000000000",
		"99999999999999999",   "18446744073709551616",
		"100000000000000000",  "0000000000000000001",
		"999,999,999,999,999,999", "1,000,000,000,000,000,000",
		"123,456,789,012,345,678,9", "1,2", "1,,234", ",123", "123,",
	};
	static const char others[] = " +-,.x0\xe3";
	struct buf a, b, small_a, small_b;
	char in[32];

	(void)state;
	buf_init(&a, 64);
	buf_init(&b, 64);
	buf_init(&small_a, 4);
	buf_init(&small_b, 4);
	for (unsigned v = 0; v < 100000; v++) {
		snprintf(in, sizeof(in), "%u", v);
		int_same(in, &a, &b);
		int_same(in, &small_a, &small_b);
		snprintf(in, sizeof(in), "0%u", v);
		int_same(in, &a, &b);
		snprintf(in, sizeof(in), "%u,%03u", v, v % 1000);
		int_same(in, &a, &b);
		snprintf(in, sizeof(in), "%u,%03u,%03u", v / 1000, v % 1000,
			 v % 997);
		int_same(in, &a, &b);
		snprintf(in, sizeof(in), "%u,%u", v / 100, v % 100);
		int_same(in, &a, &b);
		snprintf(in, sizeof(in), "%u", v);
		for (size_t k = 0; k < sizeof(others) - 1; k++) {
			size_t at = v % (strlen(in) + 1);
			char t[34];

			snprintf(t, sizeof(t), "%.*s%c%s", (int)at, in,
				 others[k], in + at);
			int_same(t, &a, &b);
		}
	}
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		for (size_t len = 1; len <= strlen(big[i]); len++) {
			snprintf(in, sizeof(in), "%.*s", (int)len, big[i]);
			int_same(in, &a, &b);
		}
	buf_release(&a);
	buf_release(&b);
	buf_release(&small_a);
	buf_release(&small_b);
}

static void test_value_int_range(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	assert_int_equal(value_int_range(sv("3"), 0, 9, &out), VALUE_OK);
	assert_int_equal(value_int_range(sv("-1"), 0, LLONG_MAX, &out),
			 VALUE_OUT_OF_RANGE);
	assert_int_equal(value_int_range(sv("10"), 0, 9, &out),
			 VALUE_OUT_OF_RANGE);
	assert_int_equal(value_int_range(sv("x"), 0, 9, &out), VALUE_INVALID);
	assert_string_equal(out.p, "3");
	buf_release(&out);
	/* A full out: untouched. */
	buf_init(&out, 2);
	assert_int_equal(value_int(sv("1200"), &out), VALUE_INVALID);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static const struct {
	const char *in, *want, *why;
	enum value_result res;
} consents[] = {
	{ "Y", "Y", "Y", VALUE_OK },
	{ "n", "N", "n", VALUE_OK },
	{ "Yes", "Y", "Yes", VALUE_OK },
	{ "NO", "N", "NO", VALUE_OK },
	{ "true", "Y", "true", VALUE_OK },
	{ "FALSE", "N", "FALSE", VALUE_OK },
	{ "1", "Y", "1", VALUE_OK },
	{ "0", "N", "0", VALUE_OK },
	{ "１", "Y", "full-width 1", VALUE_OK },
	{ "Ｙ", "Y", "full-width Y", VALUE_OK },
	{ "是", "Y", "是", VALUE_OK },
	{ "否", "N", "否", VALUE_OK },
	{ "同意", "Y", "同意", VALUE_OK },
	{ "不同意", "N", "不同意", VALUE_OK },
	{ " 同意 ", "Y", "spaces", VALUE_OK },
	{ "", "", "empty", VALUE_EMPTY },
	{ "  ", "", "blank", VALUE_EMPTY },
	{ "maybe", "", "maybe", VALUE_INVALID },
	{ "2", "", "2", VALUE_INVALID },
	{ "同 意", "", "space inside", VALUE_INVALID },
	{ "y\xff", "", "invalid UTF-8", VALUE_INVALID },
};

static void test_value_consent(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(consents) / sizeof(consents[0]); i++) {
		enum value_result r;

		buf_reset(&out);
		r = value_consent(sv(consents[i].in), &out);
		if (r != consents[i].res || strcmp(out.p, consents[i].want))
			fail_msg("%s: got %s '%s'", consents[i].why,
				 value_result_str(r), out.p);
	}
	buf_release(&out);
}

static const struct {
	const char *in, *want, *why;
	enum value_result res;
} statuses[] = {
	{ "active", "active", "English", VALUE_OK },
	{ "ACTIVE", "active", "upper case", VALUE_OK },
	{ "ａｃｔｉｖｅ", "active", "full-width", VALUE_OK },
	{ "正常", "active", "正常", VALUE_OK },
	{ "有效", "active", "有效", VALUE_OK },
	{ "Inactive", "inactive", "English", VALUE_OK },
	{ "停用", "inactive", "停用", VALUE_OK },
	{ "无效", "inactive", "无效", VALUE_OK },
	{ "frozen", "frozen", "English", VALUE_OK },
	{ "冻结", "frozen", "冻结", VALUE_OK },
	{ "closed", "closed", "English", VALUE_OK },
	{ "注销", "closed", "注销", VALUE_OK },
	{ "销户", "closed", "销户", VALUE_OK },
	{ "\xe3\x80\x80冻结 ", "frozen", "spaces", VALUE_OK },
	{ "", "", "empty", VALUE_EMPTY },
	{ "deleted", "", "not in the vocabulary", VALUE_INVALID },
	{ "1", "", "a code", VALUE_INVALID },
	{ "正 常", "", "space inside", VALUE_INVALID },
	{ "正常\x01", "", "control byte", VALUE_INVALID },
};

static void test_value_status(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		enum value_result r;

		buf_reset(&out);
		r = value_status(sv(statuses[i].in), &out);
		if (r != statuses[i].res || strcmp(out.p, statuses[i].want))
			fail_msg("%s: got %s '%s'", statuses[i].why,
				 value_result_str(r), out.p);
	}
	buf_release(&out);
}

static void test_value_key(void **state)
{
	char key[8];
	static char s[10241];

	(void)state;
	assert_int_equal(value_key(sv(" ＡbC "), key, sizeof(key)), 3);
	assert_string_equal(key, "abc");
	assert_int_equal(value_key(sv("同意"), key, sizeof(key)), 6);
	assert_int_equal(value_key(sv("1234567"), key, sizeof(key)), 7);
	assert_int_equal(value_key(sv("12345678"), key, sizeof(key)), -1);
	assert_int_equal(value_key(sv("a\xff"), key, sizeof(key)), -1);
	assert_int_equal(value_key(sv(""), key, sizeof(key)), 0);
	assert_string_equal(key, "");
	memset(s, '9', sizeof(s) - 1);
	assert_int_equal(value_key(sv(s), key, sizeof(key)), -1);
	assert_string_equal(value_result_str(VALUE_OUT_OF_RANGE),
			    "out of range");
}

static const struct {
	const char *in;
	bool null;
	const char *why;
} nulls[] = {
	{ "NA", true, "R and spreadsheets" },
	{ "n/a", true, "any case" },
	{ " N/A ", true, "trimmed" },
	{ "#N/A", true, "Excel's lookup error" },
	{ "NULL", true, "a database dump" },
	{ "\\N", true, "MySQL's dump" },
	{ "-", true, "a dash" },
	{ "--", true, "two dashes" },
	{ "－", true, "a full-width dash folds to '-'" },
	{ "无", true, "Chinese: none" },
	{ "不详", true, "Chinese: unknown" },
	{ "", true, "empty" },
	{ "   ", true, "white space" },
	{ "NAN", true, "a float's not-a-number" },
	{ "Nancy", false, "a name that starts with NA" },
	{ "0", false, "zero is a value" },
	{ "-1", false, "a negative number" },
	{ "none of them", false, "a phrase" },
};

static void test_value_null(void **state)
{
	static const char *const words[] = { "unknown", "？" };

	(void)state;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (value_is_null(sv(nulls[i].in), NULL, 0) != nulls[i].null)
			fail_msg("%s: '%s'", nulls[i].why, nulls[i].in);
	}
	/* Words given replace the usual ones; they fold the same way. */
	assert_true(value_is_null(sv("UNKNOWN"), words, 2));
	assert_true(value_is_null(sv("?"), words, 2));
	assert_false(value_is_null(sv("NA"), words, 2));
	assert_true(value_is_null(sv(" "), words, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_int),
		cmocka_unit_test(test_value_int_range),
		cmocka_unit_test(test_value_int_fast),
		cmocka_unit_test(test_value_consent),
		cmocka_unit_test(test_value_status),
		cmocka_unit_test(test_value_null),
		cmocka_unit_test(test_value_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
