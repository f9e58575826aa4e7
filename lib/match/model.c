/*
 * model: match rules (blocking keys, comparisons, thresholds) and the
 * model (m and u of every comparison level, the prior): the built-in
 * defaults, a match rules file over them, model files written and read.
 *
 * m = P(level | same person), u = P(level | different people). The
 * defaults are set for member data as mbr-normalize leaves it; u for an
 * exact name is replaced per value by its term frequency.
 */
#include "match/match_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

struct kind_info {
	const char *name;
	unsigned n_args;
	double arg[3];
	unsigned n_levels;
	const char *level[MATCH_MAX_LEVELS];
	double m[MATCH_MAX_LEVELS]; /* generic defaults */
	double u[MATCH_MAX_LEVELS];
};

/* clang-format off */
static const struct kind_info kinds[CMP_KIND_COUNT] = {
	[CMP_NAME] = { "name", 2, { 0.92, 0.80 }, 6,
		{ "exact", "phonetic", "nickname", "jw_high", "jw_low",
		  "other" },
		{ 0.86, 0.04, 0.02, 0.04, 0.02, 0.02 },
		{ 0.005, 0.002, 0.0005, 0.002, 0.02, 0.9705 } },
	[CMP_DATE] = { "date", 0, { 0 }, 6,
		{ "exact", "swapped", "one_digit", "partial", "within_year",
		  "other" },
		{ 0.88, 0.01, 0.05, 0.03, 0.015, 0.015 },
		{ 5e-5, 2e-5, 1e-3, 0.004, 0.03, 0.96495 } },
	[CMP_EXACT] = { "exact", 0, { 0 }, 2, { "exact", "other" },
		{ 0.95, 0.05 }, { 0.01, 0.99 } },
	[CMP_PHONE] = { "phone", 0, { 0 }, 4,
		{ "exact", "last8", "one_edit", "other" },
		{ 0.70, 0.02, 0.03, 0.25 }, { 1e-5, 2e-6, 1e-5, 0.99998 } },
	[CMP_EMAIL] = { "email", 0, { 0 }, 4,
		{ "exact", "local_part", "one_edit", "other" },
		{ 0.75, 0.05, 0.02, 0.18 }, { 1e-6, 1e-4, 1e-6, 0.999898 } },
	[CMP_ID] = { "id", 0, { 0 }, 3, { "exact", "one_edit", "other" },
		{ 0.95, 0.03, 0.02 }, { 1e-7, 1e-6, 0.9999989 } },
	[CMP_BIGRAM] = { "bigram", 3, { 0.8, 0.6, 0.4 }, 5,
		{ "exact", "high", "mid", "low", "other" },
		{ 0.60, 0.20, 0.08, 0.04, 0.08 },
		{ 1e-4, 3e-4, 2e-3, 0.02, 0.9776 } },
	[CMP_JARO] = { "jaro", 2, { 0.92, 0.80 }, 4,
		{ "exact", "jw_high", "jw_low", "other" },
		{ 0.88, 0.05, 0.03, 0.04 }, { 0.01, 0.003, 0.02, 0.967 } },
};
/* clang-format on */

/* clang-format off */
static const struct field_info {
	const char *name;
	enum mfield field;
} fields[] = {
	{ "name", MF_NAME },		{ "family_name", MF_FAMILY },
	{ "given_name", MF_GIVEN },	{ "gender", MF_GENDER },
	{ "birth_date", MF_BIRTH },	{ "mobile", MF_MOBILE },
	{ "phone", MF_PHONE },		{ "email", MF_EMAIL },
	{ "id_number", MF_ID },		{ "address", MF_ADDRESS },
	{ "postal_code", MF_POSTAL },	{ "district", MF_DISTRICT },
	{ "city", MF_CITY },		{ "province", MF_PROVINCE },
	{ "name_key", MF_NAME_KEY },	{ "family_key", MF_FAMILY_KEY },
	{ "given_key", MF_GIVEN_KEY },	{ "birth_year", MF_BIRTH_YEAR },
	{ "mobile_last8", MF_MOBILE8 },	{ "email_local", MF_EMAIL_LOCAL },
	{ "valid_id", MF_VALID_ID },	{ "id_head", MF_ID_HEAD },
	{ "id_tail", MF_ID_TAIL },	{ "address_key", MF_ADDRESS_KEY },
	{ "given_initial", MF_GIVEN_INITIAL },	{ "name_part_lo", MF_PART_LO },
	{ "name_part_hi", MF_PART_HI },	{ "birth_md", MF_BIRTH_MD },
	{ "birth_ym", MF_BIRTH_YM },
};
/* clang-format on */

/* The default comparisons: field, kind, term frequencies, group, within,
 * and m and u where the kind's generic ones do not fit the field (m[0] 0:
 * the kind's). The last level's u is what the others leave. */
