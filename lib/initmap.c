/*
 * initmap: sniff an export and guess its mapping.
 */
#include "initmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canon.h"
#include "csvio.h"
#include "datafile.h"
#include "encoding.h"
#include "mappers/cnid.h"
#include "mappers/date.h"

#define MAX_DISTINCT 12 /* more distinct values: not a code column */
#define MAX_FORMATS 8
#define HEAD_BYTES 65536

struct syn {
	char *norm; /* owned: the folded name */
	const char *shown;
	int field;
};

struct initmap_names {
	char *text; /* owned copy the shown names point into */
	struct syn *s;
	size_t n;
};

/* Fold for comparison: ASCII lower case; spaces, _ - . dropped. */
static char *fold(const char *s)
{
	char *o = xcalloc(strlen(s) + 1, 1), *q = o;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t')
			continue;
		*q++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return o;
}

static int field_by_name(const char *s)
{
	if (!strcmp(s, "key"))
		return INITMAP_KEY;
	return canon_lookup(sv(s));
}

void initmap_names_free(struct initmap_names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		free(n->s[i].norm);
	free(n->s);
	free(n->text);
	free(n);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

struct initmap_names *initmap_names_parse(const char *text, const char *path,
					  struct mbr_err *err)
{
	struct initmap_names *n = xcalloc(1, sizeof(*n));
	char *line = NULL, *next;
	unsigned no = 0;

	n->text = xstrdup(text);
	for (line = n->text; line; line = next) {
		char *tab, *name, *tok, *save = NULL;
		int f;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		if (!*trim(line) || *trim(line) == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab)
			goto bad;
		*tab = '\0';
		name = trim(line);
		f = field_by_name(name);
		if (f < 0 || (f <= CF_SOURCE_ROW && f != INITMAP_KEY)) {
			mbr_fail(err, MBR_ECONFIG,
				 "%s:%u: '%s' is not a canonical field (or "
				 "key)",
				 path, no, name);
			goto fail;
		}
		for (tok = strtok_r(tab + 1, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			char *t = trim(tok);

			if (!*t)
				continue;
			n->s = xrealloc(n->s, (n->n + 1) * sizeof(*n->s));
			n->s[n->n].norm = fold(t);
			n->s[n->n].shown = t;
			n->s[n->n].field = f;
			n->n++;
		}
	}
	return n;
bad:
	mbr_fail(err, MBR_ECONFIG, "%s:%u: expected FIELD<tab>name, name, ...",
		 path, no);
fail:
	initmap_names_free(n);
	return NULL;
}

/* May a synonym count when a longer column name holds it? Two CJK
 * characters (six bytes) or five letters. */
static bool containable(const char *norm)
{
	size_t len = strlen(norm);

	if ((unsigned char)norm[0] >= 0x80)
		return len >= 6;
	return len >= 5;
}

int initmap_name_field(const struct initmap_names *n, const char *name,
		       const char **syn)
{
	char *f = fold(name);
	int best = -1;
	size_t best_len = 0;

	*syn = NULL;
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->s[i].norm, f)) {
			*syn = n->s[i].shown;
			free(f);
			return n->s[i].field;
		}
	for (size_t i = 0; i < n->n; i++) {
		size_t len = strlen(n->s[i].norm);

		if (len > best_len && containable(n->s[i].norm) &&
		    strstr(f, n->s[i].norm)) {
			best = n->s[i].field;
			best_len = len;
			*syn = n->s[i].shown;
		}
	}
	free(f);
	return best;
}

/*
 * Value shapes.
 */

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return n > 0;
}

