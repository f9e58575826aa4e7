/*
 * rules: the rules file parser (one [rule NAME] section per rule, one test
 * per rule), binding to a header, and the per-record checks.
 *
 * Parsing turns each section into a struct rule holding everything its
 * test needs, ready made: the compiled pattern, the allowed values, the
 * bounds as numbers or YYYY-MM-DD text, the reason text. Checking a record
 * then only reads fields and compares; it allocates nothing but the
 * growth of a uniqueness set.
 */
#include "rules.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "ini.h"
#include "mappers/cnid.h"
#include "mappers/date.h"
#include "mappers/email.h"
#include "mappers/phone.h"
#include "pattern.h"
#include "utf8.h"

#define MAX_VALUES 1024	  /* items of an enum or a when list */
#define MAX_KEY_FIELDS 16 /* unique = a, b, ... */
#define DATE_LEN 10	  /* YYYY-MM-DD */
#define N_KEYS 12	  /* entries of keys[] below */

enum test {
	T_NONE,
	T_REQUIRED,
	T_PATTERN,
	T_ENUM,
	T_RANGE,
	T_LENGTH,
	T_CHECK,
	T_COMPARE,
	T_UNIQUE,
};

static const char *const test_names[] = {
	[T_NONE] = "",		   /* not a test key */
	[T_REQUIRED] = "required", /* not empty */
	[T_PATTERN] = "pattern",   /* PCRE2, the whole value */
	[T_ENUM] = "enum",	   /* one of a list */
	[T_RANGE] = "range",	   /* numbers or dates */
	[T_LENGTH] = "length",	   /* in characters */
	[T_CHECK] = "check",	   /* a named check: checks[] */
	[T_COMPARE] = "compare",   /* against a field or a literal */
	[T_UNIQUE] = "unique",	   /* within the input */
};

/* What a field reference reads: the value, or a part of the GB 11643 ID
 * number in it. */
enum derive { D_NONE, D_BIRTH_DATE, D_GENDER };

struct fref {
	char *name; /* owned: the column name, or NULL */
	enum derive derive;
	unsigned line; /* where the rules file names it */
	int col;       /* bound column, or -1: absent, reads empty */
};

enum vtype { V_TEXT, V_NUMBER, V_DATE };

