/*
 * encoding: iconv decoding with bad-byte events, sniffing, and encoding.
 */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */
#define SNIFF_BYTES 65536

struct encoding_decoder {
	char name[32]; /* encoding in use, after sniffing */
	bool sniff;    /* "auto": decide on the first chunk */
	bool utf8;     /* no iconv: validate and copy */
	bool started;  /* past the first chunk (BOM handled) */
	iconv_t cd;    /* (iconv_t)-1 for UTF-8 */
	size_t unit;   /* bytes to skip over an invalid unit */
	char carry[8]; /* a sequence cut at the end of the last chunk */
	size_t n_carry;
	unsigned long long in_off;   /* input bytes consumed so far */
	unsigned long long produced; /* output bytes before this call */
	size_t call_start;	     /* out->len when this call began */
	struct encoding_bad *bad;    /* owned: queue of events */
	size_t n_bad, head, cap_bad;
	struct gb_pair *gb; /* owned, GB18030 only: its two-byte codes */
	iconv_t gb_cd;	    /* owned: converts one pair for gb */
};

/*
 * GB18030 without iconv for most of a file: ASCII is copied, and a
 * two-byte code is looked up in a table that iconv fills one code at a
 * time, the first time the code is seen. Anything else (four-byte codes,
 * invalid bytes, a code cut by the end of the input) goes to iconv.
 */
#define GB_LEADS (0xFE - 0x81 + 1)
#define GB_TRAILS (0xFF - 0x40)
enum { GB_UNKNOWN = 0, GB_ICONV = 0xFF };

struct gb_pair {
	unsigned char len; /* bytes of UTF-8 in u; GB_UNKNOWN; GB_ICONV */
	char u[3];
};

static const struct {
	const char *alias, *name;
} aliases[] = {
	{"utf8", "UTF-8"},	  {"utf-8", "UTF-8"},
	{"gbk", "GB18030"},	  {"gb2312", "GB18030"},
	{"cp936", "GB18030"},	  {"gb18030", "GB18030"},
	{"euc-cn", "GB18030"},	  {"big5", "BIG5"},
	{"unicode", "UTF-16"},	  {"utf-16", "UTF-16"},
	{"utf16", "UTF-16"},	  {"utf-16le", "UTF-16LE"},
	{"utf-16be", "UTF-16BE"}, {"big5-hkscs", "BIG5-HKSCS"},
};

const char *encoding_canonical(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(name, aliases[i].alias))
			return aliases[i].name;
	return name;
}

static int set_encoding(struct encoding_decoder *d, const char *name,
			struct mbr_err *err)
{
	snprintf(d->name, sizeof(d->name), "%s", encoding_canonical(name));
	d->utf8 = !strcmp(d->name, "UTF-8");
	if (d->utf8)
		return 0;
	d->cd = iconv_open("UTF-8", d->name);
	if (d->cd == (iconv_t)-1)
		return mbr_fail(
			err, MBR_ECONFIG,
			"unknown encoding '%s' (expected an iconv name such as "
			"GB18030, UTF-16LE, BIG5, UTF-8 or auto)",
			name);
	d->unit = strncmp(d->name, "UTF-16", 6) ? 1 : 2;
	if (!strncmp(d->name, "UTF-32", 6))
		d->unit = 4;
	if (!strcmp(d->name, "GB18030")) {
		d->gb_cd = iconv_open("UTF-8", d->name);
		if (d->gb_cd != (iconv_t)-1)
			d->gb = xcalloc(GB_LEADS * GB_TRAILS, sizeof(*d->gb));
	}
	return 0;
}

struct encoding_decoder *encoding_open(const char *name, struct mbr_err *err)
{
	struct encoding_decoder *d = xcalloc(1, sizeof(*d));

	d->cd = (iconv_t)-1;
	d->gb_cd = (iconv_t)-1;
	d->unit = 1;
	if (!name || !*name)
		name = "UTF-8";
	if (!strcasecmp(name, "auto")) {
		d->sniff = true;
		snprintf(d->name, sizeof(d->name), "auto");
		return d;
	}
	if (set_encoding(d, name, err) < 0) {
		free(d);
		return NULL;
	}
	return d;
}

void encoding_close(struct encoding_decoder *d)
{
	if (!d)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	if (d->gb_cd != (iconv_t)-1)
		iconv_close(d->gb_cd);
	free(d->gb);
	free(d->bad);
	free(d);
}

const char *encoding_name(const struct encoding_decoder *d)
{
	return d->name;
}

