/*
 * test_normalize: normalize_record on one record at a time, every field
 * and the rules between fields; --fields; merging _issues. Reads data/
 * (run from the top of the tree, as make does); today is 2024-06-15.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "mappers/division.h"
#include "mappers/name.h"
#include "mappers/text.h"
#include "normalize.h"

/* The columns of every case: canonical ones in a shuffled order, and one
 * the toolkit does not know. */
static const char *const columns[] = {
	"source",
	"source_id",
	"source_row",
	"name",
	"family_name",
	"given_name",
	"gender",
	"birth_date",
	"mobile",
	"email",
	"id_type",
	"id_number",
	"member_note",
	"country",
	"province",
	"city",
	"district",
	"address",
	"postal_code",
	"tier",
	"points",
	"registered_at",
	"consent_marketing",
	"status",
};
#define N_COLS (sizeof(columns) / sizeof(columns[0]))

/* in and want: "column=value" separated by '|'; a column want does not
 * name must come out as it went in. */
static const struct {
	const char *in, *want, *issues, *why;
} cases[] = {
	{"name=張 偉", "name=张伟|family_name=张|given_name=伟", "",
	 "Traditional name, split"},
	{"name=欧阳 娜娜", "name=欧阳娜娜|family_name=欧阳|given_name=娜娜", "",
	 "compound surname"},
	{"family_name=王|given_name=小明", "name=王小明", "",
	 "name composed from its parts"},
	{"family_name=Zhang|given_name=Wei", "name=Wei Zhang", "",
	 "Latin name composed Given Family"},
	{"name=Mr. ZHANG Wei",
	 "name=ZHANG Wei|family_name=ZHANG|given_name=Wei", "",
	 "honorific, capitals mark the family name"},
	{"name=王先生", "name=王|family_name=王", "", "王先生"},
	{"name=王小明|family_name=王", "name=王小明|given_name=小明", "",
	 "given name from a name that agrees with the family name"},
	{"name=王小明|family_name=李", "", "",
	 "family name disagrees: nothing filled"},
	{"name=   ", "name=", "", "blank name made empty"},
	{"name=\xff\xfe", "", "name:invalid UTF-8", "invalid UTF-8 kept"},
	{"name=张三2", "", "name:contains digits", "digits kept, flagged"},
	{"id_number=110105198503071134",
	 "id_type=CN_RIC|birth_date=1985-03-07|gender=M", "",
	 "birth date and gender from the ID"},
	{"id_number=１１０１０５１９４９１２３１００２ｘ",
	 "id_number=11010519491231002X|id_type=CN_RIC|birth_date=1949-12-31|"
	 "gender=F",
	 "", "full-width ID, lower-case x"},
	{"id_number=110105198503071134|birth_date=1985/3/7|gender=男",
	 "id_type=CN_RIC|birth_date=1985-03-07|gender=M", "",
	 "agreeing birth date and gender"},
	{"id_number=110105198503071134|birth_date=1986-03-07",
	 "id_type=CN_RIC|gender=M", "birth_date:differs from id_number",
	 "birth date disagrees"},
	{"id_number=110105198503071134|birth_date=1986-03-07|gender=F",
	 "id_type=CN_RIC",
	 "birth_date:differs from id_number;gender:differs from id_number",
	 "both disagree"},
	{"id_number=110105198503071135", "", "id_number:bad checksum",
	 "bad check character"},
	{"id_number=E12345678", "", "", "a passport number: left alone"},
	{"id_number=111111199901101514", "", "id_number:area unknown",
	 "issue 15: an area no table knows is flagged, nothing derived"},
	{"id_number=34595519870612224X", "", "id_number:area unknown",
	 "issue 15: another unknown area (Anhui 3459)"},
	{"id_number=830000199201300022",
	 "id_type=CN_RIC|birth_date=1992-01-30|gender=F", "",
	 "issue 15: Taiwan residents' residence permit"},
	{"id_type=身份证|id_number=110105198503071134",
	 "id_type=CN_RIC|birth_date=1985-03-07|gender=M", "",
	 "issue 15: id_type in Chinese is read, made CN_RIC"},
	{"id_type=1|id_number=110105198503071135", "", "id_number:bad checksum",
	 "issue 15: code-list 1 is checked"},
	{"id_type=ID|id_number=110105198503071135", "",
	 "id_number:bad checksum", "issue 15: ID is checked"},
	{"id_type=CN_RIC|id_number=T60426199101010078", "",
	 "id_number:not a mainland ID",
	 "a letter where the type says resident ID"},
	{"id_type=XYZ|id_number=110105198503071134", "",
	 "id_type:unknown type for an ID-shaped number",
	 "issue 15: an ID-shaped value under an unknown type"},
	{"id_type=PASSPORT|id_number=12345", "", "",
	 "another document type: not read as a CN ID"},
	{"gender=xyz", "", "gender:invalid", "unknown gender word"},
	{"birth_date=1985-02-30", "", "birth_date:no such date",
	 "impossible date"},
	{"birth_date=03/07/1985", "", "birth_date:ambiguous day and month",
	 "ambiguous without --date-order"},
	{"birth_date=1990-03-04T16:00:00.000Z", "birth_date=1990-03-05",
	 "birth_date:time zone moved to UTC+8",
	 "issue 15: a UTC instant is taken in China time, and said so"},
	{"name=Sima Qian", "family_name=Sima|given_name=Qian", "",
	 "issue 15: compound surname first in Latin"},
	{"name=Lee Ka-shing", "family_name=Lee|given_name=Ka-shing", "",
	 "issue 15: Cantonese order"},
	{"name=扎西顿珠", "", "", "issue 15: Tibetan: no family name"},
	{"province=Guangdong|city=Shenzhen", "province=广东省|city=深圳市", "",
	 "issue 15: pinyin divisions"},
	{"province=Ontario", "", "province:not a division",
	 "issue 15: a Latin non-division is flagged"},
	{"address=苏州工业园区星湖街", "province=江苏省|city=苏州市", "",
	 "issue 15: functional area"},
	{"birth_date=2030-01-01", "", "birth_date:in the future",
	 "future birth date"},
	{"mobile=138 1234 5678", "mobile=+8613812345678", "", "mobile"},
	{"mobile=1381234567", "", "mobile:too short", "short mobile"},
	{"mobile=021-64382416", "", "mobile:landline, not a mobile",
	 "a Shanghai landline in the mobile column stays and is flagged"},
	{"country=HK|mobile=9123 4567", "country=HK|mobile=+85291234567", "",
	 "Hong Kong number by the record's country"},
	{"email= ZS@QQ.COM ", "email=zs@qq.com", "", "email"},
	{"email=zs@qq", "", "email:no dot in domain", "email without dot"},
	{"email=ZS@QQ.CON", "email=zs@qq.con",
	 "email:domain qq.con, did you mean qq.com",
	 "issue 15: a typo domain is flagged with the likely one, not "
	 "rewritten"},
	{"email=test1@invalid.co\xc2\xa0m", "", "email:invalid",
	 "issue 15: a no-break space in the domain"},
	{"mobile=123|email=x", "", "mobile:too short;email:no @",
	 "two issues in field order"},
	{"address=广东深圳南山区 科技园 ８８号",
	 "address=广东深圳南山区科技园 "
	 "88号|province=广东省|city=深圳市|district=南山区",
	 "", "divisions from the address"},
	{"address=北京市朝阳区建国路|province=北京",
	 "province=北京市|city=北京市|district=朝阳区", "", "municipality"},
	{"country=中国|province=广栋省", "country=CN",
	 "province:not a division", "province typo"},
	{"country=US|province=California|address=1 Main St", "country=US", "",
	 "divisions only for China"},
	{"postal_code=１００ ０２０", "postal_code=100020", "", "postal code"},
	{"postal_code=10002", "", "postal_code:expected 6 digits",
	 "short postal code"},
	{"country=GB|postal_code=sw1a 1aa", "country=GB|postal_code=SW1A 1AA",
	 "", "postal code abroad"},
	{"tier=３|points=1,200|consent_marketing=是|status=正常",
	 "tier=3|points=1200|consent_marketing=Y|status=active", "",
	 "value fields"},
	{"tier=-1|points=abc", "", "tier:out of range;points:invalid",
	 "bad values"},
	{"registered_at=2019/3/7 15:04", "registered_at=2019-03-07T15:04:00",
	 "", "timestamp"},
	{"source= pos |source_id= 00123 |member_note=  keep me  ", "", "",
	 "source columns and unknown columns untouched"},
};

