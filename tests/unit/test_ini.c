/*
 * test_ini: the reader every user file goes through: sections, comments,
 * quoting, BOM, every error with its file:line, and the value splitters
 * (pipelines and calls with nested parentheses and quotes).
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

#include "ini.h"

/* Entries are written "section/key=value@line;" one after another. */
static void describe(const struct ini *ini, struct buf *out)
{
	for (size_t i = 0; i < ini->n; i++)
		buf_addf(out, "%s/%s=%s@%u;", ini->e[i].section, ini->e[i].key,
			 ini->e[i].value, ini->e[i].line);
}

static const struct {
	const char *text;
	size_t len;	/* 0: strlen(text) */
	const char *want;	/* entries, or the error message */
	const char *why;
} parse_cases[] = {
	{ "", 0, "", "empty file" },
	{ "\n\n  \n", 0, "", "only blank lines" },
	{ "a=1", 0, "/a=1@1;", "no section, no newline at the end" },
	{ "[s]\na = 1\nb=2\n", 0, "s/a=1@2;s/b=2@3;", "one section" },
	{ "a = 0\n[x]\nb = 1\n[y]\nb = 2\n", 0,
	  "/a=0@1;x/b=1@3;y/b=2@5;", "entries before and after sections" },
	{ "# comment\n\n[s] # after a section\n  # indented\nk = v\n", 0,
	  "s/k=v@5;", "comments and blank lines keep line numbers" },
	{ "k = v # note\n", 0, "/k=v@1;", "comment after a space" },
	{ "k = v\t# note\n", 0, "/k=v@1;", "comment after a tab" },
	{ "k = a#b\n", 0, "/k=a#b@1;", "# inside a word is kept" },
	{ "k = #x\n", 0, "/k=@1;", "the whole value is a comment" },
	{ "k = \"x # y\" # z\n", 0, "/k=\"x # y\"@1;",
	  "# inside quotes is kept, quotes stay for the caller" },
	{ "k = \"a \\\" # b\" # c\n", 0, "/k=\"a \\\" # b\"@1;",
	  "escaped quote does not end the quoted part" },
	{ "k = \"a \\\\\" # c\n", 0, "/k=\"a \\\\\"@1;",
	  "escaped backslash before the closing quote" },
	{ "\xef\xbb\xbf[s]\nk=v\n", 0, "s/k=v@2;", "UTF-8 BOM skipped" },
	{ "[s]\r\nk = v\r\n", 0, "s/k=v@2;", "CRLF line ends" },
	{ "手机 = 手机号码\n", 0, "/手机=手机号码@1;", "Chinese key and value" },
	{ "first name = x\n", 0, "/first name=x@1;", "key with a space" },
	{ "k =\n", 0, "/k=@1;", "empty value" },
	{ "k == v\n", 0, "/k== v@1;", "second = belongs to the value" },
	{ "url = http://x/?a=b\n", 0, "/url=http://x/?a=b@1;",
	  "= inside the value" },
	{ "[ s p ]\nk=v\n", 0, "s p/k=v@2;", "section name trimmed" },
	{ "\xe3\x80\x80k\xe3\x80\x80=\xe3\x80\x80v\xe3\x80\x80\n", 0, "/k=v@1;",
	  "ideographic spaces trimmed" },
	{ "k = v\nk = w\n", 0, "/k=v@1;/k=w@2;",
	  "duplicates kept in order (callers decide)" },
	{ "[abc\n", 0,
	  "t.ini:1: section header without ']' (expected [name])",
	  "unclosed section" },
	{ "[s]\n[ ]\n", 0, "t.ini:2: empty section name", "empty section" },
	{ "[s]#x\n", 0,
	  "t.ini:1: section header without ']' (expected [name])",
	  "# right after ] is not a comment" },
	{ "[s]\n\nfoo\n", 0, "t.ini:3: 'foo' has no '=' (expected key = value)",
	  "missing =" },
	{ "= v\n", 0,
	  "t.ini:1: empty key before '=' (expected key = value)",
	  "empty key" },
	{ "a=1\nb=\xff\n", 0,
	  "t.ini:2: invalid UTF-8 byte 0xFF at column 3 (save the file as UTF-8)",
	  "invalid UTF-8" },
	{ "a=1\n# \xd5\xc5\n", 0,
	  "t.ini:2: invalid UTF-8 byte 0xD5 at column 3 (save the file as UTF-8)",
	  "GB18030 text in a comment is still not UTF-8" },
	{ "a=1\nb=\xe5\xbc\n", 0,
	  "t.ini:2: invalid UTF-8 byte 0xE5 at column 3 (save the file as UTF-8)",
	  "cut sequence at the end of a line" },
	{ "a=1\nb=x\0y\n", 9, "t.ini:2: NUL byte (expected a text file)",
	  "NUL byte" },
	{ "\xef\xbb\xbf\xef\xbb\xbf" "a=1\n", 0,
	  "/\xef\xbb\xbf" "a=1@1;",
	  "a second BOM is text: part of the key, not white space" },
	{ "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"
	  "klmnopqrstuvwxyz\n", 0,
	  "t.ini:1: 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh' has no '=' (expected key = value)",
	  "a long line is cut to 60 bytes in the message" },
};

