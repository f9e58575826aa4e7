/*
 * test_phone: phone_normalize on numbers as exports write them, and the
 * mobile prefixes against libphonenumber's pattern.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mappers/phone.h"

static void data_file(char *path, size_t size, const char *name);

/* Load data/phone_metadata.tsv of this tree. */
static int phone_load_default(void)
{
	struct mbr_err err = MBR_ERR_INIT;
	char path[4096];

	data_file(path, sizeof(path), "phone_metadata.tsv");
	if (phone_load_metadata(path, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static const struct {
	const char *in, *want, *why;
	enum phone_result res;
} cases[] = {
	/* mainland mobiles */
	{"13812345678", "+8613812345678", "plain mobile", PHONE_OK},
	{"１３８１２３４５６７８", "+8613812345678", "full-width digits",
	 PHONE_OK},
	{"１３8-1234-５６７８", "+8613812345678", "mixed widths", PHONE_OK},
	{"+86 138-1234-5678", "+8613812345678", "separators", PHONE_OK},
	{"＋８６　１３８ １２３４ ５６７８", "+8613812345678",
	 "full-width plus, ideographic space", PHONE_OK},
	{"(+86) 138.1234.5678", "+8613812345678", "brackets and dots",
	 PHONE_OK},
	{"（＋86）138－1234－5678", "+8613812345678",
	 "full-width brackets and dashes", PHONE_OK},
	{"138\xe2\x80\x94"
	 "1234\xe2\x80\x94"
	 "5678",
	 "+8613812345678", "em dashes", PHONE_OK},
	{"0086 13812345678", "+8613812345678", "00 international prefix",
	 PHONE_OK},
	{"86 13812345678", "+8613812345678", "bare 86", PHONE_OK},
	{"8613812345678", "+8613812345678", "86 run together", PHONE_OK},
	{"\xc2\xa0"
	 "13812345678\t\r\n",
	 "+8613812345678", "no-break space, tab, CRLF", PHONE_OK},
	{"\xe2\x80\xad+86 138 1234 5678\xe2\x80\xac", "+8613812345678",
	 "copied from a phone: LRO ... PDF", PHONE_OK},
	{"\xef\xbb\xbf"
	 "138\xe2\x80\x8b"
	 "12345678",
	 "+8613812345678", "BOM, zero-width space", PHONE_OK},
	{"tel:+86-138-1234-5678", "+8613812345678", "RFC 3966 tel:", PHONE_OK},
	{"013812345678", "+8613812345678", "trunk 0 before a mobile", PHONE_OK},
	{"17951 13812345678", "+8613812345678", "IP-dialling prefix", PHONE_OK},
	{"13812345678.0", "+8613812345678", "spreadsheet float", PHONE_OK},
	{"17400123456", "+8617400123456", "1740[0-5] satellite range",
	 PHONE_OK},
	{"19212345678", "+8619212345678", "192 range", PHONE_OK},
	{"1381234567", "", "ten digits", PHONE_TOO_SHORT},
	{"138123456789", "", "twelve digits", PHONE_TOO_LONG},
	{"12012345678", "", "no 120 mobiles", PHONE_BAD_PREFIX},
	{"14012345678", "", "no 140 mobiles", PHONE_BAD_PREFIX},
	{"17412345678", "", "1741 is not 1740[0-5]", PHONE_BAD_PREFIX},
	{"17406123456", "", "17406 is not 1740[0-5]", PHONE_BAD_PREFIX},
	{"19412345678", "", "no 194 mobiles", PHONE_BAD_PREFIX},
	{"1.3812345678E+10", "", "spreadsheet exponent", PHONE_INVALID},
	/* mainland landlines */
	{"010-12345678", "+861012345678", "Beijing", PHONE_OK},
	{"0755 8888 6666", "+8675588886666", "Shenzhen", PHONE_OK},
	{"(0755)88886666", "+8675588886666", "area in brackets", PHONE_OK},
	{"+86 (0)755 8888 6666", "+8675588886666", "(0) after +86", PHONE_OK},
	{"+86 10 1234 5678", "+861012345678", "+86 and area", PHONE_OK},
	{"0086-10-12345678", "+861012345678", "0086 and area", PHONE_OK},
	{"1012345678", "+861012345678", "Beijing without trunk 0", PHONE_OK},
	{"0351-7654321", "+863517654321", "Taiyuan has 7 digits", PHONE_OK},
	{"0351-76543210", "", "8 digits in a 7-digit area", PHONE_TOO_LONG},
	{"0755-8888666", "", "7 digits in an 8-digit area", PHONE_TOO_SHORT},
	{"026-12345678", "", "026 is no area", PHONE_BAD_PREFIX},
	{"010-02345678", "+861002345678",
	 "a subscriber starting 0: libphonenumber's fixed-line pattern takes "
	 "it, and we follow the metadata now",
	 PHONE_OK},
	{"8888 6666", "", "no area code", PHONE_TOO_SHORT},
	{"400-810-8888", "+864008108888", "400 service number", PHONE_OK},
	/* other countries and regions */
	{"+852 9123 4567", "+85291234567", "Hong Kong mobile", PHONE_OK},
	{"00852-2123-4567", "+85221234567", "Hong Kong with 00", PHONE_OK},
	{"+852 912 3456", "", "Hong Kong 7 digits", PHONE_TOO_SHORT},
	{"+853 6612 3456", "+85366123456", "Macau", PHONE_OK},
	{"+886 912 345 678", "+886912345678", "Taiwan", PHONE_OK},
	{"+886 0912-345-678", "+886912345678", "Taiwan trunk 0 dropped",
	 PHONE_OK},
	{"+44 (0)20 7946 0958", "+442079460958", "UK (0)", PHONE_OK},
	{"0040000000000", "",
	 "fuzz: +40 then 00: one trunk 0 only, or "
	 "normalising again drops a digit each time",
	 PHONE_BAD_PREFIX},
	{"+40 0 0000 0000", "", "two zeros after a trunk-0 country code",
	 PHONE_BAD_PREFIX},
	{"+1 (212) 555-0123", "+12125550123", "NANP", PHONE_OK},
	{"+999 12345678", "", "unassigned country code", PHONE_BAD_PREFIX},
	{"+0 12345678", "", "country code 0", PHONE_BAD_PREFIX},
	{"+86 12345", "", "short after +86", PHONE_TOO_SHORT},
	/* not numbers at all */
	{"", "", "empty", PHONE_EMPTY},
	{"  \xe3\x80\x80 ", "", "only spaces", PHONE_EMPTY},
	{"-", "", "a dash placeholder", PHONE_EMPTY},
	{"+", "", "a lone plus", PHONE_INVALID},
	{"138-1234-567a", "", "a letter", PHONE_INVALID},
	{"手机13812345678", "", "a label", PHONE_INVALID},
	{"+86 13812345678 ext 12", "", "an extension", PHONE_EXTENSION},
	{"010 12345678#8001", "", "issue 15: # extension, kept and flagged",
	 PHONE_EXTENSION},
	{"010-12345678 转 8001", "", "转 extension", PHONE_EXTENSION},
	{"010-12345678#", "", "a # with no digits", PHONE_INVALID},
	/* issue 15: the metadata of today, every region */
	{"16101234567", "+8616101234567",
	 "1610x: opened after libphonenumber 8.12.57", PHONE_OK},
	{"+852 1234 5678", "", "Hong Kong: no number starts 1",
	 PHONE_BAD_PREFIX},
	{"+853 1234 5678", "", "Macau: no number starts 1", PHONE_BAD_PREFIX},
	{"+886 112 345 678", "", "Taiwan: no 11 numbers", PHONE_BAD_PREFIX},
	{"+1 212 055 0123", "", "NANP: exchange cannot start 0",
	 PHONE_BAD_PREFIX},
	{"+44 20 7946 095", "", "London one digit short", PHONE_TOO_SHORT},
	{"+65 8123 4567", "+6581234567", "Singapore mobile", PHONE_OK},
	{"+65 1234 5678", "", "Singapore: no 1 numbers", PHONE_BAD_PREFIX},
	{"+60 12-345 6789", "+60123456789", "Malaysia mobile", PHONE_OK},
	{"+81 90-1234-5678", "+819012345678", "Japan mobile", PHONE_OK},
	{"+81 090-1234-5678", "+819012345678", "Japan trunk 0 dropped",
	 PHONE_OK},
	{"+82 10-2345-6789", "+821023456789", "Korea mobile", PHONE_OK},
	{"+61 412 345 678", "+61412345678", "Australia mobile", PHONE_OK},
	{"138\x01"
	 "12345678",
	 "", "control byte", PHONE_INVALID},
	{"138\xff"
	 "12345678",
	 "", "invalid UTF-8", PHONE_INVALID},
	{"138\xe3\x80", "", "truncated UTF-8", PHONE_INVALID},
	{"13812345678/13987654321", "", "two numbers", PHONE_TOO_LONG},
	{"138+12345678", "", "plus inside", PHONE_INVALID},
};

static void test_phone_cases(void **state)
{
	struct buf out;
	int bad = 0;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum phone_result r;

		buf_reset(&out);
		r = phone_normalize(sv(cases[i].in), "86", &out);
		if (r != cases[i].res || strcmp(out.p, cases[i].want)) {
			print_error("%s: got %s '%s'\n", cases[i].why,
				    phone_result_str(r), out.p);
			bad++;
		}
	}
	buf_release(&out);
	assert_int_equal(bad, 0);
}

static const struct {
	const char *in, *cc, *want, *why;
	enum phone_result res;
} cc_cases[] = {
	{"13812345678", NULL, "+8613812345678", "NULL means 86", PHONE_OK},
	{"9123 4567", "852", "+85291234567", "Hong Kong at home", PHONE_OK},
	{"0912-345-678", "886", "+886912345678", "Taiwan trunk 0", PHONE_OK},
	{"8613812345678", "852", "", "86 is only special at home in CN",
	 PHONE_TOO_LONG},
	{"+86 13812345678", "852", "+8613812345678", "+ wins", PHONE_OK},
	{"12345678", "x1", "", "a bad default", PHONE_BAD_PREFIX},
	{"12345678", "9999", "", "a too long default", PHONE_BAD_PREFIX},
};

static void test_phone_default_cc(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(cc_cases) / sizeof(cc_cases[0]); i++) {
		enum phone_result r;

		buf_reset(&out);
		r = phone_normalize(sv(cc_cases[i].in), cc_cases[i].cc, &out);
		if (r != cc_cases[i].res || strcmp(out.p, cc_cases[i].want))
			fail_msg("%s: got %s '%s'", cc_cases[i].why,
				 phone_result_str(r), out.p);
	}
	buf_release(&out);
}

/* 10 KB inputs end fast and leave out alone. */
static void test_phone_long(void **state)
{
	static char s[10241];
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	buf_adds(&out, "keep");
	memset(s, '1', sizeof(s) - 1);
	assert_int_equal(phone_normalize(sv(s), "86", &out), PHONE_TOO_LONG);
	memset(s, 'x', sizeof(s) - 1);
	assert_int_equal(phone_normalize(sv(s), "86", &out), PHONE_INVALID);
	memset(s, ' ', sizeof(s) - 1);
	memcpy(s + 5000, "13812345678", 11);
	assert_string_equal(out.p, "keep");
	assert_int_equal(phone_normalize(sv(s), "86", &out), PHONE_OK);
	assert_string_equal(out.p, "keep+8613812345678");
	buf_release(&out);
}

/* A full out is refused and left as it was. */
static void test_phone_out_full(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 8);
	assert_int_equal(phone_normalize(sv("13812345678"), "86", &out),
			 PHONE_TOO_LONG);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void test_phone_shape(void **state)
{
	(void)state;
	assert_true(phone_is_e164(sv("+8613812345678")));
	assert_true(phone_is_e164(sv("+6831234")));
	assert_false(phone_is_e164(sv("8613812345678")));
	assert_false(phone_is_e164(sv("+0861381234567")));
	assert_false(phone_is_e164(sv("+86 13812345678")));
	assert_false(phone_is_e164(sv("+1234567890123456")));
	assert_false(phone_is_e164(sv("")));
	assert_true(phone_is_cn_mobile(sv("+8613812345678")));
	assert_false(phone_is_cn_mobile(sv("+861012345678")));
	assert_false(phone_is_cn_mobile(sv("+8612012345678")));
	assert_false(phone_is_cn_mobile(sv("+85291234567")));
	assert_false(phone_is_cn_mobile(sv("13812345678")));
	assert_false(phone_is_cn_mobile(sv("+86138123456x8")));
}

static void data_file(char *path, size_t size, const char *name)
{
	/* __FILE__ is tests/unit/test_phone.c from the top of the tree. */
	const char *env = getenv("MBR_DATADIR");
	const char *slash = strrchr(__FILE__, '/');
	int dirlen = slash ? (int)(slash - __FILE__) : 0;

	if (env && *env)
		snprintf(path, size, "%s/%s", env, name);
	else
		snprintf(path, size, "%.*s%s../../data/%s", dirlen, __FILE__,
			 slash ? "/" : "", name);
}

/* The compiled-in prefixes (used before the metadata is loaded) accept
 * exactly the mobiles the file's CN pattern accepts: every 5-digit start
 * 10000-19999 with two tails. */
static void test_phone_builtin_prefixes(void **state)
{
	static bool builtin[20000][2];
	const char *tails[] = {"000000", "987654"};
	char e164[20];
	unsigned n_ok = 0;

	(void)state;
	phone_close();
	for (unsigned p = 10000; p < 20000; p++)
		for (size_t t = 0; t < 2; t++) {
			snprintf(e164, sizeof(e164), "+86%u%s", p, tails[t]);
			builtin[p][t] = phone_is_cn_mobile(sv(e164));
		}
	assert_int_equal(phone_load_default(), 0);
	for (unsigned p = 10000; p < 20000; p++)
		for (size_t t = 0; t < 2; t++) {
			bool got;

			snprintf(e164, sizeof(e164), "+86%u%s", p, tails[t]);
			got = phone_is_cn_mobile(sv(e164));
			if (got != builtin[p][t])
				fail_msg("%s: metadata %d, built-in %d", e164,
					 got, builtin[p][t]);
			n_ok += got;
		}
	/* 5216 five-digit prefixes (1610x is new since 8.12.57). */
	assert_int_equal(n_ok, 2 * 5216);
}

/* Every pattern of every region compiles. */
static void test_phone_metadata_compiles(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	if (phone_compile_all(&err) < 0)
		fail_msg("%s", err.msg);
}

/* A bad metadata file names its line and changes nothing. */
static void test_phone_bad_metadata(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	char path[] = "/tmp/test_phone_XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	th_write_file(path, "# header\nR\tCN\t86\n", strlen("# header\nR\tCN\t86\n"));
	assert_int_equal(phone_load_metadata(path, &err), -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_non_null(strstr(err.msg, ":2: expected an R or T line"));
	th_write_file(path, "R\tCN\t86\t1\t0\t-\t-\t-\t11\t1\\d{10}\n"
			 "T\tHK\tmobile\t-\t1\\d{10}\n", strlen("R\tCN\t86\t1\t0\t-\t-\t-\t11\t1\\d{10}\n"
			 "T\tHK\tmobile\t-\t1\\d{10}\n"));
	assert_int_equal(phone_load_metadata(path, &err), -1);
	th_write_file(path, "R\tCN\t86\t1\t0\t-\t-\t-\t11\t1[\\d{10}\n", strlen("R\tCN\t86\t1\t0\t-\t-\t-\t11\t1[\\d{10}\n"));
	assert_int_equal(phone_load_metadata(path, &err), -1);
	assert_non_null(strstr(err.msg, "region CN: bad pattern"));
	th_write_file(path, "# nothing\n", strlen("# nothing\n"));
	assert_int_equal(phone_load_metadata(path, &err), -1);
	unlink(path);
	assert_int_equal(phone_load_metadata(path, &err), -1);
	assert_int_equal(err.status, MBR_EIO);
	/* The metadata in use is still there. */
	assert_int_equal(phone_load_default(), 0);
	assert_true(phone_is_cn_mobile(sv("+8613812345678")));
}

/* Types, as libphonenumber's getNumberType(). */
static const struct {
	const char *e164;
	enum phone_type want;
	const char *why;
} types[] = {
	{"+8613812345678", PHONE_TYPE_MOBILE, "mainland mobile"},
	{"+861012345678", PHONE_TYPE_FIXED, "Beijing landline"},
	{"+864008108888", PHONE_TYPE_OTHER, "400 shared cost"},
	{"+85291234567", PHONE_TYPE_MOBILE, "Hong Kong mobile"},
	{"+85221234567", PHONE_TYPE_FIXED, "Hong Kong landline"},
	{"+85366123456", PHONE_TYPE_MOBILE, "Macau mobile"},
	{"+886912345678", PHONE_TYPE_MOBILE, "Taiwan mobile"},
	{"+886221234567", PHONE_TYPE_FIXED, "Taipei landline"},
	{"+6581234567", PHONE_TYPE_MOBILE, "Singapore mobile"},
	{"+60123456789", PHONE_TYPE_MOBILE, "Malaysia mobile"},
	{"+819012345678", PHONE_TYPE_MOBILE, "Japan mobile"},
	{"+821023456789", PHONE_TYPE_MOBILE, "Korea mobile"},
	{"+12015550123", PHONE_TYPE_FIXED_OR_MOBILE, "US: cannot tell"},
	{"+447400123456", PHONE_TYPE_MOBILE, "UK mobile"},
	{"+442079460958", PHONE_TYPE_FIXED, "London landline"},
	{"+61412345678", PHONE_TYPE_MOBILE, "Australia mobile"},
	{"+8612012345678", PHONE_TYPE_UNKNOWN, "not valid"},
	{"8613812345678", PHONE_TYPE_UNKNOWN, "not E.164"},
};

static void test_phone_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		enum phone_type got = phone_type_of(sv(types[i].e164));

		if (got != types[i].want)
			fail_msg("%s: %s got %s", types[i].why, types[i].e164,
				 phone_type_str(got));
	}
}

