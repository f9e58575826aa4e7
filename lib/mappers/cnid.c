/*
 * cnid: mainland resident ID numbers, GB 11643-1999. See cnid.h.
 *
 * cnid_normalize() first compacts the value into a small ASCII array
 * (digits, X, and the . E + of a spreadsheet float), then deals with
 * floats, upgrades 15-digit IDs, and leaves the rest to cnid_check().
 */
#include "mappers/cnid.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "mappers/division.h"
#include "utf8.h"

/* Longer than any ID or float rendering of one; more is a bad length. */
#define MAX_COMPACT 32

/* The oldest people alive when resident IDs were first issued (1984). */
#define MIN_BIRTH_YEAR 1880

struct compact {
	char s[MAX_COMPACT]; /* ASCII: 0-9, X, and . E e + */
	size_t n;
};

static const char *const result_names[] = {
	[CNID_OK] = "ok",
	[CNID_EMPTY] = "empty",
	[CNID_BAD_LENGTH] = "bad length",
	[CNID_BAD_CHAR] = "bad character",
	[CNID_BAD_CHECKSUM] = "bad checksum",
	[CNID_BAD_DATE] = "bad date",
	[CNID_BAD_AREA] = "bad area",
	[CNID_PRECISION_LOST] = "precision lost",
	[CNID_NOT_CN] = "not a mainland ID",
	[CNID_AREA_UNKNOWN] = "area unknown",
};

const char *cnid_result_str(enum cnid_result r)
{
	if ((unsigned)r < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[r];
	return "invalid";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(p[i]))
			return false;
	return true;
}

static bool all_zeros(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '0')
			return false;
	return true;
}

static unsigned digits_value(const char *p, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v;
}

char cnid_check_char(const char *first17)
{
	/* GB 11643-1999: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; the
	 * sum mod 11 indexes "10X98765432" to give the check character. */
	static const unsigned char weights[17] = {7, 9, 10, 5,	8, 4, 2, 1, 6,
						  3, 7, 9,  10, 5, 8, 4, 2};
	unsigned sum = 0;

	for (int i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return '\0';
		sum += (unsigned)(first17[i] - '0') * weights[i];
	}
	return "10X98765432"[sum % 11];
}

/* Today as YYYYMMDD, computed once: nobody is born in the future. */
static unsigned today(void)
{
	static unsigned ymd;
	time_t t;
	struct tm tm;

	if (!ymd) {
		t = time(NULL);
		if (localtime_r(&t, &tm))
			ymd = (unsigned)(tm.tm_year + 1900) * 10000 +
			      (unsigned)(tm.tm_mon + 1) * 100 +
			      (unsigned)tm.tm_mday;
	}
	return ymd ? ymd : 99991231;
}

/* Is YYYYMMDD at p (8 digits) a real date from MIN_BIRTH_YEAR to today? */
static bool date_ok(const char *p)
{
	static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30,
						31, 31, 30, 31, 30, 31};
	unsigned y = digits_value(p, 4), m = digits_value(p + 4, 2);
	unsigned d = digits_value(p + 6, 2);
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < MIN_BIRTH_YEAR || m < 1 || m > 12 || d < 1)
		return false;
	if (d > mdays[m - 1] + (unsigned)(m == 2 && leap))
		return false;
	return y * 10000 + m * 100 + d <= today();
}

enum cnid_result cnid_check(struct strview id)
{
	if (id.len != 18)
		return CNID_BAD_LENGTH;
	if (!all_digits(id.p, 17) || (!is_digit(id.p[17]) && id.p[17] != 'X'))
		return CNID_BAD_CHAR;
	if (cnid_check_char(id.p) != id.p[17])
		/* Excel keeps 15 significant digits and pads with zeros. */
		return memcmp(id.p + 15, "000", 3) ? CNID_BAD_CHECKSUM
						   : CNID_PRECISION_LOST;
	if (!division_is_province_code(digits_value(id.p, 6)))
		return CNID_BAD_AREA;
	if (!date_ok(id.p + 6))
		return CNID_BAD_DATE;
	return CNID_OK;
}

bool cnid_is_valid(struct strview id18)
{
	return cnid_check(id18) == CNID_OK;
}

enum cnid_result cnid_area_check(struct strview id)
{
	unsigned code;