static void parse_pairs(const char *s, struct record *rec)
{
	char *copy = strdup(s), *save = NULL;

	for (char *p = strtok_r(copy, "|", &save); p;
	     p = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(p, '=');
		size_t col = N_COLS;

		*eq = '\0';
		for (size_t i = 0; i < N_COLS; i++)
			if (!strcmp(columns[i], p))
				col = i;
		if (col == N_COLS)
			fail_msg("test table: no column '%s'", p);
		record_set(rec, col, eq + 1, strlen(eq + 1));
	}
	free(copy);
}

static void make_header(struct header *h)
{
	struct record names;

	record_init(&names);
	for (size_t i = 0; i < N_COLS; i++)
		record_add(&names, columns[i], strlen(columns[i]));
	header_init(h);
	header_set(h, &names);
	record_release(&names);
}

static void blank(struct record *rec)
{
	record_reset(rec);
	for (size_t i = 0; i < N_COLS; i++)
		record_add(rec, "", 0);
}

static void run_cases(struct normalize *n)
{
	struct header h;
	struct record rec, want;
	struct buf issues;

	make_header(&h);
	record_init(&rec);
	record_init(&want);
	buf_init(&issues, 4096);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got;

		blank(&rec);
		parse_pairs(cases[i].in, &rec);
		record_copy(&want, &rec);
		parse_pairs(cases[i].want, &want);
		buf_reset(&issues);
		got = normalize_record(n, &h, &rec, &issues);
		if (strcmp(issues.p, cases[i].issues) ||
		    got != (cases[i].issues[0] != '\0') +
				    (strchr(cases[i].issues, ';') != NULL))
			fail_msg("%s: issues '%s' (%d)", cases[i].why, issues.p,
				 got);
		for (size_t c = 0; c < N_COLS; c++)
			if (!sv_eq(record_field(&rec, c),
				   record_field(&want, c)))
				fail_msg("%s: %s is '%s', want '%s'",
					 cases[i].why, columns[c],
					 record_field(&rec, c).p,
					 record_field(&want, c).p);
	}
	buf_release(&issues);
	record_release(&rec);
	record_release(&want);
	header_release(&h);
}

