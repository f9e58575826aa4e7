/*
 * fuzz_fastpaths: every shortcut of the stream tools answers as the
 * general path it skips, on arbitrary bytes.
 *
 * mbr-normalize decides the common shapes (an 11-digit mainland mobile,
 * a plain ID number, an ASCII e-mail address, plain digits, printable
 * ASCII and CJK text, valid UTF-8 sixteen bytes at a time) without the
 * general code. Each shortcut has a switch; here each value goes through
 * both, and the results (return code and output bytes) must be equal.
 * The value is the input up to its first NUL (all of it when it has
 * none); the byte after the NUL, when there is one, picks the default
 * region of the phone number.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mappers/cnid.h"
#include "mappers/email.h"
#include "mappers/phone.h"
#include "mappers/text.h"
#include "mappers/value.h"
#include "utf8.h"

#include "fuzz_datadir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_fastpaths: %s:%d: %s\n",       \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static struct buf fast, slow;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mbr_err err = MBR_ERR_INIT;

	(void)argc;
	(void)argv;
	fuzz_set_datadir(__FILE__);
	CHECK(phone_open(&err) == 0);
	CHECK(text_open(&err) == 0);
	/* The bundled metadata is the one the phone shortcut was written
	 * for: otherwise this target would compare the patterns with
	 * themselves. */
	CHECK(phone_fast(true));
	buf_init(&fast, BUF_NOLIMIT);
	buf_init(&slow, BUF_NOLIMIT);
	return 0;
}

static void same_output(void)
{
	CHECK(fast.len == slow.len);
	CHECK(!memcmp(fast.p, slow.p, fast.len));
}

static void check_phone(struct strview in, const char *region)
{
	enum phone_result a, b;
	enum phone_type ta, tb;

	buf_reset(&fast);
	buf_reset(&slow);
	phone_fast(true);
	a = phone_normalize(in, region, &fast);
	ta = a == PHONE_OK ? phone_type_of(buf_view(&fast)) : PHONE_TYPE_UNKNOWN;
	phone_fast(false);
	b = phone_normalize(in, region, &slow);
	tb = b == PHONE_OK ? phone_type_of(buf_view(&slow)) : PHONE_TYPE_UNKNOWN;
	phone_fast(true);
	CHECK(a == b);
	CHECK(ta == tb);
	same_output();
}

static void check_cnid(struct strview in)
{
	enum cnid_result a, b;

	buf_reset(&fast);
	buf_reset(&slow);
	cnid_fast(true);
	a = cnid_normalize(in, &fast);
	cnid_fast(false);
	b = cnid_normalize(in, &slow);
	cnid_fast(true);
	CHECK(a == b);
	same_output();
}

static void check_email(struct strview in)
{
	enum email_result a, b;

	buf_reset(&fast);
	buf_reset(&slow);
	email_fast(true);
	a = email_normalize(in, &fast);
	email_fast(false);
	b = email_normalize(in, &slow);
	email_fast(true);
	CHECK(a == b);
	same_output();
}

static void check_int(struct strview in)
{
	enum value_result a, b;

	buf_reset(&fast);
	buf_reset(&slow);
	a = value_int(in, &fast);
	b = value_int_range(in, LLONG_MIN, LLONG_MAX, &slow);
	CHECK(a == b);
	same_output();
}

static void check_text(struct strview in)
{
	static const enum text_flags flags[] = {0, TEXT_KEEP_CJK_SPACES,
						TEXT_CASEFOLD};
	struct mbr_err err = MBR_ERR_INIT;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		int a, b;

		buf_reset(&fast);
		buf_reset(&slow);
		text_fast(true);
		a = text_clean(in, flags[i], &fast, &err);
		text_fast(false);
		b = text_clean(in, flags[i], &slow, &err);
		text_fast(true);
		CHECK(a == b);
		same_output();
	}
}

static void check_utf8(struct strview in)
{
	size_t a, b;

	utf8_fast(true);
	a = utf8_check(in.p, in.len);
	utf8_fast(false);
	b = utf8_check(in.p, in.len);
	utf8_fast(true);
	CHECK(a == b);
	/* And from every start within the first 16 bytes: the SIMD path
	 * and its tail meet at any alignment. */
	for (size_t k = 1; k < 16 && k < in.len; k++) {
		utf8_fast(true);
		a = utf8_check(in.p + k, in.len - k);
		utf8_fast(false);
		b = utf8_check(in.p + k, in.len - k);
		utf8_fast(true);
		CHECK(a == b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = {NULL, "CN", "86", "HK", "US"};
	const char *p = (const char *)data;
	const char *nul = memchr(p, '\0', size);
	struct strview in = svn(p, nul ? (size_t)(nul - p) : size);
	const char *region = NULL;

	if (nul && (size_t)(nul - p) + 1 < size)
		region = regions[(unsigned char)nul[1] %
				 (sizeof(regions) / sizeof(regions[0]))];
	check_utf8(svn(p, size));
	check_phone(in, region);
	check_cnid(in);
	check_email(in);
	check_int(in);
	check_text(in);
	return 0;
}
