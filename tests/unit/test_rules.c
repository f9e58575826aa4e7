#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "mappers/date.h"
#include "record.h"
#include "rules.h"

/*
 * Mistakes in a rules file: each names the file and line and says what
 * was expected.
 */
static const struct {
	const char *text, *want, *why;
} mistakes[] = {
	{ "[rule a]\nfield = mobile\npatern = x\n",
	  "t.ini:3: unknown key 'patern' in rule 'a' (expected field, "
	  "required, pattern, enum, range, length, check, compare, unique, "
	  "when, severity or message)", "misspelt key" },
	{ "[rule a]\nfield = mobile\npattern = [0-9\n",
	  "t.ini:3: bad pattern '[0-9': missing terminating ] for character "
	  "class at offset 4", "bad regex, with PCRE2's offset" },
	{ "[rule a]\nfield = name\npattern = (\\p{Han}+\n",
	  "t.ini:3: bad pattern '(\\p{Han}+': missing closing parenthesis "
	  "at offset 9", "unclosed group" },
	{ "[rule a]\nfield = points\nrange = 5\n",
	  "t.ini:3: bad range '5' (expected MIN .. MAX, e.g. 0 .. 100000 or "
	  "1900-01-01 .. today; either end may be left out)",
	  "range without .." },
	{ "[rule a]\nfield = points\nrange = 0 .. lots\n",
	  "t.ini:3: bad range bound 'lots' (expected a number, a date "
	  "YYYY-MM-DD or today)", "range bound not a number" },
	{ "[rule a]\nfield = birth_date\nrange = 1900-02-30 .. today\n",
	  "t.ini:3: bad range bound '1900-02-30' (expected a number, a date "
	  "YYYY-MM-DD or today)", "no such date" },
	{ "[rule a]\nfield = points\nrange = 0 .. today\n",
	  "t.ini:3: range '0 .. today' mixes a number and a date",
	  "number against date" },
	{ "[rule a]\nfield = points\nrange = 10 .. 1\n",
	  "t.ini:3: range '10 .. 1' is empty (MIN is after MAX)",
	  "bounds swapped" },
	{ "[rule a]\nfield = birth_date\nrange = 2030-01-01 .. 2020-01-01\n",
	  "t.ini:3: range '2030-01-01 .. 2020-01-01' is empty (MIN is after "
	  "MAX)", "dates swapped" },
	{ "[rule a]\nfield = points\nrange = ..\n",
	  "t.ini:3: '..' has no bound (expected MIN .. MAX, either end may be "
	  "left out)", "both ends open" },
	{ "[rule a]\nfield = last_active_at\nrange = today-3q ..\n",
	  "t.ini:3: bad range bound 'today-3q' (expected today, or today-N "
	  "or today+N with d, m or y, e.g. today-3y)", "relative date, bad "
	  "unit" },
	{ "[rule a]\nfield = last_active_at\nrange = today3y ..\n",
	  "t.ini:3: bad range bound 'today3y' (expected today, or today-N "
	  "or today+N with d, m or y, e.g. today-3y)", "relative date, no "
	  "sign" },
	{ "[rule a]\nfield = last_active_at\nrange = today-99999y ..\n",
	  "t.ini:3: bad range bound 'today-99999y' (expected today, or "
	  "today-N or today+N with d, m or y, e.g. today-3y)",
	  "relative date before year 1" },
	{ "[rule a]\nfield = points\nrange = 1,000 .. 2,000\n",
	  "t.ini:3: bad range bound '1,000' (expected a number, a date "
	  "YYYY-MM-DD or today)", "thousands separator" },
	{ "[rule a]\nfield = name\nlength = -1\n",
	  "t.ini:3: bad length '-1' (expected a whole number of characters)",
	  "negative length" },
	{ "[rule a]\nfield = name\nlength = 2 .. 4.5\n",
	  "t.ini:3: bad length '4.5' (expected a whole number of characters)",
	  "fractional length" },
	{ "[rule a]\nfield = name\nlength = 1 .. 7.8e44\n",
	  "t.ini:3: bad length '7.8e44' (expected a whole number of "
	  "characters)",
	  "a length past long (found by fuzz_rules: the cast was undefined)" },
	{ "[rule a]\nfield = mobile\ncheck = regx\n",
	  "t.ini:3: unknown check 'regx' (expected cn_id, email, e164, mobile, "
	  "cn_mobile, date, timestamp or integer)", "unknown check" },
	{ "[rule a]\nfield = mobile\nrequired = yes\n\n[rule a]\n"
	  "field = email\nrequired = yes\n",
	  "t.ini:5: duplicate rule 'a' (first at line 1)", "duplicate rule" },
	{ "[rule a]\nfield mobile\nrequired = yes\n",
	  "t.ini:2: 'field mobile' has no '=' (expected key = value)",
	  "missing '='" },
	{ "[rule a]\nfield = mobile\nfield = email\nrequired = yes\n",
	  "t.ini:3: duplicate key 'field' in rule 'a' (first at line 2)",
	  "duplicate key" },
	{ "[rule a]\nfield = mobile\nrequired = yes\ncheck = mobile\n",
	  "t.ini:4: rule 'a' has a second test 'check' (it has 'required' at "
	  "line 3: write one test per rule)", "two tests in one rule" },
	{ "[rule a]\nfield = mobile\nseverity = flag\n",
	  "t.ini:1: rule 'a' has no test (expected one of required, pattern, "
	  "enum, range, length, check, compare or unique)", "no test" },
	{ "# nothing\n[rule a]\n",
	  "t.ini:2: rule 'a' has no test (expected one of required, pattern, "
	  "enum, range, length, check, compare or unique)", "empty rule" },
	{ "[rule a]\ncheck = mobile\n",
	  "t.ini:1: rule 'a' has no field (expected field = NAME)",
	  "no field" },
	{ "[rule a]\nfield = source_id\nunique = source, source_id\n",
	  "t.ini:2: rule 'a': unique names its own fields (remove 'field')",
	  "field with unique" },
	{ "[rule a]\nfield = x\ncompare = a >= b\n",
	  "t.ini:2: rule 'a': compare names its own fields (remove 'field')",
	  "field with compare" },
	{ "[fields]\nmobile = x\n",
	  "t.ini:1: unknown section '[fields]' (expected [rule NAME])",
	  "a mapping file given as rules" },
	{ "[rules a]\nfield = x\nrequired = yes\n",
	  "t.ini:1: unknown section '[rules a]' (expected [rule NAME])",
	  "rules, not rule" },
	{ "[rule]\nfield = x\nrequired = yes\n",
	  "t.ini:1: rule without a name (expected [rule NAME])", "no name" },
	{ "[rule mobile format]\nfield = x\nrequired = yes\n",
	  "t.ini:1: bad rule name 'mobile format' (expected letters, digits, "
	  "'_', '-' or '.')", "space in the name" },
	{ "[rule 手机]\nfield = x\nrequired = yes\n",
	  "t.ini:1: bad rule name '手机' (expected letters, digits, '_', '-' "
	  "or '.')", "Chinese rule name (reports want ASCII keys)" },
	{ "field = mobile\n[rule a]\nrequired = yes\n",
	  "t.ini:1: 'field' outside a rule (expected [rule NAME] first)",
	  "key before any section" },
	{ "[rule a]\nfield = x\nrequired = yes\nseverity = warn\n",
	  "t.ini:4: bad severity 'warn' (expected reject or flag)",
	  "bad severity" },
	{ "[rule a]\nfield = x\nrequired = yes\nseverity = Reject\n",
	  "t.ini:4: bad severity 'Reject' (expected reject or flag)",
	  "severity is lower case" },
	{ "[rule a]\nfield = x\nrequired = no\n",
	  "t.ini:3: bad value 'no' for required (expected yes; a rule that "
	  "requires nothing has no test)", "required = no" },
	{ "[rule a]\nfield = x\nrequired = yes\nmessage = bad; fix it\n",
	  "t.ini:4: message contains ';' (it separates reasons in the rejects "
	  "file: use ',')", "';' in a message" },
	{ "[rule a]\nfield = x\npattern =\n",
	  "t.ini:3: 'pattern' has no value", "empty pattern" },
	{ "[rule a]\nfield = x\nrequired = yes\nwhen = id_type is CN_RIC\n",
	  "t.ini:4: bad condition 'id_type is CN_RIC' (expected FIELD in (A, "
	  "B), FIELD not in (A, B), FIELD == A or FIELD != A)",
	  "bad when" },
	{ "[rule a]\nfield = x\nrequired = yes\nwhen = id_type in CN_RIC\n",
	  "t.ini:4: bad condition 'id_type in CN_RIC' (expected FIELD in (A, "
	  "B), FIELD not in (A, B), FIELD == A or FIELD != A)",
	  "in without parentheses" },
	{ "[rule a]\nfield = x\nrequired = yes\nwhen = id_type in ()\n",
	  "t.ini:4: bad condition 'id_type in ()' (expected FIELD in (A, "
	  "B), FIELD not in (A, B), FIELD == A or FIELD != A)",
	  "empty list" },
	{ "[rule a]\ncompare = birth_date\n",
	  "t.ini:2: bad compare 'birth_date' (expected FIELD OP VALUE with OP "
	  "one of == != < <= > >=, e.g. registered_at >= birth_date)",
	  "compare without operator" },
	{ "[rule a]\ncompare = points >=\n",
	  "t.ini:2: compare 'points >=' lacks a side (expected FIELD OP "
	  "VALUE)", "compare without right side" },
	{ "[rule a]\ncompare = 5 < points\n",
	  "t.ini:2: compare '5 < points' needs a field on the left (expected "
	  "FIELD OP VALUE)", "literal on the left" },
	{ "[rule a]\nfield = gender\nenum = M,,F\n",
	  "t.ini:3: empty item in 'M,,F' (write \"\" for the empty value)",
	  "empty enum item" },
	{ "[rule a]\nfield = gender\nenum = \"M, F\n",
	  "t.ini:3: unterminated '\"' in '\"M, F'", "unbalanced quote" },
	{ "[rule a]\nunique = source,,source_id\n",
	  "t.ini:2: empty field name in 'source,,source_id' (expected unique "
	  "= FIELD, FIELD...)", "empty key field" },
	{ "[rule a]\nfield = x\nrequired = yes\n[rule b\n",
	  "t.ini:4: section header without ']' (expected [name])",
	  "unclosed section" },
	{ "[rule a]\nfield = \xe6\x89\n",
	  "t.ini:2: invalid UTF-8 byte 0xE6 at column 9 (save the file as "
	  "UTF-8)", "file not in UTF-8" },
};

