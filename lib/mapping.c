/*
 * mapping: parse mapping files into fields of parts and steps; apply them.
 */
#include "mapping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini.h"
#include "suggest.h"
#include "mappers/value.h"
#include "utf8.h"

enum part_kind { PART_COLUMN, PART_CONST };

struct part {
	enum part_kind kind;
	char *text; /* owned: column name or constant */
	int col;    /* bound column, or -1 */
};

enum step_kind {
	STEP_TRIM,
	STEP_UPPER,
	STEP_LOWER,
	STEP_INT,
	STEP_MAP,
	STEP_DATE,
	STEP_DEFAULT,
	STEP_NULL,
};

struct step {
	enum step_kind kind;
	char **keys; /* owned: map keys, or date formats */
	char **vals; /* owned: map values */
	size_t n;
	char *dflt; /* owned: map's *= or default(v); NULL if none */
};

struct field {
	char *out;     /* owned: output column name */
	unsigned line; /* line in the mapping file */
	bool extra;    /* from [extra]: a column kept beside the canon */
	char *sep;     /* owned: concat_ws's separator (empty parts skipped), or
		      NULL: parts joined as they are */
	struct part *parts; /* owned: concatenated to make the value */
	size_t n_parts;
	struct step *steps; /* owned: applied in order */
	size_t n_steps;
};

struct mapping {
	struct mapping_info info;
	struct ini ini;	      /* owned: strings of info point into it */
	struct field *fields; /* owned */
	size_t n_fields;
	int canon[CF_COUNT]; /* source: field making each column, or -1 */
	size_t *extra;	     /* owned: source: the [extra] fields, in order */
	size_t n_extra;
	struct part key; /* source: the key column */
	unsigned key_line;
	const struct header *hdr; /* target without [fields]: borrowed */
	char row[24];		  /* scratch for source_row */
	struct buf a, b;	  /* scratch for values */
};

static const struct {
	const char *name;
	enum step_kind kind;
	int min_args, max_args; /* -1: any number */
} steps[] = {
	{"trim", STEP_TRIM, 0, 0},	 {"upper", STEP_UPPER, 0, 0},
	{"lower", STEP_LOWER, 0, 0},	 {"int", STEP_INT, 0, 0},
	{"map", STEP_MAP, 1, -1},	 {"date", STEP_DATE, 1, -1},
	{"default", STEP_DEFAULT, 1, 1}, {"null", STEP_NULL, 0, -1},
};

#define N_STEPS (sizeof(steps) / sizeof(steps[0]))

static void field_release(struct field *f)
{
	for (size_t i = 0; i < f->n_parts; i++)
		free(f->parts[i].text);
	for (size_t i = 0; i < f->n_steps; i++) {
		struct step *s = &f->steps[i];

		for (size_t j = 0; j < s->n; j++) {
			free(s->keys[j]);
			if (s->vals)
				free(s->vals[j]);
		}
		free(s->keys);
		free(s->vals);
		free(s->dflt);
	}
	free(f->parts);
	free(f->steps);
	free(f->out);
	free(f->sep);
}

void mapping_free(struct mapping *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_fields; i++)
		field_release(&m->fields[i]);
	free(m->fields);
	free(m->extra);
	free(m->key.text);
	ini_release(&m->ini);
	buf_release(&m->a);
	buf_release(&m->b);
	free(m);
}

const struct mapping_info *mapping_info(const struct mapping *m)
{
	return &m->info;
}

static char *unquoted(struct strview v)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	ini_unquote(v, &b);
	return buf_detach(&b);
}

static void add_part(struct field *f, struct strview v)
{
	struct part *p;

	f->parts = xrealloc(f->parts, (f->n_parts + 1) * sizeof(*f->parts));
	p = &f->parts[f->n_parts++];
	p->kind = ini_is_quoted(v) ? PART_CONST : PART_COLUMN;
	p->text = unquoted(v);
	p->col = -1;
}

/* concat_ws("sep", part, ...): the parts that are not empty, joined by
 * sep (SQL's CONCAT_WS). */
