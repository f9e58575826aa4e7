/*
 * test_dryrun: what a dry run reports: reasons counted per field and
 * reason, only the _issues entries a run added, changed fields by name
 * (never values), the largest master changes in order, table deltas, and
 * the change list's rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "helpers.h"

static char *report(const struct dryrun *d, const struct rs_tally *t)
{
	FILE *f = tmpfile();
	char *s;

	assert_non_null(f);
	dryrun_report(d, "mbr-test", t, f);
	s = th_slurp(f);
	fclose(f);
	return s;
}

static void expect_in(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("'%s' not in:\n%s", want, text);
}

static void test_records(void **state)
{
	FILE *list = tmpfile();
	struct dryrun *d = dryrun_new(list);
	struct header in, out;
	struct record rec;
	struct rs_tally t = RS_TALLY_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	char *s;

	(void)state;
	header_init(&in);
	header_init(&out);
	record_init(&rec);
	th_header(&in, "source|source_id|mobile|_issues");
	th_header(&out, "source|source_id|mobile|_issues");
	/* mobile rewritten, one issue kept, one added */
	th_record(&rec, "pos|1|138 1234 5678|email:no @");
	dryrun_before(d, &rec);
	th_record(&rec, "pos|1|+8613812345678|email:no @;mobile:too short");
	dryrun_kept(d, &in, &out, &rec);
	/* unchanged */
	th_record(&rec, "pos|2|+8613812345679|");
	dryrun_before(d, &rec);
	dryrun_kept(d, &in, &out, &rec);
	/* rejected for two reasons, then for one of them again */
	th_record(&rec, "pos|3|x|");
	dryrun_rejected(d, &out, &rec, "mobile;email", "invalid;no @");
	dryrun_rejected(d, &out, &rec, "mobile", "invalid");
	assert_int_equal(dryrun_flush(d, &err), 0);
	t.in = 4;
	t.out = 2;
	t.rejected = 2;
	t.flagged = 1;
	s = report(d, &t);
	expect_in(s, "records:  4 in, 2 out, 2 rejected, 1 flagged, 1 changed");
	expect_in(s, "rejected           2  mobile: invalid\n");
	expect_in(s, "rejected           1  email: no @\n");
	expect_in(s, "flagged            1  mobile: too short\n");
	expect_in(s, "changed            1  mobile\n");
	assert_null(strstr(s, "flagged            1  email"));
	assert_null(strstr(s, "8613812345678")); /* no values */
	free(s);
	s = th_slurp(list);
	assert_string_equal(s,
			    "change,source,source_id,master_id,field,detail\n"
			    "flag,pos,1,,mobile,too short\n"
			    "update,pos,1,,mobile,\n"
			    "reject,pos,3,,mobile,invalid\n"
			    "reject,pos,3,,email,no @\n"
			    "reject,pos,3,,mobile,invalid\n");
	free(s);
	fclose(list);
	dryrun_free(d);
	record_release(&rec);
	header_release(&in);
	header_release(&out);
}

static void row(struct dryrun *d, const char *change, const char *id,
		const char *key, const char *prev)
{
	struct strview f[5] = {sv(change), sv(id), sv(key ? "pos" : ""),
			       sv(key ? key : ""), sv(prev)};
	struct mbr_err err = MBR_ERR_INIT;

	assert_int_equal(dryrun_master_row(d, f, 5, &err), 0);
}

static void test_masters(void **state)
{
	struct dryrun *d = dryrun_new(NULL);
	struct rs_tally t = RS_TALLY_INIT;
	struct stage_count before[2] = {{"retired", 1}, {"xref", 5}};
	struct stage_count after[2] = {{"retired", 3}, {"xref", 9}};
	struct strview h[5] = {sv("change"), sv("master_id"), sv("source"),
			       sv("source_id"), sv("previous_master_id")};
	struct mbr_err err = MBR_ERR_INIT;
	char id[16], key[16];
	char *s;

	(void)state;
	assert_int_equal(dryrun_master_row(d, h, 5, &err), 0);
	row(d, "merged", "M01", NULL, "M02");
	row(d, "moved", "M01", "1", "M03");
	/* twelve new masters, the n-th with n records */
	for (int m = 1; m <= 12; m++) {
		snprintf(id, sizeof(id), "N%02d", m);
		row(d, "new", id, NULL, "");
		for (int r = 0; r < m; r++) {
			snprintf(key, sizeof(key), "%d-%d", m, r);
			row(d, "added", id, key, "");
		}
	}
	dryrun_masters(d, 12, 1, 1);
	dryrun_tables(d, false, before, 2);
	dryrun_tables(d, true, after, 2);
	s = report(d, &t);
	/* retired: 2 more rows, one of them the merge */
	expect_in(s, "masters:  12 new, 1 merged, 1 records moved, 1 retired");
	expect_in(s, "    N12                      12  new, 12 added\n"
		     "    N11                      11  new, 11 added\n");
	expect_in(s, "    N03                       3  new, 3 added\n");
	assert_null(strstr(s, "N02 ")); /* ten listed: N12 .. N03 */
	assert_null(strstr(s, "M01 "));
	expect_in(s, "    xref                      5 -> 9 (+4)\n");
	free(s);
	dryrun_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_masters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
