/*
 * fuzz_encoding: the streaming rule of the decoder on arbitrary bytes.
 *
 * The first byte picks the encoding, the second seeds the split points;
 * the rest is the input. It is decoded in one call, then again in pieces
 * cut at pseudo-random points (a piece may be empty), and both must give
 * the same UTF-8 and the same bad-byte events. The output must be valid
 * UTF-8 without NUL bytes, and the events must be in order and point at a
 * replacement in the output. "auto" decides on its first chunk, so it is
 * fed the whole input first and only the final call is separate. Then the
 * output is encoded to GB18030 and UTF-16LE and decoded back: the same
 * text, no events.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_encoding: %s:%d: %s\n",        \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static const char *const encs[] = {
	"UTF-8", "GB18030", "UTF-16LE", "UTF-16BE", "UTF-16",
	"BIG5",	 "auto",    "GBK",	"UTF-32LE", "BIG5-HKSCS",
};
#define N_ENCS (sizeof(encs) / sizeof(encs[0]))

struct decoded {
	struct buf out;
	struct buf events;	/* "in>out:byte:kind;" per event */
};

/* Decode in, cut after each length in cuts[0..n_cuts) (the rest is the
 * last piece), then a final call with nothing. n_cuts 0: one call. */
static void decode(const char *enc, const char *in, size_t len,
		   const size_t *cuts, size_t n_cuts, struct decoded *d)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct encoding_decoder *dec = encoding_open(enc, &err);
	struct encoding_bad ev;
	size_t at = 0;

	CHECK(dec);
	buf_init(&d->out, BUF_NOLIMIT);
	buf_init(&d->events, BUF_NOLIMIT);
	if (n_cuts == 0) {
		CHECK(encoding_decode(dec, in, len, true, &d->out, &err) == 0);
	} else {
		for (size_t i = 0; i <= n_cuts; i++) {
			size_t n = i < n_cuts ? cuts[i] : len - at;

			CHECK(encoding_decode(dec, in + at, n, false, &d->out,
					      &err) == 0);
			at += n;
		}
		CHECK(encoding_decode(dec, "", 0, true, &d->out, &err) == 0);
	}
	while (encoding_take_bad(dec, ULLONG_MAX, &ev)) {
		const char *p = d->out.p + ev.out_off;

		/* The event points at what replaced the byte. */
		CHECK(ev.out_off < d->out.len);
		CHECK(ev.in_off < len);
		CHECK(!memcmp(p, "\xEF\xBF\xBD", 3) || *p == '\x1A');
		buf_addf(&d->events, "%llu>%llu:%02X:%d%d;", ev.in_off,
			 ev.out_off, ev.byte, ev.nul, ev.truncated);
	}
	encoding_close(dec);
}

static void decoded_release(struct decoded *d)
{
	buf_release(&d->out);
	buf_release(&d->events);
}

/* Encode text to enc and decode it back: the same text, no events.
 * glibc's GB18030 has no bytes for some private-use code points (U+E818,
 * which UTF-16 input can hold): the encoder must then say which. */
static void check_round_trip(const char *enc, struct strview text)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct encoding_encoder *e = encoding_encoder_open(enc, &err);
	struct buf bytes;
	struct decoded back;
	int rc;

	CHECK(e);
	buf_init(&bytes, BUF_NOLIMIT);
	rc = encoding_encode(e, text, &bytes, &err);
	encoding_encoder_close(e);
	if (rc < 0) {
		CHECK(strcmp(enc, "UTF-16LE"));
		CHECK(err.status == MBR_EIO);
		CHECK(strstr(err.msg, "cannot be written"));
		buf_release(&bytes);
		return;
	}
	/* A leading byte order mark is taken as one on the way back. */
	if (!sv_starts(buf_view(&bytes), "\xEF\xBB\xBF") &&
	    !sv_starts(buf_view(&bytes), "\xFF\xFE")) {
		decode(enc, bytes.p, bytes.len, NULL, 0, &back);
		CHECK(back.events.len == 0);
		CHECK(sv_eq(buf_view(&back.out), text));
		decoded_release(&back);
	}
	buf_release(&bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoded one, pieces;
	size_t cuts[64], n_cuts = 0, left;
	const char *enc, *in;
	unsigned seed;

	if (size < 2)
		return 0;
	enc = encs[data[0] % N_ENCS];
	seed = data[1];
	in = (const char *)data + 2;
	size -= 2;
	left = size;
	if (!strcmp(enc, "auto")) {
		cuts[n_cuts++] = size;
	} else {
		/* Small pieces (0..8 bytes) mostly, a long one now and then. */
		while (left > 0 && n_cuts < 64) {
			size_t n;

			seed = seed * 1103515245u + 12345u;
			n = (seed >> 16) % 9;
			if ((seed >> 8) % 16 == 0)
				n = (seed >> 4) % 300;
			if (n > left)
				n = left;
			cuts[n_cuts++] = n;
			left -= n;
		}
	}
	decode(enc, in, size, NULL, 0, &one);
	decode(enc, in, size, cuts, n_cuts, &pieces);
	if (!sv_eq(buf_view(&one.out), buf_view(&pieces.out)) ||
	    !sv_eq(buf_view(&one.events), buf_view(&pieces.events))) {
		fprintf(stderr,
			"fuzz_encoding: %s: one call and pieces differ\n"
			"events %s\n   vs. %s\n",
			enc, one.events.p, pieces.events.p);
		abort();
	}
	CHECK(utf8_is_valid(buf_view(&one.out)));
	CHECK(!memchr(one.out.p, '\0', one.out.len));
	check_round_trip("GB18030", buf_view(&one.out));
	check_round_trip("UTF-16LE", buf_view(&one.out));
	decoded_release(&one);
	decoded_release(&pieces);
	return 0;
}
