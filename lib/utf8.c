/*
 * utf8: strict decoding, encoding and width folding.
 */
#include "utf8.h"

#include <string.h>

size_t utf8_decode_any(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	/* Most Han: E1-EC or EE-EF, which need no range check. */
	if (p[0] >= 0xE1 && p[0] <= 0xEF && p[0] != 0xED && len >= 3 &&
	    (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x0F) << 12) |
		      ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		return 3;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t utf8_check(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		/* ASCII runs are the common case: skip them eight bytes at a
		 * time without the full decoder. */
		if (u[i] < 0x80) {
			uint64_t w;

			i++;
			while (i + 8 <= len) {
				memcpy(&w, u + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			continue;
		}
		/* Three bytes that need no range check: E1-EC and EE-EF
		 * lead bytes (no overlong form, no surrogate), two
		 * continuation bytes. Most Han characters. */
		if (u[i] >= 0xE1 && u[i] <= 0xEF && u[i] != 0xED &&
		    i + 3 <= len && (u[i + 1] & 0xC0) == 0x80 &&
		    (u[i + 2] & 0xC0) == 0x80) {
			i += 3;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* Han text is runs of them: the same test on a
			 * word, the lead byte lowest. */
			for (uint32_t w; i + 4 <= len; i += 3) {
				memcpy(&w, u + i, 4);
				if ((w & 0xC0C0F0) != 0x8080E0 ||
				    (w & 0x0F) == 0 || (w & 0xFF) == 0xED)
					break;
			}
#endif
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

bool utf8_is_valid(struct strview v)
{
	return utf8_check(v.p, v.len) == v.len;
}

size_t utf8_count(struct strview v)
{
	size_t i = 0, n, count = 0;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		i += n ? n : 1;
		count++;
	}
	return count;
}

bool utf8_is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) ||	 /* URO */
	       (c >= 0x3400 && c <= 0x4DBF) ||	 /* Ext A */
	       (c >= 0xF900 && c <= 0xFAFF) ||	 /* Compatibility */
	       (c >= 0x20000 && c <= 0x323AF) || /* Ext B-H */
	       c == 0x3007;			 /* 〇 */
}

int utf8_fold_width(struct strview v, struct buf *out)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (n == 3 && cp >= 0xFF01 && cp <= 0xFF5E) {
			if (buf_addc(out, (char)(cp - 0xFF01 + 0x21)) < 0)
				return -1;
		} else if (n == 3 && cp == 0x3000) {
			if (buf_addc(out, ' ') < 0)
				return -1;
		} else {
			if (n == 0)
				n = 1;
			if (buf_add(out, v.p + i, n) < 0)
				return -1;
		}
		i += n;
	}
	return 0;
}
