/*
 * survive: survivorship rules: parse a rules file, choose golden values.
 */
#include "survive.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "mappers/cnid.h"
#include "mappers/date.h"
#include "mappers/email.h"
#include "mappers/phone.h"
#include "utf8.h"

#define RECENT "most_recent(last_active_at, registered_at)"

/* Defaults (issue 6): identity fields by majority, contact details from the
 * most recent record, points summed across merged accounts, the highest
 * tier, the earliest registration, the latest activity; consent from the
 * most recent record that answered (most_recent skips empty values). */
static const char *const defaults[CF_COUNT] = {
	[CF_NAME] = "most_frequent",
	[CF_FAMILY_NAME] = "most_frequent",
	[CF_GIVEN_NAME] = "most_frequent",
	[CF_GENDER] = "most_frequent",
	[CF_BIRTH_DATE] = "most_frequent",
	[CF_MOBILE] = RECENT,
	[CF_PHONE] = RECENT,
	[CF_EMAIL] = RECENT,
	[CF_ID_TYPE] = "most_frequent",
	[CF_ID_NUMBER] = "most_frequent",
	[CF_COUNTRY] = RECENT,
	[CF_PROVINCE] = RECENT,
	[CF_CITY] = RECENT,
	[CF_DISTRICT] = RECENT,
	[CF_ADDRESS] = RECENT,
	[CF_POSTAL_CODE] = RECENT,
	[CF_TIER] = "max",
	[CF_POINTS] = "sum",
	[CF_REGISTERED_AT] = "min",
	[CF_LAST_ACTIVE_AT] = "max",
	[CF_STORE] = RECENT,
	[CF_CHANNEL] = RECENT,
	[CF_CONSENT_MARKETING] = RECENT,
	[CF_STATUS] = RECENT,
};

struct kind_def {
	const char *name;
	enum survive_kind kind;
	size_t min_args, max_args;
	const char *args; /* what the arguments are, for messages */
};

static const struct kind_def kinds[] = {
	{"source_priority", SURVIVE_SOURCE_PRIORITY, 1, INI_MAX_ARGS,
	 "source names, best first"},
	{"most_recent", SURVIVE_MOST_RECENT, 1, SURVIVE_MAX_BY,
	 "timestamp fields, e.g. last_active_at"},
	{"most_frequent", SURVIVE_MOST_FREQUENT, 0, 0, NULL},
	{"most_complete", SURVIVE_MOST_COMPLETE, 0, 0, NULL},
	{"longest", SURVIVE_LONGEST, 0, 0, NULL},
	{"first_non_empty", SURVIVE_FIRST_NON_EMPTY, 0, 0, NULL},
	{"min", SURVIVE_MIN, 0, 0, NULL},
	{"max", SURVIVE_MAX, 0, 0, NULL},
	{"sum", SURVIVE_SUM, 0, 0, NULL},
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))
#define KIND_LIST                                                    \
	"source_priority(a, b), most_recent(field), most_frequent, " \
	"most_complete, longest, first_non_empty, min, max or sum"

const char *survive_default_rule(enum canon_field f)
{
	if ((unsigned)f >= CF_COUNT || !defaults[f])
		return "";
	return defaults[f];
}

static void rule_release(struct survive_rule *r)
{
	for (size_t i = 0; i < r->n_sources; i++)
		free(r->sources[i]);
	free(r->sources);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

void survive_rules_release(struct survive_rules *r)
{
	for (int f = 0; f < CF_COUNT; f++)
		rule_release(&r->rule[f]);
}

static const struct kind_def *kind_find(struct strview name)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (sv_eqs(name, kinds[i].name))
			return &kinds[i];
	return NULL;
}

/* Store argument a of rule r (kind already set); add it to text. */
static int rule_arg(struct survive_rule *r, struct strview a, struct buf *text,
		    struct mbr_err *err)
{
	struct buf lit;
	int f;

