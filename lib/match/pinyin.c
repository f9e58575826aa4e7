/*
 * pinyin: Han characters to toneless pinyin, so that names written in
 * Simplified, Traditional or Latin script, or with a homophone, share a
 * key: 张伟, 章伟, 張偉 and "Zhang Wei" are all "zhangwei".
 *
 * Why a table of our own rather than a library: the matcher needs one
 * reading per character, no tones, and the Traditional -> Simplified fold
 * character by character, 41,000 times a second per thread without
 * allocation. Unihan (Unicode's Han database, Debian's unicode-data) has
 * exactly that; scripts/gen-pinyin.py turns it into data/pinyin.tsv and
 * pinyin_table.c. Heteronyms take their most common reading (曾 "zeng"):
 * both records go through the same table, so keys still agree.
 */
#include "match/match_int.h"

#include "utf8.h"

#define DENSE_LO 0x3400
#define DENSE_HI 0x9FFF

static const struct pinyin_pair *pair_find(const struct pinyin_pair *t,
					   size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].cp == cp)
			return &t[mid];
		if (t[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *pinyin_of(uint32_t cp)
{
	const struct pinyin_pair *p;
	unsigned idx;

	if (cp >= DENSE_LO && cp <= DENSE_HI) {
		idx = pinyin_dense[cp - DENSE_LO];
		return idx ? pinyin_syllables[idx] : NULL;
	}
	if (cp < DENSE_LO)
		return NULL;
	p = pair_find(pinyin_sparse, pinyin_n_sparse, cp);
	return p ? pinyin_syllables[p->val] : NULL;
}

uint32_t pinyin_simplify(uint32_t cp)
{
	const struct pinyin_pair *p;

	if (cp < DENSE_LO)
		return cp;
	/* Most characters are Simplified: a bit says so without a search. */
	if (cp <= DENSE_HI &&
	    !(pinyin_fold_bits[(cp - DENSE_LO) / 8] >> ((cp - DENSE_LO) % 8) &
	      1))
		return cp;
	p = pair_find(pinyin_fold_table, pinyin_n_fold, cp);
	return p ? p->val : cp;
}

static int key_cp(uint32_t cp, struct buf *out)
{
	const char *py;
	char tmp[4];

	cp = fold_cp(cp);
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
			return buf_addc(out, (char)cp);
		return 0;
	}
	if (cp == 0xFC)
		return buf_addc(out, 'v');
	py = pinyin_of(cp);
	if (py)
		return buf_adds(out, py);
	if (!fold_is_word(cp))
		return 0;
	return buf_add(out, tmp, utf8_encode(cp, tmp));
}

int pinyin_key(struct strview v, struct buf *out)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < v.len) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		i += k ? k : 1;
		if (k && key_cp(cp, out) < 0)
			return -1;
	}
	return 0;
}

/* Is s[0..len) one syllable? The table is sorted: binary search. */
static bool is_syllable(const char *s, size_t len)
{
	size_t lo = 1, hi = pinyin_n_syllables;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *t = pinyin_syllables[mid];
		size_t i = 0;
		int c;

		while (i < len && t[i] && t[i] == s[i])
			i++;
		if (i == len && !t[i])
			return true;
		c = i == len ? -1
		    : !t[i]  ? 1
			     : (unsigned char)s[i] - (unsigned char)t[i];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

#define SYLLABLE_MAX 6 /* "zhuang", "chuang", "shuang" */
#define SPLIT_MAX 64

size_t pinyin_split(const char *s, size_t len, uint8_t *ends, size_t max)
{
	/* from[i]: length of the last syllable of a split of s[0..i), 0 when
	 * s[0..i) does not split; the longest last syllable wins, so the
	 * split is the same for the same letters. */
	uint8_t from[SPLIT_MAX + 1] = {0};
	size_t n = 0, i = len;

	if (len == 0 || len > SPLIT_MAX)
		return 0;
	for (size_t e = 1; e <= len; e++)
		for (size_t k = SYLLABLE_MAX; k >= 1 && !from[e]; k--)
			if (k <= e && (k == e || from[e - k]) &&
			    is_syllable(s + e - k, k))
				from[e] = (uint8_t)k;
	if (!from[len])
		return 0;
	for (; i > 0; i -= from[i])
		n++;
	if (n > max)
		return 0;
	for (size_t j = n, e = len; j > 0; e -= from[e])
		ends[--j] = (uint8_t)e;
	return n;
}

bool pinyin_is_syllables(const char *s, size_t len)
{
	uint8_t ends[SPLIT_MAX];

	return pinyin_split(s, len, ends, SPLIT_MAX) > 0;
}
