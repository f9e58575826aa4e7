/*
 * features: a record in comparison form. Every value is folded once, when
 * the record is read, and kept as an intern id, so comparing two records
 * is mostly comparing numbers; only fuzzy levels look at the text.
 *
 * Names: family and given names are compared separately, so a missing
 * part is no evidence rather than a mismatch. When a record has only
 * `name`, name_split (lib/mappers/name.h) splits it: after the family
 * name for Han names (欧阳 + 娜娜 once name_open has loaded the surname
 * table, else one character), by pinyin surnames, commas and capitals for
 * Latin ones. Swapped parts are recognised by the comparison, not here.
 * A valid ID is one cnid_is_valid (lib/mappers/cnid.h) accepts.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

#include "mappers/cnid.h"
#include "mappers/name.h"
#include "utf8.h"

#define MEMO 4	     /* memo entries per intern id */
#define MEMO_BITS 18 /* the memo holds 2^18 ids */

/* The values a record interns besides its name's, in the order they are
 * interned (which fixes their ids). */
enum pend {
	PV_SOURCE,
	PV_SOURCE_ID,
	PV_MASTER_ID,
	PV_MOBILE,
	PV_PHONE,
	PV_EMAIL,
	PV_ID,
	PV_ADDRESS,
	PV_GENDER,
	PV_POSTAL,
	PV_DISTRICT,
	PV_CITY,
	PV_PROVINCE,
	PV_EXTRA,
	PV_N = PV_EXTRA + MATCH_MAX_EXTRA
};

struct features {
	struct buf a, b, k, k2;		/* scratch */
	struct buf pv[PV_N];		/* the values of enum pend, folded */
	struct strview val[PV_N];	/* ... the value to intern: in pv[],
					   or in the record when not folded */
	uint64_t ph[PV_N];		/* ... its hash (intern_prefetch) */
	uint32_t *memo;			/* owned: slots of the intern id + 1
					   and MEMO entries: for a folded
					   name part, its pinyin, phonetic
					   key and sound ids; for a name's
					   pinyin, its name key; + 1, 0 = not
					   yet */
	int master_col;			/* master_id column, or -1 */
	int extra_col[MATCH_MAX_EXTRA]; /* MF_EXTRA1... columns, or -1 */
	const struct header *h;
	uint32_t cps[MATCH_MAX_CPS];
};

struct features *features_new(void)
{
	struct features *x = xcalloc(1, sizeof(*x));

	buf_init(&x->a, BUF_NOLIMIT);
	buf_init(&x->b, BUF_NOLIMIT);
	buf_init(&x->k, BUF_NOLIMIT);
	buf_init(&x->k2, BUF_NOLIMIT);
	for (int i = 0; i < PV_N; i++)
		buf_init(&x->pv[i], BUF_NOLIMIT);
	x->master_col = -1;
	return x;
}

void features_free(struct features *x)
{
	if (!x)
		return;
	buf_release(&x->a);
	buf_release(&x->b);
	buf_release(&x->k);
	buf_release(&x->k2);
	for (int i = 0; i < PV_N; i++)
		buf_release(&x->pv[i]);
	free(x->memo);
	free(x);
}

void features_begin(struct features *x, const struct header *h,
		    const char (*extra)[64], unsigned n)
{
	x->h = h;
	x->master_col = header_find(h, COL_MASTER_ID);
	for (unsigned i = 0; i < MATCH_MAX_EXTRA; i++)
		x->extra_col[i] = i < n ? header_find(h, extra[i]) : -1;
}

static uint32_t intern_buf(struct intern *t, const struct buf *b)
{
	return intern_add(t, b->p, b->len);
}

/* Values only blocking or an equality test look at are kept as a 32-bit
 * hash (never 0), not interned: they are mostly distinct, and interning
 * them would only fill the pool. */
static uint32_t hash_id(const char *p, size_t len)
{
	return len ? (uint32_t)(intern_hash(p, len, 11) >> 32) | 1 : 0;
}

static struct strview field(const struct features *x, const struct record *rec,
			    enum canon_field f)
{
	return sv_trim(record_canon(rec, x->h, f));
}

/* Split a name with no family/given columns into fam and giv (folded):
 * name_split's rules (compound and pinyin surnames, commas, capitals) on
 * the name with Traditional characters made Simplified; a name it cannot
 * split is all given name. */