static void push_bad(struct encoding_decoder *d, unsigned long long in_off,
		     unsigned long long out_off, unsigned char byte, bool nul,
		     bool truncated)
{
	struct encoding_bad *ev;

	if (d->head == d->n_bad) {
		d->head = d->n_bad = 0;
	}
	if (d->n_bad == d->cap_bad) {
		d->cap_bad = d->cap_bad ? d->cap_bad * 2 : 16;
		d->bad = xrealloc(d->bad, d->cap_bad * sizeof(*d->bad));
	}
	ev = &d->bad[d->n_bad++];
	ev->in_off = in_off;
	ev->out_off = out_off;
	ev->byte = byte;
	ev->nul = nul;
	ev->truncated = truncated;
}

bool encoding_take_bad(struct encoding_decoder *d, unsigned long long before,
		       struct encoding_bad *ev)
{
	if (d->head == d->n_bad || d->bad[d->head].out_off >= before)
		return false;
	*ev = d->bad[d->head++];
	return true;
}

/* UTF-16 without a BOM: text that is mostly ASCII has a NUL in every
 * other byte. 1 for little endian, 2 for big endian, 0 for neither. */
static int utf16_guess(const unsigned char *p, size_t n)
{
	size_t even = 0, odd = 0;

	if (n < 4)
		return 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		even += p[i] == 0;
		odd += p[i + 1] == 0;
	}
	if (odd * 8 >= n / 2 && even * 20 < odd)
		return 1;
	if (even * 8 >= n / 2 && odd * 20 < even)
		return 2;
	return 0;
}

/* Big5 or GB18030, for bytes that are not UTF-8. Both are double-byte
 * encodings over the same lead bytes, so each pair is weighed: a trail
 * byte of 0x40-0x7E is a common Big5 character but a rare GBK extension;
 * a lead of 0xA4-0xAF is Big5's most frequent characters but kana, Greek
 * or unassigned in GB2312; a lead of 0xC7-0xF7 is GB2312's hanzi but
 * Big5's rarer ones (or unassigned). A four-byte GB18030 sequence or a
 * pair Big5 cannot hold settles it for GB18030. */
static bool big5_likelier(const unsigned char *p, size_t n)
{
	size_t big5 = 0, gb = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = p[i], t;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		t = p[i + 1];
		if (t >= 0x30 && t <= 0x39)
			return false; /* GB18030 four-byte */
		if (c < 0xA1 || c > 0xF9 ||
		    !((t >= 0x40 && t <= 0x7E) || (t >= 0xA1 && t <= 0xFE)))
			return false;
		if (t <= 0x7E || (c >= 0xA4 && c <= 0xAF))
			big5++;
		else if (c >= 0xC7 && c <= 0xF7)
			gb++;
		i += 2;
	}
	return big5 > gb;
}

const char *encoding_sniff(const char *in, size_t len, bool *bom)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;
	size_t bad;
	int u16;

	*bom = true;
	if (len >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3))
		return "UTF-8";
	if (len >= 2 && !memcmp(in, "\xFF\xFE", 2))
		return "UTF-16LE";
	if (len >= 2 && !memcmp(in, "\xFE\xFF", 2))
		return "UTF-16BE";
	*bom = false;
	u16 = utf16_guess(p, n);
	if (u16)
		return u16 == 1 ? "UTF-16LE" : "UTF-16BE";
	bad = utf8_check(in, n);
	/* A sequence cut by the end of the sniffed window is not evidence. */
	if (bad == n || (n == SNIFF_BYTES && n - bad < 4))
		return "UTF-8";
	return big5_likelier(p, n) ? "BIG5" : "GB18030";
}

/* Decide what "auto" means from the first chunk. */
static int sniff(struct encoding_decoder *d, const char *in, size_t len,
		 struct mbr_err *err)
{
	bool bom;

	d->sniff = false;
	return set_encoding(d, encoding_sniff(in, len, &bom), err);
}

/* Offset of the output's end in the whole decoded stream. */
static unsigned long long out_pos(const struct encoding_decoder *d,
				  const struct buf *out)
{
	return d->produced + (out->len - d->call_start);
}

static int add_replacement(struct encoding_decoder *d, struct buf *out,
			   unsigned long long in_off, unsigned char byte,
			   bool nul, bool truncated)
{
	push_bad(d, in_off, out_pos(d, out), byte, nul, truncated);
	return buf_add(out, REPLACEMENT, 3);
}

