/*
 * date: dates and timestamps in the many shapes member exports use, to
 * YYYY-MM-DD and ISO 8601.
 *
 * Recognised without a format (date_normalize, timestamp_normalize), after
 * folding full-width characters and trimming:
 *
 *	1985-03-07   1985/3/7   1985.03.07   19850307   1985年3月7日
 *	07-Mar-1985  7 March 1985  Mar 7, 1985  Thu, 07 Mar 1985
 *	07/03/1985 or 03/07/1985 (day/month order: see below)
 *
 * each optionally followed by a time: `T` or spaces, H:MM[:SS[.fff]],
 * optional AM/PM or 上午/下午, optional zone (Z, UTC, GMT, +08, +0800,
 * +08:00). 14 digits are YYYYMMDDHHMMSS.
 *
 * Day and month order: a form with the year first is always Y-M-D. For
 * D/M/Y against M/D/Y, a part above 12 decides; when both are 12 or less
 * (and differ) the hint decides, and without a hint the value is
 * DATE_AMBIGUOUS. A two-digit year is never guessed (DATE_TWO_DIGIT_YEAR)
 * except through an explicit %y format.
 *
 * No function here depends on the locale or the time zone of the process.
 * Every normaliser writes to out only when it returns DATE_OK.
 */
#ifndef MBR_DATE_H
#define MBR_DATE_H

#include <stdbool.h>

#include "buf.h"

enum date_order {
	DATE_ORDER_NONE, /* no hint: ambiguous D/M stays ambiguous */
	DATE_ORDER_DMY,	 /* 03/07/1985 is 3 July */
	DATE_ORDER_MDY,	 /* 03/07/1985 is 7 March */
};

enum date_result {
	DATE_OK,
	DATE_EMPTY,	     /* nothing but white space */
	DATE_UNRECOGNISED,   /* no known shape */
	DATE_AMBIGUOUS,	     /* D/M/Y or M/D/Y, no hint */
	DATE_TWO_DIGIT_YEAR, /* 07/03/85: which century? */
	DATE_IMPOSSIBLE,     /* 1985-02-30, month 13 */
	DATE_BAD_TIME,	     /* 25:00, a zone past 14 hours */
	DATE_FUTURE,	     /* a birth date after today */
	DATE_BEFORE_1900,    /* a year before 1900 */
};

/* A birth date (or any date of the past) to YYYY-MM-DD. A time part is
 * checked and dropped. Checks the calendar, then that the date is not
 * after date_today() and not before 1900. */
enum date_result date_normalize(struct strview in, enum date_order hint,
				struct buf *out);
/* date_normalize for a date that may come as an instant: a time with a
 * zone (Z, UTC, +00:00 ...) other than zone (minutes east of UTC) is
 * moved into zone before its date is taken, so 1990-03-04T16:00:00.000Z,
 * a midnight in Beijing written by a JavaScript system, is 1990-03-05 at
 * zone 480. *moved is true when that changed the date. A value without a
 * zone is taken as it is. */
enum date_result date_normalize_at(struct strview in, enum date_order hint,
				   int zone, struct buf *out, bool *moved);
/* A timestamp to YYYY-MM-DDTHH:MM:SS (seconds added when missing, a
 * fraction kept), followed by the zone as +HH:MM when one was given
 * (Z, UTC and GMT are +00:00). A date without a time stays YYYY-MM-DD.
 * Checks the calendar, the clock and the year (not before 1900); a future
 * timestamp is not an error here. */
enum date_result timestamp_normalize(struct strview in, enum date_order hint,
				     struct buf *out);
/* Parse in with a strptime-like format, as the mapping mapper
 * date(%Y/%m/%d, ...) does: %Y four digits, %y two (20yy when that is not
 * after this year, else 19yy), %m %d %H %M %S one or two digits (exactly
 * two when directly followed by another number, as in %Y%m%d), %b an
 * English month name or abbreviation in any case, %% a percent sign; a
 * space matches any run of white space (or none); any other text, UTF-8
 * included, must match exactly. The whole input must match. Writes
 * YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS when fmt has %H. Checks the calendar
 * only. DATE_UNRECOGNISED when in does not match fmt (or fmt is bad). */
enum date_result date_parse_format(struct strview in, const char *fmt,
				   struct buf *out);
/* True when v is exactly YYYY-MM-DD and a day of the calendar. */
bool date_is_valid_iso(struct strview v);
/* Today as YYYYMMDD (e.g. 20240131): the environment's MBR_TODAY
 * (YYYY-MM-DD) when set and valid, for reproducible tests, else the local
 * date. Read once per process. Cannot fail. */
long date_today(void);
/* Tests only: off, every value goes through the general scanner, not
 * the fast path for YYYY-MM-DD[ HH:MM:SS]; the answers must be the same. */
void date_fast_path(bool on);
/* Days from 1970-01-01 to y-m-d, any year (Howard Hinnant's
 * days_from_civil). Cannot fail. */
long long date_days_from_civil(long long y, int m, int d);
/* "not a date", "no such date", ... for _issues. Cannot fail. */
const char *date_result_str(enum date_result r);

#endif
