/*
 * test_encoding: decoding to UTF-8 with bad-byte events, BOMs, sniffing,
 * the streaming rule (the same output and events whatever the chunk
 * size), and encoding for export.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"

#define FFFD "\xef\xbf\xbd"

/* Events are written "KIND IN>OUT:BYTE;" with KIND b (bad), n (NUL) or
 * t (truncated at the end). */
static void take_events(struct encoding_decoder *d, struct buf *ev)
{
	struct encoding_bad e;

	while (encoding_take_bad(d, ULLONG_MAX, &e))
		buf_addf(ev, "%c%llu>%llu:%02X;",
			 e.nul ? 'n' : e.truncated ? 't' : 'b', e.in_off,
			 e.out_off, e.byte);
}

/* Decode in with encoding enc, chunk bytes per call (0: one call with
 * final set), then one final call with nothing, as csvio does at EOF. */
static int decode(const char *enc, const char *in, size_t len, size_t chunk,
		  struct buf *out, struct buf *ev, struct buf *name)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct encoding_decoder *d = encoding_open(enc, &err);

	if (!d)
		return -1;
	buf_reset(out);
	buf_reset(ev);
	if (chunk == 0) {
		if (encoding_decode(d, in, len, true, out, &err) < 0)
			goto fail;
	} else {
		for (size_t i = 0; i < len; i += chunk) {
			size_t n = len - i < chunk ? len - i : chunk;

			if (encoding_decode(d, in + i, n, false, out, &err) < 0)
				goto fail;
		}
		if (encoding_decode(d, "", 0, true, out, &err) < 0)
			goto fail;
	}
	take_events(d, ev);
	if (name) {
		buf_reset(name);
		buf_adds(name, encoding_name(d));
	}
	encoding_close(d);
	return 0;
fail:
	encoding_close(d);
	return -1;
}

#define S(lit) lit, sizeof(lit) - 1

