/*
 * test_survive: every survivorship rule with its ties, the defaults, value
 * comparison, and the rules file's error messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survive.h"

#define MAX_MEMBERS 8

/*
 * A case: rules text ("" = defaults), the field to look at, the members in
 * tie order as "source;source_id;field=value;field=value", the golden value
 * and the member it came from (-1: empty or a sum of several).
 */
struct apply_case {
	const char *rules, *field;
	const char *m[MAX_MEMBERS];
	const char *want;
	long from;
	const char *why;
};

#define R(x) "[fields]\n" x "\n"

static const struct apply_case apply_cases[] = {
	/* source_priority */
	{ R("name = source_priority(crm, pos)"), "name",
	  { "crm;1;name=", "pos;1;name=李四", "web;1;name=王五" },
	  "李四", 1, "priority: first listed source with a value" },
	{ R("name = source_priority(crm, pos)"), "name",
	  { "crm;2;name=张三", "crm;9;name=张叁", "pos;1;name=李四" },
	  "张三", 0, "priority: two records of one source, smaller id wins" },
	{ R("name = source_priority(crm)"), "name",
	  { "app;1;name=甲", "web;1;name=乙" }, "甲", 0,
	  "priority: no listed source, tie order decides" },
	{ R("name = source_priority(web, \"pos legacy\")"), "name",
	  { "app;1;name=甲", "pos legacy;1;name=乙" }, "乙", 1,
	  "priority: quoted source name with a space" },
	{ R("name = source_priority(crm)"), "name",
	  { "crm;1;name=  ", "pos;1;name=李四" }, "李四", 1,
	  "priority: white space only counts as empty" },
	{ R("name = source_priority(crm)"), "name",
	  { "CRM;1;name=甲", "crm;1;name=乙" }, "乙", 1,
	  "priority: source names are case-sensitive" },
	/* most_recent */
	{ R("mobile = most_recent(last_active_at)"), "mobile",
	  { "a;1;mobile=+8613800000001;last_active_at=2023-01-01",
	    "b;1;mobile=+8613800000002;last_active_at=2024-06-01",
	    "c;1;mobile=+8613800000003;last_active_at=2022-12-31" },
	  "+8613800000002", 1, "recent: latest date wins" },
	{ R("mobile = most_recent(last_active_at)"), "mobile",
	  { "a;1;mobile=1;last_active_at=2024-01-01T08:00:00+08:00",
	    "b;1;mobile=2;last_active_at=2024-01-01T01:00:00Z" },
	  "2", 1, "recent: offsets compare as instants (00:00Z < 01:00Z)" },
	{ R("mobile = most_recent(last_active_at)"), "mobile",
	  { "a;1;mobile=1;last_active_at=2024-01-01T00:00:00Z",
	    "b;1;mobile=2;last_active_at=2024-01-01T08:00:00+08:00" },
	  "1", 0, "recent: the same instant is a tie: tie order" },
	{ R("mobile = most_recent(last_active_at)"), "mobile",
	  { "a;1;mobile=1;last_active_at=2024-01-01T00:00:00.5Z",
	    "b;1;mobile=2;last_active_at=2024-01-01T00:00:00.25Z" },
	  "1", 0, "recent: fractions of a second" },
	{ R("mobile = most_recent(last_active_at)"), "mobile",
	  { "a;1;mobile=1;last_active_at=",
	    "b;1;mobile=2;last_active_at=2001-01-01" },
	  "2", 1, "recent: an empty time is the oldest" },
	{ R("mobile = most_recent(last_active_at)"), "mobile",
	  { "a;1;mobile=1", "b;1;mobile=2" }, "1", 0,
	  "recent: no times at all: tie order" },
	{ R("mobile = most_recent(last_active_at)"), "mobile",
	  { "a;1;mobile=;last_active_at=2024-01-01",
	    "b;1;mobile=2;last_active_at=2001-01-01" },
	  "2", 1, "recent: the newest record has no value: skipped" },
	{ R("mobile = most_recent(last_active_at, registered_at)"), "mobile",
	  { "a;1;mobile=1;last_active_at=2024-01-01;registered_at=2010-01-01",
	    "b;1;mobile=2;last_active_at=2024-01-01;registered_at=2015-01-01" },
	  "2", 1, "recent: equal first field, second decides" },
	{ R("mobile = most_recent(last_active_at, registered_at)"), "mobile",
	  { "a;1;mobile=1;registered_at=2020-01-01",
	    "b;1;mobile=2;registered_at=2015-01-01" },
	  "1", 0, "recent: no last_active_at anywhere, registered_at decides" },
	/* most_frequent */
	{ R("gender = most_frequent"), "gender",
	  { "a;1;gender=F", "b;1;gender=M", "c;1;gender=M" }, "M", 1,
	  "frequent: majority; the first record holding it" },
	{ R("gender = most_frequent"), "gender",
	  { "a;1;gender=M", "b;1;gender=F", "c;1;gender=F", "d;1;gender=M" },
	  "M", 0, "frequent: equal counts: the value seen first in tie order" },
	{ R("gender = most_frequent"), "gender",
	  { "a;1;gender=", "b;1;gender=", "c;1;gender=F" }, "F", 2,
	  "frequent: empty values do not vote" },
	{ R("name = most_frequent"), "name",
	  { "a;1;name=ＺＨＡＮＧ", "b;1;name=ZHANG", "c;1;name=ＺＨＡＮＧ" },
	  "ＺＨＡＮＧ", 0, "frequent: full-width and ASCII are different bytes" },
	{ R("name = most_frequent"), "name",
	  { "a;1;name=\xff\xfe", "b;1;name=ok", "c;1;name=\xff\xfe" },
	  "\xff\xfe", 0, "frequent: invalid UTF-8 is compared as bytes" },
	/* most_complete */
	{ R("email = most_complete"), "email",
	  { "a;1;email=a@x.cn", "b;1;email=b@x.cn;name=王;city=上海" },
	  "b@x.cn", 1, "complete: the record with more fields" },
	{ R("email = most_complete"), "email",
	  { "a;1;email=a@x.cn;city=京", "b;1;email=b@x.cn;name=王" },
	  "a@x.cn", 0, "complete: equal counts: tie order" },
	{ R("email = most_complete"), "email",
	  { "a;1;email=;name=王;city=上海;phone=1", "b;1;email=b@x.cn" },
	  "b@x.cn", 1, "complete: the fullest record has no value" },
	/* longest */
	{ R("address = longest"), "address",
	  { "a;1;address=上海市徐汇区", "b;1;address=Shanghai Xuhui" },
	  "Shanghai Xuhui", 1, "longest: counts characters, not bytes" },
	{ R("address = longest"), "address",
	  { "a;1;address=北京", "b;1;address=上海" }, "北京", 0,
	  "longest: equal lengths: tie order" },
	{ R("address = longest"), "address",
	  { "a;1;address=abc   ", "b;1;address=abcd" }, "abcd", 1,
	  "longest: trailing spaces do not count" },
	/* first_non_empty */
	{ R("store = first_non_empty"), "store",
	  { "a;1;store=", "a;2;store=S02", "b;1;store=S01" }, "S02", 1,
	  "first: the first value in tie order" },
	{ R("store = first_non_empty"), "store",
	  { "a;1;store=", "b;1;store=" }, "", -1,
	  "first: all empty gives empty" },
	/* min, max */
	{ R("tier = max"), "tier",
	  { "a;1;tier=9", "b;1;tier=10", "c;1;tier=2" }, "10", 1,
	  "max: numbers, not text ('10' > '9')" },
	{ R("tier = max"), "tier",
	  { "a;1;tier=3", "b;1;tier=03" }, "3", 0,
	  "max: 3 and 03 are equal: tie order" },
	{ R("tier = min"), "tier",
	  { "a;1;tier=-1", "b;1;tier=-10", "c;1;tier=0" }, "-10", 1,
	  "min: negative numbers" },
	{ R("tier = min"), "tier",
	  { "a;1;tier=1.5", "b;1;tier=1.25" }, "1.25", 1,
	  "min: decimals" },
	{ R("registered_at = min"), "registered_at",
	  { "a;1;registered_at=2019-05-01", "b;1;registered_at=2018-12-31",
	    "c;1;registered_at=" },
	  "2018-12-31", 1, "min: dates; empty ignored" },
	{ R("registered_at = min"), "registered_at",
	  { "a;1;registered_at=2019-05-01T07:00:00+08:00",
	    "b;1;registered_at=2019-04-30T23:30:00Z" },
	  "2019-05-01T07:00:00+08:00", 0, "min: timestamps as instants" },
	{ R("store = max"), "store",
	  { "a;1;store=S9", "b;1;store=S10" }, "S9", 0,
	  "max: text compares as bytes" },
	{ R("tier = max"), "tier",
	  { "a;1;tier=", "b;1;tier=" }, "", -1, "max: all empty" },
	/* sum */
	{ R("points = sum"), "points",
	  { "a;1;points=100", "b;1;points=250", "c;1;points=-50" }, "300", -1,
	  "sum: several values, no single source" },
	{ R("points = sum"), "points",
	  { "a;1;points=", "b;1;points=0042" }, "42", 1,
	  "sum: one value: it names its record; leading zeros drop" },
	{ R("points = sum"), "points",
	  { "a;1;points=", "b;1;points=" }, "", -1,
	  "sum: no values gives empty, not 0" },
	{ R("points = sum"), "points",
	  { "a;1;points=9223372036854775800", "b;1;points=7" },
	  "9223372036854775807", -1, "sum: up to the 64-bit limit" },
	/* defaults */
	{ "", "points", { "a;1;points=10", "b;1;points=20" }, "30", -1,
	  "default: points are summed" },
	{ "", "tier", { "a;1;tier=2", "b;1;tier=4", "c;1;tier=3" }, "4", 1,
	  "default: highest tier" },
	{ "", "registered_at",
	  { "a;1;registered_at=2020-01-01", "b;1;registered_at=2012-03-04" },
	  "2012-03-04", 1, "default: earliest registration" },
	{ "", "mobile",
	  { "a;1;mobile=m1;last_active_at=2024-01-01;registered_at=2010-01-01",
	    "b;1;mobile=m2;last_active_at=2023-01-01;registered_at=2022-01-01" },
	  "m1", 0, "default: contact from the latest last_active_at" },
	{ "", "email",
	  { "a;1;email=e1;registered_at=2010-01-01",
	    "b;1;email=e2;registered_at=2022-01-01" },
	  "e2", 1, "default: contact falls back to registered_at" },
	{ "", "consent_marketing",
	  { "a;1;consent_marketing=Y;last_active_at=2020-01-01",
	    "b;1;consent_marketing=N;last_active_at=2024-01-01" },
	  "N", 1, "default: consent Y only if the latest answer says Y" },
	{ "", "consent_marketing",
	  { "a;1;consent_marketing=Y;last_active_at=2020-01-01",
	    "b;1;consent_marketing=;last_active_at=2024-01-01" },
	  "Y", 0, "default: a record without an answer does not count" },
	{ "", "consent_marketing",
	  { "a;1;consent_marketing=;last_active_at=2020-01-01",
	    "b;1;consent_marketing=;last_active_at=2024-01-01" },
	  "", -1, "default: nobody answered: empty, not N" },
	{ "", "name", { "a;1;name=王伟", "b;1;name=王伟", "c;1;name=汪伟" },
	  "王伟", 0, "default: name by majority" },
	{ R("# only a comment"), "last_active_at",
	  { "a;1;last_active_at=2020-01-01", "b;1;last_active_at=2021-01-01" },
	  "2021-01-01", 1, "default: latest activity" },
	{ "", "name", { "solo;1;name=  孤  " }, "孤", 0,
	  "one record: its trimmed value" },
	/* sound values first (issue 11) */
	{ "", "id_number",
	  { "a;1;id_number=4.40106E+17", "b;1;id_number=440106199001010013" },
	  "440106199001010013", 1,
	  "sound: a valid ID beats Excel's damage that comes first" },
	{ "", "id_number",
	  { "a;1;id_number=440106199001010014", "b;1;id_number=440106199001010013" },
	  "440106199001010013", 1, "sound: a wrong check digit is passed over" },
	{ "", "id_number",
	  { "a;1;id_type=PASSPORT;id_number=E12345678",
	    "b;1;id_number=440106199001010013" },
	  "E12345678", 0, "sound: a passport number has no GB 11643 check" },
	{ "", "mobile",
	  { "a;1;mobile=138 1234 5678;last_active_at=2024-01-01",
	    "b;1;mobile=+8613812345678;last_active_at=2020-01-01" },
	  "+8613812345678", 1,
	  "sound: an E.164 mobile beats a more recent raw one" },
	{ "", "email",
	  { "a;1;email=x@qq.con;_issues=email:domain qq.con",
	    "b;1;email=y@163.com" },
	  "y@163.com", 1, "sound: a value named in _issues is passed over" },
	{ "", "birth_date",
	  { "a;1;birth_date=1990-02-30", "b;1;birth_date=1990-03-02" },
	  "1990-03-02", 1, "sound: an impossible date is passed over" },
	{ "", "email",
	  { "a;1;email=bad", "b;1;email=worse;_issues=email:no @" }, "bad", 0,
	  "sound: every value doubtful, the rule decides among them" },
	{ "", "tier", { "a;1;tier=gold", "b;1;tier=2", "c;1;tier=1" }, "2", 1,
	  "sound: max over integer tiers; a stray 'gold' loses (not as text)" },
	{ "", "points",
	  { "a;1;points=5;_issues=points:negative", "b;1;points=7" }, "12", -1,
	  "sound: sum counts flagged points too (points in = points out)" },
};