static void test_cases(void **state)
{
	struct normalize_opts o = NORMALIZE_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct normalize *n = normalize_new(&o, &err);

	(void)state;
	if (!n)
		fail_msg("%s", err.msg);
	run_cases(n);
	normalize_free(n);
}

/* One record through n; returns the field col (valid until the next
 * call). */
static const char *one(struct normalize *n, const char *in, const char *col,
		       struct buf *issues)
{
	static struct buf result;
	struct record rec;
	struct header h;

	make_header(&h);
	record_init(&rec);
	blank(&rec);
	parse_pairs(in, &rec);
	buf_reset(issues);
	assert_true(normalize_record(n, &h, &rec, issues) >= 0);
	if (result.max == 0)
		buf_init(&result, 4096);
	buf_reset(&result);
	for (size_t c = 0; c < N_COLS; c++)
		if (!strcmp(columns[c], col))
			buf_addsv(&result, record_field(&rec, c));
	record_release(&rec);
	header_release(&h);
	return result.p;
}

static void test_options(void **state)
{
	struct normalize_opts o = NORMALIZE_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct normalize *n;
	struct buf issues;

	(void)state;
	buf_init(&issues, 1024);
	o.derive = false;
	o.date_order = DATE_ORDER_DMY;
	n = normalize_new(&o, &err);
	assert_non_null(n);
	assert_string_equal(
		one(n, "id_number=110105198503071134", "birth_date", &issues),
		"");
	assert_string_equal(
		one(n, "birth_date=03/07/1985", "birth_date", &issues),
		"1985-07-03");
	/* Without derive, a disagreeing value is still flagged. */
	one(n, "id_number=110105198503071134|gender=F", "gender", &issues);
	assert_string_equal(issues.p, "gender:differs from id_number");
	normalize_free(n);

	o = (struct normalize_opts)NORMALIZE_OPTS_INIT;
	assert_int_equal(
		normalize_parse_fields(" name , birth_date ", &o.fields, &err),
		0);
	n = normalize_new(&o, &err);
	assert_non_null(n);
	assert_string_equal(one(n, "name=張偉|mobile=123", "mobile", &issues),
			    "123");
	assert_string_equal(issues.p, "");
	/* family_name is not selected: not filled. */
	assert_string_equal(one(n, "name=張偉", "family_name", &issues), "");
	assert_string_equal(one(n, "name=張偉", "name", &issues), "张伟");
	normalize_free(n);

	o.country = "HK";
	o.fields = NORMALIZE_ALL;
	n = normalize_new(&o, &err);
	assert_non_null(n);
	assert_string_equal(one(n, "mobile=9123 4567", "mobile", &issues),
			    "+85291234567");
	assert_string_equal(
		one(n, "postal_code=999077", "postal_code", &issues), "999077");
	normalize_free(n);
	o.country = "China";
	assert_null(normalize_new(&o, &err));
	assert_int_equal(err.status, MBR_ECONFIG);
	buf_release(&issues);
}