static bool is_mobile(const char *v)
{
	char d[32];
	size_t n = 0;

	if (!strncmp(v, "+86", 3))
		v += 3;
	else if (!strncmp(v, "0086", 4))
		v += 4;
	for (; *v; v++) {
		if (*v == ' ' || *v == '-')
			continue;
		if (*v < '0' || *v > '9' || n + 1 >= sizeof(d))
			return false;
		d[n++] = *v;
	}
	if (n == 13 && d[0] == '8' && d[1] == '6') {
		memmove(d, d + 2, 11);
		n = 11;
	}
	return n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

static bool is_id(const char *v, size_t n)
{
	if (n == 15)
		return all_digits(v, 15);
	return n == 18 && all_digits(v, 17) &&
	       (all_digits(v + 17, 1) || v[17] == 'X' || v[17] == 'x');
}

static bool is_email(const char *v)
{
	const char *at = strchr(v, '@');

	return at && at > v && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
	       !strchr(v, ' ');
}

static bool is_int(const char *v, size_t n)
{
	size_t digits = 0;

	if (n && (*v == '-' || *v == '+'))
		v++, n--;
	for (size_t i = 0; i < n; i++) {
		if (v[i] >= '0' && v[i] <= '9')
			digits++;
		else if (v[i] != ',' || i == 0)
			return false;
	}
	return digits > 0;
}

static const char *const months[] = {
	"jan",	     "feb",	"mar",	    "apr",	"may",
	"jun",	     "jul",	"aug",	    "sep",	"oct",
	"nov",	     "dec",	"sept",	    "january",	"february",
	"march",     "april",	"june",	    "july",	"august",
	"september", "october", "november", "december", NULL,
};

static bool is_month(const char *p, size_t n)
{
	for (size_t i = 0; months[i]; i++)
		if (strlen(months[i]) == n && !strncasecmp(p, months[i], n))
			return true;
	return false;
}

/* The date() format of v, built from its runs: four digits are %Y,
 * eight %Y%m%d, a month name %b, one or two digits the next of month,
 * day, hour, minute, second (day first when the year comes last); other
 * characters are literal. A 'T' between date and time, or a zone after
 * it, sets *zone (T alone does not: date() reads it as text). */
static bool date_format(const char *v, char *fmt, size_t size, int *zone)
{
	static const char *const ymd[] = {"%m", "%d", "%H", "%M", "%S"};
	static const char *const hms[] = {"%H", "%M", "%S"};
	struct buf b;
	size_t small = 0, n_small_ymd = 0;
	bool year = false, year_first = false, month_name = false;
	const char *p = v;
	bool ok = true;

	*zone = 0;
	buf_init(&b, size);
	while (*p && ok) {
		size_t run = 0;

		while (p[run] >= '0' && p[run] <= '9')
			run++;
		if (run) {
			if (run == 4 && !year) {
				ok = buf_adds(&b, "%Y") == 0;
				year = true;
				year_first = small == 0 && !month_name;
			} else if (run == 8 && !year && small == 0) {
				ok = buf_adds(&b, "%Y%m%d") == 0;
				year = year_first = true;
				n_small_ymd = 2;
			} else if (run <= 2 && year_first) {
				if (month_name && n_small_ymd == 0)
					n_small_ymd = 1; /* 1985-Mar-07 */
				if (n_small_ymd >= 5)
					ok = false;
				else
					ok = buf_adds(&b, ymd[n_small_ymd++]) ==
					     0;
			} else if (run <= 2 && !year) {
				/* before a year that comes last: day, month */
				if (small == 0)
					ok = buf_adds(&b, "%d") == 0;
				else if (small == 1 && !month_name)
					ok = buf_adds(&b, "%m") == 0;
				else
					ok = false;
				small++;
			} else if (run <= 2) {
				/* after it: hour, minute, second */
				if (n_small_ymd >= 3)
					ok = false;
				else
					ok = buf_adds(&b, hms[n_small_ymd++]) ==
					     0;
			} else {
				ok = false;
			}
			p += run;
			continue;
		}
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
			while ((p[run] >= 'A' && p[run] <= 'Z') ||
			       (p[run] >= 'a' && p[run] <= 'z'))
				run++;
			if (is_month(p, run) && !month_name) {
				ok = buf_adds(&b, "%b") == 0;
				month_name = true;
			} else if (run == 1 && *p == 'T' && year) {
				*zone = 1;
				ok = buf_addc(&b, 'T') == 0;
			} else if (run == 1 && *p == 'Z' && !p[1] && year) {
				*zone = 1;
				ok = buf_addc(&b, 'Z') == 0;
			} else {
				ok = false;
			}
			p += run;
			continue;
		}
		if ((*p == '+' || *p == '-') && year &&
		    n_small_ymd >= (year_first ? 4 : 2)) {
			*zone = 1; /* +08:00 after a time */
			ok = buf_adds(&b, p) == 0;
			break;
		}
		if (*p == '%')
			ok = buf_adds(&b, "%%") == 0;
		else
			ok = buf_addc(&b, *p) == 0;
		p++;
	}
	ok = ok && year &&
	     (year_first ? n_small_ymd >= 2 : small + month_name >= 2) &&
	     b.len < size;
	if (ok)
		memcpy(fmt, b.p, b.len + 1);
	buf_release(&b);
	return ok;
}

enum initmap_shape initmap_shape(const char *v, char *fmt, size_t size,
				 int *zone)
{
	struct strview t = sv_trim(sv(v));
	char tmp[128];
	enum initmap_shape r = IM_OTHER;
	struct buf out;

	*zone = 0;
	if (t.len == 0 || t.len >= sizeof(tmp))
		return IM_OTHER;
	memcpy(tmp, t.p, t.len);
	tmp[t.len] = '\0';
	if (is_mobile(tmp))
		return IM_MOBILE;
	if (is_id(tmp, t.len))
		return IM_ID_NUMBER;
	if (is_email(tmp))
		return IM_EMAIL;
	buf_init(&out, 64);
	if (date_format(tmp, fmt, size, zone)) {
		enum date_result d = date_parse_format(sv(tmp), fmt, &out);

		/* 0000-00-00 has the shape of a date, and date() says so */
		if (d == DATE_OK || *zone ||
		    (d != DATE_UNRECOGNISED && !all_digits(tmp, t.len)))
			r = IM_DATE;
	}
	buf_release(&out);
	if (r == IM_OTHER && is_int(tmp, t.len))
		r = IM_INT;
	return r;
}

/*
 * The export.
 */

