/*
 * test_memo: answers come back for the very (tag, key) they were kept
 * for, never for another one that shares a slot, a hash or a prefix; what
 * does not fit a slot is not kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "memo.h"

static void expect(const struct memo *m, unsigned tag, const char *key,
		   int res, const char *ans)
{
	struct strview got;
	int r;

	if (!memo_get(m, tag, sv(key), &r, &got))
		fail_msg("'%s' (tag %u): no answer, want '%s'", key, tag, ans);
	if (r != res || !sv_eq(got, sv(ans)))
		fail_msg("'%s' (tag %u): %d '%.*s', want %d '%s'", key, tag, r,
			 (int)got.len, got.p, res, ans);
}

static void expect_none(const struct memo *m, unsigned tag, const char *key)
{
	struct strview got;
	int r;

	if (memo_get(m, tag, sv(key), &r, &got))
		fail_msg("'%s' (tag %u): answer %d '%.*s', want none", key,
			 tag, r, (int)got.len, got.p);
}

static void test_get_put(void **state)
{
	struct memo *m = memo_new(64);

	(void)state;
	expect_none(m, 0, "张伟");
	memo_put(m, 0, sv("张伟"), 0, sv("张伟"));
	memo_put(m, 1, sv("张伟"), 3, sv("x"));
	expect(m, 0, "张伟", 0, "张伟");
	expect(m, 1, "张伟", 3, "x");
	expect_none(m, 2, "张伟");
	expect_none(m, 0, "张");
	expect_none(m, 0, "张伟 ");
	memo_put(m, 0, sv("男"), -1, sv(""));
	expect(m, 0, "男", -1, "");
	memo_put(m, 0, sv("张伟"), 5, sv("changed"));
	expect(m, 0, "张伟", 5, "changed");
	memo_free(m);
}

/* One slot: every pair shares it, and only the last one kept answers. */
static void test_one_slot(void **state)
{
	struct memo *m = memo_new(1);
	char key[32], ans[32];

	(void)state;
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(ans, sizeof(ans), "a%d", i);
		memo_put(m, (unsigned)i % 3, sv(key), i, sv(ans));
		expect(m, (unsigned)i % 3, key, i, ans);
		if (i > 0) {
			snprintf(key, sizeof(key), "k%d", i - 1);
			expect_none(m, (unsigned)(i - 1) % 3, key);
		}
	}
	memo_free(m);
}

/* Many pairs through few slots: whatever answers comes back is the
 * answer put for that very pair; and a few pairs in many slots all stay
 * (two that share a slot move apart). */
static void test_thrash(void **state)
{
	struct memo *m = memo_new(8);
	char key[32], ans[32];
	struct strview got;
	int r, hits = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "%d", i % 97);
		snprintf(ans, sizeof(ans), "a%d", i % 97);
		memo_put(m, (unsigned)i % 2, sv(key), i % 97, sv(ans));
		for (int k = 0; k < 97; k++) {
			snprintf(key, sizeof(key), "%d", k);
			snprintf(ans, sizeof(ans), "a%d", k);
			if (!memo_get(m, (unsigned)i % 2, sv(key), &r, &got))
				continue;
			hits++;
			if (r != k || !sv_eq(got, sv(ans)))
				fail_msg("'%s': %d '%.*s'", key, r,
					 (int)got.len, got.p);
		}
	}
	assert_true(hits > 0);
	memo_free(m);
	m = memo_new(256);
	for (int i = 0; i < 30; i++) {
		snprintf(key, sizeof(key), "w%d", i);
		memo_put(m, 7, sv(key), i, sv(key));
	}
	for (int i = 0; i < 30; i++) {
		snprintf(key, sizeof(key), "w%d", i);
		expect(m, 7, key, i, key);
	}
	memo_free(m);
}

/* Key and answer together up to MEMO_BYTES are kept; past it, not (and
 * what the slot held before stays). */
static void test_sizes(void **state)
{
	struct memo *m = memo_new(1);
	char key[MEMO_BYTES + 2], ans[MEMO_BYTES + 2];
	struct strview got;
	int r;

	(void)state;
	memset(key, 'k', sizeof(key));
	memset(ans, 'a', sizeof(ans));
	memo_put(m, 0, svn(key, MEMO_BYTES), 1, svn("", 0));
	assert_true(memo_get(m, 0, svn(key, MEMO_BYTES), &r, &got));
	assert_int_equal(r, 1);
	memo_put(m, 0, svn(key, MEMO_BYTES / 2), 2, svn(ans, MEMO_BYTES - MEMO_BYTES / 2));
	assert_true(memo_get(m, 0, svn(key, MEMO_BYTES / 2), &r, &got));
	assert_int_equal(r, 2);
	assert_true(sv_eq(got, svn(ans, MEMO_BYTES - MEMO_BYTES / 2)));
	memo_put(m, 0, svn(key, MEMO_BYTES + 1), 3, svn("", 0));
	assert_false(memo_get(m, 0, svn(key, MEMO_BYTES + 1), &r, &got));
	memo_put(m, 0, svn(key, MEMO_BYTES / 2), 4, svn(ans, MEMO_BYTES - MEMO_BYTES / 2 + 1));
	assert_true(memo_get(m, 0, svn(key, MEMO_BYTES / 2), &r, &got));
	assert_int_equal(r, 2); /* the answer before stays */
	memo_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_put),
		cmocka_unit_test(test_one_slot),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_thrash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
