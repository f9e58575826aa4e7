/*
 * date: a small scanner over the folded input tries each date shape in
 * turn, then an optional time and zone; the calendar and range checks come
 * after, so every shape shares them.
 */
#include "mappers/date.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "utf8.h"

/* Longer than any date shape we know, even with a weekday, time and zone:
 * such a value is not a date, and we need not copy it. */
#define DATE_MAX_INPUT 64

struct when {
	int y, m, d;
	int hh, mi, ss;
	char frac[10]; /* fraction of a second, digits only */
	size_t frac_len;
	int zone; /* minutes east of UTC, when has_zone */
	bool has_time;
	bool has_zone;
};

/* A cursor over the folded input. */
struct cur {
	const char *p;
	size_t len;
	size_t i;
};

/* Hyphen, dashes and minus: exports from word processors use them. */
static char fold_dash(uint32_t cp)
{
	return (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 ? '-' : 0;
}

/* Copy the trimmed input to out with full-width ASCII, the ideographic
 * space and dashes folded to ASCII. -1 when it is too long to be a date. */
static int fold(struct strview in, char *out, size_t *len)
{
	size_t i = 0, n, o = 0;
	uint32_t cp;
	char c;

	in = sv_trim(in);
	while (i < in.len) {
		if ((unsigned char)in.p[i] < 0x80) { /* most of a date */
			if (o + 1 > DATE_MAX_INPUT)
				return -1;
			out[o++] = in.p[i++];
			continue;
		}
		n = utf8_decode(in.p + i, in.len - i, &cp);
		if (n == 0)
			n = 1; /* copied as is: it will not match */
		c = 0;
		if (n == 3 && cp >= 0xFF01 && cp <= 0xFF5E)
			c = (char)(cp - 0xFF01 + 0x21);
		else if (n == 3 && cp == 0x3000)
			c = ' ';
		else if (n == 3)
			c = fold_dash(cp);
		if (o + (c ? 1 : n) > DATE_MAX_INPUT)
			return -1;
		if (c) {
			out[o++] = c;
		} else {
			memcpy(out + o, in.p + i, n);
			o += n;
		}
		i += n;
	}
	*len = o;
	return 0;
}

static bool at_end(const struct cur *c)
{
	return c->i >= c->len;
}

static int peek(const struct cur *c)
{
	return at_end(c) ? -1 : (unsigned char)c->p[c->i];
}

static bool is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static size_t skip_spaces(struct cur *c)
{
	size_t from = c->i;

	while (peek(c) == ' ' || peek(c) == '\t')
		c->i++;
	return c->i - from;
}

static bool eat(struct cur *c, char ch)
{
	if (peek(c) != (unsigned char)ch)
		return false;
	c->i++;
	return true;
}

static bool eat_lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if (c->len - c->i < n || memcmp(c->p + c->i, s, n))
		return false;
	c->i += n;
	return true;
}

/* Read up to max digits; returns how many were read (0: none). */
static size_t num(struct cur *c, size_t max, int *val)
{
	size_t n = 0;

	*val = 0;
	while (n < max && is_digit(peek(c))) {
		*val = *val * 10 + (c->p[c->i++] - '0');
		n++;
	}
	return n;
}

/* Exactly n digits, not followed by another digit. */
static bool num_exact(struct cur *c, size_t n, int *val)
{
	size_t from = c->i;

	if (num(c, n, val) == n && !is_digit(peek(c)))
		return true;
	c->i = from;
	return false;
}

/* One or two digits, not followed by another digit. */
static bool num_12(struct cur *c, int *val)
{
	size_t from = c->i, n = num(c, 2, val);

	if (n > 0 && !is_digit(peek(c)))
		return true;
	c->i = from;
	return false;
}

static struct strview word(struct cur *c)
{
	size_t from = c->i;

	while (is_alpha(peek(c)))
		c->i++;
	return svn(c->p + from, c->i - from);
}

static const char *const month_names[12] = {
	"january", "february", "march",	    "april",   "may",	   "june",
	"july",	   "august",   "september", "october", "november", "december",
};

static const char *const weekday_names[7] = {
	"monday", "tuesday",  "wednesday", "thursday",
	"friday", "saturday", "sunday",
};

