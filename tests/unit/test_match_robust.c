/*
 * What the matcher does with data it was never tuned on (issue 10):
 * partial birth dates, Latin sounds beside pinyin, nicknames, name parts
 * swapped or missing, the sibling adjustment, the capped name-only and
 * name + partial-date keys. The record pairs are those of the issue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "match.h"
#include "match/match_int.h"

/* ---- dates ---- */

static const struct {
	const char *in;
	int32_t want;
	const char *why;
} parse_cases[] = {
	{ "1985-03-07", 19850307, "full" },
	{ "19850307", 19850307, "compact" },
	{ "1985", 19850000, "a year only" },
	{ "1985-03", 19850300, "a year and month" },
	{ "1985-00-00", 19850000, "a year, as some systems write it" },
	{ "1985-03-00", 19850300, "year and month, day unknown" },
	{ "1985-00-07", 0, "a day without a month is no date" },
	{ "1985-02-30", 0, "no such day" },
	{ "1985-13", 0, "no such month" },
	{ "85-03-07", 0, "a two-digit year" },
	{ "198", 0, "three digits" },
	{ "", 0, "empty" },
	{ "１９８５", 0, "full-width digits (normalize folds them first)" },
};

static void test_parse_dates(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	     i++) {
		int32_t got = compare_parse_date(sv(parse_cases[i].in));

		if (got != parse_cases[i].want)
			fail_msg("%s: '%s' gave %d", parse_cases[i].why,
				 parse_cases[i].in, got);
	}
}

static const struct {
	int32_t a, b;
	enum date_level want;
	const char *why;
} date_cases[] = {
	{ 19850307, 19850307, DATE_EXACT, "the same full date" },
	{ 19850000, 19850000, DATE_PARTIAL,
	  "two year-only dates are never an exact full date" },
	{ 19850000, 19850307, DATE_PARTIAL, "a year against a full date" },
	{ 19850300, 19850307, DATE_PARTIAL, "year and month agree" },
	{ 19850400, 19850307, DATE_NEAR, "year agrees, month not" },
	{ 19860000, 19850307, DATE_NEAR, "the years one apart" },
	{ 19900000, 19850307, DATE_OTHER, "years far apart" },
	{ 19850307, 19850703, DATE_SWAPPED, "day and month swapped" },
	{ 19430322, 19460322, DATE_ONE_DIGIT, "STEFAN RICHTER: 1943 / 1946" },
	{ 19730610, 19720610, DATE_ONE_DIGIT, "Max Henderson: 1973 / 1972" },
	{ 19850307, 19850317, DATE_ONE_DIGIT, "one digit of the day" },
	{ 19850307, 19580307, DATE_ONE_DIGIT, "neighbours swapped" },
	{ 19850307, 19850412, DATE_NEAR, "within a year" },
	{ 19850307, 19950412, DATE_OTHER, "two slips ten years apart" },
	{ 0, 19850307, DATE_NULL, "missing" },
};

static void test_date_levels(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]);
	     i++) {
		enum date_level got = compare_dates(date_cases[i].a,
						    date_cases[i].b);

		if (got != date_cases[i].want ||
		    compare_dates(date_cases[i].b, date_cases[i].a) != got)
			fail_msg("%s: %d / %d: level %d, expected %d",
				 date_cases[i].why, date_cases[i].a,
				 date_cases[i].b, got, date_cases[i].want);
	}
}

/* ---- nicknames ---- */

static const char nick_table[] =
	"# a comment\r\n"
	"william,willy,bill,will,billy\r\n"
	"bill,william,billy,robert,fred\n"
	"henry,hank,hal,harry\n"
	"harry,harold,henry\n"
	"francis,fran,frankie,frank\n"
	"agnes,inez,aggy,nessa\n"
	"dan,danny,daniel\n"
	"\n";