struct column {
	char *name; /* owned */
	size_t n_vals, n_empty, n_space;
	size_t shape[IM_INT + 1];
	size_t n_zone, n_cnid;
	size_t n_cjk_name, n_address, n_old; /* n_old: dates before 2006 */
	char *formats[MAX_FORMATS];	     /* owned */
	size_t fmt_count[MAX_FORMATS];
	char *example[MAX_FORMATS]; /* owned: a value of each format */
	size_t n_formats;
	size_t dmy, mdy; /* day-first values that decide the order */
	char *distinct[MAX_DISTINCT]; /* owned */
	size_t d_count[MAX_DISTINCT];
	size_t n_distinct;
	bool many;
	char **all; /* owned: every value, for the key's uniqueness */
	size_t n_all;
	int name_field; /* from the name, or -1 */
	const char *syn;
	int value_field; /* from the values, or -1 */
	int field;	 /* chosen, or -1 */
	char why[200];
};

struct sniffed {
	const char *encoding;
	bool bom;
	char delim;
	bool header;
	size_t n_rows, n_bad;
	struct column *cols;
	size_t n_cols;
	enum date_order order;
};

static void column_release(struct column *c)
{
	free(c->name);
	for (size_t i = 0; i < c->n_formats; i++) {
		free(c->formats[i]);
		free(c->example[i]);
	}
	for (size_t i = 0; i < c->n_distinct; i++)
		free(c->distinct[i]);
	for (size_t i = 0; i < c->n_all; i++)
		free(c->all[i]);
	free(c->all);
}

/* The delimiter: of , tab ; |, the one found the same number of times
 * (outside quotes) on most of the first lines, then the most often. */
static char sniff_delim(const char *text, size_t len)
{
	static const char cands[] = {',', '\t', ';', '|'};
	size_t counts[4][32] = {{0}};
	size_t lines = 0;
	bool quoted = false;
	char best = ',';
	size_t best_score = 0;

	for (size_t i = 0; i < len && lines < 32; i++) {
		char c = text[i];

		if (c == '"')
			quoted = !quoted;
		else if (c == '\n' && !quoted)
			lines++;
		else if (!quoted)
			for (size_t k = 0; k < 4; k++)
				if (c == cands[k])
					counts[k][lines]++;
	}
	if (lines == 0)
		lines = 1;
	for (size_t k = 0; k < 4; k++) {
		size_t same = 0, first = counts[k][0];

		if (!first)
			continue;
		for (size_t l = 0; l < lines && l < 32; l++)
			same += counts[k][l] == first;
		if (same * 64 + first > best_score) {
			best_score = same * 64 + first;
			best = cands[k];
		}
	}
	return best;
}

static void add_distinct(struct column *c, const char *v)
{
	if (c->many)
		return;
	for (size_t i = 0; i < c->n_distinct; i++)
		if (!strcmp(c->distinct[i], v)) {
			c->d_count[i]++;
			return;
		}
	if (c->n_distinct == MAX_DISTINCT) {
		c->many = true;
		return;
	}
	c->d_count[c->n_distinct] = 1;
	c->distinct[c->n_distinct++] = xstrdup(v);
}

static void add_format(struct column *c, const char *fmt, const char *v)
{
	for (size_t i = 0; i < c->n_formats; i++)
		if (!strcmp(c->formats[i], fmt)) {
			c->fmt_count[i]++;
			return;
		}
	if (c->n_formats == MAX_FORMATS)
		return;
	c->fmt_count[c->n_formats] = 1;
	c->example[c->n_formats] = xstrdup(v);
	c->formats[c->n_formats++] = xstrdup(fmt);
}

/* 07/03/1985: which part is above 12 tells the order. */
static void day_order(struct column *c, const char *fmt, const char *v)
{
	unsigned a, b;

	if (strncmp(fmt, "%d", 2) || sscanf(v, "%u%*[/.-]%u", &a, &b) != 2)
		return;
	if (a > 12 && b <= 12)
		c->dmy++;
	else if (b > 12 && a <= 12)
		c->mdy++;
}

/* Two to four CJK ideographs and nothing else: a Chinese name? */
static bool cjk_name(struct strview t)
{
	const unsigned char *p = (const unsigned char *)t.p;

	if (t.len % 3 || t.len < 6 || t.len > 12)
		return false;
	for (size_t i = 0; i < t.len; i += 3)
		if (p[i] < 0xE4 || p[i] > 0xE9)
			return false;
	return true;
}

/* A number and a street word: an address? */
static bool address_like(const char *v)
{
	static const char *const words[] = {"路",     "街",	"号",	"號",
					    "弄",     "巷",	"道",	"Road",
					    "Street", "Avenue", "Lane", NULL};

	if (strlen(v) < 12 || !strpbrk(v, "0123456789"))
		return false;
	for (size_t i = 0; words[i]; i++)
		if (strstr(v, words[i]))
			return true;
	return false;
}

static void add_value(struct column *c, const char *v)
{
	struct strview t = sv_trim(sv(v));
	char fmt[64];
	int zone;
	enum initmap_shape s;

	c->all = xrealloc(c->all, (c->n_all + 1) * sizeof(*c->all));
	c->all[c->n_all++] = xstrdup(v);
	c->n_vals++;
	if (t.len == 0) {
		c->n_empty++;
		return;
	}
	if (t.len != strlen(v))
		c->n_space++;
	add_distinct(c, v);
	s = initmap_shape(v, fmt, sizeof(fmt), &zone);
	c->shape[s]++;
	if (s == IM_ID_NUMBER && t.len == 18 && cnid_is_valid(t))
		c->n_cnid++;
	c->n_cjk_name += s == IM_OTHER && cjk_name(t);
	c->n_address += s == IM_OTHER && address_like(v);
	if (s == IM_DATE) {
		char *tv = sv_dup(t);

		c->n_zone += zone != 0;
		for (const char *q = tv; *q; q++)
			if (strspn(q, "0123456789") >= 4) {
				char y[5] = {q[0], q[1], q[2], q[3], '\0'};

				c->n_old += atoi(y) < 2006;
				break;
			}
		add_format(c, fmt, tv);
		day_order(c, fmt, tv);
		free(tv);
	}
}