/* w is a name in names: three letters at least, a prefix, any case. */
static int name_index(struct strview w, const char *const *names, int n)
{
	for (int k = 0; k < n; k++) {
		size_t j = 0;

		while (j < w.len && names[k][j] &&
		       (w.p[j] | 0x20) == names[k][j])
			j++;
		if (w.len >= 3 && j == w.len)
			return k + 1;
	}
	return 0;
}

static int month_word(struct cur *c)
{
	size_t from = c->i;
	int m = name_index(word(c), month_names, 12);

	if (!m)
		c->i = from;
	return m;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool calendar_ok(int y, int m, int d)
{
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

/*
 * Date shapes. Each returns DATE_OK with w's date set and the cursor past
 * it, or another result with the cursor where it was.
 */

/* 19850307, or 14 digits YYYYMMDDHHMMSS. */
static enum date_result shape_compact(struct cur *c, struct when *w)
{
	size_t from = c->i, n = 0;

	while (n < 15 && is_digit(peek(c)))
		c->i++, n++;
	c->i = from;
	if (n != 8 && n != 14)
		return DATE_UNRECOGNISED;
	num(c, 4, &w->y);
	num(c, 2, &w->m);
	num(c, 2, &w->d);
	if (n == 14) {
		num(c, 2, &w->hh);
		num(c, 2, &w->mi);
		num(c, 2, &w->ss);
		w->has_time = true;
	}
	return DATE_OK;
}

/* Optional spaces, then s. */
static bool spaced_lit(struct cur *c, const char *s)
{
	skip_spaces(c);
	return eat_lit(c, s);
}

/* 1985年3月7日, the 日 optional, 号 also used. */
static enum date_result shape_cjk(struct cur *c, struct when *w)
{
	size_t from = c->i;

	if (!num_exact(c, 4, &w->y) || !spaced_lit(c, "年"))
		goto fail;
	skip_spaces(c);
	if (!num_12(c, &w->m) || !spaced_lit(c, "月"))
		goto fail;
	skip_spaces(c);
	if (!num_12(c, &w->d))
		goto fail;
	skip_spaces(c);
	if (!eat_lit(c, "日") && !eat_lit(c, "号"))
		eat_lit(c, "號");
	return DATE_OK;
fail:
	c->i = from;
	return DATE_UNRECOGNISED;
}

static bool eat_sep(struct cur *c)
{
	return eat(c, '-') || eat(c, '/') || eat(c, '.');
}

/* Day and month of a/b/yyyy, by value first, then by hint. */
static enum date_result day_month(int a, int b, enum date_order hint,
				  struct when *w)
{
	bool dmy;

	if (a > 12 && b > 12)
		return DATE_IMPOSSIBLE;
	if (a > 12 || b > 12)
		dmy = a > 12;
	else if (a == b || hint != DATE_ORDER_NONE)
		dmy = hint != DATE_ORDER_MDY;
	else
		return DATE_AMBIGUOUS;
	w->d = dmy ? a : b;
	w->m = dmy ? b : a;
	return DATE_OK;
}

/* 1985-03-07, 1985/3/7, 1985.03.07, 07/03/1985, 3.7.1985. */
static enum date_result shape_numeric(struct cur *c, enum date_order hint,
				      struct when *w)
{
	size_t from = c->i, n1, n2, n3;
	int a, b, y;

	n1 = num(c, 5, &a);
	if (!n1 || !eat_sep(c) || !(n2 = num(c, 3, &b)) || !eat_sep(c) ||
	    !(n3 = num(c, 5, &y)) || is_digit(peek(c)) || n2 > 2) {
		c->i = from;
		return DATE_UNRECOGNISED;
	}
	if (n1 == 4 && n3 <= 2) {
		w->y = a, w->m = b, w->d = y;
		return DATE_OK;
	}
	if (n1 <= 2 && n3 == 4) {
		w->y = y;
		return day_month(a, b, hint, w);
	}
	c->i = from;
	return n1 <= 2 && n3 == 2 ? DATE_TWO_DIGIT_YEAR : DATE_UNRECOGNISED;
}

static void skip_seps(struct cur *c)
{
	while (peek(c) == ' ' || peek(c) == '-' || peek(c) == '/' ||
	       peek(c) == '.' || peek(c) == ',')
		c->i++;
}

/* "Thu, " before an English date. */
static void skip_weekday(struct cur *c)
{
	size_t from = c->i;

	if (!name_index(word(c), weekday_names, 7)) {
		c->i = from;
		return;
	}
	eat(c, ',');
	skip_spaces(c);
}

/* Mar 7, 1985 and March 07 1985. */
static bool month_first(struct cur *c, struct when *w)
{
	if (!(w->m = month_word(c)))
		return false;
	skip_seps(c);
	if (!num_12(c, &w->d))
		return false;
	skip_seps(c);
	return num_exact(c, 4, &w->y);
}

/* 07-Mar-1985, 7 March 1985 and 1985-Mar-07. */
static bool number_first(struct cur *c, struct when *w)
{
	size_t n1, n3;
	bool year_first;
	int a, b;

	n1 = num(c, 4, &a);
	if (!n1 || is_digit(peek(c)))
		return false;
	skip_seps(c);
	if (!(w->m = month_word(c)))
		return false;
	skip_seps(c);
	n3 = num(c, 4, &b);
	if (is_digit(peek(c)))
		return false;
	year_first = n1 == 4 && n3 >= 1 && n3 <= 2;
	if (!year_first && !(n1 <= 2 && n3 == 4))
		return false;
	w->d = year_first ? b : a;
	w->y = year_first ? a : b;
	return true;
}

/* English month names, after an optional weekday. */
static enum date_result shape_named(struct cur *c, struct when *w)
{
	size_t from = c->i;

	skip_weekday(c);
	if (is_alpha(peek(c)) ? month_first(c, w) : number_first(c, w))
		return DATE_OK;
	c->i = from;
	return DATE_UNRECOGNISED;
}

/*
 * The time and zone after a date.
 */

/* 1 for AM, 2 for PM, 0 for none. */
static int meridiem(struct cur *c)
{
	size_t from = c->i;
	struct strview w;

	if (eat_lit(c, "上午"))
		return 1;
	if (eat_lit(c, "下午"))
		return 2;
	w = word(c);
	if (sv_ieqs(w, "am"))
		return 1;
	if (sv_ieqs(w, "pm"))
		return 2;
	c->i = from;
	return 0;
}

/* Z, UTC, GMT, +08, +0800, +08:00, UTC+8. */
static enum date_result zone(struct cur *c, struct when *w)
{
	int sign, h, m = 0;

	if (eat(c, 'Z') || eat_lit(c, "UTC") || eat_lit(c, "GMT")) {
		w->has_zone = true;
		w->zone = 0;
		if (peek(c) != '+' && peek(c) != '-')
			return DATE_OK;
	}
	if (!eat(c, '+') && !eat(c, '-'))
		return DATE_OK;
	sign = c->p[c->i - 1] == '-' ? -1 : 1;
	if (!num(c, 2, &h))
		return DATE_UNRECOGNISED;
	if (eat(c, ':')) {
		if (!num_exact(c, 2, &m))
			return DATE_UNRECOGNISED;
	} else {
		num(c, 2, &m); /* +0800 or +08 */
	}
	if (h > 14 || m > 59)
		return DATE_BAD_TIME;
	w->has_zone = true;
	w->zone = sign * (h * 60 + m);
	return DATE_OK;
}

static enum date_result clock_ok(struct when *w, int mer)
{
	if (mer) {
		if (w->hh < 1 || w->hh > 12)
			return DATE_BAD_TIME;
		w->hh = w->hh % 12 + (mer == 2 ? 12 : 0);
	}
	if (w->hh > 23 || w->mi > 59 || w->ss > 59)
		return DATE_BAD_TIME;
	return DATE_OK;
}

/* [AM] H:MM[:SS[.fff]] [AM] [zone], to the end of the input. */
static enum date_result time_part(struct cur *c, struct when *w)
{
	int mer = meridiem(c), f;
	enum date_result r;

	skip_spaces(c);
	if (!num_12(c, &w->hh) || !eat(c, ':') || !num_exact(c, 2, &w->mi))
		return DATE_UNRECOGNISED;
	if (eat(c, ':') && !num_exact(c, 2, &w->ss))
		return DATE_UNRECOGNISED;
	if (eat(c, '.') || eat(c, ',')) {
		size_t from = c->i;

		w->frac_len = num(c, 9, &f);
		memcpy(w->frac, c->p + from, w->frac_len);
		if (!w->frac_len || is_digit(peek(c)))
			return DATE_UNRECOGNISED;
	}
	w->has_time = true;
	skip_spaces(c);
	if (!mer)
		mer = meridiem(c);
	skip_spaces(c);
	if ((r = zone(c, w)) != DATE_OK)
		return r;
	skip_spaces(c);
	return at_end(c) ? clock_ok(w, mer) : DATE_UNRECOGNISED;
}

static enum date_result tail(struct cur *c, struct when *w)
{
	enum date_result r;

	if (at_end(c))
		return DATE_OK;
	if (w->has_time) { /* 14 digits may carry a zone */
		if ((r = zone(c, w)) != DATE_OK)
			return r;
		return at_end(c) ? clock_ok(w, 0) : DATE_UNRECOGNISED;
	}
	if (!eat(c, 'T') && !skip_spaces(c))
		return DATE_UNRECOGNISED;
	return time_part(c, w);
}

/* n digits at p as a number, or -1 when one of them is not a digit. */
static int digits(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static bool is_date_sep(char c)
{
	return c == '-' || c == '/' || c == '.';
}

/*
 * The usual shapes, read without folding: YYYY-M-D (any of - / . between
 * the parts, the month and day one or two digits), alone or followed by
 * one space or T and HH:MM:SS. Fills w as the general scanner would and
 * returns true; false (w untouched) for anything else, which the general
 * scanner reads. Only ASCII digits at both ends, so nothing to trim.
 */
static bool parse_usual(struct strview in, struct when *w)
{
	const char *p = in.p;
	size_t n = in.len, i = 5, m_len, d_len;
	int y, m, d, hh, mi, ss;

	if (n < 8 || n > 19 || !is_date_sep(p[4]) || (y = digits(p, 4)) < 0)
		return false;
	m_len = i + 1 < n && is_digit((unsigned char)p[i + 1]) ? 2 : 1;
	if ((m = digits(p + i, m_len)) < 0)
		return false;
	i += m_len;
	if (i >= n || !is_date_sep(p[i]))
		return false;
	i++;
	d_len = i + 1 < n && is_digit((unsigned char)p[i + 1]) ? 2 : 1;
	if (i + d_len > n || (d = digits(p + i, d_len)) < 0)
		return false;
	i += d_len;
	if (i == n) {
		hh = mi = ss = 0;
	} else if (n - i == 9 && (p[i] == ' ' || p[i] == 'T') &&
		   p[i + 3] == ':' && p[i + 6] == ':' &&
		   (hh = digits(p + i + 1, 2)) >= 0 &&
		   (mi = digits(p + i + 4, 2)) >= 0 &&
		   (ss = digits(p + i + 7, 2)) >= 0) {
		w->has_time = true;
	} else {
		return false;
	}
	w->y = y, w->m = m, w->d = d;
	w->hh = hh, w->mi = mi, w->ss = ss;
	return true;
}

/* Any shape, then the tail, then the calendar. */
static enum date_result parse_general(struct strview in, enum date_order hint,
				      struct when *w)
{
	char text[DATE_MAX_INPUT];
	struct cur c = {text, 0, 0};
	enum date_result r;

	memset(w, 0, sizeof(*w));
	if (fold(in, text, &c.len) < 0)
		return DATE_UNRECOGNISED;
	if (c.len == 0)
		return DATE_EMPTY;
	if ((r = shape_compact(&c, w)) != DATE_OK &&
	    (r = shape_cjk(&c, w)) != DATE_OK &&
	    (r = shape_numeric(&c, hint, w)) == DATE_UNRECOGNISED)
		r = shape_named(&c, w);
	if (r != DATE_OK)
		return r;
	if ((r = tail(&c, w)) != DATE_OK)
		return r;
	return calendar_ok(w->y, w->m, w->d) ? DATE_OK : DATE_IMPOSSIBLE;
}

/* parse_usual off: tests compare it with the general scanner. */
static bool usual_off;

void date_fast_path(bool on)
{
	usual_off = !on;
}

/* parse_usual when it can, else parse_general: the same answer. */
static enum date_result parse(struct strview in, enum date_order hint,
			      struct when *w)
{
	enum date_result r;

	memset(w, 0, sizeof(*w));
	if (usual_off || !parse_usual(in, w))
		return parse_general(in, hint, w);
	if (w->has_time && (r = clock_ok(w, 0)) != DATE_OK)
		return r;
	return calendar_ok(w->y, w->m, w->d) ? DATE_OK : DATE_IMPOSSIBLE;
}

/*
 * Output.
 */

static char *put(char *o, int v, int width)
{
	for (int k = width - 1; k >= 0; k--, v /= 10)
		o[k] = (char)('0' + v % 10);
	return o + width;
}

static void write_date(const struct when *w, struct buf *out)
{
	char s[10], *o = s;

	o = put(o, w->y, 4);
	*o++ = '-';
	o = put(o, w->m, 2);
	*o++ = '-';
	put(o, w->d, 2);
	buf_add(out, s, sizeof(s));
}

static void write_timestamp(const struct when *w, struct buf *out)
{
	char s[40], *o = s;
	int z = w->zone < 0 ? -w->zone : w->zone;

	write_date(w, out);
	if (!w->has_time)
		return;
	*o++ = 'T';
	o = put(o, w->hh, 2);
	*o++ = ':';
	o = put(o, w->mi, 2);
	*o++ = ':';
	o = put(o, w->ss, 2);
	if (w->frac_len) {
		*o++ = '.';
		memcpy(o, w->frac, w->frac_len);
		o += w->frac_len;
	}
	if (w->has_zone) {
		*o++ = w->zone < 0 ? '-' : '+';
		o = put(o, z / 60, 2);
		*o++ = ':';
		o = put(o, z % 60, 2);
	}
	buf_add(out, s, (size_t)(o - s));
}

static long ymd(const struct when *w)
{
	return (long)w->y * 10000 + w->m * 100 + w->d;
}

enum date_result date_normalize(struct strview in, enum date_order hint,
				struct buf *out)
{
	struct when w;
	enum date_result r = parse(in, hint, &w);

	if (r != DATE_OK)
		return r;
	if (w.y < 1900)
		return DATE_BEFORE_1900;
	if (ymd(&w) > date_today())
		return DATE_FUTURE;
	write_date(&w, out);
	return DATE_OK;
}

/* Move w's date by one day forward (+1) or back (-1). */
static void add_day(struct when *w, int step)
{
	w->d += step;
	if (w->d > days_in_month(w->y, w->m)) {
		w->d = 1;
		if (++w->m > 12) {
			w->m = 1;
			w->y++;
		}
	} else if (w->d < 1) {
		if (--w->m < 1) {
			w->m = 12;
			w->y--;
		}
		w->d = days_in_month(w->y, w->m);
	}
}

enum date_result date_normalize_at(struct strview in, enum date_order hint,
				   int zone, struct buf *out, bool *moved)
{
	struct when w;
	enum date_result r = parse(in, hint, &w);
	int minutes;

	*moved = false;
	if (r != DATE_OK)
		return r;
	if (w.has_time && w.has_zone && w.zone != zone) {
		minutes = w.hh * 60 + w.mi - w.zone + zone;
		if (minutes >= 24 * 60 || minutes < 0) {
			add_day(&w, minutes < 0 ? -1 : 1);
			*moved = true;
		}
	}
	if (w.y < 1900)
		return DATE_BEFORE_1900;
	if (ymd(&w) > date_today())
		return DATE_FUTURE;
	write_date(&w, out);
	return DATE_OK;
}

enum date_result timestamp_normalize(struct strview in, enum date_order hint,
				     struct buf *out)
{
	struct when w;
	enum date_result r = parse(in, hint, &w);

	if (r != DATE_OK)
		return r;
	if (w.y < 1900)
		return DATE_BEFORE_1900;
	write_timestamp(&w, out);
	return DATE_OK;
}

/*
 * date_parse_format.
 */

/* Does fmt (just after a conversion) start with a numeric conversion? */
static bool next_is_number(const char *fmt)
{
	return fmt[0] == '%' && fmt[1] && strchr("YymdHMS", fmt[1]);
}

/* %y: the latest year ending in yy that is not after this year. */
static int pivot_year(int yy)
{
	int now = (int)(date_today() / 10000);
	int y = now - now % 100 + yy;

	return y > now ? y - 100 : y;
}

static bool convert(struct cur *c, char spec, const char *rest, struct when *w)
{
	bool packed = next_is_number(rest);
	int *field;

	switch (spec) {
	case 'Y':
		return packed ? num(c, 4, &w->y) == 4 : num_exact(c, 4, &w->y);
	case 'y':
		if (packed ? num(c, 2, &w->y) != 2 : !num_exact(c, 2, &w->y))
			return false;
		w->y = pivot_year(w->y);
		return true;
	case 'b':
		return (w->m = month_word(c)) != 0;
	case '%':
		return eat(c, '%');
	case 'm':
		field = &w->m;
		break;
	case 'd':
		field = &w->d;
		break;
	case 'H':
		field = &w->hh;
		w->has_time = true;
		break;
	case 'M':
		field = &w->mi;
		break;
	case 'S':
		field = &w->ss;
		break;
	default:
		return false;
	}
	/* Greedy, as strptime: the rest of the format must then match. */
	return num(c, 2, field) >= (packed ? 2u : 1u);
}

enum date_result date_parse_format(struct strview in, const char *fmt,
				   struct buf *out)
{
	char text[DATE_MAX_INPUT];
	struct cur c = {text, 0, 0};
	struct when w;

	memset(&w, 0, sizeof(w));
	if (fold(in, text, &c.len) < 0)
		return DATE_UNRECOGNISED;
	if (c.len == 0)
		return DATE_EMPTY;
	while (*fmt) {
		if (*fmt == '%' && fmt[1]) {
			if (!convert(&c, fmt[1], fmt + 2, &w))
				return DATE_UNRECOGNISED;
			fmt += 2;
		} else if (*fmt == ' ') {
			skip_spaces(&c);
			fmt++;
		} else if (!eat(&c, *fmt++)) {
			return DATE_UNRECOGNISED;
		}
	}
	if (!at_end(&c) || !w.y || !w.m || !w.d)
		return DATE_UNRECOGNISED;
	if (!calendar_ok(w.y, w.m, w.d))
		return DATE_IMPOSSIBLE;
	if (clock_ok(&w, 0) != DATE_OK)
		return DATE_BAD_TIME;
	write_timestamp(&w, out);
	return DATE_OK;
}

bool date_is_valid_iso(struct strview v)
{
	static const char shape[] = "dddd-dd-dd";
	int y, m, d;

	if (v.len != 10)
		return false;
	for (size_t i = 0; i < 10; i++)
		if (shape[i] == 'd' ? !is_digit(v.p[i]) : v.p[i] != '-')
			return false;
	y = atoi(v.p);
	m = (v.p[5] - '0') * 10 + v.p[6] - '0';
	d = (v.p[8] - '0') * 10 + v.p[9] - '0';
	return calendar_ok(y, m, d);
}

long date_today(void)
{
	static long today;
	const char *env;
	struct tm tm;
	time_t t;

	if (today)
		return today;
	env = getenv("MBR_TODAY");
	if (env && date_is_valid_iso(sv(env))) {
		today = atol(env) * 10000 + atol(env + 5) * 100 + atol(env + 8);
		return today;
	}
	t = time(NULL);
	localtime_r(&t, &tm);
	today = (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
		tm.tm_mday;
	return today;
}

const char *date_result_str(enum date_result r)
{
	static const char *const str[] = {
		[DATE_OK] = "ok",
		[DATE_EMPTY] = "empty",
		[DATE_UNRECOGNISED] = "not a date",
		[DATE_AMBIGUOUS] = "ambiguous day and month",
		[DATE_TWO_DIGIT_YEAR] = "two-digit year",
		[DATE_IMPOSSIBLE] = "no such date",
		[DATE_BAD_TIME] = "no such time",
		[DATE_FUTURE] = "in the future",
		[DATE_BEFORE_1900] = "before 1900",
	};

	if ((unsigned)r >= sizeof(str) / sizeof(str[0]))
		return "unknown";
	return str[r];
}

long long date_days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}
