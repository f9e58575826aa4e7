/*
 * phone: telephone numbers to E.164 by libphonenumber's metadata. See
 * phone.h for what is accepted.
 *
 * One pass collects the digits and refuses any character a number does
 * not have. Then, as libphonenumber's parse(): an international prefix
 * (+, 00) or the default region's calling code gives the country; the
 * national prefix is stripped by the region's rule; the national number is
 * valid when a number type of a region of that calling code matches it.
 * The metadata file is read whole into one block, cut into fields in
 * place; the regions point into it.
 */
#include "mappers/phone.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "pattern.h"
#include "utf8.h"

/* E.164 numbers have at most 15 digits; with "00", a trunk 0 or a 5-digit
 * IP-dialling prefix in front a real number still fits in 20. */
#define MAX_DIGITS 20
#define MAX_FILE (8u << 20) /* the real file is about 100 KB */
#define MAX_GROUPS 4

struct number {
	char d[MAX_DIGITS]; /* the digits, ASCII, not NUL-terminated */
	size_t n;
	bool plus; /* a + stood before the first digit */
};

/* libphonenumber's number types, in the order of libphonenumber-js. */
enum kind {
	K_FIXED,
	K_MOBILE,
	K_TOLL_FREE,
	K_PREMIUM,
	K_PERSONAL,
	K_VOICEMAIL,
	K_UAN,
	K_PAGER,
	K_VOIP,
	K_SHARED,
	N_KINDS
};

static const char *const kind_names[N_KINDS] = {
	"fixed",     "mobile", "toll_free", "premium_rate", "personal",
	"voicemail", "uan",    "pager",	    "voip",	    "shared_cost",
};

struct desc {
	const char *re;	   /* in the file's block; NULL: no such numbers */
	uint32_t lens;	   /* bit n: n digits possible; 0: the region's */
	struct pattern *p; /* owned, compiled on first use */
};

struct region {
	char code[4];	       /* CN, or 001 for non-geographic codes */
	unsigned cc;	       /* calling code */
	const char *prefix;    /* national prefix for parsing, or NULL */
	const char *transform; /* its transform rule ($1 ...), or NULL */
	const char *leading;   /* leading digits pattern, or NULL */
	struct pattern *prefix_p, *leading_p; /* owned */
	size_t n_groups;		      /* capturing groups of prefix */
	struct desc general;
	struct desc type[N_KINDS];
	bool same_fixed_mobile; /* one pattern for both: cannot tell */
};

struct meta {
	char *text;		/* owned: the file, cut into fields */
	struct region *regions; /* owned: by calling code, main first */
	size_t n;
	signed char state[1000]; /* per calling code: 0, 1 compiled, -1 bad */
	unsigned short by_code[26 * 26]; /* 1 + the region coded AA..ZZ */
	/* per calling code: its first region and how many, as the search
	 * of regions_of finds them (made once, at load) */
	unsigned short cc_first[1000], cc_count[1000];
	bool cc_table; /* they are filled */
};

static struct meta meta;
static int meta_state; /* 0 not tried, 1 loaded, -1 failed */

/* The mainland-mobile fast path (cn_mobile_fast): allowed (phone_fast),
 * and the metadata in use is the one it was written for. */
static struct {
	bool off;
	bool cn; /* CN's fingerprint is CN_FINGERPRINT */
} fast;

/* The last number phone_normalize() wrote and its type: normalize asks
 * phone_type_of() about it next (a mobile column), and the answer costs
 * up to a dozen pattern matches. */
static struct {
	char e164[24];
	size_t len;
	enum phone_type type;
} last;

static unsigned digits_value(const char *p, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v;
}

/* Length in bytes of an extension marker and its digits at v.p + i, or 0:
 * "#8001", "ext 12", "ext. 12", "x12", ";ext=12", "转8001", "分机 8001". */
static size_t extension_len(struct strview v, size_t i)
{
	static const char *const marks[] = {
		"#", ";ext=", "ext.",	      "ext",
		"x", "X",     "\xe8\xbd\xac", "\xe5\x88\x86\xe6\x9c\xba",
	};
	struct strview rest = svn(v.p + i, v.len - i);
	size_t k, n = 0;

	for (k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
		if (sv_starts(rest, marks[k]))
			break;
	if (k == sizeof(marks) / sizeof(marks[0]))
		return 0;
	rest = sv_trim(
		svn(rest.p + strlen(marks[k]), rest.len - strlen(marks[k])));
	while (n < rest.len && rest.p[n] >= '0' && rest.p[n] <= '9')
		n++;
	return n > 0 && n <= 6 && n == rest.len ? v.len - i : 0;
}

static int digit_value(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0xFF10 && cp <= 0xFF19) /* full-width digits */
		return (int)(cp - 0xFF10);
	return -1;
}

static const uint32_t separators[] = {
	0x00A0,						/* no-break space */
	0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, /* dashes */
	0x2212,						/* minus sign */
	0x3000,						/* ideographic space */
	0xFF08, 0xFF09, 0xFF0D, 0xFF0E, 0xFF0F,		/* full-width ()-./ */
	0xFF3B, 0xFF3D,					/* full-width [ ] */
};