/* Fill m from a "source;id;field=value;..." spec, copying into store. */
static void member_parse(const char *spec, struct survive_member *m,
			 char *store)
{
	char *save = NULL, *tok;
	struct strview issues = svn("", 0);
	int n = 0;

	strcpy(store, spec);
	memset(m, 0, sizeof(*m));
	for (int f = 0; f < CF_COUNT; f++)
		m->f[f] = svn("", 0);
	for (tok = strtok_r(store, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save), n++) {
		char *eq = strchr(tok, '=');
		int f;

		if (n < 2) {
			m->f[n == 0 ? CF_SOURCE : CF_SOURCE_ID] = sv(tok);
			continue;
		}
		assert_non_null(eq);
		*eq = '\0';
		if (!strcmp(tok, "_issues")) {
			issues = sv(eq + 1);
			continue;
		}
		f = canon_lookup(sv(tok));
		assert_true(f >= 0);
		m->f[f] = sv(eq + 1);
	}
	m->doubtful = survive_doubtful(m, issues);
}

static void run_apply_case(const struct apply_case *c)
{
	struct survive_rules r;
	struct survive_member m[MAX_MEMBERS];
	static char store[MAX_MEMBERS][256];
	struct survive_golden g;
	struct mbr_err err = MBR_ERR_INIT;
	size_t n = 0;
	int f = canon_lookup(sv(c->field));

	survive_rules_init(&r);
	if (*c->rules &&
	    survive_rules_parse(&r, "t.ini", c->rules, strlen(c->rules),
				&err) < 0)
		fail_msg("%s: rules: %s", c->why, err.msg);
	while (n < MAX_MEMBERS && c->m[n]) {
		member_parse(c->m[n], &m[n], store[n]);
		n++;
	}
	survive_golden_init(&g);
	if (survive_apply(&r, m, n, &g, &err) < 0)
		fail_msg("%s: %s", c->why, err.msg);
	if (!sv_eqs(g.value[f], c->want) || g.from[f] != c->from)
		fail_msg("%s: got '%.*s' from %ld, want '%s' from %ld", c->why,
			 (int)g.value[f].len, g.value[f].p, g.from[f], c->want,
			 c->from);
	survive_golden_release(&g);
	survive_rules_release(&r);
}

