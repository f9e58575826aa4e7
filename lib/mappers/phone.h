/*
 * phone: telephone numbers to E.164 (+8613812345678), validated and typed
 * by libphonenumber's metadata.
 *
 * Accepts a number in any dress: spaces, dashes, dots, slashes, brackets
 * (ASCII or full-width), invisible characters (zero-width space, the
 * direction marks a phone's contacts app wraps numbers in), full-width
 * digits, a leading "tel:", "+" or "00" (011 in the NANP) before a country
 * code, "(0)" after it, the calling code of the default region written
 * without + (8613812345678), a spreadsheet's ".0" after it.
 *
 * Then it does what libphonenumber's parse() and isValidNumber() do, from
 * the same metadata: the national prefix (trunk 0, China's IP-dialling
 * prefixes 17951 ...) is stripped by the region's rule; the national
 * number must match the pattern of one number type (fixed line, mobile,
 * toll free, premium rate, shared cost, VoIP, personal, pager, UAN,
 * voicemail) of a region of its calling code, with a length that type
 * has. Numbers of every region are checked, not only China's.
 *
 * Data: data/phone_metadata.tsv, libphonenumber's metadata as the npm
 * package libphonenumber-js ships it (scripts/gen-phone-metadata.py; the
 * version is in the file and in data/phone_metadata.SOURCE.md). phone_open()
 * loads it; phone_normalize() loads it on first use when nobody did. Each
 * calling code's patterns are compiled once (PCRE2, JIT), when the first
 * number with that code is seen. Without the file, numbers are checked for
 * shape only (7 to 15 digits after the country code).
 *
 * An extension (010-12345678#8001, "ext 12", 转 8001) is PHONE_EXTENSION:
 * the canonical form has no place for it, so the value is kept as written
 * and flagged (README, mbr-normalize).
 *
 * Calls allocate nothing but what out needs, except the one-time compile
 * of a calling code's patterns. The metadata is global: not thread-safe.
 */
#ifndef MBR_MAPPERS_PHONE_H
#define MBR_MAPPERS_PHONE_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

enum phone_result {
	PHONE_OK,
	PHONE_EMPTY,	  /* nothing but white space and separators */
	PHONE_TOO_SHORT,  /* fewer digits than any number there has */
	PHONE_TOO_LONG,	  /* more digits than any number there has */
	PHONE_BAD_PREFIX, /* no number type of the region fits the digits */
	PHONE_INVALID,	  /* a character no phone number has */
	PHONE_EXTENSION,  /* a number with an extension: kept, flagged */
};

/* What libphonenumber's getNumberType() says of a valid number. */
enum phone_type {
	PHONE_TYPE_UNKNOWN,	    /* not valid, or no metadata */
	PHONE_TYPE_FIXED,	    /* a landline */
	PHONE_TYPE_MOBILE,	    /* a mobile */
	PHONE_TYPE_FIXED_OR_MOBILE, /* cannot tell (US, CA, ...) */
	PHONE_TYPE_OTHER, /* toll free, premium, shared cost, VoIP, pager ... */
};

/*
 * Append the E.164 form of in to out. default_region is the ISO 3166
 * alpha-2 code (e.g. "CN", "HK", "CA") of a number written without a
 * country code, or its calling code in digits ("86", "852"; the main
 * region of the code); NULL means "CN". out is untouched unless PHONE_OK,
 * and PHONE_EMPTY leaves it empty. Cannot fail otherwise (a full out gives
 * PHONE_TOO_LONG).
 */
enum phone_result phone_normalize(struct strview in, const char *default_region,
				  struct buf *out);
/* "ok", "empty", "too short", "too long", "bad prefix", "invalid",
 * "has an extension". */
const char *phone_result_str(enum phone_result r);

/* The type of an E.164 number as phone_normalize() writes it. Cannot
 * fail: PHONE_TYPE_UNKNOWN for anything else. */
enum phone_type phone_type_of(struct strview e164);
/* "unknown", "fixed line", "mobile", "fixed line or mobile", "other". */
const char *phone_type_str(enum phone_type t);

/* Is v "+" and 7 to 15 digits, the first not 0? Shape only. */
bool phone_is_e164(struct strview v);
/* Is e164 "+86" and a mainland mobile number? By the metadata once it is
 * loaded, else by a compiled-in prefix list made from the same metadata. */
bool phone_is_cn_mobile(struct strview e164);

/*
 * Load data/phone_metadata.tsv from the data directory (see
 * datafile.h) unless loaded. Returns 0,
 * or -1 with err (not found, unreadable, "file:line: ..." for a bad line
 * or a bad pattern of China's); on failure the metadata in use stays.
 */
int phone_open(struct mbr_err *err);
/* Load the metadata file at path, replacing the one in use. Same
 * returns as phone_open(). */
int phone_load_metadata(const char *path, struct mbr_err *err);
/* Compile the patterns of every region now (tests: a bad pattern in the
 * file). -1 with err naming the region and the pattern. */
int phone_compile_all(struct mbr_err *err);
/* Turn the fast path for mainland mobiles on (the default) or off
 * (tests: it must answer as the patterns do). Returns whether it is in
 * use: on, and the metadata loaded is the one it was written for. */
bool phone_fast(bool on);
/* Free the metadata (for leak checkers). Cannot fail. */
void phone_close(void);

#endif
