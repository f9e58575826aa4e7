/*
 * test_name: clean-up, honorifics, family/given splitting, composing, and
 * the surname file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mappers/name.h"
#include "mappers/text.h"

static const struct {
	const char *in, *want;
	enum name_result res;
	const char *why;
} norm_cases[] = {
	{"张伟", "张伟", NAME_OK, "plain"},
	{"  张 伟  ", "张伟", NAME_OK, "spaces between Han"},
	{"張偉", "张伟", NAME_OK, "Traditional"},
	{"陳大文 Chan Tai Man", "陈大文 Chan Tai Man", NAME_OK,
	 "mixed scripts keep their space"},
	{"王先生", "王", NAME_OK, "先生"},
	{"王 先生", "王", NAME_OK, "先生 after a space"},
	{"李小姐", "李", NAME_OK, "小姐"},
	{"欧阳女士", "欧阳", NAME_OK, "compound surname and 女士"},
	{"Zhang 先生", "Zhang", NAME_OK, "先生 after Latin"},
	{"先生", "先生", NAME_OK, "honorific alone is kept"},
	{"ＺＨＡＮＧ　Ｗｅｉ", "ZHANG Wei", NAME_OK,
	 "full-width Latin, ideographic space"},
	{"Mr. Zhang Wei", "Zhang Wei", NAME_OK, "Mr."},
	{"MR ZHANG", "ZHANG", NAME_OK, "MR in capitals"},
	{"Mr.王", "王", NAME_OK, "Mr. glued to Han"},
	{"Ms. Dr. Li", "Li", NAME_OK, "two honorifics"},
	{"Drew Barrymore", "Drew Barrymore", NAME_OK, "Dr inside a name"},
	{"Missy Elliott", "Missy Elliott", NAME_OK, "Miss inside a name"},
	{"Dr", "Dr", NAME_OK, "honorific alone is kept"},
	{"Miss", "Miss", NAME_OK, "Miss alone"},
	{"阿依古丽 · 买买提", "阿依古丽·买买提", NAME_OK,
	 "middle dot with spaces"},
	{"阿依古丽•买买提", "阿依古丽·买买提", NAME_OK, "bullet as dot"},
	{"阿依古丽.买买提", "阿依古丽·买买提", NAME_OK, "full stop as dot"},
	{"阿依古丽・买买提", "阿依古丽·买买提", NAME_OK, "katakana dot"},
	{"J.R.R. Tolkien", "J.R.R. Tolkien", NAME_OK, "Latin dots stay"},
	{"John  Smith", "John Smith", NAME_OK, "double space"},
	{"Jose\xcc\x81 Garci\xcc\x81"
	 "a",
	 "José García", NAME_OK, "combining accents composed"},
	{"O'Brien", "O'Brien", NAME_OK, "apostrophe"},
	{"张\xe2\x80\x8b伟", "张伟", NAME_OK, "zero-width space"},
	{"王\t伟", "王伟", NAME_OK, "tab"},
	{"ｶﾀｶﾅ", "カタカナ", NAME_OK, "half-width katakana"},
	{"山田 太郎", "山田太郎", NAME_OK, "Japanese: CJK spaces go"},
	{"김철수", "김철수", NAME_OK, "Hangul"},
	{"김 철수", "김 철수", NAME_OK, "Hangul keeps its space"},
	{"", "", NAME_EMPTY, "empty"},
	{"   ", "", NAME_EMPTY, "spaces"},
	{"\xe3\x80\x80", "", NAME_EMPTY, "ideographic space"},
	{"\xe2\x80\x8b", "", NAME_EMPTY, "only a zero-width space"},
	{"\xff\xfe", "", NAME_INVALID_UTF8, "invalid bytes"},
	{"张\xe4\xbc", "", NAME_INVALID_UTF8, "truncated character"},
	{"张三２", "", NAME_DIGITS, "full-width digit"},
	{"test123", "", NAME_DIGITS, "test data"},
	{"???", "", NAME_NO_LETTERS, "question marks"},
	{"-", "", NAME_NO_LETTERS, "dash"},
	{"13812345678", "", NAME_NO_LETTERS, "a mobile in the name"},
};

static const struct {
	const char *name, *family, *given;
	bool ok;
	const char *why;
} split_cases[] = {
	{"王伟", "王", "伟", true, "two characters"},
	{"王小明", "王", "小明", true, "three characters"},
	{"欧阳娜娜", "欧阳", "娜娜", true, "compound surname"},
	{"司马懿", "司马", "懿", true, "compound, one given"},
	{"诸葛亮", "诸葛", "亮", true, "诸葛"},
	{"东方不败", "东方", "不败", true, "东方"},
	{"贺兰芳", "贺", "兰芳", true, "贺兰 is not treated as compound"},
	{"王", "王", "", true, "surname alone"},
	{"欧阳", "欧阳", "", true, "compound surname alone"},
	{"ZHANG Wei", "ZHANG", "Wei", true, "capitals first"},
	{"Wei ZHANG", "ZHANG", "Wei", true, "capitals last"},
	{"ZHANG Xiao Ming", "ZHANG", "Xiao Ming", true, "three words"},
	{"Zhang Wei", "Zhang", "Wei", true, "Zhang outranks Wei"},
	{"Wei Zhang", "Zhang", "Wei", true, "Zhang outranks Wei, last"},
	{"ZHANG WEI", "ZHANG", "WEI", true, "all capitals: rank"},
	{"Zhang Xiaoming", "Zhang", "Xiaoming", true, "pinyin first"},
	{"Xiaoming Zhang", "Zhang", "Xiaoming", true, "pinyin last"},
	{"Yao Ming", "Yao", "Ming", true, "姚 outranks 明"},
	{"Li Na", "Li", "Na", true, "Na is no surname"},
	{"Ouyang Nana", "Ouyang", "Nana", true, "compound pinyin"},
	{"OUYANG Nana", "OUYANG", "Nana", true, "compound in capitals"},
	{"Lü Bu", "Lü", "Bu", true, "ü spelling"},
	{"John Smith", "Smith", "John", true, "Western"},
	{"Mary Jane Watson", "Watson", "Mary Jane", true, "Western, three"},
	{"Bruce Lee", "Lee", "Bruce", true, "Lee is not pinyin"},
	{"Zhang, Wei", "Zhang", "Wei", true, "comma"},
	{"Smith, John", "Smith", "John", true, "comma, Western"},
	{"阿依古丽·买买提", "买买提", "阿依古丽", true, "middle dot"},
	{"王 David", "王", "David", true, "Han word first"},
	{"David 王", "王", "David", true, "Han word last"},
	/* issue 15, item 10: a compound surname beats a single one */
	{"Sima Qian", "Sima", "Qian", true, "司马 first, though 钱 outranks"},
	{"Zhuge Liang", "Zhuge", "Liang", true, "诸葛 before 梁"},
	{"Situ Hua", "Situ", "Hua", true, "司徒 before 华"},
	{"Shangguan Wan'er", "Shangguan", "Wan'er", true, "上官"},
	{"Liang Zhuge", "Zhuge", "Liang", true, "compound last"},
	{"SIMA Qian", "SIMA", "Qian", true, "capitals agree"},
	{"Si Ma Qian", "Si Ma", "Qian", true, "compound in two words"},
	{"Zhu Ge Liang", "Zhu Ge", "Liang", true, "诸葛 in two words"},
	/* item 13: Cantonese (Hong Kong) spellings, given names hyphenated */
	{"Lee Ka-shing", "Lee", "Ka-shing", true, "Cantonese, family first"},
	{"Ka-shing Lee", "Lee", "Ka-shing", true, "Cantonese, family last"},
	{"Chan Tai Man", "Chan", "Tai Man", true, "陈 in Cantonese"},
	{"Wong Kar-wai", "Wong", "Kar-wai", true, "黄/王 in Cantonese"},
	{"Cheung Kwok-wing", "Cheung", "Kwok-wing", true, "张 Cheung"},
	{"Ng Man-tat", "Ng", "Man-tat", true, "吴 Ng"},
	{"Tsang Yam-kuen", "Tsang", "Yam-kuen", true, "曾 Tsang"},
	{"Sun Yat-sen", "Sun", "Yat-sen", true, "Wade-Giles hyphen"},
	{"Chiang Kai-shek", "Chiang", "Kai-shek", true,
	 "hyphenated given name: the other word is the family"},
	/* item 13: Tibetan names have no family name */
	{"扎西顿珠", "", "", false, "Tibetan: no family name"},
	{"格桑卓玛", "", "", false, "Tibetan"},
	{"次仁央宗", "", "", false, "Tibetan"},
	{"白玛丽", "白", "玛丽", true, "白 + 玛丽: three characters, Han"},
	{"Tashi Dhondup", "", "", false, "Tibetan in Latin"},
	{"Tenzin Gyatso", "", "", false, "Tibetan in Latin"},
	{"Madonna", "", "", false, "one word"},
	{"김철수", "", "", false, "Hangul"},
	{"김 철수", "", "", false, "Hangul with a space"},
	{"やまだ", "", "", false, "kana"},
	{"", "", "", false, "empty"},
};