struct operand {
	bool is_field;
	struct fref f;	 /* when is_field */
	enum vtype type; /* of a literal */
	char *text;	 /* owned: a literal (a date as YYYY-MM-DD) */
	size_t len;
	double num; /* a V_NUMBER literal */
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct vlist {
	char **s;    /* owned, and each string */
	size_t *len; /* owned */
	size_t n;
};

/* Bounds of a range (numbers or dates) or a length (numbers). */
struct bounds {
	enum vtype type;
	bool has_min, has_max;
	double min, max;
	char dmin[DATE_LEN + 1], dmax[DATE_LEN + 1];
};

/* A set of 64-bit key hashes: open addressing, linear probing, 0 = free. */
struct keyset {
	uint64_t *slot; /* owned, or NULL before the first key */
	size_t mask;	/* slots - 1; slots a power of two */
	size_t n;
};

struct check;

struct rule {
	struct rule_info info; /* its strings point into the below */
	char *name;	       /* owned */
	char *label;	       /* owned: the field(s), for reports */
	char *message;	       /* owned: the user's message, or NULL */
	char *reason;	       /* owned: the generated reason, or NULL */
	bool limit_said;       /* the pattern's limit hit was reported */
	enum test test;
	unsigned test_line;
	unsigned seen[N_KEYS]; /* line of each key seen, to find doubles */
	struct fref field;     /* the tested field (not compare, unique) */
	bool has_when, when_negate;
	struct fref when_field;
	struct vlist when_vals;
	struct pattern *pat;  /* owned */
	struct vlist allowed; /* enum */
	struct bounds bounds; /* range, length */
	const struct check *check;
	enum op op;
	struct operand lhs, rhs;
	struct fref keys[MAX_KEY_FIELDS];
	size_t n_keys;
	struct keyset set;
	uint64_t pending;  /* key hash of the record last checked */
	size_t pending_at; /* its slot in set, per keyset_has */
	bool has_pending;
};

struct rules {
	char *path;	/* owned: the file, for bind errors */
	struct rule *r; /* owned */
	size_t n, cap;
	char today[DATE_LEN + 1];
	struct buf key; /* scratch: the unique key being hashed */
	struct buf tmp; /* scratch: a normalised timestamp */
};

/* Parsing state for one file. */
struct parse {
	const struct ini *ini;
	struct rules *rs;
	struct rule *r; /* the rule being read */
	struct mbr_err *err;
};

/* Fill err with "FILE:LINE: message" (MBR_ECONFIG); returns -1. */
static int fail(struct parse *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parse *p, unsigned line, const char *fmt, ...)
{
	char msg[sizeof(p->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ini_fail(p->ini, line, p->err, "%s", msg);
}

/*
 * Values
 */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?DIGITS(.DIGITS)? and nothing else: canonical numbers only, so "1e3",
 * " 5" and "+5" are not numbers. */
static bool parse_number(struct strview v, double *out)
{
	size_t i = 0, digits = 0;
	double x = 0, scale = 1;

	if (i < v.len && v.p[i] == '-')
		i++;
	for (; i < v.len && is_digit(v.p[i]); i++, digits++)
		x = x * 10 + (v.p[i] - '0');
	if (i < v.len && v.p[i] == '.') {
		if (++i == v.len)
			return false;
		for (; i < v.len && is_digit(v.p[i]); i++, digits++) {
			scale /= 10;
			x += (v.p[i] - '0') * scale;
		}
	}
	if (!digits || i != v.len)
		return false;
	*out = v.p[0] == '-' ? -x : x;
	return true;
}

/* YYYY-MM-DD, alone or followed by a time ('T' or a space): the shape
 * only, so that ranges and comparisons order by the first ten bytes. */
static bool is_date_shape(struct strview v)
{
	static const char shape[] = "dddd-dd-dd";

	if (v.len < DATE_LEN)
		return false;
	for (size_t i = 0; i < DATE_LEN; i++)
		if (shape[i] == 'd' ? !is_digit(v.p[i]) : v.p[i] != '-')
			return false;
	return v.len == DATE_LEN || v.p[DATE_LEN] == 'T' ||
	       v.p[DATE_LEN] == ' ';
}

static void vlist_add(struct vlist *l, struct strview v)
{
	l->s = xrealloc(l->s, (l->n + 1) * sizeof(*l->s));
	l->len = xrealloc(l->len, (l->n + 1) * sizeof(*l->len));
	l->s[l->n] = sv_dup(v);
	l->len[l->n] = v.len;
	l->n++;
}

static bool vlist_has(const struct vlist *l, struct strview v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->len[i] == v.len && !memcmp(l->s[i], v.p, v.len))
			return true;
	return false;
}

static void vlist_release(struct vlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

/*
 * Key hashes and the uniqueness set
 */

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* MurmurHash3's 64-bit finaliser: every input bit moves every output
 * bit. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* A 64-bit hash of len bytes: each 8-byte word is mixed, then folded into
 * the state by an invertible multiply-rotate; never 0 (a free slot). */
static uint64_t key_hash(const char *p, size_t len)
{
	uint64_t h =
		0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xbf58476d1ce4e5b9ULL);
	uint64_t w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = rotl(h ^ mix64(w), 29) * 0x94d049bb133111ebULL;
	}
	w = (uint64_t)len << 56;
	for (size_t i = 0; i < len; i++)
		w |= (uint64_t)(unsigned char)p[i] << (8 * i);
	h = mix64(rotl(h ^ mix64(w), 29) * 0x94d049bb133111ebULL);
	return h ? h : 1;
}

/* The slot holding h, or the free slot where h would go. */
static size_t keyset_find(const struct keyset *s, uint64_t h)
{
	size_t i = (size_t)h & s->mask;

	while (s->slot[i] && s->slot[i] != h)
		i = (i + 1) & s->mask;
	return i;
}

/* Is h in s? *at: its slot, or the free slot where it would go (only
 * good until s changes); SIZE_MAX before the first key. */
static bool keyset_has(const struct keyset *s, uint64_t h, size_t *at)
{
	if (!s->slot) {
		*at = SIZE_MAX;
		return false;
	}
	*at = keyset_find(s, h);
	return s->slot[*at] == h;
}

static void keyset_grow(struct keyset *s)
{
	size_t old = s->slot ? s->mask + 1 : 0;
	size_t cap = old ? old * 2 : 1024;
	uint64_t *prev = s->slot;

	s->slot = xcalloc(cap, sizeof(*s->slot));
	s->mask = cap - 1;
	for (size_t i = 0; i < old; i++)
		if (prev[i])
			s->slot[keyset_find(s, prev[i])] = prev[i];
	free(prev);
}

/* Add h; at is keyset_has's answer for h, if s has not changed since
 * (it saves a second probe into a table far larger than the cache). */
static void keyset_add(struct keyset *s, uint64_t h, size_t at)
{
	size_t i = at;

	/* At most 3/4 full: linear probing stays short. */
	if (!s->slot || (s->n + 1) * 4 > (s->mask + 1) * 3) {
		keyset_grow(s);
		i = keyset_find(s, h);
	}
	if (s->slot[i] == h)
		return;
	s->slot[i] = h;
	s->n++;
}

static void keyset_release(struct keyset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/*
 * Named checks (check = NAME). Each returns NULL when v passes, else the
 * reason, a static string.
 */

struct check {
	const char *name;
	const char *(*fn)(struct rules *rs, struct strview v);
};

static const char *check_cn_id(struct rules *rs, struct strview v)
{
	enum cnid_result res = cnid_check(v);

	(void)rs;
	return res == CNID_OK ? NULL : cnid_result_str(res);
}

static const char *check_email(struct rules *rs, struct strview v)
{
	(void)rs;
	return email_is_valid(v) ? NULL : "not an email address";
}

static const char *check_e164(struct rules *rs, struct strview v)
{
	(void)rs;
	return phone_is_e164(v) ? NULL : "not an E.164 number";
}

/* E.164, and a mainland number must be a mobile: +86 landlines are
 * E.164 too, but they are not what the mobile column is for. */
static const char *check_mobile(struct rules *rs, struct strview v)
{
	(void)rs;
	if (!phone_is_e164(v))
		return "not an E.164 number";
	if (sv_starts(v, "+86") && !phone_is_cn_mobile(v))
		return "not a mainland mobile number";
	return NULL;
}

static const char *check_cn_mobile(struct rules *rs, struct strview v)
{
	(void)rs;
	return phone_is_cn_mobile(v) ? NULL : "not a mainland mobile number";
}

static const char *check_date(struct rules *rs, struct strview v)
{
	(void)rs;
	return date_is_valid_iso(v) ? NULL : "not a real date YYYY-MM-DD";
}

/* Two digits at p no greater than max. */
static bool two_digits(const char *p, int max)
{
	return is_digit(p[0]) && is_digit(p[1]) &&
	       (p[0] - '0') * 10 + (p[1] - '0') <= max;
}

/* The usual canonical shape, checked without parsing:
 * YYYY-MM-DDTHH:MM:SS[.fff][+HH:MM], a year from 1900, a fraction of 1 to
 * 9 digits, a zone at most 14 hours from UTC and not -00:00. What this
 * accepts, timestamp_normalize leaves as it is; what it refuses, that
 * decides. */
static bool is_plain_timestamp(struct strview v)
{
	static const size_t T = DATE_LEN, Z = DATE_LEN + 9;
	size_t i = Z;

	if (v.len < Z || v.p[T] != 'T' || v.p[T + 3] != ':' ||
	    v.p[T + 6] != ':' || memcmp(v.p, "1900", 4) < 0 ||
	    !date_is_valid_iso(svn(v.p, DATE_LEN)) ||
	    !two_digits(v.p + T + 1, 23) || !two_digits(v.p + T + 4, 59) ||
	    !two_digits(v.p + T + 7, 59))
		return false;
	if (i < v.len && v.p[i] == '.') {
		while (++i < v.len && is_digit(v.p[i]))
			;
		if (i == Z + 1 || i > Z + 10)
			return false;
	}
	if (i == v.len)
		return true;
	return v.len - i == 6 && (v.p[i] == '+' || v.p[i] == '-') &&
	       two_digits(v.p + i + 1, 14) && v.p[i + 3] == ':' &&
	       two_digits(v.p + i + 4, 59) &&
	       !(v.p[i] == '-' && !memcmp(v.p + i + 1, "00:00", 5));
}

/* A canonical timestamp is one timestamp_normalize leaves as it is: a
 * real date, a real time, a zone as +HH:MM (or a date alone). */
static const char *check_timestamp(struct rules *rs, struct strview v)
{
	if (is_plain_timestamp(v))
		return NULL;
	buf_reset(&rs->tmp);
	if (timestamp_normalize(v, DATE_ORDER_NONE, &rs->tmp) != DATE_OK ||
	    !sv_eq(buf_view(&rs->tmp), v))
		return "not a real ISO 8601 timestamp";
	return NULL;
}

static const char *check_integer(struct rules *rs, struct strview v)
{
	size_t i = v.len && v.p[0] == '-';

	(void)rs;
	if (i == v.len || v.len - i > 18)
		return "not an integer";
	for (; i < v.len; i++)
		if (!is_digit(v.p[i]))
			return "not an integer";
	return NULL;
}

static const struct check checks[] = {
	{"cn_id", check_cn_id},		/* GB 11643 */
	{"email", check_email},		/* as email_normalize writes it */
	{"e164", check_e164},		/* any phone */
	{"mobile", check_mobile},	/* E.164; +86: a mobile prefix */
	{"cn_mobile", check_cn_mobile}, /* mainland mobiles only */
	{"date", check_date},		/* YYYY-MM-DD, a real day */
	{"timestamp", check_timestamp}, /* canonical ISO 8601 */
	{"integer", check_integer},	/* -?[0-9]{1,18} */
};

const char *rules_check_names(void)
{
	return "cn_id, email, e164, mobile, cn_mobile, date, timestamp or "
	       "integer";
}

/*
 * Reading a field
 */

/* The birth date or the gender in a valid GB 11643 ID number, into tmp;
 * empty when v is no valid ID number. */
static struct strview derive(enum derive d, struct strview v, char *tmp)
{
	if (!cnid_is_valid(v))
		return svn("", 0);
	if (d == D_BIRTH_DATE) {
		cnid_birth_date(v, tmp);
		return sv(tmp);
	}
	tmp[0] = cnid_gender(v);
	return svn(tmp, tmp[0] ? 1 : 0);
}

/* The value f reads in rec. tmp: DATE_LEN + 1 bytes for derived values. */
static struct strview fref_value(const struct fref *f, const struct record *rec,
				 char *tmp)
{
	struct strview v;

	if (f->col < 0)
		return svn("", 0);
	v = record_field(rec, (size_t)f->col);
	if (f->derive == D_NONE || v.len == 0)
		return v;
	return derive(f->derive, v, tmp);
}

static struct strview operand_value(const struct operand *o,
				    const struct record *rec, char *tmp)
{
	if (o->is_field)
		return fref_value(&o->f, rec, tmp);
	return svn(o->text, o->len);
}

/*
 * The tests. Each returns R_SKIP when it does not apply (an empty value),
 * R_PASS, or R_FAIL with *why set.
 */

enum outcome { R_SKIP, R_PASS, R_FAIL };

typedef enum outcome (*test_fn)(struct rules *rs, struct rule *r,
				const struct record *rec, const char **why);

static enum outcome test_required(struct rules *rs, struct rule *r,
				  const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];

	(void)rs;
	*why = "missing";
	return sv_trim(fref_value(&r->field, rec, tmp)).len ? R_PASS : R_FAIL;
}

static enum outcome test_pattern(struct rules *rs, struct rule *r,
				 const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];
	struct strview v = fref_value(&r->field, rec, tmp);
	enum pattern_result res;