static void test_fields_none(void **state)
{
	struct normalize_opts o = NORMALIZE_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct normalize *n;
	struct buf issues;

	(void)state;
	buf_init(&issues, 64);
	assert_int_equal(normalize_parse_fields("none", &o.fields, &err), 0);
	assert_int_equal(o.fields, 0);
	n = normalize_new(&o, &err);
	assert_string_equal(one(n, "name=張 偉|mobile=123", "name", &issues),
			    "張 偉");
	assert_string_equal(issues.p, "");
	normalize_free(n);
	assert_int_equal(normalize_parse_fields("all", &o.fields, &err), 0);
	assert_int_equal(o.fields, NORMALIZE_ALL);
	assert_int_equal(normalize_parse_fields("name,nmae", &o.fields, &err),
			 -1);
	assert_non_null(strstr(err.msg, "'nmae'"));
	assert_int_equal(normalize_parse_fields("", &o.fields, &err), -1);
	buf_release(&issues);
}

static void test_merge_issues(void **state)
{
	static const char *const c[][3] = {
		{"", "a:b;c:d", "a:b;c:d"},
		{"a:b", "a:b;c:d", "a:b;c:d"},
		{"x:y", "", "x:y"},
		{"tier:not in map", "tier:invalid",
		 "tier:not in map;tier:invalid"},
		{"a:bc", "a:b", "a:bc;a:b"},
		{"", "", ""},
	};
	struct buf out;

	(void)state;
	buf_init(&out, 256);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		buf_reset(&out);
		assert_int_equal(
			normalize_merge_issues(sv(c[i][0]), sv(c[i][1]), &out),
			0);
		assert_string_equal(out.p, c[i][2]);
	}
	buf_release(&out);
}

/* The memo must not change a thing: each value in each field it serves,
 * through a normaliser with the memo (twice, so the second time answers
 * from it, after the same bytes went through other fields) and one
 * without; every field and the issues must agree. */
