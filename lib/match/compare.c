/*
 * compare: dates (exact, day/month swapped, one digit off, within a
 * year), and two records compared field by field into levels and match
 * weights. A missing value on either side is LEVEL_NULL: no evidence
 * either way, weight 0.
 */
#include "mappers/date.h"
#include "match/match_int.h"

#include <math.h>
#include <stdlib.h>

static int digits(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* A known month and day must be a day of the calendar; 00 stands for
 * "not known", and an unknown month leaves the day unknown too. */
static bool date_parts_ok(int y, int m, int d)
{
	if (y < 1 || m < 0 || m > 12 || d < 0)
		return false;
	if (m == 0)
		return d == 0;
	return d <= month_days(y, m);
}

int32_t compare_parse_date(struct strview v)
{
	int y = digits(v.p, v.len >= 4 ? 4 : 0), m = 0, d = 0;

	if (v.len == 10 && v.p[4] == '-' && v.p[7] == '-') {
		m = digits(v.p + 5, 2);
		d = digits(v.p + 8, 2);
	} else if (v.len == 8) {
		m = digits(v.p + 4, 2);
		d = digits(v.p + 6, 2);
	} else if (v.len == 7 && v.p[4] == '-') {
		m = digits(v.p + 5, 2);
	} else if (v.len != 4) {
		return 0;
	}
	if (!date_parts_ok(y, m, d))
		return 0;
	return y * 10000 + m * 100 + d;
}

bool compare_date_is_full(int32_t ymd)
{
	return ymd % 100 != 0 && ymd / 100 % 100 != 0;
}

/* Days since 1970-01-01 of a YYYYMMDD number. */
static long day_number(int32_t ymd)
{
	return (long)date_days_from_civil(ymd / 10000, ymd / 100 % 100,
					  ymd % 100);
}

/* The 8 digits differ in one place, or in two neighbouring places that
 * are swapped (1985 / 1958). */
static bool one_digit_off(int32_t a, int32_t b)
{
	int da[8], db[8], diff[8], n = 0;

	for (int i = 7; i >= 0; i--) {
		da[i] = a % 10;
		db[i] = b % 10;
		a /= 10;
		b /= 10;
	}
	for (int i = 0; i < 8; i++)
		if (da[i] != db[i])
			diff[n++] = i;
	if (n == 1)
		return true;
	return n == 2 && diff[1] == diff[0] + 1 && da[diff[0]] == db[diff[1]] &&
	       da[diff[1]] == db[diff[0]];
}

/* Dates of which one or both are partial (a year, a year and month):
 * partial when they agree as far as both go, within_year when the years
 * are at most one apart, else other. */
static enum date_level partial_dates(int32_t a, int32_t b)
{
	int ya = a / 10000, yb = b / 10000, ma = a / 100 % 100,
	    mb = b / 100 % 100;

	if (ya == yb && (!ma || !mb || ma == mb))
		return DATE_PARTIAL;
	return abs(ya - yb) <= 1 ? DATE_NEAR : DATE_OTHER;
}

enum date_level compare_dates(int32_t a, int32_t b)
{
	int am = a / 100 % 100, ad = a % 100, bm = b / 100 % 100, bd = b % 100;

	if (a == 0 || b == 0)
		return DATE_NULL;
	if (!compare_date_is_full(a) || !compare_date_is_full(b))
		return partial_dates(a, b);
	if (a == b)
		return DATE_EXACT;
	if (a / 10000 == b / 10000 && am == bd && ad == bm)
		return DATE_SWAPPED;
	if (one_digit_off(a, b))
		return DATE_ONE_DIGIT;
	if (labs(day_number(a) - day_number(b)) <= 365)
		return DATE_NEAR;
	return DATE_OTHER;
}

/* ---- two records, field by field ---- */

enum name_level {
	NAME_EXACT,
	NAME_PHONETIC,
	NAME_NICKNAME,
	NAME_JW_HIGH,
	NAME_JW_LOW,
	NAME_OTHER
};

static double jaro_winkler_ids(const struct intern *t, uint32_t x, uint32_t y)
{
	uint32_t a[MATCH_MAX_CPS], b[MATCH_MAX_CPS];
	size_t na = fold_decode(intern_str(t, x), a, MATCH_MAX_CPS);
	size_t nb = fold_decode(intern_str(t, y), b, MATCH_MAX_CPS);

	return strsim_jaro_winkler(a, na, b, nb);
}

/* Could a's and b's values of f be one edit apart, by their odd[]
 * bytes? */
static bool may_be_one_edit(const struct mrec *a, const struct mrec *b,
			    enum mfield f)
{
	int s = mrec_odd_slot(f);

	return s < 0 || strsim_may_be_one_edit(a->odd[s], b->odd[s]);
}

static bool one_edit_ids(const struct intern *t, uint32_t x, uint32_t y)
{
	struct strview a = intern_str(t, x), b = intern_str(t, y);

	return strsim_one_edit(a.p, a.len, b.p, b.len);
}

/* Same values, or part i of a is b's other part o while the records do
 * not both hold part i: first name and surname swapped, in full ("Leah
 * Cross" / "Cross Leah") or with one part missing ("Robinson" as the
 * surname of one record, the first name of the other). */
static bool same_or_swapped(const uint32_t *a, const uint32_t *b, int i, int o)
{
	if (!a[i])
		return false;
	if (a[i] == b[i])
		return true;
	return i != o && a[i] == b[o] && (a[o] == b[i] || !a[o] || !b[i]);
}

/* Is one name written in Latin letters, the other in Han characters? */
static bool cross_script(const struct mrec *a, const struct mrec *b)
{
	return (a->flags & MR_LATIN) != (b->flags & MR_LATIN);
}

/* The sounds of name part i (1 family, 2 given) agree, in place or
 * swapped: Allen and Alan, Benn and Ben. */
static bool same_sound(const struct mrec *a, const struct mrec *b, int i)
{
	uint32_t sa[3] = {0, a->snd[0], a->snd[1]};
	uint32_t sb[3] = {0, b->snd[0], b->snd[1]};

	return i > 0 && same_or_swapped(sa, sb, i, 3 - i);
}

/* Names: field is MF_NAME, MF_FAMILY or MF_GIVEN; family and given may
 * be swapped between the records. */
/* Names, the cheap part: null, exact, phonetic, or LEVEL_PENDING. */
static unsigned name_cheap(const struct mcmp *m, const struct mrec *a,
			   const struct mrec *b)
{
	int i = m->field == MF_NAME ? 0 : m->field == MF_FAMILY ? 1 : 2;
	int o = i == 0 ? 0 : 3 - i;
	uint32_t fa[3] = {a->v[MF_NAME], a->v[MF_FAMILY], a->v[MF_GIVEN]};
	uint32_t fb[3] = {b->v[MF_NAME], b->v[MF_FAMILY], b->v[MF_GIVEN]};
	uint32_t ka[3] = {a->v[MF_NAME_KEY], a->v[MF_FAMILY_KEY],
			  a->v[MF_GIVEN_KEY]};
	uint32_t kb[3] = {b->v[MF_NAME_KEY], b->v[MF_FAMILY_KEY],
			  b->v[MF_GIVEN_KEY]};

	if (!fa[i] || !fb[i])
		return LEVEL_NULL;
	if (same_or_swapped(fa, fb, i, o))
		return NAME_EXACT;
	/* 张伟 and "Zhang Wei" agree as well as two scripts can. */
	if (same_or_swapped(a->py, b->py, i, o))
		return cross_script(a, b) ? NAME_EXACT : NAME_PHONETIC;
	if (same_or_swapped(ka, kb, i, o) || same_sound(a, b, i))
		return NAME_PHONETIC;
	if (i == 2 && nick_related(a->nick, b->nick))
		return NAME_NICKNAME;
	/* A name that could not be split ("liqian", all given name)
	 * against its parts: the whole names say. */
	if (i > 0 && (!fa[1] || !fb[1]) &&
	    (a->py[0] == b->py[0] || ka[0] == kb[0]))
		return cross_script(a, b) ? NAME_EXACT : NAME_PHONETIC;
	return LEVEL_PENDING;
}

/* Is one name the other with one character dropped (高俊杰 / 高杰)?
 * Jaro-Winkler misses it in a name of two characters. */
static bool one_dropped(const struct intern *t, uint32_t x, uint32_t y)
{
	uint32_t a[MATCH_MAX_CPS], b[MATCH_MAX_CPS];
	size_t na = fold_decode(intern_str(t, x), a, MATCH_MAX_CPS);
	size_t nb = fold_decode(intern_str(t, y), b, MATCH_MAX_CPS);

	if (na + 1 != nb && nb + 1 != na)
		return false;
	if (na > nb)
		return one_dropped(t, y, x);
	for (size_t skip = 0; skip < nb; skip++) {
		size_t k = 0;

		while (k < na && a[k] == b[k + (k >= skip)])
			k++;
		if (k == na)
			return na > 0;
	}
	return false;
}

/* Jaro-Winkler band of a name part written in two scripts, on the
 * pinyin of both ("Li" / 丽海: li / lihai). */
static unsigned name_fuzzy_pinyin(const struct cmp_ctx *c, const struct mcmp *m,
				  const struct mrec *a, const struct mrec *b)
{
	int i = m->field == MF_FAMILY ? 1 : 2;
	double jw = jaro_winkler_ids(c->t, a->py[i], b->py[i]);
	double cross = jaro_winkler_ids(c->t, a->py[i], b->py[3 - i]);

	jw = cross > jw ? cross : jw;
	return jw >= m->arg[0]	 ? NAME_JW_HIGH
	       : jw >= m->arg[1] ? NAME_JW_LOW
				 : NAME_OTHER;
}

/* Names, the dear part: Jaro-Winkler bands, of the part in place or,
 * for a family or given name, against the other record's other part
 * (swapped, with a typo). */
static unsigned name_fuzzy(const struct cmp_ctx *c, const struct mcmp *m,
			   const struct mrec *a, const struct mrec *b)
{
	enum mfield other = m->field == MF_FAMILY  ? MF_GIVEN
			    : m->field == MF_GIVEN ? MF_FAMILY
						   : m->field;
	double jw;

	if (cross_script(a, b) && other != m->field)
		return name_fuzzy_pinyin(c, m, a, b);
	jw = jaro_winkler_ids(c->t, mrec_f(c->t, a, m->field),
			      mrec_f(c->t, b, m->field));
	if (other != m->field && mrec_f(c->t, b, other) && jw < m->arg[0]) {
		double cross = jaro_winkler_ids(c->t, mrec_f(c->t, a, m->field),
						mrec_f(c->t, b, other));

		jw = cross > jw ? cross : jw;
	}
	if (jw < m->arg[1] && one_dropped(c->t, mrec_f(c->t, a, m->field),
					  mrec_f(c->t, b, m->field)))
		return NAME_JW_LOW;

	return jw >= m->arg[0]	 ? NAME_JW_HIGH
	       : jw >= m->arg[1] ? NAME_JW_LOW
				 : NAME_OTHER;
}

/* Jaccard of the two 256-bit bigram sets: close to the true index, and
 * below it only when shared bigrams collide, so far below the lowest
 * threshold it settles "other" without touching the bigram lists. */
static double sig_jaccard(const uint64_t *a, const uint64_t *b)
{
	int both = 0, any = 0;

	for (int i = 0; i < 4; i++) {
		both += __builtin_popcountll(a[i] & b[i]);
		any += __builtin_popcountll(a[i] | b[i]);
	}
	return any ? (double)both / any : 0.0;
}

#define SIG_MARGIN 0.1 /* three shared bigrams colliding: rare enough */

static unsigned bigram_level(const struct cmp_ctx *c, const struct mcmp *m,
			     const struct mrec *a, const struct mrec *b)
{
	uint32_t x[MATCH_MAX_CPS], y[MATCH_MAX_CPS];
	uint32_t ga[MATCH_MAX_CPS], gb[MATCH_MAX_CPS];
	size_t na, nb;
	double j;

	if (m->field == MF_ADDRESS &&
	    sig_jaccard(a->addr_sig, b->addr_sig) < m->arg[2] - SIG_MARGIN)
		return 4;
	/* The bigrams features.c made the signature of (not stored). */
	na = strsim_bigrams(
		x,
		fold_decode(intern_str(c->t, mrec_f(c->t, a, m->field)), x,
			    MATCH_MAX_CPS),
		ga, MATCH_MAX_CPS);
	nb = strsim_bigrams(
		y,
		fold_decode(intern_str(c->t, mrec_f(c->t, b, m->field)), y,
			    MATCH_MAX_CPS),
		gb, MATCH_MAX_CPS);
	j = strsim_jaccard(ga, na, gb, nb);
	return j >= m->arg[0] ? 1 : j >= m->arg[1] ? 2 : j >= m->arg[2] ? 3 : 4;
}

static unsigned jaro_level(const struct cmp_ctx *c, const struct mcmp *m,
			   const struct mrec *a, const struct mrec *b)
{
	double jw = jaro_winkler_ids(c->t, mrec_f(c->t, a, m->field),
				     mrec_f(c->t, b, m->field));

	return jw >= m->arg[0] ? 1 : jw >= m->arg[1] ? 2 : 3;
}

/* The level of comparison m when a cheap test of ids and numbers settles
 * it, else LEVEL_PENDING. */
static unsigned field_cheap(const struct cmp_ctx *c, const struct mcmp *m,
			    const struct mrec *a, const struct mrec *b)
{
	uint32_t x = mrec_f(c->t, a, m->field), y = mrec_f(c->t, b, m->field);

	if (m->kind == CMP_NAME)
		return name_cheap(m, a, b);
	if (m->kind == CMP_DATE)
		return (unsigned)compare_dates((int32_t)x, (int32_t)y);
	if (!x || !y)
		return LEVEL_NULL;
	if (x == y)
		return 0;
	if (m->kind == CMP_EXACT)
		return 1;
	/* GB 11643's check character catches every one-digit change and
	 * every swap of neighbours: two valid IDs are never one edit apart. */
	if (m->kind == CMP_ID && m->field == MF_ID && (a->flags & MR_CNID) &&
	    (b->flags & MR_CNID))
		return 2;
	if (m->kind == CMP_PHONE && m->field == MF_MOBILE &&
	    a->m8_tag == b->m8_tag) {
		x = mrec_f(c->t, a, MF_MOBILE8);
		if (x && x == mrec_f(c->t, b, MF_MOBILE8))
			return 1;
	}
	if (m->kind == CMP_EMAIL && a->local_tag == b->local_tag) {
		x = mrec_f(c->t, a, MF_EMAIL_LOCAL);
		if (x && x == mrec_f(c->t, b, MF_EMAIL_LOCAL))
			return 1;
	}
	return LEVEL_PENDING;
}

/* The level of a comparison field_cheap left pending: the string work. */
static unsigned field_fuzzy(const struct cmp_ctx *c, const struct mcmp *m,
			    const struct mrec *a, const struct mrec *b)
{
	uint32_t x = mrec_f(c->t, a, m->field), y = mrec_f(c->t, b, m->field);

	switch (m->kind) {
	case CMP_NAME:
		return name_fuzzy(c, m, a, b);
	case CMP_PHONE:
	case CMP_EMAIL:
		return may_be_one_edit(a, b, m->field) &&
				       one_edit_ids(c->t, x, y)
			       ? 2
			       : 3;
	case CMP_ID:
		return may_be_one_edit(a, b, m->field) &&
				       one_edit_ids(c->t, x, y)
			       ? 1
			       : 2;
	case CMP_BIGRAM:
		return bigram_level(c, m, a, b);
	case CMP_JARO:
		return jaro_level(c, m, a, b);
	default:
		return 1;
	}
}

static unsigned field_level(const struct cmp_ctx *c, const struct mcmp *m,
			    const struct mrec *a, const struct mrec *b)
{
	unsigned l = field_cheap(c, m, a, b);

	return l == LEVEL_PENDING ? field_fuzzy(c, m, a, b) : l;
}

void compare_records(const struct cmp_ctx *c, const struct mrec *a,
		     const struct mrec *b, uint8_t *level)
{
	const struct match_rules *r = c->rules;

	for (unsigned i = 0; i < r->n_cmps; i++) {
		unsigned l = field_level(c, &r->cmp[i], a, b);

		/* DATE_NULL is the date kind's null. */
		if (r->cmp[i].kind == CMP_DATE && l == DATE_NULL)
			l = LEVEL_NULL;
		level[i] = (uint8_t)l;
	}
}

double compare_weight(const struct cmp_ctx *c, unsigned i,
		      const uint8_t *levels, const struct mrec *a,
		      const struct mrec *b)
{
	const struct mcmp *m = &c->rules->cmp[i];
	unsigned level = levels[i];

	if (level == LEVEL_NULL || (m->within >= 0 && levels[m->within] == 0))
		return 0.0;
	if (level != 0 || !m->tf || !c->tf || c->tf->col[i] < 0)
		return m->w[level];
	/* Term frequency: the weight of an exact match on this value (a's;
	 * b has it too, in the same part or, swapped, in the other), by
	 * record. */
	if (m->kind == CMP_DATE)
		return tf_of(c->tf, (uint32_t)(a - c->recs))[c->tf->col[i]];
	/* The rarer of the two values counts (张伟 and "Zhang Wei"). */
	return fminf(tf_of(c->tf, (uint32_t)(a - c->recs))[c->tf->col[i]],
		     tf_of(c->tf, (uint32_t)(b - c->recs))[c->tf->col[i]]);
}

/* The prior plus w[], each group reduced to its largest member (the
 * others set to 0). */
static double combine(const struct match_rules *r, double prior, double *w)
{
	int best[MATCH_MAX_CMPS]; /* per group: the comparison that counts */
	double total = prior;

	for (unsigned g = 0; g < r->n_groups; g++)
		best[g] = -1;
	for (unsigned i = 0; i < r->n_cmps; i++) {
		int g = r->cmp[i].group;

		if (g >= 0 && w[i] != 0.0 && (best[g] < 0 || w[i] > w[best[g]]))
			best[g] = (int)i;
	}
	for (unsigned i = 0; i < r->n_cmps; i++) {
		int g = r->cmp[i].group;

		if (g >= 0 && best[g] != (int)i)
			w[i] = 0.0;
		total += w[i];
	}
	return total;
}

/* Fields a family shares: the name, often a birth date (twins), the
 * home, the telephone. */
static bool is_family_field(enum mfield f)
{
	return f == MF_FAMILY || f == MF_BIRTH || f == MF_MOBILE ||
	       f == MF_PHONE || f == MF_ADDRESS || f == MF_POSTAL ||
	       f == MF_DISTRICT || f == MF_CITY || f == MF_PROVINCE;
}

/* The level of the first comparison of field f, or LEVEL_NULL. */
static unsigned level_of_field(const struct match_rules *r,
			       const uint8_t *level, enum mfield f)
{
	for (unsigned i = 0; i < r->n_cmps; i++)
		if (r->cmp[i].field == f)
			return level[i];
	return LEVEL_NULL;
}

double compare_sibling(const struct cmp_ctx *c, const uint8_t *level,
		       const double *w)
{
	const struct match_rules *r = c->rules;
	unsigned fam = level_of_field(r, level, MF_FAMILY);
	unsigned giv = level_of_field(r, level, MF_GIVEN);
	unsigned birth = level_of_field(r, level, MF_BIRTH);
	double sum = 0;

	/* Siblings never share an ID number: the same one (or one typo
	 * apart) settles it. */
	if (!r->siblings || level_of_field(r, level, MF_ID) <= 1 ||
	    (fam != NAME_EXACT && fam != NAME_PHONETIC) || giv != NAME_OTHER ||
	    (birth != DATE_EXACT && birth != DATE_PARTIAL))
		return 0.0;
	for (unsigned i = 0; i < r->n_cmps; i++)
		if (is_family_field(r->cmp[i].field) && w[i] > 0)
			sum += w[i];
	return -sum;
}

double compare_explain(const struct cmp_ctx *c, const struct mrec *a,
		       const struct mrec *b, uint8_t *level, double *w)
{
	const struct match_rules *r = c->rules;
	double total;

	compare_records(c, a, b, level);
	for (unsigned i = 0; i < r->n_cmps; i++)
		w[i] = compare_weight(c, i, level, a, b);
	total = combine(r, c->prior_w, w);
	return total + compare_sibling(c, level, w);
}

/* An upper bound of the match weight while some levels are pending (a
 * pending comparison counts its best fuzzy level); *next gets the
 * pending comparison that could add the most, or -1. */
static double upper_bound(const struct cmp_ctx *c, const struct mrec *a,
			  const struct mrec *b, const uint8_t *level, int *next)
{
	const struct match_rules *r = c->rules;
	double w[MATCH_MAX_CMPS];

	*next = -1;
	for (unsigned i = 0; i < r->n_cmps; i++) {
		const struct mcmp *m = &r->cmp[i];

		if (level[i] != LEVEL_PENDING) {
			w[i] = compare_weight(c, i, level, a, b);
			continue;
		}
		w[i] = m->within >= 0 && level[m->within] == 0 ? 0.0
							       : m->fuzzy_max;
		if (*next < 0 || m->fuzzy_max > r->cmp[*next].fuzzy_max)
			*next = (int)i;
	}
	return combine(r, c->prior_w, w);
}

double compare_bounded(const struct cmp_ctx *c, const struct mrec *a,
		       const struct mrec *b, double floor)
{
	const struct match_rules *r = c->rules;
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];
	int next;

	for (unsigned i = 0; i < r->n_cmps; i++)
		level[i] = (uint8_t)field_cheap(c, &r->cmp[i], a, b);
	while (upper_bound(c, a, b, level, &next) >= floor) {
		if (next < 0) {
			for (unsigned i = 0; i < r->n_cmps; i++)
				w[i] = compare_weight(c, i, level, a, b);
			return combine(r, c->prior_w, w) +
			       compare_sibling(c, level, w);
		}
		level[next] = (uint8_t)field_fuzzy(c, &r->cmp[next], a, b);
	}
	return -INFINITY;
}

double compare_score(const struct cmp_ctx *c, const struct mrec *a,
		     const struct mrec *b, uint8_t *level)
{
	uint8_t tmp[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];

	return compare_explain(c, a, b, level ? level : tmp, w);
}

bool compare_cannot_link(const struct cmp_ctx *c, const struct mrec *a,
			 const struct mrec *b)
{
	return c->rules->never_id && (a->flags & MR_CNID) &&
	       (b->flags & MR_CNID) && a->v[MF_ID] != b->v[MF_ID];
}
