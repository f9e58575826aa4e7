/*
 * test_mapping: mapping files. A valid source mapping applied to records
 * (every mapper, constants, concat, problems into _issues), a target
 * mapping, binding to a header, and every kind of mistake in a file with
 * the file:line and the help its message gives.
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

#include "mapping.h"

static char map_path[32];

static const char *write_map(const char *text)
{
	FILE *f;
	int fd;

	snprintf(map_path, sizeof(map_path), "/tmp/test_mapping_XXXXXX");
	fd = mkstemp(map_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return map_path;
}

static int remove_map(void **state)
{
	(void)state;
	if (map_path[0])
		unlink(map_path);
	map_path[0] = '\0';
	return 0;
}

static void make_header(struct header *h, const char *const *names)
{
	header_init(h);
	while (*names)
		header_add(h, *names++);
}

static void make_record(struct record *rec, const char *const *values,
			unsigned long row)
{
	record_reset(rec);
	while (*values) {
		record_add(rec, *values, strlen(*values));
		values++;
	}
	rec->row = row;
}

/* The non-empty output fields as "name=value;", then "|" and issues. */
static void describe(const struct mapping *m, const struct record *out,
		     const struct buf *issues, struct buf *got)
{
	buf_reset(got);
	assert_int_equal(out->n, mapping_n_out(m));
	for (size_t i = 0; i < out->n; i++) {
		struct strview v = record_field(out, i);

		if (v.len)
			buf_addf(got, "%s=%.*s;", mapping_out_name(m, i),
				 (int)v.len, v.p);
	}
	buf_addf(got, "|%s", issues->p);
}

static const char source_map[] =
	"# POS export, GB18030\n"
	"[source]\n"
	"name = POS\n"
	"encoding = GB18030\n"
	"delimiter = tab\n"
	"key = 会员号\n"
	"header = yes\n"
	"date_order = DMY\n"
	"\n"
	"[fields]\n"
	"name = 姓名 | trim\n"
	"mobile = 手机(主) | trim\n"
	"email = 邮箱 | trim | lower\n"
	"gender = 性别 | map(男=M, 女=F, *=U)\n"
	"tier = 等级 | trim | upper\n"
	"points = 积分 | int\n"
	"birth_date = 生日 | date(%Y/%m/%d, %d.%m.%Y, %Y年%m月%d日)\n"
	"registered_at = 注册 | date(\"%Y%m%d %H:%M\")\n"
	"channel = \"POS # shop\"   # a quoted constant keeps its #\n"
	"address = concat(省, \" \", 市, \" \", 地址) | trim\n"
	"status = 状态 | map(1=active, 0=closed)\n"
	"country = 国家 | default(\"CN\")\n"
	"store = 门店 | trim | default(未知) | upper\n"
	"consent_marketing = 同意 | map(\"是\" = Y, 否=N)\n";

static const char *const source_cols[] = {
	"会员号", "姓名",	"手机(主)", "邮箱", "性别", "等级", "积分",
	"生日",	  "注册",	"省",	    "市",   "地址", "状态", "国家",
	"门店",	  "同意",	"unused",   NULL,
};

