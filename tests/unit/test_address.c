/*
 * test_address: address lines, division fields filled and made canonical,
 * postal codes, countries. Reads data/divisions.csv (run from the top of
 * the tree, as make does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mappers/address.h"
#include "mappers/division.h"
#include "mappers/text.h"

static const struct {
	const char *address, *province, *city, *district; /* in */
	const char *want_p, *want_c, *want_d;		  /* "" = leave as is */
	enum address_result res_p, res_c, res_d;
	const char *why;
} cases[] = {
#define OK3 ADDRESS_OK, ADDRESS_OK, ADDRESS_OK
	{"广东省深圳市南山区科技园", "", "", "", "广东省", "深圳市", "南山区",
	 OK3, "full names"},
	{"广东深圳南山区科技园", "", "", "", "广东省", "深圳市", "南山区", OK3,
	 "short province and city"},
	{"深圳市南山区科技园", "", "", "", "广东省", "深圳市", "南山区", OK3,
	 "city gives the province"},
	{"深圳南山区", "", "", "", "广东省", "深圳市", "南山区", OK3,
	 "short city before a district"},
	{"北京市朝阳区建国路88号", "", "", "", "北京市", "北京市", "朝阳区",
	 OK3, "municipality: city is the municipality"},
	{"北京朝阳区建国路", "", "", "", "北京市", "北京市", "朝阳区", OK3,
	 "municipality, short"},
	{"上海市浦东新区世纪大道100号", "", "", "", "上海市", "上海市",
	 "浦东新区", OK3, "Shanghai"},
	{"北京市北京市东城区", "", "", "", "北京市", "北京市", "东城区", OK3,
	 "municipality written twice"},
	{"北京北京朝阳区", "", "", "", "北京市", "北京市", "朝阳区", OK3,
	 "municipality written twice, short"},
	{"北京市市辖区西城区", "", "", "", "北京市", "北京市", "西城区", OK3,
	 "市辖区 written out"},
	{"中国广西南宁市青秀区", "", "", "", "广西壮族自治区", "南宁市",
	 "青秀区", OK3, "country prefix, autonomous region short"},
	{"湖北省仙桃市沙嘴街道", "", "", "", "湖北省", "仙桃市", "", OK3,
	 "county-level city under the province"},
	{"襄樊市樊城区", "", "", "", "湖北省", "襄阳市", "樊城区", OK3,
	 "old city name gives today's"},
	{"北京市朝阳门外大街", "", "", "", "北京市", "北京市", "", OK3,
	 "short district name is a street"},
	{"北京路100号", "", "", "", "", "", "", OK3, "street named after"},
	{"南京东路100号", "", "", "", "", "", "", OK3, "city name street"},
	{"中山大学", "", "", "", "", "", "", OK3, "university"},
	{"朝阳区建国路", "", "", "", "", "", "", OK3,
	 "district alone is ambiguous"},
	{"香港九龙尖沙咀", "", "", "", "香港特别行政区", "", "", OK3,
	 "Hong Kong"},
	{"", "广东", "深圳", "", "广东省", "深圳市", "", OK3,
	 "short field values made full"},
	{"南山区科技园", "广东省", "深圳市", "", "广东省", "深圳市", "南山区",
	 OK3, "address starts below the known city"},
	{"科技园", "广东省", "深圳市", "", "广东省", "深圳市", "", OK3,
	 "address without divisions"},
	{"深圳南山区", "广东省", "", "", "广东省", "深圳市", "南山区", OK3,
	 "address starts below the known province"},
	{"朝阳区建国路", "北京", "", "", "北京市", "北京市", "朝阳区", OK3,
	 "district of a known municipality"},
	{"南山区科技园", "", "北京市", "", "北京市", "北京市", "", OK3,
	 "district not in the known city"},
	{"北京市朝阳区", "广东省", "", "", "广东省", "", "", OK3,
	 "address disagrees: nothing filled"},
	{"广东省深圳市南山区", "广东省", "", "", "广东省", "深圳市", "南山区",
	 OK3, "agreeing province"},
	{"", "广东省", "深证市", "", "广东省", "", "", ADDRESS_OK,
	 ADDRESS_UNKNOWN, ADDRESS_OK, "city typo"},
	/* issue 15, item 9: pinyin and English division fields */
	{"", "Guangdong", "Shenzhen", "", "广东省", "深圳市", "", OK3,
	 "pinyin resolved by the division names' pinyin"},
	{"", "Guangdong Province", "Shenzhen City", "Nanshan District",
	 "广东省", "深圳市", "南山区", OK3, "English suffixes"},
	{"", "GUANGDONG SHENG", "shen zhen shi", "", "广东省", "深圳市", "",
	 OK3, "pinyin suffixes, any case and spacing"},
	{"", "Shaanxi", "Xi'an", "", "陕西省", "西安市", "", OK3,
	 "Shaanxi is 陕西, the apostrophe of Xi'an"},
	{"", "Shanxi", "", "", "山西省", "", "", OK3, "Shanxi is 山西"},
	{"", "Inner Mongolia", "", "", "内蒙古自治区", "", "", OK3,
	 "English exonym"},
	{"", "Tibet", "Lhasa", "", "西藏自治区", "拉萨市", "", OK3,
	 "Tibet; Lhasa's pinyin is lasa, the exonym is kept too"},
	{"", "Chongqing", "", "", "重庆市", "重庆市", "", OK3,
	 "heteronym 重: chong"},
	{"", "", "Chengdu", "", "四川省", "成都市", "", OK3,
	 "heteronym 都: du"},
	{"", "Zhejiang", "Taizhou", "", "浙江省", "台州市", "", OK3,
	 "Taizhou in Zhejiang is 台州"},
	{"", "", "Taizhou", "", "", "", "", ADDRESS_OK, ADDRESS_UNKNOWN,
	 ADDRESS_OK, "Taizhou alone: 泰州 or 台州, flagged"},
	{"", "Guangdong", "Springfield", "", "广东省", "", "", ADDRESS_OK,
	 ADDRESS_UNKNOWN, ADDRESS_OK, "a Latin non-division is flagged"},
	{"", "Ontario", "", "", "", "", "", ADDRESS_UNKNOWN, ADDRESS_OK,
	 ADDRESS_OK, "a Latin non-province is flagged"},
	/* item 6: the longest consistent chain */
	{"海南藏族自治州兴海县子科滩镇", "", "", "", "青海省", "海南藏族自治州",
	 "兴海县", OK3, "海南 the province loses to 海南藏族自治州"},
	{"吉林市丰满区", "", "", "", "吉林省", "吉林市", "丰满区", OK3,
	 "吉林 the province loses to 吉林市"},
	{"海南省海口市龙华区", "", "", "", "海南省", "海口市", "龙华区", OK3,
	 "海南省 itself still wins"},
	/* item 7: 市中区 and other districts starting with 市 */
	{"山东济南市中区经七路", "", "", "", "山东省", "济南市", "市中区", OK3,
	 "济南 + 市中区, not 济南市 + 中区"},
	{"枣庄市中区", "", "", "", "山东省", "枣庄市", "市中区", OK3,
	 "枣庄市中区, city first"},
	{"四川内江市中区", "", "", "", "四川省", "内江市", "市中区", OK3,
	 "内江市中区"},
	{"乐山市中区", "", "", "", "四川省", "乐山市", "市中区", OK3,
	 "乐山市中区"},
	{"青岛市南区香港中路", "", "", "", "山东省", "青岛市", "市南区", OK3,
	 "青岛市南区"},
	{"济南市市中区", "", "", "", "山东省", "济南市", "市中区", OK3,
	 "written in full"},
	/* item 8: functional areas */
	{"苏州工业园区星湖街", "", "", "", "江苏省", "苏州市", "", OK3,
	 "苏州工业园区: no GB/T 2260 district, city filled"},
	{"江苏省苏州市工业园区星湖街", "", "", "", "江苏省", "苏州市", "", OK3,
	 "工业园区 after the city"},
	{"苏州高新区", "", "", "", "江苏省", "苏州市", "", OK3,
	 "高新区 after a short city name"},
	{"成都高新区天府大道", "", "", "", "四川省", "成都市", "", OK3,
	 "高新区"},
	{"武汉东湖高新区光谷", "", "", "", "湖北省", "武汉市", "", OK3,
	 "a named zone of a city"},
	{"天津经开区第三大街", "", "", "", "天津市", "天津市", "", OK3,
	 "经开区 of a municipality"},
	{"广州开发区科学城", "", "", "", "广东省", "广州市", "", OK3, "开发区"},
	{"郑州郑东新区", "", "", "", "河南省", "郑州市", "", OK3, "新区"},
	{"雄安新区容城县", "", "", "", "河北省", "保定市", "容城县", OK3,
	 "雄安新区: a zone over counties of 保定"},
	{"", "广栋省", "", "", "", "", "", ADDRESS_UNKNOWN, ADDRESS_OK,
	 ADDRESS_OK, "province typo"},
	{"", "", "北京", "", "北京市", "北京市", "", OK3,
	 "municipality as city gives the province"},
	{"", "", "深圳市", "南山区", "广东省", "深圳市", "南山区", OK3,
	 "district in its city"},
	{"", "", "深圳市", "朝阳区", "广东省", "深圳市", "", ADDRESS_OK,
	 ADDRESS_OK, ADDRESS_UNKNOWN, "district of another city"},
	{"", "", "", "南山区", "", "", "", OK3,
	 "district alone cannot be checked"},
	{"", "北京市", "", "朝阳区", "北京市", "北京市", "朝阳区", OK3,
	 "municipality: empty city is the municipality"},
	{"", "湖北省", "仙桃市", "", "湖北省", "仙桃市", "", OK3,
	 "county-level city as city"},
	{"", "", "", "", "", "", "", OK3, "all empty"},
	{"\xff\xfe", "", "", "", "", "", "", OK3, "invalid UTF-8 address"},
};

