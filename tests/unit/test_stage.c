/*
 * test_stage: the staging database. Each test works in its own directory
 * made by mkdtemp under /tmp, removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stage.h"

struct fixture {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	strcpy(fx->dir, "/tmp/test_stage.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/stage.db", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[128];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, suffix[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Fill rec with n C strings. */
static void set_record(struct record *rec, size_t n, const char *const *v)
{
	record_reset(rec);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(record_add(rec, v[i], strlen(v[i])), 0);
}

static void set_header(struct header *h, size_t n, const char *const *names)
{
	struct record r;

	record_init(&r);
	set_record(&r, n, names);
	assert_int_equal(header_set(h, &r), 0);
	record_release(&r);
}

static struct stage *open_ok(const char *path)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = stage_open(path, &err);

	if (!st)
		fail_msg("stage_open: %s", err.msg);
	return st;
}

/* The one value of a query with one text bind (or none), as a heap copy. */
static char *query1(struct stage *st, const char *sql, const char *bind)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct stage_cursor *c =
		stage_query(st, sql, &bind, bind ? 1 : 0, &err);
	struct record rec;
	char *v;

	if (!c)
		fail_msg("stage_query: %s", err.msg);
	record_init(&rec);
	if (stage_cursor_next(c, &rec, &err) != 1)
		fail_msg("no row for '%s': %s", sql, err.msg);
	v = sv_dup(record_field(&rec, 0));
	record_release(&rec);
	stage_cursor_free(c);
	return v;
}

static long long count(struct stage *st, const char *sql)
{
	char *v = query1(st, sql, NULL);
	long long n = atoll(v);

	free(v);
	return n;
}

static void test_create_mode(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	char wal[128];
	struct stat sb;

	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* A write makes the -wal file: it must not be readable by others. */
	assert_int_equal(stage_begin_run(st, "test", "", &err), 0);
	assert_int_equal(stage_commit_run(st, 0, 0, 0, 0, "ok", &err), 0);
	snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	stage_close(st);
	stage_close(NULL);
}

static void test_schema_idempotent(void **state)
{
	struct fixture *fx = *state;
	struct stage *st = open_ok(fx->path);
	long long tables = count(st, "SELECT count(*) FROM sqlite_master");
	char *v;

	stage_close(st);
	st = open_ok(fx->path);
	assert_int_equal(count(st, "SELECT count(*) FROM sqlite_master"),
			 tables);
	assert_true(tables >= 10);
	v = query1(st, "SELECT value FROM meta WHERE key = ?",
		   "schema_version");
	assert_string_equal(v, "4");
	free(v);
	stage_close(st);
}

static void test_newer_schema(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	const char *v = "99";

	assert_int_equal(stage_exec(st,
				    "UPDATE meta SET value = ?1 WHERE "
				    "key = 'schema_version'",
				    &v, 1, &err),
			 0);
	stage_close(st);
	assert_null(stage_open(fx->path, &err));
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "schema version 99"));
}

static void test_not_a_database(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	FILE *f = fopen(fx->path, "w");
	char dir[128];

	fputs("source,source_id\npos,1\n this is a CSV file, not SQLite\n", f);
	fclose(f);
	assert_null(stage_open(fx->path, &err));
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "not an SQLite database"));

	snprintf(dir, sizeof(dir), "%s/missing/stage.db", fx->dir);
	assert_null(stage_open(dir, &err));
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "cannot create database"));
}

static void test_read_only(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;

	if (geteuid() == 0)
		skip(); /* root writes a 0400 file all the same */
	stage_close(open_ok(fx->path));
	chmod(fx->path, 0400);
	assert_null(stage_open(fx->path, &err));
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "read-only"));
}

/* A stream header: a pass-through column first, the canonical columns
 * in an odd order, another pass-through column, _issues last. */
static const char *const hdr3[] = {
	"会员等级", "source", "source_id", "mobile", "name", "备注", "_issues",
};

static const char *const rows3[][7] = {
	{"金卡", "pos", "1001", "+8613812345678", "张三", "老客户",
	 "mobile:ok"},
	{"", "pos", "1002", "", "李四", "say \"hi\"\\n", ""},
	{"银卡", "crm", "1001", "+8613900000000", "Wang Wu", "", ""},
};

