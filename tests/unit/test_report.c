/*
 * test_report: histogram binning (cluster sizes, match weights).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "report.h"

static void test_size_bins(void **state)
{
	static const struct {
		unsigned long n;
		const char *label;
	} cases[] = {{1, "1"},	    {2, "2"},	     {5, "5"},
		     {6, "6-10"},   {10, "6-10"},    {11, "11-20"},
		     {20, "11-20"}, {21, "21-50"},   {50, "21-50"},
		     {51, "51+"},   {100000, "51+"}, {0, "1"}};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_string_equal(
			report_size_label(report_size_bin(cases[i].n)),
			cases[i].label);
	assert_string_equal(report_size_label(REPORT_SIZE_BINS), "");
}

static void test_weight_bins(void **state)
{
	double lo, width;
	unsigned nb;

	(void)state;
	/* -9.5 .. 55.3 in at most 40 bins: width 2, from -10 */
	report_bins(-9.5, 55.3, 40, &lo, &width, &nb);
	assert_true(lo == -10 && width == 2);
	assert_int_equal(nb, 33);
	assert_true(lo + nb * width > 55.3);
	/* fewer bins allowed: width widens 1, 2, 5, 10, 20 ... */
	report_bins(-9.5, 55.3, 10, &lo, &width, &nb);
	assert_true(width == 10 && lo == -10);
	assert_int_equal(nb, 7);
	/* one value; max below min */
	report_bins(3.2, 3.2, 40, &lo, &width, &nb);
	assert_true(lo == 3 && width == 1);
	assert_int_equal(nb, 1);
	report_bins(5, 1, 40, &lo, &width, &nb);
	assert_int_equal(nb, 1);
	/* the bin of a value: lower edge in, upper edge out, clamped */
	assert_int_equal(report_bin(-10, -10, 2, 33), 0);
	assert_int_equal(report_bin(-8.01, -10, 2, 33), 0);
	assert_int_equal(report_bin(-8, -10, 2, 33), 1);
	assert_int_equal(report_bin(55.3, -10, 2, 33), 32);
	assert_int_equal(report_bin(1e9, -10, 2, 33), 32);
	assert_int_equal(report_bin(-1e9, -10, 2, 33), 0);
	assert_int_equal(report_bin(0.0 / 0.0, -10, 2, 33), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_bins),
		cmocka_unit_test(test_weight_bins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