static void test_rules_mistakes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++) {
		struct mbr_err err = MBR_ERR_INIT;
		struct rules *rs;

		rs = rules_parse("t.ini", mistakes[i].text,
				 strlen(mistakes[i].text), &err);
		if (rs)
			fail_msg("%s: parsed", mistakes[i].why);
		if (err.status != MBR_ECONFIG ||
		    strcmp(err.msg, mistakes[i].want))
			fail_msg("%s: got \"%s\"", mistakes[i].why, err.msg);
	}
}

/* Fields are checked against the input's header when it is known. */
static const struct {
	const char *text, *want, *why;
} bind_mistakes[] = {
	{ "[rule a]\nfield = mobil\nrequired = yes\n",
	  "t.ini:2: unknown field 'mobil' (not a column of the input nor a "
	  "canonical column)", "misspelt field" },
	{ "[rule a]\nfield = mobile\nrequired = yes\nwhen = idtype == X\n",
	  "t.ini:4: unknown field 'idtype' (not a column of the input nor a "
	  "canonical column)", "misspelt field in when" },
	{ "[rule a]\ncompare = registered_at >= birthdate\n",
	  "t.ini:2: unknown field 'birthdate' (not a column of the input nor "
	  "a canonical column)", "misspelt field in compare" },
	{ "[rule a]\ncompare = birth_date == id_numbr.birth_date\n",
	  "t.ini:2: unknown field 'id_numbr' (not a column of the input nor "
	  "a canonical column)", "misspelt field before a derived part" },
	{ "[rule a]\nunique = source,\n  member_no\n",
	  "t.ini:3: 'member_no' has no '=' (expected key = value)",
	  "a list cannot continue on the next line" },
	{ "[rule a]\nunique = source, member_no\n",
	  "t.ini:2: unknown field 'member_no' (not a column of the input nor "
	  "a canonical column)", "unknown key field" },
};