static void put_rows(struct stage *st, const struct header *h)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct record rec;

	record_init(&rec);
	for (size_t i = 0; i < 3; i++) {
		set_record(&rec, 7, rows3[i]);
		if (stage_put_record(st, h, &rec, &err) < 0)
			fail_msg("put row %zu: %s", i, err.msg);
	}
	record_release(&rec);
}

/* The value of column name in rec per header h. */
static struct strview col(const struct header *h, const struct record *rec,
			  const char *name)
{
	int i = header_find(h, name);

	if (i < 0)
		fail_msg("no column '%s'", name);
	return record_field(rec, (size_t)i);
}

static void test_put_and_read(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	struct header h, out;
	struct record rec;
	struct stage_cursor *c;

	header_init(&h);
	header_init(&out);
	record_init(&rec);
	set_header(&h, 7, hdr3);
	assert_int_equal(stage_begin_run(st, "test", "", &err), 0);
	put_rows(st, &h);
	assert_int_equal(stage_commit_run(st, 3, 3, 0, 0, "ok", &err), 0);

	c = stage_read_records(st, &err);
	assert_non_null(c);
	assert_int_equal(stage_cursor_header(c, &out), 0);
	/* canonical columns, then pass-through in first-seen order, _issues */
	assert_int_equal(header_count(&out), CF_COUNT + 3);
	assert_true(sv_eqs(record_field(&out.names, CF_COUNT), "会员等级"));
	assert_true(sv_eqs(record_field(&out.names, CF_COUNT + 1), "备注"));
	assert_true(sv_eqs(record_field(&out.names, CF_COUNT + 2), "_issues"));
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(stage_cursor_next(c, &rec, &err), 1);
		assert_int_equal(rec.n, CF_COUNT + 3);
		for (size_t k = 0; k < 7; k++)
			if (!sv_eqs(col(&out, &rec, hdr3[k]), rows3[i][k]))
				fail_msg("row %zu column %s: got '%s'", i,
					 hdr3[k], col(&out, &rec, hdr3[k]).p);
		assert_true(sv_eqs(col(&out, &rec, "email"), ""));
	}
	assert_int_equal(stage_cursor_next(c, &rec, &err), 0);
	assert_int_equal(stage_cursor_next(c, &rec, &err), 0);
	stage_cursor_free(c);
	header_release(&h);
	header_release(&out);
	record_release(&rec);
	stage_close(st);
}

