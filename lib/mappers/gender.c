/*
 * gender: gender words and codes to M, F or empty. See gender.h.
 */
#include "mappers/gender.h"

#include <string.h>

#include "mappers/value.h"

struct gender_word {
	const char *in;	 /* as value_key() folds it */
	const char *out; /* "M", "F", or "" for a known unknown */
};

/* GB/T 2261.1-2003 codes: 0 unknown, 1 male, 2 female, 9 not stated. */
/* clang-format off */
static const struct gender_word words[] = {
	{ "1", "M" }, { "男", "M" }, { "男性", "M" }, { "男士", "M" },
	{ "先生", "M" }, { "m", "M" }, { "male", "M" }, { "man", "M" },
	{ "mr", "M" }, { "mr.", "M" }, { "boy", "M" },

	{ "2", "F" }, { "女", "F" }, { "女性", "F" }, { "女士", "F" },
	{ "小姐", "F" }, { "太太", "F" }, { "f", "F" }, { "female", "F" },
	{ "woman", "F" }, { "mrs", "F" }, { "mrs.", "F" }, { "ms", "F" },
	{ "ms.", "F" }, { "miss", "F" }, { "girl", "F" },

	{ "0", "" }, { "9", "" }, { "未知", "" }, { "不详", "" },
	{ "保密", "" }, { "未说明", "" }, { "u", "" }, { "unknown", "" },
	{ "x", "" }, { "n/a", "" }, { "-", "" },
};
/* clang-format on */

static const char *const result_names[] = {
	[GENDER_OK] = "ok",
	[GENDER_EMPTY] = "empty",
	[GENDER_INVALID] = "invalid",
};

const char *gender_result_str(enum gender_result r)
{
	if ((unsigned)r < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[r];
	return "invalid";
}

enum gender_result gender_normalize(struct strview in, struct buf *out)
{
	char key[32];
	int n = value_key(in, key, sizeof(key));

	if (n < 0)
		return GENDER_INVALID;
	if (n == 0)
		return GENDER_EMPTY;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(key, words[i].in))
			return buf_adds(out, words[i].out) < 0 ? GENDER_INVALID
							       : GENDER_OK;
	return GENDER_INVALID;
}
