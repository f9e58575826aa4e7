/*
 * test_email: email_normalize on addresses as exports write them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "mappers/email.h"

static const struct {
	const char *in, *want, *why;
	enum email_result res;
} cases[] = {
	{"zs@qq.com", "zs@qq.com", "plain", EMAIL_OK},
	{"  ZhangSan@QQ.COM \t", "zhangsan@qq.com", "trim, lower case",
	 EMAIL_OK},
	{"zs＠qq．com", "zs@qq.com", "full-width @ and dot", EMAIL_OK},
	{"ｚｓ＠ｑｑ．ｃｏｍ", "zs@qq.com", "all full-width", EMAIL_OK},
	{"ＺＳ@163.COM", "zs@163.com", "full-width capitals", EMAIL_OK},
	{"zs@qq。com", "zs@qq.com", "ideographic full stop", EMAIL_OK},
	{"zs@qq\xef\xbd\xa1"
	 "com",
	 "zs@qq.com", "half-width 。", EMAIL_OK},
	{"mailto:zs@qq.com", "zs@qq.com", "mailto:", EMAIL_OK},
	{"MAILTO:ZS@QQ.COM", "zs@qq.com", "MAILTO:", EMAIL_OK},
	{"张三 <ZS@qq.com>", "zs@qq.com", "display name", EMAIL_OK},
	{"\"Zhang, San\" <zs@qq.com>", "zs@qq.com", "quoted display name",
	 EMAIL_OK},
	{"张三＜zs@qq.com＞", "zs@qq.com", "full-width angle brackets",
	 EMAIL_OK},
	{"<mailto:zs@qq.com>", "zs@qq.com", "mailto in brackets", EMAIL_OK},
	{"\xe3\x80\x80zs@qq.com\xe3\x80\x80", "zs@qq.com", "ideographic spaces",
	 EMAIL_OK},
	{"\xe2\x80\x8bzs@qq.com\xef\xbb\xbf", "zs@qq.com",
	 "zero-width space and BOM", EMAIL_OK},
	{"zs\xe2\x80\xad@qq.com", "zs@qq.com", "direction mark inside",
	 EMAIL_OK},
	{"first.last+tag@mail.example.co.uk",
	 "first.last+tag@mail.example.co.uk", "dots, plus, many labels",
	 EMAIL_OK},
	{"o'brien_{x}@ex-ample.com", "o'brien_{x}@ex-ample.com",
	 "atext specials, hyphen", EMAIL_OK},
	{"张三@例子.中国", "张三@例子.中国", "UTF-8 local and IDN domain",
	 EMAIL_OK},
	{"Ünïcode@Example.COM", "Ünïcode@example.com",
	 "only ASCII is lower-cased", EMAIL_OK},
	{"", "", "empty", EMAIL_EMPTY},
	{" \t\xe3\x80\x80 ", "", "only spaces", EMAIL_EMPTY},
	{"\xe2\x80\x8b", "", "only a zero-width space", EMAIL_EMPTY},
	{"zs.qq.com", "", "no @", EMAIL_NO_AT},
	{"zs#qq.com", "", "# for @", EMAIL_NO_AT},
	{"zs@@qq.com", "", "doubled @", EMAIL_TWO_AT},
	{"zs@qq.com@163.com", "", "two addresses run together", EMAIL_TWO_AT},
	{"zs＠qq＠com", "", "two full-width @", EMAIL_TWO_AT},
	{"zs@qqcom", "", "no dot", EMAIL_NO_DOT},
	{"zs@localhost", "", "local host", EMAIL_NO_DOT},
	{"zs@qq,com", "", "comma for dot", EMAIL_NO_DOT},
	{"zs@qq.com.", "", "trailing dot", EMAIL_INVALID},
	{"zs@.qq.com", "", "leading dot in domain", EMAIL_INVALID},
	{"zs@qq..com", "", "empty label", EMAIL_INVALID},
	{".zs@qq.com", "", "leading dot in local", EMAIL_INVALID},
	{"z..s@qq.com", "", "double dot in local", EMAIL_INVALID},
	{"@qq.com", "", "no local part", EMAIL_INVALID},
	{"zs@", "", "no domain", EMAIL_INVALID},
	{"z s@qq.com", "", "space inside", EMAIL_INVALID},
	{"zs@q q.com", "", "space in domain", EMAIL_INVALID},
	{"zs@-qq.com", "", "label starts with hyphen", EMAIL_INVALID},
	{"zs@qq.c", "", "one-letter top level", EMAIL_INVALID},
	{"zs@1.2.3.4", "", "IP address", EMAIL_INVALID},
	{"zs@[1.2.3.4]", "", "address literal", EMAIL_INVALID},
	{"\"z s\"@qq.com", "", "quoted local part", EMAIL_INVALID},
	{"zs@qq_mail.com", "", "underscore in domain", EMAIL_INVALID},
	{"zs\x01@qq.com", "", "control byte", EMAIL_INVALID},
	{"zs\x7f@qq.com", "", "DEL", EMAIL_INVALID},
	{"zs\xff@qq.com", "", "invalid UTF-8", EMAIL_INVALID},
	{"zs@qq.com\xe4\xb8", "", "truncated UTF-8", EMAIL_INVALID},
	{"zs@qq.com;ls@qq.com", "", "two addresses", EMAIL_TWO_AT},
	/* issue 15: validator.js isEmail's defaults. Unicode white space of
	 * every class is no part of an address. */
	{"test1@invalid.co\xc2\xa0m", "", "no-break space", EMAIL_INVALID},
	{"test@invalid.co\xe1\x9a\x80m", "", "U+1680 ogham space",
	 EMAIL_INVALID},
	{"test@invalid.co\xe2\x80\x80m", "", "U+2000 en quad", EMAIL_INVALID},
	{"test@invalid.co\xe2\x80\x8am", "", "U+200A hair space",
	 EMAIL_INVALID},
	{"test@invalid.co\xe2\x80\xafm", "", "U+202F narrow no-break space",
	 EMAIL_INVALID},
	{"test@invalid.co\xe2\x81\x9fm", "", "U+205F math space",
	 EMAIL_INVALID},
	{"test@invalid.co\xe2\x80\xa8m", "", "U+2028 line separator",
	 EMAIL_INVALID},
	{"nbsp\xc2\xa0test@test.com", "", "no-break space in local part",
	 EMAIL_INVALID},
	{"te\xe2\x80\x83st@test.com", "", "em space in local part",
	 EMAIL_INVALID},
	{"username@domain.com\xc2\xa9", "", "(c) in the top level",
	 EMAIL_INVALID},
	{"username@domain.com\xef\xbf\xbd", "", "U+FFFD: a decoding loss",
	 EMAIL_INVALID},
	{"user\xef\xbf\xbdname@domain.com", "", "U+FFFD in local part",
	 EMAIL_INVALID},
	{"user\xc2\x85@domain.com", "", "C1 control NEL", EMAIL_INVALID},
	{"user\xee\x80\x80@domain.com", "", "private use", EMAIL_INVALID},
	{"zs@qq.c0m", "", "digit in the top level", EMAIL_INVALID},
	{"zs@qq.co-m", "", "hyphen in the top level", EMAIL_INVALID},
	{"zs@xn--fiqs8s", "", "one label, even punycode", EMAIL_NO_DOT},
	{"zs@example.xn--fiqs8s", "zs@example.xn--fiqs8s",
	 "punycode top level kept", EMAIL_OK},
	{"zs@xn--fsqu00a.xn--fiqs8s", "zs@xn--fsqu00a.xn--fiqs8s",
	 "punycode domain kept as written", EMAIL_OK},
	{"hans.m\xe7\xab\xafller@test.com", "hans.m\xe7\xab\xafller@test.com",
	 "validator.js: UTF-8 local part", EMAIL_OK},
	{"test|123@m\xe7\xab\xafller.com", "test|123@m\xe7\xab\xafller.com",
	 "validator.js: UTF-8 label", EMAIL_OK},
	{"mailto:", "", "mailto alone", EMAIL_EMPTY},
	{"<>", "", "empty brackets", EMAIL_EMPTY},
	{"张三", "", "a name in the email column", EMAIL_NO_AT},
};