/* Does row 1 hold data rather than names? A value shaped like a mobile,
 * an ID, an email, a date or a number of three digits or more. */
static bool looks_like_data(const struct record *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct strview v = record_field(r, i);
		char fmt[64];
		int zone;
		enum initmap_shape s =
			initmap_shape(v.p, fmt, sizeof(fmt), &zone);

		if (s == IM_MOBILE || s == IM_ID_NUMBER || s == IM_EMAIL ||
		    s == IM_DATE || (s == IM_INT && sv_trim(v).len >= 3))
			return true;
	}
	return false;
}

static int read_head(const char *path, struct sniffed *sn, struct mbr_err *err)
{
	FILE *f = fopen(path, "rb");
	char *raw = xcalloc(HEAD_BYTES, 1);
	size_t n;
	struct encoding_decoder *d;
	struct buf text;
	int rc = 0;

	if (!f) {
		free(raw);
		return mbr_fail(err, MBR_EIO, "cannot open '%s': %s", path,
				strerror(errno));
	}
	n = fread(raw, 1, HEAD_BYTES, f);
	fclose(f);
	if (n == 0) {
		free(raw);
		return mbr_fail(err, MBR_EIO,
				"%s: empty file (expected an "
				"export with rows)",
				path);
	}
	sn->encoding = encoding_sniff(raw, n, &sn->bom);
	d = encoding_open(sn->encoding, err);
	buf_init(&text, (size_t)HEAD_BYTES * 4 + 64);
	if (!d || encoding_decode(d, raw, n, false, &text, err) < 0)
		rc = -1;
	else
		sn->delim = sniff_delim(text.p, text.len);
	encoding_close(d);
	buf_release(&text);
	free(raw);
	return rc;
}

static int read_rows(const char *path, struct sniffed *sn, struct mbr_err *err)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct csvio_reader *r;
	struct record rec;
	enum csvio_status st;
	bool first = true;

	o.encoding = sn->encoding;
	o.delim = sn->delim;
	o.flags = CSVIO_NO_HEADER | CSVIO_SOURCE;
	r = csvio_open(&path, 1, &o, err);
	if (!r)
		return -1;
	record_init(&rec);
	while ((st = csvio_read(r, &rec, err)) != CSVIO_EOF &&
	       sn->n_rows < INITMAP_MAX_ROWS) {
		if (st == CSVIO_ERROR)
			break;
		if (st == CSVIO_BAD) {
			sn->n_bad++;
			continue;
		}
		if (first) {
			first = false;
			sn->n_cols = rec.n;
			sn->cols = xcalloc(rec.n, sizeof(*sn->cols));
			sn->header = !looks_like_data(&rec);
			for (size_t i = 0; i < rec.n; i++) {
				char name[32];
				struct strview v =
					sv_trim(record_field(&rec, i));

				snprintf(name, sizeof(name), "$%zu", i + 1);
				sn->cols[i].name =
					sn->header ? sv_dup(v) : xstrdup(name);
				sn->cols[i].field = -1;
			}
			if (sn->header)
				continue;
		}
		sn->n_rows++;
		for (size_t i = 0; i < sn->n_cols; i++)
			add_value(&sn->cols[i], record_field(&rec, i).p);
	}
	record_release(&rec);
	csvio_close(r);
	if (st == CSVIO_ERROR)
		return -1;
	if (!sn->cols)
		return mbr_fail(err, MBR_EIO, "%s: no rows", path);
	return 0;
}

/*
 * The guesses.
 */

struct vocab {
	char *text; /* owned */
	const char **field, **from, **to;
	size_t n;
};

static const char *vocab_code(const struct vocab *v, int field,
			      const char *value);

/* Every value seen has a code for field. */
static bool codes_of(const struct column *c, const struct vocab *v, int field)
{
	for (size_t i = 0; i < c->n_distinct; i++)
		if (!vocab_code(v, field, c->distinct[i]))
			return false;
	return true;
}

static bool is_date_field(int f)
{
	return f == CF_BIRTH_DATE || f == CF_REGISTERED_AT ||
	       f == CF_LAST_ACTIVE_AT;
}

/* Most (80%) of the values that are not empty have shape s. */
static bool mostly(const struct column *c, enum initmap_shape s)
{
	size_t full = c->n_vals - c->n_empty;

	return full > 0 && c->shape[s] * 5 >= full * 4;
}

static size_t pct(size_t a, size_t b)
{
	return b ? (a * 100 + b / 2) / b : 0;
}

