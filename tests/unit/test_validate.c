/*
 * test_validate: verdicts, _issues, reject lists, the stream (in = out +
 * rejected), --max-reject-rate, the report, and the staging database.
 * Files live in a directory made by mkdtemp under /tmp, removed at the end.
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

#include "cli.h"
#include "rules.h"
#include "stage.h"
#include "validate.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_validate.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const names[] = {
		"in.csv", "stage.db", "stage.db-wal", "stage.db-shm",
		"stage.db-journal",
	};
	char p[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* The fields of rec joined by '|'. */
static const char *joined(const struct record *rec)
{
	static struct buf b;

	if (!b.cap)
		buf_init(&b, BUF_NOLIMIT);
	buf_reset(&b);
	for (size_t i = 0; i < rec->n; i++) {
		if (i)
			buf_addc(&b, '|');
		buf_addsv(&b, record_field(rec, i));
	}
	return b.p;
}

static const char rules_text[] =
	"[rule id]\nfield = source_id\nrequired = yes\n"
	"[rule mobile]\nfield = mobile\ncheck = mobile\nseverity = flag\n"
	"[rule email]\nfield = email\ncheck = email\nseverity = flag\n"
	"[rule points]\nfield = points\nrange = 0 ..\n";

static struct rules *test_rules(void)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_parse("t.ini", rules_text,
				       sizeof(rules_text) - 1, &err);

	if (!rs)
		fail_msg("%s", err.msg);
	return rs;
}

/*
 * One record at a time
 */

static const struct {
	const char *header, *row;
	enum validate_verdict verdict;
	const char *out;	/* the record after, or field//reason */
	const char *why;
} cases[] = {
	{ "source_id|mobile|email|points", "1|+8613812345678|a@b.cn|5",
	  VALIDATE_PASS, "1|+8613812345678|a@b.cn|5|", "clean: _issues added" },
	{ "source_id|mobile|email|points", "1|138|a@b.cn|5", VALIDATE_FLAG,
	  "1|138|a@b.cn|5|mobile:not an E.164 number", "one flag" },
	{ "source_id|mobile|email|points", "1|138|ab|5", VALIDATE_FLAG,
	  "1|138|ab|5|mobile:not an E.164 number;email:not an email address",
	  "two flags, rule order" },
	{ "source_id|mobile|_issues|email|points",
	  "1|138|name:trimmed|a@b.cn|5", VALIDATE_FLAG,
	  "1|138|name:trimmed;mobile:not an E.164 number|a@b.cn|5",
	  "appended to normalize's _issues, in place" },
	{ "source_id|mobile|_issues|email|points",
	  "1|138|mobile:not an E.164 number|a@b.cn|5", VALIDATE_FLAG,
	  "1|138|mobile:not an E.164 number|a@b.cn|5",
	  "validating twice adds nothing" },
	{ "source_id|mobile|_issues", "1||x:y", VALIDATE_PASS, "1||x:y",
	  "clean record keeps its _issues" },
	{ "source_id|mobile|email|points", "|138|ab|-1", VALIDATE_REJECT,
	  "source_id;mobile;email;points//missing;not an E.164 number;"
	  "not an email address;out of range 0 ..",
	  "rejected: every failing rule, flags too" },
	{ "source_id|mobile|email|points", "1|||x", VALIDATE_REJECT,
	  "points//not a number", "one reject" },
	{ "source_id|mobile", "1", VALIDATE_PASS, "1||",
	  "short row padded" },
	{ "source_id|mobile|vip", "1|+8613812345678|张", VALIDATE_PASS,
	  "1|+8613812345678|张|", "pass-through column kept in place" },
};

