/*
 * test_cnid: mainland resident ID numbers. Every check character below was
 * computed by this script, not written by hand:
 *
 *   import sys
 *   W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
 *   for a in sys.argv[1:]:      # 17 digits, or a 15-digit old ID
 *       a17 = a[:6] + "19" + a[6:] if len(a) == 15 else a[:17]
 *       s = sum(int(c) * w for c, w in zip(a17, W))
 *       print(a17 + "10X98765432"[s % 11])
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mappers/cnid.h"

static const struct {
	const char *in, *want, *why;
	enum cnid_result res;
} cases[] = {
	{ "11010519491231002X", "11010519491231002X", "check character X",
	  CNID_OK },
	{ "11010519491231002x", "11010519491231002X", "lower-case x", CNID_OK },
	{ "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X",
	  "full-width", CNID_OK },
	{ "１１０１０５1949１２３１００２ｘ", "11010519491231002X",
	  "mixed widths, full-width x", CNID_OK },
	{ "110105 19491231 002X", "11010519491231002X", "spaces", CNID_OK },
	{ "\xe3\x80\x80"
	  "110105\xe3\x80\x80"
	  "19491231002X\t",
	  "11010519491231002X", "ideographic spaces, tab", CNID_OK },
	{ "\xe2\x80\x8b"
	  "110105194912310\xe2\x80\xad"
	  "02X",
	  "11010519491231002X", "invisible characters", CNID_OK },
	{ "'11010519491231002X", "11010519491231002X", "Excel apostrophe",
	  CNID_OK },
	{ "310104198511304517", "310104198511304517", "digit check", CNID_OK },
	{ "440106199001011235", "440106199001011235", "Guangzhou", CNID_OK },
	{ "440106900101123", "440106199001011235", "15 digits upgraded",
	  CNID_OK },
	{ "４４０１０６９００１０１１２３", "440106199001011235",
	  "15 full-width digits", CNID_OK },
	{ "440106900101123.0", "440106199001011235",
	  "15 digits through a float are exact", CNID_OK },
	{ "510104198002291233", "510104198002291233", "29 Feb 1980", CNID_OK },
	{ "530102200002291218", "530102200002291218", "29 Feb 2000", CNID_OK },
	{ "440106190001011234", "440106190001011234", "born 1900", CNID_OK },
	{ "440106199001071000", "440106199001071000",
	  "ends in 000 and the check holds: a real ID", CNID_OK },
	{ "110103200001010013", "110103200001010013", "retired area code",
	  CNID_OK },
	{ "510202198001011239", "510202198001011239",
	  "area unknown to the table is still valid", CNID_OK },
	{ "810000199001011230", "810000199001011230", "Hong Kong code",
	  CNID_OK },
	{ "830000199201300022", "830000199201300022",
	  "Taiwan residents' residence permit (83, GB 11643 as 81/82; "
	  "jxlwqq/id-validator's test)",
	  CNID_OK },
	{ "820000199001011232", "820000199001011232",
	  "Macau residents' residence permit", CNID_OK },
	/* spreadsheet damage */
	{ "4.40106E+17", "", "Excel exponent", CNID_PRECISION_LOST },
	{ "4.40106199001011E+17", "", "15 significant digits",
	  CNID_PRECISION_LOST },
	{ "4.40106e17", "", "lower-case e, no plus", CNID_PRECISION_LOST },
	{ "４.４０１０６Ｅ＋１７", "", "full-width exponent",
	  CNID_PRECISION_LOST },
	{ "440106199001011000", "", "zero-padded, check fails",
	  CNID_PRECISION_LOST },
	{ "440106199001011235.0", "", "18 digits through a float",
	  CNID_PRECISION_LOST },
	{ "4401061990010.11235", "", "a dot inside", CNID_BAD_CHAR },
	{ "4E17", "", "a bare exponent, no dot", CNID_PRECISION_LOST },
	{ "E+17", "", "letters first", CNID_NOT_CN },
	{ "44010619900101123+", "", "a stray plus", CNID_BAD_CHAR },
	/* wrong */
	{ "440106199001011234", "", "one digit off", CNID_BAD_CHECKSUM },
	{ "11010519491231002Y", "", "Y for X", CNID_BAD_CHAR },
	{ "1101051949123100X2", "", "X not last", CNID_BAD_CHAR },
	{ "44010690010112X", "", "X in a 15-digit ID", CNID_BAD_CHAR },
	{ "11010519491231002", "", "17 digits", CNID_BAD_LENGTH },
	{ "1101051949123100211", "", "19 digits", CNID_BAD_LENGTH },
	{ "44010690010112", "", "14 digits", CNID_BAD_LENGTH },
	{ "990101199001011230", "", "no province 99", CNID_BAD_AREA },
	{ "100101199001011235", "", "no province 10", CNID_BAD_AREA },
	{ "44010621000101123X", "", "born in 2100", CNID_BAD_DATE },
	{ "440106199013011232", "", "month 13", CNID_BAD_DATE },
	{ "440106199001321233", "", "day 32", CNID_BAD_DATE },
	{ "510104197802291237", "", "29 Feb 1978", CNID_BAD_DATE },
	{ "530102190002291211", "", "29 Feb 1900", CNID_BAD_DATE },
	{ "440106187901011232", "", "born 1879", CNID_BAD_DATE },
	{ "440106901301123", "", "15 digits, month 13", CNID_BAD_DATE },
	{ "110105-19491231-002X", "", "hyphens", CNID_BAD_CHAR },
	{ "1101051949\x01"
	  "1231002X",
	  "", "control byte", CNID_BAD_CHAR },
	{ "1101051949\xff"
	  "1231002X",
	  "", "invalid UTF-8", CNID_BAD_CHAR },
	{ "11010519491231002\xe4\xb8", "", "truncated UTF-8", CNID_BAD_CHAR },
	{ "身份证11010519491231002X", "", "a label", CNID_BAD_CHAR },
	{ "无", "", "none, in Chinese", CNID_BAD_CHAR },
	/* not mainland IDs */
	{ "E12345678", "", "passport", CNID_NOT_CN },
	{ "A123456(7)", "", "Hong Kong ID", CNID_NOT_CN },
	{ "ａ123456789", "", "Taiwan ID, full-width letter", CNID_NOT_CN },
	{ " 'C12345678", "", "travel permit after apostrophe", CNID_NOT_CN },
	/* empty */
	{ "", "", "empty", CNID_EMPTY },
	{ " \t\xe3\x80\x80 ", "", "white space", CNID_EMPTY },
	{ "'", "", "a lone apostrophe", CNID_EMPTY },
};