/* How many values back the value guess. */
static size_t value_count(const struct column *c)
{
	switch (c->value_field) {
	case CF_MOBILE:
		return c->shape[IM_MOBILE];
	case CF_EMAIL:
		return c->shape[IM_EMAIL];
	case CF_ID_NUMBER:
		return c->shape[IM_ID_NUMBER];
	case CF_BIRTH_DATE:
		return c->shape[IM_DATE];
	case CF_NAME:
		return c->n_cjk_name;
	case CF_ADDRESS:
		return c->n_address;
	default:
		return c->n_vals - c->n_empty;
	}
}

static void guess_column(struct column *c, const struct initmap_names *nm,
			 const struct vocab *v)
{
	size_t full = c->n_vals - c->n_empty;
	const char *what = NULL;

	c->name_field = initmap_name_field(nm, c->name, &c->syn);
	c->value_field = -1;
	if (mostly(c, IM_MOBILE)) {
		c->value_field = CF_MOBILE;
		what = "mainland mobile numbers";
	} else if (mostly(c, IM_ID_NUMBER)) {
		c->value_field = CF_ID_NUMBER;
		what = "15 or 18-character ID numbers";
	} else if (mostly(c, IM_EMAIL)) {
		c->value_field = CF_EMAIL;
		what = "email addresses";
	} else if (mostly(c, IM_DATE)) {
		what = "dates";
		if (c->n_old * 5 >= c->shape[IM_DATE] * 4) {
			c->value_field = CF_BIRTH_DATE;
			what = "dates, most before 2006 (birth dates?)";
		}
	} else if (full && c->n_cjk_name * 5 >= full * 4 &&
		   (c->many || c->n_distinct * 2 > full)) {
		c->value_field = CF_NAME;
		what = "two to four Chinese characters (names?)";
	} else if (full && c->n_address * 5 >= full * 4) {
		c->value_field = CF_ADDRESS;
		what = "numbers with a street word (addresses?)";
	} else if (c->n_distinct >= 2 && !c->many &&
		   codes_of(c, v, CF_GENDER)) {
		c->value_field = CF_GENDER;
		what = "gender words";
	}
	if (c->name_field >= 0 && c->value_field >= 0 &&
	    c->name_field != c->value_field && c->name_field != INITMAP_KEY) {
		/* "phone" holding mobiles is the mobile */
		c->field = c->value_field;
		snprintf(c->why, sizeof(c->why),
			 "named like %s ('%s'), but %zu%% of its values are %s",
			 canon_name((enum canon_field)c->name_field), c->syn,
			 pct(c->shape[c->value_field == CF_MOBILE ? IM_MOBILE
				      : c->value_field == CF_EMAIL
					      ? IM_EMAIL
					      : IM_ID_NUMBER],
			     full),
			 what);
		return;
	}
	if (c->name_field >= 0) {
		c->field = c->name_field;
		if (what)
			snprintf(c->why, sizeof(c->why),
				 "column name ('%s'); %zu of %zu values are "
				 "%s",
				 c->syn,
				 c->value_field == CF_MOBILE
					 ? c->shape[IM_MOBILE]
				 : c->value_field == CF_EMAIL
					 ? c->shape[IM_EMAIL]
				 : c->value_field == CF_ID_NUMBER
					 ? c->shape[IM_ID_NUMBER]
					 : c->shape[IM_DATE],
				 full, what);
		else
			snprintf(c->why, sizeof(c->why), "column name ('%s')",
				 c->syn);
		return;
	}
	if (c->value_field >= 0) {
		c->field = c->value_field;
		snprintf(c->why, sizeof(c->why),
			 "guess from the values (the name says nothing): %zu "
			 "of %zu are %s",
			 value_count(c), full, what);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every value present and none twice. */
static bool unique(struct column *c)
{
	if (c->n_empty || c->n_all == 0)
		return false;
	xqsort(c->all, c->n_all, sizeof(*c->all), cmp_str);
	for (size_t i = 1; i < c->n_all; i++)
		if (!strcmp(c->all[i - 1], c->all[i]))
			return false;
	return true;
}

/* The key: the first column named like a member number, else the first
 * column whose values are all there and unique. */
static int pick_key(struct sniffed *sn, char *why, size_t size)
{
	for (size_t i = 0; i < sn->n_cols; i++)
		if (sn->cols[i].name_field == INITMAP_KEY) {
			bool u = unique(&sn->cols[i]);

			snprintf(
				why, size, "column name ('%s'); %s",
				sn->cols[i].syn,
				u ? "every value present and unique"
				  : "CHECK: some values are empty or repeated");
			return (int)i;
		}
	for (size_t i = 0; i < sn->n_cols; i++)
		if (sn->cols[i].field < 0 && unique(&sn->cols[i])) {
			snprintf(why, size,
				 "guess: the first column whose values are all "
				 "present and unique");
			return (int)i;
		}
	snprintf(why, size,
		 sn->n_rows ? "CHECK: no column is unique; this is only the "
			      "first one"
			    : "CHECK: no data rows to judge by");
	return 0;
}

/*
 * Writing the mapping.
 */

/* A column name as the mapping reads it; NULL when it cannot be named
 * (a quote at its start, or a character that splits fields). */
static bool nameable(const char *s)
{
	return *s && *s != '"' && !strpbrk(s, "|#,()=;\n") &&
	       s[strlen(s) - 1] != ' ';
}

static int vocab_load(struct vocab *v, struct mbr_err *err)
{
	char path[4096];
	size_t len;
	char *line, *next;

	memset(v, 0, sizeof(*v));
	if (datafile_path("field-values.tsv", path, sizeof(path), err) < 0)
		return -1;
	v->text = datafile_read(path, 1 << 20, &len, err);
	if (!v->text)
		return -1;
	for (line = v->text; line; line = next) {
		char *t1, *t2;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line == '#' || !*line)
			continue;
		t1 = strchr(line, '\t');
		t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			return mbr_fail(err, MBR_ECONFIG,
					"%s: '%s': expected "
					"FIELD<tab>VALUE<tab>CODE",
					path, line);
		*t1 = *t2 = '\0';
		v->field = xrealloc(v->field, (v->n + 1) * sizeof(char *));
		v->from = xrealloc(v->from, (v->n + 1) * sizeof(char *));
		v->to = xrealloc(v->to, (v->n + 1) * sizeof(char *));
		v->field[v->n] = line;
		v->from[v->n] = t1 + 1;
		v->to[v->n] = trim(t2 + 1);
		v->n++;
	}
	return 0;
}

static void vocab_release(struct vocab *v)
{
	free(v->text);
	free(v->field);
	free(v->from);
	free(v->to);
}

static const char *vocab_code(const struct vocab *v, int field,
			      const char *value)
{
	const char *name = canon_name((enum canon_field)field);
	struct strview t = sv_trim(sv(value));

	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->field[i], name) && sv_eqs(t, v->from[i]))
			return v->to[i];
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->field[i], name) && sv_ieqs(t, v->from[i]))
			return v->to[i];
	return NULL;
}