/* clang-format off */
static const struct default_cmp {
	const char *field;
	enum cmp_kind kind;
	bool tf;
	const char *group;
	const char *within;
	double m[MATCH_MAX_LEVELS];
	double u[MATCH_MAX_LEVELS];
} default_cmps[] = {
	{ "family_name", CMP_NAME, true, NULL, NULL,
	  { 0.88, 0.04, 0.001, 0.04, 0.02, 0.02 },
	  { 0.01, 0.003, 0.0001, 0.002, 0.02 } },
	{ "given_name", CMP_NAME, true, NULL, NULL,
	  { 0.86, 0.04, 0.02, 0.04, 0.02, 0.02 },
	  { 0.003, 0.002, 0.0005, 0.002, 0.02 } },
	{ "birth_date", CMP_DATE, true, NULL, NULL, { 0 }, { 0 } },
	{ "gender", CMP_EXACT, false, NULL, NULL, { 0.95, 0.05 }, { 0.5 } },
	{ "id_number", CMP_ID, false, NULL, NULL, { 0 }, { 0 } },
	{ "mobile", CMP_PHONE, false, "household", NULL, { 0 }, { 0 } },
	{ "phone", CMP_EXACT, false, "household", NULL,
	  { 0.6, 0.4 }, { 1e-5 } },
	{ "address", CMP_BIGRAM, false, "household", NULL, { 0 }, { 0 } },
	{ "email", CMP_EMAIL, false, NULL, NULL, { 0 }, { 0 } },
	{ "postal_code", CMP_ID, false, "place", "address",
	  { 0.90, 0.05, 0.05 }, { 0.005, 0.03 } },
	{ "city", CMP_JARO, false, "place", "address",
	  { 0.90, 0.04, 0.02, 0.04 }, { 0.01, 0.003, 0.02 } },
};
/* clang-format on */

/* Default blocking keys: a union, so one typo cannot hide a pair. */
/* clang-format off */
static const struct default_key {
	const char *name;
	const char *parts;
} default_keys[] = {
	{ "id", "id_number" },
	{ "mobile", "mobile" },
	{ "email", "email" },
	{ "mobile8", "mobile_last8" },
	{ "name_year", "name_key + birth_year | window 2" },
	{ "name_district", "name_key + district | unless birth_date | window 2" },
	{ "name_postcode", "name_key + postal_code | window 2" },
	{ "birth_given", "birth_date + given_key | window 2" },
	{ "birth_family", "birth_date + family_key + given_initial | window 2" },
	{ "birth_postcode", "birth_date + postal_code | window 2" },
	{ "address", "address" },
	{ "family_street", "family_key + given_initial + address_key | window 2" },
	{ "given_street", "given_key + address_key | window 2" },
	{ "id_tail", "id_tail" },
	{ "id_head_birth", "id_head + birth_date | window 2" },
	{ "id_head_name", "id_head + name_key | window 2" },
	{ "names", "name_part_lo + name_part_hi | max 12" },
	{ "part_lo_year", "name_part_lo + birth_year | max 20" },
	{ "part_hi_year", "name_part_hi + birth_year | max 20" },
	{ "part_lo_md", "name_part_lo + birth_md | max 20" },
	{ "part_hi_md", "name_part_hi + birth_md | max 20" },
	{ "email_local", "email_local | max 20" },
	{ "birth", "birth_date | max 20" },
	{ "part_lo", "name_part_lo | max 10" },
	{ "part_hi", "name_part_hi | max 10" },
	{ "city_md", "city + birth_md | max 20" },
};
/* clang-format on */

_Static_assert(sizeof(default_keys) / sizeof(default_keys[0]) <= MATCH_MAX_KEYS,
	       "too many default keys");
_Static_assert(sizeof(default_cmps) / sizeof(default_cmps[0]) <= MATCH_MAX_CMPS,
	       "too many default comparisons");
_Static_assert(MF_COUNT <= 32, "fields are bits of a uint32_t");

const char *const *model_level_names(enum cmp_kind kind)
{
	return kinds[kind].level;
}

unsigned model_n_levels(enum cmp_kind kind)
{
	return kinds[kind].n_levels;
}

static int field_lookup(struct strview v)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (sv_eqs(v, fields[i].name))
			return (int)fields[i].field;
	return -1;
}

const char *model_field_name(enum mfield f)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].field == f)
			return fields[i].name;
	return "?";
}

static void cmp_set_kind(struct mcmp *c, enum cmp_kind kind)
{
	const struct kind_info *k = &kinds[kind];

	c->kind = kind;
	c->n_levels = k->n_levels;
	memcpy(c->arg, k->arg, sizeof(c->arg));
	memcpy(c->m, k->m, sizeof(c->m));
	memcpy(c->u, k->u, sizeof(c->u));
}

