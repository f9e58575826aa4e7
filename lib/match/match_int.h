/*
 * match_int: what the files of lib/match/ share; cmd/ never includes it.
 *
 *   fold.c      text folding for comparison (case, width, diacritics,
 *               Traditional -> Simplified Han)
 *   pinyin.c    Han -> toneless pinyin, pinyin keys, syllable splitting
 *   phonetic.c  a Metaphone key for Latin-script names
 *   strsim.c    string similarities on code points: Jaro-Winkler,
 *               Damerau-Levenshtein, character-bigram Jaccard
 *   compare.c   date levels, and the comparison of two records: one
 *               level per field
 *   pinyin_table.c  the generated Han table (scripts/gen-pinyin.py)
 *   intern.c    the string pool: every value stored once, as a number
 *   model.c     match rules and model: defaults, match.ini, model files
 *   features.c  a record's comparison form (struct mrec)
 *   block.c     blocking keys, sorted blocks, candidate pairs
 *   score.c     Fellegi-Sunter weights, term frequencies, EM training
 *   cluster.c   union-find with cannot-links, cluster ids
 *   match.c     the run, decisions, outputs
 *
 * The text functions work on caller buffers: no allocation per call.
 */
#ifndef MBR_MATCH_INT_H
#define MBR_MATCH_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "match.h"

/* Comparisons look at the first MATCH_MAX_CPS code points of a value; a
 * name or an address longer than that is compared on its start. */
#define MATCH_MAX_CPS 96

/* ---- fold.c ---- */

/* The comparison form of one code point: ASCII and Latin letters lower
 * case without diacritics (u-umlaut stays U+00FC), full-width ASCII
 * folded to ASCII, Traditional Han to Simplified. Cannot fail. */
uint32_t fold_cp(uint32_t cp);
/* True for code points that carry a name: letters, digits, Han, kana,
 * Hangul. Spaces, punctuation and symbols are not. */
bool fold_is_word(uint32_t cp);
/* Append the folded name of v to out: fold_cp of each code point, only
 * word characters kept ("Mary-Anne" -> "maryanne", "張 偉" -> "张伟").
 * Invalid bytes are dropped. -1 past out's max. */
int fold_name(struct strview v, struct buf *out);
/* Append folded v with every run of non-word characters made one space,
 * none at the ends (addresses, free text). -1 past out's max. */
int fold_text(struct strview v, struct buf *out);
/* Append v with Traditional Han characters made Simplified, every other
 * byte as it is (case, spaces and punctuation kept). -1 past out's max. */
int fold_simplify(struct strview v, struct buf *out);
/* Decode v into at most max code points; invalid bytes are skipped.
 * Returns the number written. Cannot fail. */
size_t fold_decode(struct strview v, uint32_t *cps, size_t max);

/* ---- pinyin.c ---- */

struct pinyin_pair {
	uint32_t cp;
	uint32_t val;
};

/* The generated table (pinyin_table.c). */
extern const char *const pinyin_syllables[];
extern const size_t pinyin_n_syllables;
extern const unsigned short pinyin_dense[];
extern const struct pinyin_pair pinyin_sparse[];
extern const size_t pinyin_n_sparse;
extern const struct pinyin_pair pinyin_fold_table[];
extern const size_t pinyin_n_fold;
extern const unsigned char pinyin_fold_bits[]; /* U+3400..U+9FFF */

/* Toneless pinyin of Han character cp ("zhang" for 张, 張 and 章), or NULL
 * when cp is not a Han character with a Mandarin reading. */
const char *pinyin_of(uint32_t cp);
/* The Simplified form of a Traditional character, else cp itself. */
uint32_t pinyin_simplify(uint32_t cp);
/* Append the pinyin key of v to out: Han characters become their pinyin,
 * Latin letters are folded to lower-case ASCII (u-umlaut as "v", as in
 * pinyin), everything else is dropped; a Han character without a reading
 * is kept as it is. 张伟, 章伟, 張偉, "Zhang Wei" and "ZHANG-wei" all give
 * "zhangwei". -1 past out's max. */
int pinyin_key(struct strview v, struct buf *out);
/* Split s (lower-case ASCII) into pinyin syllables: ends[i] is the end
 * offset of syllable i. Returns the number of syllables, 0 when s does
 * not split (or needs more than max, or is over 64 letters). */
size_t pinyin_split(const char *s, size_t len, uint8_t *ends, size_t max);
/* True when s (lower-case ASCII) is a sequence of pinyin syllables:
 * "zhangwei", "ouyang", "nana"; not "smith", not "". */
bool pinyin_is_syllables(const char *s, size_t len);

/* ---- phonetic.c ---- */