static void test_resolve(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct address_divisions d;

		d.province = sv(cases[i].province);
		d.city = sv(cases[i].city);
		d.district = sv(cases[i].district);
		address_resolve(sv(cases[i].address), &d);
		if (!sv_eqs(d.new_province, cases[i].want_p) ||
		    !sv_eqs(d.new_city, cases[i].want_c) ||
		    !sv_eqs(d.new_district, cases[i].want_d) ||
		    d.province_res != cases[i].res_p ||
		    d.city_res != cases[i].res_c ||
		    d.district_res != cases[i].res_d)
			fail_msg("%s: got '%.*s' '%.*s' '%.*s' %d %d %d",
				 cases[i].why, (int)d.new_province.len,
				 d.new_province.p, (int)d.new_city.len,
				 d.new_city.p, (int)d.new_district.len,
				 d.new_district.p, d.province_res, d.city_res,
				 d.district_res);
	}
}

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *want;
		enum address_result res;
	} c[] = {
		{"  广东省　深圳市 南山区  ", "广东省深圳市南山区", ADDRESS_OK},
		{"科技园 ８８号", "科技园 88号", ADDRESS_OK},
		{"Flat 3,  10 Downing St", "Flat 3, 10 Downing St", ADDRESS_OK},
		{"", "", ADDRESS_EMPTY},
		{"\xe2\x80\x8b", "", ADDRESS_EMPTY},
		{"深圳\xff", "", ADDRESS_INVALID_UTF8},
	};
	struct buf out, big;

	(void)state;
	buf_init(&out, 4096);
	buf_init(&big, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		enum address_result r;

		buf_reset(&out);
		r = address_normalize(sv(c[i].in), &out);
		if (r != c[i].res || strcmp(out.p, c[i].want))
			fail_msg("'%s': got %s '%s'", c[i].in,
				 address_result_str(r), out.p);
	}
	for (int i = 0; i < 1000; i++)
		buf_adds(&big, "深圳市南山区");
	buf_reset(&out);
	assert_int_equal(address_normalize(buf_view(&big), &out),
			 ADDRESS_TOO_LONG);
	assert_int_equal(out.len, 0);
	buf_release(&out);
	buf_release(&big);
}

