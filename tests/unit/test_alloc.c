/*
 * test_alloc: xmalloc's huge-page advice on large arrays must leave each
 * array one mapping, so that xrealloc can grow it in place (mremap)
 * instead of copying it; and growing must keep every byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

/* How many mappings of /proc/self/maps the pages of p[0, n) lie in, or
 * -1 without /proc. */
static int mappings_over(const void *p, size_t n)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(page - 1);
	uintptr_t e = ((uintptr_t)p + n + page - 1) & ~(page - 1);
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int count = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < e && hi > a)
			count++;
	}
	fclose(f);
	return count;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 4093)
		p[i] = (unsigned char)(i / 4093 * 31 + seed);
}

static bool same(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 4093)
		if (p[i] != (unsigned char)(i / 4093 * 31 + seed))
			return false;
	return true;
}

/* Before the fix the advice covered only the array's whole 2 MB pages:
 * its mapping became three (before, advised, after), which mremap
 * refuses to grow (EFAULT), and realloc copied. */
static void test_large_array_one_mapping(void **state)
{
	size_t n = (size_t)48 << 20;
	unsigned char *p = xmalloc(n);
	int before;

	(void)state;
	before = mappings_over(p, n);
	if (before < 0)
		skip();
	assert_int_equal(before, 1);
	fill(p, n, 7);
	p = xrealloc(p, 2 * n);
	assert_int_equal(mappings_over(p, 2 * n), 1);
	assert_true(same(p, n, 7));
	fill(p + n, n, 9);
	p = xrealloc(p, 4 * n);
	assert_int_equal(mappings_over(p, 4 * n), 1);
	assert_true(same(p, n, 7));
	assert_true(same(p + n, n, 9));
	free(p);
	p = xcalloc(n / 8, 8);
	assert_int_equal(mappings_over(p, n), 1);
	assert_int_equal(p[n - 1], 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_array_one_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
