/*
 * value: integers, Y/N consent, member status and null placeholders. See
 * value.h.
 *
 * Each value is first folded into a short key on the stack (value_key),
 * then parsed or looked up in a table of words.
 */
#include "mappers/value.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* Room for a 64-bit integer with signs, commas and a long ".000" tail. */
#define KEY_SIZE 128

struct word {
	const char *in;	 /* a key as value_key() writes it */
	const char *out; /* the canonical value */
};

/* clang-format off */
static const struct word consent_words[] = {
	{ "y", "Y" }, { "yes", "Y" }, { "true", "Y" }, { "t", "Y" },
	{ "1", "Y" }, { "on", "Y" },
	{ "是", "Y" }, { "同意", "Y" }, { "允许", "Y" }, { "接受", "Y" },
	{ "已同意", "Y" },
	{ "n", "N" }, { "no", "N" }, { "false", "N" }, { "f", "N" },
	{ "0", "N" }, { "off", "N" },
	{ "否", "N" }, { "不同意", "N" }, { "不允许", "N" }, { "拒绝", "N" },
	{ "未同意", "N" },
};

static const struct word status_words[] = {
	{ "active", "active" }, { "enabled", "active" },
	{ "normal", "active" }, { "正常", "active" }, { "有效", "active" },
	{ "启用", "active" }, { "激活", "active" }, { "活跃", "active" },

	{ "inactive", "inactive" }, { "disabled", "inactive" },
	{ "dormant", "inactive" }, { "停用", "inactive" },
	{ "无效", "inactive" }, { "禁用", "inactive" }, { "休眠", "inactive" },
	{ "未激活", "inactive" },

	{ "frozen", "frozen" }, { "locked", "frozen" },
	{ "suspended", "frozen" }, { "冻结", "frozen" }, { "锁定", "frozen" },

	{ "closed", "closed" }, { "cancelled", "closed" },
	{ "注销", "closed" }, { "已注销", "closed" }, { "销户", "closed" },
	{ "关闭", "closed" }, { "已关闭", "closed" },
};
/* clang-format on */

static const char *const result_names[] = {
	[VALUE_OK] = "ok",
	[VALUE_EMPTY] = "empty",
	[VALUE_INVALID] = "invalid",
	[VALUE_OUT_OF_RANGE] = "out of range",
};