/* Zero-width spaces and joiners, direction marks (a number copied from
 * a phone's contacts comes wrapped in U+202D ... U+202C), word joiner, BOM.
 */
static bool is_invisible(uint32_t cp)
{
	return (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 || cp == 0xFEFF;
}

static bool is_separator(uint32_t cp)
{
	if (cp < 0x80)
		return cp && strchr(" \t-./()[]", (int)cp);
	if (is_invisible(cp))
		return true;
	for (size_t i = 0; i < sizeof(separators) / sizeof(separators[0]); i++)
		if (cp == separators[i])
			return true;
	return false;
}

/* Length in bytes of "(0)" (any width) at p, or 0: the trunk 0 written
 * after a country code, as in +44 (0)20 7946 0958. */
static size_t trunk_zero_len(const char *p, size_t len)
{
	uint32_t cp[3];
	size_t k, at = 0;

	for (int i = 0; i < 3; i++) {
		k = utf8_decode(p + at, len - at, &cp[i]);
		if (k == 0)
			return 0;
		at += k;
	}
	if ((cp[0] == '(' || cp[0] == 0xFF08) && digit_value(cp[1]) == 0 &&
	    (cp[2] == ')' || cp[2] == 0xFF09))
		return at;
	return 0;
}

/* Collect the digits of v into num. PHONE_OK, or why v is no number. */
static enum phone_result scan(struct strview v, struct number *num)
{
	size_t i = 0, k, zero;
	uint32_t cp;
	int dig;

	num->n = 0;
	num->plus = false;
	while (i < v.len) {
		k = utf8_decode(v.p + i, v.len - i, &cp);
		if (k == 0)
			return PHONE_INVALID;
		if ((dig = digit_value(cp)) >= 0) {
			if (num->n == MAX_DIGITS)
				return PHONE_TOO_LONG;
			num->d[num->n++] = (char)('0' + dig);
		} else if ((cp == '+' || cp == 0xFF0B) && !num->n &&
			   !num->plus) {
			num->plus = true;
		} else if ((cp == '(' || cp == 0xFF08) && num->n &&
			   (zero = trunk_zero_len(v.p + i, v.len - i))) {
			k = zero;
		} else if (num->n >= 5 && extension_len(v, i)) {
			return PHONE_EXTENSION;
		} else if (!is_separator(cp)) {
			return PHONE_INVALID;
		}
		i += k;
	}
	if (!num->n)
		return num->plus ? PHONE_INVALID : PHONE_EMPTY;
	return PHONE_OK;
}

/*
 * The metadata file.
 */

static void meta_free(struct meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct region *r = &m->regions[i];

		pattern_free(r->prefix_p);
		pattern_free(r->leading_p);
		pattern_free(r->general.p);
		for (int k = 0; k < N_KINDS; k++)
			pattern_free(r->type[k].p);
	}
	free(m->regions);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

void phone_close(void)
{
	meta_free(&meta);
	meta_state = 0;
	last.len = 0;
	fast.cn = false;
}

/* Cut line into at most max tab-separated fields; returns their count. */
static size_t cut_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *tab = strchr(line, '\t');

		f[n++] = line;
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static const char *or_null(const char *s)
{
	return strcmp(s, "-") ? s : NULL;
}

/* "7,8,11" to bits 7, 8 and 11; "-" to 0. false on anything else. */
static bool parse_lens(const char *s, uint32_t *bits)
{
	*bits = 0;
	if (!strcmp(s, "-"))
		return true;
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v < 1 || v > 17 || (*end && *end != ','))
			return false;
		*bits |= 1u << v;
		s = *end ? end + 1 : end;
	}
	return *bits != 0;
}

/* Capturing groups of a pattern: '(' not escaped, not followed by '?'. */
static size_t count_groups(const char *re)
{
	size_t n = 0;

	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '(' && p[1] != '?')
			n++;
	}
	return n;
}

static bool parse_region(char **f, size_t nf, struct region *r)
{
	unsigned long cc;
	char *end;

	if (nf != 10 || strlen(f[1]) > 3 || !*f[1])
		return false;
	cc = strtoul(f[2], &end, 10);
	if (*end || cc < 1 || cc > 999 ||
	    (strcmp(f[3], "0") && strcmp(f[3], "1")))
		return false;
	memset(r, 0, sizeof(*r));
	memcpy(r->code, f[1], strlen(f[1]) + 1);
	r->cc = (unsigned)cc;
	r->prefix = or_null(f[5]);
	if (!r->prefix && strcmp(f[4], "-"))
		r->prefix = f[4]; /* the national prefix itself */
	r->transform = or_null(f[6]);
	r->leading = or_null(f[7]);
	r->n_groups = r->prefix ? count_groups(r->prefix) : 0;
	r->general.re = f[9];
	return parse_lens(f[8], &r->general.lens) && r->general.lens && *f[9];
}