static int group_index(struct match_rules *r, const char *name)
{
	for (unsigned i = 0; i < r->n_groups; i++)
		if (!strcmp(r->group[i], name))
			return (int)i;
	if (r->n_groups == MATCH_MAX_CMPS)
		return -1;
	snprintf(r->group[r->n_groups], sizeof(r->group[0]), "%s", name);
	return (int)r->n_groups++;
}

/* m and u of a default comparison; u of "other" is what the named
 * levels leave. */
static void cmp_set_defaults(struct mcmp *c, const struct default_cmp *d)
{
	double rest = 0;

	if (d->m[0] == 0)
		return;
	memcpy(c->m, d->m, sizeof(c->m));
	for (unsigned i = 0; i + 1 < c->n_levels; i++) {
		c->u[i] = d->u[i];
		rest += c->u[i];
	}
	c->u[c->n_levels - 1] = rest < 1 ? 1 - rest : 1e-3;
}

/* A field compared as by default gets the default's m and u. */
static void field_defaults(struct mcmp *c)
{
	for (size_t i = 0; i < sizeof(default_cmps) / sizeof(default_cmps[0]);
	     i++)
		if (!strcmp(default_cmps[i].field, c->name) &&
		    default_cmps[i].kind == c->kind)
			cmp_set_defaults(c, &default_cmps[i]);
}

static void add_default_cmps(struct match_rules *r)
{
	for (size_t i = 0; i < sizeof(default_cmps) / sizeof(default_cmps[0]);
	     i++) {
		const struct default_cmp *d = &default_cmps[i];
		struct mcmp *c = &r->cmp[r->n_cmps++];

		snprintf(c->name, sizeof(c->name), "%s", d->field);
		c->field = (enum mfield)field_lookup(sv(d->field));
		cmp_set_kind(c, d->kind);
		cmp_set_defaults(c, d);
		c->tf = d->tf;
		c->group = d->group ? group_index(r, d->group) : -1;
		snprintf(c->within_name, sizeof(c->within_name), "%s",
			 d->within ? d->within : "");
	}
}

static int find_cmp(const struct match_rules *r, struct strview name);

/* Turn within names into comparison numbers. */
static int resolve_within(struct match_rules *r, struct mbr_err *err)
{
	for (unsigned i = 0; i < r->n_cmps; i++) {
		struct mcmp *c = &r->cmp[i];

		c->within = c->within_name[0] ? find_cmp(r, sv(c->within_name))
					      : -1;
		if (c->within_name[0] && (c->within < 0 || c->within == (int)i))
			return mbr_fail(err, MBR_ECONFIG,
					"%s: within '%s': "
					"no such other comparison",
					c->name, c->within_name);
	}
	return 0;
}

static int parse_key(struct mkey *k, const char *name, struct strview v,
		     struct mbr_err *err);

struct match_rules *match_rules_new(void)
{
	struct match_rules *r = xcalloc(1, sizeof(*r));
	struct mbr_err err = MBR_ERR_INIT;

	add_default_cmps(r);
	resolve_within(r, &err);
	for (size_t i = 0; i < sizeof(default_keys) / sizeof(default_keys[0]);
	     i++)
		parse_key(&r->key[r->n_keys++], default_keys[i].name,
			  sv(default_keys[i].parts), &err);
	r->match_p = 0.95;
	r->review_p = 0.50;
	r->floor_p = 0.01;
	r->strong_p = 0.99999;
	r->coherence = true;
	r->bridges = true;
	r->per_record = 0.5;
	r->prior_auto = true;
	r->calibrate = true;
	r->tf_min = 1e-6;
	r->max_block_pairs = 500000;
	r->max_pairs = 2000000000;
	r->max_pairs_per_record = 200;
	r->capped_window = 10;
	r->never_id = true;
	r->siblings = true;
	r->threads = 2;
	model_finish(r);
	return r;
}

void match_rules_free(struct match_rules *r)
{
	free(r);
}

/* The first level of each kind that only string work can tell. */
static const unsigned first_fuzzy[CMP_KIND_COUNT] = {
	[CMP_NAME] = 3,	 [CMP_DATE] = 99, [CMP_EXACT] = 99, [CMP_PHONE] = 2,
	[CMP_EMAIL] = 2, [CMP_ID] = 1,	  [CMP_BIGRAM] = 1, [CMP_JARO] = 1,
};