static void test_validate_records(void **state)
{
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct rules *rs = test_rules();
	struct mbr_err err = MBR_ERR_INIT;
	struct record rec;
	struct header h;

	(void)state;
	record_init(&rec);
	header_init(&h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct validate *v = validate_new(rs, &opts);
		enum validate_verdict vd;
		char got[512];

		th_header(&h, cases[i].header);
		assert_int_equal(validate_bind(v, &h, &err), 0);
		th_record(&rec, cases[i].row);
		vd = validate_record(v, &rec);
		if (vd == VALIDATE_REJECT)
			snprintf(got, sizeof(got), "%s//%s",
				 validate_reject_field(v),
				 validate_reject_reason(v));
		else
			snprintf(got, sizeof(got), "%s", joined(&rec));
		if (vd != cases[i].verdict || strcmp(got, cases[i].out))
			fail_msg("%s: got %d \"%s\"", cases[i].why, vd, got);
		validate_free(v);
	}
	record_release(&rec);
	header_release(&h);
	rules_free(rs);
}

static void test_validate_header(void **state)
{
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct rules *rs = test_rules();
	struct validate *v = validate_new(rs, &opts);
	struct mbr_err err = MBR_ERR_INIT;
	struct header h;

	(void)state;
	header_init(&h);
	th_header(&h, "source_id|mobile");
	assert_int_equal(validate_bind(v, &h, &err), 0);
	assert_int_equal(header_count(validate_header(v)), 3);
	assert_int_equal(header_find(validate_header(v), "_issues"), 2);
	th_header(&h, "_issues|source_id");
	assert_int_equal(validate_bind(v, &h, &err), 0);
	assert_int_equal(header_count(validate_header(v)), 2);
	th_header(&h, "source_id|vip");
	assert_int_equal(validate_bind(v, &h, &err), 0);
	header_release(&h);
	validate_free(v);
	validate_free(NULL);
	rules_free(rs);
}

/* --flag-only: what would be rejected passes with its reasons. */
static void test_validate_flag_only(void **state)
{
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct rules *rs = test_rules();
	struct validate *v;
	struct mbr_err err = MBR_ERR_INIT;
	struct record rec;
	struct header h;

	(void)state;
	opts.flag_only = true;
	v = validate_new(rs, &opts);
	record_init(&rec);
	header_init(&h);
	th_header(&h, "source_id|points");
	assert_int_equal(validate_bind(v, &h, &err), 0);
	th_record(&rec, "|-3");
	assert_int_equal(validate_record(v, &rec), VALIDATE_FLAG);
	assert_string_equal(joined(&rec),
			    "|-3|source_id:missing;points:out of range 0 ..");
	record_release(&rec);
	header_release(&h);
	validate_free(v);
	rules_free(rs);
}

/*
 * Whole runs over a file
 */

static const char input[] =
	"source,source_id,mobile,email,points\n"
	"pos,1,+8613812345678,a@b.cn,10\n"
	"pos,2,138,a@b.cn,10\n"
	"pos,,+8613812345678,,5\n"
	"pos,4,\"broken,5\n"
	"pos,5,,,-1\n"
	"pos,6,,,7\n";

/* mbr-validate's run without the command line: the handler in the loop. */
static int validate_files(struct validate *v, const char *const *files,
			  FILE *out, FILE *rej, struct rs_tally *t,
			  struct mbr_err *err)
{
	struct csvio_opts co = CSVIO_OPTS_INIT;
	struct rs_sink *k = rs_sink_csv(out, rej, "mbr-validate");
	struct rs_handler h;
	int rc;

	validate_handler(v, &h);
	rc = rs_run_files(files, 1, &co, &h, k, t, err);
	if (rc == 0)
		rc = rs_finish(k, err);
	if (rc == 0)
		rc = validate_check_limit(v, t, err);
	rs_sink_free(k);
	return rc;
}

static int validate_stage(struct validate *v, struct stage *st,
			  struct rs_tally *t, struct mbr_err *err)
{
	struct rs_sink *k = rs_sink_stage(st, RS_STAGE_DELETE, "mbr-validate");
	struct stage_cursor *c = stage_read_records(st, err);
	struct rs_handler h;
	int rc = -1;