	buf_init(&lit, BUF_NOLIMIT);
	ini_unquote(a, &lit);
	if (lit.len == 0) {
		buf_release(&lit);
		return mbr_fail(
			err, MBR_ECONFIG, "empty argument (expected %s)",
			r->kind == SURVIVE_SOURCE_PRIORITY ? "a source name"
							   : "a field name");
	}
	buf_adds(text, r->n_sources + r->n_by ? ", " : "(");
	buf_addsv(text, buf_view(&lit));
	if (r->kind == SURVIVE_SOURCE_PRIORITY) {
		r->sources[r->n_sources++] = buf_detach(&lit);
		return 0;
	}
	f = canon_lookup(buf_view(&lit));
	buf_release(&lit);
	if (f < 0)
		return mbr_fail(err, MBR_ECONFIG,
				"most_recent: unknown field '%.*s' (expected a "
				"canonical column such as last_active_at)",
				(int)a.len, a.p);
	r->by[r->n_by++] = (enum canon_field)f;
	return 0;
}

/* Parse one rule ("max", "source_priority(crm, pos)") into out. err has
 * no file prefix; out is untouched on failure. */
static int rule_parse(struct survive_rule *out, struct strview v,
		      struct mbr_err *err)
{
	struct survive_rule r;
	const struct kind_def *k;
	struct ini_call call;
	struct buf text;

	if (ini_parse_call(v, &call, err) < 0)
		return -1;
	k = kind_find(call.name);
	if (!k)
		return mbr_fail(err, MBR_ECONFIG,
				"unknown rule '%.*s' (expected " KIND_LIST ")",
				(int)call.name.len, call.name.p);
	if (call.n_args > k->max_args && k->max_args == 0)
		return mbr_fail(err, MBR_ECONFIG, "%s takes no arguments",
				k->name);
	if (call.n_args < k->min_args || call.n_args > k->max_args)
		return mbr_fail(err, MBR_ECONFIG,
				"%s takes %zu to %zu arguments (%s)", k->name,
				k->min_args, k->max_args, k->args);
	memset(&r, 0, sizeof(r));
	r.kind = k->kind;
	if (r.kind == SURVIVE_SOURCE_PRIORITY)
		r.sources = xcalloc(call.n_args, sizeof(char *));
	buf_init(&text, BUF_NOLIMIT);
	buf_adds(&text, k->name);
	for (size_t i = 0; i < call.n_args; i++) {
		if (rule_arg(&r, call.args[i], &text, err) < 0) {
			buf_release(&text);
			rule_release(&r);
			return -1;
		}
	}
	if (call.n_args)
		buf_addc(&text, ')');
	r.text = buf_detach(&text);
	*out = r;
	return 0;
}

void survive_rules_init(struct survive_rules *r)
{
	struct mbr_err err = MBR_ERR_INIT;

	memset(r, 0, sizeof(*r));
	/* The defaults are tested to parse; a failure leaves a field at
	 * kind 0 (source_priority with no list), which still works. */
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		rule_parse(&r->rule[f], sv(defaults[f]), &err);
}

/* A [fields] entry: which field, and its rule. */
static int rules_entry(struct survive_rules *r, const struct ini *ini,
		       const struct ini_entry *e, struct mbr_err *err)
{
	int f = canon_lookup(sv(e->key));
	struct survive_rule rule;

	if (f < 0)
		return ini_fail(ini, e->line, err,
				"unknown field '%s' (expected a canonical "
				"column such as mobile or points)",
				e->key);
	if (f < SURVIVE_FIRST)
		return ini_fail(ini, e->line, err,
				"'%s' identifies a record and takes no rule "
				"(expected a field from name to status)",
				e->key);
	if (r->rule[f].line)
		return ini_fail(ini, e->line, err,
				"'%s' has a rule already at line %u (expected "
				"one rule per field)",
				e->key, r->rule[f].line);
	if (rule_parse(&rule, sv(e->value), err) < 0)
		return ini_fail(ini, e->line, err, "%s: %s", e->key, err->msg);
	rule.line = e->line;
	rule_release(&r->rule[f]);
	r->rule[f] = rule;
	return 0;
}

static int rules_from_ini(struct survive_rules *r, const struct ini *ini,
			  struct mbr_err *err)
{
	for (size_t i = 0; i < ini->n_sections; i++)
		if (strcmp(ini->sections[i], "fields"))
			return ini_fail(
				ini, ini->section_lines[i], err,
				"unknown section [%s] (expected [fields])",
				ini->sections[i]);
	for (size_t i = 0; i < ini->n; i++) {
		const struct ini_entry *e = &ini->e[i];

		if (!*e->section)
			return ini_fail(ini, e->line, err,
					"'%s' before any section (expected "
					"[fields] first)",
					e->key);
		if (rules_entry(r, ini, e, err) < 0)
			return -1;
	}
	return 0;
}