void model_finish(struct match_rules *r)
{
	for (unsigned i = 0; i < r->n_cmps; i++) {
		struct mcmp *c = &r->cmp[i];

		c->fuzzy_max = -INFINITY;
		for (unsigned l = 0; l < c->n_levels; l++) {
			double m = c->m[l] > 1e-9 ? c->m[l] : 1e-9;
			double u = c->u[l] > 1e-12 ? c->u[l] : 1e-12;

			c->w[l] = log2(m / u);
			if (l >= first_fuzzy[c->kind] && c->w[l] > c->fuzzy_max)
				c->fuzzy_max = c->w[l];
		}
	}
}

static uint32_t key_fields(const struct mkey *k)
{
	uint32_t bits = 0;

	for (unsigned i = 0; i < k->n_parts; i++)
		bits |= 1u << k->part[i];
	return bits;
}

uint32_t model_fields_needed(const struct match_rules *r)
{
	uint32_t bits = 1u << MF_VALID_ID; /* cannot-links need it */

	for (unsigned i = 0; i < r->n_keys; i++) {
		bits |= key_fields(&r->key[i]);
		if (r->key[i].unless >= 0)
			bits |= 1u << r->key[i].unless;
	}
	for (unsigned i = 0; i < r->n_cmps; i++)
		bits |= 1u << r->cmp[i].field;
	/* Names are compared through their parts, keys and pinyin. */
	if (bits &
	    (1u << MF_NAME | 1u << MF_FAMILY | 1u << MF_GIVEN |
	     1u << MF_NAME_KEY | 1u << MF_FAMILY_KEY | 1u << MF_GIVEN_KEY |
	     1u << MF_GIVEN_INITIAL | 1u << MF_PART_LO | 1u << MF_PART_HI))
		bits |= 1u << MF_NAME | 1u << MF_FAMILY | 1u << MF_GIVEN |
			1u << MF_NAME_KEY | 1u << MF_FAMILY_KEY |
			1u << MF_GIVEN_KEY;
	if (bits & (1u << MF_MOBILE))
		bits |= 1u << MF_MOBILE8;
	if (bits & (1u << MF_EMAIL))
		bits |= 1u << MF_EMAIL_LOCAL;
	if (bits &
	    (1u << MF_BIRTH_YEAR | 1u << MF_BIRTH_MD | 1u << MF_BIRTH_YM))
		bits |= 1u << MF_BIRTH;
	if (bits & (1u << MF_ADDRESS_KEY))
		bits |= 1u << MF_ADDRESS;
	if (bits & (1u << MF_ID_HEAD | 1u << MF_ID_TAIL))
		bits |= 1u << MF_ID;
	return bits;
}

/* ---- match rules files ---- */

/* N of a `max N` or `window N` key option; 0 when it is not one. */
static unsigned option_count(struct strview o, const char *word)
{
	size_t w = strlen(word);
	char tmp[24], *end;
	unsigned long n;

	if (!sv_starts(o, word) || o.len - w >= sizeof(tmp))
		return 0;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(o.len - w), o.p + w);
	n = strtoul(tmp, &end, 10);
	return end != tmp && !*end && n >= 2 && n <= 1000000 ? (unsigned)n : 0;
}

/* A key option: `unless FIELD`, `max N` or `window N`. */
static int parse_key_option(struct mkey *k, struct strview o,
			    struct mbr_err *err)
{
	unsigned n;

	if (sv_starts(o, "unless ") &&
	    (k->unless = field_lookup(sv_trim(svn(o.p + 7, o.len - 7)))) >= 0)
		return 0;
	if ((n = option_count(o, "max "))) {
		k->max = n;
		return 0;
	}
	if ((n = option_count(o, "window "))) {
		k->window = n;
		return 0;
	}
	return mbr_fail(err, MBR_ECONFIG,
			"unknown key option '%.*s' (expected unless FIELD, "
			"max N or window N, N from 2 to 1000000)",
			(int)o.len, o.p);
}

/* `part + part`, then optionally `| unless FIELD`, `| max N` and
 * `| window N`. */
static int parse_key(struct mkey *k, const char *name, struct strview v,
		     struct mbr_err *err)
{
	struct strview opt[4], parts[MATCH_MAX_PARTS];
	int n_opt = ini_split(v, '|', opt, 4, err), n;

	if (n_opt < 1 ||
	    (n = ini_split(opt[0], '+', parts, MATCH_MAX_PARTS, err)) < 0)
		return -1;
	if (n == 0)
		return mbr_fail(err, MBR_ECONFIG, "empty key");
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->n_parts = (unsigned)n;
	k->unless = -1;
	k->max = 0;
	k->window = 0;
	for (int i = 0; i < n; i++) {
		int f = field_lookup(parts[i]);

		if (f == MF_ID)
			f = MF_VALID_ID; /* only valid IDs block */
		if (f < 0)
			return mbr_fail(err, MBR_ECONFIG,
					"unknown key part '%.*s' (expected a "
					"field such as name_key, birth_year, "
					"mobile, id_number)",
					(int)parts[i].len, parts[i].p);
		k->part[i] = (enum mfield)f;
	}
	for (int i = 1; i < n_opt; i++)
		if (parse_key_option(k, opt[i], err) < 0)
			return -1;
	return 0;
}

