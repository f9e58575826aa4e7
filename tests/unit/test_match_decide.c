/*
 * Reading analysts' decisions (issue 13): optional who column, records
 * that do not exist, a record paired with itself, two files that
 * disagree, agreeing repeats, bad decision words, and the lookup by pair
 * in either order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match.h"
#include "match/match_int.h"

#include "helpers.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/mbr-decide-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* A run on four records pos/1, pos/2, web/1, crm/9, the decisions of
 * the files (text each) read; returns the match, or NULL with err. */
static struct match *with(struct match_rules *r, const char *const *files,
			  size_t n, struct mbr_err *err)
{
	static const char *const recs[] = {"pos|1|张伟", "pos|2|张伟",
					   "web|1|張偉", "crm|9|李娜"};
	struct match *m = match_new(r, 0);
	struct header h;
	struct record rec;
	char path[128];

	header_init(&h);
	record_init(&rec);
	th_header(&h, "source|source_id|name");
	assert_int_equal(match_begin(m, &h, MATCH_NEW, err), 0);
	for (size_t i = 0; i < 4; i++) {
		th_record(&rec, recs[i]);
		assert_int_equal(match_add(m, &rec, err), 0);
	}
	record_release(&rec);
	header_release(&h);
	match_set_decider(m, "tester");
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/d%zu.csv", dir, i);
		th_write_file(path, files[i], strlen(files[i]));
		if (match_load_decisions(m, path, err) < 0 ||
		    (i == n - 1 && decide_resolve(m, err) < 0)) {
			match_free(m);
			return NULL;
		}
	}
	return m;
}

#define HEAD "a_source,a_source_id,b_source,b_source_id,decision"

static void test_read(void **state)
{
	struct match_rules *r = match_rules_new();
	struct mbr_err err = MBR_ERR_INIT;
	const char *files[] = {
		HEAD ",who\npos,1,web,1,match,li\npos,2,pos,1,no-match,\n"
		     "crm,9,pos,1,,\n",
		HEAD "\nweb,1,pos,1,match\n",
	};
	struct match *m = with(r, files, 2, &err);

	(void)state;
	if (!m)
		fail_msg("%s", err.msg);
	assert_int_equal(m->n_dec, 2); /* the empty one skipped */
	assert_true(decide_find(m, 2, 0) >= 0);
	assert_true(decide_find(m, 0, 2) >= 0);
	assert_true(m->dec[decide_find(m, 0, 2)].match);
	/* The later file's repeat is the one kept: its who is the user. */
	assert_true(sv_eqs(intern_str(&m->t, m->dec[decide_find(m, 0, 2)].who),
			   "tester"));
	assert_false(m->dec[decide_find(m, 0, 1)].match);
	assert_int_equal(decide_find(m, 1, 3), -1);
	assert_int_equal(m->st.decisions, 2);
	match_free(m);
	match_rules_free(r);
}

static const struct {
	const char *text;
	const char *want; /* in the message */
} bad[] = {
	{HEAD "\npos,1,web,1,match\npos,1,web,7,match\n",
	 "d0.csv:3: no record web/7 (b_source"},
	{HEAD "\npos,1,pos,1,match\n", "d0.csv:2: the decision pairs record "
				       "pos/1 with itself"},
	{HEAD "\npos,1,web,1,yes\n", "d0.csv:2: decision 'yes'"},
	{HEAD "\npos,1,web,1,match\nweb,1,pos,1,no-match\n",
	 "d0.csv:3: pos/1 ~ web/1: no-match contradicts the match at "},
	{"a_source,a_source_id,b_source,decision\n", "no column 'b_source_id'"},
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct match_rules *r = match_rules_new();
		struct mbr_err err = MBR_ERR_INIT;
		struct match *m = with(r, &bad[i].text, 1, &err);

		assert_null(m);
		assert_int_equal(err.status, MBR_ECONFIG);
		if (!strstr(err.msg, bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].want);
		match_rules_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
