/*
 * name: clean-up through text.c, honorifics, and the surname table that
 * splits names into family and given parts.
 */
#include "mappers/name.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "mappers/text.h"
#include "utf8.h"

/*
 * The surname table: Han surnames and their romanisations, one entry per
 * key, sorted by key for bsearch.
 */
struct surname {
	char key[24];	     /* UTF-8 Han, or lower-case pinyin */
	unsigned short rank; /* line order in the file, 1 first */
	unsigned char len;   /* bytes in key */
	unsigned char n_han; /* Han characters in key; 0 for pinyin */
	bool compound;	     /* a compound surname (欧阳, ouyang) */
};

static struct surname *surnames; /* owned */
static size_t n_surnames;

static int surname_cmp(const void *a, const void *b)
{
	const struct surname *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (int)x->rank - (int)y->rank;
}

/* Lower-case ASCII key of s, or -1 when it does not fit. */
static int make_key(struct strview s, char *key)
{
	if (s.len == 0 || s.len >= sizeof(((struct surname *)0)->key))
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		key[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	key[s.len] = '\0';
	return 0;
}

static const struct surname *surname_find(struct strview s)
{
	struct surname want;

	if (!n_surnames || make_key(s, want.key) < 0)
		return NULL;
	want.rank = 0;
	/* Ranks start at 1, so want sorts before every entry of its key. */
	for (size_t lo = 0, hi = n_surnames; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(surnames[mid].key, want.key);

		if (c == 0)
			return &surnames[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

unsigned name_surname_rank(struct strview s)
{
	const struct surname *e = surname_find(s);

	return e ? e->rank : 0;
}

/* Number of Han characters in v, or 0 when anything else is there. */
static size_t count_han(struct strview v)
{
	size_t i = 0, n, count = 0;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (n == 0 || !utf8_is_han(cp))
			return 0;
		i += n;
		count++;
	}
	return count;
}

struct table {
	struct surname *e;
	size_t n, cap;
};

static int table_add(struct table *t, struct strview key, unsigned rank,
		     size_t n_han, bool compound)
{
	struct surname *s;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 512;
		t->e = xrealloc(t->e, t->cap * sizeof(*t->e));
	}
	s = &t->e[t->n];
	if (make_key(key, s->key) < 0)
		return -1;
	s->len = (unsigned char)key.len;
	s->rank = (unsigned short)rank;
	s->n_han = (unsigned char)n_han;
	s->compound = compound;
	t->n++;
	return 0;
}

/* One line: Han surname, tab, romanisations separated by spaces. */
static int parse_line(struct table *t, struct strview line, unsigned rank)
{
	const char *tab = memchr(line.p, '\t', line.len);
	struct strview han, rom;
	size_t n_han, i = 0;

	if (!tab)
		return -1;
	han = sv_trim(svn(line.p, (size_t)(tab - line.p)));
	rom = sv_trim(svn(tab + 1, line.len - (size_t)(tab + 1 - line.p)));
	n_han = count_han(han);
	if (n_han < 1 || n_han > 2 || rom.len == 0 ||
	    table_add(t, han, rank, n_han, n_han == 2) < 0)
		return -1;
	while (i < rom.len) {
		size_t j = i;

		while (j < rom.len && rom.p[j] != ' ')
			j++;
		if (j > i && table_add(t, svn(rom.p + i, j - i), rank, 0,
				       n_han == 2) < 0)
			return -1;
		i = j + 1;
	}
	return 0;
}

static int read_table(FILE *f, const char *path, struct table *t,
		      struct mbr_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0, rank = 0;
	int rc = 0;

	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		struct strview v = sv_trim(svn(line, (size_t)len));

		lineno++;
		if (v.len == 0 || v.p[0] == '#')
			continue;
		if (parse_line(t, v, ++rank) < 0)
			rc = mbr_fail(err, MBR_ECONFIG,
				      "%s:%u: expected a Han surname, a tab "
				      "and its pinyin",
				      path, lineno);
	}
	if (rc == 0 && ferror(f))
		rc = mbr_fail(err, MBR_EIO, "cannot read '%s': %s", path,
			      strerror(errno));
	if (rc == 0 && t->n == 0)
		rc = mbr_fail(err, MBR_ECONFIG, "%s: no surnames", path);
	free(line);
	return rc;
}

/* Keep the first (best-ranked) entry of each key: 章 is zhang too. */
static size_t dedupe(struct surname *e, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++)
		if (out == 0 || strcmp(e[out - 1].key, e[i].key))
			e[out++] = e[i];
	return out;
}