static void test_ini_parse(void **state)
{
	struct buf got;

	(void)state;
	buf_init(&got, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	     i++) {
		struct mbr_err err = MBR_ERR_INIT;
		struct ini ini;
		const char *t = parse_cases[i].text;
		size_t len = parse_cases[i].len;

		if (len == 0)
			len = strlen(t);
		buf_reset(&got);
		if (ini_parse(&ini, "t.ini", t, len, &err) < 0) {
			if (err.status != MBR_ECONFIG)
				fail_msg("%s: status %d", parse_cases[i].why,
					 err.status);
			buf_adds(&got, err.msg);
			/* why: a failed parse leaves nothing to release */
			assert_int_equal(ini.n, 0);
			assert_null(ini.path);
		} else {
			describe(&ini, &got);
			ini_release(&ini);
		}
		if (strcmp(got.p, parse_cases[i].want))
			fail_msg("%s:\n got '%s'\nwant '%s'",
				 parse_cases[i].why, got.p, parse_cases[i].want);
	}
	buf_release(&got);
}

static void test_ini_load(void **state)
{
	char path[] = "/tmp/test_ini_XXXXXX";
	struct mbr_err err = MBR_ERR_INIT;
	struct ini ini;
	const struct ini_entry *e;
	int fd;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[source]\nname = POS\n\n[fields]\nname = 姓名 | trim\n"
	      "mobile = 手机\nbad line\n",
	      f);
	fclose(f);
	/* why: the error names the real path and line */
	assert_int_equal(ini_load(&ini, path, &err), -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, ":7: 'bad line' has no '='"));
	f = fopen(path, "w");
	fputs("[source]\nname = POS\n\n[fields]\nname = 姓名 | trim\n", f);
	fclose(f);
	assert_int_equal(ini_load(&ini, path, &err), 0);
	assert_string_equal(ini.path, path);
	assert_int_equal(ini.n_sections, 2);
	assert_int_equal(ini.section_lines[1], 4);
	/* why: ini_get looks in the named section only */
	e = ini_get(&ini, "fields", "name");
	assert_non_null(e);
	assert_string_equal(e->value, "姓名 | trim");
	assert_int_equal(e->line, 5);
	e = ini_get(&ini, "source", "name");
	assert_non_null(e);
	assert_string_equal(e->value, "POS");
	assert_null(ini_get(&ini, "fields", "mobile"));
	assert_null(ini_get(&ini, "", "name"));
	/* why: ini_fail gives the file:line form every tool prints */
	assert_int_equal(ini_fail(&ini, 12, &err, "bad '%s'", "x"), -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	{
		char want[600];

		snprintf(want, sizeof(want), "%s:12: bad 'x'", path);
		assert_string_equal(err.msg, want);
	}
	ini_release(&ini);
	ini_release(&ini);
	unlink(path);
	/* why: a missing file is a configuration error naming it */
	assert_int_equal(ini_load(&ini, path, &err), -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_non_null(strstr(err.msg, path));
	ini_release(&ini);
}

static const struct {
	const char *in;
	char sep;
	int max;
	const char *want;	/* parts joined by '|' in brackets, or error */
	const char *why;
} split_cases[] = {
	{ "a | b | c", '|', 8, "[a][b][c]", "pipeline, parts trimmed" },
	{ "", '|', 8, "[]", "empty is one empty part" },
	{ "a,,b", ',', 8, "[a][][b]", "empty part in the middle" },
	{ "a,", ',', 8, "[a][]", "empty part at the end" },
	{ "f(a,b),c", ',', 8, "[f(a,b)][c]", "separator inside parentheses" },
	{ "f(g(a,b),c),d", ',', 8, "[f(g(a,b),c)][d]", "nested parentheses" },
	{ "\"a,b\",c", ',', 8, "[\"a,b\"][c]", "separator inside quotes" },
	{ "\"a\\\",b\",c", ',', 8, "[\"a\\\",b\"][c]", "escaped quote" },
	{ "\"(\",c", ',', 8, "[\"(\"][c]", "parenthesis inside quotes" },
	{ "map(a=\"x|y\") | trim", '|', 8, "[map(a=\"x|y\")][trim]",
	  "quoted separator inside a call" },
	{ "王 , 张", ',', 8, "[王][张]", "Han parts" },
	{ "a,b,c", ',', 2, "more than 2 parts in 'a,b,c'", "too many parts" },
	{ "a)", ',', 8, "unbalanced ')' in 'a)'", "unbalanced )" },
	{ "f(a,b", ',', 8, "missing ')' in 'f(a,b'", "unclosed (" },
	{ "\"abc", ',', 8, "unterminated '\"' in '\"abc'", "unclosed quote" },
	{ "\"abc\\", ',', 8, "unterminated '\"' in '\"abc\\'",
	  "backslash at the end inside quotes" },
	{ ")(", ',', 8, "unbalanced ')' in ')('", "close before open" },
};

static void test_ini_split(void **state)
{
	struct strview parts[8];
	struct buf got;

	(void)state;
	buf_init(&got, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]);
	     i++) {
		struct mbr_err err = MBR_ERR_INIT;
		int n = ini_split(sv(split_cases[i].in), split_cases[i].sep,
				  parts, (size_t)split_cases[i].max, &err);

		buf_reset(&got);
		if (n < 0) {
			assert_int_equal(err.status, MBR_ECONFIG);
			buf_adds(&got, err.msg);
		}
		for (int j = 0; j < n; j++)
			buf_addf(&got, "[%.*s]", (int)parts[j].len, parts[j].p);
		if (strcmp(got.p, split_cases[i].want))
			fail_msg("%s: got '%s'", split_cases[i].why, got.p);
	}
	buf_release(&got);
}

