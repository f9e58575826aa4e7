/*
 * email: e-mail addresses to canonical form. See email.h.
 *
 * The folded text is written straight into out, checked there, moved into
 * place on success and cut off on failure, so nothing is allocated but
 * out's own growth.
 */
#include "mappers/email.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* RFC 5321 4.5.3.1: local part 64 bytes, domain 255 less the brackets. */
#define MAX_LOCAL 64
#define MAX_DOMAIN 253
#define MAX_LABEL 63
/* validator.js: 254 characters in all. */
#define MAX_ADDRESS 254

static const char *const result_names[] = {
	[EMAIL_OK] = "ok",
	[EMAIL_EMPTY] = "empty",
	[EMAIL_NO_AT] = "no @",
	[EMAIL_TWO_AT] = "two @",
	[EMAIL_NO_DOT] = "no dot in domain",
	[EMAIL_INVALID] = "invalid",
};

const char *email_result_str(enum email_result r)
{
	if ((unsigned)r < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[r];
	return "invalid";
}

/* Characters copy-paste carries along unseen: zero-width spaces and
 * joiners, direction marks and embeddings, word joiner, BOM. */
static bool is_invisible(uint32_t cp)
{
	return (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 || cp == 0xFEFF;
}

static bool ascii_off; /* the ASCII shortcuts: off for the tests */

/* Is v all ASCII? Eight bytes at a time. */
static bool is_ascii(struct strview v)
{
	uint64_t w, any = 0;
	size_t i = 0;

	for (; i + 8 <= v.len; i += 8) {
		memcpy(&w, v.p + i, 8);
		any |= w;
	}
	for (; i < v.len; i++)
		any |= (unsigned char)v.p[i];
	return !(any & 0x8080808080808080ULL) && !ascii_off;
}

/* Append v to out with ASCII lower-cased, full-width forms and the
 * ideographic full stop folded, invisible characters dropped. -1 on
 * invalid UTF-8 or a full out. */
static int fold(struct strview v, struct buf *out)
{
	size_t i, k;
	uint32_t cp;

	/* ASCII (most addresses) has nothing to fold but the case. */
	if (is_ascii(v)) {
		char *o;

		if (buf_grow(out, v.len) < 0)
			return -1;
		o = out->p + out->len;
		for (i = 0; i < v.len; i++)
			o[i] = v.p[i] >= 'A' && v.p[i] <= 'Z'
				       ? (char)(v.p[i] + ('a' - 'A'))
				       : v.p[i];
		out->len += v.len;
		out->p[out->len] = '\0';
		return 0;
	}
	for (i = 0; i < v.len; i += k) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		if (k == 0)
			return -1;
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp = cp - 0xFF01 + 0x21;
		else if (cp == 0x3002 || cp == 0xFF61) /* 。 ｡ */
			cp = '.';
		else if (cp == 0x3000)
			cp = ' ';
		if (is_invisible(cp))
			continue;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if (cp < 0x80 ? buf_addc(out, (char)cp) < 0
			      : buf_add(out, v.p + i, k) < 0)
			return -1;
	}
	return 0;
}

/* Strip a display name ("Name <addr>") and "mailto:". */
static struct strview unwrap(struct strview v)
{
	const char *lt;

	v = sv_trim(v);
	if (v.len && v.p[v.len - 1] == '>') {
		lt = NULL;
		for (size_t i = 0; i + 1 < v.len; i++)
			if (v.p[i] == '<')
				lt = v.p + i;
		if (lt) {
			v = svn(lt + 1, (size_t)(v.p + v.len - 1 - (lt + 1)));
			v = sv_trim(v);
		}
	}
	if (v.len >= 7 && !memcmp(v.p, "mailto:", 7))
		v = sv_trim(svn(v.p + 7, v.len - 7));
	return v;
}

/* RFC 5322 atext less the upper case, which fold() removed. */
static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* Unicode white space (JavaScript's \s less ASCII): no part of an address,
 * though some of it lies in the ranges below. */
static bool is_space(uint32_t cp)
{
	return cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

/* validator.js isEmail (defaults): a non-ASCII character of a local part
 * is in U+00A1-D7FF, F900-FDCF or FDF0-FFEF (no C1 controls, private use,
 * U+FFFD or characters beyond the BMP). */
static bool local_cp_ok(uint32_t cp)
{
	return ((cp >= 0xA1 && cp <= 0xD7FF) ||
		(cp >= 0xF900 && cp <= 0xFDCF) ||
		(cp >= 0xFDF0 && cp <= 0xFFEF)) &&
	       !is_space(cp);
}

/* isFQDN: a label's non-ASCII characters are U+00A1 and up, less the
 * full-width forms; we also refuse U+FFFD, private use and the
 * noncharacters, which only a decoding loss puts in a domain. */
static bool label_cp_ok(uint32_t cp)
{
	return cp >= 0xA1 && !(cp >= 0xFF01 && cp <= 0xFF5E) &&
	       !(cp >= 0xE000 && cp <= 0xF8FF) &&
	       !(cp >= 0xFDD0 && cp <= 0xFDEF) && (cp & 0xFFFE) != 0xFFFE &&
	       cp != 0xFFFD && !is_space(cp);
}

/* isFQDN's top level: two or more letters (U+00A9 (c) is not one), or
 * punycode "xn--...". */
static bool tld_cp_ok(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 0xA1 && cp <= 0xA8) ||
	       (cp >= 0xAA && cp <= 0xD7FF) || (cp >= 0xF900 && cp <= 0xFDCF) ||
	       (cp >= 0xFDF0 && cp <= 0xFFEF && cp != 0xFEFF);
}

/* Dot-separated pieces, none empty: the local part, or a domain. */
static bool dots_ok(struct strview v)
{
	if (!v.len || v.p[0] == '.' || v.p[v.len - 1] == '.')
		return false;
	for (size_t i = 1; i < v.len; i++)
		if (v.p[i] == '.' && v.p[i - 1] == '.')
			return false;
	return true;
}

static bool local_ok(struct strview v)
{
	size_t i, k;
	uint32_t cp;

	if (v.len > MAX_LOCAL || !dots_ok(v))
		return false;
	for (i = 0; i < v.len; i += k) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		if (k == 0)
			return false;
		if (cp < 0x80 ? cp != '.' && !is_atext((unsigned char)cp)
			      : !local_cp_ok(cp))
			return false;
	}
	return true;
}

/* One domain label: letters, digits, inner hyphens, or UTF-8 (IDN); at
 * most 63 characters. */
static bool label_ok(const char *p, size_t len)
{
	size_t i, k, n = 0;
	uint32_t cp;

	if (len == 0 || p[0] == '-' || p[len - 1] == '-')
		return false;
	for (i = 0; i < len; i += k, n++) {
		k = utf8_decode(p + i, len - i, &cp);
		if (k == 0)
			return false;
		if (cp < 0x80 ? !((cp >= 'a' && cp <= 'z') ||
				  (cp >= '0' && cp <= '9') || cp == '-')
			      : !label_cp_ok(cp))
			return false;
	}
	return n <= MAX_LABEL;
}

static bool tld_ok(const char *p, size_t len)
{
	size_t i, k, n = 0;
	uint32_t cp;

	if (len >= 4 && !memcmp(p, "xn", 2)) /* punycode: xn--... */
		return true;
	for (i = 0; i < len; i += k, n++) {
		k = utf8_decode(p + i, len - i, &cp);
		if (k == 0 || !tld_cp_ok(cp))
			return false;
	}
	return n >= 2;
}

static bool domain_ok(struct strview v)
{
	size_t start = 0, last = 0;

	if (v.len > MAX_DOMAIN || !dots_ok(v))
		return false;
	for (size_t i = 0; i <= v.len; i++) {
		if (i < v.len && v.p[i] != '.')
			continue;
		if (!label_ok(v.p + start, i - start))
			return false;
		last = start;
		start = i + 1;
	}
	return tld_ok(v.p + last, v.len - last);
}

static enum email_result check(struct strview v)
{
	const char *at = memchr(v.p, '@', v.len);
	struct strview local, domain;

	if (!at)
		return EMAIL_NO_AT;
	local = svn(v.p, (size_t)(at - v.p));
	domain = svn(at + 1, v.len - local.len - 1);
	if (memchr(domain.p, '@', domain.len))
		return EMAIL_TWO_AT;
	if (local.len && domain.len && !memchr(domain.p, '.', domain.len))
		return EMAIL_NO_DOT;
	if (!local_ok(local) || !domain_ok(domain) ||
	    /* never more characters than bytes: count only when it may
	     * matter */
	    (v.len > MAX_ADDRESS && utf8_count(v) > MAX_ADDRESS))
		return EMAIL_INVALID;
	return EMAIL_OK;
}

enum email_result email_normalize(struct strview in, struct buf *out)
{
	size_t mark = out->len;
	struct strview v = sv_trim(in);
	enum email_result r;

	if (!v.len)
		return EMAIL_EMPTY;
	if (fold(v, out) < 0) {
		buf_truncate(out, mark);
		return EMAIL_INVALID;
	}
	v = unwrap(svn(out->p + mark, out->len - mark));
	r = v.len ? check(v) : EMAIL_EMPTY;
	if (r != EMAIL_OK) {
		buf_truncate(out, mark);
		return r;
	}
	memmove(out->p + mark, v.p, v.len);
	buf_truncate(out, mark + v.len);
	return EMAIL_OK;
}

void email_fast(bool on)
{
	ascii_off = !on;
}

bool email_is_valid(struct strview v)
{
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] >= 'A' && v.p[i] <= 'Z')
			return false;
	return utf8_is_valid(v) && check(v) == EMAIL_OK;
}