int name_load_surnames(const char *path, struct mbr_err *err)
{
	struct table t = {NULL, 0, 0};
	FILE *f = fopen(path, "r");

	if (!f)
		return mbr_fail(err, MBR_EIO, "cannot open '%s': %s", path,
				strerror(errno));
	if (read_table(f, path, &t, err) < 0) {
		fclose(f);
		free(t.e);
		return -1;
	}
	fclose(f);
	xqsort(t.e, t.n, sizeof(*t.e), surname_cmp);
	t.n = dedupe(t.e, t.n);
	free(surnames);
	surnames = t.e;
	n_surnames = t.n;
	return 0;
}

int name_open(struct mbr_err *err)
{
	char path[4096];

	if (text_open(err) < 0)
		return -1;
	if (n_surnames)
		return 0;
	if (datafile_path("surnames.txt", path, sizeof(path), err) < 0)
		return -1;
	return name_load_surnames(path, err);
}

/*
 * Normalising.
 */

struct scratch {
	struct buf a, b;
	bool ready;
};

static _Thread_local struct scratch scratch;

static struct scratch *scratch_get(void)
{
	if (!scratch.ready) {
		buf_init(&scratch.a, BUF_NOLIMIT);
		buf_init(&scratch.b, BUF_NOLIMIT);
		scratch.ready = true;
	}
	buf_reset(&scratch.a);
	buf_reset(&scratch.b);
	return &scratch;
}

void name_close(void)
{
	free(surnames);
	surnames = NULL;
	n_surnames = 0;
	buf_release(&scratch.a);
	buf_release(&scratch.b);
	scratch.ready = false;
}

/* The code point that ends v (0 when v is empty or ends badly). */
static uint32_t last_cp(struct strview v)
{
	size_t i = v.len;
	uint32_t cp = 0;

	while (i > 0 && ((unsigned char)v.p[i - 1] & 0xC0) == 0x80 &&
	       v.len - i < 3)
		i--;
	if (i > 0 && utf8_decode(v.p + i - 1, v.len - i + 1, &cp) == 0)
		cp = 0;
	return cp;
}

static uint32_t first_cp(struct strview v)
{
	uint32_t cp = 0;

	if (v.len == 0 || utf8_decode(v.p, v.len, &cp) == 0)
		return 0;
	return cp;
}

/* Middle dots of transliterated names, as keyboards type them. */
static bool is_dot(uint32_t cp)
{
	return cp == '.' || cp == 0x00B7 || cp == 0x30FB || cp == 0x2022 ||
	       cp == 0x2027 || cp == 0x2219 || cp == 0x22C5;
}

/* Copy in to out with a dot between two Han characters (spaces around it
 * allowed) made one U+00B7 and no spaces. */
static void fix_dots(struct strview in, struct buf *out)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < in.len) {
		n = utf8_decode(in.p + i, in.len - i, &cp);
		if (n == 0) {
			n = 1;
			cp = 0xFFFD;
		}
		if (is_dot(cp) && utf8_is_han(last_cp(buf_view(out)))) {
			struct strview rest =
				sv_trim(svn(in.p + i + n, in.len - i - n));

			if (utf8_is_han(first_cp(rest))) {
				buf_adds(out, "\xc2\xb7");
				i = (size_t)(rest.p - in.p);
				continue;
			}
		}
		if (cp == ' ' && i + 1 < in.len &&
		    utf8_is_han(last_cp(buf_view(out)))) {
			uint32_t next =
				first_cp(svn(in.p + i + 1, in.len - i - 1));

			if (is_dot(next)) { /* "买买提 ·": drop the space */
				i++;
				continue;
			}
		}
		buf_add(out, in.p + i, n);
		i += n;
	}
}

static const char *const cjk_honorifics[] = {
	"先生", "女士", "小姐", "太太", "夫人",
};

static const char *const latin_honorifics[] = {
	"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "madam",
};

