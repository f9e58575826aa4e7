/*
 * normalize: one step per field reads the record and writes the field's
 * new value into its own buffer; only when every step is done are the
 * new values put into the record, so no step sees a half-rewritten record
 * and no view into it goes stale.
 */
#include "normalize.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvio.h"
#include "memo.h"
#include "mappers/address.h"
#include "mappers/cnid.h"
#include "mappers/division.h"
#include "mappers/email.h"
#include "mappers/gender.h"
#include "mappers/name.h"
#include "mappers/phone.h"
#include "mappers/text.h"
#include "mappers/value.h"
#include "reject.h"
#include "stage.h"

#define BIT(f) ((uint32_t)1 << (f))
_Static_assert(CF_COUNT <= 32, "a field is a bit of a uint32_t");

/* Slots of the memos of answers (64 bytes each: 512 and 16 KB), whatever
 * the input: names and postal codes take many, the few words of gender,
 * tier, consent and status few. Only the slots in use are in the cache. */
#define MEMO_SLOTS 8192
#define MEMO_SLOTS_WORDS 256

/* What a memo answer is the answer of: a canonical field's own mapper
 * (tier, consent_marketing, status, gender) has the field as its tag;
 * these are the others. */
enum memo_tag {
	TAG_NAME = CF_COUNT, /* name_normalize, for family and given names */
	TAG_NAME_SPLIT,	     /* name_normalize and name_split of its answer,
				for the name column */
	TAG_POSTAL,	     /* address_postal_normalize, not in China */
	TAG_POSTAL_CN,	     /* address_postal_normalize in China */
};

struct normalize {
	struct normalize_opts o;
	char country[3];	   /* o.country, upper case */
	struct buf val[CF_COUNT];  /* the new value of each field */
	uint32_t set;		   /* BIT(f): val[f] is to replace field f */
	struct buf merged;	   /* an _issues value being merged */
	struct buf family, given;  /* name_split's answer, to compare */
	bool split_known;	   /* it is there for the record's name */
	bool split_ok;		   /* and what name_split returned */
	struct buf issues;	   /* one record's new issues */
	const struct header *in_h; /* borrowed: the input's columns */
	struct header out_h;	   /* the input's columns (+ _issues) */
	int issues_col;		   /* the input's _issues column, or -1 */
	struct memo *memo;	   /* owned: names and postal codes */
	struct memo *words;	   /* owned: gender, tier, consent, status */
};

/* One record being normalised. */
struct step {
	struct normalize *n;
	const struct header *h;
	const struct record *rec;
	struct buf *issues;
	int n_issues;
	bool is_cn;	/* the record's country is China */
	char region[3]; /* region of numbers without a calling code */
};

int normalize_parse_fields(const char *list, uint32_t *fields,
			   struct mbr_err *err)
{
	struct strview v = sv(list);
	size_t i = 0;

	*fields = 0;
	if (sv_eqs(sv_trim(v), "all")) {
		*fields = NORMALIZE_ALL;
		return 0;
	}
	if (sv_eqs(sv_trim(v), "none"))
		return 0;
	while (i <= v.len) {
		const char *comma = memchr(v.p + i, ',', v.len - i);
		size_t end = comma ? (size_t)(comma - v.p) : v.len;
		struct strview name = sv_trim(svn(v.p + i, end - i));
		int f = canon_lookup(name);

		if (f < 0)
			return mbr_fail(
				err, MBR_ECONFIG,
				"--fields: unknown field '%.*s' (expected "
				"canonical names such as "
				"name,mobile,birth_date, or all, or none)",
				(int)name.len, name.p);
		*fields |= BIT(f);
		i = end + 1;
	}
	return 0;
}