/* One number through the fast path and through the patterns alone: the
 * same result and output, and the same type (phone_type_of of a number
 * just written answers from what phone_normalize found). */
static void fast_same(const char *in, const char *region, struct buf *a,
		      struct buf *b)
{
	enum phone_result ra, rb;
	enum phone_type ta = PHONE_TYPE_UNKNOWN, tb = PHONE_TYPE_UNKNOWN;

	buf_reset(a);
	buf_reset(b);
	assert_true(phone_fast(true));
	ra = phone_normalize(sv(in), region, a);
	if (ra == PHONE_OK)
		ta = phone_type_of(buf_view(a));
	phone_fast(false);
	rb = phone_normalize(sv(in), region, b);
	if (rb == PHONE_OK)
		tb = phone_type_of(buf_view(b));
	phone_fast(true);
	if (ra != rb || ta != tb || a->len != b->len ||
	    memcmp(a->p, b->p, a->len))
		fail_msg("%s (%s): fast %s '%s' %s, patterns %s '%s' %s", in,
			 region ? region : "NULL", phone_result_str(ra), a->p,
			 phone_type_str(ta), phone_result_str(rb), b->p,
			 phone_type_str(tb));
}

/* The mainland-mobile fast paths give what the patterns give: every
 * 5-digit start 10000-19999 (the mobile pattern looks at no more) with
 * two tails, grouped by spaces and dashes or not, written in each way
 * that reaches them and some that come near (+86, 0086, 86 in front,
 * trunk 0, the 17951 IP prefix, a digit too many, spaces around, ".0",
 * an extension, a full-width +), at home in CN, Hong Kong, NULL and
 * "cn"; and into a buffer that is full. */