static int load_keys(struct match_rules *r, const struct ini *ini,
		     struct mbr_err *err)
{
	bool seen = false;

	for (size_t i = 0; i < ini->n; i++) {
		const struct ini_entry *e = &ini->e[i];

		if (strcmp(e->section, "blocking"))
			continue;
		if (!seen)
			r->n_keys = 0;
		seen = true;
		if (r->n_keys == MATCH_MAX_KEYS)
			return ini_fail(ini, e->line, err,
					"more than %d blocking keys",
					MATCH_MAX_KEYS);
		if (parse_key(&r->key[r->n_keys], e->key, sv(e->value), err) <
		    0)
			return ini_fail(ini, e->line, err, "%s", err->msg);
		r->n_keys++;
	}
	return 0;
}

static int kind_lookup(struct strview v)
{
	for (int i = 0; i < CMP_KIND_COUNT; i++)
		if (sv_eqs(v, kinds[i].name))
			return i;
	return -1;
}

static int parse_threshold(struct strview v, double *out)
{
	char tmp[32], *end;

	if (v.len == 0 || v.len >= sizeof(tmp))
		return -1;
	memcpy(tmp, v.p, v.len);
	tmp[v.len] = '\0';
	*out = strtod(tmp, &end);
	return *end || *out < 0 || *out > 1 ? -1 : 0;
}

/* An option after `|`: tf, or within FIELD. */
static int parse_option(struct mcmp *c, struct strview o, struct mbr_err *err)
{
	if (sv_eqs(o, "tf")) {
		c->tf = true;
		return 0;
	}
	if (o.len > 7 && sv_starts(o, "within ") &&
	    o.len - 7 < sizeof(c->within_name)) {
		struct strview name = sv_trim(svn(o.p + 7, o.len - 7));

		snprintf(c->within_name, sizeof(c->within_name), "%.*s",
			 (int)name.len, name.p);
		return 0;
	}
	return mbr_fail(err, MBR_ECONFIG,
			"unknown option '%.*s' (expected "
			"tf or within FIELD)",
			(int)o.len, o.p);
}

/* `kind` or `kind(a, b)`, then options: `| tf`, `| within address`. */
static int parse_cmp(struct mcmp *c, struct strview v, struct mbr_err *err)
{
	struct strview parts[3];
	struct ini_call call;
	int n = ini_split(v, '|', parts, 3, err), k;

	if (n < 1 || ini_parse_call(parts[0], &call, err) < 0)
		return -1;
	k = kind_lookup(call.name);
	if (k < 0)
		return mbr_fail(err, MBR_ECONFIG,
				"unknown comparison '%.*s' "
				"(expected name, date, exact, phone, email, "
				"id, bigram or jaro)",
				(int)call.name.len, call.name.p);
	cmp_set_kind(c, (enum cmp_kind)k);
	if (call.n_args > kinds[k].n_args)
		return mbr_fail(err, MBR_ECONFIG, "%s takes %u thresholds",
				kinds[k].name, kinds[k].n_args);
	for (size_t i = 0; i < call.n_args; i++)
		if (parse_threshold(call.args[i], &c->arg[i]) < 0)
			return mbr_fail(err, MBR_ECONFIG,
					"threshold '%.*s' "
					"is not a number from 0 to 1",
					(int)call.args[i].len, call.args[i].p);
	for (int i = 1; i < n; i++)
		if (parse_option(c, parts[i], err) < 0)
			return -1;
	return 0;
}

/* A column outside the canon: MF_EXTRA1, MF_EXTRA2 by first use, or -1
 * when both are taken by others. */
static int extra_field(struct match_rules *r, const char *name)
{
	for (unsigned i = 0; i < r->n_extra; i++)
		if (!strcmp(r->extra[i], name))
			return MF_EXTRA1 + (int)i;
	if (r->n_extra == MATCH_MAX_EXTRA)
		return -1;
	snprintf(r->extra[r->n_extra], sizeof(r->extra[0]), "%s", name);
	return MF_EXTRA1 + (int)r->n_extra++;
}