static void test_postal(void **state)
{
	static const struct {
		const char *in;
		bool cn;
		const char *want;
		enum address_result res;
	} c[] = {
		{"100020", true, "100020", ADDRESS_OK},
		{"１００ ０２０", true, "100020", ADDRESS_OK},
		{"100-020", true, "100020", ADDRESS_OK},
		{" 518057 ", true, "518057", ADDRESS_OK},
		{"10002", true, "", ADDRESS_BAD_POSTAL},
		{"1000200", true, "", ADDRESS_BAD_POSTAL},
		{"ABCDEF", true, "", ADDRESS_BAD_POSTAL},
		{"sw1a  1aa", false, "SW1A 1AA", ADDRESS_OK},
		{"10002", false, "10002", ADDRESS_OK},
		{"", true, "", ADDRESS_EMPTY},
		{"\xff", true, "", ADDRESS_INVALID_UTF8},
	};
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		enum address_result r;

		buf_reset(&out);
		r = address_postal_normalize(sv(c[i].in), c[i].cn, &out);
		if (r != c[i].res || strcmp(out.p, c[i].want))
			fail_msg("'%s': got %s '%s'", c[i].in,
				 address_result_str(r), out.p);
	}
	buf_release(&out);
}

static void test_country(void **state)
{
	static const char *const c[][2] = {
		{"中国", "CN"},
		{"China", "CN"},
		{"CHINA", "CN"},
		{"cn", "CN"},
		{"ＣＮ", "CN"},
		{" 中华人民共和国 ", "CN"},
		{"Hong Kong", "HK"},
		{"香港", "HK"},
		{"de", "DE"},
		{"Germany", ""},
		{"", ""},
		{"\xff\xfe", ""},
	};
	(void)state;
	for (int pass = 0; pass < 2; pass++) { /* the second from the cache */
		for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			char code[3];
			bool ok = address_country(sv(c[i][0]), code);

			if (ok != (c[i][1][0] != '\0') || strcmp(code, c[i][1]))
				fail_msg("'%s': got %d '%s'", c[i][0], ok,
					 code);
		}
	}
	assert_true(address_is_cn(sv(""), NULL));
	assert_true(address_is_cn(sv(" "), "cn"));
	assert_false(address_is_cn(sv(""), "HK"));
	assert_true(address_is_cn(sv("中国"), "HK"));
	assert_false(address_is_cn(sv("US"), NULL));
}