static const struct {
	const char *in;
	const char *want;	/* [name]{arg}{arg}..., or the error */
	int has_parens;
	const char *why;
} call_cases[] = {
	{ "trim", "[trim]", 0, "bare name" },
	{ "  upper  ", "[upper]", 0, "bare name trimmed" },
	{ "map(a=b, c=d, *=x)", "[map]{a=b}{c=d}{*=x}", 1, "map call" },
	{ " f ( a ) ", "[f]{a}", 1, "spaces around name and args" },
	{ "f()", "[f]", 1, "empty parentheses" },
	{ "f(   )", "[f]", 1, "only spaces inside" },
	{ "date(\"%Y, %m\", %d)", "[date]{\"%Y, %m\"}{%d}", 1,
	  "quoted argument with a comma" },
	{ "concat(a, f(b, c))", "[concat]{a}{f(b, c)}", 1,
	  "nested call stays one argument" },
	{ "concat(family, \" \", given)", "[concat]{family}{\" \"}{given}", 1,
	  "quoted space kept with its quotes" },
	{ "\"quoted (x)\"", "[\"quoted (x)\"]", 0,
	  "a quoted constant is not a call" },
	{ "手机(主)", "[手机]{主}", 1,
	  "Han name with parentheses parses as a call" },
	{ "()", "[]", 1, "no name" },
	{ "", "[]", 0, "empty" },
	{ "f(a", "'f(a' has text after ')' or no ')'", 0, "no )" },
	{ "f(a) x", "'f(a) x' has text after ')' or no ')'", 0,
	  "text after )" },
	{ "f(a))", "unbalanced ')' in 'a)'", 0, "one ) too many" },
	{ "f((a)", "missing ')' in '(a'", 0, "one ( too many" },
	{ "f(\"a)", "unterminated '\"' in '\"a'", 0, "quote opened inside" },
	{ "(", "'(' has text after ')' or no ')'", 0, "lone (" },
};