static int parse_concat_ws(struct mapping *m, struct field *f,
			   const struct ini_call *call, struct mbr_err *err)
{
	if (call->n_args < 2 || !ini_is_quoted(call->args[0]))
		return ini_fail(&m->ini, f->line, err,
				"concat_ws() needs a \"separator\" and at "
				"least one column or \"constant\" "
				"(expected concat_ws(\" \", a, b))");
	f->sep = unquoted(call->args[0]);
	for (size_t i = 1; i < call->n_args; i++)
		add_part(f, call->args[i]);
	return 0;
}

/* The expression before the first '|': a column, a constant, concat(). */
static int parse_expr(struct mapping *m, struct field *f, struct strview v,
		      struct mbr_err *err)
{
	struct ini_call call;

	if (v.len == 0)
		return ini_fail(&m->ini, f->line, err,
				"'%s' has no source column (expected a column, "
				"a \"constant\" or concat(...))",
				f->out);
	if (ini_parse_call(v, &call, err) < 0)
		return ini_fail(&m->ini, f->line, err, "%s", err->msg);
	if (call.has_parens && sv_eqs(call.name, "concat_ws"))
		return parse_concat_ws(m, f, &call, err);
	if (!call.has_parens || !sv_eqs(call.name, "concat")) {
		/* Column names may hold parentheses: 手机(主). */
		add_part(f, v);
		return 0;
	}
	if (call.n_args == 0)
		return ini_fail(
			&m->ini, f->line, err,
			"concat() needs at least one column or \"constant\"");
	for (size_t i = 0; i < call.n_args; i++)
		add_part(f, call.args[i]);
	return 0;
}

/* map(a=b, c=d, *=default): the keys and values; "*" is the default. */
static int parse_map(struct mapping *m, struct field *f, struct step *s,
		     const struct ini_call *call, struct mbr_err *err)
{
	s->keys = xcalloc(call->n_args, sizeof(char *));
	s->vals = xcalloc(call->n_args, sizeof(char *));
	for (size_t i = 0; i < call->n_args; i++) {
		struct strview kv[2];
		int n = ini_split(call->args[i], '=', kv, 2, err);

		if (n != 2 || kv[0].len == 0)
			return ini_fail(&m->ini, f->line, err,
					"map(): '%.*s' is not key=value "
					"(expected map(a=b, c=d, *=default))",
					(int)call->args[i].len,
					call->args[i].p);
		if (sv_eqs(kv[0], "*")) {
			free(s->dflt);
			s->dflt = unquoted(kv[1]);
			continue;
		}
		s->keys[s->n] = unquoted(kv[0]);
		s->vals[s->n] = unquoted(kv[1]);
		s->n++;
	}
	return 0;
}

static int parse_step(struct mapping *m, struct field *f, struct strview v,
		      struct mbr_err *err)
{
	struct ini_call call;
	struct step *s;
	size_t k;

	if (ini_parse_call(v, &call, err) < 0)
		return ini_fail(&m->ini, f->line, err, "%s", err->msg);
	for (k = 0; k < N_STEPS; k++)
		if (sv_eqs(call.name, steps[k].name))
			break;
	if (k == N_STEPS) {
		const char *names[N_STEPS + 2];
		char word[64];
		const char *near;

		for (k = 0; k < N_STEPS; k++)
			names[k] = steps[k].name;
		names[N_STEPS] = "concat"; /* only first: say so */
		names[N_STEPS + 1] = "concat_ws";
		snprintf(word, sizeof(word), "%.*s", (int)call.name.len,
			 call.name.p);
		near = suggest(word, names, N_STEPS + 2);
		if (near && !strncmp(near, "concat", 6))
			return ini_fail(&m->ini, f->line, err,
					"'%s' is not a mapper: %s(...) comes "
					"first, before any '|'",
					word, near);
		return ini_fail(
			&m->ini, f->line, err,
			"unknown mapper '%.*s' (%s%s%sexpected trim, upper, "
			"lower, int, map(...), date(...), default(...) or "
			"null; docs/mapping.md)",
			(int)call.name.len, call.name.p,
			near ? "did you mean '" : "", near ? near : "",
			near ? "'? " : "");
	}
	if ((int)call.n_args < steps[k].min_args ||
	    (steps[k].max_args >= 0 && (int)call.n_args > steps[k].max_args))
		return ini_fail(&m->ini, f->line, err, "mapper '%s' takes %s",
				steps[k].name,
				steps[k].max_args == 0 ? "no arguments"
				: steps[k].max_args == 1
					? "one argument"
					: "one or more arguments");
	f->steps = xrealloc(f->steps, (f->n_steps + 1) * sizeof(*f->steps));
	s = &f->steps[f->n_steps++];
	memset(s, 0, sizeof(*s));
	s->kind = steps[k].kind;
	if (s->kind == STEP_MAP)
		return parse_map(m, f, s, &call, err);
	if (s->kind == STEP_DEFAULT) {
		s->dflt = unquoted(call.args[0]);
		return 0;
	}
	if (s->kind == STEP_DATE || s->kind == STEP_NULL) {
		s->keys = xcalloc(call.n_args + 1, sizeof(char *));
		for (size_t i = 0; i < call.n_args; i++)
			s->keys[s->n++] = unquoted(call.args[i]);
	}
	return 0;
}