static bool parse_type(char **f, size_t nf, struct region *r)
{
	int k;

	if (nf != 5 || !r || strcmp(f[1], r->code) || !*f[4])
		return false;
	for (k = 0; k < N_KINDS; k++)
		if (!strcmp(f[2], kind_names[k]))
			break;
	if (k == N_KINDS || r->type[k].re)
		return false;
	r->type[k].re = f[4];
	return parse_lens(f[3], &r->type[k].lens);
}

static size_t count_lines(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* One line: a comment, blank, an R or a T line. */
static bool parse_line(struct meta *m, char *line)
{
	char *f[10];
	size_t nf;
	struct region *prev = m->n ? &m->regions[m->n - 1] : NULL;

	if (!*line || *line == '#')
		return true;
	nf = cut_fields(line, f, 10);
	if (!strcmp(f[0], "T"))
		return parse_type(f, nf, prev);
	if (strcmp(f[0], "R") || !parse_region(f, nf, &m->regions[m->n]))
		return false;
	/* Sorted by calling code: lookups are a binary search. */
	if (prev && m->regions[m->n].cc < prev->cc)
		return false;
	m->n++;
	return true;
}

/* Where a two-letter region code (A-Z only) sits in meta.by_code. */
static size_t code_slot(const char *code)
{
	return (size_t)(code[0] - 'A') * 26 + (size_t)(code[1] - 'A');
}

/* The first region of calling code cc in m, and how many share it. */
static size_t search_cc(const struct meta *m, unsigned cc, size_t *count)
{
	size_t lo = 0, hi = m->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->regions[mid].cc < cc)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < m->n && m->regions[end].cc == cc; end++)
		;
	*count = end - lo;
	return lo;
}

static int parse_meta(struct meta *m, const char *path, struct mbr_err *err)
{
	char *s = m->text;
	size_t lineno = 0;

	m->regions = xcalloc(count_lines(s), sizeof(*m->regions));
	while (*s) {
		char *line = s, *nl = strchr(s, '\n');

		lineno++;
		if (nl) {
			*nl = '\0';
			s = nl + 1;
		} else {
			s += strlen(s);
		}
		if (!parse_line(m, line))
			return mbr_fail(err, MBR_ECONFIG,
					"%s:%zu: expected an R or T line of "
					"phone metadata (see its header)",
					path, lineno);
	}
	for (size_t i = 0; i < m->n; i++) {
		struct region *r = &m->regions[i];

		r->same_fixed_mobile =
			r->type[K_FIXED].re && r->type[K_MOBILE].re &&
			!strcmp(r->type[K_FIXED].re, r->type[K_MOBILE].re);
		if (r->code[0] >= 'A' && r->code[0] <= 'Z' &&
		    r->code[1] >= 'A' && r->code[1] <= 'Z' && !r->code[2] &&
		    i < USHRT_MAX && !m->by_code[code_slot(r->code)])
			m->by_code[code_slot(r->code)] =
				(unsigned short)(i + 1);
	}
	m->cc_table = m->n < USHRT_MAX;
	for (unsigned cc = 0; m->cc_table && cc < 1000; cc++) {
		size_t count, first = search_cc(m, cc, &count);

		m->cc_first[cc] = (unsigned short)first;
		m->cc_count[cc] = (unsigned short)count;
	}
	return m->n ? 0 : mbr_fail(err, MBR_ECONFIG, "%s: no regions", path);
}

/*
 * A fast path for the number nearly every export is full of, an 11-digit
 * mainland mobile, without a pattern. It was written from CN's metadata
 * of libphonenumber-js 1.13.18, and holds only for it: CN_FINGERPRINT is
 * a hash of that region's rules, and any other file turns it off. There,
 * for 11 digits starting 1 (a national number, ASCII digits):
 *   - the general pattern has 1\d{10}: it matches;
 *   - fixed line and shared cost numbers that start with 1 start with 10
 *     and have at most 10 digits; toll free and premium rate numbers have
 *     8, 10 or 12; CN has no other type; so the type is mobile when the
 *     mobile pattern
 *       1(?:610\d|740[0-5])\d{6}|
 *       1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}
 *     matches, else none (type_of);
 *   - the prefix for parsing (1(?:[12]\d|79)\d\d)|0 does not match a
 *     mobile (11, 12 and 179 are not mobile prefixes): nothing is
 *     stripped, and the number is a valid mobile (national).
 * test_phone compares both with the patterns on every start of 5 and 6
 * digits.
 */
#define CN_FINGERPRINT 0x6daae717472a4052ULL

static uint64_t fnv_str(uint64_t h, const char *s)
{
	if (!s)
		return (h ^ 0xfe) * 0x100000001b3ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static uint64_t fnv_u32(uint64_t h, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 0x100000001b3ULL;
	return h;
}

/* A hash of every rule of r that the fast path depends on. */
static uint64_t region_fingerprint(const struct region *r)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv_u32(fnv_str(h, r->code), r->cc);
	h = fnv_str(fnv_str(fnv_str(h, r->prefix), r->transform), r->leading);
	h = fnv_u32(fnv_str(h, r->general.re), r->general.lens);
	for (int k = 0; k < N_KINDS; k++)
		h = fnv_u32(fnv_str(h, r->type[k].re), r->type[k].lens);
	return h;
}