static void test_rules_bind_mistakes(void **state)
{
	struct header h;

	(void)state;
	header_init(&h);
	th_header(&h, "source|source_id|mobile|vip_code");
	for (size_t i = 0; i < sizeof(bind_mistakes) / sizeof(bind_mistakes[0]);
	     i++) {
		struct mbr_err err = MBR_ERR_INIT;
		struct rules *rs;

		rs = rules_parse("t.ini", bind_mistakes[i].text,
				 strlen(bind_mistakes[i].text), &err);
		if (rs && rules_bind(rs, &h, &err) == 0)
			fail_msg("%s: bound", bind_mistakes[i].why);
		if (err.status != MBR_ECONFIG ||
		    strcmp(err.msg, bind_mistakes[i].want))
			fail_msg("%s: got \"%s\"", bind_mistakes[i].why,
				 err.msg);
		rules_free(rs);
	}
	header_release(&h);
}

/*
 * Each test on values. MBR_TODAY is 2024-06-30 (see main).
 * want: "field:reason" for each failure, ';'-joined; "" when it passes.
 */
#define ID_OK "11010519491231002X"	/* born 1949-12-31, female */
#define ID_M "440306198503071234"	/* born 1985-03-07, male */
#define ID_BAD "110105194912310021"	/* check digit should be X */

