/*
 * test_lifecycle: the staging calls of a member's life after go-live:
 * snapshots (records deleted at source, masters retired for it) and
 * erasure (stage.h). Each test works in its own directory under /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "stage.h"

struct fixture {
	char dir[64];
	char path[96];
	struct stage *st;
	struct header h;
	struct record rec;
	struct mbr_err err;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	strcpy(fx->dir, "/tmp/test_lifecycle.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/stage.db", fx->dir);
	fx->st = stage_open(fx->path, &fx->err);
	if (!fx->st)
		return -1;
	header_init(&fx->h);
	record_init(&fx->rec);
	th_header(&fx->h, "source|source_id|name|mobile");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[128];

	stage_close(fx->st);
	header_release(&fx->h);
	record_release(&fx->rec);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, suffix[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void begin(struct fixture *fx)
{
	if (stage_begin_run(fx->st, "test", "", &fx->err) < 0)
		fail_msg("begin: %s", fx->err.msg);
}

static void commit(struct fixture *fx)
{
	if (stage_commit_run(fx->st, 0, 0, 0, 0, "ok", &fx->err) < 0)
		fail_msg("commit: %s", fx->err.msg);
}

/* Import the record "source|source_id|name|mobile"; what
 * stage_import_record returned. */
static int import(struct fixture *fx, const char *row)
{
	int rc;

	th_record(&fx->rec, row);
	rc = stage_import_record(fx->st, &fx->h, &fx->rec, &fx->err);
	if (rc < 0)
		fail_msg("import '%s': %s", row, fx->err.msg);
	return rc;
}

static void exec(struct fixture *fx, const char *sql)
{
	if (stage_exec(fx->st, sql, NULL, 0, &fx->err) < 0)
		fail_msg("%s: %s", sql, fx->err.msg);
}

/* The first column of the first row of sql, as a heap string. */
static char *query1(struct fixture *fx, const char *sql)
{
	struct stage_cursor *c = stage_query(fx->st, sql, NULL, 0, &fx->err);
	struct record r;
	char *v;

	if (!c)
		fail_msg("%s: %s", sql, fx->err.msg);
	record_init(&r);
	if (stage_cursor_next(c, &r, &fx->err) != 1)
		fail_msg("no row for '%s'", sql);
	v = sv_dup(record_field(&r, 0));
	record_release(&r);
	stage_cursor_free(c);
	return v;
}

static void assert_query(struct fixture *fx, const char *sql, const char *want)
{
	char *v = query1(fx, sql);

	if (strcmp(v, want))
		fail_msg("%s: got '%s', expected '%s'", sql, v, want);
	free(v);
}

/* Records the reading cursor returns. */
static int n_read(struct fixture *fx)
{
	struct stage_cursor *c = stage_read_records(fx->st, &fx->err);
	struct record r;
	int n = 0;

	assert_non_null(c);
	record_init(&r);
	while (stage_cursor_next(c, &r, &fx->err) > 0)
		n++;
	record_release(&r);
	stage_cursor_free(c);
	return n;
}

/* shop 1..3 and web 9 in run 1. */
static void load(struct fixture *fx)
{
	begin(fx);
	import(fx, "shop|1|张伟|+8613812345678");
	import(fx, "shop|2|李娜|+8613912345678");
	import(fx, "shop|3|王芳|+8613712345678");
	import(fx, "web|9|张伟|+8613812345678");
	commit(fx);
}