#define PHONETIC_MAX 8 /* code length kept (bytes, without the NUL) */

/* Write the Metaphone code of the Latin letters of s (other bytes are
 * ignored; case does not matter) to out (PHONETIC_MAX + 1 bytes),
 * NUL-terminated; returns its length (0 when s has no letter).
 * "Thomas" and "Tomas" give "TMS"; "Catherine" and "Kathryn" "KTRN". */
size_t phonetic_key(const char *s, size_t len, char *out);

/* ---- nickname.c ---- */

/* Replace the nickname table by the groups in text (the format of
 * data/nicknames.csv). Returns the number of distinct names. Cannot fail
 * (xmalloc). match_nicknames_open reads the file through it. */
int nick_parse(const char *text, size_t len);
void nick_free(void); /* empty the table */
/* The number (1...) of folded given name s in the table, or 0. */
uint32_t nick_find(struct strview s);
/* Are the names numbered x and y nicknames of each other (one line of the
 * table holds both)? False when either is 0. */
bool nick_related(uint32_t x, uint32_t y);

/* ---- strsim.c ---- */

/* Jaro-Winkler similarity of two code point strings, 0..1 (1 when both
 * are equal, 0 when either is empty); prefix scale 0.1 over at most 4
 * code points. */
double strsim_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b,
			   size_t nb);
/* Damerau-Levenshtein distance (optimal string alignment: insert, delete,
 * substitute, swap two neighbours), counting past max as max + 1. */
unsigned strsim_damerau(const uint32_t *a, size_t na, const uint32_t *b,
			size_t nb, unsigned max);
/* Byte-string version for ASCII values (numbers, e-mail local parts). */
unsigned strsim_damerau_bytes(const char *a, size_t na, const char *b,
			      size_t nb, unsigned max);
/* Is the Damerau-Levenshtein distance of two byte strings at most 1? In
 * linear time, for numbers, IDs and e-mail addresses (ASCII). */
bool strsim_one_edit(const char *a, size_t na, const char *b, size_t nb);
/* A byte of a value for a quick "not one edit apart": bit c is set when
 * an odd number of its bytes have c as their low 3 bits. One edit (a
 * byte changed, added, dropped, or two neighbours swapped) flips at most
 * two bits, so strsim_one_edit is false for two values whose odd bytes
 * differ in three bits or more (most unrelated pairs) and need not read
 * them. */
uint8_t strsim_odd_bytes(const char *v, size_t n);
static inline bool strsim_may_be_one_edit(uint8_t odd_a, uint8_t odd_b)
{
	unsigned d = (unsigned)(odd_a ^ odd_b);

	d &= d - 1; /* clear the lowest bit set, twice */
	d &= d - 1;
	return d == 0;
}
/* Sorted, de-duplicated hashes of the character bigrams of cps (a single
 * code point gives one "bigram" with itself). Writes at most max and
 * returns the count. No white-space tokenising: "北京市朝阳区" has the
 * bigrams 北京 京市 市朝 朝阳 阳区. */
size_t strsim_bigrams(const uint32_t *cps, size_t n, uint32_t *out, size_t max);
/* Jaccard index |A n B| / |A u B| of two sorted bigram sets; 0 if both
 * are empty. */
double strsim_jaccard(const uint32_t *a, size_t na, const uint32_t *b,
		      size_t nb);

/* ---- compare.c: dates ---- */

enum date_level {
	DATE_EXACT,	/* two full dates, the same */
	DATE_SWAPPED,	/* day and month exchanged: 1990-03-04 / 1990-04-03 */
	DATE_ONE_DIGIT, /* one digit changed or two neighbours swapped */
	DATE_PARTIAL,	/* one or both a year (or year and month) only, and
			   they agree as far as both go: 1985 / 1985-03-07 */
	DATE_NEAR,	/* within 365 days (partial: the years one apart) */
	DATE_OTHER,
	DATE_NULL, /* either date missing or unreadable */
};

/* Parse a date into yyyymmdd: "YYYY-MM-DD" or "YYYYMMDD", and the
 * partial "YYYY-MM" and "YYYY" (a year only, as ISO 8601 allows), with
 * month or day 00 where not known ("1985-00-00" is "1985"). 0 when it is
 * not a date of these shapes (a known month and day are range checked). */
int32_t compare_parse_date(struct strview v);
/* Does yyyymmdd know the month and the day? */
bool compare_date_is_full(int32_t ymd);
/* Compare two yyyymmdd dates (0 = missing). */
enum date_level compare_dates(int32_t a, int32_t b);

/* ---- intern.c ---- */