static void test_ini_parse_call(void **state)
{
	struct ini_call call;
	struct buf got;

	(void)state;
	buf_init(&got, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(call_cases) / sizeof(call_cases[0]);
	     i++) {
		struct mbr_err err = MBR_ERR_INIT;

		buf_reset(&got);
		if (ini_parse_call(sv(call_cases[i].in), &call, &err) < 0) {
			assert_int_equal(err.status, MBR_ECONFIG);
			buf_adds(&got, err.msg);
		} else {
			buf_addf(&got, "[%.*s]", (int)call.name.len,
				 call.name.p);
			for (size_t j = 0; j < call.n_args; j++)
				buf_addf(&got, "{%.*s}", (int)call.args[j].len,
					 call.args[j].p);
			if (call.has_parens != call_cases[i].has_parens)
				fail_msg("%s: has_parens %d", call_cases[i].why,
					 call.has_parens);
		}
		if (strcmp(got.p, call_cases[i].want))
			fail_msg("%s: got '%s'", call_cases[i].why, got.p);
	}
	buf_release(&got);
}

static void test_ini_call_limit(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct ini_call call;
	struct buf v;

	(void)state;
	buf_init(&v, BUF_NOLIMIT);
	buf_adds(&v, "f(");
	for (int i = 0; i < INI_MAX_ARGS; i++)
		buf_addf(&v, "%sa%d", i ? "," : "", i);
	buf_adds(&v, ")");
	/* why: exactly INI_MAX_ARGS arguments fit */
	assert_int_equal(ini_parse_call(buf_view(&v), &call, &err), 0);
	assert_int_equal(call.n_args, INI_MAX_ARGS);
	assert_true(sv_eqs(call.args[INI_MAX_ARGS - 1], "a63"));
	/* why: one more is an error, not an overflow */
	buf_truncate(&v, v.len - 1);
	buf_adds(&v, ",x)");
	assert_int_equal(ini_parse_call(buf_view(&v), &call, &err), -1);
	assert_non_null(strstr(err.msg, "more than 64 parts"));
	buf_release(&v);
}

static const struct {
	const char *in, *want, *why;
	int quoted;
} unquote_cases[] = {
	{ "abc", "abc", "unquoted stays as is", 0 },
	{ "\"abc\"", "abc", "quotes removed", 1 },
	{ "\"\"", "", "empty constant", 1 },
	{ "\" \"", " ", "a space constant", 1 },
	{ "\"a\\\"b\"", "a\"b", "escaped quote", 1 },
	{ "\"a\\\\b\"", "a\\b", "escaped backslash", 1 },
	{ "\"a\\tb\\nc\"", "a\tb\nc", "tab and newline escapes", 1 },
	{ "\"a\\qb\"", "aqb", "unknown escape gives the character", 1 },
	{ "\"x\\\"", "x\\", "backslash before the closing quote", 1 },
	{ "\"", "\"", "a lone quote is not quoted", 0 },
	{ "\"abc", "\"abc", "no closing quote: not quoted", 0 },
	{ "\"张伟\"", "张伟", "Han constant", 1 },
};

static void test_ini_unquote(void **state)
{
	struct buf got;

	(void)state;
	buf_init(&got, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(unquote_cases) / sizeof(unquote_cases[0]);
	     i++) {
		buf_reset(&got);
		assert_int_equal(ini_unquote(sv(unquote_cases[i].in), &got), 0);
		if (strcmp(got.p, unquote_cases[i].want))
			fail_msg("%s: got '%s'", unquote_cases[i].why, got.p);
		if (ini_is_quoted(sv(unquote_cases[i].in)) !=
		    unquote_cases[i].quoted)
			fail_msg("%s: ini_is_quoted", unquote_cases[i].why);
	}
	buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini_parse),
		cmocka_unit_test(test_ini_load),
		cmocka_unit_test(test_ini_split),
		cmocka_unit_test(test_ini_parse_call),
		cmocka_unit_test(test_ini_call_limit),
		cmocka_unit_test(test_ini_unquote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