static const struct {
	const char *enc;
	const char *in;
	size_t len;
	const char *out, *events, *name, *why;
} cases[] = {
	/* UTF-8 */
	{ "UTF-8", S("张伟,abc\n"), "张伟,abc\n", "", "UTF-8", "plain UTF-8" },
	{ NULL, S(""), "", "", "UTF-8", "empty input, default encoding" },
	{ "utf8", S("\xef\xbb\xbf张"), "张", "", "UTF-8",
	  "UTF-8 BOM dropped; alias utf8" },
	{ "UTF-8", S("\xef\xbb\xbf"), "", "", "UTF-8", "only a BOM" },
	{ "UTF-8", S("\xef\xbb\xbf" "a\xff" "b"), "a" FFFD "b", "b4>1:FF;",
	  "UTF-8", "offsets count the BOM in the input, not in the output" },
	{ "UTF-8", S("a\xef\xbb\xbf"), "a\xef\xbb\xbf", "", "UTF-8",
	  "a BOM after the start is text" },
	{ "UTF-8", S("a\xff" "b\xfe" "c"), "a" FFFD "b" FFFD "c",
	  "b1>1:FF;b3>5:FE;", "UTF-8", "two invalid bytes, two events" },
	{ "UTF-8", S("\xc0\xaf" "x"), FFFD FFFD "x", "b0>0:C0;b1>3:AF;",
	  "UTF-8", "overlong: each byte replaced" },
	{ "UTF-8", S("\xed\xa0\x80"), FFFD FFFD FFFD,
	  "b0>0:ED;b1>3:A0;b2>6:80;", "UTF-8",
	  "surrogate: three invalid bytes, none a cut sequence" },
	{ "UTF-8", S("ab\xe5\xbc"), "ab" FFFD FFFD, "t2>2:E5;b3>5:BC;",
	  "UTF-8", "sequence cut by the end of the file" },
	{ "UTF-8", S("a\0b"), "a" FFFD "b", "n1>1:00;", "UTF-8", "NUL byte" },
	{ "UTF-8", S("ab\xff"), "ab" FFFD, "b2>2:FF;", "UTF-8",
	  "an invalid last byte is not a cut sequence" },
	{ "UTF-8", S("a\xe0\x80"), "a" FFFD FFFD, "b1>1:E0;b2>4:80;", "UTF-8",
	  "E0 80 can never complete (overlong): not a cut sequence" },
	{ "UTF-8", S("a\xe0\xa0"), "a" FFFD FFFD, "t1>1:E0;b2>4:A0;", "UTF-8",
	  "E0 A0 is a cut U+0800..U+0FFF" },
	{ "UTF-8", S("a\xf4\x8f\xbf"), "a" FFFD FFFD FFFD,
	  "t1>1:F4;b2>4:8F;b3>7:BF;", "UTF-8", "cut U+10FFFF" },
	{ "UTF-8", S("a\xf4\x90"), "a" FFFD FFFD, "b1>1:F4;b2>4:90;", "UTF-8",
	  "F4 90 would pass U+10FFFF: not a cut sequence" },
	{ "UTF-8", S("\xe5\xbc\xa0\xe4\xbc\x9f\xf0\x9f\x98\x80"),
	  "张伟\xf0\x9f\x98\x80", "", "UTF-8", "three- and four-byte" },
	/* UTF-16 */
	{ "UTF-16LE", S("\xff\xfe\x20\x5f\x1f\x4f"), "张伟", "", "UTF-16LE",
	  "UTF-16LE with BOM" },
	{ "utf-16le", S("\x20\x5f\x1f\x4f" "a\0"), "张伟a", "", "UTF-16LE",
	  "UTF-16LE without BOM" },
	{ "UTF-16LE", S("a\0\x40\xd8\x00\xdc" "b\0"), "a\xf0\xa0\x80\x80" "b",
	  "", "UTF-16LE", "surrogate pair (U+20000)" },
	{ "UTF-16BE", S("\x5f\x20\x4f\x1f"), "张伟", "", "UTF-16BE",
	  "UTF-16BE" },
	{ "UTF-16BE", S("\xfe\xff\x5f\x20"), "张", "", "UTF-16BE",
	  "UTF-16BE with BOM" },
	{ "unicode", S("\xff\xfe" "a\0b\0"), "ab", "", "UTF-16",
	  "UTF-16 reads its own BOM" },
	{ "UTF-16LE", S("a\0b"), "a" FFFD, "t2>1:62;", "UTF-16LE",
	  "odd byte count: truncated" },
	{ "UTF-16LE", S("a\0\0\0b\0"), "a\x1a" "b", "n2>1:00;", "UTF-16LE",
	  "NUL code unit becomes U+001A with an event" },
	{ "UTF-16LE", S("\0\0a\0\0\0\0\0"), "\x1a" "a\x1a\x1a",
	  "n0>0:00;n4>2:00;n6>3:00;", "UTF-16LE",
	  "each NUL unit at its own offset" },
	{ "UTF-16BE", S("\0a\0\0"), "a\x1a", "n2>1:00;", "UTF-16BE",
	  "NUL unit in UTF-16BE" },
	{ "UTF-16LE", S("\0\x01\0\0"), "\xc4\x80\x1a", "n2>2:00;",
	  "UTF-16LE", "a zero byte inside U+0100 is not a NUL" },
	{ "UTF-16LE", S("a\0\x40\xd8"), "a" FFFD, "t2>1:40;", "UTF-16LE",
	  "high surrogate cut by the end" },
	{ "UTF-16LE", S("\x00\xdc" "a\0"), FFFD "a", "b0>0:00;", "UTF-16LE",
	  "lone low surrogate" },
	/* GB18030 and friends */
	{ "GB18030", S("\xd5\xc5\xce\xb0,abc"), "张伟,abc", "", "GB18030",
	  "two-byte GB18030" },
	{ "gbk", S("\xd5\xc5"), "张", "", "GB18030", "GBK read as GB18030" },
	{ "GB2312", S("\xce\xb0"), "伟", "", "GB18030",
	  "GB2312 read as GB18030" },
	{ "cp936", S("a"), "a", "", "GB18030", "cp936 read as GB18030" },
	{ "GB18030", S("\x81\x30\x81\x30\x94\x39\xfc\x36"),
	  "\xc2\x80\xf0\x9f\x98\x80", "", "GB18030",
	  "four-byte GB18030 (U+0080 and U+1F600)" },
	{ "GB18030", S("\x82\x35\x87\x38\xa2\xe3"), "䶵€", "", "GB18030",
	  "four-byte then two-byte" },
	/* Two-byte codes come from a table; the rest from iconv. */
	{ "GB18030", S("\xd5\xc5\x81\x30\x81\x30\xce\xb0" "abc\x95\x32\x82\x36\xd5\xc5"),
	  "张\xc2\x80伟abc\xf0\xa0\x80\x80张", "", "GB18030",
	  "four-byte codes between two-byte ones" },
	{ "GB18030", S("\xd5\xc5\x80\xce\xb0\xff\xd5\xc5"),
	  "张" FFFD "伟" FFFD "张", "b2>3:80;b5>9:FF;", "GB18030",
	  "invalid bytes between two-byte codes" },
	{ "GB18030", S("\xd5\x20\xa3\xb1\x81\x7f"), FFFD " １" FFFD "\x7f",
	  "b0>0:D5;b4>7:81;", "GB18030",
	  "lead bytes before a byte that is no trail; full-width digit" },
	{ "GB18030", S("\x8c\xa3\x98\x49\xb0\xa1\xd6\xd0"), "專業啊中", "",
	  "GB18030", "Traditional and Simplified in GBK" },
	{ "GB18030", S("a\x80" "b"), "a" FFFD "b", "b1>1:80;", "GB18030",
	  "0x80 is not a GB18030 byte" },
	{ "GB18030", S("a\xff" "b"), "a" FFFD "b", "b1>1:FF;", "GB18030",
	  "0xFF is not a GB18030 byte" },
	{ "GB18030", S("\x81\x30\x41\x42"), FFFD "0AB", "b0>0:81;", "GB18030",
	  "four-byte lead followed by letters" },
	{ "GB18030", S("ab\xd5"), "ab" FFFD, "t2>2:D5;", "GB18030",
	  "two-byte sequence cut by the end" },
	{ "GB18030", S("ab\x81\x30\x81"), "ab" FFFD "0" FFFD,
	  "t2>2:81;t4>6:81;", "GB18030", "four-byte sequence cut by the end" },
	{ "GB18030", S("a\0b\0"), "a" FFFD "b" FFFD, "n1>1:00;n3>5:00;",
	  "GB18030", "NUL bytes become U+FFFD with an event each" },
	{ "GB18030", S("\xd5\xc5\0\xce\xb0"), "张" FFFD "伟", "n2>3:00;",
	  "GB18030", "NUL between two-byte characters" },
	{ "GB18030", S("a\xd5\0b"), "a" FFFD FFFD "b", "b1>1:D5;n2>4:00;",
	  "GB18030", "a sequence cut by a NUL is invalid, not truncated" },
	{ "GB18030", S("\xef\xbb\xbf\xd5\xc5"), "张", "", "GB18030",
	  "a UTF-8 BOM on a GB18030 file is dropped" },
	{ "BIG5", S("\xb1\x69\xb0\xb6"), "張偉", "", "BIG5", "Big5" },
	{ "big5", S("\xb1"), FFFD, "t0>0:B1;", "BIG5", "Big5 cut" },
	/* auto */
	{ "auto", S("\xff\xfe\x20\x5f"), "张", "", "UTF-16LE",
	  "auto: UTF-16LE BOM" },
	{ "auto", S("\xfe\xff\x5f\x20"), "张", "", "UTF-16BE",
	  "auto: UTF-16BE BOM" },
	{ "auto", S("\xef\xbb\xbf张"), "张", "", "UTF-8",
	  "auto: UTF-8 BOM" },
	{ "auto", S("张伟,abc"), "张伟,abc", "", "UTF-8", "auto: valid UTF-8" },
	{ "AUTO", S("name,mobile\n"), "name,mobile\n", "", "UTF-8",
	  "auto: ASCII is UTF-8" },
	{ "auto", S("\xd5\xc5\xce\xb0"), "张伟", "", "GB18030",
	  "auto: not UTF-8, so GB18030" },
	{ "auto", S("abc\xd5\xc5"), "abc张", "", "GB18030",
	  "auto: GB18030 after ASCII" },
	{ "auto", S(""), "", "", "UTF-8", "auto: empty input" },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static void test_decode_cases(void **state)
{
	struct buf out, ev, name;

	(void)state;
	buf_init(&out, BUF_NOLIMIT);
	buf_init(&ev, BUF_NOLIMIT);
	buf_init(&name, BUF_NOLIMIT);
	for (size_t i = 0; i < N_CASES; i++) {
		if (decode(cases[i].enc, cases[i].in, cases[i].len, 0, &out,
			   &ev, &name) < 0)
			fail_msg("%s: failed", cases[i].why);
		if (strcmp(out.p, cases[i].out) ||
		    strcmp(ev.p, cases[i].events) ||
		    strcmp(name.p, cases[i].name))
			fail_msg("%s: got '%s' events '%s' name %s",
				 cases[i].why, out.p, ev.p, name.p);
		if (memchr(out.p, '\0', out.len))
			fail_msg("%s: NUL in the output", cases[i].why);
	}
	buf_release(&out);
	buf_release(&ev);
	buf_release(&name);
}

/* The streaming rule: every chunk size gives the one-shot result. "auto"
 * decides on its first chunk, so it is fed in chunks of at least the
 * sniffing window there (the whole input here). */
static void test_decode_chunks(void **state)
{
	struct buf out, ev, want_out, want_ev;

	(void)state;
	buf_init(&out, BUF_NOLIMIT);
	buf_init(&ev, BUF_NOLIMIT);
	buf_init(&want_out, BUF_NOLIMIT);
	buf_init(&want_ev, BUF_NOLIMIT);
	for (size_t i = 0; i < N_CASES; i++) {
		bool sniff = cases[i].enc && !strcmp(cases[i].enc, "auto");

		decode(cases[i].enc, cases[i].in, cases[i].len, 0, &want_out,
		       &want_ev, NULL);
		for (size_t chunk = sniff ? cases[i].len + 1 : 1; chunk <= 17;
		     chunk++) {
			decode(cases[i].enc, cases[i].in, cases[i].len, chunk,
			       &out, &ev, NULL);
			if (strcmp(out.p, want_out.p) ||
			    strcmp(ev.p, want_ev.p))
				fail_msg("%s: chunk %zu: '%s' events '%s'",
					 cases[i].why, chunk, out.p, ev.p);
		}
	}
	buf_release(&out);
	buf_release(&ev);
	buf_release(&want_out);
	buf_release(&want_ev);
}

/* A longer text mixing every kind of sequence, with invalid bytes and
 * NULs, fed at every chunk size from 1 to 17 and at a few odd ones. */
static void test_decode_long_chunks(void **state)
{
	static const struct {
		const char *enc, *unit;
		size_t len;
	} mixes[] = {
		{ "GB18030", S("a\xd5\xc5\x81\x30\x81\x30\xff\x94\x39\xfc\x36"
			       "\0,\xa2\xe3\n") },
		{ "UTF-16LE", S("a\0\x20\x5f\x40\xd8\x00\xdc\x00\xdc\0\0,\0") },
		{ "UTF-16BE", S("\0a\x5f\x20\xd8\x40\xdc\x00\xdc\x00\0\0\0,") },
		{ "UTF-8", S("a\xe5\xbc\xa0\xf0\x9f\x98\x80\xff\0\xc3\xa9,\n") },
		{ "BIG5", S("a\xb1\x69\xb0\xb6\xff,\n") },
	};
	struct buf in, out, ev, want_out, want_ev;

	(void)state;
	buf_init(&in, BUF_NOLIMIT);
	buf_init(&out, BUF_NOLIMIT);
	buf_init(&ev, BUF_NOLIMIT);
	buf_init(&want_out, BUF_NOLIMIT);
	buf_init(&want_ev, BUF_NOLIMIT);
	for (size_t m = 0; m < sizeof(mixes) / sizeof(mixes[0]); m++) {
		buf_reset(&in);
		for (int k = 0; k < 50; k++)
			buf_add(&in, mixes[m].unit, mixes[m].len);
		assert_int_equal(decode(mixes[m].enc, in.p, in.len, 0,
					&want_out, &want_ev, NULL), 0);
		assert_true(want_ev.len > 0);
		for (size_t chunk = 1; chunk <= 40; chunk++) {
			size_t c = chunk <= 17 ? chunk : chunk * 37;

			decode(mixes[m].enc, in.p, in.len, c, &out, &ev, NULL);
			if (strcmp(out.p, want_out.p) ||
			    strcmp(ev.p, want_ev.p))
				fail_msg("%s: chunk %zu differs:\n%s\n%s",
					 mixes[m].enc, c, ev.p, want_ev.p);
		}
	}
	buf_release(&in);
	buf_release(&out);
	buf_release(&ev);
	buf_release(&want_out);
	buf_release(&want_ev);
}

static void test_take_bad_before(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct encoding_decoder *d = encoding_open("UTF-8", &err);
	struct encoding_bad e;
	struct buf out;

	(void)state;
	buf_init(&out, BUF_NOLIMIT);
	assert_int_equal(encoding_decode(d, S("ab\xff\ncd\xfe\n"), true, &out,
					 &err), 0);
	/* why: csvio takes the events of one row at a time: those before
	 * the end of the row in the output */
	assert_false(encoding_take_bad(d, 2, &e));
	assert_true(encoding_take_bad(d, 6, &e));
	assert_int_equal(e.in_off, 2);
	assert_int_equal(e.out_off, 2);
	assert_false(encoding_take_bad(d, 6, &e));
	assert_true(encoding_take_bad(d, 100, &e));
	assert_int_equal(e.in_off, 6);
	assert_int_equal(e.out_off, 8);
	assert_int_equal(e.byte, 0xFE);
	assert_false(encoding_take_bad(d, 100, &e));
	/* why: events keep coming after the queue was emptied */
	assert_int_equal(encoding_decode(d, S("\xfd"), true, &out, &err), 0);
	assert_true(encoding_take_bad(d, 100, &e));
	assert_int_equal(e.byte, 0xFD);
	assert_int_equal(e.in_off, 8);
	encoding_close(d);
	buf_release(&out);
	encoding_close(NULL);
}

static void test_decode_errors(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct encoding_decoder *d;
	struct buf out;

	(void)state;
	/* why: an unknown name is a configuration error naming it */
	assert_null(encoding_open("KLINGON-8", &err));
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_non_null(strstr(err.msg, "unknown encoding 'KLINGON-8'"));
	/* why: output past the buffer's max is an I/O error, not a crash */
	buf_init(&out, 8);
	d = encoding_open("UTF-8", &err);
	assert_int_equal(encoding_decode(d, S("0123456789"), true, &out, &err),
			 -1);
	assert_int_equal(err.status, MBR_EIO);
	encoding_close(d);
	d = encoding_open("GB18030", &err);
	assert_int_equal(encoding_decode(d, S("\xd5\xc5\xd5\xc5\xd5\xc5"),
					 true, &out, &err), -1);
	encoding_close(d);
	buf_release(&out);
}

static const struct {
	const char *in, *want;
} canonical[] = {
	{ "gbk", "GB18030" },	 { "GBK", "GB18030" },
	{ "gb2312", "GB18030" }, { "CP936", "GB18030" },
	{ "euc-cn", "GB18030" }, { "UTF8", "UTF-8" },
	{ "Unicode", "UTF-16" }, { "big5", "BIG5" },
	{ "latin1", "latin1" },	 { "", "" },
};

static void test_canonical(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
		assert_string_equal(encoding_canonical(canonical[i].in),
				    canonical[i].want);
}

static void test_encode(void **state)
{
	static const char *const names[] = { "GB18030", "gbk", "UTF-16LE",
					     "UTF-16BE", "UTF-8" };
	static const char text[] = "张伟,Zhang Wei,€,\xf0\x9f\x98\x80,䶵\n";
	struct mbr_err err = MBR_ERR_INIT;
	struct encoding_encoder *e;
	struct buf enc, dec, ev;

	(void)state;
	buf_init(&enc, BUF_NOLIMIT);
	buf_init(&dec, BUF_NOLIMIT);
	buf_init(&ev, BUF_NOLIMIT);
	/* why: what we write, we read back the same */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_reset(&enc);
		e = encoding_encoder_open(names[i], &err);
		assert_non_null(e);
		assert_int_equal(encoding_encode(e, sv(text), &enc, &err), 0);
		assert_int_equal(encoding_encode(e, sv(""), &enc, &err), 0);
		encoding_encoder_close(e);
		assert_int_equal(decode(names[i], enc.p, enc.len, 0, &dec, &ev,
					NULL), 0);
		if (strcmp(dec.p, text) || ev.len)
			fail_msg("%s: round trip gave '%s' %s", names[i], dec.p,
				 ev.p);
	}
	/* why: GB18030 bytes are what Windows tools expect */
	buf_reset(&enc);
	e = encoding_encoder_open("GB18030", &err);
	assert_int_equal(encoding_encode(e, sv("张伟"), &enc, &err), 0);
	assert_string_equal(enc.p, "\xd5\xc5\xce\xb0");
	encoding_encoder_close(e);
	/* why: Big5 has no Simplified 张: an error naming it, not a '?' */
	buf_reset(&enc);
	e = encoding_encoder_open("BIG5", &err);
	assert_int_equal(encoding_encode(e, sv("張偉"), &enc, &err), 0);
	assert_string_equal(enc.p, "\xb1\x69\xb0\xb6");
	assert_int_equal(encoding_encode(e, sv("ab张"), &enc, &err), -1);
	assert_int_equal(err.status, MBR_EIO);
	assert_string_equal(err.msg,
			    "character U+5F20 cannot be written in BIG5");
	/* why: invalid UTF-8 is named as such, not as U+0000 */
	assert_int_equal(encoding_encode(e, sv("ab\xff"), &enc, &err), -1);
	assert_string_equal(err.msg,
			    "invalid UTF-8 byte 0xFF cannot be written in BIG5");
	assert_int_equal(encoding_encode(e, sv("ab\xe5\xbc"), &enc, &err), -1);
	assert_string_equal(err.msg,
			    "invalid UTF-8 byte 0xE5 cannot be written in BIG5");
	/* why: the encoder is usable after an error (its state is reset) */
	buf_reset(&enc);
	assert_int_equal(encoding_encode(e, sv("偉"), &enc, &err), 0);
	assert_string_equal(enc.p, "\xb0\xb6");
	encoding_encoder_close(e);
	encoding_encoder_close(NULL);
	/* why: an unknown target is a configuration error */
	assert_null(encoding_encoder_open("KLINGON-8", &err));
	assert_int_equal(err.status, MBR_ECONFIG);
	/* why: output past max is an error */
	buf_release(&enc);
	buf_init(&enc, 4);
	e = encoding_encoder_open("UTF-16LE", &err);
	assert_int_equal(encoding_encode(e, sv("abcdef"), &enc, &err), -1);
	encoding_encoder_close(e);
	e = encoding_encoder_open(NULL, &err);
	assert_int_equal(encoding_encode(e, sv("abcdef"), &enc, &err), -1);
	encoding_encoder_close(e);
	buf_release(&enc);
	buf_release(&dec);
	buf_release(&ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_cases),
		cmocka_unit_test(test_decode_chunks),
		cmocka_unit_test(test_decode_long_chunks),
		cmocka_unit_test(test_take_bad_before),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