static void test_email_cases(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum email_result r;

		buf_reset(&out);
		r = email_normalize(sv(cases[i].in), &out);
		if (r != cases[i].res || strcmp(out.p, cases[i].want))
			fail_msg("%s: got %s '%s'", cases[i].why,
				 email_result_str(r), out.p);
		if (r == EMAIL_OK && !email_is_valid(buf_view(&out)))
			fail_msg("%s: result not valid", cases[i].why);
	}
	buf_release(&out);
}

/* Length limits: 64-byte local part, 63-byte labels, 253-byte domain,
 * and a 10 KB value. */
static void test_email_long(void **state)
{
	static char s[10241];
	struct buf out;

	(void)state;
	buf_init(&out, 1 << 20);
	memset(s, 'a', 64);
	strcpy(s + 64, "@qq.com");
	assert_int_equal(email_normalize(sv(s), &out), EMAIL_OK);
	buf_reset(&out);
	memset(s, 'a', 65);
	strcpy(s + 65, "@qq.com");
	assert_int_equal(email_normalize(sv(s), &out), EMAIL_INVALID);
	strcpy(s, "a@");
	memset(s + 2, 'b', 63);
	strcpy(s + 65, ".com");
	assert_int_equal(email_normalize(sv(s), &out), EMAIL_OK);
	buf_reset(&out);
	strcpy(s, "a@");
	memset(s + 2, 'b', 64);
	strcpy(s + 66, ".com");
	assert_int_equal(email_normalize(sv(s), &out), EMAIL_INVALID);
	/* 10 KB: domain far too long; then a 10 KB run of spaces. */
	memset(s, 'x', sizeof(s) - 1);
	s[3] = '@';
	s[100] = '.';
	assert_int_equal(email_normalize(sv(s), &out), EMAIL_INVALID);
	memset(s, ' ', sizeof(s) - 1);
	memcpy(s + 5000, "ZS@QQ.COM", 9);
	assert_int_equal(email_normalize(sv(s), &out), EMAIL_OK);
	assert_string_equal(out.p, "zs@qq.com");
	buf_release(&out);
}

