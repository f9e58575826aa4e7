/*
 * test_record: fields in one buffer (add, set in place and growing, set
 * from the record's own bytes, copy, limits) and the header (BOM and
 * space trimming, canonical column lookup).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

static void expect_fields(const struct record *r, const char *const *want,
			  size_t n, const char *why)
{
	if (r->n != n)
		fail_msg("%s: %zu fields, want %zu", why, r->n, n);
	for (size_t i = 0; i < n; i++) {
		struct strview v = record_field(r, i);

		if (!sv_eqs(v, want[i]))
			fail_msg("%s: field %zu is '%.*s', want '%s'", why, i,
				 (int)v.len, v.p, want[i]);
		if (v.p[v.len] != '\0')
			fail_msg("%s: field %zu not NUL-terminated", why, i);
	}
}

static void test_record_add(void **state)
{
	struct record r;
	char name[16];

	(void)state;
	record_init(&r);
	/* why: an empty record's fields are empty views */
	assert_int_equal(record_field(&r, 0).len, 0);
	/* why: more fields than the first 32 slots */
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(record_add(&r, name, strlen(name)), 0);
	}
	assert_int_equal(r.n, 10000);
	assert_true(sv_eqs(record_field(&r, 0), "f0"));
	assert_true(sv_eqs(record_field(&r, 9999), "f9999"));
	/* why: past the end is an empty view, not a crash */
	assert_int_equal(record_field(&r, 10000).len, 0);
	assert_int_equal(record_field(&r, (size_t)-1).len, 0);
	record_reset(&r);
	assert_int_equal(r.n, 0);
	/* why: empty fields, a NUL inside a field, a NULL pointer with 0 */
	assert_int_equal(record_add(&r, "", 0), 0);
	assert_int_equal(record_add(&r, "a\0b", 3), 0);
	assert_int_equal(record_add(&r, NULL, 0), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(record_field(&r, 1).len, 3);
	assert_memory_equal(record_field(&r, 1).p, "a\0b", 3);
	assert_int_equal(record_field(&r, 2).len, 0);
	/* why: a field past RECORD_MAX_BYTES is refused before any copy */
	assert_int_equal(record_add(&r, "x", RECORD_MAX_BYTES), -1);
	assert_int_equal(r.n, 3);
	record_release(&r);
	record_release(&r);
}

static void test_record_set(void **state)
{
	static const char *const after_short[] = { "ab", "中", "z" };
	static const char *const after_long[] = { "ab", "中文很长的值abc",
						  "z" };
	static const char *const after_self[] = { "中文很长的值abc",
						  "中文很长的值abc", "b" };
	struct record r;
	size_t cap;
	struct strview v;

	(void)state;
	record_init(&r);
	record_add(&r, "abc", 3);
	record_add(&r, "中文", 6);
	record_add(&r, "z", 1);
	cap = r.data.cap;
	/* why: a shorter value is written in place: no growth */
	assert_int_equal(record_set(&r, 0, "ab", 2), 0);
	assert_int_equal(record_set(&r, 1, "中", 3), 0);
	assert_int_equal(r.data.cap, cap);
	expect_fields(&r, after_short, 3, "set shorter");
	/* why: a longer value goes to the end of data */
	assert_int_equal(record_set(&r, 1, "中文很长的值abc", 21), 0);
	expect_fields(&r, after_long, 3, "set longer");
	/* why: setting from the record's own bytes (a longer field copied
	 * to a shorter one, and a field to a piece of itself) */
	v = record_field(&r, 1);
	assert_int_equal(record_set(&r, 0, v.p, v.len), 0);
	v = record_field(&r, 0);
	assert_int_equal(record_set(&r, 2, v.p + v.len - 2, 1), 0);
	expect_fields(&r, after_self, 3, "set from itself");
	/* why: repeated self-copies move data while it is being read */
	for (int i = 0; i < 200; i++) {
		v = record_field(&r, 0);
		assert_int_equal(record_set(&r, 0, v.p, v.len), 0);
	}
	expect_fields(&r, after_self, 3, "self-copies");
	/* why: index past n is -1, not a new field */
	assert_int_equal(record_set(&r, 3, "x", 1), -1);
	assert_int_equal(r.n, 3);
	/* why: set to empty */
	assert_int_equal(record_set(&r, 1, "", 0), 0);
	assert_int_equal(record_field(&r, 1).len, 0);
	assert_int_equal(record_set(&r, 1, "x", RECORD_MAX_BYTES), -1);
	record_release(&r);
}