static int load_cmp(struct match_rules *r, const struct ini *ini,
		    const struct ini_entry *e, struct mbr_err *err)
{
	struct mcmp *c = &r->cmp[r->n_cmps];
	int f = field_lookup(sv(e->key));

	if (r->n_cmps == MATCH_MAX_CMPS)
		return ini_fail(ini, e->line, err, "more than %d comparisons",
				MATCH_MAX_CMPS);
	if (f < 0 && (f = extra_field(r, e->key)) < 0)
		return ini_fail(ini, e->line, err,
				"more than %d columns outside the canon "
				"('%s')",
				MATCH_MAX_EXTRA, e->key);
	if (f >= MF_TEXT_COUNT && f != MF_EXTRA1 && f != MF_EXTRA2)
		return ini_fail(ini, e->line, err,
				"'%s' is a blocking key part, not a field "
				"to compare (expected a column such as "
				"given_name, birth_date, mobile, occupation)",
				e->key);
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", e->key);
	c->field = (enum mfield)f;
	c->group = -1;
	if (parse_cmp(c, sv(e->value), err) < 0)
		return ini_fail(ini, e->line, err, "%s", err->msg);
	if ((f == MF_EXTRA1 || f == MF_EXTRA2) && c->kind != CMP_EXACT &&
	    c->kind != CMP_JARO && c->kind != CMP_BIGRAM && c->kind != CMP_ID)
		return ini_fail(ini, e->line, err,
				"'%s' is not a canonical field: compare it "
				"with exact, jaro, bigram or id",
				e->key);
	field_defaults(c);
	r->n_cmps++;
	return 0;
}

static int load_cmps(struct match_rules *r, const struct ini *ini,
		     struct mbr_err *err)
{
	bool seen = false;

	for (size_t i = 0; i < ini->n; i++) {
		const struct ini_entry *e = &ini->e[i];

		if (strcmp(e->section, "compare"))
			continue;
		if (!seen) {
			r->n_cmps = 0;
			r->n_groups = 0;
			r->n_extra = 0;
		}
		seen = true;
		if (load_cmp(r, ini, e, err) < 0)
			return -1;
	}
	return 0;
}

static int find_cmp(const struct match_rules *r, struct strview name)
{
	for (unsigned i = 0; i < r->n_cmps; i++)
		if (sv_eqs(name, r->cmp[i].name))
			return (int)i;
	return -1;
}

static int load_group(struct match_rules *r, const struct ini *ini,
		      const struct ini_entry *e, struct mbr_err *err)
{
	struct strview parts[MATCH_MAX_CMPS];
	int n = ini_split(sv(e->value), ',', parts, MATCH_MAX_CMPS, err);
	int g = group_index(r, e->key);

	if (n < 0)
		return ini_fail(ini, e->line, err, "%s", err->msg);
	for (int i = 0; i < n; i++) {
		int c = find_cmp(r, parts[i]);

		if (c < 0)
			return ini_fail(ini, e->line, err,
					"'%.*s' is not "
					"in [compare]",
					(int)parts[i].len, parts[i].p);
		r->cmp[c].group = g;
	}
	return 0;
}

static int load_groups(struct match_rules *r, const struct ini *ini,
		       struct mbr_err *err)
{
	bool seen = false;

	for (size_t i = 0; i < ini->n; i++) {
		const struct ini_entry *e = &ini->e[i];

		if (strcmp(e->section, "groups"))
			continue;
		if (!seen) {
			r->n_groups = 0;
			for (unsigned c = 0; c < r->n_cmps; c++)
				r->cmp[c].group = -1;
		}
		seen = true;
		if (load_group(r, ini, e, err) < 0)
			return -1;
	}
	return 0;
}

struct number_opt {
	const char *section, *key;
	size_t offset; /* in struct match_rules */
	char type;     /* 'p' probability, 'd' number, 'u' count, 't' threads,
			  'w' window (1..1000) */
};

/* clang-format off */
static const struct number_opt number_opts[] = {
	{ "thresholds", "match", offsetof(struct match_rules, match_p), 'p' },
	{ "thresholds", "review", offsetof(struct match_rules, review_p), 'p' },
	{ "thresholds", "pairs", offsetof(struct match_rules, floor_p), 'p' },
	{ "thresholds", "strong", offsetof(struct match_rules, strong_p), 'p' },
	{ "prior", "matches_per_record",
	  offsetof(struct match_rules, per_record), 'd' },
	{ "limits", "max_block_pairs",
	  offsetof(struct match_rules, max_block_pairs), 'u' },
	{ "limits", "max_pairs", offsetof(struct match_rules, max_pairs), 'u' },
	{ "limits", "max_pairs_per_record",
	  offsetof(struct match_rules, max_pairs_per_record), 'u' },
	{ "limits", "capped_window",
	  offsetof(struct match_rules, capped_window), 'w' },
	{ "limits", "threads", offsetof(struct match_rules, threads), 't' },
};
/* clang-format on */