	if (v.len == 0)
		return R_SKIP;
	res = pattern_match(r->pat, v);
	if (res == PATTERN_MATCH)
		return R_PASS;
	if (res == PATTERN_LIMIT && !r->limit_said) {
		r->limit_said = true;
		mbr_warn("%s:%u: rule '%s': the pattern gave up on a value of "
			 "%zu bytes (PCRE2 match limit); such values fail the "
			 "rule as '%s'",
			 rs->path, r->info.line, r->name, v.len,
			 pattern_result_str(res));
	}
	*why = res == PATTERN_NOMATCH ? "does not match pattern"
				      : pattern_result_str(res);
	return R_FAIL;
}

static enum outcome test_enum(struct rules *rs, struct rule *r,
			      const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];
	struct strview v = fref_value(&r->field, rec, tmp);

	(void)rs;
	if (v.len == 0)
		return R_SKIP;
	*why = r->reason;
	return vlist_has(&r->allowed, v) ? R_PASS : R_FAIL;
}

static bool in_bounds(const struct bounds *b, double x)
{
	return (!b->has_min || x >= b->min) && (!b->has_max || x <= b->max);
}

static enum outcome test_range(struct rules *rs, struct rule *r,
			       const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];
	struct strview v = fref_value(&r->field, rec, tmp);
	const struct bounds *b = &r->bounds;
	double x;

	(void)rs;
	if (v.len == 0)
		return R_SKIP;
	*why = r->reason;
	if (b->type == V_NUMBER) {
		if (!parse_number(v, &x)) {
			*why = "not a number";
			return R_FAIL;
		}
		return in_bounds(b, x) ? R_PASS : R_FAIL;
	}
	if (!is_date_shape(v)) {
		*why = "not a date";
		return R_FAIL;
	}
	if ((b->has_min && memcmp(v.p, b->dmin, DATE_LEN) < 0) ||
	    (b->has_max && memcmp(v.p, b->dmax, DATE_LEN) > 0))
		return R_FAIL;
	return R_PASS;
}

static enum outcome test_length(struct rules *rs, struct rule *r,
				const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];
	struct strview v = fref_value(&r->field, rec, tmp);

	(void)rs;
	if (v.len == 0)
		return R_SKIP;
	*why = r->reason;
	return in_bounds(&r->bounds, (double)utf8_count(v)) ? R_PASS : R_FAIL;
}

static enum outcome test_check(struct rules *rs, struct rule *r,
			       const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];
	struct strview v = fref_value(&r->field, rec, tmp);

	if (v.len == 0)
		return R_SKIP;
	*why = r->check->fn(rs, v);
	return *why ? R_FAIL : R_PASS;
}

static bool op_holds(enum op op, int cmp)
{
	switch (op) {
	case OP_EQ:
		return cmp == 0;
	case OP_NE:
		return cmp != 0;
	case OP_LT:
		return cmp < 0;
	case OP_LE:
		return cmp <= 0;
	case OP_GT:
		return cmp > 0;
	case OP_GE:
		return cmp >= 0;
	}
	return false;
}

/* How two values compare: as the literal's type when the right side is a
 * literal, else as dates when both are dates, as numbers when both are
 * numbers, as bytes when neither is either. A date against a non-date is
 * left to the fields' own checks: R_SKIP. */
static enum outcome compare_values(const struct rule *r, struct strview a,
				   struct strview b, int *cmp, const char **why)
{
	enum vtype t = r->rhs.is_field ? V_TEXT : r->rhs.type;
	double x = 0, y = 0;