/* 王先生 -> 王, when a letter is left before the honorific. */
static struct strview strip_suffix(struct strview v)
{
	for (size_t k = 0; k < sizeof(cjk_honorifics) / sizeof(char *); k++) {
		size_t n = strlen(cjk_honorifics[k]);
		struct strview rest;

		if (v.len <= n || memcmp(v.p + v.len - n, cjk_honorifics[k], n))
			continue;
		rest = sv_trim(svn(v.p, v.len - n));
		if (text_is_letter(last_cp(rest)))
			return rest;
	}
	return v;
}

static bool has_letter(struct strview v)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (n && text_is_letter(cp))
			return true;
		i += n ? n : 1;
	}
	return false;
}

/* "Mr. Zhang" -> "Zhang": a whole word, then a dot or a space, then a
 * name. "Drew" and "Dr" alone stay. */
static struct strview strip_prefix(struct strview v)
{
	size_t w = 0, k, n = sizeof(latin_honorifics) / sizeof(char *);
	struct strview rest;

	while (w < v.len && (v.p[w] | 0x20) >= 'a' && (v.p[w] | 0x20) <= 'z')
		w++;
	if (w == 0 || w == v.len || (v.p[w] != '.' && v.p[w] != ' '))
		return v;
	for (k = 0; k < n; k++)
		if (sv_ieqs(svn(v.p, w), latin_honorifics[k]))
			break;
	if (k == n)
		return v;
	w += v.p[w] == '.';
	rest = sv_trim(svn(v.p + w, v.len - w));
	return has_letter(rest) ? rest : v;
}

static enum name_result classify(struct strview v)
{
	size_t i = 0, n;
	uint32_t cp;
	bool letter = false, digit = false;

	if (v.len == 0)
		return NAME_EMPTY;
	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		letter |= n && text_is_letter(cp);
		digit |= n && text_is_digit(cp);
		i += n ? n : 1;
	}
	if (!letter)
		return NAME_NO_LETTERS;
	return digit ? NAME_DIGITS : NAME_OK;
}

/* NFKC, spaces, Traditional -> Simplified (or without it when OpenCC
 * cannot be loaded: name_open reports that). */
static int clean(struct strview in, struct buf *out)
{
	struct mbr_err err = MBR_ERR_INIT;

	if (text_clean(in, TEXT_T2S, out, &err) == 0)
		return 0;
	if (err.status == MBR_OK)
		return -1;
	return text_clean(in, 0, out, &err);
}

enum name_result name_normalize(struct strview in, struct buf *out)
{
	struct scratch *s;
	struct strview v = sv_trim(in);
	enum name_result r;

	if (v.len == 0)
		return NAME_EMPTY;
	if (!utf8_is_valid(v))
		return NAME_INVALID_UTF8;
	if (v.len > NAME_MAX_BYTES)
		return NAME_TOO_LONG;
	s = scratch_get();
	if (clean(v, &s->a) < 0)
		return NAME_INVALID_UTF8;
	fix_dots(buf_view(&s->a), &s->b);
	v = strip_suffix(strip_prefix(strip_prefix(buf_view(&s->b))));
	r = classify(v);
	if (r == NAME_OK && buf_addsv(out, v) < 0)
		return NAME_TOO_LONG;
	return r;
}

/*
 * Splitting.
 */

/* The byte length of the first n code points of v. */
static size_t cp_bytes(struct strview v, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (n-- > 0 && i < v.len) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		i += k ? k : 1;
	}
	return i;
}

static bool split_dot(struct strview v, struct strview *f, struct strview *g)
{
	for (size_t i = v.len; i >= 2; i--) {
		if (v.p[i - 2] != '\xc2' || v.p[i - 1] != '\xb7')
			continue;
		*g = sv_trim(svn(v.p, i - 2));
		*f = sv_trim(svn(v.p + i, v.len - i));
		return f->len && g->len;
	}
	return false;
}

static bool split_comma(struct strview v, struct strview *f, struct strview *g)
{
	const char *comma = memchr(v.p, ',', v.len);

	if (!comma)
		return false;
	*f = sv_trim(svn(v.p, (size_t)(comma - v.p)));
	*g = sv_trim(svn(comma + 1, v.len - (size_t)(comma + 1 - v.p)));
	return f->len && g->len;
}

/* Tibetan names have no family name: names that start with one of these
 * elements (扎西顿珠, 格桑卓玛; Tashi Dhondup) are not split. Han ones only
 * from four characters on (白玛丽 is 白 + 玛丽). */