static void split_name(struct features *x, struct strview name, struct buf *fam,
		       struct buf *giv)
{
	buf_reset(&x->k);
	buf_reset(&x->k2);
	fold_simplify(name, &x->k);
	if (!name_split(buf_view(&x->k), &x->k2, giv)) {
		fold_name(buf_view(&x->k), giv);
		return;
	}
	fold_name(buf_view(&x->k2), fam);
	buf_reset(&x->k2);
	buf_addsv(&x->k2, buf_view(giv));
	buf_truncate(giv, 0);
	fold_name(buf_view(&x->k2), giv);
}

static bool is_ascii(struct strview v)
{
	for (size_t i = 0; i < v.len; i++)
		if ((unsigned char)v.p[i] >= 0x80)
			return false;
	return true;
}

/* The phonetic key of one name part: its pinyin syllables when it reads
 * as pinyin (Han names, romanised Chinese names), else Metaphone. */
static void part_key(struct strview py, struct buf *out)
{
	char code[PHONETIC_MAX + 1];
	bool ascii = true;

	for (size_t i = 0; i < py.len; i++)
		ascii = ascii && (unsigned char)py.p[i] < 0x80;
	if (!ascii || pinyin_is_syllables(py.p, py.len)) {
		buf_addsv(out, py);
		return;
	}
	buf_add(out, code, phonetic_key(py.p, py.len, code));
}

static int cmp_sv(const void *a, const void *b)
{
	const struct strview *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The order-free name key: the syllables of the whole name, sorted, when
 * it reads as pinyin ("wei zhang" for 张伟 and "Wei Zhang"); else the
 * part keys sorted. */
static void name_key(struct strview py_all, struct strview k1,
		     struct strview k2, struct buf *out)
{
	struct strview w[MATCH_MAX_CPS];
	uint8_t ends[MATCH_MAX_CPS];
	size_t n = pinyin_split(py_all.p, py_all.len, ends, MATCH_MAX_CPS);

	for (size_t i = 0, start = 0; i < n; start = ends[i++])
		w[i] = svn(py_all.p + start, ends[i] - start);
	if (n == 0) {
		if (k1.len)
			w[n++] = k1;
		if (k2.len)
			w[n++] = k2;
	}
	xqsort(w, n, sizeof(w[0]), cmp_sv);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(out, ' ');
		buf_addsv(out, w[i]);
	}
}

/* The memo entries of intern id: a direct-mapped cache of MEMO_BITS
 * slots (5 MB), whatever the number of records; a slot another id took
 * is worked out again, to the same values. */
static uint32_t *memo_at(struct features *x, uint32_t id)
{
	uint32_t *s;

	if (!x->memo)
		x->memo = xcalloc((size_t)1 << MEMO_BITS,
				  (MEMO + 1) * sizeof(*x->memo));
	s = x->memo +
	    (MEMO + 1) * (size_t)((id * 2654435761u) >> (32 - MEMO_BITS));
	if (s[0] != id + 1) {
		s[0] = id + 1;
		memset(s + 1, 0, MEMO * sizeof(*s));
	}
	return s + 1;
}

/* The sound of a name part: Metaphone when it is written in Latin
 * letters, even when they also read as pinyin (Alan and Allen, Ben and
 * Benn sound alike whatever "a lan" says), else its pinyin. */
static void part_sound(struct strview part, struct strview py, struct buf *out)
{
	char code[PHONETIC_MAX + 1];

	for (size_t i = 0; i < part.len; i++)
		if ((unsigned char)part.p[i] >= 0x80) {
			buf_addsv(out, py);
			return;
		}
	buf_add(out, code, phonetic_key(part.p, part.len, code));
}

/* Pinyin key, phonetic key and sound of the folded name part id (text in
 * part): names repeat, so each distinct part is worked out once. */
static void part_keys(struct features *x, uint32_t id, const struct buf *part,
		      struct intern *t, uint32_t *py, uint32_t *key,
		      uint32_t *snd)
{
	uint32_t *memo = memo_at(x, id);

	if (memo[0]) {
		*py = memo[0] - 1;
		*key = memo[1] - 1;
		*snd = memo[3] - 1;
		return;
	}
	buf_reset(&x->k);
	pinyin_key(buf_view(part), &x->k);
	*py = intern_buf(t, &x->k);
	buf_reset(&x->k2);
	part_key(buf_view(&x->k), &x->k2);
	*key = intern_buf(t, &x->k2);
	buf_reset(&x->k2);
	part_sound(buf_view(part), buf_view(&x->k), &x->k2);
	*snd = intern_buf(t, &x->k2);
	memo = memo_at(x, id); /* interning may have grown the pool */
	memo[0] = *py + 1;
	memo[1] = *key + 1;
	memo[3] = *snd + 1;
}