	if (r->rhs.is_field) {
		if (is_date_shape(a) || is_date_shape(b))
			t = V_DATE;
		else if (parse_number(a, &x) && parse_number(b, &y))
			t = V_NUMBER;
	}
	if (t == V_DATE && !(is_date_shape(a) && is_date_shape(b))) {
		*why = "not a date";
		return r->rhs.is_field ? R_SKIP : R_FAIL;
	}
	if (t == V_NUMBER && !(parse_number(a, &x) && parse_number(b, &y))) {
		*why = "not a number";
		return R_FAIL;
	}
	if (t == V_DATE)
		*cmp = memcmp(a.p, b.p, DATE_LEN);
	else if (t == V_NUMBER)
		*cmp = (x > y) - (x < y);
	else if ((*cmp = memcmp(a.p, b.p, a.len < b.len ? a.len : b.len)) == 0)
		*cmp = (a.len > b.len) - (a.len < b.len);
	return R_PASS;
}

static enum outcome test_compare(struct rules *rs, struct rule *r,
				 const struct record *rec, const char **why)
{
	char ta[DATE_LEN + 1], tb[DATE_LEN + 1];
	struct strview a = operand_value(&r->lhs, rec, ta);
	struct strview b = operand_value(&r->rhs, rec, tb);
	enum outcome res;
	int cmp = 0;

	(void)rs;
	if (a.len == 0 || b.len == 0)
		return R_SKIP;
	res = compare_values(r, a, b, &cmp, why);
	if (res != R_PASS)
		return res;
	*why = r->reason;
	return op_holds(r->op, cmp) ? R_PASS : R_FAIL;
}

/* The key is the fields' bytes, each followed by 0xFF (never in UTF-8),
 * so "ab","c" and "a","bc" differ. */
static enum outcome test_unique(struct rules *rs, struct rule *r,
				const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];

	buf_reset(&rs->key);
	for (size_t i = 0; i < r->n_keys; i++) {
		struct strview v = fref_value(&r->keys[i], rec, tmp);

		if (v.len == 0)
			return R_SKIP;
		if (buf_addsv(&rs->key, v) < 0 ||
		    buf_addc(&rs->key, '\xff') < 0)
			return R_SKIP; /* cannot happen: no limit */
	}
	r->pending = key_hash(rs->key.p, rs->key.len);
	r->has_pending = true;
	*why = r->reason;
	return keyset_has(&r->set, r->pending, &r->pending_at) ? R_FAIL
							       : R_PASS;
}

static const test_fn tests[] = {
	[T_REQUIRED] = test_required, [T_PATTERN] = test_pattern,
	[T_ENUM] = test_enum,	      [T_RANGE] = test_range,
	[T_LENGTH] = test_length,     [T_CHECK] = test_check,
	[T_COMPARE] = test_compare,   [T_UNIQUE] = test_unique,
};

static bool when_holds(const struct rule *r, const struct record *rec)
{
	char tmp[DATE_LEN + 1];
	struct strview v = fref_value(&r->when_field, rec, tmp);

	return vlist_has(&r->when_vals, v) != r->when_negate;
}

size_t rules_check(struct rules *rs, const struct record *rec,
		   struct rule_failure *out)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];
		const char *why = NULL;
		enum outcome res;

		r->has_pending = false;
		if (r->has_when && !when_holds(r, rec))
			continue;
		res = tests[r->test](rs, r, rec, &why);
		if (res == R_SKIP)
			continue;
		r->info.n_checked++;
		if (res == R_PASS)
			continue;
		r->info.n_failed++;
		out[n].rule = i;
		out[n].field = r->info.field;
		out[n].reason = r->message ? r->message : why;
		n++;
	}
	return n;
}

void rules_keep(struct rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];

		if (r->has_pending)
			keyset_add(&r->set, r->pending, r->pending_at);
		r->has_pending = false;
	}
}

/*
 * Parsing the value of each key
 */

static void fref_set(struct fref *f, struct strview name, unsigned line)
{
	f->name = sv_dup(name);
	f->line = line;
	f->col = -1;
}

static int key_field(struct parse *p, const struct ini_entry *e,
		     struct strview v)
{
	fref_set(&p->r->field, v, e->line);
	return 0;
}

static int key_required(struct parse *p, const struct ini_entry *e,
			struct strview v)
{
	if (!sv_ieqs(v, "yes") && !sv_ieqs(v, "true"))
		return fail(p, e->line,
			    "bad value '%s' for required (expected yes; "
			    "a rule that requires nothing has no test)",
			    e->value);
	return 0;
}

/* A pattern is taken as written; in double quotes, \" is a quote and
 * every other backslash stays for PCRE2 (ini_unquote would eat them). */
static int key_pattern(struct parse *p, const struct ini_entry *e,
		       struct strview v)
{
	struct buf re;
	int rc = 0;

	buf_init(&re, BUF_NOLIMIT);
	if (ini_is_quoted(v)) {
		for (size_t i = 1; i + 1 < v.len; i++)
			if (!(v.p[i] == '\\' && v.p[i + 1] == '"' &&
			      i + 2 < v.len))
				buf_addc(&re, v.p[i]);
		v = buf_view(&re);
	}
	p->r->pat = pattern_new(v, 0, p->err);
	if (!p->r->pat)
		rc = mbr_prefix(p->err, "%s:%u: ", p->ini->path, e->line);
	buf_release(&re);
	return rc;
}

/* Add items to l: each may be "quoted" ("" is the empty value); an empty
 * unquoted item is a mistake. */
static int add_items(struct parse *p, const struct ini_entry *e,
		     const struct strview *parts, size_t n, struct vlist *l)
{
	struct buf item;

	buf_init(&item, BUF_NOLIMIT);
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len == 0) {
			buf_release(&item);
			return fail(p, e->line,
				    "empty item in '%s' (write \"\" "
				    "for the empty value)",
				    e->value);
		}
		buf_reset(&item);
		ini_unquote(parts[i], &item);
		vlist_add(l, buf_view(&item));
	}
	buf_release(&item);
	return 0;
}

/* A comma list into l. */
static int parse_list(struct parse *p, const struct ini_entry *e,
		      struct strview v, struct vlist *l)
{
	struct strview parts[MAX_VALUES];
	int n = ini_split(v, ',', parts, MAX_VALUES, p->err);

	if (n < 0)
		return fail(p, e->line, "%s", p->err->msg);
	return add_items(p, e, parts, (size_t)n, l);
}