static const char *const tibetan_han[] = {
	"扎西", "次仁", "格桑", "达瓦", "尼玛", "旦增", "丹增", "索朗",
	"洛桑", "平措", "多吉", "白玛", "德吉", "央金", "卓玛", "拉巴",
	"普布", "边巴", "强巴", "阿旺", "土登", "益西", "顿珠", "次旦",
	"群培", "贡嘎", "仁增", "巴桑", "嘎玛", "罗布", "米玛", "欧珠",
	"其美", "泽仁", "四郎", "降央", "江措", "曲珍", "拉姆", "措姆",
};

static const char *const tibetan_latin[] = {
	"tashi",    "tenzin",	"dorje",   "pema",    "lobsang", "sonam",
	"dawa",	    "nyima",	"karma",   "jigme",   "ngawang", "tsering",
	"phuntsok", "dhondup",	"yeshe",   "gyatso",  "rinchen", "kelsang",
	"kalsang",  "dolma",	"drolma",  "lhamo",   "namgyal", "wangchuk",
	"choedon",  "dhondhup", "thinley", "tsewang", "losang",
};

static bool is_tibetan_han(struct strview v, size_t n_han)
{
	if (n_han < 4)
		return false;
	for (size_t k = 0; k < sizeof(tibetan_han) / sizeof(char *); k++)
		if (sv_starts(v, tibetan_han[k]))
			return true;
	return false;
}

/* Every word of v a Tibetan name element. */
static bool is_tibetan_latin(struct strview v)
{
	size_t i = 0;

	while (i < v.len) {
		size_t j = i, k;

		while (j < v.len && v.p[j] != ' ')
			j++;
		for (k = 0; k < sizeof(tibetan_latin) / sizeof(char *); k++)
			if (sv_ieqs(svn(v.p + i, j - i), tibetan_latin[k]))
				break;
		if (k == sizeof(tibetan_latin) / sizeof(char *))
			return false;
		i = j + 1;
	}
	return v.len > 0;
}

/* 王伟, 欧阳娜娜, 王, 欧阳. */
static bool split_han(struct strview v, struct strview *f, struct strview *g)
{
	size_t n = count_han(v), two, one;
	const struct surname *s;

	if (n == 0 || is_tibetan_han(v, n))
		return false;
	one = cp_bytes(v, 1);
	two = cp_bytes(v, 2);
	s = n >= 2 ? surname_find(svn(v.p, two)) : NULL;
	*f = svn(v.p, s && s->n_han == 2 ? two : one);
	*g = svn(v.p + f->len, v.len - f->len);
	return true;
}

/* A word of Latin letters (with - ' . inside), any case. */
static bool is_latin_word(struct strview w)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < w.len) {
		n = utf8_decode(w.p + i, w.len - i, &cp);
		if (n == 0 || !(cp == '-' || cp == '\'' || cp == '.' ||
				(cp < 0x250 && text_is_letter(cp))))
			return false;
		i += n;
	}
	return has_letter(w);
}

/* Capitals only, two at least: the family-name marker of ZHANG Wei. */
static bool is_caps(struct strview w)
{
	size_t caps = 0;

	for (size_t i = 0; i < w.len; i++) {
		if (w.p[i] >= 'a' && w.p[i] <= 'z')
			return false;
		caps += w.p[i] >= 'A' && w.p[i] <= 'Z';
	}
	return caps >= 2;
}

static bool has_lower(struct strview v)
{
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] >= 'a' && v.p[i] <= 'z')
			return true;
	return false;
}

static bool is_compound(struct strview w)
{
	const struct surname *e = surname_find(w);

	return e && e->compound;
}

/* Rules 2 to 5 of name.h: is the first word the family name? */
static bool latin_family_first(struct strview all, struct strview first,
			       struct strview last)
{
	unsigned r0, r1;
	bool h0, h1;

	if (has_lower(all) && is_caps(first) != is_caps(last))
		return is_caps(first);
	/* Sima Qian: a compound surname beats a single one. */
	if (is_compound(first) != is_compound(last))
		return is_compound(first);
	/* Lee Ka-shing: Cantonese and Wade-Giles join the syllables of a
	 * given name with a hyphen; the other word is the family name. */
	h0 = memchr(first.p, '-', first.len) != NULL;
	h1 = memchr(last.p, '-', last.len) != NULL;
	if (h0 != h1)
		return h1;
	r0 = name_surname_rank(first);
	r1 = name_surname_rank(last);
	return r0 && (!r1 || r0 <= r1);
}