const char *value_result_str(enum value_result r)
{
	if ((unsigned)r < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[r];
	return "invalid";
}

int value_key(struct strview in, char *key, size_t size)
{
	struct strview v = sv_trim(in);
	size_t i, k, n = 0;
	uint32_t cp;

	for (i = 0; i < v.len; i += k) {
		if ((unsigned char)v.p[i] < 0x80) { /* no decoding for ASCII */
			char c = v.p[i];

			if (n + 1 >= size)
				return -1;
			key[n++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
			k = 1;
			continue;
		}
		k = utf8_decode(v.p + i, v.len - i, &cp);
		if (k == 0)
			return -1;
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp = cp - 0xFF01 + 0x21;
		else if (cp == 0x3000)
			cp = ' ';
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if (n + (cp < 0x80 ? 1 : k) >= size)
			return -1;
		if (cp < 0x80) {
			key[n++] = (char)cp;
		} else {
			memcpy(key + n, v.p + i, k);
			n += k;
		}
	}
	key[n] = '\0';
	return (int)n;
}

/* Read an optional sign at *s: returns true for a minus. */
static bool sign(const char **s)
{
	if (**s == '-' || **s == '+')
		return *(*s)++ == '-';
	if (!strncmp(*s, "\xe2\x88\x92", 3)) { /* U+2212 MINUS SIGN */
		*s += 3;
		return true;
	}
	return false;
}

/* Digits with optional thousands commas at *s into *acc; sets *over when
 * past limit. VALUE_OK, or VALUE_INVALID for a misplaced comma. */
static enum value_result digits(const char **s, unsigned long long limit,
				unsigned long long *acc, bool *over)
{
	size_t group = 0, n = 0;
	bool commas = false;

	for (; **s; (*s)++) {
		unsigned d = (unsigned)(**s - '0');

		if (**s == ',') {
			/* 1,200 and 12,345,678; never 1,20 or 1234,567. */
			if (!n || (commas ? group != 3 : group > 3))
				return VALUE_INVALID;
			commas = true;
			group = 0;
			continue;
		}
		if (d > 9)
			break;
		if (*acc > (limit - d) / 10)
			*over = true;
		else
			*acc = *acc * 10 + d;
		group++;
		n++;
	}
	return n && (!commas || group == 3) ? VALUE_OK : VALUE_INVALID;
}

/* Parse a key as an integer: sign, digits, an all-zero fraction. */
static enum value_result parse_int(const char *s, long long *v)
{
	bool neg = sign(&s), over = false;
	unsigned long long acc = 0;
	unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1
				       : (unsigned long long)LLONG_MAX;

	if (digits(&s, limit, &acc, &over) != VALUE_OK)
		return VALUE_INVALID;
	if (*s == '.') {
		/* "1200.0": a spreadsheet's float; "1200." is not. */
		if (!*++s)
			return VALUE_INVALID;
		s += strspn(s, "0");
	}
	if (*s)
		return VALUE_INVALID;
	if (over)
		return VALUE_OUT_OF_RANGE;
	if (neg)
		*v = acc > (unsigned long long)LLONG_MAX ? LLONG_MIN
							 : -(long long)acc;
	else
		*v = (long long)acc;
	return VALUE_OK;
}

/* v in decimal at num (24 bytes), as "%lld" writes it, without printf;
 * returns the length. */
static size_t format_int(long long v, char *num)
{
	unsigned long long u =
		v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	char tmp[24];
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		num[len++] = '-';
	while (n)
		num[len++] = tmp[--n];
	return len;
}

enum value_result value_int_range(struct strview in, long long min,
				  long long max, struct buf *out)
{
	char key[KEY_SIZE], num[24];
	long long v = 0;
	enum value_result r;
	int n = value_key(in, key, sizeof(key));

	if (n < 0)
		return VALUE_INVALID;
	if (n == 0)
		return VALUE_EMPTY;
	r = parse_int(key, &v);
	if (r != VALUE_OK)
		return r;
	if (v < min || v > max)
		return VALUE_OUT_OF_RANGE;
	return buf_add(out, num, format_int(v, num)) < 0 ? VALUE_INVALID
							 : VALUE_OK;
}

/* The canonical form of a plain integer, as value_int_range makes it:
 * 1 to 18 ASCII digits, no leading zero, thousands commas in their
 * places (which go). 0 when in is anything else, else its length. */
static size_t plain_int(struct strview in, char *num)
{
	size_t n = 0, group = 0;
	bool commas = false;

	if (in.len == 0 || in.len > 24 || in.p[0] < '1' || in.p[0] > '9')
		return 0;
	for (size_t i = 0; i < in.len; i++) {
		if (in.p[i] >= '0' && in.p[i] <= '9') {
			num[n++] = in.p[i];
			group++;
		} else if (in.p[i] == ',' &&
			   (commas ? group == 3 : group <= 3)) {
			commas = true;
			group = 0;
		} else {
			return 0;
		}
	}
	return n <= 18 && (!commas || group == 3) ? n : 0;
}

enum value_result value_int(struct strview in, struct buf *out)
{
	char num[24];
	size_t n = plain_int(in, num);

	/* Most values (points) need no folding, parsing and printing. */
	if (n)
		return buf_add(out, num, n) < 0 ? VALUE_INVALID : VALUE_OK;
	return value_int_range(in, LLONG_MIN, LLONG_MAX, out);
}

/* Look the key of in up in words and append its canonical value. */
static enum value_result lookup(struct strview in, const struct word *words,
				size_t n_words, struct buf *out)
{
	char key[KEY_SIZE];
	int n = value_key(in, key, sizeof(key));

	if (n < 0)
		return VALUE_INVALID;
	if (n == 0)
		return VALUE_EMPTY;
	for (size_t i = 0; i < n_words; i++)
		if (key[0] == words[i].in[0] && !strcmp(key, words[i].in))
			return buf_adds(out, words[i].out) < 0 ? VALUE_INVALID
							       : VALUE_OK;
	return VALUE_INVALID;
}

enum value_result value_consent(struct strview in, struct buf *out)
{
	return lookup(in, consent_words,
		      sizeof(consent_words) / sizeof(consent_words[0]), out);
}

enum value_result value_status(struct strview in, struct buf *out)
{
	return lookup(in, status_words,
		      sizeof(status_words) / sizeof(status_words[0]), out);
}

/* Placeholders exports write for "no value", as value_key() folds them. */
static const char *const null_words[] = {
	"na", "n/a", "#n/a", "null", "nil", "none", "nan",  "-",
	"--", "?",   "\\n",  "无",   "空",  "不详", "未知",
};

bool value_is_null(struct strview in, const char *const *words, size_t n)
{
	char key[KEY_SIZE], word[KEY_SIZE];
	int len = value_key(in, key, sizeof(key));

	if (len == 0)
		return true;
	if (len < 0)
		return false;
	if (!words) {
		words = null_words;
		n = sizeof(null_words) / sizeof(null_words[0]);
	}
	for (size_t i = 0; i < n; i++)
		if (value_key(sv(words[i]), word, sizeof(word)) >= 0 &&
		    !strcmp(key, word))
			return true;
	return false;
}
