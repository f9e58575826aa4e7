/*
 * rules: the tests, and checking a record against every rule
 */
#include "rules/rules_int.h"

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
	return sv_trim(rules_fref_value(&r->field, rec, tmp)).len ? R_PASS
								  : R_FAIL;
}

static enum outcome test_pattern(struct rules *rs, struct rule *r,
				 const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];
	struct strview v = rules_fref_value(&r->field, rec, tmp);
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
	struct strview v = rules_fref_value(&r->field, rec, tmp);

	(void)rs;
	if (v.len == 0)
		return R_SKIP;
	*why = r->reason;
	return rules_vlist_has(&r->allowed, v) ? R_PASS : R_FAIL;
}

static bool in_bounds(const struct bounds *b, double x)
{
	return (!b->has_min || x >= b->min) && (!b->has_max || x <= b->max);
}

static enum outcome test_range(struct rules *rs, struct rule *r,
			       const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];
	struct strview v = rules_fref_value(&r->field, rec, tmp);
	const struct bounds *b = &r->bounds;
	double x;

	(void)rs;
	if (v.len == 0)
		return R_SKIP;
	*why = r->reason;
	if (b->type == V_NUMBER) {
		if (!rules_parse_number(v, &x)) {
			*why = "not a number";
			return R_FAIL;
		}
		return in_bounds(b, x) ? R_PASS : R_FAIL;
	}
	if (!rules_is_date_shape(v)) {
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
	struct strview v = rules_fref_value(&r->field, rec, tmp);

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
	struct strview v = rules_fref_value(&r->field, rec, tmp);

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
		if (rules_is_date_shape(a) || rules_is_date_shape(b))
			t = V_DATE;
		else if (rules_parse_number(a, &x) && rules_parse_number(b, &y))
			t = V_NUMBER;
	}
	if (t == V_DATE &&
	    !(rules_is_date_shape(a) && rules_is_date_shape(b))) {
		*why = "not a date";
		return r->rhs.is_field ? R_SKIP : R_FAIL;
	}
	if (t == V_NUMBER &&
	    !(rules_parse_number(a, &x) && rules_parse_number(b, &y))) {
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
	struct strview a = rules_operand_value(&r->lhs, rec, ta);
	struct strview b = rules_operand_value(&r->rhs, rec, tb);
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

/* Would r's set, doubled beside its old slots, take the sets together
 * past their share of the budget (the store takes a quarter)? */
static bool over_budget(const struct rules *rs, const struct rule *r)
{
	size_t used = 2 * hash_memory(&r->set);

	if (!rs->memory)
		return false;
	for (size_t i = 0; i < rs->n; i++)
		if (&rs->r[i] != r)
			used += hash_memory(&rs->r[i].set);
	return used > rs->memory - rs->memory / 4;
}

/* Move r's hashes to the store (opened on first need) and empty its
 * set, which keeps its slots. */
static int spill(struct rules *rs, struct rule *r)
{
	if (rs->store_err.status != MBR_OK)
		return -1;
	if (!rs->store &&
	    !(rs->store = hashstore_open(rs->memory / 4, &rs->store_err)))
		return -1;
	if (hashstore_put(rs->store, (unsigned)(r - rs->r), r->set.slot,
			  r->set.mask + 1, &rs->store_err) < 0)
		return -1;
	hash_clear(&r->set);
	r->stored = true;
	return 0;
}

/* Is the slot's check (its value) the one wanted? */
static bool same_check(const void *ctx, uint32_t v, const void *want)
{
	(void)ctx;
	return v == *(const uint32_t *)want;
}

/* The key is the fields' bytes, each followed by 0xFF (never in UTF-8),
 * so "ab","c" and "a","bc" differ. It is known by its hash_bytes and
 * hash_check: 96 bits. */
static enum outcome test_unique(struct rules *rs, struct rule *r,
				const struct record *rec, const char **why)
{
	char tmp[DATE_LEN + 1];

	buf_reset(&rs->key);
	for (size_t i = 0; i < r->n_keys; i++) {
		struct strview v = rules_fref_value(&r->keys[i], rec, tmp);

		if (v.len == 0)
			return R_SKIP;
		if (buf_addsv(&rs->key, v) < 0 ||
		    buf_addc(&rs->key, '\xff') < 0)
			return R_SKIP; /* cannot happen: no limit */
	}
	r->pending = hash_bytes(buf_view(&rs->key));
	r->pending_check = hash_check(buf_view(&rs->key));
	if (hash_grows(&r->set) && over_budget(rs, r) && spill(rs, r) < 0)
		return R_SKIP; /* rules_status tells */
	r->pending_at = hash_find(&r->set, r->pending, same_check, NULL,
				  &r->pending_check);
	*why = r->reason;
	if (r->pending_at->key)
		return R_FAIL;
	switch (r->stored ? hashstore_has(rs->store, (unsigned)(r - rs->r),
					  r->pending, r->pending_check,
					  &rs->store_err)
			  : 0) {
	case 0:
		r->has_pending = true;
		return R_PASS;
	case 1:
		return R_FAIL;
	}
	return R_SKIP; /* rules_status tells */
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
	struct strview v = rules_fref_value(&r->when_field, rec, tmp);

	return rules_vlist_has(&r->when_vals, v) != r->when_negate;
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

		if (r->has_pending && !r->pending_at->key)
			hash_put(&r->set, r->pending_at, r->pending,
				 r->pending_check);
		r->has_pending = false;
	}
}