static const struct {
	const char *in[18];
	const char *want, *why;
} apply_cases[] = {
	{ { " 1001 ", " 张伟 ", " 13812345678", " Zhang@QQ.com ", "男", " gold ",
	    "1,200", "1985/3/7", "20240131 09:05", "北京", "北京", "朝阳区1号",
	    "1", "", "  ", "是", "x", NULL },
	  "source=POS;source_id=1001;source_row=7;name=张伟;gender=M;"
	  "birth_date=1985-03-07;mobile=13812345678;email=zhang@qq.com;"
	  "country=CN;address=北京 北京 朝阳区1号;tier=GOLD;points=1200;"
	  "registered_at=2024-01-31T09:05:00;store=未知;channel=POS # shop;"
	  "consent_marketing=Y;status=active;|",
	  "every mapper on a clean row; default() after trim" },
	{ { "1002", "李娜", "", "", "女", "", "", "07.03.1985", "", "", "", "",
	    "0", "HK", "店1", "否", "", NULL },
	  "source=POS;source_id=1002;source_row=7;name=李娜;gender=F;"
	  "birth_date=1985-03-07;country=HK;store=店1;channel=POS # shop;"
	  "consent_marketing=N;status=closed;|",
	  "second date format; empty values stay empty; a concat of empty "
	  "columns and spaces is trimmed to empty" },
	{ { "1003", "王芳", "", "", "?", "", "abc", "1985年3月7日", "2024-01-31",
	    "", "", "", "9", "", "", "maybe", "", NULL },
	  "source=POS;source_id=1003;source_row=7;name=王芳;gender=U;"
	  "birth_date=1985-03-07;country=CN;points=abc;"
	  "registered_at=2024-01-31;store=未知;channel=POS # shop;"
	  "consent_marketing=maybe;status=9;"
	  "|points:invalid;registered_at:not in the date formats given;"
	  "consent_marketing:not in map;status:not in map;",
	  "map *= default; problems keep the value and go to issues" },
	{ { "1004", "", "", "", "", "", "", "1985/2/30", "", "", "", "", "",
	    "", "", "", "", NULL },
	  "source=POS;source_id=1004;source_row=7;gender=U;"
	  "birth_date=1985/2/30;country=CN;store=未知;"
	  "channel=POS # shop;|birth_date:no such date;",
	  "an impossible date says why" },
	{ { "1005", "Ｚｈａｎｇ", "", "", "女 ", "", "", "", "", "", "", "", "",
	    "", "", "", "", NULL },
	  "source=POS;source_id=1005;source_row=7;name=Ｚｈａｎｇ;gender=F;"
	  "country=CN;store=未知;channel=POS # shop;|",
	  "map() keys match after trimming the value" },
};

static void test_mapping_source(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	const struct mapping_info *info;
	struct mapping *m;
	struct header h;
	struct record in, out;
	struct buf issues, got;

	(void)state;
	m = mapping_load(write_map(source_map), &err);
	if (!m)
		fail_msg("%s", err.msg);
	info = mapping_info(m);
	assert_int_equal(info->kind, MAPPING_SOURCE);
	assert_string_equal(info->name, "POS");
	assert_string_equal(info->encoding, "GB18030");
	assert_int_equal(info->delim, '\t');
	assert_true(info->header);
	assert_int_equal(info->date_order, DATE_ORDER_DMY);
	assert_string_equal(info->path, map_path);
	make_header(&h, source_cols);
	assert_int_equal(mapping_bind(m, &h, "pos.csv", &err), 0);
	assert_int_equal(mapping_n_out(m), CF_COUNT);
	assert_string_equal(mapping_out_name(m, CF_MOBILE), "mobile");
	record_init(&in);
	record_init(&out);
	buf_init(&issues, 1024);
	buf_init(&got, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(apply_cases) / sizeof(apply_cases[0]);
	     i++) {
		int n;

		make_record(&in, apply_cases[i].in, 7);
		buf_reset(&issues);
		n = mapping_apply(m, &in, &out, &issues);
		describe(m, &out, &issues, &got);
		if (strcmp(got.p, apply_cases[i].want))
			fail_msg("%s:\n got %s\nwant %s", apply_cases[i].why,
				 got.p, apply_cases[i].want);
		/* why: the return value counts the problems */
		if (n < 0 || (n == 0) != (issues.len == 0))
			fail_msg("%s: returned %d", apply_cases[i].why, n);
	}
	/* why: a short record (fewer fields than the header) maps the
	 * missing columns as empty */
	{
		static const char *const short_row[] = { "9", "赵六", NULL };

		make_record(&in, short_row, 8);
		buf_reset(&issues);
		assert_int_equal(mapping_apply(m, &in, &out, &issues), 0);
		describe(m, &out, &issues, &got);
		assert_string_equal(got.p,
				    "source=POS;source_id=9;source_row=8;"
				    "name=赵六;gender=U;country=CN;"
				    "store=未知;channel=POS # shop;|");
	}
	record_release(&in);
	record_release(&out);
	buf_release(&issues);
	buf_release(&got);
	header_release(&h);
	mapping_free(m);
	mapping_free(NULL);
}