static const struct {
	const char *rule, *header, *row, *want, *why;
} cases[] = {
	/* required */
	{ "field = source_id\nrequired = yes", "source_id", "",
	  "source_id:missing", "empty" },
	{ "field = source_id\nrequired = yes", "source_id", "  ",
	  "source_id:missing", "blank" },
	{ "field = source_id\nrequired = yes", "source_id", "\xe3\x80\x80",
	  "source_id:missing", "ideographic space only" },
	{ "field = source_id\nrequired = yes", "source_id", "0", "",
	  "zero is a value" },
	{ "field = mobile\nrequired = yes", "source_id", "1",
	  "mobile:missing", "canonical column the input lacks reads empty" },
	{ "field = vip_code\nrequired = yes", "vip_code", "V1", "",
	  "a pass-through column" },
	/* pattern */
	{ "field = mobile\npattern = \\+861[3-9][0-9]{9}", "mobile",
	  "+8613812345678", "", "E.164 mainland mobile" },
	{ "field = mobile\npattern = \\+861[3-9][0-9]{9}", "mobile",
	  "+86138123456789", "mobile:does not match pattern",
	  "whole value must match" },
	{ "field = mobile\npattern = \\+861[3-9][0-9]{9}", "mobile", "",
	  "", "empty optional field passes" },
	{ "field = mobile\npattern = \\+861[3-9][0-9]{9}", "mobile",
	  "+86１３８12345678", "mobile:does not match pattern",
	  "full-width digits are not [0-9]" },
	{ "field = name\npattern = \\p{Han}{2,4}", "name", "张三丰", "",
	  "Han names" },
	{ "field = name\npattern = \\p{Han}{2,4}", "name", "张三 Smith",
	  "name:does not match pattern", "mixed scripts" },
	{ "field = code\npattern = \"a\\\"b # c\"", "code", "a\"b # c", "",
	  "quoted pattern keeps '#' and \\\" is a quote" },
	{ "field = code\npattern = [A-Z]\\d{2}", "code", "A12", "",
	  "unquoted backslash reaches PCRE2" },
	{ "field = code\npattern = .*", "code", "a\xff", "code:not valid UTF-8",
	  "invalid UTF-8 never matches" },
	/* enum */
	{ "field = gender\nenum = M, F", "gender", "F", "", "allowed" },
	{ "field = gender\nenum = M, F", "gender", "m",
	  "gender:not one of M, F", "case matters" },
	{ "field = gender\nenum = M, F", "gender", "Ｍ",
	  "gender:not one of M, F", "full-width M" },
	{ "field = gender\nenum = M, F", "gender", "男",
	  "gender:not one of M, F", "unmapped Chinese value" },
	{ "field = gender\nenum = M, F", "gender", "", "", "empty passes" },
	{ "field = city\nenum = \"Xi'an, Shaanxi\", Beijing", "city",
	  "Xi'an, Shaanxi", "", "quoted item with a comma" },
	/* range */
	{ "field = points\nrange = 0 .. 100", "points", "100", "",
	  "upper bound included" },
	{ "field = points\nrange = 0 .. 100", "points", "-1",
	  "points:out of range 0 .. 100", "below" },
	{ "field = points\nrange = 0 .. 100", "points", "100.5",
	  "points:out of range 0 .. 100", "just above" },
	{ "field = points\nrange = 0 .. 100", "points", "1e2",
	  "points:not a number", "exponent is not canonical" },
	{ "field = points\nrange = 0 .. 100", "points", " 5",
	  "points:not a number", "leading space" },
	{ "field = points\nrange = 0 .. 100", "points", "５",
	  "points:not a number", "full-width digit" },
	{ "field = points\nrange = 0 ..", "points", "99999999999", "",
	  "open upper end" },
	{ "field = points\nrange = 0 ..", "points", "-0.5",
	  "points:out of range 0 ..", "open upper end, below" },
	{ "field = points\nrange = .. -1", "points", "-1", "",
	  "open lower end" },
	{ "field = birth_date\nrange = 1900-01-01 .. today", "birth_date",
	  "2024-06-30", "", "today included" },
	{ "field = birth_date\nrange = 1900-01-01 .. today", "birth_date",
	  "2024-07-01", "birth_date:out of range 1900-01-01 .. today",
	  "tomorrow" },
	{ "field = birth_date\nrange = 1900-01-01 .. today", "birth_date",
	  "1899-12-31", "birth_date:out of range 1900-01-01 .. today",
	  "before 1900" },
	{ "field = birth_date\nrange = 1900-01-01 .. today", "birth_date",
	  "1985/03/07", "birth_date:not a date", "not canonical" },
	{ "field = last_active_at\nrange = 2000-01-01 .. today",
	  "last_active_at", "2024-06-30T23:59:59+08:00", "",
	  "timestamp compared by its date" },
	/* relative dates: today is 2024-06-30 */
	{ "field = last_active_at\nrange = today-3y ..", "last_active_at",
	  "2021-06-30T00:00:00+08:00", "", "dormant: exactly 3 years is not" },
	{ "field = last_active_at\nrange = today-3y ..", "last_active_at",
	  "2021-06-29T23:59:59+08:00",
	  "last_active_at:out of range today-3y ..", "dormant: a day more" },
	{ "field = last_active_at\nrange = today - 18 months ..",
	  "last_active_at", "2022-12-29", "last_active_at:out of range "
	  "today - 18 months ..", "months, with spaces" },
	{ "field = last_active_at\nrange = today - 18 months ..",
	  "last_active_at", "2022-12-30", "", "18 months to the day" },
	{ "field = last_active_at\nrange = today-4m ..", "last_active_at",
	  "2024-02-29", "", "June 30 less 4 months: February's last day" },
	{ "field = last_active_at\nrange = today-4m ..", "last_active_at",
	  "2024-02-28", "last_active_at:out of range today-4m ..",
	  "the day before it" },
	{ "field = registered_at\nrange = .. today+30d", "registered_at",
	  "2024-07-30", "", "days forward, across a month" },
	{ "field = registered_at\nrange = .. today+30d", "registered_at",
	  "2024-07-31", "registered_at:out of range .. today+30d",
	  "a day past" },
	{ "compare = last_active_at < today-1y", "last_active_at",
	  "2023-06-29", "", "compare: older than a year" },
	{ "compare = last_active_at < today-1y", "last_active_at",
	  "2023-06-30", "last_active_at:expected last_active_at < today-1y",
	  "compare: a year to the day" },
	/* length */
	{ "field = name\nlength = 2 .. 4", "name", "张三", "",
	  "characters, not bytes" },
	{ "field = name\nlength = 2 .. 4", "name", "张三丰李王",
	  "name:length outside 2 .. 4", "five characters" },
	{ "field = name\nlength = 2 .. 4", "name", "a",
	  "name:length outside 2 .. 4", "one character" },
	{ "field = postal_code\nlength = 6", "postal_code", "100000", "",
	  "exact length" },
	{ "field = postal_code\nlength = 6", "postal_code", "10000",
	  "postal_code:length is not 6", "exact length, one short" },
	/* check */
	{ "field = id_number\ncheck = cn_id", "id_number", ID_OK, "",
	  "valid ID with X" },
	{ "field = id_number\ncheck = cn_id", "id_number", ID_BAD,
	  "id_number:bad checksum", "wrong check digit" },
	{ "field = email\ncheck = email", "email", "li.lei@example.cn", "",
	  "email" },
	{ "field = email\ncheck = email", "email", "li.lei.example.cn",
	  "email:not an email address", "no @" },
	{ "field = phone\ncheck = e164", "phone", "+861012345678", "",
	  "landline in E.164" },
	{ "field = phone\ncheck = e164", "phone", "13812345678",
	  "phone:not an E.164 number", "no +" },
	{ "field = mobile\ncheck = mobile", "mobile", "+861012345678",
	  "mobile:not a mainland mobile number", "landline in mobile" },
	{ "field = mobile\ncheck = mobile", "mobile", "+85291234567", "",
	  "Hong Kong mobile" },
	{ "field = mobile\ncheck = cn_mobile", "mobile", "+85291234567",
	  "mobile:not a mainland mobile number", "cn_mobile is mainland only" },
	{ "field = birth_date\ncheck = date", "birth_date", "2024-02-29", "",
	  "leap day" },
	{ "field = birth_date\ncheck = date", "birth_date", "2023-02-29",
	  "birth_date:not a real date YYYY-MM-DD", "no leap day in 2023" },
	{ "field = registered_at\ncheck = timestamp", "registered_at",
	  "2024-01-05T10:00:00+08:00", "", "timestamp with zone" },
	{ "field = registered_at\ncheck = timestamp", "registered_at",
	  "2024-01-05", "", "a date is a timestamp" },
	{ "field = registered_at\ncheck = timestamp", "registered_at",
	  "2024-01-05 10:00", "registered_at:not a real ISO 8601 timestamp",
	  "not canonical" },
	{ "field = registered_at\ncheck = timestamp", "registered_at",
	  "2024-01-05T25:00:00", "registered_at:not a real ISO 8601 timestamp",
	  "hour 25" },
	{ "field = points\ncheck = integer", "points", "-12", "", "negative" },
	{ "field = points\ncheck = integer", "points", "1.5",
	  "points:not an integer", "decimal" },
	{ "field = points\ncheck = integer", "points", "-",
	  "points:not an integer", "sign alone" },
	{ "field = points\ncheck = integer", "points", "１２",
	  "points:not an integer", "full-width" },
	{ "field = points\ncheck = integer", "points",
	  "1234567890123456789", "points:not an integer", "19 digits" },
	/* compare */
	{ "compare = registered_at >= birth_date", "birth_date|registered_at",
	  "1985-03-07|2020-01-01T10:00:00+08:00", "", "registered later" },
	{ "compare = registered_at >= birth_date", "birth_date|registered_at",
	  "1985-03-07|1985-03-07T00:00:00", "", "registered on the birthday" },
	{ "compare = registered_at >= birth_date", "birth_date|registered_at",
	  "1985-03-07|1980-01-01",
	  "registered_at:expected registered_at >= birth_date",
	  "registered before birth" },
	{ "compare = registered_at >= birth_date", "birth_date|registered_at",
	  "|1980-01-01", "", "one side empty: skipped" },
	{ "compare = registered_at >= birth_date", "birth_date|registered_at",
	  "1985-03-07|yesterday", "", "a non-date: left to its own check" },
	{ "compare = birth_date == id_number.birth_date",
	  "birth_date|id_number", "1949-12-31|" ID_OK, "",
	  "birth date matches the ID" },
	{ "compare = birth_date = id_number.birth_date",
	  "birth_date|id_number", "1950-01-01|" ID_OK,
	  "birth_date:expected birth_date = id_number.birth_date",
	  "'=' is '=='" },
	{ "compare = birth_date == id_number.birth_date",
	  "birth_date|id_number", "1950-01-01|" ID_BAD, "",
	  "invalid ID: nothing to compare with" },
	{ "compare = gender == id_number.gender", "gender|id_number",
	  "F|" ID_OK, "", "even 17th digit: female" },
	{ "compare = gender == id_number.gender", "gender|id_number",
	  "F|" ID_M, "gender:expected gender == id_number.gender",
	  "odd 17th digit: male" },
	{ "compare = points <= 1000", "points", "999", "",
	  "number literal" },
	{ "compare = points <= 1000", "points", "1001",
	  "points:expected points <= 1000", "above the literal" },
	{ "compare = points <= 1000", "points", "abc", "points:not a number",
	  "non-number against a number" },
	{ "compare = birth_date < today", "birth_date", "2024-06-30",
	  "birth_date:expected birth_date < today", "today is not before "
	  "today" },
	{ "compare = birth_date < 2000-01-01", "birth_date", "x",
	  "birth_date:not a date", "non-date against a date" },
	{ "compare = channel != \"POS\"", "channel", "POS",
	  "channel:expected channel != \"POS\"", "quoted literal" },
	{ "compare = tier > points", "tier|points", "10|9", "",
	  "two number fields compare as numbers" },
	{ "compare = store < channel", "store|channel", "B|A",
	  "store:expected store < channel", "text compares as bytes" },
	/* when */
	{ "field = id_number\ncheck = cn_id\nwhen = id_type in (CN_RIC, \"\")",
	  "id_type|id_number", "PASSPORT|E12345678", "",
	  "not a resident ID: skipped" },
	{ "field = id_number\ncheck = cn_id\nwhen = id_type in (CN_RIC, \"\")",
	  "id_type|id_number", "|" ID_BAD, "id_number:bad checksum",
	  "empty type: checked" },
	{ "field = id_number\ncheck = cn_id\nwhen = id_type in (CN_RIC, \"\")",
	  "id_number", ID_BAD, "id_number:bad checksum",
	  "no id_type column: checked" },
	{ "field = id_number\ncheck = cn_id\nwhen = id_type != PASSPORT",
	  "id_type|id_number", "CN_RIC|" ID_BAD, "id_number:bad checksum",
	  "!=" },
	{ "field = id_number\ncheck = cn_id\nwhen = id_type not in (A, B)",
	  "id_type|id_number", "B|" ID_BAD, "", "not in" },
	{ "field = mobile\nrequired = yes\nwhen = channel == POS",
	  "channel|mobile", "WEB|", "", "condition false" },
	/* message */
	{ "field = mobile\ncheck = mobile\nmessage = \"bad mobile, call "
	  "the store\"", "mobile", "12345", "mobile:bad mobile, call the store",
	  "user's message" },
};

