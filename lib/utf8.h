/*
 * utf8: the few UTF-8 operations every module needs, without a library.
 *
 * Decoding is strict (RFC 3629): overlong forms, surrogates and code points
 * past U+10FFFF are invalid. Heavier Unicode work (NFKC, case folding) is
 * utf8proc's, in lib/mappers/text.c.
 */
#ifndef MBR_UTF8_H
#define MBR_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Decode the code point at p (len bytes available). Returns its length in
 * bytes (1-4) and sets *cp, or 0 when the bytes there are not valid UTF-8. */
size_t utf8_decode_any(const char *p, size_t len, uint32_t *cp);
static inline size_t utf8_decode(const char *p, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)p;

	/* ASCII and most Han inline; the rest, and every check, out of line */
	if (len && u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (len >= 3 && u[0] >= 0xE1 && u[0] <= 0xEF && u[0] != 0xED &&
	    (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x0F) << 12) |
		      ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
		return 3;
	}
	return utf8_decode_any(p, len, cp);
}
/* Encode cp into out (4 bytes room). Returns the length, 0 if cp is invalid. */
size_t utf8_encode(uint32_t cp, char *out);
/* Offset of the first invalid byte, or len when all of p is valid. */
size_t utf8_check(const char *p, size_t len);
/* Turn utf8_check's SIMD path off (tests: the scalar loop must answer the
 * same) or back on (where the CPU has it). */
void utf8_fast(bool on);
bool utf8_is_valid(struct strview v);
/* Number of code points; an invalid byte counts as one. */
size_t utf8_count(struct strview v);
/* CJK unified ideographs (incl. extensions A-G and compatibility). */
bool utf8_is_han(uint32_t cp);
/* Append v to out with full-width ASCII (U+FF01-FF5E) folded to ASCII and
 * U+3000 to a space; other bytes copied as they are. -1 past out's max. */
int utf8_fold_width(struct strview v, struct buf *out);

#endif