static void test_mapping_defaults(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	const struct mapping_info *info;
	struct mapping *m;

	(void)state;
	/* why: a minimal mapping gets UTF-8, ',', a header, no date hint */
	m = mapping_load(write_map("[source]\nname = web\nkey = id\n"), &err);
	if (!m)
		fail_msg("%s", err.msg);
	info = mapping_info(m);
	assert_string_equal(info->encoding, "UTF-8");
	assert_int_equal(info->delim, ',');
	assert_true(info->header);
	assert_int_equal(info->date_order, DATE_ORDER_NONE);
	mapping_free(m);
	remove_map(NULL);
	m = mapping_load(write_map("[source]\nname = web\nkey = \"id no\"\n"
				   "delimiter = \";\"\nheader = no\n"
				   "date_order = mdy\n"),
			 &err);
	if (!m)
		fail_msg("%s", err.msg);
	info = mapping_info(m);
	assert_int_equal(info->delim, ';');
	assert_false(info->header);
	assert_int_equal(info->date_order, DATE_ORDER_MDY);
	mapping_free(m);
}

/* The message after "PATH:" for a mapping file that must not load. */
static const struct {
	const char *text, *want, *why;
} bad_cases[] = {
	{ "[source]\nname = a\nkey = k\n[feilds]\nname = x\n",
	  "4: unknown section [feilds] (expected [source], [target], [fields] or [extra])",
	  "misspelt section" },
	{ "[source]\nname = a\nkey = k\n[extra]\nmobile = x\n",
	  "5: [extra] 'mobile' is a column of the toolkit (map a canonical field in [fields])",
	  "a canonical column in [extra]" },
	{ "[source]\nname = a\nkey = k\n[extra]\ncluster_id = x\n",
	  "5: [extra] 'cluster_id' is a column of the toolkit (map a canonical field in [fields])",
	  "a tool's column in [extra]" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = concat_ws(a, b)\n",
	  "5: concat_ws() needs a \"separator\" and at least one column or \"constant\" (expected concat_ws(\" \", a, b))",
	  "concat_ws without a quoted separator" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = concat_ws(\" \")\n",
	  "5: concat_ws() needs a \"separator\" and at least one column or \"constant\" (expected concat_ws(\" \", a, b))",
	  "concat_ws with no part" },
	{ "[source]\nname = a\nkey = k\nencodng = GBK\n",
	  "4: unknown setting 'encodng' in [source] (did you mean 'encoding'? expected name, encoding, delimiter, key, header or date_order)",
	  "misspelt setting" },
	{ "[source]\nname = a\nkey = k\nformat = csv\n",
	  "4: unknown setting 'format' in [source] (expected name, encoding, delimiter, key, header or date_order)",
	  "a target setting in [source]" },
	{ "[source]\nname = a\nkey = k\n[fields]\nmobil = 手机\n",
	  "5: unknown canonical field 'mobil' (did you mean 'mobile'? the fields: docs/fields.md; columns of your own go in [extra])",
	  "unknown canonical field" },
	{ "[source]\nname = a\nkey = k\n[fields]\nmobile = a\n\nmobile = b\n",
	  "7: 'mobile' is mapped twice (first on line 5)", "mapped twice" },
	{ "[source]\nname = a\nkey = k\n[fields]\nsource_id = a\n",
	  "5: 'source_id' is set by mbr-import itself (use 'key = COLUMN' in [source] for source_id)",
	  "source_id is not a mapped field" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = a | trimm\n",
	  "5: unknown mapper 'trimm' (did you mean 'trim'? expected trim, upper, lower, int, map(...), date(...), default(...) or null; docs/mapping.md)",
	  "unknown mapper" },
	{ "[source]\nname = a\nkey = k\n[fields]\ngender = a | map(男=M, F)\n",
	  "5: map(): 'F' is not key=value (expected map(a=b, c=d, *=default))",
	  "map() argument without =" },
	{ "[source]\nname = a\nkey = k\n[fields]\ngender = a | map(=M)\n",
	  "5: map(): '=M' is not key=value (expected map(a=b, c=d, *=default))",
	  "map() argument with an empty key" },
	{ "[source]\nname = a\nkey = k\n[fields]\ngender = a | map(a=b=c)\n",
	  "5: map(): 'a=b=c' is not key=value (expected map(a=b, c=d, *=default))",
	  "map() argument with two =" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = a | trim(x)\n",
	  "5: mapper 'trim' takes no arguments", "argument to trim" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = a | default()\n",
	  "5: mapper 'default' takes one argument", "default() empty" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = a | default(x, y)\n",
	  "5: mapper 'default' takes one argument", "default() with two" },
	{ "[source]\nname = a\nkey = k\n[fields]\nbirth_date = a | date\n",
	  "5: mapper 'date' takes one or more arguments", "date without formats" },
	{ "[source]\nname = a\nkey = k\n[fields]\ngender = a | map()\n",
	  "5: mapper 'map' takes one or more arguments", "empty map()" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname =\n",
	  "5: 'name' has no source column (expected a column, a \"constant\" or concat(...))",
	  "empty expression" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = | trim\n",
	  "5: 'name' has no source column (expected a column, a \"constant\" or concat(...))",
	  "a pipeline without a column" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = concat()\n",
	  "5: concat() needs at least one column or \"constant\"",
	  "empty concat" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = concat(a, b\n",
	  "5: missing ')' in 'concat(a, b'", "unclosed concat" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = a | map(x=\"y)\n",
	  "5: unterminated '\"' in 'a | map(x=\"y)'", "unclosed quote" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = a | trim) \n",
	  "5: unbalanced ')' in 'a | trim)'", "stray )" },
	{ "[source]\nkey = k\n[fields]\nname = a\n",
	  "1: [source] has no name (expected name = SYSTEM, it becomes the source column)",
	  "missing name" },
	{ "# comment\n[source]\nname =\nkey = k\n",
	  "2: [source] has no name (expected name = SYSTEM, it becomes the source column)",
	  "empty name" },
	{ "[source]\nname = a\n[fields]\nname = a\n",
	  "1: [source] has no key (expected key = COLUMN, the source's member number)",
	  "missing key" },
	{ "[source]\nname = a\nkey = k\ndelimiter = x\n",
	  "4: delimiter 'x' (expected ',', ';', '|' or tab)", "bad delimiter" },
	{ "[source]\nname = a\nkey = k\ndelimiter = ,,\n",
	  "4: delimiter ',,' (expected ',', ';', '|' or tab)",
	  "two-character delimiter" },
	{ "[source]\nname = a\nkey = k\nheader = maybe\n",
	  "4: header = 'maybe' (expected yes or no)", "bad header" },
	{ "[source]\nname = a\nkey = k\ndate_order = DDMMYY\n",
	  "4: date_order = 'DDMMYY' (expected DMY, MDY or YMD)",
	  "bad date_order" },
	{ "[source]\nname = a\nkey = k\n[target]\nformat = csv\n",
	  "1: both [source] and [target] (a mapping describes one system)",
	  "both [source] and [target]" },
	{ "[fields]\nname = a\n", "1: no [source] or [target] section",
	  "no [source] or [target]" },
	{ "", "1: no [source] or [target] section", "empty file" },
	{ "name = a\n[source]\nname = a\nkey = k\n",
	  "1: 'name' outside a known section (expected [source] or [fields])",
	  "a key before any section" },
	{ "[target]\nformat = xml\n",
	  "2: format = 'xml' (expected csv, tsv, jsonl, sql or sqlite)",
	  "bad target format" },
	{ "[target]\nkey = id\n",
	  "2: unknown setting 'key' in [target] (expected name, format, encoding, delimiter or table)",
	  "a source setting in [target]" },
	{ "[target]\n[fields]\na = x\na = y\n",
	  "4: 'a' is mapped twice (first on line 3)",
	  "target column mapped twice" },
	{ "[source\nname = a\n",
	  "1: section header without ']' (expected [name])",
	  "INI syntax errors come through" },
	{ "[source]\nname = a\nkey = k\n[fields]\nname = \xff\n",
	  "5: invalid UTF-8 byte 0xFF at column 8 (save the file as UTF-8)",
	  "a GB18030 mapping file" },
};

static void test_mapping_errors(void **state)
{
	char want[700];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct mbr_err err = MBR_ERR_INIT;
		struct mapping *m = mapping_load(write_map(bad_cases[i].text),
						 &err);

		snprintf(want, sizeof(want), "%s:%s", map_path,
			 bad_cases[i].want);
		if (m)
			fail_msg("%s: loaded", bad_cases[i].why);
		if (err.status != MBR_ECONFIG || strcmp(err.msg, want))
			fail_msg("%s:\n got %s\nwant %s", bad_cases[i].why,
				 err.msg, want);
		remove_map(NULL);
	}
	/* why: a missing mapping file is a configuration error */
	{
		struct mbr_err err = MBR_ERR_INIT;

		assert_null(mapping_load("/nonexistent/x.map", &err));
		assert_int_equal(err.status, MBR_ECONFIG);
		assert_non_null(strstr(err.msg, "/nonexistent/x.map"));
	}
}

static void test_mapping_bind(void **state)
{
	static const char *const cols[] = { "id", "姓名", "email", NULL };
	struct mbr_err err = MBR_ERR_INIT;
	struct mapping *m;
	struct header h;
	char want[700];

	(void)state;
	make_header(&h, cols);
	/* why: an unknown column names the mapping line and the columns */
	m = mapping_load(write_map("[source]\nname = a\nkey = id\n[fields]\n"
				   "name = 姓名\nmobile = 手机 | trim\n"),
			 &err);
	assert_non_null(m);
	assert_int_equal(mapping_bind(m, &h, "pos.csv", &err), -1);
	snprintf(want, sizeof(want),
		 "%s:6: column '手机' is not in the header of 'pos.csv' (columns: id, 姓名, email)",
		 map_path);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.status, MBR_ECONFIG);
	mapping_free(m);
	remove_map(NULL);
	/* why: the key column is checked too, on its own line */
	m = mapping_load(write_map("[source]\nname = a\nkey = 会员号\n"), &err);
	assert_non_null(m);
	assert_int_equal(mapping_bind(m, &h, "pos.csv", &err), -1);
	assert_non_null(strstr(err.msg, ":3: column '会员号' is not in"));
	mapping_free(m);
	remove_map(NULL);
	/* why: a column inside concat() is checked */
	m = mapping_load(write_map("[source]\nname = a\nkey = id\n[fields]\n"
				   "address = concat(\"x\", 省)\n"),
			 &err);
	assert_non_null(m);
	assert_int_equal(mapping_bind(m, &h, "f.csv", &err), -1);
	assert_non_null(strstr(err.msg, ":5: column '省' is not in"));
	mapping_free(m);
	remove_map(NULL);
	header_release(&h);
	/* why: a very wide header is cut in the message, with "..." */
	header_init(&h);
	for (int i = 0; i < 200; i++) {
		char name[32];

		snprintf(name, sizeof(name), "column_%03d", i);
		header_add(&h, name);
	}
	m = mapping_load(write_map("[source]\nname = a\nkey = nope\n"), &err);
	assert_int_equal(mapping_bind(m, &h, "wide.csv", &err), -1);
	assert_non_null(strstr(err.msg, "(columns: column_000, column_001"));
	assert_non_null(strstr(err.msg, " ...)"));
	mapping_free(m);
	header_release(&h);
}

