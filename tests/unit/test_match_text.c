/*
 * Folding, pinyin keys and phonetic codes of lib/match/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "match/match_int.h"

static const struct {
	const char *in, *want, *why;
} name_cases[] = {
	{ "张伟", "张伟", "Simplified stays" },
	{ "張偉", "张伟", "Traditional folds to Simplified" },
	{ "張 偉", "张伟", "a space between Han characters goes" },
	{ "陳　小明", "陈小明", "ideographic space goes" },
	{ "欧阳·娜娜", "欧阳娜娜", "middle dot of transliterated names goes" },
	{ "Mary-Anne O'Neil", "maryanneoneil", "Latin punctuation goes" },
	{ "ＺＨＡＮＧ Ｗｅｉ", "zhangwei", "full-width Latin folds" },
	{ "José Müller", "josem\xc3\xbcller", "accents go, u-umlaut stays" },
	{ "Zhāng Wěi", "zhangwei", "pinyin tone marks go" },
	{ "Lǚ Bù", "l\xc3\xbc" "bu", "third tone u-umlaut is u-umlaut" },
	{ "", "", "empty" },
	{ " \t·-", "", "only punctuation" },
	{ "ab\xff\xfe" "cd", "abcd", "invalid bytes are dropped" },
	{ "李1号", "李1号", "digits are kept" },
};

static void test_fold_name(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]);
	     i++) {
		buf_reset(&out);
		assert_int_equal(fold_name(sv(name_cases[i].in), &out), 0);
		if (strcmp(out.p, name_cases[i].want))
			fail_msg("%s: got '%s'", name_cases[i].why, out.p);
	}
	buf_release(&out);
}

static const struct {
	const char *in, *want, *why;
} text_cases[] = {
	{ "  12 Main St.,  Apt 4 ", "12 main st apt 4", "runs become one space" },
	{ "北京市 朝陽區 建國路", "北京市 朝阳区 建国路", "Han folded, spaces kept" },
	{ "上海市浦东新区", "上海市浦东新区", "no spaces added to CJK" },
	{ "---", "", "nothing but separators" },
	{ "", "", "empty" },
};

static void test_fold_text(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]);
	     i++) {
		buf_reset(&out);
		assert_int_equal(fold_text(sv(text_cases[i].in), &out), 0);
		if (strcmp(out.p, text_cases[i].want))
			fail_msg("%s: got '%s'", text_cases[i].why, out.p);
	}
	buf_release(&out);
}

static const struct {
	const char *in, *want, *why;
} pinyin_cases[] = {
	{ "张伟", "zhangwei", "Simplified" },
	{ "章伟", "zhangwei", "homophone family name" },
	{ "張偉", "zhangwei", "Traditional" },
	{ "Zhang Wei", "zhangwei", "pinyin in Latin script" },
	{ "ZHANG-wei", "zhangwei", "case and hyphen" },
	{ "Zhāng Wěi", "zhangwei", "tone marks" },
	{ "吕布", "lvbu", "u-umlaut syllable as v" },
	{ "Lü Bu", "lvbu", "u-umlaut in Latin script as v" },
	{ "欧阳娜娜", "ouyangnana", "compound family name" },
	{ "歐陽娜娜", "ouyangnana", "the same in Traditional" },
	{ "𠀀", "he", "supplementary plane character (Ext B)" },
	{ "ＡＢＣ１２", "abc12", "full-width" },
	{ "김민준", "김민준", "Hangul has no pinyin: kept" },
	{ "", "", "empty" },
	{ "\xe5\xbc", "", "truncated UTF-8 is dropped" },
};

static void test_pinyin_key(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	for (size_t i = 0; i < sizeof(pinyin_cases) / sizeof(pinyin_cases[0]);
	     i++) {
		buf_reset(&out);
		assert_int_equal(pinyin_key(sv(pinyin_cases[i].in), &out), 0);
		if (strcmp(out.p, pinyin_cases[i].want))
			fail_msg("%s: got '%s'", pinyin_cases[i].why, out.p);
	}
	buf_release(&out);
}

static void test_pinyin_lookup(void **state)
{
	(void)state;
	assert_string_equal(pinyin_of(0x5F20), "zhang");	/* 张 */
	assert_string_equal(pinyin_of(0x5F35), "zhang");	/* 張 */
	assert_null(pinyin_of('a'));
	assert_null(pinyin_of(0x3042));				/* あ */
	assert_int_equal(pinyin_simplify(0x5F35), 0x5F20);	/* 張 -> 张 */
	assert_int_equal(pinyin_simplify(0x5F20), 0x5F20);
	assert_int_equal(pinyin_simplify(0x4E7E), 0x4E7E);	/* 乾 stays */
	assert_int_equal(pinyin_simplify('A'), 'A');
}