/* out is appended to on success and left as it was on failure, even
 * when the failure is found after the folded text was written. */
static void test_email_out(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	buf_adds(&out, "keep;");
	assert_int_equal(email_normalize(sv("ZS@qq..com"), &out),
			 EMAIL_INVALID);
	assert_string_equal(out.p, "keep;");
	assert_int_equal(email_normalize(sv("zs@qq\xff"), &out), EMAIL_INVALID);
	assert_string_equal(out.p, "keep;");
	assert_int_equal(email_normalize(sv("张三 <ZS@qq.com>"), &out),
			 EMAIL_OK);
	assert_string_equal(out.p, "keep;zs@qq.com");
	buf_release(&out);

	buf_init(&out, 4);
	assert_int_equal(email_normalize(sv("zs@qq.com"), &out), EMAIL_INVALID);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

/* Typo domains: a hint, never a rewrite. */
static const struct {
	const char *email, *want, *why;
} typos[] = {
	{"zs@qq.con", "qq.com", "n for m"},
	{"zs@163.cm", "163.com", "o missing"},
	{"zs@gmial.com", "gmail.com", "transposed"},
	{"zs@foxmail.con", "foxmail.com", "n for m"},
	{"zs@sina.con", "sina.com", "n for m"},
	{"zs@hotmial.com", "hotmail.com", "transposed"},
	{"zs@126.cmo", "126.com", "transposed top level"},
	{"zs@qq.comm", "qq.com", "doubled letter"},
	{"zs@yahooo.com", "yahoo.com", "tripled o"},
	{"zs@outlok.com", "outlook.com", "o missing"},
	{"zs@qq.com", NULL, "right"},
	{"zs@mail.com", NULL, "a real provider one letter from gmail"},
	{"zs@ymail.com", NULL, "Yahoo's ymail"},
	{"zs@163.net", NULL, "two letters off: not guessed"},
	{"zs@example.con", NULL, "a domain we do not know"},
};

static void test_email_typo(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(typos) / sizeof(typos[0]); i++) {
		const char *got = email_typo(sv(typos[i].email));

		if ((got == NULL) != (typos[i].want == NULL) ||
		    (got && strcmp(got, typos[i].want)))
			fail_msg("%s: %s got %s", typos[i].why, typos[i].email,
				 got ? got : "(none)");
	}
}