static void run_case(size_t i, struct record *rec, struct header *h)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct rule_failure f[8];
	struct buf text, got;
	struct rules *rs;
	size_t n;

	buf_init(&text, BUF_NOLIMIT);
	buf_init(&got, BUF_NOLIMIT);
	buf_addf(&text, "[rule r]\n%s\n", cases[i].rule);
	rs = rules_parse("t.ini", text.p, text.len, &err);
	if (!rs)
		fail_msg("%s: %s", cases[i].why, err.msg);
	th_header(h, cases[i].header);
	if (rules_bind(rs, h, &err) < 0)
		fail_msg("%s: %s", cases[i].why, err.msg);
	th_record(rec, cases[i].row);
	n = rules_check(rs, rec, f);
	for (size_t k = 0; k < n; k++)
		buf_addf(&got, "%s%s:%s", k ? ";" : "", f[k].field,
			 f[k].reason);
	if (strcmp(got.p, cases[i].want))
		fail_msg("%s: got \"%s\"", cases[i].why, got.p);
	rules_free(rs);
	buf_release(&text);
	buf_release(&got);
}

static void test_rules_cases(void **state)
{
	struct record rec;
	struct header h;

	(void)state;
	record_init(&rec);
	header_init(&h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(i, &rec, &h);
	record_release(&rec);
	header_release(&h);
}

/* Every failing rule is reported, in file order, with its counts. */
static void test_rules_all_failures(void **state)
{
	static const char text[] =
		"[rule a]\nfield = mobile\ncheck = mobile\nseverity = flag\n"
		"[rule b]\nfield = email\ncheck = email\n"
		"[rule c]\nfield = points\nrange = 0 ..\n";
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_parse("t.ini", text, strlen(text), &err);
	struct rule_failure f[3];
	struct record rec;
	struct header h;

	(void)state;
	assert_non_null(rs);
	assert_int_equal(rules_count(rs), 3);
	record_init(&rec);
	header_init(&h);
	th_header(&h, "mobile|email|points");
	assert_int_equal(rules_bind(rs, &h, &err), 0);
	th_record(&rec, "123|x|-5");
	assert_int_equal(rules_check(rs, &rec, f), 3);
	assert_int_equal(f[0].rule, 0);
	assert_int_equal(f[2].rule, 2);
	th_record(&rec, "|a@b.cn|");
	assert_int_equal(rules_check(rs, &rec, f), 0);
	assert_string_equal(rules_info(rs, 0)->name, "a");
	assert_int_equal(rules_info(rs, 0)->severity, RULE_FLAG);
	assert_int_equal(rules_info(rs, 1)->severity, RULE_REJECT);
	assert_string_equal(rules_info(rs, 1)->test, "check");
	assert_int_equal(rules_info(rs, 0)->n_checked, 1);
	assert_int_equal(rules_info(rs, 1)->n_checked, 2);
	assert_int_equal(rules_info(rs, 1)->n_failed, 1);
	record_release(&rec);
	header_release(&h);
	rules_free(rs);
}

/* unique: the first record that passes owns the key. */
static void test_rules_unique(void **state)
{
	static const char text[] = "[rule u]\nunique = source, source_id\n";
	static const struct {
		const char *row;
		size_t fails;
		int keep;
		const char *why;
	} rows[] = {
		{ "pos|1", 0, 1, "first" },
		{ "pos|2", 0, 1, "other id" },
		{ "web|1", 0, 1, "same id, other source" },
		{ "pos|1", 1, 0, "duplicate" },
		{ "ab|c", 0, 0, "checked but rejected for another reason" },
		{ "ab|c", 0, 1, "so the next one owns the key" },
		{ "a|bc", 0, 1, "same bytes, other split" },
		{ "ab|c", 1, 0, "now a duplicate" },
		{ "|1", 0, 1, "empty source: skipped" },
		{ "|1", 0, 1, "and again: skipped" },
		{ "pos|1 ", 0, 1, "trailing space is another key" },
	};
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_parse("t.ini", text, strlen(text), &err);
	struct rule_failure f[1];
	struct record rec;
	struct header h;

	(void)state;
	assert_non_null(rs);
	record_init(&rec);
	header_init(&h);
	th_header(&h, "source|source_id");
	assert_int_equal(rules_bind(rs, &h, &err), 0);
	assert_string_equal(rules_info(rs, 0)->field, "source+source_id");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		th_record(&rec, rows[i].row);
		if (rules_check(rs, &rec, f) != rows[i].fails)
			fail_msg("%s: wrong result", rows[i].why);
		if (rows[i].keep)
			rules_keep(rs);
	}
	/* A new bind is a new input: the keys are forgotten. */
	assert_int_equal(rules_bind(rs, &h, &err), 0);
	th_record(&rec, "pos|1");
	assert_int_equal(rules_check(rs, &rec, f), 0);
	record_release(&rec);
	header_release(&h);
	rules_free(rs);
}