static int setup(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	setenv("MBR_DATADIR", "data", 0); /* divisions_latin.tsv */
	if (division_load("data/divisions.csv", &err) < 0) {
		print_error("%s\n", err.msg);
		return -1;
	}
	return 0;
}

/* address_normalize with text_plain and with the general path alone:
 * the same answer and bytes on 200,000 random strings of pieces at the
 * edges of what text_plain takes, some past ADDRESS_MAX_BYTES. */
static void test_normalize_plain(void **state)
{
	struct buf in, a, b;
	unsigned seed = 11;

	(void)state;
	buf_init(&in, BUF_NOLIMIT);
	buf_init(&a, BUF_NOLIMIT);
	buf_init(&b, BUF_NOLIMIT);
	for (unsigned i = 0; i < 200000; i++) {
		enum address_result ra, rb;

		th_random_text(&in, &seed);
		if (i % 100 == 0)
			while (in.len <= ADDRESS_MAX_BYTES)
				buf_adds(&in, i % 200 ? "中国 " : "中国\x01");
		buf_reset(&a);
		buf_reset(&b);
		text_fast(true);
		ra = address_normalize(buf_view(&in), &a);
		text_fast(false);
		rb = address_normalize(buf_view(&in), &b);
		text_fast(true);
		if (ra != rb || a.len != b.len || memcmp(a.p, b.p, a.len))
			fail_msg("'%s': fast %s '%s', general %s '%s'", in.p,
				 address_result_str(ra), a.p,
				 address_result_str(rb), b.p);
	}
	buf_release(&in);
	buf_release(&a);
	buf_release(&b);
}

static int teardown(void **state)
{
	(void)state;
	division_close();
	address_close();
	text_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_normalize_plain),
		cmocka_unit_test(test_postal),
		cmocka_unit_test(test_country),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