	validate_handler(v, &h);
	if (c)
		rc = rs_run_cursor(c, "stage.db", &h, k, t, err);
	if (rc == 0)
		rc = validate_check_limit(v, t, err);
	stage_cursor_free(c);
	rs_sink_free(k);
	return rc;
}

struct run {
	struct rs_tally counts;
	char *out, *rejects, *report;
	int rc;
	struct mbr_err err;
};

static void run_file(struct run *r, const struct validate_opts *opts,
		     enum validate_report_format fmt)
{
	static char path[128];
	static const char *files[1];
	struct rules *rs = test_rules();
	struct validate *v = validate_new(rs, opts);
	struct rs_tally t = RS_TALLY_INIT;
	FILE *in, *out = tmpfile(), *rej = tmpfile(), *rep = tmpfile();

	snprintf(path, sizeof(path), "%s/in.csv", dir);
	in = fopen(path, "w");
	fputs(input, in);
	fclose(in);
	files[0] = path;
	r->err = (struct mbr_err)MBR_ERR_INIT;
	r->rc = validate_files(v, files, out, rej, &t, &r->err);
	validate_report(v, &t, rep, fmt);
	fflush(out);
	fflush(rej);
	fflush(rep);
	r->counts = t;
	r->out = th_slurp(out);
	r->rejects = th_slurp(rej);
	r->report = th_slurp(rep);
	fclose(out);
	fclose(rej);
	fclose(rep);
	validate_free(v);
	rules_free(rs);
}

static void run_release(struct run *r)
{
	free(r->out);
	free(r->rejects);
	free(r->report);
}

static void test_validate_stream(void **state)
{
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct run r;

	(void)state;
	run_file(&r, &opts, VALIDATE_REPORT_CSV);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.counts.in, 6);
	assert_int_equal(r.counts.out, 3);
	assert_int_equal(r.counts.rejected, 3);
	assert_int_equal(r.counts.flagged, 1);
	assert_string_equal(r.out,
		"source,source_id,mobile,email,points,_issues\n"
		"pos,1,+8613812345678,a@b.cn,10,\n"
		"pos,2,138,a@b.cn,10,mobile:not an E.164 number\n"
		"pos,6,,,7,\n");
	assert_non_null(strstr(r.rejects,
		"pos,,+8613812345678,,5,,,mbr-validate,source_id,missing\n"));
	assert_non_null(strstr(r.rejects,
		"pos,5,,,-1,,,mbr-validate,points,out of range 0 ..\n"));
	/* The unreadable row: its own source and key where they can be read
	 * (before the broken quote), its bytes and the line it starts on. */
	assert_non_null(strstr(r.rejects,
			       "pos,4,,,,\"pos,4,\"\"broken,5\",5,mbr-validate"));
	assert_string_equal(r.report,
		"rule,field,test,severity,checked,failed\n"
		"unreadable_row,,csv,reject,6,1\n"
		"id,source_id,required,reject,5,1\n"
		"mobile,mobile,check,flag,3,1\n"
		"email,email,check,flag,2,0\n"
		"points,points,range,reject,5,1\n");
	run_release(&r);
}

static void test_validate_limit(void **state)
{
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct run r;

	(void)state;
	opts.max_reject_rate = 0.5;	/* 3 of 6 is not more than half */
	run_file(&r, &opts, VALIDATE_REPORT_CSV);
	assert_int_equal(r.rc, 0);
	run_release(&r);
	opts.max_reject_rate = 0.49;
	run_file(&r, &opts, VALIDATE_REPORT_CSV);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.status, MBR_ELIMIT);
	assert_string_equal(r.err.msg, "3 of 6 records would be rejected "
			    "(50.00%), more than --max-reject-rate 0.49: "
			    "nothing committed");
	run_release(&r);
	opts.max_reject_rate = 0;
	opts.flag_only = true;	/* only the unreadable row is rejected */
	run_file(&r, &opts, VALIDATE_REPORT_CSV);
	assert_int_equal(r.err.status, MBR_ELIMIT);
	assert_int_equal(r.counts.rejected, 1);
	assert_int_equal(r.counts.flagged, 3);
	run_release(&r);
}

