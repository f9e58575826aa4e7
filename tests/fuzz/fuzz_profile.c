/*
 * fuzz_profile: value shapes, HTML escaping and the profile on arbitrary
 * bytes.
 *
 * The input is split at newlines into values. Each value's shape must be
 * valid UTF-8 when the value is, and its HTML escape must hold no <, >,
 * quote or apostrophe, and no & that does not start a character
 * reference. The values then go, three at a time, as (source, mobile,
 * name) records into a profile, written in every format.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "profile.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_profile: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static void check_value(struct strview v, struct buf *b)
{
	buf_reset(b);
	profile_shape(v, b);
	if (utf8_is_valid(v))
		CHECK(utf8_is_valid(buf_view(b)));
	buf_reset(b);
	html_escape(b, v);
	for (size_t i = 0; i < b->len; i++) {
		char c = b->p[i];

		CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
		if (c == '&')
			CHECK(i + 1 < b->len &&
			      (b->p[i + 1] == '#' ||
			       (b->p[i + 1] >= 'a' && b->p[i + 1] <= 'z')));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_opts o = PROFILE_OPTS_INIT;
	struct profile *p = profile_new(&o);
	struct mbr_err err = MBR_ERR_INIT;
	struct header h;
	struct record rec, names;
	struct buf b;
	const char *s = (const char *)data, *end = s + size;
	FILE *null = fopen("/dev/null", "w");

	CHECK(null);
	buf_init(&b, BUF_NOLIMIT);
	header_init(&h);
	record_init(&rec);
	record_init(&names);
	record_add(&names, "source", 6);
	record_add(&names, "mobile", 6);
	record_add(&names, "name", 4);
	header_set(&h, &names);
	profile_bind(p, &h, "fuzz.csv");
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		struct strview v =
			svn(s, nl ? (size_t)(nl - s) : (size_t)(end - s));

		check_value(v, &b);
		record_add(&rec, v.p, v.len);
		if (rec.n == 3) {
			profile_record(p, &rec);
			record_reset(&rec);
		}
		s = nl ? nl + 1 : end;
	}
	profile_add_reject(p, sv("x"), sv("mbr-validate"), svn(s - 0, 0),
			   svn((const char *)data, size));
	profile_finish(p);
	CHECK(profile_write(p, PROFILE_TABLE, null, &err) == 0);
	CHECK(profile_write(p, PROFILE_CSV, null, &err) == 0);
	CHECK(profile_write(p, PROFILE_JSON, null, &err) == 0);
	buf_reset(&b);
	profile_html(p, &b);
	fclose(null);
	buf_release(&b);
	record_release(&rec);
	record_release(&names);
	header_release(&h);
	profile_free(p);
	return 0;
}