static int rules_take(struct survive_rules *r, struct ini *ini,
		      struct mbr_err *err)
{
	struct survive_rules tmp;
	int rc;

	survive_rules_init(&tmp);
	rc = rules_from_ini(&tmp, ini, err);
	ini_release(ini);
	if (rc < 0) {
		survive_rules_release(&tmp);
		return -1;
	}
	survive_rules_release(r);
	*r = tmp;
	return 0;
}

int survive_rules_parse(struct survive_rules *r, const char *name,
			const char *text, size_t len, struct mbr_err *err)
{
	struct ini ini;

	if (ini_parse(&ini, name, text, len, err) < 0)
		return -1;
	return rules_take(r, &ini, err);
}

int survive_rules_load(struct survive_rules *r, const char *path,
		       struct mbr_err *err)
{
	struct ini ini;

	if (ini_load(&ini, path, err) < 0)
		return -1;
	return rules_take(r, &ini, err);
}

/*
 * Values
 */

/* sv_trim, with a fast answer for the usual value: one that cannot start
 * with white space (ASCII, or U+3000 E3 80 80, U+00A0 C2 A0) nor end with
 * it (ASCII, or 80, A0 as last bytes of those). */
static struct strview trim(struct strview v)
{
	unsigned char a, z;

	if (!v.len)
		return v;
	a = (unsigned char)v.p[0];
	z = (unsigned char)v.p[v.len - 1];
	if (a > ' ' && a != 0xE3 && a != 0xC2 && z > ' ' && z != 0x80 &&
	    z != 0xA0)
		return v;
	return sv_trim(v);
}

static bool blank(struct strview v)
{
	return trim(v).len == 0;
}

