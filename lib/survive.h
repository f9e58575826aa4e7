/*
 * survive: survivorship rules, which choose each field of a golden (master)
 * record from the records of one cluster.
 *
 * A rules file is INI (lib/ini.h) with one section:
 *
 *	[fields]
 *	mobile = most_recent(last_active_at, registered_at)
 *	tier   = max
 *	name   = source_priority(crm, pos, web)
 *
 * Every canonical field from `name` to `status` has a rule; a field the
 * file does not name keeps its default (survive_default_rule, and
 * mappings/survivorship.ini). `source`, `source_id` and `source_row`
 * identify records and take no rule. The rules:
 *
 *   source_priority(a, b, ...)  the value of the first listed source that
 *                     has one; sources not listed come after all listed
 *   most_recent(f, ...)  the value of the record with the latest f
 *                     (then the next field on equal f); a record with
 *                     empty f counts as oldest
 *   most_frequent     the value most records share (bytes equal)
 *   most_complete     the value of the record with the most non-empty
 *                     fields from `name` to `status`
 *   longest           the value with the most characters (code points)
 *   first_non_empty   the first value in tie order
 *   min, max          the smallest or largest value
 *   sum               the sum of the values, which must be integers
 *
 * Every rule ignores empty values: a record without a value never wins,
 * and the golden field is empty only when every record's is.
 *
 * Every rule but sum prefers a sound value to a doubtful one: a value is
 * doubtful when its record's _issues names its field (mbr-normalize or
 * mbr-validate flagged it), or when it fails its field's check (an ID
 * number that is not a valid GB 11643 number, such as Excel's
 * 4.40106E+17; a mobile or phone not in E.164; an e-mail address that is
 * none; a birth date that is no real YYYY-MM-DD date; a tier or points
 * value that is no integer). A rule looks at the
 * doubtful values only when no record has a sound one; the golden record
 * says which happened (survive_golden.note).
 *
 * Ties. The records of a cluster are given in tie order: source, then
 * source_id, ascending byte order (UTF-8 code point order). Every tie (equal
 * times, equal counts, equal lengths, equal values) goes to the record that
 * comes first in that order, so a run gives the same golden record every
 * time, whatever the input order.
 *
 * Comparing values (min, max, most_recent): two integers or decimals
 * compare as numbers; two dates or ISO 8601 timestamps (`YYYY-MM-DD`,
 * `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `+08:00` or no offset, which
 * counts as UTC) compare as instants; anything else compares as bytes.
 */
#ifndef MBR_SURVIVE_H
#define MBR_SURVIVE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "canon.h"
#include "err.h"

/* The fields a golden record survives: CF_NAME .. CF_STATUS. */
#define SURVIVE_FIRST CF_NAME

/* most_recent takes at most this many fields. */
#define SURVIVE_MAX_BY 4

enum survive_kind {
	SURVIVE_SOURCE_PRIORITY,
	SURVIVE_MOST_RECENT,
	SURVIVE_MOST_FREQUENT,
	SURVIVE_MOST_COMPLETE,
	SURVIVE_LONGEST,
	SURVIVE_FIRST_NON_EMPTY,
	SURVIVE_MIN,
	SURVIVE_MAX,
	SURVIVE_SUM,
};

struct survive_rule {
	enum survive_kind kind;
	char **sources; /* owned: source_priority's list, best first */
	size_t n_sources;
	enum canon_field by[SURVIVE_MAX_BY]; /* most_recent's fields */
	size_t n_by;
	char *text;    /* owned: the rule in canonical spelling,
				 * "most_recent(last_active_at, registered_at)" */
	unsigned line; /* line in the rules file; 0 for a default */
};

struct survive_rules {
	struct survive_rule rule[CF_COUNT]; /* [SURVIVE_FIRST..CF_COUNT) */
};