/* The fast paths hold for m: its one region of calling code 86 is CN,
 * with the rules they were written for; "CN" names it; no region has
 * calling code 8 (+86... is read as 86). */
static bool cn_checked(const struct meta *m)
{
	size_t count, first = search_cc(m, 86, &count), eight;

	search_cc(m, 8, &eight);
	return count == 1 && eight == 0 &&
	       !strcmp(m->regions[first].code, "CN") &&
	       m->by_code[code_slot("CN")] == first + 1 &&
	       region_fingerprint(&m->regions[first]) == CN_FINGERPRINT;
}

/* Is d (11 ASCII digits, d[0] '1') a mobile by CN's pattern above? */
static bool cn_mobile_digits(const char *d)
{
	switch (d[1]) {
	case '3':
	case '8':
		return true;
	case '4':
		return d[2] == '5' || d[2] == '7';
	case '5':
	case '9':
		return d[2] != '4';
	case '6':
		return d[2] == '2' || (d[2] >= '5' && d[2] <= '7') ||
		       (d[2] == '1' && d[3] == '0');
	case '7':
		return (d[2] != '4' && d[2] != '9') ||
		       (d[2] == '4' && d[3] == '0' && d[4] <= '5');
	default:
		return false;
	}
}

/* Does the fast path decide the n digits at d of calling code cc? */
static bool cn_fast(unsigned cc, const char *d, size_t n)
{
	return cc == 86 && n == 11 && fast.cn && !fast.off && d[0] == '1';
}

/*
 * A mainland mobile as exports write it, straight to E.164: its 11
 * digits, grouped or not by spaces and dashes, after "+86" or at home in
 * CN (default region NULL, "CN" or "86"). The general path would trim
 * nothing (a digit or + at each end), strip no "tel:" or ".0", skip the
 * spaces and dashes as separators (no extension marker starts with
 * them), find no own calling code in front (the digits start with 1), and
 * read +86 as calling code 86 (there is no 8); then national() takes the
 * fast path above. d gets the 11 digits.
 */
static bool cn_mobile_written(struct strview in, const char *default_region,
			      char *d)
{
	size_t i = 0, n = 0;

	if (in.len < 11 || in.len > 24 || !fast.cn || fast.off ||
	    in.p[in.len - 1] < '0' || in.p[in.len - 1] > '9')
		return false;
	if (in.p[0] == '+') {
		if (in.p[1] != '8' || in.p[2] != '6')
			return false;
		i = 3;
	} else if (in.p[0] < '0' || in.p[0] > '9' ||
		   (default_region && strcmp(default_region, "CN") &&
		    strcmp(default_region, "86"))) {
		return false;
	}
	for (; i < in.len; i++) {
		if (in.p[i] >= '0' && in.p[i] <= '9') {
			if (n == 11)
				return false;
			d[n++] = in.p[i];
		} else if (in.p[i] != ' ' && in.p[i] != '-') {
			return false;
		}
	}
	return n == 11 && d[0] == '1' && cn_mobile_digits(d);
}

bool phone_fast(bool on)
{
	fast.off = !on;
	return on && fast.cn;
}

static int compile_cc(unsigned cc, struct mbr_err *err);

int phone_load_metadata(const char *path, struct mbr_err *err)
{
	struct meta m = {0};
	size_t len;

	m.text = datafile_read(path, MAX_FILE, &len, err);
	if (!m.text)
		return -1;
	if (memchr(m.text, '\0', len)) {
		mbr_fail(err, MBR_ECONFIG, "%s: NUL byte in text", path);
		goto fail;
	}
	if (parse_meta(&m, path, err) < 0)
		goto fail;
	meta_free(&meta);
	meta = m;
	meta_state = 1;
	last.len = 0;
	fast.cn = cn_checked(&meta);
	/* China's patterns now: a broken file stops the run at start. */
	if (compile_cc(86, err) < 0) {
		mbr_prefix(err, "%s: ", path);
		phone_close();
		meta_state = -1;
		return -1;
	}
	return 0;
fail:
	meta_free(&m);
	return -1;
}

int phone_open(struct mbr_err *err)
{
	char path[4096];

	if (meta_state == 1)
		return 0;
	if (datafile_path("phone_metadata.tsv", path, sizeof(path), err) < 0 ||
	    phone_load_metadata(path, err) < 0) {
		meta_state = -1;
		return -1;
	}
	return 0;
}

static bool ready(void)
{
	struct mbr_err err;

	if (meta_state == 0)
		phone_open(&err);
	return meta_state == 1;
}

/* The first region of calling code cc, and how many share it. */
static struct region *regions_of(unsigned cc, size_t *count)
{
	size_t first;

