/*
 * test_hashstore: sets of hashes on disk (the unique rules' keys past
 * their memory budget). The file lives in $TMPDIR, set to a directory
 * made by mkdtemp under /tmp, which must stay empty: the file is unlinked
 * as soon as it is open.
 */
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

#include "hash.h"
#include "hashstore.h"
#include "helpers.h"

/* Keys of both signs (SQLite's integers are signed), empty slots among
 * them, two sets that do not mix, a second put to a set. */
static void test_hashstore_sets(void **state)
{
	char tmpl[] = "/tmp/test_hashstore.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct mbr_err err = MBR_ERR_INIT;
	struct hash_slot slots[4000];
	struct hashstore *s;

	(void)state;
	assert_non_null(dir);
	setenv("TMPDIR", dir, 1);
	s = hashstore_open(0, &err);
	assert_non_null(s);
	assert_int_equal(th_dir_entries(dir), 0);

	memset(slots, 0, sizeof(slots));
	for (uint64_t i = 0; i < 4000; i += 2) { /* every other slot empty */
		struct strview v = {(char *)&i, sizeof(i)};

		slots[i].key = hash_bytes(v);
		slots[i].value = hash_check(v);
	}
	assert_int_equal(hashstore_put(s, 3, slots, 4000, &err), 0);
	for (uint64_t i = 0; i < 4000; i++) {
		struct strview v = {(char *)&i, sizeof(i)};
		uint64_t k = hash_bytes(v);
		uint32_t c = hash_check(v);

		assert_int_equal(hashstore_has(s, 3, k, c, &err), i % 2 == 0);
		/* The same 64-bit key with another check is another key. */
		assert_int_equal(hashstore_has(s, 3, k, c ^ 1, &err), 0);
		assert_int_equal(hashstore_has(s, 0, k, c, &err), 0);
	}
	memset(slots, 0, sizeof(slots));
	slots[0] = (struct hash_slot){UINT64_MAX, 0};
	slots[1] = (struct hash_slot){1, UINT32_MAX};
	slots[2] = (struct hash_slot){1, 7}; /* one key, two checks */
	assert_int_equal(hashstore_put(s, 0, slots, 3, &err), 0);
	assert_int_equal(hashstore_has(s, 0, UINT64_MAX, 0, &err), 1);
	assert_int_equal(hashstore_has(s, 0, 1, UINT32_MAX, &err), 1);
	assert_int_equal(hashstore_has(s, 0, 1, 7, &err), 1);
	assert_int_equal(hashstore_has(s, 0, 1, 8, &err), 0);
	assert_int_equal(hashstore_has(s, 3, 1, 7, &err), 0);
	assert_int_equal(hashstore_has(s, 7, 1, 7, &err), 0); /* no table */
	hashstore_free(s);
	assert_int_equal(th_dir_entries(dir), 0);
	rmdir(dir);
	unsetenv("TMPDIR");
}

/* A put of many slots (the sort's buckets by each byte, small ones by
 * insertion, keys of both signs, equal keys and empty slots) keeps every
 * member and no other. */
static void test_hashstore_many(void **state)
{
	enum { N = 300000 };
	char tmpl[] = "/tmp/test_hashstore.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct mbr_err err = MBR_ERR_INIT;
	struct hash_slot *slots = calloc(N, sizeof(*slots));
	struct hashstore *s;

	(void)state;
	assert_non_null(dir);
	assert_non_null(slots);
	setenv("TMPDIR", dir, 1);
	s = hashstore_open(1 << 20, &err);
	assert_non_null(s);
	for (uint64_t i = 0; i < N; i++)
		if (i % 5) {
			/* Every tenth key twice, with another check; some
			 * keys differ only in their low bytes. */
			uint64_t j = i % 10 == 1 ? i - 1 : i;

			slots[i].key = j < N / 2 ? hash_bytes((struct strview){
							   (char *)&j, sizeof(j)})
						 : 0xabcdef0000000000ULL + j;
			slots[i].value = (uint32_t)i;
		}
	assert_int_equal(hashstore_put(s, 1, slots, N, &err), 0);
	for (uint64_t i = 0; i < N; i++) {
		uint64_t j = i % 10 == 1 ? i - 1 : i;
		uint64_t k = j < N / 2 ? hash_bytes((struct strview){
						 (char *)&j, sizeof(j)})
				       : 0xabcdef0000000000ULL + j;

		assert_int_equal(hashstore_has(s, 1, k, (uint32_t)i, &err),
				 i % 5 != 0);
		assert_int_equal(hashstore_has(s, 1, k, (uint32_t)i + N, &err),
				 0);
	}
	hashstore_free(s);
	free(slots);
	assert_int_equal(th_dir_entries(dir), 0);
	rmdir(dir);
	unsetenv("TMPDIR");
}

/* A directory that cannot take the file: MBR_EIO naming it. */
static void test_hashstore_no_dir(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	setenv("TMPDIR", "/nonexistent/dir", 1);
	assert_null(hashstore_open(1 << 20, &err));
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/dir"));
	unsetenv("TMPDIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashstore_sets),
		cmocka_unit_test(test_hashstore_many),
		cmocka_unit_test(test_hashstore_no_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