/* Every distinct string once; id 0 is the empty string. Ids are dense,
 * so per-value tables (term frequencies) are arrays. */
struct intern {
	char *bytes; /* owned: the strings, each NUL-terminated */
	size_t len, cap;
	uint64_t *off; /* owned: id -> offset in bytes; off[n] = len */
	uint32_t n;    /* ids in use */
	uint32_t n_cap;
	uint64_t *slot; /* owned: open addressing: hash tag | id */
	size_t n_slots; /* a power of two */
};

void intern_init(struct intern *t);
void intern_release(struct intern *t);
/* The id of p[0..len), adding it when new. Cannot fail (xmalloc). */
uint32_t intern_add(struct intern *t, const char *p, size_t len);
/* intern_add in two steps, for a caller with other work to do between
 * them: the hash of p[0..len) (intern_hash, seed 0), and the table slot
 * where its lookup starts asked for; then intern_add with that hash. */
uint64_t intern_prefetch(const struct intern *t, const char *p, size_t len);
uint32_t intern_add_hashed(struct intern *t, const char *p, size_t len,
			   uint64_t h);
/* Free the lookup table and the spare room once every value is in (a
 * later intern_add builds the table again). Cannot fail. */
void intern_seal(struct intern *t);
static inline struct strview intern_str(const struct intern *t, uint32_t id)
{
	return svn(t->bytes + t->off[id], t->off[id + 1] - t->off[id] - 1);
}

/* 64-bit hash of bytes (a multiply-rotate loop and splitmix64's
 * finaliser); also blocking's. */
uint64_t intern_hash(const void *p, size_t len, uint64_t seed);

/* ---- model.c ---- */

#define MATCH_MAX_LEVELS 8 /* levels of one comparison, null apart */
#define MATCH_MAX_CMPS 16  /* comparisons (4 bits each in a pattern) */
#define MATCH_MAX_KEYS 32  /* blocking keys */
#define MATCH_MAX_PARTS 4  /* parts of one blocking key */
#define LEVEL_NULL 15	   /* "no evidence": adds nothing */
#define LEVEL_PENDING 14   /* inside compare.c: not worked out yet */

/* What a comparison or key looks at: canonical fields and values derived
 * from them. */
enum mfield {
	MF_NAME,   /* full name, folded */
	MF_FAMILY, /* family name (split from name when missing) */
	MF_GIVEN,  /* given name (likewise) */
	MF_GENDER,
	MF_BIRTH, /* birth_date */
	MF_MOBILE,
	MF_PHONE,
	MF_EMAIL,
	MF_ID, /* id_number, with id_type */
	MF_ADDRESS,
	MF_POSTAL,
	MF_DISTRICT,
	MF_CITY,
	MF_PROVINCE,
	MF_TEXT_COUNT,		     /* fields above have a folded text value */
	MF_NAME_KEY = MF_TEXT_COUNT, /* order-free phonetic name key */
	MF_FAMILY_KEY,		     /* phonetic key of the family name */
	MF_GIVEN_KEY,
	MF_BIRTH_YEAR,
	MF_MOBILE8,	  /* last 8 digits of the mobile */
	MF_EMAIL_LOCAL,	  /* part before @ */
	MF_VALID_ID,	  /* id_number when valid (CN_RIC checksum) */
	MF_ID_HEAD,	  /* first half of id_number (6 characters or more) */
	MF_ID_TAIL,	  /* the other half: one typo leaves one half intact */
	MF_ADDRESS_KEY,	  /* the address without digits, spaces, punctuation:
			   street and estate, not the house */
	MF_GIVEN_INITIAL, /* first letter of the given name's pinyin key */
	MF_PART_LO,	  /* the smaller of the two name parts' sounds: with
			     MF_PART_HI a key on either part, in either
			     order (a record with one part has it in both) */
	MF_PART_HI,	  /* the larger one */
	MF_BIRTH_MD,	  /* month and day of a full birth date (mmdd) */
	MF_BIRTH_YM,	  /* year and month when both are known (yyyymm) */
	MF_EXTRA1,	  /* a column outside the canon a comparison names
			     (occupation), folded text */
	MF_EXTRA2,	  /* a second one */
	MF_COUNT
};

enum cmp_kind {
	CMP_NAME,   /* exact, phonetic, jw >= a0, jw >= a1, other */
	CMP_DATE,   /* exact, swapped, one digit, within a year, other */
	CMP_EXACT,  /* exact, other */
	CMP_PHONE,  /* exact, last 8 digits, one edit, other */
	CMP_EMAIL,  /* exact, same local part, one edit, other */
	CMP_ID,	    /* exact, one edit, other */
	CMP_BIGRAM, /* exact, jaccard >= a0, >= a1, >= a2, other */
	CMP_JARO,   /* exact, jw >= a0, jw >= a1, other */
	CMP_KIND_COUNT
};