static void test_cnid_cases(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum cnid_result r;

		buf_reset(&out);
		r = cnid_normalize(sv(cases[i].in), &out);
		if (r != cases[i].res || strcmp(out.p, cases[i].want))
			fail_msg("%s: got %s '%s'", cases[i].why,
				 cnid_result_str(r), out.p);
		if (r == CNID_OK && !cnid_is_valid(buf_view(&out)))
			fail_msg("%s: result not valid", cases[i].why);
	}
	buf_release(&out);
}

static void test_cnid_long(void **state)
{
	static char s[10241];
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	memset(s, '1', sizeof(s) - 1);
	assert_int_equal(cnid_normalize(sv(s), &out), CNID_BAD_LENGTH);
	memset(s, ' ', sizeof(s) - 1);
	memcpy(s + 5000, "11010519491231002x", 18);
	assert_int_equal(cnid_normalize(sv(s), &out), CNID_OK);
	assert_string_equal(out.p, "11010519491231002X");
	buf_release(&out);
	/* A full out: refused, untouched. */
	buf_init(&out, 10);
	assert_int_equal(cnid_normalize(sv("11010519491231002X"), &out),
			 CNID_BAD_LENGTH);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static const struct {
	const char *first17;
	char want;
} check_chars[] = {
	{ "11010519491231002", 'X' },  { "44010619900101123", '5' },
	{ "31010419851130451", '7' },  { "51010419800229123", '3' },
	{ "11010320000101001", '3' },  { "44010619900107100", '0' },
	{ "1101051949123100", '\0' }, /* 16 digits then NUL */
	{ "1101051949123100X", '\0' }, { "11010519491231 02", '\0' },
};

static void test_cnid_check_char(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(check_chars) / sizeof(check_chars[0]);
	     i++) {
		char got = cnid_check_char(check_chars[i].first17);

		if (got != check_chars[i].want)
			fail_msg("%s: got '%c'", check_chars[i].first17,
				 got ? got : '0');
	}
}