/* Whether p[0..len) is the start of a valid UTF-8 sequence cut short:
 * completed with continuation bytes, it decodes. 0x80, 0x90 and 0xA0
 * cover the narrower second-byte ranges after E0, ED, F0 and F4. */
static bool utf8_is_cut(const char *p, size_t len)
{
	static const unsigned char fill[] = {0x80, 0x90, 0xA0};
	unsigned char c = (unsigned char)p[0];
	size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	char tmp[4];
	uint32_t cp;

	if (c < 0xC2 || c > 0xF4 || len >= need)
		return false;
	memcpy(tmp, p, len);
	for (size_t k = 0; k < sizeof(fill); k++) {
		memset(tmp + len, (char)fill[k], need - len);
		if (utf8_decode(tmp, need, &cp) == need)
			return true;
	}
	return false;
}

/* UTF-8 input: copy valid runs, replace each invalid byte and each NUL. */
static int decode_utf8(struct encoding_decoder *d, const char *in, size_t len,
		       bool final, struct buf *out, size_t *used)
{
	size_t i = 0;

	while (i < len) {
		size_t run = utf8_check(in + i, len - i);
		const char *nul = memchr(in + i, '\0', run);
		bool cut;

		if (nul)
			run = (size_t)(nul - (in + i));
		if (buf_add(out, in + i, run) < 0)
			return -1;
		i += run;
		if (i == len)
			break;
		/* A sequence cut by the chunk boundary waits for the next
		 * chunk; cut by the end of the input, it is "truncated". */
		cut = !nul && utf8_is_cut(in + i, len - i);
		if (cut && !final)
			break;
		if (add_replacement(d, out, d->in_off + i, (unsigned char)in[i],
				    nul != NULL, cut) < 0)
			return -1;
		i++;
	}
	*used = i;
	return 0;
}

/* The first NUL code unit (unit zero bytes at a unit boundary) in
 * in[0..len), or len. */
static size_t nul_unit(const char *in, size_t len, size_t unit)
{
	size_t i, k;

	for (i = 0; i + unit <= len; i += unit) {
		for (k = 0; k < unit && in[i + k] == '\0'; k++)
			;
		if (k == unit)
			return i;
	}
	return len;
}

/* Scan newly decoded output for NUL bytes: iconv passes them through.
 * in[0..len) is the input that produced them, starting at in_off; the
 * k-th NUL of the output comes from its k-th NUL unit, since no other
 * character has a zero byte in UTF-8. */
static void replace_nuls(struct encoding_decoder *d, struct buf *out,
			 size_t from, const char *in, size_t len,
			 unsigned long long in_off)
{
	size_t at_in = 0;
	char *p;

	while ((p = memchr(out->p + from, '\0', out->len - from)) != NULL) {
		size_t at = (size_t)(p - out->p);

		at_in += nul_unit(in + at_in, len - at_in, d->unit);
		/* One NUL byte becomes one replacement: same length is not
		 * possible (1 vs 3 bytes), so write U+001A SUBSTITUTE, an
		 * ASCII byte that no export uses, and record the event. */
		push_bad(d, in_off + at_in, d->produced + (at - d->call_start),
			 0, true, false);
		*p = '\x1A';
		from = at + 1;
		if (at_in < len)
			at_in += d->unit;
	}
}

static int decode_iconv_run(struct encoding_decoder *d, const char *in,
			    size_t len, bool final, bool at_end,
			    struct buf *out, size_t *used);

/* Byte encodings (GB18030, Big5): convert the runs between NUL bytes, so
 * that a NUL is reported at its own offset; UTF-16 holds NUL bytes in
 * every ASCII character, and its NUL characters are found in the output. */
static int decode_iconv(struct encoding_decoder *d, const char *in, size_t len,
			bool final, struct buf *out, size_t *used)
{
	unsigned long long base = d->in_off;
	size_t done = 0, run, n = 0;
	const char *nul;
	int rc = 0;

	if (d->unit > 1)
		return decode_iconv_run(d, in, len, final, final, out, used);
	/* decode_iconv_run counts offsets from d->in_off: move it along. */
	while (rc == 0 && (nul = memchr(in + done, '\0', len - done))) {
		run = (size_t)(nul - (in + done));
		d->in_off = base + done;
		/* A sequence cut by the NUL is invalid, not at the end. */
		rc = decode_iconv_run(d, in + done, run, true, false, out, &n);
		if (rc == 0)
			rc = add_replacement(d, out, base + done + run, 0, true,
					     false);
		done += run + 1;
	}
	d->in_off = base + done;
	if (rc == 0)
		rc = decode_iconv_run(d, in + done, len - done, final, final,
				      out, &n);
	d->in_off = base;
	*used = done + n;
	return rc;
}