static void load(void)
{
	struct mbr_err err = MBR_ERR_INIT;

	if (name_load_surnames("data/surnames.txt", &err) < 0)
		fail_msg("%s", err.msg);
}

static void test_normalize(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]);
	     i++) {
		enum name_result r;

		buf_reset(&out);
		buf_addc(&out, '[');
		r = name_normalize(sv(norm_cases[i].in), &out);
		if (r != norm_cases[i].res ||
		    strcmp(out.p + 1, norm_cases[i].want))
			fail_msg("%s: got %s '%s'", norm_cases[i].why,
				 name_result_str(r), out.p + 1);
	}
	buf_release(&out);
}

static void test_split(void **state)
{
	struct buf f, g;

	(void)state;
	load();
	buf_init(&f, 256);
	buf_init(&g, 256);
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]);
	     i++) {
		bool ok;

		buf_reset(&f);
		buf_reset(&g);
		ok = name_split(sv(split_cases[i].name), &f, &g);
		if (ok != split_cases[i].ok ||
		    strcmp(f.p, split_cases[i].family) ||
		    strcmp(g.p, split_cases[i].given))
			fail_msg("%s: got %d '%s' '%s'", split_cases[i].why, ok,
				 f.p, g.p);
	}
	buf_release(&f);
	buf_release(&g);
}