static int parse_field(struct mapping *m, const struct ini_entry *e,
		       struct mbr_err *err)
{
	struct strview parts[INI_MAX_ARGS];
	struct field *f;
	int n;

	m->fields = xrealloc(m->fields, (m->n_fields + 1) * sizeof(*m->fields));
	f = &m->fields[m->n_fields++];
	memset(f, 0, sizeof(*f));
	f->out = xstrdup(e->key);
	f->line = e->line;
	f->extra = !strcmp(e->section, "extra");
	n = ini_split(sv(e->value), '|', parts, INI_MAX_ARGS, err);
	if (n < 0)
		return ini_fail(&m->ini, e->line, err, "%s", err->msg);
	if (parse_expr(m, f, n > 0 ? parts[0] : svn("", 0), err) < 0)
		return -1;
	for (int i = 1; i < n; i++)
		if (parse_step(m, f, parts[i], err) < 0)
			return -1;
	return 0;
}

static int parse_delim(struct mapping *m, const struct ini_entry *e,
		       struct mbr_err *err)
{
	struct buf v;
	int rc = 0;

	buf_init(&v, 64);
	ini_unquote(sv(e->value), &v);
	if (!strcasecmp(v.p, "tab") || !strcmp(v.p, "\\t") ||
	    !strcmp(v.p, "\t"))
		m->info.delim = '\t';
	else if (v.len == 1 && strchr(",;|", v.p[0]))
		m->info.delim = v.p[0];
	else
		rc = ini_fail(&m->ini, e->line, err,
			      "delimiter '%s' (expected ',', ';', '|' or tab)",
			      e->value);
	buf_release(&v);
	return rc;
}

static int parse_bool(struct mapping *m, const struct ini_entry *e, bool *out,
		      struct mbr_err *err)
{
	if (!strcasecmp(e->value, "yes") || !strcasecmp(e->value, "true"))
		*out = true;
	else if (!strcasecmp(e->value, "no") || !strcasecmp(e->value, "false"))
		*out = false;
	else
		return ini_fail(&m->ini, e->line, err,
				"%s = '%s' (expected yes or no)", e->key,
				e->value);
	return 0;
}

static int parse_order(struct mapping *m, const struct ini_entry *e,
		       struct mbr_err *err)
{
	if (!strcasecmp(e->value, "DMY"))
		m->info.date_order = DATE_ORDER_DMY;
	else if (!strcasecmp(e->value, "MDY"))
		m->info.date_order = DATE_ORDER_MDY;
	else if (!strcasecmp(e->value, "YMD") || !*e->value)
		m->info.date_order = DATE_ORDER_NONE;
	else
		return ini_fail(&m->ini, e->line, err,
				"date_order = '%s' (expected DMY, MDY or YMD)",
				e->value);
	return 0;
}

static const char *const formats[] = {"csv", "tsv",    "jsonl",
				      "sql", "sqlite", NULL};

static int parse_format(struct mapping *m, const struct ini_entry *e,
			struct mbr_err *err)
{
	for (size_t i = 0; formats[i]; i++)
		if (!strcmp(e->value, formats[i])) {
			m->info.format = formats[i];
			return 0;
		}
	return ini_fail(
		&m->ini, e->line, err,
		"format = '%s' (expected csv, tsv, jsonl, sql or sqlite)",
		e->value);
}