/* Many keys: no false duplicate, every true one found, across growth. */
static void test_rules_unique_many(void **state)
{
	static const char text[] = "[rule u]\nunique = source_id\n";
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_parse("t.ini", text, strlen(text), &err);
	struct rule_failure f[1];
	struct record rec;
	struct header h;
	char id[32];
	size_t dups = 0;

	(void)state;
	record_init(&rec);
	header_init(&h);
	th_header(&h, "source_id");
	assert_int_equal(rules_bind(rs, &h, &err), 0);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 300000; i++) {
			snprintf(id, sizeof(id), "M%08d", i);
			th_record(&rec, id);
			dups += rules_check(rs, &rec, f);
			rules_keep(rs);
		}
		assert_int_equal(dups, pass ? 300000 : 0);
	}
	record_release(&rec);
	header_release(&h);
	rules_free(rs);
}

/* Check rec against both rule sets (one bounded, one not), keep its keys
 * in both when it passes, and return the bounded one's failures, which
 * must be the same, rule for rule. */
static size_t check_both(struct rules *small, struct rules *big,
			 const struct record *rec)
{
	struct rule_failure fs[2], fb[2];
	size_t ns = rules_check(small, rec, fs);
	size_t nb = rules_check(big, rec, fb);

	assert_int_equal(ns, nb);
	for (size_t k = 0; k < ns; k++)
		assert_int_equal(fs[k].rule, fb[k].rule);
	if (ns == 0) {
		rules_keep(small);
		rules_keep(big);
	}
	return ns;
}