static void test_compose(void **state)
{
	static const char *const cases[][3] = {
		{"王", "伟", "王伟"},
		{"欧阳", "娜娜", "欧阳娜娜"},
		{"Zhang", "Wei", "Wei Zhang"},
		{"Watson", "Mary Jane", "Mary Jane Watson"},
		{"", "伟", "伟"},
		{"王", "", "王"},
		{" 王 ", " 伟 ", "王伟"},
		{"王", "David", "David 王"},
		{"", "", ""},
	};
	struct buf out, small;

	(void)state;
	buf_init(&out, 64);
	buf_init(&small, 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		assert_int_equal(
			name_compose(sv(cases[i][0]), sv(cases[i][1]), &out),
			0);
		assert_string_equal(out.p, cases[i][2]);
	}
	assert_int_equal(name_compose(sv("Zhang"), sv("Wei"), &small), -1);
	assert_int_equal(small.len, 0);
	buf_release(&out);
	buf_release(&small);
}

/* 10 KB, and a buf too small for the result. */
static void test_long(void **state)
{
	struct buf in, out;
	struct buf f, g;

	(void)state;
	buf_init(&in, BUF_NOLIMIT);
	buf_init(&out, 4);
	buf_init(&f, 2);
	buf_init(&g, 64);
	for (int i = 0; i < 3400; i++)
		buf_adds(&in, "张");
	assert_int_equal(name_normalize(buf_view(&in), &out), NAME_TOO_LONG);
	assert_int_equal(name_normalize(sv("欧阳娜娜"), &out), NAME_TOO_LONG);
	assert_int_equal(out.len, 0);
	assert_false(name_split(sv("欧阳娜娜"), &f, &g));
	assert_int_equal(f.len + g.len, 0);
	buf_release(&in);
	buf_release(&out);
	buf_release(&f);
	buf_release(&g);
}

static void test_rank(void **state)
{
	(void)state;
	load();
	assert_int_equal(name_surname_rank(sv("王")), 1);
	assert_int_equal(name_surname_rank(sv("wang")), 1);
	assert_int_equal(name_surname_rank(sv("WANG")), 1);
	assert_int_equal(name_surname_rank(sv("zhang")), 3);
	assert_true(name_surname_rank(sv("欧阳")) > 0);
	assert_int_equal(name_surname_rank(sv("smith")), 0);
	assert_int_equal(name_surname_rank(sv("")), 0);
	assert_int_equal(
		name_surname_rank(sv("averyveryveryverylongwordindeed")), 0);
}

static void test_bad_file(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	char path[] = "/tmp/test_name_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	fputs("# comment\n王\twang\nnot a surname line\n", f);
	fclose(f);
	assert_int_equal(name_load_surnames(path, &err), -1);
	assert_non_null(strstr(err.msg, ":3: expected"));
	/* The table in use is still the good one. */
	assert_int_equal(name_surname_rank(sv("zhang")), 3);
	assert_int_equal(name_load_surnames("/nonexistent/s.txt", &err), -1);
	assert_int_equal(err.status, MBR_EIO);
	remove(path);
}

static int teardown(void **state)
{
	(void)state;
	name_close();
	text_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_compose),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_rank),
		cmocka_unit_test(test_bad_file),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
