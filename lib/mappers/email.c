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

/* Append v to out with ASCII lower-cased, full-width forms and the
 * ideographic full stop folded, invisible characters dropped. -1 on
 * invalid UTF-8 or a full out. */
static int fold(struct strview v, struct buf *out)
{
	size_t i, k;
	uint32_t cp;

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
	       (c && strchr("!#$%&'*+/=?^_`{|}~-", c)) || c >= 0x80;
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
	if (v.len > MAX_LOCAL || !dots_ok(v))
		return false;
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] != '.' && !is_atext((unsigned char)v.p[i]))
			return false;
	return true;
}

/* One domain label: letters, digits, inner hyphens, or UTF-8 (IDN). */
static bool label_ok(const char *p, size_t len)
{
	if (len == 0 || len > MAX_LABEL || p[0] == '-' || p[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c >= 0x80))
			return false;
	}
	return true;
}

static bool domain_ok(struct strview v)
{
	size_t start = 0, last = 0;
	bool digits_only = true;

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
	/* The top-level label: two or more characters, not all digits. */
	for (size_t i = last; i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			digits_only = false;
	return v.len - last >= 2 && !digits_only;
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
	if (!local_ok(local) || !domain_ok(domain))
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

bool email_is_valid(struct strview v)
{
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] >= 'A' && v.p[i] <= 'Z')
			return false;
	return utf8_is_valid(v) && check(v) == EMAIL_OK;
}