	if (cc < 1000 && meta.cc_table) {
		*count = meta.cc_count[cc];
		return *count ? &meta.regions[meta.cc_first[cc]] : NULL;
	}
	first = search_cc(&meta, cc, count);
	return *count ? &meta.regions[first] : NULL;
}

static int compile_one(const char *re, enum pattern_flags flags,
		       struct pattern **p, const struct region *r,
		       struct mbr_err *err)
{
	if (!re || *p)
		return 0;
	*p = pattern_new(sv(re), flags, err);
	if (!*p)
		return mbr_prefix(err, "region %s: ", r->code);
	return 0;
}

static int compile_region(struct region *r, struct mbr_err *err)
{
	if (compile_one(r->prefix, PATTERN_PREFIX, &r->prefix_p, r, err) < 0 ||
	    compile_one(r->leading, PATTERN_PREFIX, &r->leading_p, r, err) <
		    0 ||
	    compile_one(r->general.re, 0, &r->general.p, r, err) < 0)
		return -1;
	for (int k = 0; k < N_KINDS; k++)
		if (compile_one(r->type[k].re, 0, &r->type[k].p, r, err) < 0)
			return -1;
	return 0;
}

/* Compile the patterns of calling code cc once. */
static int compile_cc(unsigned cc, struct mbr_err *err)
{
	struct region *r;
	size_t n;

	if (cc >= sizeof(meta.state) || meta.state[cc] < 0)
		return -1;
	if (meta.state[cc] > 0)
		return 0;
	r = regions_of(cc, &n);
	for (size_t i = 0; i < n; i++)
		if (compile_region(&r[i], err) < 0) {
			meta.state[cc] = -1;
			return -1;
		}
	meta.state[cc] = 1;
	return 0;
}

int phone_compile_all(struct mbr_err *err)
{
	if (!ready())
		return phone_open(err);
	for (size_t i = 0; i < meta.n; i++)
		if (compile_cc(meta.regions[i].cc, err) < 0)
			return -1;
	return 0;
}

/* The regions of cc, compiled; NULL when there are none or they are bad. */
static struct region *usable(unsigned cc, size_t *count)
{
	struct mbr_err err;
	struct region *r = regions_of(cc, count);

	if (!r || compile_cc(cc, &err) < 0)
		return NULL;
	return r;
}

/*
 * Matching, as libphonenumber's PhoneNumberUtil.
 */

static bool matches(struct pattern *p, const char *d, size_t n)
{
	return p && pattern_match(p, svn(d, n)) == PATTERN_MATCH;
}

/* _is_number_matching_desc: the type's lengths, then its pattern. */
static bool desc_has(const struct region *r, const struct desc *x,
		     const char *d, size_t n)
{
	uint32_t lens = x->lens ? x->lens : r->general.lens;

	return x->p && n <= 17 && (lens & (1u << n)) && matches(x->p, d, n);
}

/* _number_type_helper. */
static enum phone_type type_in(const struct region *r, const char *d, size_t n)
{
	static const enum kind others[] = {
		K_PREMIUM,  K_TOLL_FREE, K_SHARED, K_VOIP,
		K_PERSONAL, K_PAGER,	 K_UAN,	   K_VOICEMAIL,
	};

	if (!desc_has(r, &r->general, d, n))
		return PHONE_TYPE_UNKNOWN;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (desc_has(r, &r->type[others[i]], d, n))
			return PHONE_TYPE_OTHER;
	if (desc_has(r, &r->type[K_FIXED], d, n))
		return r->same_fixed_mobile ||
				       desc_has(r, &r->type[K_MOBILE], d, n)
			       ? PHONE_TYPE_FIXED_OR_MOBILE
			       : PHONE_TYPE_FIXED;
	if (!r->same_fixed_mobile && desc_has(r, &r->type[K_MOBILE], d, n))
		return PHONE_TYPE_MOBILE;
	return PHONE_TYPE_UNKNOWN;
}

/* _region_code_for_number_from_list, then the type in that region. */
static enum phone_type type_of(unsigned cc, const char *d, size_t n)
{
	size_t count, len;
	struct region *r = usable(cc, &count);
	struct strview g[1];
	enum phone_type t;

	if (cn_fast(cc, d, n))
		return cn_mobile_digits(d) ? PHONE_TYPE_MOBILE
					   : PHONE_TYPE_UNKNOWN;
	for (size_t i = 0; r && i < count; i++) {
		if (r[i].leading_p) {
			if (pattern_prefix(r[i].leading_p, svn(d, n), &len, g,
					   0) == PATTERN_MATCH)
				return type_in(&r[i], d, n);
		} else if ((t = type_in(&r[i], d, n)) != PHONE_TYPE_UNKNOWN) {
			return t; /* once: it runs up to eleven patterns */
		}
	}
	return PHONE_TYPE_UNKNOWN;
}

/* The default region: "CN", or calling code digits ("852"). */
static struct region *region_named(const char *name)
{
	struct region *r;
	char code[3];
	size_t count;