/* Every word Latin, or Han at one end: "王 David". */
static bool words_ok(struct strview v)
{
	size_t i = 0;

	while (i < v.len) {
		size_t j = i;

		while (j < v.len && v.p[j] != ' ')
			j++;
		if (j > i && !is_latin_word(svn(v.p + i, j - i)) &&
		    !count_han(svn(v.p + i, j - i)))
			return false;
		i = j + 1;
	}
	return true;
}

/* "Si Ma Qian", "Zhu Ge Liang": a compound surname written as two words
 * at the start of three or more. */
static bool two_word_compound(struct strview v, struct strview *f,
			      struct strview *g)
{
	const char *sp1 = memchr(v.p, ' ', v.len), *sp2;
	char key[24];
	size_t a, b;

	if (!sp1)
		return false;
	a = (size_t)(sp1 - v.p);
	sp2 = memchr(sp1 + 1, ' ', v.len - a - 1);
	if (!sp2)
		return false;
	b = (size_t)(sp2 - sp1 - 1);
	if (a + b >= sizeof(key))
		return false;
	memcpy(key, v.p, a);
	memcpy(key + a, sp1 + 1, b);
	if (!is_compound(svn(key, a + b)))
		return false;
	*f = svn(v.p, (size_t)(sp2 - v.p));
	*g = sv_trim(svn(sp2 + 1, v.len - (size_t)(sp2 + 1 - v.p)));
	return g->len > 0;
}

static bool split_words(struct strview v, struct strview *f, struct strview *g)
{
	const char *sp = memchr(v.p, ' ', v.len);
	struct strview first, last;
	size_t end = v.len; /* last word starts at end */
	bool family_first;

	if (!sp || !words_ok(v) || is_tibetan_latin(v))
		return false;
	while (v.p[end - 1] != ' ')
		end--;
	if (two_word_compound(v, f, g))
		return true;
	first = svn(v.p, (size_t)(sp - v.p));
	last = svn(v.p + end, v.len - end);
	if (count_han(first) || count_han(last))
		family_first = count_han(first) != 0;
	else
		family_first = latin_family_first(v, first, last);
	if (family_first) {
		*f = first;
		*g = sv_trim(svn(sp + 1, v.len - first.len - 1));
	} else {
		*f = last;
		*g = sv_trim(svn(v.p, end - 1));
	}
	return true;
}

bool name_split(struct strview name, struct buf *family, struct buf *given)
{
	struct strview v = sv_trim(name), f, g;
	size_t fl = family->len, gl = given->len;

	if (v.len == 0)
		return false;
	if (!split_dot(v, &f, &g) && !split_comma(v, &f, &g) &&
	    !split_han(v, &f, &g) && !split_words(v, &f, &g))
		return false;
	if (buf_addsv(family, f) < 0 || buf_addsv(given, g) < 0) {
		buf_truncate(family, fl);
		buf_truncate(given, gl);
		return false;
	}
	return true;
}

int name_compose(struct strview family, struct strview given, struct buf *out)
{
	size_t start = out->len;
	struct strview f = sv_trim(family), g = sv_trim(given);

	if (!f.len || !g.len)
		return buf_addsv(out, f.len ? f : g);
	if (text_is_cjk(last_cp(f)) && text_is_cjk(first_cp(g))) {
		if (buf_addsv(out, f) == 0 && buf_addsv(out, g) == 0)
			return 0;
	} else if (buf_addsv(out, g) == 0 && buf_addc(out, ' ') == 0 &&
		   buf_addsv(out, f) == 0) {
		return 0;
	}
	buf_truncate(out, start);
	return -1;
}

const char *name_result_str(enum name_result r)
{
	static const char *const str[] = {
		[NAME_OK] = "ok",
		[NAME_EMPTY] = "empty",
		[NAME_INVALID_UTF8] = "invalid UTF-8",
		[NAME_TOO_LONG] = "too long",
		[NAME_NO_LETTERS] = "no letters",
		[NAME_DIGITS] = "contains digits",
	};

	if ((unsigned)r >= sizeof(str) / sizeof(str[0]))
		return "unknown";
	return str[r];
}