struct mcmp {
	char name[32]; /* the field name, for outputs */
	enum mfield field;
	enum cmp_kind kind;
	double arg[3];	   /* thresholds of the kind */
	unsigned n_levels; /* levels, "other" last; null apart */
	bool tf;	   /* term-frequency adjustment on exact */
	int group;	   /* -1, or a group: only its largest weight counts */
	int within;	   /* -1, or a comparison whose exact agreement
				   implies this one's: then this adds nothing
				   (postal_code within address) */
	char within_name[32]; /* as written, until resolved */
	double m[MATCH_MAX_LEVELS];
	double u[MATCH_MAX_LEVELS];
	double w[MATCH_MAX_LEVELS]; /* log2(m/u), from model_finish */
	double fuzzy_max; /* the largest w of the levels only string work
			     tells (Jaro-Winkler, Jaccard, one edit) */
};

struct mkey {
	char name[32];
	enum mfield part[MATCH_MAX_PARTS];
	unsigned n_parts;
	int unless;	 /* -1, or a field: pairs where both records have it are
		       left to the other keys */
	unsigned max;	 /* 0, or the most records a block of this key may
			 have: larger ones (a common value) are left to the
			 other keys, counted but not warned about */
	unsigned window; /* 0, or the most records a block of this key
			    compares in full: larger ones are compared by
			    sorted neighbourhood (not flagged), so the key
			    grows linearly with the member base */
};

#define MATCH_MAX_EXTRA 2 /* columns outside the canon compared */

struct match_rules {
	char extra[MATCH_MAX_EXTRA][64]; /* their names: MF_EXTRA1, ... */
	unsigned n_extra;
	struct mkey key[MATCH_MAX_KEYS];
	unsigned n_keys;
	struct mcmp cmp[MATCH_MAX_CMPS];
	unsigned n_cmps;
	char group[MATCH_MAX_CMPS][32]; /* group names */
	unsigned n_groups;
	double match_p;	   /* probability to join a cluster */
	double review_p;   /* probability to list for review */
	double floor_p;	   /* probability to keep a pair (--pairs) */
	double strong_p;   /* probability that joins clusters whose birth
			      dates disagree */
	bool coherence;	   /* check birth dates when joining clusters */
	bool bridges;	   /* a weak lone link of two groups needs a second */
	double per_record; /* expected true matches per record: prior */
	bool prior_auto;   /* estimate per_record from the scored pairs */
	bool calibrate;	   /* estimate m from the strong pairs (untrained) */
	double tf_min;	   /* least term frequency used */
	unsigned long long max_block_pairs; /* larger blocks are capped */
	unsigned long long max_pairs;	    /* candidate pairs in all (0: no
					       limit) */
	unsigned long long max_pairs_per_record; /* and per record */
	unsigned capped_window; /* sorted neighbourhood of a capped block */
	bool never_id;		/* two valid, different CN IDs: two people */
	bool siblings;		/* the sibling adjustment (compare_sibling) */
	bool trained;		/* m, u and prior come from training */
	unsigned threads;	/* comparison threads */
};

/* Level names of a kind ("exact", ...), n_levels entries. */
const char *const *model_level_names(enum cmp_kind kind);
unsigned model_n_levels(enum cmp_kind kind);
/* "given_name", ... for messages and outputs. */
const char *model_field_name(enum mfield f);
/* Compute w from m and u. */
void model_finish(struct match_rules *r);
/* Bit i set when field i is needed by some key or comparison. */
uint32_t model_fields_needed(const struct match_rules *r);

/* ---- features.c ---- */

enum mrec_flags {
	MR_MASTER = 1 << 0,
	MR_CNID = 1 << 1,  /* id_number is a valid mainland ID */
	MR_LATIN = 1 << 2, /* the name is written in Latin letters */
	MR_VALID = 1 << 3, /* MF_VALID_ID is id_number: a valid mainland ID
			      or an ID of another type (not in the shards'
			      fingerprint, which the derived field is) */
};

/* The fields struct mrec stores, each in its slot of v[]; the others
 * (birth year, month and day, name part pair, given initial, mobile's
 * last 8, e-mail local part, valid ID, ID halves) are worked out from
 * them when used (features_derived), to the same values. */
#define MF_STORED 20

/* v[] slot of field f, or -1 when f is derived. */
static inline int mf_slot(enum mfield f)
{
	if (f <= MF_GIVEN_KEY)
		return (int)f;
	if (f == MF_ADDRESS_KEY)
		return MF_GIVEN_KEY + 1;
	if (f == MF_EXTRA1 || f == MF_EXTRA2)
		return MF_GIVEN_KEY + 2 + (int)(f - MF_EXTRA1);
	return -1;
}

