/*
 * rules: parsing sections and files
 */
#include "rules/rules_int.h"

int rules_fail(struct parse *p, unsigned line, const char *fmt, ...)
{
	char msg[sizeof(p->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ini_fail(p->ini, line, p->err, "%s", msg);
}

/*
 * Parsing sections
 */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* "[rule NAME]": NAME, or -1. */
static int section_name(struct parse *p, const char *section, unsigned line,
			struct strview *name)
{
	struct strview s = sv(section);

	if (!sv_starts(s, "rule") ||
	    (s.len > 4 && s.p[4] != ' ' && s.p[4] != '\t'))
		return rules_fail(p, line,
				  "unknown section '[%s]' (expected "
				  "[rule NAME])",
				  section);
	*name = sv_trim(svn(s.p + 4, s.len - 4));
	if (name->len == 0)
		return rules_fail(p, line,
				  "rule without a name (expected [rule "
				  "NAME])");
	for (size_t i = 0; i < name->len; i++)
		if (!is_name_char(name->p[i]))
			return rules_fail(p, line,
					  "bad rule name '%.*s' (expected "
					  "letters, digits, '_', '-' or '.')",
					  (int)name->len, name->p);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a;
	const struct rule *y = *(const struct rule *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c
		 : (x->info.line > y->info.line) -
			       (x->info.line < y->info.line);
}

/* Two rules of one name: the first repeat in the file is the error. Sorted
 * by name, not compared pairwise: 200,000 rules load in linear time. */
static int check_names(struct parse *p)
{
	struct rules *rs = p->rs;
	const struct rule **v = xmalloc((rs->n + 1) * sizeof(*v));
	const struct rule *dup = NULL, *first = NULL;

	for (size_t i = 0; i < rs->n; i++)
		v[i] = &rs->r[i];
	xqsort(v, rs->n, sizeof(*v), by_name);
	for (size_t i = 1; i < rs->n; i++)
		if (!strcmp(v[i]->name, v[i - 1]->name) &&
		    (!dup || v[i]->info.line < dup->info.line)) {
			dup = v[i];
			first = v[i - 1];
		}
	free(v);
	if (!dup)
		return 0;
	return rules_fail(p, dup->info.line,
			  "duplicate rule '%s' (first at line %u)", dup->name,
			  first->info.line);
}

static void make_label(struct rule *r)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	if (r->test == T_COMPARE) {
		buf_adds(&b, r->lhs.f.name);
	} else if (r->test == T_UNIQUE) {
		for (size_t i = 0; i < r->n_keys; i++) {
			if (i)
				buf_addc(&b, '+');
			buf_adds(&b, r->keys[i].name);
		}
	} else {
		buf_adds(&b, r->field.name);
	}
	r->label = buf_detach(&b);
}

/* After the last key of a section: is the rule whole? */
static int finish_rule(struct parse *p)
{
	struct rule *r = p->r;
	bool own_fields = r->test == T_COMPARE || r->test == T_UNIQUE;

	if (r->test == T_NONE)
		return rules_fail(p, r->info.line,
				  "rule '%s' has no test (expected "
				  "one of %s)",
				  r->name, TEST_LIST);
	if (!own_fields && !r->field.name)
		return rules_fail(p, r->info.line,
				  "rule '%s' has no field (expected "
				  "field = NAME)",
				  r->name);
	if (own_fields && r->field.name)
		return rules_fail(p, r->field.line,
				  "rule '%s': %s names its own "
				  "fields (remove 'field')",
				  r->name, test_names[r->test]);
	make_label(r);
	r->info.name = r->name;
	r->info.field = r->label;
	r->info.test = test_names[r->test];
	return 0;
}

static struct rule *add_rule(struct rules *rs, struct strview name,
			     unsigned line)
{
	struct rule *r;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 16;
		rs->r = xrealloc(rs->r, rs->cap * sizeof(*rs->r));
	}
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->name = sv_dup(name);
	r->info.line = line;
	r->info.severity = RULE_REJECT;
	return r;
}

/* Section k: entries from *i while they come before section k + 1. */
static int parse_section(struct parse *p, size_t k, size_t *i)
{
	const struct ini *ini = p->ini;
	unsigned end =
		k + 1 < ini->n_sections ? ini->section_lines[k + 1] : ~0u;
	struct strview name;

	if (section_name(p, ini->sections[k], ini->section_lines[k], &name) < 0)
		return -1;
	p->r = add_rule(p->rs, name, ini->section_lines[k]);
	for (; *i < ini->n && ini->e[*i].line < end; (*i)++)
		if (rules_parse_entry(p, &ini->e[*i]) < 0)
			return -1;
	return finish_rule(p);
}

static int parse_ini(struct parse *p)
{
	const struct ini *ini = p->ini;
	size_t i = 0;

	if (ini->n &&
	    (!ini->n_sections || ini->e[0].line < ini->section_lines[0]))
		return rules_fail(p, ini->e[0].line,
				  "'%s' outside a rule (expected "
				  "[rule NAME] first)",
				  ini->e[0].key);
	for (size_t k = 0; k < ini->n_sections; k++)
		if (parse_section(p, k, &i) < 0)
			return -1;
	return check_names(p);
}

static struct rules *rules_new(const char *path)
{
	struct rules *rs = xcalloc(1, sizeof(*rs));
	long t = date_today();
	char today[32];

	rs->path = xstrdup(path);
	snprintf(today, sizeof(today), "%04ld-%02ld-%02ld", t / 10000,
		 t / 100 % 100, t % 100);
	memcpy(rs->today, today, DATE_LEN);
	buf_init(&rs->key, BUF_NOLIMIT);
	buf_init(&rs->tmp, BUF_NOLIMIT);
	return rs;
}

static struct rules *from_ini(const struct ini *ini, struct mbr_err *err)
{
	struct parse p = {ini, rules_new(ini->path), NULL, err};

	if (parse_ini(&p) < 0) {
		rules_free(p.rs);
		return NULL;
	}
	return p.rs;
}

struct rules *rules_parse(const char *name, const char *text, size_t len,
			  struct mbr_err *err)
{
	struct ini ini;
	struct rules *rs;

	if (ini_parse(&ini, name, text, len, err) < 0)
		return NULL;
	rs = from_ini(&ini, err);
	ini_release(&ini);
	return rs;
}

struct rules *rules_load(const char *path, struct mbr_err *err)
{
	struct ini ini;
	struct rules *rs;

	if (ini_load(&ini, path, err) < 0)
		return NULL;
	rs = from_ini(&ini, err);
	ini_release(&ini);
	return rs;
}
