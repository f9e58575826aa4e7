/*
 * test_mask: masking by field kind (mobile, phone, ID number, e-mail,
 * name, anything else) and keyed pseudonyms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "mask.h"
#include "utf8.h"

static const struct {
	const char *field, *in, *want, *why;
} cases[] = {
	{ "mobile", "+8613812345678", "138****5678", "E.164: +86 dropped" },
	{ "mobile", "13812345678", "138****5678", "national form" },
	{ "phone", "+85291234567", "852****4567", "other country: + dropped" },
	{ "phone", "010-62345678", "010*****5678", "landline with a dash" },
	{ "mobile", "1234567", "*******", "too short to keep 3 + 4: all stars" },
	{ "mobile", "12345678", "123*5678", "just long enough" },
	{ "mobile", "+86", "", "only the country code" },
	{ "mobile", "", "", "empty stays empty" },
	{ "mobile", "１３８１２３４５６７８", "１３８****５６７８",
	  "full-width digits masked per character, not per byte" },
	{ "mobile", "手机13812345678", "手机1******5678",
	  "Han before the number" },
	{ "id_number", "110105199001010021", "110105********0021",
	  "18-digit ID" },
	{ "id_number", "11010519900101002X", "110105********002X",
	  "check character X kept" },
	{ "id_number", "110105900101002", "110105*****1002", "15-digit ID" },
	{ "id_number", "123", "***", "too short: all stars" },
	{ "email", "zhang.wei@qq.com", "z***@qq.com", "e-mail" },
	{ "email", "张伟@qq.com", "张***@qq.com", "Han local part" },
	{ "email", "a@b", "a***@b", "one-letter local part" },
	{ "email", "@qq.com", "@******", "no local part: masked whole" },
	{ "email", "not-an-email", "n***********", "no @: masked whole" },
	{ "name", "张伟", "张*", "Chinese name" },
	{ "name", "欧阳娜娜", "欧***", "compound surname" },
	{ "name", "Zhang Wei", "Z**** W**", "Latin name: each word" },
	{ "name", "Zhang  Wei", "Z****  W**", "double space kept" },
	{ "name", "X", "X", "one character" },
	{ "family_name", "欧阳", "欧*", "surname: what the name's mask shows" },
	{ "family_name", "Zhang", "Z****", "Latin surname" },
	{ "given_name", "娜娜", "**", "given name: the name's mask hides it" },
	{ "given_name", "伟", "*", "one character is starred too" },
	{ "given_name", "Wei", "***", "Latin given name" },
	{ "Given_Name", "娜娜", "**", "field names in any case" },
	{ "MOBILE", "+8613812345678", "138****5678", "field names in any case" },
	{ "birth_date", "1990-01-01", "****-**-**", "the ID's hidden digits" },
	{ "birth_date", "19900101", "********", "compact date" },
	{ "birth_date", "1990年1月1日", "*********", "Chinese date" },
	{ "address", "北京市朝阳区", "北*****", "address: first kept" },
	{ "address", "北京市朝阳区建国路88号", "北***********",
	  "house numbers starred" },
	{ "address", "Flat 5 Road 12", "F*************",
	  "Latin address: no word's first letter or digit kept" },
	{ "postal_code", "100020", "1000**", "postal code: county kept" },
	{ "postal_code", "1000", "****", "too short to keep four" },
	{ "tier", "Gold VIP", "G*** V**", "anything else, two words" },
	{ "id_number", "\xff" "10105199001010021", "?10105********0021",
	  "an invalid byte kept at the head is '?', never copied" },
	{ "mobile", "1381234567\xfe", "138****567?",
	  "an invalid byte kept at the tail is '?'" },
	{ "email", "\xff" "x@qq.com", "?***@qq.com",
	  "an invalid first byte of an e-mail is '?'" },
	{ "email", "a@q\xffq.com", "a***@q?q.com",
	  "an invalid byte in the domain is '?'" },
};

static const struct {
	const char *column, *parent, *why;
} parents[] = {
	{ "family_name", "name", "a part of the name" },
	{ "given_name", "name", "a part of the name" },
	{ "GIVEN_NAME", "name", "column names in any case" },
	{ "birth_date", "id_number", "digits 7 to 14 of a mainland ID" },
	{ "postal_code", "address", "narrows the address to a few streets" },
	{ "name", NULL, "a field of its own" },
	{ "mobile", NULL, "mobile and phone are two fields" },
	{ "phone", NULL, "mobile and phone are two fields" },
	{ "district", NULL, "a district may stay: not finer than that" },
	{ "", NULL, "empty" },
};

static void test_mask_cases(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		if (mask_value(cases[i].field, sv(cases[i].in), &out) < 0 ||
		    strcmp(out.p, cases[i].want))
			fail_msg("%s: got '%s'", cases[i].why, out.p);
		/* why: a mask never cuts a character in two */
		if (utf8_is_valid(sv(cases[i].in)) &&
		    !utf8_is_valid(buf_view(&out)))
			fail_msg("%s: invalid UTF-8 out", cases[i].why);
	}
	buf_release(&out);
	/* why: a full buffer is -1 */
	buf_init(&out, 4);
	assert_int_equal(mask_value("mobile", sv("13812345678"), &out), -1);
	buf_release(&out);
}