static void test_mapping_target(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	const struct mapping_info *info;
	struct mapping *m;
	struct header h;
	struct record in, out;
	struct buf issues, got;

	(void)state;
	header_init(&h);
	for (int i = 0; i < CF_COUNT; i++)
		header_add(&h, canon_name((enum canon_field)i));
	header_add(&h, "_issues");
	m = mapping_load(write_map("[target]\nname = CRM\nformat = sql\n"
				   "table = crm_members\nencoding = GB18030\n"
				   "delimiter = |\n"
				   "[fields]\n会员号 = source_id\n"
				   "姓名 = name | upper\n手机 = mobile\n"
				   "来源 = concat(source, \"-\", source_id)\n"
				   "性别 = gender | map(M=男, F=女, *=未知)\n"),
			 &err);
	if (!m)
		fail_msg("%s", err.msg);
	info = mapping_info(m);
	assert_int_equal(info->kind, MAPPING_TARGET);
	assert_string_equal(info->name, "CRM");
	assert_string_equal(info->format, "sql");
	assert_string_equal(info->table, "crm_members");
	assert_string_equal(info->encoding, "GB18030");
	assert_int_equal(info->delim, '|');
	assert_int_equal(mapping_bind(m, &h, "members.csv", &err), 0);
	/* why: a target's columns are its [fields] in file order */
	assert_int_equal(mapping_n_out(m), 5);
	assert_string_equal(mapping_out_name(m, 0), "会员号");
	assert_string_equal(mapping_out_name(m, 4), "性别");
	record_init(&in);
	record_init(&out);
	buf_init(&issues, 1024);
	buf_init(&got, BUF_NOLIMIT);
	for (int i = 0; i < CF_COUNT + 1; i++)
		record_add(&in, "", 0);
	record_set(&in, CF_SOURCE, "POS", 3);
	record_set(&in, CF_SOURCE_ID, "1001", 4);
	record_set(&in, CF_NAME, "Zhang Wei", 9);
	record_set(&in, CF_MOBILE, "+8613812345678", 14);
	record_set(&in, CF_GENDER, "X", 1);
	assert_int_equal(mapping_apply(m, &in, &out, &issues), 0);
	describe(m, &out, &issues, &got);
	assert_string_equal(got.p, "会员号=1001;姓名=ZHANG WEI;"
				   "手机=+8613812345678;来源=POS-1001;"
				   "性别=未知;|");
	mapping_free(m);
	remove_map(NULL);
	/* why: a target without [fields] passes every column through, with
	 * the defaults csv and table members */
	m = mapping_load(write_map("[target]\n"), &err);
	assert_non_null(m);
	info = mapping_info(m);
	assert_string_equal(info->format, "csv");
	assert_string_equal(info->table, "members");
	assert_string_equal(info->name, "target");
	assert_int_equal(mapping_bind(m, &h, "members.csv", &err), 0);
	assert_int_equal(mapping_n_out(m), CF_COUNT + 1);
	assert_string_equal(mapping_out_name(m, CF_COUNT), "_issues");
	assert_int_equal(mapping_apply(m, &in, &out, &issues), 0);
	assert_int_equal(out.n, CF_COUNT + 1);
	assert_true(sv_eqs(record_field(&out, CF_NAME), "Zhang Wei"));
	mapping_free(m);
	record_release(&in);
	record_release(&out);
	buf_release(&issues);
	buf_release(&got);
	header_release(&h);
}

