/*
 * pattern: PCRE2 regular expressions, compiled once, matched many times.
 *
 * A pattern is compiled in UTF mode (the pattern and the subject are
 * UTF-8; `.` is one character, not one byte) and, when the platform has
 * it, JIT-compiled. \d, \w and [[:alpha:]] stay ASCII (no PCRE2_UCP): the
 * canonical forms they check are ASCII, and a full-width digit in a
 * mobile is a fault to find, not a digit. Write (?i) for case-blind
 * matching.
 *
 * By default the whole value must match, as if the pattern were written
 * ^(?:...)$: "[0-9]{6}" accepts a postal code, not a longer number that
 * contains one. PATTERN_SEARCH looks for a match anywhere instead.
 *
 * Each pattern owns its match data, so matching allocates nothing; a
 * pattern is therefore not to be shared between threads. Only pattern.c
 * includes <pcre2.h>.
 */
#ifndef MBR_PATTERN_H
#define MBR_PATTERN_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

struct pattern; /* opaque: PCRE2's code and match data */

enum pattern_flags {
	PATTERN_SEARCH = 1 << 0, /* match anywhere, not the whole value */
	PATTERN_NO_JIT = 1 << 1, /* interpret only (tests, comparisons) */
	PATTERN_PREFIX = 1 << 2, /* match at the start only: pattern_prefix */
};

/*
 * Compile re. On a bad pattern returns NULL and fills err (MBR_ECONFIG)
 * with PCRE2's message and the character offset where it stopped, e.g.
 * "bad pattern '[0-9': missing terminating ] for a character class at
 * offset 4"; the caller adds the file and line. A pattern that is not
 * valid UTF-8 is a bad pattern too.
 */
struct pattern *pattern_new(struct strview re, enum pattern_flags flags,
			    struct mbr_err *err);
void pattern_free(struct pattern *p); /* NULL is fine */

enum pattern_result {
	PATTERN_NOMATCH = 0,
	PATTERN_MATCH = 1,
	PATTERN_BAD_INPUT = 2, /* subject is not valid UTF-8 */
	PATTERN_LIMIT = 3,     /* PCRE2's match or depth limit was hit */
};

/* Match v against p. Allocates nothing. Cannot fail otherwise: a subject
 * that is not UTF-8, or a match that runs away, is reported in the result.
 * A match runs away when it passes 100,000 steps of PCRE2's matcher (its
 * match limit; the default 10 million let "(a+)+$" take 13 ms a value):
 * PATTERN_LIMIT, a failed test with its own reason. */
enum pattern_result pattern_match(struct pattern *p, struct strview v);
/* Match p (made with PATTERN_PREFIX) at the start of v. On PATTERN_MATCH
 * sets *len to the bytes matched and groups[0..n_groups) to the first
 * capturing groups (an empty view with a NULL pointer for a group that
 * took no part, or that p does not have). Allocates nothing; results as
 * pattern_match. */
enum pattern_result pattern_prefix(struct pattern *p, struct strview v,
				   size_t *len, struct strview *groups,
				   size_t n_groups);
/* "does not match", "not valid UTF-8", ... for messages. */
const char *pattern_result_str(enum pattern_result r);

#endif