static void test_record_copy(void **state)
{
	static const char *const want[] = { "1", "", "张伟", "x,y" };
	struct record a, b;

	(void)state;
	record_init(&a);
	record_init(&b);
	for (size_t i = 0; i < 4; i++)
		record_add(&a, want[i], strlen(want[i]));
	a.row = 7;
	a.line = 9;
	record_add(&b, "old", 3);
	record_add(&b, "old", 3);
	record_add(&b, "old", 3);
	record_add(&b, "old", 3);
	record_add(&b, "old", 3);
	/* why: copy replaces what dst held, with row and line */
	assert_int_equal(record_copy(&b, &a), 0);
	expect_fields(&b, want, 4, "copy");
	assert_int_equal(b.row, 7);
	assert_int_equal(b.line, 9);
	/* why: the copy owns its bytes */
	record_set(&a, 2, "李", 3);
	record_reset(&a);
	record_add(&a, "other", 5);
	expect_fields(&b, want, 4, "copy after source changed");
	/* why: copying an empty record gives an empty record */
	record_reset(&a);
	assert_int_equal(record_copy(&b, &a), 0);
	assert_int_equal(b.n, 0);
	record_release(&a);
	record_release(&b);
}

static const struct {
	const char *names[4];
	const char *want[4];
	int mobile, name, email;
	const char *why;
} header_cases[] = {
	{ { "mobile", "name", "email", NULL }, { "mobile", "name", "email" },
	  0, 1, 2, "canonical names" },
	{ { "\xef\xbb\xbfmobile", " name ", "\tx\t", NULL },
	  { "mobile", "name", "x" }, 0, 1, -1, "BOM and spaces trimmed" },
	{ { "\xef\xbb\xbf  name", NULL }, { "name" }, -1, 0, -1,
	  "BOM then spaces" },
	{ { "a", "\xef\xbb\xbfname", NULL }, { "a", "\xef\xbb\xbfname" }, -1,
	  -1, -1, "a BOM only counts on the first column" },
	{ { "\xe3\x80\x80手机\xe3\x80\x80", "mobile", "mobile", NULL },
	  { "手机", "mobile", "mobile" }, 1, -1, -1,
	  "ideographic spaces trimmed; the first duplicate wins" },
	{ { "Mobile", "NAME", NULL }, { "Mobile", "NAME" }, 0, 1, -1,
	  "another case names the field too (issue 11: 'Mobile' was skipped)" },
	{ { "Mobile", "mobile", "EMAIL", NULL }, { "Mobile", "mobile", "EMAIL" },
	  1, -1, 2, "the exact name wins over another case" },
	{ { "", "", NULL }, { "", "" }, -1, -1, -1, "empty names" },
};

static void test_header_set(void **state)
{
	struct record rec;
	struct header h;

	(void)state;
	record_init(&rec);
	header_init(&h);
	for (size_t i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]);
	     i++) {
		size_t n = 0;

		record_reset(&rec);
		while (n < 4 && header_cases[i].names[n]) {
			record_add(&rec, header_cases[i].names[n],
				   strlen(header_cases[i].names[n]));
			n++;
		}
		assert_int_equal(header_set(&h, &rec), 0);
		expect_fields(&h.names, header_cases[i].want, n,
			      header_cases[i].why);
		if (h.canon[CF_MOBILE] != header_cases[i].mobile ||
		    h.canon[CF_NAME] != header_cases[i].name ||
		    h.canon[CF_EMAIL] != header_cases[i].email)
			fail_msg("%s: canon %d %d %d", header_cases[i].why,
				 h.canon[CF_MOBILE], h.canon[CF_NAME],
				 h.canon[CF_EMAIL]);
	}
	record_release(&rec);
	header_release(&h);
}

static void test_header_lookup(void **state)
{
	struct header h;
	struct record rec;

	(void)state;
	header_init(&h);
	record_init(&rec);
	assert_int_equal(header_count(&h), 0);
	assert_int_equal(header_add(&h, "id"), 0);
	assert_int_equal(header_add(&h, "email"), 1);
	assert_int_equal(header_add(&h, "手机"), 2);
	assert_int_equal(header_find(&h, "手机"), 2);
	assert_int_equal(header_find(&h, "email"), 1);
	/* why: lookup is exact: no case folding, no prefix */
	assert_int_equal(header_find(&h, "Email"), -1);
	assert_int_equal(header_find(&h, "emai"), -1);
	assert_int_equal(header_find(&h, ""), -1);
	assert_int_equal(h.canon[CF_EMAIL], 1);
	record_add(&rec, "7", 1);
	record_add(&rec, "a@b.cn", 6);
	assert_true(sv_eqs(record_canon(&rec, &h, CF_EMAIL), "a@b.cn"));
	/* why: a canonical field the header lacks is an empty view */
	assert_int_equal(record_canon(&rec, &h, CF_MOBILE).len, 0);
	/* why: a short record gives an empty view for a missing column */
	record_reset(&rec);
	record_add(&rec, "7", 1);
	assert_int_equal(record_canon(&rec, &h, CF_EMAIL).len, 0);
	/* why: header_set replaces an older header and its canon index */
	record_reset(&rec);
	record_add(&rec, "mobile", 6);
	header_set(&h, &rec);
	assert_int_equal(header_count(&h), 1);
	assert_int_equal(h.canon[CF_EMAIL], -1);
	assert_int_equal(h.canon[CF_MOBILE], 0);
	header_release(&h);
	header_release(&h);
	record_release(&rec);
}