static int unknown_setting(struct mapping *m, const struct ini_entry *e,
			   bool src, struct mbr_err *err)
{
	static const char *const source_keys[] = {
		"name", "encoding", "delimiter", "key", "header", "date_order",
	};
	static const char *const target_keys[] = {
		"name", "format", "encoding", "delimiter", "table",
	};
	const char *near = src ? suggest(e->key, source_keys, 6)
			       : suggest(e->key, target_keys, 5);

	return ini_fail(&m->ini, e->line, err,
			"unknown setting '%s' in [%s] (%s%s%sexpected %s)",
			e->key, src ? "source" : "target",
			near ? "did you mean '" : "", near ? near : "",
			near ? "'? " : "",
			src ? "name, encoding, delimiter, key, header or "
			      "date_order"
			    : "name, format, encoding, delimiter or table");
}

/* One key of [source] or [target]. */
static int parse_setting(struct mapping *m, const struct ini_entry *e,
			 struct mbr_err *err)
{
	bool src = m->info.kind == MAPPING_SOURCE;

	if (!strcmp(e->key, "name"))
		m->info.name = e->value;
	else if (!strcmp(e->key, "encoding"))
		m->info.encoding = e->value;
	else if (!strcmp(e->key, "delimiter"))
		return parse_delim(m, e, err);
	else if (src && !strcmp(e->key, "key")) {
		free(m->key.text);
		m->key.text = unquoted(sv(e->value));
		m->key_line = e->line;
	} else if (src && !strcmp(e->key, "header"))
		return parse_bool(m, e, &m->info.header, err);
	else if (src && !strcmp(e->key, "date_order"))
		return parse_order(m, e, err);
	else if (!src && !strcmp(e->key, "format"))
		return parse_format(m, e, err);
	else if (!src && !strcmp(e->key, "table"))
		m->info.table = e->value;
	else
		return unknown_setting(m, e, src, err);
	return 0;
}

/* An [extra] column: any name but a canonical one (those are [fields])
 * or one a tool adds. */
static int check_extra(struct mapping *m, const struct ini_entry *e, int f,
		       struct mbr_err *err)
{
	if (f >= 0 || !strcmp(e->key, COL_ISSUES) ||
	    !strcmp(e->key, COL_CLUSTER_ID) || !strcmp(e->key, COL_MASTER_ID))
		return ini_fail(&m->ini, e->line, err,
				"[extra] '%s' is a column of the toolkit "
				"(map a canonical field in [fields])",
				e->key);
	m->extra = xrealloc(m->extra, (m->n_extra + 1) * sizeof(*m->extra));
	m->extra[m->n_extra++] = m->n_fields - 1;
	return 0;
}

static int check_field_name(struct mapping *m, const struct ini_entry *e,
			    struct mbr_err *err)
{
	int f;

	for (size_t i = 0; i + 1 < m->n_fields; i++)
		if (!strcmp(m->fields[i].out, e->key))
			return ini_fail(
				&m->ini, e->line, err,
				"'%s' is mapped twice (first on line %u)",
				e->key, m->fields[i].line);
	if (m->info.kind == MAPPING_TARGET)
		return 0;
	f = canon_lookup(sv(e->key));
	if (m->fields[m->n_fields - 1].extra)
		return check_extra(m, e, f, err);
	if (f < 0) {
		const char *names[CF_COUNT];
		const char *near;

		for (int i = 0; i < CF_COUNT; i++)
			names[i] = i > CF_SOURCE_ROW
					   ? canon_name((enum canon_field)i)
					   : NULL;
		near = suggest(e->key, names, CF_COUNT);
		if (near)
			return ini_fail(&m->ini, e->line, err,
					"unknown canonical field '%s' (did you "
					"mean '%s'? the fields: "
					"docs/fields.md; columns of your own "
					"go in [extra])",
					e->key, near);
		return ini_fail(&m->ini, e->line, err,
				"unknown canonical field '%s' (expected one of "
				"name, gender, birth_date, mobile, email, "
				"id_number, ... as in docs/fields.md; columns "
				"of your own go in [extra])",
				e->key);
	}
	if (f <= CF_SOURCE_ROW)
		return ini_fail(&m->ini, e->line, err,
				"'%s' is set by mbr-import itself (use 'key = "
				"COLUMN' in [source] for source_id)",
				e->key);
	m->canon[f] = (int)(m->n_fields - 1);
	return 0;
}

