/*
 * rules: parsing the value of each key of a [rule] section
 */
#include "rules/rules_int.h"

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
		return rules_fail(p, e->line,
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
			return rules_fail(p, e->line,
					  "empty item in '%s' (write \"\" "
					  "for the empty value)",
					  e->value);
		}
		buf_reset(&item);
		ini_unquote(parts[i], &item);
		rules_vlist_add(l, buf_view(&item));
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
		return rules_fail(p, e->line, "%s", p->err->msg);
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

/* Days since 1970-01-01 to a civil date (Howard Hinnant's
 * civil_from_days), the inverse of date_days_from_civil. */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	*y = yoe + era * 400;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y += *m <= 2;
}

static int days_in_month(long long y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* The unit of a relative date: d, m or y (also day(s), month(s),
 * year(s)); 0 when it is none. */
static char date_unit(struct strview u)
{
	static const char *const names[] = {"d", "day",	  "days",
					    "m", "month", "months",
					    "y", "year",  "years"};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (sv_eqs(u, names[i]))
			return names[i][0];
	return 0;
}

/* today, or today-N / today+N with a unit (today-3y, today - 18 months,
 * today+30d), as YYYY-MM-DD into date (DATE_LEN + 1 bytes). A month or
 * year step keeps the day of the month, or the month's last day when it
 * has fewer (2024-02-29 - 1y is 2023-02-28). 0, or -1 when s is not of
 * this form (1 when it does not even start with today). */
static int parse_today(const struct parse *p, struct strview s, char *date)
{
	const char *t = p->rs->today;
	long long y = strtoll(t, NULL, 10), n = 0;
	int m = atoi(t + 5), d = atoi(t + 8), sign;
	size_t i = 0;
	char unit;

	if (!sv_starts(s, "today"))
		return 1;
	s = sv_trim(svn(s.p + 5, s.len - 5));
	if (!s.len) {
		memcpy(date, t, DATE_LEN + 1);
		return 0;
	}
	if (s.p[0] != '-' && s.p[0] != '+')
		return -1;
	sign = s.p[0] == '-' ? -1 : 1;
	s = sv_trim(svn(s.p + 1, s.len - 1));
	for (; i < s.len && s.p[i] >= '0' && s.p[i] <= '9' && i < 6; i++)
		n = n * 10 + (s.p[i] - '0');
	unit = date_unit(sv_trim(svn(s.p + i, s.len - i)));
	if (!i || !unit)
		return -1;
	if (unit == 'd') {
		civil_from_days(date_days_from_civil(y, m, d) + sign * n, &y,
				&m, &d);
	} else {
		long long months =
			y * 12 + (m - 1) + sign * n * (unit == 'y' ? 12 : 1);

		if (months < 12 || months >= 12 * 10000)
			return -1; /* before year 1 or after 9999 */
		y = months / 12;
		m = (int)(months % 12) + 1;
		if (d > days_in_month(y, m))
			d = days_in_month(y, m);
	}
	if (y < 1 || y > 9999)
		return -1;
	snprintf(date, DATE_LEN + 1, "%04lld-%02d-%02d", y, m, d);
	return 0;
}

/* One end of a range or length: a number, or (dates_ok) a date or today.
 * An empty end is open. */
static int parse_bound(struct parse *p, const struct ini_entry *e,
		       struct strview s, bool dates_ok, enum vtype *type,
		       double *num, char *date)
{
	int rel = dates_ok ? parse_today(p, s, date) : 1;

	if (rel == 0) {
		*type = V_DATE;
		return 0;
	}
	if (rel < 0)
		return rules_fail(p, e->line,
				  "bad range bound '%.*s' (expected today, "
				  "or today-N or today+N with d, m or y, "
				  "e.g. today-3y)",
				  (int)s.len, s.p);
	if (dates_ok && date_is_valid_iso(s)) {
		memcpy(date, s.p, DATE_LEN);
		date[DATE_LEN] = '\0';
		*type = V_DATE;
		return 0;
	}
	/* A length is a whole number a double holds exactly (tested before
	 * the cast: a cast of 7.8e44 to long is undefined). */
	if (rules_parse_number(s, num) &&
	    (dates_ok || (*num >= 0 && *num <= 9007199254740992.0 &&
			  *num == (double)(long)*num))) {
		*type = V_NUMBER;
		return 0;
	}
	if (dates_ok)
		return rules_fail(p, e->line,
				  "bad range bound '%.*s' (expected a "
				  "number, a date YYYY-MM-DD or today)",
				  (int)s.len, s.p);
	return rules_fail(p, e->line,
			  "bad length '%.*s' (expected a whole number "
			  "of characters)",
			  (int)s.len, s.p);
}

static int check_bounds(struct parse *p, const struct ini_entry *e,
			struct bounds *b, enum vtype tmin, enum vtype tmax)
{
	if (!b->has_min && !b->has_max)
		return rules_fail(p, e->line,
				  "'%s' has no bound (expected MIN .. MAX,"
				  " either end may be left out)",
				  e->value);
	if (b->has_min && b->has_max && tmin != tmax)
		return rules_fail(p, e->line,
				  "range '%s' mixes a number and a date",
				  e->value);
	b->type = b->has_min ? tmin : tmax;
	if (b->has_min && b->has_max &&
	    (b->type == V_DATE ? strcmp(b->dmin, b->dmax) > 0
			       : b->min > b->max))
		return rules_fail(p, e->line,
				  "range '%s' is empty (MIN is after MAX)",
				  e->value);
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
		return rules_fail(
			p, e->line,
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
	for (size_t i = 0; i < rules_n_checks; i++) {
		if (sv_eqs(v, rules_checks[i].name)) {
			p->r->check = &rules_checks[i];
			return 0;
		}
	}
	return rules_fail(p, e->line, "unknown check '%s' (expected %s)",
			  e->value, rules_check_names());
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
	char date[DATE_LEN + 1];
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	if (ini_is_quoted(s)) {
		ini_unquote(s, &b);
		o->type = V_TEXT;
	} else if (parse_today(p, s, date) == 0) {
		buf_adds(&b, date);
		o->type = V_DATE;
	} else if (date_is_valid_iso(s)) {
		buf_addsv(&b, s);
		o->type = V_DATE;
	} else if (rules_parse_number(s, &o->num)) {
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
		return rules_fail(p, e->line,
				  "bad compare '%s' (expected FIELD OP "
				  "VALUE with OP one of == != < <= > >=, e.g. "
				  "registered_at >= birth_date)",
				  e->value);
	lhs = sv_trim(svn(v.p, (size_t)at));
	rhs = sv_trim(svn(v.p + at + op_len, v.len - (size_t)at - op_len));
	if (lhs.len == 0 || rhs.len == 0)
		return rules_fail(p, e->line,
				  "compare '%s' lacks a side (expected "
				  "FIELD OP VALUE)",
				  e->value);
	parse_operand(p, &r->lhs, lhs, e->line);
	if (!r->lhs.is_field)
		return rules_fail(p, e->line,
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
		return rules_fail(p, e->line, "%s", p->err->msg);
	for (int i = 0; i < n; i++) {
		if (parts[i].len == 0)
			return rules_fail(p, e->line,
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
		return rules_fail(p, e->line,
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
		return rules_fail(p, e->line,
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
		return rules_fail(p, e->line,
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

/* One key of a [rule] section: the right parser, once, with a value. */
int rules_parse_entry(struct parse *p, const struct ini_entry *e)
{
	struct rule *r = p->r;
	size_t k = 0;

	while (k < N_KEYS && strcmp(keys[k].name, e->key))
		k++;
	if (k == N_KEYS)
		return rules_fail(p, e->line,
				  "unknown key '%s' in rule '%s' "
				  "(expected %s)",
				  e->key, r->name, KEY_LIST);
	if (r->seen[k])
		return rules_fail(p, e->line,
				  "duplicate key '%s' in rule '%s' (first "
				  "at line %u)",
				  e->key, r->name, r->seen[k]);
	r->seen[k] = e->line;
	if (keys[k].test != T_NONE && r->test != T_NONE)
		return rules_fail(
			p, e->line,
			"rule '%s' has a second test '%s' (it "
			"has '%s' at line %u: write one test per rule)",
			r->name, e->key, test_names[r->test], r->test_line);
	if (keys[k].test != T_NONE) {
		r->test = keys[k].test;
		r->test_line = e->line;
	}
	if (e->value[0] == '\0')
		return rules_fail(p, e->line, "'%s' has no value", e->key);
	return keys[k].parse(p, e, sv(e->value));
}