static void test_cnid_check(void **state)
{
	(void)state;
	assert_int_equal(cnid_check(sv("11010519491231002X")), CNID_OK);
	/* cnid_check() takes the canonical form only. */
	assert_int_equal(cnid_check(sv("11010519491231002x")), CNID_BAD_CHAR);
	assert_int_equal(cnid_check(sv(" 11010519491231002X")),
			 CNID_BAD_LENGTH);
	assert_int_equal(cnid_check(sv("440106900101123")), CNID_BAD_LENGTH);
	assert_int_equal(cnid_check(sv("")), CNID_BAD_LENGTH);
	assert_true(cnid_is_valid(sv("310104198511304517")));
	assert_false(cnid_is_valid(sv("310104198511304518")));
	assert_false(cnid_is_valid(svn("11010519491231002X", 17)));
}

static void test_cnid_area(void **state)
{
	(void)state;
	assert_int_equal(cnid_area_check(sv("11010519491231002X")), CNID_OK);
	assert_int_equal(cnid_area_check(sv("110103200001010013")), CNID_OK);
	assert_int_equal(cnid_area_check(sv("510202198001011239")),
			 CNID_AREA_UNKNOWN);
	assert_int_equal(cnid_area_check(sv("990101199001011230")),
			 CNID_BAD_AREA);
	assert_int_equal(cnid_area_check(sv("11010")), CNID_BAD_AREA);
	/* Issue 15: codes no table has, in real provinces. */
	assert_int_equal(cnid_area_check(sv("111111199901101514")),
			 CNID_AREA_UNKNOWN);
	assert_int_equal(cnid_area_check(sv("34595519870612224X")),
			 CNID_AREA_UNKNOWN);
	/* Residence permits carry the province code itself. */
	assert_int_equal(cnid_area_check(sv("830000199201300022")), CNID_OK);
	assert_int_equal(cnid_area_check(sv("810000199408230021")), CNID_OK);
	assert_int_equal(cnid_area_check(sv("820000199001011232")), CNID_OK);
	assert_int_equal(cnid_area_check(sv("11x105194912310")), CNID_BAD_AREA);
	assert_string_equal(cnid_result_str(CNID_AREA_UNKNOWN), "area unknown");
	assert_string_equal(cnid_result_str(CNID_PRECISION_LOST),
			    "precision lost");
	assert_string_equal(cnid_result_str((enum cnid_result)99), "invalid");
}

/* id_type spellings: the literal CN_RIC, Chinese names of the card, and
 * the codes of the document-type lists member systems use. */
static const struct {
	const char *in;
	enum cnid_type want;
	const char *why;
} types[] = {
	{ "", CNID_TYPE_NONE, "empty: the value decides" },
	{ " \t", CNID_TYPE_NONE, "blank" },
	{ "CN_RIC", CNID_TYPE_RIC, "canonical" },
	{ "cn_ric", CNID_TYPE_RIC, "any case" },
	{ "身份证", CNID_TYPE_RIC, "Chinese" },
	{ "居民身份证", CNID_TYPE_RIC, "full Chinese name" },
	{ "身份證", CNID_TYPE_RIC, "Traditional" },
	{ "二代身份证", CNID_TYPE_RIC, "second generation" },
	{ "ID", CNID_TYPE_RIC, "English" },
	{ "ID card", CNID_TYPE_RIC, "English, two words" },
	{ "IDCARD", CNID_TYPE_RIC, "one word" },
	{ "1", CNID_TYPE_RIC, "code list: 1 = resident ID" },
	{ "01", CNID_TYPE_RIC, "code list: 01" },
	{ "111", CNID_TYPE_RIC, "GA/T 517 code 111" },
	{ "PASSPORT", CNID_TYPE_OTHER, "passport" },
	{ "护照", CNID_TYPE_OTHER, "passport, Chinese" },
	{ "港澳通行证", CNID_TYPE_OTHER, "travel permit" },
	{ "台胞证", CNID_TYPE_OTHER, "Taiwan compatriot permit" },
	{ "2", CNID_TYPE_OTHER, "code list: 2 = another document" },
	{ "身份证号", CNID_TYPE_RIC, "with 号" },
	{ "xyz", CNID_TYPE_UNKNOWN, "unknown word" },
};

static void test_cnid_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		enum cnid_type got = cnid_type_of(sv(types[i].in));

		if (got != types[i].want)
			fail_msg("%s: '%s' got %d", types[i].why, types[i].in,
				 (int)got);
	}
	assert_true(cnid_is_shaped(sv("11010519491231002X")));
	assert_true(cnid_is_shaped(sv(" 440106900101123 ")));
	assert_true(cnid_is_shaped(sv("１１０１０５１９４９１２３１００２ｘ")));
	assert_false(cnid_is_shaped(sv("E12345678")));
	assert_false(cnid_is_shaped(sv("12345")));
}