/* The pair at p as iconv converts it alone, into g. */
static void gb_learn(struct encoding_decoder *d, const unsigned char *p,
		     struct gb_pair *g)
{
	char in[2] = {(char)p[0], (char)p[1]}, u[8];
	char *ip = in, *op = u;
	size_t left = 2, room = sizeof(u);

	g->len = GB_ICONV;
	if (iconv(d->gb_cd, &ip, &left, &op, &room) != (size_t)-1 &&
	    left == 0 && op - u >= 1 && op - u <= 3 && u[0] != '\0') {
		g->len = (unsigned char)(op - u);
		memcpy(g->u, u, g->len);
	}
	iconv(d->gb_cd, NULL, NULL, NULL, NULL);
}

static inline const struct gb_pair *gb_pair(struct encoding_decoder *d,
					    const unsigned char *p)
{
	struct gb_pair *g = &d->gb[(p[0] - 0x81) * GB_TRAILS + (p[1] - 0x40)];

	if (g->len == GB_UNKNOWN)
		gb_learn(d, p, g);
	return g;
}

/* Decode the start of in (len bytes) that is ASCII but NUL and two-byte
 * codes iconv gives one character of at most 3 bytes for, appending to
 * out (room for 2 * len bytes). Returns the bytes read. */
static size_t gb_fast(struct encoding_decoder *d, const char *in, size_t len,
		      struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;
	char *o = out->p + out->len;
	size_t i = 0;

	while (i < len) {
		const struct gb_pair *g;

		if (p[i] < 0x80 && p[i] != 0) {
			*o++ = (char)p[i++];
			continue;
		}
		if (p[i] < 0x81 || p[i] > 0xFE || i + 1 >= len ||
		    p[i + 1] < 0x40 || p[i + 1] == 0xFF)
			break;
		g = gb_pair(d, p + i);
		if (g->len == GB_ICONV)
			break;
		memcpy(o, g->u, 3); /* out has room for 2 * len bytes */
		o += g->len;
		i += 2;
	}
	out->len = (size_t)(o - out->p);
	out->p[out->len] = '\0';
	return i;
}

static int decode_iconv_run(struct encoding_decoder *d, const char *in,
			    size_t len, bool final, bool at_end,
			    struct buf *out, size_t *used)
{
	char *ip = (char *)in;
	size_t left = len;
	bool whole = false; /* give iconv all that is left, not 4 bytes */
	bool limited;

	while (left > 0) {
		size_t room, before = out->len, r, win, n;
		char *op, *start;

		if (buf_grow(out, left * 2 + 16) < 0)
			return -1;
		if (d->gb) {
			n = gb_fast(d, ip, left, out);
			ip += n;
			left -= n;
			if (left == 0)
				break;
			before = out->len;
		}
		/* With the table, iconv gets the one code it stopped at
		 * (4 bytes at most), and the table the text after it. */
		win = d->gb && !whole && left > 4 ? 4 : left;
		n = win;
		start = ip;
		room = out->cap - out->len - 1;
		op = out->p + out->len;
		r = iconv(d->cd, &ip, &n, &op, &room);
		limited = win < left;
		left -= win - n;
		out->len = (size_t)(op - out->p);
		out->p[out->len] = '\0';
		replace_nuls(d, out, before, start, (size_t)(ip - start),
			     d->in_off + (size_t)(start - in));
		whole = false;
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && limited) {
			/* cut by the window, not by the input */
			whole = ip == start;
			continue;
		}
		if (errno == EINVAL && !final)
			break; /* cut sequence: wait for more input */
		/* EILSEQ, or EINVAL at the very end: skip one unit. */
		if (add_replacement(d, out, d->in_off + (size_t)(ip - in),
				    (unsigned char)*ip, false,
				    errno == EINVAL && at_end) < 0)
			return -1;
		r = left < d->unit ? left : d->unit;
		ip += r;
		left -= r;
		iconv(d->cd, NULL, NULL, NULL, NULL);
	}
	*used = (size_t)(ip - in);
	return 0;
}