	if (!name)
		name = "CN";
	if (name[0] >= '0' && name[0] <= '9')
		return usable((unsigned)strtoul(name, NULL, 10), &count);
	if (strlen(name) != 2)
		return NULL;
	code[0] = (char)(name[0] & ~0x20);
	code[1] = (char)(name[1] & ~0x20);
	code[2] = '\0';
	if (code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' ||
	    !meta.by_code[code_slot(code)])
		return NULL;
	r = &meta.regions[meta.by_code[code_slot(code)] - 1];
	return usable(r->cc, &count) ? r : NULL;
}

/* $1 ... $9 of rule with the groups g, then rest, into out (at most
 * MAX_DIGITS); false when it does not fit. */
static bool transform(const char *rule, const struct strview *g,
		      struct strview rest, char *out, size_t *n)
{
	*n = 0;
	for (const char *p = rule; *p; p++) {
		struct strview piece = svn(p, 1);

		if (*p == '$' && p[1] >= '1' && p[1] <= '0' + MAX_GROUPS)
			piece = g[*++p - '1'];
		if (*n + piece.len > MAX_DIGITS)
			return false;
		if (piece.len)
			memcpy(out + *n, piece.p, piece.len);
		*n += piece.len;
	}
	if (*n + rest.len > MAX_DIGITS)
		return false;
	memcpy(out + *n, rest.p, rest.len);
	*n += rest.len;
	return true;
}

/* maybe_strip_national_prefix_and_carrier_code: strip r's national
 * prefix from the n digits at d, in place, unless that would turn a
 * number that fits the region's pattern into one that does not. */
static size_t strip_national(const struct region *r, char *d, size_t n)
{
	struct strview g[MAX_GROUPS];
	char tmp[MAX_DIGITS];
	size_t len, m;
	bool viable;

	if (!r->prefix_p || n == 0 ||
	    pattern_prefix(r->prefix_p, svn(d, n), &len, g, MAX_GROUPS) !=
		    PATTERN_MATCH)
		return n;
	viable = matches(r->general.p, d, n);
	if (!r->transform || r->n_groups == 0 || r->n_groups > MAX_GROUPS ||
	    !g[r->n_groups - 1].p) {
		if (viable && !matches(r->general.p, d + len, n - len))
			return n;
		memmove(d, d + len, n - len);
		return n - len;
	}
	if (!transform(r->transform, g, svn(d + len, n - len), tmp, &m) ||
	    (viable && !matches(r->general.p, tmp, m)))
		return n;
	memcpy(d, tmp, m);
	return m;
}

struct e164 {
	unsigned cc;
	char d[MAX_DIGITS]; /* national significant number */
	size_t n;
	enum phone_type type; /* once valid */
};

/* Shortest and longest national number of any region of cc. */
static void length_range(unsigned cc, unsigned *lo, unsigned *hi)
{
	size_t count;
	struct region *r = regions_of(cc, &count);
	uint32_t all = 0;

	for (size_t i = 0; i < count; i++)
		all |= r[i].general.lens;
	*lo = all ? (unsigned)__builtin_ctz(all) : 7;
	*hi = all ? 31u - (unsigned)__builtin_clz(all) : 15;
}

/* Is d (n digits) the start of a valid number of cc: does it become one
 * with a few digits more? Tried with a handful of tails, which is enough
 * for "one digit missing" without enumerating every completion. */
static bool starts_valid(unsigned cc, const char *d, size_t n, unsigned hi)
{
	static const char tails[] = "0123456789";
	char tmp[MAX_DIGITS];

	memcpy(tmp, d, n);
	for (size_t len = n + 1; len <= hi && len <= MAX_DIGITS; len++)
		for (size_t t = 0; t < sizeof(tails) - 1; t++) {
			memset(tmp + n, tails[t], len - n);
			if (type_of(cc, tmp, len) != PHONE_TYPE_UNKNOWN)
				return true;
		}
	return false;
}

/* The verdict on e's national number: valid; else too short when a few
 * digits more make it valid, too long when a start of it is valid, else
 * a bad prefix (as libphonenumber's possible lengths, by type). */
static enum phone_result verdict(struct e164 *e)
{
	unsigned lo, hi;

	e->type = type_of(e->cc, e->d, e->n);
	if (e->type != PHONE_TYPE_UNKNOWN)
		return PHONE_OK;
	length_range(e->cc, &lo, &hi);
	if (e->n < lo)
		return PHONE_TOO_SHORT;
	if (e->n > hi)
		return PHONE_TOO_LONG;
	for (size_t k = e->n - 1; k >= lo && k > 0; k--)
		if (type_of(e->cc, e->d, k) != PHONE_TYPE_UNKNOWN)
			return PHONE_TOO_LONG;
	if (starts_valid(e->cc, e->d, e->n, hi))
		return PHONE_TOO_SHORT;
	return PHONE_BAD_PREFIX;
}

