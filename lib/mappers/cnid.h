/*
 * cnid: mainland China resident identity card numbers (GB 11643-1999).
 *
 * An ID is 6 digits of area (GB/T 2260), 8 of birth date (YYYYMMDD), 3 of
 * sequence (odd for men) and a check character (0-9 or X). cnid_normalize()
 * takes one as exports write it: full-width digits, spaces, lower-case x,
 * a leading apostrophe (Excel's "keep as text"), a 15-digit ID of before
 * 1999 (upgraded: "19" goes before the 2-digit year, the check character is
 * computed), a float that went through a spreadsheet. It checks the check
 * character, the birth date and the province, and writes the 18-character
 * form with an upper-case X. The caller sets id_type to CN_RIC.
 *
 * A number a spreadsheet has damaged is never "repaired": 4.40106E+17, an
 * 18-digit value with ".0" after it, or 18 digits ending in 000 whose check
 * character fails (Excel keeps 15 significant digits) give
 * CNID_PRECISION_LOST.
 *
 * A value starting with a Latin letter is another document (passport, Hong
 * Kong, Macau or Taiwan ID, travel permit): CNID_NOT_CN, left as it is.
 *
 * The area: cnid_check() only asks for a real province (11-83: 81, 82 and
 * 83 are the residence permits of Hong Kong, Macau and Taiwan residents,
 * which carry 810000, 820000 or 830000 as their area); whether
 * the 6-digit code ever existed is cnid_area_check()'s question, answered
 * from the GB/T 2260 table (mappers/division.h), which holds the codes of
 * 2002 to today. An ID keeps the code in force when it was issued, so a
 * retired code is fine; one the table does not know is CNID_AREA_UNKNOWN,
 * a flag ("area unknown"), not a reason to reject: codes retired before
 * 2002 are missing from the table.
 *
 * Nothing here allocates, except out's own growth.
 */
#ifndef MBR_MAPPERS_CNID_H
#define MBR_MAPPERS_CNID_H

#include <stdbool.h>

#include "buf.h"

enum cnid_result {
	CNID_OK,
	CNID_EMPTY,	     /* nothing but white space */
	CNID_BAD_LENGTH,     /* not 15 or 18 characters */
	CNID_BAD_CHAR,	     /* a character no ID has, or X not last */
	CNID_BAD_CHECKSUM,   /* the check character does not match */
	CNID_BAD_DATE,	     /* no such birth date, or in the future */
	CNID_BAD_AREA,	     /* the first two digits are no province */
	CNID_PRECISION_LOST, /* a spreadsheet turned it into a float */
	CNID_NOT_CN,	     /* another kind of document */
	CNID_AREA_UNKNOWN,   /* cnid_area_check() only: see above */
};

/* Append the 18-character form of in to out. out is untouched unless
 * CNID_OK (CNID_BAD_LENGTH if out cannot grow). */
enum cnid_result cnid_normalize(struct strview in, struct buf *out);
/* Turn cnid_normalize's shortcut for plain IDs off (tests: the general
 * path must answer the same) or back on. */
void cnid_fast(bool on);
/* "ok", "empty", "bad length", "bad character", "bad checksum",
 * "bad date", "bad area", "precision lost", "not a mainland ID",
 * "area unknown". */
const char *cnid_result_str(enum cnid_result r);

/* Check an 18-character ID as cnid_normalize() writes it (upper-case X,
 * no spaces): length, characters, check character (or precision lost),
 * province, birth date. */
enum cnid_result cnid_check(struct strview id18);
bool cnid_is_valid(struct strview id18); /* cnid_check() == CNID_OK */
/* Is the area code of a valid id18 in the GB/T 2260 table (current or
 * historical)? CNID_OK, CNID_AREA_UNKNOWN (a real province, a code the
 * table lacks, or no table), or CNID_BAD_AREA. */
enum cnid_result cnid_area_check(struct strview id18);

/* What an id_type value says the id_number is. */
enum cnid_type {
	CNID_TYPE_NONE, /* empty: read the value as a resident ID if it is one */
	CNID_TYPE_RIC, /* a mainland resident ID: CN_RIC, 身份证, ID, 1 ... */
	CNID_TYPE_OTHER,   /* a passport, permit or other known document */
	CNID_TYPE_UNKNOWN, /* a value we do not know */
};

/* The type an id_type value names, in any case and width, spaces ignored:
 * CN_RIC; 身份证, 居民身份证, 二代身份证, 身份证号 (and Traditional); ID,
 * ID card, IDCARD, ID_CARD, RIC; the codes 1, 01, 111 (GA/T 517) and A of
 * document-type lists. Passports, travel permits, Hong Kong, Macau and
 * Taiwan documents, military and foreigners' cards, and the codes 2-9 /
 * 02-09 are CNID_TYPE_OTHER. Cannot fail. */
enum cnid_type cnid_type_of(struct strview id_type);
/* Is v, folded as cnid_normalize() folds it, 15 or 18 digits (the last may
 * be X)? For flagging an ID written under a type we do not know. */
bool cnid_is_shaped(struct strview v);

/* The check character ('0'-'9' or 'X') of 17 ASCII digits; '\0' when
 * first17 holds anything else. */
char cnid_check_char(const char *first17);
/* "YYYY-MM-DD" of a valid id18 into out (NUL-terminated); "" when id18 is
 * shorter than 14 bytes or the date holds a non-digit. */
void cnid_birth_date(struct strview id18, char out[11]);
/* 'M' (odd 17th digit) or 'F' of a valid id18; '\0' when there is none. */
char cnid_gender(struct strview id18);

#endif
