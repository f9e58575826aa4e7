/*
 * test_profile: value shapes, HTML escaping, and the profile's counts
 * (fill, distinct past the exact limit, dropped values, duplicates and
 * overlap on exact keys).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "html.h"
#include "profile.h"

static const struct {
	const char *in, *want, *why;
} shapes[] = {
	{"138-1234-5678", "NNN-NNNN-NNNN", "digits each N, dashes kept"},
	{"+8613812345678", "+NNNNNNNNNNNNN", "E.164 keeps its +"},
	{"１３８１２３４５６７８", "ＮＮＮＮＮＮＮＮＮＮＮ (full-width digits)",
	 "full-width named"},
	{"4.4E+17", "N.NA+NN (scientific)", "a spreadsheet's long ID"},
	{"-1.5e-3", "-N.NA-N (scientific)", "signs in both places"},
	{"1E5", "NAN (scientific)", "no fraction"},
	{"E5", "AN", "no mantissa: not a number"},
	{"4.4E+", "N.NA+", "no exponent digits: not a number"},
	{"zhang.wei@qq.com", "A.A@A.A", "letter runs are one A"},
	{"张伟", "CC", "each Han character a C"},
	{"Ｚｈａｎｇ", "Ａ", "full-width letters, one run"},
	{"Ñandú 5", "LAL N", "other letters L, a run per class"},
	{"a\tb", "A?A", "control characters ?"},
	{"", "", "empty"},
	{"1234567890123456789012345678901234567890",
	 "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN…", "at most 32 then …"},
};

static void test_shape(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(*shapes); i++) {
		buf_reset(&b);
		profile_shape(sv(shapes[i].in), &b);
		buf_addc(&b, '\0');
		if (strcmp(b.p, shapes[i].want))
			fail_msg("%s: '%s' -> '%s', want '%s'", shapes[i].why,
				 shapes[i].in, b.p, shapes[i].want);
	}
	buf_release(&b);
}

static void test_escape(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_NOLIMIT);
	html_escape(&b, sv("<script>alert('x')</script> & \"q\""));
	buf_addc(&b, '\0');
	assert_string_equal(b.p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script"
				 "&gt; &amp; &quot;q&quot;");
	buf_reset(&b);
	html_escape(&b, svn("a\0b\x01\x7f\tc\n张", 11));
	buf_addc(&b, '\0');
	assert_string_equal(b.p, "a\xef\xbf\xbd"
				 "b\xef\xbf\xbd\xef\xbf\xbd\tc\n张");
	buf_reset(&b);
	html_escape(&b, sv("&amp;"));
	buf_addc(&b, '\0');
	assert_string_equal(b.p, "&amp;amp;");
	buf_release(&b);
}

/* Feed the profile rows "source|mobile|name" and read its CSV back. */
static char *profile_csv(struct profile *p)
{
	FILE *f = tmpfile();
	struct mbr_err err = MBR_ERR_INIT;
	char *out;
	long len;

	assert_non_null(f);
	profile_finish(p);
	assert_int_equal(profile_write(p, PROFILE_CSV, f, &err), 0);
	len = ftell(f);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	rewind(f);
	assert_int_equal(fread(out, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return out;
}

static void test_counts(void **state)
{
	struct profile_opts o = PROFILE_OPTS_INIT;
	struct profile *p = profile_new(&o);
	struct header h;
	struct record rec;
	char *csv, line[64];

	(void)state;
	header_init(&h);
	record_init(&rec);
	th_record(&rec, "source|mobile|name");
	header_set(&h, &rec);
	profile_bind(p, &h, "x.csv");
	/* 5000 distinct names in pos: past the exact limit (estimated) and
	 * past the values counted (dropped: counts are lower bounds) */
	for (int i = 0; i < 5000; i++) {
		snprintf(line, sizeof(line), "pos|+861380000%04d|n%d",
			 i % 3 ? i : 7, i);
		th_record(&rec, line);
		profile_record(p, &rec);
	}
	th_record(&rec, "web|+8613800000007|");
	profile_record(p, &rec);
	th_record(&rec, "web|+8613800000001|x");
	profile_record(p, &rec);
	csv = profile_csv(p);
	assert_non_null(strstr(csv, "records,pos,,,5000\n"));
	assert_non_null(strstr(csv, "filled,web,name,,1\n"));
	/* mobiles: i % 3 == 0 and i == 7 give ...0007 (1668 records, and
	 * web's); ...0001 is pos's and web's */
	assert_non_null(strstr(csv, "top_at_least,pos,mobile,138****0007,"));
	assert_non_null(strstr(csv, "duplicate_values,,mobile,,2\n"));
	assert_non_null(strstr(csv, "duplicate_records,,mobile,,1671\n"));
	assert_non_null(strstr(csv, "overlap,pos+web,mobile,,2\n"));
	/* people: web's two records share mobiles with pos's, so every
	 * record with ...0007 or ...0001 is one person in pos and web (two
	 * people: the two mobiles never meet); the other 5000 - 1668 - 1
	 * pos records are one person each */
	assert_non_null(strstr(csv, "people,pos+web,,,2\n"));
	assert_non_null(strstr(csv, "people,pos,,,3331\n"));
	{
		const char *d = strstr(csv, "distinct,pos,name,estimated,");
		long n;

		assert_non_null(d);
		n = strtol(d + strlen("distinct,pos,name,estimated,"), NULL,
			   10);
		if (n < 4800 || n > 5200)
			fail_msg("distinct estimate %ld, want 5000 +- 4%%", n);
	}
	assert_non_null(strstr(csv, "distinct,web,name,,1\n"));
	free(csv);
	record_release(&rec);
	header_release(&h);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
