/*
 * name: personal names: clean-up, and family/given parts.
 *
 * name_normalize makes the canonical form (docs/fields.md): NFKC (full-width
 * Latin and ideographic spaces folded), controls and zero-width characters
 * removed, single spaces, no spaces between CJK characters, Traditional
 * Chinese made Simplified, the middle dot of transliterated names
 * (阿依古丽·买买提) made U+00B7 without spaces around it, and honorifics
 * stripped where they cannot be part of the name:
 *
 *   - after a name: 先生 女士 小姐 太太 夫人 (王先生 -> 王);
 *   - before a name, as a whole word in any case, with or without a dot:
 *     Mr Mrs Ms Miss Mx Dr Prof Madam (Mr. Zhang -> Zhang; Drew stays).
 *
 * name_split decides which part of a name is the family name:
 *
 *   - Han names: the first character, or the first two when they are a
 *     compound surname (data/surnames.txt: 欧阳娜娜 -> 欧阳 + 娜娜). A name
 *     that is only a surname (王, 欧阳) is a family name with no given name.
 *   - Names with a middle dot: given names first, the family (or father's)
 *     name after the last dot (阿依古丽·买买提 -> 买买提 + 阿依古丽).
 *   - Latin names, in this order of rules:
 *     1. "Zhang, Wei": the part before the comma is the family name;
 *     2. a word in capitals at one end while other words have lower case
 *        letters is the family name (ZHANG Wei, Wei ZHANG);
 *     3. a compound surname at one end beats a single one at the other
 *        (Sima Qian, Zhuge Liang), also written as two words at the start
 *        (Si Ma Qian);
 *     4. a given name of hyphenated syllables (Cantonese and Wade-Giles:
 *        Lee Ka-shing, Chiang Kai-shek) at one end: the other word is the
 *        family name;
 *     5. a surname of the data file (pinyin, or the Cantonese spellings
 *        Chan, Wong, Cheung, Ng ...) at one end only is the family name
 *        (Zhang Xiaoming; Xiaoming Zhang; Chan Tai Man); at both ends, the
 *        more frequent surname wins (Wei Zhang -> Zhang, since 张 outranks
 *        魏);
 *     6. otherwise Western order: the last word is the family name
 *        (John Smith).
 *     A single word, or a script without spaces that is not Han (Hangul,
 *     kana), is not split.
 *   - A Han word and a Latin word (王 David): the Han word is the family
 *     name.
 *   Parts keep the case they were written in.
 *
 * name_compose is the inverse: Han family and given names are joined
 * without a space (王 + 伟 -> 王伟), anything else as "Given Family".
 *
 * The surname table is global: load it (name_open) before threads use it.
 *
 * Tibetan names have no family name: a Han name of four characters or
 * more that starts with a common Tibetan element (扎西顿珠, 格桑卓玛), or
 * a Latin one made only of such elements (Tashi Dhondup), is not split.
 */
#ifndef MBR_MAPPERS_NAME_H
#define MBR_MAPPERS_NAME_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

/* A name longer than this (bytes, after trimming) is not a name. */
#define NAME_MAX_BYTES 300

enum name_result {
	NAME_OK,
	NAME_EMPTY, /* nothing but white space and invisibles */
	NAME_INVALID_UTF8,
	NAME_TOO_LONG,	 /* past NAME_MAX_BYTES */
	NAME_NO_LETTERS, /* "???", "-", "123" */
	NAME_DIGITS,	 /* letters and digits: "张三2" */
};

/* Load data/surnames.txt (found as datafile_path() says) and open
 * the Traditional -> Simplified converter. Returns 0, or -1 with err. Until
 * it succeeds, Han names are split on one character and Latin names in
 * Western order (no surname known), and if OpenCC is missing Traditional
 * characters are kept. */
int name_open(struct mbr_err *err);
/* Load the surname table at path (format in the file's comments),
 * replacing the one in use. Returns 0, or -1 with err ("path:line: ...");
 * on failure the table in use stays. */
int name_load_surnames(const char *path, struct mbr_err *err);
/* Free the table and this thread's scratch memory. Cannot fail. */
void name_close(void);

/* Append the canonical form of in to out. out is untouched unless
 * NAME_OK. */
enum name_result name_normalize(struct strview in, struct buf *out);
/* Split a canonical name into family and given name, appended to family
 * and given. Returns false (both untouched) when the rules above cannot
 * tell, or a buf is full. */
bool name_split(struct strview name, struct buf *family, struct buf *given);
/* Append the name made of family and given (either may be empty). -1
 * when out is full. */
int name_compose(struct strview family, struct strview given, struct buf *out);
/* Rank of a surname in the table (1 = most frequent), Han ("欧阳") or
 * pinyin in any case ("ZHANG"); 0 when it is not one. Cannot fail. */
unsigned name_surname_rank(struct strview s);

/* "ok", "empty", "invalid UTF-8", "too long", "no letters", "contains
 * digits". Cannot fail. */
const char *name_result_str(enum name_result r);

#endif