	if (id.len < 6 || !all_digits(id.p, 6))
		return CNID_BAD_AREA;
	code = digits_value(id.p, 6);
	if (!division_is_province_code(code))
		return CNID_BAD_AREA;
	/* Residence permits of Hong Kong, Macau and Taiwan residents. */
	if (code == 810000 || code == 820000 || code == 830000)
		return CNID_OK;
	return division_by_code(code) ? CNID_OK : CNID_AREA_UNKNOWN;
}

/* Full-width ASCII to ASCII; spaces and invisible characters to ' '. */
static uint32_t fold_cp(uint32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return cp - 0xFF01 + 0x21;
	if (cp == '\t' || cp == 0x00A0 || cp == 0x3000 ||
	    (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    cp == 0x2060 || cp == 0xFEFF)
		return ' ';
	return cp;
}

static bool is_latin(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* Digits, X, and what a float adds: . E e + */
static bool is_id_char(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || cp == 'X' || cp == '.' ||
	       cp == 'E' || cp == 'e' || cp == '+';
}

/* Fold v into c: digits, X, and . E e + for the float checks; spaces and
 * a leading apostrophe (Excel's text marker) dropped. */
static enum cnid_result compact(struct strview v, struct compact *c)
{
	size_t i, k;
	uint32_t cp;

	c->n = 0;
	for (i = 0; i < v.len; i += k) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		if (k == 0)
			return CNID_BAD_CHAR;
		if (cp >= 0x80 || cp == '\t') /* fold_cp keeps other ASCII */
			cp = fold_cp(cp);
		if (cp == ' ' || (cp == '\'' && c->n == 0))
			continue;
		if (c->n == 0 && is_latin(cp))
			return CNID_NOT_CN;
		if (cp == 'x')
			cp = 'X';
		if (!is_id_char(cp))
			return CNID_BAD_CHAR;
		if (c->n == MAX_COMPACT)
			return CNID_BAD_LENGTH;
		c->s[c->n++] = (char)cp;
	}
	return c->n ? CNID_OK : CNID_EMPTY;
}

/* 4.40106E+17: d[.ddd]E[+]dd. */
static bool is_scientific(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 3 || !is_digit(s[0]))
		return false;
	if (s[i] == '.')
		for (i++; i < n && is_digit(s[i]); i++)
			;
	if (i >= n || (s[i] != 'E' && s[i] != 'e'))
		return false;
	if (++i < n && s[i] == '+')
		i++;
	return i < n && all_digits(s + i, n - i);
}

/* A spreadsheet float: scientific notation, or digits and ".0". Strips
 * the ".0" of a 15-digit ID (exact in a double); an 18-digit one is not
 * (a double holds 15-16 digits). CNID_OK when c holds no float marks. */
static enum cnid_result unfloat(struct compact *c)
{
	const char *dotp = memchr(c->s, '.', c->n);
	size_t dot = dotp ? (size_t)(dotp - c->s) : c->n;

	if (is_scientific(c->s, c->n))
		return CNID_PRECISION_LOST;
	if (dotp && dot > 0 && dot + 1 < c->n && all_digits(c->s, dot) &&
	    all_zeros(c->s + dot + 1, c->n - dot - 1)) {
		c->n = dot;
		if (dot == 18)
			return CNID_PRECISION_LOST;
	}
	for (size_t i = 0; i < c->n; i++)
		if (!is_digit(c->s[i]) && c->s[i] != 'X')
			return CNID_BAD_CHAR;
	return CNID_OK;
}

/* GB 11643-1999 appendix: a 15-digit ID (YYMMDD birth date, no check
 * character) becomes 18 digits: "19" before the year, then the check
 * character of the 17 digits. */
static enum cnid_result upgrade(struct compact *c)
{
	if (!all_digits(c->s, 15))
		return CNID_BAD_CHAR;
	memmove(c->s + 8, c->s + 6, 9);
	memcpy(c->s + 6, "19", 2);
	c->s[17] = cnid_check_char(c->s);
	c->n = 18;
	return CNID_OK;
}

static bool plain_off; /* compact_plain: off for the tests */

/* Most IDs: 15 or 18 ASCII digits, the 18th maybe X or x. compact()
 * would copy them as they are (x made X), and unfloat() find no float in
 * them: false for anything else. */
static bool compact_plain(struct strview v, struct compact *c)
{
	if ((v.len != 18 && v.len != 15) || plain_off)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		if (is_digit(v.p[i]))
			c->s[i] = v.p[i];
		else if (i == 17 && (v.p[i] == 'X' || v.p[i] == 'x'))
			c->s[i] = 'X';
		else
			return false;
	}
	c->n = v.len;
	return true;
}