static void test_validate_report_json(void **state)
{
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct run r;

	(void)state;
	opts.flag_only = true;
	run_file(&r, &opts, VALIDATE_REPORT_JSON);
	assert_string_equal(r.report,
		"{\n"
		"  \"tool\": \"mbr-validate\",\n"
		"  \"in\": 6,\n"
		"  \"out\": 5,\n"
		"  \"rejected\": 1,\n"
		"  \"flagged\": 3,\n"
		"  \"flag_only\": true,\n"
		"  \"rules\": [\n"
		"    {\"rule\": \"unreadable_row\", \"field\": \"\", \"test\": "
		"\"csv\", \"severity\": \"reject\", \"checked\": 6, "
		"\"failed\": 1},\n"
		"    {\"rule\": \"id\", \"field\": \"source_id\", \"test\": "
		"\"required\", \"severity\": \"flag\", \"checked\": 5, "
		"\"failed\": 1},\n"
		"    {\"rule\": \"mobile\", \"field\": \"mobile\", \"test\": "
		"\"check\", \"severity\": \"flag\", \"checked\": 3, "
		"\"failed\": 1},\n"
		"    {\"rule\": \"email\", \"field\": \"email\", \"test\": "
		"\"check\", \"severity\": \"flag\", \"checked\": 2, "
		"\"failed\": 0},\n"
		"    {\"rule\": \"points\", \"field\": \"points\", \"test\": "
		"\"range\", \"severity\": \"flag\", \"checked\": 5, "
		"\"failed\": 1}\n"
		"  ]\n"
		"}\n");
	assert_int_equal(validate_report_format("r.json"),
			 VALIDATE_REPORT_JSON);
	assert_int_equal(validate_report_format("r.csv"), VALIDATE_REPORT_CSV);
	assert_int_equal(validate_report_format("json"), VALIDATE_REPORT_CSV);
	run_release(&r);
}

/* A rule on a field the input lacks stops the run before any record. */
static void test_validate_unknown_field(void **state)
{
	static const char text[] = "[rule v]\nfield = vip\nrequired = yes\n";
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_parse("r.ini", text, sizeof(text) - 1, &err);
	struct validate *v = validate_new(rs, &opts);
	struct header h;

	(void)state;
	header_init(&h);
	th_header(&h, "source|source_id");
	assert_int_equal(validate_bind(v, &h, &err), -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_string_equal(err.msg, "r.ini:2: unknown field 'vip' (not a "
			    "column of the input nor a canonical column)");
	header_release(&h);
	validate_free(v);
	rules_free(rs);
}

/*
 * The staging database: validated in place
 */

static struct stage *stage_with(const char *const *rows, size_t n)
{
	struct mbr_err err = MBR_ERR_INIT;
	char path[128];
	struct stage *st;
	struct header h;
	struct record rec;

	snprintf(path, sizeof(path), "%s/stage.db", dir);
	st = stage_open(path, &err);
	if (!st)
		fail_msg("%s", err.msg);
	header_init(&h);
	record_init(&rec);
	th_header(&h, "source|source_id|mobile|points");
	assert_int_equal(stage_begin_run(st, "test", "", &err), 0);
	for (size_t i = 0; i < n; i++) {
		th_record(&rec, rows[i]);
		if (stage_put_record(st, &h, &rec, &err) < 0)
			fail_msg("%s", err.msg);
	}
	assert_int_equal(stage_commit_run(st, n, n, 0, 0, "ok", &err), 0);
	header_release(&h);
	record_release(&rec);
	return st;
}

static char *query(struct stage *st, const char *sql)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct stage_cursor *c = stage_query(st, sql, NULL, 0, &err);
	struct record rec;
	struct buf b;

	if (!c)
		fail_msg("%s", err.msg);
	record_init(&rec);
	buf_init(&b, BUF_NOLIMIT);
	while (stage_cursor_next(c, &rec, &err) > 0)
		buf_addf(&b, "%s\n", joined(&rec));
	stage_cursor_free(c);
	record_release(&rec);
	return buf_detach(&b);
}