static int parse_entries(struct mapping *m, struct mbr_err *err)
{
	const char *head = m->info.kind == MAPPING_SOURCE ? "source" : "target";

	for (size_t i = 0; i < m->ini.n; i++) {
		const struct ini_entry *e = &m->ini.e[i];

		if (!strcmp(e->section, head)) {
			if (parse_setting(m, e, err) < 0)
				return -1;
		} else if (!strcmp(e->section, "fields") ||
			   (!strcmp(e->section, "extra") &&
			    m->info.kind == MAPPING_SOURCE)) {
			if (parse_field(m, e, err) < 0 ||
			    check_field_name(m, e, err) < 0)
				return -1;
		} else {
			return ini_fail(&m->ini, e->line, err,
					"'%s' outside a known section "
					"(expected [%s] or [fields])",
					e->key, head);
		}
	}
	return 0;
}

static int check_sections(struct mapping *m, struct mbr_err *err)
{
	bool src = false, tgt = false;

	for (size_t i = 0; i < m->ini.n_sections; i++) {
		const char *s = m->ini.sections[i];

		if (!strcmp(s, "source"))
			src = true;
		else if (!strcmp(s, "target"))
			tgt = true;
		else if (strcmp(s, "fields") && strcmp(s, "extra"))
			return ini_fail(&m->ini, m->ini.section_lines[i], err,
					"unknown section [%s] (expected "
					"[source], [target], [fields] or "
					"[extra])",
					s);
	}
	if (src == tgt)
		return ini_fail(&m->ini, 1, err,
				src ? "both [source] and [target] (a mapping "
				      "describes one system)"
				    : "no [source] or [target] section");
	m->info.kind = src ? MAPPING_SOURCE : MAPPING_TARGET;
	return 0;
}

struct mapping *mapping_load(const char *path, struct mbr_err *err)
{
	struct mapping *m = xcalloc(1, sizeof(*m));

	buf_init(&m->a, RECORD_MAX_BYTES);
	buf_init(&m->b, RECORD_MAX_BYTES);
	for (int i = 0; i < CF_COUNT; i++)
		m->canon[i] = -1;
	m->key.col = -1;
	m->info.delim = ',';
	m->info.header = true;
	m->info.encoding = "UTF-8";
	m->info.format = "csv";
	if (ini_load(&m->ini, path, err) < 0 || check_sections(m, err) < 0 ||
	    parse_entries(m, err) < 0)
		goto fail;
	m->info.path = m->ini.path;
	if (m->info.kind == MAPPING_SOURCE &&
	    (!m->info.name || !*m->info.name)) {
		ini_fail(&m->ini, m->ini.section_lines[0], err,
			 "[source] has no name (expected name = SYSTEM, it "
			 "becomes the source column)");
		goto fail;
	}
	if (m->info.kind == MAPPING_SOURCE && !m->key.text) {
		ini_fail(&m->ini, m->ini.section_lines[0], err,
			 "[source] has no key (expected key = COLUMN, the "
			 "source's member number)");
		goto fail;
	}
	if (!m->info.name)
		m->info.name = "target";
	if (!m->info.table)
		m->info.table = "members";
	return m;
fail:
	mapping_free(m);
	return NULL;
}

static int bind_part(struct mapping *m, struct part *p, unsigned line,
		     const struct header *h, const char *file,
		     struct mbr_err *err)
{
	struct buf cols;

	if (p->kind == PART_CONST)
		return 0;
	p->col = header_find(h, p->text);
	if (p->col >= 0)
		return 0;
	buf_init(&cols, 400);
	for (size_t i = 0; i < header_count(h); i++) {
		if (buf_addf(&cols, "%s%s", i ? ", " : "",
			     record_field(&h->names, i).p) < 0) {
			buf_truncate(&cols, cols.len > 390 ? 390 : cols.len);
			buf_adds(&cols, " ...");
			break;
		}
	}
	ini_fail(&m->ini, line, err,
		 "column '%s' is not in the header of '%s' (columns: %s)",
		 p->text, file, cols.p);
	buf_release(&cols);
	return -1;
}