/* Open only what the selected fields use. */
static int open_data(const struct normalize_opts *o, struct mbr_err *err)
{
	uint32_t names =
		BIT(CF_NAME) | BIT(CF_FAMILY_NAME) | BIT(CF_GIVEN_NAME);
	uint32_t places = BIT(CF_PROVINCE) | BIT(CF_CITY) | BIT(CF_DISTRICT);
	uint32_t phones = BIT(CF_MOBILE) | BIT(CF_PHONE);

	if ((o->fields & names) && name_open(err) < 0)
		return -1;
	if ((o->fields & places) && division_open(err) < 0)
		return -1;
	if ((o->fields & phones) && phone_open(err) < 0)
		return -1;
	return 0;
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct normalize *normalize_new(const struct normalize_opts *opts,
				struct mbr_err *err)
{
	struct normalize *n;
	const char *cc = opts->country ? opts->country : "CN";

	if (strlen(cc) != 2 || !is_letter(cc[0]) || !is_letter(cc[1])) {
		mbr_fail(err, MBR_ECONFIG,
			 "--country '%s' (expected a two-letter ISO 3166 code "
			 "such as CN)",
			 cc);
		return NULL;
	}
	if (open_data(opts, err) < 0)
		return NULL;
	n = xcalloc(1, sizeof(*n));
	n->o = *opts;
	for (int i = 0; i < 2; i++)
		n->country[i] = (char)(cc[i] & ~0x20);
	n->o.country = n->country;
	for (int f = 0; f < CF_COUNT; f++)
		buf_init(&n->val[f], RECORD_MAX_BYTES);
	buf_init(&n->merged, RECORD_MAX_BYTES);
	buf_init(&n->family, RECORD_MAX_BYTES);
	buf_init(&n->given, RECORD_MAX_BYTES);
	buf_init(&n->issues, RECORD_MAX_BYTES);
	header_init(&n->out_h);
	n->issues_col = -1;
	n->memo = opts->memo ? memo_new(MEMO_SLOTS) : NULL;
	n->words = opts->memo ? memo_new(MEMO_SLOTS_WORDS) : NULL;
	return n;
}

void normalize_free(struct normalize *n)
{
	if (!n)
		return;
	for (int f = 0; f < CF_COUNT; f++)
		buf_release(&n->val[f]);
	buf_release(&n->merged);
	buf_release(&n->family);
	buf_release(&n->given);
	buf_release(&n->issues);
	header_release(&n->out_h);
	memo_free(n->memo);
	memo_free(n->words);
	free(n);
}

/*
 * What a step uses.
 */

/* Is f selected and in the record? */
static bool has(const struct step *s, enum canon_field f)
{
	return (s->n->o.fields & BIT(f)) && s->h->canon[f] >= 0;
}

/* The field as the record has it. */
static struct strview old(const struct step *s, enum canon_field f)
{
	return record_canon(s->rec, s->h, f);
}

/* The field as it will be: its new value once a step has set one. */
static struct strview now(const struct step *s, enum canon_field f)
{
	return s->n->set & BIT(f) ? buf_view(&s->n->val[f]) : old(s, f);
}

static bool is_blank(const struct step *s, enum canon_field f)
{
	return sv_trim(now(s, f)).len == 0;
}

/* The buffer of f's new value, emptied; f is set from now on. */
static struct buf *put(struct step *s, enum canon_field f)
{
	buf_reset(&s->n->val[f]);
	s->n->set |= BIT(f);
	return &s->n->val[f];
}

static void flag(struct step *s, enum canon_field f, const char *problem)
{
	struct buf *b = s->issues;

	if (b->len)
		buf_addc(b, ';');
	buf_adds(b, canon_name(f));
	buf_addc(b, ':');
	buf_adds(b, problem);
	s->n_issues++;
}

/* After a mapper wrote into put(s, f): keep the new value when ok, make a
 * blank value empty, else leave the field as it was and flag it. */
static void settle(struct step *s, enum canon_field f, bool ok, bool empty,
		   const char *problem)
{
	if (ok)
		return;
	buf_reset(&s->n->val[f]);
	if (!empty) {
		s->n->set &= ~BIT(f);
		flag(s, f, problem);
	}
}

/*
 * Memoised mappers: names, genders, postal codes and the value words repeat
 * from record to record, and their mappers depend on nothing but the value
 * (and the tag).
 */

/* One mapper behind a memo tag: appends to out, returns its result. */
static int map_by_tag(unsigned tag, struct strview in, struct buf *out)
{
	switch (tag) {
	case TAG_NAME:
		return (int)name_normalize(in, out);
	case TAG_POSTAL:
	case TAG_POSTAL_CN:
		return (int)address_postal_normalize(in, tag == TAG_POSTAL_CN,
						     out);
	case CF_GENDER:
		return (int)gender_normalize(in, out);
	case CF_TIER:
		return (int)value_int_range(in, 0, LLONG_MAX, out);
	case CF_CONSENT_MARKETING:
		return (int)value_consent(in, out);
	default:
		return (int)value_status(in, out);
	}
}

/* map_by_tag(tag, in, out), from the memo when it has the answer. */
static int memo_map(struct normalize *n, unsigned tag, struct strview in,
		    struct buf *out)
{
	struct memo *m = tag < CF_COUNT ? n->words : n->memo;
	size_t start = out->len;
	struct strview ans;
	int res;

	if (!m || in.len == 0) /* empty: quick, not worth a slot */
		return map_by_tag(tag, in, out);
	if (memo_get(m, tag, in, &res, &ans))
		return buf_addsv(out, ans) < 0 ? map_by_tag(tag, in, out) : res;
	res = map_by_tag(tag, in, out);
	memo_put(m, tag, in, res, svn(out->p + start, out->len - start));
	return res;
}

/* One name column's answer in a memo slot: name_normalize's result, its
 * answer's length, whether name_split of that answer split it and the
 * family name's length; the bytes are the answer, family, given. */
#define SPLIT_RES(r, nlen, ok, flen) \
	((int)(r) | (int)(nlen) << 8 | (int)(ok) << 16 | (int)(flen) << 17)

/* name_normalize(in, out) for the name column (out empty). When it is
 * NAME_OK, also name_split of its answer into n->family and n->given
 * (split_known, split_ok), which split_name would compute: both from the
 * memo when it has them. */
static enum name_result name_and_split(struct normalize *n, struct strview in,
				       struct buf *out)
{
	char bytes[MEMO_BYTES];
	struct strview ans;
	enum name_result r;
	size_t nlen, flen;
	int res;

	n->split_known = false;
	if (!n->memo || in.len == 0)
		return name_normalize(in, out);
	buf_reset(&n->family);
	buf_reset(&n->given);
	if (memo_get(n->memo, TAG_NAME_SPLIT, in, &res, &ans)) {
		r = (enum name_result)(res & 0xff);
		nlen = (size_t)(res >> 8 & 0xff);
		flen = (size_t)(res >> 17);
		n->split_known = r == NAME_OK;
		n->split_ok = res >> 16 & 1;
		if (buf_add(out, ans.p, nlen) < 0 ||
		    buf_add(&n->family, ans.p + nlen, flen) < 0 ||
		    buf_add(&n->given, ans.p + nlen + flen,
			    ans.len - nlen - flen) < 0)
			return NAME_TOO_LONG; /* cannot happen: a slot is small */
		return r;
	}
	r = name_normalize(in, out);
	if (r != NAME_OK) {
		memo_put(n->memo, TAG_NAME_SPLIT, in, SPLIT_RES(r, 0, 0, 0),
			 svn("", 0));
		return r;
	}
	n->split_known = true;
	n->split_ok = name_split(buf_view(out), &n->family, &n->given);
	nlen = out->len;
	flen = n->family.len;
	if (nlen + flen + n->given.len > sizeof(bytes))
		return r;
	memcpy(bytes, out->p, nlen);
	memcpy(bytes + nlen, n->family.p, flen);
	memcpy(bytes + nlen + flen, n->given.p, n->given.len);
	memo_put(n->memo, TAG_NAME_SPLIT, in,
		 SPLIT_RES(r, nlen, n->split_ok, flen),
		 svn(bytes, nlen + flen + n->given.len));
	return r;
}

/*
 * The steps, in the order normalize_record runs them: country first (it
 * decides phone codes and whether divisions apply), name before its
 * parts, birth_date and gender before the ID that checks them.
 */

static void step_country(struct step *s)
{
	struct strview v = old(s, CF_COUNTRY);
	char code[3];

	if (address_country(v, code)) {
		if (has(s, CF_COUNTRY))
			buf_add(put(s, CF_COUNTRY), code, 2);
	} else if (sv_trim(v).len == 0) {
		memcpy(code, s->n->country, 3);
	}
	s->is_cn = !strcmp(code, "CN");
	memcpy(s->region, code[0] ? code : s->n->country, 3);
}

static enum name_result one_name(struct step *s, enum canon_field f)
{
	enum name_result r;

	if (!has(s, f))
		return NAME_EMPTY;
	if (f == CF_NAME)
		r = name_and_split(s->n, old(s, f), put(s, f));
	else
		r = (enum name_result)memo_map(s->n, TAG_NAME, old(s, f),
					       put(s, f));
	settle(s, f, r == NAME_OK, r == NAME_EMPTY, name_result_str(r));
	return r;
}

/* family_name and given_name from name: both when both are empty; one
 * when the other agrees with how name splits (王 + 王小明 -> 小明). */
static void split_name(struct step *s)
{
	struct normalize *n = s->n;
	bool no_family = is_blank(s, CF_FAMILY_NAME);
	bool no_given = is_blank(s, CF_GIVEN_NAME);

	if (!no_family && !no_given)
		return;
	/* name_and_split split the name's answer, which now() is */
	if (!n->split_known) {
		buf_reset(&n->family);
		buf_reset(&n->given);
		n->split_ok =
			name_split(now(s, CF_NAME), &n->family, &n->given);
	}
	if (!n->split_ok)
		return;
	if (no_family && no_given) {
		buf_addsv(put(s, CF_FAMILY_NAME), buf_view(&n->family));
		buf_addsv(put(s, CF_GIVEN_NAME), buf_view(&n->given));
	} else if (no_given && n->given.len &&
		   sv_eq(buf_view(&n->family), now(s, CF_FAMILY_NAME))) {
		buf_addsv(put(s, CF_GIVEN_NAME), buf_view(&n->given));
	} else if (no_family && n->family.len &&
		   sv_eq(buf_view(&n->given), now(s, CF_GIVEN_NAME))) {
		buf_addsv(put(s, CF_FAMILY_NAME), buf_view(&n->family));
	}
}

static void step_names(struct step *s)
{
	enum name_result rn, rf, rg;

	rn = one_name(s, CF_NAME);
	rf = one_name(s, CF_FAMILY_NAME);
	rg = one_name(s, CF_GIVEN_NAME);
	if (rn == NAME_OK && has(s, CF_FAMILY_NAME) && has(s, CF_GIVEN_NAME))
		split_name(s);
	else if (has(s, CF_NAME) && is_blank(s, CF_NAME) &&
		 (rf == NAME_OK || rg == NAME_OK) &&
		 (rf == NAME_OK || rf == NAME_EMPTY) &&
		 (rg == NAME_OK || rg == NAME_EMPTY))
		name_compose(now(s, CF_FAMILY_NAME), now(s, CF_GIVEN_NAME),
			     put(s, CF_NAME));
}

static void step_gender(struct step *s)
{
	enum gender_result r;

	if (!has(s, CF_GENDER))
		return;
	r = (enum gender_result)memo_map(s->n, CF_GENDER, old(s, CF_GENDER),
					 put(s, CF_GENDER));
	settle(s, CF_GENDER, r == GENDER_OK, r == GENDER_EMPTY,
	       gender_result_str(r));
}

/* China time: a birth date written as an instant in another zone (a
 * JavaScript system's 1990-03-04T16:00:00.000Z) is the date it was in
 * Beijing, and the record says it was moved (README, mbr-normalize). */
#define BIRTH_ZONE (8 * 60)

static void step_birth(struct step *s)
{
	enum date_result r;
	bool moved;

	if (!has(s, CF_BIRTH_DATE))
		return;
	r = date_normalize_at(old(s, CF_BIRTH_DATE), s->n->o.date_order,
			      BIRTH_ZONE, put(s, CF_BIRTH_DATE), &moved);
	settle(s, CF_BIRTH_DATE, r == DATE_OK, r == DATE_EMPTY,
	       date_result_str(r));
	if (r == DATE_OK && moved)
		flag(s, CF_BIRTH_DATE, "time zone moved to UTC+8");
}

static void step_phone(struct step *s, enum canon_field f)
{
	enum phone_result r;
	enum phone_type t;
	struct buf *out;
	const char *why;

	if (!has(s, f))
		return;
	out = put(s, f);
	r = phone_normalize(old(s, f), s->region, out);
	why = phone_result_str(r);
	/* A landline (or a toll-free, premium ... number) in the mobile
	 * column is a real number in the wrong place: keep it as it was and
	 * say so. Numbers that may be either (US, CA) pass. */
	t = r == PHONE_OK && f == CF_MOBILE ? phone_type_of(buf_view(out))
					    : PHONE_TYPE_UNKNOWN;
	if (t == PHONE_TYPE_FIXED || t == PHONE_TYPE_OTHER) {
		r = PHONE_INVALID;
		why = t == PHONE_TYPE_FIXED ? "landline, not a mobile"
					    : "not a mobile number";
	}
	settle(s, f, r == PHONE_OK, r == PHONE_EMPTY, why);
}

static void step_email(struct step *s)
{
	enum email_result r;
	const char *likely;
	char why[160];

	if (!has(s, CF_EMAIL))
		return;
	r = email_normalize(old(s, CF_EMAIL), put(s, CF_EMAIL));
	settle(s, CF_EMAIL, r == EMAIL_OK, r == EMAIL_EMPTY,
	       email_result_str(r));
	/* A typo domain is a hint for a person, never a rewrite. */
	if (r == EMAIL_OK && (likely = email_typo(now(s, CF_EMAIL)))) {
		const char *at =
			memchr(now(s, CF_EMAIL).p, '@', now(s, CF_EMAIL).len);
		struct strview d = now(s, CF_EMAIL);

		d = svn(at + 1, d.len - (size_t)(at + 1 - d.p));
		snprintf(why, sizeof(why), "domain %.*s, did you mean %s",
			 (int)(d.len > 80 ? 80 : d.len), d.p, likely);
		flag(s, CF_EMAIL, why);
	}
}

/* Fill f from the ID when empty; flag it when it says otherwise. Only a
 * value that was normalised is compared: a flagged one is flagged. */
static void check_against_id(struct step *s, enum canon_field f,
			     struct strview from_id)
{
	if ((s->n->o.fields & BIT(f)) == 0 || s->h->canon[f] < 0 ||
	    from_id.len == 0)
		return;
	if (is_blank(s, f)) {
		if (s->n->o.derive)
			buf_addsv(put(s, f), from_id);
		return;
	}
	if ((s->n->set & BIT(f)) && !sv_eq(now(s, f), from_id))
		flag(s, f, "differs from id_number");
}

static void derive_from_id(struct step *s, struct strview id18)
{
	char birth[11], gender[2] = {0, 0};

	cnid_birth_date(id18, birth);
	gender[0] = cnid_gender(id18);
	check_against_id(s, CF_BIRTH_DATE, sv(birth));
	check_against_id(s, CF_GENDER, sv(gender));
	if (has(s, CF_ID_TYPE))
		buf_adds(put(s, CF_ID_TYPE), "CN_RIC");
}

/* An id_number under an id_type we do not know: flag the type when the
 * number looks like a resident ID, else leave both alone. */
static void step_id(struct step *s)
{
	enum cnid_type t = cnid_type_of(sv_trim(old(s, CF_ID_TYPE)));
	enum cnid_result r;

	if (!has(s, CF_ID_NUMBER) || t == CNID_TYPE_OTHER)
		return;
	if (t == CNID_TYPE_UNKNOWN) {
		if (cnid_is_shaped(old(s, CF_ID_NUMBER)))
			flag(s, CF_ID_TYPE,
			     "unknown type for an ID-shaped number");
		return;
	}
	r = cnid_normalize(old(s, CF_ID_NUMBER), put(s, CF_ID_NUMBER));
	/* A letter first: another document, unless the type says not. */
	if (r == CNID_NOT_CN && t == CNID_TYPE_NONE) {
		s->n->set &= ~BIT(CF_ID_NUMBER);
		return;
	}
	settle(s, CF_ID_NUMBER, r == CNID_OK, r == CNID_EMPTY,
	       cnid_result_str(r));
	if (r != CNID_OK)
		return;
	/* Issue 15: a code no GB/T 2260 table has is flagged, and nothing
	 * is derived from a number that may be made up. */
	if (cnid_area_check(now(s, CF_ID_NUMBER)) != CNID_OK) {
		flag(s, CF_ID_NUMBER, cnid_result_str(CNID_AREA_UNKNOWN));
		return;
	}
	derive_from_id(s, now(s, CF_ID_NUMBER));
}

static void one_division(struct step *s, enum canon_field f,
			 struct strview name, enum address_result r)
{
	if (!has(s, f))
		return;
	if (r != ADDRESS_OK)
		flag(s, f, address_result_str(r));
	else if (name.len)
		buf_addsv(put(s, f), name);
}

static void step_address(struct step *s)
{
	struct address_divisions d;
	enum address_result r;

	if (has(s, CF_ADDRESS)) {
		r = address_normalize(old(s, CF_ADDRESS), put(s, CF_ADDRESS));
		settle(s, CF_ADDRESS, r == ADDRESS_OK, r == ADDRESS_EMPTY,
		       address_result_str(r));
	}
	if (!s->is_cn ||
	    !(has(s, CF_PROVINCE) || has(s, CF_CITY) || has(s, CF_DISTRICT)))
		return;
	d.province = old(s, CF_PROVINCE);
	d.city = old(s, CF_CITY);
	d.district = old(s, CF_DISTRICT);
	address_resolve(now(s, CF_ADDRESS), &d);
	one_division(s, CF_PROVINCE, d.new_province, d.province_res);
	one_division(s, CF_CITY, d.new_city, d.city_res);
	one_division(s, CF_DISTRICT, d.new_district, d.district_res);
}

static void step_postal(struct step *s)
{
	enum address_result r;

	if (!has(s, CF_POSTAL_CODE))
		return;
	r = (enum address_result)memo_map(
		s->n, s->is_cn ? TAG_POSTAL_CN : TAG_POSTAL,
		old(s, CF_POSTAL_CODE), put(s, CF_POSTAL_CODE));
	settle(s, CF_POSTAL_CODE, r == ADDRESS_OK, r == ADDRESS_EMPTY,
	       address_result_str(r));
}

static void step_value(struct step *s, enum canon_field f)
{
	enum value_result r;

	if (!has(s, f))
		return;
	/* Points are mostly all different: not worth the memo's slots. */
	if (f == CF_POINTS)
		r = value_int(old(s, f), put(s, f));
	else
		r = (enum value_result)memo_map(s->n, f, old(s, f), put(s, f));
	settle(s, f, r == VALUE_OK, r == VALUE_EMPTY, value_result_str(r));
}

static void step_timestamp(struct step *s, enum canon_field f)
{
	enum date_result r;

	if (!has(s, f))
		return;
	r = timestamp_normalize(old(s, f), s->n->o.date_order, put(s, f));
	settle(s, f, r == DATE_OK, r == DATE_EMPTY, date_result_str(r));
}

/*
 * The record.
 */

/* Put the new values into rec, all or none. */
static int apply(struct normalize *n, const struct header *h,
		 struct record *rec)
{
	size_t need = 0;
	uint32_t m;
	int f;

	/* The set fields in order, lowest first: a loop over the bits. */
	for (m = n->set; m; m &= m - 1) {
		f = __builtin_ctz(m);
		if (sv_eq(buf_view(&n->val[f]), record_canon(rec, h, f)))
			n->set &= ~BIT(f);
	}
	for (m = n->set; m; m &= m - 1)
		need += n->val[__builtin_ctz(m)].len + 1;
	if (need > RECORD_MAX_BYTES - rec->data.len)
		return -1;
	for (m = n->set; m; m &= m - 1) {
		f = __builtin_ctz(m);
		record_set(rec, (size_t)h->canon[f], n->val[f].p,
			   n->val[f].len);
	}
	return 0;
}

int normalize_record(struct normalize *n, const struct header *h,
		     struct record *rec, struct buf *issues)
{
	struct step s = {n, h, rec, issues, 0, true, "CN"};

	n->set = 0;
	n->split_known = false;
	if (n->o.fields == 0)
		return 0;
	step_country(&s);
	step_names(&s);
	step_gender(&s);
	step_birth(&s);
	step_phone(&s, CF_MOBILE);
	step_phone(&s, CF_PHONE);
	step_email(&s);
	step_id(&s);
	step_address(&s);
	step_postal(&s);
	step_value(&s, CF_TIER);
	step_value(&s, CF_POINTS);
	step_value(&s, CF_CONSENT_MARKETING);
	step_value(&s, CF_STATUS);
	step_timestamp(&s, CF_REGISTERED_AT);
	step_timestamp(&s, CF_LAST_ACTIVE_AT);
	return apply(n, h, rec) < 0 ? -1 : s.n_issues;
}

/* Is entry one of the ';'-separated entries of list? */
static bool has_entry(struct strview list, struct strview entry)
{
	size_t i = 0;

	while (i <= list.len) {
		const char *semi = memchr(list.p + i, ';', list.len - i);
		size_t end = semi ? (size_t)(semi - list.p) : list.len;

		if (sv_eq(svn(list.p + i, end - i), entry))
			return true;
		i = end + 1;
	}
	return false;
}

int normalize_merge_issues(struct strview old_list, struct strview more,
			   struct buf *out)
{
	size_t start = out->len, i = 0;

	if (buf_addsv(out, old_list) < 0)
		return -1;
	while (i < more.len) {
		const char *semi = memchr(more.p + i, ';', more.len - i);
		size_t end = semi ? (size_t)(semi - more.p) : more.len;
		struct strview e = svn(more.p + i, end - i);

		i = end + 1;
		if (e.len == 0 || (old_list.len && has_entry(old_list, e)))
			continue;
		if ((out->len > start && buf_addc(out, ';') < 0) ||
		    buf_addsv(out, e) < 0) {
			buf_truncate(out, start);
			return -1;
		}
	}
	return 0;
}

/*
 * The record handler: the same for a stream and the staging database.
 */

/* Give rec its _issues: n->issues merged into the input's column, or as a
 * new last field. -1 when the record would grow past its limit. */
static int put_issues(struct normalize *n, struct record *rec)
{
	size_t col = (size_t)n->issues_col;

	if (n->issues_col < 0)
		return record_add(rec, n->issues.p, n->issues.len);
	if (n->issues.len == 0)
		return 0;
	buf_reset(&n->merged);
	if (normalize_merge_issues(record_field(rec, col), buf_view(&n->issues),
				   &n->merged) < 0)
		return -1;
	return record_set(rec, col, n->merged.p, n->merged.len);
}

static int bind(void *ctx, const struct header *in, const char *name,
		struct mbr_err *err)
{
	struct normalize *n = ctx;

	(void)name;
	if (header_set(&n->out_h, &in->names) < 0)
		return mbr_fail(err, MBR_EIO, "header larger than 256 MB");
	n->issues_col = header_find(in, COL_ISSUES);
	if (n->issues_col < 0 && n->o.fields)
		header_add(&n->out_h, COL_ISSUES);
	n->in_h = in;
	return 0;
}

static const struct header *out_header(void *ctx)
{
	struct normalize *n = ctx;

	return &n->out_h;
}

/* Normalise rec and give it its _issues: merged into the input's column,
 * or as a new last field. */
static int take(void *ctx, struct record *rec, enum rs_verdict *v,
		struct rs_why *why, struct mbr_err *err)
{
	struct normalize *n = ctx;
	int n_issues;

	(void)err;
	buf_reset(&n->issues);
	n_issues = normalize_record(n, n->in_h, rec, &n->issues);
	if (n_issues >= 0 && n->o.fields && put_issues(n, rec) < 0)
		n_issues = -1;
	if (n_issues < 0) {
		*v = RS_REJECT;
		why->reason = "record too large to normalise";
		return 0;
	}
	*v = n_issues > 0 ? RS_FLAG : RS_PASS;
	return 0;
}

void normalize_handler(struct normalize *n, struct rs_handler *h)
{
	*h = (struct rs_handler){.bind = bind,
				 .out_header = out_header,
				 .record = take,
				 .ctx = n};
}