/* One record in comparison form: every value an intern id. */
struct mrec {
	uint32_t source, source_id; /* as given (trimmed) */
	uint32_t master_id;	    /* masters: master_id column or 0 */
	uint32_t v[MF_STORED];	    /* stored features (mf_slot; read them
					   with mrec_f): intern ids, 0 = none;
					   MF_BIRTH a number (yyyymmdd),
					   MF_ADDRESS_KEY a hash */
	uint32_t py[3];		    /* pinyin keys of name, family, given */
	uint32_t snd[2];	    /* sound of family and given: Metaphone
				       of a name written in Latin letters,
				       the pinyin of a Han one */
	uint64_t addr_sig[4];	    /* a 256-bit set of the address bigrams
				       (the bigrams themselves are worked
				       out again when compared) */
	uint16_t nick; /* the given name's number in the nickname table */
	uint8_t flags;
	uint8_t m8_tag, local_tag; /* low bytes of MF_MOBILE8 and
				      MF_EMAIL_LOCAL: when they differ, so
				      do the features, and the compared
				      pair reads no pooled string */
	/* strsim_odd_bytes of mobile, e-mail and ID number (mrec_odd_slot):
	 * most pairs are known not to be one edit apart without reading
	 * either value. (These five bytes fill the struct's padding.) */
	uint8_t odd[3];
};

/* Ask for a record's cache lines before it is read: at ten million
 * records, reading one by its number is a cache miss. */
static inline void mrec_prefetch(const struct mrec *r)
{
	for (size_t at = 0; at < sizeof(*r); at += 64)
		__builtin_prefetch((const char *)r + at);
	__builtin_prefetch((const char *)r + sizeof(*r) - 1);
}

/* The odd[] slot of field f, or -1. */
static inline int mrec_odd_slot(enum mfield f)
{
	return f == MF_MOBILE ? 0 : f == MF_EMAIL ? 1 : f == MF_ID ? 2 : -1;
}

/* A derived field of r (mf_slot(f) < 0): birth year (yyyy), month and
 * day (mmdd) and year and month (yyyymm) are numbers; the name part pair
 * sounds; mobile's last 8, e-mail local part, ID halves and given
 * initial are hashes of the pooled values in t. 0 = none. */
uint32_t features_derived(const struct intern *t, const struct mrec *r,
			  enum mfield f);

/* Feature f of r, stored or derived. */
static inline uint32_t mrec_f(const struct intern *t, const struct mrec *r,
			      enum mfield f)
{
	int s = mf_slot(f);

	return s >= 0 ? r->v[s] : features_derived(t, r, f);
}

struct features; /* scratch buffers and the column map */

struct features *features_new(void);
void features_free(struct features *x); /* NULL is fine */
/* Records that follow have header h (borrowed until the next begin);
 * the columns named extra[0..n) (rules' extra) give MF_EXTRA1, ... */
void features_begin(struct features *x, const struct header *h,
		    const char (*extra)[64], unsigned n);
/* Fill r from rec. needed: model_fields_needed (names and addresses are
 * only worked out when needed). Cannot fail (xmalloc). */
void features_of(struct features *x, const struct record *rec, uint32_t needed,
		 struct intern *t, struct mrec *r);
/* Set r's birth date features from yyyymmdd (month or day 00 when not
 * known; 0 when there is no date). Cannot fail. */
void features_set_birth(struct mrec *r, int32_t birth);

/* ---- compare.c: records ---- */

/* Term-frequency weights (score_tf_new), by record: a record's weights
 * for the comparisons with tf side by side, one cache line for a pair's
 * record however many comparisons use them. */
struct tf_table {
	float *w;		    /* owned: n records x stride */
	unsigned stride;	    /* comparisons with tf */
	int8_t col[MATCH_MAX_CMPS]; /* comparison -> its column, or -1 */
};

static inline const float *tf_of(const struct tf_table *tf, uint32_t rec)
{
	return tf->w + (size_t)rec * tf->stride;
}

/* What comparing needs besides the two records. */
/* The progress line's teller (match_set_progress). The threaded steps
 * tell it from their first worker, which runs on the calling thread, and
 * once more when they end (all done: the first worker may have taken
 * none of a small step). */
struct progress {
	match_progress_fn *fn; /* NULL: tell nothing */
	void *ctx;
	const char *what; /* the step: set before it starts; NULL between
			     steps (nothing is told) */
};