static void test_email_is_valid(void **state)
{
	(void)state;
	assert_true(email_is_valid(sv("zs@qq.com")));
	assert_false(email_is_valid(sv("ZS@qq.com")));
	assert_false(email_is_valid(sv(" zs@qq.com")));
	assert_false(email_is_valid(sv("zs＠qq.com")));
	assert_false(email_is_valid(sv("zs@qq")));
	assert_false(email_is_valid(sv("zs@qq.com\xff")));
	assert_false(email_is_valid(sv("")));
	assert_false(email_is_valid(svn("zs@qq.com", 0)));
}

/* email_normalize with its shortcut for ASCII and without: the same
 * result and bytes on 200,000 random strings of ASCII address bytes (and
 * some that are not: spaces, <, >, :, a control, a full-width @, a Han
 * character), some longer than an address may be, and into a buffer that
 * fills; and addresses near the longest, in ASCII and not. */
static void fast_same(struct strview in, struct buf *a, struct buf *b)
{
	enum email_result ra, rb;

	buf_reset(a);
	buf_reset(b);
	buf_adds(a, "x");
	buf_adds(b, "x");
	email_fast(true);
	ra = email_normalize(in, a);
	email_fast(false);
	rb = email_normalize(in, b);
	email_fast(true);
	if (ra != rb || a->len != b->len || memcmp(a->p, b->p, a->len + 1))
		fail_msg("'%.*s': fast %s '%s', general %s '%s'", (int)in.len,
			 in.p, email_result_str(ra), a->p,
			 email_result_str(rb), b->p);
}

static void test_email_fast(void **state)
{
	static const char *const pieces[] = {
		"a", "Z", "A", "M", "q", "9", ".", "_", "-", "+", "@", "@",
		"qq", ".com",
		"163", "Mailto:", "mailto:", " ", "<", ">", "\x01", "xn--",
		"\xef\xbc\xa0", "张", "\xe3\x80\x82", "\xe2\x80\x8b",
	};
	const size_t n_pieces = sizeof(pieces) / sizeof(pieces[0]);
	struct buf in, a, b, sa, sb;
	unsigned seed = 9;

	(void)state;
	buf_init(&in, BUF_NOLIMIT);
	buf_init(&a, BUF_NOLIMIT);
	buf_init(&b, BUF_NOLIMIT);
	buf_init(&sa, 12);
	buf_init(&sb, 12);
	for (unsigned i = 0; i < 200000; i++) {
		size_t n;

		buf_reset(&in);
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 14;
		if (i % 1000 == 0)
			n = 120;
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			buf_adds(&in, pieces[(seed >> 16) % n_pieces]);
		}
		fast_same(buf_view(&in), &a, &b);
		fast_same(buf_view(&in), &sa, &sb);
	}
	/* Near the longest address, in ASCII and not. */
	for (size_t len = 245; len <= 260; len++)
		for (int han = 0; han < 2; han++) {
			buf_reset(&in);
			buf_adds(&in, han ? "\xe5\xbc\xa0" : "A");
			for (size_t k = 1; k < 60; k++)
				buf_adds(&in, "b");
			buf_adds(&in, "@");
			while (in.len + 5 < len) {
				buf_adds(&in, "c");
				if (in.len % 60 == 0)
					buf_adds(&in, ".");
			}
			buf_adds(&in, ".Com");
			fast_same(buf_view(&in), &a, &b);
			/* 254 characters at most */
			if (!han && (len == 255 || len == 256))
				assert_int_equal(email_normalize(buf_view(&in),
								 &a),
						 len == 255 ? EMAIL_OK
							    : EMAIL_INVALID);
		}
	fast_same(sv("User.Name+Tag@Example.COM"), &a, &b);
	fast_same(sv("User.Name+Tag@Example.COM"), &sa, &sb);
	buf_release(&in);
	buf_release(&a);
	buf_release(&b);
	buf_release(&sa);
	buf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_cases),
		cmocka_unit_test(test_email_long),
		cmocka_unit_test(test_email_out),
		cmocka_unit_test(test_email_is_valid),
		cmocka_unit_test(test_email_typo),
		cmocka_unit_test(test_email_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