static void test_validate_stage(void **state)
{
	static const char *const rows[] = {
		"pos|1|+8613812345678|10",
		"pos|2|138|10",
		"pos|3||-4",
	};
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct rules *rs = test_rules();
	struct stage *st = stage_with(rows, 3);
	struct mbr_err err = MBR_ERR_INIT;
	struct rs_tally t = RS_TALLY_INIT;
	struct validate *v = validate_new(rs, &opts);
	char *got;

	(void)state;
	assert_int_equal(stage_begin_run(st, "mbr-validate", "", &err), 0);
	if (validate_stage(v, st, &t, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(stage_commit_run(st, 3, 2, 1, 1, "rejected", &err),
			 0);
	assert_int_equal(t.in, 3);
	assert_int_equal(t.out, 2);
	assert_int_equal(t.rejected, 1);
	assert_int_equal(t.flagged, 1);
	got = query(st, "SELECT source_id, issues FROM records ORDER BY 1");
	assert_string_equal(got, "1|\n2|mobile:not an E.164 number\n");
	free(got);
	got = query(st, "SELECT tool, source_id, field, reason FROM rejects");
	assert_string_equal(got, "mbr-validate|3|points|out of range 0 ..\n");
	free(got);

	/* Again: nothing changes, nothing is rejected. */
	validate_free(v);
	v = validate_new(rs, &opts);
	t = (struct rs_tally)RS_TALLY_INIT;
	assert_int_equal(stage_begin_run(st, "mbr-validate", "", &err), 0);
	assert_int_equal(validate_stage(v, st, &t, &err), 0);
	stage_rollback(st);
	assert_int_equal(t.rejected, 0);
	assert_int_equal(t.flagged, 1);
	got = query(st, "SELECT source_id, issues FROM records ORDER BY 1");
	assert_string_equal(got, "1|\n2|mobile:not an E.164 number\n");
	free(got);
	validate_free(v);
	stage_close(st);
	rules_free(rs);
}

/* Over the limit the caller rolls back: the database is as before. */
static void test_validate_stage_limit(void **state)
{
	static const char *const rows[] = {
		"web|1||-1",
		"web|2||5",
	};
	struct validate_opts opts = VALIDATE_OPTS_INIT;
	struct rules *rs = test_rules();
	struct stage *st = stage_with(rows, 2);
	struct mbr_err err = MBR_ERR_INIT;
	struct rs_tally t = RS_TALLY_INIT;
	struct validate *v;
	char *got;

	(void)state;
	opts.max_reject_rate = 0.1;
	v = validate_new(rs, &opts);
	assert_int_equal(stage_begin_run(st, "mbr-validate", "", &err), 0);
	assert_int_equal(validate_stage(v, st, &t, &err), -1);
	assert_int_equal(err.status, MBR_ELIMIT);
	stage_rollback(st);
	got = query(st, "SELECT source_id FROM records WHERE source = 'web' "
		    "ORDER BY 1");
	assert_string_equal(got, "1\n2\n");
	free(got);
	got = query(st, "SELECT count(*) FROM rejects WHERE source = 'web'");
	assert_string_equal(got, "0\n");
	free(got);
	validate_free(v);
	stage_close(st);
	rules_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_records),
		cmocka_unit_test(test_validate_header),
		cmocka_unit_test(test_validate_flag_only),
		cmocka_unit_test(test_validate_stream),
		cmocka_unit_test(test_validate_limit),
		cmocka_unit_test(test_validate_report_json),
		cmocka_unit_test(test_validate_unknown_field),
		cmocka_unit_test(test_validate_stage),
		cmocka_unit_test(test_validate_stage_limit),
	};

	setenv("MBR_TODAY", "2024-06-30", 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