/* Tell p one item in PROGRESS_EVERY (i counts the items; the teller
 * throttles too, but a call an item would cost 3 % of a run). */
#define PROGRESS_EVERY 64

static inline void progress_tell(const struct progress *p, size_t i,
				 unsigned long long done,
				 unsigned long long total)
{
	if (p && p->fn && p->what && i % PROGRESS_EVERY == 0)
		p->fn(p->ctx, p->what, done, total);
}

/* How far the threads taking items from *next (atomic_fetch_add) are,
 * of n: the items taken, whether or not done yet. */
static inline size_t progress_taken(atomic_size_t *next, size_t n)
{
	size_t at = atomic_load_explicit(next, memory_order_relaxed);

	return at < n ? at : n;
}

struct cmp_ctx {
	const struct match_rules *rules;
	const struct intern *t;
	const struct mrec *recs;   /* all records: a date's tf is by record */
	const struct tf_table *tf; /* term-frequency weights, or NULL */
	double prior_w;		   /* log2 prior odds */
	struct progress *progress; /* pairs_run's teller, or NULL */
};

/* The level of each comparison for records a and b into level[]. */
void compare_records(const struct cmp_ctx *c, const struct mrec *a,
		     const struct mrec *b, uint8_t *level);
/* Weight contribution of comparison i for records a, b whose levels are
 * level[] (the term-frequency adjustment included; 0 when null or implied
 * by an exact comparison it is within). */
double compare_weight(const struct cmp_ctx *c, unsigned i, const uint8_t *level,
		      const struct mrec *a, const struct mrec *b);
/* The sibling adjustment (0 or negative) of a pair with levels level[]
 * and weights w[]: when the family names agree, the birth dates agree (in
 * full or as far as both go) and the given names are plainly different,
 * the pair looks like twins or siblings: what a family shares (family
 * name, birth date, mobile, phone, address and place) then counts for
 * nothing, and the different given name weighs against the match. Not
 * when the ID numbers agree: siblings never share one. */
double compare_sibling(const struct cmp_ctx *c, const uint8_t *level,
		       const double *w);
/* Total match weight of a and b: the prior plus w[i], what comparison i
 * adds (0 for null, implied, or not the largest of its group), plus the
 * sibling adjustment; level[] gets the levels. */
double compare_explain(const struct cmp_ctx *c, const struct mrec *a,
		       const struct mrec *b, uint8_t *level, double *w);
/* The match weight of a and b when it is at least floor, else -INFINITY:
 * the string work (Jaro-Winkler, Jaccard, one edit) is done dearest-first
 * only while the weight can still reach floor. */
double compare_bounded(const struct cmp_ctx *c, const struct mrec *a,
		       const struct mrec *b, double floor);
/* Total match weight of a and b (levels written to level when not NULL). */
double compare_score(const struct cmp_ctx *c, const struct mrec *a,
		     const struct mrec *b, uint8_t *level);
/* True when a and b must never be joined (two valid, different IDs). */
bool compare_cannot_link(const struct cmp_ctx *c, const struct mrec *a,
			 const struct mrec *b);

/* ---- block.c ---- */

/* Called for each candidate pair, a < b, from thread t with ctx[t]. */
typedef void (*block_pair_fn)(void *ctx, uint32_t a, uint32_t b);

struct block_job {
	const struct match_rules *rules;
	const struct mrec *recs; /* n records; MR_MASTER marks masters */
	uint32_t n;
	bool link_only;	  /* only new x master pairs */
	unsigned threads; /* 1..64 */
	block_pair_fn fn;
	unsigned shard, shards;	   /* shards > 1: visit only the blocks whose
				   key hash is shard modulo shards (a pair
				   belongs to the first key that proposes
				   it, so to exactly one shard) */
	const struct intern *t;	   /* the records' values (derived fields) */
	bool masters;		   /* some records are masters (MR_MASTER) */
	const struct tf_table *tf; /* what fn reads by record besides the
				      records (asked for with them), or
				      NULL */
	struct progress *progress; /* or NULL */
	const char *step;	   /* what progress is told: "comparing"
				      (NULL) or "training" */
};

/* Does the block of key hash h belong to shard j->shard? */
static inline bool block_in_shard(const struct block_job *j, uint64_t h)
{
	return j->shards <= 1 || h % j->shards == j->shard;
}

/* Hash of the parts of key k (number key) for record r, or 0 when r
 * lacks a part (a birth_date part takes full dates only). */
uint64_t block_key_hash(const struct intern *t, const struct mkey *k,
			unsigned key, const struct mrec *r);

/* Is a block of n records of key k compared by the key's window (over
 * `| window N`, each record with the next N, and those pairs within
 * max_block_pairs; not flagged)? */