void cnid_fast(bool on)
{
	plain_off = !on;
}

enum cnid_result cnid_normalize(struct strview in, struct buf *out)
{
	struct strview v = sv_trim(in);
	struct compact c;
	enum cnid_result r = CNID_OK;

	if (!compact_plain(v, &c)) {
		r = compact(v, &c);
		if (r == CNID_OK)
			r = unfloat(&c);
	}
	if (r == CNID_OK && c.n == 15)
		r = upgrade(&c);
	if (r == CNID_OK)
		r = cnid_check(svn(c.s, c.n));
	if (r == CNID_OK && buf_add(out, c.s, c.n) < 0)
		r = CNID_BAD_LENGTH;
	return r;
}

/* id_type values, compared after folding (upper case ASCII, no spaces,
 * '_' and '-', full width folded): what member systems write. */
static const char *const ric_types[] = {
	"CNRIC",      "RIC",	    "ID",
	"IDCARD",     "IDNO",	    "IDNUMBER",
	"CNID",	      "1",	    "01",
	"111",	      "A",	    "身份证",
	"居民身份证", "二代身份证", "第二代居民身份证",
	"身份证号",   "身份证号码", "身份證",
	"居民身份證", "大陆身份证", "中国居民身份证",
};

static const char *const other_types[] = {
	"PASSPORT",
	"PP",
	"护照",
	"護照",
	"港澳通行证",
	"往来港澳通行证",
	"台胞证",
	"台湾居民来往大陆通行证",
	"回乡证",
	"港澳居民来往内地通行证",
	"军官证",
	"士兵证",
	"外国人永久居留证",
	"HKID",
	"MOID",
	"TWID",
	"香港身份证",
	"澳门身份证",
	"2",
	"3",
	"4",
	"5",
	"6",
	"7",
	"8",
	"9",
	"02",
	"03",
	"04",
	"05",
	"06",
	"07",
	"08",
	"09",
	"OTHER",
	"其他",
};

static bool in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(key, list[i]))
			return true;
	return false;
}

enum cnid_type cnid_type_of(struct strview t)
{
	char key[64];
	size_t i, k, n = 0;
	uint32_t cp;

	for (i = 0; i < t.len; i += k) {
		k = utf8_decode(t.p + i, t.len - i, &cp);
		if (k == 0)
			return CNID_TYPE_UNKNOWN;
		cp = fold_cp(cp);
		if (cp == ' ' || cp == '_' || cp == '-' || cp == '.')
			continue;
		if (cp >= 'a' && cp <= 'z')
			cp -= 'a' - 'A';
		if (n + k >= sizeof(key))
			return CNID_TYPE_UNKNOWN;
		if (cp < 0x80)
			key[n++] = (char)cp;
		else
			for (size_t j = 0; j < k; j++)
				key[n++] = t.p[i + j];
	}
	key[n] = '\0';
	if (n == 0)
		return CNID_TYPE_NONE;
	if (in_list(key, ric_types, sizeof(ric_types) / sizeof(ric_types[0])))
		return CNID_TYPE_RIC;
	if (in_list(key, other_types,
		    sizeof(other_types) / sizeof(other_types[0])))
		return CNID_TYPE_OTHER;
	return CNID_TYPE_UNKNOWN;
}

bool cnid_is_shaped(struct strview v)
{
	struct compact c;

	if (compact(sv_trim(v), &c) != CNID_OK || (c.n != 15 && c.n != 18))
		return false;
	return all_digits(c.s, c.n - 1) &&
	       (is_digit(c.s[c.n - 1]) || (c.n == 18 && c.s[17] == 'X'));
}

void cnid_birth_date(struct strview id, char out[11])
{
	out[0] = '\0';
	if (id.len < 14 || !all_digits(id.p + 6, 8))
		return;
	memcpy(out, id.p + 6, 4);
	out[4] = '-';
	memcpy(out + 5, id.p + 10, 2);
	out[7] = '-';
	memcpy(out + 8, id.p + 12, 2);
	out[10] = '\0';
}

char cnid_gender(struct strview id)
{
	if (id.len < 17 || !is_digit(id.p[16]))
		return '\0';
	return (id.p[16] - '0') % 2 ? 'M' : 'F';
}
