/*
 * email: e-mail addresses to canonical form.
 *
 * Trims white space, lower-cases ASCII, folds full-width forms (＠, ．,
 * full-width letters and digits) and the ideographic full stop 。 to ASCII,
 * drops invisible characters (zero-width space, BOM, direction marks),
 * a "mailto:" in front and a display name around <...>
 * ("张三 <ZS@QQ.com>" -> "zs@qq.com"). Then checks the shape: one @, a
 * local part of RFC 5322 atext characters (or UTF-8, RFC 6531) with no
 * empty dot-separated piece, a domain of at least two labels of letters,
 * digits and hyphens (or UTF-8), a top-level label of two or more letters
 * (or punycode, xn--), at most 64 bytes before the @ and 254 characters in
 * all: validator.js isEmail's default rules, so non-ASCII characters are
 * those it allows (no Unicode white space of any class, no C1 controls,
 * private use or U+FFFD, no (c) in the top level; see email.c).
 * Internationalised domains are kept as written, punycode too.
 * Typos are never rewritten: email_typo() names the likely domain of
 * "qq.con" for a flag.
 * Quoted local parts and address literals ([1.2.3.4]) count as invalid:
 * no member system takes them.
 *
 * Non-ASCII letters keep their case: folding them is NFKC's business
 * (mappers/text.h), not this module's.
 */
#ifndef MBR_MAPPERS_EMAIL_H
#define MBR_MAPPERS_EMAIL_H

#include <stdbool.h>

#include "buf.h"

enum email_result {
	EMAIL_OK,
	EMAIL_EMPTY,   /* nothing but white space */
	EMAIL_NO_AT,   /* no @ at all */
	EMAIL_TWO_AT,  /* more than one @ */
	EMAIL_NO_DOT,  /* a domain without a dot */
	EMAIL_INVALID, /* any other flaw: characters, empty parts, length */
};

/* Append the canonical form of in to out. out is untouched unless
 * EMAIL_OK (EMAIL_INVALID if out cannot grow). Allocates only what out
 * needs. */
enum email_result email_normalize(struct strview in, struct buf *out);
/* Turn email_normalize's shortcut for ASCII off (tests: the general path
 * must answer the same) or back on. */
void email_fast(bool on);
/* "ok", "empty", "no @", "two @", "no dot in domain", "invalid". */
const char *email_result_str(enum email_result r);
/* The well-known mail domain (qq.com, 163.com, gmail.com ...) that the
 * domain of email is one typing slip away from (qq.con, 163.cm, gmial.com,
 * hotmial.com), or NULL: a known domain itself, or none close; the most
 * common when two are. A static string. Cannot fail. */
const char *email_typo(struct strview email);
/* Is v an address as email_normalize() writes it (shape and lower case)? */
bool email_is_valid(struct strview v);

#endif