/* null, concat_ws and [extra]: the mapping additions. */
static const char extra_map[] =
	"[source]\nname = web\nkey = id\n"
	"[fields]\n"
	"name = concat_ws(\" \", first, middle, last)\n"
	"mobile = phone | null\n"
	"email = mail | null(none, \"--\")\n"
	"birth_date = dob | null | date(%Y-%m-%d)\n"
	"address = concat_ws(\", \", street, \"\", city)\n"
	"[extra]\n"
	"occupation = job | null | trim\n";

static const char *const extra_cols[] = {
	"id", "first", "middle", "last", "phone", "mail", "dob", "job",
	"street", "city", NULL,
};

static const struct {
	const char *in[11];
	const char *want, *why;
} extra_cases[] = {
	{ { "1", "Ann", "", "Lee", "NA", "a@b.cn", "NULL", " nurse ", "",
	    "", NULL },
	  "name=Ann Lee;email=a@b.cn;occupation=nurse;|",
	  "an empty middle name skipped with its space; NA and NULL empty" },
	{ { "2", "", " ", "Smith", "N/A", "none", "1980-01-02", "-", "1 Rd",
	    "Leeds", NULL },
	  "name=Smith;birth_date=1980-01-02;address=1 Rd, Leeds;|",
	  "blank parts skipped; a listed word (none) empty; - empty" },
	{ { "3", "Bob", "", "", "１３８１２３４５６７８", "--", "",
	    "#n/a", "", "", NULL },
	  "name=Bob;mobile=１３８１２３４５６７８;|",
	  "a value is not null; any case of #N/A is; -- from the list" },
	{ { "4", "", "", "", "无", "NA", "n/a", "空", "", "", NULL },
	  "email=NA;|",
	  "the Chinese placeholders are null; null(...) with words checks "
	  "only those" },
};

