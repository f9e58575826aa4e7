/*
 * test_initmap: the starter-mapping guesser: encodings sniffed (Big5
 * against GB18030, UTF-16 without a BOM), column names to fields, value
 * shapes and the date() formats built from them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "encoding.h"
#include "initmap.h"

/* UTF-8 text in encoding enc. */
static char *encode(const char *enc, const char *utf8, size_t *len)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct encoding_encoder *e = encoding_encoder_open(enc, &err);
	struct buf out;

	assert_non_null(e);
	buf_init(&out, BUF_NOLIMIT);
	assert_int_equal(encoding_encode(e, sv(utf8), &out, &err), 0);
	encoding_encoder_close(e);
	*len = out.len;
	return buf_detach(&out);
}

static const char *sniff(const char *enc, const char *utf8, bool *bom)
{
	size_t len;
	char *b = encode(enc, utf8, &len);
	const char *r = encoding_sniff(b, len, bom);

	free(b);
	return r;
}

static void test_sniff(void **state)
{
	static const char trad[] =
		"會員卡號,姓名,電話,地址\n8800001,張偉,13812345678,臺北市"
		"中正區重慶南路一段122號\n8800002,陳淑芬,13912345678,"
		"高雄市前鎮區中華五路789號\n";
	static const char simp[] =
		"会员卡号,姓名,手机,地址\n8800001,张伟,13812345678,上海市"
		"浦东新区锦绣路143号阳光花园\n8800002,陈淑芬,13912345678,"
		"广州市天河区体育西路5号碧桂园\n";
	bool bom;

	(void)state;
	assert_string_equal(sniff("BIG5", trad, &bom), "BIG5");
	assert_false(bom);
	assert_string_equal(sniff("GB18030", simp, &bom), "GB18030");
	assert_string_equal(sniff("GB18030", trad, &bom), "GB18030");
	assert_string_equal(sniff("UTF-8", simp, &bom), "UTF-8");
	assert_string_equal(sniff("UTF-16LE", "id,name\n1,Wei\n2,Li\n", &bom),
			    "UTF-16LE");
	assert_false(bom);
	assert_string_equal(sniff("UTF-16BE", "id,name\n1,Wei\n2,Li\n", &bom),
			    "UTF-16BE");
	assert_string_equal(encoding_sniff("\xFF\xFEi\0d\0", 6, &bom),
			    "UTF-16LE");
	assert_true(bom);
	assert_string_equal(encoding_sniff("\xEF\xBB\xBFid", 5, &bom), "UTF-8");
	assert_true(bom);
	assert_string_equal(encoding_sniff("id,name\n", 8, &bom), "UTF-8");
	assert_false(bom);
}

static const char names_text[] =
	"# comment\n"
	"key\t会员卡号, 卡号, member_no, customer_id\n"
	"mobile\t手机, 手机号, 移动电话, mobile, cell\n"
	"birth_date\t生日, 出生日期, DOB, date_of_birth\n"
	"points\t积分\n"
	"tier\t等级, 级别, member_level\n"
	"name\t姓名\n";

static void test_names(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct initmap_names *n = initmap_names_parse(names_text, "t", &err);
	const char *syn;

	(void)state;
	assert_non_null(n);
	assert_int_equal(initmap_name_field(n, "手机号", &syn), CF_MOBILE);
	assert_string_equal(syn, "手机号");
	assert_int_equal(initmap_name_field(n, "Mobile", &syn), CF_MOBILE);
	assert_int_equal(initmap_name_field(n, "CELL", &syn), CF_MOBILE);
	assert_int_equal(initmap_name_field(n, "Date Of Birth", &syn),
			 CF_BIRTH_DATE);
	assert_int_equal(initmap_name_field(n, "dob", &syn), CF_BIRTH_DATE);
	assert_int_equal(initmap_name_field(n, "Member-No", &syn), INITMAP_KEY);
	/* held in a longer name: the longest synonym wins */
	assert_int_equal(initmap_name_field(n, "会员等级", &syn), CF_TIER);
	assert_int_equal(initmap_name_field(n, "客户姓名", &syn), CF_NAME);
	assert_int_equal(initmap_name_field(n, "手机号(主)", &syn), CF_MOBILE);
	assert_string_equal(syn, "手机号");
	/* one CJK character or a short word is not held */
	assert_int_equal(initmap_name_field(n, "积分规则说明", &syn),
			 CF_POINTS);
	assert_int_equal(initmap_name_field(n, "cellar", &syn), -1);
	assert_int_equal(initmap_name_field(n, "备注", &syn), -1);
	assert_null(syn);
	initmap_names_free(n);

	n = initmap_names_parse("mobile 手机\n", "t", &err);
	assert_null(n);
	assert_string_equal(err.msg, "t:1: expected FIELD<tab>name, name, ...");
	n = initmap_names_parse("\nmobil\t手机\n", "t", &err);
	assert_null(n);
	assert_string_equal(err.msg,
			    "t:2: 'mobil' is not a canonical field (or key)");
	n = initmap_names_parse("source_id\tx\n", "t", &err);
	assert_null(n);
}

static void shape(const char *v, enum initmap_shape want, const char *fmt,
		  int zone)
{
	char got[64] = "";
	int z;

	assert_int_equal(initmap_shape(v, got, sizeof(got), &z), want);
	if (fmt) {
		assert_string_equal(got, fmt);
		assert_int_equal(z, zone);
	}
}

static void test_shapes(void **state)
{
	(void)state;
	shape("13812345678", IM_MOBILE, NULL, 0);
	shape("+86 138 1234 5678", IM_MOBILE, NULL, 0);
	shape("0086-13812345678", IM_MOBILE, NULL, 0);
	shape("12812345678", IM_INT, NULL, 0); /* no 12x mobiles */
	shape("11010519491231002X", IM_ID_NUMBER, NULL, 0);
	shape("110105491231002", IM_ID_NUMBER, NULL, 0);
	shape("zhang.wei@example.com", IM_EMAIL, NULL, 0);
	shape("a@b", IM_OTHER, NULL, 0);
	shape("1,419", IM_INT, NULL, 0);
	shape("8800010028", IM_INT, NULL, 0);
	shape("张伟", IM_OTHER, NULL, 0);
	shape("", IM_OTHER, NULL, 0);
	shape("1977/1/20", IM_DATE, "%Y/%m/%d", 0);
	shape("19850830", IM_DATE, "%Y%m%d", 0);
	shape("20001399", IM_INT, NULL, 0); /* month 13: a number */
	shape("1982年4月30日", IM_DATE, "%Y年%m月%d日", 0);
	shape("1958.12.24", IM_DATE, "%Y.%m.%d", 0);
	shape("25-Jan-1983", IM_DATE, "%d-%b-%Y", 0);
	shape("Mar 7, 1985", IM_DATE, "%b %d, %Y", 0);
	shape("07/03/1985", IM_DATE, "%d/%m/%Y", 0);
	shape("2012/3/9 20:33", IM_DATE, "%Y/%m/%d %H:%M", 0);
	shape("2015-04-23 13:36:50", IM_DATE, "%Y-%m-%d %H:%M:%S", 0);
	shape("0000-00-00", IM_OTHER, NULL, 0); /* date() flags it */
	shape("2015-03-07T12:15:59+08:00", IM_DATE, "%Y-%m-%dT%H:%M:%S+08:00",
	      1);
	shape("2015-03-07T12:15:59Z", IM_DATE, "%Y-%m-%dT%H:%M:%SZ", 1);
	shape("1985/3", IM_OTHER, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
