/*
 * rules: values (numbers, dates), the named checks, reading a field
 */
#include "rules/rules_int.h"

/*
 * Values
 */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?DIGITS(.DIGITS)? and nothing else: canonical numbers only, so "1e3",
 * " 5" and "+5" are not numbers. */
bool rules_parse_number(struct strview v, double *out)
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
bool rules_is_date_shape(struct strview v)
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

void rules_vlist_add(struct vlist *l, struct strview v)
{
	l->s = xrealloc(l->s, (l->n + 1) * sizeof(*l->s));
	l->len = xrealloc(l->len, (l->n + 1) * sizeof(*l->len));
	l->s[l->n] = sv_dup(v);
	l->len[l->n] = v.len;
	l->n++;
}

bool rules_vlist_has(const struct vlist *l, struct strview v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->len[i] == v.len && !memcmp(l->s[i], v.p, v.len))
			return true;
	return false;
}

void rules_vlist_release(struct vlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

/*
 * Named checks (check = NAME). Each returns NULL when v passes, else the
 * reason, a static string.
 */

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

const struct check rules_checks[] = {
	{"cn_id", check_cn_id},		/* GB 11643 */
	{"email", check_email},		/* as email_normalize writes it */
	{"e164", check_e164},		/* any phone */
	{"mobile", check_mobile},	/* E.164; +86: a mobile prefix */
	{"cn_mobile", check_cn_mobile}, /* mainland mobiles only */
	{"date", check_date},		/* YYYY-MM-DD, a real day */
	{"timestamp", check_timestamp}, /* canonical ISO 8601 */
	{"integer", check_integer},	/* -?[0-9]{1,18} */
};
const size_t rules_n_checks = sizeof(rules_checks) / sizeof(rules_checks[0]);

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
struct strview rules_fref_value(const struct fref *f, const struct record *rec,
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

struct strview rules_operand_value(const struct operand *o,
				   const struct record *rec, char *tmp)
{
	if (o->is_field)
		return rules_fref_value(&o->f, rec, tmp);
	return svn(o->text, o->len);
}