/* record_add_within copies the line once and clears what lies between
 * the fields; it must give the fields record_add_views gives, NUL-ended,
 * with no byte of the line outside them left in the data (the writer
 * looks at all of it for bytes that need quotes). Fields are cut from a
 * line at every choice of gap (one to five bytes) and length (0 to 9),
 * after earlier fields in the record. */
static void test_record_add_within(void **state)
{
	static const char line[] = "ab,\"c\",\"\"d,e,,\"f,g\"\",h\",,i\"\"jklmnopq,\"";
	const size_t len = sizeof(line) - 1;
	struct record a, b;

	(void)state;
	record_init(&a);
	record_init(&b);
	for (size_t gap = 1; gap <= 5; gap++)
		for (size_t flen = 0; flen <= 9; flen++)
			for (size_t lead = 0; lead <= 2; lead++) {
				struct strview f[16];
				size_t n = 0, at = lead;

				while (n < 16 && at + flen <= len) {
					f[n++] = svn(line + at, flen);
					at += flen + gap;
				}
				record_reset(&a);
				record_reset(&b);
				record_add(&a, "x", 1);
				record_add(&b, "x", 1);
				assert_int_equal(record_add_views(&a, f, n), 0);
				assert_int_equal(
					record_add_within(&b, line, len, f, n),
					0);
				assert_int_equal(a.n, b.n);
				for (size_t i = 0; i < a.n; i++) {
					struct strview x = record_field(&a, i);
					struct strview y = record_field(&b, i);

					if (!sv_eq(x, y) || y.p[y.len] != '\0')
						fail_msg("gap %zu len %zu lead "
							 "%zu: field %zu '%s' "
							 "vs '%s'",
							 gap, flen, lead, i,
							 x.p, y.p);
				}
				for (size_t k = 0, i = 0; k < b.data.len; k++) {
					while (i < b.n &&
					       k >= b.off[i] + b.len[i])
						i++;
					if (b.data.p[k] &&
					    (i == b.n || k < b.off[i]))
						fail_msg("gap %zu len %zu lead "
							 "%zu: byte %zu "
							 "'%c' left between "
							 "fields",
							 gap, flen, lead, k,
							 b.data.p[k]);
				}
			}
	record_release(&a);
	record_release(&b);
}

/* record_split finds delimiters sixteen bytes at a time where it can:
 * every line of up to 40 bytes with a delimiter at one place, at two
 * (also next to each other), and at every fifth place, must give the
 * fields a byte-by-byte cut gives. */
static void check_split(const char *line, size_t len)
{
	struct record r;
	size_t from = 0, k = 0;

	record_init(&r);
	record_add(&r, "x", 1);
	assert_int_equal(record_split(&r, line, len, ';'), 0);
	for (size_t i = 0; i <= len; i++) {
		struct strview f;

		if (i < len && line[i] != ';')
			continue;
		f = record_field(&r, 1 + k);
		if (1 + k >= r.n || !sv_eq(f, svn(line + from, i - from)) ||
		    f.p[f.len] != '\0')
			fail_msg("'%.*s': field %zu is '%s'", (int)len, line, k,
				 1 + k < r.n ? f.p : "(none)");
		k++;
		from = i + 1;
	}
	assert_int_equal(r.n, 1 + k);
	record_release(&r);
}

static void test_record_split(void **state)
{
	char line[41] = {0};

	(void)state;
	for (size_t len = 0; len <= 40; len++) {
		for (size_t i = 0; i < len; i++)
			line[i] = i % 3 ? (char)('a' + i % 26) : '\xe5';
		check_split(line, len);
		for (size_t a = 0; a < len; a++) {
			char keep = line[a];

			line[a] = ';';
			check_split(line, len);
			for (size_t b = a + 1; b < len && b < a + 18; b++) {
				char keep_b = line[b];

				line[b] = ';';
				check_split(line, len);
				line[b] = keep_b;
			}
			line[a] = keep;
		}
		for (size_t i = 0; i < len; i += 5)
			line[i] = ';';
		check_split(line, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_add),
		cmocka_unit_test(test_record_set),
		cmocka_unit_test(test_record_copy),
		cmocka_unit_test(test_record_add_within),
		cmocka_unit_test(test_record_split),
		cmocka_unit_test(test_header_set),
		cmocka_unit_test(test_header_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