static const struct {
	const char *a, *b;
	bool want;
	const char *why;
} nick_cases[] = {
	{ "william", "will", true, "one line" },
	{ "will", "william", true, "either way" },
	{ "bill", "robert", true, "bill's line" },
	{ "willy", "fred", false, "not closed over lines" },
	{ "harry", "henry", true, "harry/henry" },
	{ "hank", "harold", false, "two lines of henry and harry" },
	{ "frank", "francis", true, "frank/francis" },
	{ "agnes", "nessa", true, "agnes/nessa" },
	{ "dan", "danny", true, "Dan/Danny" },
	{ "william", "william", true, "a name is its own nickname" },
	{ "william", "", false, "empty" },
	{ "zhang", "wei", false, "not in the table" },
	{ "William", "will", false, "the table is lower case (folded)" },
};

static void test_nicknames(void **state)
{
	(void)state;
	assert_int_equal(nick_parse(nick_table, strlen(nick_table)), 23);
	for (size_t i = 0; i < sizeof(nick_cases) / sizeof(nick_cases[0]);
	     i++) {
		bool got = nick_related(nick_find(sv(nick_cases[i].a)),
					nick_find(sv(nick_cases[i].b)));

		if (got != nick_cases[i].want)
			fail_msg("%s: %s / %s", nick_cases[i].why,
				 nick_cases[i].a, nick_cases[i].b);
	}
	nick_free();
	assert_int_equal(nick_find(sv("william")), 0);
}

/* ---- records ---- */

static const char *const columns[] = {
	"source",     "source_id", "name",	  "family_name", "given_name",
	"birth_date", "mobile",	   "id_number",	  "address",	 "email",
};
#define N_COLS (sizeof(columns) / sizeof(columns[0]))
enum { C_NAME = 2, C_FAMILY, C_GIVEN, C_BIRTH, C_MOBILE, C_ID, C_ADDR };

struct person {
	const char *v[N_COLS];
};

static struct match *load(struct match_rules *r, const struct person *p,
			  size_t n)
{
	struct match *m = match_new(r, 0);
	struct mbr_err err = MBR_ERR_INIT;
	struct header h;
	struct record rec;

	header_init(&h);
	for (size_t i = 0; i < N_COLS; i++)
		header_add(&h, columns[i]);
	record_init(&rec);
	assert_int_equal(match_begin(m, &h, MATCH_NEW, &err), 0);
	for (size_t i = 0; i < n; i++) {
		record_reset(&rec);
		for (size_t k = 0; k < N_COLS; k++)
			record_add(&rec, p[i].v[k] ? p[i].v[k] : "",
				   p[i].v[k] ? strlen(p[i].v[k]) : 0);
		assert_int_equal(match_add(m, &rec, &err), 0);
	}
	record_release(&rec);
	header_release(&h);
	assert_int_equal(match_run(m, false, &err), 0);
	return m;
}

static int cmp_index(const struct match_rules *r, const char *name)
{
	for (unsigned i = 0; i < r->n_cmps; i++)
		if (!strcmp(r->cmp[i].name, name))
			return (int)i;
	fail_msg("no comparison %s", name);
	return -1;
}

/* Name levels: 0 exact, 1 phonetic, 2 nickname, 3 jw_high, 4 jw_low,
 * 5 other. Each row: two records' (given, family) and the given and
 * family levels they must get. */
static const struct {
	const char *ga, *fa, *gb, *fb;
	int given, family;
	const char *why;
} name_cases[] = {
	{ "Robert", "Alan", "Robert", "Allen", 0, 1,
	  "Alan reads as pinyin, Allen not: their Latin sounds agree" },
	{ "Ben", "Smith", "Benn", "Smith", 1, 0, "Ben/Benn sound alike" },
	{ "Dan", "Smith", "Danny", "Smith", 1, 0,
	  "Dan/Danny sound alike already" },
	{ "Bill", "Smith", "William", "Smith", 2, 0, "Bill/William" },
	{ "frank", "Jones", "francis", "Jones", 2, 0, "frank/francis" },
	{ "william", "Jones", "will", "Jones", 2, 0, "william/will" },
	{ "harry", "Jones", "henry", "Jones", 2, 0, "harry/henry" },
	{ "Leah", "Cross", "Cross", "Leah", 0, 0, "first name and surname "
	  "swapped" },
	{ "LeaLh", "Cross", "Cross", "Leah", 3, 3,
	  "swapped, with a typo" },
	{ NULL, "Robinson", "Robinson", "Lilly", LEVEL_NULL, 0,
	  "Robinson a surname here, a first name there, one part missing" },
	{ "伟", "张", "Wei", "Zhang", 0, 0, "张伟 / Wei Zhang: exact across "
	  "scripts" },
	{ "俊杰", "高", "杰", "高", 4, 0, "a dropped character: near" },
	{ "子涵", "陈", "子轩", "陈", 5, 0, "twins' names: other" },
};

