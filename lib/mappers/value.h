/*
 * value: the small value fields: tier and points (integers),
 * consent_marketing (Y/N) and status (a fixed vocabulary).
 *
 * Integers: full-width digits and signs fold to ASCII; "1,200" (groups of
 * three, ASCII or full-width comma) and "1200.0" (a fraction of zeros, as
 * a spreadsheet writes it) are fine; "1200.5", "1.2万", "1e3" are not
 * integers. The range is that of a signed 64-bit integer. Negative values
 * are kept and not flagged: a negative points balance is a real state (a
 * refund after a redemption); a shop that forbids it says so with a range
 * rule in mbr-validate, or calls value_int_range().
 *
 * Consent: Y for Y, yes, true, t, 1, on, 是, 同意, 允许, 接受, 已同意;
 * N for N, no, false, f, 0, off, 否, 不同意, 不允许, 拒绝, 未同意; any width
 * and case.
 *
 * Null values: value_is_null() tells a placeholder (NA, NULL, -, 无) from
 * a value, for the mapping mapper null.
 *
 * Status: active (正常, 有效, 启用, 激活, 活跃, enabled, normal), inactive
 * (停用, 无效, 禁用, 休眠, 未激活, disabled, dormant), frozen (冻结, 锁定,
 * locked, suspended), closed (注销, 已注销, 销户, 关闭, 已关闭, cancelled).
 *
 * Every function appends to out and leaves it untouched unless VALUE_OK;
 * VALUE_INVALID also when out cannot grow. Nothing else is allocated.
 */
#ifndef MBR_MAPPERS_VALUE_H
#define MBR_MAPPERS_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum value_result {
	VALUE_OK,
	VALUE_EMPTY,	    /* nothing but white space */
	VALUE_INVALID,	    /* not a value of this kind */
	VALUE_OUT_OF_RANGE, /* an integer outside the allowed range */
};

/* An integer in decimal, no leading zeros, "-" when negative. */
enum value_result value_int(struct strview in, struct buf *out);
/* The same, VALUE_OUT_OF_RANGE outside min..max (tier: 0..LLONG_MAX). */
enum value_result value_int_range(struct strview in, long long min,
				  long long max, struct buf *out);
/* "Y" or "N". */
enum value_result value_consent(struct strview in, struct buf *out);
/* "active", "inactive", "frozen" or "closed". */
enum value_result value_status(struct strview in, struct buf *out);
/* "ok", "empty", "invalid", "out of range". */
const char *value_result_str(enum value_result r);

/*
 * Is in a "no value" placeholder? Compared as value_key() folds it (so
 * any case and width) with words[0..n) (each as written in a mapping,
 * folded the same way), or, when words is NULL, with the usual ones: NA,
 * N/A, #N/A, NULL, NIL, NONE, NAN, "-", "--", "?", "\N" (MySQL's dump),
 * 无, 空, 不详, 未知. Empty or white space is null too. Cannot fail.
 */
bool value_is_null(struct strview in, const char *const *words, size_t n);

/*
 * The lookup key of a short word, for tables of words (this module's,
 * mappers/gender.c's): trimmed, full-width forms to ASCII, ASCII
 * lower-cased, written NUL-terminated into key (size bytes). Returns its
 * length, or -1 when in is not valid UTF-8 or does not fit.
 */
int value_key(struct strview in, char *key, size_t size);

#endif