static void test_apply(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(apply_cases) / sizeof(apply_cases[0]);
	     i++)
		run_apply_case(&apply_cases[i]);
}

/* Every default parses, and the defaults are what the header promises. */
static void test_defaults(void **state)
{
	struct survive_rules r;

	(void)state;
	survive_rules_init(&r);
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		if (!r.rule[f].text ||
		    strcmp(r.rule[f].text, survive_default_rule(f)))
			fail_msg("%s: default '%s' did not parse", canon_name(f),
				 survive_default_rule(f));
	}
	assert_int_equal(r.rule[CF_POINTS].kind, SURVIVE_SUM);
	assert_int_equal(r.rule[CF_TIER].kind, SURVIVE_MAX);
	assert_int_equal(r.rule[CF_REGISTERED_AT].kind, SURVIVE_MIN);
	assert_string_equal(r.rule[CF_CONSENT_MARKETING].text,
			    "most_recent(last_active_at, registered_at)");
	assert_string_equal(survive_default_rule(CF_SOURCE_ID), "");
	survive_rules_release(&r);
}

/* The spelling in lineage is canonical whatever the file wrote. */
static void test_rule_text(void **state)
{
	static const char text[] =
		"[fields]\n"
		"name = source_priority( crm ,\"pos legacy\",web )\n"
		"mobile = most_recent(last_active_at,registered_at)\n"
		"tier = max()\n";
	struct survive_rules r;
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	survive_rules_init(&r);
	assert_int_equal(survive_rules_parse(&r, "t.ini", text,
					     strlen(text), &err), 0);
	assert_string_equal(r.rule[CF_NAME].text,
			    "source_priority(crm, pos legacy, web)");
	assert_int_equal(r.rule[CF_NAME].n_sources, 3);
	assert_int_equal(r.rule[CF_NAME].line, 2);
	assert_string_equal(r.rule[CF_MOBILE].text,
			    "most_recent(last_active_at, registered_at)");
	assert_string_equal(r.rule[CF_TIER].text, "max");
	assert_int_equal(r.rule[CF_EMAIL].line, 0);
	survive_rules_release(&r);
}