static void test_cnid_birth_gender(void **state)
{
	char date[11];

	(void)state;
	cnid_birth_date(sv("11010519491231002X"), date);
	assert_string_equal(date, "1949-12-31");
	assert_int_equal(cnid_gender(sv("11010519491231002X")), 'F');
	cnid_birth_date(sv("310104198511304517"), date);
	assert_string_equal(date, "1985-11-30");
	assert_int_equal(cnid_gender(sv("310104198511304517")), 'M');
	assert_int_equal(cnid_gender(sv("440106199001011235")), 'M');
	cnid_birth_date(sv("1101051949"), date);
	assert_string_equal(date, "");
	cnid_birth_date(sv("110105194X12310000"), date);
	assert_string_equal(date, "");
	assert_int_equal(cnid_gender(sv("1101051949123100")), '\0');
	assert_int_equal(cnid_gender(sv("1101051949123100X2")), '\0');
}

/* cnid_normalize with its shortcut for plain IDs and without: the same
 * result and bytes on valid IDs of both lengths, each byte of them put in
 * turn to each of the bytes around what the shortcut takes, and 100,000
 * random strings of digits, X, x, float marks, spaces and letters of 13
 * to 20 characters. */
static void fast_same(const char *in, struct buf *a, struct buf *b)
{
	enum cnid_result ra, rb;

	buf_reset(a);
	buf_reset(b);
	cnid_fast(true);
	ra = cnid_normalize(sv(in), a);
	cnid_fast(false);
	rb = cnid_normalize(sv(in), b);
	cnid_fast(true);
	if (ra != rb || a->len != b->len || memcmp(a->p, b->p, a->len))
		fail_msg("'%s': fast %s '%s', general %s '%s'", in,
			 cnid_result_str(ra), a->p, cnid_result_str(rb), b->p);
}

static void test_cnid_fast(void **state)
{
	static const char *const ids[] = {
		"11010519491231002X", "11010519491231002x", "440524188001010014",
		"310104510202002",    "44010619530404006x", "110105491231002",
		"310104510202002.00", "310104510202002.0",  "4.40524188001E+17",
		"44052418800101001.", "4405241880010100.4",
	};
	static const char other[] = "0189Xx.Ee+ '\tA-";
	static const char alphabet[] = "0123456789012345678901234Xx.E +'a";
	struct buf a, b, small_a, small_b;
	char in[32];
	unsigned seed = 5;

	(void)state;
	buf_init(&a, 64);
	buf_init(&b, 64);
	buf_init(&small_a, 16);
	buf_init(&small_b, 16);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		size_t len = strlen(ids[i]);

		fast_same(ids[i], &a, &b);
		fast_same(ids[i], &small_a, &small_b);
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(other) - 1; k++) {
				snprintf(in, sizeof(in), "%s", ids[i]);
				in[at] = other[k];
				fast_same(in, &a, &b);
			}
	}
	for (unsigned i = 0; i < 100000; i++) {
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = 13 + (seed >> 16) % 8;
		for (size_t k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			in[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		in[len] = '\0';
		fast_same(in, &a, &b);
	}
	buf_release(&a);
	buf_release(&b);
	buf_release(&small_a);
	buf_release(&small_b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cnid_cases),
		cmocka_unit_test(test_cnid_long),
		cmocka_unit_test(test_cnid_check_char),
		cmocka_unit_test(test_cnid_check),
		cmocka_unit_test(test_cnid_area),
		cmocka_unit_test(test_cnid_type),
		cmocka_unit_test(test_cnid_birth_gender),
		cmocka_unit_test(test_cnid_fast),
	};
	char dir[4096];
	const char *slash = strrchr(__FILE__, '/');

	/* The GB/T 2260 table: data/ beside tests/, unless MBR_DATADIR says
	 * otherwise (__FILE__ is tests/unit/test_cnid.c from the top). */
	if (!getenv("MBR_DATADIR") && slash) {
		snprintf(dir, sizeof(dir), "%.*s/../../data",
			 (int)(slash - __FILE__), __FILE__);
		setenv("MBR_DATADIR", dir, 1);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