static bool is_code_field(int f)
{
	return f == CF_GENDER || f == CF_TIER || f == CF_CONSENT_MARKETING ||
	       f == CF_ID_TYPE;
}

/* v for a comment line: line breaks and tabs as spaces. */
static void add_shown(struct buf *o, const char *v)
{
	for (; *v; v++)
		buf_addc(o,
			 (*v == '\n' || *v == '\r' || *v == '\t') ? ' ' : *v);
}

static void write_values(struct buf *o, const struct column *c, size_t max)
{
	for (size_t i = 0; i < c->n_distinct && i < max; i++) {
		buf_adds(o, i ? ", " : "");
		add_shown(o, c->distinct[i]);
	}
	if (c->many || c->n_distinct > max)
		buf_adds(o, ", ...");
}

/* map(...) of a code field's values, with what the vocabulary lacks. */
static void write_map(struct buf *o, struct buf *note, const struct column *c,
		      const struct vocab *v)
{
	size_t n = 0, missing = 0;

	for (size_t i = 0; i < c->n_distinct; i++) {
		const char *code = vocab_code(v, c->field, c->distinct[i]);

		if (!code || !nameable(c->distinct[i])) {
			buf_addf(note, "%s'", missing++ ? ", " : "");
			add_shown(note, c->distinct[i]);
			buf_adds(note, "'");
			continue;
		}
		buf_addf(o, "%s%s=%s", n++ ? ", " : " | map(",
			 sv_trim(sv(c->distinct[i])).p, code);
	}
	if (n)
		buf_adds(o, ")");
}

/* fmt, with %d and %m exchanged for a month-first column (03/07/1985
 * is 7 March there). */
static void add_format_text(struct buf *o, const char *fmt, bool mdy)
{
	for (; *fmt; fmt++) {
		if (mdy && fmt[0] == '%' && (fmt[1] == 'd' || fmt[1] == 'm')) {
			buf_addc(o, '%');
			buf_addc(o, fmt[1] == 'd' ? 'm' : 'd');
			fmt++;
			continue;
		}
		if (fmt[0] == '%' && fmt[1]) {
			buf_add(o, fmt, 2);
			fmt++;
			continue;
		}
		buf_addc(o, *fmt);
	}
}