/*
 * Typo domains.
 */

/* The mail domains of Chinese member files, and the big foreign ones.
 * A domain one edit away from one of these (and not one itself) is
 * probably a typo of it; most common first. */
static const char *const known_domains[] = {
	"qq.com",      "vip.qq.com",	 "foxmail.com",	 "163.com",
	"126.com",     "yeah.net",	 "vip.163.com",	 "vip.126.com",
	"188.com",     "sina.com",	 "sina.cn",	 "vip.sina.com",
	"sina.com.cn", "sohu.com",	 "139.com",	 "189.cn",
	"wo.cn",       "aliyun.com",	 "21cn.com",	 "tom.com",
	"263.net",     "163.net",	 "gmail.com",	 "googlemail.com",
	"hotmail.com", "outlook.com",	 "live.com",	 "live.cn",
	"msn.com",     "yahoo.com",	 "yahoo.com.cn", "yahoo.cn",
	"ymail.com",   "icloud.com",	 "me.com",	 "mac.com",
	"mail.com",    "hotmail.com.hk", "yahoo.com.hk", "yahoo.com.tw",
	"naver.com",   "hanmail.net",	 "qq.cn",
};

/* Is a one edit (insert, delete, substitute, swap neighbours) from b? */
static bool one_edit(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0;

	if (la > lb + 1 || lb > la + 1)
		return false;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb) {
		if (i == la)
			return false;
		if (!memcmp(a + i + 1, b + i + 1, la - i - 1))
			return true;
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       !memcmp(a + i + 2, b + i + 2, la - i - 2);
	}
	if (la > lb)
		return !memcmp(a + i + 1, b + i, lb - i);
	return !memcmp(a + i, b + i + 1, la - i);
}

const char *email_typo(struct strview email)
{
	const char *at = memchr(email.p, '@', email.len);
	struct strview d;
	size_t n = sizeof(known_domains) / sizeof(known_domains[0]);

	if (!at)
		return NULL;
	d = svn(at + 1, email.len - (size_t)(at + 1 - email.p));
	for (size_t i = 0; i < n; i++)
		if (sv_eqs(d, known_domains[i]))
			return NULL;
	/* The table runs most common first: the first close one wins. */
	for (size_t i = 0; i < n; i++)
		if (one_edit(d.p, d.len, known_domains[i],
			     strlen(known_domains[i])))
			return known_domains[i];
	return NULL;
}
