/*
 * rules: what a good record is, read from a rules file (or the built-in
 * set), and the checks that decide it, one record at a time.
 *
 * A rules file is INI-like (lib/ini.h) with one section per rule. The
 * section names the rule; the rule names its field, exactly one test,
 * and what a failure does:
 *
 *	[rule mobile_e164]
 *	field    = mobile
 *	check    = mobile            # E.164; +86 numbers on a mobile prefix
 *	severity = flag              # reject (the default) or flag
 *	message  = mobile is not a valid E.164 mobile number
 *
 * Tests (one per rule; a value that is empty passes every test but
 * `required`, so an optional field may stay empty):
 *
 *	required = yes                 the field is not empty (or blank)
 *	pattern  = \+86[0-9]{11}       PCRE2, UTF mode; the whole value must
 *	                               match (see pattern.h). Written as is; a
 *	                               value in double quotes loses its quotes
 *	                               (inside them \" is a quote, other
 *	                               backslashes stay). A `#` after a space
 *	                               starts a comment: write [#] or \x23
 *	enum     = M, F                one of these values, exactly ("" for
 *	                               empty is allowed but pointless)
 *	range    = 0 ..                numbers: MIN .. MAX, either end open
 *	range    = 1900-01-01 .. today dates (YYYY-MM-DD or today); a
 *	                               timestamp is compared by its date
 *	range    = today-3y ..         today-N or today+N in d(ays),
 *	                               m(onths) or y(ears), also in compare:
 *	                               last_active_at older than 3 years
 *	                               fails (a dormant member)
 *	length   = 6  |  2 .. 50       length in characters, not bytes
 *	check    = cn_id               a named check (rules_check_names)
 *	compare  = registered_at >= birth_date
 *	                               FIELD OP OPERAND, OP one of == != < <=
 *	                               > >= (= means ==); the operand is a
 *	                               field, FIELD.birth_date or FIELD.gender
 *	                               (read from a GB 11643 ID number in
 *	                               FIELD), a date, today (today-3y...),
 *	                               a number or a
 *	                               "quoted" text. Skipped when a side is
 *	                               empty. Against a literal, the value
 *	                               must be of its type ("not a date").
 *	                               Two fields compare as dates when one
 *	                               is a date (skipped when the other is
 *	                               not: its own check reports it), as
 *	                               numbers when both are numbers, else
 *	                               as bytes.
 *	unique   = source, source_id   no two records that pass share these
 *	                               values (skipped when one is empty)
 *
 * Other keys: `field` (every test but compare and unique, which name
 * their own), `severity`, `message` (the reason written to the rejects
 * file or _issues instead of the generated one; no ';'), and `when`, a
 * condition on another field:
 *
 *	when = id_type in (CN_RIC, "")     also: not in (...), == X, != X
 *
 * Fields: any column of the input. A canonical column (canon.h) the input
 * lacks reads as empty; any other name must be in the input's header, or
 * rules_bind fails with "FILE:LINE: unknown field".
 *
 * Mistakes are reported as "FILE:LINE: what was found (what was
 * expected)" with MBR_ECONFIG: an unknown section, key, check or field, a
 * duplicate rule or key, a rule with no test or two, a bad regex (with
 * PCRE2's message and offset), a bad range or length, a line without '='.
 *
 * Uniqueness keeps two hashes per distinct key, 96 bits (hash_bytes and
 * hash_check in a 16-byte slot of a table at most 3/4 full: 32 MB for a
 * million keys, 512 MB for 20 million), not the key: two different keys
 * count as one only when all 96 bits agree, which for 20 million distinct
 * keys happens about once in 4 * 10^14 runs (64 bits alone: once in
 * 90,000).
 * With a memory budget (rules_set_memory) the tables together stay
 * within three quarters of it (counting a growing table's old and new
 * slots): a table that would grow past it moves its hashes, sorted, to a
 * temporary SQLite database (hashstore.h, whose page cache and filter
 * take the other quarter) and starts again empty; a key is then looked up in
 * memory first, then on disk. Results do not depend on the budget.
 *
 * The built-in rules (rules_default) are the canonical forms of docs/fields.md;
 * mappings/rules.ini holds the same rules with comments. Severities:
 * reject what the target cannot load or account for (no or a duplicate
 * source_id, a date that is no date, points that are no integer); flag a
 * plausible member with a doubtful value (mobile, email, ID number, a
 * birth date in the future or before 1900 or not matching the ID number,
 * registration before birth, negative points), so a go-live keeps the
 * member and the report shows what to fix.
 */