static void test_upsert(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	static const char *const names[] = {"source", "source_id", "mobile"};
	static const char *const vals[] = {"pos", "1001", "+8613811112222"};
	struct header h, h3;
	struct record rec;
	char *v;

	header_init(&h);
	header_init(&h3);
	record_init(&rec);
	set_header(&h3, 7, hdr3);
	put_rows(st, &h3);
	/* Same key again, with only some columns: those it has change, the
	 * others (name, extra, issues) keep their stored values. */
	set_header(&h, 3, names);
	set_record(&rec, 3, vals);
	assert_int_equal(stage_put_record(st, &h, &rec, &err), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM records"), 3);
	v = query1(st,
		   "SELECT mobile || '|' || name || '|' || extra || '|' "
		   "|| issues || '|' || record_id FROM records "
		   "WHERE source = 'pos' AND source_id = ?",
		   "1001");
	assert_string_equal(v, "+8613811112222|张三|"
			       "{\"会员等级\":\"金卡\",\"备注\":\"老客户\"}|"
			       "mobile:ok|1");
	free(v);
	/* An empty source_id cannot be a key. */
	rec.n = 0;
	set_record(&rec, 3, (const char *const[]){"pos", "", "x"});
	assert_int_equal(stage_put_record(st, &h, &rec, &err), -1);
	assert_int_equal(err.status, MBR_EIO);
	assert_int_equal(stage_delete_record(st, sv("pos"), sv("1001"), &err),
			 0);
	assert_int_equal(count(st, "SELECT count(*) FROM records"), 2);
	header_release(&h);
	header_release(&h3);
	record_release(&rec);
	stage_close(st);
}

static void test_rollback(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	struct header h;

	header_init(&h);
	set_header(&h, 7, hdr3);
	assert_int_equal(stage_begin_run(st, "test", "a b", &err), 0);
	assert_true(stage_run_id(st) > 0);
	put_rows(st, &h);
	assert_int_equal(count(st, "SELECT count(*) FROM records"), 3);
	stage_rollback(st);
	assert_int_equal(stage_run_id(st), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM records"), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM runs"), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM extra_columns"), 0);

	/* After a rollback the same header must register its columns again,
	 * or they would not read back. */
	assert_int_equal(stage_begin_run(st, "test", NULL, &err), 0);
	put_rows(st, &h);
	assert_int_equal(stage_commit_run(st, 3, 3, 0, 0, "ok", &err), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM extra_columns"), 2);

	/* Closing with a run open rolls it back. */
	assert_int_equal(stage_begin_run(st, "test", NULL, &err), 0);
	assert_int_equal(stage_exec(st, "DELETE FROM records", NULL, 0, &err),
			 0);
	stage_close(st);
	st = open_ok(fx->path);
	assert_int_equal(count(st, "SELECT count(*) FROM records"), 3);
	assert_int_equal(count(st, "SELECT count(*) FROM runs"), 1);
	header_release(&h);
	stage_close(st);
}

static void test_commit_run(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	char *v;
	long long id;
	char num[32];

	assert_int_equal(stage_commit_run(st, 0, 0, 0, 0, "ok", &err), -1);
	assert_int_equal(err.status, MBR_EINTERNAL);
	assert_int_equal(stage_begin_run(st, "mbr-validate",
					 "--rules r.ini in.csv", &err),
			 0);
	assert_int_equal(stage_begin_run(st, "x", NULL, &err), -1);
	assert_int_equal(err.status, MBR_EINTERNAL);
	id = stage_run_id(st);
	assert_int_equal(
		stage_commit_run(st, 120000, 119412, 588, 7, "flagged", &err),
		0);
	assert_int_equal(stage_run_id(st), 0);
	snprintf(num, sizeof(num), "%lld", id);
	v = query1(st,
		   "SELECT tool || '|' || args || '|' || n_in || '|' || "
		   "n_out || '|' || n_rejected || '|' || n_flagged || '|' "
		   "|| status || '|' || (ended >= started) || '|' || "
		   "length(started) FROM runs WHERE run_id = ?1",
		   num);
	assert_string_equal(v, "mbr-validate|--rules r.ini in.csv|120000|"
			       "119412|588|7|flagged|1|24");
	free(v);
	stage_close(st);
}

/* A decision per pair: a later one replaces the earlier; an empty
 * decided_at is now; stage_forget_dedupe keeps them. */
/* What takes a database of the latest version back to version 2. */
static const char *const undo_3_4[] = {
	"DROP TABLE decisions",
	"DROP TABLE tombstones",
	"DROP INDEX rejects_key",
	"ALTER TABLE records DROP COLUMN deleted_run",
	"ALTER TABLE retired DROP COLUMN reason",
};

static void test_decisions(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	struct stage_decision d = {
		sv("pos"),	  sv("1"),	  sv("crm"),
		sv("c1"),	  sv("no-match"), sv("wang"),
		sv("2026-01-10"), sv("d1.csv"),	  2,
	};
	struct stage_cursor *c;
	struct record rec;
	char *v;

	assert_int_equal(stage_begin_run(st, "mbr-dedupe", NULL, &err), 0);
	assert_int_equal(stage_put_decision(st, &d, &err), 0);
	d.a_source_id = sv("2");
	assert_int_equal(stage_put_decision(st, &d, &err), 0);
	d.a_source_id = sv("1");
	d.decision = sv("match");
	d.decided_at = sv("");
	d.file = sv("d2.csv");
	d.line = 7;
	assert_int_equal(stage_put_decision(st, &d, &err), 0);
	assert_int_equal(stage_forget_dedupe(st, &err), 0);
	assert_int_equal(stage_commit_run(st, 0, 0, 0, 0, "ok", &err), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM decisions"), 2);
	c = stage_read_decisions(st, &err);
	assert_non_null(c);
	record_init(&rec);
	assert_int_equal(stage_cursor_next(c, &rec, &err), 1);
	assert_true(sv_eqs(record_field(&rec, 1), "2"));
	assert_true(sv_eqs(record_field(&rec, 4), "no-match"));
	assert_int_equal(stage_cursor_next(c, &rec, &err), 1);
	assert_true(sv_eqs(record_field(&rec, 4), "match"));
	assert_true(sv_eqs(record_field(&rec, 7), "d2.csv"));
	assert_true(sv_eqs(record_field(&rec, 8), "7"));
	assert_int_equal(record_field(&rec, 6).len, 20); /* ISO, UTC */
	assert_int_equal(stage_cursor_next(c, &rec, &err), 0);
	record_release(&rec);
	stage_cursor_free(c);
	/* A version 2 database (no decisions, none of version 4's columns)
	 * gets the table, and version 4's. */
	for (size_t i = 0; i < sizeof(undo_3_4) / sizeof(*undo_3_4); i++)
		assert_int_equal(stage_exec(st, undo_3_4[i], NULL, 0, &err), 0);
	assert_int_equal(stage_exec(st,
				    "UPDATE meta SET value = '2' WHERE "
				    "key = 'schema_version'",
				    NULL, 0, &err),
			 0);
	stage_close(st);
	st = open_ok(fx->path);
	assert_int_equal(count(st, "SELECT count(*) FROM decisions"), 0);
	v = query1(st, "SELECT value FROM meta WHERE key = ?",
		   "schema_version");
	assert_string_equal(v, "4");
	free(v);
	stage_close(st);
}

/* Values that must come back byte for byte, through a bound parameter and
 * through the extra JSON. */
static const struct {
	const char *v, *why;
} ugly[] = {
	{"O'Brien", "single quote: SQL is never built from values"},
	{"\"'; DROP TABLE records; --", "injection attempt"},
	{"张三", "Chinese"},
	{"張三丰 ＡＢＣ１２３", "traditional and full-width"},
	{"a\\b\"c", "backslash and double quote in JSON"},
	{"line1\nline2\r\n\tend", "line breaks and tab"},
	{"\x01\x1f\x7f", "control characters"},
	{"😀𠀀", "four-byte UTF-8 (JSON surrogate pairs if escaped)"},
	{"\xff\xfe"
	 "bad",
	 "invalid UTF-8 is kept"},
	{"/slash/", "slash is not escaped"},
	{"\\u0041", "a literal backslash-u is not an escape"},
	{" ", "one space"},
};

static void test_ugly_values(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	static const char *const names[] = {"source", "source_id", "note"};
	struct header h, out;
	struct record rec;
	struct stage_cursor *c;
	char id[16];

	header_init(&h);
	header_init(&out);
	record_init(&rec);
	set_header(&h, 3, names);
	for (size_t i = 0; i < sizeof(ugly) / sizeof(*ugly); i++) {
		char *v;

		snprintf(id, sizeof(id), "%zu", i);
		set_record(&rec, 3,
			   (const char *const[]){ugly[i].v, id, ugly[i].v});
		if (stage_put_record(st, &h, &rec, &err) < 0)
			fail_msg("%s: %s", ugly[i].why, err.msg);
		v = query1(st, "SELECT source FROM records WHERE source = ?",
			   ugly[i].v);
		if (strcmp(v, ugly[i].v))
			fail_msg("%s: bound value came back as '%s'",
				 ugly[i].why, v);
		free(v);
	}
	c = stage_read_records(st, &err);
	assert_non_null(c);
	assert_int_equal(stage_cursor_header(c, &out), 0);
	for (size_t i = 0; i < sizeof(ugly) / sizeof(*ugly); i++) {
		assert_int_equal(stage_cursor_next(c, &rec, &err), 1);
		if (!sv_eqs(col(&out, &rec, "note"), ugly[i].v))
			fail_msg("%s: extra came back as '%s'", ugly[i].why,
				 col(&out, &rec, "note").p);
	}
	stage_cursor_free(c);
	header_release(&h);
	header_release(&out);
	record_release(&rec);
	stage_close(st);
}

/* extra written by hand (an analyst's json_set, an older mbr): what our
 * decoder must accept and what it must refuse. */
static const struct {
	const char *json, *want, *why;
	int rc;
} extra_json[] = {
	{"{\"note\":\"x\"}", "x", "plain", 1},
	{" { \"note\" : \"x\" } ", "x", "white space", 1},
	{"{\"note\":\"\\u5f20\\u4e09\"}", "张三", "BMP escapes", 1},
	{"{\"note\":\"\\ud83d\\ude00\"}", "😀", "surrogate pair", 1},
	{"{\"note\":\"\\/\\b\\f\"}", "/\b\f", "short escapes", 1},
	{"{\"other\":\"y\",\"note\":\"x\"}", "x", "unknown key dropped", 1},
	{"{}", "", "empty object", 1},
	{"{\"note\":\"\\ud83d\"}", "", "lone high surrogate", -1},
	{"{\"note\":\"\\q\"}", "", "unknown escape", -1},
	{"{\"note\":\"x\"", "", "unterminated object", -1},
	{"{\"note\":\"x}", "", "unterminated string", -1},
	{"{\"note\":1}", "", "number, not a string", -1},
	{"[\"x\"]", "", "array", -1},
	{"{\"note\":\"x\"} trailing", "", "trailing bytes", -1},
};

static void test_extra_json(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	static const char *const names[] = {"source", "source_id", "note"};
	static const char *const vals[] = {"pos", "1", "v"};
	struct header h, out;
	struct record rec;

	header_init(&h);
	header_init(&out);
	record_init(&rec);
	set_header(&h, 3, names);
	set_record(&rec, 3, vals);
	assert_int_equal(stage_put_record(st, &h, &rec, &err), 0);
	for (size_t i = 0; i < sizeof(extra_json) / sizeof(*extra_json); i++) {
		struct stage_cursor *c;
		int rc;

		assert_int_equal(stage_exec(st, "UPDATE records SET extra = ?1",
					    &extra_json[i].json, 1, &err),
				 0);
		c = stage_read_records(st, &err);
		assert_int_equal(stage_cursor_header(c, &out), 0);
		rc = stage_cursor_next(c, &rec, &err);
		if (rc != extra_json[i].rc)
			fail_msg("%s: got %d (%s)", extra_json[i].why, rc,
				 err.msg);
		if (rc == 1 &&
		    !sv_eqs(col(&out, &rec, "note"), extra_json[i].want))
			fail_msg("%s: got '%s'", extra_json[i].why,
				 col(&out, &rec, "note").p);
		stage_cursor_free(c);
	}
	header_release(&h);
	header_release(&out);
	record_release(&rec);
	stage_close(st);
}

static void test_rejects(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	struct reject_at at;
	struct header h;
	struct record rec;
	char *v;

	header_init(&h);
	record_init(&rec);
	set_header(&h, 7, hdr3);
	set_record(&rec, 7, rows3[1]);
	rec.row = 42;
	assert_int_equal(stage_begin_run(st, "mbr-validate", "", &err), 0);
	assert_int_equal(stage_put_reject(st, &h, &rec, 0, "mbr-validate",
					  "mobile", "required", sv("raw,row"),
					  &err),
			 0);
	at.source = sv("pos.csv");
	at.source_id = svn("", 0);
	at.row = sv("7");
	at.line = 9;
	assert_int_equal(stage_put_reject_raw(st, &at, "mbr-import",
					      "bad quote", svn("\"a,\xff", 4),
					      &err),
			 0);
	assert_int_equal(stage_commit_run(st, 2, 0, 2, 0, "flagged", &err), 0);
	v = query1(st,
		   "SELECT source || '|' || source_id || '|' || "
		   "source_row || '|' || field || '|' || reason || '|' || "
		   "raw || '|' || record || '|' || (run_id > 0) "
		   "FROM rejects WHERE tool = ?",
		   "mbr-validate");
	assert_string_equal(v, "pos|1002|42|mobile|required|raw,row|"
			       "{\"会员等级\":\"\",\"source\":\"pos\","
			       "\"source_id\":\"1002\",\"mobile\":\"\","
			       "\"name\":\"李四\","
			       "\"备注\":\"say \\\"hi\\\"\\\\n\","
			       "\"_issues\":\"\"}|1");
	free(v);
	v = query1(st,
		   "SELECT source || '|' || source_row || '|' || "
		   "typeof(raw) || '|' || hex(raw) || '|' || "
		   "(source_id IS NULL) || '|' || source_line FROM rejects "
		   "WHERE reason = ?",
		   "bad quote");
	assert_string_equal(v, "pos.csv|7|blob|22612CFF|1|9");
	free(v);
	assert_int_equal(count(st, "SELECT count(*) FROM rejects"), 2);
	header_release(&h);
	record_release(&rec);
	stage_close(st);
}

static void test_exec_cache(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	char sql[128];
	const char *b[] = {"pos", "1", "M1"};
	struct strview bv[] = {sv("pos"), sv("2"), svn(NULL, 0)};

	/* More distinct statements than the cache holds, twice over. */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 40; i++) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO clusters (run_id, source, "
				 "source_id, cluster_id) VALUES (%d, ?, ?, ?)",
				 i);
			assert_int_equal(stage_exec(st, sql, b, 3, &err), 0);
		}
	assert_int_equal(count(st, "SELECT count(*) FROM clusters"), 80);
	assert_int_equal(stage_exec(st,
				    "INSERT INTO xref (source, source_id, "
				    "master_id) VALUES (?, ?, ?)",
				    b, 3, &err),
			 0);
	assert_int_equal(stage_changes(st), 1);
	/* a NULL view is SQL NULL: NOT NULL master_id refuses it */
	assert_int_equal(stage_exec_sv(st,
				       "INSERT INTO xref (source, "
				       "source_id, master_id) VALUES "
				       "(?, ?, ?)",
				       bv, 3, &err),
			 -1);
	assert_int_equal(err.status, MBR_EIO);
	assert_int_equal(
		stage_exec(st, "DELETE FROM xref WHERE source = ?", b, 2, &err),
		-1);
	assert_int_equal(err.status, MBR_EINTERNAL);
	assert_int_equal(stage_exec(st, "SELEC 1", NULL, 0, &err), -1);
	assert_int_equal(err.status, MBR_EINTERNAL);
	assert_int_equal(stage_exec(st, "SELECT 1; SELECT 2", NULL, 0, &err),
			 -1);
	assert_int_equal(err.status, MBR_EINTERNAL);
	stage_close(st);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_locked(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *a = open_ok(fx->path);
	struct stage *b, *c;
	double t;

	assert_int_equal(stage_begin_run(a, "first", NULL, &err), 0);
	/* A second connection opens and reads during the run (WAL)... */
	b = open_ok(fx->path);
	assert_int_equal(count(b, "SELECT count(*) FROM runs"), 0);
	/* ...but cannot begin a run of its own. */
	stage_set_busy_timeout(b, 200);
	t = now();
	assert_int_equal(stage_begin_run(b, "second", NULL, &err), -1);
	t = now() - t;
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, "database is locked by another run"));
	if (t < 0.15 || t > 5)
		fail_msg("waited %.3f s for a 0.2 s busy timeout", t);
	assert_int_equal(stage_run_id(b), 0);
	/* The environment sets the timeout of a new connection. */
	setenv("MBR_BUSY_TIMEOUT_MS", "50", 1);
	c = open_ok(fx->path);
	unsetenv("MBR_BUSY_TIMEOUT_MS");
	t = now();
	assert_int_equal(stage_begin_run(c, "third", NULL, &err), -1);
	t = now() - t;
	assert_non_null(strstr(err.msg, "database is locked by another run"));
	if (t < 0.03 || t > 2)
		fail_msg("waited %.3f s for a 0.05 s busy timeout", t);
	stage_close(c);
	assert_int_equal(stage_commit_run(a, 0, 0, 0, 0, "ok", &err), 0);
	assert_int_equal(stage_begin_run(b, "second", NULL, &err), 0);
	assert_int_equal(stage_commit_run(b, 0, 0, 0, 0, "ok", &err), 0);
	assert_int_equal(count(a, "SELECT count(*) FROM runs"), 2);
	stage_close(b);
	stage_close(a);
}