static int key_enum(struct parse *p, const struct ini_entry *e,
		    struct strview v)
{
	struct buf why;

	if (parse_list(p, e, v, &p->r->allowed) < 0)
		return -1;
	buf_init(&why, BUF_NOLIMIT);
	if (v.len <= 60)
		buf_addf(&why, "not one of %s", e->value);
	else
		buf_adds(&why, "not an allowed value");
	p->r->reason = buf_detach(&why);
	return 0;
}

/* One end of a range or length: a number, or (dates_ok) a date or today.
 * An empty end is open. */
static int parse_bound(struct parse *p, const struct ini_entry *e,
		       struct strview s, bool dates_ok, enum vtype *type,
		       double *num, char *date)
{
	if (dates_ok && sv_eqs(s, "today")) {
		memcpy(date, p->rs->today, DATE_LEN + 1);
		*type = V_DATE;
		return 0;
	}
	if (dates_ok && date_is_valid_iso(s)) {
		memcpy(date, s.p, DATE_LEN);
		date[DATE_LEN] = '\0';
		*type = V_DATE;
		return 0;
	}
	if (parse_number(s, num) &&
	    (dates_ok || (*num >= 0 && *num == (double)(long)*num))) {
		*type = V_NUMBER;
		return 0;
	}
	if (dates_ok)
		return fail(p, e->line,
			    "bad range bound '%.*s' (expected a "
			    "number, a date YYYY-MM-DD or today)",
			    (int)s.len, s.p);
	return fail(p, e->line,
		    "bad length '%.*s' (expected a whole number "
		    "of characters)",
		    (int)s.len, s.p);
}

static int check_bounds(struct parse *p, const struct ini_entry *e,
			struct bounds *b, enum vtype tmin, enum vtype tmax)
{
	if (!b->has_min && !b->has_max)
		return fail(p, e->line,
			    "'%s' has no bound (expected MIN .. MAX,"
			    " either end may be left out)",
			    e->value);
	if (b->has_min && b->has_max && tmin != tmax)
		return fail(p, e->line, "range '%s' mixes a number and a date",
			    e->value);
	b->type = b->has_min ? tmin : tmax;
	if (b->has_min && b->has_max &&
	    (b->type == V_DATE ? strcmp(b->dmin, b->dmax) > 0
			       : b->min > b->max))
		return fail(p, e->line,
			    "range '%s' is empty (MIN is after MAX)", e->value);
	return 0;
}

/* Where ".." is in v, or NULL. */
static const char *find_dots(struct strview v)
{
	for (size_t i = 0; i + 1 < v.len; i++)
		if (v.p[i] == '.' && v.p[i + 1] == '.')
			return v.p + i;
	return NULL;
}

/* MIN .. MAX (either end may be empty), or for a length a single N. */
static int parse_bounds(struct parse *p, const struct ini_entry *e,
			struct strview v, bool is_range)
{
	struct bounds *b = &p->r->bounds;
	const char *dots = find_dots(v);
	struct strview lo = v, hi = v;
	enum vtype tmin = V_NUMBER, tmax = V_NUMBER;

	if (!dots && is_range)
		return fail(p, e->line,
			    "bad range '%s' (expected MIN .. MAX, "
			    "e.g. 0 .. 100000 or 1900-01-01 .. today; either "
			    "end may be left out)",
			    e->value);
	if (dots) {
		lo = sv_trim(svn(v.p, (size_t)(dots - v.p)));
		hi = sv_trim(svn(dots + 2, v.len - (size_t)(dots - v.p) - 2));
	}
	b->has_min = lo.len > 0;
	b->has_max = hi.len > 0;
	if (b->has_min &&
	    parse_bound(p, e, lo, is_range, &tmin, &b->min, b->dmin) < 0)
		return -1;
	if (b->has_max &&
	    parse_bound(p, e, hi, is_range, &tmax, &b->max, b->dmax) < 0)
		return -1;
	return check_bounds(p, e, b, tmin, tmax);
}

static int key_range(struct parse *p, const struct ini_entry *e,
		     struct strview v)
{
	struct buf why;

	if (parse_bounds(p, e, v, true) < 0)
		return -1;
	buf_init(&why, BUF_NOLIMIT);
	buf_addf(&why, "out of range %s", e->value);
	p->r->reason = buf_detach(&why);
	return 0;
}

static int key_length(struct parse *p, const struct ini_entry *e,
		      struct strview v)
{
	struct buf why;

	if (parse_bounds(p, e, v, false) < 0)
		return -1;
	buf_init(&why, BUF_NOLIMIT);
	if (find_dots(v))
		buf_addf(&why, "length outside %s", e->value);
	else
		buf_addf(&why, "length is not %s", e->value);
	p->r->reason = buf_detach(&why);
	return 0;
}

static int key_check(struct parse *p, const struct ini_entry *e,
		     struct strview v)
{
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (sv_eqs(v, checks[i].name)) {
			p->r->check = &checks[i];
			return 0;
		}
	}
	return fail(p, e->line, "unknown check '%s' (expected %s)", e->value,
		    rules_check_names());
}

static const struct {
	const char *s;
	enum op op;
} ops[] = {
	/* Two-character operators first: ">=" is not ">" then "=". */
	{"==", OP_EQ}, /* equal */
	{"!=", OP_NE}, /* not equal */
	{">=", OP_GE}, /* not before, not less */
	{"<=", OP_LE}, /* not after, not more */
	{">", OP_GT},  /* after, more */
	{"<", OP_LT},  /* before, less */
	{"=", OP_EQ},  /* as users write it */
};

/* The first operator in v outside quotes: its offset, or -1. */
static long find_op(struct strview v, size_t *op_len, enum op *op)
{
	bool quoted = false;

	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] == '"')
			quoted = !quoted;
		if (quoted)
			continue;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
			size_t n = strlen(ops[k].s);

			if (i + n <= v.len && !memcmp(v.p + i, ops[k].s, n)) {
				*op_len = n;
				*op = ops[k].op;
				return (long)i;
			}
		}
	}
	return -1;
}

static const struct {
	const char *suffix;
	enum derive d;
} derived[] = {
	{".birth_date", D_BIRTH_DATE},
	{".gender", D_GENDER},
};

static void parse_field_operand(struct operand *o, struct strview s,
				unsigned line)
{
	o->is_field = true;
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		size_t n = strlen(derived[i].suffix);

		if (s.len > n &&
		    !memcmp(s.p + s.len - n, derived[i].suffix, n)) {
			s.len -= n;
			o->f.derive = derived[i].d;
			break;
		}
	}
	fref_set(&o->f, s, line);
}