int mapping_bind(struct mapping *m, const struct header *h, const char *file,
		 struct mbr_err *err)
{
	m->hdr = h;
	if (m->info.kind == MAPPING_SOURCE &&
	    bind_part(m, &m->key, m->key_line, h, file, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n_fields; i++) {
		struct field *f = &m->fields[i];

		for (size_t j = 0; j < f->n_parts; j++)
			if (bind_part(m, &f->parts[j], f->line, h, file, err) <
			    0)
				return -1;
	}
	return 0;
}

size_t mapping_n_extra(const struct mapping *m)
{
	return m->info.kind == MAPPING_SOURCE ? m->n_extra : 0;
}

const char *mapping_extra_name(const struct mapping *m, size_t i)
{
	return m->fields[m->extra[i]].out;
}

size_t mapping_n_out(const struct mapping *m)
{
	if (m->info.kind == MAPPING_SOURCE)
		return CF_COUNT;
	return m->n_fields ? m->n_fields : (m->hdr ? header_count(m->hdr) : 0);
}

const char *mapping_out_name(const struct mapping *m, size_t i)
{
	if (m->info.kind == MAPPING_SOURCE)
		return canon_name((enum canon_field)i);
	if (m->n_fields)
		return m->fields[i].out;
	return record_field(&m->hdr->names, i).p;
}

int mapping_key_col(const struct mapping *m)
{
	return m->info.kind == MAPPING_SOURCE ? m->key.col : -1;
}

bool mapping_has_canon(const struct mapping *m, enum canon_field f)
{
	return m->info.kind == MAPPING_SOURCE && m->canon[f] >= 0;
}

const char *mapping_col_user(const struct mapping *m, size_t col)
{
	if (mapping_key_col(m) == (int)col)
		return canon_name(CF_SOURCE_ID);
	for (size_t i = 0; i < m->n_fields; i++)
		for (size_t j = 0; j < m->fields[i].n_parts; j++)
			if (m->fields[i].parts[j].col == (int)col)
				return m->fields[i].out;
	return NULL;
}

static void swap(struct buf *a, struct buf *b)
{
	struct buf t = *a;

	*a = *b;
	*b = t;
}

static void change_case(struct buf *v, bool upper)
{
	for (size_t i = 0; i < v->len; i++) {
		char c = v->p[i];

		if (upper && c >= 'a' && c <= 'z')
			v->p[i] = (char)(c - 32);
		else if (!upper && c >= 'A' && c <= 'Z')
			v->p[i] = (char)(c + 32);
	}
}

/* Look v up in a map(); "" for no match. */
static const char *map_lookup(const struct step *s, struct strview v)
{
	v = sv_trim(v);
	for (size_t i = 0; i < s->n; i++)
		if (sv_eqs(v, s->keys[i]))
			return s->vals[i];
	for (size_t i = 0; i < s->n; i++)
		if (sv_ieqs(v, s->keys[i]))
			return s->vals[i];
	return s->dflt;
}

static const char *date_step(const struct step *s, struct buf *in,
			     struct buf *out)
{
	enum date_result worst = DATE_UNRECOGNISED, r;

	if (sv_trim(buf_view(in)).len == 0)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		buf_reset(out);
		r = date_parse_format(sv_trim(buf_view(in)), s->keys[i], out);
		if (r == DATE_OK)
			return NULL;
		if (r != DATE_UNRECOGNISED)
			worst = r;
	}
	return worst == DATE_UNRECOGNISED ? "not in the date formats given"
					  : date_result_str(worst);
}

/* Is v what step null(...) (or null with the usual words) empties? */
static bool is_null(const struct step *s, struct strview v)
{
	return value_is_null(v, s->n ? (const char *const *)s->keys : NULL,
			     s->n);
}