/* The defaults, one rule per field. Cannot fail. */
void survive_rules_init(struct survive_rules *r);
void survive_rules_release(struct survive_rules *r); /* zeroed is fine */
/* Read a rules file over the defaults. On error (MBR_ECONFIG, "FILE:LINE:
 * what was found (what was expected)") r is as it was. */
int survive_rules_load(struct survive_rules *r, const char *path,
		       struct mbr_err *err);
/* The same for text in memory; name is used in messages. */
int survive_rules_parse(struct survive_rules *r, const char *name,
			const char *text, size_t len, struct mbr_err *err);
/* The default rule text for f ("sum" for points), "" before SURVIVE_FIRST. */
const char *survive_default_rule(enum canon_field f);

/* One record of a cluster: its canonical values, borrowed. */
struct survive_member {
	struct strview f[CF_COUNT];
	uint32_t doubtful; /* bit f: f's value is doubtful (survive_doubtful) */
};

/* The fields of m whose values are doubtful, as bits (1 << f): those that
 * fail their check, and those named in issues, an _issues value
 * ("mobile:too short;email:no @"). Cannot fail. */
uint32_t survive_doubtful(const struct survive_member *m,
			  struct strview issues);

enum survive_note {
	SURVIVE_SOUND, /* the value chosen is sound; none was passed over */
	SURVIVE_PASSED_OVER, /* a doubtful value was passed over for it */
	SURVIVE_DOUBTFUL,    /* doubtful, as every record's value was */
};

/* A golden record: the value of each field and where it came from. */
struct survive_golden {
	struct strview value[CF_COUNT]; /* borrowed from the members, or
					 * from num for a sum */
	long from[CF_COUNT]; /* index of the member the value came from;
				 * -1 when empty, or a sum of several */
	enum survive_note note[CF_COUNT]; /* how sound the value is */
	char num[CF_COUNT][48];		  /* owned: text of sums */
	void *scratch;	    /* owned: working space for most_frequent */
	size_t scratch_cap; /* members scratch has room for */
	unsigned *filled;   /* owned: per member, non-empty fields */
};

void survive_golden_init(struct survive_golden *g);
void survive_golden_release(struct survive_golden *g); /* zeroed is fine */

/* A summed value must be an integer within +-SURVIVE_SUM_MAX: loyalty
 * points beyond 10^12 are a sentinel or a corrupt export (Excel's
 * 9.22337E+18, an int64's maximum), not points. */
#define SURVIVE_SUM_MAX 1000000000000LL

/* Sums are 128-bit: no cluster of int64 values can overflow one. */
__extension__ typedef __int128 survive_sum;

/* The field the rules sum that m holds a bad value in, with why in
 * *reason ("not an integer", "out of range ..."), or -1 when every summed
 * field is empty or a fitting integer. A record failing this cannot be
 * merged (the caller rejects it with FIELD and the reason). */
int survive_check(const struct survive_rules *r, const struct survive_member *m,
		  const char **reason);

/* Choose every field of g from m[0..n) (n >= 1, in tie order). Fails
 * (MBR_EINTERNAL) only on a summed value that survive_check refuses. */
int survive_apply(const struct survive_rules *r, const struct survive_member *m,
		  size_t n, struct survive_golden *g, struct mbr_err *err);

/* Parse v as a decimal integer (optional sign; no spaces). Returns 0, or -1
 * when it is not one or does not fit in 64 bits. */
int survive_parse_int(struct strview v, long long *out);
/* The same into a 128-bit sum (up to 38 digits). */
int survive_parse_sum(struct strview v, survive_sum *out);
/* v in decimal into out (room for 41 bytes); returns out. */
char *survive_sum_str(survive_sum v, char out[48]);
/* Compare two values as described above: <0, 0, >0. */
int survive_cmp(struct strview a, struct strview b);
/* What lineage says of a note: "" for SURVIVE_SOUND. */
const char *survive_note_str(enum survive_note n);

#endif
