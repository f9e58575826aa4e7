/*
 * fold: the comparison form of text. Values arrive NFKC-normalised from
 * mbr-normalize; folding removes the differences that do not tell two
 * people apart: case, full width, Latin diacritics, Traditional versus
 * Simplified Han, spaces and punctuation inside a name.
 */
#include "match/match_int.h"

#include "utf8.h"

/* U+00C0..U+017F: base letter, lower case. '~' stands for u-umlaut (kept,
 * pinyin spells 吕 "lü"), '*' for the two signs x and / (not letters). */
/* clang-format off */
static const char latin_fold[] =
	"aaaaaaaceeeeiiiidnooooo*ouuu~ytsaaaaaaaceeeeiiiidnooooo*ouuu~yty"
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllll"
	"llnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* U+01CD..U+01D4: the third-tone pinyin vowels ǎ ǐ ǒ ǔ and capitals. */
static const char tone3_fold[] = "aaiioouu";
/* clang-format on */

_Static_assert(sizeof(latin_fold) == 0x180 - 0xC0 + 1, "latin_fold size");

static uint32_t fold_latin(uint32_t cp)
{
	char c;

	if (cp >= 0xC0 && cp <= 0x17F) {
		c = latin_fold[cp - 0xC0];
		if (c == '~')
			return 0xFC;
		return c == '*' ? cp : (uint32_t)(unsigned char)c;
	}
	if (cp >= 0x1CD && cp <= 0x1D4)
		return (unsigned char)tone3_fold[cp - 0x1CD];
	if (cp >= 0x1D5 && cp <= 0x1DC) /* ǖ ǘ ǚ ǜ and capitals */
		return 0xFC;
	return cp;
}

uint32_t fold_cp(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return fold_cp(cp - 0xFF01 + 0x21);
	if (cp == 0x3000)
		return ' ';
	if (cp <= 0x1DC)
		return fold_latin(cp);
	if (cp >= 0x3400)
		return pinyin_simplify(cp);
	return cp;
}

bool fold_is_word(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return false; /* Latin-1 punctuation and signs, · */
	if (cp >= 0x2000 && cp <= 0x2BFF)
		return false; /* punctuation, symbols, arrows, shapes */
	if (cp >= 0x3000 && cp <= 0x303F)
		return cp == 0x3005 || cp == 0x3007; /* 々 and 〇 only */
	if (cp == 0x30FB || (cp >= 0xFE10 && cp <= 0xFE6F))
		return false; /* katakana middle dot, CJK compatibility */
	if (cp >= 0xFF00 && cp <= 0xFF0F)
		return false;
	return true;
}

size_t fold_decode(struct strview v, uint32_t *cps, size_t max)
{
	size_t i = 0, n = 0, k;
	uint32_t cp;

	while (i < v.len && n < max) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		if (k == 0) {
			i++;
			continue;
		}
		cps[n++] = cp;
		i += k;
	}
	return n;
}

static int add_cp(struct buf *out, uint32_t cp)
{
	char tmp[4];
	size_t n = utf8_encode(cp, tmp);

	return buf_add(out, tmp, n);
}

/* Fold v into out; non-word runs are dropped, or made one space when
 * space is true. */
static int fold_run(struct strview v, bool space, struct buf *out)
{
	size_t i = 0, k, start = out->len;
	bool gap = false;
	uint32_t cp;

	while (i < v.len) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		i += k ? k : 1;
		if (k == 0)
			continue;
		cp = fold_cp(cp);
		if (!fold_is_word(cp)) {
			gap = true;
			continue;
		}
		if (space && gap && out->len > start && buf_addc(out, ' ') < 0)
			return -1;
		gap = false;
		if (add_cp(out, cp) < 0)
			return -1;
	}
	return 0;
}

int fold_simplify(struct strview v, struct buf *out)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < v.len) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		if (k >= 3 && cp >= 0x3400) {
			if (add_cp(out, pinyin_simplify(cp)) < 0)
				return -1;
		} else if (buf_add(out, v.p + i, k ? k : 1) < 0) {
			return -1;
		}
		i += k ? k : 1;
	}
	return 0;
}

int fold_name(struct strview v, struct buf *out)
{
	return fold_run(v, false, out);
}

int fold_text(struct strview v, struct buf *out)
{
	return fold_run(v, true, out);
}