/* The non-empty output fields after source_row (canonical and extra)
 * as "name=value;", then "|" and issues. */
static void describe_extra(const struct mapping *m, const struct record *out,
			   const struct buf *issues, struct buf *got)
{
	buf_reset(got);
	assert_int_equal(out->n, mapping_n_out(m) + mapping_n_extra(m));
	for (size_t i = CF_SOURCE_ROW + 1; i < out->n; i++) {
		struct strview v = record_field(out, i);
		const char *name = i < mapping_n_out(m)
					   ? mapping_out_name(m, i)
					   : mapping_extra_name(
						     m, i - mapping_n_out(m));

		if (v.len)
			buf_addf(got, "%s=%.*s;", name, (int)v.len, v.p);
	}
	buf_addf(got, "|%s", issues->p);
}

static void test_mapping_extra(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct mapping *m = mapping_load(write_map(extra_map), &err);
	struct record in, out;
	struct buf issues, got;
	struct header h;

	(void)state;
	if (!m)
		fail_msg("%s", err.msg);
	make_header(&h, extra_cols);
	assert_int_equal(mapping_bind(m, &h, "web.csv", &err), 0);
	assert_int_equal(mapping_n_extra(m), 1);
	assert_string_equal(mapping_extra_name(m, 0), "occupation");
	record_init(&in);
	record_init(&out);
	buf_init(&issues, 1024);
	buf_init(&got, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(extra_cases) / sizeof(extra_cases[0]);
	     i++) {
		make_record(&in, extra_cases[i].in, 2);
		buf_reset(&issues);
		assert_true(mapping_apply(m, &in, &out, &issues) >= 0);
		describe_extra(m, &out, &issues, &got);
		if (strcmp(got.p, extra_cases[i].want))
			fail_msg("%s:\n got %s\nwant %s", extra_cases[i].why,
				 got.p, extra_cases[i].want);
	}
	buf_release(&got);
	buf_release(&issues);
	record_release(&in);
	record_release(&out);
	header_release(&h);
	mapping_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mapping_source, remove_map),
		cmocka_unit_test_teardown(test_mapping_defaults, remove_map),
		cmocka_unit_test_teardown(test_mapping_errors, remove_map),
		cmocka_unit_test_teardown(test_mapping_bind, remove_map),
		cmocka_unit_test_teardown(test_mapping_target, remove_map),
		cmocka_unit_test_teardown(test_mapping_extra, remove_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