/* A budget of 1 KiB: each set moves to the on-disk store every 767 keys.
 * Duplicates of keys in memory and on disk are found, a key checked but
 * not kept (its record failed) before a move still belongs to the next
 * record that passes, two unique rules move on their own, and the result
 * is the unbounded one's, record for record. */
static void test_rules_unique_spill(void **state)
{
	static const char text[] = "[rule id]\nunique = source, source_id\n"
				   "[rule mob]\nunique = mobile\n";
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *small = rules_parse("t.ini", text, strlen(text), &err);
	struct rules *big = rules_parse("t.ini", text, strlen(text), &err);
	struct rule_failure f[2];
	struct record rec;
	struct header h;
	char row[64];
	size_t fails = 0;

	(void)state;
	assert_non_null(small);
	assert_non_null(big);
	rules_set_memory(small, 1024);
	record_init(&rec);
	header_init(&h);
	th_header(&h, "source|source_id|mobile");
	assert_int_equal(rules_bind(small, &h, &err), 0);
	assert_int_equal(rules_bind(big, &h, &err), 0);

	/* The first key, then one checked but not kept (its record is
	 * taken as rejected), then thousands of others: both move to disk
	 * (the first) or were never kept (the second). */
	th_record(&rec, "pos|first|m-first");
	assert_int_equal(check_both(small, big, &rec), 0);
	th_record(&rec, "pos|first|m-lost");
	assert_int_equal(rules_check(small, &rec, f), 1); /* id: duplicate */
	assert_int_equal(rules_check(big, &rec, f), 1);
	for (int i = 0; i < 5000; i++) {
		/* Every 7th record repeats the id of record i/3, every 5th
		 * the mobile of record i/4: keys in memory and on disk. */
		snprintf(row, sizeof(row), "pos|%d|m%d",
			 10000 + (i % 7 == 6 ? i / 3 : i),
			 20000 + (i % 5 == 4 ? i / 4 : i));
		th_record(&rec, row);
		fails += check_both(small, big, &rec) > 0;
	}
	assert_true(fails > 1000);
	assert_int_equal(rules_status(small, &err), 0);

	/* The first key is on disk now; the lost mobile was never kept. */
	th_record(&rec, "pos|first|m-other");
	assert_int_equal(rules_check(small, &rec, f), 1);
	assert_int_equal(f[0].rule, 0);
	th_record(&rec, "pos|second|m-lost");
	assert_int_equal(check_both(small, big, &rec), 0);
	th_record(&rec, "pos|third|m-lost");
	assert_int_equal(rules_check(small, &rec, f), 1);
	assert_int_equal(f[0].rule, 1);
	assert_int_equal(rules_info(small, 0)->n_failed,
			 rules_info(big, 0)->n_failed + 1);

	/* A new bind is a new input: the store is forgotten too. */
	assert_int_equal(rules_bind(small, &h, &err), 0);
	th_record(&rec, "pos|first|m-first");
	assert_int_equal(rules_check(small, &rec, f), 0);
	record_release(&rec);
	header_release(&h);
	rules_free(small);
	rules_free(big);
}

/* Two source_ids whose unique keys have one 64-bit hash_bytes (found by
 * tests/unit/collide.c: ./collide 12345 $'pos\xff' $'\xff'): two keys, in
 * memory and after a move to disk; the true repeat is still one. */
static void test_rules_unique_collision(void **state)
{
	static const char text[] = "[rule id]\nunique = source, source_id\n";
	static const char a[] = "pos\xff"
				"d6b3709251aabf02\xff",
			  b[] = "pos\xff"
				"9bd76a3fda32416a\xff";
	struct mbr_err err = MBR_ERR_INIT;
	struct rule_failure f[1];
	struct record rec;
	struct header h;
	char row[32];

	(void)state;
	/* Still a collision: if hash_bytes changes, find another pair. */
	assert_true(hash_bytes(sv(a)) == hash_bytes(sv(b)));
	assert_true(hash_check(sv(a)) != hash_check(sv(b)));
	record_init(&rec);
	header_init(&h);
	th_header(&h, "source|source_id");
	for (int spill = 0; spill < 2; spill++) {
		struct rules *rs = rules_parse("t.ini", text, strlen(text), &err);

		assert_non_null(rs);
		if (spill)
			rules_set_memory(rs, 1024);
		assert_int_equal(rules_bind(rs, &h, &err), 0);
		th_record(&rec, "pos|d6b3709251aabf02");
		assert_int_equal(rules_check(rs, &rec, f), 0);
		rules_keep(rs);
		for (int i = 0; spill && i < 2000; i++) { /* a or on disk */
			snprintf(row, sizeof(row), "pos|F%d", i);
			th_record(&rec, row);
			assert_int_equal(rules_check(rs, &rec, f), 0);
			rules_keep(rs);
		}
		th_record(&rec, "pos|9bd76a3fda32416a");
		assert_int_equal(rules_check(rs, &rec, f), 0);
		rules_keep(rs);
		th_record(&rec, "pos|d6b3709251aabf02");
		assert_int_equal(rules_check(rs, &rec, f), 1);
		th_record(&rec, "pos|9bd76a3fda32416a");
		assert_int_equal(rules_check(rs, &rec, f), 1);
		assert_int_equal(rules_status(rs, &err), 0);
		rules_free(rs);
	}
	record_release(&rec);
	header_release(&h);
}