static const struct {
	const char *text, *msg, *why;
} error_cases[] = {
	{ "[fields]\nname = best\n",
	  "r.ini:2: name: unknown rule 'best' (expected source_priority(a, b), most_recent(field), most_frequent, most_complete, longest, first_non_empty, min, max or sum)",
	  "unknown rule" },
	{ "[fields]\n\nnickname = max\n",
	  "r.ini:3: unknown field 'nickname' (expected a canonical column such as mobile or points)",
	  "unknown field" },
	{ "[fields]\nsource_id = max\n",
	  "r.ini:2: 'source_id' identifies a record and takes no rule (expected a field from name to status)",
	  "identity field" },
	{ "[fields]\ntier = max\ntier = min\n",
	  "r.ini:3: 'tier' has a rule already at line 2 (expected one rule per field)",
	  "a field twice" },
	{ "[rules]\ntier = max\n",
	  "r.ini:1: unknown section [rules] (expected [fields])",
	  "wrong section" },
	{ "tier = max\n",
	  "r.ini:1: 'tier' before any section (expected [fields] first)",
	  "no section" },
	{ "[fields]\ntier = max(3)\n", "r.ini:2: tier: max takes no arguments",
	  "arguments to a rule without any" },
	{ "[fields]\nname = source_priority\n",
	  "r.ini:2: name: source_priority takes 1 to 64 arguments (source names, best first)",
	  "priority without sources" },
	{ "[fields]\nname = source_priority()\n",
	  "r.ini:2: name: source_priority takes 1 to 64 arguments (source names, best first)",
	  "priority with empty parentheses" },
	{ "[fields]\nname = source_priority(crm, , pos)\n",
	  "r.ini:2: name: empty argument (expected a source name)",
	  "empty source" },
	{ "[fields]\nmobile = most_recent(updated)\n",
	  "r.ini:2: mobile: most_recent: unknown field 'updated' (expected a canonical column such as last_active_at)",
	  "most_recent by an unknown field" },
	{ "[fields]\nmobile = most_recent(a, b, c, d, e)\n",
	  "r.ini:2: mobile: most_recent takes 1 to 4 arguments (timestamp fields, e.g. last_active_at)",
	  "most_recent with too many fields" },
	{ "[fields]\nmobile = most_recent(last_active_at\n",
	  "r.ini:2: mobile: 'most_recent(last_active_at' has text after ')' or no ')'",
	  "missing parenthesis" },
	{ "[fields]\nname = source_priority(\"crm)\n",
	  "r.ini:2: name: unterminated '\"' in '\"crm'",
	  "unterminated quote" },
	{ "[fields]\nname = \xff\n",
	  "r.ini:2: invalid UTF-8 byte 0xFF at column 8 (save the file as UTF-8)",
	  "invalid UTF-8 in the file" },
	{ "[fields]\nname\n",
	  "r.ini:2: 'name' has no '=' (expected key = value)", "no '='" },
	{ "[fields]\nname = \n",
	  "r.ini:2: name: unknown rule '' (expected source_priority(a, b), most_recent(field), most_frequent, most_complete, longest, first_non_empty, min, max or sum)",
	  "empty rule" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		struct survive_rules r;
		struct mbr_err err = MBR_ERR_INIT;
		const char *t = error_cases[i].text;

		survive_rules_init(&r);
		if (survive_rules_parse(&r, "r.ini", t, strlen(t), &err) == 0)
			fail_msg("%s: parsed", error_cases[i].why);
		if (err.status != MBR_ECONFIG ||
		    strcmp(err.msg, error_cases[i].msg))
			fail_msg("%s: got '%s'", error_cases[i].why, err.msg);
		/* On error the rules are untouched: still the defaults. */
		assert_string_equal(r.rule[CF_TIER].text, "max");
		survive_rules_release(&r);
	}
}