int survive_parse_int(struct strview v, long long *out)
{
	unsigned long long n = 0, lim = (unsigned long long)LLONG_MAX;
	size_t i = 0;
	bool neg = false;

	if (v.len && (v.p[0] == '-' || v.p[0] == '+'))
		neg = v.p[i++] == '-';
	if (i == v.len)
		return -1;
	for (; i < v.len; i++) {
		unsigned d = (unsigned char)v.p[i] - '0';

		if (d > 9 || n > (lim + neg - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*out = neg ? (long long)(0 - n) : (long long)n;
	return 0;
}

/* A decimal number split into sign, integer digits and fraction digits. */
struct dec {
	bool neg;
	struct strview ip, fp;
};

static size_t digits(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	return i;
}

static int dec_parse(struct strview v, struct dec *d)
{
	size_t i = 0, n;

	d->neg = v.len && v.p[0] == '-';
	if (v.len && (v.p[0] == '-' || v.p[0] == '+'))
		i++;
	n = digits(v.p + i, v.len - i);
	d->ip = svn(v.p + i, n);
	i += n;
	d->fp = svn(v.p + i, 0);
	if (i < v.len && v.p[i] == '.') {
		n = digits(v.p + i + 1, v.len - i - 1);
		d->fp = svn(v.p + i + 1, n);
		i += n + 1;
	}
	if (i != v.len || d->ip.len + d->fp.len == 0)
		return -1;
	while (d->ip.len && d->ip.p[0] == '0') {
		d->ip.p++;
		d->ip.len--;
	}
	while (d->fp.len && d->fp.p[d->fp.len - 1] == '0')
		d->fp.len--;
	if (d->ip.len + d->fp.len == 0)
		d->neg = false; /* -0 is 0 */
	return 0;
}

static int dec_cmp(const struct dec *a, const struct dec *b)
{
	int c = 0, sign = a->neg ? -1 : 1;
	size_t n;

	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	if (a->ip.len != b->ip.len)
		return a->ip.len < b->ip.len ? -sign : sign;
	if (a->ip.len)
		c = memcmp(a->ip.p, b->ip.p, a->ip.len);
	n = a->fp.len < b->fp.len ? a->fp.len : b->fp.len;
	if (!c && n)
		c = memcmp(a->fp.p, b->fp.p, n);
	if (!c)
		c = (a->fp.len > b->fp.len) - (a->fp.len < b->fp.len);
	return c < 0 ? -sign : c > 0 ? sign : 0;
}

struct instant {
	long long sec;
	long nsec;
};

/* Read exactly n digits at *p as a number; -1 when they are not there. */
static int num_at(struct strview v, size_t *i, size_t n)
{
	int x = 0;

	if (*i + n > v.len || digits(v.p + *i, n) != n)
		return -1;
	for (size_t k = 0; k < n; k++)
		x = x * 10 + (v.p[*i + k] - '0');
	*i += n;
	return x;
}

static bool expect(struct strview v, size_t *i, char c)
{
	if (*i < v.len && v.p[*i] == c) {
		(*i)++;
		return true;
	}
	return false;
}

/* The optional part after the date: [T ]HH:MM[:SS[.fff]]; seconds out. */
static int parse_clock(struct strview v, size_t *i, long long *sec, long *nsec)
{
	int hh, mm, ss = 0;
	long scale = 100000000;

	if (!expect(v, i, 'T') && !expect(v, i, ' '))
		return -1;
	hh = num_at(v, i, 2);
	if (hh < 0 || hh > 24 || !expect(v, i, ':'))
		return -1;
	mm = num_at(v, i, 2);
	if (mm < 0 || mm > 59)
		return -1;
	if (expect(v, i, ':') && ((ss = num_at(v, i, 2)) < 0 || ss > 60))
		return -1;
	if (expect(v, i, '.') || expect(v, i, ',')) {
		if (*i >= v.len || v.p[*i] < '0' || v.p[*i] > '9')
			return -1;
		for (; *i < v.len && v.p[*i] >= '0' && v.p[*i] <= '9'; (*i)++) {
			*nsec += (v.p[*i] - '0') * scale;
			scale /= 10;
		}
	}
	*sec = hh * 3600LL + mm * 60 + ss;
	return 0;
}

/* The offset at the end: Z, +HH:MM, +HHMM, +HH, or nothing (UTC). */
static int parse_offset(struct strview v, size_t *i, long long *off)
{
	int sign, hh, mm = 0;

	*off = 0;
	if (*i == v.len || expect(v, i, 'Z'))
		return *i == v.len ? 0 : -1;
	if (v.p[*i] != '+' && v.p[*i] != '-')
		return -1;
	sign = v.p[(*i)++] == '-' ? -1 : 1;
	if ((hh = num_at(v, i, 2)) < 0)
		return -1;
	expect(v, i, ':');
	if (*i < v.len && (mm = num_at(v, i, 2)) < 0)
		return -1;
	*off = sign * (hh * 3600LL + mm * 60);
	return *i == v.len ? 0 : -1;
}

static int parse_instant(struct strview v, struct instant *t)
{
	size_t i = 0;
	int y, m, d;
	long long clock = 0, off = 0;

	t->nsec = 0;
	y = num_at(v, &i, 4);
	if (y < 0 || !expect(v, &i, '-') || (m = num_at(v, &i, 2)) < 1 ||
	    m > 12 || !expect(v, &i, '-') || (d = num_at(v, &i, 2)) < 1 ||
	    d > 31)
		return -1;
	if (i < v.len && parse_clock(v, &i, &clock, &t->nsec) < 0)
		return -1;
	if (parse_offset(v, &i, &off) < 0)
		return -1;
	t->sec = date_days_from_civil(y, m, d) * 86400 + clock - off;
	return 0;
}

int survive_cmp(struct strview a, struct strview b)
{
	struct dec da, db;
	struct instant ta, tb;

	a = trim(a);
	b = trim(b);
	if (dec_parse(a, &da) == 0 && dec_parse(b, &db) == 0)
		return dec_cmp(&da, &db);
	if (parse_instant(a, &ta) == 0 && parse_instant(b, &tb) == 0) {
		if (ta.sec != tb.sec)
			return ta.sec < tb.sec ? -1 : 1;
		return (ta.nsec > tb.nsec) - (ta.nsec < tb.nsec);
	}
	return sv_cmp(a, b);
}

/*
 * Picking a winner. Each pick returns the index of the member whose value
 * survives, or -1 when every value is empty. Members come in tie order,
 * so a pick keeps the earlier member unless the later is strictly better.
 */

struct pick {
	const struct survive_rule *rule;
	enum canon_field f;
	const struct survive_member *m;
	size_t n;
	struct survive_golden *g;
	bool sound_only; /* doubtful values count as empty */
};

/* Does member i have no value for the pick to look at? */
static bool skip(const struct pick *p, size_t i)
{
	return blank(p->m[i].f[p->f]) ||
	       (p->sound_only && (p->m[i].doubtful >> p->f & 1));
}

static size_t source_rank(const struct survive_rule *r, struct strview src)
{
	for (size_t k = 0; k < r->n_sources; k++)
		if (sv_eqs(src, r->sources[k]))
			return k;
	return r->n_sources;
}

static long pick_priority(const struct pick *p)
{
	long best = -1;
	size_t best_rank = 0;

	for (size_t i = 0; i < p->n; i++) {
		size_t rank;

		if (skip(p, i))
			continue;
		rank = source_rank(p->rule, p->m[i].f[CF_SOURCE]);
		if (best < 0 || rank < best_rank) {
			best = (long)i;
			best_rank = rank;
		}
	}
	return best;
}

/* Compare two members by most_recent's fields; an empty one is oldest. */
static int recent_cmp(const struct survive_rule *r,
		      const struct survive_member *a,
		      const struct survive_member *b)
{
	for (size_t k = 0; k < r->n_by; k++) {
		struct strview x = a->f[r->by[k]], y = b->f[r->by[k]];
		bool ex = blank(x), ey = blank(y);
		int c;

		if (ex || ey)
			c = (int)ey - (int)ex;
		else
			c = survive_cmp(x, y);
		if (c)
			return c;
	}
	return 0;
}

static long pick_recent(const struct pick *p)
{
	long best = -1;

	for (size_t i = 0; i < p->n; i++) {
		if (skip(p, i))
			continue;
		if (best < 0 || recent_cmp(p->rule, &p->m[i], &p->m[best]) > 0)
			best = (long)i;
	}
	return best;
}

struct slot {
	struct strview v;
	size_t i;
};

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int c = sv_cmp(x->v, y->v);

	if (c)
		return c;
	return (x->i > y->i) - (x->i < y->i);
}

/* Sort the non-empty values, then count runs of equal ones: the longest
 * run wins; between equal runs, the one whose first member comes first. */
static long pick_frequent(const struct pick *p)
{
	struct slot *s = p->g->scratch;
	size_t k = 0, best_n = 0;
	long best = -1;

	for (size_t i = 0; i < p->n; i++)
		if (!skip(p, i))
			s[k++] = (struct slot){trim(p->m[i].f[p->f]), i};
	xqsort(s, k, sizeof(*s), slot_cmp);
	for (size_t i = 0, run; i < k; i += run) {
		for (run = 1; i + run < k && sv_eq(s[i].v, s[i + run].v); run++)
			;
		if (run > best_n || (run == best_n && (long)s[i].i < best)) {
			best_n = run;
			best = (long)s[i].i;
		}
	}
	return best;
}

static long pick_complete(const struct pick *p)
{
	long best = -1;

	for (size_t i = 0; i < p->n; i++) {
		if (skip(p, i))
			continue;
		if (best < 0 || p->g->filled[i] > p->g->filled[best])
			best = (long)i;
	}
	return best;
}

static long pick_longest(const struct pick *p)
{
	long best = -1;
	size_t best_len = 0;

	for (size_t i = 0; i < p->n; i++) {
		size_t len;

		if (skip(p, i))
			continue;
		len = utf8_count(trim(p->m[i].f[p->f]));
		if (best < 0 || len > best_len) {
			best = (long)i;
			best_len = len;
		}
	}
	return best;
}

static long pick_first(const struct pick *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (!skip(p, i))
			return (long)i;
	return -1;
}

static long pick_extreme(const struct pick *p, int sign)
{
	long best = -1;

	for (size_t i = 0; i < p->n; i++) {
		struct strview v = p->m[i].f[p->f];

		if (skip(p, i))
			continue;
		if (best < 0 || sign * survive_cmp(v, p->m[best].f[p->f]) > 0)
			best = (long)i;
	}
	return best;
}

static long pick_min(const struct pick *p)
{
	return pick_extreme(p, -1);
}

static long pick_max(const struct pick *p)
{
	return pick_extreme(p, 1);
}

static long (*const picks[])(const struct pick *) = {
	[SURVIVE_SOURCE_PRIORITY] = pick_priority,
	[SURVIVE_MOST_RECENT] = pick_recent,
	[SURVIVE_MOST_FREQUENT] = pick_frequent,
	[SURVIVE_MOST_COMPLETE] = pick_complete,
	[SURVIVE_LONGEST] = pick_longest,
	[SURVIVE_FIRST_NON_EMPTY] = pick_first,
	[SURVIVE_MIN] = pick_min,
	[SURVIVE_MAX] = pick_max,
};

/* sum: the value is computed; it comes from one member only when one
 * member has a value. */
static int apply_sum(const struct pick *p, struct mbr_err *err)
{
	survive_sum total = 0;
	long long x;
	size_t n_values = 0;
	long from = -1;

	for (size_t i = 0; i < p->n; i++) {
		struct strview v = trim(p->m[i].f[p->f]);

		if (!v.len)
			continue;
		if (survive_parse_int(v, &x) < 0)
			return mbr_fail(err, MBR_EINTERNAL,
					"%s: '%.*s' is not an integer",
					canon_name(p->f), (int)v.len, v.p);
		total += x; /* 2^32 members of 2^63 fit in 128 bits */
		n_values++;
		from = (long)i;
	}
	p->g->from[p->f] = n_values == 1 ? from : -1;
	if (!n_values) {
		p->g->value[p->f] = svn("", 0);
		return 0;
	}
	p->g->value[p->f] = sv(survive_sum_str(total, p->g->num[p->f]));
	return 0;
}

void survive_golden_init(struct survive_golden *g)
{
	memset(g, 0, sizeof(*g));
}

void survive_golden_release(struct survive_golden *g)
{
	free(g->scratch);
	free(g->filled);
	survive_golden_init(g);
}

static unsigned count_filled(const struct survive_member *m)
{
	unsigned n = 0;

	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
		n += !blank(m->f[f]);
	return n;
}

static void golden_prepare(struct survive_golden *g,
			   const struct survive_member *m, size_t n)
{
	if (n > g->scratch_cap) {
		g->scratch_cap =
			n > 2 * g->scratch_cap ? n : 2 * g->scratch_cap;
		g->scratch = xrealloc(g->scratch,
				      g->scratch_cap * sizeof(struct slot));
		g->filled =
			xrealloc(g->filled, g->scratch_cap * sizeof(unsigned));
	}
	for (size_t i = 0; i < n; i++)
		g->filled[i] = count_filled(&m[i]);
	for (int f = 0; f < SURVIVE_FIRST; f++) {
		g->value[f] = svn("", 0);
		g->from[f] = -1;
	}
}

/* Run the pick over sound values, then, when none was found, over all. */
static void pick_field(struct pick *p)
{
	enum canon_field f = p->f;
	bool any_doubtful = false;
	long w;

	for (size_t i = 0; i < p->n; i++)
		any_doubtful |=
			!blank(p->m[i].f[f]) && (p->m[i].doubtful >> f & 1);
	p->sound_only = true;
	w = picks[p->rule->kind](p);
	p->g->note[f] = any_doubtful ? SURVIVE_PASSED_OVER : SURVIVE_SOUND;
	if (w < 0 && any_doubtful) {
		p->sound_only = false;
		w = picks[p->rule->kind](p);
		p->g->note[f] = SURVIVE_DOUBTFUL;
	}
	p->g->from[f] = w;
	p->g->value[f] = w < 0 ? svn("", 0) : trim(p->m[w].f[f]);
}

int survive_apply(const struct survive_rules *r, const struct survive_member *m,
		  size_t n, struct survive_golden *g, struct mbr_err *err)
{
	golden_prepare(g, m, n);
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		struct pick p = {&r->rule[f], (enum canon_field)f, m, n, g,
				 false};

		g->note[f] = SURVIVE_SOUND;
		if (r->rule[f].kind == SURVIVE_SUM) {
			if (apply_sum(&p, err) < 0)
				return -1;
			continue;
		}
		pick_field(&p);
	}
	return 0;
}

int survive_check(const struct survive_rules *r, const struct survive_member *m,
		  const char **reason)
{
	long long x;

	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		struct strview v = trim(m->f[f]);

		if (!v.len || r->rule[f].kind != SURVIVE_SUM)
			continue;
		*reason = "not an integer";
		if (survive_parse_int(v, &x) < 0)
			return f;
		*reason = "out of range (beyond 10^12 either way)";
		if (x > SURVIVE_SUM_MAX || x < -SURVIVE_SUM_MAX)
			return f;
	}
	return -1;
}