#define NOT_PINYIN UINT32_MAX /* memo: the name does not read as pinyin */

/* The name key of r, whose whole-name pinyin (py[0]) is in x->b. A name
 * that reads as pinyin has a key of its own, worked out once. */
static uint32_t name_key_id(struct features *x, const struct mrec *r,
			    struct intern *t)
{
	uint32_t *memo = memo_at(x, r->py[0]), id;
	uint8_t ends[MATCH_MAX_CPS];
	bool own;

	if (memo[2] && memo[2] != NOT_PINYIN)
		return memo[2] - 1;
	own = !memo[2] &&
	      pinyin_split(x->b.p, x->b.len, ends, MATCH_MAX_CPS) > 0;
	buf_reset(&x->k);
	name_key(buf_view(&x->b), intern_str(t, r->v[MF_FAMILY_KEY]),
		 intern_str(t, r->v[MF_GIVEN_KEY]), &x->k);
	id = intern_buf(t, &x->k);
	memo_at(x, r->py[0])[2] = own ? id + 1 : NOT_PINYIN;
	return id;
}

/* The first character of a given name's pinyin key (one letter, or a
 * character without a reading). */
static uint32_t given_initial(struct strview py)
{
	uint32_t cp;
	size_t n = py.len ? utf8_decode(py.p, py.len, &cp) : 0;

	return hash_id(py.p, n);
}

/* Intern views move when the pool grows: the parts are worked out from
 * the scratch buffers, and interned last. */
static void name_features(struct features *x, const struct record *rec,
			  struct intern *t, struct mrec *r)
{
	struct strview name = field(x, rec, CF_NAME);
	struct strview fam = field(x, rec, CF_FAMILY_NAME);
	struct strview giv = field(x, rec, CF_GIVEN_NAME);

	buf_reset(&x->a);
	buf_reset(&x->b);
	if (fam.len == 0 && giv.len == 0) {
		split_name(x, name, &x->a, &x->b);
	} else {
		fold_name(fam, &x->a);
		fold_name(giv, &x->b);
	}
	r->v[MF_FAMILY] = intern_buf(t, &x->a);
	r->v[MF_GIVEN] = intern_buf(t, &x->b);
	part_keys(x, r->v[MF_FAMILY], &x->a, t, &r->py[1], &r->v[MF_FAMILY_KEY],
		  &r->snd[0]);
	part_keys(x, r->v[MF_GIVEN], &x->b, t, &r->py[2], &r->v[MF_GIVEN_KEY],
		  &r->snd[1]);
	r->nick = (uint16_t)nick_find(buf_view(&x->b));
	buf_reset(&x->a);
	fold_name(name.len ? name : giv, &x->a);
	if (!name.len)
		fold_name(fam, &x->a);
	r->v[MF_NAME] = intern_buf(t, &x->a);
	if (x->a.len && is_ascii(buf_view(&x->a)))
		r->flags |= MR_LATIN;
	buf_reset(&x->b);
	pinyin_key(buf_view(&x->a), &x->b);
	r->py[0] = intern_buf(t, &x->b);
	r->v[MF_NAME_KEY] = name_key_id(x, r, t);
}

/* Value i as it is (a view of the record: no copy) or, by pending_fold,
 * folded into pv[i]; hashed, its table slot asked for: interned later by
 * pending_add, in enum pend's order, while the record is still ours. */
static void pending(struct features *x, const struct intern *t, enum pend i,
		    struct strview v)
{
	x->val[i] = v;
	x->ph[i] = intern_prefetch(t, v.p, v.len);
}

static void pending_fold(struct features *x, const struct intern *t,
			 enum pend i, struct strview v)
{
	buf_reset(&x->pv[i]);
	fold_text(v, &x->pv[i]);
	pending(x, t, i, buf_view(&x->pv[i]));
}

static uint32_t pending_add(struct features *x, struct intern *t, enum pend i)
{
	return intern_add_hashed(t, x->val[i].p, x->val[i].len, x->ph[i]);
}