static void test_mask_parent(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		const char *got = mask_parent(parents[i].column);

		if (parents[i].parent ? !got || strcmp(got, parents[i].parent)
				      : got != NULL)
			fail_msg("%s: %s: got %s", parents[i].why,
				 parents[i].column, got ? got : "NULL");
	}
}

static void test_mask_pseudonym(void **state)
{
	struct buf a, b;

	(void)state;
	buf_init(&a, 100);
	buf_init(&b, 100);
	/* why: 32 lower-case hex digits */
	assert_int_equal(mask_pseudonym(sv("k1"), sv("+8613812345678"), &a), 0);
	assert_int_equal(a.len, 32);
	assert_int_equal(strspn(a.p, "0123456789abcdef"), 32);
	/* why: the same value and key give the same pseudonym */
	assert_int_equal(mask_pseudonym(sv("k1"), sv("+8613812345678"), &b), 0);
	assert_string_equal(a.p, b.p);
	/* why: another key gives another pseudonym */
	buf_reset(&b);
	mask_pseudonym(sv("k2"), sv("+8613812345678"), &b);
	assert_string_not_equal(a.p, b.p);
	/* why: another value gives another pseudonym */
	buf_reset(&b);
	mask_pseudonym(sv("k1"), sv("+8613812345679"), &b);
	assert_string_not_equal(a.p, b.p);
	/* why: HMAC-SHA256("key", "The quick brown fox jumps over the lazy
	 * dog") (RFC 4231 style vector), first 16 bytes */
	buf_reset(&b);
	mask_pseudonym(sv("key"),
		       sv("The quick brown fox jumps over the lazy dog"), &b);
	assert_string_equal(b.p, "f7bc83f430538424b13298e6aa6fb143");
	/* why: empty stays empty; an empty key still works */
	buf_reset(&b);
	assert_int_equal(mask_pseudonym(sv("k1"), sv(""), &b), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(mask_pseudonym(sv(""), sv("x"), &b), 0);
	assert_int_equal(b.len, 32);
	/* why: appends, does not reset */
	assert_int_equal(mask_pseudonym(sv(""), sv("x"), &b), 0);
	assert_int_equal(b.len, 64);
	buf_release(&a);
	buf_release(&b);
	/* why: a full buffer is -1 */
	buf_init(&a, 10);
	assert_int_equal(mask_pseudonym(sv("k"), sv("x"), &a), -1);
	buf_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_cases),
		cmocka_unit_test(test_mask_parent),
		cmocka_unit_test(test_mask_pseudonym),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