static void test_phone_fast_normalize(void **state)
{
	static const char *const forms[][2] = {
		{"", ""},      {"+86", ""},   {"0086", ""}, {"86", ""},
		{"0", ""},     {"17951", ""}, {"+86 ", ""}, {"", "9"},
		{"+86-", ""},  {" ", ""},     {"", " "},    {"+860", ""},
		{"+8 6", ""},  {"+86 ", "-"}, {"", ".0"},   {"+85", ""},
		{"tel:", ""},  {"+", ""},     {"-", ""},    {"+86", "0"},
		{"＋86", ""}, {"", "#12"},   {"+86  ", ""}, {"+86(0)", ""},
	};
	static const char *const tails[] = {"000000", "987654"};
	static const char *const seps[][2] = {
		{"", ""}, {" ", " "}, {"-", "-"}, {"  ", "--"}};
	const char *regions[] = {"86", "HK", "CN", NULL, "cn"};
	const size_t n_forms = sizeof(forms) / sizeof(forms[0]);
	struct buf a, b, small_a, small_b;
	char in[48], d[16], g[24];

	(void)state;
	buf_init(&a, 64);
	buf_init(&b, 64);
	buf_init(&small_a, 13); /* one byte short of +86 and 11 digits */
	buf_init(&small_b, 13);
	for (unsigned p = 10000; p < 20000; p++)
		for (size_t t = 0; t < 2; t++) {
			snprintf(d, sizeof(d), "%u%s", p, tails[t]);
			for (size_t f = 0; f < n_forms; f++) {
				/* a different grouping and region each time */
				size_t k = (p + t + f) % 4;

				snprintf(g, sizeof(g), "%.3s%s%.4s%s%.4s", d,
					 seps[k][0], d + 3, seps[k][1], d + 7);
				snprintf(in, sizeof(in), "%s%s%s", forms[f][0],
					 g, forms[f][1]);
				fast_same(in, regions[(p + f) % 5], &a, &b);
			}
			fast_same(d, "86", &small_a, &small_b);
		}
	/* A digit short, alone and before a spreadsheet's ".0". */
	for (unsigned p = 10000; p < 20000; p++) {
		snprintf(in, sizeof(in), "%u%s", p, "98765");
		fast_same(in, "86", &a, &b);
		snprintf(in, sizeof(in), "%u%s.0", p, "98765");
		fast_same(in, "86", &a, &b);
		snprintf(in, sizeof(in), "+86%u%s.0", p, "98765");
		fast_same(in, "86", &a, &b);
	}
	/* Every length, starting 1. */
	for (unsigned len = 1; len <= 21; len++)
		for (unsigned p = 1000; p < 2000; p++) {
			snprintf(in, sizeof(in), "%u49876543210987654321", p);
			in[len] = '\0';
			fast_same(in, "86", &a, &b);
			fast_same(in, NULL, &a, &b);
		}
	buf_release(&a);
	buf_release(&b);
	buf_release(&small_a);
	buf_release(&small_b);
}