/* Apply one step to m->a (result in m->a). Returns a problem or NULL. */
static const char *run_step(struct mapping *m, const struct step *s)
{
	const char *hit, *why;
	enum value_result vr;

	buf_reset(&m->b);
	switch (s->kind) {
	case STEP_TRIM:
		buf_addsv(&m->b, sv_trim(buf_view(&m->a)));
		break;
	case STEP_UPPER:
	case STEP_LOWER:
		change_case(&m->a, s->kind == STEP_UPPER);
		return NULL;
	case STEP_INT:
		vr = value_int(buf_view(&m->a), &m->b);
		if (vr == VALUE_EMPTY)
			return NULL;
		if (vr != VALUE_OK)
			return value_result_str(vr);
		break;
	case STEP_MAP:
		hit = map_lookup(s, buf_view(&m->a));
		if (!hit)
			return sv_trim(buf_view(&m->a)).len ? "not in map"
							    : NULL;
		buf_adds(&m->b, hit);
		break;
	case STEP_DATE:
		why = date_step(s, &m->a, &m->b);
		if (why || sv_trim(buf_view(&m->a)).len == 0)
			return why;
		break;
	case STEP_DEFAULT:
		if (sv_trim(buf_view(&m->a)).len)
			return NULL;
		buf_adds(&m->b, s->dflt);
		break;
	case STEP_NULL:
		if (!is_null(s, buf_view(&m->a)))
			return NULL;
		break;
	}
	swap(&m->a, &m->b);
	return NULL;
}

static struct strview part_value(const struct part *p, const struct record *in)
{
	if (p->kind == PART_CONST)
		return sv(p->text);
	return record_field(in, (size_t)p->col);
}

/* Evaluate field f on in into m->a; count problems into issues. */
static int eval(struct mapping *m, const struct field *f,
		const struct record *in, struct buf *issues)
{
	int problems = 0;

	buf_reset(&m->a);
	for (size_t i = 0; i < f->n_parts; i++) {
		struct strview v = part_value(&f->parts[i], in);

		if (f->sep && sv_trim(v).len == 0)
			continue; /* concat_ws skips an empty part */
		if ((f->sep && m->a.len && buf_adds(&m->a, f->sep) < 0) ||
		    buf_addsv(&m->a, f->sep ? sv_trim(v) : v) < 0)
			return -1;
	}
	for (size_t i = 0; i < f->n_steps; i++) {
		const char *why = run_step(m, &f->steps[i]);

		if (why) {
			buf_addf(issues, "%s:%s;", f->out, why);
			problems++;
			break; /* keep the value as it was at this step */
		}
	}
	return problems;
}

/* v in decimal at s (21 bytes room), NUL-terminated: snprintf's "%lu",
 * once a record, without its cost. */
static void put_ulong(char *s, unsigned long v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*s++ = tmp[--n];
	*s = '\0';
}

int mapping_apply(struct mapping *m, const struct record *in,
		  struct record *out, struct buf *issues)
{
	int problems = 0, n;

	record_reset(out);
	if (m->info.kind == MAPPING_TARGET && m->n_fields == 0)
		return record_copy(out, in) < 0 ? -1 : 0;
	if (m->info.kind == MAPPING_SOURCE) {
		put_ulong(m->row, in->row);
		record_add(out, m->info.name, strlen(m->info.name));
		record_addsv(out,
			     sv_trim(record_field(in, (size_t)m->key.col)));
		record_add(out, m->row, strlen(m->row));
	}
	for (size_t i = 0; i < mapping_n_out(m); i++) {
		const struct field *f;

		if (m->info.kind == MAPPING_SOURCE) {
			if (i <= CF_SOURCE_ROW)
				continue;
			if (m->canon[i] < 0) {
				record_add(out, "", 0);
				continue;
			}
			f = &m->fields[m->canon[i]];
		} else {
			f = &m->fields[i];
		}
		n = eval(m, f, in, issues);
		if (n < 0 || record_add(out, m->a.p, m->a.len) < 0)
			return -1;
		problems += n;
	}
	for (size_t i = 0; i < mapping_n_extra(m); i++) {
		n = eval(m, &m->fields[m->extra[i]], in, issues);
		if (n < 0 || record_add(out, m->a.p, m->a.len) < 0)
			return -1;
		problems += n;
	}
	return problems;
}
