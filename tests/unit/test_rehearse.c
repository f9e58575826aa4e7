/*
 * test_rehearse: limits as rehearse reads them (a percentage or a
 * fraction, every source's or one source's).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "rehearse.h"

static void test_rates(void **state)
{
	double r = -1;

	(void)state;
	assert_int_equal(rehearse_parse_rate("0.5%", &r), 0);
	assert_true(r > 0.00499 && r < 0.00501);
	assert_int_equal(rehearse_parse_rate("0.005", &r), 0);
	assert_true(r > 0.00499 && r < 0.00501);
	assert_int_equal(rehearse_parse_rate("0", &r), 0);
	assert_true(r == 0);
	assert_int_equal(rehearse_parse_rate("100%", &r), 0);
	assert_true(r == 1);
	assert_int_equal(rehearse_parse_rate("2", &r), -1);
	assert_int_equal(rehearse_parse_rate("101%", &r), -1);
	assert_int_equal(rehearse_parse_rate("-1%", &r), -1);
	assert_int_equal(rehearse_parse_rate("", &r), -1);
	assert_int_equal(rehearse_parse_rate("5%%", &r), -1);
	assert_int_equal(rehearse_parse_rate("nan", &r), -1);
}

static void test_limits(void **state)
{
	struct rehearse_opts o = REHEARSE_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	assert_true(o.max_rate == REHEARSE_DEFAULT_RATE);
	assert_int_equal(rehearse_set_limit(&o, "2%", &err), 0);
	assert_true(o.max_rate > 0.0199 && o.max_rate < 0.0201);
	assert_int_equal(rehearse_set_limit(&o, "pos=a=0.5%", &err), 0);
	assert_int_equal(o.n_limits, 1);
	assert_string_equal(o.limits[0].source, "pos=a");
	assert_int_equal(rehearse_set_limit(&o, "=1%", &err), -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_int_equal(rehearse_set_limit(&o, "pos=", &err), -1);
	assert_int_equal(o.n_limits, 1);
	rehearse_opts_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