static void test_load_missing(void **state)
{
	struct survive_rules r;
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	survive_rules_init(&r);
	assert_int_equal(survive_rules_load(&r, "/nonexistent/s.ini", &err),
			 -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_non_null(strstr(err.msg, "cannot open '/nonexistent/s.ini'"));
	survive_rules_release(&r);
}

static const struct {
	const char *a, *b;
	int want;
	const char *why;
} cmp_cases[] = {
	{ "10", "9", 1, "integers as numbers" },
	{ "-10", "-9", -1, "negative integers" },
	{ "-0", "0", 0, "minus zero is zero" },
	{ "007", "7", 0, "leading zeros" },
	{ "1.50", "1.5", 0, "trailing fraction zeros" },
	{ "0.1", ".2", -1, "a fraction without integer digits" },
	{ "+3", "3", 0, "explicit plus" },
	{ "99999999999999999999999", "1e3", 1, "beyond 64 bits vs text" },
	{ "123456789012345678901234", "123456789012345678901235", -1,
	  "long numbers compare exactly" },
	{ "2024-02-29", "2024-03-01", -1, "dates" },
	{ "2024-01-01", "2023-12-31T23:59:59-01:00", -1,
	  "a date is midnight UTC; the other is 00:59 UTC" },
	{ "2024-01-01 08:00", "2024-01-01T08:00:00", 0,
	  "space or T, seconds optional" },
	{ "2024-01-01T08:00:00+0800", "2024-01-01T00:00:00Z", 0,
	  "offset without colon" },
	{ "2024-01-01T08:00:00+08", "2024-01-01T00:00:00Z", 0,
	  "offset hours only" },
	{ "1969-12-31", "1970-01-01", -1, "before the epoch" },
	{ "2024-13-01", "2024-02-01", 1, "month 13 makes it text: '1' > '0'" },
	{ "2024-01-01T25:00", "2024-01-01", 1, "hour 25 makes it text" },
	{ "", "a", -1, "empty is smallest as text" },
	{ "abc", "abd", -1, "text" },
	{ "ab", "abc", -1, "prefix is smaller" },
	{ "张", "李", -1, "UTF-8 bytes: U+5F20 < U+674E" },
	{ "\xff", "z", 1, "invalid UTF-8 compares as bytes" },
	{ "１０", "９", -1, "full-width digits are text (EF BC 91 < EF BC 99)" },
	{ " 10 ", "9", 1, "surrounding spaces are trimmed" },
};

static void test_cmp(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cmp_cases) / sizeof(cmp_cases[0]); i++) {
		int c = survive_cmp(sv(cmp_cases[i].a), sv(cmp_cases[i].b));
		int r = survive_cmp(sv(cmp_cases[i].b), sv(cmp_cases[i].a));

		c = (c > 0) - (c < 0);
		r = (r > 0) - (r < 0);
		if (c != cmp_cases[i].want || r != -cmp_cases[i].want)
			fail_msg("%s: got %d/%d", cmp_cases[i].why, c, r);
	}
}