bool block_windowed(const struct match_rules *r, unsigned k, size_t n);

/* Visit every candidate pair of the union of the rules' keys exactly
 * once (never master x master), only the shard's when j->shards > 1.
 * Adds candidates and skipped blocks to st.
 * Cannot fail (xmalloc). */
void block_run(const struct block_job *j, void **ctx, struct match_stats *st);
/* Run fn on `threads` workers (worker t gets arg + t * size), the first
 * on this thread; returns how many ran (fewer when a thread could not be
 * started: the work must be shared out, not split in advance). */
unsigned block_on_threads(void *(*fn)(void *), void *arg, size_t size,
			  unsigned threads);

/* ---- score.c ---- */

struct mpair {
	uint32_t a, b; /* record numbers, a < b */
	float w;       /* match weight */
};

/* fn(arg, &p[i], i) for each of the n pairs p, on `threads` threads
 * (1 unless 1..64) taking the pairs in chunks, each asking for the records and
 * term-frequency weights (c) of the pairs ahead of the one it is at; the
 * worker of thread t gets args + t * size, so that fn needs no lock.
 * c->progress is told the step what and the pairs taken. */
typedef void pairs_fn(void *arg, const struct mpair *p, size_t i);
void pairs_run(const struct cmp_ctx *c, const struct mpair *p, size_t n,
	       unsigned threads, pairs_fn *fn, void *args, size_t size,
	       const char *what);

/* The log2 prior odds the pairs say, by EM over the share of matches
 * among all n(n-1)/2 record pairs (pairs never compared count as
 * non-matches): w[0..k) are the kept pairs' weights under prior_w,
 * all_pairs the pairs of the run. Bounded to 0.02..20 matches per record
 * (records: n). */
double score_estimate_prior(const struct mpair *p, size_t k, double prior_w,
			    double all_pairs, double records);
/* Probability of a match weight: 1 / (1 + 2^-w). */
double score_probability(double w);
/* The weight of a probability. */
double score_weight(double p);
/* log2 prior odds of a match for n records (masters of them) under r. */
double score_prior(const struct match_rules *r, uint32_t n, uint32_t masters,
		   bool link_only);
/* Term-frequency weights: for each comparison with tf, by record number,
 * the weight of an exact match on the record's value of its field:
 * log2(m / share of the records that have it), the share at least
 * tf_min (owned: score_tf_free); for a date the share among full dates.
 * Made after training, from its m. */
struct tf_table *score_tf_new(const struct match_rules *r,
			      const struct intern *t, const struct mrec *recs,
			      uint32_t n);
void score_tf_free(struct tf_table *tf);

/* Train r: u from random record pairs, m and the prior by EM over the
 * blocked pairs (job's keys). Cannot fail (xmalloc). */
void score_train(struct match_rules *r, const struct block_job *job,
		 const struct cmp_ctx *ctx, uint32_t masters,
		 struct match_stats *st);

/* ---- calibrate.c ---- */

/* Estimate the m of each comparison from the n scored pairs p (records
 * and weights under c; on r's threads): among the pairs whose other
 * comparisons alone reach the strong threshold, the share of each level,
 * shrunk towards the current m. Returns how many comparisons changed
 * (then r's weights are worked out again). Cannot fail (xmalloc). */
unsigned calibrate_m(struct match_rules *r, const struct cmp_ctx *c,
		     const struct mpair *p, size_t n);

/* ---- cluster.c ---- */

#define CLUSTER_DATES 3 /* full birth dates a cluster keeps to check */

/* Why a pair was or was not joined (the clustered column of --pairs). */
enum join_result {
	JOIN_NO,       /* below the match threshold */
	JOIN_YES,      /* joined (or already in one cluster) */
	JOIN_ID,       /* refused: two valid, different ID numbers */
	JOIN_DECISION, /* refused: an analyst's no-match */
	JOIN_BIRTH,    /* refused: two different full birth dates, weak pair */
	JOIN_BRIDGE,   /* refused: the one weak link of two groups */
};

struct cluster {
	uint32_t *parent;	 /* owned: union-find forest */
	uint32_t *size;		 /* owned: records under each root */
	uint32_t *cnid;		 /* owned: per root, its valid ID or 0 */
	uint32_t *dates;	 /* owned: per root, CLUSTER_DATES full birth
				    dates (yyyymmdd, 0 = none), or NULL */
	uint32_t *nm_head;	 /* owned: per root, first no-match edge + 1 */
	uint32_t *nm_tail;	 /* owned: per root, last no-match edge + 1 */
	struct cluster_edge *nm; /* owned: no-match edges */
	size_t n_nm, cap_nm;
	uint32_t n;
};