static int set_number(struct match_rules *r, const struct number_opt *o,
		      const char *value)
{
	char *end, *base = (char *)r + o->offset;
	double d = strtod(value, &end);

	if (end == value || *end || d < 0)
		return -1;
	if (o->type == 'p' && (d <= 0 || d >= 1))
		return -1;
	if (o->type == 'u' || o->type == 't' || o->type == 'w') {
		if (d != floor(d) || d < 1 || (o->type == 't' && d > 64) ||
		    (o->type == 'w' && d > 1000) || d > 1e18)
			return -1;
		if (o->type == 'u')
			*(unsigned long long *)(void *)base =
				(unsigned long long)d;
		else
			*(unsigned *)(void *)base = (unsigned)d;
		return 0;
	}
	*(double *)(void *)base = d;
	return 0;
}

void match_rules_set_max_pairs(struct match_rules *r, unsigned long long n)
{
	r->max_pairs = n;
}

static int load_numbers(struct match_rules *r, const struct ini *ini,
			struct mbr_err *err)
{
	for (size_t i = 0; i < sizeof(number_opts) / sizeof(number_opts[0]);
	     i++) {
		const struct number_opt *o = &number_opts[i];
		const struct ini_entry *e = ini_get(ini, o->section, o->key);

		if (!e)
			continue;
		/* matches_per_record = auto: estimated from the pairs. */
		if (o->offset == offsetof(struct match_rules, per_record)) {
			r->prior_auto = !strcmp(e->value, "auto");
			if (r->prior_auto)
				continue;
		}
		if (set_number(r, o, e->value) < 0)
			return ini_fail(
				ini, e->line, err, "%s: '%s' is not %s", o->key,
				e->value,
				o->type == 'p' ? "a probability between 0 and 1"
				: o->offset == offsetof(struct match_rules,
							per_record)
					? "a positive number or auto"
				: o->type == 'w' ? "a number from 1 to 1000"
						 : "a positive number");
	}
	return 0;
}

static int load_siblings(struct match_rules *r, const struct ini *ini,
			 struct mbr_err *err)
{
	const struct ini_entry *e = ini_get(ini, "never", "siblings");

	if (!e)
		return 0;
	if (!strcmp(e->value, "apart") || !strcmp(e->value, "yes"))
		r->siblings = true;
	else if (!strcmp(e->value, "off") || !strcmp(e->value, "no"))
		r->siblings = false;
	else
		return ini_fail(ini, e->line, err,
				"siblings: '%s' (expected apart or off)",
				e->value);
	return 0;
}

static int load_never(struct match_rules *r, const struct ini *ini,
		      struct mbr_err *err)
{
	const struct ini_entry *e = ini_get(ini, "never", "id_number");

	if (load_siblings(r, ini, err) < 0)
		return -1;
	if (!e)
		return 0;
	if (!strcmp(e->value, "different") || !strcmp(e->value, "yes"))
		r->never_id = true;
	else if (!strcmp(e->value, "off") || !strcmp(e->value, "no"))
		r->never_id = false;
	else
		return ini_fail(ini, e->line, err,
				"id_number: '%s' (expected "
				"different or off)",
				e->value);
	return 0;
}

static const char *const sections[] = {
	"blocking", "compare", "groups", "thresholds",
	"prior",    "limits",  "never",
};

static int check_sections(const struct ini *ini, struct mbr_err *err)
{
	for (size_t i = 0; i < ini->n_sections; i++) {
		size_t k = 0;

		while (k < sizeof(sections) / sizeof(sections[0]) &&
		       strcmp(ini->sections[i], sections[k]))
			k++;
		if (k == sizeof(sections) / sizeof(sections[0]))
			return ini_fail(ini, ini->section_lines[i], err,
					"unknown section [%s] (expected "
					"blocking, compare, groups, thresholds,"
					" prior, limits or never)",
					ini->sections[i]);
	}
	return 0;
}

static int check_thresholds(const struct match_rules *r, const struct ini *ini,
			    struct mbr_err *err)
{
	const struct ini_entry *e = ini_get(ini, "thresholds", "review");

	if (r->review_p > r->match_p)
		return ini_fail(ini, e ? e->line : 1, err,
				"review threshold "
				"%g is above the match threshold %g",
				r->review_p, r->match_p);
	if (r->n_cmps == 0)
		return ini_fail(ini, 1, err, "no comparison in [compare]");
	if (r->n_keys == 0)
		return ini_fail(ini, 1, err, "no key in [blocking]");
	return 0;
}

int match_rules_load(struct match_rules *r, const char *path,
		     struct mbr_err *err)
{
	struct ini ini = {0};
	int rc = -1;