static void test_snapshot_marks_missing(void **state)
{
	struct fixture *fx = *state;
	unsigned long long n = 99;

	load(fx);
	begin(fx);
	assert_int_equal(stage_count_present(fx->st, sv("shop"), &n, &fx->err),
			 0);
	assert_int_equal(n, 3);
	import(fx, "shop|1|张伟|+8613812345678");
	/* shop 2 is rejected this run: still in the source, not missing */
	th_record(&fx->rec, "shop|2|李娜|bad");
	assert_int_equal(stage_put_reject(fx->st, &fx->h, &fx->rec, 3, "test",
					  "mobile", "invalid", svn("", 0),
					  &fx->err),
			 0);
	assert_int_equal(stage_count_missing(fx->st, sv("shop"), &n, &fx->err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(stage_count_missing(fx->st, sv("web"), &n, &fx->err),
			 0);
	assert_int_equal(n, 1); /* counted only: web is no snapshot here */
	assert_int_equal(stage_mark_missing(fx->st, sv("shop"), &n, &fx->err),
			 0);
	assert_int_equal(n, 1);
	commit(fx);
	assert_query(fx,
		     "SELECT group_concat(source || source_id || ':' || "
		     "coalesce(deleted_run, '-'), ' ') FROM records",
		     "shop1:- shop2:- shop3:2 web9:-");
	assert_int_equal(n_read(fx), 3); /* shop 3 is out of later runs */
	assert_int_equal(stage_count_present(fx->st, sv("shop"), &n, &fx->err),
			 0);
	assert_int_equal(n, 2);

	/* an import that stores shop 3 again brings it back */
	begin(fx);
	assert_int_equal(import(fx, "shop|3|王芳|+8613712345678"), 1);
	commit(fx);
	assert_query(fx, "SELECT count(deleted_run) FROM records", "0");
	assert_int_equal(n_read(fx), 4);
}

static void test_mark_outside_run(void **state)
{
	struct fixture *fx = *state;
	unsigned long long n;

	assert_int_equal(stage_mark_missing(fx->st, sv("shop"), &n, &fx->err),
			 -1);
	assert_int_equal(fx->err.status, MBR_EINTERNAL);
}

/* The crosswalk of load(): 张伟 (shop 1, web 9) is M1, 李娜 M2, 王芳 M3;
 * masters holds the golden records of the live ones given. */
static void crosswalk(struct fixture *fx, const char *masters)
{
	exec(fx, "INSERT INTO xref (source, source_id, master_id) VALUES "
		 "('shop', '1', 'M1'), ('web', '9', 'M1'), ('shop', '2', "
		 "'M2'), ('shop', '3', 'M3'), ('crm', '5', 'M4')");
	exec(fx, masters);
}

static void test_retire_deleted(void **state)
{
	struct fixture *fx = *state;
	unsigned long long retired = 9, back = 9;

	load(fx);
	begin(fx);
	exec(fx, "UPDATE records SET deleted_run = 1 WHERE source = 'shop' "
		 "AND source_id IN ('1', '2')");
	/* M4's record crm 5 is in no records row: not retired */
	crosswalk(fx, "INSERT INTO masters (master_id) VALUES ('M1'), ('M3')");
	assert_int_equal(
		stage_retire_deleted(fx->st, &retired, &back, &fx->err), 0);
	assert_int_equal(retired, 1);
	assert_int_equal(back, 0);
	commit(fx);
	assert_query(fx,
		     "SELECT group_concat(master_id || '|' || merged_into || "
		     "'|' || reason, ' ') FROM retired",
		     "M2||deleted at source");

	/* a second run retires no one again; M2 back with a golden record */
	begin(fx);
	exec(fx, "INSERT INTO masters (master_id) VALUES ('M2')");
	assert_int_equal(
		stage_retire_deleted(fx->st, &retired, &back, &fx->err), 0);
	assert_int_equal(retired, 0);
	assert_int_equal(back, 1);
	commit(fx);
	assert_query(fx, "SELECT count(*) FROM retired", "0");
}

static void test_read_gone(void **state)
{
	struct fixture *fx = *state;
	struct stage_cursor *c;
	struct record r;

	begin(fx);
	exec(fx, "INSERT INTO retired VALUES ('M1', 'M2', 1, 'merged'), "
		 "('M3', '', 1, 'erased'), ('M4', '', 1, 'deleted at source')");
	commit(fx);
	record_init(&r);
	c = stage_read_retired(fx->st, &fx->err);
	assert_int_equal(stage_cursor_next(c, &r, &fx->err), 1);
	assert_true(sv_eqs(record_field(&r, 2), "M1"));
	assert_int_equal(stage_cursor_next(c, &r, &fx->err), 0);
	stage_cursor_free(c);
	c = stage_read_gone(fx->st, &fx->err);
	assert_int_equal(stage_cursor_next(c, &r, &fx->err), 1);
	assert_true(sv_eqs(record_field(&r, 0), "M3"));
	assert_true(sv_eqs(record_field(&r, 1), "erased"));
	assert_int_equal(stage_cursor_next(c, &r, &fx->err), 1);
	assert_true(sv_eqs(record_field(&r, 0), "M4"));
	assert_int_equal(stage_cursor_next(c, &r, &fx->err), 0);
	stage_cursor_free(c);
	record_release(&r);
}

/* load() and crosswalk(), with a pair, clusters and a reject of 张伟,
 * and two tables a later tool might add. */
static void member_rows(struct fixture *fx)
{
	load(fx);
	begin(fx);
	crosswalk(fx, "INSERT INTO masters (master_id, name) VALUES "
		      "('M1', '张伟'), ('M2', '李娜'), ('M3', '王芳')");
	exec(fx, "INSERT INTO pairs (a_source, a_source_id, b_source, "
		 "b_source_id) VALUES ('shop', '1', 'web', '9'), ('shop', "
		 "'2', 'shop', '3')");
	exec(fx, "INSERT INTO clusters (source, source_id, cluster_id) "
		 "VALUES ('shop', '1', 'K1'), ('web', '9', 'K1'), ('shop', "
		 "'2', 'K2')");
	exec(fx, "INSERT INTO rejects (source, source_id, raw) VALUES "
		 "('web', '9', '9,张伟,bad'), ('shop', '2', '2,李娜')");
	exec(fx, "INSERT INTO decisions (a_source, a_source_id, b_source, "
		 "b_source_id, decision) VALUES ('shop', '1', 'web', '9', "
		 "'match'), ('shop', '2', 'shop', '3', 'no-match')");
	exec(fx, "CREATE TABLE notes (source TEXT, source_id TEXT, "
		 "note TEXT)");
	exec(fx, "INSERT INTO notes VALUES ('web', '9', '张伟 ok'), "
		 "('shop', '3', 'x')");
	exec(fx, "CREATE TABLE \"golden \"\"lineage\"\"\" (master_id TEXT, "
		 "value TEXT)");
	exec(fx, "INSERT INTO \"golden \"\"lineage\"\"\" VALUES ('M1', "
		 "'张伟'), ('M2', '李娜')");
	commit(fx);
}

static void test_erase_master(void **state)
{
	struct fixture *fx = *state;
	struct stage_erased n = {0};

	member_rows(fx);
	begin(fx);
	assert_int_equal(stage_erase_master(fx->st, sv("M1"), sv("ticket 1"),
					    &n, &fx->err),
			 0);
	commit(fx);
	assert_int_equal(n.members, 1);
	assert_int_equal(n.keys, 2);
	assert_int_equal(n.records, 2);
	assert_int_equal(n.rejects, 1);
	assert_int_equal(n.pairs, 1);
	assert_int_equal(n.clusters, 2);
	assert_int_equal(n.xref, 2);
	assert_int_equal(n.masters, 1);
	assert_int_equal(n.decisions, 1);
	assert_int_equal(n.other, 2); /* notes, the lineage table */
	assert_int_equal(n.tombstones, 2);
	assert_query(fx,
		     "SELECT (SELECT count(*) FROM records WHERE name = "
		     "'张伟') + (SELECT count(*) FROM rejects WHERE raw LIKE "
		     "'%张伟%') + (SELECT count(*) FROM notes WHERE note "
		     "LIKE '%张伟%') + (SELECT count(*) FROM decisions "
		     "WHERE a_source_id = '1' OR b_source_id = '9') + (SELECT "
		     "count(*) FROM \"golden "
		     "\"\"lineage\"\"\" WHERE value = '张伟')",
		     "0");
	assert_query(fx, "SELECT count(*) FROM pairs", "1");
	assert_query(fx,
		     "SELECT group_concat(master_id || ',' || source || ',' "
		     "|| length(key_hash) || ',' || reason, ' ') FROM "
		     "tombstones",
		     "M1,shop,32,ticket 1 M1,web,32,ticket 1");
	assert_query(fx, "SELECT reason || merged_into FROM retired", "erased");

	/* erased before: 1, nothing changes */
	memset(&n, 0, sizeof(n));
	begin(fx);
	assert_int_equal(
		stage_erase_master(fx->st, sv("M1"), sv("again"), &n, &fx->err),
		1);
	assert_int_equal(n.tombstones + n.records + n.members, 0);
	/* an import of an erased record is refused, another is stored */
	assert_int_equal(import(fx, "web|9|张伟|+8613812345678"),
			 STAGE_IMPORT_ERASED);
	assert_int_equal(import(fx, "web|10|赵磊|+8613611112222"), 1);
	commit(fx);
	assert_query(fx, "SELECT count(*) FROM records WHERE source = 'web'",
		     "1");
}

static void test_erase_errors(void **state)
{
	struct fixture *fx = *state;
	struct stage_erased n = {0};

	member_rows(fx);
	assert_int_equal(
		stage_erase_master(fx->st, sv("M1"), sv(""), &n, &fx->err), -1);
	assert_int_equal(fx->err.status, MBR_EINTERNAL); /* no run */
	begin(fx);
	exec(fx, "INSERT INTO retired VALUES ('M7', 'M2', 1, 'merged')");
	assert_int_equal(
		stage_erase_master(fx->st, sv("M7"), sv(""), &n, &fx->err), -1);
	assert_int_equal(fx->err.status, MBR_ECONFIG);
	assert_non_null(strstr(fx->err.msg, "merged into 'M2'"));
	assert_int_equal(
		stage_erase_master(fx->st, sv("M99"), sv(""), &n, &fx->err),
		-1);
	assert_int_equal(fx->err.status, MBR_ECONFIG);
	assert_int_equal(stage_erase_record(fx->st, sv("shop"), sv("77"),
					    sv(""), &n, &fx->err),
			 -1);
	assert_int_equal(fx->err.status, MBR_ECONFIG);
	assert_int_equal(n.members + n.keys + n.records, 0);
	stage_rollback(fx->st);
}

static void test_erase_record(void **state)
{
	struct fixture *fx = *state;
	struct stage_erased n = {0};

	member_rows(fx);
	begin(fx);
	import(fx, "crm|5|孙丽|+8613500000000"); /* not merged yet */
	/* a record of the crosswalk: the whole member */
	assert_int_equal(stage_erase_record(fx->st, sv("web"), sv("9"), sv("r"),
					    &n, &fx->err),
			 0);
	assert_int_equal(n.members, 1);
	assert_int_equal(n.keys, 2);
	/* a record merge-id has not seen: the record alone */
	exec(fx, "DELETE FROM xref WHERE source = 'crm'");
	assert_int_equal(stage_erase_record(fx->st, sv("crm"), sv("5"), sv("r"),
					    &n, &fx->err),
			 0);
	assert_int_equal(n.members, 1);
	assert_int_equal(n.keys, 3);
	commit(fx);
	assert_query(fx,
		     "SELECT count(*) || '/' || count(master_id = '' OR NULL) "
		     "FROM tombstones",
		     "3/1");
	assert_query(fx, "SELECT count(*) FROM records", "2");
	/* a reject the source sent again goes; erased before: 1 */
	begin(fx);
	exec(fx, "INSERT INTO rejects (source, source_id, raw) VALUES "
		 "('crm', '5', '5,孙丽')");
	memset(&n, 0, sizeof(n));
	assert_int_equal(stage_erase_record(fx->st, sv("crm"), sv("5"), sv("r"),
					    &n, &fx->err),
			 1);
	assert_int_equal(n.rejects, 1);
	assert_int_equal(n.tombstones, 0);
	commit(fx);
}

static void test_compact(void **state)
{
	struct fixture *fx = *state;

	member_rows(fx);
	begin(fx);
	assert_int_equal(stage_compact(fx->st, &fx->err), -1);
	assert_int_equal(fx->err.status, MBR_EINTERNAL);
	commit(fx);
	assert_int_equal(stage_secure_delete(fx->st, &fx->err), 0);
	assert_int_equal(stage_compact(fx->st, &fx->err), 0);
	assert_query(fx, "PRAGMA secure_delete", "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_marks_missing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_outside_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retire_deleted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_erase_master, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_erase_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_erase_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