/* A literal ("text", today, a date, a number) or a field. */
static void parse_operand(struct parse *p, struct operand *o, struct strview s,
			  unsigned line)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	if (ini_is_quoted(s)) {
		ini_unquote(s, &b);
		o->type = V_TEXT;
	} else if (sv_eqs(s, "today")) {
		buf_adds(&b, p->rs->today);
		o->type = V_DATE;
	} else if (date_is_valid_iso(s)) {
		buf_addsv(&b, s);
		o->type = V_DATE;
	} else if (parse_number(s, &o->num)) {
		buf_addsv(&b, s);
		o->type = V_NUMBER;
	} else {
		buf_release(&b);
		parse_field_operand(o, s, line);
		return;
	}
	o->len = b.len;
	o->text = buf_detach(&b);
}

static int key_compare(struct parse *p, const struct ini_entry *e,
		       struct strview v)
{
	struct rule *r = p->r;
	size_t op_len = 0;
	long at = find_op(v, &op_len, &r->op);
	struct strview lhs, rhs;
	struct buf why;

	if (at < 0)
		return fail(p, e->line,
			    "bad compare '%s' (expected FIELD OP "
			    "VALUE with OP one of == != < <= > >=, e.g. "
			    "registered_at >= birth_date)",
			    e->value);
	lhs = sv_trim(svn(v.p, (size_t)at));
	rhs = sv_trim(svn(v.p + at + op_len, v.len - (size_t)at - op_len));
	if (lhs.len == 0 || rhs.len == 0)
		return fail(p, e->line,
			    "compare '%s' lacks a side (expected "
			    "FIELD OP VALUE)",
			    e->value);
	parse_operand(p, &r->lhs, lhs, e->line);
	if (!r->lhs.is_field)
		return fail(p, e->line,
			    "compare '%s' needs a field on the left"
			    " (expected FIELD OP VALUE)",
			    e->value);
	parse_operand(p, &r->rhs, rhs, e->line);
	buf_init(&why, BUF_NOLIMIT);
	buf_addf(&why, "expected %s", e->value);
	r->reason = buf_detach(&why);
	return 0;
}

static int key_unique(struct parse *p, const struct ini_entry *e,
		      struct strview v)
{
	struct rule *r = p->r;
	struct strview parts[MAX_KEY_FIELDS];
	int n = ini_split(v, ',', parts, MAX_KEY_FIELDS, p->err);

	if (n < 0)
		return fail(p, e->line, "%s", p->err->msg);
	for (int i = 0; i < n; i++) {
		if (parts[i].len == 0)
			return fail(p, e->line,
				    "empty field name in '%s' "
				    "(expected unique = FIELD, FIELD...)",
				    e->value);
		fref_set(&r->keys[i], parts[i], e->line);
		r->n_keys++;
	}
	r->reason = xstrdup("duplicate of an earlier record");
	return 0;
}

/* FIELD in (A, B) | FIELD not in (A, B) | FIELD == A | FIELD != A */
static int key_when(struct parse *p, const struct ini_entry *e,
		    struct strview v)
{
	struct rule *r = p->r;
	struct ini_call call;
	struct mbr_err ignore;
	size_t n = 0, op_len;
	enum op op;
	long at = find_op(v, &op_len, &op);

	if (at >= 0 && (op == OP_EQ || op == OP_NE)) {
		fref_set(&r->when_field, sv_trim(svn(v.p, (size_t)at)),
			 e->line);
		r->when_negate = op == OP_NE;
		r->has_when = true;
		v = sv_trim(
			svn(v.p + at + op_len, v.len - (size_t)at - op_len));
		return add_items(p, e, &v, 1, &r->when_vals);
	}
	while (n < v.len && v.p[n] != ' ' && v.p[n] != '\t')
		n++;
	fref_set(&r->when_field, svn(v.p, n), e->line);
	v = sv_trim(svn(v.p + n, v.len - n));
	r->when_negate = sv_starts(v, "not ") || sv_starts(v, "not\t");
	if (r->when_negate)
		v = sv_trim(svn(v.p + 3, v.len - 3));
	if (at >= 0 || ini_parse_call(v, &call, &ignore) < 0 ||
	    !sv_eqs(call.name, "in") || !call.has_parens || call.n_args == 0)
		return fail(p, e->line,
			    "bad condition '%s' (expected FIELD in "
			    "(A, B), FIELD not in (A, B), FIELD == A or "
			    "FIELD != A)",
			    e->value);
	r->has_when = true;
	return add_items(p, e, call.args, call.n_args, &r->when_vals);
}

static int key_severity(struct parse *p, const struct ini_entry *e,
			struct strview v)
{
	if (sv_eqs(v, "reject"))
		p->r->info.severity = RULE_REJECT;
	else if (sv_eqs(v, "flag"))
		p->r->info.severity = RULE_FLAG;
	else
		return fail(p, e->line,
			    "bad severity '%s' (expected reject or "
			    "flag)",
			    e->value);
	return 0;
}

/* ';' separates reasons in reject_reason and _issues. */
static int key_message(struct parse *p, const struct ini_entry *e,
		       struct strview v)
{
	struct buf m;

	buf_init(&m, BUF_NOLIMIT);
	ini_unquote(v, &m);
	if (memchr(m.p, ';', m.len)) {
		buf_release(&m);
		return fail(p, e->line,
			    "message contains ';' (it separates "
			    "reasons in the rejects file: use ',')");
	}
	p->r->message = buf_detach(&m);
	return 0;
}

typedef int (*key_fn)(struct parse *p, const struct ini_entry *e,
		      struct strview v);

static const struct {
	const char *name;
	enum test test; /* T_NONE: not a test */
	key_fn parse;
} keys[N_KEYS] = {
	{"field", T_NONE, key_field},
	{"required", T_REQUIRED, key_required},
	{"pattern", T_PATTERN, key_pattern},
	{"enum", T_ENUM, key_enum},
	{"range", T_RANGE, key_range},
	{"length", T_LENGTH, key_length},
	{"check", T_CHECK, key_check},
	{"compare", T_COMPARE, key_compare},
	{"unique", T_UNIQUE, key_unique},
	{"when", T_NONE, key_when},
	{"severity", T_NONE, key_severity},
	{"message", T_NONE, key_message},
};

#define KEY_LIST                                                 \
	"field, required, pattern, enum, range, length, check, " \
	"compare, unique, when, severity or message"