static const char *const memo_values[] = {
	"张伟", "張 偉", " 王先生 ", "Mr. ZHANG Wei", "Zhang, Wei", "欧阳娜娜",
	"阿依古丽·买买提", "王", "张三2", "???", "男", "M", "f", "1", "0", "是",
	"Y", "n", "active", "正常", "冻结", "100010", "１００８６１", "1000",
	"SW1A 1AA", "sw1a1aa", "\xff\xfe", "   ", "Y\xe2\x80\x8b", "3", "-1",
	"1,036", "abc", "007", "+5", "扎西顿珠", "Tashi Dhondup", "Wei Zhang",
	"Abcdefghij Klmnopqrstu", "Abcdefghij Klmnopqrstuv",
	"Abcdefghij Klmnopqrstuvw", "Abcdefghij Klmnopqrstuvwxyz",
	"欧阳娜娜娜娜娜娜",
	"0123456789012345678901234567890123456789012345678901234567890123456"
	"78901234567890123456789012345678901234567890123",
	"0123456789012345678901234567890123456789012345678901234567890123456"
	"7890123456789012345678901234567890123456789012345",
};

static const char *const memo_fields[] = {
	"name",	       "family_name", "given_name",	   "gender",
	"postal_code", "tier",	      "consent_marketing", "status",
};

/* One record with col = value (and country), through n: its fields and
 * issues, joined, in out. */
static void memo_one(struct normalize *n, const struct header *h,
		     const char *col, const char *value, const char *country,
		     struct buf *out)
{
	struct record rec;
	struct buf issues;
	int got;

	record_init(&rec);
	buf_init(&issues, 4096);
	blank(&rec);
	for (size_t c = 0; c < N_COLS; c++) {
		if (!strcmp(columns[c], col))
			record_set(&rec, c, value, strlen(value));
		if (!strcmp(columns[c], "country"))
			record_set(&rec, c, country, strlen(country));
	}
	got = normalize_record(n, h, &rec, &issues);
	buf_reset(out);
	buf_addf(out, "%d|%s", got, issues.p);
	for (size_t c = 0; c < rec.n; c++)
		buf_addf(out, "|%s", record_field(&rec, c).p);
	record_release(&rec);
	buf_release(&issues);
}

static void test_memo_agrees(void **state)
{
	struct normalize_opts o = NORMALIZE_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct normalize *with, *without;
	struct buf a, b;
	struct header h;

	(void)state;
	with = normalize_new(&o, &err);
	o.memo = false;
	without = normalize_new(&o, &err);
	assert_non_null(with);
	assert_non_null(without);
	make_header(&h);
	buf_init(&a, 4096);
	buf_init(&b, 4096);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(memo_values) / sizeof(char *);
		     i++)
			for (size_t f = 0; f < sizeof(memo_fields) /
						       sizeof(char *) * 2;
			     f++) {
				const char *col = memo_fields[f / 2];
				const char *cc = f % 2 ? "US" : "CN";

				memo_one(with, &h, col, memo_values[i], cc,
					 &a);
				memo_one(without, &h, col, memo_values[i], cc,
					 &b);
				if (strcmp(a.p, b.p))
					fail_msg("%s='%s' (%s, pass %d): with "
						 "the memo '%s', without '%s'",
						 col, memo_values[i], cc, pass,
						 a.p, b.p);
			}
	buf_release(&a);
	buf_release(&b);
	header_release(&h);
	normalize_free(with);
	normalize_free(without);
}

static int teardown(void **state)
{
	(void)state;
	name_close();
	division_close();
	text_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_fields_none),
		cmocka_unit_test(test_merge_issues),
		cmocka_unit_test(test_memo_agrees),
	};

	setenv("MBR_TODAY", "2024-06-15", 1);
	setenv("MBR_DATADIR", "data", 0);
	return cmocka_run_group_tests(tests, NULL, teardown);
}