/* Skip a byte order mark at the very start of the input. */
static size_t skip_bom(struct encoding_decoder *d, const char *in, size_t len)
{
	d->started = true;
	if ((d->utf8 || !strcmp(d->name, "GB18030")) && len >= 3 &&
	    !memcmp(in, "\xEF\xBB\xBF", 3))
		return 3;
	if (!strcmp(d->name, "UTF-16LE") && len >= 2 &&
	    !memcmp(in, "\xFF\xFE", 2))
		return 2;
	if (!strcmp(d->name, "UTF-16BE") && len >= 2 &&
	    !memcmp(in, "\xFE\xFF", 2))
		return 2;
	return 0; /* "UTF-16" lets iconv read the BOM itself */
}

int encoding_decode(struct encoding_decoder *d, const char *in, size_t len,
		    bool final, struct buf *out, struct mbr_err *err)
{
	struct buf joined;
	size_t used = 0, skip = 0;
	int rc;

	if (d->sniff && sniff(d, in, len, err) < 0)
		return -1;
	if (!d->started) {
		/* Wait for enough bytes to see a BOM. */
		if (len < 3 && !final && d->n_carry + len < 3) {
			memcpy(d->carry + d->n_carry, in, len);
			d->n_carry += len;
			return 0;
		}
	}
	buf_init(&joined, BUF_NOLIMIT);
	if (d->n_carry) {
		buf_add(&joined, d->carry, d->n_carry);
		buf_add(&joined, in, len);
		in = joined.p;
		len = joined.len;
		d->n_carry = 0;
	}
	if (!d->started) {
		skip = skip_bom(d, in, len);
		d->in_off += skip;
	}
	d->call_start = out->len;
	if (d->utf8)
		rc = decode_utf8(d, in + skip, len - skip, final, out, &used);
	else
		rc = decode_iconv(d, in + skip, len - skip, final, out, &used);
	if (rc == 0 && len - skip - used > sizeof(d->carry))
		rc = -1;
	if (rc < 0) {
		buf_release(&joined);
		return mbr_fail(err, MBR_EIO,
				"decoded text too large for the buffer");
	}
	memcpy(d->carry, in + skip + used, len - skip - used);
	d->n_carry = len - skip - used;
	d->produced += out->len - d->call_start;
	d->in_off += used;
	buf_release(&joined);
	return 0;
}

struct encoding_encoder {
	iconv_t cd; /* (iconv_t)-1 for UTF-8: copy */
	char name[32];
};

struct encoding_encoder *encoding_encoder_open(const char *name,
					       struct mbr_err *err)
{
	struct encoding_encoder *e = xcalloc(1, sizeof(*e));

	if (!name || !*name)
		name = "UTF-8";
	snprintf(e->name, sizeof(e->name), "%s", encoding_canonical(name));
	e->cd = (iconv_t)-1;
	if (!strcmp(e->name, "UTF-8"))
		return e;
	e->cd = iconv_open(e->name, "UTF-8");
	if (e->cd == (iconv_t)-1) {
		mbr_fail(err, MBR_ECONFIG,
			 "unknown encoding '%s' (expected an iconv name such "
			 "as GB18030, UTF-16LE, BIG5 or UTF-8)",
			 name);
		free(e);
		return NULL;
	}
	return e;
}

int encoding_encode(struct encoding_encoder *e, struct strview in,
		    struct buf *out, struct mbr_err *err)
{
	char *ip = (char *)in.p;
	size_t left = in.len;

	if (e->cd == (iconv_t)-1)
		return buf_addsv(out, in) < 0
			       ? mbr_fail(err, MBR_EIO, "output too large")
			       : 0;
	while (left > 0) {
		size_t room, r;
		char *op;

		if (buf_grow(out, left * 4 + 16) < 0)
			return mbr_fail(err, MBR_EIO, "output too large");
		room = out->cap - out->len - 1;
		op = out->p + out->len;
		r = iconv(e->cd, &ip, &left, &op, &room);
		out->len = (size_t)(op - out->p);
		out->p[out->len] = '\0';
		if (r == (size_t)-1 && errno != E2BIG) {
			uint32_t cp = 0;

			iconv(e->cd, NULL, NULL, NULL, NULL);
			if (utf8_decode(ip, left, &cp) == 0)
				return mbr_fail(err, MBR_EIO,
						"invalid UTF-8 byte 0x%02X "
						"cannot be written in %s",
						(unsigned char)*ip, e->name);
			return mbr_fail(
				err, MBR_EIO,
				"character U+%04X cannot be written in %s",
				(unsigned)cp, e->name);
		}
	}
	return 0;
}

void encoding_encoder_close(struct encoding_encoder *e)
{
	if (!e)
		return;
	if (e->cd != (iconv_t)-1)
		iconv_close(e->cd);
	free(e);
}