static void write_dates(struct buf *o, struct buf *note, struct column *c)
{
	size_t order[MAX_FORMATS];

	if (c->n_zone) {
		buf_addf(note,
			 "%zu values carry a time zone (e.g. %s): left as "
			 "they are for mbr-normalize, which keeps the zone "
			 "(date() would drop it)",
			 c->n_zone, c->example[0]);
		return;
	}
	if (!c->n_formats)
		return;
	for (size_t i = 0; i < c->n_formats; i++)
		order[i] = i;
	/* most frequent first */
	for (size_t i = 1; i < c->n_formats; i++)
		for (size_t j = i; j > 0 && c->fmt_count[order[j]] >
						    c->fmt_count[order[j - 1]];
		     j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	buf_adds(o, " | date(");
	buf_adds(note, "formats seen: ");
	for (size_t i = 0; i < c->n_formats; i++) {
		size_t k = order[i];

		buf_adds(o, i ? ", " : "");
		add_format_text(o, c->formats[k], c->mdy > c->dmy);
		buf_addf(note, "%s%s (%zu, e.g. %s)", i ? ", " : "",
			 c->formats[k], c->fmt_count[k], c->example[k]);
	}
	buf_adds(o, ")");
	if (c->shape[IM_DATE] < c->n_vals - c->n_empty)
		buf_addf(note, "; %zu values are no date (kept, flagged)",
			 c->n_vals - c->n_empty - c->shape[IM_DATE]);
}

static void write_field(struct buf *o, struct column *c, const struct vocab *v)
{
	struct buf line, note;

	buf_init(&line, BUF_NOLIMIT);
	buf_init(&note, BUF_NOLIMIT);
	buf_addf(&line, "%-14s = %s", canon_name((enum canon_field)c->field),
		 c->name);
	if (c->n_space)
		buf_adds(&line, " | trim");
	if (is_date_field(c->field))
		write_dates(&line, &note, c);
	else if (c->field == CF_POINTS && mostly(c, IM_INT))
		buf_adds(&line, " | int");
	else if (is_code_field(c->field) && !c->many) {
		struct buf miss;

		buf_init(&miss, BUF_NOLIMIT);
		write_map(&line, &miss, c, v);
		if (miss.len)
			buf_addf(&note,
				 "COMPLETE: no code known for %s (kept and "
				 "flagged until the map names them)",
				 miss.p);
		buf_release(&miss);
	}
	buf_addf(o, "# %s: %s", c->name, c->why);
	if (c->n_space)
		buf_addf(o, "; %zu values have spaces around them", c->n_space);
	buf_adds(o, "\n");
	if (note.len)
		buf_addf(o, "#   %s\n", note.p);
	buf_addf(o, "%s\n", line.p);
	buf_release(&line);
	buf_release(&note);
}

static const char *delim_name(char d)
{
	return d == '\t' ? "tab" : d == ',' ? "," : d == ';' ? ";" : "|";
}

static void source_name(const char *path, char *name, size_t size)
{
	const char *b = strrchr(path, '/');
	char *dot;

	snprintf(name, size, "%s", b ? b + 1 : path);
	dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	for (char *p = name; *p; p++)
		if (*p == ' ' || *p == '#' || *p == '"')
			*p = '_';
}

static int find_field(const struct sniffed *sn, int f)
{
	for (size_t i = 0; i < sn->n_cols; i++)
		if (sn->cols[i].field == f)
			return (int)i;
	return -1;
}

static void write_mapping(struct sniffed *sn, const char *path, int key,
			  const char *key_why, const struct vocab *v,
			  struct buf *o)
{
	char name[128];
	const char *base = strrchr(path, '/');
	int fam, giv, id, mob;
	size_t dmy = 0, mdy = 0;

	base = base ? base + 1 : path;
	source_name(path, name, sizeof(name));
	for (size_t i = 0; i < sn->n_cols; i++) {
		dmy += sn->cols[i].dmy;
		mdy += sn->cols[i].mdy;
	}
	buf_addf(o,
		 "# Starter mapping for %s, written by mbr-import --init-map "
		 "from\n# %zu rows%s. Every field says why it was chosen: "
		 "check each, complete\n# what is marked COMPLETE or CHECK, "
		 "then import with\n#\n#   mbr-import --map THIS.map %s\n#\n"
		 "# Syntax and mappers: docs/mapping.md (man mbr-mapping).\n\n",
		 base, sn->n_rows,
		 sn->n_rows == INITMAP_MAX_ROWS ? " (the first ones)" : "",
		 base);
	buf_addf(o, "[source]\nname       = %s\n", name);
	buf_addf(o, "encoding   = %-14s # %s\n",
		 sn->bom && !strncmp(sn->encoding, "UTF-16", 6) ? "UTF-16"
								: sn->encoding,
		 sn->bom ? "a byte order mark says so"
		 : !strcmp(sn->encoding, "UTF-8")
			 ? "the first 64 KB are valid UTF-8"
		 : !strncmp(sn->encoding, "UTF-16", 6)
			 ? "a NUL in every other byte"
			 : "not UTF-8; the double-byte pairs look like it");
	buf_addf(o, "delimiter  = %-14s # %zu columns%s\n",
		 delim_name(sn->delim), sn->n_cols,
		 sn->n_bad ? "; CHECK: some rows could not be read" : "");
	buf_addf(o, "key        = %-14s # %s\n",
		 nameable(sn->cols[key].name) ? sn->cols[key].name : "?",
		 key_why);
	buf_addf(o, "header     = %-14s # %s\n", sn->header ? "yes" : "no",
		 sn->header ? "row 1 holds no data values"
			    : "row 1 holds data: columns are $1, $2, ...");
	sn->order = dmy > mdy	? DATE_ORDER_DMY
		    : mdy > dmy ? DATE_ORDER_MDY
				: DATE_ORDER_NONE;
	if (sn->order == DATE_ORDER_NONE)
		buf_adds(o, "date_order = YMD            # no day/month date "
			    "tells otherwise\n");
	else
		buf_addf(o,
			 "date_order = %s            # %zu dates have a %s "
			 "above 12\n",
			 sn->order == DATE_ORDER_DMY ? "DMY" : "MDY",
			 sn->order == DATE_ORDER_DMY ? dmy : mdy,
			 sn->order == DATE_ORDER_DMY ? "first part"
						     : "second part");
	buf_adds(o, "\n[fields]\n");
	for (size_t i = 0; i < sn->n_cols; i++)
		if (sn->cols[i].field >= 0)
			write_field(o, &sn->cols[i], v);
	fam = find_field(sn, CF_FAMILY_NAME);
	giv = find_field(sn, CF_GIVEN_NAME);
	if (find_field(sn, CF_NAME) < 0 && fam >= 0 && giv >= 0)
		buf_addf(o,
			 "# name: family and given name joined (no name "
			 "column)\nname           = concat_ws(\" \", %s, %s)\n",
			 sn->cols[fam].name, sn->cols[giv].name);
	id = find_field(sn, CF_ID_NUMBER);
	if (id >= 0 && find_field(sn, CF_ID_TYPE) < 0) {
		struct column *c = &sn->cols[id];
		size_t full = c->n_vals - c->n_empty;

		if (c->n_cnid * 5 >= full * 4 && full)
			buf_addf(o,
				 "# id_type: %zu of %zu ID numbers have a "
				 "valid GB 11643 check character\n"
				 "id_type        = \"CN_RIC\"\n",
				 c->n_cnid, full);
		else
			buf_adds(o, "# CHECK: what document are the ID "
				    "numbers? (CN_RIC, PASSPORT, ...)\n"
				    "# id_type        = \"CN_RIC\"\n");
	}
	mob = find_field(sn, CF_MOBILE);
	if (find_field(sn, CF_COUNTRY) < 0 &&
	    ((mob >= 0 && mostly(&sn->cols[mob], IM_MOBILE)) ||
	     (id >= 0 && sn->cols[id].n_cnid))) {
		buf_adds(o, "# country: no country column; the mobiles and IDs "
			    "are mainland Chinese\ncountry        = \"CN\"\n");
	}
	if (find_field(sn, CF_CHANNEL) < 0)
		buf_adds(o, "# CHECK: the sales channel of this source, as "
			    "every record should carry it\n"
			    "# channel        = \"...\"\n");
	buf_adds(o, "\n");
	for (size_t i = 0; i < sn->n_cols; i++) {
		struct column *c = &sn->cols[i];

		if ((int)i == key || c->field >= 0)
			continue;
		buf_addf(o, "# not mapped: %s", c->name);
		if (c->name_field >= 0 && c->name_field != INITMAP_KEY)
			buf_addf(o, " (named like %s, which %s maps)",
				 canon_name((enum canon_field)c->name_field),
				 "another column already");
		else if (c->value_field >= 0)
			buf_addf(o,
				 " (values like %s, which another column "
				 "already maps)",
				 canon_name((enum canon_field)c->value_field));
		else if (mostly(c, IM_DATE))
			buf_adds(o, " (dates: birth_date, registered_at or "
				    "last_active_at?)");
		if (!c->many && c->n_distinct) {
			bool codes = c->n_distinct * 2 <= c->n_vals;

			buf_adds(o, "; values: ");
			write_values(o, c, MAX_DISTINCT);
			for (size_t k = 0; k < c->n_distinct; k++)
				codes = codes && nameable(c->distinct[k]);
			if (codes && nameable(c->name)) {
				buf_addf(o,
					 "\n#   to keep it, complete: "
					 "[extra] NAME = %s | map(",
					 c->name);
				for (size_t k = 0; k < c->n_distinct; k++)
					buf_addf(o, "%s%s=?", k ? ", " : "",
						 c->distinct[k]);
				buf_adds(o, ")");
			}
		} else if (c->n_distinct) {
			buf_adds(o, "; e.g. ");
			write_values(o, c, 3);
		} else {
			buf_adds(o, "; every value empty");
		}
		buf_adds(o, "\n");
	}
	for (size_t i = 0; i < sn->n_cols; i++)
		if (!nameable(sn->cols[i].name))
			buf_addf(o,
				 "# CHECK: column '%s' holds a character a "
				 "mapping cannot name (| # , ( ) = ;)\n",
				 sn->cols[i].name);
}

int initmap_write(const char *path, struct buf *out, struct mbr_err *err)
{
	struct sniffed sn;
	struct initmap_names *nm = NULL;
	struct vocab v;
	char npath[4096], key_why[160];
	char *text = NULL;
	size_t len;
	int rc = -1, key;

	memset(&sn, 0, sizeof(sn));
	memset(&v, 0, sizeof(v));
	if (datafile_path("field-names.tsv", npath, sizeof(npath), err) < 0 ||
	    !(text = datafile_read(npath, 1 << 20, &len, err)) ||
	    !(nm = initmap_names_parse(text, npath, err)) ||
	    vocab_load(&v, err) < 0)
		goto done;
	if (read_head(path, &sn, err) < 0 || read_rows(path, &sn, err) < 0)
		goto done;
	for (size_t i = 0; i < sn.n_cols; i++) {
		struct column *c = &sn.cols[i];

		guess_column(c, nm, &v);
		if (c->field == INITMAP_KEY)
			c->field = -1;
		/* the first column for each field wins */
		for (size_t j = 0; j < i && c->field >= 0; j++)
			if (sn.cols[j].field == c->field)
				c->field = -1;
		if (!nameable(c->name))
			c->field = -1;
	}
	key = pick_key(&sn, key_why, sizeof(key_why));
	sn.cols[key].field = -1;
	write_mapping(&sn, path, key, key_why, &v, out);
	rc = 0;
done:
	for (size_t i = 0; i < sn.n_cols; i++)
		column_release(&sn.cols[i]);
	free(sn.cols);
	vocab_release(&v);
	initmap_names_free(nm);
	free(text);
	return rc;
}