/* Every value of the record but its name's, ready to intern: at ten
 * million records a lookup is a cache miss or two, and asking for them
 * all before the name's work hides most of the waiting. */
static void pending_values(struct features *x, const struct record *rec,
			   uint32_t needed, const struct intern *t)
{
	struct strview mail = field(x, rec, CF_EMAIL);
	struct buf *b = &x->pv[PV_EMAIL];

	pending(x, t, PV_SOURCE, field(x, rec, CF_SOURCE));
	pending(x, t, PV_SOURCE_ID, field(x, rec, CF_SOURCE_ID));
	if (x->master_col >= 0)
		pending(x, t, PV_MASTER_ID,
			sv_trim(record_field(rec, (size_t)x->master_col)));
	pending(x, t, PV_MOBILE, field(x, rec, CF_MOBILE));
	pending_fold(x, t, PV_PHONE, field(x, rec, CF_PHONE));
	buf_reset(b);
	for (size_t i = 0; i < mail.len; i++) /* normalize lower-cases too */
		buf_addc(b, mail.p[i] >= 'A' && mail.p[i] <= 'Z'
				    ? (char)(mail.p[i] + 32)
				    : mail.p[i]);
	pending(x, t, PV_EMAIL, buf_view(b));
	pending(x, t, PV_ID, field(x, rec, CF_ID_NUMBER));
	if (needed & (1u << MF_ADDRESS))
		pending_fold(x, t, PV_ADDRESS, field(x, rec, CF_ADDRESS));
	pending_fold(x, t, PV_GENDER, field(x, rec, CF_GENDER));
	pending_fold(x, t, PV_POSTAL, field(x, rec, CF_POSTAL_CODE));
	pending_fold(x, t, PV_DISTRICT, field(x, rec, CF_DISTRICT));
	pending_fold(x, t, PV_CITY, field(x, rec, CF_CITY));
	pending_fold(x, t, PV_PROVINCE, field(x, rec, CF_PROVINCE));
	for (unsigned i = 0; i < MATCH_MAX_EXTRA; i++)
		if (x->extra_col[i] >= 0)
			pending_fold(x, t, PV_EXTRA + (int)i,
				     sv_trim(record_field(
					     rec, (size_t)x->extra_col[i])));
}

static void id_features(struct features *x, const struct record *rec,
			struct intern *t, struct mrec *r)
{
	struct strview id = x->val[PV_ID]; /* pending_values took it */
	struct strview type = field(x, rec, CF_ID_TYPE);
	bool cn = type.len == 0 || sv_eqs(type, "CN_RIC");

	r->v[MF_ID] = pending_add(x, t, PV_ID);
	if (cn && cnid_is_valid(id))
		r->flags |= MR_CNID | MR_VALID;
	else if (!cn)
		r->flags |= MR_VALID;
}

static void address_features(struct features *x, struct intern *t,
			     struct mrec *r)
{
	uint32_t g[MATCH_MAX_CPS];
	size_t n, n_g;

	r->v[MF_ADDRESS] = pending_add(x, t, PV_ADDRESS);
	n = fold_decode(intern_str(t, r->v[MF_ADDRESS]), x->cps, MATCH_MAX_CPS);
	buf_reset(&x->a);
	for (size_t i = 0; i < n; i++) {
		char tmp[4];

		if (x->cps[i] != ' ' && (x->cps[i] < '0' || x->cps[i] > '9'))
			buf_add(&x->a, tmp, utf8_encode(x->cps[i], tmp));
	}
	r->v[mf_slot(MF_ADDRESS_KEY)] = hash_id(x->a.p, x->a.len);
	/* Only the signature is kept: compare.c works the bigrams out
	 * again from the pooled address, to the same values. */
	n_g = strsim_bigrams(x->cps, n, g, MATCH_MAX_CPS);
	for (size_t i = 0; i < n_g; i++)
		r->addr_sig[(g[i] >> 6) & 3] |= 1ull << (g[i] & 63);
}

void features_set_birth(struct mrec *r, int32_t birth)
{
	r->v[MF_BIRTH] = (uint32_t)birth;
}

void features_of(struct features *x, const struct record *rec, uint32_t needed,
		 struct intern *t, struct mrec *r)
{
	int32_t birth;