static const struct {
	const char *in;
	bool want;
	const char *why;
} syllable_cases[] = {
	{ "zhangwei", true, "two syllables" },
	{ "ouyang", true, "ou + yang" },
	{ "nana", true, "repeated" },
	{ "zhuang", true, "longest syllable" },
	{ "smith", false, "not pinyin" },
	{ "mitchell", false, "not pinyin" },
	{ "", false, "empty" },
	{ "xiaoming", true, "xiao + ming" },
	{ "zhangwe", false, "'we' is no syllable" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  false, "longer than the splitter looks" },
};

static void test_pinyin_syllables(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(syllable_cases) / sizeof(syllable_cases[0]); i++) {
		const char *s = syllable_cases[i].in;

		if (pinyin_is_syllables(s, strlen(s)) != syllable_cases[i].want)
			fail_msg("%s: '%s'", syllable_cases[i].why, s);
	}
}

static const struct {
	const char *in, *want, *why;
} phonetic_cases[] = {
	{ "Thomas", "TMS", "TH as T" },
	{ "Tomas", "TMS", "same as Thomas" },
	{ "Thompson", "TMPSN", "the P is not silent for Metaphone" },
	{ "Catherine", "KTRN", "C as K, TH as T" },
	{ "Kathryn", "KTRN", "same as Catherine" },
	{ "Knight", "NT", "initial KN, silent GH" },
	{ "Phillips", "FLPS", "PH as F, double L" },
	{ "Schmidt", "SKMTT", "SCH as SK" },
	{ "Xavier", "SFR", "initial X as S" },
	{ "Wright", "RT", "initial WR" },
	{ "Whitney", "WTN", "initial WH as W" },
	{ "Mitchell", "MXL", "TCH: T silent" },
	{ "Michelle", "MXL", "same as Mitchell" },
	{ "Dodge", "TJ", "DGE as J" },
	{ "Aaron", "ARN", "initial vowel kept" },
	{ "O'Brien", "ABRN", "apostrophe ignored" },
	{ "ＳＭＩＴＨ", "", "full-width is not ASCII: caller folds first" },
	{ "", "", "empty" },
	{ "Wolfeschlegelsteinhausenbergerdorff", "WLFSKLJL", "cut at 8" },
};

static void test_phonetic(void **state)
{
	char out[PHONETIC_MAX + 1];

	(void)state;
	for (size_t i = 0;
	     i < sizeof(phonetic_cases) / sizeof(phonetic_cases[0]); i++) {
		const char *s = phonetic_cases[i].in;
		size_t n = phonetic_key(s, strlen(s), out);

		if (strcmp(out, phonetic_cases[i].want) || n != strlen(out))
			fail_msg("%s: '%s' gave '%s'", phonetic_cases[i].why,
				 s, out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_name),
		cmocka_unit_test(test_fold_text),
		cmocka_unit_test(test_pinyin_key),
		cmocka_unit_test(test_pinyin_lookup),
		cmocka_unit_test(test_pinyin_syllables),
		cmocka_unit_test(test_phonetic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