static const struct {
	const char *in;
	int rc;
	long long want;
	const char *why;
} int_cases[] = {
	{ "0", 0, 0, "zero" },
	{ "-5", 0, -5, "negative" },
	{ "+5", 0, 5, "plus" },
	{ "9223372036854775807", 0, 9223372036854775807LL, "max" },
	{ "-9223372036854775808", 0, -9223372036854775807LL - 1, "min" },
	{ "9223372036854775808", -1, 0, "one past max" },
	{ "-9223372036854775809", -1, 0, "one past min" },
	{ "99999999999999999999", -1, 0, "far too big" },
	{ "", -1, 0, "empty" },
	{ "-", -1, 0, "sign only" },
	{ "1.0", -1, 0, "a decimal" },
	{ "1,000", -1, 0, "thousands separator" },
	{ " 1", -1, 0, "space (callers trim)" },
	{ "１", -1, 0, "full-width digit" },
	{ "0x10", -1, 0, "hex" },
};

static void test_parse_int(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++) {
		long long x = 0;
		int rc = survive_parse_int(sv(int_cases[i].in), &x);

		if (rc != int_cases[i].rc || (rc == 0 && x != int_cases[i].want))
			fail_msg("%s: got %d %lld", int_cases[i].why, rc, x);
	}
}

