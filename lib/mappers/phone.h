/*
 * phone: telephone numbers to E.164 (+8613812345678).
 *
 * Accepts a number in any dress: spaces, dashes, dots, slashes, brackets
 * (ASCII or full-width), invisible characters (zero-width space, the
 * direction marks a phone's contacts app wraps numbers in), full-width
 * digits, a leading "tel:", "+" or "00" before a country code, "(0)" after
 * it, a bare "86" before a mainland number, a spreadsheet's ".0" after
 * it. What it knows:
 *
 *   - mainland mobiles: 11 digits on a prefix libphonenumber's metadata
 *     lists (13x, 145, 147, 15x, 16[2567], 17x, 18x, 19x ...), also with
 *     a trunk 0 or an IP-dialling prefix (17951) in front;
 *   - mainland landlines: trunk 0, a 2- or 3-digit area code from the
 *     metadata and a 7- or 8-digit subscriber number as that area has it
 *     (010-12345678 -> +861012345678, 0755 8888 6666 -> +8675588886666);
 *     400/800 service numbers;
 *   - any number written with a country code: the code must be assigned
 *     and the national number as long as that country's numbers can be
 *     (Hong Kong and Macau: 8 digits); a trunk 0 is dropped where the
 *     country dials one (+886 0912 345 678 -> +886912345678).
 *
 * Anything else is a result, not an error: too short, too long, a prefix
 * no number has, or characters no number has (letters, control bytes,
 * invalid UTF-8).
 *
 * Data: libphonenumber 8.12.57 metadata (Apache-2.0), see
 * data/mobile_prefixes.SOURCE.md. Mobile prefixes change every year or
 * two, so they live in data/mobile_prefixes.txt: phone_open() loads it;
 * until then a compiled-in copy of the same list is used. Area codes and
 * country codes are compiled in.
 *
 * Calls allocate nothing but what out needs; the prefix table is global
 * and not thread-safe while phone_open() or phone_load_prefixes() runs.
 */
#ifndef MBR_MAPPERS_PHONE_H
#define MBR_MAPPERS_PHONE_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

enum phone_result {
	PHONE_OK,
	PHONE_EMPTY,	  /* nothing but white space and separators */
	PHONE_TOO_SHORT,  /* fewer digits than such a number has */
	PHONE_TOO_LONG,	  /* more digits than such a number has */
	PHONE_BAD_PREFIX, /* no mobile prefix, area or country code */
	PHONE_INVALID,	  /* a character no phone number has */
};

/*
 * Append the E.164 form of in to out. default_cc is the country code
 * (digits, e.g. "86", "852") of a number written without one; NULL means
 * "86". out is untouched unless PHONE_OK, and PHONE_EMPTY leaves it empty.
 * Cannot fail otherwise (a full out gives PHONE_TOO_LONG).
 */
enum phone_result phone_normalize(struct strview in, const char *default_cc,
				  struct buf *out);
/* "ok", "empty", "too short", "too long", "bad prefix", "invalid". */
const char *phone_result_str(enum phone_result r);

/* Is v "+" and 7 to 15 digits, the first not 0? Shape only. */
bool phone_is_e164(struct strview v);
/* Is e164 "+86" and 11 digits on a mainland mobile prefix? */
bool phone_is_cn_mobile(struct strview e164);

/*
 * Load data/mobile_prefixes.txt from the data directory (see
 * division_data_path() in mappers/division.h). Returns 0, or -1 with err
 * (not found, unreadable, or "file:line: ..." for a bad line); on failure
 * the prefixes in use stay as they were.
 */
int phone_open(struct mbr_err *err);
/* Load the prefix list at path: one prefix of 3 to 5 digits, starting
 * with 1, per line; '#' starts a comment. Same returns as phone_open(). */
int phone_load_prefixes(const char *path, struct mbr_err *err);
/* Go back to the compiled-in prefixes. Cannot fail. */
void phone_use_builtin_prefixes(void);

#endif
