/*
 * json: strings and objects of strings (json.h).
 */
#include "json.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

static const char json_esc[] = "\b\f\n\r\t\"\\/"; /* '/' only decoded */
static const char json_letter[] = "bfnrt\"\\/";

void json_str(struct buf *b, struct strview v)
{
	static const char hex[] = "0123456789abcdef";
	size_t from = 0;

	buf_addc(b, '"');
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];
		const char *e;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, v.p + from, i - from);
		from = i + 1;
		e = memchr(json_esc, c, sizeof(json_esc) - 2);
		if (e) {
			buf_addc(b, '\\');
			buf_addc(b, json_letter[e - json_esc]);
		} else {
			buf_add(b, "\\u00", 4);
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
	buf_add(b, v.p + from, v.len - from);
	buf_addc(b, '"');
}

/* Append rec as the JSON object {name: value, ...} of the columns h
 * names (a column past the header has no name to go under). */
void json_record(struct buf *b, const struct header *h,
		 const struct record *rec)
{
	size_t n = rec->n < header_count(h) ? rec->n : header_count(h);

	buf_addc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		json_str(b, record_field(&h->names, i));
		buf_addc(b, ':');
		json_str(b, record_field(rec, i));
	}
	buf_addc(b, '}');
}

static int hex4(const char *p, const char *end, uint32_t *cp)
{
	*cp = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0)
			return -1;
		*cp = *cp << 4 | (uint32_t)d;
	}
	return 0;
}

/* Decode the \uXXXX escape at *pp (after the backslash and 'u'), with its
 * low surrogate if it is a high one, into out. */
static int json_unicode(const char **pp, const char *end, struct buf *out)
{
	const char *p = *pp;
	uint32_t cp, lo;
	char utf8[4];
	size_t n;

	if (hex4(p, end, &cp) < 0)
		return -1;
	p += 4;
	if (cp >= 0xD800 && cp < 0xDC00) {
		if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
		    hex4(p + 2, end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	}
	n = utf8_encode(cp, utf8);
	if (!n)
		return -1;
	buf_add(out, utf8, n);
	*pp = p;
	return 0;
}

/* Decode the JSON string at *pp (after its opening quote) into out and
 * move *pp past its closing quote. -1 when malformed. */
int json_unstr(const char **pp, const char *end, struct buf *out)
{
	const char *p = *pp, *q;

	for (;;) {
		const char *e;

		q = p;
		while (q < end && *q != '"' && *q != '\\')
			q++;
		buf_add(out, p, (size_t)(q - p));
		if (q == end)
			return -1;
		if (*q == '"')
			break;
		if (++q == end)
			return -1;
		e = memchr(json_letter, *q, sizeof(json_letter) - 1);
		if (e) {
			buf_addc(out, json_esc[e - json_letter]);
			p = q + 1;
		} else if (*q != 'u') {
			return -1;
		} else {
			p = q + 1;
			if (json_unicode(&p, end, out) < 0)
				return -1;
		}
	}
	*pp = q + 1;
	return 0;
}

bool json_path(const char *path)
{
	size_t len = strlen(path);

	return len >= 5 && !strcmp(path + len - 5, ".json");
}