#define TEST_LIST                                                 \
	"required, pattern, enum, range, length, check, compare " \
	"or unique"

/*
 * Parsing sections
 */

static int parse_entry(struct parse *p, const struct ini_entry *e)
{
	struct rule *r = p->r;
	size_t k = 0;

	while (k < N_KEYS && strcmp(keys[k].name, e->key))
		k++;
	if (k == N_KEYS)
		return fail(p, e->line,
			    "unknown key '%s' in rule '%s' "
			    "(expected %s)",
			    e->key, r->name, KEY_LIST);
	if (r->seen[k])
		return fail(p, e->line,
			    "duplicate key '%s' in rule '%s' (first "
			    "at line %u)",
			    e->key, r->name, r->seen[k]);
	r->seen[k] = e->line;
	if (keys[k].test != T_NONE && r->test != T_NONE)
		return fail(p, e->line,
			    "rule '%s' has a second test '%s' (it "
			    "has '%s' at line %u: write one test per rule)",
			    r->name, e->key, test_names[r->test], r->test_line);
	if (keys[k].test != T_NONE) {
		r->test = keys[k].test;
		r->test_line = e->line;
	}
	if (e->value[0] == '\0')
		return fail(p, e->line, "'%s' has no value", e->key);
	return keys[k].parse(p, e, sv(e->value));
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_' || c == '-' || c == '.';
}

/* "[rule NAME]": NAME, or -1. */
static int section_name(struct parse *p, const char *section, unsigned line,
			struct strview *name)
{
	struct strview s = sv(section);

	if (!sv_starts(s, "rule") ||
	    (s.len > 4 && s.p[4] != ' ' && s.p[4] != '\t'))
		return fail(p, line,
			    "unknown section '[%s]' (expected "
			    "[rule NAME])",
			    section);
	*name = sv_trim(svn(s.p + 4, s.len - 4));
	if (name->len == 0)
		return fail(p, line,
			    "rule without a name (expected [rule "
			    "NAME])");
	for (size_t i = 0; i < name->len; i++)
		if (!is_name_char(name->p[i]))
			return fail(p, line,
				    "bad rule name '%.*s' (expected "
				    "letters, digits, '_', '-' or '.')",
				    (int)name->len, name->p);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a;
	const struct rule *y = *(const struct rule *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c
		 : (x->info.line > y->info.line) -
			       (x->info.line < y->info.line);
}

/* Two rules of one name: the first repeat in the file is the error. Sorted
 * by name, not compared pairwise: 200,000 rules load in linear time. */
static int check_names(struct parse *p)
{
	struct rules *rs = p->rs;
	const struct rule **v = xmalloc((rs->n + 1) * sizeof(*v));
	const struct rule *dup = NULL, *first = NULL;

	for (size_t i = 0; i < rs->n; i++)
		v[i] = &rs->r[i];
	qsort(v, rs->n, sizeof(*v), by_name);
	for (size_t i = 1; i < rs->n; i++)
		if (!strcmp(v[i]->name, v[i - 1]->name) &&
		    (!dup || v[i]->info.line < dup->info.line)) {
			dup = v[i];
			first = v[i - 1];
		}
	free(v);
	if (!dup)
		return 0;
	return fail(p, dup->info.line, "duplicate rule '%s' (first at line %u)",
		    dup->name, first->info.line);
}

static void make_label(struct rule *r)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	if (r->test == T_COMPARE) {
		buf_adds(&b, r->lhs.f.name);
	} else if (r->test == T_UNIQUE) {
		for (size_t i = 0; i < r->n_keys; i++) {
			if (i)
				buf_addc(&b, '+');
			buf_adds(&b, r->keys[i].name);
		}
	} else {
		buf_adds(&b, r->field.name);
	}
	r->label = buf_detach(&b);
}

/* After the last key of a section: is the rule whole? */
static int finish_rule(struct parse *p)
{
	struct rule *r = p->r;
	bool own_fields = r->test == T_COMPARE || r->test == T_UNIQUE;

	if (r->test == T_NONE)
		return fail(p, r->info.line,
			    "rule '%s' has no test (expected "
			    "one of %s)",
			    r->name, TEST_LIST);
	if (!own_fields && !r->field.name)
		return fail(p, r->info.line,
			    "rule '%s' has no field (expected "
			    "field = NAME)",
			    r->name);
	if (own_fields && r->field.name)
		return fail(p, r->field.line,
			    "rule '%s': %s names its own "
			    "fields (remove 'field')",
			    r->name, test_names[r->test]);
	make_label(r);
	r->info.name = r->name;
	r->info.field = r->label;
	r->info.test = test_names[r->test];
	return 0;
}

static struct rule *add_rule(struct rules *rs, struct strview name,
			     unsigned line)
{
	struct rule *r;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 16;
		rs->r = xrealloc(rs->r, rs->cap * sizeof(*rs->r));
	}
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->name = sv_dup(name);
	r->info.line = line;
	r->info.severity = RULE_REJECT;
	return r;
}

/* Section k: entries from *i while they come before section k + 1. */
static int parse_section(struct parse *p, size_t k, size_t *i)
{
	const struct ini *ini = p->ini;
	unsigned end =
		k + 1 < ini->n_sections ? ini->section_lines[k + 1] : ~0u;
	struct strview name;

	if (section_name(p, ini->sections[k], ini->section_lines[k], &name) < 0)
		return -1;
	p->r = add_rule(p->rs, name, ini->section_lines[k]);
	for (; *i < ini->n && ini->e[*i].line < end; (*i)++)
		if (parse_entry(p, &ini->e[*i]) < 0)
			return -1;
	return finish_rule(p);
}

static int parse_ini(struct parse *p)
{
	const struct ini *ini = p->ini;
	size_t i = 0;

	if (ini->n &&
	    (!ini->n_sections || ini->e[0].line < ini->section_lines[0]))
		return fail(p, ini->e[0].line,
			    "'%s' outside a rule (expected "
			    "[rule NAME] first)",
			    ini->e[0].key);
	for (size_t k = 0; k < ini->n_sections; k++)
		if (parse_section(p, k, &i) < 0)
			return -1;
	return check_names(p);
}

static struct rules *rules_new(const char *path)
{
	struct rules *rs = xcalloc(1, sizeof(*rs));
	long t = date_today();
	char today[32];

	rs->path = xstrdup(path);
	snprintf(today, sizeof(today), "%04ld-%02ld-%02ld", t / 10000,
		 t / 100 % 100, t % 100);
	memcpy(rs->today, today, DATE_LEN);
	buf_init(&rs->key, BUF_NOLIMIT);
	buf_init(&rs->tmp, BUF_NOLIMIT);
	return rs;
}