/* The national number d (n digits) in region r: strip, then judge. */
static enum phone_result national(const struct region *r, const char *d,
				  size_t n, struct e164 *e)
{
	e->cc = r->cc;
	memcpy(e->d, d, n);
	if (cn_fast(r->cc, d, n) && cn_mobile_digits(d)) {
		e->n = n;
		e->type = PHONE_TYPE_MOBILE;
		return PHONE_OK;
	}
	e->n = strip_national(r, e->d, n);
	if (e->n < 2)
		return PHONE_TOO_SHORT;
	return verdict(e);
}

/* Digits after + or 00: a calling code, then the national number, read
 * by the rules of the code's main region. */
static enum phone_result international(const char *d, size_t n, struct e164 *e)
{
	size_t count;

	if (n < 3)
		return PHONE_TOO_SHORT;
	if (d[0] == '0')
		return PHONE_BAD_PREFIX;
	/* Calling codes are a prefix code: at most one of 1-3 digits fits. */
	for (size_t len = 1; len <= 3; len++) {
		struct region *r = usable(digits_value(d, len), &count);

		if (r)
			return national(r, d + len, n - len, e);
	}
	return PHONE_BAD_PREFIX;
}

/* Write "+" and the 1-3 digits of cc at p; returns the length. */
static size_t put_cc(char *p, unsigned cc)
{
	size_t n = cc >= 100 ? 3 : cc >= 10 ? 2 : 1;

	if (cc == 0) { /* shape only: the digits carry the code */
		p[0] = '+';
		return 1;
	}
	p[0] = '+';
	for (size_t i = n; i > 0; i--, cc /= 10)
		p[i] = (char)('0' + cc % 10);
	return n + 1;
}

/* _maybe_extract_country_code for a number that starts with the default
 * region's own calling code, written without + (8613812345678): take it
 * as the calling code when the whole does not fit the region and the
 * rest does, or the whole is too long. */
static bool own_code_first(const struct region *r, const struct number *num,
			   struct e164 *e)
{
	char cc[5], rest[MAX_DIGITS];
	size_t len, m;
	unsigned lo, hi;

	if (r->cc == 0 || r->cc > 999)
		return false; /* no calling code has more than 3 digits */
	len = put_cc(cc, r->cc) - 1; /* the digits after the + */

	if (num->n <= len || memcmp(num->d, cc + 1, len))
		return false;
	m = num->n - len;
	memcpy(rest, num->d + len, m);
	m = strip_national(r, rest, m);
	length_range(r->cc, &lo, &hi);
	if ((matches(r->general.p, num->d, num->n) ||
	     !matches(r->general.p, rest, m)) &&
	    num->n <= hi)
		return false;
	return national(r, num->d + len, num->n - len, e) == PHONE_OK;
}

/* Without metadata: shape only. */
static enum phone_result shape_only(const struct number *num, struct e164 *e)
{
	const char *d = num->d;
	size_t n = num->n;

	if (!num->plus && n > 2 && d[0] == '0' && d[1] == '0') {
		d += 2;
		n -= 2;
	} else if (!num->plus) {
		return PHONE_BAD_PREFIX;
	}
	if (n < 8)
		return PHONE_TOO_SHORT;
	if (n > 15)
		return PHONE_TOO_LONG;
	if (d[0] == '0')
		return PHONE_BAD_PREFIX;
	e->cc = 0;
	memcpy(e->d, d, n);
	e->n = n;
	return PHONE_OK;
}

static enum phone_result classify(const struct number *num,
				  const char *default_region, struct e164 *e)
{
	const struct region *home;
	enum phone_result r;

	if (!ready())
		return shape_only(num, e);
	if (num->plus)
		return international(num->d, num->n, e);
	home = region_named(default_region);
	if (!home)
		return PHONE_BAD_PREFIX;
	/* 00 everywhere we serve; 011 in the NANP. */
	if (num->n > 2 && num->d[0] == '0' && num->d[1] == '0')
		return international(num->d + 2, num->n - 2, e);
	if (home->cc == 1 && num->n > 3 && !memcmp(num->d, "011", 3))
		return international(num->d + 3, num->n - 3, e);
	if (own_code_first(home, num, e))
		return PHONE_OK;
	r = national(home, num->d, num->n, e);
	return r;
}

/* "tel:" (RFC 3966) before the number, any case. */
static struct strview strip_tel(struct strview v)
{
	if (v.len >= 4 && (v.p[0] | 0x20) == 't' && (v.p[1] | 0x20) == 'e' &&
	    (v.p[2] | 0x20) == 'l' && v.p[3] == ':') {
		v.p += 4;
		v.len -= 4;
	}
	return v;
}

/* "13812345678.0": a number that went through a spreadsheet as a float.
 * The ".0" goes when it is the only dot and follows a digit. */
static struct strview strip_float_zero(struct strview v)
{
	size_t i = v.len;

	while (i > 0 && v.p[i - 1] == '0')
		i--;
	if (i == v.len || i < 2 || v.p[i - 1] != '.' || v.p[i - 2] < '0' ||
	    v.p[i - 2] > '9' || memchr(v.p, '.', i - 1))
		return v;
	v.len = i - 1;
	return v;
}