	if (ini_load(&ini, path, err) < 0)
		return -1;
	if (check_sections(&ini, err) < 0 || load_keys(r, &ini, err) < 0 ||
	    load_cmps(r, &ini, err) < 0 || load_groups(r, &ini, err) < 0 ||
	    (resolve_within(r, err) < 0 &&
	     ini_fail(&ini, 1, err, "%s", err->msg) < 0) ||
	    load_numbers(r, &ini, err) < 0 || load_never(r, &ini, err) < 0 ||
	    check_thresholds(r, &ini, err) < 0)
		goto out;
	model_finish(r);
	rc = 0;
out:
	ini_release(&ini);
	return rc;
}

/* ---- model files ---- */

static void write_list(FILE *out, const char *key, const double *v, unsigned n)
{
	fprintf(out, "%-6s =", key);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s %.6g", i ? "," : "", v[i]);
	fputc('\n', out);
}

static void write_cmp(FILE *out, const struct mcmp *c)
{
	const struct kind_info *k = &kinds[c->kind];

	fprintf(out, "\n[%s]\n# %s", c->name, k->name);
	for (unsigned i = 0; i < k->n_args; i++)
		fprintf(out, "%s%g", i ? ", " : "(", c->arg[i]);
	fprintf(out,
		"%s%s%s%s; weight = log2(m/u)\nlevels =", k->n_args ? ")" : "",
		c->tf ? " | tf" : "", c->within >= 0 ? " | within " : "",
		c->within_name);
	for (unsigned i = 0; i < c->n_levels; i++)
		fprintf(out, "%s %s", i ? "," : "", k->level[i]);
	fputc('\n', out);
	write_list(out, "m", c->m, c->n_levels);
	write_list(out, "u", c->u, c->n_levels);
	write_list(out, "# weight", c->w, c->n_levels);
}

int match_model_write(const struct match_rules *r, FILE *out,
		      struct mbr_err *err)
{
	fprintf(out,
		"# mbr-dedupe model: m = P(level | same person), "
		"u = P(level | different people).\n"
		"# Written by mbr-dedupe --train; read with --model. "
		"Edit with care.\n\n[model]\n"
		"matches_per_record = %.6g\n",
		r->per_record);
	for (unsigned i = 0; i < r->n_cmps; i++)
		write_cmp(out, &r->cmp[i]);
	if (ferror(out))
		return mbr_fail(err, MBR_EIO, "cannot write the model");
	return 0;
}

static int read_list(const struct ini *ini, const char *section,
		     const char *key, double *v, unsigned n,
		     struct mbr_err *err)
{
	const struct ini_entry *e = ini_get(ini, section, key);
	struct strview parts[MATCH_MAX_LEVELS];
	int got;

	if (!e)
		return ini_fail(ini, 1, err, "[%s] has no %s", section, key);
	got = ini_split(sv(e->value), ',', parts, MATCH_MAX_LEVELS, err);
	if (got != (int)n)
		return ini_fail(ini, e->line, err, "%s: %d values, expected %u",
				key, got, n);
	for (unsigned i = 0; i < n; i++) {
		char tmp[40], *end;

		snprintf(tmp, sizeof(tmp), "%.*s", (int)parts[i].len,
			 parts[i].p);
		v[i] = strtod(tmp, &end);
		if (*end || end == tmp || v[i] < 0 || v[i] > 1)
			return ini_fail(ini, e->line, err,
					"%s: '%s' is not a "
					"probability",
					key, tmp);
	}
	return 0;
}

static int read_model(struct match_rules *r, const struct ini *ini,
		      struct mbr_err *err)
{
	const struct ini_entry *e = ini_get(ini, "model", "matches_per_record");
	char *end;

	if (!e)
		return ini_fail(ini, 1, err,
				"no matches_per_record in "
				"[model]");
	r->per_record = strtod(e->value, &end);
	if (*end || r->per_record <= 0)
		return ini_fail(ini, e->line, err, "matches_per_record: '%s'",
				e->value);
	for (unsigned i = 0; i < r->n_cmps; i++) {
		struct mcmp *c = &r->cmp[i];

		if (read_list(ini, c->name, "m", c->m, c->n_levels, err) < 0 ||
		    read_list(ini, c->name, "u", c->u, c->n_levels, err) < 0)
			return -1;
	}
	return 0;
}

int match_model_load(struct match_rules *r, const char *path,
		     struct mbr_err *err)
{
	struct ini ini = {0};
	int rc;

	if (ini_load(&ini, path, err) < 0)
		return -1;
	rc = read_model(r, &ini, err);
	ini_release(&ini);
	if (rc == 0) {
		r->trained = true;
		model_finish(r);
	}
	return rc;
}

void match_rules_thresholds(const struct match_rules *r, double *match_w,
			    double *review_w)
{
	*match_w = score_weight(r->match_p);
	*review_w = score_weight(r->review_p);
}
