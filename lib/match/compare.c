/*
 * compare: value comparators that do not need the record features:
 * dates (exact, day/month swapped, one digit off, within a year).
 */
#include "match/match_int.h"

#include <stdlib.h>

static int digits(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int32_t compare_parse_date(struct strview v)
{
	int y, m, d;

	if (v.len == 10 && v.p[4] == '-' && v.p[7] == '-') {
		y = digits(v.p, 4);
		m = digits(v.p + 5, 2);
		d = digits(v.p + 8, 2);
	} else if (v.len == 8) {
		y = digits(v.p, 4);
		m = digits(v.p + 4, 2);
		d = digits(v.p + 6, 2);
	} else {
		return 0;
	}
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return 0;
	return y * 10000 + m * 100 + d;
}

/* Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
static long day_number(int32_t ymd)
{
	long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The 8 digits differ in one place, or in two neighbouring places that
 * are swapped (1985 / 1958). */
static bool one_digit_off(int32_t a, int32_t b)
{
	int da[8], db[8], diff[8], n = 0;

	for (int i = 7; i >= 0; i--) {
		da[i] = a % 10;
		db[i] = b % 10;
		a /= 10;
		b /= 10;
	}
	for (int i = 0; i < 8; i++)
		if (da[i] != db[i])
			diff[n++] = i;
	if (n == 1)
		return true;
	return n == 2 && diff[1] == diff[0] + 1 &&
	       da[diff[0]] == db[diff[1]] && da[diff[1]] == db[diff[0]];
}

enum date_level compare_dates(int32_t a, int32_t b)
{
	int am = a / 100 % 100, ad = a % 100, bm = b / 100 % 100, bd = b % 100;

	if (a == 0 || b == 0)
		return DATE_NULL;
	if (a == b)
		return DATE_EXACT;
	if (a / 10000 == b / 10000 && am == bd && ad == bm)
		return DATE_SWAPPED;
	if (one_digit_off(a, b))
		return DATE_ONE_DIGIT;
	if (labs(day_number(a) - day_number(b)) <= 365)
		return DATE_NEAR;
	return DATE_OTHER;
}
