/*
 * match_int: what the files of lib/match/ share; cmd/ never includes it.
 *
 *   fold.c      text folding for comparison (case, width, diacritics,
 *               Traditional -> Simplified Han)
 *   pinyin.c    Han -> toneless pinyin, pinyin keys, syllable splitting
 *   phonetic.c  a Metaphone key for Latin-script names
 *   strsim.c    string similarities on code points: Jaro-Winkler,
 *               Damerau-Levenshtein, character-bigram Jaccard
 *   compare.c   field comparators: text, name, date, email, number
 *   pinyin_table.c  the generated Han table (scripts/gen-pinyin.py)
 *
 * Everything here works on caller buffers: no allocation per call.
 */
#ifndef MBR_MATCH_INT_H
#define MBR_MATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Comparisons look at the first MATCH_MAX_CPS code points of a value; a
 * name or an address longer than that is compared on its start. */
#define MATCH_MAX_CPS 96

/* ---- fold.c ---- */

/* The comparison form of one code point: ASCII and Latin letters lower
 * case without diacritics (u-umlaut stays U+00FC), full-width ASCII
 * folded to ASCII, Traditional Han to Simplified. Cannot fail. */
uint32_t fold_cp(uint32_t cp);
/* True for code points that carry a name: letters, digits, Han, kana,
 * Hangul. Spaces, punctuation and symbols are not. */
bool fold_is_word(uint32_t cp);
/* Append the folded name of v to out: fold_cp of each code point, only
 * word characters kept ("Mary-Anne" -> "maryanne", "張 偉" -> "张伟").
 * Invalid bytes are dropped. -1 past out's max. */
int fold_name(struct strview v, struct buf *out);
/* Append folded v with every run of non-word characters made one space,
 * none at the ends (addresses, free text). -1 past out's max. */
int fold_text(struct strview v, struct buf *out);
/* Decode v into at most max code points; invalid bytes are skipped.
 * Returns the number written. Cannot fail. */
size_t fold_decode(struct strview v, uint32_t *cps, size_t max);

/* ---- pinyin.c ---- */

struct pinyin_pair {
	uint32_t cp;
	uint32_t val;
};

/* The generated table (pinyin_table.c). */
extern const char *const pinyin_syllables[];
extern const size_t pinyin_n_syllables;
extern const unsigned short pinyin_dense[];
extern const struct pinyin_pair pinyin_sparse[];
extern const size_t pinyin_n_sparse;
extern const struct pinyin_pair pinyin_fold_table[];
extern const size_t pinyin_n_fold;

/* Toneless pinyin of Han character cp ("zhang" for 张, 張 and 章), or NULL
 * when cp is not a Han character with a Mandarin reading. */
const char *pinyin_of(uint32_t cp);
/* The Simplified form of a Traditional character, else cp itself. */
uint32_t pinyin_simplify(uint32_t cp);
/* Append the pinyin key of v to out: Han characters become their pinyin,
 * Latin letters are folded to lower-case ASCII (u-umlaut as "v", as in
 * pinyin), everything else is dropped; a Han character without a reading
 * is kept as it is. 张伟, 章伟, 張偉, "Zhang Wei" and "ZHANG-wei" all give
 * "zhangwei". -1 past out's max. */
int pinyin_key(struct strview v, struct buf *out);
/* True when s (lower-case ASCII) is a sequence of pinyin syllables:
 * "zhangwei", "ouyang", "nana"; not "smith", not "". */
bool pinyin_is_syllables(const char *s, size_t len);

/* ---- phonetic.c ---- */

#define PHONETIC_MAX 8	/* code length kept (bytes, without the NUL) */

/* Write the Metaphone code of the Latin letters of s (other bytes are
 * ignored; case does not matter) to out (PHONETIC_MAX + 1 bytes),
 * NUL-terminated; returns its length (0 when s has no letter).
 * "Thomas" and "Tomas" give "TMS"; "Catherine" and "Kathryn" "KTRN". */
size_t phonetic_key(const char *s, size_t len, char *out);

/* ---- strsim.c ---- */

/* Jaro-Winkler similarity of two code point strings, 0..1 (1 when both
 * are equal, 0 when either is empty); prefix scale 0.1 over at most 4
 * code points. */
double strsim_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b,
			   size_t nb);
/* Damerau-Levenshtein distance (optimal string alignment: insert, delete,
 * substitute, swap two neighbours), counting past max as max + 1. */
unsigned strsim_damerau(const uint32_t *a, size_t na, const uint32_t *b,
			size_t nb, unsigned max);
/* Byte-string version for ASCII values (numbers, e-mail local parts). */
unsigned strsim_damerau_bytes(const char *a, size_t na, const char *b,
			      size_t nb, unsigned max);
/* Sorted, de-duplicated hashes of the character bigrams of cps (a single
 * code point gives one "bigram" with itself). Writes at most max and
 * returns the count. No white-space tokenising: "北京市朝阳区" has the
 * bigrams 北京 京市 市朝 朝阳 阳区. */
size_t strsim_bigrams(const uint32_t *cps, size_t n, uint32_t *out,
		      size_t max);
/* Jaccard index |A n B| / |A u B| of two sorted bigram sets; 0 if both
 * are empty. */
double strsim_jaccard(const uint32_t *a, size_t na, const uint32_t *b,
		      size_t nb);

/* ---- compare.c: dates ---- */

enum date_level {
	DATE_EXACT,
	DATE_SWAPPED,	/* day and month exchanged: 1990-03-04 / 1990-04-03 */
	DATE_ONE_DIGIT,	/* one digit changed or two neighbours swapped */
	DATE_NEAR,	/* within 365 days */
	DATE_OTHER,
	DATE_NULL,	/* either date missing or unreadable */
};

/* Parse "YYYY-MM-DD" (or "YYYYMMDD") into yyyymmdd; 0 when it is not a
 * date of that shape (the month and day are range checked). */
int32_t compare_parse_date(struct strview v);
/* Compare two yyyymmdd dates (0 = missing). */
enum date_level compare_dates(int32_t a, int32_t b);

#endif