/* n singletons; ids: each record's valid ID (0 none) for cannot-links,
 * or NULL when IDs do not forbid joins; births: each record's birth date
 * (yyyymmdd, partial or 0 allowed) for the coherence check, or NULL. */
void cluster_init(struct cluster *c, uint32_t n, const uint32_t *ids,
		  const uint32_t *births);
void cluster_release(struct cluster *c);
uint32_t cluster_find(struct cluster *c, uint32_t x);
/* Forbid a and b (and so their clusters, now and later) to be joined. */
void cluster_forbid(struct cluster *c, uint32_t a, uint32_t b);
/* Join the clusters of a and b unless that would put two different IDs
 * or a forbidden pair in one cluster or, unless strong, two full birth
 * dates that are plainly different (not the same, swapped, one digit or
 * a year apart). JOIN_YES when they are (now) one cluster, else why not. */
enum join_result cluster_join(struct cluster *c, uint32_t a, uint32_t b,
			      bool strong);

/* ---- match.c: the run, shared with output.c ---- */

struct decision {
	uint32_t a, b; /* the records, a < b once read */
	bool match;
	bool stored;		  /* from the decisions table (--db) */
	uint32_t file, who, when; /* intern ids; when 0: now */
	unsigned long line;	  /* in file */
	long long run;		  /* stored: the run that stored it */
	size_t seq;		  /* order of arrival */
};

/* ---- decide.c ---- */

struct rec_index;
/* Sort the decisions by pair and keep one per pair: a file's over a
 * stored one (a warning when it changes it); two files that disagree are
 * an error (MBR_ECONFIG, naming both lines). */
int decide_resolve(struct match *m, struct mbr_err *err);
/* The decision on records a and b (either order), or -1. After
 * decide_resolve. */
long decide_find(const struct match *m, uint32_t a, uint32_t b);
/* Store the decisions files gave in st's decisions table. */
int decide_store(const struct match *m, struct stage *st, struct mbr_err *err);
void decide_free(struct match *m);

/* The values --pairs and --review show of each record, after source and
 * source_id (match_show_values). */
#define MATCH_SHOW_N 6
extern const enum canon_field match_show_fields[MATCH_SHOW_N];

struct match {
	struct match_rules *rules; /* borrowed */
	enum match_flags flags;
	struct intern t;   /* owned: every value once */
	struct mrec *recs; /* owned: all records, input order */
	uint32_t n, cap;
	uint32_t masters;
	struct features *fx;  /* owned */
	uint32_t needed;      /* fields the rules look at */
	enum match_side side; /* of the current input */
	struct header cur;    /* owned: header of the current input */
	struct header out;    /* owned: header of the new records */
	bool have_out;
	int skip_col;	    /* input cluster_id column, or -1 */
	FILE *lines;	    /* owned: new records as CSV lines (an unlinked
			 temporary file, 0600) */
	uint32_t *news;	    /* owned: record number of new record k */
	uint64_t *line_off; /* owned: line of new record k; + end */
	uint32_t n_news, cap_news;
	struct decision *dec; /* owned: analyst decisions */
	size_t n_dec, cap_dec;
	struct rec_index *idx; /* owned: (source, source_id) -> record */
	uint32_t who;	       /* who decides when a file does not say */
	struct mpair *pairs;   /* owned: kept pairs, strongest first */
	size_t n_pairs;
	uint8_t *joined;     /* owned: per kept pair, an enum join_result */
	struct tf_table *tf; /* owned: term-frequency weights */
	struct cmp_ctx ctx;
	struct progress progress; /* match_set_progress */
	uint32_t *rep;		  /* owned: cluster representative */
	struct match_stats st;
	struct buf scratch;    /* owned */
	uint32_t *shown;       /* owned: MATCH_SHOW_N intern ids per record, or
			    NULL when the values are not kept */
	struct intern shown_t; /* the shown values: a table of their own, so
				  that showing them leaves the features' ids
				  (and the shards' fingerprint) as they are */
	bool show;	       /* keep them (match_show_values) */
	bool masked[MATCH_SHOW_N]; /* show masked */
	/* shard.c: --shard I/N --pairs-only and --from-pairs */
	unsigned shard, shards; /* shards > 0: score shard only, no clusters */
	bool from_pairs;	/* pairs loaded: no blocking, no scoring */
	uint64_t fingerprint;	/* of rules and records, before the run */
};

/* ---- shard.c ---- */

/* The fingerprint of m's rules, flags and records as they are before
 * match_run changes them: what a pairs file must have been made from. */
uint64_t shard_fingerprint(const struct match *m);

#endif