enum phone_result phone_normalize(struct strview in, const char *default_region,
				  struct buf *out)
{
	struct number num;
	struct e164 e;
	enum phone_result r;
	char tmp[1 + 3 + MAX_DIGITS];
	size_t len;

	if (meta_state == 1 && cn_mobile_written(in, default_region, tmp + 3)) {
		memcpy(tmp, "+86", 3);
		if (buf_add(out, tmp, 14) < 0)
			return PHONE_TOO_LONG;
		memcpy(last.e164, tmp, 14);
		last.len = 14;
		last.type = PHONE_TYPE_MOBILE;
		return PHONE_OK;
	}
	r = scan(strip_float_zero(strip_tel(sv_trim(in))), &num);
	if (r != PHONE_OK)
		return r;
	r = classify(&num, default_region, &e);
	if (r != PHONE_OK)
		return r;
	len = put_cc(tmp, e.cc);
	memcpy(tmp + len, e.d, e.n);
	if (len + e.n > 16 || buf_add(out, tmp, len + e.n) < 0)
		return PHONE_TOO_LONG;
	memcpy(last.e164, tmp, len + e.n);
	last.len = len + e.n;
	last.type = e.cc ? e.type : PHONE_TYPE_UNKNOWN;
	return PHONE_OK;
}

const char *phone_result_str(enum phone_result r)
{
	static const char *const names[] = {
		[PHONE_OK] = "ok",
		[PHONE_EMPTY] = "empty",
		[PHONE_TOO_SHORT] = "too short",
		[PHONE_TOO_LONG] = "too long",
		[PHONE_BAD_PREFIX] = "bad prefix",
		[PHONE_INVALID] = "invalid",
		[PHONE_EXTENSION] = "has an extension",
	};

	if ((unsigned)r < sizeof(names) / sizeof(names[0]))
		return names[r];
	return "invalid";
}

const char *phone_type_str(enum phone_type t)
{
	static const char *const names[] = {
		[PHONE_TYPE_UNKNOWN] = "unknown",
		[PHONE_TYPE_FIXED] = "fixed line",
		[PHONE_TYPE_MOBILE] = "mobile",
		[PHONE_TYPE_FIXED_OR_MOBILE] = "fixed line or mobile",
		[PHONE_TYPE_OTHER] = "other",
	};

	if ((unsigned)t < sizeof(names) / sizeof(names[0]))
		return names[t];
	return "unknown";
}

bool phone_is_e164(struct strview v)
{
	if (v.len < 8 || v.len > 16 || v.p[0] != '+' || v.p[1] == '0')
		return false;
	for (size_t i = 1; i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
	return true;
}

enum phone_type phone_type_of(struct strview v)
{
	size_t count;

	if (v.len == last.len && last.len && !memcmp(v.p, last.e164, v.len))
		return last.type;
	if (!phone_is_e164(v) || !ready())
		return PHONE_TYPE_UNKNOWN;
	for (size_t len = 1; len <= 3; len++) {
		unsigned cc = digits_value(v.p + 1, len);

		if (usable(cc, &count))
			return type_of(cc, v.p + 1 + len, v.len - 1 - len);
	}
	return PHONE_TYPE_UNKNOWN;
}

/* Mainland mobile prefixes of the metadata the file was made from, for
 * callers that never load it (mbr-validate's rules): libphonenumber-js
 * 1.13.18, region CN, mobile:
 *   1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|
 *   7[0-35-8])\d{8}
 * test_phone checks the list against the file's pattern. */
static const char *const builtin_prefixes[] = {
	"130",	 "131",	  "132",   "133",   "134", "135",  "136",   "137",
	"138",	 "139",	  "145",   "147",   "150", "151",  "152",   "153",
	"155",	 "156",	  "157",   "158",   "159", "1610", "162",   "165",
	"166",	 "167",	  "170",   "171",   "172", "173",  "17400", "17401",
	"17402", "17403", "17404", "17405", "175", "176",  "177",   "178",
	"180",	 "181",	  "182",   "183",   "184", "185",  "186",   "187",
	"188",	 "189",	  "190",   "191",   "192", "193",  "195",   "196",
	"197",	 "198",	  "199",
};

static bool builtin_cn_mobile(const char *d)
{
	/* Every prefix has three digits at least: compare those first. */
	for (size_t i = 0; i < sizeof(builtin_prefixes) / sizeof(char *); i++)
		if (builtin_prefixes[i][1] == d[1] &&
		    builtin_prefixes[i][2] == d[2] && d[0] == '1' &&
		    !strncmp(d, builtin_prefixes[i],
			     strlen(builtin_prefixes[i])))
			return true;
	return false;
}

bool phone_is_cn_mobile(struct strview v)
{
	enum phone_type t;

	if (v.len != 14 || !phone_is_e164(v) || memcmp(v.p, "+86", 3))
		return false;
	if (meta_state != 1)
		return builtin_cn_mobile(v.p + 3);
	t = type_of(86, v.p + 3, 11);
	return t == PHONE_TYPE_MOBILE || t == PHONE_TYPE_FIXED_OR_MOBILE;
}
