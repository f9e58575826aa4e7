/*
 * test_hash: the hash table every index uses (rules' unique keys,
 * merge-id's records and masters).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hash.h"

static void test_hash_bytes(void **state)
{
	(void)state;
	assert_true(hash_bytes(sv("")) != 0);
	assert_true(hash_bytes(sv("a")) != hash_bytes(sv("b")));
	assert_true(hash_bytes(sv("12345678")) != hash_bytes(sv("12345679")));
	/* the parts of a pair are told apart */
	assert_true(hash_pair(sv("ab"), sv("c")) !=
		    hash_pair(sv("a"), sv("bc")));
	assert_true(hash_pair(sv(""), sv("x")) != hash_pair(sv("x"), sv("")));
	assert_int_equal(hash_pair(sv("pos"), sv("1")),
			 hash_pair(sv("pos"), sv("1")));
}

/* Entries are numbers; every key here is the same, so only same() can
 * tell them apart: collisions are handled, not assumed away. */
static bool same_number(const void *ctx, uint32_t v, const void *want)
{
	(void)ctx;
	return v == *(const uint32_t *)want;
}

static void test_hash_collisions(void **state)
{
	struct hash_table t = HASH_TABLE_INIT;

	(void)state;
	for (uint32_t i = 0; i < 100; i++) {
		struct hash_slot *s = hash_find(&t, 42, same_number, NULL, &i);

		assert_int_equal(s->key, 0);
		hash_put(&t, s, 42, i);
	}
	for (uint32_t i = 0; i < 100; i++) {
		struct hash_slot *s = hash_find(&t, 42, same_number, NULL, &i);

		assert_int_equal(s->key, 42);
		assert_int_equal(s->value, i);
	}
	assert_int_equal(t.n, 100);
	hash_release(&t);
	assert_null(t.slot);
}

/* A set of hashes grows past its first size and finds every key again;
 * a slot found but not filled adds nothing. */
static void test_hash_growth(void **state)
{
	struct hash_table t = HASH_TABLE_INIT;
	char key[32];

	(void)state;
	for (uint32_t i = 0; i < 100000; i++) {
		uint64_t h;
		struct hash_slot *s;

		snprintf(key, sizeof(key), "%u", i);
		h = hash_bytes(sv(key));
		s = hash_find(&t, h, NULL, NULL, NULL);
		assert_int_equal(s->key, 0);
		if (i % 3)
			hash_put(&t, s, h, i);
	}
	for (uint32_t i = 0; i < 100000; i++) {
		struct hash_slot *s;

		snprintf(key, sizeof(key), "%u", i);
		s = hash_find(&t, hash_bytes(sv(key)), NULL, NULL, NULL);
		assert_int_equal(s->key != 0, i % 3 != 0);
		if (s->key)
			assert_int_equal(s->value, i);
	}
	assert_int_equal(t.n, 66666);
	assert_true(4 * t.n <= 3 * (t.mask + 1));
	hash_release(&t);
}

/* Pairs of one 64-bit hash_bytes, found by tests/unit/collide.c, that
 * tests of exactness use (test_rules, tests/cli/validate/018-hash-collision,
 * tests/cli/report/005-hash-collision). If hash_bytes changes, they stop
 * colliding and this fails: find new ones and put them in those tests.
 * hash_check tells each pair apart. */
static void test_hash_known_collisions(void **state)
{
	static const char *const pairs[][2] = {
		{"pos\xff"
		 "d6b3709251aabf02\xff",
		 "pos\xff"
		 "9bd76a3fda32416a\xff"}, /* ./collide 12345 $'pos\xff' $'\xff' */
		{"5b20298afc0e18df", "e728a438de7b3524"}, /* ./collide 777 '' '' */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct strview a = sv(pairs[i][0]), b = sv(pairs[i][1]);

		assert_false(sv_eq(a, b));
		assert_true(hash_bytes(a) == hash_bytes(b));
		assert_true(hash_check(a) != hash_check(b));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_bytes),
		cmocka_unit_test(test_hash_collisions),
		cmocka_unit_test(test_hash_known_collisions),
		cmocka_unit_test(test_hash_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