/* phone_type_of by the fast path and by the patterns: every 6-digit
 * start 100000-199999 of an 11-digit +86 number, three tails. */
static void test_phone_fast_types(void **state)
{
	char e164[24];
	unsigned seed = 1, n_mobile = 0;

	(void)state;
	for (unsigned p = 100000; p < 200000; p++) {
		seed = seed * 1103515245u + 12345u;
		for (unsigned t = 0; t < 3; t++) {
			enum phone_type fast, slow;
			unsigned tail = t == 0	 ? 0
					: t == 1 ? 99999
						 : (seed >> 8) % 100000;

			snprintf(e164, sizeof(e164), "+86%u%05u", p, tail);
			assert_true(phone_fast(true));
			fast = phone_type_of(sv(e164));
			phone_fast(false);
			slow = phone_type_of(sv(e164));
			phone_fast(true);
			if (fast != slow)
				fail_msg("%s: fast %s, patterns %s", e164,
					 phone_type_str(fast),
					 phone_type_str(slow));
			n_mobile += fast == PHONE_TYPE_MOBILE;
		}
	}
	assert_int_equal(n_mobile, 3 * 52160);
}

/* The fast path is off for any other metadata: here a CN whose mobiles
 * are 13 and 18 only. */
static void test_phone_fast_other_metadata(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	char path[] = "/tmp/test_phone_XXXXXX";
	const char *text = "R\tCN\t86\t1\t0\t-\t-\t-\t11\t1\\d{10}\n"
			   "T\tCN\tmobile\t-\t1[38]\\d{9}\n";
	int fd = mkstemp(path);
	struct buf out;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	buf_init(&out, 64);
	th_write_file(path, text, strlen(text));
	assert_int_equal(phone_load_metadata(path, &err), 0);
	unlink(path);
	assert_false(phone_fast(true));
	assert_int_equal(phone_normalize(sv("16212345678"), "86", &out),
			 PHONE_BAD_PREFIX);
	assert_int_equal(phone_type_of(sv("+8613812345678")),
			 PHONE_TYPE_MOBILE);
	assert_int_equal(phone_load_default(), 0);
	assert_true(phone_fast(true));
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_cases),
		cmocka_unit_test(test_phone_default_cc),
		cmocka_unit_test(test_phone_long),
		cmocka_unit_test(test_phone_out_full),
		cmocka_unit_test(test_phone_shape),
		cmocka_unit_test(test_phone_builtin_prefixes),
		cmocka_unit_test(test_phone_metadata_compiles),
		cmocka_unit_test(test_phone_bad_metadata),
		cmocka_unit_test(test_phone_types),
		cmocka_unit_test(test_phone_fast_normalize),
		cmocka_unit_test(test_phone_fast_types),
		cmocka_unit_test(test_phone_fast_other_metadata),
	};
	if (phone_load_default() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