int survive_parse_sum(struct strview v, survive_sum *out)
{
	size_t i = v.len && (v.p[0] == '-' || v.p[0] == '+');
	survive_sum x = 0;

	if (i == v.len || v.len - i > 38)
		return -1;
	for (; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (v.p[i] - '0');
	}
	*out = v.p[0] == '-' ? -x : x;
	return 0;
}

char *survive_sum_str(survive_sum v, char out[48])
{
	char tmp[48];
	size_t n = 0, k = 0;
	bool neg = v < 0;

	do {
		int d = (int)(v % 10);

		tmp[n++] = (char)('0' + (d < 0 ? -d : d));
		v /= 10;
	} while (v);
	if (neg)
		out[k++] = '-';
	while (n)
		out[k++] = tmp[--n];
	out[k] = '\0';
	return out;
}

/* The fields with a check, and the check. */
static bool id_is_sound(const struct survive_member *m)
{
	struct strview type = trim(m->f[CF_ID_TYPE]);

	/* Only a mainland resident ID has GB 11643's checksum. */
	if (type.len && !sv_eqs(type, "CN_RIC"))
		return true;
	return cnid_is_valid(trim(m->f[CF_ID_NUMBER]));
}

uint32_t survive_doubtful(const struct survive_member *m, struct strview issues)
{
	uint32_t bits = 0;
	size_t i = 0;
	long long x;

	if (!blank(m->f[CF_ID_NUMBER]) && !id_is_sound(m))
		bits |= (uint32_t)1 << CF_ID_NUMBER;
	if (!blank(m->f[CF_MOBILE]) && !phone_is_e164(trim(m->f[CF_MOBILE])))
		bits |= (uint32_t)1 << CF_MOBILE;
	if (!blank(m->f[CF_PHONE]) && !phone_is_e164(trim(m->f[CF_PHONE])))
		bits |= (uint32_t)1 << CF_PHONE;
	if (!blank(m->f[CF_EMAIL]) && !email_is_valid(trim(m->f[CF_EMAIL])))
		bits |= (uint32_t)1 << CF_EMAIL;
	if (!blank(m->f[CF_BIRTH_DATE]) &&
	    !date_is_valid_iso(trim(m->f[CF_BIRTH_DATE])))
		bits |= (uint32_t)1 << CF_BIRTH_DATE;
	/* tier and points are integers in canonical form: a stray "gold"
	 * would otherwise win max() as text */
	if (!blank(m->f[CF_TIER]) && survive_parse_int(trim(m->f[CF_TIER]), &x))
		bits |= (uint32_t)1 << CF_TIER;
	if (!blank(m->f[CF_POINTS]) &&
	    survive_parse_int(trim(m->f[CF_POINTS]), &x))
		bits |= (uint32_t)1 << CF_POINTS;
	/* "field:problem;field:problem" */
	while (i < issues.len) {
		size_t end = i, colon;
		int f;

		while (end < issues.len && issues.p[end] != ';')
			end++;
		for (colon = i; colon < end && issues.p[colon] != ':'; colon++)
			;
		f = canon_lookup(sv_trim(svn(issues.p + i, colon - i)));
		if (f >= SURVIVE_FIRST)
			bits |= (uint32_t)1 << f;
		i = end + 1;
	}
	return bits;
}

const char *survive_note_str(enum survive_note n)
{
	switch (n) {
	case SURVIVE_PASSED_OVER:
		return "a flagged or invalid value passed over";
	case SURVIVE_DOUBTFUL:
		return "flagged or invalid, as every record's value was";
	case SURVIVE_SOUND:
		break;
	}
	return "";
}
