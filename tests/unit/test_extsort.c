#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extsort.h"
#include "helpers.h"

/* Keys with many repeats (stability shows), a key that is a prefix of
 * another ("k1" < "k10"), empty keys and values. */
static void key_of(unsigned i, struct buf *k)
{
	buf_reset(k);
	if (i % 97 == 0)
		return; /* the empty key sorts first */
	buf_addf(k, "k%u", (i * 7919u) % 1000u);
}

static char *tmpdir_new(void)
{
	char tmpl[] = "/tmp/test_extsort.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

/* Sort n entries in budget; check the order (key, then the order added)
 * and return the runs written. */
static size_t sort_check(unsigned n, size_t budget, const char *dir)
{
	struct extsort *s = extsort_new(budget, dir);
	struct mbr_err err = MBR_ERR_INIT;
	struct buf k, prev;
	struct strview key, val;
	unsigned got = 0, prev_seq = 0;
	size_t runs;
	int rc;

	buf_init(&k, BUF_NOLIMIT);
	buf_init(&prev, BUF_NOLIMIT);
	for (unsigned i = 0; i < n; i++) {
		char v[16];

		key_of(i, &k);
		snprintf(v, sizeof(v), "%u", i);
		assert_int_equal(extsort_add(s, buf_view(&k), sv(v), &err), 0);
	}
	assert_int_equal(extsort_finish(s, &err), 0);
	/* the runs are unlinked at once: nothing is left in the directory */
	assert_int_equal(th_dir_entries(dir), 0);
	while ((rc = extsort_next(s, &key, &val, &err)) > 0) {
		unsigned seq = (unsigned)strtoul(val.p, NULL, 10);
		int c = sv_cmp(buf_view(&prev), key);

		buf_reset(&k);
		key_of(seq, &k);
		assert_true(sv_eq(buf_view(&k), key)); /* value kept its key */
		if (got > 0 && (c > 0 || (c == 0 && seq <= prev_seq)))
			fail_msg("budget %zu: entry %u out of order", budget,
				 got);
		buf_reset(&prev);
		buf_addsv(&prev, key);
		prev_seq = seq;
		got++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(got, n);
	assert_int_equal(extsort_count(s), n);
	runs = extsort_n_runs(s);
	extsort_free(s);
	buf_release(&k);
	buf_release(&prev);
	return runs;
}

static const struct {
	unsigned n;
	size_t budget;
	size_t min_runs, max_runs;
	const char *why;
} cases[] = {
	{0, 1 << 20, 0, 0, "nothing to sort"},
	{1, 1 << 20, 0, 0, "one entry"},
	{5000, 1 << 20, 0, 0, "all in memory"},
	{5000, 64 << 10, 2, 20, "a few runs, one merge"},
	{20000, 1 << 10, 200, 5000, "many runs: merged in passes"},
	{3, 1 << 10, 0, 2, "fewer entries than a run holds"},
};

static void test_extsort_cases(void **state)
{
	char *dir = tmpdir_new();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t runs = sort_check(cases[i].n, cases[i].budget, dir);

		if (runs < cases[i].min_runs || runs > cases[i].max_runs)
			fail_msg("%s: %zu runs", cases[i].why, runs);
	}
	rmdir(dir);
	free(dir);
}

/* An entry larger than the budget is sorted all the same. */
static void test_extsort_big_entry(void **state)
{
	struct extsort *s = extsort_new(1024, NULL);
	struct mbr_err err = MBR_ERR_INIT;
	char *big = malloc(10000);
	struct strview k, v;

	(void)state;
	memset(big, 'x', 10000);
	assert_int_equal(extsort_add(s, sv("b"), svn(big, 10000), &err), 0);
	assert_int_equal(extsort_add(s, sv("a"), sv("small"), &err), 0);
	assert_int_equal(extsort_add(s, sv("c"), svn(big, 10000), &err), 0);
	assert_int_equal(extsort_finish(s, &err), 0);
	assert_true(extsort_n_runs(s) >= 2);
	assert_int_equal(extsort_next(s, &k, &v, &err), 1);
	assert_true(sv_eqs(k, "a") && sv_eqs(v, "small"));
	assert_int_equal(extsort_next(s, &k, &v, &err), 1);
	assert_true(sv_eqs(k, "b") && v.len == 10000);
	assert_int_equal(extsort_next(s, &k, &v, &err), 1);
	assert_true(sv_eqs(k, "c") && v.len == 10000);
	assert_int_equal(extsort_next(s, &k, &v, &err), 0);
	extsort_free(s);
	free(big);
}

/* A directory that cannot hold runs is an I/O error naming it. */
static void test_extsort_bad_dir(void **state)
{
	struct extsort *s = extsort_new(1024, "/nonexistent/dir");
	struct mbr_err err = MBR_ERR_INIT;
	int rc = 0;

	(void)state;
	for (unsigned i = 0; rc == 0 && i < 1000; i++)
		rc = extsort_add(s, sv("key"), sv("some value"), &err);
	assert_int_equal(rc, -1);
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/dir"));
	extsort_free(s);
	extsort_free(NULL);
}

static void test_extsort_records(void **state)
{
	static const char *const rows[] = {"pos|1|张伟", "|||", "", "a",
					   "x|\"quoted, comma\"|end"};
	struct record a, b;
	struct buf p;

	(void)state;
	record_init(&a);
	record_init(&b);
	buf_init(&p, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		th_record(&a, rows[i]);
		buf_reset(&p);
		assert_int_equal(extsort_pack_record(&a, &p), 0);
		assert_int_equal(extsort_unpack_record(buf_view(&p), &b), 0);
		assert_int_equal(a.n, b.n);
		for (size_t j = 0; j < a.n; j++)
			assert_true(sv_eq(record_field(&a, j),
					  record_field(&b, j)));
	}
	/* a truncated value is refused, not read past its end */
	assert_int_equal(extsort_unpack_record(svn(p.p, p.len - 1), &b), -1);
	assert_int_equal(extsort_unpack_record(svn("\x05"
						   "ab",
						   3),
					       &b),
			 -1);
	/* a length that never ends, or is too long to be one */
	assert_int_equal(extsort_unpack_record(svn("\x80", 1), &b), -1);
	assert_int_equal(extsort_unpack_record(svn("\xff\xff\xff\xff\xff"
						   "\xff\xff\xff\xff\x01",
						   10),
					       &b),
			 -1);
	/* fields of 127, 128 and 20,000 bytes: lengths of one to three
	 * bytes */
	record_reset(&a);
	for (size_t len = 127; len <= 20000; len = len == 127 ? 128 : 20000) {
		char *f = xmalloc(len);

		memset(f, 'x', len);
		record_add(&a, f, len);
		free(f);
		if (len == 20000)
			break;
	}
	buf_reset(&p);
	assert_int_equal(extsort_pack_record(&a, &p), 0);
	assert_int_equal(p.len, 127 + 1 + 128 + 2 + 20000 + 3);
	assert_int_equal(extsort_unpack_record(buf_view(&p), &b), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(record_field(&b, 2).len, 20000);
	buf_release(&p);
	record_release(&a);
	record_release(&b);
}

static const struct {
	const char *in;
	size_t want; /* 0: refused */
} sizes[] = {
	{"256M", (size_t)256 << 20},
	{"1G", (size_t)1 << 30},
	{"64k", (size_t)64 << 10},
	{"4096", 4096},
	{"1K", 1024},
	{"100", 0}, /* under 1 KiB */
	{"", 0},
	{"M", 0},
	{"-5M", 0},
	{"12MB", 0},
	{"99999999999999999999G", 0},
};

/* Keys that the index's 16-byte prefix cannot tell apart: a shared
 * prefix of 12 to 17 bytes, then bytes 0, 1, 'a' and 0xff, lengths 12 to
 * 20 (a short key ends where a longer one has a 0 byte). In memory and
 * in runs: sv_cmp's order, equal keys in the order added. */
static void test_extsort_prefix(void **state)
{
	static const char tail[] = {0, 1, 'a', (char)0xff};
	unsigned seed = 99;

	(void)state;
	for (size_t budget = 1 << 10; budget <= (1 << 20); budget <<= 10) {
		struct extsort *s = extsort_new(budget, NULL);
		struct mbr_err err = MBR_ERR_INIT;
		struct strview k, v;
		char prev[32];
		size_t prev_len = 0, got = 0;
		unsigned prev_i = 0;

		for (unsigned i = 0; i < 4000; i++) {
			char key[32];
			size_t len;

			seed = seed * 1103515245 + 12345;
			len = 12 + (seed >> 16) % 9;
			memcpy(key, "sharedprefix-----", 17);
			for (size_t j = 12 + (seed >> 8) % 6; j < len; j++) {
				seed = seed * 1103515245 + 12345;
				key[j] = tail[(seed >> 16) % 4];
			}
			assert_int_equal(extsort_add(s, svn(key, len),
						     svn((char *)&i, sizeof(i)),
						     &err),
					 0);
		}
		assert_int_equal(extsort_finish(s, &err), 0);
		while (extsort_next(s, &k, &v, &err) > 0) {
			unsigned i;
			int c = sv_cmp(svn(prev, prev_len), k);

			memcpy(&i, v.p, sizeof(i));
			if (got && (c > 0 || (c == 0 && i <= prev_i)))
				fail_msg("budget %zu: entry %zu out of order",
					 budget, got);
			memcpy(prev, k.p, k.len);
			prev_len = k.len;
			prev_i = i;
			got++;
		}
		assert_int_equal(got, 4000);
		extsort_free(s);
	}
}

/* Open file descriptors of this process. */
static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Thousands of runs (the least budget, big entries) share one or two
 * files: a sort never runs out of file descriptors, and still gives every
 * entry back in order, equal keys in the order added. */
static void test_extsort_many_runs(void **state)
{
	enum { N = 5000 };
	struct extsort *s = extsort_new(1, NULL);
	struct mbr_err err = MBR_ERR_INIT;
	struct strview k, v;
	char key[16], val[600];
	size_t before = open_fds(), n = 0;
	unsigned last_key = 0, last_i = 0;

	(void)state;
	memset(val, 'v', sizeof(val));
	for (unsigned i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "%04u", (i * 7919u) % 997);
		snprintf(val, 16, "%08u", i);
		assert_int_equal(
			extsort_add(s, sv(key), svn(val, sizeof(val)), &err),
			0);
	}
	assert_true(extsort_n_runs(s) >= N / 2);
	assert_true(open_fds() <= before + 1);
	assert_int_equal(extsort_finish(s, &err), 0);
	assert_true(open_fds() <= before + 2);
	while (extsort_next(s, &k, &v, &err) > 0) {
		char kt[8], vt[16];
		unsigned kk, i;

		assert_int_equal(k.len, 4);
		memcpy(kt, k.p, 4);
		kt[4] = '\0';
		memcpy(vt, v.p, 8);
		vt[8] = '\0';
		kk = (unsigned)atoi(kt);
		i = (unsigned)atoi(vt);

		assert_int_equal(v.len, sizeof(val));
		assert_true(kk >= last_key);
		if (n && kk == last_key)
			assert_true(i > last_i);
		last_key = kk;
		last_i = i;
		n++;
	}
	assert_int_equal(n, N);
	extsort_free(s);
	assert_int_equal(open_fds(), before);
}

static void test_extsort_parse_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t got = 0;
		int rc = extsort_parse_size(sizes[i].in, &got);

		if (sizes[i].want ? rc != 0 || got != sizes[i].want : rc != -1)
			fail_msg("'%s': rc %d, %zu", sizes[i].in, rc, got);
	}
	assert_true(extsort_default_budget() >= ((size_t)64 << 20));
	assert_true(extsort_default_budget() <= ((size_t)256 << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extsort_cases),
		cmocka_unit_test(test_extsort_big_entry),
		cmocka_unit_test(test_extsort_bad_dir),
		cmocka_unit_test(test_extsort_records),
		cmocka_unit_test(test_extsort_parse_size),
		cmocka_unit_test(test_extsort_many_runs),
		cmocka_unit_test(test_extsort_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