static void test_name_levels(void **state)
{
	struct match_rules *r = match_rules_new();
	int giv = cmp_index(r, "given_name"), fam = cmp_index(r, "family_name");

	(void)state;
	nick_parse(nick_table, strlen(nick_table));
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]);
	     i++) {
		struct person p[2] = {
			{ { "a", "1", NULL, name_cases[i].fa,
			    name_cases[i].ga } },
			{ { "b", "2", NULL, name_cases[i].fb,
			    name_cases[i].gb } },
		};
		struct match *m = load(r, p, 2);
		uint8_t level[MATCH_MAX_CMPS];

		compare_records(&m->ctx, &m->recs[0], &m->recs[1], level);
		if (level[giv] != name_cases[i].given ||
		    level[fam] != name_cases[i].family)
			fail_msg("%s: given %d family %d", name_cases[i].why,
				 level[giv], level[fam]);
		match_free(m);
	}
	nick_free();
	match_rules_free(r);
}

/* Twins: same family name, birth date, mobile and address, another given
 * name: what the family shares counts for nothing, and they stay apart.
 * The same pair with one ID number is one person. */
static void test_siblings(void **state)
{
	static const struct person twins[] = {
		{ { "pos", "1", "陈子涵", NULL, NULL, "2001-12-10",
		    "+8618016497715", NULL, "江宁区和平路501号4栋2单元2806室" } },
		{ { "web", "2", "陈子轩", NULL, NULL, "2001-12-10",
		    "+8618016497715", NULL, "江宁区和平路501号4栋2单元2806室" } },
	};
	struct match_rules *r = match_rules_new();
	struct match *m = load(r, twins, 2);
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS], total, sib;

	(void)state;
	total = compare_explain(&m->ctx, &m->recs[0], &m->recs[1], level, w);
	sib = compare_sibling(&m->ctx, level, w);
	assert_true(sib < 0);
	assert_true(level[cmp_index(r, "given_name")] == 5);
	assert_true(total < score_weight(r->match_p));
	assert_int_not_equal(m->rep[0], m->rep[1]);
	match_free(m);
	r->siblings = false;
	m = load(r, twins, 2);
	compare_explain(&m->ctx, &m->recs[0], &m->recs[1], level, w);
	assert_true(compare_sibling(&m->ctx, level, w) == 0.0);
	match_free(m);
	match_rules_free(r);
}

/* The name-only and name + partial-date keys bring these pairs of the
 * issue together; a capped key counts its oversized blocks. */
static void test_new_keys(void **state)
{
	static const struct person p[] = {
		{ { "a", "1", "STEFAN RICHTER", "Richter", "Stefan",
		    "1943-03-22" } },
		{ { "b", "2", "STEFAN RICHTER", "Richter", "Stefan",
		    "1946-03-22" } },
	};
	struct match_rules *r = match_rules_new();
	struct match *m = load(r, p, 2);
	const struct match_stats *st = match_get_stats(m);
	unsigned shared = 0;

	(void)state;
	for (unsigned k = 0; k < r->n_keys; k++) {
		uint64_t h = block_key_hash(&m->t, &r->key[k], k, &m->recs[0]);

		if (h &&
		    h == block_key_hash(&m->t, &r->key[k], k, &m->recs[1])) {
			shared++;
			assert_true(strcmp(r->key[k].name, "name_year"));
		}
	}
	assert_true(shared >= 3); /* names, part_*_md, part_lo, part_hi */
	assert_int_equal(st->compared, 1);
	assert_int_equal(m->rep[0], m->rep[1]);
	match_free(m);
	match_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_dates),
		cmocka_unit_test(test_date_levels),
		cmocka_unit_test(test_nicknames),
		cmocka_unit_test(test_name_levels),
		cmocka_unit_test(test_siblings),
		cmocka_unit_test(test_new_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