#ifndef MBR_RULES_H
#define MBR_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "record.h"

struct rules; /* opaque: the parsed rules and their uniqueness sets */

enum rule_severity {
	RULE_REJECT, /* the record goes to the rejects */
	RULE_FLAG,   /* the record passes with an _issues entry */
};

/* What the report shows about one rule. Strings are owned by the rules. */
struct rule_info {
	const char *name;  /* "mobile_e164" */
	const char *field; /* "mobile"; "source+source_id" for unique */
	const char *test;  /* "required", "pattern", ... "unique" */
	enum rule_severity severity;
	unsigned line;		      /* line of the [rule] header */
	unsigned long long n_checked; /* records the test ran on */
	unsigned long long n_failed;  /* records that failed it */
};

/* One failed rule for one record. */
struct rule_failure {
	size_t rule;	    /* index for rules_info */
	const char *field;  /* borrowed from the rules, as info.field */
	const char *reason; /* the message, borrowed: static or the rules' */
};

/* Parse the rules file at path. NULL with err (MBR_ECONFIG, naming file
 * and line) on any mistake. */
struct rules *rules_load(const char *path, struct mbr_err *err);
/* Parse rules from text; name is used in messages. */
struct rules *rules_parse(const char *name, const char *text, size_t len,
			  struct mbr_err *err);
/* The built-in rules. NULL only on a bug (MBR_EINTERNAL). */
struct rules *rules_default(struct mbr_err *err);
/* Their text, as rules_parse reads it. */
const char *rules_default_text(void);
void rules_free(struct rules *r); /* NULL is fine */

size_t rules_count(const struct rules *r);
/* Rule i (< rules_count) and its counts. Cannot fail. */
const struct rule_info *rules_info(const struct rules *r, size_t i);
/* "cn_id, email, e164, ...": the names `check =` accepts. */
const char *rules_check_names(void);

/* Resolve the rules' fields against header h (the columns of the records
 * to come) and empty the uniqueness sets: a new input starts. -1 with
 * err (MBR_ECONFIG, FILE:LINE) for a field h does not have. */
int rules_bind(struct rules *r, const struct header *h, struct mbr_err *err);

/* Run every rule on rec (bound header), in file order, and write each
 * failure to out (room for rules_count entries); returns how many failed.
 * Counts n_checked and n_failed. A unique test looks its key up but does
 * not keep it: call rules_keep when the record passes. Allocates nothing
 * but the uniqueness sets' growth. Cannot fail, but see rules_status. */
size_t rules_check(struct rules *r, const struct record *rec,
		   struct rule_failure *out);
/* Bound the uniqueness sets to about memory bytes (0: no bound, the
 * default). Each set still takes 16 KiB whatever the budget, and the
 * store's page cache at least 64 KiB. Cannot fail. */
void rules_set_memory(struct rules *r, size_t memory);
/* 0, or -1 with err (MBR_EIO) when the on-disk store of the uniqueness
 * sets failed (disk full) since rules_bind: unique tests since then were
 * skipped, and the run must stop. */
int rules_status(const struct rules *r, struct mbr_err *err);
/* Keep the keys of the record last given to rules_check, so that a later
 * record with the same key fails `unique`. A rejected record takes no key:
 * the first record that passes owns it. Cannot fail. */
void rules_keep(struct rules *r);

#endif