/* Rewriting the records while reading them (normalize --db does) sees
 * each row once. */
static void test_rewrite_while_reading(void **state)
{
	struct fixture *fx = *state;
	struct mbr_err err = MBR_ERR_INIT;
	struct stage *st = open_ok(fx->path);
	struct header h, out;
	struct record rec;
	struct stage_cursor *c;
	int n = 0;

	header_init(&h);
	header_init(&out);
	record_init(&rec);
	set_header(&h, 7, hdr3);
	assert_int_equal(stage_begin_run(st, "test", NULL, &err), 0);
	put_rows(st, &h);
	c = stage_read_records(st, &err);
	assert_int_equal(stage_cursor_header(c, &out), 0);
	while (stage_cursor_next(c, &rec, &err) == 1) {
		/* a longer name makes the row grow in place */
		record_set(&rec, CF_NAME, "a much longer name than before", 30);
		assert_int_equal(stage_put_record(st, &out, &rec, &err), 0);
		n++;
	}
	assert_int_equal(n, 3);
	stage_cursor_free(c);
	assert_int_equal(stage_commit_run(st, 3, 3, 0, 0, "ok", &err), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM records WHERE "
				   "name = 'a much longer name than before'"),
			 3);
	header_release(&h);
	header_release(&out);
	record_release(&rec);
	stage_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_schema_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_and_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_upsert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ugly_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_extra_json, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_cache, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decisions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_while_reading,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