static void test_rules_default(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_default(&err);

	(void)state;
	if (!rs)
		fail_msg("%s", err.msg);
	assert_int_equal(rules_count(rs), 17);
	assert_string_equal(rules_info(rs, 0)->name, "source_id_required");
	assert_int_equal(rules_info(rs, 0)->severity, RULE_REJECT);
	rules_free(rs);
	rules_free(NULL);
}

/* mappings/rules.ini: parses, and holds the built-in rules unchanged
 * (same names, tests, fields and severities, in the same order). */
static void test_rules_example_file(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	const char *path = getenv("MBR_SRCDIR");
	struct rules *def = rules_default(&err), *ex;
	struct buf file;

	(void)state;
	buf_init(&file, BUF_NOLIMIT);
	buf_addf(&file, "%s/mappings/rules.ini", path ? path : ".");
	ex = rules_load(file.p, &err);
	if (!ex)
		fail_msg("%s", err.msg);
	assert_true(rules_count(ex) >= rules_count(def));
	for (size_t i = 0; i < rules_count(def); i++) {
		const struct rule_info *a = rules_info(def, i);
		const struct rule_info *b = rules_info(ex, i);

		if (strcmp(a->name, b->name) || strcmp(a->field, b->field) ||
		    strcmp(a->test, b->test) || a->severity != b->severity)
			fail_msg("rules.ini rule %zu '%s' differs from the "
				 "built-in '%s'", i + 1, b->name, a->name);
	}
	rules_free(def);
	rules_free(ex);
	buf_release(&file);
}

/* check = timestamp takes a fast path for the usual shape; it must agree
 * with timestamp_normalize ("canonical" = left as it is) on every value. */
static const char *const timestamps[] = {
	"2024-01-05T10:00:00", "2024-01-05T10:00:00+08:00",
	"2024-01-05T10:00:00-00:00", "2024-01-05T10:00:00+00:00",
	"2024-01-05T10:00:00+14:00", "2024-01-05T10:00:00+14:59",
	"2024-01-05T10:00:00+15:00", "2024-01-05T10:00:00-03:30",
	"2024-01-05T10:00:00.5", "2024-01-05T10:00:00.123456789+08:00",
	"2024-01-05T10:00:00.1234567890", "2024-01-05T10:00:00.+08:00",
	"1899-12-31T00:00:00", "1900-01-01T00:00:00", "2024-02-30T10:00:00",
	"2024-02-29T23:59:59", "2024-01-05T24:00:00", "2024-01-05T10:60:00",
	"2024-01-05T10:00:60", "2024-01-05T10:00:00Z",
	"2024-01-05T10:00:00+0800", "2024-01-05T10:00", "2024-01-05t10:00:00",
	"\xef\xbc\x92" "024-01-05T10:00:00", "2024-01-05T10:00:00+08:00 ",
	"2024-01-05T10:00:00+8:00", "2024-01-05T1:00:00", "2024-01-05",
	"2024-01-05T10:00:00+08:00:00", "9999-12-31T23:59:59+14:00",
};

static void test_rules_timestamp_agrees(void **state)
{
	static const char text[] =
		"[rule t]\nfield = registered_at\ncheck = timestamp\n";
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_parse("t.ini", text, strlen(text), &err);
	struct rule_failure f[1];
	struct record rec;
	struct header h;
	struct buf out;

	(void)state;
	record_init(&rec);
	header_init(&h);
	buf_init(&out, BUF_NOLIMIT);
	th_header(&h, "registered_at");
	assert_int_equal(rules_bind(rs, &h, &err), 0);
	for (size_t i = 0; i < sizeof(timestamps) / sizeof(timestamps[0]);
	     i++) {
		struct strview v = sv(timestamps[i]);
		bool canonical;

		buf_reset(&out);
		canonical = timestamp_normalize(v, DATE_ORDER_NONE, &out) ==
				    DATE_OK && sv_eq(buf_view(&out), v);
		th_record(&rec, timestamps[i]);
		if ((rules_check(rs, &rec, f) == 0) != canonical)
			fail_msg("'%s': check says %s", timestamps[i],
				 canonical ? "bad" : "good");
	}
	buf_release(&out);
	record_release(&rec);
	header_release(&h);
	rules_free(rs);
}

/* An empty rules file is valid: no rules, every record passes. */
static void test_rules_empty(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *rs = rules_parse("t.ini", "# nothing\n\n", 11, &err);

	(void)state;
	assert_non_null(rs);
	assert_int_equal(rules_count(rs), 0);
	rules_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_mistakes),
		cmocka_unit_test(test_rules_bind_mistakes),
		cmocka_unit_test(test_rules_cases),
		cmocka_unit_test(test_rules_all_failures),
		cmocka_unit_test(test_rules_unique),
		cmocka_unit_test(test_rules_unique_many),
		cmocka_unit_test(test_rules_unique_collision),
		cmocka_unit_test(test_rules_unique_spill),
		cmocka_unit_test(test_rules_default),
		cmocka_unit_test(test_rules_example_file),
		cmocka_unit_test(test_rules_empty),
		cmocka_unit_test(test_rules_timestamp_agrees),
	};

	setenv("MBR_TODAY", "2024-06-30", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