static struct rules *from_ini(const struct ini *ini, struct mbr_err *err)
{
	struct parse p = {ini, rules_new(ini->path), NULL, err};

	if (parse_ini(&p) < 0) {
		rules_free(p.rs);
		return NULL;
	}
	return p.rs;
}

struct rules *rules_parse(const char *name, const char *text, size_t len,
			  struct mbr_err *err)
{
	struct ini ini;
	struct rules *rs;

	if (ini_parse(&ini, name, text, len, err) < 0)
		return NULL;
	rs = from_ini(&ini, err);
	ini_release(&ini);
	return rs;
}

struct rules *rules_load(const char *path, struct mbr_err *err)
{
	struct ini ini;
	struct rules *rs;

	if (ini_load(&ini, path, err) < 0)
		return NULL;
	rs = from_ini(&ini, err);
	ini_release(&ini);
	return rs;
}

/*
 * Lifecycle, binding
 */

static void fref_release(struct fref *f)
{
	free(f->name);
	f->name = NULL;
}

static void rule_release(struct rule *r)
{
	free(r->name);
	free(r->label);
	free(r->message);
	free(r->reason);
	fref_release(&r->field);
	fref_release(&r->when_field);
	vlist_release(&r->when_vals);
	pattern_free(r->pat);
	vlist_release(&r->allowed);
	fref_release(&r->lhs.f);
	free(r->lhs.text);
	fref_release(&r->rhs.f);
	free(r->rhs.text);
	for (size_t i = 0; i < r->n_keys; i++)
		fref_release(&r->keys[i]);
	keyset_release(&r->set);
}

void rules_free(struct rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_release(&rs->r[i]);
	free(rs->r);
	free(rs->path);
	buf_release(&rs->key);
	buf_release(&rs->tmp);
	free(rs);
}

size_t rules_count(const struct rules *rs)
{
	return rs->n;
}

const struct rule_info *rules_info(const struct rules *rs, size_t i)
{
	return &rs->r[i].info;
}

static int fref_bind(const struct rules *rs, struct fref *f,
		     const struct header *h, struct mbr_err *err)
{
	int c;

	if (!f->name)
		return 0;
	c = canon_lookup(sv(f->name));
	f->col = header_find(h, f->name);
	if (f->col < 0 && c >= 0)
		f->col = h->canon[c]; /* "Mobile" for mobile, or -1 */
	if (f->col >= 0 || c >= 0)
		return 0;
	return mbr_fail(err, MBR_ECONFIG,
			"%s:%u: unknown field '%s' (not a "
			"column of the input nor a canonical column)",
			rs->path, f->line, f->name);
}

static int rule_bind(const struct rules *rs, struct rule *r,
		     const struct header *h, struct mbr_err *err)
{
	if (fref_bind(rs, &r->field, h, err) < 0 ||
	    fref_bind(rs, &r->when_field, h, err) < 0 ||
	    fref_bind(rs, &r->lhs.f, h, err) < 0 ||
	    fref_bind(rs, &r->rhs.f, h, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_keys; i++)
		if (fref_bind(rs, &r->keys[i], h, err) < 0)
			return -1;
	keyset_release(&r->set);
	r->has_pending = false;
	return 0;
}

int rules_bind(struct rules *rs, const struct header *h, struct mbr_err *err)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rule_bind(rs, &rs->r[i], h, err) < 0)
			return -1;
	return 0;
}

/*
 * The built-in rules: DESIGN.md's canonical forms. mappings/rules.ini is
 * this text with comments; test_rules checks that they agree.
 */
static const char default_text[] =
	"[rule source_id_required]\n"
	"field    = source_id\n"
	"required = yes\n"
	"severity = reject\n"
	"\n"
	"[rule source_id_unique]\n"
	"unique   = source, source_id\n"
	"severity = reject\n"
	"message  = duplicate source_id within its source\n"
	"\n"
	"[rule mobile_e164]\n"
	"field    = mobile\n"
	"check    = mobile\n"
	"severity = flag\n"
	"\n"
	"[rule phone_e164]\n"
	"field    = phone\n"
	"check    = e164\n"
	"severity = flag\n"
	"\n"
	"[rule email_shape]\n"
	"field    = email\n"
	"check    = email\n"
	"severity = flag\n"
	"\n"
	"[rule id_number_valid]\n"
	"field    = id_number\n"
	"check    = cn_id\n"
	"when     = id_type in (CN_RIC, \"\")\n"
	"severity = flag\n"
	"\n"
	"[rule birth_date_real]\n"
	"field    = birth_date\n"
	"check    = date\n"
	"severity = reject\n"
	"\n"
	"[rule birth_date_range]\n"
	"field    = birth_date\n"
	"range    = 1900-01-01 .. today\n"
	"severity = flag\n"
	"\n"
	"[rule birth_date_matches_id]\n"
	"compare  = birth_date == id_number.birth_date\n"
	"when     = id_type in (CN_RIC, \"\")\n"
	"severity = flag\n"
	"\n"
	"[rule registered_at_real]\n"
	"field    = registered_at\n"
	"check    = timestamp\n"
	"severity = reject\n"
	"\n"
	"[rule last_active_at_real]\n"
	"field    = last_active_at\n"
	"check    = timestamp\n"
	"severity = reject\n"
	"\n"
	"[rule registered_after_birth]\n"
	"compare  = registered_at >= birth_date\n"
	"severity = flag\n"
	"\n"
	"[rule points_integer]\n"
	"field    = points\n"
	"check    = integer\n"
	"severity = reject\n"
	"\n"
	"[rule points_not_negative]\n"
	"field    = points\n"
	"range    = 0 ..\n"
	"severity = flag\n"
	"\n"
	"[rule tier_integer]\n"
	"field    = tier\n"
	"check    = integer\n"
	"severity = reject\n"
	"\n"
	"[rule gender_code]\n"
	"field    = gender\n"
	"enum     = M, F\n"
	"severity = flag\n"
	"\n"
	"[rule consent_code]\n"
	"field    = consent_marketing\n"
	"enum     = Y, N\n"
	"severity = flag\n";

const char *rules_default_text(void)
{
	return default_text;
}

struct rules *rules_default(struct mbr_err *err)
{
	struct rules *rs = rules_parse("<built-in rules>", default_text,
				       sizeof(default_text) - 1, err);

	if (!rs)
		err->status = MBR_EINTERNAL;
	return rs;
}