	memset(r, 0, sizeof(*r));
	pending_values(x, rec, needed, t);
	r->source = pending_add(x, t, PV_SOURCE);
	r->source_id = pending_add(x, t, PV_SOURCE_ID);
	if (x->master_col >= 0)
		r->master_id = pending_add(x, t, PV_MASTER_ID);
	if (needed & (1u << MF_NAME))
		name_features(x, rec, t, r);
	r->v[MF_MOBILE] = pending_add(x, t, PV_MOBILE);
	r->v[MF_PHONE] = pending_add(x, t, PV_PHONE);
	r->v[MF_EMAIL] = pending_add(x, t, PV_EMAIL);
	id_features(x, rec, t, r);
	if (needed & (1u << MF_ADDRESS))
		address_features(x, t, r);
	birth = compare_parse_date(field(x, rec, CF_BIRTH_DATE));
	features_set_birth(r, birth);
	r->v[MF_GENDER] = pending_add(x, t, PV_GENDER);
	r->v[MF_POSTAL] = pending_add(x, t, PV_POSTAL);
	r->v[MF_DISTRICT] = pending_add(x, t, PV_DISTRICT);
	r->v[MF_CITY] = pending_add(x, t, PV_CITY);
	r->v[MF_PROVINCE] = pending_add(x, t, PV_PROVINCE);
	for (unsigned i = 0; i < MATCH_MAX_EXTRA; i++)
		if (x->extra_col[i] >= 0)
			r->v[mf_slot(MF_EXTRA1) + (int)i] =
				pending_add(x, t, PV_EXTRA + (int)i);
	for (int i = 0; i < 3; i++) {
		static const enum mfield f[] = {MF_MOBILE, MF_EMAIL, MF_ID};
		struct strview val = intern_str(t, r->v[f[i]]);

		r->odd[mrec_odd_slot(f[i])] = strsim_odd_bytes(val.p, val.len);
	}
	r->m8_tag = (uint8_t)features_derived(t, r, MF_MOBILE8);
	r->local_tag = (uint8_t)features_derived(t, r, MF_EMAIL_LOCAL);
}

/* The last 8 digits of a mobile number (0 with fewer). */
static uint32_t mobile8(struct strview mob)
{
	char digits[8];
	size_t n = 0;

	for (size_t i = mob.len; i > 0 && n < 8; i--)
		if (mob.p[i - 1] >= '0' && mob.p[i - 1] <= '9')
			digits[7 - n++] = mob.p[i - 1];
	return n == 8 ? hash_id(digits, 8) : 0;
}

uint32_t features_derived(const struct intern *t, const struct mrec *r,
			  enum mfield f)
{
	uint32_t birth = r->v[MF_BIRTH];
	bool month = birth / 100 % 100 != 0, day = birth % 100 != 0;
	uint32_t a = r->snd[0], b = r->snd[1];
	struct strview v;
	const char *at;

	switch (f) {
	case MF_BIRTH_YEAR:
		return birth / 10000;
	case MF_BIRTH_YM:
		return month ? birth / 100 : 0;
	case MF_BIRTH_MD:
		return month && day ? birth % 10000 : 0;
	case MF_PART_LO: /* either part, in either order: one part is both */
		return !a || !b ? (a ? a : b) : a < b ? a : b;
	case MF_PART_HI:
		return !a || !b ? (a ? a : b) : a < b ? b : a;
	case MF_GIVEN_INITIAL:
		return given_initial(intern_str(t, r->py[2]));
	case MF_MOBILE8:
		return mobile8(intern_str(t, r->v[MF_MOBILE]));
	case MF_EMAIL_LOCAL: /* the pooled address is lower case */
		v = intern_str(t, r->v[MF_EMAIL]);
		at = v.len ? memchr(v.p, '@', v.len) : NULL;
		return at && at > v.p ? hash_id(v.p, (size_t)(at - v.p)) : 0;
	case MF_VALID_ID:
		return r->flags & MR_VALID ? r->v[MF_ID] : 0;
	case MF_ID_HEAD:
	case MF_ID_TAIL:
		v = intern_str(t, r->v[MF_ID]);
		if (v.len < 6)
			return 0;
		return f == MF_ID_HEAD
			       ? hash_id(v.p, v.len / 2)
			       : hash_id(v.p + v.len / 2, v.len - v.len / 2);
	default: /* a stored field: mrec_f reads it, never asks here */
		return mf_slot(f) >= 0 ? r->v[mf_slot(f)] : 0;
	}
}