static void test_check_and_overflow(void **state)
{
	struct survive_rules r;
	struct survive_member m[2];
	char store[2][256];
	struct survive_golden g;
	struct mbr_err err = MBR_ERR_INIT;
	const char *why;

	(void)state;
	survive_rules_init(&r);
	member_parse("a;1;points=12;tier=x", &m[0], store[0]);
	assert_int_equal(survive_check(&r, &m[0], &why), -1);
	member_parse("a;1;points=1.5", &m[0], store[0]);
	assert_int_equal(survive_check(&r, &m[0], &why), CF_POINTS);
	assert_string_equal(why, "not an integer");
	member_parse("a;1;points= 7 ", &m[0], store[0]);
	assert_int_equal(survive_check(&r, &m[0], &why), -1);
	/* issue 18: an int64's maximum is a sentinel, not points */
	member_parse("a;1;points=9223372036854775807", &m[0], store[0]);
	assert_int_equal(survive_check(&r, &m[0], &why), CF_POINTS);
	assert_string_equal(why, "out of range (beyond 10^12 either way)");
	member_parse("a;1;points=-1000000000000", &m[0], store[0]);
	assert_int_equal(survive_check(&r, &m[0], &why), -1);

	/* Values survive_check takes never overflow a sum: 128 bits. */
	member_parse("a;1;points=9223372036854775807", &m[0], store[0]);
	member_parse("b;1;points=9223372036854775807", &m[1], store[1]);
	survive_golden_init(&g);
	assert_int_equal(survive_apply(&r, m, 2, &g, &err), 0);
	assert_true(sv_eqs(g.value[CF_POINTS], "18446744073709551614"));
	survive_golden_release(&g);
	survive_rules_release(&r);
}

static void test_sum_text(void **state)
{
	static const char *const good[] = {
		"0", "-1", "1000000000000", "-9223372036854775808",
		"99999999999999999999999999999999999999", /* 38 digits */
	};
	static const char *const bad[] = {
		"", "-", "1x", "+", "999999999999999999999999999999999999999",
	};
	survive_sum x;
	char out[48];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		assert_int_equal(survive_parse_sum(sv(good[i]), &x), 0);
		assert_string_equal(survive_sum_str(x, out), good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(survive_parse_sum(sv(bad[i]), &x), -1);
}

/* A cluster far larger than any real one: most_frequent sorts, and the
 * scratch space grows and is reused. */
static void test_large_cluster(void **state)
{
	enum { N = 5000 };
	struct survive_rules r;
	struct survive_member *m = calloc(N, sizeof(*m));
	char (*ids)[16] = calloc(N, 16);
	struct survive_golden g;
	struct mbr_err err = MBR_ERR_INIT;
	static const char text[] = "[fields]\nname = most_frequent\n";

	(void)state;
	survive_rules_init(&r);
	assert_int_equal(survive_rules_parse(&r, "t", text, strlen(text),
					     &err), 0);
	for (size_t i = 0; i < N; i++) {
		snprintf(ids[i], 16, "%06zu", i);
		for (int f = 0; f < CF_COUNT; f++)
			m[i].f[f] = svn("", 0);
		m[i].f[CF_SOURCE] = sv("s");
		m[i].f[CF_SOURCE_ID] = sv(ids[i]);
		m[i].f[CF_NAME] = sv(i % 3 == 2 ? "B" : i % 3 ? "A" : "C");
		m[i].f[CF_POINTS] = sv("1");
	}
	survive_golden_init(&g);
	assert_int_equal(survive_apply(&r, m, 10, &g, &err), 0);
	assert_int_equal(survive_apply(&r, m, N, &g, &err), 0);
	/* 5000 = 1667 C (0, 3, ...) + 1667 A + 1666 B */
	assert_true(sv_eqs(g.value[CF_NAME], "C"));
	assert_int_equal(g.from[CF_NAME], 0);
	assert_true(sv_eqs(g.value[CF_POINTS], "5000"));
	survive_golden_release(&g);
	survive_rules_release(&r);
	free(ids);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rule_text),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_check_and_overflow),
		cmocka_unit_test(test_large_cluster),
		cmocka_unit_test(test_sum_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
