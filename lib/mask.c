/*
 * mask: masking by field kind; HMAC pseudonyms (OpenSSL libcrypto).
 */
#include "mask.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

/* Append the character of len bytes at p, or '?' when it is an invalid
 * byte (len 0: one byte): a mask never copies a byte that is not a
 * character. Returns the bytes taken. */
static size_t add_char(struct buf *out, const char *p, size_t len, int *rc)
{
	if (len == 0) {
		*rc = buf_addc(out, '?');
		return 1;
	}
	*rc = buf_add(out, p, len);
	return len;
}

/* Keep the first keep_head and last keep_tail characters, star the
 * middle, one star per character: counting bytes would cut a full-width
 * or Han character in two. An invalid byte counts as one character. */
static int mask_middle(struct strview v, size_t keep_head, size_t keep_tail,
		       struct buf *out)
{
	size_t n = utf8_count(v), i = 0;
	uint32_t cp;
	int rc = 0;

	if (n <= keep_head + keep_tail)
		keep_head = keep_tail = 0;
	for (size_t k = 0; i < v.len && rc == 0; k++) {
		size_t len = utf8_decode(v.p + i, v.len - i, &cp);

		if (k < keep_head || k >= n - keep_tail) {
			i += add_char(out, v.p + i, len, &rc);
		} else {
			i += len ? len : 1;
			rc = buf_addc(out, '*');
		}
	}
	return rc;
}

static int mask_phone(struct strview v, struct buf *out)
{
	if (sv_starts(v, "+86"))
		v = svn(v.p + 3, v.len - 3);
	else if (v.len && v.p[0] == '+')
		v = svn(v.p + 1, v.len - 1);
	return mask_middle(v, 3, 4, out);
}

/* First character, ***, then the domain as it is (invalid bytes '?'). */
static int mask_email(struct strview v, struct buf *out)
{
	const char *at = memchr(v.p, '@', v.len);
	uint32_t cp;
	int rc = 0;

	if (!at || at == v.p)
		return mask_middle(v, 1, 0, out);
	add_char(out, v.p, utf8_decode(v.p, v.len, &cp), &rc);
	if (rc < 0 || buf_adds(out, "***") < 0)
		return -1;
	for (const char *p = at, *end = v.p + v.len; p < end && rc == 0;)
		p += add_char(out, p, utf8_decode(p, (size_t)(end - p), &cp),
			      &rc);
	return rc;
}

/* First character of each word kept, every other character a star. */
static int mask_words(struct strview v, struct buf *out)
{
	size_t i = 0, n;
	bool word_start = true;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (!n) {
			n = 1;
			cp = '?';
		}
		if (cp == ' ') {
			word_start = true;
			if (buf_addc(out, ' ') < 0)
				return -1;
		} else if (word_start) {
			word_start = false;
			/* An invalid byte is shown as '?', never copied. */
			if ((cp == '?' ? buf_addc(out, '?')
				       : buf_add(out, v.p + i, n)) < 0)
				return -1;
		} else if (buf_addc(out, '*') < 0) {
			return -1;
		}
		i += n;
	}
	return 0;
}

/* Every character a star but ASCII punctuation and spaces: a date keeps
 * its shape (****-**-**) and gives nothing away. */
static int mask_all_but_separators(struct strview v, struct buf *out)
{
	size_t n;
	uint32_t cp;

	for (size_t i = 0; i < v.len; i += n) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (!n) {
			n = 1;
			cp = '?';
		}
		if (cp < 0x80 && cp != '?' && (ispunct((int)cp) || cp == ' ')) {
			if (buf_addc(out, (char)cp) < 0)
				return -1;
		} else if (buf_addc(out, '*') < 0) {
			return -1;
		}
	}
	return 0;
}

/* Columns that hold part of another field, or what its mask hides. */
static const struct {
	const char *column, *parent;
} parents[] = {
	{"family_name", "name"},
	{"given_name", "name"},
	/* GB 11643: digits 7 to 14 of a mainland ID are the birth date. */
	{"birth_date", "id_number"},
	/* A six-digit Chinese postal code narrows an address to a few
	 * streets; its first four digits name the county. */
	{"postal_code", "address"},
};

const char *mask_parent(const char *column)
{
	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++)
		if (!strcasecmp(column, parents[i].column))
			return parents[i].parent;
	return NULL;
}

int mask_value(const char *field, struct strview v, struct buf *out)
{
	if (v.len == 0)
		return 0;
	if (!strcasecmp(field, "mobile") || !strcasecmp(field, "phone"))
		return mask_phone(v, out);
	if (!strcasecmp(field, "id_number"))
		return mask_middle(v, 6, 4, out);
	if (!strcasecmp(field, "email"))
		return mask_email(v, out);
	if (!strcasecmp(field, "given_name"))
		return mask_middle(v, 0, 0, out);
	if (!strcasecmp(field, "birth_date"))
		return mask_all_but_separators(v, out);
	if (!strcasecmp(field, "address"))
		return mask_middle(v, 1, 0, out);
	if (!strcasecmp(field, "postal_code"))
		return mask_middle(v, 4, 0, out);
	return mask_words(v, out);
}

int mask_pseudonym(struct strview key, struct strview v, struct buf *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (v.len == 0)
		return 0;
	if (!HMAC(EVP_sha256(), key.p, (int)key.len, (const unsigned char *)v.p,
		  v.len, mac, &len))
		return -1;
	for (unsigned i = 0; i < 16 && i < len; i++)
		if (buf_addf(out, "%02x", mac[i]) < 0)
			return -1;
	return 0;
}
